//! A branch's holdings, from HQ: the snapshot HQ sends each branch of its own clients'
//! part of the core banking extract, applied whole (the previous snapshot stays in force
//! until the new one is in), and each client's monthly-average AUM for the snapshot's
//! month, kept month by month for tiers and trends.

use crate::domain::portfolio::Month;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::sync::file_error;
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::reference::HoldingsSnapshot;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What applying a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldingsApplied {
    pub as_of: NaiveDate,
    pub accounts: u64,
    pub clients: u64,
    /// Holdings of client numbers this store does not have (registered elsewhere and not
    /// yet brought down), left out.
    pub unknown_clients: u64,
}

impl Session {
    /// Applies a holdings snapshot from HQ (`<branch>-holdings-<day>.bdh`); one no newer
    /// than the one in force is refused.
    pub fn import_holdings(&mut self, file: &Path) -> Result<HoldingsApplied> {
        let (manifest, payload) = self.open_from_hq(file, "holdings")?;
        let raw = crate::sync::bundle::decompress(&payload, crate::error::input::REFERENCE)
            .map_err(|p| file_error(file, p))?;
        let snapshot: HoldingsSnapshot =
            serde_json::from_slice(&raw).map_err(|_| file_error(file, SyncProblem::Damaged))?;
        if snapshot.branch != self.branch.code || snapshot.version() != manifest.to_seq {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        let applied = self.local_number("holdings_version")?;
        if snapshot.version() <= applied {
            return Err(file_error(
                file,
                SyncProblem::OlderReference {
                    found: snapshot.version(),
                    applied,
                },
            ));
        }
        let rules = self.portfolio_rules()?;
        let category: BTreeMap<&str, &str> = rules
            .catalogue
            .iter()
            .map(|p| (p.code.as_str(), p.category.as_str()))
            .collect();
        let counts = |product: &str| {
            category
                .get(product)
                .is_some_and(|c| rules.tiers.aum_categories.iter().any(|a| a == c))
        };
        let mut seqs: BTreeMap<String, Option<i64>> = BTreeMap::new();
        for holding in &snapshot.holdings {
            if !seqs.contains_key(&holding.client_no) {
                let seq: Option<i64> = self
                    .conn
                    .prepare_cached("SELECT seq FROM client WHERE client_no = ?1")?
                    .query_row([&holding.client_no], |r| r.get(0))
                    .optional()?;
                seqs.insert(holding.client_no.clone(), seq);
            }
        }
        let month = Month::of(snapshot.as_of).to_string();
        // A client who held something in the snapshot before and nothing in this one holds
        // nothing now: their month counts as 0, not as missing.
        let mut aum: BTreeMap<i64, i64> = self
            .conn
            .prepare("SELECT DISTINCT client_seq FROM holding")?
            .query_map([], |r| r.get::<_, i64>(0))?
            .map(|seq| seq.map(|seq| (seq, 0)))
            .collect::<rusqlite::Result<_>>()?;
        let mut report = HoldingsApplied {
            as_of: snapshot.as_of,
            accounts: 0,
            clients: 0,
            unknown_clients: 0,
        };
        let event = AuditEvent::new("sync.holdings", "store", self.branch.store_id.clone())
            .with_detail(
                serde_json::json!({ "as_of": snapshot.as_of, "accounts": snapshot.holdings.len() }),
            );
        self.write(event, |w| {
            w.execute_local("DELETE FROM holding", [])?;
            for holding in &snapshot.holdings {
                let Some(Some(seq)) = seqs.get(&holding.client_no) else {
                    report.unknown_clients += 1;
                    continue;
                };
                w.execute_local(
                    "INSERT OR REPLACE INTO holding
                     (account, client_seq, product, balance, opened_on, matures_on, avg_balance)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        holding.account,
                        seq,
                        holding.product,
                        holding.balance,
                        holding.opened_on.to_string(),
                        holding.matures_on.map(|d| d.to_string()),
                        holding.avg_balance,
                    ],
                )?;
                report.accounts += 1;
                let counted = aum.entry(*seq).or_insert(0);
                if counts(&holding.product) {
                    *counted += holding.avg_balance.unwrap_or(holding.balance);
                }
            }
            for (seq, avg) in &aum {
                w.execute_local(
                    "INSERT OR REPLACE INTO client_aum (client_seq, month, avg_aum) VALUES (?1, ?2, ?3)",
                    params![seq, month, avg],
                )?;
            }
            w.set_local("holdings_version", &snapshot.version().to_string())?;
            w.set_local("holdings_as_of", &snapshot.as_of.to_string())
        })?;
        report.clients = seqs
            .values()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        Ok(report)
    }

    /// The day of the holdings snapshot in force, if any.
    pub fn holdings_as_of(&self) -> Result<Option<NaiveDate>> {
        Ok(self
            .local_value("holdings_as_of")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// A client's monthly-average AUM, oldest month first (fen).
    pub fn client_aum_history(&self, client_no: &str) -> Result<Vec<(Month, i64)>> {
        self.require(crate::domain::staff::Permission::ViewPortfolio)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT a.month, a.avg_aum FROM client_aum a JOIN client c ON c.seq = a.client_seq
             WHERE c.client_no = ?1 ORDER BY a.month",
        )?;
        let rows = statement.query_map([client_no], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut history = Vec::new();
        for row in rows {
            let (month, avg) = row?;
            let month = Month::parse(&month).ok_or(Error::DatabaseDamaged)?;
            history.push((month, avg));
        }
        Ok(history)
    }
}
