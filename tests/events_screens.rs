//! The events screen at 80x24 in Chinese and English: the upcoming events with their
//! counts, an event's invitation list, and a reply keyed and sent.

mod common;

use branchdesk::app::{Action, Command, Tab};
use branchdesk::domain::events::Reply as Answer;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::{Reply, Request};
use common::*;
use insta::assert_snapshot;

/// rm01 on the agenda, F4 again: the events screen with two upcoming events.
fn on_events(lang: Lang) -> Harness {
    let mut h = Harness::logged_in(lang, session_info("rm01", "李娜", Role::Rm));
    h.command(Command::CareScreen);
    let effects = h.command(Command::EventsScreen);
    assert!(
        matches!(sent(&effects).as_slice(), [Request::Events]),
        "{effects:?}"
    );
    assert_eq!(h.app.main().unwrap().tab, Tab::Events);
    h.act(Action::Reply(Reply::Events(common::events::upcoming())));
    h
}

/// The seminar opened.
fn on_seminar(lang: Lang) -> Harness {
    let mut h = on_events(lang);
    let effects = h.command(Command::OpenEvent);
    assert!(
        matches!(sent(&effects).as_slice(), [Request::EventShow { key }] if key == "BJ0101-E0001"),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::Event(Box::new(
        common::events::seminar_page(),
    ))));
    h
}

#[test]
fn upcoming_events_zh() {
    let h = on_events(Lang::Zh);
    let screen = h.screen();
    assert!(screen.contains("2027 年资产配置讲座"), "{screen}");
    assert!(screen.contains("23/40"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn upcoming_events_en() {
    let h = on_events(Lang::En);
    let screen = h.screen();
    assert!(screen.contains("appreciation"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn invitation_list_zh() {
    let h = on_seminar(Lang::Zh);
    let screen = h.screen();
    assert!(
        screen.contains("已邀请 61 · 参加 23/40 · 不参加 9 · 未答复 29"),
        "{screen}"
    );
    assert!(screen.contains("Enter 登记答复"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn invitation_list_en() {
    let h = on_seminar(Lang::En);
    assert_snapshot!(h.screen());
}

#[test]
fn a_reply_is_keyed_sent_and_the_list_read_again() {
    let mut h = on_seminar(Lang::Zh);
    // The first invitation (no answer yet): yes, by phone.
    h.command(Command::RecordReply);
    assert!(h.screen().contains("登记邀请答复"), "{}", h.screen());
    h.command(Command::NextField);
    let effects = h.command(Command::Submit);
    match sent(&effects).as_slice() {
        [
            Request::EventReply {
                key,
                client,
                reply,
                channel,
            },
        ] => {
            assert_eq!(
                (key.as_str(), client.as_str()),
                ("BJ0101-E0001", "BJ0101-0000003")
            );
            assert_eq!(*reply, Answer::Yes);
            assert_eq!(channel, "phone");
        }
        other => panic!("expected a reply, got {other:?}"),
    }
    let mut answered = common::events::seminar_page().invitations.remove(0);
    answered.reply = Answer::Yes;
    let effects = h.act(Action::Reply(Reply::EventAnswered(Box::new(answered))));
    assert!(
        matches!(sent(&effects).as_slice(), [Request::EventShow { .. }]),
        "{effects:?}"
    );
    // The page read again: the line still says what was recorded.
    h.act(Action::Reply(Reply::Event(Box::new(
        common::events::seminar_page(),
    ))));
    assert!(
        h.screen().contains("已登记 BJ0101-0000003 的答复：参加"),
        "{}",
        h.screen()
    );
    // Who came is recorded from the day on: not offered before it.
    assert!(sent(&h.command(Command::RecordAttendance)).is_empty());
    assert!(!h.screen().contains("Ctrl-A"), "{}", h.screen());
    // On the day (the page read again then), Ctrl-A: came; Ctrl-K: the client's record.
    let mut on_the_day = common::events::seminar_page();
    on_the_day.event.on = date("2026-11-30");
    h.act(Action::Reply(Reply::Event(Box::new(on_the_day))));
    assert!(h.screen().contains("Ctrl-A 登记到场"), "{}", h.screen());
    let effects = h.command(Command::RecordAttendance);
    assert!(
        matches!(sent(&effects).as_slice(), [Request::EventAttend { client, .. }] if client == "BJ0101-0000003"),
        "{effects:?}"
    );
    h.command(Command::ClientRecord);
    assert_eq!(h.app.main().unwrap().tab, Tab::Clients);
}
