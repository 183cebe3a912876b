//! The ledger's rules: lapse days, the draw order, reversal, expiry, refusals; property
//! tests over random sequences against an independently kept sum of the entries; the
//! shipped earn rules and the loader's compliance refusal.

use super::*;
use proptest::prelude::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const FIVE_YEARS: Lapse = Lapse::YearEnd { years: 5 };

#[test]
fn points_lapse_at_the_end_of_the_fifth_year_after_earning() {
    assert_eq!(
        FIVE_YEARS.last_day(day("2026-03-10")),
        Some(day("2031-12-31"))
    );
    assert_eq!(
        FIVE_YEARS.last_day(day("2026-12-31")),
        Some(day("2031-12-31"))
    );
    assert_eq!(
        FIVE_YEARS.last_day(day("2027-01-01")),
        Some(day("2032-12-31"))
    );
    assert_eq!(Lapse::Never.last_day(day("2026-03-10")), None);
}

/// Three buckets: one lapsing end of 2030, one end of 2031, one never.
fn three() -> Buckets {
    let mut b = Buckets::default();
    b.credit("never", day("2024-01-05"), None, 100).unwrap();
    b.credit("e2031", day("2026-02-01"), Some(day("2031-12-31")), 100)
        .unwrap();
    b.credit("e2030", day("2025-06-01"), Some(day("2030-12-31")), 100)
        .unwrap();
    b
}

#[test]
fn a_redemption_takes_the_soonest_lapsing_first_and_the_never_lapsing_last() {
    let mut b = three();
    let taken = b.debit(150, day("2026-12-01")).unwrap();
    assert_eq!(
        taken,
        vec![
            Taken {
                bucket: "e2030".into(),
                points: 100
            },
            Taken {
                bucket: "e2031".into(),
                points: 50
            },
        ]
    );
    assert_eq!(b.balance(), 150);
    let rest = b.debit(120, day("2026-12-01")).unwrap();
    assert_eq!(rest[0].bucket, "e2031");
    assert_eq!(
        rest[1],
        Taken {
            bucket: "never".into(),
            points: 70
        }
    );
}

#[test]
fn more_than_the_usable_balance_is_refused_and_nothing_moves() {
    let mut b = three();
    assert_eq!(
        b.debit(301, day("2026-12-01")),
        Err(Refusal::Insufficient {
            usable: 300,
            asked: 301
        })
    );
    assert_eq!(b, three());
    // Lapsed points are not usable, even before the expiry run takes them.
    assert_eq!(b.usable(day("2031-01-01")), 200);
    assert!(b.debit(201, day("2031-01-01")).is_err());
    assert_eq!(b.debit(0, day("2026-12-01")), Err(Refusal::NotPositive));
    assert_eq!(
        b.credit("x", day("2026-12-01"), None, -5),
        Err(Refusal::NotPositive)
    );
}

#[test]
fn a_reversal_restores_exactly_the_points_taken_with_their_lapse_days() {
    let mut b = three();
    let taken = b.debit(250, day("2026-12-01")).unwrap();
    b.restore(&taken).unwrap();
    assert_eq!(b, three());
    // Twice is refused: nothing was taken a second time.
    assert_eq!(b.restore(&taken), Err(Refusal::NothingToReverse));
}

#[test]
fn an_earn_is_withdrawn_only_while_unspent() {
    let mut b = three();
    b.debit(150, day("2026-12-01")).unwrap();
    assert_eq!(
        b.withdraw("e2030"),
        Err(Refusal::PartlySpent { spent: 100 })
    );
    assert_eq!(b.withdraw("never"), Ok(100));
    assert_eq!(b.withdraw("never"), Err(Refusal::NothingToReverse));
    assert_eq!(b.balance(), 50);
}

#[test]
fn the_expiry_run_takes_what_lapsed_once() {
    let mut b = three();
    assert!(
        b.expire(day("2030-12-31")).is_empty(),
        "the last day still counts"
    );
    let taken = b.expire(day("2031-01-01"));
    assert_eq!(
        taken,
        vec![Taken {
            bucket: "e2030".into(),
            points: 100
        }]
    );
    assert!(b.expire(day("2031-01-01")).is_empty());
    assert_eq!(b.balance(), 200);
    // What lapses within 90 days of 2031-10-15: the 2031 bucket.
    assert_eq!(b.lapsing(day("2031-10-15"), day("2032-01-13")), 100);
    assert_eq!(b.lapsing(day("2031-06-01"), day("2031-08-30")), 0);
}

// ---- Property tests ----

#[derive(Debug, Clone)]
enum Op {
    Earn {
        points: Points,
        lapses: bool,
    },
    Redeem {
        points: Points,
    },
    /// Reverse the `n`-th redemption still standing (modulo how many there are).
    Reverse {
        n: usize,
    },
    /// Move the day on.
    Wait {
        days: i64,
    },
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..500, any::<bool>()).prop_map(|(points, lapses)| Op::Earn { points, lapses }),
        3 => (1i64..800).prop_map(|points| Op::Redeem { points }),
        2 => (0usize..8).prop_map(|n| Op::Reverse { n }),
        1 => (1i64..900).prop_map(|days| Op::Wait { days }),
        1 => Just(Op::Expire),
    ]
}

/// A run's outcome: the buckets, the redemptions still standing (their entry and what
/// they took), the day it ended and every entry written.
struct Ran {
    buckets: Buckets,
    standing: Vec<(String, Vec<Taken>)>,
    entries: Vec<Written>,
}

/// Runs `ops` from 2026-01-01 and checks after every step that the buckets hold exactly
/// the sum of the entries written (kept apart, entry by entry) and never less than zero.
fn run(ops: &[Op]) -> Ran {
    let mut today = day("2026-01-01");
    let mut buckets = Buckets::default();
    let mut ledger_sum: Points = 0;
    let mut standing: Vec<(String, Vec<Taken>)> = Vec::new();
    let mut entries: Vec<Written> = Vec::new();
    let mut write = |id: String, points, on, last_day, reverses, taken: &[Taken]| {
        entries.push(Written {
            id,
            points,
            on,
            last_day,
            reverses,
            taken: taken.to_vec(),
        })
    };
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Earn { points, lapses } => {
                let last = if *lapses {
                    FIVE_YEARS.last_day(today)
                } else {
                    None
                };
                buckets
                    .credit(&format!("earn{i}"), today, last, *points)
                    .unwrap();
                write(format!("earn{i}"), *points, today, last, None, &[]);
                ledger_sum += points;
            }
            Op::Redeem { points } => match buckets.debit(*points, today) {
                Ok(taken) => {
                    assert_eq!(taken.iter().map(|t| t.points).sum::<Points>(), *points);
                    ledger_sum -= points;
                    write(format!("redeem{i}"), -points, today, None, None, &taken);
                    standing.push((format!("redeem{i}"), taken));
                }
                Err(Refusal::Insufficient { usable, asked }) => {
                    assert!(asked > usable);
                    assert_eq!(usable, buckets.usable(today));
                }
                Err(other) => panic!("{other:?}"),
            },
            Op::Reverse { n } if !standing.is_empty() => {
                let (redemption, taken) = standing.remove(n % standing.len());
                buckets.restore(&taken).unwrap();
                let points = taken.iter().map(|t| t.points).sum::<Points>();
                write(
                    format!("reverse{i}"),
                    points,
                    today,
                    None,
                    Some(redemption),
                    &taken,
                );
                ledger_sum += points;
            }
            Op::Reverse { .. } => {}
            Op::Wait { days } => today += chrono::Duration::days(*days),
            Op::Expire => {
                let taken = buckets.expire(today);
                let points = taken.iter().map(|t| t.points).sum::<Points>();
                if points > 0 {
                    write(format!("expire{i}"), -points, today, None, None, &taken);
                }
                ledger_sum -= points;
                assert!(
                    buckets.expire(today).is_empty(),
                    "an expiry run is idempotent"
                );
            }
        }
        assert_eq!(buckets.balance(), ledger_sum, "after {op:?}");
        assert!(buckets.balance() >= 0);
        assert!(buckets.iter().all(|b| b.left >= 0 && b.left <= b.credited));
    }
    Ran {
        buckets,
        standing,
        entries,
    }
}

/// A shuffle of `items` driven by `seed` (and a deterministic one: a failure replays).
fn shuffled<T>(mut items: Vec<T>, mut seed: u64) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    while !items.is_empty() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push(items.remove((seed >> 33) as usize % items.len()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_balance_is_the_sum_of_the_entries_and_never_negative(
        ops in proptest::collection::vec(op(), 0..60)
    ) {
        run(&ops);
    }

    /// The buckets rebuilt from the entries as written, given in any order, are the
    /// buckets the ledger kept: same points left, same lapse days.
    #[test]
    fn buckets_rebuilt_from_the_entries_in_any_order_are_the_ledgers(
        ops in proptest::collection::vec(op(), 0..60),
        order in any::<u64>(),
    ) {
        let ran = run(&ops);
        let entries = shuffled(ran.entries.clone(), order);
        let rebuilt = replay(&entries);
        let key = |b: &Bucket| (b.entry.clone(), b.earned_on, b.last_day, b.credited, b.left);
        let mut kept: Vec<_> = ran.buckets.iter().map(key).collect();
        let mut again: Vec<_> = rebuilt.iter().map(key).collect();
        kept.sort();
        again.sort();
        prop_assert_eq!(kept, again);
        prop_assert_eq!(
            rebuilt.balance(),
            ran.entries.iter().map(|e| e.points).sum::<Points>()
        );
    }

    /// Earns and redemptions (no expiry run in between): reversing every redemption, in
    /// any order, gives every bucket back its points, with its own lapse day.
    #[test]
    fn reversing_every_redemption_restores_every_bucket(
        ops in proptest::collection::vec(op(), 0..60),
        order in any::<u64>(),
    ) {
        let ops: Vec<Op> = ops.into_iter().filter(|o| !matches!(o, Op::Expire)).collect();
        let Ran { mut buckets, standing, .. } = run(&ops);
        for (_, taken) in shuffled(standing, order) {
            buckets.restore(&taken).unwrap();
        }
        for bucket in buckets.iter() {
            prop_assert_eq!(bucket.left, bucket.credited);
            prop_assert_eq!(
                bucket.last_day,
                if bucket.last_day.is_some() { FIVE_YEARS.last_day(bucket.earned_on) } else { None }
            );
        }
    }
}

// ---- Earn rules ----

#[test]
fn the_shipped_rules_are_read() {
    let rules = EarnRules::parse(crate::assets::LOYALTY).unwrap();
    assert_eq!(rules.lapse, FIVE_YEARS);
    let birthday = rules.rule("birthday_visit").unwrap();
    assert_eq!(birthday.points_for(None), 200);
    assert_eq!(birthday.points_for(Some("platinum")), 400);
    assert_eq!(birthday.points_for(Some("mass")), 200);
    assert_eq!(
        birthday.cap,
        Some(Cap {
            per: Period::Year,
            times: 1
        })
    );
    assert!(rules.rules.iter().all(|r| r.activity.banned_by().is_none()));
    let umbrella = rules.item("umbrella").unwrap();
    assert_eq!((umbrella.kind, umbrella.stock), (ItemKind::Gift, Some(50)));
    assert_eq!(rules.item("health_check").unwrap().stock, None);
}

fn with_rule(rule: &str) -> String {
    format!(
        "version = \"t\"\nlapse = {{ kind = \"never\" }}\n\n[[rule]]\ncode = \"r\"\n\
         name_zh = \"规则\"\nname_en = \"Rule\"\n{rule}"
    )
}

#[test]
fn a_reward_for_deposits_or_wealth_sales_is_refused_naming_the_regulation() {
    let deposit = with_rule("activity = \"deposit_balance\"\npoints = 100\n");
    match EarnRules::parse(&deposit) {
        Err(e @ RulesError::Banned { .. }) => {
            assert!(e.to_string().contains("银保监办发〔2018〕48号"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    let wealth = with_rule("activity = \"wealth_purchase\"\npoints = 100\n");
    match EarnRules::parse(&wealth) {
        Err(e @ RulesError::Banned { .. }) => assert!(e.to_string().contains("第二十五条"), "{e}"),
        other => panic!("{other:?}"),
    }
    // An empty approval is none.
    let empty =
        with_rule("activity = \"deposit_balance\"\npoints = 100\ncompliance_approval = \" \"\n");
    assert!(matches!(
        EarnRules::parse(&empty),
        Err(RulesError::Banned { .. })
    ));
    // With the compliance department's approval on record, it is read.
    let approved = with_rule(
        "activity = \"deposit_balance\"\npoints = 100\ncompliance_approval = \"合规审查〔2026〕17号\"\n",
    );
    assert!(EarnRules::parse(&approved).is_ok());
}

#[test]
fn other_bad_rules_are_refused() {
    let zero = with_rule("activity = \"referral\"\npoints = 0\n");
    assert!(matches!(
        EarnRules::parse(&zero),
        Err(RulesError::NotPositive { .. })
    ));
    let cap =
        with_rule("activity = \"referral\"\npoints = 5\ncap = { per = \"day\", times = 0 }\n");
    assert!(matches!(
        EarnRules::parse(&cap),
        Err(RulesError::ZeroCap { .. })
    ));
    let unknown = with_rule("activity = \"lottery\"\npoints = 5\n");
    assert!(matches!(
        EarnRules::parse(&unknown),
        Err(RulesError::Parse(_))
    ));
    let twice = format!(
        "{}\n[[rule]]\ncode = \"r\"\nname_zh = \"规则\"\nname_en = \"Rule\"\nactivity = \"referral\"\npoints = 5\n",
        with_rule("activity = \"referral\"\npoints = 5\n")
    );
    assert!(matches!(
        EarnRules::parse(&twice),
        Err(RulesError::Repeated { .. })
    ));
}
