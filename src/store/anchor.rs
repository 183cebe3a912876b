//! The audit trail's anchor (`audit-anchor.json`): the chain head — the last row's number
//! and hash, and when it was seen — kept beside the store, outside the database.
//!
//! The chain proves that no row inside the trail was changed or removed; it cannot prove
//! that the trail was not cut short or swapped for an older copy (a restored backup, a
//! copied database file), because an older trail is a perfectly good chain. The anchor
//! can: a trail that ends before the anchored row, or holds another row there, is reported
//! by `audit verify` and `doctor`. The anchor only moves forward over a trail that
//! extends it, so it never erases the evidence; a restore records the trail it replaced in
//! the audit trail and then anchors the restored one.
//!
//! The file is authenticated (HMAC-SHA256) under a key kept inside the encrypted database
//! ([`beside_key`]): only someone who can open the store can write an anchor it accepts,
//! so putting back an older copy of the database cannot come with a matching anchor. The
//! database notes that it has an anchor, so a deleted file is noticed too.

use crate::error::{Error, Result};
use crate::store::fsutil;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::Path;

const FORMAT: &str = "branchdesk-audit-anchor";
const VERSION: u32 = 1;
/// The `sync_local` key that says this store has been anchored.
pub(crate) const ANCHORED_MARK: &str = "audit_anchored";

/// A chain head as the anchor keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The last row's number (rows are numbered from 1 without gaps).
    pub row: i64,
    /// Its hash (hex).
    pub hash: String,
    /// When the head was anchored.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnchorFile {
    format: String,
    version: u32,
    store_id: String,
    row: i64,
    hash: String,
    at: DateTime<Utc>,
    mac: String,
}

/// What was found beside the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorRead {
    Absent,
    Valid(Anchor),
    /// Present but edited, damaged or another store's.
    Damaged,
}

fn tag(guard: &[u8; 32], store_id: &str, anchor: &Anchor) -> String {
    let mut key = <Hmac<Sha256> as Mac>::new_from_slice(guard).expect("HMAC takes any key");
    key.update(b"branchdesk audit anchor key");
    let derived = key.finalize().into_bytes();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&derived).expect("HMAC takes any key");
    let unsigned = format!(
        "{FORMAT}/{VERSION}\0{store_id}\0{}\0{}\0{}",
        anchor.row,
        anchor.hash,
        anchor.at.to_rfc3339()
    );
    mac.update(unsigned.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Reads the anchor at `path` for the store `store_id`.
pub fn read(path: &Path, store_id: &str, guard: &[u8; 32]) -> AnchorRead {
    if !path.exists() {
        return AnchorRead::Absent;
    }
    let Ok(bytes) = crate::error::input::read_limited(path, crate::error::input::SMALL_FILE) else {
        return AnchorRead::Damaged;
    };
    let Ok(file) = serde_json::from_slice::<AnchorFile>(&bytes) else {
        return AnchorRead::Damaged;
    };
    let anchor = Anchor {
        row: file.row,
        hash: file.hash,
        at: file.at,
    };
    let genuine = file.format == FORMAT
        && file.version == VERSION
        && file.store_id == store_id
        && file.mac == tag(guard, store_id, &anchor);
    if genuine {
        AnchorRead::Valid(anchor)
    } else {
        AnchorRead::Damaged
    }
}

/// Writes `anchor` to `path`, whole or not at all.
pub fn write(path: &Path, store_id: &str, guard: &[u8; 32], anchor: &Anchor) -> Result<()> {
    let file = AnchorFile {
        format: FORMAT.into(),
        version: VERSION,
        store_id: store_id.into(),
        row: anchor.row,
        hash: anchor.hash.clone(),
        at: anchor.at,
        mac: tag(guard, store_id, anchor),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(Error::internal)?;
    bytes.push(b'\n');
    fsutil::write_atomic(path, &bytes)
}

/// The trail's last row and its hash (hex), if it has any.
pub(crate) fn chain_head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?
        .map(|(row, hash)| (row, hex::encode(hash))))
}

/// Whether the trail in `conn` holds the anchored row, unchanged: it extends the anchor.
pub(crate) fn extends(conn: &Connection, anchor: &Anchor) -> Result<bool> {
    let hash: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM audit_log WHERE id = ?1",
            [anchor.row],
            |r| r.get(0),
        )
        .optional()?;
    Ok(hash.is_some_and(|h| hex::encode(h) == anchor.hash))
}

/// Anchors the head of the trail in `conn` as it is `now`.
pub(crate) fn anchor_head(
    conn: &Connection,
    path: &Path,
    store_id: &str,
    guard: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some((row, hash)) = chain_head(conn)? else {
        return Ok(false);
    };
    write(path, store_id, guard, &Anchor { row, hash, at: now })?;
    mark(conn)?;
    Ok(true)
}

/// Moves the anchor to the head of the trail in `conn` — only over a trail that extends
/// it (or where there is none and the database never had one), so that a shortened or
/// replaced trail stays reported. Whether it moved.
pub(crate) fn advance(
    conn: &Connection,
    path: &Path,
    store_id: &str,
    guard: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<bool> {
    let follows = match read(path, store_id, guard) {
        AnchorRead::Valid(a) => extends(conn, &a)?,
        AnchorRead::Damaged => false,
        AnchorRead::Absent => !marked(conn)?,
    };
    if !follows {
        return Ok(false);
    }
    anchor_head(conn, path, store_id, guard, now)
}

/// The key the files kept beside the store (`audit-anchor.json`, `reached.json`) are
/// authenticated with, kept inside the encrypted database; made on first use when
/// `create` is set. A database without one (made before it, or an older copy put back)
/// accepts no such file.
pub(crate) fn beside_key(conn: &Connection, create: bool) -> Result<Option<[u8; 32]>> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM sync_local WHERE key = 'beside_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(key) = stored.and_then(|hex_text| hex::decode(hex_text).ok()) {
        return Ok(key.try_into().ok());
    }
    if !create {
        return Ok(None);
    }
    let mut key = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut key);
    conn.execute(
        "INSERT OR REPLACE INTO sync_local (key, value) VALUES ('beside_key', ?1)",
        [hex::encode(key)],
    )?;
    Ok(Some(key))
}

/// Whether the database says it has been anchored.
pub(crate) fn marked(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_local WHERE key = ?1)",
        [ANCHORED_MARK],
        |r| r.get(0),
    )?)
}

/// Notes in the database that it has been anchored.
pub(crate) fn mark(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO sync_local (key, value) VALUES (?1, '1')",
        [ANCHORED_MARK],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> Anchor {
        Anchor {
            row: 151,
            hash: "ab".repeat(32),
            at: DateTime::parse_from_rfc3339("2026-12-01T10:02:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn an_anchor_reads_back_and_an_edit_or_another_store_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit-anchor.json");
        let guard = [7u8; 32];
        assert_eq!(read(&path, "s1", &guard), AnchorRead::Absent);
        write(&path, "s1", &guard, &anchor()).unwrap();
        assert_eq!(read(&path, "s1", &guard), AnchorRead::Valid(anchor()));
        assert_eq!(read(&path, "s2", &guard), AnchorRead::Damaged);
        assert_eq!(read(&path, "s1", &[8u8; 32]), AnchorRead::Damaged);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("151", "144")).unwrap();
        assert_eq!(read(&path, "s1", &guard), AnchorRead::Damaged);
    }
}
