//! Care keys follow the lunar table. A lunar birthday is found by its lunar month and day,
//! worked out from the birth date when the client was saved; when the table changes (it
//! was read from tyme4rs until eleven months of 1906–1957 were found a day off), the keys
//! of the clients who keep the lunar calendar are worked out again, once, at the first login.

use crate::error::Result;
use crate::store::Session;
use crate::store::care::{INSERT_KEY, as_params};
use crate::store::migrations::{ClientsToKey, client_key_rows};
use crate::store::write::AuditEvent;
use rusqlite::OptionalExtension;
use serde_json::json;

/// The lunar table the keys were worked out with (`sync_local` key `lunar_table`; absent:
/// the table read from tyme4rs).
pub(crate) const LUNAR_TABLE: &str = "docs/lunar 2026-12";

impl Session {
    /// Works the lunar birthdays' care keys out again if they were made with another table.
    pub(crate) fn refresh_lunar_keys(&mut self) -> Result<()> {
        let made_with: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM sync_local WHERE key = 'lunar_table'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if made_with.as_deref() == Some(LUNAR_TABLE) {
            return Ok(());
        }
        let rows = client_key_rows(&self.conn, ClientsToKey::Lunar)?;
        let clients = {
            let mut seqs: Vec<i64> = rows.iter().map(|r| r.3).collect();
            seqs.dedup();
            seqs.len()
        };
        let event = AuditEvent::new("care.lunar_keys", "store", self.branch.store_id.clone())
            .with_detail(json!({ "clients": clients, "table": LUNAR_TABLE }));
        self.write(event, |w| {
            w.maintain_index(
                "DELETE FROM care_key WHERE ref = '' AND client_seq IN
                 (SELECT seq FROM client WHERE foreign_branch = 0 AND birth_calendar = 'lunar')",
                [],
            )?;
            w.maintain_index_rows(INSERT_KEY, rows.iter().map(as_params))?;
            w.set_local("lunar_table", LUNAR_TABLE)
        })
    }

    /// Marks a new store's keys as made with the table in use.
    pub(crate) fn mark_lunar_table(&mut self) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_local (key, value) VALUES ('lunar_table', ?1)",
            [LUNAR_TABLE],
        )?;
        Ok(())
    }
}
