//! Staff accounts: the `staff` table and the matching key slots.

use crate::domain::staff::{
    Permission, Role, Staff, StaffId, StaffStatus, check_passphrase, validate_staff_name,
};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::session::reopen_identity;
use crate::store::write::{AuditEvent, Table};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::json;

/// A staff member as the staff list shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub status: StaffStatus,
    pub created_at: String,
    /// Set while failed logins keep the account locked.
    pub locked_until: Option<DateTime<Utc>>,
}

fn staff_from_row(
    row: &rusqlite::Row,
) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn parse_staff(id: &str, name: String, role: &str, status: &str) -> Result<Staff> {
    Ok(Staff {
        id: StaffId::parse(id).map_err(|_| Error::DatabaseDamaged)?,
        name,
        role: role.parse().map_err(|_| Error::DatabaseDamaged)?,
        status: StaffStatus::parse(status).ok_or(Error::DatabaseDamaged)?,
    })
}

pub(crate) fn read_staff(conn: &Connection, id: &StaffId) -> Result<Option<Staff>> {
    let row = conn
        .query_row(
            "SELECT id, name, role, status, created_at FROM staff WHERE id = ?1",
            [id.as_str()],
            staff_from_row,
        )
        .optional()?;
    row.map(|(id, name, role, status, _)| parse_staff(&id, name, &role, &status))
        .transpose()
}

pub(crate) fn active_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM staff WHERE status = 'active'")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

impl Session {
    pub fn list_staff(&self) -> Result<Vec<StaffRow>> {
        self.require(Permission::ViewStaff)?;
        let now = self.clock.now();
        let ledger = self.login_ledger();
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, role, status, created_at FROM staff ORDER BY id")?;
        let rows = stmt
            .query_map([], staff_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, name, role, status, created_at)| {
                let staff = parse_staff(&id, name, &role, &status)?;
                let locked_until = ledger.record(&id).locked_until.filter(|until| *until > now);
                Ok(StaffRow {
                    id: staff.id.to_string(),
                    name: staff.name,
                    role: staff.role,
                    status: staff.status,
                    created_at,
                    locked_until,
                })
            })
            .collect()
    }

    fn demo_exempt(&self) -> bool {
        self.branch.demo
    }

    /// Adds a staff member with a key slot for `passphrase`. Staff IDs are never reused, so
    /// the audit trail always means one person.
    pub fn add_staff(
        &mut self,
        id: &str,
        name: &str,
        role: Role,
        passphrase: &SecretString,
    ) -> Result<Staff> {
        self.require(Permission::ManageStaff)?;
        let id = StaffId::parse(id)?;
        let name = validate_staff_name(name)?;
        if !self.demo_exempt() {
            check_passphrase(passphrase.expose_secret(), &id)?;
        }
        if read_staff(&self.conn, &id)?.is_some() {
            return Err(Error::StaffExists { id: id.to_string() });
        }
        let staff = Staff {
            id: id.clone(),
            name,
            role,
            status: StaffStatus::Active,
        };
        // The slot is prepared first (the slow Argon2 step), so a failure there leaves no row.
        let mut slots = self.slots.clone();
        slots.put(id.as_str(), passphrase, &self.key, self.options().kdf)?;
        let event = AuditEvent::new("staff.add", "staff", id.as_str())
            .with_detail(json!({ "role": role.code() }));
        let row = staff.clone();
        self.write(event, |w| {
            let now = w.now_text();
            w.insert(
                Table::Staff,
                row.id.as_str(),
                vec![
                    ("name", Value::Text(row.name.clone())),
                    ("role", Value::Text(row.role.code().into())),
                    ("status", Value::Text(row.status.code().into())),
                    ("created_at", Value::Text(now.clone())),
                    ("updated_at", Value::Text(now)),
                ],
            )
        })?;
        // Written after the row: a crash in between leaves a member without a slot, whom an
        // administrator can give a passphrase; never a slot without a member.
        slots.save(&self.paths.keyslots())?;
        self.slots = slots;
        Ok(staff)
    }

    /// Disables a staff member: marks the row, removes the slot, rekeys the database.
    pub fn disable_staff(&mut self, id: &str) -> Result<()> {
        self.require(Permission::ManageStaff)?;
        let id = StaffId::parse(id)?;
        if id == self.me.id {
            return Err(Error::CannotDisableSelf);
        }
        let staff = read_staff(&self.conn, &id)?
            .ok_or_else(|| Error::StaffNotFound { id: id.to_string() })?;
        let active = staff.status == StaffStatus::Active;
        if active && staff.role == Role::Admin && self.active_admins()? <= 1 {
            return Err(Error::LastAdmin);
        }
        let disable = |session: &mut Session| {
            if !active {
                return Ok(());
            }
            session.write_disablement(AuditEvent::new("staff.disable", "staff", id.as_str()), &id)
        };
        // The disablement, the new key and the slots without theirs commit together. (Also
        // reached for a member disabled earlier whose slot survived an interruption.)
        let had_slot = self.slots.slot(id.as_str()).is_some();
        if had_slot {
            let before = self.slots.clone();
            self.slots.remove(id.as_str());
            let rekeyed = self.rekey_with("staff_disabled", disable);
            if rekeyed.is_err() {
                self.slots = before;
            }
            rekeyed
        } else {
            disable(self)
        }
    }

    /// Disables, in a restored database, a member who was disabled after its backup was
    /// made (their slot is already gone from the restored slots).
    pub(crate) fn disable_after_restore(&mut self, id: &str) -> Result<()> {
        let Ok(id) = StaffId::parse(id) else {
            return Ok(());
        };
        let active = read_staff(&self.conn, &id)?.is_some_and(|s| s.status == StaffStatus::Active);
        if !active {
            return Ok(());
        }
        let event = AuditEvent::new("staff.disable", "staff", id.as_str())
            .with_detail(serde_json::json!({ "after_restore": true }));
        self.write_disablement(event, &id)
    }

    /// Marks `id` disabled through the write path, audited as `event`.
    fn write_disablement(&mut self, event: AuditEvent, id: &StaffId) -> Result<()> {
        self.write(event, |w| {
            let now = w.now_text();
            w.update(
                Table::Staff,
                id.as_str(),
                vec![
                    ("status", Value::Text(StaffStatus::Disabled.code().into())),
                    ("updated_at", Value::Text(now)),
                ],
            )
        })
    }

    fn active_admins(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM staff WHERE role = 'admin' AND status = 'active'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Changes the logged-in member's own passphrase: the slot is rewrapped, the database key
    /// stays.
    pub fn change_own_passphrase(
        &mut self,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<()> {
        if !self.demo_exempt() {
            check_passphrase(new.expose_secret(), &self.me.id)?;
        }
        let identity = reopen_identity(self, current)?;
        let mut slots = self.slots.clone();
        slots.put_identity(
            self.me.id.as_str(),
            &identity,
            new,
            &self.key,
            self.options().kdf,
        )?;
        slots.save(&self.paths.keyslots())?;
        self.slots = slots;
        self.audit_only(AuditEvent::new(
            "staff.passphrase_change",
            "staff",
            self.me.id.as_str(),
        ))
    }

    /// An administrator sets a new passphrase for someone who forgot theirs, or whose
    /// passphrase may be known to others: a fresh slot, and a rekey so that a copy of the old
    /// slot opens nothing new.
    pub fn reset_passphrase(&mut self, id: &str, new: &SecretString) -> Result<()> {
        self.require(Permission::ManageStaff)?;
        let id = StaffId::parse(id)?;
        let staff = read_staff(&self.conn, &id)?
            .filter(|s| s.status == StaffStatus::Active)
            .ok_or_else(|| Error::StaffNotFound { id: id.to_string() })?;
        if !self.demo_exempt() {
            check_passphrase(new.expose_secret(), &staff.id)?;
        }
        let mut slots = self.slots.clone();
        slots.put(staff.id.as_str(), new, &self.key, self.options().kdf)?;
        slots.save(&self.paths.keyslots())?;
        self.slots = slots;
        self.audit_only(AuditEvent::new(
            "staff.passphrase_reset",
            "staff",
            staff.id.as_str(),
        ))?;
        self.rekey("passphrase_reset")
    }

    /// Lifts a failed-login lock before its 15 minutes are up.
    pub fn unlock_account(&mut self, id: &str) -> Result<()> {
        self.require(Permission::ManageStaff)?;
        let id = StaffId::parse(id)?;
        if read_staff(&self.conn, &id)?.is_none() {
            return Err(Error::StaffNotFound { id: id.to_string() });
        }
        let mut ledger = self.login_ledger();
        if ledger.clear(id.as_str()) {
            ledger.save(self.clock.now())?;
        }
        self.audit_only(AuditEvent::new("staff.unlock", "staff", id.as_str()))
    }
}
