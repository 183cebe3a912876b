//! The survey screen at the counter: Enter never saves on its own, a long comment is read in
//! full as it is typed, a long survey scrolls with the focus and shows it, and the results
//! open onto the responses one by one (each readable in full, its client one key away).

mod common;

use branchdesk::app::surveys::{HEADER_FIELDS, SurveyView};
use branchdesk::app::{Action, Command, Tab};
use branchdesk::domain::staff::Role;
use branchdesk::domain::survey::{self, Answer, GroupBy};
use branchdesk::i18n::Lang;
use branchdesk::service::{Reply, Request, ResponseRow, TemplateSet};
use common::*;

fn at_entry(role: Role, templates: TemplateSet) -> Harness {
    let mut h = Harness::logged_in(Lang::En, session_info("manager01", "张伟", role));
    h.command(Command::SurveyScreen);
    h.act(Action::Reply(Reply::SurveyTemplates(Box::new(templates))));
    h
}

fn screen(h: &Harness) -> &branchdesk::app::SurveyScreen {
    &h.app.main().unwrap().screens.surveys
}

#[test]
fn enter_on_the_last_question_does_not_save_ctrl_s_does() {
    let mut h = at_entry(Role::Teller, survey_templates());
    h.type_text("9"); // nps, then on to speed
    h.type_text("5"); // speed
    h.type_text("1"); // wait
    h.type_text("y"); // greeted
    h.type_text("1"); // improve: a choice toggled, the focus stays on the last question
    let entry = screen(&h).entry.as_ref().unwrap();
    assert!(entry.form.on_last_field());
    assert!(sent(&h.command(Command::Submit)).is_empty());
    let status = h.app.status.as_ref().unwrap().text.clone();
    assert!(status.contains("Ctrl-S saves"), "{status}");
    assert!(matches!(
        sent(&h.command(Command::Save))[..],
        [Request::RecordSurvey { .. }]
    ));
}

#[test]
fn a_long_comment_is_shown_in_full_as_it_is_typed() {
    let mut h = at_entry(Role::Teller, survey_templates());
    h.type_text("3"); // a detractor is asked why
    let comment = "Only one window was open for forty minutes while three staff \
                   stood behind the counter talking; nobody explained the delay.";
    h.type_text(comment);
    let screen = h.screen_sized(80, 24);
    let flat = flattened(&screen);
    assert!(flat.contains("Only one window was open"), "{screen}");
    assert!(flat.contains("nobody explained the delay."), "{screen}");
}

/// A survey HQ wrote with more questions than a screen holds.
fn long_survey() -> TemplateSet {
    let mut text = String::from(
        "code = \"long_visit\"\ntitle = { zh = \"长问卷\", en = \"Long survey\" }\n\
         valid_from = 2024-01-01\n",
    );
    for n in 1..=24 {
        text.push_str(&format!(
            "\n[[question]]\nid = \"q{n}\"\nkind = \"rating\"\n\
             text = {{ zh = \"第 {n} 题\", en = \"Question number {n}\" }}\n"
        ));
    }
    let mut template = survey::parse_template(&text).unwrap();
    template.version = 1;
    TemplateSet {
        templates: vec![template],
        skipped: Vec::new(),
    }
}

#[test]
fn a_long_survey_scrolls_with_the_focus_and_shows_that_it_scrolls() {
    let mut h = at_entry(Role::Teller, long_survey());
    let first = h.screen_sized(80, 24);
    assert!(first.contains("1. Question number 1"), "{first}");
    assert!(!first.contains("Question number 24"), "{first}");
    assert!(first.contains('▼'), "a bar says there is more: {first}");
    for _ in 0..23 {
        h.type_text("4");
    }
    let entry = screen(&h).entry.as_ref().unwrap();
    assert_eq!(entry.form.focus, HEADER_FIELDS + 23);
    let last = h.screen_sized(80, 24);
    assert!(last.contains(">24. Question number 24"), "{last}");
    assert!(!last.contains(" 1. Question number 1 "), "{last}");
    assert!(last.contains('▲'), "{last}");
}

fn response(id: &str, day: &str, client: Option<(&str, &str)>, why: &str) -> ResponseRow {
    let mut answers = survey::Answers::new();
    answers.insert("nps".into(), Answer::Score(3));
    answers.insert("why".into(), Answer::Text(why.into()));
    answers.insert("speed".into(), Answer::Score(2));
    ResponseRow {
        id: id.into(),
        template: "counter_visit".into(),
        version: 1,
        answered_on: date(day),
        channel: "counter".into(),
        staff_id: "teller01".into(),
        client_no: client.map(|(no, _)| no.to_string()),
        client_name: client.map(|(_, name)| name.to_string()),
        answers,
        supersedes: None,
    }
}

#[test]
fn the_results_open_onto_each_response_read_in_full_with_its_client_one_key_away() {
    let mut h = at_entry(Role::Manager, survey_templates());
    h.command(Command::ToggleSurveyView);
    h.act(Action::Reply(Reply::SurveyStats(Box::new(survey_stats(
        40,
        GroupBy::Month,
    )))));
    let effects = h.command(Command::ShowResponses);
    assert!(matches!(
        &sent(&effects)[..],
        [Request::SurveyResponses { code, from, to }]
            if code == "counter_visit" && from.to_string() == "2025-12-01" && to.to_string() == "2026-11-30"
    ));
    assert_eq!(screen(&h).view, SurveyView::Responses);
    let long = "The queue machine gave out numbers but nobody called them; after forty \
                minutes I asked and was told the system was down, which no sign said.";
    h.act(Action::Reply(Reply::SurveyResponses(vec![
        response("r2", "2026-11-29", None, "Too slow."),
        response("r1", "2026-11-28", Some(("BJ0101-0000001", "王*")), long),
    ])));
    let list = h.screen_sized(80, 24);
    assert!(list.contains("BJ0101-0000001 王*"), "{list}");
    assert!(list.contains("(anonymous)"), "{list}");
    assert!(
        !h.app.enabled(Command::ClientRecord),
        "an anonymous response"
    );

    h.command(Command::Down);
    assert!(h.app.enabled(Command::ClientRecord));
    h.command(Command::ReadResponse);
    let reading = h.screen_sized(80, 24);
    let flat = flattened(&reading);
    assert!(
        flat.contains("The queue machine gave out numbers"),
        "{reading}"
    );
    assert!(flat.contains("which no sign said."), "{reading}");

    // Esc closes the response, then goes back to the results.
    h.command(Command::Back);
    assert_eq!(screen(&h).responses.reading, None);
    assert_eq!(screen(&h).view, SurveyView::Responses);
    let effects = h.command(Command::ClientRecord);
    assert_eq!(h.app.main().unwrap().tab, Tab::Clients);
    assert!(matches!(
        &sent(&effects)[..],
        [Request::OpenClient { key }] if key == "BJ0101-0000001"
    ));
    h.command(Command::SurveyScreen);
    h.command(Command::Back);
    assert_eq!(screen(&h).view, SurveyView::Stats);
}
