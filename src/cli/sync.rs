//! `branchdesk sync …`, `branchdesk export` (branch side) and `branchdesk hq …` (HQ side).

use super::progress::Progress;
use super::{Context, init_store, local_time, print_json, table};
use crate::error::Result;
use crate::store::{FindBy, FoundClient, ImportOutcome, SyncStatus};
use crate::sync::keys::PublicKeys;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// This store's public keys (made on first use): give the file to HQ
    Keys {
        /// Also write them to FILE
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write the signing key as a minisign .pub file (for `minisign -V -p FILE`)
        #[arg(long, value_name = "FILE")]
        minisign_pub: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Trust HQ's public keys (the file `branchdesk hq init` wrote); administrators
    TrustHq {
        file: PathBuf,
        /// Replace the HQ trusted now (its key ID, as `sync status` shows it): the branch's
        /// changes will go to the new HQ instead
        #[arg(long, value_name = "KEY_ID")]
        replace: Option<String>,
    },
    /// What is waiting for HQ, the last export and acknowledgement, and warnings
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Administrators, when HQ has set a bundle aside because it holds other changes under
    /// the same numbers (the branch was restored from a backup older than what it had
    /// sent): move this branch's changes from seq FROM on past HQ's AFTER, then export
    Renumber {
        #[arg(long, value_name = "FROM")]
        from: i64,
        #[arg(long, value_name = "AFTER")]
        after: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum HqCommand {
    /// Create HQ's store (with its first administrator) and its keys for the branches
    Init {
        /// HQ's code, e.g. HQ
        #[arg(long, value_name = "CODE", default_value = "HQ")]
        code: String,
        /// HQ's name as staff know it
        #[arg(long, value_name = "NAME", default_value = "总行")]
        name: String,
        /// Staff ID of the first administrator
        #[arg(long, value_name = "ID")]
        admin: String,
        /// Administrator's display name [default: the staff ID]
        #[arg(long, value_name = "NAME")]
        admin_name: Option<String>,
        /// Where to write HQ's public keys file [default: hq-keys.toml in the store]
        #[arg(long, value_name = "FILE")]
        keys_out: Option<PathBuf>,
        /// Consolidate into this PostgreSQL database (postgres://user@host/db; the password
        /// from PGPASSWORD or ~/.pgpass) [default: BRANCHDESK_HQ_DATABASE, `[hq] database`,
        /// else HQ's own store]
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Register a branch's public keys (the file its `sync keys --out` wrote)
    TrustBranch { file: PathBuf },
    /// Import branch bundles, in any order, as often as they come
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Importers at once on HQ's PostgreSQL database (bundles of different branches go
        /// in side by side; HQ's own store takes them one by one)
        #[arg(long, value_name = "N", default_value_t = 1)]
        workers: usize,
        #[arg(long)]
        json: bool,
    },
    /// Per branch: high-water seq, last import, gaps, quarantined files
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Find a client in every branch's consolidated rows by ID number or phone, through
    /// their blind index (shown masked; the lookup is audited)
    #[command(group(clap::ArgGroup::new("by").required(true).args(["id_number", "phone"])))]
    Find {
        #[arg(long, value_name = "ID")]
        id_number: Option<String>,
        #[arg(long, value_name = "PHONE")]
        phone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Clients whose name or ID number two branches wrote differently, for review
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Write reference data (staff directory, survey templates, holidays, products, and each
    /// branch's acknowledgement) for every registered branch
    Publish {
        /// Where to write it [default: the store's exports folder]
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Write HQ's age identity to a new FILE (administrators; audited): for escrow, or to
    /// read a bundle with the stock `age -d -i FILE`
    Identity {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// HQ's public keys again (for a new branch)
    Keys {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The core banking system's holdings extracts
    Holdings {
        #[command(subcommand)]
        command: HoldingsCommand,
    },
    /// Conversion per offer rule: the outcomes the branches recorded
    Offers {
        #[arg(long)]
        json: bool,
    },
    /// HQ's reports over the branches' consolidated data
    Report {
        #[command(subcommand)]
        what: ReportWhat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportWhat {
    /// Per branch: its mark, its last import, whether it has been silent, what waits in
    /// quarantine
    Sync {
        /// Silent: nothing imported from the branch in this many days
        #[arg(long, value_name = "N", default_value_t = 7)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Complaints per quarter by branch, category and state: how many, how many overdue
    /// (not decided by the due date), how many decided, and the median days to a decision
    Complaints {
        /// First quarter, by the day of receipt, e.g. 2026Q1 [default: three quarters back]
        #[arg(long, value_name = "QUARTER")]
        from: Option<String>,
        /// Last quarter [default: this quarter]
        #[arg(long, value_name = "QUARTER")]
        to: Option<String>,
        /// One branch only
        #[arg(long, value_name = "CODE")]
        branch: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// NPS and CSAT by branch and month, with their sample sizes
    Satisfaction {
        /// First month, by the day answered, e.g. 2026-01 [default: eleven months back]
        #[arg(long, value_name = "MONTH")]
        from: Option<String>,
        /// Last month [default: this month]
        #[arg(long, value_name = "MONTH")]
        to: Option<String>,
        /// One branch only
        #[arg(long, value_name = "CODE")]
        branch: Option<String>,
        /// One survey template only
        #[arg(long, value_name = "CODE")]
        template: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every branch's events: invited, accepted, came, and the NPS of those who came
    Events {
        #[arg(long)]
        json: bool,
    },
    /// Per branch: clients by AML level, not rated past the deadline, reviews overdue
    Risk {
        #[arg(long)]
        json: bool,
    },
    /// Per branch: clients holding points, clients overdrawn by offline redemptions, points
    /// outstanding, points by kind of entry
    Points {
        /// Each client's consolidated balance instead (client numbers only)
        #[arg(long)]
        clients: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HoldingsCommand {
    /// Import a holdings extract (CSV, UTF-8 or GBK, Chinese or English column names:
    /// client number or ID number, product code, account, balance, opened on, and matures
    /// on and monthly-average balance where known); every line is checked first
    Import {
        file: PathBuf,
        /// The day the extract was taken, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        as_of: String,
        /// Check the file and report, without saving anything
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

fn write_keys(keys: &PublicKeys, out: Option<&Path>) -> Result<()> {
    if let Some(path) = out {
        crate::store::write_public_file(path, keys.to_toml().as_bytes())?;
    }
    Ok(())
}

pub fn run(cx: &Context, command: SyncCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    match command {
        SyncCommand::Keys {
            out,
            minisign_pub,
            json,
        } => {
            let keys = session.sync_keys()?;
            write_keys(&keys, out.as_deref())?;
            if let Some(path) = minisign_pub {
                crate::store::write_public_file(&path, keys.minisign_pub_file().as_bytes())?;
            }
            if json {
                print_json(&keys);
            } else {
                out!("{}", keys.to_toml());
            }
        }
        SyncCommand::TrustHq { file, replace } => {
            let keys = session.trust_hq(&file, replace.as_deref())?;
            cx.say(
                "cli.sync_trusted_hq",
                &[("hq", &keys.code), ("key_id", &keys.key_id()?)],
            );
        }
        SyncCommand::Renumber { from, after } => {
            let moved = session.renumber_changes(from, after)?;
            cx.say(
                "cli.sync_renumbered",
                &[
                    ("count", &moved.to_string()),
                    ("from", &from.to_string()),
                    ("after", &after.to_string()),
                ],
            );
        }
        SyncCommand::Status { json } => {
            let status = session.sync_status()?;
            if json {
                print_json(&status);
            } else {
                out!("{}", status_text(cx, &status));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status_text(cx: &Context, s: &SyncStatus) -> String {
    let i18n = cx.i18n;
    let none = i18n.t("cli.none").to_string();
    let rows = vec![
        vec![
            i18n.t("sync.key_id").to_string(),
            s.key_id.clone().unwrap_or(none.clone()),
        ],
        vec![
            i18n.t("sync.hq").to_string(),
            s.hq.clone().unwrap_or(none.clone()),
        ],
        vec![
            i18n.t("sync.pending").to_string(),
            i18n.fill(
                "sync.pending_value",
                &[
                    ("changes", &s.pending_ops.to_string()),
                    ("from", &(s.acked_seq + 1).to_string()),
                    ("to", &s.last_seq.to_string()),
                ],
            ),
        ],
        vec![
            i18n.t("sync.last_export").to_string(),
            s.last_export
                .as_ref()
                .map(|e| format!("{} · {} · seq {}", local_time(&e.at), e.file, e.to_seq))
                .unwrap_or(none.clone()),
        ],
        vec![i18n.t("sync.acked").to_string(), s.acked_seq.to_string()],
        vec![
            i18n.t("sync.ref_version").to_string(),
            s.ref_version.to_string(),
        ],
    ];
    let mut text = table::render(&[i18n.t("sync.item"), i18n.t("sync.value")], &rows);
    for warning in &s.warnings {
        text.push_str(&warning.message(cx.i18n));
        text.push('\n');
    }
    text
}

/// `--to DIR`, or the store's `exports` folder (made when first written to).
fn exports_dir(session: &crate::store::Session, to: Option<PathBuf>) -> PathBuf {
    to.unwrap_or_else(|| session.paths().exports())
}

/// `branchdesk import FILE`: HQ's reference data, or this branch's holdings (`.bdh`).
pub fn run_import(cx: &Context, file: PathBuf, json: bool) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    if file.extension().is_some_and(|e| e == "bdh") {
        let progress = super::progress::Progress::new(0, cx.i18n.t("progress.standings"));
        let applied =
            session.import_holdings_with(&file, &mut |done, total| progress.show(done, total))?;
        progress.finish();
        if json {
            print_json(&applied);
        } else {
            outln!("{}", applied.summary(cx.i18n));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = session.import_reference(&file)?;
    if json {
        print_json(&report);
    } else {
        cx.say(
            "cli.reference_applied",
            &[
                ("version", &report.version.to_string()),
                ("acked", &report.acked_seq.to_string()),
                ("pruned", &report.pruned.to_string()),
                ("staff", &report.staff.to_string()),
                ("templates", &report.templates.to_string()),
                ("products", &report.products.to_string()),
            ],
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk reference`: what HQ's reference data says here.
pub fn run_reference(cx: &Context, json: bool) -> Result<ExitCode> {
    let session = cx.login(&cx.store_paths()?)?;
    let state = session.reference_state()?;
    if json {
        print_json(&state);
        return Ok(ExitCode::SUCCESS);
    }
    let i18n = cx.i18n;
    let zh = i18n.lang == crate::i18n::Lang::Zh;
    cx.say(
        "cli.reference_state",
        &[
            ("version", &state.version.to_string()),
            ("staff", &state.staff.len().to_string()),
            ("templates", &state.templates.to_string()),
        ],
    );
    let rows: Vec<Vec<String>> = state
        .products
        .iter()
        .map(|p| {
            vec![
                p.code.clone(),
                if zh {
                    p.name_zh.clone()
                } else {
                    p.name_en.clone()
                },
                p.category.clone(),
                format!("R{}", p.risk),
            ]
        })
        .collect();
    out!(
        "{}",
        table::render(
            &[
                i18n.t("reference.col.code"),
                i18n.t("reference.col.name"),
                i18n.t("reference.col.category"),
                i18n.t("reference.col.risk"),
            ],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_export(cx: &Context, to: Option<PathBuf>, json: bool) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let dir = exports_dir(&session, to);
    let progress = Progress::new(0, cx.i18n.t("sync.exporting"));
    let report = session.export_bundle(&dir, &mut |done, total| progress.show(done, total))?;
    progress.finish();
    if json {
        print_json(&report);
    } else if let Some(file) = &report.file {
        cx.say(
            "cli.export_done",
            &[
                ("file", &file.display().to_string()),
                ("changes", &report.changes.to_string()),
                ("rows", &report.ops.to_string()),
                ("from", &report.from_seq.to_string()),
                ("to", &report.to_seq.to_string()),
                ("kib", &(report.bundle_bytes / 1024).max(1).to_string()),
            ],
        );
    } else {
        cx.say("cli.export_nothing", &[("seq", &report.to_seq.to_string())]);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_hq(cx: &Context, command: HqCommand) -> Result<ExitCode> {
    if let HqCommand::Init {
        code,
        name,
        admin,
        admin_name,
        keys_out,
        database,
    } = command
    {
        let database = database.or_else(|| cx.config.hq_database());
        if let Some(url) = &database {
            crate::store::check_hq_database(url)?;
        }
        let mut session = init_store(cx, code, name, admin, admin_name)?;
        let keys = session.become_hq(database.as_deref())?;
        let out = keys_out.unwrap_or_else(|| session.paths().dir().join("hq-keys.toml"));
        write_keys(&keys, Some(&out))?;
        cx.say(
            "cli.hq_init_done",
            &[
                ("file", &out.display().to_string()),
                ("key_id", &keys.key_id()?),
            ],
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut session = cx.login(&cx.store_paths()?)?;
    match command {
        HqCommand::Init { .. } => {}
        HqCommand::TrustBranch { file } => {
            let keys = session.trust_branch(&file)?;
            cx.say(
                "cli.hq_trusted_branch",
                &[
                    ("branch", &keys.code),
                    ("name", &keys.name),
                    ("key_id", &keys.key_id()?),
                ],
            );
        }
        HqCommand::Find {
            id_number,
            phone,
            json,
        } => {
            // The group asks for one of the two.
            let (by, value) = match (id_number, phone) {
                (Some(id_number), _) => (FindBy::IdNumber, id_number),
                (None, phone) => (FindBy::Phone, phone.unwrap_or_default()),
            };
            let found = session.hq_find_clients(by, &value)?;
            if json {
                print_json(&found);
            } else if found.is_empty() {
                cx.say("cli.hq_find_none", &[]);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = found.iter().map(|c| c.words(i18n)).collect();
                let headers = FoundClient::HEADINGS.map(|k| i18n.t(k));
                out!("{}", table::render(&headers, &rows));
            }
        }
        HqCommand::Review { json } => {
            let items = session.hq_review()?;
            if json {
                print_json(&items);
            } else if items.is_empty() {
                cx.say("cli.hq_review_none", &[]);
            } else {
                let rows: Vec<Vec<String>> = items
                    .iter()
                    .flat_map(|item| {
                        item.claims.iter().map(move |(branch, value)| {
                            vec![
                                item.row_id.clone(),
                                item.field.clone(),
                                branch.clone(),
                                value.clone(),
                            ]
                        })
                    })
                    .collect();
                let i18n = cx.i18n;
                out!(
                    "{}",
                    table::render(
                        &[
                            i18n.t("hq.col.row"),
                            i18n.t("hq.col.field"),
                            i18n.t("hq.col.branch"),
                            i18n.t("hq.col.value"),
                        ],
                        &rows
                    )
                );
            }
        }
        HqCommand::Publish { to, json } => {
            let dir = exports_dir(&session, to);
            let report = session.publish_reference(&dir)?;
            // Each branch's holdings go to that branch alone, beside the reference data.
            let holdings = session.publish_holdings(&dir)?;
            if json {
                let mut value =
                    serde_json::to_value(&report).map_err(crate::error::Error::internal)?;
                value["holdings"] =
                    serde_json::to_value(&holdings).map_err(crate::error::Error::internal)?;
                print_json(&value);
            } else {
                cx.say(
                    "cli.hq_published",
                    &[
                        ("file", &report.file.display().to_string()),
                        ("version", &report.version.to_string()),
                        ("branches", &report.branches.to_string()),
                    ],
                );
                for published in &holdings {
                    cx.say(
                        "cli.hq_holdings_published",
                        &[
                            ("branch", &published.branch),
                            ("file", &published.file.display().to_string()),
                            ("as_of", &published.as_of.to_string()),
                            ("accounts", &published.accounts.to_string()),
                        ],
                    );
                }
            }
        }
        HqCommand::Identity { out } => {
            session.export_hq_identity(&out)?;
            cx.say(
                "cli.hq_identity_written",
                &[("file", &out.display().to_string())],
            );
        }
        HqCommand::Keys { out } => {
            session.require_hq()?;
            let keys = session.sync_keys()?;
            write_keys(&keys, out.as_deref())?;
            out!("{}", keys.to_toml());
        }
        HqCommand::Import {
            files,
            workers,
            json,
        } => {
            let mut refused = 0;
            let mut results = vec![serde_json::Value::Null; files.len()];
            session.hq_import_files(&files, workers, &mut |i, outcome| {
                let name = files[i].display().to_string();
                match &outcome {
                    Ok(o) if !json => outln!("{}", outcome_text(cx, &name, o)),
                    Err(e) if !json => super::say_error(&e.message(cx.i18n)),
                    _ => {}
                }
                if matches!(outcome, Err(_) | Ok(ImportOutcome::Forked { .. })) {
                    refused += 1;
                }
                results[i] = match outcome {
                    Ok(o) => serde_json::json!({ "file": name, "result": o }),
                    Err(e) => serde_json::json!({
                        "file": name,
                        "result": { "outcome": "refused", "reason": e.message(cx.i18n) },
                    }),
                };
            })?;
            if json {
                print_json(&results);
            }
            if refused > 0 {
                return Ok(ExitCode::from(4));
            }
        }
        HqCommand::Holdings {
            command:
                HoldingsCommand::Import {
                    file,
                    as_of,
                    dry_run,
                    json,
                },
        } => {
            let report = session.hq_import_holdings(&file, &as_of, dry_run)?;
            if json {
                print_json(&report);
            } else {
                out!("{}", holdings_text(cx, &file, &report, dry_run));
            }
        }
        HqCommand::Report {
            what:
                ReportWhat::Points {
                    clients: true,
                    json,
                },
        } => {
            let balances = session.hq_points_balances()?;
            if json {
                print_json(&balances);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = balances
                    .iter()
                    .map(|c| {
                        vec![
                            c.client_no.clone(),
                            c.home_branch.clone(),
                            c.balance.to_string(),
                            c.entries.to_string(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("hq.points.client"),
                    i18n.t("hq.risk.branch"),
                    i18n.t("hq.points.balance"),
                    i18n.t("hq.points.entries"),
                ];
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Report {
            what: ReportWhat::Points { json, .. },
        } => {
            let report = session.hq_points_report()?;
            if json {
                print_json(&report);
            } else {
                let i18n = cx.i18n;
                let kinds = ["earn", "redeem", "expire", "reverse", "adjust"];
                let rows: Vec<Vec<String>> = report
                    .iter()
                    .map(|b| {
                        let mut row = vec![
                            b.branch.clone(),
                            b.clients.to_string(),
                            b.overdrawn.to_string(),
                            b.balance.to_string(),
                        ];
                        row.extend(
                            kinds
                                .iter()
                                .map(|k| b.by_kind.get(*k).copied().unwrap_or(0).to_string()),
                        );
                        row
                    })
                    .collect();
                let mut headers = vec![
                    i18n.t("hq.risk.branch"),
                    i18n.t("hq.points.clients"),
                    i18n.t("hq.points.overdrawn"),
                    i18n.t("hq.points.balance"),
                ];
                headers.extend(
                    kinds
                        .iter()
                        .map(|k| i18n.t_owned(format!("points.kind.{k}"))),
                );
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Report {
            what: ReportWhat::Events { json },
        } => {
            let report = session.hq_events_report()?;
            if json {
                print_json(&report);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = report
                    .iter()
                    .map(|e| {
                        vec![
                            e.branch.clone(),
                            e.code.clone(),
                            e.on.clone(),
                            i18n.t_owned(format!("events.kind.{}", e.kind)).to_string(),
                            e.title.clone(),
                            e.invited.to_string(),
                            e.accepted.to_string(),
                            e.attended.to_string(),
                            e.nps.map_or_else(
                                || "—".to_string(),
                                |n| format!("{n:.1} (n={})", e.surveyed),
                            ),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("hq.risk.branch"),
                    i18n.t("events.col.code"),
                    i18n.t("events.col.on"),
                    i18n.t("events.col.kind"),
                    i18n.t("events.col.title"),
                    i18n.t("events.col.invited"),
                    i18n.t("events.col.accepted"),
                    i18n.t("events.col.attended"),
                    i18n.t("events.col.nps"),
                ];
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Report {
            what: ReportWhat::Sync { days, json },
        } => {
            let report = session.hq_sync_health(days)?;
            if json {
                print_json(&report);
            } else {
                let i18n = cx.i18n;
                let yes_no = |yes: bool| i18n.t(if yes { "hq.sync.yes" } else { "hq.sync.no" });
                let rows: Vec<Vec<String>> = report
                    .branches
                    .iter()
                    .map(|b| {
                        vec![
                            b.code.clone(),
                            b.name.clone(),
                            b.high_water.to_string(),
                            b.last_import
                                .as_deref()
                                .map(super::local_time)
                                .unwrap_or_else(|| i18n.t("hq.sync.never").to_string()),
                            yes_no(b.silent).to_string(),
                            b.quarantined.to_string(),
                            b.waiting_for.map(|s| s.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("hq.sync.branch"),
                    i18n.t("hq.sync.name"),
                    i18n.t("hq.sync.high_water"),
                    i18n.t("hq.sync.last_import"),
                    i18n.t("hq.sync.silent"),
                    i18n.t("hq.sync.quarantined"),
                    i18n.t("hq.sync.waiting_for"),
                ];
                outln!(
                    "{}",
                    i18n.fill(
                        "hq.sync.title",
                        &[("days", &report.silent_days.to_string())]
                    )
                );
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Report {
            what:
                ReportWhat::Complaints {
                    from,
                    to,
                    branch,
                    json,
                },
        } => {
            use crate::domain::complaint::Quarter;
            let (first, last) = Quarter::year_to(session.today_local());
            let from = period_arg(from, first, Quarter::parse, "2026Q3")?;
            let to = period_arg(to, last, Quarter::parse, "2026Q3")?;
            let report = session.hq_complaint_report(from, to, branch.as_deref())?;
            if json {
                print_json(&report);
            } else {
                print_complaint_report(cx.i18n, &report);
            }
        }
        HqCommand::Report {
            what:
                ReportWhat::Satisfaction {
                    from,
                    to,
                    branch,
                    template,
                    json,
                },
        } => {
            use crate::domain::survey::Month;
            let (first, last) = Month::year_to(session.today_local());
            let from = period_arg(from, first, Month::parse, "2026-07")?;
            let to = period_arg(to, last, Month::parse, "2026-07")?;
            let report =
                session.hq_satisfaction_report(from, to, branch.as_deref(), template.as_deref())?;
            if json {
                print_json(&report);
            } else {
                print_satisfaction_report(cx.i18n, &report);
            }
        }
        HqCommand::Report {
            what: ReportWhat::Risk { json },
        } => {
            let report = session.hq_risk_report()?;
            if json {
                print_json(&report);
            } else {
                let i18n = cx.i18n;
                let levels = crate::domain::aml::FactorTable::shipped().level_names();
                let mut codes: Vec<String> = levels.iter().map(|l| l.code.clone()).collect();
                for branch in &report {
                    for code in branch.by_level.keys() {
                        if !codes.contains(code) {
                            codes.push(code.clone());
                        }
                    }
                }
                let rows: Vec<Vec<String>> = report
                    .iter()
                    .map(|b| {
                        let mut row = vec![b.branch.clone(), b.clients.to_string()];
                        row.extend(
                            codes
                                .iter()
                                .map(|c| b.by_level.get(c).copied().unwrap_or(0).to_string()),
                        );
                        row.extend([
                            b.unrated.to_string(),
                            b.unrated_late.to_string(),
                            b.overdue_reviews.to_string(),
                        ]);
                        row
                    })
                    .collect();
                let names: Vec<String> = codes.iter().map(|c| i18n.aml_level(&levels, c)).collect();
                let mut headers = vec![i18n.t("hq.risk.branch"), i18n.t("hq.risk.clients")];
                headers.extend(names.iter().map(String::as_str));
                headers.extend([
                    i18n.t("hq.risk.unrated"),
                    i18n.t("hq.risk.unrated_late"),
                    i18n.t("hq.risk.overdue"),
                ]);
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Offers { json } => {
            let rules = session.hq_offer_conversion()?;
            if json {
                print_json(&rules);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = rules
                    .iter()
                    .map(|r| {
                        vec![
                            r.rule.clone(),
                            r.offered.to_string(),
                            r.accepted.to_string(),
                            r.declined.to_string(),
                            r.later.to_string(),
                            r.conversion_percent
                                .map(|p| format!("{p:.1}%"))
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("hq.offers.rule"),
                    i18n.t("offers.outcome.offered"),
                    i18n.t("offers.outcome.accepted"),
                    i18n.t("offers.outcome.declined"),
                    i18n.t("offers.outcome.later"),
                    i18n.t("hq.offers.conversion"),
                ];
                out!("{}", super::table::render(&headers, &rows));
            }
        }
        HqCommand::Status { json } => {
            let status = session.hq_status()?;
            if json {
                print_json(&status);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = status
                    .branches
                    .iter()
                    .map(|b| {
                        vec![
                            b.code.clone(),
                            b.name.clone(),
                            b.high_water.to_string(),
                            b.last_import.as_deref().map(local_time).unwrap_or_default(),
                            b.quarantined
                                .iter()
                                .map(|g| {
                                    i18n.set_aside_range(g.missing_from, g.missing_to, &g.reason)
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            i18n.t("hq.col.branch"),
                            i18n.t("hq.col.name"),
                            i18n.t("hq.col.high_water"),
                            i18n.t("hq.col.last_import"),
                            i18n.t("hq.col.gaps"),
                        ],
                        &rows
                    )
                );
                cx.say(
                    "cli.hq_rows",
                    &[
                        ("rows", &status.rows.to_string()),
                        ("review", &status.review.to_string()),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn outcome_text(cx: &Context, file: &str, outcome: &ImportOutcome) -> String {
    let i18n = cx.i18n;
    match outcome {
        ImportOutcome::Applied {
            branch,
            from_seq,
            to_seq,
            ops,
            released,
        } => {
            let mut text = i18n.fill(
                "cli.hq_applied",
                &[
                    ("file", file),
                    ("branch", branch),
                    ("from", &from_seq.to_string()),
                    ("to", &to_seq.to_string()),
                    ("ops", &ops.to_string()),
                ],
            );
            if !released.is_empty() {
                text.push(' ');
                text.push_str(
                    &i18n.fill("cli.hq_released", &[("count", &released.len().to_string())]),
                );
            }
            text
        }
        ImportOutcome::AlreadyImported {
            branch,
            from_seq,
            to_seq,
        } => i18n.fill(
            "cli.hq_already",
            &[
                ("file", file),
                ("branch", branch),
                ("from", &from_seq.to_string()),
                ("to", &to_seq.to_string()),
            ],
        ),
        ImportOutcome::Forked {
            branch,
            from_seq,
            to_seq,
            older,
        } => i18n.fill(
            if *older {
                "cli.hq_orphaned"
            } else {
                "cli.hq_forked"
            },
            &[
                ("file", file),
                ("branch", branch),
                ("from", &from_seq.to_string()),
                ("to", &to_seq.to_string()),
            ],
        ),
        ImportOutcome::Quarantined {
            branch,
            missing_from,
            missing_to,
        } => i18n.fill(
            "cli.hq_quarantined",
            &[
                ("file", file),
                ("branch", branch),
                ("from", &missing_from.to_string()),
                ("to", &missing_to.to_string()),
            ],
        ),
    }
}

/// A holdings import in words: the counts, then each refused line with its reasons.
fn holdings_text(
    cx: &Context,
    file: &Path,
    report: &crate::store::HoldingsImport,
    dry_run: bool,
) -> String {
    let i18n = cx.i18n;
    let mut text = i18n.fill(
        if dry_run {
            "holdings.checked"
        } else {
            "holdings.imported"
        },
        &[
            ("file", &file.display().to_string()),
            ("as_of", &report.as_of.to_string()),
            ("rows", &report.rows.to_string()),
            ("added", &report.added.to_string()),
            ("already", &report.already.to_string()),
            ("refused", &report.refused.len().to_string()),
        ],
    );
    text.push('\n');
    for refused in &report.refused {
        let reasons: Vec<String> = refused
            .problems
            .iter()
            .map(|p| crate::error::holding_problem_text(i18n, p))
            .collect();
        text.push_str(&i18n.fill(
            "holdings.refused_line",
            &[
                ("line", &refused.line.to_string()),
                ("reasons", &reasons.join(" ")),
            ],
        ));
        text.push('\n');
    }
    if !report.unknown_products.is_empty() {
        text.push_str(&i18n.fill(
            "holdings.unknown_products",
            &[("products", &report.unknown_products.join(", "))],
        ));
        text.push('\n');
    }
    text
}

/// A report period typed on the command line (a quarter or a month, read by `parse`), or
/// `default` when none was; one sentence, with an `example`, when it is not one.
fn period_arg<P>(
    raw: Option<String>,
    default: P,
    parse: fn(&str) -> Option<P>,
    example: &'static str,
) -> Result<P> {
    match raw {
        None => Ok(default),
        Some(text) => parse(&text).ok_or(crate::error::Error::NotAPeriod { text, example }),
    }
}

fn print_complaint_report(i18n: &crate::i18n::I18n, report: &crate::store::ComplaintReport) {
    outln!(
        "{}",
        i18n.fill(
            "hq.complaints.title",
            &[
                ("from", &report.from),
                ("to", &report.to),
                ("as_of", &report.as_of.to_string())
            ]
        )
    );
    if report.cells.is_empty() {
        outln!("{}", i18n.t("hq.complaints.none"));
        return;
    }
    let rows: Vec<Vec<String>> = report.cells.iter().map(|c| c.words(i18n)).collect();
    let headers = crate::store::ComplaintCell::HEADINGS.map(|k| i18n.t(k));
    out!("{}", super::table::render(&headers, &rows));
}

fn print_satisfaction_report(i18n: &crate::i18n::I18n, report: &crate::store::SatisfactionReport) {
    outln!(
        "{}",
        i18n.fill(
            "hq.satisfaction.title",
            &[("from", &report.from), ("to", &report.to)]
        )
    );
    if report.cells.is_empty() {
        outln!("{}", i18n.t("hq.satisfaction.none"));
        return;
    }
    let rows: Vec<Vec<String>> = report.cells.iter().map(|c| c.words(i18n)).collect();
    let headers = crate::store::SatisfactionCell::HEADINGS.map(|k| i18n.t(k));
    out!("{}", super::table::render(&headers, &rows));
}
