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

    /// Clients picked at random positions (deterministic for `seed`).
    pub fn sample_clients(&self, count: usize, seed: u64) -> Result<Vec<Sample>> {
        let max: i64 =
            self.conn
                .query_row("SELECT coalesce(max(seq), 0) FROM client", [], |r| r.get(0))?;
        let mut rng = crate::domain::synthetic::Rng::new(seed);
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, phone, id_number, client_no FROM client WHERE seq >= ?1 ORDER BY seq LIMIT 1",
        )?;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let at = 1 + rng.below(max.max(1) as u64) as i64;
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

    /// Empties the page cache (so that runs start alike).
    pub fn reset_cache(&self) -> Result<()> {
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = 0; PRAGMA cache_size = -{};",
            db::CACHE_KIB
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
        self.conn.execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS plain KEY '';
             SELECT sqlcipher_export('plain');
             PRAGMA plain.user_version = {version};
             PRAGMA plain.analysis_limit = 1000;
             ANALYZE plain;
             DETACH DATABASE plain;"
        ))?;
        Ok(())
    }

    /// Opens the plaintext copy at `path`, configured like the store.
    pub fn open_plain_copy(&self, path: &Path) -> Result<PlainCopy> {
        Ok(PlainCopy(db::open_plain(path)?))
    }

    /// Swaps this session's connection with the plaintext copy's: the next calls run the
    /// same code on the same data without encryption, until swapped back.
    pub fn swap_with(&mut self, copy: &mut PlainCopy) {
        std::mem::swap(&mut self.conn, &mut copy.0);
    }
}

/// A plaintext copy's connection, swapped in and out of a session by the benchmark.
pub struct PlainCopy(rusqlite::Connection);
