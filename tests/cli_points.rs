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

/// A store whose seven clients each earned a referral's 1,000 points in June 2019 (lapsed
/// after 2024-12-31): the store made at the command line, the points written through the
/// library with a clock set in 2019.
fn store_with_points_of_2019() -> (Store, Vec<String>) {
    use branchdesk::domain::client::ClientInput;
    use branchdesk::domain::clock::FixedClock;
    use branchdesk::store::{Session, StoreOptions, StorePaths};
    let s = Store::with_staff(&[("manager01", "manager"), ("auditor01", "auditor")]);
    let june_2019 = std::sync::Arc::new(FixedClock::new("2019-06-03T02:00:00Z".parse().unwrap()));
    let mut manager = Session::unlock(
        &StorePaths::new(&s.store),
        "manager01",
        &secrecy::SecretString::from(common::CLI_PASS.to_string()),
        june_2019,
        StoreOptions::default(),
    )
    .unwrap();
    let mut clients = Vec::new();
    for n in 0..7u8 {
        let body = format!("11010519800601{:03}", n + 1);
        let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
        let client_no = manager
            .create_client(&ClientInput {
                name: format!("客户{n}"),
                id_number: format!("{body}{check}"),
                id_expiry: "long_term".into(),
                phone: format!("1381234567{n}"),
                ..Default::default()
            })
            .unwrap()
            .client_no;
        manager.points_earn(&client_no, "referral", "").unwrap();
        clients.push(client_no);
    }
    (s, clients)
}

/// Each client's balance and the expire entries of their latest, as an auditor (whose
/// login runs no expiry) reads them.
fn balances(s: &Store, clients: &[String]) -> Vec<(i64, usize)> {
    clients
        .iter()
        .map(|client| {
            let shown = json(&s.run("auditor01", &["points", "show", client, "--json"]));
            let expired = shown["recent"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "expire")
                .count();
            (shown["balance"].as_i64().unwrap(), expired)
        })
        .collect()
}

/// Killed between two batches (as kill -9 would), the expiry run keeps the batches it
/// committed; the next login goes on from there, and no client's points are written off
/// twice.
#[test]
fn an_expiry_run_killed_between_batches_keeps_what_it_did_and_the_next_finishes() {
    let (s, clients) = store_with_points_of_2019();
    let killed = s.command_in(
        "manager01",
        common::CLI_PASS,
        &[
            ("BRANCHDESK_EXPIRY_BATCH", "2"),
            ("BRANCHDESK_CRASH_AT", "points:expiry_batch"),
        ],
        &["points", "expire", "--json"],
    );
    assert!(!killed.status.success(), "the run died");
    let after_kill = balances(&s, &clients);
    assert_eq!(
        after_kill.iter().filter(|b| **b == (0, 1)).count(),
        2,
        "one batch of two committed: {after_kill:?}"
    );
    assert_eq!(
        after_kill.iter().filter(|b| **b == (1_000, 0)).count(),
        5,
        "{after_kill:?}"
    );
    // The next login at the counter finishes the run; asked again, there is nothing left.
    let again = json(&s.run("manager01", &["points", "expire", "--dry-run", "--json"]));
    assert_eq!(again["clients"], 0);
    assert_eq!(balances(&s, &clients), vec![(0, 1); 7]);
}
