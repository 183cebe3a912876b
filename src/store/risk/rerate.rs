//! Re-rating the whole branch in one transaction (after HQ publishes a new factor table, or
//! to give every client their first rating): clients, holdings, the facts staff recorded
//! and the desk (which keeps each client's latest rating) are each read once, every client
//! is rated in memory, and a rating is written only where the result changed — as one
//! range in the outbox, not a row each — with the desk row's rating and due day.

use super::state::{self, Facts, Rated};
use crate::domain::aml::{Computed, Contribution, Inputs, Profile};
use crate::domain::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::store::clients::{CLIENT_COLUMNS, client_from_row};
use crate::store::write::{Table, Writer};
use crate::sync::reference::PortfolioRules;
use chrono::NaiveDate;
use std::collections::HashMap;

fn profiles(w: &Writer) -> Result<HashMap<String, Profile>> {
    let mut out = HashMap::new();
    let mut statement = w
        .connection()
        .prepare("SELECT id, pep, nationality, cash, remote FROM aml_profile")?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let pep: String = r.get(1)?;
        let cash: String = r.get(3)?;
        out.insert(
            r.get::<_, String>(0)?,
            Profile {
                pep: crate::domain::aml::Pep::parse(&pep).ok_or(Error::DatabaseDamaged)?,
                nationality: r.get(2)?,
                cash: crate::domain::aml::Cash::parse(&cash).ok_or(Error::DatabaseDamaged)?,
                remote: r.get(4)?,
            },
        );
    }
    Ok(out)
}

/// Every client's products, by seq.
fn products(w: &Writer) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    let mut statement = w
        .connection()
        .prepare("SELECT client_seq, product FROM holding ORDER BY client_seq")?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let list = out.entry(r.get(0)?).or_default();
        let product: String = r.get(1)?;
        if !list.contains(&product) {
            list.push(product);
        }
    }
    Ok(out)
}

/// Whether clients not rated yet get their first rating from the run: a manager's
/// re-rating and the demo give them one; a new table arriving with HQ's reference data
/// leaves them on the desk, to be rated by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unrated {
    Rate,
    Leave,
}

/// What a re-rating runs with.
pub(crate) struct Rerating<'a> {
    pub rules: &'a PortfolioRules,
    pub calendar: &'a WorkCalendar,
    pub today: NaiveDate,
    pub by_staff: &'a str,
    pub unrated: Unrated,
}

pub(crate) fn run(
    w: &mut Writer,
    with: &Rerating,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<super::RerateReport> {
    let today = with.today;
    run_dated(w, with, progress, &mut |_, _| Some(today))
}

/// [`run`], each client rated on the day `rated_on` gives for them (seq, computed rank);
/// none leaves a client without a first rating. (The demo dates its history this way.)
pub(crate) fn run_dated(
    w: &mut Writer,
    with: &Rerating,
    progress: &mut dyn FnMut(u64, u64),
    rated_on: &mut dyn FnMut(i64, usize) -> Option<NaiveDate>,
) -> Result<super::RerateReport> {
    let Rerating {
        rules,
        calendar,
        today,
        by_staff,
        unrated,
    } = *with;
    let table = &rules.aml;
    // Every client has a desk row to read the latest rating from.
    state::fill_missing(w.connection(), table, calendar)?;
    let kept: HashMap<i64, state::Kept> = state::read_kept(w.connection())?
        .into_iter()
        .map(|k| (k.facts.seq, k))
        .collect();
    let profiles = profiles(w)?;
    let products = products(w)?;
    let clients: Vec<(i64, crate::domain::client::StoredClient)> = {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM client WHERE foreign_branch = 0 AND deleted = 0
             ORDER BY seq"
        );
        let mut statement = w.connection().prepare(&sql)?;
        let mut rows = statement.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(client_from_row(row)?);
        }
        out
    };
    let total = clients.len();
    let no_profile = Profile::default();
    let no_products = Vec::new();
    let mut rated = 0;
    let mut changed = 0;
    let mut range: Option<(i64, i64)> = None;
    for (done, (seq, stored)) in clients.iter().enumerate() {
        if done % 10_000 == 0 {
            progress(done as u64, total as u64);
        }
        let Some(state::Kept {
            facts,
            restricted_on,
            kyc_due_on,
        }) = kept.get(seq)
        else {
            continue;
        };
        if facts.closed {
            continue;
        }
        // A new table's grace period or KYC interval moves those days for every client.
        let derived = state::row_of(table, calendar, facts);
        if (derived.restricted_on, derived.kyc_due_on) != (*restricted_on, *kyc_due_on) {
            state::update_days(w.connection(), &derived)?;
        }
        if facts.rating.is_none() && unrated == Unrated::Leave {
            continue;
        }
        let (categories, product_risk) =
            super::categories_of(products.get(seq).unwrap_or(&no_products), rules);
        let rate_on = |day| {
            table.rate(&Inputs {
                record: &stored.record,
                profile: profiles.get(&stored.id).unwrap_or(&no_profile),
                categories: &categories,
                product_risk,
                today: day,
            })
        };
        let now = rate_on(today);
        let Some(day) = rated_on(*seq, now.rank) else {
            continue;
        };
        // A back-dated rating is worked out as of its day (ages differ).
        let computed = if day == today { now } else { rate_on(day) };
        let factors = serde_json::to_string(&computed.contributions).map_err(Error::internal)?;
        let Some((kind, rank, next_review)) = plan(table, &computed, &factors, facts, day) else {
            continue;
        };
        let level = table
            .level(rank)
            .map(|l| l.code.clone())
            .unwrap_or_default();
        if facts.rating.as_ref().is_some_and(|r| r.level != level) {
            changed += 1;
        }
        super::rate::insert_rating_in_range(
            w,
            table,
            &stored.id,
            &super::rate::NewRating {
                kind,
                outcome: None,
                computed: &computed,
                level: &level,
                note: "",
                rated_on: day,
                next_review,
                by_staff,
                approved_by: None,
            },
        )?;
        let rowid = w.connection().last_insert_rowid();
        range = Some(range.map_or((rowid, rowid), |(first, _)| (first, rowid)));
        let after = Facts {
            rating: Some(Rated {
                level,
                computed: table
                    .level(computed.rank)
                    .map(|l| l.code.clone())
                    .unwrap_or_default(),
                factors,
                rated_on: day,
                next_review,
            }),
            ..facts.clone()
        };
        state::update_rating(
            w.connection(),
            &derived,
            &state::row_of(table, calendar, &after),
        )?;
        rated += 1;
    }
    if let Some((first, last)) = range {
        w.capture_range(Table::AmlRating, first, last)?;
    }
    progress(total as u64, total as u64);
    Ok(super::RerateReport {
        clients: total,
        rated,
        changed,
        table_version: table.version.clone(),
    })
}

/// What to write for one client: nothing when the result stands; else the kind, the level
/// and the next review.
fn plan(
    table: &crate::domain::aml::FactorTable,
    computed: &Computed,
    factors: &str,
    facts: &Facts,
    today: NaiveDate,
) -> Option<(&'static str, usize, NaiveDate)> {
    let Some(latest) = &facts.rating else {
        return Some((
            "rating",
            computed.rank,
            table.next_review(computed.rank, today, true),
        ));
    };
    let old_level = table.rank_of(&latest.level);
    let old_computed = table.rank_of(&latest.computed);
    let same_factors = latest.factors == factors
        || serde_json::from_str::<Vec<Contribution>>(&latest.factors)
            .is_ok_and(|f| f == computed.contributions);
    // Nothing the table makes of the client changed: the level in force stands, whoever
    // set it (a manager above the computed one, two managers below it).
    if same_factors && old_computed == Some(computed.rank) {
        return None;
    }
    // A level staff set above the computed one stands while it is above the new one.
    let raised_by_staff = matches!((old_level, old_computed), (Some(l), Some(c)) if l < c);
    let rank = match old_level {
        Some(level) if raised_by_staff => level.min(computed.rank),
        _ => computed.rank,
    };
    if old_level == Some(rank) && same_factors {
        return None;
    }
    // A rise brings the next review forward; otherwise it stays where it was.
    let sooner = table.next_review(rank, latest.rated_on, facts.reviewed_on.is_none());
    let next_review = if old_level.is_none_or(|old| rank < old) {
        latest.next_review.min(sooner)
    } else {
        latest.next_review
    };
    Some(("rerate", rank, next_review))
}
