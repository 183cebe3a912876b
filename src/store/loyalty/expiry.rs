//! The expiry run: an expire entry for each client whose points lapsed, a batch of clients
//! per transaction, so that a run killed part-way keeps what it committed and the next
//! run goes on from there.

use super::*;

/// How many clients an expiry run takes per transaction.
const EXPIRY_BATCH: usize = 20_000;

/// The batch size: `EXPIRY_BATCH`, or — in a debug build, for a test that kills a run
/// between batches — `BRANCHDESK_EXPIRY_BATCH`.
fn batch_size() -> usize {
    #[cfg(debug_assertions)]
    if let Some(size) = std::env::var("BRANCHDESK_EXPIRY_BATCH")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
    {
        return size;
    }
    EXPIRY_BATCH
}

impl Session {
    /// Writes an expire entry for every client with points whose last day has passed, a
    /// batch of clients per transaction; run again, it finds nothing more. `dry_run`: only
    /// counts. Managers; the login of anyone who works with points runs it too.
    pub fn points_expire(
        &mut self,
        dry_run: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExpiryReport> {
        self.require(Permission::CorrectPoints)?;
        self.expiry_run(dry_run, progress)
    }

    /// The expiry run of a login.
    pub(crate) fn expire_lapsed_points(
        &mut self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExpiryReport> {
        self.expiry_run(false, progress)
    }

    fn expiry_run(
        &mut self,
        dry_run: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExpiryReport> {
        let today = self.today();
        let mut report = ExpiryReport::default();
        // The clients with lapsed points, from the index of what is left by last day.
        let clients: Vec<i64> = self
            .conn
            .prepare(
                "SELECT DISTINCT client_seq FROM loyalty_bucket INDEXED BY loyalty_bucket_lapsing
                 WHERE remaining > 0 AND last_day IS NOT NULL AND last_day < ?1 AND from_hq = 0
                 ORDER BY client_seq",
            )?
            .query_map([today.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let total = clients.len() as u64;
        let me = self.me.id.to_string();
        for batch in clients.chunks(batch_size()) {
            let mut work = Vec::with_capacity(batch.len());
            for seq in batch {
                let mut buckets = buckets_of(&self.conn, *seq, &[])?;
                // Another branch's credits lapse by that branch's run.
                let theirs: Vec<String> = self
                    .conn
                    .prepare_cached(
                        "SELECT entry FROM loyalty_bucket
                         WHERE client_seq = ?1 AND from_hq = 1 AND remaining > 0",
                    )?
                    .query_map([seq], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let taken: Vec<Taken> = buckets
                    .expire(today)
                    .into_iter()
                    .filter(|t| !theirs.contains(&t.bucket))
                    .collect();
                let id: Option<String> = self
                    .conn
                    .prepare_cached("SELECT id FROM client WHERE seq = ?1")?
                    .query_row([seq], |r| r.get(0))
                    .optional()?;
                if let (false, Some(client_id)) = (taken.is_empty(), id) {
                    report.clients += 1;
                    report.points += taken.iter().map(|t| t.points).sum::<Points>();
                    work.push((client_id, buckets, taken));
                }
            }
            if !dry_run && !work.is_empty() {
                let event = AuditEvent::new("points.expire", "branch", self.branch.code.clone())
                    .with_detail(serde_json::json!({ "clients": work.len() }));
                self.write(event, |w| {
                    for (client_id, buckets, taken) in &work {
                        let id = uuid::Uuid::now_v7().to_string();
                        insert_entry(
                            w,
                            &NewEntry {
                                id: &id,
                                client_id,
                                kind: EntryKind::Expire,
                                points: -taken.iter().map(|t| t.points).sum::<Points>(),
                                on: today,
                                last_day: None,
                                code: "",
                                version: "",
                                reverses: None,
                                taken,
                                note: "",
                                by_staff: &me,
                            },
                        )?;
                        write_taken(w, buckets, taken)?;
                    }
                    Ok(())
                })?;
                crate::store::fsutil::crash_point("points:expiry_batch");
            }
            progress(report.clients.min(total), total);
        }
        Ok(report)
    }
}
