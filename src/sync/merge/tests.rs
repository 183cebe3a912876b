//! The merge rule on its own: hand-made cases, and the property that any order and any
//! repetition of a set of ops give the same rows, stamps and review list.

use super::*;
use crate::sync::bundle::raw_json;
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;

fn op(seq: i64, hlc: i64, table: &str, row_id: &str, kind: &str, fields: Value) -> Op {
    Op {
        seq,
        part: 0,
        op_id: format!("op-{seq}"),
        table: table.into(),
        row_id: row_id.into(),
        op: kind.into(),
        fields: raw_json(fields.to_string()),
        hlc,
        schema: 6,
    }
}

/// HQ's rows and claims, held in memory the way `store::hq` holds them in tables.
#[derive(Debug, Default, PartialEq)]
struct Hq {
    rows: HashMap<(String, String), Merged>,
    claims: BTreeSet<Claim>,
}

impl Hq {
    fn apply(&mut self, branch: &str, op: &Op) {
        if let Some(claim) = claim(op, branch).unwrap() {
            self.claims.insert(claim);
        }
        let key = (op.table.clone(), row_key(&op.table, branch, &op.row_id));
        let current = self.rows.get(&key).cloned();
        if let Merge::Put(row) = merge(current, op, branch).unwrap() {
            self.rows.insert(key, row);
        }
    }

    /// What must not depend on the order: each row's fields, owner, tombstone and what its
    /// stamps mean, and the review list.
    fn outcome(&self) -> (BTreeMap<(String, String), RowOutcome>, Vec<ReviewItem>) {
        let rows = self
            .rows
            .iter()
            .map(|(key, row)| {
                let outcome = (
                    row.owner.clone(),
                    Value::Object(row.fields.clone()),
                    row.resolved_stamps(),
                    row.deleted,
                );
                (key.clone(), outcome)
            })
            .collect();
        (rows, review(&self.claims))
    }
}

type RowOutcome = (String, Value, BTreeMap<String, String>, bool);

/// A write to client `c1`.
fn c1(seq: i64, hlc: i64, kind: &str, fields: Value) -> Op {
    op(seq, hlc, "client", "c1", kind, fields)
}

fn row_c1(hq: &Hq) -> &Merged {
    &hq.rows[&("client".to_string(), "c1".to_string())]
}

#[test]
fn the_latest_write_wins_each_field_and_a_delete_stays() {
    let mut hq = Hq::default();
    hq.apply(
        "BJ0101",
        &c1(1, 10, "insert", json!({"name": "王芳", "phone": "138"})),
    );
    hq.apply("SH0202", &c1(1, 30, "update", json!({"phone": "139"})));
    hq.apply(
        "BJ0101",
        &c1(2, 20, "update", json!({"phone": "137", "tier": "gold"})),
    );
    let row = row_c1(&hq);
    assert_eq!(row.fields["phone"], "139", "the greatest stamp wins");
    assert_eq!(row.fields["tier"], "gold", "a field only one write set");
    assert_eq!(row.owner, "BJ0101", "the branch of the earliest write");
    hq.apply("SH0202", &c1(2, 5, "delete", json!({})));
    assert!(row_c1(&hq).deleted);
    hq.apply("BJ0101", &c1(3, 40, "update", json!({"phone": "136"})));
    let row = row_c1(&hq);
    assert!(
        row.deleted,
        "a later update does not bring a deleted row back"
    );
    assert_eq!(row.fields["phone"], "136");
}

#[test]
fn an_insert_only_row_keeps_its_first_copy_and_per_branch_rows_stay_apart() {
    let mut hq = Hq::default();
    let note = json!({"note": "回访"});
    hq.apply(
        "BJ0101",
        &op(1, 10, "interaction", "i1", "insert", note.clone()),
    );
    let first = hq.rows.clone();
    hq.apply("BJ0101", &op(1, 10, "interaction", "i1", "insert", note));
    assert_eq!(hq.rows, first);
    hq.apply(
        "BJ0101",
        &op(
            2,
            10,
            "staff",
            "teller01",
            "insert",
            json!({"name": "王芳"}),
        ),
    );
    hq.apply(
        "SH0202",
        &op(
            1,
            10,
            "staff",
            "teller01",
            "insert",
            json!({"name": "李娜"}),
        ),
    );
    assert!(
        hq.rows
            .contains_key(&("staff".to_string(), "BJ0101/teller01".to_string()))
    );
    assert!(
        hq.rows
            .contains_key(&("staff".to_string(), "SH0202/teller01".to_string()))
    );
}

#[test]
fn two_branches_writing_a_name_differently_put_it_on_the_review_list() {
    let mut hq = Hq::default();
    hq.apply(
        "BJ0101",
        &c1(1, 10, "insert", json!({"name": "王芳", "id_number": "110"})),
    );
    hq.apply("BJ0101", &c1(2, 11, "update", json!({"name": "王芳芳"})));
    assert!(
        review(&hq.claims).is_empty(),
        "one branch correcting itself is no conflict"
    );
    hq.apply(
        "SH0202",
        &c1(1, 12, "update", json!({"name": "王方", "phone": "139"})),
    );
    let items = review(&hq.claims);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].field, "name");
    let claim = |branch: &str, name: &str| (branch.to_string(), name.to_string());
    assert_eq!(
        items[0].claims,
        [
            claim("BJ0101", "王芳"),
            claim("BJ0101", "王芳芳"),
            claim("SH0202", "王方")
        ]
    );
}

#[test]
fn a_row_stored_as_it_came_is_the_row_the_merge_would_make() {
    let insert = op(
        7,
        99,
        "client",
        "c9",
        "insert",
        json!({"name": "Li Na", "tier": "gold"}),
    );
    let fast = Merged::from_stored(
        "BJ0101".into(),
        insert.fields.get(),
        &new_row_stamps(&stamp(&insert, "BJ0101")),
        false,
    )
    .unwrap();
    assert_eq!(merge(None, &insert, "BJ0101").unwrap(), Merge::Put(fast));
}

#[test]
fn fields_that_are_not_an_object_are_refused() {
    let bad = op(
        1,
        1,
        "client",
        "c1",
        "insert",
        json!(["not", "an", "object"]),
    );
    assert!(merge(None, &bad, "BJ0101").is_err());
    assert!(claim(&bad, "BJ0101").is_err());
}

const BRANCHES: [&str; 3] = ["BJ0101", "SH0202", "GZ0303"];
const NAMES: [&str; 3] = ["王芳", "王芳芳", "Wang Fang"];

/// One write a branch makes: (table, row, kind, hlc, which fields, which values).
type Write = (u8, u8, u8, i64, u8, u8);

fn write_op(branch: usize, seq: i64, (table, row, kind, hlc, mask, value): Write) -> Op {
    let row_id = format!("r{row}");
    match table {
        // Contacts are insert-only: each row is made once, by one op (its ID is a UUID), so
        // every copy of it is that op again.
        0 => {
            let row_id = format!("{}-{seq}", BRANCHES[branch]);
            op(
                seq,
                hlc,
                "interaction",
                &row_id,
                "insert",
                json!({"note": format!("note {row}")}),
            )
        }
        _ => {
            let table = if table == 1 { "client" } else { "staff" };
            let kind = ["insert", "update", "delete"][usize::from(kind % 3)];
            let mut fields = Map::new();
            let v = usize::from(value);
            let candidates = [
                ("name", Value::from(NAMES[v % 3])),
                ("id_number", Value::from(["110", "220"][v % 2])),
                ("phone", Value::from(["138", "139", "137"][(v / 2) % 3])),
                ("tier", Value::from(v as u64)),
            ];
            for (bit, (name, value)) in candidates.into_iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    fields.insert(name.into(), value);
                }
            }
            op(seq, hlc, table, &row_id, kind, Value::Object(fields))
        }
    }
}

fn writes() -> impl Strategy<Value = Vec<(usize, Op)>> {
    let write = (0u8..3, 0u8..4, 0u8..3, 0i64..6, 0u8..16, 0u8..6);
    proptest::collection::vec(proptest::collection::vec(write, 0..8), 3).prop_map(|branches| {
        branches
            .into_iter()
            .enumerate()
            .flat_map(|(branch, writes)| {
                writes
                    .into_iter()
                    .enumerate()
                    .map(move |(i, w)| (branch, write_op(branch, i as i64 + 1, w)))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_order_and_any_repetition_give_the_same_result(
        (ops, order) in writes().prop_flat_map(|ops| {
            let n = ops.len();
            // Every op at least once, some twice or three times, in any order.
            let order = proptest::collection::vec(0..n.max(1), 0..=n)
                .prop_map(move |extra| (0..n).chain(extra).collect::<Vec<_>>())
                .prop_shuffle();
            (Just(ops), order)
        })
    ) {
        let mut in_order = Hq::default();
        for (branch, op) in &ops {
            in_order.apply(BRANCHES[*branch], op);
        }
        let mut shuffled = Hq::default();
        for i in order.into_iter().filter(|i| *i < ops.len()) {
            let (branch, op) = &ops[i];
            shuffled.apply(BRANCHES[*branch], op);
        }
        prop_assert_eq!(in_order.outcome(), shuffled.outcome());
    }
}
