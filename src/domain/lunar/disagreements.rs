//! Every lunar month of 1900–2100 on which the references do not all agree, with the reading
//! the table keeps and why. The references (`docs/lunar/compare.txt` has the details):
//!
//! - the Hong Kong Observatory's conversion tables (HKO), as the issue that led to this table
//!   quotes them, and HKO's own note that the new moons of 2057-09-28, 2089-09-04 and
//!   2097-08-07 fall within seconds of midnight;
//! - 寿星天文历 (`sxtwl` 2.0.7), which before 1960 reproduces the calendars as published;
//! - PyEphem 4.2.1 under the modern rules (GB/T 33661-2017), civil days in Beijing mean time
//!   (UTC+7:45:40) before 1929 or in UTC+8 throughout, and astronomy-engine 2.1.19 likewise;
//! - the packed tables of `LunarCalendar` 0.0.9 (from 寿星万年历, so not independent of
//!   `sxtwl`), `lunardate` 0.3.0 and `zhdate` 0.1;
//! - ICU4X's `calendrical_calculations` (Reingold & Dershowitz's astronomy, Beijing mean time
//!   before 1929) and `tyme4rs` 1.5, which the tests compare day by day over 1900–2100.
//!
//! The table keeps the reading of the calendars people lived by (HKO and the published
//! record) and, for the future, the reading most computations share; where a new moon falls
//! within minutes of midnight no computation settles it, and this list says so.

/// A reference the table was compared with, as the tests name the two they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// ICU4X's `calendrical_calculations` (an astronomical computation).
    CalendricalCalculations,
    /// `tyme4rs`, the table this one replaced.
    Tyme4rs,
    /// A reference the tests do not run (a Python package, HKO's tables).
    Other,
}

/// A month whose first day (or whether it is the leap month) the references read apart.
#[derive(Debug, Clone, Copy)]
pub struct Disagreement {
    /// The lunar month, as staff would say it.
    pub month: &'static str,
    /// The solar days (first and last) whose lunar date depends on the reading.
    pub days: (&'static str, &'static str),
    /// The reading the table keeps, and who reads it so.
    pub kept: &'static str,
    /// The other reading, and who reads it so.
    pub other: &'static str,
    /// The references the tests run that read it the other way.
    pub differs_from: &'static [Reference],
    pub why: &'static str,
}

use Reference::*;

const NEAR_MIDNIGHT_1906: &str = "The new moon fell at 23:52 Beijing mean time, 00:06 UTC+8. \
     The calendar published for 光绪三十二年 and HKO's table begin the month on the 24th; \
     a computation in Beijing mean time begins it on the 23rd.";

const BEIJING_MEAN_TIME: &str = "The new moon fell a few minutes after midnight UTC+8, before \
     midnight in Beijing mean time, which China's calendars used until 1929; the published \
     calendars and HKO begin the month the day before.";

const TYME4RS: &str = "tyme4rs begins the month a day apart from HKO, the published record and \
     two astronomical computations, which agree; the table follows them.";

const LUNARDATE: &str = "A known error in the classic lunarInfo table (`lunardate`); every other \
     reference agrees.";

const NEAR_MIDNIGHT_FUTURE: &str = "The new moon falls within seconds of midnight UTC+8 (HKO \
     names it as possibly a day off); it depends on how much the Earth's rotation will have \
     slowed (ΔT), which no one knows yet. The table keeps the day most computations and HKO's \
     note give.";

pub const DISAGREEMENTS: &[Disagreement] = &[
    Disagreement {
        month: "1906 四月 (and the length of 三月)",
        days: ("1906-04-23", "1906-05-22"),
        kept: "四月初一 1906-04-24: HKO, sxtwl, LunarCalendar, lunardate, zhdate, PyEphem in UTC+8",
        other: "四月初一 1906-04-23: PyEphem and astronomy-engine in Beijing mean time, \
                calendrical_calculations, tyme4rs",
        differs_from: &[CalendricalCalculations, Tyme4rs],
        why: NEAR_MIDNIGHT_1906,
    },
    Disagreement {
        month: "1909 八月",
        days: ("1909-09-14", "1909-10-13"),
        kept: "八月初一 1909-09-14",
        other: "八月初一 1909-09-15: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1910 腊月",
        days: ("1910-12-31", "1911-01-29"),
        kept: "腊月初一 1911-01-01",
        other: "腊月初一 1910-12-31: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1914 十月 (and the length of 九月)",
        days: ("1914-11-17", "1914-11-17"),
        kept: "十月初一 1914-11-17: HKO, sxtwl, the tables, PyEphem in Beijing mean time",
        other: "十月初一 1914-11-18: PyEphem in UTC+8",
        differs_from: &[],
        why: BEIJING_MEAN_TIME,
    },
    Disagreement {
        month: "1916 正月 (the Spring Festival; and the length of 1915 腊月)",
        days: ("1916-02-03", "1916-02-03"),
        kept: "正月初一 1916-02-03: HKO, sxtwl, the tables, PyEphem in Beijing mean time",
        other: "正月初一 1916-02-04: PyEphem in UTC+8",
        differs_from: &[],
        why: BEIJING_MEAN_TIME,
    },
    Disagreement {
        month: "1916 三月",
        days: ("1916-04-02", "1916-05-01"),
        kept: "三月初一 1916-04-03",
        other: "三月初一 1916-04-02: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1920 十月 (and the length of 九月)",
        days: ("1920-11-10", "1920-12-09"),
        kept: "十月初一 1920-11-10: HKO, sxtwl, the tables, PyEphem in Beijing mean time",
        other: "十月初一 1920-11-11: PyEphem in UTC+8, tyme4rs",
        differs_from: &[Tyme4rs],
        why: BEIJING_MEAN_TIME,
    },
    Disagreement {
        month: "1927 十月",
        days: ("1927-10-25", "1927-11-23"),
        kept: "十月初一 1927-10-25",
        other: "十月初一 1927-10-26: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1928 九月",
        days: ("1928-10-13", "1928-11-11"),
        kept: "九月初一 1928-10-13",
        other: "九月初一 1928-10-14: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1933 闰五月 and 六月",
        days: ("1933-07-22", "1933-07-22"),
        kept: "六月初一 1933-07-23",
        other: "六月初一 1933-07-22: lunardate",
        differs_from: &[],
        why: LUNARDATE,
    },
    Disagreement {
        month: "1942 八月",
        days: ("1942-09-10", "1942-10-09"),
        kept: "八月初一 1942-09-10",
        other: "八月初一 1942-09-11: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1943 十一月",
        days: ("1943-11-27", "1943-12-26"),
        kept: "十一月初一 1943-11-27",
        other: "十一月初一 1943-11-28: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1954 正月 (the Spring Festival)",
        days: ("1954-02-03", "1954-03-04"),
        kept: "正月初一 1954-02-03",
        other: "正月初一 1954-02-04: tyme4rs (so 1954-02-03 was 除夕)",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1954 十一月",
        days: ("1954-11-25", "1954-11-25"),
        kept: "十一月初一 1954-11-25",
        other: "十一月初一 1954-11-26: lunardate",
        differs_from: &[],
        why: LUNARDATE,
    },
    Disagreement {
        month: "1957 二月",
        days: ("1957-03-01", "1957-03-30"),
        kept: "二月初一 1957-03-02",
        other: "二月初一 1957-03-01: tyme4rs",
        differs_from: &[Tyme4rs],
        why: TYME4RS,
    },
    Disagreement {
        month: "1978 八月",
        days: ("1978-09-02", "1978-09-02"),
        kept: "八月初一 1978-09-03",
        other: "八月初一 1978-09-02: lunardate",
        differs_from: &[],
        why: LUNARDATE,
    },
    Disagreement {
        month: "2033 闰十一月 (which month is repeated)",
        days: ("2033-08-25", "2034-01-19"),
        kept: "闰十一月 from 2033-12-22: HKO, sxtwl, the tables, PyEphem under GB/T 33661-2017",
        other: "闰七月 from 2033-08-25: calendrical_calculations",
        differs_from: &[CalendricalCalculations],
        why: "The 2033 problem: the first month without a principal term is the seventh, but \
              the rule of GB/T 33661-2017 counts the months between two winter-solstice \
              months, and only that sui has thirteen; the calendars published for 2033 repeat \
              the eleventh month.",
    },
    Disagreement {
        month: "2057 九月 (and the length of 八月)",
        days: ("2057-09-28", "2057-10-27"),
        kept: "九月初一 2057-09-28: sxtwl, PyEphem, lunardate, zhdate, HKO's note",
        other: "九月初一 2057-09-29: LunarCalendar, astronomy-engine (00:00:01), tyme4rs",
        differs_from: &[Tyme4rs],
        why: NEAR_MIDNIGHT_FUTURE,
    },
    Disagreement {
        month: "2089 八月 (and the length of 七月)",
        days: ("2089-09-04", "2089-09-04"),
        kept: "八月初一 2089-09-04: every reference but one, HKO's note",
        other: "八月初一 2089-09-05: LunarCalendar",
        differs_from: &[],
        why: NEAR_MIDNIGHT_FUTURE,
    },
    Disagreement {
        month: "2097 七月 (and the length of 六月)",
        days: ("2097-08-07", "2097-08-07"),
        kept: "七月初一 2097-08-07: every reference but one, HKO's note",
        other: "七月初一 2097-08-08: LunarCalendar",
        differs_from: &[],
        why: NEAR_MIDNIGHT_FUTURE,
    },
];
