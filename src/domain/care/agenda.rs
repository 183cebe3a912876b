//! An agenda of care reminders: whose clients it covers, its items in day order, and the
//! views the screens take of it (what is still worth acting on, reminders per day).

use super::{Reason, Section, Standing};
use crate::domain::staff::Role;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Whose clients an agenda covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareScope {
    /// The clients assigned to me.
    Mine,
    /// Every client of the branch.
    Branch,
}

impl CareScope {
    /// What a role sees unless it asks otherwise: an RM their own book, others the branch.
    pub fn default_for(role: Role) -> CareScope {
        if role == Role::Rm {
            CareScope::Mine
        } else {
            CareScope::Branch
        }
    }

    /// Whether a role may choose between its own book and the whole branch (an RM sees
    /// only their own clients).
    pub fn may_choose(role: Role) -> bool {
        role != Role::Rm
    }

    /// The scope a role gets when it asks for `asked` (None: its default).
    pub fn granted(role: Role, asked: Option<CareScope>) -> CareScope {
        match asked {
            Some(scope) if CareScope::may_choose(role) => scope,
            _ => CareScope::default_for(role),
        }
    }
}

/// One reminder on an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareItem {
    /// What to give `care done` and friends.
    pub id: String,
    /// The day it shows on (a snoozed reminder shows on the day it was snoozed to).
    pub on: NaiveDate,
    /// The day it fell on.
    pub first_on: NaiveDate,
    pub standing: Standing,
    pub section: Section,
    pub client_no: Option<String>,
    /// Masked unless this staff member may see the client in full.
    pub name: Option<String>,
    pub rm: Option<String>,
    #[serde(flatten)]
    pub reason: Reason,
}

/// An agenda: the reminders of `from..=to`, in day order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agenda {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub scope: CareScope,
    pub items: Vec<CareItem>,
}

impl Agenda {
    /// The days an agenda covers when staff ask for "what is coming": open reminders of the
    /// last [`OVERDUE_DAYS`](super::OVERDUE_DAYS) (overdue) through `days_ahead` after today.
    pub fn window(today: NaiveDate, days_ahead: i64) -> (NaiveDate, NaiveDate) {
        (
            today - Duration::days(super::OVERDUE_DAYS),
            today + Duration::days(days_ahead),
        )
    }

    /// The items still worth acting on: overdue ones past their grace period are left out.
    pub fn current(&self) -> impl Iterator<Item = &CareItem> {
        self.items
            .iter()
            .filter(|i| !super::lapsed(&i.reason, i.on, self.today))
    }

    /// Drops the overdue items past their grace period (what the workstation shows).
    pub fn without_lapsed(mut self) -> Agenda {
        let today = self.today;
        self.items
            .retain(|i| !super::lapsed(&i.reason, i.on, today));
        self
    }

    /// Reminders per day of `from..=to` (for the heat strip).
    pub fn per_day(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, u32)> {
        let mut counts: Vec<(NaiveDate, u32)> = Vec::new();
        let mut day = from;
        while day <= to {
            counts.push((day, 0));
            day += Duration::days(1);
        }
        for item in &self.items {
            if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == item.on) {
                slot.1 += 1;
            }
        }
        counts
    }
}
