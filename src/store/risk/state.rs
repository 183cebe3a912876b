//! `aml_state`: what the risk desk reads, one row per client of this branch, derived from
//! the record, the latest rating, the open early-review triggers and the relationship's
//! end. Local and never sent; refreshed in the write that changes any of those, rebuilt
//! whole by a re-rating, and filled for clients that arrived without one (a bulk load, the
//! client book from HQ). Each desk list is one range of one of its partial indexes.

use crate::domain::aml::FactorTable;
use crate::domain::calendar::WorkCalendar;
use crate::domain::client::IdExpiry;
use crate::error::{Error, Result};
use crate::store::write::Writer;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// The desk's indexes. A rebuild drops them and builds them again after writing the rows
/// in order (sorting once is far cheaper than a million random inserts).
pub(crate) const STATE_INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS aml_state_due ON aml_state (due_on) WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_due_by_rm ON aml_state (rm, due_on) WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_kind ON aml_state (due_kind, due_on) WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_kind_by_rm ON aml_state (rm, due_kind, due_on)
        WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_rank ON aml_state (rank, due_on) WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_rank_by_rm ON aml_state (rm, rank, due_on)
        WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_restricted ON aml_state (restricted_on)
        WHERE closed = 0 AND restricted_on IS NOT NULL;
    CREATE INDEX IF NOT EXISTS aml_state_restricted_by_rm ON aml_state (rm, restricted_on)
        WHERE closed = 0 AND restricted_on IS NOT NULL;
    CREATE INDEX IF NOT EXISTS aml_state_kyc ON aml_state (kyc_due_on) WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_kyc_by_rm ON aml_state (rm, kyc_due_on)
        WHERE closed = 0;
    CREATE INDEX IF NOT EXISTS aml_state_expiry ON aml_state (id_expiry)
        WHERE id_expiry IS NOT NULL;
";

pub(crate) const DROP_STATE_INDEXES: &str = "
    DROP INDEX IF EXISTS aml_state_due;
    DROP INDEX IF EXISTS aml_state_due_by_rm;
    DROP INDEX IF EXISTS aml_state_kind;
    DROP INDEX IF EXISTS aml_state_kind_by_rm;
    DROP INDEX IF EXISTS aml_state_rank;
    DROP INDEX IF EXISTS aml_state_rank_by_rm;
    DROP INDEX IF EXISTS aml_state_restricted;
    DROP INDEX IF EXISTS aml_state_restricted_by_rm;
    DROP INDEX IF EXISTS aml_state_kyc;
    DROP INDEX IF EXISTS aml_state_kyc_by_rm;
    DROP INDEX IF EXISTS aml_state_expiry;
";

/// What a client's desk row is worked out from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub seq: i64,
    pub rm: String,
    pub registered_on: NaiveDate,
    pub updated_on: NaiveDate,
    pub id_expiry: IdExpiry,
    /// The latest rating's level code and next review, if rated.
    pub rating: Option<(String, NaiveDate)>,
    /// The latest review's day (the details were confirmed then).
    pub reviewed_on: Option<NaiveDate>,
    /// The earliest open trigger's day.
    pub trigger_on: Option<NaiveDate>,
    pub closed: bool,
}

/// A desk row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateRow {
    pub seq: i64,
    pub rm: String,
    pub rank: Option<usize>,
    pub level: String,
    pub due_kind: &'static str,
    pub due_on: NaiveDate,
    pub id_expiry: Option<NaiveDate>,
    pub restricted_on: Option<NaiveDate>,
    pub kyc_due_on: NaiveDate,
    pub closed: bool,
}

/// The desk row of a client: an unrated client is due for rating so many working days
/// after registration; a rated one for review at the next review day, or sooner when an
/// early-review trigger is open.
pub(crate) fn row_of(table: &FactorTable, calendar: &WorkCalendar, facts: &Facts) -> StateRow {
    let rank = facts
        .rating
        .as_ref()
        .and_then(|(level, _)| table.rank_of(level));
    let (due_kind, due_on) = match (&facts.rating, facts.trigger_on) {
        (None, _) => ("rate", table.rate_by(calendar, facts.registered_on)),
        (Some((_, next)), Some(trigger)) => (
            "trigger",
            table.early_review_by(calendar, trigger).min(*next),
        ),
        (Some((_, next)), None) => ("review", *next),
    };
    let confirmed = facts
        .reviewed_on
        .map_or(facts.updated_on, |r| r.max(facts.updated_on))
        .max(facts.registered_on);
    StateRow {
        seq: facts.seq,
        rm: facts.rm.clone(),
        rank,
        level: facts
            .rating
            .as_ref()
            .map(|(l, _)| l.clone())
            .unwrap_or_default(),
        due_kind,
        due_on,
        id_expiry: match facts.id_expiry {
            IdExpiry::On(day) => Some(day),
            _ => None,
        },
        restricted_on: table.restricted_from(facts.id_expiry),
        kyc_due_on: table.kyc_due(confirmed),
        closed: facts.closed,
    }
}

/// The facts of this branch's clients (`Some(seq)`: of that one), in seq order.
const FACTS: &str = "
    SELECT c.seq, coalesce(c.assigned_rm, ''), c.created_at, c.updated_at, c.id_expiry,
           r.level, r.next_review,
           (SELECT max(v.rated_on) FROM aml_rating v
             WHERE v.client_id = c.id AND v.kind = 'review'),
           (SELECT min(t.raised_on) FROM aml_trigger t
             WHERE t.client_id = c.id AND t.hlc > coalesce(r.hlc, -1)),
           EXISTS (SELECT 1 FROM client_closure x WHERE x.id = c.id)
    FROM client c
    LEFT JOIN aml_rating r ON r.id = (SELECT l.id FROM aml_rating l WHERE l.client_id = c.id
                                      ORDER BY l.hlc DESC LIMIT 1)
    WHERE c.foreign_branch = 0 AND c.deleted = 0 AND (?1 IS NULL OR c.seq = ?1)
    ORDER BY c.seq";

fn day(text: &str) -> Result<NaiveDate> {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(Error::DatabaseDamaged)
}

fn facts_of(row: &rusqlite::Row) -> Result<Facts> {
    let expiry: Option<String> = row.get(4)?;
    let level: Option<String> = row.get(5)?;
    let next: Option<String> = row.get(6)?;
    let reviewed: Option<String> = row.get(7)?;
    let trigger: Option<String> = row.get(8)?;
    Ok(Facts {
        seq: row.get(0)?,
        rm: row.get(1)?,
        registered_on: day(&row.get::<_, String>(2)?)?,
        updated_on: day(&row.get::<_, String>(3)?)?,
        id_expiry: IdExpiry::from_stored(expiry.as_deref()).ok_or(Error::DatabaseDamaged)?,
        rating: match (level, next) {
            (Some(level), Some(next)) => Some((level, day(&next)?)),
            _ => None,
        },
        reviewed_on: reviewed.as_deref().map(day).transpose()?,
        trigger_on: trigger.as_deref().map(day).transpose()?,
        closed: row.get(9)?,
    })
}

/// Every client's facts (`only`: one client's).
pub(crate) fn read_facts(conn: &Connection, only: Option<i64>) -> Result<Vec<Facts>> {
    let mut statement = conn.prepare_cached(FACTS)?;
    let mut rows = statement.query(params![only])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(facts_of(row)?);
    }
    Ok(out)
}

const UPSERT: &str = "INSERT OR REPLACE INTO aml_state
    (client_seq, rm, rank, level, due_kind, due_on, id_expiry, restricted_on, kyc_due_on, closed)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

fn upsert(statement: &mut rusqlite::CachedStatement, row: &StateRow) -> Result<()> {
    statement.execute(params![
        row.seq,
        row.rm,
        row.rank.map(|r| r as i64),
        row.level,
        row.due_kind,
        row.due_on.to_string(),
        row.id_expiry.map(|d| d.to_string()),
        row.restricted_on.map(|d| d.to_string()),
        row.kyc_due_on.to_string(),
        row.closed,
    ])?;
    Ok(())
}

/// Brings one client's desk row up to date, in the write that changed what it derives from.
pub(crate) fn refresh(
    w: &mut Writer,
    table: &FactorTable,
    calendar: &WorkCalendar,
    seq: i64,
) -> Result<()> {
    let conn = w.connection();
    let facts = read_facts(conn, Some(seq))?;
    let mut statement = conn.prepare_cached(UPSERT)?;
    for f in &facts {
        upsert(&mut statement, &row_of(table, calendar, f))?;
    }
    Ok(())
}

/// Writes the desk rows of every client of the branch afresh (`rows` in seq order), with
/// the indexes built once at the end.
pub(crate) fn replace_all(conn: &Connection, rows: &[StateRow]) -> Result<()> {
    conn.execute_batch(DROP_STATE_INDEXES)?;
    conn.execute("DELETE FROM aml_state", [])?;
    {
        let mut statement = conn.prepare_cached(UPSERT)?;
        for row in rows {
            upsert(&mut statement, row)?;
        }
    }
    conn.execute_batch(STATE_INDEXES)?;
    Ok(())
}

/// Gives a desk row to every client of the branch who has none: those a bulk load or the
/// client book from HQ brought, unrated here (a rating here writes the row with it). When
/// the desk is empty, its indexes are built once at the end.
pub(crate) fn fill_missing(
    conn: &Connection,
    table: &FactorTable,
    calendar: &WorkCalendar,
) -> Result<usize> {
    let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM aml_state)", [], |r| {
        r.get(0)
    })?;
    let mut rows = Vec::new();
    {
        let mut statement = conn.prepare_cached(
            "SELECT c.seq, coalesce(c.assigned_rm, ''), c.created_at, c.updated_at, c.id_expiry
             FROM client c
             WHERE c.foreign_branch = 0 AND c.deleted = 0
               AND NOT EXISTS (SELECT 1 FROM aml_state s WHERE s.client_seq = c.seq)
             ORDER BY c.seq",
        )?;
        let mut found = statement.query([])?;
        while let Some(r) = found.next()? {
            let expiry: Option<String> = r.get(4)?;
            let facts = Facts {
                seq: r.get(0)?,
                rm: r.get(1)?,
                registered_on: day(&r.get::<_, String>(2)?)?,
                updated_on: day(&r.get::<_, String>(3)?)?,
                id_expiry: IdExpiry::from_stored(expiry.as_deref())
                    .ok_or(Error::DatabaseDamaged)?,
                rating: None,
                reviewed_on: None,
                trigger_on: None,
                closed: false,
            };
            rows.push(row_of(table, calendar, &facts));
        }
    }
    if empty {
        replace_all(conn, &rows)?;
    } else {
        let mut statement = conn.prepare_cached(UPSERT)?;
        for row in &rows {
            upsert(&mut statement, row)?;
        }
    }
    Ok(rows.len())
}

/// The migration's backfill: every client of the branch unrated, due by registration.
pub(crate) fn backfill(tx: &rusqlite::Transaction) -> Result<()> {
    let calendar = crate::store::complaints::load_calendar(tx)?;
    let table = FactorTable::shipped();
    let rows: Vec<StateRow> = read_facts(tx, None)?
        .iter()
        .map(|f| row_of(table, &calendar, f))
        .collect();
    replace_all(tx, &rows)
}
