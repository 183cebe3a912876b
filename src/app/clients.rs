//! The client screen (F2): type-ahead lookup, the client's record (360 view), the
//! registration and edit form, reveal, contact notes, and CSV import.

use super::form::{Field, Form};
use super::{Command, Pending};
use crate::domain::care::{EventInput, EventKind};
use crate::domain::client::{ClientField, ClientInput, ClientView, Tier};
use crate::domain::contact::CHANNELS;
use crate::domain::ids::IdType;
use crate::domain::mask::Visibility;
use crate::i18n::I18n;
use crate::service::{ClientEvent, Interaction, Request, SearchHit};
use crate::store::import::ImportReport;

/// Results asked for per lookup: a screenful and some to scroll.
pub const LOOKUP_LIMIT: u32 = 50;

/// The client form's fields, in order (two columns on screen).
pub const FORM_FIELDS: [ClientField; 17] = [
    ClientField::Kind,
    ClientField::Name,
    ClientField::IdType,
    ClientField::IdNumber,
    ClientField::IdExpiry,
    ClientField::Gender,
    ClientField::BirthDate,
    ClientField::BirthCalendar,
    ClientField::Phone,
    ClientField::Email,
    ClientField::Address,
    ClientField::Occupation,
    ClientField::AssignedRm,
    ClientField::Tier,
    ClientField::RiskLevel,
    ClientField::Tags,
    ClientField::ConsentMarketing,
];

/// A client's record on screen with its contact log.
#[derive(Debug)]
pub struct ClientPanel {
    pub view: ClientView,
    pub log: Vec<Interaction>,
    /// Life events (marriage, a child, retirement…) for care reminders.
    pub events: Vec<ClientEvent>,
}

#[derive(Debug)]
pub struct ClientForm {
    /// The client being edited (its number); None registers a new one.
    pub editing: Option<String>,
    pub form: Form,
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

#[derive(Debug)]
pub struct ClientsScreen {
    /// The lookup field (a one-field form, so typing works as everywhere).
    pub lookup: Form,
    /// Bumped on every keystroke; replies for older queries are dropped.
    pub generation: u64,
    pub hits: Vec<SearchHit>,
    pub selected: usize,
    pub searching: bool,
    pub panel: Option<ClientPanel>,
    pub form: Option<ClientForm>,
    pub prompt: Option<Prompt>,
    /// A registration hit an existing client: offer to open this one instead.
    pub duplicate: Option<String>,
    pub import: Option<ImportState>,
}

#[derive(Debug)]
pub enum ImportState {
    Running { rows: u64 },
    Done(ImportReport),
}

impl Default for ClientsScreen {
    fn default() -> Self {
        ClientsScreen {
            lookup: Form::new(vec![Field::text("field.lookup", 40)]),
            generation: 0,
            hits: Vec::new(),
            selected: 0,
            searching: false,
            panel: None,
            form: None,
            prompt: None,
            duplicate: None,
            import: None,
        }
    }
}

impl ClientsScreen {
    /// The form that has the keyboard on this screen.
    pub fn active_form(&self) -> Option<&Form> {
        if let Some(prompt) = &self.prompt {
            return Some(&prompt.form);
        }
        if self.duplicate.is_some() || self.import.is_some() {
            return None;
        }
        if let Some(form) = &self.form {
            return Some(&form.form);
        }
        if self.panel.is_none() {
            return Some(&self.lookup);
        }
        None
    }

    pub fn active_form_mut(&mut self) -> Option<&mut Form> {
        if let Some(prompt) = &mut self.prompt {
            return Some(&mut prompt.form);
        }
        if self.duplicate.is_some() || self.import.is_some() {
            return None;
        }
        if let Some(form) = &mut self.form {
            return Some(&mut form.form);
        }
        if self.panel.is_none() {
            return Some(&mut self.lookup);
        }
        None
    }

    /// True while the lookup field is the one being typed in.
    pub fn in_lookup(&self) -> bool {
        self.prompt.is_none()
            && self.form.is_none()
            && self.panel.is_none()
            && self.duplicate.is_none()
            && self.import.is_none()
    }

    pub fn query(&self) -> &str {
        self.lookup.value(0)
    }

    /// A lookup for what is in the field now (called after every edit of it).
    pub fn search(&mut self) -> Request {
        self.generation += 1;
        self.searching = true;
        Request::Search {
            query: self.query().to_string(),
            generation: self.generation,
            limit: LOOKUP_LIMIT,
        }
    }

    pub fn on_hits(&mut self, generation: u64, hits: Vec<SearchHit>) {
        // A reply to an older keystroke: a newer one is on its way.
        if generation != self.generation {
            return;
        }
        self.hits = hits;
        self.selected = 0;
        self.searching = false;
    }

    /// Commands while the lookup list is shown.
    pub fn on_lookup_command(&mut self, command: Command) -> Option<Request> {
        let last = self.hits.len().saturating_sub(1);
        match command {
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.selected = self.selected.saturating_sub(10),
            Command::PageDown => self.selected = (self.selected + 10).min(last),
            Command::OpenClient => {
                let hit = self.hits.get(self.selected)?;
                return Some(Request::OpenClient {
                    key: hit.client_no.clone(),
                });
            }
            _ => {}
        }
        None
    }

    pub fn new_client(&mut self) {
        let mut input = ClientInput::default();
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
        let Some(panel) = &self.panel else { return };
        if panel.view.visibility == Visibility::Full {
            self.form = Some(ClientForm {
                editing: Some(panel.view.client_no.clone()),
                form: client_form(&panel.view.to_input()),
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
        self.prompt = Some(Prompt { kind, form });
    }

    /// Enter in a prompt: the request it makes.
    pub fn submit_prompt(&mut self) -> Option<(Pending, Request)> {
        let prompt = self.prompt.as_mut()?;
        if !prompt.form.on_last_field() {
            prompt.form.next();
            return None;
        }
        let key = self
            .panel
            .as_ref()
            .map(|p| p.view.client_no.clone())
            .unwrap_or_default();
        let request = match prompt.kind {
            PromptKind::Reveal { .. } => Request::RevealClient {
                key,
                reason: prompt.form.value(0).trim().to_string(),
            },
            PromptKind::Note => Request::AddNote {
                key,
                channel: prompt.form.value(0).to_string(),
                note: prompt.form.value(1).trim().to_string(),
            },
            PromptKind::Event => Request::AddEvent {
                key,
                input: Box::new(EventInput {
                    kind: prompt.form.value(0).to_string(),
                    date: prompt.form.value(1).trim().to_string(),
                    yearly: prompt.form.value(2).to_string(),
                    label: prompt.form.value(3).trim().to_string(),
                }),
            },
            PromptKind::Import => {
                let path = prompt.form.value(0).trim().to_string();
                self.prompt = None;
                self.import = Some(ImportState::Running { rows: 0 });
                Request::ImportClients { path: path.into() }
            }
        };
        Some((Pending::ClientPrompt, request))
    }

    /// Ctrl-S (or Enter on the last field) in the client form.
    pub fn submit_form(&mut self, save: bool) -> Option<(Pending, Request)> {
        let client = self.form.as_mut()?;
        if !save && !client.form.on_last_field() {
            client.form.next();
            return None;
        }
        client.form.clear_errors();
        let mut input = ClientInput::default();
        for (index, field) in FORM_FIELDS.iter().enumerate() {
            *input.field_mut(*field) = client.form.value(index).to_string();
        }
        Some((
            Pending::ClientForm,
            Request::SaveClient {
                key: client.editing.clone(),
                input: Box::new(input),
            },
        ))
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
            self.prompt.as_ref().map(|p| p.kind),
            Some(PromptKind::Reveal { then_edit: true })
        );
        self.prompt = None;
        self.duplicate = None;
        self.panel = Some(ClientPanel { view, log, events });
        if then_edit {
            self.edit_client();
        }
    }
}

/// The form for a client, filled from `input`.
pub fn client_form(input: &ClientInput) -> Form {
    let choice = |field: ClientField, codes: &[&str], current: &str| {
        let index = codes.iter().position(|c| *c == current).unwrap_or(0);
        Field::choice_with_codes(
            label_key(field),
            codes.iter().map(|c| c.to_string()).collect(),
            index,
        )
    };
    let id_types: Vec<&str> = IdType::ALL.iter().map(|t| t.code()).collect();
    let tiers: Vec<&str> = Tier::ALL.iter().map(|t| t.code()).collect();
    let fields = FORM_FIELDS
        .iter()
        .map(|field| {
            let value = input
                .fields()
                .iter()
                .find(|(f, _)| f == field)
                .map_or("", |(_, v)| v.as_str());
            match field {
                ClientField::Kind => choice(*field, &["person", "company"], value),
                ClientField::IdType => choice(*field, &id_types, value),
                ClientField::Gender => choice(*field, &["", "male", "female"], value),
                ClientField::BirthCalendar => choice(*field, &["solar", "lunar"], value),
                ClientField::Tier => choice(*field, &tiers, value),
                ClientField::ConsentMarketing => choice(*field, &["no", "yes"], value),
                _ => Field::text(label_key(*field), max_chars(*field)).with_text(value),
            }
        })
        .collect();
    let mut form = Form::new(fields);
    form.focus = 1;
    form
}

fn max_chars(field: ClientField) -> usize {
    match field {
        ClientField::Name => 100,
        ClientField::Address => 120,
        ClientField::Tags => 140,
        ClientField::Email => 254,
        _ => 40,
    }
}

/// Field labels come from the catalogs (`client.field.<code>`); the form keeps them as
/// static keys.
fn label_key(field: ClientField) -> &'static str {
    match field {
        ClientField::Kind => "client.field.kind",
        ClientField::Name => "client.field.name",
        ClientField::Gender => "client.field.gender",
        ClientField::BirthDate => "client.field.birth_date",
        ClientField::BirthCalendar => "client.field.birth_calendar",
        ClientField::IdType => "client.field.id_type",
        ClientField::IdNumber => "client.field.id_number",
        ClientField::IdExpiry => "client.field.id_expiry",
        ClientField::Phone => "client.field.phone",
        ClientField::Email => "client.field.email",
        ClientField::Address => "client.field.address",
        ClientField::Occupation => "client.field.occupation",
        ClientField::AssignedRm => "client.field.assigned_rm",
        ClientField::Tier => "client.field.tier",
        ClientField::RiskLevel => "client.field.risk_level",
        ClientField::Tags => "client.field.tags",
        ClientField::ConsentMarketing => "client.field.consent_marketing",
    }
}

/// The catalog key of a choice's option label (`kind.person`, `tier.gold`…).
pub fn option_label_key(field_label: &str, code: &str) -> String {
    let group = match field_label {
        "client.field.kind" => "kind",
        "client.field.id_type" => "id_type",
        "client.field.gender" => "gender",
        "client.field.birth_calendar" => "calendar",
        "client.field.tier" => "tier",
        "client.field.consent_marketing" => "yes_no",
        "field.channel" => "channel",
        "complaint.field.channel" => "complaint.channel",
        "complaint.field.category" => "complaint.category",
        "complaint.field.severity" => "complaint.severity",
        "complaint.field.reason" => "complaint.pause",
        "complaint.field.step" => "complaint.step",
        "complaint.field.complainant_told" | "complaint.field.satisfied" => "yes_no",
        "care.field.action" => "care.action",
        "care.field.kind" => "care.event",
        "care.field.yearly" => "yes_no",
        "care.field.channel" => "channel",
        _ => return code.to_string(),
    };
    if code.is_empty() {
        return "choice.unset".into();
    }
    format!("{group}.{code}")
}
