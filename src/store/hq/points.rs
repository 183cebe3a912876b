//! HQ's view of loyalty points (`hq report points`): per branch (the clients' home branch),
//! how many clients hold points and how many points are outstanding, and the points earned,
//! redeemed, expired, reversed and adjusted — summed from every branch's entries as HQ
//! consolidated them (insert-only: each entry once, whatever order and however often the
//! bundles came). Counts only; no personal data.

use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::sync::keys::Party;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One branch's points.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BranchPoints {
    pub branch: String,
    /// Clients with a balance above zero.
    pub clients: u64,
    /// Points outstanding: the sum of every entry of the branch's clients.
    pub balance: i64,
    /// Points by kind of entry (signed as written: debits negative).
    pub by_kind: BTreeMap<String, i64>,
    pub entries: u64,
}

impl Session {
    /// Per home branch, the clients holding points and the points outstanding, from every
    /// branch's consolidated entries.
    pub fn hq_points_report(&self) -> Result<Vec<BranchPoints>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut home: HashMap<String, String> = HashMap::new();
        {
            let mut statement = self.conn.prepare(
                "SELECT row_id, json_extract(fields, '$.home_branch') FROM hq_row
                 WHERE tbl = 'client'",
            )?;
            let mut rows = statement.query([])?;
            while let Some(r) = rows.next()? {
                let branch: Option<String> = r.get(1)?;
                home.insert(r.get(0)?, branch.unwrap_or_default());
            }
        }
        let mut per_client: HashMap<String, i64> = HashMap::new();
        let mut report: BTreeMap<String, BranchPoints> = BTreeMap::new();
        let mut statement = self.conn.prepare(
            "SELECT json_extract(fields, '$.client_id'), json_extract(fields, '$.kind'),
                    json_extract(fields, '$.points')
             FROM hq_row WHERE tbl = 'loyalty_entry'",
        )?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let client: Option<String> = r.get(0)?;
            let kind: Option<String> = r.get(1)?;
            let points: Option<i64> = r.get(2)?;
            let (Some(client), Some(kind), Some(points)) = (client, kind, points) else {
                return Err(Error::DatabaseDamaged);
            };
            let branch = home.get(&client).cloned().unwrap_or_default();
            let entry = report
                .entry(branch.clone())
                .or_insert_with(|| BranchPoints {
                    branch,
                    ..Default::default()
                });
            entry.entries += 1;
            entry.balance += points;
            *entry.by_kind.entry(kind).or_insert(0) += points;
            *per_client.entry(client).or_insert(0) += points;
        }
        for (client, balance) in per_client {
            if balance > 0 {
                let branch = home.get(&client).cloned().unwrap_or_default();
                if let Some(entry) = report.get_mut(&branch) {
                    entry.clients += 1;
                }
            }
        }
        Ok(report.into_values().collect())
    }
}
