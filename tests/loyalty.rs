//! Loyalty points in the store: earning by rule within its cap, redeeming catalogue items
//! soonest-lapsing first with each gift's stock counted, reversals that put back exactly
//! what was taken, managers' adjustments, the expiry run (once), who may do what, and a
//! restricted client's points refused with one sentence.

mod common;

use common::backend::Backend;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::loyalty::Refusal;
use branchdesk::domain::staff::{Permission, Role};
use branchdesk::store::{EntryKind, Session};
use common::*;

const PASS: &str = "a long test passphrase";
const WANG: &str = "BJ0101-0000001";

fn branch() -> TestStore {
    let store = TestStore::with_staff(
        &[
            ("mgr01", Role::Manager),
            ("teller01", Role::Teller),
            ("audit01", Role::Auditor),
        ],
        PASS,
    );
    let mut mgr = store.login("mgr01", PASS).unwrap();
    let check = branchdesk::domain::ids::resident_check_char(b"11010519800601002");
    mgr.create_client(&ClientInput {
        name: "王芳".into(),
        id_number: format!("11010519800601002{check}"),
        id_expiry: "long_term".into(),
        phone: "13812345678".into(),
        ..Default::default()
    })
    .unwrap();
    store
}

fn refusal<T: std::fmt::Debug>(result: branchdesk::Result<T>) -> Refusal {
    match result {
        Err(Error::PointsRefused { refusal }) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn as_(store: &TestStore, id: &str) -> Session {
    store.login(id, PASS).unwrap()
}

#[test]
fn points_are_earned_by_rule_within_its_cap() {
    let store = branch();
    let mut teller = as_(&store, "teller01");
    let entry = teller
        .points_earn(WANG, "birthday_visit", "生日到店")
        .unwrap();
    assert_eq!(entry.kind, EntryKind::Earn);
    assert_eq!(entry.points, 200);
    // Earned on 2026-11-30: usable to the end of 2031.
    assert_eq!(entry.last_day, Some(date("2031-12-31")));
    assert_eq!(
        refusal(teller.points_earn(WANG, "birthday_visit", "again")),
        Refusal::CapReached {
            times: 1,
            per: branchdesk::domain::loyalty::Period::Year
        }
    );
    assert!(matches!(
        refusal(teller.points_earn(WANG, "lottery", "")),
        Refusal::UnknownRule { .. }
    ));
    let view = teller.points_show(WANG).unwrap();
    assert_eq!((view.balance, view.usable, view.lapsing), (200, 200, 0));
    assert_eq!(view.recent.len(), 1);
    // A reversed earn no longer counts towards the cap.
    drop(teller);
    let mut mgr = as_(&store, "mgr01");
    mgr.points_reverse(&entry.id, "误录").unwrap();
    drop(mgr);
    let mut teller = as_(&store, "teller01");
    teller
        .points_earn(WANG, "birthday_visit", "生日到店")
        .unwrap();
    assert_eq!(teller.points_show(WANG).unwrap().balance, 200);
}

#[test]
fn a_redemption_is_refused_beyond_the_balance_and_counts_a_gifts_stock() {
    let store = branch();
    let mut teller = as_(&store, "teller01");
    let short = refusal(teller.points_redeem(WANG, "umbrella"));
    assert_eq!(
        short,
        Refusal::Insufficient {
            usable: 0,
            asked: 800
        }
    );
    let sentence = Error::PointsRefused { refusal: short }
        .message(branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::Zh));
    assert_eq!(sentence, "客户今日可用积分 0，不足所需的 800。");
    drop(teller);
    let mut mgr = as_(&store, "mgr01");
    mgr.points_adjust(WANG, 60_000, "迁移旧系统积分").unwrap();
    drop(mgr);
    let mut teller = as_(&store, "teller01");
    for left in (0..10).rev() {
        let done = teller.points_redeem(WANG, "tea_set").unwrap();
        assert_eq!(done.stock_left, Some(left));
    }
    assert_eq!(
        refusal(teller.points_redeem(WANG, "tea_set")),
        Refusal::OutOfStock {
            code: "tea_set".into()
        }
    );
    assert_eq!(teller.points_show(WANG).unwrap().balance, 10_000);
    // A services has no stock; the balance after is told.
    let lounge = teller.points_redeem(WANG, "airport_lounge").unwrap();
    assert_eq!((lounge.stock_left, lounge.balance_after), (None, 7_000));
}

#[test]
fn a_reversal_puts_back_exactly_what_was_taken() {
    let store = branch();
    let mut mgr = as_(&store, "mgr01");
    let early = mgr.points_adjust(WANG, 500, "开户礼").unwrap();
    store.clock.advance(chrono::Duration::days(400));
    drop(mgr);
    let mut mgr = as_(&store, "mgr01");
    mgr.points_adjust(WANG, 700, "活动补录").unwrap();
    // 800 taken: the 500 lapsing end of 2031 first, then 300 of the 700 lapsing end of 2032.
    let redeemed = mgr.points_redeem(WANG, "umbrella").unwrap();
    assert_eq!(redeemed.balance_after, 400);
    assert_eq!(
        refusal(mgr.points_reverse(&early.id, "误录")),
        Refusal::PartlySpent { spent: 500 }
    );
    let back = mgr
        .points_reverse(&redeemed.entry.id, "客户退回礼品")
        .unwrap();
    assert_eq!((back.kind, back.points), (EntryKind::Reverse, 800));
    let view = mgr.points_show(WANG).unwrap();
    assert_eq!(view.balance, 1_200);
    assert_eq!(
        refusal(mgr.points_reverse(&redeemed.entry.id, "again")),
        Refusal::NothingToReverse
    );
    assert_eq!(
        refusal(mgr.points_reverse(&back.id, "reverse the reversal")),
        Refusal::NothingToReverse
    );
    // Now nothing of the first credit is spent: it can be withdrawn.
    mgr.points_reverse(&early.id, "误录").unwrap();
    assert_eq!(mgr.points_show(WANG).unwrap().balance, 700);
    assert_eq!(
        refusal(mgr.points_adjust(WANG, 10, "  ")),
        Refusal::ReasonMissing
    );
}

#[test]
fn the_expiry_run_takes_what_lapsed_once() {
    let store = branch();
    let mut mgr = as_(&store, "mgr01");
    mgr.points_adjust(WANG, 500, "开户礼").unwrap();
    // In October 2031, the 500 lapse within 90 days.
    store.clock.advance(chrono::Duration::days(1780));
    drop(mgr);
    let mut mgr = as_(&store, "mgr01");
    let view = mgr.points_show(WANG).unwrap();
    assert_eq!((view.usable, view.lapsing), (500, 500));
    // The clock moves on under the open session (a login would run the expiry itself).
    store.clock.advance(chrono::Duration::days(100));
    assert_eq!(mgr.points_show(WANG).unwrap().usable, 0);
    let dry = mgr.points_expire(true, &mut |_, _| {}).unwrap();
    assert_eq!((dry.clients, dry.points), (1, 500));
    assert_eq!(
        mgr.points_show(WANG).unwrap().balance,
        500,
        "a dry run writes nothing"
    );
    let run = mgr.points_expire(false, &mut |_, _| {}).unwrap();
    assert_eq!((run.clients, run.points), (1, 500));
    let view = mgr.points_show(WANG).unwrap();
    assert_eq!(view.balance, 0);
    assert_eq!(view.recent[0].kind, EntryKind::Expire);
    assert_eq!(view.recent[0].points, -500);
    assert_eq!(mgr.points_expire(false, &mut |_, _| {}).unwrap().clients, 0);
}

#[test]
fn a_login_at_the_counter_writes_off_what_lapsed() {
    let store = branch();
    as_(&store, "mgr01")
        .points_adjust(WANG, 500, "开户礼")
        .unwrap();
    store.clock.advance(chrono::Duration::days(1900));
    // The teller's login runs the expiry: the balance they read is what can be used.
    let mut teller = as_(&store, "teller01");
    let view = teller.points_show(WANG).unwrap();
    assert_eq!((view.balance, view.recent[0].kind), (0, EntryKind::Expire));
}

#[test]
fn who_may_see_earn_redeem_and_correct() {
    let store = branch();
    let denied = |result: branchdesk::Result<_>, permission| match result {
        Err(Error::PermissionDenied { permission: p }) => assert_eq!(p, permission),
        other => panic!("{other:?}"),
    };
    let mut auditor = as_(&store, "audit01");
    auditor.points_show(WANG).unwrap();
    denied(
        auditor.points_earn(WANG, "referral", "").map(drop),
        Permission::UsePoints,
    );
    drop(auditor);
    let mut teller = as_(&store, "teller01");
    let earned = teller.points_earn(WANG, "referral", "推荐李强").unwrap();
    denied(
        teller.points_adjust(WANG, 100, "补录").map(drop),
        Permission::CorrectPoints,
    );
    denied(
        teller.points_reverse(&earned.id, "误录").map(drop),
        Permission::CorrectPoints,
    );
    denied(
        teller.points_expire(false, &mut |_, _| {}).map(drop),
        Permission::CorrectPoints,
    );
}

#[test]
fn a_restricted_clients_points_are_refused_in_the_store() {
    let store = branch();
    let mut mgr = as_(&store, "mgr01");
    mgr.edit_client_fields(
        WANG,
        &[(
            branchdesk::domain::client::ClientField::IdExpiry,
            "2026-08-01".into(),
        )],
    )
    .unwrap();
    match mgr.points_earn(WANG, "referral", "") {
        Err(Error::ClientRestricted { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_redemption_slip_says_the_balance_after_it_even_reprinted_later() {
    let store = branch();
    as_(&store, "mgr01")
        .points_adjust(WANG, 2_000, "迁移旧系统积分")
        .unwrap();
    let mut teller = as_(&store, "teller01");
    let first = teller.points_redeem(WANG, "umbrella").unwrap();
    teller.points_redeem(WANG, "umbrella").unwrap();
    let slip = teller.points_slip(&first.entry.id).unwrap();
    assert_eq!((slip.points, slip.balance_after), (800, 1_200));
    assert_eq!(slip.client_name, "王芳");
    let text = branchdesk::service::slip::render_redemption(
        &slip,
        branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::Zh),
    );
    assert!(text.contains("兑换项目    定制雨伞"), "{text}");
    assert!(text.contains("兑换后余额  1200"), "{text}");
    assert!(
        text.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 64),
        "{text}"
    );
    // Only a redemption has a slip.
    let earned = teller.points_earn(WANG, "referral", "").unwrap();
    assert_eq!(
        refusal(teller.points_slip(&earned.id)),
        Refusal::NotARedemption
    );
}

crate::hq_test! {
    /// The branch's entries reach HQ in two bundles, imported out of order and each twice:
    /// HQ's balance per branch is the branch's own ledger, every entry counted once.
    fn hqs_balances_are_the_branchs_ledger_whatever_the_order_of_the_bundles(backend) {
        use common::hq::*;
        let dir = tempfile::tempdir().unwrap();
        drop(hq_with_clients(dir.path(), backend));
        let export = |mgr: &mut Session, name: &str| {
            let out = dir.path().join(name);
            std::fs::create_dir_all(&out).unwrap();
            mgr.export_bundle(&out, &mut |_, _| {})
                .unwrap()
                .file
                .unwrap()
        };
        let mut mgr = at_branch(dir.path(), "mgr01");
        mgr.points_adjust("BJ0101-0000001", 4_000, "迁移旧系统积分")
            .unwrap();
        mgr.points_earn("BJ0101-0000002", "referral", "").unwrap();
        let first = export(&mut mgr, "b1");
        let redeemed = mgr.points_redeem("BJ0101-0000001", "umbrella").unwrap();
        mgr.points_redeem("BJ0101-0000001", "airport_lounge")
            .unwrap();
        mgr.points_reverse(&redeemed.entry.id, "客户退回礼品")
            .unwrap();
        let second = export(&mut mgr, "b2");
        let ledger: i64 = ["BJ0101-0000001", "BJ0101-0000002"]
            .iter()
            .map(|c| mgr.points_show(c).unwrap().balance)
            .sum();
        // 王芳: 4,000 − 800 − 3,000 + 800; 李娜: 1,000.
        assert_eq!(ledger, 2_000);
        drop(mgr);
        let mut hq = at_hq(dir.path());
        for bundle in [&second, &first, &first, &second] {
            let _ = hq.hq_import(bundle);
        }
        let report = hq.hq_points_report().unwrap();
        assert_eq!(report.len(), 1, "{report:?}");
        let branch = &report[0];
        assert_eq!(branch.branch, "BJ0101");
        assert_eq!(branch.balance, ledger);
        assert_eq!(branch.clients, 2);
        assert_eq!(branch.entries, 5);
        assert_eq!(branch.by_kind.get("redeem"), Some(&-3_800));
        assert_eq!(branch.by_kind.get("reverse"), Some(&800));
    }
}

/// An entry's points added to a ledger kept apart from the stores'.
fn count(
    ledger: &mut std::collections::BTreeMap<&'static str, i64>,
    client: &'static str,
    points: i64,
) {
    *ledger.entry(client).or_default() += points;
}

/// A store's directory copied whole (HQ before any import, to import again in another
/// order).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

crate::hq_test! {
    /// Two branches credit and redeem the same client (张伟, registered at BJ0102, home
    /// BJ0101) while offline, each exporting twice; HQ imports the four bundles in several
    /// orders, each bundle twice. Every order gives each client the balance of a ledger kept
    /// apart here, entry by entry.
    fn two_branches_offline_and_hq_in_any_order_agree_with_an_independent_ledger(backend) {
        use branchdesk::store::StorePaths;
        use common::hq::*;
        use std::collections::BTreeMap;
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut hq = zhang_wei_registered_at_bj0102(dir, backend);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        publish_to(&mut bj0101, &mut hq, dir);
        drop(hq);
        const ZHANG: &str = "BJ0102-0000001";
        let mut ledger: BTreeMap<&str, i64> = BTreeMap::new();
        let export = |session: &mut Session, name: &str| {
            let out = dir.join(name);
            std::fs::create_dir_all(&out).unwrap();
            session
                .export_bundle(&out, &mut |_, _| {})
                .unwrap()
                .file
                .unwrap()
        };

        // BJ0101, 10:00: a migration credit, a referral, a gift given and taken back, a lounge.
        count(
            &mut ledger,
            ZHANG,
            bj0101
                .points_adjust(ZHANG, 5_000, "旧系统积分迁移")
                .unwrap()
                .points,
        );
        count(
            &mut ledger,
            ZHANG,
            bj0101.points_earn(ZHANG, "referral", "").unwrap().points,
        );
        let umbrella = bj0101.points_redeem(ZHANG, "umbrella").unwrap();
        count(&mut ledger, ZHANG, umbrella.entry.points);
        count(
            &mut ledger,
            WANG,
            bj0101
                .points_earn(WANG, "birthday_visit", "")
                .unwrap()
                .points,
        );
        let b1 = export(&mut bj0101, "b1");
        count(
            &mut ledger,
            ZHANG,
            bj0101
                .points_reverse(&umbrella.entry.id, "客户退回礼品")
                .unwrap()
                .points,
        );
        count(
            &mut ledger,
            ZHANG,
            bj0101
                .points_redeem(ZHANG, "airport_lounge")
                .unwrap()
                .entry
                .points,
        );
        let b2 = export(&mut bj0101, "b2");
        drop(bj0101);

        // BJ0102, 11:00 (never having seen BJ0101's entries): its own credits and a fee waiver
        // redeemed, reversed, redeemed again.
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 11);
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_earn(ZHANG, "ebanking_activated", "")
                .unwrap()
                .points,
        );
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_adjust(ZHANG, 2_000, "柜面活动补记")
                .unwrap()
                .points,
        );
        let waiver = bj0102.points_redeem(ZHANG, "fee_waiver_transfer").unwrap();
        count(&mut ledger, ZHANG, waiver.entry.points);
        let c1 = export(&mut bj0102, "c1");
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_reverse(&waiver.entry.id, "重复办理")
                .unwrap()
                .points,
        );
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_redeem(ZHANG, "fee_waiver_transfer")
                .unwrap()
                .entry
                .points,
        );
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_earn(ZHANG, "survey_completed", "")
                .unwrap()
                .points,
        );
        let c2 = export(&mut bj0102, "c2");
        drop(bj0102);
        assert_eq!(
            ledger[ZHANG],
            5_000 + 1_000 - 800 + 800 - 3_000 + 300 + 2_000 - 2_000 + 2_000 - 2_000 + 50
        );

        let hq_dir = dir.join("HQ");
        let pristine = dir.join("HQ-before");
        copy_dir(&hq_dir, &pristine);
        // On PostgreSQL the consolidation is copied too, and each order starts from its copy.
        let pristine_database = match backend {
            Backend::Postgres(db) => Some(db.copy()),
            Backend::Sqlite => None,
        };
        let orders: [[&std::path::PathBuf; 8]; 3] = [
            [&c2, &b2, &c1, &c2, &b1, &b2, &c1, &b1],
            [&b2, &b2, &c1, &b1, &c2, &c1, &b1, &c2],
            [&b1, &c1, &b1, &b2, &c1, &c2, &c2, &b2],
        ];
        let mut last_hq = None;
        for (n, order) in orders.iter().enumerate() {
            drop(last_hq.take());
            std::fs::remove_dir_all(&hq_dir).unwrap();
            copy_dir(&pristine, &hq_dir);
            let database = pristine_database.as_ref().map(|db| db.copy());
            let mut hq = at_hq(dir);
            hq.use_hq_database(database.as_ref().map(|db| db.url.clone()));
            for bundle in order {
                // A bundle ahead of its predecessor waits in quarantine and goes in when that
                // one arrives; a bundle seen before changes nothing.
                let _ = hq.hq_import(bundle);
            }
            let balances: BTreeMap<String, i64> = hq
                .hq_points_balances()
                .unwrap()
                .into_iter()
                .map(|c| (c.client_no, c.balance))
                .collect();
            let expected: BTreeMap<String, i64> =
                ledger.iter().map(|(c, p)| (c.to_string(), *p)).collect();
            assert_eq!(balances, expected, "order {n}");
            let report = hq.hq_points_report().unwrap();
            let bj0101 = report.iter().find(|b| b.branch == "BJ0101").unwrap();
            assert_eq!(bj0101.balance, ledger.values().sum::<i64>(), "order {n}");
            assert_eq!(bj0101.entries, 12, "order {n}");
            assert_eq!(bj0101.overdrawn, 0);
            last_hq = Some((hq, database));
        }
        let (mut hq, _database) = last_hq.unwrap();

        // BJ0101 takes HQ's next snapshot: its clients' points are now every branch's.
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 12);
        let applied = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!(applied.points, 2, "{applied:?}");
        for client in [ZHANG, WANG] {
            assert_eq!(bj0101.points_show(client).unwrap().balance, ledger[client]);
        }
        // An entry of its own not yet at HQ counts on top of HQ's, snapshot after snapshot.
        count(
            &mut ledger,
            ZHANG,
            bj0101
                .points_earn(ZHANG, "tier_anniversary", "")
                .unwrap()
                .points,
        );
        publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!(bj0101.points_show(ZHANG).unwrap().balance, ledger[ZHANG]);
        // In 2032 everything earned in 2026 has lapsed; this branch's expiry run writes off
        // its own credits and leaves BJ0102's 350 (300 + 2,000 + 50 − 2,000) to BJ0102's run.
        drop(bj0101);
        copy_dir(&dir.join("BJ0101"), &dir.join("BJ0101-2032"));
        let mut later = Session::unlock(
            &StorePaths::new(dir.join("BJ0101-2032")),
            "mgr01",
            &secret(ADMIN_PASS),
            std::sync::Arc::new(branchdesk::domain::clock::FixedClock::new(
                "2032-01-05T02:00:00Z".parse().unwrap(),
            )),
            options(),
        )
        .unwrap();
        later.points_expire(false, &mut |_, _| {}).unwrap();
        assert_eq!(later.points_show(ZHANG).unwrap().balance, 350);
        assert_eq!(
            later.points_expire(true, &mut |_, _| {}).unwrap().clients,
            0
        );
        drop(later);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 12);

        // What BJ0102 credited can be spent here now.
        let all = bj0101.points_show(ZHANG).unwrap().usable;
        let spent = bj0101.points_adjust(ZHANG, -all, "兑换线下礼品").unwrap();
        assert_eq!(
            bj0101.points_show(ZHANG).unwrap().balance,
            ledger[ZHANG] - all
        );
        count(&mut ledger, ZHANG, spent.points);
        let d1 = export(&mut bj0101, "d1");
        drop(bj0101);

        // Meanwhile BJ0102, offline, spends its own credits too: the same points twice. HQ
        // keeps both entries, and says the client is overdrawn.
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 13);
        let theirs = bj0102.points_show(ZHANG).unwrap().usable;
        count(
            &mut ledger,
            ZHANG,
            bj0102
                .points_adjust(ZHANG, -theirs, "兑换线下礼品")
                .unwrap()
                .points,
        );
        let c3 = export(&mut bj0102, "c3");
        drop(bj0102);
        for bundle in [&c3, &d1, &c3] {
            let _ = hq.hq_import(bundle);
        }
        let zhang = hq
            .hq_points_balances()
            .unwrap()
            .into_iter()
            .find(|c| c.client_no == ZHANG)
            .unwrap();
        assert_eq!(zhang.balance, ledger[ZHANG]);
        assert!(zhang.balance < 0, "{zhang:?}");
        let report = hq.hq_points_report().unwrap();
        assert_eq!(report.iter().map(|b| b.overdrawn).sum::<u64>(), 1);
    }
}
