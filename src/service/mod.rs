//! The one door between the screens and the store: the store runs on its own thread
//! (`worker`), behind typed requests and replies (the shape of gitui's asyncgit). The TUI
//! sends a [`Request`] and goes on drawing; the [`Reply`] arrives as an event. No rusqlite
//! type crosses this boundary, and every type the screens show comes from here.

pub mod printer;
pub mod slip;
mod worker;

pub use worker::ServiceHandle;

// What the screens show, as the store and the sync layer give it.
pub use crate::domain::portfolio::offers::{Because, Offer};
pub use crate::store::import::{ImportReport, LineProblem, Rejected};
pub use crate::store::{Approval, DeskCounts, DeskList, DeskPage, DeskRow, RiskView};
pub use crate::store::{Attended, EventDetail, EventRow, Invitation};
pub use crate::store::{
    AuditRow, Board, BranchInfo, BranchState, ClientEvent, ComplaintDetail, ComplaintRow,
    ExportReport, Gap, HqStatus, Interaction, NewStore, Recorded, ReferenceReport, Registered,
    ResponseRow, SearchHit, SkippedTemplate, StaffRow, StoreOptions, StorePaths, StoreProbe,
    SurveyInput, SurveyStats, SyncStatus, TemplateSet,
};
pub use crate::store::{
    Book, BookEntry, HoldingsApplied, OfferOutcome, Portfolio, RecordedOffer, Segment,
};
pub use crate::store::{CatalogueItem, EntryKind, PointsEntry, PointsView, Redemption};
pub use crate::store::{ComplaintCell, ComplaintReport, SatisfactionCell, SatisfactionReport};
pub use crate::sync::SyncWarning;
pub use crate::sync::keys::Party;

use crate::domain::audit::ChainVerdict;
use crate::domain::care::{Agenda, CareScope};
use crate::domain::client::{ClientInput, ClientView};
use crate::domain::complaint::{IntakeInput, Step};
use crate::domain::staff::{Permission, Role};
use crate::error::Error;
use crate::i18n::Lang;
use chrono::NaiveDate;
use secrecy::SecretString;
use serde::Serialize;
use std::path::PathBuf;

/// Who is logged in, as the screens need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub staff_id: String,
    pub name: String,
    pub role: Role,
    pub branch: BranchInfo,
    /// Failed attempts on this account since its previous successful login.
    pub failed_attempts_before: u32,
    /// When this account last logged in before now (RFC 3339), if ever.
    pub previous_login: Option<String>,
    /// Care reminders due today or overdue, for staff who see them.
    pub care_due: Option<u64>,
    /// AML ratings and reviews overdue on the risk desk, for staff who see it.
    pub risk_overdue: Option<u64>,
}

impl SessionInfo {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}

#[derive(Debug)]
pub enum Request {
    CreateStore(NewStore),
    Login {
        staff_id: String,
        passphrase: SecretString,
    },
    /// Re-enter the passphrase on the lock screen.
    Unlock {
        passphrase: SecretString,
    },
    RecordLock {
        idle: bool,
    },
    Logout,
    ListStaff,
    AddStaff {
        id: String,
        name: String,
        role: Role,
        passphrase: SecretString,
    },
    DisableStaff {
        id: String,
    },
    ResetPassphrase {
        id: String,
        passphrase: SecretString,
    },
    UnlockAccount {
        id: String,
    },
    AuditPage {
        before: Option<i64>,
        limit: u32,
    },
    VerifyAudit,
    /// A type-ahead lookup; only the newest of those waiting is run.
    Search {
        query: String,
        generation: u64,
        limit: u32,
    },
    OpenClient {
        key: String,
    },
    RevealClient {
        key: String,
        reason: String,
    },
    /// Registers (`key` None) or changes a client.
    SaveClient {
        key: Option<String>,
        input: Box<ClientInput>,
    },
    AddNote {
        key: String,
        channel: String,
        note: String,
    },
    ImportClients {
        path: PathBuf,
    },
    AddEvent {
        key: String,
        input: Box<crate::domain::care::EventInput>,
    },
    ComplaintBoard,
    OpenComplaint {
        key: String,
    },
    RegisterComplaint {
        input: Box<IntakeInput>,
    },
    AdvanceComplaint {
        key: String,
        step: Step,
        on: Option<NaiveDate>,
        note: Option<String>,
    },
    CareAgenda {
        from: NaiveDate,
        to: NaiveDate,
        scope: Option<CareScope>,
    },
    /// A client's portfolio and the offers for them (the view is audited).
    Portfolio {
        key: String,
    },
    /// What the client made of an offer; the portfolio follows.
    RecordOffer {
        key: String,
        product: String,
        outcome: OfferOutcome,
        channel: String,
    },
    /// A client's points and the redemption catalogue (the view is audited).
    Points {
        key: String,
    },
    /// Redeems a catalogue item; its slip, in `lang`, goes to the print folder.
    RedeemPoints {
        key: String,
        item: String,
        lang: Lang,
    },
    /// Reverses an entry (a manager, with a reason).
    ReversePoints {
        entry: String,
        reason: String,
    },
    /// The branch's events from today on.
    Events,
    /// An event and its invitation list (audited).
    EventShow {
        key: String,
    },
    EventReply {
        key: String,
        client: String,
        reply: crate::domain::events::Reply,
        channel: String,
    },
    EventAttend {
        key: String,
        client: String,
    },
    /// A book cut to a segment (`rm` none: the role's own, or the branch's for a manager).
    Book {
        rm: Option<String>,
        segment: Segment,
    },
    /// A list of the risk desk, with the count of every list.
    RiskDesk {
        list: DeskList,
    },
    /// A client's AML rating with its factors and history (audited).
    RiskShow {
        key: String,
    },
    /// A rating (`outcome` none) or a review of a client.
    RiskDecide {
        key: String,
        outcome: Option<crate::domain::aml::Outcome>,
        level: Option<String>,
        note: String,
        approval: Option<Approval>,
    },
    /// A manager lifts a restricted client's restriction for today.
    LiftRestriction {
        key: String,
        reason: String,
    },
    SyncStatus,
    /// HQ's complaint statistics for these quarters (both included).
    HqComplaints {
        from: crate::domain::complaint::Quarter,
        to: crate::domain::complaint::Quarter,
    },
    /// HQ's NPS/CSAT by branch for these months (both included).
    HqSatisfaction {
        from: crate::domain::survey::Month,
        to: crate::domain::survey::Month,
    },
    /// Write a bundle for HQ to `dir`.
    ExportBundle {
        dir: PathBuf,
    },
    ImportReference {
        path: PathBuf,
    },
    SurveyTemplates,
    RecordSurvey {
        input: Box<SurveyInput>,
    },
    SurveyStats {
        code: String,
        from: NaiveDate,
        to: NaiveDate,
        by: crate::domain::survey::GroupBy,
    },
    /// The responses to a template over a period, newest first.
    SurveyResponses {
        code: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    CareDone {
        id: String,
        channel: String,
        note: String,
    },
    CareSnooze {
        id: String,
        until: String,
    },
    CareDismiss {
        id: String,
        why: String,
    },
    /// Writes the case's acknowledgement slip, in `lang`, into the print folder (a numbered
    /// copy when printed before), and prints it where the settings say so.
    PrintSlip {
        key: String,
        lang: Lang,
    },
}

#[derive(Debug)]
pub enum Reply {
    /// The login (or store creation) worked.
    LoggedIn(Box<SessionInfo>),
    /// A login must wait this many seconds after earlier failures; it will go ahead by itself.
    Waiting {
        seconds: u64,
    },
    Unlocked,
    LoggedOut,
    Staff(Vec<StaffRow>),
    /// A staff change went through; the list follows in a `Staff` reply.
    StaffChanged,
    AuditPage {
        before: Option<i64>,
        rows: Vec<AuditRow>,
    },
    AuditVerdict(ChainVerdict),
    SyncStatus(Box<SyncView>),
    HqComplaints(Box<ComplaintReport>),
    HqSatisfaction(Box<SatisfactionReport>),
    /// An export is under way: outbox rows read so far, of the total.
    /// Applying a holdings snapshot: standings rebuilt so far.
    ApplyProgress {
        done: u64,
        total: u64,
    },
    ExportProgress {
        done: u64,
        total: u64,
    },
    Exported(Box<ExportReport>),
    ReferenceApplied(Box<ReferenceReport>),
    /// A holdings snapshot (with the client book) applied.
    HoldingsApplied(Box<HoldingsApplied>),
    Hits {
        generation: u64,
        hits: Vec<SearchHit>,
    },
    Client {
        view: Box<ClientView>,
        log: Vec<Interaction>,
        events: Vec<ClientEvent>,
    },
    ClientSaved {
        client_no: String,
    },
    /// An import is under way: rows written so far.
    ImportProgress {
        rows: u64,
    },
    Imported(Box<ImportReport>),
    ComplaintBoard(Box<Board>),
    Complaint(Box<ComplaintDetail>),
    ComplaintRegistered(Registered),
    /// A step was recorded; the case as it now stands.
    ComplaintAdvanced {
        step: &'static str,
        detail: Box<ComplaintDetail>,
    },
    SlipWritten {
        path: PathBuf,
        /// Handed to `lp` (to this printer, or the default one when empty).
        printed: Option<String>,
    },
    CareAgenda(Box<Agenda>),
    Portfolio {
        portfolio: Box<Portfolio>,
        offers: Vec<Offer>,
    },
    OfferRecorded(Box<RecordedOffer>),
    Points {
        view: Box<PointsView>,
        catalogue: Vec<CatalogueItem>,
    },
    /// A redemption went through; its slip was written (where, and the printer it was sent
    /// to) or could not be (why: the redemption stands, the slip can be written again).
    PointsRedeemed {
        redemption: Box<Redemption>,
        slip: std::result::Result<(PathBuf, Option<String>), Error>,
    },
    PointsReversed(Box<PointsEntry>),
    Events(Vec<EventRow>),
    Event(Box<EventDetail>),
    EventAnswered(Box<Invitation>),
    EventAttended(Box<Attended>),
    Book(Box<Book>),
    RiskDesk(Box<DeskPage>),
    Risk(Box<RiskView>),
    /// A rating or review recorded; the client's page as it now stands.
    RiskRecorded(Box<RiskView>),
    RestrictionLifted {
        client_no: String,
        on: NaiveDate,
    },
    SurveyTemplates(Box<TemplateSet>),
    SurveyRecorded(Box<Recorded>),
    SurveyStats(Box<SurveyStats>),
    SurveyResponses(Vec<ResponseRow>),
    /// A reminder was acted on; the agenda follows.
    CareActed {
        id: String,
        action: crate::domain::care::Action,
        until: Option<NaiveDate>,
    },
    /// Something that needs no answer (a lock was recorded).
    Done,
    Failed(Error),
}

impl Reply {
    /// A reply on the way to the answer (a wait, progress): the request is still pending.
    pub fn keeps_pending(&self) -> bool {
        matches!(
            self,
            Reply::Waiting { .. }
                | Reply::ExportProgress { .. }
                | Reply::ImportProgress { .. }
                | Reply::ApplyProgress { .. }
        )
    }
}

/// What F6 shows: where this store stands with HQ (and at HQ, the branches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncView {
    pub status: SyncStatus,
    pub hq: Option<HqStatus>,
    /// Where an export goes unless the manager types another folder (a USB stick).
    pub exports_dir: PathBuf,
}
