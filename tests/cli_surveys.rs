//! `branchdesk survey …` from the command line: responses, hand-checked NPS/CSAT in JSON,
//! a broken template file named and skipped, paper batches, and the follow-up a detractor
//! leaves on the RM's agenda.

mod common;

use common::{CliStore as Store, json};

fn branch() -> Store {
    let s = Store::with_staff(&[
        ("manager01", "manager"),
        ("teller01", "teller"),
        ("rm01", "rm"),
    ]);
    s.add_wang_fang("manager01", &["--rm", "rm01"]);
    s
}

fn add(s: &Store, client: Option<&str>, nps: &str, speed: &str) -> serde_json::Value {
    let nps = format!("nps={nps}");
    let speed = format!("speed={speed}");
    let mut args = vec![
        "survey",
        "add",
        "--template",
        "counter_visit",
        "--answer",
        &nps,
        "--answer",
        &speed,
        "--json",
    ];
    if let Some(client) = client {
        args.extend(["--client", client]);
    }
    json(&s.run("teller01", &args))
}

#[test]
fn nps_and_csat_in_json_are_the_hand_computed_ones() {
    let s = branch();
    let stats = |by: &str| json(&s.run("manager01", &["survey", "stats", "--by", by, "--json"]));
    let empty = stats("month");
    assert_eq!(empty["responses"], 0);
    assert!(
        empty["nps"].is_null() && empty["csat"].is_null(),
        "no number, never NaN"
    );
    // 10, 9, 8, 3: two promoters, one detractor of four → +25.0; ratings 5, 4, 3, 1 → 50.0%.
    for (nps, speed) in [("10", "5"), ("9", "4"), ("8", "3"), ("3", "1")] {
        add(&s, None, nps, speed);
    }
    let month = stats("month");
    assert_eq!(month["responses"], 4);
    assert_eq!(month["nps"]["nps"], 25.0);
    assert_eq!(month["nps"]["promoters"], 2);
    assert_eq!(month["csat"]["csat"], 50.0);
    assert_eq!(month["small_sample"], true);
    let by_staff = stats("staff");
    assert_eq!(by_staff["groups"][0]["key"], "teller01");
    // The text form prints the same figures.
    let text = s.run("manager01", &["survey", "stats"]);
    assert!(
        text.contains("NPS +25.0") && text.contains("CSAT 50.0%"),
        "{text}"
    );
}

#[test]
fn a_detractor_with_a_client_leaves_a_call_back_for_their_rm() {
    let s = branch();
    let recorded = add(&s, Some("BJ0101-0000001"), "2", "1");
    let reminder = recorded["follow_up"]
        .as_str()
        .expect("a follow-up")
        .to_string();
    let agenda = json(&s.run("rm01", &["care", "list", "--days", "1", "--json"]));
    let item = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == reminder.as_str())
        .expect("on rm01's agenda");
    assert_eq!(item["reason"], "survey");
    assert_eq!(item["nps"], 2);
    s.run(
        "rm01",
        &[
            "care",
            "done",
            &reminder,
            "--channel",
            "phone",
            "--note",
            "已回电致歉",
        ],
    );
    let log = json(&s.run("rm01", &["client", "log", "BJ0101-0000001", "--json"]));
    assert_eq!(log[0]["note"], "已回电致歉");
}

#[test]
fn bad_answers_are_one_sentence_and_a_broken_template_is_named_and_skipped() {
    let s = branch();
    let refused = s.refused(
        "teller01",
        &[
            "survey",
            "add",
            "--template",
            "counter_visit",
            "--answer",
            "nps=11",
            "--answer",
            "speed=4",
        ],
    );
    assert_eq!(refused, "Question nps: is out of range.");
    assert!(
        s.refused(
            "teller01",
            &["survey", "add", "--template", "nope", "--answer", "nps=1"]
        )
        .contains("no survey template nope")
    );
    let stats = json(&s.run("manager01", &["survey", "stats", "--json"]));
    assert_eq!(stats["responses"], 0, "nothing half-saved");

    let dir = s.store.join("surveys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.toml"), "code = \"bad\"\n\n[[question]\n").unwrap();
    let out = s.command(
        "teller01",
        common::CLI_PASS,
        &["survey", "templates", "--json"],
    );
    assert!(out.status.success(), "the command goes on");
    let warning = String::from_utf8(out.stderr).unwrap();
    assert!(
        warning.contains("bad.toml") && warning.contains("line 3"),
        "{warning}"
    );
    let templates = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(templates["templates"].as_array().unwrap().len(), 5);
    assert_eq!(
        templates["skipped"][0]["problem"]
            .as_str()
            .unwrap()
            .get(..6),
        Some("line 3")
    );
}

#[test]
fn a_paper_batch_reports_line_by_line() {
    let s = branch();
    let file = s.home.path().join("batch.csv");
    std::fs::write(
        &file,
        "client,nps,speed,why\nBJ0101-0000001,9,5,\nBJ0101-0000077,8,4,\n,x,4,\n,10,5,\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let report = json(&s.run(
        "teller01",
        &[
            "survey",
            "import",
            path,
            "--template",
            "counter_visit",
            "--json",
        ],
    ));
    assert_eq!(report["rows"], 4);
    assert_eq!(report["added"], 2);
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected[0]["line"], 3);
    assert!(
        rejected[0]["problem"]
            .as_str()
            .unwrap()
            .contains("no client")
    );
    assert_eq!(rejected[1]["line"], 4);
    assert_eq!(rejected[1]["problem"], "Question nps: must be a number.");
    let stats = json(&s.run(
        "manager01",
        &["survey", "stats", "--by", "channel", "--json"],
    ));
    assert_eq!(stats["groups"][0]["key"], "paper");
    assert_eq!(stats["responses"], 2);
    // In words in the UI language, the code only in --json.
    let zh = [("LC_ALL", "zh_CN.UTF-8")];
    let text = s.run_in("manager01", &zh, &["survey", "stats", "--by", "channel"]);
    assert!(text.contains("纸质") && !text.contains("paper"), "{text}");
}

#[test]
fn responses_are_read_one_by_one_with_comments_in_full() {
    let s = branch();
    let comment = "等了四十分钟，只开一个窗口，没有人解释原因";
    s.run(
        "teller01",
        &[
            "survey",
            "add",
            "--template",
            "counter_visit",
            "--client",
            "BJ0101-0000001",
            "--answer",
            "nps=3",
            "--answer",
            &format!("why={comment}"),
            "--answer",
            "speed=2",
        ],
    );
    add(&s, None, "10", "5");
    let all = json(&s.run("manager01", &["survey", "responses", "--json"]));
    assert_eq!(all.as_array().unwrap().len(), 2);
    let only = json(&s.run("rm01", &["survey", "responses", "--comments", "--json"]));
    let only = only.as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["answers"]["why"], comment);
    assert_eq!(only[0]["client_no"], "BJ0101-0000001");
    assert_eq!(only[0]["client_name"], "王芳", "rm01's own client");
    let text = s.run(
        "manager01",
        &["--lang", "zh", "survey", "responses", "--comments"],
    );
    assert!(text.contains(comment), "{text}");
    assert!(
        text.contains("柜面") && text.contains("BJ0101-0000001"),
        "{text}"
    );
    assert!(
        s.refused("teller01", &["survey", "responses"])
            .contains("may not")
    );
}
