//! The review list a branch keeps of what HQ's client book crossed (`from_hq` notes the
//! entries): managers read it in full, audited, and take entries off it once a record is
//! right, keeping who did and when.

use crate::error::{Error, Result};
use rusqlite::params;
use serde::Serialize;

/// One entry of the review list: a value this branch held that the book replaced, or a
/// client of HQ's that clashes with one here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewEntry {
    pub client_no: String,
    /// A client field, or `duplicate` (HQ's client `lost` has this client's document or
    /// number and was not brought in).
    pub field: String,
    pub kept: String,
    pub kept_branch: String,
    pub lost: String,
    pub lost_branch: String,
    pub noted_at: String,
}

impl crate::store::Session {
    /// The review list: values the client book replaced, and HQ's clients that clash with
    /// one here. Both values in full, so managers only, and audited.
    pub fn client_review(&mut self) -> Result<Vec<ReviewEntry>> {
        self.require(crate::domain::staff::Permission::ManageBranch)?;
        let entries: Vec<(i64, ReviewEntry)> = self
            .conn
            .prepare(
                "SELECT r.client_seq, c.client_no, r.field, r.kept, r.kept_branch, r.lost,
                        r.lost_branch, r.noted_at
                 FROM client_review r JOIN client c ON c.seq = r.client_seq
                 WHERE r.resolved_at IS NULL
                 ORDER BY r.noted_at, c.client_no, r.field",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    ReviewEntry {
                        client_no: r.get(1)?,
                        field: r.get(2)?,
                        kept: r.get(3)?,
                        kept_branch: r.get(4)?,
                        lost: r.get(5)?,
                        lost_branch: r.get(6)?,
                        noted_at: r.get(7)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let clients: Vec<&str> = entries.iter().map(|(_, e)| e.client_no.as_str()).collect();
        self.audit_only(
            crate::store::write::AuditEvent::new(
                "client.review_read",
                "store",
                self.branch.store_id.clone(),
            )
            .with_detail(serde_json::json!({ "clients": clients })),
        )?;
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// Takes a client's entries for `field` off the review list (once the record is as it
    /// should be), keeping who did and when; returns how many there were.
    pub fn resolve_client_review(&mut self, client: &str, field: &str) -> Result<u64> {
        self.require(crate::domain::staff::Permission::ManageBranch)?;
        let (seq, stored) = self.find_client(client)?;
        let event =
            crate::store::write::AuditEvent::new("client.review_resolved", "client", stored.id)
                .with_detail(serde_json::json!({ "field": field }));
        let staff = self.me().id.to_string();
        let removed = self.write(event, |w| {
            let now = w.now_text();
            w.execute_local(
                "UPDATE client_review SET resolved_at = ?3, resolved_by = ?4
                 WHERE client_seq = ?1 AND field = ?2 AND resolved_at IS NULL",
                params![seq, field, now, staff],
            )
        })?;
        if removed == 0 {
            return Err(Error::NothingToReview {
                client: client.to_string(),
                field: field.to_string(),
            });
        }
        Ok(removed as u64)
    }
}
