//! When things fall due: a new client's rating within so many working days of registration,
//! the next review by level (the first within so many months of the first rating), the day
//! an expired identity document restricts the client's business, the KYC refresh, and the
//! first day a closed relationship's record may be deleted.

use super::table::FactorTable;
use crate::domain::calendar::WorkCalendar;
use crate::domain::client::IdExpiry;
use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

impl FactorTable {
    /// The last day to rate a client registered on `registered_on`: the n-th working day
    /// after it (the day of registration does not count).
    pub fn rate_by(&self, calendar: &WorkCalendar, registered_on: NaiveDate) -> NaiveDate {
        add_working_days(
            calendar,
            registered_on,
            self.schedule.rate_within_working_days,
        )
    }

    /// The last day of an early review asked for on `raised_on`.
    pub fn early_review_by(&self, calendar: &WorkCalendar, raised_on: NaiveDate) -> NaiveDate {
        add_working_days(
            calendar,
            raised_on,
            self.schedule.early_review_within_working_days,
        )
    }

    /// The next review after a rating or review on `on` at level `rank`; `first` when no
    /// review has followed the client's first rating yet.
    pub fn next_review(&self, rank: usize, on: NaiveDate, first: bool) -> NaiveDate {
        let months = self
            .level(rank)
            .map_or(self.schedule.first_review_within_months, |l| {
                l.review_months
            });
        let months = if first {
            months.min(self.schedule.first_review_within_months)
        } else {
            months
        };
        on.checked_add_months(Months::new(months)).unwrap_or(on)
    }

    /// The first day a client with this document is restricted: the day after the grace
    /// period that follows its expiry. None for a document without an end.
    pub fn restricted_from(&self, expiry: IdExpiry) -> Option<NaiveDate> {
        match expiry {
            IdExpiry::On(day) => {
                day.checked_add_days(Days::new(u64::from(self.schedule.id_grace_days) + 1))
            }
            IdExpiry::LongTerm | IdExpiry::Unknown => None,
        }
    }

    /// Whether a client with this document is restricted on `today`.
    pub fn restricted(&self, expiry: IdExpiry, today: NaiveDate) -> bool {
        self.restricted_from(expiry)
            .is_some_and(|from| today >= from)
    }

    /// When identity and contact details confirmed on `on` are due for confirmation again.
    pub fn kyc_due(&self, on: NaiveDate) -> NaiveDate {
        on.checked_add_months(Months::new(12 * self.schedule.kyc_refresh_years))
            .unwrap_or(on)
    }

    /// The first day the record of a relationship ended on `ended_on` may be deleted.
    pub fn deletable_from(&self, ended_on: NaiveDate) -> NaiveDate {
        ended_on
            .checked_add_months(Months::new(12 * self.schedule.retention_years))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether a record may be deleted on `today`: never while the relationship is open,
    /// never inside the retention period after it ended.
    pub fn may_delete(&self, ended_on: Option<NaiveDate>, today: NaiveDate) -> Result<(), Kept> {
        match ended_on {
            None => Err(Kept::RelationshipOpen),
            Some(ended) => {
                let until = self.deletable_from(ended);
                if today < until {
                    Err(Kept::Retention { until })
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Where a due day stands on `today`.
    pub fn standing_of(&self, due_on: NaiveDate, today: NaiveDate) -> Due {
        if due_on < today {
            Due::Overdue
        } else if due_on
            <= today
                .checked_add_days(Days::new(u64::from(self.schedule.due_soon_days)))
                .unwrap_or(NaiveDate::MAX)
        {
            Due::Soon
        } else {
            Due::Later
        }
    }
}

/// Why a record must be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kept")]
pub enum Kept {
    /// The relationship has not been ended.
    RelationshipOpen,
    /// Inside the retention period: deletable from `until`.
    Retention { until: NaiveDate },
}

/// A due day against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Overdue,
    Soon,
    Later,
}

/// The n-th working day after `from` (`from` itself does not count).
pub fn add_working_days(calendar: &WorkCalendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut counted = 0;
    // Bounded: n working days never span more than n + 120 calendar days.
    for _ in 0..(n as usize + 120) {
        if counted == n {
            break;
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
        if !calendar.is_rest_day(day) {
            counted += 1;
        }
    }
    day
}
