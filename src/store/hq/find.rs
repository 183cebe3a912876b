//! HQ finds a client in every branch's consolidated rows by ID number or phone, through the
//! rows' lookup columns: the keyed blind index (HMAC) on PostgreSQL, where the values
//! themselves are sealed; the value itself, upper case without spaces, in HQ's own store.
//! What is found is masked as a branch masks it by default, and the lookup is audited by
//! how and how many, never by the value.

use super::{HqRead, HqRow, hq_params};
use crate::domain::mask;
use crate::domain::staff::Permission;
use crate::error::Result;
use crate::store::Session;
use crate::store::write::AuditEvent;
use crate::sync::keys::Party;
use serde::Serialize;
use serde_json::Value;

/// What a client is looked up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindBy {
    IdNumber,
    Phone,
}

impl FindBy {
    /// The client field, and the kind its blind index is keyed for.
    pub fn field(self) -> &'static str {
        match self {
            FindBy::IdNumber => "id_number",
            FindBy::Phone => "phone",
        }
    }

    fn column(self) -> &'static str {
        match self {
            FindBy::IdNumber => "id_index",
            FindBy::Phone => "phone_index",
        }
    }
}

/// A consolidated client HQ found, masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundClient {
    pub row_id: String,
    /// The branch whose row it is (its earliest writer).
    pub branch: String,
    pub client_no: String,
    pub home_branch: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    /// Deleted at its branch (kept at HQ as a tombstone).
    pub deleted: bool,
}

impl FoundClient {
    /// The catalog keys of the headings of [`FoundClient::words`].
    pub const HEADINGS: [&'static str; 6] = [
        "hq.found.client_no",
        "hq.found.branch",
        "hq.found.name",
        "hq.found.id_number",
        "hq.found.phone",
        "hq.found.note",
    ];

    /// The client as people read it: client number, branch, masked name, ID number and
    /// phone, and whether it was deleted.
    pub fn words(&self, i18n: &crate::i18n::I18n) -> Vec<String> {
        vec![
            self.client_no.clone(),
            self.branch.clone(),
            self.name.clone(),
            self.id_number.clone(),
            self.phone.clone(),
            if self.deleted {
                i18n.t("hq.found.deleted").to_string()
            } else {
                String::new()
            },
        ]
    }

    fn of(row: &HqRow) -> Self {
        let text = |field: &str| {
            row.fields
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let masked = |field: &str, how: fn(&str) -> String| {
            let value = text(field);
            if value.is_empty() { value } else { how(&value) }
        };
        FoundClient {
            row_id: row.row_id.clone(),
            branch: row.branch.clone(),
            client_no: text("client_no"),
            home_branch: text("home_branch"),
            name: masked("name", mask::name),
            id_number: masked("id_number", mask::id_number),
            phone: masked("phone", mask::phone),
            deleted: row.deleted,
        }
    }
}

impl Session {
    /// The consolidated clients whose ID number or phone is `value` (spaces and letter case
    /// set aside), from every branch, masked; in branch and row order.
    pub fn hq_find_clients(&mut self, by: FindBy, value: &str) -> Result<Vec<FoundClient>> {
        self.require(Permission::ViewSync)?;
        self.require_party(Party::Hq)?;
        let key = super::db::lookup_key(self.hq()?.sealer(), by.field(), value);
        let mut found = Vec::new();
        if !key.is_empty() {
            let condition = format!("AND {} = ?2", by.column());
            let mut rows = self.opened_rows("client", &condition, hq_params![&key])?;
            rows.sort_by(|a, b| (&a.branch, &a.row_id).cmp(&(&b.branch, &b.row_id)));
            found = rows.iter().map(FoundClient::of).collect();
        }
        let event = AuditEvent::new("hq.find_client", "client", by.field())
            .with_detail(serde_json::json!({ "by": by.field(), "found": found.len() }));
        self.audit_only(event)?;
        Ok(found)
    }
}
