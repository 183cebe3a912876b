//! What HQ's latest holdings snapshot makes of each client, kept so that a book of
//! thousands reads in milliseconds: the tier the snapshot gives (in force from the month
//! after the snapshot's month) and the changes that led there with their reasons, the
//! latest AUM and a fall, the value score with its parts and the RFM quintiles within the
//! branch, the best offer, the next maturity, and the calls the snapshot puts on the care
//! agenda. Derived and local: rebuilt whole, in the snapshot's own transaction, from the
//! months, holdings and records the store keeps.

use crate::domain::care::{KeyKind, date_key};
use crate::domain::portfolio::Month;
use crate::domain::portfolio::calls::{CallHolding, calls};
use crate::domain::portfolio::offers::{Holding, Offer, OfferFacts, Trend, offers};
use crate::domain::portfolio::suitability::{Assessment, ClientFacts};
use crate::domain::portfolio::tiers::{
    Fall, MonthAum, TierChange, TierTable, current_tier, falling,
};
use crate::domain::portfolio::value::{ValueFacts, percentile, quintile};
use crate::error::{Error, Result};
use crate::store::write::Writer;
use crate::sync::reference::PortfolioRules;
use chrono::{Duration, NaiveDate};
use rusqlite::{Connection, params};
use std::collections::{BTreeSet, HashMap};

/// What the offers and the tier of one client are made from (amounts in fen).
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientInputs {
    pub holdings: Vec<StoredHolding>,
    pub months: Vec<MonthAum>,
    pub birth_date: Option<NaiveDate>,
    pub consent_marketing: bool,
    pub events: Vec<(String, NaiveDate)>,
    pub assessment: Option<Assessment>,
    pub declined: Vec<(String, NaiveDate)>,
}

/// A holding as the store keeps it (fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredHolding {
    pub product: String,
    pub balance: i64,
    pub opened_on: NaiveDate,
    pub matures_on: Option<NaiveDate>,
}

/// One client's holdings, as [`stored_holding`] reads them.
pub(crate) const HOLDINGS_OF_CLIENT: &str =
    "SELECT product, balance, matures_on, opened_on FROM holding WHERE client_seq = ?1";

/// A row of [`HOLDINGS_OF_CLIENT`].
pub(crate) fn stored_holding(r: &rusqlite::Row) -> rusqlite::Result<StoredHolding> {
    Ok(StoredHolding {
        product: r.get(0)?,
        balance: r.get(1)?,
        matures_on: r.get::<_, Option<String>>(2)?.and_then(|d| d.parse().ok()),
        opened_on: r.get::<_, String>(3)?.parse().unwrap_or(NaiveDate::MAX),
    })
}

/// The month whose tier a snapshot of `as_of` gives: the month after its own.
pub(crate) fn standing_month(as_of: NaiveDate) -> Month {
    Month::of(as_of).next()
}

/// In yuan, as the tier and offer rules count.
pub(crate) fn in_yuan(months: &[MonthAum]) -> Vec<MonthAum> {
    months
        .iter()
        .map(|m| MonthAum {
            month: m.month,
            avg_aum: m.avg_aum / 100,
        })
        .collect()
}

/// Where AUM is heading over the table's retention span: falling past its share, rising,
/// or steady (months in yuan).
pub(crate) fn trend(table: &TierTable, months: &[MonthAum]) -> Trend {
    if falling(table, months).is_some() {
        return Trend::Falling;
    }
    let span = i64::from(table.retention.months);
    let Some(last) = months.last() else {
        return Trend::Steady;
    };
    match months
        .iter()
        .find(|m| m.month.months_until(last.month) == span)
    {
        Some(earlier) if last.avg_aum > earlier.avg_aum => Trend::Rising,
        _ => Trend::Steady,
    }
}

/// The offers the rules in force make for a client on `today`, and the tier they are in
/// (the one the latest snapshot gives).
pub(crate) fn client_offers(
    rules: &PortfolioRules,
    inputs: &ClientInputs,
    now: Month,
    today: NaiveDate,
) -> (String, Vec<Offer>) {
    let months = in_yuan(&inputs.months);
    let tier = current_tier(&rules.tiers, &months, now)
        .map(|(tier, _, _)| tier.code.clone())
        .unwrap_or_default();
    let category_of = |code: &str| {
        rules
            .catalogue
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.category.clone())
            .unwrap_or_default()
    };
    let holdings: Vec<Holding> = inputs
        .holdings
        .iter()
        .map(|h| Holding {
            category: category_of(&h.product),
            product: h.product.clone(),
            balance: h.balance / 100,
            matures_on: h.matures_on,
        })
        .collect();
    let age = inputs.birth_date.and_then(|born| today.years_since(born));
    let facts = OfferFacts {
        tier: &tier,
        age,
        aum: months.last().map_or(0, |m| m.avg_aum),
        trend: trend(&rules.tiers, &months),
        holdings: &holdings,
        life_events: &inputs.events,
        consent_marketing: inputs.consent_marketing,
        suitability: ClientFacts {
            assessment: inputs.assessment,
            age,
            // A minor has no full civil capacity (the record has no flag for adults who
            // lack it yet).
            full_capacity: age.is_none_or(|years| years >= 18),
        },
        declined: &inputs.declined,
    };
    let found = offers(
        &rules.offers,
        &rules.catalogue,
        &rules.suitability,
        &facts,
        today,
    );
    (tier, found)
}

/// Brings one client's best offer and assessment validity up to date after a change
/// between snapshots (an assessment, an offer's outcome), inside that change's write.
pub(crate) fn refresh_client(
    w: &mut Writer,
    seq: i64,
    rules: &PortfolioRules,
    inputs: &ClientInputs,
    now: Month,
    today: NaiveDate,
) -> Result<()> {
    let (_, found) = client_offers(rules, inputs, now, today);
    let best = found.first();
    let assessed_until = inputs.assessment.map(|a| {
        rules
            .suitability
            .expires_on(a.on)
            .pred_opt()
            .unwrap_or(a.on)
    });
    w.maintain_index(
        "UPDATE client_standing SET best_rule = ?2, best_product = ?3, best_priority = ?4,
             assessed_until = ?5
         WHERE client_seq = ?1",
        params![
            seq,
            best.map(|o| o.rule.clone()),
            best.map(|o| o.product.clone()),
            best.map(|o| o.priority),
            assessed_until.map(|d| d.to_string()),
        ],
    )
}

/// What one client's standing is before the branch-wide ranks are known.
struct Pending {
    seq: i64,
    tier: String,
    since: Option<Month>,
    moved: &'static str,
    aum: i64,
    fall: Option<Fall>,
    changes: Vec<TierChange>,
    best: Option<Offer>,
    next_maturity: Option<NaiveDate>,
    assessed_until: Option<NaiveDate>,
    facts: ValueFacts,
    /// Days since the last contact (none: never).
    days_since_contact: Option<i64>,
    /// The client's RM (an RM's book is read by it).
    rm: Option<String>,
}

/// A call as written: its reference, the client, their RM and name (for the agenda's
/// keys), the day it falls on, its reason (JSON), and the maturity it is about.
struct Written {
    reference: String,
    seq: i64,
    rm: String,
    name: String,
    on: NaiveDate,
    reason: String,
    matures_on: Option<NaiveDate>,
}

/// What rebuilding the standings did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Rebuilt {
    pub clients: u64,
    pub calls: u64,
}

/// Rebuilds every client's standing, tier history and snapshot calls from what the write
/// sees (the snapshot just applied), for a snapshot taken on `as_of`. `progress` hears
/// (done, total) clients. `known_holdings` are the holdings just written, by client (read
/// from the table when not given).
pub(crate) fn rebuild(
    w: &mut Writer,
    rules: &PortfolioRules,
    as_of: NaiveDate,
    today: NaiveDate,
    progress: &mut dyn FnMut(u64, u64),
    mut known_holdings: Option<HashMap<i64, Vec<StoredHolding>>>,
) -> Result<Rebuilt> {
    let now = standing_month(as_of);
    let conn = w.connection();
    let known = BranchFacts::read(conn, rules, today)?;
    // How many clients the pass goes through, for the progress bar: those with a
    // standing and any new since, from the dense cards (counting the months' clients
    // would read every month).
    let total: i64 = conn.query_row(
        "SELECT max((SELECT count(*) FROM client_standing),
                    (SELECT count(*) FROM client_card))",
        [],
        |r| r.get(0),
    )?;
    let total = u64::try_from(total).unwrap_or(0);
    // Reading (SQLite, this thread) and working out each client's standing (pure, a
    // second thread) overlap: on a two-core counter terminal that is a fifth of the pass.
    let (pending, calls_of) = std::thread::scope(|scope| -> Result<_> {
        let (jobs, received) = std::sync::mpsc::sync_channel::<Vec<Job>>(8);
        let known = &known;
        let worker = scope.spawn(move || {
            let mut pending: Vec<Pending> = Vec::with_capacity(total as usize);
            let mut calls_of: Vec<Written> = Vec::new();
            for batch in received {
                for job in batch {
                    work_out(
                        rules,
                        known,
                        job,
                        as_of,
                        now,
                        today,
                        &mut pending,
                        &mut calls_of,
                    )?;
                }
            }
            Ok::<_, Error>((pending, calls_of))
        });
        let read = read_jobs(
            conn,
            known,
            &mut known_holdings,
            today,
            total,
            progress,
            &jobs,
        );
        drop(jobs);
        // The worker's own error first: the reader's is then only that it stopped.
        let worked = worker
            .join()
            .map_err(|_| Error::internal("the standings worker stopped"))??;
        read?;
        Ok(worked)
    })?;
    progress(total, total);
    write(w, rules, pending, calls_of)
}

/// One client's inputs, read, for the worker.
struct Job {
    seq: i64,
    id: String,
    client_no: String,
    name: String,
    rm: Option<String>,
    registered_on: NaiveDate,
    inputs: ClientInputs,
}

/// Clients handed to the worker at a time.
const JOB_BATCH: usize = 1024;

/// Reads every client with months (their months, record and holdings) in client order and
/// hands them to the worker in batches.
fn read_jobs(
    conn: &Connection,
    facts: &BranchFacts,
    known_holdings: &mut Option<HashMap<i64, Vec<StoredHolding>>>,
    today: NaiveDate,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    jobs: &std::sync::mpsc::SyncSender<Vec<Job>>,
) -> Result<()> {
    let mut months_of = conn
        .prepare("SELECT client_seq, month, avg_aum FROM client_aum ORDER BY client_seq, month")?;
    // The clients in the same order as their months, read in one pass (a point query per
    // client costs twice as much at a million).
    let mut clients_in_order = conn.prepare(
        "SELECT seq, id, client_no, name, assigned_rm, birth_date, consent_marketing, created_at
         FROM client WHERE deleted = 0 ORDER BY seq",
    )?;
    let mut clients = clients_in_order.query([])?;
    type ClientRow = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
    );
    // The first client at or past `wanted` (one past it is kept for a later seq).
    let mut next_client = |wanted: i64| -> Result<Option<ClientRow>> {
        while let Some(r) = clients.next()? {
            let seq: i64 = r.get(0)?;
            if seq >= wanted {
                return Ok(Some((
                    seq,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                )));
            }
        }
        Ok(None)
    };
    let mut ahead: Option<ClientRow> = None;
    let mut holdings_of = conn.prepare(HOLDINGS_OF_CLIENT)?;
    let mut rows = months_of.query([])?;
    let mut current: Option<(i64, Vec<MonthAum>)> = None;
    let mut done = 0u64;
    let mut batch: Vec<Job> = Vec::with_capacity(JOB_BATCH);
    let send = |batch: Vec<Job>| {
        jobs.send(batch)
            .map_err(|_| Error::internal("the standings worker stopped"))
    };
    loop {
        let row = rows.next()?;
        let next = match row {
            Some(r) => {
                let seq: i64 = r.get(0)?;
                let month = r
                    .get_ref(1)?
                    .as_str()
                    .ok()
                    .and_then(Month::parse)
                    .ok_or(Error::DatabaseDamaged)?;
                let avg_aum: i64 = r.get(2)?;
                Some((seq, MonthAum { month, avg_aum }))
            }
            None => None,
        };
        let same = matches!((&current, &next), (Some((a, _)), Some((b, _))) if a == b);
        if same {
            if let (Some((_, months)), Some((_, m))) = (&mut current, next) {
                months.push(m);
            }
            continue;
        }
        if let Some((seq, months)) = current.take() {
            // The client row for `seq`: the one read ahead, or the next in order.
            if ahead.as_ref().is_none_or(|c| c.0 < seq) {
                ahead = next_client(seq)?;
            }
            let client = match &ahead {
                Some(c) if c.0 == seq => ahead.take(),
                _ => None,
            };
            // A client deleted since keeps their months but has no standing.
            if let Some((_, id, client_no, name, rm, birth, consent, created)) = client {
                let given = known_holdings
                    .as_mut()
                    .map(|h| h.remove(&seq).unwrap_or_default());
                let holdings = match given {
                    Some(holdings) => holdings,
                    None => holdings_of
                        .query_map([seq], stored_holding)?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                };
                let inputs = ClientInputs {
                    holdings,
                    months,
                    birth_date: birth.and_then(|d| d.parse().ok()),
                    consent_marketing: consent != 0,
                    events: facts.events.get(&id).cloned().unwrap_or_default(),
                    assessment: facts.assessments.get(&id).copied(),
                    declined: facts.declined.get(&id).cloned().unwrap_or_default(),
                };
                let registered_on: NaiveDate = created
                    .get(..10)
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(today);
                batch.push(Job {
                    seq,
                    id,
                    client_no,
                    name,
                    rm,
                    registered_on,
                    inputs,
                });
                if batch.len() == JOB_BATCH {
                    send(std::mem::replace(&mut batch, Vec::with_capacity(JOB_BATCH)))?;
                }
            }
            done += 1;
            if done.is_multiple_of(10_000) {
                progress(done, total);
            }
        }
        match next {
            Some((seq, m)) => current = Some((seq, vec![m])),
            None => break,
        }
    }
    if !batch.is_empty() {
        send(batch)?;
    }
    Ok(())
}

/// One client's standing and calls (on the worker).
#[allow(clippy::too_many_arguments)]
fn work_out(
    rules: &PortfolioRules,
    known: &BranchFacts,
    job: Job,
    as_of: NaiveDate,
    now: Month,
    today: NaiveDate,
    pending: &mut Vec<Pending>,
    calls_of: &mut Vec<Written>,
) -> Result<()> {
    let seq = job.seq;
    let inputs = &job.inputs;
    let mut one = standing_of(
        rules,
        known,
        seq,
        &job.id,
        inputs,
        job.registered_on,
        now,
        today,
    );
    one.rm = job.rm.clone();
    let holdings: Vec<CallHolding> = inputs
        .holdings
        .iter()
        .map(|h| {
            let product = rules.products.iter().find(|p| p.code == h.product);
            CallHolding {
                product: &h.product,
                name_zh: product.map_or("", |p| p.name_zh.as_str()),
                name_en: product.map_or("", |p| p.name_en.as_str()),
                category: product.map_or("", |p| p.category.as_str()),
                balance: h.balance,
                matures_on: h.matures_on,
            }
        })
        .collect();
    for call in calls(
        &rules.tiers,
        &one.changes,
        one.fall.as_ref(),
        &holdings,
        Month::of(as_of),
        as_of,
    ) {
        let reason = serde_json::to_string(&call.reason).map_err(Error::internal)?;
        let matures_on = match call.reason {
            crate::domain::care::Reason::Maturity { matures_on, .. } => Some(matures_on),
            _ => None,
        };
        calls_of.push(Written {
            reference: format!("{}-{}", job.client_no, call.key),
            seq,
            rm: job.rm.clone().unwrap_or_default(),
            name: job.name.clone(),
            on: call.on,
            reason,
            matures_on,
        });
    }
    pending.push(one);
    Ok(())
}

/// Facts kept per client ID, read once for the whole branch.
struct BranchFacts {
    events: HashMap<String, Vec<(String, NaiveDate)>>,
    assessments: HashMap<String, Assessment>,
    declined: HashMap<String, Vec<(String, NaiveDate)>>,
    /// Contacts in the last 12 months, and the day of the last one.
    contacts: HashMap<String, (u32, NaiveDate)>,
    /// The latest survey's NPS score and CSAT rating.
    surveys: HashMap<String, (Option<u8>, Option<u8>)>,
    complaints: HashMap<String, u32>,
    categories_offered: u32,
}

impl BranchFacts {
    fn read(conn: &Connection, rules: &PortfolioRules, today: NaiveDate) -> Result<BranchFacts> {
        let day = |text: String| text.get(..10).and_then(|d| d.parse::<NaiveDate>().ok());
        let year_ago = (today - Duration::days(365)).to_string();
        let mut events: HashMap<String, Vec<(String, NaiveDate)>> = HashMap::new();
        for row in conn
            .prepare("SELECT client_id, kind, on_date FROM client_event WHERE deleted = 0")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        {
            let (id, kind, on): (String, String, String) = row?;
            if let Some(on) = day(on) {
                events.entry(id).or_default().push((kind, on));
            }
        }
        let mut assessments: HashMap<String, Assessment> = HashMap::new();
        for row in conn
            .prepare(
                "SELECT client_id, level, assessed_on FROM assessment
                 ORDER BY assessed_on, created_at",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        {
            let (id, level, on): (String, i64, String) = row?;
            if let (Ok(level), Some(on)) = (u8::try_from(level), day(on)) {
                assessments.insert(id, Assessment { level, on });
            }
        }
        let mut declined: HashMap<String, Vec<(String, NaiveDate)>> = HashMap::new();
        for row in conn
            .prepare(
                "SELECT client_id, product, recorded_on FROM offer_outcome
                 WHERE outcome = 'declined'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        {
            let (id, product, on): (String, String, String) = row?;
            if let Some(on) = day(on) {
                declined.entry(id).or_default().push((product, on));
            }
        }
        let mut contacts: HashMap<String, (u32, NaiveDate)> = HashMap::new();
        for row in conn
            .prepare(
                "SELECT client_id, sum(at >= ?1), max(at) FROM interaction GROUP BY client_id",
            )?
            .query_map([&year_ago], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        {
            let (id, recent, last): (String, i64, String) = row?;
            if let Some(last) = day(last) {
                contacts.insert(id, (u32::try_from(recent).unwrap_or(0), last));
            }
        }
        let mut templates: HashMap<(String, i64), Option<crate::domain::survey::Template>> =
            HashMap::new();
        let mut surveys: HashMap<String, (Option<u8>, Option<u8>)> = HashMap::new();
        let mut responses = conn.prepare(
            "SELECT r.client_id, r.template_code, r.template_version, r.answers, t.body
             FROM survey_response r
             JOIN survey_template t ON t.code = r.template_code AND t.version = r.template_version
             WHERE r.client_id IS NOT NULL
               AND r.id NOT IN (SELECT supersedes FROM survey_response
                                WHERE supersedes IS NOT NULL)
             ORDER BY r.answered_on, r.created_at",
        )?;
        let mut rows = responses.query([])?;
        while let Some(r) = rows.next()? {
            let (id, code, version): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let template = templates
                .entry((code, version))
                .or_insert_with(|| {
                    r.get::<_, String>(4)
                        .ok()
                        .and_then(|body| serde_json::from_str(&body).ok())
                })
                .as_ref();
            let answers: Option<crate::domain::survey::Answers> =
                serde_json::from_str(&r.get::<_, String>(3)?).ok();
            if let (Some(template), Some(answers)) = (template, answers) {
                // Each score from the latest response that asks it (a risk questionnaire
                // asks neither).
                let (nps, csat) = crate::domain::survey::latest_scores(template, &answers);
                let kept = surveys.entry(id).or_insert((None, None));
                kept.0 = nps.or(kept.0);
                kept.1 = csat.or(kept.1);
            }
        }
        drop(rows);
        drop(responses);
        let mut complaints: HashMap<String, u32> = HashMap::new();
        for row in conn
            .prepare(
                "SELECT client_id, count(*) FROM complaint
                 WHERE client_id IS NOT NULL AND received_on >= ?1 GROUP BY client_id",
            )?
            .query_map([&year_ago], |r| Ok((r.get(0)?, r.get(1)?)))?
        {
            let (id, count): (String, i64) = row?;
            complaints.insert(id, u32::try_from(count).unwrap_or(0));
        }
        let categories: BTreeSet<&str> = rules
            .catalogue
            .iter()
            .map(|p| p.category.as_str())
            .collect();
        Ok(BranchFacts {
            events,
            assessments,
            declined,
            contacts,
            surveys,
            complaints,
            categories_offered: categories.len() as u32,
        })
    }
}

/// One client's standing before ranks.
#[allow(clippy::too_many_arguments)]
fn standing_of(
    rules: &PortfolioRules,
    known: &BranchFacts,
    seq: i64,
    id: &str,
    inputs: &ClientInputs,
    registered_on: NaiveDate,
    now: Month,
    today: NaiveDate,
) -> Pending {
    let months = in_yuan(&inputs.months);
    let (tier, since, changes) = match current_tier(&rules.tiers, &months, now) {
        Some((tier, since, changes)) => (tier.code.clone(), since, changes),
        None => (String::new(), None, Vec::new()),
    };
    let moved = match changes.iter().find(|c| c.effective == now) {
        Some(change) => {
            let rank = |code: &str| rules.tiers.index_of(code);
            match change.from.as_deref().and_then(rank) {
                Some(from) if rank(&change.to).is_some_and(|to| to > from) => "up",
                Some(_) => "down",
                None => "",
            }
        }
        None => "",
    };
    let fall = falling(&rules.tiers, &inputs.months);
    let (_, found) = client_offers(rules, inputs, now, today);
    let categories: BTreeSet<&str> = inputs
        .holdings
        .iter()
        .filter_map(|h| rules.catalogue.iter().find(|p| p.code == h.product))
        .map(|p| p.category.as_str())
        .collect();
    let (contacts, last_contact) = match known.contacts.get(id) {
        Some((count, last)) => (*count, Some(*last)),
        None => (0, None),
    };
    let (latest_nps, latest_csat) = known.surveys.get(id).copied().unwrap_or((None, None));
    Pending {
        seq,
        tier,
        since,
        moved,
        aum: inputs.months.last().map_or(0, |m| m.avg_aum),
        fall,
        changes: changes.into_iter().map(TierChange::in_fen).collect(),
        best: found.into_iter().next(),
        // The maturities the calls are about (deposits and wealth products, not loans).
        next_maturity: inputs
            .holdings
            .iter()
            .filter(|h| {
                rules
                    .catalogue
                    .iter()
                    .find(|p| p.code == h.product)
                    .is_some_and(|p| rules.tiers.maturity.categories.contains(&p.category))
            })
            .filter_map(|h| h.matures_on)
            .filter(|on| *on >= today)
            .min(),
        assessed_until: inputs.assessment.map(|a| {
            rules
                .suitability
                .expires_on(a.on)
                .pred_opt()
                .unwrap_or(a.on)
        }),
        facts: ValueFacts {
            aum_percentile: 0,
            categories_held: categories.len() as u32,
            categories_offered: known.categories_offered,
            // A client of the bank since their first account, or since registering here.
            tenure_years: today
                .years_since(
                    inputs
                        .holdings
                        .iter()
                        .map(|h| h.opened_on)
                        .min()
                        .map_or(registered_on, |first| first.min(registered_on)),
                )
                .unwrap_or(0),
            contacts_12_months: contacts,
            latest_nps,
            latest_csat,
            complaints_12_months: known.complaints.get(id).copied().unwrap_or(0),
        },
        days_since_contact: last_contact.map(|last| (today - last).num_days()),
        rm: None,
    }
}

/// Writes the standings with their ranks, the tier history and the calls.
fn write(
    w: &mut Writer,
    rules: &PortfolioRules,
    pending: Vec<Pending>,
    calls: Vec<Written>,
) -> Result<Rebuilt> {
    let sorted = |key: &dyn Fn(&Pending) -> i64| {
        let mut values: Vec<i64> = pending.iter().map(key).collect();
        values.sort_unstable();
        values
    };
    // Never contacted ranks below any contact.
    let recency = |p: &Pending| -p.days_since_contact.unwrap_or(100_000);
    let frequency = |p: &Pending| i64::from(p.facts.contacts_12_months);
    let monetary = |p: &Pending| p.aum;
    let (by_recency, by_frequency, by_aum) =
        (sorted(&recency), sorted(&frequency), sorted(&monetary));
    // The RMs' index is built again after, in one sorted pass.
    w.maintain_schema("DROP INDEX IF EXISTS client_standing_by_rm;")?;
    for sql in [
        "DELETE FROM client_standing",
        "DELETE FROM portfolio_call",
        "DELETE FROM care_key WHERE kind = 8",
    ] {
        w.maintain_index(sql, [])?;
    }
    let rebuilt = Rebuilt {
        clients: pending.len() as u64,
        calls: calls.len() as u64,
    };
    // One statement held for a million rows (the statement cache would hash its text for
    // each).
    let mut insert = w.connection().prepare(
        "INSERT INTO client_standing (client_seq, tier, tier_since, moved, aum,
             fall_percent, value, value_parts, recency, frequency, monetary, best_rule,
             best_product, best_priority, next_maturity, assessed_until, rm)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for p in pending {
        let facts = ValueFacts {
            aum_percentile: percentile(&by_aum, p.aum),
            ..p.facts
        };
        let value = rules.value.score(&facts);
        let parts = value.points_text();
        insert.execute(params![
            p.seq,
            p.tier,
            p.since.map(|m| m.to_string()),
            p.moved,
            p.aum,
            p.fall.map(|f| f.percent),
            value.score,
            parts,
            quintile(&by_recency, recency(&p)),
            quintile(&by_frequency, frequency(&p)),
            quintile(&by_aum, monetary(&p)),
            p.best.as_ref().map(|o| o.rule.clone()),
            p.best.as_ref().map(|o| o.product.clone()),
            p.best.as_ref().map(|o| o.priority),
            p.next_maturity.map(|d| d.to_string()),
            p.assessed_until.map(|d| d.to_string()),
            p.rm,
        ])?;
    }
    drop(insert);
    // As migration 12 made it.
    w.maintain_schema(
        "CREATE INDEX client_standing_by_rm ON client_standing (rm, tier, aum, moved,
             fall_percent, assessed_until, next_maturity, best_priority);",
    )?;
    for Written {
        reference,
        seq,
        rm,
        name,
        on,
        reason,
        matures_on,
    } in calls
    {
        w.maintain_index(
            "INSERT OR REPLACE INTO portfolio_call (ref, client_seq, reason, matures_on)
             VALUES (?1, ?2, ?3, ?4)",
            params![reference, seq, reason, matures_on.map(|d| d.to_string())],
        )?;
        w.maintain_index(
            crate::store::care::INSERT_KEY,
            params![
                KeyKind::PortfolioCall as i64,
                date_key(on),
                0,
                seq,
                reference,
                rm,
                name
            ],
        )?;
    }
    Ok(rebuilt)
}

/// Keeps a standing's RM (and its credit warnings') that of the client's card (a client given to another RM moves to
/// their book at once, not at the next snapshot).
pub(crate) fn follow_rm(w: &mut Writer, seq: i64, rm: Option<&str>) -> Result<()> {
    w.maintain_index(
        "UPDATE client_standing SET rm = ?2 WHERE client_seq = ?1 AND rm IS NOT ?2",
        params![seq, rm],
    )?;
    // And so do the client's credit warnings.
    w.maintain_index(
        "UPDATE credit_warning SET rm = ?2 WHERE client_seq = ?1 AND rm <> ?2",
        params![seq, rm.unwrap_or_default()],
    )
}
