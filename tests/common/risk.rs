//! Risk desk fixtures for the screen tests: the branch's overdue list, 王芳's rating page.

use branchdesk::domain::aml::{Computed, Contribution, Due, Group, Named, Profile, Trigger};
use branchdesk::service::{DeskCounts, DeskList, DeskPage, DeskRow, RiskView};
use branchdesk::store::{OpenTrigger, RatingRecord};
use chrono::NaiveDate;

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub fn named(code: &str, zh: &str, en: &str) -> Named {
    Named {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
    }
}

pub fn levels() -> Vec<Named> {
    vec![
        named("high", "高风险", "High"),
        named("medium_high", "中高风险", "Medium-high"),
        named("medium", "中风险", "Medium"),
        named("low", "低风险", "Low"),
    ]
}

pub fn row(no: u32, name: &str, level: &str, kind: &str, due: &str, days: i64) -> DeskRow {
    DeskRow {
        client_no: format!("BJ0101-{no:07}"),
        name: name.into(),
        rm: Some("rm01".into()),
        level: (!level.is_empty()).then(|| level.into()),
        due_kind: kind.into(),
        due_on: day(due),
        days,
        restricted_on: None,
        kyc_due_on: Some(day("2031-06-01")),
        credit: None,
    }
}

/// The branch's overdue list on 2026-11-30: a PEP's review a month late, an early review
/// after a complaint, a new client not rated in time, and a restricted client.
pub fn overdue_page() -> DeskPage {
    let mut restricted = row(4, "赵敏", "medium", "review", "2026-11-20", -10);
    restricted.restricted_on = Some(day("2026-10-31"));
    DeskPage {
        list: DeskList::Overdue,
        today: day("2026-11-30"),
        levels: levels(),
        counts: DeskCounts {
            overdue: 4,
            due: 12,
            unrated: 3,
            triggers: 2,
            restricted: 1,
            high: 5,
            kyc: 0,
            credit: 2,
        },
        rows: vec![
            row(1, "王芳", "high", "review", "2026-10-31", -30),
            row(2, "李强", "medium_high", "trigger", "2026-11-16", -14),
            row(3, "Olivia Dubois", "", "rate", "2026-11-27", -3),
            restricted,
        ],
    }
}

/// The branch's credit warnings on 2026-11-30: 王芳's mortgage newly overdue, 李强's
/// business loan moved down to substandard (his balance not shown to this viewer).
pub fn credit_page() -> DeskPage {
    use branchdesk::domain::portfolio::credit::LoanClass;
    use branchdesk::store::CreditShown;
    let loan = |account: &str, balance, days, class, moved_from| CreditShown {
        account: account.into(),
        product: "LOAN-MORTGAGE".into(),
        name_zh: "住房按揭贷款".into(),
        name_en: "Home mortgage".into(),
        balance_fen: balance,
        days_past_due: days,
        class,
        moved_from,
        overdue_began: moved_from.is_none(),
        as_of: day("2026-11-29"),
    };
    let mut wang = row(1, "王芳", "high", "credit", "2026-11-30", 0);
    wang.credit = Some(loan(
        "****0120",
        Some(120_000_000),
        15,
        LoanClass::Normal,
        None,
    ));
    let mut li = row(2, "李*", "medium", "credit", "2026-11-02", -28);
    li.rm = Some("rm02".into());
    li.credit = Some(loan(
        "****7731",
        None,
        95,
        LoanClass::Substandard,
        Some(LoanClass::SpecialMention),
    ));
    DeskPage {
        list: DeskList::Credit,
        rows: vec![wang, li],
        ..overdue_page()
    }
}

/// 王芳: a PEP rated high, her six-month review overdue, a complaint asking for an early
/// review.
pub fn wang_risk() -> RiskView {
    let contributions = vec![
        Contribution {
            code: "pep".into(),
            group: Group::Client,
            points: 40,
        },
        Contribution {
            code: "cash_medium".into(),
            group: Group::Relationship,
            points: 8,
        },
    ];
    RiskView {
        client_no: "BJ0101-0000001".into(),
        name: "王芳".into(),
        rm: Some("rm01".into()),
        level: Some("high".into()),
        computed: Computed {
            score: 48,
            rank: 0,
            contributions,
        },
        computed_level: "high".into(),
        factor_names: vec![
            named("pep", "政治公众人物", "Politically exposed person"),
            named("cash_medium", "现金交易较多", "Medium cash intensity"),
        ],
        levels: levels(),
        table_version: "2026-12".into(),
        due_kind: "review".into(),
        due_on: day("2026-10-31"),
        due: Due::Overdue,
        restricted_since: None,
        lifted_today: false,
        closed_on: None,
        kyc_due_on: day("2031-04-30"),
        profile: Profile::default(),
        triggers: vec![OpenTrigger {
            kind: Trigger::Complaint,
            raised_on: day("2026-11-20"),
            detail: "BJ0101-20261120-001".into(),
        }],
        credit: Vec::new(),
        history: vec![RatingRecord {
            kind: "rating".into(),
            outcome: None,
            computed: "high".into(),
            score: 48,
            factors: Vec::new(),
            level: "high".into(),
            note: String::new(),
            rated_on: day("2026-04-30"),
            next_review: day("2026-10-31"),
            by_staff: "mgr01".into(),
            approved_by: None,
            table_version: "2026-12".into(),
        }],
    }
}
