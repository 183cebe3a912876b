//! Surveys in the store: templates (each version kept, a changed file makes a new one),
//! responses (insert-only; corrections supersede), follow-ups for the care agenda, statistics
//! and paper batches from CSV.

mod responses;

pub use responses::{RESPONSES_MOST, ResponseRow};

use crate::domain::care::{self, KeyKind};
use crate::domain::staff::Permission;
use crate::domain::survey::{
    self, AnswerError, Answers, GroupBy, ResponseFacts, Stats, Template, check_answers,
    parse_template,
};
use crate::error::{Error, Result};
use crate::store::Filled;
use crate::store::Session;
use crate::store::assessments::AssessmentPlan;
use crate::store::import::read_table;
use crate::store::write::{AuditEvent, Table, Writer};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// A template file that could not be used, and why (its line, where the file says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedTemplate {
    pub file: String,
    pub problem: String,
}

/// The templates in use (the latest version of each), and the files that were skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateSet {
    pub templates: Vec<Template>,
    pub skipped: Vec<SkippedTemplate>,
}

/// A response as typed: template code, client (or anonymous), channel, day, answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyInput {
    pub template: String,
    /// Client number; empty for an anonymous response.
    pub client: String,
    pub channel: String,
    /// YYYY-MM-DD; today when empty.
    pub answered_on: String,
    /// Question id → typed answer.
    pub answers: BTreeMap<String, String>,
    /// The response this one corrects, if any.
    pub supersedes: String,
}

/// What recording a response did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub id: String,
    /// The care reminder a detractor's response created for the client's RM.
    pub follow_up: Option<String>,
    /// The free text, when it reads like a complaint (the screen offers to open one).
    pub complaint_text: Option<String>,
    /// The assessment a risk questionnaire's answers gave, recorded with it.
    pub assessment: Option<crate::store::AssessmentRecord>,
}

/// The statistics of one template over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyStats {
    pub template: Template,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub stats: Stats,
}

/// A line of a paper batch that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedLine {
    pub line: u64,
    pub problem: String,
}

/// What a paper batch did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyImport {
    pub rows: u64,
    pub added: u64,
    pub follow_ups: u64,
    pub rejected: Vec<RejectedLine>,
    pub ignored_columns: Vec<String>,
}

/// A checked response, ready to write.
struct Checked {
    template: Template,
    client: Option<(i64, String, Option<String>, String)>,
    channel: String,
    answered_on: NaiveDate,
    answers: Answers,
    follow_up: Option<survey::FollowUp>,
    supersedes: Option<String>,
}

fn digest(template: &Template) -> String {
    let mut unversioned = template.clone();
    unversioned.version = 0;
    let text = serde_json::to_string(&unversioned).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn invalid(question: &str, rule: &'static str) -> Error {
    Error::SurveyInvalid {
        errors: vec![AnswerError {
            question: question.to_string(),
            rule,
        }],
    }
}

impl Session {
    fn require_survey_access(&self) -> Result<()> {
        if self.me.role.can(Permission::EnterSurvey) {
            return Ok(());
        }
        self.require(Permission::ViewSurveyStats)
    }

    /// The templates: shipped ones and `surveys/*.toml` in the store directory (a file of
    /// the same code replaces the shipped one). A file that changed since it was last seen
    /// becomes a new version; a file that does not parse is skipped and named.
    /// The shipped templates and the store's own files (`<store>/surveys/*.toml`), as
    /// (file, text).
    pub(crate) fn template_files(&self) -> Result<Vec<(String, String)>> {
        let mut sources: Vec<(String, String)> = crate::assets::SURVEY_TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        let dir = self.paths.surveys();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut files: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for path in files {
                let text =
                    crate::error::input::read_text_limited(&path, crate::error::input::SMALL_FILE)?;
                sources.push((path.display().to_string(), text));
            }
        }
        Ok(sources)
    }

    pub fn survey_templates(&mut self) -> Result<TemplateSet> {
        self.require_survey_access()?;
        let mut sources = self.template_files()?;
        // HQ's templates come last: a template HQ sends replaces one of the same code.
        if let Some(text) = self.local_value("ref_templates")? {
            let version = self.local_value("ref_version")?.unwrap_or_default();
            let texts: Vec<String> = serde_json::from_str(&text).map_err(Error::internal)?;
            for (i, text) in texts.into_iter().enumerate() {
                sources.push((format!("HQ reference v{version} #{}", i + 1), text));
            }
        }
        let mut parsed: BTreeMap<String, (String, Template)> = BTreeMap::new();
        let mut skipped = Vec::new();
        for (file, text) in sources {
            match parse_template(&text) {
                Ok(template) => {
                    parsed.insert(template.code.clone(), (file, template));
                }
                Err(error) => {
                    tracing::warn!(%file, %error, "survey template skipped");
                    skipped.push(SkippedTemplate {
                        file,
                        problem: error.to_string(),
                    });
                }
            }
        }
        for (file, template) in parsed.values() {
            let digest = digest(template);
            let latest: Option<(i64, String)> = self
                .conn
                .query_row(
                    "SELECT version, digest FROM survey_template WHERE code = ?1
                     ORDER BY version DESC LIMIT 1",
                    [&template.code],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if latest.as_ref().is_some_and(|(_, d)| *d == digest) {
                continue;
            }
            let version = latest.map_or(1, |(v, _)| v + 1);
            let mut stored = template.clone();
            stored.version = u32::try_from(version).map_err(Error::internal)?;
            let body = serde_json::to_string(&stored).map_err(Error::internal)?;
            let id = format!("{}@{version}", template.code);
            let event = AuditEvent::new("survey.template", "survey_template", id.clone())
                .with_detail(json!({ "file": file }));
            self.write(event, |w| {
                w.insert(
                    Table::SurveyTemplate,
                    &id,
                    vec![
                        ("code", Value::Text(stored.code.clone())),
                        ("version", Value::Integer(version)),
                        ("body", Value::Text(body.clone())),
                        ("digest", Value::Text(digest.clone())),
                        ("source", Value::Text(file.clone())),
                        ("created_at", Value::Text(w.now_text())),
                    ],
                )
            })?;
        }
        let mut templates = Vec::new();
        for code in parsed.keys() {
            templates.push(self.latest_template(code)?);
        }
        Ok(TemplateSet { templates, skipped })
    }

    pub(crate) fn latest_template(&self, code: &str) -> Result<Template> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM survey_template WHERE code = ?1 ORDER BY version DESC LIMIT 1",
                [code.trim()],
                |r| r.get(0),
            )
            .optional()?;
        let body = body.ok_or_else(|| Error::SurveyTemplateUnknown {
            code: code.trim().to_string(),
        })?;
        serde_json::from_str(&body).map_err(|_| Error::DatabaseDamaged)
    }

    /// Checks a response without writing anything.
    fn check_response(&mut self, input: &SurveyInput) -> Result<Checked> {
        let template = self.latest_template(&input.template)?;
        let today = self.today();
        let answered_on = match input.answered_on.trim() {
            "" => today,
            raw => match crate::domain::client::parse_date(raw) {
                Some(day) if day > today => return Err(invalid("answered_on", "future")),
                Some(day) => day,
                None => return Err(invalid("answered_on", "date")),
            },
        };
        if !template.valid_on(answered_on) {
            return Err(invalid("answered_on", "not_valid"));
        }
        let channel = input.channel.trim().to_string();
        if !survey::CHANNELS.contains(&channel.as_str()) {
            return Err(invalid("channel", "unknown_option"));
        }
        let client = match input.client.trim() {
            "" => None,
            key => {
                let (seq, stored) = self.find_client(key)?;
                Some((
                    seq,
                    stored.id,
                    stored.record.assigned_rm,
                    stored.record.name,
                ))
            }
        };
        let answers = check_answers(&template, &input.answers)
            .map_err(|errors| Error::SurveyInvalid { errors })?;
        let supersedes = match input.supersedes.trim() {
            "" => None,
            // An assessment is never edited: a wrong one is followed by a new one.
            _ if template.risk.is_some() => return Err(invalid("supersedes", "risk")),
            id => {
                let code: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT template_code FROM survey_response WHERE id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if code.as_deref() != Some(template.code.as_str()) {
                    return Err(invalid("supersedes", "unknown_response"));
                }
                Some(id.to_string())
            }
        };
        let follow_up = survey::follow_up(&template, &answers);
        Ok(Checked {
            template,
            client,
            channel,
            answered_on,
            answers,
            follow_up,
            supersedes,
        })
    }

    /// Records a response (and, for a detractor, the follow-up on the RM's agenda).
    pub fn record_survey(&mut self, input: &SurveyInput) -> Result<Recorded> {
        self.require(Permission::EnterSurvey)?;
        let checked = self.check_response(input)?;
        let assessment = self.risk_assessment(&checked)?;
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let event = AuditEvent::new("survey.response", "survey_response", id.clone()).with_detail(
            json!({ "template": checked.template.code, "version": checked.template.version }),
        );
        let follow_up = self.write(event, |w| {
            let follow_up = write_response(w, &id, &me, &checked)?;
            if let Some(plan) = &assessment {
                plan.write(w)?;
            }
            Ok(follow_up)
        })?;
        Ok(Recorded {
            assessment: assessment.map(|plan| plan.record),
            complaint_text: checked
                .client
                .as_ref()
                .and(survey::complaint_text(&checked.template, &checked.answers)),
            id,
            follow_up,
        })
    }

    /// The assessment a risk questionnaire's answers give: for a client, filled by the
    /// client on the counter pad or paper, or read out to them on the phone (never over
    /// SMS), within the assessment rules; none for other templates.
    fn risk_assessment(&self, checked: &Checked) -> Result<Option<AssessmentPlan>> {
        let Some(result) = checked.template.risk_result(&checked.answers) else {
            return Ok(None);
        };
        let Some((seq, client_id, ..)) = &checked.client else {
            return Err(Error::RiskNeedsClient);
        };
        let filled = match checked.channel.as_str() {
            "counter" | "paper" => Filled::ClientPad,
            "phone" => Filled::ReadOut,
            other => {
                return Err(Error::RiskChannel {
                    channel: other.to_string(),
                });
            }
        };
        let (_, stored) = self.find_client(client_id)?;
        self.check_business(&stored)?;
        self.plan_assessment(
            *seq,
            &stored,
            result.level,
            Some(checked.answered_on),
            filled,
            result.confirmed,
        )
        .map(Some)
    }

    /// Records many responses at once (all or none), e.g. the demo's year of surveys.
    pub fn record_surveys(&mut self, inputs: &[SurveyInput]) -> Result<u64> {
        self.require(Permission::EnterSurvey)?;
        let checked = inputs
            .iter()
            .map(|input| self.check_response(input))
            .collect::<Result<Vec<_>>>()?;
        self.write_batch(&checked, json!({ "rows": checked.len() }))?;
        Ok(checked.len() as u64)
    }

    fn write_batch(&mut self, checked: &[Checked], detail: serde_json::Value) -> Result<()> {
        // A risk questionnaire records an assessment, client by client, under its rules.
        if checked.iter().any(|c| c.template.risk.is_some()) {
            return Err(Error::RiskOneAtATime);
        }
        let me = self.me.id.to_string();
        let event = AuditEvent::new("survey.import", "survey_response", "").with_detail(detail);
        self.write(event, |w| {
            for one in checked {
                let id = uuid::Uuid::now_v7().to_string();
                write_response(w, &id, &me, one)?;
            }
            Ok(())
        })
    }

    /// NPS, CSAT and distributions of a template's responses from `from` to `to`
    /// (corrected responses count once, as corrected).
    pub fn survey_stats(
        &mut self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        by: GroupBy,
    ) -> Result<SurveyStats> {
        self.require(Permission::ViewSurveyStats)?;
        let template = self.latest_template(code)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT answered_on, staff_id, channel, answers FROM survey_response r
             WHERE template_code = ?1 AND answered_on BETWEEN ?2 AND ?3
               AND NOT EXISTS (SELECT 1 FROM survey_response s WHERE s.supersedes = r.id)
             ORDER BY answered_on, id",
        )?;
        let rows = stmt
            .query_map(
                params![template.code, from.to_string(), to.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut facts = Vec::with_capacity(rows.len());
        for (day, staff, channel, answers) in rows {
            facts.push(ResponseFacts {
                answered_on: day.parse().map_err(|_| Error::DatabaseDamaged)?,
                staff,
                channel,
                answers: serde_json::from_str(&answers).map_err(|_| Error::DatabaseDamaged)?,
            });
        }
        Ok(SurveyStats {
            stats: survey::compute(&template, &facts, by),
            template,
            from,
            to,
        })
    }

    /// A batch of paper forms from CSV: every line is checked first; the good ones go in
    /// one transaction (none with `dry_run`), the others are listed with their reasons.
    pub fn import_surveys(
        &mut self,
        path: &Path,
        code: &str,
        dry_run: bool,
        describe: &dyn Fn(&Error) -> String,
    ) -> Result<SurveyImport> {
        self.require(Permission::EnterSurvey)?;
        let template = self.latest_template(code)?;
        if template.risk.is_some() {
            return Err(Error::RiskOneAtATime);
        }
        let (headers, rows) = read_table(path, crate::error::input::SURVEY_BATCH)?;
        enum Column {
            Client,
            Day,
            Channel,
            Question(String),
            Ignored,
        }
        let columns: Vec<Column> = headers
            .iter()
            .map(|h| match h.as_str() {
                "client" | "client_no" | "客户号" => Column::Client,
                "answered_on" | "date" | "日期" => Column::Day,
                "channel" | "渠道" => Column::Channel,
                id if template.question(id).is_some() => Column::Question(id.to_string()),
                _ => Column::Ignored,
            })
            .collect();
        let mut report = SurveyImport {
            rows: rows.len() as u64,
            added: 0,
            follow_ups: 0,
            rejected: Vec::new(),
            ignored_columns: headers
                .iter()
                .zip(&columns)
                .filter(|(h, c)| matches!(c, Column::Ignored) && !h.is_empty())
                .map(|(h, _)| h.clone())
                .collect(),
        };
        let mut good = Vec::new();
        for (line, values) in rows {
            let mut input = SurveyInput {
                template: template.code.clone(),
                channel: "paper".into(),
                ..Default::default()
            };
            for (value, column) in values.iter().zip(&columns) {
                match column {
                    Column::Client => input.client = value.clone(),
                    Column::Day => input.answered_on = value.clone(),
                    Column::Channel if !value.is_empty() => input.channel = value.clone(),
                    Column::Question(id) if !value.is_empty() => {
                        input.answers.insert(id.clone(), value.clone());
                    }
                    _ => {}
                }
            }
            match self.check_response(&input) {
                Ok(checked) => good.push(checked),
                Err(error) => report.rejected.push(RejectedLine {
                    line,
                    problem: describe(&error),
                }),
            }
        }
        report.added = good.len() as u64;
        report.follow_ups = good
            .iter()
            .filter(|c| c.follow_up.is_some() && c.client.is_some())
            .count() as u64;
        if dry_run || good.is_empty() {
            return Ok(report);
        }
        self.write_batch(
            &good,
            json!({ "template": template.code, "file": path.display().to_string(), "rows": good.len() }),
        )?;
        Ok(report)
    }
}

/// Writes a response row and its follow-up key; returns the follow-up's reminder id.
fn write_response(w: &mut Writer, id: &str, me: &str, checked: &Checked) -> Result<Option<String>> {
    let answers = serde_json::to_string(&checked.answers).map_err(Error::internal)?;
    let follow_up = checked
        .follow_up
        .map(|f| serde_json::to_string(&f))
        .transpose()
        .map_err(Error::internal)?;
    w.insert(
        Table::SurveyResponse,
        id,
        vec![
            ("template_code", Value::Text(checked.template.code.clone())),
            (
                "template_version",
                Value::Integer(i64::from(checked.template.version)),
            ),
            (
                "client_id",
                checked
                    .client
                    .as_ref()
                    .map_or(Value::Null, |(_, id, _, _)| Value::Text(id.clone())),
            ),
            ("channel", Value::Text(checked.channel.clone())),
            ("staff_id", Value::Text(me.to_string())),
            ("answered_on", Value::Text(checked.answered_on.to_string())),
            ("answers", Value::Text(answers)),
            ("follow_up", follow_up.map_or(Value::Null, Value::Text)),
            (
                "supersedes",
                checked.supersedes.clone().map_or(Value::Null, Value::Text),
            ),
            ("created_at", Value::Text(w.now_text())),
        ],
    )?;
    // A correction replaces the follow-up of the response it corrects.
    if let Some(old) = &checked.supersedes {
        w.maintain_index("DELETE FROM care_key WHERE ref = ?1", params![old])?;
    }
    let (Some(_), Some((seq, _, rm, name))) = (checked.follow_up, &checked.client) else {
        return Ok(None);
    };
    w.maintain_index(
        "INSERT OR REPLACE INTO care_key (kind, key, since, client_seq, ref, rm, name)
         VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6)",
        params![
            KeyKind::SurveyFollowUp as i64,
            care::date_key(checked.answered_on),
            seq,
            id,
            rm.clone().unwrap_or_default(),
            name
        ],
    )?;
    Ok(Some(
        care::ReminderId {
            reason: "survey".into(),
            subject: id.to_string(),
            on: checked.answered_on,
        }
        .to_string(),
    ))
}
