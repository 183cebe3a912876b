//! `branchdesk bench`: lookup latency on a demo store against its plaintext copy, and
//! (`bench sync`) export and HQ import against the raw insert rate.

use super::progress::Progress;
use super::{Context, demo_progress, print_json, table};
use crate::bench;
use crate::demo::{DEMO_PASSPHRASE, ensure_demo_store};
use crate::error::{Error, Result};
use crate::store::Session;
use secrecy::SecretString;
use std::process::ExitCode;

/// `branchdesk bench`: builds (or reuses) a demo store of `clients` clients and its
/// plaintext copy, then times `queries` lookups per query class on each.
pub fn lookup(cx: &Context, clients: u64, queries: usize, json: bool) -> Result<ExitCode> {
    let mut session = bench_session(cx, clients)?;
    let paths = cx.bench_paths()?;
    let plain = paths.dir().join("plain-copy.db");
    if !plain.exists() {
        let progress = Progress::new(1, cx.i18n.t("progress.building"));
        session.export_plain_copy(&plain)?;
        progress.finish();
    }
    let report = bench::run(&mut session, &plain, queries.max(1))?;
    if json {
        print_json(&report);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{}",
        cx.i18n
            .fill("bench.header", &[("clients", &report.clients.to_string())])
    );
    let warmed = &report.warmed;
    outln!(
        "{}",
        cx.i18n.fill(
            "bench.warmed",
            &[
                ("mib", &warmed.cache_mib.to_string()),
                ("encrypted", &format!("{:.1}", warmed.encrypted_s)),
                ("plain", &format!("{:.1}", warmed.plain_s)),
            ],
        )
    );
    let rows: Vec<Vec<String>> = report
        .classes
        .iter()
        .map(|(class, r)| {
            vec![
                class.clone(),
                r.queries.to_string(),
                format!("{:.3}", r.p50_ms),
                format!("{:.3}", r.p99_ms),
                format!("{:.3}", r.plain_p50_ms),
                format!("{:.3}", r.plain_p99_ms),
                format!("{:.2}x", r.ratio_p99),
            ]
        })
        .collect();
    out!(
        "{}",
        table::render(
            &[
                "class",
                "n",
                "p50 ms",
                "p99 ms",
                "plain p50",
                "plain p99",
                "p99 ratio"
            ],
            &rows
        )
    );
    let k = &report.keystroke_to_frame;
    for (key, latency) in [
        ("bench.care_branch", &report.care_branch),
        ("bench.care_rm", &report.care_rm),
    ] {
        outln!(
            "{}",
            cx.i18n.fill(
                key,
                &[
                    ("reminders", &latency.reminders.to_string()),
                    ("p50", &format!("{:.1}", latency.p50_ms)),
                    ("max", &format!("{:.1}", latency.max_ms)),
                ],
            )
        );
    }
    let p = &report.portfolio;
    for (key, timed) in [
        ("bench.portfolio", &p.portfolio),
        ("bench.offers", &p.offers),
    ] {
        outln!(
            "{}",
            cx.i18n.fill(
                key,
                &[
                    ("n", &timed.runs.to_string()),
                    ("p50", &format!("{:.2}", timed.p50_ms)),
                    ("p99", &format!("{:.2}", timed.p99_ms)),
                ],
            )
        );
    }
    let segments: Vec<String> = p
        .book
        .iter()
        .map(|s| format!("{} {}: {:.1}", s.segment, s.clients, s.timed.p99_ms))
        .collect();
    outln!(
        "{}",
        cx.i18n.fill(
            "bench.book",
            &[
                ("clients", &p.book_clients.to_string()),
                ("segments", &segments.join(" · ")),
            ],
        )
    );
    // The branch's lists, then the RM's.
    let lists_of = |whose_rm: bool| -> Vec<String> {
        report
            .risk_desk
            .iter()
            .filter(|l| l.rm.is_some() == whose_rm)
            .map(|l| format!("{} {}: {:.1}", l.list, l.count, l.timed.p99_ms))
            .collect()
    };
    let (lists, rm_lists) = (lists_of(false), lists_of(true));
    outln!(
        "{}",
        cx.i18n
            .fill("bench.risk_desk", &[("lists", &lists.join(" · "))])
    );
    outln!(
        "{}",
        cx.i18n
            .fill("bench.risk_desk_rm", &[("lists", &rm_lists.join(" · "))])
    );
    outln!(
        "{}",
        cx.i18n.fill(
            "bench.keystroke",
            &[
                ("n", &k.queries.to_string()),
                ("p50", &format!("{:.3}", k.p50_ms)),
                ("p99", &format!("{:.3}", k.p99_ms)),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The benchmark store at `clients` clients, built on first use, as its manager.
fn bench_session(cx: &Context, clients: u64) -> Result<Session> {
    let paths = cx.bench_paths()?;
    if ensure_demo_store(
        &paths,
        crate::i18n::Lang::Zh,
        cx.clock.clone(),
        clients,
        None,
        &mut demo_progress(cx),
    )? {
        cx.say(
            "cli.demo_created",
            &[("dir", &paths.dir().display().to_string())],
        );
    }
    let passphrase = SecretString::from(DEMO_PASSPHRASE.to_string());
    let session = Session::unlock(
        &paths,
        "manager01",
        &passphrase,
        cx.clock.clone(),
        cx.config.store_options(),
    )?;
    let found = session.client_count()?;
    if u64::try_from(found).unwrap_or(0) != clients {
        return Err(Error::BenchSize {
            dir: paths.dir().to_path_buf(),
            found,
        });
    }
    Ok(session)
}

/// `branchdesk bench holdings`: a month's snapshot applied to the benchmark store.
pub fn holdings(cx: &Context, clients: u64, json: bool) -> Result<ExitCode> {
    let mut session = bench_session(cx, clients)?;
    let progress = Progress::new(clients, cx.i18n.t("progress.standings"));
    let report = bench::portfolio::apply(&mut session, clients, &mut |done, _| progress.set(done))?;
    progress.finish();
    if json {
        print_json(&report);
    } else {
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.holdings",
                &[
                    ("accounts", &report.accounts.to_string()),
                    ("clients", &report.clients.to_string()),
                    ("seconds", &format!("{:.1}", report.seconds)),
                ],
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk bench risk`: the whole branch re-rated after a new factor table, timed.
pub fn risk(cx: &Context, clients: u64, json: bool) -> Result<ExitCode> {
    let mut session = bench_session(cx, clients)?;
    let progress = Progress::new(clients, cx.i18n.t("progress.rerate"));
    let timed = bench::risk::rerate(&mut session, &mut |done, total| progress.show(done, total))?;
    progress.finish();
    if json {
        print_json(&timed);
    } else {
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.rerate",
                &[
                    ("clients", &timed.report.clients.to_string()),
                    ("rated", &timed.report.rated.to_string()),
                    ("seconds", &format!("{:.1}", timed.seconds)),
                ],
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk bench points`: the points line of a client with ten thousand entries.
pub fn points(cx: &Context, clients: u64, queries: usize, json: bool) -> Result<ExitCode> {
    let mut session = bench_session(cx, clients)?;
    let timed = bench::points::line(&mut session, queries)?;
    if json {
        print_json(&timed);
    } else {
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.points",
                &[
                    ("client", &timed.client),
                    ("entries", &timed.entries.to_string()),
                    ("balance", &timed.balance.to_string()),
                    ("runs", &timed.timed.runs.to_string()),
                    ("p50", &format!("{:.2}", timed.timed.p50_ms)),
                    ("p99", &format!("{:.2}", timed.timed.p99_ms)),
                ],
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk bench points-expiry`: every client of the bench store given a history (once),
/// then one expiry run, timed.
pub fn points_expiry(cx: &Context, clients: u64, per_client: u32, json: bool) -> Result<ExitCode> {
    let mut session = bench_session(cx, clients)?;
    let seeding = Progress::new(0, cx.i18n.t("progress.bench_points"));
    let expiring = Progress::new(0, cx.i18n.t("progress.points_expire"));
    let timed = bench::points::expiry(
        &mut session,
        per_client,
        &mut |step, done, total| match step {
            "seed" => seeding.show(done, total),
            _ => expiring.show(done, total),
        },
    )?;
    seeding.finish();
    expiring.finish();
    if json {
        print_json(&timed);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(ledger) = &timed.seeded {
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.points_seeded",
                &[
                    ("clients", &ledger.clients.to_string()),
                    ("entries", &ledger.entries.to_string()),
                    ("buckets", &ledger.buckets.to_string()),
                    ("lapsed", &ledger.lapsed.to_string()),
                    ("seconds", &format!("{:.1}", timed.seed_s)),
                ],
            )
        );
    }
    outln!(
        "{}",
        cx.i18n.fill(
            "bench.points_expiry",
            &[
                ("clients", &timed.expired.clients.to_string()),
                ("points", &timed.expired.points.to_string()),
                ("seconds", &format!("{:.1}", timed.run_s)),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk bench hq-holdings`: HQ imports a holdings extract for the benchmark's
/// clients, timed.
pub fn hq_holdings(cx: &Context, clients: u64, json: bool) -> Result<ExitCode> {
    let report = bench::hq_holdings::run(clients, cx.clock.clone(), &mut steps(json))?;
    if json {
        print_json(&report);
    } else {
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.hq_holdings",
                &[
                    ("rows", &report.rows.to_string()),
                    ("clients", &report.clients.to_string()),
                    (
                        "mib",
                        &format!("{:.0}", report.file_bytes as f64 / 1_048_576.0)
                    ),
                    ("seconds", &format!("{:.1}", report.seconds)),
                ],
            )
        );
        outln!(
            "{}",
            cx.i18n.fill(
                "bench.branch_apply",
                &[
                    ("publish", &format!("{:.1}", report.publish_s)),
                    (
                        "mib",
                        &format!("{:.0}", report.snapshot_bytes as f64 / 1_048_576.0)
                    ),
                    ("accounts", &report.accounts.to_string()),
                    ("clients", &report.book_clients.to_string()),
                    ("first", &format!("{:.1}", report.apply_first_s)),
                    ("next", &format!("{:.1}", report.apply_next_s)),
                ],
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `branchdesk bench sync`.
/// `bench sync --branches N --database URL`: many branches, workers on PostgreSQL, HQ's own
/// store beside it.
pub fn sync_branches(
    cx: &Context,
    ops: u64,
    branches: u64,
    workers: usize,
    database: &str,
    json: bool,
) -> Result<ExitCode> {
    let report = bench::sync::run_branches(
        ops,
        branches,
        workers,
        database,
        cx.clock.clone(),
        &mut steps(json),
    )?;
    if json {
        print_json(&report);
    } else {
        let yes_no = |ok: bool| if ok { "ok" } else { "MISSED" };
        outln!("{} changes from {} branches", report.ops, report.branches);
        outln!(
            "HQ's own store (SQLite), one by one: {:.2} s",
            report.sqlite_import_s
        );
        outln!(
            "PostgreSQL, {} workers: {:.2} s, {:.0} ops/s  (target for 1M ops ≤ {} s: {})",
            report.workers,
            report.postgres_import_s,
            report.postgres_ops_per_s,
            bench::sync::SCALE_TARGET_S,
            yes_no(
                report.ops < 1_000_000 || report.postgres_import_s <= bench::sync::SCALE_TARGET_S
            )
        );
        outln!(
            "raw binary COPY of the same rows: {:.2} s, {:.0} rows/s; import at {:.2}x  (target ≥ {}x: {})",
            report.raw_copy_s,
            report.raw_copy_rows_per_s,
            report.import_vs_raw_copy,
            bench::sync::COPY_RATE_TARGET,
            yes_no(report.import_vs_raw_copy >= bench::sync::COPY_RATE_TARGET)
        );
        say_stored_copy(report.stored_copy_s, report.import_vs_stored_copy);
    }
    Ok(verdict(report.targets_met))
}

/// A benchmark's steps as they begin, on standard error (none with `--json`).
fn steps(json: bool) -> impl FnMut(&str) {
    move |step| {
        if !json {
            eprintln!("… {step}");
        }
    }
}

/// Exit 5 when a benchmark missed any of its targets.
fn verdict(targets_met: bool) -> ExitCode {
    if targets_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(5)
    }
}

/// The floor the import is also measured against: only copying what HQ stored.
fn say_stored_copy(seconds: f64, import_vs: f64) {
    outln!(
        "binary COPY of the rows as HQ stores them (same tables and indexes): {seconds:.2} s; \
         import at {import_vs:.2}x"
    );
}

pub fn sync(cx: &Context, ops: u64, database: Option<&str>, json: bool) -> Result<ExitCode> {
    let report = bench::sync::run(ops, database, cx.clock.clone(), &mut steps(json))?;
    if json {
        print_json(&report);
    } else {
        let yes_no = |ok: bool| if ok { "ok" } else { "MISSED" };
        outln!(
            "{} changes ({} clients from a bulk load, {} contact-log entries)",
            report.ops,
            report.clients,
            report.contacts
        );
        outln!(
            "export  {:.2} s  (target ≤ {} s: {})",
            report.export_s,
            bench::sync::EXPORT_TARGET_S,
            yes_no(report.export_s <= bench::sync::EXPORT_TARGET_S)
        );
        outln!(
            "bundle  {} KiB of {} KiB NDJSON = {:.1}%  (target ≤ {:.0}%: {})",
            report.bundle_bytes / 1024,
            report.ndjson_bytes / 1024,
            report.size_ratio * 100.0,
            bench::sync::SIZE_TARGET * 100.0,
            yes_no(report.size_ratio <= bench::sync::SIZE_TARGET)
        );
        outln!(
            "import  {:.2} s, {:.0} ops/s  (target ≤ {} s: {})",
            report.import_s,
            report.import_ops_per_s,
            bench::sync::IMPORT_TARGET_S,
            yes_no(report.import_s <= bench::sync::IMPORT_TARGET_S)
        );
        outln!(
            "raw     {:.2} s, {:.0} rows/s; import at {:.2}x the raw rate  (target ≥ {}x: {})",
            report.raw_insert_s,
            report.raw_ops_per_s,
            report.import_vs_raw,
            bench::sync::RAW_RATE_TARGET,
            yes_no(report.import_vs_raw >= bench::sync::RAW_RATE_TARGET)
        );
        if let Some(pg) = &report.postgres {
            outln!(
                "PostgreSQL import {:.2} s, {:.0} ops/s; raw binary COPY {:.2} s, {:.0} rows/s; \
                 import at {:.2}x the COPY rate  (target ≥ {}x: {})",
                pg.import_s,
                pg.import_ops_per_s,
                pg.raw_copy_s,
                pg.raw_copy_rows_per_s,
                pg.import_vs_raw_copy,
                bench::sync::COPY_RATE_TARGET,
                yes_no(pg.import_vs_raw_copy >= bench::sync::COPY_RATE_TARGET)
            );
            say_stored_copy(pg.stored_copy_s, pg.import_vs_stored_copy);
        }
    }
    Ok(verdict(report.targets_met))
}

pub fn reports(cx: &Context, rows: u64, database: Option<&str>, json: bool) -> Result<ExitCode> {
    let report = bench::reports::run(rows, database, cx.clock.clone(), &mut steps(json))?;
    if json {
        print_json(&report);
    } else {
        let target = bench::reports::REPORT_TARGET_S;
        let within = |s: f64| if s <= target { "ok" } else { "MISSED" };
        outln!(
            "{} complaints and {} survey responses, 1000 branches",
            report.rows,
            report.rows
        );
        let backends = [
            ("HQ's own store (SQLite)", Some(&report.sqlite)),
            ("PostgreSQL", report.postgres.as_ref()),
        ];
        for (name, figures) in backends {
            let Some(f) = figures else { continue };
            outln!("{name}: facts filled in {:.1} s", f.fill_s);
            outln!(
                "  complaints    {:.2} s, {} cells  (target ≤ {target} s: {})",
                f.complaints_s,
                f.complaint_cells,
                within(f.complaints_s)
            );
            outln!(
                "  satisfaction  {:.2} s, {} cells  (target ≤ {target} s: {})",
                f.satisfaction_s,
                f.satisfaction_cells,
                within(f.satisfaction_s)
            );
        }
    }
    Ok(verdict(report.targets_met))
}
