//! Table tests of the tier rules: up the month after, down after 3 (6) months below, a
//! client flapping around a threshold, a month missing, falls that ask for a call.

use super::*;

fn m(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// Monthly averages from `first` on, one a month.
fn run(first: &str, averages: &[i64]) -> Vec<MonthAum> {
    let mut month = m(first);
    averages
        .iter()
        .map(|&avg_aum| {
            let seen = MonthAum { month, avg_aum };
            month = month.next();
            seen
        })
        .collect()
}

fn moves(changes: &[TierChange]) -> Vec<(String, &str, &str)> {
    changes
        .iter()
        .map(|c| {
            (
                c.effective.to_string(),
                c.from.as_deref().unwrap_or(""),
                c.to.as_str(),
            )
        })
        .collect()
}

fn table() -> &'static TierTable {
    TierTable::shipped()
}

#[test]
fn the_shipped_table_reads_and_places_averages() {
    let codes: Vec<&str> = table().tiers().iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["mass", "gold", "platinum", "diamond", "private"]);
    let tier = |avg| table().tiers()[table().reached(avg)].code.as_str();
    assert_eq!(tier(0), "mass");
    assert_eq!(tier(49_999), "mass");
    assert_eq!(tier(50_000), "gold");
    assert_eq!(tier(1_999_999), "platinum");
    assert_eq!(tier(6_000_000), "private");
    assert_eq!(tier(-5), "mass", "an overdrawn month is the lowest tier");
}

#[test]
fn an_upgrade_takes_effect_the_month_after_the_average_reaches_the_threshold() {
    let changes = tier_history(table(), None, &run("2026-01", &[40_000, 60_000, 60_000]));
    assert_eq!(moves(&changes), [("2026-03".into(), "mass", "gold")]);
    assert_eq!(
        changes[0].reason,
        TierReason::Reached {
            month: m("2026-02"),
            avg_aum: 60_000,
            threshold: 50_000
        }
    );
    // Several tiers at once: straight to the highest reached.
    let changes = tier_history(table(), Some("gold"), &run("2026-01", &[3_000_000]));
    assert_eq!(moves(&changes), [("2026-02".into(), "gold", "diamond")]);
}

#[test]
fn a_downgrade_waits_for_three_consecutive_months_below() {
    let two_below = tier_history(
        table(),
        Some("gold"),
        &run("2026-01", &[40_000, 40_000, 55_000, 40_000, 40_000]),
    );
    assert!(two_below.is_empty(), "{two_below:?}");
    let three_below = tier_history(
        table(),
        Some("gold"),
        &run("2026-01", &[40_000, 40_000, 40_000]),
    );
    assert_eq!(moves(&three_below), [("2026-04".into(), "gold", "mass")]);
    assert!(matches!(
        three_below[0].reason,
        TierReason::Below {
            months: 3,
            threshold: 50_000,
            ..
        }
    ));
}

#[test]
fn private_banking_waits_six_months_and_goes_down_to_the_best_tier_held() {
    let five = run("2026-01", &[2_500_000; 5]);
    assert!(tier_history(table(), Some("private"), &five).is_empty());
    let six = run(
        "2026-01",
        &[
            2_500_000, 2_500_000, 700_000, 2_500_000, 2_500_000, 2_100_000,
        ],
    );
    assert_eq!(
        moves(&tier_history(table(), Some("private"), &six)),
        [("2026-07".into(), "private", "diamond")]
    );
    // Down to the best tier held in the months below, not the last month's.
    let mixed = run("2026-01", &[100_000, 30_000, 30_000]);
    assert_eq!(
        moves(&tier_history(table(), Some("platinum"), &mixed)),
        [("2026-04".into(), "platinum", "gold")]
    );
}

#[test]
fn a_client_flapping_around_a_threshold_moves_up_once_and_stays() {
    let flapping = run(
        "2026-01",
        &[
            49_000, 51_000, 49_000, 51_000, 49_000, 49_000, 51_000, 49_000,
        ],
    );
    let changes = tier_history(table(), None, &flapping);
    assert_eq!(moves(&changes), [("2026-03".into(), "mass", "gold")]);
    assert_eq!(tier_in("mass", &changes, m("2026-02")), "mass");
    assert_eq!(tier_in("mass", &changes, m("2026-12")), "gold");
}

#[test]
fn a_missing_month_breaks_a_run_of_months_below() {
    let mut months = run("2026-01", &[40_000, 40_000]);
    months.extend(run("2026-04", &[40_000, 40_000]));
    assert!(tier_history(table(), Some("gold"), &months).is_empty());
    months.extend(run("2026-06", &[40_000]));
    assert_eq!(
        moves(&tier_history(table(), Some("gold"), &months)),
        [("2026-07".into(), "gold", "mass")]
    );
}

#[test]
fn a_fall_of_more_than_the_share_over_three_months_asks_for_a_call() {
    let fell = run("2026-01", &[1_000_000, 900_000, 800_000, 600_000]);
    let fall = falling(table(), &fell).unwrap();
    assert_eq!(
        (fall.from.avg_aum, fall.to.avg_aum, fall.percent),
        (1_000_000, 600_000, 40)
    );
    let eased = run("2026-01", &[1_000_000, 900_000, 800_000, 750_000]);
    assert_eq!(falling(table(), &eased), None);
    assert_eq!(
        falling(table(), &run("2026-01", &[1_000_000, 10])),
        None,
        "too short"
    );
}

#[test]
fn a_table_that_does_not_make_sense_is_refused_with_its_reason() {
    let tier = |code: &str, min: i64, months: u32| {
        format!(
            "[[tier]]\ncode = \"{code}\"\nname_zh = \"甲\"\nname_en = \"A\"\nmin_aum = {min}\ndowngrade_after_months = {months}\n"
        )
    };
    let cases = [
        (tier("a", 10, 3), "start at 0"),
        (tier("a", 0, 3) + &tier("b", 0, 3), "start above"),
        (tier("a", 0, 3) + &tier("a", 5, 3), "used twice"),
        (tier("a", 0, 0), "at least 1"),
        (
            tier("a", 0, 3) + "[retention]\nmonths = 3\nfall_percent = 0\n",
            "retention",
        ),
    ];
    for (text, expected) in cases {
        let error = TierTable::parse(&text).unwrap_err();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn a_client_starts_in_the_tier_their_first_month_reaches() {
    let months = run("2026-01", &[90_000, 90_000]);
    let (tier, since, changes) = current_tier(table(), &months, m("2026-02")).unwrap();
    assert_eq!((tier.code.as_str(), since), ("gold", None));
    assert!(changes.is_empty());
    let fell = run("2026-01", &[90_000, 40_000, 40_000, 40_000]);
    let (tier, since, _) = current_tier(table(), &fell, m("2026-05")).unwrap();
    assert_eq!((tier.code.as_str(), since), ("mass", Some(m("2026-05"))));
    assert!(current_tier(table(), &[], m("2026-05")).is_none());
}
