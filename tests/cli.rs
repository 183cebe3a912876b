//! The command line, as a script or an operator would use it: no terminal, passphrases from
//! the environment, one plain sentence on stderr when something is wrong.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ADMIN_PASS: &str = "admin passphrase 2026";
const TELLER_PASS: &str = "teller passphrase 2026";

struct Cli {
    home: tempfile::TempDir,
    store: PathBuf,
}

impl Cli {
    fn new() -> Cli {
        let home = tempfile::tempdir().unwrap();
        let store = home.path().join("store");
        Cli { home, store }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_branchdesk"));
        command
            .args(args)
            .arg("--store")
            .arg(&self.store)
            .env("LANG", "en_US.UTF-8")
            .env("LC_ALL", "en_US.UTF-8")
            .env("HOME", self.home.path())
            .env("BRANCHDESK_CONFIG", self.home.path().join("none.toml"))
            .env_remove("BRANCHDESK_STORE")
            .env_remove("BRANCHDESK_USER")
            .env_remove("BRANCHDESK_PASSPHRASE")
            .env_remove("BRANCHDESK_NEW_PASSPHRASE")
            .stdin(Stdio::null());
        command
    }

    fn run_as(&self, user: &str, pass: &str, args: &[&str]) -> Output {
        self.command(args)
            .env("BRANCHDESK_USER", user)
            .env("BRANCHDESK_PASSPHRASE", pass)
            .output()
            .unwrap()
    }

    fn admin(&self, args: &[&str]) -> Output {
        self.run_as("admin01", ADMIN_PASS, args)
    }

    /// A store with admin01 and teller01.
    fn initialised() -> Cli {
        let cli = Cli::new();
        let out = cli
            .command(&[
                "init",
                "--branch",
                "BJ0101",
                "--branch-name",
                "北京西单支行",
                "--admin",
                "admin01",
            ])
            .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
            .output()
            .unwrap();
        assert_ok(&out);
        let out = cli
            .command(&[
                "user", "add", "teller01", "--name", "王芳", "--role", "teller",
            ])
            .env("BRANCHDESK_USER", "admin01")
            .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
            .env("BRANCHDESK_NEW_PASSPHRASE", TELLER_PASS)
            .output()
            .unwrap();
        assert_ok(&out);
        cli
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.store.join(name)).unwrap()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// Fails with exactly one sentence on stderr, which contains `expected`.
fn assert_one_sentence(out: &Output, expected: &str) {
    assert!(!out.status.success(), "should have failed: {}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line on stderr, got:\n{err}");
    assert!(err.contains(expected), "expected {expected:?} in {err:?}");
}

#[test]
fn init_add_list_and_log_in_as_the_new_member() {
    let cli = Cli::initialised();
    let out = cli.admin(&["user", "list", "--json"]);
    assert_ok(&out);
    let staff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["admin01", "teller01"]);
    assert_eq!(staff[1]["name"], "王芳");
    assert_eq!(staff[1]["role"], "teller");

    // Plain output lines up Chinese names.
    let out = cli.admin(&["user", "list"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("王芳"));

    // A teller may not list staff: refused by the store, not only hidden by a screen.
    let out = cli.run_as("teller01", TELLER_PASS, &["user", "list"]);
    assert_one_sentence(&out, "Your role may not view staff accounts");
}

#[test]
fn a_second_init_is_refused() {
    let cli = Cli::initialised();
    let before = cli.file("branchdesk.db");
    let out = cli
        .command(&[
            "init",
            "--branch",
            "X1",
            "--branch-name",
            "X",
            "--admin",
            "root01",
        ])
        .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
        .output()
        .unwrap();
    assert_one_sentence(&out, "A store already exists");
    assert_eq!(cli.file("branchdesk.db"), before);
}

#[test]
fn a_short_passphrase_is_refused_at_init() {
    let cli = Cli::new();
    let out = cli
        .command(&[
            "init",
            "--branch",
            "BJ0101",
            "--branch-name",
            "x",
            "--admin",
            "admin01",
        ])
        .env("BRANCHDESK_PASSPHRASE", "short")
        .output()
        .unwrap();
    assert_one_sentence(&out, "at least 12 characters");
    assert!(!cli.store.join("branchdesk.db").exists());
}

#[test]
fn a_wrong_passphrase_exits_non_zero_and_changes_nothing() {
    let cli = Cli::initialised();
    let db = cli.file("branchdesk.db");
    let slots = cli.file("keyslots.json");
    let out = cli.run_as("admin01", "not the passphrase", &["user", "list"]);
    assert_one_sentence(&out, "The staff ID or passphrase is wrong");
    // The unknown ID gets the very same sentence.
    let out = cli.run_as("nobody01", ADMIN_PASS, &["user", "list"]);
    assert_eq!(
        stderr(&out).trim(),
        "The staff ID or passphrase is wrong; try again."
    );
    assert_eq!(cli.file("branchdesk.db"), db);
    assert_eq!(cli.file("keyslots.json"), slots);
}

#[test]
fn missing_credentials_are_explained() {
    let cli = Cli::initialised();
    let out = cli
        .command(&["user", "list"])
        .env("BRANCHDESK_USER", "admin01")
        .output()
        .unwrap();
    assert_one_sentence(&out, "No passphrase was given");
    let out = cli.command(&["user", "list"]).output().unwrap();
    assert_one_sentence(&out, "No staff ID was given");
    let file = cli.home.path().join("pass.txt");
    std::fs::write(&file, format!("{ADMIN_PASS}\n")).unwrap();
    let out = cli
        .command(&["user", "list", "--passphrase-file", file.to_str().unwrap()])
        .env("BRANCHDESK_USER", "admin01")
        .output()
        .unwrap();
    assert_ok(&out);
}

#[test]
fn the_database_is_not_readable_as_plain_sqlite() {
    let cli = Cli::initialised();
    let db = cli.file("branchdesk.db");
    assert_ne!(
        &db[..16],
        b"SQLite format 3\0",
        "the header is encrypted too"
    );
    if let Ok(out) = Command::new("sqlite3")
        .arg(cli.store.join("branchdesk.db"))
        .arg(".tables")
        .output()
    {
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("file is not a database"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn the_binary_carries_its_own_crypto() {
    let out = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_branchdesk"))
        .output()
        .expect("ldd is part of every glibc system");
    let libs = stdout(&out);
    assert!(libs.contains("libc.so"), "{libs}");
    assert!(
        !libs.contains("libssl") && !libs.contains("libcrypto"),
        "{libs}"
    );
}

#[test]
fn a_disabled_members_old_key_slots_copy_opens_nothing() {
    let cli = Cli::initialised();
    let old_slots = cli.file("keyslots.json");
    let out = cli.admin(&["user", "disable", "teller01"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Disabled teller01"));
    let out = cli.run_as("teller01", TELLER_PASS, &["doctor"]);
    assert_one_sentence(&out, "The staff ID or passphrase is wrong");

    // Put the old keyslots.json back: it unwraps a key, but not the database's key.
    let current = cli.file("keyslots.json");
    std::fs::write(cli.store.join("keyslots.json"), &old_slots).unwrap();
    let out = cli.run_as("teller01", TELLER_PASS, &["doctor"]);
    assert_one_sentence(&out, "does not open with this store's keys");
    std::fs::write(cli.store.join("keyslots.json"), &current).unwrap();
    assert_ok(&cli.admin(&["doctor"]));
}

#[test]
fn audit_verify_reports_ok_then_names_a_tampered_row() {
    let cli = Cli::initialised();
    let out = cli.admin(&["audit", "verify"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("The audit trail is intact"),
        "{}",
        stdout(&out)
    );

    let slots = branchdesk::store::KeySlots::load(&cli.store.join("keyslots.json")).unwrap();
    let key = slots
        .open("admin01", &common::secret(ADMIN_PASS))
        .unwrap()
        .db_key;
    let conn = branchdesk::store::open_db(&cli.store.join("branchdesk.db"), &key, false).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_update;
         UPDATE audit_log SET actor = 'admin02' WHERE id = 2;",
    )
    .unwrap();
    drop(conn);

    let out = cli.admin(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("broken at row 2: its content was changed"),
        "{}",
        stdout(&out)
    );
    let out = cli.admin(&["audit", "verify", "--json"]);
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["status"], "broken");
    assert_eq!(verdict["row"], 2);
    let out = cli.admin(&["doctor", "--json"]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
}

#[test]
fn backup_then_restore_through_the_cli() {
    let cli = Cli::initialised();
    let backup = cli.home.path().join("friday.bdbak");
    let out = cli.admin(&["backup", "--to", backup.to_str().unwrap()]);
    assert_ok(&out);
    assert!(backup.exists());
    let out = cli.admin(&["backup", "--to", backup.to_str().unwrap()]);
    assert_one_sentence(&out, "already exists");

    let out = cli
        .command(&["user", "add", "rm01", "--name", "李娜", "--role", "rm"])
        .env("BRANCHDESK_USER", "admin01")
        .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
        .env("BRANCHDESK_NEW_PASSPHRASE", "rm passphrase 2026")
        .output()
        .unwrap();
    assert_ok(&out);

    let out = cli.admin(&["restore", backup.to_str().unwrap()]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Restored the store"),
        "{}",
        stdout(&out)
    );
    let out = cli.admin(&["user", "list", "--json"]);
    let staff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        staff.as_array().unwrap().len(),
        2,
        "rm01 came after the backup"
    );
    // What the restore kept beside the store is said by doctor, with what to do about it.
    let out = cli.admin(&["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left = report["left_beside"].as_array().unwrap();
    assert!(
        left.iter().any(|f| f["why"] == "before_restore"
            && f["name"]
                .as_str()
                .unwrap()
                .starts_with("branchdesk.db.before-restore-")),
        "{left:?}"
    );
    let out = cli.admin(&["doctor"]);
    assert!(
        stdout(&out).contains("the store as it was before a restore"),
        "{}",
        stdout(&out)
    );

    let junk = cli.home.path().join("junk.bdbak");
    std::fs::write(&junk, b"nonsense").unwrap();
    let out = cli.admin(&["restore", junk.to_str().unwrap()]);
    assert_one_sentence(&out, "is not a complete, intact branchdesk backup");
}

#[test]
fn a_store_in_use_is_said_to_be_in_use() {
    let cli = Cli::initialised();
    let _held = branchdesk::store::Session::unlock(
        &branchdesk::store::StorePaths::new(&cli.store),
        "admin01",
        &common::secret(ADMIN_PASS),
        std::sync::Arc::new(branchdesk::domain::clock::SystemClock),
        branchdesk::store::StoreOptions::default(),
    )
    .unwrap();
    let out = cli.admin(&["user", "list"]);
    assert_one_sentence(&out, "in use by another branchdesk");
}

#[test]
fn a_missing_store_and_a_missing_terminal_are_explained() {
    let cli = Cli::new();
    let out = cli.admin(&["user", "list"]);
    assert_one_sentence(&out, "There is no branchdesk store at");
    let out = cli.command(&[]).output().unwrap();
    assert_one_sentence(&out, "needs a terminal");
}

#[test]
fn damaged_key_slots_are_named() {
    let cli = Cli::initialised();
    let slots = cli.file("keyslots.json");
    std::fs::write(cli.store.join("keyslots.json"), &slots[..100]).unwrap();
    let out = cli.admin(&["user", "list"]);
    assert_one_sentence(&out, "is damaged or was edited");
    std::fs::remove_file(cli.store.join("keyslots.json")).unwrap();
    let out = cli.admin(&["user", "list"]);
    assert_one_sentence(&out, "is missing");
}

#[test]
fn a_bad_config_file_names_its_line() {
    let cli = Cli::initialised();
    let config = cli.home.path().join("config.toml");
    std::fs::write(&config, "language = \"en\"\nidle_lock_minutes = 60\n").unwrap();
    let out = cli
        .command(&["user", "list"])
        .env("BRANCHDESK_CONFIG", &config)
        .output()
        .unwrap();
    assert_one_sentence(&out, "idle_lock_minutes must be between 1 and 15");
}

#[test]
fn messages_follow_the_language() {
    let cli = Cli::initialised();
    let out = cli
        .command(&["user", "list"])
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "zh_CN.UTF-8")
        .env("BRANCHDESK_USER", "admin01")
        .env("BRANCHDESK_PASSPHRASE", "wrong wrong wrong")
        .output()
        .unwrap();
    assert_one_sentence(&out, "员工号或口令不正确");
    let out = cli
        .command(&["user", "list", "--lang", "en"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_one_sentence(&out, "No staff ID was given");
}

#[test]
fn the_demo_store_is_made_once() {
    let cli = Cli::new();
    let out = cli.command(&["demo", "--no-tui"]).output().unwrap();
    assert_ok(&out);
    assert!(
        stdout(&out).contains("teller01, rm01, manager01, auditor01"),
        "{}",
        stdout(&out)
    );
    let out = cli.run_as("manager01", "branchdesk-demo", &["user", "list", "--json"]);
    assert_ok(&out);
    // Made under an English UI, the demo branch is still a Chinese one.
    let staff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let teller = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "teller01")
        .unwrap();
    assert_eq!(teller["name"], "王芳");
    let out = cli.run_as(
        "manager01",
        "branchdesk-demo",
        &["branch", "show", "--json"],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("演示支行"), "{}", stdout(&out));
    let before = cli.file("keyslots.json");
    let out = cli.command(&["demo", "--no-tui"]).output().unwrap();
    assert_ok(&out);
    assert!(!stdout(&out).contains("Created"));
    assert_eq!(cli.file("keyslots.json"), before);
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["doctor", "--help"],
        vec!["demo", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_branchdesk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage:"), "{args:?}");
    }
}

/// `doctor` says what page cache the store runs with and why: sized from the store unless
/// the configuration names a size.
#[test]
fn doctor_reports_the_page_cache_and_the_configuration_sets_it() {
    let cli = Cli::initialised();
    let out = cli.admin(&["doctor"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Page cache 96 MiB (the least any store gets)"),
        "{}",
        stdout(&out)
    );
    std::fs::write(cli.home.path().join("none.toml"), "page_cache_mib = 300\n").unwrap();
    let out = cli.admin(&["doctor", "--json"]);
    assert_ok(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["page_cache"]["mib"], 300);
    assert_eq!(report["page_cache"]["reason"], "configured");
    let out = cli.admin(&["--lang", "zh", "doctor"]);
    assert!(
        stdout(&out).contains("页缓存 300 MiB（配置文件中的 page_cache_mib）"),
        "{}",
        stdout(&out)
    );
}

/// Killed while disabling a member, the store is either as before (the member active, their
/// old key slot still theirs) or as after (disabled, and no copy of the old key slots opens
/// the database) — never disabled while the old slots still open it.
#[test]
fn a_disablement_killed_midway_is_all_or_nothing() {
    for (crash_at, disabled) in [("rekey:staged", false), ("swap:committed", true)] {
        let cli = Cli::initialised();
        let old_slots = cli.file("keyslots.json");
        let out = cli
            .command(&["user", "disable", "teller01", "--user", "admin01"])
            .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
            .env("BRANCHDESK_CRASH_AT", crash_at)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{crash_at}: the process died");
        let out = cli.admin(&["user", "list", "--json"]);
        assert_ok(&out);
        let staff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let teller = staff
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "teller01")
            .unwrap()
            .clone();
        assert_eq!(teller["status"] == "disabled", disabled, "{crash_at}");
        // The old key slots open the database exactly when the member is still active.
        let current = cli.file("keyslots.json");
        std::fs::write(cli.store.join("keyslots.json"), &old_slots).unwrap();
        let out = cli.run_as(
            "teller01",
            TELLER_PASS,
            &["client", "search", "王", "--json"],
        );
        assert_eq!(
            out.status.success(),
            !disabled,
            "{crash_at}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(cli.store.join("keyslots.json"), &current).unwrap();
        assert_ok(&cli.admin(&["doctor"]));
    }
}

/// Every file the process creates is its owner's alone: the store, its logs, backups.
#[cfg(unix)]
#[test]
fn every_file_the_store_holds_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let cli = Cli::initialised();
    let backup = cli.store.join("monday.bdbak");
    assert_ok(&cli.admin(&["backup", "--to", backup.to_str().unwrap()]));
    assert_ok(&cli.admin(&["doctor"]));
    let mut seen = 0;
    let mut stack = vec![cli.store.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if path.is_dir() {
                assert_eq!(mode, 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode, 0o600, "{}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 5, "the store's files, its log and the backup");
}

/// Killed right after a restore swapped the files in: the members disabled after the
/// backup have no key slot, and the next login disables them in the restored database and
/// rekeys it.
#[test]
fn a_restore_killed_after_its_swap_is_finished_at_the_next_login() {
    let cli = Cli::initialised();
    let backup = cli.home.path().join("b.bdbak");
    assert_ok(&cli.admin(&["backup", "--to", backup.to_str().unwrap()]));
    assert_ok(&cli.admin(&["user", "disable", "teller01"]));
    let out = cli
        .command(&["restore", backup.to_str().unwrap(), "--user", "admin01"])
        .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
        .env("BRANCHDESK_CRASH_AT", "restore:swapped")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the process died");
    let out = cli.run_as("teller01", TELLER_PASS, &["client", "search", "王"]);
    assert!(!out.status.success(), "teller01 has no slot after the swap");
    let out = cli.admin(&["user", "list", "--json"]);
    assert_ok(&out);
    let staff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let teller = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "teller01")
        .unwrap();
    assert_eq!(teller["status"], "disabled");
    let out = cli.admin(&["audit", "list", "--json", "--limit", "20"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"store.rekey"), "{actions:?}");
}
