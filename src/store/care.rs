//! Care reminders in the store: the keys clients are found by (kept with every client
//! write), life events, the agenda of a window of days, and what staff do about a reminder.

use crate::domain::care::{
    self, Action, Agenda, CareError, CareItem, CareKey, CareScope, EventInput, EventKind, Festival,
    KeyDetail, Reason, ReminderId, Standing, check_snooze, festival_days, probes, reason_for,
    validate_event,
};
use crate::domain::client::{ClientKind, ClientRecord};
use crate::domain::contact::CHANNELS;
use crate::domain::mask::{self, Visibility};
use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::client_no_for;
use crate::store::write::{AuditEvent, Table, Writer};
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The festivals the branch greets for (compiled in; HQ reference data may replace them).
pub fn festivals() -> &'static [Festival] {
    static FESTIVALS: OnceLock<Vec<Festival>> = OnceLock::new();
    // The file is compiled in and parsed by a test; a broken one greets for nothing.
    FESTIVALS.get_or_init(|| care::parse_festivals(crate::assets::FESTIVALS).unwrap_or_default())
}

/// A life event as the client record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientEvent {
    pub id: String,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub yearly: bool,
    pub label: Option<String>,
}

/// What is stored with an action, to rebuild a snoozed reminder on the day it comes back.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Detail {
    client_seq: Option<i64>,
    #[serde(flatten)]
    reason: Reason,
}

/// A client's keys as index rows: (kind, key, since, client_seq, ref, rm, name).
pub(crate) type KeyRow = (i64, i64, i64, i64, String, String, String);

fn key_rows(
    seq: i64,
    record: &ClientRecord,
    registered_on: NaiveDate,
) -> impl Iterator<Item = KeyRow> + '_ {
    care::client_keys(
        record.kind == ClientKind::Company,
        record.birth_date,
        record.birth_calendar,
        record.id_expiry,
        registered_on,
    )
    .into_iter()
    .map(move |k| row_of(k, seq, String::new(), record))
}

fn row_of(k: CareKey, seq: i64, reference: String, record: &ClientRecord) -> KeyRow {
    (
        k.kind as i64,
        k.key,
        i64::from(k.since),
        seq,
        reference,
        record.assigned_rm.clone().unwrap_or_default(),
        record.name.clone(),
    )
}

pub(crate) const INSERT_KEY: &str =
    "INSERT OR REPLACE INTO care_key (kind, key, since, client_seq, ref, rm, name)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Rewrites a client's own keys (not those of their events, whose name and RM follow).
pub(crate) fn write_client_keys(
    w: &mut Writer,
    seq: i64,
    record: &ClientRecord,
    registered_on: NaiveDate,
) -> Result<()> {
    w.maintain_index(
        "DELETE FROM care_key WHERE client_seq = ?1 AND ref = ''",
        params![seq],
    )?;
    w.maintain_index(
        "UPDATE care_key SET rm = ?2, name = ?3 WHERE client_seq = ?1",
        params![
            seq,
            record.assigned_rm.clone().unwrap_or_default(),
            record.name
        ],
    )?;
    let rows: Vec<KeyRow> = key_rows(seq, record, registered_on).collect();
    w.maintain_index_rows(INSERT_KEY, rows.iter().map(as_params))
}

pub(crate) fn as_params(r: &KeyRow) -> (i64, i64, i64, i64, &str, &str, &str) {
    (r.0, r.1, r.2, r.3, r.4.as_str(), r.5.as_str(), r.6.as_str())
}

/// Keys gathered during a bulk load, written sorted at the end.
#[derive(Default)]
pub(crate) struct KeyRows(Vec<KeyRow>);

impl KeyRows {
    pub(crate) fn add(&mut self, seq: i64, record: &ClientRecord, registered_on: NaiveDate) {
        self.0.extend(key_rows(seq, record, registered_on));
    }

    pub(crate) fn write(mut self, w: &mut Writer) -> Result<()> {
        self.0.sort_unstable();
        w.maintain_index_rows(INSERT_KEY, self.0.iter().map(as_params))
    }
}

/// The latest action on a reminder: (action, snoozed until, by).
type LastAction = (Action, Option<NaiveDate>, String);

impl Session {
    fn care_visibility(&self, rm: &str) -> Visibility {
        mask::visibility(
            self.me.role,
            self.me.id.as_str(),
            Some(rm).filter(|r| !r.is_empty()),
        )
    }

    fn shown_name(&self, name: &str, rm: &str) -> String {
        match self.care_visibility(rm) {
            Visibility::Full => name.to_string(),
            Visibility::Masked => mask::name(name),
        }
    }

    /// The scope a request may have: an RM sees their own clients only.
    fn care_scope(&self, asked: Option<CareScope>) -> CareScope {
        CareScope::granted(self.me.role, asked)
    }

    /// The reminders of `from..=to` for the clients in `scope` (an RM always gets their own).
    pub fn care_agenda(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        scope: Option<CareScope>,
    ) -> Result<Agenda> {
        self.require(Permission::ViewCare)?;
        let scope = self.care_scope(scope);
        self.agenda_for(from, to, scope, self.me.id.as_str())
    }

    /// One RM's agenda, as a manager (or auditor) looks at their book.
    pub fn care_agenda_of(&self, rm: &str, from: NaiveDate, to: NaiveDate) -> Result<Agenda> {
        self.require(Permission::ViewCare)?;
        if self.me.role == Role::Rm && rm != self.me.id.as_str() {
            return Err(Error::PermissionDenied {
                permission: Permission::ViewCare,
            });
        }
        self.agenda_for(from, to, CareScope::Mine, rm)
    }

    /// The agenda of the branch, or (`Mine`) of the clients assigned to `rm`.
    fn agenda_for(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        scope: CareScope,
        rm: &str,
    ) -> Result<Agenda> {
        let today = self.today();
        let me = rm.to_string();
        let last_actions = self.last_actions(from, to)?;
        let mut items: Vec<CareItem> = Vec::new();
        let mut details: HashMap<String, Option<KeyDetail>> = HashMap::new();
        let sql = match scope {
            CareScope::Branch => {
                "SELECT key, since, client_seq, ref, rm, name FROM care_key
                 WHERE kind = ?1 AND key = ?2 AND since < ?3"
            }
            CareScope::Mine => {
                "SELECT key, since, client_seq, ref, rm, name FROM care_key
                 WHERE rm = ?4 AND kind = ?1 AND key = ?2 AND since < ?3"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        for probe in probes(from, to) {
            let mut rows = match scope {
                CareScope::Branch => {
                    stmt.query(params![probe.kind as i64, probe.key, probe.before])?
                }
                CareScope::Mine => {
                    stmt.query(params![probe.kind as i64, probe.key, probe.before, me])?
                }
            };
            while let Some(r) = rows.next()? {
                let (key, since, seq): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                let (reference, rm, name): (String, String, String) =
                    (r.get(3)?, r.get(4)?, r.get(5)?);
                let detail = if reference.is_empty() {
                    None
                } else {
                    let found = match details.get(&reference) {
                        Some(found) => found.clone(),
                        None => {
                            let found = self.key_detail(probe.kind, &reference)?;
                            details.insert(reference.clone(), found.clone());
                            found
                        }
                    };
                    // A row deleted since the key was written: nothing to remind of.
                    match found {
                        Some(found) => Some(found),
                        None => continue,
                    }
                };
                let Some(reason) = reason_for(probe.kind, key, since as i32, probe.on, detail)
                else {
                    continue;
                };
                let client_no = client_no_for(&self.branch.code, seq);
                let subject = if reference.is_empty() {
                    client_no.clone()
                } else {
                    reference.clone()
                };
                let id = ReminderId {
                    reason: reason.code().to_string(),
                    subject,
                    on: probe.on,
                };
                let last = last_actions
                    .get(&id.to_string())
                    .map(|(action, until, _)| (*action, *until));
                let Some((on, standing)) = care::shows_on(probe.on, last, from, to) else {
                    continue;
                };
                items.push(CareItem {
                    id: id.to_string(),
                    on,
                    first_on: probe.on,
                    standing,
                    section: care::section(on, today),
                    client_no: Some(client_no),
                    name: Some(self.shown_name(&name, &rm)),
                    rm: Some(rm).filter(|r| !r.is_empty()),
                    reason,
                });
            }
        }
        items.extend(self.snoozed_into(from, to, scope, rm, today, &last_actions, &items)?);
        items.extend(self.festival_items(from, to, scope, rm, today, &last_actions)?);
        items.sort_by(|a, b| {
            (a.on, a.reason.code(), &a.client_no, &a.id).cmp(&(
                b.on,
                b.reason.code(),
                &b.client_no,
                &b.id,
            ))
        });
        Ok(Agenda {
            from,
            to,
            today,
            scope,
            items,
        })
    }

    /// What a key's `ref` points at: a life event, or a survey response's follow-up.
    fn key_detail(&self, kind: care::KeyKind, id: &str) -> Result<Option<KeyDetail>> {
        if kind == care::KeyKind::SurveyFollowUp {
            let found: Option<(String, Option<String>)> = self
                .conn
                .query_row(
                    "SELECT template_code, follow_up FROM survey_response WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            return Ok(found.and_then(|(template, follow_up)| {
                let follow_up: crate::domain::survey::FollowUp =
                    serde_json::from_str(&follow_up?).ok()?;
                Some(KeyDetail::Survey {
                    template,
                    nps: follow_up.nps,
                    rating: follow_up.rating,
                })
            }));
        }
        let found: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT kind, label FROM client_event WHERE id = ?1 AND deleted = 0",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(found
            .and_then(|(kind, label)| EventKind::parse(&kind).map(|k| KeyDetail::Event(k, label))))
    }

    /// The latest action on each reminder that fell in `from..=to`, or was snoozed into
    /// it. Festival reminders are each staff member's own: only my actions count.
    fn last_actions(&self, from: NaiveDate, to: NaiveDate) -> Result<HashMap<String, LastAction>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reminder, action, until, by_staff FROM care_task
             WHERE (first_on BETWEEN ?1 AND ?2)
                OR reminder IN (SELECT reminder FROM care_task
                                WHERE action = 'snoozed' AND until BETWEEN ?1 AND ?2)
             ORDER BY at, id",
        )?;
        let mut rows = stmt.query(params![from.to_string(), to.to_string()])?;
        let mut last = HashMap::new();
        let me = self.me.id.as_str();
        while let Some(r) = rows.next()? {
            let reminder: String = r.get(0)?;
            let by: String = r.get(3)?;
            if reminder.starts_with("festival:") && by != me {
                continue;
            }
            let action = Action::parse(&r.get::<_, String>(1)?).ok_or(Error::DatabaseDamaged)?;
            let until = r.get::<_, Option<String>>(2)?.and_then(|s| s.parse().ok());
            last.insert(reminder, (action, until, by));
        }
        Ok(last)
    }

    /// Reminders that first fell outside the window but were snoozed into it.
    #[allow(clippy::too_many_arguments)]
    fn snoozed_into(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        scope: CareScope,
        owner: &str,
        today: NaiveDate,
        last_actions: &HashMap<String, LastAction>,
        already: &[CareItem],
    ) -> Result<Vec<CareItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reminder, first_on, detail FROM care_task
             WHERE action = 'snoozed' AND until BETWEEN ?1 AND ?2 AND first_on NOT BETWEEN ?1 AND ?2",
        )?;
        let rows = stmt
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = Vec::new();
        for (reminder, first_on, detail) in rows {
            if already.iter().any(|i| i.id == reminder)
                || items.iter().any(|i: &CareItem| i.id == reminder)
            {
                continue;
            }
            let Some((Action::Snoozed, Some(until), _)) = last_actions.get(&reminder) else {
                continue;
            };
            let detail: Detail =
                serde_json::from_str(&detail).map_err(|_| Error::DatabaseDamaged)?;
            let first_on: NaiveDate = first_on.parse().map_err(|_| Error::DatabaseDamaged)?;
            let (client_no, name, rm) = match detail.client_seq {
                Some(seq) => {
                    let card: Option<(String, Option<String>)> = self
                        .conn
                        .query_row(
                            "SELECT name, assigned_rm FROM client_card WHERE seq = ?1",
                            [seq],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    let Some((name, rm)) = card else { continue };
                    let rm = rm.unwrap_or_default();
                    if scope == CareScope::Mine && rm != owner {
                        continue;
                    }
                    (
                        Some(client_no_for(&self.branch.code, seq)),
                        Some(self.shown_name(&name, &rm)),
                        Some(rm).filter(|r| !r.is_empty()),
                    )
                }
                None => (None, None, None),
            };
            items.push(CareItem {
                id: reminder,
                on: *until,
                first_on,
                standing: Standing::Snoozed,
                section: care::section(*until, today),
                client_no,
                name,
                rm,
                reason: detail.reason,
            });
        }
        Ok(items)
    }

    /// One reminder per festival day in the window, with how many clients to greet.
    fn festival_items(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        scope: CareScope,
        owner: &str,
        today: NaiveDate,
        last_actions: &HashMap<String, LastAction>,
    ) -> Result<Vec<CareItem>> {
        let mut items = Vec::new();
        for festival in festivals() {
            for day in festival_days(festival, from, to) {
                let id = ReminderId {
                    reason: "festival".into(),
                    subject: festival.code.clone(),
                    on: day,
                };
                let last = last_actions
                    .get(&id.to_string())
                    .map(|(action, until, _)| (*action, *until));
                let Some((on, standing)) = care::shows_on(day, last, from, to) else {
                    continue;
                };
                // Born in or before this year: old enough.
                let born_by = festival.min_age.map(|age| day.year() - age);
                let clients: i64 = match scope {
                    CareScope::Mine => self.conn.query_row(
                        "SELECT count(*) FROM client_card
                         WHERE assigned_rm = ?1 AND company = 0 AND home_branch IS NULL
                           AND (?2 IS NULL OR birth_year <= ?2)",
                        params![owner, born_by],
                        |r| r.get(0),
                    )?,
                    CareScope::Branch => self.conn.query_row(
                        "SELECT count(*) FROM client_card
                         WHERE company = 0 AND home_branch IS NULL
                           AND (?1 IS NULL OR birth_year <= ?1)",
                        params![born_by],
                        |r| r.get(0),
                    )?,
                };
                items.push(CareItem {
                    id: id.to_string(),
                    on,
                    first_on: day,
                    standing,
                    section: care::section(on, today),
                    client_no: None,
                    name: None,
                    rm: None,
                    reason: Reason::Festival {
                        code: festival.code.clone(),
                        lunar: festival.lunar.map(|(month, day)| care::LunarMonthDay {
                            month,
                            leap: false,
                            day,
                        }),
                        clients: u64::try_from(clients).unwrap_or(0),
                    },
                });
            }
        }
        Ok(items)
    }

    /// Today's and overdue reminders still worth acting on (the header's count).
    pub fn care_due_count(&self) -> Result<u64> {
        let today = self.today();
        let agenda = self.care_agenda(today - Duration::days(care::OVERDUE_DAYS), today, None)?;
        Ok(agenda.current().count() as u64)
    }

    /// An open reminder by its id, as this staff member's agenda shows it.
    fn open_reminder(&self, id: &str) -> Result<CareItem> {
        let not_found = || Error::ReminderNotFound { id: id.to_string() };
        let parsed = ReminderId::parse(id).ok_or_else(not_found)?;
        // Where it shows now: on its day, or on the day it was snoozed to.
        let snoozed_to: Option<String> = self
            .conn
            .query_row(
                "SELECT action, until FROM care_task WHERE reminder = ?1 ORDER BY at DESC, id DESC LIMIT 1",
                [id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()?
            .and_then(|(action, until)| (action == "snoozed").then_some(until).flatten());
        let day = snoozed_to.and_then(|d| d.parse().ok()).unwrap_or(parsed.on);
        let agenda = self.care_agenda(day.min(parsed.on), day.max(parsed.on), None)?;
        agenda
            .items
            .into_iter()
            .find(|item| item.id == id)
            .ok_or_else(not_found)
    }

    fn client_id_of(&self, client_no: &str) -> Result<(i64, String)> {
        let (seq, stored) = self.find_client(client_no)?;
        Ok((seq, stored.id))
    }

    fn record_action(
        &mut self,
        item: &CareItem,
        action: Action,
        fields: Vec<(&'static str, Value)>,
        contact: Option<(&str, &str)>,
    ) -> Result<()> {
        let client = match &item.client_no {
            Some(no) => Some(self.client_id_of(no)?),
            None => None,
        };
        let detail = serde_json::to_string(&Detail {
            client_seq: client.as_ref().map(|(seq, _)| *seq),
            reason: item.reason.clone(),
        })
        .map_err(Error::internal)?;
        let me = self.me.id.to_string();
        let task_id = uuid::Uuid::now_v7().to_string();
        let audit = AuditEvent::new("care.action", "care", item.id.clone())
            .with_detail(json!({ "action": action.code() }));
        self.write(audit, |w| {
            let at = w.now_text();
            let mut row = vec![
                ("reminder", Value::Text(item.id.clone())),
                ("first_on", Value::Text(item.first_on.to_string())),
                (
                    "client_id",
                    client
                        .as_ref()
                        .map_or(Value::Null, |(_, id)| Value::Text(id.clone())),
                ),
                ("action", Value::Text(action.code().into())),
                ("detail", Value::Text(detail)),
                ("by_staff", Value::Text(me.clone())),
                ("at", Value::Text(at.clone())),
            ];
            row.extend(fields);
            w.insert(Table::CareTask, &task_id, row)?;
            if let (Some((channel, note)), Some((_, client_id))) = (contact, &client) {
                w.insert(
                    Table::Interaction,
                    &uuid::Uuid::now_v7().to_string(),
                    vec![
                        ("client_id", Value::Text(client_id.clone())),
                        ("staff_id", Value::Text(me)),
                        ("channel", Value::Text(channel.into())),
                        ("kind", Value::Text("care".into())),
                        ("note", Value::Text(note.into())),
                        ("at", Value::Text(at)),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Marks a reminder done: the client's contact log gets the channel and note.
    pub fn care_done(&mut self, id: &str, channel: &str, note: &str) -> Result<CareItem> {
        self.require(Permission::ActOnCare)?;
        let item = self.open_reminder(id)?;
        let note = care::required_text("note", note, 500).map_err(|error| Error::CareInvalid {
            errors: vec![error],
        })?;
        let note = note.as_str();
        if !CHANNELS.contains(&channel) {
            return Err(Error::CareInvalid {
                errors: vec![CareError {
                    field: "channel",
                    rule: "unknown",
                }],
            });
        }
        self.record_action(
            &item,
            Action::Done,
            vec![
                ("channel", Value::Text(channel.into())),
                ("note", Value::Text(note.into())),
            ],
            Some((channel, note)),
        )?;
        Ok(item)
    }

    /// Puts a reminder off to a later day.
    pub fn care_snooze(&mut self, id: &str, until: &str) -> Result<NaiveDate> {
        self.require(Permission::ActOnCare)?;
        let until = check_snooze(until, self.today()).map_err(|error| Error::CareInvalid {
            errors: vec![error],
        })?;
        let item = self.open_reminder(id)?;
        self.record_action(
            &item,
            Action::Snoozed,
            vec![("until", Value::Text(until.to_string()))],
            None,
        )?;
        Ok(until)
    }

    /// Dismisses a reminder for this occasion, for a reason.
    pub fn care_dismiss(&mut self, id: &str, why: &str) -> Result<()> {
        self.require(Permission::ActOnCare)?;
        let why = care::required_text("why", why, 200).map_err(|error| Error::CareInvalid {
            errors: vec![error],
        })?;
        let item = self.open_reminder(id)?;
        self.record_action(
            &item,
            Action::Dismissed,
            vec![("why", Value::Text(why))],
            None,
        )
    }

    /// Records a life event on a client (marriage, a child, retirement…).
    pub fn add_client_event(&mut self, client: &str, input: &EventInput) -> Result<ClientEvent> {
        self.require(Permission::EditClients)?;
        let (seq, stored) = self.find_client(client)?;
        let event = validate_event(input, stored.record.birth_date)
            .map_err(|errors| Error::CareInvalid { errors })?;
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let foreign = stored.home_branch != self.branch.code;
        let audit = AuditEvent::new("client.event", "client", stored.id.clone())
            .with_detail(json!({ "kind": event.kind.code() }));
        self.write(audit, |w| {
            w.insert(
                Table::ClientEvent,
                &id,
                vec![
                    ("client_id", Value::Text(stored.id.clone())),
                    ("kind", Value::Text(event.kind.code().into())),
                    ("on_date", Value::Text(event.date.to_string())),
                    ("yearly", Value::Integer(i64::from(event.yearly))),
                    (
                        "label",
                        event.label.clone().map_or(Value::Null, Value::Text),
                    ),
                    ("created_at", Value::Text(w.now_text())),
                    ("created_by", Value::Text(me)),
                ],
            )?;
            if !foreign {
                let row = row_of(
                    care::event_key(event.date, event.yearly),
                    seq,
                    id.clone(),
                    &stored.record,
                );
                w.maintain_index(INSERT_KEY, as_params(&row))?;
            }
            Ok(())
        })?;
        Ok(ClientEvent {
            id,
            kind: event.kind,
            date: event.date,
            yearly: event.yearly,
            label: event.label,
        })
    }

    /// A client's life events.
    pub fn client_events(&self, client: &str) -> Result<Vec<ClientEvent>> {
        self.require(Permission::ViewClients)?;
        let (_, stored) = self.find_client(client)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, on_date, yearly, label FROM client_event
             WHERE client_id = ?1 AND deleted = 0 ORDER BY on_date",
        )?;
        let rows = stmt
            .query_map([stored.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, kind, date, yearly, label)| {
                Ok(ClientEvent {
                    id,
                    kind: EventKind::parse(&kind).ok_or(Error::DatabaseDamaged)?,
                    date: date.parse().map_err(|_| Error::DatabaseDamaged)?,
                    yearly: yearly != 0,
                    label,
                })
            })
            .collect()
    }
}
