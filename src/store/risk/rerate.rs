//! Re-rating the whole branch in one transaction (after HQ publishes a new factor table, or
//! to give every client their first rating): clients, holdings, the facts staff recorded
//! and the latest ratings are each read once in order, every client is rated in memory,
//! a rating is written only where the result changed, and the desk is rebuilt whole.

use super::state;
use crate::domain::aml::{Computed, Contribution, Inputs, Profile};
use crate::domain::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::store::clients::{CLIENT_COLUMNS, client_from_row};
use crate::store::write::Writer;
use crate::sync::reference::PortfolioRules;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The latest rating of a client, as the re-rating needs it.
struct Latest {
    level: String,
    computed: String,
    factors: String,
    rated_on: NaiveDate,
    next_review: NaiveDate,
    reviewed: bool,
}

fn date(text: &str) -> Result<NaiveDate> {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(Error::DatabaseDamaged)
}

fn latest_ratings(w: &Writer) -> Result<HashMap<String, Latest>> {
    let mut out: HashMap<String, Latest> = HashMap::new();
    let mut statement = w.connection().prepare(
        "SELECT client_id, level, computed, factors, rated_on, next_review, kind
         FROM aml_rating ORDER BY client_id, hlc",
    )?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let client: String = r.get(0)?;
        let reviewed =
            r.get::<_, String>(6)? == "review" || out.get(&client).is_some_and(|l| l.reviewed);
        out.insert(
            client,
            Latest {
                level: r.get(1)?,
                computed: r.get(2)?,
                factors: r.get(3)?,
                rated_on: date(&r.get::<_, String>(4)?)?,
                next_review: date(&r.get::<_, String>(5)?)?,
                reviewed,
            },
        );
    }
    Ok(out)
}

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

pub(crate) fn run(
    w: &mut Writer,
    rules: &PortfolioRules,
    calendar: &WorkCalendar,
    today: NaiveDate,
    by_staff: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<super::RerateReport> {
    run_dated(
        w,
        rules,
        calendar,
        today,
        by_staff,
        progress,
        &mut |_, _| Some(today),
    )
}

/// [`run`], each client rated on the day `rated_on` gives for them (seq, computed rank);
/// none leaves a client without a first rating. (The demo dates its history this way.)
pub(crate) fn run_dated(
    w: &mut Writer,
    rules: &PortfolioRules,
    calendar: &WorkCalendar,
    today: NaiveDate,
    by_staff: &str,
    progress: &mut dyn FnMut(usize, usize),
    rated_on: &mut dyn FnMut(i64, usize) -> Option<NaiveDate>,
) -> Result<super::RerateReport> {
    let table = &rules.aml;
    let latest = latest_ratings(w)?;
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
    let closed: std::collections::HashSet<String> = w
        .connection()
        .prepare("SELECT id FROM client_closure")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let total = clients.len();
    let no_profile = Profile::default();
    let no_products = Vec::new();
    let mut rated = 0;
    let mut changed = 0;
    for (done, (seq, stored)) in clients.iter().enumerate() {
        if done % 10_000 == 0 {
            progress(done, total);
        }
        if closed.contains(&stored.id) {
            continue;
        }
        let (categories, product_risk) =
            super::categories_of(products.get(seq).unwrap_or(&no_products), rules);
        let latest_here = latest.get(&stored.id);
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
        let plan = plan(table, &computed, &factors, latest_here, day);
        let Some((kind, rank, next_review)) = plan else {
            continue;
        };
        let level = table
            .level(rank)
            .map(|l| l.code.clone())
            .unwrap_or_default();
        if latest.get(&stored.id).is_some_and(|l| l.level != level) {
            changed += 1;
        }
        super::rate::insert_rating(
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
        rated += 1;
    }
    progress(total, total);
    let rows: Vec<state::StateRow> = state::read_facts(w.connection(), None)?
        .iter()
        .map(|f| state::row_of(table, calendar, f))
        .collect();
    state::replace_all(w.connection(), &rows)?;
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
    latest: Option<&Latest>,
    today: NaiveDate,
) -> Option<(&'static str, usize, NaiveDate)> {
    let Some(latest) = latest else {
        return Some((
            "rating",
            computed.rank,
            table.next_review(computed.rank, today, true),
        ));
    };
    let old_level = table.rank_of(&latest.level);
    let old_computed = table.rank_of(&latest.computed);
    // A level staff set above the computed one stands while it is above the new one.
    let raised_by_staff = matches!((old_level, old_computed), (Some(l), Some(c)) if l < c);
    let rank = match old_level {
        Some(level) if raised_by_staff => level.min(computed.rank),
        _ => computed.rank,
    };
    let same_factors = serde_json::from_str::<Vec<Contribution>>(&latest.factors)
        .is_ok_and(|f| f == computed.contributions);
    if old_level == Some(rank) && same_factors && latest.factors == factors {
        return None;
    }
    // A rise brings the next review forward; otherwise it stays where it was.
    let sooner = table.next_review(rank, latest.rated_on, !latest.reviewed);
    let next_review = if old_level.is_none_or(|old| rank < old) {
        latest.next_review.min(sooner)
    } else {
        latest.next_review
    };
    Some(("rerate", rank, next_review))
}
