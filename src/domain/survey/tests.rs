//! The survey rules: templates as data, answers checked, NPS and CSAT by hand-computed
//! fixtures, groups and follow-ups.

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

/// The best and worst month are read only from months with enough answers: a month of
/// one detractor is not "the worst month".
#[test]
fn the_best_and_worst_month_ignore_small_samples() {
    let t = counter();
    let response = |day: String, nps: u8| ResponseFacts {
        answered_on: day.parse().unwrap(),
        staff: "teller01".into(),
        channel: "counter".into(),
        answers: [("nps".to_string(), Answer::Score(nps))]
            .into_iter()
            .collect(),
    };
    let mut responses = Vec::new();
    for day in 1..=SMALL_SAMPLE as u32 {
        responses.push(response(format!("2026-09-{:02}", day.min(30)), 9));
        responses.push(response(
            format!("2026-10-{day:02}"),
            if day % 2 == 0 { 9 } else { 5 },
        ));
    }
    responses.push(response("2026-11-02".into(), 0));
    responses.push(response("2026-12-01".into(), 10));
    let stats = compute(&t, &responses, GroupBy::Month);
    assert_eq!(stats.trend.len(), 4);
    let (best, worst) = stats.extreme_months().unwrap();
    assert_eq!(
        (best.key.as_str(), worst.key.as_str()),
        ("2026-09", "2026-10")
    );
    let few = compute(&t, &responses[responses.len() - 2..], GroupBy::Month);
    assert!(few.extreme_months().is_none());
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
    let calm = check_answers(&t, &typed(&[("nps", "5"), ("speed", "3"), ("why", "一般")])).unwrap();
    assert_eq!(complaint_text(&t, &calm), None);
}

fn risk() -> Template {
    let (_, text) = crate::assets::SURVEY_TEMPLATES
        .iter()
        .find(|(file, _)| *file == "risk_assessment.toml")
        .unwrap();
    parse_template(text).unwrap()
}

/// The same option number for every choice question, and the confirmation.
fn risk_answers(option: &str, confirmed: &str) -> Answers {
    let t = risk();
    let mut typed_pairs: Vec<(&str, &str)> = t
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Single)
        .map(|q| (q.id.as_str(), option))
        .collect();
    typed_pairs.push(("confirmed", confirmed));
    check_answers(&t, &typed(&typed_pairs)).unwrap()
}

#[test]
fn a_risk_questionnaire_scores_to_a_level_through_its_bands() {
    let t = risk();
    // Option 1 everywhere: 1+1+7+1+2+1+1 = 14 (C1); option 4: 4+7+1+10+10+13+13 = 58 (C5);
    // option 2: 3+3+5+4+5+5+5 = 30 (C3).
    let low = t.risk_result(&risk_answers("1", "y")).unwrap();
    assert_eq!((low.score, low.level, low.confirmed), (14, 1, true));
    let high = t.risk_result(&risk_answers("4", "n")).unwrap();
    assert_eq!((high.score, high.level, high.confirmed), (58, 5, false));
    let middle = t.risk_result(&risk_answers("2", "y")).unwrap();
    assert_eq!((middle.score, middle.level), (30, 3));
    // Other templates score nothing.
    assert_eq!(counter().risk_result(&Answers::new()), None);
}

#[test]
fn a_risk_questionnaires_scoring_must_be_whole() {
    let head = "code = \"r1\"\ntitle = { zh = \"问卷\", en = \"Q\" }\nvalid_from = 2026-01-01\n";
    let question = |scores: &str| {
        format!(
            "[[question]]\nid = \"q1\"\nkind = \"single\"\ntext = {{ zh = \"题\", en = \"Q\" }}\n\
             options = [{{ code = \"a\", zh = \"甲\", en = \"A\"{scores} }}, \
             {{ code = \"b\", zh = \"乙\", en = \"B\", score = 2 }}]\n\
             [[question]]\nid = \"ok\"\nkind = \"yes_no\"\ntext = {{ zh = \"确认\", en = \"OK\" }}\n"
        )
    };
    let risk = |bands: &str, confirm: &str| {
        format!("[risk]\nconfirm = \"{confirm}\"\nbands = [{bands}]\n")
    };
    let good_bands = "{ from = 0, level = 1 }, { from = 3, level = 2 }";
    let good = format!(
        "{head}{}{}",
        risk(good_bands, "ok"),
        question(", score = 1")
    );
    assert!(parse_template(&good).is_ok(), "{good}");
    for (bad, says) in [
        (format!("{head}{}", question(", score = 1")), "only a risk"),
        (
            format!("{head}{}{}", risk(good_bands, "ok"), question("")),
            "every option needs a score",
        ),
        (
            format!(
                "{head}{}{}",
                risk("{ from = 0, level = 2 }, { from = 3, level = 1 }", "ok"),
                question(", score = 1")
            ),
            "rise",
        ),
        (
            format!(
                "{head}{}{}",
                risk("{ from = 1, level = 1 }", "ok"),
                question(", score = 1")
            ),
            "starts at 0",
        ),
        (
            format!(
                "{head}{}{}",
                risk(good_bands, "q1"),
                question(", score = 1")
            ),
            "yes/no",
        ),
    ] {
        let error = parse_template(&bad).unwrap_err().to_string();
        assert!(error.contains(says), "{error} for:\n{bad}");
    }
}

#[test]
fn months_are_read_written_and_counted_back() {
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(Month::of(day("2026-07-31")).to_string(), "2026-07");
    assert_eq!(Month::parse("2026/7"), Some(Month::of(day("2026-07-01"))));
    assert_eq!(Month::parse("2026-13"), None);
    assert_eq!(Month::parse("2026Q3"), None);
    assert_eq!(
        Month::parse("2026-02").unwrap().back(3).to_string(),
        "2025-11"
    );
}

#[test]
fn nps_and_csat_from_counts_are_nps_and_csat_from_scores() {
    let scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 5];
    let (p, pa, d) = (4, 2, 4);
    assert_eq!(nps_from_counts(p, pa, d), nps_of(scores));
    assert_eq!(nps_from_counts(0, 0, 0), None);
    let ratings = [5, 4, 3, 1, 4];
    assert_eq!(csat_from_counts(5, 3), csat_of(ratings));
}
