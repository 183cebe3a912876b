//! Reference data HQ sends to its branches: a versioned snapshot of the staff directory,
//! survey templates, the holiday table, the product catalogue, and, per branch, the highest
//! seq HQ holds (its acknowledgement, which lets the branch prune its outbox).

use crate::domain::calendar::WorkCalendar;
use crate::domain::survey::parse_template;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub branch: String,
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: String,
    /// R1 (lowest) to R5.
    pub risk: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub version: i64,
    pub hq: String,
    pub published_at: String,
    pub staff: Vec<DirectoryEntry>,
    /// Template files as HQ keeps them (TOML).
    pub survey_templates: Vec<String>,
    /// The holiday table (TOML, as `assets/holidays.toml`).
    pub holidays: String,
    pub products: Vec<Product>,
    /// Branch code → the highest seq HQ has imported from it.
    pub acks: BTreeMap<String, i64>,
    /// HQ's relationship-management tables (absent from older HQs: the shipped ones hold).
    #[serde(default)]
    pub rules: RuleTables,
}

/// The relationship-management tables as HQ keeps them (TOML, as `assets/` has them):
/// tiers, suitability, offers and client value, and the AML factor table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTables {
    pub tiers: String,
    pub suitability: String,
    pub offers: String,
    pub value: String,
    /// Absent from HQs before the risk desk: the shipped table holds.
    #[serde(default = "shipped_aml")]
    pub aml: String,
    /// Earn rules and the redemption catalogue (absent from HQs before loyalty points: the
    /// shipped ones hold).
    #[serde(default = "shipped_loyalty")]
    pub loyalty: String,
}

fn shipped_aml() -> String {
    crate::assets::AML_FACTORS.into()
}

fn shipped_loyalty() -> String {
    crate::assets::LOYALTY.into()
}

impl RuleTables {
    /// The tables branchdesk ships.
    pub fn shipped() -> RuleTables {
        RuleTables {
            tiers: crate::assets::TIERS.into(),
            suitability: crate::assets::SUITABILITY.into(),
            offers: crate::assets::OFFERS.into(),
            value: crate::assets::VALUE.into(),
            aml: shipped_aml(),
            loyalty: shipped_loyalty(),
        }
    }

    /// Each table read, the offers against `products`; which one is wrong and why
    /// otherwise.
    pub fn parse(&self, products: &[Product]) -> Result<PortfolioRules, ReferenceError> {
        use crate::domain::portfolio::{offers, suitability, tiers, value};
        let rules =
            |name: &'static str| move |detail: String| ReferenceError::Rules { name, detail };
        let catalogue: Vec<offers::CatalogueEntry> = products
            .iter()
            .map(|p| offers::CatalogueEntry {
                code: p.code.clone(),
                category: p.category.clone(),
                risk: p.risk,
            })
            .collect();
        Ok(PortfolioRules {
            tiers: tiers::TierTable::parse(&self.tiers).map_err(rules("tiers"))?,
            suitability: suitability::SuitabilityRules::parse(&self.suitability)
                .map_err(rules("suitability"))?,
            offers: offers::OfferRules::parse(&self.offers, &catalogue).map_err(rules("offers"))?,
            value: value::ValueRules::parse(&self.value).map_err(rules("value"))?,
            aml: crate::domain::aml::FactorTable::parse(&self.aml).map_err(rules("aml_factors"))?,
            loyalty: crate::domain::loyalty::EarnRules::parse(&self.loyalty)
                .map_err(|e| e.to_string())
                .map_err(rules("loyalty"))?,
            catalogue,
            products: products.to_vec(),
        })
    }
}

/// The relationship-management rules in force, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioRules {
    pub tiers: crate::domain::portfolio::tiers::TierTable,
    pub suitability: crate::domain::portfolio::suitability::SuitabilityRules,
    pub offers: crate::domain::portfolio::offers::OfferRules,
    pub value: crate::domain::portfolio::value::ValueRules,
    pub aml: crate::domain::aml::FactorTable,
    pub loyalty: crate::domain::loyalty::EarnRules,
    pub catalogue: Vec<crate::domain::portfolio::offers::CatalogueEntry>,
    /// The product catalogue the rules were read against, names and all.
    pub products: Vec<Product>,
}

/// Why a reference file's content was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    Holidays(String),
    Products(String),
    Rules { name: &'static str, detail: String },
    Template { index: usize, detail: String },
}

impl std::fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReferenceError::Holidays(d) => write!(f, "holiday table: {d}"),
            ReferenceError::Products(d) => write!(f, "product catalogue: {d}"),
            ReferenceError::Rules { name, detail } => write!(f, "{name}.toml: {detail}"),
            ReferenceError::Template { index, detail } => {
                write!(f, "survey template {}: {detail}", index + 1)
            }
        }
    }
}

/// Parses a product catalogue (`[[product]]` tables).
pub fn parse_products(text: &str) -> Result<Vec<Product>, ReferenceError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        product: Vec<Product>,
    }
    let file: File =
        toml::from_str(text).map_err(|e| ReferenceError::Products(e.message().to_string()))?;
    if let Some(bad) = file.product.iter().find(|p| !(1..=5).contains(&p.risk)) {
        return Err(ReferenceError::Products(format!(
            "{}: risk must be 1 to 5",
            bad.code
        )));
    }
    Ok(file.product)
}

impl Reference {
    /// Everything in it must parse before any of it is applied (or published).
    pub fn check(&self) -> Result<(), ReferenceError> {
        WorkCalendar::parse(&self.holidays).map_err(ReferenceError::Holidays)?;
        for (index, text) in self.survey_templates.iter().enumerate() {
            parse_template(text).map_err(|e| ReferenceError::Template {
                index,
                detail: e.to_string(),
            })?;
        }
        if let Some(bad) = self.products.iter().find(|p| !(1..=5).contains(&p.risk)) {
            return Err(ReferenceError::Products(format!(
                "{}: risk must be 1 to 5",
                bad.code
            )));
        }
        if self.rules != RuleTables::default() {
            self.rules.parse(&self.products)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_parses_and_a_bad_risk_is_named() {
        let products = parse_products(crate::assets::PRODUCTS).unwrap();
        assert!(products.len() >= 8);
        assert!(products.iter().all(|p| (1..=5).contains(&p.risk)));
        let bad = "[[product]]\ncode = \"X\"\nname_zh = \"x\"\nname_en = \"x\"\ncategory = \"fund\"\nrisk = 7\n";
        assert_eq!(
            parse_products(bad),
            Err(ReferenceError::Products("X: risk must be 1 to 5".into()))
        );
    }
}

/// One branch's part of HQ's latest holdings extract (only the clients whose home branch it
/// is), sent to that branch alone. Amounts in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingsSnapshot {
    pub branch: String,
    /// The day the extract was taken.
    pub as_of: chrono::NaiveDate,
    /// HQ's count of holdings publications: a corrected extract for the same day is newer.
    pub serial: i64,
    pub holdings: Vec<SnapshotHolding>,
    /// The branch's client book as HQ has consolidated it: every client whose home branch
    /// it is or who was registered there (a snapshot from before the book travelled has
    /// none).
    #[serde(default)]
    pub clients: Vec<BookClient>,
    /// The book's clients' loyalty points as HQ consolidated them from every branch (a
    /// snapshot from before points travelled has none).
    #[serde(default)]
    pub points: Vec<BookPoints>,
    /// How far HQ had applied this branch's own changes (its outbox sequence): the branch
    /// adds its entries written after that to HQ's buckets.
    #[serde(default)]
    pub points_through: i64,
}

/// A client's buckets as HQ holds them: every branch's credits, less what every branch's
/// debits took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookPoints {
    pub client_id: String,
    pub buckets: Vec<crate::domain::loyalty::Bucket>,
}

/// A client as HQ holds it: the merged fields and their stamps, as JSON text (the branch
/// parses only the clients whose copy changed since it last applied one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookClient {
    pub row_id: String,
    /// The branch of the client's earliest write.
    pub owner: String,
    pub fields: String,
    pub stamps: String,
}

/// A holding as the branch gets it: the client by the branch's own client number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHolding {
    pub client_no: String,
    pub account: String,
    pub product: String,
    /// The product's category in HQ's catalogue (what counts as AUM does not depend on the
    /// branch having applied that catalogue yet).
    pub category: String,
    pub balance: i64,
    pub opened_on: chrono::NaiveDate,
    pub matures_on: Option<chrono::NaiveDate>,
    pub avg_balance: Option<i64>,
    /// A loan's days past due and five-category classification, where the extract gives
    /// them (a snapshot from before they travelled has none).
    #[serde(default)]
    pub days_past_due: Option<u32>,
    #[serde(default)]
    pub loan_class: Option<crate::domain::portfolio::credit::LoanClass>,
}

impl HoldingsSnapshot {
    /// The snapshot's version in a bundle manifest.
    pub fn version(&self) -> i64 {
        self.serial
    }
}
