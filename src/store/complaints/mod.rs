//! Complaints in the store: intake, the append-only event history, the derived board, the
//! slip. Every step is checked by the domain rules before anything is written.

mod read;

use crate::domain::calendar::WorkCalendar;
use crate::domain::complaint::{
    Case, Category, Channel, ComplaintRule, Event, IntakeInput, Severity, State, Step, apply,
    check_note, replay, validate_intake,
};
use crate::domain::mask::{self, Visibility};
use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::{AuditEvent, Table, Writer};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use std::sync::{Arc, OnceLock};

/// The shipped holiday calendar.
pub fn shipped_calendar() -> &'static WorkCalendar {
    static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
    // The file is compiled in and parsed by a test; a broken one leaves weekends only.
    CALENDAR.get_or_init(|| WorkCalendar::parse(crate::assets::HOLIDAYS).unwrap_or_default())
}

/// The holiday calendar in force: HQ's reference data once applied, else the shipped one.
pub(crate) fn load_calendar(conn: &rusqlite::Connection) -> Result<Arc<WorkCalendar>> {
    let reference: Option<String> = conn
        .query_row(
            "SELECT value FROM sync_local WHERE key = 'ref_holidays'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Arc::new(
        reference
            .and_then(|text| WorkCalendar::parse(&text).ok())
            .unwrap_or_else(|| shipped_calendar().clone()),
    ))
}

/// A case in a list or on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintRow {
    pub receipt_no: String,
    pub client_no: Option<String>,
    /// Masked unless the staff member may see the complainant in full.
    pub complainant: String,
    pub category: Category,
    pub severity: Severity,
    pub state: State,
    pub received_on: NaiveDate,
    /// None once the clock has stopped.
    pub due_on: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub overdue: bool,
    pub handler: Option<String>,
    pub extensions: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub on: NaiveDate,
    pub at: String,
    pub by: String,
    #[serde(flatten)]
    pub step: Step,
    pub note: Option<String>,
}

/// One case in full: intake, state and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintDetail {
    #[serde(flatten)]
    pub row: ComplaintRow,
    pub channel: Channel,
    pub complainant_phone: Option<String>,
    pub request: String,
    pub description: String,
    pub subject_staff: Option<String>,
    pub limit_days: i64,
    pub visibility: Visibility,
    pub history: Vec<HistoryEntry>,
}

/// The board: cases by urgency, counts by state, ages of open cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    pub rows: Vec<ComplaintRow>,
    pub by_state: Vec<(State, u64)>,
    /// Open cases by days since the clock started: 0–3, 4–7, 8–15, 16–30, over 30.
    pub ageing: [u64; 5],
    pub overdue: u64,
    /// A year the deadlines reach that has no holiday notice yet.
    pub calendar_missing: Option<i32>,
}

/// What the acknowledgement slip needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slip {
    pub receipt_no: String,
    pub received_on: NaiveDate,
    pub category: Category,
    pub channel: Channel,
    /// The complainant's own name, in full (the slip is theirs).
    pub complainant_name: String,
    pub complainant_phone: Option<String>,
    pub request: String,
    pub due_on: Option<NaiveDate>,
    pub branch_code: String,
    pub branch_name: String,
    pub branch_contact: Option<String>,
    pub printed_on: NaiveDate,
    pub printed_by: String,
    /// The case's state when printed (a slip reprinted later says where the case stands).
    pub state: State,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub receipt_no: String,
    pub due_on: NaiveDate,
}

struct Stored {
    id: String,
    receipt_no: String,
    client_no: Option<String>,
    assigned_rm: Option<String>,
    complainant_name: String,
    complainant_phone: Option<String>,
    channel: Channel,
    category: Category,
    severity: Severity,
    request: String,
    description: String,
    subject_staff: Option<String>,
    received_on: NaiveDate,
}

const SELECT_COMPLAINT: &str = "SELECT c.id, c.receipt_no, cl.client_no, cl.assigned_rm,
    c.complainant_name, c.complainant_phone, c.channel, c.category, c.severity, c.request,
    c.description, c.subject_staff, c.received_on
    FROM complaint c LEFT JOIN client cl ON cl.id = c.client_id";

fn stored_from_row(r: &rusqlite::Row) -> Result<Stored> {
    let damaged = || Error::DatabaseDamaged;
    let text = |i: usize| -> Result<String> { Ok(r.get::<_, String>(i)?) };
    Ok(Stored {
        id: text(0)?,
        receipt_no: text(1)?,
        client_no: r.get(2)?,
        assigned_rm: r.get(3)?,
        complainant_name: text(4)?,
        complainant_phone: r.get(5)?,
        channel: Channel::parse(&text(6)?).ok_or_else(damaged)?,
        category: Category::parse(&text(7)?).ok_or_else(damaged)?,
        severity: Severity::parse(&text(8)?).ok_or_else(damaged)?,
        request: text(9)?,
        description: text(10)?,
        subject_staff: r.get(11)?,
        received_on: text(12)?.parse().map_err(|_| damaged())?,
    })
}

/// Writes the case's replayed state for the board.
fn write_case(w: &mut Writer, complaint_id: &str, case: &Case) -> Result<()> {
    w.maintain_index(
        "INSERT OR REPLACE INTO complaint_case (complaint_id, state, clock_from, limit_days,
         paused_days, paused_since, handler, stopped_on, extensions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            complaint_id,
            case.state.code(),
            case.clock_from.to_string(),
            case.limit_days,
            case.paused_days,
            case.paused_since.map(|d| d.to_string()),
            case.handler,
            case.stopped_on.map(|d| d.to_string()),
            case.extensions
        ],
    )
}

fn append_event(w: &mut Writer, complaint_id: &str, event: &Event) -> Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let data = serde_json::to_string(&event.step).map_err(Error::internal)?;
    let at = w.now_text();
    w.insert(
        Table::ComplaintEvent,
        &id,
        vec![
            ("complaint_id", Value::Text(complaint_id.to_string())),
            ("on_date", Value::Text(event.on.to_string())),
            ("at", Value::Text(at)),
            ("by_staff", Value::Text(event.by.clone())),
            ("step", Value::Text(event.step.code().into())),
            ("data", Value::Text(data)),
            ("note", event.note.clone().map_or(Value::Null, Value::Text)),
        ],
    )
}

impl Session {
    fn staff_role(&self, id: &str) -> Result<Option<Role>> {
        let role: Option<String> = self
            .conn
            .query_row(
                "SELECT role FROM staff WHERE id = ?1 AND status = 'active'",
                [id.trim().to_ascii_lowercase()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(role.and_then(|r| r.parse().ok()))
    }

    /// Any staff record, active or not (a complaint may be about someone who has left).
    fn staff_exists(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM staff WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn find_complaint(&self, key: &str) -> Result<Stored> {
        // Receipt numbers are upper case; IDs are lowercase UUIDs.
        let sql = format!("{SELECT_COMPLAINT} WHERE c.receipt_no = ?1 OR c.id = ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let key = key.trim();
        let mut rows = stmt.query(params![key.to_ascii_uppercase(), key.to_ascii_lowercase()])?;
        match rows.next()? {
            Some(row) => stored_from_row(row),
            None => Err(Error::ComplaintNotFound {
                key: key.to_string(),
            }),
        }
    }

    fn history(&self, complaint_id: &str) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT on_date, at, by_staff, data, note FROM complaint_event
             WHERE complaint_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt
            .query_map([complaint_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(on, at, by, data, note)| {
                Ok(HistoryEntry {
                    on: on.parse().map_err(|_| Error::DatabaseDamaged)?,
                    at,
                    by,
                    step: serde_json::from_str(&data).map_err(|_| Error::DatabaseDamaged)?,
                    note,
                })
            })
            .collect()
    }

    fn events_of(history: &[HistoryEntry]) -> Vec<Event> {
        history
            .iter()
            .map(|h| Event {
                on: h.on,
                by: h.by.clone(),
                step: h.step.clone(),
                note: h.note.clone(),
            })
            .collect()
    }

    fn complaint_visibility(&self, stored: &Stored) -> Visibility {
        self.visibility_of(stored.assigned_rm.as_deref())
    }

    fn row_for(&self, stored: &Stored, case: &Case) -> ComplaintRow {
        let today = self.today();
        let calendar = std::sync::Arc::clone(&self.calendar);
        let calendar = &*calendar;
        let visibility = self.complaint_visibility(stored);
        let running = case.stopped_on.is_none() && case.state.open();
        ComplaintRow {
            receipt_no: stored.receipt_no.clone(),
            client_no: stored.client_no.clone(),
            complainant: mask::name_as(&stored.complainant_name, visibility),
            category: stored.category,
            severity: stored.severity,
            state: case.state,
            received_on: stored.received_on,
            due_on: running.then(|| case.due(calendar, today)),
            days_left: case.days_left(calendar, today),
            overdue: case.overdue(calendar, today),
            handler: case.handler.clone(),
            extensions: case.extensions,
        }
    }

    /// Registers a complaint from a client's record or a walk-in. The receipt number is
    /// `<branch>-<yyyymmdd>-<nnn>` by date of receipt.
    pub fn register_complaint(&mut self, input: &IntakeInput) -> Result<Registered> {
        self.require(Permission::RegisterComplaint)?;
        let today = self.today();
        let intake = validate_intake(input, today, self.options.earliest_receipt)
            .map_err(|errors| Error::ComplaintIntake { errors })?;
        let (client_id, client_seq, client_name) = match &intake.client {
            Some(key) => {
                let (seq, client) = self.find_client(key)?;
                (Some(client.id), Some(seq), client.record.name)
            }
            None => (None, None, String::new()),
        };
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let name = if intake.complainant_name.is_empty() {
            client_name
        } else {
            intake.complainant_name.clone()
        };
        if let Some(subject) = &intake.subject_staff
            && !self.staff_exists(subject)?
        {
            return Err(Error::StaffNotFound {
                id: subject.clone(),
            });
        }
        let prefix = format!(
            "{}-{}-",
            self.branch.code,
            intake.received_on.format("%Y%m%d")
        );
        // The day's highest serial here, and past what a store this one replaced in a
        // restore had given out for the day.
        let last: i64 = self.conn.query_row(
            "SELECT coalesce(max(CAST(substr(receipt_no, ?3) AS INTEGER)), 0) FROM complaint
             WHERE receipt_no > ?1 AND receipt_no < ?2",
            params![
                prefix,
                format!("{prefix}\u{10FFFF}"),
                i64::try_from(prefix.chars().count() + 1).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        let floor = crate::store::reached::receipt_floor(&self.conn, intake.received_on)?;
        let receipt_no = format!("{prefix}{:03}", last.max(floor) + 1);
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let first = Event {
            on: intake.received_on,
            by: me.clone(),
            step: Step::Registered,
            note: None,
        };
        let case = replay(std::slice::from_ref(&first)).map_err(Error::ComplaintRefused)?;
        let event = AuditEvent::new("complaint.register", "complaint", id.clone())
            .with_detail(json!({ "receipt_no": receipt_no, "category": intake.category.code() }));
        self.write(event, |w| {
            let now = w.now_text();
            w.insert(
                Table::Complaint,
                &id,
                vec![
                    ("receipt_no", Value::Text(receipt_no.clone())),
                    (
                        "client_id",
                        client_id.clone().map_or(Value::Null, Value::Text),
                    ),
                    ("complainant_name", Value::Text(name.clone())),
                    (
                        "complainant_phone",
                        intake
                            .complainant_phone
                            .clone()
                            .map_or(Value::Null, Value::Text),
                    ),
                    ("channel", Value::Text(intake.channel.code().into())),
                    ("category", Value::Text(intake.category.code().into())),
                    ("severity", Value::Text(intake.severity.code().into())),
                    ("request", Value::Text(intake.request.clone())),
                    ("description", Value::Text(intake.description.clone())),
                    (
                        "subject_staff",
                        intake
                            .subject_staff
                            .clone()
                            .map_or(Value::Null, Value::Text),
                    ),
                    ("received_on", Value::Text(intake.received_on.to_string())),
                    ("created_at", Value::Text(now)),
                    ("created_by", Value::Text(me.clone())),
                ],
            )?;
            append_event(w, &id, &first)?;
            write_case(w, &id, &case)?;
            // A complaint asks for an early review of the client's AML rating.
            if let (Some(seq), Some(client_id)) = (client_seq, &client_id) {
                crate::store::risk::raise_trigger(
                    w,
                    &rules,
                    &calendar,
                    &crate::store::risk::Raised {
                        seq,
                        client_id,
                        trigger: crate::domain::aml::Trigger::Complaint,
                        on: intake.received_on,
                        detail: &receipt_no,
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(Registered {
            receipt_no,
            due_on: case.due(&self.calendar, today),
        })
    }

    /// Takes a case one step further. Only managers accept, extend, decide, close and the
    /// rest; anyone who may register a complaint may add a note.
    pub fn advance_complaint(
        &mut self,
        key: &str,
        step: Step,
        on: Option<NaiveDate>,
        note: Option<String>,
    ) -> Result<ComplaintRow> {
        self.require(if step == Step::Noted {
            Permission::RegisterComplaint
        } else {
            Permission::ManageComplaints
        })?;
        let stored = self.find_complaint(key)?;
        let today = self.today();
        let on = on.unwrap_or(today);
        if on > today {
            return Err(Error::ComplaintRefused(ComplaintRule::DateInFuture));
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if step == Step::Noted && note.is_none() {
            return Err(Error::ComplaintRefused(ComplaintRule::TextEmpty));
        }
        if let Some(note) = &note {
            check_note(note).map_err(|errors| Error::ComplaintIntake { errors })?;
        }
        let about_me = stored
            .subject_staff
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(self.me.id.as_str()));
        if about_me && step != Step::Noted {
            return Err(Error::ComplaintRefused(ComplaintRule::ActorIsSubject));
        }
        self.check_step_people(&stored, &step)?;
        let history = self.history(&stored.id)?;
        let events = Self::events_of(&history);
        let case = replay(&events).map_err(Error::ComplaintRefused)?;
        let last_on = events.last().map_or(stored.received_on, |e| e.on);
        let event = Event {
            on,
            by: self.me.id.to_string(),
            step,
            note,
        };
        let next = apply(&case, &event, last_on, stored.subject_staff.as_deref())
            .map_err(Error::ComplaintRefused)?;
        let audit = AuditEvent::new("complaint.step", "complaint", stored.id.clone()).with_detail(
            json!({ "receipt_no": stored.receipt_no, "step": event.step.code(), "on": on }),
        );
        self.write(audit, |w| {
            append_event(w, &stored.id, &event)?;
            write_case(w, &stored.id, &next)
        })?;
        Ok(self.row_for(&stored, &next))
    }

    /// The people a step names must be the right people.
    fn check_step_people(&self, stored: &Stored, step: &Step) -> Result<()> {
        match step {
            Step::Accepted { handler } => {
                let can_handle = self
                    .staff_role(handler)?
                    .is_some_and(|role| role.can(Permission::RegisterComplaint));
                if !can_handle {
                    return Err(Error::ComplaintRefused(ComplaintRule::HandlerNotStaff));
                }
            }
            Step::Extended { approved_by, .. } => {
                // An empty approver is refused by the case rules with the same sentence.
                let named = !approved_by.trim().is_empty();
                if named && self.staff_role(approved_by)? != Some(Role::Manager) {
                    return Err(Error::ComplaintRefused(
                        ComplaintRule::ExtensionNeedsApproval,
                    ));
                }
            }
            Step::Merged { into } => {
                let target = self
                    .find_complaint(into)
                    .map_err(|_| Error::ComplaintRefused(ComplaintRule::MergeTarget))?;
                let target_case = replay(&Self::events_of(&self.history(&target.id)?))
                    .map_err(Error::ComplaintRefused)?;
                let earlier = target.received_on <= stored.received_on;
                let alive = !matches!(target_case.state, State::Merged | State::Withdrawn);
                if target.id == stored.id || !earlier || !alive {
                    return Err(Error::ComplaintRefused(ComplaintRule::MergeTarget));
                }
            }
            _ => {}
        }
        Ok(())
    }
}
