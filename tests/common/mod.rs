//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod backend;
pub mod events;
pub mod hq;
pub mod portfolio;
pub mod risk;

use branchdesk::domain::clock::FixedClock;
use branchdesk::store::{KdfParams, NewStore, Session, StoreOptions, StorePaths};
use chrono::{TimeZone, Utc};
use secrecy::SecretString;
use std::sync::Arc;

pub const ADMIN: &str = "admin01";
pub const ADMIN_PASS: &str = "correct horse battery";

pub fn options() -> StoreOptions {
    StoreOptions {
        kdf: KdfParams::FOR_TESTS_ONLY,
        ..StoreOptions::default()
    }
}

pub fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
    ))
}

/// A store for `code` (a branch, or HQ before `become_hq`) with administrator admin01,
/// whose passphrase is [`ADMIN_PASS`], logged in.
pub fn create_store(paths: &StorePaths, code: &str) -> Session {
    Session::create(
        paths,
        NewStore {
            branch_code: code.into(),
            branch_name: format!("{code} 支行"),
            admin_id: ADMIN.into(),
            admin_name: "管理员".into(),
            admin_passphrase: secret(ADMIN_PASS),
            demo: false,
        },
        clock(),
        options(),
    )
    .unwrap()
}

pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub paths: StorePaths,
    pub clock: Arc<FixedClock>,
}

impl TestStore {
    /// A fresh store with one administrator, closed again.
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(dir.path().join("store"));
        let clock = clock();
        let session = Session::create(
            &paths,
            NewStore {
                branch_code: "BJ0101".into(),
                branch_name: "北京西单支行".into(),
                admin_id: ADMIN.into(),
                admin_name: "管理员甲".into(),
                admin_passphrase: secret(ADMIN_PASS),
                demo: false,
            },
            clock.clone(),
            options(),
        )
        .unwrap();
        drop(session);
        TestStore { dir, paths, clock }
    }

    pub fn login(&self, id: &str, pass: &str) -> branchdesk::Result<Session> {
        Session::unlock(
            &self.paths,
            id,
            &secret(pass),
            self.clock.clone(),
            options(),
        )
    }

    pub fn admin(&self) -> Session {
        self.login(ADMIN, ADMIN_PASS).unwrap()
    }

    /// A fresh store with these staff members besides the administrator, each with
    /// `passphrase`.
    pub fn with_staff(
        staff: &[(&str, branchdesk::domain::staff::Role)],
        passphrase: &str,
    ) -> TestStore {
        let store = TestStore::new();
        let mut admin = store.admin();
        for (id, role) in staff {
            admin.add_staff(id, id, *role, &secret(passphrase)).unwrap();
        }
        drop(admin);
        store
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.paths.dir().join(name)).unwrap()
    }
}

// ---- App fixtures (no store, no terminal) ----

use branchdesk::app::{Action, App, Command, Effect};
use branchdesk::domain::staff::Role;
use branchdesk::i18n::{I18n, Lang};
use branchdesk::service::{BranchInfo, Reply, SessionInfo};
use branchdesk::store::StoreProbe;
use branchdesk::tui::keymap::Keymap;
use std::time::{Duration, Instant};

pub fn wall() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-30T09:41:00+08:00").unwrap()
}

pub fn keymap() -> Keymap {
    Keymap::load(&Default::default()).unwrap()
}

pub fn session_info(id: &str, name: &str, role: Role) -> SessionInfo {
    SessionInfo {
        staff_id: id.into(),
        name: name.into(),
        role,
        branch: BranchInfo {
            code: "BJ0101".into(),
            name: "北京西单支行".into(),
            store_id: "01930000-0000-7000-8000-000000000000".into(),
            demo: false,
            contact: None,
        },
        failed_attempts_before: 0,
        previous_login: Some("2026-11-29T09:30:00Z".into()),
        care_due: None,
        risk_overdue: None,
    }
}

/// The requests among an update's effects.
pub fn sent(effects: &[Effect]) -> Vec<&branchdesk::service::Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(request) => Some(request),
            Effect::Quit => None,
        })
        .collect()
}

/// The lookup among an update's effects: its query and generation.
pub fn searched(effects: &[Effect]) -> Option<(String, u64)> {
    sent(effects).into_iter().find_map(|r| match r {
        branchdesk::service::Request::Search {
            query, generation, ..
        } => Some((query.clone(), *generation)),
        _ => None,
    })
}

/// A screen's text as one line, boxes and padding gone: words that wrap onto the next line
/// of a box read on.
pub fn flattened(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ' || c == '"'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An app at the login screen, with a clock the test drives.
pub struct Harness {
    pub app: App,
    pub start: Instant,
    pub elapsed: Duration,
}

impl Harness {
    pub fn new(lang: Lang, probe: StoreProbe) -> Harness {
        let start = Instant::now();
        let app = App::new(
            I18n::for_lang(lang),
            "/srv/branchdesk/store".into(),
            probe,
            Duration::from_secs(300),
            start,
            wall(),
        );
        Harness {
            app,
            start,
            elapsed: Duration::ZERO,
        }
    }

    pub fn logged_in(lang: Lang, info: SessionInfo) -> Harness {
        let mut h = Harness::new(lang, StoreProbe::Present { demo: false });
        h.act(Action::Reply(Reply::LoggedIn(Box::new(info))));
        h
    }

    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        self.app.update(action, self.start + self.elapsed, wall())
    }

    pub fn command(&mut self, command: Command) -> Vec<Effect> {
        self.act(Action::Command(command))
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.act(Action::Char(c));
        }
    }

    pub fn wait(&mut self, by: Duration) -> Vec<Effect> {
        self.elapsed += by;
        self.act(Action::Tick)
    }

    /// The screen as an 80x24 terminal would show it.
    pub fn screen(&self) -> String {
        self.screen_sized(80, 24)
    }

    /// The drawn cells, styles and all.
    pub fn buffer(&self, width: u16, height: u16) -> ratatui::buffer::Buffer {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        let keymap = keymap();
        terminal
            .draw(|frame| branchdesk::tui::frame::render(frame, &self.app, &keymap))
            .unwrap();
        terminal.backend().buffer().clone()
    }

    pub fn screen_sized(&self, width: u16, height: u16) -> String {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        let keymap = keymap();
        terminal
            .draw(|frame| branchdesk::tui::frame::render(frame, &self.app, &keymap))
            .unwrap();
        terminal.backend().to_string()
    }
}

// ---- Client fixtures ----

use branchdesk::domain::client::{
    BirthCalendar, ClientKind, ClientView, StoredClient, Tier, validate,
};
use branchdesk::domain::lookup::{MatchedOn, Rank};
use branchdesk::domain::mask::Visibility;
use branchdesk::service::SearchHit;

pub fn hit(client_no: &str, name: &str, phone: &str, year: i32) -> SearchHit {
    SearchHit {
        client_no: client_no.into(),
        kind: ClientKind::Person,
        name: name.into(),
        phone: Some(phone.into()),
        birth_year: Some(year),
        home_branch: "BJ0101".into(),
        rank: Rank::Exact,
        matched_on: MatchedOn::Name,
        visibility: Visibility::Masked,
    }
}

/// 王芳, as a teller (masked) or a manager (full) sees her.
pub fn wang_fang(visibility: Visibility) -> ClientView {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let input = branchdesk::domain::client::ClientInput {
        name: "王芳".into(),
        id_number: "11010519491231002X".into(),
        id_expiry: "2030-06-30".into(),
        phone: "13812345678".into(),
        email: "wang.fang@example.cn".into(),
        address: "北京市西城区西单北大街120号".into(),
        occupation: "退休教师".into(),
        assigned_rm: "rm01".into(),
        tier: "gold".into(),
        risk_level: "C3".into(),
        tags: "代发工资、理财".into(),
        birth_calendar: "lunar".into(),
        consent_marketing: "yes".into(),
        ..Default::default()
    };
    let record = validate(&input, today).unwrap();
    assert_eq!(record.tier, Tier::Gold);
    assert_eq!(record.kind, ClientKind::Person);
    assert_eq!(record.birth_calendar, BirthCalendar::Lunar);
    StoredClient {
        id: "01930000-0000-7000-8000-000000000001".into(),
        client_no: "BJ0101-0000001".into(),
        home_branch: "BJ0101".into(),
        created_at: "2026-11-01T01:00:00Z".into(),
        updated_at: "2026-11-01T01:00:00Z".into(),
        record,
    }
    .view(visibility)
}

// ---- Complaint fixtures ----

use branchdesk::domain::complaint::{Category, Channel, PauseReason, Severity, State, Step};
use branchdesk::store::{Board, ComplaintDetail, ComplaintRow, HistoryEntry};

pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

pub fn complaint_row(
    no: u32,
    complainant: &str,
    category: Category,
    state: State,
    received: &str,
    days_left: Option<i64>,
    handler: Option<&str>,
) -> ComplaintRow {
    let today = date("2026-11-30");
    let running = days_left.is_some();
    ComplaintRow {
        receipt_no: format!("BJ0101-{}-{no:03}", received.replace('-', "")),
        client_no: None,
        complainant: complainant.into(),
        category,
        severity: Severity::Normal,
        state,
        received_on: date(received),
        due_on: days_left.map(|d| today + chrono::Duration::days(d)),
        days_left,
        overdue: running && days_left.is_some_and(|d| d < 0) && state != State::Waiting,
        handler: handler.map(str::to_string),
        extensions: 0,
    }
}

/// A branch's board: overdue, nearly due, paused, decided and closed cases.
pub fn complaint_board() -> Board {
    use Category::*;
    use State::*;
    let rows = vec![
        complaint_row(
            1,
            "樊*",
            MisSelling,
            InProgress,
            "2026-10-21",
            Some(-25),
            Some("rm01"),
        ),
        complaint_row(1, "孙*", Other, Registered, "2026-11-05", Some(-10), None),
        complaint_row(
            1,
            "张*",
            Loan,
            Accepted,
            "2026-11-17",
            Some(2),
            Some("rm01"),
        ),
        complaint_row(
            1,
            "Daniel J*",
            CardAccount,
            InProgress,
            "2026-11-20",
            Some(7),
            Some("manager01"),
        ),
        complaint_row(
            1,
            "王*",
            WealthProduct,
            Waiting,
            "2026-11-25",
            Some(14),
            Some("manager01"),
        ),
        complaint_row(2, "李*", Fees, Registered, "2026-11-30", Some(15), None),
        complaint_row(
            1,
            "赵*",
            Privacy,
            Decided,
            "2026-10-31",
            None,
            Some("manager01"),
        ),
        complaint_row(
            1,
            "周*",
            ServiceAttitude,
            Closed,
            "2026-10-01",
            None,
            Some("rm01"),
        ),
    ];
    let mut by_state: Vec<(State, u64)> = State::ALL.iter().map(|s| (*s, 0)).collect();
    for row in &rows {
        if let Some(entry) = by_state.iter_mut().find(|(s, _)| *s == row.state) {
            entry.1 += 1;
        }
    }
    Board {
        overdue: rows.iter().filter(|r| r.overdue).count() as u64,
        rows,
        by_state,
        ageing: [1, 1, 2, 0, 2],
        calendar_missing: None,
    }
}

/// One case in full, with a paused and resumed history.
pub fn complaint_detail() -> ComplaintDetail {
    let entry = |on: &str, by: &str, step: Step, note: Option<&str>| HistoryEntry {
        on: date(on),
        at: format!("{on}T02:00:00Z"),
        by: by.into(),
        step,
        note: note.map(str::to_string),
    };
    let mut row = complaint_row(
        1,
        "王芳",
        Category::Fees,
        State::InProgress,
        "2026-11-20",
        Some(2),
        Some("rm01"),
    );
    row.client_no = Some("BJ0101-0000001".into());
    ComplaintDetail {
        row,
        channel: Channel::Counter,
        complainant_phone: Some("13812345678".into()),
        request: "退还重复收取的年费".into(),
        description: "客户称其借记卡本年度被收取两次年费，各 10 元。\n客户出示了手机银行截图。"
            .into(),
        subject_staff: None,
        limit_days: 15,
        visibility: branchdesk::domain::mask::Visibility::Full,
        history: vec![
            entry("2026-11-20", "teller01", Step::Registered, None),
            entry(
                "2026-11-21",
                "manager01",
                Step::Accepted {
                    handler: "rm01".into(),
                },
                None,
            ),
            entry("2026-11-21", "manager01", Step::Started, None),
            entry(
                "2026-11-23",
                "manager01",
                Step::Paused {
                    reason: PauseReason::Information,
                },
                Some("等客户提供扣费短信"),
            ),
            entry("2026-11-25", "manager01", Step::Resumed, None),
        ],
    }
}

// ---- The binary, run as a command ----

/// The passphrase every staff member of a CLI test store has.
pub const CLI_PASS: &str = "a long test passphrase";

/// A store directory in a private home, driven through the `branchdesk` binary.
pub struct CliStore {
    pub home: tempfile::TempDir,
    pub store: std::path::PathBuf,
    /// What [`CliStore::run`] and [`CliStore::refused`] log in with.
    pub pass: &'static str,
}

impl CliStore {
    pub fn empty() -> CliStore {
        let home = tempfile::tempdir().unwrap();
        let store = home.path().join("store");
        CliStore {
            home,
            store,
            pass: CLI_PASS,
        }
    }

    /// A demo store of `clients` clients; its staff share the demo passphrase.
    pub fn demo(clients: u32) -> CliStore {
        let mut s = CliStore::empty();
        s.pass = "branchdesk-demo";
        let count = clients.to_string();
        let out = s.command(
            "manager01",
            s.pass,
            &["demo", "--no-tui", "--clients", &count],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }

    /// A store for branch BJ0101 (西单) with admin01 and the given staff, all with
    /// [`CLI_PASS`].
    pub fn with_staff(staff: &[(&str, &str)]) -> CliStore {
        let s = CliStore::empty();
        let out = s.command(
            "admin01",
            CLI_PASS,
            &[
                "init",
                "--branch",
                "BJ0101",
                "--branch-name",
                "西单",
                "--admin",
                "admin01",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (id, role) in staff {
            s.run(
                "admin01",
                &["user", "add", id, "--name", id, "--role", role],
            );
        }
        s
    }

    pub fn command(&self, user: &str, pass: &str, args: &[&str]) -> std::process::Output {
        self.command_in(user, pass, &[], args)
    }

    /// A command with `env` set on top of the usual (e.g. `TZ`, `LC_ALL`).
    pub fn command_in(
        &self,
        user: &str,
        pass: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_branchdesk"))
            .args(args)
            .arg("--store")
            .arg(&self.store)
            .env("LANG", "en_US.UTF-8")
            .env("LC_ALL", "en_US.UTF-8")
            .env("HOME", self.home.path())
            .env("BRANCHDESK_CONFIG", self.home.path().join("none.toml"))
            .env("BRANCHDESK_USER", user)
            .env("BRANCHDESK_PASSPHRASE", pass)
            .env("BRANCHDESK_NEW_PASSPHRASE", CLI_PASS)
            .env_remove("BRANCHDESK_STORE")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    /// Registers 王芳 (resident ID 11010519491231002X) as `user`, with `extra` arguments.
    pub fn add_wang_fang(&self, user: &str, extra: &[&str]) -> String {
        let mut args = vec![
            "client",
            "add",
            "--name",
            "王芳",
            "--id-number",
            "11010519491231002X",
        ];
        args.extend_from_slice(extra);
        self.run(user, &args)
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn run(&self, user: &str, args: &[&str]) -> String {
        let out = self.command(user, self.pass, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must succeed with `env` set on top of the usual; its output.
    pub fn run_in(&self, user: &str, env: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.command_in(user, self.pass, env, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns its message, which must be one sentence.
    pub fn refused(&self, user: &str, args: &[&str]) -> String {
        let out = self.command(user, self.pass, args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(out.stdout.is_empty());
        let text = String::from_utf8(out.stderr).unwrap();
        assert_eq!(text.trim_end().lines().count(), 1, "{text}");
        text.trim_end().to_string()
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

// ---- Care fixtures ----

use branchdesk::domain::care::{
    EventKind, LunarMonthDay, Reason, Section as CareSection, Standing,
};
use branchdesk::store::{Agenda, CareItem, CareScope};

pub fn care_item(on: &str, client: u32, name: &str, reason: Reason) -> CareItem {
    let today = date("2026-11-30");
    let on = date(on);
    let section = match (on - today).num_days() {
        ..0 => CareSection::Overdue,
        0 => CareSection::Today,
        1..=7 => CareSection::Week,
        _ => CareSection::Month,
    };
    let client_no = format!("BJ0101-{client:07}");
    CareItem {
        id: format!("{}:{client_no}:{on}", reason.code()),
        on,
        first_on: on,
        standing: Standing::Open,
        section,
        client_no: Some(client_no),
        name: Some(name.into()),
        rm: Some("rm01".into()),
        reason,
    }
}

/// rm01's agenda around 30 November 2026: an expired ID, today's lunar birthday, a
/// milestone, a wedding anniversary, a festival.
pub fn care_agenda() -> Agenda {
    let birthday = |age, lunar: Option<(u8, bool, u8)>| Reason::Birthday {
        age,
        lunar: lunar.map(|(month, leap, day)| LunarMonthDay { month, leap, day }),
        milestone: age % 10 == 0 && age >= 60,
    };
    let mut festival = care_item(
        "2026-12-20",
        0,
        "",
        Reason::Festival {
            code: "spring_festival".into(),
            lunar: Some(LunarMonthDay {
                month: 1,
                leap: false,
                day: 1,
            }),
            clients: 1_234,
        },
    );
    festival.client_no = None;
    festival.name = None;
    festival.id = "festival:spring_festival:2026-12-20".into();
    let mut items = vec![
        care_item(
            "2026-11-18",
            12,
            "王一颖",
            Reason::IdExpiry {
                expires_on: date("2026-11-18"),
            },
        ),
        care_item("2026-11-28", 7, "张伟", birthday(47, None)),
        care_item("2026-11-30", 3, "李娜", birthday(56, Some((10, false, 11)))),
        care_item("2026-12-03", 5, "Daniel Jackson", birthday(60, None)),
        care_item(
            "2026-12-05",
            9,
            "周婷",
            Reason::Event {
                kind: EventKind::Marriage,
                label: None,
                years: Some(10),
            },
        ),
        care_item(
            "2026-12-15",
            21,
            "欧阳娜娜",
            birthday(33, Some((4, true, 8))),
        ),
        festival,
    ];
    items[1].standing = Standing::Snoozed;
    Agenda {
        from: date("2026-10-31"),
        to: date("2026-12-30"),
        today: date("2026-11-30"),
        scope: CareScope::Mine,
        items,
    }
}

// ---- Survey fixtures ----

use branchdesk::domain::survey::{self, GroupBy, ResponseFacts, Template};
use branchdesk::store::{SurveyStats, TemplateSet};

/// The shipped templates, as the store hands them to the screen.
pub fn survey_templates() -> TemplateSet {
    TemplateSet {
        templates: branchdesk::assets::SURVEY_TEMPLATES
            .iter()
            .map(|(_, text)| {
                let mut template = survey::parse_template(text).unwrap();
                // The store numbers versions; the first one it keeps is 1.
                template.version = 1;
                template
            })
            .collect(),
        skipped: Vec::new(),
    }
}

pub fn survey_template(code: &str) -> Template {
    survey_templates()
        .templates
        .into_iter()
        .find(|t| t.code == code)
        .unwrap()
}

/// The first `count` demo counter surveys, checked as the store checks them.
pub fn survey_responses(count: u64) -> Vec<ResponseFacts> {
    let template = survey_template("counter_visit");
    branchdesk::demo::surveys::demo_surveys(date("2026-11-30"), 100, count)
        .into_iter()
        .filter(|r| r.template == "counter_visit")
        .map(|r| ResponseFacts {
            answered_on: r.answered_on,
            staff: r.by.to_string(),
            channel: r.channel.to_string(),
            answers: survey::check_answers(&template, &r.answers).unwrap(),
        })
        .collect()
}

/// A year of counter surveys, as the statistics view receives them.
pub fn survey_stats(count: u64, by: GroupBy) -> SurveyStats {
    let template = survey_template("counter_visit");
    let stats = survey::compute(&template, &survey_responses(count), by);
    SurveyStats {
        template,
        from: date("2025-12-01"),
        to: date("2026-11-30"),
        stats,
    }
}

// ---- Sync fixtures ----

use branchdesk::service::SyncView;
use branchdesk::store::{
    BranchState, ExportReport, Gap, HqStatus, LastExport, SyncStatus, SyncWarning,
};
use branchdesk::sync::keys::Party;

pub fn sync_view(warnings: Vec<SyncWarning>) -> SyncView {
    SyncView {
        status: SyncStatus {
            party: Party::Branch,
            code: "BJ0101".into(),
            key_id: Some("0E937EF5FD373256".into()),
            hq: Some("HQ (759769E86C943ABB)".into()),
            pending_ops: 1_284,
            outbox_bytes: 412_000,
            last_seq: 5_302,
            acked_seq: 4_018,
            last_export: Some(LastExport {
                to_seq: 4_018,
                at: "2026-11-20T08:15:00Z".into(),
                file: "BJ0101-3001-4018.bdx".into(),
            }),
            ref_version: 7,
            warnings,
        },
        hq: None,
        exports_dir: "/srv/branchdesk/store/exports".into(),
    }
}

pub fn export_report() -> ExportReport {
    ExportReport {
        file: Some("/media/usb/BJ0101-4019-5302.bdx".into()),
        signature: Some("/media/usb/BJ0101-4019-5302.bdx.minisig".into()),
        from_seq: 4_019,
        to_seq: 5_302,
        changes: 1_284,
        ops: 2_721,
        raw_bytes: 812_000,
        bundle_bytes: 96_000,
    }
}

pub fn hq_view() -> SyncView {
    let mut view = sync_view(Vec::new());
    view.status.party = Party::Hq;
    view.status.code = "HQ".into();
    view.hq = Some(HqStatus {
        branches: vec![
            BranchState {
                code: "BJ0101".into(),
                name: "北京西单支行".into(),
                key_id: "0E937EF5FD373256".into(),
                high_water: 5_302,
                last_import: Some("2026-11-30T01:30:00Z".into()),
                quarantined: Vec::new(),
            },
            BranchState {
                code: "SH0202".into(),
                name: "上海陆家嘴支行".into(),
                key_id: "1A2B3C4D5E6F7081".into(),
                high_water: 880,
                last_import: Some("2026-11-28T06:00:00Z".into()),
                quarantined: vec![Gap {
                    file: "/srv/hq/quarantine/ab12.bdx".into(),
                    missing_from: 881,
                    missing_to: 1_204,
                    reason: "gap".into(),
                }],
            },
        ],
        rows: 1_250_000,
        review: 3,
    });
    view
}
