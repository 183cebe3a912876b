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
use rusqlite::{OptionalExtension, params};
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

    /// Applies the quarantined bundles of `branch` that now fit, oldest range first.
    pub(super) fn release_quarantine(&mut self, branch: &str) -> Result<Vec<String>> {
        let mut released = Vec::new();
        loop {
            let high_water = self.high_water(branch)?;
            let next: Option<(String, String)> = self
                .conn
                .query_row(
                    "SELECT bundle_sha256, file FROM hq_quarantine
                     WHERE branch = ?1 AND reason != 'forked' AND missing_to < ?2
                     ORDER BY to_seq DESC LIMIT 1",
                    params![branch, high_water + 1],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((sha256, kept)) = next else {
                return Ok(released);
            };
            let kept = PathBuf::from(kept);
            match self.import_one(&kept) {
                Ok(ImportOutcome::Applied { .. }) => released.push(sha256.clone()),
                Ok(ImportOutcome::AlreadyImported { .. }) => {}
                // It starts at or before the mark, so it cannot be waiting on a gap; and a
                // copy that no longer imports stays where it is for the next attempt (the
                // bundle that released it is already in).
                Ok(ImportOutcome::Quarantined { .. } | ImportOutcome::Forked { .. }) | Err(_) => {
                    tracing::warn!(%sha256, "a quarantined bundle could not be applied yet");
                    return Ok(released);
                }
            }
            self.write(
                AuditEvent::new("hq.release", "bundle", sha256.clone()),
                |w| {
                    w.execute_local(
                        "DELETE FROM hq_quarantine WHERE bundle_sha256 = ?1",
                        [&sha256],
                    )
                    .map(|_| ())
                },
            )?;
            let _ = std::fs::remove_file(signature_path(&kept));
            let _ = std::fs::remove_file(&kept);
        }
    }
}
