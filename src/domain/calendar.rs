//! Working days: which dates are statutory holidays or rest days, from the yearly notices
//! (`assets/holidays.toml`, or HQ reference data), so that a deadline can move to the next
//! working day as the Civil Code (art. 203) requires.

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

/// Holidays that fall on the same date every year (for years without a notice).
fn fixed_holiday(date: NaiveDate) -> bool {
    matches!(
        (date.month(), date.day()),
        (1, 1) | (5, 1) | (5, 2) | (10, 1) | (10, 2) | (10, 3)
    )
}

impl WorkCalendar {
    /// Reads the holiday file format: a table per year with `holidays` and `workdays` lists of
    /// dates or `first..last` ranges. The error names what is wrong.
    pub fn parse(text: &str) -> Result<WorkCalendar, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let mut calendar = WorkCalendar::default();
        for (year, entry) in &table {
            let year: i32 = year
                .parse()
                .map_err(|_| format!("[{year}] is not a year"))?;
            calendar.years.insert(year);
            for (list, target) in [
                ("holidays", &mut calendar.holidays),
                ("workdays", &mut calendar.workdays),
            ] {
                let items = entry
                    .get(list)
                    .and_then(|v| v.as_array())
                    .ok_or_else(|| format!("[{year}] needs a {list} list"))?;
                for item in items {
                    let text = item
                        .as_str()
                        .ok_or_else(|| format!("[{year}] {list}: not text"))?;
                    let (first, last) = text.split_once("..").unwrap_or((text, text));
                    let parse = |s: &str| {
                        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                            .map_err(|_| format!("[{year}] {list}: {s} is not a date"))
                    };
                    let (first, last) = (parse(first)?, parse(last)?);
                    if last < first || last - first > chrono::Duration::days(31) {
                        return Err(format!("[{year}] {list}: {text} is not a short range"));
                    }
                    let mut day = first;
                    while day <= last {
                        target.insert(day);
                        day = day.succ_opt().ok_or("date out of range")?;
                    }
                }
            }
        }
        Ok(calendar)
    }

    /// Whether the year's notice is known (otherwise only weekends and fixed dates count).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_rest_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return false;
        }
        if self.holidays.contains(&date) {
            return true;
        }
        if !self.covers(date.year()) && fixed_holiday(date) {
            return true;
        }
        matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// `date` itself when it is a working day, else the next one.
    pub fn working_day_from(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        // A year has at most about 120 rest days in a row of runs; 40 is plenty.
        for _ in 0..40 {
            if !self.is_rest_day(day) {
                return day;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn shipped() -> WorkCalendar {
        WorkCalendar::parse(crate::assets::HOLIDAYS).unwrap()
    }

    #[test]
    fn holidays_workdays_and_weekends() {
        let cal = shipped();
        assert!(cal.is_rest_day(d("2025-10-05")), "National Day");
        assert!(
            !cal.is_rest_day(d("2025-09-28")),
            "a Sunday worked in exchange"
        );
        assert!(cal.is_rest_day(d("2025-03-08")), "a plain Saturday");
        assert!(!cal.is_rest_day(d("2025-03-18")));
        assert_eq!(cal.working_day_from(d("2025-10-05")), d("2025-10-09"));
        assert_eq!(cal.working_day_from(d("2025-03-18")), d("2025-03-18"));
    }

    #[test]
    fn a_year_without_a_notice_uses_weekends_and_fixed_dates() {
        let cal = shipped();
        assert!(!cal.covers(2027));
        assert!(cal.is_rest_day(d("2027-01-01")));
        assert!(cal.is_rest_day(d("2027-10-02")));
        assert!(!cal.is_rest_day(d("2027-10-04")), "a Monday");
    }

    #[test]
    fn bad_files_are_named() {
        assert!(
            WorkCalendar::parse("[2025]\nholidays = [\"2025-13-01\"]\nworkdays = []\n")
                .unwrap_err()
                .contains("2025-13-01")
        );
        assert!(
            WorkCalendar::parse("[20x5]\n")
                .unwrap_err()
                .contains("20x5")
        );
        assert!(
            WorkCalendar::parse("[2025]\nholidays = []\n")
                .unwrap_err()
                .contains("workdays")
        );
    }
}
