//! HQ's view of loyalty points (`hq report points`): per branch (the clients' home branch),
//! how many clients hold points and how many points are outstanding, and the points earned,
//! redeemed, expired, reversed and adjusted — summed from every branch's entries as HQ
//! consolidated them (insert-only: each entry once, whatever order and however often the
//! bundles came). Counts only; no personal data.

use crate::domain::loyalty::{Bucket, Taken, Written, replay};
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
    /// Clients whose entries sum below zero: two branches redeemed the same points while
    /// offline, for a manager to settle with an adjustment.
    pub overdrawn: u64,
    /// Points outstanding: the sum of every entry of the branch's clients.
    pub balance: i64,
    /// Points by kind of entry (signed as written: debits negative).
    pub by_kind: BTreeMap<String, i64>,
    pub entries: u64,
}

/// One client's points as HQ consolidated them: the sum of every branch's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientBalance {
    pub client_no: String,
    pub home_branch: String,
    pub balance: i64,
    pub entries: u64,
}

/// Every consolidated entry with its client's home branch and number ('' when HQ does not
/// hold the client's row yet).
const ENTRIES: &str = "
    WITH entry AS (
        SELECT json_extract(fields, '$.client_id') AS client,
               json_extract(fields, '$.kind') AS kind,
               json_extract(fields, '$.points') AS points
        FROM hq_row WHERE tbl = 'loyalty_entry'
    ),
    client AS (
        SELECT row_id,
               coalesce(json_extract(fields, '$.home_branch'), '') AS home,
               coalesce(json_extract(fields, '$.client_no'), '') AS client_no
        FROM hq_row WHERE tbl = 'client'
    ),
    placed AS (
        SELECT entry.client, entry.kind, entry.points,
               coalesce(client.home, '') AS home, coalesce(client.client_no, '') AS client_no
        FROM entry LEFT JOIN client ON client.row_id = entry.client
    )";

impl Session {
    /// Per home branch, the clients holding points and the points outstanding, from every
    /// branch's consolidated entries (summed in SQL).
    pub fn hq_points_report(&self) -> Result<Vec<BranchPoints>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut report: BTreeMap<String, BranchPoints> = BTreeMap::new();
        let mut by_kind = self.conn.prepare(&format!(
            "{ENTRIES} SELECT home, kind, sum(points), count(*) FROM placed GROUP BY home, kind"
        ))?;
        let mut rows = by_kind.query([])?;
        while let Some(r) = rows.next()? {
            let branch: String = r.get(0)?;
            let kind: Option<String> = r.get(1)?;
            let points: Option<i64> = r.get(2)?;
            let count: i64 = r.get(3)?;
            let line = report
                .entry(branch.clone())
                .or_insert_with(|| BranchPoints {
                    branch,
                    ..Default::default()
                });
            let points = points.unwrap_or(0);
            line.entries += u64::try_from(count).unwrap_or(0);
            line.balance += points;
            *line.by_kind.entry(kind.unwrap_or_default()).or_insert(0) += points;
        }
        let mut holders = self.conn.prepare(&format!(
            "{ENTRIES} SELECT home, sum(balance > 0), sum(balance < 0) FROM (
                 SELECT home, sum(points) AS balance FROM placed GROUP BY client
             ) GROUP BY home"
        ))?;
        let mut rows = holders.query([])?;
        while let Some(r) = rows.next()? {
            let branch: String = r.get(0)?;
            if let Some(line) = report.get_mut(&branch) {
                line.clients = u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
                line.overdrawn = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            }
        }
        Ok(report.into_values().collect())
    }

    /// Each client's consolidated balance (client numbers only, no personal data), by
    /// client number: what HQ reconciles against a branch's own ledger.
    pub fn hq_points_balances(&self) -> Result<Vec<ClientBalance>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut statement = self.conn.prepare(&format!(
            "{ENTRIES} SELECT client_no, home, sum(points), count(*) FROM placed
             GROUP BY client ORDER BY client_no"
        ))?;
        let rows = statement.query_map([], |r| {
            Ok(ClientBalance {
                client_no: r.get(0)?,
                home_branch: r.get(1)?,
                balance: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                entries: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every client's buckets, replayed from the consolidated entries (each entry once,
    /// whichever branch wrote it and in whatever order it came), by client ID: what a
    /// holdings snapshot brings each branch for the clients of its book.
    pub(crate) fn hq_points_buckets(&self) -> Result<HashMap<String, Vec<Bucket>>> {
        let mut statement = self.conn.prepare(
            "SELECT row_id, json_extract(fields, '$.client_id'), json_extract(fields, '$.points'),
                    json_extract(fields, '$.on_date'), json_extract(fields, '$.last_day'),
                    json_extract(fields, '$.reverses'), json_extract(fields, '$.taken')
             FROM hq_row WHERE tbl = 'loyalty_entry' AND deleted = 0
             ORDER BY json_extract(fields, '$.client_id')",
        )?;
        let mut rows = statement.query([])?;
        let mut by_client: HashMap<String, Vec<Bucket>> = HashMap::new();
        let mut client: Option<String> = None;
        let mut entries: Vec<Written> = Vec::new();
        let mut flush = |client: Option<String>, entries: &mut Vec<Written>| {
            if let Some(client) = client {
                let buckets = replay(entries.iter());
                by_client.insert(client, buckets.iter().cloned().collect());
            }
            entries.clear();
        };
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let of: Option<String> = r.get(1)?;
            let day = |text: Option<String>| {
                text.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            };
            let (Some(of), Some(points), Some(on)) =
                (of, r.get::<_, Option<i64>>(2)?, day(r.get(3)?))
            else {
                return Err(Error::DatabaseDamaged);
            };
            let taken: Vec<Taken> = match r.get::<_, Option<String>>(6)? {
                Some(text) => serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?,
                None => Vec::new(),
            };
            if client.as_deref() != Some(of.as_str()) {
                flush(client.take(), &mut entries);
                client = Some(of);
            }
            entries.push(Written {
                id,
                points,
                on,
                last_day: day(r.get(4)?),
                reverses: r.get(5)?,
                taken,
            });
        }
        flush(client, &mut entries);
        Ok(by_client)
    }
}
