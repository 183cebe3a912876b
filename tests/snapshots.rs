//! What each screen looks like at 80x24 (and one at 120x40), in Chinese and English.
//! Wide characters show up as a glyph followed by a hidden cell, so misalignment is visible.
//! Review changes with `cargo insta review`.

mod common;

use branchdesk::app::{Action, Command};
use branchdesk::domain::staff::{Role, StaffStatus};
use branchdesk::i18n::Lang;
use branchdesk::service::{AuditRow, Reply, StaffRow};
use branchdesk::store::StoreProbe;
use common::*;
use insta::assert_snapshot;

fn staff_rows() -> Vec<StaffRow> {
    let row = |id: &str, name: &str, role: Role, status: StaffStatus| StaffRow {
        id: id.into(),
        name: name.into(),
        role,
        status,
        created_at: "2026-11-01T01:00:00Z".into(),
        locked_until: None,
    };
    let mut rows = vec![
        row("admin01", "陈静", Role::Admin, StaffStatus::Active),
        row("auditor01", "刘洋", Role::Auditor, StaffStatus::Active),
        row("manager01", "张伟", Role::Manager, StaffStatus::Active),
        row("rm01", "欧阳娜娜", Role::Rm, StaffStatus::Active),
        row("teller01", "王芳", Role::Teller, StaffStatus::Active),
        row("teller02", "Li Na", Role::Teller, StaffStatus::Disabled),
    ];
    rows[4].locked_until = chrono::DateTime::parse_from_rfc3339("2026-11-30T01:55:00Z")
        .ok()
        .map(|t| t.to_utc());
    rows
}

fn audit_rows() -> Vec<AuditRow> {
    let actions = [
        ("session.login", "admin01"),
        ("staff.add", "teller02"),
        ("staff.disable", "teller02"),
        ("store.rekey", "01930000-0000-7000-8000-000000000000"),
        ("store.backup", "01930000-0000-7000-8000-000000000000"),
        ("session.lock", "admin01"),
    ];
    actions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (action, subject))| AuditRow {
            id: i as i64 + 1,
            at: format!("2026-11-30T01:{:02}:00Z", 10 + i),
            actor: "admin01".into(),
            action: action.to_string(),
            entity: if action.starts_with("store.") {
                "store"
            } else {
                "staff"
            }
            .into(),
            entity_id: subject.to_string(),
            detail: "{}".into(),
            subject: None,
        })
        .collect()
}

/// The screens show times in the terminal's zone, which the harness pins (UTC+8): run
/// every snapshot again in a process whose machine zone is UTC−3:30 and expect the same
/// screens.
#[test]
fn snapshots_do_not_depend_on_the_machine_zone() {
    if std::env::var_os("BRANCHDESK_SNAPSHOT_ZONE_CHILD").is_some() {
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--test-threads", "1", "--skip", "snapshots_do_not_depend"])
        .env("BRANCHDESK_SNAPSHOT_ZONE_CHILD", "1")
        .env("TZ", "NST3:30")
        .env("INSTA_UPDATE", "no")
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "snapshots differ under another machine zone:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn login_demo_zh() {
    let mut h = Harness::new(Lang::Zh, StoreProbe::Present { demo: true });
    h.type_text("teller01");
    h.command(Command::NextField);
    h.type_text("branch");
    assert_snapshot!(h.screen());
}

#[test]
fn login_error_en() {
    let mut h = Harness::new(Lang::En, StoreProbe::Present { demo: false });
    h.type_text("teller01");
    h.command(Command::NextField);
    h.type_text("nope");
    h.command(Command::Submit);
    h.act(Action::Reply(Reply::Failed(
        branchdesk::Error::WrongCredentials,
    )));
    assert_snapshot!(h.screen());
}

#[test]
fn setup_wizard_zh() {
    let mut h = Harness::new(Lang::Zh, StoreProbe::Absent);
    h.type_text("BJ0101");
    h.command(Command::NextField);
    h.type_text("北京西单支行");
    h.command(Command::Save);
    assert_snapshot!(h.screen());
}

#[test]
fn overview_teller_zh() {
    let h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
    assert_snapshot!(h.screen());
}

#[test]
fn overview_admin_en() {
    let mut info = session_info("admin01", "Chen Jing", Role::Admin);
    info.failed_attempts_before = 2;
    let h = Harness::logged_in(Lang::En, info);
    assert_snapshot!(h.screen());
}

#[test]
fn locked_zh() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
    h.command(Command::Lock);
    h.type_text("abc");
    assert_snapshot!(h.screen());
}

#[test]
fn staff_list_zh() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(staff_rows())));
    h.command(Command::Down);
    h.command(Command::Down);
    h.command(Command::Down);
    assert_snapshot!(h.screen());
}

#[test]
fn staff_add_form_en() {
    let mut h = Harness::logged_in(Lang::En, session_info("admin01", "Chen Jing", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(staff_rows())));
    h.command(Command::NewStaff);
    h.type_text("teller03");
    h.command(Command::NextField);
    h.type_text("司马相如");
    h.command(Command::NextField);
    h.command(Command::NextField);
    h.type_text("short");
    h.command(Command::Save);
    assert_snapshot!(h.screen());
}

#[test]
fn staff_add_form_zh() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::StaffScreen);
    h.act(Action::Reply(Reply::Staff(staff_rows())));
    h.command(Command::NewStaff);
    h.type_text("teller03");
    h.command(Command::NextField);
    h.type_text("司马相如");
    h.command(Command::NextField);
    h.command(Command::ChoiceNext);
    assert_snapshot!(h.screen());
}

#[test]
fn audit_en() {
    let mut h = Harness::logged_in(
        Lang::En,
        session_info("auditor01", "Liu Yang", Role::Auditor),
    );
    h.command(Command::AuditScreen);
    h.act(Action::Reply(Reply::AuditPage {
        before: None,
        rows: audit_rows(),
    }));
    h.act(Action::Reply(Reply::AuditVerdict(
        branchdesk::domain::audit::ChainVerdict::Intact { rows: 6 },
    )));
    assert_snapshot!(h.screen());
}

#[test]
fn audit_zh_wide() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("auditor01", "刘洋", Role::Auditor));
    h.command(Command::AuditScreen);
    h.act(Action::Reply(Reply::AuditPage {
        before: None,
        rows: audit_rows(),
    }));
    assert_snapshot!(h.screen_sized(120, 40));
}

#[test]
fn help_zh() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("admin01", "陈静", Role::Admin));
    h.command(Command::Help);
    assert_snapshot!(h.screen());
}

#[test]
fn help_en_teller_shows_only_live_keys() {
    let mut h = Harness::logged_in(
        Lang::En,
        session_info("teller01", "Wang Fang", Role::Teller),
    );
    h.command(Command::Help);
    let screen = h.screen();
    assert!(!screen.contains("Staff"), "a teller has no staff screen");
    assert!(screen.contains("Lock"));
    assert_snapshot!(screen);
}

#[test]
fn quit_confirm_en() {
    let mut h = Harness::logged_in(
        Lang::En,
        session_info("teller01", "Wang Fang", Role::Teller),
    );
    h.command(Command::Quit);
    assert_snapshot!(h.screen());
}

#[test]
fn too_small_zh() {
    let h = Harness::new(Lang::Zh, StoreProbe::Present { demo: false });
    assert_snapshot!(h.screen_sized(60, 20));
}

mod clients {
    use super::*;

    /// The style of the first cell of `text` on the screen (ASCII or one character: a wide
    /// character's cell is followed by a hidden one).
    fn style_of(h: &Harness, text: &str) -> ratatui::style::Style {
        let buffer = h.buffer(80, 24);
        for y in 0..24 {
            let row: String = (0..80)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            if let Some(at) = row.find(text) {
                let x = row[..at].chars().count() as u16;
                return buffer[(x, y)].style();
            }
        }
        panic!("{text} is not on the screen:\n{}", h.screen());
    }

    #[test]
    fn an_expired_or_unrecorded_document_stands_out_on_the_record() {
        use ratatui::style::Color;
        let mut h = Harness::logged_in(Lang::Zh, session_info("manager01", "张伟", Role::Manager));
        h.command(Command::ClientsScreen);
        let mut view = wang_fang(Visibility::Full);
        view.id_expiry = Some("2026-11-01".into());
        let record = |view: &branchdesk::domain::client::ClientView| Reply::Client {
            view: Box::new(view.clone()),
            log: Vec::new(),
            events: Vec::new(),
        };
        h.act(Action::Reply(record(&view)));
        assert_eq!(style_of(&h, "2026-11-01").fg, Some(Color::Red));
        assert!(h.screen().contains("（已过期）"));
        view.id_expiry = None;
        h.act(Action::Reply(record(&view)));
        assert_eq!(style_of(&h, "登").fg, Some(Color::Yellow));
        assert!(h.screen().contains("未登记"));
        view.id_expiry = Some("long_term".into());
        h.act(Action::Reply(record(&view)));
        assert!(!matches!(
            style_of(&h, "长").fg,
            Some(Color::Red | Color::Yellow)
        ));
    }
    use branchdesk::domain::mask::Visibility;

    fn lookup(lang: Lang, role: Role, name: &str) -> Harness {
        let mut h = Harness::logged_in(lang, session_info("teller01", name, role));
        h.command(Command::ClientsScreen);
        h.type_text("王芳");
        let generation = h.app.main().unwrap().screens.clients.generation;
        h.act(Action::Reply(Reply::Hits {
            generation,
            hits: vec![
                hit("BJ0101-0000001", "王*", "138****5678", 1949),
                hit("BJ0101-0000002", "王*", "139****1234", 1985),
                hit("BJ0101-0000003", "王*", "137****5678", 1990),
                hit("BJ0101-0000004", "李*", "136****1111", 1975),
            ],
        }));
        h
    }

    #[test]
    fn lookup_zh() {
        let mut h = lookup(Lang::Zh, Role::Teller, "王芳");
        h.command(Command::Down);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn lookup_en() {
        let h = lookup(Lang::En, Role::Teller, "Wang Fang");
        assert_snapshot!(h.screen());
    }

    #[test]
    fn empty_lookup_zh() {
        let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn client_masked_zh() {
        let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Masked)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn client_full_en() {
        let mut h = Harness::logged_in(Lang::En, session_info("rm01", "Li Na", Role::Rm));
        h.command(Command::ClientsScreen);
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Full)),
            log: vec![branchdesk::service::Interaction {
                at: "2026-11-29T02:30:00Z".into(),
                staff_id: "rm01".into(),
                channel: "phone".into(),
                kind: "contact".into(),
                note: "电话回访，客户满意".into(),
            }],
            events: vec![branchdesk::service::ClientEvent {
                id: "01930000-0000-7000-8000-0000000000e1".into(),
                kind: branchdesk::domain::care::EventKind::Marriage,
                date: "1972-05-01".parse().unwrap(),
                yearly: true,
                label: None,
            }],
        }));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn client_form_with_errors_en() {
        use branchdesk::domain::client::{ClientField, ClientRule, FieldError};
        use branchdesk::domain::ids::IdRule;
        let mut h = Harness::logged_in(
            Lang::En,
            session_info("teller01", "Wang Fang", Role::Teller),
        );
        h.command(Command::ClientsScreen);
        h.type_text("欧阳娜娜");
        h.command(Command::NewClient);
        h.command(Command::NextField);
        h.command(Command::NextField);
        h.type_text("11010519491231002Y");
        h.command(Command::Save);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::ClientInvalid {
                errors: vec![FieldError {
                    field: ClientField::IdNumber,
                    rule: ClientRule::Id {
                        id: IdRule::ResidentCharacters,
                    },
                }],
            },
        )));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn client_form_zh() {
        let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Full)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        h.command(Command::EditClient);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn reveal_prompt_zh() {
        let mut h = Harness::logged_in(Lang::Zh, session_info("teller01", "王芳", Role::Teller));
        h.command(Command::ClientsScreen);
        h.act(Action::Reply(Reply::Client {
            view: Box::new(wang_fang(Visibility::Masked)),
            log: Vec::new(),
            events: Vec::new(),
        }));
        h.command(Command::Reveal);
        h.type_text("客户本人临柜");
        assert_snapshot!(h.screen());
    }
}

mod complaints {
    use super::*;

    fn board(lang: Lang) -> Harness {
        let name = if lang == Lang::Zh {
            "张伟"
        } else {
            "Zhang Wei"
        };
        let mut h = Harness::logged_in(lang, session_info("manager01", name, Role::Manager));
        h.command(Command::ComplaintsScreen);
        h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
            complaint_board(),
        ))));
        h
    }

    #[test]
    fn board_zh() {
        let mut h = board(Lang::Zh);
        h.command(Command::Down);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn board_en() {
        assert_snapshot!(board(Lang::En).screen());
    }

    fn intake(lang: Lang) -> Harness {
        let mut h = board(lang);
        h.command(Command::NewComplaint);
        h.command(Command::NextField);
        h.type_text("张伟");
        h.command(Command::NextField);
        h.type_text("13900001111");
        h.command(Command::NextField);
        h.command(Command::NextField);
        h.command(Command::ChoiceNext);
        h.command(Command::ChoiceNext);
        h.command(Command::NextField);
        h.command(Command::NextField);
        h.type_text("退还手续费");
        h.command(Command::NextField);
        h.type_text("客户称转账手续费收取有误，要求说明收费依据并退还多收部分。");
        h.command(Command::NewLine);
        h.type_text("Asked for a written answer.");
        h
    }

    #[test]
    fn intake_form_zh() {
        assert_snapshot!(intake(Lang::Zh).screen());
    }

    #[test]
    fn intake_form_en() {
        assert_snapshot!(intake(Lang::En).screen());
    }

    #[test]
    fn intake_form_with_errors_en() {
        let mut h = board(Lang::En);
        h.command(Command::NewComplaint);
        h.command(Command::Save);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::ComplaintIntake {
                errors: vec![
                    branchdesk::domain::complaint::IntakeError {
                        field: "complainant_name",
                        rule: "required",
                    },
                    branchdesk::domain::complaint::IntakeError {
                        field: "category",
                        rule: "required",
                    },
                    branchdesk::domain::complaint::IntakeError {
                        field: "description",
                        rule: "required",
                    },
                ],
            },
        )));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn case_with_history_zh() {
        let mut h = board(Lang::Zh);
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn extension_step_en() {
        let mut h = board(Lang::En);
        h.act(Action::Reply(Reply::Complaint(
            Box::new(complaint_detail()),
        )));
        h.command(Command::AdvanceComplaint);
        h.command(Command::ChoiceNext);
        h.command(Command::Submit);
        assert_snapshot!(h.screen());
    }
}

mod care {
    use super::*;

    fn agenda(lang: Lang) -> Harness {
        let name = if lang == Lang::Zh { "李娜" } else { "Li Na" };
        let mut h = Harness::logged_in(lang, session_info("rm01", name, Role::Rm));
        h.command(Command::CareScreen);
        h.act(Action::Reply(Reply::CareAgenda(Box::new(care_agenda()))));
        h
    }

    #[test]
    fn agenda_zh() {
        let mut h = agenda(Lang::Zh);
        h.command(Command::Down);
        h.command(Command::Down);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn agenda_en() {
        assert_snapshot!(agenda(Lang::En).screen());
    }

    #[test]
    fn done_prompt_with_greeting_zh() {
        let mut h = agenda(Lang::Zh);
        h.command(Command::Down);
        h.command(Command::Down);
        h.command(Command::ActOnReminder);
        h.command(Command::Submit);
        assert_snapshot!(h.screen());
    }
}

mod surveys {
    use super::*;
    use branchdesk::domain::survey::{AnswerError, GroupBy};

    fn entry(lang: Lang, role: Role) -> Harness {
        let mut h = Harness::logged_in(lang, session_info("teller01", "王芳", role));
        h.command(Command::SurveyScreen);
        h.act(Action::Reply(Reply::SurveyTemplates(Box::new(
            survey_templates(),
        ))));
        h
    }

    /// A detractor part-way through: the score, the "why?", the rating, the wait.
    fn typed(lang: Lang) -> Harness {
        let mut h = entry(lang, Role::Teller);
        h.type_text("3");
        h.type_text(if lang == Lang::Zh {
            "排队太久，窗口只开了一个"
        } else {
            "Only one window was open"
        });
        h.command(Command::NextField);
        h.type_text("23");
        h
    }

    #[test]
    fn entry_zh() {
        assert_snapshot!(typed(Lang::Zh).screen());
    }

    #[test]
    fn entry_en() {
        assert_snapshot!(typed(Lang::En).screen());
    }

    #[test]
    fn entry_refused_en() {
        let mut h = entry(Lang::En, Role::Teller);
        h.command(Command::Save);
        h.act(Action::Reply(Reply::Failed(
            branchdesk::Error::SurveyInvalid {
                errors: vec![
                    AnswerError {
                        question: "nps".into(),
                        rule: "required",
                    },
                    AnswerError {
                        question: "speed".into(),
                        rule: "required",
                    },
                ],
            },
        )));
        assert_snapshot!(h.screen());
    }

    fn stats(lang: Lang, count: u64, by: GroupBy) -> Harness {
        let mut h = entry(lang, Role::Manager);
        h.command(Command::ToggleSurveyView);
        h.act(Action::Reply(Reply::SurveyStats(Box::new(survey_stats(
            count, by,
        )))));
        h
    }

    #[test]
    fn stats_zh() {
        assert_snapshot!(stats(Lang::Zh, 360, GroupBy::Month).screen());
    }

    #[test]
    fn stats_en_by_channel_on_another_question() {
        let mut h = stats(Lang::En, 360, GroupBy::Channel);
        h.command(Command::Down);
        h.command(Command::Down);
        h.command(Command::Down);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn stats_small_sample_en() {
        assert_snapshot!(stats(Lang::En, 12, GroupBy::Month).screen());
    }
}

mod sync {
    use super::*;
    use branchdesk::domain::survey::{csat_from_counts, nps_from_counts};
    use branchdesk::service::{
        ComplaintCell, ComplaintReport, SatisfactionCell, SatisfactionReport,
    };
    use branchdesk::store::SyncWarning;

    fn screen(lang: Lang, view: branchdesk::service::SyncView) -> Harness {
        let name = if lang == Lang::Zh {
            "张伟"
        } else {
            "Zhang Wei"
        };
        let mut h = Harness::logged_in(lang, session_info("manager01", name, Role::Manager));
        h.command(Command::SyncScreen);
        h.act(Action::Reply(Reply::SyncStatus(Box::new(view))));
        h
    }

    #[test]
    fn branch_with_a_warning_zh() {
        let h = screen(
            Lang::Zh,
            sync_view(vec![SyncWarning::NotExportedFor { days: 10 }]),
        );
        assert_snapshot!(h.screen());
    }

    #[test]
    fn export_done_en() {
        let mut h = screen(Lang::En, sync_view(Vec::new()));
        h.command(Command::ExportBundle);
        h.command(Command::Submit);
        h.act(Action::Reply(Reply::ExportProgress {
            done: 1_284,
            total: 1_284,
        }));
        h.act(Action::Reply(Reply::Exported(Box::new(export_report()))));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn export_prompt_zh() {
        let mut h = screen(Lang::Zh, sync_view(Vec::new()));
        h.command(Command::ExportBundle);
        assert_snapshot!(h.screen());
    }

    /// A holdings snapshot applied from F6: the bar while the standings are rebuilt, then
    /// what it did, the client book with it; and the review warning.
    #[test]
    fn holdings_applied_zh() {
        let mut h = screen(
            Lang::Zh,
            sync_view(vec![SyncWarning::ClientsToReview { entries: 2 }]),
        );
        h.command(Command::ImportReference);
        h.type_text("/media/usb/BJ0101-holdings-2026-11-30.bdh");
        h.command(Command::Submit);
        h.act(Action::Reply(Reply::ApplyProgress {
            done: 1_200,
            total: 5_013,
        }));
        let applying = h.screen();
        assert!(
            applying.contains("正在应用…已重算 1200/5013 位客户的分层"),
            "{applying}"
        );
        h.act(Action::Reply(Reply::HoldingsApplied(Box::new(
            branchdesk::service::HoldingsApplied {
                as_of: "2026-11-30".parse().unwrap(),
                accounts: 15_020,
                clients: 5_013,
                unknown_clients: 0,
                calls: 212,
                credit_warnings: 3,
                book: branchdesk::store::BookApplied {
                    received: 5_020,
                    added: 7,
                    updated: 31,
                    review: 2,
                    ..Default::default()
                },
                points: 0,
            },
        ))));
        assert_snapshot!(h.screen());
    }

    #[test]
    fn hq_branches_en() {
        assert_snapshot!(screen(Lang::En, hq_view()).screen());
    }

    fn cell(
        quarter: &str,
        category: &str,
        state: &str,
        figures: (u64, u64, u64, Option<f64>),
    ) -> ComplaintCell {
        ComplaintCell {
            quarter: quarter.into(),
            branch: "BJ0101".into(),
            category: category.into(),
            state: state.into(),
            complaints: figures.0,
            overdue: figures.1,
            decided: figures.2,
            median_days_to_decision: figures.3,
        }
    }

    fn complaint_report() -> ComplaintReport {
        ComplaintReport {
            from: "2026Q1".into(),
            to: "2026Q4".into(),
            as_of: "2026-11-30".parse().unwrap(),
            branch: None,
            cells: vec![
                cell("2026Q3", "fees", "closed", (14, 0, 14, Some(6.5))),
                cell(
                    "2026Q4",
                    "service_attitude",
                    "decided",
                    (3, 1, 3, Some(12.0)),
                ),
                cell("2026Q4", "card_account", "in_progress", (2, 2, 0, None)),
                cell("2026Q4", "wealth_product", "waiting", (1, 0, 0, None)),
            ],
        }
    }

    /// HQ goes right to the complaints: the four quarters up to today's are asked for.
    #[test]
    fn hq_complaints_zh() {
        let mut h = screen(Lang::Zh, hq_view());
        let effects = h.command(Command::NextView);
        let asked = sent(&effects)
            .iter()
            .map(|r| format!("{r:?}"))
            .collect::<Vec<_>>();
        assert_eq!(
            asked,
            [
                "HqComplaints { from: Quarter { year: 2026, number: 1 }, to: Quarter { year: 2026, number: 4 } }"
            ]
        );
        h.act(Action::Reply(Reply::HqComplaints(Box::new(
            complaint_report(),
        ))));
        assert_snapshot!(h.screen());
    }

    /// A report of many cells: only those in view are drawn, the selected one among them.
    #[test]
    fn hq_complaints_of_many_cells_scroll_to_the_last() {
        let mut h = screen(Lang::En, hq_view());
        h.command(Command::NextView);
        let mut report = complaint_report();
        report.cells = (0..100_000)
            .map(|i| {
                let mut c = cell("2026Q4", "fees", "closed", (1, 0, 1, Some(3.0)));
                c.branch = format!("B{i:05}");
                c
            })
            .collect();
        h.act(Action::Reply(Reply::HqComplaints(Box::new(report))));
        let first = h.screen();
        assert!(
            first.contains("B00000") && !first.contains("B99999"),
            "{first}"
        );
        h.command(Command::Last);
        let last = h.screen();
        assert!(
            last.contains("B99999") && !last.contains("B00000 "),
            "{last}"
        );
        assert!(last.contains("100000 cases"), "{last}");
    }

    /// Ctrl-B moves the period a quarter back; the branches' view has no period.
    #[test]
    fn hq_periods_move_by_a_quarter_or_a_month() {
        let mut h = screen(Lang::En, hq_view());
        assert!(sent(&h.command(Command::EarlierPeriod)).is_empty());
        h.command(Command::NextView);
        let earlier = format!("{:?}", sent(&h.command(Command::EarlierPeriod)));
        assert!(
            earlier.contains("year: 2025, number: 4 }, to: Quarter { year: 2026, number: 3"),
            "{earlier}"
        );
        h.command(Command::NextView);
        let later = format!("{:?}", sent(&h.command(Command::LaterPeriod)));
        assert!(later.contains("HqSatisfaction { from: Month { year: 2026, number: 1 }, to: Month { year: 2026, number: 12"), "{later}");
    }

    /// The answer to a period no longer asked for is dropped; the one asked for is shown.
    #[test]
    fn hq_a_report_for_an_earlier_period_asked_is_dropped() {
        let mut h = screen(Lang::En, hq_view());
        h.command(Command::NextView);
        h.command(Command::EarlierPeriod);
        h.act(Action::Reply(Reply::HqComplaints(Box::new(
            complaint_report(),
        ))));
        let waiting = h.screen();
        assert!(
            waiting.contains("loading") && !waiting.contains("Service attitude"),
            "{waiting}"
        );
        let mut earlier = complaint_report();
        (earlier.from, earlier.to) = ("2025Q4".into(), "2026Q3".into());
        h.act(Action::Reply(Reply::HqComplaints(Box::new(earlier))));
        let shown = h.screen();
        assert!(
            shown.contains("Received 2025Q4 – 2026Q3") && !shown.contains("loading"),
            "{shown}"
        );
    }

    #[test]
    fn hq_satisfaction_en() {
        let mut h = screen(Lang::En, hq_view());
        h.command(Command::PrevView);
        let month = |month: &str, responses: u64, nps: (u64, u64, u64), csat: (u64, u64)| {
            SatisfactionCell {
                branch: "BJ0101".into(),
                month: month.into(),
                responses,
                nps: nps_from_counts(nps.0, nps.1, nps.2),
                csat: csat_from_counts(csat.0, csat.1),
                small_sample: responses < 30,
            }
        };
        let report = SatisfactionReport {
            from: "2025-12".into(),
            to: "2026-11".into(),
            branch: None,
            template: None,
            cells: vec![
                month("2026-10", 64, (30, 20, 14), (64, 51)),
                month("2026-11", 12, (5, 4, 3), (12, 9)),
            ],
        };
        h.act(Action::Reply(Reply::HqSatisfaction(Box::new(report))));
        assert_snapshot!(h.screen());
    }
}

/// Dialogs over a screen full of Chinese, set off by a half-width character every other
/// line so that some wide character straddles every dialog's edge.
mod dialogs {
    use super::*;

    fn over_chinese() -> Harness {
        let mut h = Harness::logged_in(Lang::Zh, session_info("manager01", "张伟", Role::Manager));
        h.command(Command::ComplaintsScreen);
        h.act(Action::Reply(Reply::ComplaintBoard(Box::new(
            complaint_board(),
        ))));
        let mut case = complaint_detail();
        case.description = (0..12)
            .map(|i| {
                let lead = if i % 2 == 0 { "" } else { "a" };
                format!(
                    "{lead}{}",
                    "客户称其借记卡本年度被收取两次年费各十元手机银行截图".repeat(2)
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        h.act(Action::Reply(Reply::Complaint(Box::new(case))));
        h
    }

    /// Every box on screen has whole sides: from each top corner down to its bottom corner,
    /// every row shows the side (as the terminal gets it: a cell under the second half of
    /// a wide character is never drawn).
    fn borders_whole(h: &Harness) {
        use unicode_width::UnicodeWidthStr;
        let buffer = h.buffer(80, 24);
        let at = |x: u16, y: u16| buffer[(x, y)].symbol().to_string();
        let hidden = |x: u16, y: u16| x > 0 && at(x - 1, y).width() > 1;
        let mut boxes = 0;
        for y in 0..24u16 {
            for x in 0..80u16 {
                let (side, bottom) = match at(x, y).as_str() {
                    "┌" => ("│", "└"),
                    "┐" => ("│", "┘"),
                    _ => continue,
                };
                boxes += 1;
                let mut row = y;
                loop {
                    row += 1;
                    assert!(
                        row < 24,
                        "({x}, {y}): a box with no bottom:\n{}",
                        h.screen()
                    );
                    let cell = at(x, row);
                    assert!(
                        (cell == side || cell == bottom) && !hidden(x, row),
                        "({x}, {row}): the side of the box at ({x}, {y}) is broken:\n{}",
                        h.screen()
                    );
                    if cell == bottom {
                        break;
                    }
                }
            }
        }
        assert!(boxes >= 4, "the screen and a dialog: {boxes} corners");
    }

    #[test]
    fn quit_over_chinese() {
        let mut h = over_chinese();
        h.command(Command::Quit);
        borders_whole(&h);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn step_prompt_over_chinese() {
        let mut h = over_chinese();
        h.command(Command::AdvanceComplaint);
        borders_whole(&h);
        assert_snapshot!(h.screen());
    }

    #[test]
    fn help_over_chinese() {
        let mut h = over_chinese();
        h.command(Command::Help);
        borders_whole(&h);
        assert_snapshot!(h.screen());
    }
}

/// At 80 columns what must give, gives way visibly: the branch's name in the header, the
/// lookup's hint, never a word cut off without a mark.
#[test]
fn long_words_give_way_with_an_ellipsis_at_80_columns() {
    let mut info = session_info("manager01", "Zhang Wei", Role::Manager);
    info.branch.code = "DEMO01".into();
    info.branch.name = "Demo Branch of the People's Street".into();
    info.branch.demo = true;
    info.care_due = Some(66);
    for lang in [Lang::Zh, Lang::En] {
        let mut h = Harness::logged_in(lang, info.clone());
        let screen = h.screen();
        let header = screen.lines().next().unwrap();
        assert!(
            header.contains("DEMO01 Demo"),
            "the code stays whole: {header}"
        );
        assert!(header.contains('…'), "the name gives way visibly: {header}");
        h.command(Command::ClientsScreen);
        let screen = h.screen();
        assert!(
            screen.contains("client no.") || screen.contains("客户号。"),
            "the whole hint: {screen}"
        );
    }
}

/// F8 in words: the action's label, the client's number for a client, and what the row
/// records (a reveal's reason) under the list.
#[test]
fn audit_in_words_zh() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("auditor01", "刘洋", Role::Auditor));
    h.command(Command::AuditScreen);
    let row = |id: i64, action: &str, detail: &str, subject: Option<&str>| AuditRow {
        id,
        at: "2026-11-30T01:20:00Z".into(),
        actor: "teller01".into(),
        action: action.into(),
        entity: if subject.is_some() { "client" } else { "staff" }.into(),
        entity_id: if subject.is_some() {
            "0193a5b2-7c1e-7000-8000-00000000beef"
        } else {
            "teller01"
        }
        .into(),
        detail: detail.into(),
        subject: subject.map(str::to_string),
    };
    h.act(Action::Reply(Reply::AuditPage {
        before: None,
        rows: vec![
            row(
                12,
                "client.reveal",
                r#"{"reason":"客户本人临柜办理"}"#,
                Some("BJ0101-0000001"),
            ),
            row(
                11,
                "session.login_failed",
                r#"{"attempted_at":"2026-11-30T01:10:00Z"}"#,
                None,
            ),
        ],
    }));
    let screen = h.screen();
    for words in [
        "查看客户完整信息",
        "BJ0101-0000001",
        "理由：客户本人临柜办理",
        "登录失败",
    ] {
        assert!(screen.contains(words), "{words}:\n{screen}");
    }
    assert!(
        !screen.contains("client.reveal") && !screen.contains("0193a5b2"),
        "{screen}"
    );
    assert_snapshot!(screen);
}
