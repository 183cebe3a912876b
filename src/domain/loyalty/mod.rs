//! Loyalty points (积分): the ledger's rules. Every credit (an earn, or a manager's positive
//! adjustment) is a bucket with the day its points lapse; a debit (a redemption, a negative
//! adjustment) takes the soonest-lapsing points first and the never-lapsing ones last,
//! oldest first, and says which buckets it took from, so that reversing it puts exactly
//! those points back with their own lapse days; an expiry run takes what lapsed. The
//! balance is the sum of the buckets and is never negative.

mod rules;
pub use rules::*;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A number of points.
pub type Points = i64;

/// A client's points as the record shows them: the balance, and what of it lapses by a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsLine {
    pub balance: Points,
    pub lapsing: Points,
    pub lapsing_until: NaiveDate,
}

/// When the points of a credit lapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lapse {
    /// After 31 December of the `years`-th year after the year they were earned (5: points
    /// earned in 2026 lapse after 2031-12-31).
    YearEnd {
        years: u32,
    },
    Never,
}

impl Lapse {
    /// The last day points earned on `earned_on` can be used (none: never lapse).
    pub fn last_day(self, earned_on: NaiveDate) -> Option<NaiveDate> {
        match self {
            Lapse::YearEnd { years } => {
                let year = earned_on.year().checked_add(i32::try_from(years).ok()?)?;
                NaiveDate::from_ymd_opt(year, 12, 31)
            }
            Lapse::Never => None,
        }
    }
}

/// What is left of one credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// The ledger entry that credited it.
    pub entry: String,
    pub earned_on: NaiveDate,
    /// The last day its points can be used (none: never lapse).
    pub last_day: Option<NaiveDate>,
    /// Points credited.
    pub credited: Points,
    /// Points still in it.
    pub left: Points,
}

impl Bucket {
    /// A credit's new bucket: all its points left.
    pub fn fresh(
        entry: &str,
        earned_on: NaiveDate,
        last_day: Option<NaiveDate>,
        points: Points,
    ) -> Bucket {
        Bucket {
            entry: entry.to_string(),
            earned_on,
            last_day,
            credited: points,
            left: points,
        }
    }

    /// Whether its points can still be used on `on`.
    pub fn live_on(&self, on: NaiveDate) -> bool {
        self.last_day.is_none_or(|last| on <= last)
    }
}

/// Points a debit took from one bucket (what its reversal puts back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// The entry that credited the bucket.
    pub bucket: String,
    pub points: Points,
}

/// Why the ledger refuses an entry (`loyalty.refused.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "refused", rename_all = "snake_case")]
pub enum Refusal {
    /// Points must be a positive whole number.
    NotPositive,
    /// More than the client's usable balance.
    Insufficient { usable: Points, asked: Points },
    /// An earn some of whose points were already spent: reverse those redemptions first.
    PartlySpent { spent: Points },
    /// The entry to reverse is not one this ledger holds, or was reversed already.
    NothingToReverse,
    /// No earn rule has this code.
    UnknownRule { code: String },
    /// The catalogue has no such item.
    UnknownItem { code: String },
    /// The rule's cap for the period is reached.
    CapReached { times: u32, per: Period },
    /// The branch has none of this gift left.
    OutOfStock { code: String },
    /// A manager's correction needs a reason.
    ReasonMissing,
    /// Only a redemption has a receipt slip.
    NotARedemption,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotPositive => "not_positive",
            Refusal::Insufficient { .. } => "insufficient",
            Refusal::PartlySpent { .. } => "partly_spent",
            Refusal::NothingToReverse => "nothing_to_reverse",
            Refusal::UnknownRule { .. } => "unknown_rule",
            Refusal::UnknownItem { .. } => "unknown_item",
            Refusal::CapReached { .. } => "cap_reached",
            Refusal::OutOfStock { .. } => "out_of_stock",
            Refusal::ReasonMissing => "reason_missing",
            Refusal::NotARedemption => "not_a_redemption",
        }
    }
}

/// The order a debit takes points in: the soonest-lapsing first, never-lapsing ones last;
/// among equals, the oldest first.
fn draw_order(a: &Bucket, b: &Bucket) -> Ordering {
    (a.last_day.is_none(), a.last_day, a.earned_on, &a.entry).cmp(&(
        b.last_day.is_none(),
        b.last_day,
        b.earned_on,
        &b.entry,
    ))
}

/// One client's buckets: the running state the balance and what lapses soon are read from
/// (never summed from the entries for a view).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buckets {
    buckets: Vec<Bucket>,
}

impl Buckets {
    pub fn from_buckets(buckets: Vec<Bucket>) -> Buckets {
        Buckets { buckets }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.iter()
    }

    /// Every point held, lapsed or not (until an expiry run takes the lapsed ones).
    pub fn balance(&self) -> Points {
        self.buckets.iter().map(|b| b.left).sum()
    }

    /// The points that can be used on `on`.
    pub fn usable(&self, on: NaiveDate) -> Points {
        self.buckets
            .iter()
            .filter(|b| b.live_on(on))
            .map(|b| b.left)
            .sum()
    }

    /// The points that lapse from `on` to `until` (both included): still usable on `on`,
    /// their last day no later than `until`.
    pub fn lapsing(&self, on: NaiveDate, until: NaiveDate) -> Points {
        self.buckets
            .iter()
            .filter(|b| b.live_on(on) && b.last_day.is_some_and(|last| last <= until))
            .map(|b| b.left)
            .sum()
    }

    /// Credits `points` as a new bucket (an earn, or a positive adjustment).
    pub fn credit(
        &mut self,
        entry: &str,
        earned_on: NaiveDate,
        last_day: Option<NaiveDate>,
        points: Points,
    ) -> Result<(), Refusal> {
        if points <= 0 {
            return Err(Refusal::NotPositive);
        }
        self.buckets
            .push(Bucket::fresh(entry, earned_on, last_day, points));
        Ok(())
    }

    /// Takes `points` on `on` from the usable buckets in draw order (a redemption, a
    /// negative adjustment), and says from which.
    pub fn debit(&mut self, points: Points, on: NaiveDate) -> Result<Vec<Taken>, Refusal> {
        if points <= 0 {
            return Err(Refusal::NotPositive);
        }
        let usable = self.usable(on);
        if points > usable {
            return Err(Refusal::Insufficient {
                usable,
                asked: points,
            });
        }
        let mut order: Vec<usize> = (0..self.buckets.len())
            .filter(|i| self.buckets[*i].live_on(on) && self.buckets[*i].left > 0)
            .collect();
        order.sort_by(|a, b| draw_order(&self.buckets[*a], &self.buckets[*b]));
        let mut wanted = points;
        let mut taken = Vec::new();
        for i in order {
            if wanted == 0 {
                break;
            }
            let bucket = &mut self.buckets[i];
            let take = bucket.left.min(wanted);
            bucket.left -= take;
            wanted -= take;
            taken.push(Taken {
                bucket: bucket.entry.clone(),
                points: take,
            });
        }
        Ok(taken)
    }

    /// Puts back what a debit took (its reversal): each bucket gets its points again, with
    /// its own lapse day (lapsed since, the next expiry run takes them).
    pub fn restore(&mut self, taken: &[Taken]) -> Result<(), Refusal> {
        for t in taken {
            let bucket = self
                .buckets
                .iter()
                .find(|b| b.entry == t.bucket)
                .ok_or(Refusal::NothingToReverse)?;
            if t.points <= 0 || bucket.left + t.points > bucket.credited {
                return Err(Refusal::NothingToReverse);
            }
        }
        for t in taken {
            if let Some(bucket) = self.buckets.iter_mut().find(|b| b.entry == t.bucket) {
                bucket.left += t.points;
            }
        }
        Ok(())
    }

    /// Takes back a credit entirely (its reversal), if none of it was spent or lapsed: the
    /// bucket is gone.
    pub fn withdraw(&mut self, entry: &str) -> Result<Points, Refusal> {
        let index = self
            .buckets
            .iter()
            .position(|b| b.entry == entry)
            .ok_or(Refusal::NothingToReverse)?;
        let bucket = &self.buckets[index];
        if bucket.left < bucket.credited {
            return Err(Refusal::PartlySpent {
                spent: bucket.credited - bucket.left,
            });
        }
        Ok(self.buckets.remove(index).left)
    }

    /// What an expiry run on `on` takes: every point whose last day is before `on`. Run
    /// twice, the second takes nothing.
    pub fn expire(&mut self, on: NaiveDate) -> Vec<Taken> {
        let mut taken = Vec::new();
        for bucket in &mut self.buckets {
            if !bucket.live_on(on) && bucket.left > 0 {
                taken.push(Taken {
                    bucket: bucket.entry.clone(),
                    points: bucket.left,
                });
                bucket.left = 0;
            }
        }
        taken
    }
}

/// An entry as it was written, for rebuilding buckets from a ledger whose decisions were
/// made elsewhere: HQ's consolidation of every branch's entries, a branch's view after HQ's
/// snapshot. Nothing is decided again: a credit makes a bucket, a debit takes what it says
/// it took, a reversal of a debit puts that back and a reversal of a credit takes its
/// points out again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub id: String,
    /// Signed as written.
    pub points: Points,
    pub on: NaiveDate,
    pub last_day: Option<NaiveDate>,
    /// The entry a reversal reverses.
    pub reverses: Option<String>,
    /// What a debit took, or what a debit's reversal puts back.
    pub taken: Vec<Taken>,
}

/// The buckets that `entries` leave, in any order they are given (every step is a sum).
/// A credit reversed whole is gone; one reversed after another branch spent from it while
/// offline stays, below zero, so that the balance is still the sum of the entries.
pub fn replay<'a>(entries: impl IntoIterator<Item = &'a Written>) -> Buckets {
    replay_onto(Vec::new(), entries)
}

/// The buckets that `entries` leave when `base` holds what the entries before them left
/// (HQ's buckets as of a snapshot, and a branch's own entries written since).
pub fn replay_onto<'a>(
    base: Vec<Bucket>,
    entries: impl IntoIterator<Item = &'a Written>,
) -> Buckets {
    use std::collections::BTreeMap;
    let base: Vec<(String, Bucket)> = base.into_iter().map(|b| (b.entry.clone(), b)).collect();
    let mut made: BTreeMap<&str, Bucket> = base
        .iter()
        .map(|(id, b)| (id.as_str(), b.clone()))
        .collect();
    let mut moved: BTreeMap<&str, Points> = BTreeMap::new();
    let mut withdrawn: std::collections::BTreeSet<&str> = Default::default();
    for entry in entries {
        match entry.reverses.as_deref() {
            // A credit's reversal: its points out of its bucket.
            Some(credit) if entry.points < 0 => {
                *moved.entry(credit).or_default() += entry.points;
                withdrawn.insert(credit);
            }
            // A debit's reversal: what it took, back.
            Some(_) => {
                for t in &entry.taken {
                    *moved.entry(t.bucket.as_str()).or_default() += t.points;
                }
            }
            None if entry.points > 0 => {
                made.insert(
                    entry.id.as_str(),
                    Bucket::fresh(&entry.id, entry.on, entry.last_day, entry.points),
                );
            }
            None => {
                for t in &entry.taken {
                    *moved.entry(t.bucket.as_str()).or_default() -= t.points;
                }
            }
        }
    }
    let buckets = made
        .into_iter()
        .filter_map(|(id, mut bucket)| {
            bucket.left += moved.get(id).copied().unwrap_or(0);
            (!withdrawn.contains(&id) || bucket.left != 0).then_some(bucket)
        })
        .collect();
    Buckets::from_buckets(buckets)
}

#[cfg(test)]
mod tests;
