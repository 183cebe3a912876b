//! Surveys in the store: template versions, responses checked and insert-only, the
//! follow-up a detractor creates, statistics, and paper batches.

mod common;

use branchdesk::Error;
use branchdesk::domain::care::Reason;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::staff::Role;
use branchdesk::domain::survey::GroupBy;
use branchdesk::i18n::{I18n, Lang};
use branchdesk::store::{KeySlots, Session, SurveyInput, open_db};
use common::*;

const PASS: &str = "a long test passphrase";

struct Branch {
    store: TestStore,
}

impl Branch {
    /// A teller, an RM with one client (王芳), a manager, an auditor.
    fn new() -> Branch {
        let store = TestStore::with_staff(
            &[
                ("manager01", Role::Manager),
                ("teller01", Role::Teller),
                ("rm01", Role::Rm),
                ("auditor01", Role::Auditor),
            ],
            PASS,
        );
        let branch = Branch { store };
        let mut m = branch.as_("manager01");
        m.create_client(&ClientInput {
            name: "王芳".into(),
            id_number: "11010519491231002X".into(),
            assigned_rm: "rm01".into(),
            ..Default::default()
        })
        .unwrap();
        drop(m);
        branch
    }

    fn as_(&self, id: &str) -> Session {
        self.store.login(id, PASS).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        let slots = KeySlots::load(&self.store.paths.keyslots()).unwrap();
        let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
        let conn = open_db(&self.store.paths.db(), &key, false).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn counter(client: &str, nps: &str, speed: &str, why: &str) -> SurveyInput {
    let mut answers = std::collections::BTreeMap::new();
    answers.insert("nps".to_string(), nps.to_string());
    answers.insert("speed".to_string(), speed.to_string());
    if !why.is_empty() {
        answers.insert("why".to_string(), why.to_string());
    }
    SurveyInput {
        template: "counter_visit".into(),
        client: client.into(),
        channel: "counter".into(),
        answers,
        ..Default::default()
    }
}

#[test]
fn templates_load_once_and_a_changed_file_is_a_new_version() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let set = teller.survey_templates().unwrap();
    let codes: Vec<&str> = set.templates.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "annual_relationship",
            "complaint_follow_up",
            "counter_visit",
            "event_follow_up",
            "risk_assessment"
        ]
    );
    assert!(set.templates.iter().all(|t| t.version == 1));
    assert!(set.skipped.is_empty());
    let first = teller.record_survey(&counter("", "9", "5", "")).unwrap();
    // Loading again changes nothing.
    teller.survey_templates().unwrap();
    assert_eq!(branch.count("SELECT count(*) FROM survey_template"), 5);

    // A changed counter survey in the store's surveys/ folder, and a broken file.
    let dir = branch.store.paths.surveys();
    std::fs::create_dir_all(&dir).unwrap();
    let changed = branchdesk::assets::SURVEY_TEMPLATES[0]
        .1
        .replace("柜面服务满意度调查", "柜面服务满意度调查（2027 版）");
    std::fs::write(dir.join("counter_visit.toml"), changed).unwrap();
    std::fs::write(dir.join("broken.toml"), "code = \"x1\"\ntitle = {\n").unwrap();
    let set = teller.survey_templates().unwrap();
    let counter_visit = set
        .templates
        .iter()
        .find(|t| t.code == "counter_visit")
        .unwrap();
    assert_eq!(counter_visit.version, 2);
    assert_eq!(set.skipped.len(), 1);
    assert!(set.skipped[0].file.ends_with("broken.toml"));
    assert!(
        set.skipped[0].problem.starts_with("line 2"),
        "{:?}",
        set.skipped[0]
    );
    let second = teller.record_survey(&counter("", "10", "5", "")).unwrap();
    drop(teller);
    let version = |id: &str| {
        branch.count(&format!(
            "SELECT template_version FROM survey_response WHERE id = '{id}'"
        ))
    };
    assert_eq!((version(&first.id), version(&second.id)), (1, 2));
}

#[test]
fn bad_answers_are_refused_and_nothing_is_stored() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    teller.survey_templates().unwrap();
    let en = I18n::for_lang(Lang::En);
    match teller.record_survey(&counter("", "11", "", "")) {
        Err(e @ Error::SurveyInvalid { .. }) => assert_eq!(
            e.message(en),
            "Question nps: is out of range. Question speed: must be answered."
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        teller.record_survey(&counter("BJ0101-0000099", "8", "4", "")),
        Err(Error::ClientNotFound { .. })
    ));
    let mut unknown = counter("", "8", "4", "");
    unknown.template = "nope".into();
    assert!(matches!(
        teller.record_survey(&unknown),
        Err(Error::SurveyTemplateUnknown { .. })
    ));
    let mut future = counter("", "8", "4", "");
    future.answered_on = "2099-01-01".into();
    assert!(matches!(
        teller.record_survey(&future),
        Err(Error::SurveyInvalid { .. })
    ));
    let mut channel = counter("", "8", "4", "");
    channel.channel = "fax".into();
    assert!(matches!(
        teller.record_survey(&channel),
        Err(Error::SurveyInvalid { .. })
    ));
    drop(teller);
    assert_eq!(branch.count("SELECT count(*) FROM survey_response"), 0);
    let mut auditor = branch.as_("auditor01");
    auditor.survey_templates().unwrap();
    assert!(matches!(
        auditor.record_survey(&counter("", "8", "4", "")),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn a_detractor_gets_a_call_back_on_the_rms_agenda_and_a_correction_replaces_it() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    teller.survey_templates().unwrap();
    let happy = teller
        .record_survey(&counter("BJ0101-0000001", "9", "5", ""))
        .unwrap();
    assert_eq!(happy.follow_up, None);
    let anonymous = teller.record_survey(&counter("", "2", "1", "")).unwrap();
    assert_eq!(anonymous.follow_up, None, "no client, nobody to call");
    let unhappy = teller
        .record_survey(&counter(
            "BJ0101-0000001",
            "3",
            "4",
            "柜员态度很差，我要投诉",
        ))
        .unwrap();
    let reminder = unhappy.follow_up.clone().expect("a follow-up");
    assert!(unhappy.complaint_text.unwrap().contains("投诉"));
    drop(teller);

    let rm = branch.as_("rm01");
    let today = rm.today_local();
    let agenda = rm.care_agenda(today, today, None).unwrap();
    let item = agenda
        .items
        .iter()
        .find(|i| i.id == reminder)
        .expect("on the agenda");
    match &item.reason {
        Reason::SurveyFollowUp {
            nps, due, template, ..
        } => {
            assert_eq!(*nps, Some(3));
            assert_eq!(*due, today + chrono::Duration::days(2));
            assert_eq!(template, "counter_visit");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(item.name.as_deref(), Some("王芳"));
    drop(rm);

    // The response is corrected (the score was keyed wrongly): the follow-up goes.
    let mut teller = branch.as_("teller01");
    let mut corrected = counter("BJ0101-0000001", "8", "4", "");
    corrected.supersedes = unhappy.id.clone();
    teller.record_survey(&corrected).unwrap();
    drop(teller);
    let rm = branch.as_("rm01");
    assert!(
        rm.care_agenda(today, today, None)
            .unwrap()
            .items
            .iter()
            .all(|i| i.id != reminder)
    );
    drop(rm);
    let mut manager = branch.as_("manager01");
    let stats = manager
        .survey_stats("counter_visit", today, today, GroupBy::Staff)
        .unwrap();
    // Three responses count: the happy one, the anonymous one, the correction.
    assert_eq!(stats.stats.responses, 3);
    assert_eq!(stats.stats.nps.unwrap().nps, 0.0); // 9, 2, 8: one promoter, one detractor
    assert_eq!(stats.stats.groups[0].key, "teller01");
    assert!(stats.stats.small_sample);
    drop(manager);
    assert_eq!(branch.count("SELECT count(*) FROM survey_response"), 4);
}

#[test]
fn responses_are_insert_only() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    teller.survey_templates().unwrap();
    teller.record_survey(&counter("", "9", "5", "")).unwrap();
    drop(teller);
    let slots = KeySlots::load(&branch.store.paths.keyslots()).unwrap();
    let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
    let conn = open_db(&branch.store.paths.db(), &key, false).unwrap();
    assert!(
        conn.execute("UPDATE survey_response SET channel = 'phone'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM survey_response", []).is_err());
    let outbox: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE tbl = 'survey_response'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(outbox, 1);
}

#[test]
fn a_paper_batch_takes_the_good_lines_and_names_the_bad_ones() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    teller.survey_templates().unwrap();
    let file = branch.store.dir.path().join("paper.csv");
    std::fs::write(
        &file,
        "客户号,日期,nps,speed,why,remark\n\
         BJ0101-0000001,2026-11-20,10,5,,ok\n\
         ,2026-11-21,4,2,太慢了,\n\
         BJ0101-0000099,2026-11-22,9,5,,\n\
         ,2026-11-23,12,5,,\n",
    )
    .unwrap();
    let en = I18n::for_lang(Lang::En);
    let describe = |e: &Error| e.message(en);
    let dry = teller
        .import_surveys(&file, "counter_visit", true, &describe)
        .unwrap();
    assert_eq!((dry.rows, dry.added), (4, 2));
    assert_eq!(dry.ignored_columns, ["remark"]);
    let lines: Vec<u64> = dry.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 5]);
    assert!(dry.rejected[0].problem.contains("no client BJ0101-0000099"));
    assert_eq!(dry.rejected[1].problem, "Question nps: is out of range.");
    drop(teller);
    assert_eq!(branch.count("SELECT count(*) FROM survey_response"), 0);
    let mut teller = branch.as_("teller01");
    let done = teller
        .import_surveys(&file, "counter_visit", false, &describe)
        .unwrap();
    assert_eq!(done.added, 2);
    drop(teller);
    assert_eq!(
        branch.count("SELECT count(*) FROM survey_response WHERE channel = 'paper'"),
        2
    );
}

/// The responses one by one: newest first, a correction in place of what it corrected, the
/// client masked unless the reader sees them in full, every read in the audit trail.
#[test]
fn responses_are_read_one_by_one_masked_as_the_reader_sees_the_client() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    teller.survey_templates().unwrap();
    let first = teller
        .record_survey(&counter(
            "BJ0101-0000001",
            "3",
            "2",
            "等了四十分钟，只开一个窗口",
        ))
        .unwrap();
    let mut correction = counter("BJ0101-0000001", "4", "2", "等了四十分钟，只开一个窗口。");
    correction.supersedes = first.id.clone();
    let corrected = teller.record_survey(&correction).unwrap();
    teller.record_survey(&counter("", "10", "5", "")).unwrap();
    assert!(matches!(
        teller.survey_responses("counter_visit", date("2026-01-01"), date("2026-12-31"), 50),
        Err(Error::PermissionDenied { .. })
    ));
    drop(teller);

    let today = date("2026-11-30");
    let read = |who: &str| {
        let mut session = branch.as_(who);
        session
            .survey_responses(
                "counter_visit",
                today - chrono::Duration::days(364),
                today,
                50,
            )
            .unwrap()
    };
    let rm = read("rm01");
    assert_eq!(
        rm.len(),
        2,
        "the corrected response shows once, as corrected"
    );
    let with_client = rm.iter().find(|r| r.client_no.is_some()).unwrap();
    assert_eq!(with_client.id, corrected.id);
    assert_eq!(with_client.supersedes.as_deref(), Some(first.id.as_str()));
    assert_eq!(
        with_client.client_name.as_deref(),
        Some("王芳"),
        "rm01's own client"
    );
    assert!(with_client.has_comment());
    let anonymous = rm.iter().find(|r| r.client_no.is_none()).unwrap();
    assert!(!anonymous.has_comment());

    let auditor = read("auditor01");
    let seen = auditor.iter().find(|r| r.client_no.is_some()).unwrap();
    assert_eq!(seen.client_name.as_deref(), Some("王*"));
    let mut auditor = branch.as_("auditor01");
    let trail = auditor.list_audit(None, 5).unwrap();
    assert!(
        trail
            .iter()
            .any(|r| r.action == "survey.read" && r.actor == "auditor01"),
        "{trail:?}"
    );
    assert!(
        auditor
            .survey_responses(
                "counter_visit",
                today,
                today - chrono::Duration::days(1),
                50
            )
            .unwrap()
            .is_empty(),
        "an empty period reads nothing"
    );
}
