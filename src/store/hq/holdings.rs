//! `branchdesk hq holdings import`: HQ's periodic holdings extract from the core banking
//! system, checked line by line against HQ's consolidated clients and the product
//! catalogue; the good lines go in one transaction, keyed by extract day and account, so the
//! same extract twice adds nothing.

use super::db::lookup_key;
use super::{HqRead, hq_params};
use crate::domain::mask;
use crate::domain::portfolio::credit::LoanClass;
use crate::domain::portfolio::holdings::{
    Column, HoldingLine, HoldingProblem, RawHolding, check_line,
};
use crate::domain::staff::Permission;
use crate::error::{Error, FileProblem, Result};
use crate::store::Session;
use crate::store::import::read_table;
use crate::store::write::AuditEvent;
use crate::sync::keys::Party;
use crate::sync::reference::{BookClient, BookPoints, HoldingsSnapshot, SnapshotHolding};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// A line refused, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedHolding {
    pub line: u64,
    pub problems: Vec<HoldingProblem>,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldingsImport {
    pub as_of: NaiveDate,
    pub rows: u64,
    pub added: u64,
    /// Good lines HQ already had from the same extract day.
    pub already: u64,
    pub refused: Vec<RefusedHolding>,
    /// Product codes the catalogue lacks, listed once each.
    pub unknown_products: Vec<String>,
    pub ignored_columns: Vec<String>,
}

/// One branch's holdings snapshot, written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedHoldings {
    pub branch: String,
    pub file: std::path::PathBuf,
    pub as_of: NaiveDate,
    pub accounts: u64,
}

impl Session {
    /// Writes, for every registered branch with holdings, its part of HQ's latest extract
    /// (only its own clients), sealed to that branch alone: `<branch>-holdings-<day>.bdh`.
    pub fn publish_holdings(&mut self, dir: &Path) -> Result<Vec<PublishedHoldings>> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        let keys = self.secret_keys()?;
        let branches = self.hq()?.rows(
            "SELECT code, recipient, high_water FROM hq_branch ORDER BY code",
            &[],
            |r| Ok((r.text(0)?, r.text(1)?, r.int(2)?)),
        )?;
        let mut published = Vec::new();
        let serial = self.local_number("holdings_published")? + 1;
        let categories: HashMap<String, String> = self
            .catalogue()?
            .into_iter()
            .map(|p| (p.code, p.category))
            .collect();
        // Every client's points, replayed once from the consolidated entries.
        let points = self.hq_points_buckets()?;
        for (code, recipient, high_water) in branches {
            let Some(mut snapshot) = self.branch_snapshot(&code, serial)? else {
                continue;
            };
            snapshot.points = snapshot
                .clients
                .iter()
                .filter_map(|c| {
                    let buckets = points.get(&c.row_id)?.clone();
                    Some(BookPoints {
                        client_id: c.row_id.clone(),
                        buckets,
                    })
                })
                .collect();
            snapshot.points_through = high_water;
            for holding in &mut snapshot.holdings {
                holding.category = categories
                    .get(&holding.product)
                    .cloned()
                    .unwrap_or_default();
            }
            let recipient = std::str::FromStr::from_str(&recipient)
                .map_err(|_| Error::internal(format!("branch {code}: bad recipient")))?;
            let raw = serde_json::to_vec(&snapshot).map_err(Error::internal)?;
            let payload =
                crate::sync::bundle::compress(&raw).map_err(crate::store::sync::sync_error)?;
            let manifest = self.hq_manifest("holdings", snapshot.version(), &payload, &keys);
            let sealed = crate::sync::bundle::seal(&manifest, &payload, &keys, &[recipient])
                .map_err(crate::store::sync::sync_error)?;
            let file = dir.join(format!("{code}-holdings-{}.bdh", snapshot.as_of));
            crate::store::sync::write_sealed(&self.paths, &file, &sealed)?;
            published.push(PublishedHoldings {
                branch: code,
                file,
                as_of: snapshot.as_of,
                accounts: snapshot.holdings.len() as u64,
            });
        }
        if !published.is_empty() {
            let detail: Vec<serde_json::Value> = published
                .iter()
                .map(|p| serde_json::json!({ "branch": p.branch, "as_of": p.as_of, "accounts": p.accounts }))
                .collect();
            self.write(
                AuditEvent::new("hq.publish_holdings", "store", self.branch.store_id.clone())
                    .with_detail(serde_json::json!({ "branches": detail })),
                |w| w.set_local("holdings_published", &serial.to_string()),
            )?;
        }
        Ok(published)
    }

    /// A branch's part of the latest extract that has any of its clients.
    fn branch_snapshot(&self, branch: &str, serial: i64) -> Result<Option<HoldingsSnapshot>> {
        let mut hq = self.hq()?;
        let as_of = hq.one(
            "SELECT max(as_of) FROM hq_holding WHERE branch = ?1",
            hq_params![branch],
            |r| r.opt_text(0),
        )?;
        let Some(as_of) = as_of.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else {
            return Ok(None);
        };
        let day = |text: Option<String>| {
            text.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        };
        let rows = hq.rows(
            &format!(
                "SELECT {client_no}, h.account, h.product, h.balance, h.opened_on, h.matures_on,
                        h.avg_balance, h.days_past_due, h.loan_class
                 FROM hq_holding h JOIN hq_row r ON r.tbl = 'client' AND r.row_id = h.client_row
                 WHERE h.branch = ?1 AND h.as_of = ?2 AND NOT r.deleted ORDER BY h.account",
                client_no = hq.dialect().text("r.fields", "client_no")
            ),
            hq_params![branch, &as_of.to_string()],
            |r| {
                Ok((
                    r.opt_text(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.int(3)?,
                    r.text(4)?,
                    r.opt_text(5)?,
                    r.opt_int(6)?,
                    r.opt_int(7)?.and_then(|n| u32::try_from(n).ok()),
                    r.opt_text(8)?,
                ))
            },
        )?;
        drop(hq);
        let mut holdings = Vec::new();
        for row in rows {
            let (
                client_no,
                account,
                product,
                balance,
                opened_on,
                matures_on,
                avg_balance,
                days_past_due,
                loan_class,
            ) = row;
            let (Some(client_no), Some(opened_on)) = (client_no, day(Some(opened_on))) else {
                continue;
            };
            holdings.push(SnapshotHolding {
                client_no,
                account,
                product,
                category: String::new(),
                balance,
                opened_on,
                matures_on: day(matures_on),
                avg_balance,
                days_past_due,
                loan_class: loan_class.as_deref().and_then(LoanClass::from_code),
            });
        }
        Ok(Some(HoldingsSnapshot {
            branch: branch.to_string(),
            as_of,
            serial,
            holdings,
            clients: self.branch_book(branch)?,
            points: Vec::new(),
            points_through: 0,
        }))
    }

    /// The clients a branch keeps as HQ holds them: those whose home branch it is, and
    /// those it registered (so a client moved to another branch is seen to have moved).
    /// Clients are never deleted at a branch; a tombstone HQ holds is not sent.
    fn branch_book(&self, branch: &str) -> Result<Vec<BookClient>> {
        let mut hq = self.hq()?;
        let home = hq.dialect().text("fields", "home_branch");
        let rows = hq.rows(
            &format!(
                "SELECT row_id, branch, fields, sealed, stamps FROM hq_row
                 WHERE tbl = 'client' AND {home} = ?1 AND NOT deleted
                 UNION
                 SELECT row_id, branch, fields, sealed, stamps FROM hq_row
                 WHERE tbl = 'client' AND branch = ?1 AND NOT deleted
                 ORDER BY row_id"
            ),
            hq_params![branch],
            |r| {
                Ok((
                    r.text(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.opt_bytes(3)?,
                    r.text(4)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(row_id, owner, fields, sealed, stamps)| {
                let fields = match sealed {
                    Some(sealed) => serde_json::Value::Object(hq.open_fields(
                        "client",
                        &row_id,
                        &fields,
                        Some(&sealed),
                    )?)
                    .to_string(),
                    None => fields,
                };
                Ok(BookClient {
                    row_id,
                    owner,
                    fields,
                    stamps,
                })
            })
            .collect()
    }

    /// Imports a holdings extract as of `as_of` (see the module).
    pub fn hq_import_holdings(
        &mut self,
        path: &Path,
        as_of: &str,
        dry_run: bool,
    ) -> Result<HoldingsImport> {
        self.require(Permission::RunHq)?;
        self.require_party(Party::Hq)?;
        let as_of = crate::domain::client::parse_date(as_of)
            .filter(|day| *day <= self.today())
            .ok_or_else(|| Error::NotADay {
                text: as_of.to_string(),
            })?;
        let (headers, rows) = read_table(path, crate::error::input::HOLDINGS_EXTRACT)?;
        let columns: Vec<Option<Column>> = headers.iter().map(|h| Column::named(h)).collect();
        let missing: Vec<&'static str> = Column::REQUIRED
            .iter()
            .filter(|c| !columns.contains(&Some(**c)))
            .map(|c| c.code())
            .collect();
        if !missing.is_empty() {
            return Err(FileProblem::MissingHoldingColumns(missing).at(path));
        }
        let clients = self.clients_by_key()?;
        let products: BTreeSet<String> = self.product_codes()?.into_iter().collect();
        let mut report = HoldingsImport {
            as_of,
            rows: rows.len() as u64,
            added: 0,
            already: 0,
            refused: Vec::new(),
            unknown_products: Vec::new(),
            ignored_columns: headers
                .iter()
                .zip(&columns)
                .filter(|(h, c)| c.is_none() && !h.is_empty())
                .map(|(h, _)| h.clone())
                .collect(),
        };
        let mut good: Vec<(HoldingLine, &(String, String))> = Vec::new();
        // An account on two lines is an error in the extract: both lines are refused.
        let account_column = columns.iter().position(|c| *c == Some(Column::Account));
        let mut accounts: HashMap<&str, u64> = HashMap::new();
        for (_, values) in &rows {
            if let Some(account) = account_column.and_then(|i| values.get(i)) {
                let account = account.trim();
                if !account.is_empty() {
                    *accounts.entry(account).or_insert(0) += 1;
                }
            }
        }
        for (line, values) in &rows {
            let mut raw = RawHolding::default();
            for (value, column) in values.iter().zip(&columns) {
                let field = match column {
                    Some(Column::Client) => &mut raw.client,
                    Some(Column::Product) => &mut raw.product,
                    Some(Column::Account) => &mut raw.account,
                    Some(Column::Balance) => &mut raw.balance,
                    Some(Column::OpenedOn) => &mut raw.opened_on,
                    Some(Column::MaturesOn) => &mut raw.matures_on,
                    Some(Column::AvgBalance) => &mut raw.avg_balance,
                    Some(Column::DaysPastDue) => &mut raw.days_past_due,
                    Some(Column::LoanClass) => &mut raw.loan_class,
                    None => continue,
                };
                // Two columns for one field (客户号 and 证件号码): the first filled one.
                if field.trim().is_empty() {
                    *field = value.clone();
                }
            }
            let mut problems = Vec::new();
            let checked = match check_line(&raw) {
                Ok(checked) => Some(checked),
                Err(found) => {
                    problems = found;
                    None
                }
            };
            let client = raw.client.trim();
            let id_key = lookup_key(self.hq()?.sealer(), "id_number", client);
            let found = clients.find(client, &id_key);
            let known_client = found.and_then(Option::as_ref);
            if !client.is_empty() && found.is_none() {
                problems.push(HoldingProblem::UnknownClient {
                    client: mask::id_number(client),
                });
            } else if !client.is_empty() && known_client.is_none() {
                problems.push(HoldingProblem::AmbiguousClient {
                    client: mask::id_number(client),
                });
            }
            let product = raw.product.trim().to_uppercase();
            if !product.is_empty() && !products.contains(&product) {
                problems.push(HoldingProblem::UnknownProduct {
                    product: product.clone(),
                });
                if !report.unknown_products.contains(&product) {
                    report.unknown_products.push(product);
                }
            }
            let account = raw.account.trim();
            if accounts.get(account).is_some_and(|n| *n > 1) {
                problems.push(HoldingProblem::RepeatedAccount {
                    account: mask::card(account),
                });
            }
            match (checked, known_client) {
                (Some(checked), Some(client)) if problems.is_empty() => {
                    good.push((checked, client))
                }
                _ => report.refused.push(RefusedHolding {
                    line: *line,
                    problems,
                }),
            }
        }
        let day = as_of.to_string();
        if dry_run || good.is_empty() {
            // What would be added: the good lines HQ does not hold for that day yet.
            let mut hq = self.hq()?;
            for (holding, _) in &good {
                let held = hq.one(
                    "SELECT EXISTS (SELECT 1 FROM hq_holding WHERE as_of = ?1 AND account = ?2)",
                    hq_params![&day, &holding.account],
                    |r| r.flag(0),
                )?;
                if held {
                    report.already += 1;
                } else {
                    report.added += 1;
                }
            }
            return Ok(report);
        }
        let event = AuditEvent::new("hq.holdings_import", "store", self.branch.store_id.clone())
            .with_detail(serde_json::json!({
                "file": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                "as_of": day,
                "rows": good.len(),
            }));
        let added = self.hq_write(event, |tx| {
            let mut added = 0u64;
            for (holding, (row, branch)) in &good {
                // Held once per day and account, whichever branch the client is at now.
                added += tx.execute(
                    "INSERT INTO hq_holding (as_of, account, client_row, branch, product, balance,
                                             opened_on, matures_on, avg_balance, days_past_due,
                                             loan_class)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
                     WHERE NOT EXISTS (SELECT 1 FROM hq_holding WHERE as_of = ?1 AND account = ?2)",
                    hq_params![
                        &day,
                        &holding.account,
                        row,
                        branch,
                        &holding.product,
                        holding.balance_fen,
                        holding.opened_on.to_string().as_str(),
                        holding.matures_on.map(|d| d.to_string()).as_ref(),
                        holding.avg_balance_fen,
                        holding.days_past_due.map(i64::from),
                        holding.loan_class.map(|c| c.code()),
                    ],
                )?;
            }
            Ok(added)
        })?;
        report.added = added;
        report.already = good.len() as u64 - added;
        Ok(report)
    }

    /// HQ's consolidated clients by client number and by ID number (its lookup key: the
    /// blind index on PostgreSQL): their row and home branch.
    fn clients_by_key(&self) -> Result<ClientKeys> {
        let mut hq = self.hq()?;
        let d = hq.dialect();
        let rows = hq.rows(
            &format!(
                "SELECT row_id, {client_no}, id_index, {home} FROM hq_row
                 WHERE tbl = 'client' AND NOT deleted",
                client_no = d.text("fields", "client_no"),
                home = d.text("fields", "home_branch"),
            ),
            &[],
            |r| Ok((r.text(0)?, r.opt_text(1)?, r.opt_text(2)?, r.opt_text(3)?)),
        )?;
        let mut clients = ClientKeys {
            by_key: HashMap::new(),
        };
        for (row_id, client_no, id_index, branch) in rows {
            let target = (row_id, branch.unwrap_or_default());
            let keys = [
                client_no.map(|no| format!("no:{}", no.to_uppercase())),
                id_index.map(|id| format!("id:{id}")),
            ];
            for key in keys.into_iter().flatten() {
                clients
                    .by_key
                    .entry(key)
                    .and_modify(|held: &mut Option<(String, String)>| {
                        if held.as_ref() != Some(&target) {
                            *held = None;
                        }
                    })
                    .or_insert_with(|| Some(target.clone()));
            }
        }
        Ok(clients)
    }

    /// The codes of HQ's product catalogue.
    fn product_codes(&self) -> Result<Vec<String>> {
        Ok(self.catalogue()?.into_iter().map(|p| p.code).collect())
    }

    /// HQ's product catalogue (its own `reference/products.toml`, else the shipped one).
    fn catalogue(&self) -> Result<Vec<crate::sync::reference::Product>> {
        let path = self.paths.reference().join("products.toml");
        let text = if path.exists() {
            crate::error::input::read_text_limited(&path, crate::error::input::SMALL_FILE)?
        } else {
            crate::assets::PRODUCTS.to_string()
        };
        let products =
            crate::sync::reference::parse_products(&text).map_err(|e| Error::Config {
                path,
                detail: e.to_string(),
            })?;
        Ok(products)
    }
}

/// HQ's clients by client number and by the lookup key of their ID number; a key two rows
/// share (an ID number registered at two branches, or mistyped) names no one: None.
struct ClientKeys {
    by_key: HashMap<String, Option<(String, String)>>,
}

impl ClientKeys {
    /// The client an extract line names by client number or ID number (`id_key`: its
    /// lookup key).
    fn find(&self, client: &str, id_key: &str) -> Option<&Option<(String, String)>> {
        self.by_key
            .get(&format!("no:{}", client.to_uppercase()))
            .or_else(|| self.by_key.get(&format!("id:{id_key}")))
    }
}
