//! Where the CLI gets staff IDs and passphrases: a file named on the command line, the
//! terminal, or (only when there is no terminal) an environment variable.

use crate::error::{Error, Result};
use crate::i18n::I18n;
use secrecy::{ExposeSecret, SecretString};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use zeroize::Zeroizing;

pub const PASSPHRASE_ENV: &str = "BRANCHDESK_PASSPHRASE";
pub const NEW_PASSPHRASE_ENV: &str = "BRANCHDESK_NEW_PASSPHRASE";

fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Reads a passphrase file: its content without one trailing newline.
fn from_file(path: &Path) -> Result<SecretString> {
    let text = Zeroizing::new(crate::error::input::read_text_limited(
        path,
        crate::error::input::SMALL_FILE,
    )?);
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if trimmed.is_empty() {
        return Err(Error::NoPassphrase);
    }
    Ok(SecretString::from(trimmed.to_string()))
}

fn from_env(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

fn prompt(label: &str) -> Result<SecretString> {
    let typed =
        rpassword::prompt_password(format!("{label}: ")).map_err(|e| Error::io("/dev/tty", e))?;
    if typed.is_empty() {
        return Err(Error::NoPassphrase);
    }
    Ok(SecretString::from(typed))
}

/// The passphrase of the staff member running a command.
pub fn login_passphrase(file: Option<&Path>, i18n: &I18n) -> Result<SecretString> {
    if let Some(path) = file {
        return from_file(path);
    }
    if interactive() {
        return prompt(i18n.t("prompt.passphrase"));
    }
    from_env(PASSPHRASE_ENV).ok_or(Error::NoPassphrase)
}

/// The passphrase of a second manager approving what the first records: from `file`, or
/// typed at the terminal by the approver. Never from the environment, where whoever runs
/// the command could put it.
pub fn approver_passphrase(file: Option<&Path>, i18n: &I18n) -> Result<SecretString> {
    if let Some(path) = file {
        return from_file(path);
    }
    if interactive() {
        return prompt(i18n.t("prompt.approver_passphrase"));
    }
    Err(Error::NoPassphrase)
}

/// A passphrase being set: typed twice at a terminal, otherwise from `file` or `env`.
pub fn new_passphrase(file: Option<&Path>, env: &str, i18n: &I18n) -> Result<SecretString> {
    if let Some(path) = file {
        return from_file(path);
    }
    if interactive() {
        let first = prompt(i18n.t("prompt.new_passphrase"))?;
        let second = prompt(i18n.t("prompt.repeat_passphrase"))?;
        if first.expose_secret() != second.expose_secret() {
            return Err(Error::PassphrasesDiffer);
        }
        return Ok(first);
    }
    from_env(env).ok_or(Error::NoPassphrase)
}

/// The staff ID from `--user`/`BRANCHDESK_USER`, or asked for at a terminal.
pub fn staff_id(given: Option<&str>, i18n: &I18n) -> Result<String> {
    if let Some(id) = given.filter(|id| !id.trim().is_empty()) {
        return Ok(id.trim().to_string());
    }
    if !interactive() {
        return Err(Error::NoStaffId);
    }
    eprint!("{}: ", i18n.t("prompt.staff_id"));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("stdin", e))?;
    let id = line.trim().to_string();
    if id.is_empty() {
        return Err(Error::NoStaffId);
    }
    Ok(id)
}
