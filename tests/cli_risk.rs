//! `branchdesk risk …` and `client close` from the command line: JSON with stable codes and
//! ISO dates, the second manager's approval read from a file, refusals in one sentence.

mod common;

use common::{CLI_PASS as PASS, CliStore as Store, json};

/// A branch with two managers and an RM, and 王芳 (rm01's).
fn branch() -> Store {
    let s = Store::with_staff(&[
        ("manager01", "manager"),
        ("manager02", "manager"),
        ("rm01", "rm"),
    ]);
    s.add_wang_fang("manager01", &["--rm", "rm01", "--occupation", "珠宝店店主"]);
    s
}

#[test]
fn a_client_is_rated_reviewed_and_listed_in_json() {
    let s = branch();
    let unrated = json(&s.run("rm01", &["risk", "list", "--unrated", "--json"]));
    assert_eq!(unrated["list"], "unrated");
    assert_eq!(unrated["counts"]["unrated"], 1);
    assert_eq!(unrated["rows"][0]["client_no"], "BJ0101-0000001");
    assert_eq!(unrated["rows"][0]["due_kind"], "rate");
    // No loans from HQ: the credit list is there, empty.
    let credit = json(&s.run("rm01", &["risk", "list", "--credit", "--json"]));
    assert_eq!(credit["list"], "credit");
    assert_eq!(credit["counts"]["credit"], 0);
    assert_eq!(credit["rows"].as_array().map(Vec::len), Some(0));
    let shown = json(&s.run("rm01", &["risk", "show", "BJ0101-0000001", "--json"]));
    // Precious metals and jewellery (25) and an elderly client (5): medium.
    assert_eq!(shown["computed_level"], "medium");
    assert_eq!(shown["computed"]["score"], 30);
    assert_eq!(shown["computed"]["contributions"][0]["code"], "elderly");
    assert!(shown["level"].is_null());
    let rated = json(&s.run("rm01", &["risk", "rate", "BJ0101-0000001", "--json"]));
    assert_eq!(rated["level"], "medium");
    assert_eq!(rated["due_kind"], "review");
    assert!(rated["due_on"].as_str().unwrap().len() == 10);
    let reviewed = json(&s.run(
        "rm01",
        &[
            "risk",
            "review",
            "BJ0101-0000001",
            "--outcome",
            "kept",
            "--note",
            "核实经营情况无变化",
            "--json",
        ],
    ));
    assert_eq!(reviewed["history"][0]["kind"], "review");
    assert_eq!(reviewed["history"][0]["outcome"], "kept");
    assert_eq!(reviewed["history"][0]["by_staff"], "rm01");
}

#[test]
fn a_lower_level_takes_a_second_managers_passphrase_from_a_file() {
    let s = branch();
    let lower = [
        "risk",
        "rate",
        "BJ0101-0000001",
        "--level",
        "low",
        "--note",
        "经核实为珠宝店收银员",
    ];
    let refused = s.refused("manager01", &lower);
    assert!(refused.contains("second manager"), "{refused}");
    let file = s.home.path().join("approver.txt");
    std::fs::write(&file, format!("{PASS}\n")).unwrap();
    let mut approved = lower.to_vec();
    approved.extend([
        "--approver",
        "manager02",
        "--approver-passphrase-file",
        file.to_str().unwrap(),
        "--json",
    ]);
    let rated = json(&s.run("manager01", &approved));
    assert_eq!(rated["level"], "low");
    assert_eq!(rated["history"][0]["approved_by"], "manager02");
}

#[test]
fn a_closed_relationship_refuses_changes_in_one_sentence() {
    let s = branch();
    let closed = json(&s.run(
        "manager01",
        &[
            "client",
            "close",
            "BJ0101-0000001",
            "--reason",
            "客户销户",
            "--json",
        ],
    ));
    assert_eq!(closed["closed_on"].as_str().unwrap().len(), 10);
    let refused = s.refused(
        "manager01",
        &["client", "edit", "BJ0101-0000001", "--phone", "13900001111"],
    );
    assert!(refused.contains("ended on"), "{refused}");
    let purge = s.refused(
        "manager01",
        &["client", "purge", "BJ0101-0000001", "--reason", "保存期满"],
    );
    assert!(purge.contains("must be kept until"), "{purge}");
}
