//! Acting on care reminders — done (noted in the contact log), snoozed, dismissed — and the
//! life events staff record for a client; the header's count of what is due.

use super::*;

impl Session {
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
        // A KYC refresh marked done confirms the client's details: the next one falls
        // years on (the risk desk's row says when).
        let confirms_kyc =
            action == Action::Done && matches!(item.reason, Reason::KycRefresh { .. });
        let kyc = if confirms_kyc {
            Some((self.portfolio_rules()?, self.calendar.clone()))
        } else {
            None
        };
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
                crate::store::clients::log_contact(w, client_id, &me, channel, "care", note)?;
            }
            if let (Some((rules, calendar)), Some((seq, _))) = (&kyc, &client) {
                crate::store::risk::state::refresh(w, &rules.aml, calendar, *seq)?;
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
        self.check_business(&stored)?;
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
