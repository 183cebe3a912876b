//! The care screen (F4): the agenda of reminders (overdue, today, the next 7 and 30 days)
//! and acting on one: done (with channel and note), snoozed to a day, or dismissed.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::list::Selection;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::app::tabs::Tab;
use crate::domain::care::{Action, Agenda, CareItem, CareScope};
use crate::domain::contact::CHANNELS;
use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo};
use chrono::{Duration, NaiveDate};

/// The agenda looks this far ahead (and back over what is overdue).
pub const DAYS_AHEAD: i64 = 30;

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 10;

/// Acting on a reminder: first what to do, then the details.
#[derive(Debug)]
pub enum CarePrompt {
    Choose(Form),
    Details { action: Action, form: Form },
}

#[derive(Debug, Default)]
pub struct CareScreen {
    pub agenda: Option<Agenda>,
    pub loading: bool,
    /// The scope asked for (None: the role's default).
    pub scope: Option<CareScope>,
    pub selected: Selection,
    pub prompt: Option<CarePrompt>,
}

impl CareScreen {
    pub fn load(&mut self, today: NaiveDate) -> Request {
        self.loading = true;
        let (from, to) = Agenda::window(today, DAYS_AHEAD);
        Request::CareAgenda {
            from,
            to,
            scope: self.scope,
        }
    }

    /// Takes a fresh agenda. The selection stays on the reminder it was on; if that one is
    /// gone (acted on elsewhere), a prompt about it closes rather than act on another.
    pub fn set_agenda(&mut self, agenda: Agenda) {
        let agenda = agenda.without_lapsed();
        let was_on = self.selected_item().map(|i| i.id.clone());
        let found = was_on
            .as_ref()
            .and_then(|id| agenda.items.iter().position(|i| &i.id == id));
        match found {
            Some(index) => self.selected.index = index,
            None => {
                self.selected.clamp(agenda.items.len());
                if was_on.is_some() {
                    self.prompt = None;
                }
            }
        }
        self.agenda = Some(agenda);
        self.loading = false;
    }

    pub fn selected_item(&self) -> Option<&CareItem> {
        self.agenda.as_ref()?.items.get(self.selected.index)
    }

    /// Enter or Ctrl-S in the prompt: the request it makes, if any.
    fn submit_prompt(&mut self, save: bool, i18n: &I18n, today: NaiveDate) -> Option<Request> {
        let item = self.selected_item()?.clone();
        match self.prompt.take()? {
            CarePrompt::Choose(form) => {
                let action = Action::parse(form.value(0))?;
                let fields = match action {
                    Action::Done => vec![
                        Field::choice_with_codes(
                            "care.field.channel",
                            CHANNELS.iter().map(|c| c.to_string()).collect(),
                            CHANNELS.iter().position(|c| *c == "phone").unwrap_or(0),
                        ),
                        Field::text("care.field.note", 500)
                            .with_text(&i18n.care_reason(&item.reason, today)),
                    ],
                    Action::Snoozed => vec![
                        Field::text("care.field.until", 10)
                            .with_text(&(today + Duration::days(7)).to_string()),
                    ],
                    Action::Dismissed => vec![Field::text("care.field.why", 200)],
                };
                self.prompt = Some(CarePrompt::Details {
                    action,
                    form: Form::new(fields),
                });
                None
            }
            CarePrompt::Details { action, mut form } => {
                if !save && !form.on_last_field() {
                    form.next();
                    self.prompt = Some(CarePrompt::Details { action, form });
                    return None;
                }
                form.clear_errors();
                let id = item.id.clone();
                let request = match action {
                    Action::Done => Request::CareDone {
                        id,
                        channel: form.value(0).to_string(),
                        note: form.value(1).trim().to_string(),
                    },
                    Action::Snoozed => Request::CareSnooze {
                        id,
                        until: form.value(0).trim().to_string(),
                    },
                    Action::Dismissed => Request::CareDismiss {
                        id,
                        why: form.value(0).trim().to_string(),
                    },
                };
                self.prompt = Some(CarePrompt::Details { action, form });
                Some(request)
            }
        }
    }
}

impl Screen for CareScreen {
    fn keys(&self) -> ScreenKeys {
        if self.prompt.is_some() {
            ScreenKeys::Live(vec![Context::Form])
        } else {
            ScreenKeys::Live(vec![Context::Care, Context::List])
        }
    }

    fn form(&self) -> Option<&Form> {
        match &self.prompt {
            Some(CarePrompt::Choose(form) | CarePrompt::Details { form, .. }) => Some(form),
            None => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.prompt {
            Some(CarePrompt::Choose(form) | CarePrompt::Details { form, .. }) => Some(form),
            None => None,
        }
    }

    fn saves(&self) -> bool {
        self.prompt.is_some()
    }

    fn offers(&self, command: Command, session: &SessionInfo) -> bool {
        command != Command::ToggleScope || CareScope::may_choose(session.role)
    }

    /// A client's record is one key away from a reminder about a client (not a festival).
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        command != Command::ClientRecord
            || self.selected_item().is_some_and(|i| i.client_no.is_some())
    }

    fn on_open(&mut self, _handoff: Handoff, cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load(cx.today))
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        let count = self.agenda.as_ref().map_or(0, |a| a.items.len());
        if self.selected.step(command, count, PAGE_ROWS) {
            return Outcome::None;
        }
        match command {
            Command::Refresh => Outcome::Load(self.load(cx.today)),
            Command::ToggleScope if CareScope::may_choose(cx.session().role) => {
                let now = self.agenda.as_ref().map(|a| a.scope);
                self.scope = Some(match now {
                    Some(CareScope::Branch) => CareScope::Mine,
                    _ => CareScope::Branch,
                });
                self.selected = Selection::default();
                Outcome::Load(self.load(cx.today))
            }
            Command::ClientRecord => {
                let client_no = self.selected_item().and_then(|i| i.client_no.clone());
                client_no.map_or(Outcome::None, |client_no| {
                    Outcome::Open(Tab::Clients, Handoff::Client { client_no })
                })
            }
            Command::ActOnReminder if self.selected_item().is_some() => {
                let actions = [Action::Done, Action::Snoozed, Action::Dismissed]
                    .iter()
                    .map(|a| a.code().to_string())
                    .collect();
                self.prompt = Some(CarePrompt::Choose(Form::new(vec![
                    Field::choice_with_codes("care.field.action", actions, 0),
                ])));
                Outcome::None
            }
            _ => Outcome::None,
        }
    }

    fn submit(&mut self, save: bool, cx: &mut Ctx) -> Outcome {
        Outcome::sending(self.submit_prompt(save, cx.i18n, cx.today))
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        Back::closed(self.prompt.take().is_some())
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::CareAgenda(agenda) => {
                cx.clear_busy();
                // The header counts what is due in the role's own view of the agenda.
                if agenda.scope == CareScope::default_for(cx.session().role) {
                    let due = agenda.current().filter(|i| i.on <= agenda.today).count();
                    cx.set_care_due(due as u64);
                }
                self.set_agenda(*agenda);
                Ok(Outcome::None)
            }
            Reply::CareActed { id, action, until } => {
                let i18n = cx.i18n;
                // Said with the client's name and the reason, as the agenda showed them.
                let who = self
                    .agenda
                    .as_ref()
                    .and_then(|a| a.items.iter().find(|i| i.id == id).map(|i| (i, a.today)))
                    .map(|(item, today)| {
                        // Short enough that the line still says where it went.
                        let reason = crate::text::fit(&i18n.care_reason(&item.reason, today), 30);
                        match &item.name {
                            Some(name) => format!("{name} · {reason}"),
                            None => reason,
                        }
                    })
                    .unwrap_or(id);
                let text = match (action, until) {
                    (Action::Snoozed, Some(until)) => i18n.fill(
                        "cli.care_snoozed",
                        &[("id", &who), ("until", &until.to_string())],
                    ),
                    (Action::Dismissed, _) => i18n.fill("cli.care_dismissed", &[("id", &who)]),
                    _ => i18n.fill("cli.care_done", &[("id", &who)]),
                };
                cx.say(StatusKind::Success, text);
                self.prompt = None;
                Ok(Outcome::Load(self.load(cx.today)))
            }
            other => Err(other),
        }
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        match &self.prompt {
            Some(CarePrompt::Details { form, .. }) if form.dirty => Some("unsaved.care"),
            _ => None,
        }
    }

    /// The agenda is read again: a day may have turned, or someone else acted.
    fn on_unlock(&mut self, cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load(cx.today))
    }
}
