//! HQ mode: the branches HQ trusts, importing their bundles (any order, any repetition),
//! and the consolidated rows of all branches.
//!
//! Import order: the signature first (cheap; it rejects forgeries and cut-short copies), then
//! decryption and the manifest, then the branch's high-water mark decides: already imported
//! (nothing changes), a gap (the bundle waits in quarantine, the missing range named), or
//! apply in one transaction. The merge itself is `sync::merge` (pure, commutative and
//! idempotent): this module reads the row HQ holds, asks it, and writes what it says.
//!
//! The consolidated data lives in this store's own database or, once `hq init --database`
//! named one, in PostgreSQL (`db`: one statement text for both; `pg`: the connection, the
//! schema and the data key). The merge decides the same way for both: the back end only
//! stores what it says.

pub(crate) mod db;
mod events;
mod facts;
mod find;
mod holdings;
mod import;
mod offers;
pub(crate) mod pg;
mod pg_import;
mod points;
mod quarantine;
mod reports;
mod risk;
mod status;

pub use crate::sync::merge::ReviewItem;
pub(crate) use db::{Hq, HqRead, HqTx, hq_params};
pub use events::HqEvent;
pub use find::{FindBy, FoundClient};
pub(crate) use pg::PgHq;

pub(crate) use pg::scratch_schema;

/// Checks that a PostgreSQL database can take a new HQ's consolidation (it answers, and no
/// other HQ's data is there), before the HQ store is made.
pub fn check_hq_database(url: &str) -> Result<()> {
    PgHq::probe(url)
}
pub use holdings::{HoldingsImport, PublishedHoldings, RefusedHolding};
pub use offers::RuleConversion;
pub use points::{BranchPoints, ClientBalance};
pub use reports::{ComplaintCell, ComplaintReport, SatisfactionCell, SatisfactionReport};
pub use risk::BranchRisk;
pub use status::{BranchHealth, BranchState, Gap, HqRow, HqStatus, SyncHealth};

use crate::domain::staff::Permission;
use crate::error::{Error, HqDbProblem, Result};
use crate::store::Session;
use crate::store::fsutil;
use crate::store::sync::{file_error, sync_error};
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::keys::{Party, PublicKeys};
use serde::Serialize;
use std::path::Path;

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    Applied {
        branch: String,
        from_seq: i64,
        to_seq: i64,
        ops: u64,
        /// Quarantined bundles this one made importable, applied after it.
        released: Vec<String>,
    },
    AlreadyImported {
        branch: String,
        from_seq: i64,
        to_seq: i64,
    },
    Quarantined {
        branch: String,
        missing_from: i64,
        missing_to: i64,
    },
    /// Kept aside for good: the bundle carries, under numbers HQ already holds for this
    /// branch (`from_seq`–`to_seq`), other changes than the ones HQ holds. The branch was
    /// restored from a backup older than what it had sent and numbered new changes again.
    Forked {
        branch: String,
        from_seq: i64,
        to_seq: i64,
        /// The bundle is the older history (changes the branch lost in its restore, HQ's
        /// to look into), not the newer one the branch must renumber.
        older: bool,
    },
}

/// A consolidated row as HQ's reports read it: its ID, the branch of its earliest write,
/// its merged fields.
pub(crate) struct Consolidated {
    pub id: String,
    pub branch: String,
    pub fields: serde_json::Value,
}

impl Session {
    /// Every live consolidated row of `tbl`, its fields opened (HQ's reports read them).
    pub(crate) fn consolidated(&self, tbl: &str) -> Result<Vec<Consolidated>> {
        Ok(self
            .table_rows(tbl, true)?
            .into_iter()
            .map(|row| Consolidated {
                id: row.row_id,
                branch: row.branch,
                fields: serde_json::Value::Object(row.fields),
            })
            .collect())
    }

    /// The consolidation database's address: the one given for this run, else the one
    /// `hq init --database` kept (None: this store's own database).
    fn hq_database_url(&self) -> Result<Option<String>> {
        match &self.hq_database {
            Some(url) => Ok(Some(url.clone())),
            None => self.local_value("hq_database"),
        }
    }

    /// Points this run at a consolidation database (`[hq] database`, or
    /// `BRANCHDESK_HQ_DATABASE`) over the one `hq init` kept.
    pub fn use_hq_database(&mut self, url: Option<String>) {
        if url != self.hq_database {
            self.hq_database = url;
            self.hq_pg = std::cell::RefCell::new(None);
        }
    }

    /// HQ's consolidated data, for reading: PostgreSQL (connected and its data key opened on
    /// first use), else this store's own database.
    pub(crate) fn hq(&self) -> Result<Hq<'_>> {
        if let Ok(open) = std::cell::RefMut::filter_map(self.hq_pg.borrow_mut(), Option::as_mut) {
            return Ok(Hq::Pg(open));
        }
        let Some(url) = self.hq_database_url()? else {
            return Ok(Hq::Local(&self.conn));
        };
        let mut cell = self.hq_pg.borrow_mut();
        if cell.is_none() {
            let keys = self.stored_keys()?.ok_or(sync_error(SyncProblem::NotHq))?;
            *cell = Some(PgHq::open(&url, &self.branch.store_id, &keys.identity)?);
        }
        std::cell::RefMut::filter_map(cell, Option::as_mut)
            .map(Hq::Pg)
            .map_err(|_| Error::internal("the HQ database connection"))
    }

    /// Runs `body` on HQ's consolidated data in one transaction, with `event` on the audit
    /// trail: in the same transaction in this store's own database. On PostgreSQL the audit
    /// row is written between the work and its commit, so that a store that cannot write
    /// its trail (a full disk) changes nothing there; should the commit itself then fail,
    /// a second row says the work did not happen.
    pub(crate) fn hq_write<T>(
        &mut self,
        event: AuditEvent,
        body: impl FnOnce(&mut HqTx) -> Result<T>,
    ) -> Result<T> {
        if !matches!(self.hq()?, Hq::Pg(_)) {
            return self.write(event, |w| body(&mut HqTx::Local(w)));
        }
        // Taken out of the session while it works, so that the audit write can borrow it.
        let Some(mut pg) = self.hq_pg.borrow_mut().take() else {
            return Err(Error::internal("the HQ database connection"));
        };
        let action = event.action;
        let outcome = pg.transaction(
            |tx| body(&mut HqTx::Pg(tx)),
            || {
                crate::store::fsutil::disk_full_point(&format!("audit:{action}"))?;
                self.audit_only(event)
            },
        );
        *self.hq_pg.borrow_mut() = Some(pg);
        match outcome {
            Ok(out) => Ok(out),
            Err(pg::TxError::Work(e)) => Err(e),
            Err(pg::TxError::Commit(e)) => {
                let note =
                    AuditEvent::new("hq.not_committed", "store", self.branch.store_id.clone())
                        .with_detail(serde_json::json!({ "action": action }));
                let _ = self.audit_only(note);
                Err(e)
            }
        }
    }
}

impl Session {
    /// Makes a new store HQ's: its keys are made now and printed for the branches. With
    /// `database`, the consolidated data goes to that PostgreSQL database (made ready now,
    /// with a data key sealed to HQ's identity); without, it stays in this store.
    pub fn become_hq(&mut self, database: Option<&str>) -> Result<PublicKeys> {
        self.require(Permission::RunHq)?;
        let has_data: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM client) OR EXISTS (SELECT 1 FROM sync_local WHERE key = 'hq_keys')",
            [],
            |r| r.get(0),
        )?;
        if has_data && self.party()? != Party::Hq {
            return Err(sync_error(SyncProblem::NotHq));
        }
        let first = self.party()? != Party::Hq;
        let kept = self.local_value("hq_database")?;
        let moved = database.is_some_and(|url| kept.as_deref() != Some(url));
        if moved {
            // What HQ consolidated already stays where it is: `hq init` does not move it.
            let holds_local: bool =
                self.conn
                    .query_row("SELECT EXISTS (SELECT 1 FROM hq_branch)", [], |r| r.get(0))?;
            if kept.is_some() || holds_local {
                return Err(pg::problem(HqDbProblem::AlreadyConsolidating));
            }
        }
        let keys = self.secret_keys()?;
        if let Some(url) = database {
            PgHq::create(url, &self.branch.store_id, &keys.identity.to_public())?;
        }
        if first || moved {
            let consolidation = if database.is_some() {
                "postgres"
            } else {
                "store"
            };
            self.write(
                AuditEvent::new("hq.init", "store", self.branch.store_id.clone())
                    .with_detail(serde_json::json!({ "consolidation": consolidation })),
                |w| {
                    w.set_local("party", "hq")?;
                    match database {
                        Some(url) => w.set_local("hq_database", url),
                        None => Ok(()),
                    }
                },
            )?;
            self.use_hq_database(None);
        }
        self.sync_keys()
    }

    /// Writes HQ's age identity to `path` (a new file, readable by its owner only) for
    /// escrow or for reading a bundle with the stock `age` tool. Whoever holds it can read
    /// every branch's bundles: administrators only, and audited.
    pub fn export_hq_identity(&mut self, path: &Path) -> Result<()> {
        self.require(Permission::ManageStaff)?;
        self.require_party(Party::Hq)?;
        if path.exists() {
            return Err(Error::FileExists {
                path: path.to_path_buf(),
            });
        }
        let keys = self.secret_keys()?;
        let (_, identity) = keys.to_stored()?;
        let text = zeroize::Zeroizing::new(format!(
            "# branchdesk HQ {} age identity (key {}): keep it like the HQ store itself.\n{}\n",
            self.branch.code,
            keys.key_id(),
            identity.as_str()
        ));
        fsutil::write_atomic(path, text.as_bytes())?;
        self.audit_only(
            AuditEvent::new("hq.identity_export", "store", self.branch.store_id.clone())
                .with_detail(serde_json::json!({ "file": path.display().to_string() })),
        )
    }

    /// Registers a branch's public keys (the file its `sync keys` wrote).
    pub fn trust_branch(&mut self, path: &Path) -> Result<PublicKeys> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        let keys = PublicKeys::read(path)?;
        if keys.party != Party::Branch {
            return Err(file_error(
                path,
                SyncProblem::KeysFile {
                    path: path.to_path_buf(),
                    detail: "these are HQ's keys, not a branch's".into(),
                },
            ));
        }
        let key_id = keys.key_id()?;
        let known = self.hq()?.opt(
            "SELECT key_id FROM hq_branch WHERE code = ?1",
            hq_params![&keys.code],
            |r| r.text(0),
        )?;
        match known {
            Some(id) if id == key_id => return Ok(keys),
            Some(_) => {
                return Err(sync_error(SyncProblem::BranchKnown {
                    code: keys.code.clone(),
                }));
            }
            None => {}
        }
        self.hq_write(
            AuditEvent::new("hq.trust_branch", "branch", keys.code.clone())
                .with_detail(serde_json::json!({ "key_id": key_id })),
            |tx| {
                tx.execute(
                    "INSERT INTO hq_branch (code, name, key_id, sign_public, recipient)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    hq_params![
                        &keys.code,
                        &keys.name,
                        &key_id,
                        &keys.sign_public,
                        &keys.recipient
                    ],
                )
                .map(|_| ())
            },
        )?;
        Ok(keys)
    }

    fn branch_by_key(&self, key_id: &str) -> Result<Option<(String, String)>> {
        self.hq()?.opt(
            "SELECT code, sign_public FROM hq_branch WHERE key_id = ?1",
            hq_params![key_id],
            |r| Ok((r.text(0)?, r.text(1)?)),
        )
    }

    fn high_water(&self, branch: &str) -> Result<i64> {
        self.hq()?.one(
            "SELECT high_water FROM hq_branch WHERE code = ?1",
            hq_params![branch],
            |r| r.int(0),
        )
    }

    /// Waits until no other importer works on `branch`'s bundles, then holds it off (on
    /// PostgreSQL: an advisory lock of this connection, let go if the process dies; this
    /// store's own database has one importer at a time already).
    fn hq_lock_branch(&self, branch: &str) -> Result<()> {
        if let Hq::Pg(mut pg) = self.hq()? {
            pg.execute(
                "SELECT pg_advisory_lock(hashtext(current_schema()), hashtext(?1))::text",
                hq_params![branch],
            )?;
        }
        Ok(())
    }

    fn hq_unlock_branch(&self, branch: &str) -> Result<()> {
        if let Hq::Pg(mut pg) = self.hq()? {
            pg.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext(?1))",
                hq_params![branch],
            )?;
        }
        Ok(())
    }

    /// Sets a value of this store's own sync state outside any write (bookkeeping that
    /// follows work done elsewhere, such as the latest clock reading an import saw).
    pub(crate) fn note_local(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO sync_local (key, value) VALUES (?1, ?2)")?
            .execute(rusqlite::params![key, value])?;
        Ok(())
    }
}

pub(super) fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

impl Session {
    /// The physical limit HQ's import on PostgreSQL is compared with: the same ops as plain
    /// rows (branch, seq, part, table, row ID, fields) by binary COPY into a scratch table
    /// of the same database, in one transaction. Returns (rows, seconds).
    pub fn bench_raw_copy(
        &mut self,
        ops: &[(&str, &crate::sync::bundle::Op)],
    ) -> Result<(u64, f64)> {
        use postgres::types::{ToSql, Type};
        let Hq::Pg(mut pg) = self.hq()? else {
            return Err(Error::internal("the raw COPY needs HQ on PostgreSQL"));
        };
        let client = &mut pg.client;
        client
            .batch_execute(
                "DROP TABLE IF EXISTS bench_raw;
                 CREATE TABLE bench_raw (branch text COLLATE \"C\" NOT NULL,
                     seq bigint NOT NULL, part bigint NOT NULL, tbl text NOT NULL,
                     row_id text NOT NULL, fields jsonb NOT NULL,
                     PRIMARY KEY (branch, seq, part))",
            )
            .map_err(pg::db_error)?;
        let started = std::time::Instant::now();
        let mut tx = client.transaction().map_err(pg::db_error)?;
        let sink = tx
            .copy_in("COPY bench_raw (branch, seq, part, tbl, row_id, fields) FROM STDIN BINARY")
            .map_err(pg::db_error)?;
        let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(
            sink,
            &[
                Type::TEXT,
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::JSONB,
            ],
        );
        for (branch, op) in ops {
            let fields = db::Param::Text(op.fields.get());
            let row: [&(dyn ToSql + Sync); 6] =
                [branch, &op.seq, &op.part, &op.table, &op.row_id, &fields];
            writer.write(&row).map_err(pg::db_error)?;
        }
        writer.finish().map_err(pg::db_error)?;
        tx.commit().map_err(pg::db_error)?;
        let seconds = started.elapsed().as_secs_f64();
        client
            .batch_execute("DROP TABLE bench_raw")
            .map_err(pg::db_error)?;
        Ok((ops.len() as u64, seconds))
    }

    /// The floor of storing what HQ stored: every row the consolidated tables now hold, as
    /// stored (sealed, with its blind indexes), copied out, then timed going back in by
    /// binary COPY in one transaction into tables of the same columns and indexes (`bench
    /// sync`). No verifying, opening, merging or sealing: only what the database must do to
    /// hold the rows. The seconds; the tables are dropped after.
    pub fn bench_stored_copy(&mut self) -> Result<f64> {
        use std::io::{Read, Write};
        let Hq::Pg(mut pg) = self.hq()? else {
            return Err(Error::internal(
                "the stored rows' COPY needs HQ on PostgreSQL",
            ));
        };
        let client = &mut pg.client;
        let mut stored = Vec::new();
        for table in IMPORT_WRITES {
            client
                .batch_execute(&format!(
                    "DROP TABLE IF EXISTS bench_{table};
                     CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)"
                ))
                .map_err(pg::db_error)?;
            let mut rows = Vec::new();
            client
                .copy_out(&format!("COPY (SELECT * FROM {table}) TO STDOUT BINARY"))
                .map_err(pg::db_error)?
                .read_to_end(&mut rows)
                .map_err(Error::internal)?;
            stored.push((table, rows));
        }
        let started = std::time::Instant::now();
        let mut tx = client.transaction().map_err(pg::db_error)?;
        for (table, rows) in &stored {
            let mut sink = tx
                .copy_in(&format!("COPY bench_{table} FROM STDIN BINARY"))
                .map_err(pg::db_error)?;
            sink.write_all(rows).map_err(Error::internal)?;
            sink.finish().map_err(pg::db_error)?;
        }
        tx.commit().map_err(pg::db_error)?;
        let seconds = started.elapsed().as_secs_f64();
        for table in IMPORT_WRITES {
            client
                .batch_execute(&format!("DROP TABLE bench_{table}"))
                .map_err(pg::db_error)?;
        }
        Ok(seconds)
    }
}

/// The consolidated tables an import writes rows into.
const IMPORT_WRITES: [&str; 7] = [
    "hq_op",
    "hq_key",
    "hq_claim",
    "hq_row",
    "hq_complaint",
    "hq_complaint_cell",
    "hq_survey",
];
