//! The client screen (F2): type-ahead lookup, the client's record (360 view), the
//! registration and edit form, reveal, contact notes, life events, and CSV import.
//!
//! What is on screen is layered: the lookup at the bottom, the record over it when one is
//! open, the form over either, and a question or report over everything ([`Top`] says
//! which is in front, for the keys, the form that types, Esc and the drawing alike).

pub use super::client_form::{ClientForm, FORM_FIELDS, client_form};

use super::points::PointsPage;
use super::portfolio::PortfolioPage;
use super::record_page::{PageKind, RecordPage};
use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::list::Selection;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys, on_form};
use crate::app::tabs::Tab;
use crate::domain::care::{EventInput, EventKind};
use crate::domain::client::ClientView;
use crate::domain::contact::CHANNELS;
use crate::domain::mask::Visibility;
use crate::error::Error;
use crate::i18n::I18n;
use crate::service::{
    ClientEvent, ImportReport, Interaction, Reply, Request, SearchHit, SessionInfo,
};

/// Results shown per page of a lookup: a screenful and some to scroll. One more is asked
/// for, to know whether more match.
pub const LOOKUP_LIMIT: u32 = 50;

/// Paging on stops here: past it, more characters narrow the search faster than scrolling.
pub const LOOKUP_MOST: u32 = 150;

/// Rows moved by PageUp/PageDown in the lookup list.
const PAGE_ROWS: usize = 10;

/// A client's record on screen with its contact log.
#[derive(Debug)]
pub struct ClientPanel {
    pub view: ClientView,
    pub log: Vec<Interaction>,
    /// Life events (marriage, a child, retirement…) for care reminders.
    pub events: Vec<ClientEvent>,
    /// The portfolio or points page, shown instead of the profile when asked for.
    pub page: Option<RecordPage>,
    /// A page was asked for and is on its way (a reply nobody waits for any more opens
    /// nothing).
    pub asked: Option<PageKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// Asks the reason for revealing; `then_edit` opens the form after.
    Reveal {
        then_edit: bool,
    },
    Note,
    Import,
    /// A life event for care reminders.
    Event,
}

/// A small form over the screen.
#[derive(Debug)]
pub struct Prompt {
    pub kind: PromptKind,
    pub form: Form,
}

/// What stands over everything else on the screen.
#[derive(Debug)]
pub enum Over {
    Prompt(Prompt),
    /// A registration hit an existing client: offer to open this one instead.
    Duplicate(String),
    /// An import under way: rows written so far.
    Importing {
        rows: u64,
    },
    Imported(ImportReport),
}

/// What is in front.
#[derive(Debug, Clone, Copy)]
pub enum Top<'a> {
    Over(&'a Over),
    Form(&'a ClientForm),
    Record(&'a ClientPanel),
    Lookup,
}

#[derive(Debug)]
pub struct ClientsScreen {
    /// The lookup field (a one-field form, so typing works as everywhere).
    pub lookup: Form,
    /// Bumped on every lookup sent; replies for older queries are dropped.
    pub generation: u64,
    /// The query the last lookup was sent for.
    searched: String,
    /// The last query before the field was emptied for the next client (Up brings it back).
    pub recall: Option<String>,
    pub hits: Vec<SearchHit>,
    /// More clients match than are shown.
    pub more: bool,
    /// How many hits the last lookup asked to show (it grows as the list pages on).
    shown: u32,
    pub selected: Selection,
    pub searching: bool,
    /// The client's record, when one is open.
    pub record: Option<ClientPanel>,
    /// The registration or edit form, over the record or the lookup.
    pub form: Option<ClientForm>,
    pub over: Option<Over>,
    /// Finding a client for a form on another screen: Enter hands the client back there.
    pub picking_for: Option<Tab>,
}

/// The lookup field holding `query`.
fn lookup_form(query: &str) -> Form {
    Form::new(vec![Field::text("field.lookup", 40).with_text(query)])
}

impl Default for ClientsScreen {
    fn default() -> Self {
        ClientsScreen {
            lookup: lookup_form(""),
            generation: 0,
            searched: String::new(),
            recall: None,
            hits: Vec::new(),
            more: false,
            shown: LOOKUP_LIMIT,
            selected: Selection::default(),
            searching: false,
            record: None,
            form: None,
            over: None,
            picking_for: None,
        }
    }
}

impl ClientsScreen {
    pub fn top(&self) -> Top<'_> {
        if let Some(over) = &self.over {
            Top::Over(over)
        } else if let Some(form) = &self.form {
            Top::Form(form)
        } else if let Some(record) = &self.record {
            Top::Record(record)
        } else {
            Top::Lookup
        }
    }

    /// True while the lookup field is the one being typed in.
    pub fn in_lookup(&self) -> bool {
        matches!(self.top(), Top::Lookup)
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        match &self.over {
            Some(Over::Prompt(prompt)) => Some(prompt),
            _ => None,
        }
    }

    pub fn query(&self) -> &str {
        self.lookup.value(0)
    }

    /// A lookup for what is in the field now, its first page.
    pub fn search(&mut self) -> Request {
        self.shown = LOOKUP_LIMIT;
        self.lookup_again()
    }

    /// The same lookup with `shown` hits (and one more, to know whether there are more).
    fn lookup_again(&mut self) -> Request {
        self.generation += 1;
        self.searching = true;
        self.searched = self.query().to_string();
        Request::Search {
            query: self.query().to_string(),
            generation: self.generation,
            limit: self.shown + 1,
        }
    }

    pub fn on_hits(&mut self, generation: u64, mut hits: Vec<SearchHit>) {
        // A reply to an older keystroke: a newer one is on its way.
        if generation != self.generation {
            return;
        }
        let paged_on = self.shown > LOOKUP_LIMIT;
        self.more = hits.len() > self.shown as usize;
        hits.truncate(self.shown as usize);
        self.hits = hits;
        // The next page keeps the place; a new query starts at the top.
        if paged_on {
            self.selected.clamp(self.hits.len());
        } else {
            self.selected = Selection::default();
        }
        self.searching = false;
    }

    /// Whether the list can page on (more match, and the cap is not reached).
    pub fn pages_on(&self) -> bool {
        self.more && self.shown < LOOKUP_MOST
    }

    /// Back to an empty lookup for the next client: the record and anything over it
    /// close (an import under way stays in view), the query is kept for Up.
    pub fn start_over(&mut self) {
        if matches!(self.over, Some(Over::Importing { .. })) {
            return;
        }
        let query = self.query().trim().to_string();
        if !query.is_empty() {
            self.recall = Some(query);
        }
        self.over = None;
        self.form = None;
        self.record = None;
        self.picking_for = None;
        self.lookup = lookup_form("");
        // A reply still on its way is for the client before.
        self.generation += 1;
        self.searched.clear();
        self.hits.clear();
        self.more = false;
        self.searching = false;
        self.selected = Selection::default();
    }

    /// Opens a client's record asked for from another screen, unless the screen holds unsaved
    /// work (then that stays in front and the line says why the record did not open).
    fn open_from_elsewhere(&mut self, client_no: String, cx: &mut Ctx) -> Outcome {
        if let Some(work) = self.unsaved_work() {
            let text = cx
                .i18n
                .fill("clients.unsaved_first", &[("work", cx.i18n.t(work))]);
            cx.say(StatusKind::Warning, text);
            return Outcome::None;
        }
        self.start_over();
        Outcome::Send(Request::OpenClient { key: client_no })
    }

    /// A lookup to find a client for a form on `back_to`, starting with `query`.
    fn pick_for(&mut self, query: String, back_to: Tab, cx: &mut Ctx) -> Outcome {
        if let Some(work) = self.unsaved_work() {
            let text = cx
                .i18n
                .fill("clients.unsaved_first", &[("work", cx.i18n.t(work))]);
            cx.say(StatusKind::Warning, text);
            return Outcome::Open(back_to, Handoff::None);
        }
        self.start_over();
        self.picking_for = Some(back_to);
        self.lookup = lookup_form(&query);
        Outcome::Load(self.search())
    }

    /// Up in an empty lookup: the last query back, looked up again.
    fn recall_search(&mut self) -> Outcome {
        let Some(query) = self.recall.clone() else {
            return Outcome::None;
        };
        self.lookup = lookup_form(&query);
        Outcome::Load(self.search())
    }

    /// Whether Up would bring the last query back.
    fn can_recall(&self) -> bool {
        self.recall.is_some() && self.query().is_empty()
    }

    pub fn new_client(&mut self) {
        let mut input = crate::domain::client::ClientInput::default();
        // Start the name from what was being looked up, when it looks like a name.
        if crate::domain::names::has_cjk(self.query()) {
            input.name = self.query().trim().to_string();
        }
        self.form = Some(ClientForm {
            editing: None,
            form: client_form(&input),
        });
    }

    /// Edit the open client: straight away when seen in full, else after a reveal.
    pub fn edit_client(&mut self) {
        let Some(record) = &self.record else { return };
        if record.view.visibility == Visibility::Full {
            self.form = Some(ClientForm {
                editing: Some(record.view.client_no.clone()),
                form: client_form(&record.view.to_input()),
            });
        } else {
            self.ask(PromptKind::Reveal { then_edit: true });
        }
    }

    pub fn ask(&mut self, kind: PromptKind) {
        let form = match kind {
            PromptKind::Reveal { .. } => Form::new(vec![Field::text("field.reveal_reason", 60)]),
            PromptKind::Note => Form::new(vec![
                Field::choice_with_codes(
                    "field.channel",
                    CHANNELS.iter().map(|c| c.to_string()).collect(),
                    0,
                ),
                Field::text("field.note", 200),
            ]),
            PromptKind::Import => Form::new(vec![Field::text("field.file", 200)]),
            PromptKind::Event => Form::new(vec![
                Field::choice_with_codes(
                    "care.field.kind",
                    EventKind::ALL
                        .iter()
                        .map(|k| k.code().to_string())
                        .collect(),
                    0,
                ),
                Field::text("care.field.date", 10),
                Field::choice_with_codes("care.field.yearly", vec!["yes".into(), "no".into()], 0),
                Field::text("care.field.label", 40),
            ]),
        };
        self.over = Some(Over::Prompt(Prompt { kind, form }));
    }

    /// Enter in a prompt: the request it makes.
    fn submit_prompt(&mut self) -> Option<Request> {
        let Some(Over::Prompt(prompt)) = self.over.as_mut() else {
            return None;
        };
        if !prompt.form.on_last_field() {
            prompt.form.next();
            return None;
        }
        let key = self
            .record
            .as_ref()
            .map(|p| p.view.client_no.clone())
            .unwrap_or_default();
        let value = |i: usize| prompt.form.value(i).trim().to_string();
        Some(match prompt.kind {
            PromptKind::Reveal { .. } => Request::RevealClient {
                key,
                reason: value(0),
            },
            PromptKind::Note => Request::AddNote {
                key,
                channel: prompt.form.value(0).to_string(),
                note: value(1),
            },
            PromptKind::Event => Request::AddEvent {
                key,
                input: Box::new(EventInput {
                    kind: prompt.form.value(0).to_string(),
                    date: value(1),
                    yearly: prompt.form.value(2).to_string(),
                    label: value(3),
                }),
            },
            PromptKind::Import => {
                let path = value(0);
                self.over = Some(Over::Importing { rows: 0 });
                Request::ImportClients { path: path.into() }
            }
        })
    }

    /// Ctrl-S (or Enter on the last field) in the client form.
    fn submit_form(&mut self, save: bool) -> Option<Request> {
        let client = self.form.as_mut()?;
        if !save && !client.form.on_last_field() {
            client.form.next();
            return None;
        }
        client.form.clear_errors();
        Some(Request::SaveClient {
            key: client.editing.clone(),
            input: Box::new(client.input()),
        })
    }

    /// The store's verdict on the form: each broken rule on its field.
    pub fn show_field_errors(&mut self, errors: &[crate::domain::client::FieldError], i18n: &I18n) {
        let Some(client) = self.form.as_mut() else {
            return;
        };
        for error in errors.iter().rev() {
            if let Some(index) = FORM_FIELDS.iter().position(|f| *f == error.field) {
                let args = error.rule.args();
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                client
                    .form
                    .refuse(index, i18n.fill(&error.rule.message_key(), &args));
            }
        }
    }

    pub fn show_client(
        &mut self,
        view: ClientView,
        log: Vec<Interaction>,
        events: Vec<ClientEvent>,
    ) {
        let then_edit = matches!(
            self.prompt().map(|p| p.kind),
            Some(PromptKind::Reveal { then_edit: true })
        );
        if matches!(self.over, Some(Over::Prompt(_) | Over::Duplicate(_))) {
            self.over = None;
        }
        self.record = Some(ClientPanel {
            view,
            log,
            events,
            page: None,
            asked: None,
        });
        if then_edit {
            self.edit_client();
        }
    }

    /// Back from a page to the profile, read again if the page changed what it shows.
    fn close_page(&mut self) -> Outcome {
        let Some(panel) = &mut self.record else {
            return Outcome::None;
        };
        match panel.page.take() {
            Some(page) if page.changed() => Outcome::Load(Request::OpenClient {
                key: panel.view.client_no.clone(),
            }),
            _ => Outcome::None,
        }
    }

    /// Keys on the open record.
    fn on_record_command(&mut self, command: Command, i18n: &I18n) -> Outcome {
        let Some(record) = &mut self.record else {
            return Outcome::None;
        };
        let client_no = record.view.client_no.clone();
        if let Some(page) = &mut record.page {
            // The key that opened the page: back to the profile.
            if command == page.kind().opener() {
                return self.close_page();
            }
            page.on_command(command, i18n);
            return Outcome::None;
        }
        match command {
            Command::Portfolio | Command::Points => {
                let kind = if command == Command::Points {
                    PageKind::Points
                } else {
                    PageKind::Portfolio
                };
                record.asked = Some(kind);
                return Outcome::Send(kind.request(&client_no));
            }
            Command::Reveal => self.ask(PromptKind::Reveal { then_edit: false }),
            Command::EditClient => self.edit_client(),
            Command::AddNote => self.ask(PromptKind::Note),
            Command::AddEvent => self.ask(PromptKind::Event),
            Command::NewSurvey => {
                return Outcome::Open(Tab::Survey, Handoff::Survey { client_no });
            }
            Command::NewComplaint => {
                let handoff = Handoff::Complaint {
                    client_no: Some(client_no),
                    description: None,
                };
                return Outcome::Open(Tab::Complaints, handoff);
            }
            _ => {}
        }
        Outcome::None
    }

    /// Points were written for the open record: the points page is read again (it closes
    /// its question), or — closed meanwhile — the record. `_entry` is the entry written.
    fn points_changed(&mut self, _entry: &str) -> Outcome {
        let Some(panel) = &mut self.record else {
            return Outcome::None;
        };
        let key = panel.view.client_no.clone();
        match &mut panel.page {
            Some(RecordPage::Points(page)) => {
                page.ask = None;
                page.changed = true;
                Outcome::Load(Request::Points { key })
            }
            _ => Outcome::Load(Request::OpenClient { key }),
        }
    }

    /// Keys on the lookup list.
    fn on_lookup_command(&mut self, command: Command) -> Outcome {
        if self.selected.step(command, self.hits.len(), PAGE_ROWS) {
            // At the end of what is shown, the next page is asked for.
            let at_end = self.selected.index + 1 >= self.hits.len();
            let onward = matches!(command, Command::Down | Command::PageDown);
            if at_end && onward && self.pages_on() && !self.searching {
                self.shown = (self.shown + LOOKUP_LIMIT).min(LOOKUP_MOST);
                return Outcome::Load(self.lookup_again());
            }
            return Outcome::None;
        }
        match command {
            Command::RecallSearch => return self.recall_search(),
            Command::NewClient => self.new_client(),
            Command::ImportClients => self.ask(PromptKind::Import),
            Command::OpenClient => {
                let Some(hit) = self.hits.get(self.selected.index) else {
                    return Outcome::None;
                };
                let client_no = hit.client_no.clone();
                if let Some(back_to) = self.picking_for.take() {
                    return Outcome::Open(back_to, Handoff::Picked { client_no });
                }
                return Outcome::Send(Request::OpenClient { key: client_no });
            }
            _ => {}
        }
        Outcome::None
    }
}

impl Screen for ClientsScreen {
    fn keys(&self) -> ScreenKeys {
        match self.top() {
            Top::Over(Over::Duplicate(_) | Over::Imported(_)) => ScreenKeys::Confirm,
            Top::Over(Over::Prompt(_)) | Top::Form(_) => ScreenKeys::Live(vec![Context::Form]),
            Top::Over(Over::Importing { .. }) => ScreenKeys::Live(Vec::new()),
            Top::Record(ClientPanel {
                page: Some(page), ..
            }) => page.keys(),
            Top::Record(_) => ScreenKeys::Live(vec![Context::Client]),
            Top::Lookup if self.can_recall() => {
                ScreenKeys::Live(vec![Context::Recall, Context::Lookup])
            }
            Top::Lookup => ScreenKeys::Live(vec![Context::Lookup]),
        }
    }

    fn form(&self) -> Option<&Form> {
        match self.top() {
            Top::Over(Over::Prompt(prompt)) => Some(&prompt.form),
            Top::Record(panel) => panel.page.as_ref()?.form(),
            Top::Over(_) => None,
            Top::Form(form) => Some(&form.form),
            Top::Lookup => Some(&self.lookup),
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match (&mut self.over, &mut self.form, &mut self.record) {
            (Some(Over::Prompt(prompt)), _, _) => Some(&mut prompt.form),
            (Some(_), _, _) => None,
            (None, Some(form), _) => Some(&mut form.form),
            (None, None, Some(panel)) => panel.page.as_mut()?.form_mut(),
            (None, None, None) => Some(&mut self.lookup),
        }
    }

    fn saves(&self) -> bool {
        self.form.is_some()
    }

    /// A reveal is offered while a masked record is open; while a client is being found for
    /// another screen, only finding and choosing.
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        match command {
            Command::Reveal => self
                .record
                .as_ref()
                .is_some_and(|p| p.view.visibility == Visibility::Masked),
            Command::NewClient | Command::ImportClients => self.picking_for.is_none(),
            Command::RedeemPoints | Command::ReversePoints => self
                .record
                .as_ref()
                .and_then(|p| p.page.as_ref())
                .is_some_and(|page| page.allows(command)),
            _ => true,
        }
    }

    fn on_open(&mut self, handoff: Handoff, cx: &mut Ctx) -> Outcome {
        match handoff {
            Handoff::Client { client_no } => self.open_from_elsewhere(client_no, cx),
            Handoff::PickClient { query, back_to } => self.pick_for(query, back_to, cx),
            _ => Outcome::None,
        }
    }

    /// Finding a client for another screen ends when this one is left.
    fn on_leave(&mut self) {
        self.picking_for = None;
    }

    /// F2 on the client screen: an empty, focused lookup for the next client.
    fn on_key_again(&mut self, _cx: &mut Ctx) -> Outcome {
        self.start_over();
        Outcome::None
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        match self.top() {
            Top::Lookup => self.on_lookup_command(command),
            Top::Record(_) => self.on_record_command(command, cx.i18n),
            _ => Outcome::None,
        }
    }

    fn submit(&mut self, save: bool, cx: &mut Ctx) -> Outcome {
        let request = match self.over.take() {
            // The registration gives way to the client already registered.
            Some(Over::Duplicate(client_no)) => {
                self.form = None;
                Some(Request::OpenClient { key: client_no })
            }
            Some(Over::Imported(_)) => None,
            Some(over @ Over::Prompt(_)) => {
                self.over = Some(over);
                self.submit_prompt()
            }
            Some(over @ Over::Importing { .. }) => {
                self.over = Some(over);
                None
            }
            None if self.form.is_none() => self.record.as_mut().and_then(|panel| {
                let client_no = panel.view.client_no.clone();
                panel.page.as_mut()?.submit(&client_no, cx.i18n)
            }),
            None => self.submit_form(save),
        };
        Outcome::sending(request)
    }

    /// Every change to the lookup field asks again (type-ahead).
    fn after_input(&mut self, _cx: &mut Ctx) -> Outcome {
        if self.in_lookup() && self.query() != self.searched {
            return Outcome::Load(self.search());
        }
        Outcome::None
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        match self.top() {
            Top::Over(Over::Importing { .. }) => Back::Leave,
            Top::Over(_) => {
                self.over = None;
                Back::Done(Outcome::None)
            }
            Top::Form(form) if form.form.dirty => Back::AskDiscard,
            Top::Form(_) => {
                self.form = None;
                Back::Done(Outcome::None)
            }
            Top::Record(_) => {
                // The question over a page, then the page, then the record close.
                if let Some(panel) = &mut self.record
                    && let Some(page) = &mut panel.page
                {
                    if page.back() {
                        return Back::Done(Outcome::None);
                    }
                    return Back::Done(self.close_page());
                }
                self.record = None;
                Back::Done(Outcome::None)
            }
            // Finding a client for another screen: back there, nothing chosen.
            Top::Lookup => match self.picking_for.take() {
                Some(back_to) => Back::Done(Outcome::Open(back_to, Handoff::None)),
                None => Back::Leave,
            },
        }
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::Hits { generation, hits } => self.on_hits(generation, hits),
            Reply::Client { view, log, events } => {
                cx.clear_status();
                self.show_client(*view, log, events);
            }
            Reply::ClientSaved { client_no } => {
                let text = cx
                    .i18n
                    .fill("status.client_saved", &[("client_no", &client_no)]);
                cx.say(StatusKind::Success, text);
                self.form = None;
                return Ok(Outcome::Load(Request::OpenClient { key: client_no }));
            }
            Reply::Portfolio { portfolio, offers } => {
                if let Some(panel) = &mut self.record
                    && panel.view.client_no == portfolio.client_no
                {
                    panel.page = match (panel.page.take(), panel.asked.take()) {
                        // Read again after an outcome: what the line says of it stays.
                        (Some(RecordPage::Portfolio(page)), _) => {
                            Some(RecordPage::Portfolio(page.refreshed(*portfolio, offers)))
                        }
                        (None, Some(PageKind::Portfolio)) => {
                            cx.clear_status();
                            Some(RecordPage::Portfolio(PortfolioPage::new(
                                *portfolio, offers,
                            )))
                        }
                        // Closed meanwhile, or another page: that stays.
                        (other, _) => other,
                    };
                }
            }
            Reply::Points { view, catalogue } => {
                if let Some(panel) = &mut self.record
                    && panel.view.client_no == view.client_no
                {
                    panel.page = match (panel.page.take(), panel.asked.take()) {
                        (Some(RecordPage::Points(page)), _) => {
                            Some(RecordPage::Points(page.refreshed(*view, catalogue)))
                        }
                        (None, Some(PageKind::Points)) => {
                            cx.clear_status();
                            Some(RecordPage::Points(PointsPage::new(*view, catalogue)))
                        }
                        (other, _) => other,
                    };
                }
            }
            Reply::PointsRedeemed { redemption, slip } => {
                cx.say(
                    StatusKind::Success,
                    redeemed_text(&redemption, slip, cx.i18n),
                );
                return Ok(self.points_changed(redemption.entry.id.as_str()));
            }
            Reply::PointsReversed(entry) => {
                let text = cx.i18n.fill(
                    "points.reversed",
                    &[("points", &format!("{:+}", entry.points))],
                );
                cx.say(StatusKind::Success, text);
                return Ok(self.points_changed(&entry.id));
            }
            Reply::OfferRecorded(recorded) => {
                let outcome = cx
                    .i18n
                    .t_owned(format!("offers.outcome.{}", recorded.outcome.code()))
                    .to_string();
                let text = cx.i18n.fill(
                    "offers.recorded",
                    &[
                        ("client", &recorded.client_no),
                        ("product", &recorded.product),
                        ("outcome", &outcome),
                    ],
                );
                cx.say(StatusKind::Success, text);
                let key = recorded.client_no;
                // The page read again with the outcome; or, if it was closed meanwhile, the
                // record (its contact log has the outcome).
                return Ok(match self.record.as_mut().and_then(|p| p.page.as_mut()) {
                    Some(RecordPage::Portfolio(page)) => {
                        page.prompt = None;
                        page.recorded = true;
                        Outcome::Load(Request::Portfolio { key })
                    }
                    _ => Outcome::Load(Request::OpenClient { key }),
                });
            }
            Reply::ImportProgress { rows } => self.over = Some(Over::Importing { rows }),
            Reply::Imported(report) => {
                cx.clear_status();
                self.over = Some(Over::Imported(*report));
            }
            other => return Err(other),
        }
        Ok(Outcome::None)
    }

    fn refused(&mut self, error: &Error, message: String, cx: &mut Ctx) -> Option<String> {
        match (&mut self.over, error) {
            (Some(Over::Importing { .. }), _) => {
                self.over = None;
                Some(message)
            }
            (Some(Over::Prompt(prompt)), _) => on_form(Some(&mut prompt.form), message),
            (None, _) if self.form.is_none() => {
                let prompt = self
                    .record
                    .as_mut()
                    .and_then(|p| p.page.as_mut())
                    .and_then(|page| page.form_mut());
                on_form(prompt, message)
            }
            (None, Error::ClientInvalid { errors }) if self.form.is_some() => {
                self.show_field_errors(errors, cx.i18n);
                None
            }
            (None, Error::DuplicateClient { client_no }) if self.form.is_some() => {
                self.over = Some(Over::Duplicate(client_no.clone()));
                None
            }
            (None, _) => on_form(self.form.as_mut().map(|f| &mut f.form), message),
            (Some(_), _) => Some(message),
        }
    }

    fn unsaved(&self) -> bool {
        self.form.as_ref().is_some_and(|f| f.form.dirty)
    }

    fn discard(&mut self) {
        self.form = None;
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        match (&self.over, &self.form) {
            (Some(Over::Prompt(prompt)), _) if prompt.form.dirty => Some("unsaved.client_prompt"),
            (_, Some(form)) if form.form.dirty => Some("unsaved.client"),
            (None, None)
                if self
                    .record
                    .as_ref()
                    .and_then(|p| p.page.as_ref())
                    .and_then(|page| page.form())
                    .is_some_and(|f| f.dirty) =>
            {
                Some("unsaved.client_prompt")
            }
            _ => None,
        }
    }
}

/// A redemption done, in a sentence: the item, the points, the balance after, and where
/// the slip went (or why it could not be written: the redemption stands).
fn redeemed_text(
    redemption: &crate::service::Redemption,
    slip: std::result::Result<(std::path::PathBuf, Option<String>), Error>,
    i18n: &I18n,
) -> String {
    let item = i18n.pick(&redemption.item.name_zh, &redemption.item.name_en);
    let mut text = i18n.fill(
        "points.redeemed",
        &[
            ("item", item),
            ("points", &redemption.item.points.to_string()),
            ("balance", &redemption.balance_after.to_string()),
        ],
    );
    // Sentences in Chinese follow each other without a space.
    if i18n.lang == crate::i18n::Lang::En {
        text.push(' ');
    }
    match slip {
        Ok((path, printed)) => text.push_str(&super::complaints::slip_written(
            &path,
            printed.as_deref(),
            i18n,
        )),
        Err(problem) => {
            text.push_str(&i18n.fill("points.slip_failed", &[("why", &problem.message(i18n))]))
        }
    }
    text
}
