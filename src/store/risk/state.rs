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

/// The latest rating of a client, as the desk and a re-rating need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rated {
    pub level: String,
    pub computed: String,
    /// The factors as recorded (JSON), to tell whether a re-rating changes them.
    pub factors: String,
    pub rated_on: NaiveDate,
    pub next_review: NaiveDate,
}

/// What a client's desk row is worked out from (and keeps, so that a re-rating of the
/// branch reads one table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub seq: i64,
    pub rm: String,
    pub registered_on: NaiveDate,
    /// The day the record was last changed, or its details confirmed (a KYC refresh done).
    pub updated_on: NaiveDate,
    pub id_expiry: IdExpiry,
    pub rating: Option<Rated>,
    /// The latest review's day (the details were confirmed then).
    pub reviewed_on: Option<NaiveDate>,
    /// The earliest trigger since the latest rating or review by staff (a re-rating after a
    /// new table closes none).
    pub trigger_on: Option<NaiveDate>,
    pub closed: bool,
}

/// A desk row: the facts, and what falls due next and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateRow {
    pub facts: Facts,
    pub rank: Option<usize>,
    pub due_kind: &'static str,
    pub due_on: NaiveDate,
    pub restricted_on: Option<NaiveDate>,
    pub kyc_due_on: NaiveDate,
}

/// The desk row of a client: an unrated client is due for rating so many working days
/// after registration; a rated one for review at the next review day, or sooner when an
/// early-review trigger is open.
pub(crate) fn row_of(table: &FactorTable, calendar: &WorkCalendar, facts: &Facts) -> StateRow {
    let rank = facts.rating.as_ref().and_then(|r| table.rank_of(&r.level));
    let (due_kind, due_on) = match (&facts.rating, facts.trigger_on) {
        (None, _) => ("rate", table.rate_by(calendar, facts.registered_on)),
        (Some(rated), Some(trigger)) => (
            "trigger",
            table
                .early_review_by(calendar, trigger)
                .min(rated.next_review),
        ),
        (Some(rated), None) => ("review", rated.next_review),
    };
    let confirmed = facts
        .reviewed_on
        .map_or(facts.updated_on, |r| r.max(facts.updated_on))
        .max(facts.registered_on);
    StateRow {
        facts: facts.clone(),
        rank,
        due_kind,
        due_on,
        restricted_on: table.restricted_from(facts.id_expiry),
        kyc_due_on: table.kyc_due(confirmed),
    }
}

/// The facts of this branch's clients from the tables they derive from, in seq order;
/// `{only}` narrows them to one (a separate statement: `?1 IS NULL OR seq = ?1` would read
/// every client for one).
macro_rules! facts_sql {
    ($only:literal) => {
        concat!(
            "SELECT c.seq, coalesce(c.assigned_rm, ''), c.created_at,
                    max(c.updated_at, coalesce((SELECT max(k.at) FROM care_task k
                                                WHERE k.client_id = c.id AND k.action = 'done'
                                                  AND k.reminder LIKE 'kyc_refresh:%'), '')),
                    c.id_expiry, r.level, r.computed, r.factors, r.rated_on, r.next_review,
                    (SELECT max(v.rated_on) FROM aml_rating v
                      WHERE v.client_id = c.id AND v.kind = 'review'),
                    (SELECT min(t.raised_on) FROM aml_trigger t
                      WHERE t.client_id = c.id
                        AND t.hlc > coalesce((SELECT max(s.hlc) FROM aml_rating s
                                              WHERE s.client_id = c.id
                                                AND s.kind <> 'rerate'), -1)),
                    EXISTS (SELECT 1 FROM client_closure x WHERE x.id = c.id)
             FROM client c
             LEFT JOIN aml_rating r ON r.id = (SELECT l.id FROM aml_rating l
                                               WHERE l.client_id = c.id
                                               ORDER BY l.hlc DESC LIMIT 1)
             WHERE c.foreign_branch = 0 AND c.deleted = 0",
            $only,
            " ORDER BY c.seq"
        )
    };
}

const FACTS_ALL: &str = facts_sql!("");
const FACTS_ONE: &str = facts_sql!(" AND c.seq = ?1");

/// The day a stored date or moment begins with (`2026-11-30`, `2026-11-30T…`).
pub(crate) fn day(text: &str) -> Result<NaiveDate> {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(Error::DatabaseDamaged)
}

/// The local day of a stored moment (`created_at`, `updated_at`: RFC 3339 in UTC): a client
/// registered at 07:00 in Beijing was registered that day, not the one before.
pub(crate) fn local_day(text: &str) -> Result<NaiveDate> {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(at) => Ok(at.with_timezone(&chrono::Local).date_naive()),
        Err(_) => day(text),
    }
}

fn day_or_none(row: &rusqlite::Row, i: usize) -> Result<Option<NaiveDate>> {
    row.get::<_, Option<String>>(i)?
        .as_deref()
        .map(day)
        .transpose()
}

/// The latest rating from five columns from `i` (level, computed, factors, rated_on,
/// next_review), if there is one.
fn rated_at(row: &rusqlite::Row, i: usize) -> Result<Option<Rated>> {
    let level: Option<String> = row.get(i)?;
    let Some(level) = level.filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(Rated {
        level,
        computed: row.get::<_, Option<String>>(i + 1)?.unwrap_or_default(),
        factors: row.get::<_, Option<String>>(i + 2)?.unwrap_or_default(),
        rated_on: day_or_none(row, i + 3)?.ok_or(Error::DatabaseDamaged)?,
        next_review: day_or_none(row, i + 4)?.ok_or(Error::DatabaseDamaged)?,
    }))
}

fn facts_of(row: &rusqlite::Row) -> Result<Facts> {
    let expiry: Option<String> = row.get(4)?;
    Ok(Facts {
        seq: row.get(0)?,
        rm: row.get(1)?,
        registered_on: local_day(&row.get::<_, String>(2)?)?,
        updated_on: local_day(&row.get::<_, String>(3)?)?,
        id_expiry: IdExpiry::from_stored(expiry.as_deref()).ok_or(Error::DatabaseDamaged)?,
        rating: rated_at(row, 5)?,
        reviewed_on: day_or_none(row, 10)?,
        trigger_on: day_or_none(row, 11)?,
        closed: row.get(12)?,
    })
}

/// Every client's facts (`only`: one client's), from the tables they derive from.
pub(crate) fn read_facts(conn: &Connection, only: Option<i64>) -> Result<Vec<Facts>> {
    let mut out = Vec::new();
    let mut statement;
    let mut rows = match only {
        Some(seq) => {
            statement = conn.prepare_cached(FACTS_ONE)?;
            statement.query(params![seq])?
        }
        None => {
            statement = conn.prepare_cached(FACTS_ALL)?;
            statement.query([])?
        }
    };
    while let Some(row) = rows.next()? {
        out.push(facts_of(row)?);
    }
    Ok(out)
}

/// A desk row as kept: its facts, and the days derived from the table it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Kept {
    pub facts: Facts,
    pub restricted_on: Option<NaiveDate>,
    pub kyc_due_on: NaiveDate,
}

/// Every client's facts as the desk keeps them, in seq order (one read of one table).
pub(crate) fn read_kept(conn: &Connection) -> Result<Vec<Kept>> {
    let mut statement = conn.prepare(
        "SELECT client_seq, rm, registered_on, updated_on, id_expiry, level, computed,
                factors, rated_on, next_review, reviewed_on, trigger_on, closed,
                restricted_on, kyc_due_on
         FROM aml_state ORDER BY client_seq",
    )?;
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let facts = Facts {
            seq: row.get(0)?,
            rm: row.get(1)?,
            registered_on: day(&row.get::<_, String>(2)?)?,
            updated_on: day(&row.get::<_, String>(3)?)?,
            id_expiry: day_or_none(row, 4)?.map_or(IdExpiry::Unknown, IdExpiry::On),
            rating: rated_at(row, 5)?,
            reviewed_on: day_or_none(row, 10)?,
            trigger_on: day_or_none(row, 11)?,
            closed: row.get(12)?,
        };
        out.push(Kept {
            facts,
            restricted_on: day_or_none(row, 13)?,
            kyc_due_on: day(&row.get::<_, String>(14)?)?,
        });
    }
    Ok(out)
}

/// Writes a row's restriction and KYC days (a new table moved them).
pub(crate) fn update_days(conn: &Connection, row: &StateRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE aml_state SET restricted_on = ?2, kyc_due_on = ?3 WHERE client_seq = ?1",
    )?
    .execute(params![
        row.facts.seq,
        text(row.restricted_on),
        row.kyc_due_on.to_string()
    ])?;
    Ok(())
}

const UPSERT: &str = "INSERT OR REPLACE INTO aml_state
    (client_seq, rm, registered_on, updated_on, id_expiry, level, rank, computed, factors,
     rated_on, next_review, reviewed_on, trigger_on, closed, due_kind, due_on, restricted_on,
     kyc_due_on)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

/// A re-rating changes the rating (no indexed column: SQLite rewrites every index whose
/// columns an UPDATE names, changed or not)…
pub(crate) const UPDATE_RATING: &str = "UPDATE aml_state
    SET level = ?2, computed = ?3, factors = ?4, rated_on = ?5, next_review = ?6
    WHERE client_seq = ?1";

/// …and, only where they change, the rank and what falls due.
pub(crate) const UPDATE_DUE: &str = "UPDATE aml_state
    SET rank = ?2, due_kind = ?3, due_on = ?4
    WHERE client_seq = ?1";

fn text(day: Option<NaiveDate>) -> Option<String> {
    day.map(|d| d.to_string())
}

fn upsert(statement: &mut rusqlite::CachedStatement, row: &StateRow) -> Result<()> {
    let f = &row.facts;
    let rated = f.rating.as_ref();
    statement.execute(params![
        f.seq,
        f.rm,
        f.registered_on.to_string(),
        f.updated_on.to_string(),
        text(match f.id_expiry {
            IdExpiry::On(day) => Some(day),
            _ => None,
        }),
        rated.map_or("", |r| r.level.as_str()),
        row.rank.map(|r| r as i64),
        rated.map(|r| r.computed.as_str()),
        rated.map(|r| r.factors.as_str()),
        text(rated.map(|r| r.rated_on)),
        text(rated.map(|r| r.next_review)),
        text(f.reviewed_on),
        text(f.trigger_on),
        f.closed,
        row.due_kind,
        row.due_on.to_string(),
        text(row.restricted_on),
        row.kyc_due_on.to_string(),
    ])?;
    Ok(())
}

/// Writes a re-rated row's rating, and its rank and due day where they changed from
/// `before`'s (see [`UPDATE_RATING`], [`UPDATE_DUE`]).
pub(crate) fn update_rating(conn: &Connection, before: &StateRow, row: &StateRow) -> Result<()> {
    let rated = row.facts.rating.as_ref();
    conn.prepare_cached(UPDATE_RATING)?.execute(params![
        row.facts.seq,
        rated.map_or("", |r| r.level.as_str()),
        rated.map(|r| r.computed.as_str()),
        rated.map(|r| r.factors.as_str()),
        text(rated.map(|r| r.rated_on)),
        text(rated.map(|r| r.next_review)),
    ])?;
    if (before.rank, before.due_kind, before.due_on) != (row.rank, row.due_kind, row.due_on) {
        conn.prepare_cached(UPDATE_DUE)?.execute(params![
            row.facts.seq,
            row.rank.map(|r| r as i64),
            row.due_kind,
            row.due_on.to_string(),
        ])?;
    }
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

/// Gives a desk row to every client of the branch who has none: those a bulk load
/// brought (unrated), those the client book from HQ brought or changed (from their facts).
/// Into an empty desk (a first load), the rows go in with the indexes built once at the end.
pub(crate) fn fill_missing(
    conn: &Connection,
    table: &FactorTable,
    calendar: &WorkCalendar,
) -> Result<usize> {
    // Counted on an index each, a desk with a row per client is seen at once (the
    // search below reads every client). A purged client keeps its (closed) row.
    let (clients, rows): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM client INDEXED BY client_by_name
                 WHERE foreign_branch = 0),
                (SELECT count(*) FROM aml_state)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if clients == rows {
        return Ok(0);
    }
    let empty = rows == 0;
    let mut missing = Vec::new();
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
            missing.push(Facts {
                seq: r.get(0)?,
                rm: r.get(1)?,
                registered_on: local_day(&r.get::<_, String>(2)?)?,
                updated_on: local_day(&r.get::<_, String>(3)?)?,
                id_expiry: IdExpiry::from_stored(expiry.as_deref())
                    .ok_or(Error::DatabaseDamaged)?,
                rating: None,
                reviewed_on: None,
                trigger_on: None,
                closed: false,
            });
        }
    }
    if empty {
        // Nothing was rated before there was a desk: every client is due for rating.
        let rows: Vec<StateRow> = missing.iter().map(|f| row_of(table, calendar, f)).collect();
        replace_all(conn, &rows)?;
    } else {
        let mut statement = conn.prepare_cached(UPSERT)?;
        for unrated in &missing {
            // A client the book changed may have ratings, triggers, a closure.
            for facts in read_facts(conn, Some(unrated.seq))? {
                upsert(&mut statement, &row_of(table, calendar, &facts))?;
            }
        }
    }
    Ok(missing.len())
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
