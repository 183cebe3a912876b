//! Keys, clicks and the clock: what the staff member does, turned into state and requests.
//! The app handles what belongs to the frame (help, quit, lock, leaving a screen, editing
//! the focused field) and hands the rest to the screen in front.

use super::screen::Ctx;
use super::*;

impl App {
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
            (Modal::Logout, Command::Confirm) => {
                self.modal = None;
                return self.send(Pending::Logout { then_quit: false }, Request::Logout);
            }
            (Modal::Quit | Modal::Discard | Modal::Logout, Command::Back) => self.modal = None,
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
            Command::Logout if !self.unsaved_work().is_empty() => {
                self.modal = Some(Modal::Logout);
                Vec::new()
            }
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
    pub(super) fn with_screen(
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

    pub(super) fn carry_out(&mut self, from: Tab, outcome: Outcome, busy: bool) -> Vec<Effect> {
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
                self.clear_stale_status();
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
        if main.tab == tab {
            return self.with_screen(|screen, cx| screen.on_key_again(cx), false);
        }
        self.clear_stale_status();
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
}

/// A help text's scroll position after a step of `by` lines.
fn scrolled(scroll: u16, up: bool, by: u16) -> u16 {
    if up {
        scroll.saturating_sub(by)
    } else {
        scroll.saturating_add(by)
    }
}
