//! HQ mode: the branches HQ trusts, importing their bundles (any order, any repetition),
//! and the consolidated rows of all branches.
//!
//! Import order: the signature first (cheap; it rejects forgeries and cut-short copies), then
//! decryption and the manifest, then the branch's high-water mark decides: already imported
//! (nothing changes), a gap (the bundle waits in quarantine, the missing range named), or
//! apply in one transaction. The merge itself is `sync::merge` (pure, commutative and
//! idempotent): this module reads the row HQ holds, asks it, and writes what it says.
//!
//! The statements here are ones PostgreSQL runs unchanged (`ON CONFLICT DO NOTHING`, no
//! SQLite functions, JSON kept as text and merged in Rust): moving the consolidation to
//! PostgreSQL means a PostgreSQL schema for the `hq_*` tables and another connection, not
//! another merge. The SQLite-only parts are the schema (migration 6) and the connection.

mod events;
mod holdings;
mod import;
mod offers;
mod points;
mod quarantine;
mod risk;
mod status;

pub use crate::sync::merge::ReviewItem;
pub use events::HqEvent;
pub use holdings::{HoldingsImport, PublishedHoldings, RefusedHolding};
pub use offers::RuleConversion;
pub use points::{BranchPoints, ClientBalance};
pub use risk::BranchRisk;
pub use status::{BranchState, Gap, HqRow, HqStatus};

use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::fsutil;
use crate::store::sync::{file_error, sync_error};
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::keys::{Party, PublicKeys};
use rusqlite::{OptionalExtension, params};
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
    /// Every live consolidated row of `tbl`, its fields parsed (HQ's reports read them).
    pub(crate) fn consolidated(&self, tbl: &str) -> Result<Vec<Consolidated>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT row_id, branch, fields FROM hq_row WHERE tbl = ?1 AND deleted = 0",
        )?;
        let rows = statement
            .query_map([tbl], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, branch, fields)| {
                let fields = serde_json::from_str(&fields).map_err(|_| Error::DatabaseDamaged)?;
                Ok(Consolidated { id, branch, fields })
            })
            .collect()
    }
}

impl Session {
    /// Makes a new store HQ's: its keys are made now and printed for the branches.
    pub fn become_hq(&mut self) -> Result<PublicKeys> {
        self.require(Permission::RunHq)?;
        let has_data: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM client) OR EXISTS (SELECT 1 FROM sync_local WHERE key = 'hq_keys')",
            [],
            |r| r.get(0),
        )?;
        if has_data && self.party()? != Party::Hq {
            return Err(sync_error(SyncProblem::NotHq));
        }
        if self.party()? != Party::Hq {
            self.write(
                AuditEvent::new("hq.init", "store", self.branch.store_id.clone()),
                |w| w.set_local("party", "hq"),
            )?;
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
        let known: Option<String> = self
            .conn
            .query_row(
                "SELECT key_id FROM hq_branch WHERE code = ?1",
                [&keys.code],
                |r| r.get(0),
            )
            .optional()?;
        match known {
            Some(id) if id == key_id => return Ok(keys),
            Some(_) => {
                return Err(sync_error(SyncProblem::BranchKnown {
                    code: keys.code.clone(),
                }));
            }
            None => {}
        }
        self.write(
            AuditEvent::new("hq.trust_branch", "branch", keys.code.clone())
                .with_detail(serde_json::json!({ "key_id": key_id })),
            |w| {
                w.execute_local(
                    "INSERT INTO hq_branch (code, name, key_id, sign_public, recipient)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        keys.code,
                        keys.name,
                        key_id,
                        keys.sign_public,
                        keys.recipient
                    ],
                )
                .map(|_| ())
            },
        )?;
        Ok(keys)
    }

    fn branch_by_key(&self, key_id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT code, sign_public FROM hq_branch WHERE key_id = ?1",
                [key_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn high_water(&self, branch: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT high_water FROM hq_branch WHERE code = ?1",
            [branch],
            |r| r.get(0),
        )?)
    }
}

pub(super) fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}
