//! The value score's parts, each hand-computed, and the branch ranks.

use super::*;

fn rules() -> ValueRules {
    ValueRules::shipped()
}

fn part(score: &ValueScore, code: &str) -> u32 {
    score.parts.iter().find(|p| p.code == code).unwrap().points
}

#[test]
fn each_part_scores_as_the_rules_say_and_the_score_is_their_weighted_sum() {
    let facts = ValueFacts {
        aum_percentile: 90,
        categories_held: 2,
        categories_offered: 5,
        tenure_years: 5,
        contacts_12_months: 3,
        latest_nps: Some(9),
        latest_csat: Some(2),
        complaints_12_months: 1,
    };
    let score = rules().score(&facts);
    assert_eq!(part(&score, "aum"), 90);
    assert_eq!(part(&score, "breadth"), 40);
    assert_eq!(part(&score, "tenure"), 50);
    assert_eq!(part(&score, "engagement"), 25);
    assert_eq!(part(&score, "satisfaction"), 90, "NPS before CSAT");
    assert_eq!(part(&score, "complaints"), 75);
    // 90×40 + 40×15 + 50×10 + 25×15 + 90×10 + 75×10 = 6725 → 67.25 → 67
    assert_eq!(score.score, 67);
    let sum: u32 = score.parts.iter().map(ValuePart::contribution).sum();
    assert_eq!(sum, 6725);
}

#[test]
fn parts_are_capped_and_a_client_without_surveys_counts_as_neutral() {
    let facts = ValueFacts {
        aum_percentile: 100,
        categories_held: 9,
        categories_offered: 5,
        tenure_years: 30,
        contacts_12_months: 40,
        latest_nps: None,
        latest_csat: None,
        complaints_12_months: 7,
    };
    let score = rules().score(&facts);
    assert_eq!(
        score.parts.iter().map(|p| p.points).collect::<Vec<_>>(),
        [100, 100, 100, 100, 50, 0]
    );
    assert_eq!(score.score, 85);
    let csat_only = ValueFacts {
        latest_csat: Some(5),
        ..ValueFacts::default()
    };
    assert_eq!(part(&rules().score(&csat_only), "satisfaction"), 100);
    assert_eq!(
        rules().score(&ValueFacts::default()).score,
        15,
        "only neutral and no complaints"
    );
}

#[test]
fn percentiles_and_quintiles_rank_within_the_branch() {
    let aums: Vec<i64> = (1..=100).map(|i| i * 1_000).collect();
    assert_eq!(percentile(&aums, 1_000), 1);
    assert_eq!(percentile(&aums, 50_000), 50);
    assert_eq!(percentile(&aums, 10_000_000), 100);
    assert_eq!(percentile(&[], 5), 0);
    assert_eq!(quintile(&aums, 1_000), 1);
    assert_eq!(quintile(&aums, 21_000), 2);
    assert_eq!(quintile(&aums, 100_000), 5);
    assert_eq!(quintile(&[7, 7, 7], 7), 1, "ties share the lowest quintile");
}

#[test]
fn weights_that_do_not_add_up_are_refused() {
    let text = crate::assets::VALUE.replace("aum = 40", "aum = 45");
    assert!(ValueRules::parse(&text).unwrap_err().contains("105"));
}
