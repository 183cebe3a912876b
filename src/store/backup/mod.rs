//! `branchdesk backup` and `branchdesk restore`.
//!
//! A backup file is a tar of `manifest.json`, `keyslots.json` and `branchdesk.db` (copied
//! with SQLite's backup API, so it is consistent even while the store is in use, and still
//! encrypted with the store key). It holds nothing in clear but the manifest, which names
//! the branch code, dates and a hash: no personal data.

use crate::domain::clock::Clock;
use crate::domain::staff::{Permission, StaffId};
use crate::error::{Error, Result};
use crate::store::anchor;
use crate::store::doctor::database_checks;
use crate::store::keyslots::{KeySlots, SlotChanges};
use crate::store::lockfile::StoreLock;
use crate::store::migrations::{SCHEMA_VERSION, schema_version};
use crate::store::reached::{self, Reached};
use crate::store::session::check_slot_against;
use crate::store::write::AuditEvent;
use crate::store::{Session, StoreOptions, StorePaths, db, fsutil, swap};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FORMAT: &str = "branchdesk-backup";
const MANIFEST: &str = "manifest.json";
const KEYSLOTS: &str = "keyslots.json";
const DATABASE: &str = "branchdesk.db";
/// Manifest and key slots are small; anything bigger is not a backup of ours.
const SMALL_ENTRY_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    version: u32,
    store_id: String,
    branch_code: String,
    created_at: String,
    created_by: String,
    schema_version: i64,
    db_bytes: u64,
    db_sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

impl Session {
    /// Writes a consistent, encrypted backup of the store to `target` (which must not exist).
    /// `progress` receives the share copied so far, 0–100.
    pub fn backup_to(
        &mut self,
        target: &Path,
        progress: &mut dyn FnMut(u8),
    ) -> Result<BackupSummary> {
        self.require(Permission::Backup)?;
        if target.exists() {
            return Err(Error::BackupExists {
                path: target.to_path_buf(),
            });
        }
        let copy = self.paths.dir().join("backup-copy.db.staged");
        fsutil::remove_if_exists(&copy)?;
        let result = self.write_backup(&copy, target, progress);
        let _ = fs::remove_file(&copy);
        let summary = result?;
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.audit_only(
            AuditEvent::new("store.backup", "store", self.branch.store_id.clone())
                .with_detail(json!({ "file": file_name, "bytes": summary.bytes })),
        )?;
        Ok(summary)
    }

    fn write_backup(
        &mut self,
        copy: &Path,
        target: &Path,
        progress: &mut dyn FnMut(u8),
    ) -> Result<BackupSummary> {
        {
            crate::store::fsutil::create_private(copy)?;
            let mut dest = crate::store::db::connect(copy)?;
            db::apply_key(&dest, &self.key)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut dest)?;
            loop {
                let more = backup.step(256)? == rusqlite::backup::StepResult::More;
                let p = backup.progress();
                let done = p.pagecount.saturating_sub(p.remaining);
                let percent = (i64::from(done) * 100)
                    .checked_div(i64::from(p.pagecount))
                    .unwrap_or(100);
                progress(u8::try_from(percent.clamp(0, 100)).unwrap_or(100));
                if !more {
                    break;
                }
            }
        }
        let (db_bytes, db_sha256) = hash_file(copy)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            version: 1,
            store_id: self.branch.store_id.clone(),
            branch_code: self.branch.code.clone(),
            created_at: self.clock.now().to_rfc3339(),
            created_by: self.me.id.to_string(),
            schema_version: SCHEMA_VERSION,
            db_bytes,
            db_sha256,
        };
        let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(Error::internal)?;

        let mut partial_name = target.file_name().unwrap_or_default().to_os_string();
        partial_name.push(".partial");
        let partial = target.with_file_name(partial_name);
        let written = (|| {
            let file = fsutil::create_private(&partial)?;
            let mut tar = tar::Builder::new(file);
            append(
                &mut tar,
                MANIFEST,
                &mut manifest_bytes.as_slice(),
                manifest_bytes.len() as u64,
                &partial,
            )?;
            let slots = self.slots.to_bytes();
            append(
                &mut tar,
                KEYSLOTS,
                &mut slots.as_slice(),
                slots.len() as u64,
                &partial,
            )?;
            let mut db_file = File::open(copy).map_err(|e| Error::io(copy, e))?;
            append(&mut tar, DATABASE, &mut db_file, db_bytes, &partial)?;
            let mut file = tar.into_inner().map_err(|e| Error::io(&partial, e))?;
            file.flush().map_err(|e| Error::io(&partial, e))?;
            file.sync_all().map_err(|e| Error::io(&partial, e))?;
            fs::rename(&partial, target).map_err(|e| Error::io(target, e))?;
            fsutil::sync_parent(target)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&partial);
        }
        written?;
        let bytes = fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(BackupSummary {
            path: target.to_path_buf(),
            bytes,
            schema_version: SCHEMA_VERSION,
        })
    }
}

fn append(
    tar: &mut tar::Builder<File>,
    name: &str,
    data: &mut dyn Read,
    size: u64,
    path: &Path,
) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, data)
        .map_err(|e| Error::io(path, e))
}

fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok((bytes, hex::encode(hasher.finalize())))
}

mod restore;
pub use restore::{RestoreSummary, restore, restore_with};
