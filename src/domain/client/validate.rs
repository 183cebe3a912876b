//! The rules every way of entering a client (form, CSV, command line) goes through: dates
//! as staff and spreadsheets write them (lunar birth dates too), documents and their check
//! characters, phones, e-mail, tiers, and every problem named by field.

use super::*;
use crate::domain::text::{self, TextKind};

/// Parses the date formats branch staff and spreadsheets use: 2024-03-01, 2024/3/1,
/// 20240301, 2024年3月1日.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let normalised: String = s
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    let mut parts = normalised.split('-').map(str::trim);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A birth date typed as a lunar date (`农历1962年闰四月初八`, `L1962-04-08`).
fn looks_lunar(text: &str) -> bool {
    let text = text.trim();
    ["农历", "阴历", "L", "l"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// The solar date of a typed lunar birth date, or why it is not a date.
fn parse_lunar_birth(text: &str) -> Result<NaiveDate, ClientRule> {
    use crate::domain::lunar::{LunarRule, parse, to_solar};
    parse(text).and_then(to_solar).map_err(|rule| match rule {
        LunarRule::Format | LunarRule::Year => ClientRule::DateFormat,
        LunarRule::Month => ClientRule::LunarMonth,
        LunarRule::LeapAbsent { year, month } => ClientRule::LunarLeapAbsent { year, month },
        LunarRule::Day { days } => ClientRule::LunarDay { days },
    })
}

pub(crate) fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "否" | "不同意" => Some(false),
        "yes" | "y" | "true" | "1" | "是" | "同意" => Some(true),
        _ => None,
    }
}

fn text(raw: &str, max: usize, kind: TextKind) -> Result<Option<String>, ClientRule> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Some(fault) = text::fault(kind, value) {
        return Err(ClientRule::from(fault));
    }
    if value.chars().count() > max {
        return Err(ClientRule::TooLong { max });
    }
    Ok(Some(value.to_string()))
}

/// Checks everything typed about a client. Returns every problem, field by field, so a form
/// can mark them all at once.
pub fn validate(input: &ClientInput, today: NaiveDate) -> Result<ClientRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut check = |field: ClientField, result: Result<(), ClientRule>| {
        if let Err(rule) = result {
            errors.push(FieldError { field, rule });
        }
    };

    let kind = ClientKind::parse(&input.kind);
    check(
        ClientField::Kind,
        kind.map(|_| ()).ok_or(ClientRule::UnknownKind),
    );
    let kind = kind.unwrap_or(ClientKind::Person);
    let max_name = if kind == ClientKind::Company { 100 } else { 40 };

    let name = text(&input.name, max_name, TextKind::Name);
    check(
        ClientField::Name,
        match &name {
            Ok(None) => Err(ClientRule::Required),
            Ok(Some(_)) => Ok(()),
            Err(rule) => Err(*rule),
        },
    );

    let default_type = match kind {
        ClientKind::Person => IdType::ResidentId,
        ClientKind::Company => IdType::Uscc,
    };
    let id_type = if input.id_type.trim().is_empty() {
        Some(default_type)
    } else {
        IdType::parse(&input.id_type).or_else(|| id_type_alias(&input.id_type))
    };
    check(
        ClientField::IdType,
        id_type.map(|_| ()).ok_or(ClientRule::UnknownIdType),
    );
    let id_type = id_type.unwrap_or(default_type);
    if id_type.for_person() != (kind == ClientKind::Person) {
        check(ClientField::IdType, Err(ClientRule::IdTypeForKind));
    }

    let id_number = if input.id_number.trim().is_empty() {
        Err(ClientRule::Required)
    } else {
        parse_document(id_type, &input.id_number, today).map_err(|id| ClientRule::Id { id })
    };
    check(
        ClientField::IdNumber,
        id_number.as_ref().map(|_| ()).map_err(|r| *r),
    );
    let from_id = match (&id_number, id_type) {
        (Ok(number), IdType::ResidentId) => parse_resident_id(number, today).ok(),
        _ => None,
    };

    let id_expiry = match input.id_expiry.trim() {
        "" => Ok(IdExpiry::Unknown),
        "长期" | "long-term" | "long term" | "long_term" | "permanent" => {
            if id_type.long_term_allowed() {
                Ok(IdExpiry::LongTerm)
            } else {
                Err(ClientRule::LongTermNotAllowed)
            }
        }
        other => parse_date(other)
            .map(IdExpiry::On)
            .ok_or(ClientRule::DateFormat),
    };
    check(ClientField::IdExpiry, id_expiry.map(|_| ()));

    let mut gender = None;
    let mut birth_date = None;
    if kind == ClientKind::Person {
        let typed_gender = match input.gender.trim() {
            "" => Ok(None),
            other => Gender::parse(other)
                .map(Some)
                .ok_or(ClientRule::UnknownGender),
        };
        gender = match (typed_gender, &from_id) {
            (Err(rule), _) => {
                check(ClientField::Gender, Err(rule));
                None
            }
            (Ok(Some(g)), Some(id)) if g != id.gender => {
                check(ClientField::Gender, Err(ClientRule::GenderMismatch));
                None
            }
            (Ok(typed), id) => typed.or(id.as_ref().map(|i| i.gender)),
        };
        let typed_birth = match input.birth_date.trim() {
            "" => Ok(None),
            lunar if looks_lunar(lunar) => parse_lunar_birth(lunar).and_then(|d| {
                if d > today {
                    Err(ClientRule::FutureDate)
                } else {
                    Ok(Some(d))
                }
            }),
            other => match parse_date(other) {
                None => Err(ClientRule::DateFormat),
                Some(d) if d > today => Err(ClientRule::FutureDate),
                Some(d) if d < NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(d) => {
                    Err(ClientRule::TooOld)
                }
                Some(d) => Ok(Some(d)),
            },
        };
        birth_date = match (typed_birth, &from_id) {
            (Err(rule), _) => {
                check(ClientField::BirthDate, Err(rule));
                None
            }
            (Ok(Some(d)), Some(id)) if d != id.birth_date => {
                check(ClientField::BirthDate, Err(ClientRule::BirthDateMismatch));
                None
            }
            (Ok(typed), id) => typed.or(id.as_ref().map(|i| i.birth_date)),
        };
    } else {
        if !input.gender.trim().is_empty() {
            check(ClientField::Gender, Err(ClientRule::NotForCompany));
        }
        if !input.birth_date.trim().is_empty() {
            check(ClientField::BirthDate, Err(ClientRule::NotForCompany));
        }
    }

    // A birth date typed as a lunar date says how the client celebrates.
    let birth_calendar = match input.birth_calendar.trim() {
        "" if looks_lunar(&input.birth_date) => Some(BirthCalendar::Lunar),
        other => BirthCalendar::parse(other),
    };
    check(
        ClientField::BirthCalendar,
        birth_calendar
            .map(|_| ())
            .ok_or(ClientRule::UnknownCalendar),
    );

    let phone = match input.phone.trim() {
        "" => Ok(None),
        other => parse_mobile(other)
            .map(Some)
            .map_err(|id| ClientRule::Id { id }),
    };
    check(
        ClientField::Phone,
        phone.as_ref().map(|_| ()).map_err(|r| *r),
    );
    let email = match input.email.trim() {
        "" => Ok(None),
        other => parse_email(other)
            .map(Some)
            .map_err(|id| ClientRule::Id { id }),
    };
    check(
        ClientField::Email,
        email.as_ref().map(|_| ()).map_err(|r| *r),
    );
    let address = text(&input.address, 120, TextKind::Line);
    check(
        ClientField::Address,
        address.as_ref().map(|_| ()).map_err(|r| *r),
    );
    let occupation = text(&input.occupation, 40, TextKind::Line);
    check(
        ClientField::Occupation,
        occupation.as_ref().map(|_| ()).map_err(|r| *r),
    );

    let assigned_rm = match input.assigned_rm.trim() {
        "" => Ok(None),
        other => StaffId::parse(other)
            .map(|id| Some(id.to_string()))
            .map_err(|_| ClientRule::StaffIdFormat),
    };
    check(
        ClientField::AssignedRm,
        assigned_rm.as_ref().map(|_| ()).map_err(|r| *r),
    );

    let tier = Tier::parse(&input.tier);
    check(
        ClientField::Tier,
        tier.map(|_| ()).ok_or(ClientRule::UnknownTier),
    );
    let risk_level = match input.risk_level.trim().trim_start_matches(['C', 'c']) {
        "" => Ok(None),
        other => match other.parse::<u8>() {
            Ok(level @ 1..=5) => Ok(Some(level)),
            _ => Err(ClientRule::RiskRange),
        },
    };
    check(ClientField::RiskLevel, risk_level.map(|_| ()));

    let tags: Vec<String> = input
        .tags
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if tags.len() > 10 {
        check(ClientField::Tags, Err(ClientRule::TooManyTags));
    } else if let Some(fault) = tags.iter().find_map(|t| text::fault(TextKind::Name, t)) {
        check(ClientField::Tags, Err(ClientRule::from(fault)));
    } else if tags.iter().any(|t| t.chars().count() > 12) {
        check(ClientField::Tags, Err(ClientRule::TagTooLong));
    }
    let consent = parse_yes_no(&input.consent_marketing);
    check(
        ClientField::ConsentMarketing,
        consent.map(|_| ()).ok_or(ClientRule::YesNo),
    );

    if !errors.is_empty() {
        return Err(errors);
    }
    // Every Result below is Ok: any Err was recorded above and returned.
    Ok(ClientRecord {
        kind,
        name: name.ok().flatten().unwrap_or_default(),
        gender,
        birth_date,
        birth_calendar: birth_calendar.unwrap_or(BirthCalendar::Solar),
        id_type,
        id_number: id_number.unwrap_or_default(),
        id_expiry: id_expiry.unwrap_or(IdExpiry::Unknown),
        phone: phone.ok().flatten(),
        email: email.ok().flatten(),
        address: address.ok().flatten(),
        occupation: occupation.ok().flatten(),
        assigned_rm: assigned_rm.ok().flatten(),
        tier: tier.unwrap_or(Tier::Standard),
        risk_level: risk_level.ok().flatten(),
        tags,
        consent_marketing: consent.unwrap_or(false),
    })
}

/// Document names as spreadsheets write them.
fn id_type_alias(raw: &str) -> Option<IdType> {
    let s = raw.trim().to_lowercase();
    Some(match s.as_str() {
        "身份证" | "居民身份证" | "id" | "id card" | "resident id" => IdType::ResidentId,
        "护照" | "passport" => IdType::Passport,
        "港澳通行证" | "港澳居民来往内地通行证" | "回乡证" => {
            IdType::HkMacauPermit
        }
        "台胞证" | "台湾居民来往大陆通行证" => IdType::TaiwanPermit,
        "外国人永久居留身份证" | "永久居留证" | "永居证" => {
            IdType::ForeignPermanent
        }
        "统一社会信用代码" | "营业执照" | "credit code" => IdType::Uscc,
        _ => return None,
    })
}
