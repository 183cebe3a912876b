//! Care reminders in the store: the keys clients are found by (kept with every client
//! write), life events, the agenda of a window of days, and what staff do about a reminder.

mod actions;
mod invitations;
mod lunar_keys;

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
        record.id_expiry.date(),
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

/// What one agenda covers: its days, whose clients (an RM's own: `owner`), today, and what
/// staff last did about each reminder.
struct Window<'a> {
    from: NaiveDate,
    to: NaiveDate,
    scope: CareScope,
    owner: &'a str,
    today: NaiveDate,
    last_actions: &'a HashMap<String, LastAction>,
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
        mask::name_as(name, self.care_visibility(rm))
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
            // The calls a holdings snapshot asks for (credit warnings too) are each RM's
            // work: a manager reads them on an RM's agenda, and those of clients no RM holds
            // in the branch's book (its falling, maturing and moved segments) or on the risk
            // desk — tens of thousands of calls would bury the branch's greetings.
            if scope == CareScope::Branch
                && matches!(
                    probe.kind,
                    care::KeyKind::PortfolioCall | care::KeyKind::CreditWarning
                )
            {
                continue;
            }
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
        let window = Window {
            from,
            to,
            scope,
            owner: rm,
            today,
            last_actions: &last_actions,
        };
        items.extend(self.kyc_refreshes(&window)?);
        items.extend(self.event_items(&window)?);
        items.extend(self.snoozed_into(&window, &items)?);
        items.extend(self.festival_items(&window)?);
        // Balances in a call's reason are for those who may see the client's portfolio.
        let sees_balances = self.me.role.can(Permission::ViewPortfolio);
        for item in &mut items {
            let rm = item.rm.as_deref().unwrap_or_default();
            if !sees_balances || self.care_visibility(rm) != Visibility::Full {
                item.reason = item.reason.clone().without_amounts();
            }
        }
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

    /// The KYC refreshes falling due in the window among an RM's own clients: one range of
    /// the risk desk's index (the branch's backlog is the desk's KYC list).
    fn kyc_refreshes(&self, window: &Window) -> Result<Vec<CareItem>> {
        if window.scope != CareScope::Mine {
            return Ok(Vec::new());
        }
        let mut statement = self.conn.prepare_cached(
            "SELECT s.client_seq, s.kyc_due_on, k.name FROM aml_state s
             INDEXED BY aml_state_kyc_by_rm JOIN client k ON k.seq = s.client_seq
             WHERE s.closed = 0 AND s.rm = ?1 AND s.kyc_due_on BETWEEN ?2 AND ?3",
        )?;
        let rows = statement
            .query_map(
                params![window.owner, window.from.to_string(), window.to.to_string()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = Vec::new();
        for (seq, due_on, name) in rows {
            let due_on: NaiveDate = due_on.parse().map_err(|_| Error::DatabaseDamaged)?;
            let client_no = client_no_for(&self.branch.code, seq);
            let reason = Reason::KycRefresh { due_on };
            let id = ReminderId {
                reason: reason.code().to_string(),
                subject: client_no.clone(),
                on: due_on,
            };
            let last = window
                .last_actions
                .get(&id.to_string())
                .map(|(action, until, _)| (*action, *until));
            let Some((on, standing)) = care::shows_on(due_on, last, window.from, window.to) else {
                continue;
            };
            items.push(CareItem {
                id: id.to_string(),
                on,
                first_on: due_on,
                standing,
                section: care::section(on, window.today),
                client_no: Some(client_no),
                name: Some(self.shown_name(&name, window.owner)),
                rm: Some(window.owner.to_string()),
                reason,
            });
        }
        Ok(items)
    }

    /// What a key's `ref` points at: a life event, a survey response's follow-up, or a call
    /// HQ's holdings snapshot asks for.
    fn key_detail(&self, kind: care::KeyKind, id: &str) -> Result<Option<KeyDetail>> {
        if kind == care::KeyKind::CreditWarning {
            let products = &self.portfolio_rules()?.products;
            return Ok(
                crate::store::risk::credit::reason_of(&self.conn, id, products)?
                    .map(KeyDetail::Portfolio),
            );
        }
        if kind == care::KeyKind::PortfolioCall {
            let found: Option<String> = self
                .conn
                .prepare_cached("SELECT reason FROM portfolio_call WHERE ref = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            return Ok(found
                .and_then(|reason| serde_json::from_str(&reason).ok())
                .map(KeyDetail::Portfolio));
        }
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
    fn snoozed_into(&self, window: &Window, already: &[CareItem]) -> Result<Vec<CareItem>> {
        let &Window {
            from,
            to,
            scope,
            owner,
            today,
            last_actions,
        } = window;
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
    fn festival_items(&self, window: &Window) -> Result<Vec<CareItem>> {
        let &Window {
            from,
            to,
            scope,
            owner,
            today,
            last_actions,
        } = window;
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
}
