//! What HQ holds: the branches with their high-water marks and gaps, the consolidated rows,
//! and the review list of identities two branches wrote differently.

use super::ReviewItem;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
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
            "SELECT file, missing_from, missing_to, reason FROM hq_quarantine
             WHERE branch = ?1 ORDER BY from_seq",
        )?;
        for branch in &mut branches {
            branch.quarantined = gaps
                .query_map([&branch.code], |r| {
                    Ok(Gap {
                        file: r.get(0)?,
                        missing_from: r.get(1)?,
                        missing_to: r.get(2)?,
                        reason: r.get(3)?,
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
