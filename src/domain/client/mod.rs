//! Clients: the record, and the rules every way of entering one (form, CSV, command line)
//! goes through.

mod validate;
pub use validate::*;

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
    /// A direction override or a zero-width character in a name.
    InvisibleCharacters,
    Id {
        id: IdRule,
    },
    DateFormat,
    /// 长期 typed for a document that always has an end date (a passport, a permit).
    LongTermNotAllowed,
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

impl From<crate::domain::text::TextFault> for ClientRule {
    fn from(fault: crate::domain::text::TextFault) -> ClientRule {
        match fault {
            crate::domain::text::TextFault::Control => ClientRule::ControlCharacters,
            crate::domain::text::TextFault::Invisible => ClientRule::InvisibleCharacters,
        }
    }
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

/// How long an identity document is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdExpiry {
    /// Not recorded: the record asks for it (no expiry reminder can fire).
    Unknown,
    /// 长期: no end date (an ID card issued after 46, a company's open-ended licence).
    LongTerm,
    On(NaiveDate),
}

impl IdExpiry {
    /// What the store keeps: nothing, `long_term`, or the date.
    pub fn stored(self) -> Option<String> {
        match self {
            IdExpiry::Unknown => None,
            IdExpiry::LongTerm => Some(LONG_TERM.into()),
            IdExpiry::On(date) => Some(date.to_string()),
        }
    }

    /// The stored text read back; None for text that is neither.
    pub fn from_stored(text: Option<&str>) -> Option<IdExpiry> {
        match text {
            None => Some(IdExpiry::Unknown),
            Some(LONG_TERM) => Some(IdExpiry::LongTerm),
            Some(date) => date.parse().ok().map(IdExpiry::On),
        }
    }

    pub fn date(self) -> Option<NaiveDate> {
        match self {
            IdExpiry::On(date) => Some(date),
            _ => None,
        }
    }
}

/// Where a document stands on a day: what the record says of it, and how loudly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStanding {
    Unknown,
    LongTerm,
    Valid(NaiveDate),
    /// Within the notice period: days left.
    Soon(NaiveDate, i64),
    Expired(NaiveDate),
}

impl ExpiryStanding {
    /// The standing of a stored expiry (`long_term`, a date, or none) on `today`.
    pub fn of(stored: Option<&str>, today: NaiveDate) -> ExpiryStanding {
        match IdExpiry::from_stored(stored) {
            Some(IdExpiry::LongTerm) => ExpiryStanding::LongTerm,
            Some(IdExpiry::On(date)) if date < today => ExpiryStanding::Expired(date),
            Some(IdExpiry::On(date)) => {
                let left = (date - today).num_days();
                if left <= crate::domain::care::EXPIRY_NOTICE_DAYS {
                    ExpiryStanding::Soon(date, left)
                } else {
                    ExpiryStanding::Valid(date)
                }
            }
            Some(IdExpiry::Unknown) | None => ExpiryStanding::Unknown,
        }
    }
}

/// How a long-term document is written where a date would stand.
pub const LONG_TERM: &str = "long_term";

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
    pub id_expiry: IdExpiry,
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
            id_expiry: match self.id_expiry {
                IdExpiry::LongTerm => "long-term".into(),
                other => date(other.date()),
            },
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

/// A client as one staff member sees it: personal data — the name too — masked unless they
/// may see it in full (see [`mask::visibility`]) or revealed it with a reason.
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
    /// The date, `long_term`, or none when not recorded.
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
    /// The tier HQ's latest holdings snapshot gives (none before one): what the record
    /// shows, rather than the hand-typed `tier`. Every role sees it; balances stay behind.
    pub tier_now: Option<crate::domain::portfolio::tiers::TierLabel>,
    /// The latest risk assessment's level and its last valid day (none: not assessed).
    pub assessed: Option<(u8, chrono::NaiveDate)>,
    /// The AML line: the restriction and closure every role sees; the level, its factors
    /// and the next review for those who see ratings.
    pub aml: crate::domain::aml::RiskLine,
    /// The client's points, for staff who see them (none otherwise).
    pub points: Option<crate::domain::loyalty::PointsLine>,
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
            id_expiry: match self.id_expiry.as_deref() {
                Some(LONG_TERM) => "long-term".into(),
                other => other.unwrap_or_default().into(),
            },
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
            name: if full {
                r.name.clone()
            } else {
                mask::name(&r.name)
            },
            gender: r.gender,
            birth_date: shown(&birth, mask::birth_date),
            birth_calendar: r.birth_calendar,
            id_type: r.id_type,
            id_number: if full {
                r.id_number.clone()
            } else {
                mask::id_number(&r.id_number)
            },
            id_expiry: r.id_expiry.stored(),
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
            tier_now: None,
            assessed: None,
            aml: Default::default(),
            points: None,
        }
    }
}

#[cfg(test)]
mod tests;
