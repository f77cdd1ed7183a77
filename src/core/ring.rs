//! A byte ring for many producers and one consumer, lock-free on both sides.
//!
//! Producers ([`Ring::write`]) may run in hard interrupt handlers, other threads, the
//! other core and POSIX signal handlers, several at once and preempting each other. A
//! producer never waits for another one (an interrupt that preempts a producer cannot
//! deadlock), each write lands contiguously, and no write is ever seen half-done.
//!
//! # State and invariants
//!
//! - `head`: index one past the last byte reserved by a producer. Only producers move
//!   it, forward, with one compare-and-swap per write.
//! - `read`: index of the next byte to read, shifted left by one above the
//!   [`READING`] bit. The consumer moves it forward; with [`Overflow::Overwrite`]
//!   producers also move it forward, to discard the oldest bytes, but never while
//!   `READING` is set. So `read` never moves backwards, and nothing the consumer is
//!   copying is ever written.
//! - `writers`: the number of writes in flight (entered, not yet left), and the
//!   [`CLOSED`] bit. A producer enters *before* it loads anything and leaves *after*
//!   its copy; every byte below `head` is written once the count is zero.
//!
//! **Tagged indices.** An index is `lap << lap_shift | position`, with `position <
//! capacity`, so it keeps counting across laps instead of repeating every lap: a
//! compare-and-swap on `head` or `read` cannot succeed on a value that was read one or
//! more laps earlier (the ABA problem of mirrored indices, which repeat every
//! `2 * capacity` bytes). Indices wrap only after at least 2^30 bytes (1 GiB) on
//! targets whose widest lock-free atomic is 32 bits, 2^62 bytes elsewhere: a producer
//! would have to stay stopped between two of its instructions while that much passes
//! through the ring.
//!
//! **Visibility.** The consumer loads `head`, then `writers` (Acquire both). A writer
//! enters before its reservation (a Release compare-and-swap on `head`), so if the
//! consumer's `head` includes a reservation, its load of `writers` sees that writer
//! counted, or its leave (Release): a count of zero means every reservation below that
//! `head` is written and visible. While any write is in flight nothing new becomes
//! visible: a producer stopped between entering and leaving (an interrupt handler
//! never is for longer than its own copy; an OS thread can be descheduled there)
//! hides the writes that finish after it entered until it leaves.
//!
//! **Overwrite.** A producer discards the oldest bytes only while it is the only write
//! in flight (so every byte below `head` is written and none is anyone's reservation)
//! and the consumer is not copying (`READING` clear: the discard's compare-and-swap
//! would fail). When it may not, the write is refused whole and counted, rather than
//! wait for either. The consumer sets `READING` with one atomic OR before it copies and
//! clears it with the store that moves `read`, so it never retries and never waits.
//!
//! **Wake-ups**: the consumer that found nothing opens a [`Request`] and re-checks; the
//! producer whose leave brings the count to zero answers it (raises the wake, then
//! closes the request). Either the re-check sees the data or the producer sees the
//! request, and no producer holds the duty to raise (`core::wake` says why). A new ring
//! counts as waited on, so the first write wakes.

use super::atomic::{AtomicIndex, AtomicU32, AtomicUsize, Index, Ordering};
use super::wake::{Request, Wake};

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

/// `writers`: set once the ring is closed; below it, the count of writes in flight.
const CLOSED: u32 = 1 << 31;
const IN_FLIGHT: u32 = CLOSED - 1;
/// `read`: set while the consumer copies (see the module notes); the index is above it.
const READING: Index = 1;
/// Indices are masked to one bit less than the word, so `read << 1` fits.
const INDEX_MASK: Index = Index::MAX >> 1;

/// The largest capacity: 32 MiB on 32-bit targets. Leaves at least 6 bits of lap
/// count in an index (see the module notes).
pub const MAX_CAPACITY: usize = usize::MAX >> 7;
const _: () =
    assert!(MAX_CAPACITY.next_power_of_two().trailing_zeros() + 6 <= INDEX_MASK.count_ones());

/// Attempts a contended write makes before it gives up (counting what it did not
/// store). Each failed attempt means another producer or the consumer made progress.
const ATTEMPTS: u32 = 16;

/// A reservation: storage from index `head`, for the caller's data
/// `[skip, skip + len)` (`skip` is non-zero only when an overwrite keeps just the
/// newest `capacity` bytes).
struct Span {
    head: Index,
    skip: usize,
    len: usize,
}

/// The ring's state. The storage is not owned: the binding layer allocates it on the
/// MicroPython heap and keeps it alive with the ring.
pub struct Ring {
    buf: *mut u8,
    capacity: usize,
    /// Positions take the low `lap_shift` bits of an index: `position_mask`.
    lap_shift: u32,
    position_mask: Index,
    /// `(1 << lap_shift) - capacity`: what an index skips at the end of each lap.
    lap_gap: Index,
    overflow: Overflow,
    head: AtomicIndex,
    writers: AtomicU32,
    read: AtomicIndex,
    dropped: AtomicUsize,
    high_water: AtomicUsize,
    /// The consumer's request for a wake-up, open while it sleeps on an empty ring.
    request: Request,
    /// One cell per byte of storage, so that loom reports any copy that races another.
    #[cfg(loom)]
    cells: std::vec::Vec<loom::cell::UnsafeCell<()>>,
}

// SAFETY: all shared state is atomic; the storage is written only in spans reserved by
// one producer, and read only in spans no producer may write (module notes).
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
    pub unsafe fn new(buf: *mut u8, capacity: usize, overflow: Overflow) -> Self {
        Ring {
            buf,
            capacity,
            lap_shift: capacity.next_power_of_two().trailing_zeros(),
            position_mask: capacity.next_power_of_two() as Index - 1,
            lap_gap: (capacity.next_power_of_two() - capacity) as Index,
            overflow,
            head: AtomicIndex::new(0),
            writers: AtomicU32::new(0),
            read: AtomicIndex::new(0),
            dropped: AtomicUsize::new(0),
            high_water: AtomicUsize::new(0),
            // A new ring counts as empty and waited on: the first write wakes.
            request: Request::new(true),
            #[cfg(loom)]
            cells: (0..capacity)
                .map(|_| loom::cell::UnsafeCell::new(()))
                .collect(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn overflow(&self) -> Overflow {
        self.overflow
    }

    // --- indices -------------------------------------------------------------------

    /// Where in the storage `index` points.
    #[inline(always)]
    fn position(&self, index: Index) -> usize {
        (index & self.position_mask) as usize
    }

    /// The index `n <= capacity` bytes after `index`: into the next lap, it skips the
    /// lap's unused positions. (No overflow: both terms are below `INDEX_MASK + 1`.)
    #[inline(always)]
    fn advance(&self, index: Index, n: usize) -> Index {
        let next_lap = self.position(index) + n >= self.capacity;
        (index + n as Index + Index::from(next_lap) * self.lap_gap) & INDEX_MASK
    }

    /// Bytes from index `read` to index `head`, or `None` when the two cannot describe
    /// one state of the ring (loaded at different moments, with traffic in between).
    #[inline(always)]
    fn used(&self, read: Index, head: Index) -> Option<usize> {
        let laps = (head >> self.lap_shift).wrapping_sub(read >> self.lap_shift)
            & (INDEX_MASK >> self.lap_shift);
        let (h, r) = (self.position(head), self.position(read));
        match laps {
            0 if h >= r => Some(h - r),
            1 if h <= r => Some(self.capacity - (r - h)),
            _ => None,
        }
    }

    // --- producers -----------------------------------------------------------------

    /// Stores `data` according to the overflow policy and, if the consumer waits, raises
    /// `wake`. Never blocks, never allocates. Returns the bytes of `data` consumed:
    /// stored, or (with [`Overflow::Overwrite`]) overwritten at once because more than
    /// the capacity was given. Bytes it does not store are the caller's to retry or
    /// count (see [`Ring::write_or_drop`]); bytes an overwrite discards are counted here.
    ///
    /// Inlined into each producer entry point where instructions are the scarce
    /// resource (hosted targets: `benchmarks/ringio_write_cost.py`); one shared copy on
    /// bare-metal targets, where flash is (`scripts/size-report.py`) and a call costs a
    /// few cycles.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    pub fn write(&self, data: &[u8], wake: &impl Wake) -> usize {
        // Enter before loading anything (module notes, "Visibility"). Relaxed: ordered
        // before the reservation by the reservation's Release.
        let open = self.writers.fetch_add(1, Ordering::Relaxed) & CLOSED == 0;
        let stored = match self.try_reserve_whole(open, data.len()) {
            Some(head) => {
                self.copy_in(head, data);
                data.len()
            }
            None => self.write_contended(open, data),
        };
        self.leave(wake);
        stored
    }

    /// [`Ring::write`], counting what it did not store as dropped: for writers that do
    /// not retry (interrupt handlers, drivers, Python's `write()`).
    #[inline(always)]
    pub fn write_or_drop(&self, data: &[u8], wake: &impl Wake) -> usize {
        let stored = self.write(data, wake);
        self.count_dropped(data.len().saturating_sub(stored));
        stored
    }

    /// The common case of a reservation, kept small so it inlines into every producer:
    /// open, `want` bytes fit whole, one compare-and-swap that succeeds. Returns where
    /// the span starts, or `None` to go the long way.
    #[inline(always)]
    fn try_reserve_whole(&self, open: bool, want: usize) -> Option<Index> {
        if !open {
            return None;
        }
        let head = self.head.load(Ordering::Relaxed);
        // Acquire: the consumer's copy out of the space we reuse is done.
        let read = self.read.load(Ordering::Acquire) >> 1;
        // If the exchange below succeeds, `head` did not move since we loaded it, so
        // `read` (loaded in between, and never moving backwards) was at most `head`
        // then and is at least that now: the free space is at least what we compute.
        // Not validated as `used()` does, to keep the common path short: for a pair of
        // indices that are not one state of the ring the figure is garbage, but then
        // `head` moved and the exchange fails. (Wrapping arithmetic: no panic path.)
        let laps = ((head ^ read) >> self.lap_shift) & 1;
        let used = head
            .wrapping_sub(read)
            .wrapping_sub(laps.wrapping_mul(self.lap_gap));
        if used.wrapping_add(want as Index) > self.capacity as Index {
            return None;
        }
        self.reserve(head, want, used as usize)
    }

    /// Claims `[head, head + len)` if `head` is still the head. Release: pairs with the
    /// consumer's Acquire load of `head` (module notes, "Visibility"). A strong
    /// exchange: it fails only if another producer moved `head`, which is what bounds
    /// the retries of a contended write (a weak one may also fail spuriously, e.g.
    /// whenever an interrupt lands between an Arm core's load- and store-exclusive).
    #[inline(always)]
    fn reserve(&self, head: Index, len: usize, used: usize) -> Option<Index> {
        self.head
            .compare_exchange(
                head,
                self.advance(head, len),
                Ordering::Release,
                Ordering::Relaxed,
            )
            .ok()?;
        self.note_high_water(used + len);
        Some(head)
    }

    /// The write's exit: the last write in flight makes everything visible and, if the
    /// consumer asked, wakes it.
    #[inline(always)]
    fn leave(&self, wake: &impl Wake) {
        // Release: our bytes are visible to a consumer that sees the count drop.
        let before = self.writers.fetch_sub(1, Ordering::Release);
        if before & IN_FLIGHT == 1 {
            // Fences, then raises if the consumer asked (module notes, "Wake-ups").
            self.request.answer(wake);
        }
    }

    /// The rest of [`Ring::write`] when the common case did not apply: closed, full,
    /// an overflow policy to apply, or contention. Returns the bytes consumed.
    #[cold]
    #[inline(never)]
    fn write_contended(&self, open: bool, data: &[u8]) -> usize {
        if !open {
            return 0;
        }
        match self.reserve_contended(data.len()) {
            Ok(span) => {
                // SAFETY: every policy picks `skip + len <= data.len()`.
                let part = unsafe { data.get_unchecked(span.skip..span.skip + span.len) };
                self.copy_in(span.head, part);
                span.skip + span.len
            }
            Err(consumed) => consumed,
        }
    }

    /// Applies the overflow policy with bounded retries. Returns the span reserved, or,
    /// if the write is refused, how many of its bytes count as consumed anyway (an
    /// overwrite's bytes beyond the capacity, discarded at once and counted).
    fn reserve_contended(&self, want: usize) -> Result<Span, usize> {
        let skip = if want > self.capacity && self.overflow == Overflow::Overwrite {
            want - self.capacity
        } else {
            0
        };
        self.count_dropped(skip);
        let want = want - skip;
        for _ in 0..ATTEMPTS {
            // Acquire, and `head` before `writers` (in `discard_oldest`): see the
            // module notes, "Visibility".
            let head = self.head.load(Ordering::Acquire);
            let read_word = self.read.load(Ordering::Acquire);
            let Some(used) = self.used(read_word >> 1, head) else {
                continue;
            };
            let free = self.capacity - used;
            let len = if want <= free {
                want
            } else {
                match self.overflow {
                    Overflow::Truncate => free,
                    Overflow::Reject => 0,
                    Overflow::Overwrite => match self.discard_oldest(read_word, want - free) {
                        // Room made, or someone else moved: look again.
                        Some(_) => continue,
                        None => 0,
                    },
                }
            };
            if len == 0 {
                break;
            }
            if let Some(head) = self.reserve(head, len, used) {
                return Ok(Span { head, skip, len });
            }
        }
        Err(skip)
    }

    /// Overwrite: discards the oldest `discard <= used` bytes after the snapshot
    /// `read_word` (taken after the caller's `head`). `None` if it may not (the write
    /// is then refused), `Some(made)` if it tried.
    fn discard_oldest(&self, read_word: Index, discard: usize) -> Option<bool> {
        // Only the writer in flight (this one) and the consumer not copying: every
        // byte below the caller's `head` is written, and none is being read. The
        // exchange fails if the consumer sets READING or anyone moves `read` meanwhile.
        if read_word & READING != 0 || self.writers.load(Ordering::Acquire) & IN_FLIGHT != 1 {
            return None;
        }
        let next = self.advance(read_word >> 1, discard) << 1;
        let made = self
            .read
            .compare_exchange(read_word, next, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok();
        if made {
            self.count_dropped(discard);
        }
        Some(made)
    }

    fn note_high_water(&self, held: usize) {
        // Load first: a new peak is rare, and fetch_max is a CAS loop where the target
        // has no native max.
        if held > self.high_water.load(Ordering::Relaxed) {
            self.high_water.fetch_max(held, Ordering::Relaxed);
        }
    }

    #[inline(always)] // on every producer's path, and small
    fn copy_in(&self, index: Index, data: &[u8]) {
        let at = self.position(index);
        let first = data.len().min(self.capacity - at);
        #[cfg(loom)]
        self.track(at, data.len(), true);
        // SAFETY: `at + first <= capacity` and `data.len() - first <= at` (a span is at
        // most `capacity` long), so both copies stay inside the storage (`new`'s
        // contract); the span is reserved by this producer, so no other producer writes
        // it and the consumer does not read it until it is visible.
        unsafe {
            copy_bytes(data.as_ptr(), self.buf.add(at), first);
            if first < data.len() {
                copy_bytes(data.as_ptr().add(first), self.buf, data.len() - first);
            }
        }
    }

    // --- the consumer --------------------------------------------------------------

    fn copy_out(&self, index: Index, out: &mut [u8]) {
        let at = self.position(index);
        let first = out.len().min(self.capacity - at);
        #[cfg(loom)]
        self.track(at, out.len(), false);
        // SAFETY: bounds as in `copy_in`. The span is visible data that no producer may
        // write while the consumer copies it (module notes).
        unsafe {
            core::ptr::copy_nonoverlapping(self.buf.add(at), out.as_mut_ptr(), first);
            core::ptr::copy_nonoverlapping(
                self.buf,
                out.as_mut_ptr().add(first),
                out.len() - first,
            );
        }
    }

    /// Bytes from index `read` the consumer may copy (all up to `head` when no write is
    /// in flight), or `None` for an inconsistent snapshot.
    fn visible_from(&self, read: Index) -> Option<usize> {
        // `head`, then `writers` (module notes, "Visibility").
        let head = self.head.load(Ordering::Acquire);
        let in_flight = self.writers.load(Ordering::Acquire) & IN_FLIGHT != 0;
        let used = self.used(read, head)?;
        Some(if in_flight { 0 } else { used })
    }

    /// Copies up to `out.len()` bytes out and consumes them. One consumer at a time.
    /// Returns 0 when nothing is visible; see [`Ring::rearm`] for waiting and
    /// [`Ring::is_finished`] for end of stream. Never retries, never waits.
    pub fn read(&self, out: &mut [u8]) -> usize {
        let overwrite = self.overflow == Overflow::Overwrite;
        // Overwrite: claim the oldest bytes for the copy; no producer discards while
        // READING is set, so `read` is ours until the store below.
        let read_word = if overwrite {
            self.read.fetch_or(READING, Ordering::Acquire)
        } else {
            self.read.load(Ordering::Acquire)
        };
        let read = read_word >> 1;
        let n = self.visible_from(read).unwrap_or(0).min(out.len());
        if let Some(out) = out.get_mut(..n) {
            if n > 0 {
                self.copy_out(read, out);
            }
        }
        if n > 0 || overwrite {
            // Release: the copy is done before a producer reuses the space. Clears
            // READING.
            self.read
                .store(self.advance(read, n) << 1, Ordering::Release);
        }
        n
    }

    /// Closed, no write in flight, and everything stored has been read: end of stream.
    pub fn is_finished(&self) -> bool {
        if self.writers.load(Ordering::Acquire) != CLOSED {
            return false;
        }
        // Loaded after `writers`: the ring is closed and no write is in flight, so no
        // reservation can follow (a writer that enters now sees CLOSED): `head` is final.
        let head = self.head.load(Ordering::Acquire);
        self.read.load(Ordering::Acquire) >> 1 == head
    }

    /// The consumer can make progress: bytes visible, or end of stream. An
    /// inconsistent snapshot counts as readable (the consumer looks again).
    fn is_readable(&self) -> bool {
        let read = self.read.load(Ordering::Acquire) >> 1;
        self.visible_from(read) != Some(0) || self.is_finished()
    }

    /// The consumer found nothing to read and will sleep until `wake` is ready: drains
    /// it, asks the next producer to leave with no write in flight for a wake-up, and
    /// re-checks; if something became readable meanwhile, it withdraws the request and
    /// raises `wake` itself. No wake-up is lost: after this, `wake` is ready or the
    /// next producer to publish (or a close) raises it.
    pub fn rearm(&self, wake: &impl Wake) {
        wake.drain();
        // Opens the request and fences (module notes, "Wake-ups").
        self.request.open();
        if self.is_readable() {
            self.request.withdraw();
            wake.raise();
        }
    }

    // --- state and statistics ------------------------------------------------------

    /// `(used, in_flight)` from one consistent snapshot, if contention allows one.
    fn snapshot(&self) -> Option<(usize, bool)> {
        for _ in 0..ATTEMPTS {
            let read = self.read.load(Ordering::Acquire) >> 1;
            let head = self.head.load(Ordering::Acquire);
            let in_flight = self.writers.load(Ordering::Acquire) & IN_FLIGHT != 0;
            // `read` unchanged across the load of `head` (indices do not repeat): the
            // pair is the state at that load.
            if self.read.load(Ordering::Acquire) >> 1 == read {
                if let Some(used) = self.used(read, head) {
                    return Some((used, in_flight));
                }
            }
        }
        None
    }

    /// [`Ring::available`] and [`Ring::free`] from one snapshot: bytes the consumer can
    /// read now (zero while a write is in flight), and bytes a write could store now
    /// without dropping anything. Under contention that allows no consistent snapshot,
    /// claims nothing: `(0, 0)`.
    pub fn levels(&self) -> (usize, usize) {
        match self.snapshot() {
            Some((used, in_flight)) => (if in_flight { 0 } else { used }, self.capacity - used),
            None => (0, 0),
        }
    }

    /// Bytes the consumer can read now. Zero while a write is in flight.
    pub fn available(&self) -> usize {
        self.levels().0
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

    /// Adds `n` bytes to the dropped count.
    pub fn count_dropped(&self, n: usize) {
        if n != 0 {
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// The most bytes ever held at once, reservations included. Under contention it
    /// can overstate the peak by bytes read while a write reserved, never understate it.
    pub fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }

    /// Restarts the high-water mark from what the ring holds now: zeroed, then raised
    /// to a snapshot taken after (or, under contention that allows no consistent
    /// snapshot, by the next writes). A write racing the reset may be left out of the
    /// new mark: the memory model does not order the writer's note of its peak with
    /// this snapshot without a fence on every write, which the mark is not worth.
    pub fn reset_high_water(&self) {
        self.high_water.store(0, Ordering::Relaxed);
        if let Some((used, _)) = self.snapshot() {
            self.high_water.fetch_max(used, Ordering::Relaxed);
        }
    }

    pub fn is_closed(&self) -> bool {
        self.writers.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Refuses further writes; writes in flight finish. The consumer reads what is
    /// stored and then sees end-of-stream ([`Ring::is_finished`]); the caller wakes it.
    pub fn close(&self) {
        self.writers.fetch_or(CLOSED, Ordering::AcqRel);
    }

    #[cfg(loom)]
    fn track(&self, at: usize, len: usize, write: bool) {
        for i in 0..len {
            let cell = &self.cells[(at + i) % self.capacity];
            if write {
                cell.with_mut(|_| ());
            } else {
                cell.with(|_| ());
            }
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize as StdCount;
    use std::sync::Arc;
    use std::vec;
    use std::vec::Vec;

    /// A wake handle for tests that do not look at wake-ups.
    struct Quiet;
    impl Wake for Quiet {
        fn raise(&self) {}
        fn drain(&self) {}
    }

    /// A wake handle that counts raises.
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
        for capacity in [1, 4, 5, 7, 8, 9] {
            let o = ring(capacity, Overflow::Truncate);
            let r = &o.ring;
            let chunk = capacity.min(3);
            for round in 0..40u8 {
                let data: Vec<u8> = (0..chunk as u8).map(|i| round ^ i).collect();
                assert_eq!(r.write_or_drop(&data, &Quiet), chunk);
                assert_eq!(r.available(), chunk);
                assert_eq!(read_all(r), data);
            }
            assert_eq!(r.dropped(), 0);
        }
    }

    #[test]
    fn full_capacity_is_usable_without_a_spare_byte() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcd", &Quiet), 4);
        assert_eq!(r.levels(), (4, 0));
        assert_eq!(read_all(r), b"abcd");
        assert_eq!(r.levels(), (0, 4));
    }

    #[test]
    fn indices_keep_counting_laps_instead_of_repeating() {
        let o = ring(3, Overflow::Truncate);
        let r = &o.ring;
        let mut seen = Vec::new();
        for _ in 0..10 {
            seen.push(r.head.load(Ordering::Relaxed));
            r.write_or_drop(b"ab", &Quiet);
            read_all(r);
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 10, "no head value repeats: {seen:?}");
    }

    #[test]
    fn indices_wrap_around_the_word_cleanly() {
        let o = ring(5, Overflow::Truncate);
        let r = &o.ring;
        // Start one lap before the index space wraps.
        let last_lap = INDEX_MASK & !r.position_mask;
        r.head.store(last_lap, Ordering::Relaxed);
        r.read.store(last_lap << 1, Ordering::Relaxed);
        for round in 0..10u8 {
            assert_eq!(r.write_or_drop(&[round, round, round], &Quiet), 3);
            assert_eq!(r.levels(), (3, 2));
            assert_eq!(read_all(r), [round; 3]);
        }
        assert!(
            r.head.load(Ordering::Relaxed) < last_lap,
            "the index wrapped"
        );
        assert_eq!(r.dropped(), 0);
    }

    #[test]
    fn truncate_stores_what_fits_and_counts_the_rest() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcdef", &Quiet), 4);
        assert_eq!(r.write_or_drop(b"g", &Quiet), 0);
        assert_eq!(r.dropped(), 3);
        assert_eq!(read_all(r), b"abcd");
    }

    #[test]
    fn reject_is_all_or_nothing() {
        let o = ring(6, Overflow::Reject);
        let r = &o.ring;
        assert_eq!(r.write_or_drop(b"abcd", &Quiet), 4);
        assert_eq!(r.write_or_drop(b"efg", &Quiet), 0);
        assert_eq!(r.dropped(), 3);
        assert_eq!(r.write_or_drop(b"ef", &Quiet), 2);
        assert_eq!(read_all(r), b"abcdef");
    }

    #[test]
    fn overwrite_keeps_the_newest_bytes() {
        let o = ring(4, Overflow::Overwrite);
        let r = &o.ring;
        r.write_or_drop(b"abc", &Quiet);
        r.write_or_drop(b"def", &Quiet);
        assert_eq!(r.dropped(), 2);
        assert_eq!(read_all(r), b"cdef");
        assert_eq!(r.write_or_drop(b"0123456789", &Quiet), 10);
        assert_eq!(read_all(r), b"6789");
        assert_eq!(r.dropped(), 2 + 6);
    }

    #[test]
    fn a_reservation_planned_before_the_ring_laps_cannot_land() {
        // Defect: with indices that repeat every lap, a producer held between loading
        // the indices and its compare-and-swap reserved space over unread bytes once
        // exactly one lap of mirrored index space (2 * capacity bytes) had passed.
        let o = ring(1, Overflow::Reject);
        let r = &o.ring;
        let head = r.head.load(Ordering::Relaxed);
        let used = r.used(r.read.load(Ordering::Relaxed) >> 1, head).unwrap();
        assert_eq!(used, 0, "the held producer sees an empty ring");
        // Meanwhile: 2 is written and read, then 3 is written and stays unread.
        r.write_or_drop(&[2], &Quiet);
        assert_eq!(read_all(r), [2]);
        r.write_or_drop(&[3], &Quiet);
        // The held producer resumes with its stale plan: it must not get the space.
        assert_eq!(r.reserve(head, 1, used), None);
        assert_eq!(read_all(r), [3]);
    }

    #[test]
    fn overwrite_never_discards_what_the_consumer_is_copying() {
        let o = ring(4, Overflow::Overwrite);
        let r = &o.ring;
        r.write_or_drop(b"abcd", &Quiet);
        // The consumer is mid-copy (what `read` does before it copies).
        let word = r.read.fetch_or(READING, Ordering::Acquire);
        let w = r.write_or_drop(b"ef", &Quiet);
        assert_eq!(w, 0, "refused whole rather than overwrite bytes being read");
        assert_eq!(r.dropped(), 2);
        r.read.store(word, Ordering::Release); // the copy ends, read unmoved
        assert_eq!(r.write_or_drop(b"ef", &Quiet), 2);
        assert_eq!(read_all(r), b"cdef");
    }

    #[test]
    fn overwrite_never_discards_another_writers_reservation() {
        let o = ring(4, Overflow::Overwrite);
        let r = &o.ring;
        r.write_or_drop(b"abcd", &Quiet);
        r.writers.fetch_add(1, Ordering::Relaxed); // a preempted writer in flight
        assert_eq!(
            r.write_or_drop(b"ef", &Quiet),
            0,
            "refused: the oldest bytes might be its"
        );
        r.writers.fetch_sub(1, Ordering::Relaxed);
        assert_eq!(r.write_or_drop(b"ef", &Quiet), 2);
        assert_eq!(r.dropped(), 2 + 2);
        assert_eq!(read_all(r), b"cdef");
    }

    #[test]
    fn plain_write_leaves_refused_bytes_to_the_caller() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        assert_eq!(r.write(b"abcdef", &Quiet), 4);
        assert_eq!(r.dropped(), 0);
        r.close();
        assert_eq!(r.write(b"x", &Quiet), 0);
        assert_eq!(r.dropped(), 0);
    }

    #[test]
    fn dropped_resets_without_touching_data() {
        let o = ring(2, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"xyz", &Quiet);
        assert_eq!(r.take_dropped(), 1);
        assert_eq!(r.dropped(), 0);
        assert_eq!(read_all(r), b"xy");
    }

    #[test]
    fn high_water_records_the_peak() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"abcde", &Quiet);
        read_all(r);
        r.write_or_drop(b"ab", &Quiet);
        assert_eq!(r.high_water(), 5);
        r.reset_high_water();
        assert_eq!(r.high_water(), 2);
        read_all(r);
        r.reset_high_water();
        assert_eq!(r.high_water(), 0);
    }

    #[test]
    fn closed_ring_refuses_and_counts_writes_but_keeps_data() {
        let o = ring(4, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"ab", &Quiet);
        r.close();
        assert_eq!(r.write_or_drop(b"cd", &Quiet), 0);
        assert_eq!(r.dropped(), 2);
        assert!(!r.is_finished(), "data left");
        assert_eq!(read_all(r), b"ab");
        assert!(r.is_finished());
    }

    #[test]
    fn a_write_in_flight_at_close_is_read_before_end_of_stream() {
        // Defect: end-of-stream was reported while a write that began before close()
        // was still copying, and its bytes were never read.
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"ab", &Quiet);
        r.writers.fetch_add(1, Ordering::Relaxed); // a writer enters...
        let head = r.try_reserve_whole(true, 2).unwrap(); // ...reserves
        r.close();
        assert_eq!(read_all(r), b"", "nothing visible while it copies");
        assert!(!r.is_finished(), "not the end: a write is in flight");
        let wake = Raises::default();
        r.rearm(&wake);
        assert_eq!(
            wake.take(),
            0,
            "nothing readable yet: the consumer may sleep"
        );
        r.copy_in(head, b"cd");
        r.leave(&wake);
        assert_eq!(
            wake.take(),
            1,
            "the last writer out wakes the waiting consumer"
        );
        assert_eq!(read_all(r), b"abcd");
        assert!(r.is_finished());
    }

    #[test]
    fn a_write_in_flight_hides_everything_until_it_finishes() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        r.write_or_drop(b"ab", &Quiet);
        r.writers.fetch_add(1, Ordering::Relaxed); // a preempted writer
        assert_eq!(r.available(), 0);
        assert_eq!(read_all(r), b"");
        r.writers.fetch_sub(1, Ordering::Relaxed);
        assert_eq!(read_all(r), b"ab");
    }

    #[test]
    fn wake_is_asked_only_by_a_waiting_consumer_and_given_once() {
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        let wake = Raises::default();
        r.write_or_drop(b"a", &wake);
        assert_eq!(wake.take(), 1, "a new ring is waited on");
        r.write_or_drop(b"a", &wake);
        assert_eq!(wake.take(), 0, "nobody waits");
        read_all(r);
        r.rearm(&wake);
        assert_eq!(wake.take(), 0, "nothing to read: the consumer sleeps");
        r.write_or_drop(b"b", &wake);
        assert_eq!(wake.take(), 1);
        r.write_or_drop(b"c", &wake);
        assert_eq!(wake.take(), 0, "one wake per wait");
        r.rearm(&wake);
        assert_eq!(
            wake.take(),
            1,
            "data arrived: the consumer raises its own wake-up"
        );
        r.write_or_drop(b"d", &wake);
        assert_eq!(wake.take(), 0, "and withdrew its request");
    }

    #[test]
    fn a_producer_that_looked_long_ago_cannot_cancel_a_later_wait() {
        // A producer answers a request by raising, then closing the value it saw; one
        // stopped in between must not close the consumer's next request.
        let o = ring(8, Overflow::Truncate);
        let r = &o.ring;
        let wake = Raises::default();
        r.rearm(&wake);
        let stale = r.request.word().load(Ordering::Relaxed);
        read_all(r);
        r.rearm(&wake); // a new wait: a new request
        let _ = r.request.word().compare_exchange(
            stale,
            stale + 1,
            Ordering::Release,
            Ordering::Relaxed,
        );
        r.write_or_drop(b"x", &wake);
        assert_eq!(wake.take(), 1, "the new request still wakes");
    }

    #[test]
    fn a_closed_and_drained_ring_is_readable_so_the_consumer_does_not_sleep() {
        let o = ring(8, Overflow::Reject);
        let r = &o.ring;
        read_all(r);
        r.close();
        let wake = Raises::default();
        r.rearm(&wake);
        assert_eq!(wake.take(), 1);
    }

    /// Producers write 8-byte records (producer id, sequence, check bytes) as fast as
    /// they can; the consumer checks that no record is split, corrupted or repeated,
    /// that each producer's records arrive in order, and that every record written is
    /// either read or counted as dropped.
    fn stress(overflow: Overflow, capacity: usize) {
        const PRODUCERS: u8 = 3;
        const RECORDS: u32 = if cfg!(miri) { 60 } else { 100_000 };
        let o = Arc::new(ring(capacity, overflow));
        let handles: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let o = o.clone();
                std::thread::spawn(move || {
                    let mut stored = 0u32;
                    for seq in 0..RECORDS {
                        let s = seq.to_le_bytes();
                        let rec = [p, s[0], s[1], s[2], s[3], p ^ 0x5a, p ^ 0xa5, 0x7e];
                        stored += (o.ring.write_or_drop(&rec, &Quiet) == 8) as u32;
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
                    assert!(seq > prev, "producer {p}: {seq} after {prev}");
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
        if overflow != Overflow::Overwrite {
            assert_eq!(got, stored);
        }
        assert_eq!(
            u64::from(got) * 8 + o.ring.dropped() as u64,
            u64::from(PRODUCERS) * u64::from(RECORDS) * 8,
            "every byte read or counted"
        );
    }

    #[test]
    fn concurrent_producers_never_split_records_with_reject() {
        stress(Overflow::Reject, 64);
    }

    #[test]
    fn concurrent_producers_never_split_records_with_truncate_of_whole_records() {
        // Capacity a multiple of the record: a truncated write stores 0 or 8 bytes.
        stress(Overflow::Truncate, 64);
    }

    #[test]
    fn concurrent_overwriters_discard_whole_records_and_count_them() {
        stress(Overflow::Overwrite, 64);
        stress(Overflow::Overwrite, 8);
    }
}
