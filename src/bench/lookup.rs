//! Lookup latency per query class (a name's first character, a full name, pinyin, a
//! phone's last four digits, an ID number…), built from real rows of the store, on the
//! encrypted store and on its plaintext copy.

use super::percentile;
use crate::demo::synthetic::Rng;
use crate::domain::names::{has_cjk, lookup_keys};
use crate::error::Result;
use crate::store::{Sample, Session};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Results per query, as the lookup screen shows them.
const HITS: u32 = 20;

/// Queries by class.
pub type Classes = BTreeMap<&'static str, Vec<String>>;

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

/// Queries for each class, built from real rows of the store.
pub fn query_classes(samples: &[Sample], per_class: usize) -> Classes {
    let mut classes: Classes = BTreeMap::new();
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

fn time_query(session: &Session, query: &str) -> Result<Duration> {
    let start = Instant::now();
    let hits = session.search_clients(query, HITS)?;
    let took = start.elapsed();
    std::hint::black_box(hits);
    Ok(took)
}

/// Queries for every class, sampling until each class has `per_class` (Latin names are
/// one client in fifty, so they take the longest to fill).
fn classes_from(session: &Session, per_class: usize, seed: u64) -> Result<Classes> {
    let mut samples = Vec::new();
    let mut round = 0;
    loop {
        let mut rng = Rng::new(seed + round);
        let bound = session.client_seq_bound()?.max(1) as u64;
        let positions: Vec<i64> = (0..per_class * 12)
            .map(|_| 1 + rng.below(bound) as i64)
            .collect();
        samples.extend(session.sample_clients_at(&positions)?);
        let classes = query_classes(&samples, per_class);
        let full = classes.values().all(|q| q.len() >= per_class);
        if full || round == 8 {
            return Ok(classes);
        }
        round += 1;
    }
}

/// How the page caches were filled before the measured queries.
#[derive(Debug, Clone, Serialize)]
pub struct Warmed {
    /// The page cache both connections ran with, and what warming read into it.
    pub cache_mib: u64,
    pub warmed_mib: u64,
    /// Reading the lookup's structures into the encrypted store's cache, as the workstation
    /// does after login while idle (and the same for the plaintext copy).
    pub encrypted_s: f64,
    pub plain_s: f64,
}

/// Runs every class on the store and on the plaintext copy at `plain`; the queries come
/// back with the results. Both start with an empty cache of the same size, read the
/// lookup's structures into it as the workstation does after login, and warm up on queries
/// of their own (another sample); then each measured query runs on one and right after on
/// the other (in both orders), so that whatever else the machine does falls on both alike.
pub fn run(
    session: &mut Session,
    plain: &Path,
    per_class: usize,
) -> Result<(Classes, BTreeMap<String, ClassResult>, Warmed)> {
    let classes = classes_from(session, per_class, 42)?;
    let warm_up = classes_from(session, (per_class / 4).max(50), 7)?;
    let mut copy = session.open_plain_copy(plain)?;
    let mut took = Vec::new();
    let mut warmed_bytes = 0;
    for _ in 0..2 {
        session.reset_cache()?;
        let start = Instant::now();
        session.warm_cache()?;
        took.push(start.elapsed().as_secs_f64());
        warmed_bytes = session.warmed_bytes();
        for query in warm_up.values().flatten() {
            time_query(session, query)?;
        }
        session.swap_with(&mut copy);
    }
    let warmed = Warmed {
        cache_mib: session.cache_plan().mib,
        warmed_mib: warmed_bytes / (1024 * 1024),
        encrypted_s: took[0],
        plain_s: took[1],
    };
    let mut results = BTreeMap::new();
    for (class, queries) in &classes {
        let mut encrypted = Vec::with_capacity(queries.len() * 2);
        let mut plain_times = Vec::with_capacity(queries.len() * 2);
        // Twice over: once the encrypted store first, once the copy first, since whichever
        // runs second finds the code and the query's own work warm in the CPU's caches.
        for encrypted_first in [true, false] {
            for query in queries {
                let (first, second) = if encrypted_first {
                    (&mut encrypted, &mut plain_times)
                } else {
                    (&mut plain_times, &mut encrypted)
                };
                if !encrypted_first {
                    session.swap_with(&mut copy);
                }
                first.push(time_query(session, query)?);
                session.swap_with(&mut copy);
                second.push(time_query(session, query)?);
                if encrypted_first {
                    session.swap_with(&mut copy);
                }
            }
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
    Ok((classes, results, warmed))
}

#[cfg(test)]
mod tests {
    use super::*;

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
