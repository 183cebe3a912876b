//! The workstation's state machine, driven without a terminal or a store.

mod common;

use branchdesk::app::{Action, Command, Effect, Modal, Phase, Screen, Tab};
use branchdesk::domain::staff::{Role, StaffStatus};
use branchdesk::i18n::Lang;
use branchdesk::service::{Reply, Request, SearchHit, StaffRow};
use branchdesk::store::StoreProbe;
use common::*;
use secrecy::ExposeSecret;
use std::time::Duration;

#[test]
fn typing_and_enter_log_in() {
    let mut h = Harness::new(Lang::En, StoreProbe::Present { demo: true });
    h.type_text("teller01");
    assert!(
        sent(&h.command(Command::Submit)).is_empty(),
        "Enter on the ID moves on"
    );
    h.type_text("branchdesk-demo");
    let effects = h.command(Command::Submit);
    match sent(&effects).as_slice() {
        [
            Request::Login {
                staff_id,
                passphrase,
            },
        ] => {
            assert_eq!(staff_id, "teller01");
            assert_eq!(passphrase.expose_secret(), "branchdesk-demo");
        }
        other => panic!("expected a login request, got {other:?}"),
    }
    // A second Enter while the first is in flight sends nothing.
    assert!(sent(&h.command(Command::Submit)).is_empty());
    h.act(Action::Reply(Reply::LoggedIn(Box::new(session_info(
        "teller01",
        "王芳",
        Role::Teller,
    )))));
    assert!(matches!(h.app.phase, Phase::Main(_)));
}

#[test]
fn a_failed_login_says_so_and_clears_the_passphrase() {
    let mut h = Harness::new(Lang::En, StoreProbe::Present { demo: false });
    h.type_text("teller01");
    h.command(Command::NextField);
    h.type_text("wrong passphrase");
    h.command(Command::Submit);
    h.act(Action::Reply(Reply::Failed(
        branchdesk::Error::WrongCredentials,
    )));
    let Phase::Login(form) = &h.app.phase else {
        panic!("still at login")
    };
    assert_eq!(form.value(0), "teller01");
    assert_eq!(form.value(1), "");
    assert_eq!(form.focus, 1);
    assert_eq!(
        form.error.as_deref(),
        Some("The staff ID or passphrase is wrong; try again.")
    );
    assert!(h.app.pending.is_none());
}

#[test]
fn idle_time_locks_the_screen_and_records_it() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    assert!(h.wait(Duration::from_secs(299)).is_empty());
    let effects = h.wait(Duration::from_secs(1));
    assert!(matches!(
        sent(&effects).as_slice(),
        [Request::RecordLock { idle: true }]
    ));
    assert!(h.app.main().unwrap().lock.is_some());
    // Another tick does not lock twice.
    assert!(h.wait(Duration::from_secs(600)).is_empty());
}

#[test]
fn activity_postpones_the_idle_lock() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    h.wait(Duration::from_secs(200));
    h.command(Command::Help);
    h.command(Command::Back);
    assert!(h.wait(Duration::from_secs(200)).is_empty());
    assert!(h.app.main().unwrap().lock.is_none());
}

#[test]
fn locking_hides_a_half_typed_form_keeps_it_but_not_its_passphrases() {
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(Vec::new())));
    h.command(Command::NewStaff);
    h.type_text("teller09");
    h.command(Command::NextField);
    h.type_text("王五");
    h.command(Command::NextField);
    h.command(Command::NextField);
    h.type_text("a long enough passphrase");
    h.command(Command::Lock);
    let main = h.app.main().unwrap();
    assert!(main.lock.is_some());
    let form = staff_overlay(&h).form().expect("the form stays");
    assert_eq!((form.value(0), form.value(1)), ("teller09", "王五"));
    assert_eq!(
        form.value(3),
        "",
        "a passphrase typed before the lock is asked again"
    );
    assert!(
        !h.screen().contains("teller09"),
        "nothing of it shows under the lock"
    );
    // While locked, screen keys do nothing and letters go to the passphrase field only.
    h.command(Command::AuditScreen);
    assert_eq!(h.app.main().unwrap().tab, Tab::Staff);
    h.type_text("pass");
    let effects = h.command(Command::Submit);
    match sent(&effects).as_slice() {
        [Request::Unlock { passphrase }] => assert_eq!(passphrase.expose_secret(), "pass"),
        other => panic!("expected unlock, got {other:?}"),
    }
    h.act(Action::Reply(Reply::Unlocked));
    assert!(h.app.main().unwrap().lock.is_none());
    assert_eq!(staff_overlay(&h).form().unwrap().value(0), "teller09");
}

/// A walk-in complaint half typed on F3 and a survey half answered on F5: the lock hides
/// them, the same staff member finds them again, and switching staff names them first.
#[test]
fn unsaved_work_survives_a_lock_and_is_named_before_switching_staff() {
    let mut h = Harness::logged_in(
        Lang::En,
        session_info("teller01", "Wang Fang", Role::Teller),
    );
    h.command(Command::SurveyScreen);
    h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
        survey_templates(),
    ))));
    h.type_text("3");
    h.type_text("Only one window open");
    h.command(Command::ComplaintsScreen);
    h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
        complaint_board(),
    ))));
    h.command(Command::NewComplaint);
    h.command(Command::NextField); // a walk-in: no client number
    h.type_text("刘先生");
    h.command(Command::Lock);
    h.wait(Duration::from_secs(3600));
    h.type_text("pass");
    h.command(Command::Submit);
    h.act(Action::Reply(Reply::Unlocked));
    let main = h.app.main().unwrap();
    assert_eq!(main.tab, Tab::Complaints);
    let intake = main.screens.complaints.intake.as_ref().expect("the intake");
    assert_eq!(intake.value(1), "刘先生");
    let entry = main.screens.surveys.entry.as_ref().expect("the survey");
    assert_eq!(entry.form.value(3), "3");
    assert!(
        entry
            .form
            .fields
            .iter()
            .any(|f| f.value() == "Only one window open")
    );

    // F9 names what would be lost and waits for an answer.
    h.command(Command::Lock);
    assert!(sent(&h.command(Command::Logout)).is_empty());
    assert_eq!(h.app.modal, Some(Modal::Logout));
    let screen = h.screen();
    assert!(
        screen.contains("the complaint being registered"),
        "{screen}"
    );
    assert!(screen.contains("survey being entered"), "{screen}");
    assert!(
        !screen.contains("刘先生"),
        "the lock shows no client data: {screen}"
    );
    h.command(Command::Back);
    assert_eq!(h.app.modal, None);
    assert!(
        h.app.main().unwrap().lock.is_some(),
        "still locked, nothing lost"
    );
    h.command(Command::Logout);
    let effects = h.command(Command::Confirm);
    assert!(matches!(sent(&effects).as_slice(), [Request::Logout]));
    h.act(Action::Reply(Reply::LoggedOut));
    assert!(matches!(h.app.phase, Phase::Login(_)));
}

#[test]
fn a_teller_cannot_reach_staff_or_audit_screens() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    assert_eq!(
        h.app.tabs(),
        vec![Tab::Overview, Tab::Clients, Tab::Complaints, Tab::Survey]
    );
    assert!(sent(&h.command(Command::StaffScreen)).is_empty());
    assert!(sent(&h.act(Action::ClickTab(Tab::Audit))).is_empty());
    assert_eq!(h.app.main().unwrap().tab, Tab::Overview);
}

#[test]
fn an_auditor_sees_staff_read_only() {
    let mut h = Harness::logged_in(Lang::En, session_info("auditor01", "刘洋", Role::Auditor));
    let effects = h.act(Action::ClickTab(Tab::Staff));
    assert!(matches!(sent(&effects).as_slice(), [Request::ListStaff]));
    h.act(Action::Reply(Reply::Staff(Vec::new())));
    h.command(Command::NewStaff);
    assert!(h.app.main().unwrap().screens.staff.overlay.is_none());
    assert!(!h.app.enabled(Command::DisableStaff));
}

#[test]
fn quitting_asks_first_and_logs_out() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    assert!(h.command(Command::Quit).is_empty());
    assert_eq!(h.app.modal, Some(Modal::Quit));
    h.command(Command::Back);
    assert_eq!(h.app.modal, None);
    h.command(Command::Quit);
    let effects = h.command(Command::Confirm);
    assert!(matches!(sent(&effects).as_slice(), [Request::Logout]));
    let effects = h.act(Action::Reply(Reply::LoggedOut));
    assert!(matches!(effects.as_slice(), [Effect::Quit]));
}

#[test]
fn switching_staff_returns_to_the_login_screen() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    h.command(Command::Lock);
    let effects = h.command(Command::Logout);
    assert!(matches!(sent(&effects).as_slice(), [Request::Logout]));
    assert!(h.act(Action::Reply(Reply::LoggedOut)).is_empty());
    assert!(matches!(h.app.phase, Phase::Login(_)));
}

#[test]
fn leaving_a_changed_form_asks_before_discarding() {
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(Vec::new())));
    h.command(Command::NewStaff);
    h.command(Command::Back);
    assert!(
        h.app.main().unwrap().screens.staff.overlay.is_none(),
        "an untouched form just closes"
    );
    h.command(Command::NewStaff);
    h.type_text("x");
    h.command(Command::Back);
    assert_eq!(h.app.modal, Some(Modal::Discard));
    h.command(Command::Back);
    assert!(
        h.app.main().unwrap().screens.staff.overlay.is_some(),
        "Esc keeps the form"
    );
    h.command(Command::Back);
    h.command(Command::Confirm);
    assert!(h.app.main().unwrap().screens.staff.overlay.is_none());
}

fn staff_overlay(h: &Harness) -> &branchdesk::app::staff::StaffOverlay {
    let staff = &h.app.main().unwrap().screens.staff;
    staff.overlay.as_ref().expect("a form over the staff list")
}

#[test]
fn the_add_staff_form_checks_fields_before_sending() {
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(Vec::new())));
    h.command(Command::NewStaff);
    h.type_text("x");
    assert!(sent(&h.command(Command::Save)).is_empty());
    let overlay = staff_overlay(&h);
    let form = overlay.form().unwrap();
    assert_eq!(form.focus, 0);
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("Staff ID:")
    );

    h.type_text("yz01");
    h.command(Command::NextField);
    h.type_text("欧阳娜娜");
    h.command(Command::NextField);
    h.command(Command::ChoiceNext);
    h.command(Command::NextField);
    h.type_text("a long enough passphrase");
    h.command(Command::NextField);
    h.type_text("a long enough passphrasE");
    assert!(sent(&h.command(Command::Save)).is_empty(), "repeat differs");
    h.act(Action::Command(Command::DeleteBack));
    h.type_text("e");
    let effects = h.command(Command::Save);
    match sent(&effects).as_slice() {
        [Request::AddStaff { id, name, role, .. }] => {
            assert_eq!(
                (id.as_str(), name.as_str(), *role),
                ("xyz01", "欧阳娜娜", Role::Rm)
            );
        }
        other => panic!("expected AddStaff, got {other:?}"),
    }
    // The store's refusal lands on the form, which stays open.
    h.act(Action::Reply(Reply::Failed(
        branchdesk::Error::StaffExists { id: "xyz01".into() },
    )));
    let overlay = staff_overlay(&h);
    assert!(
        overlay
            .form()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("xyz01")
    );
}

fn staff_row(id: &str, status: StaffStatus) -> StaffRow {
    StaffRow {
        id: id.into(),
        name: id.into(),
        role: Role::Teller,
        status,
        created_at: "2026-11-01T01:00:00Z".into(),
        locked_until: None,
    }
}

fn status_text(h: &Harness) -> String {
    h.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn a_staff_action_the_row_does_not_allow_says_why_and_stale_lines_go() {
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(vec![
        staff_row("admin01", StaffStatus::Active),
        staff_row("teller01", StaffStatus::Active),
        staff_row("teller02", StaffStatus::Disabled),
    ])));
    // A save from earlier is on the line; acting on yourself must not leave it there.
    h.act(Action::Reply(Reply::StaffChanged));
    assert_eq!(status_text(&h), "Saved.");
    h.command(Command::DisableStaff);
    assert!(staff_overlay_is_none(&h));
    assert!(
        status_text(&h).contains("own account"),
        "{}",
        status_text(&h)
    );

    h.command(Command::Down);
    assert_eq!(status_text(&h), "", "the line was about the row before");
    h.command(Command::UnlockAccount);
    assert!(
        status_text(&h).contains("teller01 is not locked"),
        "{}",
        status_text(&h)
    );

    h.command(Command::Down);
    h.command(Command::ResetPassphrase);
    assert!(status_text(&h).contains("teller02 is disabled"));
    h.command(Command::DisableStaff);
    assert!(status_text(&h).contains("already disabled"));
    assert!(staff_overlay_is_none(&h));

    h.command(Command::AuditScreen);
    assert_eq!(
        status_text(&h),
        "",
        "another screen starts with a clean line"
    );
}

fn staff_overlay_is_none(h: &Harness) -> bool {
    h.app.main().unwrap().screens.staff.overlay.is_none()
}

#[test]
fn the_audit_list_pages_as_it_scrolls() {
    use branchdesk::service::AuditRow;
    let rows = |from: i64, n: i64| -> Vec<AuditRow> {
        (0..n)
            .map(|i| AuditRow {
                id: from - i,
                at: "2026-11-30T01:00:00Z".into(),
                actor: "admin01".into(),
                action: "session.login".into(),
                entity: "staff".into(),
                entity_id: "admin01".into(),
                detail: "{}".into(),
                subject: None,
            })
            .collect()
    };
    let mut h = Harness::logged_in(Lang::En, session_info("auditor01", "刘洋", Role::Auditor));
    let effects = h.command(Command::AuditScreen);
    assert!(matches!(
        sent(&effects).as_slice(),
        [Request::AuditPage {
            before: None,
            limit: 100
        }]
    ));
    h.act(Action::Reply(Reply::AuditPage {
        before: None,
        rows: rows(250, 100),
    }));
    let mut asked = None;
    for _ in 0..90 {
        for request in sent(&h.command(Command::Down)) {
            if let Request::AuditPage { before, .. } = request {
                asked = *before;
            }
        }
        if asked.is_some() {
            break;
        }
    }
    assert_eq!(
        asked,
        Some(151),
        "the next page starts below the last loaded row"
    );
    h.act(Action::Reply(Reply::AuditPage {
        before: Some(151),
        rows: rows(150, 100),
    }));
    assert_eq!(h.app.main().unwrap().screens.audit.rows.len(), 200);
}

#[test]
fn keys_and_clicks_become_actions_through_the_keymap() {
    use branchdesk::tui::translate;
    use crossterm::event::{
        Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
    };
    let keymap = keymap();
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "陈静", Role::Admin));
    let key = |code, modifiers| Event::Key(KeyEvent::new(code, modifiers));
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    assert!(matches!(
        translate(
            &h.app,
            &keymap,
            key(KeyCode::Char('l'), KeyModifiers::CONTROL)
        ),
        Some(Action::Command(Command::Lock))
    ));
    assert!(matches!(
        translate(&h.app, &keymap, key(KeyCode::F(7), KeyModifiers::NONE)),
        Some(Action::Command(Command::StaffScreen))
    ));
    // The tab row reads " Overview   F6 Sync   F7 Staff   F8 Audit ": column 24 is on
    // "F7 Staff".
    let action = translate(&h.app, &keymap, click(24, 1)).expect("a click on a tab");
    assert!(matches!(action, Action::ClickTab(Tab::Staff)));
    h.act(action);
    assert_eq!(h.app.main().unwrap().tab, Tab::Staff);
    assert!(
        translate(&h.app, &keymap, click(13, 5)).is_none(),
        "only the tab row has tabs"
    );

    // With a text field focused, plain letters are text, Ctrl-letters are commands.
    h.command(Command::Lock);
    assert!(matches!(
        translate(&h.app, &keymap, key(KeyCode::Char('q'), KeyModifiers::NONE)),
        Some(Action::Char('q'))
    ));
    assert!(matches!(
        translate(
            &h.app,
            &keymap,
            key(KeyCode::Char('王'), KeyModifiers::NONE)
        ),
        Some(Action::Char('王'))
    ));
}

mod client_screen {
    use super::*;
    use branchdesk::app::clients::{Over, PromptKind};
    use branchdesk::domain::mask::Visibility;

    fn teller_at_lookup() -> Harness {
        let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        h
    }

    #[test]
    fn every_keystroke_looks_up_and_stale_answers_are_dropped() {
        let mut h = teller_at_lookup();
        let first = searched(&h.act(Action::Char('王'))).unwrap();
        let second = searched(&h.act(Action::Char('芳'))).unwrap();
        assert_eq!(first.0, "王");
        assert_eq!(second, ("王芳".to_string(), first.1 + 1));
        // The answer to the first keystroke arrives late: it is not shown.
        h.act(Action::Reply(Reply::Hits {
            generation: first.1,
            hits: vec![hit("BJ0101-0000009", "王*", "139****0000", 1990)],
        }));
        assert!(h.app.main().unwrap().screens.clients.hits.is_empty());
        h.act(Action::Reply(Reply::Hits {
            generation: second.1,
            hits: vec![
                hit("BJ0101-0000001", "王*", "138****5678", 1949),
                hit("BJ0101-0000002", "王*", "139****1234", 1985),
            ],
        }));
        assert_eq!(h.app.main().unwrap().screens.clients.hits.len(), 2);
        // Deleting a character looks up again; so does a paste.
        assert!(searched(&h.command(Command::DeleteBack)).is_some());
        assert!(searched(&h.act(Action::Paste("芳".into()))).is_some());
        // Moving in the list does not.
        assert!(searched(&h.command(Command::Down)).is_none());
    }

    /// Fifty shown of more: said so, and the list pages on at its end.
    #[test]
    fn a_full_page_says_more_match_and_pages_on() {
        let mut h = teller_at_lookup();
        let effects = h.act(Action::Char('王'));
        let [
            Request::Search {
                generation, limit, ..
            },
        ] = sent(&effects)[..]
        else {
            panic!("a lookup: {effects:?}");
        };
        assert_eq!(*limit, 51, "one more than a page, to know");
        let many = |n: u32| -> Vec<SearchHit> {
            (1..=n)
                .map(|i| hit(&format!("BJ0101-{i:07}"), "王*", "138****0000", 1980))
                .collect()
        };
        h.act(Action::Reply(Reply::Hits {
            generation: *generation,
            hits: many(51),
        }));
        let screen = h.screen();
        assert!(screen.contains("First 50 clients; more match"), "{screen}");
        assert!(!screen.contains(" 50 clients ("), "not a count: {screen}");
        assert_eq!(h.app.main().unwrap().screens.clients.hits.len(), 50);
        let mut asked = None;
        for _ in 0..60 {
            for request in sent(&h.command(Command::Down)) {
                if let Request::Search {
                    limit, generation, ..
                } = request
                {
                    asked = Some((*limit, *generation));
                }
            }
        }
        let (limit, generation) = asked.expect("the next page is asked for at the end");
        assert_eq!(limit, 101);
        h.act(Action::Reply(Reply::Hits {
            generation,
            hits: many(80),
        }));
        let clients = &h.app.main().unwrap().screens.clients;
        assert_eq!((clients.hits.len(), clients.more), (80, false));
        assert_eq!(clients.selected.index, 49, "the place is kept");
        assert!(
            h.screen().contains("80 clients (best matches first"),
            "{}",
            h.screen()
        );
    }

    #[test]
    fn enter_opens_the_selected_client() {
        let mut h = teller_at_lookup();
        let (_, generation) = searched(&h.act(Action::Char('王'))).unwrap();
        h.act(Action::Reply(Reply::Hits {
            generation,
            hits: vec![
                hit("BJ0101-0000001", "王*", "138****5678", 1949),
                hit("BJ0101-0000002", "王*", "139****1234", 1985),
            ],
        }));
        h.command(Command::Down);
        let effects = h.command(Command::OpenClient);
        assert!(matches!(
            sent(&effects).as_slice(),
            [Request::OpenClient { key }] if key == "BJ0101-0000002"
        ));
    }

    /// The next customer: F2 on a record is an empty lookup with the cursor in it, and Up
    /// brings the last query back.
    #[test]
    fn f2_on_a_record_starts_an_empty_lookup_and_up_recalls_the_last_query() {
        let mut h = teller_at_lookup();
        h.type_text("王芳");
        let (_, generation) = searched(&h.act(Action::Char(' '))).unwrap();
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Masked)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        assert!(h.app.main().unwrap().screens.clients.record.is_some());

        h.command(Command::ClientsScreen);
        let clients = &h.app.main().unwrap().screens.clients;
        assert!(clients.record.is_none() && clients.in_lookup());
        assert_eq!(clients.query(), "");
        assert!(clients.hits.is_empty());
        // The field takes the next name at once.
        assert!(searched(&h.act(Action::Char('李'))).is_some());
        h.command(Command::ClearField);
        // An answer for the client before arrives late: not shown.
        h.act(Action::Reply(Reply::Hits {
            generation,
            hits: vec![hit("BJ0101-0000001", "王*", "138****5678", 1949)],
        }));
        assert!(h.app.main().unwrap().screens.clients.hits.is_empty());

        // Up, on the empty field, is the last search; the key says so in F1.
        let keymap = keymap();
        let up = branchdesk::tui::keymap::Key::parse("Up").unwrap().event();
        assert_eq!(
            keymap.lookup(&h.app.contexts(), &up),
            Some(Command::RecallSearch)
        );
        assert!(h.app.offers(Command::RecallSearch));
        let (query, _) = searched(&h.command(Command::RecallSearch)).unwrap();
        assert_eq!(query, "王芳");
        assert_eq!(h.app.main().unwrap().screens.clients.query(), "王芳");
        // With text in the field, Up moves in the list again.
        assert_eq!(keymap.lookup(&h.app.contexts(), &up), Some(Command::Up));
    }

    /// At 80 columns nothing on the record is cut off unseen: what does not fit on a row
    /// moves to the next, a contact note too long for its line ends in "…".
    #[test]
    fn a_record_at_80_columns_moves_what_does_not_fit_to_the_next_row() {
        let mut h = teller_at_lookup();
        let mut view = wang_fang(Visibility::Masked);
        view.id_expiry = Some("2026-11-04".into());
        h.act(Action::Reply(Reply::Client {
            view: Box::new(view),
            log: vec![branchdesk::service::Interaction {
                at: "2026-11-30T01:00:00Z".into(),
                staff_id: "teller01".into(),
                channel: "phone".into(),
                kind: "contact".into(),
                note: "Called about the renewal of the ID card; ".repeat(4),
            }],
            events: Vec::new(),
        }));
        let screen = h.screen_sized(80, 24);
        assert!(
            screen.contains("ID expiry 2026-11-04 (expired)"),
            "{screen}"
        );
        assert!(screen.contains("renewal of the ID card;… │"), "{screen}");
    }

    #[test]
    fn editing_a_masked_client_asks_for_a_reason_first() {
        let mut h = teller_at_lookup();
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Masked)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        assert!(h.app.enabled(Command::Reveal));
        h.command(Command::EditClient);
        let screen = &h.app.main().unwrap().screens.clients;
        assert!(screen.form.is_none());
        assert_eq!(
            screen.prompt().map(|p| p.kind),
            Some(PromptKind::Reveal { then_edit: true })
        );
        h.type_text("客户本人临柜");
        let effects = h.command(Command::Submit);
        assert!(matches!(
            sent(&effects).as_slice(),
            [Request::RevealClient { key, reason }] if key == "BJ0101-0000001" && reason == "客户本人临柜"
        ));
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Full)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        let form = h
            .app
            .main()
            .unwrap()
            .screens
            .clients
            .form
            .as_ref()
            .expect("the form opens");
        assert_eq!(form.editing.as_deref(), Some("BJ0101-0000001"));
        assert_eq!(form.form.value(3), "11010519491231002X");
    }

    #[test]
    fn the_stores_refusals_land_on_their_fields() {
        use branchdesk::domain::client::{ClientField, ClientRule, FieldError};
        use branchdesk::domain::ids::IdRule;
        let mut h = teller_at_lookup();
        h.command(Command::NewClient);
        let effects = h.command(Command::Save);
        assert!(matches!(
            sent(&effects).as_slice(),
            [Request::SaveClient { key: None, .. }]
        ));
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::ClientInvalid {
                errors: vec![
                    FieldError {
                        field: ClientField::Name,
                        rule: ClientRule::Required,
                    },
                    FieldError {
                        field: ClientField::Phone,
                        rule: ClientRule::Id {
                            id: IdRule::PhoneFormat,
                        },
                    },
                ],
            },
        )));
        let form = &h
            .app
            .main()
            .unwrap()
            .screens
            .clients
            .form
            .as_ref()
            .unwrap()
            .form;
        assert_eq!(form.fields[1].error.as_deref(), Some("must be filled in."));
        assert!(
            form.fields[8]
                .error
                .as_deref()
                .unwrap()
                .contains("11-digit")
        );
        assert_eq!(form.focus, 1, "the first broken field has the focus");
    }

    #[test]
    fn a_duplicate_offers_the_existing_client() {
        let mut h = teller_at_lookup();
        h.command(Command::NewClient);
        h.command(Command::Save);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::DuplicateClient {
                client_no: "BJ0101-0000001".into(),
            },
        )));
        assert_eq!(h.app.contexts(), vec![branchdesk::app::Context::Confirm]);
        let effects = h.command(Command::Confirm);
        assert!(matches!(
            sent(&effects).as_slice(),
            [Request::OpenClient { key }] if key == "BJ0101-0000001"
        ));
        assert!(h.app.main().unwrap().screens.clients.form.is_none());
    }

    #[test]
    fn locking_hides_the_client_on_screen_and_unlocking_shows_it_again() {
        let mut h = teller_at_lookup();
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Full)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        assert!(h.screen().contains("BJ0101-0000001"));
        h.command(Command::Lock);
        assert!(!h.screen().contains("BJ0101-0000001"), "{}", h.screen());
        h.type_text("pass");
        h.command(Command::Submit);
        h.act(Action::Reply(Reply::Unlocked));
        assert!(h.screen().contains("BJ0101-0000001"), "{}", h.screen());
    }

    #[test]
    fn only_managers_import_and_see_the_report() {
        let mut teller = teller_at_lookup();
        teller.command(Command::ImportClients);
        assert!(
            teller
                .app
                .main()
                .unwrap()
                .screens
                .clients
                .prompt()
                .is_none()
        );

        let mut h = Harness::logged_in(Lang::En, session_info("manager01", "张伟", Role::Manager));
        h.command(Command::ClientsScreen);
        h.command(Command::ImportClients);
        h.type_text("/tmp/clients.csv");
        let effects = h.command(Command::Submit);
        assert!(matches!(
            sent(&effects).as_slice(),
            [Request::ImportClients { path }] if path.to_str() == Some("/tmp/clients.csv")
        ));
        h.act(Action::Reply(Reply::ImportProgress { rows: 1000 }));
        assert!(matches!(
            h.app.main().unwrap().screens.clients.over,
            Some(Over::Importing { rows: 1000 })
        ));
    }
}

mod complaints {
    use super::*;
    use branchdesk::domain::complaint::{IntakeError, State, Step};
    use branchdesk::domain::mask::Visibility;

    fn manager() -> Harness {
        Harness::logged_in(
            Lang::En,
            session_info("manager01", "Zhang Wei", Role::Manager),
        )
    }

    fn on_board(mut h: Harness) -> Harness {
        let effects = h.command(Command::ComplaintsScreen);
        assert!(matches!(sent(&effects)[..], [Request::ComplaintBoard]));
        h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
            complaint_board(),
        ))));
        h
    }

    fn screen(h: &Harness) -> &branchdesk::app::ComplaintsScreen {
        &h.app.main().unwrap().screens.complaints
    }

    #[test]
    fn the_board_opens_the_selected_case_and_esc_goes_back_to_a_fresh_board() {
        let mut h = on_board(manager());
        h.command(Command::Down);
        h.command(Command::Down);
        let effects = h.command(Command::OpenComplaint);
        assert!(matches!(
            sent(&effects)[..],
            [Request::OpenComplaint { key }] if key == "BJ0101-20261117-001"
        ));
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        assert!(h.screen().contains("BJ0101-20261120-001 · in progress"));
        let effects = h.command(Command::Back);
        assert!(matches!(sent(&effects)[..], [Request::ComplaintBoard]));
        assert!(screen(&h).case.is_none());
        h.command(Command::Back);
        assert_eq!(h.app.main().unwrap().tab, Tab::Overview);
    }

    #[test]
    fn an_intake_from_a_clients_record_registers_with_several_lines() {
        let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Masked)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        let effects = h.command(Command::NewComplaint);
        assert!(matches!(sent(&effects)[..], [Request::ComplaintBoard]));
        assert_eq!(h.app.main().unwrap().tab, Tab::Complaints);
        let form = screen(&h).intake.as_ref().unwrap();
        assert_eq!(form.value(0), "BJ0101-0000001");
        assert_eq!(form.value(9), "2026-11-30", "received today by default");
        // The focus starts at the category: the complainant is the client.
        h.command(Command::ChoiceNext);
        h.command(Command::NextField);
        h.command(Command::NextField);
        h.type_text("退还年费");
        h.command(Command::NextField);
        h.type_text("年费被重复收取。");
        h.command(Command::NewLine);
        h.act(Action::Paste("已核对流水。\n客户要求书面答复。".into()));
        // Enter in the description starts a line; it does not submit.
        let effects = h.command(Command::NewLine);
        assert!(sent(&effects).is_empty());
        h.command(Command::DeleteBack);
        let effects = h.command(Command::Save);
        let requests = sent(&effects);
        let [Request::RegisterComplaint { input }] = &requests[..] else {
            panic!("{requests:?}");
        };
        assert_eq!(input.client, "BJ0101-0000001");
        assert_eq!(input.category, "service_attitude");
        assert_eq!(input.request, "退还年费");
        assert_eq!(
            input.description,
            "年费被重复收取。\n已核对流水。\n客户要求书面答复。"
        );
        // The store's refusal lands on the fields.
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::ComplaintIntake {
                errors: vec![IntakeError {
                    field: "complainant_phone",
                    rule: "phone",
                }],
            },
        )));
        let form = screen(&h).intake.as_ref().unwrap();
        assert_eq!(form.focus, 2);
        assert_eq!(
            form.fields[2].error.as_deref(),
            Some("须为 11 位大陆手机号码。")
        );
        // Registered: the case opens.
        h.command(Command::Save);
        let effects = h.act(Action::Reply(Reply::ComplaintRegistered(
            branchdesk::store::Registered {
                receipt_no: "BJ0101-20261130-003".into(),
                due_on: "2026-12-15".parse().unwrap(),
            },
        )));
        assert!(matches!(
            sent(&effects)[..],
            [Request::OpenComplaint { key }] if key == "BJ0101-20261130-003"
        ));
        assert!(screen(&h).intake.is_none());
        assert!(h.screen().contains("BJ0101-20261130-003"));
    }

    #[test]
    fn a_step_is_chosen_then_detailed_then_sent() {
        let mut h = on_board(manager());
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        h.command(Command::AdvanceComplaint);
        // In progress: pause, extend, decide, withdraw, merge, note. Decide is third.
        h.command(Command::ChoiceNext);
        h.command(Command::ChoiceNext);
        h.command(Command::Submit);
        // An empty decision is refused here, nothing sent.
        let effects = h.command(Command::Save);
        assert!(
            sent(&effects).is_empty(),
            "not sent without a decision? {effects:?}"
        );
        h.command(Command::ClearField);
        h.type_text("Refunded");
        h.command(Command::NextField);
        h.command(Command::ClearField);
        h.type_text("30 Nov");
        let effects = h.command(Command::Save);
        assert!(sent(&effects).is_empty());
        assert!(
            h.screen().contains("must be a date such as 2025-03-03"),
            "{}",
            h.screen()
        );
        h.command(Command::ClearField);
        h.type_text("2026-11-29");
        let effects = h.command(Command::Save);
        assert!(matches!(
            sent(&effects)[..],
            [Request::AdvanceComplaint { key, step: Step::Decided { decision }, on: Some(on), note: None }]
                if key == "BJ0101-20261120-001" && decision == "Refunded" && on.to_string() == "2026-11-29"
        ));
        let mut detail = complaint_detail();
        detail.row.state = State::Decided;
        h.act(Action::Reply(Reply::ComplaintAdvanced {
            step: "decide",
            detail: Box::new(detail),
        }));
        assert!(screen(&h).step.is_none());
        let status = h.app.status.as_ref().unwrap().text.clone();
        assert_eq!(
            status,
            "BJ0101-20261120-001: decide and tell recorded; the case is now decided."
        );
    }

    #[test]
    fn tellers_may_only_add_notes_and_auditors_may_not_register() {
        let mut h = on_board(Harness::logged_in(
            Lang::En,
            session_info("teller01", "Wang Fang", Role::Teller),
        ));
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        h.command(Command::AdvanceComplaint);
        let Some(branchdesk::app::complaints::StepPrompt::Choose(form)) = &screen(&h).step else {
            panic!("no step prompt");
        };
        let branchdesk::app::form::FieldValue::Choice { options, .. } = &form.fields[0].value
        else {
            panic!("not a choice");
        };
        assert_eq!(options, &["note"]);

        let mut auditor = on_board(Harness::logged_in(
            Lang::En,
            session_info("auditor01", "Liu Yang", Role::Auditor),
        ));
        auditor.command(Command::NewComplaint);
        assert!(screen(&auditor).intake.is_none());
        assert!(!auditor.screen().contains("New complaint"));
    }

    #[test]
    fn ctrl_p_prints_the_slip_at_once_and_a_printer_problem_is_one_sentence() {
        let mut h = on_board(manager());
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        let effects = h.command(Command::PrintSlip);
        assert!(matches!(
            sent(&effects)[..],
            [Request::PrintSlip { key, lang: Lang::En }] if key == "BJ0101-20261120-001"
        ));
        h.act(Action::Reply(Reply::SlipWritten {
            path: "/store/slips/BJ0101-20261120-001-2.txt".into(),
            printed: Some("counter1".into()),
        }));
        let status = h.app.status.as_ref().unwrap().text.clone();
        assert_eq!(
            status,
            "Slip written to /store/slips/BJ0101-20261120-001-2.txt and sent to printer counter1."
        );
        h.command(Command::PrintSlip);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::NoPrintCommand {
                path: "/store/slips/BJ0101-20261120-001-3.txt".into(),
            },
        )));
        let status = h.app.status.as_ref().unwrap().text.clone();
        assert!(status.contains("no print command (lp)"), "{status}");
        assert!(status.contains("BJ0101-20261120-001-3.txt"), "{status}");
        h.command(Command::Lock);
        assert!(
            !h.screen().contains("BJ0101-20261120-001"),
            "{}",
            h.screen()
        );
        assert!(screen(&h).case.is_some());
        let effects = h.act(Action::Reply(Reply::Unlocked));
        assert!(matches!(sent(&effects)[..], [Request::ComplaintBoard]));
    }
}

mod care {
    use super::*;
    use branchdesk::store::CareScope;

    fn rm() -> Harness {
        let mut h = Harness::logged_in(Lang::En, session_info("rm01", "Li Na", Role::Rm));
        let effects = h.command(Command::CareScreen);
        assert!(matches!(
            sent(&effects)[..],
            [Request::CareAgenda { from, to, scope: None }]
                if from.to_string() == "2026-10-31" && to.to_string() == "2026-12-30"
        ));
        h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
        h
    }

    fn screen(h: &Harness) -> &branchdesk::app::CareScreen {
        &h.app.main().unwrap().screens.care
    }

    #[test]
    fn marking_done_sends_the_channel_and_note_then_reloads() {
        let mut h = rm();
        assert_eq!(h.app.main().unwrap().session.care_due, Some(3));
        h.command(Command::Down);
        h.command(Command::Down);
        h.command(Command::ActOnReminder);
        h.command(Command::Submit); // done
        h.command(Command::ChoiceNext); // phone → sms
        h.command(Command::NextField);
        h.command(Command::ClearField);
        h.type_text("Called, all well");
        let effects = h.command(Command::Save);
        assert!(matches!(
            sent(&effects)[..],
            [Request::CareDone { id, channel, note }]
                if id == "birthday:BJ0101-0000003:2026-11-30" && channel == "sms" && note == "Called, all well"
        ));
        let effects = h.act(Action::Reply(Reply::CareActed {
            id: "birthday:BJ0101-0000003:2026-11-30".into(),
            action: branchdesk::domain::care::Action::Done,
            until: None,
        }));
        assert!(matches!(sent(&effects)[..], [Request::CareAgenda { .. }]));
        assert!(screen(&h).prompt.is_none());
        assert_eq!(
            h.app.status.as_ref().unwrap().text,
            "Done: 李娜 · birthday (lunar 10/11) · 56; noted in the client's contact log."
        );
    }

    #[test]
    fn snoozing_defaults_to_a_week_and_a_refusal_stays_on_the_prompt() {
        let mut h = rm();
        h.command(Command::ActOnReminder);
        h.command(Command::ChoiceNext); // snoozed
        h.command(Command::Submit);
        let effects = h.command(Command::Submit);
        assert!(matches!(
            sent(&effects)[..],
            [Request::CareSnooze { id, until }]
                if id == "id_expiry:BJ0101-0000012:2026-11-18" && until == "2026-12-07"
        ));
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::CareInvalid {
                errors: vec![branchdesk::domain::care::CareError {
                    field: "until",
                    rule: "past",
                }],
            },
        )));
        let form = screen(&h).form().unwrap();
        assert_eq!(
            form.error.as_deref(),
            Some("Until: must be a day after today.")
        );
        h.command(Command::Back);
        assert!(screen(&h).prompt.is_none());
    }

    #[test]
    fn the_agenda_stays_through_a_lock_and_is_read_again() {
        let mut h = rm();
        h.command(Command::Lock);
        h.type_text("passphrase");
        h.command(Command::Submit);
        let effects = h.act(Action::Reply(Reply::Unlocked));
        assert!(
            matches!(sent(&effects)[..], [Request::CareAgenda { .. }]),
            "the agenda is asked for again: {effects:?}"
        );
        assert!(
            h.screen().contains("李娜"),
            "shown meanwhile: {}",
            h.screen()
        );
        h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
        assert_eq!(screen(&h).agenda.as_ref().map(|a| a.items.len()), Some(7));
        assert!(h.screen().contains("李娜"), "{}", h.screen());
    }

    #[test]
    fn only_managers_widen_the_agenda_to_the_branch() {
        let mut h = rm();
        assert!(sent(&h.command(Command::ToggleScope)).is_empty());
        let mut m = Harness::logged_in(
            Lang::En,
            session_info("manager01", "Zhang Wei", Role::Manager),
        );
        m.command(Command::CareScreen);
        m.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
        let effects = m.command(Command::ToggleScope);
        assert!(matches!(
            sent(&effects)[..],
            [Request::CareAgenda {
                scope: Some(CareScope::Branch),
                ..
            }]
        ));
        // A teller has no care screen at all.
        let teller = Harness::logged_in(
            Lang::En,
            session_info("teller01", "Wang Fang", Role::Teller),
        );
        assert!(!teller.app.tabs().contains(&Tab::Care));
    }
}

mod surveys {
    use super::*;
    use branchdesk::app::Context;
    use branchdesk::domain::survey::GroupBy;
    use branchdesk::store::Recorded;

    fn at_entry(role: Role) -> Harness {
        let mut h = Harness::logged_in(Lang::En, session_info("teller01", "Wang Fang", role));
        let effects = h.command(Command::SurveyScreen);
        assert!(matches!(sent(&effects)[..], [Request::SurveyTemplates]));
        h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
            survey_templates(),
        ))));
        h
    }

    fn screen(h: &Harness) -> &branchdesk::app::SurveyScreen {
        &h.app.main().unwrap().screens.surveys
    }

    fn focused_label(h: &Harness) -> String {
        let entry = screen(h).entry.as_ref().unwrap();
        let index = entry.form.focus - branchdesk::app::surveys::HEADER_FIELDS;
        entry.template.questions[index].id.clone()
    }

    #[test]
    fn digits_answer_and_move_on_and_a_low_score_asks_why_next() {
        let mut h = at_entry(Role::Teller);
        let entry = screen(&h).entry.as_ref().unwrap();
        assert_eq!(entry.template.code, "counter_visit");
        assert_eq!(
            focused_label(&h),
            "nps",
            "the form opens at the first question"
        );
        assert!(entry.form.fields[4].hidden, "\"why?\" is not asked yet");

        h.type_text("1");
        assert_eq!(focused_label(&h), "nps", "a 1 may become a 10");
        h.type_text("0");
        assert_eq!(focused_label(&h), "speed", "10 is a promoter: no \"why?\"");
        h.command(Command::PrevField);
        h.type_text("3");
        assert_eq!(focused_label(&h), "why", "a detractor is asked why, next");
        h.type_text("Only one window open");
        h.command(Command::Submit);
        h.type_text("2"); // speed
        h.type_text("3"); // wait: over 30 minutes
        h.type_text("n"); // greeted: no
        h.type_text("13"); // improve: speed and fees
        let effects = h.command(Command::Save);
        let [Request::RecordSurvey { input }] = &sent(&effects)[..] else {
            panic!("expected a response to record: {effects:?}");
        };
        assert_eq!(input.template, "counter_visit");
        assert_eq!(input.client, "");
        assert_eq!(input.channel, "counter");
        let answers: Vec<(&str, &str)> = input
            .answers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            answers,
            [
                ("greeted", "no"),
                ("improve", "speed,fees"),
                ("nps", "3"),
                ("speed", "2"),
                ("wait", "long"),
                ("why", "Only one window open"),
            ]
        );
    }

    #[test]
    fn a_later_higher_score_drops_the_why_answer() {
        let mut h = at_entry(Role::Teller);
        h.type_text("4");
        h.type_text("slow");
        h.command(Command::PrevField);
        h.command(Command::ChoiceNext); // 4 → 5
        h.command(Command::ChoiceNext); // 6
        h.command(Command::ChoiceNext); // 7: a passive, "why?" is not asked
        h.command(Command::NextField);
        h.type_text("4");
        let effects = h.command(Command::Save);
        let [Request::RecordSurvey { input }] = &sent(&effects)[..] else {
            panic!("expected a response to record");
        };
        assert_eq!(input.answers.get("nps").map(String::as_str), Some("7"));
        assert!(!input.answers.contains_key("why"), "{:?}", input.answers);
    }

    #[test]
    fn a_saved_response_clears_the_form_and_a_complaint_like_comment_offers_an_intake() {
        let mut h = at_entry(Role::Teller);
        h.command(Command::PrevField);
        h.command(Command::PrevField);
        h.type_text("BJ0101-0000007");
        h.command(Command::NextField);
        h.command(Command::NextField);
        h.type_text("2");
        h.type_text("The teller was rude, I want to complain");
        h.command(Command::Submit);
        h.type_text("1");
        let effects = h.command(Command::Save);
        let [Request::RecordSurvey { input }] = &sent(&effects)[..] else {
            panic!("expected a response to record");
        };
        assert_eq!(input.client, "BJ0101-0000007");
        h.act(Action::Reply(Reply::SurveyRecorded(Box::new(Recorded {
            id: "0193".into(),
            follow_up: Some("survey:0193:2026-11-30".into()),
            complaint_text: Some("The teller was rude, I want to complain".into()),
            assessment: None,
        }))));
        assert_eq!(
            h.app.status.as_ref().unwrap().text,
            "Response recorded; the form is ready for the next one. A call-back is on the RM's care agenda."
        );
        assert_eq!(screen(&h).saved, 1);
        let entry = screen(&h).entry.as_ref().unwrap();
        assert_eq!(
            entry.form.value(1),
            "",
            "the next response starts anonymous"
        );
        assert_eq!(entry.form.value(3), "", "and unanswered");
        assert!(h.app.contexts().contains(&Context::Confirm));

        h.command(Command::Confirm);
        let main = h.app.main().unwrap();
        assert_eq!(main.tab, Tab::Complaints);
        let intake = main.screens.complaints.intake.as_ref().unwrap();
        assert_eq!(intake.value(0), "BJ0101-0000007");
        let description = branchdesk::app::complaints::INTAKE_FIELDS
            .iter()
            .position(|f| *f == "description")
            .unwrap();
        assert_eq!(
            intake.value(description),
            "The teller was rude, I want to complain"
        );
    }

    #[test]
    fn a_refusal_marks_the_questions_and_esc_asks_before_discarding() {
        let mut h = at_entry(Role::Teller);
        h.type_text("9");
        h.command(Command::Save);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::SurveyInvalid {
                errors: vec![branchdesk::domain::survey::AnswerError {
                    question: "speed".into(),
                    rule: "required",
                }],
            },
        )));
        let entry = screen(&h).entry.as_ref().unwrap();
        assert_eq!(focused_label(&h), "speed");
        assert_eq!(entry.form.value(3), "9", "nothing typed is lost");
        assert!(entry.form.fields[5].error.is_some());

        h.command(Command::Back);
        assert_eq!(h.app.modal, Some(Modal::Discard));
        h.command(Command::Back);
        assert_eq!(screen(&h).entry.as_ref().unwrap().form.value(3), "9");
        h.command(Command::Back);
        h.command(Command::Confirm);
        assert_eq!(screen(&h).entry.as_ref().unwrap().form.value(3), "");
    }

    #[test]
    fn the_survey_being_entered_stays_through_a_lock() {
        let mut h = at_entry(Role::Teller);
        h.type_text("9");
        h.command(Command::Lock);
        h.type_text("passphrase");
        h.command(Command::Submit);
        let effects = h.act(Action::Reply(Reply::Unlocked));
        assert!(
            sent(&effects).is_empty(),
            "nothing to ask again: {effects:?}"
        );
        assert_eq!(focused_label(&h), "speed", "where the staff member was");
        assert_eq!(screen(&h).entry.as_ref().unwrap().form.value(3), "9");
        assert!(!h.screen().contains("no survey"), "{}", h.screen());
    }

    #[test]
    fn an_auditor_reads_the_results_on_f5_and_enters_nothing() {
        let mut h = Harness::logged_in(
            Lang::En,
            session_info("auditor01", "Liu Yang", Role::Auditor),
        );
        assert!(h.app.tabs().contains(&Tab::Survey));
        let effects = h.command(Command::SurveyScreen);
        assert!(matches!(sent(&effects)[..], [Request::SurveyTemplates]));
        let effects = h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
            survey_templates(),
        ))));
        assert!(
            matches!(&sent(&effects)[..], [Request::SurveyStats { code, .. }] if code == "counter_visit"),
            "the results are asked for: {effects:?}"
        );
        assert_eq!(screen(&h).view, branchdesk::app::surveys::SurveyView::Stats);
        assert!(!h.app.contexts().contains(&Context::Form), "no entry form");
        assert!(!h.app.enabled(Command::ToggleSurveyView));
        h.act(Action::Reply(Reply::SurveyStats(Box::new(survey_stats(
            40,
            GroupBy::Month,
        )))));
        assert!(h.screen().contains("NPS"), "{}", h.screen());
        h.command(Command::Back);
        assert_eq!(h.app.main().unwrap().tab, Tab::Overview);
    }

    #[test]
    fn stats_open_on_the_survey_being_entered_and_tellers_have_none() {
        let mut teller = at_entry(Role::Teller);
        assert!(sent(&teller.command(Command::ToggleSurveyView)).is_empty());
        assert_eq!(
            screen(&teller).view,
            branchdesk::app::surveys::SurveyView::Entry
        );

        let mut h = at_entry(Role::Manager);
        let effects = h.command(Command::ToggleSurveyView);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::SurveyStats { code, from, to, by: GroupBy::Month }]
                if code == "counter_visit" && from.to_string() == "2025-12-01" && to.to_string() == "2026-11-30"
        ));
        assert!(h.app.contexts().contains(&Context::SurveyStats));
        h.act(Action::Reply(Reply::SurveyStats(Box::new(survey_stats(
            40,
            GroupBy::Month,
        )))));
        let effects = h.command(Command::CycleGroup);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::SurveyStats {
                by: GroupBy::Staff,
                ..
            }]
        ));
        let effects = h.command(Command::NextTemplate);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::SurveyStats { code, .. }] if code != "counter_visit"
        ));
        // F5 again: back to entry, where plain keys answer.
        h.command(Command::ToggleSurveyView);
        assert!(h.app.contexts().contains(&Context::Form));
    }
}

mod sync {
    use super::*;
    use branchdesk::app::Context;

    fn manager() -> Harness {
        let mut h = Harness::logged_in(
            Lang::En,
            session_info("manager01", "Zhang Wei", Role::Manager),
        );
        let effects = h.command(Command::SyncScreen);
        assert!(matches!(sent(&effects)[..], [Request::SyncStatus]));
        h.act(Action::Reply(Reply::SyncStatus(Box::new(sync_view(
            Vec::new(),
        )))));
        h
    }

    fn screen(h: &Harness) -> &branchdesk::app::SyncScreen {
        &h.app.main().unwrap().screens.sync
    }

    #[test]
    fn an_export_asks_for_the_folder_shows_progress_and_then_the_result() {
        let mut h = manager();
        h.command(Command::ExportBundle);
        let form = screen(&h).form().unwrap();
        assert_eq!(form.value(0), "/srv/branchdesk/store/exports");
        assert!(h.app.contexts().contains(&Context::Field));
        // A USB stick instead.
        h.command(Command::ClearField);
        h.type_text("/media/usb");
        let effects = h.command(Command::Submit);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::ExportBundle { dir }] if dir.to_str() == Some("/media/usb")
        ));
        assert!(screen(&h).busy());
        assert!(
            !h.app.enabled(Command::ExportBundle),
            "one export at a time"
        );
        h.act(Action::Reply(Reply::ExportProgress {
            done: 600,
            total: 1_284,
        }));
        assert_eq!(screen(&h).progress, Some((600, 1_284)));
        let effects = h.act(Action::Reply(Reply::Exported(Box::new(export_report()))));
        assert!(
            matches!(sent(&effects)[..], [Request::SyncStatus]),
            "the state is read again"
        );
        assert!(!screen(&h).busy());
        assert_eq!(
            screen(&h).progress,
            Some((1_284, 1_284)),
            "the bar stays, full"
        );
        assert_eq!(
            h.app.status.as_ref().unwrap().text,
            "Exported 1284 changes (seq 4019–5302) for HQ."
        );
    }

    #[test]
    fn a_holdings_file_from_hq_is_applied_with_progress_and_its_result_stays() {
        let mut h = manager();
        h.command(Command::ImportReference);
        h.type_text("/media/usb/BJ0101-holdings-2026-11-30.bdh");
        let effects = h.command(Command::Submit);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::ImportReference { path }] if path.extension().is_some_and(|e| e == "bdh")
        ));
        h.act(Action::Reply(Reply::ApplyProgress {
            done: 10_000,
            total: 40_000,
        }));
        assert_eq!(screen(&h).progress, Some((10_000, 40_000)));
        let applied = branchdesk::service::HoldingsApplied {
            as_of: "2026-11-30".parse().unwrap(),
            accounts: 120_000,
            clients: 40_000,
            unknown_clients: 3,
            calls: 900,
            credit_warnings: 0,
            book: Default::default(),
            points: 0,
        };
        let effects = h.act(Action::Reply(Reply::HoldingsApplied(Box::new(applied))));
        assert!(matches!(sent(&effects)[..], [Request::SyncStatus]));
        assert!(!screen(&h).busy());
        assert_eq!(screen(&h).progress, None, "no bar once it is done");
        assert_eq!(
            h.app.status.as_ref().unwrap().text,
            "HQ's holdings as of 2026-11-30 applied."
        );
        let shown = h.screen().replace(['│', '\n', ' '], "");
        assert!(
            shown.contains("120000accountsof40000clients"),
            "the result stays on screen: {shown}"
        );
    }

    #[test]
    fn a_failed_export_says_why_on_the_dialog_and_keeps_the_path() {
        let mut h = manager();
        h.command(Command::ExportBundle);
        h.command(Command::ClearField);
        h.type_text("/media/usb/branch");
        h.command(Command::Submit);
        assert!(screen(&h).prompt.is_none(), "the bar shows while it runs");
        h.act(Action::Reply(Reply::Failed(branchdesk::Error::NotFound {
            path: "/media/usb/branch".into(),
            folder: true,
        })));
        assert!(!screen(&h).busy());
        assert_eq!(screen(&h).progress, None);
        let form = screen(&h).form().expect("the dialog is back");
        assert_eq!(
            form.value(0),
            "/media/usb/branch",
            "the path, for correcting"
        );
        let said = form.error.as_deref().unwrap();
        assert!(
            said.starts_with("The folder /media/usb/branch does not exist"),
            "{said}"
        );
        let shown = h.screen().replace(['│', '\n', ' '], "");
        assert!(
            shown.contains("Nothingwaswritten."),
            "said in full: {}",
            h.screen()
        );
        // Corrected, it goes again.
        h.command(Command::DeleteWord);
        let effects = h.command(Command::Submit);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::ExportBundle { dir }] if dir.to_str() == Some("/media/usb/")
        ));
        h.act(Action::Reply(Reply::Failed(branchdesk::Error::DiskFull)));
        assert!(
            h.app.status.is_none(),
            "the dialog says it, not the status line"
        );
    }

    #[test]
    fn reference_data_is_applied_from_a_file_and_esc_closes_the_prompt() {
        let mut h = manager();
        h.command(Command::ImportReference);
        h.command(Command::Submit);
        assert!(
            screen(&h).form().unwrap().fields[0].error.is_some(),
            "a path is needed"
        );
        h.command(Command::Back);
        assert!(screen(&h).prompt.is_none());
        h.command(Command::ImportReference);
        h.type_text("/media/usb/HQ-reference-8.bdr");
        let effects = h.command(Command::Submit);
        assert!(matches!(
            &sent(&effects)[..],
            [Request::ImportReference { path }] if path.ends_with("HQ-reference-8.bdr")
        ));
    }

    #[test]
    fn only_managers_export_and_tellers_have_no_sync_screen() {
        let teller = Harness::logged_in(
            Lang::En,
            session_info("teller01", "Wang Fang", Role::Teller),
        );
        assert!(!teller.app.tabs().contains(&Tab::Sync));
        let mut auditor =
            Harness::logged_in(Lang::En, session_info("audit01", "Zhao Min", Role::Auditor));
        assert!(auditor.app.tabs().contains(&Tab::Sync));
        auditor.command(Command::SyncScreen);
        auditor.act(Action::Reply(Reply::SyncStatus(Box::new(sync_view(
            Vec::new(),
        )))));
        assert!(!auditor.app.enabled(Command::ExportBundle));
        auditor.command(Command::ExportBundle);
        assert!(auditor.app.main().unwrap().screens.sync.prompt.is_none());
        // At HQ there is nothing to export.
        let mut hq = manager();
        hq.act(Action::Reply(Reply::SyncStatus(Box::new(hq_view()))));
        assert!(!hq.app.enabled(Command::ExportBundle));
    }
}
