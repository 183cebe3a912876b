//! Satisfaction surveys: templates as data, answers checked against them, NPS and CSAT.
//!
//! - NPS (0–10 "how likely to recommend"): promoters 9–10, detractors 0–6;
//!   NPS = % promoters − % detractors, from −100 to +100.
//! - CSAT: the share of 4–5 answers to a 1–5 rating, in percent.
//!
//! Both are rounded to one decimal here, once, so that every screen and every `--json`
//! prints the same number. No answers means no number (never NaN).

mod answers;
mod stats;
pub use answers::*;
pub use stats::*;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a survey was taken.
pub const CHANNELS: [&str; 4] = ["counter", "phone", "sms", "paper"];

/// Fewer responses than this and the figures are flagged as a small sample.
pub const SMALL_SAMPLE: u64 = 30;
/// A detractor or a poor rating gets a call back within this many days.
pub const FOLLOW_UP_DAYS: i64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 0–10, how likely to recommend.
    Nps,
    /// 1–5.
    Rating,
    Single,
    Multi,
    YesNo,
    Text,
}

impl QuestionKind {
    /// The scale of a score question.
    pub fn scale(self) -> Option<(u8, u8)> {
        match self {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Rating => Some((1, 5)),
            _ => None,
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

impl Words {
    pub fn get(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// Points towards a risk level (risk questionnaires only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
}

/// How a risk questionnaire (风险测评问卷) scores: the points of the options chosen add
/// up, and the total falls in a band that gives the level C1–C5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskScoring {
    /// From the lowest: a total of `from` or more gives `level` (until the next band).
    pub bands: Vec<RiskBand>,
    /// The yes/no question where the client confirms a result that differs from their
    /// previous one.
    pub confirm: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskBand {
    pub from: u32,
    pub level: u8,
}

/// What a risk questionnaire's answers come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskResult {
    pub score: u32,
    /// C1–C5.
    pub level: u8,
    /// The client confirmed the result (their answer to the confirming question).
    pub confirmed: bool,
}

/// Ask a question only when an earlier score is in a range ("why?" after a low NPS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub question: String,
    pub at_most: Option<u8>,
    pub at_least: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub text: Words,
    pub options: Vec<Choice>,
    pub when: Option<Condition>,
    /// The rating that CSAT is computed from.
    pub csat: bool,
}

/// A survey template. `version` is given by the store (a changed file is a new version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub code: String,
    pub version: u32,
    pub title: Words,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub questions: Vec<Question>,
    /// A risk questionnaire scores to a level; other templates have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskScoring>,
}

impl Template {
    /// The total and level a risk questionnaire's answers give (none for other
    /// templates): each chosen option's points, the band the total falls in.
    pub fn risk_result(&self, answers: &Answers) -> Option<RiskResult> {
        let risk = self.risk.as_ref()?;
        let points = |q: &Question, code: &str| {
            q.options
                .iter()
                .find(|o| o.code == code)
                .and_then(|o| o.score)
                .unwrap_or(0)
        };
        let score: u32 = self
            .questions
            .iter()
            .map(|q| match answers.get(&q.id) {
                Some(Answer::Choices(codes)) => codes.iter().map(|c| points(q, c)).sum(),
                _ => 0,
            })
            .sum();
        let level = risk.bands.iter().rfind(|b| score >= b.from)?.level;
        let confirmed = matches!(answers.get(&risk.confirm), Some(Answer::YesNo(true)));
        Some(RiskResult {
            score,
            level,
            confirmed,
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// The NPS question, if the template has one.
    pub fn nps_question(&self) -> Option<&Question> {
        self.questions.iter().find(|q| q.kind == QuestionKind::Nps)
    }

    /// The rating CSAT comes from: the one marked `csat`, else the first rating.
    pub fn csat_question(&self) -> Option<&Question> {
        self.questions.iter().find(|q| q.csat).or_else(|| {
            self.questions
                .iter()
                .find(|q| q.kind == QuestionKind::Rating)
        })
    }
}

/// What is wrong with a template file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: Option<usize>,
    pub detail: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.detail),
            None => f.write_str(&self.detail),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// Reads and checks a template file. Errors name the line where the file says it.
pub fn parse_template(text: &str) -> Result<Template, TemplateError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        code: String,
        title: Words,
        valid_from: toml::value::Datetime,
        valid_to: Option<toml::value::Datetime>,
        question: Vec<toml::Spanned<RawQuestion>>,
        risk: Option<RiskScoring>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawQuestion {
        id: String,
        kind: QuestionKind,
        #[serde(default)]
        required: bool,
        text: Words,
        #[serde(default)]
        options: Vec<Choice>,
        when: Option<Condition>,
        #[serde(default)]
        csat: bool,
    }
    let file: File = toml::from_str(text).map_err(|e| TemplateError {
        line: e.span().map(|s| line_of(text, s.start)),
        detail: e.message().to_string(),
    })?;
    let err = |line: Option<usize>, detail: String| TemplateError { line, detail };
    let date = |d: &toml::value::Datetime| -> Result<NaiveDate, TemplateError> {
        d.to_string()
            .parse()
            .map_err(|_| err(None, format!("{d} is not a date (YYYY-MM-DD)")))
    };
    let code_ok = |c: &str| {
        (2..=32).contains(&c.len())
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if !code_ok(&file.code) {
        return Err(err(
            Some(1),
            format!("code {:?}: 2–32 lowercase letters, digits or _", file.code),
        ));
    }
    let words_ok = |w: &Words| !w.zh.trim().is_empty() && !w.en.trim().is_empty();
    if !words_ok(&file.title) {
        return Err(err(None, "title needs zh and en".into()));
    }
    let valid_from = date(&file.valid_from)?;
    let valid_to = file.valid_to.as_ref().map(date).transpose()?;
    if valid_to.is_some_and(|to| to < valid_from) {
        return Err(err(None, "valid_to is before valid_from".into()));
    }
    if file.question.is_empty() {
        return Err(err(
            None,
            "a template needs at least one [[question]]".into(),
        ));
    }
    let mut questions: Vec<Question> = Vec::new();
    for spanned in &file.question {
        let line = Some(line_of(text, spanned.span().start));
        let q = spanned.get_ref();
        let at = |detail: String| err(line, format!("question {:?}: {detail}", q.id));
        if !code_ok(&q.id) {
            return Err(at("id: 2–32 lowercase letters, digits or _".into()));
        }
        if questions.iter().any(|earlier| earlier.id == q.id) {
            return Err(at("the id is used twice".into()));
        }
        if !words_ok(&q.text) {
            return Err(at("text needs zh and en".into()));
        }
        let choices = matches!(q.kind, QuestionKind::Single | QuestionKind::Multi);
        if choices {
            if q.options.len() < 2 || q.options.len() > 9 {
                return Err(at("a choice needs 2 to 9 options".into()));
            }
            for (i, option) in q.options.iter().enumerate() {
                if option.code.trim().is_empty()
                    || q.options[..i].iter().any(|o| o.code == option.code)
                    || option.zh.trim().is_empty()
                    || option.en.trim().is_empty()
                {
                    return Err(at(format!(
                        "option {}: needs a unique code, zh and en",
                        i + 1
                    )));
                }
            }
        } else if !q.options.is_empty() {
            return Err(at("only single and multi choices have options".into()));
        }
        if q.csat && q.kind != QuestionKind::Rating {
            return Err(at("csat is for a rating (1–5)".into()));
        }
        if let Some(when) = &q.when {
            let Some(source) = questions.iter().find(|e| e.id == when.question) else {
                return Err(at(format!("when: no earlier question {:?}", when.question)));
            };
            if source.kind.scale().is_none() {
                return Err(at("when: only an NPS or rating question can decide".into()));
            }
            if when.at_most.is_none() && when.at_least.is_none() {
                return Err(at("when: give at_most or at_least".into()));
            }
        }
        questions.push(Question {
            id: q.id.clone(),
            kind: q.kind,
            required: q.required,
            text: q.text.clone(),
            options: q.options.clone(),
            when: q.when.clone(),
            csat: q.csat,
        });
    }
    if questions.iter().filter(|q| q.csat).count() > 1 {
        return Err(err(None, "only one question can be the csat one".into()));
    }
    check_risk(file.risk.as_ref(), &questions).map_err(|detail| err(None, detail))?;
    Ok(Template {
        code: file.code,
        version: 0,
        title: file.title,
        valid_from,
        valid_to,
        questions,
        risk: file.risk,
    })
}

/// A risk questionnaire's scoring is whole: bands from 0 up, levels C1–C5 rising, every
/// option of every choice scored, and a yes/no question for the client's confirmation.
/// Other templates score nothing.
fn check_risk(risk: Option<&RiskScoring>, questions: &[Question]) -> Result<(), String> {
    let choices = || {
        questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::Single | QuestionKind::Multi))
    };
    let Some(risk) = risk else {
        return match choices().find(|q| q.options.iter().any(|o| o.score.is_some())) {
            Some(q) => Err(format!(
                "question {:?}: only a risk questionnaire ([risk]) scores options",
                q.id
            )),
            None => Ok(()),
        };
    };
    if risk.bands.first().is_none_or(|b| b.from != 0) {
        return Err("risk: the first band starts at 0".into());
    }
    if risk.bands.iter().any(|b| !(1..=5).contains(&b.level))
        || risk
            .bands
            .windows(2)
            .any(|w| w[1].from <= w[0].from || w[1].level <= w[0].level)
    {
        return Err("risk: bands rise in score and in level, levels 1–5".into());
    }
    if let Some(q) = choices().find(|q| q.options.iter().any(|o| o.score.is_none())) {
        return Err(format!("question {:?}: every option needs a score", q.id));
    }
    match questions.iter().find(|q| q.id == risk.confirm) {
        Some(q) if q.kind == QuestionKind::YesNo => Ok(()),
        _ => Err(format!(
            "risk: confirm names no yes/no question {:?}",
            risk.confirm
        )),
    }
}

#[cfg(test)]
mod tests;
