//! The AML risk desk's store side: a client's rating with its factors and history, the
//! facts staff record for it (PEP, nationality, cash, remote), ratings and reviews checked
//! against who may set which level, early-review triggers raised by the writes that cause
//! them, the restriction an expired identity document puts on a client's business (checked
//! here, for every write path, not only on screen), the end of a relationship and the
//! retention that follows, and the desk's lists (`desk.rs`) over `aml_state` (`state.rs`).

pub(crate) mod credit;
mod desk;
mod rate;
mod rerate;
pub(crate) mod state;

pub use credit::CreditShown;
pub use desk::{DeskCounts, DeskList, DeskPage, DeskRow};
pub(crate) use rate::profile_fields;
pub use rate::{Approval, RateRequest, RerateReport, ReviewRequest};

use crate::domain::aml::{
    Computed, Contribution, Due, FactorTable, Inputs, Named, Outcome, Profile, Trigger,
};
use crate::domain::client::StoredClient;
use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::{Table, Writer};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeSet;

pub(crate) use rerate::{Rerating, Unrated, run as rerate_in};
pub(crate) use state::backfill as backfill_state;

/// A rating or review as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingRecord {
    pub kind: String,
    pub outcome: Option<Outcome>,
    pub computed: String,
    pub score: u32,
    pub factors: Vec<Contribution>,
    pub level: String,
    pub note: String,
    pub rated_on: NaiveDate,
    pub next_review: NaiveDate,
    pub by_staff: String,
    pub approved_by: Option<String>,
    pub table_version: String,
}

/// An early-review trigger still open (no review since).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenTrigger {
    pub kind: Trigger,
    pub raised_on: NaiveDate,
    pub detail: String,
}

/// A client's risk line and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskView {
    pub client_no: String,
    pub name: String,
    pub rm: Option<String>,
    /// The level in force (none: not rated yet).
    pub level: Option<String>,
    /// What the table in force makes of the client now.
    pub computed: Computed,
    pub computed_level: String,
    /// The names of the factors that counted now, in the order of `computed`.
    pub factor_names: Vec<Named>,
    /// The table's levels with their names, from the highest.
    pub levels: Vec<Named>,
    pub table_version: String,
    pub due_kind: String,
    pub due_on: NaiveDate,
    pub due: Due,
    /// The first day of the restriction an expired document puts on the client's business.
    pub restricted_since: Option<NaiveDate>,
    /// A manager lifted the restriction for today.
    pub lifted_today: bool,
    pub closed_on: Option<NaiveDate>,
    pub kyc_due_on: NaiveDate,
    pub profile: Profile,
    pub triggers: Vec<OpenTrigger>,
    /// The client's loans under a credit warning.
    pub credit: Vec<CreditShown>,
    /// Newest first.
    pub history: Vec<RatingRecord>,
}

impl Session {
    /// An RM deals with their own clients' ratings; managers and auditors with the
    /// branch's.
    fn check_risk_scope(&self, stored: &StoredClient, permission: Permission) -> Result<()> {
        self.require(permission)?;
        if self.me.role == Role::Rm
            && stored.record.assigned_rm.as_deref() != Some(self.me.id.as_str())
        {
            return Err(Error::PermissionDenied { permission });
        }
        Ok(())
    }

    /// The facts staff recorded for a client's rating (defaults when none).
    pub(crate) fn aml_profile(&self, client_id: &str) -> Result<Profile> {
        let found = self
            .conn
            .prepare_cached("SELECT pep, nationality, cash, remote FROM aml_profile WHERE id = ?1")?
            .query_row([client_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .optional()?;
        Ok(match found {
            None => Profile::default(),
            Some((pep, nationality, cash, remote)) => Profile {
                pep: crate::domain::aml::Pep::parse(&pep).ok_or(Error::DatabaseDamaged)?,
                nationality,
                cash: crate::domain::aml::Cash::parse(&cash).ok_or(Error::DatabaseDamaged)?,
                remote,
            },
        })
    }

    /// The product categories a client holds and the highest product risk among them.
    fn products_held(
        &self,
        seq: i64,
        rules: &crate::sync::reference::PortfolioRules,
    ) -> Result<(BTreeSet<String>, u8)> {
        let products: Vec<String> = self
            .conn
            .prepare_cached("SELECT DISTINCT product FROM holding WHERE client_seq = ?1")?
            .query_map([seq], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(categories_of(&products, rules))
    }

    /// What the table in force makes of a client now.
    pub(crate) fn compute_rating(
        &self,
        seq: i64,
        stored: &StoredClient,
        profile: &Profile,
        table: &FactorTable,
        rules: &crate::sync::reference::PortfolioRules,
    ) -> Result<Computed> {
        let (categories, product_risk) = self.products_held(seq, rules)?;
        Ok(table.rate(&Inputs {
            record: &stored.record,
            profile,
            categories: &categories,
            product_risk,
            today: self.today(),
        }))
    }

    /// A client's ratings, newest first.
    fn rating_history(&self, client_id: &str) -> Result<Vec<RatingRecord>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT kind, outcome, computed, score, factors, level, note, rated_on, next_review,
                    by_staff, approved_by, table_version
             FROM aml_rating WHERE client_id = ?1 ORDER BY hlc DESC",
        )?;
        let mut rows = statement.query([client_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let outcome: Option<String> = r.get(1)?;
            let factors: String = r.get(4)?;
            out.push(RatingRecord {
                kind: r.get(0)?,
                outcome: outcome.as_deref().and_then(Outcome::parse),
                computed: r.get(2)?,
                score: r.get(3)?,
                factors: serde_json::from_str(&factors).map_err(|_| Error::DatabaseDamaged)?,
                level: r.get(5)?,
                note: r.get(6)?,
                rated_on: state::day(&r.get::<_, String>(7)?)?,
                next_review: state::day(&r.get::<_, String>(8)?)?,
                by_staff: r.get(9)?,
                approved_by: r.get(10)?,
                table_version: r.get(11)?,
            });
        }
        Ok(out)
    }

    fn open_triggers(&self, client_id: &str) -> Result<Vec<OpenTrigger>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT kind, raised_on, detail FROM aml_trigger t
             WHERE client_id = ?1
               AND hlc > coalesce((SELECT max(hlc) FROM aml_rating
                                   WHERE client_id = ?1 AND kind <> 'rerate'), -1)
             ORDER BY raised_on",
        )?;
        let mut rows = statement.query([client_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            out.push(OpenTrigger {
                kind: Trigger::parse(&kind).ok_or(Error::DatabaseDamaged)?,
                raised_on: state::day(&r.get::<_, String>(1)?)?,
                detail: r.get(2)?,
            });
        }
        Ok(out)
    }

    /// The day the relationship with a client ended, if it has.
    pub(crate) fn closed_on(&self, client_id: &str) -> Result<Option<NaiveDate>> {
        let found: Option<String> = self
            .conn
            .prepare_cached("SELECT closed_on FROM client_closure WHERE id = ?1")?
            .query_row([client_id], |r| r.get(0))
            .optional()?;
        found.as_deref().map(state::day).transpose()
    }

    fn lifted_on(&self, client_id: &str, day: NaiveDate) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM restriction_override WHERE client_id = ?1 AND on_date = ?2",
            )?
            .query_row(params![client_id, day.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Refuses business with a client whose relationship has ended, or whose expired
    /// identity document restricts them (unless a manager lifted it for today). Every write
    /// for a client but an ID update, a note, a complaint and the risk desk's own goes
    /// through this.
    pub(crate) fn check_business(&self, stored: &StoredClient) -> Result<()> {
        if let Some(on) = self.closed_on(&stored.id)? {
            return Err(Error::ClientClosed {
                client: stored.client_no.clone(),
                on,
            });
        }
        let rules = self.portfolio_rules()?;
        let today = self.today();
        if let Some(since) = rules.aml.restricted_from(stored.record.id_expiry)
            && today >= since
            && !self.lifted_on(&stored.id, today)?
        {
            return Err(Error::ClientRestricted {
                client: stored.client_no.clone(),
                since,
            });
        }
        Ok(())
    }

    /// A client's AML line for their record: the restriction and closure for everyone,
    /// the level, factors and next due day for staff who see ratings (an RM: their own
    /// clients'). Read as part of opening the record (which is audited).
    pub(crate) fn risk_line(&self, seq: i64) -> Result<crate::domain::aml::RiskLine> {
        let sql = format!(
            "SELECT {} FROM client WHERE seq = ?1",
            crate::store::clients::CLIENT_COLUMNS
        );
        let stored = self
            .conn
            .prepare_cached(&sql)?
            .query_row([seq], |r| Ok(crate::store::clients::client_from_row(r)))
            .optional()?
            .transpose()?;
        let Some((_, stored)) = stored else {
            return Ok(Default::default());
        };
        let rules = self.portfolio_rules()?;
        let table = &rules.aml;
        let today = self.today();
        let mut line = crate::domain::aml::RiskLine {
            restricted_since: table
                .restricted_from(stored.record.id_expiry)
                .filter(|since| today >= *since),
            lifted_today: self.lifted_on(&stored.id, today)?,
            closed_on: self.closed_on(&stored.id)?,
            ..Default::default()
        };
        let sees = self.me.role.can(Permission::ViewRisk)
            && (self.me.role != Role::Rm
                || stored.record.assigned_rm.as_deref() == Some(self.me.id.as_str()));
        if !sees {
            return Ok(line);
        }
        let level: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT level FROM aml_rating WHERE client_id = ?1 ORDER BY hlc DESC LIMIT 1",
            )?
            .query_row([&stored.id], |r| r.get(0))
            .optional()?;
        let names = table.level_names();
        line.rated = level.is_some();
        line.level = level.and_then(|code| names.into_iter().find(|n| n.code == code));
        let profile = self.aml_profile(&stored.id)?;
        let computed = self.compute_rating(seq, &stored, &profile, table, &rules)?;
        line.factors = table
            .factor_names(&computed.contributions)
            .into_iter()
            .zip(computed.contributions.iter().map(|c| c.points))
            .collect();
        line.due = state::read_facts(&self.conn, Some(seq))?
            .first()
            .map(|f| state::row_of(table, &self.calendar, f))
            .map(|row| (row.due_kind.to_string(), row.due_on));
        Ok(line)
    }

    /// A client's risk page: the level and its factors, the next thing due, restriction,
    /// closure, open triggers and the history. Recorded in the audit trail.
    pub fn risk_show(&mut self, key: &str) -> Result<RiskView> {
        self.require(Permission::ViewRisk)?;
        let (seq, stored) = self.find_client(key)?;
        self.check_risk_scope(&stored, Permission::ViewRisk)?;
        self.ours(&stored)?;
        let rules = self.portfolio_rules()?;
        let table = &rules.aml;
        let profile = self.aml_profile(&stored.id)?;
        let computed = self.compute_rating(seq, &stored, &profile, table, &rules)?;
        let history = self.rating_history(&stored.id)?;
        let triggers = self.open_triggers(&stored.id)?;
        let closed_on = self.closed_on(&stored.id)?;
        let today = self.today();
        let facts = state::read_facts(&self.conn, Some(seq))?;
        let row = facts
            .first()
            .map(|f| state::row_of(table, &self.calendar, f))
            .ok_or_else(|| Error::ClientNotFound {
                key: key.to_string(),
            })?;
        let visibility = self.visibility_of(stored.record.assigned_rm.as_deref());
        let sees_balances = self.me.role.can(Permission::ViewPortfolio)
            && visibility == crate::domain::mask::Visibility::Full;
        let credit = credit::of_client(&self.conn, seq, &rules.products, sees_balances)?;
        let view = RiskView {
            client_no: stored.client_no.clone(),
            name: crate::domain::mask::name_as(&stored.record.name, visibility),
            rm: stored.record.assigned_rm.clone(),
            level: history.first().map(|h| h.level.clone()),
            computed_level: table
                .level(computed.rank)
                .map(|l| l.code.clone())
                .unwrap_or_default(),
            factor_names: table.factor_names(&computed.contributions),
            levels: table.level_names(),
            computed,
            table_version: table.version.clone(),
            due_kind: row.due_kind.to_string(),
            due_on: row.due_on,
            due: table.standing_of(row.due_on, today),
            restricted_since: row.restricted_on.filter(|since| today >= *since),
            lifted_today: self.lifted_on(&stored.id, today)?,
            closed_on,
            kyc_due_on: row.kyc_due_on,
            profile,
            triggers,
            credit,
            history,
        };
        self.audit_only(crate::store::write::AuditEvent::new(
            "risk.show",
            "client",
            stored.id.clone(),
        ))?;
        Ok(view)
    }
}

/// The categories of `products` and the highest product risk among them.
pub(crate) fn categories_of(
    products: &[String],
    rules: &crate::sync::reference::PortfolioRules,
) -> (BTreeSet<String>, u8) {
    let mut categories = BTreeSet::new();
    let mut risk = 0;
    for code in products {
        if let Some(p) = rules.products.iter().find(|p| &p.code == code) {
            categories.insert(p.category.clone());
            risk = risk.max(p.risk);
        }
    }
    (categories, risk)
}

impl RiskView {
    /// What a rating or review just recorded says: the level in force and the next day due.
    pub fn recorded(&self, i18n: &crate::i18n::I18n) -> String {
        let level = i18n.aml_level(&self.levels, self.level.as_deref().unwrap_or(""));
        let key = if self.history.first().is_some_and(|h| h.kind == "review") {
            "cli.risk_reviewed"
        } else {
            "cli.risk_rated"
        };
        i18n.fill(
            key,
            &[
                ("client", &self.client_no),
                ("level", &level),
                ("next", &self.due_on.to_string()),
            ],
        )
    }
}

/// An early-review trigger being raised: for which client, what, on which day, and a
/// detail (a receipt number, the expired document's date, a note's ID).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raised<'a> {
    pub seq: i64,
    pub client_id: &'a str,
    pub trigger: Trigger,
    pub on: NaiveDate,
    pub detail: &'a str,
}

/// Raises an early-review trigger for a client of this branch in the caller's write, and
/// brings their desk row up to date. (A client of another branch is that branch's to
/// review.)
pub(crate) fn raise_trigger(
    w: &mut Writer,
    session_rules: &crate::sync::reference::PortfolioRules,
    calendar: &crate::domain::calendar::WorkCalendar,
    raised: &Raised,
) -> Result<()> {
    if insert_trigger(w, raised)? {
        state::refresh(w, &session_rules.aml, calendar, raised.seq)?;
    }
    Ok(())
}

/// Records an early-review trigger for a client of this branch whose relationship is open
/// (whether it did): the caller brings the desk row up to date.
pub(crate) fn insert_trigger(w: &mut Writer, raised: &Raised) -> Result<bool> {
    let Raised {
        seq,
        client_id,
        trigger,
        on,
        detail,
    } = *raised;
    // Another branch's client is that branch's to review; an ended relationship is
    // reviewed no more.
    let open_here: bool = w
        .read(
            "SELECT foreign_branch = 0 AND NOT EXISTS (SELECT 1 FROM client_closure WHERE id = ?2)
             FROM client WHERE seq = ?1",
            params![seq, client_id],
            |r| r.get(0),
        )?
        .unwrap_or(false);
    if !open_here {
        return Ok(false);
    }
    w.insert(
        Table::AmlTrigger,
        &uuid::Uuid::now_v7().to_string(),
        vec![
            ("client_id", Value::Text(client_id.to_string())),
            ("kind", Value::Text(trigger.code().into())),
            ("raised_on", Value::Text(on.to_string())),
            ("detail", Value::Text(detail.to_string())),
            ("created_at", Value::Text(w.now_text())),
        ],
    )?;
    Ok(true)
}
