//! The versioned schema. `PRAGMA user_version` records which migrations have run; a store
//! written by a newer branchdesk refuses to open rather than be damaged by an older one.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The client table's secondary indexes. A bulk load into an empty table drops them and
/// builds them again at the end (sorting once is far cheaper than a million random
/// inserts), so their definition lives here, once.
macro_rules! client_indexes {
    () => {
        "
    CREATE UNIQUE INDEX IF NOT EXISTS client_by_document ON client (id_type, id_number);
    CREATE INDEX IF NOT EXISTS client_by_name ON client (foreign_branch, name);
    CREATE INDEX IF NOT EXISTS client_by_phone ON client (foreign_branch, phone_rev);
    CREATE INDEX IF NOT EXISTS client_by_id_tail ON client (foreign_branch, id_rev);
    CREATE INDEX IF NOT EXISTS client_by_rm ON client (assigned_rm);
    "
    };
}

pub(crate) const CLIENT_INDEXES: &str = client_indexes!();

/// Dropped for a bulk load into an empty table. (`client_by_rm` stays: nearly every key is
/// empty, so rows arrive in order and keeping it costs less than rebuilding it.)
pub(crate) const DROP_CLIENT_INDEXES: &str = "
    DROP INDEX client_by_document;
    DROP INDEX client_by_name;
    DROP INDEX client_by_phone;
    DROP INDEX client_by_id_tail;
";

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a shipped entry: add
/// a new one.
const MIGRATIONS: &[&str] = &[
    // 1: settings, staff, audit trail and outbox.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE staff (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('teller', 'rm', 'manager', 'auditor', 'admin')),
        status     TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        hlc       INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash      BLOB NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    CREATE TABLE outbox (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id          TEXT NOT NULL,
        tbl            TEXT NOT NULL,
        row_id         TEXT NOT NULL,
        -- insert_range: rows first_seq..=last_seq of a table's local sequence, inserted by
        -- one bulk load; the export reads the rows (a million-client load would otherwise
        -- keep every row twice).
        op             TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'insert_range')),
        fields         TEXT NOT NULL,
        hlc            INTEGER NOT NULL,
        schema_version INTEGER NOT NULL
    );
    "#,
    // 2: clients, their lookup indexes, and the contact log.
    concat!(
        r#"
    CREATE TABLE client (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        client_no         TEXT NOT NULL UNIQUE,
        kind              TEXT NOT NULL CHECK (kind IN ('person', 'company')),
        name              TEXT NOT NULL,
        gender            TEXT CHECK (gender IN ('male', 'female')),
        birth_date        TEXT,
        birth_calendar    TEXT NOT NULL CHECK (birth_calendar IN ('solar', 'lunar')),
        id_type           TEXT NOT NULL,
        id_number         TEXT NOT NULL,
        id_expiry         TEXT,
        phone             TEXT,
        email             TEXT,
        address           TEXT,
        occupation        TEXT,
        home_branch       TEXT NOT NULL,
        assigned_rm       TEXT,
        tier              TEXT NOT NULL,
        risk_level        INTEGER,
        tags              TEXT NOT NULL,
        consent_marketing INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        hlc               INTEGER NOT NULL,
        deleted           INTEGER NOT NULL DEFAULT 0,
        -- Derived for lookup; not synchronised (HQ derives its own).
        foreign_branch    INTEGER NOT NULL,
        phone_rev         TEXT,
        id_rev            TEXT NOT NULL
    ) STRICT;
    "#,
        client_indexes!(),
        r#"

    -- One- and two-character runs of Chinese names (the trigram tokenizer finds nothing
    -- under three characters, and most Chinese names are two or three).
    CREATE TABLE client_gram (
        foreign_branch INTEGER NOT NULL,
        gram           TEXT NOT NULL,
        client_seq     INTEGER NOT NULL,
        PRIMARY KEY (foreign_branch, gram, client_seq)
    ) STRICT, WITHOUT ROWID;

    -- What a result list shows of each client, kept dense (a fifteenth of a client row) so
    -- that a lookup's hits are mostly in the page cache. home_branch and client_no are
    -- empty when they are this branch's and the number derived from seq.
    CREATE TABLE client_card (
        seq         INTEGER PRIMARY KEY,
        company     INTEGER NOT NULL,
        name        TEXT NOT NULL,
        phone       TEXT,
        birth_year  INTEGER,
        assigned_rm TEXT,
        home_branch TEXT,
        client_no   TEXT
    ) STRICT;

    -- Pinyin spellings and initials, and Latin name words, for prefix lookup.
    CREATE TABLE client_key (
        foreign_branch INTEGER NOT NULL,
        key            TEXT NOT NULL,
        client_seq     INTEGER NOT NULL,
        PRIMARY KEY (foreign_branch, key, client_seq)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE interaction (
        id        TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES client (id),
        staff_id  TEXT NOT NULL,
        channel   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        note      TEXT NOT NULL,
        at        TEXT NOT NULL,
        hlc       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX interaction_by_client ON interaction (client_id, at);
    "#,
    ),
    // 3: complaints, their event history, and the board (derived from the history).
    r#"
    CREATE TABLE complaint (
        id                TEXT PRIMARY KEY,
        receipt_no        TEXT NOT NULL UNIQUE,
        client_id         TEXT REFERENCES client (id),
        complainant_name  TEXT NOT NULL,
        complainant_phone TEXT,
        channel           TEXT NOT NULL,
        category          TEXT NOT NULL,
        severity          TEXT NOT NULL,
        request           TEXT NOT NULL,
        description       TEXT NOT NULL,
        subject_staff     TEXT,
        received_on       TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        hlc               INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_by_client ON complaint (client_id);

    -- Append-only: the state of a case is what its events say.
    CREATE TABLE complaint_event (
        id           TEXT PRIMARY KEY,
        complaint_id TEXT NOT NULL REFERENCES complaint (id),
        on_date      TEXT NOT NULL,
        at           TEXT NOT NULL,
        by_staff     TEXT NOT NULL,
        step         TEXT NOT NULL,
        data         TEXT NOT NULL,
        note         TEXT,
        hlc          INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_event_by_case ON complaint_event (complaint_id, at);
    CREATE TRIGGER complaint_event_append_only_update BEFORE UPDATE ON complaint_event
        BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only'); END;
    CREATE TRIGGER complaint_event_append_only_delete BEFORE DELETE ON complaint_event
        BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only'); END;

    -- Each case's state replayed from its events, for the board (local, never sent).
    CREATE TABLE complaint_case (
        complaint_id TEXT PRIMARY KEY REFERENCES complaint (id),
        state        TEXT NOT NULL,
        clock_from   TEXT NOT NULL,
        limit_days   INTEGER NOT NULL,
        paused_days  INTEGER NOT NULL,
        paused_since TEXT,
        handler      TEXT,
        stopped_on   TEXT,
        extensions   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_case_by_state ON complaint_case (state);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to [`SCHEMA_VERSION`], each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_with(conn, MIGRATIONS)
}

fn migrate_with(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let found = schema_version(conn)?;
    let supported = migrations.len() as i64;
    if found > supported {
        return Err(Error::NewerSchema { found, supported });
    }
    for (index, sql) in migrations.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_in_order() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);

        let mut extra = MIGRATIONS.to_vec();
        extra.push("CREATE TABLE later (x INTEGER) STRICT;");
        migrate_with(&mut conn, &extra).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION + 1);
        conn.execute("INSERT INTO later VALUES (1)", []).unwrap();
    }

    #[test]
    fn a_newer_store_is_refused_and_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 3)
            .unwrap();
        match migrate(&mut conn) {
            Err(Error::NewerSchema { found, supported }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 3, SCHEMA_VERSION));
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION + 3);
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut broken = MIGRATIONS.to_vec();
        broken.push("CREATE TABLE half (x INTEGER) STRICT; THIS IS NOT SQL;");
        assert!(migrate_with(&mut conn, &broken).is_err());
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let half: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'half'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(half, 0);
    }

    #[test]
    fn the_audit_trail_refuses_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO audit_log VALUES (1, 't', 0, 'a', 'x', 'e', 'i', '{}', x'00', x'00')",
            [],
        )
        .unwrap();
        assert!(
            conn.execute("UPDATE audit_log SET actor = 'b'", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    }
}
