//! Failed-login counters, kept in `logins.json` beside the database: a failed attempt cannot
//! write to the encrypted database (it was never opened), and must not touch it or the key
//! slots either.
//!
//! The file is not secret and not authenticated: deleting it resets the counters, which is
//! why Argon2id's cost, not this file, is what makes guessing expensive.

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
}

#[derive(Debug)]
pub struct LoginLedger {
    path: PathBuf,
    accounts: BTreeMap<String, LoginRecord>,
}

impl LoginLedger {
    /// Reads the ledger; a missing or unreadable one counts as empty.
    pub fn load(path: &Path) -> LoginLedger {
        let accounts = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<LedgerFile>(&bytes).ok())
            .map(|file| file.accounts)
            .unwrap_or_default();
        LoginLedger {
            path: path.to_path_buf(),
            accounts,
        }
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
        if self.accounts.is_empty() && !self.path.exists() {
            return Ok(());
        }
        let file = LedgerFile {
            version: 1,
            accounts: std::mem::take(&mut self.accounts),
        };
        let bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        self.accounts = file.accounts;
        fsutil::write_atomic(&self.path, &bytes)
    }
}
