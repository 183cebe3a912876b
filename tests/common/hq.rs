//! A headquarters and its branch BJ0101 for the portfolio tests: HQ holding the branch's
//! two clients, a member's session at the branch, an extract delivered end to end.

use super::*;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::staff::Role;
use branchdesk::store::{Session, StorePaths};
use std::path::Path;

const PASS: &str = ADMIN_PASS;

/// HQ, after importing branch BJ0101's two clients (王芳 BJ0101-0000001 and 李娜
/// BJ0101-0000002, ID 110101199003070011).
pub fn hq_with_clients(dir: &Path) -> Session {
    let mut hq = create_store(&StorePaths::new(dir.join("HQ")), "HQ");
    let keys = hq.become_hq().unwrap();
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
