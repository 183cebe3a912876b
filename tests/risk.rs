//! The AML risk desk in the store: a new client due for rating in ten working days, who may
//! rate, raise, lower (with a second manager's approval) and close, the restriction an
//! expired document puts on a client's business refused in the store itself, each trigger
//! of an early review and a review closing them, the desk's lists per role, the retention
//! of a closed relationship, and the branch re-rated when HQ publishes a new factor table.

mod common;

use branchdesk::Error;
use branchdesk::domain::aml::{Cash, Outcome, Pep, Profile, RatingRefusal, Trigger};
use branchdesk::domain::client::{ClientField, ClientInput};
use branchdesk::domain::staff::{Permission, Role};
use branchdesk::store::{Approval, DeskList, RateRequest, ReviewRequest, Session};
use chrono::NaiveDate;
use common::*;

const PASS: &str = "a long test passphrase";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A resident ID with a valid check character for the given body (17 digits).
fn resident(body: &str) -> String {
    let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
    format!("{body}{check}")
}

struct Branch {
    store: TestStore,
}

/// 王芳 (rm01's, a teacher in Beijing), 李强 (rm02's) and 赵敏, whose ID expired on
/// 2026-08-01 (rm01's): registered on Monday 2026-11-30.
const WANG: &str = "BJ0101-0000001";
const LI: &str = "BJ0101-0000002";
const ZHAO: &str = "BJ0101-0000003";

impl Branch {
    fn new() -> Branch {
        let store = TestStore::with_staff(
            &[
                ("mgr01", Role::Manager),
                ("mgr02", Role::Manager),
                ("rm01", Role::Rm),
                ("rm02", Role::Rm),
                ("teller01", Role::Teller),
                ("audit01", Role::Auditor),
            ],
            PASS,
        );
        let mut mgr = store.login("mgr01", PASS).unwrap();
        for (name, id, rm, expiry) in [
            ("王芳", resident("11010519800601002"), "rm01", "long_term"),
            ("李强", resident("11010519850312001"), "rm02", "2035-01-01"),
            ("赵敏", resident("11010519900915002"), "rm01", "2026-08-01"),
        ] {
            mgr.create_client(&ClientInput {
                name: name.into(),
                id_number: id,
                id_expiry: expiry.into(),
                phone: "13812345678".into(),
                occupation: "教师".into(),
                address: "北京市朝阳区建国路 1 号".into(),
                assigned_rm: rm.into(),
                ..Default::default()
            })
            .unwrap();
        }
        drop(mgr);
        Branch { store }
    }

    fn as_(&self, id: &str) -> Session {
        self.store.login(id, PASS).unwrap()
    }

    fn approval(&self, id: &str, pass: &str) -> Option<Approval> {
        Some(Approval {
            staff_id: id.into(),
            passphrase: secret(pass),
        })
    }
}

fn refusal(result: branchdesk::Result<impl std::fmt::Debug>) -> RatingRefusal {
    match result {
        Err(Error::RatingRefused { refusal }) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_new_client_is_due_for_rating_in_ten_working_days() {
    let branch = Branch::new();
    let mut mgr = branch.as_("mgr01");
    let view = mgr.risk_show(WANG).unwrap();
    assert_eq!(view.level, None);
    assert_eq!(view.due_kind, "rate");
    // Registered Monday 2026-11-30: ten working days later is Monday 14 December.
    assert_eq!(view.due_on, day("2026-12-14"));
    assert_eq!(view.computed_level, "low");
    let page = mgr.risk_desk(DeskList::Unrated, 10).unwrap();
    assert_eq!(page.counts.unrated, 3);
    assert_eq!(page.rows[0].days, 14);
    // Rated at the computed level: due for review in 36 months (first review within 36).
    let rated = mgr.risk_rate(WANG, &RateRequest::default()).unwrap();
    assert_eq!(rated.level.as_deref(), Some("low"));
    assert_eq!(
        (rated.due_kind.as_str(), rated.due_on),
        ("review", day("2029-11-30"))
    );
    // Rated once: the level changes at a review, not by rating again.
    assert!(matches!(
        mgr.risk_rate(WANG, &RateRequest::default()),
        Err(Error::AlreadyRated { .. })
    ));
    assert_eq!(
        mgr.risk_desk(DeskList::Unrated, 10).unwrap().counts.unrated,
        2
    );
    drop(mgr);
    // Overdue once the day passes unrated.
    branch.store.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-15T09:00:00+08:00")
            .unwrap()
            .into(),
    );
    let mut mgr = branch.as_("mgr01");
    let overdue = mgr.risk_desk(DeskList::Overdue, 10).unwrap();
    let numbers: Vec<&str> = overdue.rows.iter().map(|r| r.client_no.as_str()).collect();
    assert_eq!(numbers, vec![LI, ZHAO]);
    assert_eq!(overdue.rows[0].days, -1);
}

#[test]
fn who_may_rate_raise_lower_and_see() {
    let branch = Branch::new();
    // Tellers see no rating; auditors read but do not rate.
    assert!(matches!(
        branch.as_("teller01").risk_show(WANG),
        Err(Error::PermissionDenied {
            permission: Permission::ViewRisk
        })
    ));
    let mut audit = branch.as_("audit01");
    assert!(audit.risk_show(WANG).is_ok());
    assert!(audit.risk_desk(DeskList::Overdue, 5).is_ok());
    assert!(matches!(
        audit.risk_rate(WANG, &RateRequest::default()),
        Err(Error::PermissionDenied {
            permission: Permission::RateRisk
        })
    ));
    drop(audit);
    // An RM rates their own clients only, and sees only theirs on the desk.
    let mut rm = branch.as_("rm01");
    assert!(matches!(
        rm.risk_rate(LI, &RateRequest::default()),
        Err(Error::PermissionDenied { .. })
    ));
    assert_eq!(
        rm.risk_desk(DeskList::Unrated, 10).unwrap().counts.unrated,
        2
    );
    // Above the computed level: a reason, and a manager.
    let raise = RateRequest {
        level: Some("medium".into()),
        note: String::new(),
        approval: None,
    };
    assert_eq!(
        refusal(rm.risk_rate(WANG, &raise)),
        RatingRefusal::ReasonRequired
    );
    let raise = RateRequest {
        note: "大额现金存取频繁".into(),
        ..raise
    };
    assert_eq!(
        refusal(rm.risk_rate(WANG, &raise)),
        RatingRefusal::RaiseNeedsManager
    );
    drop(rm);
    let mut mgr = branch.as_("mgr01");
    let raised = mgr.risk_rate(WANG, &raise).unwrap();
    assert_eq!(raised.level.as_deref(), Some("medium"));
    assert_eq!(raised.computed_level, "low");
    // Two years at medium; the first review within 36 months holds anyway.
    assert_eq!(raised.due_on, day("2028-11-30"));
    drop(mgr);
    // Keeping a level a manager raised is the RM's to record at a review.
    let mut rm = branch.as_("rm01");
    let kept = rm
        .risk_review(
            WANG,
            &ReviewRequest {
                outcome: Outcome::Kept,
                level: None,
                note: "现金交易仍频繁".into(),
                approval: None,
            },
        )
        .unwrap();
    assert_eq!(kept.level.as_deref(), Some("medium"));
    drop(rm);
    // Below the computed level: a second manager approves, with their passphrase.
    let mut mgr = branch.as_("mgr01");
    mgr.set_aml_profile(
        LI,
        &Profile {
            cash: Cash::High,
            remote: true,
            ..Profile::default()
        },
    )
    .unwrap();
    assert_eq!(mgr.risk_show(LI).unwrap().computed_level, "medium");
    let lower = |approval| RateRequest {
        level: Some("low".into()),
        note: "现金来自经营，已核实".into(),
        approval,
    };
    assert_eq!(
        refusal(mgr.risk_rate(LI, &lower(None))),
        RatingRefusal::LowerNeedsApproval
    );
    assert!(matches!(
        mgr.risk_rate(LI, &lower(branch.approval("mgr02", "wrong passphrase"))),
        Err(Error::ApproverRefused)
    ));
    // A failed approval counts towards the approver's lockout as a failed login does.
    assert!(matches!(
        mgr.risk_rate(LI, &lower(branch.approval("mgr02", PASS))),
        Err(Error::TooSoon { .. })
    ));
    branch.store.clock.advance(chrono::Duration::seconds(5));
    assert_eq!(
        refusal(mgr.risk_rate(LI, &lower(branch.approval("mgr01", PASS)))),
        RatingRefusal::ApproverNotSecondManager
    );
    assert_eq!(
        refusal(mgr.risk_rate(LI, &lower(branch.approval("rm01", PASS)))),
        RatingRefusal::ApproverNotSecondManager
    );
    let lowered = mgr
        .risk_rate(LI, &lower(branch.approval("mgr02", PASS)))
        .unwrap();
    assert_eq!(lowered.level.as_deref(), Some("low"));
    assert_eq!(lowered.history[0].approved_by.as_deref(), Some("mgr02"));
    assert_eq!(lowered.history[0].by_staff, "mgr01");
    // The factors are recorded with the rating.
    let codes: Vec<&str> = lowered.history[0]
        .factors
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(codes, vec!["cash_high", "remote"]);
    // An unknown level is named with the ones there are.
    let unknown = RateRequest {
        level: Some("severe".into()),
        note: "x".into(),
        approval: None,
    };
    assert!(
        matches!(mgr.risk_rate(ZHAO, &unknown), Err(Error::UnknownAmlLevel { levels, .. }) if levels.len() == 4)
    );
}

#[test]
fn lowering_from_high_is_a_managers_decision() {
    let branch = Branch::new();
    let mut mgr = branch.as_("mgr01");
    mgr.set_aml_profile(
        WANG,
        &Profile {
            pep: Pep::Pep,
            ..Profile::default()
        },
    )
    .unwrap();
    let rated = mgr.risk_rate(WANG, &RateRequest::default()).unwrap();
    assert_eq!(rated.level.as_deref(), Some("high"));
    assert_eq!(rated.due_on, day("2027-05-30"), "six months at high");
    // No longer a PEP: the computed level is low again.
    mgr.set_aml_profile(WANG, &Profile::default()).unwrap();
    drop(mgr);
    let lowered = ReviewRequest {
        outcome: Outcome::Lowered,
        level: Some("low".into()),
        note: "已卸任公职满一年".into(),
        approval: None,
    };
    assert_eq!(
        refusal(branch.as_("rm01").risk_review(WANG, &lowered)),
        RatingRefusal::LowerFromHighestNeedsManager
    );
    let view = branch.as_("mgr01").risk_review(WANG, &lowered).unwrap();
    assert_eq!(view.level.as_deref(), Some("low"));
    assert_eq!(view.history[0].outcome, Some(Outcome::Lowered));
    // A review of a client never rated is refused with its own sentence.
    assert!(matches!(
        branch.as_("mgr01").risk_review(ZHAO, &lowered),
        Err(Error::NotRated { .. })
    ));
}

#[test]
fn an_expired_document_restricts_business_in_the_store() {
    let branch = Branch::new();
    // 赵敏's ID expired on 2026-08-01; the 90 days of grace ended on 2026-10-30.
    let mut rm = branch.as_("rm01");
    let view = rm.risk_show(ZHAO).unwrap();
    assert_eq!(view.restricted_since, Some(day("2026-10-31")));
    assert!(rm.risk_show(WANG).unwrap().restricted_since.is_none());
    let refused = rm.edit_client_fields(ZHAO, &[(ClientField::Phone, "13900000000".into())]);
    let Err(error) = refused else {
        panic!("a restricted client's phone changed")
    };
    assert!(matches!(error, Error::ClientRestricted { .. }));
    let sentence = error.message(branchdesk::i18n::I18n::english());
    assert!(
        sentence.contains(ZHAO) && sentence.contains("2026-10-31"),
        "{sentence}"
    );
    assert!(
        error
            .message(branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::Zh))
            .contains("业务受限")
    );
    // Other business: an assessment, a life event.
    assert!(matches!(
        rm.add_assessment(ZHAO, 3, None, branchdesk::store::Filled::ReadOut, false),
        Err(Error::ClientRestricted { .. })
    ));
    // A note and a complaint go in.
    rm.add_interaction(ZHAO, "counter", "contact", "客户来电询问证件更新")
        .unwrap();
    drop(rm);
    let mut teller = branch.as_("teller01");
    let intake = branchdesk::domain::complaint::IntakeInput {
        client: ZHAO.into(),
        channel: "counter".into(),
        category: "service_attitude".into(),
        request: "道歉".into(),
        description: "等候时间过长".into(),
        received_on: "2026-11-30".into(),
        ..Default::default()
    };
    teller.register_complaint(&intake).unwrap();
    drop(teller);
    // A manager lifts it for today: business goes through, and it comes back tomorrow.
    assert!(matches!(
        branch.as_("rm01").lift_restriction(ZHAO, "客户急需"),
        Err(Error::PermissionDenied { .. })
    ));
    let mut mgr = branch.as_("mgr01");
    assert!(matches!(
        mgr.lift_restriction(ZHAO, " "),
        Err(Error::ReasonRequired)
    ));
    assert!(matches!(
        mgr.lift_restriction(WANG, "客户在场"),
        Err(Error::NotRestricted { .. })
    ));
    mgr.lift_restriction(ZHAO, "客户在场，当日补交新证件复印件")
        .unwrap();
    mgr.edit_client_fields(ZHAO, &[(ClientField::Phone, "13900000000".into())])
        .unwrap();
    drop(mgr);
    branch.store.clock.advance(chrono::Duration::days(1));
    let mut mgr = branch.as_("mgr01");
    assert!(matches!(
        mgr.edit_client_fields(ZHAO, &[(ClientField::Phone, "13900000001".into())]),
        Err(Error::ClientRestricted { .. })
    ));
    // Renewing the document is allowed, ends the restriction and asks for an early review.
    mgr.edit_client_fields(ZHAO, &[(ClientField::IdExpiry, "2046-08-01".into())])
        .unwrap();
    mgr.edit_client_fields(ZHAO, &[(ClientField::Phone, "13900000001".into())])
        .unwrap();
    let view = mgr.risk_show(ZHAO).unwrap();
    assert_eq!(view.restricted_since, None);
    let kinds: Vec<Trigger> = view.triggers.iter().map(|t| t.kind).collect();
    assert!(kinds.contains(&Trigger::IdRenewed), "{kinds:?}");
    assert!(kinds.contains(&Trigger::Complaint), "{kinds:?}");
}

#[test]
fn each_trigger_asks_for_an_early_review_and_a_review_closes_them() {
    let branch = Branch::new();
    let mut mgr = branch.as_("mgr01");
    mgr.risk_rate(WANG, &RateRequest::default()).unwrap();
    assert!(mgr.risk_show(WANG).unwrap().triggers.is_empty());
    mgr.edit_client_fields(WANG, &[(ClientField::Address, "上海市浦东新区".into())])
        .unwrap();
    mgr.edit_client_fields(WANG, &[(ClientField::Occupation, "珠宝店店主".into())])
        .unwrap();
    mgr.set_aml_profile(
        WANG,
        &Profile {
            pep: Pep::Associate,
            ..Profile::default()
        },
    )
    .unwrap();
    mgr.add_interaction(
        WANG,
        "counter",
        branchdesk::store::SUSPICIOUS_NOTE,
        "多次拆分存入现金",
    )
    .unwrap();
    // A phone change asks for nothing.
    mgr.edit_client_fields(WANG, &[(ClientField::Phone, "13700000000".into())])
        .unwrap();
    let view = mgr.risk_show(WANG).unwrap();
    let kinds: Vec<Trigger> = view.triggers.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Trigger::AddressChanged,
            Trigger::OccupationChanged,
            Trigger::PepSet,
            Trigger::SuspiciousNote
        ]
    );
    // Due within ten working days of the first, on the desk's trigger list.
    assert_eq!(
        (view.due_kind.as_str(), view.due_on),
        ("trigger", day("2026-12-14"))
    );
    let page = mgr.risk_desk(DeskList::Triggers, 10).unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].client_no, WANG);
    // The computed level rose with the new facts: the review raises it.
    assert_eq!(view.computed_level, "medium_high");
    let reviewed = mgr
        .risk_review(
            WANG,
            &ReviewRequest {
                outcome: Outcome::Raised,
                level: Some("medium_high".into()),
                note: "珠宝行业、政要亲属".into(),
                approval: None,
            },
        )
        .unwrap();
    assert!(reviewed.triggers.is_empty());
    assert_eq!(reviewed.due_kind, "review");
    assert_eq!(reviewed.due_on, day("2027-11-30"));
    assert_eq!(
        mgr.risk_desk(DeskList::Triggers, 10)
            .unwrap()
            .counts
            .triggers,
        0
    );
    // A client of another RM's is not on rm01's lists.
    mgr.edit_client_fields(LI, &[(ClientField::Address, "天津市".into())])
        .unwrap();
    mgr.risk_rate(LI, &RateRequest::default()).unwrap();
    mgr.edit_client_fields(LI, &[(ClientField::Address, "河北省".into())])
        .unwrap();
    drop(mgr);
    assert_eq!(
        branch
            .as_("rm01")
            .risk_desk(DeskList::Triggers, 10)
            .unwrap()
            .counts
            .triggers,
        0
    );
    assert_eq!(
        branch
            .as_("rm02")
            .risk_desk(DeskList::Triggers, 10)
            .unwrap()
            .counts
            .triggers,
        1
    );
}

#[test]
fn an_ended_relationship_is_kept_unchanged() {
    let branch = Branch::new();
    assert!(matches!(
        branch.as_("rm01").close_client(WANG, "客户销户"),
        Err(Error::PermissionDenied {
            permission: Permission::CloseClient
        })
    ));
    let mut mgr = branch.as_("mgr01");
    assert!(matches!(
        mgr.close_client(WANG, ""),
        Err(Error::ReasonRequired)
    ));
    assert_eq!(
        mgr.close_client(WANG, "客户销户").unwrap(),
        day("2026-11-30")
    );
    assert!(matches!(
        mgr.close_client(WANG, "again"),
        Err(Error::ClientClosed { .. })
    ));
    assert!(matches!(
        mgr.edit_client_fields(WANG, &[(ClientField::Phone, "13900000000".into())]),
        Err(Error::ClientClosed { .. })
    ));
    assert!(matches!(
        mgr.risk_rate(WANG, &RateRequest::default()),
        Err(Error::ClientClosed { .. })
    ));
    // The record stays readable; the desk no longer lists it.
    assert_eq!(
        mgr.risk_show(WANG).unwrap().closed_on,
        Some(day("2026-11-30"))
    );
    assert_eq!(
        mgr.risk_desk(DeskList::Unrated, 10).unwrap().counts.unrated,
        2
    );
    // The rows cannot be removed underneath: closures and ratings are insert-only.
    drop(mgr);
}

#[test]
fn the_branch_is_re_rated_in_one_go() {
    let branch = Branch::new();
    assert!(matches!(
        branch.as_("rm01").rerate_branch(&mut |_, _| {}),
        Err(Error::PermissionDenied { .. })
    ));
    let mut mgr = branch.as_("mgr01");
    mgr.set_aml_profile(
        LI,
        &Profile {
            nationality: "IRN".into(),
            ..Profile::default()
        },
    )
    .unwrap();
    let mut steps = Vec::new();
    let report = mgr
        .rerate_branch(&mut |done, total| steps.push((done, total)))
        .unwrap();
    assert_eq!((report.clients, report.rated, report.changed), (3, 3, 0));
    assert_eq!(steps.last(), Some(&(3, 3)));
    assert_eq!(mgr.risk_show(LI).unwrap().level.as_deref(), Some("high"));
    // Nothing changed: nothing written.
    let again = mgr.rerate_branch(&mut |_, _| {}).unwrap();
    assert_eq!(again.rated, 0);
    let high = mgr.risk_desk(DeskList::High, 10).unwrap();
    assert_eq!(high.rows.len(), 1);
    assert_eq!(high.rows[0].client_no, LI);
    assert_eq!(high.rows[0].due_on, day("2027-05-30"));
}

crate::hq_test! {
    fn ratings_reach_hq_whose_report_counts_them_per_branch(backend) {
        use branchdesk::domain::clock::FixedClock;
        use branchdesk::store::StorePaths;
        use chrono::{TimeZone, Utc};
        use common::hq::*;
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let hq = hq_with_clients(dir.path(), backend);
        drop(hq);
        let mut mgr = at_branch(dir.path(), "mgr01");
        // 王芳 rated by hand; 李娜 by the re-rating of the branch (one range op in the outbox).
        mgr.risk_rate("BJ0101-0000001", &RateRequest::default())
            .unwrap();
        let report = mgr.rerate_branch(&mut |_, _| {}).unwrap();
        assert_eq!((report.clients, report.rated), (2, 1));
        // A third client registered now, not rated.
        mgr.create_client(&ClientInput {
            name: "赵敏".into(),
            id_number: resident("11010519900915002"),
            ..Default::default()
        })
        .unwrap();
        let out = dir.path().join("out2");
        std::fs::create_dir_all(&out).unwrap();
        let bundle = mgr
            .export_bundle(&out, &mut |_, _| {})
            .unwrap()
            .file
            .unwrap();
        drop(mgr);
        let hq_at = |y, m, d| {
            Session::unlock(
                &StorePaths::new(dir.path().join("HQ")),
                ADMIN,
                &secret(ADMIN_PASS),
                Arc::new(FixedClock::new(
                    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap(),
                )),
                options(),
            )
            .unwrap()
        };
        let mut hq = hq_at(2026, 11, 30);
        hq.hq_import(&bundle).unwrap();
        let report = hq.hq_risk_report().unwrap();
        assert_eq!(report.len(), 1);
        let branch = &report[0];
        assert_eq!(branch.branch, "BJ0101");
        assert_eq!(branch.clients, 3);
        assert_eq!(branch.by_level.get("low"), Some(&2));
        assert_eq!((branch.unrated, branch.unrated_late), (1, 0));
        assert_eq!(branch.overdue_reviews, 0);
        drop(hq);
        // Three weeks on, the third is late; four years on, both reviews are overdue.
        let late = hq_at(2026, 12, 21).hq_risk_report().unwrap();
        assert_eq!(late[0].unrated_late, 1);
        let overdue = hq_at(2030, 1, 1).hq_risk_report().unwrap();
        assert_eq!(overdue[0].overdue_reviews, 2);
        // Branches see no HQ report.
        assert!(at_branch(dir.path(), "mgr01").hq_risk_report().is_err());
    }
}

#[test]
fn a_re_rating_closes_no_trigger() {
    let branch = Branch::new();
    let mut mgr = branch.as_("mgr01");
    mgr.risk_rate(WANG, &RateRequest::default()).unwrap();
    mgr.add_interaction(
        WANG,
        "counter",
        branchdesk::store::SUSPICIOUS_NOTE,
        "拆分存入现金",
    )
    .unwrap();
    // The facts change, so the re-rating writes a new rating for 王芳…
    mgr.set_aml_profile(
        WANG,
        &Profile {
            cash: Cash::Medium,
            ..Profile::default()
        },
    )
    .unwrap();
    let report = mgr.rerate_branch(&mut |_, _| {}).unwrap();
    assert!(report.rated >= 1);
    let view = mgr.risk_show(WANG).unwrap();
    assert_eq!(view.history[0].kind, "rerate");
    // …and the suspicious note still asks for the early review.
    assert_eq!(view.triggers.len(), 1, "{:?}", view.triggers);
    assert_eq!(view.due_kind, "trigger");
    let page = mgr.risk_desk(DeskList::Triggers, 10).unwrap();
    assert!(page.rows.iter().any(|r| r.client_no == WANG), "{page:?}");
}

crate::hq_test! {
    fn a_jump_in_assets_asks_for_an_early_review(backend) {
        use common::hq::*;
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let header = "客户号,产品代码,账号,余额,开户日期,到期日,月日均余额\n";
        let month = |wang: &str| {
            format!(
                "{header}BJ0101-0000001,DEP-DEMAND,A1,{wang},2020-01-01,,{wang}\n\
                 BJ0101-0000002,DEP-DEMAND,A2,100000,2020-01-01,,100000\n"
            )
        };
        deliver(&mut hq, dir.path(), &month("100000"), "2026-10-31");
        let mut mgr = at_branch(dir.path(), "mgr01");
        mgr.rerate_branch(&mut |_, _| {}).unwrap();
        drop(mgr);
        // 王芳's month goes from 100,000 to 700,000 (+600%, +600,000); 李娜's stays.
        deliver(&mut hq, dir.path(), &month("700000"), "2026-11-30");
        let mut mgr = at_branch(dir.path(), "mgr01");
        let wang = mgr.risk_show("BJ0101-0000001").unwrap();
        let kinds: Vec<Trigger> = wang.triggers.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, vec![Trigger::AumJump]);
        assert!(mgr.risk_show("BJ0101-0000002").unwrap().triggers.is_empty());
    }
}

#[test]
fn a_record_is_erased_only_ten_years_after_the_relationship_ended() {
    let branch = Branch::new();
    let mut mgr = branch.as_("mgr01");
    let kept = |result: branchdesk::Result<NaiveDate>| match result {
        Err(Error::RecordKept { kept, .. }) => kept,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        kept(mgr.purge_client(WANG, "保存期满")),
        branchdesk::domain::aml::Kept::RelationshipOpen
    );
    mgr.close_client(WANG, "客户销户").unwrap();
    let refused = mgr.purge_client(WANG, "保存期满");
    assert_eq!(
        kept(refused),
        branchdesk::domain::aml::Kept::Retention {
            until: day("2036-11-30")
        }
    );
    drop(mgr);
    assert!(matches!(
        branch.as_("rm01").purge_client(WANG, "保存期满"),
        Err(Error::PermissionDenied { .. })
    ));
    branch.store.clock.set(
        chrono::DateTime::parse_from_rfc3339("2036-11-30T09:00:00+08:00")
            .unwrap()
            .into(),
    );
    let mut mgr = branch.as_("mgr01");
    assert_eq!(
        mgr.purge_client(WANG, "保存期满").unwrap(),
        day("2036-11-30")
    );
    assert!(matches!(
        mgr.risk_show(WANG),
        Err(Error::ClientNotFound { .. })
    ));
    assert!(mgr.search_clients("王芳", 10).unwrap().is_empty());
    assert_eq!(mgr.search_clients("13812345678", 10).unwrap().len(), 2);
    let unrated = mgr.risk_desk(DeskList::Unrated, 10).unwrap();
    assert!(unrated.rows.iter().all(|r| r.client_no != WANG));
}

crate::hq_test! {
    /// The credit warnings on the desk and on the RM's agenda of 王芳's mortgage, as HQ's
    /// extracts of successive days carry it.
    fn a_loan_overdue_or_moved_down_is_a_warning_until_it_is_sound_or_gone(backend) {
        use branchdesk::domain::portfolio::credit::LoanClass;
        use common::hq::*;
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let header = "客户号,产品代码,账号,余额,开户日期,到期日,月日均余额,逾期天数,五级分类\n";
        let extract = |loan: Option<(u32, &str)>| {
            let mut csv = format!("{header}BJ0101-0000002,DEP-DEMAND,A2,100000,2020-01-01,,100000,,\n");
            if let Some((days, class)) = loan {
                csv.push_str(&format!(
                    "BJ0101-0000001,LOAN-MORTGAGE,L1,500000,2020-01-01,,500000,{days},{class}\n"
                ));
            }
            csv
        };
        let credit = |who: &str| {
            let mut session = at_branch(dir.path(), who);
            let page = session.risk_desk(DeskList::Credit, 10).unwrap();
            assert_eq!(page.counts.credit, page.rows.len() as u64);
            page.rows
        };
        let agenda = |who: &str| -> Vec<branchdesk::store::CareItem> {
            at_branch(dir.path(), who)
                .care_agenda(day("2026-11-01"), day("2026-12-31"), None)
                .unwrap()
                .items
                .into_iter()
                .filter(|i| i.reason.code() == "credit_warning")
                .collect()
        };
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((0, "正常"))),
            "2026-08-31",
        );
        assert!(credit("mgr01").is_empty());

        // Overdue begins: a warning with the days past due and the balance.
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((15, "正常"))),
            "2026-09-30",
        );
        let rows = credit("mgr01");
        assert_eq!(rows.len(), 1, "{rows:?}");
        let loan = rows[0].credit.clone().unwrap();
        assert_eq!(rows[0].client_no, "BJ0101-0000001");
        assert_eq!(
            (
                loan.days_past_due,
                loan.class,
                loan.moved_from,
                loan.overdue_began
            ),
            (15, LoanClass::Normal, None, true)
        );
        assert_eq!(loan.balance_fen, Some(50_000_000));
        assert_eq!(loan.account, "****L1");

        // Given to an RM, the warning follows onto their desk and agenda.
        let mut admin = at_branch(dir.path(), ADMIN);
        admin
            .add_staff("rm01", "客户经理", Role::Rm, &secret(ADMIN_PASS))
            .unwrap();
        drop(admin);
        at_branch(dir.path(), "mgr01")
            .edit_client_fields(WANG, &[(ClientField::AssignedRm, "rm01".into())])
            .unwrap();
        assert_eq!(credit("rm01").len(), 1);
        let first = agenda("rm01");
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].client_no.as_deref(), Some(WANG));
        assert!(
            matches!(
                first[0].reason,
                branchdesk::domain::care::Reason::CreditWarning {
                    days_past_due: 15,
                    balance: Some(50_000_000),
                    ..
                }
            ),
            "{:?}",
            first[0].reason
        );
        // A branch's agenda leaves the RMs' calls to them.
        assert!(agenda("mgr01").is_empty());

        // Down a category: a new warning, saying from where.
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((45, "关注"))),
            "2026-10-31",
        );
        let loan = credit("rm01")[0].credit.clone().unwrap();
        assert_eq!(
            (loan.class, loan.moved_from, loan.overdue_began),
            (LoanClass::SpecialMention, Some(LoanClass::Normal), false)
        );
        let moved = agenda("rm01");
        assert_eq!(moved.len(), 1);
        assert_ne!(moved[0].id, first[0].id);

        // Longer overdue in the same class: the same warning, its figures current.
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((75, "关注"))),
            "2026-11-15",
        );
        assert_eq!(credit("rm01")[0].credit.clone().unwrap().days_past_due, 75);
        assert_eq!(agenda("rm01")[0].id, moved[0].id);

        // Current and normal again: the warning is over.
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((0, "正常"))),
            "2026-11-20",
        );
        assert!(credit("rm01").is_empty());
        assert!(agenda("rm01").is_empty());

        // Bad again, then no longer held (written off, repaid): over too.
        deliver(
            &mut hq,
            dir.path(),
            &extract(Some((120, "次级"))),
            "2026-11-25",
        );
        assert_eq!(credit("mgr01").len(), 1);
        assert!(
            at_branch(dir.path(), "mgr01")
                .risk_show(WANG)
                .unwrap()
                .credit
                .iter()
                .any(|l| l.class == LoanClass::Substandard)
        );
        deliver(&mut hq, dir.path(), &extract(None), "2026-11-29");
        assert!(credit("mgr01").is_empty());
    }
}

/// Five years after the details were last confirmed, the KYC refresh is on the RM's
/// agenda; marking it done confirms them and moves the next one five years on.
#[test]
fn a_kyc_refresh_is_on_the_rms_agenda_and_done_confirms_the_details() {
    let branch = Branch::new();
    // 2026-11-30 + 5 years, a few days before.
    branch
        .store
        .clock
        .advance(chrono::Duration::days(5 * 365 - 5));
    let mut rm = branch.as_("rm01");
    let today = rm.today_local();
    let agenda = rm
        .care_agenda(
            today - chrono::Duration::days(30),
            today + chrono::Duration::days(30),
            None,
        )
        .unwrap();
    let kyc: Vec<_> = agenda
        .items
        .iter()
        .filter(|i| i.reason.code() == "kyc_refresh")
        .collect();
    // 王芳's and 赵敏's (rm01's), not 李强's (rm02's).
    let clients: Vec<&str> = kyc.iter().filter_map(|i| i.client_no.as_deref()).collect();
    assert_eq!(clients, vec![WANG, ZHAO], "{kyc:?}");
    assert_eq!(
        kyc[0].reason,
        branchdesk::domain::care::Reason::KycRefresh {
            due_on: day("2031-11-30")
        }
    );
    let before = rm.risk_show(WANG).unwrap().kyc_due_on;
    assert_eq!(before, day("2031-11-30"));
    rm.care_done(&kyc[0].id, "counter", "核实身份证件与手机号，无变化")
        .unwrap();
    assert_eq!(
        rm.risk_show(WANG).unwrap().kyc_due_on,
        today + chrono::Months::new(60),
        "five years from the day it was confirmed"
    );
    let after = rm
        .care_agenda(
            today - chrono::Duration::days(30),
            today + chrono::Duration::days(30),
            None,
        )
        .unwrap();
    assert!(
        !after
            .items
            .iter()
            .any(|i| i.reason.code() == "kyc_refresh" && i.client_no.as_deref() == Some(WANG))
    );
}
