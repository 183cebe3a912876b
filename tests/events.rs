//! Branch events in the store: an event checked and numbered, its audience (only clients
//! who agreed to marketing and fit the segment), invitations once each, replies within
//! the places, attendance from the day on with its points credited once, the follow-up
//! survey and the NPS of those who came, who may do what.

mod common;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::events::{EventInput, EventRefusal, Reply};
use branchdesk::domain::staff::{Permission, Role};
use branchdesk::store::{Session, SurveyInput};
use common::*;

const PASS: &str = "a long test passphrase";

/// The event reasons on rm01's agenda for today, by client.
fn agenda(rm: &Session) -> Vec<(String, &'static str)> {
    let today = rm.today_local();
    rm.care_agenda(today, today, None)
        .unwrap()
        .items
        .into_iter()
        .filter(|i| i.reason.code().starts_with("event"))
        .map(|i| (i.client_no.unwrap_or_default(), i.reason.code()))
        .collect()
}

/// A branch with four clients of rm01's: 王芳 (1970, agreed to marketing), 李娜 (1985, agreed),
/// 张伟 (1990, did not agree) and 赵磊 (1955, agreed).
fn branch() -> TestStore {
    let store = TestStore::with_staff(
        &[
            ("mgr01", Role::Manager),
            ("rm01", Role::Rm),
            ("teller01", Role::Teller),
            ("audit01", Role::Auditor),
        ],
        PASS,
    );
    let mut mgr = store.login("mgr01", PASS).unwrap();
    for (n, (name, born, consent)) in [
        ("王芳", "19700315", "yes"),
        ("李娜", "19850620", "yes"),
        ("张伟", "19900101", "no"),
        ("赵磊", "19550909", "yes"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = format!("110105{born}{:03}", n + 1);
        let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
        mgr.create_client(&ClientInput {
            name: name.into(),
            id_number: format!("{body}{check}"),
            id_expiry: "long_term".into(),
            phone: format!("1381234560{n}"),
            birth_date: format!("{}-{}-{}", &born[..4], &born[4..6], &born[6..]),
            consent_marketing: consent.into(),
            assigned_rm: "rm01".into(),
            ..Default::default()
        })
        .unwrap();
    }
    store
}

fn as_(store: &TestStore, id: &str) -> Session {
    store.login(id, PASS).unwrap()
}

/// A seminar on 2026-12-19 for clients aged 30 to 65, one place only, attendance
/// crediting `event_attended`, followed up by the event survey.
fn seminar() -> EventInput {
    EventInput {
        title: "2027 年资产配置讲座".into(),
        kind: "seminar".into(),
        on: "2026-12-19".into(),
        place: "西单支行三楼".into(),
        capacity: "1".into(),
        ages: "30-65".into(),
        points_rule: "event_attended".into(),
        survey: "event_follow_up".into(),
        ..EventInput::default()
    }
}

/// `client`'s follow-up survey of an event, answered by phone: NPS and content scores.
fn answer_follow_up(session: &mut Session, client: &str, nps: u8, content: u8) {
    let mut answers = std::collections::BTreeMap::new();
    answers.insert("nps".to_string(), nps.to_string());
    answers.insert("content".to_string(), content.to_string());
    session
        .record_survey(&SurveyInput {
            template: "event_follow_up".into(),
            client: client.into(),
            channel: "phone".into(),
            answers,
            ..Default::default()
        })
        .unwrap();
}

fn refusal<T: std::fmt::Debug>(result: branchdesk::Result<T>) -> EventRefusal {
    match result {
        Err(Error::EventRefused { refusal }) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn an_event_runs_from_invitation_to_the_nps_of_those_who_came() {
    let store = branch();
    let mut rm = as_(&store, "rm01");
    let event = rm.event_new(&seminar()).unwrap();
    assert_eq!(event.code, "BJ0101-E0001");
    // 王芳 (56) and 李娜 (41) fit; 张伟 did not agree to marketing; 赵磊 is 71.
    let invited = rm.event_invite(&event.code).unwrap();
    assert_eq!((invited.invited, invited.already), (2, 0));
    assert_eq!(
        refusal(rm.event_invite(&event.code)),
        EventRefusal::NoOneToInvite
    );
    // Both invitations are on their RM's agenda until answered.
    assert_eq!(
        agenda(&rm),
        vec![
            ("BJ0101-0000001".to_string(), "event_invitation"),
            ("BJ0101-0000002".to_string(), "event_invitation")
        ]
    );
    drop(rm);

    // The manager records the replies: 王芳 says yes and takes the one place; 李娜's yes is refused, her no
    // goes in. Each reply is in the client's contact log.
    let mut mgr = as_(&store, "mgr01");
    let wang = mgr
        .event_reply(&event.code, "BJ0101-0000001", Reply::Yes, "phone")
        .unwrap();
    assert_eq!(wang.reply, Reply::Yes);
    assert_eq!(
        refusal(mgr.event_reply(&event.code, "BJ0101-0000002", Reply::Yes, "phone")),
        EventRefusal::Full { capacity: 1 }
    );
    mgr.event_reply(&event.code, "BJ0101-0000002", Reply::No, "wechat")
        .unwrap();
    assert_eq!(
        refusal(mgr.event_reply(&event.code, "BJ0101-0000003", Reply::Yes, "phone")),
        EventRefusal::NotInvited
    );
    let log = mgr.interactions("BJ0101-0000001", 10).unwrap();
    assert!(
        log.iter()
            .any(|i| i.kind == "event" && i.note.contains("BJ0101-E0001")),
        "{log:?}"
    );
    drop(mgr);
    assert!(agenda(&as_(&store, "rm01")).is_empty(), "both answered");
    let mut mgr = as_(&store, "mgr01");
    // Not before the day.
    assert_eq!(
        refusal(mgr.event_attend(&event.code, "BJ0101-0000001")),
        EventRefusal::NotYet {
            on: date("2026-12-19")
        }
    );
    drop(mgr);

    // On the day, 王芳 comes: her attendance credits the rule's points, once.
    store.clock.advance(chrono::Duration::days(19));
    let mut mgr = as_(&store, "mgr01");
    let came = mgr.event_attend(&event.code, "BJ0101-0000001").unwrap();
    assert!(came.invitation.attended);
    assert_eq!(came.points.as_ref().map(|p| p.points), Some(100));
    let again = mgr.event_attend(&event.code, "BJ0101-0000001").unwrap();
    assert_eq!(again.points, None, "never twice");
    assert_eq!(mgr.points_show("BJ0101-0000001").unwrap().balance, 100);
    drop(mgr);

    // The follow-up survey goes to those who came; 王芳 answers 10.
    let mut rm = as_(&store, "rm01");
    assert_eq!(rm.event_survey(&event.code).unwrap(), 1);
    assert_eq!(rm.event_survey(&event.code).unwrap(), 0, "sent once");
    store.clock.advance(chrono::Duration::days(1));
    drop(rm);
    let mut rm = as_(&store, "rm01");
    assert_eq!(
        agenda(&rm),
        vec![("BJ0101-0000001".to_string(), "event_survey")]
    );
    answer_follow_up(&mut rm, "BJ0101-0000001", 10, 5);
    let detail = rm.event_show(&event.code).unwrap();
    let figures = &detail.event.figures;
    assert_eq!(
        (
            figures.invited,
            figures.accepted,
            figures.declined,
            figures.no_answer,
            figures.attended,
            figures.surveyed
        ),
        (2, 1, 1, 0, 1, 1)
    );
    assert_eq!(figures.nps, Some(100.0));
    assert_eq!(detail.invitations.len(), 2);
    assert!(detail.invitations.iter().any(|i| i.survey_sent));
    assert!(agenda(&rm).is_empty(), "the survey is answered");
    // After the event, replies are closed.
    drop(rm);
    let mut mgr = as_(&store, "mgr01");
    assert_eq!(
        refusal(mgr.event_reply(&event.code, "BJ0101-0000002", Reply::Yes, "phone")),
        EventRefusal::Over {
            on: date("2026-12-19")
        }
    );
    assert_eq!(mgr.event_list(Some(date("2026-12-01"))).unwrap().len(), 1);
    assert!(mgr.event_list(Some(date("2026-12-21"))).unwrap().is_empty());
}

#[test]
fn a_bad_event_is_refused_naming_every_problem_in_one_sentence() {
    let store = branch();
    let mut rm = as_(&store, "rm01");
    let bad = EventInput {
        title: String::new(),
        on: "2026-11-01".into(),
        capacity: "0".into(),
        points_rule: "deposit_bonus".into(),
        ..seminar()
    };
    let error = rm.event_new(&bad).unwrap_err();
    let said = error.message(branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En));
    assert_eq!(
        said,
        "The event cannot be saved: the title is missing, the day 2026-11-01 has passed, \
         the number of places “0” must be a whole number from 1 to 5000, there is no earn \
         rule “deposit_bonus”."
    );
    assert_eq!(said.lines().count(), 1);
}

#[test]
fn who_may_run_answer_and_see_events() {
    let store = branch();
    let denied = |result: branchdesk::Result<()>, permission| match result {
        Err(Error::PermissionDenied { permission: p }) => assert_eq!(p, permission),
        other => panic!("{other:?}"),
    };
    let mut teller = as_(&store, "teller01");
    denied(teller.event_list(None).map(drop), Permission::ViewEvents);
    denied(
        teller.event_new(&seminar()).map(drop),
        Permission::RunEvents,
    );
    drop(teller);
    let mut rm = as_(&store, "rm01");
    let event = rm.event_new(&seminar()).unwrap();
    drop(rm);
    let mut auditor = as_(&store, "audit01");
    assert_eq!(auditor.event_show(&event.code).unwrap().event.id, event.id);
    denied(
        auditor
            .event_reply(&event.code, "BJ0101-0000001", Reply::Yes, "phone")
            .map(drop),
        Permission::AnswerEvents,
    );
    denied(
        auditor.event_invite(&event.code).map(drop),
        Permission::RunEvents,
    );
}

crate::hq_test! {
    /// An event at BJ0101 reaches HQ with the branch's next bundle: HQ's figures are the
    /// branch's (invited, accepted, came, the NPS of those who came).
    fn hq_sees_each_branch_event_with_the_branchs_figures(backend) {
        use common::hq::*;
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        drop(hq_with_clients(dir, backend));
        consents(dir, "BJ0101-0000001");
        consents(dir, "BJ0101-0000002");
        let mut mgr = at_branch(dir, "mgr01");
        let today = mgr.today_local().to_string();
        let event = mgr
            .event_new(&EventInput {
                on: today,
                ages: String::new(),
                capacity: "20".into(),
                ..seminar()
            })
            .unwrap();
        assert_eq!(mgr.event_invite(&event.code).unwrap().invited, 2);
        mgr.event_reply(&event.code, "BJ0101-0000001", Reply::Yes, "phone")
            .unwrap();
        mgr.event_reply(&event.code, "BJ0101-0000002", Reply::No, "phone")
            .unwrap();
        mgr.event_attend(&event.code, "BJ0101-0000001").unwrap();
        mgr.event_survey(&event.code).unwrap();
        answer_follow_up(&mut mgr, "BJ0101-0000001", 6, 3);
        let here = mgr.event_show(&event.code).unwrap().event.figures;
        let out = dir.join("out-events");
        std::fs::create_dir_all(&out).unwrap();
        let bundle = mgr
            .export_bundle(&out, &mut |_, _| {})
            .unwrap()
            .file
            .unwrap();
        drop(mgr);
        let mut hq = at_hq(dir);
        hq.hq_import(&bundle).unwrap();
        let _ = hq.hq_import(&bundle);
        let report = hq.hq_events_report().unwrap();
        assert_eq!(report.len(), 1, "{report:?}");
        let at_hq = &report[0];
        assert_eq!(
            (at_hq.branch.as_str(), at_hq.code.as_str()),
            ("BJ0101", "BJ0101-E0001")
        );
        assert_eq!(
            (
                at_hq.invited,
                at_hq.accepted,
                at_hq.declined,
                at_hq.attended
            ),
            (here.invited, here.accepted, here.declined, here.attended)
        );
        assert_eq!((at_hq.surveyed, at_hq.nps), (1, Some(-100.0)));
        assert_eq!(here.nps, Some(-100.0));
    }
}
