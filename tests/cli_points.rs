//! `branchdesk points …` from the command line: JSON with stable codes and ISO dates, a
//! refusal in one sentence, the redemption's slip in the print folder.

mod common;

use common::{CliStore as Store, json};

#[test]
fn points_are_earned_redeemed_reversed_and_shown_in_json() {
    let s = Store::with_staff(&[("manager01", "manager"), ("teller01", "teller")]);
    s.add_wang_fang("manager01", &[]);
    let client = "BJ0101-0000001";
    let refused = s.refused(
        "teller01",
        &["points", "redeem", client, "--item", "umbrella"],
    );
    assert_eq!(
        refused,
        "The client has 0 points usable today, fewer than the 800 asked."
    );
    let earned = json(&s.run(
        "teller01",
        &["points", "earn", client, "--rule", "referral", "--json"],
    ));
    assert_eq!(earned["kind"], "earn");
    assert_eq!(earned["points"], 1000);
    assert_eq!(earned["last_day"].as_str().map(str::len), Some(10));
    let redeemed = json(&s.run(
        "teller01",
        &["points", "redeem", client, "--item", "umbrella", "--json"],
    ));
    assert_eq!(redeemed["balance_after"], 200);
    assert_eq!(redeemed["stock_left"], 49);
    assert_eq!(redeemed["item"]["kind"], "gift");
    let entry = redeemed["entry"]["id"].as_str().unwrap().to_string();
    let slip = s.run("teller01", &["points", "slip", &entry]);
    assert!(slip.starts_with("Slip written to "), "{slip}");
    let reversed = json(&s.run(
        "manager01",
        &[
            "points",
            "reverse",
            &entry,
            "--reason",
            "gift returned",
            "--json",
        ],
    ));
    assert_eq!(
        (reversed["kind"].as_str(), reversed["points"].as_i64()),
        (Some("reverse"), Some(800))
    );
    let shown = json(&s.run("teller01", &["points", "show", client, "--json"]));
    assert_eq!(shown["balance"], 1000);
    assert_eq!(shown["recent"][0]["kind"], "reverse");
}
