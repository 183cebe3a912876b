//! Failed-login policy: a growing delay between attempts, then a 15-minute lock after five
//! failures. Pure: the caller supplies "now" and keeps the record.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// What is known about one staff ID's recent failed logins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRecord {
    pub failures: u32,
    pub last_failure: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Whether an attempt may go ahead now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Too soon after the last failure: wait this long, then try.
    Wait(Duration),
    /// Locked until this moment.
    Locked(DateTime<Utc>),
}

/// Pause enforced after the n-th consecutive failure: 1, 2, 4, 8 seconds.
pub fn delay_after(failures: u32) -> Duration {
    match failures {
        0 => Duration::zero(),
        n => Duration::seconds(1 << (n - 1).min(3)),
    }
}

impl LoginRecord {
    pub fn gate(&self, now: DateTime<Utc>) -> Gate {
        if let Some(until) = self.locked_until
            && now < until
        {
            return Gate::Locked(until);
        }
        if self.locked_until.is_some() {
            // The lock has run out: a fresh start.
            return Gate::Open;
        }
        match self.last_failure {
            Some(last) => {
                let ready = last + delay_after(self.failures);
                if now < ready {
                    Gate::Wait(ready - now)
                } else {
                    Gate::Open
                }
            }
            None => Gate::Open,
        }
    }

    /// The record after one more failure at `now`.
    pub fn after_failure(&self, now: DateTime<Utc>) -> LoginRecord {
        let previous = if self.locked_until.is_some_and(|until| now >= until) {
            0
        } else {
            self.failures
        };
        let failures = previous + 1;
        LoginRecord {
            failures,
            last_failure: Some(now),
            locked_until: (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES)),
        }
    }

    /// Whether this record is worth keeping: locks and recent failures are; stale ones are not.
    pub fn is_relevant(&self, now: DateTime<Utc>) -> bool {
        match (self.locked_until, self.last_failure) {
            (Some(until), _) => now < until,
            (None, Some(last)) => now - last < Duration::hours(24),
            (None, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
    }

    #[test]
    fn delay_grows_and_caps() {
        let secs: Vec<i64> = (0..7).map(|n| delay_after(n).num_seconds()).collect();
        assert_eq!(secs, [0, 1, 2, 4, 8, 8, 8]);
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let mut record = LoginRecord::default();
        let mut now = t0();
        for n in 1..MAX_FAILURES {
            assert_eq!(record.gate(now), Gate::Open, "attempt {n}");
            record = record.after_failure(now);
            assert_eq!(record.gate(now), Gate::Wait(delay_after(n)));
            now += delay_after(n);
        }
        record = record.after_failure(now);
        let until = now + Duration::minutes(15);
        assert_eq!(record.gate(now), Gate::Locked(until));
        assert_eq!(
            record.gate(until - Duration::seconds(1)),
            Gate::Locked(until)
        );
        assert_eq!(record.gate(until), Gate::Open);
        // After the lock runs out, one more failure starts counting from one again.
        let again = record.after_failure(until);
        assert_eq!(again.failures, 1);
        assert_eq!(again.locked_until, None);
    }

    #[test]
    fn stale_records_are_forgotten() {
        let record = LoginRecord::default().after_failure(t0());
        assert!(record.is_relevant(t0() + Duration::hours(23)));
        assert!(!record.is_relevant(t0() + Duration::hours(25)));
    }
}
