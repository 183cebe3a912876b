//! `branchdesk client portfolio`, `offer …` and `assessment …`: what a client holds and is
//! to the bank, what may be offered and why, and the risk assessments that bound it.

use super::{Context, print_json, table};
use crate::error::{Error, Result};
use crate::i18n::I18n;
use clap::Subcommand;
use std::process::ExitCode;

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
pub(super) fn portfolio_text(i18n: &I18n, p: &crate::store::Portfolio) -> String {
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
