//! HQ's view of loyalty points (`hq report points`): per branch (the clients' home branch),
//! how many clients hold points and how many points are outstanding, and the points earned,
//! redeemed, expired, reversed and adjusted — summed from every branch's entries as HQ
//! consolidated them (insert-only: each entry once, whatever order and however often the
//! bundles came). Counts only; no personal data.

use super::HqRead;
use super::db::Dialect;
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
fn entries(d: Dialect) -> String {
    format!(
        "WITH entry AS (
            SELECT {client} AS client, {kind} AS kind, {points} AS points
            FROM hq_row WHERE tbl = 'loyalty_entry'
        ),
        client AS (
            SELECT row_id, coalesce({home}, '') AS home, coalesce({client_no}, '') AS client_no
            FROM hq_row WHERE tbl = 'client'
        ),
        placed AS (
            SELECT entry.client, entry.kind, entry.points,
                   coalesce(client.home, '') AS home, coalesce(client.client_no, '') AS client_no
            FROM entry LEFT JOIN client ON client.row_id = entry.client
        )",
        client = d.text("fields", "client_id"),
        kind = d.text("fields", "kind"),
        points = d.int("fields", "points"),
        home = d.text("fields", "home_branch"),
        client_no = d.text("fields", "client_no"),
    )
}

impl Session {
    /// Per home branch, the clients holding points and the points outstanding, from every
    /// branch's consolidated entries (summed in SQL).
    pub fn hq_points_report(&self) -> Result<Vec<BranchPoints>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut report: BTreeMap<String, BranchPoints> = BTreeMap::new();
        let mut hq = self.hq()?;
        let entries = entries(hq.dialect());
        let by_kind = hq.rows(
            &format!(
                "{entries} SELECT home, kind, CAST(sum(points) AS BIGINT), count(*) FROM placed
                 GROUP BY home, kind"
            ),
            &[],
            |r| Ok((r.text(0)?, r.opt_text(1)?, r.opt_int(2)?, r.int(3)?)),
        )?;
        for (branch, kind, points, count) in by_kind {
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
        let holders = hq.rows(
            &format!(
                "{entries} SELECT home, CAST(sum(CASE WHEN balance > 0 THEN 1 ELSE 0 END) AS BIGINT),
                                  CAST(sum(CASE WHEN balance < 0 THEN 1 ELSE 0 END) AS BIGINT)
                 FROM (SELECT home, sum(points) AS balance FROM placed GROUP BY client, home)
                      AS per_client
                 GROUP BY home"
            ),
            &[],
            |r| Ok((r.text(0)?, r.int(1)?, r.int(2)?)),
        )?;
        for (branch, clients, overdrawn) in holders {
            if let Some(line) = report.get_mut(&branch) {
                line.clients = u64::try_from(clients).unwrap_or(0);
                line.overdrawn = u64::try_from(overdrawn).unwrap_or(0);
            }
        }
        Ok(report.into_values().collect())
    }

    /// Each client's consolidated balance (client numbers only, no personal data), by
    /// client number: what HQ reconciles against a branch's own ledger.
    pub fn hq_points_balances(&self) -> Result<Vec<ClientBalance>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut hq = self.hq()?;
        let entries = entries(hq.dialect());
        hq.rows(
            &format!(
                "{entries} SELECT client_no, home, CAST(sum(points) AS BIGINT), count(*) FROM placed
                 GROUP BY client, client_no, home ORDER BY client_no"
            ),
            &[],
            |r| {
                Ok(ClientBalance {
                    client_no: r.text(0)?,
                    home_branch: r.text(1)?,
                    balance: r.opt_int(2)?.unwrap_or(0),
                    entries: u64::try_from(r.int(3)?).unwrap_or(0),
                })
            },
        )
    }

    /// Every client's buckets, replayed from the consolidated entries (each entry once,
    /// whichever branch wrote it and in whatever order it came), by client ID: what a
    /// holdings snapshot brings each branch for the clients of its book.
    pub(crate) fn hq_points_buckets(&self) -> Result<HashMap<String, Vec<Bucket>>> {
        let mut hq = self.hq()?;
        let d = hq.dialect();
        let rows = hq.rows(
            &format!(
                "SELECT row_id, {client}, {points}, {on}, {last_day}, {reverses}, {taken}
                 FROM hq_row WHERE tbl = 'loyalty_entry' AND NOT deleted ORDER BY {client}",
                client = d.text("fields", "client_id"),
                points = d.int("fields", "points"),
                on = d.text("fields", "on_date"),
                last_day = d.text("fields", "last_day"),
                reverses = d.text("fields", "reverses"),
                taken = d.text("fields", "taken"),
            ),
            &[],
            |r| {
                Ok((
                    r.text(0)?,
                    r.opt_text(1)?,
                    r.opt_int(2)?,
                    r.opt_text(3)?,
                    r.opt_text(4)?,
                    r.opt_text(5)?,
                    r.opt_text(6)?,
                ))
            },
        )?;
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
        for (id, of, points, on, last_day, reverses, taken) in rows {
            let day = |text: Option<String>| {
                text.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            };
            let (Some(of), Some(points), Some(on)) = (of, points, day(on)) else {
                return Err(Error::DatabaseDamaged);
            };
            let taken: Vec<Taken> = match taken {
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
                last_day: day(last_day),
                reverses,
                taken,
            });
        }
        flush(client, &mut entries);
        Ok(by_client)
    }
}
