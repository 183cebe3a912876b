//! `branchdesk bench`: lookup latency per query class on the encrypted store and on a
//! plaintext copy of the same data (queried by the same code), the keystroke-to-frame time
//! of the lookup screen, the care agenda, the portfolio, offers and an RM's book,
//! (`bench holdings`) applying a month's holdings snapshot, and (`bench sync`) export and
//! HQ import, and (`bench reports`) HQ's reports over millions of rows. Used by
//! the CLI only; the store gives it samples, a plaintext copy and scratch tables.

mod agenda;
pub mod hq_holdings;
mod keystroke;
mod lookup;
pub mod points;
pub mod portfolio;
pub mod reports;
pub mod risk;
pub mod sync;

pub use agenda::AgendaLatency;
pub use keystroke::Latency;
pub use lookup::{ClassResult, query_classes};

use crate::error::Result;
use crate::store::Session;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub clients: i64,
    /// The page cache, and how long filling it took.
    pub warmed: lookup::Warmed,
    pub classes: BTreeMap<String, ClassResult>,
    /// From a keystroke in the lookup field to the redrawn 80x24 screen (lookup included).
    pub keystroke_to_frame: Latency,
    /// The 30-day care agenda of the whole branch, and of one RM's book.
    pub care_branch: AgendaLatency,
    pub care_rm: AgendaLatency,
    /// Portfolio panel, offers and rm01's book by segment.
    pub portfolio: portfolio::PortfolioReport,
    /// The risk desk's lists, the branch's and rm01's.
    pub risk_desk: Vec<risk::ListTimed>,
}

/// The lookup classes, the keystroke-to-frame time and the care agenda, on `session`'s
/// store and (for the lookup) on the plaintext copy at `plain`.
pub fn run(session: &mut Session, plain: &Path, per_class: usize) -> Result<BenchReport> {
    let clients = session.client_count()?;
    let (classes, results, warmed) = lookup::run(session, plain, per_class)?;
    let name_queries: Vec<String> = ["name_2char", "pinyin_initials", "phone_tail4"]
        .iter()
        .flat_map(|class| classes.get(class).into_iter().flatten().cloned())
        .collect();
    let keystroke_to_frame = keystroke::keystrokes(session, &name_queries)?;
    let (care_branch, care_rm) = agenda::run(session)?;
    let portfolio = portfolio::run(session, "rm01", per_class.clamp(1, 500))?;
    let risk_desk = risk::lists(session, "rm01", 20)?;
    Ok(BenchReport {
        portfolio,
        risk_desk,
        clients,
        warmed,
        classes: results,
        keystroke_to_frame,
        care_branch,
        care_rm,
    })
}

/// The `p` percentile of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_right_rank() {
        let times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&times, 0.50), 50.0);
        assert_eq!(percentile(&times, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.99), 0.0);
    }
}
