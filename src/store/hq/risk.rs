//! HQ's view of the branches' AML ratings (`hq report risk`): per branch, its clients by
//! level, those not rated past the deadline after registration, and reviews overdue — from
//! the consolidated clients, ratings and closures. Counts only; no personal data.

use crate::domain::aml::FactorTable;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::sync::keys::Party;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One branch's ratings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BranchRisk {
    pub branch: String,
    /// Clients whose home branch it is, relationships ended left out.
    pub clients: u64,
    /// Rated clients by the level in force.
    pub by_level: BTreeMap<String, u64>,
    pub unrated: u64,
    /// Of the unrated, those past the deadline after registration.
    pub unrated_late: u64,
    /// Rated clients whose next review day has passed.
    pub overdue_reviews: u64,
}

/// A client's latest rating as the report needs it.
struct Latest {
    hlc: i64,
    level: String,
    next_review: Option<NaiveDate>,
}

fn day(value: &serde_json::Value) -> Option<NaiveDate> {
    value
        .as_str()
        .and_then(|t| crate::store::risk::state::day(t).ok())
}

impl Session {
    /// The factor table the branches were given: HQ's own, as it publishes it.
    fn published_aml_table(&self) -> Result<FactorTable> {
        let path = self.paths.reference().join("aml_factors.toml");
        if !path.exists() {
            return Ok(FactorTable::shipped().clone());
        }
        let text = crate::error::input::read_text_limited(&path, crate::error::input::SMALL_FILE)?;
        FactorTable::parse(&text).map_err(|detail| Error::Config { path, detail })
    }

    /// Per branch: clients by level, unrated (and past the deadline), reviews overdue, as
    /// of today, from every branch's consolidated rows.
    pub fn hq_risk_report(&self) -> Result<Vec<BranchRisk>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let table = self.published_aml_table()?;
        let today = self.today();
        let rows = |tbl: &str| -> Result<Vec<(String, serde_json::Value)>> {
            Ok(self
                .consolidated(tbl)?
                .into_iter()
                .map(|row| (row.id, row.fields))
                .collect())
        };
        let closed: HashSet<String> = rows("client_closure")?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut latest: HashMap<String, Latest> = HashMap::new();
        for (_, fields) in rows("aml_rating")? {
            let client = fields["client_id"].as_str().unwrap_or_default().to_string();
            let hlc = fields["hlc"].as_i64().unwrap_or(0);
            if latest.get(&client).is_some_and(|l| l.hlc >= hlc) {
                continue;
            }
            latest.insert(
                client,
                Latest {
                    hlc,
                    level: fields["level"].as_str().unwrap_or_default().to_string(),
                    next_review: day(&fields["next_review"]),
                },
            );
        }
        let mut by_branch: BTreeMap<String, BranchRisk> = BTreeMap::new();
        for (id, fields) in rows("client")? {
            if closed.contains(&id) {
                continue;
            }
            let branch = fields["home_branch"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let entry = by_branch
                .entry(branch.clone())
                .or_insert_with(|| BranchRisk {
                    branch,
                    ..BranchRisk::default()
                });
            entry.clients += 1;
            match latest.get(&id) {
                Some(rating) => {
                    *entry.by_level.entry(rating.level.clone()).or_default() += 1;
                    if rating.next_review.is_some_and(|next| next < today) {
                        entry.overdue_reviews += 1;
                    }
                }
                None => {
                    entry.unrated += 1;
                    let registered = fields["created_at"]
                        .as_str()
                        .and_then(|t| crate::store::risk::state::local_day(t).ok())
                        .unwrap_or(today);
                    if table.rate_by(&self.calendar, registered) < today {
                        entry.unrated_late += 1;
                    }
                }
            }
        }
        Ok(by_branch.into_values().collect())
    }
}
