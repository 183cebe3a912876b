//! The care screen (F4): the agenda of reminders (overdue, today, the next 7 and 30 days)
//! and acting on one: done (with channel and note), snoozed to a day, or dismissed.

use super::form::{Field, Form};
use super::{Command, Pending};
use crate::domain::care::Action;
use crate::domain::care::{Agenda, CareItem, CareScope};
use crate::domain::contact::CHANNELS;
use crate::i18n::I18n;
use crate::service::Request;
use chrono::{Duration, NaiveDate};

/// The agenda looks this far back (overdue) and ahead.
pub const DAYS_BACK: i64 = crate::domain::care::OVERDUE_DAYS;
pub const DAYS_AHEAD: i64 = 30;

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
    pub selected: usize,
    pub prompt: Option<CarePrompt>,
}

impl CareScreen {
    pub fn active_form(&self) -> Option<&Form> {
        match &self.prompt {
            Some(CarePrompt::Choose(form) | CarePrompt::Details { form, .. }) => Some(form),
            None => None,
        }
    }

    pub fn active_form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.prompt {
            Some(CarePrompt::Choose(form) | CarePrompt::Details { form, .. }) => Some(form),
            None => None,
        }
    }

    pub fn load(&mut self, today: NaiveDate) -> Request {
        self.loading = true;
        Request::CareAgenda {
            from: today - Duration::days(DAYS_BACK),
            to: today + Duration::days(DAYS_AHEAD),
            scope: self.scope,
        }
    }

    pub fn set_agenda(&mut self, agenda: Agenda) {
        let agenda = agenda.without_lapsed();
        self.selected = self.selected.min(agenda.items.len().saturating_sub(1));
        self.agenda = Some(agenda);
        self.loading = false;
    }

    pub fn selected_item(&self) -> Option<&CareItem> {
        self.agenda.as_ref()?.items.get(self.selected)
    }

    /// Commands on the agenda itself.
    pub fn on_command(
        &mut self,
        command: Command,
        may_widen: bool,
        today: NaiveDate,
    ) -> Option<Request> {
        let count = self.agenda.as_ref().map_or(0, |a| a.items.len());
        let last = count.saturating_sub(1);
        match command {
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.selected = self.selected.saturating_sub(10),
            Command::PageDown => self.selected = (self.selected + 10).min(last),
            Command::First => self.selected = 0,
            Command::Last => self.selected = last,
            Command::Refresh => return Some(self.load(today)),
            Command::ToggleScope if may_widen => {
                let now = self.agenda.as_ref().map(|a| a.scope);
                self.scope = Some(match now {
                    Some(CareScope::Branch) => CareScope::Mine,
                    _ => CareScope::Branch,
                });
                self.selected = 0;
                return Some(self.load(today));
            }
            Command::ActOnReminder if self.selected_item().is_some() => {
                let actions = [Action::Done, Action::Snoozed, Action::Dismissed]
                    .iter()
                    .map(|a| a.code().to_string())
                    .collect();
                self.prompt = Some(CarePrompt::Choose(Form::new(vec![
                    Field::choice_with_codes("care.field.action", actions, 0),
                ])));
            }
            _ => {}
        }
        None
    }

    /// Enter or Ctrl-S in the prompt: the request it makes, if any.
    pub fn submit(
        &mut self,
        save: bool,
        i18n: &I18n,
        today: NaiveDate,
    ) -> Option<(Pending, Request)> {
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
                Some((Pending::CarePrompt, request))
            }
        }
    }
}
