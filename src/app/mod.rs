//! The workstation's state machine: [`App`] holds what is on screen, [`App::update`] turns an
//! [`Action`] into new state plus [`Effect`]s (requests for the store worker). No terminal, no
//! database: this layer is tested by feeding it actions and replies.
//!
//! The app keeps the phases (first run, login, the main frame), the modals, the lock, the
//! idle timer and the status line, and routes everything else to the screen in front (see
//! [`screen::Screen`]); the screens are listed once, in [`tabs`].

mod command;
pub mod form;
mod input;
pub mod list;
pub mod phases;
mod replies;
pub mod screen;
pub mod screens;
pub mod tabs;

pub use command::{Command, Context};
pub use phases::LockState;
pub use screen::{Back, Handoff, Outcome, Screen, ScreenKeys};
pub use screens::{
    AuditScreen, BookScreen, CareScreen, ClientsScreen, ComplaintsScreen, EventsScreen,
    OverviewScreen, StaffScreen, SurveyScreen, SyncScreen, audit, book, care, clients, complaints,
    events, points, portfolio, record_page, staff, surveys, sync,
};
pub use tabs::{Screens, Tab};

use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo, StoreProbe};
use chrono::{DateTime, FixedOffset};
use form::Form;
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
    /// Switching staff (F9) would drop unsaved work.
    Logout,
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
            .filter(|tab| tab.open_to(|p| main.session.can(p)))
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
            Some(Modal::Quit | Modal::Discard | Modal::Logout) => return vec![Context::Confirm],
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

    /// Whether `command` is this staff member's to use at all: the permission it needs, the
    /// screen it opens, what the screens offer this role. F1 lists these.
    pub fn offers(&self, command: Command) -> bool {
        let main = self.main();
        match command {
            Command::Lock | Command::Logout => return main.is_some(),
            Command::Save => return !matches!(self.phase, Phase::Login(_)),
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
                .all(|tab| m.screens.get(*tab).offers(command, &m.session))
        })
    }

    /// Whether `command` acts right now: offered, and the state of the screen in front
    /// allows it (the footer shows only these, and only these reach a screen).
    pub fn enabled(&self, command: Command) -> bool {
        if !self.offers(command) {
            return false;
        }
        let main = self.main();
        match command {
            Command::Lock => !self.is_locked(),
            Command::Save => match &self.phase {
                Phase::Main(main) => main.lock.is_none() && main.screens.get(main.tab).saves(),
                _ => true,
            },
            _ => main.is_none_or(|m| m.screens.get(m.tab).allows(command, &m.session)),
        }
    }

    /// The unsaved work the screens hold, as catalog keys naming it (`unsaved.*`).
    pub fn unsaved_work(&self) -> Vec<&'static str> {
        let Some(main) = self.main() else {
            return Vec::new();
        };
        Tab::ALL
            .iter()
            .filter_map(|tab| main.screens.get(*tab).unsaved_work())
            .collect()
    }

    /// A message about one screen is stale on another; "working…" stays until its answer.
    fn clear_stale_status(&mut self) {
        if self
            .status
            .as_ref()
            .is_some_and(|s| s.kind != StatusKind::Busy)
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
}
