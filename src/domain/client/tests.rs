//! The client rules: every field's check, dates in every written form, masking of views.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn person() -> ClientInput {
    ClientInput {
        name: "王芳".into(),
        id_number: "11010519491231002X".into(),
        phone: "13812345678".into(),
        ..Default::default()
    }
}

fn rules(input: &ClientInput) -> Vec<(ClientField, ClientRule)> {
    validate(input, today())
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.rule))
        .collect()
}

#[test]
fn a_person_takes_birth_date_and_gender_from_the_id() {
    let record = validate(&person(), today()).unwrap();
    assert_eq!(record.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
    assert_eq!(record.gender, Some(Gender::Female));
    assert_eq!(record.id_type, IdType::ResidentId);
    assert_eq!(record.tier, Tier::Standard);
}

#[test]
fn a_birth_date_typed_in_the_lunar_calendar() {
    let passport = |birth: &str| ClientInput {
        name: "Lee Chan".into(),
        id_type: "passport".into(),
        id_number: "E12345678".into(),
        birth_date: birth.into(),
        ..Default::default()
    };
    // 闰四月初一 2020 is 23 May; the calendar follows the way the date was typed.
    let record = validate(&passport("农历2020年闰四月初八"), today()).unwrap();
    assert_eq!(record.birth_date, NaiveDate::from_ymd_opt(2020, 5, 30));
    assert_eq!(record.birth_calendar, BirthCalendar::Lunar);
    assert_eq!(
        validate(&passport("L2020-L04-08"), today())
            .unwrap()
            .birth_date,
        record.birth_date
    );
    assert_eq!(
        rules(&passport("农历2021年闰四月初八")),
        [(
            ClientField::BirthDate,
            ClientRule::LunarLeapAbsent {
                year: 2021,
                month: 4
            }
        )]
    );
    assert_eq!(
        rules(&passport("L2020-13-01")),
        [(ClientField::BirthDate, ClientRule::LunarMonth)]
    );
    let short = (1..=12u8)
        .find(|m| crate::domain::lunar::month_days(2021, *m, false) == Some(29))
        .unwrap();
    assert_eq!(
        rules(&passport(&format!("L2021-{short}-30"))),
        [(ClientField::BirthDate, ClientRule::LunarDay { days: 29 })]
    );
    assert_eq!(
        rules(&passport("农历2030年正月初一")),
        [(ClientField::BirthDate, ClientRule::FutureDate)]
    );
}

#[test]
fn typed_birth_date_and_gender_must_agree_with_the_id() {
    let mut input = person();
    input.birth_date = "1949-12-30".into();
    input.gender = "男".into();
    assert_eq!(
        rules(&input),
        [
            (ClientField::Gender, ClientRule::GenderMismatch),
            (ClientField::BirthDate, ClientRule::BirthDateMismatch)
        ]
    );
    input.birth_date = "1949年12月31日".into();
    input.gender = "女".into();
    assert!(validate(&input, today()).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = ClientInput {
        name: "".into(),
        id_number: "11010519491231002Y".into(),
        phone: "1381234567".into(),
        email: "nope".into(),
        risk_level: "C7".into(),
        ..Default::default()
    };
    let found = rules(&input);
    assert!(found.contains(&(ClientField::Name, ClientRule::Required)));
    assert!(found.contains(&(
        ClientField::IdNumber,
        ClientRule::Id {
            id: IdRule::ResidentCharacters
        }
    )));
    assert!(found.contains(&(
        ClientField::Phone,
        ClientRule::Id {
            id: IdRule::PhoneFormat
        }
    )));
    assert!(found.contains(&(
        ClientField::Email,
        ClientRule::Id {
            id: IdRule::EmailFormat
        }
    )));
    assert!(found.contains(&(ClientField::RiskLevel, ClientRule::RiskRange)));
}

#[test]
fn companies_use_a_uscc_and_have_no_birthday() {
    let input = ClientInput {
        kind: "企业".into(),
        name: "北京西单商贸有限公司".into(),
        id_number: "91110000600037341L".into(),
        ..Default::default()
    };
    let record = validate(&input, today()).unwrap();
    assert_eq!(record.id_type, IdType::Uscc);
    assert_eq!(record.birth_date, None);
    let mut wrong = input.clone();
    wrong.id_type = "passport".into();
    assert!(rules(&wrong).contains(&(ClientField::IdType, ClientRule::IdTypeForKind)));
    let mut aged = input;
    aged.birth_date = "2000-01-01".into();
    assert!(rules(&aged).contains(&(ClientField::BirthDate, ClientRule::NotForCompany)));
}

#[test]
fn foreign_documents_need_their_own_format_and_allow_a_typed_birthday() {
    let input = ClientInput {
        name: "John Smith".into(),
        id_type: "护照".into(),
        id_number: "P1234567".into(),
        birth_date: "1980-02-29".into(),
        gender: "M".into(),
        ..Default::default()
    };
    let record = validate(&input, today()).unwrap();
    assert_eq!(record.id_type, IdType::Passport);
    assert_eq!(record.birth_date, NaiveDate::from_ymd_opt(1980, 2, 29));
    let mut future = input;
    future.birth_date = "2030-01-01".into();
    assert!(rules(&future).contains(&(ClientField::BirthDate, ClientRule::FutureDate)));
}

#[test]
fn dates_in_the_usual_spellings() {
    let d = NaiveDate::from_ymd_opt(2024, 3, 1);
    for s in [
        "2024-03-01",
        "2024/3/1",
        "20240301",
        "2024年3月1日",
        "2024.03.01",
    ] {
        assert_eq!(parse_date(s), d, "{s}");
    }
    for s in ["2024-02-30", "2024-13-01", "01/03/2024", "", "2024-03"] {
        assert_eq!(parse_date(s), None, "{s}");
    }
}

#[test]
fn tags_split_on_chinese_and_latin_separators() {
    let mut input = person();
    input.tags = "代发工资、 理财,VIP；".into();
    assert_eq!(
        validate(&input, today()).unwrap().tags,
        ["代发工资", "理财", "VIP"]
    );
}

#[test]
fn a_record_round_trips_through_its_input() {
    let record = validate(&person(), today()).unwrap();
    assert_eq!(validate(&record.to_input(), today()).unwrap(), record);
}

#[test]
fn an_empty_expiry_is_unknown_and_long_term_only_where_documents_allow_it() {
    let mut input = person();
    assert_eq!(
        validate(&input, today()).unwrap().id_expiry,
        IdExpiry::Unknown
    );
    input.id_expiry = "长期".into();
    assert_eq!(
        validate(&input, today()).unwrap().id_expiry,
        IdExpiry::LongTerm
    );
    input.id_type = "passport".into();
    input.id_number = "E12345678".into();
    assert_eq!(
        rules(&input),
        [(ClientField::IdExpiry, ClientRule::LongTermNotAllowed)]
    );
    input.id_expiry = "2031-05-01".into();
    let record = validate(&input, today()).unwrap();
    assert_eq!(
        record.id_expiry,
        IdExpiry::On("2031-05-01".parse().unwrap())
    );
    // Stored and read back alike; the form shows what validation takes again.
    for expiry in [IdExpiry::Unknown, IdExpiry::LongTerm, record.id_expiry] {
        assert_eq!(
            IdExpiry::from_stored(expiry.stored().as_deref()),
            Some(expiry)
        );
    }
    assert_eq!(
        IdExpiry::from_stored(Some("长期")),
        None,
        "not a stored form"
    );
}

#[test]
fn a_document_stands_expired_soon_valid_long_term_or_unknown() {
    let on = |s: Option<&str>| ExpiryStanding::of(s, today());
    assert_eq!(on(None), ExpiryStanding::Unknown);
    assert_eq!(on(Some(LONG_TERM)), ExpiryStanding::LongTerm);
    let date = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(
        on(Some("2026-11-29")),
        ExpiryStanding::Expired(date("2026-11-29"))
    );
    assert_eq!(
        on(Some("2026-12-10")),
        ExpiryStanding::Soon(date("2026-12-10"), 10)
    );
    assert_eq!(
        on(Some("2027-06-01")),
        ExpiryStanding::Valid(date("2027-06-01"))
    );
}
