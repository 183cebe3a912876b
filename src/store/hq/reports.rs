//! HQ's statistics over every branch: complaints per quarter by branch, category and state
//! (with the overdue and the median days to a decision, for the regulator's quarterly
//! statistics), and NPS/CSAT by branch and month with their sample sizes. Each is an
//! aggregate in SQL over the facts the import derived (`facts`), one statement text for
//! both back ends; only the percentages are worked out here, by the domain's formulas.

use super::Session;
use super::db::{HqRead, hq_params};
use crate::domain::complaint::Quarter;
use crate::domain::staff::Permission;
use crate::domain::survey::{Csat, Month, Nps, SMALL_SAMPLE, csat_from_counts, nps_from_counts};
use crate::error::Result;
use crate::sync::keys::Party;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Complaints per quarter × branch × category × state (`hq report complaints`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintReport {
    /// First and last quarter counted (by the day of receipt), e.g. `2026Q1`.
    pub from: String,
    pub to: String,
    /// The day open cases are judged overdue on (today where the report runs).
    pub as_of: NaiveDate,
    pub branch: Option<String>,
    pub cells: Vec<ComplaintCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintCell {
    pub quarter: String,
    pub branch: String,
    pub category: String,
    pub state: String,
    pub complaints: u64,
    /// Not decided by the due date: still open past it on `as_of`, or decided, withdrawn,
    /// merged or paused after it.
    pub overdue: u64,
    /// Cases decided (decided, feedback given, closed).
    pub decided: u64,
    /// Median calendar days from receipt to the decision, over the decided cases.
    pub median_days_to_decision: Option<f64>,
}

/// NPS and CSAT per branch × month (`hq report satisfaction`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionReport {
    /// First and last month counted (by the day answered), e.g. `2026-01`.
    pub from: String,
    pub to: String,
    pub branch: Option<String>,
    pub template: Option<String>,
    pub cells: Vec<SatisfactionCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionCell {
    pub branch: String,
    pub month: String,
    /// Responses counted (a corrected response counts once, as corrected).
    pub responses: u64,
    /// With its sample size (`n`): responses that answered the NPS question.
    pub nps: Option<Nps>,
    /// With its sample size (`n`): responses that answered the CSAT rating.
    pub csat: Option<Csat>,
    /// Too few responses to read (under the survey rules' threshold).
    pub small_sample: bool,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Session {
    fn require_hq_reports(&mut self) -> Result<()> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        self.ensure_report_facts()
    }

    /// Complaints received from `from` to `to` (quarters, both included), of one branch or
    /// all.
    pub fn hq_complaint_report(
        &mut self,
        from: Quarter,
        to: Quarter,
        branch: Option<&str>,
    ) -> Result<ComplaintReport> {
        self.require_hq_reports()?;
        let as_of = self.today();
        let (first, last) = (from.to_string(), to.to_string());
        let only = branch.map(str::trim).unwrap_or("").to_ascii_uppercase();
        let mut hq = self.hq()?;
        let mut cells = hq.rows(
            "SELECT quarter, branch, category, state, count(*),
                    sum(CASE WHEN coalesce(judged_on, ?1) > due_on THEN 1 ELSE 0 END),
                    count(decision_days)
             FROM hq_complaint
             WHERE quarter >= ?2 AND quarter <= ?3 AND (?4 = '' OR branch = ?4)
             GROUP BY quarter, branch, category, state
             ORDER BY quarter, branch, category, state",
            hq_params![&as_of.to_string(), &first, &last, &only],
            |r| {
                Ok(ComplaintCell {
                    quarter: r.text(0)?,
                    branch: r.text(1)?,
                    category: r.text(2)?,
                    state: r.text(3)?,
                    complaints: count(r.int(4)?),
                    overdue: count(r.int(5)?),
                    decided: count(r.int(6)?),
                    median_days_to_decision: None,
                })
            },
        )?;
        // The median from each cell's histogram of days: the day counts are few, so this
        // sorts a handful of rows per cell, not the cases. Its lower and upper middle
        // values (the same one when the count is odd) are averaged.
        let medians: HashMap<(String, String, String, String), f64> = hq
            .rows(
                "WITH histogram AS (
                     SELECT quarter, branch, category, state, decision_days AS days,
                            count(*) AS cases
                     FROM hq_complaint
                     WHERE decision_days IS NOT NULL AND quarter >= ?1 AND quarter <= ?2
                       AND (?3 = '' OR branch = ?3)
                     GROUP BY quarter, branch, category, state, decision_days),
                 running AS (
                     SELECT quarter, branch, category, state, days, cases,
                            CAST(sum(cases) OVER (PARTITION BY quarter, branch, category, state
                                                  ORDER BY days) AS BIGINT) AS upto,
                            CAST(sum(cases) OVER (PARTITION BY quarter, branch, category, state)
                                 AS BIGINT) AS n
                     FROM histogram)
                 SELECT quarter, branch, category, state, min(days), max(days)
                 FROM running
                 WHERE (upto - cases < (n + 1) / 2 AND upto >= (n + 1) / 2)
                    OR (upto - cases < n / 2 + 1 AND upto >= n / 2 + 1)
                 GROUP BY quarter, branch, category, state",
                hq_params![&first, &last, &only],
                |r| {
                    let key = (r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?);
                    Ok((key, (r.int(4)? + r.int(5)?) as f64 / 2.0))
                },
            )?
            .into_iter()
            .collect();
        for cell in &mut cells {
            let key = (
                cell.quarter.clone(),
                cell.branch.clone(),
                cell.category.clone(),
                cell.state.clone(),
            );
            cell.median_days_to_decision = medians.get(&key).copied();
        }
        Ok(ComplaintReport {
            from: first,
            to: last,
            as_of,
            branch: (!only.is_empty()).then_some(only),
            cells,
        })
    }

    /// NPS and CSAT of the responses answered from `from` to `to` (months, both included),
    /// of one branch or all, one template or all.
    pub fn hq_satisfaction_report(
        &mut self,
        from: Month,
        to: Month,
        branch: Option<&str>,
        template: Option<&str>,
    ) -> Result<SatisfactionReport> {
        self.require_hq_reports()?;
        let (first, last) = (from.to_string(), to.to_string());
        let only = branch.map(str::trim).unwrap_or("").to_ascii_uppercase();
        let template = template.map(str::trim).unwrap_or("").to_string();
        let cells = self.hq()?.rows(
            "SELECT branch, month, count(*),
                    sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END),
                    sum(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END),
                    sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END),
                    count(csat),
                    sum(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)
             FROM hq_survey
             WHERE NOT superseded AND month >= ?1 AND month <= ?2
               AND (?3 = '' OR branch = ?3) AND (?4 = '' OR template_code = ?4)
             GROUP BY branch, month
             ORDER BY branch, month",
            hq_params![&first, &last, &only, &template],
            |r| {
                let responses = count(r.int(2)?);
                Ok(SatisfactionCell {
                    branch: r.text(0)?,
                    month: r.text(1)?,
                    responses,
                    nps: nps_from_counts(count(r.int(3)?), count(r.int(4)?), count(r.int(5)?)),
                    csat: csat_from_counts(count(r.int(6)?), count(r.int(7)?)),
                    small_sample: responses < SMALL_SAMPLE,
                })
            },
        )?;
        Ok(SatisfactionReport {
            from: first,
            to: last,
            branch: (!only.is_empty()).then_some(only),
            template: (!template.is_empty()).then_some(template),
            cells,
        })
    }
}
