//! What HQ's reports count, derived from the consolidated rows as they are imported: each
//! complaint's state, quarter and due date (its events replayed by the domain's rules, with
//! HQ's working-day calendar), and each survey response's NPS and CSAT scores (its answers
//! read against its template). The facts are codes, days and numbers, kept in clear tables
//! (`hq_complaint`, `hq_survey`) on both back ends, so that a report is one aggregate in SQL
//! however many rows there are; the personal data they come from stays sealed.
//!
//! The import derives the facts of what a bundle touched, in the bundle's transaction. A
//! store whose facts were made by another version of these rules (or before they existed)
//! has them made again from every consolidated row (`ensure_report_facts`).

use super::Session;
use super::db::{HqRead, HqTx, hq_params};
use crate::domain::calendar::WorkCalendar;
use crate::domain::complaint::{Event, replay};
use crate::domain::survey::{Answer, Answers, Template};
use crate::error::{Error, Result};
use crate::store::write::AuditEvent;
use crate::sync::bundle::Op;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The version of the derivation: a store whose facts carry another is derived again.
const FACTS_VERSION: &str = "1";

/// The complaints and survey responses a bundle's ops touched (their row keys).
#[derive(Debug, Default)]
pub(super) struct Touched {
    complaints: BTreeSet<String>,
    responses: BTreeSet<String>,
}

impl Touched {
    /// Notes what an applied op changes of the reports' facts.
    pub fn note(&mut self, op: &Op) {
        match op.table.as_str() {
            "complaint" => {
                self.complaints.insert(op.row_id.clone());
            }
            "complaint_event" => {
                #[derive(serde::Deserialize)]
                struct OfComplaint {
                    complaint_id: Option<String>,
                }
                if let Ok(OfComplaint {
                    complaint_id: Some(id),
                }) = serde_json::from_str(op.fields.get())
                {
                    self.complaints.insert(id);
                }
            }
            "survey_response" => {
                self.responses.insert(op.row_id.clone());
            }
            _ => {}
        }
    }

    /// Derives the facts of what was touched, from the rows as they now stand.
    pub fn derive(&self, tx: &mut HqTx, branch: &str, calendar: &WorkCalendar) -> Result<()> {
        for id in &self.complaints {
            derive_complaint(tx, branch, id, calendar)?;
        }
        let mut templates = Templates::default();
        for id in &self.responses {
            derive_response(tx, branch, id, &mut templates)?;
        }
        Ok(())
    }
}

/// One complaint's facts: its events replayed in the order the branch wrote them.
fn derive_complaint(
    tx: &mut HqTx,
    branch: &str,
    complaint_id: &str,
    calendar: &WorkCalendar,
) -> Result<()> {
    // Its events arrive after it, in the same bundle or a later one.
    let Some(complaint) = opened_row(tx, branch, "complaint", complaint_id)? else {
        return Ok(());
    };
    // A row without what the report counts by (written by something other than a branch's
    // complaint intake) is left out of the report, not a reason to refuse the bundle.
    let Some(category) = text_field(&complaint, "category") else {
        tracing::warn!(complaint_id, "a complaint without a category at HQ");
        return Ok(());
    };
    let statement = format!(
        "SELECT row_id, fields, sealed FROM hq_row
         WHERE tbl = 'complaint_event' AND branch = ?1 AND {} = ?2",
        tx.dialect().text("fields", "complaint_id")
    );
    let stored = tx.rows(&statement, hq_params![branch, complaint_id], |r| {
        Ok((r.text(0)?, r.text(1)?, r.opt_bytes(2)?))
    })?;
    let mut events = Vec::with_capacity(stored.len());
    for (row_id, fields, sealed) in stored {
        let fields = tx.open_fields("complaint_event", &row_id, &fields, sealed.as_deref())?;
        let (Some(at), Some(event)) = (text_field(&fields, "at"), event_of(&fields)) else {
            tracing::warn!(complaint_id, "a complaint's event HQ cannot read");
            return Ok(());
        };
        events.push(((at, row_id), event));
    }
    // The branch's own order: when written, then the event's UUIDv7.
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let events: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
    // The branch checked each step as it was taken; a history that does not replay here
    // (the rules changed since) is left out of the report, with a warning in the log.
    let Ok(case) = replay(&events) else {
        tracing::warn!(complaint_id, "a complaint's history does not replay at HQ");
        return Ok(());
    };
    let facts = case.report_facts(calendar);
    let cell = Cell {
        quarter: facts.quarter.key(),
        category: category.clone(),
        state: case.state.code().to_string(),
        open_due: if facts.judged_on.is_none() {
            day_key(facts.due_on)
        } else {
            0
        },
        late: i64::from(facts.judged_on.is_some_and(|on| on > facts.due_on)),
        days: facts.days_to_decision.unwrap_or(-1),
    };
    let was = tx.opt(
        "SELECT quarter, category, state, due_on, judged_on, decision_days FROM hq_complaint
         WHERE branch = ?1 AND complaint_id = ?2",
        hq_params![branch, complaint_id],
        |r| {
            let (due_on, judged_on) = (r.int(3)?, r.opt_int(4)?);
            Ok(Cell {
                quarter: r.int(0)?,
                category: r.text(1)?,
                state: r.text(2)?,
                open_due: if judged_on.is_none() { due_on } else { 0 },
                late: i64::from(judged_on.is_some_and(|on| on > due_on)),
                days: r.opt_int(5)?.unwrap_or(-1),
            })
        },
    )?;
    if was.as_ref() != Some(&cell) {
        if let Some(was) = &was {
            was.count(tx, branch, -1)?;
        }
        cell.count(tx, branch, 1)?;
    }
    tx.execute(
        "INSERT INTO hq_complaint (branch, complaint_id, quarter, category, state, due_on,
                                   judged_on, decision_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (branch, complaint_id) DO UPDATE SET
             quarter = excluded.quarter, category = excluded.category, state = excluded.state,
             due_on = excluded.due_on, judged_on = excluded.judged_on,
             decision_days = excluded.decision_days",
        hq_params![
            branch,
            complaint_id,
            facts.quarter.key(),
            &category,
            case.state.code(),
            day_key(facts.due_on),
            facts.judged_on.map(day_key),
            facts.days_to_decision,
        ],
    )?;
    Ok(())
}

/// Where a complaint counts in `hq_complaint_cell`: its report cell, and within it its
/// due day while the clock runs (else 0), whether it was late when its clock stopped or
/// paused, and the days to its decision (-1 before one).
#[derive(Debug, PartialEq)]
struct Cell {
    quarter: i64,
    category: String,
    state: String,
    open_due: i64,
    late: i64,
    days: i64,
}

impl Cell {
    /// Adds `by` (1 or -1) to the cases counted here; a count of none is no row.
    fn count(&self, tx: &mut HqTx, branch: &str, by: i64) -> Result<()> {
        let key = hq_params![
            branch,
            self.quarter,
            &self.category,
            &self.state,
            self.open_due,
            self.late,
            self.days,
            by
        ];
        tx.execute(
            "INSERT INTO hq_complaint_cell (branch, quarter, category, state, open_due, late, days,
                                            cases)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (branch, quarter, category, state, open_due, late, days)
             DO UPDATE SET cases = hq_complaint_cell.cases + excluded.cases",
            key,
        )?;
        tx.execute(
            "DELETE FROM hq_complaint_cell
             WHERE branch = ?1 AND quarter = ?2 AND category = ?3 AND state = ?4
               AND open_due = ?5 AND late = ?6 AND days = ?7 AND cases <= 0",
            &key[..7],
        )?;
        Ok(())
    }
}

/// A day as one number (`20261130`), which orders as the days do.
pub(super) fn day_key(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// A consolidated row of `branch`, its sealed part opened (None: not there).
fn opened_row(
    tx: &mut HqTx,
    branch: &str,
    table: &str,
    row_id: &str,
) -> Result<Option<Map<String, Value>>> {
    let stored = tx.opt(
        "SELECT fields, sealed FROM hq_row WHERE branch = ?1 AND tbl = ?2 AND row_id = ?3",
        hq_params![branch, table, row_id],
        |r| Ok((r.text(0)?, r.opt_bytes(1)?)),
    )?;
    stored
        .map(|(fields, sealed)| tx.open_fields(table, row_id, &fields, sealed.as_deref()))
        .transpose()
}

fn text_field(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::to_string)
}

/// A complaint event as the branch wrote it (`store::complaints`).
fn event_of(fields: &Map<String, Value>) -> Option<Event> {
    Some(Event {
        on: text_field(fields, "on_date")?.parse().ok()?,
        by: text_field(fields, "by_staff")?,
        step: serde_json::from_str(&text_field(fields, "data")?).ok()?,
        note: text_field(fields, "note"),
    })
}

/// A survey response's template, its version, the day answered and the answers, as the
/// branch wrote them (`store::surveys`).
fn response_of(fields: &Map<String, Value>) -> Option<(String, i64, NaiveDate, Answers)> {
    Some((
        text_field(fields, "template_code")?,
        fields.get("template_version")?.as_i64()?,
        text_field(fields, "answered_on")?.parse().ok()?,
        serde_json::from_str(&text_field(fields, "answers")?).ok()?,
    ))
}

/// The templates read so far, by their row key (a bundle's responses share a few).
#[derive(Default)]
struct Templates(HashMap<String, Option<Template>>);

impl Templates {
    fn get(
        &mut self,
        tx: &mut HqTx,
        branch: &str,
        code: &str,
        version: i64,
    ) -> Result<Option<&Template>> {
        let key =
            crate::sync::merge::row_key("survey_template", branch, &format!("{code}@{version}"));
        if !self.0.contains_key(&key) {
            let template = opened_row(tx, branch, "survey_template", &key)?
                .and_then(|fields| text_field(&fields, "body"))
                .and_then(|body| serde_json::from_str(&body).ok());
            self.0.insert(key.clone(), template);
        }
        Ok(self.0.get(&key).and_then(Option::as_ref))
    }
}

/// One survey response's facts: its month, its NPS and CSAT scores (None when its template
/// asks none, or it was not answered), and what it corrects.
fn derive_response(
    tx: &mut HqTx,
    branch: &str,
    response_id: &str,
    templates: &mut Templates,
) -> Result<()> {
    let Some(fields) = opened_row(tx, branch, "survey_response", response_id)? else {
        return Ok(());
    };
    // As with complaints: a row without what the report reads is left out of it.
    let Some((code, version, answered_on, answers)) = response_of(&fields) else {
        tracing::warn!(response_id, "a survey response HQ cannot read");
        return Ok(());
    };
    let month = crate::domain::survey::Month::of(answered_on).key();
    let supersedes = fields
        .get("supersedes")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (nps, csat) = match templates.get(tx, branch, &code, version)? {
        Some(template) => {
            let score = |question: Option<&crate::domain::survey::Question>| {
                question.and_then(|q| match answers.get(&q.id) {
                    Some(Answer::Score(s)) => Some(i64::from(*s)),
                    _ => None,
                })
            };
            (
                score(template.nps_question()),
                score(template.csat_question()),
            )
        }
        None => {
            tracing::warn!(response_id, "a survey response's template is not at HQ");
            (None, None)
        }
    };
    // A questionnaire that asks neither (a risk assessment) is no one's satisfaction.
    if nps.is_none() && csat.is_none() {
        return mark_corrected(tx, branch, supersedes.as_deref());
    }
    tx.execute(
        "INSERT INTO hq_survey (branch, response_id, template_code, month, nps, csat, supersedes,
                                superseded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 EXISTS (SELECT 1 FROM hq_survey c WHERE c.branch = ?1 AND c.supersedes = ?2))
         ON CONFLICT (branch, response_id) DO UPDATE SET
             template_code = excluded.template_code, month = excluded.month,
             nps = excluded.nps, csat = excluded.csat, supersedes = excluded.supersedes,
             superseded = excluded.superseded",
        hq_params![
            branch,
            response_id,
            &code,
            month,
            nps,
            csat,
            supersedes.as_ref()
        ],
    )?;
    mark_corrected(tx, branch, supersedes.as_deref())
}

/// The response a correction replaces no longer counts.
fn mark_corrected(tx: &mut HqTx, branch: &str, supersedes: Option<&str>) -> Result<()> {
    if let Some(old) = supersedes {
        tx.execute(
            "UPDATE hq_survey SET superseded = TRUE WHERE branch = ?1 AND response_id = ?2",
            hq_params![branch, old],
        )?;
    }
    Ok(())
}

impl Session {
    /// The working days HQ judges deadlines by: the holiday table it publishes to the
    /// branches (its reference folder), else the shipped one; and the version of the facts
    /// made with it (the derivation's and the table's), so that a new table makes them again.
    pub(super) fn hq_calendar(&self) -> Result<(Arc<WorkCalendar>, String)> {
        let path = self.paths.reference().join("holidays.toml");
        let text = if path.exists() {
            crate::error::input::read_text_limited(&path, crate::error::input::SMALL_FILE)?
        } else {
            crate::assets::HOLIDAYS.to_string()
        };
        let calendar = WorkCalendar::parse(&text).map_err(|detail| Error::Config {
            path: path.clone(),
            detail,
        })?;
        let digest = hex::encode(&Sha256::digest(text.as_bytes())[..8]);
        Ok((Arc::new(calendar), format!("{FACTS_VERSION}:{digest}")))
    }

    /// Makes the reports' facts again from every consolidated row when they were made by
    /// another version of the derivation or with another holiday table (or never): one
    /// transaction, audited, one at a time (a second HQ process waits, then finds them made).
    pub(crate) fn ensure_report_facts(&mut self) -> Result<()> {
        let (calendar, version) = self.hq_calendar()?;
        const MADE: &str = "SELECT value FROM hq_meta WHERE key = 'report_facts'";
        if self.hq()?.opt(MADE, &[], |r| r.text(0))?.as_deref() == Some(version.as_str()) {
            return Ok(());
        }
        let event = AuditEvent::new("hq.report_facts", "store", self.branch.store_id.clone())
            .with_detail(serde_json::json!({ "version": version }));
        let made = self.hq_write(event, |tx| {
            if let HqTx::Pg(pg) = tx {
                pg.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('report_facts'))",
                    &[],
                )?;
            }
            if tx.opt(MADE, &[], |r| r.text(0))?.as_deref() == Some(version.as_str()) {
                return Ok(false);
            }
            tx.execute("DELETE FROM hq_complaint", &[])?;
            tx.execute("DELETE FROM hq_complaint_cell", &[])?;
            tx.execute("DELETE FROM hq_survey", &[])?;
            // Branch by branch in order, as imports lock them.
            let mut touched: BTreeMap<String, Touched> = BTreeMap::new();
            let rows = tx.rows(
                "SELECT branch, tbl, row_id FROM hq_row
                 WHERE tbl IN ('complaint', 'survey_response') AND NOT deleted",
                &[],
                |r| Ok((r.text(0)?, r.text(1)?, r.text(2)?)),
            )?;
            for (branch, table, row_id) in rows {
                let of_branch = touched.entry(branch).or_default();
                match table.as_str() {
                    "complaint" => of_branch.complaints.insert(row_id),
                    _ => of_branch.responses.insert(row_id),
                };
            }
            for (branch, of_branch) in &touched {
                of_branch.derive(tx, branch, &calendar)?;
            }
            tx.execute(
                "INSERT INTO hq_meta (key, value) VALUES ('report_facts', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                hq_params![&version],
            )?;
            Ok(true)
        })?;
        if let (true, super::Hq::Pg(mut pg)) = (made, self.hq()?) {
            // The complaint report reads the counts' key alone once their pages are marked
            // all-visible: after making millions of them, that is not left to autovacuum's
            // next visit. Only speed depends on it, so a refusal is logged, not raised.
            if let Err(e) = pg
                .client
                .batch_execute("VACUUM (ANALYZE) hq_complaint_cell, hq_survey")
            {
                tracing::warn!(error = %e, "vacuuming HQ's report facts");
            }
        }
        Ok(())
    }
}
