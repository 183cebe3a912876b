//! Loyalty points, timed: the record's points line (balance and what lapses within 90
//! days) of a client whose ledger holds ten thousand entries, read as opening the record
//! reads it; and the expiry run over every client of the bench store, each with a
//! seven-year history.

use super::portfolio::Timed;
use crate::error::Result;
use crate::store::{BenchLedger, ExpiryReport, Session};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The client the bench gives a long ledger.
const CLIENT: &str = "DEMO01-0000002";

/// Earns (a redemption after every third): about ten thousand entries.
const EARNS: u32 = 7_500;

#[derive(Debug, Clone, Serialize)]
pub struct PointsTimed {
    pub client: String,
    pub entries: u64,
    pub balance: i64,
    #[serde(flatten)]
    pub timed: Timed,
}

/// Gives the bench client a ledger of about ten thousand entries (once per store), then
/// reads their points line `runs` times.
pub fn line(session: &mut Session, runs: usize) -> Result<PointsTimed> {
    if session.bench_points_entries(CLIENT)? == 0 {
        session.seed_demo_points(CLIENT, EARNS)?;
    }
    let entries = session.bench_points_entries(CLIENT)?;
    let balance = session
        .bench_points_line(CLIENT)?
        .map_or(0, |line| line.balance);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        session.bench_points_line(CLIENT)?;
        times.push(start.elapsed());
    }
    Ok(PointsTimed {
        client: CLIENT.to_string(),
        entries,
        balance,
        timed: Timed::of(times),
    })
}

/// The expiry run, timed, over the history written for it (`seeded`: written by this run,
/// with how long that took; a later run finds it expired already and times the run that
/// finds nothing).
#[derive(Debug, Clone, Serialize)]
pub struct ExpiryTimed {
    pub seeded: Option<BenchLedger>,
    pub seed_s: f64,
    pub expired: ExpiryReport,
    pub run_s: f64,
}

/// Writes the history (`per_client` entries for every client) unless the store has it,
/// then times one expiry run, with `progress` for both.
pub fn expiry(
    session: &mut Session,
    per_client: u32,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<ExpiryTimed> {
    let start = Instant::now();
    let seeded = match session.bench_points_seeded()? {
        true => None,
        false => Some(
            session
                .seed_bench_points(per_client, &mut |done, total| progress("seed", done, total))?,
        ),
    };
    let seed_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let expired =
        session.points_expire(false, &mut |done, total| progress("expire", done, total))?;
    Ok(ExpiryTimed {
        seeded,
        seed_s,
        expired,
        run_s: start.elapsed().as_secs_f64(),
    })
}
