//! The branch side of sync: the store's keys, trusting HQ, exporting what HQ has not
//! acknowledged as a signed, encrypted bundle, and the state shown on F6.

use crate::domain::hlc::Hlc;
use crate::domain::staff::Permission;
use crate::error::input;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::fsutil;
use crate::store::migrations::SCHEMA_VERSION;
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::SyncWarning;
use crate::sync::bundle::{self, Manifest, OPS_PAYLOAD, Op};
use crate::sync::keys::{Party, PublicKeys, SecretKeys};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::ValueRef;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The columns [`outbox_op`] reads, in its order.
macro_rules! outbox_columns {
    () => {
        "SELECT seq, op_id, tbl, row_id, op, fields, hlc, schema_version"
    };
}
pub(crate) use outbox_columns;

/// An outbox row, selected with [`outbox_columns`], as the op it stands for.
pub(crate) fn outbox_op(row: &rusqlite::Row) -> Result<Op> {
    let seq: i64 = row.get(0)?;
    let fields: String = row.get(5)?;
    let fields = serde_json::value::RawValue::from_string(fields)
        .map_err(|e| Error::internal(format!("outbox row {seq}: {e}")))?;
    Ok(Op {
        seq,
        part: 0,
        op_id: row.get(1)?,
        table: row.get(2)?,
        row_id: row.get(3)?,
        op: row.get(4)?,
        fields,
        hlc: row.get(6)?,
        schema: row.get(7)?,
    })
}

/// The first and last local serial a bulk load's range op covers.
pub(crate) fn range_bounds(range: &Op) -> Result<(i64, i64)> {
    let bounds = range
        .fields_map()
        .map_err(|_| Error::internal(format!("outbox row {}: bad range", range.seq)))?;
    let bound = |name: &str| bounds.get(name).and_then(|v| v.as_i64()).unwrap_or(0);
    Ok((bound("first_seq"), bound("last_seq")))
}

/// The insert a bulk load's range op stands for at row `part` (client `id`, as it is now).
pub(crate) fn range_insert(
    range: &Op,
    part: i64,
    id: String,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Op {
    Op {
        seq: range.seq,
        part,
        op_id: format!("{}:{part}", range.op_id),
        table: range.table.clone(),
        row_id: id,
        op: "insert".into(),
        fields: Op::raw_fields(fields),
        hlc: range.hlc,
        schema: range.schema,
    }
}

/// Columns of `client` derived for lookup at the branch, never sent (HQ derives its own).
pub(crate) const CLIENT_LOCAL_COLUMNS: [&str; 4] = ["seq", "foreign_branch", "phone_rev", "id_rev"];

pub(crate) fn sync_error(problem: SyncProblem) -> Error {
    Error::Sync { problem }
}

pub(crate) fn file_error(file: &Path, problem: SyncProblem) -> Error {
    Error::SyncFile {
        file: file.to_path_buf(),
        problem,
    }
}

/// `FILE.minisig`, where a bundle's signature travels.
pub(crate) fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".minisig");
    PathBuf::from(name)
}

/// Refuses a bundle written by a newer schema than this build reads.
pub(crate) fn check_schema(file: &Path, found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(file_error(
            file,
            SyncProblem::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            },
        ));
    }
    Ok(())
}

/// A bundle's bytes (at most `limit`) and its signature's text.
pub(crate) fn read_signed(file: &Path, limit: u64) -> Result<(Vec<u8>, String)> {
    let bytes = input::read_limited(file, limit)?;
    let signature_file = signature_path(file);
    if !signature_file.exists() {
        return Err(file_error(file, SyncProblem::NoSignature));
    }
    let text = input::read_text_limited(&signature_file, input::SMALL_FILE)?;
    Ok((bytes, text))
}

/// Writes a sealed bundle and then its signature, each whole or not at all; a bundle whose
/// signature could not be written is removed (it would be of no use). The store's own
/// `exports/` folder is made on first use. Returns the signature's path.
pub(crate) fn write_sealed(
    paths: &crate::store::StorePaths,
    file: &Path,
    sealed: &bundle::Sealed,
) -> Result<PathBuf> {
    if file.parent() == Some(paths.exports().as_path()) {
        fsutil::create_private_dir(&paths.exports())?;
    }
    if file.exists() {
        return Err(Error::FileExists {
            path: file.to_path_buf(),
        });
    }
    let signature = signature_path(file);
    fsutil::write_atomic(file, &sealed.bytes)?;
    if let Err(e) = fsutil::write_atomic(&signature, sealed.signature.as_bytes()) {
        let _ = std::fs::remove_file(file);
        return Err(e);
    }
    Ok(signature)
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// None when HQ already has everything.
    pub file: Option<PathBuf>,
    pub signature: Option<PathBuf>,
    pub from_seq: i64,
    pub to_seq: i64,
    /// Changes exported: one per entry of the outbox (seq), the unit every count of what
    /// waits for HQ uses.
    pub changes: u64,
    /// Rows in the bundle: a bulk load is one change of many rows.
    pub ops: u64,
    /// The NDJSON before compression and encryption, and the bundle as written.
    pub raw_bytes: u64,
    pub bundle_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastExport {
    pub to_seq: i64,
    pub at: String,
    pub file: String,
}

/// Where this store stands with HQ (F6, `sync status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub party: Party,
    pub code: String,
    pub key_id: Option<String>,
    /// HQ's code and key ID, once trusted.
    pub hq: Option<String>,
    pub pending_ops: i64,
    pub outbox_bytes: i64,
    pub last_seq: i64,
    pub acked_seq: i64,
    pub last_export: Option<LastExport>,
    pub ref_version: i64,
    pub warnings: Vec<SyncWarning>,
}

impl Session {
    /// A value of this store's own sync state.
    pub(crate) fn local_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_local WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// A number of this store's own sync state; 0 until it is set.
    pub(crate) fn local_number(&self, key: &str) -> Result<i64> {
        Ok(self
            .local_value(key)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Branch or HQ.
    pub fn party(&self) -> Result<Party> {
        Ok(match self.local_value("party")?.as_deref() {
            Some("hq") => Party::Hq,
            _ => Party::Branch,
        })
    }

    /// Refuses unless this is HQ's store.
    pub fn require_hq(&self) -> Result<()> {
        self.require_party(Party::Hq)
    }

    pub(crate) fn require_party(&self, party: Party) -> Result<()> {
        match (self.party()?, party) {
            (a, b) if a == b => Ok(()),
            (Party::Hq, Party::Branch) => Err(sync_error(SyncProblem::IsHq)),
            _ => Err(sync_error(SyncProblem::NotHq)),
        }
    }

    /// The store's secret keys, if it has made them.
    pub(crate) fn stored_keys(&self) -> Result<Option<SecretKeys>> {
        match (
            self.local_value("sign_secret")?,
            self.local_value("age_identity")?,
        ) {
            (Some(signing), Some(identity)) => {
                SecretKeys::from_stored(&signing, &identity).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The store's secret keys, made on first use (stores older than sync have none).
    pub(crate) fn secret_keys(&mut self) -> Result<SecretKeys> {
        if let Some(keys) = self.stored_keys()? {
            return Ok(keys);
        }
        let keys = SecretKeys::generate()?;
        let (signing, identity) = keys.to_stored()?;
        let key_id = keys.key_id();
        self.write(
            AuditEvent::new("sync.keys", "store", self.branch.store_id.clone())
                .with_detail(serde_json::json!({ "key_id": key_id })),
            |w| {
                w.set_local("sign_secret", &signing)?;
                w.set_local("age_identity", &identity)
            },
        )?;
        Ok(keys)
    }

    /// This store's public keys, to give to HQ (or, at HQ, to the branches).
    pub fn sync_keys(&mut self) -> Result<PublicKeys> {
        self.require(Permission::ShareKeys)?;
        let party = self.party()?;
        let keys = self.secret_keys()?;
        Ok(keys.public(
            party,
            &self.branch.code,
            &self.branch.name,
            &self.branch.store_id,
        ))
    }

    /// The last seq exported to each HQ (by its key ID).
    pub(crate) fn exported_to(&self) -> Result<serde_json::Value> {
        Ok(self
            .local_value("exported_to")?
            .and_then(|text| serde_json::from_str(&text).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({})))
    }

    /// HQ's keys, once trusted.
    pub(crate) fn hq_keys(&self) -> Result<Option<PublicKeys>> {
        self.local_value("hq_keys")?
            .map(|text| PublicKeys::parse(&text))
            .transpose()
    }

    /// Trusts HQ's public keys (from the file `hq init` wrote): bundles are encrypted to it and
    /// its reference data is checked against it.
    ///
    /// A branch that already trusts another HQ keeps it unless `replacing` names that HQ's
    /// key: which HQ the branch's changes go to is not changed by accident.
    pub fn trust_hq(&mut self, path: &Path, replacing: Option<&str>) -> Result<PublicKeys> {
        self.require(Permission::TrustHq)?;
        self.require_party(Party::Branch)?;
        let keys = PublicKeys::read(path)?;
        if keys.party != Party::Hq {
            return Err(file_error(
                path,
                SyncProblem::KeysFile {
                    path: path.to_path_buf(),
                    detail: "these are a branch's keys, not HQ's".into(),
                },
            ));
        }
        let key_id = keys.key_id()?;
        let mut detail = serde_json::json!({ "hq": keys.code, "key_id": key_id });
        if let Some(current) = self.hq_keys()? {
            let current_id = current.key_id()?;
            if current_id == key_id {
                return Ok(keys);
            }
            if replacing != Some(current_id.as_str()) {
                return Err(Error::HqAlreadyTrusted {
                    code: current.code,
                    key_id: current_id,
                });
            }
            detail["replaced"] = serde_json::json!(current_id);
        }
        let text = keys.to_toml();
        self.write(
            AuditEvent::new("sync.trust_hq", "store", keys.store_id.clone()).with_detail(detail),
            |w| w.set_local("hq_keys", &text),
        )?;
        Ok(keys)
    }

    /// Hands the outbox from `after + 1` on to `sink`, op by op (bulk loads expanded to
    /// their rows), so that a million-row first export never holds its rows in memory.
    /// Returns the last seq.
    fn pending_ops(
        &self,
        after: i64,
        progress: &mut dyn FnMut(u64, u64),
        sink: &mut dyn FnMut(&Op) -> Result<()>,
    ) -> Result<(i64, u64)> {
        let (count, last): (i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(max(seq), ?1) FROM outbox WHERE seq > ?1",
            [after],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let total = u64::try_from(count).unwrap_or(0);
        let mut statement = self.conn.prepare(concat!(
            outbox_columns!(),
            " FROM outbox WHERE seq > ?1 ORDER BY seq"
        ))?;
        let mut rows = statement.query([after])?;
        let mut done = 0u64;
        while let Some(row) = rows.next()? {
            let base = outbox_op(row)?;
            if base.op == "insert_range" {
                self.expand_range(base, sink)?;
            } else {
                sink(&base)?;
            }
            done += 1;
            if done.is_multiple_of(4096) {
                progress(done, total);
            }
        }
        progress(total, total);
        Ok((last, done))
    }

    /// A bulk write's range op becomes one insert per row, as the rows are now: a client
    /// load's rows by their local seq, a re-rating's (insert-only) ratings by rowid.
    fn expand_range(&self, range: Op, sink: &mut dyn FnMut(&Op) -> Result<()>) -> Result<()> {
        let sql = match range.table.as_str() {
            "client" => "SELECT * FROM client WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
            "aml_rating" => "SELECT * FROM aml_rating WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid",
            other => {
                return Err(Error::internal(format!(
                    "insert_range on {other} is not supported"
                )));
            }
        };
        let (first, last) = range_bounds(&range)?;
        let mut statement = self.conn.prepare_cached(sql)?;
        let columns: Vec<String> = statement.column_names().map(|c| c.to_string()).collect();
        let mut rows = statement.query([first, last])?;
        let mut part = 0;
        while let Some(row) = rows.next()? {
            let (id, fields) = row_fields(row, &columns)?;
            sink(&range_insert(&range, part, id, &fields))?;
            part += 1;
        }
        Ok(())
    }

    /// After HQ set a bundle aside because it holds other changes under this branch's
    /// numbers `from`–`after` (this store was restored from a backup older than what it
    /// had sent, without the numbers it had reached): moves this store's changes from
    /// `from` on past `after`, in order, and declares `from`–`after` void, so that the next
    /// export carries them under new numbers. Returns how many changes moved.
    pub fn renumber_changes(&mut self, from: i64, after: i64) -> Result<u64> {
        self.require(Permission::Restore)?;
        self.require_party(Party::Branch)?;
        let acked = self.local_number("acked_seq")?;
        if from <= acked || after < from {
            return Err(Error::RenumberRange { from, after, acked });
        }
        let shift = after - from + 1;
        // Ranges declared earlier move with the changes around them.
        let moved_past = |ranges: Vec<(i64, i64)>| -> Vec<(i64, i64)> {
            ranges
                .into_iter()
                .map(|(first, last)| {
                    if first >= from {
                        (first + shift, last + shift)
                    } else {
                        (first, last)
                    }
                })
                .collect()
        };
        let mut voids = moved_past(crate::store::reached::void_ranges(&self.conn)?);
        voids.push((from, after));
        let voids = serde_json::to_string(&voids).map_err(Error::internal)?;
        let skipped = moved_past(crate::store::reached::skipped_ranges(&self.conn)?);
        let skipped = serde_json::to_string(&skipped).map_err(Error::internal)?;
        let event = AuditEvent::new("sync.renumber", "store", self.branch.store_id.clone())
            .with_detail(serde_json::json!({ "from": from, "after": after }));
        let moved = self.write(event, |w| {
            // Through negative numbers, so that no two changes hold one number midway.
            let moved = w.execute_local(
                "UPDATE outbox SET seq = -(seq + ?2) WHERE seq >= ?1",
                rusqlite::params![from, shift],
            )?;
            w.execute_local("UPDATE outbox SET seq = -seq WHERE seq < 0", [])?;
            w.execute_local(
                "UPDATE sqlite_sequence SET seq = max(seq + ?1, ?2) WHERE name = 'outbox'",
                rusqlite::params![shift, after],
            )?;
            w.set_local("void_ranges", &voids)?;
            w.set_local("skipped_ranges", &skipped)?;
            Ok(moved)
        })?;
        Ok(u64::try_from(moved).unwrap_or(0))
    }

    /// Writes everything HQ has not acknowledged to `dir` as `<branch>-<from>-<to>.bdx` and
    /// its `.minisig`. Each file appears whole (temporary name, fsync, rename) or not at all.
    pub fn export_bundle(
        &mut self,
        dir: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExportReport> {
        self.require(Permission::ExportSync)?;
        self.require_party(Party::Branch)?;
        let hq = self.hq_keys()?.ok_or(sync_error(SyncProblem::NoHq))?;
        let keys = self.secret_keys()?;
        let acked = self.local_number("acked_seq")?;
        // NDJSON straight into the compressor: only the compressed payload is kept.
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), bundle::ZSTD_LEVEL)
            .map_err(|e| Error::internal(format!("zstd: {e}")))?;
        let mut op_count = 0u64;
        let mut raw_bytes = 0u64;
        let mut line = Vec::with_capacity(1024);
        let (last, changes) = self.pending_ops(acked, progress, &mut |op| {
            line.clear();
            serde_json::to_writer(&mut line, op).map_err(Error::internal)?;
            line.push(b'\n');
            raw_bytes += line.len() as u64;
            op_count += 1;
            std::io::Write::write_all(&mut encoder, &line)
                .map_err(|e| Error::internal(format!("zstd: {e}")))
        })?;
        if op_count == 0 {
            return Ok(ExportReport {
                file: None,
                signature: None,
                from_seq: acked + 1,
                to_seq: acked,
                changes: 0,
                ops: 0,
                raw_bytes: 0,
                bundle_bytes: 0,
            });
        }
        let payload = encoder
            .finish()
            .map_err(|e| Error::internal(format!("zstd: {e}")))?;
        let now = self.clock.now();
        let manifest = Manifest {
            format: bundle::FORMAT,
            kind: "ops".into(),
            sender: self.branch.code.clone(),
            sender_store: self.branch.store_id.clone(),
            key_id: keys.key_id(),
            receiver_store: hq.store_id.clone(),
            schema_version: SCHEMA_VERSION,
            app_version: env!("CARGO_PKG_VERSION").into(),
            from_seq: acked + 1,
            to_seq: last,
            op_count,
            payload: OPS_PAYLOAD.into(),
            payload_sha256: bundle::sha256_hex(&payload),
            previous_bundle_sha256: self.local_value("last_export_sha256")?,
            ref_version: self.local_number("ref_version")?,
            created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            hlc: self.hlc.as_i64(),
            audit_head: crate::store::anchor::chain_head(&self.conn)?
                .map(|(row, hash)| bundle::AuditHead { row, hash }),
            void: within(crate::store::reached::void_ranges(&self.conn)?, acked, last),
            skipped: within(
                crate::store::reached::skipped_ranges(&self.conn)?,
                acked,
                last,
            ),
        };
        let sealed =
            bundle::seal(&manifest, &payload, &keys, &[hq.age_recipient()?]).map_err(sync_error)?;
        let name = format!("{}-{}-{}.bdx", self.branch.code, acked + 1, last);
        let file = dir.join(&name);
        let signature = write_sealed(&self.paths, &file, &sealed)?;
        // As soon as the bundle is whole on the stick: the numbers it carries are noted
        // beside the store, so a restore of an older backup continues past them and HQ is
        // told they were sent. (Not before: numbers that never left must not be waited
        // for.)
        self.note_reached(Some(&crate::store::reached::Reached {
            exported_seq: last,
            ..Default::default()
        }))?;
        let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        // How far each HQ has been sent this branch's changes: an acknowledgement prunes
        // only what went to the HQ that gives it.
        let mut exported_to = self.exported_to()?;
        exported_to[hq.key_id()?] = serde_json::json!(last);
        self.write(
            AuditEvent::new("sync.export", "bundle", name.clone()).with_detail(serde_json::json!({
                "from_seq": manifest.from_seq,
                "to_seq": last,
                "ops": manifest.op_count,
                "sha256": sealed.sha256,
            })),
            |w| {
                w.set_local("exported_to", &exported_to.to_string())?;
                w.set_local("last_export_seq", &last.to_string())?;
                w.set_local("last_export_at", &at)?;
                w.set_local("last_export_file", &name)?;
                w.set_local("last_export_sha256", &sealed.sha256)
            },
        )?;
        Ok(ExportReport {
            file: Some(file),
            signature: Some(signature),
            from_seq: manifest.from_seq,
            to_seq: last,
            changes,
            ops: manifest.op_count,
            raw_bytes,
            bundle_bytes: sealed.bytes.len() as u64,
        })
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.require(Permission::ViewSync)?;
        let party = self.party()?;
        let key_id = self.stored_keys()?.map(|keys| keys.key_id());
        let hq = self
            .hq_keys()?
            .map(|k| format!("{} ({})", k.code, k.key_id().unwrap_or_default()));
        let acked = self.local_number("acked_seq")?;
        let (pending, bytes, last): (i64, i64, i64) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE seq > ?1),
                    coalesce(sum(length(fields) + length(row_id) + 64), 0),
                    coalesce(max(seq), 0)
             FROM outbox",
            [acked],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let last_export = match (
            self.local_value("last_export_seq")?,
            self.local_value("last_export_at")?,
            self.local_value("last_export_file")?,
        ) {
            (Some(seq), Some(at), Some(file)) => Some(LastExport {
                to_seq: seq.parse().unwrap_or(0),
                at,
                file,
            }),
            _ => None,
        };
        let now = self.clock.now();
        let limits = self.options.sync;
        let mut warnings = Vec::new();
        if party == Party::Branch {
            if hq.is_none() {
                warnings.push(SyncWarning::NoHqKeys);
            }
            match &last_export {
                None if pending > 0 => warnings.push(SyncWarning::NeverExported),
                Some(e) => {
                    if let Ok(at) = DateTime::parse_from_rfc3339(&e.at) {
                        let days = (now - at.with_timezone(&Utc)).num_days();
                        if days >= i64::from(limits.export_due_days) && pending > 0 {
                            warnings.push(SyncWarning::NotExportedFor { days });
                        }
                    }
                }
                None => {}
            }
        }
        let review: i64 = self.conn.query_row(
            "SELECT count(*) FROM client_review WHERE resolved_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        if review > 0 {
            warnings.push(SyncWarning::ClientsToReview { entries: review });
        }
        let mib = bytes >> 20;
        if mib > i64::from(limits.outbox_warn_mib) {
            warnings.push(SyncWarning::OutboxLarge { mib });
        }
        let seen = Hlc::from_i64(self.local_number("hlc_seen")?);
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let drift_ms = u64::from(limits.clock_drift_minutes) * 60_000;
        if seen.wall_ms() > now_ms + drift_ms {
            warnings.push(SyncWarning::ClockBehind {
                minutes: ((seen.wall_ms() - now_ms) / 60_000) as i64,
            });
        }
        Ok(SyncStatus {
            party,
            code: self.branch.code.clone(),
            key_id,
            hq,
            pending_ops: pending,
            outbox_bytes: bytes,
            last_seq: last,
            acked_seq: acked,
            last_export,
            ref_version: self.local_number("ref_version")?,
            warnings,
        })
    }
}

/// The parts of `ranges` inside an export's range `(acked, last]`.
fn within(ranges: Vec<(i64, i64)>, acked: i64, last: i64) -> Vec<(i64, i64)> {
    ranges
        .into_iter()
        .filter(|&(first, end)| end > acked && first <= last)
        .map(|(first, end)| (first.max(acked + 1), end.min(last)))
        .collect()
}

/// A row of a bulk write as the fields it travels with (its ID, then every synchronised
/// column that is not empty; a client's local columns left out), read from a `SELECT *`
/// whose column names are `columns`.
pub(crate) fn row_fields(
    row: &rusqlite::Row,
    columns: &[String],
) -> Result<(String, serde_json::Map<String, serde_json::Value>)> {
    let mut fields = serde_json::Map::new();
    let mut id = String::new();
    for (i, column) in columns.iter().enumerate() {
        if CLIENT_LOCAL_COLUMNS.contains(&column.as_str()) {
            continue;
        }
        let value = match row.get_ref(i)? {
            ValueRef::Null => continue,
            ValueRef::Integer(n) => serde_json::Value::from(n),
            ValueRef::Real(f) => serde_json::Value::from(f),
            ValueRef::Text(t) => serde_json::Value::from(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => serde_json::Value::from(hex::encode(b)),
        };
        if column == "id" {
            id = value.as_str().unwrap_or_default().to_string();
        }
        fields.insert(column.clone(), value);
    }
    Ok((id, fields))
}
