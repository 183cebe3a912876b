//! Satisfaction surveys: templates as data, answers checked against them, NPS and CSAT.
//!
//! - NPS (0–10 "how likely to recommend"): promoters 9–10, detractors 0–6;
//!   NPS = % promoters − % detractors, from −100 to +100.
//! - CSAT: the share of 4–5 answers to a 1–5 rating, in percent.
//!
//! Both are rounded to one decimal here, once, so that every screen and every `--json`
//! prints the same number. No answers means no number (never NaN).

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
}

impl Template {
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
    Ok(Template {
        code: file.code,
        version: 0,
        title: file.title,
        valid_from,
        valid_to,
        questions,
    })
}

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
        QuestionKind::YesNo => super::client::parse_yes_no(raw)
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
            if raw.chars().count() > 1000 {
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

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// NPS of a set of 0–10 scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nps {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// −100.0 to +100.0, one decimal.
    pub nps: f64,
}

pub fn nps_of(scores: impl IntoIterator<Item = u8>) -> Option<Nps> {
    let (mut promoters, mut passives, mut detractors) = (0u64, 0u64, 0u64);
    for score in scores {
        match score {
            9..=10 => promoters += 1,
            7..=8 => passives += 1,
            _ => detractors += 1,
        }
    }
    let n = promoters + passives + detractors;
    (n > 0).then(|| Nps {
        n,
        promoters,
        passives,
        detractors,
        nps: round1((promoters as f64 - detractors as f64) * 100.0 / n as f64),
    })
}

/// CSAT of a set of 1–5 ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Csat {
    pub n: u64,
    pub satisfied: u64,
    /// Percent of 4–5 answers, one decimal.
    pub csat: f64,
}

pub fn csat_of(ratings: impl IntoIterator<Item = u8>) -> Option<Csat> {
    let (mut n, mut satisfied) = (0u64, 0u64);
    for rating in ratings {
        n += 1;
        if rating >= 4 {
            satisfied += 1;
        }
    }
    (n > 0).then(|| Csat {
        n,
        satisfied,
        csat: round1(satisfied as f64 * 100.0 / n as f64),
    })
}

/// What the statistics need of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFacts {
    pub answered_on: NaiveDate,
    pub staff: String,
    pub channel: String,
    pub answers: Answers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Month,
    Staff,
    Channel,
}

impl GroupBy {
    pub fn parse(code: &str) -> Option<GroupBy> {
        match code.trim() {
            "month" => Some(GroupBy::Month),
            "staff" => Some(GroupBy::Staff),
            "channel" => Some(GroupBy::Channel),
            _ => None,
        }
    }

    fn key(self, facts: &ResponseFacts) -> String {
        match self {
            GroupBy::Month => facts.answered_on.format("%Y-%m").to_string(),
            GroupBy::Staff => facts.staff.clone(),
            GroupBy::Channel => facts.channel.clone(),
        }
    }
}

/// How the answers to one question spread: (option or score, count) in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution {
    pub question: String,
    pub kind: QuestionKind,
    pub answered: u64,
    pub counts: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    pub responses: u64,
    pub nps: Option<Nps>,
    pub csat: Option<Csat>,
    pub small_sample: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub responses: u64,
    pub nps: Option<Nps>,
    pub csat: Option<Csat>,
    pub small_sample: bool,
    pub questions: Vec<Distribution>,
    /// NPS by month, oldest first.
    pub trend: Vec<Group>,
    pub by: GroupBy,
    pub groups: Vec<Group>,
}

fn scores<'a>(
    responses: impl Iterator<Item = &'a ResponseFacts>,
    question: Option<&Question>,
) -> Vec<u8> {
    let Some(question) = question else {
        return Vec::new();
    };
    responses
        .filter_map(|r| match r.answers.get(&question.id) {
            Some(Answer::Score(s)) => Some(*s),
            _ => None,
        })
        .collect()
}

fn group_of(key: String, members: &[&ResponseFacts], template: &Template) -> Group {
    let responses = members.len() as u64;
    Group {
        key,
        responses,
        nps: nps_of(scores(members.iter().copied(), template.nps_question())),
        csat: csat_of(scores(members.iter().copied(), template.csat_question())),
        small_sample: responses < SMALL_SAMPLE,
    }
}

/// The statistics of a template's responses.
pub fn compute(template: &Template, responses: &[ResponseFacts], by: GroupBy) -> Stats {
    let all: Vec<&ResponseFacts> = responses.iter().collect();
    let overall = group_of(String::new(), &all, template);
    let questions = template
        .questions
        .iter()
        .map(|q| {
            let mut counts: Vec<(String, u64)> = match q.kind {
                QuestionKind::Nps | QuestionKind::Rating => {
                    let (min, max) = q.kind.scale().unwrap_or((0, 10));
                    (min..=max).map(|s| (s.to_string(), 0)).collect()
                }
                QuestionKind::Single | QuestionKind::Multi => {
                    q.options.iter().map(|o| (o.code.clone(), 0)).collect()
                }
                QuestionKind::YesNo => vec![("yes".into(), 0), ("no".into(), 0)],
                QuestionKind::Text => vec![("answered".into(), 0)],
            };
            let mut answered = 0;
            for r in responses {
                let Some(answer) = r.answers.get(&q.id) else {
                    continue;
                };
                answered += 1;
                let keys: Vec<String> = match answer {
                    Answer::Score(s) => vec![s.to_string()],
                    Answer::YesNo(b) => vec![if *b { "yes" } else { "no" }.to_string()],
                    Answer::Choices(codes) => codes.clone(),
                    Answer::Text(_) => vec!["answered".to_string()],
                };
                for key in keys {
                    if let Some(slot) = counts.iter_mut().find(|(k, _)| *k == key) {
                        slot.1 += 1;
                    }
                }
            }
            Distribution {
                question: q.id.clone(),
                kind: q.kind,
                answered,
                counts,
            }
        })
        .collect();
    let grouped = |by: GroupBy| -> Vec<Group> {
        let mut keys: BTreeMap<String, Vec<&ResponseFacts>> = BTreeMap::new();
        for r in responses {
            keys.entry(by.key(r)).or_default().push(r);
        }
        keys.into_iter()
            .map(|(key, members)| group_of(key, &members, template))
            .collect()
    };
    Stats {
        responses: overall.responses,
        nps: overall.nps,
        csat: overall.csat,
        small_sample: overall.small_sample,
        questions,
        trend: grouped(GroupBy::Month),
        by,
        groups: grouped(by),
    }
}

/// Why a response calls for a call back: a detractor, or a rating of 1–2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub nps: Option<u8>,
    pub rating: Option<u8>,
}

pub fn follow_up(template: &Template, answers: &Answers) -> Option<FollowUp> {
    let score_of = |q: Option<&Question>| match q.and_then(|q| answers.get(&q.id)) {
        Some(Answer::Score(s)) => Some(*s),
        _ => None,
    };
    let nps = score_of(template.nps_question()).filter(|s| *s <= 6);
    let rating = template
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Rating)
        .filter_map(|q| score_of(Some(q)))
        .filter(|s| *s <= 2)
        .min();
    (nps.is_some() || rating.is_some()).then_some(FollowUp { nps, rating })
}

/// Words that say a free-text answer is a complaint (the screen then offers to open one).
const COMPLAINT_WORDS: [&str; 16] = [
    "投诉",
    "不满",
    "态度",
    "乱收费",
    "多收",
    "收费",
    "欺骗",
    "误导",
    "骗",
    "太慢",
    "排队",
    "complain",
    "rude",
    "overcharg",
    "mis-sold",
    "misled",
];

/// The free text of a response, when it reads like a complaint.
pub fn complaint_text(template: &Template, answers: &Answers) -> Option<String> {
    let text: Vec<&str> = template
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Text)
        .filter_map(|q| match answers.get(&q.id) {
            Some(Answer::Text(t)) if !t.is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let joined = text.join("\n");
    let lower = joined.to_lowercase();
    COMPLAINT_WORDS
        .iter()
        .any(|w| lower.contains(w))
        .then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> Template {
        parse_template(crate::assets::SURVEY_TEMPLATES[0].1).unwrap()
    }

    fn typed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_shipped_templates_parse() {
        for (file, text) in crate::assets::SURVEY_TEMPLATES {
            let t = parse_template(text).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!t.questions.is_empty(), "{file}");
        }
        let t = counter();
        assert!(t.nps_question().is_some() && t.csat_question().is_some());
    }

    #[test]
    fn template_errors_name_the_line() {
        let bad = "code = \"x1\"\ntitle = { zh = \"a\", en = \"b\" }\nvalid_from = 2024-01-01\n\
                   [[question]]\nid = \"q1\"\nkind = \"stars\"\n";
        let e = parse_template(bad).unwrap_err();
        assert_eq!(e.line, Some(6), "{e}");
        let twice = "code = \"x1\"\ntitle = { zh = \"a\", en = \"b\" }\nvalid_from = 2024-01-01\n\
                     [[question]]\nid = \"q1\"\nkind = \"nps\"\ntext = { zh = \"a\", en = \"b\" }\n\
                     [[question]]\nid = \"q1\"\nkind = \"text\"\ntext = { zh = \"a\", en = \"b\" }\n";
        let e = parse_template(twice).unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.detail.contains("twice"));
        let unclosed = "code = \"x1\n";
        assert_eq!(parse_template(unclosed).unwrap_err().line, Some(1));
    }

    #[test]
    fn answers_are_checked_and_conditional_questions_follow_the_score() {
        let t = counter();
        // A promoter is not asked why.
        let ok = check_answers(
            &t,
            &typed(&[("nps", "9"), ("speed", "5"), ("why", "ignored")]),
        );
        let ok = ok.unwrap();
        assert_eq!(ok.get("nps"), Some(&Answer::Score(9)));
        assert!(!ok.contains_key("why"));
        // A detractor is.
        let low = check_answers(
            &t,
            &typed(&[("nps", "3"), ("speed", "2"), ("why", "排队太久")]),
        )
        .unwrap();
        assert_eq!(low.get("why"), Some(&Answer::Text("排队太久".into())));
        let errors = check_answers(&t, &typed(&[("nps", "11"), ("speed", "0")])).unwrap_err();
        let rules: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.question.as_str(), e.rule))
            .collect();
        assert_eq!(rules, [("nps", "range"), ("speed", "range")]);
        let missing = check_answers(&t, &typed(&[("speed", "4")])).unwrap_err();
        assert_eq!(missing[0].rule, "required");
        let unknown =
            check_answers(&t, &typed(&[("nps", "8"), ("speed", "4"), ("zzz", "1")])).unwrap_err();
        assert_eq!(unknown[0].rule, "unknown_question");
    }

    #[test]
    fn nps_and_csat_against_hand_computed_figures() {
        assert_eq!(nps_of([9, 10, 10]).unwrap().nps, 100.0);
        assert_eq!(nps_of([0, 3, 6]).unwrap().nps, -100.0);
        assert_eq!(nps_of([]), None);
        // 4 promoters, 3 passives, 3 detractors: 40% − 30% = +10.
        let mixed = nps_of([10, 9, 9, 10, 7, 8, 8, 0, 5, 6]).unwrap();
        assert_eq!(
            (mixed.promoters, mixed.passives, mixed.detractors, mixed.nps),
            (4, 3, 3, 10.0)
        );
        // 1 promoter of 3: 33.333… → 33.3; 2 detractors of 3: −66.7.
        assert_eq!(nps_of([9, 7, 8]).unwrap().nps, 33.3);
        assert_eq!(nps_of([9, 1, 2]).unwrap().nps, -33.3);
        assert_eq!(nps_of([1, 2, 8]).unwrap().nps, -66.7);
        assert_eq!(csat_of([5, 4, 3, 2]).unwrap().csat, 50.0);
        assert_eq!(csat_of([5, 5, 4]).unwrap().csat, 100.0);
        assert_eq!(csat_of([1, 4, 4]).unwrap().csat, 66.7);
        assert_eq!(csat_of([]), None);
    }

    #[test]
    fn stats_group_and_count_and_flag_small_samples() {
        let t = counter();
        let response = |day: &str, staff: &str, nps: u8, speed: u8| ResponseFacts {
            answered_on: day.parse().unwrap(),
            staff: staff.into(),
            channel: "counter".into(),
            answers: [
                ("nps".to_string(), Answer::Score(nps)),
                ("speed".to_string(), Answer::Score(speed)),
            ]
            .into_iter()
            .collect(),
        };
        let responses = [
            response("2026-10-03", "teller01", 10, 5),
            response("2026-10-20", "teller02", 6, 2),
            response("2026-11-02", "teller01", 9, 4),
        ];
        let stats = compute(&t, &responses, GroupBy::Staff);
        assert_eq!(stats.responses, 3);
        assert_eq!(stats.nps.unwrap().nps, 33.3);
        assert_eq!(stats.csat.unwrap().csat, 66.7);
        assert!(stats.small_sample);
        assert_eq!(stats.trend.len(), 2);
        assert_eq!(stats.trend[0].key, "2026-10");
        assert_eq!(stats.trend[0].nps.unwrap().nps, 0.0);
        let staff: Vec<(&str, u64)> = stats
            .groups
            .iter()
            .map(|g| (g.key.as_str(), g.responses))
            .collect();
        assert_eq!(staff, [("teller01", 2), ("teller02", 1)]);
        let nps_counts = &stats
            .questions
            .iter()
            .find(|q| q.question == "nps")
            .unwrap()
            .counts;
        assert_eq!(nps_counts.len(), 11);
        assert_eq!(nps_counts[10], ("10".to_string(), 1));
        let empty = compute(&t, &[], GroupBy::Month);
        assert_eq!((empty.responses, empty.nps, empty.csat), (0, None, None));
    }

    #[test]
    fn detractors_and_poor_ratings_call_for_a_follow_up() {
        let t = counter();
        let answers = |nps: u8, speed: u8| {
            check_answers(
                &t,
                &typed(&[("nps", &nps.to_string()), ("speed", &speed.to_string())]),
            )
            .unwrap()
        };
        assert_eq!(follow_up(&t, &answers(9, 5)), None);
        assert_eq!(
            follow_up(&t, &answers(6, 4)),
            Some(FollowUp {
                nps: Some(6),
                rating: None
            })
        );
        assert_eq!(
            follow_up(&t, &answers(8, 2)),
            Some(FollowUp {
                nps: None,
                rating: Some(2)
            })
        );
        let words = check_answers(
            &t,
            &typed(&[
                ("nps", "2"),
                ("speed", "3"),
                ("why", "柜员态度很差，我要投诉"),
            ]),
        )
        .unwrap();
        assert!(complaint_text(&t, &words).is_some());
        let calm =
            check_answers(&t, &typed(&[("nps", "5"), ("speed", "3"), ("why", "一般")])).unwrap();
        assert_eq!(complaint_text(&t, &calm), None);
    }
}
