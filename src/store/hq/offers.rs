//! HQ's view of the offers its rules made: per rule, how many outcomes the branches
//! recorded of each kind and the share accepted (conversion), from the consolidated
//! offer log. Outcomes carry no personal data beyond the client's row ID, and none is shown.

use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::sync::keys::Party;
use serde::Serialize;
use std::collections::BTreeMap;

/// One rule's outcomes across the branches.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleConversion {
    pub rule: String,
    pub offered: u64,
    pub accepted: u64,
    pub declined: u64,
    pub later: u64,
    /// Accepted of all outcomes recorded, in percent (none before any).
    pub conversion_percent: Option<f64>,
}

impl Session {
    /// Conversion per offer rule, from every branch's recorded outcomes.
    pub fn hq_offer_conversion(&self) -> Result<Vec<RuleConversion>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut by_rule: BTreeMap<String, RuleConversion> = BTreeMap::new();
        for row in self.consolidated("offer_outcome")? {
            let fields = row.fields;
            let text = |name: &str| fields[name].as_str().unwrap_or_default().to_string();
            let rule = text("rule");
            let entry = by_rule
                .entry(rule.clone())
                .or_insert_with(|| RuleConversion {
                    rule,
                    ..RuleConversion::default()
                });
            match text("outcome").as_str() {
                "offered" => entry.offered += 1,
                "accepted" => entry.accepted += 1,
                "declined" => entry.declined += 1,
                "later" => entry.later += 1,
                _ => return Err(Error::DatabaseDamaged),
            }
        }
        Ok(by_rule
            .into_values()
            .map(|mut r| {
                let all = r.offered + r.accepted + r.declined + r.later;
                r.conversion_percent =
                    (all > 0).then(|| (r.accepted as f64 * 1000.0 / all as f64).round() / 10.0);
                r
            })
            .collect())
    }
}
