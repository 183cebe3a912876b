//! `branchdesk event …` from the command line: an event created, its audience invited, a
//! reply and its refusal in one sentence, the list and the page in JSON with stable codes
//! and ISO dates.

mod common;

use common::{CliStore as Store, json};

#[test]
fn an_event_is_created_its_audience_invited_and_a_reply_recorded_in_json() {
    let s = Store::with_staff(&[("rm01", "rm"), ("manager01", "manager")]);
    s.add_wang_fang("rm01", &["--consent", "yes", "--birth-date", "1949-12-31"]);
    let on = (chrono::Local::now().date_naive() + chrono::Days::new(20)).to_string();
    let created = json(&s.run(
        "rm01",
        &[
            "event",
            "new",
            "--title",
            "迎新春客户答谢会",
            "--kind",
            "appreciation",
            "--on",
            &on,
            "--place",
            "西单支行大堂",
            "--capacity",
            "30",
            "--json",
        ],
    ));
    assert_eq!(created["code"], "BJ0101-E0001");
    assert_eq!(created["kind"], "appreciation");
    assert_eq!(created["on"], on.as_str());
    assert_eq!(created["figures"]["invited"], 0);

    let invited = json(&s.run("rm01", &["event", "invite", "BJ0101-E0001", "--json"]));
    assert_eq!(invited["invited"], 1);
    let refused = s.refused("rm01", &["event", "invite", "BJ0101-E0001"]);
    assert!(refused.starts_with("No one to invite"), "{refused}");

    let replied = json(&s.run(
        "manager01",
        &[
            "event",
            "reply",
            "BJ0101-E0001",
            "BJ0101-0000001",
            "--reply",
            "yes",
            "--json",
        ],
    ));
    assert_eq!(replied["reply"], "yes");
    let refused = s.refused(
        "manager01",
        &["event", "attend", "BJ0101-E0001", "BJ0101-0000001"],
    );
    assert_eq!(
        refused,
        format!("The event is on {on}; attendance is recorded from that day.")
    );

    let listed = json(&s.run("manager01", &["event", "list", "--json"]));
    assert_eq!(listed[0]["figures"]["accepted"], 1);
    let shown = json(&s.run("manager01", &["event", "show", "BJ0101-E0001", "--json"]));
    assert_eq!(shown["invitations"][0]["client_no"], "BJ0101-0000001");
    assert_eq!(shown["invitations"][0]["reply"], "yes");
    let text = s.run("manager01", &["--lang", "zh", "event", "list"]);
    assert!(
        text.contains("客户答谢会") && text.contains("迎新春客户答谢会"),
        "{text}"
    );
    let refused = s.refused("manager01", &["event", "show", "BJ0101-E0009"]);
    assert_eq!(
        refused,
        "There is no event BJ0101-E0009; check the event number."
    );
}
