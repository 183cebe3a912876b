//! HQ's statistics over every branch: complaints per quarter by branch, category and state
//! (with the overdue and the median days to a decision, for the regulator's quarterly
//! statistics), and NPS/CSAT by branch and month with their sample sizes. Each is an
//! aggregate in SQL over the facts the import derived (`facts`), one statement text for
//! both back ends; only the percentages are worked out here, by the domain's formulas.

use super::Session;
use super::db::{HqRead, hq_params};
use super::facts::day_key;
use crate::domain::complaint::{Quarter, median_days};
use crate::domain::staff::Permission;
use crate::domain::survey::{Csat, Month, Nps, SMALL_SAMPLE, csat_from_counts, nps_from_counts};
use crate::error::Result;
use crate::sync::keys::Party;
use chrono::NaiveDate;
use serde::Serialize;

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

impl ComplaintCell {
    /// The catalog keys of the headings of [`ComplaintCell::words`].
    pub const HEADINGS: [&'static str; 7] = [
        "hq.complaints.quarter",
        "hq.complaints.branch",
        "hq.complaints.category",
        "hq.complaints.state",
        "hq.complaints.count",
        "hq.complaints.overdue",
        "hq.complaints.median",
    ];

    /// The cell as people read it (the command line's table, the HQ screen): quarter,
    /// branch, category and state in words, cases, overdue, median days.
    pub fn words(&self, i18n: &crate::i18n::I18n) -> Vec<String> {
        vec![
            self.quarter.clone(),
            self.branch.clone(),
            i18n.t_owned(format!("complaint.category.{}", self.category))
                .to_string(),
            i18n.t_owned(format!("complaint.state.{}", self.state))
                .to_string(),
            self.complaints.to_string(),
            self.overdue.to_string(),
            self.median_days_to_decision
                .map(|m| format!("{m:.1}"))
                .unwrap_or_default(),
        ]
    }
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

impl SatisfactionCell {
    /// The catalog keys of the headings of [`SatisfactionCell::words`].
    pub const HEADINGS: [&'static str; 8] = [
        "hq.satisfaction.branch",
        "hq.satisfaction.month",
        "hq.satisfaction.responses",
        "hq.satisfaction.nps",
        "hq.satisfaction.nps_n",
        "hq.satisfaction.csat",
        "hq.satisfaction.csat_n",
        "hq.satisfaction.note",
    ];

    /// The cell as people read it: branch, month, responses, NPS and its sample, CSAT and
    /// its sample, and the small-sample flag in words.
    pub fn words(&self, i18n: &crate::i18n::I18n) -> Vec<String> {
        vec![
            self.branch.clone(),
            self.month.clone(),
            self.responses.to_string(),
            self.nps
                .map(|n| format!("{:.1}", n.nps))
                .unwrap_or_default(),
            self.nps.map(|n| n.n.to_string()).unwrap_or_default(),
            self.csat
                .map(|c| format!("{:.1}%", c.csat))
                .unwrap_or_default(),
            self.csat.map(|c| c.n.to_string()).unwrap_or_default(),
            if self.small_sample {
                i18n.t("hq.satisfaction.small").to_string()
            } else {
                String::new()
            },
        ]
    }
}

/// A period that begins no later than it ends.
fn in_order<P: Ord + std::fmt::Display>(from: P, to: P) -> Result<()> {
    if from > to {
        return Err(crate::error::Error::PeriodReversed {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    Ok(())
}

/// A cell's histogram of days to a decision as the statement spells it (`days:cases,…`).
fn histogram_of(text: &str) -> Result<Vec<(i64, u64)>> {
    text.split(',')
        .map(|pair| {
            let (days, cases) = pair.split_once(':')?;
            Some((days.parse().ok()?, cases.parse().ok()?))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(crate::error::Error::DatabaseDamaged)
}

fn quarter_of(key: i64) -> Result<String> {
    Quarter::from_key(key)
        .map(|q| q.to_string())
        .ok_or(crate::error::Error::DatabaseDamaged)
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
        in_order(from, to)?;
        let as_of = self.today();
        let only = branch.map(str::trim).unwrap_or("").to_ascii_uppercase();
        let mut hq = self.hq()?;
        // One pass over the cells' counts: each report cell's cases, overdue and decided, and
        // its histogram of days to a decision ("days:cases,…"), of which the median is taken
        // here — a handful of entries per cell, where ordering every case in SQL took seconds.
        // Grouped in the order of the table's key, so that it is read in order, not sorted.
        let mut cells = hq.rows(
            "SELECT quarter, branch, category, state, sum(cases),
                    sum(CASE WHEN late = 1 OR (open_due > 0 AND ?1 > open_due)
                             THEN cases ELSE 0 END),
                    sum(CASE WHEN days >= 0 THEN cases ELSE 0 END),
                    string_agg(CAST(days AS TEXT) || ':' || CAST(cases AS TEXT), ',')
                        FILTER (WHERE days >= 0)
             FROM hq_complaint_cell
             WHERE quarter >= ?2 AND quarter <= ?3 AND (?4 = '' OR branch = ?4)
             GROUP BY branch, quarter, category, state",
            hq_params![day_key(as_of), from.key(), to.key(), &only],
            |r| {
                let histogram = r.opt_text(7)?.map(|text| histogram_of(&text)).transpose()?;
                Ok(ComplaintCell {
                    quarter: quarter_of(r.int(0)?)?,
                    branch: r.text(1)?,
                    category: r.text(2)?,
                    state: r.text(3)?,
                    complaints: count(r.int(4)?),
                    overdue: count(r.int(5)?),
                    decided: count(r.int(6)?),
                    median_days_to_decision: histogram.and_then(|h| median_days(&h)),
                })
            },
        )?;
        // Ordered here rather than by the database, which would sort after aggregating
        // partition by partition (byte order, as the "C" collation and SQLite order).
        cells.sort_unstable_by(|a, b| {
            (&a.quarter, &a.branch, &a.category, &a.state).cmp(&(
                &b.quarter,
                &b.branch,
                &b.category,
                &b.state,
            ))
        });
        Ok(ComplaintReport {
            from: from.to_string(),
            to: to.to_string(),
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
        in_order(from, to)?;
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
            hq_params![from.key(), to.key(), &only, &template],
            |r| {
                let responses = count(r.int(2)?);
                Ok(SatisfactionCell {
                    branch: r.text(0)?,
                    month: Month::from_key(r.int(1)?)
                        .ok_or(crate::error::Error::DatabaseDamaged)?
                        .to_string(),
                    responses,
                    nps: nps_from_counts(count(r.int(3)?), count(r.int(4)?), count(r.int(5)?)),
                    csat: csat_from_counts(count(r.int(6)?), count(r.int(7)?)),
                    small_sample: responses < SMALL_SAMPLE,
                })
            },
        )?;
        Ok(SatisfactionReport {
            from: from.to_string(),
            to: to.to_string(),
            branch: (!only.is_empty()).then_some(only),
            template: (!template.is_empty()).then_some(template),
            cells,
        })
    }
}

/// The columns of a benchmark's synthetic facts (`bench reports`), over a counter `i`, the
/// same on both back ends but for the text formatting of the branch code:
/// a thousand branches, eight quarters, every category and state, decisions in 0–39 days
/// and stops on 19 days spread within each cell (the counter over 8,000: the branch and
/// quarter take its lower digits);
/// twenty-four months, every NPS score and CSAT rating.
const BENCH_COMPLAINTS: &str = "INSERT INTO hq_complaint (branch, complaint_id, quarter, category,
        state, due_on, judged_on, decision_days)
    SELECT {branch}, CAST(i AS TEXT), (2025 + (i / 1000) % 8 / 4) * 10 + (i / 1000) % 8 % 4 + 1,
        CASE (i / 7) % 8 WHEN 0 THEN 'service_attitude' WHEN 1 THEN 'fees'
            WHEN 2 THEN 'mis_selling' WHEN 3 THEN 'card_account' WHEN 4 THEN 'loan'
            WHEN 5 THEN 'wealth_product' WHEN 6 THEN 'privacy' ELSE 'other' END,
        CASE (i / 13) % 9 WHEN 0 THEN 'registered' WHEN 1 THEN 'accepted'
            WHEN 2 THEN 'in_progress' WHEN 3 THEN 'waiting' WHEN 4 THEN 'decided'
            WHEN 5 THEN 'feedback' WHEN 6 THEN 'closed' WHEN 7 THEN 'withdrawn'
            ELSE 'merged' END,
        20260120,
        CASE WHEN (i / 13) % 9 >= 3 THEN 20260110 + (i / 8000) % 19 END,
        CASE WHEN (i / 13) % 9 IN (4, 5, 6) THEN (i / 8000) % 40 END
    FROM {series}";
/// The synthetic complaints counted by cell, as the import keeps them.
const BENCH_CELLS: &str = "INSERT INTO hq_complaint_cell (branch, quarter, category, state,
        open_due, late, days, cases)
    SELECT branch, quarter, category, state, CASE WHEN judged_on IS NULL THEN due_on ELSE 0 END,
        CASE WHEN judged_on > due_on THEN 1 ELSE 0 END, coalesce(decision_days, -1), count(*)
    FROM hq_complaint GROUP BY 1, 2, 3, 4, 5, 6, 7";
const BENCH_SURVEYS: &str = "INSERT INTO hq_survey (branch, response_id, template_code, month,
        nps, csat, supersedes, superseded)
    SELECT {branch}, CAST(i AS TEXT), 'counter_visit',
        (2025 + (i / 1000) % 24 / 12) * 100 + (i / 1000) % 12 + 1, i % 11, 1 + i % 5, NULL, FALSE
    FROM {series}";

impl Session {
    /// Fills HQ's report facts with `rows` synthetic complaints and as many survey responses
    /// (`bench reports`, on a scratch HQ only), marked as derived so that the reports read
    /// them as they are.
    pub fn bench_report_facts(&mut self, rows: u64) -> Result<()> {
        let rows = i64::try_from(rows).unwrap_or(i64::MAX);
        let (_, made_with) = self.hq_calendar()?;
        let mut hq = self.hq()?;
        let (branch, series) = match hq.dialect() {
            super::db::Dialect::Sqlite => (
                "'BR' || substr('000' || (i % 1000), -4)",
                "(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
                  SELECT i FROM n)",
            ),
            super::db::Dialect::Postgres => (
                "'BR' || lpad(CAST(i % 1000 AS TEXT), 4, '0')",
                "generate_series(CAST(0 AS BIGINT), CAST(?1 AS BIGINT) - 1) AS s(i)",
            ),
        };
        let fill = |sql: &str| sql.replace("{branch}", branch).replace("{series}", series);
        let mut run = |sql: &str, params: &[super::db::Param]| -> Result<()> {
            match &mut hq {
                super::Hq::Local(conn) => {
                    conn.execute(sql, rusqlite::params_from_iter(params.iter()))?;
                }
                super::Hq::Pg(pg) => {
                    pg.execute(sql, params)?;
                }
            }
            Ok(())
        };
        run("DELETE FROM hq_complaint", &[])?;
        run("DELETE FROM hq_survey", &[])?;
        run(&fill(BENCH_COMPLAINTS), hq_params![rows])?;
        run(&fill(BENCH_SURVEYS), hq_params![rows])?;
        run("DELETE FROM hq_complaint_cell", &[])?;
        run(BENCH_CELLS, &[])?;
        run(
            "INSERT INTO hq_meta (key, value) VALUES ('report_facts', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            hq_params![&made_with],
        )?;
        match &mut hq {
            super::Hq::Local(conn) => conn.execute_batch("ANALYZE")?,
            // As autovacuum leaves tables after a load: the pages marked all-visible, which
            // lets the complaint report read the cells' key alone.
            super::Hq::Pg(pg) => pg
                .client
                .batch_execute("VACUUM ANALYZE hq_complaint, hq_complaint_cell, hq_survey")
                .map_err(super::pg::db_error)?,
        }
        Ok(())
    }
}
