//! `branchdesk complaint …` from the command line: a case from intake to closure, refusals
//! as one sentence with nothing recorded, masking in JSON, the slip file, and the overdue
//! list of the demo store.

mod common;

use common::{CliStore as Store, json};
use std::path::Path;

/// A branch with a manager, a teller and one client.
fn branch() -> Store {
    let s = Store::with_staff(&[("manager01", "manager"), ("teller01", "teller")]);
    s.add_wang_fang("manager01", &["--phone", "13812345678"]);
    s
}

const NEW_FOR_CLIENT: &[&str] = &[
    "complaint",
    "new",
    "--client",
    "BJ0101-0000001",
    "--category",
    "fees",
    "--request",
    "退还多收的年费",
    "--description",
    "借记卡年费被重复收取。\n客户出示了流水。",
    "--received",
    "2025-03-03",
    "--json",
];

#[test]
fn a_case_goes_from_intake_to_closure_on_the_command_line() {
    let s = branch();
    let registered = json(&s.run("teller01", NEW_FOR_CLIENT));
    assert_eq!(registered["receipt_no"], "BJ0101-20250303-001");
    assert_eq!(registered["due_on"], "2025-03-18");
    let no = "BJ0101-20250303-001";
    let steps: &[&[&str]] = &[
        &[
            "--to",
            "accepted",
            "--handler",
            "manager01",
            "--on",
            "2025-03-04",
        ],
        &["--to", "start", "--on", "2025-03-04"],
        &[
            "--to",
            "pause",
            "--reason",
            "appraisal",
            "--on",
            "2025-03-05",
        ],
        &["--to", "resume", "--on", "2025-03-10"],
        &[
            "--to",
            "extend",
            "--approved-by",
            "manager01",
            "--told",
            "--on",
            "2025-03-11",
        ],
        &[
            "--to",
            "decide",
            "--decision",
            "退还 10 元并致歉",
            "--on",
            "2025-03-20",
        ],
        &[
            "--to",
            "feedback",
            "--satisfied",
            "yes",
            "--on",
            "2025-03-21",
        ],
        &["--to", "closed", "--on", "2025-03-21", "--note", "客户满意"],
    ];
    let mut states = Vec::new();
    for step in steps {
        let mut args = vec!["complaint", "advance", no];
        args.extend_from_slice(step);
        args.push("--json");
        states.push(json(&s.run("manager01", &args))["state"].clone());
    }
    assert_eq!(
        states,
        [
            "accepted",
            "in_progress",
            "waiting",
            "in_progress",
            "in_progress",
            "decided",
            "feedback",
            "closed"
        ]
    );
    let shown = json(&s.run("manager01", &["complaint", "show", no, "--json"]));
    assert_eq!(shown["state"], "closed");
    assert_eq!(shown["limit_days"], 30);
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 9);
    assert_eq!(history[0]["step"], "registered");
    assert_eq!(history[0]["by"], "teller01");
    assert_eq!(history[3]["reason"], "appraisal");
    assert_eq!(history[8]["note"], "客户满意");
    // The text form names each step in words.
    let text = s.run("manager01", &["complaint", "show", no]);
    assert!(
        text.contains("decide and tell") && text.contains("External appraisal"),
        "{text}"
    );
    let closed = json(&s.run(
        "manager01",
        &["complaint", "list", "--state", "closed", "--json"],
    ));
    assert_eq!(closed.as_array().unwrap().len(), 1);
}

#[test]
fn bad_input_is_one_sentence_and_records_nothing() {
    let s = branch();
    let mut empty_description = NEW_FOR_CLIENT.to_vec();
    empty_description[9] = " ";
    assert_eq!(
        s.refused("teller01", &empty_description),
        "Description: must be filled in."
    );
    let mut unknown_client = NEW_FOR_CLIENT.to_vec();
    unknown_client[3] = "BJ0101-0000099";
    assert!(
        s.refused("teller01", &unknown_client)
            .contains("no client BJ0101-0000099")
    );
    assert_eq!(
        json(&s.run("manager01", &["complaint", "list", "--json"])),
        serde_json::json!([])
    );

    s.run("teller01", NEW_FOR_CLIENT);
    let no = "BJ0101-20250303-001";
    let advance = |user: &str, extra: &[&str]| {
        let mut args = vec!["complaint", "advance", no];
        args.extend_from_slice(extra);
        s.refused(user, &args)
    };
    assert!(
        advance("teller01", &["--to", "accept", "--handler", "manager01"])
            .contains("Your role may not accept, extend, decide and close complaints")
    );
    assert_eq!(
        advance("manager01", &["--to", "decide", "--decision", "x"]),
        "A case that is registered cannot be given the step “decide and tell”; see the steps the case allows."
    );
    assert_eq!(
        advance("manager01", &["--to", "accept"]),
        "Handler: must be filled in."
    );
    assert!(advance("manager01", &["--to", "fly"]).starts_with("Step: must be one of"));
    assert!(
        advance(
            "manager01",
            &[
                "--to",
                "accept",
                "--handler",
                "teller01",
                "--on",
                "2025-03-01"
            ]
        )
        .contains("before the case's previous step or its receipt")
    );
    s.run(
        "manager01",
        &[
            "complaint",
            "advance",
            no,
            "--to",
            "accept",
            "--handler",
            "teller01",
            "--on",
            "2025-03-04",
        ],
    );
    assert!(
        advance(
            "manager01",
            &["--to", "extend", "--approved-by", "manager01"]
        )
        .contains("An extension needs a manager's approval")
    );
    assert!(advance("manager01", &["--to", "start", "--on", "3 March"]).starts_with("Date:"));
    assert!(
        s.refused("manager01", &["complaint", "show", "BJ0101-20250303-009"])
            .contains("There is no complaint")
    );
    let shown = json(&s.run("manager01", &["complaint", "show", no, "--json"]));
    assert_eq!(
        shown["history"].as_array().unwrap().len(),
        2,
        "only the acceptance was added"
    );
}

/// A walk-in (张伟, 13900001111) registered by teller01; its receipt number.
fn walk_in(s: &Store) -> String {
    let registered = json(&s.run(
        "teller01",
        &[
            "complaint",
            "new",
            "--name",
            "张伟",
            "--phone",
            "13900001111",
            "--channel",
            "phone",
            "--category",
            "service_attitude",
            "--request",
            "道歉",
            "--description",
            "态度生硬",
            "--json",
        ],
    ));
    registered["receipt_no"].as_str().unwrap().to_string()
}

#[test]
fn a_teller_sees_walk_ins_masked_and_the_slip_file_is_new_and_private() {
    let s = branch();
    s.run("manager01", &["branch", "contact", "010-6655 1234"]);
    let no = walk_in(&s);
    let listed = s.run("teller01", &["complaint", "list", "--json"]);
    let shown = s.run("teller01", &["complaint", "show", &no, "--json"]);
    for output in [&listed, &shown] {
        assert!(
            !output.contains("13900001111") && !output.contains("张伟"),
            "{output}"
        );
    }
    assert_eq!(json(&shown)["complainant"], "张*");

    let slip_path = s.home.path().join("slip.txt");
    let slip_arg = slip_path.to_str().unwrap();
    let said = s.run("teller01", &["complaint", "slip", &no, "--out", slip_arg]);
    assert!(said.contains("slip.txt"));
    let slip = std::fs::read_to_string(&slip_path).unwrap();
    assert!(slip.contains(&no) && slip.contains("张伟") && slip.contains("139****1111"));
    assert!(!slip.contains("13900001111"));
    assert!(slip.contains("Contact: 010-6655 1234"), "{slip}");
    assert_private(&slip_path);
    // An existing file is never overwritten.
    std::fs::write(&slip_path, "printed earlier").unwrap();
    assert!(
        s.refused("teller01", &["complaint", "slip", &no, "--out", slip_arg])
            .contains("already exists")
    );
    assert_eq!(
        std::fs::read_to_string(&slip_path).unwrap(),
        "printed earlier"
    );
    // With --stdout the slip goes to standard output, in the chosen language.
    let zh = s.run(
        "teller01",
        &["--lang", "zh", "complaint", "slip", &no, "--stdout"],
    );
    assert!(zh.contains("投诉受理回执") && zh.contains("张伟"));
    // The trail says what happened: two slips handed out, the refused one not.
    let trail = json(&s.run("manager01", &["audit", "list", "--json"]));
    let slips: Vec<&serde_json::Value> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "complaint.slip")
        .collect();
    assert_eq!(slips.len(), 2, "{slips:#?}");
    assert!(
        slips.iter().all(|r| r["subject"] == no.as_str()),
        "the receipt, not an ID"
    );
    let words = s.run("manager01", &["audit", "list"]);
    assert!(words.contains("complaint slip printed"), "{words}");
    assert!(words.contains(&format!("receipt: {no}")), "{words}");
}

/// Slips go to the print folder (the store's `slips/`), a reprint as a numbered copy; with
/// --print the file goes to `lp` (here a stand-in that notes what it was given), and a
/// terminal without `lp` keeps the file and says so in one sentence.
#[cfg(unix)]
#[test]
fn slips_go_to_the_print_folder_reprints_are_numbered_and_lp_prints_them() {
    use std::os::unix::fs::PermissionsExt;
    let s = Store::with_staff(&[("teller01", "teller"), ("manager01", "manager")]);
    let no = walk_in(&s);
    let folder = s.store.join("slips");
    let said = s.run("teller01", &["complaint", "slip", &no]);
    let first = folder.join(format!("{no}.txt"));
    assert!(said.contains(&first.display().to_string()), "{said}");
    assert_private(&first);
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "the print folder is private");
    s.run("teller01", &["complaint", "slip", &no]);
    let copy = folder.join(format!("{no}-2.txt"));
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        std::fs::read_to_string(&first).unwrap(),
        "a reprint is a numbered copy"
    );

    // A stand-in for lp on the PATH notes its arguments.
    let bin = s.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = s.home.path().join("lp.log");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = bin.display().to_string();
    let with_lp = [("PATH", path.as_str())];
    let said = s.run_in(
        "teller01",
        &with_lp,
        &["complaint", "slip", &no, "--printer", "counter1"],
    );
    let third = folder.join(format!("{no}-3.txt"));
    assert!(said.contains("sent to printer counter1"), "{said}");
    let args = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["-d", "counter1", "--", &third.display().to_string()]
    );

    // A refusing printer, and no lp at all: one sentence each, the file kept.
    std::fs::write(&lp, "#!/bin/sh\nexit 1\n").unwrap();
    let out = s.command_in(
        "teller01",
        s.pass,
        &with_lp,
        &["complaint", "slip", &no, "--print"],
    );
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("The printer did not take the slip"),
        "{message}"
    );
    assert!(folder.join(format!("{no}-4.txt")).exists());
    let nowhere = [("PATH", "/nonexistent")];
    let out = s.command_in(
        "teller01",
        s.pass,
        &nowhere,
        &["complaint", "slip", &no, "--print"],
    );
    let message = String::from_utf8_lossy(&out.stderr);
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(message.contains("no print command (lp)"), "{message}");
    assert!(message.contains(&format!("{no}-5.txt")), "{message}");

    // The trail names each file and what printed it (only the slip lp took).
    let trail = json(&s.run("manager01", &["audit", "list", "--json"]));
    let printed: Vec<String> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "complaint.slip")
        .map(|r| r["detail"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(printed.len(), 5, "{printed:#?}");
    assert_eq!(
        printed
            .iter()
            .filter(|d| d.contains("lp -d counter1"))
            .count(),
        1,
        "{printed:#?}"
    );
}

#[cfg(unix)]
fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[cfg(not(unix))]
fn assert_private(_: &Path) {}

#[test]
fn the_demo_stores_overdue_list_is_exactly_the_cases_past_due() {
    let s = Store::demo(100);
    let list = |extra: &[&str]| {
        let mut args = vec!["complaint", "list", "--json"];
        args.extend_from_slice(extra);
        json(&s.run("manager01", &args)).as_array().unwrap().clone()
    };
    let all = list(&[]);
    let overdue = list(&["--overdue"]);
    let today = chrono::Local::now().date_naive().to_string();
    let running = ["registered", "accepted", "in_progress"];
    let past_due: Vec<&serde_json::Value> = all
        .iter()
        .filter(|c| {
            running.contains(&c["state"].as_str().unwrap())
                && c["due_on"].as_str().is_some_and(|due| due < today.as_str())
        })
        .collect();
    assert!(past_due.len() >= 2, "the demo has overdue cases");
    let receipt = |c: &serde_json::Value| c["receipt_no"].as_str().unwrap().to_string();
    assert_eq!(
        overdue.iter().map(receipt).collect::<Vec<_>>(),
        past_due.iter().map(|c| receipt(c)).collect::<Vec<_>>()
    );
    assert!(all.len() > overdue.len(), "and cases that are not overdue");
    // Every state a case can be in appears in the demo.
    for state in [
        "registered",
        "accepted",
        "in_progress",
        "waiting",
        "decided",
        "closed",
        "withdrawn",
        "merged",
    ] {
        assert!(all.iter().any(|c| c["state"] == state), "no {state} case");
    }
}
