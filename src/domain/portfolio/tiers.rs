//! Client tiers (客户分层) from monthly-average AUM, with hysteresis: a client moves up the
//! month after an average reaches a tier's threshold, and down only after the tier's
//! number of consecutive months below it (3, or 6 for private banking, by default), so a
//! client whose assets hover around a threshold is not moved up and down every month.

use super::Month;
use serde::{Deserialize, Serialize};

/// One tier of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The monthly-average AUM (CNY) from which a client is in this tier.
    pub min_aum: i64,
    /// Consecutive months below `min_aum` after which a client in this tier moves down.
    pub downgrade_after_months: u32,
}

/// A tier as a record shows it: its code and names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierLabel {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A fall in AUM that asks for a retention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Over this many months…
    pub months: u32,
    /// …a fall of more than this share (percent) of the average.
    pub fall_percent: u32,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            months: 3,
            fall_percent: 30,
        }
    }
}

/// Holdings whose maturity puts a reinvestment call on the care agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaturityCalls {
    /// The call falls this many days before the maturity.
    pub days_before: u32,
    /// Of products of these categories.
    pub categories: Vec<String>,
}

impl Default for MaturityCalls {
    fn default() -> MaturityCalls {
        MaturityCalls {
            days_before: 30,
            categories: vec!["deposit".into(), "wealth".into()],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    tier: Vec<TierRule>,
    #[serde(default)]
    retention: Retention,
    #[serde(default)]
    maturity: MaturityCalls,
    #[serde(default = "default_aum_categories")]
    aum_categories: Vec<String>,
}

/// What counts as assets under management unless the table says: not loans, not cards.
fn default_aum_categories() -> Vec<String> {
    ["deposit", "wealth", "fund", "insurance"]
        .map(String::from)
        .to_vec()
}

/// The tier table, lowest tier first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierTable {
    tiers: Vec<TierRule>,
    pub retention: Retention,
    pub maturity: MaturityCalls,
    /// The product categories whose balances are assets under management.
    pub aum_categories: Vec<String>,
}

impl TierTable {
    /// Reads a table (`assets/tiers.toml`, or HQ's); the reason it is refused otherwise.
    pub fn parse(text: &str) -> Result<TierTable, String> {
        let file: TierFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let tiers = file.tier;
        if tiers.first().is_none_or(|t| t.min_aum != 0) {
            return Err("the first tier must start at 0".into());
        }
        for pair in tiers.windows(2) {
            if pair[1].min_aum <= pair[0].min_aum {
                return Err(format!(
                    "tier {} must start above tier {}",
                    pair[1].code, pair[0].code
                ));
            }
        }
        for (i, tier) in tiers.iter().enumerate() {
            if tier.code.trim().is_empty() || tiers[..i].iter().any(|t| t.code == tier.code) {
                return Err(format!("tier code {:?} is empty or used twice", tier.code));
            }
            if tier.downgrade_after_months == 0 {
                return Err(format!(
                    "tier {}: downgrade_after_months must be at least 1",
                    tier.code
                ));
            }
        }
        if file.maturity.days_before > 366 {
            return Err("maturity: days_before at most 366".into());
        }
        if file.retention.months == 0 || !(1..=100).contains(&file.retention.fall_percent) {
            return Err("retention: months at least 1, fall_percent 1–100".into());
        }
        Ok(TierTable {
            tiers,
            retention: file.retention,
            maturity: file.maturity,
            aum_categories: file.aum_categories,
        })
    }

    /// The table branchdesk ships.
    pub fn shipped() -> &'static TierTable {
        static SHIPPED: std::sync::OnceLock<TierTable> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| {
            TierTable::parse(crate::assets::TIERS).unwrap_or_else(|detail| {
                // The shipped table is checked by a test; this cannot be reached.
                panic!("assets/tiers.toml: {detail}")
            })
        })
    }

    pub fn tiers(&self) -> &[TierRule] {
        &self.tiers
    }

    /// The tier with this code.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.code == code)
    }

    /// The highest tier a monthly average reaches.
    pub fn reached(&self, avg_aum: i64) -> usize {
        self.tiers
            .iter()
            .rposition(|t| avg_aum >= t.min_aum)
            .unwrap_or(0)
    }
}

/// A month's average AUM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthAum {
    pub month: Month,
    pub avg_aum: i64,
}

/// Why a client's tier changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum TierReason {
    /// The month's average reached the threshold of the tier moved to.
    Reached {
        month: Month,
        avg_aum: i64,
        threshold: i64,
    },
    /// The averages stayed below the threshold of the tier left for this many months.
    Below {
        months: u32,
        last_month: Month,
        avg_aum: i64,
        threshold: i64,
    },
}

/// A tier change: from (the tier before; none for a client's first) to, the month it takes
/// effect, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierChange {
    pub effective: Month,
    pub from: Option<String>,
    pub to: String,
    pub reason: TierReason,
}

impl TierChange {
    /// The change with the amounts in its reason in fen (the rules count in yuan; every
    /// amount a portfolio shows is in fen).
    pub fn in_fen(mut self) -> TierChange {
        match &mut self.reason {
            TierReason::Reached {
                avg_aum, threshold, ..
            }
            | TierReason::Below {
                avg_aum, threshold, ..
            } => {
                *avg_aum *= 100;
                *threshold *= 100;
            }
        }
        self
    }
}

/// The tier changes a run of monthly averages makes, for a client in tier `start` (the
/// lowest tier when none). A month missing from the run breaks a run of months below: a
/// month without a snapshot is no evidence.
pub fn tier_history(
    table: &TierTable,
    start: Option<&str>,
    months: &[MonthAum],
) -> Vec<TierChange> {
    let mut changes = Vec::new();
    let mut current = start.and_then(|code| table.index_of(code)).unwrap_or(0);
    let mut below: Vec<MonthAum> = Vec::new();
    let mut previous: Option<Month> = None;
    for seen in months {
        if previous.is_some_and(|p| p.next() != seen.month) {
            below.clear();
        }
        previous = Some(seen.month);
        let reached = table.reached(seen.avg_aum);
        if reached > current {
            let to = &table.tiers[reached];
            changes.push(TierChange {
                effective: seen.month.next(),
                from: Some(table.tiers[current].code.clone()),
                to: to.code.clone(),
                reason: TierReason::Reached {
                    month: seen.month,
                    avg_aum: seen.avg_aum,
                    threshold: to.min_aum,
                },
            });
            current = reached;
            below.clear();
        } else if reached < current {
            below.push(*seen);
            let left = &table.tiers[current];
            if below.len() as u32 >= left.downgrade_after_months {
                // Down to the best tier held up through those months.
                let to = below
                    .iter()
                    .map(|m| table.reached(m.avg_aum))
                    .max()
                    .unwrap_or(0);
                changes.push(TierChange {
                    effective: seen.month.next(),
                    from: Some(left.code.clone()),
                    to: table.tiers[to].code.clone(),
                    reason: TierReason::Below {
                        months: below.len() as u32,
                        last_month: seen.month,
                        avg_aum: seen.avg_aum,
                        threshold: left.min_aum,
                    },
                });
                current = to;
                below.clear();
            }
        } else {
            below.clear();
        }
    }
    changes
}

/// A client's tier in force in `now`, from their monthly averages: they start in the tier
/// their first reported month reaches, and move as [`tier_history`] says. The tier, the
/// month they entered it (none: since the first month), and the changes that led there.
pub fn current_tier<'t>(
    table: &'t TierTable,
    months: &[MonthAum],
    now: Month,
) -> Option<(&'t TierRule, Option<Month>, Vec<TierChange>)> {
    let (first, rest) = months.split_first()?;
    let start = table.tiers[table.reached(first.avg_aum)].code.clone();
    let changes = tier_history(table, Some(&start), rest);
    let code = tier_in(&start, &changes, now);
    let rule = table.index_of(code).map(|i| &table.tiers[i])?;
    let since = changes
        .iter()
        .rfind(|c| c.effective <= now)
        .map(|c| c.effective);
    Some((rule, since, changes))
}

/// The tier in force in `month` after `changes` (from `start`).
pub fn tier_in<'a>(start: &'a str, changes: &'a [TierChange], month: Month) -> &'a str {
    changes
        .iter()
        .rfind(|c| c.effective <= month)
        .map_or(start, |c| c.to.as_str())
}

/// A fall that asks for a retention call: the average `months` ago and now, and the share
/// lost (percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fall {
    pub from: MonthAum,
    pub to: MonthAum,
    pub percent: i64,
}

/// Whether the latest of `months` fell by more than the table's share from the average
/// `retention.months` months earlier.
pub fn falling(table: &TierTable, months: &[MonthAum]) -> Option<Fall> {
    let to = *months.last()?;
    let span = i64::from(table.retention.months);
    let from = *months
        .iter()
        .find(|m| m.month.months_until(to.month) == span)?;
    if from.avg_aum <= 0 || to.avg_aum >= from.avg_aum {
        return None;
    }
    let lost = from.avg_aum - to.avg_aum;
    // Compared exactly: a fall of 30.9% is more than 30%.
    let more = lost * 100 > i64::from(table.retention.fall_percent) * from.avg_aum;
    more.then_some(Fall {
        from,
        to,
        percent: lost * 100 / from.avg_aum,
    })
}

#[cfg(test)]
mod tests;
