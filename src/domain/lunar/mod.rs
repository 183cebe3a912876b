//! The Chinese lunar calendar for birthdays and festivals.
//!
//! The months come from a table (`table.rs`, lunar years 1899–2101: the first day of each
//! year, its leap month and its months' lengths), built from references compared month by
//! month — see `docs/lunar/` and [`DISAGREEMENTS`] — and checked day by day against an
//! independent astronomical implementation (ICU4X's `calendrical_calculations`) in the
//! tests. Every conversion is arithmetic on that table.

mod disagreements;
mod table;

pub use disagreements::{DISAGREEMENTS, Disagreement, Reference};

use chrono::{Datelike, NaiveDate};
use std::sync::OnceLock;

/// Years the table covers (birth dates from 1900, festivals to 2100).
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// A date in the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LunarDate {
    pub year: i32,
    pub month: u8,
    pub leap: bool,
    pub day: u8,
}

/// Why a lunar date is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LunarRule {
    /// Not something we can read as a lunar date.
    Format,
    /// Outside 1900–2100.
    Year,
    /// Not month 1–12.
    Month,
    /// That year has no leap month of that number.
    LeapAbsent { year: i32, month: u8 },
    /// Not a day of that month (day 30 of a 29-day month).
    Day { days: u8 },
}

#[derive(Debug, Clone, Copy)]
struct Month {
    month: u8,
    leap: bool,
    first: NaiveDate,
    days: u8,
}

#[derive(Debug)]
struct YearInfo {
    months: Vec<Month>,
}

impl YearInfo {
    /// Year `year`'s months from the table: in order, each with its number, whether it is
    /// the leap month (which follows the month it repeats), its first day and its length.
    fn read(year: i32) -> Option<YearInfo> {
        let (_, month, day, leap_month, lengths) =
            table::YEARS.iter().find(|(y, ..)| *y == year)?;
        let mut first = NaiveDate::from_ymd_opt(year, u32::from(*month), u32::from(*day))?;
        let mut order = Vec::new();
        for number in 1..=12u8 {
            order.push((number, false));
            if number == *leap_month {
                order.push((number, true));
            }
        }
        if order.len() != lengths.len() {
            return None;
        }
        let mut months = Vec::with_capacity(order.len());
        for ((number, leap), long) in order.into_iter().zip(lengths.bytes()) {
            let days = if long == b'1' { 30 } else { 29 };
            months.push(Month {
                month: number,
                leap,
                first,
                days,
            });
            first += chrono::Duration::days(i64::from(days));
        }
        Some(YearInfo { months })
    }

    fn month(&self, month: u8, leap: bool) -> Option<&Month> {
        self.months
            .iter()
            .find(|m| m.month == month && m.leap == leap)
    }
}

/// The lunar years the table holds: one before and one after the years staff may type, so
/// that every solar day of 1900–2100 has its lunar date.
const TABLE_FIRST: i32 = 1899;

fn year_info(year: i32) -> Option<&'static YearInfo> {
    static ALL: OnceLock<Vec<Option<YearInfo>>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        table::YEARS
            .iter()
            .map(|(year, ..)| YearInfo::read(*year))
            .collect()
    });
    let index = usize::try_from(year.checked_sub(TABLE_FIRST)?).ok()?;
    all.get(index)?.as_ref()
}

/// The leap month of a lunar year, if it has one.
pub fn leap_month(year: i32) -> Option<u8> {
    year_info(year)?
        .months
        .iter()
        .find(|m| m.leap)
        .map(|m| m.month)
}

/// Days in a lunar month (29 or 30), if the month exists.
pub fn month_days(year: i32, month: u8, leap: bool) -> Option<u8> {
    year_info(year)?.month(month, leap).map(|m| m.days)
}

/// The lunar date of a solar date (1900–2100).
pub fn to_lunar(date: NaiveDate) -> Option<LunarDate> {
    // The lunar year that holds a solar date started this calendar year or the one before.
    for year in [date.year(), date.year() - 1] {
        let info = year_info(year)?;
        if let Some(m) = info.months.iter().rev().find(|m| m.first <= date) {
            let day = (date - m.first).num_days() + 1;
            if day <= i64::from(m.days) {
                return Some(LunarDate {
                    year,
                    month: m.month,
                    leap: m.leap,
                    day: day as u8,
                });
            }
        }
    }
    None
}

/// The solar date of a lunar date, or why there is none.
pub fn to_solar(date: LunarDate) -> Result<NaiveDate, LunarRule> {
    if !(1..=12).contains(&date.month) {
        return Err(LunarRule::Month);
    }
    let info = year_info(date.year).ok_or(LunarRule::Year)?;
    let month = info
        .month(date.month, date.leap)
        .ok_or(LunarRule::LeapAbsent {
            year: date.year,
            month: date.month,
        })?;
    if date.day == 0 || date.day > month.days {
        return Err(LunarRule::Day { days: month.days });
    }
    Ok(month.first + chrono::Duration::days(i64::from(date.day) - 1))
}

/// The solar day in lunar year `year` on which a lunar anniversary (month, leap, day) is
/// kept: a leap-month date falls in the ordinary month of that number when the year has no
/// such leap month, and day 30 falls on day 29 when the month is short.
pub fn anniversary(year: i32, month: u8, leap: bool, day: u8) -> Option<NaiveDate> {
    let info = year_info(year)?;
    let kept = info
        .month(month, leap)
        .or_else(|| info.month(month, false))?;
    let day = day.min(kept.days);
    Some(kept.first + chrono::Duration::days(i64::from(day) - 1))
}

const MONTH_NAMES: [&str; 12] = [
    "正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊",
];
const DAY_NAMES: [&str; 30] = [
    "初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十", "十一", "十二",
    "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十", "廿一", "廿二", "廿三", "廿四",
    "廿五", "廿六", "廿七", "廿八", "廿九", "三十",
];

/// "八月十五", "闰四月初八" (without the year).
pub fn month_day_zh(month: u8, leap: bool, day: u8) -> String {
    let month_name = MONTH_NAMES
        .get(usize::from(month).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    let day_name = DAY_NAMES
        .get(usize::from(day).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{}{month_name}月{day_name}", if leap { "闰" } else { "" })
}

/// "lunar 8/15", "lunar leap 4/8".
pub fn month_day_en(month: u8, leap: bool, day: u8) -> String {
    format!("lunar {}{month}/{day}", if leap { "leap " } else { "" })
}

/// Reads a lunar date as staff type it: `农历1962年闰四月初八`, `农历1962-闰4-8`,
/// `L1962-04-08`, `L1962-L04-08` (leap). Whether the date exists is for [`to_solar`].
pub fn parse(text: &str) -> Result<LunarDate, LunarRule> {
    let text = text.trim();
    let body = text
        .strip_prefix("农历")
        .or_else(|| text.strip_prefix("阴历"))
        .or_else(|| text.strip_prefix('L'))
        .or_else(|| text.strip_prefix('l'))
        .ok_or(LunarRule::Format)?
        .trim();
    // Year: leading digits, then a separator.
    let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
    let year: i32 = digits.parse().map_err(|_| LunarRule::Format)?;
    let rest = body[digits.len()..].trim_start_matches(['年', '-', '/', '.', ' ']);
    let (leap, rest) = match rest
        .strip_prefix('闰')
        .or_else(|| rest.strip_prefix('L'))
        .or_else(|| rest.strip_prefix('l'))
    {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (month, rest) = read_month(rest).ok_or(LunarRule::Format)?;
    let rest = rest.trim_start_matches(['月', '-', '/', '.', ' ']);
    let day = read_day(rest.trim_end_matches('日')).ok_or(LunarRule::Format)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(LunarRule::Year);
    }
    if !(1..=12).contains(&month) {
        return Err(LunarRule::Month);
    }
    Ok(LunarDate {
        year,
        month,
        leap,
        day,
    })
}

/// A month as digits or its Chinese name; returns the rest of the text.
fn read_month(text: &str) -> Option<(u8, &str)> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        return Some((digits.parse().ok()?, &text[digits.len()..]));
    }
    // Longest names first: 十一 before 十.
    let named: [(&str, u8); 15] = [
        ("十一", 11),
        ("十二", 12),
        ("正", 1),
        ("一", 1),
        ("二", 2),
        ("三", 3),
        ("四", 4),
        ("五", 5),
        ("六", 6),
        ("七", 7),
        ("八", 8),
        ("九", 9),
        ("十", 10),
        ("冬", 11),
        ("腊", 12),
    ];
    named
        .iter()
        .find(|(name, _)| text.starts_with(name))
        .map(|(name, month)| (*month, &text[name.len()..]))
}

fn read_day(text: &str) -> Option<u8> {
    let text = text.trim();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().ok();
    }
    let alias = match text {
        "二十" => "二十",
        "三十" => "三十",
        "廿" => "二十",
        other => other,
    };
    DAY_NAMES
        .iter()
        .position(|name| *name == alias)
        .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Each year's months run on into the next year's 正月初一, twelve of them or thirteen
    /// with the leap month after the month it repeats.
    #[test]
    fn the_table_is_whole() {
        for pair in table::YEARS.windows(2) {
            let (year, ..) = pair[0];
            let info = year_info(year).unwrap_or_else(|| panic!("{year} reads"));
            let last = info.months.last().unwrap();
            let next = year_info(pair[1].0).unwrap().months[0].first;
            assert_eq!(
                last.first + chrono::Duration::days(i64::from(last.days)),
                next,
                "{year}"
            );
            assert_eq!(
                info.months.len(),
                12 + usize::from(leap_month(year).is_some())
            );
        }
        assert_eq!(table::YEARS.first().unwrap().0, TABLE_FIRST);
    }

    /// The solar days on which `theirs` gives another lunar date than the table, as runs of
    /// consecutive days.
    fn differing_days(theirs: impl Fn(NaiveDate) -> (i32, u8, bool, u8)) -> Vec<(String, String)> {
        let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        let mut date = d("1900-01-01");
        while date <= d("2100-12-31") {
            let ours = to_lunar(date).unwrap();
            assert_eq!(to_solar(ours), Ok(date), "{date} and back");
            if theirs(date) != (ours.year, ours.month, ours.leap, ours.day) {
                match runs.last_mut() {
                    Some(run) if run.1.succ_opt() == Some(date) => run.1 = date,
                    _ => runs.push((date, date)),
                }
            }
            date = date.succ_opt().unwrap();
        }
        runs.into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// The runs of days [`DISAGREEMENTS`] lists for `reference`.
    fn listed(reference: Reference) -> Vec<(String, String)> {
        DISAGREEMENTS
            .iter()
            .filter(|d| d.differs_from.contains(&reference))
            .map(|d| (d.days.0.to_string(), d.days.1.to_string()))
            .collect()
    }

    /// Day by day over 1900–2100 against ICU4X's astronomical computation (Reingold &
    /// Dershowitz): the two agree on every day but those of the months listed for it.
    #[test]
    fn day_by_day_against_calendrical_calculations_1900_to_2100() {
        use calendrical_calculations::chinese_based::{Chinese, chinese_based_date_from_fixed};
        use calendrical_calculations::gregorian::fixed_from_gregorian;
        let theirs = |date: NaiveDate| {
            let fixed = fixed_from_gregorian(date.year(), date.month() as u8, date.day() as u8);
            let lunar = chinese_based_date_from_fixed::<Chinese>(fixed);
            // Its months are counted 1–13 in a leap year, the leap month among them.
            let (month, leap) = match lunar.leap_month.map(|l| l.get()) {
                Some(l) if lunar.month == l => (lunar.month - 1, true),
                Some(l) if lunar.month > l => (lunar.month - 1, false),
                _ => (lunar.month, false),
            };
            // Its year is counted from the calendar's epoch; the new year's solar year is ours.
            let new_year = lunar.year_bounds.new_year.to_i64_date()
                - fixed_from_gregorian(1900, 1, 1).to_i64_date();
            let year = (d("1900-01-01") + chrono::Duration::days(new_year)).year();
            (year, month, leap, lunar.day)
        };
        assert_eq!(
            differing_days(theirs),
            listed(Reference::CalendricalCalculations)
        );
    }

    /// Day by day over 1900–2100 against tyme4rs, the table this one replaced: every day
    /// agrees but those of the months listed for it (eleven between 1906 and 1957, and 2057).
    #[test]
    fn day_by_day_against_tyme4rs_1900_to_2100() {
        use tyme4rs::tyme::solar::SolarDay;
        let theirs = |date: NaiveDate| {
            let lunar = SolarDay::from_ymd(
                date.year() as isize,
                date.month() as usize,
                date.day() as usize,
            )
            .get_lunar_day();
            let month = lunar.get_month();
            (
                lunar.get_year() as i32,
                month.unsigned_abs() as u8,
                month < 0,
                lunar.get_day() as u8,
            )
        };
        let listed = listed(Reference::Tyme4rs);
        assert_eq!(
            listed
                .iter()
                .filter(|(day, _)| day.as_str() < "1960")
                .count(),
            11
        );
        assert_eq!(differing_days(theirs), listed);
    }

    #[test]
    fn the_months_the_references_disagree_on_are_read_as_the_list_says() {
        let lunar = |s: &str| {
            let l = to_lunar(d(s)).unwrap();
            month_day_zh(l.month, l.leap, l.day)
        };
        // A client born on 1954-02-03 who keeps the lunar calendar was born at New Year.
        assert_eq!(lunar("1954-02-03"), "正月初一");
        assert_eq!(lunar("1906-04-24"), "四月初一");
        assert_eq!(lunar("1916-02-03"), "正月初一");
        assert_eq!(leap_month(2033), Some(11));
        assert_eq!(lunar("2057-09-28"), "九月初一");
        for entry in DISAGREEMENTS {
            assert!(entry.days.0 <= entry.days.1, "{}", entry.month);
            assert!(!entry.why.is_empty() && !entry.kept.is_empty());
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(leap_month(2020), Some(4));
        assert_eq!(leap_month(2023), Some(2));
        assert_eq!(leap_month(2025), Some(6));
        assert_eq!(leap_month(2026), None);
        // 2020-05-23 is 闰四月初一; 2025-07-25 闰六月初一; Mid-Autumn 2026 is 25 September.
        let leap4 = to_lunar(d("2020-05-23")).unwrap();
        assert_eq!((leap4.month, leap4.leap, leap4.day), (4, true, 1));
        assert_eq!(
            to_solar(LunarDate {
                year: 2026,
                month: 8,
                leap: false,
                day: 15
            }),
            Ok(d("2026-09-25"))
        );
        // 2026's Spring Festival: 17 February.
        assert_eq!(to_lunar(d("2026-02-17")).unwrap().day, 1);
        assert_eq!(to_lunar(d("2026-02-16")).unwrap().year, 2025);
    }

    #[test]
    fn impossible_dates_say_why() {
        let date = |year, month, leap, day| LunarDate {
            year,
            month,
            leap,
            day,
        };
        assert_eq!(to_solar(date(2026, 13, false, 1)), Err(LunarRule::Month));
        assert_eq!(
            to_solar(date(2026, 4, true, 1)),
            Err(LunarRule::LeapAbsent {
                year: 2026,
                month: 4
            })
        );
        // Find a 29-day month and ask for its 30th.
        let short = (1..=12)
            .find(|m| month_days(2026, *m, false) == Some(29))
            .unwrap();
        assert_eq!(
            to_solar(date(2026, short, false, 30)),
            Err(LunarRule::Day { days: 29 })
        );
        assert_eq!(to_solar(date(1800, 1, false, 1)), Err(LunarRule::Year));
    }

    #[test]
    fn anniversaries_fall_back_for_leap_months_and_short_months() {
        // Born in leap month 4 of 2020: in 2023 (leap month 2 only) it is kept in month 4.
        let in_2023 = anniversary(2023, 4, true, 10).unwrap();
        let ordinary = to_lunar(in_2023).unwrap();
        assert_eq!(
            (ordinary.month, ordinary.leap, ordinary.day),
            (4, false, 10)
        );
        // In a year that has the leap month again it is kept in the leap month (leap month 6
        // of 2025 comes back some decades on).
        let again = (2026..=2100).find(|y| leap_month(*y) == Some(6)).unwrap();
        let leap6 = to_lunar(anniversary(again, 6, true, 1).unwrap()).unwrap();
        assert!(leap6.leap && leap6.month == 6, "{again}");
        // Day 30 in a 29-day month falls on day 29.
        for year in 2020..=2035 {
            for month in 1..=12 {
                let kept = to_lunar(anniversary(year, month, false, 30).unwrap()).unwrap();
                let days = month_days(year, month, false).unwrap();
                assert_eq!(
                    (kept.month, kept.day),
                    (month, days.min(30)),
                    "{year}-{month}"
                );
            }
        }
    }

    #[test]
    fn typed_lunar_dates() {
        let expect = |year, month, leap, day| {
            Ok(LunarDate {
                year,
                month,
                leap,
                day,
            })
        };
        assert_eq!(parse("农历1962年闰四月初八"), expect(1962, 4, true, 8));
        assert_eq!(parse("农历1962年八月十五日"), expect(1962, 8, false, 15));
        assert_eq!(parse("农历1985年腊月廿三"), expect(1985, 12, false, 23));
        assert_eq!(parse("农历1985年十一月三十"), expect(1985, 11, false, 30));
        assert_eq!(parse("L1962-04-08"), expect(1962, 4, false, 8));
        assert_eq!(parse("L1962-L04-08"), expect(1962, 4, true, 8));
        assert_eq!(parse("农历1962-闰4-8"), expect(1962, 4, true, 8));
        assert_eq!(parse("L1962-13-01"), Err(LunarRule::Month));
        assert_eq!(parse("1962-04-08"), Err(LunarRule::Format));
        assert_eq!(parse("农历一九六二年"), Err(LunarRule::Format));
        assert_eq!(month_day_zh(4, true, 8), "闰四月初八");
        assert_eq!(month_day_zh(12, false, 30), "腊月三十");
        assert_eq!(month_day_en(8, false, 15), "lunar 8/15");
    }
}
