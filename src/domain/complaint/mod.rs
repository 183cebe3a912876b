//! Complaints: the case as an append-only list of events, the state derived from them, and
//! the regulatory deadline (银行业保险业消费投诉处理管理办法, 2020).
//!
//! - Decide and tell the complainant within 15 days of receipt; a complex case may be
//!   extended to 30 days (approved, complainant told), and once more by 30 days with a higher
//!   office's approval. Time spent waiting for information or on an external appraisal does
//!   not count. A withdrawn case ends that day; new facts reopen a case and restart the clock.
//! - Periods count as the Civil Code counts them (arts. 201, 203): the day of receipt is not
//!   counted, and a last day that is a holiday or rest day moves to the next working day.

mod intake;
pub use intake::*;

use super::calendar::WorkCalendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn parse(code: &str) -> Option<$name> {
                let code = code.trim();
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

coded_enum!(
    /// How the complaint reached the branch.
    Channel {
        Counter => "counter",
        Phone => "phone",
        Letter => "letter",
        Email => "email",
        Online => "online",
        Regulator => "regulator",
    }
);

coded_enum!(
    Category {
        ServiceAttitude => "service_attitude",
        Fees => "fees",
        MisSelling => "mis_selling",
        CardAccount => "card_account",
        Loan => "loan",
        WealthProduct => "wealth_product",
        Privacy => "privacy",
        Other => "other",
    }
);

coded_enum!(
    Severity {
        Normal => "normal",
        Serious => "serious",
        Urgent => "urgent",
    }
);

coded_enum!(
    /// Where a case stands (derived from its events).
    State {
        Registered => "registered",
        Accepted => "accepted",
        InProgress => "in_progress",
        Waiting => "waiting",
        Decided => "decided",
        Feedback => "feedback",
        Closed => "closed",
        Withdrawn => "withdrawn",
        Merged => "merged",
    }
);

impl State {
    /// The regulatory clock runs in these states.
    pub fn clock_runs(self) -> bool {
        matches!(
            self,
            State::Registered | State::Accepted | State::InProgress
        )
    }

    /// Cases still to be decided (the board shows these first).
    pub fn open(self) -> bool {
        matches!(
            self,
            State::Registered | State::Accepted | State::InProgress | State::Waiting
        )
    }
}

coded_enum!(
    PauseReason {
        Information => "information",
        Appraisal => "appraisal",
    }
);

/// One step of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Registered,
    Accepted {
        handler: String,
    },
    Started,
    Paused {
        reason: PauseReason,
    },
    Resumed,
    Extended {
        approved_by: String,
        complainant_told: bool,
        higher_office: Option<String>,
    },
    Decided {
        decision: String,
    },
    Feedback {
        satisfied: bool,
    },
    Closed,
    Withdrawn,
    Merged {
        into: String,
    },
    Reopened,
    Noted,
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Step::Registered => "register",
            Step::Accepted { .. } => "accept",
            Step::Started => "start",
            Step::Paused { .. } => "pause",
            Step::Resumed => "resume",
            Step::Extended { .. } => "extend",
            Step::Decided { .. } => "decide",
            Step::Feedback { .. } => "feedback",
            Step::Closed => "close",
            Step::Withdrawn => "withdraw",
            Step::Merged { .. } => "merge",
            Step::Reopened => "reopen",
            Step::Noted => "note",
        }
    }
}

/// The step codes staff may choose from (everything but registration).
pub const STEP_CODES: [&str; 12] = [
    "accept", "start", "pause", "resume", "extend", "decide", "feedback", "close", "withdraw",
    "merge", "reopen", "note",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The day it happened (receipt, decision…): deadlines count in days.
    pub on: NaiveDate,
    pub by: String,
    #[serde(flatten)]
    pub step: Step,
    pub note: Option<String>,
}

/// Why a step was refused; each has a sentence in the UI language (`rule.complaint.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ComplaintRule {
    /// This step cannot follow the case's current state.
    NotNow { state: State, step: &'static str },
    /// The handler is the staff member the complaint is about.
    HandlerIsSubject,
    /// An extension needs an approver and the complainant told.
    ExtensionNeedsApproval,
    /// The second extension needs a higher office's approval.
    ExtensionNeedsHigherOffice,
    /// Two extensions (60 days) are the most there can be.
    NoMoreExtensions,
    /// A step dated before the one before it, or before receipt.
    DateBeforePrevious,
    /// A step dated in the future.
    DateInFuture,
    /// A decision must say what was decided.
    DecisionEmpty,
    /// A description (or another required text) is empty.
    TextEmpty,
    /// Only an earlier case can absorb this one.
    MergeTarget,
    /// The handler must be an active teller, RM or manager.
    HandlerNotStaff,
    /// The staff member taking the step is the one the complaint is about.
    ActorIsSubject,
}

/// What the events say about a case now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub state: State,
    /// When the clock started: receipt, or the last reopening.
    pub clock_from: NaiveDate,
    /// 15, 30 or 60.
    pub limit_days: i64,
    /// Days the clock stood still (finished pauses since `clock_from`).
    pub paused_days: i64,
    pub paused_since: Option<NaiveDate>,
    pub handler: Option<String>,
    /// When the clock stopped (decided, withdrawn, merged).
    pub stopped_on: Option<NaiveDate>,
    pub extensions: u8,
    pub received_on: NaiveDate,
}

pub const FIRST_LIMIT_DAYS: i64 = 15;
pub const EXTENSION_DAYS: i64 = 15;
pub const MAX_EXTENSIONS: u8 = 2;

impl Case {
    /// The day by which the case must be decided. While paused, the pause so far counts as
    /// well (the date moves on each day it lasts).
    pub fn due(&self, calendar: &WorkCalendar, today: NaiveDate) -> NaiveDate {
        let running_pause = self
            .paused_since
            .map_or(0, |since| (today - since).num_days().max(0));
        let last_day = self.clock_from
            + chrono::Duration::days(self.limit_days + self.paused_days + running_pause);
        calendar.working_day_from(last_day)
    }

    /// Calendar days left until the due date (negative when overdue); None once the clock
    /// has stopped.
    pub fn days_left(&self, calendar: &WorkCalendar, today: NaiveDate) -> Option<i64> {
        if self.stopped_on.is_some() || !(self.state.clock_runs() || self.state == State::Waiting) {
            return None;
        }
        Some((self.due(calendar, today) - today).num_days())
    }

    pub fn overdue(&self, calendar: &WorkCalendar, today: NaiveDate) -> bool {
        self.state.clock_runs() && self.days_left(calendar, today).is_some_and(|d| d < 0)
    }
}

/// What HQ's complaint report needs of a case, fixed when it is derived so that the report
/// is a count in SQL: the due date and the day it is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFacts {
    /// The calendar quarter of receipt, e.g. `2026Q3` (what the regulator's statistics
    /// count by).
    pub quarter: Quarter,
    pub due_on: NaiveDate,
    /// The day the case is judged on: the day its clock stopped (decided, withdrawn,
    /// merged) or was paused; None while the clock runs (judged on the report's day).
    pub judged_on: Option<NaiveDate>,
    /// Calendar days from receipt to the decision, once decided.
    pub days_to_decision: Option<i64>,
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u32,
}

impl Quarter {
    pub fn of(day: NaiveDate) -> Quarter {
        use chrono::Datelike;
        Quarter {
            year: day.year(),
            number: day.month0() / 3 + 1,
        }
    }

    /// `2026Q3` (also accepts `2026q3` and `2026-Q3`).
    pub fn parse(text: &str) -> Option<Quarter> {
        let text = text.trim().to_ascii_uppercase().replace('-', "");
        let (year, number) = text.split_once('Q')?;
        let quarter = Quarter {
            year: year.parse().ok()?,
            number: number.parse().ok()?,
        };
        ((1..=4).contains(&quarter.number) && (1000..=9999).contains(&quarter.year))
            .then_some(quarter)
    }

    /// The quarter `n` quarters before this one.
    pub fn back(self, n: u32) -> Quarter {
        self.shifted(-(n as i32))
    }

    /// The quarter as one number (`20263`), which orders as the quarters do.
    pub fn key(self) -> i64 {
        i64::from(self.year) * 10 + i64::from(self.number)
    }

    /// The inverse of [`Quarter::key`].
    pub fn from_key(key: i64) -> Option<Quarter> {
        let quarter = Quarter {
            year: i32::try_from(key / 10).ok()?,
            number: u32::try_from(key % 10).ok()?,
        };
        (1..=4).contains(&quarter.number).then_some(quarter)
    }

    /// The four quarters up to `today`'s: the span HQ's complaint report shows first.
    pub fn year_to(today: NaiveDate) -> (Quarter, Quarter) {
        let to = Quarter::of(today);
        (to.back(3), to)
    }

    /// The quarter after this one.
    pub fn ahead(self) -> Quarter {
        self.shifted(1)
    }

    fn shifted(self, quarters: i32) -> Quarter {
        let index = self.year * 4 + self.number as i32 - 1 + quarters;
        Quarter {
            year: index.div_euclid(4),
            number: index.rem_euclid(4) as u32 + 1,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.number)
    }
}

impl Case {
    /// The case as HQ's report counts it. A running case's due date does not depend on the
    /// day it is read; a paused one is judged as it stood when the pause began (the pause
    /// itself does not count against it), a stopped one as it stood when it stopped.
    pub fn report_facts(&self, calendar: &WorkCalendar) -> ReportFacts {
        let judged_on = self.stopped_on.or(self.paused_since);
        let due_on = self.due(calendar, judged_on.unwrap_or(self.clock_from));
        let decided = matches!(self.state, State::Decided | State::Feedback | State::Closed);
        ReportFacts {
            quarter: Quarter::of(self.received_on),
            due_on,
            judged_on,
            days_to_decision: self
                .stopped_on
                .filter(|_| decided)
                .map(|on| (on - self.received_on).num_days()),
        }
    }
}

/// The median of days counted by value (`(days, cases)`, in any order, a value may come more
/// than once): the middle one, or the mean of the two middle ones when the count is even.
pub fn median_days(histogram: &[(i64, u64)]) -> Option<f64> {
    let mut histogram = histogram.to_vec();
    histogram.sort_unstable();
    let n: u64 = histogram.iter().map(|(_, cases)| cases).sum();
    if n == 0 {
        return None;
    }
    // The days at 1-based positions `lower` and `upper` of the ordered cases.
    let at = |position: u64| {
        let mut seen = 0;
        histogram.iter().find_map(|(days, cases)| {
            seen += cases;
            (seen >= position).then_some(*days)
        })
    };
    let (lower, upper) = (at(n.div_ceil(2))?, at(n / 2 + 1)?);
    Some((lower + upper) as f64 / 2.0)
}

/// Whether a case with these facts is overdue on `today`: not decided by its due date.
pub fn overdue_on(facts: &ReportFacts, today: NaiveDate) -> bool {
    facts.judged_on.unwrap_or(today) > facts.due_on
}

/// The step's name for "cannot do X now" messages.
fn step_name(step: &Step) -> &'static str {
    step.code()
}

/// Replays a case's events from registration.
pub fn replay(events: &[Event]) -> Result<Case, ComplaintRule> {
    let Some(first) = events.first() else {
        return Err(ComplaintRule::TextEmpty);
    };
    if first.step != Step::Registered {
        return Err(ComplaintRule::NotNow {
            state: State::Registered,
            step: step_name(&first.step),
        });
    }
    let mut case = Case {
        state: State::Registered,
        clock_from: first.on,
        limit_days: FIRST_LIMIT_DAYS,
        paused_days: 0,
        paused_since: None,
        handler: None,
        stopped_on: None,
        extensions: 0,
        received_on: first.on,
    };
    let mut last_on = first.on;
    for event in &events[1..] {
        case = apply(&case, event, last_on, None)?;
        last_on = event.on;
    }
    Ok(case)
}

/// Checks a new step against the case and returns the case after it. `last_on` is the date
/// of the latest event; `subject` the staff member the complaint is about, if any.
pub fn apply(
    case: &Case,
    event: &Event,
    last_on: NaiveDate,
    subject: Option<&str>,
) -> Result<Case, ComplaintRule> {
    use State::*;
    if event.on < last_on || event.on < case.received_on {
        return Err(ComplaintRule::DateBeforePrevious);
    }
    let not_now = || ComplaintRule::NotNow {
        state: case.state,
        step: step_name(&event.step),
    };
    let mut next = case.clone();
    match &event.step {
        Step::Registered => return Err(not_now()),
        Step::Noted => {}
        Step::Accepted { handler } => {
            if case.state != Registered {
                return Err(not_now());
            }
            if handler.trim().is_empty() {
                return Err(ComplaintRule::TextEmpty);
            }
            if subject.is_some_and(|s| s.eq_ignore_ascii_case(handler.trim())) {
                return Err(ComplaintRule::HandlerIsSubject);
            }
            next.state = Accepted;
            next.handler = Some(handler.trim().to_string());
        }
        Step::Started => {
            if case.state != Accepted {
                return Err(not_now());
            }
            next.state = InProgress;
        }
        Step::Paused { .. } => {
            if !matches!(case.state, Accepted | InProgress) {
                return Err(not_now());
            }
            next.state = Waiting;
            next.paused_since = Some(event.on);
        }
        Step::Resumed => {
            if case.state != Waiting {
                return Err(not_now());
            }
            next.paused_days += pause_so_far(case, event.on);
            next.paused_since = None;
            next.state = InProgress;
        }
        Step::Extended {
            approved_by,
            complainant_told,
            higher_office,
        } => {
            if !matches!(case.state, Accepted | InProgress | Waiting) {
                return Err(not_now());
            }
            if case.extensions >= MAX_EXTENSIONS {
                return Err(ComplaintRule::NoMoreExtensions);
            }
            if approved_by.trim().is_empty() || !complainant_told {
                return Err(ComplaintRule::ExtensionNeedsApproval);
            }
            if case.extensions == 1 && higher_office.as_deref().is_none_or(|h| h.trim().is_empty())
            {
                return Err(ComplaintRule::ExtensionNeedsHigherOffice);
            }
            next.extensions += 1;
            next.limit_days += EXTENSION_DAYS * if case.extensions == 0 { 1 } else { 2 };
        }
        Step::Decided { decision } => {
            if !matches!(case.state, Accepted | InProgress) {
                return Err(not_now());
            }
            if decision.trim().is_empty() {
                return Err(ComplaintRule::DecisionEmpty);
            }
            next.state = Decided;
            next.stopped_on = Some(event.on);
        }
        Step::Feedback { .. } => {
            if case.state != Decided {
                return Err(not_now());
            }
            next.state = Feedback;
        }
        Step::Closed => {
            if case.state != Feedback {
                return Err(not_now());
            }
            next.state = Closed;
        }
        Step::Withdrawn => {
            if !case.state.open() {
                return Err(not_now());
            }
            next.state = Withdrawn;
            next.stopped_on = Some(event.on);
            next.paused_days += pause_so_far(case, event.on);
            next.paused_since = None;
        }
        Step::Merged { into } => {
            if !case.state.open() {
                return Err(not_now());
            }
            if into.trim().is_empty() {
                return Err(ComplaintRule::MergeTarget);
            }
            next.state = Merged;
            next.stopped_on = Some(event.on);
            next.paused_days += pause_so_far(case, event.on);
            next.paused_since = None;
        }
        Step::Reopened => {
            if !matches!(case.state, Decided | Feedback | Closed) {
                return Err(not_now());
            }
            // New facts: the clock starts again from today, with the first limit.
            next.state = Accepted;
            next.clock_from = event.on;
            next.limit_days = FIRST_LIMIT_DAYS;
            next.paused_days = 0;
            next.paused_since = None;
            next.stopped_on = None;
            next.extensions = 0;
        }
    }
    Ok(next)
}

/// Days of a pause still running on `on` (its time does not count against the deadline).
fn pause_so_far(case: &Case, on: NaiveDate) -> i64 {
    case.paused_since
        .map_or(0, |since| (on - since).num_days().max(0))
}

/// The steps that can follow a case's state (for the screens' menus).
pub fn next_steps(state: State) -> &'static [&'static str] {
    match state {
        State::Registered => &["accept", "withdraw", "merge", "note"],
        State::Accepted => &[
            "start", "pause", "extend", "decide", "withdraw", "merge", "note",
        ],
        State::InProgress => &["pause", "extend", "decide", "withdraw", "merge", "note"],
        State::Waiting => &["resume", "extend", "withdraw", "merge", "note"],
        State::Decided => &["feedback", "reopen", "note"],
        State::Feedback => &["close", "reopen", "note"],
        State::Closed => &["reopen", "note"],
        State::Withdrawn | State::Merged => &["note"],
    }
}

/// The step a staff member asked for, by step code or by the state it leads to
/// ("accept" or "accepted", "close" or "closed").
pub fn step_code_for(raw: &str) -> Option<&'static str> {
    let raw = raw.trim().to_ascii_lowercase().replace('-', "_");
    if let Some(code) = STEP_CODES.iter().find(|c| **c == raw) {
        return Some(code);
    }
    Some(match raw.as_str() {
        "accepted" => "accept",
        "in_progress" | "started" => "start",
        "waiting" | "paused" => "pause",
        "resumed" => "resume",
        "extended" => "extend",
        "decided" => "decide",
        "closed" => "close",
        "withdrawn" => "withdraw",
        "merged" => "merge",
        "reopened" => "reopen",
        "noted" => "note",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
