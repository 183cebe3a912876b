//! `branchdesk event …`: the branch's events (客户沙龙、理财讲座、客户答谢会) on the command
//! line — creating one with its audience, inviting that audience, a client's reply,
//! attendance (with the points it earns), the follow-up survey, and the list and the page
//! of an event with its figures.

use super::*;
use crate::domain::events::{EventInput, Reply};
use crate::store::{EventRow, Invitation};

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event; its audience is the clients who agreed to marketing and fit every
    /// part of the segment given
    New {
        #[arg(long)]
        title: String,
        /// salon (客户沙龙), seminar (理财讲座) or appreciation (客户答谢会)
        #[arg(long)]
        kind: String,
        /// The day, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        on: String,
        #[arg(long)]
        place: String,
        /// How many places
        #[arg(long)]
        capacity: String,
        /// Tier codes, separated by commas
        #[arg(long, default_value = "")]
        tiers: String,
        /// The RM whose clients
        #[arg(long, default_value = "")]
        rm: String,
        /// Age on the day, e.g. 40-60
        #[arg(long, default_value = "")]
        ages: String,
        /// A product category the client holds
        #[arg(long, default_value = "")]
        holds: String,
        /// The earn rule attendance credits
        #[arg(long, default_value = "")]
        points_rule: String,
        /// The survey template sent to those who came
        #[arg(long, default_value = "")]
        survey: String,
        #[arg(long)]
        json: bool,
    },
    /// The events from a day on (today by default), soonest first, with their figures
    List {
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// An event's figures and its invitation list (recorded in the audit trail)
    Show {
        event: String,
        #[arg(long)]
        json: bool,
    },
    /// Invite the event's audience (each invitation goes on the client's RM's agenda)
    Invite {
        event: String,
        #[arg(long)]
        json: bool,
    },
    /// A client's reply: yes, no or none (not reached), and how it came
    Reply {
        event: String,
        client: String,
        #[arg(long, value_parser = ["yes", "no", "none"])]
        reply: String,
        #[arg(long, default_value = "phone")]
        channel: String,
        #[arg(long)]
        json: bool,
    },
    /// A client came (on the day or after): the event's points rule credits them
    Attend {
        event: String,
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Send the follow-up survey to those who came
    Survey {
        event: String,
        #[arg(long)]
        json: bool,
    },
}

/// A day typed on the command line, or the one sentence saying it is not one.
fn day_arg(text: &str) -> Result<chrono::NaiveDate> {
    crate::domain::client::parse_date(text).ok_or_else(|| Error::NotADay {
        text: text.to_string(),
    })
}

pub fn run(cx: &Context, command: EventCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        EventCommand::New {
            title,
            kind,
            on,
            place,
            capacity,
            tiers,
            rm,
            ages,
            holds,
            points_rule,
            survey,
            json,
        } => {
            let event = session.event_new(&EventInput {
                title,
                kind,
                on,
                place,
                capacity,
                tiers,
                rm,
                ages,
                holds,
                points_rule,
                survey,
            })?;
            if json {
                print_json(&event);
            } else {
                cx.say(
                    "cli.event_created",
                    &[("code", &event.code), ("on", &event.on.to_string())],
                );
            }
        }
        EventCommand::List { from, json } => {
            let from = match from {
                Some(text) => day_arg(&text)?,
                None => session.today_local(),
            };
            let events = session.event_list(Some(from))?;
            if json {
                print_json(&events);
            } else {
                out!("{}", events_table(i18n, &events));
            }
        }
        EventCommand::Show { event, json } => {
            let detail = session.event_show(&event)?;
            if json {
                print_json(&detail);
            } else {
                out!(
                    "{}",
                    events_table(i18n, std::slice::from_ref(&detail.event))
                );
                out!("{}", invitations_table(i18n, &detail.invitations));
            }
        }
        EventCommand::Invite { event, json } => {
            let invited = session.event_invite(&event)?;
            if json {
                print_json(&invited);
            } else {
                cx.say(
                    "cli.event_invited",
                    &[
                        ("invited", &invited.invited.to_string()),
                        ("already", &invited.already.to_string()),
                    ],
                );
            }
        }
        EventCommand::Reply {
            event,
            client,
            reply,
            channel,
            json,
        } => {
            // The parser let only the three codes through.
            let reply = Reply::parse(&reply).ok_or_else(|| Error::internal("reply code"))?;
            let invitation = session.event_reply(&event, &client, reply, &channel)?;
            if json {
                print_json(&invitation);
            } else {
                out!("{}", invitations_table(i18n, &[invitation]));
            }
        }
        EventCommand::Attend {
            event,
            client,
            json,
        } => {
            let attended = session.event_attend(&event, &client)?;
            if json {
                print_json(&attended);
            } else {
                out!(
                    "{}",
                    invitations_table(i18n, std::slice::from_ref(&attended.invitation))
                );
                if let Some(entry) = &attended.points {
                    cx.say("cli.event_points", &[("points", &entry.points.to_string())]);
                }
                if let Some(refusal) = &attended.points_refused {
                    let refused = Error::PointsRefused {
                        refusal: refusal.clone(),
                    };
                    outln!("{}", refused.message(i18n));
                }
            }
        }
        EventCommand::Survey { event, json } => {
            let sent = session.event_survey(&event)?;
            if json {
                print_json(&serde_json::json!({ "sent": sent }));
            } else {
                cx.say("cli.event_survey", &[("sent", &sent.to_string())]);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Events as a table: number, day, kind, title, places and the figures.
fn events_table(i18n: &I18n, events: &[EventRow]) -> String {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let f = &e.figures;
            vec![
                e.code.clone(),
                e.on.to_string(),
                i18n.t_owned(format!("events.kind.{}", e.kind.code()))
                    .to_string(),
                e.title.clone(),
                e.capacity.to_string(),
                f.invited.to_string(),
                f.accepted.to_string(),
                f.attended.to_string(),
                f.nps
                    .map_or_else(|| "—".to_string(), |n| format!("{n:.1} (n={})", f.surveyed)),
            ]
        })
        .collect();
    let headers = [
        i18n.t("events.col.code"),
        i18n.t("events.col.on"),
        i18n.t("events.col.kind"),
        i18n.t("events.col.title"),
        i18n.t("events.col.capacity"),
        i18n.t("events.col.invited"),
        i18n.t("events.col.accepted"),
        i18n.t("events.col.attended"),
        i18n.t("events.col.nps"),
    ];
    super::table::render(&headers, &rows)
}

/// Invitations as a table: client, name as this staff member sees it, RM, reply, came.
fn invitations_table(i18n: &I18n, invitations: &[Invitation]) -> String {
    let rows: Vec<Vec<String>> = invitations
        .iter()
        .map(|i| {
            vec![
                i.client_no.clone(),
                i.name.clone(),
                i.rm.clone().unwrap_or_default(),
                i18n.t_owned(format!("events.reply.{}", i.reply.code()))
                    .to_string(),
                if i.attended {
                    i18n.t("yes_no.yes").to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let headers = [
        i18n.t("events.col.client"),
        i18n.t("events.col.name"),
        i18n.t("events.col.rm"),
        i18n.t("events.col.reply"),
        i18n.t("events.col.came"),
    ];
    super::table::render(&headers, &rows)
}
