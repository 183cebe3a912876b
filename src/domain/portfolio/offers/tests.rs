//! Each condition of an offer rule, consent, suitability, the rest after a decline, and the
//! order offers come in.

use super::*;
use crate::domain::portfolio::suitability::Assessment;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The shipped product catalogue, as offers see it.
fn catalogue() -> Vec<CatalogueEntry> {
    #[derive(Deserialize)]
    struct File {
        product: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        code: String,
        category: String,
        risk: u8,
    }
    let file: File = toml::from_str(crate::assets::PRODUCTS).unwrap();
    file.product
        .into_iter()
        .map(|e| CatalogueEntry {
            code: e.code,
            category: e.category,
            risk: e.risk,
        })
        .collect()
}

fn rules() -> OfferRules {
    OfferRules::parse(crate::assets::OFFERS, &catalogue()).unwrap()
}

fn holding(product: &str, category: &str, balance: i64, matures: Option<&str>) -> Holding {
    Holding {
        product: product.into(),
        category: category.into(),
        balance,
        matures_on: matures.map(d),
    }
}

const TODAY: &str = "2026-12-01";

/// A consenting 50-year-old gold client, assessed C3 in June, holding a demand deposit.
fn base<'a>(
    holdings: &'a [Holding],
    events: &'a [(String, NaiveDate)],
    declined: &'a [(String, NaiveDate)],
) -> OfferFacts<'a> {
    OfferFacts {
        tier: "gold",
        age: Some(50),
        aum: 120_000,
        trend: Trend::Steady,
        holdings,
        life_events: events,
        consent_marketing: true,
        suitability: ClientFacts {
            assessment: Some(Assessment {
                level: 3,
                on: d("2026-06-01"),
            }),
            age: Some(50),
            full_capacity: true,
        },
        declined,
    }
}

fn offered(facts: &OfferFacts) -> Vec<String> {
    offers(
        &rules(),
        &catalogue(),
        &SuitabilityRules::shipped(),
        facts,
        d(TODAY),
    )
    .into_iter()
    .map(|o| o.rule)
    .collect()
}

#[test]
fn a_maturing_deposit_leads_and_says_which_and_when() {
    let holdings = [
        holding("DEP-DEMAND", "deposit", 20_000, None),
        holding("DEP-TIME-1Y", "deposit", 200_000, Some("2026-12-18")),
    ];
    let facts = base(&holdings, &[], &[]);
    let all = offers(
        &rules(),
        &catalogue(),
        &SuitabilityRules::shipped(),
        &facts,
        d(TODAY),
    );
    assert_eq!(all[0].rule, "reinvest_maturing_deposit");
    assert_eq!(
        all[0].because,
        [
            Because::Maturing {
                product: "DEP-TIME-1Y".into(),
                balance: 200_000,
                on: d("2026-12-18")
            },
            Because::Assessed {
                level: 3,
                valid_until: d("2027-05-31")
            }
        ]
    );
    // Past the window, or already matured: not offered.
    let later = [holding(
        "DEP-TIME-1Y",
        "deposit",
        200_000,
        Some("2027-01-15"),
    )];
    assert!(!offered(&base(&later, &[], &[])).contains(&"reinvest_maturing_deposit".to_string()));
    let past = [holding(
        "DEP-TIME-1Y",
        "deposit",
        200_000,
        Some("2026-11-30"),
    )];
    assert!(!offered(&base(&past, &[], &[])).contains(&"reinvest_maturing_deposit".to_string()));
}

#[test]
fn tier_and_lacking_a_category_make_a_first_fund_offer() {
    let holdings = [holding("DEP-DEMAND", "deposit", 120_000, None)];
    assert!(offered(&base(&holdings, &[], &[])).contains(&"first_fund".to_string()));
    let mut mass = base(&holdings, &[], &[]);
    mass.tier = "mass";
    assert!(!offered(&mass).contains(&"first_fund".to_string()));
    let with_fund = [holding("FUND-EQUITY", "fund", 50_000, None)];
    assert!(!offered(&base(&with_fund, &[], &[])).contains(&"first_fund".to_string()));
}

#[test]
fn age_aum_trend_and_life_events_each_decide() {
    let none: [Holding; 0] = [];
    // max_age 45: a 50-year-old gets no card offer, a 30-year-old does.
    assert!(!offered(&base(&none, &[], &[])).contains(&"young_card".to_string()));
    let mut young = base(&none, &[], &[]);
    young.age = Some(30);
    assert!(offered(&young).contains(&"young_card".to_string()));
    young.age = None;
    assert!(
        !offered(&young).contains(&"young_card".to_string()),
        "age unknown"
    );

    let mut falling = base(&none, &[], &[]);
    falling.trend = Trend::Falling;
    falling.aum = 250_000;
    assert!(offered(&falling).contains(&"keep_falling_aum".to_string()));
    falling.aum = 150_000;
    assert!(
        !offered(&falling).contains(&"keep_falling_aum".to_string()),
        "below min_aum"
    );

    let retired = [("retirement".to_string(), d("2026-10-01"))];
    assert!(offered(&base(&none, &retired, &[])).contains(&"retirement_annuity".to_string()));
    let long_ago = [("retirement".to_string(), d("2020-10-01"))];
    assert!(!offered(&base(&none, &long_ago, &[])).contains(&"retirement_annuity".to_string()));
}

#[test]
fn no_consent_no_offers_and_unsuitable_products_are_left_out() {
    let holdings = [holding("DEP-DEMAND", "deposit", 120_000, None)];
    let mut facts = base(&holdings, &[], &[]);
    facts.consent_marketing = false;
    assert!(offered(&facts).is_empty());

    // FUND-BALANCED is R3: a C2 client is not offered it; an expired C3 neither.
    let mut cautious = base(&holdings, &[], &[]);
    cautious.suitability.assessment = Some(Assessment {
        level: 2,
        on: d("2026-06-01"),
    });
    assert!(!offered(&cautious).contains(&"first_fund".to_string()));
    let mut expired = base(&holdings, &[], &[]);
    expired.suitability.assessment = Some(Assessment {
        level: 5,
        on: d("2025-11-01"),
    });
    assert!(!offered(&expired).contains(&"first_fund".to_string()));
}

#[test]
fn a_declined_offer_rests_ninety_days() {
    let holdings = [holding("DEP-DEMAND", "deposit", 120_000, None)];
    let recent = [("FUND-BALANCED".to_string(), d("2026-10-01"))];
    assert!(!offered(&base(&holdings, &[], &recent)).contains(&"first_fund".to_string()));
    let old = [("FUND-BALANCED".to_string(), d("2026-08-01"))];
    assert!(offered(&base(&holdings, &[], &old)).contains(&"first_fund".to_string()));
}

#[test]
fn offers_come_highest_priority_first_one_per_product() {
    let text = crate::assets::OFFERS.to_string()
        + "\n[[rule]]\ncode = \"fund_again\"\nproduct = \"FUND-BALANCED\"\npriority = 10\nreason_zh = \"甲\"\nreason_en = \"a\"\n";
    let rules = OfferRules::parse(&text, &catalogue()).unwrap();
    let holdings = [holding(
        "DEP-TIME-1Y",
        "deposit",
        200_000,
        Some("2026-12-18"),
    )];
    let facts = base(&holdings, &[], &[]);
    let all = offers(
        &rules,
        &catalogue(),
        &SuitabilityRules::shipped(),
        &facts,
        d(TODAY),
    );
    let order: Vec<(&str, u32)> = all.iter().map(|o| (o.rule.as_str(), o.priority)).collect();
    assert_eq!(
        order,
        [("reinvest_maturing_deposit", 90), ("first_fund", 60)]
    );
}

#[test]
fn rules_naming_what_the_catalogue_lacks_are_refused() {
    for (from, to, expected) in [
        (
            "product = \"INS-ANNUITY\"",
            "product = \"INS-NOPE\"",
            "INS-NOPE",
        ),
        (
            "lacks_category = [\"card\"]",
            "lacks_category = [\"crypto\"]",
            "crypto",
        ),
        (
            "life_event = \"retirement\"",
            "life_event = \"lottery\"",
            "lottery",
        ),
    ] {
        let text = crate::assets::OFFERS.replace(from, to);
        let error = OfferRules::parse(&text, &catalogue()).unwrap_err();
        assert!(error.contains(expected), "{error}");
    }
}
