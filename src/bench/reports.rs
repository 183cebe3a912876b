//! `branchdesk bench reports`: HQ's complaint and satisfaction reports over N synthetic
//! facts each (a thousand branches; eight quarters, twenty-four months), on HQ's own store
//! and, with `--database`, on PostgreSQL, side by side. Each report runs three times; the
//! median is the figure.

use crate::domain::clock::Clock;
use crate::domain::complaint::Quarter;
use crate::domain::survey::Month;
use crate::error::Result;
use crate::store::Session;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// The target for each report over ten million rows.
pub const REPORT_TARGET_S: f64 = 2.0;

#[derive(Debug, Clone, Serialize)]
pub struct ReportsBench {
    pub rows: u64,
    pub sqlite: ReportFigures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres: Option<ReportFigures>,
    pub targets_met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportFigures {
    /// Filling the facts (not part of any target).
    pub fill_s: f64,
    pub complaints_s: f64,
    pub complaint_cells: usize,
    pub satisfaction_s: f64,
    pub satisfaction_cells: usize,
}

impl ReportFigures {
    fn met(&self) -> bool {
        self.complaints_s <= REPORT_TARGET_S && self.satisfaction_s <= REPORT_TARGET_S
    }
}

/// The median of three runs of `report`, and what the last one returned.
fn median_of_three<T>(mut report: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut times = Vec::with_capacity(3);
    let mut last = None;
    for _ in 0..3 {
        let started = Instant::now();
        last = Some(report()?);
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let last = last.ok_or_else(|| crate::error::Error::internal("no report ran"))?;
    Ok((times[1], last))
}

fn measure(hq: &mut Session, rows: u64, progress: &mut dyn FnMut(&str)) -> Result<ReportFigures> {
    progress("facts");
    let started = Instant::now();
    hq.bench_report_facts(rows)?;
    let fill_s = started.elapsed().as_secs_f64();
    let quarter = |text| Quarter::parse(text).ok_or_else(|| crate::error::Error::internal(text));
    let month = |text| Month::parse(text).ok_or_else(|| crate::error::Error::internal(text));
    let (from, to) = (quarter("2025Q1")?, quarter("2026Q4")?);
    progress("complaint report");
    let (complaints_s, complaints) = median_of_three(|| hq.hq_complaint_report(from, to, None))?;
    let (from, to) = (month("2025-01")?, month("2026-12")?);
    progress("satisfaction report");
    let (satisfaction_s, satisfaction) =
        median_of_three(|| hq.hq_satisfaction_report(from, to, None, None))?;
    Ok(ReportFigures {
        fill_s,
        complaints_s,
        complaint_cells: complaints.cells.len(),
        satisfaction_s,
        satisfaction_cells: satisfaction.cells.len(),
    })
}

pub fn run(
    rows: u64,
    database: Option<&str>,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<ReportsBench> {
    let (dir, _scratch) = super::sync::scratch("reports")?;
    let scratch_schema = database.map(crate::store::scratch_schema).transpose()?;
    progress("stores");
    let mut hq = super::sync::create(&dir, "HQ", clock.clone())?;
    hq.become_hq(None)?;
    let sqlite = measure(&mut hq, rows, progress)?;
    drop(hq);
    let postgres = match &scratch_schema {
        Some((url, _)) => {
            let mut pg = super::sync::create(&dir, "HQ-PG", clock)?;
            pg.become_hq(Some(url))?;
            Some(measure(&mut pg, rows, progress)?)
        }
        None => None,
    };
    // The target is PostgreSQL's where it ran (HQ's scale), else the store's own.
    let targets_met = postgres.as_ref().unwrap_or(&sqlite).met();
    Ok(ReportsBench {
        rows,
        sqlite,
        postgres,
        targets_met,
    })
}
