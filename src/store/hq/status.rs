//! What HQ holds: the branches with their high-water marks and gaps, the consolidated rows,
//! and the review list of identities two branches wrote differently.

use super::ReviewItem;
use super::db::Param;
use super::{HqRead, hq_params};
use crate::domain::staff::Permission;
use crate::error::Result;
use crate::store::Session;
use crate::sync::keys::Party;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub file: String,
    pub missing_from: i64,
    pub missing_to: i64,
    /// `gap` (changes before it not yet here), `void` (changes it declares sent before a
    /// restore, not yet here) or `forked` (other changes under numbers HQ holds: the
    /// branch renumbers and exports again).
    pub reason: String,
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

impl Session {
    pub fn hq_status(&self) -> Result<HqStatus> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut hq = self.hq()?;
        let mut branches: Vec<BranchState> = hq.rows(
            "SELECT code, name, key_id, high_water, last_import FROM hq_branch ORDER BY code",
            &[],
            |r| {
                Ok(BranchState {
                    code: r.text(0)?,
                    name: r.text(1)?,
                    key_id: r.text(2)?,
                    high_water: r.int(3)?,
                    last_import: r.opt_text(4)?,
                    quarantined: Vec::new(),
                })
            },
        )?;
        for branch in &mut branches {
            branch.quarantined = hq.rows(
                "SELECT file, missing_from, missing_to, reason FROM hq_quarantine
                 WHERE branch = ?1 ORDER BY from_seq",
                hq_params![&branch.code],
                |r| {
                    Ok(Gap {
                        file: r.text(0)?,
                        missing_from: r.int(1)?,
                        missing_to: r.int(2)?,
                        reason: r.text(3)?,
                    })
                },
            )?;
        }
        let rows = hq.one("SELECT count(*) FROM hq_row", &[], |r| r.int(0))?;
        drop(hq);
        let review = self.hq_review()?.len() as i64;
        Ok(HqStatus {
            branches,
            rows,
            review,
        })
    }

    /// Every consolidated row of `table` (deleted ones too), its fields opened.
    pub fn hq_rows(&self, table: &str) -> Result<Vec<HqRow>> {
        self.require(Permission::ViewSync)?;
        self.table_rows(table, false)
    }

    /// The consolidated rows of `table` by row ID (`live`: tombstones left out), each with
    /// its sealed part opened.
    pub(super) fn table_rows(&self, table: &str, live: bool) -> Result<Vec<HqRow>> {
        self.opened_rows(table, if live { "AND NOT deleted" } else { "" }, &[])
    }

    /// The consolidated rows of `table` that `condition` picks further (SQL over `hq_row`'s
    /// columns, its parameters `params` as `?2`, `?3`…), by row ID, each with its sealed
    /// part opened.
    pub(super) fn opened_rows(
        &self,
        table: &str,
        condition: &str,
        params: &[Param],
    ) -> Result<Vec<HqRow>> {
        let mut hq = self.hq()?;
        let mut all = vec![Param::from(table)];
        all.extend_from_slice(params);
        let rows = hq.rows(
            &format!(
                "SELECT row_id, branch, fields, sealed, deleted FROM hq_row
                 WHERE tbl = ?1 {condition} ORDER BY row_id"
            ),
            &all,
            |r| {
                Ok((
                    r.text(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.opt_bytes(3)?,
                    r.flag(4)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(row_id, branch, fields, sealed, deleted)| {
                let fields = hq.open_fields(table, &row_id, &fields, sealed.as_deref())?;
                Ok(HqRow {
                    table: table.to_string(),
                    row_id,
                    branch,
                    fields,
                    deleted,
                })
            })
            .collect()
    }

    pub fn hq_op_count(&self) -> Result<i64> {
        self.require(Permission::ViewSync)?;
        self.hq()?
            .one("SELECT count(*) FROM hq_op", &[], |r| r.int(0))
    }

    /// Identity fields that more than one branch wrote, with more than one value. Values
    /// are compared as stored (their blind index on PostgreSQL) and shown opened.
    pub fn hq_review(&self) -> Result<Vec<ReviewItem>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut hq = self.hq()?;
        let rows = hq.rows(
            "WITH claim (tbl, row_id, field, branch, value, sealed) AS (
                 SELECT tbl, row_id, 'name', branch, name, sealed FROM hq_claim WHERE name <> ''
                 UNION
                 SELECT tbl, row_id, 'id_number', branch, id_number, sealed FROM hq_claim
                 WHERE id_number <> ''
             )
             SELECT c.tbl, c.row_id, c.field, c.branch, c.value, c.sealed FROM claim c
             JOIN (SELECT tbl, row_id, field FROM claim GROUP BY tbl, row_id, field
                   HAVING count(DISTINCT value) > 1 AND count(DISTINCT branch) > 1) d
               ON c.tbl = d.tbl AND c.row_id = d.row_id AND c.field = d.field
             ORDER BY c.tbl, c.row_id, c.field, c.branch, c.value",
            &[],
            |r| {
                Ok((
                    r.text(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.text(3)?,
                    r.text(4)?,
                    r.opt_bytes(5)?,
                ))
            },
        )?;
        let mut items: Vec<ReviewItem> = Vec::new();
        for (table, row_id, field, branch, value, sealed) in rows {
            let value = match sealed {
                Some(sealed) => {
                    let opened = hq.open_fields(
                        &claim_context(&table, &branch),
                        &row_id,
                        "{}",
                        Some(&sealed),
                    )?;
                    opened
                        .get(&field)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                }
                None => value,
            };
            let claim = (branch, value);
            match items.last_mut() {
                Some(last)
                    if last.table == table && last.row_id == row_id && last.field == field =>
                {
                    if !last.claims.contains(&claim) {
                        last.claims.push(claim)
                    }
                }
                _ => items.push(ReviewItem {
                    table,
                    row_id,
                    field,
                    claims: vec![claim],
                }),
            }
        }
        for item in &mut items {
            item.claims.sort();
        }
        Ok(items)
    }
}

/// How the branches' sync stands: each branch's mark and last import, whether it has been
/// silent past the limit, and what of it waits in quarantine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncHealth {
    /// Silent: nothing imported from the branch since this time (UTC, ISO 8601).
    pub silent_since: String,
    pub silent_days: u32,
    pub branches: Vec<BranchHealth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchHealth {
    pub code: String,
    pub name: String,
    pub high_water: i64,
    pub last_import: Option<String>,
    /// Nothing imported within the limit (or ever).
    pub silent: bool,
    /// Bundles kept aside for the branch.
    pub quarantined: i64,
    /// The first seq HQ waits for before its quarantined bundles can go in.
    pub waiting_for: Option<i64>,
}

impl Session {
    /// The branches' sync health (`hq report sync`): silent past `days`, quarantined
    /// bundles; computed in SQL, the same on both back ends.
    pub fn hq_sync_health(&self, days: u32) -> Result<SyncHealth> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let since = (self.clock.now() - chrono::Duration::days(i64::from(days)))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let branches = self.hq()?.rows(
            "SELECT b.code, b.name, b.high_water, b.last_import,
                    CASE WHEN b.last_import IS NULL OR b.last_import < ?1 THEN 1 ELSE 0 END,
                    (SELECT count(*) FROM hq_quarantine q WHERE q.branch = b.code),
                    (SELECT min(q.missing_from) FROM hq_quarantine q
                     WHERE q.branch = b.code AND q.reason IN ('gap', 'void'))
             FROM hq_branch b ORDER BY b.code",
            hq_params![&since],
            |r| {
                Ok(BranchHealth {
                    code: r.text(0)?,
                    name: r.text(1)?,
                    high_water: r.int(2)?,
                    last_import: r.opt_text(3)?,
                    silent: r.flag(4)?,
                    quarantined: r.int(5)?,
                    waiting_for: r.opt_int(6)?,
                })
            },
        )?;
        Ok(SyncHealth {
            silent_since: since,
            silent_days: days,
            branches,
        })
    }
}

/// The sealing context of a branch's claim on a row of `table`.
pub(super) fn claim_context(table: &str, branch: &str) -> String {
    format!("claim:{table}:{branch}")
}
