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

    /// Whether a client of the book is in this segment (`window`: today and 30 days on).
    fn holds(&self, s: &Cut, window: &(String, String)) -> bool {
        match self {
            Segment::All => true,
            Segment::Tier(code) => s.tier == *code,
            Segment::Upgraded => s.moved == "up",
            Segment::Downgraded => s.moved == "down",
            Segment::Falling => s.fall_percent.is_some(),
            Segment::Expiring => s
                .assessed_until
                .as_deref()
                .is_some_and(|d| window.0.as_str() <= d && d <= window.1.as_str()),
            Segment::Maturing => s.maturing,
            Segment::Offers => s.best_priority.is_some(),
        }
    }

    /// The segment's order: what it is about first, then the larger assets (then the
    /// client number, so that the order is always the same).
    fn order(&self, a: &Cut, b: &Cut) -> std::cmp::Ordering {
        let about = match self {
            Segment::Falling => b.fall_percent.cmp(&a.fall_percent),
            Segment::Expiring => a.assessed_until.cmp(&b.assessed_until),
            Segment::Maturing => a.next_maturity.cmp(&b.next_maturity),
            Segment::Offers => b.best_priority.cmp(&a.best_priority),
            _ => std::cmp::Ordering::Equal,
        };
        about.then(b.aum.cmp(&a.aum)).then(a.seq.cmp(&b.seq))
    }
}

/// What the segments cut a client of the book by.
struct Cut {
    seq: i64,
    tier: String,
    aum: i64,
    moved: String,
    fall_percent: Option<i64>,
    assessed_until: Option<String>,
    next_maturity: Option<String>,
    best_priority: Option<i64>,
    maturing: bool,
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
        // One pass over the book gives every segment's size and the clients of the one
        // asked for; only those shown are read in full.
        let (segments, chosen) = self.book_cuts(rm.as_deref(), &window, segment, limit, &rules)?;
        let total = segments
            .iter()
            .find(|s| s.segment == *segment)
            .map_or(0, |s| s.clients);
        let day = |text: &Option<String>| text.as_deref().and_then(|d| d.parse().ok());
        let mut shown = self.conn.prepare_cached(
            "SELECT c.name, c.assigned_rm, c.client_no, s.value, s.best_rule, s.best_product
             FROM client_standing s JOIN client_card c ON c.seq = s.client_seq
             WHERE s.client_seq = ?1",
        )?;
        let mut clients = Vec::with_capacity(chosen.len());
        for cut in chosen {
            let (name, rm, own_no, value, best_rule, best_product) =
                shown.query_row([cut.seq], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })?;
            clients.push(BookEntry {
                client_no: own_no
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| client_no_for(&self.branch.code, cut.seq)),
                name,
                rm,
                tier: cut.tier.clone(),
                aum: cut.aum,
                moved: Some(cut.moved.clone()).filter(|m| !m.is_empty()),
                fall_percent: cut.fall_percent,
                value: u8::try_from(value).map_err(|_| Error::DatabaseDamaged)?,
                best_rule,
                best_product,
                next_maturity: day(&cut.next_maturity),
                assessed_until: day(&cut.assessed_until),
            });
        }
        drop(shown);
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

    /// Every segment's size in `rm`'s book (the branch's: none), and the first `limit`
    /// clients of `segment` in its order, in one pass that keeps no more than twice the
    /// limit (a branch's book is a million clients).
    fn book_cuts(
        &self,
        rm: Option<&str>,
        window: &(String, String),
        segment: &Segment,
        limit: u32,
        rules: &crate::sync::reference::PortfolioRules,
    ) -> Result<(Vec<SegmentCount>, Vec<Cut>)> {
        let sql = if rm.is_some() {
            concat!(
                "SELECT s.client_seq, s.tier, s.aum, s.moved, s.fall_percent, s.assessed_until,
                        s.next_maturity, s.best_priority, ",
                maturing!(),
                " FROM client_standing s WHERE s.rm = ?1"
            )
        } else {
            concat!(
                "SELECT s.client_seq, s.tier, s.aum, s.moved, s.fall_percent, s.assessed_until,
                        s.next_maturity, s.best_priority, ",
                maturing!(),
                " FROM client_standing s WHERE ?1 IS NULL"
            )
        };
        let tiers = rules
            .tiers
            .tiers()
            .iter()
            .map(|t| Segment::Tier(t.code.clone()));
        let mut segments: Vec<SegmentCount> = Segment::FIXED
            .into_iter()
            .chain(tiers)
            .map(|segment| SegmentCount {
                segment,
                clients: 0,
            })
            .collect();
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut chosen: Vec<Cut> = Vec::new();
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query(params![rm, window.0, window.1])?;
        while let Some(r) = rows.next()? {
            let cut = Cut {
                seq: r.get(0)?,
                tier: r.get(1)?,
                aum: r.get(2)?,
                moved: r.get(3)?,
                fall_percent: r.get(4)?,
                assessed_until: r.get(5)?,
                next_maturity: r.get(6)?,
                best_priority: r.get(7)?,
                maturing: r.get::<_, Option<bool>>(8)?.unwrap_or(false),
            };
            for count in &mut segments {
                if count.segment.holds(&cut, window) {
                    count.clients += 1;
                }
            }
            if segment.holds(&cut, window) {
                chosen.push(cut);
                if chosen.len() >= keep.saturating_mul(2).max(1024) {
                    chosen.sort_unstable_by(|a, b| segment.order(a, b));
                    chosen.truncate(keep);
                }
            }
        }
        chosen.sort_unstable_by(|a, b| segment.order(a, b));
        chosen.truncate(keep);
        Ok((segments, chosen))
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
