//! Before and around the main frame: the first-run wizard, the login form, and the lock
//! screen's passphrase form.

use super::form::{Field, Form};
use crate::domain::branch::{BranchCode, validate_branch_name};
use crate::domain::staff::{StaffId, check_passphrase, validate_staff_name};
use crate::i18n::I18n;
use crate::service::{NewStore, Request};
use secrecy::SecretString;

pub const SETUP_BRANCH_CODE: usize = 0;
pub const SETUP_BRANCH_NAME: usize = 1;
pub const SETUP_ADMIN_ID: usize = 2;
pub const SETUP_ADMIN_NAME: usize = 3;
pub const SETUP_PASSPHRASE: usize = 4;
pub const SETUP_REPEAT: usize = 5;

pub fn login_form() -> Form {
    Form::new(vec![
        Field::text("field.staff_id", 32),
        Field::secret("field.passphrase"),
    ])
}

pub fn setup_form() -> Form {
    Form::new(vec![
        Field::text("field.branch_code", 16),
        Field::text("field.branch_name", 40),
        Field::text("field.admin_id", 32),
        Field::text("field.admin_name", 40),
        Field::secret("field.passphrase"),
        Field::secret("field.repeat_passphrase"),
    ])
}

/// The lock screen: the same staff member's passphrase brings the screens back.
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

/// The passphrase in `form[first]` if it follows the rules and `form[repeat]` matches it.
pub fn checked_new_passphrase(
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
