//! Knowing the client, timed: one client's portfolio panel and offers (each read audited,
//! as at the counter), an RM's book cut to each segment, and applying a whole month's
//! holdings snapshot with the standings rebuilt.

use super::percentile;
use crate::error::Result;
use crate::store::{Segment, Session};
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct Timed {
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Timed {
    pub(crate) fn of(mut times: Vec<Duration>) -> Timed {
        times.sort();
        Timed {
            runs: times.len(),
            p50_ms: percentile(&times, 0.50),
            p99_ms: percentile(&times, 0.99),
        }
    }
}

/// One segment of the RM's book, timed.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentTimed {
    pub segment: String,
    pub clients: u64,
    #[serde(flatten)]
    pub timed: Timed,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortfolioReport {
    /// The portfolio panel (holdings, months, tier, assessment, value), per client.
    pub portfolio: Timed,
    /// The offers, per client.
    pub offers: Timed,
    /// The RM's book: its size and each segment (the first 500 listed, as the screen does).
    pub book_clients: u64,
    pub book: Vec<SegmentTimed>,
}

/// Times `samples` clients' portfolios and offers (clients of `rm`'s book, spread over
/// it) and every segment of that book, as `session` (a manager) reads them.
pub fn run(session: &mut Session, rm: &str, samples: usize) -> Result<PortfolioReport> {
    let whole = session.book(Some(rm), &Segment::All, u32::MAX)?;
    let step = (whole.clients.len() / samples.max(1)).max(1);
    let clients: Vec<String> = whole
        .clients
        .iter()
        .step_by(step)
        .take(samples)
        .map(|c| c.client_no.clone())
        .collect();
    let mut portfolio = Vec::with_capacity(clients.len());
    let mut offers = Vec::with_capacity(clients.len());
    for client in &clients {
        let start = Instant::now();
        session.client_portfolio(client)?;
        portfolio.push(start.elapsed());
        let start = Instant::now();
        session.client_offers(client)?;
        offers.push(start.elapsed());
    }
    let mut book = Vec::new();
    for count in &whole.segments {
        // One read to warm the cache (as the agenda's bench does), then twenty timed.
        session.book(Some(rm), &count.segment, 500)?;
        let mut times = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            session.book(Some(rm), &count.segment, 500)?;
            times.push(start.elapsed());
        }
        book.push(SegmentTimed {
            segment: count.segment.code().to_string(),
            clients: count.clients,
            timed: Timed::of(times),
        });
    }
    Ok(PortfolioReport {
        portfolio: Timed::of(portfolio),
        offers: Timed::of(offers),
        book_clients: whole.total,
        book,
    })
}

/// What applying a month's snapshot took.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub clients: u64,
    pub accounts: u64,
    pub seconds: f64,
}

/// Applies the demo's month of holdings again to the demo store behind `session`, timed:
/// the holdings replaced, the month's AUM kept, the standings, tier history and calls
/// rebuilt, all in one transaction. About three accounts per client: the demo's month (two
/// and a half) and a dormant second current account for five clients in eight, as many
/// clients keep a payroll account beside their own (empty, so tiers do not move).
pub fn apply(
    session: &mut Session,
    clients: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ApplyReport> {
    let branch = session.branch().code.clone();
    let today = session.today_local();
    // The demo's own month again (a month of new random balances would make every other
    // client fall or climb, which real months do not).
    let mut demo = crate::demo::holdings::demo_holdings(crate::demo::SEED, &branch, clients, today);
    let dormant: Vec<crate::sync::reference::SnapshotHolding> = demo
        .snapshot
        .holdings
        .iter()
        .filter(|h| h.product == "DEP-DEMAND")
        .enumerate()
        .filter(|(i, _)| i % 8 < 5)
        .map(|(_, h)| crate::sync::reference::SnapshotHolding {
            account: format!("{}D", h.account),
            balance: 0,
            avg_balance: Some(0),
            ..h.clone()
        })
        .collect();
    demo.snapshot.holdings.extend(dormant);
    let accounts = demo.snapshot.holdings.len() as u64;
    let start = Instant::now();
    session.seed_demo_holdings(&[], &demo.snapshot, progress)?;
    Ok(ApplyReport {
        clients,
        accounts,
        seconds: start.elapsed().as_secs_f64(),
    })
}
