//! The suitability matrix (every client level against every product risk), an assessment
//! that ran out, 65 and over, civil capacity, and the limits on assessing.

use super::*;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn assessed(level: u8, on: &str) -> ClientFacts {
    ClientFacts {
        assessment: Some(Assessment { level, on: d(on) }),
        age: Some(40),
        full_capacity: true,
    }
}

#[test]
fn every_level_against_every_risk() {
    let rules = SuitabilityRules::shipped();
    let today = d("2026-12-01");
    for level in 1..=5u8 {
        for risk in 1..=5u8 {
            let verdict = rules.judge(&assessed(level, "2026-06-01"), risk, today);
            let expected = if risk <= level {
                Verdict::Suitable {
                    special_care: false,
                }
            } else {
                Verdict::Unsuitable(Unsuitable::AboveLevel { level })
            };
            assert_eq!(verdict, expected, "C{level} × R{risk}");
        }
    }
}

#[test]
fn an_assessment_holds_twelve_months_and_then_only_deposits_may_be_offered() {
    let rules = SuitabilityRules::shipped();
    let facts = assessed(4, "2025-12-01");
    assert_eq!(rules.expires_on(d("2025-12-01")), d("2026-12-01"));
    assert!(matches!(
        rules.judge(&facts, 3, d("2026-11-30")),
        Verdict::Suitable { .. }
    ));
    assert_eq!(
        rules.judge(&facts, 3, d("2026-12-01")),
        Verdict::Unsuitable(Unsuitable::Expired {
            on: d("2026-12-01")
        })
    );
    let never = ClientFacts {
        assessment: None,
        ..assessed(1, "2026-01-01")
    };
    assert_eq!(
        rules.judge(&never, 2, d("2026-12-01")),
        Verdict::Unsuitable(Unsuitable::NotAssessed)
    );
    assert!(matches!(
        rules.judge(&never, 1, d("2026-12-01")),
        Verdict::Suitable { .. }
    ));
}

#[test]
fn a_client_of_65_offered_more_than_r3_gets_special_care() {
    let rules = SuitabilityRules::shipped();
    let today = d("2026-12-01");
    let mut facts = assessed(5, "2026-06-01");
    for (age, risk, care) in [(64, 5, false), (65, 3, false), (65, 4, true), (80, 5, true)] {
        facts.age = Some(age);
        assert_eq!(
            rules.judge(&facts, risk, today),
            Verdict::Suitable { special_care: care },
            "{age}, R{risk}"
        );
    }
}

#[test]
fn a_client_without_full_capacity_is_offered_nothing_above_r1() {
    let rules = SuitabilityRules::shipped();
    let mut facts = assessed(5, "2026-06-01");
    facts.full_capacity = false;
    assert!(matches!(
        rules.judge(&facts, 1, d("2026-12-01")),
        Verdict::Suitable { .. }
    ));
    for risk in 2..=5 {
        assert_eq!(
            rules.judge(&facts, risk, d("2026-12-01")),
            Verdict::Unsuitable(Unsuitable::NoFullCapacity { max: 1 })
        );
    }
}

#[test]
fn at_most_two_assessments_a_day_and_eight_in_twelve_months() {
    let rules = SuitabilityRules::shipped();
    let today = d("2026-12-01");
    assert_eq!(rules.may_assess(&[], today), Ok(()));
    assert_eq!(rules.may_assess(&[today], today), Ok(()));
    assert_eq!(
        rules.may_assess(&[today, today], today),
        Err(AssessLimit::PerDay { max: 2 })
    );
    let monthly: Vec<NaiveDate> = (1..=8)
        .map(|m| NaiveDate::from_ymd_opt(2026, m, 15).unwrap())
        .collect();
    assert_eq!(
        rules.may_assess(&monthly, today),
        Err(AssessLimit::Per12Months { max: 8 })
    );
    // A year and a day after the first, it no longer counts.
    assert_eq!(rules.may_assess(&monthly, d("2027-01-16")), Ok(()));
}

#[test]
fn a_changed_result_is_confirmed_by_the_client() {
    let before = Assessment {
        level: 3,
        on: d("2025-12-01"),
    };
    assert!(!needs_confirmation(None, 3));
    assert!(!needs_confirmation(Some(&before), 3));
    assert!(needs_confirmation(Some(&before), 4));
}

#[test]
fn thresholds_that_do_not_make_sense_are_refused() {
    let base = crate::assets::SUITABILITY;
    for (from, to, expected) in [
        ("valid_months = 12", "valid_months = 0", "at least 1"),
        ("unassessed_max = 1", "unassessed_max = 2", "at most 1"),
        (
            "no_full_capacity_max = 1",
            "no_full_capacity_max = 5",
            "at most 1",
        ),
        ("max_per_day = 2", "max_per_day = \"two\"", "invalid type"),
    ] {
        let text = base.replace(from, to);
        let error = SuitabilityRules::parse(&text).unwrap_err();
        assert!(error.contains(expected), "{to}: {error}");
    }
}
