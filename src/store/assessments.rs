//! Risk assessments (风险测评): the level a client's questionnaire gave, recorded as how it
//! was filled and who keyed it, within the limits on how often a client may be assessed,
//! and confirmed by the client when it differs from the one before. They bound what may be
//! offered (see `domain::portfolio::suitability`).

use crate::domain::client::StoredClient;
use crate::domain::portfolio::Month;
use crate::domain::portfolio::suitability::{Assessment, needs_confirmation};
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::standing;
use crate::store::standing::ClientInputs;
use crate::store::write::{AuditEvent, Table, Writer};
use crate::sync::reference::PortfolioRules;
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// How a questionnaire was filled: by the client on the counter pad, or read out to the
/// client and their answers keyed. Staff never answer for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filled {
    ClientPad,
    ReadOut,
}

impl Filled {
    pub fn parse(text: &str) -> Option<Filled> {
        match text.trim().to_lowercase().replace('-', "_").as_str() {
            "client_pad" | "pad" | "客户自填" => Some(Filled::ClientPad),
            "read_out" | "读题代录" => Some(Filled::ReadOut),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Filled::ClientPad => "client_pad",
            Filled::ReadOut => "read_out",
        }
    }
}

/// An assessment as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRecord {
    pub level: u8,
    pub assessed_on: NaiveDate,
    /// The last day it holds.
    pub valid_until: NaiveDate,
    pub filled: Filled,
    pub keyed_by: String,
    pub confirmed: bool,
}

impl Session {
    /// Records a client's assessment: level C1–C5 on `on` (today when none), filled as
    /// said; `confirmed` when the client confirmed a level that differs from the one before.
    pub fn add_assessment(
        &mut self,
        key: &str,
        level: u8,
        on: Option<NaiveDate>,
        filled: Filled,
        confirmed: bool,
    ) -> Result<AssessmentRecord> {
        self.require(Permission::EditClients)?;
        let (seq, stored) = self.find_client(key)?;
        self.check_business(&stored)?;
        let plan = self.plan_assessment(seq, &stored, level, on, filled, confirmed)?;
        let event = AuditEvent::new("client.assessment", "client", stored.id.clone()).with_detail(
            serde_json::json!({ "level": plan.record.level, "filled": filled.code() }),
        );
        self.write(event, |w| plan.write(w))?;
        Ok(plan.record)
    }

    /// Checks an assessment against the rules in force — the level, the day, at most so
    /// many a day and a year, a changed result confirmed — and prepares its row and the
    /// client's standing after it.
    pub(crate) fn plan_assessment(
        &self,
        seq: i64,
        stored: &StoredClient,
        level: u8,
        on: Option<NaiveDate>,
        filled: Filled,
        confirmed: bool,
    ) -> Result<AssessmentPlan> {
        if !(1..=5).contains(&level) {
            return Err(Error::AssessmentLevel { level });
        }
        let today = self.today();
        let on = on.unwrap_or(today);
        if on > today {
            return Err(Error::NotADay {
                text: on.to_string(),
            });
        }
        let portfolio_rules = self.portfolio_rules()?;
        let rules = portfolio_rules.suitability;
        let earlier: Vec<NaiveDate> = self
            .conn
            .prepare_cached("SELECT assessed_on FROM assessment WHERE client_id = ?1")?
            .query_map([&stored.id], |r| r.get::<_, String>(0))?
            .filter_map(|d| {
                d.ok()
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            })
            .collect();
        rules
            .may_assess(&earlier, on)
            .map_err(|limit| Error::AssessmentLimit { limit })?;
        let previous = self.latest_assessment(&stored.id)?;
        if needs_confirmation(previous.as_ref(), level) && !confirmed {
            return Err(Error::AssessmentUnconfirmed {
                previous: previous.map_or(0, |p| p.level),
                level,
            });
        }
        // The standing's offers and validity follow the new result (a back-dated one
        // counts only if it is the latest).
        let mut inputs = self.client_inputs(seq, stored)?;
        if inputs.assessment.is_none_or(|a| a.on <= on) {
            inputs.assessment = Some(Assessment { level, on });
        }
        let now = self.standing_now()?;
        Ok(AssessmentPlan {
            id: uuid::Uuid::now_v7().to_string(),
            seq,
            client_id: stored.id.clone(),
            record: AssessmentRecord {
                level,
                assessed_on: on,
                valid_until: rules.expires_on(on).pred_opt().unwrap_or(on),
                filled,
                keyed_by: self.me.id.to_string(),
                confirmed,
            },
            rules: portfolio_rules,
            inputs,
            now,
            today,
        })
    }

    /// A client's latest assessment, if any.
    pub(crate) fn latest_assessment(&self, client_id: &str) -> Result<Option<Assessment>> {
        let found: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT level, assessed_on FROM assessment WHERE client_id = ?1
                 ORDER BY assessed_on DESC, created_at DESC LIMIT 1",
            )?
            .query_row(params![client_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match found {
            Some((level, on)) => Some(Assessment {
                level: u8::try_from(level).map_err(|_| Error::DatabaseDamaged)?,
                on: NaiveDate::parse_from_str(&on, "%Y-%m-%d")
                    .map_err(|_| Error::DatabaseDamaged)?,
            }),
            None => None,
        })
    }
}

/// An assessment checked and ready to write, with the client's standing after it.
pub(crate) struct AssessmentPlan {
    id: String,
    seq: i64,
    client_id: String,
    pub(crate) record: AssessmentRecord,
    rules: std::sync::Arc<PortfolioRules>,
    inputs: ClientInputs,
    now: Month,
    today: NaiveDate,
}

impl AssessmentPlan {
    /// The assessment's row, and the standing refreshed, in the caller's write.
    pub(crate) fn write(&self, w: &mut Writer) -> Result<()> {
        let r = &self.record;
        w.insert(
            Table::Assessment,
            &self.id,
            vec![
                ("client_id", Value::Text(self.client_id.clone())),
                ("level", Value::Integer(i64::from(r.level))),
                ("assessed_on", Value::Text(r.assessed_on.to_string())),
                ("filled", Value::Text(r.filled.code().into())),
                ("keyed_by", Value::Text(r.keyed_by.clone())),
                ("confirmed", Value::Integer(i64::from(r.confirmed))),
                ("created_at", Value::Text(w.now_text())),
            ],
        )?;
        standing::refresh_client(w, self.seq, &self.rules, &self.inputs, self.now, self.today)
    }
}
