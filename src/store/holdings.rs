//! A branch's holdings, from HQ: the snapshot HQ sends each branch of its own clients'
//! part of the core banking extract, applied whole (the previous snapshot stays in force
//! until the new one is in), and each client's monthly-average AUM for the snapshot's
//! month, kept month by month for tiers and trends.

use crate::domain::portfolio::Month;
use crate::domain::portfolio::offers::Offer;
use crate::domain::portfolio::tiers::{
    Fall, MonthAum, TierChange, TierLabel, current_tier, falling,
};
use crate::domain::portfolio::value::ValueScore;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::clients::{BookApplied, apply_book};
use crate::store::standing::{self, ClientInputs, StoredHolding, standing_month};
use crate::store::sync::file_error;
use crate::store::write::AuditEvent;
use crate::sync::SyncProblem;
use crate::sync::reference::HoldingsSnapshot;
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
    /// Calls the snapshot put on the care agenda (welcome, retention, maturity).
    pub calls: u64,
    /// Loans that became overdue or moved down a category (warnings on the risk desk and
    /// the RMs' agendas).
    pub credit_warnings: u64,
    /// What the client book that came with the snapshot changed.
    pub book: BookApplied,
    /// Clients whose points are now HQ's (every branch's entries) plus this store's own
    /// entries written since.
    pub points: u64,
}

impl HoldingsApplied {
    /// What applying the snapshot did, in the UI language: the holdings, then the client
    /// book if one came with it.
    pub fn summary(&self, i18n: &crate::i18n::I18n) -> String {
        let mut text = i18n.fill(
            "cli.holdings_applied",
            &[
                ("as_of", &self.as_of.to_string()),
                ("accounts", &self.accounts.to_string()),
                ("clients", &self.clients.to_string()),
                ("unknown", &self.unknown_clients.to_string()),
            ],
        );
        if self.credit_warnings > 0 {
            text.push(' ');
            text.push_str(&i18n.fill(
                "cli.credit_warnings",
                &[("count", &self.credit_warnings.to_string())],
            ));
        }
        if self.points > 0 {
            text.push(' ');
            text.push_str(&i18n.fill(
                "cli.points_from_hq",
                &[("clients", &self.points.to_string())],
            ));
        }
        if self.book.received > 0 {
            text.push(' ');
            text.push_str(&i18n.fill(
                "cli.book_applied",
                &[
                    ("received", &self.book.received.to_string()),
                    ("added", &self.book.added.to_string()),
                    ("updated", &self.book.updated.to_string()),
                    ("review", &self.book.review.to_string()),
                ],
            ));
            if self.book.review > 0 {
                text.push(' ');
                text.push_str(i18n.t("cli.book_review_hint"));
            }
        }
        if self.book.unreadable > 0 {
            text.push(' ');
            text.push_str(&i18n.fill(
                "cli.book_unreadable",
                &[("clients", &self.book.unreadable.to_string())],
            ));
        }
        text
    }
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
    /// A fall that asks for a retention call (amounts in fen).
    pub fall: Option<Fall>,
    /// The latest risk assessment and how long it holds.
    pub assessment: Option<AssessmentNow>,
    /// The value score and RFM quintiles the latest snapshot gave.
    pub value: Option<ClientValue>,
}

/// A client's latest assessment as the portfolio shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssessmentNow {
    /// C1–C5.
    pub level: u8,
    pub assessed_on: NaiveDate,
    pub valid_until: NaiveDate,
    /// Still valid today (else the client must be assessed again before buying).
    pub valid: bool,
}

/// Recency, frequency and monetary quintiles within the branch (1 lowest – 5 highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rfm {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

/// A client's value: the score with its parts, and where they rank in the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientValue {
    #[serde(flatten)]
    pub value: ValueScore,
    pub rfm: Rfm,
}

impl ClientValue {
    /// The parts in words with their points: "资产 91 · 产品覆盖 50 · …".
    pub fn parts_text(&self, i18n: &crate::i18n::I18n) -> String {
        self.value
            .parts
            .iter()
            .map(|part| {
                format!(
                    "{} {}",
                    i18n.t_owned(format!("portfolio.value_part.{}", part.code)),
                    part.points
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

impl Session {
    /// A client's portfolio: holdings, monthly AUM, the tier the latest snapshot gives
    /// under the rules in force with its history, a fall worth a call, the assessment and
    /// how long it holds, and the value score with its parts. Recorded in the audit trail.
    pub fn client_portfolio(&mut self, key: &str) -> Result<Portfolio> {
        let (seq, stored) = self.find_portfolio_client(key)?;
        let rules = self.portfolio_rules()?;
        let holdings = self.holdings_of(seq, &rules.products)?;
        let aum: Vec<MonthAum> = self
            .aum_months(seq)?
            .into_iter()
            .map(|(month, avg_aum)| MonthAum { month, avg_aum })
            .collect();
        let as_of = self.holdings_as_of()?;
        let now = self.standing_now()?;
        let in_yuan = standing::in_yuan(&aum);
        let tier =
            current_tier(&rules.tiers, &in_yuan, now).map(|(tier, since, changes)| TierNow {
                code: tier.code.clone(),
                name_zh: tier.name_zh.clone(),
                name_en: tier.name_en.clone(),
                since,
                changes: changes.into_iter().map(TierChange::in_fen).collect(),
            });
        let fall = falling(&rules.tiers, &aum);
        let today = self.today();
        let assessment = self.latest_assessment(&stored.id)?.map(|a| {
            let valid_until = rules
                .suitability
                .expires_on(a.on)
                .pred_opt()
                .unwrap_or(a.on);
            AssessmentNow {
                level: a.level,
                assessed_on: a.on,
                valid_until,
                valid: today <= valid_until,
            }
        });
        let value = self.stored_value(seq)?;
        self.audit_only(
            AuditEvent::new("client.portfolio", "client", stored.id.clone())
                .with_detail(serde_json::json!({ "entries": holdings.len() })),
        )?;
        Ok(Portfolio {
            client_no: stored.client_no.clone(),
            as_of,
            holdings,
            aum,
            tier,
            fall,
            assessment,
            value,
        })
    }

    /// The offers for a client now, as the rules in force make them from the portfolio,
    /// the record (age, marketing consent), life events, suitability and the offers the
    /// client declined; each with the facts behind it. Recorded in the audit trail.
    pub fn client_offers(&mut self, key: &str) -> Result<Vec<Offer>> {
        let (seq, stored) = self.find_portfolio_client(key)?;
        let rules = self.portfolio_rules()?;
        let inputs = self.client_inputs(seq, &stored)?;
        let (_, found) =
            standing::client_offers(&rules, &inputs, self.standing_now()?, self.today());
        self.audit_only(
            AuditEvent::new("client.offers", "client", stored.id.clone())
                .with_detail(serde_json::json!({ "entries": found.len() })),
        )?;
        Ok(found)
    }

    /// What one client's offers are made from.
    pub(crate) fn client_inputs(
        &self,
        seq: i64,
        stored: &crate::domain::client::StoredClient,
    ) -> Result<ClientInputs> {
        let holdings = self
            .conn
            .prepare_cached(standing::HOLDINGS_OF_CLIENT)?
            .query_map([seq], standing::stored_holding)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let months = self
            .aum_months(seq)?
            .into_iter()
            .map(|(month, avg_aum)| MonthAum { month, avg_aum })
            .collect();
        let events = self
            .client_events(&stored.id)?
            .into_iter()
            .map(|e| (e.kind.code().to_string(), e.date))
            .collect();
        Ok(ClientInputs {
            holdings,
            months,
            birth_date: stored.record.birth_date,
            consent_marketing: stored.record.consent_marketing,
            events,
            assessment: self.latest_assessment(&stored.id)?,
            declined: self.declined_offers(&stored.id)?,
        })
    }

    /// A client's value score and RFM quintiles, as the latest snapshot gave them.
    fn stored_value(&self, seq: i64) -> Result<Option<ClientValue>> {
        let found: Option<(i64, String, i64, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT value, value_parts, recency, frequency, monetary FROM client_standing
                 WHERE client_seq = ?1",
            )?
            .query_row([seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((score, parts, recency, frequency, monetary)) = found else {
            return Ok(None);
        };
        let small = |n: i64| u8::try_from(n).map_err(|_| Error::DatabaseDamaged);
        let points = ValueScore::parse_points(&parts).ok_or(Error::DatabaseDamaged)?;
        // Weighed as the rules in force say (the score kept was weighed as they said at
        // the snapshot; shipped weights can change with an upgrade).
        let value = self.portfolio_rules()?.value.scored(points);
        let _ = score;
        Ok(Some(ClientValue {
            value,
            rfm: Rfm {
                recency: small(recency)?,
                frequency: small(frequency)?,
                monetary: small(monetary)?,
            },
        }))
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
        self.import_holdings_with(file, &mut |_, _| {})
    }

    /// [`Session::import_holdings`], telling `progress` how many clients' standings are
    /// rebuilt of how many.
    pub fn import_holdings_with(
        &mut self,
        file: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<HoldingsApplied> {
        let (manifest, payload) = self.open_from_hq(file, "holdings")?;
        let raw = crate::sync::bundle::decompress(&payload, crate::error::input::HOLDINGS_SNAPSHOT)
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
                SyncProblem::OlderSnapshot {
                    found: snapshot.version(),
                    applied,
                },
            ));
        }
        // Later edits here must stamp after the edits the client book brings.
        let now_ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        self.hlc = self
            .hlc
            .observe(crate::domain::hlc::Hlc::from_i64(manifest.hlc), now_ms);
        self.apply_holdings(&snapshot, progress)
    }

    /// Applies a holdings snapshot whole: the holdings replace the previous snapshot's,
    /// the month's AUM is kept per client, and the standings are rebuilt.
    fn apply_holdings(
        &mut self,
        snapshot: &HoldingsSnapshot,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<HoldingsApplied> {
        let rules = self.portfolio_rules()?;
        let today = self.today();
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
        let month = Month::of(snapshot.as_of).to_string();
        // A client with any month here and nothing in this snapshot holds nothing now:
        // their month counts as 0, not as missing (a missing month would keep a client who
        // closed everything in their tier for good).
        // Those clients are the standings of the last snapshot (every client with a month
        // has one); a store whose months came before standings existed asks the months.
        let standings: i64 =
            self.conn
                .query_row("SELECT count(*) FROM client_standing", [], |r| r.get(0))?;
        let earlier = if standings > 0 {
            "SELECT client_seq FROM client_standing"
        } else {
            "SELECT DISTINCT client_seq FROM client_aum"
        };
        let mut aum: BTreeMap<i64, i64> = self
            .conn
            .prepare(earlier)?
            .query_map([], |r| r.get::<_, i64>(0))?
            .map(|seq| seq.map(|seq| (seq, 0)))
            .collect::<rusqlite::Result<_>>()?;
        let mut report = HoldingsApplied {
            as_of: snapshot.as_of,
            accounts: 0,
            clients: 0,
            unknown_clients: 0,
            calls: 0,
            credit_warnings: 0,
            book: BookApplied::default(),
            points: 0,
        };
        let event = AuditEvent::new("sync.holdings", "store", self.branch.store_id.clone())
            .with_detail(
                serde_json::json!({ "as_of": snapshot.as_of, "accounts": snapshot.holdings.len() }),
            );
        let store_branch = self.branch.code.clone();
        let calendar = self.calendar.clone();
        // Each client's AUM before this snapshot (fen), for the early reviews a jump asks
        // for: read from the RMs' index, which holds it (a third of the table's size).
        let before: std::collections::HashMap<i64, i64> = self
            .conn
            .prepare(
                "SELECT client_seq, aum FROM client_standing INDEXED BY client_standing_by_rm",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        self.write(event, |w| {
            // The book first: a client registered at another branch has their holdings here.
            report.book = apply_book(w, &store_branch, &snapshot.clients)?;
            // Then the book's points: HQ's buckets and this store's entries since.
            report.points = crate::store::loyalty::apply_hq_points(
                w,
                &snapshot.points,
                snapshot.points_through,
            )?;
            // A client whose home branch this is, newly in the book, is due for a rating; one
            // the book changed has its desk row written again (only the book drops rows here,
            // and asking the desk whether any is missing reads every row).
            if report.book.added + report.book.updated > 0 {
                crate::store::risk::state::fill_missing(w.connection(), &rules.aml, &calendar)?;
            }
            // This store's clock continues past the copies applied, here and after a restart.
            let floor: i64 = w
                .read(
                    "SELECT CAST(value AS INTEGER) FROM sync_local WHERE key = 'hlc_floor'",
                    [],
                    |r| r.get(0),
                )?
                .unwrap_or(0);
            if report.book.latest_hlc > floor {
                w.set_local("hlc_floor", &report.book.latest_hlc.to_string())?;
            }
            let known = KnownClients::read(w, &store_branch)?;
            // In the table's key order (client, account): a month of millions of accounts
            // goes in as appends.
            let mut in_order: Vec<(i64, &crate::sync::reference::SnapshotHolding)> =
                Vec::with_capacity(snapshot.holdings.len());
            for holding in &snapshot.holdings {
                match known.seq(&holding.client_no) {
                    Some(seq) => in_order.push((seq, holding)),
                    None => report.unknown_clients += 1,
                }
            }
            in_order.sort_unstable_by(|(a, x), (b, y)| (a, &x.account).cmp(&(b, &y.account)));
            // The holdings by client, for the standings (read back, they would cost a query
            // per client).
            let mut by_client: std::collections::HashMap<i64, Vec<StoredHolding>> =
                std::collections::HashMap::new();
            // Each loan as the snapshot in force has it, for the warnings a move gives.
            let loans_before = crate::store::risk::credit::loans_in_force(w.connection())?;
            let mut loans = Vec::new();
            w.maintain_schema("DELETE FROM holding;")?;
            let mut insert = w.connection().prepare_cached(
                "INSERT OR REPLACE INTO holding
                 (client_seq, account, product, balance, opened_on, matures_on, avg_balance)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (seq, holding) in in_order {
                insert.execute(params![
                    seq,
                    holding.account,
                    holding.product,
                    holding.balance,
                    holding.opened_on.to_string(),
                    holding.matures_on.map(|d| d.to_string()),
                    holding.avg_balance,
                ])?;
                report.accounts += 1;
                if holding.days_past_due.is_some() || holding.loan_class.is_some() {
                    loans.push(crate::store::risk::credit::Loan {
                        seq,
                        account: &holding.account,
                        product: &holding.product,
                        balance: holding.balance,
                        standing: crate::domain::portfolio::credit::LoanStanding::of(
                            holding.days_past_due,
                            holding.loan_class,
                        ),
                    });
                }
                let counted = aum.entry(seq).or_insert(0);
                if counts(holding) {
                    *counted += holding.avg_balance.unwrap_or(holding.balance);
                }
                by_client.entry(seq).or_default().push(StoredHolding {
                    product: holding.product.clone(),
                    balance: holding.balance,
                    opened_on: holding.opened_on,
                    matures_on: holding.matures_on,
                });
            }
            drop(insert);
            report.clients = by_client.len() as u64;
            for (seq, avg) in &aum {
                w.execute_local(
                    "INSERT OR REPLACE INTO client_aum (client_seq, month, avg_aum) VALUES (?1, ?2, ?3)",
                    params![seq, month, avg],
                )?;
            }
            raise_aum_jumps(w, &rules, &calendar, &before, &aum, today)?;
            report.credit_warnings = crate::store::risk::credit::follow_snapshot(
                w,
                &loans_before,
                &loans,
                snapshot.as_of,
                today,
            )?;
            w.set_local("holdings_version", &snapshot.version().to_string())?;
            w.set_local("holdings_as_of", &snapshot.as_of.to_string())?;
            let rebuilt = standing::rebuild(
                w,
                &rules,
                snapshot.as_of,
                today,
                progress,
                Some(by_client),
            )?;
            report.calls = rebuilt.calls;
            Ok(())
        })?;
        let now_ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        self.hlc = self.hlc.observe(
            crate::domain::hlc::Hlc::from_i64(report.book.latest_hlc),
            now_ms,
        );
        Ok(report)
    }

    /// Seeds a demo store with holdings as HQ would send them: the monthly AUM of the
    /// months before (client number, fen), then the latest snapshot applied as usual.
    pub fn seed_demo_holdings(
        &mut self,
        earlier: &[(Month, Vec<(String, i64)>)],
        snapshot: &HoldingsSnapshot,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<HoldingsApplied> {
        if !self.branch.demo {
            return Err(Error::internal("demo holdings outside a demo store"));
        }
        let event = AuditEvent::new("demo.holdings", "store", self.branch.store_id.clone())
            .with_detail(serde_json::json!({ "months": earlier.len() }));
        self.write(event, |w| {
            for (month, clients) in earlier {
                let month = month.to_string();
                for (client_no, avg) in clients {
                    w.execute_local(
                        "INSERT OR REPLACE INTO client_aum (client_seq, month, avg_aum)
                         SELECT seq, ?2, ?3 FROM client WHERE client_no = ?1",
                        params![client_no, month, avg],
                    )?;
                }
            }
            Ok(())
        })?;
        self.apply_holdings(snapshot, progress)
    }

    /// A record with the tier the latest snapshot gives and the latest assessment.
    pub(crate) fn with_standing(
        &self,
        mut view: crate::domain::client::ClientView,
        seq: i64,
    ) -> Result<crate::domain::client::ClientView> {
        let code: Option<String> = self
            .conn
            .prepare_cached("SELECT tier FROM client_standing WHERE client_seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        let rules = self.portfolio_rules()?;
        view.tier_now = code.and_then(|code| {
            let tier = rules.tiers.tiers().iter().find(|t| t.code == code)?;
            Some(TierLabel {
                code,
                name_zh: tier.name_zh.clone(),
                name_en: tier.name_en.clone(),
            })
        });
        view.assessed = self.latest_assessment(&view.id)?.map(|a| {
            (
                a.level,
                rules
                    .suitability
                    .expires_on(a.on)
                    .pred_opt()
                    .unwrap_or(a.on),
            )
        });
        view.aml = self.risk_line(seq)?;
        view.points = self.points_line(seq)?;
        Ok(view)
    }

    /// The month whose tier and offers the snapshot in force gives (this month before any).
    pub(crate) fn standing_now(&self) -> Result<Month> {
        Ok(self
            .holdings_as_of()?
            .map_or(Month::of(self.today()), standing_month))
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
    pub(crate) fn find_portfolio_client(
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
/// Which local serial a client number is: this branch's own numbers are derived from the
/// serial, so only the others are kept by number (a map of a million numbers costs
/// seconds). Read in one pass over the dense cards. Branches never delete a client, so
/// every card is a client in force.
struct KnownClients<'b> {
    store_branch: &'b str,
    /// Serials whose number is this branch's own, by serial.
    own: Vec<bool>,
    others: std::collections::HashMap<String, i64>,
}

impl<'b> KnownClients<'b> {
    fn read(w: &crate::store::write::Writer, store_branch: &'b str) -> Result<KnownClients<'b>> {
        let mut known = KnownClients {
            store_branch,
            own: Vec::new(),
            others: std::collections::HashMap::new(),
        };
        let mut statement = w
            .connection()
            .prepare("SELECT seq, client_no FROM client_card")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            match row.get::<_, Option<String>>(1)?.filter(|n| !n.is_empty()) {
                Some(number) => {
                    known.others.insert(number, seq);
                }
                None => {
                    let index = usize::try_from(seq).map_err(|_| Error::DatabaseDamaged)?;
                    if known.own.len() <= index {
                        known.own.resize(index + 1, false);
                    }
                    known.own[index] = true;
                }
            }
        }
        Ok(known)
    }

    fn seq(&self, client_no: &str) -> Option<i64> {
        if let Some(seq) = self.others.get(client_no) {
            return Some(*seq);
        }
        let serial = client_no
            .strip_prefix(self.store_branch)?
            .strip_prefix('-')?
            .parse::<i64>()
            .ok()?;
        let own = usize::try_from(serial)
            .ok()
            .and_then(|i| self.own.get(i).copied())
            .unwrap_or(false);
        (own && crate::store::client_no_for(self.store_branch, serial) == client_no)
            .then_some(serial)
    }
}

pub(crate) fn masked_account(account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// A client of this branch whose AUM jumped from the snapshot before (by the factor
/// table's figures) is asked for an early AML review.
fn raise_aum_jumps(
    w: &mut crate::store::write::Writer,
    rules: &crate::sync::reference::PortfolioRules,
    calendar: &crate::domain::calendar::WorkCalendar,
    before: &std::collections::HashMap<i64, i64>,
    after: &BTreeMap<i64, i64>,
    today: NaiveDate,
) -> Result<()> {
    let schedule = &rules.aml.schedule;
    for (seq, now) in after {
        let Some(was) = before.get(seq) else {
            continue;
        };
        if !crate::domain::aml::aum_jumped(schedule, was / 100, now / 100) {
            continue;
        }
        let Some(id) = w.read("SELECT id FROM client WHERE seq = ?1", [seq], |r| {
            r.get::<_, String>(0)
        })?
        else {
            continue;
        };
        // The rise as a share, not the amounts: the trigger travels to HQ.
        let detail = if *was > 0 {
            format!("+{}%", (now - was) * 100 / was)
        } else {
            "+∞".to_string()
        };
        crate::store::risk::raise_trigger(
            w,
            rules,
            calendar,
            &crate::store::risk::Raised {
                seq: *seq,
                client_id: &id,
                trigger: crate::domain::aml::Trigger::AumJump,
                on: today,
                detail: &detail,
            },
        )?;
    }
    Ok(())
}
