//! The client form: seventeen fields in two columns, filled from a client's record to
//! edit it, or from what was looked up to register a new one.

use crate::app::form::{Field, Form};
use crate::domain::client::{ClientField, ClientInput, Tier};
use crate::domain::ids::IdType;

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

/// A client being registered or edited.
#[derive(Debug)]
pub struct ClientForm {
    /// The client being edited (its number); None registers a new one.
    pub editing: Option<String>,
    pub form: Form,
}

impl ClientForm {
    /// What the form says, as the store takes it.
    pub fn input(&self) -> ClientInput {
        let mut input = ClientInput::default();
        for (index, field) in FORM_FIELDS.iter().enumerate() {
            *input.field_mut(*field) = self.form.value(index).to_string();
        }
        input
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
