//! A branch's points after HQ's holdings snapshot: each client's buckets as HQ replayed
//! them from every branch's entries, with this store's own entries since replayed onto
//! them.

use super::*;
use crate::domain::loyalty::{Written, replay_onto};

/// A snapshot's points applied: for each client of the book HQ holds entries of, the
/// buckets HQ replayed from every branch's entries, with this store's own entries written
/// after HQ's high-water mark of this branch (`through`) replayed onto them. A bucket
/// another branch credited is marked as HQ's: it lapses by that branch's expiry run. One
/// that two branches spent from while offline is kept at zero here (HQ reports the client
/// overdrawn). Passed over when this store knows HQ to have more of its changes than the
/// snapshot had (an older snapshot). Returns the clients written.
pub(crate) fn apply_hq_points(
    w: &mut Writer,
    points: &[crate::sync::reference::BookPoints],
    through: i64,
) -> Result<u64> {
    if points.is_empty() {
        return Ok(0);
    }
    let acked: i64 = w
        .read(
            "SELECT CAST(value AS INTEGER) FROM sync_local WHERE key = 'acked_seq'",
            [],
            |r| r.get(0),
        )?
        .unwrap_or(0);
    if acked > through {
        return Ok(0);
    }
    // This store's entries HQ had not applied yet, by client.
    let mut since: std::collections::HashMap<String, Vec<Written>> = Default::default();
    {
        let mut statement = w.connection().prepare(
            "SELECT id, client_id, points, on_date, last_day, reverses, taken FROM loyalty_entry
             WHERE id IN (SELECT row_id FROM outbox WHERE tbl = 'loyalty_entry' AND seq > ?1)",
        )?;
        let mut rows = statement.query([through])?;
        while let Some(r) = rows.next()? {
            let day = |text: String| crate::store::risk::state::day(&text);
            let taken: String = r.get(6)?;
            since.entry(r.get(1)?).or_default().push(Written {
                id: r.get(0)?,
                points: r.get(2)?,
                on: day(r.get(3)?)?,
                last_day: r.get::<_, Option<String>>(4)?.map(day).transpose()?,
                reverses: r.get(5)?,
                taken: serde_json::from_str(&taken).map_err(|_| Error::DatabaseDamaged)?,
            });
        }
    }
    let mut written = 0;
    for client in points {
        let seq: Option<i64> = w.read(
            "SELECT seq FROM client WHERE id = ?1",
            [&client.client_id],
            |r| r.get(0),
        )?;
        let Some(seq) = seq else { continue };
        let own = since.get(&client.client_id).map_or(&[][..], Vec::as_slice);
        let buckets = replay_onto(client.buckets.clone(), own);
        w.maintain_index(
            "DELETE FROM loyalty_bucket WHERE client_seq = ?1",
            params![seq],
        )?;
        for bucket in buckets.iter() {
            w.maintain_index(
                "INSERT INTO loyalty_bucket
                 (entry, client_seq, earned_on, last_day, credited, remaining, from_hq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                         NOT EXISTS (SELECT 1 FROM loyalty_entry WHERE id = ?1))",
                params![
                    bucket.entry,
                    seq,
                    bucket.earned_on.to_string(),
                    bucket.last_day.map(|d| d.to_string()),
                    bucket.credited,
                    bucket.left.clamp(0, bucket.credited.max(0))
                ],
            )?;
        }
        written += 1;
    }
    Ok(written)
}
