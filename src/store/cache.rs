//! How much of the store SQLite keeps decrypted in its page cache, and filling it with what
//! lookups read. Every page read from the file is decrypted and its HMAC checked, so a miss
//! costs more than in plain SQLite. A lookup reads a few leaves of one index and a few result
//! cards, at random: once the store is large those leaves are mostly not in the cache, and
//! each miss pays the decryption (at ten million clients, p99 up to 4x a plaintext copy).
//! So the cache is sized to hold the lookup's structures — about a third of the file (at ten
//! million clients: the cards, the name, pinyin, gram, phone, ID-tail, document and client
//! number indexes are 2.9 GiB of 9 GiB) — never under the floor and never over a share of
//! the machine's memory nor the cap, unless the configuration names a size; and after
//! login the worker reads those structures into it while the workstation is idle, a little
//! at a time, so that the cache is as a day's work would leave it.

use crate::error::Result;
use crate::store::Session;
use serde::Serialize;

const MIB: u64 = 1024 * 1024;

/// The least cache any store gets: what a million clients need (measured with
/// `branchdesk bench`: encrypted p99 within 1.1x of plaintext).
pub const FLOOR_MIB: u64 = 96;
/// The cache is this share of the store's file (`STORE_SHARE_EIGHTHS`/8): what the lookup's
/// structures take (a third), with room for the pages of the clients opened.
pub const STORE_SHARE_EIGHTHS: u64 = 4;
/// …and at most this share of the machine's memory (1/`MEMORY_SHARE`).
pub const MEMORY_SHARE: u64 = 4;
/// …and never more than this, whatever the machine.
pub const CAP_MIB: u64 = 8192;
/// What `page_cache_mib` in the configuration may say.
pub const CONFIGURED_MIB: std::ops::RangeInclusive<u32> = 16..=65536;

/// Why the cache has the size it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheReason {
    /// The store is small: the floor.
    Floor,
    /// A share of the store's size.
    StoreShare,
    /// The share of the store would take too much of the machine's memory.
    MemoryCap,
    /// The share of the store is over the cap.
    Cap,
    /// `page_cache_mib` in the configuration.
    Configured,
}

/// The page cache a store gets, with what it was worked out from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CachePlan {
    pub mib: u64,
    pub store_mib: u64,
    /// The machine's memory, where it could be read.
    pub memory_mib: Option<u64>,
    pub reason: CacheReason,
}

impl CachePlan {
    /// The size as `PRAGMA cache_size` takes it (negative: KiB).
    pub fn pragma_kib(&self) -> i64 {
        i64::try_from(self.mib.saturating_mul(1024)).unwrap_or(i64::MAX)
    }
}

/// The cache for a store file of `store_bytes` on a machine with `memory_bytes` (None when
/// unknown), or the configured size.
pub fn plan(store_bytes: u64, memory_bytes: Option<u64>, configured_mib: Option<u32>) -> CachePlan {
    let store_mib = store_bytes.div_ceil(MIB);
    let memory_mib = memory_bytes.map(|b| b / MIB);
    let plan = |mib, reason| CachePlan {
        mib,
        store_mib,
        memory_mib,
        reason,
    };
    if let Some(mib) = configured_mib {
        return plan(u64::from(mib), CacheReason::Configured);
    }
    let share = store_mib * STORE_SHARE_EIGHTHS / 8;
    if share <= FLOOR_MIB {
        return plan(FLOOR_MIB, CacheReason::Floor);
    }
    let memory_cap = memory_mib.map_or(CAP_MIB, |m| (m / MEMORY_SHARE).max(FLOOR_MIB));
    if memory_cap < share && memory_cap <= CAP_MIB {
        return plan(memory_cap, CacheReason::MemoryCap);
    }
    if share > CAP_MIB {
        return plan(CAP_MIB, CacheReason::Cap);
    }
    plan(share, CacheReason::StoreShare)
}

/// The machine's memory (Linux: `MemTotal` in /proc/meminfo); None elsewhere.
pub fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// What the lookup reads, in the order it is warmed (the most used first): where to scan,
/// the key the scan is ordered by (then the rest of what it reads, for the byte count), and
/// a filter (only what a lookup can reach).
const LOOKUP_STRUCTURES: [(&str, &str, &str); 8] = [
    (
        "client_card",
        "seq, company, name, phone, birth_year, assigned_rm, home_branch, client_no",
        "1",
    ),
    (
        "client INDEXED BY client_by_name",
        "foreign_branch, name, rowid",
        "1",
    ),
    ("client_key", "foreign_branch, key, client_seq", "1"),
    ("client_gram", "foreign_branch, gram, client_seq", "1"),
    (
        "client INDEXED BY client_by_phone",
        "foreign_branch, phone_rev, rowid",
        "phone_rev IS NOT NULL",
    ),
    (
        "client INDEXED BY client_by_id_tail",
        "foreign_branch, id_rev, rowid",
        "1",
    ),
    (
        "client INDEXED BY client_by_document",
        "id_type, id_number, rowid",
        "1",
    ),
    ("client", "client_no", "1"),
];

/// Rows read by one step of warming: a few milliseconds, so a keystroke waits no longer.
const WARM_ROWS: i64 = 4000;

/// Bytes a b-tree spends on a row beyond its record: the cell's pointer and size (and a
/// table's rowid). With the record's header (a byte per column and one) and SQLite's compact
/// integers this comes within a few percent of what `dbstat` counts for the lookup's
/// structures of a freshly loaded store.
const CELL_OVERHEAD: u64 = 4;

/// How far warming the cache has come.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Warming {
    /// The structure being read (an index into [`LOOKUP_STRUCTURES`]).
    structure: usize,
    /// The key of the last row read in it.
    after: Option<Vec<rusqlite::types::Value>>,
    /// Bytes read so far (values and their overhead): warming stops when the cache is
    /// nearly full rather than push out what it read first.
    bytes: u64,
    /// Rows read so far.
    rows: u64,
    done: bool,
}

impl Session {
    /// Reads the next few thousand rows of the lookup's structures into the page cache;
    /// false once everything fits or is read (or the cache is full).
    pub fn warm_cache_step(&mut self) -> Result<bool> {
        use rusqlite::types::Value;
        // Stop short of a full cache, so the first structures read are not pushed out.
        let budget = self.cache.mib * MIB / 10 * 8;
        let warming = &mut self.warming;
        if warming.done {
            return Ok(false);
        }
        let Some((from, key, filter)) = LOOKUP_STRUCTURES.get(warming.structure) else {
            warming.done = true;
            return Ok(false);
        };
        let columns = key.split(", ").count();
        // A table is ordered by its first column (the rowid); an index by all of them.
        let order: Vec<&str> = match *from {
            "client_card" => vec!["seq"],
            _ => key.split(", ").collect(),
        };
        let placeholders: Vec<String> = (1..=order.len()).map(|i| format!("?{i}")).collect();
        let order = order.join(", ");
        let after = match &warming.after {
            Some(_) => format!("({order}) > ({})", placeholders.join(", ")),
            None => "1".to_string(),
        };
        let sql = format!(
            "SELECT {key} FROM {from} WHERE {filter} AND {after} ORDER BY {order} \
             LIMIT {WARM_ROWS}"
        );
        let ordered = order.split(", ").count();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<Value> = warming.after.clone().unwrap_or_default();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut read = 0;
        let mut last = None;
        while let Some(row) = rows.next()? {
            let values: Vec<Value> = (0..columns)
                .map(|i| row.get::<_, Value>(i))
                .collect::<rusqlite::Result<_>>()?;
            let record: u64 = values.iter().map(value_bytes).sum();
            warming.bytes += CELL_OVERHEAD + 1 + columns as u64 + record;
            warming.rows += 1;
            last = Some(values);
            read += 1;
        }
        if read < WARM_ROWS {
            warming.structure += 1;
            warming.after = None;
        } else {
            warming.after = last.map(|mut values| {
                values.truncate(ordered);
                values
            });
        }
        if warming.bytes >= budget || warming.structure >= LOOKUP_STRUCTURES.len() {
            warming.done = true;
        }
        Ok(!warming.done)
    }

    /// Warms the cache to the end (the benchmark's steady state); returns the rows read.
    pub fn warm_cache(&mut self) -> Result<u64> {
        while self.warm_cache_step()? {}
        Ok(self.warming.rows)
    }

    /// What warming has read so far, in bytes as the b-trees hold them (an estimate).
    pub fn warmed_bytes(&self) -> u64 {
        self.warming.bytes
    }
}

/// A value's bytes in a SQLite record (integers take only the bytes they need; 0 and 1
/// none).
fn value_bytes(value: &rusqlite::types::Value) -> u64 {
    use rusqlite::types::Value;
    match value {
        Value::Null | Value::Integer(0 | 1) => 0,
        Value::Integer(n) => match n.unsigned_abs() {
            ..0x80 => 1,
            0x80..0x8000 => 2,
            0x8000..0x80_0000 => 3,
            0x80_0000..0x8000_0000 => 4,
            0x8000_0000..0x8000_0000_0000 => 6,
            _ => 8,
        },
        Value::Real(_) => 8,
        Value::Text(text) => text.len() as u64,
        Value::Blob(blob) => blob.len() as u64,
    }
}

impl Session {
    /// Sizes the page cache for the store as it is now (at login, and after the file was
    /// replaced by a rekey or a bulk load).
    pub(crate) fn size_cache(&mut self) -> Result<()> {
        let bytes = std::fs::metadata(self.paths.db()).map_or(0, |m| m.len());
        self.cache = plan(bytes, machine_memory(), self.options.cache_mib);
        // A new connection starts with an empty cache.
        self.warming = Warming::default();
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = -{};",
            self.cache.pragma_kib()
        ))?;
        Ok(())
    }

    /// The page cache this session runs with.
    pub fn cache_plan(&self) -> CachePlan {
        self.cache
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * MIB;

    #[test]
    fn the_cache_follows_the_store_within_the_floor_the_memory_and_the_cap() {
        let mib = |plan: CachePlan| (plan.mib, plan.reason);
        // A small branch: the floor.
        assert_eq!(
            mib(plan(150 * MIB, Some(8 * GIB), None)),
            (96, CacheReason::Floor)
        );
        // A million clients (about 900 MiB): half the store.
        assert_eq!(
            mib(plan(900 * MIB, Some(8 * GIB), None)),
            (450, CacheReason::StoreShare)
        );
        // Ten million (9 GiB) on a 24 GiB machine.
        assert_eq!(
            mib(plan(9 * GIB, Some(24 * GIB), None)),
            (4608, CacheReason::StoreShare)
        );
        // The same store on a 4 GiB counter terminal: a quarter of its memory.
        assert_eq!(
            mib(plan(9 * GIB, Some(4 * GIB), None)),
            (1024, CacheReason::MemoryCap)
        );
        // A huge store on a big server: the cap.
        assert_eq!(
            mib(plan(64 * GIB, Some(256 * GIB), None)),
            (CAP_MIB, CacheReason::Cap)
        );
        // Memory unknown: the store's share, within the cap.
        assert_eq!(
            mib(plan(9 * GIB, None, None)),
            (4608, CacheReason::StoreShare)
        );
        // A tiny machine never goes under the floor.
        assert_eq!(
            mib(plan(9 * GIB, Some(256 * MIB), None)),
            (FLOOR_MIB, CacheReason::MemoryCap)
        );
        // The configuration wins.
        let configured = plan(9 * GIB, Some(24 * GIB), Some(300));
        assert_eq!(mib(configured), (300, CacheReason::Configured));
        assert_eq!(configured.pragma_kib(), 300 * 1024);
        assert_eq!(
            (configured.store_mib, configured.memory_mib),
            (9216, Some(24576))
        );
    }

    #[test]
    fn this_machine_says_how_much_memory_it_has() {
        if cfg!(target_os = "linux") {
            assert!(machine_memory().is_some_and(|b| b > 64 * MIB));
        }
    }
}
