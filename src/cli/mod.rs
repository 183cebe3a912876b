//! The command line: every feature, scriptable, with `--json` on listings.

/// `println!` for command output: a reader that went away (`… | head`) ends the command
/// quietly instead of crashing it.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output (see [`outln!`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out(&format!($($arg)*))
    };
}

mod bench;
mod care;
mod clients;
mod complaints;
mod progress;
mod secrets;
mod surveys;
mod sync;
mod table;

pub use crate::demo::{DEMO_STAFF, ensure_demo_store};

use crate::config::Config;
use crate::domain::audit::ChainVerdict;
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::staff::Role;
use crate::error::{Error, Result};
use crate::i18n::{I18n, Lang};
use crate::store::{NewStore, Session, StoreOptions, StorePaths, StoreProbe, probe};
use crate::{logging, tui};
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// The demo store's shared passphrase. Public by design: the login screen shows it.
pub use crate::domain::staff::DEMO_PASSPHRASE;

#[derive(Debug, Parser)]
#[command(
    name = "branchdesk",
    version,
    about = "Terminal workstation for bank branch staff, over an encrypted local store.",
    long_about = "Terminal workstation for bank branch staff, over an encrypted local store.\n\n\
                  Without a command, opens the workstation (TUI) on the store. The passphrase is \
                  read from --passphrase-file, else from the terminal, else (only when there is no \
                  terminal) from BRANCHDESK_PASSPHRASE."
)]
pub struct Cli {
    /// Store directory [default: the platform data directory]
    #[arg(long, global = true, env = "BRANCHDESK_STORE", value_name = "DIR")]
    store: Option<PathBuf>,
    /// Staff ID to act as
    #[arg(long, global = true, env = "BRANCHDESK_USER", value_name = "ID")]
    user: Option<String>,
    /// Read the passphrase from FILE (its first line)
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Language of messages and screens [default: from LANG]
    #[arg(long, global = true, value_parser = ["zh", "en"])]
    lang: Option<String>,
    /// Configuration file [default: config.toml in the platform config directory]
    #[arg(long, global = true, env = "BRANCHDESK_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new store for a branch, with its first administrator
    Init {
        /// Branch code (letters, digits, '-'), e.g. BJ0101
        #[arg(long, value_name = "CODE")]
        branch: String,
        /// Branch name as staff know it, e.g. 北京西单支行
        #[arg(long, value_name = "NAME")]
        branch_name: String,
        /// Staff ID of the first administrator
        #[arg(long, value_name = "ID")]
        admin: String,
        /// Administrator's display name [default: the staff ID]
        #[arg(long, value_name = "NAME")]
        admin_name: Option<String>,
        /// HQ's public keys file (from `hq init`), to trust at once
        #[arg(long, value_name = "FILE")]
        hq_keys: Option<PathBuf>,
    },
    /// Clients: lookup, records, registration, import, contact log
    Client {
        #[command(subcommand)]
        action: Box<clients::ClientCommand>,
    },
    /// Complaints: intake, list and board, history, next step, acknowledgement slip
    Complaint {
        #[command(subcommand)]
        action: Box<complaints::ComplaintCommand>,
    },
    /// Care reminders: birthdays (solar and lunar), life events, expiring IDs, festivals
    Care {
        #[command(subcommand)]
        action: care::CareCommand,
    },
    /// Satisfaction surveys: templates, responses, NPS/CSAT statistics, paper batches
    Survey {
        #[command(subcommand)]
        action: surveys::SurveyCommand,
    },
    /// Sync with HQ: this store's keys, trusting HQ, what is waiting to go
    Sync {
        #[command(subcommand)]
        action: sync::SyncCommand,
    },
    /// Write everything HQ has not acknowledged as a signed, encrypted bundle (managers)
    Export {
        /// Where to write the bundle and its .minisig [default: the store's exports folder]
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Apply HQ's reference data (FILE and FILE.minisig), if newer than what is applied
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The reference data in force: version, staff directory, survey templates, products
    Reference {
        #[arg(long)]
        json: bool,
    },
    /// HQ mode: create the HQ store, register branches, import their bundles, status
    Hq {
        #[command(subcommand)]
        action: sync::HqCommand,
    },
    /// The branch's details (the contact printed on complaint slips)
    Branch {
        #[command(subcommand)]
        action: complaints::BranchCommand,
    },
    /// Manage staff accounts
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Write a consistent, encrypted backup of the store to FILE
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the store with a backup, after checking that the backup is sound
    Restore {
        /// A file written by `branchdesk backup`
        file: PathBuf,
    },
    /// Read and verify the audit trail
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Check the store: integrity, encryption, audit chain, schema, key slots
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Measure lookup latency per query class on a demo store of N clients, encrypted and
    /// as a plaintext copy (the physical limit)
    Bench {
        #[command(subcommand)]
        what: Option<BenchWhat>,
        /// Clients in the benchmark store (built on first use, then reused)
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        clients: u64,
        /// Queries per class
        #[arg(long, value_name = "Q", default_value_t = 2_000)]
        queries: usize,
        #[arg(long)]
        json: bool,
    },
    /// Open a demo store (created on first use) with demo staff and data
    Demo {
        /// Create the demo store and exit without opening the workstation
        #[arg(long)]
        no_tui: bool,
        /// How many synthetic clients a new demo store gets
        #[arg(long, value_name = "N", default_value_t = crate::demo::DEFAULT_CLIENTS)]
        clients: u64,
    },
}

#[derive(Debug, Subcommand)]
enum BenchWhat {
    /// Export N changes at a branch and import them at HQ, against the raw insert rate
    Sync {
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        ops: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff member (new passphrase from the terminal, --new-passphrase-file or
    /// BRANCHDESK_NEW_PASSPHRASE)
    Add {
        /// Staff ID, e.g. teller07
        id: String,
        #[arg(long)]
        name: String,
        /// teller, rm, manager, auditor or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// List staff accounts
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a staff member: removes their key slot and rekeys the database
    Disable { id: String },
    /// Change your own passphrase, or (administrators) set a new one for ID
    Passwd {
        id: Option<String>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Lift the lock that failed logins put on an account
    Unlock { id: String },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and name the first row that does not fit
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Show audit rows, newest first
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only rows older than this row number
        #[arg(long)]
        before: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse()
        .map_err(|_| "expected one of: teller, rm, manager, auditor, admin".to_string())
}

/// Everything a command needs besides its own arguments.
pub(crate) struct Context {
    cli_store: Option<PathBuf>,
    user: Option<String>,
    passphrase_file: Option<PathBuf>,
    config: Config,
    lang: Lang,
    i18n: &'static I18n,
    clock: Arc<dyn Clock>,
}

impl Context {
    pub(crate) fn store_paths(&self) -> Result<StorePaths> {
        self.cli_store
            .clone()
            .or_else(|| self.config.store.clone())
            .or_else(StorePaths::default_store_dir)
            .map(StorePaths::new)
            .ok_or(Error::NoDataDir)
    }

    fn demo_paths(&self) -> Result<StorePaths> {
        self.cli_store
            .clone()
            .or_else(StorePaths::default_demo_dir)
            .map(StorePaths::new)
            .ok_or(Error::NoDataDir)
    }

    fn bench_paths(&self) -> Result<StorePaths> {
        self.cli_store
            .clone()
            .or_else(|| StorePaths::platform_data_dir().map(|d| d.join("bench")))
            .map(StorePaths::new)
            .ok_or(Error::NoDataDir)
    }

    /// Logs the command's user in, waiting out the pause after recent failures.
    pub(crate) fn login(&self, paths: &StorePaths) -> Result<Session> {
        self.login_keeping_passphrase(paths)
            .map(|(session, _)| session)
    }

    /// [`Context::login`], also returning the passphrase (for a passphrase change).
    fn login_keeping_passphrase(&self, paths: &StorePaths) -> Result<(Session, SecretString)> {
        let id = secrets::staff_id(self.user.as_deref(), self.i18n)?;
        let passphrase = secrets::login_passphrase(self.passphrase_file.as_deref(), self.i18n)?;
        let session = unlock_waiting(
            paths,
            &id,
            &passphrase,
            self.clock.clone(),
            self.config.store_options(),
            self.i18n,
        )?;
        start_logging(paths, self.lang);
        Ok((session, passphrase))
    }

    pub(crate) fn say(&self, key: &str, args: &[(&str, &str)]) {
        outln!("{}", self.i18n.fill(key, args));
    }

    /// A CSV import's columns that matched nothing (a misspelt header is worth seeing).
    pub(crate) fn say_ignored_columns(&self, columns: &[String]) {
        if !columns.is_empty() {
            self.say("cli.import_ignored", &[("columns", &columns.join(", "))]);
        }
    }
}

fn unlock_waiting(
    paths: &StorePaths,
    id: &str,
    passphrase: &SecretString,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
    i18n: &I18n,
) -> Result<Session> {
    let attempt = || Session::unlock(paths, id, passphrase, clock.clone(), options);
    match attempt() {
        Err(Error::TooSoon { seconds }) => {
            // Progress for a person at a terminal; a script sees only the outcome.
            if std::io::stderr().is_terminal() {
                let text = i18n.fill("cli.waiting", &[("seconds", &seconds.to_string())]);
                eprintln!("{text}");
            }
            std::thread::sleep(std::time::Duration::from_secs(seconds.min(60)));
            attempt()
        }
        other => other,
    }
}

fn start_logging(paths: &StorePaths, lang: Lang) {
    logging::set_crash_context(Some(&paths.logs()), lang);
    // The guard must outlive every log call; the process ends soon after a command.
    std::mem::forget(logging::init(&paths.logs()));
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let env_lang = Lang::from_env(|name| std::env::var(name).ok());
    let cli_lang = cli.lang.as_deref().and_then(Lang::parse);
    logging::install_panic_hook(tui::restore_terminal);
    logging::set_crash_context(None, cli_lang.unwrap_or(env_lang));

    let config_path = cli.config.clone().or_else(Config::default_path);
    let config = match config_path.as_deref().map(Config::load).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(e) => {
            eprintln!(
                "{}",
                e.message(I18n::for_lang(cli_lang.unwrap_or(env_lang)))
            );
            return ExitCode::FAILURE;
        }
    };
    let lang = cli_lang
        .or_else(|| config.language.as_deref().and_then(Lang::parse))
        .unwrap_or(env_lang);
    if let Err(detail) = tui::keymap::Keymap::load(&config.keymap) {
        let error = Error::Config {
            path: config_path.unwrap_or_default(),
            detail,
        };
        eprintln!("{}", error.message(I18n::for_lang(lang)));
        return ExitCode::FAILURE;
    }
    let i18n = I18n::for_lang(lang);
    logging::set_crash_context(None, lang);
    let context = Context {
        cli_store: cli.store,
        user: cli.user,
        passphrase_file: cli.passphrase_file,
        config,
        lang,
        i18n,
        clock: Arc::new(SystemClock),
    };
    match run(&context, cli.command) {
        Ok(code) => code,
        Err(e) => {
            if let Error::Internal { detail } = &e {
                tracing::error!(%detail, "command failed");
            }
            eprintln!("{}", e.message(i18n));
            ExitCode::FAILURE
        }
    }
}

fn run(cx: &Context, command: Option<Command>) -> Result<ExitCode> {
    match command {
        None => open_workstation(cx, cx.store_paths()?),
        Some(Command::Init {
            branch,
            branch_name,
            admin,
            admin_name,
            hq_keys,
        }) => {
            let mut session = init_store(cx, branch, branch_name, admin, admin_name)?;
            if let Some(file) = hq_keys {
                let keys = session.trust_hq(&file)?;
                cx.say(
                    "cli.sync_trusted_hq",
                    &[("hq", &keys.code), ("key_id", &keys.key_id()?)],
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Sync { action }) => sync::run(cx, action),
        Some(Command::Export { to, json }) => sync::run_export(cx, to, json),
        Some(Command::Hq { action }) => sync::run_hq(cx, action),
        Some(Command::Import { file, json }) => sync::run_import(cx, file, json),
        Some(Command::Reference { json }) => sync::run_reference(cx, json),
        Some(Command::User { action }) => user_command(cx, action),
        Some(Command::Client { action }) => clients::run(cx, *action),
        Some(Command::Complaint { action }) => complaints::run(cx, *action),
        Some(Command::Branch { action }) => complaints::run_branch(cx, action),
        Some(Command::Care { action }) => care::run(cx, action),
        Some(Command::Survey { action }) => surveys::run(cx, action),
        Some(Command::Backup { to }) => {
            let mut session = cx.login(&cx.store_paths()?)?;
            let show_progress = std::io::stderr().is_terminal();
            let summary = session.backup_to(&to, &mut |percent| {
                if show_progress {
                    eprint!("\r{percent:>3}%");
                }
            })?;
            if show_progress {
                eprintln!();
            }
            cx.say(
                "cli.backup_done",
                &[
                    ("path", &summary.path.display().to_string()),
                    ("size", &human_bytes(summary.bytes)),
                ],
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { file }) => {
            let paths = cx.store_paths()?;
            let id = secrets::staff_id(cx.user.as_deref(), cx.i18n)?;
            let passphrase = secrets::login_passphrase(cx.passphrase_file.as_deref(), cx.i18n)?;
            let summary = crate::store::restore(
                &paths,
                &file,
                &id,
                &passphrase,
                cx.clock.clone(),
                StoreOptions::default(),
            )?;
            start_logging(&paths, cx.lang);
            cx.say(
                "cli.restore_done",
                &[
                    ("path", &file.display().to_string()),
                    ("created", &summary.created_at),
                ],
            );
            for kept in &summary.kept {
                cx.say("cli.restore_kept", &[("path", &kept.display().to_string())]);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit { action }) => audit_command(cx, action),
        Some(Command::Doctor { json }) => {
            let session = cx.login(&cx.store_paths()?)?;
            let report = session.doctor()?;
            if json {
                print_json(&report);
            } else {
                for check in &report.checks {
                    let mark = if check.ok { "ok  " } else { "FAIL" };
                    let label = cx.i18n.t(&format!("doctor.{}", check.code)).to_string();
                    if check.detail.is_empty() {
                        outln!("{mark}  {label}");
                    } else {
                        outln!("{mark}  {label}: {}", check.detail);
                    }
                }
                cx.say(
                    if report.ok {
                        "cli.doctor_ok"
                    } else {
                        "cli.doctor_failed"
                    },
                    &[],
                );
            }
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Bench {
            what: Some(BenchWhat::Sync { ops, json }),
            ..
        }) => bench::sync(cx, ops, json),
        Some(Command::Bench {
            what: None,
            clients,
            queries,
            json,
        }) => bench::lookup(cx, clients, queries, json),
        Some(Command::Demo { no_tui, clients }) => {
            let paths = cx.demo_paths()?;
            let created = ensure_demo_store(
                &paths,
                cx.lang,
                cx.clock.clone(),
                clients,
                &mut demo_progress(cx),
            )?;
            start_logging(&paths, cx.lang);
            let dir = paths.dir().display().to_string();
            if created {
                cx.say("cli.demo_created", &[("dir", &dir)]);
                let hq = crate::demo::demo_hq_paths(&paths);
                cx.say("cli.demo_hq", &[("dir", &hq.dir().display().to_string())]);
            }
            if no_tui {
                cx.say(
                    "cli.demo_staff",
                    &[
                        ("staff", &DEMO_STAFF.map(|s| s.0).join(", ")),
                        ("passphrase", DEMO_PASSPHRASE),
                    ],
                );
                return Ok(ExitCode::SUCCESS);
            }
            open_workstation(cx, paths)
        }
    }
}

/// A progress bar for the clients a new demo store is given (shown from the first one).
fn demo_progress(cx: &Context) -> impl FnMut(u64, u64) + '_ {
    let mut bar: Option<progress::Progress> = None;
    move |done, total| {
        let bar = bar.get_or_insert_with(|| {
            progress::Progress::new(total, cx.i18n.t("progress.generating"))
        });
        bar.set(done);
        if done >= total {
            bar.finish();
        }
    }
}

fn open_workstation(cx: &Context, paths: StorePaths) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() {
        return Err(Error::NoTerminal);
    }
    let probe = probe(&paths);
    if probe != StoreProbe::Absent {
        start_logging(&paths, cx.lang);
    }
    tui::run(tui::Launch {
        paths,
        probe,
        lang: cx.lang,
        config: cx.config.clone(),
        clock: cx.clock.clone(),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn user_command(cx: &Context, action: UserCommand) -> Result<ExitCode> {
    let paths = cx.store_paths()?;
    let (mut session, current_passphrase) = cx.login_keeping_passphrase(&paths)?;
    match action {
        UserCommand::Add {
            id,
            name,
            role,
            new_passphrase_file,
        } => {
            session.require(crate::domain::staff::Permission::ManageStaff)?;
            let passphrase = secrets::new_passphrase(
                new_passphrase_file.as_deref(),
                secrets::NEW_PASSPHRASE_ENV,
                cx.i18n,
            )?;
            let staff = session.add_staff(&id, &name, role, &passphrase)?;
            cx.say(
                "cli.user_added",
                &[
                    ("id", staff.id.as_str()),
                    ("role", cx.i18n.role(staff.role)),
                ],
            );
        }
        UserCommand::List { json } => {
            let staff = session.list_staff()?;
            if json {
                print_json(&staff);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = staff
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.clone(),
                            s.name.clone(),
                            i18n.role(s.role).to_string(),
                            i18n.staff_status(s.status).to_string(),
                            s.locked_until
                                .map(|t| {
                                    t.with_timezone(&chrono::Local).format("%H:%M").to_string()
                                })
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            i18n.t("col.staff_id"),
                            i18n.t("col.name"),
                            i18n.t("col.role"),
                            i18n.t("col.status"),
                            i18n.t("col.locked_until"),
                        ],
                        &rows
                    )
                );
            }
        }
        UserCommand::Disable { id } => {
            session.disable_staff(&id)?;
            cx.say("cli.user_disabled", &[("id", &id)]);
        }
        UserCommand::Passwd {
            id,
            new_passphrase_file,
        } => {
            let own = id
                .as_deref()
                .is_none_or(|id| id.eq_ignore_ascii_case(session.me().id.as_str()));
            if !own {
                session.require(crate::domain::staff::Permission::ManageStaff)?;
            }
            let new = secrets::new_passphrase(
                new_passphrase_file.as_deref(),
                secrets::NEW_PASSPHRASE_ENV,
                cx.i18n,
            )?;
            match id.filter(|_| !own) {
                Some(id) => {
                    session.reset_passphrase(&id, &new)?;
                    cx.say("cli.passphrase_reset", &[("id", &id)]);
                }
                None => {
                    // The current passphrase is the one this command logged in with.
                    session.change_own_passphrase(&current_passphrase, &new)?;
                    cx.say("cli.passphrase_changed", &[]);
                }
            }
        }
        UserCommand::Unlock { id } => {
            session.unlock_account(&id)?;
            cx.say("cli.user_unlocked", &[("id", &id)]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn audit_command(cx: &Context, action: AuditCommand) -> Result<ExitCode> {
    let session = cx.login(&cx.store_paths()?)?;
    match action {
        AuditCommand::Verify { json } => {
            let verdict = session.verify_audit()?;
            if json {
                print_json(&verdict);
            } else {
                match &verdict {
                    ChainVerdict::Intact { rows } => {
                        cx.say("cli.audit_intact", &[("rows", &rows.to_string())]);
                    }
                    ChainVerdict::Broken { row, reason } => {
                        let reason = serde_json::to_value(reason)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        cx.say(
                            "cli.audit_broken",
                            &[
                                ("row", &row.to_string()),
                                ("reason", cx.i18n.t(&format!("audit.break.{reason}"))),
                            ],
                        );
                    }
                }
            }
            Ok(match verdict {
                ChainVerdict::Intact { .. } => ExitCode::SUCCESS,
                ChainVerdict::Broken { .. } => ExitCode::from(3),
            })
        }
        AuditCommand::List {
            limit,
            before,
            json,
        } => {
            let rows = session.list_audit(before, limit.min(10_000))?;
            if json {
                print_json(&rows);
            } else {
                let i18n = cx.i18n;
                let table_rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            local_time(&r.at),
                            r.actor.clone(),
                            r.action.clone(),
                            r.entity_id.clone(),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            "#",
                            i18n.t("col.time"),
                            i18n.t("col.actor"),
                            i18n.t("col.action"),
                            i18n.t("col.subject"),
                        ],
                        &table_rows
                    )
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An RFC 3339 timestamp in local time, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Writes command output. When the reader has gone (a closed pipe) there is nobody to
/// tell: the command stops here, successfully, as Unix tools do.
pub(crate) fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("{e}");
    }
}

/// Creates a store (a branch's, or HQ's for `hq init`) and logs its administrator in.
pub(crate) fn init_store(
    cx: &Context,
    branch: String,
    branch_name: String,
    admin: String,
    admin_name: Option<String>,
) -> Result<Session> {
    let paths = cx.store_paths()?;
    if paths.exists() {
        return Err(Error::StoreExists {
            dir: paths.dir().to_path_buf(),
        });
    }
    let passphrase = secrets::new_passphrase(
        cx.passphrase_file.as_deref(),
        secrets::PASSPHRASE_ENV,
        cx.i18n,
    )?;
    let session = Session::create(
        &paths,
        NewStore {
            branch_code: branch,
            branch_name,
            admin_name: admin_name.unwrap_or_else(|| admin.clone()),
            admin_id: admin,
            admin_passphrase: passphrase,
            demo: false,
        },
        cx.clock.clone(),
        StoreOptions::default(),
    )?;
    start_logging(&paths, cx.lang);
    // The branch's signing key and age identity, for its bundles to HQ.
    let mut session = session;
    session.sync_keys()?;
    cx.say(
        "cli.init_done",
        &[
            ("branch", &session.branch().code),
            ("dir", &paths.dir().display().to_string()),
            ("admin", session.me().id.as_str()),
        ],
    );
    Ok(session)
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("{e}"),
    }
}
