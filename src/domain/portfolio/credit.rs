//! Credit early warning: a loan's days past due and its five-category classification
//! (贷款五级分类: 正常 / 关注 / 次级 / 可疑 / 损失) as HQ's holdings extract carries them, and
//! the warning a move between two snapshots gives — a loan becoming overdue, or moving down
//! a category — and when a warning is over (the loan is current and normal again).

use serde::{Deserialize, Serialize};

/// The five-category classification of a loan, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanClass {
    Normal,
    SpecialMention,
    Substandard,
    Doubtful,
    Loss,
}

impl LoanClass {
    pub const ALL: [LoanClass; 5] = [
        LoanClass::Normal,
        LoanClass::SpecialMention,
        LoanClass::Substandard,
        LoanClass::Doubtful,
        LoanClass::Loss,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LoanClass::Normal => "normal",
            LoanClass::SpecialMention => "special_mention",
            LoanClass::Substandard => "substandard",
            LoanClass::Doubtful => "doubtful",
            LoanClass::Loss => "loss",
        }
    }

    pub fn from_code(code: &str) -> Option<LoanClass> {
        LoanClass::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A classification as an extract writes it: the Chinese name (正常, 关注类 …), the
    /// English code or name, or its number 1–5.
    pub fn parse(text: &str) -> Option<LoanClass> {
        let text = text.trim().trim_end_matches('类');
        let plain = text.to_lowercase().replace([' ', '-'], "_");
        Some(match plain.as_str() {
            "正常" | "normal" | "pass" | "1" => LoanClass::Normal,
            "关注" | "special_mention" | "2" => LoanClass::SpecialMention,
            "次级" | "substandard" | "3" => LoanClass::Substandard,
            "可疑" | "doubtful" | "4" => LoanClass::Doubtful,
            "损失" | "loss" | "5" => LoanClass::Loss,
            _ => return None,
        })
    }
}

/// A loan's standing in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanStanding {
    pub days_past_due: u32,
    pub class: LoanClass,
}

impl LoanStanding {
    /// A loan as the extract gives it: a missing figure counts as current, or normal.
    pub fn of(days_past_due: Option<u32>, class: Option<LoanClass>) -> LoanStanding {
        LoanStanding {
            days_past_due: days_past_due.unwrap_or(0),
            class: class.unwrap_or(LoanClass::Normal),
        }
    }

    /// Current and normal: nothing to warn of.
    pub fn is_sound(self) -> bool {
        self.days_past_due == 0 && self.class == LoanClass::Normal
    }
}

/// What changed for the worse between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditMove {
    /// The loan was current and is now past due.
    pub overdue_began: bool,
    /// The classification before, when it moved down.
    pub moved_from: Option<LoanClass>,
}

/// The warning a loan's move gives, if any. A loan HQ reported no figures for before (a
/// new loan, or the first extract that carries them) is compared with a sound one: an
/// overdue or classified loan is news the first time the branch sees it.
pub fn warning(before: Option<LoanStanding>, now: LoanStanding) -> Option<CreditMove> {
    let before = before.unwrap_or(LoanStanding::of(None, None));
    let overdue_began = before.days_past_due == 0 && now.days_past_due > 0;
    let moved_from = (now.class > before.class).then_some(before.class);
    (overdue_began || moved_from.is_some()).then_some(CreditMove {
        overdue_began,
        moved_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(days: u32, class: LoanClass) -> LoanStanding {
        LoanStanding {
            days_past_due: days,
            class,
        }
    }

    #[test]
    fn classes_are_read_in_chinese_english_or_by_number() {
        assert_eq!(LoanClass::parse("关注类"), Some(LoanClass::SpecialMention));
        assert_eq!(LoanClass::parse("次级"), Some(LoanClass::Substandard));
        assert_eq!(
            LoanClass::parse(" Special Mention "),
            Some(LoanClass::SpecialMention)
        );
        assert_eq!(LoanClass::parse("5"), Some(LoanClass::Loss));
        assert_eq!(LoanClass::parse("doubtful"), Some(LoanClass::Doubtful));
        assert_eq!(LoanClass::parse("正常"), Some(LoanClass::Normal));
        for bad in ["", "6", "bad", "类"] {
            assert_eq!(LoanClass::parse(bad), None, "{bad:?}");
        }
        for class in LoanClass::ALL {
            assert_eq!(LoanClass::from_code(class.code()), Some(class));
        }
    }

    #[test]
    fn a_loan_becoming_overdue_warns() {
        let found = warning(
            Some(standing(0, LoanClass::Normal)),
            standing(15, LoanClass::Normal),
        );
        assert_eq!(
            found,
            Some(CreditMove {
                overdue_began: true,
                moved_from: None
            })
        );
        // Still overdue, longer: no new warning.
        assert_eq!(
            warning(
                Some(standing(15, LoanClass::Normal)),
                standing(45, LoanClass::Normal)
            ),
            None
        );
    }

    #[test]
    fn a_loan_moving_down_a_category_warns_with_where_it_was() {
        let found = warning(
            Some(standing(45, LoanClass::SpecialMention)),
            standing(95, LoanClass::Substandard),
        );
        assert_eq!(
            found,
            Some(CreditMove {
                overdue_began: false,
                moved_from: Some(LoanClass::SpecialMention)
            })
        );
        // Both at once.
        assert_eq!(
            warning(
                Some(standing(0, LoanClass::Normal)),
                standing(31, LoanClass::SpecialMention)
            ),
            Some(CreditMove {
                overdue_began: true,
                moved_from: Some(LoanClass::Normal)
            })
        );
        // Moving up, or staying, is no warning.
        assert_eq!(
            warning(
                Some(standing(0, LoanClass::Substandard)),
                standing(0, LoanClass::SpecialMention)
            ),
            None
        );
    }

    #[test]
    fn a_loan_first_seen_bad_warns_and_a_sound_one_does_not() {
        assert_eq!(warning(None, standing(0, LoanClass::Normal)), None);
        assert_eq!(
            warning(None, standing(100, LoanClass::Doubtful)),
            Some(CreditMove {
                overdue_began: true,
                moved_from: Some(LoanClass::Normal)
            })
        );
        assert!(standing(0, LoanClass::Normal).is_sound());
        assert!(!standing(1, LoanClass::Normal).is_sound());
        assert!(!standing(0, LoanClass::SpecialMention).is_sound());
    }
}
