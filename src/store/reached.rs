//! How far this store's numbering has reached (`reached.json`), kept beside the store,
//! outside the database: the last change number (seq), the clock (HLC), the last client
//! number, the receipt numbers given out per day of receipt, and how far changes were
//! sent to HQ.
//!
//! These numbers leave the store — in bundles to HQ, on receipt slips, told to clients —
//! and a restored older database would hand them out again: change 693 would mean one
//! thing at the branch and another at HQ, and two clients would carry DEMO01-0000301. A
//! restore reads this file (and the database it replaces, if that still opens) and makes
//! the restored store continue past everything reached. The file only grows (each value
//! is the larger of the file's and the database's), and it is authenticated like the audit
//! anchor, under the key kept inside the database (`anchor::beside_key`).

use crate::error::{Error, Result};
use crate::store::fsutil;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::Path;

const FORMAT: &str = "branchdesk-reached";
const VERSION: u32 = 1;
/// Receipt numbers are kept for the days of receipt this far back from the latest: a
/// complaint is rarely registered a year after it was received.
const RECEIPT_DAYS: i64 = 400;

/// The numbers a store has reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    /// The last change number handed out (the outbox's sequence).
    pub seq: i64,
    /// The last change number sent to an HQ in a bundle.
    pub exported_seq: i64,
    /// The hybrid logical clock's last reading.
    pub hlc: i64,
    /// The last client number's serial (`BJ0101-0000301` → 301).
    pub client_seq: i64,
    /// Receipt numbers given out, per day of receipt (`YYYYMMDD` → the last serial).
    pub receipts: BTreeMap<String, i64>,
}

impl Reached {
    /// Each value the larger of the two.
    pub fn max(mut self, other: &Reached) -> Reached {
        self.seq = self.seq.max(other.seq);
        self.exported_seq = self.exported_seq.max(other.exported_seq);
        self.hlc = self.hlc.max(other.hlc);
        self.client_seq = self.client_seq.max(other.client_seq);
        for (day, serial) in &other.receipts {
            let kept = self.receipts.entry(day.clone()).or_insert(0);
            *kept = (*kept).max(*serial);
        }
        self.trim_receipts();
        self
    }

    fn trim_receipts(&mut self) {
        let Some(latest) = self.receipts.keys().next_back().cloned() else {
            return;
        };
        let Ok(latest) = NaiveDate::parse_from_str(&latest, "%Y%m%d") else {
            return;
        };
        let oldest = (latest - chrono::Duration::days(RECEIPT_DAYS))
            .format("%Y%m%d")
            .to_string();
        self.receipts.retain(|day, _| *day >= oldest);
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReachedFile {
    format: String,
    version: u32,
    store_id: String,
    at: DateTime<Utc>,
    reached: Reached,
    mac: String,
}

fn tag(guard: &[u8; 32], store_id: &str, at: &DateTime<Utc>, reached: &Reached) -> String {
    let mut key = <Hmac<Sha256> as Mac>::new_from_slice(guard).expect("HMAC takes any key");
    key.update(b"branchdesk reached key");
    let derived = key.finalize().into_bytes();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&derived).expect("HMAC takes any key");
    let body = serde_json::to_string(reached).unwrap_or_default();
    mac.update(
        format!(
            "{FORMAT}/{VERSION}\0{store_id}\0{}\0{body}",
            at.to_rfc3339()
        )
        .as_bytes(),
    );
    hex::encode(mac.finalize().into_bytes())
}

/// The numbers kept at `path` for `store_id`; nothing when the file is absent, damaged,
/// edited or another store's (the database being replaced, if it opens, still says).
pub fn read(path: &Path, store_id: &str, guard: &[u8; 32]) -> Option<Reached> {
    let bytes = crate::error::input::read_limited(path, crate::error::input::SMALL_FILE).ok()?;
    let file: ReachedFile = serde_json::from_slice(&bytes).ok()?;
    let genuine = file.format == FORMAT
        && file.version == VERSION
        && file.store_id == store_id
        && file.mac == tag(guard, store_id, &file.at, &file.reached);
    genuine.then_some(file.reached)
}

/// Writes `reached` to `path`, whole or not at all.
pub fn write(
    path: &Path,
    store_id: &str,
    guard: &[u8; 32],
    reached: &Reached,
    at: DateTime<Utc>,
) -> Result<()> {
    let file = ReachedFile {
        format: FORMAT.into(),
        version: VERSION,
        store_id: store_id.into(),
        at,
        reached: reached.clone(),
        mac: tag(guard, store_id, &at, reached),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(Error::internal)?;
    bytes.push(b'\n');
    fsutil::write_atomic(path, &bytes)
}

/// What the database in `conn` has reached, its floors included.
pub(crate) fn in_database(conn: &Connection) -> Result<Reached> {
    let number = |sql: &str| -> Result<i64> {
        Ok(conn
            .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
            .unwrap_or(0))
    };
    let local = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM sync_local WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    };
    let local_number =
        |key: &str| -> Result<i64> { Ok(local(key)?.and_then(|v| v.parse().ok()).unwrap_or(0)) };
    let mut receipts: BTreeMap<String, i64> = local("receipt_floors")?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    // Receipts are numbered per day of receipt (`BJ0101-20261201-007`): the day's highest
    // serial.
    let mut statement = conn.prepare(
        "SELECT day, max(CAST(substr(receipt_no, instr(receipt_no, '-' || day || '-') + 10)
                              AS INTEGER))
         FROM (SELECT replace(received_on, '-', '') AS day, receipt_no FROM complaint)
         GROUP BY day",
    )?;
    let counted = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in counted {
        let (day, count) = row?;
        let kept = receipts.entry(day).or_insert(0);
        *kept = (*kept).max(count);
    }
    let mut reached = Reached {
        seq: number("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")?,
        exported_seq: local_number("last_export_seq")?,
        // The clock only moves forward, so the last row holds its last reading.
        hlc: number("SELECT hlc FROM audit_log ORDER BY id DESC LIMIT 1")?
            .max(local_number("hlc_floor")?),
        client_seq: number("SELECT max(seq) FROM client")?.max(local_number("client_seq_floor")?),
        receipts,
    };
    reached.trim_receipts();
    Ok(reached)
}

/// Makes the database in `conn` (a restored copy, before anyone works in it) continue past
/// `floors`: the change numbers it never had become a void that its exports declare, and
/// the clock, client numbers and receipt numbers start beyond what was reached. Only its
/// own bookkeeping changes; the restore's audit row records the floors.
pub(crate) fn raise(conn: &Connection, floors: &Reached) -> Result<()> {
    let here = in_database(conn)?;
    let set = |key: &str, value: String| -> Result<()> {
        conn.execute(
            "INSERT OR REPLACE INTO sync_local (key, value) VALUES (?1, ?2)",
            rusqlite::params![key, value],
        )?;
        Ok(())
    };
    if floors.seq > here.seq {
        // Up to the last export the numbers went to HQ (it holds them, or will); past it
        // they never left and are skipped for good.
        let sent_to = floors.seq.min(floors.exported_seq);
        if sent_to > here.seq {
            let mut sent = void_ranges(conn)?;
            sent.push((here.seq + 1, sent_to));
            set(
                "void_ranges",
                serde_json::to_string(&sent).map_err(Error::internal)?,
            )?;
        }
        let unsent_from = here.seq.max(floors.exported_seq) + 1;
        if unsent_from <= floors.seq {
            let mut unsent = skipped_ranges(conn)?;
            unsent.push((unsent_from, floors.seq));
            set(
                "skipped_ranges",
                serde_json::to_string(&unsent).map_err(Error::internal)?,
            )?;
        }
        let updated = conn.execute(
            "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'outbox'",
            [floors.seq],
        )?;
        if updated == 0 {
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?1)",
                [floors.seq],
            )?;
        }
    }
    let both = here.clone().max(floors);
    set("client_seq_floor", both.client_seq.to_string())?;
    set("hlc_floor", both.hlc.to_string())?;
    set("last_export_seq", both.exported_seq.to_string())?;
    set(
        "receipt_floors",
        serde_json::to_string(&both.receipts).map_err(Error::internal)?,
    )?;
    Ok(())
}

/// The change numbers this store no longer has because a restore skipped past them: the
/// store it replaced handed them out and sent them to HQ. `(first, last)`, oldest first.
pub(crate) fn void_ranges(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    ranges(conn, "void_ranges")
}

/// The change numbers a replaced store handed out and never sent: lost with it, and
/// skipped for good.
pub(crate) fn skipped_ranges(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    ranges(conn, "skipped_ranges")
}

fn ranges(conn: &Connection, key: &str) -> Result<Vec<(i64, i64)>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM sync_local WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// The receipt serial a day's numbering continues from: past its complaints here and past
/// what a replaced store gave out that day.
pub(crate) fn receipt_floor(conn: &Connection, day: NaiveDate) -> Result<i64> {
    let floors: BTreeMap<String, i64> = conn
        .query_row(
            "SELECT value FROM sync_local WHERE key = 'receipt_floors'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    Ok(floors
        .get(&day.format("%Y%m%d").to_string())
        .copied()
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_larger_of_each_number_is_kept_and_the_file_is_authenticated() {
        let a = Reached {
            seq: 696,
            exported_seq: 696,
            hlc: 10,
            client_seq: 301,
            receipts: BTreeMap::from([("20261201".into(), 7)]),
        };
        let b = Reached {
            seq: 691,
            exported_seq: 600,
            hlc: 12,
            client_seq: 299,
            receipts: BTreeMap::from([("20261201".into(), 5), ("20261130".into(), 2)]),
        };
        let both = a.clone().max(&b);
        assert_eq!((both.seq, both.hlc, both.client_seq), (696, 12, 301));
        assert_eq!(both.receipts["20261201"], 7);
        assert_eq!(both.receipts["20261130"], 2);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reached.json");
        let guard = [3u8; 32];
        let at = Utc::now();
        write(&path, "s1", &guard, &both, at).unwrap();
        assert_eq!(read(&path, "s1", &guard), Some(both.clone()));
        assert_eq!(read(&path, "s2", &guard), None);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"seq\": 696", "\"seq\": 1")).unwrap();
        assert_eq!(read(&path, "s1", &guard), None);
    }
}
