//! One error type for everything a user can run into. Each variant is one plain sentence in
//! the UI language (see `assets/i18n/`), saying what happened and what to do.

pub mod input;
mod problems;
mod wording;

pub use problems::{FileProblem, HqDbProblem, SyncProblem};
pub use wording::{
    care_error_message, complaint_rule_message, field_error_message, holding_problem_text,
    intake_error_message, intake_rule_text, survey_error_message, verdict_message,
};

use crate::domain::branch::BranchRuleError;
use crate::domain::client::FieldError;
use crate::domain::mask::REVEAL_REASON_MIN_CHARS;
use crate::domain::staff::{Permission, StaffRuleError};
use crate::i18n::I18n;
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    /// No store at this directory.
    NoStore {
        dir: PathBuf,
    },
    /// `init` or `demo` where a store already exists.
    StoreExists {
        dir: PathBuf,
    },
    /// Another branchdesk process holds the store.
    InUse,
    /// Generic login failure: never says which of the two was wrong.
    WrongCredentials,
    AccountLocked {
        until: DateTime<Utc>,
    },
    /// The failed-login record was found missing or changed: every account is locked until
    /// `until`, and after that only an administrator may log in (None: after that).
    LoginRecordTampered {
        until: Option<DateTime<Utc>>,
    },
    /// Too soon after a failed attempt; the caller waits this long and tries again.
    TooSoon {
        seconds: u64,
    },
    KeyslotsMissing {
        path: PathBuf,
    },
    KeyslotsDamaged {
        path: PathBuf,
    },
    /// The database does not open with the key from the key slots.
    DatabaseNotOurs {
        path: PathBuf,
    },
    DatabaseDamaged,
    NewerSchema {
        found: i64,
        supported: i64,
    },
    /// On a read-only file system (a write-protected USB stick).
    ReadOnly {
        path: PathBuf,
    },
    /// The file system refuses access (permissions).
    AccessDenied {
        path: PathBuf,
    },
    /// A file or folder that is not there.
    NotFound {
        path: PathBuf,
        folder: bool,
    },
    /// A file where a folder is needed.
    NotAFolder {
        path: PathBuf,
    },
    DiskFull,
    /// A write was refused by the file system (read-only disk, permissions).
    StoreNotWritable,
    PermissionDenied {
        permission: Permission,
    },
    Rule(StaffRuleError),
    BranchRule(BranchRuleError),
    /// A client form or row broke rules; every broken field is listed.
    ClientInvalid {
        errors: Vec<FieldError>,
    },
    /// The same ID number (or USCC) is already registered.
    DuplicateClient {
        client_no: String,
    },
    ClientNotFound {
        key: String,
    },
    /// A complaint intake broke rules; every broken field is listed.
    ComplaintIntake {
        errors: Vec<crate::domain::complaint::IntakeError>,
    },
    /// A complaint step was refused by the case rules.
    ComplaintRefused(crate::domain::complaint::ComplaintRule),
    ComplaintNotFound {
        key: String,
    },
    /// A care reminder action or a life event broke rules.
    CareInvalid {
        errors: Vec<crate::domain::care::CareError>,
    },
    /// A survey response broke rules; every broken answer is listed.
    SurveyInvalid {
        errors: Vec<crate::domain::survey::AnswerError>,
    },
    SurveyTemplateUnknown {
        code: String,
    },
    /// No open reminder with this id (done, dismissed, or never there).
    ReminderNotFound {
        id: String,
    },
    /// The assigned relationship manager is not an active RM of this branch.
    NotAnRm {
        id: String,
    },
    /// Revealing needs a reason for the audit trail.
    RevealReason,
    ContactRefused(crate::domain::contact::NoteRule),
    UnknownEncoding {
        name: String,
    },
    /// A file larger than the most that is read of its kind.
    TooLarge {
        path: PathBuf,
        limit_mib: u64,
    },
    /// A file that should be text is not (UTF-8).
    NotText {
        path: PathBuf,
    },
    ImportFile {
        path: PathBuf,
        problem: FileProblem,
    },
    /// Plaintext copies are made of demo stores only.
    NotDemo,
    /// The benchmark store holds another number of clients.
    BenchSize {
        dir: PathBuf,
        found: i64,
    },
    StaffExists {
        id: String,
    },
    StaffNotFound {
        id: String,
    },
    LastAdmin,
    CannotDisableSelf,
    PassphrasesDiffer,
    NoPassphrase,
    NoStaffId,
    NoTerminal,
    NoDataDir,
    BackupInvalid {
        path: PathBuf,
    },
    /// The restoring member's slot was replaced after the backup, so it opens nothing in it.
    RestoreSlotReplaced,
    /// An assessment level outside C1–C5.
    AssessmentLevel {
        level: u8,
    },
    /// A client assessed as often as the rules allow.
    AssessmentLimit {
        limit: crate::domain::portfolio::suitability::AssessLimit,
    },
    /// A level that differs from the one before, not (yet) confirmed by the client.
    AssessmentUnconfirmed {
        previous: u8,
        level: u8,
    },
    /// A book segment that is neither a fixed one nor a tier of the table in force.
    UnknownSegment {
        code: String,
        tiers: Vec<String>,
    },
    /// A risk questionnaire answered without a client.
    RiskNeedsClient,
    /// A risk questionnaire over a channel where the client neither fills it nor hears it.
    RiskChannel {
        channel: String,
    },
    /// Risk questionnaires in a batch import.
    RiskOneAtATime,
    /// No entry of the review list for this client and field.
    NothingToReview {
        client: String,
        field: String,
    },
    /// An outcome recorded for a product the rules do not offer the client now.
    OfferNotMade {
        product: String,
    },
    /// A loyalty-points entry the ledger refuses.
    PointsRefused {
        refusal: crate::domain::loyalty::Refusal,
    },
    /// A branch event's fields, with every broken rule.
    EventInvalid {
        problems: Vec<crate::domain::events::EventProblem>,
    },
    /// A reply, an attendance or an invitation the event's rules refuse.
    EventRefused {
        refusal: crate::domain::events::EventRefusal,
    },
    NoSuchEvent {
        key: String,
    },
    /// An AML rating or review that the rules refuse.
    RatingRefused {
        refusal: crate::domain::aml::RatingRefusal,
    },
    /// A level the factor table in force does not have.
    UnknownAmlLevel {
        code: String,
        levels: Vec<String>,
    },
    /// A command-line value that is none of the choices.
    UnknownChoice {
        field: String,
        value: String,
        choices: String,
    },
    /// A nationality that is not an ISO 3166 three-letter code.
    UnknownNationality {
        code: String,
    },
    /// A review of a client that has never been rated.
    NotRated {
        client: String,
    },
    /// The approving manager's ID or passphrase was not accepted.
    ApproverRefused,
    /// A rating of a client already rated (their level changes at a review).
    AlreadyRated {
        client: String,
    },
    /// A client of another branch, whose rating and relationship are that branch's.
    NotOurClient {
        client: String,
        branch: String,
    },
    /// Lifting the restriction of a client who is not restricted.
    NotRestricted {
        client: String,
    },
    /// An override, a closure or a deletion without the reason the audit trail needs.
    ReasonRequired,
    /// A write for a client whose expired identity document restricts their business.
    ClientRestricted {
        client: String,
        since: chrono::NaiveDate,
    },
    /// A write for a client whose relationship has ended.
    ClientClosed {
        client: String,
        on: chrono::NaiveDate,
    },
    /// A deletion the retention rules forbid.
    RecordKept {
        client: String,
        kept: crate::domain::aml::Kept,
    },
    /// A day given on the command line that is not a date, or is in the future.
    NotADay {
        text: String,
    },
    /// A report period that ends before it begins.
    PeriodReversed {
        from: String,
        to: String,
    },
    /// A report period given on the command line that is not a quarter (or a month).
    NotAPeriod {
        text: String,
        example: &'static str,
    },
    /// A folder holding a database without usable key slots, restored over without
    /// `--force`.
    RestoreWithoutSlots,
    /// A renumbering that would move what HQ has acknowledged, or an empty range.
    RenumberRange {
        from: i64,
        after: i64,
        acked: i64,
    },
    /// A backup older than the branch's last export to HQ, restored without `--force`.
    RestoreBehindExport {
        backup_seq: i64,
        exported_seq: i64,
        reached_seq: i64,
    },
    BackupExists {
        path: PathBuf,
    },
    /// The branch already trusts another HQ; replacing it must name that HQ's key.
    HqAlreadyTrusted {
        code: String,
        key_id: String,
    },
    /// An output file that must be new already exists.
    FileExists {
        path: PathBuf,
    },
    /// Printing was asked for, but this terminal has no `lp`; the file is at `path`.
    NoPrintCommand {
        path: PathBuf,
    },
    /// `lp` did not take the file at `path`.
    PrintFailed {
        path: PathBuf,
        printer: Option<String>,
    },
    Config {
        path: PathBuf,
        detail: String,
    },
    /// A sync step refused; `file` names the bundle or keys file concerned, if any.
    Sync {
        problem: SyncProblem,
    },
    SyncFile {
        file: PathBuf,
        problem: SyncProblem,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// HQ's consolidation database (PostgreSQL) refused or could not be reached.
    HqDatabase {
        problem: HqDbProblem,
    },
    /// Something we did not expect. The detail goes to the log, not the screen.
    Internal {
        detail: String,
    },
}

impl Error {
    /// An error using `path`, as a sentence can say it (the OS's own words go to the log).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        let path = path.into();
        match source.kind() {
            StorageFull | QuotaExceeded => Error::DiskFull,
            ReadOnlyFilesystem => Error::ReadOnly { path },
            PermissionDenied => Error::AccessDenied { path },
            NotFound => Error::NotFound {
                path,
                folder: false,
            },
            NotADirectory => Error::NotAFolder { path },
            _ => {
                tracing::warn!(path = %path.display(), error = %source, "file error");
                Error::Io { path, source }
            }
        }
    }

    /// An error creating `file` in its folder: a missing folder (or a file in its place) is
    /// said of the folder, everything else of the file.
    pub fn creating(file: &Path, source: std::io::Error) -> Self {
        let folder = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        match source.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound {
                path: folder,
                folder: true,
            },
            std::io::ErrorKind::NotADirectory => Error::NotAFolder { path: folder },
            _ => Error::io(file, source),
        }
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        Error::Internal {
            detail: detail.to_string(),
        }
    }

    /// The sentence to show the user.
    pub fn message(&self, i18n: &I18n) -> String {
        let path = |p: &PathBuf| p.display().to_string();
        match self {
            Error::NoStore { dir } => i18n.fill("err.no_store", &[("dir", &path(dir))]),
            Error::StoreExists { dir } => i18n.fill("err.store_exists", &[("dir", &path(dir))]),
            Error::InUse => i18n.t("err.in_use").to_string(),
            Error::WrongCredentials => i18n.t("err.wrong_credentials").to_string(),
            Error::AccountLocked { until } => {
                let local = until.with_timezone(&chrono::Local).format("%H:%M");
                i18n.fill("err.account_locked", &[("until", &local.to_string())])
            }
            Error::LoginRecordTampered { until: Some(until) } => {
                let local = until.with_timezone(&chrono::Local).format("%H:%M");
                i18n.fill("err.login_record_locked", &[("until", &local.to_string())])
            }
            Error::LoginRecordTampered { until: None } => {
                i18n.t("err.login_record_admin").to_string()
            }
            Error::TooSoon { seconds } => {
                i18n.fill("err.too_soon", &[("seconds", &seconds.to_string())])
            }
            Error::KeyslotsMissing { path: p } => {
                i18n.fill("err.keyslots_missing", &[("path", &path(p))])
            }
            Error::KeyslotsDamaged { path: p } => {
                i18n.fill("err.keyslots_damaged", &[("path", &path(p))])
            }
            Error::DatabaseNotOurs { path: p } => {
                i18n.fill("err.database_not_ours", &[("path", &path(p))])
            }
            Error::DatabaseDamaged => i18n.t("err.database_damaged").to_string(),
            Error::NewerSchema { found, supported } => i18n.fill(
                "err.newer_schema",
                &[
                    ("found", &found.to_string()),
                    ("supported", &supported.to_string()),
                ],
            ),
            Error::ReadOnly { path: p } => i18n.fill("err.read_only", &[("path", &path(p))]),
            Error::AccessDenied { path: p } => {
                i18n.fill("err.access_denied", &[("path", &path(p))])
            }
            Error::NotFound {
                path: p,
                folder: true,
            } => i18n.fill("err.folder_missing", &[("path", &path(p))]),
            Error::NotFound { path: p, .. } => i18n.fill("err.file_missing", &[("path", &path(p))]),
            Error::NotAFolder { path: p } => i18n.fill("err.not_a_folder", &[("path", &path(p))]),
            Error::DiskFull => i18n.t("err.disk_full").to_string(),
            Error::StoreNotWritable => i18n.t("err.store_not_writable").to_string(),
            Error::PermissionDenied { permission } => i18n.fill(
                "err.permission_denied",
                &[("action", i18n.t(&format!("perm.{}", permission.code())))],
            ),
            Error::Rule(rule) => i18n.t(rule.message_key()).to_string(),
            Error::BranchRule(rule) => i18n.t(rule.message_key()).to_string(),
            Error::ClientInvalid { errors } => errors
                .iter()
                .map(|e| field_error_message(i18n, e))
                .collect::<Vec<_>>()
                .join(" "),
            Error::DuplicateClient { client_no } => {
                i18n.fill("err.duplicate_client", &[("client_no", client_no)])
            }
            Error::ClientNotFound { key } => i18n.fill("err.client_not_found", &[("key", key)]),
            Error::ComplaintIntake { errors } => errors
                .iter()
                .map(|e| intake_error_message(i18n, e))
                .collect::<Vec<_>>()
                .join(" "),
            Error::ComplaintRefused(rule) => complaint_rule_message(i18n, rule),
            Error::ComplaintNotFound { key } => {
                i18n.fill("err.complaint_not_found", &[("key", key)])
            }
            Error::CareInvalid { errors } => errors
                .iter()
                .map(|e| care_error_message(i18n, e))
                .collect::<Vec<_>>()
                .join(" "),
            Error::SurveyInvalid { errors } => errors
                .iter()
                .map(|e| survey_error_message(i18n, e))
                .collect::<Vec<_>>()
                .join(" "),
            Error::SurveyTemplateUnknown { code } => {
                i18n.fill("err.survey_template_unknown", &[("code", code)])
            }
            Error::ReminderNotFound { id } => i18n.fill("err.reminder_not_found", &[("id", id)]),
            Error::NotAnRm { id } => i18n.fill("err.not_an_rm", &[("id", id)]),
            Error::RevealReason => i18n.fill(
                "err.reveal_reason",
                &[("min", &REVEAL_REASON_MIN_CHARS.to_string())],
            ),
            Error::ContactRefused(rule) => i18n.fill(
                rule.message_key(),
                &[("max", &crate::domain::contact::NOTE_MAX_CHARS.to_string())],
            ),
            Error::NotDemo => i18n.t("err.not_demo").to_string(),
            Error::UnknownEncoding { name } => i18n.fill("err.unknown_encoding", &[("name", name)]),
            Error::TooLarge { path: p, limit_mib } => i18n.fill(
                "err.too_large",
                &[("path", &path(p)), ("limit", &limit_mib.to_string())],
            ),
            Error::NotText { path: p } => i18n.fill("err.not_text", &[("path", &path(p))]),
            Error::ImportFile { path: p, problem } => {
                let file = path(p);
                match problem {
                    FileProblem::Empty => i18n.fill("err.import_empty", &[("path", &file)]),
                    FileProblem::MissingColumns(fields) => {
                        let names: Vec<&str> =
                            fields.iter().map(|f| i18n.t_owned(f.label_key())).collect();
                        i18n.fill(
                            "err.import_missing_columns",
                            &[("path", &file), ("columns", &names.join(", "))],
                        )
                    }
                    FileProblem::MissingHoldingColumns(columns) => {
                        let names: Vec<&str> = columns
                            .iter()
                            .map(|c| i18n.t_owned(format!("holdings.column.{c}")))
                            .collect();
                        i18n.fill(
                            "err.holdings_missing_columns",
                            &[("path", &file), ("columns", &names.join(", "))],
                        )
                    }
                    FileProblem::NotCsv { line } => i18n.fill(
                        "err.import_not_csv",
                        &[("path", &file), ("line", &line.to_string())],
                    ),
                    FileProblem::WrongEncoding { line } => i18n.fill(
                        "err.import_encoding",
                        &[("path", &file), ("line", &line.to_string())],
                    ),
                }
            }
            Error::BenchSize { dir, found } => i18n.fill(
                "err.bench_size",
                &[("dir", &path(dir)), ("found", &found.to_string())],
            ),
            Error::StaffExists { id } => i18n.fill("err.staff_exists", &[("id", id)]),
            Error::StaffNotFound { id } => i18n.fill("err.staff_not_found", &[("id", id)]),
            Error::LastAdmin => i18n.t("err.last_admin").to_string(),
            Error::CannotDisableSelf => i18n.t("err.cannot_disable_self").to_string(),
            Error::PassphrasesDiffer => i18n.t("err.passphrases_differ").to_string(),
            Error::NoPassphrase => i18n.t("err.no_passphrase").to_string(),
            Error::NoStaffId => i18n.t("err.no_staff_id").to_string(),
            Error::NoTerminal => i18n.t("err.no_terminal").to_string(),
            Error::NoDataDir => i18n.t("err.no_data_dir").to_string(),
            Error::RestoreSlotReplaced => i18n.t("err.restore_slot_replaced").to_string(),
            Error::NotADay { text } => i18n.fill("err.not_a_day", &[("text", text)]),
            Error::PeriodReversed { from, to } => {
                i18n.fill("err.period_reversed", &[("from", from), ("to", to)])
            }
            Error::NotAPeriod { text, example } => {
                i18n.fill("err.not_a_period", &[("text", text), ("example", example)])
            }
            Error::AssessmentLevel { level } => {
                i18n.fill("err.assessment_level", &[("level", &level.to_string())])
            }
            Error::AssessmentLimit { limit } => {
                use crate::domain::portfolio::suitability::AssessLimit;
                let (key, max) = match limit {
                    AssessLimit::PerDay { max } => ("err.assessment_per_day", max),
                    AssessLimit::Per12Months { max } => ("err.assessment_per_year", max),
                };
                i18n.fill(key, &[("max", &max.to_string())])
            }
            Error::UnknownSegment { code, tiers } => i18n.fill(
                "err.unknown_segment",
                &[("code", code), ("tiers", &tiers.join(", "))],
            ),
            Error::RiskNeedsClient => i18n.t("err.risk_needs_client").to_string(),
            Error::RiskChannel { channel } => i18n.fill(
                "err.risk_channel",
                &[("channel", i18n.t_owned(format!("survey.channel.{channel}")))],
            ),
            Error::RiskOneAtATime => i18n.t("err.risk_one_at_a_time").to_string(),
            Error::NothingToReview { client, field } => i18n.fill(
                "err.nothing_to_review",
                &[("client", client), ("field", field)],
            ),
            Error::OfferNotMade { product } => {
                i18n.fill("err.offer_not_made", &[("product", product)])
            }
            Error::AssessmentUnconfirmed { previous, level } => i18n.fill(
                "err.assessment_unconfirmed",
                &[
                    ("previous", &previous.to_string()),
                    ("level", &level.to_string()),
                ],
            ),
            Error::PointsRefused { refusal } => {
                crate::error::wording::points_refusal(i18n, refusal)
            }
            Error::EventInvalid { problems } => {
                crate::error::wording::event_problems(i18n, problems)
            }
            Error::EventRefused { refusal } => crate::error::wording::event_refusal(i18n, refusal),
            Error::NoSuchEvent { key } => i18n.fill("err.no_such_event", &[("key", key)]),
            Error::RatingRefused { refusal } => i18n
                .t(&format!("err.rating.{}", refusal.code()))
                .to_string(),
            Error::UnknownAmlLevel { code, levels } => i18n.fill(
                "err.unknown_aml_level",
                &[("code", code.as_str()), ("levels", &levels.join(", "))],
            ),
            Error::UnknownChoice {
                field,
                value,
                choices,
            } => i18n.fill(
                "err.unknown_choice",
                &[
                    ("field", field.as_str()),
                    ("value", value.as_str()),
                    ("choices", choices.as_str()),
                ],
            ),
            Error::UnknownNationality { code } => {
                i18n.fill("err.unknown_nationality", &[("code", code.as_str())])
            }
            Error::NotRated { client } => {
                i18n.fill("err.not_rated", &[("client", client.as_str())])
            }
            Error::ApproverRefused => i18n.t("err.approver_refused").to_string(),
            Error::AlreadyRated { client } => {
                i18n.fill("err.already_rated", &[("client", client.as_str())])
            }
            Error::NotOurClient { client, branch } => i18n.fill(
                "err.not_our_client",
                &[("client", client.as_str()), ("branch", branch.as_str())],
            ),
            Error::NotRestricted { client } => {
                i18n.fill("err.not_restricted", &[("client", client.as_str())])
            }
            Error::ReasonRequired => i18n.t("err.reason_required").to_string(),
            Error::ClientRestricted { client, since } => i18n.fill(
                "err.client_restricted",
                &[("client", client.as_str()), ("since", &since.to_string())],
            ),
            Error::ClientClosed { client, on } => i18n.fill(
                "err.client_closed",
                &[("client", client.as_str()), ("on", &on.to_string())],
            ),
            Error::RecordKept { client, kept } => match kept {
                crate::domain::aml::Kept::RelationshipOpen => {
                    i18n.fill("err.record_open", &[("client", client.as_str())])
                }
                crate::domain::aml::Kept::Retention { until } => i18n.fill(
                    "err.record_retained",
                    &[("client", client.as_str()), ("until", &until.to_string())],
                ),
            },
            Error::RestoreWithoutSlots => i18n.t("err.restore_without_slots").to_string(),
            Error::RenumberRange { from, after, acked } => i18n.fill(
                "err.renumber_range",
                &[
                    ("from", &from.to_string()),
                    ("after", &after.to_string()),
                    ("acked", &acked.to_string()),
                ],
            ),
            Error::RestoreBehindExport {
                backup_seq,
                exported_seq,
                reached_seq,
            } => i18n.fill(
                "err.restore_behind_export",
                &[
                    ("backup", &backup_seq.to_string()),
                    ("exported", &exported_seq.to_string()),
                    ("reached", &reached_seq.to_string()),
                ],
            ),
            Error::BackupInvalid { path: p } => {
                i18n.fill("err.backup_invalid", &[("path", &path(p))])
            }
            Error::BackupExists { path: p } => {
                i18n.fill("err.backup_exists", &[("path", &path(p))])
            }
            Error::FileExists { path: p } => i18n.fill("err.file_exists", &[("path", &path(p))]),
            Error::HqAlreadyTrusted { code, key_id } => i18n.fill(
                "err.hq_already_trusted",
                &[("hq", code.as_str()), ("key_id", key_id.as_str())],
            ),
            Error::NoPrintCommand { path: p } => {
                i18n.fill("err.no_print_command", &[("path", &path(p))])
            }
            Error::PrintFailed {
                path: p,
                printer: Some(printer),
            } => i18n.fill(
                "err.print_failed_on",
                &[("path", &path(p)), ("printer", printer)],
            ),
            Error::PrintFailed { path: p, .. } => {
                i18n.fill("err.print_failed", &[("path", &path(p))])
            }
            Error::Config { path: p, detail } => {
                i18n.fill("err.config", &[("path", &path(p)), ("detail", detail)])
            }
            Error::Sync { problem } => problem.message(i18n, ""),
            Error::SyncFile { file, problem } => problem.message(i18n, &path(file)),
            Error::Io { path: p, .. } => i18n.fill("err.io", &[("path", &path(p))]),
            Error::HqDatabase { problem } => problem.message(i18n),
            Error::Internal { .. } => i18n.t("err.internal").to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(I18n::english()))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => Error::DatabaseDamaged,
            Some(DiskFull) => Error::DiskFull,
            Some(DatabaseBusy | DatabaseLocked) => Error::InUse,
            Some(ReadOnly | CannotOpen | PermissionDenied) => Error::StoreNotWritable,
            _ => Error::internal(e),
        }
    }
}

impl From<StaffRuleError> for Error {
    fn from(rule: StaffRuleError) -> Self {
        Error::Rule(rule)
    }
}

impl From<BranchRuleError> for Error {
    fn from(rule: BranchRuleError) -> Self {
        Error::BranchRule(rule)
    }
}

#[cfg(test)]
mod tests;
