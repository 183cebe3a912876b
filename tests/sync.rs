//! Branch → HQ sync through the store: a real branch exports, HQ imports once however often
//! the file comes, every damaged or foreign copy is refused with nothing changed, and a
//! simulation of several branches with skewed clocks, overlapping and shuffled bundles,
//! repeats and cut-short copies ends in exactly the expected merge.

mod common;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::clock::FixedClock;
use branchdesk::domain::hlc::Hlc;
use branchdesk::domain::staff::Role;
use branchdesk::store::migrations::SCHEMA_VERSION;
use branchdesk::store::{ImportOutcome, NewStore, Session, StorePaths, SyncWarning};
use branchdesk::sync::SyncProblem;
use branchdesk::sync::bundle::{self, Manifest, OPS_PAYLOAD, Op};
use branchdesk::sync::keys::{PublicKeys, SecretKeys};
use common::backend::Backend;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const PASS: &str = "correct horse battery";

fn create(dir: &Path, code: &str) -> Session {
    create_with(dir, code, clock())
}

fn create_with(dir: &Path, code: &str, clock: std::sync::Arc<FixedClock>) -> Session {
    Session::create(
        &StorePaths::new(dir.join(code)),
        NewStore {
            branch_code: code.into(),
            branch_name: format!("{code} 支行"),
            admin_id: "admin01".into(),
            admin_name: "管理员".into(),
            admin_passphrase: secret(PASS),
            demo: false,
        },
        clock,
        options(),
    )
    .unwrap()
}

fn login(dir: &Path, code: &str, id: &str) -> Session {
    Session::unlock(
        &StorePaths::new(dir.join(code)),
        id,
        &secret(PASS),
        clock(),
        options(),
    )
    .unwrap()
}

fn write_keys(dir: &Path, keys: &PublicKeys) -> PathBuf {
    let path = dir.join(format!("{}-keys.toml", keys.code));
    std::fs::write(&path, keys.to_toml()).unwrap();
    path
}

/// HQ's store, and its public keys file.
fn hq(dir: &Path, backend: &Backend) -> (Session, PathBuf) {
    let mut hq = create(dir, "HQ");
    let keys = hq.become_hq(backend.database()).unwrap();
    let path = write_keys(dir, &keys);
    (hq, path)
}

/// A branch that trusts HQ and that HQ trusts, with a manager; returns the manager's session.
fn branch(dir: &Path, code: &str, hq: &mut Session, hq_keys: &Path) -> Session {
    let mut admin = create(dir, code);
    admin
        .add_staff("mgr01", "经理", Role::Manager, &secret(PASS))
        .unwrap();
    admin.trust_hq(hq_keys, None).unwrap();
    let keys = admin.sync_keys().unwrap();
    hq.trust_branch(&write_keys(dir, &keys)).unwrap();
    drop(admin);
    login(dir, code, "mgr01")
}

fn client(name: &str, id_number: &str) -> ClientInput {
    ClientInput {
        name: name.into(),
        id_number: id_number.into(),
        phone: "13812345678".into(),
        ..Default::default()
    }
}

fn export(session: &mut Session, dir: &Path) -> PathBuf {
    session
        .export_bundle(dir, &mut |_, _| {})
        .unwrap()
        .file
        .unwrap()
}

/// What HQ holds, to compare before and after a refused import.
fn hq_state(hq: &Session) -> (String, Vec<String>) {
    let status = serde_json::to_string(&hq.hq_status().unwrap()).unwrap();
    let rows = ["client", "audit_log", "settings", "staff"]
        .iter()
        .flat_map(|t| hq.hq_rows(t).unwrap())
        .map(|r| serde_json::to_string(&r).unwrap())
        .collect();
    (status, rows)
}

crate::hq_test! {
    fn a_branch_export_arrives_at_hq_once_however_often_it_is_imported(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        let wang = branch
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        branch
            .create_client(&client("李娜", "44011320141005001X"))
            .unwrap();
        branch
            .edit_client_fields(
                &wang.client_no,
                &[(
                    branchdesk::domain::client::ClientField::Phone,
                    "13900001111".into(),
                )],
            )
            .unwrap();
        let file = export(&mut branch, dir.path());
        assert!(file.ends_with(format!(
            "BJ0101-1-{}.bdx",
            branch.sync_status().unwrap().last_seq - 1
        )));
        assert!(bundle_path_sig(&file).exists());

        let first = hq.hq_import(&file).unwrap();
        let ImportOutcome::Applied {
            from_seq: 1, ops, ..
        } = first
        else {
            panic!("{first:?}");
        };
        let after_first = hq_state(&hq);
        // HQ holds the branch's audit anchor as it stood at the export.
        let imported = hq.list_audit(None, 5).unwrap();
        let row = imported.iter().find(|r| r.action == "hq.import").unwrap();
        let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
        let branch_rows = branch.list_audit(None, 1000).unwrap();
        let exported_at = branch_rows
            .iter()
            .find(|r| r.action == "sync.export")
            .unwrap()
            .id;
        assert_eq!(detail["branch_audit"]["row"], json!(exported_at - 1));
        let again = hq.hq_import(&file).unwrap();
        assert!(
            matches!(again, ImportOutcome::AlreadyImported { from_seq: 1, .. }),
            "{again:?}"
        );
        assert_eq!(hq_state(&hq), after_first, "a repeat changes nothing");

        let clients = hq.hq_rows("client").unwrap();
        assert_eq!(clients.len(), 2);
        let merged = clients
            .iter()
            .find(|c| c.fields["client_no"] == json!(wang.client_no))
            .unwrap();
        assert_eq!(merged.fields["phone"], json!("13900001111"), "the edit won");
        assert_eq!(merged.fields["name"], json!("王芳"));
        assert_eq!(merged.branch, "BJ0101");
        // The branch's audit trail came too, keyed by branch.
        let audit = hq.hq_rows("audit_log").unwrap();
        assert!(audit.iter().any(|r| r.row_id == "BJ0101/1"));
        assert!(
            audit
                .iter()
                .any(|r| r.fields["action"] == json!("client.create"))
        );
        assert!(ops >= 3);
        let status = hq.hq_status().unwrap();
        assert_eq!(status.branches[0].high_water, merged_high_water(&file));
    }
}

fn bundle_path_sig(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.minisig", file.display()))
}

fn merged_high_water(file: &Path) -> i64 {
    let name = file.file_stem().unwrap().to_string_lossy().to_string();
    name.rsplit('-').next().unwrap().parse().unwrap()
}

fn copy_with(file: &Path, name: &str, change: impl Fn(&mut Vec<u8>, &mut String)) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    let mut signature = std::fs::read_to_string(bundle_path_sig(file)).unwrap();
    change(&mut bytes, &mut signature);
    let copy = file.with_file_name(name);
    std::fs::write(&copy, bytes).unwrap();
    std::fs::write(bundle_path_sig(&copy), signature).unwrap();
    copy
}

fn refusal(hq: &mut Session, file: &Path) -> SyncProblem {
    match hq.hq_import(file) {
        Err(Error::SyncFile { problem, .. }) => problem,
        other => panic!("{} was not refused: {other:?}", file.display()),
    }
}

crate::hq_test! {
    fn every_damaged_or_foreign_copy_is_refused_and_changes_nothing(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        branch
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        let file = export(&mut branch, dir.path());
        let before = hq_state(&hq);

        let truncated = copy_with(&file, "cut.bdx", |b, _| b.truncate(b.len() * 2 / 3));
        let flipped = copy_with(&file, "flip.bdx", |b, _| {
            let at = b.len() / 2;
            b[at] ^= 0x10;
        });
        let bad_signature = copy_with(&file, "sig.bdx", |_, s| {
            let line = s.lines().nth(1).unwrap().to_string();
            let mut chars: Vec<char> = line.chars().collect();
            chars[20] = if chars[20] == 'A' { 'B' } else { 'A' };
            *s = s.replace(&line, &chars.into_iter().collect::<String>());
        });
        let edited_comment = copy_with(&file, "comment.bdx", |_, s| {
            *s = s.replace("seq=1-", "seq=2-");
        });
        let unsigned = copy_with(&file, "unsigned.bdx", |_, _| {});
        std::fs::remove_file(bundle_path_sig(&unsigned)).unwrap();

        assert_eq!(refusal(&mut hq, &truncated), SyncProblem::BadSignature);
        assert_eq!(refusal(&mut hq, &flipped), SyncProblem::BadSignature);
        assert_eq!(refusal(&mut hq, &bad_signature), SyncProblem::BadSignature);
        assert_eq!(refusal(&mut hq, &edited_comment), SyncProblem::BadSignature);
        assert_eq!(refusal(&mut hq, &unsigned), SyncProblem::NoSignature);

        // A branch HQ never registered, and a bundle made for another HQ.
        let stranger_dir = tempfile::tempdir().unwrap();
        let mut stranger = create(stranger_dir.path(), "SH0202");
        stranger
            .add_staff("mgr01", "经理", Role::Manager, &secret(PASS))
            .unwrap();
        stranger.trust_hq(&hq_keys, None).unwrap();
        drop(stranger);
        let mut stranger = login(stranger_dir.path(), "SH0202", "mgr01");
        let foreign = export(&mut stranger, stranger_dir.path());
        assert_eq!(refusal(&mut hq, &foreign), SyncProblem::UnknownSigner);

        let other_dir = tempfile::tempdir().unwrap();
        let (_other_hq, other_keys) = self::hq(other_dir.path(), &Backend::Sqlite);
        drop(branch);
        let mut admin = login(dir.path(), "BJ0101", "admin01");
        let current = PublicKeys::read(&hq_keys).unwrap().key_id().unwrap();
        admin.trust_hq(&other_keys, Some(&current)).unwrap();
        drop(admin);
        let mut branch = login(dir.path(), "BJ0101", "mgr01");
        let elsewhere_dir = tempfile::tempdir().unwrap();
        let for_other = export(&mut branch, elsewhere_dir.path());
        assert_eq!(refusal(&mut hq, &for_other), SyncProblem::NotForUs);

        assert_eq!(hq_state(&hq), before, "nothing changed");
        // The good file still imports.
        assert!(matches!(
            hq.hq_import(&file).unwrap(),
            ImportOutcome::Applied { .. }
        ));
    }
}

crate::hq_test! {
    /// An export to a folder that is not there (a stick not plugged in, a typo) names that
    /// folder in the UI language, leaves no file behind and exports nothing; the same changes
    /// go out once the path is right.
    fn an_export_to_a_missing_folder_names_the_folder_and_changes_nothing(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        branch
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        let before = branch.sync_status().unwrap();
        let stick = dir.path().join("usb");
        let missing = stick.join("branch");
        let error = branch
            .export_bundle(&missing, &mut |_, _| {})
            .expect_err("no such folder");
        assert!(
            matches!(&error, Error::NotFound { path, folder: true } if path == &missing),
            "{error:?}"
        );
        let zh = error.message(branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::Zh));
        assert!(
            zh.contains(&missing.display().to_string()) && zh.contains("不存在"),
            "{zh}"
        );
        assert!(!zh.contains(".bdx") && !zh.contains("entity"), "{zh}");
        assert_eq!(
            branch.sync_status().unwrap(),
            before,
            "nothing marked as exported"
        );
        std::fs::create_dir_all(&missing).unwrap();
        let file = export(&mut branch, &missing);
        assert_eq!(
            std::fs::read_dir(&missing).unwrap().count(),
            2,
            "bundle and signature"
        );
        assert!(matches!(
            hq.hq_import(&file).unwrap(),
            ImportOutcome::Applied { .. }
        ));
    }
}

crate::hq_test! {
    /// A bulk load is one change of many rows: the counts a branch sees (waiting, progress,
    /// exported) are all in changes, and the rows are named as rows.
    fn an_export_counts_changes_as_the_branch_does_and_rows_apart(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        let today = branch.today_local();
        let mut generator = branchdesk::demo::synthetic::Generator::new(3, today, "BJ0101", None, 40);
        let mut rows = (0..40).map(|_| {
            let c = generator.next_client();
            (c.record, c.home_branch)
        });
        branch.load_clients(&mut rows, "test", &mut |_| {}).unwrap();
        let waiting = branch.sync_status().unwrap().pending_ops as u64;
        let mut last_progress = (0, 0);
        let report = branch
            .export_bundle(dir.path(), &mut |done, total| last_progress = (done, total))
            .unwrap();
        assert_eq!(report.changes, waiting, "exported = what waited");
        assert_eq!(
            last_progress,
            (waiting, waiting),
            "progress in the same unit"
        );
        assert_eq!(report.changes, (report.to_seq - report.from_seq + 1) as u64);
        assert!(
            report.ops >= report.changes + 39,
            "the load's 40 rows are one change"
        );
        let text = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En).fill(
            "sync.view.exported_short",
            &[
                ("changes", &report.changes.to_string()),
                ("from", "1"),
                ("to", "2"),
            ],
        );
        assert!(
            text.starts_with(&format!("Exported {waiting} changes")),
            "{text}"
        );
    }
}

crate::hq_test! {
    fn only_managers_export_and_only_hq_imports(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        drop(branch(dir.path(), "BJ0101", &mut hq, &hq_keys));
        let mut admin = login(dir.path(), "BJ0101", "admin01");
        assert!(matches!(
            admin.export_bundle(dir.path(), &mut |_, _| {}),
            Err(Error::PermissionDenied { .. })
        ));
        drop(admin);
        let mut branch = login(dir.path(), "BJ0101", "mgr01");
        let file = export(&mut branch, dir.path());
        assert!(matches!(
            branch.hq_import(&file),
            Err(Error::PermissionDenied { .. })
                | Err(Error::Sync {
                    problem: SyncProblem::NotHq
                })
        ));
        assert!(matches!(
            hq.export_bundle(dir.path(), &mut |_, _| {}),
            Err(Error::PermissionDenied { .. })
                | Err(Error::Sync {
                    problem: SyncProblem::IsHq
                })
        ));
        // A branch without HQ's keys is told what to do.
        let lone_dir = tempfile::tempdir().unwrap();
        let mut lone = create(lone_dir.path(), "GZ0303");
        lone.add_staff("mgr01", "经理", Role::Manager, &secret(PASS))
            .unwrap();
        drop(lone);
        let mut lone = login(lone_dir.path(), "GZ0303", "mgr01");
        assert!(matches!(
            lone.export_bundle(lone_dir.path(), &mut |_, _| {}),
            Err(Error::Sync {
                problem: SyncProblem::NoHq
            })
        ));
    }
}

// ---- Simulation ----

/// A small deterministic generator (the seed comes from proptest).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

struct SimBranch {
    code: String,
    keys: SecretKeys,
    ops: Vec<Op>,
}

/// Each branch writes with its own (skewed) clock; clients are shared, so two branches edit
/// the same client.
fn simulate(rng: &mut Rng, codes: &[&str]) -> Vec<SimBranch> {
    let clients: Vec<String> = (0..6).map(|i| format!("client-{i}")).collect();
    let base_ms: u64 = 1_795_000_000_000;
    let mut branches: Vec<SimBranch> = codes
        .iter()
        .map(|code| SimBranch {
            code: code.to_string(),
            keys: SecretKeys::generate().unwrap(),
            ops: Vec::new(),
        })
        .collect();
    let skews: Vec<i64> = codes
        .iter()
        .map(|_| rng.below(4 * 3_600_000) as i64 - 2 * 3_600_000)
        .collect();
    let mut clocks: Vec<Hlc> = vec![Hlc::default(); codes.len()];
    let mut seqs = vec![0i64; codes.len()];
    let mut push = |b: usize,
                    branches: &mut Vec<SimBranch>,
                    step: u64,
                    parts: Vec<(String, String, Map<String, Value>)>,
                    op: &str| {
        let wall = (base_ms as i64 + step as i64 * 1_000 + skews[b]) as u64;
        clocks[b] = clocks[b].tick(wall);
        seqs[b] += 1;
        for (part, (table, row_id, fields)) in parts.into_iter().enumerate() {
            branches[b].ops.push(Op {
                seq: seqs[b],
                part: part as i64,
                op_id: format!("{}-{}-{part}", codes[b], seqs[b]),
                table,
                row_id,
                op: op.into(),
                fields: Op::raw_fields(&fields),
                hlc: clocks[b].as_i64(),
                schema: SCHEMA_VERSION,
            });
        }
    };
    let fields = |pairs: &[(&str, Value)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    // Each client is registered by its home branch first.
    for (i, id) in clients.iter().enumerate() {
        let b = i % codes.len();
        push(
            b,
            &mut branches,
            i as u64,
            vec![(
                "client".into(),
                id.clone(),
                fields(&[
                    ("name", json!(format!("客户{i}"))),
                    ("id_number", json!(format!("ID{i}"))),
                    ("phone", json!("13800000000")),
                    ("tier", json!("standard")),
                ]),
            )],
            "insert",
        );
    }
    for step in 10..70u64 {
        let b = rng.below(codes.len() as u64) as usize;
        let k = rng.below(100);
        match k {
            0..=44 => {
                let id = clients[rng.below(clients.len() as u64) as usize].clone();
                let mut changed = Map::new();
                for field in ["phone", "tier", "name", "id_number", "address"] {
                    if rng.chance(400) {
                        changed.insert(field.into(), json!(format!("{field}-{}", rng.below(5))));
                    }
                }
                if changed.is_empty() {
                    changed.insert("phone".into(), json!(format!("139{}", rng.below(1000))));
                }
                push(
                    b,
                    &mut branches,
                    step,
                    vec![("client".into(), id, changed)],
                    "update",
                );
            }
            45..=64 => {
                let id = format!("resp-{}-{step}", codes[b]);
                let row = fields(&[
                    ("nps", json!(rng.below(11))),
                    ("template", json!("counter_visit")),
                ]);
                push(
                    b,
                    &mut branches,
                    step,
                    vec![("survey_response".into(), id, row)],
                    "insert",
                );
            }
            65..=79 => {
                let id = format!("event-{}-{step}", codes[b]);
                let row = fields(&[
                    ("complaint_id", json!(format!("case-{}", rng.below(3)))),
                    ("kind", json!("note")),
                ]);
                push(
                    b,
                    &mut branches,
                    step,
                    vec![("complaint_event".into(), id, row)],
                    "insert",
                );
            }
            80..=89 => {
                // A bulk load: one seq, several rows.
                let parts = (0..1 + rng.below(3))
                    .map(|p| {
                        (
                            "client".to_string(),
                            format!("bulk-{}-{step}-{p}", codes[b]),
                            fields(&[
                                ("name", json!(format!("批量{p}"))),
                                ("id_number", json!(format!("B{step}{p}"))),
                            ]),
                        )
                    })
                    .collect();
                push(b, &mut branches, step, parts, "insert");
            }
            _ => {
                let id = clients[rng.below(clients.len() as u64) as usize].clone();
                push(
                    b,
                    &mut branches,
                    step,
                    vec![("client".into(), id, Map::new())],
                    "delete",
                );
            }
        }
    }
    branches
}

/// The branch's bundles: consecutive chunks, each carrying everything since some earlier
/// acknowledgement (so bundles overlap, as unacknowledged ops ride again).
fn bundles_of(
    rng: &mut Rng,
    b: &SimBranch,
    hq: &PublicKeys,
    dir: &Path,
) -> Vec<(PathBuf, i64, i64)> {
    let last = b.ops.last().map_or(0, |o| o.seq);
    let mut cuts = vec![0i64];
    let mut at = 0;
    while at < last {
        at = (at + 1 + rng.below(8) as i64).min(last);
        cuts.push(at);
    }
    (1..cuts.len())
        .map(|j| {
            let from = cuts[rng.below(j as u64) as usize] + 1;
            let to = cuts[j];
            (seal_range(b, hq, dir, from, to, |_| {}), from, to)
        })
        .collect()
}

/// Seals the branch's ops `from..=to` for HQ; `adjust` may falsify the manifest first.
fn seal_range(
    b: &SimBranch,
    hq: &PublicKeys,
    dir: &Path,
    from: i64,
    to: i64,
    adjust: impl Fn(&mut Manifest),
) -> PathBuf {
    let ops: Vec<&Op> = b
        .ops
        .iter()
        .filter(|o| o.seq >= from && o.seq <= to)
        .collect();
    let mut raw = Vec::new();
    for op in &ops {
        serde_json::to_writer(&mut raw, op).unwrap();
        raw.push(b'\n');
    }
    let payload = bundle::compress(&raw).unwrap();
    let mut manifest = Manifest {
        format: bundle::FORMAT,
        kind: "ops".into(),
        sender: b.code.clone(),
        sender_store: format!("store-{}", b.code),
        key_id: b.keys.key_id(),
        receiver_store: hq.store_id.clone(),
        schema_version: SCHEMA_VERSION,
        app_version: "test".into(),
        from_seq: from,
        to_seq: to,
        op_count: ops.len() as u64,
        payload: OPS_PAYLOAD.into(),
        payload_sha256: bundle::sha256_hex(&payload),
        previous_bundle_sha256: None,
        ref_version: 0,
        created_at: "2026-11-30T00:00:00Z".into(),
        hlc: 0,
        audit_head: None,
        void: Vec::new(),
        skipped: Vec::new(),
    };
    adjust(&mut manifest);
    let sealed =
        bundle::seal(&manifest, &payload, &b.keys, &[hq.age_recipient().unwrap()]).unwrap();
    let file = dir.join(format!(
        "{}-{from}-{to}-{}.bdx",
        b.code,
        &sealed.sha256[..8]
    ));
    std::fs::write(&file, &sealed.bytes).unwrap();
    std::fs::write(bundle_path_sig(&file), &sealed.signature).unwrap();
    file
}

crate::hq_test! {
    fn a_gap_waits_in_quarantine_and_a_signed_but_false_manifest_is_refused(backend) {
        let mut rng = Rng(7);
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys_file) = hq(dir.path(), backend);
        let hq_keys = PublicKeys::read(&hq_keys_file).unwrap();
        let branches = simulate(&mut rng, &["BJ0101"]);
        let b = &branches[0];
        let public = b.keys.public(
            branchdesk::sync::keys::Party::Branch,
            &b.code,
            &b.code,
            "store-BJ0101",
        );
        hq.trust_branch(&write_keys(dir.path(), &public)).unwrap();
        let last = b.ops.last().unwrap().seq;

        let later = seal_range(b, &hq_keys, dir.path(), 11, last, |_| {});
        let outcome = hq.hq_import(&later).unwrap();
        assert_eq!(
            outcome,
            ImportOutcome::Quarantined {
                branch: "BJ0101".into(),
                missing_from: 1,
                missing_to: 10
            }
        );
        let status = hq.hq_status().unwrap();
        assert_eq!(status.branches[0].high_water, 0);
        assert_eq!(
            (
                status.branches[0].quarantined[0].missing_from,
                status.branches[0].quarantined[0].missing_to
            ),
            (1, 10)
        );

        let before = hq_state(&hq);
        for (adjust, problem) in [
            (
                Box::new(|m: &mut Manifest| m.payload_sha256 = "0".repeat(64))
                    as Box<dyn Fn(&mut Manifest)>,
                SyncProblem::Damaged,
            ),
            (
                Box::new(|m: &mut Manifest| m.op_count += 1),
                SyncProblem::Damaged,
            ),
            (
                Box::new(|m: &mut Manifest| m.schema_version = SCHEMA_VERSION + 1),
                SyncProblem::NewerSchema {
                    found: SCHEMA_VERSION + 1,
                    supported: SCHEMA_VERSION,
                },
            ),
            (
                Box::new(|m: &mut Manifest| m.sender = "SH0202".into()),
                SyncProblem::WrongSender,
            ),
            (
                Box::new(|m: &mut Manifest| m.receiver_store = "another-hq".into()),
                SyncProblem::NotForUs,
            ),
        ] {
            let file = seal_range(b, &hq_keys, dir.path(), 1, 10, adjust);
            assert_eq!(refusal(&mut hq, &file), problem);
        }
        assert_eq!(hq_state(&hq), before, "refusals change nothing");

        let first = seal_range(b, &hq_keys, dir.path(), 1, 10, |_| {});
        let outcome = hq.hq_import(&first).unwrap();
        let ImportOutcome::Applied { released, .. } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(released.len(), 1, "the waiting bundle followed");
        let status = hq.hq_status().unwrap();
        assert_eq!(status.branches[0].high_water, last);
        assert!(status.branches[0].quarantined.is_empty());
        // The copy went: from the quarantine folder, or (on PostgreSQL, where every
        // importer finds it) from the database, with its row.
        let folder = dir.path().join("HQ").join("quarantine");
        assert!(
            !folder.exists() || std::fs::read_dir(&folder).unwrap().next().is_none(),
            "the quarantined copy is gone"
        );
        if let Backend::Postgres(db) = backend {
            assert!(!folder.exists(), "the database kept the waiting bundle, not a file");
            let kept: i64 = db
                .client()
                .query_one("SELECT count(*) FROM hq_quarantine", &[])
                .unwrap()
                .get(0);
            assert_eq!(kept, 0);
        }
    }
}

type Stamp = (i64, String, i64, i64);
type RowKey = (String, String);
type ExpectedRows = BTreeMap<RowKey, Value>;
type ExpectedReview = BTreeSet<(String, String, Vec<(String, String)>)>;
type ModelRow = (Map<String, Value>, bool, String);

/// The merge HQ should end with, computed directly from all ops.
fn expected(branches: &[SimBranch]) -> (ExpectedRows, ExpectedReview) {
    let mut all: Vec<(Stamp, &str, &Op)> = branches
        .iter()
        .flat_map(|b| {
            b.ops
                .iter()
                .map(move |o| ((o.hlc, b.code.clone(), o.seq, o.part), b.code.as_str(), o))
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rows: BTreeMap<RowKey, ModelRow> = BTreeMap::new();
    let mut claims: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    for (_, branch, op) in &all {
        let key = (op.table.clone(), op.row_id.clone());
        // In stamp order, the first write makes the row and later ones overwrite field by field.
        let entry = rows
            .entry(key.clone())
            .or_insert_with(|| (Map::new(), false, branch.to_string()));
        let op_fields = op.fields_map().unwrap();
        if op.table == "client" {
            for field in ["name", "id_number"] {
                if let Some(v) = op_fields.get(field) {
                    claims
                        .entry((op.row_id.clone(), field.into()))
                        .or_default()
                        .insert((branch.to_string(), v.as_str().unwrap().to_string()));
                }
            }
        }
        if op.op == "delete" {
            entry.1 = true;
        }
        for (k, v) in &op_fields {
            entry.0.insert(k.clone(), v.clone());
        }
    }
    let rows = rows
        .into_iter()
        .map(|(k, (fields, deleted, branch))| {
            (
                k,
                json!({ "fields": fields, "deleted": deleted, "branch": branch }),
            )
        })
        .collect();
    let review = claims
        .into_iter()
        .filter(|(_, c)| {
            c.iter().map(|x| &x.1).collect::<BTreeSet<_>>().len() > 1
                && c.iter().map(|x| &x.0).collect::<BTreeSet<_>>().len() > 1
        })
        .map(|((row, field), c)| (row, field, c.into_iter().collect()))
        .collect();
    (rows, review)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn branches_with_skewed_clocks_merge_exactly_whatever_the_import_order(seed in 1u64..u64::MAX) {
        merges_exactly(seed, &Backend::Sqlite)?;
    }

    #[test]
    fn branches_with_skewed_clocks_merge_exactly_whatever_the_import_order_on_postgres(seed in 1u64..u64::MAX) {
        if let Some(backend) = Backend::postgres() {
            merges_exactly(seed, &backend)?;
        }
    }
}

/// The simulation both back ends must pass: three branches' bundles, each twice, some cut
/// short, shuffled.
fn merges_exactly(seed: u64, backend: &Backend) -> Result<(), TestCaseError> {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let (mut hq, hq_keys_file) = hq(dir.path(), backend);
    let hq_keys = PublicKeys::read(&hq_keys_file).unwrap();
    let branches = simulate(&mut rng, &["BJ0101", "BJ01", "SH0202"]);
    let mut imports: Vec<(usize, PathBuf, i64, i64, bool)> = Vec::new();
    for (i, b) in branches.iter().enumerate() {
        let public = b.keys.public(
            branchdesk::sync::keys::Party::Branch,
            &b.code,
            &b.code,
            &format!("store-{}", b.code),
        );
        hq.trust_branch(&write_keys(dir.path(), &public)).unwrap();
        for (file, from, to) in bundles_of(&mut rng, b, &hq_keys, dir.path()) {
            imports.push((i, file.clone(), from, to, true));
            imports.push((i, file.clone(), from, to, true));
            if rng.chance(300) {
                let cut = copy_with(
                    &file,
                    &format!("cut-{}", file.file_name().unwrap().to_string_lossy()),
                    |bytes, _| {
                        let keep = bytes.len() / 2;
                        bytes.truncate(keep);
                    },
                );
                imports.push((i, cut, from, to, false));
            }
        }
    }
    // Shuffle.
    for i in (1..imports.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        imports.swap(i, j);
    }
    let mut high_water = vec![0i64; branches.len()];
    let mut waiting: Vec<BTreeSet<(i64, i64)>> = vec![BTreeSet::new(); branches.len()];
    for (b, file, from, to, whole) in &imports {
        let outcome = hq.hq_import(file);
        if !whole {
            prop_assert!(
                matches!(
                    outcome,
                    Err(Error::SyncFile {
                        problem: SyncProblem::BadSignature,
                        ..
                    })
                ),
                "{outcome:?}"
            );
            continue;
        }
        let hw = high_water[*b];
        match outcome.unwrap() {
            ImportOutcome::AlreadyImported { .. } => prop_assert!(*to <= hw),
            ImportOutcome::Quarantined {
                missing_from,
                missing_to,
                ..
            } => {
                prop_assert!(*from > hw + 1);
                prop_assert_eq!(
                    (missing_from, missing_to),
                    (hw + 1, from - 1),
                    "the gap is named"
                );
                waiting[*b].insert((*from, *to));
            }
            ImportOutcome::Applied { .. } => {
                prop_assert!(*from <= hw + 1 && *to > hw);
                high_water[*b] = *to;
                // Waiting bundles that now fit follow.
                loop {
                    let hw = high_water[*b];
                    let Some(&next) = waiting[*b]
                        .iter()
                        .filter(|(f, _)| *f <= hw + 1)
                        .max_by_key(|(_, t)| *t)
                    else {
                        break;
                    };
                    waiting[*b].remove(&next);
                    high_water[*b] = high_water[*b].max(next.1);
                }
            }
            forked @ ImportOutcome::Forked { .. } => {
                prop_assert!(false, "no branch here was restored: {forked:?}");
            }
        }
    }
    let status = hq.hq_status().unwrap();
    for (i, b) in branches.iter().enumerate() {
        let state = status.branches.iter().find(|s| s.code == b.code).unwrap();
        prop_assert_eq!(state.high_water, b.ops.last().unwrap().seq);
        prop_assert!(state.quarantined.is_empty());
        prop_assert_eq!(high_water[i], state.high_water);
    }
    let (rows, review) = expected(&branches);
    let mut actual = BTreeMap::new();
    for table in ["client", "survey_response", "complaint_event"] {
        for row in hq.hq_rows(table).unwrap() {
            actual.insert(
                (row.table.clone(), row.row_id.clone()),
                json!({ "fields": row.fields, "deleted": row.deleted, "branch": row.branch }),
            );
        }
    }
    prop_assert_eq!(actual, rows);
    let actual_review: BTreeSet<_> = hq
        .hq_review()
        .unwrap()
        .into_iter()
        .map(|r| (r.row_id, r.field, r.claims))
        .collect();
    prop_assert_eq!(actual_review, review);
    // The store's review query says what the pure rule says of the same claims.
    let claims: Vec<_> = branches
        .iter()
        .flat_map(|b| {
            b.ops
                .iter()
                .filter_map(|op| branchdesk::sync::merge::claim(op, &b.code).unwrap())
        })
        .collect();
    prop_assert_eq!(
        hq.hq_review().unwrap(),
        branchdesk::sync::merge::review(&claims)
    );
    // Nothing applied twice: one op row per (branch, seq, part).
    let total: usize = branches.iter().map(|b| b.ops.len()).sum();
    let applied: i64 = hq.hq_status().unwrap().rows;
    prop_assert!(applied > 0);
    prop_assert_eq!(hq_op_count(&hq), total as i64);
    Ok(())
}

fn hq_op_count(hq: &Session) -> i64 {
    hq.hq_op_count().unwrap()
}

// ---- Reference data ----

fn publish(hq: &mut Session, dir: &Path) -> PathBuf {
    hq.publish_reference(dir).unwrap().file
}

crate::hq_test! {
    fn reference_data_acknowledges_prunes_and_brings_hqs_templates_and_holidays(backend) {
        let dir = tempfile::tempdir().unwrap();
        // HQ's clock runs two hours ahead of the branch's.
        let hq_clock = std::sync::Arc::new(FixedClock::new(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 30, 11, 0, 0).unwrap(),
        ));
        let mut hq = create_with(dir.path(), "HQ", hq_clock);
        let hq_keys = write_keys(dir.path(), &hq.become_hq(backend.database()).unwrap());
        // HQ's own survey template and holiday table go out with its reference data.
        let hq_store = dir.path().join("HQ");
        std::fs::create_dir_all(hq_store.join("surveys")).unwrap();
        std::fs::write(
            hq_store.join("surveys").join("branch_audit.toml"),
            crate_template("branch_audit"),
        )
        .unwrap();
        std::fs::create_dir_all(hq_store.join("reference")).unwrap();
        std::fs::write(
            hq_store.join("reference").join("holidays.toml"),
            "[2027]\nholidays = [\"2027-01-01\"]\nworkdays = []\n",
        )
        .unwrap();

        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        branch
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        let first = export(&mut branch, dir.path());
        hq.hq_import(&first).unwrap();
        let high_water = hq.hq_status().unwrap().branches[0].high_water;
        let out = tempfile::tempdir().unwrap();
        let reference = publish(&mut hq, out.path());
        drop(branch);

        let mut manager = login(dir.path(), "BJ0101", "mgr01");
        let report = manager.import_reference(&reference).unwrap();
        assert_eq!(report.version, 1);
        assert_eq!(report.acked_seq, high_water);
        assert!(report.pruned > 0);
        assert_eq!(report.products, 10);
        let state = manager.reference_state().unwrap();
        assert!(state.holidays_from_hq);
        assert!(
            state
                .staff
                .iter()
                .any(|s| s.branch == "BJ0101" && s.id == "mgr01")
        );
        let status = manager.sync_status().unwrap();
        assert_eq!(status.acked_seq, high_water);
        assert!(
            status
                .warnings
                .iter()
                .any(|w| matches!(w, SyncWarning::ClockBehind { minutes } if *minutes >= 110)),
            "{:?}",
            status.warnings
        );
        // The same version again, or an older one: refused, nothing changes.
        assert_eq!(
            match manager.import_reference(&reference) {
                Err(Error::SyncFile { problem, .. }) => problem,
                other => panic!("{other:?}"),
            },
            SyncProblem::OlderReference {
                found: 1,
                applied: 1
            }
        );
        drop(manager);

        // The next export starts after what HQ holds.
        let mut branch = login(dir.path(), "BJ0101", "mgr01");
        let templates = branch.survey_templates().unwrap();
        assert!(templates.templates.iter().any(|t| t.code == "branch_audit"));
        let next = branch.export_bundle(out.path(), &mut |_, _| {}).unwrap();
        assert_eq!(next.from_seq, high_water + 1);
        assert!(matches!(
            hq.hq_import(next.file.as_ref().unwrap()).unwrap(),
            ImportOutcome::Applied { .. }
        ));
    }
}

crate::hq_test! {
    fn reference_data_from_anyone_but_our_hq_is_refused(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        drop(branch);
        let other_dir = tempfile::tempdir().unwrap();
        let (mut other_hq, _) = self::hq(other_dir.path(), &Backend::Sqlite);
        // The other HQ knows the branch too, but the branch does not trust it.
        let branch_keys = dir.path().join("BJ0101-keys.toml");
        other_hq.trust_branch(&branch_keys).unwrap();
        let forged = publish(&mut other_hq, other_dir.path());
        let mut manager = login(dir.path(), "BJ0101", "mgr01");
        let problem = match manager.import_reference(&forged) {
            Err(Error::SyncFile { problem, .. }) => problem,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem, SyncProblem::UnknownSigner);
        // Published before this branch was registered: not encrypted to it.
        drop(manager);
        let lone_dir = tempfile::tempdir().unwrap();
        let (mut lone_hq, lone_keys) = self::hq(lone_dir.path(), &Backend::Sqlite);
        let other_branch = self::branch(lone_dir.path(), "SH0202", &mut lone_hq, &lone_keys);
        drop(other_branch);
        let early = publish(&mut lone_hq, lone_dir.path());
        let mut admin = login(dir.path(), "BJ0101", "admin01");
        let current = PublicKeys::read(&hq_keys).unwrap().key_id().unwrap();
        admin.trust_hq(&lone_keys, Some(&current)).unwrap();
        drop(admin);
        let mut manager = login(dir.path(), "BJ0101", "mgr01");
        let problem = match manager.import_reference(&early) {
            Err(Error::SyncFile { problem, .. }) => problem,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem, SyncProblem::NotForUs);
        assert_eq!(manager.reference_state().unwrap().version, 0);
    }
}

fn crate_template(code: &str) -> String {
    branchdesk::assets::SURVEY_TEMPLATES[0].1.replacen(
        "code = \"counter_visit\"",
        &format!("code = \"{code}\""),
        1,
    )
}

crate::hq_test! {
    fn a_large_bundle_loses_nothing_across_batch_boundaries_and_a_missing_op_is_caught(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys_file) = hq(dir.path(), backend);
        let hq_keys = PublicKeys::read(&hq_keys_file).unwrap();
        let keys = SecretKeys::generate().unwrap();
        let mut ops = Vec::new();
        // 4,100 changes, with a bulk load of 3 rows at a batch edge (seq 2048).
        let mut seq = 0;
        while ops.len() < 4_100 {
            seq += 1;
            let parts = if seq == 2_048 { 3 } else { 1 };
            for part in 0..parts {
                let mut fields = Map::new();
                fields.insert("nps".into(), json!(seq % 11));
                ops.push(Op {
                    seq,
                    part,
                    op_id: format!("op-{seq}-{part}"),
                    table: "survey_response".into(),
                    row_id: format!("resp-{seq}-{part}"),
                    op: "insert".into(),
                    fields: Op::raw_fields(&fields),
                    hlc: 1_000 + seq,
                    schema: SCHEMA_VERSION,
                });
            }
        }
        let b = SimBranch {
            code: "BJ0101".into(),
            keys,
            ops,
        };
        let public = b.keys.public(
            branchdesk::sync::keys::Party::Branch,
            &b.code,
            &b.code,
            "store-BJ0101",
        );
        hq.trust_branch(&write_keys(dir.path(), &public)).unwrap();

        // One op left out of the payload (the manifest still counts it): refused, nothing applied.
        let (signing, identity) = b.keys.to_stored().unwrap();
        let mut holed = SimBranch {
            code: b.code.clone(),
            keys: SecretKeys::from_stored(&signing, &identity).unwrap(),
            ops: b.ops.clone(),
        };
        holed.ops.remove(3_000);
        let count = b.ops.len() as u64;
        let file = seal_range(&holed, &hq_keys, dir.path(), 1, seq, |m| m.op_count = count);
        assert_eq!(refusal(&mut hq, &file), SyncProblem::Damaged);
        assert_eq!(hq.hq_op_count().unwrap(), 0);

        let file = seal_range(&b, &hq_keys, dir.path(), 1, seq, |_| {});
        let outcome = hq.hq_import(&file).unwrap();
        assert!(
            matches!(outcome, ImportOutcome::Applied { ops, .. } if ops == count),
            "{outcome:?}"
        );
        assert_eq!(hq.hq_op_count().unwrap(), count as i64);
        assert_eq!(hq.hq_rows("survey_response").unwrap().len(), count as usize);
    }
}

crate::hq_test! {
    /// Re-pointing a branch at another HQ is an administrator's deliberate act (naming the HQ
    /// replaced), and the new HQ's acknowledgement prunes only what was sent to it: the changes
    /// the first HQ never received stay in the outbox.
    fn a_branch_re_pointed_at_another_hq_keeps_what_the_first_never_received(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut branch = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        branch
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        let first = export(&mut branch, dir.path());
        hq.hq_import(&first).unwrap();
        let body = "11010519800101003";
        let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
        branch
            .create_client(&client("李娜", &format!("{body}{check}")))
            .unwrap();
        let waiting = branch.sync_status().unwrap().pending_ops;
        assert!(waiting > 0);
        drop(branch);

        let other_dir = tempfile::tempdir().unwrap();
        let (mut other_hq, other_keys) = self::hq(other_dir.path(), &Backend::Sqlite);
        other_hq
            .trust_branch(&dir.path().join("BJ0101-keys.toml"))
            .unwrap();
        let mut manager = login(dir.path(), "BJ0101", "mgr01");
        assert!(matches!(
            manager.trust_hq(&other_keys, None),
            Err(Error::PermissionDenied { .. })
        ));
        drop(manager);
        let mut admin = login(dir.path(), "BJ0101", "admin01");
        let refused = admin.trust_hq(&other_keys, None).unwrap_err();
        assert!(matches!(refused, Error::HqAlreadyTrusted { .. }));
        let current = PublicKeys::read(&hq_keys).unwrap().key_id().unwrap();
        assert!(admin.trust_hq(&other_keys, Some("not-the-key")).is_err());
        admin.trust_hq(&other_keys, Some(&current)).unwrap();
        drop(admin);

        // The new HQ's reference data arrives before the branch sent it anything.
        let reference = publish(&mut other_hq, other_dir.path());
        let mut manager = login(dir.path(), "BJ0101", "mgr01");
        let report = manager.import_reference(&reference).unwrap();
        assert_eq!(report.pruned, 0, "nothing went to this HQ yet");
        assert!(manager.sync_status().unwrap().pending_ops >= waiting);
    }
}

crate::hq_test! {
    /// HQ's sync health, computed in SQL, says the same on both back ends: a branch not
    /// heard from within the limit is silent, one never heard from too.
    fn the_sync_report_names_the_branches_hq_has_not_heard_from(backend) {
        let dir = tempfile::tempdir().unwrap();
        let (mut hq, hq_keys) = hq(dir.path(), backend);
        let mut bj0101 = branch(dir.path(), "BJ0101", &mut hq, &hq_keys);
        drop(branch(dir.path(), "SH0202", &mut hq, &hq_keys));
        bj0101
            .create_client(&client("王芳", "11010519491231002X"))
            .unwrap();
        hq.hq_import(&export(&mut bj0101, dir.path())).unwrap();
        let today = hq.hq_sync_health(7).unwrap();
        let silent: Vec<(&str, bool)> = today
            .branches
            .iter()
            .map(|b| (b.code.as_str(), b.silent))
            .collect();
        assert_eq!(silent, [("BJ0101", false), ("SH0202", true)]);
        assert!(today.branches[0].last_import.is_some());
        assert_eq!(today.branches[1].last_import, None);
        assert!(today.branches[0].high_water > 0);
        assert_eq!(today.branches[0].quarantined, 0);
        drop(hq);
        // Ten days on, BJ0101 is silent too.
        let later = std::sync::Arc::new(FixedClock::new(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 10, 9, 0, 0).unwrap(),
        ));
        let hq = Session::unlock(
            &StorePaths::new(dir.path().join("HQ")),
            ADMIN,
            &secret(ADMIN_PASS),
            later,
            options(),
        )
        .unwrap();
        let report = hq.hq_sync_health(7).unwrap();
        assert!(report.branches.iter().all(|b| b.silent), "{report:?}");
        assert_eq!(report.silent_since, "2026-12-03T09:00:00Z");
        assert!(!hq.hq_sync_health(30).unwrap().branches[0].silent);
    }
}
