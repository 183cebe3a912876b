//! The client book HQ sends down with a holdings snapshot, applied here through the merge
//! HQ uses (`sync::merge`): HQ's copy of each client, then this branch's own changes to it
//! still in the outbox (HQ may not have them yet), merged over it field by field by their
//! stamps. The result is the row HQ will hold once it has those changes, so every store
//! that applies the same book and sends its changes converges on the same clients.
//!
//! An edit made here that a later edit at another branch replaced goes on the review list
//! with both values, never silently; so does a client of HQ's whose identity document or
//! client number another client here already has (that one is not brought in). Nothing
//! applied from the book goes back into the outbox: HQ has it.

use super::{
    CLIENT_COLUMNS, client_from_fields, client_from_row, local_fields, record_fields,
    remove_index_rows, write_card, write_index_rows,
};
use crate::domain::client::StoredClient;
use crate::error::{Error, Result};
use crate::store::care;
use crate::store::sync::{outbox_columns, outbox_op, range_bounds, range_insert, row_fields};
use crate::store::write::Writer;
use crate::sync::bundle::{Op, sha256_hex};
use crate::sync::merge::{Merge, Merged, merge, stamp, stamp_branch, stamp_hlc, stamp_of};
use crate::sync::reference::BookClient;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::HashMap;

/// What applying HQ's client book did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BookApplied {
    /// Clients in HQ's book.
    pub received: u64,
    /// Brought in: registered at another branch, or lost here in a restore.
    pub added: u64,
    /// Changed to HQ's copy (corrected at another branch).
    pub updated: u64,
    /// Entries put on the review list.
    pub review: u64,
    /// HQ's copies this build cannot read (a code from a newer HQ, a row HQ holds only in
    /// part): passed over, the client here left as it is.
    pub unreadable: u64,
    /// The latest clock reading among the copies applied (this store's clock continues
    /// past it, so that an edit made here after seeing them stamps after them).
    #[serde(skip)]
    pub latest_hlc: i64,
}

/// Fields every write touches: a difference in them alone is not a change of the client.
const BOOKKEEPING: [&str; 2] = ["hlc", "updated_at"];

/// Applies `book` (see the module) inside the snapshot's write.
pub(crate) fn apply_book(
    w: &mut Writer,
    store_branch: &str,
    book: &[BookClient],
) -> Result<BookApplied> {
    let mut applied = BookApplied {
        received: book.len() as u64,
        ..BookApplied::default()
    };
    if book.is_empty() {
        return Ok(applied);
    }
    // The copies applied before, from a narrow table of their own (the client rows are
    // wide: reading a million of them costs seconds).
    let applied_before: HashMap<String, String> = {
        let mut statement = w.connection().prepare("SELECT id, digest FROM client_hq")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut pending: Option<Pending> = None;
    for client in book {
        let digest = digest(client);
        if applied_before.get(&client.row_id) == Some(&digest) {
            continue;
        }
        let here: Option<i64> = w.read(
            "SELECT seq FROM client WHERE id = ?1",
            [&client.row_id],
            |r| r.get(0),
        )?;
        let pending = match &mut pending {
            Some(pending) => pending,
            None => pending.insert(Pending::read(w)?),
        };
        let Ok(hq) =
            Merged::from_stored(client.owner.clone(), &client.fields, &client.stamps, false)
        else {
            applied.unreadable += 1;
            continue;
        };
        let seq = here;
        let ops = pending.ops_for(w, &client.row_id, seq, hq.first_stamp(), store_branch)?;
        let row = merged_with(hq, &ops, store_branch)?;
        let Ok(incoming) = client_from_fields(&row.fields) else {
            applied.unreadable += 1;
            continue;
        };
        let hlc = row.fields.get("hlc").and_then(Json::as_i64).unwrap_or(0);
        applied.latest_hlc = applied.latest_hlc.max(latest_hlc(&row));
        // A client of HQ's with the document or number of another client here is not
        // written (nor marked applied): it is listed, and looked at again with each book.
        if let Some(clash) = clash(w, &incoming)? {
            applied.review += note_clash(w, &clash)?;
            if let Some(seq) = seq
                && seq != clash.seq
            {
                applied.review += note_clash(
                    w,
                    &Clash {
                        seq,
                        lost: clash.lost,
                    },
                )?;
            }
            continue;
        }
        match seq {
            Some(seq) => {
                for lost in superseded(&ops, &row, store_branch) {
                    applied.review += note(w, seq, &lost)?;
                }
                let current = read_client(w, seq)?;
                if current == incoming {
                    set_digest(w, &client.row_id, &digest)?;
                    continue;
                }
                put(
                    w,
                    store_branch,
                    seq,
                    Some(&current),
                    &incoming,
                    hlc,
                    &digest,
                )?;
                applied.updated += 1;
            }
            None => {
                let seq: i64 = w
                    .read(super::load::NEXT_CLIENT_SEQ, [], |r| r.get(0))?
                    .unwrap_or(1);
                put(w, store_branch, seq, None, &incoming, hlc, &digest)?;
                applied.added += 1;
            }
        }
    }
    Ok(applied)
}

/// What HQ's copy of a client is, to pass over a copy already applied.
fn digest(client: &BookClient) -> String {
    let text = format!(
        "{}\n{}\n{}\n{}",
        client.row_id, client.owner, client.fields, client.stamps
    );
    sha256_hex(text.as_bytes())
}

/// HQ's copy with this branch's pending changes merged over it.
fn merged_with(hq: Merged, ops: &[Op], store_branch: &str) -> Result<Merged> {
    let mut row = hq;
    for op in ops {
        if let Merge::Put(next) = merge(Some(row.clone()), op, store_branch)
            .map_err(|e| Error::internal(format!("outbox row {}: {e}", op.seq)))?
        {
            row = next;
        }
    }
    Ok(row)
}

/// A value of a review entry as text.
fn as_text(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A review entry before it has a client number and a time.
struct Lost {
    field: String,
    kept: String,
    kept_branch: String,
    lost: String,
    lost_branch: String,
}

/// The fields this branch's pending edits wrote that the merged row holds another value
/// of: a later edit elsewhere replaced them. (A registration's fields corrected later are
/// corrections, not listed.)
fn superseded(ops: &[Op], row: &Merged, store_branch: &str) -> Vec<Lost> {
    let mut latest: HashMap<String, (String, Json)> = HashMap::new();
    for op in ops.iter().filter(|op| op.op == "update") {
        let Ok(fields) = op.fields_map() else {
            continue;
        };
        let stamp = stamp(op, store_branch);
        for (name, value) in fields {
            if BOOKKEEPING.contains(&name.as_str()) {
                continue;
            }
            let newer = latest.get(&name).is_none_or(|(s, _)| stamp > *s);
            if newer {
                latest.insert(name, (stamp.clone(), value));
            }
        }
    }
    let stamps = row.resolved_stamps();
    let mut lost: Vec<Lost> = latest
        .into_iter()
        .filter(|(name, (_, value))| row.fields.get(name) != Some(value))
        .map(|(name, (_, value))| Lost {
            kept: as_text(row.fields.get(&name)),
            kept_branch: stamps
                .get(&name)
                .map(|s| stamp_branch(s).to_string())
                .unwrap_or_default(),
            lost: as_text(Some(&value)),
            lost_branch: store_branch.to_string(),
            field: name,
        })
        .collect();
    lost.sort_by(|a, b| a.field.cmp(&b.field));
    lost
}

/// A client of HQ's that clashes with one here: the client to note it against, and what.
struct Clash {
    seq: i64,
    lost: Lost,
}

/// Another client here with the incoming one's identity document or client number.
fn clash(w: &Writer, incoming: &StoredClient) -> Result<Option<Clash>> {
    let other: Option<(i64, String, String)> = w.read(
        "SELECT seq, client_no, home_branch FROM client
         WHERE ((id_type = ?1 AND id_number = ?2) OR client_no = ?3) AND id <> ?4 LIMIT 1",
        params![
            incoming.record.id_type.code(),
            incoming.record.id_number,
            incoming.client_no,
            incoming.id
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(other.map(|(seq, client_no, home_branch)| Clash {
        seq,
        lost: Lost {
            field: "duplicate".into(),
            kept: client_no,
            kept_branch: home_branch,
            lost: incoming.client_no.clone(),
            lost_branch: incoming.home_branch.clone(),
        },
    }))
}

/// Lists a clash; one resolved while the clash is still there is listed again (resolving
/// it means correcting one of the two clients). Returns how many entries are new.
fn note_clash(w: &mut Writer, clash: &Clash) -> Result<u64> {
    list(
        w,
        "INSERT INTO client_review
         (client_seq, field, kept, kept_branch, lost, lost_branch, noted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (client_seq, field, lost) DO UPDATE
             SET resolved_at = NULL, resolved_by = NULL, noted_at = excluded.noted_at
             WHERE client_review.resolved_at IS NOT NULL",
        clash.seq,
        &clash.lost,
    )
}

/// The latest clock reading among a row's stamps (each begins with it).
fn latest_hlc(row: &Merged) -> i64 {
    row.resolved_stamps()
        .values()
        .filter_map(|stamp| stamp_hlc(stamp))
        .max()
        .unwrap_or(0)
}

/// Puts an entry on the review list, once: the same book applied again (or the same edit
/// still waiting to be sent) does not list it again, nor after it was resolved. Returns
/// how many entries are new.
fn note(w: &mut Writer, seq: i64, lost: &Lost) -> Result<u64> {
    list(
        w,
        "INSERT OR IGNORE INTO client_review
         (client_seq, field, kept, kept_branch, lost, lost_branch, noted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        seq,
        lost,
    )
}

/// Writes an entry of the review list with `sql` (one of the two above); how many rows it
/// added or opened again.
fn list(w: &mut Writer, sql: &'static str, seq: i64, lost: &Lost) -> Result<u64> {
    let now = w.now_text();
    let listed = w.execute_local(
        sql,
        params![
            seq,
            lost.field,
            lost.kept,
            lost.kept_branch,
            lost.lost,
            lost.lost_branch,
            now
        ],
    )?;
    Ok(listed as u64)
}

fn set_digest(w: &mut Writer, id: &str, digest: &str) -> Result<()> {
    w.execute_local(
        "INSERT OR REPLACE INTO client_hq (id, digest) VALUES (?1, ?2)",
        params![id, digest],
    )?;
    Ok(())
}

fn read_client(w: &Writer, seq: i64) -> Result<StoredClient> {
    let sql = format!("SELECT {CLIENT_COLUMNS} FROM client WHERE seq = ?1");
    let row = w
        .connection()
        .prepare_cached(&sql)?
        .query_row([seq], |row| Ok(client_from_row(row)))
        .optional()?;
    match row {
        Some(client) => Ok(client?.1),
        None => Err(Error::DatabaseDamaged),
    }
}

/// Writes HQ's copy of a client as row `seq` (new when `current` is None), with its lookup
/// rows, card and care keys, without an outbox entry.
fn put(
    w: &mut Writer,
    store_branch: &str,
    seq: i64,
    current: Option<&StoredClient>,
    client: &StoredClient,
    hlc: i64,
    digest: &str,
) -> Result<()> {
    let record = &client.record;
    let foreign = client.home_branch != store_branch;
    let mut columns: Vec<(&'static str, Value)> = record_fields(record);
    columns.extend([
        ("client_no", Value::Text(client.client_no.clone())),
        ("home_branch", Value::Text(client.home_branch.clone())),
        ("created_at", Value::Text(client.created_at.clone())),
        ("updated_at", Value::Text(client.updated_at.clone())),
    ]);
    columns.extend(local_fields(foreign, record));
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let mut values: Vec<Value> = columns.into_iter().map(|(_, value)| value).collect();
    values.push(Value::Integer(seq));
    values.push(Value::Integer(hlc));
    let sql = match current {
        Some(_) => {
            let sets: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, name)| format!("{name} = ?{}", i + 1))
                .collect();
            format!(
                "UPDATE client SET {}, hlc = max(hlc, ?{}) WHERE seq = ?{}",
                sets.join(", "),
                names.len() + 2,
                names.len() + 1
            )
        }
        None => {
            values.push(Value::Text(client.id.clone()));
            let marks: Vec<String> = (1..=names.len() + 3).map(|i| format!("?{i}")).collect();
            format!(
                "INSERT INTO client ({}, seq, hlc, id) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            )
        }
    };
    w.connection()
        .prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    let was_foreign = current.map(|c| c.home_branch != store_branch);
    let old_name = current.map(|c| c.record.name.as_str());
    if was_foreign != Some(foreign) || old_name != Some(record.name.as_str()) {
        if let (Some(was_foreign), Some(old_name)) = (was_foreign, old_name) {
            remove_index_rows(w, seq, was_foreign, old_name)?;
        }
        write_index_rows(w, seq, foreign, &record.name)?;
    }
    if foreign {
        w.maintain_index(
            "DELETE FROM care_key WHERE client_seq = ?1 AND ref = ''",
            params![seq],
        )?;
    } else {
        let registered_on = client
            .created_at
            .get(..10)
            .and_then(|d| d.parse().ok())
            .or_else(|| w.now_text().get(..10).and_then(|d| d.parse().ok()))
            .unwrap_or_default();
        care::write_client_keys(w, seq, record, registered_on)?;
    }
    if current.is_some_and(|c| c.record.assigned_rm != record.assigned_rm) {
        crate::store::standing::follow_rm(w, seq, record.assigned_rm.as_deref())?;
    }
    write_card(
        w,
        seq,
        record,
        store_branch,
        &client.home_branch,
        &client.client_no,
    )?;
    // A change made elsewhere to this branch's client asks for an early review here, as
    // the same change made here would.
    if let Some(current) = current.filter(|_| !foreign) {
        let today = crate::store::risk::state::local_day(&w.now_text())?;
        for trigger in crate::domain::aml::record_triggers(&current.record, record) {
            crate::store::risk::insert_trigger(
                w,
                &crate::store::risk::Raised {
                    seq,
                    client_id: &client.id,
                    trigger,
                    on: today,
                    detail: "hq",
                },
            )?;
        }
    }
    // The desk's row goes with the copy it was derived from (an RM, a document, a home
    // branch may have changed); the snapshot's apply writes it again for a client of this
    // branch (`risk::state::fill_missing`).
    w.maintain_index("DELETE FROM aml_state WHERE client_seq = ?1", params![seq])?;
    set_digest(w, &client.id, digest)
}

/// This branch's changes to clients still in the outbox, by client.
struct Pending {
    by_row: HashMap<String, Vec<Op>>,
    /// Bulk loads not yet acknowledged: each stands for an insert of every row it covers.
    ranges: Vec<(i64, i64, Op)>,
    /// The rows each bulk load covers, in order (a row's place is its `part`), read once
    /// per load when first needed.
    range_rows: HashMap<i64, Vec<i64>>,
}

impl Pending {
    fn read(w: &Writer) -> Result<Pending> {
        let mut pending = Pending {
            by_row: HashMap::new(),
            ranges: Vec::new(),
            range_rows: HashMap::new(),
        };
        let mut statement = w.connection().prepare(concat!(
            outbox_columns!(),
            " FROM outbox WHERE tbl = 'client' ORDER BY seq"
        ))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let op = outbox_op(row)?;
            if op.op == "insert_range" {
                let (first, last) = range_bounds(&op)?;
                pending.ranges.push((first, last, op));
            } else {
                pending
                    .by_row
                    .entry(op.row_id.clone())
                    .or_default()
                    .push(op);
            }
        }
        Ok(pending)
    }

    /// The pending changes of client `row_id` (local row `seq`, if here), in order: a bulk
    /// load's insert as the export will send it, unless HQ's row (whose earliest write is
    /// `hq_first`) began with it.
    fn ops_for(
        &mut self,
        w: &Writer,
        row_id: &str,
        seq: Option<i64>,
        hq_first: Option<&str>,
        store_branch: &str,
    ) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        if let Some(seq) = seq {
            for (first, last, range) in &self.ranges {
                if !(*first..=*last).contains(&seq) {
                    continue;
                }
                let rows = match self.range_rows.entry(range.seq) {
                    std::collections::hash_map::Entry::Occupied(rows) => rows.into_mut(),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        let rows = w
                            .connection()
                            .prepare(
                                "SELECT seq FROM client WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
                            )?
                            .query_map(params![first, last], |r| r.get::<_, i64>(0))?
                            .collect::<rusqlite::Result<Vec<i64>>>()?;
                        slot.insert(rows)
                    }
                };
                let Ok(part) = rows.binary_search(&seq) else {
                    continue;
                };
                let part = part as i64;
                // HQ's row began with this very insert: every field HQ holds is stamped at
                // or after it, so merging it again changes nothing (the first book after a
                // bulk load would otherwise rebuild every row's insert).
                if hq_first == Some(stamp_of(range.hlc, store_branch, range.seq, part).as_str()) {
                    continue;
                }
                let mut statement = w
                    .connection()
                    .prepare_cached("SELECT * FROM client WHERE seq = ?1")?;
                let columns: Vec<String> =
                    statement.column_names().map(|c| c.to_string()).collect();
                let mut rows = statement.query([seq])?;
                if let Some(row) = rows.next()? {
                    let (_, fields) = row_fields(row, &columns)?;
                    ops.push(range_insert(range, part, row_id.to_string(), &fields));
                }
            }
        }
        ops.extend(self.by_row.get(row_id).into_iter().flatten().cloned());
        ops.sort_by_key(|op| (op.seq, op.part));
        Ok(ops)
    }
}
