//! The risk desk, timed: every list of the branch's desk and of rm01's, as a manager reads
//! them (each read audited, as on the screen), and re-rating the whole branch after a new
//! factor table.

use super::portfolio::Timed;
use crate::error::Result;
use crate::store::{DeskList, RerateReport, Session};
use serde::Serialize;
use std::time::{Duration, Instant};

/// One list, timed.
#[derive(Debug, Clone, Serialize)]
pub struct ListTimed {
    pub list: String,
    /// Whose: the branch, or an RM.
    pub rm: Option<String>,
    pub count: u64,
    #[serde(flatten)]
    pub timed: Timed,
}

/// The rows a screen holds (as the workstation asks for them).
const DESK_ROWS: u32 = 200;

/// Each list of the branch's desk and of `rm`'s: one read to warm the cache, then `runs`.
pub fn lists(session: &mut Session, rm: &str, runs: usize) -> Result<Vec<ListTimed>> {
    let mut out = Vec::new();
    for whose in [None, Some(rm)] {
        for list in DeskList::ALL {
            let page = session.risk_desk_of(whose, list, DESK_ROWS)?;
            let count = page.counts.of(list);
            let mut times: Vec<Duration> = Vec::with_capacity(runs);
            for _ in 0..runs.max(1) {
                let start = Instant::now();
                session.risk_desk_of(whose, list, DESK_ROWS)?;
                times.push(start.elapsed());
            }
            out.push(ListTimed {
                list: list.code().to_string(),
                rm: whose.map(str::to_string),
                count,
                timed: Timed::of(times),
            });
        }
    }
    Ok(out)
}

/// What re-rating the branch took.
#[derive(Debug, Clone, Serialize)]
pub struct RerateTimed {
    #[serde(flatten)]
    pub report: RerateReport,
    pub seconds: f64,
}

/// Re-rates the branch with a table that changes every client's result, timed.
pub fn rerate(session: &mut Session, progress: &mut dyn FnMut(u64, u64)) -> Result<RerateTimed> {
    let start = Instant::now();
    let report = session.bench_rerate(progress)?;
    Ok(RerateTimed {
        report,
        seconds: start.elapsed().as_secs_f64(),
    })
}
