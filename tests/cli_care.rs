//! `branchdesk care …` and `client event` from the command line: the demo's Mid-Autumn,
//! acting on a reminder, and bad input as one sentence with nothing stored.

mod common;

use common::{CliStore as Store, json};

#[test]
fn mid_autumn_2026_brings_the_festival_and_the_clients_born_on_the_fifteenth_of_the_eighth_month() {
    let s = Store::demo(800);
    let items = json(&s.run(
        "manager01",
        &[
            "--lang",
            "zh",
            "care",
            "list",
            "--from",
            "2026-09-20",
            "--days",
            "10",
            "--json",
        ],
    ));
    let items = items.as_array().unwrap();
    let festival = items
        .iter()
        .find(|i| i["reason"] == "festival" && i["code"] == "mid_autumn")
        .expect("Mid-Autumn is on the agenda");
    assert_eq!(festival["on"], "2026-09-25");
    assert_eq!(festival["lunar_text"], "八月十五");
    let born_then: Vec<&serde_json::Value> = items
        .iter()
        .filter(|i| i["reason"] == "birthday" && i["lunar_text"] == "八月十五")
        .collect();
    assert!(
        !born_then.is_empty(),
        "the demo has clients born on 八月十五"
    );
    for item in &born_then {
        assert_eq!(item["on"], "2026-09-25", "{item}");
        assert!(
            item["text"]
                .as_str()
                .unwrap()
                .starts_with("生日（农历八月十五）")
        );
        assert!(item["client_no"].as_str().unwrap().starts_with("DEMO01-"));
    }
    // Every lunar birthday in the window falls on its lunar day's solar date.
    assert!(
        items
            .iter()
            .all(|i| i["on"].as_str().unwrap() >= "2026-09-20"
                && i["on"].as_str().unwrap() <= "2026-09-29")
    );
    // An RM sees only their own book, a masked name nowhere in it.
    let mine = json(&s.run(
        "rm01",
        &[
            "care",
            "list",
            "--from",
            "2026-09-20",
            "--days",
            "10",
            "--json",
        ],
    ));
    let mine = mine.as_array().unwrap();
    assert!(mine.len() < items.len());
    assert!(
        mine.iter()
            .filter(|i| i["reason"] != "festival")
            .all(|i| i["rm"] == "rm01" && !i["name"].as_str().unwrap().contains('*'))
    );
}

#[test]
fn a_reminder_done_from_the_command_line_lands_in_the_contact_log() {
    let s = Store::demo(800);
    let items = json(&s.run("rm01", &["care", "list", "--days", "30", "--json"]));
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == "birthday")
        .expect("rm01 has a birthday within 30 days")
        .clone();
    let id = item["id"].as_str().unwrap();
    let client = item["client_no"].as_str().unwrap();
    s.run(
        "rm01",
        &[
            "care",
            "done",
            id,
            "--channel",
            "wechat",
            "--note",
            "微信祝福",
        ],
    );
    let log = json(&s.run("rm01", &["client", "log", client, "--json"]));
    assert_eq!(log[0]["note"], "微信祝福");
    assert_eq!(log[0]["channel"], "wechat");
    assert_eq!(log[0]["kind"], "care");
    let again = json(&s.run("rm01", &["care", "list", "--days", "30", "--json"]));
    assert!(again.as_array().unwrap().iter().all(|i| i["id"] != id));
    assert!(
        s.refused("rm01", &["care", "done", id, "--channel", "phone"])
            .contains("no open reminder")
    );

    // Bad input: one sentence, nothing stored.
    let other = again
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == "birthday")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.refused("rm01", &["care", "snooze", &other, "--until", "2020-01-01"]),
        "Until: must be a day after today."
    );
    assert_eq!(
        s.refused("rm01", &["care", "dismiss", &other, "--reason", " "]),
        "Reason: must be filled in."
    );
    assert!(
        s.refused("teller01", &["care", "list"])
            .contains("Your role may not see care reminders")
    );
    let still = json(&s.run("rm01", &["care", "list", "--days", "30", "--json"]));
    assert!(
        still
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == other.as_str())
    );
}

#[test]
fn life_events_are_recorded_and_checked_against_the_birth_date() {
    let s = Store::with_staff(&[("manager01", "manager")]);
    s.add_wang_fang("manager01", &[]);
    assert_eq!(
        s.refused(
            "manager01",
            &[
                "client",
                "event",
                "BJ0101-0000001",
                "--kind",
                "marriage",
                "--date",
                "1940-01-01"
            ]
        ),
        "Date: is before the client's birth date."
    );
    assert_eq!(
        s.refused(
            "manager01",
            &[
                "client",
                "event",
                "BJ0101-0000001",
                "--kind",
                "custom",
                "--date",
                "2000-01-01"
            ]
        ),
        "Description: must be filled in."
    );
    s.run(
        "manager01",
        &[
            "client",
            "event",
            "BJ0101-0000001",
            "--kind",
            "marriage",
            "--date",
            "1972-05-01",
        ],
    );
    s.run(
        "manager01",
        &[
            "client",
            "event",
            "BJ0101-0000001",
            "--kind",
            "moving",
            "--date",
            "2026-12-20",
            "--once",
        ],
    );
    let events = json(&s.run(
        "manager01",
        &["client", "events", "BJ0101-0000001", "--json"],
    ));
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["marriage", "moving"]);
    assert_eq!(events[1]["yearly"], false);
}

/// A resident ID of someone born on `born`, with its check character.
fn resident_id(born: chrono::NaiveDate) -> String {
    let first17 = format!("110105{}002", born.format("%Y%m%d"));
    let check = branchdesk::domain::ids::resident_check_char(first17.as_bytes());
    format!("{first17}{check}")
}

#[test]
fn care_list_without_a_first_day_shows_what_is_overdue_as_the_workstation_does() {
    let s = Store::with_staff(&[("manager01", "manager")]);
    let today = chrono::Local::now().date_naive();
    let three_days_ago = today - chrono::Duration::days(3);
    // 1960 was a leap year: every day of the year has its birthday then.
    let born = chrono::Datelike::with_year(&three_days_ago, 1960).unwrap();
    let added = s.run(
        "manager01",
        &[
            "client",
            "add",
            "--name",
            "孙丽",
            "--id-number",
            &resident_id(born),
        ],
    );
    assert!(added.contains("BJ0101-"), "{added}");
    let items = json(&s.run("manager01", &["care", "list", "--days", "7", "--json"]));
    let birthday = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == "birthday" && i["name"] == "孙丽")
        .expect("a birthday three days ago is still open");
    assert_eq!(birthday["section"], "overdue");
    let text = s.run("manager01", &["care", "list", "--days", "7"]);
    assert!(text.contains("Overdue") && text.contains("孙丽"), "{text}");
    // From today on, it is not in the window asked for.
    let from_today = json(&s.run(
        "manager01",
        &["care", "list", "--from", &today.to_string(), "--json"],
    ));
    assert!(
        from_today
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "孙丽")
    );
}
