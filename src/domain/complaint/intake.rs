//! What staff type about a complaint: the intake form (checked field by field, with the
//! longest text each takes) and the details each step asks for.

use super::*;
use crate::domain::text::TextKind;

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
    let refused: Vec<IntakeError> = [
        ("handler", &input.handler),
        ("approved_by", &input.approved_by),
        ("higher_office", &input.higher_office),
        ("decision", &input.decision),
        ("into", &input.into),
    ]
    .into_iter()
    .filter(|(field, _)| step_fields(code).contains(field))
    .filter_map(|(field, typed)| {
        text_rule(field, typed.trim()).map(|rule| IntakeError { field, rule })
    })
    .collect();
    if !refused.is_empty() {
        return Err(refused);
    }
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
            raw => match crate::domain::client::parse_yes_no(raw) {
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

/// The longest text each complaint field takes, in characters — the intake's and the
/// steps' alike (a step's note is as long as a description may be).
pub fn intake_max_chars(field: &str) -> Option<usize> {
    match field {
        "complainant_name" => Some(40),
        "request" | "decision" | "higher_office" => Some(500),
        "description" | "note" => Some(4000),
        _ => None,
    }
}

/// The earliest day a complaint can have been received unless the configuration says
/// otherwise: before it, a typed date is a typing error (a year dropped or mistyped).
pub const EARLIEST_RECEIPT: (i32, u32, u32) = (1990, 1, 1);

/// [`EARLIEST_RECEIPT`] as a date.
pub fn earliest_receipt() -> NaiveDate {
    let (y, m, d) = EARLIEST_RECEIPT;
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn too_long(field: &str, text: &str) -> bool {
    intake_max_chars(field).is_some_and(|max| text.chars().count() > max)
}

/// What each complaint field holds: names and identifiers, one line, or several lines.
fn text_kind(field: &str) -> TextKind {
    match field {
        "request" | "description" | "decision" | "note" => TextKind::Lines,
        "higher_office" => TextKind::Line,
        _ => TextKind::Name,
    }
}

/// The rule a typed complaint field breaks by its characters or its length, if any.
fn text_rule(field: &'static str, text: &str) -> Option<&'static str> {
    match crate::domain::text::fault(text_kind(field), text) {
        Some(fault) => Some(fault.code()),
        None => too_long(field, text).then_some("too_long"),
    }
}

/// A step's note, refused when longer than a note may be.
pub fn check_note(note: &str) -> Result<(), Vec<IntakeError>> {
    match text_rule("note", note) {
        Some(rule) => Err(vec![IntakeError {
            field: "note",
            rule,
        }]),
        None => Ok(()),
    }
}

/// Checks an intake; the complainant's name may come from the client record, so it is only
/// required for walk-ins.
pub fn validate_intake(
    input: &IntakeInput,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Result<Intake, Vec<IntakeError>> {
    let mut errors = Vec::new();
    let mut refuse = |field, rule| errors.push(IntakeError { field, rule });
    let text = |s: &str| s.trim().to_string();
    let client = Some(text(&input.client)).filter(|c| !c.is_empty());
    if let Some(rule) = client.as_deref().and_then(|c| text_rule("client", c)) {
        refuse("client", rule);
    }
    let name = text(&input.complainant_name);
    if client.is_none() && name.is_empty() {
        refuse("complainant_name", "required");
    }
    if let Some(rule) = text_rule("complainant_name", &name) {
        refuse("complainant_name", rule);
    }
    let phone = match input.complainant_phone.trim() {
        "" => None,
        raw => match crate::domain::ids::parse_mobile(raw) {
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
    } else if let Some(rule) = text_rule("request", &request) {
        refuse("request", rule);
    }
    let description = input.description.trim().to_string();
    if description.is_empty() {
        refuse("description", "required");
    } else if let Some(rule) = text_rule("description", &description) {
        refuse("description", rule);
    }
    let subject = Some(text(&input.subject_staff).to_ascii_lowercase()).filter(|s| !s.is_empty());
    if let Some(rule) = subject
        .as_deref()
        .and_then(|s| text_rule("subject_staff", s))
    {
        refuse("subject_staff", rule);
    }
    let received_on = match input.received_on.trim() {
        "" => Some(today),
        raw => match crate::domain::client::parse_date(raw) {
            Some(date) if date > today => {
                refuse("received_on", "future");
                None
            }
            Some(date) if date < earliest => {
                refuse("received_on", "too_early");
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
