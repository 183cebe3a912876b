//! The screens of the main frame, one module each (the tab table in `app::tabs` lists them).

pub mod audit;
pub mod book;
pub mod care;
pub mod client_form;
pub mod clients;
pub mod complaints;
pub mod events;
pub mod hq_reports;
pub mod overview;
pub mod points;
pub mod portfolio;
pub mod record_page;
pub mod risk;
pub mod staff;
pub mod survey_responses;
pub mod surveys;
pub mod sync;

pub use audit::AuditScreen;
pub use book::BookScreen;
pub use care::CareScreen;
pub use clients::ClientsScreen;
pub use complaints::ComplaintsScreen;
pub use events::EventsScreen;
pub use overview::OverviewScreen;
pub use risk::RiskScreen;
pub use staff::StaffScreen;
pub use surveys::SurveyScreen;
pub use sync::SyncScreen;
