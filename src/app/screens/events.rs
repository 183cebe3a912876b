//! The events screen (F4 on the agenda, 活动): the branch's upcoming events with their
//! counts; Enter opens one's invitation list to work through — Enter records a client's
//! reply and how it came, Ctrl-A that they came (crediting the event's points), Ctrl-K
//! opens their record.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::list::Selection;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys, on_form};
use crate::app::tabs::Tab;
use crate::domain::contact::CHANNELS;
use crate::domain::events::Reply as Answer;
use crate::error::Error;
use crate::service::{EventDetail, EventRow, Invitation, Reply, Request, SessionInfo};

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 10;

#[derive(Debug, Default)]
pub struct EventsScreen {
    pub events: Vec<EventRow>,
    pub loading: bool,
    pub selected: Selection,
    /// The event open, with its invitation list.
    pub detail: Option<EventDetail>,
    pub invitation: Selection,
    /// A reply being keyed for the selected invitation: the answer and how it came.
    pub prompt: Option<Form>,
    /// Today where the terminal is, as of the last key or reply (who came is recorded from
    /// the event's day on).
    pub today: Option<chrono::NaiveDate>,
}

impl EventsScreen {
    fn load(&mut self) -> Request {
        self.loading = true;
        Request::Events
    }

    pub fn selected_event(&self) -> Option<&EventRow> {
        self.events.get(self.selected.index)
    }

    pub fn selected_invitation(&self) -> Option<&Invitation> {
        self.detail.as_ref()?.invitations.get(self.invitation.index)
    }

    fn open_code(&self) -> Option<String> {
        Some(self.detail.as_ref()?.event.code.clone())
    }

    fn reply_form() -> Form {
        Form::new(vec![
            Field::choice_with_codes(
                "events.field.reply",
                Answer::ALL.iter().map(|r| r.code().to_string()).collect(),
                0,
            ),
            Field::choice_with_codes(
                "field.channel",
                CHANNELS.iter().map(|c| c.to_string()).collect(),
                1,
            ),
        ])
    }

    fn on_detail_command(&mut self, command: Command) -> Outcome {
        let count = self.detail.as_ref().map_or(0, |d| d.invitations.len());
        if self.invitation.step(command, count, PAGE_ROWS) {
            return Outcome::None;
        }
        let (Some(code), Some(client_no)) = (
            self.open_code(),
            self.selected_invitation().map(|i| i.client_no.clone()),
        ) else {
            return match command {
                Command::Refresh => self.reload_detail(),
                _ => Outcome::None,
            };
        };
        match command {
            Command::RecordReply => {
                self.prompt = Some(Self::reply_form());
                Outcome::None
            }
            Command::RecordAttendance => Outcome::Send(Request::EventAttend {
                key: code,
                client: client_no,
            }),
            Command::ClientRecord => Outcome::Open(Tab::Clients, Handoff::Client { client_no }),
            Command::Refresh => self.reload_detail(),
            _ => Outcome::None,
        }
    }

    fn reload_detail(&mut self) -> Outcome {
        match self.open_code() {
            Some(key) => Outcome::Load(Request::EventShow { key }),
            None => Outcome::None,
        }
    }
}

impl Screen for EventsScreen {
    fn keys(&self) -> ScreenKeys {
        match (&self.prompt, &self.detail) {
            (Some(_), _) => ScreenKeys::Live(vec![Context::Form]),
            (None, Some(_)) => ScreenKeys::Live(vec![Context::Event, Context::List]),
            (None, None) => ScreenKeys::Live(vec![Context::Events, Context::List]),
        }
    }

    fn form(&self) -> Option<&Form> {
        self.prompt.as_ref()
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        self.prompt.as_mut()
    }

    /// Enter needs an event or an invitation under it.
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        match command {
            Command::OpenEvent => self.selected_event().is_some(),
            Command::RecordReply | Command::ClientRecord => self.selected_invitation().is_some(),
            // From the event's day on.
            Command::RecordAttendance => {
                self.selected_invitation().is_some()
                    && self
                        .detail
                        .as_ref()
                        .zip(self.today)
                        .is_some_and(|(d, today)| d.event.on <= today)
            }
            _ => true,
        }
    }

    fn on_open(&mut self, _handoff: Handoff, cx: &mut Ctx) -> Outcome {
        self.today = Some(cx.today);
        Outcome::Load(self.load())
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        self.today = Some(cx.today);
        if self.detail.is_some() {
            return self.on_detail_command(command);
        }
        if self.selected.step(command, self.events.len(), PAGE_ROWS) {
            return Outcome::None;
        }
        match command {
            Command::OpenEvent => match self.selected_event() {
                Some(event) => Outcome::Send(Request::EventShow {
                    key: event.code.clone(),
                }),
                None => Outcome::None,
            },
            Command::Refresh => Outcome::Load(self.load()),
            _ => Outcome::None,
        }
    }

    /// Enter in the reply form: on to the next field, then the reply to record.
    fn submit(&mut self, _save: bool, _cx: &mut Ctx) -> Outcome {
        let (Some(key), Some(client)) = (
            self.open_code(),
            self.selected_invitation().map(|i| i.client_no.clone()),
        ) else {
            return Outcome::None;
        };
        let Some(form) = self.prompt.as_mut() else {
            return Outcome::None;
        };
        if !form.on_last_field() {
            form.next();
            return Outcome::None;
        }
        form.clear_errors();
        let Some(reply) = Answer::parse(form.value(0)) else {
            return Outcome::None;
        };
        Outcome::Send(Request::EventReply {
            key,
            client,
            reply,
            channel: form.value(1).to_string(),
        })
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        if self.prompt.take().is_some() {
            return Back::Done(Outcome::None);
        }
        if self.detail.take().is_some() {
            // Back to the list, its counts read again.
            return Back::Done(Outcome::Load(self.load()));
        }
        Back::Leave
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        self.today = Some(cx.today);
        match reply {
            Reply::Events(events) => {
                self.loading = false;
                let was_on = self.selected_event().map(|e| e.id.clone());
                self.events = events;
                self.selected.index = was_on
                    .and_then(|id| self.events.iter().position(|e| e.id == id))
                    .unwrap_or(self.selected.index);
                self.selected.clamp(self.events.len());
            }
            Reply::Event(detail) => {
                // Read again, the selection stays where it was: the client just answered
                // moves down among the answered, and the next one to ask is under it.
                let same = self.detail.as_ref().map(|d| d.event.id.as_str())
                    == Some(detail.event.id.as_str());
                // Another event: its page starts at the top, the line clear of the last.
                // The same one read again keeps what the line says of the reply just
                // recorded.
                if !same {
                    cx.clear_status();
                    self.invitation = Selection::default();
                }
                self.invitation.clamp(detail.invitations.len());
                self.detail = Some(*detail);
            }
            Reply::EventAnswered(invitation) => {
                self.prompt = None;
                let reply = cx
                    .i18n
                    .t_owned(format!("events.reply.{}", invitation.reply.code()))
                    .to_string();
                let text = cx.i18n.fill(
                    "events.replied",
                    &[("client", &invitation.client_no), ("reply", &reply)],
                );
                cx.say(StatusKind::Success, text);
                return Ok(self.reload_detail());
            }
            Reply::EventAttended(attended) => {
                let mut text = cx
                    .i18n
                    .fill("events.came", &[("client", &attended.invitation.client_no)]);
                if let Some(entry) = &attended.points {
                    text.push_str(
                        &cx.i18n
                            .fill("cli.event_points", &[("points", &entry.points.to_string())]),
                    );
                }
                if let Some(refusal) = &attended.points_refused {
                    let refused = Error::PointsRefused {
                        refusal: refusal.clone(),
                    };
                    text.push_str(&refused.message(cx.i18n));
                }
                cx.say(StatusKind::Success, text);
                return Ok(self.reload_detail());
            }
            other => return Err(other),
        }
        Ok(Outcome::None)
    }

    fn refused(&mut self, _error: &Error, message: String, _cx: &mut Ctx) -> Option<String> {
        self.loading = false;
        on_form(self.prompt.as_mut(), message)
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        self.prompt
            .as_ref()
            .filter(|f| f.dirty)
            .map(|_| "unsaved.event_reply")
    }

    /// Read again after the lock: replies may have come in at another terminal.
    fn on_unlock(&mut self, _cx: &mut Ctx) -> Outcome {
        match self.open_code() {
            Some(key) => Outcome::Load(Request::EventShow { key }),
            None => Outcome::Load(self.load()),
        }
    }
}
