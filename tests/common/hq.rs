//! A headquarters and its branches for the tests across stores: HQ holding branch BJ0101's
//! two clients, a second branch BJ0102, a member's session at a branch (at an hour of the
//! tests' day), a branch's changes sent to HQ, an extract delivered end to end.

use super::*;
use crate::common::backend::Backend;
use branchdesk::domain::client::{ClientInput, ClientRecord, validate};
use branchdesk::domain::clock::FixedClock;
use branchdesk::domain::staff::Role;
use branchdesk::store::{Session, StorePaths};
use chrono::{TimeZone, Utc};
use std::path::Path;
use std::sync::Arc;

const PASS: &str = ADMIN_PASS;

/// HQ, after importing branch BJ0101's two clients (王芳 BJ0101-0000001 and 李娜
/// BJ0101-0000002, ID 110101199003070011).
pub fn hq_with_clients(dir: &Path, backend: &Backend) -> Session {
    let mut hq = create_store(&StorePaths::new(dir.join("HQ")), "HQ");
    let keys = hq.become_hq(backend.database()).unwrap();
    let hq_file = dir.join("hq-keys.toml");
    std::fs::write(&hq_file, keys.to_toml()).unwrap();
    let branch_paths = StorePaths::new(dir.join("BJ0101"));
    let mut admin = create_store(&branch_paths, "BJ0101");
    admin
        .add_staff("mgr01", "经理", Role::Manager, &secret(PASS))
        .unwrap();
    admin.trust_hq(&hq_file, None).unwrap();
    let branch_keys = dir.join("branch-keys.toml");
    std::fs::write(&branch_keys, admin.sync_keys().unwrap().to_toml()).unwrap();
    hq.trust_branch(&branch_keys).unwrap();
    drop(admin);
    let mut mgr =
        Session::unlock(&branch_paths, "mgr01", &secret(PASS), clock(), options()).unwrap();
    for (name, id) in [
        ("王芳", "11010519491231002X"),
        ("李娜", "110101199003070011"),
    ] {
        let input = ClientInput {
            name: name.into(),
            id_number: id.into(),
            ..Default::default()
        };
        mgr.create_client(&input).unwrap();
    }
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let bundle = mgr
        .export_bundle(&out, &mut |_, _| {})
        .unwrap()
        .file
        .unwrap();
    drop(mgr);
    hq.hq_import(&bundle).unwrap();
    hq
}

/// HQ's administrator logged in again (HQ was made by [`hq_with_clients`]).
pub fn at_hq(dir: &Path) -> Session {
    Session::unlock(
        &StorePaths::new(dir.join("HQ")),
        ADMIN,
        &secret(ADMIN_PASS),
        clock(),
        options(),
    )
    .unwrap()
}

/// A member's session at branch BJ0101 (every test member's passphrase is PASS).
pub fn at_branch(dir: &Path, id: &str) -> Session {
    Session::unlock(
        &StorePaths::new(dir.join("BJ0101")),
        id,
        &secret(PASS),
        clock(),
        options(),
    )
    .unwrap()
}

/// HQ imports `csv` as the extract of `day` and publishes; BJ0101 applies its part.
pub fn deliver(hq: &mut Session, dir: &Path, csv: &str, day: &str) {
    let extract = dir.join("extract.csv");
    std::fs::write(&extract, csv).unwrap();
    hq.hq_import_holdings(&extract, day, false).unwrap();
    let out = dir.join("published");
    std::fs::create_dir_all(&out).unwrap();
    let file = hq.publish_holdings(&out).unwrap().remove(0).file;
    at_branch(dir, "mgr01").import_holdings(&file).unwrap();
}

/// The client agrees to marketing.
pub fn consents(dir: &Path, client_no: &str) {
    at_branch(dir, "mgr01")
        .edit_client_fields(
            client_no,
            &[(
                branchdesk::domain::client::ClientField::ConsentMarketing,
                "yes".into(),
            )],
        )
        .unwrap();
}

/// A session of `id` at `branch` with the clock at `hour`:00 on the tests' day.
pub fn at(dir: &Path, branch: &str, id: &str, hour: u32) -> Session {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 30, hour, 0, 0).unwrap(),
    ));
    Session::unlock(
        &StorePaths::new(dir.join(branch)),
        id,
        &secret(PASS),
        clock,
        options(),
    )
    .unwrap()
}

/// Branch BJ0102, trusted by HQ, with manager mgr02.
pub fn second_branch(dir: &Path, hq: &mut Session) {
    let mut admin = create_store(&StorePaths::new(dir.join("BJ0102")), "BJ0102");
    admin
        .add_staff("mgr02", "经理乙", Role::Manager, &secret(PASS))
        .unwrap();
    admin.trust_hq(&dir.join("hq-keys.toml"), None).unwrap();
    let keys = dir.join("bj0102-keys.toml");
    std::fs::write(&keys, admin.sync_keys().unwrap().to_toml()).unwrap();
    hq.trust_branch(&keys).unwrap();
}

/// `session`'s changes, exported and imported at HQ.
pub fn send(session: &mut Session, hq: &mut Session, dir: &Path) {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    if let Some(bundle) = session.export_bundle(&out, &mut |_, _| {}).unwrap().file {
        hq.hq_import(&bundle).unwrap();
    }
}

/// HQ publishes its latest extract again: `branch`'s file.
pub fn published_for(hq: &mut Session, dir: &Path, branch: &str) -> std::path::PathBuf {
    // Each publication in a folder of its own (a file is never overwritten).
    static PUBLISHED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PUBLISHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = dir.join(format!("published-{n}"));
    std::fs::create_dir_all(&out).unwrap();
    hq.publish_holdings(&out)
        .unwrap()
        .into_iter()
        .find(|p| p.branch == branch)
        .expect("the branch has holdings")
        .file
}

/// 张伟, registered at BJ0102 with BJ0101 as home branch, is sent to HQ; HQ's extract has
/// a deposit of each of BJ0101's clients.
pub fn zhang_wei_registered_at_bj0102(dir: &Path, backend: &Backend) -> Session {
    let mut hq = hq_with_clients(dir, backend);
    second_branch(dir, &mut hq);
    let mut bj0102 = at(dir, "BJ0102", "mgr02", 9);
    let record = record("张伟", "110101198001010010", "13800000001");
    let loaded = bj0102
        .load_clients(
            &mut std::iter::once((record, "BJ0101".to_string())),
            "test",
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(loaded.added, 1);
    send(&mut bj0102, &mut hq, dir);
    let extract = dir.join("extract.csv");
    std::fs::write(
        &extract,
        "客户号,产品代码,账号,余额,开户日期\n\
         BJ0101-0000001,DEP-DEMAND,A001,1000,2024-01-01\n\
         BJ0102-0000001,DEP-DEMAND,A002,2000,2024-01-01\n",
    )
    .unwrap();
    hq.hq_import_holdings(&extract, "2026-11-29", false)
        .unwrap();
    hq
}

pub fn record(name: &str, id_number: &str, phone: &str) -> ClientRecord {
    let input = ClientInput {
        name: name.into(),
        id_number: id_number.into(),
        phone: phone.into(),
        ..ClientInput::default()
    };
    validate(
        &input,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    )
    .unwrap()
}

/// HQ publishes its latest extract again; the branch `session` is at applies its part.
pub fn publish_to(
    session: &mut Session,
    hq: &mut Session,
    dir: &Path,
) -> branchdesk::store::HoldingsApplied {
    let branch = session.branch().code.clone();
    session
        .import_holdings(&published_for(hq, dir, &branch))
        .unwrap()
}
