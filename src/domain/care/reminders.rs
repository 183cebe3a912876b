//! A reminder: what it is about (a birthday, an anniversary, a festival, an expiring ID, a
//! survey call-back), its ID, what staff did about it, when it shows, when it lapses, and
//! the agenda section it falls in.

use super::*;

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
    /// HQ's snapshot moves the client up a tier: welcome them to it.
    TierWelcome {
        tier: String,
        name_zh: String,
        name_en: String,
    },
    /// The client's AUM fell by more than the retention share: call to keep them. Amounts
    /// in fen, shown only to those who may see the client's balances.
    Retention {
        percent: u32,
        months: u32,
        from_aum: Option<i64>,
        to_aum: Option<i64>,
    },
    /// A time deposit or wealth product matures: call about what comes after it.
    Maturity {
        product: String,
        name_zh: String,
        name_en: String,
        balance: Option<i64>,
        matures_on: NaiveDate,
    },
    /// A loan became overdue or moved down a category (HQ's snapshot): call about it.
    /// The balance in fen, shown only to those who may see the client's balances.
    CreditWarning {
        product: String,
        name_zh: String,
        name_en: String,
        balance: Option<i64>,
        days_past_due: u32,
        class: crate::domain::portfolio::credit::LoanClass,
        moved_from: Option<crate::domain::portfolio::credit::LoanClass>,
        overdue_began: bool,
    },
    /// The client's identity and contact details are due for confirmation (KYC refresh):
    /// marking it done records that they were confirmed.
    KycRefresh {
        due_on: NaiveDate,
    },
    /// An invitation to a branch event the client has not answered: ask them, before the
    /// event (`event` is its number).
    EventInvitation {
        event: String,
        title: String,
        on: NaiveDate,
    },
    /// The follow-up survey of an event the client came to, not answered yet.
    EventSurvey {
        event: String,
        title: String,
        survey: String,
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
            Reason::TierWelcome { .. } => "tier_welcome",
            Reason::Retention { .. } => "retention",
            Reason::Maturity { .. } => "maturity",
            Reason::CreditWarning { .. } => "credit_warning",
            Reason::KycRefresh { .. } => "kyc_refresh",
            Reason::EventInvitation { .. } => "event_invitation",
            Reason::EventSurvey { .. } => "event_survey",
        }
    }

    /// The reason without the client's balances (for staff who may not see them).
    pub fn without_amounts(self) -> Reason {
        match self {
            Reason::Retention {
                percent, months, ..
            } => Reason::Retention {
                percent,
                months,
                from_aum: None,
                to_aum: None,
            },
            Reason::Maturity {
                product,
                name_zh,
                name_en,
                matures_on,
                ..
            } => Reason::Maturity {
                product,
                name_zh,
                name_en,
                balance: None,
                matures_on,
            },
            Reason::CreditWarning {
                product,
                name_zh,
                name_en,
                days_past_due,
                class,
                moved_from,
                overdue_began,
                ..
            } => Reason::CreditWarning {
                product,
                name_zh,
                name_en,
                balance: None,
                days_past_due,
                class,
                moved_from,
                overdue_began,
            },
            other => other,
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
            Reason::TierWelcome { .. } => "tier_welcome".into(),
            Reason::Retention { .. } => "retention".into(),
            Reason::Maturity { .. } => "maturity".into(),
            Reason::CreditWarning { .. } => "credit_warning".into(),
            Reason::KycRefresh { .. } => "kyc_refresh".into(),
            Reason::EventInvitation { .. } => "event_invitation".into(),
            Reason::EventSurvey { .. } => "event_survey".into(),
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
    /// A call HQ's holdings snapshot puts on the agenda (welcome, retention, maturity, a
    /// credit warning).
    Portfolio(Reason),
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
                due: on + chrono::Duration::days(crate::domain::survey::FOLLOW_UP_DAYS),
            }
        }
        KeyKind::PortfolioCall | KeyKind::CreditWarning => match detail {
            Some(KeyDetail::Portfolio(reason)) => reason,
            _ => return None,
        },
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
        // A maturity call falls a month before the day; it matters until then.
        Reason::IdExpiry { .. }
        | Reason::TierWelcome { .. }
        | Reason::Retention { .. }
        | Reason::Maturity { .. }
        | Reason::CreditWarning { .. }
        | Reason::KycRefresh { .. }
        | Reason::EventInvitation { .. } => OVERDUE_DAYS,
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
