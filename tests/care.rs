//! Care reminders in the store: what the agenda finds (solar and lunar birthdays, life
//! events, expiring IDs, festivals), whose clients each role sees, and what done, snooze and
//! dismiss do.

mod common;

use branchdesk::Error;
use branchdesk::domain::care::{EventInput, Reason, Section, Standing};
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::staff::Role;
use branchdesk::store::{Agenda, CareScope, Session};
use chrono::{Duration, NaiveDate};
use common::*;

const PASS: &str = "a long test passphrase";

struct Branch {
    store: TestStore,
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn passport(name: &str, number: &str, birth: &str, rm: &str) -> ClientInput {
    ClientInput {
        name: name.into(),
        id_type: "passport".into(),
        id_number: number.into(),
        birth_date: birth.into(),
        assigned_rm: rm.into(),
        ..Default::default()
    }
}

impl Branch {
    /// rm01's clients: a solar birthday on 5 December, a lunar 八月十五, an ID expiring on
    /// 12 December; rm02's: a birthday on 3 December.
    fn new() -> Branch {
        let store = TestStore::with_staff(
            &[
                ("manager01", Role::Manager),
                ("rm01", Role::Rm),
                ("rm02", Role::Rm),
                ("teller01", Role::Teller),
                ("auditor01", Role::Auditor),
            ],
            PASS,
        );
        let branch = Branch { store };
        let mut m = branch.as_("manager01");
        m.create_client(&passport("张三", "E10000001", "1966-12-05", "rm01"))
            .unwrap();
        m.create_client(&passport("李四", "E10000002", "农历1970年八月十五", "rm01"))
            .unwrap();
        let mut expiring = passport("王五", "E10000003", "1980-06-01", "rm01");
        expiring.id_expiry = "2026-12-12".into();
        m.create_client(&expiring).unwrap();
        m.create_client(&passport("赵六", "E10000004", "1990-12-03", "rm02"))
            .unwrap();
        drop(m);
        branch
    }

    fn as_(&self, id: &str) -> Session {
        self.store.login(id, PASS).unwrap()
    }
}

fn window(s: &Session, from: &str, to: &str, scope: Option<CareScope>) -> Agenda {
    s.care_agenda(d(from), d(to), scope).unwrap()
}

fn ids(agenda: &Agenda) -> Vec<&str> {
    agenda.items.iter().map(|i| i.id.as_str()).collect()
}

#[test]
fn the_agenda_finds_birthdays_expiring_ids_and_festivals_in_a_window() {
    let branch = Branch::new();
    let rm = branch.as_("rm01");
    let agenda = window(&rm, "2026-12-01", "2026-12-31", None);
    assert_eq!(agenda.scope, CareScope::Mine);
    assert_eq!(
        ids(&agenda),
        [
            "birthday:BJ0101-0000001:2026-12-05",
            "id_expiry:BJ0101-0000003:2026-12-12",
        ]
    );
    let birthday = &agenda.items[0];
    assert_eq!(
        birthday.reason,
        Reason::Birthday {
            age: 60,
            lunar: None,
            milestone: true
        }
    );
    assert_eq!(
        birthday.name.as_deref(),
        Some("张三"),
        "an RM sees their own clients"
    );
    assert_eq!(birthday.section, Section::Week);

    // Mid-Autumn 2026 is 25 September: the festival, and the client born on 八月十五.
    let autumn = window(&rm, "2026-09-20", "2026-09-29", None);
    assert_eq!(
        ids(&autumn),
        [
            "birthday:BJ0101-0000002:2026-09-25",
            "festival:mid_autumn:2026-09-25"
        ]
    );
    match &autumn.items[0].reason {
        Reason::Birthday {
            lunar: Some(l),
            age,
            ..
        } => {
            assert_eq!(l.zh(), "八月十五");
            assert_eq!(*age, 56);
        }
        other => panic!("{other:?}"),
    }
    match &autumn.items[1].reason {
        Reason::Festival { clients, .. } => assert_eq!(*clients, 3, "rm01's three clients"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_role_sees_the_clients_it_should() {
    let branch = Branch::new();
    // An RM asking for the branch still gets their own book.
    let rm2 = branch.as_("rm02");
    let theirs = window(&rm2, "2026-12-01", "2026-12-31", Some(CareScope::Branch));
    assert_eq!(ids(&theirs), ["birthday:BJ0101-0000004:2026-12-03"]);
    drop(rm2);
    let manager = branch.as_("manager01");
    let all = window(&manager, "2026-12-01", "2026-12-31", None);
    assert_eq!(all.scope, CareScope::Branch);
    assert_eq!(all.items.len(), 3);
    assert!(
        all.items
            .iter()
            .all(|i| !i.name.as_deref().unwrap().contains('*'))
    );
    drop(manager);
    let auditor = branch.as_("auditor01");
    let read = window(&auditor, "2026-12-01", "2026-12-31", None);
    assert_eq!(read.items.len(), 3);
    assert!(
        read.items
            .iter()
            .all(|i| i.name.as_deref().unwrap().ends_with('*'))
    );
    drop(auditor);
    let teller = branch.as_("teller01");
    assert!(matches!(
        teller.care_agenda(d("2026-12-01"), d("2026-12-31"), None),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn done_writes_the_contact_log_and_never_comes_back_that_year() {
    let branch = Branch::new();
    let mut rm = branch.as_("rm01");
    let id = "birthday:BJ0101-0000001:2026-12-05";
    assert!(matches!(
        rm.care_done(id, "pigeon", "生日问候"),
        Err(Error::CareInvalid { .. })
    ));
    rm.care_done(id, "phone", "电话祝寿，客户很高兴").unwrap();
    assert!(!ids(&window(&rm, "2026-12-01", "2026-12-31", None)).contains(&id));
    let log = rm.interactions("BJ0101-0000001", 5).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].channel.as_str(),
            log[0].kind.as_str(),
            log[0].note.as_str()
        ),
        ("phone", "care", "电话祝寿，客户很高兴")
    );
    assert!(matches!(
        rm.care_done(id, "phone", "again"),
        Err(Error::ReminderNotFound { .. })
    ));
    // Next year's birthday is another reminder.
    assert_eq!(
        ids(&window(&rm, "2027-12-01", "2027-12-10", None)),
        ["birthday:BJ0101-0000001:2027-12-05"]
    );
    // Someone else's client is not mine to act on.
    assert!(matches!(
        rm.care_done("birthday:BJ0101-0000004:2026-12-03", "phone", "x"),
        Err(Error::ReminderNotFound { .. })
    ));
}

#[test]
fn a_snoozed_reminder_comes_back_on_its_day_and_not_before() {
    let branch = Branch::new();
    let mut rm = branch.as_("rm01");
    let today = rm.today_local();
    let id = "id_expiry:BJ0101-0000003:2026-12-12";
    assert!(matches!(
        rm.care_snooze(id, &today.to_string()),
        Err(Error::CareInvalid { .. })
    ));
    let until = today + Duration::days(20);
    rm.care_snooze(id, &until.to_string()).unwrap();
    let before = window(
        &rm,
        "2026-12-01",
        &(until - Duration::days(1)).to_string(),
        None,
    );
    assert!(!ids(&before).contains(&id));
    let on_the_day = window(&rm, &until.to_string(), &until.to_string(), None);
    let item = on_the_day.items.iter().find(|i| i.id == id).unwrap();
    assert_eq!((item.on, item.standing), (until, Standing::Snoozed));
    assert_eq!(item.first_on, d("2026-12-12"));
    // It can be done on the day it came back.
    rm.care_done(id, "visit", "已更新证件").unwrap();
    assert!(
        window(&rm, &until.to_string(), &until.to_string(), None)
            .items
            .iter()
            .all(|i| i.id != id)
    );
}

#[test]
fn dismissing_needs_a_reason_and_festivals_are_each_rms_own() {
    let branch = Branch::new();
    let mut rm = branch.as_("rm01");
    let festival = "festival:mid_autumn:2026-09-25";
    assert!(matches!(
        rm.care_dismiss(festival, " "),
        Err(Error::CareInvalid { .. })
    ));
    rm.care_dismiss(festival, "已统一发送短信").unwrap();
    assert!(!ids(&window(&rm, "2026-09-25", "2026-09-25", None)).contains(&festival));
    drop(rm);
    let rm2 = branch.as_("rm02");
    assert!(ids(&window(&rm2, "2026-09-25", "2026-09-25", None)).contains(&festival));
}

#[test]
fn life_events_remind_every_year_or_once() {
    let branch = Branch::new();
    let mut rm = branch.as_("rm01");
    let event = |kind: &str, date: &str, yearly: &str| EventInput {
        kind: kind.into(),
        date: date.into(),
        yearly: yearly.into(),
        ..Default::default()
    };
    assert!(matches!(
        rm.add_client_event("BJ0101-0000001", &event("marriage", "1960-01-01", "")),
        Err(Error::CareInvalid { .. })
    ));
    let wedding = rm
        .add_client_event("BJ0101-0000001", &event("marriage", "1996-12-20", "yes"))
        .unwrap();
    let retiring = rm
        .add_client_event("BJ0101-0000001", &event("retirement", "2026-12-28", "no"))
        .unwrap();
    assert_eq!(rm.client_events("BJ0101-0000001").unwrap().len(), 2);
    let agenda = window(&rm, "2026-12-15", "2026-12-31", None);
    let wedding_item = agenda
        .items
        .iter()
        .find(|i| i.id == format!("event:{}:2026-12-20", wedding.id))
        .unwrap();
    assert!(matches!(
        wedding_item.reason,
        Reason::Event {
            years: Some(30),
            ..
        }
    ));
    assert!(
        agenda
            .items
            .iter()
            .any(|i| i.id == format!("event:{}:2026-12-28", retiring.id))
    );
    // The one-off date does not come back next year; the anniversary does.
    let next = window(&rm, "2027-12-15", "2027-12-31", None);
    assert!(
        next.items
            .iter()
            .any(|i| i.id.starts_with(&format!("event:{}", wedding.id)))
    );
    assert!(
        !next
            .items
            .iter()
            .any(|i| i.id.starts_with(&format!("event:{}", retiring.id)))
    );
}

#[test]
fn editing_a_client_moves_their_reminders() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let mut input = passport("张三丰", "E10000001", "1966-12-06", "rm02");
    input.tier = "gold".into();
    m.update_client("BJ0101-0000001", &input).unwrap();
    let all = window(&m, "2026-12-05", "2026-12-06", None);
    assert_eq!(ids(&all), ["birthday:BJ0101-0000001:2026-12-06"]);
    assert_eq!(all.items[0].name.as_deref(), Some("张三丰"));
    assert_eq!(all.items[0].rm.as_deref(), Some("rm02"));
    drop(m);
    // Now rm02's, no longer rm01's.
    let rm1 = branch.as_("rm01");
    assert!(
        window(&rm1, "2026-12-06", "2026-12-06", None)
            .items
            .is_empty()
    );
}

#[test]
fn the_header_count_is_todays_and_overdue_open_reminders() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    assert_eq!(m.today_local(), d("2026-11-30"));
    // rm02 has a birthday in three days (not due), one today and one five days ago.
    m.create_client(&passport("钱七", "E10000005", "1980-11-30", "rm02"))
        .unwrap();
    m.create_client(&passport("孙八", "E10000006", "1981-11-25", "rm02"))
        .unwrap();
    drop(m);
    let mut rm = branch.as_("rm02");
    assert_eq!(rm.care_due_count().unwrap(), 2);
    rm.care_done("birthday:BJ0101-0000006:2026-11-25", "sms", "补发生日祝福")
        .unwrap();
    assert_eq!(rm.care_due_count().unwrap(), 1);
    let today = window(&rm, "2026-11-30", "2026-11-30", None);
    assert_eq!(today.items[0].section, Section::Today);
}

#[test]
fn every_reason_and_festival_has_words_and_a_greeting_in_both_languages() {
    use branchdesk::domain::care::{EventKind, LunarMonthDay};
    use branchdesk::i18n::{I18n, Lang};
    let mut reasons = vec![
        Reason::Birthday {
            age: 60,
            lunar: Some(LunarMonthDay {
                month: 8,
                leap: false,
                day: 15,
            }),
            milestone: true,
        },
        Reason::Birthday {
            age: 41,
            lunar: None,
            milestone: false,
        },
        Reason::Relationship { years: 3 },
        Reason::IdExpiry {
            expires_on: d("2026-12-12"),
        },
    ];
    reasons.extend(EventKind::ALL.iter().map(|kind| Reason::Event {
        kind: *kind,
        label: None,
        years: Some(5),
    }));
    reasons.extend(
        branchdesk::store::festivals()
            .iter()
            .map(|f| Reason::Festival {
                code: f.code.clone(),
                lunar: None,
                clients: 3,
            }),
    );
    assert!(reasons.len() >= 15);
    for lang in [Lang::Zh, Lang::En] {
        let i18n = I18n::for_lang(lang);
        for reason in &reasons {
            let text = i18n.care_reason(reason, d("2026-11-30"));
            assert!(
                !text.contains('?') && !text.contains('{'),
                "{lang:?} {reason:?}: {text}"
            );
            let greeting = format!("greeting.{}", reason.greeting_key());
            assert_ne!(
                i18n.t_owned(greeting.clone()),
                "?",
                "{lang:?} lacks {greeting}"
            );
        }
    }
    let zh = I18n::for_lang(Lang::Zh);
    assert_eq!(
        zh.care_reason(&reasons[0], d("2026-09-25")),
        "生日（农历八月十五） · 60 岁大寿"
    );
    assert_eq!(
        zh.care_reason(&reasons[3], d("2026-11-30")),
        "身份证 12 天后到期"
    );
}

/// A store whose lunar birthdays were keyed with the old table (here: keys gone and no mark
/// of the table) has them worked out again at the next login, once; the client born on the
/// Spring Festival of 1954 is greeted on 正月初一.
#[test]
fn lunar_birthdays_are_rekeyed_once_when_the_lunar_table_changes() {
    use branchdesk::domain::lunar::{LunarDate, to_solar};
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    m.create_client(&passport("钱七", "E10000005", "农历1954年正月初一", "rm01"))
        .unwrap();
    drop(m);
    let spring_2027 = to_solar(LunarDate {
        year: 2027,
        month: 1,
        leap: false,
        day: 1,
    })
    .unwrap();
    let around = |s: &Session| {
        let from = spring_2027 - Duration::days(3);
        let agenda = s
            .care_agenda(from, from + Duration::days(6), Some(CareScope::Branch))
            .unwrap();
        agenda
            .items
            .iter()
            .filter(|i| i.name.as_deref() == Some("钱七"))
            .map(|i| i.on)
            .collect::<Vec<_>>()
    };
    assert_eq!(around(&branch.as_("manager01")), [spring_2027]);

    // As a store keyed before the table changed would be.
    {
        let slots = branchdesk::store::KeySlots::load(&branch.store.paths.keyslots()).unwrap();
        let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
        let conn = branchdesk::store::open_db(&branch.store.paths.db(), &key, false).unwrap();
        conn.execute_batch(
            "DELETE FROM sync_local WHERE key = 'lunar_table';
             DELETE FROM care_key WHERE client_seq = (SELECT seq FROM client WHERE name = '钱七');",
        )
        .unwrap();
    }
    let manager = branch.as_("manager01");
    assert_eq!(around(&manager), [spring_2027], "worked out again at login");
    drop(manager);
    let auditor = branch.as_("auditor01");
    let rekeyed = auditor
        .list_audit(None, 50)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "care.lunar_keys")
        .count();
    assert_eq!(rekeyed, 1, "once, not at every login");
}
