//! What responses add up to: NPS and CSAT (one decimal, none when there are no answers),
//! distributions, groups by month, staff or channel with the small-sample flag, the
//! call-back a low score asks for, and comments that read like a complaint.

use super::*;

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
    nps_from_counts(promoters, passives, detractors)
}

/// NPS from the counts of promoters (9–10), passives (7–8) and detractors (0–6).
pub fn nps_from_counts(promoters: u64, passives: u64, detractors: u64) -> Option<Nps> {
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
    csat_from_counts(n, satisfied)
}

/// CSAT from the number of ratings and of those at 4 or 5.
pub fn csat_from_counts(n: u64, satisfied: u64) -> Option<Csat> {
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

impl Stats {
    /// The months with the highest and the lowest NPS, among those with enough responses
    /// to read (a month of three answers says nothing); None when no month has enough.
    pub fn extreme_months(&self) -> Option<(&Group, &Group)> {
        let readable = || {
            self.trend
                .iter()
                .filter(|g| !g.small_sample)
                .filter_map(|g| g.nps.map(|n| (g, n.nps)))
        };
        let high = readable().max_by(|a, b| a.1.total_cmp(&b.1))?;
        let low = readable().min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some((high.0, low.0))
    }
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

/// A response's NPS score and CSAT rating, where its template asks for them (a client's
/// latest counts towards their value).
pub fn latest_scores(template: &Template, answers: &Answers) -> (Option<u8>, Option<u8>) {
    let score_of = |q: Option<&Question>| match q.and_then(|q| answers.get(&q.id)) {
        Some(Answer::Score(s)) => Some(*s),
        _ => None,
    };
    (
        score_of(template.nps_question()),
        score_of(template.csat_question()),
    )
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

/// A calendar month, as responses are grouped by it (`2026-07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub number: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        use chrono::Datelike;
        Month {
            year: day.year(),
            number: day.month(),
        }
    }

    /// `2026-07` (also `2026-7` and `2026/07`).
    pub fn parse(text: &str) -> Option<Month> {
        let text = text.trim().replace('/', "-");
        let (year, number) = text.split_once('-')?;
        let month = Month {
            year: year.parse().ok()?,
            number: number.parse().ok()?,
        };
        ((1..=12).contains(&month.number) && (1000..=9999).contains(&month.year)).then_some(month)
    }

    /// The month `n` months before this one.
    pub fn back(self, n: u32) -> Month {
        self.shifted(-(n as i32))
    }

    /// The month as one number (`202611`), which orders as the months do.
    pub fn key(self) -> i64 {
        i64::from(self.year) * 100 + i64::from(self.number)
    }

    /// The inverse of [`Month::key`].
    pub fn from_key(key: i64) -> Option<Month> {
        let month = Month {
            year: i32::try_from(key / 100).ok()?,
            number: u32::try_from(key % 100).ok()?,
        };
        (1..=12).contains(&month.number).then_some(month)
    }

    /// The twelve months up to `today`'s: the span HQ's satisfaction report shows first.
    pub fn year_to(today: NaiveDate) -> (Month, Month) {
        let to = Month::of(today);
        (to.back(11), to)
    }

    /// The month after this one.
    pub fn ahead(self) -> Month {
        self.shifted(1)
    }

    fn shifted(self, months: i32) -> Month {
        let index = self.year * 12 + self.number as i32 - 1 + months;
        Month {
            year: index.div_euclid(12),
            number: index.rem_euclid(12) as u32 + 1,
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.number)
    }
}
