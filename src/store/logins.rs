//! Failed-login counters, kept in `logins.json` beside the database: a failed attempt cannot
//! write to the encrypted database (it was never opened), and must not touch it or the key
//! slots either.
//!
//! The file is not secret, but it is authenticated (HMAC-SHA256 under the login guard kept in
//! `keyslots.json`): deleting or editing it does not reset the counters, it locks every
//! account — for fifteen minutes from when it was noticed, and after that until an
//! administrator logs in (their login is audited and starts a new record). Argon2id's cost
//! remains what makes guessing expensive; this file is what makes guessing through the
//! workstation slow, and tampering with it evident.
//!
//! It also keeps the failed attempts themselves (when, and the staff ID as typed — never
//! the passphrase) until the next login opens the database and writes them into the audit
//! trail.

use crate::domain::lockout::LoginRecord;
use crate::error::Result;
use crate::store::fsutil;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Serialize, Deserialize)]
struct LedgerFile {
    version: u32,
    accounts: BTreeMap<String, LoginRecord>,
    #[serde(default)]
    failed: Vec<FailedLogin>,
    /// When the file was found missing or changed (every account locked since).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tampered_since: Option<DateTime<Utc>>,
    /// HMAC-SHA256 of the rest, under the login guard (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mac: Option<String>,
}

impl LedgerFile {
    /// The authentication tag of everything but the tag.
    fn tag(&self, guard: &[u8; 32]) -> String {
        let unsigned = serde_json::json!({
            "version": self.version,
            "accounts": self.accounts,
            "failed": self.failed,
            "tampered_since": self.tampered_since,
        });
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(guard).expect("HMAC takes a key of any length");
        mac.update(unsigned.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
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
    guard: Option<[u8; 32]>,
    accounts: BTreeMap<String, LoginRecord>,
    failed: Vec<FailedLogin>,
    tampered_since: Option<DateTime<Utc>>,
}

impl LoginLedger {
    /// Reads the ledger. With a login guard, a missing, unreadable or edited file is
    /// tampering (noticed `now`); without one (a store made before guards), it counts as
    /// empty.
    pub fn load(path: &Path, guard: Option<&[u8; 32]>, now: DateTime<Utc>) -> LoginLedger {
        let read = crate::error::input::read_limited(path, crate::error::input::SMALL_FILE)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<LedgerFile>(&bytes).ok());
        let trusted = match (guard, read) {
            (None, read) => Some(read.unwrap_or_default()),
            (Some(guard), Some(file)) if file.mac.as_deref() == Some(&file.tag(guard)) => {
                Some(file)
            }
            (Some(_), _) => None,
        };
        let file = trusted.unwrap_or_else(|| LedgerFile {
            tampered_since: Some(now),
            ..LedgerFile::default()
        });
        LoginLedger {
            path: path.to_path_buf(),
            guard: guard.copied(),
            accounts: file.accounts,
            failed: file.failed,
            tampered_since: file.tampered_since,
        }
    }

    /// A new, empty record under `guard` (a new store, a restored one), written at once.
    pub fn start(path: &Path, guard: Option<&[u8; 32]>, now: DateTime<Utc>) -> Result<()> {
        let mut ledger = LoginLedger {
            path: path.to_path_buf(),
            guard: guard.copied(),
            accounts: BTreeMap::new(),
            failed: Vec::new(),
            tampered_since: None,
        };
        ledger.save(now)
    }

    /// Since when every account is locked because the file was missing or changed.
    pub fn tampered_since(&self) -> Option<DateTime<Utc>> {
        self.tampered_since
    }

    /// An administrator logged in: the record starts again.
    pub fn clear_tampering(&mut self) {
        self.tampered_since = None;
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
        let nothing =
            self.accounts.is_empty() && self.failed.is_empty() && self.tampered_since.is_none();
        // Unguarded, an empty record need not exist; guarded, its absence would be tampering.
        if nothing && self.guard.is_none() && !self.path.exists() {
            return Ok(());
        }
        let mut file = LedgerFile {
            version: 3,
            accounts: std::mem::take(&mut self.accounts),
            failed: std::mem::take(&mut self.failed),
            tampered_since: self.tampered_since,
            mac: None,
        };
        file.mac = self.guard.as_ref().map(|guard| file.tag(guard));
        let bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        self.accounts = file.accounts;
        self.failed = file.failed;
        fsutil::write_atomic(&self.path, &bytes)
    }
}
