//! The audit screen (F8): the hash-chained trail, newest first, loaded a page at a time as
//! the list scrolls, and a check of the whole chain.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::list::Selection;
use crate::app::screen::{Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::domain::audit::ChainVerdict;
use crate::i18n::I18n;
use crate::service::{AuditRow, Reply, Request};

pub const AUDIT_PAGE: u32 = 100;

/// Rows moved by PageUp/PageDown, and how close to the end the next page is fetched.
const PAGE_ROWS: usize = 20;

pub fn first_audit_page() -> Request {
    Request::AuditPage {
        before: None,
        limit: AUDIT_PAGE,
    }
}

#[derive(Debug, Default)]
pub struct AuditScreen {
    /// Newest first; pages are appended as the list is scrolled.
    pub rows: Vec<AuditRow>,
    pub selected: Selection,
    pub exhausted: bool,
    pub loading: bool,
    pub verdict: Option<ChainVerdict>,
}

impl AuditScreen {
    pub fn add_page(&mut self, before: Option<i64>, rows: Vec<AuditRow>) {
        if before.is_none() {
            self.rows.clear();
            self.selected = Selection::default();
        }
        self.exhausted = rows.len() < AUDIT_PAGE as usize;
        self.rows.extend(rows);
        self.loading = false;
    }
}

impl Screen for AuditScreen {
    fn keys(&self) -> ScreenKeys {
        ScreenKeys::Live(vec![Context::Audit, Context::List])
    }

    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        if self.rows.is_empty() && !self.exhausted {
            self.loading = true;
            return Outcome::Send(first_audit_page());
        }
        Outcome::None
    }

    fn on_command(&mut self, command: Command, _cx: &mut Ctx) -> Outcome {
        match command {
            Command::VerifyAudit => return Outcome::Send(Request::VerifyAudit),
            Command::Refresh => {
                self.loading = true;
                return Outcome::Send(first_audit_page());
            }
            _ => {}
        }
        if !self.selected.step(command, self.rows.len(), PAGE_ROWS) {
            return Outcome::None;
        }
        // Fetch the next page before the selection reaches the end of what is loaded.
        let near_end = self.selected.index + PAGE_ROWS >= self.rows.len();
        if near_end && !self.exhausted && !self.loading {
            self.loading = true;
            return Outcome::Send(Request::AuditPage {
                before: self.rows.last().map(|r| r.id),
                limit: AUDIT_PAGE,
            });
        }
        Outcome::None
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::AuditPage { before, rows } => self.add_page(before, rows),
            Reply::AuditVerdict(verdict) => {
                let (kind, text) = verdict_status(&verdict, cx.i18n);
                self.verdict = Some(verdict);
                cx.say(kind, text);
            }
            other => return Err(other),
        }
        Ok(Outcome::None)
    }
}

pub fn verdict_status(verdict: &ChainVerdict, i18n: &I18n) -> (StatusKind, String) {
    let kind = if verdict.is_intact() {
        StatusKind::Success
    } else {
        StatusKind::Error
    };
    (kind, crate::error::verdict_message(i18n, verdict))
}
