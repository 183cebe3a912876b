//! Identity documents and contact details: the format rules and check characters.
//!
//! - Resident ID numbers, GB 11643-1999: 17 digits and a check character; weights
//!   7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, weighted sum mod 11 mapped through `10X98765432`.
//!   Digits 7–14 are the birth date; digit 17 odd means male.
//! - Unified Social Credit Codes, GB 32100-2015: 18 characters over `0-9A-HJ-NPQRTUWXY`;
//!   weights 3^i mod 31; check = (31 − Σ mod 31) mod 31.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which rule a value broke. Each maps to a sentence in the UI language (`rule.id.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdRule {
    /// Resident ID: not 18 characters.
    ResidentLength,
    /// A 15-digit ID from before 1999.
    ResidentLegacy,
    /// Resident ID: characters other than digits and a final X.
    ResidentCharacters,
    /// Resident ID: the first two digits name no province.
    ResidentRegion,
    /// Resident ID: digits 7–14 are not a calendar date.
    ResidentDate,
    /// Resident ID: the birth date is in the future.
    ResidentFuture,
    /// Resident ID: the check character does not match.
    ResidentCheck,
    UsccFormat,
    UsccCheck,
    PassportFormat,
    HkMacauPermitFormat,
    TaiwanPermitFormat,
    ForeignPermanentFormat,
    PhoneFormat,
    EmailFormat,
}

impl IdRule {
    pub fn message_key(self) -> String {
        let code = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!("rule.id.{code}")
    }
}

/// The kinds of identity document a client may present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证 (also the residence permits for HK/Macau/Taiwan residents, region 81–83).
    ResidentId,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacauPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignPermanent,
    /// 统一社会信用代码 (companies)
    Uscc,
}

impl IdType {
    /// Whether the document may be valid without end (长期): a resident ID card issued at 46
    /// or later, a company's licence without a fixed term. Passports and permits always
    /// end.
    pub fn long_term_allowed(self) -> bool {
        matches!(self, IdType::ResidentId | IdType::Uscc)
    }

    pub const ALL: [IdType; 6] = [
        IdType::ResidentId,
        IdType::Passport,
        IdType::HkMacauPermit,
        IdType::TaiwanPermit,
        IdType::ForeignPermanent,
        IdType::Uscc,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident_id",
            IdType::Passport => "passport",
            IdType::HkMacauPermit => "hk_macau_permit",
            IdType::TaiwanPermit => "taiwan_permit",
            IdType::ForeignPermanent => "foreign_permanent",
            IdType::Uscc => "uscc",
        }
    }

    pub fn parse(code: &str) -> Option<IdType> {
        IdType::ALL.into_iter().find(|t| t.code() == code.trim())
    }

    /// Person documents; a company has only its USCC.
    pub fn for_person(self) -> bool {
        self != IdType::Uscc
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_lowercase().as_str() {
            "male" | "m" | "男" => Some(Gender::Male),
            "female" | "f" | "女" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// What a resident ID number says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId {
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Province-level codes (first two digits): the 31 mainland divisions, Taiwan (71), and the
/// residence permits for Hong Kong (81), Macau (82) and Taiwan (83) residents.
const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// The check character for the first 17 digits of a resident ID.
pub fn resident_check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(ID_CHECK[(sum % 11) as usize])
}

/// Checks a resident ID number; `today` bounds the birth date.
pub fn parse_resident_id(raw: &str, today: NaiveDate) -> Result<ResidentId, IdRule> {
    let number = raw.trim().to_ascii_uppercase();
    let bytes = number.as_bytes();
    if bytes.len() == 15 && bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdRule::ResidentLegacy);
    }
    if bytes.len() != 18 {
        return Err(IdRule::ResidentLength);
    }
    let (body, last) = bytes.split_at(17);
    if !body.iter().all(u8::is_ascii_digit) || !(last[0].is_ascii_digit() || last[0] == b'X') {
        return Err(IdRule::ResidentCharacters);
    }
    let digits = |range: std::ops::Range<usize>| -> u32 {
        body[range]
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    };
    if !PROVINCES.contains(&digits(0..2)) {
        return Err(IdRule::ResidentRegion);
    }
    let birth_date = NaiveDate::from_ymd_opt(digits(6..10) as i32, digits(10..12), digits(12..14))
        .filter(|d| d.year() >= 1880)
        .ok_or(IdRule::ResidentDate)?;
    if birth_date > today {
        return Err(IdRule::ResidentFuture);
    }
    if char::from(last[0]) != resident_check_char(body) {
        return Err(IdRule::ResidentCheck);
    }
    let gender = if (body[16] - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(ResidentId {
        number,
        birth_date,
        gender,
    })
}

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a USCC (which must be valid).
pub fn uscc_check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.iter().zip(USCC_WEIGHTS) {
        sum += uscc_value(*c)? * w;
    }
    Some(char::from(USCC_CHARS[((31 - sum % 31) % 31) as usize]))
}

/// Checks a Unified Social Credit Code; returns it uppercased.
pub fn parse_uscc(raw: &str) -> Result<String, IdRule> {
    let code = raw.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    if bytes.len() != 18 || !bytes.iter().all(|c| uscc_value(*c).is_some()) {
        return Err(IdRule::UsccFormat);
    }
    match uscc_check_char(&bytes[..17]) {
        Some(check) if char::from(bytes[17]) == check => Ok(code),
        _ => Err(IdRule::UsccCheck),
    }
}

/// Checks an identity document number of the given type; returns it normalised.
pub fn parse_document(id_type: IdType, raw: &str, today: NaiveDate) -> Result<String, IdRule> {
    let value = raw.trim().to_ascii_uppercase().replace([' ', '-'], "");
    let all = |s: &str, f: fn(&u8) -> bool| s.as_bytes().iter().all(f);
    match id_type {
        IdType::ResidentId => parse_resident_id(&value, today).map(|id| id.number),
        IdType::Uscc => parse_uscc(&value),
        IdType::Passport => {
            let ok = (5..=17).contains(&value.len())
                && all(&value, u8::is_ascii_alphanumeric)
                && value.bytes().any(|b| b.is_ascii_digit());
            ok.then_some(value).ok_or(IdRule::PassportFormat)
        }
        IdType::HkMacauPermit => {
            let ok = matches!(value.as_bytes().first(), Some(b'H' | b'M'))
                && matches!(value.len(), 9 | 11)
                && all(&value[1..], u8::is_ascii_digit);
            ok.then_some(value).ok_or(IdRule::HkMacauPermitFormat)
        }
        IdType::TaiwanPermit => {
            let ok = matches!(value.len(), 8 | 10) && all(&value, u8::is_ascii_digit);
            ok.then_some(value).ok_or(IdRule::TaiwanPermitFormat)
        }
        IdType::ForeignPermanent => {
            let old_style = value.is_ascii()
                && value.len() == 15
                && all(&value[..3], u8::is_ascii_uppercase)
                && all(&value[3..], u8::is_ascii_digit);
            // The 2023 card: 18 characters starting with 9, checked like a resident ID.
            let new_style = value.is_ascii()
                && value.len() == 18
                && value.starts_with('9')
                && all(&value[..17], u8::is_ascii_digit)
                && value.ends_with(resident_check_char(&value.as_bytes()[..17]));
            (old_style || new_style)
                .then_some(value)
                .ok_or(IdRule::ForeignPermanentFormat)
        }
    }
}

/// Mainland mobile numbers, `^1[3-9]\d{9}$` (loose on purpose: carriers add prefixes).
/// Spaces and dashes are dropped, and a leading +86 or 86.
pub fn parse_mobile(raw: &str) -> Result<String, IdRule> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&digits);
    let b = digits.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    ok.then(|| digits.to_string()).ok_or(IdRule::PhoneFormat)
}

/// A plausible e-mail address: one @, something before it, a dotted domain after it.
pub fn parse_email(raw: &str) -> Result<String, IdRule> {
    let email = raw.trim().to_lowercase();
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.len() <= 254
        }
        None => false,
    };
    ok.then_some(email).ok_or(IdRule::EmailFormat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn the_design_examples_check_out() {
        let a = parse_resident_id("11010519491231002X", today()).unwrap();
        assert_eq!(a.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(a.gender, Gender::Female);
        let b = parse_resident_id("44011320141005001x", today()).unwrap();
        assert_eq!(b.number, "44011320141005001X");
        assert_eq!(b.gender, Gender::Male);
        assert_eq!(
            parse_resident_id("36042619910102009X", today()),
            Err(IdRule::ResidentCheck)
        );
        assert_eq!(
            parse_uscc("91110000600037341L").unwrap(),
            "91110000600037341L"
        );
        assert_eq!(parse_uscc("91110000600037341M"), Err(IdRule::UsccCheck));
    }

    #[test]
    fn resident_id_rules_each_have_a_case() {
        let cases = [
            ("1101051949123100", IdRule::ResidentLength),
            ("110105491231002", IdRule::ResidentLegacy),
            ("11010519491231002Y", IdRule::ResidentCharacters),
            ("99010519491231002X", IdRule::ResidentRegion),
            ("11010519490231002X", IdRule::ResidentDate),
            ("110105", IdRule::ResidentLength),
        ];
        for (raw, rule) in cases {
            assert_eq!(parse_resident_id(raw, today()), Err(rule), "{raw}");
        }
        // A real date in the future, with a correct check character.
        let body = b"11010520270101001";
        let future = format!(
            "{}{}",
            std::str::from_utf8(body).unwrap(),
            resident_check_char(body)
        );
        assert_eq!(
            parse_resident_id(&future, today()),
            Err(IdRule::ResidentFuture)
        );
        // 29 February only in leap years.
        let body = b"11010520000229001";
        let leap = format!(
            "{}{}",
            std::str::from_utf8(body).unwrap(),
            resident_check_char(body)
        );
        assert!(parse_resident_id(&leap, today()).is_ok());
        let body = b"11010519990229001";
        let common = format!(
            "{}{}",
            std::str::from_utf8(body).unwrap(),
            resident_check_char(body)
        );
        assert_eq!(
            parse_resident_id(&common, today()),
            Err(IdRule::ResidentDate)
        );
    }

    #[test]
    fn other_documents() {
        let t = today();
        assert_eq!(
            parse_document(IdType::Passport, "e1234 5678", t).unwrap(),
            "E12345678"
        );
        assert!(parse_document(IdType::Passport, "ABCDEFG", t).is_err());
        assert!(parse_document(IdType::HkMacauPermit, "H12345678", t).is_ok());
        assert!(parse_document(IdType::HkMacauPermit, "X12345678", t).is_err());
        assert!(parse_document(IdType::TaiwanPermit, "12345678", t).is_ok());
        assert!(parse_document(IdType::TaiwanPermit, "1234567", t).is_err());
        assert!(parse_document(IdType::ForeignPermanent, "USA110012345678", t).is_ok());
        let body = b"93311019800101123";
        let new_card = format!(
            "{}{}",
            std::str::from_utf8(body).unwrap(),
            resident_check_char(body)
        );
        assert!(parse_document(IdType::ForeignPermanent, &new_card, t).is_ok());
        assert!(parse_document(IdType::ForeignPermanent, "USA11001234567", t).is_err());
    }

    #[test]
    fn mobiles_and_emails() {
        assert_eq!(parse_mobile("138 1234 5678").unwrap(), "13812345678");
        assert_eq!(parse_mobile("+86 138-1234-5678").unwrap(), "13812345678");
        assert_eq!(parse_mobile("8613812345678").unwrap(), "13812345678");
        for bad in [
            "1381234567",
            "12812345678",
            "23812345678",
            "1381234567x",
            "",
        ] {
            assert_eq!(parse_mobile(bad), Err(IdRule::PhoneFormat), "{bad}");
        }
        assert_eq!(
            parse_email(" Wang.Fang@Example.COM ").unwrap(),
            "wang.fang@example.com"
        );
        for bad in ["wang", "@x.cn", "a@b", "a@.cn", "a b@c.cn", "a@b@c.cn"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_computed_check_character_always_validates(
            region in prop::sample::select(PROVINCES.to_vec()),
            rest in 0u32..10_000,
            days in 0i64..40_000,
            seq in 0u32..1000,
        ) {
            let birth = NaiveDate::from_ymd_opt(1915, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(birth <= today());
            let body = format!("{region:02}{rest:04}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{body}{}", resident_check_char(body.as_bytes()));
            let parsed = parse_resident_id(&id, today()).unwrap();
            prop_assert_eq!(parsed.birth_date, birth);
            // Changing any one digit of the body breaks it.
            let mut broken = id.clone().into_bytes();
            broken[16] = if broken[16] == b'9' { b'0' } else { broken[16] + 1 };
            let broken = String::from_utf8(broken).unwrap();
            prop_assert!(parse_resident_id(&broken, today()).is_err());
        }

        #[test]
        fn uscc_check_round_trips(body in "[0-9A-HJ-NPQRTUWXY]{17}") {
            let check = uscc_check_char(body.as_bytes()).unwrap();
            let code = format!("{body}{check}");
            prop_assert_eq!(parse_uscc(&code), Ok(code.clone()));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_resident_id(&s, today());
            let _ = parse_uscc(&s);
            let _ = parse_mobile(&s);
            let _ = parse_email(&s);
            for t in IdType::ALL {
                let _ = parse_document(t, &s, today());
            }
        }
    }
}
