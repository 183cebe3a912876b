//! What a branch is warned of on F6 and by `sync status`: no HQ yet, nothing sent for too
//! long, an outbox grown large, a clock behind HQ's.

use crate::i18n::I18n;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncWarning {
    NoHqKeys,
    NeverExported,
    NotExportedFor {
        days: i64,
    },
    OutboxLarge {
        mib: i64,
    },
    ClockBehind {
        minutes: i64,
    },
    /// Client records on the review list (an edit here replaced by a later one elsewhere,
    /// or a client of HQ's clashing with one here).
    ClientsToReview {
        entries: i64,
    },
}

impl SyncWarning {
    /// One sentence (F6 and `sync status` say the same).
    pub fn message(&self, i18n: &I18n) -> String {
        match self {
            SyncWarning::NoHqKeys => i18n.t("sync.warn.no_hq").to_string(),
            SyncWarning::NeverExported => i18n.t("sync.warn.never_exported").to_string(),
            SyncWarning::NotExportedFor { days } => {
                i18n.fill("sync.warn.not_exported", &[("days", &days.to_string())])
            }
            SyncWarning::OutboxLarge { mib } => {
                i18n.fill("sync.warn.outbox_large", &[("mib", &mib.to_string())])
            }
            SyncWarning::ClockBehind { minutes } => i18n.fill(
                "sync.warn.clock_behind",
                &[("minutes", &minutes.to_string())],
            ),
            SyncWarning::ClientsToReview { entries } => i18n.fill(
                "sync.warn.clients_to_review",
                &[("entries", &entries.to_string())],
            ),
        }
    }
}
