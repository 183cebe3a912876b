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

/// A resident ID number with its check character (GB 11643): born 1980-01-01 in 110101,
/// sequence `n`.
fn id_number(n: u32) -> String {
    let body = format!("11010119800101{n:03}");
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
    for n in 0..20 {
        let description = format!("客户反映第{n}笔转账被重复扣费，要求核查");
        personal.push(description.clone());
        branch
            .register_complaint(&IntakeInput {
                client: client_numbers[n].clone(),
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
    // Yet HQ reads them, and finds a client by ID number through the blind index.
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
}
