//! A restore cannot undo what was done to staff after the backup, and the audit trail is
//! anchored outside the database: a trail cut short or swapped for an older copy is
//! reported, while a restore records the trail it replaced.

mod common;

use branchdesk::Error;
use branchdesk::domain::audit::ChainVerdict;
use branchdesk::domain::staff::Role;
use branchdesk::store::{KeySlots, open_db};
use common::*;

fn pass_of(id: &str) -> String {
    format!("{id} passphrase!")
}

fn add(store: &TestStore, id: &str, role: Role) {
    store
        .admin()
        .add_staff(id, id, role, &secret(&pass_of(id)))
        .unwrap();
}

fn restore(
    store: &TestStore,
    file: &std::path::Path,
    id: &str,
    pass: &str,
) -> branchdesk::Result<branchdesk::store::RestoreSummary> {
    branchdesk::store::restore(
        &store.paths,
        file,
        id,
        &secret(pass),
        store.clock.clone(),
        options(),
    )
}

fn backup(store: &TestStore, name: &str) -> std::path::PathBuf {
    let target = store.dir.path().join(name);
    store.admin().backup_to(&target, &mut |_| {}).unwrap();
    target
}

#[test]
fn a_restore_keeps_later_disablements_and_passphrase_resets() {
    let store = TestStore::new();
    add(&store, "admin02", Role::Admin);
    add(&store, "teller01", Role::Teller);
    add(&store, "teller02", Role::Teller);
    let file = backup(&store, "monday.bdbak");
    let slots_before = store.read("keyslots.json");

    let mut admin = store.admin();
    admin.disable_staff("teller01").unwrap();
    admin.disable_staff("admin02").unwrap();
    admin
        .reset_passphrase("teller02", &secret("teller02 new passphrase"))
        .unwrap();
    admin
        .add_staff("rm01", "rm01", Role::Rm, &secret(&pass_of("rm01")))
        .unwrap();
    drop(admin);

    // admin02, disabled since the backup, cannot restore it, even with the passphrase the
    // backup knows; nothing is replaced.
    let db = store.read("branchdesk.db");
    assert!(matches!(
        restore(&store, &file, "admin02", &pass_of("admin02")),
        Err(Error::WrongCredentials)
    ));
    assert_eq!(store.read("branchdesk.db"), db);

    store.clock.advance(chrono::Duration::minutes(1));
    let summary = restore(&store, &file, ADMIN, ADMIN_PASS).unwrap();
    assert_eq!(summary.staff.disabled, ["admin02", "teller01"]);
    assert_eq!(summary.staff.replaced, ["teller02"]);
    assert_eq!(summary.staff.not_in_backup, ["rm01"]);

    // teller01 stays disabled, teller02's old passphrase stays reset.
    assert!(matches!(
        store.login("teller01", &pass_of("teller01")),
        Err(Error::WrongCredentials)
    ));
    assert!(matches!(
        store.login("teller02", &pass_of("teller02")),
        Err(Error::WrongCredentials)
    ));
    store.clock.advance(chrono::Duration::minutes(1));
    store
        .login("teller02", "teller02 new passphrase")
        .expect("the reset passphrase is in force");
    let admin = store.admin();
    let teller01 = admin
        .list_staff()
        .unwrap()
        .into_iter()
        .find(|s| s.id == "teller01")
        .unwrap();
    assert_eq!(teller01.status.code(), "disabled");
    drop(admin);

    // The key slots from before the disablement open nothing in the restored store.
    let old = KeySlots::from_bytes(&slots_before).unwrap();
    let old_key = old
        .open("teller01", &secret(&pass_of("teller01")))
        .unwrap()
        .db_key;
    assert!(open_db(&store.paths.db(), &old_key, false).is_err());
}

#[test]
fn a_restore_by_an_administrator_whose_passphrase_changed_uses_todays() {
    let store = TestStore::new();
    let file = backup(&store, "b.bdbak");
    store
        .admin()
        .change_own_passphrase(&secret(ADMIN_PASS), &secret("a brand new admin passphrase"))
        .unwrap();
    assert!(matches!(
        restore(&store, &file, ADMIN, ADMIN_PASS),
        Err(Error::WrongCredentials)
    ));
    store.clock.advance(chrono::Duration::minutes(1));
    let summary = restore(&store, &file, ADMIN, "a brand new admin passphrase").unwrap();
    assert_eq!(summary.staff.replaced, [ADMIN]);
    store.login(ADMIN, "a brand new admin passphrase").unwrap();
}

fn verdict(store: &TestStore) -> ChainVerdict {
    store.admin().verify_audit().unwrap()
}

#[test]
fn a_trail_put_back_to_an_older_copy_is_reported_shorter_than_its_anchor() {
    let store = TestStore::new();
    add(&store, "teller01", Role::Teller);
    // A copy of the store's files, taken behind its back.
    let old_db = store.read("branchdesk.db");
    for id in ["teller02", "teller03"] {
        add(&store, id, Role::Teller);
    }
    let ChainVerdict::Intact { rows: reached } = verdict(&store) else {
        panic!("intact before");
    };
    std::fs::write(store.paths.db(), &old_db).unwrap();

    let found = verdict(&store);
    match &found {
        ChainVerdict::Shortened {
            rows,
            anchored_rows,
            ..
        } => {
            assert!(*rows < reached, "{rows} < {reached}");
            assert!(*anchored_rows >= reached as i64);
        }
        other => panic!("{other:?}"),
    }
    let en = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
    let sentence = branchdesk::error::verdict_message(en, &found);
    assert!(
        sentence.starts_with("The audit trail ends at"),
        "{sentence}"
    );
    let doctor = store.admin().doctor().unwrap();
    assert!(!doctor.ok);
    let check = doctor
        .checks
        .iter()
        .find(|c| c.code == "audit_anchor")
        .unwrap();
    assert!(!check.ok && check.detail.contains("shortened"), "{check:?}");
    // Logging in and working on does not move the anchor over the shortened trail: once
    // the trail is as long again, the anchored row is another row.
    for id in ["teller04", "teller05", "teller06"] {
        add(&store, id, Role::Teller);
    }
    assert!(matches!(
        verdict(&store),
        ChainVerdict::Shortened { .. } | ChainVerdict::Replaced { .. }
    ));
    let en = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
    let sentence = branchdesk::error::verdict_message(en, &found);
    assert!(
        sentence.starts_with("The audit trail ends at"),
        "{sentence}"
    );

    // A manager may not wave it away; an administrator re-anchors, and it is on record.
    add(&store, "manager01", Role::Manager);
    let mut manager = store.login("manager01", &pass_of("manager01")).unwrap();
    assert!(matches!(
        manager.reanchor_audit(),
        Err(Error::PermissionDenied { .. })
    ));
    drop(manager);
    let mut admin = store.admin();
    assert!(admin.reanchor_audit().unwrap().is_intact());
    let last = admin.list_audit(None, 1).unwrap();
    assert_eq!(last[0].action, "audit.reanchor");
    assert!(
        last[0].detail.contains("\"anchored_at\""),
        "{}",
        last[0].detail
    );
}

#[test]
fn an_edited_or_deleted_anchor_is_reported() {
    let store = TestStore::new();
    add(&store, "teller01", Role::Teller);
    assert!(verdict(&store).is_intact());
    let anchor = store.paths.audit_anchor();
    let text = std::fs::read_to_string(&anchor).unwrap();
    assert!(text.contains("\"row\""), "{text}");

    std::fs::write(&anchor, text.replace("\"row\": ", "\"row\": 1")).unwrap();
    assert!(matches!(verdict(&store), ChainVerdict::AnchorLost { .. }));
    std::fs::remove_file(&anchor).unwrap();
    assert!(matches!(verdict(&store), ChainVerdict::AnchorLost { .. }));
    assert!(store.admin().reanchor_audit().unwrap().is_intact());
}

#[test]
fn a_restore_records_the_trail_it_replaced_and_anchors_the_restored_one() {
    let store = TestStore::new();
    let file = backup(&store, "b.bdbak");
    for id in ["teller01", "teller02", "teller03"] {
        add(&store, id, Role::Teller);
    }
    let ChainVerdict::Intact { rows: reached } = verdict(&store) else {
        panic!("intact before");
    };
    let summary = restore(&store, &file, ADMIN, ADMIN_PASS).unwrap();
    let replaced = summary.replaced_trail_rows.unwrap();
    assert!(replaced >= reached as i64, "{replaced} >= {reached}");

    // The restored trail is shorter than the one replaced, and says so itself.
    let admin = store.admin();
    match admin.verify_audit().unwrap() {
        ChainVerdict::Intact { rows } => assert!((rows as i64) < replaced),
        other => panic!("{other:?}"),
    }
    let rows = admin.list_audit(None, 10).unwrap();
    let restore_row = rows.iter().find(|r| r.action == "store.restore").unwrap();
    assert!(
        restore_row
            .detail
            .contains(&format!("\"replaced_trail_rows\":{replaced}")),
        "{}",
        restore_row.detail
    );
}

#[test]
fn a_folder_whose_key_slots_are_gone_is_restored_over_only_when_asked_to() {
    let store = TestStore::new();
    add(&store, "teller01", Role::Teller);
    let file = backup(&store, "b.bdbak");
    std::fs::remove_file(store.paths.keyslots()).unwrap();
    assert!(matches!(
        restore(&store, &file, ADMIN, ADMIN_PASS),
        Err(Error::RestoreWithoutSlots)
    ));
    branchdesk::store::restore_with(
        &store.paths,
        &file,
        ADMIN,
        &secret(ADMIN_PASS),
        store.clock.clone(),
        options(),
        true,
    )
    .unwrap();
    let admin = store.admin();
    let last = admin.list_audit(None, 5).unwrap();
    let row = last.iter().find(|r| r.action == "store.restore").unwrap();
    assert!(
        row.detail.contains("\"without_slots_in_force\":true"),
        "{}",
        row.detail
    );
}
