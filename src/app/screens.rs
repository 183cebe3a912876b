//! State of the individual screens of the main frame.

use super::form::{Field, Form};
use super::{Command, Pending, StatusKind};
use super::{
    SETUP_ADMIN_ID, SETUP_ADMIN_NAME, SETUP_BRANCH_CODE, SETUP_BRANCH_NAME, SETUP_PASSPHRASE,
    SETUP_REPEAT,
};
use crate::domain::audit::{ChainBreak, ChainVerdict};
use crate::domain::branch::{BranchCode, validate_branch_name};
use crate::domain::staff::{Role, StaffId, check_passphrase, validate_staff_name};
use crate::i18n::I18n;
use crate::service::{AuditRow, Request, StaffRow};
use crate::store::NewStore;
use secrecy::SecretString;

pub const AUDIT_PAGE: u32 = 100;

pub fn first_audit_page() -> Request {
    Request::AuditPage {
        before: None,
        limit: AUDIT_PAGE,
    }
}

#[derive(Debug)]
pub struct LockState {
    pub form: Form,
    /// Locked by idle time rather than by the staff member.
    pub idle: bool,
}

impl LockState {
    pub fn new(idle: bool) -> LockState {
        LockState {
            form: Form::new(vec![Field::secret("field.passphrase")]),
            idle,
        }
    }
}

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

#[derive(Debug, Default)]
pub struct StaffScreen {
    pub rows: Vec<StaffRow>,
    pub selected: usize,
    pub loaded: bool,
    pub overlay: Option<StaffOverlay>,
}

impl StaffScreen {
    pub fn set_rows(&mut self, rows: Vec<StaffRow>) {
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.loaded = true;
    }

    fn selected_row(&self) -> Option<&StaffRow> {
        self.rows.get(self.selected)
    }

    pub fn on_command(&mut self, command: Command, me: &str, i18n: &I18n) -> Option<Request> {
        if self.overlay.is_some() {
            return None;
        }
        let last = self.rows.len().saturating_sub(1);
        match command {
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.selected = self.selected.saturating_sub(10),
            Command::PageDown => self.selected = (self.selected + 10).min(last),
            Command::First => self.selected = 0,
            Command::Last => self.selected = last,
            Command::Refresh => return Some(Request::ListStaff),
            Command::NewStaff => self.overlay = Some(StaffOverlay::Add(add_form(i18n))),
            Command::ResetPassphrase => {
                let row = self
                    .selected_row()
                    .filter(|r| r.status.code() == "active")?;
                self.overlay = Some(StaffOverlay::Reset {
                    id: row.id.clone(),
                    form: Form::new(vec![
                        Field::secret("field.new_passphrase"),
                        Field::secret("field.repeat_passphrase"),
                    ]),
                });
            }
            Command::DisableStaff => {
                let row = self
                    .selected_row()
                    .filter(|r| r.status.code() == "active" && r.id != me)?;
                self.overlay = Some(StaffOverlay::ConfirmDisable(row.id.clone()));
            }
            Command::UnlockAccount => {
                let row = self.selected_row().filter(|r| r.locked_until.is_some())?;
                self.overlay = Some(StaffOverlay::ConfirmUnlock(row.id.clone()));
            }
            _ => {}
        }
        None
    }

    /// Enter or Ctrl-S in an overlay: the request to send, if the form is complete.
    pub fn submit(&mut self, save: bool, i18n: &I18n) -> Option<(Pending, Request)> {
        match self.overlay.as_mut()? {
            StaffOverlay::Add(form) => {
                if !save && !form.on_last_field() {
                    form.next();
                    return None;
                }
                form.clear_errors();
                let role = Role::ALL
                    .get(match &form.fields[ADD_ROLE].value {
                        super::form::FieldValue::Choice { index, .. } => *index,
                        _ => 0,
                    })
                    .copied()
                    .unwrap_or(Role::Teller);
                let id = match StaffId::parse(form.value(ADD_ID)) {
                    Ok(id) => id,
                    Err(rule) => {
                        form.refuse(ADD_ID, i18n.t(rule.message_key()).to_string());
                        return None;
                    }
                };
                if let Err(rule) = validate_staff_name(form.value(ADD_NAME)) {
                    form.refuse(ADD_NAME, i18n.t(rule.message_key()).to_string());
                    return None;
                }
                let passphrase =
                    checked_new_passphrase(form, ADD_PASSPHRASE, ADD_REPEAT, &id, i18n)?;
                Some((
                    Pending::StaffForm,
                    Request::AddStaff {
                        id: id.to_string(),
                        name: form.value(ADD_NAME).trim().to_string(),
                        role,
                        passphrase,
                    },
                ))
            }
            StaffOverlay::Reset { id, form } => {
                if !save && !form.on_last_field() {
                    form.next();
                    return None;
                }
                form.clear_errors();
                let staff_id = StaffId::parse(id).ok()?;
                let passphrase = checked_new_passphrase(form, 0, 1, &staff_id, i18n)?;
                Some((
                    Pending::StaffForm,
                    Request::ResetPassphrase {
                        id: id.clone(),
                        passphrase,
                    },
                ))
            }
            StaffOverlay::ConfirmDisable(id) => Some((
                Pending::StaffAction,
                Request::DisableStaff { id: id.clone() },
            )),
            StaffOverlay::ConfirmUnlock(id) => Some((
                Pending::StaffAction,
                Request::UnlockAccount { id: id.clone() },
            )),
        }
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

/// The passphrase in `form[first]` if it follows the rules and `form[repeat]` matches it.
fn checked_new_passphrase(
    form: &mut Form,
    first: usize,
    repeat: usize,
    id: &StaffId,
    i18n: &I18n,
) -> Option<SecretString> {
    if let Err(rule) = check_passphrase(form.value(first), id) {
        form.refuse(first, i18n.t(rule.message_key()).to_string());
        return None;
    }
    if form.value(first) != form.value(repeat) {
        form.refuse(repeat, i18n.t("err.passphrases_differ").to_string());
        return None;
    }
    Some(SecretString::from(form.value(first).to_string()))
}

/// The first-run wizard's request, or field errors on the form.
pub fn setup_request(form: &mut Form, i18n: &I18n) -> Option<Request> {
    form.clear_errors();
    let rule = |key: &str| i18n.t(key).to_string();
    if let Err(e) = BranchCode::parse(form.value(SETUP_BRANCH_CODE)) {
        form.refuse(SETUP_BRANCH_CODE, rule(e.message_key()));
        return None;
    }
    if let Err(e) = validate_branch_name(form.value(SETUP_BRANCH_NAME)) {
        form.refuse(SETUP_BRANCH_NAME, rule(e.message_key()));
        return None;
    }
    let admin = match StaffId::parse(form.value(SETUP_ADMIN_ID)) {
        Ok(id) => id,
        Err(e) => {
            form.refuse(SETUP_ADMIN_ID, rule(e.message_key()));
            return None;
        }
    };
    if let Err(e) = validate_staff_name(form.value(SETUP_ADMIN_NAME)) {
        form.refuse(SETUP_ADMIN_NAME, rule(e.message_key()));
        return None;
    }
    let passphrase = checked_new_passphrase(form, SETUP_PASSPHRASE, SETUP_REPEAT, &admin, i18n)?;
    Some(Request::CreateStore(NewStore {
        branch_code: form.value(SETUP_BRANCH_CODE).to_string(),
        branch_name: form.value(SETUP_BRANCH_NAME).to_string(),
        admin_id: admin.to_string(),
        admin_name: form.value(SETUP_ADMIN_NAME).to_string(),
        admin_passphrase: passphrase,
        demo: false,
    }))
}

#[derive(Debug, Default)]
pub struct AuditScreen {
    /// Newest first; pages are appended as the list is scrolled.
    pub rows: Vec<AuditRow>,
    pub selected: usize,
    pub exhausted: bool,
    pub loading: bool,
    pub verdict: Option<ChainVerdict>,
}

impl AuditScreen {
    pub fn add_page(&mut self, before: Option<i64>, rows: Vec<AuditRow>) {
        if before.is_none() {
            self.rows.clear();
            self.selected = 0;
        }
        self.exhausted = rows.len() < AUDIT_PAGE as usize;
        self.rows.extend(rows);
        self.loading = false;
    }

    pub fn on_command(&mut self, command: Command) -> Option<Request> {
        let last = self.rows.len().saturating_sub(1);
        match command {
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.selected = self.selected.saturating_sub(20),
            Command::PageDown => self.selected = (self.selected + 20).min(last),
            Command::First => self.selected = 0,
            Command::Last => self.selected = last,
            Command::VerifyAudit => return Some(Request::VerifyAudit),
            Command::Refresh => {
                self.loading = true;
                return Some(first_audit_page());
            }
            _ => return None,
        }
        // Fetch the next page before the selection reaches the end of what is loaded.
        let near_end = self.selected + 20 >= self.rows.len();
        if near_end && !self.exhausted && !self.loading {
            self.loading = true;
            return Some(Request::AuditPage {
                before: self.rows.last().map(|r| r.id),
                limit: AUDIT_PAGE,
            });
        }
        None
    }
}

pub fn verdict_status(verdict: &ChainVerdict, i18n: &I18n) -> (StatusKind, String) {
    match verdict {
        ChainVerdict::Intact { rows } => (
            StatusKind::Success,
            i18n.fill("cli.audit_intact", &[("rows", &rows.to_string())]),
        ),
        ChainVerdict::Broken { row, reason } => {
            let reason = match reason {
                ChainBreak::ContentChanged => "audit.break.content_changed",
                ChainBreak::LinkBroken => "audit.break.link_broken",
                ChainBreak::Gap => "audit.break.gap",
            };
            (
                StatusKind::Error,
                i18n.fill(
                    "cli.audit_broken",
                    &[("row", &row.to_string()), ("reason", i18n.t(reason))],
                ),
            )
        }
    }
}
