//! What every screen of the main frame is to the app: a [`Screen`] takes the keys and
//! replies the app routes to it and answers with an [`Outcome`]. The app keeps the phases,
//! the modals, the lock, the idle timer and the status line, and knows nothing of a screen's
//! insides; a screen knows nothing of the others (it hands over with [`Outcome::Open`]).

use super::command::{Command, Context};
use super::form::Form;
use super::tabs::Tab;
use super::{StatusKind, StatusLine};
use crate::domain::staff::Permission;
use crate::error::Error;
use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo};
use chrono::{DateTime, FixedOffset, NaiveDate};

/// What a screen asks of the app after a key, a reply or an opening.
#[derive(Debug)]
pub enum Outcome {
    None,
    /// A request whose answer the screen waits for (one at a time: further submits wait).
    Send(Request),
    /// A request in the background (a list to show); the screen stays usable meanwhile.
    Load(Request),
    /// Another screen takes over, with what it needs to start from.
    Open(Tab, Handoff),
}

impl Outcome {
    /// The request a form made, if it made one, sent and waited for.
    pub fn sending(request: Option<Request>) -> Outcome {
        request.map_or(Outcome::None, Outcome::Send)
    }
}

/// What a screen is given when another one opens it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Handoff {
    /// Opened from the tab row or its key.
    #[default]
    None,
    /// Register a complaint: for this client (a walk-in when None), in these words.
    Complaint {
        client_no: Option<String>,
        description: Option<String>,
    },
    /// Take a survey for this client.
    Survey { client_no: String },
    /// Open this client's record (from a reminder, a complaint, a survey response).
    Client { client_no: String },
    /// Find a client for a form on `back_to`, starting from what was typed there.
    PickClient { query: String, back_to: Tab },
    /// The client chosen for the form (back from [`Handoff::PickClient`]).
    Picked { client_no: String },
}

/// Which keymap contexts are live on a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenKeys {
    /// A question over the screen: only its answers (Enter, Esc) act.
    Confirm,
    /// After the focused field's own keys, these, most specific first; then the global keys.
    Live(Vec<Context>),
}

/// What Esc does on a screen.
#[derive(Debug)]
pub enum Back {
    /// Something on the screen closed.
    Done(Outcome),
    /// A form with unsaved changes: the app asks before it goes.
    AskDiscard,
    /// Nothing left to close: the screen itself is left.
    Leave,
}

impl Back {
    /// Esc closed something (`closed`), or there was nothing to close.
    pub fn closed(closed: bool) -> Back {
        if closed {
            Back::Done(Outcome::None)
        } else {
            Back::Leave
        }
    }
}

/// What a screen may read and say while it handles something.
pub struct Ctx<'a> {
    pub i18n: &'static I18n,
    pub today: NaiveDate,
    pub now: DateTime<FixedOffset>,
    session: &'a mut SessionInfo,
    status: &'a mut Option<StatusLine>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        i18n: &'static I18n,
        now: DateTime<FixedOffset>,
        session: &'a mut SessionInfo,
        status: &'a mut Option<StatusLine>,
    ) -> Ctx<'a> {
        Ctx {
            i18n,
            today: now.date_naive(),
            now,
            session,
            status,
        }
    }

    pub fn session(&self) -> &SessionInfo {
        self.session
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.session.can(permission)
    }

    /// The header's count of care reminders due (kept by the care screen).
    pub fn set_care_due(&mut self, due: u64) {
        self.session.care_due = Some(due);
    }

    /// The header's count of AML work overdue (kept by the risk desk).
    pub fn set_risk_overdue(&mut self, overdue: u64) {
        self.session.risk_overdue = Some(overdue);
    }

    pub fn say(&mut self, kind: StatusKind, text: String) {
        *self.status = Some(StatusLine { text, kind });
    }

    /// A "working…" line goes once the answer is in; other messages stay.
    pub fn clear_busy(&mut self) {
        if self
            .status
            .as_ref()
            .is_some_and(|s| s.kind == StatusKind::Busy)
        {
            *self.status = None;
        }
    }

    pub fn clear_status(&mut self) {
        *self.status = None;
    }
}

/// Puts a refusal on `form` (under its fields); without a form it goes back to the caller.
pub fn on_form(form: Option<&mut Form>, message: String) -> Option<String> {
    match form {
        Some(form) => {
            form.error = Some(message);
            None
        }
        None => Some(message),
    }
}

/// One screen of the main frame. Every method has a default that does nothing, so a screen
/// says only what it does.
pub trait Screen: std::fmt::Debug {
    /// The keymap contexts live now.
    fn keys(&self) -> ScreenKeys {
        ScreenKeys::Live(Vec::new())
    }

    /// The form that has the keyboard.
    fn form(&self) -> Option<&Form> {
        None
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        None
    }

    /// Whether Ctrl-S saves something here now.
    fn saves(&self) -> bool {
        false
    }

    /// Whether `command` is this staff member's to use on this screen at all, beyond the
    /// permission it needs (an RM's agenda is their own book; HQ exports nothing). F1
    /// lists what is offered.
    fn offers(&self, _command: Command, _session: &SessionInfo) -> bool {
        true
    }

    /// Whether the screen's state lets an offered `command` act now: a reveal needs a
    /// masked record on screen, an export an idle branch store. The footer shows only
    /// what acts now.
    fn allows(&self, _command: Command, _session: &SessionInfo) -> bool {
        true
    }

    /// The screen comes to the front.
    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        Outcome::None
    }

    /// The screen's own key pressed while it is in front: as when it was opened, unless
    /// the screen has something better to do (the client screen starts over).
    fn on_key_again(&mut self, cx: &mut Ctx) -> Outcome {
        self.on_open(Handoff::None, cx)
    }

    /// A command the app does not handle itself.
    fn on_command(&mut self, _command: Command, _cx: &mut Ctx) -> Outcome {
        Outcome::None
    }

    /// Enter (or Ctrl-S, `save`) on the screen's form or question.
    fn submit(&mut self, _save: bool, _cx: &mut Ctx) -> Outcome {
        Outcome::None
    }

    /// After any key: what the screen does with what changed (a new lookup, the questions a
    /// score brings up).
    fn after_input(&mut self, _cx: &mut Ctx) -> Outcome {
        Outcome::None
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        Back::Leave
    }

    /// A reply for this screen; any other is handed back.
    fn on_reply(&mut self, reply: Reply, _cx: &mut Ctx) -> Result<Outcome, Reply> {
        Err(reply)
    }

    /// A request of this screen's was refused: the sentence goes where it belongs on the
    /// screen (None), or back to the app for the status line. By default it goes on the
    /// form that has the keyboard, if there is one.
    fn refused(&mut self, _error: &Error, message: String, _cx: &mut Ctx) -> Option<String> {
        on_form(self.form_mut(), message)
    }

    /// Whether leaving for another screen would lose what was typed (the app asks first).
    fn unsaved(&self) -> bool {
        false
    }

    /// The unsaved work goes (the staff member said so).
    fn discard(&mut self) {}

    /// Another screen comes to the front.
    fn on_leave(&mut self) {}

    /// What unsaved work the screen holds, named for a question (a catalog key,
    /// `unsaved.*`); asked before a staff member switches or quits.
    fn unsaved_work(&self) -> Option<&'static str> {
        None
    }

    /// The workstation locks. The screen stays as it is, hidden: the same staff member
    /// finds it again. Only passphrases typed into a form go (they are asked for again).
    fn on_lock(&mut self) {
        if let Some(form) = self.form_mut() {
            form.clear_secrets();
        }
    }

    /// Unlocked again (this screen in front): what it shows is asked for again.
    fn on_unlock(&mut self, _cx: &mut Ctx) -> Outcome {
        Outcome::None
    }
}
