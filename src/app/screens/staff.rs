//! The staff screen (F7): the branch's staff with their roles and lockouts; administrators
//! add staff, reset passphrases, disable accounts and lift lockouts.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, FieldValue, Form};
use crate::app::list::Selection;
use crate::app::phases::checked_new_passphrase;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::domain::staff::{Role, StaffId, validate_staff_name};
use crate::i18n::I18n;
use crate::service::{Reply, Request, StaffRow};

/// What is open over the staff list.
#[derive(Debug)]
pub enum StaffOverlay {
    Add(Form),
    Reset { id: String, form: Form },
    ConfirmDisable(String),
    ConfirmUnlock(String),
}

impl StaffOverlay {
    pub fn form(&self) -> Option<&Form> {
        match self {
            StaffOverlay::Add(form) | StaffOverlay::Reset { form, .. } => Some(form),
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match self {
            StaffOverlay::Add(form) | StaffOverlay::Reset { form, .. } => Some(form),
            _ => None,
        }
    }
}

pub const ADD_ID: usize = 0;
pub const ADD_NAME: usize = 1;
pub const ADD_ROLE: usize = 2;
pub const ADD_PASSPHRASE: usize = 3;
pub const ADD_REPEAT: usize = 4;

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 10;

#[derive(Debug, Default)]
pub struct StaffScreen {
    pub rows: Vec<StaffRow>,
    pub selected: Selection,
    pub loaded: bool,
    pub overlay: Option<StaffOverlay>,
}

impl StaffScreen {
    pub fn set_rows(&mut self, rows: Vec<StaffRow>) {
        self.rows = rows;
        self.selected.clamp(self.rows.len());
        self.loaded = true;
    }

    fn selected_row(&self) -> Option<&StaffRow> {
        self.rows.get(self.selected.index)
    }

    /// Opens what a staff command asks for over the list; when the selected row does not
    /// allow it, the catalog key of the sentence saying why not. `None` for other commands.
    fn open(
        &self,
        command: Command,
        me: &str,
        i18n: &I18n,
    ) -> Option<Result<StaffOverlay, &'static str>> {
        if command == Command::NewStaff {
            return Some(Ok(StaffOverlay::Add(add_form(i18n))));
        }
        let row = self.selected_row()?;
        let active = row.status.code() == "active";
        Some(match command {
            Command::ResetPassphrase if !active => Err("staff.reset_disabled"),
            Command::ResetPassphrase => Ok(StaffOverlay::Reset {
                id: row.id.clone(),
                form: Form::new(vec![
                    Field::secret("field.new_passphrase"),
                    Field::secret("field.repeat_passphrase"),
                ]),
            }),
            Command::DisableStaff if row.id == me => Err("err.cannot_disable_self"),
            Command::DisableStaff if !active => Err("staff.already_disabled"),
            Command::DisableStaff => Ok(StaffOverlay::ConfirmDisable(row.id.clone())),
            Command::UnlockAccount if row.locked_until.is_none() => Err("staff.not_locked"),
            Command::UnlockAccount => Ok(StaffOverlay::ConfirmUnlock(row.id.clone())),
            _ => return None,
        })
    }
}

impl Screen for StaffScreen {
    fn keys(&self) -> ScreenKeys {
        match &self.overlay {
            Some(overlay) if overlay.form().is_some() => ScreenKeys::Live(vec![Context::Form]),
            Some(_) => ScreenKeys::Confirm,
            None => ScreenKeys::Live(vec![Context::Staff, Context::List]),
        }
    }

    fn form(&self) -> Option<&Form> {
        self.overlay.as_ref().and_then(StaffOverlay::form)
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        self.overlay.as_mut().and_then(StaffOverlay::form_mut)
    }

    fn saves(&self) -> bool {
        self.overlay.is_some()
    }

    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        if self.loaded {
            Outcome::None
        } else {
            Outcome::Send(Request::ListStaff)
        }
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        if self.overlay.is_some() {
            return Outcome::None;
        }
        if command == Command::Refresh {
            return Outcome::Send(Request::ListStaff);
        }
        if self.selected.step(command, self.rows.len(), PAGE_ROWS) {
            // What the line said was about the row that was selected before.
            cx.clear_status();
            return Outcome::None;
        }
        let me = cx.session().staff_id.clone();
        match self.open(command, &me, cx.i18n) {
            None => {}
            Some(Ok(overlay)) => self.overlay = Some(overlay),
            Some(Err(why)) => {
                let id = self.selected_row().map(|r| r.id.as_str()).unwrap_or("");
                let text = cx.i18n.fill(why, &[("id", id)]);
                cx.say(StatusKind::Warning, text);
            }
        }
        Outcome::None
    }

    /// Enter or Ctrl-S in an overlay: the request to send, if the form is complete.
    fn submit(&mut self, save: bool, cx: &mut Ctx) -> Outcome {
        let i18n = cx.i18n;
        let request = match self.overlay.as_mut() {
            None => return Outcome::None,
            Some(StaffOverlay::Add(form)) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return Outcome::None;
                }
                form.clear_errors();
                let role = match &form.fields[ADD_ROLE].value {
                    FieldValue::Choice { index, .. } => Role::ALL.get(*index).copied(),
                    _ => None,
                }
                .unwrap_or(Role::Teller);
                let id = match StaffId::parse(form.value(ADD_ID)) {
                    Ok(id) => id,
                    Err(rule) => {
                        form.refuse(ADD_ID, i18n.t(rule.message_key()).to_string());
                        return Outcome::None;
                    }
                };
                if let Err(rule) = validate_staff_name(form.value(ADD_NAME)) {
                    form.refuse(ADD_NAME, i18n.t(rule.message_key()).to_string());
                    return Outcome::None;
                }
                let Some(passphrase) =
                    checked_new_passphrase(form, ADD_PASSPHRASE, ADD_REPEAT, &id, i18n)
                else {
                    return Outcome::None;
                };
                Request::AddStaff {
                    id: id.to_string(),
                    name: form.value(ADD_NAME).trim().to_string(),
                    role,
                    passphrase,
                }
            }
            Some(StaffOverlay::Reset { id, form }) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return Outcome::None;
                }
                form.clear_errors();
                let Ok(staff_id) = StaffId::parse(id) else {
                    return Outcome::None;
                };
                let Some(passphrase) = checked_new_passphrase(form, 0, 1, &staff_id, i18n) else {
                    return Outcome::None;
                };
                Request::ResetPassphrase {
                    id: id.clone(),
                    passphrase,
                }
            }
            Some(StaffOverlay::ConfirmDisable(id)) => Request::DisableStaff { id: id.clone() },
            Some(StaffOverlay::ConfirmUnlock(id)) => Request::UnlockAccount { id: id.clone() },
        };
        Outcome::Send(request)
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        match &self.overlay {
            Some(overlay) if overlay.form().is_some_and(|f| f.dirty) => Back::AskDiscard,
            Some(_) => {
                self.overlay = None;
                Back::Done(Outcome::None)
            }
            None => Back::Leave,
        }
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::Staff(rows) => {
                self.set_rows(rows);
                cx.clear_busy();
                Ok(Outcome::None)
            }
            Reply::StaffChanged => {
                self.overlay = None;
                cx.say(StatusKind::Success, cx.i18n.t("status.saved").to_string());
                Ok(Outcome::Load(Request::ListStaff))
            }
            other => Err(other),
        }
    }

    fn unsaved(&self) -> bool {
        self.form().is_some_and(|f| f.dirty)
    }

    fn discard(&mut self) {
        self.overlay = None;
    }

    fn on_leave(&mut self) {
        self.overlay = None;
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        self.unsaved().then_some("unsaved.staff")
    }
}

fn add_form(i18n: &I18n) -> Form {
    let roles = Role::ALL
        .iter()
        .map(|r| i18n.role(*r).to_string())
        .collect();
    Form::new(vec![
        Field::text("field.staff_id", 32),
        Field::text("field.name", 40),
        Field::choice("field.role", roles, 0),
        Field::secret("field.passphrase"),
        Field::secret("field.repeat_passphrase"),
    ])
}
