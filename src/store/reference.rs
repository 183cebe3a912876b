//! Reference data: HQ publishes a signed snapshot encrypted to every registered branch; a
//! branch applies a newer one only, and prunes its outbox up to HQ's acknowledgement.

use crate::domain::hlc::Hlc;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::hq::HqRead;
use crate::store::migrations::SCHEMA_VERSION;
use crate::store::sync::{check_schema, file_error, read_signed, sync_error, write_sealed};
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::bundle::{self, Manifest, REFERENCE_PAYLOAD};
use crate::sync::keys::Party;
use crate::sync::reference::{
    DirectoryEntry, PortfolioRules, Product, Reference, RuleTables, parse_products,
};
use chrono::SecondsFormat;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishReport {
    pub file: PathBuf,
    pub signature: PathBuf,
    pub version: i64,
    pub branches: usize,
    pub staff: usize,
    pub templates: usize,
    pub products: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceReport {
    pub version: i64,
    /// HQ holds everything up to this seq; the outbox kept only what is after it.
    pub acked_seq: i64,
    pub pruned: i64,
    pub staff: usize,
    pub templates: usize,
    pub products: usize,
}

/// What reference data this store has applied (`branchdesk reference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceState {
    pub version: i64,
    pub staff: Vec<DirectoryEntry>,
    pub products: Vec<Product>,
    pub templates: usize,
    pub holidays_from_hq: bool,
}

impl Session {
    /// Writes reference data version n+1 to `dir`, for every branch HQ has registered.
    pub fn publish_reference(&mut self, dir: &Path) -> Result<PublishReport> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        let keys = self.secret_keys()?;
        let mut recipients = Vec::new();
        let mut acks = std::collections::BTreeMap::new();
        {
            // A branch whose bundle was set aside as forked holds changes under numbers HQ
            // holds for others: HQ acknowledges only what comes before the fork, so that the
            // branch keeps those changes to renumber and send again.
            let rows = self.hq()?.rows(
                "SELECT code, recipient, high_water,
                        (SELECT min(missing_from) - 1 FROM hq_quarantine q
                         WHERE q.branch = b.code AND q.reason = 'forked')
                 FROM hq_branch b ORDER BY code",
                &[],
                |r| Ok((r.text(0)?, r.text(1)?, r.int(2)?, r.opt_int(3)?)),
            )?;
            for (code, recipient, high_water, before_fork) in rows {
                recipients.push(
                    age::x25519::Recipient::from_str(&recipient)
                        .map_err(|_| Error::internal(format!("branch {code}: bad recipient")))?,
                );
                acks.insert(code, before_fork.map_or(high_water, |b| b.min(high_water)));
            }
        }
        if recipients.is_empty() {
            return Err(sync_error(SyncProblem::NoRecipients));
        }
        let version = self.local_number("ref_published")? + 1;
        let reference_dir = self.paths.reference();
        let read_or = |name: &str, shipped: &str| -> Result<String> {
            let path = reference_dir.join(name);
            if !path.exists() {
                return Ok(shipped.to_string());
            }
            crate::error::input::read_text_limited(&path, crate::error::input::SMALL_FILE)
        };
        let holidays = read_or("holidays.toml", crate::assets::HOLIDAYS)?;
        let products_text = read_or("products.toml", crate::assets::PRODUCTS)?;
        let products = parse_products(&products_text).map_err(|e| Error::Config {
            path: reference_dir.join("products.toml"),
            detail: e.to_string(),
        })?;
        let mut templates = Vec::new();
        for (file, text) in self.template_files()? {
            crate::domain::survey::parse_template(&text).map_err(|e| Error::Config {
                path: PathBuf::from(&file),
                detail: e.to_string(),
            })?;
            templates.push(text);
        }
        let staff = self
            .hq_rows("staff")?
            .into_iter()
            .filter(|r| {
                !r.deleted && r.fields.get("status").and_then(|s| s.as_str()) != Some("disabled")
            })
            .map(|r| {
                let text = |k: &str| {
                    r.fields
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                DirectoryEntry {
                    branch: r.branch.clone(),
                    id: text("id"),
                    name: text("name"),
                    role: text("role"),
                }
            })
            .collect();
        let rules = RuleTables {
            tiers: read_or("tiers.toml", crate::assets::TIERS)?,
            suitability: read_or("suitability.toml", crate::assets::SUITABILITY)?,
            offers: read_or("offers.toml", crate::assets::OFFERS)?,
            value: read_or("value.toml", crate::assets::VALUE)?,
            aml: read_or("aml_factors.toml", crate::assets::AML_FACTORS)?,
            loyalty: read_or("loyalty.toml", crate::assets::LOYALTY)?,
        };
        let now = self.clock.now();
        let reference = Reference {
            version,
            hq: self.branch.code.clone(),
            published_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            staff,
            survey_templates: templates,
            holidays,
            products,
            acks,
            rules,
        };
        reference.check().map_err(|e| Error::Config {
            path: reference_dir.clone(),
            detail: e.to_string(),
        })?;
        let raw = serde_json::to_vec(&reference).map_err(Error::internal)?;
        let payload = bundle::compress(&raw).map_err(sync_error)?;
        let manifest = self.hq_manifest("reference", version, &payload, &keys);
        let sealed = bundle::seal(&manifest, &payload, &keys, &recipients).map_err(sync_error)?;
        let file = dir.join(format!("{}-reference-{version}.bdr", self.branch.code));
        let signature = write_sealed(&self.paths, &file, &sealed)?;
        let report = PublishReport {
            file: file.clone(),
            signature,
            version,
            branches: recipients.len(),
            staff: reference.staff.len(),
            templates: reference.survey_templates.len(),
            products: reference.products.len(),
        };
        self.write(
            AuditEvent::new("hq.publish", "reference", version.to_string()).with_detail(
                serde_json::json!({ "branches": report.branches, "sha256": sealed.sha256 }),
            ),
            |w| w.set_local("ref_published", &version.to_string()),
        )?;
        Ok(report)
    }

    /// Applies HQ's reference data if it is newer than what this branch has.
    pub fn import_reference(&mut self, file: &Path) -> Result<ReferenceReport> {
        let (manifest, payload) = self.open_from_hq(file, "reference")?;
        let hq = self.hq_keys()?.ok_or(sync_error(SyncProblem::NoHq))?;
        let applied = self.local_number("ref_version")?;
        if manifest.to_seq <= applied {
            return Err(file_error(
                file,
                SyncProblem::OlderReference {
                    found: manifest.to_seq,
                    applied,
                },
            ));
        }
        let raw = bundle::decompress(&payload, crate::error::input::REFERENCE)
            .map_err(|p| file_error(file, p))?;
        let reference: Reference =
            serde_json::from_slice(&raw).map_err(|_| file_error(file, SyncProblem::Damaged))?;
        if reference.version != manifest.to_seq || reference.check().is_err() {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        // The rules that will be in force must read against the new catalogue: HQ's if it
        // sent them, else the ones here (an older HQ sends none).
        let in_force = if reference.rules == RuleTables::default() {
            match self.local_value("ref_rules")? {
                Some(text) => serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?,
                None => RuleTables::shipped(),
            }
        } else {
            reference.rules.clone()
        };
        let Ok(rules_in_force) = in_force.parse(&reference.products) else {
            return Err(file_error(file, SyncProblem::Damaged));
        };
        // New rules re-read the standings of the snapshot in force; a new AML factor table
        // re-rates the branch, in the same transaction.
        let snapshot = self.holdings_as_of()?;
        let new_aml_table = self.portfolio_rules()?.aml.version != rules_in_force.aml.version;
        // Due days by the holiday table that comes with the rules (checked above).
        let calendar = crate::domain::calendar::WorkCalendar::parse(&reference.holidays)
            .map_err(|_| file_error(file, SyncProblem::Damaged))?;
        let me = self.me.id.to_string();
        let today = self.today();
        let acked_before = self.local_number("acked_seq")?;
        // HQ cannot hold more than was ever written here.
        let written: i64 = self.conn.query_row(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
            [],
            |r| r.get(0),
        )?;
        // …nor more than was sent to this HQ (a branch re-pointed at another HQ must not
        // drop what the first one never received). Stores that exported before this was
        // kept count their last export as sent to the HQ trusted now.
        let exported_to = self.exported_to()?;
        let sent_here = match exported_to.get(hq.key_id()?) {
            Some(seq) => seq.as_i64().unwrap_or(0),
            None if exported_to.as_object().is_some_and(|m| m.is_empty()) => {
                self.local_number("last_export_seq")?
            }
            None => 0,
        };
        let acked = reference
            .acks
            .get(&self.branch.code)
            .copied()
            .unwrap_or(0)
            .min(written)
            .min(sent_here)
            .max(acked_before);
        let seen = Hlc::from_i64(manifest.hlc).max(Hlc::from_i64(self.local_number("hlc_seen")?));
        let now_ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        self.hlc = self.hlc.observe(Hlc::from_i64(manifest.hlc), now_ms);
        let templates =
            serde_json::to_string(&reference.survey_templates).map_err(Error::internal)?;
        let staff = serde_json::to_string(&reference.staff).map_err(Error::internal)?;
        let products = serde_json::to_string(&reference.products).map_err(Error::internal)?;
        let rules = serde_json::to_string(&reference.rules).map_err(Error::internal)?;
        let version = reference.version;
        let pruned = self.write(
            AuditEvent::new("sync.reference", "reference", version.to_string())
                .with_detail(serde_json::json!({ "acked_seq": acked, "hq": hq.code })),
            |w| {
                let pruned = w.execute_local("DELETE FROM outbox WHERE seq <= ?1", [acked])?;
                w.set_local("acked_seq", &acked.to_string())?;
                w.set_local("ref_version", &version.to_string())?;
                w.set_local("ref_holidays", &reference.holidays)?;
                w.set_local("ref_templates", &templates)?;
                w.set_local("ref_staff", &staff)?;
                w.set_local("ref_products", &products)?;
                if reference.rules != RuleTables::default() {
                    w.set_local("ref_rules", &rules)?;
                }
                w.set_local("hlc_seen", &seen.as_i64().to_string())?;
                if let Some(as_of) = snapshot {
                    crate::store::standing::rebuild(
                        w,
                        &rules_in_force,
                        as_of,
                        today,
                        &mut |_, _| {},
                        None,
                    )?;
                }
                if new_aml_table {
                    crate::store::risk::rerate_in(
                        w,
                        &crate::store::risk::Rerating {
                            rules: &rules_in_force,
                            calendar: &calendar,
                            today,
                            by_staff: &me,
                            unrated: crate::store::risk::Unrated::Leave,
                        },
                        &mut |_, _| {},
                    )?;
                }
                Ok(pruned as i64)
            },
        )?;
        self.calendar = crate::store::complaints::load_calendar(&self.conn)?;
        self.rules = std::sync::OnceLock::new();
        Ok(ReferenceReport {
            version,
            acked_seq: acked,
            pruned,
            staff: reference.staff.len(),
            templates: reference.survey_templates.len(),
            products: reference.products.len(),
        })
    }

    /// The manifest of something HQ sends its branches (`kind` "reference" or "holdings",
    /// versioned by `version`).
    pub(crate) fn hq_manifest(
        &mut self,
        kind: &str,
        version: i64,
        payload: &[u8],
        keys: &crate::sync::keys::SecretKeys,
    ) -> Manifest {
        let now = self.clock.now();
        Manifest {
            format: bundle::FORMAT,
            kind: kind.into(),
            sender: self.branch.code.clone(),
            sender_store: self.branch.store_id.clone(),
            key_id: keys.key_id(),
            receiver_store: self.branch.store_id.clone(),
            schema_version: SCHEMA_VERSION,
            app_version: env!("CARGO_PKG_VERSION").into(),
            from_seq: version,
            to_seq: version,
            op_count: 0,
            payload: REFERENCE_PAYLOAD.into(),
            payload_sha256: bundle::sha256_hex(payload),
            previous_bundle_sha256: None,
            ref_version: version,
            created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            hlc: self
                .hlc
                .tick(u64::try_from(now.timestamp_millis()).unwrap_or(0))
                .as_i64(),
            audit_head: None,
            void: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// A file from the HQ this branch trusts, of `kind` ("reference", "holdings"): its
    /// signature checked, opened with this store's identity, its sender and schema checked.
    pub(crate) fn open_from_hq(&mut self, file: &Path, kind: &str) -> Result<(Manifest, Vec<u8>)> {
        self.require(Permission::ApplyReference)?;
        self.require_party(Party::Branch)?;
        let hq = self.hq_keys()?.ok_or(sync_error(SyncProblem::NoHq))?;
        let limit = match kind {
            "holdings" => crate::error::input::HOLDINGS_SNAPSHOT,
            _ => crate::error::input::REFERENCE,
        };
        let (bytes, signature) = read_signed(file, limit)?;
        let hq_key = hq.verifying_key()?;
        let hq_key_id = hq.key_id()?;
        let verified = bundle::verify(&bytes, &signature, |id| {
            (id == hq_key_id).then(|| hq_key.clone())
        })
        .map_err(|p| file_error(file, p))?;
        let identity = self.secret_keys()?.identity;
        let (manifest, payload) =
            bundle::open(&bytes, &identity, &verified).map_err(|p| file_error(file, p))?;
        if manifest.kind != kind {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        if manifest.sender != hq.code || manifest.sender_store != hq.store_id {
            return Err(file_error(file, SyncProblem::WrongSender));
        }
        check_schema(file, manifest.schema_version)?;
        Ok((manifest, payload))
    }

    /// The product catalogue in force here: HQ's, once its reference data brought one.
    pub(crate) fn products_in_force(&self) -> Result<Vec<Product>> {
        Ok(match self.local_value("ref_products")? {
            Some(text) => serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?,
            None => parse_products(crate::assets::PRODUCTS).map_err(Error::internal)?,
        })
    }

    /// The relationship-management rules in force here: HQ's, once its reference data
    /// brought them, else the shipped ones; offers read against the catalogue in force.
    pub fn portfolio_rules(&self) -> Result<std::sync::Arc<PortfolioRules>> {
        if let Some(rules) = self.rules.get() {
            return Ok(rules.clone());
        }
        let products = self.products_in_force()?;
        let tables = match self.local_value("ref_rules")? {
            Some(text) => serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?,
            None => RuleTables::shipped(),
        };
        // Checked when applied; a table that no longer reads is damage, not input.
        let rules = std::sync::Arc::new(
            tables
                .parse(&products)
                .map_err(|_| Error::DatabaseDamaged)?,
        );
        Ok(self.rules.get_or_init(|| rules).clone())
    }

    /// The reference data in force here.
    pub fn reference_state(&self) -> Result<ReferenceState> {
        self.require(Permission::ViewSync)?;
        let json_or_empty = |key: &str| -> Result<Option<String>> { self.local_value(key) };
        let staff = match json_or_empty("ref_staff")? {
            Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
            None => Vec::new(),
        };
        let products = match json_or_empty("ref_products")? {
            Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
            None => parse_products(crate::assets::PRODUCTS).map_err(Error::internal)?,
        };
        let templates = match json_or_empty("ref_templates")? {
            Some(text) => serde_json::from_str::<Vec<String>>(&text)
                .map_err(Error::internal)?
                .len(),
            None => 0,
        };
        Ok(ReferenceState {
            version: self.local_number("ref_version")?,
            staff,
            products,
            templates,
            holidays_from_hq: json_or_empty("ref_holidays")?.is_some(),
        })
    }
}
