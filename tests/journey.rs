//! End-to-end journeys: the real binary in a pseudo-terminal, driven by keys, read back
//! through a terminal emulator. Each step waits until the screen shows what it should and
//! has stopped changing (two identical frames), up to BRANCHDESK_PTY_TIMEOUT seconds.

mod common;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const F1: &str = "\x1bOP";
const F2: &str = "\x1bOQ";
const CTRL_T: &str = "\x14";
const F4: &str = "\x1bOS";
const F5: &str = "\x1b[15~";
const F6: &str = "\x1b[17~";
const CTRL_E: &str = "\x05";
const CTRL_U: &str = "\x15";
const F7: &str = "\x1b[18~";
const F10: &str = "\x1b[21~";
const CTRL_L: &str = "\x0c";
const CTRL_S: &str = "\x13";
const TAB: &str = "\t";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const F11: &str = "\x1b[23~";
const CTRL_P: &str = "\x10";
const RIGHT: &str = "\x1b[C";
const F12: &str = "\x1b[24~";
const CTRL_D: &str = "\x04";

/// Journeys spawn real processes; one at a time keeps two cores from thrashing.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn timeout() -> Duration {
    let secs = std::env::var("BRANCHDESK_PTY_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

struct Terminal {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Terminal {
    fn start(home: &Path, lang: &str, args: &[&str]) -> Terminal {
        Terminal::start_with(home, lang, args, &[])
    }

    /// [`Terminal::start`] with more of the environment set.
    fn start_with(home: &Path, lang: &str, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_branchdesk"));
        command.args(args);
        command.env("LANG", lang);
        command.env("LC_ALL", lang);
        command.env("TERM", "xterm-256color");
        command.env("HOME", home);
        command.env("XDG_DATA_HOME", home.join("data"));
        command.env("BRANCHDESK_CONFIG", home.join("no-config.toml"));
        command.env_remove("BRANCHDESK_STORE");
        command.env_remove("BRANCHDESK_HQ_DATABASE");
        for (name, value) in env {
            command.env(name, value);
        }
        command.cwd(home);
        let child = pty.slave.spawn_command(command).expect("branchdesk starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(24).unwrap(),
            std::num::NonZeroU16::new(80).unwrap(),
            0,
        )));
        // Read on a thread: a full pty buffer would otherwise block the child.
        let feed = screen.clone();
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        Terminal {
            screen,
            writer,
            child,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen contains `needle` and two frames in a row are identical.
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + timeout();
        let mut previous = String::new();
        loop {
            let now = self.contents();
            if now.contains(needle) && now == previous {
                return now;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needle:?}; the screen shows:\n{now}");
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("branchdesk exited ({status:?}) while waiting for {needle:?}:\n{now}");
            }
            previous = now;
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends one key and waits for `needle`: keys sent together could run into one escape
    /// sequence (Esc then F10 reads as Alt-F10).
    fn key_then(&mut self, key: &str, needle: &str) -> String {
        self.keys(key);
        self.wait_for(needle)
    }

    /// Waits for the exit and checks it was clean; otherwise shows what the terminal last
    /// held (a refusal is written there once the screen is restored).
    fn exits_cleanly(&mut self) {
        let code = self.exit_code();
        assert_eq!(
            code,
            0,
            "exit code {code}; the terminal:\n{}",
            self.contents()
        );
    }

    fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + timeout();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("branchdesk did not exit:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(60));
        }
    }
}

#[test]
fn a_teller_logs_in_locks_unlocks_and_quits() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("demo-store");
    let store_arg = store.to_str().unwrap();
    let mut term = Terminal::start(home.path(), "en_US.UTF-8", &["demo", "--store", store_arg]);

    let login = term.wait_for("Log in");
    assert!(
        login.contains("branchdesk-demo"),
        "the demo login shows the passphrase:\n{login}"
    );
    term.keys("teller01");
    term.key_then(TAB, "teller01");
    term.keys("branchdesk-demo");
    let main = term.key_then(ENTER, "Welcome, 王芳 (teller01)");
    assert!(main.contains("Teller"));
    assert!(
        !main.contains("F7 Staff"),
        "a teller has no staff screen:\n{main}"
    );

    let help = term.key_then(F1, "Keys (F1)");
    assert!(help.contains("Ctrl-L"));
    term.key_then(ESC, "Welcome");

    let locked = term.key_then(CTRL_L, "Screen locked");
    assert!(
        !locked.contains("Welcome"),
        "nothing shows under the lock:\n{locked}"
    );
    term.keys("not my passphrase");
    term.key_then(ENTER, "The staff ID or passphrase is wrong");
    // The growing delay after a failure is handled by the worker; the screen stays live.
    term.keys("branchdesk-demo");
    term.key_then(ENTER, "Welcome, 王芳");

    term.key_then(F10, "Log out and quit branchdesk?");
    term.keys(ENTER);
    term.exits_cleanly();

    // The store recorded the whole journey.
    let session = branchdesk::store::Session::unlock(
        &branchdesk::store::StorePaths::new(&store),
        "auditor01",
        &common::secret("branchdesk-demo"),
        std::sync::Arc::new(branchdesk::domain::clock::SystemClock),
        branchdesk::store::StoreOptions::default(),
    )
    .unwrap();
    let actions: Vec<String> = session
        .list_audit(None, 20)
        .unwrap()
        .into_iter()
        .filter(|r| r.actor == "teller01")
        .map(|r| r.action)
        .rev()
        .collect();
    // The demo store was filled in the staff's names first; the journey starts at its login.
    let journey_start = actions.iter().rposition(|a| a == "session.login").unwrap();
    assert_eq!(
        actions[journey_start..],
        [
            "session.login",
            "session.lock",
            "session.unlock_failed",
            "session.unlock",
            "session.logout"
        ]
    );
}

#[test]
fn first_run_sets_up_a_store_in_chinese() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("branch-store");
    let mut term = Terminal::start(
        home.path(),
        "zh_CN.UTF-8",
        &["--store", store.to_str().unwrap()],
    );
    term.wait_for("初始化本终端");
    for (text, shows) in [
        ("BJ0101", "BJ0101"),
        ("北京西单支行", "北京西单支行"),
        ("admin01", "admin01"),
        ("陈静", "陈静"),
        ("一个足够长而且安全的口令", "************"),
    ] {
        term.keys(text);
        term.key_then(TAB, shows);
    }
    term.keys("一个足够长而且安全的口令");
    let main = term.key_then(CTRL_S, "欢迎，陈静（admin01）");
    assert!(main.contains("F7 员工"), "{main}");
    let staff = term.key_then(F7, "员工 (1)");
    assert!(staff.contains("系统管理员"), "{staff}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
    assert!(store.join("branchdesk.db").exists() && store.join("keyslots.json").exists());
}

/// A demo store of 300 clients, in Chinese, with teller01 logged in.
fn demo_as_teller(home: &Path) -> Terminal {
    demo_as(home, "teller01")
}

/// A demo store of 300 clients, in Chinese, with `staff` logged in.
fn demo_as(home: &Path, staff: &str) -> Terminal {
    demo_as_with(home, staff, &[])
}

/// [`demo_as`] with more of the environment set (the demo HQ's database).
fn demo_as_with(home: &Path, staff: &str, env: &[(&str, &str)]) -> Terminal {
    let store = home.join("demo-store");
    let mut term = Terminal::start_with(
        home,
        "zh_CN.UTF-8",
        &[
            "demo",
            "--clients",
            "300",
            "--store",
            store.to_str().unwrap(),
        ],
        env,
    );
    term.wait_for("登录");
    term.keys(staff);
    term.key_then(TAB, staff);
    term.keys("branchdesk-demo");
    term.key_then(ENTER, "欢迎");
    term
}

#[test]
fn a_teller_types_a_name_and_opens_the_client() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as_teller(home.path());
    term.key_then(F2, "查找");
    // Type-ahead: the list follows the keystroke.
    let list = term.key_then("王", "位客户");
    assert!(list.contains("王*"), "tellers see masked names:\n{list}");
    assert!(list.contains("****"), "and masked phones:\n{list}");
    let record = term.key_then(ENTER, "已遮盖");
    assert!(
        record.contains("证件类型") && record.contains("***********"),
        "{record}"
    );
    term.key_then(ESC, "位客户");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

#[test]
fn a_teller_registers_a_complaint_from_a_clients_record_and_finds_it_on_the_board() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as_teller(home.path());
    term.key_then(F2, "查找");
    term.key_then("王", "位客户");
    let record = term.key_then(ENTER, "已遮盖");
    let client_no = record
        .split_whitespace()
        .find(|w| w.starts_with("DEMO01-"))
        .expect("the client's number is in the title")
        .to_string();
    // Ctrl-T: a complaint by this client; the form opens at the category.
    let form = term.key_then(CTRL_T, "登记投诉");
    assert!(form.contains(&client_no), "{form}");
    term.key_then("\x1b[C", "服务态度");
    term.keys(TAB);
    term.keys(TAB);
    term.keys("要求道歉");
    term.key_then(TAB, "要求道歉");
    term.keys("排队时工作人员态度生硬。");
    term.key_then(ENTER, "态度生硬");
    term.keys("客户要求当面道歉。");
    term.wait_for("当面道歉");
    let case = term.key_then(CTRL_S, "已登记投诉");
    let receipt_no = case
        .split_whitespace()
        .find(|w| w.starts_with("DEMO01-") && w.len() == 19)
        .expect("a receipt number on screen")
        .to_string();
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    assert!(receipt_no.contains(&today), "{receipt_no}");
    assert!(case.contains("排队时工作人员态度生硬。") && case.contains("客户要求当面道歉。"));
    // Back to the board: the new case is there, selected, registered and 15 days to go.
    let board = term.key_then(ESC, "各状态件数");
    let line = board
        .lines()
        .find(|l| l.contains(&receipt_no))
        .unwrap_or_else(|| panic!("{receipt_no} not on the board:\n{board}"));
    assert!(
        line.contains("服务态度") && line.contains("已登记"),
        "{line}"
    );
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

#[test]
fn an_rm_marks_a_reminder_done_and_finds_it_in_the_clients_contact_log() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as(home.path(), "rm01");
    let agenda = term.key_then(F4, "我的客户");
    // The selected row: its client number.
    let row = agenda
        .lines()
        .find(|l| l.contains('>') && l.contains("DEMO01-"))
        .unwrap_or_else(|| panic!("no reminder selected:\n{agenda}"))
        .to_string();
    let client_no = row
        .split_whitespace()
        .find(|w| w.starts_with("DEMO01-"))
        .unwrap()
        .to_string();
    term.key_then(ENTER, "操作");
    term.key_then(ENTER, "渠道");
    term.keys(TAB);
    term.keys(CTRL_U);
    term.keys("电话问候，客户很高兴");
    term.wait_for("客户很高兴");
    let done = term.key_then(CTRL_S, "已记入客户联系记录");
    assert!(!done.contains("处理提醒"), "the prompt closed:\n{done}");
    // The client's record shows it in the contact log.
    term.key_then(F2, "查找");
    term.keys(&client_no);
    term.wait_for("位客户");
    let record = term.key_then(ENTER, "联系记录");
    assert!(record.contains("电话问候，客户很高兴"), "{record}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

#[test]
fn an_rm_records_an_accepted_offer_from_the_book() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as(home.path(), "rm01");
    term.key_then(F11, "rm01 的客户");
    // Left to right: 全部, 本月升级, 本月降级, 资产下降, 测评将到期, 即将到期, 推荐机会.
    for _ in 0..5 {
        term.keys(RIGHT);
    }
    let offers = term.key_then(RIGHT, "推荐机会：显示");
    assert!(
        offers.contains("推荐 "),
        "the best offer is named:\n{offers}"
    );
    term.key_then(ENTER, "联系记录");
    let page = term.key_then(CTRL_P, "持仓（截至");
    let product = page
        .lines()
        .find(|l| l.contains('>') && l.contains('-'))
        .and_then(|l| {
            l.split_whitespace()
                .find(|w| w.contains('-') && w.len() > 4)
        })
        .unwrap_or_else(|| panic!("no offer selected:\n{page}"))
        .to_string();
    term.key_then(ENTER, "客户对推荐的答复");
    term.keys(RIGHT);
    term.wait_for("已接受");
    term.keys(ENTER);
    let done = term.key_then(ENTER, "已记入联系记录");
    assert!(done.contains(&product), "{product} recorded:\n{done}");
    // Back on the record, the contact log has it.
    let record = term.key_then(ESC, "联系记录");
    assert!(record.contains(&format!("offer {product}")), "{record}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

#[test]
fn a_manager_reviews_an_overdue_high_risk_client() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as(home.path(), "manager01");
    let desk = term.key_then(F12, "逾期：显示");
    assert!(
        desk.contains("风险逾期"),
        "the header counts what is overdue:\n{desk}"
    );
    // Left to right: 逾期, 近期到期, 未评级, 提前复评, 业务受限, 高风险.
    for _ in 0..4 {
        term.keys(RIGHT);
    }
    let high = term.key_then(RIGHT, "高风险：显示");
    // The list runs by due day: the overdue review first, selected.
    let first = high
        .lines()
        .find(|l| l.contains('>') && l.contains("高风险"))
        .unwrap_or_else(|| panic!("no client selected:\n{high}"))
        .to_string();
    assert!(first.contains("已过"), "the first is overdue:\n{high}");
    let form = term.key_then(ENTER, "复评");
    assert!(form.contains("计算结果"), "the factors are shown:\n{form}");
    assert!(form.contains("< 维持 >"), "{form}");
    term.keys(TAB);
    term.keys(TAB);
    term.keys("核实身份与资金来源无变化");
    let done = term.key_then(CTRL_S, "已复评");
    assert!(done.contains("高风险；下次到期"), "{done}");
    // Reviewed, the client is no longer overdue: half a year on.
    let name = first
        .split('>')
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no name in {first}"))
        .to_string();
    let line = done
        .lines()
        .find(|l| l.contains(&name) && l.contains("高风险"))
        .unwrap_or_else(|| panic!("{name} gone from the list:\n{done}"))
        .to_string();
    assert!(line.contains("还有"), "{line}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

/// The "答卷 N 份   NPS +x   CSAT y%" line of the survey statistics.
fn survey_figures(screen: &str) -> (u64, String, String) {
    let line = screen
        .lines()
        .find(|l| l.contains("答卷") && l.contains("NPS"))
        .unwrap_or_else(|| panic!("no figures on screen:\n{screen}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |word: &str| {
        let at = words.iter().position(|w| *w == word).unwrap();
        words[at + 1].to_string()
    };
    let count = after("答卷").parse().unwrap();
    (count, after("NPS"), after("CSAT"))
}

#[test]
fn a_manager_keys_in_counter_surveys_and_sees_the_statistics_change() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as(home.path(), "manager01");
    term.key_then(F5, "问卷录入");
    let before = survey_figures(&term.key_then(F5, "问卷结果"));
    term.key_then(F5, "问卷录入");

    // Every key sent for the answers is counted.
    let mut keystrokes = 0;
    let mut key = |term: &mut Terminal, keys: &str, needle: &str| {
        keystrokes += keys.chars().count();
        term.keys(keys);
        term.wait_for(needle)
    };
    // A promoter: 9, very satisfied, under 10 minutes, greeted, wants nothing improved.
    key(&mut term, "9", ">2. 您对今天");
    key(&mut term, "5", ">3. 您今天等候");
    key(&mut term, "1", ">4. 柜员是否");
    key(&mut term, "y", ">5. 您希望");
    let saved = key(&mut term, CTRL_S, "已录 1 份");
    assert!(saved.contains("已记录答卷"), "{saved}");
    // A detractor, who is asked why and says it.
    key(&mut term, "3", ">2. 请告诉我们哪里做得不够好");
    key(&mut term, "窗口太少", "窗口太少");
    key(&mut term, TAB, ">3. 您对今天");
    key(&mut term, "2", ">4. 您今天等候");
    key(&mut term, "3", ">5. 柜员是否");
    key(&mut term, "n", ">6. 您希望");
    key(&mut term, "1", ">6. 您希望");
    key(&mut term, "4", "办理速度、网点环境");
    key(&mut term, CTRL_S, "已录 2 份");
    // Five questions, then six: the keys per question asked.
    let per_question = keystrokes as f64 / 11.0;
    assert!(per_question < 15.0, "{keystrokes} keys for 11 questions");

    let after = survey_figures(&term.key_then(F5, "问卷结果"));
    assert_eq!(after.0, before.0 + 2, "{before:?} → {after:?}");
    assert_ne!(after.1, before.1, "NPS moved: {before:?} → {after:?}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();

    // The screen and `survey stats --json` say the same.
    let pass = home.path().join("pass");
    std::fs::write(&pass, "branchdesk-demo").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args(["--store", home.path().join("demo-store").to_str().unwrap()])
        .args([
            "--user",
            "manager01",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ])
        .args(["survey", "stats", "--template", "counter_visit", "--json"])
        .env("BRANCHDESK_CONFIG", home.path().join("no-config.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stats = common::json(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(stats["responses"], after.0);
    assert_eq!(
        format!("{:+.1}", stats["nps"]["nps"].as_f64().unwrap()),
        after.1
    );
    assert_eq!(
        format!("{:.1}%", stats["csat"]["csat"].as_f64().unwrap()),
        after.2
    );
}

#[test]
fn a_manager_exports_for_hq_from_f6_and_hq_imports_the_bundle() {
    exports_for_hq_and_hq_imports(&[]);
}

/// The same, the demo HQ consolidating into PostgreSQL (`BRANCHDESK_HQ_DATABASE`).
#[test]
fn a_manager_exports_for_hq_and_hq_on_postgres_imports_the_bundle() {
    if let Some(common::backend::Backend::Postgres(db)) = common::backend::Backend::postgres() {
        exports_for_hq_and_hq_imports(&[("BRANCHDESK_HQ_DATABASE", &db.url)]);
        let consolidated: i64 = db
            .client()
            .query_one("SELECT count(*) FROM hq_complaint", &[])
            .unwrap()
            .get(0);
        assert!(
            consolidated > 0,
            "the demo HQ's complaints are in PostgreSQL"
        );
    }
}

fn exports_for_hq_and_hq_imports(env: &[(&str, &str)]) {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as_with(home.path(), "manager01", env);
    let status = term.key_then(F6, "待送总行");
    assert!(
        status.contains("总行 HQ"),
        "the demo store trusts the demo HQ:\n{status}"
    );
    let prompt = term.key_then(CTRL_E, "文件夹（U盘）");
    assert!(prompt.contains("exports"), "{prompt}");
    let done = term.key_then(ENTER, "导出完成");
    assert!(done.contains("█"), "the progress bar, full:\n{done}");
    assert!(done.contains("已写出"), "{done}");
    // The file named on screen is the one in the exports folder.
    let exports = home.path().join("demo-store").join("exports");
    let bundle = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bdx"))
        .expect("a bundle in the exports folder");
    let name = bundle.file_name().unwrap().to_string_lossy().to_string();
    assert!(done.contains(&name[..12]), "{name} on screen:\n{done}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();

    // The demo HQ imports it.
    let pass = home.path().join("pass");
    std::fs::write(&pass, "branchdesk-demo").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args([
            "--store",
            home.path().join("demo-store-hq").to_str().unwrap(),
        ])
        .args([
            "--user",
            "admin01",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ])
        .args(["--lang", "en", "hq", "import", bundle.to_str().unwrap()])
        .env("BRANCHDESK_CONFIG", home.path().join("no-config.toml"))
        .env_remove("BRANCHDESK_HQ_DATABASE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(text.contains("imported branch DEMO01 seq 1–"), "{text}");

    // On HQ's workstation the branch's complaints and surveys are in its reports.
    let hq_store = home.path().join("demo-store-hq");
    let mut hq = Terminal::start_with(
        home.path(),
        "en_US.UTF-8",
        &["--store", hq_store.to_str().unwrap()],
        env,
    );
    hq.wait_for("Log in");
    hq.keys("admin01");
    hq.key_then(TAB, "admin01");
    hq.keys("branchdesk-demo");
    hq.key_then(ENTER, "Welcome");
    hq.key_then(F6, "DEMO01");
    let complaints = hq.key_then(RIGHT, "overdue as of");
    assert!(
        complaints.contains("DEMO01") && complaints.contains("cases,"),
        "{complaints}"
    );
    let satisfaction = hq.key_then(RIGHT, "Answered");
    assert!(
        satisfaction.contains("NPS") && satisfaction.contains("responses;"),
        "{satisfaction}"
    );
    hq.key_then(F10, "Log out and quit");
    hq.keys(ENTER);
    hq.exits_cleanly();
}

#[test]
fn a_teller_redeems_points_from_a_clients_record_and_the_slip_is_written() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as_teller(home.path());
    term.key_then(F2, "查找");
    term.keys("DEMO01-000001");
    term.key_then("0", "共 1 位客户");
    term.key_then(ENTER, "积分 4400");
    let page = term.key_then(CTRL_D, "兑换目录");
    assert!(page.contains("积分余额 4400"), "{page}");
    // The first item, a fee waiver of 2,000 points: asked, then done.
    let asked = term.key_then(ENTER, "请确认");
    assert!(asked.contains("2000") && asked.contains("2400"), "{asked}");
    let done = term.key_then(ENTER, "已兑换");
    assert!(done.contains("积分余额 2400"), "{done}");
    let slips = home.path().join("demo-store").join("slips");
    let written = std::fs::read_dir(&slips)
        .map(|d| d.count())
        .unwrap_or_default();
    assert_eq!(written, 1, "one slip in {}", slips.display());
    // Back on the record, its points line is read again.
    term.key_then(CTRL_D, "积分 2400");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}

#[test]
fn an_rm_works_through_an_events_invitation_list() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let mut term = demo_as(home.path(), "rm01");
    term.key_then(F4, "关怀");
    let events = term.key_then(F4, "近期活动");
    assert!(events.contains("新春财富沙龙"), "{events}");
    let page = term.key_then(ENTER, "已邀请");
    assert!(page.contains("参加 6/30"), "{page}");
    term.key_then(ENTER, "登记邀请答复");
    term.keys(TAB);
    let after = term.key_then(ENTER, "已登记");
    assert!(after.contains("参加 7/30"), "{after}");
    term.key_then(F10, "退出登录并关闭");
    term.keys(ENTER);
    term.exits_cleanly();
}
