//! Bundles that arrive before the ones they follow: kept (encrypted, as they came) in the
//! store's `quarantine/` folder with the missing range noted, and applied as soon as the
//! gap is filled.

use super::import::Kept;
use super::{ImportOutcome, file_name};
use crate::error::Result;
use crate::store::Session;
use crate::store::fsutil;
use crate::store::sync::signature_path;
use crate::store::write::AuditEvent;
use chrono::SecondsFormat;
use rusqlite::params;
use std::path::PathBuf;

impl Session {
    /// Keeps a copy of a bundle that cannot be applied yet, and notes why: the `missing`
    /// range before it (`gap`), the numbers it declares void that HQ does not hold yet
    /// (`void`) — both released once HQ holds them — or the numbers under which it carries
    /// other changes than HQ holds (`forked`), which stays aside for someone to look into.
    pub(super) fn quarantine(
        &mut self,
        kept: &Kept,
        high_water: i64,
        missing: (i64, i64),
        reason: &'static str,
    ) -> Result<()> {
        let Kept {
            file,
            bytes,
            signature,
            sha256,
            manifest: m,
        } = *kept;
        let already: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM hq_quarantine WHERE bundle_sha256 = ?1)",
            [sha256],
            |r| r.get(0),
        )?;
        if already {
            // Tried again and still not applicable: what it waits for now (or that it
            // forked) replaces what was noted.
            self.conn.execute(
                "UPDATE hq_quarantine SET missing_from = ?2, missing_to = ?3, reason = ?4
                 WHERE bundle_sha256 = ?1",
                params![sha256, missing.0, missing.1, reason],
            )?;
            return Ok(());
        }
        let dir = self.paths.dir().join("quarantine");
        fsutil::create_private_dir(&dir)?;
        let copy = dir.join(format!("{sha256}.bdx"));
        fsutil::write_atomic(&copy, bytes)?;
        fsutil::write_atomic(&signature_path(&copy), signature.as_bytes())?;
        let at = self.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let name = file_name(file);
        self.write(
            AuditEvent::new("hq.quarantine", "bundle", name.clone()).with_detail(
                serde_json::json!({
                    "branch": m.sender,
                    "reason": reason,
                    "high_water": high_water,
                    "missing_from": missing.0,
                    "missing_to": missing.1,
                }),
            ),
            |w| {
                w.execute_local(
                    "INSERT INTO hq_quarantine
                     (bundle_sha256, branch, from_seq, to_seq, missing_from, missing_to, file, at,
                      reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        sha256,
                        m.sender,
                        m.from_seq,
                        m.to_seq,
                        missing.0,
                        missing.1,
                        copy.to_string_lossy(),
                        at,
                        reason
                    ],
                )
                .map(|_| ())
            },
        )
    }

    /// Applies the quarantined bundles of `branch` that now fit, widest range first; one
    /// that still does not fit is passed over (its note says what it waits for now), so it
    /// holds up no other.
    pub(super) fn release_quarantine(&mut self, branch: &str) -> Result<Vec<String>> {
        let mut released = Vec::new();
        loop {
            let high_water = self.high_water(branch)?;
            let candidates: Vec<(String, String)> = self
                .conn
                .prepare(
                    "SELECT bundle_sha256, file FROM hq_quarantine
                     WHERE branch = ?1 AND reason != 'forked' AND missing_to < ?2
                     ORDER BY to_seq DESC",
                )?
                .query_map(params![branch, high_water + 1], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut progressed = false;
            for (sha256, kept) in candidates {
                let kept = PathBuf::from(kept);
                let applied = match self.import_one(&kept) {
                    Ok(ImportOutcome::Applied { .. }) => true,
                    Ok(ImportOutcome::AlreadyImported { .. }) => false,
                    Ok(ImportOutcome::Quarantined { .. } | ImportOutcome::Forked { .. })
                    | Err(_) => {
                        tracing::warn!(%sha256, "a quarantined bundle could not be applied yet");
                        continue;
                    }
                };
                self.forget_quarantined(&sha256, &kept, None)?;
                progressed = true;
                if applied {
                    released.push(sha256);
                    // The mark moved: what fits is looked at again.
                    break;
                }
            }
            if !progressed {
                return Ok(released);
            }
        }
    }

    /// Drops a quarantined bundle (applied, already in, or made obsolete) and its copy.
    fn forget_quarantined(
        &mut self,
        sha256: &str,
        kept: &std::path::Path,
        detail: Option<serde_json::Value>,
    ) -> Result<()> {
        let mut event = AuditEvent::new("hq.release", "bundle", sha256.to_string());
        if let Some(detail) = detail {
            event = event.with_detail(detail);
        }
        self.write(event, |w| {
            w.execute_local(
                "DELETE FROM hq_quarantine WHERE bundle_sha256 = ?1",
                [sha256],
            )
            .map(|_| ())
        })?;
        let _ = std::fs::remove_file(signature_path(kept));
        let _ = std::fs::remove_file(kept);
        Ok(())
    }

    /// After a bundle from `branch` that declares `void` applied: the bundles set aside as
    /// forked under numbers it declares void are obsolete (the branch renumbered those
    /// changes and sent them again), and go.
    pub(super) fn forget_forked(&mut self, branch: &str, void: &[(i64, i64)]) -> Result<()> {
        let forked: Vec<(String, String, i64, i64)> = self
            .conn
            .prepare(
                "SELECT bundle_sha256, file, missing_from, missing_to FROM hq_quarantine
                 WHERE branch = ?1 AND reason = 'forked'",
            )?
            .query_map([branch], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (sha256, kept, from, to) in forked {
            if void
                .iter()
                .any(|&(first, last)| first <= from && to <= last)
            {
                let detail = serde_json::json!({ "renumbered": [from, to] });
                self.forget_quarantined(&sha256, &PathBuf::from(kept), Some(detail))?;
            }
        }
        Ok(())
    }
}
