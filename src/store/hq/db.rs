//! Where HQ's consolidated data lives: this store's own SQLite database, or PostgreSQL.
//! One statement text serves both: written for SQLite (`?1` parameters, `CASE` rather than
//! the two-argument `max`, `NOT deleted`), rewritten for PostgreSQL (`$1`), with the few
//! functions that differ (reading a field of a row's JSON) spelled by [`Dialect`].
//!
//! Rows hold their fields as JSON text with a sealed part beside it (`sealed`, NULL in
//! SQLite, whose whole file is encrypted): [`Hq::open_fields`] puts them back together.

use super::pg::PgHq;
use crate::error::{Error, Result};
use crate::sync::seal::Sealer;
use serde_json::{Map, Value};
use std::cell::RefMut;

/// A statement parameter either back end binds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    Bytes(&'a [u8]),
    Null,
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}
impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}
impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}
impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(v: &'a [u8]) -> Self {
        Param::Bytes(v)
    }
}
impl<'a> From<&'a Vec<u8>> for Param<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Param::Bytes(v)
    }
}
impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

/// `hq_params![a, b]`: the parameters of a statement, in order.
macro_rules! hq_params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::hq::db::Param::from($value)),*][..]
    };
}
pub(crate) use hq_params;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Text(v) => ValueRef::Text(v.as_bytes()),
            Param::Int(v) => ValueRef::Integer(v),
            Param::Bool(v) => ValueRef::Integer(i64::from(v)),
            Param::Bytes(v) => ValueRef::Blob(v),
            Param::Null => ValueRef::Null,
        }))
    }
}

/// A row of a result, read by column number whichever back end returned it.
pub(crate) trait RowRead {
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>>;
    fn flag(&self, i: usize) -> Result<bool>;

    fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or(Error::DatabaseDamaged)
    }
    fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or(Error::DatabaseDamaged)
    }
}

impl RowRead for rusqlite::Row<'_> {
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        Ok(self.get(i)?)
    }
    fn flag(&self, i: usize) -> Result<bool> {
        Ok(self.get(i)?)
    }
}

/// How the back ends spell what they spell differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A text field of a row's JSON column (NULL when absent).
    pub fn text(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{field}')"),
            Dialect::Postgres => format!("({column} ->> '{field}')"),
        }
    }

    /// A whole-number field of a row's JSON column (NULL when absent).
    pub fn int(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{field}')"),
            Dialect::Postgres => format!("(({column} ->> '{field}')::bigint)"),
        }
    }
}

/// HQ's consolidated data, for reading (a session's connection, or its PostgreSQL one).
pub(crate) enum Hq<'s> {
    Local(&'s rusqlite::Connection),
    Pg(RefMut<'s, PgHq>),
}

/// Reading HQ's consolidated data, whichever back end and whether inside a write or not.
pub(crate) trait HqRead {
    fn dialect(&self) -> Dialect;

    /// The sealer of personal data (None: this store's own database, encrypted whole).
    fn sealer(&self) -> Option<&Sealer>;

    /// Every row of a statement, each made by `row`.
    fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        row: impl FnMut(&dyn RowRead) -> Result<T>,
    ) -> Result<Vec<T>>;

    /// The first row of a statement, if any.
    fn opt<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        row: impl FnMut(&dyn RowRead) -> Result<T>,
    ) -> Result<Option<T>> {
        Ok(self.rows(sql, params, row)?.into_iter().next())
    }

    /// The one row of a statement (an aggregate, a row known to exist).
    fn one<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        row: impl FnMut(&dyn RowRead) -> Result<T>,
    ) -> Result<T> {
        self.opt(sql, params, row)?.ok_or(Error::DatabaseDamaged)
    }

    /// A row's fields: its clear JSON with its sealed part opened over it.
    fn open_fields(
        &self,
        table: &str,
        row_id: &str,
        fields: &str,
        sealed: Option<&[u8]>,
    ) -> Result<Map<String, Value>> {
        open_fields(self.sealer(), table, row_id, fields, sealed)
    }
}

impl HqRead for Hq<'_> {
    fn dialect(&self) -> Dialect {
        match self {
            Hq::Local(_) => Dialect::Sqlite,
            Hq::Pg(_) => Dialect::Postgres,
        }
    }

    fn sealer(&self) -> Option<&Sealer> {
        match self {
            Hq::Local(_) => None,
            Hq::Pg(pg) => Some(&pg.sealer),
        }
    }

    fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        mut row: impl FnMut(&dyn RowRead) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Hq::Local(conn) => local_rows(conn, sql, params, row),
            Hq::Pg(pg) => pg.each(sql, params, |r| row(r as &dyn RowRead)),
        }
    }
}

/// HQ's consolidated data inside a write: the store's own transaction (with its audit row),
/// or a PostgreSQL transaction.
pub(crate) enum HqTx<'w, 't> {
    Local(&'w mut crate::store::write::Writer<'t>),
    Pg(&'w mut super::pg::PgTx<'t>),
}

impl HqRead for HqTx<'_, '_> {
    fn dialect(&self) -> Dialect {
        match self {
            HqTx::Local(_) => Dialect::Sqlite,
            HqTx::Pg(_) => Dialect::Postgres,
        }
    }

    fn sealer(&self) -> Option<&Sealer> {
        match self {
            HqTx::Local(_) => None,
            HqTx::Pg(tx) => Some(tx.sealer),
        }
    }

    fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        mut row: impl FnMut(&dyn RowRead) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            HqTx::Local(w) => local_rows(w.connection(), sql, params, row),
            HqTx::Pg(tx) => tx.each(sql, params, |r| row(r as &dyn RowRead)),
        }
    }
}

impl HqTx<'_, '_> {
    /// Runs a statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        match self {
            HqTx::Local(w) => {
                Ok(w.connection()
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            HqTx::Pg(tx) => tx.execute(sql, params),
        }
    }
}

fn local_rows<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Param],
    mut row: impl FnMut(&dyn RowRead) -> Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(row(r as &dyn RowRead)?);
    }
    Ok(out)
}

/// The sealing context of a row: its table and key, so that a sealed part opens only in
/// the row it was sealed for.
pub(crate) fn seal_context(table: &str, row_id: &str) -> Vec<u8> {
    let mut context = Vec::with_capacity(table.len() + row_id.len() + 1);
    context.extend_from_slice(table.as_bytes());
    context.push(0);
    context.extend_from_slice(row_id.as_bytes());
    context
}

/// A row's fields as stored: the clear part as JSON text and, with a sealer, the rest
/// sealed (None when nothing is personal, or without a sealer).
pub(crate) fn seal_fields(
    sealer: Option<&Sealer>,
    table: &str,
    row_id: &str,
    fields: Map<String, Value>,
) -> (String, Option<Vec<u8>>) {
    let Some(sealer) = sealer else {
        return (Value::Object(fields).to_string(), None);
    };
    let (clear, personal) = crate::sync::seal::split(fields);
    let sealed = (!personal.is_empty()).then(|| {
        let plain = zeroize::Zeroizing::new(Value::Object(personal).to_string());
        sealer.seal(plain.as_bytes(), &seal_context(table, row_id))
    });
    (Value::Object(clear).to_string(), sealed)
}

/// The inverse of [`seal_fields`].
pub(crate) fn open_fields(
    sealer: Option<&Sealer>,
    table: &str,
    row_id: &str,
    fields: &str,
    sealed: Option<&[u8]>,
) -> Result<Map<String, Value>> {
    let mut open: Map<String, Value> =
        serde_json::from_str(fields).map_err(|_| Error::DatabaseDamaged)?;
    if let Some(sealed) = sealed {
        let sealer = sealer.ok_or(Error::DatabaseDamaged)?;
        let plain = sealer
            .open(sealed, &seal_context(table, row_id))
            .map_err(|_| Error::DatabaseDamaged)?;
        let personal: Map<String, Value> =
            serde_json::from_slice(&plain).map_err(|_| Error::DatabaseDamaged)?;
        open.extend(personal);
    }
    Ok(open)
}

/// The value a lookup by ID number or phone compares: the blind index with a sealer, the
/// value itself (upper case, no spaces) in SQLite.
pub(crate) fn lookup_key(sealer: Option<&Sealer>, kind: &str, value: &str) -> String {
    match sealer {
        Some(sealer) => sealer.index(kind, value),
        None => value
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect(),
    }
}

/// `?1`-style parameters as PostgreSQL's `$1` (outside quoted text).
pub(crate) fn postgres_text(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_outside_quotes_only() {
        assert_eq!(
            postgres_text("SELECT '?1' FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1' FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn fields_sealed_and_opened_again_are_the_same_fields() {
        let sealer = Sealer::new(&crate::sync::seal::DataKey::generate());
        let serde_json::Value::Object(fields) = serde_json::json!({
            "name": "李娜", "home_branch": "BJ0101", "risk_level": 2
        }) else {
            unreachable!()
        };
        let (clear, sealed) = seal_fields(Some(&sealer), "client", "r1", fields.clone());
        assert!(!clear.contains("李娜") && clear.contains("BJ0101"));
        let opened = open_fields(Some(&sealer), "client", "r1", &clear, sealed.as_deref());
        assert_eq!(opened.unwrap(), fields);
        assert!(open_fields(Some(&sealer), "client", "r2", &clear, sealed.as_deref()).is_err());
        let (plain, none) = seal_fields(None, "client", "r1", fields.clone());
        assert!(none.is_none());
        assert_eq!(
            open_fields(None, "client", "r1", &plain, None).unwrap(),
            fields
        );
    }
}
