//! Replies from the store: the app takes those about the session (login, lock, logout,
//! a refusal) and offers the rest to the screens, each of which knows its own.

use super::screen::Ctx;
use super::*;

impl App {
    pub(super) fn on_reply(&mut self, reply: Reply) -> Vec<Effect> {
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

fn session_greeting(session: &SessionInfo, i18n: &I18n) -> Option<StatusLine> {
    (session.failed_attempts_before > 0).then(|| StatusLine {
        kind: StatusKind::Warning,
        text: i18n.fill(
            "status.failed_attempts",
            &[("count", &session.failed_attempts_before.to_string())],
        ),
    })
}
