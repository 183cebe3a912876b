//! The demo store: five staff members sharing a public passphrase, synthetic clients, a
//! month of complaints, a year of surveys, life events, a year of holdings, and a demo HQ
//! with keys exchanged.
//! Built on the store like any branch's data; used by `branchdesk demo` and the benchmarks.

pub mod complaints;
pub mod holdings;
pub mod surveys;
pub mod synthetic;

use crate::domain::clock::Clock;
use crate::domain::complaint::Step;
use crate::domain::staff::Role;
use crate::error::{Error, Result};
use crate::i18n::{I18n, Lang};
use crate::store::{NewStore, Session, StoreOptions, StorePaths, client_no_for};
use complaints::demo_complaints;
use secrecy::SecretString;
use std::sync::Arc;
use synthetic::Generator;

pub use crate::domain::staff::DEMO_PASSPHRASE;

/// Clients in a new demo store unless `--clients` says otherwise.
pub const DEFAULT_CLIENTS: u64 = 2_000;

/// The seed of the demo data: the same store every time.
pub(crate) const SEED: u64 = 20_261_130;

/// Demo staff: ID, role, name (zh), name (en).
pub const DEMO_STAFF: [(&str, Role, &str, &str); 5] = [
    ("admin01", Role::Admin, "陈静", "Chen Jing"),
    ("teller01", Role::Teller, "王芳", "Wang Fang"),
    ("rm01", Role::Rm, "李娜", "Li Na"),
    ("manager01", Role::Manager, "张伟", "Zhang Wei"),
    ("auditor01", Role::Auditor, "刘洋", "Liu Yang"),
];

/// Creates the demo store at `paths` with `clients` synthetic clients, unless a store is
/// already there; true when it was created. `lang` is the language of its branch, staff
/// and complaint texts (Chinese unless asked: these are Chinese branches, whatever the UI). `progress` hears (clients loaded, clients to load).
/// The demo HQ consolidates into `hq_database` (PostgreSQL) when one is configured, else
/// into its own store.
pub fn ensure_demo_store(
    paths: &StorePaths,
    lang: Lang,
    clock: Arc<dyn Clock>,
    clients: u64,
    hq_database: Option<&str>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<bool> {
    if paths.exists() {
        return Ok(false);
    }
    let name = |(_, _, zh, en): (&str, Role, &'static str, &'static str)| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let passphrase = || SecretString::from(DEMO_PASSPHRASE.to_string());
    let (admin_id, ..) = DEMO_STAFF[0];
    let mut session = Session::create(
        paths,
        NewStore {
            branch_code: "DEMO01".into(),
            branch_name: I18n::for_lang(lang).t("demo.branch_name").to_string(),
            admin_id: admin_id.into(),
            admin_name: name(DEMO_STAFF[0]).into(),
            admin_passphrase: passphrase(),
            demo: true,
        },
        clock.clone(),
        StoreOptions::default(),
    )?;
    for staff in &DEMO_STAFF[1..] {
        session.add_staff(staff.0, name(*staff), staff.1, &passphrase())?;
    }
    drop(session);
    let login = |id: &str| {
        Session::unlock(
            paths,
            id,
            &passphrase(),
            clock.clone(),
            StoreOptions::default(),
        )
    };
    if clients > 0 {
        // Client lists are loaded by the branch manager, as in a real branch.
        generate_clients(&mut login("manager01")?, clients, progress)?;
    }
    if clients > 0 {
        add_life_events(&mut login("manager01")?, clients)?;
        add_assessments(&mut login("manager01")?, clients)?;
        add_holdings(&mut login("manager01")?, clients)?;
        add_risk(&mut login("manager01")?)?;
        add_points(&mut login("manager01")?, clients)?;
        add_events(&mut login("rm01")?, lang)?;
    }
    // After the ratings: a complaint asks for an early review of its client's.
    add_complaints(login, lang, clients)?;
    for staff in ["teller01", "manager01"] {
        add_surveys(&mut login(staff)?, clients)?;
    }
    link_demo_hq(
        paths,
        lang,
        clock.clone(),
        hq_database,
        &mut login(admin_id)?,
    )?;
    Ok(true)
}

/// The demo HQ's store: beside the demo store (`demo-hq`), same staff passphrase, keys
/// exchanged both ways, so F6 can export and HQ can import at once.
pub fn demo_hq_paths(paths: &StorePaths) -> StorePaths {
    let mut name = paths.dir().file_name().unwrap_or_default().to_os_string();
    name.push("-hq");
    StorePaths::new(paths.dir().with_file_name(name))
}

fn link_demo_hq(
    paths: &StorePaths,
    lang: Lang,
    clock: Arc<dyn Clock>,
    hq_database: Option<&str>,
    branch_admin: &mut Session,
) -> Result<()> {
    let hq_paths = demo_hq_paths(paths);
    if hq_paths.exists() {
        return Ok(());
    }
    let (admin_id, ..) = DEMO_STAFF[0];
    let mut hq = Session::create(
        &hq_paths,
        NewStore {
            branch_code: "HQ".into(),
            branch_name: I18n::for_lang(lang).t("demo.hq_name").to_string(),
            admin_id: admin_id.into(),
            admin_name: admin_id.into(),
            admin_passphrase: SecretString::from(DEMO_PASSPHRASE.to_string()),
            demo: true,
        },
        clock,
        StoreOptions::default(),
    )?;
    let hq_keys = hq.become_hq(hq_database)?;
    let hq_file = hq_paths.dir().join("hq-keys.toml");
    crate::store::write_public_file(&hq_file, hq_keys.to_toml().as_bytes())?;
    branch_admin.trust_hq(&hq_file, None)?;
    let branch_keys = branch_admin.sync_keys()?;
    let branch_file = hq_paths
        .dir()
        .join(format!("{}-keys.toml", branch_keys.code));
    crate::store::write_public_file(&branch_file, branch_keys.to_toml().as_bytes())?;
    hq.trust_branch(&branch_file)?;
    Ok(())
}

/// Risk assessments for about a third of the first 3,000 clients, taken over the last
/// year on the counter pad or read out (some about to expire).
fn add_assessments(manager: &mut Session, clients: u64) -> Result<()> {
    use crate::store::Filled;
    let branch = manager.branch().code.clone();
    let today = manager.now().with_timezone(&chrono::Local).date_naive();
    let mut rng = synthetic::Rng::new(SEED ^ 0xA55E);
    for seq in 1..=clients.min(3_000) as i64 {
        if !rng.chance(330) {
            continue;
        }
        let level = *rng.weighted(&[(1u8, 10), (2, 25), (3, 35), (4, 20), (5, 10)], 100);
        let on = today - chrono::Duration::days(rng.below(365) as i64);
        let filled = if rng.chance(700) {
            Filled::ClientPad
        } else {
            Filled::ReadOut
        };
        match manager.add_assessment(&client_no_for(&branch, seq), level, Some(on), filled, false) {
            // A client whose expired document restricts their business is not assessed.
            Ok(_) | Err(Error::ClientRestricted { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// The AML history a core system would bring: the facts recorded for some clients (PEPs
/// and their associates, foreign nationals, cash-intensive and remote relationships), and
/// ratings dated over each level's review interval — so that a few reviews are overdue,
/// others due within the month — with one client in two hundred not rated yet.
fn add_risk(manager: &mut Session) -> Result<()> {
    use crate::domain::aml::{Cash, Pep, Profile};
    let today = manager.today_local();
    let clients: i64 = manager.client_count()?;
    let mut rng = synthetic::Rng::new(SEED ^ 0xA41);
    let mut profiles = Vec::new();
    for seq in 1..=clients {
        let pep = if rng.chance(3) {
            Pep::Pep
        } else if rng.chance(5) {
            Pep::Associate
        } else {
            Pep::None
        };
        let nationality = if rng.chance(15) {
            (*rng.pick(&["USA", "GBR", "KOR", "JPN", "SGP", "MMR"])).to_string()
        } else {
            String::new()
        };
        let cash = *rng.weighted(
            &[(Cash::Low, 870), (Cash::Medium, 100), (Cash::High, 30)],
            1000,
        );
        let remote = rng.chance(50);
        let profile = Profile {
            pep,
            nationality,
            cash,
            remote,
        };
        if profile != Profile::default() {
            profiles.push((seq, profile));
        }
    }
    let intervals: Vec<u64> = manager
        .portfolio_rules()?
        .aml
        .levels
        .iter()
        .map(|l| u64::from(l.review_months))
        .collect();
    let review_months = |rank: usize| intervals.get(rank).copied().unwrap_or(36);
    // The first high-risk client's review is three weeks late, whatever the dice say: the
    // desk has one to show on day one.
    let mut high_overdue = false;
    manager.seed_demo_risk(&profiles, &mut |seq, rank| {
        let mut rng = synthetic::Rng::new(SEED ^ 0x7A7E ^ seq as u64);
        if rng.chance(5) {
            return None;
        }
        let interval = review_months(rank) * 30;
        // One in fifty a little past their review; the rest spread over the interval.
        let days_ago = if rank == 0 && !high_overdue {
            high_overdue = true;
            interval + 21
        } else if rng.chance(20) {
            interval + 1 + rng.below(60)
        } else {
            rng.below(interval)
        };
        Some(today - chrono::Duration::days(days_ago as i64))
    })?;
    // The documents that expired in the last year ask for their early reviews now, not
    // when the desk is first opened.
    manager.sweep_expired_documents()?;
    Ok(())
}

/// Points for every third of the first 3,000 clients: a few years of earns by the rules in
/// turn and now and then a service redeemed, so that records show balances.
fn add_points(manager: &mut Session, clients: u64) -> Result<()> {
    let branch = manager.branch().code.clone();
    for seq in (1..=clients.min(3_000)).step_by(3) {
        let earns = 1 + (seq % 12) as u32;
        manager.seed_demo_points(&crate::store::client_no_for(&branch, seq as i64), earns)?;
    }
    Ok(())
}

/// rm01's events: a wealth salon in twelve days for the top tiers, invited, some replies
/// in; an appreciation evening in 25 days, not invited yet.
fn add_events(rm: &mut Session, lang: Lang) -> Result<()> {
    use crate::domain::events::{EventInput, Reply};
    let i18n = I18n::for_lang(lang);
    let today = rm.today_local();
    let day = |days: u64| (today + chrono::Days::new(days)).to_string();
    let salon = rm.event_new(&EventInput {
        title: i18n.t("demo.event_salon").into(),
        kind: "salon".into(),
        on: day(12),
        place: i18n.t("demo.event_place").into(),
        capacity: "30".into(),
        tiers: "platinum,diamond,private".into(),
        rm: "rm01".into(),
        points_rule: "event_attended".into(),
        survey: "event_follow_up".into(),
        ..EventInput::default()
    })?;
    match rm.event_invite(&salon.code) {
        Ok(_) => {
            let invited = rm.event_show(&salon.code)?.invitations;
            for (n, invitation) in invited.iter().take(8).enumerate() {
                let reply = if n % 3 == 2 { Reply::No } else { Reply::Yes };
                rm.event_reply(&salon.code, &invitation.client_no, reply, "phone")?;
            }
        }
        // A small demo store may have no one in that segment.
        Err(crate::error::Error::EventRefused { .. }) => {}
        Err(other) => return Err(other),
    }
    rm.event_new(&EventInput {
        title: i18n.t("demo.event_appreciation").into(),
        kind: "appreciation".into(),
        on: day(25),
        place: i18n.t("demo.event_place").into(),
        capacity: "80".into(),
        tiers: "gold,platinum,diamond,private".into(),
        ..EventInput::default()
    })?;
    Ok(())
}

/// A year of holdings, as HQ's monthly extracts would have brought them.
fn add_holdings(manager: &mut Session, clients: u64) -> Result<()> {
    let branch = manager.branch().code.clone();
    let today = manager.now().with_timezone(&chrono::Local).date_naive();
    let demo = holdings::demo_holdings(SEED, &branch, clients, today);
    manager.seed_demo_holdings(&demo.earlier, &demo.snapshot, &mut |_, _| {})?;
    Ok(())
}

/// Marriages, births, retirements and moves for some clients, falling around today so that
/// the agenda has anniversaries to show.
fn add_life_events(manager: &mut Session, clients: u64) -> Result<()> {
    use crate::domain::care::{EventInput, EventKind};
    let today = manager.today_local();
    let branch = manager.branch().code.clone();
    for i in 0..clients.min(60) {
        let client_no = client_no_for(&branch, (1 + i * 37 % clients) as i64);
        let kind = EventKind::ALL[(i % 4) as usize];
        // Anniversaries some years back; a move is a one-off date around now.
        let years = if kind == EventKind::Moving {
            0
        } else {
            3 + (i * 7 % 28) as i64
        };
        let date = today + chrono::Duration::days((i % 40) as i64 - 10)
            - chrono::Duration::days(365 * years + years / 4);
        let input = EventInput {
            kind: kind.code().into(),
            date: date.to_string(),
            yearly: if kind == EventKind::Moving {
                "no"
            } else {
                "yes"
            }
            .into(),
            label: String::new(),
        };
        match manager.add_client_event(&client_no, &input) {
            // A client too young for the event, or restricted: the demo skips them.
            Ok(_) | Err(Error::CareInvalid { .. } | Error::ClientRestricted { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// This staff member's share of a year of survey responses.
fn add_surveys(session: &mut Session, clients: u64) -> Result<()> {
    let today = session.today_local();
    let branch = session.branch().code.clone();
    let me = session.me().id.to_string();
    session.survey_templates()?;
    let inputs: Vec<crate::store::SurveyInput> = surveys::demo_surveys(today, clients, 360)
        .into_iter()
        .filter(|r| r.by == me)
        .map(|r| crate::store::SurveyInput {
            template: r.template.into(),
            client: r
                .client
                .map(|i| client_no_for(&branch, i as i64 + 1))
                .unwrap_or_default(),
            channel: r.channel.into(),
            answered_on: r.answered_on.to_string(),
            answers: r.answers,
            supersedes: String::new(),
        })
        .collect();
    session.record_surveys(&inputs)?;
    Ok(())
}

/// A month of complaints: the teller registers them, then the manager takes them on (one
/// session at a time: the store admits one).
fn add_complaints(login: impl Fn(&str) -> Result<Session>, lang: Lang, clients: u64) -> Result<()> {
    let mut teller = login("teller01")?;
    let today = teller.today_local();
    let branch = teller.branch().code.clone();
    let cases = demo_complaints(today, lang == Lang::Zh, clients);
    let mut receipts: Vec<String> = Vec::with_capacity(cases.len());
    for (_, case) in &cases {
        let mut intake = case.intake.clone();
        if let Some(index) = case.client {
            intake.client = client_no_for(&branch, index as i64 + 1);
        }
        receipts.push(teller.register_complaint(&intake)?.receipt_no);
    }
    drop(teller);
    let mut manager = login("manager01")?;
    for ((received, case), receipt_no) in cases.into_iter().zip(&receipts) {
        for (after, step, note) in case.steps {
            let step = match step {
                Step::Merged { into } => Step::Merged {
                    into: into
                        .strip_prefix('#')
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| receipts.get(i).cloned())
                        .unwrap_or(into),
                },
                other => other,
            };
            let on = received + chrono::Duration::days(after);
            manager.advance_complaint(receipt_no, step, Some(on), note)?;
        }
    }
    Ok(())
}

/// Loads `count` synthetic clients (an RM book of about 5,000 for `rm01`).
fn generate_clients(
    session: &mut Session,
    count: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let branch = session.branch().code.clone();
    let today = session.now().with_timezone(&chrono::Local).date_naive();
    let mut generator = Generator::new(SEED, today, &branch, Some("rm01"), count);
    // Generating runs on the second core while this one writes, in batches (a hand-over
    // per client would cost more than generating it).
    const BATCH: u64 = 4096;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<_>>(4);
    std::thread::spawn(move || {
        let mut left = count;
        while left > 0 {
            let batch = (0..left.min(BATCH))
                .map(|_| {
                    let client = generator.next_client();
                    (client.record, client.home_branch)
                })
                .collect();
            left = left.saturating_sub(BATCH);
            if sender.send(batch).is_err() {
                break;
            }
        }
    });
    let mut clients = receiver.into_iter().flatten();
    session.load_clients(&mut clients, "demo", &mut |done| progress(done, count))?;
    Ok(())
}
