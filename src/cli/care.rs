//! `branchdesk care …`: the agenda of care reminders and acting on them.

use super::{Context, print_json, table};
use crate::domain::care::Reason;
use crate::error::Result;
use crate::i18n::I18n;
use crate::store::{Agenda, CareItem, CareScope};
use chrono::{Duration, NaiveDate};
use clap::Subcommand;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum CareCommand {
    /// Reminders for a number of days from today, with the overdue ones still open (as the
    /// workstation shows them), or from --from
    List {
        /// First day, YYYY-MM-DD [default: today, and what is overdue]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// How many days, the first included
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Only the clients assigned to me
        #[arg(long, conflicts_with = "branch")]
        mine: bool,
        /// The whole branch (managers, auditors)
        #[arg(long)]
        branch: bool,
        #[arg(long)]
        json: bool,
    },
    /// Mark a reminder done; the client's contact log records the channel and note
    Done {
        /// As `care list` shows it, e.g. birthday:BJ0101-0000123:2026-09-25
        id: String,
        /// counter, phone, sms, wechat, visit, email, letter or gift
        #[arg(long)]
        channel: String,
        /// What was said or sent [default: the reason for the reminder]
        #[arg(long)]
        note: Option<String>,
    },
    /// Put a reminder off to a later day
    Snooze {
        id: String,
        #[arg(long, value_name = "DATE")]
        until: String,
    },
    /// Dismiss a reminder for this occasion, saying why
    Dismiss {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

/// An agenda item as `--json` gives it: the item, its lunar date in words where it has
/// one, and the reason in words.
#[derive(Serialize)]
struct JsonItem<'a> {
    #[serde(flatten)]
    item: &'a CareItem,
    lunar_text: Option<String>,
    text: String,
}

fn lunar_of(reason: &Reason) -> Option<crate::domain::care::LunarMonthDay> {
    match reason {
        Reason::Birthday { lunar, .. } | Reason::Festival { lunar, .. } => *lunar,
        _ => None,
    }
}

pub fn run(cx: &Context, command: CareCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        CareCommand::List {
            from,
            days,
            mine,
            branch,
            json,
        } => {
            let today = session.today_local();
            let days_ahead = i64::from(days.clamp(1, 366)) - 1;
            // Without a first day, what the workstation shows: overdue reminders as well.
            let coming = from.is_none();
            let (from, to) = match from.as_deref() {
                None => Agenda::window(today, days_ahead),
                Some(raw) => {
                    let from = crate::domain::client::parse_date(raw).ok_or_else(|| {
                        crate::Error::CareInvalid {
                            errors: vec![crate::domain::care::CareError {
                                field: "date",
                                rule: "date",
                            }],
                        }
                    })?;
                    (from, from + Duration::days(days_ahead))
                }
            };
            let scope = match (mine, branch) {
                (true, _) => Some(CareScope::Mine),
                (_, true) => Some(CareScope::Branch),
                _ => None,
            };
            let mut agenda = session.care_agenda(from, to, scope)?;
            if coming {
                // Greetings past their grace period are no longer worth acting on.
                agenda = agenda.without_lapsed();
            }
            if json {
                let items: Vec<JsonItem> = agenda
                    .items
                    .iter()
                    .map(|item| JsonItem {
                        item,
                        lunar_text: lunar_of(&item.reason).map(|l| i18n.lunar_text(l)),
                        text: i18n.care_reason(&item.reason, agenda.today),
                    })
                    .collect();
                print_json(&items);
            } else if agenda.items.is_empty() {
                cx.say("cli.care_none", &[]);
            } else {
                out!("{}", agenda_table(&agenda, i18n));
            }
        }
        CareCommand::Done { id, channel, note } => {
            let today = session.today_local();
            let note = match note {
                Some(note) => note,
                None => {
                    // The reason itself is the note, unless the reminder is not there.
                    let parsed = crate::domain::care::ReminderId::parse(&id);
                    parsed
                        .and_then(|p| {
                            session
                                .care_agenda(p.on.min(today), p.on.max(today), None)
                                .ok()?
                                .items
                                .into_iter()
                                .find(|i| i.id == id)
                        })
                        .map(|item| i18n.care_reason(&item.reason, today))
                        .unwrap_or_default()
                }
            };
            session.care_done(&id, channel.trim(), &note)?;
            cx.say("cli.care_done", &[("id", &id)]);
        }
        CareCommand::Snooze { id, until } => {
            let until = session.care_snooze(&id, &until)?;
            cx.say(
                "cli.care_snoozed",
                &[("id", &id), ("until", &until.to_string())],
            );
        }
        CareCommand::Dismiss { id, reason } => {
            session.care_dismiss(&id, &reason)?;
            cx.say("cli.care_dismissed", &[("id", &id)]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn agenda_table(agenda: &Agenda, i18n: &I18n) -> String {
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let rows: Vec<Vec<String>> = agenda
        .items
        .iter()
        .map(|item| {
            vec![
                date(item.on),
                i18n.t_owned(format!("care.section.{}", section_code(item)))
                    .to_string(),
                item.client_no.clone().unwrap_or_default(),
                item.name.clone().unwrap_or_default(),
                i18n.care_reason(&item.reason, agenda.today),
                item.id.clone(),
            ]
        })
        .collect();
    table::render(
        &[
            i18n.t("care.field.date"),
            "",
            i18n.t("col.client_no"),
            i18n.t("client.field.name"),
            i18n.t("care.field.why"),
            "ID",
        ],
        &rows,
    )
}

fn section_code(item: &CareItem) -> &'static str {
    use crate::domain::care::Section;
    match item.section {
        Section::Overdue => "overdue",
        Section::Today => "today",
        Section::Week => "week",
        Section::Month => "month",
        Section::Later => "later",
    }
}
