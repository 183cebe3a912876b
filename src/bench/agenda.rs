//! The care agenda's latency: the 30-day agenda of the whole branch and of one RM's book.

use super::percentile;
use crate::domain::care::CareScope;
use crate::error::Result;
use crate::store::Session;
use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct AgendaLatency {
    pub runs: usize,
    pub reminders: usize,
    pub p50_ms: f64,
    pub max_ms: f64,
}

/// The branch's agenda and `rm01`'s, each timed.
pub fn run(session: &Session) -> Result<(AgendaLatency, AgendaLatency)> {
    let today = session.today_local();
    let to = today + chrono::Duration::days(29);
    let branch = agenda_latency(|| {
        session
            .care_agenda(today, to, Some(CareScope::Branch))
            .map(|a| a.items.len())
    })?;
    let rm = agenda_latency(|| {
        session
            .care_agenda_of("rm01", today, to)
            .map(|a| a.items.len())
    })?;
    Ok((branch, rm))
}

/// Times an agenda: one run to warm the cache, then ten.
fn agenda_latency(mut agenda: impl FnMut() -> Result<usize>) -> Result<AgendaLatency> {
    let reminders = agenda()?;
    let mut times = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        agenda()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(AgendaLatency {
        runs: times.len(),
        reminders,
        p50_ms: percentile(&times, 0.50),
        max_ms: percentile(&times, 1.0),
    })
}
