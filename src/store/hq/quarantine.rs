//! Bundles that arrive before the ones they follow: kept (encrypted, as they came) in the
//! store's `quarantine/` folder — in the database itself on PostgreSQL, where importers on
//! other machines find them — with the missing range noted, and applied as soon as the gap
//! is filled.

use super::db::{Dialect, Param};
use super::import::Kept;
use super::{Hq, HqRead, hq_params};
use super::{ImportOutcome, file_name};
use crate::error::Result;
use crate::store::Session;
use crate::store::fsutil;
use crate::store::sync::signature_path;
use crate::store::write::AuditEvent;
use chrono::SecondsFormat;
use std::path::PathBuf;

/// A bundle kept aside.
struct Quarantined {
    sha256: String,
    /// Its copy in the quarantine folder, or (kept in the database) the name it came under.
    file: PathBuf,
    missing: (i64, i64),
    /// Its bytes and signature, where the database keeps them.
    copy: Option<(Vec<u8>, String)>,
}

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
        let already = self.hq()?.one(
            "SELECT EXISTS (SELECT 1 FROM hq_quarantine WHERE bundle_sha256 = ?1)",
            hq_params![sha256],
            |r| r.flag(0),
        )?;
        let at = self.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let name = file_name(file);
        let event = AuditEvent::new("hq.quarantine", "bundle", name.clone()).with_detail(
            serde_json::json!({
                "branch": m.sender,
                "reason": reason,
                "high_water": high_water,
                "missing_from": missing.0,
                "missing_to": missing.1,
            }),
        );
        if already {
            return self.hq_write(event, |tx| {
                tx.execute(
                    "UPDATE hq_quarantine SET missing_from = ?2, missing_to = ?3, reason = ?4
                     WHERE bundle_sha256 = ?1",
                    hq_params![sha256, missing.0, missing.1, reason],
                )
                .map(|_| ())
            });
        }
        let on_postgres = matches!(self.hq()?, Hq::Pg(_));
        if on_postgres {
            // Kept in the database, where every importer (on any machine) finds it.
            return self.hq_write(event, |tx| {
                tx.execute(
                    "INSERT INTO hq_quarantine
                     (bundle_sha256, branch, from_seq, to_seq, missing_from, missing_to, file, at,
                      reason, bundle, signature)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    hq_params![
                        sha256, &m.sender, m.from_seq, m.to_seq, missing.0, missing.1, &name, &at,
                        reason, bytes, signature
                    ],
                )
                .map(|_| ())
            });
        }
        let dir = self.paths.dir().join("quarantine");
        fsutil::create_private_dir(&dir)?;
        let copy = dir.join(format!("{sha256}.bdx"));
        fsutil::write_atomic(&copy, bytes)?;
        fsutil::write_atomic(&signature_path(&copy), signature.as_bytes())?;
        self.hq_write(event, |tx| {
            tx.execute(
                "INSERT INTO hq_quarantine
                 (bundle_sha256, branch, from_seq, to_seq, missing_from, missing_to, file, at,
                  reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                hq_params![
                    sha256,
                    &m.sender,
                    m.from_seq,
                    m.to_seq,
                    missing.0,
                    missing.1,
                    copy.to_string_lossy().as_ref(),
                    &at,
                    reason
                ],
            )
            .map(|_| ())
        })
    }

    pub(super) fn release_quarantine(&mut self, branch: &str) -> Result<Vec<String>> {
        let mut released = Vec::new();
        loop {
            let high_water = self.high_water(branch)?;
            let candidates = self.quarantined(
                "WHERE branch = ?1 AND reason != 'forked' AND missing_to < ?2 ORDER BY to_seq DESC",
                hq_params![branch, high_water + 1],
            )?;
            let mut progressed = false;
            for Quarantined {
                sha256,
                file: kept,
                copy,
                ..
            } in candidates
            {
                let applied = match self.import_one(&kept, copy) {
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
        self.hq_write(event, |tx| {
            tx.execute(
                "DELETE FROM hq_quarantine WHERE bundle_sha256 = ?1",
                hq_params![sha256],
            )
            .map(|_| ())
        })?;
        // The copy in this store's quarantine folder (none when the database keeps it).
        if kept.starts_with(self.paths.dir().join("quarantine")) {
            let _ = std::fs::remove_file(signature_path(kept));
            let _ = std::fs::remove_file(kept);
        }
        Ok(())
    }

    /// Quarantined bundles (`filter`: the statement's WHERE and ORDER BY), with their kept
    /// bytes where the database keeps them.
    fn quarantined(&self, filter: &str, params: &[Param]) -> Result<Vec<Quarantined>> {
        let mut hq = self.hq()?;
        let copy = match hq.dialect() {
            Dialect::Sqlite => "NULL, NULL",
            Dialect::Postgres => "bundle, signature",
        };
        hq.rows(
            &format!(
                "SELECT bundle_sha256, file, missing_from, missing_to, {copy} FROM hq_quarantine
                 {filter}"
            ),
            params,
            |r| {
                let copy = match (r.opt_bytes(4)?, r.opt_text(5)?) {
                    (Some(bytes), Some(signature)) => Some((bytes, signature)),
                    _ => None,
                };
                Ok(Quarantined {
                    sha256: r.text(0)?,
                    file: PathBuf::from(r.text(1)?),
                    missing: (r.int(2)?, r.int(3)?),
                    copy,
                })
            },
        )
    }

    /// After a bundle from `branch` that declares `void` applied: the bundles set aside as
    /// forked under numbers it declares void are obsolete (the branch renumbered those
    /// changes and sent them again), and go.
    pub(super) fn forget_forked(&mut self, branch: &str, void: &[(i64, i64)]) -> Result<()> {
        let forked = self.quarantined(
            "WHERE branch = ?1 AND reason = 'forked'",
            hq_params![branch],
        )?;
        for Quarantined {
            sha256,
            file,
            missing,
            ..
        } in forked
        {
            if void
                .iter()
                .any(|&(first, last)| first <= missing.0 && missing.1 <= last)
            {
                let detail = serde_json::json!({ "renumbered": [missing.0, missing.1] });
                self.forget_quarantined(&sha256, &file, Some(detail))?;
            }
        }
        Ok(())
    }
}
