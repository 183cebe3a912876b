//! Who a client is to the bank, as rules: tiers by monthly-average assets under management
//! (AUM) with their hysteresis, suitability (a client's assessed risk level against a
//! product's), next-best offers, and an explainable client value. The thresholds and rules
//! are data (`assets/tiers.toml`, `assets/suitability.toml`, `assets/offers.toml`,
//! `assets/value.toml`), which HQ's reference data replaces; the code here only reads
//! them.

pub mod calls;
pub mod credit;
pub mod holdings;
pub mod offers;
pub mod suitability;
pub mod tiers;
pub mod value;

use serde::{Deserialize, Serialize};

/// A calendar month (the unit monthly-average AUM and tier changes are counted in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// The month `date` falls in.
    pub fn of(date: chrono::NaiveDate) -> Month {
        use chrono::Datelike;
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        let month = Month {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        (1..=12).contains(&month.month).then_some(month)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// How many months from `self` to `later` (0 for the same month).
    pub fn months_until(self, later: Month) -> i64 {
        (i64::from(later.year) - i64::from(self.year)) * 12 + i64::from(later.month)
            - i64::from(self.month)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_across_years() {
        let nov = Month::parse("2026-11").unwrap();
        assert_eq!(nov.next().next(), Month::parse("2027-01").unwrap());
        assert_eq!(nov.next().next().previous().previous(), nov);
        assert_eq!(nov.months_until(Month::parse("2027-02").unwrap()), 3);
        assert_eq!(nov.to_string(), "2026-11");
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(
            Month::of(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            Month::parse("2026-12").unwrap()
        );
    }
}
