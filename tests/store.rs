//! The encrypted store, its key slots and the audit trail, through the library API.

mod common;

use branchdesk::Error;
use branchdesk::domain::audit::{ChainBreak, ChainVerdict};
use branchdesk::domain::staff::Role;
use branchdesk::store::{KeySlots, Session, StorePaths, open_db};
use chrono::Duration;
use common::*;

fn add(session: &mut Session, id: &str, role: Role) {
    session
        .add_staff(
            id,
            &format!("{id} 姓名"),
            role,
            &secret(&format!("{id} passphrase!")),
        )
        .unwrap();
}

fn pass_of(id: &str) -> String {
    format!("{id} passphrase!")
}

#[test]
fn a_new_store_opens_for_its_administrator_only() {
    let store = TestStore::new();
    let session = store.admin();
    assert_eq!(session.me().role, Role::Admin);
    assert_eq!(session.branch().code, "BJ0101");
    assert_eq!(session.branch().name, "北京西单支行");
    drop(session);
    assert!(matches!(
        store.login(ADMIN, "wrong passphrase!"),
        Err(Error::WrongCredentials)
    ));
    assert!(matches!(
        store.login("nobody", ADMIN_PASS),
        Err(Error::WrongCredentials)
    ));
}

#[test]
fn a_failed_login_leaves_database_and_slots_byte_identical() {
    let store = TestStore::new();
    let db = store.read("branchdesk.db");
    let slots = store.read("keyslots.json");
    assert!(store.login(ADMIN, "not the passphrase").is_err());
    assert_eq!(store.read("branchdesk.db"), db);
    assert_eq!(store.read("keyslots.json"), slots);
    assert!(store.paths.logins().exists());
}

#[test]
fn five_failures_lock_the_account_for_fifteen_minutes() {
    let store = TestStore::new();
    for attempt in 1..=4 {
        assert!(
            matches!(
                store.login(ADMIN, "nope nope nope"),
                Err(Error::WrongCredentials)
            ),
            "attempt {attempt}"
        );
        // Straight away, the next attempt must wait.
        assert!(matches!(
            store.login(ADMIN, ADMIN_PASS),
            Err(Error::TooSoon { .. })
        ));
        store.clock.advance(Duration::seconds(10));
    }
    assert!(matches!(
        store.login(ADMIN, "nope nope nope"),
        Err(Error::AccountLocked { .. })
    ));
    store.clock.advance(Duration::minutes(14));
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::AccountLocked { .. })
    ));
    store.clock.advance(Duration::minutes(1));
    let session = store.admin();
    // The login records how many failures preceded it.
    let rows = session.list_audit(None, 1).unwrap();
    assert_eq!(rows[0].action, "session.login");
    assert!(
        rows[0].detail.contains("\"failed_attempts_before\":5"),
        "{}",
        rows[0].detail
    );
}

#[test]
fn unknown_ids_are_locked_like_real_ones() {
    let store = TestStore::new();
    for _ in 0..5 {
        let _ = store.login("ghost01", "whatever whatever");
        store.clock.advance(Duration::seconds(10));
    }
    assert!(matches!(
        store.login("ghost01", "whatever whatever"),
        Err(Error::AccountLocked { .. })
    ));
}

#[test]
fn a_second_process_is_told_the_store_is_in_use() {
    let store = TestStore::new();
    let _first = store.admin();
    assert!(matches!(store.login(ADMIN, ADMIN_PASS), Err(Error::InUse)));
}

#[test]
fn staff_added_by_the_admin_can_log_in_with_their_role() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    assert!(matches!(
        admin.add_staff(
            "teller01",
            "again",
            Role::Teller,
            &secret("another long passphrase")
        ),
        Err(Error::StaffExists { .. })
    ));
    assert!(matches!(
        admin.add_staff("rm01", "短", Role::Rm, &secret("short")),
        Err(Error::Rule(_))
    ));
    drop(admin);
    let teller = store.login("teller01", &pass_of("teller01")).unwrap();
    assert_eq!(teller.me().role, Role::Teller);
}

#[test]
fn permissions_are_enforced_by_the_store() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    drop(admin);
    let mut teller = store.login("teller01", &pass_of("teller01")).unwrap();
    assert!(matches!(
        teller.add_staff("x0001", "X", Role::Admin, &secret("long enough passphrase")),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        teller.list_audit(None, 10),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        teller.list_staff(),
        Err(Error::PermissionDenied { .. })
    ));
    let target = store.dir.path().join("b.bdbak");
    assert!(matches!(
        teller.backup_to(&target, &mut |_| {}),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(!target.exists());
}

#[test]
fn a_disabled_members_old_slot_copy_no_longer_opens_the_database() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "rm01", Role::Rm);
    add(&mut admin, "teller01", Role::Teller);
    let old_slots = store.read("keyslots.json");
    admin.disable_staff("rm01").unwrap();
    drop(admin);

    // rm01 cannot log in any more, teller01 still can.
    assert!(store.login("rm01", &pass_of("rm01")).is_err());
    store.clock.advance(Duration::seconds(5));
    drop(store.login("teller01", &pass_of("teller01")).unwrap());

    // rm01's copy of the old keyslots.json still unwraps a key, but not the current one.
    let old = KeySlots::from_bytes(&old_slots).unwrap();
    let stale_key = old.open("rm01", &secret(&pass_of("rm01"))).unwrap().db_key;
    assert!(matches!(
        open_db(&store.paths.db(), &stale_key, false),
        Err(Error::DatabaseNotOurs { .. })
    ));
}

#[test]
fn the_last_admin_and_oneself_cannot_be_disabled() {
    let store = TestStore::new();
    let mut admin = store.admin();
    assert!(matches!(
        admin.disable_staff(ADMIN),
        Err(Error::CannotDisableSelf)
    ));
    add(&mut admin, "admin02", Role::Admin);
    drop(admin);
    let mut second = store.login("admin02", &pass_of("admin02")).unwrap();
    second.disable_staff(ADMIN).unwrap();
    assert!(matches!(
        second.disable_staff("admin02"),
        Err(Error::CannotDisableSelf)
    ));
}

#[test]
fn a_passphrase_change_rewraps_only_that_slot() {
    let store = TestStore::new();
    let mut admin = store.admin();
    let db_before = store.read("branchdesk.db").len();
    assert!(matches!(
        admin.change_own_passphrase(
            &secret("wrong current one"),
            &secret("a new long passphrase")
        ),
        Err(Error::WrongCredentials)
    ));
    store.clock.advance(Duration::seconds(5));
    assert!(matches!(
        admin.change_own_passphrase(&secret(ADMIN_PASS), &secret("short")),
        Err(Error::Rule(_))
    ));
    admin
        .change_own_passphrase(&secret(ADMIN_PASS), &secret("a new long passphrase"))
        .unwrap();
    drop(admin);
    assert!(db_before > 0);
    assert!(store.login(ADMIN, ADMIN_PASS).is_err());
    store.clock.advance(Duration::seconds(5));
    assert!(store.login(ADMIN, "a new long passphrase").is_ok());
}

#[test]
fn an_admin_reset_gives_a_new_passphrase_and_rekeys() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    let old_slots = KeySlots::from_bytes(&store.read("keyslots.json")).unwrap();
    admin
        .reset_passphrase("teller01", &secret("fresh teller passphrase"))
        .unwrap();
    drop(admin);
    let old_key = old_slots
        .open("teller01", &secret(&pass_of("teller01")))
        .unwrap()
        .db_key;
    assert!(open_db(&store.paths.db(), &old_key, false).is_err());
    assert!(store.login("teller01", "fresh teller passphrase").is_ok());
}

fn raw_connection(store: &TestStore) -> rusqlite::Connection {
    let slots = KeySlots::load(&store.paths.keyslots()).unwrap();
    let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
    open_db(&store.paths.db(), &key, false).unwrap()
}

#[test]
fn audit_verify_passes_then_names_a_tampered_row() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    add(&mut admin, "rm01", Role::Rm);
    assert!(matches!(admin.verify_audit().unwrap(), ChainVerdict::Intact { rows } if rows >= 4));
    drop(admin);

    // Someone with the key edits one byte of row 3 (the triggers must be dropped first).
    let conn = raw_connection(&store);
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_update;
         UPDATE audit_log SET detail = replace(detail, 'teller', 'tellex') WHERE id = 3;",
    )
    .unwrap();
    let changed: String = conn
        .query_row("SELECT detail FROM audit_log WHERE id = 3", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(changed.contains("tellex"), "{changed}");
    drop(conn);

    let admin = store.admin();
    assert_eq!(
        admin.verify_audit().unwrap(),
        ChainVerdict::Broken {
            row: 3,
            reason: ChainBreak::ContentChanged
        }
    );
    let report = admin.doctor().unwrap();
    assert!(!report.ok);
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.code == "audit_chain" && !c.ok)
    );
}

#[test]
fn every_write_lands_in_audit_and_outbox_together() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    drop(admin);
    let conn = raw_connection(&store);
    let outbox: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT seq, tbl, row_id, op FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Five settings and the admin at init, then teller01, each write followed by its audit
    // row (HQ keeps the audit trail too): a gapless sequence from 1.
    let seqs: Vec<i64> = outbox.iter().map(|r| r.0).collect();
    assert_eq!(seqs, (1..=outbox.len() as i64).collect::<Vec<_>>());
    let data: Vec<_> = outbox.iter().filter(|r| r.1 != "audit_log").collect();
    assert_eq!(data.len(), 7);
    let last = data.last().unwrap();
    assert_eq!(outbox.last().unwrap().1, "audit_log");
    let audit_rows: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outbox.len() - data.len(), audit_rows as usize);
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.3.as_str()),
        ("staff", "teller01", "insert")
    );
    let actions: Vec<String> = conn
        .prepare("SELECT action FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actions.first().map(String::as_str), Some("store.init"));
    assert!(actions.contains(&"staff.add".to_string()));
}

#[test]
fn a_store_from_a_newer_version_refuses_to_open_and_is_left_alone() {
    let store = TestStore::new();
    let conn = raw_connection(&store);
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = store.read("branchdesk.db");
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::NewerSchema { found: 99, .. })
    ));
    assert_eq!(store.read("branchdesk.db"), before);
}

#[test]
fn damaged_or_missing_key_slots_get_their_own_message() {
    let store = TestStore::new();
    let slots = store.read("keyslots.json");
    std::fs::write(store.paths.keyslots(), &slots[..slots.len() / 2]).unwrap();
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::KeyslotsDamaged { .. })
    ));
    std::fs::remove_file(store.paths.keyslots()).unwrap();
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::KeyslotsMissing { .. })
    ));
    std::fs::write(store.paths.keyslots(), &slots).unwrap();
    assert!(store.login(ADMIN, ADMIN_PASS).is_ok());
}

#[test]
fn a_foreign_or_damaged_database_is_refused() {
    let store = TestStore::new();
    let original = store.read("branchdesk.db");

    // Not ours at all.
    std::fs::write(store.paths.db(), b"SQLite format 3\0 but not really").unwrap();
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::DatabaseNotOurs { .. })
    ));

    // Page 1 with one flipped byte.
    let mut flipped = original.clone();
    flipped[100] ^= 0x01;
    std::fs::write(store.paths.db(), &flipped).unwrap();
    store.clock.advance(Duration::seconds(1));
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::DatabaseNotOurs { .. })
    ));

    // Another store's database with this store's key slots.
    let other = TestStore::new();
    std::fs::write(store.paths.db(), other.read("branchdesk.db")).unwrap();
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::DatabaseNotOurs { .. })
    ));

    std::fs::write(store.paths.db(), &original).unwrap();
    assert!(store.login(ADMIN, ADMIN_PASS).is_ok());
}

#[test]
fn a_flipped_byte_deep_in_the_file_is_caught_by_doctor() {
    let store = TestStore::new();
    let mut admin = store.admin();
    for i in 0..40 {
        add(&mut admin, &format!("teller{i:03}"), Role::Teller);
    }
    drop(admin);
    let mut bytes = store.read("branchdesk.db");
    let page = 4096;
    assert!(bytes.len() > 4 * page);
    let at = bytes.len() - page / 2;
    bytes[at] ^= 0x40;
    std::fs::write(store.paths.db(), &bytes).unwrap();
    match store.login(ADMIN, ADMIN_PASS) {
        Ok(admin) => {
            let report = admin.doctor().unwrap();
            assert!(!report.ok, "{report:?}");
            assert!(
                report
                    .checks
                    .iter()
                    .any(|c| c.code == "cipher_integrity" && !c.ok)
            );
        }
        Err(e) => assert!(matches!(e, Error::DatabaseDamaged), "{e:?}"),
    }
}

#[test]
fn no_file_in_the_store_shows_a_name_or_passphrase() {
    let store = TestStore::new();
    let mut admin = store.admin();
    admin
        .add_staff(
            "teller01",
            "欧阳娜娜",
            Role::Teller,
            &secret("teller01 passphrase!"),
        )
        .unwrap();
    drop(admin);
    let _ = store.login("teller01", "a wrong passphrase");
    let needles: [&[u8]; 5] = [
        "欧阳娜娜".as_bytes(),
        "北京西单支行".as_bytes(),
        "管理员甲".as_bytes(),
        b"teller01 passphrase!",
        ADMIN_PASS.as_bytes(),
    ];
    let mut checked = 0;
    for entry in walk(store.paths.dir()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} contains {:?}",
                entry.display(),
                String::from_utf8_lossy(needle)
            );
        }
        checked += 1;
    }
    assert!(checked >= 3);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn backup_and_restore_round_trip() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    let target = store.dir.path().join("monday.bdbak");
    let mut seen = Vec::new();
    let summary = admin.backup_to(&target, &mut |p| seen.push(p)).unwrap();
    assert_eq!(seen.last(), Some(&100));
    assert!(summary.bytes > 0);
    // A second backup to the same file is refused, not overwritten.
    assert!(matches!(
        admin.backup_to(&target, &mut |_| {}),
        Err(Error::BackupExists { .. })
    ));
    add(&mut admin, "rm01", Role::Rm);
    drop(admin);

    let summary = branchdesk::store::restore(
        &store.paths,
        &target,
        ADMIN,
        &secret(ADMIN_PASS),
        store.clock.clone(),
        options(),
    )
    .unwrap();
    assert_eq!(summary.branch_code, "BJ0101");
    assert!(summary.kept.iter().all(|p| p.exists()));

    let admin = store.admin();
    let ids: Vec<String> = admin
        .list_staff()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["admin01", "teller01"]);
    let actions: Vec<String> = admin
        .list_audit(None, 3)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(
        actions.contains(&"store.restore".to_string()),
        "{actions:?}"
    );
}

#[test]
fn a_tampered_or_truncated_backup_replaces_nothing() {
    let store = TestStore::new();
    let mut admin = store.admin();
    let target = store.dir.path().join("b.bdbak");
    admin.backup_to(&target, &mut |_| {}).unwrap();
    drop(admin);
    let db = store.read("branchdesk.db");
    let slots = store.read("keyslots.json");
    let good = std::fs::read(&target).unwrap();

    let truncated = store.dir.path().join("truncated.bdbak");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let mut flipped_bytes = good.clone();
    let n = flipped_bytes.len();
    flipped_bytes[n - 3000] ^= 0x10;
    let flipped = store.dir.path().join("flipped.bdbak");
    std::fs::write(&flipped, &flipped_bytes).unwrap();
    let junk = store.dir.path().join("junk.bdbak");
    std::fs::write(&junk, b"not a backup").unwrap();

    for bad in [&truncated, &flipped, &junk] {
        let result = branchdesk::store::restore(
            &store.paths,
            bad,
            ADMIN,
            &secret(ADMIN_PASS),
            store.clock.clone(),
            options(),
        );
        assert!(
            matches!(result, Err(Error::BackupInvalid { .. })),
            "{bad:?}: {result:?}"
        );
        assert_eq!(store.read("branchdesk.db"), db);
        assert_eq!(store.read("keyslots.json"), slots);
        assert!(!StorePaths::staged(&store.paths.db()).exists());
    }
    // The wrong passphrase for a good backup is a login failure, nothing else.
    let result = branchdesk::store::restore(
        &store.paths,
        &target,
        ADMIN,
        &secret("not my passphrase"),
        store.clock.clone(),
        options(),
    );
    assert!(matches!(result, Err(Error::WrongCredentials)));
    assert_eq!(store.read("branchdesk.db"), db);
}

#[test]
fn an_interrupted_disable_is_finished_at_the_next_login() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "rm01", Role::Rm);
    let slots_with_rm = store.read("keyslots.json");
    admin.disable_staff("rm01").unwrap();
    drop(admin);
    // Simulate a crash that left rm01's slot behind, sealed to the current key: rebuild it.
    let current = KeySlots::load(&store.paths.keyslots()).unwrap();
    let key = current.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
    let mut stale = KeySlots::from_bytes(&slots_with_rm).unwrap();
    stale.reseal_all(&key).unwrap();
    stale.save(&store.paths.keyslots()).unwrap();
    assert!(stale.open("rm01", &secret(&pass_of("rm01"))).is_ok());

    // rm01 cannot log in (disabled), and the admin's next login purges the slot and rekeys.
    assert!(matches!(
        store.login("rm01", &pass_of("rm01")),
        Err(Error::WrongCredentials)
    ));
    drop(store.admin());
    let after = KeySlots::load(&store.paths.keyslots()).unwrap();
    assert!(after.slot("rm01").is_none());
    assert!(open_db(&store.paths.db(), &key, false).is_err());
}

#[test]
fn a_truncated_database_is_refused_with_a_sentence() {
    let store = TestStore::new();
    let mut admin = store.admin();
    for i in 0..40 {
        add(&mut admin, &format!("teller{i:03}"), Role::Teller);
    }
    drop(admin);
    let bytes = store.read("branchdesk.db");
    std::fs::write(store.paths.db(), &bytes[..bytes.len() / 3]).unwrap();
    match store.login(ADMIN, ADMIN_PASS) {
        Err(Error::DatabaseDamaged | Error::DatabaseNotOurs { .. }) => {}
        Ok(admin) => {
            // Page 1 survived: the damage shows as soon as the missing pages are read.
            assert!(matches!(admin.list_staff(), Err(Error::DatabaseDamaged)));
        }
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_backup_restores_onto_a_new_machine() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    let target = store.dir.path().join("b.bdbak");
    admin.backup_to(&target, &mut |_| {}).unwrap();
    drop(admin);

    let elsewhere = StorePaths::new(store.dir.path().join("new-terminal"));
    let summary = branchdesk::store::restore(
        &elsewhere,
        &target,
        ADMIN,
        &secret(ADMIN_PASS),
        store.clock.clone(),
        options(),
    )
    .unwrap();
    assert!(summary.kept.is_empty(), "nothing was there to keep");
    let teller = Session::unlock(
        &elsewhere,
        "teller01",
        &secret(&pass_of("teller01")),
        store.clock.clone(),
        options(),
    )
    .unwrap();
    assert_eq!(teller.branch().code, "BJ0101");
}

#[test]
fn a_teller_cannot_restore_even_with_a_good_backup() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    let target = store.dir.path().join("b.bdbak");
    admin.backup_to(&target, &mut |_| {}).unwrap();
    drop(admin);
    let db = store.read("branchdesk.db");
    let result = branchdesk::store::restore(
        &store.paths,
        &target,
        "teller01",
        &secret(&pass_of("teller01")),
        store.clock.clone(),
        options(),
    );
    assert!(
        matches!(result, Err(Error::PermissionDenied { .. })),
        "{result:?}"
    );
    assert_eq!(store.read("branchdesk.db"), db);
}

/// Failed logins reach the audit trail — when, and the staff ID as typed, never the
/// passphrase or anything typed that is not a staff ID — at the next login; a failed unlock
/// of a locked screen goes in at once.
#[test]
fn failed_logins_and_unlocks_are_in_the_audit_trail() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "auditor01", Role::Auditor);
    drop(admin);
    assert!(store.login("teller99", "wrong passphrase!").is_err());
    assert!(
        store.login("Tr0ub4dor&3 horse", "x").is_err(),
        "a passphrase in the ID field"
    );
    let ledger = String::from_utf8(store.read("logins.json")).unwrap();
    assert!(ledger.contains("teller99"));
    assert!(
        !ledger.contains("wrong passphrase") && !ledger.contains("Tr0ub4dor"),
        "{ledger}"
    );

    store.clock.advance(Duration::seconds(10));
    let mut auditor = store.login("auditor01", &pass_of("auditor01")).unwrap();
    let rows = auditor.list_audit(None, 20).unwrap();
    let failed: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.action == "session.login_failed")
        .map(|r| (r.actor.as_str(), r.entity_id.as_str()))
        .collect();
    assert_eq!(failed.len(), 2, "{rows:#?}");
    assert!(failed.iter().any(|(_, typed)| *typed == "teller99"));
    assert!(failed.iter().any(|(_, typed)| *typed == "?"));
    assert!(
        rows.iter()
            .all(|r| !r.detail.contains("Tr0ub4dor") && !r.detail.contains("wrong"))
    );
    let ledger: serde_json::Value = serde_json::from_slice(&store.read("logins.json")).unwrap();
    assert_eq!(
        ledger["failed"],
        serde_json::json!([]),
        "written once, then forgotten"
    );

    assert!(
        auditor
            .verify_passphrase(&secret("not mine at all!"))
            .is_err()
    );
    let last = &auditor.list_audit(None, 1).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("session.unlock_failed", "auditor01")
    );
    // Counted once: the next login of someone else does not write it again.
    drop(auditor);
    let admin = store.admin();
    let again = admin
        .list_audit(None, 50)
        .unwrap()
        .iter()
        .filter(|r| r.action == "session.login_failed")
        .count();
    assert_eq!(again, 2);
}

/// The key slots' demo flag is read before login (to offer the demo passphrase) and is not
/// sealed, so it must agree with the encrypted database: flipped, the store does not open.
#[test]
fn a_flipped_demo_flag_in_the_key_slots_is_refused() {
    let store = TestStore::new();
    let path = store.paths.keyslots();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"demo\": false") || text.contains("\"demo\":false"),
        "{text}"
    );
    let flipped = text
        .replace("\"demo\": false", "\"demo\": true")
        .replace("\"demo\":false", "\"demo\":true");
    std::fs::write(&path, flipped).unwrap();
    assert!(matches!(
        store.login(ADMIN, ADMIN_PASS),
        Err(Error::KeyslotsDamaged { .. })
    ));
    std::fs::write(&path, text).unwrap();
    assert!(store.login(ADMIN, ADMIN_PASS).is_ok());
}

/// Deleting or editing `logins.json` does not reset the failed-login counters: every account
/// is locked for fifteen minutes from when it is noticed, then until an administrator logs
/// in — which is audited and starts a new record. Stripping the guard from the key slots is
/// noticed the same way.
#[test]
fn a_deleted_or_edited_failed_login_record_locks_every_account_until_an_administrator() {
    let store = TestStore::new();
    let mut admin = store.admin();
    add(&mut admin, "teller01", Role::Teller);
    drop(admin);
    assert!(matches!(
        store.login("teller01", "wrong wrong wrong"),
        Err(Error::WrongCredentials)
    ));
    let record = store.paths.logins();
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("\"mac\""), "{text}");

    for tamper in ["delete", "edit"] {
        match tamper {
            "delete" => std::fs::remove_file(&record).unwrap(),
            _ => {
                let edited = std::fs::read_to_string(&record)
                    .unwrap()
                    .replace("\"failures\": 1", "\"failures\": 0");
                std::fs::write(&record, edited).unwrap();
            }
        }
        for id in [ADMIN, "teller01"] {
            let pass = if id == ADMIN {
                ADMIN_PASS.to_string()
            } else {
                pass_of(id)
            };
            assert!(
                matches!(
                    store.login(id, &pass),
                    Err(Error::LoginRecordTampered { until: Some(_) })
                ),
                "{tamper}: {id} is locked at once"
            );
        }
        // Deleting it again while locked changes nothing.
        if tamper == "delete" {
            std::fs::remove_file(&record).unwrap();
            store.clock.advance(Duration::minutes(10));
            assert!(matches!(
                store.login(ADMIN, ADMIN_PASS),
                Err(Error::LoginRecordTampered { until: Some(_) })
            ));
        }
        store.clock.advance(Duration::minutes(16));
        assert!(matches!(
            store.login("teller01", &pass_of("teller01")),
            Err(Error::LoginRecordTampered { until: None })
        ));
        let admin = store.admin();
        let rows = admin.list_audit(None, 5).unwrap();
        assert!(
            rows.iter()
                .any(|r| r.action == "session.login_record_reset"),
            "{tamper}: {rows:?}"
        );
        drop(admin);
        assert!(
            store.login("teller01", &pass_of("teller01")).is_ok(),
            "{tamper}"
        );
        assert!(matches!(
            store.login("teller01", "wrong wrong wrong"),
            Err(Error::WrongCredentials)
        ));
        store.clock.advance(Duration::seconds(10));
    }

    // A key-slots file without its login guard is noticed after the passphrase.
    let slots_path = store.paths.keyslots();
    let slots = std::fs::read_to_string(&slots_path).unwrap();
    let stripped: String = slots
        .lines()
        .filter(|l| !l.contains("\"login_guard\""))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&slots_path, stripped).unwrap();
    assert!(matches!(
        store.login("teller01", &pass_of("teller01")),
        Err(Error::LoginRecordTampered { until: None })
    ));
    drop(store.admin());
    assert!(
        std::fs::read_to_string(&slots_path)
            .unwrap()
            .contains("\"login_guard\"")
    );
    assert!(store.login("teller01", &pass_of("teller01")).is_ok());
}
