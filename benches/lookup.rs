//! Hot paths of the lookup and of the care agenda: query parsing, name keys, agenda probes
//! and lunar dates (pure), and whole lookups and 30-day agendas on an encrypted store of
//! 50,000 synthetic clients. `branchdesk bench` measures the million-client store (against a
//! plaintext copy for lookups); this is for tracking the code paths between versions.

use branchdesk::demo::synthetic::Generator;
use branchdesk::domain::clock::SystemClock;
use branchdesk::domain::lookup::probes;
use branchdesk::domain::names::{lookup_keys, name_grams};
use branchdesk::domain::staff::Role;
use branchdesk::store::{KdfParams, NewStore, Session, StoreOptions, StorePaths};
use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use std::hint::black_box;
use std::sync::Arc;

const CLIENTS: u64 = 50_000;

fn store(dir: &std::path::Path) -> Session {
    let paths = StorePaths::new(dir.join("store"));
    let options = StoreOptions {
        kdf: KdfParams::FOR_TESTS_ONLY,
        ..StoreOptions::default()
    };
    let pass = || SecretString::from("bench passphrase".to_string());
    let mut admin = Session::create(
        &paths,
        NewStore {
            branch_code: "BENCH1".into(),
            branch_name: "Bench".into(),
            admin_id: "admin01".into(),
            admin_name: "Admin".into(),
            admin_passphrase: pass(),
            demo: true,
        },
        Arc::new(SystemClock),
        options,
    )
    .expect("bench store");
    admin
        .add_staff("manager01", "Manager", Role::Manager, &pass())
        .expect("manager");
    drop(admin);
    let mut manager = Session::unlock(&paths, "manager01", &pass(), Arc::new(SystemClock), options)
        .expect("login");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let mut generator = Generator::new(1, today, "BENCH1", None, CLIENTS);
    let mut clients = (0..CLIENTS).map(|_| {
        let c = generator.next_client();
        (c.record, c.home_branch)
    });
    manager
        .load_clients(&mut clients, "bench", &mut |_| {})
        .expect("load");
    manager
}

fn pure(c: &mut Criterion) {
    c.bench_function("probes/mixed", |b| {
        b.iter(|| {
            for q in [
                "王芳",
                "wang f",
                "尾号 5678",
                "11010519491231002X",
                "BJ0101-0000123",
            ] {
                black_box(probes(black_box(q)));
            }
        })
    });
    let (from, to) = (day(2026, 12, 20), day(2027, 1, 18));
    c.bench_function("care/probes 30 days across the year end", |b| {
        b.iter(|| branchdesk::domain::care::probes(black_box(from), black_box(to)))
    });
    c.bench_function("lunar/to_lunar", |b| {
        b.iter(|| branchdesk::domain::lunar::to_lunar(black_box(from)))
    });
    c.bench_function("names/keys+grams 欧阳娜娜", |b| {
        b.iter(|| {
            (
                lookup_keys(black_box("欧阳娜娜")),
                name_grams(black_box("欧阳娜娜")),
            )
        })
    });
}

fn lookups(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = store(dir.path());
    let mut group = c.benchmark_group("lookup_50k");
    for (name, query) in [
        ("name_1char", "王"),
        ("name_2char", "王芳"),
        ("pinyin_initials", "wf"),
        ("pinyin_full", "wangfang"),
        ("phone_tail4", "5678"),
        ("id_tail", "1234"),
        ("latin", "smith"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                session
                    .search_clients(black_box(query), 20)
                    .expect("search")
            })
        });
    }
    let today = day(2026, 11, 30);
    group.bench_function("care_agenda_30_days", |b| {
        b.iter(|| {
            session
                .care_agenda(today, today + chrono::Duration::days(29), None)
                .expect("agenda")
        })
    });
    group.finish();
}

fn day(year: i32, month: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(year, month, day).expect("date")
}

criterion_group!(benches, pure, lookups);
criterion_main!(benches);
