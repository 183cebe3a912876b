//! Complaints in the store: intake, the lifecycle and its refusals, permissions, the audit
//! trail and outbox, masking, the overdue list and the slip.

mod common;

use branchdesk::Error;
use branchdesk::domain::client::ClientInput;
use branchdesk::domain::complaint::{ComplaintRule, IntakeInput, PauseReason, State, Step};
use branchdesk::domain::staff::{Permission, Role};
use branchdesk::store::{KeySlots, Session, open_db};
use chrono::NaiveDate;
use common::*;

const PASS: &str = "a long test passphrase";

struct Branch {
    store: TestStore,
    client_no: String,
}

impl Branch {
    /// Staff of every role, and one client (王芳, assigned to rm01).
    fn new() -> Branch {
        let store = TestStore::with_staff(
            &[
                ("manager01", Role::Manager),
                ("manager02", Role::Manager),
                ("teller01", Role::Teller),
                ("rm01", Role::Rm),
                ("auditor01", Role::Auditor),
            ],
            PASS,
        );
        let mut m = store.login("manager01", PASS).unwrap();
        let client = m
            .create_client(&ClientInput {
                name: "王芳".into(),
                id_number: "11010519491231002X".into(),
                phone: "13812345678".into(),
                assigned_rm: "rm01".into(),
                ..Default::default()
            })
            .unwrap();
        drop(m);
        Branch {
            store,
            client_no: client.client_no,
        }
    }

    fn as_(&self, id: &str) -> Session {
        self.store.login(id, PASS).unwrap()
    }

    fn raw(&self) -> rusqlite::Connection {
        let slots = KeySlots::load(&self.store.paths.keyslots()).unwrap();
        let key = slots.open(ADMIN, &secret(ADMIN_PASS)).unwrap().db_key;
        open_db(&self.store.paths.db(), &key, false).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.raw().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn intake(client: &str) -> IntakeInput {
    IntakeInput {
        client: client.into(),
        channel: "counter".into(),
        category: "fees".into(),
        request: "退还多收的年费".into(),
        description: "客户称其借记卡被重复收取年费 10 元。\n已核对近三个月流水。".into(),
        ..Default::default()
    }
}

fn walk_in() -> IntakeInput {
    IntakeInput {
        complainant_name: "张伟".into(),
        complainant_phone: "13900001111".into(),
        category: "service_attitude".into(),
        request: "要求道歉".into(),
        description: "排队时工作人员态度生硬。".into(),
        subject_staff: "teller01".into(),
        ..Default::default()
    }
}

fn received(mut input: IntakeInput, on: &str) -> IntakeInput {
    input.received_on = on.into();
    input
}

fn accept(handler: &str) -> Step {
    Step::Accepted {
        handler: handler.into(),
    }
}

fn extend(approved_by: &str, told: bool, higher: Option<&str>) -> Step {
    Step::Extended {
        approved_by: approved_by.into(),
        complainant_told: told,
        higher_office: higher.map(str::to_string),
    }
}

fn decide() -> Step {
    Step::Decided {
        decision: "已退还年费 10 元并致歉。".into(),
    }
}

fn refused(result: branchdesk::Result<impl std::fmt::Debug>) -> ComplaintRule {
    match result {
        Err(Error::ComplaintRefused(rule)) => rule,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn receipt_numbers_run_per_day_of_receipt_and_the_deadline_is_fifteen_days() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let today = teller.today_local();
    let first = teller
        .register_complaint(&intake(&branch.client_no))
        .unwrap();
    let second = teller.register_complaint(&walk_in()).unwrap();
    let day = today.format("%Y%m%d");
    assert_eq!(first.receipt_no, format!("BJ0101-{day}-001"));
    assert_eq!(second.receipt_no, format!("BJ0101-{day}-002"));
    // A letter that arrived earlier is numbered by its day of receipt.
    let letter = teller
        .register_complaint(&received(intake(&branch.client_no), "2025-03-03"))
        .unwrap();
    assert_eq!(letter.receipt_no, "BJ0101-20250303-001");
    assert_eq!(letter.due_on, d("2025-03-18"));

    let detail = teller.open_complaint(&first.receipt_no).unwrap();
    assert_eq!(detail.row.state, State::Registered);
    assert_eq!(
        detail.row.client_no.as_deref(),
        Some(branch.client_no.as_str())
    );
    assert_eq!(detail.row.due_on, Some(first.due_on));
    assert_eq!(detail.limit_days, 15);
    assert!(detail.description.contains('\n'), "multi-line text is kept");
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].step, Step::Registered);
    assert_eq!(detail.history[0].by, "teller01");
    // Receipt numbers are found whatever the case they are typed in.
    let lower = teller
        .open_complaint(&first.receipt_no.to_lowercase())
        .unwrap();
    assert_eq!(lower.row.receipt_no, first.receipt_no);
}

#[test]
fn bad_intakes_are_refused_and_record_nothing() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let mut empty = intake(&branch.client_no);
    empty.description = "  \n ".into();
    match teller.register_complaint(&empty) {
        Err(Error::ComplaintIntake { errors }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(
                (errors[0].field, errors[0].rule),
                ("description", "required")
            );
        }
        other => panic!("{other:?}"),
    }
    let mut anonymous = walk_in();
    anonymous.complainant_name = String::new();
    anonymous.complainant_phone = "12345".into();
    match teller.register_complaint(&anonymous) {
        Err(Error::ComplaintIntake { errors }) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
            assert_eq!(fields, ["complainant_name", "complainant_phone"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        teller.register_complaint(&intake("BJ0101-9999999")),
        Err(Error::ClientNotFound { .. })
    ));
    let mut about_nobody = walk_in();
    about_nobody.subject_staff = "nobody99".into();
    assert!(matches!(
        teller.register_complaint(&about_nobody),
        Err(Error::StaffNotFound { .. })
    ));
    let future = received(walk_in(), "2099-01-01");
    assert!(matches!(
        teller.register_complaint(&future),
        Err(Error::ComplaintIntake { .. })
    ));
    // A year typed as 1926 for 2026 is a typing error, not a 100-year-old complaint.
    match teller.register_complaint(&received(walk_in(), "1926-11-30")) {
        Err(Error::ComplaintIntake { errors }) => {
            assert_eq!(
                (errors[0].field, errors[0].rule),
                ("received_on", "too_early")
            );
        }
        other => panic!("{other:?}"),
    }
    drop(teller);
    assert_eq!(branch.count("SELECT count(*) FROM complaint"), 0);
    assert_eq!(branch.count("SELECT count(*) FROM complaint_event"), 0);
    assert_eq!(
        branch.count("SELECT count(*) FROM outbox WHERE tbl LIKE 'complaint%'"),
        0
    );
}

#[test]
fn a_step_note_is_as_long_as_a_description_may_be_and_no_longer() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let receipt = teller
        .register_complaint(&intake(&branch.client_no))
        .unwrap()
        .receipt_no;
    let events = || branch.count("SELECT count(*) FROM complaint_event");
    let before = events();
    let longest = "记".repeat(4000);
    teller
        .advance_complaint(&receipt, Step::Noted, None, Some(longest.clone()))
        .unwrap();
    assert_eq!(events(), before + 1);
    match teller.advance_complaint(&receipt, Step::Noted, None, Some(longest + "记")) {
        Err(Error::ComplaintIntake { errors }) => {
            assert_eq!((errors[0].field, errors[0].rule), ("note", "too_long"));
            let i18n = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
            let error = Error::ComplaintIntake { errors };
            assert_eq!(error.message(i18n), "Note: at most 4000 characters.");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(events(), before + 1);
}

#[test]
fn the_sentences_name_the_field_and_the_rule() {
    let i18n = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
    let error = Error::ComplaintIntake {
        errors: vec![branchdesk::domain::complaint::IntakeError {
            field: "description",
            rule: "required",
        }],
    };
    assert_eq!(error.message(i18n), "Description: must be filled in.");
    let zh = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::Zh);
    let not_now = Error::ComplaintRefused(ComplaintRule::NotNow {
        state: State::Registered,
        step: "decide",
    });
    assert_eq!(
        not_now.message(zh),
        "处于“已登记”状态的投诉不能执行“答复”；请选择该投诉允许的步骤。"
    );
}

#[test]
fn only_managers_move_a_case_on_and_auditors_only_read() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let case = teller
        .register_complaint(&intake(&branch.client_no))
        .unwrap();
    assert!(matches!(
        teller.advance_complaint(&case.receipt_no, accept("rm01"), None, None),
        Err(Error::PermissionDenied {
            permission: Permission::ManageComplaints
        })
    ));
    // Anyone who registers may add a note.
    teller
        .advance_complaint(
            &case.receipt_no,
            Step::Noted,
            None,
            Some("客户来电询问进度".into()),
        )
        .unwrap();
    drop(teller);

    let mut rm = branch.as_("rm01");
    assert!(rm.register_complaint(&walk_in()).is_ok());
    assert!(matches!(
        rm.advance_complaint(&case.receipt_no, Step::Withdrawn, None, None),
        Err(Error::PermissionDenied { .. })
    ));
    drop(rm);

    let mut auditor = branch.as_("auditor01");
    assert!(matches!(
        auditor.register_complaint(&walk_in()),
        Err(Error::PermissionDenied {
            permission: Permission::RegisterComplaint
        })
    ));
    assert!(matches!(
        auditor.advance_complaint(&case.receipt_no, Step::Noted, None, Some("x".into())),
        Err(Error::PermissionDenied { .. })
    ));
    assert_eq!(auditor.list_complaints(None, false).unwrap().len(), 2);
    assert!(matches!(
        auditor.complaint_slip(&case.receipt_no),
        Err(Error::PermissionDenied { .. })
    ));
    assert_eq!(
        auditor
            .open_complaint(&case.receipt_no)
            .unwrap()
            .history
            .len(),
        2
    );
    drop(auditor);

    let admin = branch.store.admin();
    assert!(matches!(
        admin.list_complaints(None, false),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn a_case_runs_from_registration_to_closure_with_every_step_audited_and_sent() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let no = m
        .register_complaint(&received(intake(&branch.client_no), "2025-03-03"))
        .unwrap()
        .receipt_no;
    let steps = [
        ("2025-03-04", accept("rm01")),
        ("2025-03-04", Step::Started),
        (
            "2025-03-05",
            Step::Paused {
                reason: PauseReason::Appraisal,
            },
        ),
        ("2025-03-10", Step::Resumed),
        ("2025-03-11", extend("manager01", true, None)),
        ("2025-03-20", decide()),
        ("2025-03-25", Step::Feedback { satisfied: true }),
        ("2025-03-26", Step::Closed),
    ];
    let mut states = Vec::new();
    for (on, step) in steps {
        let row = m.advance_complaint(&no, step, Some(d(on)), None).unwrap();
        states.push(row.state);
    }
    use State::*;
    assert_eq!(
        states,
        [
            Accepted, InProgress, Waiting, InProgress, InProgress, Decided, Feedback, Closed
        ]
    );
    let detail = m.open_complaint(&no).unwrap();
    assert_eq!(detail.history.len(), 9);
    assert_eq!(detail.row.handler.as_deref(), Some("rm01"));
    assert_eq!(detail.row.extensions, 1);
    assert_eq!(detail.limit_days, 30);
    assert!(!detail.row.overdue);
    assert_eq!(
        detail.row.days_left, None,
        "the clock stopped at the decision"
    );
    assert_eq!(
        m.list_complaints(Some(State::Closed), false).unwrap().len(),
        1
    );
    assert!(
        m.list_complaints(Some(State::Registered), false)
            .unwrap()
            .is_empty()
    );
    drop(m);

    // One outbox entry per row (the case and its nine events), one audit row per step.
    assert_eq!(
        branch.count("SELECT count(*) FROM outbox WHERE tbl = 'complaint_event'"),
        9
    );
    assert_eq!(
        branch.count("SELECT count(*) FROM outbox WHERE tbl = 'complaint'"),
        1
    );
    assert_eq!(
        branch.count("SELECT count(*) FROM audit_log WHERE action = 'complaint.step'"),
        8
    );
    assert_eq!(
        branch.count("SELECT count(*) FROM audit_log WHERE action = 'complaint.register'"),
        1
    );
    // The history cannot be edited, even with the key.
    let raw = branch.raw();
    assert!(
        raw.execute("UPDATE complaint_event SET step = 'close'", [])
            .is_err()
    );
    assert!(raw.execute("DELETE FROM complaint_event", []).is_err());
}

#[test]
fn steps_out_of_order_or_without_approval_are_refused_and_record_nothing() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let no = m
        .register_complaint(&received(walk_in(), "2025-03-03"))
        .unwrap()
        .receipt_no;
    let on = |s: &str| Some(d(s));
    // Out of order.
    assert!(matches!(
        refused(m.advance_complaint(&no, decide(), on("2025-03-05"), None)),
        ComplaintRule::NotNow {
            state: State::Registered,
            step: "decide"
        }
    ));
    assert_eq!(
        refused(m.advance_complaint(&no, Step::Closed, None, None)),
        ComplaintRule::NotNow {
            state: State::Registered,
            step: "close"
        }
    );
    // The handler may not be the staff member complained about, nor an auditor.
    assert_eq!(
        refused(m.advance_complaint(&no, accept("teller01"), on("2025-03-04"), None)),
        ComplaintRule::HandlerIsSubject
    );
    assert_eq!(
        refused(m.advance_complaint(&no, accept("auditor01"), on("2025-03-04"), None)),
        ComplaintRule::HandlerNotStaff
    );
    // A date before receipt.
    assert_eq!(
        refused(m.advance_complaint(&no, accept("rm01"), on("2025-03-01"), None)),
        ComplaintRule::DateBeforePrevious
    );
    m.advance_complaint(&no, accept("rm01"), on("2025-03-04"), None)
        .unwrap();
    // A decision dated before the acceptance, or with nothing decided.
    assert_eq!(
        refused(m.advance_complaint(&no, decide(), on("2025-03-03"), None)),
        ComplaintRule::DateBeforePrevious
    );
    assert_eq!(
        refused(m.advance_complaint(
            &no,
            Step::Decided {
                decision: " ".into()
            },
            on("2025-03-06"),
            None
        )),
        ComplaintRule::DecisionEmpty
    );
    // Extensions: approved by a manager, complainant told, the second by a higher office.
    assert_eq!(
        refused(m.advance_complaint(&no, extend("manager01", false, None), None, None)),
        ComplaintRule::ExtensionNeedsApproval
    );
    assert_eq!(
        refused(m.advance_complaint(&no, extend("rm01", true, None), None, None)),
        ComplaintRule::ExtensionNeedsApproval
    );
    assert_eq!(
        refused(m.advance_complaint(&no, extend("", true, None), None, None)),
        ComplaintRule::ExtensionNeedsApproval
    );
    m.advance_complaint(&no, extend("manager02", true, None), on("2025-03-10"), None)
        .unwrap();
    assert_eq!(
        refused(m.advance_complaint(&no, extend("manager02", true, None), on("2025-03-15"), None)),
        ComplaintRule::ExtensionNeedsHigherOffice
    );
    let second = m
        .advance_complaint(
            &no,
            extend("manager02", true, Some("分行消保部 李主任")),
            on("2025-03-15"),
            None,
        )
        .unwrap();
    assert_eq!(second.extensions, 2);
    assert_eq!(
        refused(m.advance_complaint(
            &no,
            extend("manager02", true, Some("总行")),
            on("2025-03-16"),
            None
        )),
        ComplaintRule::NoMoreExtensions
    );
    // Steps cannot be dated in the future.
    let tomorrow = m.today_local().succ_opt();
    assert_eq!(
        refused(m.advance_complaint(&no, Step::Started, tomorrow, None)),
        ComplaintRule::DateInFuture
    );
    assert!(matches!(
        m.advance_complaint("BJ0101-20250303-999", Step::Started, None, None),
        Err(Error::ComplaintNotFound { .. })
    ));
    let detail = m.open_complaint(&no).unwrap();
    assert_eq!(
        detail.history.len(),
        4,
        "only the accepted steps are recorded"
    );
    // Received 3 March; 60 days → 2 May is in the Labour Day holiday → 6 May.
    assert_eq!(detail.limit_days, 60);
    assert_eq!(detail.row.due_on, Some(d("2025-05-06")));
    drop(m);
    assert_eq!(
        branch.count("SELECT count(*) FROM audit_log WHERE action = 'complaint.step'"),
        3
    );
}

#[test]
fn a_complaint_about_a_manager_is_handled_by_someone_else() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let mut about_manager = walk_in();
    about_manager.subject_staff = "MANAGER01".into();
    let no = teller
        .register_complaint(&about_manager)
        .unwrap()
        .receipt_no;
    drop(teller);
    let mut m1 = branch.as_("manager01");
    assert_eq!(
        refused(m1.advance_complaint(&no, accept("rm01"), None, None)),
        ComplaintRule::ActorIsSubject
    );
    drop(m1);
    let mut m2 = branch.as_("manager02");
    assert_eq!(
        refused(m2.advance_complaint(&no, accept("manager01"), None, None)),
        ComplaintRule::HandlerIsSubject
    );
    assert_eq!(
        m2.advance_complaint(&no, accept("rm01"), None, None)
            .unwrap()
            .state,
        State::Accepted
    );
}

#[test]
fn the_overdue_list_holds_exactly_the_cases_past_their_due_date() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let today = m.today_local();
    let days_ago = |n: i64| (today - chrono::Duration::days(n)).to_string();
    let old = m
        .register_complaint(&received(walk_in(), &days_ago(40)))
        .unwrap()
        .receipt_no;
    let old_withdrawn = m
        .register_complaint(&received(walk_in(), &days_ago(40)))
        .unwrap()
        .receipt_no;
    let old_extended = m
        .register_complaint(&received(walk_in(), &days_ago(20)))
        .unwrap()
        .receipt_no;
    let fresh = m.register_complaint(&walk_in()).unwrap().receipt_no;
    m.advance_complaint(&old_withdrawn, Step::Withdrawn, None, None)
        .unwrap();
    m.advance_complaint(
        &old_extended,
        accept("rm01"),
        Some(today - chrono::Duration::days(19)),
        None,
    )
    .unwrap();
    m.advance_complaint(
        &old_extended,
        extend("manager01", true, None),
        Some(today - chrono::Duration::days(10)),
        None,
    )
    .unwrap();

    let overdue: Vec<String> = m
        .list_complaints(None, true)
        .unwrap()
        .into_iter()
        .map(|r| r.receipt_no)
        .collect();
    assert_eq!(overdue, std::slice::from_ref(&old));
    let all = m.list_complaints(None, false).unwrap();
    assert_eq!(all.len(), 4);
    // Most urgent first: the overdue case, then by due date; stopped cases last.
    assert_eq!(all[0].receipt_no, old);
    assert!(all[0].days_left.is_some_and(|d| d < 0));
    assert_eq!(all[1].receipt_no, old_extended);
    assert_eq!(all[2].receipt_no, fresh);
    assert_eq!(all[3].receipt_no, old_withdrawn);
    assert_eq!(all[3].state, State::Withdrawn);
    assert!(!all[3].overdue && all[3].due_on.is_none());

    let board = m.complaint_board().unwrap();
    assert_eq!(board.overdue, 1);
    let count = |s: State| board.by_state.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(count(State::Registered), 2);
    assert_eq!(count(State::Accepted), 1);
    assert_eq!(count(State::Withdrawn), 1);
    // Ages of the open cases: today, 20 days, 40 days.
    assert_eq!(board.ageing, [1, 0, 0, 1, 1]);
}

#[test]
fn merging_absorbs_a_repeat_into_the_earlier_case_only() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let earlier = m
        .register_complaint(&received(walk_in(), "2025-03-03"))
        .unwrap()
        .receipt_no;
    let repeat = m
        .register_complaint(&received(walk_in(), "2025-03-05"))
        .unwrap()
        .receipt_no;
    let into = |no: &str| Step::Merged { into: no.into() };
    assert_eq!(
        refused(m.advance_complaint(&earlier, into(&repeat), None, None)),
        ComplaintRule::MergeTarget
    );
    assert_eq!(
        refused(m.advance_complaint(&repeat, into(&repeat), None, None)),
        ComplaintRule::MergeTarget
    );
    assert_eq!(
        refused(m.advance_complaint(&repeat, into("BJ0101-20250101-001"), None, None)),
        ComplaintRule::MergeTarget
    );
    let merged = m
        .advance_complaint(&repeat, into(&earlier), None, None)
        .unwrap();
    assert_eq!(merged.state, State::Merged);
    assert!(!merged.overdue);
    // A merged case takes no further steps but notes.
    assert!(matches!(
        refused(m.advance_complaint(&repeat, accept("rm01"), None, None)),
        ComplaintRule::NotNow { .. }
    ));
}

#[test]
fn reopening_on_new_facts_restarts_the_clock() {
    let branch = Branch::new();
    let mut m = branch.as_("manager01");
    let no = m
        .register_complaint(&received(intake(&branch.client_no), "2025-03-03"))
        .unwrap()
        .receipt_no;
    m.advance_complaint(&no, accept("rm01"), Some(d("2025-03-04")), None)
        .unwrap();
    m.advance_complaint(
        &no,
        extend("manager01", true, None),
        Some(d("2025-03-05")),
        None,
    )
    .unwrap();
    m.advance_complaint(&no, decide(), Some(d("2025-03-10")), None)
        .unwrap();
    let reopened = m
        .advance_complaint(
            &no,
            Step::Reopened,
            Some(d("2025-04-01")),
            Some("客户提供了新的扣费凭证".into()),
        )
        .unwrap();
    assert_eq!(reopened.state, State::Accepted);
    assert_eq!(reopened.extensions, 0);
    // 15 days from 1 April: 16 April.
    assert_eq!(reopened.due_on, Some(d("2025-04-16")));
    let history = m.open_complaint(&no).unwrap().history;
    assert_eq!(
        history.last().unwrap().note.as_deref(),
        Some("客户提供了新的扣费凭证")
    );
}

#[test]
fn tellers_see_complainants_masked_and_the_slip_keeps_only_the_name() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    let no = teller.register_complaint(&walk_in()).unwrap().receipt_no;
    let client_case = teller
        .register_complaint(&intake(&branch.client_no))
        .unwrap()
        .receipt_no;
    let detail = teller.open_complaint(&no).unwrap();
    assert_eq!(detail.row.complainant, "张*");
    assert_eq!(detail.complainant_phone.as_deref(), Some("139****1111"));
    let listed = teller.list_complaints(None, false).unwrap();
    assert!(
        listed.iter().all(|r| r.complainant.ends_with('*')),
        "{listed:?}"
    );
    // The complainant comes from the client record when the intake names a client.
    assert_eq!(
        teller.open_complaint(&client_case).unwrap().row.complainant,
        "王*"
    );

    let slip = teller.complaint_slip(&no).unwrap();
    // Logged when handed out, not when read (a refused file is not a printed slip).
    teller.record_slip_printed(&no, None, None).unwrap();
    assert_eq!(slip.complainant_name, "张伟");
    assert_eq!(slip.complainant_phone.as_deref(), Some("139****1111"));
    assert_eq!(slip.branch_code, "BJ0101");
    assert_eq!(slip.due_on, teller.open_complaint(&no).unwrap().row.due_on);
    drop(teller);

    let mut rm = branch.as_("rm01");
    assert_eq!(
        rm.open_complaint(&client_case).unwrap().row.complainant,
        "王芳"
    );
    drop(rm);
    let mut manager = branch.as_("manager01");
    let full = manager.open_complaint(&no).unwrap();
    assert_eq!(full.row.complainant, "张伟");
    assert_eq!(full.complainant_phone.as_deref(), Some("13900001111"));
    drop(manager);
    assert_eq!(
        branch.count("SELECT count(*) FROM audit_log WHERE action = 'complaint.slip'"),
        1
    );
    assert_eq!(
        branch.count("SELECT count(*) FROM audit_log WHERE action = 'complaint.view'"),
        5
    );
}

#[test]
fn the_branch_contact_for_slips_is_set_by_a_manager() {
    let branch = Branch::new();
    let mut teller = branch.as_("teller01");
    assert!(matches!(
        teller.set_branch_contact("010-6655 1234"),
        Err(Error::PermissionDenied { .. })
    ));
    drop(teller);
    let mut m = branch.as_("manager01");
    assert!(matches!(
        m.set_branch_contact("  "),
        Err(Error::BranchRule(_))
    ));
    m.set_branch_contact("010-6655 1234（工作日 9:00–17:00）")
        .unwrap();
    m.set_branch_contact("010-6655 4321").unwrap();
    let no = m.register_complaint(&walk_in()).unwrap().receipt_no;
    assert_eq!(
        m.complaint_slip(&no).unwrap().branch_contact.as_deref(),
        Some("010-6655 4321")
    );
    drop(m);
    // Persisted: a new session reads it.
    let mut teller = branch.as_("teller01");
    assert_eq!(
        teller
            .complaint_slip(&no)
            .unwrap()
            .branch_contact
            .as_deref(),
        Some("010-6655 4321")
    );
}

#[test]
fn every_option_step_and_refusal_has_words_in_both_languages() {
    use branchdesk::domain::complaint::{Category, Channel, STEP_CODES, Severity};
    use branchdesk::i18n::{I18n, Lang};
    for lang in [Lang::En, Lang::Zh] {
        let i18n = I18n::for_lang(lang);
        let mut keys: Vec<String> = Vec::new();
        keys.extend(
            Channel::ALL
                .iter()
                .map(|c| format!("complaint.channel.{}", c.code())),
        );
        keys.extend(
            Category::ALL
                .iter()
                .map(|c| format!("complaint.category.{}", c.code())),
        );
        keys.extend(
            Severity::ALL
                .iter()
                .map(|c| format!("complaint.severity.{}", c.code())),
        );
        keys.extend(
            State::ALL
                .iter()
                .map(|c| format!("complaint.state.{}", c.code())),
        );
        keys.extend(
            PauseReason::ALL
                .iter()
                .map(|c| format!("complaint.pause.{}", c.code())),
        );
        keys.extend(STEP_CODES.iter().map(|c| format!("complaint.step.{c}")));
        keys.push("complaint.step.register".into());
        for key in keys {
            assert_ne!(i18n.t_owned(key.clone()), "?", "{lang:?} lacks {key}");
        }
        let rules = [
            ComplaintRule::HandlerIsSubject,
            ComplaintRule::ExtensionNeedsApproval,
            ComplaintRule::ExtensionNeedsHigherOffice,
            ComplaintRule::NoMoreExtensions,
            ComplaintRule::DateBeforePrevious,
            ComplaintRule::DateInFuture,
            ComplaintRule::DecisionEmpty,
            ComplaintRule::TextEmpty,
            ComplaintRule::MergeTarget,
            ComplaintRule::HandlerNotStaff,
            ComplaintRule::ActorIsSubject,
        ];
        for rule in rules {
            let sentence = Error::ComplaintRefused(rule.clone()).message(i18n);
            assert!(!sentence.starts_with("rule."), "{lang:?} lacks {rule:?}");
        }
    }
}
