//! Clients: the record, and the rules every way of entering one (form, CSV, command line)
//! goes through.

use super::ids::{
    Gender, IdRule, IdType, parse_document, parse_email, parse_mobile, parse_resident_id,
};
use super::mask::{self, Visibility};
use super::staff::StaffId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    Person,
    Company,
}

impl ClientKind {
    pub fn code(self) -> &'static str {
        match self {
            ClientKind::Person => "person",
            ClientKind::Company => "company",
        }
    }

    pub fn parse(s: &str) -> Option<ClientKind> {
        match s.trim().to_lowercase().as_str() {
            "" | "person" | "individual" | "个人" | "自然人" => Some(ClientKind::Person),
            "company" | "corporate" | "企业" | "公司" | "对公" => Some(ClientKind::Company),
            _ => None,
        }
    }
}

/// Which calendar a client celebrates their birthday by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BirthCalendar {
    Solar,
    Lunar,
}

impl BirthCalendar {
    pub fn code(self) -> &'static str {
        match self {
            BirthCalendar::Solar => "solar",
            BirthCalendar::Lunar => "lunar",
        }
    }

    pub fn parse(s: &str) -> Option<BirthCalendar> {
        match s.trim().to_lowercase().as_str() {
            "" | "solar" | "公历" | "阳历" | "新历" => Some(BirthCalendar::Solar),
            "lunar" | "农历" | "阴历" | "旧历" => Some(BirthCalendar::Lunar),
            _ => None,
        }
    }
}

/// Relationship tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Standard,
    Gold,
    Platinum,
    Private,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Standard, Tier::Gold, Tier::Platinum, Tier::Private];

    pub fn code(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Gold => "gold",
            Tier::Platinum => "platinum",
            Tier::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        match s.trim().to_lowercase().as_str() {
            "" | "standard" | "普通" | "普卡" => Some(Tier::Standard),
            "gold" | "金卡" => Some(Tier::Gold),
            "platinum" | "白金" | "白金卡" => Some(Tier::Platinum),
            "private" | "私人银行" | "私行" => Some(Tier::Private),
            _ => None,
        }
    }
}

/// The fields of a client, for error messages (`client.field.<code>`) and forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientField {
    Kind,
    Name,
    Gender,
    BirthDate,
    BirthCalendar,
    IdType,
    IdNumber,
    IdExpiry,
    Phone,
    Email,
    Address,
    Occupation,
    AssignedRm,
    Tier,
    RiskLevel,
    Tags,
    ConsentMarketing,
}

impl ClientField {
    pub fn code(self) -> &'static str {
        match self {
            ClientField::Kind => "kind",
            ClientField::Name => "name",
            ClientField::Gender => "gender",
            ClientField::BirthDate => "birth_date",
            ClientField::BirthCalendar => "birth_calendar",
            ClientField::IdType => "id_type",
            ClientField::IdNumber => "id_number",
            ClientField::IdExpiry => "id_expiry",
            ClientField::Phone => "phone",
            ClientField::Email => "email",
            ClientField::Address => "address",
            ClientField::Occupation => "occupation",
            ClientField::AssignedRm => "assigned_rm",
            ClientField::Tier => "tier",
            ClientField::RiskLevel => "risk_level",
            ClientField::Tags => "tags",
            ClientField::ConsentMarketing => "consent_marketing",
        }
    }

    pub fn label_key(self) -> String {
        format!("client.field.{}", self.code())
    }
}

/// Why a field was refused (`rule.client.<code>`, or an ID rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum ClientRule {
    Required,
    TooLong {
        max: usize,
    },
    ControlCharacters,
    Id {
        id: IdRule,
    },
    DateFormat,
    FutureDate,
    TooOld,
    /// The typed birth date is not the one in the resident ID.
    BirthDateMismatch,
    /// The typed gender is not the one in the resident ID.
    GenderMismatch,
    UnknownKind,
    UnknownIdType,
    /// A person with a USCC, or a company with a personal document.
    IdTypeForKind,
    UnknownGender,
    UnknownCalendar,
    UnknownTier,
    RiskRange,
    TooManyTags,
    TagTooLong,
    YesNo,
    StaffIdFormat,
    NotForCompany,
    /// A typed lunar date with a month outside 1–12.
    LunarMonth,
    /// A leap month that the lunar year does not have.
    LunarLeapAbsent {
        year: i32,
        month: u8,
    },
    /// A day the lunar month does not have (day 30 of a 29-day month).
    LunarDay {
        days: u8,
    },
}

impl ClientRule {
    pub fn message_key(self) -> String {
        match self {
            ClientRule::Id { id } => id.message_key(),
            other => {
                let code = serde_json::to_value(other)
                    .ok()
                    .and_then(|v| v.get("rule").and_then(|r| r.as_str()).map(str::to_string))
                    .unwrap_or_default();
                format!("rule.client.{code}")
            }
        }
    }

    /// Placeholder values for the rule's sentence.
    pub fn args(self) -> Vec<(&'static str, String)> {
        match self {
            ClientRule::TooLong { max } => vec![("max", max.to_string())],
            ClientRule::LunarLeapAbsent { year, month } => {
                vec![("year", year.to_string()), ("month", month.to_string())]
            }
            ClientRule::LunarDay { days } => vec![("days", days.to_string())],
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: ClientField,
    #[serde(flatten)]
    pub rule: ClientRule,
}

/// A client as typed: every field as text, empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientInput {
    pub kind: String,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub birth_calendar: String,
    pub id_type: String,
    pub id_number: String,
    pub id_expiry: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub occupation: String,
    pub assigned_rm: String,
    pub tier: String,
    pub risk_level: String,
    pub tags: String,
    pub consent_marketing: String,
}

impl ClientInput {
    /// Each field with its value, in form order.
    pub fn fields(&self) -> [(ClientField, &String); 17] {
        [
            (ClientField::Kind, &self.kind),
            (ClientField::Name, &self.name),
            (ClientField::IdType, &self.id_type),
            (ClientField::IdNumber, &self.id_number),
            (ClientField::IdExpiry, &self.id_expiry),
            (ClientField::Gender, &self.gender),
            (ClientField::BirthDate, &self.birth_date),
            (ClientField::BirthCalendar, &self.birth_calendar),
            (ClientField::Phone, &self.phone),
            (ClientField::Email, &self.email),
            (ClientField::Address, &self.address),
            (ClientField::Occupation, &self.occupation),
            (ClientField::AssignedRm, &self.assigned_rm),
            (ClientField::Tier, &self.tier),
            (ClientField::RiskLevel, &self.risk_level),
            (ClientField::Tags, &self.tags),
            (ClientField::ConsentMarketing, &self.consent_marketing),
        ]
    }

    pub fn field_mut(&mut self, field: ClientField) -> &mut String {
        match field {
            ClientField::Kind => &mut self.kind,
            ClientField::Name => &mut self.name,
            ClientField::Gender => &mut self.gender,
            ClientField::BirthDate => &mut self.birth_date,
            ClientField::BirthCalendar => &mut self.birth_calendar,
            ClientField::IdType => &mut self.id_type,
            ClientField::IdNumber => &mut self.id_number,
            ClientField::IdExpiry => &mut self.id_expiry,
            ClientField::Phone => &mut self.phone,
            ClientField::Email => &mut self.email,
            ClientField::Address => &mut self.address,
            ClientField::Occupation => &mut self.occupation,
            ClientField::AssignedRm => &mut self.assigned_rm,
            ClientField::Tier => &mut self.tier,
            ClientField::RiskLevel => &mut self.risk_level,
            ClientField::Tags => &mut self.tags,
            ClientField::ConsentMarketing => &mut self.consent_marketing,
        }
    }
}

/// A checked client, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub kind: ClientKind,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub birth_calendar: BirthCalendar,
    pub id_type: IdType,
    pub id_number: String,
    /// None: no expiry (长期) or not known.
    pub id_expiry: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub occupation: Option<String>,
    pub assigned_rm: Option<String>,
    pub tier: Tier,
    /// Investor risk rating C1–C5.
    pub risk_level: Option<u8>,
    pub tags: Vec<String>,
    pub consent_marketing: bool,
}

impl ClientRecord {
    /// The record as typed text again (to fill an edit form).
    pub fn to_input(&self) -> ClientInput {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        ClientInput {
            kind: self.kind.code().into(),
            name: self.name.clone(),
            gender: self
                .gender
                .map(|g| g.code().to_string())
                .unwrap_or_default(),
            birth_date: date(self.birth_date),
            birth_calendar: self.birth_calendar.code().into(),
            id_type: self.id_type.code().into(),
            id_number: self.id_number.clone(),
            id_expiry: date(self.id_expiry),
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            occupation: self.occupation.clone().unwrap_or_default(),
            assigned_rm: self.assigned_rm.clone().unwrap_or_default(),
            tier: self.tier.code().into(),
            risk_level: self.risk_level.map(|r| r.to_string()).unwrap_or_default(),
            tags: self.tags.join(", "),
            consent_marketing: if self.consent_marketing { "yes" } else { "no" }.into(),
        }
    }
}

/// A stored client: the record plus what the store adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClient {
    pub id: String,
    pub client_no: String,
    pub home_branch: String,
    pub created_at: String,
    pub updated_at: String,
    pub record: ClientRecord,
}

/// A client as one staff member sees it: personal data masked unless they may see it in
/// full (see [`mask::visibility`]). The name shows in full here, on the client's own screen;
/// lists show it masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientView {
    pub id: String,
    pub client_no: String,
    pub kind: ClientKind,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<String>,
    pub birth_calendar: BirthCalendar,
    pub id_type: IdType,
    pub id_number: String,
    pub id_expiry: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub occupation: Option<String>,
    pub home_branch: String,
    pub assigned_rm: Option<String>,
    pub tier: Tier,
    pub risk_level: Option<u8>,
    pub tags: Vec<String>,
    pub consent_marketing: bool,
    pub created_at: String,
    pub updated_at: String,
    pub visibility: Visibility,
}

impl ClientView {
    /// The view as form text, to edit it. Only a full view gives the real values.
    pub fn to_input(&self) -> ClientInput {
        ClientInput {
            kind: self.kind.code().into(),
            name: self.name.clone(),
            gender: self
                .gender
                .map(|g| g.code().to_string())
                .unwrap_or_default(),
            birth_date: self.birth_date.clone().unwrap_or_default(),
            birth_calendar: self.birth_calendar.code().into(),
            id_type: self.id_type.code().into(),
            id_number: self.id_number.clone(),
            id_expiry: self.id_expiry.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            occupation: self.occupation.clone().unwrap_or_default(),
            assigned_rm: self.assigned_rm.clone().unwrap_or_default(),
            tier: self.tier.code().into(),
            risk_level: self.risk_level.map(|r| r.to_string()).unwrap_or_default(),
            tags: self.tags.join(", "),
            consent_marketing: if self.consent_marketing { "yes" } else { "no" }.into(),
        }
    }
}

impl StoredClient {
    pub fn view(&self, visibility: Visibility) -> ClientView {
        let r = &self.record;
        let full = visibility == Visibility::Full;
        let shown = |value: &Option<String>, masker: fn(&str) -> String| {
            value
                .as_deref()
                .map(|v| if full { v.to_string() } else { masker(v) })
        };
        let birth = r.birth_date.map(|d| d.to_string());
        ClientView {
            id: self.id.clone(),
            client_no: self.client_no.clone(),
            kind: r.kind,
            name: r.name.clone(),
            gender: r.gender,
            birth_date: shown(&birth, mask::birth_date),
            birth_calendar: r.birth_calendar,
            id_type: r.id_type,
            id_number: if full {
                r.id_number.clone()
            } else {
                mask::id_number(&r.id_number)
            },
            id_expiry: r.id_expiry.map(|d| d.to_string()),
            phone: shown(&r.phone, mask::phone),
            email: shown(&r.email, mask::email),
            address: shown(&r.address, mask::address),
            occupation: r.occupation.clone(),
            home_branch: self.home_branch.clone(),
            assigned_rm: r.assigned_rm.clone(),
            tier: r.tier,
            risk_level: r.risk_level,
            tags: r.tags.clone(),
            consent_marketing: r.consent_marketing,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            visibility,
        }
    }
}

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
    use super::lunar::{LunarRule, parse, to_solar};
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

fn text(raw: &str, max: usize) -> Result<Option<String>, ClientRule> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().any(char::is_control) {
        return Err(ClientRule::ControlCharacters);
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

    let name = text(&input.name, max_name);
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
        "" | "长期" | "long-term" | "long term" | "permanent" => Ok(None),
        other => parse_date(other).map(Some).ok_or(ClientRule::DateFormat),
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
    let address = text(&input.address, 120);
    check(
        ClientField::Address,
        address.as_ref().map(|_| ()).map_err(|r| *r),
    );
    let occupation = text(&input.occupation, 40);
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
    } else if tags
        .iter()
        .any(|t| t.chars().count() > 12 || t.chars().any(char::is_control))
    {
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
        id_expiry: id_expiry.ok().flatten(),
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

#[cfg(test)]
mod tests {
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
            .find(|m| super::super::lunar::month_days(2021, *m, false) == Some(29))
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
}
