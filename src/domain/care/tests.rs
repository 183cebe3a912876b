//! The care rules: keys and probes over leap months and leap years, reasons, grace and
//! lapse, sections, festivals, events and snoozes.

use super::*;
use chrono::Duration;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The days in `from..=to` on which a client with these keys has a birthday.
fn birthdays(keys: &[CareKey], from: &str, to: &str) -> Vec<(NaiveDate, i32)> {
    probes(d(from), d(to))
        .into_iter()
        .filter_map(|p| {
            keys.iter()
                .find(|k| k.kind == p.kind && k.key == p.key && k.since < p.before)
                .and_then(|k| reason_for(k.kind, k.key, k.since, p.on, None))
                .and_then(|r| match r {
                    Reason::Birthday { age, .. } => Some((p.on, age)),
                    _ => None,
                })
        })
        .collect()
}

fn born(date: &str, calendar: BirthCalendar) -> Vec<CareKey> {
    client_keys(false, Some(d(date)), calendar, None, d("2026-01-05"))
}

#[test]
fn solar_birthdays_and_feb_29() {
    let keys = born("1960-02-29", BirthCalendar::Solar);
    assert_eq!(
        birthdays(&keys, "2027-02-01", "2027-03-31"),
        [(d("2027-02-28"), 67)]
    );
    assert_eq!(
        birthdays(&keys, "2028-02-01", "2028-03-31"),
        [(d("2028-02-29"), 68)]
    );
    let keys = born("1966-12-31", BirthCalendar::Solar);
    // A window from 20 December reaches into January.
    assert_eq!(
        birthdays(&keys, "2026-12-20", "2027-01-18"),
        [(d("2026-12-31"), 60)]
    );
    // Not before birth, not on the day of birth.
    assert!(
        birthdays(
            &born("2026-11-01", BirthCalendar::Solar),
            "2026-10-01",
            "2026-12-31"
        )
        .is_empty()
    );
}

/// Lunar birthdays for every year 2020–2035: each year exactly once, on the day the
/// lunar calendar keeps it.
#[test]
fn lunar_birthdays_2020_to_2035() {
    // (birth date as solar, what it is in the lunar calendar)
    let cases = [
        ("2020-05-30", (4, true, 8)),   // 闰四月初八 2020
        ("2025-07-25", (6, true, 1)),   // 闰六月初一 2025
        ("1990-10-03", (8, false, 15)), // 八月十五
    ];
    for (birth, (month, leap, day)) in cases {
        let keys = born(birth, BirthCalendar::Lunar);
        let l = lunar::to_lunar(d(birth)).unwrap();
        assert_eq!((l.month, l.leap, l.day), (month, leap, day), "{birth}");
        for year in 2020..=2035 {
            let kept = lunar::anniversary(year, month, leap, day).unwrap();
            let found = birthdays(&keys, &kept.to_string(), &kept.to_string());
            if year > l.year {
                assert_eq!(found.len(), 1, "{birth} in lunar {year}");
                assert_eq!(found[0].1, year - l.year);
            } else {
                assert!(found.is_empty(), "{birth}: not before birth");
            }
        }
    }
}

#[test]
fn a_day_30_birthday_falls_on_the_29th_of_a_short_month() {
    // Find a lunar day 30 to be born on, then check every year to 2035.
    let (birth, l) = (0..400)
        .map(|n| d("1980-01-01") + Duration::days(n))
        .find_map(|day| {
            lunar::to_lunar(day)
                .filter(|l| l.day == 30 && !l.leap)
                .map(|l| (day, l))
        })
        .unwrap();
    let keys = born(&birth.to_string(), BirthCalendar::Lunar);
    let mut short_years = 0;
    for year in 2020..=2035 {
        let days = lunar::month_days(year, l.month, false).unwrap();
        let first = lunar::to_solar(lunar::LunarDate {
            year,
            month: l.month,
            leap: false,
            day: 1,
        })
        .unwrap();
        let month_end = first + Duration::days(i64::from(days) - 1);
        let found = birthdays(&keys, &first.to_string(), &month_end.to_string());
        assert_eq!(found.len(), 1, "lunar {year}");
        assert_eq!(found[0].0, month_end, "the last day of the month in {year}");
        short_years += usize::from(days == 29);
    }
    assert!(short_years > 0, "some years have a short month");
}

#[test]
fn a_december_window_reaches_into_the_next_lunar_year() {
    // Born on 正月初三: from 20 December 2026 a 60-day window reaches 正月 of 2027.
    let birth = lunar::to_solar(lunar::LunarDate {
        year: 1967,
        month: 1,
        leap: false,
        day: 3,
    })
    .unwrap();
    let keys = born(&birth.to_string(), BirthCalendar::Lunar);
    let found = birthdays(&keys, "2026-12-20", "2027-02-18");
    let kept = lunar::anniversary(2027, 1, false, 3).unwrap();
    assert_eq!(found, [(kept, 60)]);
}

#[test]
fn reasons_say_what_and_how_many_years() {
    let reason = reason_for(KeyKind::SolarBirthday, 1001, 1956, d("2026-10-01"), None);
    assert_eq!(
        reason,
        Some(Reason::Birthday {
            age: 70,
            lunar: None,
            milestone: true
        })
    );
    let wedding = reason_for(
        KeyKind::EventYearly,
        501,
        2021,
        d("2026-05-01"),
        Some(KeyDetail::Event(EventKind::Marriage, None)),
    )
    .unwrap();
    assert_eq!(wedding.greeting_key(), "event_marriage");
    assert!(matches!(wedding, Reason::Event { years: Some(5), .. }));
    assert_eq!(
        reason_for(KeyKind::IdExpiry, 20261212, 0, d("2026-12-12"), None),
        Some(Reason::IdExpiry {
            expires_on: d("2026-12-12")
        })
    );
}

#[test]
fn ids_read_back() {
    let id = ReminderId {
        reason: "birthday".into(),
        subject: "BJ0101-0000123".into(),
        on: d("2026-09-25"),
    };
    assert_eq!(id.to_string(), "birthday:BJ0101-0000123:2026-09-25");
    assert_eq!(ReminderId::parse(&id.to_string()), Some(id));
    assert_eq!(ReminderId::parse("birthday:x"), None);
    assert_eq!(ReminderId::parse("birthday:x:2026-13-01"), None);
}

#[test]
fn done_and_dismissed_never_return_and_snoozed_moves() {
    let (from, to) = (d("2026-09-01"), d("2026-09-30"));
    let on = d("2026-09-10");
    assert_eq!(shows_on(on, None, from, to), Some((on, Standing::Open)));
    assert_eq!(shows_on(on, Some((Action::Done, None)), from, to), None);
    assert_eq!(
        shows_on(on, Some((Action::Dismissed, None)), from, to),
        None
    );
    let later = d("2026-09-20");
    assert_eq!(
        shows_on(on, Some((Action::Snoozed, Some(later))), from, to),
        Some((later, Standing::Snoozed))
    );
    assert_eq!(
        shows_on(on, Some((Action::Snoozed, Some(d("2026-10-05")))), from, to),
        None
    );
    assert_eq!(section(d("2026-09-09"), on), Section::Overdue);
    assert_eq!(section(on, on), Section::Today);
    assert_eq!(section(d("2026-09-17"), on), Section::Week);
    assert_eq!(section(d("2026-10-10"), on), Section::Month);
    let birthday = Reason::Birthday {
        age: 40,
        lunar: None,
        milestone: false,
    };
    assert!(!lapsed(&birthday, d("2026-09-03"), on));
    assert!(lapsed(&birthday, d("2026-09-02"), on));
    let expiry = Reason::IdExpiry {
        expires_on: d("2026-08-20"),
    };
    assert!(!lapsed(&expiry, d("2026-08-20"), on));
}

#[test]
fn the_shipped_festivals_fall_where_they_should() {
    let festivals = parse_festivals(crate::assets::FESTIVALS).unwrap();
    let day = |code: &str, from: &str, to: &str| {
        let f = festivals.iter().find(|f| f.code == code).unwrap();
        festival_days(f, d(from), d(to))
    };
    assert_eq!(
        day("mid_autumn", "2026-09-20", "2026-09-30"),
        [d("2026-09-25")]
    );
    assert_eq!(day("spring_festival", "2026-12-01", "2027-03-01").len(), 1);
    assert_eq!(
        day("spring_festival", "2026-01-01", "2026-12-31"),
        [d("2026-02-17")]
    );
    assert_eq!(
        day("national_day", "2026-01-01", "2026-12-31"),
        [d("2026-10-01")]
    );
    assert_eq!(
        day("dragon_boat", "2026-01-01", "2026-12-31"),
        [d("2026-06-19")]
    );
    let ninth = festivals.iter().find(|f| f.code == "double_ninth").unwrap();
    assert_eq!(ninth.min_age, Some(60));
    assert!(parse_festivals("[[festival]]\ncode = \"x\"\n").is_err());
}

#[test]
fn life_events_are_checked_against_the_birth_date() {
    let input = |kind: &str, date: &str| EventInput {
        kind: kind.into(),
        date: date.into(),
        ..Default::default()
    };
    let birth = Some(d("1980-05-01"));
    let ok = validate_event(&input("marriage", "2005-10-01"), birth).unwrap();
    assert!(ok.yearly);
    let field_rules = |r: Result<LifeEvent, Vec<CareError>>| -> Vec<(&str, &str)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    };
    assert_eq!(
        field_rules(validate_event(&input("marriage", "1979-01-01"), birth)),
        [("date", "before_birth")]
    );
    assert_eq!(
        field_rules(validate_event(&input("custom", "2020-01-01"), birth)),
        [("label", "required")]
    );
    assert_eq!(
        field_rules(validate_event(&input("party", "soon"), birth)),
        [("kind", "unknown"), ("date", "date")]
    );
    assert_eq!(
        check_snooze("2026-11-30", d("2026-11-30"))
            .unwrap_err()
            .rule,
        "past"
    );
    assert_eq!(
        check_snooze("2026-12-01", d("2026-11-30")),
        Ok(d("2026-12-01"))
    );
}
