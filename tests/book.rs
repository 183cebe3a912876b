//! A relationship manager's book end to end: HQ imports four monthly extracts and
//! publishes, the branch applies each; tiers move as the rules say, and the book's
//! segments, the portfolio and the care agenda show the same figures; an offer's outcome
//! reaches the contact log, rests a declined product, and HQ counts it per rule.

mod common;

use common::backend::Backend;

use branchdesk::Error;
use branchdesk::domain::care::Reason;
use branchdesk::domain::client::ClientField;
use branchdesk::domain::staff::Role;
use branchdesk::store::{OfferOutcome, Segment, Session, SurveyInput};
use chrono::NaiveDate;
use common::hq::*;
use common::*;
use std::path::Path;

const WANG: &str = "BJ0101-0000001";
const LI: &str = "BJ0101-0000002";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The branch with an RM (rm01) holding both clients, a teller and an auditor; 李娜 consented to
/// marketing. Then four month-end extracts: 王芳 climbs from 40,000 to 600,000 (a time
/// deposit of 500,000 maturing on 12-18), 李娜 falls from 1,000,000 to 500,000.
fn branch_after_four_months(dir: &Path, backend: &Backend) {
    let mut hq = hq_with_clients(dir, backend);
    let mut admin = Session::unlock(
        &branchdesk::store::StorePaths::new(dir.join("BJ0101")),
        ADMIN,
        &secret(ADMIN_PASS),
        clock(),
        options(),
    )
    .unwrap();
    admin
        .add_staff("rm01", "客户经理", Role::Rm, &secret(ADMIN_PASS))
        .unwrap();
    admin
        .add_staff("teller01", "柜员", Role::Teller, &secret(ADMIN_PASS))
        .unwrap();
    admin
        .add_staff("audit01", "审计", Role::Auditor, &secret(ADMIN_PASS))
        .unwrap();
    drop(admin);
    let mut manager = at_branch(dir, "mgr01");
    for client in [WANG, LI] {
        manager
            .edit_client_fields(client, &[(ClientField::AssignedRm, "rm01".into())])
            .unwrap();
    }
    drop(manager);
    consents(dir, LI);
    let header = "客户号,产品代码,账号,余额,开户日期,到期日,月日均余额\n";
    for (wang, li, on) in [
        ("40000", "1000000", "2026-08-31"),
        ("40000", "1000000", "2026-09-30"),
        ("60000", "900000", "2026-10-31"),
    ] {
        let csv = format!(
            "{header}{WANG},DEP-DEMAND,A1,{wang},2020-01-01,,{wang}\n\
             {LI},DEP-DEMAND,A2,{li},2020-01-01,,{li}\n"
        );
        deliver(&mut hq, dir, &csv, on);
    }
    let november = format!(
        "{header}{WANG},DEP-DEMAND,A1,100000,2020-01-01,,100000\n\
         {WANG},DEP-TIME-1Y,T1,500000,2025-12-18,2026-12-18,500000\n\
         {LI},DEP-DEMAND,A2,500000,2020-01-01,,500000\n"
    );
    deliver(&mut hq, dir, &november, "2026-11-30");
}

crate::hq_test! {
    fn the_book_the_portfolio_and_the_agenda_show_the_same_figures(backend) {
        let dir = tempfile::tempdir().unwrap();
        branch_after_four_months(dir.path(), backend);
        let mut rm = at_branch(dir.path(), "rm01");

        // 王芳: 大众 from August, 金卡 from November (October reached 50,000), 白金 from
        // December (November reached 500,000): moved up by this snapshot.
        let up = rm.book(None, &Segment::Upgraded, 50).unwrap();
        assert_eq!(up.rm.as_deref(), Some("rm01"));
        assert_eq!(up.as_of, Some(day("2026-11-30")));
        let wang = &up.clients[..];
        assert_eq!(wang.len(), 1);
        assert_eq!(
            (
                wang[0].client_no.as_str(),
                wang[0].tier.as_str(),
                wang[0].aum
            ),
            (WANG, "platinum", 60_000_000)
        );
        assert_eq!(wang[0].next_maturity, Some(day("2026-12-18")));
        let portfolio = rm.client_portfolio(WANG).unwrap();
        let tier = portfolio.tier.unwrap();
        assert_eq!(tier.code, "platinum");
        let moves: Vec<(String, String)> = tier
            .changes
            .iter()
            .map(|c| (c.effective.to_string(), c.to.clone()))
            .collect();
        assert_eq!(
            moves,
            [
                ("2026-11".to_string(), "gold".to_string()),
                ("2026-12".to_string(), "platinum".to_string())
            ]
        );
        assert_eq!(portfolio.value.unwrap().value.score, wang[0].value);

        // 李娜 fell by half over three months: the falling segment, and still 白金.
        let falling = rm.book(None, &Segment::Falling, 50).unwrap();
        let li = &falling.clients;
        assert_eq!(li.len(), 1);
        assert_eq!(
            (
                li[0].client_no.as_str(),
                li[0].fall_percent,
                li[0].tier.as_str()
            ),
            (LI, Some(50), "platinum")
        );
        let sizes: Vec<(String, u64)> = falling
            .segments
            .iter()
            .map(|s| (s.segment.code().to_string(), s.clients))
            .collect();
        for expected in [
            ("all", 2),
            ("upgraded", 1),
            ("downgraded", 0),
            ("falling", 1),
            ("maturing", 1),
            ("expiring", 0),
            ("platinum", 2),
            ("gold", 0),
        ] {
            assert!(
                sizes.contains(&(expected.0.to_string(), expected.1)),
                "{expected:?} in {sizes:?}"
            );
        }
        assert!(matches!(
            rm.book(None, &Segment::parse("vip"), 50),
            Err(Error::UnknownSegment { .. })
        ));
        // An RM reads only their own book; a teller none.
        assert!(matches!(
            rm.book(Some("mgr01"), &Segment::All, 50),
            Err(Error::PermissionDenied { .. })
        ));
        let agenda = rm
            .care_agenda(day("2026-11-01"), day("2026-12-31"), None)
            .unwrap();
        drop(rm);
        assert!(matches!(
            at_branch(dir.path(), "teller01").book(None, &Segment::All, 50),
            Err(Error::PermissionDenied { .. })
        ));
        // The manager reads the branch's, or the RM's.
        let branch = at_branch(dir.path(), "mgr01")
            .book(None, &Segment::All, 50)
            .unwrap();
        assert_eq!((branch.rm, branch.total), (None, 2));

        // The calls the snapshot put on the RM's agenda: the welcome on the first day of the
        // new tier, the retention call on the snapshot day, the reinvestment call a month
        // before the maturity — with the amounts for the RM, without them for an auditor
        // reading the RM's agenda.
        let calls: Vec<(&str, NaiveDate, Option<&str>)> = agenda
            .items
            .iter()
            .filter(|i| {
                matches!(
                    i.reason,
                    Reason::TierWelcome { .. } | Reason::Retention { .. } | Reason::Maturity { .. }
                )
            })
            .map(|i| (i.reason.code(), i.on, i.client_no.as_deref()))
            .collect();
        assert_eq!(
            calls,
            [
                ("maturity", day("2026-11-18"), Some(WANG)),
                ("retention", day("2026-11-30"), Some(LI)),
                ("tier_welcome", day("2026-12-01"), Some(WANG)),
            ]
        );
        let balance_seen = |agenda: &branchdesk::store::Agenda| {
            agenda.items.iter().find_map(|i| match &i.reason {
                Reason::Maturity { balance, .. } => Some(*balance),
                _ => None,
            })
        };
        assert_eq!(balance_seen(&agenda), Some(Some(50_000_000)));
        let auditor = at_branch(dir.path(), "audit01");
        let rms = auditor
            .care_agenda_of("rm01", day("2026-11-01"), day("2026-12-31"))
            .unwrap();
        assert_eq!(balance_seen(&rms), Some(None));
        // The branch's agenda leaves the calls to the RMs' (and the book).
        let branch = auditor
            .care_agenda(day("2026-11-01"), day("2026-12-31"), None)
            .unwrap();
        assert_eq!(balance_seen(&branch), None);
        drop(auditor);

        // 李娜 withdraws her consent to marketing: the book's best offers follow the record at
        // once (without waiting for the next snapshot).
        let offers_in_book = |dir: &Path| {
            at_branch(dir, "rm01")
                .book(None, &Segment::Offers, 50)
                .unwrap()
                .clients
                .into_iter()
                .map(|c| c.client_no)
                .collect::<Vec<_>>()
        };
        assert_eq!(offers_in_book(dir.path()), [LI]);
        at_branch(dir.path(), "mgr01")
            .edit_client_fields(LI, &[(ClientField::ConsentMarketing, "no".into())])
            .unwrap();
        assert!(offers_in_book(dir.path()).is_empty());

        // 王芳 is given to another RM: she leaves rm01's book and joins rm02's at once.
        Session::unlock(
            &branchdesk::store::StorePaths::new(dir.path().join("BJ0101")),
            ADMIN,
            &secret(ADMIN_PASS),
            clock(),
            options(),
        )
        .unwrap()
        .add_staff("rm02", "客户经理乙", Role::Rm, &secret(ADMIN_PASS))
        .unwrap();
        let mut manager = at_branch(dir.path(), "mgr01");
        manager
            .edit_client_fields(WANG, &[(ClientField::AssignedRm, "rm02".into())])
            .unwrap();
        let books = |manager: &mut Session, rm: &str| {
            let book = manager.book(Some(rm), &Segment::All, 50).unwrap();
            let clients: Vec<String> = book.clients.into_iter().map(|c| c.client_no).collect();
            (book.total, clients)
        };
        assert_eq!(books(&mut manager, "rm01"), (1, vec![LI.to_string()]));
        assert_eq!(books(&mut manager, "rm02"), (1, vec![WANG.to_string()]));
    }
}

crate::hq_test! {
    fn an_offers_outcome_is_logged_rests_and_reaches_hq(backend) {
        let dir = tempfile::tempdir().unwrap();
        branch_after_four_months(dir.path(), backend);
        let mut rm = at_branch(dir.path(), "rm01");
        // 李娜 (36, consented, assets falling, no card): the large certificate of deposit
        // first, then the card; the fund needs an assessment she has not had.
        let offers: Vec<String> = rm
            .client_offers(LI)
            .unwrap()
            .into_iter()
            .map(|o| o.product)
            .collect();
        assert_eq!(offers, ["DEP-LARGE-3Y", "CARD-CREDIT-STD"]);
        let best = rm.book(None, &Segment::Offers, 50).unwrap();
        assert_eq!(best.clients.len(), 1, "王芳 gave no consent");
        assert_eq!(
            best.clients[0].best_product.as_deref(),
            Some("DEP-LARGE-3Y")
        );

        assert!(matches!(
            rm.record_offer(LI, "FUND-BALANCED", OfferOutcome::Accepted, "counter"),
            Err(Error::OfferNotMade { .. })
        ));
        let declined = rm
            .record_offer(LI, "dep-large-3y", OfferOutcome::Declined, "phone")
            .unwrap();
        assert_eq!(declined.rests_until, Some(day("2027-02-28")));
        let offers: Vec<String> = rm
            .client_offers(LI)
            .unwrap()
            .into_iter()
            .map(|o| o.product)
            .collect();
        assert_eq!(offers, ["CARD-CREDIT-STD"], "a declined product rests");
        let best = rm.book(None, &Segment::Offers, 50).unwrap();
        assert_eq!(
            best.clients[0].best_product.as_deref(),
            Some("CARD-CREDIT-STD")
        );
        rm.record_offer(LI, "CARD-CREDIT-STD", OfferOutcome::Accepted, "counter")
            .unwrap();
        // A C3 assessment (taken last December, valid to 2026-12-09) lets the fund be
        // offered, and puts her on the list of assessments expiring within 30 days.
        rm.add_assessment(
            LI,
            3,
            Some(day("2025-12-10")),
            branchdesk::store::Filled::ClientPad,
            false,
        )
        .unwrap();
        let expiring = rm.book(None, &Segment::Expiring, 50).unwrap();
        assert_eq!(expiring.clients.len(), 1);
        assert_eq!(expiring.clients[0].assessed_until, Some(day("2026-12-09")));
        assert_eq!(
            expiring.clients[0].best_product.as_deref(),
            Some("FUND-BALANCED")
        );
        let log = rm.read_contact_log(LI, 10).unwrap();
        assert!(
            log.iter()
                .any(|e| e.kind == "offer" && e.note.contains("DEP-LARGE-3Y") && e.channel == "phone"),
            "{log:?}"
        );

        // HQ counts conversion per rule from what the branch sends.
        let out = dir.path().join("out2");
        std::fs::create_dir_all(&out).unwrap();
        drop(rm);
        let bundle = at_branch(dir.path(), "mgr01")
            .export_bundle(&out, &mut |_, _| {})
            .unwrap()
            .file
            .unwrap();
        let mut hq = common::hq::at_hq(dir.path());
        hq.hq_import(&bundle).unwrap();
        let conversion: Vec<(String, u64, u64, Option<f64>)> = hq
            .hq_offer_conversion()
            .unwrap()
            .into_iter()
            .map(|r| (r.rule, r.accepted, r.declined, r.conversion_percent))
            .collect();
        assert_eq!(
            conversion,
            [
                ("keep_falling_aum".to_string(), 0, 1, Some(0.0)),
                ("young_card".to_string(), 1, 0, Some(100.0)),
            ]
        );
    }
}

/// The risk questionnaire as the client answered it: every choice question's option
/// `option`, and whether they confirmed the result.
fn questionnaire(client: &str, channel: &str, option: &str, confirmed: &str) -> SurveyInput {
    let mut answers = std::collections::BTreeMap::new();
    for id in [
        "age",
        "income",
        "share",
        "experience",
        "horizon",
        "goal",
        "loss",
    ] {
        answers.insert(id.to_string(), option.to_string());
    }
    answers.insert("confirmed".to_string(), confirmed.to_string());
    SurveyInput {
        template: "risk_assessment".into(),
        client: client.into(),
        channel: channel.into(),
        answers,
        ..Default::default()
    }
}

crate::hq_test! {
    fn the_risk_questionnaire_records_the_level_its_bands_give(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let mut manager = at_branch(dir.path(), "mgr01");
        manager.survey_templates().unwrap();
        // Before it, 王芳 answered a counter survey: recommend 9.
        let mut answers = std::collections::BTreeMap::new();
        answers.insert("nps".to_string(), "9".to_string());
        answers.insert("speed".to_string(), "5".to_string());
        manager
            .record_survey(&SurveyInput {
                template: "counter_visit".into(),
                client: WANG.into(),
                channel: "counter".into(),
                answers,
                ..Default::default()
            })
            .unwrap();
        // Not for an anonymous client, and not over SMS.
        assert!(matches!(
            manager.record_survey(&questionnaire("", "counter", "2", "y")),
            Err(Error::RiskNeedsClient)
        ));
        assert!(matches!(
            manager.record_survey(&questionnaire(WANG, "sms", "2", "y")),
            Err(Error::RiskChannel { .. })
        ));
        // Option 2 throughout scores 30: C3, filled by the client on the counter pad.
        let recorded = manager
            .record_survey(&questionnaire(WANG, "counter", "2", "n"))
            .unwrap();
        let assessed = recorded.assessment.clone().unwrap();
        assert_eq!(
            (assessed.level, assessed.filled, assessed.valid_until),
            (3, branchdesk::store::Filled::ClientPad, day("2027-11-29"))
        );
        assert_eq!(
            manager
                .client_portfolio(WANG)
                .unwrap()
                .assessment
                .unwrap()
                .level,
            3
        );
        // A different result the client did not confirm is refused, response and all.
        assert!(matches!(
            manager.record_survey(&questionnaire(WANG, "phone", "4", "n")),
            Err(Error::AssessmentUnconfirmed {
                previous: 3,
                level: 5
            })
        ));
        let confirmed = manager
            .record_survey(&questionnaire(WANG, "phone", "4", "y"))
            .unwrap()
            .assessment
            .unwrap();
        assert_eq!(
            (confirmed.level, confirmed.filled),
            (5, branchdesk::store::Filled::ReadOut)
        );
        // At most two a day.
        assert!(matches!(
            manager.record_survey(&questionnaire(WANG, "counter", "4", "y")),
            Err(Error::AssessmentLimit { .. })
        ));
        // And never in a batch, nor corrected.
        assert!(matches!(
            manager.record_surveys(&[questionnaire(LI, "counter", "2", "y")]),
            Err(Error::RiskOneAtATime)
        ));
        let mut correction = questionnaire(WANG, "counter", "2", "y");
        correction.supersedes = recorded.id.clone();
        assert!(matches!(
            manager.record_survey(&correction),
            Err(Error::SurveyInvalid { .. })
        ));
        drop(manager);
        // The questionnaires ask no satisfaction: the value keeps the counter survey's 9.
        deliver(
            &mut hq,
            dir.path(),
            "客户号,产品代码,账号,余额,开户日期\nBJ0101-0000001,DEP-DEMAND,A1,80000,2020-01-01\n",
            "2026-11-30",
        );
        let value = at_branch(dir.path(), "mgr01")
            .client_portfolio(WANG)
            .unwrap()
            .value
            .unwrap();
        let satisfaction = value.value.parts.iter().find(|p| p.code == "satisfaction");
        assert_eq!(satisfaction.map(|p| p.points), Some(90));
    }
}
