//! Branch identity.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchRuleError {
    CodeFormat,
    NameEmpty,
    NameTooLong,
    NameControlChars,
    NameInvisible,
    ContactInvalid,
}

impl BranchRuleError {
    pub fn message_key(self) -> &'static str {
        match self {
            BranchRuleError::CodeFormat => "rule.branch_code_format",
            BranchRuleError::NameEmpty => "rule.branch_name_empty",
            BranchRuleError::NameTooLong => "rule.branch_name_too_long",
            BranchRuleError::NameControlChars => "rule.branch_name_control",
            BranchRuleError::NameInvisible => "rule.branch_name_invisible",
            BranchRuleError::ContactInvalid => "rule.branch_contact",
        }
    }
}

/// A branch code: 2–16 characters of A–Z, 0–9 and `-`, stored uppercase. It names bundles
/// and receipt numbers, so it must be safe in a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BranchCode(String);

impl BranchCode {
    pub fn parse(raw: &str) -> Result<BranchCode, BranchRuleError> {
        let code = raw.trim().to_ascii_uppercase();
        let ok = (2..=16).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-');
        if ok {
            Ok(BranchCode(code))
        } else {
            Err(BranchRuleError::CodeFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` is a whole client number (`BJ0101-0000123`: a branch code, a dash and
/// seven digits), as opposed to a name or phone number to look a client up by.
pub fn is_client_no(text: &str) -> bool {
    let text = text.trim();
    text.rsplit_once('-').is_some_and(|(branch, seq)| {
        seq.len() == 7
            && seq.bytes().all(|b| b.is_ascii_digit())
            && BranchCode::parse(branch).is_ok_and(|code| code.as_str() == branch)
    })
}

pub fn validate_branch_name(raw: &str) -> Result<String, BranchRuleError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(BranchRuleError::NameEmpty);
    }
    match crate::domain::text::fault(crate::domain::text::TextKind::Name, name) {
        Some(crate::domain::text::TextFault::Control) => {
            return Err(BranchRuleError::NameControlChars);
        }
        Some(crate::domain::text::TextFault::Invisible) => {
            return Err(BranchRuleError::NameInvisible);
        }
        None => {}
    }
    if name.chars().count() > 40 {
        return Err(BranchRuleError::NameTooLong);
    }
    Ok(name.to_string())
}

/// The branch contact printed on complaint slips (phone, hours, address): one line.
pub fn validate_branch_contact(raw: &str) -> Result<String, BranchRuleError> {
    let contact = raw.trim();
    let faulty = crate::domain::text::fault(crate::domain::text::TextKind::Line, contact).is_some();
    if contact.is_empty() || contact.chars().count() > 80 || faulty {
        return Err(BranchRuleError::ContactInvalid);
    }
    Ok(contact.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_codes() {
        assert_eq!(BranchCode::parse(" bj-0101 ").unwrap().as_str(), "BJ-0101");
        for bad in ["", "x", "-AB", "北京", "AB CD", "A/B", &"A".repeat(17)] {
            assert_eq!(
                BranchCode::parse(bad),
                Err(BranchRuleError::CodeFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn client_numbers_and_what_is_looked_up_instead() {
        assert!(is_client_no("BJ0101-0000123"));
        assert!(is_client_no(" DEMO-01-0000001 "));
        for other in [
            "王芳",
            "5678",
            "BJ0101-123",
            "BJ0101-00001234",
            "-0000123",
            "bj0101-0000123",
        ] {
            assert!(!is_client_no(other), "{other}");
        }
    }

    #[test]
    fn branch_names() {
        assert_eq!(
            validate_branch_name(" 北京西单支行 ").unwrap(),
            "北京西单支行"
        );
        assert_eq!(validate_branch_name(""), Err(BranchRuleError::NameEmpty));
        assert_eq!(
            validate_branch_name(&"行".repeat(41)),
            Err(BranchRuleError::NameTooLong)
        );
    }
}
