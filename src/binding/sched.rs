//! The asyncio side's arithmetic, for the C shim's task-queue step (`src/c/sched.c`).
use crate::core::sched::{priority_key, ticks_add, ticks_diff};

/// The task-queue key that puts a task woken with priority first: one tick before
/// both the queue's head (`head`, if `has_head`) and `now`, modulo the ticks `period`
/// (a power of two). See `core::sched`.
#[no_mangle]
pub extern "C" fn irqio_priority_key(
    has_head: bool,
    head: usize,
    now: usize,
    period: usize,
) -> usize {
    priority_key(has_head.then_some(head), now, period)
}

/// `time.ticks_add(now, delay)` modulo the ticks `period`: a wait's deadline.
#[no_mangle]
pub extern "C" fn irqio_ticks_add(now: usize, delay: usize, period: usize) -> usize {
    ticks_add(now, delay, period)
}

/// `time.ticks_diff(a, b)` modulo the ticks `period`: what is left until a deadline.
#[no_mangle]
pub extern "C" fn irqio_ticks_diff(a: usize, b: usize, period: usize) -> isize {
    ticks_diff(a, b, period)
}
