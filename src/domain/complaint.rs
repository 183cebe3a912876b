//! Complaints: the case as an append-only list of events, the state derived from them, and
//! the regulatory deadline (银行业保险业消费投诉处理管理办法, 2020).
//!
//! - Decide and tell the complainant within 15 days of receipt; a complex case may be
//!   extended to 30 days (approved, complainant told), and once more by 30 days with a higher
//!   office's approval. Time spent waiting for information or on an external appraisal does
//!   not count. A withdrawn case ends that day; new facts reopen a case and restart the clock.
//! - Periods count as the Civil Code counts them (arts. 201, 203): the day of receipt is not
//!   counted, and a last day that is a holiday or rest day moves to the next working day.

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
            let since = case.paused_since.unwrap_or(event.on);
            next.paused_days += (event.on - since).num_days().max(0);
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

/// A step's details as typed (CLI options or form fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepInput {
    pub handler: String,
    pub approved_by: String,
    pub complainant_told: bool,
    pub higher_office: String,
    pub decision: String,
    /// yes / no (是 / 否)
    pub satisfied: String,
    pub into: String,
    /// information / appraisal
    pub reason: String,
}

/// The fields each step asks for, in the order a form shows them.
pub fn step_fields(code: &str) -> &'static [&'static str] {
    match code {
        "accept" => &["handler"],
        "pause" => &["reason"],
        "extend" => &["approved_by", "complainant_told", "higher_office"],
        "decide" => &["decision"],
        "feedback" => &["satisfied"],
        "merge" => &["into"],
        _ => &[],
    }
}

/// Builds a step from what was typed. Missing details are refused per field; whether the
/// step may follow the case is for [`apply`] to say.
pub fn build_step(code: &str, input: &StepInput) -> Result<Step, Vec<IntakeError>> {
    let required = |field: &'static str| {
        vec![IntakeError {
            field,
            rule: "required",
        }]
    };
    let text = |s: &str| s.trim().to_string();
    Ok(match step_code_for(code) {
        Some("accept") if input.handler.trim().is_empty() => return Err(required("handler")),
        Some("accept") => Step::Accepted {
            handler: text(&input.handler).to_ascii_lowercase(),
        },
        Some("start") => Step::Started,
        Some("pause") => match input.reason.trim() {
            "" => return Err(required("reason")),
            raw => match PauseReason::parse(raw) {
                Some(reason) => Step::Paused { reason },
                None => {
                    return Err(vec![IntakeError {
                        field: "reason",
                        rule: "unknown",
                    }]);
                }
            },
        },
        Some("resume") => Step::Resumed,
        Some("extend") => Step::Extended {
            approved_by: text(&input.approved_by).to_ascii_lowercase(),
            complainant_told: input.complainant_told,
            higher_office: Some(text(&input.higher_office)).filter(|h| !h.is_empty()),
        },
        Some("decide") if input.decision.trim().is_empty() => return Err(required("decision")),
        Some("decide") => Step::Decided {
            decision: text(&input.decision),
        },
        Some("feedback") => match input.satisfied.trim() {
            "" => return Err(required("satisfied")),
            raw => match super::client::parse_yes_no(raw) {
                Some(satisfied) => Step::Feedback { satisfied },
                None => {
                    return Err(vec![IntakeError {
                        field: "satisfied",
                        rule: "unknown",
                    }]);
                }
            },
        },
        Some("close") => Step::Closed,
        Some("withdraw") => Step::Withdrawn,
        Some("merge") if input.into.trim().is_empty() => return Err(required("into")),
        Some("merge") => Step::Merged {
            into: text(&input.into).to_ascii_uppercase(),
        },
        Some("reopen") => Step::Reopened,
        Some("note") => Step::Noted,
        _ => {
            return Err(vec![IntakeError {
                field: "step",
                rule: "unknown",
            }]);
        }
    })
}

/// A complaint as typed at intake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeInput {
    /// Client number, or empty for a walk-in who is not (yet) a client.
    pub client: String,
    pub complainant_name: String,
    pub complainant_phone: String,
    pub channel: String,
    pub category: String,
    pub severity: String,
    pub request: String,
    pub description: String,
    /// Staff ID of the staff member complained about, if any.
    pub subject_staff: String,
    /// YYYY-MM-DD; today when empty (a letter may have arrived earlier).
    pub received_on: String,
}

/// A checked intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intake {
    pub client: Option<String>,
    pub complainant_name: String,
    pub complainant_phone: Option<String>,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub request: String,
    pub description: String,
    pub subject_staff: Option<String>,
    pub received_on: NaiveDate,
}

/// An intake field and the rule it broke (`complaint.field.<field>`, `rule.intake.<rule>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IntakeError {
    pub field: &'static str,
    pub rule: &'static str,
}

/// The longest text each intake field takes, in characters.
pub fn intake_max_chars(field: &str) -> Option<usize> {
    match field {
        "complainant_name" => Some(40),
        "request" => Some(500),
        "description" => Some(4000),
        _ => None,
    }
}

fn too_long(field: &str, text: &str) -> bool {
    intake_max_chars(field).is_some_and(|max| text.chars().count() > max)
}

/// Checks an intake; the complainant's name may come from the client record, so it is only
/// required for walk-ins.
pub fn validate_intake(input: &IntakeInput, today: NaiveDate) -> Result<Intake, Vec<IntakeError>> {
    let mut errors = Vec::new();
    let mut refuse = |field, rule| errors.push(IntakeError { field, rule });
    let text = |s: &str| s.trim().to_string();
    let client = Some(text(&input.client)).filter(|c| !c.is_empty());
    let name = text(&input.complainant_name);
    if client.is_none() && name.is_empty() {
        refuse("complainant_name", "required");
    }
    if too_long("complainant_name", &name) || name.chars().any(char::is_control) {
        refuse("complainant_name", "too_long");
    }
    let phone = match input.complainant_phone.trim() {
        "" => None,
        raw => match super::ids::parse_mobile(raw) {
            Ok(phone) => Some(phone),
            Err(_) => {
                refuse("complainant_phone", "phone");
                None
            }
        },
    };
    let channel = Channel::parse(if input.channel.trim().is_empty() {
        "counter"
    } else {
        &input.channel
    });
    if channel.is_none() {
        refuse("channel", "unknown");
    }
    let category = Category::parse(&input.category);
    if category.is_none() {
        refuse(
            "category",
            if input.category.trim().is_empty() {
                "required"
            } else {
                "unknown"
            },
        );
    }
    let severity = Severity::parse(if input.severity.trim().is_empty() {
        "normal"
    } else {
        &input.severity
    });
    if severity.is_none() {
        refuse("severity", "unknown");
    }
    let request = text(&input.request);
    if request.is_empty() {
        refuse("request", "required");
    } else if too_long("request", &request) {
        refuse("request", "too_long");
    }
    let description = input.description.trim().to_string();
    if description.is_empty() {
        refuse("description", "required");
    } else if too_long("description", &description) {
        refuse("description", "too_long");
    }
    let subject = Some(text(&input.subject_staff).to_ascii_lowercase()).filter(|s| !s.is_empty());
    let received_on = match input.received_on.trim() {
        "" => Some(today),
        raw => match super::client::parse_date(raw) {
            Some(date) if date > today => {
                refuse("received_on", "future");
                None
            }
            Some(date) => Some(date),
            None => {
                refuse("received_on", "date");
                None
            }
        },
    };
    match (channel, category, severity, received_on) {
        (Some(channel), Some(category), Some(severity), Some(received_on)) if errors.is_empty() => {
            Ok(Intake {
                client,
                complainant_name: name,
                complainant_phone: phone,
                channel,
                category,
                severity,
                request,
                description,
                subject_staff: subject,
                received_on,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::parse(crate::assets::HOLIDAYS).unwrap()
    }

    fn event(on: &str, step: Step) -> Event {
        Event {
            on: d(on),
            by: "manager01".into(),
            step,
            note: None,
        }
    }

    fn accepted(on: &str) -> Event {
        event(
            on,
            Step::Accepted {
                handler: "manager01".into(),
            },
        )
    }

    fn extended(on: &str, higher: Option<&str>) -> Event {
        event(
            on,
            Step::Extended {
                approved_by: "manager01".into(),
                complainant_told: true,
                higher_office: higher.map(str::to_string),
            },
        )
    }

    fn due(events: &[Event], today: &str) -> NaiveDate {
        replay(events).unwrap().due(&cal(), d(today))
    }

    #[test]
    fn steps_are_built_from_typed_details() {
        let input = StepInput {
            handler: " RM01 ".into(),
            satisfied: "否".into(),
            reason: "appraisal".into(),
            into: "bj0101-20250303-001".into(),
            ..Default::default()
        };
        assert_eq!(
            build_step("accepted", &input),
            Ok(Step::Accepted {
                handler: "rm01".into()
            })
        );
        assert_eq!(
            build_step("feedback", &input),
            Ok(Step::Feedback { satisfied: false })
        );
        assert_eq!(
            build_step("waiting", &input),
            Ok(Step::Paused {
                reason: PauseReason::Appraisal
            })
        );
        assert_eq!(
            build_step("merge", &input),
            Ok(Step::Merged {
                into: "BJ0101-20250303-001".into()
            })
        );
        let empty = StepInput::default();
        let field = |code| build_step(code, &empty).unwrap_err()[0].field;
        assert_eq!(field("accept"), "handler");
        assert_eq!(field("pause"), "reason");
        assert_eq!(field("feedback"), "satisfied");
        assert_eq!(field("merge"), "into");
        assert_eq!(field("decide"), "decision");
        assert_eq!(field("register"), "step");
        assert_eq!(field("fly"), "step");
        for code in STEP_CODES {
            assert_eq!(step_code_for(code), Some(code));
        }
    }

    #[test]
    fn the_deadline_table() {
        // (received, due): the day of receipt is not counted; a rest day moves to the next
        // working day.
        let cases = [
            ("2025-03-03", "2025-03-18"), // Monday → Tuesday, plain
            ("2025-09-20", "2025-10-09"), // the 15th day is in the National Day holiday
            ("2025-01-17", "2025-02-05"), // the 15th day (1 Feb) is in the Spring Festival
            ("2025-12-17", "2026-01-04"), // year end: 1 Jan holiday…3 Jan, 4 Jan is a make-up workday
            ("2024-02-14", "2024-02-29"), // leap year February
            ("2025-02-14", "2025-03-03"), // 1 March is a Saturday → Monday 3 March
            ("2025-04-30", "2025-05-15"), // month end to mid-month
            ("2025-09-13", "2025-09-28"), // lands on a Sunday that is a make-up workday
        ];
        for (received, expected) in cases {
            let events = [event(received, Step::Registered)];
            assert_eq!(due(&events, received), d(expected), "received {received}");
        }
    }

    #[test]
    fn an_appraisal_pause_moves_the_due_date_by_its_length() {
        let events = [
            event("2025-03-03", Step::Registered),
            accepted("2025-03-04"),
            event(
                "2025-03-05",
                Step::Paused {
                    reason: PauseReason::Appraisal,
                },
            ),
            event("2025-03-10", Step::Resumed),
        ];
        assert_eq!(due(&events, "2025-03-11"), d("2025-03-24")); // 18 + 5 = 23 (Sunday) → 24
        // While still paused, the date moves on with each day of the pause.
        let paused = &events[..3];
        assert_eq!(due(paused, "2025-03-08"), d("2025-03-21"));
        assert!(
            replay(paused)
                .unwrap()
                .days_left(&cal(), d("2025-03-08"))
                .is_some()
        );
        assert!(!replay(paused).unwrap().overdue(&cal(), d("2025-06-01")));
    }

    #[test]
    fn two_extensions_cap_at_sixty_days() {
        let mut events = vec![
            event("2025-03-03", Step::Registered),
            accepted("2025-03-04"),
        ];
        events.push(extended("2025-03-10", None));
        assert_eq!(replay(&events).unwrap().limit_days, 30);
        assert_eq!(due(&events, "2025-03-10"), d("2025-04-02"));
        // The second one needs a higher office's approval.
        let without = extended("2025-03-20", None);
        let case = replay(&events).unwrap();
        assert_eq!(
            apply(&case, &without, d("2025-03-10"), None),
            Err(ComplaintRule::ExtensionNeedsHigherOffice)
        );
        events.push(extended("2025-03-20", Some("分行消保部 2025-03-19 批复")));
        assert_eq!(replay(&events).unwrap().limit_days, 60);
        assert_eq!(due(&events, "2025-03-20"), d("2025-05-06")); // 2 May is a holiday … 6 May
        let case = replay(&events).unwrap();
        assert_eq!(
            apply(
                &case,
                &extended("2025-04-01", Some("x")),
                d("2025-03-20"),
                None
            ),
            Err(ComplaintRule::NoMoreExtensions)
        );
    }

    #[test]
    fn an_extension_needs_approval_and_the_complainant_told() {
        let events = [
            event("2025-03-03", Step::Registered),
            accepted("2025-03-04"),
        ];
        let case = replay(&events).unwrap();
        let untold = event(
            "2025-03-05",
            Step::Extended {
                approved_by: "manager01".into(),
                complainant_told: false,
                higher_office: None,
            },
        );
        assert_eq!(
            apply(&case, &untold, d("2025-03-04"), None),
            Err(ComplaintRule::ExtensionNeedsApproval)
        );
    }

    #[test]
    fn a_withdrawn_or_merged_case_is_never_overdue() {
        for step in [
            Step::Withdrawn,
            Step::Merged {
                into: "BJ0101-20250301-001".into(),
            },
        ] {
            let events = [
                event("2025-03-03", Step::Registered),
                event("2025-03-05", step),
            ];
            let case = replay(&events).unwrap();
            assert!(!case.overdue(&cal(), d("2026-01-01")));
            assert_eq!(case.days_left(&cal(), d("2026-01-01")), None);
        }
        let open = replay(&[event("2025-03-03", Step::Registered)]).unwrap();
        assert!(open.overdue(&cal(), d("2025-03-19")));
        assert!(!open.overdue(&cal(), d("2025-03-18")));
        assert_eq!(open.days_left(&cal(), d("2025-03-15")), Some(3));
    }

    #[test]
    fn reopening_restarts_the_clock() {
        let events = [
            event("2025-03-03", Step::Registered),
            accepted("2025-03-04"),
            extended("2025-03-05", None),
            event(
                "2025-03-10",
                Step::Decided {
                    decision: "退还手续费".into(),
                },
            ),
            event("2025-03-12", Step::Feedback { satisfied: false }),
            event("2025-04-01", Step::Reopened),
        ];
        let case = replay(&events).unwrap();
        assert_eq!(
            (case.state, case.limit_days, case.extensions),
            (State::Accepted, 15, 0)
        );
        assert_eq!(case.due(&cal(), d("2025-04-01")), d("2025-04-16"));
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_reason() {
        let registered = replay(&[event("2025-03-03", Step::Registered)]).unwrap();
        assert_eq!(
            apply(
                &registered,
                &event("2025-03-04", Step::Closed),
                d("2025-03-03"),
                None
            ),
            Err(ComplaintRule::NotNow {
                state: State::Registered,
                step: "close"
            })
        );
        assert_eq!(
            apply(
                &registered,
                &event(
                    "2025-03-02",
                    Step::Accepted {
                        handler: "m".into()
                    }
                ),
                d("2025-03-03"),
                None
            ),
            Err(ComplaintRule::DateBeforePrevious)
        );
        assert_eq!(
            apply(
                &registered,
                &event(
                    "2025-03-04",
                    Step::Accepted {
                        handler: "teller02".into()
                    }
                ),
                d("2025-03-03"),
                Some("teller02")
            ),
            Err(ComplaintRule::HandlerIsSubject)
        );
        let accepted_case =
            apply(&registered, &accepted("2025-03-04"), d("2025-03-03"), None).unwrap();
        assert_eq!(
            apply(
                &accepted_case,
                &event(
                    "2025-03-05",
                    Step::Decided {
                        decision: " ".into()
                    }
                ),
                d("2025-03-04"),
                None
            ),
            Err(ComplaintRule::DecisionEmpty)
        );
    }

    #[test]
    fn intake_checks_each_field() {
        let today = d("2026-11-30");
        let mut input = IntakeInput {
            complainant_name: "王芳".into(),
            category: "fees".into(),
            request: "退还年费".into(),
            description: "信用卡年费未经告知扣收。\n要求退还。".into(),
            ..Default::default()
        };
        let intake = validate_intake(&input, today).unwrap();
        assert_eq!(
            (intake.channel, intake.severity, intake.received_on),
            (Channel::Counter, Severity::Normal, today)
        );
        assert!(intake.description.contains('\n'));
        input.description = "  ".into();
        input.complainant_phone = "123".into();
        input.received_on = "2026-12-01".into();
        input.category = "weather".into();
        let errors = validate_intake(&input, today).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "complainant_phone",
                "category",
                "description",
                "received_on"
            ]
        );
        input = IntakeInput::default();
        let errors = validate_intake(&input, today).unwrap_err();
        assert!(errors.contains(&IntakeError {
            field: "complainant_name",
            rule: "required"
        }));
    }

    #[test]
    fn the_menus_offer_only_what_apply_accepts() {
        for state in State::ALL {
            for code in next_steps(*state) {
                assert!(STEP_CODES.contains(code), "{code}");
            }
        }
    }
}
