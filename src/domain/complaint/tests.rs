//! The complaint rules: deadlines in working days, the state a history leads to, the steps
//! each state allows, and intakes and steps checked field by field.

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> WorkCalendar {
    WorkCalendar::parse(crate::assets::HOLIDAYS).unwrap()
}

fn event(on: &str, step: Step) -> Event {
    Event {
        on: d(on),
        by: "manager01".into(),
        step,
        note: None,
    }
}

fn accepted(on: &str) -> Event {
    event(
        on,
        Step::Accepted {
            handler: "manager01".into(),
        },
    )
}

fn extended(on: &str, higher: Option<&str>) -> Event {
    event(
        on,
        Step::Extended {
            approved_by: "manager01".into(),
            complainant_told: true,
            higher_office: higher.map(str::to_string),
        },
    )
}

fn due(events: &[Event], today: &str) -> NaiveDate {
    replay(events).unwrap().due(&cal(), d(today))
}

#[test]
fn steps_are_built_from_typed_details() {
    let input = StepInput {
        handler: " RM01 ".into(),
        satisfied: "否".into(),
        reason: "appraisal".into(),
        into: "bj0101-20250303-001".into(),
        ..Default::default()
    };
    assert_eq!(
        build_step("accepted", &input),
        Ok(Step::Accepted {
            handler: "rm01".into()
        })
    );
    assert_eq!(
        build_step("feedback", &input),
        Ok(Step::Feedback { satisfied: false })
    );
    assert_eq!(
        build_step("waiting", &input),
        Ok(Step::Paused {
            reason: PauseReason::Appraisal
        })
    );
    assert_eq!(
        build_step("merge", &input),
        Ok(Step::Merged {
            into: "BJ0101-20250303-001".into()
        })
    );
    let empty = StepInput::default();
    let field = |code| build_step(code, &empty).unwrap_err()[0].field;
    assert_eq!(field("accept"), "handler");
    assert_eq!(field("pause"), "reason");
    assert_eq!(field("feedback"), "satisfied");
    assert_eq!(field("merge"), "into");
    assert_eq!(field("decide"), "decision");
    assert_eq!(field("register"), "step");
    assert_eq!(field("fly"), "step");
    for code in STEP_CODES {
        assert_eq!(step_code_for(code), Some(code));
    }
}

#[test]
fn the_deadline_table() {
    // (received, due): the day of receipt is not counted; a rest day moves to the next
    // working day.
    let cases = [
        ("2025-03-03", "2025-03-18"), // Monday → Tuesday, plain
        ("2025-09-20", "2025-10-09"), // the 15th day is in the National Day holiday
        ("2025-01-17", "2025-02-05"), // the 15th day (1 Feb) is in the Spring Festival
        ("2025-12-17", "2026-01-04"), // year end: 1 Jan holiday…3 Jan, 4 Jan is a make-up workday
        ("2024-02-14", "2024-02-29"), // leap year February
        ("2025-02-14", "2025-03-03"), // 1 March is a Saturday → Monday 3 March
        ("2025-04-30", "2025-05-15"), // month end to mid-month
        ("2025-09-13", "2025-09-28"), // lands on a Sunday that is a make-up workday
    ];
    for (received, expected) in cases {
        let events = [event(received, Step::Registered)];
        assert_eq!(due(&events, received), d(expected), "received {received}");
    }
}

#[test]
fn an_appraisal_pause_moves_the_due_date_by_its_length() {
    let events = [
        event("2025-03-03", Step::Registered),
        accepted("2025-03-04"),
        event(
            "2025-03-05",
            Step::Paused {
                reason: PauseReason::Appraisal,
            },
        ),
        event("2025-03-10", Step::Resumed),
    ];
    assert_eq!(due(&events, "2025-03-11"), d("2025-03-24")); // 18 + 5 = 23 (Sunday) → 24
    // While still paused, the date moves on with each day of the pause.
    let paused = &events[..3];
    assert_eq!(due(paused, "2025-03-08"), d("2025-03-21"));
    assert!(
        replay(paused)
            .unwrap()
            .days_left(&cal(), d("2025-03-08"))
            .is_some()
    );
    assert!(!replay(paused).unwrap().overdue(&cal(), d("2025-06-01")));
}

#[test]
fn two_extensions_cap_at_sixty_days() {
    let mut events = vec![
        event("2025-03-03", Step::Registered),
        accepted("2025-03-04"),
    ];
    events.push(extended("2025-03-10", None));
    assert_eq!(replay(&events).unwrap().limit_days, 30);
    assert_eq!(due(&events, "2025-03-10"), d("2025-04-02"));
    // The second one needs a higher office's approval.
    let without = extended("2025-03-20", None);
    let case = replay(&events).unwrap();
    assert_eq!(
        apply(&case, &without, d("2025-03-10"), None),
        Err(ComplaintRule::ExtensionNeedsHigherOffice)
    );
    events.push(extended("2025-03-20", Some("分行消保部 2025-03-19 批复")));
    assert_eq!(replay(&events).unwrap().limit_days, 60);
    assert_eq!(due(&events, "2025-03-20"), d("2025-05-06")); // 2 May is a holiday … 6 May
    let case = replay(&events).unwrap();
    assert_eq!(
        apply(
            &case,
            &extended("2025-04-01", Some("x")),
            d("2025-03-20"),
            None
        ),
        Err(ComplaintRule::NoMoreExtensions)
    );
}

#[test]
fn an_extension_needs_approval_and_the_complainant_told() {
    let events = [
        event("2025-03-03", Step::Registered),
        accepted("2025-03-04"),
    ];
    let case = replay(&events).unwrap();
    let untold = event(
        "2025-03-05",
        Step::Extended {
            approved_by: "manager01".into(),
            complainant_told: false,
            higher_office: None,
        },
    );
    assert_eq!(
        apply(&case, &untold, d("2025-03-04"), None),
        Err(ComplaintRule::ExtensionNeedsApproval)
    );
}

#[test]
fn a_withdrawn_or_merged_case_is_never_overdue() {
    for step in [
        Step::Withdrawn,
        Step::Merged {
            into: "BJ0101-20250301-001".into(),
        },
    ] {
        let events = [
            event("2025-03-03", Step::Registered),
            event("2025-03-05", step),
        ];
        let case = replay(&events).unwrap();
        assert!(!case.overdue(&cal(), d("2026-01-01")));
        assert_eq!(case.days_left(&cal(), d("2026-01-01")), None);
    }
    let open = replay(&[event("2025-03-03", Step::Registered)]).unwrap();
    assert!(open.overdue(&cal(), d("2025-03-19")));
    assert!(!open.overdue(&cal(), d("2025-03-18")));
    assert_eq!(open.days_left(&cal(), d("2025-03-15")), Some(3));
}

#[test]
fn reopening_restarts_the_clock() {
    let events = [
        event("2025-03-03", Step::Registered),
        accepted("2025-03-04"),
        extended("2025-03-05", None),
        event(
            "2025-03-10",
            Step::Decided {
                decision: "退还手续费".into(),
            },
        ),
        event("2025-03-12", Step::Feedback { satisfied: false }),
        event("2025-04-01", Step::Reopened),
    ];
    let case = replay(&events).unwrap();
    assert_eq!(
        (case.state, case.limit_days, case.extensions),
        (State::Accepted, 15, 0)
    );
    assert_eq!(case.due(&cal(), d("2025-04-01")), d("2025-04-16"));
}

#[test]
fn steps_out_of_order_are_refused_with_the_reason() {
    let registered = replay(&[event("2025-03-03", Step::Registered)]).unwrap();
    assert_eq!(
        apply(
            &registered,
            &event("2025-03-04", Step::Closed),
            d("2025-03-03"),
            None
        ),
        Err(ComplaintRule::NotNow {
            state: State::Registered,
            step: "close"
        })
    );
    assert_eq!(
        apply(
            &registered,
            &event(
                "2025-03-02",
                Step::Accepted {
                    handler: "m".into()
                }
            ),
            d("2025-03-03"),
            None
        ),
        Err(ComplaintRule::DateBeforePrevious)
    );
    assert_eq!(
        apply(
            &registered,
            &event(
                "2025-03-04",
                Step::Accepted {
                    handler: "teller02".into()
                }
            ),
            d("2025-03-03"),
            Some("teller02")
        ),
        Err(ComplaintRule::HandlerIsSubject)
    );
    let accepted_case = apply(&registered, &accepted("2025-03-04"), d("2025-03-03"), None).unwrap();
    assert_eq!(
        apply(
            &accepted_case,
            &event(
                "2025-03-05",
                Step::Decided {
                    decision: " ".into()
                }
            ),
            d("2025-03-04"),
            None
        ),
        Err(ComplaintRule::DecisionEmpty)
    );
}

#[test]
fn intake_checks_each_field() {
    let today = d("2026-11-30");
    let mut input = IntakeInput {
        complainant_name: "王芳".into(),
        category: "fees".into(),
        request: "退还年费".into(),
        description: "信用卡年费未经告知扣收。\n要求退还。".into(),
        ..Default::default()
    };
    let intake = validate_intake(&input, today, earliest_receipt()).unwrap();
    assert_eq!(
        (intake.channel, intake.severity, intake.received_on),
        (Channel::Counter, Severity::Normal, today)
    );
    assert!(intake.description.contains('\n'));
    input.description = "  ".into();
    input.complainant_phone = "123".into();
    input.received_on = "2026-12-01".into();
    input.category = "weather".into();
    let errors = validate_intake(&input, today, earliest_receipt()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "complainant_phone",
            "category",
            "description",
            "received_on"
        ]
    );
    input = IntakeInput::default();
    let errors = validate_intake(&input, today, earliest_receipt()).unwrap_err();
    assert!(errors.contains(&IntakeError {
        field: "complainant_name",
        rule: "required"
    }));
}

#[test]
fn a_step_detail_longer_than_its_field_is_refused_on_that_field() {
    let input = StepInput {
        decision: "退".repeat(501),
        ..Default::default()
    };
    assert_eq!(
        build_step("decide", &input),
        Err(vec![IntakeError {
            field: "decision",
            rule: "too_long"
        }])
    );
    let input = StepInput {
        decision: "退".repeat(500),
        ..Default::default()
    };
    assert!(build_step("decide", &input).is_ok());
    let input = StepInput {
        approved_by: "mgr01".into(),
        higher_office: "x".repeat(501),
        ..Default::default()
    };
    assert_eq!(
        build_step("extend", &input).unwrap_err()[0].field,
        "higher_office"
    );
    // A detail the step does not ask for is not held against it.
    assert!(build_step("close", &input).is_ok());
}

#[test]
fn the_menus_offer_only_what_apply_accepts() {
    for state in State::ALL {
        for code in next_steps(*state) {
            assert!(STEP_CODES.contains(code), "{code}");
        }
    }
}

#[test]
fn quarters_are_read_written_and_counted_back() {
    assert_eq!(Quarter::of(d("2026-09-30")).to_string(), "2026Q3");
    assert_eq!(Quarter::of(d("2026-10-01")).to_string(), "2026Q4");
    assert_eq!(
        Quarter::parse("2026-q1"),
        Some(Quarter::of(d("2026-02-01")))
    );
    assert_eq!(Quarter::parse("2026Q5"), None);
    assert_eq!(Quarter::parse("Q3"), None);
    assert_eq!(
        Quarter::parse("2026Q2").unwrap().back(2).to_string(),
        "2025Q4"
    );
    assert_eq!(
        Quarter::parse("2026Q4").unwrap().back(3).to_string(),
        "2026Q1"
    );
}

#[test]
fn report_facts_judge_a_case_where_its_clock_stopped() {
    // Received 3 March 2025, due 18 March.
    let open = [
        event("2025-03-03", Step::Registered),
        accepted("2025-03-04"),
    ];
    let facts = replay(&open).unwrap().report_facts(&cal());
    assert_eq!((facts.due_on, facts.judged_on), (d("2025-03-18"), None));
    assert!(!overdue_on(&facts, d("2025-03-18")));
    assert!(overdue_on(&facts, d("2025-03-19")));
    assert_eq!(facts.days_to_decision, None);
    assert_eq!(facts.quarter.to_string(), "2025Q1");

    // Decided on the due day: on time for ever, 15 days to the decision.
    let decide = |on: &str| {
        event(
            on,
            Step::Decided {
                decision: "refund".into(),
            },
        )
    };
    let on_time = [open.to_vec(), vec![decide("2025-03-18")]].concat();
    let facts = replay(&on_time).unwrap().report_facts(&cal());
    assert!(!overdue_on(&facts, d("2026-01-01")));
    assert_eq!(facts.days_to_decision, Some(15));
    // A day late stays late, whenever the report is read; withdrawn late is late too, but
    // counts no decision.
    let late = [open.to_vec(), vec![decide("2025-03-19")]].concat();
    assert!(overdue_on(
        &replay(&late).unwrap().report_facts(&cal()),
        d("2025-03-19")
    ));
    let withdrawn = [open.to_vec(), vec![event("2025-03-20", Step::Withdrawn)]].concat();
    let facts = replay(&withdrawn).unwrap().report_facts(&cal());
    assert!(overdue_on(&facts, d("2025-03-20")) && facts.days_to_decision.is_none());

    // Paused in time: not overdue however long the pause; paused once already late: overdue.
    let pause = |on: &str| {
        event(
            on,
            Step::Paused {
                reason: PauseReason::Appraisal,
            },
        )
    };
    let paused = [open.to_vec(), vec![pause("2025-03-10")]].concat();
    assert!(!overdue_on(
        &replay(&paused).unwrap().report_facts(&cal()),
        d("2025-12-31")
    ));
    let paused_late = [open.to_vec(), vec![pause("2025-03-20")]].concat();
    assert!(overdue_on(
        &replay(&paused_late).unwrap().report_facts(&cal()),
        d("2025-03-20")
    ));
    // Withdrawn after a pause begun in time: the pause does not count against it.
    let withdrawn_paused = [paused.to_vec(), vec![event("2025-04-30", Step::Withdrawn)]].concat();
    let facts = replay(&withdrawn_paused).unwrap().report_facts(&cal());
    assert!(!overdue_on(&facts, d("2025-04-30")), "{facts:?}");
}

#[test]
fn the_median_of_days_counted_by_value() {
    assert_eq!(median_days(&[]), None);
    assert_eq!(median_days(&[(7, 0)]), None);
    assert_eq!(median_days(&[(5, 1)]), Some(5.0));
    // 8, 29 → 18.5; the same value twice counts twice: 3, 3, 10 → 3.
    assert_eq!(median_days(&[(29, 1), (8, 1)]), Some(18.5));
    assert_eq!(median_days(&[(10, 1), (3, 1), (3, 1)]), Some(3.0));
    // 1 ×3, 2, 9 ×2 (six cases): the 3rd and 4th are 1 and 2.
    assert_eq!(median_days(&[(9, 2), (2, 1), (1, 3)]), Some(1.5));
}
