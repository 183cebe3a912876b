//! `branchdesk client …` from the command line: masking in JSON, the query classes on a demo
//! store, CSV import with its report.

mod common;

use common::{CLI_PASS as PASS, CliStore as Store, json};

/// A branch with a manager, a teller, an RM, and three clients (one of them rm01's).
fn branch() -> Store {
    let s = Store::with_staff(&[
        ("manager01", "manager"),
        ("teller01", "teller"),
        ("rm01", "rm"),
    ]);
    s.run(
        "manager01",
        &[
            "client",
            "add",
            "--name",
            "王芳",
            "--id-number",
            "11010519491231002X",
            "--phone",
            "13812345678",
        ],
    );
    s.run(
        "manager01",
        &[
            "client",
            "add",
            "--name",
            "王芳",
            "--id-number",
            "44011320141005001X",
            "--phone",
            "13912345678",
            "--rm",
            "rm01",
        ],
    );
    s.run(
        "manager01",
        &[
            "client",
            "add",
            "--name",
            "John Smith",
            "--id-type",
            "passport",
            "--id-number",
            "E12345678",
        ],
    );
    s
}

#[test]
fn teller_json_never_shows_a_full_phone_or_id_number() {
    let s = branch();
    let secrets = [
        "13812345678",
        "13912345678",
        "11010519491231002X",
        "44011320141005001X",
    ];
    let mut outputs = vec![
        s.run("teller01", &["client", "search", "王芳", "--json"]),
        s.run("teller01", &["client", "search", "5678", "--json"]),
        s.run("teller01", &["client", "search", "002X", "--json"]),
        s.run("teller01", &["client", "show", "BJ0101-0000001", "--json"]),
        s.run("teller01", &["client", "show", "BJ0101-0000002", "--json"]),
    ];
    outputs.push(s.run("teller01", &["client", "search", "wf", "--json"]));
    for output in &outputs {
        for secret in secrets {
            assert!(!output.contains(secret), "{secret} in {output}");
        }
    }
    let hits = json(&outputs[0]);
    assert_eq!(hits.as_array().unwrap().len(), 2);
    assert_eq!(hits[0]["name"], "王*");
    assert_eq!(hits[0]["phone"], "138****5678");
    let shown = json(&outputs[3]);
    assert_eq!(shown["id_number"], "110***********002X");
    assert_eq!(shown["visibility"], "masked");

    // rm01 sees their own client in full, the other one masked.
    let rm = json(&s.run("rm01", &["client", "search", "王芳", "--json"]));
    let phones: Vec<&str> = rm
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["phone"].as_str().unwrap())
        .collect();
    assert!(
        phones.contains(&"13912345678") && phones.contains(&"138****5678"),
        "{phones:?}"
    );

    // A reveal shows everything and says why in the audit trail.
    let full = json(&s.run(
        "teller01",
        &[
            "client",
            "reveal",
            "BJ0101-0000001",
            "--reason",
            "客户本人临柜核对",
            "--json",
        ],
    ));
    assert_eq!(full["id_number"], "11010519491231002X");
    let audit = s.run("admin01", &["audit", "list", "--json"]);
    assert!(audit.contains("client.reveal") && audit.contains("client.search"));
}

#[test]
fn every_query_class_finds_the_right_client() {
    let s = branch();
    let numbers = |query: &str| -> Vec<String> {
        json(&s.run("manager01", &["client", "search", query, "--json"]))
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["client_no"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(numbers("王芳"), ["BJ0101-0000001", "BJ0101-0000002"]);
    assert_eq!(numbers("王"), ["BJ0101-0000001", "BJ0101-0000002"]);
    assert_eq!(numbers("wf"), ["BJ0101-0000001", "BJ0101-0000002"]);
    assert_eq!(numbers("wangfang"), ["BJ0101-0000001", "BJ0101-0000002"]);
    assert_eq!(numbers("尾号5678"), ["BJ0101-0000001", "BJ0101-0000002"]);
    assert_eq!(numbers("13912345678"), ["BJ0101-0000002"]);
    assert_eq!(numbers("1005001x"), ["BJ0101-0000002"]);
    assert_eq!(numbers("smith"), ["BJ0101-0000003"]);
    assert_eq!(numbers("BJ0101-0000003"), ["BJ0101-0000003"]);
    assert!(numbers("张三").is_empty());
}

#[test]
fn client_edit_changes_only_what_is_given() {
    let s = branch();
    s.run(
        "teller01",
        &["client", "edit", "BJ0101-0000001", "--phone", "13700001111"],
    );
    let view = json(&s.run("manager01", &["client", "show", "BJ0101-0000001", "--json"]));
    assert_eq!(view["phone"], "13700001111");
    assert_eq!(view["id_number"], "11010519491231002X");
    let out = s.command(
        "teller01",
        PASS,
        &["client", "edit", "BJ0101-0000001", "--phone", "123"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("Mobile:"), "{err}");
    let out = s.command(
        "teller01",
        PASS,
        &[
            "client",
            "add",
            "--name",
            "重复",
            "--id-number",
            "11010519491231002X",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already registered as BJ0101-0000001"));
}

#[test]
fn a_gbk_csv_imports_once_with_a_line_by_line_report() {
    let s = branch();
    let csv = "姓名,证件号码,手机号,备注\n\
               李娜,11010119800101005X,13800000001,新客户\n\
               张伟,11010119800101005Y,13800000002,\n\
               王芳,11010519491231002X,13812345678,老客户\n\
               \n\
               赵敏,11010119900315004X,1380000000,\n\
               孙丽,11010119900315004X\n";
    // 11010119800101005X has a wrong check character: compute a right one for 李娜.
    let body = "11010119800101005";
    let check = branchdesk::domain::ids::resident_check_char(body.as_bytes());
    let csv = csv.replacen("11010119800101005X", &format!("{body}{check}"), 1);
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let file = s.home.path().join("clients.csv");
    std::fs::write(&file, &gbk).unwrap();
    let path = file.to_str().unwrap();

    let out = s.command("teller01", PASS, &["client", "import", path]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("may not import"));

    let dry = json(&s.run(
        "manager01",
        &["client", "import", path, "--dry-run", "--json"],
    ));
    assert_eq!(dry["encoding"], "gbk");
    assert_eq!(dry["added"], 1);
    let before = json(&s.run("manager01", &["client", "search", "李娜", "--json"]));
    assert!(
        before.as_array().unwrap().is_empty(),
        "a dry run saves nothing"
    );

    let report = json(&s.run("manager01", &["client", "import", path, "--json"]));
    assert_eq!(report["rows"], 5);
    assert_eq!(report["added"], 1);
    assert_eq!(report["already_registered"][0]["line"], 4);
    assert_eq!(
        report["already_registered"][0]["client_no"],
        "BJ0101-0000001"
    );
    let rejected: Vec<u64> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, [3, 6, 7]);
    assert_eq!(report["ignored_columns"][0], "备注");

    let again = json(&s.run("manager01", &["client", "import", path, "--json"]));
    assert_eq!(again["added"], 0, "the same file twice adds nothing");

    let text = s.run("manager01", &["client", "import", path]);
    assert!(text.contains("Line 3: ID number:"), "{text}");
    assert!(
        text.contains("Line 7: it has 2 values where the header has 4."),
        "{text}"
    );
}

#[test]
fn files_that_are_not_client_lists_are_refused_whole() {
    let s = branch();
    let cases: [(&str, &[u8], &str); 3] = [
        ("empty.csv", b"", "is empty"),
        (
            "columns.csv",
            "姓名,手机\n王五,13800000009\n".as_bytes(),
            "has no column for ID number",
        ),
        (
            "binary.csv",
            b"PK\x03\x04\x14\x00\x06\x00\xff\xfe\x00\x01",
            "do not decode",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = s.home.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = s.command(
            "manager01",
            PASS,
            &["client", "import", file.to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expected),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn a_file_of_a_gigabyte_is_refused_before_reading_and_a_device_without_end_while_reading() {
    let s = branch();
    let file = s.home.path().join("huge.csv");
    // Sparse: a gigabyte long, nothing written.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(1024 * 1024 * 1024)
        .unwrap();
    let endless = std::path::Path::new("/dev/zero");
    for path in [file.as_path(), endless] {
        let out = s.command(
            "manager01",
            PASS,
            &["client", "import", path.to_str().unwrap(), "--dry-run"],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("is larger than 256 MiB"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1);
    }
}

/// An empty expiry is unknown — said alike by `client show` and the record — and 长期 is
/// taken only where the document can be long-term.
#[test]
fn an_expiry_left_empty_is_unknown_not_long_term() {
    let s = branch();
    let view = json(&s.run("manager01", &["client", "show", "BJ0101-0000001", "--json"]));
    assert_eq!(
        view["id_expiry"],
        serde_json::Value::Null,
        "unknown, not 长期"
    );
    let shown = s.run("manager01", &["client", "show", "BJ0101-0000001"]);
    assert!(
        shown.contains("not recorded — check the ID and add it"),
        "{shown}"
    );
    s.run(
        "teller01",
        &["client", "edit", "BJ0101-0000001", "--id-expiry", "长期"],
    );
    let view = json(&s.run("manager01", &["client", "show", "BJ0101-0000001", "--json"]));
    assert_eq!(view["id_expiry"], "long_term");
    let shown = s.run("manager01", &["client", "show", "BJ0101-0000001"]);
    assert!(shown.contains("long-term"), "{shown}");
    let out = s.command(
        "teller01",
        PASS,
        &[
            "client",
            "add",
            "--name",
            "John Smith",
            "--id-type",
            "passport",
            "--id-number",
            "E12345678",
            "--id-expiry",
            "长期",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("always has an end date"), "{err}");
}
