//! `branchdesk doctor`: every check we can run on an open store.

use crate::domain::audit::ChainVerdict;
use crate::domain::staff::Permission;
use crate::error::Result;
use crate::store::audit::verify_chain;
use crate::store::migrations::{SCHEMA_VERSION, schema_version};
use crate::store::{CachePlan, KeySlots, Session};
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable code; the UI label is `doctor.<code>` in the catalogs.
    pub code: &'static str,
    pub ok: bool,
    /// What was found when not ok (technical, no personal data).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<Check>,
    /// The page cache this store runs with, and what it was sized from.
    pub page_cache: CachePlan,
    /// Files beside the store that are not the store, and why they are there.
    pub left_beside: Vec<LeftFile>,
}

/// A file in the store's folder that is not part of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftFile {
    pub name: String,
    /// `before_restore`: the store as it was before a restore (kept on purpose until
    /// someone has checked the restored one); `partial`: a backup or export cut short.
    pub why: &'static str,
}

/// What lies in the store's folder besides the store.
fn left_beside(dir: &std::path::Path) -> Vec<LeftFile> {
    let mut found: Vec<LeftFile> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let why = if name.contains(".before-restore-") {
                "before_restore"
            } else if name.ends_with(".partial") {
                "partial"
            } else {
                return None;
            };
            Some(LeftFile { name, why })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

impl Session {
    pub fn doctor(&self) -> Result<DoctorReport> {
        self.require(Permission::CheckStore)?;
        let mut checks = database_checks(&self.conn)?;
        checks.push(slot_check(&self.conn, &self.slots)?);
        checks.push(self.anchor_check()?);
        Ok(DoctorReport {
            ok: checks.iter().all(|c| c.ok),
            checks,
            page_cache: self.cache,
            left_beside: left_beside(self.paths.dir()),
        })
    }
}

impl Session {
    /// The trail held against its anchor (the chain itself is the `audit_chain` check).
    fn anchor_check(&self) -> Result<Check> {
        let rows = crate::store::anchor::chain_head(&self.conn)?.map_or(0, |(row, _)| row);
        let verdict = self.against_anchor(ChainVerdict::Intact {
            rows: u64::try_from(rows).unwrap_or(0),
        })?;
        Ok(Check {
            code: "audit_anchor",
            ok: verdict.is_intact(),
            detail: if verdict.is_intact() {
                String::new()
            } else {
                serde_json::to_string(&verdict).unwrap_or_default()
            },
        })
    }
}

/// The checks that also decide whether a backup may be restored.
pub(crate) fn database_checks(conn: &Connection) -> Result<Vec<Check>> {
    let mut checks = Vec::new();

    let version = schema_version(conn)?;
    checks.push(Check {
        code: "schema",
        ok: version == SCHEMA_VERSION,
        detail: format!("schema {version}, this build writes {SCHEMA_VERSION}"),
    });

    let integrity: Vec<String> = collect_strings(conn, "PRAGMA integrity_check")?;
    let integrity_ok = integrity.len() == 1 && integrity[0] == "ok";
    checks.push(Check {
        code: "integrity",
        ok: integrity_ok,
        detail: if integrity_ok {
            String::new()
        } else {
            integrity.into_iter().take(5).collect::<Vec<_>>().join("; ")
        },
    });

    let cipher: Vec<String> = collect_strings(conn, "PRAGMA cipher_integrity_check")?;
    checks.push(Check {
        code: "cipher_integrity",
        ok: cipher.is_empty(),
        detail: cipher.into_iter().take(5).collect::<Vec<_>>().join("; "),
    });

    let verdict = verify_chain(conn)?;
    checks.push(Check {
        code: "audit_chain",
        ok: verdict.is_intact(),
        detail: match verdict {
            ChainVerdict::Intact { rows } => format!("{rows} rows"),
            other => serde_json::to_string(&other).unwrap_or_default(),
        },
    });

    let fk: Vec<String> = collect_strings(conn, "PRAGMA foreign_key_check")?;
    checks.push(Check {
        code: "foreign_keys",
        ok: fk.is_empty(),
        detail: fk.into_iter().take(5).collect::<Vec<_>>().join("; "),
    });
    Ok(checks)
}

fn slot_check(conn: &Connection, slots: &KeySlots) -> Result<Check> {
    let active = crate::store::staff::active_ids(conn)?;
    let without_slot: Vec<&str> = active
        .iter()
        .map(String::as_str)
        .filter(|id| slots.slot(id).is_none())
        .collect();
    let stale: Vec<&str> = slots
        .staff_ids()
        .filter(|id| !active.iter().any(|a| a == id))
        .collect();
    let mut problems = Vec::new();
    if !without_slot.is_empty() {
        problems.push(format!("no key slot: {}", without_slot.join(", ")));
    }
    if !stale.is_empty() {
        problems.push(format!("slot without active staff: {}", stale.join(", ")));
    }
    Ok(Check {
        code: "key_slots",
        ok: problems.is_empty(),
        detail: problems.join("; "),
    })
}

fn collect_strings(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let rows = stmt
        .query_map([], |row| {
            let mut parts = Vec::with_capacity(columns);
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                parts.push(match value {
                    rusqlite::types::Value::Null => "null".to_string(),
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Real(f) => f.to_string(),
                    rusqlite::types::Value::Text(s) => s,
                    rusqlite::types::Value::Blob(b) => hex::encode(b),
                });
            }
            Ok(parts.join(" "))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
