//! Care reminders: birthdays (solar or lunar), life events, years as a client, festivals,
//! and identity documents about to expire — when each falls, and what has been done about it.
//!
//! A reminder is found through keys stored per client (month-day for solar dates, lunar
//! month-day for lunar birthdays, the date itself for one-off dates): an agenda window turns
//! into a list of [`Probe`]s, one per key that a day of the window matches, so nothing scans
//! every client.

mod agenda;
mod events;
mod festivals;
mod reminders;
pub use events::*;
pub use festivals::*;
pub use reminders::*;

pub use agenda::{Agenda, CareItem, CareScope};

use super::lunar;
use crate::domain::client::BirthCalendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Days before today that unfinished reminders stay on the agenda as overdue (and after an
/// identity document's expiry).
pub const OVERDUE_DAYS: i64 = 30;
/// An identity document is flagged this many days before it expires.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;
/// Birthdays at these ages are flagged as milestones (大寿).
pub const MILESTONES: [i32; 5] = [60, 70, 80, 90, 100];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Marriage,
    ChildBirth,
    Retirement,
    Moving,
    Custom,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Marriage,
        EventKind::ChildBirth,
        EventKind::Retirement,
        EventKind::Moving,
        EventKind::Custom,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::Marriage => "marriage",
            EventKind::ChildBirth => "child_birth",
            EventKind::Retirement => "retirement",
            EventKind::Moving => "moving",
            EventKind::Custom => "custom",
        }
    }

    pub fn parse(code: &str) -> Option<EventKind> {
        let code = code.trim();
        EventKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The kinds of key a client (or one of their events) is found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    SolarBirthday = 1,
    LunarBirthday = 2,
    Relationship = 3,
    IdExpiry = 4,
    EventYearly = 5,
    EventOnce = 6,
    /// A detractor's survey response: call back.
    SurveyFollowUp = 7,
    /// A call HQ's holdings snapshot asks for (welcome to a tier, retention, maturity).
    PortfolioCall = 8,
    /// A loan that became overdue or moved down a category in HQ's holdings snapshot.
    CreditWarning = 9,
}

impl KeyKind {
    pub const ALL: [KeyKind; 9] = [
        KeyKind::SolarBirthday,
        KeyKind::LunarBirthday,
        KeyKind::Relationship,
        KeyKind::IdExpiry,
        KeyKind::EventYearly,
        KeyKind::EventOnce,
        KeyKind::SurveyFollowUp,
        KeyKind::PortfolioCall,
        KeyKind::CreditWarning,
    ];

    pub fn from_i64(n: i64) -> Option<KeyKind> {
        KeyKind::ALL.into_iter().find(|k| *k as i64 == n)
    }
}

/// One index entry: found when a probe asks for (`kind`, `key`) with `since` before its
/// bound. `since` is the year it started (birth, registration, event), 0 when it does not
/// matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CareKey {
    pub kind: KeyKind,
    pub key: i64,
    pub since: i32,
}

pub fn month_day_key(date: NaiveDate) -> i64 {
    i64::from(date.month() * 100 + date.day())
}

pub fn date_key(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 10_000 + month_day_key(date)
}

pub fn date_of_key(key: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(key / 10_000).ok()?,
        u32::try_from(key / 100 % 100).ok()?,
        u32::try_from(key % 100).ok()?,
    )
}

/// A lunar month-day as one number: leap × 10000 + month × 100 + day.
pub fn lunar_key(month: u8, leap: bool, day: u8) -> i64 {
    i64::from(leap) * 10_000 + i64::from(month) * 100 + i64::from(day)
}

/// A lunar month and day (of a birth), for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LunarMonthDay {
    pub month: u8,
    pub leap: bool,
    pub day: u8,
}

impl LunarMonthDay {
    pub fn from_key(key: i64) -> LunarMonthDay {
        LunarMonthDay {
            month: (key / 100 % 100) as u8,
            leap: key >= 10_000,
            day: (key % 100) as u8,
        }
    }

    pub fn zh(self) -> String {
        lunar::month_day_zh(self.month, self.leap, self.day)
    }

    pub fn en(self) -> String {
        lunar::month_day_en(self.month, self.leap, self.day)
    }
}

/// The keys a client is found by. Companies have no birthdays; years as a client count
/// from registration.
pub fn client_keys(
    company: bool,
    birth: Option<NaiveDate>,
    calendar: BirthCalendar,
    id_expiry: Option<NaiveDate>,
    registered_on: NaiveDate,
) -> Vec<CareKey> {
    let mut keys = Vec::with_capacity(3);
    if let (false, Some(birth)) = (company, birth) {
        match (calendar, lunar::to_lunar(birth)) {
            (BirthCalendar::Lunar, Some(l)) => keys.push(CareKey {
                kind: KeyKind::LunarBirthday,
                key: lunar_key(l.month, l.leap, l.day),
                since: l.year,
            }),
            // Solar, or a lunar birth outside the calendar's years: by the solar date.
            _ => keys.push(CareKey {
                kind: KeyKind::SolarBirthday,
                key: month_day_key(birth),
                since: birth.year(),
            }),
        }
    }
    keys.push(CareKey {
        kind: KeyKind::Relationship,
        key: month_day_key(registered_on),
        since: registered_on.year(),
    });
    if let Some(expiry) = id_expiry {
        keys.push(CareKey {
            kind: KeyKind::IdExpiry,
            key: date_key(expiry),
            since: 0,
        });
    }
    keys
}

pub fn event_key(date: NaiveDate, recurring: bool) -> CareKey {
    if recurring {
        CareKey {
            kind: KeyKind::EventYearly,
            key: month_day_key(date),
            since: date.year(),
        }
    } else {
        CareKey {
            kind: KeyKind::EventOnce,
            key: date_key(date),
            since: 0,
        }
    }
}

/// A lookup for one day of an agenda window: entries of `kind` with `key` whose `since`
/// is before `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub kind: KeyKind,
    pub key: i64,
    pub before: i32,
    pub on: NaiveDate,
}

/// Every probe for the days `from..=to`. Feb 29 anniversaries fall on Feb 28 in common
/// years; lunar birthdays follow [`lunar::anniversary`] (leap months, short months).
pub fn probes(from: NaiveDate, to: NaiveDate) -> Vec<Probe> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let mut solar_keys = vec![month_day_key(day)];
        let common_feb_28 = day.month() == 2 && day.day() == 28 && !is_leap_year(day.year());
        if common_feb_28 {
            solar_keys.push(229);
        }
        for key in solar_keys {
            for kind in [
                KeyKind::SolarBirthday,
                KeyKind::Relationship,
                KeyKind::EventYearly,
            ] {
                out.push(Probe {
                    kind,
                    key,
                    before: day.year(),
                    on: day,
                });
            }
        }
        for kind in [
            KeyKind::IdExpiry,
            KeyKind::EventOnce,
            KeyKind::SurveyFollowUp,
            KeyKind::PortfolioCall,
            KeyKind::CreditWarning,
        ] {
            out.push(Probe {
                kind,
                key: date_key(day),
                before: i32::MAX,
                on: day,
            });
        }
        if let Some(l) = lunar::to_lunar(day) {
            for key in lunar_keys_kept_on(l) {
                out.push(Probe {
                    kind: KeyKind::LunarBirthday,
                    key,
                    before: l.year,
                    on: day,
                });
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out
}

/// The lunar birth month-days celebrated on the lunar date `l`: its own, a leap-month
/// birth of this month number when the year has no such leap month, and day 30 when this
/// month has only 29 days.
fn lunar_keys_kept_on(l: lunar::LunarDate) -> Vec<i64> {
    let mut months = vec![(l.month, l.leap)];
    if !l.leap && lunar::leap_month(l.year) != Some(l.month) {
        months.push((l.month, true));
    }
    let mut days = vec![l.day];
    if l.day == 29 && lunar::month_days(l.year, l.month, l.leap) == Some(29) {
        days.push(30);
    }
    let mut keys = Vec::new();
    for (month, leap) in months {
        for day in &days {
            keys.push(lunar_key(month, leap, *day));
        }
    }
    keys
}

fn is_leap_year(year: i32) -> bool {
    NaiveDate::from_ymd_opt(year, 2, 29).is_some()
}

#[cfg(test)]
mod tests;
