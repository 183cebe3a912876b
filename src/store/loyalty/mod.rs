//! Loyalty points in the store. Every entry — earn, redeem, expire, reverse, adjust — is an
//! insert-only row of `loyalty_entry` written through the one write path (audited, sent to
//! HQ); each client's buckets (`loyalty_bucket`, local) are the running state the balance
//! and what lapses soon are read from, changed in the same transaction as the entry that
//! changes them. `domain::loyalty` decides; this module reads the buckets, asks, and writes
//! what it says.

use crate::domain::client::StoredClient;
use crate::domain::loyalty::{
    Bucket, Buckets, EarnRules, Period, Points, RedeemItem, Refusal, Taken,
};
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::write::{AuditEvent, Table, Writer};
use chrono::{Datelike, Days, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

mod expiry;
mod from_hq;
mod seed;
mod slip;

pub(crate) use from_hq::apply_hq_points;
pub use seed::BenchLedger;
pub use slip::PointsSlip;

/// What lapses within this many days is shown with the balance.
pub const LAPSING_DAYS: u64 = 90;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Earn,
    Redeem,
    Expire,
    Reverse,
    Adjust,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Earn => "earn",
            EntryKind::Redeem => "redeem",
            EntryKind::Expire => "expire",
            EntryKind::Reverse => "reverse",
            EntryKind::Adjust => "adjust",
        }
    }

    fn parse(code: &str) -> Option<EntryKind> {
        [
            EntryKind::Earn,
            EntryKind::Redeem,
            EntryKind::Expire,
            EntryKind::Reverse,
            EntryKind::Adjust,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// An entry as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsEntry {
    pub id: String,
    pub kind: EntryKind,
    /// Signed: credits positive, debits negative.
    pub points: Points,
    pub on: NaiveDate,
    /// A credit's last usable day (none: never lapses).
    pub last_day: Option<NaiveDate>,
    /// The earn rule or the catalogue item ('' for others).
    pub code: String,
    /// The entry a reversal reverses.
    pub reverses: Option<String>,
    pub note: String,
    pub by_staff: String,
    /// A reversal has undone it.
    pub reversed: bool,
    /// What `code` names (the rule's or item's name), when the rules in force know it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name_zh: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name_en: String,
}

impl PointsEntry {
    /// Whether a manager may still reverse it: an earn, a redemption or an adjustment not
    /// reversed yet (an earn partly spent is refused when asked).
    pub fn reversible(&self) -> bool {
        !self.reversed && !matches!(self.kind, EntryKind::Reverse | EntryKind::Expire)
    }
}

/// A catalogue item as the counter offers it: with the stock this branch has left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItem {
    pub item: RedeemItem,
    /// None: not counted (a service or a fee waiver).
    pub stock_left: Option<u32>,
}

/// A client's points: the balance, what can be used today, what lapses soon, the latest
/// entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsView {
    pub client_no: String,
    pub balance: Points,
    pub usable: Points,
    /// Points that lapse from today to `lapsing_until`.
    pub lapsing: Points,
    pub lapsing_until: NaiveDate,
    /// Newest first, at most 10.
    pub recent: Vec<PointsEntry>,
}

/// A redemption done: the entry, the item, the balance after, the stock left of a gift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redemption {
    pub entry: PointsEntry,
    pub item: RedeemItem,
    pub balance_after: Points,
    pub stock_left: Option<u32>,
}

/// What an expiry run did (or, dry, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExpiryReport {
    pub clients: u64,
    pub points: Points,
}

/// The entry's columns, and whether a reversal reverses it (one probe of the unique index
/// on `reverses`).
const ENTRY_COLUMNS: &str = "id, kind, points, on_date, last_day, code, reverses, note, by_staff,
     EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses = loyalty_entry.id)";

fn entry_of(r: &rusqlite::Row) -> Result<PointsEntry> {
    let day = |text: String| crate::store::risk::state::day(&text);
    Ok(PointsEntry {
        id: r.get(0)?,
        kind: EntryKind::parse(&r.get::<_, String>(1)?).ok_or(Error::DatabaseDamaged)?,
        points: r.get(2)?,
        on: day(r.get(3)?)?,
        last_day: r.get::<_, Option<String>>(4)?.map(day).transpose()?,
        code: r.get(5)?,
        reverses: r.get(6)?,
        note: r.get(7)?,
        by_staff: r.get(8)?,
        reversed: r.get(9)?,
        name_zh: String::new(),
        name_en: String::new(),
    })
}

/// The entry with the name of the rule or item its code names.
fn named(mut entry: PointsEntry, rules: &EarnRules) -> PointsEntry {
    let names = match rules.rule(&entry.code) {
        Some(rule) => Some((&rule.name_zh, &rule.name_en)),
        None => rules.item(&entry.code).map(|i| (&i.name_zh, &i.name_en)),
    };
    if let Some((zh, en)) = names {
        entry.name_zh = zh.clone();
        entry.name_en = en.clone();
    }
    entry
}

fn refused(refusal: Refusal) -> Error {
    Error::PointsRefused { refusal }
}

/// The first and last day of the cap's period that holds `on`.
fn period_of(per: Period, on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(on);
    match per {
        Period::Day => (on, on),
        Period::Month => {
            let first = first_of(on.year(), on.month());
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(on);
            (first, next.pred_opt().unwrap_or(on))
        }
        Period::Year => (
            first_of(on.year(), 1),
            NaiveDate::from_ymd_opt(on.year(), 12, 31).unwrap_or(on),
        ),
        Period::Ever => (NaiveDate::MIN, NaiveDate::MAX),
    }
}

/// A client's buckets with points left, and those named in `also` (what a reversal puts
/// back into, or withdraws), spent or not.
fn buckets_of(conn: &rusqlite::Connection, seq: i64, also: &[&str]) -> Result<Buckets> {
    let mut statement = conn.prepare_cached(
        "SELECT entry, earned_on, last_day, credited, remaining FROM loyalty_bucket
         INDEXED BY loyalty_bucket_live WHERE client_seq = ?1 AND remaining > 0",
    )?;
    let mut named = conn.prepare_cached(
        "SELECT entry, earned_on, last_day, credited, remaining FROM loyalty_bucket
         WHERE entry = ?1 AND remaining = 0",
    )?;
    let mut buckets = Vec::new();
    let mut read = |rows: &mut rusqlite::Rows| -> Result<()> {
        while let Some(r) = rows.next()? {
            let day = |text: String| crate::store::risk::state::day(&text);
            buckets.push(Bucket {
                entry: r.get(0)?,
                earned_on: day(r.get(1)?)?,
                last_day: r.get::<_, Option<String>>(2)?.map(day).transpose()?,
                credited: r.get(3)?,
                left: r.get(4)?,
            });
        }
        Ok(())
    };
    read(&mut statement.query([seq])?)?;
    for entry in also {
        read(&mut named.query([entry])?)?;
    }
    Ok(Buckets::from_buckets(buckets))
}

/// Writes what a debit, a restore or an expiry took from (or put back into) the buckets.
fn write_taken(w: &mut Writer, buckets: &Buckets, taken: &[Taken]) -> Result<()> {
    for t in taken {
        if let Some(bucket) = buckets.iter().find(|b| b.entry == t.bucket) {
            w.maintain_index(
                "UPDATE loyalty_bucket SET remaining = ?2 WHERE entry = ?1",
                params![bucket.entry, bucket.left],
            )?;
        }
    }
    Ok(())
}

fn new_bucket(w: &mut Writer, seq: i64, bucket: &Bucket) -> Result<()> {
    w.maintain_index(
        "INSERT INTO loyalty_bucket (entry, client_seq, earned_on, last_day, credited, remaining)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            bucket.entry,
            seq,
            bucket.earned_on.to_string(),
            bucket.last_day.map(|d| d.to_string()),
            bucket.credited,
            bucket.left
        ],
    )
}

/// An entry's row.
struct NewEntry<'a> {
    id: &'a str,
    client_id: &'a str,
    kind: EntryKind,
    points: Points,
    on: NaiveDate,
    last_day: Option<NaiveDate>,
    code: &'a str,
    version: &'a str,
    reverses: Option<&'a str>,
    taken: &'a [Taken],
    note: &'a str,
    by_staff: &'a str,
}

fn insert_entry(w: &mut Writer, e: &NewEntry) -> Result<()> {
    let taken = serde_json::to_string(e.taken).map_err(Error::internal)?;
    let at = w.now_text();
    w.insert(
        Table::LoyaltyEntry,
        e.id,
        vec![
            ("client_id", Value::Text(e.client_id.into())),
            ("kind", Value::Text(e.kind.code().into())),
            ("points", Value::Integer(e.points)),
            ("on_date", Value::Text(e.on.to_string())),
            (
                "last_day",
                e.last_day
                    .map_or(Value::Null, |d| Value::Text(d.to_string())),
            ),
            ("code", Value::Text(e.code.into())),
            ("version", Value::Text(e.version.into())),
            (
                "reverses",
                e.reverses.map_or(Value::Null, |r| Value::Text(r.into())),
            ),
            ("taken", Value::Text(taken)),
            ("note", Value::Text(e.note.into())),
            ("by_staff", Value::Text(e.by_staff.into())),
            ("created_at", Value::Text(at)),
        ],
    )
}

impl Session {
    fn loyalty_rules(&self) -> Result<std::sync::Arc<crate::sync::reference::PortfolioRules>> {
        self.portfolio_rules()
    }

    /// A client whose points this staff member may work with: in force, of this branch's
    /// book, not restricted (`business`: earning and redeeming are business).
    fn points_client(&self, key: &str, business: bool) -> Result<(i64, StoredClient)> {
        let (seq, stored) = self.find_client(key)?;
        if business {
            self.check_business(&stored)?;
        }
        Ok((seq, stored))
    }

    /// An entry just written, as shown.
    fn written(&self, id: &str) -> Result<PointsEntry> {
        let entry = self
            .entry(id)?
            .map(|(e, _)| e)
            .ok_or(Error::DatabaseDamaged)?;
        Ok(named(entry, &self.loyalty_rules()?.loyalty))
    }

    fn entry(&self, id: &str) -> Result<Option<(PointsEntry, String)>> {
        let sql = format!("SELECT {ENTRY_COLUMNS}, client_id FROM loyalty_entry WHERE id = ?1");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query([id])?;
        match rows.next()? {
            Some(r) => Ok(Some((entry_of(r)?, r.get(10)?))),
            None => Ok(None),
        }
    }

    /// The record's points line, for staff who see points (none for others, and for a
    /// client who never had any).
    pub(crate) fn points_line(
        &self,
        seq: i64,
    ) -> Result<Option<crate::domain::loyalty::PointsLine>> {
        if !self.me.role.can(Permission::ViewPoints) {
            return Ok(None);
        }
        let buckets = buckets_of(&self.conn, seq, &[])?;
        if buckets.iter().next().is_none() {
            return Ok(None);
        }
        let today = self.today();
        let until = today
            .checked_add_days(Days::new(LAPSING_DAYS))
            .unwrap_or(today);
        Ok(Some(crate::domain::loyalty::PointsLine {
            balance: buckets.balance(),
            lapsing: buckets.lapsing(today, until),
            lapsing_until: until,
        }))
    }

    /// A client's points: balance, usable today, lapsing within 90 days, the latest
    /// entries. Recorded in the audit trail.
    pub fn points_show(&mut self, key: &str) -> Result<PointsView> {
        self.require(Permission::ViewPoints)?;
        let (seq, stored) = self.points_client(key, false)?;
        let today = self.today();
        let buckets = buckets_of(&self.conn, seq, &[])?;
        let until = today
            .checked_add_days(Days::new(LAPSING_DAYS))
            .unwrap_or(today);
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM loyalty_entry WHERE client_id = ?1
             ORDER BY on_date DESC, hlc DESC LIMIT 10"
        );
        let mut recent = Vec::new();
        {
            let rules = self.loyalty_rules()?;
            let mut statement = self.conn.prepare_cached(&sql)?;
            let mut rows = statement.query([&stored.id])?;
            while let Some(r) = rows.next()? {
                recent.push(named(entry_of(r)?, &rules.loyalty));
            }
        }
        self.audit_only(AuditEvent::new("points.show", "client", stored.id.clone()))?;
        Ok(PointsView {
            client_no: stored.client_no,
            balance: buckets.balance(),
            usable: buckets.usable(today),
            lapsing: buckets.lapsing(today, until),
            lapsing_until: until,
            recent,
        })
    }

    /// Credits the points an earn rule gives the client (times their tier's percentage),
    /// within the rule's cap.
    pub fn points_earn(&mut self, key: &str, rule: &str, note: &str) -> Result<PointsEntry> {
        self.require(Permission::UsePoints)?;
        let (seq, stored) = self.points_client(key, true)?;
        let rules = self.loyalty_rules()?;
        let loyalty: &EarnRules = &rules.loyalty;
        let rule = loyalty.rule(rule.trim()).ok_or_else(|| {
            refused(Refusal::UnknownRule {
                code: rule.trim().to_string(),
            })
        })?;
        let today = self.today();
        if let Some(cap) = rule.cap {
            let (from, to) = period_of(cap.per, today);
            let earned: i64 = self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM loyalty_entry e
                 WHERE e.client_id = ?1 AND e.on_date BETWEEN ?2 AND ?3 AND e.kind = 'earn'
                   AND e.code = ?4
                   AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses = e.id)",
                )?
                .query_row(
                    params![stored.id, from.to_string(), to.to_string(), rule.code],
                    |r| r.get(0),
                )?;
            if earned >= i64::from(cap.times) {
                return Err(refused(Refusal::CapReached {
                    times: cap.times,
                    per: cap.per,
                }));
            }
        }
        let tier: Option<String> = self
            .conn
            .prepare_cached("SELECT tier FROM client_standing WHERE client_seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        let points = rule.points_for(tier.as_deref());
        let last_day = loyalty.lapse.last_day(today);
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let note = note.trim();
        let entry = NewEntry {
            id: &id,
            client_id: &stored.id,
            kind: EntryKind::Earn,
            points,
            on: today,
            last_day,
            code: &rule.code,
            version: &loyalty.version,
            reverses: None,
            taken: &[],
            note,
            by_staff: &me,
        };
        let event = AuditEvent::new("points.earn", "client", stored.id.clone())
            .with_detail(serde_json::json!({ "rule": rule.code, "points": points }));
        self.write(event, |w| {
            insert_entry(w, &entry)?;
            new_bucket(w, seq, &Bucket::fresh(&id, today, last_day, points))
        })?;
        self.written(&id)
    }

    /// How many of a gift this branch still holds under the catalogue in force.
    fn stock_left(&self, item: &RedeemItem, version: &str) -> Result<Option<u32>> {
        let Some(stock) = item.stock else {
            return Ok(None);
        };
        let given: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM loyalty_entry e INDEXED BY loyalty_entry_by_code
                 WHERE e.kind = 'redeem' AND e.code = ?1 AND e.version = ?2
                   AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses = e.id)",
            )?
            .query_row(params![item.code, version], |r| r.get(0))?;
        Ok(Some(u32::try_from(i64::from(stock) - given).unwrap_or(0)))
    }

    /// The redemption catalogue in force, with the stock this branch has left of each gift.
    pub fn points_catalogue(&mut self) -> Result<Vec<CatalogueItem>> {
        self.require(Permission::ViewPoints)?;
        let rules = self.loyalty_rules()?;
        let loyalty = &rules.loyalty;
        loyalty
            .items
            .iter()
            .map(|item| {
                Ok(CatalogueItem {
                    stock_left: self.stock_left(item, &loyalty.version)?,
                    item: item.clone(),
                })
            })
            .collect()
    }

    /// Redeems a catalogue item: its points taken soonest-lapsing first, a gift's stock
    /// counted. Refused for more than the usable balance or an item out of stock.
    pub fn points_redeem(&mut self, key: &str, item: &str) -> Result<Redemption> {
        self.require(Permission::UsePoints)?;
        let (seq, stored) = self.points_client(key, true)?;
        let rules = self.loyalty_rules()?;
        let loyalty = &rules.loyalty;
        let item = loyalty.item(item.trim()).cloned().ok_or_else(|| {
            refused(Refusal::UnknownItem {
                code: item.trim().to_string(),
            })
        })?;
        if self.stock_left(&item, &loyalty.version)? == Some(0) {
            return Err(refused(Refusal::OutOfStock {
                code: item.code.clone(),
            }));
        }
        let today = self.today();
        let mut buckets = buckets_of(&self.conn, seq, &[])?;
        let taken = buckets.debit(item.points, today).map_err(refused)?;
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let entry = NewEntry {
            id: &id,
            client_id: &stored.id,
            kind: EntryKind::Redeem,
            points: -item.points,
            on: today,
            last_day: None,
            code: &item.code,
            version: &loyalty.version,
            reverses: None,
            taken: &taken,
            note: "",
            by_staff: &me,
        };
        let event = AuditEvent::new("points.redeem", "client", stored.id.clone())
            .with_detail(serde_json::json!({ "item": item.code, "points": item.points }));
        self.write(event, |w| {
            insert_entry(w, &entry)?;
            write_taken(w, &buckets, &taken)
        })?;
        let stock_left = self.stock_left(&item, &loyalty.version)?;
        let entry = self.written(&id)?;
        Ok(Redemption {
            entry,
            item,
            balance_after: buckets.balance(),
            stock_left,
        })
    }

    /// Reverses an earn (if none of it was spent), a redemption (putting back exactly the
    /// points it took, with their lapse days) or an adjustment. Managers, with a reason.
    pub fn points_reverse(&mut self, entry_id: &str, reason: &str) -> Result<PointsEntry> {
        self.require(Permission::CorrectPoints)?;
        let reason = required_reason(reason)?;
        let (original, client_id) = self
            .entry(entry_id.trim())?
            .ok_or_else(|| refused(Refusal::NothingToReverse))?;
        if !original.reversible() {
            return Err(refused(Refusal::NothingToReverse));
        }
        let (seq, stored) = self.points_client(&client_id, false)?;
        let taken_before: Vec<Taken> = {
            let text: String = self.conn.query_row(
                "SELECT taken FROM loyalty_entry WHERE id = ?1",
                [&original.id],
                |r| r.get(0),
            )?;
            serde_json::from_str(&text).map_err(|_| Error::DatabaseDamaged)?
        };
        // The buckets it took from, or the one it credited, spent or not.
        let named: Vec<&str> = taken_before
            .iter()
            .map(|t| t.bucket.as_str())
            .chain([original.id.as_str()])
            .collect();
        let mut buckets = buckets_of(&self.conn, seq, &named)?;
        // A credit is withdrawn whole; a debit's points go back where they came from.
        let (points, withdrawn) = if original.points > 0 {
            (-buckets.withdraw(&original.id).map_err(refused)?, true)
        } else {
            buckets.restore(&taken_before).map_err(refused)?;
            (-original.points, false)
        };
        let id = uuid::Uuid::now_v7().to_string();
        let me = self.me.id.to_string();
        let today = self.today();
        let entry = NewEntry {
            id: &id,
            client_id: &stored.id,
            kind: EntryKind::Reverse,
            points,
            on: today,
            last_day: None,
            code: &original.code,
            version: "",
            reverses: Some(&original.id),
            taken: &taken_before,
            note: &reason,
            by_staff: &me,
        };
        let event = AuditEvent::new("points.reverse", "client", stored.id.clone())
            .with_detail(serde_json::json!({ "entry": original.id, "points": points }));
        self.write(event, |w| {
            insert_entry(w, &entry)?;
            if withdrawn {
                w.maintain_index(
                    "DELETE FROM loyalty_bucket WHERE entry = ?1",
                    params![original.id],
                )
            } else {
                write_taken(w, &buckets, &taken_before)
            }
        })?;
        self.written(&id)
    }

    /// A manager's adjustment with a reason: a credit (lapsing as earned points do) or a
    /// debit (taken as a redemption is).
    pub fn points_adjust(
        &mut self,
        key: &str,
        points: Points,
        reason: &str,
    ) -> Result<PointsEntry> {
        self.require(Permission::CorrectPoints)?;
        let reason = required_reason(reason)?;
        if points == 0 {
            return Err(refused(Refusal::NotPositive));
        }
        let (seq, stored) = self.points_client(key, false)?;
        let rules = self.loyalty_rules()?;
        let today = self.today();
        let mut buckets = buckets_of(&self.conn, seq, &[])?;
        let id = uuid::Uuid::now_v7().to_string();
        let (last_day, taken) = if points > 0 {
            (rules.loyalty.lapse.last_day(today), Vec::new())
        } else {
            (None, buckets.debit(-points, today).map_err(refused)?)
        };
        let me = self.me.id.to_string();
        let entry = NewEntry {
            id: &id,
            client_id: &stored.id,
            kind: EntryKind::Adjust,
            points,
            on: today,
            last_day,
            code: "",
            version: &rules.loyalty.version,
            reverses: None,
            taken: &taken,
            note: &reason,
            by_staff: &me,
        };
        let event = AuditEvent::new("points.adjust", "client", stored.id.clone())
            .with_detail(serde_json::json!({ "points": points }));
        self.write(event, |w| {
            insert_entry(w, &entry)?;
            if points > 0 {
                new_bucket(w, seq, &Bucket::fresh(&id, today, last_day, points))
            } else {
                write_taken(w, &buckets, &taken)
            }
        })?;
        self.written(&id)
    }
}

fn required_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(Refusal::ReasonMissing));
    }
    Ok(reason.chars().take(200).collect())
}
