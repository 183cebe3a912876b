//! HQ mode: the branches HQ trusts, importing their bundles (any order, any repetition),
//! and the consolidated rows of all branches.
//!
//! Import order: the signature first (cheap; it rejects forgeries and cut-short copies), then
//! decryption and the manifest, then the branch's high-water mark decides: already imported
//! (nothing changes), a gap (the bundle waits in quarantine, the missing range named), or
//! apply in one transaction. Merging is commutative, so the order bundles arrive in does not
//! change the result: insert-only tables keep the first copy of a row (all copies are
//! equal); other rows merge field by field, the write with the greatest (HLC, branch, seq)
//! stamp winning; a delete is a tombstone field like any other; identity fields written
//! differently by two branches are listed for review.
//!
//! The statements here are ones PostgreSQL runs unchanged (`ON CONFLICT DO NOTHING`, no
//! SQLite functions, JSON kept as text and merged in Rust): moving the consolidation to
//! PostgreSQL means a PostgreSQL schema for the `hq_*` tables and another connection, not
//! another merge. The SQLite-only parts are the schema (migration 6) and the connection.

use crate::domain::hlc::Hlc;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::fsutil;
use crate::store::sync::{check_schema, file_error, read_signed, signature_path, sync_error};
use crate::store::write::{AuditEvent, Writer};
use crate::sync::SyncProblem;
use crate::sync::bundle::{self, Manifest, Op};
use crate::sync::keys::{Party, PublicKeys};
use chrono::SecondsFormat;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Tables whose rows are never changed once written: the first copy is kept.
const INSERT_ONLY: [&str; 5] = [
    "survey_response",
    "complaint_event",
    "audit_log",
    "interaction",
    "survey_template",
];
/// Tables whose row IDs are only unique within a branch (staff IDs, settings keys, audit
/// row numbers): HQ keys them by branch too.
const PER_BRANCH: [&str; 4] = ["audit_log", "settings", "staff", "survey_template"];
const TOMBSTONE: &str = "_deleted";
const FIRST: &str = "_first";
/// The stamp of every field the row was created with (so a new row stores one stamp, not
/// one per field).
const DEFAULT_STAMP: &str = "*";

/// A branch bundle as HQ reads it.
struct OpenedBundle {
    branch: String,
    manifest: Manifest,
    payload: Vec<u8>,
    bytes: Vec<u8>,
    signature: String,
}

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub file: String,
    pub missing_from: i64,
    pub missing_to: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchState {
    pub code: String,
    pub name: String,
    pub key_id: String,
    pub high_water: i64,
    pub last_import: Option<String>,
    pub quarantined: Vec<Gap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HqStatus {
    pub branches: Vec<BranchState>,
    pub rows: i64,
    pub review: i64,
}

/// A merged row as HQ holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HqRow {
    pub table: String,
    pub row_id: String,
    pub branch: String,
    pub fields: Map<String, Value>,
    pub deleted: bool,
}

/// An identity field that branches wrote differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    pub table: String,
    pub row_id: String,
    pub field: String,
    /// (branch, value), sorted.
    pub claims: Vec<(String, String)>,
}

/// Orders writes: HLC, then branch, then position. Fixed width (branch codes are at most 16
/// characters, padded with spaces, which sort before any character a code may hold), so the
/// text order is this order.
fn stamp(op: &Op, branch: &str) -> String {
    format!(
        "{:020}:{branch:<16}:{:012}:{:06}",
        op.hlc.max(0),
        op.seq.max(0),
        op.part.max(0)
    )
}

fn row_key(table: &str, branch: &str, row_id: &str) -> String {
    if PER_BRANCH.contains(&table) {
        format!("{branch}/{row_id}")
    } else {
        row_id.to_string()
    }
}

impl Session {
    /// Makes a new store HQ's: its keys are made now and printed for the branches.
    pub fn become_hq(&mut self) -> Result<PublicKeys> {
        self.require(Permission::ManageSync)?;
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
        self.require(Permission::ManageSync)?;
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

    /// Imports one bundle (its `.minisig` beside it), then any quarantined bundles of the
    /// same branch that now fit. Refusals change nothing.
    pub fn hq_import(&mut self, file: &Path) -> Result<ImportOutcome> {
        self.require(Permission::ManageSync)?;
        self.require_party(Party::Hq)?;
        let mut outcome = self.import_one(file)?;
        if let ImportOutcome::Applied {
            branch, released, ..
        } = &mut outcome
        {
            *released = self.release_quarantine(branch)?;
        }
        Ok(outcome)
    }

    /// A bundle verified against a registered branch's key, decrypted, and its manifest
    /// checked against that branch and this HQ.
    fn open_bundle(&mut self, file: &Path) -> Result<OpenedBundle> {
        let (bytes, signature) = read_signed(file)?;
        let mut signer = None;
        let verified = bundle::verify(&bytes, &signature, |key_id| {
            let (code, public) = self.branch_by_key(key_id).ok().flatten()?;
            signer = Some(code);
            minisign::PublicKey::from_base64(&public).ok()
        })
        .map_err(|p| file_error(file, p))?;
        let branch = signer.ok_or_else(|| file_error(file, SyncProblem::UnknownSigner))?;
        let identity = self.secret_keys()?.identity;
        let (manifest, payload) =
            bundle::open(&bytes, &identity, &verified).map_err(|p| file_error(file, p))?;
        self.check_manifest(file, &manifest, &branch)?;
        Ok(OpenedBundle {
            branch,
            manifest,
            payload,
            bytes,
            signature,
        })
    }

    fn import_one(&mut self, file: &Path) -> Result<ImportOutcome> {
        let OpenedBundle {
            branch,
            manifest,
            payload,
            bytes,
            signature,
        } = self.open_bundle(file)?;
        let high_water = self.high_water(&branch)?;
        if manifest.to_seq <= high_water {
            return Ok(ImportOutcome::AlreadyImported {
                branch,
                from_seq: manifest.from_seq,
                to_seq: manifest.to_seq,
            });
        }
        let sha256 = bundle::sha256_hex(&bytes);
        if manifest.from_seq > high_water + 1 {
            self.quarantine(file, &bytes, &signature, &sha256, &manifest, high_water)?;
            return Ok(ImportOutcome::Quarantined {
                branch,
                missing_from: high_water + 1,
                missing_to: manifest.from_seq - 1,
            });
        }
        // The second core inflates and parses while this one writes.
        let applied = std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel(8);
            scope.spawn(|| stream_ops(&payload, sender));
            self.apply_bundle(file, &branch, &manifest, &sha256, batches, high_water)
        })?;
        Ok(ImportOutcome::Applied {
            branch,
            from_seq: manifest.from_seq,
            to_seq: manifest.to_seq,
            ops: applied,
            released: Vec::new(),
        })
    }

    /// A bundle's ops, verified and decrypted but not applied.
    pub(crate) fn read_bundle_ops(&mut self, file: &Path) -> Result<Vec<Op>> {
        self.require_party(Party::Hq)?;
        let opened = self.open_bundle(file)?;
        parse_ops(&opened.payload, &opened.manifest).map_err(|p| file_error(file, p))
    }

    fn check_manifest(&self, file: &Path, m: &Manifest, branch: &str) -> Result<()> {
        if m.kind != "ops" {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        if m.sender != branch {
            return Err(file_error(file, SyncProblem::WrongSender));
        }
        if m.receiver_store != self.branch.store_id {
            return Err(file_error(file, SyncProblem::NotForUs));
        }
        check_schema(file, m.schema_version)?;
        if m.from_seq < 1 || m.to_seq < m.from_seq {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        Ok(())
    }

    /// Keeps a copy of a bundle that cannot be applied yet, and notes the missing range.
    fn quarantine(
        &mut self,
        file: &Path,
        bytes: &[u8],
        signature: &str,
        sha256: &str,
        m: &Manifest,
        high_water: i64,
    ) -> Result<()> {
        let already: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM hq_quarantine WHERE bundle_sha256 = ?1)",
            [sha256],
            |r| r.get(0),
        )?;
        if already {
            return Ok(());
        }
        let dir = self.paths.dir().join("quarantine");
        fsutil::create_private_dir(&dir)?;
        let kept = dir.join(format!("{sha256}.bdx"));
        fsutil::write_atomic(&kept, bytes)?;
        fsutil::write_atomic(&signature_path(&kept), signature.as_bytes())?;
        let at = self.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let name = file_name(file);
        self.write(
            AuditEvent::new("hq.quarantine", "bundle", name.clone()).with_detail(
                serde_json::json!({
                    "branch": m.sender,
                    "missing_from": high_water + 1,
                    "missing_to": m.from_seq - 1,
                }),
            ),
            |w| {
                w.execute_local(
                    "INSERT INTO hq_quarantine
                     (bundle_sha256, branch, from_seq, to_seq, missing_from, missing_to, file, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        sha256,
                        m.sender,
                        m.from_seq,
                        m.to_seq,
                        high_water + 1,
                        m.from_seq - 1,
                        kept.to_string_lossy(),
                        at
                    ],
                )
                .map(|_| ())
            },
        )
    }

    /// Applies the quarantined bundles of `branch` that now fit, oldest range first.
    fn release_quarantine(&mut self, branch: &str) -> Result<Vec<String>> {
        let mut released = Vec::new();
        loop {
            let high_water = self.high_water(branch)?;
            let next: Option<(String, String)> = self
                .conn
                .query_row(
                    "SELECT bundle_sha256, file FROM hq_quarantine
                     WHERE branch = ?1 AND from_seq <= ?2 ORDER BY to_seq DESC LIMIT 1",
                    params![branch, high_water + 1],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((sha256, kept)) = next else {
                return Ok(released);
            };
            let kept = PathBuf::from(kept);
            match self.import_one(&kept) {
                Ok(ImportOutcome::Applied { .. }) => released.push(sha256.clone()),
                Ok(ImportOutcome::AlreadyImported { .. }) => {}
                // It starts at or before the mark, so it cannot be waiting on a gap; and a
                // copy that no longer imports stays where it is for the next attempt (the
                // bundle that released it is already in).
                Ok(ImportOutcome::Quarantined { .. }) | Err(_) => {
                    tracing::warn!(%sha256, "a quarantined bundle could not be applied yet");
                    return Ok(released);
                }
            }
            self.write(
                AuditEvent::new("hq.release", "bundle", sha256.clone()),
                |w| {
                    w.execute_local(
                        "DELETE FROM hq_quarantine WHERE bundle_sha256 = ?1",
                        [&sha256],
                    )
                    .map(|_| ())
                },
            )?;
            let _ = std::fs::remove_file(signature_path(&kept));
            let _ = std::fs::remove_file(&kept);
        }
    }

    /// Applies the ops past the high-water mark, all in one transaction with the new mark.
    fn apply_bundle(
        &mut self,
        file: &Path,
        branch: &str,
        m: &Manifest,
        sha256: &str,
        batches: std::sync::mpsc::Receiver<OpBatch>,
        high_water: i64,
    ) -> Result<u64> {
        let now = self.clock.now();
        let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        let name = file_name(file);
        let seen_before = Hlc::from_i64(self.local_number("hlc_seen")?);
        let mut applied = 0u64;
        let mut max_hlc = 0i64;
        self.write(
            AuditEvent::new("hq.import", "bundle", name.clone()).with_detail(serde_json::json!({
                "branch": branch,
                "from_seq": m.from_seq,
                "to_seq": m.to_seq,
                "sha256": sha256,
            })),
            |w| {
                let mut checker = OpChecker::new(m);
                for batch in batches {
                    for op in batch.map_err(|p| file_error(file, p))? {
                        checker.check(&op).map_err(|p| file_error(file, p))?;
                        max_hlc = max_hlc.max(op.hlc);
                        if op.seq > high_water && apply_op(w, branch, &op)? {
                            applied += 1;
                        }
                    }
                }
                // Anything wrong with the ops rolls the whole bundle back.
                checker.finish(m).map_err(|p| file_error(file, p))?;
                w.execute_local(
                    "UPDATE hq_branch SET high_water = ?2, last_import = ?3, last_bundle = ?4
                     WHERE code = ?1",
                    params![branch, m.to_seq, at, sha256],
                )?;
                w.execute_local(
                    "INSERT INTO hq_import (bundle_sha256, branch, from_seq, to_seq, outcome, at)
                     VALUES (?1, ?2, ?3, ?4, 'applied', ?5)
                     ON CONFLICT (bundle_sha256) DO UPDATE SET at = excluded.at",
                    params![sha256, branch, m.from_seq, m.to_seq, at],
                )?;
                let seen = Hlc::from_i64(max_hlc).max(seen_before);
                w.set_local("hlc_seen", &seen.as_i64().to_string())
            },
        )?;
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        self.hlc = self.hlc.observe(Hlc::from_i64(max_hlc), now_ms);
        Ok(applied)
    }

    pub fn hq_status(&self) -> Result<HqStatus> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut statement = self.conn.prepare(
            "SELECT code, name, key_id, high_water, last_import FROM hq_branch ORDER BY code",
        )?;
        let mut branches: Vec<BranchState> = statement
            .query_map([], |r| {
                Ok(BranchState {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    key_id: r.get(2)?,
                    high_water: r.get(3)?,
                    last_import: r.get(4)?,
                    quarantined: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut gaps = self.conn.prepare(
            "SELECT file, missing_from, missing_to FROM hq_quarantine
             WHERE branch = ?1 ORDER BY from_seq",
        )?;
        for branch in &mut branches {
            branch.quarantined = gaps
                .query_map([&branch.code], |r| {
                    Ok(Gap {
                        file: r.get(0)?,
                        missing_from: r.get(1)?,
                        missing_to: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        let rows = self
            .conn
            .query_row("SELECT count(*) FROM hq_row", [], |r| r.get(0))?;
        let review = self.hq_review()?.len() as i64;
        Ok(HqStatus {
            branches,
            rows,
            review,
        })
    }

    /// The consolidated rows of one table, by row ID.
    pub fn hq_rows(&self, table: &str) -> Result<Vec<HqRow>> {
        self.require(Permission::ViewSync)?;
        let mut statement = self.conn.prepare(
            "SELECT row_id, branch, fields, deleted FROM hq_row WHERE tbl = ?1 ORDER BY row_id",
        )?;
        let rows = statement
            .query_map([table], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(row_id, branch, fields, deleted)| {
                Ok(HqRow {
                    table: table.to_string(),
                    row_id,
                    branch,
                    fields: serde_json::from_str(&fields).map_err(Error::internal)?,
                    deleted,
                })
            })
            .collect()
    }

    /// How many ops HQ has applied (each (branch, seq, part) once).
    pub fn hq_op_count(&self) -> Result<i64> {
        self.require(Permission::ViewSync)?;
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM hq_op", [], |r| r.get(0))?)
    }

    /// Identity fields that two branches wrote differently.
    pub fn hq_review(&self) -> Result<Vec<ReviewItem>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut statement = self.conn.prepare(
            "WITH claim (tbl, row_id, field, branch, value) AS (
                 SELECT tbl, row_id, 'name', branch, name FROM hq_claim WHERE name <> ''
                 UNION
                 SELECT tbl, row_id, 'id_number', branch, id_number FROM hq_claim
                 WHERE id_number <> ''
             )
             SELECT c.tbl, c.row_id, c.field, c.branch, c.value FROM claim c
             JOIN (SELECT tbl, row_id, field FROM claim GROUP BY tbl, row_id, field
                   HAVING count(DISTINCT value) > 1 AND count(DISTINCT branch) > 1) d
               ON c.tbl = d.tbl AND c.row_id = d.row_id AND c.field = d.field
             ORDER BY c.tbl, c.row_id, c.field, c.branch, c.value",
        )?;
        let mut items: Vec<ReviewItem> = Vec::new();
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let (table, row_id, field): (String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            let claim = (r.get(3)?, r.get(4)?);
            match items.last_mut() {
                Some(last)
                    if last.table == table && last.row_id == row_id && last.field == field =>
                {
                    last.claims.push(claim)
                }
                _ => items.push(ReviewItem {
                    table,
                    row_id,
                    field,
                    claims: vec![claim],
                }),
            }
        }
        Ok(items)
    }
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

type OpBatch = std::result::Result<Vec<Op>, SyncProblem>;

/// Inflates and parses a payload, handing over ops in batches (stops when the receiver
/// has gone, e.g. after a failed write).
fn stream_ops(payload: &[u8], sender: std::sync::mpsc::SyncSender<OpBatch>) {
    use std::io::BufRead;
    const BATCH: usize = 2048;
    let decoder = match zstd::stream::read::Decoder::new(payload) {
        Ok(d) => d,
        Err(_) => {
            let _ = sender.send(Err(SyncProblem::Damaged));
            return;
        }
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, decoder);
    let mut batch = Vec::with_capacity(BATCH);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = sender.send(Err(SyncProblem::Damaged));
                return;
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Op>(text) {
            Ok(op) => batch.push(op),
            Err(_) => {
                let _ = sender.send(Err(SyncProblem::Damaged));
                return;
            }
        }
        if batch.len() == BATCH && sender.send(Ok(std::mem::take(&mut batch))).is_err() {
            return;
        }
    }
    let _ = sender.send(Ok(batch));
}

/// Checks, as ops stream past, that a bundle holds every seq of its range in order (the
/// rows of one bulk load share a seq) and as many ops as its manifest says.
struct OpChecker {
    expected: i64,
    count: u64,
}

impl OpChecker {
    fn new(m: &Manifest) -> OpChecker {
        OpChecker {
            expected: m.from_seq,
            count: 0,
        }
    }

    fn check(&mut self, op: &Op) -> std::result::Result<(), SyncProblem> {
        self.count += 1;
        if op.seq == self.expected && op.part == 0 {
            self.expected += 1;
            Ok(())
        } else if op.seq == self.expected - 1 && op.part > 0 {
            Ok(())
        } else {
            Err(SyncProblem::Damaged)
        }
    }

    fn finish(&self, m: &Manifest) -> std::result::Result<(), SyncProblem> {
        if self.count == m.op_count && self.expected == m.to_seq + 1 {
            Ok(())
        } else {
            Err(SyncProblem::Damaged)
        }
    }
}

/// The ops of a bundle, checked against its manifest.
fn parse_ops(payload: &[u8], m: &Manifest) -> std::result::Result<Vec<Op>, SyncProblem> {
    std::thread::scope(|scope| {
        let (sender, batches) = std::sync::mpsc::sync_channel(8);
        scope.spawn(|| stream_ops(payload, sender));
        let mut checker = OpChecker::new(m);
        let mut ops = Vec::with_capacity(m.op_count as usize);
        for batch in batches {
            for op in batch? {
                checker.check(&op)?;
                ops.push(op);
            }
        }
        checker.finish(m)?;
        Ok(ops)
    })
}

/// The fields that identify a client (a change by two branches to different values goes to
/// review), read from an op without parsing the rest.
#[derive(serde::Deserialize)]
struct Identity {
    name: Option<Value>,
    id_number: Option<Value>,
}

/// The stamp a row's field carries: its own, else the row's default (`*`, the stamp of the
/// write that created the row with it); None for a field never written.
fn field_stamp<'a>(
    stamps: &'a Map<String, Value>,
    fields: &Map<String, Value>,
    name: &str,
) -> Option<&'a str> {
    stamps.get(name).and_then(Value::as_str).or_else(|| {
        fields
            .contains_key(name)
            .then(|| stamps.get(DEFAULT_STAMP).and_then(Value::as_str))
            .flatten()
    })
}

/// Applies one op once; false when this (branch, seq, part) was applied before.
fn apply_op(w: &mut Writer, branch: &str, op: &Op) -> Result<bool> {
    let fresh = w.execute_local(
        "INSERT INTO hq_op (branch, seq, part, op_id, hlc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
        params![branch, op.seq, op.part, op.op_id, op.hlc],
    )?;
    if fresh == 0 {
        return Ok(false);
    }
    if !op.fields.get().trim_start().starts_with('{') {
        return Err(Error::internal("an op's fields are not an object"));
    }
    let key = row_key(&op.table, branch, &op.row_id);
    let stamp = stamp(op, branch);
    if op.table == "client" {
        let identity: Identity = serde_json::from_str(op.fields.get()).map_err(Error::internal)?;
        let text = |value: Option<Value>| {
            value.map_or_else(String::new, |v| {
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            })
        };
        if identity.name.is_some() || identity.id_number.is_some() {
            w.execute_local(
                "INSERT INTO hq_claim (tbl, row_id, branch, name, id_number)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![
                    op.table,
                    key,
                    branch,
                    text(identity.name),
                    text(identity.id_number)
                ],
            )?;
        }
    }
    // A stamp is digits, code characters, spaces and colons: nothing JSON must escape.
    let new_stamps = || format!("{{\"{DEFAULT_STAMP}\":\"{stamp}\",\"{FIRST}\":\"{stamp}\"}}");
    // Most ops create a row: stored as it came, without parsing it.
    if op.op == "insert" {
        let inserted = w.execute_local(
            "INSERT INTO hq_row (tbl, row_id, branch, fields, stamps, deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT DO NOTHING",
            params![op.table, key, branch, op.fields.get(), new_stamps()],
        )?;
        if inserted == 1 || INSERT_ONLY.contains(&op.table.as_str()) {
            return Ok(true);
        }
    }
    let incoming = op
        .fields_map()
        .map_err(|_| Error::internal("an op's fields do not parse"))?;
    let is_delete = op.op == "delete";
    let existing: Option<(String, String, String, bool)> = w.read(
        "SELECT fields, stamps, branch, deleted FROM hq_row WHERE tbl = ?1 AND row_id = ?2",
        params![op.table, key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let Some((fields, stamps, owner, mut deleted)) = existing else {
        // A change that arrived before the row's creation: it starts the row.
        let mut stamps: Map<String, Value> =
            serde_json::from_str(&new_stamps()).map_err(Error::internal)?;
        if is_delete {
            stamps.insert(TOMBSTONE.into(), Value::from(stamp.clone()));
        }
        w.execute_local(
            "INSERT INTO hq_row (tbl, row_id, branch, fields, stamps, deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                op.table,
                key,
                branch,
                Value::Object(incoming).to_string(),
                Value::Object(stamps).to_string(),
                is_delete
            ],
        )?;
        return Ok(true);
    };
    if INSERT_ONLY.contains(&op.table.as_str()) {
        return Ok(true);
    }
    let parse = |text: &str| -> Result<Map<String, Value>> {
        serde_json::from_str(text).map_err(Error::internal)
    };
    let mut fields = parse(&fields)?;
    let mut stamps = parse(&stamps)?;
    // The row belongs to the branch of its earliest write, whatever order writes arrive in.
    let mut owner = owner;
    let earlier = stamps
        .get(FIRST)
        .and_then(Value::as_str)
        .is_none_or(|first| stamp.as_str() < first);
    if earlier {
        stamps.insert(FIRST.into(), Value::from(stamp.clone()));
        owner = branch.to_string();
    }
    if is_delete {
        deleted = true;
        let newer = stamps
            .get(TOMBSTONE)
            .and_then(Value::as_str)
            .is_none_or(|s| stamp.as_str() > s);
        if newer {
            stamps.insert(TOMBSTONE.into(), Value::from(stamp.clone()));
        }
    }
    for (name, value) in incoming {
        let newer = field_stamp(&stamps, &fields, &name).is_none_or(|s| stamp.as_str() > s);
        if newer {
            stamps.insert(name.clone(), Value::from(stamp.clone()));
            fields.insert(name, value);
        }
    }
    w.execute_local(
        "UPDATE hq_row SET branch = ?3, fields = ?4, stamps = ?5, deleted = ?6
         WHERE tbl = ?1 AND row_id = ?2",
        params![
            op.table,
            key,
            owner,
            Value::Object(fields).to_string(),
            Value::Object(stamps).to_string(),
            deleted
        ],
    )?;
    Ok(true)
}
