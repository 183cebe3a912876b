//! Branch events in the store (客户沙龙、理财讲座、客户答谢会): an event and its invitations
//! go through the one write path (audited, sent to HQ); the audience is read from the
//! book (clients who agreed to marketing, with their tier, RM, age and holdings); a reply
//! or an attendance is written with a contact-log entry in the same transaction; an
//! attendance earns the event's points rule. `domain::events` decides.

use crate::domain::events::{
    Audience, Candidate, EventFields, EventInput, EventKind, EventProblem, EventRefusal, Known,
    Reply, check_attendance, check_reply,
};
use crate::domain::loyalty::Refusal;
use crate::domain::mask;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::loyalty::PointsEntry;
use crate::store::write::{AuditEvent, Table};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// An event's figures: invitations and their replies, attendance, and the NPS of the
/// attendees who answered the follow-up survey.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventFigures {
    pub invited: u64,
    pub accepted: u64,
    pub declined: u64,
    pub no_answer: u64,
    pub attended: u64,
    /// Attendees who answered the follow-up survey with a score.
    pub surveyed: u64,
    /// −100 to 100, one decimal; none before anyone answered.
    pub nps: Option<f64>,
}

/// An event as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    pub id: String,
    /// The event's number at this branch (`BJ0101-E0001`): what staff type.
    pub code: String,
    pub title: String,
    pub kind: EventKind,
    pub on: NaiveDate,
    pub place: String,
    pub capacity: u32,
    pub audience: Audience,
    pub points_rule: Option<String>,
    pub survey: Option<String>,
    pub created_by: String,
    pub figures: EventFigures,
}

/// An invitation as the invitation list shows it: the client masked as this staff member
/// sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub client_no: String,
    pub name: String,
    pub rm: Option<String>,
    pub reply: Reply,
    pub attended: bool,
    pub survey_sent: bool,
}

/// An event with its invitation list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventDetail {
    pub event: EventRow,
    pub invitations: Vec<Invitation>,
}

/// What inviting the audience did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Invited {
    /// Clients invited now.
    pub invited: u64,
    /// Clients of the audience invited before.
    pub already: u64,
}

/// An attendance recorded, and the points it earned (or why it earned none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attended {
    pub invitation: Invitation,
    pub points: Option<PointsEntry>,
    pub points_refused: Option<Refusal>,
}

fn refused(refusal: EventRefusal) -> Error {
    Error::EventRefused { refusal }
}

const EVENT_COLUMNS: &str = "id, code, title, kind, on_date, place, capacity, audience, \
     points_rule, survey, created_by";

/// An event's row, its figures not yet counted.
fn event_of(r: &rusqlite::Row) -> Result<EventRow> {
    let day = |text: String| crate::store::risk::state::day(&text);
    let audience: String = r.get(7)?;
    Ok(EventRow {
        id: r.get(0)?,
        code: r.get(1)?,
        title: r.get(2)?,
        kind: EventKind::parse(&r.get::<_, String>(3)?).ok_or(Error::DatabaseDamaged)?,
        on: day(r.get(4)?)?,
        place: r.get(5)?,
        capacity: r.get(6)?,
        audience: serde_json::from_str(&audience).map_err(|_| Error::DatabaseDamaged)?,
        points_rule: r.get(8)?,
        survey: r.get(9)?,
        created_by: r.get(10)?,
        figures: EventFigures::default(),
    })
}

/// The codes an event's fields are checked against: tiers, product categories, earn rules
/// and survey templates in force.
struct EventCodes {
    tiers: Vec<String>,
    categories: Vec<String>,
    rules: Vec<String>,
    surveys: Vec<String>,
}

impl EventCodes {
    fn known(&self) -> Known<'_> {
        Known {
            tiers: &self.tiers,
            categories: &self.categories,
            rules: &self.rules,
            surveys: &self.surveys,
        }
    }
}

impl Session {
    fn event_codes(&mut self) -> Result<EventCodes> {
        let rules = self.portfolio_rules()?;
        let tiers = rules.tiers.tiers().iter().map(|t| t.code.clone()).collect();
        let mut categories: Vec<String> =
            rules.catalogue.iter().map(|p| p.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let earn = rules.loyalty.rules.iter().map(|r| r.code.clone()).collect();
        let surveys = self
            .survey_templates()?
            .templates
            .into_iter()
            .map(|t| t.code)
            .collect();
        Ok(EventCodes {
            tiers,
            categories,
            rules: earn,
            surveys,
        })
    }

    /// Creates an event, numbered at this branch (`BJ0101-E0001`). Every broken rule of
    /// its fields is named at once.
    pub fn event_new(&mut self, input: &EventInput) -> Result<EventRow> {
        self.require(Permission::RunEvents)?;
        let codes = self.event_codes()?;
        let fields: EventFields = input
            .check(self.today(), &codes.known())
            .map_err(|problems: Vec<EventProblem>| Error::EventInvalid { problems })?;
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM branch_event", [], |r| r.get(0))?;
        let code = format!("{}-E{:04}", self.branch.code, count + 1);
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let audience = serde_json::to_string(&fields.audience).map_err(Error::internal)?;
        let event = AuditEvent::new("event.new", "event", id.clone())
            .with_detail(serde_json::json!({ "code": code, "on": fields.on }));
        self.write(event, |w| {
            let at = w.now_text();
            w.insert(
                Table::BranchEvent,
                &id,
                vec![
                    ("code", Value::Text(code.clone())),
                    ("title", Value::Text(fields.title.clone())),
                    ("kind", Value::Text(fields.kind.code().into())),
                    ("on_date", Value::Text(fields.on.to_string())),
                    ("place", Value::Text(fields.place.clone())),
                    ("capacity", Value::Integer(i64::from(fields.capacity))),
                    ("audience", Value::Text(audience)),
                    (
                        "points_rule",
                        fields.points_rule.clone().map_or(Value::Null, Value::Text),
                    ),
                    (
                        "survey",
                        fields.survey.clone().map_or(Value::Null, Value::Text),
                    ),
                    ("created_by", Value::Text(me)),
                    ("created_at", Value::Text(at)),
                ],
            )
        })?;
        self.event_row(&id)
    }

    /// An event by its number or ID.
    fn event_row(&self, key: &str) -> Result<EventRow> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM branch_event WHERE code = ?1 OR id = ?1");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query([key.trim()])?;
        let mut event = match rows.next()? {
            Some(r) => event_of(r)?,
            None => {
                return Err(Error::NoSuchEvent {
                    key: key.trim().to_string(),
                });
            }
        };
        drop(rows);
        event.figures = self.event_figures(&event)?;
        Ok(event)
    }

    fn event_figures(&self, event: &EventRow) -> Result<EventFigures> {
        let mut figures = EventFigures::default();
        let mut statement = self.conn.prepare_cached(
            "SELECT reply, count(*), sum(attended) FROM event_invitation
             WHERE event_id = ?1 GROUP BY reply",
        )?;
        let mut rows = statement.query([&event.id])?;
        while let Some(r) = rows.next()? {
            let reply: String = r.get(0)?;
            let count = u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
            figures.invited += count;
            figures.attended += u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            match Reply::parse(&reply) {
                Some(Reply::Yes) => figures.accepted += count,
                Some(Reply::No) => figures.declined += count,
                _ => figures.no_answer += count,
            }
        }
        drop(rows);
        if let Some(code) = &event.survey {
            let template = self.latest_template(code)?;
            let mut statement = self.conn.prepare_cached(
                "SELECT r.answers FROM survey_response r
                 JOIN event_invitation i ON i.client_id = r.client_id
                 WHERE i.event_id = ?1 AND i.attended = 1 AND r.template_code = ?2
                   AND r.answered_on >= ?3
                   AND NOT EXISTS (SELECT 1 FROM survey_response s WHERE s.supersedes = r.id)",
            )?;
            let answers = statement
                .query_map(params![event.id, code, event.on.to_string()], |r| {
                    r.get::<_, String>(0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut scores = Vec::new();
            for text in answers {
                let answers = serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?;
                if let (Some(score), _) = crate::domain::survey::latest_scores(&template, &answers)
                {
                    scores.push(score);
                }
            }
            if let Some(nps) = crate::domain::survey::nps_of(scores) {
                figures.surveyed = nps.n;
                figures.nps = Some(nps.nps);
            }
        }
        Ok(figures)
    }

    /// The branch's events, soonest first: those from `from` on.
    pub fn event_list(&mut self, from: Option<NaiveDate>) -> Result<Vec<EventRow>> {
        self.require(Permission::ViewEvents)?;
        let from = from.map(|d| d.to_string()).unwrap_or_default();
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM branch_event WHERE on_date >= ?1 ORDER BY on_date, code"
        );
        let mut events = Vec::new();
        {
            let mut statement = self.conn.prepare(&sql)?;
            let mut rows = statement.query([from])?;
            while let Some(r) = rows.next()? {
                events.push(event_of(r)?);
            }
        }
        for event in &mut events {
            event.figures = self.event_figures(event)?;
        }
        Ok(events)
    }

    /// An event and its invitation list (clients masked as this staff member sees them,
    /// those to answer first). Recorded in the audit trail.
    pub fn event_show(&mut self, key: &str) -> Result<EventDetail> {
        self.require(Permission::ViewEvents)?;
        let event = self.event_row(key)?;
        let mut invitations = Vec::new();
        {
            let mut statement = self.conn.prepare(
                "SELECT c.client_no, c.name, c.assigned_rm, i.reply, i.attended, i.survey_sent
                 FROM event_invitation i JOIN client c ON c.id = i.client_id
                 WHERE i.event_id = ?1
                 ORDER BY i.reply = 'none' DESC, i.reply = 'yes' DESC, c.client_no",
            )?;
            let mut rows = statement.query([&event.id])?;
            while let Some(r) = rows.next()? {
                let rm: Option<String> = r.get(2)?;
                let visibility = mask::visibility(self.me.role, self.me.id.as_str(), rm.as_deref());
                let name: String = r.get(1)?;
                invitations.push(Invitation {
                    client_no: r.get(0)?,
                    name: mask::name_as(&name, visibility),
                    rm,
                    reply: Reply::parse(&r.get::<_, String>(3)?).ok_or(Error::DatabaseDamaged)?,
                    attended: r.get(4)?,
                    survey_sent: r.get(5)?,
                });
            }
        }
        self.audit_only(AuditEvent::new("event.show", "event", event.id.clone()))?;
        Ok(EventDetail { event, invitations })
    }

    /// Invites the event's audience: every client of the book who agreed to marketing, is
    /// not closed, and fits the event's segment, and was not invited before; each
    /// invitation goes on the client's RM's agenda until it is answered.
    pub fn event_invite(&mut self, key: &str) -> Result<Invited> {
        self.require(Permission::RunEvents)?;
        let event = self.event_row(key)?;
        if event.on < self.today() {
            return Err(refused(EventRefusal::Over { on: event.on }));
        }
        let invited_before: HashSet<String> = self
            .conn
            .prepare("SELECT client_id FROM event_invitation WHERE event_id = ?1")?
            .query_map([&event.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Product categories held, only when the segment asks for one.
        let mut holds: HashMap<i64, Vec<String>> = HashMap::new();
        if event.audience.holds.is_some() {
            let rules = self.portfolio_rules()?;
            let category: HashMap<&str, &str> = rules
                .catalogue
                .iter()
                .map(|p| (p.code.as_str(), p.category.as_str()))
                .collect();
            let mut statement = self
                .conn
                .prepare("SELECT client_seq, product FROM holding")?;
            let mut rows = statement.query([])?;
            while let Some(r) = rows.next()? {
                let product: String = r.get(1)?;
                if let Some(c) = category.get(product.as_str()) {
                    holds.entry(r.get(0)?).or_default().push(c.to_string());
                }
            }
        }
        let mut audience = Vec::new();
        let mut already = 0u64;
        {
            let mut statement = self.conn.prepare(
                "SELECT c.seq, c.id, c.birth_date, c.assigned_rm, coalesce(s.tier, c.tier)
                 FROM client c LEFT JOIN client_standing s ON s.client_seq = c.seq
                 WHERE c.deleted = 0 AND c.consent_marketing = 1 AND c.home_branch = ?1
                   AND NOT EXISTS (SELECT 1 FROM client_closure x WHERE x.id = c.id)",
            )?;
            let mut rows = statement.query([&self.branch.code])?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let id: String = r.get(1)?;
                let candidate = Candidate {
                    consents: true,
                    tier: r.get(4)?,
                    rm: r.get(3)?,
                    birth_date: r
                        .get::<_, Option<String>>(2)?
                        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    holds: holds.remove(&seq).unwrap_or_default(),
                };
                if !event.audience.admits(&candidate, event.on) {
                    continue;
                }
                if invited_before.contains(&id) {
                    already += 1;
                } else {
                    audience.push((id, candidate.rm));
                }
            }
        }
        if audience.is_empty() {
            return Err(refused(EventRefusal::NoOneToInvite));
        }
        let invited = audience.len() as u64;
        let audit = AuditEvent::new("event.invite", "event", event.id.clone())
            .with_detail(serde_json::json!({ "invited": invited }));
        self.write(audit, |w| {
            let at = w.now_text();
            for (client_id, rm) in &audience {
                w.insert(
                    Table::EventInvitation,
                    &format!("{}:{client_id}", event.id),
                    vec![
                        ("event_id", Value::Text(event.id.clone())),
                        ("client_id", Value::Text(client_id.clone())),
                        ("rm", rm.clone().map_or(Value::Null, Value::Text)),
                        ("on_date", Value::Text(event.on.to_string())),
                        ("reply", Value::Text("none".into())),
                        ("attended", Value::Integer(0)),
                        ("survey_sent", Value::Integer(0)),
                        ("created_at", Value::Text(at.clone())),
                    ],
                )?;
            }
            Ok(())
        })?;
        Ok(Invited { invited, already })
    }

    /// The invitation of a client to an event: its row ID and the client's ID.
    fn invitation_of(&mut self, event: &EventRow, client: &str) -> Result<(String, String)> {
        let (_, stored) = self.find_client(client)?;
        let row = format!("{}:{}", event.id, stored.id);
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM event_invitation WHERE id = ?1",
                [&row],
                |r| r.get(0),
            )
            .optional()?;
        match found {
            Some(row) => Ok((row, stored.id)),
            None => Err(refused(EventRefusal::NotInvited)),
        }
    }

    /// An invitation (its row, as [`Session::invitation_of`] found it), as the invitation
    /// list shows it.
    fn invitation_shown(&self, row: &str) -> Result<Invitation> {
        let (client_no, name, rm, reply, attended, survey_sent): (
            String,
            String,
            Option<String>,
            String,
            bool,
            bool,
        ) = self.conn.query_row(
            "SELECT c.client_no, c.name, c.assigned_rm, i.reply, i.attended, i.survey_sent
             FROM event_invitation i JOIN client c ON c.id = i.client_id WHERE i.id = ?1",
            [&row],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
        let visibility = mask::visibility(self.me.role, self.me.id.as_str(), rm.as_deref());
        Ok(Invitation {
            client_no,
            name: mask::name_as(&name, visibility),
            rm,
            reply: Reply::parse(&reply).ok_or(Error::DatabaseDamaged)?,
            attended,
            survey_sent,
        })
    }

    /// Records a client's reply (by `channel`), with a contact-log entry. A yes needs a
    /// place; no reply after the event.
    pub fn event_reply(
        &mut self,
        key: &str,
        client: &str,
        reply: Reply,
        channel: &str,
    ) -> Result<Invitation> {
        self.require(Permission::AnswerEvents)?;
        crate::domain::contact::check_note(channel, "-").map_err(Error::ContactRefused)?;
        let event = self.event_row(key)?;
        let (row, client_id) = self.invitation_of(&event, client)?;
        let yes_before: i64 = self.conn.query_row(
            "SELECT count(*) FROM event_invitation
             WHERE event_id = ?1 AND reply = 'yes' AND id <> ?2",
            params![event.id, row],
            |r| r.get(0),
        )?;
        check_reply(
            reply,
            event.on,
            self.today(),
            u32::try_from(yes_before).unwrap_or(u32::MAX),
            event.capacity,
        )
        .map_err(refused)?;
        let me = self.me.id.to_string();
        let note = format!("{} {} → {}", event.code, event.title, reply.code());
        let audit = AuditEvent::new("event.reply", "event", event.id.clone())
            .with_detail(serde_json::json!({ "reply": reply.code() }));
        self.write(audit, |w| {
            let at = w.now_text();
            w.update(
                Table::EventInvitation,
                &row,
                vec![
                    ("reply", Value::Text(reply.code().into())),
                    ("replied_at", Value::Text(at)),
                ],
            )?;
            crate::store::clients::log_contact(w, &client_id, &me, channel, "event", &note)
        })?;
        self.invitation_shown(&row)
    }

    /// Records that a client came (on the day or after), and credits the event's points
    /// rule if it has one (a cap reached leaves the attendance standing, with the
    /// refusal). Recorded again, it credits what was not credited before, never twice.
    pub fn event_attend(&mut self, key: &str, client: &str) -> Result<Attended> {
        self.require(Permission::AnswerEvents)?;
        let event = self.event_row(key)?;
        check_attendance(event.on, self.today()).map_err(refused)?;
        let (row, client_id) = self.invitation_of(&event, client)?;
        let (attended, credited): (bool, Option<String>) = self.conn.query_row(
            "SELECT attended, points_entry FROM event_invitation WHERE id = ?1",
            [&row],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !attended {
            let me = self.me.id.to_string();
            let note = format!("{} {}", event.code, event.title);
            let audit = AuditEvent::new("event.attend", "event", event.id.clone());
            self.write(audit, |w| {
                let at = w.now_text();
                w.update(
                    Table::EventInvitation,
                    &row,
                    vec![
                        ("attended", Value::Integer(1)),
                        ("attended_at", Value::Text(at)),
                    ],
                )?;
                crate::store::clients::log_contact(w, &client_id, &me, "visit", "event", &note)
            })?;
        }
        let (mut points, mut points_refused) = (None, None);
        if let (Some(rule), None) = (&event.points_rule, credited) {
            match self.points_earn(&client_id, rule, &event.code) {
                Ok(entry) => {
                    let audit = AuditEvent::new("event.points", "event", event.id.clone());
                    let entry_id = entry.id.clone();
                    self.write(audit, |w| {
                        w.update(
                            Table::EventInvitation,
                            &row,
                            vec![("points_entry", Value::Text(entry_id.clone()))],
                        )
                    })?;
                    points = Some(entry);
                }
                Err(Error::PointsRefused { refusal }) => points_refused = Some(refusal),
                Err(other) => return Err(other),
            }
        }
        Ok(Attended {
            invitation: self.invitation_shown(&row)?,
            points,
            points_refused,
        })
    }

    /// Sends the follow-up survey to those who came: each goes on their RM's agenda until
    /// the survey is answered. After the event only; returns how many it went to now.
    pub fn event_survey(&mut self, key: &str) -> Result<u64> {
        self.require(Permission::RunEvents)?;
        let event = self.event_row(key)?;
        if event.survey.is_none() || self.today() < event.on {
            return Err(refused(EventRefusal::NoSurvey));
        }
        let rows: Vec<String> = self
            .conn
            .prepare(
                "SELECT id FROM event_invitation
                 WHERE event_id = ?1 AND attended = 1 AND survey_sent = 0",
            )?
            .query_map([&event.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if rows.is_empty() {
            return Ok(0);
        }
        let audit = AuditEvent::new("event.survey", "event", event.id.clone())
            .with_detail(serde_json::json!({ "attendees": rows.len() }));
        self.write(audit, |w| {
            for row in &rows {
                w.update(
                    Table::EventInvitation,
                    row,
                    vec![("survey_sent", Value::Integer(1))],
                )?;
            }
            Ok(())
        })?;
        Ok(rows.len() as u64)
    }
}
