use crate::error::{Error, Result};
use crate::store::keyslots::DbKey;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// SQLite's page cache for a connection until its session sizes it for the store (see
/// `store::cache`), in KiB. Every page read from the file is decrypted and checked, so
/// misses cost more than in plain SQLite: with the 2 MiB default, encrypted lookups cost
/// 1.4–3.9x plain ones. At 96 MiB the hot lookup structures of a million clients (the
/// result cards, index interiors) stay in memory and `branchdesk bench` measures encrypted
/// p99 within 1.1x of a plaintext copy; at 64 MiB it measured 1.2–1.3x for the name classes.
pub(crate) const CACHE_KIB: i64 = crate::store::cache::FLOOR_MIB as i64 * 1024;

/// Page cache while bulk loading, in KiB: the indexes being built stay in memory.
pub(crate) const BULK_CACHE_KIB: i64 = 1024 * 1024;

/// Opens (or, with `create`, creates) the encrypted database at `path` with the raw key and
/// sets the pragmas every connection needs. Fails with [`Error::DatabaseNotOurs`] when the
/// file does not decrypt with `key`.
pub fn open_db(path: &Path, key: &DbKey, create: bool) -> Result<Connection> {
    if !create && !path.exists() {
        return Err(Error::DatabaseNotOurs {
            path: path.to_path_buf(),
        });
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    sqlcipher_ready();
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
    apply_key(&conn, key).map_err(|e| open_error(path, e))?;
    // The first read decrypts page 1: this is where a wrong key or a foreign file shows.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| open_error(path, e))?;
    configure(&conn).map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// Opens a database file without encryption, configured like the store (the benchmark's
/// baseline: the same settings, only the cipher missing).
pub(crate) fn open_plain(path: &Path) -> Result<Connection> {
    sqlcipher_ready();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
    configure(&conn).map_err(|e| open_error(path, e))?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            None,
        ));
    }
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{CACHE_KIB};
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA journal_size_limit = 67108864;"
    ))?;
    // Sessions of one process share a store (HQ's import workers): a writer waits for the
    // one before it rather than failing.
    conn.busy_timeout(std::time::Duration::from_secs(30))
}

/// SQLCipher sets itself up (its crypto provider, OpenSSL) when a process opens its first
/// connection and keys it, and that setup is not safe to run on several threads at once:
/// six threads each opening their first store together failed with "An error occurred with
/// PRAGMA key" in 2 of 150 processes. So every connection is opened after this has run once,
/// on one thread; the keyed temporary database it leaves open (deleted when the process
/// ends) also keeps SQLCipher set up instead of being torn down and set up again whenever
/// the last store connection closes.
pub(crate) fn sqlcipher_ready() {
    static READY: std::sync::OnceLock<Option<std::sync::Mutex<Connection>>> =
        std::sync::OnceLock::new();
    READY.get_or_init(|| {
        // An empty name is a private temporary database on disk (SQLCipher keys no
        // in-memory one).
        let conn = Connection::open("").ok()?;
        conn.execute_batch(
            "PRAGMA cipher_log_level = NONE;
             PRAGMA key = 'keeps SQLCipher set up';
             SELECT count(*) FROM sqlite_schema;",
        )
        .ok()?;
        Some(std::sync::Mutex::new(conn))
    });
}

/// `Connection::open`, after [`sqlcipher_ready`].
pub(crate) fn connect(path: &Path) -> rusqlite::Result<Connection> {
    sqlcipher_ready();
    Connection::open(path)
}

/// `Connection::open_in_memory`, after [`sqlcipher_ready`].
pub(crate) fn connect_in_memory() -> rusqlite::Result<Connection> {
    sqlcipher_ready();
    Connection::open_in_memory()
}

/// Keys a fresh connection. SQLCipher logging goes off first: it would otherwise print
/// "hmac check failed" and the like over the TUI.
pub(crate) fn apply_key(conn: &Connection, key: &DbKey) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let statement = zeroize::Zeroizing::new(format!("PRAGMA key = {};", *key.pragma_literal()));
    conn.execute_batch(&statement)?;
    // Every page read is checked with an HMAC. SHA-256 runs in hardware on current x86 and
    // ARM CPUs (SHA extensions), SHA-512 does not: with SHA-256 an encrypted lookup costs
    // close to a plaintext one. The choice is part of the file format, so it is made here,
    // for every connection to every store file.
    conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(NotADatabase | DatabaseCorrupt) => Error::DatabaseNotOurs {
            path: path.to_path_buf(),
        },
        Some(ReadOnly) => Error::StoreNotWritable,
        Some(CannotOpen | PermissionDenied) => Error::AccessDenied {
            path: path.parent().unwrap_or(path).to_path_buf(),
        },
        Some(DiskFull) => Error::DiskFull,
        Some(DatabaseBusy | DatabaseLocked) => Error::InUse,
        _ => Error::internal(e),
    }
}
