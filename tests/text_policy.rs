//! The text policy from the outside: every text field of every command that stores text
//! refuses control characters (and names refuse invisible ones) in one sentence naming the
//! field, nothing is written, and no command — refusing or echoing a file's cells — puts a
//! raw control character on the terminal.

mod common;

use common::{CliStore as Store, json};

/// Clear the screen, set the clipboard through OSC 52 (ended by BEL), then the one-byte
/// C1 CSI: what a red team put in a complaint's request.
const CONTROLS: &str = "退还\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{9b}2J年费";
/// A right-to-left override and a zero-width space: a name that reads as another.
const INVISIBLE: &str = "王\u{202E}芳\u{200B}";

/// Whether `text` holds anything a terminal acts on or that hides itself.
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| (c.is_control() && c != '\n') || branchdesk::domain::text::is_invisible(c))
        .collect()
}

fn branch() -> (Store, String) {
    let s = Store::with_staff(&[("manager01", "manager"), ("teller01", "teller")]);
    s.add_wang_fang("manager01", &["--phone", "13812345678"]);
    let registered = json(&s.run(
        "manager01",
        &[
            "complaint",
            "new",
            "--client",
            "BJ0101-0000001",
            "--category",
            "fees",
            "--request",
            "退还年费",
            "--description",
            "年费被重复收取",
            "--json",
        ],
    ));
    let receipt = registered["receipt_no"].as_str().unwrap().to_string();
    (s, receipt)
}

/// What the audit trail records, oldest first: every write is there, with the logins.
fn audited(s: &Store) -> Vec<String> {
    let rows = json(&s.run("admin01", &["audit", "list", "--limit", "10000", "--json"]));
    let mut actions: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    actions.reverse();
    actions
}

/// Every command that stores text, with `{}` where the hostile text goes, the field its
/// refusal must name (in English), and whether the field is a name or identifier.
const FIELDS: &[(&[&str], &str, bool)] = &[
    (
        &[
            "client",
            "add",
            "--id-number",
            "11010119900307001X",
            "--name",
            "{}",
        ],
        "Name",
        true,
    ),
    (
        &[
            "client",
            "add",
            "--name",
            "李娜",
            "--id-number",
            "11010119900307001X",
            "--address",
            "{}",
        ],
        "Address",
        false,
    ),
    (
        &[
            "client",
            "add",
            "--name",
            "李娜",
            "--id-number",
            "11010119900307001X",
            "--occupation",
            "{}",
        ],
        "Occupation",
        false,
    ),
    (
        &[
            "client",
            "add",
            "--name",
            "李娜",
            "--id-number",
            "11010119900307001X",
            "--tags",
            "{}",
        ],
        "Tags",
        true,
    ),
    (
        &[
            "client",
            "add",
            "--name",
            "李娜",
            "--id-number",
            "11010119900307001X",
            "--email",
            "{}",
        ],
        "E-mail",
        true,
    ),
    (
        &["client", "add", "--name", "李娜", "--id-number", "{}"],
        "ID number",
        true,
    ),
    (
        &[
            "client",
            "add",
            "--name",
            "李娜",
            "--id-number",
            "11010119900307001X",
            "--phone",
            "{}",
        ],
        "Mobile",
        true,
    ),
    (
        &["client", "edit", "BJ0101-0000001", "--name", "{}"],
        "Name",
        true,
    ),
    (
        &["client", "edit", "BJ0101-0000001", "--address", "{}"],
        "Address",
        false,
    ),
    (
        &["client", "reveal", "BJ0101-0000001", "--reason", "{}"],
        "reason",
        false,
    ),
    (
        &[
            "client",
            "note",
            "BJ0101-0000001",
            "--channel",
            "phone",
            "--text",
            "{}",
        ],
        "note",
        false,
    ),
    (
        &[
            "client",
            "event",
            "BJ0101-0000001",
            "--kind",
            "custom",
            "--date",
            "2027-01-01",
            "--label",
            "{}",
        ],
        "Description",
        false,
    ),
    (
        &[
            "complaint",
            "new",
            "--name",
            "{}",
            "--category",
            "fees",
            "--request",
            "r",
            "--description",
            "d",
        ],
        "Complainant",
        true,
    ),
    (
        &[
            "complaint",
            "new",
            "--client",
            "BJ0101-0000001",
            "--category",
            "fees",
            "--request",
            "{}",
            "--description",
            "d",
        ],
        "Request",
        false,
    ),
    (
        &[
            "complaint",
            "new",
            "--client",
            "BJ0101-0000001",
            "--category",
            "fees",
            "--request",
            "r",
            "--description",
            "{}",
        ],
        "Description",
        false,
    ),
    (
        &[
            "complaint",
            "new",
            "--client",
            "BJ0101-0000001",
            "--category",
            "fees",
            "--request",
            "r",
            "--description",
            "d",
            "--about",
            "{}",
        ],
        "staff",
        true,
    ),
    (
        &[
            "complaint",
            "advance",
            "{receipt}",
            "--to",
            "note",
            "--note",
            "{}",
        ],
        "Note",
        false,
    ),
    (
        &[
            "complaint",
            "advance",
            "{receipt}",
            "--to",
            "accept",
            "--handler",
            "{}",
        ],
        "Handler",
        true,
    ),
    (
        &[
            "complaint",
            "advance",
            "{receipt}",
            "--to",
            "decide",
            "--decision",
            "{}",
        ],
        "Decision",
        false,
    ),
    (
        &[
            "complaint",
            "advance",
            "{receipt}",
            "--to",
            "extend",
            "--approved-by",
            "manager01",
            "--told",
            "--higher-office",
            "{}",
        ],
        "Higher office",
        false,
    ),
    (
        &[
            "complaint",
            "advance",
            "{receipt}",
            "--to",
            "merge",
            "--into",
            "{}",
        ],
        "Merge into",
        true,
    ),
    (
        &[
            "survey",
            "add",
            "--template",
            "counter_visit",
            "--answer",
            "nps=3",
            "--answer",
            "speed=2",
            "--answer",
            "why={}",
        ],
        "why",
        false,
    ),
    (
        &[
            "user", "add", "teller02", "--role", "teller", "--name", "{}",
        ],
        "Name",
        true,
    ),
    (&["branch", "contact", "{}"], "Branch contact", false),
];

#[test]
fn every_text_field_refuses_control_characters_and_names_refuse_invisible_ones() {
    let (s, receipt) = branch();
    // Survey templates are registered on first use: that write happens here.
    s.run("manager01", &["survey", "templates"]);
    let before = audited(&s);
    for (template, field, is_name) in FIELDS {
        let mut payloads = vec![CONTROLS];
        if *is_name {
            payloads.push(INVISIBLE);
        }
        for payload in payloads {
            let args: Vec<String> = template
                .iter()
                .map(|a| a.replace("{receipt}", &receipt).replace("{}", payload))
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let user = if args[0] == "user" {
                "admin01"
            } else {
                "manager01"
            };
            let out = s.command(user, s.pass, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?} was accepted");
            assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
            assert!(err.contains(field), "{args:?} should name {field}: {err}");
            assert_eq!(unsafe_chars(&err), [], "{args:?}: {err:?}");
            assert!(out.stdout.is_empty(), "{args:?}");
        }
    }
    let after = audited(&s);
    let written: Vec<&String> = after[before.len()..]
        .iter()
        .filter(|action| !action.starts_with("session."))
        .collect();
    assert_eq!(
        written,
        Vec::<&String>::new(),
        "a refused field wrote something"
    );
}

#[test]
fn store_creation_refuses_a_branch_name_with_control_or_invisible_characters() {
    for payload in [CONTROLS, INVISIBLE] {
        let s = Store::empty();
        let out = s.command(
            "admin01",
            s.pass,
            &[
                "init",
                "--branch",
                "BJ0101",
                "--branch-name",
                payload,
                "--admin",
                "admin01",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("Branch name"),
            "{err}"
        );
        assert_eq!(unsafe_chars(&err), []);
        assert!(!s.store.join("branchdesk.db").exists());
    }
}

/// What a command echoes back — an unknown key, a file's header, a rejected cell — is
/// written out, never acted on, on stdout and stderr, in text and in JSON.
#[test]
fn echoed_input_reaches_the_terminal_written_out() {
    let (s, receipt) = branch();
    let hostile = "\u{1b}]52;c;aGk=\u{7}\u{9b}\u{202E}";
    let mut outputs = Vec::new();
    for args in [
        vec!["client", "show", hostile],
        vec!["complaint", "show", hostile],
        vec!["care", "dismiss", hostile, "--reason", "客户已搬走"],
    ] {
        let out = s.command("manager01", s.pass, &args);
        assert!(!out.status.success(), "{args:?}");
        outputs.push((format!("{args:?}"), out));
    }

    // A client list whose header and cells carry controls and NUL bytes.
    let list = s.home.path().join("clients.csv");
    std::fs::write(
        &list,
        "姓名,证件号码,备注\u{1b}[2J\n王\u{0}五,11010119900307001X,x\n李\u{9b}娜,11010119900307002X,y\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["client", "import", list, "--dry-run"];
        if json {
            args.push("--json");
        }
        let out = s.command("manager01", s.pass, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((format!("{args:?}"), out));
    }

    // Paper surveys whose client cell carries controls.
    let batch = s.home.path().join("surveys.csv");
    std::fs::write(
        &batch,
        "client,nps,speed,why\nBJ0101-\u{1b}[2J\u{0}1,3,2,ok\nBJ0101-0000001,3,2,\u{9b}x\n",
    )
    .unwrap();
    let batch = batch.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec![
            "survey",
            "import",
            batch,
            "--template",
            "counter_visit",
            "--dry-run",
        ];
        if json {
            args.push("--json");
        }
        let out = s.command("manager01", s.pass, &args);
        outputs.push((format!("{args:?}"), out));
    }

    // The slip of a case stored before the policy (or sent by HQ) is printed written out
    // too; here its text is clean and the slip must be unchanged by the filter.
    let slip = s.command(
        "manager01",
        s.pass,
        &["complaint", "slip", &receipt, "--stdout"],
    );
    assert!(slip.status.success());
    outputs.push(("slip".into(), slip));

    for (what, out) in &outputs {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert_eq!(unsafe_chars(&text), [], "{what} {stream}: {text:?}");
        }
    }
    // The echoes are still there for the reader, written out.
    let (_, import_text) = &outputs[3];
    let text = String::from_utf8_lossy(&import_text.stdout);
    assert!(text.contains("备注\\u{1b}[2J"), "{text}");
    let (_, import_json) = &outputs[4];
    let report = json(&String::from_utf8_lossy(&import_json.stdout));
    assert_eq!(
        report["ignored_columns"][0], "备注\u{1b}[2J",
        "JSON keeps the value"
    );
    let (_, survey) = &outputs[5];
    let text = String::from_utf8_lossy(&survey.stdout);
    assert!(text.contains("Line 2") && text.contains("Line 3"), "{text}");
}
