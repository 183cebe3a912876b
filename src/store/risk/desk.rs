//! The risk desk's lists — unrated clients with days left, reviews overdue and due soon,
//! restricted clients, the high-risk list, open early-review triggers, KYC refreshes due,
//! credit warnings — each one range of an `aml_state` (or `credit_warning`) index
//! (managers and auditors: the branch; RMs: their own clients), and the count of each for
//! the header. Opening the desk also raises the
//! early-review trigger of every identity document that expired since the last look.

use crate::domain::aml::Trigger;
use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::AuditEvent;
use chrono::{Days, NaiveDate};
use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;

/// One of the desk's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeskList {
    /// Every open item due by today (unrated, reviews, triggers).
    Overdue,
    /// Due from today within the table's due-soon window.
    Due,
    Unrated,
    Triggers,
    Restricted,
    High,
    Kyc,
    /// Loans newly overdue or moved down a category, newest first.
    Credit,
}

impl DeskList {
    pub const ALL: [DeskList; 8] = [
        DeskList::Overdue,
        DeskList::Due,
        DeskList::Unrated,
        DeskList::Triggers,
        DeskList::Restricted,
        DeskList::High,
        DeskList::Kyc,
        DeskList::Credit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeskList::Overdue => "overdue",
            DeskList::Due => "due",
            DeskList::Unrated => "unrated",
            DeskList::Triggers => "triggers",
            DeskList::Restricted => "restricted",
            DeskList::High => "high",
            DeskList::Kyc => "kyc",
            DeskList::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<DeskList> {
        DeskList::ALL.into_iter().find(|l| l.code() == text.trim())
    }
}

/// A row of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskRow {
    pub client_no: String,
    pub name: String,
    pub rm: Option<String>,
    pub level: Option<String>,
    pub due_kind: String,
    pub due_on: NaiveDate,
    /// Days from today to the day the list is about (negative: past).
    pub days: i64,
    /// The day the client's business became restricted, if it is.
    pub restricted_on: Option<NaiveDate>,
    /// None only for a credit warning of a client the desk has no row for (registered at
    /// another branch).
    pub kyc_due_on: Option<NaiveDate>,
    /// On the credit list: the loan and how it moved.
    pub credit: Option<super::CreditShown>,
}

/// How many items each list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeskCounts {
    pub overdue: u64,
    pub due: u64,
    pub unrated: u64,
    pub triggers: u64,
    pub restricted: u64,
    pub high: u64,
    pub kyc: u64,
    pub credit: u64,
}

impl DeskRow {
    /// What the row is due for on `list`, and when: the restriction's first day on the
    /// restricted list, the confirmation day on the KYC list, the loan on the credit list,
    /// else the due day with what falls due (`short`: the screen's narrow words).
    pub fn due_text(&self, i18n: &crate::i18n::I18n, list: DeskList, short: bool) -> String {
        let (since, by, kind) = if short {
            ("risk.short.since", "risk.short.by", "risk.short")
        } else {
            ("risk.restricted_since", "risk.kyc_due", "risk.due")
        };
        match (list, self.restricted_on, &self.credit, self.kyc_due_on) {
            (DeskList::Restricted, Some(on), ..) => i18n.fill(since, &[("on", &on.to_string())]),
            (DeskList::Kyc, .., Some(on)) => i18n.fill(by, &[("on", &on.to_string())]),
            // The class it moved from is on the screen's detail line.
            (DeskList::Credit, _, Some(loan), _) if short => {
                i18n.credit_standing_short(loan.days_past_due, loan.class)
            }
            (DeskList::Credit, _, Some(loan), _) => loan.text(i18n),
            _ => format!(
                "{} {}",
                i18n.t_owned(format!("{kind}.{}", self.due_kind)),
                self.due_on
            ),
        }
    }
}

impl super::CreditShown {
    /// The warning in words: the product, the masked account, the balance where shown, and
    /// where the loan stands ("住房按揭贷款 ****0120 ¥1,200,000.00 · 逾期 45 天，关注").
    pub fn text(&self, i18n: &crate::i18n::I18n) -> String {
        let name = i18n.pick(&self.name_zh, &self.name_en);
        let balance = self
            .balance_fen
            .map(|b| format!(" {}", crate::i18n::yuan(b)))
            .unwrap_or_default();
        format!(
            "{} {}{balance} · {}",
            if name.is_empty() { &self.product } else { name },
            self.account,
            i18n.credit_standing(self.days_past_due, self.class, self.moved_from)
        )
    }
}

impl DeskCounts {
    /// How many items `list` holds.
    pub fn of(&self, list: DeskList) -> u64 {
        let mut counts = *self;
        *counts.slot(list)
    }

    fn slot(&mut self, list: DeskList) -> &mut u64 {
        match list {
            DeskList::Overdue => &mut self.overdue,
            DeskList::Due => &mut self.due,
            DeskList::Unrated => &mut self.unrated,
            DeskList::Triggers => &mut self.triggers,
            DeskList::Restricted => &mut self.restricted,
            DeskList::High => &mut self.high,
            DeskList::Kyc => &mut self.kyc,
            DeskList::Credit => &mut self.credit,
        }
    }
}

/// A list as shown: at most the limit asked for, with the counts of every list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskPage {
    pub list: DeskList,
    pub today: NaiveDate,
    /// The table's levels with their names, from the highest.
    pub levels: Vec<crate::domain::aml::Named>,
    pub counts: DeskCounts,
    pub rows: Vec<DeskRow>,
}

/// The part of a list's query after `FROM aml_state s` that picks its rows (for the branch
/// and for one RM), and what its day is. `?1` is today, `?2` the due-soon end, `?3` the RM.
fn range(list: DeskList, by_rm: bool) -> (&'static str, &'static str) {
    match (list, by_rm) {
        (DeskList::Overdue, false) => (
            "INDEXED BY aml_state_due WHERE closed = 0 AND due_on < ?1 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Overdue, true) => (
            "INDEXED BY aml_state_due_by_rm WHERE closed = 0 AND rm = ?3 AND due_on < ?1 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Due, false) => (
            "INDEXED BY aml_state_due WHERE closed = 0 AND due_on >= ?1 AND due_on <= ?2 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Due, true) => (
            "INDEXED BY aml_state_due_by_rm WHERE closed = 0 AND rm = ?3 AND due_on >= ?1 AND due_on <= ?2 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Unrated, false) => (
            "INDEXED BY aml_state_kind WHERE closed = 0 AND due_kind = 'rate' ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Unrated, true) => (
            "INDEXED BY aml_state_kind_by_rm WHERE closed = 0 AND rm = ?3 AND due_kind = 'rate' ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Triggers, false) => (
            "INDEXED BY aml_state_kind WHERE closed = 0 AND due_kind = 'trigger' ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Triggers, true) => (
            "INDEXED BY aml_state_kind_by_rm WHERE closed = 0 AND rm = ?3 AND due_kind = 'trigger' ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Restricted, false) => (
            "INDEXED BY aml_state_restricted WHERE closed = 0 AND restricted_on IS NOT NULL AND restricted_on <= ?1 ORDER BY restricted_on",
            "restricted_on",
        ),
        (DeskList::Restricted, true) => (
            "INDEXED BY aml_state_restricted_by_rm WHERE closed = 0 AND restricted_on IS NOT NULL AND rm = ?3 AND restricted_on <= ?1 ORDER BY restricted_on",
            "restricted_on",
        ),
        (DeskList::High, false) => (
            "INDEXED BY aml_state_rank WHERE closed = 0 AND rank = 0 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::High, true) => (
            "INDEXED BY aml_state_rank_by_rm WHERE closed = 0 AND rm = ?3 AND rank = 0 ORDER BY due_on",
            "due_on",
        ),
        (DeskList::Kyc, false) => (
            "INDEXED BY aml_state_kyc WHERE closed = 0 AND kyc_due_on <= ?1 ORDER BY kyc_due_on",
            "kyc_due_on",
        ),
        (DeskList::Kyc, true) => (
            "INDEXED BY aml_state_kyc_by_rm WHERE closed = 0 AND rm = ?3 AND kyc_due_on <= ?1 ORDER BY kyc_due_on",
            "kyc_due_on",
        ),
        // Over `credit_warning w`, newest first.
        (DeskList::Credit, false) => (
            "INDEXED BY credit_warning_on ORDER BY raised_on DESC",
            "raised_on",
        ),
        (DeskList::Credit, true) => (
            "INDEXED BY credit_warning_by_rm WHERE rm = ?3 ORDER BY raised_on DESC",
            "raised_on",
        ),
    }
}

/// The table a list reads.
fn table_of(list: DeskList) -> &'static str {
    match list {
        DeskList::Credit => "credit_warning",
        _ => "aml_state",
    }
}

/// Binds `values` by position, as far as the statement numbers its parameters (a list's
/// filter names only those it needs).
fn bind(statement: &mut rusqlite::Statement, values: &[Value]) -> Result<()> {
    for index in 1..=statement.parameter_count() {
        if let Some(value) = values.get(index - 1) {
            statement.raw_bind_parameter(index, value)?;
        }
    }
    Ok(())
}

/// The first sweep for expired documents looks back this far (a store that had no desk
/// before gets one early review per document that expired in the last year).
const FIRST_SWEEP_DAYS: u64 = 366;

impl Session {
    /// A list of the risk desk: the branch's for managers and auditors, an RM's own.
    /// Recorded in the audit trail.
    pub fn risk_desk(&mut self, list: DeskList, limit: u32) -> Result<DeskPage> {
        self.risk_desk_of(None, list, limit)
    }

    /// [`Session::risk_desk`] of one RM's clients (`rm`; an RM only ever gets their own).
    pub fn risk_desk_of(
        &mut self,
        rm: Option<&str>,
        list: DeskList,
        limit: u32,
    ) -> Result<DeskPage> {
        self.require(Permission::ViewRisk)?;
        let rm = match (self.me.role, rm) {
            (Role::Rm, Some(other)) if other != self.me.id.as_str() => {
                return Err(Error::PermissionDenied {
                    permission: Permission::ViewRisk,
                });
            }
            (Role::Rm, _) => Some(self.me.id.to_string()),
            (_, asked) => asked.map(|r| r.trim().to_string()),
        };
        if self.me.role.can(Permission::RateRisk) {
            self.sweep_expired_documents()?;
        }
        let today = self.today();
        let rules = self.portfolio_rules()?;
        let soon = today
            .checked_add_days(Days::new(u64::from(rules.aml.schedule.due_soon_days)))
            .unwrap_or(today);
        let values = [
            Value::Text(today.to_string()),
            Value::Text(soon.to_string()),
            rm.clone().map_or(Value::Null, Value::Text),
            Value::Integer(i64::from(limit)),
        ];
        let mut counts = DeskCounts::default();
        for each in DeskList::ALL {
            let (filter, _) = range(each, rm.is_some());
            let sql = format!("SELECT count(*) FROM {} s {filter}", table_of(each));
            let mut statement = self.conn.prepare_cached(&sql)?;
            bind(&mut statement, &values)?;
            let count: i64 = match statement.raw_query().next()? {
                Some(r) => r.get(0)?,
                None => 0,
            };
            let count = u64::try_from(count).unwrap_or(0);
            *counts.slot(each) = count;
        }
        let (filter, day_column) = range(list, rm.is_some());
        let sql = if list == DeskList::Credit {
            format!(
                "SELECT k.client_no, k.name, k.assigned_rm, coalesce(s.level, ''), 'credit',
                        w.raised_on, w.raised_on, s.restricted_on, s.kyc_due_on,
                        {}
                 FROM (SELECT * FROM credit_warning {filter} LIMIT ?4) w
                 JOIN client k ON k.seq = w.client_seq
                 LEFT JOIN aml_state s ON s.client_seq = w.client_seq
                 ORDER BY w.raised_on DESC, w.client_seq",
                super::credit::SHOWN_COLUMNS
            )
        } else {
            format!(
                "SELECT k.client_no, k.name, k.assigned_rm, s.level, s.due_kind, s.due_on,
                        s.{day_column}, s.restricted_on, s.kyc_due_on
                 FROM (SELECT * FROM aml_state s {filter} LIMIT ?4) s
                 JOIN client k ON k.seq = s.client_seq
                 ORDER BY s.{day_column}, s.client_seq"
            )
        };
        let products = &rules.products;
        let sees_balances = self.me.role.can(Permission::ViewPortfolio);
        let mut rows = Vec::new();
        {
            let mut statement = self.conn.prepare_cached(&sql)?;
            bind(&mut statement, &values)?;
            let mut found = statement.raw_query();
            while let Some(r) = found.next()? {
                let assigned: Option<String> = r.get(2)?;
                let name: String = r.get(1)?;
                let day = |i: usize| -> Result<Option<NaiveDate>> {
                    let text: Option<String> = r.get(i)?;
                    text.map(|t| t.parse().map_err(|_| Error::DatabaseDamaged))
                        .transpose()
                };
                let on = day(6)?.ok_or(Error::DatabaseDamaged)?;
                let level: String = r.get(3)?;
                let visibility = self.visibility_of(assigned.as_deref());
                let credit = if list == DeskList::Credit {
                    let mut shown = super::credit::credit_at(r, 9, products)?;
                    if !sees_balances || visibility != crate::domain::mask::Visibility::Full {
                        shown.balance_fen = None;
                    }
                    Some(shown)
                } else {
                    None
                };
                rows.push(DeskRow {
                    client_no: r.get(0)?,
                    name: crate::domain::mask::name_as(&name, visibility),
                    rm: assigned,
                    level: (!level.is_empty()).then_some(level),
                    due_kind: r.get(4)?,
                    due_on: day(5)?.ok_or(Error::DatabaseDamaged)?,
                    days: (on - today).num_days(),
                    // The day a restriction began, once it has (a later one is no news).
                    restricted_on: day(7)?.filter(|since| *since <= today),
                    kyc_due_on: day(8)?,
                    credit,
                });
            }
        }
        self.audit_only(
            AuditEvent::new("risk.desk", "branch", self.branch.code.clone()).with_detail(
                serde_json::json!({ "list": list.code(), "rm": rm, "shown": rows.len() }),
            ),
        )?;
        Ok(DeskPage {
            list,
            today,
            levels: rules.aml.level_names(),
            counts,
            rows,
        })
    }

    /// How many items are overdue on this staff member's desk (the header's count): not
    /// audited, nothing swept.
    pub fn risk_overdue_count(&self) -> Result<u64> {
        self.require(Permission::ViewRisk)?;
        let today = self.today().to_string();
        let count: i64 = if self.me.role == Role::Rm {
            self.conn
                .prepare_cached(
                    "SELECT count(*) FROM aml_state INDEXED BY aml_state_due_by_rm
                 WHERE closed = 0 AND rm = ?2 AND due_on < ?1",
                )?
                .query_row(params![today, self.me.id.as_str()], |r| r.get(0))?
        } else {
            self.conn
                .prepare_cached(
                    "SELECT count(*) FROM aml_state INDEXED BY aml_state_due
                 WHERE closed = 0 AND due_on < ?1",
                )?
                .query_row(params![today], |r| r.get(0))?
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Raises the early-review trigger of every client of the branch whose identity
    /// document expired since the last sweep (once a day, whoever opens the desk first).
    pub(crate) fn sweep_expired_documents(&mut self) -> Result<usize> {
        let today = self.today();
        let last: Option<NaiveDate> = self
            .local_value("aml_swept_on")?
            .and_then(|t| t.parse().ok());
        if last.is_some_and(|l| l >= today) {
            return Ok(0);
        }
        let from = last.unwrap_or_else(|| {
            today
                .checked_sub_days(Days::new(FIRST_SWEEP_DAYS))
                .unwrap_or(today)
        });
        // Expired: the last valid day is before today; since the last sweep: on or after
        // the day before it.
        let expired: Vec<(i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT s.client_seq, c.id, s.id_expiry FROM aml_state s
                 INDEXED BY aml_state_expiry JOIN client c ON c.seq = s.client_seq
                 WHERE s.id_expiry IS NOT NULL AND s.id_expiry >= ?1 AND s.id_expiry < ?2
                   AND s.closed = 0",
            )?
            .query_map(params![from.to_string(), today.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let event = AuditEvent::new("risk.sweep", "branch", self.branch.code.clone())
            .with_detail(serde_json::json!({ "expired": expired.len() }));
        self.write(event, |w| {
            for (seq, id, expiry) in &expired {
                // Asked for the day it is found (the expiry is in the detail): the first
                // sweep of a store finds a year's worth at once.
                let on = today;
                super::raise_trigger(
                    w,
                    &rules,
                    &calendar,
                    &crate::store::risk::Raised {
                        seq: *seq,
                        client_id: id,
                        trigger: Trigger::IdExpired,
                        on,
                        detail: expiry,
                    },
                )?;
            }
            w.set_local("aml_swept_on", &today.to_string())
        })?;
        Ok(expired.len())
    }
}
