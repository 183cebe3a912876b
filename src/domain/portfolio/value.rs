//! Client value (客户价值): an explainable 0–100 score whose parts are shown with it — AUM
//! (percentile within the branch), product breadth, tenure, engagement, satisfaction and
//! complaints, weighted as `assets/value.toml` says — and recency / frequency / monetary
//! quintiles within the branch.

use serde::{Deserialize, Serialize};

/// How the parts are weighted (they add up to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub aum: u32,
    pub breadth: u32,
    pub tenure: u32,
    pub engagement: u32,
    pub satisfaction: u32,
    pub complaints: u32,
}

/// What earns a part its full 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullMarks {
    pub tenure_years: u32,
    pub contacts_12_months: u32,
    pub points_per_complaint: u32,
    pub no_survey: u32,
}

/// The value rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRules {
    pub weights: Weights,
    pub full_marks: FullMarks,
}

impl ValueRules {
    /// Reads the rules (`assets/value.toml`, or HQ's); why not otherwise.
    pub fn parse(text: &str) -> Result<ValueRules, String> {
        let rules: ValueRules = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let w = rules.weights;
        let sum = w.aum + w.breadth + w.tenure + w.engagement + w.satisfaction + w.complaints;
        if sum != 100 {
            return Err(format!("the weights add up to {sum}, not 100"));
        }
        let f = rules.full_marks;
        if f.tenure_years == 0 || f.contacts_12_months == 0 || f.no_survey > 100 {
            return Err(
                "full marks: tenure_years and contacts_12_months at least 1, no_survey at most 100"
                    .into(),
            );
        }
        Ok(rules)
    }

    /// The rules branchdesk ships.
    pub fn shipped() -> ValueRules {
        static SHIPPED: std::sync::OnceLock<ValueRules> = std::sync::OnceLock::new();
        *SHIPPED.get_or_init(|| {
            ValueRules::parse(crate::assets::VALUE).unwrap_or_else(|detail| {
                // The shipped file is checked by a test; this cannot be reached.
                panic!("assets/value.toml: {detail}")
            })
        })
    }

    /// The score of a client, with its parts.
    pub fn score(&self, facts: &ValueFacts) -> ValueScore {
        let f = self.full_marks;
        let capped = |value: u32, full: u32| (value.min(full) * 100).checked_div(full).unwrap_or(0);
        let satisfaction = match (facts.latest_nps, facts.latest_csat) {
            (Some(nps), _) => u32::from(nps.min(10)) * 10,
            (None, Some(csat)) => u32::from(csat.clamp(1, 5) - 1) * 25,
            (None, None) => f.no_survey,
        };
        let breadth = (facts.categories_held.min(facts.categories_offered) * 100)
            .checked_div(facts.categories_offered)
            .unwrap_or(0);
        self.scored([
            u32::from(facts.aum_percentile.min(100)),
            breadth,
            capped(facts.tenure_years, f.tenure_years),
            capped(facts.contacts_12_months, f.contacts_12_months),
            satisfaction,
            100u32.saturating_sub(facts.complaints_12_months * f.points_per_complaint),
        ])
    }

    /// The score the parts' points make under these weights, in the order of
    /// [`PART_CODES`] (how a stored score is read back: the points alone are kept).
    pub fn scored(&self, points: [u32; 6]) -> ValueScore {
        let w = self.weights;
        let weights = [
            w.aum,
            w.breadth,
            w.tenure,
            w.engagement,
            w.satisfaction,
            w.complaints,
        ];
        let parts: Vec<ValuePart> = PART_CODES
            .iter()
            .zip(points)
            .zip(weights)
            .map(|((code, points), weight)| ValuePart::new(code, points, weight))
            .collect();
        let total: u32 = parts.iter().map(|p| p.points * p.weight).sum();
        ValueScore {
            score: u8::try_from((total + 50) / 100).unwrap_or(100),
            parts,
        }
    }
}

/// The parts of a score, in order.
pub const PART_CODES: [&str; 6] = [
    "aum",
    "breadth",
    "tenure",
    "engagement",
    "satisfaction",
    "complaints",
];

impl ValueScore {
    /// The parts' points as a short text (`91 50 60 42 90 100`), how a standing keeps them.
    pub fn points_text(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.points.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Points kept by [`ValueScore::points_text`], read back.
    pub fn parse_points(text: &str) -> Option<[u32; 6]> {
        let points: Vec<u32> = text
            .split(' ')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        points.try_into().ok()
    }
}

/// What the score is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValueFacts {
    /// The client's AUM as a percentile among the branch's clients (0–100).
    pub aum_percentile: u8,
    /// Product categories held, of those the bank offers.
    pub categories_held: u32,
    pub categories_offered: u32,
    pub tenure_years: u32,
    pub contacts_12_months: u32,
    /// The latest survey answers, if any.
    pub latest_nps: Option<u8>,
    pub latest_csat: Option<u8>,
    pub complaints_12_months: u32,
}

/// One part of the score: its own 0–100, its weight, and what it adds to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuePart {
    pub code: String,
    pub points: u32,
    pub weight: u32,
}

impl ValuePart {
    fn new(code: &str, points: u32, weight: u32) -> ValuePart {
        ValuePart {
            code: code.to_string(),
            points: points.min(100),
            weight,
        }
    }

    /// What this part adds to the 0–100 score (in hundredths of a point).
    pub fn contribution(&self) -> u32 {
        self.points * self.weight
    }
}

/// A client's value: the score and the parts it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueScore {
    pub score: u8,
    pub parts: Vec<ValuePart>,
}

/// The percentile (0–100) of `value` among `sorted` (ascending): the share of values at
/// or below it.
pub fn percentile(sorted: &[i64], value: i64) -> u8 {
    if sorted.is_empty() {
        return 0;
    }
    let at_or_below = sorted.partition_point(|v| *v <= value);
    u8::try_from(at_or_below * 100 / sorted.len()).unwrap_or(100)
}

/// The quintile (1 lowest – 5 highest) of `value` among `sorted` (ascending), for recency,
/// frequency and monetary ranks within a branch. For recency, pass days since the last
/// contact negated, so that the most recent rank highest.
pub fn quintile(sorted: &[i64], value: i64) -> u8 {
    if sorted.is_empty() {
        return 1;
    }
    let below = sorted.partition_point(|v| *v < value);
    u8::try_from(below * 5 / sorted.len() + 1)
        .unwrap_or(5)
        .min(5)
}

#[cfg(test)]
mod tests;
