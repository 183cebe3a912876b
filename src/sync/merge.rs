//! The rule HQ merges branches' changes by: one op and the row HQ holds give the row after
//! it. Pure, so its promise — any order and any repetition of the same ops give the same
//! rows, stamps and review list — is tested on its own (`merge/tests.rs`); `store::hq`
//! reads the row, asks this module, and writes what it says.
//!
//! - Insert-only tables (responses, history, audit, contacts, templates) keep the first copy
//!   of a row: every copy is the same.
//! - Other rows merge field by field: the write with the greatest stamp (HLC, branch, seq,
//!   part) wins each field. A delete is a tombstone that, once written, stays.
//! - A row belongs to the branch of its earliest write, whatever order writes arrive in.
//! - A client's name and ID number as each branch wrote them are claims; two branches
//!   writing them differently puts the client on the review list.

use super::bundle::Op;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Tables whose rows are never changed once written: the first copy is kept.
pub const INSERT_ONLY: [&str; 12] = [
    "assessment",
    "loyalty_entry",
    "aml_rating",
    "aml_trigger",
    "restriction_override",
    "client_closure",
    "offer_outcome",
    "survey_response",
    "complaint_event",
    "audit_log",
    "interaction",
    "survey_template",
];
/// Tables whose row IDs are only unique within a branch (staff IDs, settings keys, audit
/// row numbers): HQ keys them by branch too.
pub const PER_BRANCH: [&str; 4] = ["audit_log", "settings", "staff", "survey_template"];
/// Stamp keys that are not fields: the delete, the earliest write, and the stamp of every
/// field the row was created with (so a new row stores one stamp, not one per field).
const TOMBSTONE: &str = "_deleted";
const FIRST: &str = "_first";
const DEFAULT_STAMP: &str = "*";

/// An op that cannot be merged (it passed the bundle's checks, so this is a bug upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedOp(&'static str);

impl fmt::Display for MalformedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Orders writes: HLC, then branch, then position. Fixed width (branch codes are at most 16
/// characters, padded with spaces, which sort before any character a code may hold), so the
/// text order is this order.
pub fn stamp(op: &Op, branch: &str) -> String {
    stamp_of(op.hlc, branch, op.seq, op.part)
}

/// [`stamp`] from its parts (an op not built yet).
pub fn stamp_of(hlc: i64, branch: &str, seq: i64, part: i64) -> String {
    format!(
        "{:020}:{branch:<16}:{:012}:{:06}",
        hlc.max(0),
        seq.max(0),
        part.max(0)
    )
}

/// The clock reading a stamp begins with.
pub fn stamp_hlc(stamp: &str) -> Option<i64> {
    stamp.split(':').next()?.parse().ok()
}

/// The branch whose write a stamp is.
pub fn stamp_branch(stamp: &str) -> &str {
    stamp.split(':').nth(1).map_or("", str::trim_end)
}

/// The key HQ holds a row under.
pub fn row_key(table: &str, branch: &str, row_id: &str) -> String {
    if PER_BRANCH.contains(&table) {
        format!("{branch}/{row_id}")
    } else {
        row_id.to_string()
    }
}

pub fn is_insert_only(table: &str) -> bool {
    INSERT_ONLY.contains(&table)
}

/// A row as HQ holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The branch of the row's earliest write.
    pub owner: String,
    pub fields: Map<String, Value>,
    /// Each field's stamp where it differs from the default, plus the default, the earliest
    /// write and the tombstone.
    pub stamps: Map<String, Value>,
    pub deleted: bool,
}

impl Merged {
    /// A row as stored (fields and stamps as JSON text).
    pub fn from_stored(
        owner: String,
        fields: &str,
        stamps: &str,
        deleted: bool,
    ) -> Result<Merged, MalformedOp> {
        let object = |text: &str| {
            serde_json::from_str::<Map<String, Value>>(text)
                .map_err(|_| MalformedOp("a stored row does not parse"))
        };
        Ok(Merged {
            owner,
            fields: object(fields)?,
            stamps: object(stamps)?,
            deleted,
        })
    }

    /// The stamp a field carries: its own, else the row's default (the stamp of the write
    /// that created the row with it); None for a field never written.
    fn field_stamp(&self, name: &str) -> Option<&str> {
        self.stamps.get(name).and_then(Value::as_str).or_else(|| {
            self.fields
                .contains_key(name)
                .then(|| self.stamps.get(DEFAULT_STAMP).and_then(Value::as_str))
                .flatten()
        })
    }

    /// The stamp of the row's earliest write.
    pub fn first_stamp(&self) -> Option<&str> {
        self.stamps.get(FIRST).and_then(Value::as_str)
    }

    /// What the stamps mean, whatever order wrote them: every field's stamp spelled out,
    /// with the earliest write and the tombstone.
    pub fn resolved_stamps(&self) -> BTreeMap<String, String> {
        let mut resolved: BTreeMap<String, String> = self
            .fields
            .keys()
            .filter_map(|name| Some((name.clone(), self.field_stamp(name)?.to_string())))
            .collect();
        for key in [FIRST, TOMBSTONE] {
            if let Some(stamp) = self.stamps.get(key).and_then(Value::as_str) {
                resolved.insert(key.to_string(), stamp.to_string());
            }
        }
        resolved
    }
}

/// The stamps of a row that `op` creates (the default and the earliest write are its own).
/// A stamp is digits, code characters, spaces and colons: nothing JSON must escape, so new
/// rows are stored without building a map.
pub fn new_row_stamps(stamp: &str) -> String {
    format!("{{\"{DEFAULT_STAMP}\":\"{stamp}\",\"{FIRST}\":\"{stamp}\"}}")
}

/// Checks that an op's fields are a JSON object (the fast path stores them unparsed).
pub fn check_fields(op: &Op) -> Result<(), MalformedOp> {
    if op.fields.get().trim_start().starts_with('{') {
        Ok(())
    } else {
        Err(MalformedOp("an op's fields are not an object"))
    }
}

/// What an op does to the row HQ holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Merge {
    /// Nothing changes (a later copy of an insert-only row).
    Unchanged,
    /// The row as it now stands (new, or changed).
    Put(Merged),
}

/// The row after `op` from `branch`, given the row HQ holds (None when it has none yet: a
/// change that arrives before the row's creation starts the row).
pub fn merge(current: Option<Merged>, op: &Op, branch: &str) -> Result<Merge, MalformedOp> {
    check_fields(op)?;
    let incoming: Map<String, Value> = serde_json::from_str(op.fields.get())
        .map_err(|_| MalformedOp("an op's fields do not parse"))?;
    let stamp = stamp(op, branch);
    let is_delete = op.op == "delete";
    let Some(mut row) = current else {
        let mut stamps: Map<String, Value> = Map::new();
        stamps.insert(DEFAULT_STAMP.into(), Value::from(stamp.clone()));
        stamps.insert(FIRST.into(), Value::from(stamp.clone()));
        if is_delete {
            stamps.insert(TOMBSTONE.into(), Value::from(stamp));
        }
        return Ok(Merge::Put(Merged {
            owner: branch.to_string(),
            fields: incoming,
            stamps,
            deleted: is_delete,
        }));
    };
    if is_insert_only(&op.table) {
        return Ok(Merge::Unchanged);
    }
    let earlier = row
        .stamps
        .get(FIRST)
        .and_then(Value::as_str)
        .is_none_or(|first| stamp.as_str() < first);
    if earlier {
        row.stamps.insert(FIRST.into(), Value::from(stamp.clone()));
        row.owner = branch.to_string();
    }
    if is_delete {
        row.deleted = true;
        let newer = row
            .stamps
            .get(TOMBSTONE)
            .and_then(Value::as_str)
            .is_none_or(|s| stamp.as_str() > s);
        if newer {
            row.stamps
                .insert(TOMBSTONE.into(), Value::from(stamp.clone()));
        }
    }
    for (name, value) in incoming {
        let newer = row.field_stamp(&name).is_none_or(|s| stamp.as_str() > s);
        if newer {
            row.stamps.insert(name.clone(), Value::from(stamp.clone()));
            row.fields.insert(name, value);
        }
    }
    Ok(Merge::Put(row))
}

/// What one branch wrote to a client's identity fields ('' for a field the op left out).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Claim {
    pub table: String,
    pub row_key: String,
    pub branch: String,
    pub name: String,
    pub id_number: String,
}

/// The fields that identify a client, read from an op without parsing the rest.
#[derive(serde::Deserialize)]
struct Identity {
    name: Option<Value>,
    id_number: Option<Value>,
}

/// The claim an op makes, if it writes a client's name or ID number.
pub fn claim(op: &Op, branch: &str) -> Result<Option<Claim>, MalformedOp> {
    if op.table != "client" {
        return Ok(None);
    }
    let identity: Identity = serde_json::from_str(op.fields.get())
        .map_err(|_| MalformedOp("an op's fields do not parse"))?;
    if identity.name.is_none() && identity.id_number.is_none() {
        return Ok(None);
    }
    let text = |value: Option<Value>| {
        value.map_or_else(String::new, |v| {
            v.as_str().map_or_else(|| v.to_string(), str::to_string)
        })
    };
    Ok(Some(Claim {
        table: op.table.clone(),
        row_key: row_key(&op.table, branch, &op.row_id),
        branch: branch.to_string(),
        name: text(identity.name),
        id_number: text(identity.id_number),
    }))
}

/// An identity field that branches wrote differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    pub table: String,
    pub row_id: String,
    pub field: String,
    /// (branch, value), sorted.
    pub claims: Vec<(String, String)>,
}

/// The review list of a set of claims: each identity field that more than one branch wrote,
/// with more than one value. (`store::hq` asks the database the same question in SQL; a
/// test keeps the two in agreement.)
pub fn review<'a>(claims: impl IntoIterator<Item = &'a Claim>) -> Vec<ReviewItem> {
    type Field = (String, String, &'static str);
    let mut by_field: BTreeMap<Field, BTreeSet<(String, String)>> = BTreeMap::new();
    for claim in claims {
        for (field, value) in [("name", &claim.name), ("id_number", &claim.id_number)] {
            if !value.is_empty() {
                by_field
                    .entry((claim.table.clone(), claim.row_key.clone(), field))
                    .or_default()
                    .insert((claim.branch.clone(), value.clone()));
            }
        }
    }
    by_field
        .into_iter()
        .filter(|(_, claims)| {
            let values: BTreeSet<&String> = claims.iter().map(|(_, v)| v).collect();
            let branches: BTreeSet<&String> = claims.iter().map(|(b, _)| b).collect();
            values.len() > 1 && branches.len() > 1
        })
        .map(|((table, row_id, field), claims)| ReviewItem {
            table,
            row_id,
            field: field.to_string(),
            claims: claims.into_iter().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
