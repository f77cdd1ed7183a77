//! A self-clearing wake flag with a coalescing counter and a timestamp.
//!
//! Producers call [`Flag::set`] from any context (hard interrupt, another thread, the
//! other core, a POSIX signal handler): a short compare-and-swap loop on one word that
//! never blocks and never allocates. One consumer calls [`Flag::take`], which returns
//! how many `set()` calls were coalesced since the previous take and the timestamp of
//! the one that opened the round.
//!
//! Invariant: the state is one word, `count << 32 | stamp`. `count` is the number of
//! `set()` calls since the last take (0: clear); `stamp` is the time given to the call
//! that moved `count` off zero, written by the same compare-and-swap. So a take always
//! sees a stamp and a count of the same round: there is no moment at which one is
//! updated and the other not, and no interleaving (an earlier round's late `set()`, a
//! take between two producers' loads) can pair them wrongly.

use super::atomic::{AtomicU64, Ordering};
use super::wake::Wake;

/// What one consumer wake-up collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    /// Number of `set()` calls coalesced into this round (saturates at `u32::MAX`).
    pub count: u32,
    /// The time given to the `set()` call that opened the round.
    pub first_at: u32,
}

/// The flag. `Sync`; the state word 0 means clear.
pub struct Flag {
    state: AtomicU64,
}

const COUNT_SHIFT: u32 = 32;

fn unpack(state: u64) -> Round {
    Round {
        count: (state >> COUNT_SHIFT) as u32,
        first_at: state as u32,
    }
}

impl Flag {
    pub fn new() -> Self {
        Flag {
            state: AtomicU64::new(0),
        }
    }

    /// Marks the flag set; if it was clear, `now` becomes the round's timestamp.
    ///
    /// Returns `true` when this call opened a new round (the flag was clear), which is
    /// when the consumer needs waking; later calls only add to the count.
    pub fn set(&self, now: u32) -> bool {
        let mut seen = self.state.load(Ordering::Relaxed);
        loop {
            let round = unpack(seen);
            let next = if round.count == 0 {
                (1 << COUNT_SHIFT) | u64::from(now)
            } else {
                (u64::from(round.count.saturating_add(1)) << COUNT_SHIFT) | (seen & 0xffff_ffff)
            };
            // Release: what the producer wrote before set() is visible to the consumer
            // that takes this round.
            match self
                .state
                .compare_exchange(seen, next, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return round.count == 0,
                Err(actual) => seen = actual,
            }
        }
    }

    /// Takes the round, leaving the flag clear. `None` when it was clear.
    pub fn take(&self) -> Option<Round> {
        let round = unpack(self.state.swap(0, Ordering::Acquire));
        (round.count != 0).then_some(round)
    }

    /// Clears the flag, discarding pending `set()` calls. Returns how many it discarded.
    pub fn clear(&self) -> u32 {
        unpack(self.state.swap(0, Ordering::Acquire)).count
    }

    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) >> COUNT_SHIFT != 0
    }

    /// [`Flag::set`], then raises `wake` if this call opened a round. A burst of sets
    /// costs one wake-up.
    pub fn set_waking(&self, now: u32, wake: &impl Wake) {
        if self.set(now) {
            wake.raise();
        }
    }

    /// The consumer's take: drains `wake` first, then takes. Never loses a wake-up: a
    /// `set()` after the drain either lands in this take or (if it opens a round after
    /// it) raises the handle again; a stale raise costs one spurious wake, after which
    /// the consumer drains and sleeps again.
    pub fn take_draining(&self, wake: &impl Wake) -> Option<Round> {
        wake.drain();
        self.take()
    }

    /// The consumer's clear, in the same order as [`Flag::take_draining`] and for the
    /// same reason: clearing first and draining after would swallow the raise of a
    /// `set()` that ran in between, leaving the flag set and its waiter asleep.
    pub fn clear_draining(&self, wake: &impl Wake) -> u32 {
        wake.drain();
        self.clear()
    }
}

impl Default for Flag {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::vec::Vec;

    #[test]
    fn starts_clear() {
        let f = Flag::new();
        assert!(!f.is_set());
        assert_eq!(f.take(), None);
    }

    #[test]
    fn first_set_opens_a_round_and_later_ones_coalesce() {
        let f = Flag::new();
        assert!(f.set(100));
        assert!(!f.set(200));
        assert!(!f.set(300));
        assert!(f.is_set());
        assert_eq!(
            f.take(),
            Some(Round {
                count: 3,
                first_at: 100
            })
        );
        assert!(!f.is_set());
        assert_eq!(f.take(), None);
    }

    #[test]
    fn take_starts_a_new_round_with_a_new_stamp() {
        let f = Flag::new();
        f.set(1);
        f.take();
        assert!(f.set(7));
        assert_eq!(
            f.take(),
            Some(Round {
                count: 1,
                first_at: 7
            })
        );
    }

    #[test]
    fn a_stamp_of_zero_is_still_a_set_flag() {
        let f = Flag::new();
        assert!(f.set(0));
        assert!(f.is_set());
        assert_eq!(
            f.take(),
            Some(Round {
                count: 1,
                first_at: 0
            })
        );
    }

    #[test]
    fn clear_discards_and_reports_what_it_discarded() {
        let f = Flag::new();
        f.set(1);
        f.set(2);
        assert_eq!(f.clear(), 2);
        assert!(!f.is_set());
        assert_eq!(f.take(), None);
        assert!(f.set(3), "after clear the next set opens a round");
    }

    #[test]
    fn count_saturates_instead_of_wrapping_to_clear() {
        let f = Flag::new();
        f.state.store(
            u64::from(u32::MAX - 1) << COUNT_SHIFT | 5,
            Ordering::Relaxed,
        );
        f.set(0);
        f.set(0);
        assert!(f.is_set());
        assert_eq!(
            f.take(),
            Some(Round {
                count: u32::MAX,
                first_at: 5
            })
        );
    }

    #[test]
    fn concurrent_producers_lose_no_set_calls() {
        const PRODUCERS: u32 = 4;
        const PER_PRODUCER: u32 = if cfg!(miri) { 50 } else { 50_000 };
        let f = Arc::new(Flag::new());
        let handles: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let f = f.clone();
                std::thread::spawn(move || {
                    let mut wakes = 0u32;
                    for i in 0..PER_PRODUCER {
                        wakes += f.set(p * PER_PRODUCER + i) as u32;
                    }
                    wakes
                })
            })
            .collect();
        let mut taken = 0u64;
        let mut rounds = 0u32;
        while handles.iter().any(|h| !h.is_finished()) {
            if let Some(w) = f.take() {
                assert!(w.count >= 1);
                taken += u64::from(w.count);
                rounds += 1;
            }
        }
        let opened: u32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        if let Some(w) = f.take() {
            taken += u64::from(w.count);
            rounds += 1;
        }
        assert_eq!(taken, u64::from(PRODUCERS * PER_PRODUCER));
        assert_eq!(
            rounds, opened,
            "every round was opened by exactly one set()"
        );
    }
}
