//! The workstation's state machine: [`App`] holds what is on screen, [`App::update`] turns an
//! [`Action`] into new state plus [`Effect`]s (requests for the store worker). No terminal, no
//! database: this layer is tested by feeding it actions and replies.
//!
//! The app keeps the phases (first run, login, the main frame), the modals, the lock, the
//! idle timer and the status line, and routes everything else to the screen in front (see
//! [`screen::Screen`]); the screens are listed once, in [`tabs`].

mod command;
pub mod form;
pub mod list;
pub mod phases;
pub mod screen;
pub mod screens;
pub mod tabs;

pub use command::{Command, Context};
pub use phases::LockState;
pub use screen::{Back, Handoff, Outcome, Screen, ScreenKeys};
pub use screens::{
    AuditScreen, CareScreen, ClientsScreen, ComplaintsScreen, OverviewScreen, StaffScreen,
    SurveyScreen, SyncScreen, audit, care, clients, complaints, staff, surveys, sync,
};
pub use tabs::{Screens, Tab};

use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo, StoreProbe};
use chrono::{DateTime, FixedOffset};
use form::Form;
use screen::Ctx;
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
    pub screens: Screens,
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

/// Which request is in flight, so that its reply (or refusal) lands in the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Create,
    Login,
    Unlock,
    Logout {
        then_quit: bool,
    },
    /// A request a screen sent and waits for.
    Screen(Tab),
}

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
    /// Wall-clock time in the terminal's zone, as the shell last saw it.
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
            StoreProbe::Absent => (Phase::Setup(phases::setup_form()), false),
            StoreProbe::Present { demo } => (Phase::Login(phases::login_form()), demo),
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
        Tab::ALL
            .iter()
            .copied()
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
            Phase::Main(main) => match &main.lock {
                Some(lock) => Some(&lock.form),
                None => main.screens.get(main.tab).form(),
            },
        }
    }

    fn active_form_mut(&mut self) -> Option<&mut Form> {
        if self.modal.is_some() {
            return None;
        }
        match &mut self.phase {
            Phase::Setup(form) | Phase::Login(form) => Some(form),
            Phase::Main(main) => match &mut main.lock {
                Some(lock) => Some(&mut lock.form),
                None => main.screens.get_mut(main.tab).form_mut(),
            },
        }
    }

    /// Keymap contexts that are live now, most specific first: the focused field's, then
    /// the screen's (or the phase's), then the global keys.
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
        match &self.phase {
            Phase::Setup(_) | Phase::Login(_) => contexts.push(Context::Form),
            Phase::Main(main) if main.lock.is_some() => {
                contexts.push(Context::Lock);
                return contexts;
            }
            Phase::Main(main) => match main.screens.get(main.tab).keys() {
                ScreenKeys::Confirm => return vec![Context::Confirm],
                ScreenKeys::Live(screen) => contexts.extend(screen),
            },
        }
        contexts.push(Context::Global);
        contexts
    }

    /// Whether `command` does anything right now (the footer and help show only these).
    pub fn enabled(&self, command: Command) -> bool {
        let main = self.main();
        match command {
            Command::Lock => return main.is_some() && !self.is_locked(),
            Command::Logout => return main.is_some(),
            Command::Save => {
                return match &self.phase {
                    Phase::Setup(_) => true,
                    Phase::Login(_) => false,
                    Phase::Main(main) => main.lock.is_none() && main.screens.get(main.tab).saves(),
                };
            }
            _ => {}
        }
        if let Some(tab) = Tab::opened_by(command) {
            return self.tabs().contains(&tab);
        }
        if let Some(permission) = command.needs()
            && !main.is_some_and(|m| m.session.can(permission))
        {
            return false;
        }
        main.is_none_or(|m| {
            Tab::ALL
                .iter()
                .all(|tab| m.screens.get(*tab).allows(command, &m.session))
        })
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
        let mut effects = self.on_input(action);
        // What the key changed may matter to the screen (a lookup to run again, the
        // questions a score brings up).
        if !self.is_locked() {
            effects.extend(self.with_screen(|screen, cx| screen.after_input(cx), false));
        }
        effects
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
            (Modal::Help { scroll }, Command::Up | Command::Down) => {
                self.modal = Some(Modal::Help {
                    scroll: scrolled(scroll, command == Command::Up, 1),
                })
            }
            (Modal::Help { scroll }, Command::PageUp | Command::PageDown) => {
                self.modal = Some(Modal::Help {
                    scroll: scrolled(scroll, command == Command::PageUp, 10),
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
                    main.screens.get_mut(main.tab).discard();
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
            return self.with_form(|form| form.edit(edit));
        }
        if let Some(tab) = Tab::opened_by(command) {
            return self.open_tab(tab);
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
            Command::NewLine => self.with_form(Form::new_line),
            Command::LineUp => self.with_form(|f| f.move_line(-1)),
            Command::LineDown => self.with_form(|f| f.move_line(1)),
            Command::NextField => self.with_form(Form::next),
            Command::PrevField => self.with_form(Form::prev),
            Command::ChoicePrev => self.with_form(|f| f.cycle(-1)),
            Command::ChoiceNext => self.with_form(|f| f.cycle(1)),
            Command::Submit | Command::Save => self.submit(command == Command::Save),
            // A confirmation over a screen (not a modal) goes through the screen's submit.
            Command::Confirm => self.submit(false),
            Command::Back => self.back(),
            _ if self.is_locked() => Vec::new(),
            _ => self.with_screen(|screen, cx| screen.on_command(command, cx), false),
        }
    }

    fn with_form(&mut self, f: impl FnOnce(&mut Form)) -> Vec<Effect> {
        if let Some(form) = self.active_form_mut() {
            f(form);
        }
        Vec::new()
    }

    /// Runs `f` on the screen in front and carries out what it asks. `busy`: a request it
    /// sends is work the staff member waits for ("working…" on the status line).
    fn with_screen(
        &mut self,
        f: impl FnOnce(&mut dyn Screen, &mut Ctx) -> Outcome,
        busy: bool,
    ) -> Vec<Effect> {
        let i18n = self.i18n;
        let now = self.now;
        let Phase::Main(main) = &mut self.phase else {
            return Vec::new();
        };
        let tab = main.tab;
        let mut cx = Ctx::new(i18n, now, &mut main.session, &mut self.status);
        let outcome = f(main.screens.get_mut(tab), &mut cx);
        self.carry_out(tab, outcome, busy)
    }

    fn carry_out(&mut self, from: Tab, outcome: Outcome, busy: bool) -> Vec<Effect> {
        match outcome {
            Outcome::None => Vec::new(),
            Outcome::Send(request) => {
                if busy {
                    self.say(StatusKind::Busy, self.i18n.t("status.working").to_string());
                }
                self.send(Pending::Screen(from), request)
            }
            Outcome::Load(request) => vec![Effect::Send(request)],
            Outcome::Open(tab, handoff) => self.show(tab, handoff),
        }
    }

    /// Brings `tab` to the front, handing it `handoff`.
    fn show(&mut self, tab: Tab, handoff: Handoff) -> Vec<Effect> {
        let Some(main) = self.main_mut() else {
            return Vec::new();
        };
        main.screens.get_mut(main.tab).on_leave();
        main.tab = tab;
        self.with_screen(|screen, cx| screen.on_open(handoff, cx), false)
    }

    fn back(&mut self) -> Vec<Effect> {
        if self.is_locked() {
            return Vec::new();
        }
        let i18n = self.i18n;
        let now = self.now;
        let Phase::Main(main) = &mut self.phase else {
            self.modal = Some(Modal::Quit);
            return Vec::new();
        };
        let tab = main.tab;
        let mut cx = Ctx::new(i18n, now, &mut main.session, &mut self.status);
        match main.screens.get_mut(tab).back(&mut cx) {
            Back::Done(outcome) => self.carry_out(tab, outcome, false),
            Back::AskDiscard => {
                self.modal = Some(Modal::Discard);
                Vec::new()
            }
            Back::Leave if tab != Tab::Overview => {
                main.screens.get_mut(tab).on_leave();
                main.tab = Tab::Overview;
                Vec::new()
            }
            Back::Leave => {
                self.modal = Some(Modal::Quit);
                Vec::new()
            }
        }
    }

    fn open_tab(&mut self, tab: Tab) -> Vec<Effect> {
        if self.is_locked() || !self.tabs().contains(&tab) {
            return Vec::new();
        }
        let Some(main) = self.main() else {
            return Vec::new();
        };
        if main.screens.get(main.tab).unsaved() {
            self.modal = Some(Modal::Discard);
            return Vec::new();
        }
        self.show(tab, Handoff::None)
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
        for tab in Tab::ALL {
            main.screens.get_mut(*tab).on_lock();
        }
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
        match &mut self.phase {
            Phase::Setup(form) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return Vec::new();
                }
                match phases::setup_request(form, i18n) {
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
            Phase::Main(main) => match &mut main.lock {
                Some(lock) => {
                    let passphrase = secrecy::SecretString::from(lock.form.value(0).to_string());
                    lock.form.clear_secrets();
                    self.say(StatusKind::Busy, i18n.t("status.checking").to_string());
                    self.send(Pending::Unlock, Request::Unlock { passphrase })
                }
                None => self.with_screen(|screen, cx| screen.submit(save, cx), true),
            },
        }
    }

    fn on_reply(&mut self, reply: Reply) -> Vec<Effect> {
        let pending = if reply.keeps_pending() {
            self.pending
        } else {
            self.pending.take()
        };
        let i18n = self.i18n;
        match reply {
            Reply::LoggedIn(session) => {
                self.status = session_greeting(&session, i18n);
                self.phase = Phase::Main(Box::new(MainState {
                    session: *session,
                    tab: Tab::Overview,
                    screens: Screens::default(),
                    lock: None,
                }));
            }
            Reply::Waiting { seconds } => {
                let text = i18n.fill("status.waiting", &[("seconds", &seconds.to_string())]);
                self.say(StatusKind::Busy, text);
            }
            Reply::Unlocked => {
                self.status = None;
                if let Some(main) = self.main_mut() {
                    main.lock = None;
                    return self.with_screen(|screen, cx| screen.on_unlock(cx), false);
                }
            }
            Reply::LoggedOut => {
                if pending == Some(Pending::Logout { then_quit: true }) {
                    return vec![Effect::Quit];
                }
                self.phase = Phase::Login(phases::login_form());
                self.say(StatusKind::Info, i18n.t("status.logged_out").to_string());
            }
            Reply::Done => {}
            Reply::Failed(error) => self.on_failure(pending, error),
            reply => return self.route_to_screens(reply),
        }
        Vec::new()
    }

    /// A reply for a screen: each is offered it in turn until one takes it.
    fn route_to_screens(&mut self, mut reply: Reply) -> Vec<Effect> {
        let i18n = self.i18n;
        let now = self.now;
        let Phase::Main(main) = &mut self.phase else {
            return Vec::new();
        };
        for tab in Tab::ALL {
            let mut cx = Ctx::new(i18n, now, &mut main.session, &mut self.status);
            match main.screens.get_mut(*tab).on_reply(reply, &mut cx) {
                Ok(outcome) => return self.carry_out(*tab, outcome, false),
                Err(unclaimed) => reply = unclaimed,
            }
        }
        tracing::warn!(?reply, "a reply no screen took");
        Vec::new()
    }

    fn on_failure(&mut self, pending: Option<Pending>, error: crate::Error) {
        let i18n = self.i18n;
        let now = self.now;
        let message = error.message(i18n);
        if let crate::Error::Internal { detail } = &error {
            tracing::error!(%detail, "request failed");
        }
        self.status = None;
        let unplaced = match (pending, &mut self.phase) {
            (Some(Pending::Login), Phase::Login(form)) => {
                form.clear_secrets();
                form.focus = 1;
                form.error = Some(message);
                None
            }
            (Some(Pending::Create), Phase::Setup(form)) => {
                form.error = Some(message);
                None
            }
            (Some(Pending::Unlock), Phase::Main(main)) => match main.lock.as_mut() {
                Some(lock) => {
                    lock.form.error = Some(message);
                    None
                }
                None => Some(message),
            },
            (Some(Pending::Screen(tab)), Phase::Main(main)) => {
                let mut cx = Ctx::new(i18n, now, &mut main.session, &mut self.status);
                main.screens.get_mut(tab).refused(&error, message, &mut cx)
            }
            _ => Some(message),
        };
        if let Some(message) = unplaced {
            self.say(StatusKind::Error, message);
        }
    }
}

/// A help text's scroll position after a step of `by` lines.
fn scrolled(scroll: u16, up: bool, by: u16) -> u16 {
    if up {
        scroll.saturating_sub(by)
    } else {
        scroll.saturating_add(by)
    }
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
