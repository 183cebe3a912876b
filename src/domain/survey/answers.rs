//! Answers to a template's questions: which questions apply (a "why?" only after a low
//! score), and every answer checked against its question.

use super::*;

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Score(u8),
    YesNo(bool),
    Choices(Vec<String>),
    Text(String),
}

/// Answers by question id.
pub type Answers = BTreeMap<String, Answer>;

/// Whether a question is asked, given the answers so far.
pub fn applies(question: &Question, answers: &Answers) -> bool {
    let Some(when) = &question.when else {
        return true;
    };
    match answers.get(&when.question) {
        Some(Answer::Score(score)) => {
            when.at_most.is_none_or(|m| *score <= m) && when.at_least.is_none_or(|m| *score >= m)
        }
        _ => false,
    }
}

/// A question and the rule its answer broke (`rule.survey.<rule>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    pub question: String,
    pub rule: &'static str,
}

/// Reads one typed answer.
fn read_answer(question: &Question, raw: &str) -> Result<Answer, &'static str> {
    let raw = raw.trim();
    match question.kind {
        QuestionKind::Nps | QuestionKind::Rating => {
            let (min, max) = question.kind.scale().unwrap_or((0, 10));
            match raw.parse::<u8>() {
                Ok(score) if (min..=max).contains(&score) => Ok(Answer::Score(score)),
                Ok(_) | Err(_) if raw.chars().all(|c| c.is_ascii_digit()) => Err("range"),
                _ => Err("number"),
            }
        }
        QuestionKind::YesNo => crate::domain::client::parse_yes_no(raw)
            .map(Answer::YesNo)
            .ok_or("yes_no"),
        QuestionKind::Single | QuestionKind::Multi => {
            let mut codes = Vec::new();
            for part in raw.split([',', '，', ' ', '、']).filter(|p| !p.is_empty()) {
                let by_number = part
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| question.options.get(i));
                let option = by_number
                    .or_else(|| question.options.iter().find(|o| o.code == part))
                    .ok_or("unknown_option")?;
                if !codes.contains(&option.code) {
                    codes.push(option.code.clone());
                }
            }
            if question.kind == QuestionKind::Single && codes.len() > 1 {
                return Err("one_option");
            }
            Ok(Answer::Choices(codes))
        }
        QuestionKind::Text => {
            use crate::domain::text::{TextKind, fault};
            if let Some(fault) = fault(TextKind::Lines, raw) {
                Err(fault.code())
            } else if raw.chars().count() > 1000 {
                Err("too_long")
            } else {
                Ok(Answer::Text(raw.to_string()))
            }
        }
    }
}

/// Checks typed answers (question id → text) against a template. Questions whose
/// condition does not hold are dropped; every problem is reported at once.
pub fn check_answers(
    template: &Template,
    typed: &BTreeMap<String, String>,
) -> Result<Answers, Vec<AnswerError>> {
    let mut answers = Answers::new();
    let mut errors = Vec::new();
    for id in typed.keys() {
        if template.question(id).is_none() {
            errors.push(AnswerError {
                question: id.clone(),
                rule: "unknown_question",
            });
        }
    }
    for question in &template.questions {
        if !applies(question, &answers) {
            continue;
        }
        let raw = typed.get(&question.id).map(|s| s.trim()).unwrap_or("");
        let empty = match question.kind {
            QuestionKind::Text | QuestionKind::Multi => raw.is_empty(),
            _ => raw.is_empty(),
        };
        if empty {
            if question.required {
                errors.push(AnswerError {
                    question: question.id.clone(),
                    rule: "required",
                });
            }
            continue;
        }
        match read_answer(question, raw) {
            Ok(answer) => {
                answers.insert(question.id.clone(), answer);
            }
            Err(rule) => errors.push(AnswerError {
                question: question.id.clone(),
                rule,
            }),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}
