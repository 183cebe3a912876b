//! Portfolio fixtures for the screen tests: 王芳's portfolio and offers, an RM's book.

use branchdesk::domain::portfolio::Month;
use branchdesk::domain::portfolio::offers::Because;
use branchdesk::domain::portfolio::tiers::{MonthAum, TierChange, TierReason};
use branchdesk::domain::portfolio::value::{ValuePart, ValueScore};
use branchdesk::service::{Book, BookEntry, Offer, Portfolio, Segment};
use branchdesk::store::{
    AssessmentNow, ClientValue, PortfolioHolding, Rfm, SegmentCount, TierName, TierNow,
};
use chrono::NaiveDate;

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn holding(product: &str, zh: &str, en: &str, fen: i64, matures: Option<&str>) -> PortfolioHolding {
    PortfolioHolding {
        account: format!("****{:04}", fen % 9973),
        product: product.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        category: "deposit".into(),
        risk: 1,
        balance_fen: fen,
        opened_on: day("2025-12-18"),
        matures_on: matures.map(day),
    }
}

/// 王芳's portfolio: moved up to 白金 by November's 520,000, a time deposit maturing on
/// 12-18, assessed C3 until May.
pub fn portfolio() -> Portfolio {
    let aum = [
        310_000, 320_000, 300_000, 340_000, 360_000, 380_000, 400_000, 410_000, 450_000, 470_000,
        480_000, 520_000,
    ];
    let mut m = month("2025-12");
    let months = aum
        .iter()
        .map(|yuan| {
            let this = m;
            m = m.next();
            MonthAum {
                month: this,
                avg_aum: yuan * 100,
            }
        })
        .collect();
    let part = |code: &str, points, weight| ValuePart {
        code: code.into(),
        points,
        weight,
    };
    Portfolio {
        client_no: "BJ0101-0000001".into(),
        as_of: Some(day("2026-11-30")),
        holdings: vec![
            holding(
                "DEP-TIME-1Y",
                "一年期整存整取",
                "One-year time deposit",
                20_000_000,
                Some("2026-12-18"),
            ),
            holding(
                "FUND-BALANCED",
                "平衡型基金",
                "Balanced fund",
                12_000_000,
                None,
            ),
            holding("DEP-DEMAND", "活期存款", "Demand deposit", 20_000_000, None),
        ],
        aum: months,
        tier: Some(TierNow {
            code: "platinum".into(),
            name_zh: "白金".into(),
            name_en: "Platinum".into(),
            since: Some(month("2026-12")),
            changes: vec![TierChange {
                effective: month("2026-12"),
                from: Some("gold".into()),
                to: "platinum".into(),
                reason: TierReason::Reached {
                    month: month("2026-11"),
                    avg_aum: 52_000_000,
                    threshold: 50_000_000,
                },
            }],
        }),
        fall: None,
        assessment: Some(AssessmentNow {
            level: 3,
            assessed_on: day("2026-05-10"),
            valid_until: day("2027-05-09"),
            valid: true,
        }),
        value: Some(ClientValue {
            value: ValueScore {
                score: 72,
                parts: vec![
                    part("aum", 91, 40),
                    part("breadth", 50, 15),
                    part("tenure", 60, 10),
                    part("engagement", 42, 15),
                    part("satisfaction", 90, 10),
                    part("complaints", 100, 10),
                ],
            },
            rfm: Rfm {
                recency: 4,
                frequency: 3,
                monetary: 5,
            },
        }),
    }
}

pub fn offers() -> Vec<Offer> {
    vec![
        Offer {
            rule: "reinvest_maturing_deposit".into(),
            product: "WM-FIXED-180".into(),
            priority: 90,
            reason_zh: "定期存款即将到期，可续作固定收益理财".into(),
            reason_en: "A time deposit is maturing: a fixed-income product can follow it".into(),
            because: vec![
                Because::Maturing {
                    product: "DEP-TIME-1Y".into(),
                    balance: 200_000,
                    on: day("2026-12-18"),
                },
                Because::Assessed {
                    level: 3,
                    valid_until: day("2027-05-09"),
                },
            ],
            special_care: false,
        },
        Offer {
            rule: "young_card".into(),
            product: "CARD-CREDIT-STD".into(),
            priority: 40,
            reason_zh: "尚无信用卡".into(),
            reason_en: "No credit card yet".into(),
            because: vec![Because::Lacks {
                what: "card".into(),
            }],
            special_care: false,
        },
    ]
}

fn entry(no: &str, name: &str, tier: &str, yuan: i64) -> BookEntry {
    BookEntry {
        client_no: no.into(),
        name: name.into(),
        rm: Some("rm01".into()),
        tier: tier.into(),
        aum: yuan * 100,
        moved: None,
        fall_percent: None,
        value: 60,
        best_rule: None,
        best_product: None,
        next_maturity: None,
        assessed_until: None,
    }
}

pub fn book() -> Book {
    let tiers = [
        ("mass", "大众", "Mass"),
        ("gold", "金卡", "Gold"),
        ("platinum", "白金", "Platinum"),
        ("diamond", "钻石", "Diamond"),
        ("private", "私人银行", "Private banking"),
    ];
    let mut segments: Vec<SegmentCount> = [
        (Segment::All, 3),
        (Segment::Upgraded, 1),
        (Segment::Downgraded, 0),
        (Segment::Falling, 1),
        (Segment::Expiring, 0),
        (Segment::Maturing, 1),
        (Segment::Offers, 2),
    ]
    .into_iter()
    .map(|(segment, clients)| SegmentCount { segment, clients })
    .collect();
    for (code, n) in [
        ("mass", 1),
        ("gold", 0),
        ("platinum", 2),
        ("diamond", 0),
        ("private", 0),
    ] {
        segments.push(SegmentCount {
            segment: Segment::Tier(code.into()),
            clients: n,
        });
    }
    let mut wang = entry("BJ0101-0000001", "王芳", "platinum", 520_000);
    wang.moved = Some("up".into());
    wang.next_maturity = Some(day("2026-12-18"));
    wang.best_product = Some("WM-FIXED-180".into());
    let mut li = entry("BJ0101-0000002", "李娜", "platinum", 500_000);
    li.fall_percent = Some(50);
    li.best_product = Some("DEP-LARGE-3Y".into());
    let zhang = entry("BJ0101-0000003", "Zhang Wei", "mass", 12_345);
    Book {
        rm: Some("rm01".into()),
        as_of: Some(day("2026-11-30")),
        segments,
        segment: Segment::All,
        total: 3,
        clients: vec![wang, li, zhang],
        rms: vec!["rm01".into()],
        tiers: tiers
            .iter()
            .map(|(code, zh, en)| TierName {
                code: (*code).into(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
            })
            .collect(),
    }
}
