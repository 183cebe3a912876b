//! `branchdesk sync …`, `export`, `hq …` and `import` from the command line, and the bundle
//! read by the stock `age` and `minisign` tools (installed by `.ci/run`; skipped with a
//! printed reason where they are absent).

mod common;

use common::backend::Backend;

use common::{CliStore as Store, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// HQ's store (admin hq01) and a branch (admin01, manager mgr01) that trust each other.
fn pair(backend: &Backend) -> (Store, Store) {
    let mut hq = Store::empty();
    hq.store = hq.home.path().join("hq");
    let mut init = vec!["hq", "init", "--admin", "hq01"];
    if let Some(url) = backend.database() {
        init.extend(["--database", url]);
    }
    let out = hq.command("hq01", hq.pass, &init);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The branch is made knowing HQ's keys (`init --hq-keys`).
    let branch = Store::empty();
    let hq_keys = hq.store.join("hq-keys.toml");
    branch.run(
        "admin01",
        &[
            "init",
            "--branch",
            "BJ0101",
            "--branch-name",
            "西单",
            "--admin",
            "admin01",
            "--hq-keys",
            hq_keys.to_str().unwrap(),
        ],
    );
    branch.run(
        "admin01",
        &[
            "user", "add", "mgr01", "--name", "mgr01", "--role", "manager",
        ],
    );
    let branch_keys = branch.home.path().join("BJ0101-keys.toml");
    branch.run(
        "admin01",
        &["sync", "keys", "--out", branch_keys.to_str().unwrap()],
    );
    hq.run(
        "hq01",
        &["hq", "trust-branch", branch_keys.to_str().unwrap()],
    );
    (hq, branch)
}

fn export(branch: &Store, dir: &Path) -> PathBuf {
    let report = json(&branch.run(
        "mgr01",
        &["export", "--to", dir.to_str().unwrap(), "--json"],
    ));
    PathBuf::from(report["file"].as_str().unwrap())
}

crate::hq_test! {
    fn a_round_trip_through_the_command_line(backend) {
        let (hq, branch) = pair(backend);
        branch.add_wang_fang("mgr01", &[]);
        let usb = tempfile::tempdir().unwrap();
        let file = export(&branch, usb.path());
        // Only a manager exports.
        let refused = branch.refused("admin01", &["export", "--to", usb.path().to_str().unwrap()]);
        assert!(refused.contains("may not export bundles"), "{refused}");

        let imported = json(&hq.run(
            "hq01",
            &[
                "hq",
                "import",
                file.to_str().unwrap(),
                file.to_str().unwrap(),
                "--json",
            ],
        ));
        assert_eq!(imported[0]["result"]["outcome"], "applied");
        assert_eq!(imported[1]["result"]["outcome"], "already_imported");
        let status = json(&hq.run("hq01", &["hq", "status", "--json"]));
        assert_eq!(
            json(&hq.run("hq01", &["hq", "review", "--json"])),
            json("[]")
        );
        assert!(
            hq.run("hq01", &["hq", "review"])
                .contains("No identity fields to review")
        );
        assert_eq!(status["branches"][0]["code"], "BJ0101");
        assert_eq!(
            status["branches"][0]["high_water"],
            imported[0]["result"]["to_seq"]
        );

        // A damaged copy: one sentence, exit code 4, nothing changed.
        let damaged = usb.path().join("damaged.bdx");
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&damaged, bytes).unwrap();
        std::fs::copy(
            format!("{}.minisig", file.display()),
            format!("{}.minisig", damaged.display()),
        )
        .unwrap();
        let out = hq.command(
            "hq01",
            hq.pass,
            &["hq", "import", damaged.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(4));
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains("does not match its signature"),
            "{message}"
        );
        assert_eq!(json(&hq.run("hq01", &["hq", "status", "--json"])), status);

        // Reference data back: the branch's outbox is pruned to what HQ holds.
        let published = json(&hq.run(
            "hq01",
            &[
                "hq",
                "publish",
                "--to",
                usb.path().to_str().unwrap(),
                "--json",
            ],
        ));
        let reference = published["file"].as_str().unwrap();
        let applied = json(&branch.run("mgr01", &["import", reference, "--json"]));
        assert_eq!(applied["acked_seq"], status["branches"][0]["high_water"]);
        let again = branch.refused("mgr01", &["import", reference]);
        assert!(again.contains("already applied"), "{again}");
        let sync = json(&branch.run("mgr01", &["sync", "status", "--json"]));
        assert_eq!(sync["acked_seq"], applied["acked_seq"]);
        assert_eq!(sync["ref_version"], 1);

        // Human output is in the terminal's zone; --json keeps the instant with its offset.
        let in_beijing = |iso: &serde_json::Value| {
            chrono::DateTime::parse_from_rfc3339(iso.as_str().unwrap())
                .unwrap()
                .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        let beijing = [("TZ", "CST-8")];
        let text = hq.run_in("hq01", &beijing, &["hq", "status"]);
        let last_import = &status["branches"][0]["last_import"];
        assert!(text.contains(&in_beijing(last_import)), "{text}");
        assert!(!text.contains(last_import.as_str().unwrap()), "{text}");
        let text = branch.run_in("mgr01", &beijing, &["sync", "status"]);
        let exported = &sync["last_export"]["at"];
        assert!(text.contains(&in_beijing(exported)), "{text}");
        assert!(!text.contains(exported.as_str().unwrap()), "{text}");
    }
}

fn minisign_verify(public: &Path, file: &Path) -> std::process::Output {
    Command::new("minisign")
        .args(["-V", "-p"])
        .arg(public)
        .arg("-m")
        .arg(file)
        .output()
        .unwrap()
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-h").output().is_ok();
    if !found {
        println!("skipped: the `{name}` tool is not installed here (.ci/run installs it)");
    }
    found
}

crate::hq_test! {
    fn the_stock_age_and_minisign_tools_read_a_bundle(backend) {
        if !(tool("age") && tool("minisign")) {
            return;
        }
        let (hq, branch) = pair(backend);
        let usb = tempfile::tempdir().unwrap();
        let file = export(&branch, usb.path());
        let minisign_pub = usb.path().join("BJ0101.pub");
        branch.run(
            "admin01",
            &[
                "sync",
                "keys",
                "--minisign-pub",
                minisign_pub.to_str().unwrap(),
            ],
        );
        let verified = minisign_verify(&minisign_pub, &file);
        let said = String::from_utf8_lossy(&verified.stdout);
        assert!(verified.status.success(), "{verified:?}");
        assert!(
            said.contains("sender=BJ0101 seq=1-"),
            "the trusted comment: {said}"
        );

        let identity = usb.path().join("hq-identity.txt");
        hq.run(
            "hq01",
            &["hq", "identity", "--out", identity.to_str().unwrap()],
        );
        let plain = usb.path().join("bundle.tar");
        let decrypted = Command::new("age")
            .args([
                "-d",
                "-i",
                identity.to_str().unwrap(),
                "-o",
                plain.to_str().unwrap(),
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(decrypted.status.success(), "{decrypted:?}");
        let mut archive = tar::Archive::new(std::fs::File::open(&plain).unwrap());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["manifest.json", "ops.ndjson.zst"]);

        // A flipped bit: the stock tool refuses it too.
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[100] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        let refused = minisign_verify(&minisign_pub, &file);
        assert!(!refused.status.success());
    }
}

/// Runs `script` with `args` in a private mount namespace (no root needed where user
/// namespaces are allowed), where it can mount a small tmpfs. None, with the reason printed,
/// where that is not possible.
fn in_namespace(script: &str, args: &[&str]) -> Option<std::process::Output> {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg("d=$(mktemp -d) && mount -t tmpfs -o size=4k tmpfs \"$d\" && umount \"$d\"")
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        println!(
            "skipped: cannot mount a small file system in a private namespace here ({probe:?})"
        );
        return None;
    }
    Some(
        Command::new("unshare")
            .args([
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .args(args)
            .env("LANG", "en_US.UTF-8")
            .env("LC_ALL", "en_US.UTF-8")
            .env_remove("BRANCHDESK_STORE")
            .output()
            .unwrap(),
    )
}

#[test]
fn an_export_onto_a_full_stick_says_so_and_leaves_no_file() {
    let (_hq, branch) = pair(&Backend::Sqlite);
    branch.add_wang_fang("mgr01", &[]);
    let before = json(&branch.run("mgr01", &["sync", "status", "--json"]));
    let stick = tempfile::tempdir().unwrap();
    let pass = branch.home.path().join("pass");
    std::fs::write(&pass, branch.pass).unwrap();
    // A 4 KiB stick: the bundle does not fit.
    let script = r#"mount -t tmpfs -o size=4k tmpfs "$1" || exit 97
"$2" --store "$3" --user mgr01 --passphrase-file "$4" export --to "$1"
code=$?
echo "left: $(ls -A "$1")"
exit $code"#;
    let Some(out) = in_namespace(
        script,
        &[
            stick.path().to_str().unwrap(),
            env!("CARGO_BIN_EXE_branchdesk"),
            branch.store.to_str().unwrap(),
            pass.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");
    assert!(said.contains("disk is full"), "{said}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "left:",
        "no half file"
    );
    let after = json(&branch.run("mgr01", &["sync", "status", "--json"]));
    assert_eq!(after["last_export"], before["last_export"]);
    assert!(after["last_export"].is_null());
}

#[test]
fn an_hq_import_that_fills_the_disk_changes_nothing() {
    let branch = Store::demo(2_000);
    let usb = tempfile::tempdir().unwrap();
    let report = json(&branch.run(
        "manager01",
        &["export", "--to", usb.path().to_str().unwrap(), "--json"],
    ));
    let bundle = report["file"].as_str().unwrap().to_string();
    let hq_store = branch.home.path().join("store-hq");
    let pass = branch.home.path().join("pass");
    std::fs::write(&pass, branch.pass).unwrap();
    let hq_size: u64 = std::fs::read_dir(&hq_store)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    // Room for HQ's store as it is and a little more, not for two thousand clients.
    let room = format!("size={}k", hq_size / 1024 + 256);
    let script = r#"mount -t tmpfs -o "$5" tmpfs "$1" || exit 97
cp -a "$2/." "$1/" || exit 98
"$3" --store "$1" --user admin01 --passphrase-file "$4" hq import "$6"
code=$?
"$3" --store "$1" --user admin01 --passphrase-file "$4" hq status --json
exit $code"#;
    let mount_point = tempfile::tempdir().unwrap();
    let Some(out) = in_namespace(
        script,
        &[
            mount_point.path().to_str().unwrap(),
            hq_store.to_str().unwrap(),
            env!("CARGO_BIN_EXE_branchdesk"),
            pass.to_str().unwrap(),
            &room,
            &bundle,
        ],
    ) else {
        return;
    };
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{said}");
    assert!(said.contains("disk is full"), "{said}");
    let status = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        status["branches"][0]["high_water"], 0,
        "nothing was applied"
    );
    assert_eq!(status["rows"], 0);
}

crate::hq_test! {
    /// `hq holdings import` in words and in JSON: the counts, each refused line with its
    /// reasons, the unknown product codes; in Chinese under a zh locale.
    fn a_holdings_extract_is_reported_line_by_line(backend) {
        let (hq, branch) = pair(backend);
        branch.add_wang_fang("mgr01", &[]);
        let usb = tempfile::tempdir().unwrap();
        let file = export(&branch, usb.path());
        hq.run("hq01", &["hq", "import", file.to_str().unwrap()]);
        let extract = usb.path().join("holdings.csv");
        std::fs::write(
            &extract,
            "client_no,product,account,balance,opened_on\n\
             BJ0101-0000001,DEP-TIME-1Y,A1,200000,2025-12-18\n\
             BJ0101-0000001,GOLD-BAR,A2,-5,2025-12-18\n",
        )
        .unwrap();
        let path = extract.to_str().unwrap();
        let args = ["hq", "holdings", "import", path, "--as-of", "2026-11-30"];
        let text = hq.run("hq01", &args);
        assert!(
            text.contains("2 lines; 1 added, 0 already at HQ, 1 refused."),
            "{text}"
        );
        assert!(
            text.contains("Line 3: Balance is negative. Product GOLD-BAR is not in the catalogue."),
            "{text}"
        );
        assert!(text.contains("(listed, not guessed): GOLD-BAR."), "{text}");
        let mut again: Vec<&str> = args.to_vec();
        again.push("--json");
        let report = json(&hq.run("hq01", &again));
        assert_eq!(
            (report["added"].as_u64(), report["already"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(report["refused"][0]["problems"][0]["problem"], "negative");
        let zh = hq.command_in(
            "hq01",
            hq.pass,
            &[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "zh_CN.UTF-8")],
            &args,
        );
        let text = String::from_utf8_lossy(&zh.stdout);
        assert!(text.contains("第 3 行：余额为负数。"), "{text}");

        // Published beside the reference data, for the branch alone; applied there.
        let published = json(&hq.run(
            "hq01",
            &[
                "hq",
                "publish",
                "--to",
                usb.path().to_str().unwrap(),
                "--json",
            ],
        ));
        let holdings = published["holdings"][0]["file"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            holdings.ends_with("BJ0101-holdings-2026-11-30.bdh"),
            "{holdings}"
        );
        let reference = published["file"].as_str().unwrap().to_string();
        branch.run("mgr01", &["import", &reference]);
        let applied = json(&branch.run("mgr01", &["import", &holdings, "--json"]));
        assert_eq!(
            (applied["accounts"].as_u64(), applied["clients"].as_u64()),
            (Some(1), Some(1))
        );
        let text = branch.run("mgr01", &["client", "portfolio", "BJ0101-0000001"]);
        assert!(text.contains("holdings as of 2026-11-30"), "{text}");
        assert!(text.contains("200,000.00"), "{text}");
        assert!(text.contains("Tier: Gold"), "{text}");
    }
}

crate::hq_test! {
    fn hq_reports_from_the_command_line(backend) {
        let (hq, branch) = pair(backend);
        branch.add_wang_fang("mgr01", &[]);
        branch.run(
            "mgr01",
            &[
                "complaint", "new", "--client", "BJ0101-0000001", "--category", "fees",
                "--request", "退还多收的年费", "--description", "借记卡年费被重复收取。",
                "--received", "2026-11-02",
            ],
        );
        for (nps, speed) in [("10", "5"), ("4", "2")] {
            let (nps, speed) = (format!("nps={nps}"), format!("speed={speed}"));
            branch.run(
                "mgr01",
                &[
                    "survey", "add", "--template", "counter_visit", "--on", "2026-11-20",
                    "--answer", &nps, "--answer", &speed,
                ],
            );
        }
        let usb = tempfile::tempdir().unwrap();
        let file = export(&branch, usb.path());
        hq.run("hq01", &["hq", "import", file.to_str().unwrap()]);

        // Registered on 2 November, due the 17th, still open: overdue.
        let complaints = json(&hq.run(
            "hq01",
            &["hq", "report", "complaints", "--from", "2026Q4", "--to", "2026q4", "--json"],
        ));
        assert_eq!(complaints["from"], "2026Q4");
        let cell = &complaints["cells"][0];
        assert_eq!(
            (&cell["branch"], &cell["category"], &cell["state"]),
            (&json("\"BJ0101\""), &json("\"fees\""), &json("\"registered\""))
        );
        assert_eq!((cell["complaints"].as_u64(), cell["overdue"].as_u64()), (Some(1), Some(1)));
        let satisfaction = json(&hq.run(
            "hq01",
            &["hq", "report", "satisfaction", "--from", "2026-11", "--to", "2026-11", "--json"],
        ));
        let cell = &satisfaction["cells"][0];
        assert_eq!((cell["month"].as_str(), cell["responses"].as_u64()), (Some("2026-11"), Some(2)));
        assert_eq!(cell["nps"]["nps"].as_f64(), Some(0.0));
        assert_eq!(cell["csat"]["csat"].as_f64(), Some(50.0));

        // People read it in their language; a period that is not one is one sentence.
        let text = hq.run("hq01", &["--lang", "zh", "hq", "report", "complaints", "--from", "2026Q4", "--to", "2026Q4"]);
        assert!(text.contains("收费") && text.contains("已登记"), "{text}");
        let refused = hq.refused("hq01", &["hq", "report", "satisfaction", "--from", "2026Q4"]);
        assert!(refused.contains("“2026Q4” is not a report period"), "{refused}");
        let refused = hq.refused("hq01", &["hq", "report", "complaints", "--from", "2026Q4", "--to", "2026Q1"]);
        assert!(refused.contains("ends before it begins (2026Q4 to 2026Q1)"), "{refused}");
    }
}

/// On PostgreSQL, HQ's own store holds only its keys, staff and audit trail: a disk that
/// fills there fails the import's audit row, which is written before the database commits,
/// and the bundle's changes are rolled back with it. (The moment comes from a fault point:
/// a shell cannot fill the disk after the login and before that row.)
#[test]
fn an_hq_import_on_postgres_whose_audit_row_finds_the_disk_full_changes_nothing() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let (hq, branch) = pair(&backend);
    branch.add_wang_fang("mgr01", &[]);
    let usb = tempfile::tempdir().unwrap();
    let file = export(&branch, usb.path());
    let import = ["hq", "import", file.to_str().unwrap()];
    let full = [("BRANCHDESK_DISK_FULL_AT", "audit:hq.import")];
    let out = hq.command_in("hq01", hq.pass, &full, &import);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{said}");
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");
    assert!(said.contains("disk is full"), "{said}");
    let status = json(&hq.run("hq01", &["hq", "status", "--json"]));
    assert_eq!(
        status["branches"][0]["high_water"], 0,
        "nothing was applied"
    );
    assert_eq!(status["rows"], 0);

    // With room again, the same bundle goes in.
    hq.run("hq01", &import);
    let status = json(&hq.run("hq01", &["hq", "status", "--json"]));
    assert_ne!(status["branches"][0]["high_water"], 0);
    assert_ne!(status["rows"], 0);
}

crate::hq_test! {
    /// `hq find`: a client across the branches by ID number or phone, masked, in JSON and in
    /// words (Chinese under a zh locale); one sentence when nobody has it.
    fn hq_finds_a_client_from_the_command_line(backend) {
        let (hq, branch) = pair(backend);
        branch.add_wang_fang("mgr01", &[]);
        let usb = tempfile::tempdir().unwrap();
        let file = export(&branch, usb.path());
        hq.run("hq01", &["hq", "import", file.to_str().unwrap()]);

        let found = json(&hq.run(
            "hq01",
            &["hq", "find", "--id-number", "11010519491231002x", "--json"],
        ));
        assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found[0]["branch"], "BJ0101");
        assert_eq!(found[0]["client_no"], "BJ0101-0000001");
        assert_eq!(found[0]["name"], "王*");
        assert_eq!(found[0]["id_number"], "110***********002X");

        let zh = [("LANG", "zh_CN.UTF-8"), ("LC_ALL", "zh_CN.UTF-8")];
        let out = hq.command_in(
            "hq01",
            hq.pass,
            &zh,
            &["hq", "find", "--id-number", "11010519491231002X"],
        );
        let words = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success());
        assert!(words.contains("客户号") && words.contains("王*"), "{words}");
        assert!(!words.contains("11010519491231002X"), "{words}");

        let none = hq.run("hq01", &["hq", "find", "--phone", "13900000000"]);
        assert_eq!(
            none.trim(),
            "No branch has sent HQ a client with that ID number or phone."
        );
        // One of the two is asked for.
        let neither = hq.command("hq01", hq.pass, &["hq", "find"]);
        assert!(!neither.status.success());
    }
}
