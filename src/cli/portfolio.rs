//! `branchdesk client portfolio`, `offer …` and `assessment …`: what a client holds and is
//! to the bank, what may be offered and why, and the risk assessments that bound it.

use super::{Context, print_json, table};
use crate::error::{Error, Result};
use crate::i18n::{I18n, yuan};
use crate::store::{Book, OfferOutcome, Segment};
use clap::Subcommand;
use std::process::ExitCode;

/// A portfolio in words: holdings, AUM by month, the tier and why, a fall worth a call.
pub(super) fn portfolio_text(i18n: &I18n, p: &crate::store::Portfolio) -> String {
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
        let why = i18n.tier_why(&tier.changes, tier.since);
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
    match &p.assessment {
        Some(a) => {
            let key = if a.valid {
                "portfolio.assessed"
            } else {
                "portfolio.assessment_expired"
            };
            text.push_str(&i18n.fill(
                key,
                &[
                    ("level", &a.level.to_string()),
                    ("on", &a.assessed_on.to_string()),
                    ("until", &a.valid_until.to_string()),
                ],
            ));
        }
        None => text.push_str(i18n.t("portfolio.not_assessed")),
    }
    text.push('\n');
    if let Some(v) = &p.value {
        text.push_str(&i18n.fill(
            "portfolio.value",
            &[
                ("score", &v.value.score.to_string()),
                ("parts", &v.parts_text(i18n)),
                ("r", &v.rfm.recency.to_string()),
                ("f", &v.rfm.frequency.to_string()),
                ("m", &v.rfm.monetary.to_string()),
            ],
        ));
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
    /// Record what the client made of an offer listed for them (into the contact log; a
    /// declined product rests as the offer rules say)
    Record {
        client: String,
        /// The product offered (its code, as `offer list` shows it)
        #[arg(long)]
        product: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// How the client was reached
        #[arg(long, default_value = "counter")]
        channel: String,
        #[arg(long)]
        json: bool,
    },
}

/// What came of an offer.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutcomeArg {
    /// Put to the client; no answer yet
    Offered,
    Accepted,
    Declined,
    /// The client will think about it
    Later,
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
                            o.because.iter().map(|b| i18n.offer_fact(b)).collect();
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
        OfferCommand::Record {
            client,
            product,
            outcome,
            channel,
            json,
        } => {
            let outcome = match outcome {
                OutcomeArg::Offered => OfferOutcome::Offered,
                OutcomeArg::Accepted => OfferOutcome::Accepted,
                OutcomeArg::Declined => OfferOutcome::Declined,
                OutcomeArg::Later => OfferOutcome::Later,
            };
            let recorded = session.record_offer(&client, &product, outcome, channel.trim())?;
            if json {
                print_json(&recorded);
            } else {
                let outcome = i18n.t_owned(format!("offers.outcome.{}", outcome.code()));
                cx.say(
                    "offers.recorded",
                    &[
                        ("client", &recorded.client_no),
                        ("product", &recorded.product),
                        ("outcome", outcome),
                    ],
                );
                if let Some(until) = recorded.rests_until {
                    cx.say("offers.rests", &[("until", &until.to_string())]);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum BookCommand {
    /// The clients of a book, cut to a segment: an RM's own (managers: --rm ID, or the
    /// branch's), with the size of every segment
    List {
        /// Whose book (managers only; an RM always gets their own)
        #[arg(long, value_name = "STAFF_ID")]
        rm: Option<String>,
        /// all, upgraded, downgraded, falling, expiring, maturing, offers, or a tier code
        #[arg(long, default_value = "all")]
        segment: String,
        /// At most this many clients
        #[arg(long, default_value_t = 200)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

pub fn run_book(cx: &Context, command: BookCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        BookCommand::List {
            rm,
            segment,
            limit,
            json,
        } => {
            let book = session.book(rm.as_deref(), &Segment::parse(&segment), limit)?;
            if json {
                print_json(&book);
            } else {
                out!("{}", book_text(i18n, &book));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A book in words: whose and how old, the segments and their sizes, then the clients.
fn book_text(i18n: &I18n, book: &Book) -> String {
    let mut text = book.heading(i18n);
    text.push('\n');
    let sizes: Vec<String> = book
        .segments
        .iter()
        .map(|s| format!("{} {}", book.segment_name(i18n, &s.segment), s.clients))
        .collect();
    text.push_str(&sizes.join(" · "));
    text.push('\n');
    text.push_str(&i18n.fill(
        "book.showing",
        &[
            ("segment", &book.segment_name(i18n, &book.segment)),
            ("shown", &book.clients.len().to_string()),
            ("total", &book.total.to_string()),
        ],
    ));
    text.push('\n');
    let rows: Vec<Vec<String>> = book
        .clients
        .iter()
        .map(|c| {
            vec![
                c.client_no.clone(),
                c.name.clone(),
                book.tier_name(&c.tier, i18n.lang == crate::i18n::Lang::Zh)
                    .to_string(),
                yuan(c.aum),
                c.value.to_string(),
                c.note(i18n, &book.segment),
            ]
        })
        .collect();
    let headers = [
        i18n.t("book.col.client"),
        i18n.t("book.col.name"),
        i18n.t("book.col.tier"),
        i18n.t("book.col.aum"),
        i18n.t("book.col.value"),
        i18n.t("book.col.note"),
    ];
    text.push_str(&table::render(&headers, &rows));
    text
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
