//! The risk desk (F12) and the record's AML line, at 80x24 in Chinese and English, and the
//! keys that drive the desk: Left and Right change the list, Enter reads the client's
//! rating and opens the review form (the level following the outcome), Ctrl-S sends it
//! with a second manager's approval; Ctrl-U lifts a restriction; auditors read only and
//! tellers have no desk.

mod common;

use branchdesk::app::{Action, Command};
use branchdesk::domain::aml::{Outcome, RiskLine};
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::{DeskList, Reply, Request};
use branchdesk::store::RatingRecord;
use common::risk::*;
use common::*;
use insta::assert_snapshot;

fn desk(lang: Lang, id: &str, role: Role) -> Harness {
    let mut h = Harness::logged_in(lang, session_info(id, "张伟", role));
    let effects = h.command(Command::RiskScreen);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::RiskDesk {
                list: DeskList::Overdue
            }]
        ),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::RiskDesk(Box::new(overdue_page()))));
    h
}

#[test]
fn desk_zh() {
    assert_snapshot!(desk(Lang::Zh, "mgr01", Role::Manager).screen());
}

#[test]
fn desk_en() {
    assert_snapshot!(desk(Lang::En, "mgr01", Role::Manager).screen());
}

/// The credit list: each loan with how it moved; a balance only where the viewer may see
/// it.
fn credit_desk(lang: Lang) -> String {
    let mut h = desk(lang, "mgr01", Role::Manager);
    h.act(Action::Reply(Reply::RiskDesk(Box::new(credit_page()))));
    h.screen()
}

#[test]
fn credit_desk_zh() {
    let screen = credit_desk(Lang::Zh);
    assert!(screen.contains("逾期15天"), "{screen}");
    // The class it moved from is on the detail line of the selected row.
    assert!(
        screen.contains("住房按揭贷款 ****0120 1,200,000.00 · 逾期 15 天"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn credit_desk_en() {
    let screen = credit_desk(Lang::En);
    assert!(screen.contains("DPD 15"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn the_header_counts_what_is_overdue() {
    let h = desk(Lang::Zh, "mgr01", Role::Manager);
    let screen = h.screen();
    assert!(
        screen.lines().next().unwrap().contains("风险逾期 4"),
        "{screen}"
    );
}

#[test]
fn left_and_right_change_the_list() {
    let mut h = desk(Lang::Zh, "mgr01", Role::Manager);
    let effects = h.command(Command::NextList);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::RiskDesk {
                list: DeskList::Due
            }]
        ),
        "{effects:?}"
    );
    // Keys run ahead of replies: two more to the right from where the keys left it.
    h.command(Command::NextList);
    let effects = h.command(Command::NextList);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::RiskDesk {
                list: DeskList::Triggers
            }]
        ),
        "{effects:?}"
    );
    let effects = h.command(Command::PrevList);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::RiskDesk {
                list: DeskList::Unrated
            }]
        ),
        "{effects:?}"
    );
}

fn review_form(lang: Lang) -> Harness {
    let mut h = desk(lang, "mgr01", Role::Manager);
    let effects = h.command(Command::RateClient);
    assert!(
        matches!(&sent(&effects)[..], [Request::RiskShow { key }] if key == "BJ0101-0000001"),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::Risk(Box::new(wang_risk()))));
    h
}

#[test]
fn review_form_zh() {
    assert_snapshot!(review_form(Lang::Zh).screen());
}

#[test]
fn review_form_en() {
    assert_snapshot!(review_form(Lang::En).screen());
}

#[test]
fn a_review_is_sent_with_the_level_its_outcome_gives_and_the_approval() {
    let mut h = review_form(Lang::Zh);
    // Lowered: the level follows, one step down from high.
    h.command(Command::ChoiceNext);
    h.command(Command::ChoiceNext);
    assert!(flattened(&h.screen()).contains("< 调低 >"));
    assert!(flattened(&h.screen()).contains("< 中高风险 >"));
    h.command(Command::NextField);
    h.command(Command::NextField);
    h.type_text("已卸任公职");
    h.command(Command::NextField);
    h.type_text("mgr02");
    h.command(Command::NextField);
    h.type_text("secret two");
    let effects = h.command(Command::Save);
    let [
        Request::RiskDecide {
            key,
            outcome,
            level,
            note,
            approval: Some(approval),
        },
    ] = &sent(&effects)[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(key, "BJ0101-0000001");
    assert_eq!(*outcome, Some(Outcome::Lowered));
    assert_eq!(level.as_deref(), Some("medium_high"));
    assert_eq!(note, "已卸任公职");
    assert_eq!(approval.staff_id, "mgr02");
    // Refused: the sentence goes on the form and the approver's passphrase is typed again.
    let refused = branchdesk::Error::ApproverRefused;
    h.act(Action::Reply(Reply::Failed(refused)));
    let screen = h.screen();
    assert!(
        flattened(&screen).contains("审批经理的工号或口令不正确"),
        "{screen}"
    );
    let effects = h.command(Command::Save);
    assert!(
        matches!(&sent(&effects)[..], [Request::RiskDecide { approval: Some(a), .. }]
            if secrecy::ExposeSecret::expose_secret(&a.passphrase).is_empty()),
        "{effects:?}"
    );
    // Recorded: the line says so and the desk is read again.
    let mut after = wang_risk();
    after.level = Some("medium_high".into());
    after.history.insert(
        0,
        RatingRecord {
            kind: "review".into(),
            outcome: Some(Outcome::Lowered),
            ..after.history[0].clone()
        },
    );
    after.due_on = day("2027-11-30");
    let effects = h.act(Action::Reply(Reply::RiskRecorded(Box::new(after))));
    assert!(
        matches!(sent(&effects)[..], [Request::RiskDesk { .. }]),
        "{effects:?}"
    );
    assert!(
        h.screen()
            .contains("已复评 BJ0101-0000001：中高风险；下次到期 2027-11-30")
    );
}

#[test]
fn a_client_not_rated_is_rated_without_an_outcome() {
    let mut h = desk(Lang::En, "mgr01", Role::Manager);
    h.command(Command::Down);
    h.command(Command::Down);
    let effects = h.command(Command::RateClient);
    assert!(
        matches!(&sent(&effects)[..], [Request::RiskShow { key }] if key == "BJ0101-0000003"),
        "{effects:?}"
    );
    let mut view = wang_risk();
    view.client_no = "BJ0101-0000003".into();
    view.level = None;
    view.history.clear();
    view.computed_level = "low".into();
    h.act(Action::Reply(Reply::Risk(Box::new(view))));
    let screen = h.screen();
    assert!(screen.contains("Rate"), "{screen}");
    assert!(!screen.contains("Outcome"), "{screen}");
    h.command(Command::NextField);
    h.command(Command::NextField);
    h.command(Command::NextField);
    let effects = h.command(Command::Submit);
    assert!(
        matches!(&sent(&effects)[..], [Request::RiskDecide { outcome: None, level: Some(l), approval: None, .. }] if l == "low"),
        "{effects:?}"
    );
}

#[test]
fn a_manager_lifts_a_restriction_for_the_day() {
    let mut h = desk(Lang::Zh, "mgr01", Role::Manager);
    // Not on an unrestricted client.
    h.command(Command::LiftRestriction);
    assert!(!h.screen().contains("当日解除业务限制"));
    h.command(Command::Last);
    h.command(Command::LiftRestriction);
    assert_snapshot!(h.screen());
    h.type_text("客户在场补交新证件");
    let effects = h.command(Command::Submit);
    assert!(
        matches!(&sent(&effects)[..], [Request::LiftRestriction { key, reason }]
            if key == "BJ0101-0000004" && reason == "客户在场补交新证件"),
        "{effects:?}"
    );
}

#[test]
fn an_auditor_reads_the_desk_and_a_teller_has_none() {
    let mut h = desk(Lang::Zh, "audit01", Role::Auditor);
    assert!(h.command(Command::RateClient).is_empty());
    assert!(h.command(Command::LiftRestriction).is_empty());
    let footer = h.screen().lines().last().unwrap().to_string();
    assert!(!footer.contains("评级或复评"), "{footer}");
    let mut teller = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
    assert!(teller.command(Command::RiskScreen).is_empty());
    assert!(!teller.screen().contains("F12"));
}

/// 王芳's record with her AML line: restricted (an expired document), the level in force,
/// what is due, the factors.
fn record_with_aml(lang: Lang, restricted: bool) -> String {
    let mut h = Harness::logged_in(lang, session_info("mgr01", "张伟", Role::Manager));
    h.command(Command::ClientsScreen);
    let mut view = wang_fang(Visibility::Full);
    view.aml = RiskLine {
        level: Some(named("high", "高风险", "High")),
        rated: true,
        factors: vec![
            (
                named("pep", "政治公众人物", "Politically exposed person"),
                40,
            ),
            (
                named("cash_medium", "现金交易较多", "Medium cash intensity"),
                8,
            ),
        ],
        due: Some(("review".into(), day("2026-10-31"))),
        restricted_since: restricted.then(|| day("2026-10-31")),
        lifted_today: false,
        closed_on: None,
    };
    h.act(Action::Reply(Reply::Client {
        view: Box::new(view),
        log: Vec::new(),
        events: Vec::new(),
    }));
    h.screen()
}

#[test]
fn record_aml_line_zh() {
    assert_snapshot!(record_with_aml(Lang::Zh, true));
}

#[test]
fn record_aml_line_en() {
    assert_snapshot!(record_with_aml(Lang::En, true));
}

#[test]
fn the_banner_shows_only_when_restricted() {
    let screen = record_with_aml(Lang::Zh, false);
    assert!(!screen.contains("业务受限"), "{screen}");
    assert!(screen.contains("洗钱风险 高风险"), "{screen}");
}

/// rm01's agenda with a loan warning from HQ's snapshot and a KYC refresh falling due: the
/// balance, the days past due and the move; the refresh's greeting asks the client in.
fn agenda_with_risk_calls(lang: Lang) -> Harness {
    use branchdesk::domain::care::Reason;
    use branchdesk::domain::portfolio::credit::LoanClass;
    let mut agenda = care_agenda();
    agenda.items = vec![
        care_item(
            "2026-11-30",
            1,
            "王芳",
            Reason::CreditWarning {
                product: "LOAN-MORTGAGE".into(),
                name_zh: "住房按揭贷款".into(),
                name_en: "Home mortgage".into(),
                balance: Some(120_000_000),
                days_past_due: 95,
                class: LoanClass::Substandard,
                moved_from: Some(LoanClass::SpecialMention),
                overdue_began: false,
            },
        ),
        care_item(
            "2026-12-03",
            7,
            "赵敏",
            Reason::KycRefresh {
                due_on: day("2026-12-03"),
            },
        ),
    ];
    let mut h = Harness::logged_in(lang, session_info("rm01", "李娜", Role::Rm));
    h.command(Command::CareScreen);
    h.act(Action::Reply(Reply::CareAgenda(Box::new(agenda))));
    h
}

#[test]
fn agenda_risk_calls_zh() {
    let screen = agenda_with_risk_calls(Lang::Zh).screen();
    assert!(screen.contains("逾期 95 天，关注→次级"), "{screen}");
    assert!(
        screen.contains("客户身份与联系信息待核实（期限 12-03）"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn agenda_risk_calls_en() {
    let screen = agenda_with_risk_calls(Lang::En).screen();
    assert!(screen.contains("loan 95 days past due"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_kyc_refresh_offers_its_greeting() {
    let mut h = agenda_with_risk_calls(Lang::Zh);
    h.command(Command::Down);
    h.command(Command::ActOnReminder);
    h.command(Command::Submit);
    let screen = h.screen();
    assert!(screen.contains("核实客户的身份和联系信息"), "{screen}");
}
