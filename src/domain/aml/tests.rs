//! The rating's table tests: each shipped factor on its own, the level bands and the
//! factors that set a floor, the table's checks, the schedule across the Spring Festival,
//! the restriction after the grace period, each trigger, the retention refusal, and who
//! may set which level.

use super::*;
use crate::domain::calendar::WorkCalendar;
use crate::domain::client::{ClientInput, validate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    d("2026-12-01")
}

fn table() -> &'static FactorTable {
    FactorTable::shipped()
}

/// A Chinese resident of 46, employed, living in Beijing, holding a deposit: no factor.
fn plain() -> ClientRecord {
    let mut record = validate(
        &ClientInput {
            name: "王芳".into(),
            id_number: "11010519491231002X".into(),
            phone: "13812345678".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    record.birth_date = Some(d("1980-06-01"));
    record.occupation = Some("教师".into());
    record.address = Some("北京市朝阳区建国路 1 号".into());
    record
}

fn company() -> ClientRecord {
    validate(
        &ClientInput {
            kind: "company".into(),
            name: "北京示例科技有限公司".into(),
            id_number: "91110000600037341L".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap()
}

struct Case {
    record: ClientRecord,
    profile: Profile,
    categories: BTreeSet<String>,
    product_risk: u8,
}

impl Case {
    fn plain() -> Case {
        Case {
            record: plain(),
            profile: Profile::default(),
            categories: ["deposit".to_string()].into(),
            product_risk: 1,
        }
    }

    fn rate(&self) -> Computed {
        table().rate(&Inputs {
            record: &self.record,
            profile: &self.profile,
            categories: &self.categories,
            product_risk: self.product_risk,
            today: today(),
        })
    }

    fn codes(&self) -> Vec<String> {
        self.rate()
            .contributions
            .into_iter()
            .map(|c| c.code)
            .collect()
    }
}

#[test]
fn the_shipped_table_reads() {
    let table = FactorTable::parse(crate::assets::AML_FACTORS).unwrap();
    assert_eq!(table.levels.len(), 4);
    assert_eq!(table.levels[0].code, "high");
    assert_eq!(table.schedule.rate_within_working_days, 10);
}

#[test]
fn a_plain_client_is_low_with_no_factor() {
    let computed = Case::plain().rate();
    assert_eq!(computed.score, 0);
    assert_eq!(computed.rank, 3, "low");
    assert!(computed.contributions.is_empty());
}

#[test]
fn each_factor_counts_on_its_own() {
    type Change = Box<dyn Fn(&mut Case)>;
    let cases: Vec<(&str, Change)> = vec![
        ("pep", Box::new(|c| c.profile.pep = Pep::Pep)),
        (
            "pep_associate",
            Box::new(|c| c.profile.pep = Pep::Associate),
        ),
        (
            "young",
            Box::new(|c| c.record.birth_date = Some(d("2005-01-01"))),
        ),
        (
            "elderly",
            Box::new(|c| c.record.birth_date = Some(d("1950-01-01"))),
        ),
        (
            "foreign",
            Box::new(|c| c.profile.nationality = "USA".into()),
        ),
        (
            "occupation_cash",
            Box::new(|c| c.record.occupation = Some("个体工商户".into())),
        ),
        (
            "border_region",
            Box::new(|c| c.record.address = Some("云南省德宏州瑞丽市".into())),
        ),
        (
            "offshore_address",
            Box::new(|c| c.record.address = Some("香港九龙弥敦道 100 号".into())),
        ),
        ("cash_high", Box::new(|c| c.profile.cash = Cash::High)),
        ("cash_medium", Box::new(|c| c.profile.cash = Cash::Medium)),
        ("remote", Box::new(|c| c.profile.remote = true)),
        ("high_risk_products", Box::new(|c| c.product_risk = 4)),
        (
            "fund_holder",
            Box::new(|c| {
                c.categories.insert("fund".into());
            }),
        ),
        (
            "industry_precious",
            Box::new(|c| c.record.occupation = Some("珠宝店店员".into())),
        ),
        (
            "industry_gaming",
            Box::new(|c| c.record.occupation = Some("Casino dealer".into())),
        ),
        (
            "industry_money",
            Box::new(|c| c.record.occupation = Some("典当行职员".into())),
        ),
        (
            "industry_property",
            Box::new(|c| c.record.occupation = Some("房产中介经纪人".into())),
        ),
    ];
    for (code, change) in &cases {
        let mut case = Case::plain();
        change(&mut case);
        assert_eq!(case.codes(), vec![code.to_string()], "{code}");
        let points = table().factor(code).unwrap().points;
        assert_eq!(case.rate().score, points, "{code}");
    }
    // The company factors, and the nationality ones a document implies.
    let mut case = Case::plain();
    case.record = company();
    assert_eq!(case.codes(), vec!["company"]);
    case.record.occupation = Some("进出口贸易".into());
    assert_eq!(case.codes(), vec!["company", "company_trading"]);

    let mut case = Case::plain();
    case.record.id_type = IdType::Passport;
    assert_eq!(case.codes(), vec!["nationality_unknown"]);
    case.profile.nationality = "irn".into();
    assert_eq!(case.codes(), vec!["foreign", "high_risk_jurisdiction"]);
    case.record.id_type = IdType::HkMacauPermit;
    case.profile.nationality.clear();
    assert!(
        case.codes().is_empty(),
        "HK residents are Chinese nationals"
    );
    // Every shipped factor is exercised above.
    let covered: BTreeSet<&str> = cases
        .iter()
        .map(|(c, _)| *c)
        .chain(["company", "company_trading", "nationality_unknown"])
        .chain(["high_risk_jurisdiction"])
        .collect();
    for factor in &table().factors {
        assert!(covered.contains(factor.code.as_str()), "{}", factor.code);
    }
}

#[test]
fn scores_fall_in_bands_and_floors_hold() {
    let band = |score: u32| table().levels.iter().position(|l| score >= l.from).unwrap();
    assert_eq!(band(0), 3);
    assert_eq!(band(19), 3);
    assert_eq!(band(20), 2);
    assert_eq!(band(39), 2);
    assert_eq!(band(40), 1);
    assert_eq!(band(59), 1);
    assert_eq!(band(60), 0);
    // Cash-intensive occupation (15) + high cash (20) + remote (10) = 45: medium-high.
    let mut case = Case::plain();
    case.record.occupation = Some("出租车司机".into());
    case.profile.cash = Cash::High;
    case.profile.remote = true;
    let computed = case.rate();
    assert_eq!((computed.score, computed.rank), (45, 1));
    // A PEP scores 40 — medium-high by the score — but is high whatever the score.
    let mut case = Case::plain();
    case.profile.pep = Pep::Pep;
    assert_eq!((case.rate().score, case.rate().rank), (40, 0));
    // A PEP's associate (30: medium) is at least medium-high.
    case.profile.pep = Pep::Associate;
    assert_eq!(case.rate().rank, 1);
}

#[test]
fn the_table_refuses_what_the_rules_forbid() {
    let shipped = crate::assets::AML_FACTORS;
    let refused = |from: &str, to: &str| {
        assert!(shipped.contains(from), "{from}");
        FactorTable::parse(&shipped.replacen(from, to, 1)).unwrap_err()
    };
    assert!(refused("review_months = 6", "review_months = 7").contains("highest"));
    assert!(refused("review_months = 12", "review_months = 13").contains("twice"));
    assert!(refused("review_months = 36", "review_months = 49").contains("twice"));
    assert!(refused("retention_years = 10", "retention_years = 5").contains("retention"));
    assert!(refused("from = 0", "from = 5").contains("last level"));
    assert!(refused("from = 40", "from = 70").contains("below"));
    assert!(refused("at_least = \"high\"", "at_least = \"severe\"").contains("severe"));
    assert!(refused("\"PRK\"", "\"KP\"").contains("KP"));
    assert!(refused("when = { remote = true }", "when = { }").contains("condition"));
    assert!(refused("code = \"remote\"", "code = \"cash_high\"").contains("twice"));
    // Six- and twelve-month intervals doubled are allowed.
    FactorTable::parse(&shipped.replacen("review_months = 36", "review_months = 48", 1)).unwrap();
}

#[test]
fn intervals_by_level_and_the_first_review() {
    let on = d("2026-03-31");
    assert_eq!(table().next_review(0, on, false), d("2026-09-30"));
    assert_eq!(table().next_review(1, on, false), d("2027-03-31"));
    assert_eq!(table().next_review(2, on, false), d("2028-03-31"));
    assert_eq!(table().next_review(3, on, false), d("2029-03-31"));
    // The first review is within 36 months even where a level waits longer.
    let longer = FactorTable::parse(
        &crate::assets::AML_FACTORS
            .replacen("review_months = 36", "review_months = 48", 1)
            .replacen(
                "first_review_within_months = 36",
                "first_review_within_months = 24",
                1,
            ),
    )
    .unwrap();
    assert_eq!(longer.next_review(3, on, true), d("2028-03-31"));
    assert_eq!(longer.next_review(3, on, false), d("2030-03-31"));
}

#[test]
fn ten_working_days_across_the_spring_festival() {
    let calendar = WorkCalendar::parse(crate::assets::HOLIDAYS).unwrap();
    // Registered Thursday 2026-02-12. Working days after it: Fri 13, Sat 14 (worked in
    // exchange), then the holiday 15–23, then 24, 25, 26, 27, Sat 28 (worked), Mon 2 March,
    // Tue 3, Wed 4 → the tenth is 4 March (a count that took the holiday as working days
    // would end on 26 February).
    assert_eq!(table().rate_by(&calendar, d("2026-02-12")), d("2026-03-04"));
    // An ordinary fortnight: registered Monday 2026-11-02, ten working days → 16 November.
    assert_eq!(table().rate_by(&calendar, d("2026-11-02")), d("2026-11-16"));
    // An early review asked for on the same Thursday falls due the same way.
    assert_eq!(
        table().early_review_by(&calendar, d("2026-02-12")),
        d("2026-03-04")
    );
    // Registered on a Saturday: the weekend does not count.
    assert_eq!(table().rate_by(&calendar, d("2026-11-07")), d("2026-11-20"));
}

#[test]
fn an_expired_document_restricts_after_the_grace_period() {
    let expiry = IdExpiry::On(d("2026-09-01"));
    assert_eq!(table().restricted_from(expiry), Some(d("2026-12-01")));
    assert!(
        !table().restricted(expiry, d("2026-11-30")),
        "day 90 of grace"
    );
    assert!(table().restricted(expiry, d("2026-12-01")));
    assert!(!table().restricted(IdExpiry::LongTerm, d("2099-01-01")));
    assert!(!table().restricted(IdExpiry::Unknown, d("2099-01-01")));
}

#[test]
fn each_record_trigger() {
    let before = plain();
    let mut after = before.clone();
    assert!(record_triggers(&before, &after).is_empty());
    after.id_expiry = IdExpiry::On(d("2036-01-01"));
    let mut older = before.clone();
    older.id_expiry = IdExpiry::On(d("2026-01-01"));
    assert_eq!(record_triggers(&older, &after), vec![Trigger::IdRenewed]);
    assert!(
        record_triggers(&after, &older).is_empty(),
        "an earlier date is a correction"
    );
    let mut moved = before.clone();
    moved.address = Some("上海市浦东新区".into());
    assert_eq!(
        record_triggers(&before, &moved),
        vec![Trigger::AddressChanged]
    );
    let mut job = before.clone();
    job.occupation = Some("珠宝商".into());
    assert_eq!(
        record_triggers(&before, &job),
        vec![Trigger::OccupationChanged]
    );
    let mut phone = before.clone();
    phone.phone = Some("13900000000".into());
    assert!(record_triggers(&before, &phone).is_empty());
    // The AUM jump: +200% and at least 500,000 CNY.
    let s = &table().schedule;
    assert!(aum_jumped(s, 250_000, 750_000));
    assert!(!aum_jumped(s, 250_000, 749_999), "below +200%");
    assert!(!aum_jumped(s, 10_000, 400_000), "below the amount");
    assert!(aum_jumped(s, 0, 500_000));
    assert!(!aum_jumped(s, 900_000, 100_000));
    for trigger in Trigger::ALL {
        assert_eq!(Trigger::parse(trigger.code()), Some(trigger));
    }
}

#[test]
fn a_record_is_kept_while_open_and_ten_years_after() {
    assert_eq!(
        table().may_delete(None, today()),
        Err(Kept::RelationshipOpen)
    );
    let ended = d("2016-12-02");
    assert_eq!(
        table().may_delete(Some(ended), today()),
        Err(Kept::Retention {
            until: d("2026-12-02")
        })
    );
    assert_eq!(table().may_delete(Some(ended), d("2026-12-02")), Ok(()));
}

#[test]
fn due_days_against_today() {
    assert_eq!(table().standing_of(d("2026-11-30"), today()), Due::Overdue);
    assert_eq!(table().standing_of(today(), today()), Due::Soon);
    assert_eq!(table().standing_of(d("2026-12-31"), today()), Due::Soon);
    assert_eq!(table().standing_of(d("2027-01-01"), today()), Due::Later);
}

fn decision(
    actor: Role,
    computed: usize,
    previous: Option<usize>,
    chosen: usize,
) -> Decision<'static> {
    Decision {
        actor,
        approver: None,
        actor_id: "mgr01",
        reason: "",
        computed,
        previous,
        chosen,
        outcome: None,
    }
}

#[test]
fn who_may_set_which_level() {
    use RatingRefusal::*;
    // The computed level needs nothing more.
    assert_eq!(decision(Role::Rm, 2, None, 2).check(), Ok(()));
    // Higher: a manager, with a reason.
    assert_eq!(decision(Role::Rm, 2, None, 1).check(), Err(ReasonRequired));
    let raise = Decision {
        reason: "现金交易异常",
        ..decision(Role::Rm, 2, None, 1)
    };
    assert_eq!(raise.check(), Err(RaiseNeedsManager));
    assert_eq!(
        Decision {
            actor: Role::Manager,
            ..raise
        }
        .check(),
        Ok(())
    );
    // Lower than computed: a second manager's approval, not the same one.
    let lower = Decision {
        reason: "经核实职业信息有误",
        ..decision(Role::Manager, 1, None, 2)
    };
    assert_eq!(lower.check(), Err(LowerNeedsApproval));
    assert_eq!(
        Decision {
            approver: Some(("mgr01", Role::Manager)),
            ..lower
        }
        .check(),
        Err(ApproverNotSecondManager)
    );
    assert_eq!(
        Decision {
            approver: Some(("rm01", Role::Rm)),
            ..lower
        }
        .check(),
        Err(ApproverNotSecondManager)
    );
    assert_eq!(
        Decision {
            approver: Some(("mgr02", Role::Manager)),
            ..lower
        }
        .check(),
        Ok(())
    );
    // An RM does not set it, even with a manager's approval.
    assert_eq!(
        Decision {
            actor: Role::Rm,
            actor_id: "rm01",
            approver: Some(("mgr02", Role::Manager)),
            ..lower
        }
        .check(),
        Err(LowerNeedsManager)
    );
}

#[test]
fn a_review_states_its_outcome_with_evidence() {
    use RatingRefusal::*;
    let review = |actor, computed, previous, chosen, outcome, reason| Decision {
        outcome: Some(outcome),
        reason,
        ..decision(actor, computed, Some(previous), chosen)
    };
    assert_eq!(
        review(Role::Rm, 2, 2, 2, Outcome::Kept, "").check(),
        Err(ReasonRequired)
    );
    assert_eq!(
        review(Role::Rm, 2, 2, 2, Outcome::Kept, "资料无变化").check(),
        Ok(())
    );
    assert_eq!(
        review(Role::Rm, 2, 2, 1, Outcome::Kept, "x").check(),
        Err(OutcomeMismatch)
    );
    assert_eq!(
        review(Role::Rm, 2, 2, 3, Outcome::Raised, "x").check(),
        Err(OutcomeMismatch)
    );
    // Keeping a level a manager raised earlier is not a new raise.
    assert_eq!(
        review(Role::Rm, 2, 1, 1, Outcome::Kept, "仍有大额现金").check(),
        Ok(())
    );
    // Lowering from high is a manager's (the computed level being lower still).
    assert_eq!(
        review(Role::Rm, 1, 0, 1, Outcome::Lowered, "已不再担任公职").check(),
        Err(LowerFromHighestNeedsManager)
    );
    assert_eq!(
        review(Role::Manager, 1, 0, 1, Outcome::Lowered, "已不再担任公职").check(),
        Ok(())
    );
    // Lowered below the computed level still needs the second manager.
    assert_eq!(
        review(Role::Manager, 1, 1, 2, Outcome::Lowered, "x").check(),
        Err(LowerNeedsApproval)
    );
}
