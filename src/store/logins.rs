//! Failed-login counters, kept in `logins.json` beside the database: a failed attempt cannot
//! write to the encrypted database (it was never opened), and must not touch it or the key
//! slots either.
//!
//! The file is not secret and not authenticated: deleting it resets the counters, which is
//! why Argon2id's cost, not this file, is what makes guessing expensive.
//!
//! It also keeps the failed attempts themselves (when, and the staff ID as typed — never
//! the passphrase) until the next login opens the database and writes them into the audit
//! trail.

use crate::domain::lockout::LoginRecord;
use crate::error::Result;
use crate::store::fsutil;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Serialize, Deserialize)]
struct LedgerFile {
    version: u32,
    accounts: BTreeMap<String, LoginRecord>,
    #[serde(default)]
    failed: Vec<FailedLogin>,
}

/// A login that failed, waiting to be written into the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedLogin {
    pub at: DateTime<Utc>,
    /// The staff ID typed, when it is one (anything else typed is not kept: it may be a
    /// passphrase typed into the wrong field).
    pub staff_id: Option<String>,
}

/// Attempts kept at most while no one logs in (the oldest go first).
const MAX_FAILED: usize = 1000;

#[derive(Debug)]
pub struct LoginLedger {
    path: PathBuf,
    accounts: BTreeMap<String, LoginRecord>,
    failed: Vec<FailedLogin>,
}

impl LoginLedger {
    /// Reads the ledger; a missing or unreadable one counts as empty.
    pub fn load(path: &Path) -> LoginLedger {
        let file = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<LedgerFile>(&bytes).ok())
            .unwrap_or_default();
        LoginLedger {
            path: path.to_path_buf(),
            accounts: file.accounts,
            failed: file.failed,
        }
    }

    /// Notes a failed login for the audit trail.
    pub fn note_failed(&mut self, at: DateTime<Utc>, staff_id: Option<&str>) {
        if self.failed.len() >= MAX_FAILED {
            self.failed.remove(0);
        }
        self.failed.push(FailedLogin {
            at,
            staff_id: staff_id.map(str::to_string),
        });
    }

    /// The failed logins not yet in the audit trail.
    pub fn failed(&self) -> &[FailedLogin] {
        &self.failed
    }

    /// Forgets the failed logins (they are in the audit trail now).
    pub fn clear_failed(&mut self) {
        self.failed.clear();
    }

    pub fn record(&self, staff_id: &str) -> LoginRecord {
        self.accounts.get(staff_id).cloned().unwrap_or_default()
    }

    pub fn set(&mut self, staff_id: &str, record: LoginRecord) {
        self.accounts.insert(staff_id.to_string(), record);
    }

    /// Forgets `staff_id`'s failures; true when there were any.
    pub fn clear(&mut self, staff_id: &str) -> bool {
        self.accounts.remove(staff_id).is_some()
    }

    /// Writes the ledger, dropping records that no longer matter.
    pub fn save(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.accounts.retain(|_, record| record.is_relevant(now));
        if self.accounts.is_empty() && self.failed.is_empty() && !self.path.exists() {
            return Ok(());
        }
        let file = LedgerFile {
            version: 2,
            accounts: std::mem::take(&mut self.accounts),
            failed: std::mem::take(&mut self.failed),
        };
        let bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        self.accounts = file.accounts;
        self.failed = file.failed;
        fsutil::write_atomic(&self.path, &bytes)
    }
}
