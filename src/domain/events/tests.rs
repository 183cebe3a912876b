use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn check(input: &EventInput) -> Result<EventFields, Vec<EventProblem>> {
    let tiers = codes(&["mass", "affluent", "wealth", "private"]);
    let categories = codes(&["deposit", "fund", "wealth_mgmt", "insurance"]);
    let rules = codes(&["event_attended", "referral"]);
    let surveys = codes(&["event_follow_up"]);
    input.check(
        day("2026-12-02"),
        &Known {
            tiers: &tiers,
            categories: &categories,
            rules: &rules,
            surveys: &surveys,
        },
    )
}

fn seminar() -> EventInput {
    EventInput {
        title: "2027 年资产配置讲座".into(),
        kind: "seminar".into(),
        on: "2026-12-19".into(),
        place: "西单支行三楼多功能厅".into(),
        capacity: "40".into(),
        tiers: "wealth，private".into(),
        ages: "40-65".into(),
        holds: "fund".into(),
        points_rule: "event_attended".into(),
        survey: "event_follow_up".into(),
        ..EventInput::default()
    }
}

#[test]
fn a_seminar_is_checked_into_its_fields() {
    let fields = check(&seminar()).unwrap();
    assert_eq!(fields.kind, EventKind::Seminar);
    assert_eq!(fields.capacity, 40);
    assert_eq!(fields.audience.tiers, codes(&["wealth", "private"]));
    assert_eq!(fields.audience.ages, Some((40, 65)));
    assert_eq!(fields.audience.holds.as_deref(), Some("fund"));
    assert_eq!(fields.points_rule.as_deref(), Some("event_attended"));
}

#[test]
fn every_problem_is_named_at_once() {
    let input = EventInput {
        title: " ".into(),
        kind: "party".into(),
        on: "2026-12-01".into(),
        place: "\u{1b}[2J".into(),
        capacity: "0".into(),
        tiers: "gold".into(),
        ages: "60-40".into(),
        holds: "bitcoin".into(),
        points_rule: "deposit_bonus".into(),
        survey: "nope".into(),
        ..EventInput::default()
    };
    let problems: Vec<&str> = check(&input)
        .unwrap_err()
        .iter()
        .map(|p| p.code())
        .collect();
    assert_eq!(
        problems,
        [
            "title_missing",
            "unknown_kind",
            "day_passed",
            "unprintable",
            "capacity",
            "unknown_tier",
            "ages",
            "unknown_category",
            "unknown_rule",
            "unknown_survey"
        ]
    );
    let long = EventInput {
        title: "讲".repeat(61),
        ..seminar()
    };
    assert_eq!(
        check(&long).unwrap_err(),
        vec![EventProblem::TooLong {
            field: "title",
            most: 60
        }]
    );
}

#[test]
fn the_audience_is_those_who_agreed_to_marketing_and_fit_every_part() {
    let audience = check(&seminar()).unwrap().audience;
    let on = day("2026-12-19");
    let fits = Candidate {
        consents: true,
        tier: "wealth".into(),
        rm: Some("rm01".into()),
        birth_date: Some(day("1961-12-19")),
        holds: codes(&["deposit", "fund"]),
    };
    assert!(audience.admits(&fits, on), "65 on the day itself");
    let no_consent = Candidate {
        consents: false,
        ..fits.clone()
    };
    assert!(!audience.admits(&no_consent, on));
    let too_old = Candidate {
        birth_date: Some(day("1960-12-19")),
        ..fits.clone()
    };
    assert!(!audience.admits(&too_old, on), "66 by the event");
    let no_birthday = Candidate {
        birth_date: None,
        ..fits.clone()
    };
    assert!(!audience.admits(&no_birthday, on));
    let mass = Candidate {
        tier: "mass".into(),
        ..fits.clone()
    };
    assert!(!audience.admits(&mass, on));
    let no_funds = Candidate {
        holds: codes(&["deposit"]),
        ..fits.clone()
    };
    assert!(!audience.admits(&no_funds, on));
    let someone_elses = Audience {
        rm: Some("rm02".into()),
        ..Audience::default()
    };
    assert!(!someone_elses.admits(&fits, on));
    assert!(Audience::default().admits(&fits, on));
}

#[test]
fn a_yes_needs_a_place_and_attendance_waits_for_the_day() {
    let on = day("2026-12-19");
    let before = day("2026-12-10");
    assert_eq!(check_reply(Reply::Yes, on, before, 39, 40), Ok(()));
    assert_eq!(
        check_reply(Reply::Yes, on, before, 40, 40),
        Err(EventRefusal::Full { capacity: 40 })
    );
    assert_eq!(check_reply(Reply::No, on, before, 40, 40), Ok(()));
    assert_eq!(
        check_reply(Reply::No, on, day("2026-12-20"), 0, 40),
        Err(EventRefusal::Over { on })
    );
    assert_eq!(
        check_attendance(on, before),
        Err(EventRefusal::NotYet { on })
    );
    assert_eq!(check_attendance(on, on), Ok(()));
}
