//! Suitability (适当性): whether a product may be offered to a client, from the client's
//! assessed risk level (C1–C5, valid for a time), age and civil capacity, and the product's
//! risk (R1–R5); and how often a client may be assessed. The thresholds are data
//! (`assets/suitability.toml`).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuitabilityRules {
    pub valid_months: u32,
    pub max_per_day: u32,
    pub max_per_12_months: u32,
    pub senior_age: u32,
    pub senior_care_above: u8,
    pub no_full_capacity_max: u8,
    pub unassessed_max: u8,
}

impl SuitabilityRules {
    /// Reads the thresholds (`assets/suitability.toml`, or HQ's); why not otherwise.
    pub fn parse(text: &str) -> Result<SuitabilityRules, String> {
        let rules: SuitabilityRules = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let risk = 0..=5;
        if rules.valid_months == 0 || rules.max_per_day == 0 || rules.max_per_12_months == 0 {
            return Err(
                "valid_months, max_per_day and max_per_12_months must be at least 1".into(),
            );
        }
        if !risk.contains(&rules.senior_care_above) {
            return Err("risk levels are 0–5".into());
        }
        // The regulation's floor: without an assessment, or without full civil capacity,
        // nothing above R1 — HQ may be stricter, never looser.
        if rules.no_full_capacity_max > 1 || rules.unassessed_max > 1 {
            return Err("no_full_capacity_max and unassessed_max are at most 1".into());
        }
        Ok(rules)
    }

    /// The thresholds branchdesk ships.
    pub fn shipped() -> SuitabilityRules {
        static SHIPPED: std::sync::OnceLock<SuitabilityRules> = std::sync::OnceLock::new();
        *SHIPPED.get_or_init(|| {
            SuitabilityRules::parse(crate::assets::SUITABILITY).unwrap_or_else(|detail| {
                // The shipped file is checked by a test; this cannot be reached.
                panic!("assets/suitability.toml: {detail}")
            })
        })
    }

    /// The first day an assessment made on `on` no longer holds.
    pub fn expires_on(&self, on: NaiveDate) -> NaiveDate {
        on.checked_add_months(Months::new(self.valid_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether `product_risk` may be offered to a client with these `facts` on `today`.
    pub fn judge(&self, facts: &ClientFacts, product_risk: u8, today: NaiveDate) -> Verdict {
        if !facts.full_capacity && product_risk > self.no_full_capacity_max {
            return Verdict::Unsuitable(Unsuitable::NoFullCapacity {
                max: self.no_full_capacity_max,
            });
        }
        let valid = facts.assessment.filter(|a| today < self.expires_on(a.on));
        match (valid, facts.assessment) {
            // A valid assessment always bounds what may be offered.
            (Some(a), _) if product_risk > a.level => {
                return Verdict::Unsuitable(Unsuitable::AboveLevel { level: a.level });
            }
            (Some(_), _) => {}
            // Without one, only what needs none.
            (None, Some(a)) if product_risk > self.unassessed_max => {
                return Verdict::Unsuitable(Unsuitable::Expired {
                    on: self.expires_on(a.on),
                });
            }
            (None, None) if product_risk > self.unassessed_max => {
                return Verdict::Unsuitable(Unsuitable::NotAssessed);
            }
            (None, _) => {}
        }
        let senior = facts.age.is_some_and(|age| age >= self.senior_age);
        Verdict::Suitable {
            special_care: senior && product_risk > self.senior_care_above,
        }
    }

    /// Whether the client may be assessed once more on `today`, given the days of earlier
    /// assessments.
    pub fn may_assess(&self, earlier: &[NaiveDate], today: NaiveDate) -> Result<(), AssessLimit> {
        let same_day = earlier.iter().filter(|d| **d == today).count() as u32;
        if same_day >= self.max_per_day {
            return Err(AssessLimit::PerDay {
                max: self.max_per_day,
            });
        }
        let year_ago = today
            .checked_sub_months(Months::new(12))
            .unwrap_or(NaiveDate::MIN);
        let in_year = earlier
            .iter()
            .filter(|d| **d > year_ago && **d <= today)
            .count() as u32;
        if in_year >= self.max_per_12_months {
            return Err(AssessLimit::Per12Months {
                max: self.max_per_12_months,
            });
        }
        Ok(())
    }
}

/// A client's assessed risk level (C1–C5) and the day of the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub level: u8,
    pub on: NaiveDate,
}

/// Whether a new result must be confirmed by the client: it differs from the one before.
pub fn needs_confirmation(previous: Option<&Assessment>, level: u8) -> bool {
    previous.is_some_and(|p| p.level != level)
}

/// What suitability looks at in a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientFacts {
    /// The latest assessment, if any.
    pub assessment: Option<Assessment>,
    /// Age in whole years, if the birth date is known.
    pub age: Option<u32>,
    /// Full civil capacity (false when the record carries the flag).
    pub full_capacity: bool,
}

/// Whether a product may be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// It may; `special_care` asks staff to give an older client time to consider.
    Suitable {
        special_care: bool,
    },
    Unsuitable(Unsuitable),
}

/// Why a product may not be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Unsuitable {
    /// No assessment: the client is assessed first.
    NotAssessed,
    /// The assessment ran out on this day: the client is assessed again first.
    Expired { on: NaiveDate },
    /// The product's risk is above the client's level.
    AboveLevel { level: u8 },
    /// A client without full civil capacity is offered nothing above `max`.
    NoFullCapacity { max: u8 },
}

/// Why a client may not be assessed again now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum AssessLimit {
    PerDay { max: u32 },
    Per12Months { max: u32 },
}

#[cfg(test)]
mod tests;
