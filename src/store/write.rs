//! The one way anything changes in the database.
//!
//! [`Session::write`] opens a transaction and hands the caller a [`Writer`]. Every row the
//! writer inserts or updates is also appended to `outbox` (for HQ), and the whole write gets
//! one hash-chained `audit_log` row, all in the same transaction: either all three land or
//! none does.

use crate::domain::audit::{AuditContent, ChainHash, GENESIS};
use crate::domain::hlc::Hlc;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::migrations::SCHEMA_VERSION;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;

/// Tables that the write path may touch. Names are fixed here, never taken from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Staff,
    Settings,
    Client,
    Interaction,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Staff => "staff",
            Table::Settings => "settings",
            Table::Client => "client",
            Table::Interaction => "interaction",
        }
    }

    fn key_column(self) -> &'static str {
        match self {
            Table::Staff | Table::Client | Table::Interaction => "id",
            Table::Settings => "key",
        }
    }

    /// Whether rows carry an `hlc` column (for per-row last-writer-wins at HQ).
    fn has_hlc(self) -> bool {
        matches!(self, Table::Staff | Table::Client | Table::Interaction)
    }
}

/// What the audit row of a write says.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    /// Never secrets; never more personal data than the action needs.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, entity: &'static str, entity_id: impl Into<String>) -> Self {
        Self {
            action,
            entity,
            entity_id: entity_id.into(),
            detail: json!({}),
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

pub struct Writer<'t> {
    tx: &'t Transaction<'t>,
    hlc: Hlc,
    now: DateTime<Utc>,
}

impl Writer<'_> {
    pub fn now_text(&self) -> String {
        self.now.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// `fields` plus the write's HLC, for tables that keep one per row.
    fn stamped(
        &self,
        table: Table,
        mut fields: Vec<(&'static str, Value)>,
    ) -> Vec<(&'static str, Value)> {
        if table.has_hlc() {
            fields.push(("hlc", Value::Integer(self.hlc.as_i64())));
        }
        fields
    }

    pub fn insert(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        self.insert_with_local(table, row_id, fields, Vec::new())
    }

    /// Inserts a row whose `local` columns (derived for lookup here, such as a local
    /// sequence number) are stored but not sent to HQ.
    pub fn insert_with_local(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
        local: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        let mut fields = self.stamped(table, fields);
        fields.insert(0, (table.key_column(), Value::Text(row_id.to_string())));
        let columns: Vec<&str> = fields.iter().chain(&local).map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name(),
            columns.join(", "),
            placeholders.join(", ")
        );
        self.tx
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(
                fields.iter().chain(&local).map(|(_, v)| v),
            ))?;
        self.capture(table, row_id, "insert", fields)
    }

    /// Updates the given columns of one row; fails if the row does not exist.
    pub fn update(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        self.update_with_local(table, row_id, fields, Vec::new())
    }

    /// [`Writer::update`] with `local` columns that are stored but not sent to HQ.
    pub fn update_with_local(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
        local: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        let fields = self.stamped(table, fields);
        let assignments: Vec<String> = fields
            .iter()
            .chain(&local)
            .enumerate()
            .map(|(i, (column, _))| format!("{column} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {} = ?{}",
            table.name(),
            assignments.join(", "),
            table.key_column(),
            assignments.len() + 1
        );
        let key = Value::Text(row_id.to_string());
        let values = fields.iter().chain(&local).map(|(_, v)| v).chain([&key]);
        let changed = self
            .tx
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values))?;
        if changed != 1 {
            return Err(Error::internal(format!(
                "update of {} matched {changed} rows",
                table.name()
            )));
        }
        self.capture(table, row_id, "update", fields)
    }

    /// Maintains a lookup index table (derived entirely from captured rows, so never sent
    /// to HQ). `sql` is a fixed statement from the store, never built from input.
    pub fn maintain_index(
        &mut self,
        sql: &'static str,
        params: impl rusqlite::Params,
    ) -> Result<()> {
        self.tx.prepare_cached(sql)?.execute(params)?;
        Ok(())
    }

    /// Reads inside the write's transaction (a check that must see what the write sees).
    pub fn read<T>(
        &self,
        sql: &'static str,
        params: impl rusqlite::Params,
        row: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        Ok(self
            .tx
            .prepare_cached(sql)?
            .query_row(params, row)
            .optional()?)
    }

    /// Appends the change to the outbox straight away (a bulk write may hold a million).
    fn capture(
        &mut self,
        table: Table,
        row_id: &str,
        op: &'static str,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        let fields: serde_json::Map<String, serde_json::Value> = fields
            .into_iter()
            .map(|(column, value)| (column.to_string(), to_json(value)))
            .collect();
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (op_id, tbl, row_id, op, fields, hlc, schema_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                new_op_id(self.now),
                table.name(),
                row_id,
                op,
                serde_json::Value::Object(fields).to_string(),
                self.hlc.as_i64(),
                SCHEMA_VERSION
            ])?;
        Ok(())
    }
}

fn to_json(value: Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => json!(i),
        Value::Real(f) => json!(f),
        Value::Text(s) => json!(s),
        Value::Blob(b) => json!(hex::encode(b)),
    }
}

impl Session {
    /// Runs `body` in a transaction, then appends its changes to the outbox and one row to the
    /// audit trail, and commits all of it together.
    pub(crate) fn write<T>(
        &mut self,
        event: AuditEvent,
        body: impl FnOnce(&mut Writer) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let hlc = self
            .hlc
            .tick(u64::try_from(now.timestamp_millis()).unwrap_or(0));
        let actor = self.me.id.to_string();
        let tx = self.conn.transaction()?;
        let out = {
            let mut writer = Writer { tx: &tx, hlc, now };
            body(&mut writer)?
        };
        append_audit(&tx, &actor, &event, hlc, now)?;
        tx.commit()?;
        self.hlc = hlc;
        Ok(out)
    }

    /// An audit row with no data change (a login, a backup, a lock).
    pub(crate) fn audit_only(&mut self, event: AuditEvent) -> Result<()> {
        self.write(event, |_| Ok(()))
    }
}

fn new_op_id(now: DateTime<Utc>) -> String {
    let secs = u64::try_from(now.timestamp()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, now.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts).to_string()
}

fn append_audit(
    tx: &Transaction,
    actor: &str,
    event: &AuditEvent,
    hlc: Hlc,
    now: DateTime<Utc>,
) -> Result<()> {
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, previous) = match last {
        Some((id, hash)) => {
            let previous: ChainHash = hash
                .try_into()
                .map_err(|_| Error::internal("audit chain head has a malformed hash"))?;
            (id + 1, previous)
        }
        None => (1, GENESIS),
    };
    let content = AuditContent {
        id,
        at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        hlc: hlc.as_i64(),
        actor: actor.to_string(),
        action: event.action.to_string(),
        entity: event.entity.to_string(),
        entity_id: event.entity_id.clone(),
        detail: event.detail.to_string(),
    };
    let hash = content.chain_hash(&previous);
    tx.execute(
        "INSERT INTO audit_log (id, at, hlc, actor, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            content.id,
            content.at,
            content.hlc,
            content.actor,
            content.action,
            content.entity,
            content.entity_id,
            content.detail,
            previous.as_slice(),
            hash.as_slice()
        ],
    )?;
    Ok(())
}
