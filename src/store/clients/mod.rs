//! Clients in the store: registering, editing, reading (masked per role), revealing, the
//! contact log, and bulk loading. Lookup lives in `lookup.rs`.

mod from_hq;
mod load;
mod purge;
mod review;
pub use from_hq::BookApplied;
pub(crate) use from_hq::apply_book;
pub use load::LoadSummary;
use load::{insert_client, write_card};
pub use review::ReviewEntry;

use crate::domain::client::{
    BirthCalendar, ClientInput, ClientKind, ClientRecord, ClientView, IdExpiry, StoredClient, Tier,
    validate,
};
use crate::domain::contact;
use crate::domain::ids::{Gender, IdType};
use crate::domain::lookup::reversed;
use crate::domain::mask::{Visibility, is_valid_reveal_reason, visibility};
use crate::domain::names::{lookup_keys, name_grams};
use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::store::migrations::{CLIENT_INDEXES, DROP_CLIENT_INDEXES};
use crate::store::write::{AuditEvent, Table, Writer};
use crate::store::{Session, care};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// What registering a client gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewClient {
    pub id: String,
    pub client_no: String,
    /// The branch's sequence number (local: not part of what is sent or shown).
    #[serde(skip)]
    pub seq: i64,
}

/// One entry of a client's contact log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interaction {
    pub at: String,
    pub staff_id: String,
    pub channel: String,
    pub kind: String,
    pub note: String,
}

pub(crate) const CLIENT_COLUMNS: &str = "seq, id, client_no, kind, name, gender, birth_date, \
    birth_calendar, id_type, id_number, id_expiry, phone, email, address, occupation, \
    home_branch, assigned_rm, tier, risk_level, tags, consent_marketing, created_at, updated_at";

/// Reads a row selected with [`CLIENT_COLUMNS`].
pub(crate) fn client_from_row(row: &rusqlite::Row) -> Result<(i64, StoredClient)> {
    let values = (0..CLIENT_COLUMN_COUNT)
        .map(|i| row.get::<_, Value>(i))
        .collect::<rusqlite::Result<Vec<Value>>>()?;
    client_from_values(&values)
}

const CLIENT_COLUMN_COUNT: usize = 23;

/// Reads a client from its [`CLIENT_COLUMNS`] values, as stored here or as HQ holds them
/// (anything out of shape is damage).
pub(crate) fn client_from_values(values: &[Value]) -> Result<(i64, StoredClient)> {
    let damaged = || Error::DatabaseDamaged;
    let opt = |i: usize| -> Result<Option<String>> {
        match values.get(i) {
            Some(Value::Text(text)) => Ok(Some(text.clone())),
            Some(Value::Null) | None => Ok(None),
            Some(_) => Err(damaged()),
        }
    };
    let text = |i: usize| -> Result<String> { opt(i)?.ok_or_else(damaged) };
    let integer = |i: usize| -> Result<Option<i64>> {
        match values.get(i) {
            Some(Value::Integer(n)) => Ok(Some(*n)),
            Some(Value::Null) | None => Ok(None),
            Some(_) => Err(damaged()),
        }
    };
    let date = |i: usize| -> Result<Option<NaiveDate>> {
        opt(i)?
            .map(|s| s.parse().map_err(|_| damaged()))
            .transpose()
    };
    let tags: Vec<String> = serde_json::from_str(&text(19)?).map_err(|_| damaged())?;
    let record = ClientRecord {
        kind: ClientKind::parse(&text(3)?).ok_or_else(damaged)?,
        name: text(4)?,
        gender: opt(5)?.and_then(|g| Gender::parse(&g)),
        birth_date: date(6)?,
        birth_calendar: BirthCalendar::parse(&text(7)?).ok_or_else(damaged)?,
        id_type: IdType::parse(&text(8)?).ok_or_else(damaged)?,
        id_number: text(9)?,
        id_expiry: IdExpiry::from_stored(opt(10)?.as_deref()).ok_or_else(damaged)?,
        phone: opt(11)?,
        email: opt(12)?,
        address: opt(13)?,
        occupation: opt(14)?,
        assigned_rm: opt(16)?,
        tier: Tier::parse(&text(17)?).ok_or_else(damaged)?,
        risk_level: integer(18)?.and_then(|r| u8::try_from(r).ok()),
        tags,
        consent_marketing: integer(20)?.ok_or_else(damaged)? != 0,
    };
    Ok((
        integer(0)?.unwrap_or(0),
        StoredClient {
            id: text(1)?,
            client_no: text(2)?,
            home_branch: text(15)?,
            created_at: text(21)?,
            updated_at: text(22)?,
            record,
        },
    ))
}

/// A client as HQ holds it (its merged fields), read as if it were a stored row.
pub(crate) fn client_from_fields(
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<StoredClient> {
    let values: Vec<Value> = CLIENT_COLUMNS
        .split(',')
        .map(|column| match fields.get(column.trim()) {
            Some(serde_json::Value::String(text)) => Value::Text(text.clone()),
            Some(serde_json::Value::Number(n)) => n.as_i64().map_or(Value::Null, Value::Integer),
            Some(serde_json::Value::Bool(b)) => Value::Integer((*b).into()),
            _ => Value::Null,
        })
        .collect();
    Ok(client_from_values(&values)?.1)
}

fn opt_text(value: &Option<String>) -> Value {
    value.clone().map_or(Value::Null, Value::Text)
}

/// The columns that travel to HQ.
fn record_fields(r: &ClientRecord) -> Vec<(&'static str, Value)> {
    let date = |d: Option<NaiveDate>| d.map_or(Value::Null, |d| Value::Text(d.to_string()));
    vec![
        ("kind", Value::Text(r.kind.code().into())),
        ("name", Value::Text(r.name.clone())),
        (
            "gender",
            r.gender
                .map_or(Value::Null, |g| Value::Text(g.code().into())),
        ),
        ("birth_date", date(r.birth_date)),
        (
            "birth_calendar",
            Value::Text(r.birth_calendar.code().into()),
        ),
        ("id_type", Value::Text(r.id_type.code().into())),
        ("id_number", Value::Text(r.id_number.clone())),
        (
            "id_expiry",
            r.id_expiry.stored().map_or(Value::Null, Value::Text),
        ),
        ("phone", opt_text(&r.phone)),
        ("email", opt_text(&r.email)),
        ("address", opt_text(&r.address)),
        ("occupation", opt_text(&r.occupation)),
        ("assigned_rm", opt_text(&r.assigned_rm)),
        ("tier", Value::Text(r.tier.code().into())),
        (
            "risk_level",
            r.risk_level
                .map_or(Value::Null, |l| Value::Integer(l.into())),
        ),
        (
            "tags",
            Value::Text(serde_json::to_string(&r.tags).unwrap_or_else(|_| "[]".into())),
        ),
        (
            "consent_marketing",
            Value::Integer(r.consent_marketing.into()),
        ),
    ]
}

/// The lookup columns kept on the row itself (this store's own, never sent).
fn local_fields(foreign: bool, r: &ClientRecord) -> Vec<(&'static str, Value)> {
    vec![
        ("foreign_branch", Value::Integer(foreign.into())),
        (
            "phone_rev",
            r.phone
                .as_deref()
                .map_or(Value::Null, |p| Value::Text(reversed(p))),
        ),
        ("id_rev", Value::Text(reversed(&r.id_number))),
    ]
}

fn write_index_rows(w: &mut Writer, seq: i64, foreign: bool, name: &str) -> Result<()> {
    for gram in name_grams(name) {
        w.maintain_index(
            "INSERT OR IGNORE INTO client_gram (foreign_branch, gram, client_seq) VALUES (?1, ?2, ?3)",
            params![i64::from(foreign), gram, seq],
        )?;
    }
    for key in lookup_keys(name) {
        w.maintain_index(
            "INSERT OR IGNORE INTO client_key (foreign_branch, key, client_seq) VALUES (?1, ?2, ?3)",
            params![i64::from(foreign), key, seq],
        )?;
    }
    Ok(())
}

fn remove_index_rows(w: &mut Writer, seq: i64, foreign: bool, name: &str) -> Result<()> {
    for gram in name_grams(name) {
        w.maintain_index(
            "DELETE FROM client_gram WHERE foreign_branch = ?1 AND gram = ?2 AND client_seq = ?3",
            params![i64::from(foreign), gram, seq],
        )?;
    }
    for key in lookup_keys(name) {
        w.maintain_index(
            "DELETE FROM client_key WHERE foreign_branch = ?1 AND key = ?2 AND client_seq = ?3",
            params![i64::from(foreign), key, seq],
        )?;
    }
    Ok(())
}

impl Session {
    /// Today in the terminal's time zone (birth dates and expiries are calendar dates).
    pub(crate) fn today(&self) -> NaiveDate {
        self.clock.now().with_timezone(&chrono::Local).date_naive()
    }

    /// What this staff member may see of a client assigned to `assigned_rm`.
    pub(crate) fn visibility_of(&self, assigned_rm: Option<&str>) -> Visibility {
        visibility(self.me.role, self.me.id.as_str(), assigned_rm)
    }

    fn check_rm(&self, rm: Option<&str>) -> Result<()> {
        let Some(rm) = rm else { return Ok(()) };
        let role: Option<String> = self
            .conn
            .query_row(
                "SELECT role FROM staff WHERE id = ?1 AND status = 'active'",
                [rm],
                |r| r.get(0),
            )
            .optional()?;
        match role.as_deref() {
            Some("rm") | Some("manager") => Ok(()),
            _ => Err(Error::NotAnRm { id: rm.to_string() }),
        }
    }

    fn existing_client_no(
        &self,
        id_type: IdType,
        id_number: &str,
    ) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, client_no FROM client WHERE id_type = ?1 AND id_number = ?2",
            )?
            .query_row(params![id_type.code(), id_number], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Registers a client of this branch. The same ID number (or USCC) cannot be registered
    /// twice: the error names the existing client so that it can be opened instead.
    pub fn create_client(&mut self, input: &ClientInput) -> Result<NewClient> {
        self.require(Permission::EditClients)?;
        let record =
            validate(input, self.today()).map_err(|errors| Error::ClientInvalid { errors })?;
        self.check_rm(record.assigned_rm.as_deref())?;
        if let Some((_, client_no)) = self.existing_client_no(record.id_type, &record.id_number)? {
            return Err(Error::DuplicateClient { client_no });
        }
        let branch = self.branch.code.clone();
        let id = uuid::Uuid::now_v7().to_string();
        let today = self.today();
        let event = AuditEvent::new("client.create", "client", id.clone());
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        self.write(event, |w| {
            let new = insert_client(w, &id, &branch, &branch, &record)?;
            care::write_client_keys(w, new.seq, &record, today)?;
            crate::store::risk::state::refresh(w, &rules.aml, &calendar, new.seq)?;
            Ok(new)
        })
    }

    /// Changes a client's record. Tellers and RMs may correct what they can see; the form
    /// is filled from a full view (after a reveal where the data is masked).
    pub fn update_client(&mut self, key: &str, input: &ClientInput) -> Result<()> {
        self.require(Permission::EditClients)?;
        let (seq, stored) = self.find_client(key)?;
        let record =
            validate(input, self.today()).map_err(|errors| Error::ClientInvalid { errors })?;
        if record.assigned_rm != stored.record.assigned_rm {
            self.check_rm(record.assigned_rm.as_deref())?;
        }
        if let Some((other_id, client_no)) =
            self.existing_client_no(record.id_type, &record.id_number)?
            && other_id != stored.id
        {
            return Err(Error::DuplicateClient { client_no });
        }
        let store_branch = self.branch.code.clone();
        let foreign = stored.home_branch != store_branch;
        let changed: Vec<&str> = record_fields(&record)
            .iter()
            .zip(record_fields(&stored.record))
            .filter(|((_, new), (_, old))| new != old)
            .map(|((column, _), _)| *column)
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        // A restricted client's document may be updated (that lifts the restriction);
        // nothing else of theirs changes until then, and nothing of a closed relationship.
        const DOCUMENT: [&str; 3] = ["id_type", "id_number", "id_expiry"];
        if changed.iter().any(|c| !DOCUMENT.contains(c)) {
            self.check_business(&stored)?;
        } else if let Some(on) = self.closed_on(&stored.id)? {
            return Err(Error::ClientClosed {
                client: stored.client_no.clone(),
                on,
            });
        }
        let triggers = crate::domain::aml::record_triggers(&stored.record, &record);
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let today = self.today();
        let registered_on = stored
            .created_at
            .get(..10)
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| self.today());
        // What offers may be made follows consent and age: the standing's best offer is
        // brought up to date with the record (the rest waits for the next snapshot).
        let standing = if record.consent_marketing != stored.record.consent_marketing
            || record.birth_date != stored.record.birth_date
        {
            let mut inputs = self.client_inputs(seq, &stored)?;
            inputs.consent_marketing = record.consent_marketing;
            inputs.birth_date = record.birth_date;
            let today = self.today();
            let now = self.standing_now()?;
            Some((self.portfolio_rules()?, inputs, now, today))
        } else {
            None
        };
        let event = AuditEvent::new("client.update", "client", stored.id.clone())
            .with_detail(json!({ "fields": changed }));
        self.write(event, |w| {
            if let Some((rules, inputs, now, today)) = &standing {
                crate::store::standing::refresh_client(w, seq, rules, inputs, *now, *today)?;
            }
            // Only the fields that changed travel: HQ and the other branches merge field by
            // field, so an edit here does not overwrite another branch's newer correction
            // of a field this edit left alone.
            let mut fields: Vec<(&'static str, Value)> = record_fields(&record)
                .into_iter()
                .filter(|(column, _)| changed.contains(column))
                .collect();
            fields.push(("updated_at", Value::Text(w.now_text())));
            w.update_with_local(
                Table::Client,
                &stored.id,
                fields,
                local_fields(foreign, &record),
            )?;
            if record.name != stored.record.name {
                remove_index_rows(w, seq, foreign, &stored.record.name)?;
                write_index_rows(w, seq, foreign, &record.name)?;
            }
            if !foreign {
                care::write_client_keys(w, seq, &record, registered_on)?;
            }
            if record.assigned_rm != stored.record.assigned_rm {
                crate::store::standing::follow_rm(w, seq, record.assigned_rm.as_deref())?;
            }
            for trigger in &triggers {
                crate::store::risk::raise_trigger(
                    w,
                    &rules,
                    &calendar,
                    &crate::store::risk::Raised {
                        seq,
                        client_id: &stored.id,
                        trigger: *trigger,
                        on: today,
                        detail: "",
                    },
                )?;
            }
            crate::store::risk::state::refresh(w, &rules.aml, &calendar, seq)?;
            write_card(
                w,
                seq,
                &record,
                &store_branch,
                &stored.home_branch,
                &stored.client_no,
            )
        })
    }

    /// Changes only the given fields of a client (the command line's `client edit`): the
    /// rest stays as stored, and nothing is shown to the caller.
    pub fn edit_client_fields(
        &mut self,
        key: &str,
        changes: &[(crate::domain::client::ClientField, String)],
    ) -> Result<()> {
        self.require(Permission::EditClients)?;
        let (_, stored) = self.find_client(key)?;
        let mut input = stored.record.to_input();
        for (field, value) in changes {
            *input.field_mut(*field) = value.clone();
        }
        self.update_client(&stored.id, &input)
    }

    pub(crate) fn find_client(&self, key: &str) -> Result<(i64, StoredClient)> {
        let key = key.trim();
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM client WHERE (id = ?1 OR client_no = ?2) AND deleted = 0"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![key, key.to_ascii_uppercase()])?;
        match rows.next()? {
            Some(row) => client_from_row(row),
            None => Err(Error::ClientNotFound {
                key: key.to_string(),
            }),
        }
    }

    /// A client as this staff member may see it. Opening a client is recorded in the audit
    /// trail (who looked at whom).
    pub fn open_client(&mut self, key: &str) -> Result<ClientView> {
        self.require(Permission::ViewClients)?;
        let (seq, stored) = self.find_client(key)?;
        let seen = self.visibility_of(stored.record.assigned_rm.as_deref());
        self.audit_only(
            AuditEvent::new("client.view", "client", stored.id.clone())
                .with_detail(json!({ "visibility": seen })),
        )?;
        self.with_standing(stored.view(seen), seq)
    }

    /// The full record of one client, for a stated reason that goes into the audit trail.
    pub fn reveal_client(&mut self, key: &str, reason: &str) -> Result<ClientView> {
        self.require(Permission::RevealClient)?;
        let reason = reason.trim();
        if !is_valid_reveal_reason(reason) {
            return Err(Error::RevealReason);
        }
        let (seq, stored) = self.find_client(key)?;
        self.audit_only(
            AuditEvent::new("client.reveal", "client", stored.id.clone())
                .with_detail(json!({ "reason": reason })),
        )?;
        self.with_standing(stored.view(Visibility::Full), seq)
    }

    /// The newest entries of a client's contact log.
    /// A client's contact log read on its own (`client log`), recorded in the audit trail
    /// (the workstation reads it with the record, whose opening is recorded).
    pub fn read_contact_log(&mut self, key: &str, limit: u32) -> Result<Vec<Interaction>> {
        let log = self.interactions(key, limit)?;
        self.record_part_read(key, "client.log", log.len())?;
        Ok(log)
    }

    /// A client's life events read on their own (`client events`), recorded likewise.
    pub fn read_life_events(&mut self, key: &str) -> Result<Vec<crate::store::ClientEvent>> {
        let events = self.client_events(key)?;
        self.record_part_read(key, "client.events", events.len())?;
        Ok(events)
    }

    fn record_part_read(&mut self, key: &str, action: &'static str, entries: usize) -> Result<()> {
        let (_, stored) = self.find_client(key)?;
        self.audit_only(
            AuditEvent::new(action, "client", stored.id).with_detail(json!({ "entries": entries })),
        )
    }

    pub fn interactions(&self, key: &str, limit: u32) -> Result<Vec<Interaction>> {
        self.require(Permission::ViewClients)?;
        let (_, stored) = self.find_client(key)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, staff_id, channel, kind, note FROM interaction
             WHERE client_id = ?1 ORDER BY at DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![stored.id, limit], |r| {
                Ok(Interaction {
                    at: r.get(0)?,
                    staff_id: r.get(1)?,
                    channel: r.get(2)?,
                    kind: r.get(3)?,
                    note: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Adds to a client's contact log.
    pub fn add_interaction(
        &mut self,
        key: &str,
        channel: &str,
        kind: &str,
        note: &str,
    ) -> Result<()> {
        self.require(Permission::EditClients)?;
        let (seq, stored) = self.find_client(key)?;
        let note = note.trim();
        contact::check_note(channel, note).map_err(Error::ContactRefused)?;
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let suspicious = kind == SUSPICIOUS_NOTE;
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let today = self.today();
        let event = AuditEvent::new("client.contact", "client", stored.id.clone())
            .with_detail(json!({ "channel": channel, "kind": kind }));
        self.write(event, |w| {
            // A note tagged as suspicious asks for an early review of the AML rating.
            if suspicious {
                crate::store::risk::raise_trigger(
                    w,
                    &rules,
                    &calendar,
                    &crate::store::risk::Raised {
                        seq,
                        client_id: &stored.id,
                        trigger: crate::domain::aml::Trigger::SuspiciousNote,
                        on: today,
                        detail: &id,
                    },
                )?;
            }
            log_contact(w, &stored.id, &me, channel, kind, note)
        })
    }

    /// Today's date where the terminal is.
    pub fn today_local(&self) -> NaiveDate {
        self.today()
    }

    /// Whether a staff member with this role may register clients (for screens).
    pub fn can_edit_clients(role: Role) -> bool {
        role.can(Permission::EditClients)
    }
}

/// A contact-log entry of `kind` (a note, an offer's outcome, a care action, an event
/// reply…), written in the transaction of what it records.
pub(crate) fn log_contact(
    w: &mut Writer,
    client_id: &str,
    staff: &str,
    channel: &str,
    kind: &str,
    note: &str,
) -> Result<()> {
    let at = w.now_text();
    w.insert(
        Table::Interaction,
        &uuid::Uuid::now_v7().to_string(),
        vec![
            ("client_id", Value::Text(client_id.into())),
            ("staff_id", Value::Text(staff.into())),
            ("channel", Value::Text(channel.into())),
            ("kind", Value::Text(kind.into())),
            ("note", Value::Text(note.into())),
            ("at", Value::Text(at)),
        ],
    )
}

/// The contact-log kind of a note staff tag as suspicious (可疑): it asks for an early AML
/// review.
pub const SUSPICIOUS_NOTE: &str = "suspicious";

/// This branch's number for its `seq`-th client.
pub fn client_no_for(store_branch: &str, seq: i64) -> String {
    format!("{store_branch}-{seq:07}")
}
