//! A relationship manager's book (我的客户): the clients assigned to them, or a branch's for
//! a manager, cut into segments to act on — by tier, moved up or down by this snapshot,
//! assets falling, assessment expiring or products maturing within 30 days, best offers —
//! read from the standings the latest snapshot left, so any segment of thousands reads in
//! milliseconds.

use crate::domain::staff::{Permission, Role};
use crate::error::{Error, Result};
use crate::i18n::{I18n, Lang};
use crate::store::Session;
use crate::store::client_no_for;
use crate::store::write::AuditEvent;
use chrono::{Duration, NaiveDate};
use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;

/// Maturing within the window (?2 to ?3): the earliest maturity called for, or — once
/// that has passed since the snapshot — the next one among the maturity calls (only those
/// clients look).
macro_rules! maturing {
    () => {
        "s.next_maturity <= ?3 AND (s.next_maturity >= ?2
             OR EXISTS (SELECT 1 FROM portfolio_call pc
                        WHERE pc.client_seq = s.client_seq
                          AND pc.matures_on BETWEEN ?2 AND ?3))"
    };
}

/// The sizes of the fixed segments, per tier, in the order of [`Segment::FIXED`].
macro_rules! segment_sums {
    () => {
        concat!(
            "SELECT s.tier, count(*), sum(s.moved = 'up'), sum(s.moved = 'down'),
                    sum(s.fall_percent IS NOT NULL), sum(s.assessed_until BETWEEN ?2 AND ?3),
                    sum(",
            maturing!(),
            "), sum(s.best_priority IS NOT NULL)"
        )
    };
}

/// How far ahead "expiring" and "maturing" look.
pub const BOOK_DAYS_AHEAD: i64 = 30;

/// A cut of the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "segment", content = "tier")]
pub enum Segment {
    All,
    /// The clients in one tier.
    Tier(String),
    /// Moved up a tier by the latest snapshot.
    Upgraded,
    Downgraded,
    /// Assets fell past the retention share.
    Falling,
    /// The risk assessment expires within 30 days.
    Expiring,
    /// A product matures within 30 days.
    Maturing,
    /// Clients the rules have an offer for, best first.
    Offers,
}

impl Segment {
    pub const FIXED: [Segment; 7] = [
        Segment::All,
        Segment::Upgraded,
        Segment::Downgraded,
        Segment::Falling,
        Segment::Expiring,
        Segment::Maturing,
        Segment::Offers,
    ];

    pub fn code(&self) -> &str {
        match self {
            Segment::All => "all",
            Segment::Tier(code) => code,
            Segment::Upgraded => "upgraded",
            Segment::Downgraded => "downgraded",
            Segment::Falling => "falling",
            Segment::Expiring => "expiring",
            Segment::Maturing => "maturing",
            Segment::Offers => "offers",
        }
    }

    /// A segment by its code; anything else is taken for a tier code (checked against the
    /// tier table by the book).
    pub fn parse(text: &str) -> Segment {
        let text = text.trim().to_lowercase();
        Segment::FIXED
            .into_iter()
            .find(|s| s.code() == text)
            .unwrap_or(Segment::Tier(text))
    }

    /// The condition and order of this segment (fixed SQL, never built from input) and
    /// the values it binds, from ?2 on (?1 is the RM).
    fn filter(&self, window: &(String, String)) -> (&'static str, &'static str, Vec<Value>) {
        let between = || vec![Value::Text(window.0.clone()), Value::Text(window.1.clone())];
        match self {
            Segment::All => ("1", "s.aum DESC", vec![]),
            Segment::Tier(code) => ("s.tier = ?2", "s.aum DESC", vec![Value::Text(code.clone())]),
            Segment::Upgraded => ("s.moved = 'up'", "s.aum DESC", vec![]),
            Segment::Downgraded => ("s.moved = 'down'", "s.aum DESC", vec![]),
            Segment::Falling => (
                "s.fall_percent IS NOT NULL",
                "s.fall_percent DESC, s.aum DESC",
                vec![],
            ),
            Segment::Expiring => (
                "s.assessed_until BETWEEN ?2 AND ?3",
                "s.assessed_until, s.aum DESC",
                between(),
            ),
            Segment::Maturing => (maturing!(), "s.next_maturity, s.aum DESC", between()),
            Segment::Offers => (
                "s.best_priority IS NOT NULL",
                "s.best_priority DESC, s.aum DESC",
                vec![],
            ),
        }
    }
}

/// How many clients a segment holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentCount {
    #[serde(flatten)]
    pub segment: Segment,
    pub clients: u64,
}

/// One client of a book (amounts in fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookEntry {
    pub client_no: String,
    pub name: String,
    pub rm: Option<String>,
    pub tier: String,
    pub aum: i64,
    pub moved: Option<String>,
    pub fall_percent: Option<i64>,
    pub value: u8,
    pub best_rule: Option<String>,
    pub best_product: Option<String>,
    pub next_maturity: Option<NaiveDate>,
    pub assessed_until: Option<NaiveDate>,
}

/// A tier's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A book: whose, how old the snapshot is, the segments and their sizes, and the clients
/// of the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Book {
    /// The RM whose book it is (none: the branch's).
    pub rm: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub segments: Vec<SegmentCount>,
    pub segment: Segment,
    /// How many clients the segment holds (the list may be cut at the limit).
    pub total: u64,
    /// The RMs whose books this staff member may open (a manager: every RM's; an RM:
    /// their own).
    pub rms: Vec<String>,
    /// The tiers of the table in force, lowest first, with their names.
    pub tiers: Vec<TierName>,
    pub clients: Vec<BookEntry>,
}

impl Session {
    /// A book: `rm`'s (an RM only ever gets their own; none for a manager means the
    /// branch's), cut to `segment`, at most `limit` clients. Recorded in the audit trail.
    pub fn book(&mut self, rm: Option<&str>, segment: &Segment, limit: u32) -> Result<Book> {
        self.require(Permission::ViewPortfolio)?;
        let me = self.me.id.to_string();
        let rm = match (self.me.role, rm) {
            (Role::Rm, Some(other)) if other != me => {
                return Err(Error::PermissionDenied {
                    permission: Permission::ViewPortfolio,
                });
            }
            (Role::Rm, _) => Some(me),
            (_, asked) => asked.map(|r| r.trim().to_string()),
        };
        let rules = self.portfolio_rules()?;
        if let Segment::Tier(code) = segment
            && rules.tiers.index_of(code).is_none()
        {
            return Err(Error::UnknownSegment {
                code: code.clone(),
                tiers: rules.tiers.tiers().iter().map(|t| t.code.clone()).collect(),
            });
        }
        let today = self.today();
        let until = today + Duration::days(BOOK_DAYS_AHEAD);
        let window = (today.to_string(), until.to_string());
        let segments = self.segment_counts(rm.as_deref(), &window, &rules)?;
        let total = segments
            .iter()
            .find(|s| s.segment == *segment)
            .map_or(0, |s| s.clients);
        let (condition, order, mut values) = segment.filter(&window);
        let scope = if rm.is_some() {
            "c.assigned_rm = ?1"
        } else {
            "?1 IS NULL"
        };
        let limit_at = values.len() + 2;
        let sql = format!(
            "SELECT s.client_seq, c.name, c.assigned_rm, c.client_no, s.tier, s.aum, s.moved,
                    s.fall_percent, s.value, s.best_rule, s.best_product, s.next_maturity,
                    s.assessed_until
             FROM client_standing s JOIN client_card c ON c.seq = s.client_seq
             WHERE {scope} AND ({condition}) ORDER BY {order} LIMIT ?{limit_at}"
        );
        values.insert(0, rm.clone().map_or(Value::Null, Value::Text));
        values.push(Value::Integer(i64::from(limit)));
        let day = |text: Option<String>| text.and_then(|d| d.parse().ok());
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(values))?;
        let mut clients = Vec::new();
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let own_no: Option<String> = r.get(3)?;
            let moved: String = r.get(6)?;
            clients.push(BookEntry {
                client_no: own_no
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| client_no_for(&self.branch.code, seq)),
                name: r.get(1)?,
                rm: r.get(2)?,
                tier: r.get(4)?,
                aum: r.get(5)?,
                moved: Some(moved).filter(|m| !m.is_empty()),
                fall_percent: r.get(7)?,
                value: u8::try_from(r.get::<_, i64>(8)?).map_err(|_| Error::DatabaseDamaged)?,
                best_rule: r.get(9)?,
                best_product: r.get(10)?,
                next_maturity: day(r.get(11)?),
                assessed_until: day(r.get(12)?),
            });
        }
        drop(rows);
        drop(statement);
        self.audit_only(
            AuditEvent::new("book.view", "staff", rm.clone().unwrap_or_default()).with_detail(
                serde_json::json!({ "segment": segment.code(), "entries": clients.len() }),
            ),
        )?;
        let rms = if self.me.role == Role::Rm {
            vec![self.me.id.to_string()]
        } else {
            self.conn
                .prepare_cached("SELECT id FROM staff WHERE role = 'rm' ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?
        };
        let tiers = rules
            .tiers
            .tiers()
            .iter()
            .map(|t| TierName {
                code: t.code.clone(),
                name_zh: t.name_zh.clone(),
                name_en: t.name_en.clone(),
            })
            .collect();
        Ok(Book {
            tiers,
            rms,
            rm,
            as_of: self.holdings_as_of()?,
            segments,
            segment: segment.clone(),
            total,
            clients,
        })
    }

    /// The size of every segment, fixed ones and tiers, in one pass over the book.
    fn segment_counts(
        &self,
        rm: Option<&str>,
        window: &(String, String),
        rules: &crate::sync::reference::PortfolioRules,
    ) -> Result<Vec<SegmentCount>> {
        let sql = if rm.is_some() {
            concat!(
                segment_sums!(),
                " FROM client_standing s JOIN client_card c ON c.seq = s.client_seq
                  WHERE c.assigned_rm = ?1 GROUP BY s.tier"
            )
        } else {
            concat!(
                segment_sums!(),
                " FROM client_standing s WHERE ?1 IS NULL GROUP BY s.tier"
            )
        };
        let mut fixed = [0i64; 7];
        let mut per_tier: Vec<(String, i64)> = Vec::new();
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query(params![rm, window.0, window.1])?;
        while let Some(r) = rows.next()? {
            let tier: String = r.get(0)?;
            for (i, count) in fixed.iter_mut().enumerate() {
                *count += r.get::<_, Option<i64>>(i + 1)?.unwrap_or(0);
            }
            per_tier.push((tier, r.get(1)?));
        }
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut segments: Vec<SegmentCount> = Segment::FIXED
            .into_iter()
            .zip(fixed)
            .map(|(segment, n)| SegmentCount {
                segment,
                clients: count(n),
            })
            .collect();
        for tier in rules.tiers.tiers() {
            let n = per_tier
                .iter()
                .find(|(code, _)| *code == tier.code)
                .map_or(0, |(_, n)| *n);
            segments.push(SegmentCount {
                segment: Segment::Tier(tier.code.clone()),
                clients: count(n),
            });
        }
        Ok(segments)
    }
}

impl Book {
    /// Whose book and how old its snapshot is, in the UI language.
    pub fn heading(&self, i18n: &I18n) -> String {
        let whose = match &self.rm {
            Some(rm) => i18n.fill("book.of_rm", &[("rm", rm)]),
            None => i18n.t("book.of_branch").to_string(),
        };
        let as_of = self
            .as_of
            .map_or_else(|| i18n.t("book.no_snapshot").to_string(), |d| d.to_string());
        i18n.fill("book.heading", &[("whose", &whose), ("as_of", &as_of)])
    }

    /// A tier's name in Chinese (`zh`) or English; the code for a tier the table lacks.
    pub fn tier_name<'a>(&'a self, code: &'a str, zh: bool) -> &'a str {
        self.tiers
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| if zh { &t.name_zh } else { &t.name_en })
    }

    /// A segment's name in the UI language (a tier by the table's name).
    pub fn segment_name(&self, i18n: &I18n, segment: &Segment) -> String {
        match segment {
            Segment::Tier(code) => self.tier_name(code, i18n.lang == Lang::Zh).to_string(),
            fixed => i18n
                .t_owned(format!("book.segment.{}", fixed.code()))
                .to_string(),
        }
    }
}

impl BookEntry {
    /// What is worth acting on for a client of the book, in a few words, what `segment` is
    /// about first.
    pub fn note(&self, i18n: &I18n, segment: &Segment) -> String {
        let mut notes: Vec<(Segment, String)> = Vec::new();
        match self.moved.as_deref() {
            Some("up") => notes.push((Segment::Upgraded, i18n.t("book.note.up").to_string())),
            Some("down") => notes.push((Segment::Downgraded, i18n.t("book.note.down").to_string())),
            _ => {}
        }
        if let Some(percent) = self.fall_percent {
            let text = i18n.fill("book.note.fall", &[("percent", &percent.to_string())]);
            notes.push((Segment::Falling, text));
        }
        if let Some(on) = self.next_maturity {
            let on = on.format("%m-%d").to_string();
            let text = i18n.fill("book.note.maturity", &[("on", &on)]);
            notes.push((Segment::Maturing, text));
        }
        if let Some(until) = self.assessed_until {
            let text = i18n.fill("book.note.assessed", &[("until", &until.to_string())]);
            notes.push((Segment::Expiring, text));
        }
        if let Some(product) = &self.best_product {
            let text = i18n.fill("book.note.offer", &[("product", product)]);
            notes.push((Segment::Offers, text));
        }
        // What the segment is about comes first (a narrow column shows it).
        notes.sort_by_key(|(about, _)| about != segment);
        notes
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join(" · ")
    }
}
