//! The encrypted store: the only module that knows about SQL and the files in a store
//! directory (`branchdesk.db`, `keyslots.json`, `logins.json`, `logs/`, `exports/`).

mod anchor;
mod assessments;
mod audit;
mod backup;
mod bench;
mod book;
mod cache;
mod care;
mod clients;
mod complaints;
mod db;
mod doctor;
mod events;
mod fsutil;
mod holdings;
mod hq;
pub mod import;
pub mod keyslots;
mod lockfile;
mod logins;
mod lookup;
mod loyalty;
pub mod migrations;
mod offers;
mod paths;
mod reached;
mod reference;
pub(crate) mod risk;
mod session;
mod staff;
mod standing;
mod surveys;
mod swap;
mod sync;
mod write;

pub use crate::domain::care::{Agenda, CareItem, CareScope};
pub use crate::sync::SyncWarning;
pub use assessments::{AssessmentRecord, Filled};
pub use audit::{AuditRow, LoginHistory};
pub use backup::{BackupSummary, RestoreSummary, restore, restore_with};
pub use bench::{PlainCopy, Sample};
pub use book::{BOOK_DAYS_AHEAD, Book, BookEntry, Segment, SegmentCount, TierName};
pub use cache::{CONFIGURED_MIB as PAGE_CACHE_MIB, CachePlan, CacheReason};
pub use care::{ClientEvent, festivals};
pub use clients::{
    BookApplied, Interaction, LoadSummary, NewClient, ReviewEntry, SUSPICIOUS_NOTE, client_no_for,
};
pub use complaints::{
    Board, ComplaintDetail, ComplaintRow, HistoryEntry, Registered, Slip, shipped_calendar,
};
pub use db::open_db;
pub use doctor::{Check, DoctorReport, LeftFile};
pub use events::{Attended, EventDetail, EventFigures, EventRow, Invitation, Invited};
pub use fsutil::{create_private, create_private_dir, write_atomic as write_public_file};
pub use holdings::{
    AssessmentNow, ClientValue, HoldingsApplied, Portfolio, PortfolioHolding, Rfm, TierNow,
};
pub(crate) use hq::scratch_schema;
pub use hq::{
    BranchHealth, BranchPoints, BranchRisk, BranchState, ClientBalance, ComplaintCell,
    ComplaintReport, FindBy, FoundClient, Gap, HoldingsImport, HqEvent, HqRow, HqStatus,
    ImportOutcome, PublishedHoldings, RefusedHolding, ReviewItem, RuleConversion, SatisfactionCell,
    SatisfactionReport, SyncHealth, check_hq_database,
};
pub use keyslots::{DbKey, KdfParams, KeySlots};
pub use lookup::{MAX_HITS, SearchHit};
pub use loyalty::{
    BenchLedger, CatalogueItem, EntryKind, ExpiryReport, LAPSING_DAYS, PointsEntry, PointsSlip,
    PointsView, Redemption,
};
pub use offers::{OfferOutcome, RecordedOffer};
pub use paths::StorePaths;
pub use reference::{PublishReport, ReferenceReport, ReferenceState};
pub use risk::{
    Approval, CreditShown, DeskCounts, DeskList, DeskPage, DeskRow, OpenTrigger, RateRequest,
    RatingRecord, RerateReport, ReviewRequest, RiskView,
};
pub use session::probe;
pub use session::{BranchInfo, NewStore, Session, StoreOptions, StoreProbe, SyncLimits};
pub use staff::StaffRow;
pub use surveys::{
    RESPONSES_MOST, Recorded, RejectedLine, ResponseRow, SkippedTemplate, SurveyImport,
    SurveyInput, SurveyStats, TemplateSet,
};
pub(crate) use sync::signature_path;
pub use sync::{ExportReport, LastExport, SyncStatus};
