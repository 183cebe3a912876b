//! The factor table (`assets/aml_factors.toml`, or HQ's): levels with their score bands and
//! review intervals, the factors with their points and conditions, the high-risk
//! jurisdictions and the schedule's figures. Reading checks what the rules require: bands
//! from the highest, the highest reviewed at least every 6 months and each lower level at
//! most twice as long as the one above, a retention of at least 10 years.

use serde::{Deserialize, Serialize};

/// One level of the rating, from the highest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// A score at or above this is this level (the lowest starts at 0).
    pub from: u32,
    /// Months between reviews at this level.
    pub review_months: u32,
}

/// The groups of factors the guideline names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Client,
    Region,
    Relationship,
    Industry,
}

impl Group {
    pub fn code(self) -> &'static str {
        match self {
            Group::Client => "client",
            Group::Region => "region",
            Group::Relationship => "relationship",
            Group::Industry => "industry",
        }
    }
}

/// Politically exposed person (政治公众人物), or a family member or close associate of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pep {
    #[default]
    None,
    Pep,
    Associate,
}

impl Pep {
    pub fn code(self) -> &'static str {
        match self {
            Pep::None => "none",
            Pep::Pep => "pep",
            Pep::Associate => "associate",
        }
    }

    pub fn parse(text: &str) -> Option<Pep> {
        match text.trim().to_lowercase().as_str() {
            "none" | "no" | "否" | "" => Some(Pep::None),
            "pep" | "yes" | "是" | "政治公众人物" => Some(Pep::Pep),
            "associate" | "family" | "关系密切人" | "亲属" => Some(Pep::Associate),
            _ => None,
        }
    }
}

/// How much of the client's business is in cash, as staff recorded it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Cash {
    #[default]
    Low,
    Medium,
    High,
}

impl Cash {
    pub fn code(self) -> &'static str {
        match self {
            Cash::Low => "low",
            Cash::Medium => "medium",
            Cash::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Cash> {
        match text.trim().to_lowercase().as_str() {
            "low" | "低" | "" => Some(Cash::Low),
            "medium" | "中" => Some(Cash::Medium),
            "high" | "高" => Some(Cash::High),
            _ => None,
        }
    }
}

/// Which nationality condition a factor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalityIs {
    /// Not Chinese (HK, Macau and Taiwan residents are not foreign nationals).
    Foreign,
    /// In the high-risk list.
    HighRisk,
    /// Not recorded and not implied by the document.
    Unknown,
}

/// What must hold for a factor to count: every condition given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::domain::client::ClientKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_below: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_from: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occupation_any: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_any: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pep: Option<Pep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<NationalityIs>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds_category: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_risk_from: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash: Option<Cash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<bool>,
}

impl When {
    fn is_empty(&self) -> bool {
        *self == When::default()
    }
}

/// One factor of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub code: String,
    pub group: Group,
    pub name_zh: String,
    pub name_en: String,
    pub points: u32,
    /// The level the client is at least at when this factor holds, whatever the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<String>,
    pub when: When,
}

/// The schedule's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub rate_within_working_days: u32,
    pub early_review_within_working_days: u32,
    pub first_review_within_months: u32,
    pub id_grace_days: u32,
    pub kyc_refresh_years: u32,
    pub retention_years: u32,
    pub due_soon_days: u32,
    pub aum_jump_percent: u32,
    /// CNY.
    pub aum_jump_min: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdictions {
    pub high_risk: Vec<String>,
}

/// The table, read and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorTable {
    pub version: String,
    pub jurisdictions: Jurisdictions,
    pub schedule: Schedule,
    #[serde(rename = "level")]
    pub levels: Vec<LevelRule>,
    #[serde(rename = "factor")]
    pub factors: Vec<Factor>,
}

/// The most levels a table may have (ranks are small numbers everywhere).
const MAX_LEVELS: usize = 9;
/// The longest interval the guideline allows at the highest level.
const HIGHEST_REVIEW_MONTHS: u32 = 6;
/// The shortest retention the AML Law allows (art. 40).
const RETENTION_FLOOR_YEARS: u32 = 10;

impl FactorTable {
    /// Reads a table; what is wrong otherwise, in one sentence for HQ's staff.
    pub fn parse(text: &str) -> Result<FactorTable, String> {
        let table: FactorTable = toml::from_str(text).map_err(|e| e.message().to_string())?;
        table.check()?;
        Ok(table)
    }

    fn check(&self) -> Result<(), String> {
        if self.version.trim().is_empty() {
            return Err("version must not be empty".into());
        }
        let levels = &self.levels;
        if !(2..=MAX_LEVELS).contains(&levels.len()) {
            return Err(format!("between 2 and {MAX_LEVELS} levels"));
        }
        if levels.last().is_some_and(|l| l.from != 0) {
            return Err("the last level must start at 0".into());
        }
        for pair in levels.windows(2) {
            if pair[1].from >= pair[0].from {
                return Err(format!(
                    "level {} must start below level {}",
                    pair[1].code, pair[0].code
                ));
            }
            if pair[1].review_months > 2 * pair[0].review_months {
                return Err(format!(
                    "level {}: review_months at most twice level {}'s",
                    pair[1].code, pair[0].code
                ));
            }
        }
        if levels
            .first()
            .is_some_and(|l| l.review_months == 0 || l.review_months > HIGHEST_REVIEW_MONTHS)
        {
            return Err(format!(
                "the highest level is reviewed every 1 to {HIGHEST_REVIEW_MONTHS} months"
            ));
        }
        for (i, level) in levels.iter().enumerate() {
            if level.code.trim().is_empty() || levels[..i].iter().any(|l| l.code == level.code) {
                return Err(format!(
                    "level code {:?} is empty or used twice",
                    level.code
                ));
            }
            if level.review_months == 0 {
                return Err(format!("level {}: review_months at least 1", level.code));
            }
        }
        for (i, factor) in self.factors.iter().enumerate() {
            if factor.code.trim().is_empty()
                || self.factors[..i].iter().any(|f| f.code == factor.code)
            {
                return Err(format!(
                    "factor code {:?} is empty or used twice",
                    factor.code
                ));
            }
            if factor.when.is_empty() {
                return Err(format!("factor {}: when needs a condition", factor.code));
            }
            if let Some(level) = &factor.at_least
                && self.rank_of(level).is_none()
            {
                return Err(format!("factor {}: no level {level}", factor.code));
            }
            if factor
                .when
                .product_risk_from
                .is_some_and(|r| !(1..=5).contains(&r))
            {
                return Err(format!("factor {}: product_risk_from 1–5", factor.code));
            }
        }
        for code in &self.jurisdictions.high_risk {
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("jurisdiction {code:?}: three capital letters"));
            }
        }
        let s = &self.schedule;
        if !(1..=60).contains(&s.rate_within_working_days)
            || !(1..=60).contains(&s.early_review_within_working_days)
        {
            return Err(
                "schedule: rate_within_working_days and early_review_within_working_days 1–60"
                    .into(),
            );
        }
        if s.first_review_within_months == 0 {
            return Err("schedule: first_review_within_months at least 1".into());
        }
        if s.retention_years < RETENTION_FLOOR_YEARS {
            return Err(format!(
                "schedule: retention_years at least {RETENTION_FLOOR_YEARS}"
            ));
        }
        if s.kyc_refresh_years == 0 || s.due_soon_days == 0 || s.aum_jump_percent == 0 {
            return Err(
                "schedule: kyc_refresh_years, due_soon_days and aum_jump_percent at least 1".into(),
            );
        }
        if s.id_grace_days > 366 {
            return Err("schedule: id_grace_days at most 366".into());
        }
        Ok(())
    }

    /// The table branchdesk ships.
    pub fn shipped() -> &'static FactorTable {
        static SHIPPED: std::sync::OnceLock<FactorTable> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| {
            // Checked by a test; a broken asset is a build defect.
            FactorTable::parse(crate::assets::AML_FACTORS).expect("the shipped AML table reads")
        })
    }

    /// A level's rank (0 the highest).
    pub fn rank_of(&self, code: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.code == code)
    }

    pub fn level(&self, rank: usize) -> Option<&LevelRule> {
        self.levels.get(rank)
    }

    /// The lowest rank (the last level).
    pub fn lowest(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }

    pub fn factor(&self, code: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.code == code)
    }
}
