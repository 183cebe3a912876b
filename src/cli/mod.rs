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

mod args;
mod bench;
mod care;
mod clients;
mod complaints;
mod events;
mod points;
mod portfolio;
mod progress;
mod risk;
mod secrets;
mod staff;
mod surveys;
mod sync;
mod table;

pub use args::Cli;
use args::{BenchWhat, Command};
use staff::{audit_command, user_command};

pub use crate::demo::{DEMO_STAFF, ensure_demo_store};

use crate::config::Config;
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
        let mut session = unlock_waiting(
            paths,
            &id,
            &passphrase,
            self.clock.clone(),
            self.config.store_options(),
            self.i18n,
        )?;
        session.use_hq_database(self.config.hq_database());
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
                say_error(&text);
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
    // Every file and folder this process creates is its owner's alone (0600/0700): the
    // store's files, staged copies, logs, exports and slips alike.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let env_lang = Lang::from_env(|name| std::env::var(name).ok());
    let cli_lang = cli.lang.as_deref().and_then(Lang::parse);
    logging::install_panic_hook(tui::restore_terminal);
    logging::set_crash_context(None, cli_lang.unwrap_or(env_lang));

    let config_path = cli.config.clone().or_else(Config::default_path);
    let config = match config_path.as_deref().map(Config::load).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(e) => {
            say_error(&e.message(I18n::for_lang(cli_lang.unwrap_or(env_lang))));
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
        say_error(&error.message(I18n::for_lang(lang)));
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
            say_error(&e.message(i18n));
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
                let keys = session.trust_hq(&file, None)?;
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
        Some(Command::Offer { action }) => portfolio::run_offers(cx, action),
        Some(Command::Book { action }) => portfolio::run_book(cx, action),
        Some(Command::Assessment { action }) => portfolio::run_assessments(cx, action),
        Some(Command::Risk { action }) => risk::run(cx, action),
        Some(Command::Points { action }) => points::run(cx, action),
        Some(Command::Event { action }) => events::run(cx, action),
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
        Some(Command::Restore { file, force }) => {
            let paths = cx.store_paths()?;
            let id = secrets::staff_id(cx.user.as_deref(), cx.i18n)?;
            let passphrase = secrets::login_passphrase(cx.passphrase_file.as_deref(), cx.i18n)?;
            let summary = crate::store::restore_with(
                &paths,
                &file,
                &id,
                &passphrase,
                cx.clock.clone(),
                StoreOptions::default(),
                force,
            )?;
            start_logging(&paths, cx.lang);
            cx.say(
                "cli.restore_done",
                &[
                    ("path", &file.display().to_string()),
                    ("created", &local_time(&summary.created_at)),
                ],
            );
            for kept in &summary.kept {
                cx.say("cli.restore_kept", &[("path", &kept.display().to_string())]);
            }
            for (key, ids) in [
                ("cli.restore_disabled_again", &summary.staff.disabled),
                ("cli.restore_slots_kept", &summary.staff.replaced),
                ("cli.restore_not_in_backup", &summary.staff.not_in_backup),
            ] {
                if !ids.is_empty() {
                    cx.say(key, &[("ids", &ids.join(", "))]);
                }
            }
            if let Some(rows) = summary.replaced_trail_rows {
                cx.say("cli.restore_trail", &[("rows", &rows.to_string())]);
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
                outln!("      {}", page_cache_text(cx.i18n, &report.page_cache));
                for left in &report.left_beside {
                    let why = cx.i18n.t_owned(format!("doctor.left.{}", left.why));
                    outln!("      {}", why.replace("{name}", &left.name));
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
            what:
                Some(BenchWhat::Sync {
                    ops,
                    database,
                    branches,
                    workers,
                    json,
                }),
            ..
        }) => match database {
            Some(database) if branches > 1 => {
                bench::sync_branches(cx, ops, branches, workers, &database, json)
            }
            database => bench::sync(cx, ops, database.as_deref(), json),
        },
        Some(Command::Bench {
            what:
                Some(BenchWhat::Reports {
                    rows,
                    database,
                    json,
                }),
            ..
        }) => bench::reports(cx, rows, database.as_deref(), json),
        Some(Command::Bench {
            what: Some(BenchWhat::HqHoldings { json }),
            clients,
            ..
        }) => bench::hq_holdings(cx, clients, json),
        Some(Command::Bench {
            what: Some(BenchWhat::Holdings { json }),
            clients,
            ..
        }) => bench::holdings(cx, clients, json),
        Some(Command::Bench {
            what: Some(BenchWhat::Risk { json }),
            clients,
            ..
        }) => bench::risk(cx, clients, json),
        Some(Command::Bench {
            what:
                Some(BenchWhat::PointsExpiry {
                    entries_per_client,
                    json,
                }),
            clients,
            ..
        }) => bench::points_expiry(cx, clients, entries_per_client, json),
        Some(Command::Bench {
            what: Some(BenchWhat::Points { json }),
            clients,
            queries,
            ..
        }) => bench::points(cx, clients, queries, json),
        Some(Command::Bench {
            what: None,
            clients,
            queries,
            json,
        }) => bench::lookup(cx, clients, queries, json),
        Some(Command::Demo {
            no_tui,
            clients,
            data_lang,
        }) => {
            let paths = cx.demo_paths()?;
            let created = ensure_demo_store(
                &paths,
                Lang::parse(&data_lang).unwrap_or(Lang::Zh),
                cx.clock.clone(),
                clients,
                cx.config.hq_database().as_deref(),
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

/// The page cache a store runs with and why, as `doctor` says it.
pub fn page_cache_text(i18n: &I18n, plan: &crate::store::CachePlan) -> String {
    use crate::store::CacheReason;
    let reason = match plan.reason {
        CacheReason::Floor => "doctor.cache.floor",
        CacheReason::StoreShare => "doctor.cache.store_share",
        CacheReason::MemoryCap => "doctor.cache.memory_cap",
        CacheReason::Cap => "doctor.cache.cap",
        CacheReason::Configured => "doctor.cache.configured",
    };
    let memory = plan.memory_mib.map_or_else(
        || i18n.t("doctor.cache.memory_unknown").to_string(),
        |m| m.to_string(),
    );
    i18n.fill(
        "doctor.cache.line",
        &[
            ("mib", &plan.mib.to_string()),
            ("store", &plan.store_mib.to_string()),
            ("memory", &memory),
            ("why", i18n.t(reason)),
        ],
    )
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
/// Whatever a stored field or a file holds, what reaches the terminal carries no control
/// character (see `domain::text`).
pub(crate) fn out(text: &str) {
    use std::io::Write;
    let text = crate::domain::text::printable(text, true);
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

/// Says on stderr, as one line, what went wrong; what it echoes from a file or an argument
/// reaches the terminal written out, not acted on.
pub(crate) fn say_error(text: &str) {
    eprintln!("{}", crate::domain::text::printable(text, false));
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{}", crate::domain::text::json_printable(&text)),
        Err(e) => eprintln!("{e}"),
    }
}
