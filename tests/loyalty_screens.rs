//! Loyalty points on screen, at 80x24 in Chinese and English: the record's points line
//! with what lapses within 90 days.

mod common;

use branchdesk::app::{Action, Command};
use branchdesk::domain::loyalty::PointsLine;
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::Reply;
use common::*;
use insta::assert_snapshot;

/// 王芳's record, a teller serving her: 12,800 points, 3,000 of them lapsing by the end
/// of February.
fn record_with_points(lang: Lang) -> String {
    let mut h = Harness::logged_in(lang, session_info("teller01", "李娜", Role::Teller));
    h.command(Command::ClientsScreen);
    let mut view = wang_fang(Visibility::Full);
    view.points = Some(PointsLine {
        balance: 12_800,
        lapsing: 3_000,
        lapsing_until: date("2027-02-28"),
    });
    h.act(Action::Reply(Reply::Client {
        view: Box::new(view),
        log: Vec::new(),
        events: Vec::new(),
    }));
    h.screen()
}

#[test]
fn record_points_line_zh() {
    let screen = record_with_points(Lang::Zh);
    assert!(
        screen.contains("积分 12800 · 3000 分将于 2027-02-28 前过期"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn record_points_line_en() {
    let screen = record_with_points(Lang::En);
    assert!(
        screen.contains("Points 12800 · 3000 lapse by 2027-02-28"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn no_points_no_line() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "李娜", Role::Teller));
    h.command(Command::ClientsScreen);
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Full)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    assert!(!h.screen().contains("积分"), "{}", h.screen());
}
