//! Life events staff record (a marriage, a child, a retirement, a move) and what is typed
//! when acting on a reminder: each checked field by field.

use super::*;
use crate::domain::text::{self, TextKind};

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
        raw => match crate::domain::client::parse_date(raw) {
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
    let yearly = match crate::domain::client::parse_yes_no(if input.yearly.trim().is_empty() {
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
    if let Some(fault) = label
        .as_deref()
        .and_then(|l| text::fault(TextKind::Line, l))
    {
        errors.push(CareError {
            field: "label",
            rule: fault.code(),
        });
    } else if label.as_ref().is_some_and(|l| l.chars().count() > 40) {
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
    } else if let Some(fault) = crate::domain::text::fault(TextKind::Lines, text) {
        fault.code()
    } else if text.chars().count() > max {
        "too_long"
    } else {
        return Ok(text.to_string());
    };
    Err(CareError { field, rule })
}

/// A snooze must move the reminder to a later day.
pub fn check_snooze(until: &str, today: NaiveDate) -> Result<NaiveDate, CareError> {
    match crate::domain::client::parse_date(until) {
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
