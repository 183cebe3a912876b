//! `branchdesk client …`: lookup, the client record, registration, edits, import, contact log.

use super::progress::Progress;
use super::{Context, print_json, table};
use crate::domain::client::{ClientField, ClientInput, ClientView, ExpiryStanding};
use crate::error::{Error, Result, field_error_message};
use crate::i18n::I18n;
use crate::store::import::{Encoding, LineProblem, Rejected};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Look clients up by name (Chinese, pinyin, initials, Latin), phone or its last digits,
    /// ID number or its tail, or client number; masked as your role sees them
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Show one client, masked as your role sees them (recorded in the audit trail)
    Show {
        /// Client number (BJ0101-0000123) or ID
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Show one client in full, for a reason that goes into the audit trail
    Reveal {
        client: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Register a client (at least --name and --id-number)
    Add {
        #[command(flatten)]
        fields: ClientFields,
    },
    /// Change some fields of a client; the others stay as they are
    Edit {
        client: String,
        #[command(flatten)]
        fields: ClientFields,
    },
    /// Import a client list from a CSV file (UTF-8 or GBK, Chinese or English column names)
    Import {
        file: PathBuf,
        /// Check the file and report, without saving anything
        #[arg(long)]
        dry_run: bool,
        /// utf-8 or gbk [default: detected]
        #[arg(long)]
        encoding: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add to a client's contact log
    Note {
        client: String,
        /// counter, phone, sms, wechat, visit, email, letter or gift
        #[arg(long)]
        channel: String,
        #[arg(long)]
        text: String,
        /// Tag the note as suspicious (可疑): it asks for an early AML review
        #[arg(long)]
        suspicious: bool,
    },
    /// Erase a client's personal data (managers): refused while the relationship is open
    /// and for ten years after it ended
    Purge {
        client: String,
        #[arg(long)]
        reason: String,
    },
    /// End the relationship with a client (managers): the record is kept, unchanged, for
    /// at least ten years
    Close {
        client: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Show a client's contact log, newest first
    Log {
        client: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Record a life event (marriage, a child's birth, retirement, moving…) for reminders
    Event {
        client: String,
        /// marriage, child_birth, retirement, moving or custom
        #[arg(long)]
        kind: String,
        /// YYYY-MM-DD
        #[arg(long)]
        date: String,
        /// Remind on this date only, not every year
        #[arg(long)]
        once: bool,
        /// What it is (needed for custom)
        #[arg(long)]
        label: Option<String>,
    },
    /// List a client's life events
    Events {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// The review list: edits made here that a later edit at another branch replaced when
    /// HQ's client book was applied, and HQ's clients that clash with one here (managers;
    /// recorded in the audit trail)
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Take a client's entry off the review list once the record is right
    Resolve {
        client: String,
        /// The field of the entry (as `client review` lists it), or duplicate
        #[arg(long)]
        field: String,
    },
    /// A client's holdings (as of HQ's latest snapshot), monthly AUM, tier with its history
    /// (recorded in the audit trail)
    Portfolio {
        client: String,
        #[arg(long)]
        json: bool,
    },
}

/// Client fields as options; what is not given is left empty (add) or unchanged (edit).
#[derive(Debug, Args)]
pub struct ClientFields {
    /// person or company
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    name: Option<String>,
    /// male or female
    #[arg(long)]
    gender: Option<String>,
    /// YYYY-MM-DD (taken from a resident ID when not given)
    #[arg(long)]
    birth_date: Option<String>,
    /// solar or lunar
    #[arg(long)]
    birth_calendar: Option<String>,
    /// resident_id, passport, hk_macau_permit, taiwan_permit, foreign_permanent, uscc
    #[arg(long)]
    id_type: Option<String>,
    #[arg(long)]
    id_number: Option<String>,
    /// YYYY-MM-DD, or long-term
    #[arg(long)]
    id_expiry: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    occupation: Option<String>,
    /// Staff ID of the relationship manager
    #[arg(long)]
    rm: Option<String>,
    /// standard, gold, platinum or private
    #[arg(long)]
    tier: Option<String>,
    /// C1 to C5
    #[arg(long)]
    risk: Option<String>,
    /// Comma-separated
    #[arg(long)]
    tags: Option<String>,
    /// yes or no
    #[arg(long)]
    consent: Option<String>,
}

impl ClientFields {
    fn changes(&self) -> Vec<(ClientField, String)> {
        [
            (ClientField::Kind, &self.kind),
            (ClientField::Name, &self.name),
            (ClientField::Gender, &self.gender),
            (ClientField::BirthDate, &self.birth_date),
            (ClientField::BirthCalendar, &self.birth_calendar),
            (ClientField::IdType, &self.id_type),
            (ClientField::IdNumber, &self.id_number),
            (ClientField::IdExpiry, &self.id_expiry),
            (ClientField::Phone, &self.phone),
            (ClientField::Email, &self.email),
            (ClientField::Address, &self.address),
            (ClientField::Occupation, &self.occupation),
            (ClientField::AssignedRm, &self.rm),
            (ClientField::Tier, &self.tier),
            (ClientField::RiskLevel, &self.risk),
            (ClientField::Tags, &self.tags),
            (ClientField::ConsentMarketing, &self.consent),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.clone().map(|v| (field, v)))
        .collect()
    }
}

pub fn run(cx: &Context, command: ClientCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        ClientCommand::Search { query, limit, json } => {
            let hits = session.search_clients(&query, limit)?;
            session.record_search(&query, hits.len())?;
            if json {
                print_json(&hits);
            } else if hits.is_empty() {
                cx.say("cli.no_clients", &[]);
            } else {
                let rows: Vec<Vec<String>> = hits
                    .iter()
                    .map(|h| {
                        vec![
                            h.client_no.clone(),
                            h.name.clone(),
                            h.phone.clone().unwrap_or_default(),
                            h.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                            h.home_branch.clone(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("col.client_no"),
                    i18n.t("client.field.name"),
                    i18n.t("client.field.phone"),
                    i18n.t("col.birth_year"),
                    i18n.t("col.branch"),
                ];
                out!("{}", table::render(&headers, &rows));
            }
        }
        ClientCommand::Show { client, json } => {
            let view = session.open_client(&client)?;
            print_view(&view, json, i18n, session.today_local());
        }
        ClientCommand::Reveal {
            client,
            reason,
            json,
        } => {
            let view = session.reveal_client(&client, &reason)?;
            print_view(&view, json, i18n, session.today_local());
        }
        ClientCommand::Add { fields } => {
            let mut input = ClientInput::default();
            for (field, value) in fields.changes() {
                *input.field_mut(field) = value;
            }
            let created = session.create_client(&input)?;
            cx.say("cli.client_added", &[("client_no", &created.client_no)]);
        }
        ClientCommand::Edit { client, fields } => {
            session.edit_client_fields(&client, &fields.changes())?;
            cx.say("cli.client_updated", &[("client", &client)]);
        }
        ClientCommand::Import {
            file,
            dry_run,
            encoding,
            json,
        } => {
            let encoding = match encoding.as_deref() {
                None | Some("auto") => None,
                Some(name) => Some(Encoding::parse(name).ok_or(Error::UnknownEncoding {
                    name: name.to_string(),
                })?),
            };
            let progress = Progress::new(0, i18n.t("progress.importing"));
            let report = session.import_clients(&file, encoding, dry_run, &mut |done, total| {
                progress.show(done, total)
            })?;
            progress.finish();
            if json {
                print_json(&report);
            } else {
                for rejected in &report.rejected {
                    outln!("{}", rejected_line(i18n, rejected));
                }
                for registered in &report.already_registered {
                    cx.say(
                        "cli.import_registered",
                        &[
                            ("line", &registered.line.to_string()),
                            ("client_no", &registered.client_no),
                        ],
                    );
                }
                cx.say_ignored_columns(&report.ignored_columns);
                cx.say(
                    if dry_run {
                        "cli.import_checked"
                    } else {
                        "cli.import_done"
                    },
                    &[
                        ("rows", &report.rows.to_string()),
                        ("added", &report.added.to_string()),
                        ("registered", &report.already_registered.len().to_string()),
                        ("rejected", &report.rejected.len().to_string()),
                    ],
                );
            }
        }
        ClientCommand::Note {
            client,
            channel,
            text,
            suspicious,
        } => {
            let kind = if suspicious {
                crate::store::SUSPICIOUS_NOTE
            } else {
                "contact"
            };
            session.add_interaction(&client, channel.trim(), kind, &text)?;
            cx.say("cli.note_added", &[("client", &client)]);
        }
        ClientCommand::Purge { client, reason } => {
            let on = session.purge_client(&client, &reason)?;
            cx.say(
                "cli.client_purged",
                &[("client", &client), ("on", &on.to_string())],
            );
        }
        ClientCommand::Close {
            client,
            reason,
            json,
        } => {
            let on = session.close_client(&client, &reason)?;
            if json {
                print_json(&serde_json::json!({ "client": client, "closed_on": on }));
            } else {
                cx.say(
                    "cli.client_closed",
                    &[("client", &client), ("on", &on.to_string())],
                );
            }
        }
        ClientCommand::Event {
            client,
            kind,
            date,
            once,
            label,
        } => {
            let input = crate::domain::care::EventInput {
                kind,
                date,
                yearly: if once { "no" } else { "yes" }.into(),
                label: label.unwrap_or_default(),
            };
            let event = session.add_client_event(&client, &input)?;
            let what = event.label.clone().unwrap_or_else(|| {
                i18n.t_owned(format!("care.event.{}", event.kind.code()))
                    .to_string()
            });
            cx.say(
                "cli.event_added",
                &[
                    ("client", &client),
                    ("what", &format!("{what} {}", event.date)),
                ],
            );
        }
        ClientCommand::Review { json } => {
            let entries = session.client_review()?;
            if json {
                print_json(&entries);
            } else if entries.is_empty() {
                cx.say("cli.review_empty", &[]);
            } else {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.client_no.clone(),
                            e.field.clone(),
                            format!("{} ({})", e.kept, e.kept_branch),
                            format!("{} ({})", e.lost, e.lost_branch),
                            crate::cli::local_time(&e.noted_at),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("col.client_no"),
                    i18n.t("col.field"),
                    i18n.t("col.kept"),
                    i18n.t("col.replaced"),
                    i18n.t("col.time"),
                ];
                out!("{}", table::render(&headers, &rows));
            }
        }
        ClientCommand::Resolve { client, field } => {
            session.resolve_client_review(&client, &field)?;
            cx.say(
                "cli.review_resolved",
                &[("client", &client), ("field", &field)],
            );
        }
        ClientCommand::Portfolio { client, json } => {
            let portfolio = session.client_portfolio(&client)?;
            if json {
                print_json(&portfolio);
            } else {
                out!("{}", super::portfolio::portfolio_text(i18n, &portfolio));
            }
        }
        ClientCommand::Events { client, json } => {
            let events = session.read_life_events(&client)?;
            if json {
                print_json(&events);
            } else {
                let rows: Vec<Vec<String>> = events
                    .iter()
                    .map(|e| {
                        vec![
                            e.date.to_string(),
                            i18n.t_owned(format!("care.event.{}", e.kind.code()))
                                .to_string(),
                            e.label.clone().unwrap_or_default(),
                            i18n.t(if e.yearly { "yes_no.yes" } else { "yes_no.no" })
                                .to_string(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("care.field.date"),
                    i18n.t("care.field.kind"),
                    i18n.t("care.field.label"),
                    i18n.t("care.field.yearly"),
                ];
                out!("{}", table::render(&headers, &rows));
            }
        }
        ClientCommand::Log {
            client,
            limit,
            json,
        } => {
            let log = session.read_contact_log(&client, limit)?;
            if json {
                print_json(&log);
            } else {
                let rows: Vec<Vec<String>> = log
                    .iter()
                    .map(|e| {
                        vec![
                            super::local_time(&e.at),
                            e.staff_id.clone(),
                            i18n.t_owned(format!("channel.{}", e.channel)).to_string(),
                            e.note.clone(),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("col.time"),
                    i18n.t("col.actor"),
                    i18n.t("col.channel"),
                    i18n.t("col.note"),
                ];
                out!("{}", table::render(&headers, &rows));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "Line 7: Mobile: an 11-digit … Name: must be filled in."
fn rejected_line(i18n: &I18n, rejected: &Rejected) -> String {
    let reason = match &rejected.problem {
        LineProblem::Ragged { expected, found } => i18n.fill(
            "import.ragged",
            &[
                ("expected", &expected.to_string()),
                ("found", &found.to_string()),
            ],
        ),
        LineProblem::Invalid { errors } => errors
            .iter()
            .map(|e| field_error_message(i18n, e))
            .collect::<Vec<_>>()
            .join(" "),
        LineProblem::RepeatedInFile { first_line } => {
            i18n.fill("import.repeated", &[("line", &first_line.to_string())])
        }
    };
    i18n.fill(
        "import.line",
        &[("line", &rejected.line.to_string()), ("reason", &reason)],
    )
}

fn print_view(view: &ClientView, json: bool, i18n: &I18n, today: chrono::NaiveDate) {
    if json {
        print_json(view);
        return;
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rows: Vec<(String, String)> = vec![
        (i18n.t("col.client_no").into(), view.client_no.clone()),
        (i18n.t("client.field.name").into(), view.name.clone()),
        (
            i18n.t("client.field.kind").into(),
            i18n.t_owned(format!("kind.{}", view.kind.code())).into(),
        ),
        (
            i18n.t("client.field.id_type").into(),
            i18n.t_owned(format!("id_type.{}", view.id_type.code()))
                .into(),
        ),
        (
            i18n.t("client.field.id_number").into(),
            view.id_number.clone(),
        ),
        (
            i18n.t("client.field.id_expiry").into(),
            i18n.id_expiry_text(ExpiryStanding::of(view.id_expiry.as_deref(), today)),
        ),
        (
            i18n.t("client.field.gender").into(),
            view.gender
                .map(|g| i18n.t_owned(format!("gender.{}", g.code())).to_string())
                .unwrap_or_default(),
        ),
        (
            i18n.t("client.field.birth_date").into(),
            text(&view.birth_date),
        ),
        (i18n.t("client.field.phone").into(), text(&view.phone)),
        (i18n.t("client.field.email").into(), text(&view.email)),
        (i18n.t("client.field.address").into(), text(&view.address)),
        (
            i18n.t("client.field.occupation").into(),
            text(&view.occupation),
        ),
        (
            i18n.t("client.field.assigned_rm").into(),
            text(&view.assigned_rm),
        ),
        (
            i18n.t("client.field.tier").into(),
            i18n.t_owned(format!("tier.{}", view.tier.code())).into(),
        ),
        (
            i18n.t("client.field.risk_level").into(),
            view.risk_level.map(|r| format!("C{r}")).unwrap_or_default(),
        ),
        (i18n.t("client.field.tags").into(), view.tags.join("、")),
        (i18n.t("col.branch").into(), view.home_branch.clone()),
    ];
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k, v]).collect();
    out!(
        "{}",
        table::render(&["", ""], &rows).trim_start_matches('\n')
    );
}
