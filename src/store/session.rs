//! Creating a store, logging in, and the logged-in [`Session`] that every store operation
//! goes through.

use crate::domain::branch::{BranchCode, validate_branch_name};
use crate::domain::clock::Clock;
use crate::domain::hlc::Hlc;
use crate::domain::lockout::Gate;
use crate::domain::staff::{
    Permission, Role, Staff, StaffId, StaffStatus, check_passphrase, validate_staff_name,
};
use crate::error::{Error, Result};
use crate::store::keyslots::{DbKey, KdfParams, KeySlots, SlotError};
use crate::store::lockfile::StoreLock;
use crate::store::logins::LoginLedger;
use crate::store::write::{AuditEvent, Table};
use crate::store::{StorePaths, db, fsutil, migrations, swap};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// Knobs that tests turn (the key derivation cost) and that config.toml sets (sync limits).
#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    pub kdf: KdfParams,
    pub sync: SyncLimits,
    /// The page cache in MiB (`page_cache_mib`); sized from the store and the machine when
    /// None.
    pub cache_mib: Option<u32>,
    /// The earliest day a complaint may have been received (`earliest_complaint_date`).
    pub earliest_receipt: chrono::NaiveDate,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            kdf: KdfParams::STANDARD,
            sync: SyncLimits::default(),
            cache_mib: None,
            earliest_receipt: crate::domain::complaint::earliest_receipt(),
        }
    }
}

/// When the sync status warns (the `[sync]` table of config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncLimits {
    /// Nothing exported for this many days while changes wait.
    pub export_due_days: u32,
    /// More than this many MiB wait in the outbox.
    pub outbox_warn_mib: u32,
    /// The local clock is this many minutes behind the latest time seen from HQ.
    pub clock_drift_minutes: u32,
}

impl Default for SyncLimits {
    fn default() -> Self {
        SyncLimits {
            export_due_days: 7,
            outbox_warn_mib: 256,
            clock_drift_minutes: 5,
        }
    }
}

/// What `init` (or the first-run wizard) needs. `Debug` shows no passphrase (secrecy).
#[derive(Debug)]
pub struct NewStore {
    pub branch_code: String,
    pub branch_name: String,
    pub admin_id: String,
    pub admin_name: String,
    pub admin_passphrase: SecretString,
    /// A demo store: shared public passphrase, exempt from the length rule, labelled as such.
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchInfo {
    pub code: String,
    pub name: String,
    pub store_id: String,
    pub demo: bool,
    /// How complainants reach the branch (printed on slips); None until set.
    pub contact: Option<String>,
}

/// A logged-in staff member's handle on an open store.
pub struct Session {
    pub(crate) paths: StorePaths,
    pub(crate) conn: Connection,
    pub(crate) key: DbKey,
    pub(crate) slots: KeySlots,
    pub(crate) me: Staff,
    pub(crate) branch: BranchInfo,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) hlc: Hlc,
    pub(crate) options: StoreOptions,
    /// The page cache the connection runs with, and how far it is warmed.
    pub(crate) cache: crate::store::CachePlan,
    pub(crate) warming: crate::store::cache::Warming,
    /// Working days for complaint deadlines (HQ's holiday table once applied).
    pub(crate) calendar: std::sync::Arc<crate::domain::calendar::WorkCalendar>,
    /// When the audit trail's head was last anchored beside the store (see `anchor`).
    pub(crate) anchored_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The portfolio rules in force, read once (again after HQ's reference data applies).
    pub(crate) rules: std::sync::OnceLock<Arc<crate::sync::reference::PortfolioRules>>,
    /// At an HQ consolidating into PostgreSQL: the connection, opened on first use.
    pub(crate) hq_pg: std::cell::RefCell<Option<crate::store::hq::PgHq>>,
    /// The consolidation database's address given for this run (`[hq] database`,
    /// `BRANCHDESK_HQ_DATABASE`), over the one `hq init --database` kept.
    pub(crate) hq_database: Option<String>,
    /// Shared by the worker sessions of this one (`Session::worker`).
    _lock: Arc<StoreLock>,
}

impl Drop for Session {
    /// The end of a session (a command, a logout, a quit) anchors the trail and notes the
    /// numbers reached as it leaves them.
    fn drop(&mut self) {
        self.keep_beside();
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("store", &self.paths.dir())
            .field("staff", &self.me.id)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Another session of the same staff member on the same store, for a worker thread of
    /// this process: its own connections, this session's lock on the store. (HQ's import
    /// workers: each imports with its own database connection; their audit rows take turns
    /// on the one trail.)
    pub(crate) fn worker(&self) -> Result<Session> {
        let conn = db::open_db(&self.paths.db(), &self.key, false)?;
        Ok(Session {
            paths: self.paths.clone(),
            conn,
            key: self.key.duplicate(),
            slots: self.slots.clone(),
            me: self.me.clone(),
            branch: self.branch.clone(),
            clock: self.clock.clone(),
            hlc: self.hlc,
            options: self.options,
            cache: self.cache,
            warming: self.warming.clone(),
            calendar: self.calendar.clone(),
            anchored_at: self.anchored_at,
            rules: std::sync::OnceLock::new(),
            hq_pg: std::cell::RefCell::new(None),
            hq_database: self.hq_database.clone(),
            _lock: self._lock.clone(),
        })
    }

    /// Creates a new store in `paths` (which must not hold one) and logs its administrator in.
    pub fn create(
        paths: &StorePaths,
        setup: NewStore,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Session> {
        let branch_code = BranchCode::parse(&setup.branch_code)?;
        let branch_name = validate_branch_name(&setup.branch_name)?;
        let admin_id = StaffId::parse(&setup.admin_id)?;
        let admin_name = validate_staff_name(&setup.admin_name)?;
        if !setup.demo {
            check_passphrase(
                secrecy::ExposeSecret::expose_secret(&setup.admin_passphrase),
                &admin_id,
            )?;
        }
        if paths.exists() {
            return Err(Error::StoreExists {
                dir: paths.dir().to_path_buf(),
            });
        }
        fsutil::create_private_dir(paths.dir())?;
        let lock = StoreLock::acquire(paths)?;
        swap::recover(paths)?;

        let key = DbKey::generate();
        let store_id = uuid::Uuid::now_v7().to_string();
        let staged_db = StorePaths::staged(&paths.db());
        fsutil::remove_if_exists(&staged_db)?;
        // Created private before SQLite opens it (its journal files take its mode).
        fsutil::create_private(&staged_db)?;
        let mut conn = db::open_db(&staged_db, &key, true)?;
        migrations::migrate(&mut conn)?;

        let me = Staff {
            id: admin_id.clone(),
            name: admin_name,
            role: Role::Admin,
            status: StaffStatus::Active,
        };
        let branch = BranchInfo {
            code: branch_code.as_str().to_string(),
            name: branch_name,
            store_id: store_id.clone(),
            demo: setup.demo,
            contact: None,
        };
        let mut slots = KeySlots::new(store_id.clone(), setup.demo);
        slots.put(
            admin_id.as_str(),
            &setup.admin_passphrase,
            &key,
            options.kdf,
        )?;

        let mut session = Session {
            paths: paths.clone(),
            conn,
            key,
            slots,
            me,
            branch,
            clock,
            hlc: Hlc::default(),
            options,
            cache: crate::store::cache::plan(0, None, None),
            warming: Default::default(),
            calendar: std::sync::Arc::new(crate::store::shipped_calendar().clone()),
            rules: std::sync::OnceLock::new(),
            hq_pg: std::cell::RefCell::new(None),
            hq_database: None,
            anchored_at: None,
            _lock: Arc::new(lock),
        };
        session.write_initial_rows()?;
        session.mark_lunar_table()?;
        session.slots.save(&StorePaths::staged(&paths.keyslots()))?;
        session.close_connection()?;
        swap::commit(
            paths,
            &[
                ("branchdesk.db.staged", "branchdesk.db"),
                ("keyslots.json.staged", "keyslots.json"),
            ],
        )?;
        session.conn = db::open_db(&paths.db(), &session.key, false)?;
        fsutil::restrict_to_owner(&paths.db(), 0o600)?;
        session.size_cache()?;
        LoginLedger::start(
            &paths.logins(),
            session.slots.login_guard(),
            session.clock.now(),
        )?;
        session.conn.execute(
            "INSERT OR REPLACE INTO sync_local (key, value) VALUES ('login_guard', '1')",
            [],
        )?;
        Ok(session)
    }

    fn write_initial_rows(&mut self) -> Result<()> {
        let branch = self.branch.clone();
        let me = self.me.clone();
        let event = AuditEvent::new("store.init", "store", &branch.store_id)
            .with_detail(json!({ "branch": branch.code, "demo": branch.demo }));
        self.write(event, |w| {
            let now_text = w.now_text();
            for (key, value) in [
                ("store_id", branch.store_id.clone()),
                ("branch_code", branch.code.clone()),
                ("branch_name", branch.name.clone()),
                ("demo", branch.demo.to_string()),
                ("created_at", now_text.clone()),
            ] {
                w.insert(Table::Settings, key, vec![("value", Value::Text(value))])?;
            }
            w.insert(
                Table::Staff,
                me.id.as_str(),
                vec![
                    ("name", Value::Text(me.name.clone())),
                    ("role", Value::Text(me.role.code().into())),
                    ("status", Value::Text(me.status.code().into())),
                    ("created_at", Value::Text(now_text.clone())),
                    ("updated_at", Value::Text(now_text)),
                ],
            )
        })
    }

    /// Logs `staff_id` in with `passphrase`. Failures are counted in `logins.json`; the
    /// database and key slots are not touched by a failed attempt.
    pub fn unlock(
        paths: &StorePaths,
        staff_id: &str,
        passphrase: &SecretString,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Session> {
        if !paths.exists() {
            return Err(Error::NoStore {
                dir: paths.dir().to_path_buf(),
            });
        }
        let lock = StoreLock::acquire(paths)?;
        Session::unlock_holding(paths, lock, staff_id, passphrase, clock, options)
    }

    /// [`Session::unlock`] for a caller that already holds the store lock.
    pub(crate) fn unlock_holding(
        paths: &StorePaths,
        lock: StoreLock,
        staff_id: &str,
        passphrase: &SecretString,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Session> {
        swap::recover(paths)?;
        let typed = StaffId::parse(staff_id);
        let slots = KeySlots::load(&paths.keyslots())?;
        let key = match &typed {
            Ok(id) => check_slot(paths, &slots, id, passphrase, clock.as_ref()),
            Err(_) => Err(Error::WrongCredentials),
        };
        let key = match key {
            Ok(key) => key,
            Err(error) => {
                // Noted for the audit trail, which the next login writes it into.
                if matches!(error, Error::WrongCredentials | Error::AccountLocked { .. }) {
                    let mut ledger =
                        LoginLedger::load(&paths.logins(), slots.login_guard(), clock.now());
                    let id = typed.as_ref().ok().map(|id| id.as_str());
                    ledger.note_failed(clock.now(), id);
                    ledger.save(clock.now())?;
                }
                return Err(error);
            }
        };
        let staff_id = typed.map_err(|_| Error::WrongCredentials)?;

        let mut conn = db::open_db(&paths.db(), &key.db_key, false)?;
        migrations::migrate(&mut conn)?;
        let branch = read_branch(&conn)?;
        if branch.store_id != slots.store_id {
            return Err(Error::DatabaseNotOurs { path: paths.db() });
        }
        // The key slots' demo flag (read before login, to offer the demo passphrase) is not
        // sealed: it must say what the encrypted database says, or the file was edited.
        if branch.demo != slots.demo {
            return Err(Error::KeyslotsDamaged {
                path: paths.keyslots(),
            });
        }
        let me = crate::store::staff::read_staff(&conn, &staff_id)?
            .filter(|s| s.status == StaffStatus::Active)
            .ok_or(Error::WrongCredentials)?;
        // A failed-login record found missing or changed (or a key-slots file without the
        // guard a store of this version has): only an administrator may log in, and that
        // login starts a new record.
        let guard_stripped = slots.login_guard().is_none() && guarded(&conn)?;
        let tampered = key.tampered_since.is_some() || guard_stripped;
        if tampered && me.role != Role::Admin {
            return Err(Error::LoginRecordTampered { until: None });
        }
        // The clock continues past its last reading here, and past what a store this one
        // replaced in a restore had reached (`hlc_floor`).
        let hlc: i64 = conn.query_row(
            "SELECT max(coalesce((SELECT max(hlc) FROM audit_log), 0),
                        coalesce((SELECT CAST(value AS INTEGER) FROM sync_local
                                  WHERE key = 'hlc_floor'), 0))",
            [],
            |r| r.get(0),
        )?;

        let calendar = crate::store::complaints::load_calendar(&conn)?;
        let mut session = Session {
            paths: paths.clone(),
            conn,
            key: key.db_key,
            slots,
            me,
            branch,
            clock,
            hlc: Hlc::from_i64(hlc),
            options,
            cache: crate::store::cache::plan(0, None, None),
            warming: Default::default(),
            calendar,
            rules: std::sync::OnceLock::new(),
            hq_pg: std::cell::RefCell::new(None),
            hq_database: None,
            anchored_at: None,
            _lock: Arc::new(lock),
        };
        session.size_cache()?;
        session.refresh_lunar_keys()?;
        let now = session.clock.now();
        session.guard_logins(tampered.then(|| key.tampered_since.unwrap_or(now)))?;
        session.audit_failed_logins()?;
        let event = AuditEvent::new("session.login", "staff", staff_id.as_str())
            .with_detail(json!({ "failed_attempts_before": key.failures_before }));
        session.audit_only(event)?;
        session.purge_stale_slots()?;
        session.finish_restore()?;
        // Points whose last day has passed are written off before anyone at the counter
        // reads a balance (nothing to do, one index probe).
        if session
            .me
            .role
            .can(crate::domain::staff::Permission::UsePoints)
        {
            session.expire_lapsed_points(&mut |_, _| {})?;
        }
        Ok(session)
    }

    /// The failed-login record, authenticated with this store's login guard.
    pub(crate) fn login_ledger(&self) -> LoginLedger {
        LoginLedger::load(
            &self.paths.logins(),
            self.slots.login_guard(),
            self.clock.now(),
        )
    }

    /// After a login: a store made before login guards gets one (in its key slots, and
    /// marked in the database, so that a key-slots file without it is noticed); a record
    /// found tampered with `since` is started again by this administrator, in the trail.
    fn guard_logins(
        &mut self,
        tampered_since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<()> {
        if self.slots.ensure_login_guard() {
            self.slots.save(&self.paths.keyslots())?;
        }
        if !guarded(&self.conn)? {
            self.conn.execute(
                "INSERT OR REPLACE INTO sync_local (key, value) VALUES ('login_guard', '1')",
                [],
            )?;
        }
        let mut ledger = self.login_ledger();
        let Some(since) = tampered_since.or(ledger.tampered_since()) else {
            return ledger.save(self.clock.now());
        };
        ledger.clear_tampering();
        ledger.save(self.clock.now())?;
        self.audit_only(
            AuditEvent::new(
                "session.login_record_reset",
                "store",
                self.branch.store_id.clone(),
            )
            .with_detail(json!({
                "since": since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })),
        )
    }

    /// Writes the failed logins since the database was last open into the audit trail
    /// (actor and subject: the staff ID as typed, or "?" for anything else).
    fn audit_failed_logins(&mut self) -> Result<()> {
        let mut ledger = self.login_ledger();
        if ledger.failed().is_empty() {
            return Ok(());
        }
        for failed in ledger.failed().to_vec() {
            let typed = failed.staff_id.unwrap_or_else(|| "?".into());
            let at = failed.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            self.audit_only(
                AuditEvent::new("session.login_failed", "staff", typed)
                    .with_detail(json!({ "attempted_at": at })),
            )?;
        }
        ledger.clear_failed();
        ledger.save(self.clock.now())
    }

    /// Checks the logged-in member's passphrase again (to unlock a locked screen). Counts
    /// failures like a login does.
    pub fn verify_passphrase(&mut self, passphrase: &SecretString) -> Result<()> {
        let checked = check_slot(
            &self.paths,
            &self.slots,
            &self.me.id,
            passphrase,
            self.clock.as_ref(),
        );
        if let Err(error) = checked {
            if matches!(error, Error::WrongCredentials | Error::AccountLocked { .. }) {
                self.audit_only(AuditEvent::new(
                    "session.unlock_failed",
                    "staff",
                    self.me.id.as_str(),
                ))?;
            }
            return Err(error);
        }
        self.audit_only(AuditEvent::new(
            "session.unlock",
            "staff",
            self.me.id.as_str(),
        ))
    }

    /// Records that the screen was locked (by the staff member or by idle time).
    pub fn record_lock(&mut self, reason: &'static str) -> Result<()> {
        self.audit_only(
            AuditEvent::new("session.lock", "staff", self.me.id.as_str())
                .with_detail(json!({ "reason": reason })),
        )
    }

    pub fn record_logout(&mut self) -> Result<()> {
        self.audit_only(AuditEvent::new(
            "session.logout",
            "staff",
            self.me.id.as_str(),
        ))
    }

    pub fn me(&self) -> &Staff {
        &self.me
    }

    pub fn branch(&self) -> &BranchInfo {
        &self.branch
    }

    pub fn paths(&self) -> &StorePaths {
        &self.paths
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Refuses unless the logged-in role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.me.role.can(permission) {
            Ok(())
        } else {
            Err(Error::PermissionDenied { permission })
        }
    }

    /// Closes the connection so that the database file can be replaced. SQLite checkpoints
    /// and deletes the WAL when its last connection closes; if the WAL stays behind, the swap
    /// is refused, because it would be replayed onto the new file.
    pub(crate) fn close_connection(&mut self) -> Result<()> {
        let old = std::mem::replace(&mut self.conn, db::connect_in_memory()?);
        let path = old.path().map(std::path::PathBuf::from);
        old.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        old.close().map_err(|(_, e)| Error::from(e))?;
        if let Some(path) = path {
            let wal = path.with_file_name(format!(
                "{}-wal",
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(Error::internal("the write-ahead log survived a checkpoint"));
            }
        }
        Ok(())
    }

    /// Replaces the database key: copies the database into a new file under a new key with
    /// SQLite's backup API, seals the new key to the remaining slots, and swaps both files in
    /// together. Old copies of `keyslots.json` only ever unseal the old key.
    pub(crate) fn rekey(&mut self, reason: &'static str) -> Result<()> {
        self.rekey_with(reason, |_| Ok(()))
    }

    /// [`Session::rekey`], making `change` in the new copy of the database: the swap journal
    /// then commits the change, the new key and the new key slots together or none of them
    /// (a disablement is never on record while the disabled member's slot still opens the
    /// database). The rekey's own audit row is written in the copy too.
    pub(crate) fn rekey_with(
        &mut self,
        reason: &'static str,
        change: impl FnOnce(&mut Session) -> Result<()>,
    ) -> Result<()> {
        let new_key = DbKey::generate();
        let staged_db = StorePaths::staged(&self.paths.db());
        let staged_slots = StorePaths::staged(&self.paths.keyslots());
        fsutil::remove_if_exists(&staged_db)?;
        fsutil::create_private(&staged_db)?;
        let target = {
            let mut target = db::connect(&staged_db)?;
            db::apply_key(&target, &new_key)?;
            rusqlite::backup::Backup::new(&self.conn, &mut target)?.run_to_completion(
                1024,
                std::time::Duration::ZERO,
                None,
            )?;
            target.execute_batch("PRAGMA foreign_keys = ON;")?;
            target
        };
        // The change goes into the copy, on this session's connection for the time it takes.
        let live = std::mem::replace(&mut self.conn, target);
        let changed = change(self).and_then(|()| {
            self.audit_only(
                AuditEvent::new("store.rekey", "store", self.branch.store_id.clone())
                    .with_detail(json!({ "reason": reason })),
            )
        });
        let target = std::mem::replace(&mut self.conn, live);
        let closed = target.close().map_err(|(_, e)| Error::from(e));
        if let Err(error) = changed.and(closed) {
            let _ = fsutil::remove_if_exists(&staged_db);
            return Err(error);
        }
        fsutil::sync_file(&staged_db)?;
        let mut slots = self.slots.clone();
        slots.reseal_all(&new_key)?;
        slots.save(&staged_slots)?;
        fsutil::crash_point("rekey:staged");

        self.close_connection()?;
        swap::commit(
            &self.paths,
            &[
                ("branchdesk.db.staged", "branchdesk.db"),
                ("keyslots.json.staged", "keyslots.json"),
            ],
        )?;
        self.conn = db::open_db(&self.paths.db(), &new_key, false)?;
        fsutil::restrict_to_owner(&self.paths.db(), 0o600)?;
        self.size_cache()?;
        self.key = new_key;
        self.slots = slots;
        Ok(())
    }

    /// Runs `work` on a copy of the database that has no journal (so nothing is written
    /// twice), then swaps the copy in with the swap journal. If `work` fails or the process
    /// dies, the copy is thrown away and the store is as it was. For big one-off writes: a
    /// branch's first client list, the demo and benchmark stores.
    pub(crate) fn on_staged_copy<T>(
        &mut self,
        work: impl FnOnce(&mut Session) -> Result<T>,
    ) -> Result<T> {
        let staged = StorePaths::staged(&self.paths.db());
        fsutil::remove_if_exists(&staged)?;
        fsutil::create_private(&staged)?;
        let copy = {
            let mut target = db::connect(&staged)?;
            db::apply_key(&target, &self.key)?;
            rusqlite::backup::Backup::new(&self.conn, &mut target)?.run_to_completion(
                1024,
                std::time::Duration::ZERO,
                None,
            )?;
            target.execute_batch(&format!(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                 PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -{};",
                db::BULK_CACHE_KIB
            ))?;
            target
        };
        let live = std::mem::replace(&mut self.conn, copy);
        let result = work(self);
        let copy = std::mem::replace(&mut self.conn, live);
        let value = match result {
            Ok(value) => value,
            Err(e) => {
                drop(copy);
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        copy.execute_batch("PRAGMA journal_mode = WAL;")?;
        copy.close().map_err(|(_, e)| Error::from(e))?;
        fsutil::sync_file(&staged)?;
        self.close_connection()?;
        swap::commit(&self.paths, &[("branchdesk.db.staged", "branchdesk.db")])?;
        self.conn = db::open_db(&self.paths.db(), &self.key, false)?;
        fsutil::restrict_to_owner(&self.paths.db(), 0o600)?;
        self.size_cache()?;
        Ok(value)
    }

    /// Removes slots whose staff member is disabled or unknown (left behind when a disable
    /// was interrupted), rekeying so those slots open nothing.
    fn purge_stale_slots(&mut self) -> Result<()> {
        let active = crate::store::staff::active_ids(&self.conn)?;
        let stale: Vec<String> = self
            .slots
            .staff_ids()
            .filter(|id| !active.iter().any(|a| a == id))
            .map(str::to_string)
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        for id in &stale {
            self.slots.remove(id);
        }
        self.rekey("stale_slots")
    }

    pub(crate) fn options(&self) -> StoreOptions {
        self.options
    }
}

/// The outcome of a good passphrase.
pub(crate) struct SlotOpened {
    pub db_key: DbKey,
    pub identity: age::x25519::Identity,
    pub failures_before: u32,
    /// The failed-login record was found missing or changed at this moment.
    pub tampered_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whether the database says this store's key slots carry a login guard.
fn guarded(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_local WHERE key = 'login_guard')",
        [],
        |r| r.get(0),
    )?)
}

/// Applies the lockout policy and opens `staff_id`'s slot.
pub(crate) fn check_slot(
    paths: &StorePaths,
    slots: &KeySlots,
    staff_id: &StaffId,
    passphrase: &SecretString,
    clock: &dyn Clock,
) -> Result<SlotOpened> {
    check_slot_against(
        paths,
        slots,
        slots.login_guard(),
        staff_id,
        passphrase,
        clock,
    )
}

/// [`check_slot`], with the failed-login record authenticated by `ledger_guard` (a restore
/// checks the backup's slots against the record of the store it replaces).
pub(crate) fn check_slot_against(
    paths: &StorePaths,
    slots: &KeySlots,
    ledger_guard: Option<&[u8; 32]>,
    staff_id: &StaffId,
    passphrase: &SecretString,
    clock: &dyn Clock,
) -> Result<SlotOpened> {
    let now = clock.now();
    let mut ledger = LoginLedger::load(&paths.logins(), ledger_guard, now);
    if let Some(since) = ledger.tampered_since() {
        // Noticed now (or earlier): kept, so that deleting the file again changes nothing.
        ledger.save(now)?;
        let until = since + chrono::Duration::minutes(crate::domain::lockout::LOCK_MINUTES);
        if now < until {
            return Err(Error::LoginRecordTampered { until: Some(until) });
        }
    }
    let record = ledger.record(staff_id.as_str());
    match record.gate(now) {
        Gate::Locked(until) => return Err(Error::AccountLocked { until }),
        Gate::Wait(wait) => {
            let seconds = u64::try_from(wait.num_milliseconds().max(0))
                .unwrap_or(0)
                .div_ceil(1000);
            return Err(Error::TooSoon { seconds });
        }
        Gate::Open => {}
    }
    let opened = if slots.slot(staff_id.as_str()).is_some() {
        slots.open(staff_id.as_str(), passphrase)
    } else {
        slots.burn_equal_time(passphrase);
        Err(SlotError::WrongPassphrase)
    };
    match opened {
        Ok(unsealed) => {
            if ledger.clear(staff_id.as_str()) {
                ledger.save(now)?;
            }
            Ok(SlotOpened {
                db_key: unsealed.db_key,
                identity: unsealed.identity,
                failures_before: record.failures,
                tampered_since: ledger.tampered_since(),
            })
        }
        Err(SlotError::Damaged) => Err(Error::KeyslotsDamaged {
            path: paths.keyslots(),
        }),
        Err(SlotError::WrongPassphrase) => {
            let after = record.after_failure(now);
            let locked = after.locked_until;
            ledger.set(staff_id.as_str(), after);
            ledger.save(now)?;
            match locked {
                Some(until) => Err(Error::AccountLocked { until }),
                None => Err(Error::WrongCredentials),
            }
        }
    }
}

pub(crate) fn reopen_identity(
    session: &Session,
    passphrase: &SecretString,
) -> Result<age::x25519::Identity> {
    check_slot(
        &session.paths,
        &session.slots,
        &session.me.id,
        passphrase,
        session.clock.as_ref(),
    )
    .map(|opened| opened.identity)
}

fn read_branch(conn: &Connection) -> Result<BranchInfo> {
    let setting = |key: &str| -> Result<String> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(Error::DatabaseDamaged)
    };
    Ok(BranchInfo {
        code: setting("branch_code")?,
        name: setting("branch_name")?,
        store_id: setting("store_id")?,
        demo: setting("demo")? == "true",
        contact: conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'branch_contact'",
                [],
                |r| r.get(0),
            )
            .optional()?,
    })
}

/// What is in a store directory, as far as can be told without a passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreProbe {
    /// Nothing: the first-run wizard (or `init`) creates a store here.
    Absent,
    /// A store; `demo` says whether it is the demo store (from its key slots).
    Present { demo: bool },
}

pub fn probe(paths: &StorePaths) -> StoreProbe {
    if !paths.exists() {
        return StoreProbe::Absent;
    }
    let demo = KeySlots::load(&paths.keyslots()).is_ok_and(|slots| slots.demo);
    StoreProbe::Present { demo }
}
