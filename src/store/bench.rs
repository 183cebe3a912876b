//! What `branchdesk bench` needs from the store: a plaintext copy of a demo store (the
//! physical limit the encrypted store is compared with) and samples of real rows to build
//! queries from.

use crate::error::{Error, Result};
use crate::store::{Session, db};
use rusqlite::params;
use std::path::Path;

/// One client's searchable values, to build benchmark queries from.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: String,
    pub client_no: String,
}

impl Session {
    pub fn client_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM client", [], |r| r.get(0))?)
    }

    /// The highest client position (positions run from 1, with gaps where rows went).
    pub fn client_seq_bound(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM client", [], |r| r.get(0))?)
    }

    /// The client at or after each position (the benchmark picks them at random).
    pub fn sample_clients_at(&self, positions: &[i64]) -> Result<Vec<Sample>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, phone, id_number, client_no FROM client WHERE seq >= ?1 ORDER BY seq LIMIT 1",
        )?;
        let mut out = Vec::with_capacity(positions.len());
        for at in positions {
            let sample = stmt.query_row(params![at], |r| {
                Ok(Sample {
                    name: r.get(0)?,
                    phone: r.get(1)?,
                    id_number: r.get(2)?,
                    client_no: r.get(3)?,
                })
            })?;
            out.push(sample);
        }
        Ok(out)
    }

    /// Empties the page cache (so that runs start alike); warming starts over.
    pub fn reset_cache(&mut self) -> Result<()> {
        self.warming = Default::default();
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = 0; PRAGMA cache_size = -{};",
            self.cache.pragma_kib()
        ))?;
        Ok(())
    }

    /// Writes an unencrypted copy of this store to `path`. Only for a demo store, whose
    /// clients are synthetic: a real store's data never leaves encryption.
    pub fn export_plain_copy(&self, path: &Path) -> Result<()> {
        if !self.branch.demo {
            return Err(Error::NotDemo);
        }
        let _ = std::fs::remove_file(path);
        // The store's connection may not create files; an empty file is an empty database.
        std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        let target = path.to_string_lossy().replace('\'', "''");
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        // The store's own statistics (where it has any) go with the copy, so that both plan
        // every query alike.
        let analyzed: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
            [],
            |r| r.get(0),
        )?;
        let same_statistics = if analyzed {
            "DELETE FROM plain.sqlite_stat1;
             INSERT INTO plain.sqlite_stat1 SELECT * FROM main.sqlite_stat1;"
        } else {
            ""
        };
        self.conn.execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS plain KEY '';
             SELECT sqlcipher_export('plain');
             PRAGMA plain.user_version = {version};
             PRAGMA plain.analysis_limit = 1000;
             ANALYZE plain;
             {same_statistics}
             DETACH DATABASE plain;"
        ))?;
        Ok(())
    }

    /// Opens the plaintext copy at `path`, configured like the store and with the same page
    /// cache (only the cipher differs).
    pub fn open_plain_copy(&self, path: &Path) -> Result<PlainCopy> {
        let conn = db::open_plain(path)?;
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{};",
            self.cache.pragma_kib()
        ))?;
        Ok(PlainCopy(conn))
    }

    /// Swaps this session's connection with the plaintext copy's: the next calls run the
    /// same code on the same data without encryption, until swapped back.
    pub fn swap_with(&mut self, copy: &mut PlainCopy) {
        std::mem::swap(&mut self.conn, &mut copy.0);
    }
}

/// A plaintext copy's connection, swapped in and out of a session by the benchmark.
pub struct PlainCopy(rusqlite::Connection);

impl Session {
    /// Adds `count` contact-log entries for the first clients in one write (each entry its
    /// own captured change), as a day of branch work would.
    pub fn bench_contact_log(&mut self, count: u64) -> Result<()> {
        use crate::store::write::AuditEvent;
        let clients: Vec<String> = self
            .conn
            .prepare("SELECT id FROM client ORDER BY seq LIMIT 1000")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if clients.is_empty() {
            return Err(Error::internal("the benchmark needs clients first"));
        }
        let me = self.me.id.to_string();
        self.write(
            AuditEvent::new("bench.contact_log", "bench", count.to_string()),
            |w| {
                for i in 0..count {
                    crate::store::clients::log_contact(
                        w,
                        &clients[i as usize % clients.len()],
                        &me,
                        "phone",
                        "note",
                        &format!("电话回访第 {i} 次，客户对服务满意。"),
                    )?;
                }
                Ok(())
            },
        )
    }

    /// The physical limit HQ's import is compared with: the same ops inserted as plain rows
    /// (branch, seq, part, table, row ID, fields) into a scratch table of this database, in
    /// one transaction. Returns (rows, seconds).
    pub fn bench_raw_insert(&mut self, ops: &[crate::sync::bundle::Op]) -> Result<(u64, f64)> {
        self.conn.execute_batch(
            "DROP TABLE IF EXISTS bench_raw;
             CREATE TABLE bench_raw (branch TEXT NOT NULL, seq INTEGER NOT NULL,
                 part INTEGER NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
                 fields TEXT NOT NULL, PRIMARY KEY (branch, seq, part)) STRICT;",
        )?;
        let started = std::time::Instant::now();
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO bench_raw (branch, seq, part, tbl, row_id, fields)
                 VALUES ('B', ?1, ?2, ?3, ?4, ?5)",
            )?;
            for op in ops {
                insert.execute(params![
                    op.seq,
                    op.part,
                    op.table,
                    op.row_id,
                    op.fields.get()
                ])?;
            }
        }
        tx.commit()?;
        let seconds = started.elapsed().as_secs_f64();
        self.conn.execute_batch("DROP TABLE bench_raw;")?;
        Ok((ops.len() as u64, seconds))
    }

    /// The ops a bundle carries, for [`Session::bench_raw_insert`] (HQ only).
    pub fn bench_bundle_ops(&mut self, file: &Path) -> Result<Vec<crate::sync::bundle::Op>> {
        self.read_bundle_ops(file)
    }

    /// Re-rates the whole branch as after HQ publishes a new factor table that changes
    /// every client's result: one run adds a one-point factor for every client, the next
    /// takes it away again (so the bench store can be used again and again). Timed by the
    /// caller; written for real, in one transaction, as `rerate_branch` does.
    pub fn bench_rerate(
        &mut self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<crate::store::RerateReport> {
        use crate::domain::aml::table::{Factor, Group, When};
        use crate::store::write::AuditEvent;
        let adding = self.local_value("bench_rerate")?.as_deref() != Some("added");
        let mut rules = (*self.portfolio_rules()?).clone();
        if adding {
            for kind in [
                crate::domain::client::ClientKind::Person,
                crate::domain::client::ClientKind::Company,
            ] {
                rules.aml.factors.push(Factor {
                    code: format!("bench_{}", kind.code()),
                    group: Group::Client,
                    name_zh: "基准测试因子".into(),
                    name_en: "Benchmark factor".into(),
                    points: 1,
                    at_least: None,
                    when: When {
                        kind: Some(kind),
                        ..When::default()
                    },
                });
            }
        }
        rules.aml.version = format!("bench-{}", if adding { "added" } else { "removed" });
        let calendar = self.calendar.clone();
        let today = self.today();
        let me = self.me.id.to_string();
        self.write(
            AuditEvent::new("risk.rerate", "branch", self.branch.code.clone())
                .with_detail(serde_json::json!({ "table_version": rules.aml.version })),
            |w| {
                let report = crate::store::risk::rerate_in(
                    w,
                    &crate::store::risk::Rerating {
                        rules: &rules,
                        calendar: &calendar,
                        today,
                        by_staff: &me,
                        unrated: crate::store::risk::Unrated::Rate,
                    },
                    progress,
                )?;
                w.set_local("bench_rerate", if adding { "added" } else { "removed" })?;
                Ok(report)
            },
        )
    }
}
