//! The demo store's year of survey responses: mostly content clients, some passives, a
//! fifth detractors (a few with comments that read like complaints), dated back a year from
//! the day the store is made.

use super::synthetic::Rng;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// One demo response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoResponse {
    pub template: &'static str,
    /// Which client answered (an index into the store's clients), or None for anonymous.
    pub client: Option<u64>,
    pub channel: &'static str,
    pub answered_on: NaiveDate,
    /// Who keyed it in.
    pub by: &'static str,
    pub answers: BTreeMap<String, String>,
}

const COMPLAINTS: [&str; 3] = [
    "排队太久，柜员态度也不好",
    "收费不透明，多收了手续费",
    "理财经理误导我购买了高风险产品",
];

/// `count` counter surveys over the past year, and a few complaint follow-ups and annual
/// relationship surveys.
pub fn demo_surveys(today: NaiveDate, clients: u64, count: u64) -> Vec<DemoResponse> {
    let mut rng = Rng::new(20_261_201);
    let mut out = Vec::new();
    for i in 0..count {
        let answered_on = today - Duration::days((i * 365 / count.max(1)) as i64);
        let nps = match rng.below(100) {
            0..=49 => 9 + rng.below(2),
            50..=79 => 7 + rng.below(2),
            _ => rng.below(7),
        };
        let speed = match nps {
            9..=10 => 4 + rng.below(2),
            7..=8 => 3 + rng.below(2),
            _ => 1 + rng.below(3),
        };
        let mut answers = BTreeMap::new();
        answers.insert("nps".to_string(), nps.to_string());
        answers.insert("speed".to_string(), speed.to_string());
        answers.insert("wait".to_string(), (1 + rng.below(3)).to_string());
        answers.insert(
            "greeted".to_string(),
            if nps >= 7 || rng.chance(500) {
                "yes"
            } else {
                "no"
            }
            .to_string(),
        );
        if rng.chance(400) {
            answers.insert("improve".to_string(), (1 + rng.below(4)).to_string());
        }
        if nps <= 6 && rng.chance(500) {
            answers.insert("why".to_string(), rng.pick(&COMPLAINTS).to_string());
        }
        // Detractors with a name are rare and recent (the agenda shows a week back).
        let named = if nps <= 6 { i < 6 } else { rng.chance(300) };
        out.push(DemoResponse {
            template: "counter_visit",
            client: (named && clients > 0).then(|| rng.below(clients)),
            channel: match rng.below(10) {
                0..=6 => "counter",
                7..=8 => "paper",
                _ => "phone",
            },
            answered_on,
            by: if i % 4 == 3 { "manager01" } else { "teller01" },
            answers,
        });
    }
    for i in 0..(count / 10) {
        let satisfied = rng.chance(700);
        let mut answers = BTreeMap::new();
        answers.insert(
            "resolved".to_string(),
            if satisfied { "yes" } else { "no" }.into(),
        );
        answers.insert(
            "handling".to_string(),
            (if satisfied {
                4 + rng.below(2)
            } else {
                2 + rng.below(2)
            })
            .to_string(),
        );
        answers.insert(
            "nps".to_string(),
            (if satisfied { 8 } else { 5 } + rng.below(3)).to_string(),
        );
        out.push(DemoResponse {
            template: "complaint_follow_up",
            client: None,
            channel: "phone",
            answered_on: today - Duration::days((10 + i * 30) as i64 % 360),
            by: "manager01",
            answers,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_surveys_answer_their_templates() {
        use crate::domain::survey::{check_answers, parse_template};
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let templates: Vec<_> = crate::assets::SURVEY_TEMPLATES
            .iter()
            .map(|(_, text)| parse_template(text).unwrap())
            .collect();
        let responses = demo_surveys(today, 2_000, 300);
        assert_eq!(responses.len(), 330);
        for r in &responses {
            let template = templates.iter().find(|t| t.code == r.template).unwrap();
            assert!(check_answers(template, &r.answers).is_ok(), "{r:?}");
            assert!(r.answered_on <= today && r.answered_on > today - Duration::days(366));
        }
        let named_detractors = responses
            .iter()
            .filter(|r| r.client.is_some() && r.answers["nps"].parse::<u8>().unwrap() <= 6)
            .count();
        assert!(named_detractors <= 6);
    }
}
