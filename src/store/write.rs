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
    Complaint,
    ComplaintEvent,
    ClientEvent,
    CareTask,
    SurveyTemplate,
    SurveyResponse,
    Assessment,
    OfferOutcome,
    AmlProfile,
    AmlRating,
    AmlTrigger,
    RestrictionOverride,
    ClientClosure,
    LoyaltyEntry,
    BranchEvent,
    EventInvitation,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Staff => "staff",
            Table::Settings => "settings",
            Table::Client => "client",
            Table::Interaction => "interaction",
            Table::Complaint => "complaint",
            Table::ComplaintEvent => "complaint_event",
            Table::ClientEvent => "client_event",
            Table::CareTask => "care_task",
            Table::SurveyTemplate => "survey_template",
            Table::SurveyResponse => "survey_response",
            Table::Assessment => "assessment",
            Table::OfferOutcome => "offer_outcome",
            Table::AmlProfile => "aml_profile",
            Table::AmlRating => "aml_rating",
            Table::AmlTrigger => "aml_trigger",
            Table::RestrictionOverride => "restriction_override",
            Table::ClientClosure => "client_closure",
            Table::LoyaltyEntry => "loyalty_entry",
            Table::BranchEvent => "branch_event",
            Table::EventInvitation => "event_invitation",
        }
    }

    fn key_column(self) -> &'static str {
        match self {
            Table::Staff
            | Table::Client
            | Table::Interaction
            | Table::Complaint
            | Table::ComplaintEvent
            | Table::ClientEvent
            | Table::CareTask
            | Table::SurveyTemplate
            | Table::SurveyResponse
            | Table::Assessment
            | Table::OfferOutcome
            | Table::AmlProfile
            | Table::AmlRating
            | Table::AmlTrigger
            | Table::RestrictionOverride
            | Table::ClientClosure
            | Table::LoyaltyEntry
            | Table::BranchEvent
            | Table::EventInvitation => "id",
            Table::Settings => "key",
        }
    }

    /// Whether rows carry an `hlc` column (for per-row last-writer-wins at HQ).
    fn has_hlc(self) -> bool {
        matches!(
            self,
            Table::Staff
                | Table::Client
                | Table::Interaction
                | Table::Complaint
                | Table::ComplaintEvent
                | Table::ClientEvent
                | Table::CareTask
                | Table::SurveyTemplate
                | Table::SurveyResponse
                | Table::Assessment
                | Table::OfferOutcome
                | Table::AmlProfile
                | Table::AmlRating
                | Table::AmlTrigger
                | Table::RestrictionOverride
                | Table::ClientClosure
                | Table::LoyaltyEntry
                | Table::BranchEvent
                | Table::EventInvitation
        )
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
    /// Keeps the operation IDs of one write in order (they share a timestamp), so that a
    /// bulk write appends to the outbox's ID index instead of inserting at random.
    op_ids: uuid::ContextV7,
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
        let fields = self.insert_row(table, row_id, fields, &local)?;
        self.capture(table, row_id, "insert", fields)
    }

    /// Inserts one row of a bulk load. Its outbox entry is the range op that the load
    /// writes with [`Writer::capture_range`] for every run of rows: a load must end with it.
    pub(crate) fn insert_in_range(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
        local: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        self.insert_row(table, row_id, fields, &local).map(|_| ())
    }

    fn insert_row(
        &mut self,
        table: Table,
        row_id: &str,
        fields: Vec<(&'static str, Value)>,
        local: &[(&'static str, Value)],
    ) -> Result<Vec<(&'static str, Value)>> {
        let mut fields = self.stamped(table, fields);
        fields.insert(0, (table.key_column(), Value::Text(row_id.to_string())));
        let sql = insert_sql(table, fields.iter().chain(local).map(|(c, _)| *c));
        self.tx
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(
                fields.iter().chain(local).map(|(_, v)| v),
            ))?;
        Ok(fields)
    }

    /// Records that rows `first..=last` of `table`'s local sequence were inserted by this
    /// write (see [`Writer::insert_in_range`]).
    pub(crate) fn capture_range(&mut self, table: Table, first: i64, last: i64) -> Result<()> {
        if last < first {
            return Ok(());
        }
        let fields = vec![
            ("first_seq", Value::Integer(first)),
            ("last_seq", Value::Integer(last)),
        ];
        self.capture(table, &format!("{first}..{last}"), "insert_range", fields)
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

    /// Marks a row deleted — it stays, as the tombstone HQ keeps too — and sends the
    /// delete. Only for tables with a `deleted` column.
    pub fn delete(&mut self, table: Table, row_id: &str) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET deleted = 1 WHERE {} = ?1 AND deleted = 0",
            table.name(),
            table.key_column()
        );
        let changed = self.tx.prepare_cached(&sql)?.execute([row_id])?;
        if changed != 1 {
            return Err(Error::internal(format!(
                "delete of {} matched {changed} rows",
                table.name()
            )));
        }
        self.capture(table, row_id, "delete", Vec::new())
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

    /// [`Writer::maintain_index`] for many rows with one prepared statement.
    pub fn maintain_index_rows<P: rusqlite::Params>(
        &mut self,
        sql: &'static str,
        rows: impl Iterator<Item = P>,
    ) -> Result<()> {
        let mut statement = self.tx.prepare_cached(sql)?;
        for row in rows {
            statement.execute(row)?;
        }
        Ok(())
    }

    /// Drops or builds lookup indexes around a bulk load (fixed statements from the store).
    pub fn maintain_schema(&mut self, sql: &'static str) -> Result<()> {
        self.tx.execute_batch(sql)?;
        Ok(())
    }

    /// Sets a value of this store's own sync state (`sync_local`: keys, marks, trust), which
    /// never travels to HQ.
    pub(crate) fn set_local(&mut self, key: &'static str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO sync_local (key, value) VALUES (?1, ?2)")?
            .execute(params![key, value])?;
        Ok(())
    }

    /// Runs a fixed statement of the store's own (sync bookkeeping, HQ consolidation) that is
    /// not a captured change.
    pub(crate) fn execute_local(
        &mut self,
        sql: &'static str,
        params: impl rusqlite::Params,
    ) -> Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(params)?)
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

    /// The write's transaction, for reading many rows (a derived table rebuilt from what
    /// the write sees).
    pub(crate) fn connection(&self) -> &rusqlite::Connection {
        self.tx
    }

    fn new_op_id(&self) -> String {
        let secs = u64::try_from(self.now.timestamp()).unwrap_or(0);
        let nanos = self.now.timestamp_subsec_nanos();
        let ts = uuid::Timestamp::from_unix(&self.op_ids, secs, nanos);
        uuid::Uuid::new_v7(ts).to_string()
    }

    /// Appends the change to the outbox straight away (a bulk write may hold a million).
    fn capture(
        &mut self,
        table: Table,
        row_id: &str,
        op: &'static str,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<()> {
        // An inserted row's missing columns are empty; only updates must say "now empty".
        let json = fields_json(&fields, op == "insert");
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (op_id, tbl, row_id, op, fields, hlc, schema_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                self.new_op_id(),
                table.name(),
                row_id,
                op,
                json,
                self.hlc.as_i64(),
                SCHEMA_VERSION
            ])?;
        Ok(())
    }
}

/// `INSERT INTO table (a, b) VALUES (?1, ?2)` (built once per row, so without detours).
fn insert_sql<'c>(table: Table, columns: impl Iterator<Item = &'c str>) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(512);
    let _ = write!(sql, "INSERT INTO {} (", table.name());
    let mut count = 0;
    for column in columns {
        if count > 0 {
            sql.push_str(", ");
        }
        sql.push_str(column);
        count += 1;
    }
    sql.push_str(") VALUES (");
    for i in 1..=count {
        if i > 1 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "?{i}");
    }
    sql.push(')');
    sql
}

/// The changed columns as a JSON object, written directly (this runs once per row).
fn fields_json(fields: &[(&'static str, Value)], skip_nulls: bool) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(48 * fields.len());
    out.push(b'{');
    for (column, value) in fields {
        if skip_nulls && *value == Value::Null {
            continue;
        }
        if out.len() > 1 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(column.as_bytes());
        out.extend_from_slice(b"\":");
        // Writing to a Vec cannot fail.
        let _ = match value {
            Value::Null => serde_json::to_writer(&mut out, &()),
            Value::Integer(n) => serde_json::to_writer(&mut out, n),
            Value::Real(f) => serde_json::to_writer(&mut out, f),
            Value::Text(s) => serde_json::to_writer(&mut out, s),
            Value::Blob(b) => serde_json::to_writer(&mut out, &hex::encode(b)),
        };
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
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
        // The write lock first: two sessions of one store (HQ's import workers) then take
        // turns instead of one finding the trail moved under it.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = {
            let mut writer = Writer {
                tx: &tx,
                hlc,
                now,
                op_ids: uuid::ContextV7::new(),
            };
            body(&mut writer)?
        };
        append_audit(&tx, &actor, &event, hlc, now)?;
        tx.commit()?;
        self.hlc = hlc;
        // The anchor follows the trail at most once a minute (and at the end of every
        // session): a file written per change would cost more than the change.
        let due = self
            .anchored_at
            .is_none_or(|at| now - at >= chrono::Duration::seconds(60));
        if due {
            self.keep_beside();
        }
        Ok(out)
    }

    /// An audit row with no data change (a login, a backup, a lock).
    pub(crate) fn audit_only(&mut self, event: AuditEvent) -> Result<()> {
        self.write(event, |_| Ok(()))
    }
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
    // HQ keeps every branch's audit trail: the row travels like any other change.
    let fields = json!({
        "id": content.id,
        "at": content.at,
        "hlc": content.hlc,
        "actor": content.actor,
        "action": content.action,
        "entity": content.entity,
        "entity_id": content.entity_id,
        "detail": content.detail,
        "prev_hash": hex::encode(previous),
        "hash": hex::encode(hash),
    });
    tx.prepare_cached(
        "INSERT INTO outbox (op_id, tbl, row_id, op, fields, hlc, schema_version)
         VALUES (?1, 'audit_log', ?2, 'insert', ?3, ?4, ?5)",
    )?
    .execute(params![
        uuid::Uuid::now_v7().to_string(),
        content.id.to_string(),
        fields.to_string(),
        content.hlc,
        SCHEMA_VERSION
    ])?;
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
