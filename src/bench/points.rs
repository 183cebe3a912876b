//! Loyalty points, timed: the record's points line (balance and what lapses within 90
//! days) of a client whose ledger holds ten thousand entries, read as opening the record
//! reads it.

use super::portfolio::Timed;
use crate::error::Result;
use crate::store::Session;
use serde::Serialize;
use std::time::{Duration, Instant};

/// The client the bench gives a long ledger.
const CLIENT: &str = "DEMO01-0000002";

/// Earns (each followed by a redemption): about ten thousand entries.
const EARNS: u32 = 5_000;

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
    let entries = match session.points_show(CLIENT)?.recent.len() {
        0 => session.seed_demo_points(CLIENT, EARNS)?,
        _ => u64::from(EARNS) * 2,
    };
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
