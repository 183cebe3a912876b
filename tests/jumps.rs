//! Jumping between related things at the counter: from a reminder or a complaint to the
//! client's record (Ctrl-K), finding the client of a survey or complaint by name as on F2,
//! and narrowing the complaint board by typing.

mod common;

use branchdesk::app::{Action, Command, Effect, Tab};
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::{Reply, Request};
use common::*;

fn survey_entry(h: &Harness) -> &branchdesk::app::surveys::SurveyEntry {
    let surveys = &h.app.main().unwrap().screens.surveys;
    surveys.entry.as_ref().expect("a survey being entered")
}

fn tab(h: &Harness) -> Tab {
    h.app.main().unwrap().tab
}

fn opened_client(effects: &[Effect]) -> Option<String> {
    sent(effects).into_iter().find_map(|r| match r {
        Request::OpenClient { key } => Some(key.clone()),
        _ => None,
    })
}

#[test]
fn ctrl_k_on_a_reminder_opens_the_clients_record_but_not_on_a_festival() {
    let mut h = Harness::logged_in(Lang::En, session_info("rm01", "Li Na", Role::Rm));
    h.command(Command::CareScreen);
    h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
    assert!(h.app.enabled(Command::ClientRecord));
    assert!(h.screen().contains("Ctrl-K"), "the footer offers it");

    let effects = h.command(Command::ClientRecord);
    assert_eq!(tab(&h), Tab::Clients);
    assert_eq!(opened_client(&effects).as_deref(), Some("BJ0101-0000012"));
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Full)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    assert!(h.app.main().unwrap().screens.clients.record.is_some());

    // Back on the agenda, the festival at its end has no client.
    h.command(Command::CareScreen);
    h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
    h.command(Command::Last);
    assert!(!h.app.enabled(Command::ClientRecord));
    assert!(opened_client(&h.command(Command::ClientRecord)).is_none());
    assert_eq!(tab(&h), Tab::Care);
}

#[test]
fn ctrl_k_on_a_complaint_opens_the_clients_record_a_walk_in_has_none() {
    let mut board = complaint_board();
    board.rows[1].client_no = Some("BJ0101-0000001".into());
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    h.command(Command::ComplaintsScreen);
    h.act(Action::Reply(Reply::ComplaintBoard(Box::new(board))));
    assert!(!h.app.enabled(Command::ClientRecord), "a walk-in's case");
    h.command(Command::Down);
    assert!(h.app.enabled(Command::ClientRecord));
    let effects = h.command(Command::ClientRecord);
    assert_eq!(tab(&h), Tab::Clients);
    assert_eq!(opened_client(&effects).as_deref(), Some("BJ0101-0000001"));
}

#[test]
fn a_half_typed_note_is_not_dropped_for_a_jump() {
    let mut h = Harness::logged_in(Lang::En, session_info("rm01", "Li Na", Role::Rm));
    h.command(Command::ClientsScreen);
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Full)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    h.command(Command::AddNote);
    h.command(Command::NextField);
    h.type_text("电话回访");
    h.command(Command::CareScreen);
    assert_eq!(tab(&h), Tab::Care);
    h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
    let effects = h.command(Command::ClientRecord);
    assert!(opened_client(&effects).is_none(), "not over the note");
    let clients = &h.app.main().unwrap().screens.clients;
    assert_eq!(clients.prompt().unwrap().form.value(1), "电话回访");
    let status = h.app.status.as_ref().unwrap().text.clone();
    assert!(status.contains("a note, event or reason"), "{status}");
}

#[test]
fn a_surveys_client_is_found_by_name_and_comes_back_into_the_form() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    h.command(Command::SurveyScreen);
    h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
        survey_templates(),
    ))));
    h.type_text("9"); // the first answer (then on to the next), before the client
    h.command(Command::PrevField); // the first answer
    h.command(Command::PrevField); // channel
    h.command(Command::PrevField); // client
    h.type_text("王芳");
    let effects = h.command(Command::Submit);
    assert_eq!(tab(&h), Tab::Clients);
    let (query, generation) = searched(&effects).expect("looked up at once");
    assert_eq!(query, "王芳");
    h.act(Action::Reply(Reply::Hits {
        generation,
        hits: vec![
            hit("BJ0101-0000001", "王*", "138****5678", 1949),
            hit("BJ0101-0000002", "王*", "139****1234", 1985),
        ],
    }));
    let screen = h.screen();
    assert!(screen.contains("Find the client for Surveys"), "{screen}");
    assert!(
        !h.app.enabled(Command::NewClient),
        "only finding, while picking"
    );
    h.command(Command::Down);
    let effects = h.command(Command::OpenClient);
    assert!(sent(&effects).is_empty(), "the record is not opened");
    assert_eq!(tab(&h), Tab::Survey);
    let entry = survey_entry(&h);
    assert_eq!(entry.form.value(1), "BJ0101-0000002");
    assert_eq!(entry.form.focus, 2, "on to the channel");
    assert_eq!(
        entry.form.fields[branchdesk::app::surveys::HEADER_FIELDS].value(),
        "9",
        "what was answered is kept"
    );

    // A whole client number moves on as before; Esc from finding goes back with nothing.
    h.command(Command::PrevField);
    h.command(Command::ClearField);
    h.type_text("李");
    h.command(Command::Submit);
    assert_eq!(tab(&h), Tab::Clients);
    h.command(Command::Back);
    assert_eq!(tab(&h), Tab::Survey);
    let entry = survey_entry(&h);
    assert_eq!(entry.form.value(1), "李");
    h.command(Command::ClearField);
    h.type_text("BJ0101-0000003");
    h.command(Command::Submit);
    assert_eq!(tab(&h), Tab::Survey);
}

#[test]
fn a_complaints_client_is_found_by_phone_tail() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    h.command(Command::ComplaintsScreen);
    h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
        complaint_board(),
    ))));
    h.command(Command::NewComplaint);
    h.type_text("5678");
    let effects = h.command(Command::Submit);
    assert_eq!(searched(&effects).unwrap().0, "5678");
    let generation = searched(&effects).unwrap().1;
    h.act(Action::Reply(Reply::Hits {
        generation,
        hits: vec![hit("BJ0101-0000001", "王*", "138****5678", 1949)],
    }));
    h.command(Command::OpenClient);
    assert_eq!(tab(&h), Tab::Complaints);
    let intake = h.app.main().unwrap().screens.complaints.intake.as_ref();
    let intake = intake.expect("the intake is still open");
    assert_eq!(intake.value(0), "BJ0101-0000001");
    assert_eq!(intake.focus, 4, "on to what they complain about");
}

#[test]
fn typing_on_the_board_narrows_it_and_the_selection_follows() {
    let mut h = Harness::logged_in(Lang::En, session_info("manager01", "张伟", Role::Manager));
    h.command(Command::ComplaintsScreen);
    h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
        complaint_board(),
    ))));
    let all = complaint_board().rows.len();
    let complaints = |h: &Harness| {
        let s = &h.app.main().unwrap().screens.complaints;
        (
            s.shown.len(),
            s.selected_row().map(|r| r.receipt_no.clone()),
        )
    };
    assert_eq!(complaints(&h).0, all);
    // A handler, then a state as the screen names it.
    h.type_text("rm01");
    let (shown, selected) = complaints(&h);
    assert_eq!(shown, 3);
    assert_eq!(selected.as_deref(), Some("BJ0101-20261021-001"));
    h.command(Command::Down);
    h.type_text(" acc");
    let (shown, selected) = complaints(&h);
    assert_eq!(shown, 1);
    assert_eq!(selected.as_deref(), Some("BJ0101-20261117-001"));
    let screen = h.screen();
    assert!(screen.contains(&format!("1 of {all}")), "{screen}");
    // Enter opens what is selected among those shown.
    let effects = h.command(Command::OpenComplaint);
    assert!(matches!(
        sent(&effects)[..],
        [Request::OpenComplaint { key }] if key == "BJ0101-20261117-001"
    ));
    h.command(Command::ClearField);
    assert_eq!(complaints(&h).0, all);
    h.type_text("nothing like this");
    assert!(h.screen().contains("No case matches"));
    assert!(
        h.app
            .main()
            .unwrap()
            .screens
            .complaints
            .selected_row()
            .is_none()
    );
}
