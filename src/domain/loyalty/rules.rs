//! Earn rules as data (`assets/loyalty.toml`, replaced by HQ's reference data): which
//! activities earn points, how many, how often at most, times what for each tier, and when
//! the points lapse; and the redemption catalogue (services, gifts, fee waivers) with each
//! branch's stock of the gifts. The loader refuses a rule that rewards a deposit balance or a
//! wealth-product purchase unless it carries a compliance approval, naming the regulation
//! it would break.

use super::{Lapse, Points};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a client does that a rule rewards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    BirthdayVisit,
    SurveyCompleted,
    EbankingActivated,
    TierAnniversary,
    Referral,
    EventAttended,
    /// Holding a deposit balance: a gift for deposits is banned (银保监办发〔2018〕48号).
    DepositBalance,
    /// Buying a wealth product: gifts and rebates for a sale are banned (《理财公司理财产品
    /// 销售管理暂行办法》, 2021, art. 25).
    WealthPurchase,
}

impl Activity {
    /// The regulation a reward for this activity would break, if any.
    pub fn banned_by(self) -> Option<&'static str> {
        match self {
            Activity::DepositBalance => Some("银保监办发〔2018〕48号"),
            Activity::WealthPurchase => {
                Some("《理财公司理财产品销售管理暂行办法》（2021）第二十五条")
            }
            _ => None,
        }
    }
}

/// The period a cap counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Month,
    Year,
    /// Once in the client's life with the bank.
    Ever,
}

/// At most `times` earns of a rule per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap {
    pub per: Period,
    pub times: u32,
}

/// One earn rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub activity: Activity,
    pub points: Points,
    pub cap: Option<Cap>,
    /// Points in percent of `points` by tier code (a tier not listed: 100).
    #[serde(default)]
    pub tier_percent: BTreeMap<String, u32>,
    /// The compliance department's approval, which a rule rewarding a deposit or a
    /// wealth-product purchase must carry.
    #[serde(default)]
    pub compliance_approval: Option<String>,
}

impl EarnRule {
    /// The points an earn under this rule gives a client of `tier`.
    pub fn points_for(&self, tier: Option<&str>) -> Points {
        let percent = tier
            .and_then(|t| self.tier_percent.get(t))
            .copied()
            .unwrap_or(100);
        self.points * Points::from(percent) / 100
    }
}

/// What a redemption gives the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Service,
    Gift,
    FeeWaiver,
}

impl ItemKind {
    /// The code it is written with in the catalogue.
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Service => "service",
            ItemKind::Gift => "gift",
            ItemKind::FeeWaiver => "fee_waiver",
        }
    }
}

/// An item of the redemption catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemItem {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: ItemKind,
    pub points: Points,
    /// How many each branch holds under this catalogue (none: not counted, as a service).
    #[serde(default)]
    pub stock: Option<u32>,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnRules {
    pub version: String,
    pub lapse: Lapse,
    #[serde(rename = "rule")]
    pub rules: Vec<EarnRule>,
    #[serde(rename = "item", default)]
    pub items: Vec<RedeemItem>,
}

/// Why a rules file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesError {
    Parse(String),
    Repeated {
        code: String,
    },
    NotPositive {
        code: String,
    },
    /// A reward the regulation bans, without a compliance approval.
    Banned {
        code: String,
        activity: Activity,
        regulation: &'static str,
    },
    ZeroCap {
        code: String,
    },
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RulesError::Parse(detail) => write!(f, "{detail}"),
            RulesError::Repeated { code } => write!(f, "{code} is defined twice"),
            RulesError::NotPositive { code } => {
                write!(f, "rule {code}: points must be a positive whole number")
            }
            RulesError::Banned {
                code, regulation, ..
            } => write!(
                f,
                "rule {code} rewards what {regulation} bans rewarding: it needs a compliance_approval"
            ),
            RulesError::ZeroCap { code } => {
                write!(f, "rule {code}: a cap of 0 times earns nothing")
            }
        }
    }
}

impl EarnRules {
    /// The shipped rules (`assets/loyalty.toml`), checked by a test.
    pub fn shipped() -> EarnRules {
        EarnRules::parse(crate::assets::LOYALTY).unwrap_or_else(|_| EarnRules {
            version: String::new(),
            lapse: Lapse::Never,
            rules: Vec::new(),
            items: Vec::new(),
        })
    }

    /// Reads and checks a rules file.
    pub fn parse(text: &str) -> Result<EarnRules, RulesError> {
        let rules: EarnRules =
            toml::from_str(text).map_err(|e| RulesError::Parse(e.message().to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for rule in &rules.rules {
            let code = rule.code.clone();
            if !seen.insert(rule.code.as_str()) {
                return Err(RulesError::Repeated { code });
            }
            if rule.points <= 0 {
                return Err(RulesError::NotPositive { code });
            }
            if rule.cap.is_some_and(|c| c.times == 0) {
                return Err(RulesError::ZeroCap { code });
            }
            let approved = rule
                .compliance_approval
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty());
            if let (Some(regulation), false) = (rule.activity.banned_by(), approved) {
                return Err(RulesError::Banned {
                    code,
                    activity: rule.activity,
                    regulation,
                });
            }
        }
        let mut items = std::collections::BTreeSet::new();
        for item in &rules.items {
            let code = item.code.clone();
            if !items.insert(item.code.as_str()) {
                return Err(RulesError::Repeated { code });
            }
            if item.points <= 0 {
                return Err(RulesError::NotPositive { code });
            }
        }
        Ok(rules)
    }

    pub fn rule(&self, code: &str) -> Option<&EarnRule> {
        self.rules.iter().find(|r| r.code == code)
    }

    pub fn item(&self, code: &str) -> Option<&RedeemItem> {
        self.items.iter().find(|i| i.code == code)
    }
}
