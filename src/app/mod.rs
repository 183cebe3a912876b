//! The workstation's state machine: [`App`] holds what is on screen, [`App::update`] turns an
//! [`Action`] into new state plus [`Effect`]s (requests for the store worker). No terminal, no
//! database: this layer is tested by feeding it actions and replies.

pub mod care;
pub mod clients;
mod command;
pub mod complaints;
pub mod form;
mod screens;
pub mod surveys;
pub mod sync;

pub use care::CareScreen;
pub use clients::ClientsScreen;
pub use command::{Command, Context};
pub use complaints::ComplaintsScreen;
pub use screens::{AuditScreen, LockState, StaffOverlay, StaffScreen};
pub use surveys::SurveyScreen;
pub use sync::SyncScreen;

use crate::domain::staff::Permission;
use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo};
use crate::store::StoreProbe;
use chrono::{DateTime, FixedOffset};
use form::{Field, Form};
use std::time::{Duration, Instant};

/// Something that happened: a key the keymap understood, typed text, a click, a reply from
/// the store, or the clock ticking.
#[derive(Debug)]
pub enum Action {
    Command(Command),
    Char(char),
    Paste(String),
    ClickTab(Tab),
    Scroll(i32),
    Tick,
    Reply(Reply),
}

/// What the shell must do after an update.
#[derive(Debug)]
pub enum Effect {
    Send(Request),
    Quit,
}

/// Screens of the main frame. Screens of later features join this list when they exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Clients,
    Complaints,
    Care,
    Survey,
    Sync,
    Staff,
    Audit,
}

impl Tab {
    pub fn label_key(self) -> &'static str {
        match self {
            Tab::Overview => "tab.overview",
            Tab::Clients => "tab.clients",
            Tab::Complaints => "tab.complaints",
            Tab::Care => "tab.care",
            Tab::Survey => "tab.survey",
            Tab::Sync => "tab.sync",
            Tab::Staff => "tab.staff",
            Tab::Audit => "tab.audit",
        }
    }

    pub fn about_key(self) -> &'static str {
        match self {
            Tab::Overview => "tab_about.overview",
            Tab::Clients => "tab_about.clients",
            Tab::Complaints => "tab_about.complaints",
            Tab::Care => "tab_about.care",
            Tab::Survey => "tab_about.survey",
            Tab::Sync => "tab_about.sync",
            Tab::Staff => "tab_about.staff",
            Tab::Audit => "tab_about.audit",
        }
    }

    /// The command that opens this tab (the overview is reached with Esc).
    pub fn command(self) -> Option<Command> {
        match self {
            Tab::Overview => None,
            Tab::Clients => Some(Command::ClientsScreen),
            Tab::Complaints => Some(Command::ComplaintsScreen),
            Tab::Care => Some(Command::CareScreen),
            Tab::Survey => Some(Command::SurveyScreen),
            Tab::Sync => Some(Command::SyncScreen),
            Tab::Staff => Some(Command::StaffScreen),
            Tab::Audit => Some(Command::AuditScreen),
        }
    }

    fn permission(self) -> Option<Permission> {
        match self {
            Tab::Overview => None,
            Tab::Clients => Some(Permission::ViewClients),
            Tab::Complaints => Some(Permission::ViewComplaints),
            Tab::Care => Some(Permission::ViewCare),
            Tab::Survey => Some(Permission::EnterSurvey),
            Tab::Sync => Some(Permission::ViewSync),
            Tab::Staff => Some(Permission::ViewStaff),
            Tab::Audit => Some(Permission::ViewAudit),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warning,
    Error,
    Busy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub kind: StatusKind,
}

#[derive(Debug)]
pub struct MainState {
    pub session: SessionInfo,
    pub tab: Tab,
    pub clients: ClientsScreen,
    pub complaints: ComplaintsScreen,
    pub care: CareScreen,
    pub surveys: SurveyScreen,
    pub sync: SyncScreen,
    pub staff: StaffScreen,
    pub audit: AuditScreen,
    pub lock: Option<LockState>,
}

#[derive(Debug)]
pub enum Phase {
    /// First run: no store yet.
    Setup(Form),
    Login(Form),
    Main(Box<MainState>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Quit,
    /// Leaving a form with unsaved changes.
    Discard,
}

/// Which request is in flight, so that its reply (or failure) lands in the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Create,
    Login,
    Unlock,
    StaffForm,
    StaffAction,
    ClientForm,
    ClientPrompt,
    ComplaintForm,
    ComplaintPrompt,
    CarePrompt,
    SurveyForm,
    SyncAction,
    Logout { then_quit: bool },
    Other,
}

pub const SETUP_BRANCH_CODE: usize = 0;
pub const SETUP_BRANCH_NAME: usize = 1;
pub const SETUP_ADMIN_ID: usize = 2;
pub const SETUP_ADMIN_NAME: usize = 3;
pub const SETUP_PASSPHRASE: usize = 4;
pub const SETUP_REPEAT: usize = 5;

pub struct App {
    pub i18n: &'static I18n,
    pub store_dir: String,
    pub demo: bool,
    pub phase: Phase,
    pub modal: Option<Modal>,
    pub status: Option<StatusLine>,
    pub pending: Option<Pending>,
    pub idle_limit: Duration,
    pub last_activity: Instant,
    /// Wall-clock time for the header, as the shell last saw it.
    pub now: DateTime<FixedOffset>,
}

impl App {
    pub fn new(
        i18n: &'static I18n,
        store_dir: String,
        probe: StoreProbe,
        idle_limit: Duration,
        now: Instant,
        wall: DateTime<FixedOffset>,
    ) -> App {
        let (phase, demo) = match probe {
            StoreProbe::Absent => (Phase::Setup(setup_form()), false),
            StoreProbe::Present { demo } => (Phase::Login(login_form()), demo),
        };
        App {
            i18n,
            store_dir,
            demo,
            phase,
            modal: None,
            status: None,
            pending: None,
            idle_limit,
            last_activity: now,
            now: wall,
        }
    }

    pub fn main(&self) -> Option<&MainState> {
        match &self.phase {
            Phase::Main(main) => Some(main),
            _ => None,
        }
    }

    fn main_mut(&mut self) -> Option<&mut MainState> {
        match &mut self.phase {
            Phase::Main(main) => Some(main),
            _ => None,
        }
    }

    /// The tabs this staff member may open, in order.
    pub fn tabs(&self) -> Vec<Tab> {
        let Some(main) = self.main() else {
            return Vec::new();
        };
        [
            Tab::Overview,
            Tab::Clients,
            Tab::Complaints,
            Tab::Care,
            Tab::Survey,
            Tab::Sync,
            Tab::Staff,
            Tab::Audit,
        ]
        .into_iter()
        .filter(|tab| tab.permission().is_none_or(|p| main.session.can(p)))
        .collect()
    }

    fn is_locked(&self) -> bool {
        self.main().is_some_and(|m| m.lock.is_some())
    }

    /// The form that has the keyboard, if any.
    pub fn active_form(&self) -> Option<&Form> {
        if self.modal.is_some() {
            return None;
        }
        match &self.phase {
            Phase::Setup(form) | Phase::Login(form) => Some(form),
            Phase::Main(main) => match (&main.lock, main.tab, &main.staff.overlay) {
                (Some(lock), _, _) => Some(&lock.form),
                (None, Tab::Staff, Some(overlay)) => overlay.form(),
                (None, Tab::Clients, _) => main.clients.active_form(),
                (None, Tab::Complaints, _) => main.complaints.active_form(),
                (None, Tab::Care, _) => main.care.active_form(),
                (None, Tab::Survey, _) => main.surveys.active_form(),
                (None, Tab::Sync, _) => main.sync.active_form(),
                _ => None,
            },
        }
    }

    fn active_form_mut(&mut self) -> Option<&mut Form> {
        if self.modal.is_some() {
            return None;
        }
        match &mut self.phase {
            Phase::Setup(form) | Phase::Login(form) => Some(form),
            Phase::Main(main) => match (&mut main.lock, main.tab, &mut main.staff.overlay) {
                (Some(lock), _, _) => Some(&mut lock.form),
                (None, Tab::Staff, Some(overlay)) => overlay.form_mut(),
                (None, Tab::Clients, _) => main.clients.active_form_mut(),
                (None, Tab::Complaints, _) => main.complaints.active_form_mut(),
                (None, Tab::Care, _) => main.care.active_form_mut(),
                (None, Tab::Survey, _) => main.surveys.active_form_mut(),
                (None, Tab::Sync, _) => main.sync.active_form_mut(),
                _ => None,
            },
        }
    }

    /// Keymap contexts that are live now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.modal {
            Some(Modal::Help { .. }) => return vec![Context::Help],
            Some(Modal::Quit | Modal::Discard) => return vec![Context::Confirm],
            None => {}
        }
        let mut contexts = Vec::new();
        if let Some(form) = self.active_form() {
            match form.focused() {
                Some(field) if field.is_lines() => {
                    contexts.extend([Context::Lines, Context::Field])
                }
                Some(field) if field.is_text_like() => contexts.push(Context::Field),
                Some(_) => contexts.push(Context::Choice),
                None => {}
            }
        }
        if self.is_locked() {
            contexts.push(Context::Lock);
            return contexts;
        }
        match &self.phase {
            Phase::Setup(_) | Phase::Login(_) => contexts.push(Context::Form),
            Phase::Main(main) => match (main.tab, &main.staff.overlay) {
                (Tab::Staff, Some(overlay)) if overlay.form().is_some() => {
                    contexts.push(Context::Form)
                }
                (Tab::Staff, Some(_)) => return vec![Context::Confirm],
                (Tab::Staff, None) => contexts.extend([Context::Staff, Context::List]),
                (Tab::Audit, _) => contexts.extend([Context::Audit, Context::List]),
                (Tab::Clients, _) => {
                    let screen = &main.clients;
                    if screen.duplicate.is_some()
                        || matches!(screen.import, Some(clients::ImportState::Done(_)))
                    {
                        return vec![Context::Confirm];
                    } else if screen.prompt.is_some() || screen.form.is_some() {
                        contexts.push(Context::Form);
                    } else if screen.import.is_some() {
                    } else if screen.panel.is_some() {
                        contexts.push(Context::Client);
                    } else {
                        contexts.insert(0, Context::Lookup);
                    }
                }
                (Tab::Complaints, _) => {
                    let screen = &main.complaints;
                    if screen.active_form().is_some() {
                        contexts.push(Context::Form);
                    } else if screen.case.is_some() {
                        contexts.extend([Context::Complaint, Context::List]);
                    } else {
                        contexts.extend([Context::Complaints, Context::List]);
                    }
                }
                (Tab::Care, _) => {
                    if main.care.prompt.is_some() {
                        contexts.push(Context::Form);
                    } else {
                        contexts.extend([Context::Care, Context::List]);
                    }
                }
                (Tab::Survey, _) => {
                    let screen = &main.surveys;
                    if screen.offer.is_some() {
                        return vec![Context::Confirm];
                    }
                    match screen.view {
                        surveys::SurveyView::Entry => {
                            contexts.extend([Context::Survey, Context::Form])
                        }
                        surveys::SurveyView::Stats => {
                            contexts.extend([Context::Survey, Context::SurveyStats])
                        }
                    }
                }
                (Tab::Sync, _) => {
                    if main.sync.prompt.is_some() {
                        contexts.push(Context::Form);
                    } else {
                        contexts.push(Context::Sync);
                    }
                }
                (Tab::Overview, _) => {}
            },
        }
        contexts.push(Context::Global);
        contexts
    }

    /// Whether `command` does anything right now (the footer and help show only these).
    pub fn enabled(&self, command: Command) -> bool {
        let main = self.main();
        let logged_in = main.is_some();
        let can = |p: Permission| main.is_some_and(|m| m.session.can(p));
        match command {
            Command::StaffScreen => can(Permission::ViewStaff),
            Command::AuditScreen => can(Permission::ViewAudit),
            Command::Lock => logged_in && !self.is_locked(),
            Command::Logout => logged_in,
            Command::Save => match &self.phase {
                Phase::Setup(_) => true,
                Phase::Main(main) => {
                    main.lock.is_none()
                        && (main.staff.overlay.is_some()
                            || main.clients.form.is_some()
                            || main.complaints.active_form().is_some()
                            || main.care.prompt.is_some()
                            || main.surveys.active_form().is_some()
                            || main.sync.prompt.is_some())
                }
                Phase::Login(_) => false,
            },
            Command::ClientsScreen => can(Permission::ViewClients),
            Command::NewClient | Command::EditClient | Command::AddNote | Command::AddEvent => {
                can(Permission::EditClients)
            }
            Command::ImportClients => can(Permission::ImportClients),
            Command::ComplaintsScreen => can(Permission::ViewComplaints),
            Command::CareScreen => can(Permission::ViewCare),
            Command::SurveyScreen | Command::NewSurvey => can(Permission::EnterSurvey),
            Command::ToggleSurveyView => can(Permission::ViewSurveyStats),
            Command::SyncScreen => can(Permission::ViewSync),
            Command::ExportBundle => {
                can(Permission::ExportSync) && main.is_some_and(|m| m.sync.branch_idle())
            }
            Command::ImportReference => {
                can(Permission::ManageSync) && main.is_some_and(|m| m.sync.branch_idle())
            }
            Command::ActOnReminder => can(Permission::ActOnCare),
            Command::ToggleScope => main.is_some_and(|m| {
                m.session.role != crate::domain::staff::Role::Rm
                    && m.session.can(Permission::ViewCare)
            }),
            Command::PrintSlip => can(Permission::RegisterComplaint),
            Command::NewComplaint | Command::AdvanceComplaint => can(Permission::RegisterComplaint),
            Command::Reveal => {
                can(Permission::RevealClient)
                    && main.is_some_and(|m| {
                        m.clients.panel.as_ref().is_some_and(|p| {
                            p.view.visibility == crate::domain::mask::Visibility::Masked
                        })
                    })
            }
            Command::NewStaff
            | Command::ResetPassphrase
            | Command::DisableStaff
            | Command::UnlockAccount => can(Permission::ManageStaff),
            _ => true,
        }
    }

    /// A "working…" line goes once the answer is in; other messages stay.
    fn clear_busy(&mut self) {
        if self
            .status
            .as_ref()
            .is_some_and(|s| s.kind == StatusKind::Busy)
        {
            self.status = None;
        }
    }

    fn say(&mut self, kind: StatusKind, text: String) {
        self.status = Some(StatusLine { text, kind });
    }

    fn send(&mut self, pending: Pending, request: Request) -> Vec<Effect> {
        self.pending = Some(pending);
        vec![Effect::Send(request)]
    }

    /// Applies one action. `now` and `wall` come from the shell (injected for tests).
    pub fn update(
        &mut self,
        action: Action,
        now: Instant,
        wall: DateTime<FixedOffset>,
    ) -> Vec<Effect> {
        self.now = wall;
        match action {
            Action::Tick => return self.check_idle(now),
            Action::Reply(reply) => return self.on_reply(reply),
            _ => self.last_activity = now,
        }
        if let Some(modal) = self.modal {
            return self.on_modal(modal, action);
        }
        let query_before = self.lookup_query();
        let mut effects = self.on_input(action);
        // A survey answer may change which questions are asked (or the survey itself).
        if let Some(main) = self.main_mut()
            && main.tab == Tab::Survey
        {
            main.surveys.after_edit();
        }
        // Type-ahead: every change to the lookup field asks again.
        if let Some(before) = query_before
            && self.lookup_query().is_some_and(|now| now != before)
            && let Some(main) = self.main_mut()
        {
            effects.push(Effect::Send(main.clients.search()));
        }
        effects
    }

    /// What is in the client lookup field, while it is the one being typed in.
    fn lookup_query(&self) -> Option<String> {
        let main = self.main()?;
        (main.tab == Tab::Clients && main.lock.is_none() && main.clients.in_lookup())
            .then(|| main.clients.query().to_string())
    }

    fn on_input(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Char(c) => {
                if let Some(form) = self.active_form_mut() {
                    form.edit(tui_input::InputRequest::InsertChar(c));
                }
                Vec::new()
            }
            Action::Paste(text) => {
                if let Some(form) = self.active_form_mut() {
                    form.paste(&text);
                }
                Vec::new()
            }
            Action::ClickTab(tab) => self.open_tab(tab),
            Action::Scroll(lines) => {
                let command = if lines < 0 {
                    Command::Up
                } else {
                    Command::Down
                };
                (0..lines.unsigned_abs())
                    .flat_map(|_| self.on_command(command))
                    .collect()
            }
            Action::Command(command) => {
                if self.enabled(command) {
                    self.on_command(command)
                } else {
                    Vec::new()
                }
            }
            Action::Tick | Action::Reply(_) => Vec::new(),
        }
    }

    fn on_modal(&mut self, modal: Modal, action: Action) -> Vec<Effect> {
        let Action::Command(command) = action else {
            return Vec::new();
        };
        match (modal, command) {
            (Modal::Help { scroll }, Command::Up) => {
                self.modal = Some(Modal::Help {
                    scroll: scroll.saturating_sub(1),
                })
            }
            (Modal::Help { scroll }, Command::Down) => {
                self.modal = Some(Modal::Help {
                    scroll: scroll.saturating_add(1),
                })
            }
            (Modal::Help { scroll }, Command::PageUp) => {
                self.modal = Some(Modal::Help {
                    scroll: scroll.saturating_sub(10),
                })
            }
            (Modal::Help { scroll }, Command::PageDown) => {
                self.modal = Some(Modal::Help {
                    scroll: scroll.saturating_add(10),
                })
            }
            (Modal::Help { .. }, Command::Back | Command::Help) => self.modal = None,
            (Modal::Quit, Command::Confirm) => {
                self.modal = None;
                if self.main().is_some() {
                    return self.send(Pending::Logout { then_quit: true }, Request::Logout);
                }
                return vec![Effect::Quit];
            }
            (Modal::Discard, Command::Confirm) => {
                self.modal = None;
                if let Some(main) = self.main_mut() {
                    main.staff.overlay = None;
                    main.clients.form = None;
                    main.complaints.intake = None;
                    // A survey form starts again empty (same survey and channel).
                    if let Some(entry) = &main.surveys.entry {
                        let (code, channel) =
                            (entry.template.code.clone(), entry.form.value(2).to_string());
                        main.surveys.start_entry(&code, &channel);
                    }
                }
            }
            (Modal::Quit | Modal::Discard, Command::Back) => self.modal = None,
            _ => {}
        }
        Vec::new()
    }

    fn on_command(&mut self, command: Command) -> Vec<Effect> {
        use tui_input::InputRequest as Edit;
        let edit = match command {
            Command::CursorLeft => Some(Edit::GoToPrevChar),
            Command::CursorRight => Some(Edit::GoToNextChar),
            Command::CursorHome => Some(Edit::GoToStart),
            Command::CursorEnd => Some(Edit::GoToEnd),
            Command::DeleteBack => Some(Edit::DeletePrevChar),
            Command::DeleteForward => Some(Edit::DeleteNextChar),
            Command::DeleteWord => Some(Edit::DeletePrevWord),
            Command::ClearField => Some(Edit::DeleteLine),
            _ => None,
        };
        if let Some(edit) = edit {
            if let Some(form) = self.active_form_mut() {
                form.edit(edit);
            }
            return Vec::new();
        }
        match command {
            Command::Help => {
                self.modal = Some(Modal::Help { scroll: 0 });
                Vec::new()
            }
            Command::Quit => {
                self.modal = Some(Modal::Quit);
                Vec::new()
            }
            Command::Lock => self.lock(false),
            Command::Logout => self.send(Pending::Logout { then_quit: false }, Request::Logout),
            Command::ClientsScreen => self.open_tab(Tab::Clients),
            Command::ComplaintsScreen => self.open_tab(Tab::Complaints),
            Command::CareScreen => self.open_tab(Tab::Care),
            Command::SurveyScreen => self.open_tab(Tab::Survey),
            Command::SyncScreen => self.open_tab(Tab::Sync),
            Command::NewLine => self.with_form(Form::new_line),
            Command::LineUp => self.with_form(|f| f.move_line(-1)),
            Command::LineDown => self.with_form(|f| f.move_line(1)),
            Command::StaffScreen => self.open_tab(Tab::Staff),
            Command::AuditScreen => self.open_tab(Tab::Audit),
            Command::NextField => self.with_form(Form::next),
            Command::PrevField => self.with_form(Form::prev),
            Command::ChoicePrev => self.with_form(|f| f.cycle(-1)),
            Command::ChoiceNext => self.with_form(|f| f.cycle(1)),
            Command::Submit | Command::Save => self.submit(command == Command::Save),
            // A confirmation over a screen (not a modal) goes through the screen's submit.
            Command::Confirm => self.submit(false),
            Command::Back => self.back(),
            _ => self.on_screen_command(command),
        }
    }

    fn with_form(&mut self, f: impl FnOnce(&mut Form)) -> Vec<Effect> {
        if let Some(form) = self.active_form_mut() {
            f(form);
        }
        Vec::new()
    }

    fn back(&mut self) -> Vec<Effect> {
        if self.is_locked() {
            return Vec::new();
        }
        if let Some(main) = self.main_mut() {
            if let Some(overlay) = &main.staff.overlay {
                if overlay.form().is_some_and(|f| f.dirty) {
                    self.modal = Some(Modal::Discard);
                } else {
                    main.staff.overlay = None;
                }
                return Vec::new();
            }
            if main.tab == Tab::Clients {
                let screen = &mut main.clients;
                if screen.prompt.take().is_some()
                    || screen.duplicate.take().is_some()
                    || matches!(screen.import, Some(clients::ImportState::Done(_)))
                        && screen.import.take().is_some()
                {
                    return Vec::new();
                }
                if let Some(form) = &screen.form {
                    if form.form.dirty {
                        self.modal = Some(Modal::Discard);
                    } else {
                        screen.form = None;
                    }
                    return Vec::new();
                }
                if screen.panel.take().is_some() {
                    return Vec::new();
                }
            }
            if main.tab == Tab::Care && main.care.prompt.take().is_some() {
                return Vec::new();
            }
            if main.tab == Tab::Sync && main.sync.prompt.take().is_some() {
                return Vec::new();
            }
            if main.tab == Tab::Survey {
                let screen = &mut main.surveys;
                if screen.offer.take().is_some() {
                    return Vec::new();
                }
                if screen.view == surveys::SurveyView::Stats {
                    screen.view = surveys::SurveyView::Entry;
                    return Vec::new();
                }
                if screen.entry.as_ref().is_some_and(|e| e.form.dirty) {
                    self.modal = Some(Modal::Discard);
                    return Vec::new();
                }
            }
            if main.tab == Tab::Complaints {
                let screen = &mut main.complaints;
                if screen.close_top() {
                    return Vec::new();
                }
                if let Some(form) = &screen.intake {
                    if form.dirty {
                        self.modal = Some(Modal::Discard);
                    } else {
                        screen.intake = None;
                    }
                    return Vec::new();
                }
                // Back on the board, which the step may have changed.
                if let Some(request) = screen.close_case() {
                    return vec![Effect::Send(request)];
                }
            }
            if main.tab != Tab::Overview {
                main.tab = Tab::Overview;
                return Vec::new();
            }
        }
        self.modal = Some(Modal::Quit);
        Vec::new()
    }

    fn open_tab(&mut self, tab: Tab) -> Vec<Effect> {
        if self.is_locked() || !self.tabs().contains(&tab) {
            return Vec::new();
        }
        let Some(main) = self.main_mut() else {
            return Vec::new();
        };
        let client_form_dirty = main.clients.form.as_ref().is_some_and(|f| f.form.dirty)
            || main.complaints.intake.as_ref().is_some_and(|f| f.dirty);
        if client_form_dirty
            || main
                .staff
                .overlay
                .as_ref()
                .and_then(StaffOverlay::form)
                .is_some_and(|f| f.dirty)
        {
            self.modal = Some(Modal::Discard);
            return Vec::new();
        }
        main.staff.overlay = None;
        main.tab = tab;
        match tab {
            Tab::Staff if !main.staff.loaded => self.send(Pending::Other, Request::ListStaff),
            Tab::Complaints => vec![Effect::Send(main.complaints.load_board())],
            Tab::Care => {
                let today = wall_date(self.now);
                let Some(main) = self.main_mut() else {
                    return Vec::new();
                };
                vec![Effect::Send(main.care.load(today))]
            }
            Tab::Survey if main.surveys.templates.is_empty() => {
                main.surveys.loading = true;
                vec![Effect::Send(Request::SurveyTemplates)]
            }
            Tab::Sync => vec![Effect::Send(main.sync.load())],
            Tab::Audit if main.audit.rows.is_empty() && !main.audit.exhausted => {
                main.audit.loading = true;
                self.send(Pending::Other, screens::first_audit_page())
            }
            _ => Vec::new(),
        }
    }

    fn lock(&mut self, idle: bool) -> Vec<Effect> {
        let Some(main) = self.main_mut() else {
            return Vec::new();
        };
        if main.lock.is_some() {
            return Vec::new();
        }
        // Forms may hold half-typed passphrases or client data: they go, and nothing is
        // drawn under the lock.
        main.staff.overlay = None;
        main.clients = ClientsScreen::default();
        main.complaints = ComplaintsScreen::default();
        main.care = CareScreen::default();
        main.surveys = SurveyScreen::default();
        main.sync.prompt = None;
        main.lock = Some(LockState::new(idle));
        self.modal = None;
        self.status = None;
        vec![Effect::Send(Request::RecordLock { idle })]
    }

    fn check_idle(&mut self, now: Instant) -> Vec<Effect> {
        let idle_for = now.saturating_duration_since(self.last_activity);
        if self.main().is_some() && !self.is_locked() && idle_for >= self.idle_limit {
            return self.lock(true);
        }
        Vec::new()
    }

    fn submit(&mut self, save: bool) -> Vec<Effect> {
        if self.pending.is_some() {
            return Vec::new();
        }
        let i18n = self.i18n;
        let today = wall_date(self.now);
        match &mut self.phase {
            Phase::Setup(form) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return Vec::new();
                }
                match screens::setup_request(form, i18n) {
                    Some(request) => {
                        let busy = i18n.t("status.creating_store").to_string();
                        self.say(StatusKind::Busy, busy);
                        self.send(Pending::Create, request)
                    }
                    None => Vec::new(),
                }
            }
            Phase::Login(form) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return Vec::new();
                }
                if form.value(0).trim().is_empty() {
                    form.refuse(0, i18n.t("login.need_id").to_string());
                    return Vec::new();
                }
                let request = Request::Login {
                    staff_id: form.value(0).trim().to_string(),
                    passphrase: secrecy::SecretString::from(form.value(1).to_string()),
                };
                self.say(StatusKind::Busy, i18n.t("status.checking").to_string());
                self.send(Pending::Login, request)
            }
            Phase::Main(main) => {
                if let Some(lock) = &mut main.lock {
                    let passphrase = secrecy::SecretString::from(lock.form.value(0).to_string());
                    lock.form.clear_secrets();
                    self.say(StatusKind::Busy, i18n.t("status.checking").to_string());
                    return self.send(Pending::Unlock, Request::Unlock { passphrase });
                }
                let submitted = if main.tab == Tab::Clients {
                    let screen = &mut main.clients;
                    if let Some(client_no) = screen.duplicate.take() {
                        // The registration gives way to the client already registered.
                        screen.form = None;
                        Some((Pending::Other, Request::OpenClient { key: client_no }))
                    } else if matches!(screen.import, Some(clients::ImportState::Done(_))) {
                        screen.import = None;
                        None
                    } else if screen.prompt.is_some() {
                        screen.submit_prompt()
                    } else {
                        screen.submit_form(save)
                    }
                } else if main.tab == Tab::Complaints {
                    main.complaints.submit(save, i18n, today)
                } else if main.tab == Tab::Care {
                    main.care.submit(save, i18n, today)
                } else if main.tab == Tab::Sync {
                    main.sync.submit(i18n)
                } else if main.tab == Tab::Survey {
                    if let Some(offer) = main.surveys.offer.take() {
                        // Yes: the complaint form, for this client, with their words.
                        main.complaints.new_intake(Some(&offer.client_no), today);
                        if let Some(form) = main.complaints.intake.as_mut() {
                            let description = complaints::INTAKE_FIELDS
                                .iter()
                                .position(|f| *f == "description");
                            if let Some(i) = description {
                                form.fields[i] = form.fields[i].clone().with_text(&offer.text);
                            }
                        }
                        main.tab = Tab::Complaints;
                        None
                    } else {
                        main.surveys.submit(save)
                    }
                } else {
                    main.staff.submit(save, i18n)
                };
                match submitted {
                    Some((pending, request)) => {
                        self.say(StatusKind::Busy, i18n.t("status.working").to_string());
                        self.send(pending, request)
                    }
                    None => Vec::new(),
                }
            }
        }
    }

    fn on_screen_command(&mut self, command: Command) -> Vec<Effect> {
        let i18n = self.i18n;
        let today = wall_date(self.now);
        let Some(main) = self.main_mut() else {
            return Vec::new();
        };
        let me = main.session.staff_id.clone();
        let request = match main.tab {
            Tab::Staff => main.staff.on_command(command, &me, i18n),
            Tab::Audit => main.audit.on_command(command),
            Tab::Clients => {
                let screen = &mut main.clients;
                match command {
                    Command::NewClient if screen.in_lookup() => {
                        screen.new_client();
                        None
                    }
                    Command::ImportClients if screen.in_lookup() => {
                        screen.ask(clients::PromptKind::Import);
                        None
                    }
                    Command::Reveal if screen.panel.is_some() => {
                        screen.ask(clients::PromptKind::Reveal { then_edit: false });
                        None
                    }
                    Command::EditClient if screen.panel.is_some() => {
                        screen.edit_client();
                        None
                    }
                    Command::AddNote if screen.panel.is_some() => {
                        screen.ask(clients::PromptKind::Note);
                        None
                    }
                    Command::AddEvent if screen.panel.is_some() => {
                        screen.ask(clients::PromptKind::Event);
                        None
                    }
                    Command::NewSurvey if screen.panel.is_some() => {
                        let client_no = screen.panel.as_ref().map(|p| p.view.client_no.clone());
                        let surveys = &mut main.surveys;
                        surveys.client = client_no;
                        surveys.view = surveys::SurveyView::Entry;
                        main.tab = Tab::Survey;
                        if surveys.templates.is_empty() {
                            surveys.loading = true;
                            Some(Request::SurveyTemplates)
                        } else {
                            let code = surveys
                                .entry
                                .as_ref()
                                .map(|e| e.template.code.clone())
                                .unwrap_or_default();
                            surveys.start_entry(&code, "counter");
                            None
                        }
                    }
                    Command::NewComplaint if screen.panel.is_some() => {
                        let client_no = screen.panel.as_ref().map(|p| p.view.client_no.clone());
                        main.complaints.new_intake(client_no.as_deref(), today);
                        main.tab = Tab::Complaints;
                        // The board behind the form, for when it closes.
                        Some(main.complaints.load_board())
                    }
                    _ if screen.in_lookup() => screen.on_lookup_command(command),
                    _ => None,
                }
            }
            Tab::Complaints => {
                let may_manage = main.session.can(Permission::ManageComplaints);
                main.complaints.on_command(command, may_manage, today)
            }
            Tab::Care => {
                let may_widen = main.session.role != crate::domain::staff::Role::Rm;
                main.care.on_command(command, may_widen, today)
            }
            Tab::Survey => match command {
                Command::ToggleSurveyView => main.surveys.toggle_view(today),
                _ if main.surveys.view == surveys::SurveyView::Stats => {
                    main.surveys.on_stats_command(command, today)
                }
                _ => None,
            },
            Tab::Sync => match command {
                Command::ExportBundle => {
                    main.sync.start_export();
                    None
                }
                Command::ImportReference => {
                    main.sync.start_import();
                    None
                }
                Command::Refresh => Some(main.sync.load()),
                _ => None,
            },
            Tab::Overview => None,
        };
        match request {
            // Loading the board is background work: forms stay usable meanwhile.
            Some(
                request @ (Request::ComplaintBoard
                | Request::CareAgenda { .. }
                | Request::SurveyTemplates
                | Request::SurveyStats { .. }
                | Request::SyncStatus),
            ) => {
                vec![Effect::Send(request)]
            }
            Some(request) => self.send(Pending::Other, request),
            None => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: Reply) -> Vec<Effect> {
        let pending = match reply {
            Reply::Waiting { .. } => self.pending,
            _ => self.pending.take(),
        };
        let i18n = self.i18n;
        match reply {
            Reply::LoggedIn(session) => {
                self.status = session_greeting(&session, i18n);
                self.phase = Phase::Main(Box::new(MainState {
                    session,
                    tab: Tab::Overview,
                    clients: ClientsScreen::default(),
                    complaints: ComplaintsScreen::default(),
                    care: CareScreen::default(),
                    surveys: SurveyScreen::default(),
                    sync: SyncScreen::default(),
                    staff: StaffScreen::default(),
                    audit: AuditScreen::default(),
                    lock: None,
                }));
            }
            Reply::Waiting { seconds } => {
                let text = i18n.fill("status.waiting", &[("seconds", &seconds.to_string())]);
                self.say(StatusKind::Busy, text);
            }
            Reply::Unlocked => {
                self.status = None;
                let today = wall_date(self.now);
                if let Some(main) = self.main_mut() {
                    main.lock = None;
                    // The lock cleared the screen; what it shows comes back as it is now.
                    match main.tab {
                        Tab::Complaints => return vec![Effect::Send(main.complaints.load_board())],
                        Tab::Care => return vec![Effect::Send(main.care.load(today))],
                        Tab::Survey => {
                            main.surveys.loading = true;
                            return vec![Effect::Send(Request::SurveyTemplates)];
                        }
                        _ => {}
                    }
                }
            }
            Reply::LoggedOut => {
                if pending == Some(Pending::Logout { then_quit: true }) {
                    return vec![Effect::Quit];
                }
                self.phase = Phase::Login(login_form());
                self.say(StatusKind::Info, i18n.t("status.logged_out").to_string());
            }
            Reply::Done => {}
            Reply::Staff(rows) => {
                if let Some(main) = self.main_mut() {
                    main.staff.set_rows(rows);
                }
                self.clear_busy();
            }
            Reply::StaffChanged => {
                if let Some(main) = self.main_mut() {
                    main.staff.overlay = None;
                }
                self.say(StatusKind::Success, i18n.t("status.saved").to_string());
                return vec![Effect::Send(Request::ListStaff)];
            }
            Reply::Hits { generation, hits } => {
                if let Some(main) = self.main_mut() {
                    main.clients.on_hits(generation, hits);
                }
            }
            Reply::Client { view, log, events } => {
                self.status = None;
                if let Some(main) = self.main_mut() {
                    main.clients.show_client(*view, log, events);
                }
            }
            Reply::ClientSaved { client_no } => {
                self.say(
                    StatusKind::Success,
                    i18n.fill("status.client_saved", &[("client_no", &client_no)]),
                );
                if let Some(main) = self.main_mut() {
                    main.clients.form = None;
                }
                return vec![Effect::Send(Request::OpenClient { key: client_no })];
            }
            Reply::SyncStatus(view) => {
                if let Some(main) = self.main_mut() {
                    main.sync.set_view(*view);
                }
            }
            Reply::ExportProgress { done, total } => {
                if let Some(main) = self.main_mut() {
                    main.sync.on_progress(done, total);
                }
                if pending.is_some() {
                    self.pending = pending;
                }
            }
            Reply::Exported(report) => {
                let text = match &report.file {
                    Some(_) => i18n.fill(
                        "sync.view.exported_short",
                        &[
                            ("ops", &report.ops.to_string()),
                            ("from", &report.from_seq.to_string()),
                            ("to", &report.to_seq.to_string()),
                        ],
                    ),
                    None => i18n.fill(
                        "sync.view.exported_nothing",
                        &[("seq", &report.to_seq.to_string())],
                    ),
                };
                return self.sync_finished(text, sync::SyncResult::Exported(*report));
            }
            Reply::ReferenceApplied(report) => {
                let text = i18n.fill(
                    "sync.view.applied_short",
                    &[("version", &report.version.to_string())],
                );
                return self.sync_finished(text, sync::SyncResult::Applied(*report));
            }
            Reply::ImportProgress { rows } => {
                if let Some(main) = self.main_mut() {
                    main.clients.import = Some(clients::ImportState::Running { rows });
                }
                if pending.is_some() {
                    self.pending = pending;
                }
            }
            Reply::Imported(report) => {
                self.status = None;
                if let Some(main) = self.main_mut() {
                    main.clients.import = Some(clients::ImportState::Done(*report));
                    main.clients.prompt = None;
                }
            }
            Reply::ComplaintBoard(board) => {
                if let Some(main) = self.main_mut() {
                    main.complaints.set_board(*board);
                }
                self.clear_busy();
            }
            Reply::Complaint(detail) => {
                self.clear_busy();
                if let Some(main) = self.main_mut() {
                    main.complaints.show_case(*detail);
                }
            }
            Reply::ComplaintRegistered(registered) => {
                self.say(
                    StatusKind::Success,
                    i18n.fill(
                        "cli.complaint_registered",
                        &[
                            ("receipt_no", &registered.receipt_no),
                            ("due", &registered.due_on.to_string()),
                        ],
                    ),
                );
                if let Some(main) = self.main_mut() {
                    main.complaints.intake = None;
                }
                return self.send(
                    Pending::Other,
                    Request::OpenComplaint {
                        key: registered.receipt_no,
                    },
                );
            }
            Reply::ComplaintAdvanced { step, detail } => {
                let text = i18n.fill(
                    "cli.complaint_advanced",
                    &[
                        ("receipt_no", &detail.row.receipt_no),
                        ("step", i18n.t_owned(format!("complaint.step.{step}"))),
                        (
                            "state",
                            i18n.t_owned(format!("complaint.state.{}", detail.row.state.code())),
                        ),
                    ],
                );
                self.say(StatusKind::Success, text);
                if let Some(main) = self.main_mut() {
                    main.complaints.show_case(*detail);
                }
            }
            Reply::CareAgenda(agenda) => {
                self.clear_busy();
                if let Some(main) = self.main_mut() {
                    // The header counts what is due in the role's own view of the agenda.
                    let default = crate::domain::care::CareScope::default_for(main.session.role);
                    if agenda.scope == default {
                        main.session.care_due =
                            Some(agenda.current().filter(|i| i.on <= agenda.today).count() as u64);
                    }
                    main.care.set_agenda(*agenda);
                }
            }
            Reply::CareActed { id, action, until } => {
                // Said with the client's name and the reason, as the agenda showed them.
                let id = self
                    .main()
                    .and_then(|m| m.care.agenda.as_ref())
                    .and_then(|a| a.items.iter().find(|i| i.id == id).map(|i| (i, a.today)))
                    .map(|(item, today)| {
                        let reason = i18n.care_reason(&item.reason, today);
                        match &item.name {
                            Some(name) => format!("{name} · {reason}"),
                            None => reason,
                        }
                    })
                    .unwrap_or(id);
                let text = match (action, until) {
                    (crate::domain::care::Action::Snoozed, Some(until)) => i18n.fill(
                        "cli.care_snoozed",
                        &[("id", &id), ("until", &until.to_string())],
                    ),
                    (crate::domain::care::Action::Dismissed, _) => {
                        i18n.fill("cli.care_dismissed", &[("id", &id)])
                    }
                    _ => i18n.fill("cli.care_done", &[("id", &id)]),
                };
                self.say(StatusKind::Success, text);
                let today = wall_date(self.now);
                if let Some(main) = self.main_mut() {
                    main.care.prompt = None;
                    return vec![Effect::Send(main.care.load(today))];
                }
            }
            Reply::SurveyTemplates(set) => {
                self.clear_busy();
                let today = wall_date(self.now);
                if let Some(main) = self.main_mut() {
                    let skipped = set.skipped.clone();
                    main.surveys
                        .set_templates(set.templates, set.skipped, today);
                    if let Some(first) = skipped.first() {
                        let text = i18n.fill(
                            "cli.survey_template_skipped",
                            &[("file", &first.file), ("problem", &first.problem)],
                        );
                        self.say(StatusKind::Warning, text);
                    }
                }
            }
            Reply::SurveyRecorded(recorded) => {
                let mut text = i18n.t("survey.view.recorded").to_string();
                if recorded.follow_up.is_some() {
                    text.push_str(i18n.t("survey.view.follow_up"));
                }
                self.say(StatusKind::Success, text);
                if let Some(main) = self.main_mut() {
                    let client = main
                        .surveys
                        .entry
                        .as_ref()
                        .map(|e| e.form.value(1).trim().to_string())
                        .filter(|c| !c.is_empty());
                    let offer = client
                        .zip(recorded.complaint_text.clone())
                        .map(|(client_no, text)| surveys::ComplaintOffer { client_no, text });
                    main.surveys.recorded(offer);
                }
            }
            Reply::SurveyStats(stats) => {
                self.clear_busy();
                if let Some(main) = self.main_mut() {
                    let screen = &mut main.surveys;
                    screen.loading = false;
                    screen.stats_question = screen
                        .stats_question
                        .min(stats.stats.questions.len().saturating_sub(1));
                    screen.stats = Some(*stats);
                }
            }
            Reply::SlipWritten { path } => {
                let text = i18n.fill("cli.slip_written", &[("path", &path.display().to_string())]);
                self.say(StatusKind::Success, text);
                if let Some(main) = self.main_mut() {
                    main.complaints.slip = None;
                }
            }
            Reply::AuditPage { before, rows } => {
                if let Some(main) = self.main_mut() {
                    main.audit.add_page(before, rows);
                }
            }
            Reply::AuditVerdict(verdict) => {
                let (kind, text) = screens::verdict_status(&verdict, i18n);
                if let Some(main) = self.main_mut() {
                    main.audit.verdict = Some(verdict);
                }
                self.say(kind, text);
            }
            Reply::Failed(error) => self.on_failure(pending, error),
        }
        Vec::new()
    }

    /// An export or a reference import is done: say so, keep the result on F6, read the
    /// state again.
    fn sync_finished(&mut self, text: String, result: sync::SyncResult) -> Vec<Effect> {
        self.say(StatusKind::Success, text);
        match self.main_mut() {
            Some(main) => vec![Effect::Send(main.sync.finished(result))],
            None => Vec::new(),
        }
    }

    fn on_failure(&mut self, pending: Option<Pending>, error: crate::Error) {
        let i18n = self.i18n;
        let message = error.message(i18n);
        if let crate::Error::Internal { detail } = &error {
            tracing::error!(%detail, "request failed");
        }
        self.status = None;
        let form = match (pending, &mut self.phase) {
            (Some(Pending::Login), Phase::Login(form)) => {
                form.clear_secrets();
                form.focus = 1;
                Some(form)
            }
            (Some(Pending::Create), Phase::Setup(form)) => Some(form),
            (Some(Pending::Unlock), Phase::Main(main)) => main.lock.as_mut().map(|l| &mut l.form),
            (Some(Pending::StaffForm), Phase::Main(main)) => {
                main.staff.overlay.as_mut().and_then(StaffOverlay::form_mut)
            }
            (Some(Pending::ClientForm), Phase::Main(main)) => match &error {
                crate::Error::ClientInvalid { errors } => {
                    main.clients.show_field_errors(errors, i18n);
                    return;
                }
                crate::Error::DuplicateClient { client_no } => {
                    main.clients.duplicate = Some(client_no.clone());
                    return;
                }
                _ => main.clients.form.as_mut().map(|f| &mut f.form),
            },
            (Some(Pending::ComplaintForm), Phase::Main(main)) => {
                let screen = &mut main.complaints;
                match &error {
                    crate::Error::ComplaintIntake { errors } => {
                        screen.refuse_intake(errors, |e| crate::error::intake_rule_text(i18n, e));
                        return;
                    }
                    crate::Error::ClientNotFound { .. } => {
                        screen.refuse_intake_field("client", message);
                        return;
                    }
                    crate::Error::StaffNotFound { .. } => {
                        screen.refuse_intake_field("subject_staff", message);
                        return;
                    }
                    _ => screen.intake.as_mut(),
                }
            }
            (Some(Pending::ComplaintPrompt), Phase::Main(main)) => {
                main.complaints.active_form_mut()
            }
            (Some(Pending::CarePrompt), Phase::Main(main)) => main.care.active_form_mut(),
            (Some(Pending::SurveyForm), Phase::Main(main)) => match &error {
                crate::Error::SurveyInvalid { errors } => {
                    main.surveys.refuse(errors, i18n);
                    return;
                }
                crate::Error::ClientNotFound { .. } => {
                    if let Some(entry) = main.surveys.entry.as_mut() {
                        entry.form.refuse(1, message);
                    }
                    return;
                }
                _ => main.surveys.active_form_mut(),
            },
            (Some(Pending::SyncAction), Phase::Main(main)) => {
                main.sync.failed();
                None
            }
            (Some(Pending::ClientPrompt), Phase::Main(main)) => {
                main.clients.import = None;
                main.clients.prompt.as_mut().map(|p| &mut p.form)
            }
            _ => None,
        };
        match form {
            Some(form) => form.error = Some(message),
            None => self.say(StatusKind::Error, message),
        }
    }
}

/// The day on the wall clock (the branch's local date).
fn wall_date(now: DateTime<FixedOffset>) -> chrono::NaiveDate {
    now.date_naive()
}

fn session_greeting(session: &SessionInfo, i18n: &I18n) -> Option<StatusLine> {
    (session.failed_attempts_before > 0).then(|| StatusLine {
        kind: StatusKind::Warning,
        text: i18n.fill(
            "status.failed_attempts",
            &[("count", &session.failed_attempts_before.to_string())],
        ),
    })
}

pub fn login_form() -> Form {
    Form::new(vec![
        Field::text("field.staff_id", 32),
        Field::secret("field.passphrase"),
    ])
}

fn setup_form() -> Form {
    Form::new(vec![
        Field::text("field.branch_code", 16),
        Field::text("field.branch_name", 40),
        Field::text("field.admin_id", 32),
        Field::text("field.admin_name", 40),
        Field::secret("field.passphrase"),
        Field::secret("field.repeat_passphrase"),
    ])
}
