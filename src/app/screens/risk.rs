//! The risk desk (F12, 风险工作台): the lists of AML work — overdue, due soon, not rated,
//! early reviews asked for, restricted clients, the high-risk list, KYC refreshes — the
//! branch's for managers and auditors, an RM's own. Left and Right change the list; Enter on
//! a client reads their rating with its factors and opens the rating or review form; a
//! manager lifts a restriction for the day with Ctrl-U; Ctrl-K opens the record.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, FieldValue, Form};
use crate::app::list::Selection;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::app::tabs::Tab;
use crate::domain::aml::Outcome as ReviewOutcome;
use crate::domain::staff::Permission;
use crate::service::{
    Approval, DeskList, DeskPage, DeskRow, Reply, Request, RiskView, SessionInfo,
};
use secrecy::SecretString;

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 10;

/// The outcomes a review may state, in the form's order.
const OUTCOMES: [ReviewOutcome; 3] = [
    ReviewOutcome::Kept,
    ReviewOutcome::Raised,
    ReviewOutcome::Lowered,
];

/// What the form over the desk is for.
#[derive(Debug)]
pub enum RiskPrompt {
    /// A rating (unrated client) or a review, with the client's page above the form.
    Decide { view: Box<RiskView>, form: Form },
    /// Lifting a restriction for today: the reason.
    Lift { client_no: String, form: Form },
}

#[derive(Debug, Default)]
pub struct RiskScreen {
    pub page: Option<DeskPage>,
    pub loading: bool,
    /// The list asked for (keys can run ahead of the replies).
    pub list: Option<DeskList>,
    pub selected: Selection,
    pub prompt: Option<RiskPrompt>,
    /// The outcome the review form last showed, to move the level with it.
    shown_outcome: Option<usize>,
}

/// Form fields of a decision, by position.
const OUTCOME_FIELD: usize = 0;
const LEVEL_FIELD: usize = 1;
const NOTE_FIELD: usize = 2;
const APPROVER_FIELD: usize = 3;
const APPROVER_PASS_FIELD: usize = 4;

fn choice_index(field: &Field) -> usize {
    match &field.value {
        FieldValue::Choice { index, .. } => *index,
        _ => 0,
    }
}

fn set_choice(field: &mut Field, to: usize) {
    if let FieldValue::Choice { index, options, .. } = &mut field.value {
        *index = to.min(options.len().saturating_sub(1));
    }
}

impl RiskScreen {
    pub fn load(&mut self) -> Request {
        self.loading = true;
        Request::RiskDesk {
            list: self.list.unwrap_or(DeskList::Overdue),
        }
    }

    pub fn selected_row(&self) -> Option<&DeskRow> {
        self.page.as_ref()?.rows.get(self.selected.index)
    }

    fn list_after(&self, step: isize) -> DeskList {
        let from = self
            .list
            .or(self.page.as_ref().map(|p| p.list))
            .unwrap_or(DeskList::Overdue);
        let all = DeskList::ALL;
        let at = all.iter().position(|l| *l == from).unwrap_or(0) as isize;
        all[(at + step).rem_euclid(all.len() as isize) as usize]
    }

    /// The form for a client's page: a review (outcome, level, evidence) for a rated client,
    /// a rating (level, reason) for one not rated; a second manager's ID and passphrase
    /// for a level below the computed one.
    fn decision_form(view: &RiskView, i18n: &crate::i18n::I18n) -> Form {
        let levels: Vec<String> = view
            .levels
            .iter()
            .map(|l| i18n.pick(&l.name_zh, &l.name_en).to_string())
            .collect();
        let rank_of = |code: &str| view.levels.iter().position(|l| l.code == code);
        let computed = rank_of(&view.computed_level).unwrap_or(0);
        let start = view.level.as_deref().and_then(rank_of).unwrap_or(computed);
        let mut outcome = Field::choice_with_codes(
            "risk.field.outcome",
            OUTCOMES.iter().map(|o| o.code().to_string()).collect(),
            0,
        );
        outcome.hidden = view.level.is_none();
        let mut form = Form::new(vec![
            outcome,
            Field::choice("risk.field.level", levels, start),
            Field::text("risk.field.note", 300),
            Field::text("risk.field.approver", 32),
            Field::secret("risk.field.approver_passphrase"),
        ]);
        form.focus = if view.level.is_none() {
            LEVEL_FIELD
        } else {
            OUTCOME_FIELD
        };
        form
    }

    /// The level follows the outcome chosen: kept, one up, one down from the one in force.
    fn follow_outcome(&mut self) {
        let Some(RiskPrompt::Decide { view, form }) = &mut self.prompt else {
            return;
        };
        if view.level.is_none() {
            return;
        }
        let outcome = form.fields.get(OUTCOME_FIELD).map_or(0, choice_index);
        if self.shown_outcome == Some(outcome) {
            return;
        }
        self.shown_outcome = Some(outcome);
        let lowest = view.levels.len().saturating_sub(1);
        let now = view
            .level
            .as_deref()
            .and_then(|code| view.levels.iter().position(|l| l.code == code))
            .unwrap_or(0);
        let level = match OUTCOMES.get(outcome) {
            Some(ReviewOutcome::Raised) => now.saturating_sub(1),
            Some(ReviewOutcome::Lowered) => (now + 1).min(lowest),
            _ => now,
        };
        if let Some(field) = form.fields.get_mut(LEVEL_FIELD) {
            set_choice(field, level);
        }
    }

    fn submit_prompt(&mut self, save: bool) -> Option<Request> {
        match self.prompt.as_mut()? {
            RiskPrompt::Decide { view, form } => {
                if !save && !form.on_last_field() {
                    form.next();
                    return None;
                }
                form.clear_errors();
                let outcome = view.level.is_some().then(|| {
                    OUTCOMES
                        .get(form.fields.get(OUTCOME_FIELD).map_or(0, choice_index))
                        .copied()
                        .unwrap_or(ReviewOutcome::Kept)
                });
                let level = form
                    .fields
                    .get(LEVEL_FIELD)
                    .map(choice_index)
                    .and_then(|i| view.levels.get(i))
                    .map(|l| l.code.clone());
                let approver = form.value(APPROVER_FIELD).trim().to_string();
                let approval = (!approver.is_empty()).then(|| Approval {
                    staff_id: approver,
                    passphrase: SecretString::from(form.value(APPROVER_PASS_FIELD).to_string()),
                });
                Some(Request::RiskDecide {
                    key: view.client_no.clone(),
                    outcome,
                    level,
                    note: form.value(NOTE_FIELD).trim().to_string(),
                    approval,
                })
            }
            RiskPrompt::Lift { client_no, form } => {
                form.clear_errors();
                Some(Request::LiftRestriction {
                    key: client_no.clone(),
                    reason: form.value(0).trim().to_string(),
                })
            }
        }
    }
}

impl Screen for RiskScreen {
    fn keys(&self) -> ScreenKeys {
        if self.prompt.is_some() {
            ScreenKeys::Live(vec![Context::Form])
        } else {
            ScreenKeys::Live(vec![Context::Risk, Context::List])
        }
    }

    fn form(&self) -> Option<&Form> {
        match &self.prompt {
            Some(RiskPrompt::Decide { form, .. } | RiskPrompt::Lift { form, .. }) => Some(form),
            None => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.prompt {
            Some(RiskPrompt::Decide { form, .. } | RiskPrompt::Lift { form, .. }) => Some(form),
            None => None,
        }
    }

    fn saves(&self) -> bool {
        self.prompt.is_some()
    }

    /// Rating needs a client under the selection (an auditor has no form); lifting, a
    /// restricted one.
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        let row = self.selected_row();
        match command {
            Command::RateClient | Command::ClientRecord => row.is_some(),
            Command::LiftRestriction => row.is_some_and(|r| r.restricted_on.is_some()),
            _ => true,
        }
    }

    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load())
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        let count = self.page.as_ref().map_or(0, |p| p.rows.len());
        if self.selected.step(command, count, PAGE_ROWS) {
            return Outcome::None;
        }
        match command {
            Command::Refresh => Outcome::Load(self.load()),
            Command::NextList | Command::PrevList => {
                let step = if command == Command::NextList { 1 } else { -1 };
                self.list = Some(self.list_after(step));
                self.selected = Selection::default();
                Outcome::Load(self.load())
            }
            Command::ClientRecord => match self.selected_row() {
                Some(row) => Outcome::Open(
                    Tab::Clients,
                    Handoff::Client {
                        client_no: row.client_no.clone(),
                    },
                ),
                None => Outcome::None,
            },
            Command::RateClient if cx.can(Permission::RateRisk) => match self.selected_row() {
                Some(row) => Outcome::Send(Request::RiskShow {
                    key: row.client_no.clone(),
                }),
                None => Outcome::None,
            },
            Command::LiftRestriction if cx.can(Permission::OverrideRisk) => {
                match self.selected_row().filter(|r| r.restricted_on.is_some()) {
                    Some(row) => {
                        self.prompt = Some(RiskPrompt::Lift {
                            client_no: row.client_no.clone(),
                            form: Form::new(vec![Field::text("risk.field.reason", 200)]),
                        });
                        Outcome::None
                    }
                    None => Outcome::None,
                }
            }
            _ => Outcome::None,
        }
    }

    fn submit(&mut self, save: bool, _cx: &mut Ctx) -> Outcome {
        Outcome::sending(self.submit_prompt(save))
    }

    fn after_input(&mut self, _cx: &mut Ctx) -> Outcome {
        self.follow_outcome();
        Outcome::None
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        self.shown_outcome = None;
        Back::closed(self.prompt.take().is_some())
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::RiskDesk(page) => {
                cx.clear_busy();
                self.loading = false;
                cx.set_risk_overdue(page.counts.overdue);
                self.list = Some(page.list);
                self.selected.clamp(page.rows.len());
                self.page = Some(*page);
                Ok(Outcome::None)
            }
            Reply::Risk(view) => {
                cx.clear_busy();
                let form = Self::decision_form(&view, cx.i18n);
                self.shown_outcome = Some(0);
                self.prompt = Some(RiskPrompt::Decide { view, form });
                Ok(Outcome::None)
            }
            Reply::RiskRecorded(view) => {
                let text = view.recorded(cx.i18n);
                cx.say(StatusKind::Success, text);
                self.prompt = None;
                Ok(Outcome::Load(self.load()))
            }
            Reply::RestrictionLifted { client_no, on } => {
                let text = cx.i18n.fill(
                    "cli.risk_lifted",
                    &[("client", &client_no), ("on", &on.to_string())],
                );
                cx.say(StatusKind::Success, text);
                self.prompt = None;
                Ok(Outcome::Load(self.load()))
            }
            other => Err(other),
        }
    }

    /// A list that could not be read, or a decision refused: the sentence goes on the form
    /// when there is one (the approver's passphrase is asked for again), else the line.
    fn refused(
        &mut self,
        _error: &crate::error::Error,
        message: String,
        _cx: &mut Ctx,
    ) -> Option<String> {
        self.loading = false;
        match self.form_mut() {
            Some(form) => {
                form.clear_secrets();
                form.error = Some(message);
                None
            }
            None => Some(message),
        }
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        match &self.prompt {
            Some(RiskPrompt::Decide { form, .. } | RiskPrompt::Lift { form, .. }) if form.dirty => {
                Some("unsaved.risk")
            }
            _ => None,
        }
    }

    /// Read again: a day may have turned, or someone else rated.
    fn on_unlock(&mut self, _cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load())
    }
}
