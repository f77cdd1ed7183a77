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
use super::wake::{Request, Wake};

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
    /// The consumer's request for a wake-up: open whenever the flag is clear (the
    /// consumer re-opens it after each take and clear), answered by the first `set()`
    /// that finds it open. A burst of sets costs one wake-up.
    request: Request,
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
            request: Request::new(true),
        }
    }

    /// Marks the flag set; if it was clear, `now` becomes the round's timestamp. Then,
    /// if the consumer asked for a wake-up, raises `wake` (any `set()` of the round
    /// may: the duty is not the opener's alone, so an opener stopped before it raises
    /// delays nobody).
    ///
    /// Returns `true` when this call opened a new round (the flag was clear).
    pub fn set(&self, now: u32, wake: &impl Wake) -> bool {
        let opened = self.mark(now);
        self.request.answer(wake);
        opened
    }

    /// The state change of [`Flag::set`]: a compare-and-swap loop that retries only
    /// while another `set()` or a take changes the word (lock-free).
    fn mark(&self, now: u32) -> bool {
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

    /// Takes the round, leaving the flag clear. `None` when it was clear. (The
    /// consumer's wait goes through [`Flag::take_draining`].)
    fn take(&self) -> Option<Round> {
        let round = unpack(self.state.swap(0, Ordering::Acquire));
        (round.count != 0).then_some(round)
    }

    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) >> COUNT_SHIFT != 0
    }

    /// The consumer's take: drains `wake`, takes, then asks for a wake-up for the next
    /// round and re-checks. Never loses a wake-up: a `set()` after the drain either
    /// lands in this take, or finds the request open and raises, or lands before the
    /// request opens and the re-check raises `wake` instead. A stale raise costs one
    /// spurious wake, after which the consumer takes nothing and sleeps again.
    pub fn take_draining(&self, wake: &impl Wake) -> Option<Round> {
        wake.drain();
        let round = self.take();
        self.ask_for_the_next_round(wake);
        round
    }

    /// The consumer's clear: discards pending `set()` calls, returning how many, in the
    /// same order as [`Flag::take_draining`] and for the same reason. (Clearing first
    /// and draining after would swallow the raise of a `set()` in between, leaving the
    /// flag set and its waiter asleep.)
    pub fn clear_draining(&self, wake: &impl Wake) -> u32 {
        wake.drain();
        let discarded = unpack(self.state.swap(0, Ordering::Acquire)).count;
        self.ask_for_the_next_round(wake);
        discarded
    }

    fn ask_for_the_next_round(&self, wake: &impl Wake) {
        // Opens and fences (`core::wake`); a `set()` that looked before sees it next time.
        self.request.open();
        if self.is_set() {
            self.request.withdraw();
            wake.raise();
        }
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
    use std::sync::atomic::AtomicUsize as StdCount;
    use std::sync::Arc;
    use std::vec::Vec;

    struct Quiet;
    impl Wake for Quiet {
        fn raise(&self) {}
        fn drain(&self) {}
    }

    #[derive(Default)]
    struct Raises(StdCount);
    impl Wake for Raises {
        fn raise(&self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        fn drain(&self) {}
    }
    impl Raises {
        fn take(&self) -> usize {
            self.0.swap(0, Ordering::Relaxed)
        }
    }

    #[test]
    fn one_wake_per_round_whoever_gives_it() {
        let f = Flag::new();
        let wake = Raises::default();
        f.set(1, &wake);
        f.set(2, &wake);
        assert_eq!(wake.take(), 1, "a burst of sets: one wake-up");
        assert!(f.take_draining(&wake).is_some());
        assert_eq!(wake.take(), 0);
        // An opener stopped between its state change and its raise: the next set()
        // raises instead (the old flag left that to the opener alone).
        assert!(f.mark(3));
        f.set(4, &wake);
        assert_eq!(wake.take(), 1);
        assert_eq!(
            f.take_draining(&wake).map(|r| (r.count, r.first_at)),
            Some((2, 3))
        );
    }

    #[test]
    fn a_set_between_the_take_and_the_next_request_raises_anyway() {
        let f = Flag::new();
        let wake = Raises::default();
        f.set(1, &wake);
        wake.take();
        // take_draining: drain, take...
        assert!(f.take().is_some());
        f.mark(2); // ...a set() lands here, sees the old request closed...
        f.ask_for_the_next_round(&wake); // ...and the consumer's re-check raises.
        assert_eq!(wake.take(), 1);
    }

    #[test]
    fn starts_clear() {
        let f = Flag::new();
        assert!(!f.is_set());
        assert_eq!(f.take(), None);
    }

    #[test]
    fn first_set_opens_a_round_and_later_ones_coalesce() {
        let f = Flag::new();
        assert!(f.set(100, &Quiet));
        assert!(!f.set(200, &Quiet));
        assert!(!f.set(300, &Quiet));
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
        f.set(1, &Quiet);
        f.take();
        assert!(f.set(7, &Quiet));
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
        assert!(f.set(0, &Quiet));
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
        f.set(1, &Quiet);
        f.set(2, &Quiet);
        assert_eq!(f.clear_draining(&Quiet), 2);
        assert!(!f.is_set());
        assert_eq!(f.take(), None);
        assert!(f.set(3, &Quiet), "after clear the next set opens a round");
    }

    #[test]
    fn count_saturates_instead_of_wrapping_to_clear() {
        let f = Flag::new();
        f.state.store(
            u64::from(u32::MAX - 1) << COUNT_SHIFT | 5,
            Ordering::Relaxed,
        );
        f.set(0, &Quiet);
        f.set(0, &Quiet);
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
                        wakes += f.set(p * PER_PRODUCER + i, &Quiet) as u32;
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
