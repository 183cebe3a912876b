//! HQ's view of branch events (`hq report events`): each event every branch held, with its
//! invitations, replies and attendance and the NPS of the attendees who answered its
//! follow-up survey — from the consolidated rows (each once, whatever order the bundles
//! came in). An event's title is the branch's own wording; no client is named.

use crate::domain::events::EventKind;
use crate::domain::staff::Permission;
use crate::domain::survey::{Template, latest_scores, nps_of};
use crate::error::Result;
use crate::store::Session;
use crate::sync::keys::Party;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One event as HQ consolidated it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HqEvent {
    pub branch: String,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub on: String,
    pub capacity: i64,
    pub invited: u64,
    pub accepted: u64,
    pub declined: u64,
    pub attended: u64,
    pub surveyed: u64,
    pub nps: Option<f64>,
}

fn text(fields: &serde_json::Value, name: &str) -> String {
    fields[name].as_str().unwrap_or_default().to_string()
}

impl Session {
    /// Every branch's events, by branch and day, with their figures.
    pub fn hq_events_report(&self) -> Result<Vec<HqEvent>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let mut events: Vec<(String, HqEvent, Option<String>)> = self
            .consolidated("branch_event")?
            .into_iter()
            .map(|row| {
                let (id, branch, f) = (row.id, row.branch, row.fields);
                let survey = f["survey"].as_str().map(str::to_string);
                let kind = EventKind::parse(&text(&f, "kind"))
                    .map_or_else(|| text(&f, "kind"), |k| k.code().to_string());
                (
                    id,
                    HqEvent {
                        branch,
                        code: text(&f, "code"),
                        title: text(&f, "title"),
                        kind,
                        on: text(&f, "on_date"),
                        capacity: f["capacity"].as_i64().unwrap_or(0),
                        invited: 0,
                        accepted: 0,
                        declined: 0,
                        attended: 0,
                        surveyed: 0,
                        nps: None,
                    },
                    survey,
                )
            })
            .collect();
        // Who came to which event.
        let mut attendees: HashMap<String, HashSet<String>> = HashMap::new();
        let index: HashMap<String, usize> = events
            .iter()
            .enumerate()
            .map(|(i, (id, ..))| (id.clone(), i))
            .collect();
        for row in self.consolidated("event_invitation")? {
            let f = row.fields;
            let event = text(&f, "event_id");
            let Some(&i) = index.get(&event) else {
                continue;
            };
            let line = &mut events[i].1;
            line.invited += 1;
            match f["reply"].as_str() {
                Some("yes") => line.accepted += 1,
                Some("no") => line.declined += 1,
                _ => {}
            }
            if f["attended"].as_i64() == Some(1) {
                line.attended += 1;
                attendees
                    .entry(event)
                    .or_default()
                    .insert(text(&f, "client_id"));
            }
        }
        // The follow-up surveys: each response's score by its own template version.
        let templates: HashMap<(String, i64), Template> = self
            .consolidated("survey_template")?
            .into_iter()
            .filter_map(|row| {
                let f = row.fields;
                // The template as the branch stored it (its parsed form, as JSON).
                let template: Template = serde_json::from_str(f["body"].as_str()?).ok()?;
                Some(((text(&f, "code"), f["version"].as_i64()?), template))
            })
            .collect();
        let responses = self.consolidated("survey_response")?;
        let superseded: HashSet<String> = responses
            .iter()
            .filter_map(|row| row.fields["supersedes"].as_str().map(str::to_string))
            .collect();
        for (id, line, survey) in &mut events {
            let (Some(survey), Some(came)) = (survey.as_deref(), attendees.get(id.as_str())) else {
                continue;
            };
            let mut scores = Vec::new();
            for row in &responses {
                let f = &row.fields;
                if superseded.contains(&row.id)
                    || f["template_code"].as_str() != Some(survey)
                    || !came.contains(&text(f, "client_id"))
                    || text(f, "answered_on") < line.on
                {
                    continue;
                }
                let key = (
                    survey.to_string(),
                    f["template_version"].as_i64().unwrap_or(0),
                );
                let (Some(template), Ok(answers)) = (
                    templates.get(&key),
                    serde_json::from_str(f["answers"].as_str().unwrap_or("{}")),
                ) else {
                    continue;
                };
                if let (Some(score), _) = latest_scores(template, &answers) {
                    scores.push(score);
                }
            }
            if let Some(nps) = nps_of(scores) {
                line.surveyed = nps.n;
                line.nps = Some(nps.nps);
            }
        }
        let mut report: Vec<HqEvent> = events.into_iter().map(|(_, line, _)| line).collect();
        report.sort_by(|a, b| (&a.branch, &a.on, &a.code).cmp(&(&b.branch, &b.on, &b.code)));
        Ok(report)
    }
}
