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
                progress.set_length(total);
                progress.set(done);
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
        } => {
            session.add_interaction(&client, channel.trim(), "contact", &text)?;
            cx.say("cli.note_added", &[("client", &client)]);
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
        ClientCommand::Portfolio { client, json } => {
            let portfolio = session.client_portfolio(&client)?;
            if json {
                print_json(&portfolio);
            } else {
                out!("{}", portfolio_text(i18n, &portfolio));
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

/// CNY from fen, with thousands separators: `1,234,567.89`.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// A portfolio in words: holdings, AUM by month, the tier and why, a fall worth a call.
fn portfolio_text(i18n: &I18n, p: &crate::store::Portfolio) -> String {
    use crate::domain::portfolio::tiers::TierReason;
    let zh = i18n.lang == crate::i18n::Lang::Zh;
    let mut text = match p.as_of {
        Some(day) => i18n.fill(
            "portfolio.as_of",
            &[("client", &p.client_no), ("as_of", &day.to_string())],
        ),
        None => i18n.fill("portfolio.no_snapshot", &[("client", &p.client_no)]),
    };
    text.push('\n');
    if !p.holdings.is_empty() {
        let rows: Vec<Vec<String>> = p
            .holdings
            .iter()
            .map(|h| {
                vec![
                    if zh {
                        h.name_zh.clone()
                    } else {
                        h.name_en.clone()
                    },
                    h.account.clone(),
                    yuan(h.balance_fen),
                    h.opened_on.to_string(),
                    h.matures_on.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        let headers = [
            i18n.t("portfolio.col.product"),
            i18n.t("portfolio.col.account"),
            i18n.t("portfolio.col.balance"),
            i18n.t("portfolio.col.opened"),
            i18n.t("portfolio.col.matures"),
        ];
        text.push_str(&table::render(&headers, &rows));
    }
    if !p.aum.is_empty() {
        let months: Vec<String> = p
            .aum
            .iter()
            .map(|m| format!("{} {}", m.month, yuan(m.avg_aum)))
            .collect();
        text.push_str(&i18n.fill("portfolio.aum", &[("months", &months.join(" · "))]));
        text.push('\n');
    }
    if let Some(tier) = &p.tier {
        let name = if zh { &tier.name_zh } else { &tier.name_en };
        let in_force = tier
            .changes
            .iter()
            .rfind(|c| Some(c.effective) == tier.since);
        let why = match in_force.map(|c| &c.reason) {
            Some(TierReason::Reached { month, avg_aum, .. }) => i18n.fill(
                "portfolio.tier_reached",
                &[("month", &month.to_string()), ("aum", &yuan(*avg_aum))],
            ),
            Some(TierReason::Below {
                months, last_month, ..
            }) => i18n.fill(
                "portfolio.tier_below",
                &[
                    ("months", &months.to_string()),
                    ("month", &last_month.to_string()),
                ],
            ),
            None => i18n.t("portfolio.tier_first").to_string(),
        };
        let line = match tier.since {
            Some(since) => i18n.fill(
                "portfolio.tier_since",
                &[("tier", name), ("since", &since.to_string()), ("why", &why)],
            ),
            None => i18n.fill("portfolio.tier", &[("tier", name), ("why", &why)]),
        };
        text.push_str(&line);
        text.push('\n');
    }
    if let Some(fall) = &p.fall {
        text.push_str(&i18n.fill(
            "portfolio.fall",
            &[
                ("percent", &fall.percent.to_string()),
                ("from", &fall.from.month.to_string()),
                ("to", &fall.to.month.to_string()),
            ],
        ));
        text.push('\n');
    }
    text
}

#[derive(Debug, Subcommand)]
pub enum OfferCommand {
    /// The offers for a client now, highest priority first, each with why (only to clients
    /// who consented to marketing, only products suitable for them; recorded in the audit
    /// trail)
    List {
        client: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run_offers(cx: &Context, command: OfferCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        OfferCommand::List { client, json } => {
            let found = session.client_offers(&client)?;
            if json {
                print_json(&found);
            } else if found.is_empty() {
                cx.say("offers.none", &[("client", &client)]);
            } else {
                let zh = i18n.lang == crate::i18n::Lang::Zh;
                let rows: Vec<Vec<String>> = found
                    .iter()
                    .map(|o| {
                        let facts: Vec<String> =
                            o.because.iter().map(|b| because_text(i18n, b)).collect();
                        vec![
                            o.priority.to_string(),
                            o.product.clone(),
                            if zh {
                                o.reason_zh.clone()
                            } else {
                                o.reason_en.clone()
                            },
                            facts.join("; "),
                        ]
                    })
                    .collect();
                let headers = [
                    i18n.t("offers.col.priority"),
                    i18n.t("offers.col.product"),
                    i18n.t("offers.col.reason"),
                    i18n.t("offers.col.facts"),
                ];
                out!("{}", table::render(&headers, &rows));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One fact behind an offer, in words.
fn because_text(i18n: &I18n, fact: &crate::domain::portfolio::offers::Because) -> String {
    use crate::domain::portfolio::offers::Because as B;
    match fact {
        B::Tier { code } => i18n.fill("offers.fact.tier", &[("tier", code)]),
        B::Age { years } => i18n.fill("offers.fact.age", &[("years", &years.to_string())]),
        B::Aum { cny } => i18n.fill("offers.fact.aum", &[("aum", &yuan(cny * 100))]),
        B::Trend { trend } => i18n
            .t_owned(format!(
                "offers.trend.{}",
                serde_json::to_value(trend)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ))
            .to_string(),
        B::Holds { what } => i18n.fill("offers.fact.holds", &[("what", what)]),
        B::Lacks { what } => i18n.fill("offers.fact.lacks", &[("what", what)]),
        B::Maturing {
            product,
            balance,
            on,
        } => i18n.fill(
            "offers.fact.maturing",
            &[
                ("product", product),
                ("balance", &yuan(balance * 100)),
                ("on", &on.to_string()),
            ],
        ),
        B::LifeEvent { kind, on } => i18n.fill(
            "offers.fact.life_event",
            &[
                ("event", i18n.t_owned(format!("care.event.{kind}"))),
                ("on", &on.to_string()),
            ],
        ),
        B::Assessed { level, valid_until } => i18n.fill(
            "offers.fact.assessed",
            &[
                ("level", &level.to_string()),
                ("until", &valid_until.to_string()),
            ],
        ),
    }
}

/// How a questionnaire was filled (never by staff for the client).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FilledArg {
    /// By the client, on the counter pad
    ClientPad,
    /// Read out to the client, their answers keyed by staff
    ReadOut,
}

#[derive(Debug, Subcommand)]
pub enum AssessmentCommand {
    /// Record the level (C1–C5) a client's risk questionnaire gave; at most 2 a day and 8
    /// in 12 months; a level that differs from the one before needs --confirmed
    Add {
        client: String,
        /// C1 to C5 (or 1 to 5)
        #[arg(long)]
        level: String,
        #[arg(long, value_enum)]
        filled: FilledArg,
        /// The day of the assessment, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// The client confirmed a result that differs from the one before
        #[arg(long)]
        confirmed: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run_assessments(cx: &Context, command: AssessmentCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    match command {
        AssessmentCommand::Add {
            client,
            level,
            filled,
            on,
            confirmed,
            json,
        } => {
            let parsed = level
                .trim()
                .trim_start_matches(['C', 'c'])
                .parse::<u8>()
                .map_err(|_| Error::AssessmentLevel { level: 0 })?;
            let on = match on {
                Some(text) => Some(
                    crate::domain::client::parse_date(&text)
                        .ok_or(Error::NotADay { text: text.clone() })?,
                ),
                None => None,
            };
            let filled = match filled {
                FilledArg::ClientPad => crate::store::Filled::ClientPad,
                FilledArg::ReadOut => crate::store::Filled::ReadOut,
            };
            let record = session.add_assessment(&client, parsed, on, filled, confirmed)?;
            if json {
                print_json(&record);
            } else {
                cx.say(
                    "cli.assessment_added",
                    &[
                        ("client", &client),
                        ("level", &record.level.to_string()),
                        ("until", &record.valid_until.to_string()),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
