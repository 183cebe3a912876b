//! Reading and verifying the audit trail.

use crate::domain::audit::{AuditContent, ChainVerdict, ChainWalker};
use crate::domain::staff::Permission;
use crate::error::Result;
use crate::store::Session;
use crate::store::anchor::{self, AnchorRead};
use crate::store::reached;
use crate::store::write::AuditEvent;
use rusqlite::Connection;
use serde::Serialize;

/// One audit row as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
    /// What staff call the row's subject: a client's number or a complaint's receipt
    /// number where the trail keeps their internal IDs.
    pub subject: Option<String>,
}

/// What a staff member is shown about their own logins (PCI DSS asks for last-login
/// information so that misuse of an account is noticed by its owner).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoginHistory {
    pub failed_attempts_before: u32,
    pub previous_login: Option<String>,
}

impl Session {
    /// The logged-in member's own login history; needs no audit permission.
    pub fn login_history(&self) -> Result<LoginHistory> {
        let mut stmt = self.conn.prepare(
            "SELECT at, detail FROM audit_log WHERE action = 'session.login' AND actor = ?1
             ORDER BY id DESC LIMIT 2",
        )?;
        let rows = stmt
            .query_map([self.me.id.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let failed_attempts_before = rows
            .first()
            .and_then(|(_, detail)| serde_json::from_str::<serde_json::Value>(detail).ok())
            .and_then(|d| d.get("failed_attempts_before")?.as_u64())
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        Ok(LoginHistory {
            failed_attempts_before,
            previous_login: rows.get(1).map(|(at, _)| at.clone()),
        })
    }

    /// Walks the whole chain and names the first row that does not fit; a chain that fits
    /// is then held against its anchor beside the store.
    pub fn verify_audit(&self) -> Result<ChainVerdict> {
        self.require(Permission::ViewAudit)?;
        let verdict = verify_chain(&self.conn)?;
        self.against_anchor(verdict)
    }

    /// `verdict` (of a chain that fits) held against the anchor.
    pub(crate) fn against_anchor(&self, verdict: ChainVerdict) -> Result<ChainVerdict> {
        let ChainVerdict::Intact { rows } = verdict else {
            return Ok(verdict);
        };
        let path = self.paths.audit_anchor();
        let Some(key) = anchor::beside_key(&self.conn, false)? else {
            // No key, no anchor this database accepts: fine for a store never anchored.
            return Ok(if path.exists() || anchor::marked(&self.conn)? {
                ChainVerdict::AnchorLost { rows }
            } else {
                verdict
            });
        };
        Ok(match anchor::read(&path, &self.branch.store_id, &key) {
            AnchorRead::Valid(a) => {
                let head = anchor::chain_head(&self.conn)?.map_or(0, |(row, _)| row);
                let at = a.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                if head < a.row {
                    ChainVerdict::Shortened {
                        rows,
                        anchored_rows: a.row,
                        anchored_at: at,
                    }
                } else if !anchor::extends(&self.conn, &a)? {
                    ChainVerdict::Replaced {
                        row: a.row,
                        anchored_at: at,
                    }
                } else {
                    verdict
                }
            }
            AnchorRead::Damaged => ChainVerdict::AnchorLost { rows },
            AnchorRead::Absent if anchor::marked(&self.conn)? => ChainVerdict::AnchorLost { rows },
            AnchorRead::Absent => verdict,
        })
    }

    /// What is kept beside the store, brought up to date: the audit anchor and the numbers
    /// reached. A failure is logged, not raised: the files only lag behind, and the next
    /// session or minute brings them on.
    pub(crate) fn keep_beside(&mut self) {
        // Tried at most once a minute from the write path, whether or not the anchor
        // moves (it stays put over a shortened trail).
        self.anchored_at = Some(self.clock.now());
        if let Err(error) = self.refresh_anchor() {
            tracing::warn!(%error, "the audit trail could not be anchored");
        }
        if let Err(error) = self.note_reached(None) {
            tracing::warn!(%error, "the numbers reached could not be noted");
        }
    }

    /// Notes beside the store the numbers it has reached (with `also`, e.g. an export's
    /// last seq, before the bundle leaves).
    pub(crate) fn note_reached(&mut self, also: Option<&reached::Reached>) -> Result<()> {
        let Some(guard) = anchor::beside_key(&self.conn, true)? else {
            return Ok(());
        };
        let path = self.paths.reached();
        let kept = reached::read(&path, &self.branch.store_id, &guard);
        let mut now = reached::in_database(&self.conn)?;
        now.hlc = now.hlc.max(self.hlc.as_i64());
        if let Some(also) = also {
            now = now.max(also);
        }
        let merged = match &kept {
            Some(kept) => now.max(kept),
            None => now,
        };
        if kept.as_ref() != Some(&merged) {
            reached::write(
                &path,
                &self.branch.store_id,
                &guard,
                &merged,
                self.clock.now(),
            )?;
        }
        Ok(())
    }

    /// Moves the anchor to the trail's head, over a trail that extends it (see
    /// [`anchor::advance`]).
    pub(crate) fn refresh_anchor(&mut self) -> Result<()> {
        let Some(guard) = anchor::beside_key(&self.conn, !self.paths.audit_anchor().exists())?
        else {
            return Ok(());
        };
        let now = self.clock.now();
        let path = self.paths.audit_anchor();
        if anchor::advance(&self.conn, &path, &self.branch.store_id, &guard, now)? {
            self.anchored_at = Some(now);
        }
        Ok(())
    }

    /// Anchors the trail's head as it is now, whatever the anchor said.
    pub(crate) fn anchor_head(&mut self) -> Result<()> {
        let Some(guard) = anchor::beside_key(&self.conn, true)? else {
            return Ok(());
        };
        let now = self.clock.now();
        let path = self.paths.audit_anchor();
        if anchor::anchor_head(&self.conn, &path, &self.branch.store_id, &guard, now)? {
            self.anchored_at = Some(now);
        }
        Ok(())
    }

    /// After a shortened, replaced or unanchored trail has been looked into: anchors the
    /// trail as it is, writing into it what the anchor said before. An administrator's act.
    pub fn reanchor_audit(&mut self) -> Result<ChainVerdict> {
        self.require(Permission::Restore)?;
        let before = self.verify_audit()?;
        if let ChainVerdict::Broken { .. } = before {
            // A trail whose rows do not fit is not anchored over: it is restored from a
            // backup.
            return Ok(before);
        }
        let event = AuditEvent::new("audit.reanchor", "store", self.branch.store_id.clone())
            .with_detail(serde_json::json!({ "found": before }));
        self.audit_only(event)?;
        self.anchor_head()?;
        self.verify_audit()
    }

    /// Up to `limit` rows, newest first, older than `before` when given. Lists page with
    /// this rather than loading the table.
    pub fn list_audit(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRow>> {
        self.require(Permission::ViewAudit)?;
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.detail,
                    coalesce(c.client_no, k.receipt_no)
             FROM audit_log a
             LEFT JOIN client c ON a.entity = 'client' AND c.id = a.entity_id
             LEFT JOIN complaint k ON a.entity = 'complaint' AND k.id = a.entity_id
             WHERE a.id < ?1 ORDER BY a.id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![before.unwrap_or(i64::MAX), limit], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    detail: r.get(6)?,
                    subject: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl AuditRow {
    /// The row's subject as staff know it: a client or receipt number, "this store", or
    /// the ID the trail keeps (a staff ID, a file, a branch code).
    pub fn subject_text(&self, i18n: &crate::i18n::I18n) -> String {
        match (&self.subject, self.entity.as_str()) {
            (Some(subject), _) => subject.clone(),
            (None, "store") => i18n.t("audit.this_store").to_string(),
            (None, _) => self.entity_id.clone(),
        }
    }
}

pub(crate) fn verify_chain(conn: &Connection) -> Result<ChainVerdict> {
    let mut stmt = conn.prepare(
        "SELECT id, at, hlc, actor, action, entity, entity_id, detail, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut walker = ChainWalker::default();
    while let Some(row) = rows.next()? {
        let content = AuditContent {
            id: row.get(0)?,
            at: row.get(1)?,
            hlc: row.get(2)?,
            actor: row.get(3)?,
            action: row.get(4)?,
            entity: row.get(5)?,
            entity_id: row.get(6)?,
            detail: row.get(7)?,
        };
        let prev: Vec<u8> = row.get(8)?;
        let hash: Vec<u8> = row.get(9)?;
        if let Err(verdict) = walker.check(&content, &prev, &hash) {
            return Ok(verdict);
        }
    }
    Ok(walker.finish())
}
