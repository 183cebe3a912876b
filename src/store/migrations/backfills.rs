//! The Rust half of schema steps that must fill in rows a store already has (each step in
//! the list names its backfill; both run in one transaction).

use crate::domain::care;
use crate::domain::client::BirthCalendar;
use crate::error::Result;
use crate::store::care::{INSERT_KEY, KeyRow, as_params};
use chrono::NaiveDate;

/// Fills `care_key` for the clients a store already has (schema 4).
pub(super) fn backfill_care_keys(tx: &rusqlite::Transaction) -> Result<()> {
    let rows = client_key_rows(tx, ClientsToKey::All)?;
    let mut insert = tx.prepare(INSERT_KEY)?;
    for row in &rows {
        insert.execute(as_params(row))?;
    }
    Ok(())
}

/// Whose care keys to work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientsToKey {
    All,
    /// Those who keep their birthday by the lunar calendar.
    Lunar,
}

/// The care keys of this branch's clients (their own, not their events'), sorted.
pub(crate) fn client_key_rows(
    conn: &rusqlite::Connection,
    whose: ClientsToKey,
) -> Result<Vec<KeyRow>> {
    let mut rows: Vec<KeyRow> = Vec::new();
    {
        let mut stmt = conn.prepare(match whose {
            ClientsToKey::All => {
                "SELECT seq, kind, name, birth_date, birth_calendar, id_expiry, created_at,
                        assigned_rm
                 FROM client WHERE foreign_branch = 0 AND deleted = 0"
            }
            ClientsToKey::Lunar => {
                "SELECT seq, kind, name, birth_date, birth_calendar, id_expiry, created_at,
                        assigned_rm
                 FROM client WHERE foreign_branch = 0 AND deleted = 0
                   AND birth_calendar = 'lunar'"
            }
        })?;
        let mut found = stmt.query([])?;
        while let Some(r) = found.next()? {
            let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
                Ok(r.get::<_, Option<String>>(i)?
                    .and_then(|s| s.get(..10).and_then(|d| d.parse().ok())))
            };
            let seq: i64 = r.get(0)?;
            let company = r.get::<_, String>(1)? == "company";
            let registered = date(6)?.unwrap_or_default();
            let keys = care::client_keys(
                company,
                date(3)?,
                BirthCalendar::parse(&r.get::<_, String>(4)?).unwrap_or(BirthCalendar::Solar),
                date(5)?,
                registered,
            );
            let rm: Option<String> = r.get(7)?;
            let name: String = r.get(2)?;
            rows.extend(keys.into_iter().map(|k| {
                (
                    k.kind as i64,
                    k.key,
                    i64::from(k.since),
                    seq,
                    String::new(),
                    rm.clone().unwrap_or_default(),
                    name.clone(),
                )
            }));
        }
    }
    rows.sort_unstable();
    Ok(rows)
}
