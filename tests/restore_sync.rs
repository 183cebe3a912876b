//! A branch restored from an older backup does not fork its history: numbering continues
//! past everything the replaced store reached, so HQ receives every change exactly once
//! whatever the order bundles arrive in; a backup older than the last export is restored
//! only when asked to; and where the numbers reached were lost with the machine, HQ sets
//! the forked bundle aside with the numbers to renumber from, instead of saying "already
//! imported".

mod common;

use common::backend::Backend;
use proptest::test_runner::TestCaseError;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::staff::Role;
use branchdesk::store::{ImportOutcome, Session, StorePaths};
use common::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const PASS: &str = ADMIN_PASS;

struct World {
    dir: tempfile::TempDir,
    /// One clock for every session, moved on where a test needs time to pass.
    clock: std::sync::Arc<branchdesk::domain::clock::FixedClock>,
    hq: Session,
    branch: StorePaths,
    bundles: Vec<PathBuf>,
    backups: Vec<PathBuf>,
    next_client: u32,
}

impl World {
    fn new(backend: &Backend) -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = create_store(&StorePaths::new(dir.path().join("HQ")), "HQ");
        let hq_keys = hq.become_hq(backend.database()).unwrap();
        let hq_file = dir.path().join("hq-keys.toml");
        std::fs::write(&hq_file, hq_keys.to_toml()).unwrap();
        let branch = StorePaths::new(dir.path().join("BJ0101"));
        let mut admin = create_store(&branch, "BJ0101");
        admin
            .add_staff("mgr01", "经理", Role::Manager, &secret(PASS))
            .unwrap();
        admin.trust_hq(&hq_file, None).unwrap();
        let keys = admin.sync_keys().unwrap();
        drop(admin);
        let branch_file = dir.path().join("branch-keys.toml");
        std::fs::write(&branch_file, keys.to_toml()).unwrap();
        hq.trust_branch(&branch_file).unwrap();
        World {
            dir,
            clock: clock(),
            hq,
            branch,
            bundles: Vec::new(),
            backups: Vec::new(),
            next_client: 0,
        }
    }

    fn manager(&self) -> Session {
        Session::unlock(
            &self.branch,
            "mgr01",
            &secret(PASS),
            self.clock.clone(),
            options(),
        )
        .unwrap()
    }

    /// Registers a client with a name never used before; returns the name.
    fn register(&mut self) -> String {
        self.next_client += 1;
        let n = self.next_client;
        let body = format!("11010119900101{n:03}");
        let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
        let name = format!("客户{n}");
        let input = ClientInput {
            name: name.clone(),
            id_number: format!("{body}{check}"),
            ..Default::default()
        };
        self.manager().create_client(&input).unwrap();
        name
    }

    /// Registers a walk-in's complaint received today; returns its receipt number.
    fn complaint(&self) -> String {
        let input = branchdesk::domain::complaint::IntakeInput {
            complainant_name: "张伟".into(),
            category: "fees".into(),
            request: "退还年费".into(),
            description: "年费被重复收取".into(),
            ..Default::default()
        };
        self.manager()
            .register_complaint(&input)
            .unwrap()
            .receipt_no
    }

    fn backup(&mut self) -> PathBuf {
        let file = self
            .dir
            .path()
            .join(format!("backup-{}.bdbak", self.backups.len()));
        self.manager().backup_to(&file, &mut |_| {}).unwrap();
        self.backups.push(file.clone());
        file
    }

    fn export(&mut self) -> Option<PathBuf> {
        let dir = self.dir.path().join("out");
        std::fs::create_dir_all(&dir).unwrap();
        let file = self
            .manager()
            .export_bundle(&dir, &mut |_, _| {})
            .unwrap()
            .file?;
        // Each export its own copy: a later export may reuse the name.
        let kept = dir.join(format!("{}-{}", self.bundles.len(), name_of(&file)));
        std::fs::rename(&file, &kept).unwrap();
        std::fs::rename(sig_of(&file), sig_of(&kept)).unwrap();
        self.bundles.push(kept.clone());
        Some(kept)
    }

    fn restore(&self, file: &Path, force: bool) -> branchdesk::Result<()> {
        branchdesk::store::restore_with(
            &self.branch,
            file,
            "admin01",
            &secret(PASS),
            self.clock.clone(),
            options(),
            force,
        )
        .map(drop)
    }

    fn import(&mut self, file: &Path) -> ImportOutcome {
        self.hq.hq_import(file).unwrap()
    }

    /// The clients HQ holds: name → client number.
    fn hq_clients(&self) -> BTreeMap<String, Vec<String>> {
        let mut clients: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in self.hq.hq_rows("client").unwrap() {
            let name = row.fields["name"].as_str().unwrap_or_default().to_string();
            let number = row.fields["client_no"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            clients.entry(name).or_default().push(number);
        }
        clients
    }
}

fn name_of(file: &Path) -> String {
    file.file_name().unwrap().to_string_lossy().into_owned()
}

fn sig_of(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.minisig", file.display()))
}

/// Every name once, and no client number given to two clients.
fn assert_once(clients: &BTreeMap<String, Vec<String>>, expected: &BTreeSet<String>) {
    let names: BTreeSet<String> = clients.keys().cloned().collect();
    assert_eq!(&names, expected);
    for (name, numbers) in clients {
        assert_eq!(numbers.len(), 1, "{name} at HQ {numbers:?}");
    }
    let numbers: BTreeSet<&String> = clients.values().flatten().collect();
    assert_eq!(numbers.len(), clients.len(), "a client number given twice");
}

crate::hq_test! {
    fn a_restore_behind_the_last_export_continues_past_it_and_hq_gets_every_change_once(backend) {
        let mut world = World::new(backend);
        let kept: Vec<String> = (0..3).map(|_| world.register()).collect();
        let backup = world.backup();
        let lost: Vec<String> = (0..2).map(|_| world.register()).collect();
        let lost_receipt = world.complaint();
        let first = world.export().unwrap();
        assert!(matches!(
            world.import(&first),
            ImportOutcome::Applied { .. }
        ));

        // The backup is older than the export: refused unless forced, nothing replaced.
        let db = std::fs::read(world.branch.db()).unwrap();
        match world.restore(&backup, false) {
            Err(error @ Error::RestoreBehindExport { .. }) => {
                let en = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
                let sentence = error.message(en);
                assert!(sentence.contains("--force"), "{sentence}");
                let Error::RestoreBehindExport {
                    backup_seq,
                    exported_seq,
                    ..
                } = error
                else {
                    unreachable!()
                };
                assert!(backup_seq < exported_seq);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read(world.branch.db()).unwrap(), db);
        world.restore(&backup, true).unwrap();

        let after = world.register();
        // The day's receipt numbering continues past the complaint the restore lost, and goes
        // on from there.
        let receipt = world.complaint();
        assert!(receipt > lost_receipt, "{receipt} after {lost_receipt}");
        let next = world.complaint();
        assert!(next > receipt, "{next} after {receipt}");
        let second = world.export().unwrap();
        match world.import(&second) {
            ImportOutcome::Applied { ops, .. } => assert!(ops > 0),
            other => panic!("{other:?}"),
        }
        let expected: BTreeSet<String> = kept.iter().chain(&lost).chain([&after]).cloned().collect();
        let clients = world.hq_clients();
        assert_once(&clients, &expected);
        // The new client's number continues past the ones the lost clients were given.
        let lost_numbers: Vec<&String> = lost.iter().map(|n| &clients[n][0]).collect();
        assert!(lost_numbers.iter().all(|n| **n < clients[&after][0]));
    }
}

crate::hq_test! {
    fn bundles_from_both_sides_of_a_restore_apply_in_either_order(backend) {
        let mut world = World::new(backend);
        world.register();
        let backup = world.backup();
        world.register();
        let before = world.export().unwrap();
        world.restore(&backup, true).unwrap();
        world.register();
        let after = world.export().unwrap();

        // The later bundle first: it declares void what the earlier one carries, so it waits.
        assert!(
            matches!(world.import(&after), ImportOutcome::Quarantined { .. }),
            "the later bundle waits for the earlier one"
        );
        match world.import(&before) {
            ImportOutcome::Applied { released, .. } => assert_eq!(released.len(), 1),
            other => panic!("{other:?}"),
        }
        assert_eq!(world.hq_clients().len(), 3);
    }
}

crate::hq_test! {
    fn a_fork_hq_cannot_tell_from_a_repeat_is_set_aside_and_renumbered(backend) {
        let mut world = World::new(backend);
        world.register();
        let backup = world.backup();
        world.register();
        world.register();
        let first = world.export().unwrap();
        world.import(&first);
        // The machine is lost with everything beside the store: the backup goes onto a new one.
        std::fs::remove_dir_all(world.branch.dir()).unwrap();
        world.restore(&backup, false).unwrap();
        world.register();
        let forked = world.export().unwrap();
        let (from, to) = match world.import(&forked) {
            ImportOutcome::Forked {
                from_seq, to_seq, ..
            } => (from_seq, to_seq),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            world.hq_clients().len(),
            3,
            "nothing of the fork was applied"
        );

        // HQ's acknowledgement stops before the fork: the branch keeps the changes to move.
        let out = world.dir.path().join("reference");
        std::fs::create_dir_all(&out).unwrap();
        let published = world.hq.publish_reference(&out).unwrap();
        world.manager().import_reference(&published.file).unwrap();

        // A manager may not renumber; an administrator moves the changes past HQ's numbers.
        assert!(matches!(
            world.manager().renumber_changes(from, to),
            Err(Error::PermissionDenied { .. })
        ));
        let mut admin =
            Session::unlock(&world.branch, "admin01", &secret(PASS), clock(), options()).unwrap();
        assert!(admin.renumber_changes(from, to).unwrap() > 0);
        drop(admin);
        let again = world.export().unwrap();
        assert!(matches!(
            world.import(&again),
            ImportOutcome::Applied { .. }
        ));
        assert_eq!(world.hq_clients().len(), 4);
        // The renumbered changes came: the forked copy is no longer kept, nor acknowledged
        // around.
        let status = world.hq.hq_status().unwrap();
        assert!(status.branches[0].quarantined.is_empty(), "{status:?}");
    }
}

crate::hq_test! {
    /// The other way round: the restored store's bundle reaches HQ before the last bundle of
    /// the history it replaced. That late bundle carries changes the branch no longer has; HQ
    /// keeps it aside for itself to look into and asks nothing of the branch.
    fn the_older_history_arriving_last_is_kept_aside_without_asking_the_branch_to_renumber(backend) {
        let mut world = World::new(backend);
        world.register();
        let backup = world.backup();
        world.register();
        world.register();
        let old_history = world.export().unwrap();
        std::fs::remove_dir_all(world.branch.dir()).unwrap();
        // The new machine is set up the next morning.
        world.clock.advance(chrono::Duration::hours(12));
        world.restore(&backup, false).unwrap();
        world.register();
        let new_history = world.export().unwrap();
        assert!(matches!(
            world.import(&new_history),
            ImportOutcome::Applied { .. }
        ));
        match world.import(&old_history) {
            ImportOutcome::Forked { older, .. } => assert!(older, "the late bundle is the older"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            world.hq_clients().len(),
            2,
            "nothing of the older history applied"
        );
        let status = world.hq.hq_status().unwrap();
        assert_eq!(status.branches[0].quarantined[0].reason, "orphaned");
        // The branch is not held back: HQ acknowledges all it holds of the newer history.
        let out = world.dir.path().join("reference");
        std::fs::create_dir_all(&out).unwrap();
        let published = world.hq.publish_reference(&out).unwrap();
        let report = world.manager().import_reference(&published.file).unwrap();
        assert!(report.pruned > 0, "{report:?}");
    }
}

crate::hq_test! {
    /// Restored to the wrong backup, worked on, then restored to the right one: changes the
    /// right backup holds that never left the branch (which the wrong store declared skipped)
    /// reach HQ once, under the numbers HQ was told were skipped.
    fn two_restores_in_a_row_lose_nothing_that_either_store_still_holds(backend) {
        let mut world = World::new(backend);
        let c1 = world.register();
        let wrong = world.backup();
        let c2 = world.register();
        let first = world.export().unwrap();
        world.import(&first);
        let c3 = world.register();
        let right = world.backup();
        world.register(); // never exported, in no backup: lost
        world.restore(&wrong, true).unwrap();
        let c5 = world.register();
        let second = world.export().unwrap();
        assert!(matches!(
            world.import(&second),
            ImportOutcome::Applied { .. }
        ));
        world.restore(&right, true).unwrap();
        let third = world.export().unwrap();
        let outcome = world.import(&third);
        assert!(
            matches!(outcome, ImportOutcome::Applied { .. }),
            "{outcome:?}"
        );
        let expected: BTreeSet<String> = [c1, c2, c3, c5].into_iter().collect();
        assert_once(&world.hq_clients(), &expected);
    }
}

/// One step of a branch's life between backups, exports, imports and restores.
#[derive(Debug, Clone)]
enum Step {
    Register,
    Backup,
    Export,
    /// Restores the n-th backup made so far (modulo), forced.
    Restore(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::Register),
        2 => Just(Step::Backup),
        2 => Just(Step::Export),
        1 => (0usize..8).prop_map(Step::Restore),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// Whatever the restore points between exports, and whatever order HQ gets the
    /// bundles in (each twice), HQ ends with every client that was ever exported exactly
    /// once and no client number given twice.
    #[test]
    fn hq_receives_every_exported_change_exactly_once(
        steps in proptest::collection::vec(step(), 4..14),
        order in proptest::collection::vec(any::<u32>(), 32),
    ) {
        receives_every_change_once(steps, order, &Backend::Sqlite)?;
    }

    #[test]
    fn hq_receives_every_exported_change_exactly_once_on_postgres(
        steps in proptest::collection::vec(step(), 4..14),
        order in proptest::collection::vec(any::<u32>(), 32),
    ) {
        if let Some(backend) = Backend::postgres() {
            receives_every_change_once(steps, order, &backend)?;
        }
    }
}

/// The property both back ends must have.
fn receives_every_change_once(
    steps: Vec<Step>,
    order: Vec<u32>,
    backend: &Backend,
) -> Result<(), TestCaseError> {
    let mut world = World::new(backend);
    // The branch as it is (the clients it holds), each backup's, and what left it.
    let mut here: BTreeSet<String> = BTreeSet::new();
    let mut in_backup: Vec<BTreeSet<String>> = Vec::new();
    let mut exported: BTreeSet<String> = BTreeSet::new();
    for step in steps {
        match step {
            Step::Register => {
                here.insert(world.register());
            }
            Step::Backup => {
                world.backup();
                in_backup.push(here.clone());
            }
            Step::Export => {
                if world.export().is_some() {
                    exported.extend(here.iter().cloned());
                }
            }
            Step::Restore(n) if !world.backups.is_empty() => {
                let n = n % world.backups.len();
                let file = world.backups[n].clone();
                world.restore(&file, true).unwrap();
                here = in_backup[n].clone();
            }
            Step::Restore(_) => {}
        }
    }
    if world.export().is_some() {
        exported.extend(here.iter().cloned());
    }
    let mut deliveries: Vec<PathBuf> = world
        .bundles
        .iter()
        .chain(world.bundles.iter())
        .cloned()
        .collect();
    for (i, pick) in order.iter().enumerate().take(deliveries.len()) {
        let j = i + (*pick as usize) % (deliveries.len() - i);
        deliveries.swap(i, j);
    }
    for file in &deliveries {
        let outcome = world.import(file);
        prop_assert!(
            !matches!(outcome, ImportOutcome::Forked { .. }),
            "{outcome:?}"
        );
    }
    assert_once(&world.hq_clients(), &exported);
    Ok(())
}
