//! A bundle's ops applied on PostgreSQL a batch at a time, set by set, inside the bundle's
//! transaction. The merge (`sync::merge`, the same pure function the SQLite back end asks op
//! by op) makes each row's new state in memory; the database only stores it.
//!
//! - Most batches are new ops making new rows (a day's new clients, contacts, answers): a
//!   second thread merges, seals and encodes each batch for binary `COPY` straight into
//!   `hq_op`, `hq_key`, `hq_claim` and `hq_row` ([`Pipeline`]) while this one sends the batch
//!   before it.
//! - A batch that meets anything held already (an op, a key, a row) is undone to its
//!   savepoint and goes the set-based way: binary `COPY` into a staging table and from there
//!   into `hq_op` in one statement (which says which ops are new); the rows those ops touch
//!   locked through their keys and read in one statement; the rows back by one `DELETE` and
//!   one binary `COPY`.
//!
//! A row of an insert-only table is only ever written by the branch that made it (its key is
//! a UUID the branch drew), so it needs no entry in `hq_key`: the branch's own lock is
//! enough.

use super::db::{Param, seal_fields};
use super::import::lookup_in;
use super::pg::{CopyRows, PgTx, db_error};
use super::status::claim_context;
use crate::error::{Error, HqDbProblem, Result};
use crate::sync::bundle::Op;
use crate::sync::merge::{self, Merge, Merged};
use crate::sync::seal::Sealer;
use postgres::types::Type;
use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Ops applied per set-based step (the stream hands them over in smaller batches).
pub(super) const BATCH: usize = 8192;

/// The staging table of this connection (emptied at each commit).
const STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS hq_stage (
    seq bigint NOT NULL, part bigint NOT NULL, op_id text NOT NULL, hlc bigint NOT NULL
) ON COMMIT DELETE ROWS";

/// New ops gathered into batches: each batch is merged, sealed and encoded on a second
/// thread while this one writes the batch before it, in the bundle's order.
pub(super) struct Pipeline {
    pending: Vec<Op>,
    to_prepare: Option<SyncSender<Vec<Op>>>,
    prepared: Receiver<Prepared>,
    in_flight: usize,
    /// Whether a batch has been written (the crash point after the first).
    first_written: bool,
}

impl Pipeline {
    pub fn start<'scope, 'env: 'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        sealer: &'env Sealer,
        branch: &'env str,
    ) -> Pipeline {
        let (to_prepare, batches) = sync_channel::<Vec<Op>>(1);
        let (ready, prepared) = sync_channel(1);
        // Stops when the writer has gone (its work failed) or has no more batches.
        scope.spawn(move || {
            for ops in batches {
                if ready.send(prepare(sealer, branch, ops)).is_err() {
                    return;
                }
            }
        });
        Pipeline {
            pending: Vec::with_capacity(BATCH),
            to_prepare: Some(to_prepare),
            prepared,
            in_flight: 0,
            first_written: false,
        }
    }

    /// Takes an op none of whose number HQ holds yet; how many ops the batches written now
    /// brought that were new.
    pub fn push(&mut self, tx: &mut PgTx, branch: &str, op: Op) -> Result<u64> {
        self.pending.push(op);
        if self.pending.len() < BATCH {
            return Ok(0);
        }
        self.hand_over()?;
        // One batch is made ready while the one before it is written: the older of two in
        // flight is written now, the newer left to the other thread.
        if self.in_flight < 2 {
            return Ok(0);
        }
        self.write_next(tx, branch)
    }

    /// Writes what is left, in order.
    pub fn finish(mut self, tx: &mut PgTx, branch: &str) -> Result<u64> {
        if !self.pending.is_empty() {
            self.hand_over()?;
        }
        self.to_prepare = None;
        let mut applied = 0;
        while self.in_flight > 0 {
            applied += self.write_next(tx, branch)?;
        }
        Ok(applied)
    }

    // The preparing thread stops early only by panicking, which the scope carries on past
    // its join; the errors below are for a channel closed some other way.
    fn hand_over(&mut self) -> Result<()> {
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        self.to_prepare
            .as_ref()
            .and_then(|to| to.send(batch).ok())
            .ok_or_else(|| Error::internal("the import's preparing thread stopped"))?;
        self.in_flight += 1;
        Ok(())
    }

    fn write_next(&mut self, tx: &mut PgTx, branch: &str) -> Result<u64> {
        let prepared = self
            .prepared
            .recv()
            .map_err(|_| Error::internal("the import's preparing thread stopped"))?;
        self.in_flight -= 1;
        let applied = apply_prepared(tx, branch, prepared)?;
        if !self.first_written {
            self.first_written = true;
            crate::store::fsutil::crash_point("hq:import_batch");
        }
        Ok(applied)
    }
}

/// A batch of ops, and the new rows it makes if HQ holds nothing it touches, encoded for
/// COPY (an error when the merge refused one of the ops).
struct Prepared {
    ops: Vec<Op>,
    new: Result<NewRows>,
}

/// What a batch of new ops writes into each table.
struct NewRows {
    hq_op: CopyRows,
    hq_key: CopyRows,
    hq_claim: CopyRows,
    hq_row: CopyRows,
}

const OP_COLUMNS: [Type; 5] = [Type::TEXT, Type::INT8, Type::INT8, Type::TEXT, Type::INT8];
const KEY_COLUMNS: [Type; 3] = [Type::TEXT, Type::TEXT, Type::TEXT];
const CLAIM_COLUMNS: [Type; 6] = [
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::BYTEA,
];
const ROW_COLUMNS: [Type; 9] = [
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::JSONB,
    Type::BYTEA,
    Type::TEXT,
    Type::BOOL,
    Type::TEXT,
    Type::TEXT,
];
const COPY_ROWS: &str =
    "COPY hq_row (branch, tbl, row_id, fields, sealed, stamps, deleted, id_index,
                                      phone_index) FROM STDIN BINARY";

/// The batch merged from nothing, sealed and encoded (no database: the preparing thread).
fn prepare(sealer: &Sealer, branch: &str, ops: Vec<Op>) -> Prepared {
    let new = new_rows(sealer, branch, &ops);
    Prepared { ops, new }
}

fn new_rows(sealer: &Sealer, branch: &str, ops: &[Op]) -> Result<NewRows> {
    let mut rows: BTreeMap<(String, String), Slot> = BTreeMap::new();
    let mut encoded_ops = CopyRows::new(&OP_COLUMNS);
    for op in ops {
        merge::check_fields(op).map_err(Error::internal)?;
        let key = (
            op.table.clone(),
            merge::row_key(&op.table, branch, &op.row_id),
        );
        merge_into(rows.entry(key).or_default(), op, branch)?;
        encoded_ops.row(&[&branch, &op.seq, &op.part, &op.op_id, &op.hlc])?;
    }
    let mut keys = CopyRows::new(&KEY_COLUMNS);
    for (table, key) in rows.keys() {
        if !merge::is_insert_only(table) {
            keys.row(&[table, key, &branch])?;
        }
    }
    let claims = claims_of(sealer, branch, ops)?;
    let mut encoded_claims = CopyRows::new(&CLAIM_COLUMNS);
    for i in 0..claims.0.len() {
        encoded_claims.row(&[
            &branch,
            &claims.0[i],
            &claims.1[i],
            &claims.2[i],
            &claims.3[i],
            &claims.4[i],
        ])?;
    }
    Ok(NewRows {
        hq_op: encoded_ops,
        hq_key: keys,
        hq_claim: encoded_claims,
        hq_row: encode_rows(sealer, rows.iter_mut())?,
    })
}

/// Writes a prepared batch as new rows; a batch that meets anything held already is undone
/// and goes the set-based way. How many ops were new.
fn apply_prepared(tx: &mut PgTx, branch: &str, prepared: Prepared) -> Result<u64> {
    // Never empty: the pipeline hands over only batches with ops in them.
    let Prepared { ops, new } = prepared;
    let new = new?;
    tx.tx.batch_execute("SAVEPOINT all_new").map_err(db_error)?;
    match write_new(tx, new) {
        Ok(()) => {
            tx.tx
                .batch_execute("RELEASE SAVEPOINT all_new")
                .map_err(db_error)?;
            Ok(ops.len() as u64)
        }
        Err(e) if held_already(&e) => {
            tx.tx
                .batch_execute("ROLLBACK TO SAVEPOINT all_new")
                .map_err(db_error)?;
            set_based(tx, branch, &ops)
        }
        Err(e) => Err(e),
    }
}

/// A write refused because a key it makes is taken (SQLSTATE 23505, unique violation).
fn held_already(e: &Error) -> bool {
    matches!(e, Error::HqDatabase { problem: HqDbProblem::Refused { code } } if code == "23505")
}

fn write_new(tx: &mut PgTx, new: NewRows) -> Result<()> {
    new.hq_op.send(
        &mut tx.tx,
        "COPY hq_op (branch, seq, part, op_id, hlc) FROM STDIN BINARY",
    )?;
    if !new.hq_key.is_empty() {
        new.hq_key.send(
            &mut tx.tx,
            "COPY hq_key (tbl, row_id, branch) FROM STDIN BINARY",
        )?;
    }
    if !new.hq_claim.is_empty() {
        new.hq_claim.send(
            &mut tx.tx,
            "COPY hq_claim (branch, tbl, row_id, name, id_number, sealed) FROM STDIN BINARY",
        )?;
    }
    new.hq_row.send(&mut tx.tx, COPY_ROWS)?;
    Ok(())
}

/// One op merged onto the row as the batch has it so far; whether the row changed.
fn merge_into(slot: &mut Slot, op: &Op, branch: &str) -> Result<bool> {
    if slot.row.is_some() && merge::is_insert_only(&op.table) {
        // The first copy of an insert-only row stays (what the merge says of it).
        return Ok(false);
    }
    match merge::merge(slot.row.take(), op, branch).map_err(Error::internal)? {
        Merge::Put(row) => {
            slot.row = Some(row);
            Ok(true)
        }
        Merge::Unchanged => Err(Error::internal("the merge kept no row")),
    }
}

/// The set-based way: ops staged and recorded once, rows locked and read, merged, written.
fn set_based(tx: &mut PgTx, branch: &str, ops: &[Op]) -> Result<u64> {
    let fresh = stage_ops(tx, branch, ops)?;
    let fresh: Vec<&Op> = ops
        .iter()
        .filter(|op| fresh.contains(&(op.seq, op.part)))
        .collect();
    for op in &fresh {
        merge::check_fields(op).map_err(Error::internal)?;
    }
    write_claims(tx, branch, &fresh)?;

    // Each row the batch touches, its key locked, as it stands.
    let mut keys: Vec<(String, String)> = fresh
        .iter()
        .map(|op| {
            (
                op.table.clone(),
                merge::row_key(&op.table, branch, &op.row_id),
            )
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    keys.sort();
    let mut rows = lock_rows(tx, branch, &keys)?;

    // The merge, op by op in the batch's order.
    let mut changed: HashSet<(String, String)> = HashSet::new();
    for op in &fresh {
        let key = (
            op.table.clone(),
            merge::row_key(&op.table, branch, &op.row_id),
        );
        if merge_into(rows.entry(key.clone()).or_default(), op, branch)? {
            changed.insert(key);
        }
    }
    write_rows(tx, &mut rows, &changed)?;
    Ok(fresh.len() as u64)
}

/// Stages the batch and records each op once; the (seq, part) of those that were new.
fn stage_ops(tx: &mut PgTx, branch: &str, ops: &[Op]) -> Result<HashSet<(i64, i64)>> {
    tx.tx.batch_execute(STAGE).map_err(db_error)?;
    let mut staged = CopyRows::new(&[Type::INT8, Type::INT8, Type::TEXT, Type::INT8]);
    for op in ops {
        staged.row(&[&op.seq, &op.part, &op.op_id, &op.hlc])?;
    }
    staged.send(
        &mut tx.tx,
        "COPY hq_stage (seq, part, op_id, hlc) FROM STDIN BINARY",
    )?;
    let fresh = tx
        .tx
        .query(
            "INSERT INTO hq_op (branch, seq, part, op_id, hlc)
             SELECT $1, seq, part, op_id, hlc FROM hq_stage
             ON CONFLICT DO NOTHING RETURNING seq, part",
            &[&branch],
        )
        .map_err(db_error)?
        .iter()
        .map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1)))
        .collect();
    tx.tx.batch_execute("TRUNCATE hq_stage").map_err(db_error)?;
    Ok(fresh)
}

/// What a branch wrote to clients' identity fields, each claim once: table, row key, the
/// blind index of the name and of the ID number, the values sealed.
type Claims = (
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<Vec<u8>>,
);

fn claims_of<'o>(
    sealer: &Sealer,
    branch: &str,
    ops: impl IntoIterator<Item = &'o Op>,
) -> Result<Claims> {
    let mut seen = HashSet::new();
    let mut claims: Claims = Default::default();
    for op in ops {
        let Some(claim) = merge::claim(op, branch).map_err(Error::internal)? else {
            continue;
        };
        let index = |kind: &str, value: &str| {
            if value.is_empty() {
                String::new()
            } else {
                sealer.index(kind, value)
            }
        };
        let (name, id_number) = (
            index("name", &claim.name),
            index("id_number", &claim.id_number),
        );
        if !seen.insert((claim.row_key.clone(), name.clone(), id_number.clone())) {
            continue;
        }
        let plain = zeroize::Zeroizing::new(
            serde_json::json!({ "name": claim.name, "id_number": claim.id_number }).to_string(),
        );
        let context =
            super::db::seal_context(&claim_context(&claim.table, &claim.branch), &claim.row_key);
        claims.4.push(sealer.seal(plain.as_bytes(), &context));
        claims.0.push(claim.table);
        claims.1.push(claim.row_key);
        claims.2.push(name);
        claims.3.push(id_number);
    }
    Ok(claims)
}

/// Claims, those held already left as they are.
fn write_claims(tx: &mut PgTx, branch: &str, ops: &[&Op]) -> Result<()> {
    let claims = claims_of(tx.sealer, branch, ops.iter().copied())?;
    if claims.0.is_empty() {
        return Ok(());
    }
    tx.tx
        .execute(
            "INSERT INTO hq_claim (branch, tbl, row_id, name, id_number, sealed)
             SELECT $1, t, r, n, i, s
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
                  AS u(t, r, n, i, s)
             ON CONFLICT DO NOTHING",
            &[
                &branch, &claims.0, &claims.1, &claims.2, &claims.3, &claims.4,
            ],
        )
        .map_err(db_error)?;
    Ok(())
}

/// A row the batch touches: as it stood before the batch (its owner then, if it existed),
/// and as it stands now.
#[derive(Default)]
struct Slot {
    stored_owner: Option<String>,
    row: Option<Merged>,
}

/// Takes or makes each key's entry in `hq_key` (new keys belong to `branch`), locks them
/// in key order (two importers lock in the same order, so neither waits for the other in
/// a circle), and reads the rows that exist, opened.
fn lock_rows(
    tx: &mut PgTx,
    branch: &str,
    keys: &[(String, String)],
) -> Result<BTreeMap<(String, String), Slot>> {
    let mut rows = BTreeMap::new();
    type Keys<'k> = Vec<&'k (String, String)>;
    let (own, keys): (Keys, Keys) = keys
        .iter()
        .partition(|(table, _)| merge::is_insert_only(table));
    // Insert-only rows: this branch's own, as they stand.
    if !own.is_empty() {
        let (tables, ids): (Vec<&str>, Vec<&str>) =
            own.iter().map(|(t, r)| (t.as_str(), r.as_str())).unzip();
        let stored = tx
            .tx
            .query(
                "SELECT r.tbl, r.row_id, r.branch, r.fields, r.sealed, r.stamps, r.deleted
                 FROM unnest($1::text[], $2::text[]) AS u(t, r)
                 JOIN hq_row r ON r.branch = $3 AND r.tbl = u.t AND r.row_id = u.r",
                &[&tables, &ids, &branch],
            )
            .map_err(db_error)?;
        for r in stored {
            let (key, slot) = stored_slot(tx, &r)?;
            rows.insert(key, slot);
        }
        for (table, key) in own {
            rows.entry((table.clone(), key.clone())).or_default();
        }
    }
    if keys.is_empty() {
        return Ok(rows);
    }
    let (tables, ids): (Vec<&str>, Vec<&str>) =
        keys.iter().map(|(t, r)| (t.as_str(), r.as_str())).unzip();
    // Keys made now are this batch's alone (no row yet); the others are locked and read.
    let made: HashSet<(String, String)> = tx
        .tx
        .query(
            "INSERT INTO hq_key (tbl, row_id, branch)
             SELECT t, r, $3 FROM unnest($1::text[], $2::text[]) AS u(t, r) ORDER BY t, r
             ON CONFLICT (tbl, row_id) DO NOTHING
             RETURNING tbl, row_id",
            &[&tables, &ids, &branch],
        )
        .map_err(db_error)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let (held_tables, held_ids): (Vec<&str>, Vec<&str>) = keys
        .iter()
        .filter(|key| !made.contains(**key))
        .map(|(t, r)| (t.as_str(), r.as_str()))
        .unzip();
    for key in made {
        rows.insert(key, Slot::default());
    }
    if held_tables.is_empty() {
        return Ok(rows);
    }
    let stored = tx
        .tx
        .query(
            "SELECT k.tbl, k.row_id, r.branch, r.fields, r.sealed, r.stamps, r.deleted
             FROM unnest($1::text[], $2::text[]) AS u(t, r)
             JOIN hq_key k ON k.tbl = u.t AND k.row_id = u.r
             LEFT JOIN hq_row r ON r.branch = k.branch AND r.tbl = k.tbl AND r.row_id = k.row_id
             ORDER BY k.tbl, k.row_id
             FOR UPDATE OF k",
            &[&held_tables, &held_ids],
        )
        .map_err(db_error)?;
    for r in stored {
        let (key, slot) = stored_slot(tx, &r)?;
        rows.insert(key, slot);
    }
    Ok(rows)
}

/// A key and its row as stored (table, key, owner, fields, sealed, stamps, deleted; the
/// owner NULL when the key has no row yet), opened.
fn stored_slot(tx: &PgTx, r: &postgres::Row) -> Result<((String, String), Slot)> {
    let (table, key): (String, String) = (r.get(0), r.get(1));
    let mut slot = Slot::default();
    if let Some(owner) = r.get::<_, Option<String>>(2) {
        let fields = super::db::RowRead::text(r, 3)?;
        let sealed: Option<Vec<u8>> = r.get(4);
        let fields =
            super::db::open_fields(Some(tx.sealer), &table, &key, &fields, sealed.as_deref())?;
        let stamps: String = r.get(5);
        slot.row = Some(Merged {
            owner: owner.clone(),
            fields,
            stamps: serde_json::from_str(&stamps).map_err(|_| Error::DatabaseDamaged)?,
            deleted: r.get(6),
        });
        slot.stored_owner = Some(owner);
    }
    Ok(((table, key), slot))
}

/// Writes the rows the batch changed: those that stood before go (under their owner then),
/// then every changed row comes in by binary COPY, sealed; keys whose owner changed follow.
fn write_rows(
    tx: &mut PgTx,
    rows: &mut BTreeMap<(String, String), Slot>,
    changed: &HashSet<(String, String)>,
) -> Result<()> {
    let mut gone: [Vec<String>; 3] = Default::default();
    let mut moved: [Vec<String>; 3] = Default::default();
    for ((table, key), slot) in rows.iter().filter(|(k, _)| changed.contains(*k)) {
        let (Some(owner), Some(row)) = (&slot.stored_owner, &slot.row) else {
            continue;
        };
        gone[0].push(owner.clone());
        gone[1].push(table.clone());
        gone[2].push(key.clone());
        if *owner != row.owner {
            moved[0].push(table.clone());
            moved[1].push(key.clone());
            moved[2].push(row.owner.clone());
        }
    }
    if !gone[0].is_empty() {
        tx.tx
            .execute(
                "DELETE FROM hq_row r USING unnest($1::text[], $2::text[], $3::text[]) AS u(b, t, k)
                 WHERE r.branch = u.b AND r.tbl = u.t AND r.row_id = u.k",
                &[&gone[0], &gone[1], &gone[2]],
            )
            .map_err(db_error)?;
    }
    let changed_rows = rows.iter_mut().filter(|(k, _)| changed.contains(*k));
    encode_rows(tx.sealer, changed_rows)?.send(&mut tx.tx, COPY_ROWS)?;
    if !moved[0].is_empty() {
        tx.tx
            .execute(
                "UPDATE hq_key k SET branch = u.b
                 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, r, b)
                 WHERE k.tbl = u.t AND k.row_id = u.r",
                &[&moved[0], &moved[1], &moved[2]],
            )
            .map_err(db_error)?;
    }
    Ok(())
}

/// Rows as they now stand, sealed, encoded for COPY into `hq_row`.
fn encode_rows<'r>(
    sealer: &Sealer,
    rows: impl Iterator<Item = (&'r (String, String), &'r mut Slot)>,
) -> Result<CopyRows> {
    let mut encoded = CopyRows::new(&ROW_COLUMNS);
    for ((table, key), slot) in rows {
        let Some(row) = slot.row.take() else {
            continue;
        };
        let index = |field: &str| lookup_in(Some(sealer), table, &row.fields, field);
        let (id_index, phone_index) = (index("id_number"), index("phone"));
        let stamps = serde_json::to_string(&row.stamps).map_err(Error::internal)?;
        let (fields, sealed) = seal_fields(Some(sealer), table, key, row.fields);
        encoded.row(&[
            &row.owner,
            table,
            key,
            &Param::Text(&fields),
            &sealed,
            &stamps,
            &row.deleted,
            &id_index,
            &phone_index,
        ])?;
    }
    Ok(encoded)
}
