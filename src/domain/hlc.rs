//! Hybrid logical clock timestamps for outbox rows. Branch wall clocks are sometimes wrong;
//! an HLC never goes backwards and still sorts close to real time.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch in the upper 48 bits, a counter in the lower 16.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    pub fn from_parts(wall_ms: u64, counter: u16) -> Self {
        Hlc((wall_ms << COUNTER_BITS) | u64::from(counter))
    }

    pub fn wall_ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// The timestamp for a local event, given the last one issued and the wall clock.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms() {
            Hlc::from_parts(now_ms, 0)
        } else {
            // Same millisecond or the clock went back: keep the old wall time, count up.
            // A full counter carries into the wall part, which still sorts correctly.
            Hlc(self.0 + 1)
        }
    }

    /// The timestamp after receiving `remote` (e.g. on an HQ import).
    pub fn observe(self, remote: Hlc, now_ms: u64) -> Hlc {
        let latest = self.max(remote);
        latest.tick(now_ms)
    }

    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    pub fn from_i64(value: i64) -> Hlc {
        Hlc(u64::try_from(value).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ticks_follow_the_wall_clock_and_never_go_back() {
        let a = Hlc::default().tick(1_000);
        assert_eq!((a.wall_ms(), a.counter()), (1_000, 0));
        let b = a.tick(1_000);
        assert_eq!((b.wall_ms(), b.counter()), (1_000, 1));
        let c = b.tick(900); // clock stepped back
        assert!(c > b);
        assert_eq!(c.wall_ms(), 1_000);
        let d = c.observe(Hlc::from_parts(5_000, 7), 1_200);
        assert_eq!((d.wall_ms(), d.counter()), (5_000, 8));
    }

    proptest! {
        #[test]
        fn tick_is_strictly_increasing(start in 0u64..1u64 << 40, nows in proptest::collection::vec(0u64..1u64 << 40, 1..50)) {
            let mut last = Hlc::from_parts(start, 0);
            for now in nows {
                let next = last.tick(now);
                prop_assert!(next > last);
                prop_assert!(next.wall_ms() >= now.min(next.wall_ms()));
                last = next;
            }
        }
    }
}
