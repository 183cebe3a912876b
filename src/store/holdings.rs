//! A branch's holdings, from HQ: the snapshot HQ sends each branch of its own clients'
//! part of the core banking extract, applied whole (the previous snapshot stays in force
//! until the new one is in), and each client's monthly-average AUM for the snapshot's
//! month, kept month by month for tiers and trends.

use crate::domain::portfolio::Month;
use crate::domain::portfolio::offers::{Holding, Offer, OfferFacts, Trend, offers};
use crate::domain::portfolio::suitability::ClientFacts;
use crate::domain::portfolio::tiers::{
    Fall, MonthAum, TierChange, TierReason, current_tier, falling,
};
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::sync::file_error;
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::reference::HoldingsSnapshot;
use crate::sync::reference::PortfolioRules;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What applying a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldingsApplied {
    pub as_of: NaiveDate,
    pub accounts: u64,
    pub clients: u64,
    /// Holdings of client numbers this store does not have (registered elsewhere and not
    /// yet brought down), left out.
    pub unknown_clients: u64,
}

/// A holding as the portfolio shows it: the account masked to its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioHolding {
    pub account: String,
    pub product: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: String,
    pub risk: u8,
    pub balance_fen: i64,
    pub opened_on: NaiveDate,
    pub matures_on: Option<NaiveDate>,
}

/// A client's tier now, since when, and the changes that led there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierNow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The month the client entered it (none: in it since the first month HQ reported).
    pub since: Option<Month>,
    pub changes: Vec<TierChange>,
}

impl TierNow {
    /// The amounts in its reasons in fen, like every amount a portfolio shows (the rules
    /// count in yuan).
    fn in_fen(mut self) -> TierNow {
        for change in &mut self.changes {
            match &mut change.reason {
                TierReason::Reached {
                    avg_aum, threshold, ..
                }
                | TierReason::Below {
                    avg_aum, threshold, ..
                } => {
                    *avg_aum *= 100;
                    *threshold *= 100;
                }
            }
        }
        self
    }
}

/// Who a client is to the bank, as far as HQ's snapshots say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    pub client_no: String,
    /// The day of the snapshot in force (a snapshot can be days old).
    pub as_of: Option<NaiveDate>,
    pub holdings: Vec<PortfolioHolding>,
    /// Monthly-average AUM in fen, oldest first.
    pub aum: Vec<MonthAum>,
    pub tier: Option<TierNow>,
    /// A fall that asks for a retention call.
    pub fall: Option<Fall>,
}

impl Session {
    /// A client's portfolio: holdings, monthly AUM, the tier the rules in force give with
    /// its history, and a fall worth a call. Recorded in the audit trail.
    pub fn client_portfolio(&mut self, key: &str) -> Result<Portfolio> {
        let (seq, stored) = self.find_portfolio_client(key)?;
        let rules = self.portfolio_rules()?;
        let holdings = self.holdings_of(seq, &rules.products)?;
        let aum: Vec<MonthAum> = self
            .aum_months(seq)?
            .into_iter()
            .map(|(month, avg_aum)| MonthAum { month, avg_aum })
            .collect();
        // The tier rules count in yuan.
        let in_yuan: Vec<MonthAum> = aum
            .iter()
            .map(|m| MonthAum {
                month: m.month,
                avg_aum: m.avg_aum / 100,
            })
            .collect();
        let tier = self.tier_now(&rules, &in_yuan).map(TierNow::in_fen);
        let fall = falling(&rules.tiers, &in_yuan).map(|f| Fall {
            from: MonthAum {
                avg_aum: f.from.avg_aum * 100,
                ..f.from
            },
            to: MonthAum {
                avg_aum: f.to.avg_aum * 100,
                ..f.to
            },
            ..f
        });
        self.audit_only(
            AuditEvent::new("client.portfolio", "client", stored.id.clone())
                .with_detail(serde_json::json!({ "entries": holdings.len() })),
        )?;
        Ok(Portfolio {
            client_no: stored.client_no.clone(),
            as_of: self.holdings_as_of()?,
            holdings,
            aum,
            tier,
            fall,
        })
    }

    /// The offers for a client now, as the rules in force make them from the portfolio,
    /// the record (age, marketing consent), life events and suitability; each with the
    /// facts behind it. Recorded in the audit trail.
    pub fn client_offers(&mut self, key: &str) -> Result<Vec<Offer>> {
        let (seq, stored) = self.find_portfolio_client(key)?;
        let rules = self.portfolio_rules()?;
        let today = self.today();
        let holdings: Vec<Holding> = self
            .holdings_of(seq, &rules.products)?
            .into_iter()
            .map(|h| Holding {
                product: h.product,
                category: h.category,
                balance: h.balance_fen / 100,
                matures_on: h.matures_on,
            })
            .collect();
        let months: Vec<MonthAum> = self
            .aum_months(seq)?
            .into_iter()
            .map(|(month, fen)| MonthAum {
                month,
                avg_aum: fen / 100,
            })
            .collect();
        let tier = self
            .tier_now(&rules, &months)
            .map(|t| t.code)
            .unwrap_or_default();
        let trend = trend(&rules.tiers, &months);
        let events: Vec<(String, NaiveDate)> = self
            .client_events(key)?
            .into_iter()
            .map(|e| (e.kind.code().to_string(), e.date))
            .collect();
        let record = &stored.record;
        let age = record.birth_date.and_then(|born| today.years_since(born));
        let facts = OfferFacts {
            tier: &tier,
            age,
            aum: months.last().map_or(0, |m| m.avg_aum),
            trend,
            holdings: &holdings,
            life_events: &events,
            consent_marketing: record.consent_marketing,
            suitability: ClientFacts {
                assessment: self.latest_assessment(&stored.id)?,
                age,
                // A minor has no full civil capacity (the record has no flag for adults who
                // lack it yet).
                full_capacity: age.is_none_or(|years| years >= 18),
            },
            declined: &[],
        };
        let found = offers(
            &rules.offers,
            &rules.catalogue,
            &rules.suitability,
            &facts,
            today,
        );
        self.audit_only(
            AuditEvent::new("client.offers", "client", stored.id.clone())
                .with_detail(serde_json::json!({ "entries": found.len() })),
        )?;
        Ok(found)
    }

    /// The tier the rules give a run of monthly averages (yuan), starting from the tier the
    /// first month reaches.
    fn tier_now(&self, rules: &PortfolioRules, in_yuan: &[MonthAum]) -> Option<TierNow> {
        let (tier, since, changes) = current_tier(&rules.tiers, in_yuan, Month::of(self.today()))?;
        Some(TierNow {
            code: tier.code.clone(),
            name_zh: tier.name_zh.clone(),
            name_en: tier.name_en.clone(),
            since,
            changes,
        })
    }

    fn holdings_of(
        &self,
        seq: i64,
        products: &[crate::sync::reference::Product],
    ) -> Result<Vec<PortfolioHolding>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT account, product, balance, opened_on, matures_on FROM holding
             WHERE client_seq = ?1 ORDER BY coalesce(matures_on, '9999'), account",
        )?;
        let rows = statement.query_map([seq], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let mut holdings = Vec::new();
        for row in rows {
            let (account, product, balance_fen, opened_on, matures_on) = row?;
            let known = products.iter().find(|p| p.code == product);
            holdings.push(PortfolioHolding {
                account: masked_account(&account),
                name_zh: known.map(|p| p.name_zh.clone()).unwrap_or_default(),
                name_en: known.map(|p| p.name_en.clone()).unwrap_or_default(),
                category: known.map(|p| p.category.clone()).unwrap_or_default(),
                risk: known.map_or(0, |p| p.risk),
                product,
                balance_fen,
                opened_on: day(&opened_on).ok_or(Error::DatabaseDamaged)?,
                matures_on: matures_on.as_deref().and_then(day),
            });
        }
        Ok(holdings)
    }

    fn aum_months(&self, seq: i64) -> Result<Vec<(Month, i64)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT month, avg_aum FROM client_aum WHERE client_seq = ?1 ORDER BY month",
        )?;
        let rows =
            statement.query_map([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut months = Vec::new();
        for row in rows {
            let (month, avg) = row?;
            months.push((Month::parse(&month).ok_or(Error::DatabaseDamaged)?, avg));
        }
        Ok(months)
    }

    /// Applies a holdings snapshot from HQ (`<branch>-holdings-<day>.bdh`); one no newer
    /// than the one in force is refused.
    pub fn import_holdings(&mut self, file: &Path) -> Result<HoldingsApplied> {
        let (manifest, payload) = self.open_from_hq(file, "holdings")?;
        let raw = crate::sync::bundle::decompress(&payload, crate::error::input::REFERENCE)
            .map_err(|p| file_error(file, p))?;
        let snapshot: HoldingsSnapshot =
            serde_json::from_slice(&raw).map_err(|_| file_error(file, SyncProblem::Damaged))?;
        if snapshot.branch != self.branch.code || snapshot.version() != manifest.to_seq {
            return Err(file_error(file, SyncProblem::Damaged));
        }
        let applied = self.local_number("holdings_version")?;
        if snapshot.version() <= applied {
            return Err(file_error(
                file,
                SyncProblem::OlderReference {
                    found: snapshot.version(),
                    applied,
                },
            ));
        }
        let rules = self.portfolio_rules()?;
        let category: BTreeMap<&str, &str> = rules
            .catalogue
            .iter()
            .map(|p| (p.code.as_str(), p.category.as_str()))
            .collect();
        // HQ's category travels with each holding; the branch's catalogue is the fallback.
        let counts = |holding: &crate::sync::reference::SnapshotHolding| {
            let category = match holding.category.as_str() {
                "" => category
                    .get(holding.product.as_str())
                    .copied()
                    .unwrap_or(""),
                known => known,
            };
            rules.tiers.aum_categories.iter().any(|a| a == category)
        };
        let mut seqs: BTreeMap<String, Option<i64>> = BTreeMap::new();
        for holding in &snapshot.holdings {
            if !seqs.contains_key(&holding.client_no) {
                let seq: Option<i64> = self
                    .conn
                    .prepare_cached("SELECT seq FROM client WHERE client_no = ?1 AND deleted = 0")?
                    .query_row([&holding.client_no], |r| r.get(0))
                    .optional()?;
                seqs.insert(holding.client_no.clone(), seq);
            }
        }
        let month = Month::of(snapshot.as_of).to_string();
        // A client with any month here and nothing in this snapshot holds nothing now:
        // their month counts as 0, not as missing (a missing month would keep a client who
        // closed everything in their tier for good).
        let mut aum: BTreeMap<i64, i64> = self
            .conn
            .prepare("SELECT DISTINCT client_seq FROM client_aum")?
            .query_map([], |r| r.get::<_, i64>(0))?
            .map(|seq| seq.map(|seq| (seq, 0)))
            .collect::<rusqlite::Result<_>>()?;
        let mut report = HoldingsApplied {
            as_of: snapshot.as_of,
            accounts: 0,
            clients: 0,
            unknown_clients: 0,
        };
        let event = AuditEvent::new("sync.holdings", "store", self.branch.store_id.clone())
            .with_detail(
                serde_json::json!({ "as_of": snapshot.as_of, "accounts": snapshot.holdings.len() }),
            );
        self.write(event, |w| {
            w.execute_local("DELETE FROM holding", [])?;
            for holding in &snapshot.holdings {
                let Some(Some(seq)) = seqs.get(&holding.client_no) else {
                    report.unknown_clients += 1;
                    continue;
                };
                w.execute_local(
                    "INSERT OR REPLACE INTO holding
                     (account, client_seq, product, balance, opened_on, matures_on, avg_balance)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        holding.account,
                        seq,
                        holding.product,
                        holding.balance,
                        holding.opened_on.to_string(),
                        holding.matures_on.map(|d| d.to_string()),
                        holding.avg_balance,
                    ],
                )?;
                report.accounts += 1;
                let counted = aum.entry(*seq).or_insert(0);
                if counts(holding) {
                    *counted += holding.avg_balance.unwrap_or(holding.balance);
                }
            }
            for (seq, avg) in &aum {
                w.execute_local(
                    "INSERT OR REPLACE INTO client_aum (client_seq, month, avg_aum) VALUES (?1, ?2, ?3)",
                    params![seq, month, avg],
                )?;
            }
            w.set_local("holdings_version", &snapshot.version().to_string())?;
            w.set_local("holdings_as_of", &snapshot.as_of.to_string())
        })?;
        report.clients = seqs
            .values()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        Ok(report)
    }

    /// The day of the holdings snapshot in force, if any.
    pub fn holdings_as_of(&self) -> Result<Option<NaiveDate>> {
        Ok(self
            .local_value("holdings_as_of")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// A client's monthly-average AUM, oldest month first (fen); recorded in the audit
    /// trail.
    pub fn client_aum_history(&mut self, client_no: &str) -> Result<Vec<(Month, i64)>> {
        let (seq, stored) = self.find_portfolio_client(client_no)?;
        let months = self.aum_months(seq)?;
        self.audit_only(
            AuditEvent::new("client.portfolio", "client", stored.id)
                .with_detail(serde_json::json!({ "entries": months.len() })),
        )?;
        Ok(months)
    }

    /// A client whose balances this staff member may see: a manager any, an RM their own
    /// clients (others' they see masked, without balances).
    fn find_portfolio_client(
        &self,
        key: &str,
    ) -> Result<(i64, crate::domain::client::StoredClient)> {
        self.require(Permission::ViewPortfolio)?;
        let (seq, stored) = self.find_client(key)?;
        let visibility = crate::domain::mask::visibility(
            self.me.role,
            self.me.id.as_str(),
            stored.record.assigned_rm.as_deref(),
        );
        if visibility != crate::domain::mask::Visibility::Full {
            return Err(Error::PermissionDenied {
                permission: Permission::ViewPortfolio,
            });
        }
        Ok((seq, stored))
    }
}

/// An account or contract number as staff see it: its last four characters.
fn masked_account(account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// Where AUM is heading over the table's retention span: falling past its share, rising,
/// or steady.
fn trend(table: &crate::domain::portfolio::tiers::TierTable, months: &[MonthAum]) -> Trend {
    if falling(table, months).is_some() {
        return Trend::Falling;
    }
    let span = i64::from(table.retention.months);
    let (Some(last), Some(earlier)) = (
        months.last(),
        months.iter().find(|m| {
            months
                .last()
                .is_some_and(|l| m.month.months_until(l.month) == span)
        }),
    ) else {
        return Trend::Steady;
    };
    if last.avg_aum > earlier.avg_aum {
        Trend::Rising
    } else {
        Trend::Steady
    }
}
