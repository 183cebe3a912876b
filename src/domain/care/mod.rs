//! Care reminders: birthdays (solar or lunar), life events, years as a client, festivals,
//! and identity documents about to expire — when each falls, and what has been done about it.
//!
//! A reminder is found through keys stored per client (month-day for solar dates, lunar
//! month-day for lunar birthdays, the date itself for one-off dates): an agenda window turns
//! into a list of [`Probe`]s, one per key that a day of the window matches, so nothing scans
//! every client.

mod agenda;
pub use agenda::{Agenda, CareItem, CareScope};

use super::client::BirthCalendar;
use super::lunar;
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
}

impl KeyKind {
    pub const ALL: [KeyKind; 7] = [
        KeyKind::SolarBirthday,
        KeyKind::LunarBirthday,
        KeyKind::Relationship,
        KeyKind::IdExpiry,
        KeyKind::EventYearly,
        KeyKind::EventOnce,
        KeyKind::SurveyFollowUp,
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

/// What a reminder is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    Birthday {
        age: i32,
        /// The lunar birth date, for clients who celebrate by the lunar calendar.
        lunar: Option<LunarMonthDay>,
        milestone: bool,
    },
    Event {
        kind: EventKind,
        label: Option<String>,
        /// Years since, for anniversaries; None for a one-off date.
        years: Option<i32>,
    },
    Relationship {
        years: i32,
    },
    IdExpiry {
        expires_on: NaiveDate,
    },
    Festival {
        code: String,
        lunar: Option<LunarMonthDay>,
        /// The clients to greet (the staff member's own, or the branch's).
        clients: u64,
    },
    /// A survey answered with a low score: call the client back by `due`.
    #[serde(rename = "survey")]
    SurveyFollowUp {
        template: String,
        nps: Option<u8>,
        rating: Option<u8>,
        due: NaiveDate,
    },
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Birthday { .. } => "birthday",
            Reason::Event { .. } => "event",
            Reason::Relationship { .. } => "relationship",
            Reason::IdExpiry { .. } => "id_expiry",
            Reason::Festival { .. } => "festival",
            Reason::SurveyFollowUp { .. } => "survey",
        }
    }

    /// The catalog key of the suggested greeting (`greeting.<key>`).
    pub fn greeting_key(&self) -> String {
        match self {
            Reason::Birthday {
                milestone: true, ..
            } => "birthday_milestone".into(),
            Reason::Birthday { .. } => "birthday".into(),
            Reason::Event { kind, .. } => format!("event_{}", kind.code()),
            Reason::Relationship { .. } => "relationship".into(),
            Reason::IdExpiry { .. } => "id_expiry".into(),
            Reason::Festival { code, .. } => format!("festival_{code}"),
            Reason::SurveyFollowUp { .. } => "survey_follow_up".into(),
        }
    }
}

/// What the store knows of an entry that points at a row (`ref`): a life event, or a survey
/// response that calls for a follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDetail {
    Event(EventKind, Option<String>),
    Survey {
        template: String,
        nps: Option<u8>,
        rating: Option<u8>,
    },
}

/// The reason a key entry gives on the day `on`.
pub fn reason_for(
    kind: KeyKind,
    key: i64,
    since: i32,
    on: NaiveDate,
    detail: Option<KeyDetail>,
) -> Option<Reason> {
    Some(match kind {
        KeyKind::SolarBirthday => {
            let age = on.year() - since;
            Reason::Birthday {
                age,
                lunar: None,
                milestone: MILESTONES.contains(&age),
            }
        }
        KeyKind::LunarBirthday => {
            let age = lunar::to_lunar(on)?.year - since;
            Reason::Birthday {
                age,
                lunar: Some(LunarMonthDay::from_key(key)),
                milestone: MILESTONES.contains(&age),
            }
        }
        KeyKind::Relationship => Reason::Relationship {
            years: on.year() - since,
        },
        KeyKind::IdExpiry => Reason::IdExpiry {
            expires_on: date_of_key(key)?,
        },
        KeyKind::EventYearly | KeyKind::EventOnce => {
            let Some(KeyDetail::Event(kind_of_event, label)) = detail else {
                return None;
            };
            Reason::Event {
                kind: kind_of_event,
                label,
                years: (kind == KeyKind::EventYearly).then(|| on.year() - since),
            }
        }
        KeyKind::SurveyFollowUp => {
            let Some(KeyDetail::Survey {
                template,
                nps,
                rating,
            }) = detail
            else {
                return None;
            };
            Reason::SurveyFollowUp {
                template,
                nps,
                rating,
                due: on + chrono::Duration::days(super::survey::FOLLOW_UP_DAYS),
            }
        }
    })
}

/// A reminder's identity: what it is about, whom, and the day it first fell on
/// (`birthday:BJ0101-0000123:2026-09-25`). Acting on it never brings it back for that day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReminderId {
    pub reason: String,
    pub subject: String,
    pub on: NaiveDate,
}

impl ReminderId {
    pub fn parse(text: &str) -> Option<ReminderId> {
        let mut parts = text.trim().splitn(3, ':');
        let (reason, subject, on) = (parts.next()?, parts.next()?, parts.next()?);
        if reason.is_empty() || subject.is_empty() {
            return None;
        }
        Some(ReminderId {
            reason: reason.to_string(),
            subject: subject.to_string(),
            on: on.parse().ok()?,
        })
    }
}

impl std::fmt::Display for ReminderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.reason, self.subject, self.on)
    }
}

/// What was last done about a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Done,
    Snoozed,
    Dismissed,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Done => "done",
            Action::Snoozed => "snoozed",
            Action::Dismissed => "dismissed",
        }
    }

    pub fn parse(code: &str) -> Option<Action> {
        [Action::Done, Action::Snoozed, Action::Dismissed]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// Where a reminder stands on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Open,
    /// Snoozed to the day it now shows on.
    Snoozed,
}

/// The day a reminder shows on, given the last action on it, if it shows in `from..=to`.
pub fn shows_on(
    first_on: NaiveDate,
    last: Option<(Action, Option<NaiveDate>)>,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<(NaiveDate, Standing)> {
    let (day, standing) = match last {
        None => (first_on, Standing::Open),
        Some((Action::Snoozed, Some(until))) => (until, Standing::Snoozed),
        Some(_) => return None,
    };
    (from <= day && day <= to).then_some((day, standing))
}

/// Days after its day that a reminder is still worth acting on: a greeting weeks late is
/// no greeting, but an expired ID matters until it is renewed (within the agenda's reach).
pub fn grace_days(reason: &Reason) -> i64 {
    match reason {
        Reason::IdExpiry { .. } => OVERDUE_DAYS,
        _ => 7,
    }
}

/// Whether an open reminder is past its grace period on `today` (the agenda drops it).
pub fn lapsed(reason: &Reason, on: NaiveDate, today: NaiveDate) -> bool {
    (today - on).num_days() > grace_days(reason)
}

/// The parts of an agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Overdue,
    Today,
    Week,
    Month,
    Later,
}

pub fn section(on: NaiveDate, today: NaiveDate) -> Section {
    match (on - today).num_days() {
        ..0 => Section::Overdue,
        0 => Section::Today,
        1..=7 => Section::Week,
        8..=30 => Section::Month,
        _ => Section::Later,
    }
}

/// A festival the branch greets its clients for (`assets/festivals.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Festival {
    pub code: String,
    pub solar: Option<(u32, u32)>,
    pub lunar: Option<(u8, u8)>,
    /// Only clients of at least this age are greeted (重阳节: seniors).
    pub min_age: Option<i32>,
}

/// Reads the festival list; the error names what is wrong.
pub fn parse_festivals(text: &str) -> Result<Vec<Festival>, String> {
    #[derive(Deserialize)]
    struct File {
        festival: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        code: String,
        solar: Option<String>,
        lunar: Option<String>,
        min_age: Option<i32>,
    }
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let month_day = |text: &str| -> Result<(u32, u32), String> {
        let (m, d) = text
            .split_once('-')
            .ok_or_else(|| format!("{text} is not MM-DD"))?;
        Ok((
            m.parse().map_err(|_| format!("{text} is not MM-DD"))?,
            d.parse().map_err(|_| format!("{text} is not MM-DD"))?,
        ))
    };
    file.festival
        .into_iter()
        .map(|e| {
            let solar = e.solar.as_deref().map(month_day).transpose()?;
            let lunar = e
                .lunar
                .as_deref()
                .map(month_day)
                .transpose()?
                .map(|(m, d)| (m as u8, d as u8));
            if solar.is_some() == lunar.is_some() {
                return Err(format!("{}: give either solar or lunar", e.code));
            }
            Ok(Festival {
                code: e.code,
                solar,
                lunar,
                min_age: e.min_age,
            })
        })
        .collect()
}

/// The days in `from..=to` a festival falls on.
pub fn festival_days(festival: &Festival, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    for year in from.year() - 1..=to.year() {
        let day = match (festival.solar, festival.lunar) {
            (Some((m, d)), _) => NaiveDate::from_ymd_opt(year, m, d),
            // A lunar festival on day 30 (New Year's Eve) falls on day 29 in a short month.
            (_, Some((m, d))) => lunar::anniversary(year, m, false, d),
            _ => None,
        };
        if let Some(day) = day
            && from <= day
            && day <= to
        {
            days.push(day);
        }
    }
    days
}

/// A life event as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventInput {
    pub kind: String,
    pub date: String,
    /// "yes" for a yearly anniversary (the default), "no" for a one-off date.
    pub yearly: String,
    pub label: String,
}

/// A checked life event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifeEvent {
    pub kind: EventKind,
    pub date: NaiveDate,
    pub yearly: bool,
    pub label: Option<String>,
}

/// A field and the rule it broke (`care.field.<field>`, `rule.care.<rule>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CareError {
    pub field: &'static str,
    pub rule: &'static str,
}

/// Checks a life event against the client's birth date.
pub fn validate_event(
    input: &EventInput,
    birth: Option<NaiveDate>,
) -> Result<LifeEvent, Vec<CareError>> {
    let mut errors = Vec::new();
    let kind = EventKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(CareError {
            field: "kind",
            rule: if input.kind.trim().is_empty() {
                "required"
            } else {
                "unknown"
            },
        });
    }
    let date = match input.date.trim() {
        "" => {
            errors.push(CareError {
                field: "date",
                rule: "required",
            });
            None
        }
        raw => match super::client::parse_date(raw) {
            None => {
                errors.push(CareError {
                    field: "date",
                    rule: "date",
                });
                None
            }
            Some(date) if birth.is_some_and(|b| date < b) => {
                errors.push(CareError {
                    field: "date",
                    rule: "before_birth",
                });
                None
            }
            Some(date) => Some(date),
        },
    };
    let yearly = match super::client::parse_yes_no(if input.yearly.trim().is_empty() {
        "yes"
    } else {
        &input.yearly
    }) {
        Some(yearly) => yearly,
        None => {
            errors.push(CareError {
                field: "yearly",
                rule: "unknown",
            });
            true
        }
    };
    let label = Some(input.label.trim().to_string()).filter(|l| !l.is_empty());
    if label
        .as_ref()
        .is_some_and(|l| l.chars().count() > 40 || l.chars().any(char::is_control))
    {
        errors.push(CareError {
            field: "label",
            rule: "too_long",
        });
    }
    if kind == Some(EventKind::Custom) && label.is_none() {
        errors.push(CareError {
            field: "label",
            rule: "required",
        });
    }
    match (kind, date) {
        (Some(kind), Some(date)) if errors.is_empty() => Ok(LifeEvent {
            kind,
            date,
            yearly,
            label,
        }),
        _ => Err(errors),
    }
}

/// A required text of at most `max` characters (a note, a reason), trimmed.
pub fn required_text(field: &'static str, text: &str, max: usize) -> Result<String, CareError> {
    let text = text.trim();
    let rule = if text.is_empty() {
        "required"
    } else if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
        "too_long"
    } else {
        return Ok(text.to_string());
    };
    Err(CareError { field, rule })
}

/// A snooze must move the reminder to a later day.
pub fn check_snooze(until: &str, today: NaiveDate) -> Result<NaiveDate, CareError> {
    match super::client::parse_date(until) {
        None => Err(CareError {
            field: "until",
            rule: "date",
        }),
        Some(day) if day <= today => Err(CareError {
            field: "until",
            rule: "past",
        }),
        Some(day) => Ok(day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The days in `from..=to` on which a client with these keys has a birthday.
    fn birthdays(keys: &[CareKey], from: &str, to: &str) -> Vec<(NaiveDate, i32)> {
        probes(d(from), d(to))
            .into_iter()
            .filter_map(|p| {
                keys.iter()
                    .find(|k| k.kind == p.kind && k.key == p.key && k.since < p.before)
                    .and_then(|k| reason_for(k.kind, k.key, k.since, p.on, None))
                    .and_then(|r| match r {
                        Reason::Birthday { age, .. } => Some((p.on, age)),
                        _ => None,
                    })
            })
            .collect()
    }

    fn born(date: &str, calendar: BirthCalendar) -> Vec<CareKey> {
        client_keys(false, Some(d(date)), calendar, None, d("2026-01-05"))
    }

    #[test]
    fn solar_birthdays_and_feb_29() {
        let keys = born("1960-02-29", BirthCalendar::Solar);
        assert_eq!(
            birthdays(&keys, "2027-02-01", "2027-03-31"),
            [(d("2027-02-28"), 67)]
        );
        assert_eq!(
            birthdays(&keys, "2028-02-01", "2028-03-31"),
            [(d("2028-02-29"), 68)]
        );
        let keys = born("1966-12-31", BirthCalendar::Solar);
        // A window from 20 December reaches into January.
        assert_eq!(
            birthdays(&keys, "2026-12-20", "2027-01-18"),
            [(d("2026-12-31"), 60)]
        );
        // Not before birth, not on the day of birth.
        assert!(
            birthdays(
                &born("2026-11-01", BirthCalendar::Solar),
                "2026-10-01",
                "2026-12-31"
            )
            .is_empty()
        );
    }

    /// Lunar birthdays for every year 2020–2035: each year exactly once, on the day the
    /// lunar calendar keeps it.
    #[test]
    fn lunar_birthdays_2020_to_2035() {
        // (birth date as solar, what it is in the lunar calendar)
        let cases = [
            ("2020-05-30", (4, true, 8)),   // 闰四月初八 2020
            ("2025-07-25", (6, true, 1)),   // 闰六月初一 2025
            ("1990-10-03", (8, false, 15)), // 八月十五
        ];
        for (birth, (month, leap, day)) in cases {
            let keys = born(birth, BirthCalendar::Lunar);
            let l = lunar::to_lunar(d(birth)).unwrap();
            assert_eq!((l.month, l.leap, l.day), (month, leap, day), "{birth}");
            for year in 2020..=2035 {
                let kept = lunar::anniversary(year, month, leap, day).unwrap();
                let found = birthdays(&keys, &kept.to_string(), &kept.to_string());
                if year > l.year {
                    assert_eq!(found.len(), 1, "{birth} in lunar {year}");
                    assert_eq!(found[0].1, year - l.year);
                } else {
                    assert!(found.is_empty(), "{birth}: not before birth");
                }
            }
        }
    }

    #[test]
    fn a_day_30_birthday_falls_on_the_29th_of_a_short_month() {
        // Find a lunar day 30 to be born on, then check every year to 2035.
        let (birth, l) = (0..400)
            .map(|n| d("1980-01-01") + Duration::days(n))
            .find_map(|day| {
                lunar::to_lunar(day)
                    .filter(|l| l.day == 30 && !l.leap)
                    .map(|l| (day, l))
            })
            .unwrap();
        let keys = born(&birth.to_string(), BirthCalendar::Lunar);
        let mut short_years = 0;
        for year in 2020..=2035 {
            let days = lunar::month_days(year, l.month, false).unwrap();
            let first = lunar::to_solar(lunar::LunarDate {
                year,
                month: l.month,
                leap: false,
                day: 1,
            })
            .unwrap();
            let month_end = first + Duration::days(i64::from(days) - 1);
            let found = birthdays(&keys, &first.to_string(), &month_end.to_string());
            assert_eq!(found.len(), 1, "lunar {year}");
            assert_eq!(found[0].0, month_end, "the last day of the month in {year}");
            short_years += usize::from(days == 29);
        }
        assert!(short_years > 0, "some years have a short month");
    }

    #[test]
    fn a_december_window_reaches_into_the_next_lunar_year() {
        // Born on 正月初三: from 20 December 2026 a 60-day window reaches 正月 of 2027.
        let birth = lunar::to_solar(lunar::LunarDate {
            year: 1967,
            month: 1,
            leap: false,
            day: 3,
        })
        .unwrap();
        let keys = born(&birth.to_string(), BirthCalendar::Lunar);
        let found = birthdays(&keys, "2026-12-20", "2027-02-18");
        let kept = lunar::anniversary(2027, 1, false, 3).unwrap();
        assert_eq!(found, [(kept, 60)]);
    }

    #[test]
    fn reasons_say_what_and_how_many_years() {
        let reason = reason_for(KeyKind::SolarBirthday, 1001, 1956, d("2026-10-01"), None);
        assert_eq!(
            reason,
            Some(Reason::Birthday {
                age: 70,
                lunar: None,
                milestone: true
            })
        );
        let wedding = reason_for(
            KeyKind::EventYearly,
            501,
            2021,
            d("2026-05-01"),
            Some(KeyDetail::Event(EventKind::Marriage, None)),
        )
        .unwrap();
        assert_eq!(wedding.greeting_key(), "event_marriage");
        assert!(matches!(wedding, Reason::Event { years: Some(5), .. }));
        assert_eq!(
            reason_for(KeyKind::IdExpiry, 20261212, 0, d("2026-12-12"), None),
            Some(Reason::IdExpiry {
                expires_on: d("2026-12-12")
            })
        );
    }

    #[test]
    fn ids_read_back() {
        let id = ReminderId {
            reason: "birthday".into(),
            subject: "BJ0101-0000123".into(),
            on: d("2026-09-25"),
        };
        assert_eq!(id.to_string(), "birthday:BJ0101-0000123:2026-09-25");
        assert_eq!(ReminderId::parse(&id.to_string()), Some(id));
        assert_eq!(ReminderId::parse("birthday:x"), None);
        assert_eq!(ReminderId::parse("birthday:x:2026-13-01"), None);
    }

    #[test]
    fn done_and_dismissed_never_return_and_snoozed_moves() {
        let (from, to) = (d("2026-09-01"), d("2026-09-30"));
        let on = d("2026-09-10");
        assert_eq!(shows_on(on, None, from, to), Some((on, Standing::Open)));
        assert_eq!(shows_on(on, Some((Action::Done, None)), from, to), None);
        assert_eq!(
            shows_on(on, Some((Action::Dismissed, None)), from, to),
            None
        );
        let later = d("2026-09-20");
        assert_eq!(
            shows_on(on, Some((Action::Snoozed, Some(later))), from, to),
            Some((later, Standing::Snoozed))
        );
        assert_eq!(
            shows_on(on, Some((Action::Snoozed, Some(d("2026-10-05")))), from, to),
            None
        );
        assert_eq!(section(d("2026-09-09"), on), Section::Overdue);
        assert_eq!(section(on, on), Section::Today);
        assert_eq!(section(d("2026-09-17"), on), Section::Week);
        assert_eq!(section(d("2026-10-10"), on), Section::Month);
        let birthday = Reason::Birthday {
            age: 40,
            lunar: None,
            milestone: false,
        };
        assert!(!lapsed(&birthday, d("2026-09-03"), on));
        assert!(lapsed(&birthday, d("2026-09-02"), on));
        let expiry = Reason::IdExpiry {
            expires_on: d("2026-08-20"),
        };
        assert!(!lapsed(&expiry, d("2026-08-20"), on));
    }

    #[test]
    fn the_shipped_festivals_fall_where_they_should() {
        let festivals = parse_festivals(crate::assets::FESTIVALS).unwrap();
        let day = |code: &str, from: &str, to: &str| {
            let f = festivals.iter().find(|f| f.code == code).unwrap();
            festival_days(f, d(from), d(to))
        };
        assert_eq!(
            day("mid_autumn", "2026-09-20", "2026-09-30"),
            [d("2026-09-25")]
        );
        assert_eq!(day("spring_festival", "2026-12-01", "2027-03-01").len(), 1);
        assert_eq!(
            day("spring_festival", "2026-01-01", "2026-12-31"),
            [d("2026-02-17")]
        );
        assert_eq!(
            day("national_day", "2026-01-01", "2026-12-31"),
            [d("2026-10-01")]
        );
        assert_eq!(
            day("dragon_boat", "2026-01-01", "2026-12-31"),
            [d("2026-06-19")]
        );
        let ninth = festivals.iter().find(|f| f.code == "double_ninth").unwrap();
        assert_eq!(ninth.min_age, Some(60));
        assert!(parse_festivals("[[festival]]\ncode = \"x\"\n").is_err());
    }

    #[test]
    fn life_events_are_checked_against_the_birth_date() {
        let input = |kind: &str, date: &str| EventInput {
            kind: kind.into(),
            date: date.into(),
            ..Default::default()
        };
        let birth = Some(d("1980-05-01"));
        let ok = validate_event(&input("marriage", "2005-10-01"), birth).unwrap();
        assert!(ok.yearly);
        let field_rules = |r: Result<LifeEvent, Vec<CareError>>| -> Vec<(&str, &str)> {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.rule))
                .collect()
        };
        assert_eq!(
            field_rules(validate_event(&input("marriage", "1979-01-01"), birth)),
            [("date", "before_birth")]
        );
        assert_eq!(
            field_rules(validate_event(&input("custom", "2020-01-01"), birth)),
            [("label", "required")]
        );
        assert_eq!(
            field_rules(validate_event(&input("party", "soon"), birth)),
            [("kind", "unknown"), ("date", "date")]
        );
        assert_eq!(
            check_snooze("2026-11-30", d("2026-11-30"))
                .unwrap_err()
                .rule,
            "past"
        );
        assert_eq!(
            check_snooze("2026-12-01", d("2026-11-30")),
            Ok(d("2026-12-01"))
        );
    }
}
