//! `branchdesk bench sync`: a branch with N changes waiting (half a bulk load of clients,
//! half contact-log entries, each its own change) exports them; HQ imports the bundle; the
//! same rows are then inserted raw into HQ's database, the physical limit the import is
//! compared with.

use crate::demo::synthetic::Generator;
use crate::domain::clock::Clock;
use crate::domain::staff::Role;
use crate::error::{Error, Result};
use crate::store::{NewStore, Session, StoreOptions, StorePaths};
use secrecy::SecretString;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The targets.
pub const EXPORT_TARGET_S: f64 = 5.0;
pub const IMPORT_TARGET_S: f64 = 5.0;
pub const RAW_RATE_TARGET: f64 = 0.3;
pub const SIZE_TARGET: f64 = 0.40;

#[derive(Debug, Clone, Serialize)]
pub struct SyncBenchReport {
    pub ops: u64,
    pub clients: u64,
    pub contacts: u64,
    pub export_s: f64,
    pub ndjson_bytes: u64,
    pub bundle_bytes: u64,
    /// Bundle size over the raw NDJSON.
    pub size_ratio: f64,
    pub import_s: f64,
    pub import_ops_per_s: f64,
    pub raw_insert_s: f64,
    pub raw_ops_per_s: f64,
    /// Import rate over the raw insert rate.
    pub import_vs_raw: f64,
    pub targets_met: bool,
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PASS: &str = "benchmark passphrase";

fn create(dir: &Path, code: &str, clock: Arc<dyn Clock>) -> Result<Session> {
    Session::create(
        &StorePaths::new(dir.join(code)),
        NewStore {
            branch_code: code.into(),
            branch_name: format!("{code} benchmark"),
            admin_id: "admin01".into(),
            admin_name: "admin01".into(),
            admin_passphrase: SecretString::from(PASS),
            demo: true,
        },
        clock,
        StoreOptions::default(),
    )
}

pub(crate) fn login(dir: &Path, code: &str, id: &str, clock: Arc<dyn Clock>) -> Result<Session> {
    Session::unlock(
        &StorePaths::new(dir.join(code)),
        id,
        &SecretString::from(PASS),
        clock,
        StoreOptions::default(),
    )
}

/// HQ and its branch BJ0101 (manager mgr01), the branch holding `clients` generated
/// clients not yet sent.
pub(crate) fn hq_and_branch(
    dir: &Path,
    clients: u64,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<(Session, Session)> {
    let mut hq = create(dir, "HQ", clock.clone())?;
    let hq_keys = hq.become_hq(None)?;
    let hq_file = dir.join("hq-keys.toml");
    crate::store::write_public_file(&hq_file, hq_keys.to_toml().as_bytes())?;
    let mut admin = create(dir, "BJ0101", clock.clone())?;
    admin.add_staff("mgr01", "mgr01", Role::Manager, &SecretString::from(PASS))?;
    admin.trust_hq(&hq_file, None)?;
    let branch_file = dir.join("branch-keys.toml");
    crate::store::write_public_file(&branch_file, admin.sync_keys()?.to_toml().as_bytes())?;
    hq.trust_branch(&branch_file)?;
    drop(admin);

    let mut branch = login(dir, "BJ0101", "mgr01", clock)?;
    progress("clients");
    let today = branch.today_local();
    let mut generator = Generator::new(7, today, "BJ0101", Some("mgr01"), clients);
    let mut records = (0..clients).map(|_| {
        let client = generator.next_client();
        (client.record, client.home_branch)
    });
    branch.load_clients(&mut records, "bench", &mut |_| {})?;
    Ok((hq, branch))
}

/// A folder of the benchmark's own, removed when dropped.
pub(crate) fn scratch(name: &str) -> Result<(PathBuf, impl Drop)> {
    let dir = std::env::temp_dir().join(format!("branchdesk-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    crate::store::create_private_dir(&dir)?;
    Ok((dir.clone(), Scratch(dir)))
}

pub fn run(
    ops: u64,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<SyncBenchReport> {
    let (dir, _scratch) = scratch("sync")?;

    progress("stores");
    let clients = ops / 2;
    let contacts = ops - clients;
    let (mut hq, mut branch) = hq_and_branch(&dir, clients, clock, progress)?;
    progress("contact log");
    branch.bench_contact_log(contacts)?;

    progress("export");
    let started = Instant::now();
    let report = branch.export_bundle(&dir, &mut |_, _| {})?;
    let export_s = started.elapsed().as_secs_f64();
    let file = report
        .file
        .clone()
        .ok_or_else(|| Error::internal("the benchmark export wrote nothing"))?;

    progress("import");
    let started = Instant::now();
    hq.hq_import(&file)?;
    let import_s = started.elapsed().as_secs_f64();

    progress("raw insert");
    let bundle_ops = hq.bench_bundle_ops(&file)?;
    let (rows, raw_insert_s) = hq.bench_raw_insert(&bundle_ops)?;
    let import_ops_per_s = report.ops as f64 / import_s.max(1e-9);
    let raw_ops_per_s = rows as f64 / raw_insert_s.max(1e-9);
    let size_ratio = report.bundle_bytes as f64 / report.raw_bytes.max(1) as f64;
    let import_vs_raw = import_ops_per_s / raw_ops_per_s.max(1e-9);
    Ok(SyncBenchReport {
        ops: report.ops,
        clients,
        contacts,
        export_s,
        ndjson_bytes: report.raw_bytes,
        bundle_bytes: report.bundle_bytes,
        size_ratio,
        import_s,
        import_ops_per_s,
        raw_insert_s,
        raw_ops_per_s,
        import_vs_raw,
        targets_met: export_s <= EXPORT_TARGET_S
            && import_s <= IMPORT_TARGET_S
            && import_vs_raw >= RAW_RATE_TARGET
            && size_ratio <= SIZE_TARGET,
    })
}
