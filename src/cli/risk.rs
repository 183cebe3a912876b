//! `branchdesk risk …`: the AML risk desk on the command line — the desk's lists, a
//! client's rating with its factors, rating, review, the facts a rating needs, lifting a
//! restriction for the day, and re-rating the branch.

use super::progress::Progress;
use super::*;
use crate::domain::aml::{Cash, Outcome, Pep};
use crate::store::{Approval, DeskList, DeskPage, RateRequest, ReviewRequest, RiskView};

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// A list of the risk desk (overdue by default), with the count of every list
    List {
        /// Everything due before today: ratings, reviews and early reviews
        #[arg(long, group = "which")]
        overdue: bool,
        /// Due from today within the due-soon window (30 days by default)
        #[arg(long, group = "which")]
        due: bool,
        /// Clients not rated yet, with the day their rating is due
        #[arg(long, group = "which")]
        unrated: bool,
        /// Clients with an open early-review trigger
        #[arg(long, group = "which")]
        triggers: bool,
        /// Clients whose expired identity document restricts their business
        #[arg(long, group = "which")]
        restricted: bool,
        /// Clients at the highest level
        #[arg(long, group = "which")]
        high: bool,
        /// Clients whose identity and contact details are due for confirmation
        #[arg(long, group = "which")]
        kyc: bool,
        /// Loans newly overdue or moved down a category in HQ's holdings snapshots
        #[arg(long, group = "which")]
        credit: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// A client's AML level with its factors, the next review, restriction and history
    Show {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Rate a client: the computed level, or --level with --note (above it: managers; below
    /// it: with a second manager's approval)
    Rate {
        client: String,
        /// A level of the factor table (high, medium_high, medium, low by default)
        #[arg(long)]
        level: Option<String>,
        /// Why, for a level other than the computed one
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        approval: ApprovalArgs,
        #[arg(long)]
        json: bool,
    },
    /// Record a review: kept, raised or lowered (one level, or --level), with the evidence
    Review {
        client: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        #[arg(long)]
        level: Option<String>,
        /// The evidence noted
        #[arg(long)]
        note: String,
        #[command(flatten)]
        approval: ApprovalArgs,
        #[arg(long)]
        json: bool,
    },
    /// Record the facts a rating needs that the record does not hold (those not given stay)
    Profile {
        client: String,
        /// none, pep or associate (a family member or close associate of a PEP)
        #[arg(long)]
        pep: Option<String>,
        /// ISO 3166 three-letter code, e.g. CHN, USA
        #[arg(long)]
        nationality: Option<String>,
        /// low, medium or high
        #[arg(long)]
        cash: Option<String>,
        /// yes when the relationship is run without face-to-face contact
        #[arg(long)]
        remote: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Lift a restricted client's restriction for today (managers, with a reason)
    Lift {
        client: String,
        #[arg(long)]
        reason: String,
    },
    /// Rate every client of the branch with the factor table in force (managers)
    Rerate {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutcomeArg {
    Kept,
    Raised,
    Lowered,
}

/// A second manager's approval.
#[derive(Debug, clap::Args)]
pub struct ApprovalArgs {
    /// The approving manager's staff ID (for a level below the computed one)
    #[arg(long, value_name = "ID")]
    approver: Option<String>,
    /// Read the approver's passphrase from FILE [default: typed at the terminal by them]
    #[arg(long, value_name = "FILE")]
    approver_passphrase_file: Option<PathBuf>,
}

impl ApprovalArgs {
    fn read(&self, i18n: &I18n) -> Result<Option<Approval>> {
        let Some(id) = &self.approver else {
            return Ok(None);
        };
        let passphrase =
            secrets::approver_passphrase(self.approver_passphrase_file.as_deref(), i18n)?;
        Ok(Some(Approval {
            staff_id: id.trim().to_string(),
            passphrase,
        }))
    }
}

fn which(flags: [(bool, DeskList); 8]) -> DeskList {
    flags
        .into_iter()
        .find(|(on, _)| *on)
        .map_or(DeskList::Overdue, |(_, list)| list)
}

pub fn run(cx: &Context, command: RiskCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        RiskCommand::List {
            overdue,
            due,
            unrated,
            triggers,
            restricted,
            high,
            kyc,
            credit,
            limit,
            json,
        } => {
            let list = which([
                (overdue, DeskList::Overdue),
                (due, DeskList::Due),
                (unrated, DeskList::Unrated),
                (triggers, DeskList::Triggers),
                (restricted, DeskList::Restricted),
                (high, DeskList::High),
                (kyc, DeskList::Kyc),
                (credit, DeskList::Credit),
            ]);
            let page = session.risk_desk(list, limit)?;
            if json {
                print_json(&page);
            } else {
                out(&desk_text(i18n, &page));
            }
        }
        RiskCommand::Show { client, json } => {
            let view = session.risk_show(&client)?;
            if json {
                print_json(&view);
            } else {
                out(&view_text(i18n, &view, session.today_local()));
            }
        }
        RiskCommand::Rate {
            client,
            level,
            note,
            approval,
            json,
        } => {
            let request = RateRequest {
                level,
                note,
                approval: approval.read(i18n)?,
            };
            let view = session.risk_rate(&client, &request)?;
            said_rated(cx, &view, json);
        }
        RiskCommand::Review {
            client,
            outcome,
            level,
            note,
            approval,
            json,
        } => {
            let request = ReviewRequest {
                outcome: match outcome {
                    OutcomeArg::Kept => Outcome::Kept,
                    OutcomeArg::Raised => Outcome::Raised,
                    OutcomeArg::Lowered => Outcome::Lowered,
                },
                level,
                note,
                approval: approval.read(i18n)?,
            };
            let view = session.risk_review(&client, &request)?;
            said_rated(cx, &view, json);
        }
        RiskCommand::Profile {
            client,
            pep,
            nationality,
            cash,
            remote,
            json,
        } => {
            let mut profile = session.risk_show(&client)?.profile;
            if let Some(pep) = pep {
                profile.pep = Pep::parse(&pep).ok_or(Error::UnknownChoice {
                    field: "pep".into(),
                    value: pep.clone(),
                    choices: "none, pep, associate".into(),
                })?;
            }
            if let Some(nationality) = nationality {
                profile.nationality = nationality;
            }
            if let Some(cash) = cash {
                profile.cash = Cash::parse(&cash).ok_or(Error::UnknownChoice {
                    field: "cash".into(),
                    value: cash.clone(),
                    choices: "low, medium, high".into(),
                })?;
            }
            if let Some(remote) = remote {
                profile.remote = match remote.trim().to_lowercase().as_str() {
                    "yes" | "y" | "true" | "是" => true,
                    "no" | "n" | "false" | "否" => false,
                    _ => {
                        return Err(Error::UnknownChoice {
                            field: "remote".into(),
                            value: remote.clone(),
                            choices: "yes, no".into(),
                        });
                    }
                };
            }
            let saved = session.set_aml_profile(&client, &profile)?;
            if json {
                print_json(&saved);
            } else {
                cx.say("cli.risk_profile_saved", &[("client", &client)]);
            }
        }
        RiskCommand::Lift { client, reason } => {
            let on = session.lift_restriction(&client, &reason)?;
            cx.say(
                "cli.risk_lifted",
                &[("client", &client), ("on", &on.to_string())],
            );
        }
        RiskCommand::Rerate { json } => {
            let bar = Progress::new(0, i18n.t("progress.rerate"));
            let report = session.rerate_branch(&mut |done, total| bar.show(done, total))?;
            bar.finish();
            if json {
                print_json(&report);
            } else {
                cx.say(
                    "cli.risk_rerated",
                    &[
                        ("clients", &report.clients.to_string()),
                        ("rated", &report.rated.to_string()),
                        ("changed", &report.changed.to_string()),
                        ("version", &report.table_version),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn said_rated(cx: &Context, view: &RiskView, json: bool) {
    if json {
        print_json(view);
    } else {
        outln!("{}", view.recorded(cx.i18n));
    }
}

fn desk_text(i18n: &I18n, page: &DeskPage) -> String {
    let c = &page.counts;
    let mut text = i18n.fill(
        "risk.counts",
        &[
            ("overdue", &c.overdue.to_string()),
            ("due", &c.due.to_string()),
            ("unrated", &c.unrated.to_string()),
            ("triggers", &c.triggers.to_string()),
            ("restricted", &c.restricted.to_string()),
            ("high", &c.high.to_string()),
            ("kyc", &c.kyc.to_string()),
            ("credit", &c.credit.to_string()),
        ],
    );
    text.push('\n');
    text.push_str(i18n.t_owned(format!("risk.list.{}", page.list.code())));
    text.push('\n');
    if page.rows.is_empty() {
        text.push_str(i18n.t("risk.list_empty"));
        text.push('\n');
        return text;
    }
    let headers = [
        i18n.t("risk.col.client"),
        i18n.t("risk.col.name"),
        i18n.t("risk.col.rm"),
        i18n.t("risk.col.level"),
        i18n.t("risk.col.due"),
        i18n.t("risk.col.when"),
    ];
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.client_no.clone(),
                crate::domain::text::printable(&r.name, false).into_owned(),
                r.rm.clone().unwrap_or_default(),
                i18n.aml_level(&page.levels, r.level.as_deref().unwrap_or("")),
                r.due_text(i18n, page.list, false),
                i18n.days_from_today(r.days),
            ]
        })
        .collect();
    text.push_str(&table::render(&headers, &rows));
    text
}

fn view_text(i18n: &I18n, view: &RiskView, today: chrono::NaiveDate) -> String {
    let mut text = String::new();
    let level = i18n.aml_level(&view.levels, view.level.as_deref().unwrap_or(""));
    let computed = i18n.aml_level(&view.levels, &view.computed_level);
    text.push_str(&i18n.fill(
        "risk.show.head",
        &[
            ("client", &view.client_no),
            ("name", &crate::domain::text::printable(&view.name, false)),
            ("rm", view.rm.as_deref().unwrap_or("—")),
        ],
    ));
    text.push('\n');
    text.push_str(&i18n.fill(
        "risk.show.level",
        &[
            ("level", &level),
            ("computed", &computed),
            ("score", &view.computed.score.to_string()),
            ("version", &view.table_version),
        ],
    ));
    text.push('\n');
    text.push_str(&i18n.fill(
        "risk.show.due",
        &[
            ("what", i18n.t_owned(format!("risk.due.{}", view.due_kind))),
            ("on", &view.due_on.to_string()),
            (
                "when",
                &i18n.days_from_today((view.due_on - today).num_days()),
            ),
        ],
    ));
    text.push('\n');
    if let Some(since) = view.restricted_since {
        text.push_str(&i18n.fill(
            if view.lifted_today {
                "risk.show.restricted_lifted"
            } else {
                "risk.show.restricted"
            },
            &[("since", &since.to_string())],
        ));
        text.push('\n');
    }
    if let Some(on) = view.closed_on {
        text.push_str(&i18n.fill("risk.show.closed", &[("on", &on.to_string())]));
        text.push('\n');
    }
    if view.computed.contributions.is_empty() {
        text.push_str(i18n.t("risk.show.no_factors"));
        text.push('\n');
    } else {
        let rows: Vec<Vec<String>> = view
            .computed
            .contributions
            .iter()
            .zip(&view.factor_names)
            .map(|(c, n)| {
                vec![
                    i18n.pick(&n.name_zh, &n.name_en).to_string(),
                    i18n.t_owned(format!("risk.group.{}", c.group.code()))
                        .to_string(),
                    format!("+{}", c.points),
                ]
            })
            .collect();
        text.push_str(&table::render(
            &[
                i18n.t("risk.col.factor"),
                i18n.t("risk.col.group"),
                i18n.t("risk.col.points"),
            ],
            &rows,
        ));
    }
    for trigger in &view.triggers {
        text.push_str(&i18n.fill(
            "risk.show.trigger",
            &[
                (
                    "trigger",
                    i18n.t_owned(format!("risk.trigger.{}", trigger.kind.code())),
                ),
                ("on", &trigger.raised_on.to_string()),
            ],
        ));
        text.push('\n');
    }
    for loan in &view.credit {
        text.push_str(&i18n.fill(
            "risk.show.credit",
            &[
                ("loan", &loan.text(i18n)),
                ("as_of", &loan.as_of.to_string()),
            ],
        ));
        text.push('\n');
    }
    if !view.history.is_empty() {
        let rows: Vec<Vec<String>> = view
            .history
            .iter()
            .map(|h| {
                vec![
                    h.rated_on.to_string(),
                    i18n.t_owned(format!(
                        "risk.kind.{}",
                        h.outcome.map_or(h.kind.as_str(), |o| o.code())
                    ))
                    .to_string(),
                    i18n.aml_level(&view.levels, &h.level),
                    h.by_staff.clone(),
                    h.approved_by.clone().unwrap_or_default(),
                    crate::domain::text::printable(&h.note, false).into_owned(),
                ]
            })
            .collect();
        text.push_str(&table::render(
            &[
                i18n.t("risk.col.on"),
                i18n.t("risk.col.what"),
                i18n.t("risk.col.level"),
                i18n.t("risk.col.by"),
                i18n.t("risk.col.approved"),
                i18n.t("risk.col.note"),
            ],
            &rows,
        ));
    }
    text
}
