//! `branchdesk bench`: lookup latency per query class on the encrypted store and on a
//! plaintext copy of the same data, queried by the same code.

use crate::domain::names::{has_cjk, lookup_keys};
use crate::error::Result;
use crate::store::{Sample, Session};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Results per query, as the lookup screen shows them.
const HITS: u32 = 20;

#[derive(Debug, Clone, Serialize)]
pub struct ClassResult {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub plain_p50_ms: f64,
    pub plain_p99_ms: f64,
    /// Encrypted p99 over plaintext p99.
    pub ratio_p99: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub clients: i64,
    pub classes: BTreeMap<String, ClassResult>,
    /// From a keystroke in the lookup field to the redrawn 80x24 screen (lookup included).
    pub keystroke_to_frame: Latency,
    /// The 30-day care agenda of the whole branch, and of one RM's book.
    pub care_branch: AgendaLatency,
    pub care_rm: AgendaLatency,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaLatency {
    pub runs: usize,
    pub reminders: usize,
    pub p50_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Queries for each class, built from real rows of the store.
pub fn query_classes(samples: &[Sample], per_class: usize) -> BTreeMap<&'static str, Vec<String>> {
    let mut classes: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut add = |class: &'static str, query: String| {
        let list = classes.entry(class).or_default();
        if list.len() < per_class && !query.is_empty() {
            list.push(query);
        }
    };
    for s in samples {
        let chars: Vec<char> = s.name.chars().collect();
        let person_cjk = has_cjk(&s.name) && chars.len() <= 4;
        if person_cjk {
            add("name_1char", chars[..1].iter().collect());
            add("name_2char", chars[..2.min(chars.len())].iter().collect());
            add("name_full", s.name.clone());
            if chars.len() == 3 {
                add("name_partial", chars[1..].iter().collect());
            }
            let keys = lookup_keys(&s.name);
            if let Some(full) = keys.first() {
                add("pinyin_full", full.clone());
            }
            if let Some(initials) = keys.get(1) {
                add("pinyin_initials", initials.clone());
            }
        } else if !has_cjk(&s.name)
            && let Some(word) = s.name.split_whitespace().last()
        {
            add("latin_name", word.to_lowercase());
        }
        if let Some(phone) = &s.phone {
            add("phone_full", phone.clone());
            add(
                "phone_tail4",
                phone[phone.len().saturating_sub(4)..].to_string(),
            );
        }
        add("id_full", s.id_number.clone());
        add(
            "id_tail6",
            s.id_number[s.id_number.len().saturating_sub(6)..].to_string(),
        );
        add("client_no", s.client_no.clone());
    }
    classes
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn time_query(session: &Session, query: &str) -> Result<Duration> {
    let start = Instant::now();
    let hits = session.search_clients(query, HITS)?;
    let took = start.elapsed();
    std::hint::black_box(hits);
    Ok(took)
}

/// Queries for every class, sampling until each class has `per_class` (Latin names are
/// one client in fifty, so they take the longest to fill).
fn classes_from(
    session: &Session,
    per_class: usize,
    seed: u64,
) -> Result<BTreeMap<&'static str, Vec<String>>> {
    let mut samples = Vec::new();
    let mut round = 0;
    loop {
        samples.extend(session.sample_clients(per_class * 12, seed + round)?);
        let classes = query_classes(&samples, per_class);
        let full = classes.values().all(|q| q.len() >= per_class);
        if full || round == 8 {
            return Ok(classes);
        }
        round += 1;
    }
}

/// Runs every class on the store and on the plaintext copy at `plain`. Both start with an
/// empty cache and warm up on queries of their own (another sample); then each measured
/// query runs on one and right after on the other, so that whatever else the machine does
/// falls on both alike.
pub fn run(session: &mut Session, plain: &Path, per_class: usize) -> Result<BenchReport> {
    let clients = session.client_count()?;
    let classes = classes_from(session, per_class, 42)?;
    let warm_up = classes_from(session, (per_class / 4).max(50), 7)?;
    let mut copy = session.open_plain_copy(plain)?;
    for _ in 0..2 {
        session.reset_cache()?;
        for query in warm_up.values().flatten() {
            time_query(session, query)?;
        }
        session.swap_with(&mut copy);
    }
    let mut results = BTreeMap::new();
    for (class, queries) in &classes {
        let mut encrypted = Vec::with_capacity(queries.len());
        let mut plain_times = Vec::with_capacity(queries.len());
        for query in queries {
            encrypted.push(time_query(session, query)?);
            session.swap_with(&mut copy);
            plain_times.push(time_query(session, query)?);
            session.swap_with(&mut copy);
        }
        encrypted.sort();
        plain_times.sort();
        let (p99, plain_p99) = (percentile(&encrypted, 0.99), percentile(&plain_times, 0.99));
        results.insert(
            class.to_string(),
            ClassResult {
                queries: encrypted.len(),
                p50_ms: percentile(&encrypted, 0.50),
                p99_ms: p99,
                plain_p50_ms: percentile(&plain_times, 0.50),
                plain_p99_ms: plain_p99,
                ratio_p99: if plain_p99 > 0.0 {
                    p99 / plain_p99
                } else {
                    0.0
                },
            },
        );
    }
    let name_queries: Vec<String> = ["name_2char", "pinyin_initials", "phone_tail4"]
        .iter()
        .flat_map(|class| classes.get(class).into_iter().flatten().cloned())
        .collect();
    let keystroke_to_frame = keystrokes(session, &name_queries)?;
    let today = session.today_local();
    let to = today + chrono::Duration::days(29);
    let care_branch = agenda_latency(|| {
        session
            .care_agenda(today, to, Some(crate::store::CareScope::Branch))
            .map(|a| a.items.len())
    })?;
    let care_rm = agenda_latency(|| {
        session
            .care_agenda_of("rm01", today, to)
            .map(|a| a.items.len())
    })?;
    Ok(BenchReport {
        clients,
        classes: results,
        keystroke_to_frame,
        care_branch,
        care_rm,
    })
}

/// Times an agenda: one run to warm the cache, then ten.
fn agenda_latency(mut agenda: impl FnMut() -> Result<usize>) -> Result<AgendaLatency> {
    let reminders = agenda()?;
    let mut times = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        agenda()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(AgendaLatency {
        runs: times.len(),
        reminders,
        p50_ms: percentile(&times, 0.50),
        max_ms: percentile(&times, 1.0),
    })
}

/// What the workstation does on a keystroke in the lookup field: the app turns it into a
/// lookup, the store answers, the app takes the answer, the screen is drawn (80x24).
fn keystrokes(session: &Session, queries: &[String]) -> Result<Latency> {
    use crate::app::{Action, App, Command, Effect};
    use crate::service::{Reply, Request};
    let i18n = crate::i18n::I18n::for_lang(crate::i18n::Lang::Zh);
    let keymap =
        crate::tui::keymap::Keymap::load(&Default::default()).map_err(crate::Error::internal)?;
    let start = Instant::now();
    let wall = chrono::Local::now().fixed_offset();
    let mut app = App::new(
        i18n,
        "bench".into(),
        crate::store::StoreProbe::Present { demo: true },
        Duration::from_secs(300),
        start,
        wall,
    );
    let me = session.me();
    app.update(
        Action::Reply(Reply::LoggedIn(crate::service::SessionInfo {
            staff_id: me.id.to_string(),
            name: me.name.clone(),
            role: me.role,
            branch: session.branch().clone(),
            failed_attempts_before: 0,
            previous_login: None,
            care_due: None,
        })),
        start,
        wall,
    );
    app.update(Action::Command(Command::ClientsScreen), start, wall);
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut terminal = ratatui::Terminal::new(backend).map_err(crate::Error::internal)?;
    let mut times = Vec::with_capacity(queries.len());
    for query in queries {
        app.update(Action::Command(Command::ClearField), start, wall);
        let mut chars = query.chars();
        let Some(last) = chars.next_back() else {
            continue;
        };
        app.update(Action::Paste(chars.as_str().to_string()), start, wall);
        let began = Instant::now();
        let effects = app.update(Action::Char(last), start, wall);
        for effect in effects {
            if let Effect::Send(Request::Search {
                query,
                generation,
                limit,
            }) = effect
            {
                let hits = session.search_clients(&query, limit)?;
                app.update(Action::Reply(Reply::Hits { generation, hits }), start, wall);
            }
        }
        terminal
            .draw(|frame| crate::tui::ui::render(frame, &app, &keymap))
            .map_err(crate::Error::internal)?;
        times.push(began.elapsed());
    }
    times.sort();
    Ok(Latency {
        queries: times.len(),
        p50_ms: percentile(&times, 0.50),
        p99_ms: percentile(&times, 0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_right_rank() {
        let times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&times, 0.50), 50.0);
        assert_eq!(percentile(&times, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.99), 0.0);
    }

    #[test]
    fn every_class_gets_queries_from_samples() {
        let samples = vec![
            Sample {
                name: "王小芳".into(),
                phone: Some("13812345678".into()),
                id_number: "11010519491231002X".into(),
                client_no: "DEMO01-0000001".into(),
            },
            Sample {
                name: "John Smith".into(),
                phone: None,
                id_number: "E12345678".into(),
                client_no: "DEMO01-0000002".into(),
            },
        ];
        let classes = query_classes(&samples, 10);
        assert_eq!(classes["name_partial"], ["小芳"]);
        assert_eq!(classes["pinyin_initials"], ["wxf"]);
        assert_eq!(classes["phone_tail4"], ["5678"]);
        assert_eq!(classes["latin_name"], ["smith"]);
        assert_eq!(classes["id_tail6"], ["31002X", "345678"]);
        assert_eq!(classes.len(), 12);
    }
}
