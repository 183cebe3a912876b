//! `branchdesk restore`: a backup checked in full, then swapped in — under the key slots in
//! force (what was done to staff since the backup is kept), with numbering continuing past
//! everything the replaced store reached, and the replaced audit trail on record.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    pub branch_code: String,
    pub created_at: String,
    pub schema_version: i64,
    /// Where the files that were replaced were kept.
    pub kept: Vec<PathBuf>,
    /// What the store being replaced had done to staff since the backup, and was kept.
    pub staff: SlotChanges,
    /// The last row of the audit trail that was replaced (anchored before the swap).
    pub replaced_trail_rows: Option<i64>,
}

/// What a restore learned before it replaced anything.
struct Checked {
    manifest: Manifest,
    /// The slots the restored store gets, its key sealed in them.
    slots: KeySlots,
    staff: SlotChanges,
    replaced_trail_rows: Option<i64>,
    /// What the store being replaced had reached, which the restored one continues past.
    floors: Option<Reached>,
    /// Restored over a database whose key slots could not say who may act (`--force`).
    without_slots: bool,
}

impl Session {
    /// Finishes a restore that kept what was done to staff after its backup: members
    /// disabled since are disabled in the restored database, and a new key shuts out every
    /// slot the backup knew that is no longer in force (a disabled member's copy, a reset
    /// passphrase). Run at the restore's own login, and at any later login if that was cut
    /// short; the members concerned have no slot meanwhile, so none of them can log in.
    pub(crate) fn finish_restore(&mut self) -> Result<()> {
        let Some(pending) = self.local_value("restore_pending")? else {
            return Ok(());
        };
        let changes: SlotChanges = serde_json::from_str(&pending).unwrap_or_default();
        self.rekey_with("restore", move |s| {
            for id in &changes.disabled {
                s.disable_after_restore(id)?;
            }
            s.conn
                .execute("DELETE FROM sync_local WHERE key = 'restore_pending'", [])?;
            Ok(())
        })
    }
}

/// Restores the store in `paths` from `file`, after proving that the backup opens with the
/// given staff member's passphrase, that the staff member may restore, and that the copy
/// passes every integrity check. Nothing is replaced before all of that holds, and the
/// replaced files are kept beside the store.
pub fn restore(
    paths: &StorePaths,
    file: &Path,
    staff_id: &str,
    passphrase: &SecretString,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
) -> Result<RestoreSummary> {
    restore_with(paths, file, staff_id, passphrase, clock, options, false)
}

/// [`restore`]; with `force`, also a backup older than the branch's last export to HQ
/// (what was done after the backup is then lost at the branch; HQ keeps what it was sent).
pub fn restore_with(
    paths: &StorePaths,
    file: &Path,
    staff_id: &str,
    passphrase: &SecretString,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
    force: bool,
) -> Result<RestoreSummary> {
    let invalid = || Error::BackupInvalid {
        path: file.to_path_buf(),
    };
    if !file.is_file() {
        return Err(invalid());
    }
    fsutil::create_private_dir(paths.dir())?;
    let lock = StoreLock::acquire(paths)?;
    swap::recover(paths)?;

    let staged_db = StorePaths::staged(&paths.db());
    let staged_slots = StorePaths::staged(&paths.keyslots());
    let checked = unpack_and_check(
        paths,
        file,
        &staged_db,
        staff_id,
        passphrase,
        clock.as_ref(),
        force,
    );
    let Checked {
        manifest,
        slots,
        staff,
        replaced_trail_rows,
        floors,
        without_slots,
    } = match checked {
        Ok(found) => found,
        Err(e) => {
            let _ = fs::remove_file(&staged_db);
            return Err(e);
        }
    };
    slots.save(&staged_slots)?;

    let stamp = clock.now().format("%Y%m%d%H%M%S").to_string();
    let mut kept = Vec::new();
    for original in [paths.db(), paths.keyslots()] {
        if original.exists() {
            let keep = original.with_file_name(format!(
                "{}.before-restore-{stamp}",
                original.file_name().unwrap_or_default().to_string_lossy()
            ));
            fs::copy(&original, &keep).map_err(|e| Error::io(&keep, e))?;
            fsutil::sync_file(&keep)?;
            kept.push(keep);
        }
    }
    // A write-ahead log left by a crash belongs to the old file; it must not be replayed
    // onto the restored one, so it moves aside with the swap.
    let wal_keep = format!("branchdesk.db-wal.before-restore-{stamp}");
    let shm_keep = format!("branchdesk.db-shm.before-restore-{stamp}");
    if paths.db_sidecar("wal").exists() {
        kept.push(paths.dir().join(&wal_keep));
    }
    swap::commit(
        paths,
        &[
            ("branchdesk.db-wal", &wal_keep),
            ("branchdesk.db-shm", &shm_keep),
            ("branchdesk.db.staged", "branchdesk.db"),
            ("keyslots.json.staged", "keyslots.json"),
        ],
    )?;
    fsutil::restrict_to_owner(&paths.db(), 0o600)?;
    // The failed-login record goes with the key slots it is authenticated by: the restored
    // slots start a new one.
    crate::store::logins::LoginLedger::start(&paths.logins(), slots.login_guard(), clock.now())?;

    fsutil::crash_point("restore:swapped");
    // The login finishes what the restored database notes as pending (see
    // `Session::finish_restore`).
    let mut session = Session::unlock_holding(paths, lock, staff_id, passphrase, clock, options)?;
    session.audit_only(
        AuditEvent::new("store.restore", "store", manifest.store_id.clone()).with_detail(json!({
            "backup_created_at": manifest.created_at,
            "backup_created_by": manifest.created_by,
            "staff": staff,
            "replaced_trail_rows": replaced_trail_rows,
            "continues_past": floors,
            "without_slots_in_force": without_slots,
        })),
    )?;
    // The restored trail is anchored as it now is; the one it replaced is on record above.
    session.anchor_head()?;
    Ok(RestoreSummary {
        branch_code: manifest.branch_code,
        created_at: manifest.created_at,
        schema_version: manifest.schema_version,
        kept,
        staff,
        replaced_trail_rows,
    })
}

fn unpack_and_check(
    paths: &StorePaths,
    file: &Path,
    staged_db: &Path,
    staff_id: &str,
    passphrase: &SecretString,
    clock: &dyn Clock,
    force: bool,
) -> Result<Checked> {
    let invalid = || Error::BackupInvalid {
        path: file.to_path_buf(),
    };
    let reader = File::open(file).map_err(|e| Error::io(file, e))?;
    let mut archive = tar::Archive::new(reader);
    let mut manifest: Option<Manifest> = None;
    let mut slots: Option<KeySlots> = None;
    let mut db_hash: Option<(u64, String)> = None;
    for entry in archive.entries().map_err(|_| invalid())? {
        let mut entry = entry.map_err(|_| invalid())?;
        let name = entry
            .path()
            .map_err(|_| invalid())?
            .to_string_lossy()
            .into_owned();
        match name.as_str() {
            MANIFEST | KEYSLOTS => {
                if entry.size() > SMALL_ENTRY_LIMIT {
                    return Err(invalid());
                }
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).map_err(|_| invalid())?;
                if name == MANIFEST {
                    manifest = Some(serde_json::from_slice(&bytes).map_err(|_| invalid())?);
                } else {
                    slots = Some(KeySlots::from_bytes(&bytes).ok_or_else(invalid)?);
                }
            }
            DATABASE => {
                let mut out = fsutil::create_private(staged_db)?;
                let mut hasher = HashingWriter {
                    inner: &mut out,
                    hasher: Sha256::new(),
                };
                let bytes = std::io::copy(&mut entry, &mut hasher).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::StorageFull {
                        Error::DiskFull
                    } else {
                        invalid()
                    }
                })?;
                let digest = hex::encode(hasher.hasher.finalize());
                out.sync_all().map_err(|e| Error::io(staged_db, e))?;
                db_hash = Some((bytes, digest));
            }
            _ => return Err(invalid()),
        }
    }
    let (manifest, slots, (db_bytes, db_sha256)) = match (manifest, slots, db_hash) {
        (Some(m), Some(s), Some(h)) => (m, s, h),
        _ => return Err(invalid()),
    };
    if manifest.format != FORMAT
        || manifest.version != 1
        || manifest.store_id != slots.store_id
        || manifest.db_bytes != db_bytes
        || manifest.db_sha256 != db_sha256
    {
        return Err(invalid());
    }
    if manifest.schema_version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: manifest.schema_version,
            supported: SCHEMA_VERSION,
        });
    }

    let staff = StaffId::parse(staff_id).map_err(|_| Error::WrongCredentials)?;
    // Failed attempts count against the store being replaced (none on a new machine).
    let current = KeySlots::load(&paths.keyslots()).ok();
    let present = current.as_ref().filter(|c| c.store_id == slots.store_id);
    let without_slots = present.is_none() && paths.db().exists();
    let (db_key, installed, changes, seen) = match present {
        // The store being replaced says who may act and with which passphrase: a member
        // disabled since the backup cannot restore it, nor can an old passphrase.
        Some(present) => {
            let opened = check_slot_against(
                paths,
                present,
                present.login_guard(),
                &staff,
                passphrase,
                clock,
            )?;
            let key = slots
                .unseal_with(staff.as_str(), &opened.identity)
                .or_else(|| {
                    slots
                        .open(staff.as_str(), passphrase)
                        .ok()
                        .map(|u| u.db_key)
                })
                .ok_or(Error::RestoreSlotReplaced)?;
            let seen = look_at_present(paths, present, &opened.db_key, &staff, clock);
            if seen.may_restore == Some(false) {
                return Err(Error::PermissionDenied {
                    permission: Permission::Restore,
                });
            }
            let (mut installed, changes) = slots.as_now(present);
            installed.reseal_all(&key)?;
            (key, installed, changes, seen)
        }
        // A new machine: the backup's own slots. A folder that holds a database whose key
        // slots are missing, damaged or another store's cannot say who may act: only when
        // asked to (and it is on record).
        None if paths.db().exists() && !force => return Err(Error::RestoreWithoutSlots),
        None => {
            let guard = current.as_ref().and_then(KeySlots::login_guard);
            let opened = check_slot_against(paths, &slots, guard, &staff, passphrase, clock)?;
            (
                opened.db_key,
                slots,
                SlotChanges::default(),
                Present::default(),
            )
        }
    };
    let conn = db::open_db(staged_db, &db_key, false).map_err(|_| invalid())?;
    let found = schema_version(&conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let checks = database_checks(&conn).map_err(|_| invalid())?;
    if checks.iter().any(|c| !c.ok && c.code != "schema") {
        return Err(invalid());
    }
    let me = crate::store::staff::read_staff(&conn, &staff)?.ok_or(Error::WrongCredentials)?;
    if !me.role.can(Permission::Restore) {
        return Err(Error::PermissionDenied {
            permission: Permission::Restore,
        });
    }
    // Numbering continues past anything the replaced store reached — by its database if it
    // opens, and by the file beside it (read with the store's key, which the backup holds
    // too: a folder whose database is lost still says how far it reached). A backup from
    // before the last export to HQ loses what was done since, and is restored only when
    // asked to.
    let beside_key = match seen.beside_key {
        Some(key) => Some(key),
        None => anchor::beside_key(&conn, false)?,
    };
    let from_file =
        beside_key.and_then(|key| reached::read(&paths.reached(), &installed.store_id, &key));
    let floors = match (seen.reached, from_file) {
        (Some(db), Some(file)) => Some(db.max(&file)),
        (db, file) => db.or(file),
    };
    let replaced_trail_rows = seen.trail_rows;
    if let Some(floors) = &floors {
        let in_backup = reached::in_database(&conn)?;
        if floors.exported_seq > in_backup.seq && !force {
            return Err(Error::RestoreBehindExport {
                backup_seq: in_backup.seq,
                exported_seq: floors.exported_seq,
                reached_seq: floors.seq,
            });
        }
        reached::raise(&conn, floors)?;
    }
    // What was done to staff after the backup is to be done again in the restored store;
    // noted in it before the swap, so that a crash after the swap leaves it to the next
    // login rather than undone.
    if !changes.disabled.is_empty() || !changes.replaced.is_empty() {
        let pending = serde_json::to_string(&changes).map_err(Error::internal)?;
        conn.execute(
            "INSERT OR REPLACE INTO sync_local (key, value) VALUES ('restore_pending', ?1)",
            [pending],
        )?;
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    conn.close().map_err(|(_, e)| Error::from(e))?;
    Ok(Checked {
        manifest,
        slots: installed,
        staff: changes,
        replaced_trail_rows,
        floors,
        without_slots,
    })
}

/// What the store about to be replaced says, as far as it can be read.
#[derive(Default)]
struct Present {
    /// The audit trail's last row, anchored before the swap.
    trail_rows: Option<i64>,
    /// Whether the restoring member may restore, by today's role.
    may_restore: Option<bool>,
    /// How far its numbering reached, by its database.
    reached: Option<Reached>,
    /// The key the files beside it are authenticated with.
    beside_key: Option<[u8; 32]>,
}

/// The store about to be replaced, if its database still opens: its audit trail is
/// anchored as it is (so that the restore records how far it reached), its numbering is
/// read, and whether the restoring member may restore it is read from it (a role may have
/// changed since the backup). A database too damaged to open says nothing; the files
/// beside it are then read with the backup's key.
fn look_at_present(
    paths: &StorePaths,
    present: &KeySlots,
    key: &crate::store::DbKey,
    staff: &StaffId,
    clock: &dyn Clock,
) -> Present {
    let Ok(conn) = db::open_db(&paths.db(), key, false) else {
        return Present::default();
    };
    let beside_key = anchor::beside_key(&conn, false).ok().flatten();
    if let Some(beside) = &beside_key {
        let advanced = anchor::advance(
            &conn,
            &paths.audit_anchor(),
            &present.store_id,
            beside,
            clock.now(),
        );
        if let Err(error) = advanced {
            tracing::warn!(%error, "the audit trail being replaced could not be anchored");
        }
    }
    let may_restore = crate::store::staff::read_staff(&conn, staff)
        .ok()
        .flatten()
        .map(|me| me.role.can(Permission::Restore));
    let reached = reached::in_database(&conn).ok();
    let _ = conn.close();
    Present {
        trail_rows: beside_key.and_then(|k| anchored_row(paths, &present.store_id, &k)),
        may_restore,
        reached,
        beside_key,
    }
}

fn anchored_row(paths: &StorePaths, store_id: &str, key: &[u8; 32]) -> Option<i64> {
    match anchor::read(&paths.audit_anchor(), store_id, key) {
        anchor::AnchorRead::Valid(a) => Some(a.row),
        _ => None,
    }
}

struct HashingWriter<'a> {
    inner: &'a mut File,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
