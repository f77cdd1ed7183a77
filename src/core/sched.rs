//! Where a task woken with priority goes in asyncio's task queue.
//!
//! asyncio keeps runnable tasks in a heap ordered by a key in `time.ticks_ms()` units,
//! compared as `time.ticks_diff` does: modulo the ticks period (a power of two), so
//! that keys stay ordered across the counter's wrap as long as they are within half a
//! period of each other. A task woken by I/O gets the key "now" and runs after every
//! task already due; a priority wake gets a key just before both the queue's head and
//! now, so it runs next. Equal keys run first in, first out.

/// `a - b` modulo `period`, as a signed distance (`time.ticks_diff(a, b)`).
pub fn ticks_diff(a: usize, b: usize, period: usize) -> isize {
    let half = period / 2;
    (a.wrapping_sub(b).wrapping_add(half) & (period - 1)) as isize - half as isize
}

/// The key one tick before both `head` (the key of the task queue's first task, if
/// any) and `now`, modulo `period` (`time.ticks_add(min(head, now), -1)`).
///
/// `period` must be a power of two, `head` and `now` below it.
pub fn priority_key(head: Option<usize>, now: usize, period: usize) -> usize {
    let earliest = match head {
        Some(head) if ticks_diff(head, now, period) < 0 => head,
        _ => now,
    };
    earliest.wrapping_add(period - 1) & (period - 1)
}

/// `now + delta` modulo `period` (`time.ticks_add(now, delta)`): a deadline.
pub fn ticks_add(now: usize, delta: usize, period: usize) -> usize {
    now.wrapping_add(delta) & (period - 1)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PERIOD: usize = 1 << 30; // rp2's ticks period

    // Under Miri: few cases, and no failure file (Miri isolates the file system).
    fn config() -> ProptestConfig {
        let mut config = ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 1024 });
        if cfg!(miri) {
            config.failure_persistence = None;
        }
        config
    }

    #[test]
    fn goes_before_a_due_head_and_before_now() {
        assert_eq!(priority_key(Some(90), 100, PERIOD), 89);
        assert_eq!(
            priority_key(Some(150), 100, PERIOD),
            99,
            "head in the future"
        );
        assert_eq!(priority_key(None, 100, PERIOD), 99, "empty queue");
    }

    #[test]
    fn stays_ordered_across_the_ticks_wrap() {
        // Now just past the wrap, the head just before it: the head is earlier.
        assert_eq!(priority_key(Some(PERIOD - 2), 3, PERIOD), PERIOD - 3);
        // Now just before the wrap, the head just after it (in the future).
        assert_eq!(priority_key(Some(1), PERIOD - 1, PERIOD), PERIOD - 2);
        // Now at zero: one tick before is the period's last value.
        assert_eq!(priority_key(None, 0, PERIOD), PERIOD - 1);
    }

    #[test]
    fn a_deadline_across_the_wrap_is_still_ahead_until_it_passes() {
        let deadline = ticks_add(PERIOD - 5, 10, PERIOD);
        assert_eq!(deadline, 5);
        assert_eq!(ticks_diff(deadline, PERIOD - 5, PERIOD), 10);
        assert_eq!(ticks_diff(deadline, PERIOD - 1, PERIOD), 6);
        assert_eq!(ticks_diff(deadline, 5, PERIOD), 0);
        assert_eq!(ticks_diff(deadline, 7, PERIOD), -2);
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_deadline_is_its_delay_away_wherever_now_is(
            now in 0..PERIOD,
            delay in 0..PERIOD / 2,
            elapsed in 0..PERIOD / 2,
        ) {
            let deadline = ticks_add(now, delay, PERIOD);
            prop_assert_eq!(ticks_diff(deadline, now, PERIOD), delay as isize);
            let later = ticks_add(now, elapsed, PERIOD);
            prop_assert_eq!(ticks_diff(deadline, later, PERIOD), delay as isize - elapsed as isize);
        }

        #[test]
        fn the_key_sorts_before_head_and_now(
            now in 0..PERIOD,
            head_offset in -(1isize << 28)..(1 << 28),
            has_head in any::<bool>(),
        ) {
            let head = (now as isize + head_offset).rem_euclid(PERIOD as isize) as usize;
            let key = priority_key(has_head.then_some(head), now, PERIOD);
            prop_assert!(ticks_diff(key, now, PERIOD) < 0);
            if has_head {
                prop_assert!(ticks_diff(key, head, PERIOD) < 0);
            }
            prop_assert!(key < PERIOD);
        }
    }
}
