//! A byte ring for many producers and one consumer, lock-free on both sides.
//!
//! Producers ([`Ring::write`]) may run in hard interrupt handlers, other threads, the
//! other core and POSIX signal handlers, several at once and preempting each other.
//! Each write reserves a contiguous span with one compare-and-swap, copies into it and
//! then finishes; data becomes visible to the consumer when no write is in flight, so a
//! write is never seen half-done and two writes never interleave. A producer never
//! waits for another one, so an interrupt that preempts a producer cannot deadlock.
//!
//! The consumer ([`Ring::read`]) copies first and then moves the read index with a
//! compare-and-swap; if an overwriting producer moved it meanwhile, the copy is thrown
//! away and retried, so overwritten bytes are never delivered.
//!
//! Indices run over `[0, 2 * capacity)` ("mirrored"), which tells a full ring from an
//! empty one without a spare byte and works for any capacity, not only powers of two.

use super::atomic::{fence, AtomicBool, AtomicUsize, Ordering};

/// What a write does with bytes that do not fit.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Writes what fits and drops the rest (`micropython.RingIO`'s behaviour).
    Truncate = 0,
    /// Writes everything or nothing, so fixed-size records are never split.
    Reject = 1,
    /// Discards the oldest unread bytes to make room for the newest.
    Overwrite = 2,
}

/// Low bits of the reservation word: a count of writes in flight, and above it the
/// closed flag, so one load tells a producer whether it may reserve.
const IN_FLIGHT_BITS: u32 = 6;
const LOW_MASK: usize = (1 << IN_FLIGHT_BITS) - 1;
const CLOSED: usize = 1 << (IN_FLIGHT_BITS - 1);
/// The count's mask, and also its ceiling: a count this high refuses new writers.
const IN_FLIGHT_MASK: usize = CLOSED - 1;

/// The largest capacity: mirrored indices (`< 2 * capacity`) shifted past the in-flight
/// count must fit in a `usize` (32 MiB on 32-bit targets).
pub const MAX_CAPACITY: usize = usize::MAX >> (IN_FLIGHT_BITS + 1);

/// Outcome of a [`Ring::write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Bytes of the caller's data consumed: stored, or (with [`Overflow::Overwrite`])
    /// overwritten at once because more than the capacity was given.
    pub stored: usize,
    /// The ring went from empty to non-empty for a consumer that asked to be woken:
    /// the caller raises the port's wake-up.
    pub wake: bool,
}

/// A reservation: `len` bytes of storage from mirrored index `head`, for the caller's
/// data from offset `skip` (non-zero only when an overwrite keeps just the newest
/// `capacity` bytes).
struct Span {
    head: usize,
    skip: usize,
    len: usize,
}

/// The ring's state. The storage is not owned: the binding layer allocates it on the
/// MicroPython heap (or uses the caller's buffer) and keeps it alive with the ring.
pub struct Ring {
    buf: *mut u8,
    capacity: usize,
    overflow: Overflow,
    /// `head << IN_FLIGHT_BITS | CLOSED? | writes in flight`, where `head` is the mirrored index
    /// one past the last reserved byte. When no write is in flight, every byte up to
    /// `head` is written and visible.
    reserve: AtomicUsize,
    /// Mirrored index of the next byte to read.
    read: AtomicUsize,
    dropped: AtomicUsize,
    high_water: AtomicUsize,
    /// Set by the consumer when it found the ring empty and wants a wake-up.
    armed: AtomicBool,
}

// SAFETY: all shared state is atomic; the storage is written only in spans reserved by
// one producer (or, for overwrites, in spans the consumer checks after copying).
unsafe impl Sync for Ring {}
// SAFETY: the raw pointer is just the storage's address; the ring has no thread affinity.
unsafe impl Send for Ring {}

impl Ring {
    /// A ring over `capacity` bytes at `buf`.
    ///
    /// # Safety
    /// `buf` must be valid for reads and writes of `capacity` bytes, for as long as the
    /// ring is used, and not be accessed other than through the ring.
    /// `1 <= capacity <= MAX_CAPACITY`.
    pub const unsafe fn new(buf: *mut u8, capacity: usize, overflow: Overflow) -> Self {
        Ring {
            buf,
            capacity,
            overflow,
            reserve: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            high_water: AtomicUsize::new(0),
            // A new ring counts as empty and waited on: the first write wakes.
            armed: AtomicBool::new(true),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn overflow(&self) -> Overflow {
        self.overflow
    }

    /// `to - from` in mirrored index space.
    fn distance(&self, from: usize, to: usize) -> usize {
        if to >= from {
            to - from
        } else {
            to + 2 * self.capacity - from
        }
    }

    fn advance(&self, index: usize, by: usize) -> usize {
        let next = index + by;
        if next >= 2 * self.capacity {
            next - 2 * self.capacity
        } else {
            next
        }
    }

    fn slot(&self, index: usize) -> usize {
        if index >= self.capacity {
            index - self.capacity
        } else {
            index
        }
    }

    /// Bytes between `read` and `head`, or `None` when the two were loaded at different
    /// moments and no longer describe one state (the distance then exceeds capacity).
    fn used(&self, read: usize, head: usize) -> Option<usize> {
        let used = self.distance(read, head);
        (used <= self.capacity).then_some(used)
    }

    /// Bytes the consumer can read now. Zero while a write is in flight.
    pub fn available(&self) -> usize {
        self.levels().0
    }

    /// [`Ring::available`] and [`Ring::free`] from one snapshot. Indices loaded at
    /// different moments (a writer or reader moved in between) claim nothing: 0, 0.
    pub fn levels(&self) -> (usize, usize) {
        let r = self.reserve.load(Ordering::Acquire);
        let read = self.read.load(Ordering::Acquire);
        match self.used(read, r >> IN_FLIGHT_BITS) {
            // Nothing is visible while a write is in flight.
            Some(used) if r & IN_FLIGHT_MASK != 0 => (0, self.capacity - used),
            Some(used) => (used, self.capacity - used),
            None => (0, 0),
        }
    }

    /// Bytes a write could store now without dropping anything.
    pub fn free(&self) -> usize {
        self.levels().1
    }

    /// Bytes refused or overwritten since creation or the last [`Ring::take_dropped`].
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Returns the dropped count and restarts it from zero; the data stays.
    pub fn take_dropped(&self) -> usize {
        self.dropped.swap(0, Ordering::Relaxed)
    }

    /// The most bytes ever held at once (reserved included).
    pub fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }

    pub fn reset_high_water(&self) {
        self.high_water
            .store(self.capacity - self.free(), Ordering::Relaxed);
    }

    pub fn is_closed(&self) -> bool {
        self.reserve.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Refuses further writes; the consumer reads what is left and then sees
    /// end-of-stream (the caller wakes it).
    pub fn close(&self) {
        self.reserve.fetch_or(CLOSED, Ordering::AcqRel);
    }

    /// Adds `n` bytes to the dropped count.
    pub fn count_dropped(&self, n: usize) {
        if n != 0 {
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// [`Ring::write`], counting what it did not store as dropped: for writers that do
    /// not retry (interrupt handlers, drivers, Python's `write()`).
    #[inline(always)]
    pub fn write_or_drop(&self, data: &[u8]) -> Written {
        let written = self.write(data);
        self.count_dropped(data.len().saturating_sub(written.stored));
        written
    }

    /// Stores `data` according to the overflow policy. Never blocks, never allocates.
    /// Bytes it does not store are the caller's to retry or count (see
    /// [`Ring::write_or_drop`]); bytes an overwrite discards are counted here.
    ///
    /// Inlined into each producer entry point where instructions are the scarce
    /// resource (hosted targets: `benchmarks/ringio_write_cost.py`); one shared copy on
    /// bare-metal targets, where flash is (`scripts/size-report.py`) and a call costs a
    /// few cycles.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    pub fn write(&self, data: &[u8]) -> Written {
        // A closed ring refuses in `try_reserve_whole`'s test of the low bits. An empty
        // write takes the common path too: it reserves and publishes nothing; at worst
        // a consumer wakes once for nothing. Not testing for either here saves every
        // other write the tests.
        match self.try_reserve_whole(data.len()) {
            Some(head) => self.copy_and_publish(head, data),
            None => self.write_contended(data),
        }
    }

    /// The rest of [`Ring::write`] when the common case did not apply.
    #[cold]
    #[inline(never)]
    fn write_contended(&self, data: &[u8]) -> Written {
        match self.reserve_contended(data.len()) {
            Ok(span) => {
                // SAFETY: every policy picks `skip + len <= data.len()`.
                let data = unsafe { data.get_unchecked(span.skip..span.skip + span.len) };
                let written = self.copy_and_publish(span.head, data);
                Written {
                    stored: span.skip + written.stored,
                    wake: written.wake,
                }
            }
            Err(skipped) => Written {
                stored: skipped,
                wake: false,
            },
        }
    }

    /// Fills the reserved span `[head, head + data.len())`, then finishes the write.
    /// (Inlining policy: as [`Ring::write`].)
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    fn copy_and_publish(&self, head: usize, data: &[u8]) -> Written {
        // The span is ours alone until we finish.
        self.copy_in(head, data);
        // Finish: the last write in flight makes everything visible (Release pairs with
        // the consumer's Acquire load of `reserve`).
        let before = self.reserve.fetch_sub(1, Ordering::AcqRel);
        let wake = if before & IN_FLIGHT_MASK == 1 {
            // Pairs with the fence in `arm`: either the consumer's re-check sees our data
            // or we see its request for a wake-up.
            fence(Ordering::SeqCst);
            self.armed.load(Ordering::Relaxed) && self.armed.swap(false, Ordering::AcqRel)
        } else {
            false
        };
        Written {
            stored: data.len(),
            wake,
        }
    }

    /// The common case of a reservation, kept small so it inlines into every producer:
    /// `want` bytes fit whole, no count overflow, one compare-and-swap that succeeds.
    /// Returns where the span starts, or `None` to go the long way.
    #[inline(always)]
    fn try_reserve_whole(&self, want: usize) -> Option<usize> {
        let r = self.reserve.load(Ordering::Acquire);
        // Below IN_FLIGHT_MASK: open (CLOSED is above it) and room for one more writer.
        let in_flight = r & LOW_MASK;
        let head = r >> IN_FLIGHT_BITS;
        let used = self.distance(self.read.load(Ordering::Acquire), head);
        // `used` beyond capacity: indices loaded at different moments (retry slowly).
        if in_flight >= IN_FLIGHT_MASK || used > self.capacity || want > self.capacity - used {
            return None;
        }
        let next = (self.advance(head, want) << IN_FLIGHT_BITS) | (in_flight + 1);
        self.reserve
            .compare_exchange_weak(r, next, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        self.note_high_water(used + want);
        Some(head)
    }

    /// Everything else: the overflow policy, contention, stale snapshots. Returns the
    /// span reserved (possibly shorter than `want`), or, if the write is refused, how
    /// many of its bytes count as consumed anyway (see below).
    #[cold]
    #[inline(never)]
    fn reserve_contended(&self, want: usize) -> Result<Span, usize> {
        if self.is_closed() {
            return Err(0);
        }
        // Only the newest `capacity` bytes of an overwrite can survive; the rest are
        // overwritten at once (counted as dropped, reported as consumed).
        let skip = if want > self.capacity && self.overflow == Overflow::Overwrite {
            want - self.capacity
        } else {
            0
        };
        self.count_dropped(skip);
        let want = want - skip;
        let mut r = self.reserve.load(Ordering::Acquire);
        loop {
            if r & CLOSED != 0 {
                return Err(skip);
            }
            let head = r >> IN_FLIGHT_BITS;
            let in_flight = r & IN_FLIGHT_MASK;
            if in_flight == IN_FLIGHT_MASK {
                // More nested writers than the count can hold: refuse rather than wait.
                return Err(skip);
            }
            let read = self.read.load(Ordering::Acquire);
            let Some(used) = self.used(read, head) else {
                r = self.reserve.load(Ordering::Acquire);
                continue;
            };
            let free = self.capacity - used;
            // The common case first: everything fits, whatever the policy.
            let len = if want <= free {
                want
            } else {
                match self.overflow {
                    Overflow::Truncate => free,
                    Overflow::Reject => 0,
                    // Only written, visible bytes may be discarded: with another write in
                    // flight, the oldest bytes might be its reservation.
                    Overflow::Overwrite if in_flight != 0 => free,
                    Overflow::Overwrite => {
                        let discard = want - free;
                        let next = self.advance(read, discard);
                        if self
                            .read
                            .compare_exchange(read, next, Ordering::AcqRel, Ordering::Acquire)
                            .is_ok()
                        {
                            self.count_dropped(discard);
                        }
                        r = self.reserve.load(Ordering::Acquire);
                        continue;
                    }
                }
            };
            if len == 0 {
                return Err(skip);
            }
            let next = (self.advance(head, len) << IN_FLIGHT_BITS) | (in_flight + 1);
            match self
                .reserve
                .compare_exchange_weak(r, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    self.note_high_water(used + len);
                    return Ok(Span { head, skip, len });
                }
                Err(actual) => r = actual,
            }
        }
    }

    fn note_high_water(&self, held: usize) {
        // Load first: a new peak is rare, and fetch_max is a CAS loop where the target
        // has no native max.
        if held > self.high_water.load(Ordering::Relaxed) {
            self.high_water.fetch_max(held, Ordering::Relaxed);
        }
    }

    #[inline(always)] // on every producer's path, and small
    fn copy_in(&self, index: usize, data: &[u8]) {
        let at = self.slot(index);
        let first = data.len().min(self.capacity - at);
        // SAFETY: `at + first <= capacity` and `data.len() - first <= at`, so both copies
        // stay inside the storage (`new`'s contract); the span is reserved by this
        // producer, so no other producer writes it and the consumer does not read it
        // until it is published.
        unsafe {
            copy_bytes(data.as_ptr(), self.buf.add(at), first);
            if first < data.len() {
                copy_bytes(data.as_ptr().add(first), self.buf, data.len() - first);
            }
        }
    }

    fn copy_out(&self, index: usize, out: &mut [u8]) {
        let at = self.slot(index);
        let first = out.len().min(self.capacity - at);
        // SAFETY: bounds as in `copy_in`. The span is published data; only an overwriting
        // producer may write it concurrently, and then `read` moves, so the consumer's
        // compare-and-swap fails and this copy is discarded.
        unsafe {
            core::ptr::copy_nonoverlapping(self.buf.add(at), out.as_mut_ptr(), first);
            core::ptr::copy_nonoverlapping(
                self.buf,
                out.as_mut_ptr().add(first),
                out.len() - first,
            );
        }
    }

    /// Copies up to `out.len()` bytes out and consumes them. One consumer at a time.
    /// Returns 0 when nothing is visible; see [`Ring::arm`] for waiting.
    pub fn read(&self, out: &mut [u8]) -> usize {
        loop {
            let read = self.read.load(Ordering::Acquire);
            let r = self.reserve.load(Ordering::Acquire);
            if r & IN_FLIGHT_MASK != 0 {
                return 0;
            }
            // Clamped: with an overwriting producer, `read` may be stale (the exchange
            // below then fails), but the copy must stay inside the storage.
            let n = self
                .distance(read, r >> IN_FLIGHT_BITS)
                .min(self.capacity)
                .min(out.len());
            if n == 0 {
                return 0;
            }
            if let Some(out) = out.get_mut(..n) {
                self.copy_out(read, out);
            }
            if self
                .read
                .compare_exchange(
                    read,
                    self.advance(read, n),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
            {
                return n;
            }
        }
    }

    /// The consumer found the ring empty and will wait: asks the next publishing write
    /// for a wake-up. Returns `true` if data (or a close) arrived meanwhile, in which
    /// case the consumer must not wait (and should re-raise its own wake-up).
    pub fn arm(&self) -> bool {
        self.armed.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        if self.available() != 0 || self.is_closed() {
            // Withdraw the request; if a producer already took it, the wake is raised.
            self.armed.swap(false, Ordering::AcqRel)
        } else {
            false
        }
    }
}

/// `copy_nonoverlapping`, with records of 8 to 16 bytes (the common interrupt
/// payload) copied inline as two overlapping words instead of through a `memcpy` call.
///
/// # Safety
/// As `core::ptr::copy_nonoverlapping(src, dst, n)`.
///
/// On bare-metal targets it is `copy_nonoverlapping` alone: flash counts more there.
#[inline(always)]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, n: usize) {
    if cfg!(not(target_os = "none")) && (8..=16).contains(&n) {
        // SAFETY: both 8-byte windows, [0, 8) and [n - 8, n), lie inside the n bytes the
        // caller vouches for; unaligned accesses are allowed by read/write_unaligned.
        unsafe {
            let head = src.cast::<u64>().read_unaligned();
            let tail = src.add(n - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(head);
            dst.add(n - 8).cast::<u64>().write_unaligned(tail);
        }
    } else {
        // SAFETY: forwarded caller contract.
        unsafe { core::ptr::copy_nonoverlapping(src, dst, n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::vec;
    use std::vec::Vec;

    struct Owned {
        _storage: Vec<u8>,
        ring: Ring,
    }

    fn ring(capacity: usize, overflow: Overflow) -> Owned {
        let mut storage = vec![0u8; capacity];
        let ring = unsafe { Ring::new(storage.as_mut_ptr(), capacity, overflow) };
        Owned {
            _storage: storage,
            ring,
        }
    }

    fn read_all(r: &Ring) -> Vec<u8> {
        let mut out = vec![0u8; r.capacity()];
        let n = r.read(&mut out);
        out.truncate(n);
        out
    }

    #[test]
    fn bytes_come_out_in_order_across_the_wrap() {
        let o = ring(5, Overflow::Truncate);
        let r = &o.ring;
        for round in 0..20u8 {
            assert_eq!(r.write_or_drop(&[round, round + 1, round + 2]).stored, 3);
            assert_eq!(r.available(), 3);
            assert_eq!(read_all(r), [round, round + 1, round + 2]);
        }
        assert_eq!(r.dropped(), 0);
    }

    #[test]
    fn full_capacity_is_usable_without_a_spare_byte() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcd").stored, 4);
        assert_eq!(r.free(), 0);
        assert_eq!(r.available(), 4);
        assert_eq!(read_all(r), b"abcd");
        assert_eq!(r.free(), 4);
    }

    #[test]
    fn truncate_stores_what_fits_and_counts_the_rest() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcdef").stored, 4);
        assert_eq!(r.write_or_drop(b"g").stored, 0);
        assert_eq!(r.dropped(), 3);
        assert_eq!(read_all(r), b"abcd");
    }

    #[test]
    fn reject_is_all_or_nothing() {
        let o = ring(6, Overflow::Reject);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcd").stored, 4);
        assert_eq!(r.write_or_drop(b"efg").stored, 0);
        assert_eq!(r.dropped(), 3);
        assert_eq!(r.write_or_drop(b"ef").stored, 2);
        assert_eq!(read_all(r), b"abcdef");
    }

    #[test]
    fn overwrite_keeps_the_newest_bytes() {
        let o = ring(4, Overflow::Overwrite);
        let r = &o.ring;
        r.write_or_drop(b"abc");
        r.write_or_drop(b"def");
        assert_eq!(r.dropped(), 2);
        assert_eq!(read_all(r), b"cdef");
        r.write_or_drop(b"0123456789");
        assert_eq!(read_all(r), b"6789");
        assert_eq!(r.dropped(), 2 + 6);
    }

    #[test]
    fn plain_write_leaves_refused_bytes_to_the_caller() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write(b"abcdef").stored, 4);
        assert_eq!(r.dropped(), 0);
        r.close();
        assert_eq!(r.write(b"x").stored, 0);
        assert_eq!(r.dropped(), 0);
    }

    #[test]
    fn dropped_resets_without_touching_data() {
        let o = ring(2, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"xyz");
        assert_eq!(r.take_dropped(), 1);
        assert_eq!(r.dropped(), 0);
        assert_eq!(read_all(r), b"xy");
    }

    #[test]
    fn high_water_records_the_peak() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"abcde");
        read_all(r);
        r.write_or_drop(b"ab");
        assert_eq!(r.high_water(), 5);
        r.reset_high_water();
        assert_eq!(r.high_water(), 2);
    }

    #[test]
    fn closed_ring_refuses_and_counts_writes_but_keeps_data() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"ab");
        r.close();
        assert_eq!(r.write_or_drop(b"cd").stored, 0);
        assert_eq!(r.dropped(), 2);
        assert_eq!(read_all(r), b"ab");
    }

    #[test]
    fn a_write_in_flight_hides_everything_until_it_finishes() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"ab");
        r.reserve.fetch_add(1, Ordering::AcqRel); // a preempted writer
        assert_eq!(r.available(), 0);
        assert_eq!(read_all(r), b"");
        r.reserve.fetch_sub(1, Ordering::AcqRel);
        assert_eq!(read_all(r), b"ab");
    }

    #[test]
    fn wake_is_asked_only_by_an_armed_consumer_and_given_once() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        assert!(r.write_or_drop(b"a").wake, "a new ring is waited on");
        assert!(!r.write_or_drop(b"a").wake, "nobody waits");
        read_all(r);
        assert!(!r.arm());
        assert!(r.write_or_drop(b"b").wake);
        assert!(!r.write_or_drop(b"c").wake, "one wake per wait");
        assert!(r.arm(), "data arrived: the consumer must not sleep");
    }

    /// Producers write 8-byte records (producer id, sequence, fill) as fast as they can;
    /// the consumer checks that no record is split or corrupted, that each producer's
    /// records arrive in order, and that written = read + dropped.
    fn stress(overflow: Overflow) {
        const PRODUCERS: u8 = 3;
        const RECORDS: u32 = 100_000;
        let o = Arc::new(ring(64, overflow));
        let handles: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let o = o.clone();
                std::thread::spawn(move || {
                    let mut stored = 0u32;
                    for seq in 0..RECORDS {
                        let s = seq.to_le_bytes();
                        let rec = [p, s[0], s[1], s[2], s[3], p ^ 0x5a, p ^ 0xa5, 0x7e];
                        stored += (o.ring.write_or_drop(&rec).stored == 8) as u32;
                    }
                    stored
                })
            })
            .collect();
        let mut last = [None::<u32>; PRODUCERS as usize];
        let mut got = 0u32;
        let mut pending = Vec::new();
        let mut chunk = [0u8; 24];
        let mut drain = |pending: &mut Vec<u8>, got: &mut u32| {
            while pending.len() >= 8 {
                let rec: Vec<u8> = pending.drain(..8).collect();
                let p = rec[0];
                assert!(p < PRODUCERS, "torn record {rec:?}");
                assert_eq!(&rec[5..], &[p ^ 0x5a, p ^ 0xa5, 0x7e], "torn record");
                let seq = u32::from_le_bytes([rec[1], rec[2], rec[3], rec[4]]);
                if let Some(prev) = last[p as usize] {
                    assert!(seq > prev, "producer {p} out of order");
                }
                last[p as usize] = Some(seq);
                *got += 1;
            }
        };
        while handles.iter().any(|h| !h.is_finished()) {
            let n = o.ring.read(&mut chunk);
            pending.extend_from_slice(&chunk[..n]);
            drain(&mut pending, &mut got);
        }
        let stored: u32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        loop {
            let n = o.ring.read(&mut chunk);
            if n == 0 {
                break;
            }
            pending.extend_from_slice(&chunk[..n]);
            drain(&mut pending, &mut got);
        }
        assert!(pending.is_empty());
        assert_eq!(got, stored);
        assert_eq!(
            u64::from(got) * 8 + o.ring.dropped() as u64,
            u64::from(PRODUCERS) * u64::from(RECORDS) * 8
        );
    }

    #[test]
    fn concurrent_producers_never_split_records_with_reject() {
        stress(Overflow::Reject);
    }
}
