//! Staff accounts, roles and what each role may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Shortest passphrase accepted for a real store (the demo store's shared passphrase is
/// public by design and says so on the login screen).
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// The passphrase every demo store's staff share. Public by design: a demo store holds
/// synthetic clients only, and says so on every screen.
pub const DEMO_PASSPHRASE: &str = "branchdesk-demo";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Teller,
    Rm,
    Manager,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Teller,
        Role::Rm,
        Role::Manager,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Teller => "teller",
            Role::Rm => "rm",
            Role::Manager => "manager",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// The single table of who may do what. Checked by the store, not only by screens.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ManageStaff => matches!(self, Admin),
            ViewStaff => matches!(self, Admin | Manager | Auditor),
            ViewAudit => matches!(self, Auditor | Manager | Admin),
            Backup => matches!(self, Admin | Manager),
            // A restore can undo anyone's work (a disablement among it): administrators only.
            Restore => matches!(self, Admin),
            CheckStore => matches!(self, Admin | Manager | Auditor),
            ViewClients => matches!(self, Teller | Rm | Manager | Auditor),
            EditClients => matches!(self, Teller | Rm | Manager),
            ImportClients => matches!(self, Manager),
            // Auditors read what others saw: masked, never revealed.
            RevealClient => matches!(self, Teller | Rm | Manager),
            ViewComplaints => matches!(self, Teller | Rm | Manager | Auditor),
            RegisterComplaint => matches!(self, Teller | Rm | Manager),
            ManageComplaints => matches!(self, Manager),
            ManageBranch => matches!(self, Admin | Manager),
            ViewCare => matches!(self, Rm | Manager | Auditor),
            ActOnCare => matches!(self, Rm | Manager),
            EnterSurvey => matches!(self, Teller | Rm | Manager),
            ViewSurveyStats => matches!(self, Rm | Manager | Auditor),
            ExportSync => matches!(self, Manager),
            ShareKeys => matches!(self, Admin | Manager),
            // Which HQ the branch's changes go to is an administrator's decision.
            TrustHq => matches!(self, Admin),
            ApplyReference => matches!(self, Manager),
            RunHq => matches!(self, Admin | Manager),
            ViewSync => matches!(self, Admin | Manager | Auditor),
            // Balances are personal data shown in full: an RM's own clients, a manager's
            // branch (auditors read masked).
            ViewPortfolio => matches!(self, Rm | Manager),
            // AML ratings: RMs their own clients', managers the branch's, auditors read.
            ViewRisk => matches!(self, Rm | Manager | Auditor),
            // Rating at the computed level and reviewing (kept, raised by evidence, lowered
            // unless from the highest level).
            RateRisk => matches!(self, Rm | Manager),
            // A level above the computed one, lowering from the highest, approving a lower
            // level as the second manager, lifting a restriction for the day.
            OverrideRisk => matches!(self, Manager),
            // Ending a relationship, and deleting a record after the retention period.
            CloseClient => matches!(self, Manager),
            // Loyalty points: read at the counter and by auditors; earned and redeemed at
            // the counter; reversed and adjusted by managers only.
            ViewPoints => matches!(self, Teller | Rm | Manager | Auditor),
            UsePoints => matches!(self, Teller | Rm | Manager),
            CorrectPoints => matches!(self, Manager),
            // Branch events are the RMs' work with their clients (and reached from the
            // agenda, F4): run and answered by RMs and managers, seen by auditors.
            ViewEvents => matches!(self, Rm | Manager | Auditor),
            RunEvents => matches!(self, Rm | Manager),
            AnswerEvents => matches!(self, Rm | Manager),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = StaffRuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.code().eq_ignore_ascii_case(s.trim()))
            .ok_or(StaffRuleError::UnknownRole)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    ManageStaff,
    ViewStaff,
    ViewAudit,
    Backup,
    Restore,
    CheckStore,
    ViewClients,
    EditClients,
    ImportClients,
    RevealClient,
    ViewComplaints,
    RegisterComplaint,
    ManageComplaints,
    ManageBranch,
    ViewCare,
    ActOnCare,
    EnterSurvey,
    ViewSurveyStats,
    /// Write a bundle for HQ.
    ExportSync,
    /// Give out this store's public keys (for HQ, or at HQ for the branches).
    ShareKeys,
    /// Trust HQ's keys, or replace them with another HQ's.
    TrustHq,
    /// Apply HQ's reference data at a branch.
    ApplyReference,
    /// At HQ: register branches, import their bundles, publish reference data.
    RunHq,
    ViewSync,
    /// See a client's holdings, balances and AUM (tellers see the tier only).
    ViewPortfolio,
    /// See AML ratings, reviews and the risk desk.
    ViewRisk,
    /// Rate a client's AML risk and review it.
    RateRisk,
    /// Set a level above the computed one, lower from the highest, approve a lowering,
    /// lift a restriction.
    OverrideRisk,
    /// End a relationship; delete a record whose retention has passed.
    CloseClient,
    /// See a client's points.
    ViewPoints,
    /// Credit points by an earn rule, redeem catalogue items.
    UsePoints,
    /// Reverse an entry, adjust a balance, run the expiry.
    CorrectPoints,
    /// See the branch's events and their invitation lists.
    ViewEvents,
    /// Create an event, invite its audience, send the follow-up survey.
    RunEvents,
    /// Record a client's reply to an invitation, and who came.
    AnswerEvents,
}

impl Permission {
    pub const ALL: [Permission; 35] = [
        Permission::ManageStaff,
        Permission::ViewStaff,
        Permission::ViewAudit,
        Permission::Backup,
        Permission::Restore,
        Permission::CheckStore,
        Permission::ViewClients,
        Permission::EditClients,
        Permission::ImportClients,
        Permission::RevealClient,
        Permission::ViewComplaints,
        Permission::RegisterComplaint,
        Permission::ManageComplaints,
        Permission::ManageBranch,
        Permission::ViewCare,
        Permission::ActOnCare,
        Permission::EnterSurvey,
        Permission::ViewSurveyStats,
        Permission::ExportSync,
        Permission::ShareKeys,
        Permission::TrustHq,
        Permission::ApplyReference,
        Permission::RunHq,
        Permission::ViewSync,
        Permission::ViewPortfolio,
        Permission::ViewRisk,
        Permission::RateRisk,
        Permission::OverrideRisk,
        Permission::CloseClient,
        Permission::ViewPoints,
        Permission::UsePoints,
        Permission::CorrectPoints,
        Permission::ViewEvents,
        Permission::RunEvents,
        Permission::AnswerEvents,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::ManageStaff => "manage_staff",
            Permission::ViewStaff => "view_staff",
            Permission::ViewAudit => "view_audit",
            Permission::Backup => "backup",
            Permission::Restore => "restore",
            Permission::CheckStore => "check_store",
            Permission::ViewClients => "view_clients",
            Permission::EditClients => "edit_clients",
            Permission::ImportClients => "import_clients",
            Permission::RevealClient => "reveal_client",
            Permission::ViewComplaints => "view_complaints",
            Permission::RegisterComplaint => "register_complaint",
            Permission::ManageComplaints => "manage_complaints",
            Permission::ManageBranch => "manage_branch",
            Permission::ViewCare => "view_care",
            Permission::ActOnCare => "act_on_care",
            Permission::EnterSurvey => "enter_survey",
            Permission::ViewSurveyStats => "view_survey_stats",
            Permission::ExportSync => "export_sync",
            Permission::ShareKeys => "share_keys",
            Permission::TrustHq => "trust_hq",
            Permission::ApplyReference => "apply_reference",
            Permission::RunHq => "run_hq",
            Permission::ViewSync => "view_sync",
            Permission::ViewPortfolio => "view_portfolio",
            Permission::ViewRisk => "view_risk",
            Permission::RateRisk => "rate_risk",
            Permission::OverrideRisk => "override_risk",
            Permission::CloseClient => "close_client",
            Permission::ViewPoints => "view_points",
            Permission::UsePoints => "use_points",
            Permission::CorrectPoints => "correct_points",
            Permission::ViewEvents => "view_events",
            Permission::RunEvents => "run_events",
            Permission::AnswerEvents => "answer_events",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffStatus {
    Active,
    Disabled,
}

impl StaffStatus {
    pub fn code(self) -> &'static str {
        match self {
            StaffStatus::Active => "active",
            StaffStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(StaffStatus::Active),
            "disabled" => Some(StaffStatus::Disabled),
            _ => None,
        }
    }
}

/// A staff member as the rest of the program sees one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub status: StaffStatus,
}

/// Why a staff field was refused; each maps to one sentence in the UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRuleError {
    IdFormat,
    NameEmpty,
    NameTooLong,
    NameControlChars,
    NameInvisible,
    UnknownRole,
    PassphraseTooShort,
    PassphraseIsStaffId,
}

impl fmt::Display for StaffRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_key())
    }
}

impl StaffRuleError {
    /// The i18n key of the sentence that explains this rule.
    pub fn message_key(self) -> &'static str {
        match self {
            StaffRuleError::IdFormat => "rule.staff_id_format",
            StaffRuleError::NameEmpty => "rule.staff_name_empty",
            StaffRuleError::NameTooLong => "rule.staff_name_too_long",
            StaffRuleError::NameControlChars => "rule.staff_name_control",
            StaffRuleError::NameInvisible => "rule.staff_name_invisible",
            StaffRuleError::UnknownRole => "rule.unknown_role",
            StaffRuleError::PassphraseTooShort => "rule.passphrase_too_short",
            StaffRuleError::PassphraseIsStaffId => "rule.passphrase_is_staff_id",
        }
    }
}

/// A staff ID: 3–32 characters of lowercase ASCII letters, digits, `.`, `_` or `-`, starting
/// with a letter or digit. Stored lowercased so `Teller01` and `teller01` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StaffId(String);

impl StaffId {
    pub fn parse(raw: &str) -> Result<Self, StaffRuleError> {
        let id = raw.trim().to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        let starts_well = id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if (3..=32).contains(&id.len()) && starts_well && id.chars().all(allowed) {
            Ok(StaffId(id))
        } else {
            Err(StaffRuleError::IdFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StaffId {
    type Error = StaffRuleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        StaffId::parse(&value)
    }
}

impl From<StaffId> for String {
    fn from(id: StaffId) -> Self {
        id.0
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: 1–40 characters, no control characters. Returns the trimmed name.
pub fn validate_staff_name(raw: &str) -> Result<String, StaffRuleError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(StaffRuleError::NameEmpty);
    }
    if name.chars().count() > 40 {
        return Err(StaffRuleError::NameTooLong);
    }
    match crate::domain::text::fault(crate::domain::text::TextKind::Name, name) {
        Some(crate::domain::text::TextFault::Control) => Err(StaffRuleError::NameControlChars),
        Some(crate::domain::text::TextFault::Invisible) => Err(StaffRuleError::NameInvisible),
        None => Ok(name.to_string()),
    }
}

/// Passphrase policy for real stores. Length counts characters, so a Chinese passphrase is
/// measured fairly.
pub fn check_passphrase(passphrase: &str, staff_id: &StaffId) -> Result<(), StaffRuleError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StaffRuleError::PassphraseTooShort);
    }
    if passphrase.trim().eq_ignore_ascii_case(staff_id.as_str()) {
        return Err(StaffRuleError::PassphraseIsStaffId);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_ids_are_normalised_and_checked() {
        assert_eq!(StaffId::parse(" Teller01 ").unwrap().as_str(), "teller01");
        for bad in ["", "ab", "-abc", "有中文", "a b c", &"x".repeat(33)] {
            assert_eq!(
                StaffId::parse(bad),
                Err(StaffRuleError::IdFormat),
                "{bad:?}"
            );
        }
        assert!(StaffId::parse("zhang.san_01").is_ok());
    }

    #[test]
    fn only_admins_manage_staff_and_tellers_see_no_audit() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::ManageStaff), role == Role::Admin);
        }
        assert!(!Role::Teller.can(Permission::ViewAudit));
        assert!(!Role::Rm.can(Permission::Backup));
        assert!(Role::Auditor.can(Permission::ViewAudit));
        assert!(!Role::Auditor.can(Permission::Backup));
        // Administrators see no client data by default; auditors only read.
        assert!(!Role::Admin.can(Permission::ViewClients));
        assert!(!Role::Auditor.can(Permission::EditClients));
        assert!(Role::Teller.can(Permission::EditClients));
    }

    #[test]
    fn roles_parse_from_their_codes() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
        }
        assert_eq!("MANAGER".parse::<Role>(), Ok(Role::Manager));
        assert_eq!("boss".parse::<Role>(), Err(StaffRuleError::UnknownRole));
    }

    #[test]
    fn passphrase_policy_counts_characters_not_bytes() {
        let id = StaffId::parse("teller01").unwrap();
        assert_eq!(
            check_passphrase("short", &id),
            Err(StaffRuleError::PassphraseTooShort)
        );
        // 12 Chinese characters are 36 bytes but exactly 12 characters: accepted.
        assert!(check_passphrase("春眠不觉晓处处闻啼鸟夜来风", &id).is_ok());
        assert_eq!(
            check_passphrase("春眠不觉晓处处闻啼鸟夜", &id),
            Err(StaffRuleError::PassphraseTooShort)
        );
        let long_id = StaffId::parse("teller01teller01").unwrap();
        assert_eq!(
            check_passphrase("TELLER01TELLER01", &long_id),
            Err(StaffRuleError::PassphraseIsStaffId)
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_staff_name("  王芳 ").unwrap(), "王芳");
        assert_eq!(validate_staff_name("  "), Err(StaffRuleError::NameEmpty));
        assert_eq!(
            validate_staff_name(&"名".repeat(41)),
            Err(StaffRuleError::NameTooLong)
        );
        assert_eq!(
            validate_staff_name("a\u{7}b"),
            Err(StaffRuleError::NameControlChars)
        );
    }
}
