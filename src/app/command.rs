//! The named things a key can do, the permission each needs, and the contexts that decide
//! which names are live.

use crate::domain::staff::Permission;
use serde::Serialize;

macro_rules! commands {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Something a key can ask for. The keymap names these; the help screen lists them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Command { $($variant),* }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Command> {
                match name { $($name => Some(Command::$variant),)* _ => None }
            }
        }
    };
}

commands! {
    Help => "help",
    StaffScreen => "staff_screen",
    AuditScreen => "audit_screen",
    Logout => "logout",
    Quit => "quit",
    Lock => "lock",
    Back => "back",
    Submit => "submit",
    Save => "save",
    NextField => "next_field",
    PrevField => "prev_field",
    ChoicePrev => "choice_prev",
    ChoiceNext => "choice_next",
    CursorLeft => "cursor_left",
    CursorRight => "cursor_right",
    CursorHome => "cursor_home",
    CursorEnd => "cursor_end",
    DeleteBack => "delete_back",
    DeleteForward => "delete_forward",
    DeleteWord => "delete_word",
    ClearField => "clear_field",
    Up => "up",
    Down => "down",
    PageUp => "page_up",
    PageDown => "page_down",
    First => "first",
    Last => "last",
    NewStaff => "new_staff",
    ResetPassphrase => "reset_passphrase",
    DisableStaff => "disable_staff",
    UnlockAccount => "unlock_account",
    Refresh => "refresh",
    VerifyAudit => "verify_audit",
    Confirm => "confirm",
    ClientsScreen => "clients_screen",
    OpenClient => "open_client",
    NewClient => "new_client",
    ImportClients => "import_clients",
    RecallSearch => "recall_search",
    ClientRecord => "client_record",
    Reveal => "reveal",
    EditClient => "edit_client",
    AddNote => "add_note",
    ComplaintsScreen => "complaints_screen",
    NewComplaint => "new_complaint",
    OpenComplaint => "open_complaint",
    AdvanceComplaint => "advance_complaint",
    PrintSlip => "print_slip",
    NewLine => "new_line",
    LineUp => "line_up",
    LineDown => "line_down",
    CareScreen => "care_screen",
    ActOnReminder => "act_on_reminder",
    ToggleScope => "toggle_scope",
    AddEvent => "add_event",
    SurveyScreen => "survey_screen",
    ToggleSurveyView => "toggle_survey_view",
    NewSurvey => "new_survey",
    NextTemplate => "next_template",
    PrevTemplate => "prev_template",
    CycleGroup => "cycle_group",
    ShowResponses => "show_responses",
    ReadResponse => "read_response",
    SyncScreen => "sync_screen",
    ExportBundle => "export_bundle",
    ImportReference => "import_reference",
    Portfolio => "portfolio",
    RecordOffer => "record_offer",
    Points => "points",
    RedeemPoints => "redeem_points",
    ReversePoints => "reverse_points",
    EventsScreen => "events_screen",
    OpenEvent => "open_event",
    RecordReply => "record_reply",
    RecordAttendance => "record_attendance",
    BookScreen => "book_screen",
    PrevSegment => "prev_segment",
    NextSegment => "next_segment",
    NextBook => "next_book",
    RiskScreen => "risk_screen",
    PrevList => "prev_list",
    NextList => "next_list",
    RateClient => "rate_client",
    LiftRestriction => "lift_restriction",
    PrevView => "prev_view",
    NextView => "next_view",
    EarlierPeriod => "earlier_period",
    LaterPeriod => "later_period",
}

impl Command {
    /// The i18n key of the command's label.
    pub fn label_key(self) -> String {
        format!("action.{}", self.name())
    }

    /// The permission a command needs, beyond the screen it is on (the tab table says what
    /// opening a screen needs).
    pub fn needs(self) -> Option<Permission> {
        use Command::*;
        Some(match self {
            NewClient | EditClient | AddNote | AddEvent | RecordOffer => Permission::EditClients,
            Portfolio => Permission::ViewPortfolio,
            Points => Permission::ViewPoints,
            RedeemPoints => Permission::UsePoints,
            ReversePoints => Permission::CorrectPoints,
            OpenEvent => Permission::ViewEvents,
            RecordReply | RecordAttendance => Permission::AnswerEvents,
            RateClient => Permission::RateRisk,
            LiftRestriction => Permission::OverrideRisk,
            ClientRecord => Permission::ViewClients,
            ImportClients => Permission::ImportClients,
            Reveal => Permission::RevealClient,
            NewComplaint | AdvanceComplaint | PrintSlip => Permission::RegisterComplaint,
            ActOnReminder => Permission::ActOnCare,
            ToggleScope => Permission::ViewCare,
            NewSurvey => Permission::EnterSurvey,
            ToggleSurveyView | ShowResponses | ReadResponse => Permission::ViewSurveyStats,
            ExportBundle => Permission::ExportSync,
            ImportReference => Permission::ApplyReference,
            NewStaff | ResetPassphrase | DisableStaff | UnlockAccount => Permission::ManageStaff,
            _ => return None,
        })
    }
}

/// Where keys are looked up, most specific first. The app says which contexts are live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Context {
    Global,
    Form,
    Choice,
    Field,
    List,
    Staff,
    Audit,
    Confirm,
    Lock,
    Help,
    Lookup,
    Recall,
    Client,
    Complaints,
    Complaint,
    Lines,
    Care,
    Survey,
    SurveyStats,
    SurveyResponses,
    Sync,
    Portfolio,
    Book,
    Risk,
    Points,
    Events,
    Event,
}

impl Context {
    pub const ALL: [Context; 27] = [
        Context::Global,
        Context::Form,
        Context::Choice,
        Context::Field,
        Context::List,
        Context::Staff,
        Context::Audit,
        Context::Confirm,
        Context::Lock,
        Context::Help,
        Context::Lookup,
        Context::Recall,
        Context::Client,
        Context::Complaints,
        Context::Complaint,
        Context::Lines,
        Context::Care,
        Context::Survey,
        Context::SurveyStats,
        Context::SurveyResponses,
        Context::Sync,
        Context::Portfolio,
        Context::Book,
        Context::Risk,
        Context::Points,
        Context::Events,
        Context::Event,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Form => "form",
            Context::Choice => "choice",
            Context::Field => "field",
            Context::List => "list",
            Context::Staff => "staff",
            Context::Audit => "audit",
            Context::Confirm => "confirm",
            Context::Lock => "lock",
            Context::Help => "help",
            Context::Lookup => "lookup",
            Context::Recall => "recall",
            Context::Client => "client",
            Context::Complaints => "complaints",
            Context::Complaint => "complaint",
            Context::Lines => "lines",
            Context::Care => "care",
            Context::Survey => "survey",
            Context::SurveyStats => "survey_stats",
            Context::SurveyResponses => "survey_responses",
            Context::Sync => "sync",
            Context::Portfolio => "portfolio",
            Context::Book => "book",
            Context::Risk => "risk",
            Context::Points => "points",
            Context::Events => "events",
            Context::Event => "event",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}
