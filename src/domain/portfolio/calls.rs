//! The calls HQ's holdings snapshot puts on a relationship manager's care agenda: a welcome
//! when the snapshot moves a client up a tier, a retention call when their AUM fell past the
//! table's share, and a reinvestment call some days before a time deposit or wealth product
//! matures. Each call has a key that stays the same from one snapshot to the next, so what
//! staff did about it stays done.

use super::Month;
use super::tiers::{Fall, TierChange, TierTable};
use crate::domain::care::Reason;
use chrono::{Duration, NaiveDate};

/// How far past the snapshot's own call window maturities are put on the agenda: a month
/// and a few days, as far as the next monthly snapshot (a late one finds the calls it
/// brings already due), without writing a call for every deposit of the year to come.
pub const MATURITY_HORIZON_DAYS: i64 = 35;

/// A holding as the calls see it (amounts in fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallHolding<'a> {
    pub product: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub category: &'a str,
    pub balance: i64,
    pub matures_on: Option<NaiveDate>,
}

/// One call: the day it falls on, its key (unique for the client, the same in every
/// snapshot that asks for it) and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub on: NaiveDate,
    pub key: String,
    pub reason: Reason,
}

/// The calls a snapshot of `snapshot_month` taken on `as_of` asks for, given the client's
/// tier changes, a fall (amounts in fen) and holdings.
pub fn calls(
    table: &TierTable,
    changes: &[TierChange],
    fall: Option<&Fall>,
    holdings: &[CallHolding],
    snapshot_month: Month,
    as_of: NaiveDate,
) -> Vec<Call> {
    let mut calls = Vec::new();
    let rank = |code: &str| table.index_of(code);
    // Only the move this snapshot makes: earlier ones were welcomed when they were made.
    let effective = snapshot_month.next();
    for change in changes.iter().filter(|c| c.effective == effective) {
        let up = match (&change.from, rank(&change.to)) {
            (Some(from), Some(to)) => rank(from).is_some_and(|from| to > from),
            _ => false,
        };
        let Some(tier) = table.tiers().iter().find(|t| t.code == change.to) else {
            continue;
        };
        if up && let Some(on) = NaiveDate::from_ymd_opt(effective.year, effective.month, 1) {
            calls.push(Call {
                on,
                key: format!("welcome-{}-{}", tier.code, effective),
                reason: Reason::TierWelcome {
                    tier: tier.code.clone(),
                    name_zh: tier.name_zh.clone(),
                    name_en: tier.name_en.clone(),
                },
            });
        }
    }
    if let Some(fall) = fall {
        calls.push(Call {
            on: as_of,
            key: format!("retention-{}", fall.to.month),
            reason: Reason::Retention {
                percent: u32::try_from(fall.percent).unwrap_or(100),
                months: table.retention.months,
                from_aum: Some(fall.from.avg_aum),
                to_aum: Some(fall.to.avg_aum),
            },
        });
    }
    let ahead = Duration::days(i64::from(table.maturity.days_before));
    for holding in holdings {
        let Some(matures_on) = holding.matures_on else {
            continue;
        };
        let called = table
            .maturity
            .categories
            .iter()
            .any(|c| c == holding.category);
        // Matured before the snapshot: the snapshot no longer shows what it became. Too
        // far ahead: a later snapshot calls it.
        let too_far = matures_on > as_of + ahead + Duration::days(MATURITY_HORIZON_DAYS);
        if !called || matures_on < as_of || too_far {
            continue;
        }
        let key = format!(
            "maturity-{}-{}",
            holding.product,
            matures_on.format("%Y%m%d")
        );
        // Two contracts of one product maturing on one day make one call, of both.
        if let Some(Call {
            reason: Reason::Maturity {
                balance: Some(sum), ..
            },
            ..
        }) = calls.iter_mut().find(|c| c.key == key)
        {
            *sum += holding.balance;
            continue;
        }
        calls.push(Call {
            on: matures_on - ahead,
            key,
            reason: Reason::Maturity {
                product: holding.product.to_string(),
                name_zh: holding.name_zh.to_string(),
                name_en: holding.name_en.to_string(),
                balance: Some(holding.balance),
                matures_on,
            },
        });
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::portfolio::tiers::{MonthAum, TierReason};

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn change(effective: &str, from: &str, to: &str) -> TierChange {
        TierChange {
            effective: month(effective),
            from: Some(from.into()),
            to: to.into(),
            reason: TierReason::Reached {
                month: month(effective),
                avg_aum: 0,
                threshold: 0,
            },
        }
    }

    fn holding<'a>(product: &'a str, category: &'a str, on: &str, balance: i64) -> CallHolding<'a> {
        CallHolding {
            product,
            name_zh: "",
            name_en: "",
            category,
            balance,
            matures_on: Some(day(on)),
        }
    }

    #[test]
    fn only_this_snapshots_upgrade_is_welcomed() {
        let table = TierTable::shipped();
        let changes = [
            change("2026-08", "mass", "gold"),
            change("2026-12", "gold", "platinum"),
        ];
        let found = calls(
            table,
            &changes,
            None,
            &[],
            month("2026-11"),
            day("2026-11-30"),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].on, day("2026-12-01"));
        assert_eq!(found[0].key, "welcome-platinum-2026-12");
        let down = [change("2026-12", "platinum", "gold")];
        let found = calls(table, &down, None, &[], month("2026-11"), day("2026-11-30"));
        assert!(found.is_empty(), "a downgrade is not welcomed: {found:?}");
    }

    #[test]
    fn a_fall_asks_for_a_retention_call_on_the_snapshot_day() {
        let table = TierTable::shipped();
        let fall = Fall {
            from: MonthAum {
                month: month("2026-08"),
                avg_aum: 10_000_000,
            },
            to: MonthAum {
                month: month("2026-11"),
                avg_aum: 6_000_000,
            },
            percent: 40,
        };
        let found = calls(
            table,
            &[],
            Some(&fall),
            &[],
            month("2026-11"),
            day("2026-11-30"),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].on, day("2026-11-30"));
        assert_eq!(found[0].key, "retention-2026-11");
        assert!(matches!(
            found[0].reason,
            Reason::Retention {
                percent: 40,
                to_aum: Some(6_000_000),
                ..
            }
        ));
    }

    #[test]
    fn deposits_and_wealth_products_are_called_a_month_before_they_mature() {
        let table = TierTable::shipped();
        let holdings = [
            holding("DEP-TIME-1Y", "deposit", "2026-12-18", 10_000_000),
            holding("DEP-TIME-1Y", "deposit", "2026-12-18", 5_000_000),
            holding("WM-FIXED-180", "wealth", "2027-01-03", 1_000_000),
            holding("DEP-LARGE-3Y", "deposit", "2027-09-01", 1_000_000),
            holding("FUND-BALANCED", "fund", "2026-12-20", 1_000_000),
            holding("DEP-TIME-1Y", "deposit", "2026-11-20", 1_000_000),
        ];
        let found = calls(
            table,
            &[],
            None,
            &holdings,
            month("2026-11"),
            day("2026-11-30"),
        );
        let keys: Vec<(&str, NaiveDate)> = found.iter().map(|c| (c.key.as_str(), c.on)).collect();
        assert_eq!(
            keys,
            [
                ("maturity-DEP-TIME-1Y-20261218", day("2026-11-18")),
                ("maturity-WM-FIXED-180-20270103", day("2026-12-04")),
            ]
        );
        assert!(matches!(
            found[0].reason,
            Reason::Maturity {
                balance: Some(15_000_000),
                ..
            }
        ));
    }
}
