//! Branch events (客户沙龙、理财讲座、客户答谢会): what an event is and the rules of its
//! fields, who its audience may be (a segment of the book, and only clients who agreed to
//! marketing), the replies to an invitation, and an event's figures. (A client's own life
//! events — a marriage, a child — are `care::EventKind`.)

use super::text::{TextKind, fault};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The most places an event may have.
pub const MOST_PLACES: u32 = 5_000;

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 客户沙龙
    Salon,
    /// 理财讲座
    Seminar,
    /// 客户答谢会
    Appreciation,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [
        EventKind::Salon,
        EventKind::Seminar,
        EventKind::Appreciation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::Salon => "salon",
            EventKind::Seminar => "seminar",
            EventKind::Appreciation => "appreciation",
        }
    }

    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// Who is invited: clients of the book who agreed to marketing and fall in every part
/// given (none given: every such client).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    /// Tier codes (any of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// The relationship manager whose clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rm: Option<String>,
    /// Age on the event's day, from and to (both included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ages: Option<(u32, u32)>,
    /// A product category the client holds (as of HQ's latest snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds: Option<String>,
}

/// What the audience is decided on, of one client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    pub consents: bool,
    pub tier: String,
    pub rm: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// The product categories the client holds.
    pub holds: Vec<String>,
}

/// Whole years from `born` to `on`.
fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

impl Audience {
    /// Whether `client` is in the audience of an event on `on`. A client who did not agree
    /// to marketing never is.
    pub fn admits(&self, client: &Candidate, on: NaiveDate) -> bool {
        if !client.consents {
            return false;
        }
        if !self.tiers.is_empty() && !self.tiers.contains(&client.tier) {
            return false;
        }
        if let Some(rm) = &self.rm
            && client.rm.as_ref() != Some(rm)
        {
            return false;
        }
        if let Some((from, to)) = self.ages {
            let Some(born) = client.birth_date else {
                return false;
            };
            let age = age_on(born, on);
            if age < from as i32 || age > to as i32 {
                return false;
            }
        }
        if let Some(category) = &self.holds
            && !client.holds.contains(category)
        {
            return false;
        }
        true
    }
}

/// An event as keyed: text, checked by [`EventInput::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInput {
    pub title: String,
    pub kind: String,
    /// YYYY-MM-DD
    pub on: String,
    pub place: String,
    pub capacity: String,
    /// Tier codes, separated by commas.
    pub tiers: String,
    pub rm: String,
    /// "40-60"
    pub ages: String,
    /// A product category.
    pub holds: String,
    /// The earn rule attendance credits (empty: none).
    pub points_rule: String,
    /// The survey template sent to attendees afterwards (empty: none).
    pub survey: String,
}

/// An event's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFields {
    pub title: String,
    pub kind: EventKind,
    pub on: NaiveDate,
    pub place: String,
    pub capacity: u32,
    pub audience: Audience,
    pub points_rule: Option<String>,
    pub survey: Option<String>,
}

/// What is wrong with an event's fields (`rule.event.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum EventProblem {
    TitleMissing,
    /// A title or place longer than `most` characters.
    TooLong {
        field: &'static str,
        most: usize,
    },
    /// A control character in a title or place.
    Unprintable {
        field: &'static str,
    },
    UnknownKind {
        kind: String,
    },
    NotADay {
        text: String,
    },
    DayPassed {
        on: NaiveDate,
    },
    PlaceMissing,
    Capacity {
        text: String,
    },
    UnknownTier {
        tier: String,
    },
    Ages {
        text: String,
    },
    UnknownCategory {
        category: String,
    },
    UnknownRule {
        rule: String,
    },
    UnknownSurvey {
        survey: String,
    },
}

impl EventProblem {
    pub fn code(&self) -> &'static str {
        match self {
            EventProblem::TitleMissing => "title_missing",
            EventProblem::TooLong { .. } => "too_long",
            EventProblem::Unprintable { .. } => "unprintable",
            EventProblem::UnknownKind { .. } => "unknown_kind",
            EventProblem::NotADay { .. } => "not_a_day",
            EventProblem::DayPassed { .. } => "day_passed",
            EventProblem::PlaceMissing => "place_missing",
            EventProblem::Capacity { .. } => "capacity",
            EventProblem::UnknownTier { .. } => "unknown_tier",
            EventProblem::Ages { .. } => "ages",
            EventProblem::UnknownCategory { .. } => "unknown_category",
            EventProblem::UnknownRule { .. } => "unknown_rule",
            EventProblem::UnknownSurvey { .. } => "unknown_survey",
        }
    }
}

/// What an event's fields are checked against: the codes in force.
pub struct Known<'a> {
    pub tiers: &'a [String],
    pub categories: &'a [String],
    pub rules: &'a [String],
    pub surveys: &'a [String],
}

/// The most characters of a title or a place.
const MOST_CHARS: usize = 60;

/// A title or place: trimmed, one printable line of at most [`MOST_CHARS`].
fn one_line(text: &str, field: &'static str, problems: &mut Vec<EventProblem>) -> String {
    let text = text.trim();
    if fault(TextKind::Line, text).is_some() {
        problems.push(EventProblem::Unprintable { field });
    } else if text.chars().count() > MOST_CHARS {
        problems.push(EventProblem::TooLong {
            field,
            most: MOST_CHARS,
        });
    }
    text.to_string()
}

/// "40-60" (or "40–60", "40~60") as two ages, the first not above the second.
fn parse_ages(text: &str) -> Option<(u32, u32)> {
    let (from, to) = text.split_once(['-', '–', '~', '～'])?;
    let (from, to) = (
        from.trim().parse::<u32>().ok()?,
        to.trim().parse::<u32>().ok()?,
    );
    (from <= to && to <= 120).then_some((from, to))
}

impl EventInput {
    /// The fields checked on `today` against the codes in force: every problem, or the
    /// fields.
    pub fn check(&self, today: NaiveDate, known: &Known) -> Result<EventFields, Vec<EventProblem>> {
        let mut problems = Vec::new();
        let title = one_line(&self.title, "title", &mut problems);
        if title.is_empty() {
            problems.push(EventProblem::TitleMissing);
        }
        let kind = EventKind::parse(&self.kind);
        if kind.is_none() {
            problems.push(EventProblem::UnknownKind {
                kind: self.kind.trim().to_string(),
            });
        }
        let on = NaiveDate::parse_from_str(self.on.trim(), "%Y-%m-%d").ok();
        match on {
            None => problems.push(EventProblem::NotADay {
                text: self.on.trim().to_string(),
            }),
            Some(on) if on < today => problems.push(EventProblem::DayPassed { on }),
            Some(_) => {}
        }
        let place = one_line(&self.place, "place", &mut problems);
        if place.is_empty() {
            problems.push(EventProblem::PlaceMissing);
        }
        let capacity = self
            .capacity
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|c| (1..=MOST_PLACES).contains(c));
        if capacity.is_none() {
            problems.push(EventProblem::Capacity {
                text: self.capacity.trim().to_string(),
            });
        }
        let tiers: Vec<String> = self
            .tiers
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        for tier in &tiers {
            if !known.tiers.contains(tier) {
                problems.push(EventProblem::UnknownTier { tier: tier.clone() });
            }
        }
        let ages = match self.ages.trim() {
            "" => None,
            text => {
                let parsed = parse_ages(text);
                if parsed.is_none() {
                    problems.push(EventProblem::Ages {
                        text: text.to_string(),
                    });
                }
                parsed
            }
        };
        let holds = Some(self.holds.trim().to_string()).filter(|h| !h.is_empty());
        if let Some(category) = &holds
            && !known.categories.contains(category)
        {
            problems.push(EventProblem::UnknownCategory {
                category: category.clone(),
            });
        }
        let points_rule = Some(self.points_rule.trim().to_string()).filter(|r| !r.is_empty());
        if let Some(rule) = &points_rule
            && !known.rules.contains(rule)
        {
            problems.push(EventProblem::UnknownRule { rule: rule.clone() });
        }
        let survey = Some(self.survey.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(code) = &survey
            && !known.surveys.contains(code)
        {
            problems.push(EventProblem::UnknownSurvey {
                survey: code.clone(),
            });
        }
        match (kind, on, capacity, problems.is_empty()) {
            (Some(kind), Some(on), Some(capacity), true) => Ok(EventFields {
                title,
                kind,
                on,
                place,
                capacity,
                audience: Audience {
                    tiers,
                    rm: Some(self.rm.trim().to_string()).filter(|r| !r.is_empty()),
                    ages,
                    holds,
                },
                points_rule,
                survey,
            }),
            _ => Err(problems),
        }
    }
}

/// A client's reply to an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Yes,
    No,
    /// Not reached, or no answer yet.
    None,
}

impl Reply {
    pub const ALL: [Reply; 3] = [Reply::Yes, Reply::No, Reply::None];

    pub fn code(self) -> &'static str {
        match self {
            Reply::Yes => "yes",
            Reply::No => "no",
            Reply::None => "none",
        }
    }

    pub fn parse(code: &str) -> Option<Reply> {
        Reply::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

/// Why an invitation's reply or attendance is refused (`rule.event.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "refused", rename_all = "snake_case")]
pub enum EventRefusal {
    /// Every place is taken by a yes.
    Full { capacity: u32 },
    /// Attendance is recorded on the day or after it.
    NotYet { on: NaiveDate },
    /// A reply after the event is over.
    Over { on: NaiveDate },
    /// The client was not invited to this event.
    NotInvited,
    /// No one in the audience (or everyone in it was invited already).
    NoOneToInvite,
    /// The follow-up survey goes out after the event, to those who came.
    NoSurvey,
}

impl EventRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            EventRefusal::Full { .. } => "full",
            EventRefusal::NotYet { .. } => "not_yet",
            EventRefusal::Over { .. } => "over",
            EventRefusal::NotInvited => "not_invited",
            EventRefusal::NoOneToInvite => "no_one_to_invite",
            EventRefusal::NoSurvey => "no_survey",
        }
    }
}

/// Whether a reply may be recorded on `today` for an event on `on` with `yes_before` yes
/// replies already (this client's own not among them) and `capacity` places.
pub fn check_reply(
    reply: Reply,
    on: NaiveDate,
    today: NaiveDate,
    yes_before: u32,
    capacity: u32,
) -> Result<(), EventRefusal> {
    if today > on {
        return Err(EventRefusal::Over { on });
    }
    if reply == Reply::Yes && yes_before >= capacity {
        return Err(EventRefusal::Full { capacity });
    }
    Ok(())
}

/// Whether attendance may be recorded on `today` for an event on `on`.
pub fn check_attendance(on: NaiveDate, today: NaiveDate) -> Result<(), EventRefusal> {
    if today < on {
        return Err(EventRefusal::NotYet { on });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
