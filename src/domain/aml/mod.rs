//! AML customer risk rating (洗钱风险等级) and its schedule, after 《金融机构洗钱和恐怖融资
//! 风险评估及客户分类管理指引》 (PBoC, 银发〔2013〕2号), the customer-identification measures
//! (2007, art. 19) and the Anti-Money Laundering Law in force since 2025-01-01: a score from
//! the factor table's factors into a level, who may set a level other than the computed
//! one, when the next review falls, what asks for an early review, when an expired identity
//! document restricts a client's business, and how long a closed relationship is kept.
//!
//! This rating is not the investment-suitability level (C1–C5) of the risk questionnaire.

pub mod schedule;
pub mod table;

#[cfg(test)]
mod tests;

pub use schedule::*;
pub use table::{Cash, FactorTable, Group, LevelRule, NationalityIs, Pep};

use crate::domain::client::{ClientKind, ClientRecord, IdExpiry};
use crate::domain::ids::IdType;
use crate::domain::staff::Role;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Facts the rating needs that the client record does not hold, recorded by staff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub pep: Pep,
    /// ISO 3166-1 alpha-3, empty when not recorded.
    pub nationality: String,
    pub cash: Cash,
    /// The relationship is run without face-to-face contact.
    pub remote: bool,
}

/// What a client's rating is worked out from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs<'a> {
    pub record: &'a ClientRecord,
    pub profile: &'a Profile,
    /// Categories of the products the client holds (from the holdings snapshot).
    pub categories: &'a BTreeSet<String>,
    /// The highest product risk held (R1–R5), 0 when none.
    pub product_risk: u8,
    pub today: NaiveDate,
}

impl Inputs<'_> {
    /// The nationality: the one recorded, else the one a Chinese document implies.
    pub fn nationality(&self) -> Option<String> {
        let recorded = self.profile.nationality.trim();
        if !recorded.is_empty() {
            return Some(recorded.to_uppercase());
        }
        match self.record.id_type {
            IdType::ResidentId | IdType::Uscc => Some("CHN".into()),
            IdType::HkMacauPermit | IdType::TaiwanPermit => Some("CHN".into()),
            IdType::Passport | IdType::ForeignPermanent => None,
        }
    }

    fn age(&self) -> Option<u32> {
        let born = self.record.birth_date?;
        let mut age = self.today.year() - born.year();
        if (self.today.month(), self.today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

/// A level or a factor with its names, as a screen or a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl FactorTable {
    /// The table's levels with their names, from the highest.
    pub fn level_names(&self) -> Vec<Named> {
        self.levels
            .iter()
            .map(|l| Named {
                code: l.code.clone(),
                name_zh: l.name_zh.clone(),
                name_en: l.name_en.clone(),
            })
            .collect()
    }

    /// The names of the factors that counted, in the table's order.
    pub fn factor_names(&self, contributions: &[Contribution]) -> Vec<Named> {
        contributions
            .iter()
            .map(|c| match self.factor(&c.code) {
                Some(f) => Named {
                    code: c.code.clone(),
                    name_zh: f.name_zh.clone(),
                    name_en: f.name_en.clone(),
                },
                // A factor of an earlier table: its code is all there is.
                None => Named {
                    code: c.code.clone(),
                    name_zh: c.code.clone(),
                    name_en: c.code.clone(),
                },
            })
            .collect()
    }
}

/// What a client's record shows of their AML rating.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLine {
    /// The level in force, for staff who see ratings (none: not shown, or not rated).
    pub level: Option<Named>,
    /// Whether the client has been rated (shown with `level`).
    pub rated: bool,
    /// The factors that count now, with their points (staff who see ratings).
    pub factors: Vec<(Named, u32)>,
    /// What falls due next and when (staff who see ratings): `rate`, `review`, `trigger`.
    pub due: Option<(String, NaiveDate)>,
    /// Business restricted since this day (an expired document): every role sees it.
    pub restricted_since: Option<NaiveDate>,
    /// A manager lifted the restriction for today.
    pub lifted_today: bool,
    /// The relationship ended on this day: every role sees it.
    pub closed_on: Option<NaiveDate>,
}

/// One factor that counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub code: String,
    pub group: Group,
    pub points: u32,
}

/// A computed rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Computed {
    pub score: u32,
    /// The level's rank (0 the highest).
    pub rank: usize,
    pub contributions: Vec<Contribution>,
}

/// Whether `text` (lowercased) holds any of `words`, matched without regard to case.
fn contains_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| {
        let w = w.trim();
        !w.is_empty()
            && if w.bytes().any(|b| b.is_ascii_uppercase()) {
                text.contains(&w.to_lowercase())
            } else {
                text.contains(w)
            }
    })
}

/// The texts the word conditions look in, lowercased once per rating.
struct Texts {
    occupation: String,
    address: String,
}

impl FactorTable {
    /// Whether a factor's conditions all hold for these inputs.
    fn holds(
        &self,
        when: &table::When,
        inputs: &Inputs,
        texts: &Texts,
        age: Option<u32>,
        nationality: Option<&str>,
    ) -> bool {
        let record = inputs.record;
        let (occupation, address) = (texts.occupation.as_str(), texts.address.as_str());
        when.kind.is_none_or(|k| k == record.kind)
            && when
                .age_below
                .is_none_or(|n| record.kind == ClientKind::Person && age.is_some_and(|a| a < n))
            && when
                .age_from
                .is_none_or(|n| record.kind == ClientKind::Person && age.is_some_and(|a| a >= n))
            && (when.occupation_any.is_empty() || contains_any(occupation, &when.occupation_any))
            && (when.address_any.is_empty() || contains_any(address, &when.address_any))
            && when.pep.is_none_or(|p| p == inputs.profile.pep)
            && when.nationality.is_none_or(|n| match n {
                NationalityIs::Foreign => nationality.is_some_and(|c| c != "CHN"),
                NationalityIs::HighRisk => {
                    nationality.is_some_and(|c| self.jurisdictions.high_risk.iter().any(|h| h == c))
                }
                NationalityIs::Unknown => nationality.is_none(),
            })
            && (when.holds_category.is_empty()
                || when
                    .holds_category
                    .iter()
                    .any(|c| inputs.categories.contains(c)))
            && when
                .product_risk_from
                .is_none_or(|r| inputs.product_risk >= r)
            && when.cash.is_none_or(|c| inputs.profile.cash == c)
            && when.remote.is_none_or(|r| inputs.profile.remote == r)
    }

    /// The score, the level and what made them.
    pub fn rate(&self, inputs: &Inputs) -> Computed {
        let mut score = 0u32;
        let mut floor = self.lowest();
        let mut contributions = Vec::new();
        let record = inputs.record;
        let texts = Texts {
            occupation: record.occupation.as_deref().unwrap_or("").to_lowercase(),
            address: record.address.as_deref().unwrap_or("").to_lowercase(),
        };
        let age = inputs.age();
        let nationality = inputs.nationality();
        for factor in &self.factors {
            if !self.holds(&factor.when, inputs, &texts, age, nationality.as_deref()) {
                continue;
            }
            score = score.saturating_add(factor.points);
            if let Some(rank) = factor.at_least.as_deref().and_then(|l| self.rank_of(l)) {
                floor = floor.min(rank);
            }
            contributions.push(Contribution {
                code: factor.code.clone(),
                group: factor.group,
                points: factor.points,
            });
        }
        let by_score = self
            .levels
            .iter()
            .position(|l| score >= l.from)
            .unwrap_or(self.lowest());
        Computed {
            score,
            rank: by_score.min(floor),
            contributions,
        }
    }
}

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Kept,
    Raised,
    Lowered,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Kept => "kept",
            Outcome::Raised => "raised",
            Outcome::Lowered => "lowered",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        match text.trim().to_lowercase().as_str() {
            "kept" | "keep" | "维持" => Some(Outcome::Kept),
            "raised" | "raise" | "调高" | "上调" => Some(Outcome::Raised),
            "lowered" | "lower" | "调低" | "下调" => Some(Outcome::Lowered),
            _ => None,
        }
    }
}

/// Why a rating or review was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "refusal")]
pub enum RatingRefusal {
    /// Setting a level other than the computed one, or a review's conclusion, needs a
    /// reason or the evidence noted.
    ReasonRequired,
    /// Only a manager sets a level above the computed one.
    RaiseNeedsManager,
    /// A level below the computed one is a manager's to set…
    LowerNeedsManager,
    /// …with a second manager's approval.
    LowerNeedsApproval,
    /// Lowering from the highest level is a manager's decision.
    LowerFromHighestNeedsManager,
    /// The approver must be another manager than the one recording.
    ApproverNotSecondManager,
    /// The outcome does not match the levels (raised to a lower level, kept but changed…).
    OutcomeMismatch,
}

impl RatingRefusal {
    pub fn code(self) -> &'static str {
        match self {
            RatingRefusal::ReasonRequired => "reason_required",
            RatingRefusal::RaiseNeedsManager => "raise_needs_manager",
            RatingRefusal::LowerNeedsManager => "lower_needs_manager",
            RatingRefusal::LowerNeedsApproval => "lower_needs_approval",
            RatingRefusal::LowerFromHighestNeedsManager => "lower_from_highest_needs_manager",
            RatingRefusal::ApproverNotSecondManager => "approver_not_second_manager",
            RatingRefusal::OutcomeMismatch => "outcome_mismatch",
        }
    }
}

/// A level chosen by staff, checked against who they are and what was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    pub actor: Role,
    /// The second manager who approved, when one did (already authenticated).
    pub approver: Option<(&'a str, Role)>,
    pub actor_id: &'a str,
    pub reason: &'a str,
    /// The level computed from the table now.
    pub computed: usize,
    /// The level in force before (none for a first rating).
    pub previous: Option<usize>,
    /// The level chosen.
    pub chosen: usize,
    /// A review's stated outcome (none for a rating).
    pub outcome: Option<Outcome>,
}

impl Decision<'_> {
    /// Checks the decision: a level above the computed one by a manager with a reason; below
    /// it only with a second manager's approval; a review's outcome that matches the levels,
    /// with the evidence noted; lowering from the highest level by a manager.
    pub fn check(&self) -> Result<(), RatingRefusal> {
        let reason = !self.reason.trim().is_empty();
        if let Some(outcome) = self.outcome {
            let previous = self.previous.unwrap_or(self.computed);
            let matches = match outcome {
                Outcome::Kept => self.chosen == previous,
                Outcome::Raised => self.chosen < previous,
                Outcome::Lowered => self.chosen > previous,
            };
            if !matches {
                return Err(RatingRefusal::OutcomeMismatch);
            }
            if !reason {
                return Err(RatingRefusal::ReasonRequired);
            }
            if outcome == Outcome::Lowered && previous == 0 && self.actor != Role::Manager {
                return Err(RatingRefusal::LowerFromHighestNeedsManager);
            }
        }
        if self.chosen < self.computed {
            if !reason {
                return Err(RatingRefusal::ReasonRequired);
            }
            // A review keeping a level a manager raised earlier is no new raise.
            let kept_raise = self.outcome == Some(Outcome::Kept);
            if self.actor != Role::Manager && !kept_raise {
                return Err(RatingRefusal::RaiseNeedsManager);
            }
        }
        if self.chosen > self.computed {
            if !reason {
                return Err(RatingRefusal::ReasonRequired);
            }
            if self.actor != Role::Manager {
                return Err(RatingRefusal::LowerNeedsManager);
            }
            match self.approver {
                None => return Err(RatingRefusal::LowerNeedsApproval),
                Some((id, role)) => {
                    if role != Role::Manager || id == self.actor_id {
                        return Err(RatingRefusal::ApproverNotSecondManager);
                    }
                }
            }
        }
        Ok(())
    }
}

/// What asks for an early review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    IdRenewed,
    IdExpired,
    OccupationChanged,
    AddressChanged,
    PepSet,
    AumJump,
    Complaint,
    SuspiciousNote,
}

impl Trigger {
    pub const ALL: [Trigger; 8] = [
        Trigger::IdRenewed,
        Trigger::IdExpired,
        Trigger::OccupationChanged,
        Trigger::AddressChanged,
        Trigger::PepSet,
        Trigger::AumJump,
        Trigger::Complaint,
        Trigger::SuspiciousNote,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Trigger::IdRenewed => "id_renewed",
            Trigger::IdExpired => "id_expired",
            Trigger::OccupationChanged => "occupation_changed",
            Trigger::AddressChanged => "address_changed",
            Trigger::PepSet => "pep_set",
            Trigger::AumJump => "aum_jump",
            Trigger::Complaint => "complaint",
            Trigger::SuspiciousNote => "suspicious_note",
        }
    }

    pub fn parse(code: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// The triggers a change of the record raises: a renewed or replaced document, a changed
/// occupation or address.
pub fn record_triggers(before: &ClientRecord, after: &ClientRecord) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    let renewed = match (before.id_expiry, after.id_expiry) {
        (IdExpiry::On(old), IdExpiry::On(new)) => new > old,
        (IdExpiry::On(_) | IdExpiry::Unknown, IdExpiry::LongTerm) => true,
        (IdExpiry::Unknown, IdExpiry::On(_)) => false,
        _ => false,
    };
    if renewed || before.id_number != after.id_number || before.id_type != after.id_type {
        triggers.push(Trigger::IdRenewed);
    }
    let text = |s: &Option<String>| s.as_deref().unwrap_or("").trim().to_string();
    if text(&before.occupation) != text(&after.occupation) {
        triggers.push(Trigger::OccupationChanged);
    }
    if text(&before.address) != text(&after.address) {
        triggers.push(Trigger::AddressChanged);
    }
    triggers
}

/// Whether a month's average AUM jumped from the month before, by the table's figures
/// (amounts in CNY).
pub fn aum_jumped(schedule: &table::Schedule, before: i64, after: i64) -> bool {
    let rise = after - before;
    if rise < schedule.aum_jump_min || rise <= 0 {
        return false;
    }
    // At least `aum_jump_percent` percent above: rise * 100 >= before * percent.
    i128::from(rise) * 100 >= i128::from(before.max(0)) * i128::from(schedule.aum_jump_percent)
}
