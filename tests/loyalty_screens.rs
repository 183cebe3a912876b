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

// ---- The points page: the redemption picker and the reversal ----

use branchdesk::app::clients::ClientsScreen;
use branchdesk::app::points::{PointsAsk, PointsPage};
use branchdesk::app::record_page::RecordPage;
use branchdesk::domain::loyalty::{ItemKind, RedeemItem};
use branchdesk::service::{CatalogueItem, EntryKind, PointsEntry, PointsView, Redemption, Request};

fn item(
    code: &str,
    zh: &str,
    en: &str,
    kind: ItemKind,
    points: i64,
    stock: Option<u32>,
) -> CatalogueItem {
    CatalogueItem {
        item: RedeemItem {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            kind,
            points,
            stock,
        },
        stock_left: stock.map(|s| s.saturating_sub(3)),
    }
}

fn catalogue() -> Vec<CatalogueItem> {
    vec![
        item(
            "fee_waiver_transfer",
            "跨行转账手续费减免（一年）",
            "Transfer fees waived for a year",
            ItemKind::FeeWaiver,
            2_000,
            None,
        ),
        item(
            "health_check",
            "体检服务一次",
            "One health check-up",
            ItemKind::Service,
            8_000,
            None,
        ),
        item(
            "umbrella",
            "定制雨伞",
            "Branded umbrella",
            ItemKind::Gift,
            800,
            Some(50),
        ),
        item(
            "tea_set",
            "茶具礼盒",
            "Tea set",
            ItemKind::Gift,
            5_000,
            Some(3),
        ),
    ]
}

fn entry(
    id: &str,
    kind: EntryKind,
    points: i64,
    on: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> PointsEntry {
    PointsEntry {
        id: id.into(),
        kind,
        points,
        on: date(on),
        last_day: None,
        code: code.into(),
        reverses: None,
        note: String::new(),
        by_staff: "teller01".into(),
        reversed: false,
        name_zh: zh.into(),
        name_en: en.into(),
    }
}

/// 王芳's points: 6,600, of which 1,200 lapse by the end of February; a redemption, an
/// earn, an expiry and an earn already reversed among the latest.
fn points_view() -> PointsView {
    let mut reversed = entry(
        "0193-aaaa-000000000004",
        EntryKind::Earn,
        500,
        "2026-09-01",
        "referral",
        "推荐新客户",
        "Referral",
    );
    reversed.reversed = true;
    PointsView {
        client_no: "BJ0101-0000001".into(),
        balance: 6_600,
        usable: 6_600,
        lapsing: 1_200,
        lapsing_until: date("2027-03-01"),
        recent: vec![
            entry(
                "0193-aaaa-000000000001",
                EntryKind::Redeem,
                -800,
                "2026-11-20",
                "umbrella",
                "定制雨伞",
                "Branded umbrella",
            ),
            entry(
                "0193-aaaa-000000000002",
                EntryKind::Earn,
                300,
                "2026-10-08",
                "ebanking_activated",
                "开通手机银行",
                "Mobile banking activated",
            ),
            entry(
                "0193-aaaa-000000000003",
                EntryKind::Expire,
                -200,
                "2026-01-01",
                "",
                "",
                "",
            ),
            reversed,
        ],
    }
}

/// The status line's whole sentence (the screen shows what fits of it).
fn status_text(h: &Harness) -> String {
    h.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn clients(h: &Harness) -> &ClientsScreen {
    &h.app.main().unwrap().screens.clients
}

fn points_page(h: &Harness) -> &PointsPage {
    match clients(h).record.as_ref().and_then(|r| r.page.as_ref()) {
        Some(RecordPage::Points(page)) => page,
        other => panic!("no points page: {other:?}"),
    }
}

/// `role`'s staff member on 王芳's record, Ctrl-D pressed and the points in.
fn on_points_page(lang: Lang, id: &str, role: Role) -> Harness {
    let mut h = Harness::logged_in(lang, session_info(id, "李娜", role));
    h.command(Command::ClientsScreen);
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Full)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    let effects = h.command(Command::Points);
    assert!(
        matches!(sent(&effects).as_slice(), [Request::Points { key }] if key == "BJ0101-0000001"),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::Points {
        view: Box::new(points_view()),
        catalogue: catalogue(),
    }));
    h
}

#[test]
fn redemption_picker_zh() {
    let h = on_points_page(Lang::Zh, "teller01", Role::Teller);
    let screen = h.screen();
    assert!(screen.contains("积分余额 6600，今日可用 6600"), "{screen}");
    assert!(screen.contains("1200 分将于 2027-03-01 前过期"), "{screen}");
    // The balance each item would leave; none for one out of reach.
    assert!(screen.contains("4600"), "{screen}");
    assert!(screen.contains("5800"), "{screen}");
    assert!(screen.contains("兑换 定制雨伞 -800"), "{screen}");
    assert!(screen.contains("（已冲正）"), "{screen}");
    // A teller redeems but does not reverse.
    assert!(screen.contains("Enter 兑换"), "{screen}");
    assert!(!screen.contains("Ctrl-X"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn redemption_picker_en() {
    let h = on_points_page(Lang::En, "manager01", Role::Manager);
    let screen = h.screen();
    assert!(
        screen.contains("Balance 6600 points, 6600 usable today"),
        "{screen}"
    );
    assert!(
        screen.contains("redeemed Branded umbrella -800"),
        "{screen}"
    );
    assert!(screen.contains("Ctrl-X Reverse"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_redemption_is_confirmed_then_sent_and_its_slip_reported() {
    let mut h = on_points_page(Lang::Zh, "teller01", Role::Teller);
    // The health check-up is out of reach: Enter asks nothing.
    h.command(Command::Down);
    assert!(sent(&h.command(Command::RedeemPoints)).is_empty());
    assert!(points_page(&h).ask.is_none());
    // The umbrella: asked, with the balance after.
    h.command(Command::Down);
    assert!(sent(&h.command(Command::RedeemPoints)).is_empty());
    assert!(matches!(points_page(&h).ask, Some(PointsAsk::Redeem)));
    let question = h.screen();
    assert!(
        question.contains("使用 800 分，兑换后余额 5800"),
        "{question}"
    );
    // Esc: nothing redeemed, still on the page.
    h.command(Command::Back);
    assert!(points_page(&h).ask.is_none());
    h.command(Command::RedeemPoints);
    let effects = h.command(Command::Confirm);
    match sent(&effects).as_slice() {
        [Request::RedeemPoints { key, item, lang }] => {
            assert_eq!(
                (key.as_str(), item.as_str()),
                ("BJ0101-0000001", "umbrella")
            );
            assert_eq!(*lang, Lang::Zh);
        }
        other => panic!("expected a redemption, got {other:?}"),
    }
    let mut done = entry(
        "0193-bbbb-000000000009",
        EntryKind::Redeem,
        -800,
        "2026-12-02",
        "umbrella",
        "定制雨伞",
        "Branded umbrella",
    );
    done.by_staff = "teller01".into();
    let effects = h.act(Action::Reply(Reply::PointsRedeemed {
        redemption: Box::new(Redemption {
            entry: done,
            item: catalogue()[2].item.clone(),
            balance_after: 5_800,
            stock_left: Some(46),
        }),
        slip: Ok(("/srv/slips/000000000009.txt".into(), None)),
    }));
    // The page is read again; the line says what happened and where the slip is.
    assert!(
        matches!(sent(&effects).as_slice(), [Request::Points { .. }]),
        "{effects:?}"
    );
    let status = status_text(&h);
    assert!(
        status.contains("已兑换“定制雨伞”，使用 800 分，余额 5800 分。"),
        "{status}"
    );
    assert!(status.contains("/srv/slips/000000000009.txt"), "{status}");
    // Back on the record, it is read again for its points line.
    let effects = h.command(Command::Points);
    assert!(
        matches!(sent(&effects).as_slice(), [Request::OpenClient { .. }]),
        "{effects:?}"
    );
}

#[test]
fn a_slip_that_could_not_be_written_leaves_the_redemption_standing() {
    let mut h = on_points_page(Lang::En, "teller01", Role::Teller);
    h.act(Action::Reply(Reply::PointsRedeemed {
        redemption: Box::new(Redemption {
            entry: entry(
                "0193-bbbb-000000000009",
                EntryKind::Redeem,
                -2_000,
                "2026-12-02",
                "fee_waiver_transfer",
                "",
                "",
            ),
            item: catalogue()[0].item.clone(),
            balance_after: 4_600,
            stock_left: None,
        }),
        slip: Err(branchdesk::Error::DiskFull),
    }));
    let status = status_text(&h);
    assert!(
        status.contains("Redeemed “Transfer fees waived for a year”"),
        "{status}"
    );
    assert!(status.contains("The redemption stands"), "{status}");
}

#[test]
fn a_manager_reverses_an_entry_with_a_reason_and_a_teller_cannot() {
    let mut teller = on_points_page(Lang::Zh, "teller01", Role::Teller);
    assert!(sent(&teller.command(Command::ReversePoints)).is_empty());
    assert!(points_page(&teller).ask.is_none());

    let mut h = on_points_page(Lang::Zh, "manager01", Role::Manager);
    h.command(Command::ReversePoints);
    let Some(PointsAsk::Reverse { form, entries }) = &points_page(&h).ask else {
        panic!("no reversal form");
    };
    // The expiry and the entry already reversed are not offered.
    assert_eq!(
        entries,
        &[
            "0193-aaaa-000000000001".to_string(),
            "0193-aaaa-000000000002".to_string()
        ]
    );
    assert!(
        form.value(0).contains("兑换 定制雨伞 -800"),
        "{}",
        form.value(0)
    );
    // The second entry, and why.
    h.command(Command::ChoiceNext);
    h.command(Command::NextField);
    h.type_text("重复累积");
    // Locked meanwhile: nothing of it shows, and it is all there after.
    h.command(Command::Lock);
    assert!(!h.screen().contains("重复累积"));
    h.type_text("pass");
    h.command(Command::Submit);
    h.act(Action::Reply(Reply::Unlocked));
    let effects = h.command(Command::Submit);
    match sent(&effects).as_slice() {
        [Request::ReversePoints { entry, reason }] => {
            assert_eq!(entry, "0193-aaaa-000000000002");
            assert_eq!(reason, "重复累积");
        }
        other => panic!("expected a reversal, got {other:?}"),
    }
    // Refused (the points were partly spent): the sentence on the form, the form kept.
    h.act(Action::Reply(Reply::Failed(
        branchdesk::Error::PointsRefused {
            refusal: branchdesk::domain::loyalty::Refusal::PartlySpent { spent: 100 },
        },
    )));
    let Some(PointsAsk::Reverse { form, .. }) = &points_page(&h).ask else {
        panic!("the form closed on a refusal");
    };
    assert!(form.error.is_some());
    assert_eq!(form.value(1), "重复累积");
    let mut done = entry(
        "0193-cccc-000000000010",
        EntryKind::Reverse,
        -300,
        "2026-12-02",
        "ebanking_activated",
        "",
        "",
    );
    done.reverses = Some("0193-aaaa-000000000002".into());
    let effects = h.act(Action::Reply(Reply::PointsReversed(Box::new(done))));
    assert!(points_page(&h).ask.is_none());
    assert!(
        matches!(sent(&effects).as_slice(), [Request::Points { .. }]),
        "{effects:?}"
    );
    assert!(h.screen().contains("已冲正，积分 -300。"), "{}", h.screen());
}
