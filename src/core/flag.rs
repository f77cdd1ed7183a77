//! A self-clearing wake flag with a coalescing counter.
//!
//! Producers call [`Flag::set`] from any context (hard interrupt, another thread, the
//! other core, a POSIX signal handler): it is a short compare-and-swap loop on one word,
//! never blocks and never allocates. One consumer calls [`Flag::take`], which returns
//! how many `set()` calls were coalesced since the previous take and the timestamp of
//! the first of them.

use super::atomic::{AtomicU32, AtomicUsize, Ordering};

/// What one consumer wake-up collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    /// Number of `set()` calls coalesced into this wake (saturates at `u32::MAX`).
    pub count: u32,
    /// The timestamp given to the `set()` that opened this round. Exact with one
    /// producer; when producers race at the opening instant it is the time of one of
    /// the racing calls, never of a call before the previous take.
    pub first_at: usize,
}

/// The flag. `const`-constructible and `Sync`; zero means "not set".
pub struct Flag {
    /// `set()` calls since the last take; zero means clear.
    pending: AtomicU32,
    /// Timestamp given to the `set()` that moved `pending` off zero.
    first_at: AtomicUsize,
}

impl Flag {
    pub const fn new() -> Self {
        Flag {
            pending: AtomicU32::new(0),
            first_at: AtomicUsize::new(0),
        }
    }

    /// Marks the flag set, stamping it with `now` if it was clear.
    ///
    /// Returns `true` when this call opened a new round (the flag was clear), which is
    /// when the consumer needs waking; later calls only add to the count.
    pub fn set(&self, now: usize) -> bool {
        let mut seen = self.pending.load(Ordering::Acquire);
        loop {
            if seen == 0 {
                // Written before the count is published (Release below), so a consumer
                // that sees the count also sees the stamp.
                self.first_at.store(now, Ordering::Relaxed);
            }
            match self.pending.compare_exchange_weak(
                seen,
                seen.saturating_add(1),
                Ordering::Release,
                Ordering::Acquire,
            ) {
                Ok(_) => return seen == 0,
                Err(actual) => seen = actual,
            }
        }
    }

    /// Takes everything set so far, leaving the flag clear. `None` when it was clear.
    pub fn take(&self) -> Option<Wake> {
        let mut seen = self.pending.load(Ordering::Acquire);
        loop {
            if seen == 0 {
                return None;
            }
            // Read the stamp while `pending == seen`; the exchange below only succeeds if
            // no producer ran in between, so stamp and count describe the same round.
            let first_at = self.first_at.load(Ordering::Relaxed);
            match self
                .pending
                .compare_exchange_weak(seen, 0, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    return Some(Wake {
                        count: seen,
                        first_at,
                    })
                }
                Err(actual) => seen = actual,
            }
        }
    }

    /// Clears the flag, discarding pending `set()` calls. Returns how many were discarded.
    pub fn clear(&self) -> u32 {
        self.pending.swap(0, Ordering::AcqRel)
    }

    pub fn is_set(&self) -> bool {
        self.pending.load(Ordering::Acquire) != 0
    }
}

impl Default for Flag {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
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
            Some(Wake {
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
            Some(Wake {
                count: 1,
                first_at: 7
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
        f.pending.store(u32::MAX - 1, Ordering::Relaxed);
        f.set(0);
        f.set(0);
        assert!(f.is_set());
        assert_eq!(f.take().map(|w| w.count), Some(u32::MAX));
    }

    #[test]
    fn concurrent_producers_lose_no_set_calls() {
        const PRODUCERS: u32 = 4;
        const PER_PRODUCER: u32 = 50_000;
        let f = Arc::new(Flag::new());
        let handles: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let f = f.clone();
                std::thread::spawn(move || {
                    let mut wakes = 0u32;
                    for i in 0..PER_PRODUCER {
                        wakes += f.set((p * PER_PRODUCER + i) as usize) as u32;
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
