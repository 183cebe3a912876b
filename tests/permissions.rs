//! Who may do what is one table (`Role::can` in `domain::staff`): every role tries the store
//! operation behind every command and is refused exactly where the table says, and the
//! README prints the same table.

mod common;

use branchdesk::Error;
use branchdesk::domain::complaint::{IntakeInput, Step};
use branchdesk::domain::staff::{Permission, Role};
use branchdesk::store::{Session, SurveyInput};
use common::*;
use std::path::Path;

const PASS: &str = "a long test passphrase";

type Operation = fn(&mut Session, &Path) -> branchdesk::Result<()>;

/// For each permission, the store operation a command runs with it (arguments that may be
/// refused for other reasons: only a refusal for the role counts here).
fn operations() -> Vec<(Permission, &'static str, Operation)> {
    let operations: Vec<(Permission, &'static str, Operation)> = vec![
        (Permission::ManageStaff, "user add", |s, _| {
            s.add_staff("newbie01", "新人", Role::Teller, &secret(PASS))
                .map(drop)
        }),
        (Permission::ViewStaff, "user list", |s, _| {
            s.list_staff().map(drop)
        }),
        (Permission::ViewAudit, "audit list", |s, _| {
            s.list_audit(None, 1).map(drop)
        }),
        (Permission::Backup, "backup", |s, dir| {
            s.backup_to(&dir.join("b.bdbak"), &mut |_| {}).map(drop)
        }),
        (Permission::CheckStore, "doctor", |s, _| {
            s.doctor().map(drop)
        }),
        (Permission::ViewClients, "client search", |s, _| {
            s.search_clients("王", 5).map(drop)
        }),
        (Permission::EditClients, "client add", |s, _| {
            s.create_client(&Default::default()).map(drop)
        }),
        (Permission::ImportClients, "client import", |s, dir| {
            s.import_clients(&dir.join("none.csv"), None, true, &mut |_, _| {})
                .map(drop)
        }),
        (Permission::RevealClient, "client reveal", |s, _| {
            s.reveal_client("BJ0101-0000001", "核对身份").map(drop)
        }),
        (Permission::ViewComplaints, "complaint list", |s, _| {
            s.list_complaints(None, false).map(drop)
        }),
        (Permission::RegisterComplaint, "complaint new", |s, _| {
            s.register_complaint(&IntakeInput::default()).map(drop)
        }),
        (Permission::ManageComplaints, "complaint advance", |s, _| {
            s.advance_complaint("BJ0101-20261130-001", Step::Withdrawn, None, None)
                .map(drop)
        }),
        (Permission::ManageBranch, "branch contact", |s, _| {
            s.set_branch_contact("010-6655 1234").map(drop)
        }),
        (Permission::ViewCare, "care list", |s, _| {
            let today = s.today_local();
            s.care_agenda(today, today, None).map(drop)
        }),
        (Permission::ActOnCare, "care done", |s, _| {
            s.care_done("birthday:BJ0101-0000001:2026-12-01", "phone", "祝寿")
                .map(drop)
        }),
        (Permission::EnterSurvey, "survey add", |s, _| {
            s.record_survey(&SurveyInput::default()).map(drop)
        }),
        (Permission::ViewSurveyStats, "survey stats", |s, _| {
            let from = "2026-01-01".parse().unwrap();
            let to = "2026-11-30".parse().unwrap();
            s.survey_stats(
                "counter_visit",
                from,
                to,
                branchdesk::domain::survey::GroupBy::Month,
            )
            .map(drop)
        }),
        (Permission::ExportSync, "export", |s, dir| {
            s.export_bundle(dir, &mut |_, _| {}).map(drop)
        }),
        (Permission::ShareKeys, "sync keys", |s, _| {
            s.sync_keys().map(drop)
        }),
        (Permission::TrustHq, "sync trust-hq", |s, dir| {
            s.trust_hq(&dir.join("hq-keys.toml"), None).map(drop)
        }),
        (Permission::ApplyReference, "import", |s, dir| {
            s.import_reference(&dir.join("HQ-reference-1.bdr"))
                .map(drop)
        }),
        (Permission::RunHq, "hq import", |s, dir| {
            s.hq_import(&dir.join("x.bdx")).map(drop)
        }),
        (Permission::ViewPortfolio, "client portfolio", |s, _| {
            s.client_aum_history("BJ0101-0000001").map(drop)
        }),
        (Permission::ViewSync, "sync status", |s, _| {
            s.sync_status().map(drop)
        }),
        (Permission::ViewRisk, "risk list", |s, _| {
            s.risk_desk(branchdesk::store::DeskList::Overdue, 5)
                .map(drop)
        }),
        (Permission::RateRisk, "risk rate", |s, _| {
            s.risk_rate("BJ0101-0000001", &Default::default()).map(drop)
        }),
        (Permission::OverrideRisk, "risk lift", |s, _| {
            s.lift_restriction("BJ0101-0000001", "客户在场").map(drop)
        }),
        (Permission::CloseClient, "client close", |s, _| {
            s.close_client("BJ0101-0000001", "客户销户").map(drop)
        }),
        (Permission::ViewPoints, "points show", |s, _| {
            s.points_show("BJ0101-0000001").map(drop)
        }),
        (Permission::UsePoints, "points earn", |s, _| {
            s.points_earn("BJ0101-0000001", "referral", "").map(drop)
        }),
        (Permission::CorrectPoints, "points adjust", |s, _| {
            s.points_adjust("BJ0101-0000001", 100, "补录").map(drop)
        }),
        (Permission::ViewEvents, "event list", |s, _| {
            s.event_list(None).map(drop)
        }),
        (Permission::RunEvents, "event new", |s, _| {
            s.event_new(&Default::default()).map(drop)
        }),
        (Permission::AnswerEvents, "event reply", |s, _| {
            s.event_reply(
                "BJ0101-E0001",
                "BJ0101-0000001",
                branchdesk::domain::events::Reply::Yes,
                "phone",
            )
            .map(drop)
        }),
    ];
    operations
}

#[test]
fn every_role_is_refused_exactly_where_the_table_says() {
    let store = TestStore::with_staff(
        &[
            ("teller01", Role::Teller),
            ("rm01", Role::Rm),
            ("manager01", Role::Manager),
            ("auditor01", Role::Auditor),
        ],
        PASS,
    );
    let dir = tempfile::tempdir().unwrap();
    let operations = operations();
    // Every permission but restoring a backup (checked before the store is open, by the
    // restore itself) has its operation here.
    for permission in Permission::ALL {
        assert!(
            permission == Permission::Restore || operations.iter().any(|(p, ..)| *p == permission),
            "{permission:?} has no operation"
        );
    }
    let mut refused = 0;
    for role in Role::ALL {
        let id = match role {
            Role::Admin => ADMIN,
            Role::Teller => "teller01",
            Role::Rm => "rm01",
            Role::Manager => "manager01",
            Role::Auditor => "auditor01",
        };
        let pass = if role == Role::Admin {
            ADMIN_PASS
        } else {
            PASS
        };
        for (permission, command, operation) in &operations {
            let mut session = store.login(id, pass).unwrap();
            let result = operation(&mut session, dir.path());
            let was_refused = matches!(
                result,
                Err(Error::PermissionDenied { permission: p }) if p == *permission
            );
            assert_eq!(
                was_refused,
                !role.can(*permission),
                "{role:?} running `{command}`: {result:?}"
            );
            refused += usize::from(was_refused);
        }
    }
    assert!(refused > 40, "{refused}");
}

/// The README's table of roles is the table the code decides by.
#[test]
fn the_readme_prints_the_permission_table() {
    let mut table = String::from("| may … | teller | RM | manager | auditor | admin |\n");
    table.push_str("|---|:-:|:-:|:-:|:-:|:-:|\n");
    let en = branchdesk::i18n::I18n::english();
    for permission in Permission::ALL {
        let cells: Vec<&str> = [
            Role::Teller,
            Role::Rm,
            Role::Manager,
            Role::Auditor,
            Role::Admin,
        ]
        .iter()
        .map(|role| if role.can(permission) { "✓" } else { "" })
        .collect();
        table.push_str(&format!(
            "| {} | {} |\n",
            en.t(&format!("perm.{}", permission.code())),
            cells.join(" | ")
        ));
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md should hold this table (between the permission markers):\n{table}"
    );
}
