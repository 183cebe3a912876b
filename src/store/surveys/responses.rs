//! Reading survey responses one by one: each answer in full (comments above all), the client
//! masked as the staff member sees them, newest first, corrected responses as corrected.

use crate::domain::mask;
use crate::domain::staff::Permission;
use crate::domain::survey::{Answer, Answers};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::AuditEvent;
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

/// The most responses one listing returns.
pub const RESPONSES_MOST: u32 = 500;

/// One response as staff read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRow {
    pub id: String,
    pub template: String,
    pub version: i64,
    pub answered_on: NaiveDate,
    pub channel: String,
    pub staff_id: String,
    /// None for an anonymous response.
    pub client_no: Option<String>,
    /// Masked unless the staff member sees this client in full.
    pub client_name: Option<String>,
    pub answers: Answers,
    /// The response this one corrected, if any.
    pub supersedes: Option<String>,
}

impl ResponseRow {
    /// Whether the client wrote something (a text answer that is not empty).
    pub fn has_comment(&self) -> bool {
        self.answers
            .values()
            .any(|a| matches!(a, Answer::Text(text) if !text.trim().is_empty()))
    }
}

impl Session {
    /// The responses to a template from `from` to `to`, newest first, at most `limit`
    /// (a response that was corrected shows as its correction). Reading them is audited.
    pub fn survey_responses(
        &mut self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
    ) -> Result<Vec<ResponseRow>> {
        self.require(Permission::ViewSurveyStats)?;
        let template = self.latest_template(code)?;
        let limit = limit.clamp(1, RESPONSES_MOST);
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.template_version, r.answered_on, r.channel, r.staff_id,
                    c.client_no, c.name, c.assigned_rm, r.answers, r.supersedes
             FROM survey_response r LEFT JOIN client c ON c.id = r.client_id
             WHERE r.template_code = ?1 AND r.answered_on BETWEEN ?2 AND ?3
               AND NOT EXISTS (SELECT 1 FROM survey_response s WHERE s.supersedes = r.id)
             ORDER BY r.answered_on DESC, r.created_at DESC, r.id DESC
             LIMIT ?4",
        )?;
        type Raw = (
            String,
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
        );
        let raw = stmt
            .query_map(
                params![template.code, from.to_string(), to.to_string(), limit],
                |r| -> rusqlite::Result<Raw> {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        let mut rows = Vec::with_capacity(raw.len());
        for (id, version, day, channel, staff_id, client_no, name, rm, answers, supersedes) in raw {
            let client_name =
                name.map(|name| mask::name_as(&name, self.visibility_of(rm.as_deref())));
            rows.push(ResponseRow {
                id,
                template: template.code.clone(),
                version,
                answered_on: day.parse().map_err(|_| Error::DatabaseDamaged)?,
                channel,
                staff_id,
                client_no,
                client_name,
                answers: serde_json::from_str(&answers).map_err(|_| Error::DatabaseDamaged)?,
                supersedes,
            });
        }
        self.audit_only(
            AuditEvent::new("survey.read", "survey_template", template.code.clone()).with_detail(
                json!({ "from": from.to_string(), "to": to.to_string(), "responses": rows.len() }),
            ),
        )?;
        Ok(rows)
    }
}
