//! The tab table: every screen of the main frame in tab order, with the key command that
//! opens it, the permissions that open it (any one will do) and the keymap contexts that
//! are its own. One line per
//! screen; the `Tab` list, the labels' catalog keys, the set of screens a logged-in staff
//! member has and the sections of F1 all come from it.

use super::command::{Command, Context};
use super::screen::Screen;
use super::screens::{
    AuditScreen, BookScreen, CareScreen, ClientsScreen, ComplaintsScreen, EventsScreen,
    OverviewScreen, RiskScreen, StaffScreen, SurveyScreen, SyncScreen,
};
use crate::domain::staff::Permission;

macro_rules! tabs {
    ($($tab:ident $field:ident: $screen:ty = $name:literal, $open:expr,
       [$($needs:ident),*], [$($context:ident),*];)*) => {
        /// Screens of the main frame.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tab {
            $($tab),*
        }

        impl Tab {
            /// In tab order.
            pub const ALL: &'static [Tab] = &[$(Tab::$tab),*];

            pub fn label_key(self) -> &'static str {
                match self {
                    $(Tab::$tab => concat!("tab.", $name)),*
                }
            }

            /// What the overview says the screen is for.
            pub fn about_key(self) -> &'static str {
                match self {
                    $(Tab::$tab => concat!("tab_about.", $name)),*
                }
            }

            /// The command that opens this tab (the overview is reached with Esc).
            pub fn command(self) -> Option<Command> {
                match self {
                    $(Tab::$tab => $open),*
                }
            }

            /// Who may open the tab: anyone with one of these (everyone, when empty).
            pub fn permissions(self) -> &'static [Permission] {
                match self {
                    $(Tab::$tab => &[$(Permission::$needs),*]),*
                }
            }

            /// The keymap contexts that are this screen's own (F1 shows them under it).
            pub fn contexts(self) -> &'static [Context] {
                match self {
                    $(Tab::$tab => &[$(Context::$context),*]),*
                }
            }
        }

        /// One of each screen, kept for as long as the staff member is logged in.
        #[derive(Debug, Default)]
        pub struct Screens {
            $(pub $field: $screen),*
        }

        impl Screens {
            pub fn get(&self, tab: Tab) -> &dyn Screen {
                match tab {
                    $(Tab::$tab => &self.$field),*
                }
            }

            pub fn get_mut(&mut self, tab: Tab) -> &mut dyn Screen {
                match tab {
                    $(Tab::$tab => &mut self.$field),*
                }
            }
        }
    };
}

tabs! {
    Overview overview: OverviewScreen = "overview", None, [], [];
    Clients clients: ClientsScreen = "clients",
        Some(Command::ClientsScreen), [ViewClients], [Lookup, Recall, Client, Portfolio, Points];
    Complaints complaints: ComplaintsScreen = "complaints",
        Some(Command::ComplaintsScreen), [ViewComplaints], [Complaints, Complaint];
    Care care: CareScreen = "care", Some(Command::CareScreen), [ViewCare], [Care];
    Survey surveys: SurveyScreen = "survey",
        Some(Command::SurveyScreen), [EnterSurvey, ViewSurveyStats], [Survey, SurveyStats, SurveyResponses];
    Sync sync: SyncScreen = "sync", Some(Command::SyncScreen), [ViewSync], [Sync];
    Staff staff: StaffScreen = "staff", Some(Command::StaffScreen), [ViewStaff], [Staff];
    Audit audit: AuditScreen = "audit", Some(Command::AuditScreen), [ViewAudit], [Audit];
    Book book: BookScreen = "book", Some(Command::BookScreen), [ViewPortfolio], [Book];
    Risk risk: RiskScreen = "risk", Some(Command::RiskScreen), [ViewRisk], [Risk];
    Events events: EventsScreen = "events", Some(Command::EventsScreen), [ViewEvents], [Events, Event];
}

impl Tab {
    /// Whether a staff member with `can` may open this tab.
    pub fn open_to(self, can: impl Fn(Permission) -> bool) -> bool {
        let needs = self.permissions();
        needs.is_empty() || needs.iter().any(|p| can(*p))
    }

    /// The tab a command opens, if it opens one.
    pub fn opened_by(command: Command) -> Option<Tab> {
        Tab::ALL
            .iter()
            .copied()
            .find(|tab| tab.command() == Some(command))
    }
}
