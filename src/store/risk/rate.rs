//! The risk desk's writes: a rating, a review, the facts a rating needs, a manager lifting
//! a restriction for the day, the end of a relationship, a deletion after the retention
//! period, and the re-rating of the whole branch when HQ's factor table changes. Each goes
//! through the one write path and brings the client's desk row up to date in the same
//! transaction.

use super::state;
use crate::domain::aml::{Computed, Decision, FactorTable, Outcome, Pep, Profile, Trigger};
use crate::domain::client::StoredClient;
use crate::domain::staff::{Permission, Role, StaffId};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::{AuditEvent, Table, Writer};
use chrono::NaiveDate;
use rusqlite::types::Value;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

/// A second manager's approval: their ID and passphrase, checked as at login.
#[derive(Debug)]
pub struct Approval {
    pub staff_id: String,
    pub passphrase: SecretString,
}

/// A rating: at the computed level, or another one with a reason (and an approval when
/// lower).
#[derive(Default)]
pub struct RateRequest {
    pub level: Option<String>,
    pub note: String,
    pub approval: Option<Approval>,
}

/// A review: its outcome, the level when it is not one step, the evidence noted.
pub struct ReviewRequest {
    pub outcome: Outcome,
    pub level: Option<String>,
    pub note: String,
    pub approval: Option<Approval>,
}

/// The columns of a client's AML facts as written.
pub(crate) fn profile_fields(w: &Writer, profile: &Profile) -> Vec<(&'static str, Value)> {
    vec![
        ("pep", Value::Text(profile.pep.code().into())),
        ("nationality", Value::Text(profile.nationality.clone())),
        ("cash", Value::Text(profile.cash.code().into())),
        ("remote", Value::Integer(i64::from(profile.remote))),
        ("updated_at", Value::Text(w.now_text())),
    ]
}

/// What staff asked for: a rating (no outcome) or a review.
struct Asked<'a> {
    outcome: Option<Outcome>,
    level: Option<&'a str>,
    note: &'a str,
    approval: Option<&'a Approval>,
}

/// What a re-rating of the branch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RerateReport {
    pub clients: usize,
    /// Ratings written (first ratings and changed results).
    pub rated: usize,
    /// Of those, clients whose level changed.
    pub changed: usize,
    pub table_version: String,
}

/// One rating row to write.
pub(super) struct NewRating<'a> {
    pub kind: &'static str,
    pub outcome: Option<Outcome>,
    pub computed: &'a Computed,
    pub level: &'a str,
    pub note: &'a str,
    pub rated_on: NaiveDate,
    pub next_review: NaiveDate,
    pub by_staff: &'a str,
    pub approved_by: Option<&'a str>,
}

pub(super) fn insert_rating(
    w: &mut Writer,
    table: &FactorTable,
    client_id: &str,
    rating: &NewRating,
) -> Result<()> {
    let fields = rating_fields(w, table, client_id, rating)?;
    w.insert(Table::AmlRating, &uuid::Uuid::now_v7().to_string(), fields)
}

/// [`insert_rating`] as one row of a bulk write, whose outbox entry is the range the
/// caller captures at the end.
pub(super) fn insert_rating_in_range(
    w: &mut Writer,
    table: &FactorTable,
    client_id: &str,
    rating: &NewRating,
) -> Result<()> {
    let fields = rating_fields(w, table, client_id, rating)?;
    w.insert_in_range(
        Table::AmlRating,
        &uuid::Uuid::now_v7().to_string(),
        fields,
        Vec::new(),
    )
}

fn rating_fields(
    w: &Writer,
    table: &FactorTable,
    client_id: &str,
    rating: &NewRating,
) -> Result<Vec<(&'static str, Value)>> {
    let computed_level = table
        .level(rating.computed.rank)
        .map(|l| l.code.clone())
        .unwrap_or_default();
    let factors = serde_json::to_string(&rating.computed.contributions).map_err(Error::internal)?;
    Ok(vec![
        ("client_id", Value::Text(client_id.to_string())),
        ("kind", Value::Text(rating.kind.into())),
        (
            "outcome",
            rating
                .outcome
                .map_or(Value::Null, |o| Value::Text(o.code().into())),
        ),
        ("computed", Value::Text(computed_level)),
        ("score", Value::Integer(i64::from(rating.computed.score))),
        ("factors", Value::Text(factors)),
        ("level", Value::Text(rating.level.to_string())),
        ("note", Value::Text(rating.note.to_string())),
        ("rated_on", Value::Text(rating.rated_on.to_string())),
        ("next_review", Value::Text(rating.next_review.to_string())),
        ("by_staff", Value::Text(rating.by_staff.to_string())),
        (
            "approved_by",
            rating
                .approved_by
                .map_or(Value::Null, |a| Value::Text(a.to_string())),
        ),
        ("table_version", Value::Text(table.version.clone())),
        ("created_at", Value::Text(w.now_text())),
    ])
}

impl Session {
    fn level_rank(table: &FactorTable, code: &str) -> Result<usize> {
        table
            .rank_of(code.trim())
            .ok_or_else(|| Error::UnknownAmlLevel {
                code: code.trim().to_string(),
                levels: table.levels.iter().map(|l| l.code.clone()).collect(),
            })
    }

    /// Checks a second manager's ID and passphrase (failures count towards their lockout,
    /// as at login) and returns their ID and role.
    fn approver(&mut self, approval: Option<&Approval>) -> Result<Option<(String, Role)>> {
        let Some(approval) = approval else {
            return Ok(None);
        };
        let id = StaffId::parse(&approval.staff_id).map_err(|_| Error::ApproverRefused)?;
        let checked = crate::store::session::check_slot(
            &self.paths,
            &self.slots,
            &id,
            &approval.passphrase,
            self.clock.as_ref(),
        );
        if let Err(error) = checked {
            // A failed approval is on the trail as a failed login is.
            if matches!(error, Error::WrongCredentials | Error::AccountLocked { .. }) {
                self.audit_only(AuditEvent::new(
                    "risk.approval_failed",
                    "staff",
                    id.as_str(),
                ))?;
            }
            return Err(match error {
                Error::WrongCredentials => Error::ApproverRefused,
                other => other,
            });
        }
        let role: Option<String> = self
            .conn
            .prepare_cached("SELECT role FROM staff WHERE id = ?1 AND status = 'active'")?
            .query_row([id.as_str()], |r| r.get(0))
            .ok();
        let role = role
            .and_then(|r| r.parse::<Role>().ok())
            .ok_or(Error::ApproverRefused)?;
        Ok(Some((id.as_str().to_string(), role)))
    }

    /// Whether the client has been reviewed since their first rating.
    fn reviewed_before(&self, client_id: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM aml_rating WHERE client_id = ?1 AND kind = 'review')",
            )?
            .query_row([client_id], |r| r.get(0))?)
    }

    /// Rates a client: the level computed from the factor table in force, or `level` with a
    /// reason (above the computed one by a manager; below it with a second manager's
    /// approval).
    pub fn risk_rate(&mut self, key: &str, request: &RateRequest) -> Result<super::RiskView> {
        self.decide(
            key,
            &Asked {
                outcome: None,
                level: request.level.as_deref(),
                note: &request.note,
                approval: request.approval.as_ref(),
            },
        )
    }

    /// Records a review: its outcome (kept, raised, lowered: one level unless `level` says
    /// which), the evidence noted, who reviewed. Closes the open triggers and confirms the
    /// client's details for the KYC refresh.
    pub fn risk_review(&mut self, key: &str, request: &ReviewRequest) -> Result<super::RiskView> {
        self.decide(
            key,
            &Asked {
                outcome: Some(request.outcome),
                level: request.level.as_deref(),
                note: &request.note,
                approval: request.approval.as_ref(),
            },
        )
    }

    /// A rating (no outcome) or a review, checked by [`Decision::check`] against the level
    /// computed now and the one in force, and recorded with the factors it was made on.
    fn decide(&mut self, key: &str, asked: &Asked) -> Result<super::RiskView> {
        self.require(Permission::RateRisk)?;
        let (seq, stored) = self.find_client(key)?;
        self.check_risk_scope(&stored, Permission::RateRisk)?;
        self.ours(&stored)?;
        self.refuse_closed(&stored)?;
        let rules = self.portfolio_rules()?;
        let table = &rules.aml;
        let previous = self
            .rating_history(&stored.id)?
            .first()
            .and_then(|h| table.rank_of(&h.level));
        let profile = self.aml_profile(&stored.id)?;
        let computed = self.compute_rating(seq, &stored, &profile, table, &rules)?;
        match (asked.outcome, previous) {
            (Some(_), None) => {
                return Err(Error::NotRated {
                    client: stored.client_no.clone(),
                });
            }
            // A rated client's level changes at a review, by its rules, never by rating
            // them again.
            (None, Some(_)) => {
                return Err(Error::AlreadyRated {
                    client: stored.client_no.clone(),
                });
            }
            _ => {}
        }
        let from = previous.unwrap_or(computed.rank);
        let chosen = match (asked.level, asked.outcome) {
            (Some(code), _) => Self::level_rank(table, code)?,
            (None, None) => computed.rank,
            (None, Some(Outcome::Kept)) => from,
            (None, Some(Outcome::Raised)) => from.saturating_sub(1),
            (None, Some(Outcome::Lowered)) => (from + 1).min(table.lowest()),
        };
        // A second manager's passphrase is asked only where the decision needs it (a
        // level below the computed one): nobody tries one out otherwise.
        let approver = if chosen > computed.rank {
            self.approver(asked.approval)?
        } else {
            None
        };
        Decision {
            actor: self.me.role,
            approver: approver.as_ref().map(|(id, role)| (id.as_str(), *role)),
            actor_id: self.me.id.as_str(),
            reason: asked.note,
            computed: computed.rank,
            previous,
            chosen,
            outcome: asked.outcome,
        }
        .check()
        .map_err(|refusal| Error::RatingRefused { refusal })?;
        let today = self.today();
        // A rating before any review counts towards the first review's deadline.
        let first = asked.outcome.is_none() && !self.reviewed_before(&stored.id)?;
        let level = table
            .level(chosen)
            .map(|l| l.code.clone())
            .unwrap_or_default();
        let next_review = table.next_review(chosen, today, first);
        let me = self.me.id.to_string();
        let calendar = self.calendar.clone();
        let (action, kind) = match asked.outcome {
            None => ("risk.rate", "rating"),
            Some(_) => ("risk.review", "review"),
        };
        let event = AuditEvent::new(action, "client", stored.id.clone()).with_detail(json!({
            "outcome": asked.outcome.map(Outcome::code), "level": level,
            "computed": computed.rank, "score": computed.score,
            "approved_by": approver.as_ref().map(|(id, _)| id.clone()),
        }));
        self.write(event, |w| {
            insert_rating(
                w,
                table,
                &stored.id,
                &NewRating {
                    kind,
                    outcome: asked.outcome,
                    computed: &computed,
                    level: &level,
                    note: asked.note.trim(),
                    rated_on: today,
                    next_review,
                    by_staff: &me,
                    approved_by: approver.as_ref().map(|(id, _)| id.as_str()),
                },
            )?;
            state::refresh(w, table, &calendar, seq)
        })?;
        self.risk_show(&stored.id)
    }

    /// Records the facts a rating needs that the record does not hold. Setting a PEP flag
    /// asks for an early review.
    pub fn set_aml_profile(&mut self, key: &str, profile: &Profile) -> Result<Profile> {
        self.require(Permission::RateRisk)?;
        let (seq, stored) = self.find_client(key)?;
        self.check_risk_scope(&stored, Permission::RateRisk)?;
        self.ours(&stored)?;
        self.refuse_closed(&stored)?;
        let nationality = profile.nationality.trim().to_uppercase();
        if !(nationality.is_empty()
            || (nationality.len() == 3 && nationality.bytes().all(|b| b.is_ascii_uppercase())))
        {
            return Err(Error::UnknownNationality { code: nationality });
        }
        let before = self.aml_profile(&stored.id)?;
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM aml_profile WHERE id = ?1)",
            [&stored.id],
            |r| r.get(0),
        )?;
        let after = Profile {
            nationality,
            ..profile.clone()
        };
        if exists && after == before {
            return Ok(after);
        }
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let today = self.today();
        let pep_set = after.pep != Pep::None && after.pep != before.pep;
        let event = AuditEvent::new("risk.profile", "client", stored.id.clone())
            .with_detail(json!({ "pep": after.pep.code(), "cash": after.cash.code() }));
        self.write(event, |w| {
            let fields = profile_fields(w, &after);
            if exists {
                w.update(Table::AmlProfile, &stored.id, fields)?;
            } else {
                w.insert(Table::AmlProfile, &stored.id, fields)?;
            }
            if pep_set {
                super::raise_trigger(
                    w,
                    &rules,
                    &calendar,
                    &crate::store::risk::Raised {
                        seq,
                        client_id: &stored.id,
                        trigger: Trigger::PepSet,
                        on: today,
                        detail: after.pep.code(),
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(after)
    }

    /// A manager lifts a restricted client's restriction for today, with a reason.
    pub fn lift_restriction(&mut self, key: &str, reason: &str) -> Result<NaiveDate> {
        let (_, stored, reason) = self.our_client_for(Permission::OverrideRisk, key, reason)?;
        let reason = reason.as_str();
        self.refuse_closed(&stored)?;
        let today = self.today();
        if !self
            .portfolio_rules()?
            .aml
            .restricted(stored.record.id_expiry, today)
        {
            return Err(Error::NotRestricted {
                client: stored.client_no.clone(),
            });
        }
        let event = AuditEvent::new("risk.lift", "client", stored.id.clone())
            .with_detail(json!({ "on": today.to_string(), "reason": reason }));
        let me = self.me.id.to_string();
        self.write(event, |w| {
            w.insert(
                Table::RestrictionOverride,
                &uuid::Uuid::now_v7().to_string(),
                vec![
                    ("client_id", Value::Text(stored.id.clone())),
                    ("on_date", Value::Text(today.to_string())),
                    ("reason", Value::Text(reason.to_string())),
                    ("by_staff", Value::Text(me)),
                    ("created_at", Value::Text(w.now_text())),
                ],
            )
        })?;
        Ok(today)
    }

    /// This branch's client `key`, for an action that needs `permission` and a reason for
    /// the trail (a few words, trimmed).
    pub(crate) fn our_client_for(
        &self,
        permission: Permission,
        key: &str,
        reason: &str,
    ) -> Result<(i64, StoredClient, String)> {
        self.require(permission)?;
        let (seq, stored) = self.find_client(key)?;
        self.ours(&stored)?;
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(Error::ReasonRequired);
        }
        Ok((seq, stored, reason.to_string()))
    }

    /// A client's rating, restriction and relationship are their home branch's.
    pub(crate) fn ours(&self, stored: &StoredClient) -> Result<()> {
        if stored.home_branch == self.branch.code {
            Ok(())
        } else {
            Err(Error::NotOurClient {
                client: stored.client_no.clone(),
                branch: stored.home_branch.clone(),
            })
        }
    }

    fn refuse_closed(&self, stored: &StoredClient) -> Result<()> {
        match self.closed_on(&stored.id)? {
            Some(on) => Err(Error::ClientClosed {
                client: stored.client_no.clone(),
                on,
            }),
            None => Ok(()),
        }
    }

    /// Ends the relationship with a client (a manager, with a reason). The record is kept,
    /// never changed again, and may not be deleted for the retention period.
    pub fn close_client(&mut self, key: &str, reason: &str) -> Result<NaiveDate> {
        let (seq, stored, reason) = self.our_client_for(Permission::CloseClient, key, reason)?;
        let reason = reason.as_str();
        self.refuse_closed(&stored)?;
        let today = self.today();
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let me = self.me.id.to_string();
        let event = AuditEvent::new("client.close", "client", stored.id.clone())
            .with_detail(json!({ "reason": reason }));
        self.write(event, |w| {
            w.insert(
                Table::ClientClosure,
                &stored.id,
                vec![
                    ("closed_on", Value::Text(today.to_string())),
                    ("reason", Value::Text(reason.to_string())),
                    ("by_staff", Value::Text(me)),
                    ("created_at", Value::Text(w.now_text())),
                ],
            )?;
            state::refresh(w, &rules.aml, &calendar, seq)
        })?;
        Ok(today)
    }

    /// Rates every client of the branch with the factor table in force, in one
    /// transaction: a first rating for the unrated, a new one for each client whose result
    /// (computed level or factors) changed. A level set by managers stands while the result
    /// does not change, and one raised above the computed level while it is above the new
    /// one. Reviews fall due as before (a re-rating is no review), sooner where a level rose.
    pub fn rerate_branch(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<RerateReport> {
        self.require(Permission::OverrideRisk)?;
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let today = self.today();
        let me = self.me.id.to_string();
        let table = &rules.aml;
        let event = AuditEvent::new("risk.rerate", "branch", self.branch.code.clone())
            .with_detail(json!({ "table_version": table.version }));
        self.write(event, |w| {
            super::rerate::run(
                w,
                &super::rerate::Rerating {
                    rules: &rules,
                    calendar: &calendar,
                    today,
                    by_staff: &me,
                    unrated: super::rerate::Unrated::Rate,
                },
                progress,
            )
        })
    }

    /// The demo's AML history, as a core system migrated with its ratings would bring it:
    /// the facts recorded for some clients, and every client rated on the day `rated_on`
    /// gives (seq, computed rank; none: not rated yet). Demo stores only.
    pub fn seed_demo_risk(
        &mut self,
        profiles: &[(i64, Profile)],
        rated_on: &mut dyn FnMut(i64, usize) -> Option<NaiveDate>,
    ) -> Result<RerateReport> {
        if !self.branch.demo {
            return Err(Error::internal("demo ratings outside a demo store"));
        }
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let today = self.today();
        let me = self.me.id.to_string();
        let event = AuditEvent::new("demo.risk", "branch", self.branch.code.clone());
        self.write(event, |w| {
            for (seq, profile) in profiles {
                let id: Option<String> =
                    w.read("SELECT id FROM client WHERE seq = ?1", [seq], |r| r.get(0))?;
                let Some(id) = id else { continue };
                w.insert(Table::AmlProfile, &id, profile_fields(w, profile))?;
            }
            super::rerate::run_dated(
                w,
                &super::rerate::Rerating {
                    rules: &rules,
                    calendar: &calendar,
                    today,
                    by_staff: &me,
                    unrated: super::rerate::Unrated::Rate,
                },
                &mut |_, _| {},
                rated_on,
            )
        })
    }
}
