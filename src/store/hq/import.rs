//! Importing a branch's bundle at HQ: verify, decrypt, check the manifest, then by the
//! branch's high-water mark skip it, quarantine it, or apply its ops in one transaction
//! (inflating and parsing on the second core while the first writes).

use super::db::{HqTx, lookup_key};
use super::pg_import;
use super::{HqRead, hq_params};
use super::{ImportOutcome, file_name};
use crate::domain::hlc::Hlc;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::sync::{check_schema, file_error, read_signed};
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::bundle::{self, Manifest, Op};
use crate::sync::keys::Party;
use crate::sync::merge::{self, Merge, Merged};
use chrono::SecondsFormat;
use serde_json::{Map, Value};
use std::path::Path;

/// A branch bundle as HQ reads it.
struct OpenedBundle {
    branch: String,
    manifest: Manifest,
    payload: Vec<u8>,
    bytes: Vec<u8>,
    signature: String,
}

impl Session {
    /// Imports one bundle (its `.minisig` beside it), then any quarantined bundles of the
    /// same branch that now fit. Refusals change nothing.
    pub fn hq_import(&mut self, file: &Path) -> Result<ImportOutcome> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        self.ensure_report_facts()?;
        let mut outcome = self.import_one(file, None)?;
        if let ImportOutcome::Applied {
            branch, released, ..
        } = &mut outcome
        {
            *released = self.release_quarantine(branch)?;
        }
        Ok(outcome)
    }

    /// Imports `files` with up to `workers` importers at once (on PostgreSQL; this store's
    /// own database takes them one by one), telling `done` each file's outcome (by its
    /// place in `files`) as it comes. Bundles of different branches go in side by side; one
    /// branch's take turns under its lock, and the quarantine puts them in order.
    pub fn hq_import_files(
        &mut self,
        files: &[std::path::PathBuf],
        workers: usize,
        done: &mut dyn FnMut(usize, Result<ImportOutcome>),
    ) -> Result<()> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        // Made once here, so that the workers find them made.
        self.ensure_report_facts()?;
        let on_postgres = matches!(self.hq()?, super::Hq::Pg(_));
        let workers = if on_postgres {
            workers.clamp(1, files.len().max(1))
        } else {
            1
        };
        if workers == 1 {
            for (i, file) in files.iter().enumerate() {
                done(i, self.hq_import(file));
            }
            return Ok(());
        }
        let mut sessions = (0..workers)
            .map(|_| self.worker())
            .collect::<Result<Vec<_>>>()?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let (sender, outcomes) = std::sync::mpsc::channel();
            for session in &mut sessions {
                let (sender, next) = (sender.clone(), &next);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            break;
                        };
                        if sender.send((i, session.hq_import(file))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            for (i, outcome) in outcomes {
                done(i, outcome);
            }
        });
        // This session's clock moves past everything its workers saw.
        let now_ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        for session in &sessions {
            self.hlc = self.hlc.observe(session.hlc, now_ms);
        }
        Ok(())
    }

    /// A bundle verified against a registered branch's key, decrypted, and its manifest
    /// checked against that branch and this HQ.
    fn open_bundle(
        &mut self,
        file: &Path,
        kept: Option<(Vec<u8>, String)>,
    ) -> Result<OpenedBundle> {
        let (bytes, signature) = match kept {
            Some(kept) => kept,
            None => read_signed(file, crate::error::input::BUNDLE)?,
        };
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

    /// Imports one bundle: the file, or (`kept`) its bytes and signature as quarantine kept
    /// them.
    pub(super) fn import_one(
        &mut self,
        file: &Path,
        kept: Option<(Vec<u8>, String)>,
    ) -> Result<ImportOutcome> {
        let OpenedBundle {
            branch,
            manifest,
            payload,
            bytes,
            signature,
        } = self.open_bundle(file, kept)?;
        // One importer at a time per branch (another process, another machine): the branch's
        // bundles go in in order, and its high-water mark read here stays true until done.
        self.hq_lock_branch(&branch)?;
        let outcome = self.import_opened(file, branch.clone(), manifest, payload, bytes, signature);
        let unlocked = self.hq_unlock_branch(&branch);
        let outcome = outcome?;
        unlocked?;
        Ok(outcome)
    }

    fn import_opened(
        &mut self,
        file: &Path,
        branch: String,
        manifest: Manifest,
        payload: Vec<u8>,
        bytes: Vec<u8>,
        signature: String,
    ) -> Result<ImportOutcome> {
        let high_water = self.high_water(&branch)?;
        let sha256 = bundle::sha256_hex(&bytes);
        let kept = Kept {
            file,
            bytes: &bytes,
            signature: &signature,
            sha256: &sha256,
            manifest: &manifest,
        };
        if manifest.to_seq <= high_water {
            // Every number is past already: the same changes again; or — from a branch
            // restored from an older backup — other changes under the same numbers; or
            // changes under numbers HQ was told were skipped, which it takes now.
            let ops = parse_ops(&payload, &manifest).map_err(|p| file_error(file, p))?;
            let mut holes = false;
            for op in &ops {
                match self.held(&branch, op)? {
                    Held::Same => {}
                    Held::Hole => holes = true,
                    Held::Other(fork) => {
                        return self.set_forked_aside(&kept, &branch, fork, high_water);
                    }
                }
            }
            if !holes {
                return Ok(ImportOutcome::AlreadyImported {
                    branch,
                    from_seq: manifest.from_seq,
                    to_seq: manifest.to_seq,
                });
            }
        }
        // Numbers the branch declares void were handed out before its restore and sent in
        // an earlier bundle: that bundle must be in first.
        if let Some((first, last)) = manifest.void.iter().copied().find(|&(_, l)| l > high_water) {
            let missing = (first.max(high_water + 1), last);
            self.quarantine(&kept, high_water, missing, "void")?;
            return Ok(ImportOutcome::Quarantined {
                branch,
                missing_from: missing.0,
                missing_to: missing.1,
            });
        }
        if manifest.from_seq > high_water + 1 {
            let missing = (high_water + 1, manifest.from_seq - 1);
            self.quarantine(&kept, high_water, missing, "gap")?;
            return Ok(ImportOutcome::Quarantined {
                branch,
                missing_from: missing.0,
                missing_to: missing.1,
            });
        }
        // The second core inflates and parses while this one writes.
        let mut forked = None;
        let applied = std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel(8);
            scope.spawn(|| stream_ops(&payload, sender));
            self.apply_bundle(&kept, &branch, batches, high_water, &mut forked)
        });
        if let Some(fork) = forked {
            return self.set_forked_aside(&kept, &branch, fork, high_water);
        }
        let applied = applied?;
        self.forget_forked(&branch, &manifest.void)?;
        Ok(ImportOutcome::Applied {
            branch,
            from_seq: manifest.from_seq,
            to_seq: manifest.to_seq,
            ops: applied,
            released: Vec::new(),
        })
    }

    /// Whether HQ holds `op` from `branch` as this very change (by its op ID).
    fn held(&self, branch: &str, op: &Op) -> Result<Held> {
        let mut hq = self.hq()?;
        let held = hq.one(HELD_BY_ID, hq_params![branch, &op.op_id], |r| r.flag(0))?;
        if held {
            return Ok(Held::Same);
        }
        let there = hq.opt(HLC_HELD_AT, hq_params![branch, op.seq, op.part], |r| {
            r.int(0)
        })?;
        Ok(Held::judge(op, held, there))
    }

    /// Keeps aside for good a bundle that carries other changes under numbers HQ holds.
    fn set_forked_aside(
        &mut self,
        kept: &Kept,
        branch: &str,
        fork: Fork,
        high_water: i64,
    ) -> Result<ImportOutcome> {
        // Newer history: the branch's changes from `fork.seq` on move past everything HQ
        // holds of it. Older history: changes the branch lost in its restore, for HQ to
        // look into; the branch has nothing to do.
        let reason = if fork.older { "orphaned" } else { "forked" };
        self.quarantine(kept, high_water, (fork.seq, high_water), reason)?;
        Ok(ImportOutcome::Forked {
            branch: branch.to_string(),
            from_seq: fork.seq,
            to_seq: high_water,
            older: fork.older,
        })
    }

    /// A bundle's ops, verified and decrypted but not applied.
    pub(crate) fn read_bundle_ops(&mut self, file: &Path) -> Result<Vec<Op>> {
        self.require_party(Party::Hq)?;
        let opened = self.open_bundle(file, None)?;
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
        let void_inside =
            |&(first, last): &(i64, i64)| m.from_seq <= first && first <= last && last < m.to_seq;
        if !m.void.iter().chain(&m.skipped).all(void_inside) {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        Ok(())
    }

    /// Applies the ops past the high-water mark, all in one transaction with the new mark.
    fn apply_bundle(
        &mut self,
        kept: &Kept,
        branch: &str,
        batches: std::sync::mpsc::Receiver<OpBatch>,
        high_water: i64,
        forked: &mut Option<Fork>,
    ) -> Result<u64> {
        let (file, m, sha256) = (kept.file, kept.manifest, kept.sha256);
        let now = self.clock.now();
        let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        let name = file_name(file);
        let seen_before = Hlc::from_i64(self.local_number("hlc_seen")?);
        let (calendar, _) = self.hq_calendar()?;
        let mut touched = super::facts::Touched::default();
        let mut applied = 0u64;
        let mut max_hlc = 0i64;
        let event =
            AuditEvent::new("hq.import", "bundle", name.clone()).with_detail(serde_json::json!({
                "branch": branch,
                "from_seq": m.from_seq,
                "to_seq": m.to_seq,
                "sha256": sha256,
                "branch_audit": m.audit_head,
            }));
        self.hq_write(event, |tx| {
            let mut checker = OpChecker::new(m);
            // The scope holds PostgreSQL's preparing thread; on HQ's own store nothing runs in it.
            std::thread::scope(|scope| {
                // On PostgreSQL the new ops gather into batches applied set by set.
                let mut pipeline = match tx {
                    HqTx::Pg(pg) => Some(pg_import::Pipeline::start(scope, pg.sealer, branch)),
                    HqTx::Local(_) => None,
                };
                for batch in batches {
                    for op in batch.map_err(|p| file_error(file, p))? {
                        checker.check(&op).map_err(|p| file_error(file, p))?;
                        max_hlc = max_hlc.max(op.hlc);
                        let judged = if op.seq <= high_water {
                            let held = tx
                                .opt(HELD_BY_ID, hq_params![branch, &op.op_id], |r| r.flag(0))?
                                .unwrap_or(false);
                            let there = if held {
                                None
                            } else {
                                tx.opt(HLC_HELD_AT, hq_params![branch, op.seq, op.part], |r| {
                                    r.int(0)
                                })?
                            };
                            Held::judge(&op, held, there)
                        } else {
                            Held::Hole
                        };
                        match judged {
                            Held::Same => {}
                            Held::Hole => {
                                touched.note(&op);
                                match (&mut *tx, &mut pipeline) {
                                    (HqTx::Pg(pg), Some(pipeline)) => {
                                        applied += pipeline.push(pg, branch, op)?;
                                    }
                                    _ => {
                                        if apply_op(tx, branch, &op)? {
                                            applied += 1;
                                        }
                                    }
                                }
                            }
                            Held::Other(fork) => {
                                *forked = Some(fork);
                                // Rolls the bundle back; the caller sets it aside.
                                return Err(file_error(file, SyncProblem::Damaged));
                            }
                        }
                    }
                }
                if let (HqTx::Pg(pg), Some(pipeline)) = (&mut *tx, pipeline) {
                    applied += pipeline.finish(pg, branch)?;
                }
                Ok(())
            })?;
            // Anything wrong with the ops rolls the whole bundle back.
            checker.finish(m).map_err(|p| file_error(file, p))?;
            touched.derive(tx, branch, &calendar)?;
            tx.execute(
                "UPDATE hq_branch SET high_water = CASE WHEN high_water > ?2 THEN high_water ELSE ?2 END,
                                      last_import = ?3, last_bundle = ?4
                 WHERE code = ?1",
                hq_params![branch, m.to_seq, &at, sha256],
            )?;
            tx.execute(
                "INSERT INTO hq_import (bundle_sha256, branch, from_seq, to_seq, outcome, at)
                 VALUES (?1, ?2, ?3, ?4, 'applied', ?5)
                 ON CONFLICT (bundle_sha256) DO UPDATE SET at = excluded.at",
                hq_params![sha256, branch, m.from_seq, m.to_seq, &at],
            )?;
            Ok(())
        })?;
        let seen = Hlc::from_i64(max_hlc).max(seen_before);
        self.note_local("hlc_seen", &seen.as_i64().to_string())?;
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        self.hlc = self.hlc.observe(Hlc::from_i64(max_hlc), now_ms);
        Ok(applied)
    }
}

type OpBatch = std::result::Result<Vec<Op>, SyncProblem>;

/// Inflates and parses a payload, handing over ops in batches (stops when the receiver
/// has gone, e.g. after a failed write).
fn stream_ops(payload: &[u8], sender: std::sync::mpsc::SyncSender<OpBatch>) {
    use std::io::{BufRead, Read};
    const BATCH: usize = 2048;
    let decoder = match zstd::stream::read::Decoder::new(payload) {
        Ok(d) => d,
        Err(_) => {
            let _ = sender.send(Err(SyncProblem::Damaged));
            return;
        }
    };
    // Read at most one byte past the bound, to tell a payload that ends at it from one
    // that goes on.
    let limit = crate::error::input::BUNDLE;
    let mut reader =
        std::io::BufReader::with_capacity(1 << 20, decoder.take(limit.saturating_add(1)));
    let mut batch = Vec::with_capacity(BATCH);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(_) if reader.get_ref().limit() == 0 => {
                let _ = sender.send(Err(bundle::too_large(limit)));
                return;
            }
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

/// Whether HQ holds a change (by its op ID) from a branch, under whatever number.
const HELD_BY_ID: &str = "SELECT EXISTS (SELECT 1 FROM hq_op WHERE branch = ?1 AND op_id = ?2)";
/// The clock reading of the change HQ holds under a branch's number.
const HLC_HELD_AT: &str = "SELECT hlc FROM hq_op WHERE branch = ?1 AND seq = ?2 AND part = ?3";

/// What HQ holds of a change a bundle carries.
enum Held {
    /// This very change (by its op ID), under whatever number.
    Same,
    /// Nothing under its number: HQ takes it (past the mark, or a number it was told was
    /// skipped).
    Hole,
    /// Another change under its number.
    Other(Fork),
}

impl Held {
    fn judge(op: &Op, held_by_id: bool, hlc_there: Option<i64>) -> Held {
        match (held_by_id, hlc_there) {
            (true, _) => Held::Same,
            (false, None) => Held::Hole,
            (false, Some(there)) => Held::Other(Fork::at(op, Some(there))),
        }
    }
}

/// Where a bundle carries another change than HQ holds under the same number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fork {
    seq: i64,
    /// The bundle's change is older than the one HQ holds there: the bundle is the history
    /// the branch's restore left behind, not the one it goes on with.
    older: bool,
}

impl Fork {
    fn at(op: &Op, held_hlc: Option<i64>) -> Fork {
        Fork {
            seq: op.seq,
            older: held_hlc.is_some_and(|held| held > op.hlc),
        }
    }
}

/// A bundle as it came, for keeping aside.
pub(super) struct Kept<'a> {
    pub file: &'a Path,
    pub bytes: &'a [u8],
    pub signature: &'a str,
    pub sha256: &'a str,
    pub manifest: &'a Manifest,
}

/// Checks, as ops stream past, that a bundle holds every seq of its range in order (the
/// rows of one bulk load share a seq) and as many ops as its manifest says.
struct OpChecker {
    expected: i64,
    count: u64,
    /// Numbers the sender declares it no longer has (see `Manifest::void`).
    void: Vec<(i64, i64)>,
}

impl OpChecker {
    fn new(m: &Manifest) -> OpChecker {
        OpChecker {
            expected: m.from_seq,
            count: 0,
            void: m.void.iter().chain(&m.skipped).copied().collect(),
        }
    }

    /// Steps over the void numbers at the expected one.
    fn skip_void(&mut self) {
        while let Some(&(_, last)) = self
            .void
            .iter()
            .find(|&&(first, last)| first <= self.expected && self.expected <= last)
        {
            self.expected = last + 1;
        }
    }

    fn check(&mut self, op: &Op) -> std::result::Result<(), SyncProblem> {
        self.count += 1;
        if op.part == 0 {
            self.skip_void();
        }
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

/// Applies one op once in this store's own database (PostgreSQL applies whole batches,
/// `pg_import`); false when this (branch, seq, part) was applied before.
fn apply_op(tx: &mut HqTx, branch: &str, op: &Op) -> Result<bool> {
    let fresh = tx.execute(
        "INSERT INTO hq_op (branch, seq, part, op_id, hlc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
        hq_params![branch, op.seq, op.part, &op.op_id, op.hlc],
    )?;
    if fresh == 0 {
        return Ok(false);
    }
    merge::check_fields(op).map_err(Error::internal)?;
    if let Some(claim) = merge::claim(op, branch).map_err(Error::internal)? {
        tx.execute(
            "INSERT INTO hq_claim (tbl, row_id, branch, name, id_number)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            hq_params![
                &claim.table,
                &claim.row_key,
                &claim.branch,
                &claim.name,
                &claim.id_number
            ],
        )?;
    }
    let key = merge::row_key(&op.table, branch, &op.row_id);
    // Most ops create a row: stored as it came, without parsing it (the row the merge would
    // make, as its tests check).
    if op.op == "insert" {
        let stamps = merge::new_row_stamps(&merge::stamp(op, branch));
        let (id_index, phone_index) = lookups_of(&op.table, op.fields.get());
        let inserted = tx.execute(
            "INSERT INTO hq_row (tbl, row_id, branch, fields, stamps, deleted, id_index,
                                 phone_index)
             VALUES (?1, ?2, ?3, ?4, ?5, FALSE, ?6, ?7) ON CONFLICT DO NOTHING",
            hq_params![
                &op.table,
                &key,
                branch,
                op.fields.get(),
                &stamps,
                id_index.as_deref(),
                phone_index.as_deref(),
            ],
        )?;
        if inserted == 1 || merge::is_insert_only(&op.table) {
            return Ok(true);
        }
    }
    let stored = tx.opt(
        "SELECT branch, fields, stamps, deleted FROM hq_row WHERE tbl = ?1 AND row_id = ?2",
        hq_params![&op.table, &key],
        |r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.flag(3)?)),
    )?;
    let current = stored
        .map(|(owner, fields, stamps, deleted)| {
            Merged::from_stored(owner, &fields, &stamps, deleted)
        })
        .transpose()
        .map_err(Error::internal)?;
    let existed = current.is_some();
    let row = match merge::merge(current, op, branch).map_err(Error::internal)? {
        Merge::Unchanged => return Ok(true),
        Merge::Put(row) => row,
    };
    let id_index = lookup_in(None, &op.table, &row.fields, "id_number");
    let phone_index = lookup_in(None, &op.table, &row.fields, "phone");
    let (fields, stamps) = (
        Value::Object(row.fields).to_string(),
        Value::Object(row.stamps).to_string(),
    );
    let statement = if existed {
        "UPDATE hq_row SET branch = ?3, fields = ?4, stamps = ?5, deleted = ?6, id_index = ?7,
                           phone_index = ?8
         WHERE tbl = ?1 AND row_id = ?2"
    } else {
        "INSERT INTO hq_row (tbl, row_id, branch, fields, stamps, deleted, id_index, phone_index)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    };
    tx.execute(
        statement,
        hq_params![
            &op.table,
            &key,
            &row.owner,
            &fields,
            &stamps,
            row.deleted,
            id_index.as_ref(),
            phone_index.as_ref()
        ],
    )?;
    Ok(true)
}

/// The lookup key of a client's `field` (ID number or phone), from its fields: its blind
/// index under `sealer`, else the value itself.
pub(super) fn lookup_in(
    sealer: Option<&crate::sync::seal::Sealer>,
    table: &str,
    fields: &Map<String, Value>,
    field: &str,
) -> Option<String> {
    if table != "client" {
        return None;
    }
    let value = fields.get(field)?.as_str().filter(|v| !v.is_empty())?;
    Some(lookup_key(sealer, field, value))
}

/// [`lookup_in`] of the ID number and the phone in this store's own database, from fields
/// as JSON text read once (the fast path that does not parse them whole).
fn lookups_of(table: &str, fields: &str) -> (Option<String>, Option<String>) {
    if table != "client" {
        return (None, None);
    }
    #[derive(serde::Deserialize)]
    struct Contact {
        id_number: Option<String>,
        phone: Option<String>,
    }
    let Ok(contact) = serde_json::from_str::<Contact>(fields) else {
        return (None, None);
    };
    let key = |field: &str, value: Option<String>| {
        value
            .filter(|v| !v.is_empty())
            .map(|v| lookup_key(None, field, &v))
    };
    (
        key("id_number", contact.id_number),
        key("phone", contact.phone),
    )
}
