//! Masking of personal data, in one place (display convention in line with JR/T 0171-2020
//! Annex A): phone `138****5678`, ID number first 3 + last 4, card first 6 + last 4, names as
//! surname + `*`.

use super::names::split_surname;
use crate::domain::staff::Role;

/// How much of a client's personal data a staff member sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Full,
    Masked,
}

/// Who sees what: a manager sees every client in full, a relationship manager their own
/// clients, everyone else masked data (they may reveal one client with a reason).
pub fn visibility(role: Role, me: &str, assigned_rm: Option<&str>) -> Visibility {
    match role {
        Role::Manager => Visibility::Full,
        Role::Rm if assigned_rm == Some(me) => Visibility::Full,
        _ => Visibility::Masked,
    }
}

/// The shortest reason (in characters, trimmed) for revealing a client's full record: one
/// character says nothing an auditor could check.
pub const REVEAL_REASON_MIN_CHARS: usize = 2;

/// Whether `reason` (trimmed) may go into the audit trail as the reason for a reveal.
pub fn is_valid_reveal_reason(reason: &str) -> bool {
    reason.chars().count() >= REVEAL_REASON_MIN_CHARS
        && crate::domain::text::fault(crate::domain::text::TextKind::Line, reason).is_none()
}

fn keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `13812345678` → `138****5678`.
pub fn phone(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `11010519491231002X` → `110***********002X`.
pub fn id_number(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `6222021234567890123` → `622202*********0123`.
pub fn card(value: &str) -> String {
    keep_ends(value, 6, 4)
}

/// `王芳` → `王*`, `欧阳娜娜` → `欧阳*`, `John Smith` → `John *`, `Madonna` → `M*`.
pub fn name(value: &str) -> String {
    let (surname, given) = split_surname(value);
    if super::names::has_cjk(value) {
        format!("{surname}*")
    } else if given.is_empty() {
        let first: String = value.trim().chars().take(1).collect();
        format!("{first}*")
    } else {
        format!("{surname} *")
    }
}

/// A name as `visibility` shows it: in full, or masked as [`name`] does.
pub fn name_as(value: &str, visibility: Visibility) -> String {
    match visibility {
        Visibility::Full => value.to_string(),
        Visibility::Masked => name(value),
    }
}

/// `wang.fang@example.com` → `w***@example.com`.
pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "*".repeat(value.chars().count()),
    }
}

/// An address shows its first six characters (the district), the rest hidden.
pub fn address(value: &str) -> String {
    let shown: String = value.chars().take(6).collect();
    if value.chars().count() > 6 {
        format!("{shown}****")
    } else {
        shown
    }
}

/// A birth date shows only the year.
pub fn birth_date(value: &str) -> String {
    match value.get(..4) {
        Some(year) => format!("{year}-**-**"),
        None => "****".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_conventions() {
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(id_number("11010519491231002X"), "110***********002X");
        assert_eq!(card("6222021234567890123"), "622202*********0123");
        assert_eq!(name("王芳"), "王*");
        assert_eq!(name("欧阳娜娜"), "欧阳*");
        assert_eq!(name("John Smith"), "John *");
        assert_eq!(email("wang.fang@example.com"), "w***@example.com");
        assert_eq!(address("北京市西城区西单北大街120号"), "北京市西城区****");
        assert_eq!(birth_date("1949-12-31"), "1949-**-**");
        assert_eq!(phone("123"), "***");
    }

    #[test]
    fn who_sees_what() {
        assert_eq!(
            visibility(Role::Teller, "t1", Some("t1")),
            Visibility::Masked
        );
        assert_eq!(visibility(Role::Rm, "rm01", Some("rm01")), Visibility::Full);
        assert_eq!(
            visibility(Role::Rm, "rm01", Some("rm02")),
            Visibility::Masked
        );
        assert_eq!(visibility(Role::Rm, "rm01", None), Visibility::Masked);
        assert_eq!(visibility(Role::Manager, "m", None), Visibility::Full);
        assert_eq!(visibility(Role::Auditor, "a", None), Visibility::Masked);
    }

    proptest! {
        #[test]
        fn masks_never_show_the_middle_and_keep_the_length(digits in "[0-9]{8,20}") {
            let masked = phone(&digits);
            prop_assert_eq!(masked.chars().count(), digits.chars().count());
            prop_assert_eq!(&masked[..3], &digits[..3]);
            prop_assert!(masked[3..masked.len() - 4].chars().all(|c| c == '*'));
            let masked = id_number(&digits);
            prop_assert_eq!(&masked[masked.len() - 4..], &digits[digits.len() - 4..]);
        }

        #[test]
        fn masking_never_panics(s in "\\PC{0,30}") {
            let _ = (phone(&s), id_number(&s), card(&s), name(&s), email(&s), address(&s), birth_date(&s));
        }
    }
}
