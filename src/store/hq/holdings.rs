//! `branchdesk hq holdings import`: HQ's periodic holdings extract from the core banking
//! system, checked line by line against HQ's consolidated clients and the product
//! catalogue; the good lines go in one transaction, keyed by extract day and account, so the
//! same extract twice adds nothing.

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
use rusqlite::params;
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
        let branches: Vec<(String, String)> = self
            .conn
            .prepare("SELECT code, recipient FROM hq_branch ORDER BY code")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut published = Vec::new();
        let serial = self.local_number("holdings_published")? + 1;
        let categories: HashMap<String, String> = self
            .catalogue()?
            .into_iter()
            .map(|p| (p.code, p.category))
            .collect();
        // Every client's points, replayed once from the consolidated entries.
        let points = self.hq_points_buckets()?;
        for (code, recipient) in branches {
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
            snapshot.points_through = self.conn.query_row(
                "SELECT high_water FROM hq_branch WHERE code = ?1",
                [&code],
                |r| r.get(0),
            )?;
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
        let as_of: Option<String> = self.conn.query_row(
            "SELECT max(as_of) FROM hq_holding WHERE branch = ?1",
            [branch],
            |r| r.get(0),
        )?;
        let Some(as_of) = as_of.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else {
            return Ok(None);
        };
        let day = |text: Option<String>| {
            text.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        };
        let mut statement = self.conn.prepare(
            "SELECT json_extract(r.fields, '$.client_no'), h.account, h.product, h.balance,
                    h.opened_on, h.matures_on, h.avg_balance, h.days_past_due, h.loan_class
             FROM hq_holding h JOIN hq_row r ON r.tbl = 'client' AND r.row_id = h.client_row
             WHERE h.branch = ?1 AND h.as_of = ?2 AND r.deleted = 0 ORDER BY h.account",
        )?;
        let rows = statement.query_map(params![branch, as_of.to_string()], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, Option<u32>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
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
            ) = row?;
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
        let mut statement = self.conn.prepare(
            "SELECT row_id, branch, fields, stamps FROM hq_row
             WHERE tbl = 'client' AND json_extract(fields, '$.home_branch') = ?1 AND deleted = 0
             UNION
             SELECT row_id, branch, fields, stamps FROM hq_row
             WHERE tbl = 'client' AND branch = ?1 AND deleted = 0
             ORDER BY row_id",
        )?;
        let rows = statement.query_map([branch], |r| {
            Ok(BookClient {
                row_id: r.get(0)?,
                owner: r.get(1)?,
                fields: r.get(2)?,
                stamps: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
            let found = clients.get(&client.to_uppercase());
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
            let mut held = self.conn.prepare(
                "SELECT EXISTS (SELECT 1 FROM hq_holding WHERE as_of = ?1 AND account = ?2)",
            )?;
            for (holding, _) in &good {
                if held.query_row(params![day, holding.account], |r| r.get::<_, bool>(0))? {
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
        let added = self.write(event, |w| {
            let mut added = 0u64;
            for (holding, (row, branch)) in &good {
                added += w.execute_local(
                    "INSERT INTO hq_holding (as_of, account, client_row, branch, product, balance,
                                             opened_on, matures_on, avg_balance, days_past_due,
                                             loan_class)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
                    params![
                        day,
                        holding.account,
                        row,
                        branch,
                        holding.product,
                        holding.balance_fen,
                        holding.opened_on.to_string(),
                        holding.matures_on.map(|d| d.to_string()),
                        holding.avg_balance_fen,
                        holding.days_past_due,
                        holding.loan_class.map(|c| c.code()),
                    ],
                )? as u64;
            }
            Ok(added)
        })?;
        report.added = added;
        report.already = good.len() as u64 - added;
        Ok(report)
    }

    /// HQ's consolidated clients by client number and by ID number: their row and home
    /// branch.
    /// A key two rows share (an ID number registered at two branches, or mistyped) names
    /// no one: None.
    fn clients_by_key(&self) -> Result<HashMap<String, Option<(String, String)>>> {
        let mut statement = self.conn.prepare(
            "SELECT row_id, json_extract(fields, '$.client_no'), json_extract(fields, '$.id_number'),
                    json_extract(fields, '$.home_branch')
             FROM hq_row WHERE tbl = 'client' AND deleted = 0",
        )?;
        let mut clients = HashMap::new();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let row_id: String = row.get(0)?;
            let client_no: Option<String> = row.get(1)?;
            let id_number: Option<String> = row.get(2)?;
            let branch: Option<String> = row.get(3)?;
            let target = (row_id, branch.unwrap_or_default());
            for key in [client_no, id_number].into_iter().flatten() {
                clients
                    .entry(key.to_uppercase())
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
