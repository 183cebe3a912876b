//! HQ's consolidation on PostgreSQL: the connection (its address and TLS in `address`), the
//! schema (consolidated tables hash-partitioned by branch, the
//! branch their leading key), and the data key sealed to HQ's identity that the database
//! carries and only this HQ can open.

use super::db::{Param, RowRead, postgres_text};
use crate::error::{Error, HqDbProblem, Result};
use crate::sync::seal::{DataKey, SealProblem, Sealer};
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::collections::HashMap;

mod address;
mod copy;
pub(crate) use address::connect;
pub(crate) use copy::CopyRows;

/// The schema version this build writes and reads: the first schema and each upgrade.
const SCHEMA_VERSION: i64 = 1 + UPGRADES.len() as i64;
/// Partitions of each consolidated table (hash of the branch).
pub(crate) const PARTITIONS: u32 = 16;

/// An open consolidation database and the sealer for its personal data.
pub(crate) struct PgHq {
    pub client: postgres::Client,
    pub sealer: Sealer,
    statements: HashMap<String, postgres::Statement>,
}

/// Why a transaction did not commit: its work (or what had to precede the commit) failed
/// and was rolled back, or the commit itself failed after that.
pub(crate) enum TxError {
    Work(Error),
    Commit(Error),
}

/// A transaction on it.
pub(crate) struct PgTx<'t> {
    pub tx: postgres::Transaction<'t>,
    pub sealer: &'t Sealer,
    statements: &'t mut HashMap<String, postgres::Statement>,
}

impl PgHq {
    /// Connects to the consolidation database of the HQ store `store_id` and opens its data
    /// key with HQ's identity.
    pub fn open(url: &str, store_id: &str, identity: &age::x25519::Identity) -> Result<PgHq> {
        let mut client = connect(url)?;
        // HQ's reports aggregate millions of rows into hundreds of thousands of cells: with
        // the defaults, compiling each query (JIT) costs more than it saves, the cells spill
        // to disk (4 MB to hash them in), and they are hashed all together rather than one
        // partition at a time (every cell is one branch's, so one partition's).
        client
            .batch_execute(
                "SET jit = off; SET work_mem = '64MB'; SET enable_partitionwise_aggregate = on",
            )
            .map_err(db_error)?;
        let meta = read_meta(&mut client)?;
        let found = meta
            .get("store_id")
            .ok_or(problem(HqDbProblem::NotInitialised))?;
        if found != store_id {
            return Err(problem(HqDbProblem::OtherHq));
        }
        let version: i64 = meta.get("schema").and_then(|v| v.parse().ok()).unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(problem(HqDbProblem::NewerSchema));
        }
        let sealed = meta
            .get("data_key")
            .ok_or(problem(HqDbProblem::NoDataKey))?;
        let key = DataKey::unseal(sealed, identity).map_err(|e| match e {
            SealProblem::WrongKey => problem(HqDbProblem::WrongDataKey),
            SealProblem::Damaged => problem(HqDbProblem::DataKeyDamaged),
        })?;
        if version < SCHEMA_VERSION {
            upgrade(&mut client)?;
        }
        Ok(PgHq {
            client,
            sealer: Sealer::new(&key),
            statements: HashMap::new(),
        })
    }

    /// Makes the consolidation schema in the database at `url` for the HQ store `store_id`,
    /// with a new data key sealed to `recipient`. Again for the same store changes nothing;
    /// a database another HQ made is refused.
    pub fn create(url: &str, store_id: &str, recipient: &age::x25519::Recipient) -> Result<()> {
        let mut client = connect(url)?;
        let meta = read_meta(&mut client).or_else(|e| match e {
            Error::HqDatabase {
                problem: HqDbProblem::NotInitialised,
            } => Ok(HashMap::new()),
            e => Err(e),
        })?;
        match meta.get("store_id") {
            Some(id) if id == store_id => return Ok(()),
            Some(_) => return Err(problem(HqDbProblem::OtherHq)),
            None => {}
        }
        let sealed = DataKey::generate()
            .seal_to(recipient)
            .map_err(|_| Error::internal("sealing the data key"))?;
        let mut tx = client.transaction().map_err(db_error)?;
        tx.batch_execute(&schema()).map_err(db_error)?;
        for upgrade in UPGRADES {
            tx.batch_execute(&upgrade()).map_err(db_error)?;
        }
        for (key, value) in [
            ("store_id", store_id.to_string()),
            ("schema", SCHEMA_VERSION.to_string()),
            ("data_key", sealed),
        ] {
            tx.execute(
                "INSERT INTO hq_meta (key, value) VALUES ($1, $2)",
                &[&key, &value],
            )
            .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)
    }

    /// Checks, before a new HQ store is made for it, that the database at `url` answers
    /// and holds no other HQ's consolidation.
    pub fn probe(url: &str) -> Result<()> {
        let mut client = connect(url)?;
        match read_meta(&mut client) {
            Ok(meta) if meta.contains_key("store_id") => Err(problem(HqDbProblem::OtherHq)),
            Ok(_)
            | Err(Error::HqDatabase {
                problem: HqDbProblem::NotInitialised,
            }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        prepared(&mut self.client, &mut self.statements, sql)
    }

    /// Each row of a statement, made by `row` as it arrives (a report's half a million
    /// cells are never all held as rows).
    pub fn each<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        row: impl FnMut(&postgres::Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let statement = self.statement(sql)?;
        each_row(&mut self.client, &statement, params, row)
    }

    pub fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.client
            .execute(&statement, &as_pg(params))
            .map_err(db_error)
    }

    /// Runs `body` in a transaction, then `before_commit` (the audit row), and commits when
    /// both returned Ok; anything else rolls the work back.
    pub fn transaction<T>(
        &mut self,
        body: impl FnOnce(&mut PgTx) -> Result<T>,
        before_commit: impl FnOnce() -> Result<()>,
    ) -> std::result::Result<T, TxError> {
        let PgHq {
            client,
            sealer,
            statements,
        } = self;
        let tx = client
            .transaction()
            .map_err(|e| TxError::Work(db_error(e)))?;
        let mut tx = PgTx {
            tx,
            sealer,
            statements,
        };
        let out = body(&mut tx).map_err(TxError::Work)?;
        before_commit().map_err(TxError::Work)?;
        tx.tx.commit().map_err(|e| TxError::Commit(db_error(e)))?;
        Ok(out)
    }
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        prepared(&mut self.tx, self.statements, sql)
    }

    /// [`PgHq::each`] inside the transaction.
    pub fn each<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        row: impl FnMut(&postgres::Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let statement = self.statement(sql)?;
        each_row(&mut self.tx, &statement, params, row)
    }

    pub fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.tx
            .execute(&statement, &as_pg(params))
            .map_err(db_error)
    }
}

/// Brings a consolidation made by an earlier version up to this one's schema, in one
/// transaction; the row lock on its version makes a second importer starting at the same
/// time wait and then find nothing left to do.
fn upgrade(client: &mut postgres::Client) -> Result<()> {
    let mut tx = client.transaction().map_err(db_error)?;
    let row = tx
        .query_one(
            "SELECT value FROM hq_meta WHERE key = 'schema' FOR UPDATE",
            &[],
        )
        .map_err(db_error)?;
    let found: i64 = row
        .try_get::<_, String>(0)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v >= 1)
        .ok_or(Error::DatabaseDamaged)?;
    // Another importer may have brought it up to date (or past) while this one waited.
    if found > SCHEMA_VERSION {
        return Err(problem(HqDbProblem::NewerSchema));
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    for step in UPGRADES
        .iter()
        .skip(usize::try_from(found - 1).unwrap_or(0))
    {
        tx.batch_execute(&step()).map_err(db_error)?;
    }
    tx.execute(
        "UPDATE hq_meta SET value = $1 WHERE key = 'schema'",
        &[&SCHEMA_VERSION.to_string()],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// A schema of its own in the database at `url` for a benchmark run, dropped when the
/// guard goes: the address to give HQ (its search path set to the schema) and the guard.
pub(crate) fn scratch_schema(url: &str) -> Result<(String, ScratchSchema)> {
    let mut client = connect(url)?;
    let schema = format!("branchdesk_bench_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .map_err(db_error)?;
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options=-csearch_path%3D{schema}");
    Ok((scoped, ScratchSchema { client, schema }))
}

/// Drops its schema when dropped.
pub(crate) struct ScratchSchema {
    client: postgres::Client,
    schema: String,
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        let _ = self
            .client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}

fn prepared(
    client: &mut impl postgres::GenericClient,
    statements: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement> {
    let text = postgres_text(sql);
    if let Some(statement) = statements.get(&text) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(&text).map_err(db_error)?;
    statements.insert(text, statement.clone());
    Ok(statement)
}

/// Each row of `statement`, made by `row` as it arrives, in or out of a transaction.
fn each_row<T>(
    client: &mut impl postgres::GenericClient,
    statement: &postgres::Statement,
    params: &[Param],
    mut row: impl FnMut(&postgres::Row) -> Result<T>,
) -> Result<Vec<T>> {
    use postgres::fallible_iterator::FallibleIterator;
    let mut rows = client
        .query_raw(statement, as_pg(params))
        .map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_error)? {
        out.push(row(&r)?);
    }
    Ok(out)
}

fn as_pg<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn read_meta(client: &mut postgres::Client) -> Result<HashMap<String, String>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('hq_meta') IS NOT NULL", &[])
        .map_err(db_error)?
        .get(0);
    if !exists {
        return Err(problem(HqDbProblem::NotInitialised));
    }
    let rows = client
        .query("SELECT key, value FROM hq_meta", &[])
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect())
}

pub(crate) fn problem(problem: HqDbProblem) -> Error {
    Error::HqDatabase { problem }
}

/// A database error as a sentence's problem: what the server said (its SQLSTATE), or that
/// the connection went.
pub(crate) fn db_error(e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code().to_string();
        return problem(match code.as_str() {
            "53100" => HqDbProblem::ServerFull,
            c if c.starts_with("28") => HqDbProblem::Login,
            "3D000" => HqDbProblem::NoDatabase,
            _ => HqDbProblem::Refused { code },
        });
    }
    if e.is_closed() {
        return problem(HqDbProblem::Lost);
    }
    tracing::warn!(error = %e, "HQ database");
    problem(HqDbProblem::Unreachable)
}

/// The schema of the consolidation (version 1).
fn schema() -> String {
    format!(
        "{SCHEMA}{}",
        partitions(&["hq_op", "hq_row", "hq_claim", "hq_holding"])
    )
}

/// The hash partitions of each of `tables`.
fn partitions(tables: &[&str]) -> String {
    let mut sql = String::new();
    for table in tables {
        for remainder in 0..PARTITIONS {
            sql.push_str(&format!(
                "CREATE TABLE {table}_p{remainder:02} PARTITION OF {table}
                     FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder});\n"
            ));
        }
    }
    sql
}

/// Each step from version `i + 1` to `i + 2`. Never edit a shipped step: add one.
const UPGRADES: [fn() -> String; 2] = [report_facts_schema, covered_cell_counts];

/// Version 2: what the complaint and satisfaction reports count, derived at import
/// (`store::hq::facts`), partitioned by branch like the rows they come from; a complaint's
/// events found by the complaint.
fn report_facts_schema() -> String {
    format!(
        "{}{}",
        "
CREATE TABLE hq_complaint (
    branch        text COLLATE \"C\" NOT NULL,
    complaint_id  text COLLATE \"C\" NOT NULL,
    quarter       integer NOT NULL,
    category      text COLLATE \"C\" NOT NULL,
    state         text COLLATE \"C\" NOT NULL,
    due_on        integer NOT NULL,
    judged_on     integer,
    decision_days integer,
    PRIMARY KEY (branch, complaint_id)
) PARTITION BY HASH (branch);
CREATE TABLE hq_complaint_cell (
    branch   text COLLATE \"C\" NOT NULL,
    quarter  integer NOT NULL,
    category text COLLATE \"C\" NOT NULL,
    state    text COLLATE \"C\" NOT NULL,
    open_due integer NOT NULL,
    late     integer NOT NULL,
    days     integer NOT NULL,
    cases    integer NOT NULL,
    PRIMARY KEY (branch, quarter, category, state, open_due, late, days)
) PARTITION BY HASH (branch);
CREATE TABLE hq_survey (
    branch        text COLLATE \"C\" NOT NULL,
    response_id   text COLLATE \"C\" NOT NULL,
    template_code text COLLATE \"C\" NOT NULL,
    month         integer NOT NULL,
    nps           smallint,
    csat          smallint,
    supersedes    text COLLATE \"C\",
    superseded    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (branch, response_id)
) PARTITION BY HASH (branch);
CREATE INDEX hq_survey_corrections ON hq_survey (branch, supersedes)
    WHERE supersedes IS NOT NULL;
CREATE INDEX hq_complaint_events ON hq_row (branch, (fields ->> 'complaint_id'))
    WHERE tbl = 'complaint_event';
-- Made from the rows already consolidated on first use (`facts`).
DELETE FROM hq_meta WHERE key = 'report_facts';
",
        partitions(&["hq_complaint", "hq_complaint_cell", "hq_survey"])
    )
}

/// Version 3: the complaint cells' key carries their count (`INCLUDE (cases)`), so that the
/// complaint report reads the key alone (an index-only scan) instead of fetching each of the
/// 3.7 million counts behind ten million complaints from the table: the report went from
/// 2.28 s to 1.13 s (`bench reports --rows 10000000`). That needs the pages marked
/// all-visible, which vacuuming does: the partitions are vacuumed after a fiftieth of them
/// changes rather than the default fifth. The price is at import: a count's update now
/// writes an index entry too (no longer a heap-only update), once per complaint a bundle
/// moves. The loop over `PARTITIONS` is safe in a shipped step because that number can
/// never change without re-partitioning every table.
fn covered_cell_counts() -> String {
    let mut sql = String::from(
        "ALTER TABLE hq_complaint_cell DROP CONSTRAINT hq_complaint_cell_pkey;
         ALTER TABLE hq_complaint_cell ADD PRIMARY KEY
             (branch, quarter, category, state, open_due, late, days) INCLUDE (cases);\n",
    );
    for remainder in 0..PARTITIONS {
        sql.push_str(&format!(
            "ALTER TABLE hq_complaint_cell_p{remainder:02} SET (
                 autovacuum_vacuum_scale_factor = 0.02,
                 autovacuum_vacuum_insert_scale_factor = 0.02);\n"
        ));
    }
    sql
}

/// Branch-led keys throughout, so that a distributed PostgreSQL (Citus, distribution column
/// `branch`) takes the partitioned tables as they are. Keys compare byte by byte (`COLLATE
/// "C"`): codes, UUIDs and hex need no language's collation, and the B-trees are faster. `hq_key` holds each consolidated
/// row's owner by its key: the one place two branches' importers meet over a row.
const SCHEMA: &str = "
CREATE TABLE hq_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE hq_branch (
    code        text COLLATE \"C\" PRIMARY KEY,
    name        text NOT NULL,
    key_id      text NOT NULL UNIQUE,
    sign_public text NOT NULL,
    recipient   text NOT NULL,
    high_water  bigint NOT NULL DEFAULT 0,
    last_import text,
    last_bundle text
);
CREATE TABLE hq_op (
    branch text COLLATE \"C\" NOT NULL,
    seq    bigint NOT NULL,
    part   bigint NOT NULL,
    op_id  text COLLATE \"C\" NOT NULL,
    hlc    bigint NOT NULL,
    PRIMARY KEY (branch, seq, part),
    UNIQUE (branch, op_id)
) PARTITION BY HASH (branch);
CREATE TABLE hq_key (
    tbl    text COLLATE \"C\" NOT NULL,
    row_id text COLLATE \"C\" NOT NULL,
    branch text COLLATE \"C\" NOT NULL,
    PRIMARY KEY (tbl, row_id)
);
CREATE TABLE hq_row (
    branch      text COLLATE \"C\" NOT NULL,
    tbl         text COLLATE \"C\" NOT NULL,
    row_id      text COLLATE \"C\" NOT NULL,
    fields      jsonb NOT NULL,
    sealed      bytea,
    stamps      text NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    id_index    text COLLATE \"C\",
    phone_index text COLLATE \"C\",
    PRIMARY KEY (branch, tbl, row_id)
) PARTITION BY HASH (branch);
CREATE INDEX hq_client_home ON hq_row ((fields ->> 'home_branch')) WHERE tbl = 'client';
CREATE INDEX hq_client_id_index ON hq_row (id_index) WHERE id_index IS NOT NULL;
CREATE INDEX hq_client_phone_index ON hq_row (phone_index) WHERE phone_index IS NOT NULL;
CREATE TABLE hq_claim (
    branch    text COLLATE \"C\" NOT NULL,
    tbl       text COLLATE \"C\" NOT NULL,
    row_id    text COLLATE \"C\" NOT NULL,
    name      text COLLATE \"C\" NOT NULL,
    id_number text COLLATE \"C\" NOT NULL,
    sealed    bytea,
    PRIMARY KEY (branch, tbl, row_id, name, id_number)
) PARTITION BY HASH (branch);
CREATE TABLE hq_import (
    bundle_sha256 text COLLATE \"C\" PRIMARY KEY,
    branch        text COLLATE \"C\" NOT NULL,
    from_seq      bigint NOT NULL,
    to_seq        bigint NOT NULL,
    outcome       text NOT NULL,
    at            text NOT NULL
);
CREATE TABLE hq_quarantine (
    bundle_sha256 text COLLATE \"C\" PRIMARY KEY,
    branch        text COLLATE \"C\" NOT NULL,
    from_seq      bigint NOT NULL,
    to_seq        bigint NOT NULL,
    missing_from  bigint NOT NULL,
    missing_to    bigint NOT NULL,
    file          text NOT NULL,
    at            text NOT NULL,
    reason        text NOT NULL CHECK (reason IN ('gap', 'void', 'forked', 'orphaned')),
    bundle        bytea NOT NULL,
    signature     text NOT NULL
);
CREATE TABLE hq_holding (
    branch        text COLLATE \"C\" NOT NULL,
    as_of         text COLLATE \"C\" NOT NULL,
    account       text COLLATE \"C\" NOT NULL,
    client_row    text NOT NULL,
    product       text NOT NULL,
    balance       bigint NOT NULL,
    opened_on     text NOT NULL,
    matures_on    text,
    avg_balance   bigint,
    days_past_due bigint,
    loan_class    text,
    PRIMARY KEY (branch, as_of, account)
) PARTITION BY HASH (branch);
CREATE INDEX hq_holding_by_account ON hq_holding (as_of, account);
";

// ---- values across the wire ----

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Text(v) if *ty == Type::JSONB => {
                out.extend_from_slice(&[1]);
                out.extend_from_slice(v.as_bytes());
                Ok(IsNull::No)
            }
            Param::Text(v) => v.to_sql(ty, out),
            Param::Int(v) if *ty == Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
            Param::Int(v) if *ty == Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
            Param::Int(v) => v.to_sql(ty, out),
            Param::Bool(v) => v.to_sql(ty, out),
            Param::Bytes(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Text, whatever text-like type the column is (JSON included).
struct AnyText(String);

impl<'a> FromSql<'a> for AnyText {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let raw = if *ty == Type::JSONB {
            raw.strip_prefix(&[1]).ok_or("jsonb version")?
        } else {
            raw
        };
        Ok(AnyText(std::str::from_utf8(raw)?.to_string()))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON | Type::JSONB
        )
    }
}

/// A whole number, whatever its width.
struct AnyInt(i64);

impl<'a> FromSql<'a> for AnyInt {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(AnyInt(match *ty {
            Type::INT2 => i64::from(i16::from_sql(ty, raw)?),
            Type::INT4 => i64::from(i32::from_sql(ty, raw)?),
            Type::BOOL => i64::from(bool::from_sql(ty, raw)?),
            _ => i64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::BOOL)
    }
}

impl RowRead for postgres::Row {
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        self.try_get::<_, Option<AnyText>>(i)
            .map(|v| v.map(|t| t.0))
            .map_err(|_| Error::DatabaseDamaged)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.try_get::<_, Option<AnyInt>>(i)
            .map(|v| v.map(|n| n.0))
            .map_err(|_| Error::DatabaseDamaged)
    }
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        self.try_get(i).map_err(|_| Error::DatabaseDamaged)
    }
    fn flag(&self, i: usize) -> Result<bool> {
        Ok(self.opt_int(i)?.ok_or(Error::DatabaseDamaged)? != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_consolidated_table_is_partitioned_by_branch() {
        let sql = schema();
        for table in ["hq_op", "hq_row", "hq_claim", "hq_holding"] {
            assert!(sql.contains(&format!("{table}_p15 PARTITION OF {table}")));
        }
        assert_eq!(sql.matches("PARTITION BY HASH (branch)").count(), 4);
    }
}
