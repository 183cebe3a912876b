//! Demo holdings, as HQ's monthly extract would bring them: AUM roughly log-normal across
//! clients (a median near 30,000 CNY and about 1% at private-banking level), spread over
//! deposits, time deposits and certificates maturing through the year, wealth products,
//! funds and insurance, with loans and cards beside them, and a year of monthly averages in
//! which some clients climb steadily and some fall away in the last quarter — so that
//! tiers move, retention and maturity calls fall, and offers have reasons. Deterministic.

use super::synthetic::Rng;
use crate::domain::portfolio::Month;
use crate::domain::portfolio::credit::LoanClass;
use crate::store::client_no_for;
use crate::sync::reference::{HoldingsSnapshot, SnapshotHolding};
use chrono::{Duration, NaiveDate};

/// Months of history, the latest included.
pub const MONTHS: u32 = 12;

/// The median AUM (CNY) and the spread of its logarithm: ln(6,000,000 / 30,000) is 2.33
/// standard deviations at 2.27, so about 1% of clients reach private banking.
const MEDIAN_AUM: f64 = 30_000.0;
const LOG_SPREAD: f64 = 2.27;

/// The demo's holdings: the monthly AUM of the eleven months before the snapshot (client
/// number, fen), and the snapshot of the last day of the month before `today`.
pub struct DemoHoldings {
    pub earlier: Vec<(Month, Vec<(String, i64)>)>,
    pub snapshot: HoldingsSnapshot,
}

/// A standard normal deviate (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let uniform = |rng: &mut Rng| ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let (u, v) = (uniform(rng), uniform(rng));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// How a client's assets moved over the year.
#[derive(Clone, Copy)]
enum Path {
    Steady,
    /// Grew by this factor over the year.
    Climbing(f64),
    /// Lost this share over the last three months.
    Falling(f64),
}

/// The month-end average of `latest` `back` months before the latest month.
fn earlier_aum(latest: f64, path: Path, back: u32, rng: &mut Rng) -> f64 {
    let noise = 1.0 + (normal(rng) * 0.03).clamp(-0.08, 0.08);
    let level = match path {
        Path::Steady => latest,
        Path::Climbing(factor) => latest / factor.powf(f64::from(back) / f64::from(MONTHS - 1)),
        Path::Falling(lost) if back >= 3 => latest / (1.0 - lost),
        Path::Falling(lost) => latest / (1.0 - lost * f64::from(3 - back) / 3.0),
    };
    (level * noise).max(0.0)
}

/// Holdings for the clients numbered 1..=`clients` of `branch`.
pub fn demo_holdings(seed: u64, branch: &str, clients: u64, today: NaiveDate) -> DemoHoldings {
    let mut rng = Rng::new(seed ^ 0x4A0D_1265);
    let first_of_month = today - Duration::days(i64::from(chrono::Datelike::day(&today)) - 1);
    let as_of = first_of_month - Duration::days(1);
    let latest_month = Month::of(as_of);
    let months: Vec<Month> = {
        let mut months = vec![latest_month];
        let mut month = latest_month;
        for _ in 1..MONTHS {
            month = month.previous();
            months.push(month);
        }
        months
    };
    let mut earlier: Vec<(Month, Vec<(String, i64)>)> = months[1..]
        .iter()
        .rev()
        .map(|m| (*m, Vec::with_capacity(clients as usize)))
        .collect();
    let mut holdings = Vec::with_capacity(clients as usize * 3);
    for seq in 1..=clients as i64 {
        let client_no = client_no_for(branch, seq);
        let drawn = MEDIAN_AUM * (LOG_SPREAD * normal(&mut rng)).exp();
        // The far tail softened: a branch's largest clients hold tens of millions, not more.
        let aum = if drawn > 20_000_000.0 {
            20_000_000.0 * (drawn / 20_000_000.0).powf(0.25)
        } else {
            drawn
        };
        let path = match rng.below(100) {
            0..=5 => Path::Climbing(2.0 + rng.below(200) as f64 / 100.0),
            6..=11 => Path::Falling(0.35 + rng.below(25) as f64 / 100.0),
            _ => Path::Steady,
        };
        for (back, (_, rows)) in (1..MONTHS).zip(earlier.iter_mut().rev()) {
            let fen = (earlier_aum(aum, path, back, &mut rng) * 100.0).round() as i64;
            rows.push((client_no.clone(), fen));
        }
        holdings.extend(client_holdings(&mut rng, &client_no, seq, aum, as_of));
    }
    DemoHoldings {
        earlier,
        snapshot: HoldingsSnapshot {
            branch: branch.to_string(),
            as_of,
            serial: 1,
            holdings,
            clients: Vec::new(),
            points: Vec::new(),
            points_through: 0,
        },
    }
}

/// One client's accounts: a demand deposit always, other products as their assets allow,
/// their shares adding up to `aum`; loans and cards beside.
fn client_holdings(
    rng: &mut Rng,
    client_no: &str,
    seq: i64,
    aum: f64,
    as_of: NaiveDate,
) -> Vec<SnapshotHolding> {
    // (product, category, term in days for those that mature, weight)
    let mut chosen: Vec<(&str, &str, Option<i64>, f64)> =
        vec![("DEP-DEMAND", "deposit", None, 1.0 + rng.below(3) as f64)];
    let mut maybe = |rng: &mut Rng, min_aum: f64, per_mille: u64, item| {
        if aum >= min_aum && rng.chance(per_mille) {
            chosen.push(item);
        }
    };
    maybe(
        rng,
        10_000.0,
        600,
        ("DEP-TIME-1Y", "deposit", Some(365), 3.0),
    );
    maybe(
        rng,
        50_000.0,
        400,
        ("WM-FIXED-180", "wealth", Some(180), 2.0),
    );
    maybe(rng, 20_000.0, 250, ("WM-CASH", "wealth", None, 1.0));
    maybe(rng, 50_000.0, 300, ("FUND-BALANCED", "fund", None, 2.0));
    maybe(rng, 500_000.0, 200, ("FUND-EQUITY", "fund", None, 1.5));
    maybe(rng, 200_000.0, 150, ("INS-ANNUITY", "insurance", None, 2.0));
    maybe(
        rng,
        300_000.0,
        300,
        ("DEP-LARGE-3Y", "deposit", Some(1095), 4.0),
    );
    let weights: f64 = chosen.iter().map(|c| c.3).sum();
    let mut out = Vec::with_capacity(chosen.len() + 2);
    let account = |k: usize| format!("6222{:04}{seq:09}{k:02}", seq % 7919);
    for (k, (product, category, term, weight)) in chosen.into_iter().enumerate() {
        let fen = (aum * weight / weights * 100.0).round() as i64;
        // Maturities fall anywhere in the term ahead, so some fall this month.
        let (opened_on, matures_on) = match term {
            Some(days) => {
                let matures = as_of + Duration::days(1 + rng.below(days as u64) as i64);
                (matures - Duration::days(days), Some(matures))
            }
            None => (as_of - Duration::days(30 + rng.below(3000) as i64), None),
        };
        out.push(SnapshotHolding {
            client_no: client_no.to_string(),
            account: account(k),
            product: product.into(),
            category: category.into(),
            balance: fen,
            opened_on,
            matures_on,
            avg_balance: Some(fen),
            days_past_due: None,
            loan_class: None,
        });
    }
    if rng.chance(100) {
        let fen = (200_000 + rng.below(1_800_000) as i64) * 100;
        let (days_past_due, loan_class) = loan_standing(seq);
        out.push(SnapshotHolding {
            client_no: client_no.to_string(),
            account: account(20),
            product: "LOAN-MORTGAGE".into(),
            category: "loan".into(),
            balance: fen,
            opened_on: as_of - Duration::days(365 + rng.below(3650) as i64),
            matures_on: None,
            avg_balance: Some(fen),
            days_past_due: Some(days_past_due),
            loan_class: Some(loan_class),
        });
    }
    if rng.chance(350) {
        out.push(SnapshotHolding {
            client_no: client_no.to_string(),
            account: account(21),
            product: "CARD-CREDIT-STD".into(),
            category: "card".into(),
            balance: rng.below(2_000_000) as i64,
            opened_on: as_of - Duration::days(30 + rng.below(2000) as i64),
            matures_on: None,
            avg_balance: None,
            days_past_due: None,
            loan_class: None,
        });
    }
    out
}

/// A mortgage's days past due and classification: about one in sixteen is overdue or
/// classified, the worse the rarer (drawn from the client's serial, so that the other
/// holdings stay as they were).
fn loan_standing(seq: i64) -> (u32, LoanClass) {
    let mut rng = Rng::new(seq as u64 ^ 0x00C4_ED17);
    match rng.below(1000) {
        0..=29 => (1 + rng.below(89) as u32, LoanClass::SpecialMention),
        30..=44 => (91 + rng.below(89) as u32, LoanClass::Substandard),
        45..=54 => (181 + rng.below(179) as u32, LoanClass::Doubtful),
        55..=59 => (361 + rng.below(300) as u32, LoanClass::Loss),
        _ => (0, LoanClass::Normal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_spread_log_normally_with_about_one_in_a_hundred_private() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let demo = demo_holdings(7, "DEMO01", 20_000, today);
        assert_eq!(
            demo.snapshot.as_of,
            "2026-11-30".parse::<NaiveDate>().unwrap()
        );
        assert_eq!(demo.earlier.len(), MONTHS as usize - 1);
        assert_eq!(demo.earlier[0].0.to_string(), "2025-12");
        let mut aum: std::collections::BTreeMap<&str, i64> = Default::default();
        for h in &demo.snapshot.holdings {
            if !["loan", "card"].contains(&h.category.as_str()) {
                *aum.entry(h.client_no.as_str()).or_default() += h.balance;
            }
        }
        assert_eq!(aum.len(), 20_000, "every client has a demand deposit");
        let share = |min_yuan: i64| {
            aum.values().filter(|fen| **fen >= min_yuan * 100).count() as f64 / 200.0
        };
        let private = share(6_000_000);
        assert!((0.5..2.0).contains(&private), "private banking {private}%");
        let gold = share(50_000);
        assert!((30.0..50.0).contains(&gold), "gold and above {gold}%");
        let maturing = demo
            .snapshot
            .holdings
            .iter()
            .filter(|h| {
                h.matures_on
                    .is_some_and(|on| on <= today + Duration::days(30))
            })
            .count();
        assert!(maturing > 200, "{maturing} maturing within 30 days");
    }
}
