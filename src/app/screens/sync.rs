//! The sync screen (F6): what waits for HQ, the last export and acknowledgement, the
//! reference data in force, warnings; exporting a bundle (to the exports folder or a USB
//! stick) with a progress bar, and applying HQ's reference data. At HQ: the branches.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::app::screens::hq_reports::HqReports;
use crate::error::Error;
use crate::i18n::I18n;
use crate::service::{
    ExportReport, HoldingsApplied, Party, ReferenceReport, Reply, Request, SessionInfo, SyncView,
};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPromptKind {
    Export,
    Import,
}

#[derive(Debug)]
pub struct SyncPrompt {
    pub kind: SyncPromptKind,
    pub form: Form,
}

/// What the last action did, shown until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncResult {
    Exported(ExportReport),
    Applied(ReferenceReport),
    Holdings(HoldingsApplied),
}

#[derive(Debug, Default)]
pub struct SyncScreen {
    pub view: Option<SyncView>,
    pub loading: bool,
    pub prompt: Option<SyncPrompt>,
    /// The prompt as it was sent: if the export or import fails, it comes back with the
    /// reason, so the path can be corrected rather than typed again.
    sent: Option<SyncPrompt>,
    /// (done, total) of the running export, or of the last one (the bar stays, full).
    pub progress: Option<(u64, u64)>,
    pub running: bool,
    pub result: Option<SyncResult>,
    /// At HQ: the branches or one of the reports.
    pub reports: HqReports,
}

impl SyncScreen {
    pub fn load(&mut self) -> Request {
        self.loading = true;
        Request::SyncStatus
    }

    pub fn set_view(&mut self, view: SyncView) {
        self.view = Some(view);
        self.loading = false;
    }

    pub fn busy(&self) -> bool {
        self.running
    }

    /// Whether this is HQ's store (known once its state is read).
    pub fn at_hq(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| v.status.party == Party::Hq)
    }

    /// A branch store with nothing running: exports and reference imports may start.
    pub fn branch_idle(&self) -> bool {
        !self.running
            && self
                .view
                .as_ref()
                .is_some_and(|v| v.status.party == Party::Branch)
    }

    /// Asks where to write the bundle: the exports folder unless a stick's path is typed.
    pub fn start_export(&mut self) {
        if self.busy() {
            return;
        }
        let dir = self
            .view
            .as_ref()
            .map(|v| v.exports_dir.display().to_string())
            .unwrap_or_default();
        let form = Form::new(vec![Field::text("sync.field.dir", 400).with_text(&dir)]);
        self.prompt = Some(SyncPrompt {
            kind: SyncPromptKind::Export,
            form,
        });
    }

    /// Asks for HQ's reference file.
    pub fn start_import(&mut self) {
        if self.busy() {
            return;
        }
        let form = Form::new(vec![Field::text("sync.field.file", 400)]);
        self.prompt = Some(SyncPrompt {
            kind: SyncPromptKind::Import,
            form,
        });
    }

    fn submit_prompt(&mut self, i18n: &I18n) -> Option<Request> {
        let prompt = self.prompt.as_mut()?;
        let value = prompt.form.value(0).trim().to_string();
        if value.is_empty() {
            prompt
                .form
                .refuse(0, i18n.t("rule.care.required").to_string());
            return None;
        }
        let path = PathBuf::from(value);
        let request = match prompt.kind {
            SyncPromptKind::Export => {
                self.progress = Some((0, 0));
                self.running = true;
                Request::ExportBundle { dir: path }
            }
            SyncPromptKind::Import => {
                self.progress = None;
                self.running = true;
                Request::ImportReference { path }
            }
        };
        self.sent = self.prompt.take();
        self.result = None;
        Some(request)
    }

    pub fn on_progress(&mut self, done: u64, total: u64) {
        self.progress = Some((done, total));
    }

    /// What is running, if anything: an export, or applying a file from HQ.
    pub fn running_kind(&self) -> Option<SyncPromptKind> {
        self.running
            .then(|| self.sent.as_ref().map(|p| p.kind))
            .flatten()
    }

    /// After an export or an import: the result stays on screen; the state is asked again.
    pub fn finished(&mut self, result: SyncResult) -> Request {
        match (&result, self.progress) {
            // The bar stays, full, beside the result of an export.
            (SyncResult::Exported(_), Some((_, total))) => self.progress = Some((total, total)),
            (SyncResult::Exported(_), None) => {}
            _ => self.progress = None,
        }
        self.running = false;
        self.sent = None;
        self.result = Some(result);
        self.load()
    }

    /// The export or import was refused: the prompt comes back as it was sent, saying why.
    pub fn failed(&mut self, message: String) {
        self.running = false;
        self.progress = None;
        self.prompt = self.sent.take();
        if let Some(prompt) = self.prompt.as_mut() {
            prompt.form.error = Some(message);
        }
    }
}

impl Screen for SyncScreen {
    fn keys(&self) -> ScreenKeys {
        if self.prompt.is_some() {
            ScreenKeys::Live(vec![Context::Form])
        } else if self.at_hq() && self.reports.on_report() {
            ScreenKeys::Live(vec![Context::Sync, Context::List])
        } else {
            ScreenKeys::Live(vec![Context::Sync])
        }
    }

    fn form(&self) -> Option<&Form> {
        self.prompt.as_ref().map(|p| &p.form)
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        self.prompt.as_mut().map(|p| &mut p.form)
    }

    fn saves(&self) -> bool {
        self.prompt.is_some()
    }

    /// HQ neither exports to itself nor takes its own reference data; a branch has no HQ
    /// views, and the branches' view no period.
    fn offers(&self, command: Command, _session: &SessionInfo) -> bool {
        match command {
            Command::ExportBundle | Command::ImportReference => self
                .view
                .as_ref()
                .is_none_or(|v| v.status.party == Party::Branch),
            Command::PrevView | Command::NextView => self.at_hq(),
            Command::EarlierPeriod | Command::LaterPeriod => {
                self.at_hq() && self.reports.on_report()
            }
            _ => true,
        }
    }

    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        match command {
            Command::ExportBundle | Command::ImportReference => self.branch_idle(),
            _ => true,
        }
    }

    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load())
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        match command {
            Command::ExportBundle => self.start_export(),
            Command::ImportReference => self.start_import(),
            Command::Refresh if !self.reports.on_report() => return Outcome::Load(self.load()),
            _ if self.at_hq() => {
                if let Some(request) = self.reports.on_command(command, cx.today) {
                    return Outcome::Load(request);
                }
            }
            _ => {}
        }
        Outcome::None
    }

    fn submit(&mut self, _save: bool, cx: &mut Ctx) -> Outcome {
        Outcome::sending(self.submit_prompt(cx.i18n))
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        Back::closed(self.prompt.take().is_some())
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        let i18n = cx.i18n;
        let reply = match self.reports.on_reply(reply) {
            Ok(()) => return Ok(Outcome::None),
            Err(other) => other,
        };
        let (text, result) = match reply {
            Reply::SyncStatus(view) => {
                self.set_view(*view);
                return Ok(Outcome::None);
            }
            Reply::ExportProgress { done, total } | Reply::ApplyProgress { done, total } => {
                self.on_progress(done, total);
                return Ok(Outcome::None);
            }
            Reply::Exported(report) => {
                let text = match &report.file {
                    Some(_) => i18n.fill(
                        "sync.view.exported_short",
                        &[
                            ("changes", &report.changes.to_string()),
                            ("from", &report.from_seq.to_string()),
                            ("to", &report.to_seq.to_string()),
                        ],
                    ),
                    None => i18n.fill(
                        "sync.view.exported_nothing",
                        &[("seq", &report.to_seq.to_string())],
                    ),
                };
                (text, SyncResult::Exported(*report))
            }
            Reply::HoldingsApplied(applied) => {
                let text = i18n.fill(
                    "sync.view.holdings_short",
                    &[("as_of", &applied.as_of.to_string())],
                );
                (text, SyncResult::Holdings(*applied))
            }
            Reply::ReferenceApplied(report) => {
                let text = i18n.fill(
                    "sync.view.applied_short",
                    &[("version", &report.version.to_string())],
                );
                (text, SyncResult::Applied(*report))
            }
            other => return Err(other),
        };
        // Done: said, kept on screen, and the state read again.
        cx.say(StatusKind::Success, text);
        Ok(Outcome::Load(self.finished(result)))
    }

    fn refused(&mut self, _error: &Error, message: String, _cx: &mut Ctx) -> Option<String> {
        self.reports.failed();
        if !self.running {
            return Some(message);
        }
        self.failed(message.clone());
        // Said on the prompt when it is back (it always is after a submit).
        self.prompt.is_none().then_some(message)
    }
}
