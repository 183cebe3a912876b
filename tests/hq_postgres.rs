//! What only the PostgreSQL consolidation has: personal data never in clear in the database
//! (a `pg_dump` holds none of a thousand known strings), the data key that HQ alone opens
//! (missing or sealed to someone else: refused in one sentence), and a database that
//! belongs to one HQ.

mod common;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::complaint::IntakeInput;
use branchdesk::error::HqDbProblem;
use branchdesk::i18n::{I18n, Lang};
use common::backend::{Backend, TestDatabase};
use common::hq::*;
use common::*;
use std::path::Path;

/// A resident ID number with its check character (GB 11643): born in January 1980 in
/// 110101 (on day 1 + n / 1000), sequence n % 1000.
fn id_number(n: u32) -> String {
    let body = format!("11010119800 1{:02}{:03}", n / 1000 + 1, n % 1000).replace(' ', "");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// A name no other client has: one of ten surnames and two of five given characters.
fn name(n: u32) -> String {
    let surname = ["赵", "钱", "孙", "周", "吴", "郑", "冯", "陈", "褚", "卫"][(n % 10) as usize];
    let first = ["嘉", "俊", "雅", "思", "博"][((n / 10) % 5) as usize];
    let second = ["琪", "宁", "然", "航", "瑶"][((n / 50) % 5) as usize];
    format!("{surname}{first}{second}")
}

/// The consolidation on PostgreSQL, or None (said once) without a server.
fn on_postgres() -> Option<(Backend, tempfile::TempDir)> {
    Some((Backend::postgres()?, tempfile::tempdir().unwrap()))
}

fn database(backend: &Backend) -> &TestDatabase {
    match backend {
        Backend::Postgres(db) => db,
        Backend::Sqlite => panic!("a PostgreSQL test"),
    }
}

#[test]
fn a_dump_of_hqs_database_holds_none_of_a_thousand_personal_strings() {
    let Some((backend, dir)) = on_postgres() else {
        return;
    };
    let dir = dir.path();
    let mut hq = hq_with_clients(dir, &backend);
    let mut branch = at_branch(dir, "mgr01");
    let mut personal: Vec<String> = Vec::new();
    let mut client_numbers = Vec::new();
    for n in 0..200 {
        let input = ClientInput {
            name: name(n),
            id_number: id_number(n),
            phone: format!("139{n:08}"),
            email: format!("kehu{n}@example.cn"),
            address: format!("北京市西城区金融大街{n}号院"),
            ..Default::default()
        };
        personal.extend([
            input.name.clone(),
            input.id_number.clone(),
            input.phone.clone(),
            input.email.clone(),
            input.address.clone(),
        ]);
        client_numbers.push(branch.create_client(&input).unwrap().client_no);
    }
    // Free text: complaints from clients and a walk-in's name and phone.
    for (n, client) in client_numbers.iter().take(20).enumerate() {
        let description = format!("客户反映第{n}笔转账被重复扣费，要求核查");
        personal.push(description.clone());
        branch
            .register_complaint(&IntakeInput {
                client: client.clone(),
                channel: "counter".into(),
                category: "fees".into(),
                request: "退还多收费用".into(),
                description,
                ..Default::default()
            })
            .unwrap();
    }
    assert_eq!(personal.len(), 1_020);
    send(&mut branch, &mut hq, dir);
    drop(branch);

    let db = database(&backend);
    let Some(dump) = pg_dump(db) else {
        return;
    };
    // The dump holds the consolidation (codes in clear) ...
    assert!(dump.contains(&client_numbers[199]), "the rows are there");
    assert!(
        dump.contains("\"category\": \"fees\""),
        "report fields stay in clear"
    );
    // ... and none of what identifies a person.
    let found: Vec<&String> = personal
        .iter()
        .filter(|p| dump.contains(p.as_str()))
        .collect();
    assert!(found.is_empty(), "in clear in the dump: {found:?}");
    // Yet HQ reads them: the sealed part opens over the clear one.
    let rows = hq.hq_rows("client").unwrap();
    let opened: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.fields.get("name").and_then(|v| v.as_str()))
        .collect();
    assert!(opened.contains(&name(7).as_str()));
    assert_eq!(hq.hq_review().unwrap(), Vec::new());
}

/// The schema's dump (`pg_dump`), or None where the tool is missing (CI installs it).
fn pg_dump(db: &TestDatabase) -> Option<String> {
    let out = std::process::Command::new("pg_dump")
        .args(["--dbname", db.server(), "--schema", &db.schema])
        .output();
    match out {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            if std::env::var_os("BRANCHDESK_REQUIRE_POSTGRES").is_some() {
                panic!("pg_dump must run here: {e}");
            }
            println!("skipped: no pg_dump ({e})");
            None
        }
    }
}

/// The one sentence an error says, in English.
fn sentence(e: &Error) -> String {
    e.message(I18n::for_lang(Lang::En))
}

#[test]
fn a_missing_or_foreign_data_key_is_refused_in_one_sentence() {
    let Some((backend, dir)) = on_postgres() else {
        return;
    };
    let dir = dir.path();
    drop(hq_with_clients(dir, &backend));
    let db = database(&backend);
    let mut admin = db.client();
    // Sealed to another identity: as if the database were given another HQ's key.
    let stranger = age::x25519::Identity::generate();
    let foreign = branchdesk::sync::seal::DataKey::generate()
        .seal_to(&stranger.to_public())
        .unwrap();
    let kept: String = admin
        .query_one("SELECT value FROM hq_meta WHERE key = 'data_key'", &[])
        .unwrap()
        .get(0);
    admin
        .execute(
            "UPDATE hq_meta SET value = $1 WHERE key = 'data_key'",
            &[&foreign],
        )
        .unwrap();
    let refused = at_hq(dir).hq_status().unwrap_err();
    assert!(
        matches!(
            refused,
            Error::HqDatabase {
                problem: HqDbProblem::WrongDataKey
            }
        ),
        "{refused:?}"
    );
    let said = sentence(&refused);
    assert_eq!(
        said.matches(". ").count() + said.matches("; ").count(),
        1,
        "{said}"
    );
    assert!(said.contains("another HQ identity"), "{said}");

    admin
        .execute("DELETE FROM hq_meta WHERE key = 'data_key'", &[])
        .unwrap();
    let refused = at_hq(dir).hq_rows("client").unwrap_err();
    assert!(
        matches!(
            refused,
            Error::HqDatabase {
                problem: HqDbProblem::NoDataKey
            }
        ),
        "{refused:?}"
    );
    assert!(sentence(&refused).contains("no data key"));

    // With its key back, HQ reads again.
    admin
        .execute(
            "INSERT INTO hq_meta (key, value) VALUES ('data_key', $1)",
            &[&kept],
        )
        .unwrap();
    assert_eq!(at_hq(dir).hq_rows("client").unwrap().len(), 2);
}

#[test]
fn a_database_belongs_to_the_hq_that_made_it() {
    let Some((backend, dir)) = on_postgres() else {
        return;
    };
    let dir = dir.path();
    drop(hq_with_clients(dir, &backend));
    let url = backend.database().unwrap();
    // Another HQ store cannot take it over, nor be pointed at it.
    let other = dir.join("other");
    let mut second = create_store(&branchdesk::store::StorePaths::new(&other), "HQ2");
    let taken = second.become_hq(Some(url)).unwrap_err();
    assert!(matches!(
        taken,
        Error::HqDatabase {
            problem: HqDbProblem::OtherHq
        }
    ));
    assert!(branchdesk::store::check_hq_database(url).is_err());
    second.become_hq(None).unwrap();
    second.use_hq_database(Some(url.to_string()));
    assert!(matches!(
        second.hq_status().unwrap_err(),
        Error::HqDatabase {
            problem: HqDbProblem::OtherHq
        }
    ));
    // A password in the address is refused before anything is made.
    let with_password = url.replacen("@", ":secret@", 1);
    let said = sentence(&branchdesk::store::check_hq_database(&with_password).unwrap_err());
    assert!(said.contains("PGPASSWORD"), "{said}");
    assert!(!Path::new(&other).join("hq-keys.toml").exists());

    // An HQ consolidating in its own store is not moved by `hq init --database`.
    let local = tempfile::tempdir().unwrap();
    let mut at_home = hq_with_clients(local.path(), &Backend::Sqlite);
    let fresh = TestDatabase::new().unwrap();
    let refused = at_home.become_hq(Some(&fresh.url)).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::HqDatabase {
                problem: HqDbProblem::AlreadyConsolidating
            }
        ),
        "{refused:?}"
    );
    assert_eq!(
        at_home.hq_rows("client").unwrap().len(),
        2,
        "still read where it is"
    );
}

/// `branchdesk hq import FILES…` against HQ's store at `store`, started (not waited for);
/// `database` points this run at another consolidation database.
fn importer(
    store: &Path,
    files: &[std::path::PathBuf],
    database: Option<&str>,
    crash_at: Option<&str>,
) -> std::process::Child {
    importer_with(store, files, database, crash_at, 1)
}

/// [`importer`] with `workers` importers at once in the process.
fn importer_with(
    store: &Path,
    files: &[std::path::PathBuf],
    database: Option<&str>,
    crash_at: Option<&str>,
    workers: usize,
) -> std::process::Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_branchdesk"));
    command
        .arg("--store")
        .arg(store)
        .args(["--lang", "en", "hq", "import", "--json", "--workers"])
        .arg(workers.to_string())
        .args(files)
        .env("HOME", store.parent().unwrap())
        .env(
            "BRANCHDESK_CONFIG",
            store.parent().unwrap().join("none.toml"),
        )
        .env("BRANCHDESK_USER", ADMIN)
        .env("BRANCHDESK_PASSPHRASE", ADMIN_PASS)
        .env_remove("BRANCHDESK_STORE")
        .env_remove("BRANCHDESK_HQ_DATABASE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(url) = database {
        command.env("BRANCHDESK_HQ_DATABASE", url);
    }
    if let Some(point) = crash_at {
        command.env("BRANCHDESK_CRASH_AT", point);
    }
    command.spawn().unwrap()
}

/// Branches BJ0101 and BJ0102 working and exporting in rounds, each export carrying
/// everything not yet acknowledged (so the bundles overlap): the bundles, in the order made.
fn bundles_of_two_branches(
    dir: &Path,
    hq: &mut branchdesk::store::Session,
) -> Vec<std::path::PathBuf> {
    second_branch(dir, hq);
    let mut bundles = Vec::new();
    let out = dir.join("bundles");
    std::fs::create_dir_all(&out).unwrap();
    for round in 0..4u32 {
        for (branch, manager) in [("BJ0101", "mgr01"), ("BJ0102", "mgr02")] {
            let mut session = at(dir, branch, manager, 9 + round);
            for n in 0..3 {
                let k = round * 10 + n + if branch == "BJ0101" { 0 } else { 500 };
                session
                    .create_client(&ClientInput {
                        name: name(k),
                        id_number: id_number(k),
                        phone: format!("137{k:08}"),
                        ..Default::default()
                    })
                    .unwrap();
            }
            if let Some(file) = session.export_bundle(&out, &mut |_, _| {}).unwrap().file {
                bundles.push(file);
            }
        }
    }
    bundles
}

/// Every table of the consolidation as text, in a fixed order, sealed parts left out (their
/// nonces differ; what they hold is compared through HQ). Not `hq_import`, the journal of
/// which bundle brought changes first: that depends on the order bundles came in, for one
/// importer as for two.
fn tables(db: &TestDatabase) -> Vec<(String, Vec<String>)> {
    let mut client = db.client();
    [
        (
            "hq_branch",
            "SELECT code, high_water FROM hq_branch ORDER BY 1",
        ),
        (
            "hq_op",
            "SELECT branch, seq, part, op_id, hlc FROM hq_op ORDER BY 1, 2, 3",
        ),
        (
            "hq_key",
            "SELECT tbl, row_id, branch FROM hq_key ORDER BY 1, 2",
        ),
        (
            "hq_row",
            "SELECT branch, tbl, row_id, fields::text, stamps, deleted, id_index, phone_index,
                    sealed IS NULL
             FROM hq_row ORDER BY 1, 2, 3",
        ),
        (
            "hq_claim",
            "SELECT branch, tbl, row_id, name, id_number FROM hq_claim ORDER BY 1, 2, 3, 4, 5",
        ),
        (
            "hq_quarantine",
            "SELECT bundle_sha256 FROM hq_quarantine ORDER BY 1",
        ),
    ]
    .into_iter()
    .map(|(table, sql)| {
        let rows = client
            .simple_query(&format!("SELECT row_to_json(t)::text FROM ({sql}) t"))
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                _ => None,
            })
            .collect();
        (table.to_string(), rows)
    })
    .collect()
}

fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn importers_on_two_machines_give_the_database_one_importer_gives() {
    let Some((backend, dir)) = on_postgres() else {
        return;
    };
    let dir = dir.path();
    let mut hq = hq_with_clients(dir, &backend);
    let bundles = bundles_of_two_branches(dir, &mut hq);
    assert!(bundles.len() >= 8, "{bundles:?}");
    drop(hq);
    let db = database(&backend);
    // The state before: a copy for the lone importer.
    let alone = db.copy();
    // Two machines, each with its copy of HQ's store, against one database; each gets the
    // bundles in its own shuffled order, the second some of them twice.
    for machine in ["HQ-A", "HQ-B", "HQ-ONE"] {
        copy_store(&dir.join("HQ"), &dir.join(machine).join("HQ"));
    }
    let mut first: Vec<_> = bundles.iter().rev().cloned().collect();
    first.swap(1, 4);
    let mut second: Vec<_> = bundles.iter().step_by(2).cloned().collect();
    second.extend(bundles.iter().cloned());
    second.swap(0, 3);
    let a = importer(&dir.join("HQ-A").join("HQ"), &first, None, None);
    // The second machine runs two importers at once itself.
    let b = importer_with(&dir.join("HQ-B").join("HQ"), &second, None, None, 2);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let one = importer(
        &dir.join("HQ-ONE").join("HQ"),
        &bundles,
        Some(&alone.url),
        None,
    );
    let out = one.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (both, single) = (tables(db), tables(&alone));
    for ((table, rows), (_, expected)) in both.iter().zip(&single) {
        assert!(
            table == "hq_quarantine" || !rows.is_empty(),
            "{table} is empty"
        );
        assert_eq!(rows, expected, "{table}");
    }
    // What the sealed parts hold, through HQ: the same.
    let mut at_a = at(&dir.join("HQ-A"), "HQ", ADMIN, 18);
    let mut at_one = at(&dir.join("HQ-ONE"), "HQ", ADMIN, 18);
    at_one.use_hq_database(Some(alone.url.clone()));
    let rows = |s: &mut branchdesk::store::Session| {
        serde_json::to_string(&s.hq_rows("client").unwrap()).unwrap()
    };
    assert_eq!(rows(&mut at_a), rows(&mut at_one));
    assert_eq!(at_a.hq_rows("client").unwrap().len(), 2 + 24);
}

#[test]
fn an_importer_killed_mid_batch_leaves_no_half_bundle_and_a_rerun_finishes() {
    let Some((backend, dir)) = on_postgres() else {
        return;
    };
    let dir = dir.path();
    let mut hq = hq_with_clients(dir, &backend);
    // A bundle of more than two batches of 8,192 (a bulk load at the branch): the importer
    // dies after writing the first while the rest are still being read and prepared.
    let mut branch = at_branch(dir, "mgr01");
    let mut records = (0..17_000u32).map(|n| {
        let record = record(&name(n % 250), &id_number(n), &format!("136{n:08}"));
        (record, "BJ0101".to_string())
    });
    branch
        .load_clients(&mut records, "bulk", &mut |_| {})
        .unwrap();
    let out = dir.join("big");
    std::fs::create_dir_all(&out).unwrap();
    let bundle = branch
        .export_bundle(&out, &mut |_, _| {})
        .unwrap()
        .file
        .unwrap();
    drop(branch);
    let before = hq_status_of(&mut hq);
    drop(hq);
    let db = database(&backend);
    let ops_before = tables(db)[1].1.len();

    let killed = importer(
        &dir.join("HQ"),
        std::slice::from_ref(&bundle),
        None,
        Some("hq:import_batch"),
    )
    .wait_with_output()
    .unwrap();
    assert!(!killed.status.success(), "the importer died mid-batch");
    // Nothing of the bundle is in: not one op, not one row.
    assert_eq!(tables(db)[1].1.len(), ops_before);
    let mut hq = at_hq(dir);
    assert_eq!(hq_status_of(&mut hq), before);
    drop(hq);

    let rerun = importer(&dir.join("HQ"), std::slice::from_ref(&bundle), None, None)
        .wait_with_output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let mut hq = at_hq(dir);
    let after = hq_status_of(&mut hq);
    assert!(after.1 > before.1, "{after:?}");
    assert_eq!(hq.hq_rows("client").unwrap().len(), 2 + 17_000);
}

/// BJ0101's high-water mark and the consolidated rows HQ holds.
fn hq_status_of(hq: &mut branchdesk::store::Session) -> (i64, i64) {
    let status = hq.hq_status().unwrap();
    (status.branches[0].high_water, status.rows)
}
