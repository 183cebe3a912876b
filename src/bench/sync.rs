//! `branchdesk bench sync`: a branch with N changes waiting (half a bulk load of clients,
//! half contact-log entries, each its own change) exports them; HQ imports the bundle; the
//! same rows are then inserted raw into HQ's database, the physical limit the import is
//! compared with. With `--database`, a second HQ (the same keys) consolidating into
//! PostgreSQL imports the same bundle, side by side, against a raw binary COPY of the
//! same rows into the same server.

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
/// HQ's import on PostgreSQL over a raw binary COPY of the same rows.
pub const COPY_RATE_TARGET: f64 = 0.5;

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
    /// The same bundle imported by HQ on PostgreSQL (`--database`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres: Option<PostgresFigures>,
    pub targets_met: bool,
}

/// HQ's import on PostgreSQL against a raw binary COPY of the same rows.
#[derive(Debug, Clone, Serialize)]
pub struct PostgresFigures {
    pub import_s: f64,
    pub import_ops_per_s: f64,
    pub raw_copy_s: f64,
    pub raw_copy_rows_per_s: f64,
    /// Import rate over the raw COPY rate.
    pub import_vs_raw_copy: f64,
    /// Binary COPY of the rows HQ stored, as stored, into tables of the same columns and
    /// indexes: what holding them costs the database, with none of the import's own work.
    pub stored_copy_s: f64,
    /// Import rate over the rate of that COPY.
    pub import_vs_stored_copy: f64,
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PASS: &str = "benchmark passphrase";

pub(crate) fn create(dir: &Path, code: &str, clock: Arc<dyn Clock>) -> Result<Session> {
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
    let (hq, branch, _) = hqs_and_branch(dir, clients, None, clock, progress)?;
    Ok((hq, branch))
}

/// [`hq_and_branch`], and with `database` a second HQ with the same keys (its store copied
/// before any branch was trusted) consolidating into that PostgreSQL database.
fn hqs_and_branch(
    dir: &Path,
    clients: u64,
    database: Option<&str>,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<(Session, Session, Option<Session>)> {
    let mut hq = create(dir, "HQ", clock.clone())?;
    let hq_keys = hq.become_hq(None)?;
    let mut on_postgres = match database {
        Some(url) => {
            drop(hq);
            copy_store(&dir.join("HQ"), &dir.join("HQ-PG"))?;
            hq = login(dir, "HQ", "admin01", clock.clone())?;
            let mut pg = login(dir, "HQ-PG", "admin01", clock.clone())?;
            pg.become_hq(Some(url))?;
            Some(pg)
        }
        None => None,
    };
    let hq_file = dir.join("hq-keys.toml");
    crate::store::write_public_file(&hq_file, hq_keys.to_toml().as_bytes())?;
    let mut admin = create(dir, "BJ0101", clock.clone())?;
    admin.add_staff("mgr01", "mgr01", Role::Manager, &SecretString::from(PASS))?;
    admin.trust_hq(&hq_file, None)?;
    let branch_file = dir.join("branch-keys.toml");
    crate::store::write_public_file(&branch_file, admin.sync_keys()?.to_toml().as_bytes())?;
    hq.trust_branch(&branch_file)?;
    if let Some(pg) = &mut on_postgres {
        pg.trust_branch(&branch_file)?;
    }
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
    Ok((hq, branch, on_postgres))
}

/// A closed store's files, copied to a new folder.
fn copy_store(from: &Path, to: &Path) -> Result<()> {
    crate::store::create_private_dir(to)?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
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
    database: Option<&str>,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<SyncBenchReport> {
    let (dir, _scratch) = scratch("sync")?;
    // On PostgreSQL, a schema of the benchmark's own, dropped at the end.
    let scratch_schema = database.map(crate::store::scratch_schema).transpose()?;
    let database = scratch_schema.as_ref().map(|(url, _)| url.as_str());

    progress("stores");
    let clients = ops / 2;
    let contacts = ops - clients;
    let (mut hq, mut branch, on_postgres) =
        hqs_and_branch(&dir, clients, database, clock, progress)?;
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
    let postgres = match on_postgres {
        Some(mut pg) => {
            progress("import on PostgreSQL");
            let started = Instant::now();
            pg.hq_import(&file)?;
            let import_s = started.elapsed().as_secs_f64();
            progress("raw COPY on PostgreSQL");
            let rows: Vec<(&str, &crate::sync::bundle::Op)> =
                bundle_ops.iter().map(|op| ("BJ0101", op)).collect();
            let (rows, raw_copy_s) = pg.bench_raw_copy(&rows)?;
            progress("the stored rows' COPY on PostgreSQL");
            let stored_copy_s = pg.bench_stored_copy()?;
            let import_ops_per_s = report.ops as f64 / import_s.max(1e-9);
            let raw_copy_rows_per_s = rows as f64 / raw_copy_s.max(1e-9);
            Some(PostgresFigures {
                import_s,
                import_ops_per_s,
                raw_copy_s,
                raw_copy_rows_per_s,
                import_vs_raw_copy: import_ops_per_s / raw_copy_rows_per_s.max(1e-9),
                stored_copy_s,
                import_vs_stored_copy: stored_copy_s / import_s.max(1e-9),
            })
        }
        None => None,
    };
    let postgres_met = postgres
        .as_ref()
        .is_none_or(|p| p.import_vs_raw_copy >= COPY_RATE_TARGET);
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
        postgres,
        targets_met: postgres_met
            && export_s <= EXPORT_TARGET_S
            && import_s <= IMPORT_TARGET_S
            && import_vs_raw >= RAW_RATE_TARGET
            && size_ratio <= SIZE_TARGET,
    })
}

/// HQ's import over many branches (`bench sync --branches N`), on PostgreSQL with workers
/// and on HQ's own store, side by side.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    pub branches: u64,
    pub ops: u64,
    pub workers: usize,
    /// HQ's own store (SQLite), one bundle after another.
    pub sqlite_import_s: f64,
    pub postgres_import_s: f64,
    pub postgres_ops_per_s: f64,
    pub raw_copy_s: f64,
    pub raw_copy_rows_per_s: f64,
    /// PostgreSQL import rate (all workers) over the raw COPY rate.
    pub import_vs_raw_copy: f64,
    /// Binary COPY of the rows HQ stored, as stored, into tables of the same columns and
    /// indexes (one stream).
    pub stored_copy_s: f64,
    /// PostgreSQL import rate (all workers) over the rate of that COPY.
    pub import_vs_stored_copy: f64,
    pub targets_met: bool,
}

/// The target for a million ops from a hundred branches with two workers.
pub const SCALE_TARGET_S: f64 = 20.0;

/// `ops` changes from `branches` branches (one real branch's export — half a bulk load of
/// clients, half contact-log entries — sealed again by each branch under its own keys, its
/// rows renamed to be its own), imported by HQ on its own store and by HQ on PostgreSQL with
/// `workers` importers.
pub fn run_branches(
    ops: u64,
    branches: u64,
    workers: usize,
    database: &str,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<ScaleReport> {
    use crate::sync::bundle::{self, Manifest};
    use crate::sync::keys::{Party, SecretKeys};
    let (dir, _scratch) = scratch("scale")?;
    let (url, _schema) = crate::store::scratch_schema(database)?;
    let per_branch = (ops / branches.max(1)).max(2);
    progress("stores");
    let (mut hq, mut branch, on_postgres) =
        hqs_and_branch(&dir, per_branch / 2, Some(&url), clock, progress)?;
    let mut pg = on_postgres.ok_or_else(|| Error::internal("no HQ on PostgreSQL"))?;
    branch.bench_contact_log(per_branch - per_branch / 2)?;
    progress("export");
    let file = branch
        .export_bundle(&dir, &mut |_, _| {})?
        .file
        .ok_or_else(|| Error::internal("the benchmark export wrote nothing"))?;
    drop(branch);
    let template = hq.bench_bundle_ops(&file)?;
    let hq_keys = hq.sync_keys()?;
    let recipient = hq_keys.age_recipient()?;
    progress("bundles");
    let mut files = Vec::new();
    let mut all_ops = Vec::new();
    for b in 0..branches {
        let code = format!("BR{b:04}");
        let keys = SecretKeys::generate()?;
        let public = keys.public(Party::Branch, &code, &code, &format!("store-{code}"));
        let keys_file = dir.join(format!("{code}-keys.toml"));
        crate::store::write_public_file(&keys_file, public.to_toml().as_bytes())?;
        hq.trust_branch(&keys_file)?;
        pg.trust_branch(&keys_file)?;
        let mut raw = Vec::new();
        for op in &template {
            let fields = op.fields.get().replace("BJ0101", &code);
            let renamed = crate::sync::bundle::Op {
                row_id: format!("{code}:{}", op.row_id),
                fields: serde_json::value::RawValue::from_string(fields)
                    .map_err(|_| Error::internal("a benchmark op"))?,
                ..op.clone()
            };
            serde_json::to_writer(&mut raw, &renamed).map_err(Error::internal)?;
            raw.push(b'\n');
            all_ops.push((b, renamed));
        }
        let payload = bundle::compress(&raw).map_err(|p| Error::internal(format!("{p:?}")))?;
        let manifest = Manifest {
            format: bundle::FORMAT,
            kind: "ops".into(),
            sender: code.clone(),
            sender_store: format!("store-{code}"),
            key_id: keys.key_id(),
            receiver_store: hq_keys.store_id.clone(),
            schema_version: crate::store::migrations::SCHEMA_VERSION,
            app_version: env!("CARGO_PKG_VERSION").into(),
            from_seq: template.first().map_or(1, |o| o.seq),
            to_seq: template.last().map_or(1, |o| o.seq),
            op_count: template.len() as u64,
            payload: bundle::OPS_PAYLOAD.into(),
            payload_sha256: bundle::sha256_hex(&payload),
            previous_bundle_sha256: None,
            ref_version: 0,
            created_at: "2026-12-01T00:00:00Z".into(),
            hlc: 0,
            audit_head: None,
            void: Vec::new(),
            skipped: Vec::new(),
        };
        let sealed = bundle::seal(&manifest, &payload, &keys, std::slice::from_ref(&recipient))
            .map_err(|p| Error::internal(format!("{p:?}")))?;
        let out = dir.join(format!("{code}.bdx"));
        crate::store::write_public_file(&out, &sealed.bytes)?;
        crate::store::write_public_file(
            &crate::store::signature_path(&out),
            sealed.signature.as_bytes(),
        )?;
        files.push(out);
    }

    progress("import on HQ's own store");
    let started = Instant::now();
    for file in &files {
        hq.hq_import(file)?;
    }
    let sqlite_import_s = started.elapsed().as_secs_f64();
    drop(hq);

    progress("import on PostgreSQL");
    let started = Instant::now();
    let mut failed = None;
    pg.hq_import_files(&files, workers, &mut |_, outcome| {
        if let Err(e) = outcome {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    let postgres_import_s = started.elapsed().as_secs_f64();
    progress("raw COPY on PostgreSQL");
    let codes: Vec<String> = (0..branches).map(|b| format!("BR{b:04}")).collect();
    let rows: Vec<(&str, &crate::sync::bundle::Op)> = all_ops
        .iter()
        .map(|(b, op)| (codes[*b as usize].as_str(), op))
        .collect();
    let (rows, raw_copy_s) = pg.bench_raw_copy(&rows)?;
    progress("the stored rows' COPY on PostgreSQL");
    let stored_copy_s = pg.bench_stored_copy()?;
    let total = all_ops.len() as u64;
    let postgres_ops_per_s = total as f64 / postgres_import_s.max(1e-9);
    let raw_copy_rows_per_s = rows as f64 / raw_copy_s.max(1e-9);
    let import_vs_raw_copy = postgres_ops_per_s / raw_copy_rows_per_s.max(1e-9);
    Ok(ScaleReport {
        branches,
        ops: total,
        workers,
        sqlite_import_s,
        postgres_import_s,
        postgres_ops_per_s,
        raw_copy_s,
        raw_copy_rows_per_s,
        import_vs_raw_copy,
        stored_copy_s,
        import_vs_stored_copy: stored_copy_s / postgres_import_s.max(1e-9),
        targets_met: import_vs_raw_copy >= COPY_RATE_TARGET
            && (total < 1_000_000 || postgres_import_s <= SCALE_TARGET_S),
    })
}
