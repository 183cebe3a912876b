//! Next-best offers (个性化推荐): rules as data (`assets/offers.toml`, or HQ's) that offer a
//! product when every condition holds — tier, age, AUM and its trend, holdings, maturities,
//! life events — filtered by marketing consent and suitability, with declined offers
//! resting a while. Every offer carries why, as facts a screen can put in words.

use super::suitability::{ClientFacts, SuitabilityRules, Verdict};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A product as offers see it (from the product catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub code: String,
    pub category: String,
    /// R1 (lowest) to R5.
    pub risk: u8,
}

/// Where a client's AUM is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Falling,
    Steady,
    Rising,
}

/// The conditions of a rule; each one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct When {
    pub tiers: Vec<String>,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    pub min_aum: Option<i64>,
    pub max_aum: Option<i64>,
    pub aum_trend: Option<Trend>,
    pub has_category: Vec<String>,
    pub lacks_category: Vec<String>,
    pub has_product: Vec<String>,
    pub lacks_product: Vec<String>,
    pub maturing_within_days: Option<u32>,
    pub maturing_category: Option<String>,
    pub life_event: Option<String>,
    pub life_event_within_days: Option<u32>,
}

/// One rule: the product it offers, how strongly, why in words, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferRule {
    pub code: String,
    pub product: String,
    pub priority: u32,
    pub reason_zh: String,
    pub reason_en: String,
    #[serde(default)]
    pub when: When,
}

/// The rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferRules {
    pub rest_days_after_decline: u32,
    #[serde(rename = "rule")]
    pub rules: Vec<OfferRule>,
}

const LIFE_EVENTS: [&str; 4] = ["marriage", "child_birth", "retirement", "moving"];

impl OfferRules {
    /// Reads the rules against the product catalogue; a rule naming a product or category
    /// the catalogue lacks is refused, named, not guessed.
    pub fn parse(text: &str, catalogue: &[CatalogueEntry]) -> Result<OfferRules, String> {
        let rules: OfferRules = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let known_product = |code: &str| catalogue.iter().any(|p| p.code == code);
        let known_category = |name: &str| catalogue.iter().any(|p| p.category == name);
        for (i, rule) in rules.rules.iter().enumerate() {
            let name = &rule.code;
            if name.trim().is_empty() || rules.rules[..i].iter().any(|r| r.code == *name) {
                return Err(format!("rule code {name:?} is empty or used twice"));
            }
            let w = &rule.when;
            let products = std::iter::once(&rule.product)
                .chain(&w.has_product)
                .chain(&w.lacks_product);
            if let Some(unknown) = products.into_iter().find(|p| !known_product(p)) {
                return Err(format!(
                    "rule {name}: product {unknown} is not in the catalogue"
                ));
            }
            let categories = w
                .has_category
                .iter()
                .chain(&w.lacks_category)
                .chain(w.maturing_category.iter());
            if let Some(unknown) = categories.into_iter().find(|c| !known_category(c)) {
                return Err(format!("rule {name}: no product of category {unknown}"));
            }
            if let Some(event) = &w.life_event
                && !LIFE_EVENTS.contains(&event.as_str())
            {
                return Err(format!(
                    "rule {name}: life event {event} is not one of {LIFE_EVENTS:?}"
                ));
            }
        }
        Ok(rules)
    }
}

/// A holding, as a snapshot from HQ has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub product: String,
    pub category: String,
    /// CNY.
    pub balance: i64,
    pub matures_on: Option<NaiveDate>,
}

/// What the offers look at in a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferFacts<'a> {
    pub tier: &'a str,
    pub age: Option<u32>,
    /// CNY, the latest monthly average.
    pub aum: i64,
    pub trend: Trend,
    pub holdings: &'a [Holding],
    /// Life events (`marriage`, `retirement`…) and their days.
    pub life_events: &'a [(String, NaiveDate)],
    pub consent_marketing: bool,
    pub suitability: ClientFacts,
    /// Products the client declined, and when.
    pub declined: &'a [(String, NaiveDate)],
}

/// One fact behind an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Because {
    Tier {
        code: String,
    },
    Age {
        years: u32,
    },
    Aum {
        cny: i64,
    },
    Trend {
        trend: Trend,
    },
    Holds {
        what: String,
    },
    Lacks {
        what: String,
    },
    Maturing {
        product: String,
        balance: i64,
        on: NaiveDate,
    },
    LifeEvent {
        kind: String,
        on: NaiveDate,
    },
    /// The client's assessed level allows the product, until this day.
    Assessed {
        level: u8,
        valid_until: NaiveDate,
    },
}

/// An offer: the product, the rule that made it, its priority, the facts behind it, and
/// whether an older client is to be given time to consider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub rule: String,
    pub product: String,
    pub priority: u32,
    /// The rule's one line, in each language.
    pub reason_zh: String,
    pub reason_en: String,
    pub because: Vec<Because>,
    pub special_care: bool,
}

/// The offers for a client on `today`, highest priority first, one per product.
pub fn offers(
    rules: &OfferRules,
    catalogue: &[CatalogueEntry],
    suitability: &SuitabilityRules,
    facts: &OfferFacts,
    today: NaiveDate,
) -> Vec<Offer> {
    // No consent to marketing: service, not offers.
    if !facts.consent_marketing {
        return Vec::new();
    }
    let mut found: Vec<Offer> = Vec::new();
    for rule in &rules.rules {
        let Some(product) = catalogue.iter().find(|p| p.code == rule.product) else {
            continue;
        };
        let resting = facts.declined.iter().any(|(code, on)| {
            *code == rule.product
                && (today - *on).num_days() < i64::from(rules.rest_days_after_decline)
        });
        if resting {
            continue;
        }
        let Some(mut because) = conditions_hold(&rule.when, facts, today) else {
            continue;
        };
        let special_care = match suitability.judge(&facts.suitability, product.risk, today) {
            Verdict::Suitable { special_care } => special_care,
            Verdict::Unsuitable(_) => continue,
        };
        if let Some(a) = facts.suitability.assessment {
            because.push(Because::Assessed {
                level: a.level,
                valid_until: suitability.expires_on(a.on).pred_opt().unwrap_or(a.on),
            });
        }
        found.push(Offer {
            rule: rule.code.clone(),
            product: rule.product.clone(),
            priority: rule.priority,
            reason_zh: rule.reason_zh.clone(),
            reason_en: rule.reason_en.clone(),
            because,
            special_care,
        });
    }
    found.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.rule.cmp(&b.rule)));
    // One offer per product: the first (highest priority) stays.
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|o| seen.insert(o.product.clone()));
    found
}

/// The facts that make every condition of `when` hold, or none if one fails.
fn conditions_hold(when: &When, facts: &OfferFacts, today: NaiveDate) -> Option<Vec<Because>> {
    let mut because = Vec::new();
    if !when.tiers.is_empty() {
        when.tiers.iter().find(|t| *t == facts.tier)?;
        because.push(Because::Tier {
            code: facts.tier.to_string(),
        });
    }
    if when.min_age.is_some() || when.max_age.is_some() {
        let age = facts.age?;
        let fits =
            when.min_age.is_none_or(|min| age >= min) && when.max_age.is_none_or(|max| age <= max);
        if !fits {
            return None;
        }
        because.push(Because::Age { years: age });
    }
    if when.min_aum.is_some() || when.max_aum.is_some() {
        let fits = when.min_aum.is_none_or(|min| facts.aum >= min)
            && when.max_aum.is_none_or(|max| facts.aum <= max);
        if !fits {
            return None;
        }
        because.push(Because::Aum { cny: facts.aum });
    }
    if let Some(trend) = when.aum_trend {
        if facts.trend != trend {
            return None;
        }
        because.push(Because::Trend { trend });
    }
    let holds_category = |c: &String| facts.holdings.iter().any(|h| h.category == *c);
    let holds_product = |p: &String| facts.holdings.iter().any(|h| h.product == *p);
    for category in &when.has_category {
        if !holds_category(category) {
            return None;
        }
        because.push(Because::Holds {
            what: category.clone(),
        });
    }
    for product in &when.has_product {
        if !holds_product(product) {
            return None;
        }
        because.push(Because::Holds {
            what: product.clone(),
        });
    }
    for category in &when.lacks_category {
        if holds_category(category) {
            return None;
        }
        because.push(Because::Lacks {
            what: category.clone(),
        });
    }
    for product in &when.lacks_product {
        if holds_product(product) {
            return None;
        }
        because.push(Because::Lacks {
            what: product.clone(),
        });
    }
    if let Some(days) = when.maturing_within_days {
        let maturing = facts
            .holdings
            .iter()
            .filter(|h| {
                when.maturing_category
                    .as_ref()
                    .is_none_or(|c| h.category == *c)
            })
            .filter_map(|h| h.matures_on.map(|on| (h, on)))
            .filter(|(_, on)| {
                let ahead = (*on - today).num_days();
                (0..=i64::from(days)).contains(&ahead)
            })
            .min_by_key(|(_, on)| *on)?;
        because.push(Because::Maturing {
            product: maturing.0.product.clone(),
            balance: maturing.0.balance,
            on: maturing.1,
        });
    }
    if let Some(kind) = &when.life_event {
        let within = i64::from(when.life_event_within_days.unwrap_or(365));
        let (_, on) = facts
            .life_events
            .iter()
            .filter(|(k, on)| k == kind && (today - *on).num_days().abs() <= within)
            .min_by_key(|(_, on)| (today - *on).num_days().abs())?;
        because.push(Because::LifeEvent {
            kind: kind.clone(),
            on: *on,
        });
    }
    Some(because)
}

#[cfg(test)]
mod tests;
