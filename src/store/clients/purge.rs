//! Erasing a client's record once the law lets it go: never while the relationship is
//! open, never inside the retention period after it ended (ten years by default, see
//! `domain::aml::FactorTable::may_delete`). Past it, the personal data is blanked here and,
//! through the outbox, at HQ; the row stays as a tombstone and is gone from every lookup,
//! list and agenda.

use super::remove_index_rows;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::{AuditEvent, Table};
use chrono::NaiveDate;
use rusqlite::params;
use rusqlite::types::Value;
use serde_json::json;

impl Session {
    /// Erases a client's record past the retention period (managers, with a reason), or
    /// says why it must be kept. Returns the day it was erased.
    pub fn purge_client(&mut self, key: &str, reason: &str) -> Result<NaiveDate> {
        let (seq, stored, reason) = self.our_client_for(Permission::CloseClient, key, reason)?;
        let today = self.today();
        let rules = self.portfolio_rules()?;
        rules
            .aml
            .may_delete(self.closed_on(&stored.id)?, today)
            .map_err(|kept| Error::RecordKept {
                client: stored.client_no.clone(),
                kept,
            })?;
        let foreign = stored.home_branch != self.branch.code;
        let event = AuditEvent::new("client.purge", "client", stored.id.clone())
            .with_detail(json!({ "client_no": stored.client_no, "reason": reason }));
        self.write(event, |w| {
            // The document number stays unique (the table says so) and says nothing.
            let blank = vec![
                ("name", Value::Text(String::new())),
                ("gender", Value::Null),
                ("birth_date", Value::Null),
                ("id_number", Value::Text(format!("purged-{}", stored.id))),
                ("id_expiry", Value::Null),
                ("phone", Value::Null),
                ("email", Value::Null),
                ("address", Value::Null),
                ("occupation", Value::Null),
                ("tags", Value::Text(String::new())),
                ("updated_at", Value::Text(w.now_text())),
            ];
            let local = vec![
                ("phone_rev", Value::Null),
                ("id_rev", Value::Text(String::new())),
            ];
            w.update_with_local(Table::Client, &stored.id, blank, local)?;
            w.delete(Table::Client, &stored.id)?;
            remove_index_rows(w, seq, foreign, &stored.record.name)?;
            // The desk keeps the row, closed (so its count still matches the clients').
            for sql in [
                "DELETE FROM client_card WHERE seq = ?1",
                "DELETE FROM care_key WHERE client_seq = ?1",
                "DELETE FROM credit_warning WHERE client_seq = ?1",
            ] {
                w.maintain_index(sql, params![seq])?;
            }
            // The facts the rating was made on go too (PEP, nationality).
            let profiled = w
                .read(
                    "SELECT 1 FROM aml_profile WHERE id = ?1",
                    [&stored.id],
                    |_| Ok(()),
                )?
                .is_some();
            if profiled {
                w.update(
                    Table::AmlProfile,
                    &stored.id,
                    crate::store::risk::profile_fields(w, &Default::default()),
                )?;
            }
            Ok(())
        })?;
        Ok(today)
    }
}
