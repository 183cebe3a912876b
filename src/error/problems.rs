//! Problems with a file as a whole: a CSV list that cannot be read, a sync bundle or keys
//! file that is refused. They sit beside [`Error`], which carries them with the file's path.

use super::Error;
use crate::domain::client::ClientField;
use crate::i18n::I18n;
use std::path::{Path, PathBuf};

/// A problem with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    /// Required columns that the header lacks.
    MissingColumns(Vec<ClientField>),
    /// Required columns a holdings extract lacks (their codes).
    MissingHoldingColumns(Vec<&'static str>),
    /// The text is not CSV (for example a spreadsheet saved in its own format).
    NotCsv {
        line: u64,
    },
    /// Characters that decoded to replacement marks: probably the wrong encoding.
    WrongEncoding {
        line: u64,
    },
}

impl FileProblem {
    pub fn at(self, path: &Path) -> Error {
        Error::ImportFile {
            path: path.to_path_buf(),
            problem: self,
        }
    }
}

/// Why a sync step was refused. Each has one sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProblem {
    /// A public keys file that cannot be used.
    KeysFile {
        path: PathBuf,
        detail: String,
    },
    /// The branch has not been given HQ's keys yet.
    NoHq,
    /// An HQ command on a branch store, or the other way round.
    NotHq,
    IsHq,
    /// No `.minisig` beside the bundle.
    NoSignature,
    /// The signature does not match the file (a flipped bit, a truncated copy, an edit).
    BadSignature,
    /// Signed by a key this store does not trust.
    UnknownSigner,
    /// Encrypted for another receiver.
    NotForUs,
    /// Decrypts but its contents do not add up.
    Damaged,
    /// Unpacks to more than the most that is read of its kind.
    TooLarge {
        limit_mib: u64,
    },
    /// Written by a newer version of branchdesk.
    NewerSchema {
        found: i64,
        supported: i64,
    },
    /// Reference data no newer than what is applied.
    OlderReference {
        found: i64,
        applied: i64,
    },
    /// A holdings snapshot no newer than the one in force.
    OlderSnapshot {
        found: i64,
        applied: i64,
    },
    /// The bundle's sender is not the key that signed it.
    WrongSender,
    /// Encryption needs at least one recipient.
    NoRecipients,
    /// A branch code HQ already knows with other keys.
    BranchKnown {
        code: String,
    },
    Internal,
}

impl SyncProblem {
    pub fn message(&self, i18n: &I18n, file: &str) -> String {
        let key = match self {
            SyncProblem::KeysFile { path, detail } => {
                return i18n.fill(
                    "err.sync.keys_file",
                    &[("path", &path.display().to_string()), ("detail", detail)],
                );
            }
            SyncProblem::NewerSchema { found, supported } => {
                return i18n.fill(
                    "err.sync.newer_schema",
                    &[
                        ("file", file),
                        ("found", &found.to_string()),
                        ("supported", &supported.to_string()),
                    ],
                );
            }
            SyncProblem::OlderReference { found, applied } => {
                return i18n.fill(
                    "err.sync.older_reference",
                    &[
                        ("file", file),
                        ("found", &found.to_string()),
                        ("applied", &applied.to_string()),
                    ],
                );
            }
            SyncProblem::OlderSnapshot { found, applied } => {
                return i18n.fill(
                    "err.sync.older_snapshot",
                    &[
                        ("file", file),
                        ("found", &found.to_string()),
                        ("applied", &applied.to_string()),
                    ],
                );
            }
            SyncProblem::TooLarge { limit_mib } => {
                return i18n.fill(
                    "err.sync.too_large",
                    &[("file", file), ("limit", &limit_mib.to_string())],
                );
            }
            SyncProblem::BranchKnown { code } => {
                return i18n.fill("err.sync.branch_known", &[("code", code)]);
            }
            SyncProblem::NoHq => "err.sync.no_hq",
            SyncProblem::NotHq => "err.sync.not_hq",
            SyncProblem::IsHq => "err.sync.is_hq",
            SyncProblem::NoSignature => "err.sync.no_signature",
            SyncProblem::BadSignature => "err.sync.bad_signature",
            SyncProblem::UnknownSigner => "err.sync.unknown_signer",
            SyncProblem::NotForUs => "err.sync.not_for_us",
            SyncProblem::Damaged => "err.sync.damaged",
            SyncProblem::WrongSender => "err.sync.wrong_sender",
            SyncProblem::NoRecipients => "err.sync.no_recipients",
            SyncProblem::Internal => "err.internal",
        };
        i18n.fill(key, &[("file", file)])
    }
}

/// Why HQ's consolidation database (PostgreSQL) cannot be used. Each has one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HqDbProblem {
    /// The address cannot be read.
    Address { detail: String },
    /// The address carries a password.
    PasswordInAddress,
    /// No server answered (or it went away while connecting).
    Unreachable,
    /// The server refused the login.
    Login,
    /// The database named does not exist.
    NoDatabase,
    /// TLS was asked for and could not be set up or verified.
    Tls,
    /// The database holds no branchdesk consolidation yet.
    NotInitialised,
    /// The database belongs to another HQ store.
    OtherHq,
    /// `hq init --database` for an HQ that already consolidates somewhere else.
    AlreadyConsolidating,
    /// The database was made by a newer branchdesk.
    NewerSchema,
    /// The database holds no data key.
    NoDataKey,
    /// The data key is sealed to another identity than this HQ's.
    WrongDataKey,
    /// The sealed data key does not open (changed or cut short).
    DataKeyDamaged,
    /// The server has no room left.
    ServerFull,
    /// The connection went during the work (nothing half-done is kept).
    Lost,
    /// The server refused a statement (its SQLSTATE, for the administrator).
    Refused { code: String },
}

impl HqDbProblem {
    pub fn code(&self) -> &'static str {
        match self {
            HqDbProblem::Address { .. } => "address",
            HqDbProblem::PasswordInAddress => "password_in_address",
            HqDbProblem::Unreachable => "unreachable",
            HqDbProblem::Login => "login",
            HqDbProblem::NoDatabase => "no_database",
            HqDbProblem::Tls => "tls",
            HqDbProblem::NotInitialised => "not_initialised",
            HqDbProblem::OtherHq => "other_hq",
            HqDbProblem::AlreadyConsolidating => "already_consolidating",
            HqDbProblem::NewerSchema => "newer_schema",
            HqDbProblem::NoDataKey => "no_data_key",
            HqDbProblem::WrongDataKey => "wrong_data_key",
            HqDbProblem::DataKeyDamaged => "data_key_damaged",
            HqDbProblem::ServerFull => "server_full",
            HqDbProblem::Lost => "lost",
            HqDbProblem::Refused { .. } => "refused",
        }
    }

    pub fn message(&self, i18n: &I18n) -> String {
        let key = format!("err.hq_db.{}", self.code());
        match self {
            HqDbProblem::Address { detail } => i18n.fill(&key, &[("detail", detail)]),
            HqDbProblem::Refused { code } => i18n.fill(&key, &[("code", code)]),
            _ => i18n.t(&key).to_string(),
        }
    }
}
