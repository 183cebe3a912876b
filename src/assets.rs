//! Everything in `assets/`, embedded so that the binary is the only file a counter terminal
//! needs. HQ reference data may supersede some of it later.

pub const I18N_EN: &str = include_str!("../assets/i18n/en.toml");
pub const I18N_ZH: &str = include_str!("../assets/i18n/zh.toml");
pub const KEYMAP: &str = include_str!("../assets/keymap.toml");
pub const HOLIDAYS: &str = include_str!("../assets/holidays.toml");
pub const FESTIVALS: &str = include_str!("../assets/festivals.toml");
pub const PRODUCTS: &str = include_str!("../assets/products.toml");
pub const TIERS: &str = include_str!("../assets/tiers.toml");
pub const SUITABILITY: &str = include_str!("../assets/suitability.toml");
pub const VALUE: &str = include_str!("../assets/value.toml");
pub const OFFERS: &str = include_str!("../assets/offers.toml");
pub const LOYALTY: &str = include_str!("../assets/loyalty.toml");
pub const AML_FACTORS: &str = include_str!("../assets/aml_factors.toml");

/// The shipped survey templates: (file name, text).
pub const SURVEY_TEMPLATES: &[(&str, &str)] = &[
    (
        "counter_visit.toml",
        include_str!("../assets/surveys/counter_visit.toml"),
    ),
    (
        "complaint_follow_up.toml",
        include_str!("../assets/surveys/complaint_follow_up.toml"),
    ),
    (
        "annual_relationship.toml",
        include_str!("../assets/surveys/annual_relationship.toml"),
    ),
    (
        "risk_assessment.toml",
        include_str!("../assets/surveys/risk_assessment.toml"),
    ),
    (
        "event_follow_up.toml",
        include_str!("../assets/surveys/event_follow_up.toml"),
    ),
];
