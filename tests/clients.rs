//! Clients in the store: registration rules, lookup by every query class, masking per role,
//! reveal, edits and bulk loads.

mod common;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::contact::NoteRule;
use branchdesk::domain::lookup::{MatchedOn, Rank};
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::store::{SearchHit, Session};
use common::*;

const PASS: &str = "a long test passphrase";

fn person(name: &str, id: &str, phone: &str) -> ClientInput {
    ClientInput {
        name: name.into(),
        id_number: id.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

/// A resident ID with a valid check character for the given body (17 digits).
fn resident(body: &str) -> String {
    let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
    format!("{body}{check}")
}

struct Branch {
    store: TestStore,
}

impl Branch {
    fn new() -> Branch {
        let store = TestStore::with_staff(
            &[
                ("manager01", Role::Manager),
                ("teller01", Role::Teller),
                ("rm01", Role::Rm),
                ("rm02", Role::Rm),
                ("auditor01", Role::Auditor),
            ],
            PASS,
        );
        Branch { store }
    }

    fn as_(&self, id: &str) -> Session {
        self.store.login(id, PASS).unwrap()
    }

    /// A manager registers a small book of clients.
    fn with_clients() -> Branch {
        let branch = Branch::new();
        let mut m = branch.as_("manager01");
        let clients = [
            person("王芳", "11010519491231002X", "13812345678"),
            person("王芳", &resident("11010219850312002"), "13912340000"),
            person("王芳芳", &resident("31010119900101002"), "13700005678"),
            person("李王芳", &resident("44010619751111004"), "13600001111"),
            person("单田芳", &resident("11010519340601001"), "13511112222"),
            person("曾国藩", &resident("43010219111121001"), "13522223333"),
            person("欧阳娜娜", &resident("11010820000617002"), "18800001234"),
            ClientInput {
                name: "John Smith".into(),
                id_type: "passport".into(),
                id_number: "E12345678".into(),
                phone: "13655556666".into(),
                ..Default::default()
            },
            ClientInput {
                kind: "company".into(),
                name: "北京西单商贸有限公司".into(),
                id_number: "91110000600037341L".into(),
                phone: "13099998888".into(),
                ..Default::default()
            },
        ];
        for mut client in clients {
            if client.name == "王芳芳" {
                client.assigned_rm = "rm01".into();
            }
            m.create_client(&client).unwrap();
        }
        drop(m);
        branch
    }
}

fn names(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.name.as_str()).collect()
}

#[test]
fn registration_checks_every_field_and_refuses_duplicates() {
    let branch = Branch::with_clients();
    let mut teller = branch.as_("teller01");
    let err = teller
        .create_client(&person("", "11010519491231002Y", "1381234567"))
        .unwrap_err();
    let Error::ClientInvalid { errors } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors.len(), 3, "{errors:?}");
    let sentence = err.message(branchdesk::i18n::I18n::english());
    assert!(
        sentence.contains("Name:") && sentence.contains("Mobile"),
        "{sentence}"
    );

    let err = teller
        .create_client(&person("王小芳", "11010519491231002X", "13800000000"))
        .unwrap_err();
    assert!(
        matches!(err, Error::DuplicateClient { ref client_no } if client_no == "BJ0101-0000001")
    );

    let mut bad_rm = person("赵六", &resident("11010119800101003"), "13800000001");
    bad_rm.assigned_rm = "teller01".into();
    assert!(matches!(
        teller.create_client(&bad_rm),
        Err(Error::NotAnRm { .. })
    ));
}

#[test]
fn chinese_names_of_one_two_and_three_characters() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    // Exact matches first, then names starting with the query, then names containing it.
    let hits = m.search_clients("王芳", 20).unwrap();
    assert_eq!(names(&hits), ["王芳", "王芳", "王芳芳", "李王芳"]);
    assert_eq!(
        hits.iter().map(|h| h.rank).collect::<Vec<_>>(),
        [Rank::Exact, Rank::Exact, Rank::Prefix, Rank::Substring]
    );
    // Two 王芳 are told apart by birth year and masked phone.
    assert_eq!(hits[0].birth_year, Some(1949));
    assert_eq!(hits[1].birth_year, Some(1985));

    let hits = m.search_clients("王", 20).unwrap();
    assert_eq!(names(&hits)[..3], ["王芳", "王芳", "王芳芳"]);
    assert!(names(&hits).contains(&"李王芳"));
    assert_eq!(names(&m.search_clients("娜", 20).unwrap()), ["欧阳娜娜"]);
    assert_eq!(
        names(&m.search_clients("阳娜娜", 20).unwrap()),
        ["欧阳娜娜"]
    );
    assert_eq!(
        names(&m.search_clients("西单商贸", 20).unwrap()),
        ["北京西单商贸有限公司"]
    );
    assert!(m.search_clients("张三", 20).unwrap().is_empty());
}

#[test]
fn pinyin_spelling_initials_and_surname_readings() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    for query in ["wf", "wangfang", "wang f", "WangF"] {
        let hits = m.search_clients(query, 20).unwrap();
        assert!(names(&hits).contains(&"王芳"), "{query}: {hits:?}");
        assert!(hits.iter().all(|h| h.matched_on == MatchedOn::Pinyin));
    }
    assert_eq!(
        names(&m.search_clients("shantianfang", 5).unwrap()),
        ["单田芳"]
    );
    assert_eq!(names(&m.search_clients("stf", 5).unwrap()), ["单田芳"]);
    assert_eq!(
        names(&m.search_clients("zengguofan", 5).unwrap()),
        ["曾国藩"]
    );
    assert_eq!(names(&m.search_clients("ouyang", 5).unwrap()), ["欧阳娜娜"]);
}

#[test]
fn latin_names_any_case_and_any_word() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    for query in ["john", "SMITH", "John Smith", "smi"] {
        assert_eq!(
            names(&m.search_clients(query, 5).unwrap()),
            ["John Smith"],
            "{query}"
        );
    }
}

#[test]
fn phone_numbers_and_their_tails() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    let hits = m.search_clients("13812345678", 5).unwrap();
    assert_eq!((names(&hits), hits[0].rank), (vec!["王芳"], Rank::Exact));
    let hits = m.search_clients("尾号 5678", 5).unwrap();
    let mut found = names(&hits);
    found.sort();
    assert_eq!(found, ["王芳", "王芳芳"]);
    assert!(hits.iter().all(|h| h.matched_on == MatchedOn::Phone));
    assert_eq!(names(&m.search_clients("1234", 5).unwrap()), ["欧阳娜娜"]);
}

#[test]
fn id_numbers_and_their_tails() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    let hits = m.search_clients("11010519491231002X", 5).unwrap();
    assert_eq!((names(&hits), hits[0].rank), (vec!["王芳"], Rank::Exact));
    let hits = m.search_clients("002x", 5).unwrap();
    assert_eq!(names(&hits), ["王芳"]);
    assert_eq!(hits[0].matched_on, MatchedOn::IdNumber);
    assert_eq!(
        names(&m.search_clients("E12345678", 5).unwrap()),
        ["John Smith"]
    );
    assert_eq!(
        names(&m.search_clients("45678", 5).unwrap()),
        ["王芳", "John Smith"]
    );
}

#[test]
fn client_numbers_whole_or_by_their_digits() {
    let branch = Branch::with_clients();
    let m = branch.as_("manager01");
    let hits = m.search_clients("BJ0101-0000007", 5).unwrap();
    assert_eq!(
        (names(&hits), hits[0].matched_on),
        (vec!["欧阳娜娜"], MatchedOn::ClientNo)
    );
    assert_eq!(
        names(&m.search_clients("bj0101-000000", 20).unwrap()).len(),
        9
    );
    assert_eq!(
        names(&m.search_clients("0000007", 5).unwrap()),
        ["欧阳娜娜"]
    );
}

#[test]
fn tellers_see_masked_lists_and_rms_see_their_own_clients() {
    let branch = Branch::with_clients();
    let teller = branch.as_("teller01");
    let hits = teller.search_clients("王芳", 20).unwrap();
    assert_eq!(names(&hits), ["王*", "王*", "王*", "李*"]);
    assert_eq!(hits[0].phone.as_deref(), Some("138****5678"));
    assert!(hits.iter().all(|h| h.visibility == Visibility::Masked));
    // Company names are not personal data.
    assert_eq!(
        names(&teller.search_clients("西单", 5).unwrap()),
        ["北京西单商贸有限公司"]
    );
    drop(teller);

    let rm = branch.as_("rm01");
    let hits = rm.search_clients("王芳", 20).unwrap();
    assert_eq!(names(&hits), ["王*", "王*", "王芳芳", "李*"]);
    assert_eq!(hits[2].visibility, Visibility::Full);
    drop(rm);

    let admin = branch.store.admin();
    assert!(matches!(
        admin.search_clients("王芳", 5),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn opening_a_client_is_masked_audited_and_reveal_needs_a_reason() {
    let branch = Branch::with_clients();
    let mut teller = branch.as_("teller01");
    let view = teller.open_client("BJ0101-0000001").unwrap();
    assert_eq!(view.name, "王*");
    assert_eq!(view.id_number, "110***********002X");
    assert_eq!(view.phone.as_deref(), Some("138****5678"));
    assert_eq!(view.birth_date.as_deref(), Some("1949-**-**"));
    assert!(matches!(
        teller.reveal_client("BJ0101-0000001", " "),
        Err(Error::RevealReason)
    ));
    // The rule is a minimum length, and the sentence says so.
    let short = teller.reveal_client("BJ0101-0000001", "x").unwrap_err();
    assert!(matches!(short, Error::RevealReason));
    let en = branchdesk::i18n::I18n::english();
    assert!(short.message(en).contains("at least 2 characters"));
    let full = teller
        .reveal_client("BJ0101-0000001", "客户本人临柜核对")
        .unwrap();
    assert_eq!(full.id_number, "11010519491231002X");
    drop(teller);

    let auditor = branch.as_("auditor01");
    let rows = auditor.list_audit(None, 5).unwrap();
    let reveal = rows.iter().find(|r| r.action == "client.reveal").unwrap();
    assert_eq!(reveal.actor, "teller01");
    assert!(reveal.detail.contains("客户本人临柜核对"));
    assert!(
        rows.iter()
            .any(|r| r.action == "client.view" && r.actor == "teller01")
    );
}

#[test]
fn an_edit_reindexes_the_name_and_keeps_the_client_number() {
    let branch = Branch::with_clients();
    let mut m = branch.as_("manager01");
    let view = m.reveal_client("BJ0101-0000004", "更正姓名").unwrap();
    let mut input = view.to_input();
    input.name = "李明".into();
    input.phone = "13600004321".into();
    m.update_client("BJ0101-0000004", &input).unwrap();
    assert!(names(&m.search_clients("李王芳", 5).unwrap()).is_empty());
    let hits = m.search_clients("liming", 5).unwrap();
    assert_eq!(names(&hits), ["李明"]);
    assert_eq!(hits[0].client_no, "BJ0101-0000004");
    assert_eq!(names(&m.search_clients("尾号4321", 5).unwrap()), ["李明"]);
    // Another client's ID number cannot be taken over.
    input.id_number = "11010519491231002X".into();
    input.birth_date.clear();
    input.gender.clear();
    assert!(matches!(
        m.update_client("BJ0101-0000004", &input),
        Err(Error::DuplicateClient { .. })
    ));
}

#[test]
fn the_contact_log_records_who_and_how() {
    let branch = Branch::with_clients();
    let mut rm = branch.as_("rm01");
    rm.add_interaction("BJ0101-0000003", "phone", "contact", "电话回访，客户满意")
        .unwrap();
    assert!(matches!(
        rm.add_interaction("BJ0101-0000003", "pigeon", "contact", "x"),
        Err(Error::ContactRefused(NoteRule::UnknownChannel))
    ));
    let empty = rm
        .add_interaction("BJ0101-0000003", "phone", "contact", "  ")
        .unwrap_err();
    assert!(matches!(empty, Error::ContactRefused(NoteRule::Empty)));
    let en = branchdesk::i18n::I18n::english();
    let sentence = empty.message(en);
    assert!(sentence.contains("note") && !sentence.contains("channel"));
    let log = rm.interactions("BJ0101-0000003", 10).unwrap();
    // Read on its own (`client log`, `client events`), it is in the audit trail.
    assert_eq!(rm.read_contact_log("BJ0101-0000003", 10).unwrap(), log);
    rm.read_life_events("BJ0101-0000003").unwrap();
    drop(rm);
    let auditor = branch.as_("auditor01");
    let trail = auditor.list_audit(None, 10).unwrap();
    for action in ["client.log", "client.events"] {
        assert!(
            trail
                .iter()
                .any(|r| r.action == action && r.actor == "rm01"),
            "{action}: {trail:?}"
        );
    }
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].staff_id.as_str(), log[0].channel.as_str()),
        ("rm01", "phone")
    );
}

#[test]
fn a_bulk_load_skips_registered_clients_and_is_one_transaction() {
    use branchdesk::domain::client::validate;
    let branch = Branch::with_clients();
    let mut m = branch.as_("manager01");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let rows = vec![
        validate(
            &person("新客户", &resident("11010119800101005"), "13800000002"),
            today,
        )
        .unwrap(),
        validate(&person("王芳", "11010519491231002X", "13812345678"), today).unwrap(),
    ];
    let mut rows_iter = rows.clone().into_iter().map(|r| (r, "BJ0101".to_string()));
    let summary = m.load_clients(&mut rows_iter, "test", &mut |_| {}).unwrap();
    assert_eq!(summary.added, 1);
    assert_eq!(
        summary.already_registered,
        [(1, "BJ0101-0000001".to_string())]
    );
    // Loading the same rows again adds nothing.
    let mut again = rows.into_iter().map(|r| (r, "BJ0101".to_string()));
    let summary = m.load_clients(&mut again, "test", &mut |_| {}).unwrap();
    assert_eq!(summary.added, 0);
    drop(m);
    let mut teller = branch.as_("teller01");
    let mut none = std::iter::empty();
    assert!(matches!(
        teller.load_clients(&mut none, "test", &mut |_| {}),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn other_branches_clients_come_after_this_branchs() {
    use branchdesk::domain::client::validate;
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let visitor = validate(
        &person("王芳", &resident("11010119800101001"), "13800000003"),
        today,
    )
    .unwrap();
    let local = validate(
        &person("王芳", &resident("11010119800101002"), "13800000004"),
        today,
    )
    .unwrap();
    let mut rows = vec![
        (visitor, "SH0301".to_string()),
        (local, "BJ0101".to_string()),
    ]
    .into_iter();
    m.load_clients(&mut rows, "test", &mut |_| {}).unwrap();
    let hits = m.search_clients("王芳", 5).unwrap();
    assert_eq!(
        hits.iter()
            .map(|h| h.home_branch.as_str())
            .collect::<Vec<_>>(),
        ["BJ0101", "SH0301"]
    );
}

/// Every screen a teller sees, drawn from what the store gives a teller: no full name,
/// phone, ID number or birth date of a client they have not revealed appears anywhere.
#[test]
fn a_teller_sees_no_unmasked_client_data_on_any_screen() {
    use branchdesk::app::{Action, Command};
    use branchdesk::domain::complaint::IntakeInput;
    use branchdesk::i18n::Lang;
    use branchdesk::service::Reply;

    let branch = Branch::with_clients();
    let mut teller = branch.as_("teller01");
    let registered = teller
        .register_complaint(&IntakeInput {
            client: "BJ0101-0000001".into(),
            complainant_phone: "13812345678".into(),
            channel: "counter".into(),
            category: "service_attitude".into(),
            severity: "normal".into(),
            request: "致歉".into(),
            description: "柜台等候过久".into(),
            ..Default::default()
        })
        .unwrap();
    let secrets = [
        "王芳",
        "欧阳娜娜",
        "13812345678",
        "13700005678",
        "11010519491231002X",
        "1949-12-31",
    ];
    // A lookup by a phone's tail, so that nothing secret is typed on screen.
    let hits = teller.search_clients("5678", 51).unwrap();
    assert!(hits.len() >= 2, "{hits:?}");
    let view = teller.open_client("BJ0101-0000001").unwrap();
    let log = teller.interactions("BJ0101-0000001", 20).unwrap();
    let events = teller.client_events("BJ0101-0000001").unwrap();
    let board = teller.complaint_board().unwrap();
    let case = teller.open_complaint(&registered.receipt_no).unwrap();
    let templates = teller.survey_templates().unwrap();

    for lang in [Lang::Zh, Lang::En] {
        let mut h = Harness::logged_in(lang, session_info("teller01", "柜员甲", Role::Teller));
        let mut screens = Vec::new();
        let mut look = |h: &Harness, what: &str| {
            screens.push((what.to_string(), h.screen()));
            screens.push((format!("{what} (120x40)"), h.screen_sized(120, 40)));
        };
        h.command(Command::ClientsScreen);
        h.type_text("5678");
        let generation = h.app.main().unwrap().screens.clients.generation;
        h.act(Action::Reply(Reply::Hits {
            generation,
            hits: hits.clone(),
        }));
        look(&h, "lookup");
        h.act(Action::Reply(Reply::Client {
            view: Box::new(view.clone()),
            log: log.clone(),
            events: events.clone(),
        }));
        look(&h, "record");
        h.command(Command::AddNote);
        look(&h, "note prompt");
        h.command(Command::Back);
        h.command(Command::NewComplaint);
        h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
            board.clone(),
        ))));
        look(&h, "intake from the record");
        h.command(Command::Back);
        look(&h, "board");
        h.act(Action::Reply(Reply::Complaint(Box::new(case.clone()))));
        look(&h, "case");
        h.command(Command::ClientsScreen);
        h.command(Command::NewSurvey);
        h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
            templates.clone(),
        ))));
        look(&h, "survey for the client");
        for (what, screen) in &screens {
            for secret in secrets {
                assert!(
                    !screen.contains(secret),
                    "{lang:?} {what} shows {secret}:\n{screen}"
                );
            }
        }
        assert!(
            screens.iter().any(|(_, s)| s.contains("王*")),
            "the masked name is shown"
        );
    }
}

/// A bulk load into an empty store builds a staged copy of the database: that file is the
/// owner's alone from the moment it exists (SQLite gives its journal the same mode).
#[cfg(unix)]
#[test]
fn the_staged_copy_of_a_bulk_load_is_private_while_it_is_built() {
    use branchdesk::domain::client::validate;
    use std::os::unix::fs::PermissionsExt;
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    // Progress is told every thousand rows, while the staged copy is being built.
    let rows: Vec<_> = (0..1000)
        .map(|i| {
            let id = resident(&format!("11010119800101{i:03}"));
            let input = person("新客户", &id, &format!("138{i:08}"));
            (validate(&input, today).unwrap(), "BJ0101".to_string())
        })
        .collect();
    let staged = branch.store.paths.dir().join("branchdesk.db.staged");
    let mut modes = Vec::new();
    let mut rows = rows.into_iter();
    m.load_clients(&mut rows, "test", &mut |_| {
        if let Ok(meta) = std::fs::metadata(&staged) {
            modes.push(meta.permissions().mode() & 0o777);
        }
    })
    .unwrap();
    assert!(!modes.is_empty(), "the load went through a staged copy");
    assert!(modes.iter().all(|m| *m == 0o600), "{modes:?}");
    // The store runs with a page cache sized for it, and says so.
    assert_eq!(m.cache_plan().mib, 96);
}

/// After login the lookup's structures are read into the page cache a few thousand rows at a
/// time: every row of each, once, and then it says it is done.
#[test]
fn warming_the_cache_reads_every_lookup_structure_once() {
    use branchdesk::domain::client::validate;
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let names = ["欧阳娜娜", "王芳", "Daniel Jackson", "张伟"];
    let rows: Vec<_> = (0..1000)
        .map(|i| {
            let id = resident(&format!("11010119800101{i:03}"));
            let phone = if i % 3 == 0 {
                String::new()
            } else {
                format!("138{i:08}")
            };
            let input = person(names[i % names.len()], &id, &phone);
            (validate(&input, today).unwrap(), "BJ0101".to_string())
        })
        .collect();
    let mut rows = rows.into_iter();
    m.load_clients(&mut rows, "test", &mut |_| {}).unwrap();
    drop(m);
    let mut m = branch.as_("manager01");
    let count = |sql: &str| -> u64 {
        let slots = branchdesk::store::KeySlots::load(&branch.store.paths.keyslots()).unwrap();
        let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
        let conn = branchdesk::store::open_db(&branch.store.paths.db(), &key, false).unwrap();
        conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
    };
    let expected = count(
        "SELECT (SELECT count(*) FROM client_card) + 5 * (SELECT count(*) FROM client)
              + (SELECT count(*) FROM client_key) + (SELECT count(*) FROM client_gram)
              - (SELECT count(*) FROM client WHERE phone_rev IS NULL)",
    );
    assert!(
        count("SELECT count(*) FROM client_key") + count("SELECT count(*) FROM client_gram") > 4000,
        "more rows than one step reads"
    );
    assert_eq!(m.warm_cache().unwrap(), expected);
    assert!(!m.warm_cache_step().unwrap(), "done");
    assert_eq!(m.warm_cache().unwrap(), expected, "and nothing read twice");
}
