//! Ledgers for the demo store and the benchmarks.

use super::*;

impl Session {
    /// Seeds a demo store's client with a ledger: `earns` earns by the shipped rules in
    /// turn, spread over the past four years, and after every third a service redeemed at
    /// its price when the points reach it (so that buckets are spent, part spent and
    /// whole), in one transaction. Returns the entries written.
    pub fn seed_demo_points(&mut self, key: &str, earns: u32) -> Result<u64> {
        if !self.branch.demo {
            return Err(Error::internal("demo points outside a demo store"));
        }
        let (seq, stored) = self.find_client(key)?;
        let rules = self.loyalty_rules()?;
        let today = self.today();
        let me = self.me.id.to_string();
        let mut buckets = buckets_of(&self.conn, seq, &[])?;
        let days: u64 = 4 * 365;
        let event = AuditEvent::new("demo.points", "client", stored.id.clone())
            .with_detail(serde_json::json!({ "earns": earns }));
        self.write(event, |w| {
            let mut written = 0u64;
            // The rules in turn (a client's own tier aside), the first one shifted per client;
            // now and then a service redeemed, at its price, when the points reach it.
            let loyalty = &rules.loyalty;
            let services: Vec<&RedeemItem> =
                loyalty.items.iter().filter(|i| i.stock.is_none()).collect();
            for i in 0..earns {
                let back = days * u64::from(earns - i) / u64::from(earns.max(1));
                let on = today.checked_sub_days(Days::new(back)).unwrap_or(today);
                let turn = (seq as usize + i as usize) % loyalty.rules.len().max(1);
                let Some(rule) = loyalty.rules.get(turn) else {
                    break;
                };
                let points = rule.points * 3;
                let id = uuid::Uuid::now_v7().to_string();
                let last_day = rules.loyalty.lapse.last_day(on);
                insert_entry(
                    w,
                    &NewEntry {
                        id: &id,
                        client_id: &stored.id,
                        kind: EntryKind::Earn,
                        points,
                        on,
                        last_day,
                        code: &rule.code,
                        version: &rules.loyalty.version,
                        reverses: None,
                        taken: &[],
                        note: "",
                        by_staff: &me,
                    },
                )?;
                let bucket = Bucket::fresh(&id, on, last_day, points);
                new_bucket(w, seq, &bucket)?;
                buckets
                    .credit(&id, on, last_day, points)
                    .map_err(|_| Error::internal("demo points"))?;
                written += 1;
                let usable = buckets.usable(on);
                let item = services
                    .iter()
                    .filter(|item| item.points <= usable)
                    .nth(i as usize % 2);
                if let Some(item) = item.filter(|_| i % 3 == 2) {
                    let taken = buckets
                        .debit(item.points, on)
                        .map_err(|_| Error::internal("demo points"))?;
                    insert_entry(
                        w,
                        &NewEntry {
                            id: &uuid::Uuid::now_v7().to_string(),
                            client_id: &stored.id,
                            kind: EntryKind::Redeem,
                            points: -item.points,
                            on,
                            last_day: None,
                            code: &item.code,
                            version: &rules.loyalty.version,
                            reverses: None,
                            taken: &taken,
                            note: "",
                            by_staff: &me,
                        },
                    )?;
                    write_taken(w, &buckets, &taken)?;
                    written += 1;
                }
            }
            Ok(written)
        })
    }

    /// How many entries a client's ledger holds, for the bench.
    pub fn bench_points_entries(&mut self, key: &str) -> Result<u64> {
        let (_, stored) = self.find_client(key)?;
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM loyalty_entry WHERE client_id = ?1",
            [&stored.id],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The record's points line of a client, for the bench (as opening the record reads it).
    pub fn bench_points_line(
        &mut self,
        key: &str,
    ) -> Result<Option<crate::domain::loyalty::PointsLine>> {
        let (seq, _) = self.find_client(key)?;
        self.points_line(seq)
    }
}

/// What the expiry bench's history is: entries and buckets written, and how many of the
/// buckets lapsed unspent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BenchLedger {
    pub clients: u64,
    pub entries: u64,
    pub buckets: u64,
    pub lapsed: u64,
}

/// Clients per transaction while the bench's history is written.
const SEED_BATCH: usize = 10_000;

impl Session {
    /// Whether the expiry bench's history was written here already.
    pub fn bench_points_seeded(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM loyalty_entry WHERE version = '' AND kind = 'earn')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Gives every client of a demo store a seven-year history of `per_client` entries for
    /// the expiry bench: credits of 100 to 990 points spread over the years, and a
    /// redemption of each of most of them (whole); the credits left unspent include the
    /// oldest, lapsed at the end of their fifth year. Written straight into the ledger as a
    /// history HQ acknowledged long ago stands (an entry leaves the outbox once HQ has it),
    /// in batches with `progress`. Refused outside a demo store.
    pub fn seed_bench_points(
        &mut self,
        per_client: u32,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BenchLedger> {
        if !self.branch.demo {
            return Err(Error::internal("bench points outside a demo store"));
        }
        let rules = self.loyalty_rules()?;
        let lapse = rules.loyalty.lapse;
        let today = self.today();
        let me = self.me.id.to_string();
        let clients: Vec<(i64, String)> = self
            .conn
            .prepare("SELECT seq, id FROM client ORDER BY seq")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let total = clients.len() as u64;
        // Three credits in five, the rest redemptions of a whole credit each (not of every
        // third credit, nor of the oldest).
        let credits = (u64::from(per_client) * 3).div_ceil(5).max(1);
        let mut ledger = BenchLedger::default();
        let mut hlc: i64 = 1;
        let created = self.now().to_rfc3339();
        for batch in clients.chunks(SEED_BATCH) {
            let event = AuditEvent::new("bench.points", "branch", self.branch.code.clone())
                .with_detail(serde_json::json!({ "clients": batch.len() }));
            self.write(event, |w| {
                for (seq, client_id) in batch {
                    let mut redemptions =
                        u64::from(per_client) - credits.min(u64::from(per_client));
                    for i in 0..credits {
                        let back = 7 * 365 * (credits - i) / credits;
                        let on = today.checked_sub_days(Days::new(back)).unwrap_or(today);
                        let last_day = lapse.last_day(on);
                        let points: Points = 100 + (*seq + i as i64) % 90 * 10;
                        let id = uuid::Uuid::now_v7().to_string();
                        let spent = redemptions > 0 && i > 0 && i % 3 != 0;
                        hlc += 1;
                        w.maintain_index(
                            "INSERT INTO loyalty_entry (id, client_id, kind, points, on_date,
                                 last_day, code, version, reverses, taken, note, by_staff,
                                 created_at, hlc)
                             VALUES (?1, ?2, 'earn', ?3, ?4, ?5, 'event_attended', '', NULL,
                                     '[]', '', ?6, ?7, ?8)",
                            params![
                                id,
                                client_id,
                                points,
                                on.to_string(),
                                last_day.map(|d| d.to_string()),
                                me,
                                created,
                                hlc
                            ],
                        )?;
                        w.maintain_index(
                            "INSERT INTO loyalty_bucket
                             (entry, client_seq, earned_on, last_day, credited, remaining)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            params![
                                id,
                                seq,
                                on.to_string(),
                                last_day.map(|d| d.to_string()),
                                points,
                                if spent { 0 } else { points }
                            ],
                        )?;
                        ledger.entries += 1;
                        ledger.buckets += 1;
                        if !spent && last_day.is_some_and(|d| d < today) {
                            ledger.lapsed += 1;
                        }
                        if spent {
                            redemptions -= 1;
                            hlc += 1;
                            let taken = serde_json::to_string(&[Taken {
                                bucket: id.clone(),
                                points,
                            }])
                            .map_err(Error::internal)?;
                            w.maintain_index(
                                "INSERT INTO loyalty_entry (id, client_id, kind, points, on_date,
                                     last_day, code, version, reverses, taken, note, by_staff,
                                     created_at, hlc)
                                 VALUES (?1, ?2, 'redeem', ?3, ?4, NULL, 'airport_lounge', '',
                                         NULL, ?5, '', ?6, ?7, ?8)",
                                params![
                                    uuid::Uuid::now_v7().to_string(),
                                    client_id,
                                    -points,
                                    on.checked_add_days(Days::new(30)).unwrap_or(on).to_string(),
                                    taken,
                                    me,
                                    created,
                                    hlc
                                ],
                            )?;
                            ledger.entries += 1;
                        }
                    }
                    ledger.clients += 1;
                }
                Ok(())
            })?;
            progress(ledger.clients, total);
        }
        Ok(ledger)
    }
}
