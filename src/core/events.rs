//! A queue of fixed-size, timestamped events for many producers and one consumer.
//!
//! Built on [`Ring`]: every event is one all-or-nothing write of [`RECORD_SIZE`] bytes
//! into a ring whose capacity is a whole number of records, so records are never torn
//! or interleaved, whichever producers race, and an overwrite always discards whole
//! records. The packed layout ([`Event::encode`]) is also what `readinto` hands to
//! allocation-free consumers.

use super::ring::{Overflow, Ring, MAX_CAPACITY};
use super::wake::Wake;

/// Bytes per packed event: tag (u16), 2 reserved bytes, value (i32), timestamp (u32),
/// all little-endian.
pub const RECORD_SIZE: usize = 12;

/// The most events a queue can hold.
pub const MAX_EVENTS: usize = MAX_CAPACITY / RECORD_SIZE;

/// One interrupt event (`repr(C)`: the C API hands it to C consumers).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Which source posted it.
    pub tag: u16,
    /// What the source reported (a pin level, a counter, ...).
    pub value: i32,
    /// `time.ticks_us()` when it was posted.
    pub t_us: u32,
}

impl Event {
    pub fn encode(&self) -> [u8; RECORD_SIZE] {
        let mut rec = [0u8; RECORD_SIZE];
        let (tag, rest) = rec.split_at_mut(4);
        let (value, t_us) = rest.split_at_mut(4);
        tag[..2].copy_from_slice(&self.tag.to_le_bytes());
        value.copy_from_slice(&self.value.to_le_bytes());
        t_us.copy_from_slice(&self.t_us.to_le_bytes());
        rec
    }

    pub fn decode(rec: &[u8; RECORD_SIZE]) -> Self {
        let [t0, t1, _, _, v0, v1, v2, v3, s0, s1, s2, s3] = *rec;
        Event {
            tag: u16::from_le_bytes([t0, t1]),
            value: i32::from_le_bytes([v0, v1, v2, v3]),
            t_us: u32::from_le_bytes([s0, s1, s2, s3]),
        }
    }
}

/// When the queue is full: drop the newest event, or overwrite the oldest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    DropNewest,
    OverwriteOldest,
}

pub struct EventQueue {
    ring: Ring,
}

impl EventQueue {
    /// A queue of `events` events in `buf`.
    ///
    /// # Safety
    /// `buf` must be valid for reads and writes of `events * RECORD_SIZE` bytes for as
    /// long as the queue is used, and not be accessed other than through it.
    /// `1 <= events <= MAX_EVENTS`.
    pub unsafe fn new(buf: *mut u8, events: usize, when_full: WhenFull) -> Self {
        let overflow = match when_full {
            WhenFull::DropNewest => Overflow::Reject,
            WhenFull::OverwriteOldest => Overflow::Overwrite,
        };
        // SAFETY: forwarded caller contract; the capacity is a whole number of records.
        EventQueue {
            ring: unsafe { Ring::new(buf, events * RECORD_SIZE, overflow) },
        }
    }

    /// Posts one event and, if the consumer waits, raises `wake`. Never blocks, never
    /// allocates; returns whether it was stored (a refused event is counted in
    /// [`EventQueue::dropped`]).
    pub fn post(&self, event: Event, wake: &impl Wake) -> bool {
        self.ring.write_or_drop(&event.encode(), wake) == RECORD_SIZE
    }

    /// Takes the oldest event.
    pub fn pop(&self) -> Option<Event> {
        let mut rec = [0u8; RECORD_SIZE];
        // Records are published whole, so a read of one record gets all or nothing.
        (self.ring.read(&mut rec) == RECORD_SIZE).then(|| Event::decode(&rec))
    }

    /// Copies as many whole packed records as fit in `out`; returns how many.
    pub fn read_packed(&self, out: &mut [u8]) -> usize {
        let whole = out.len() - out.len() % RECORD_SIZE;
        match out.get_mut(..whole) {
            Some(out) => self.ring.read(out) / RECORD_SIZE,
            None => 0,
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.ring.available() / RECORD_SIZE
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.ring.capacity() / RECORD_SIZE
    }

    /// Events refused or overwritten since creation or the last `take_dropped`.
    pub fn dropped(&self) -> usize {
        self.ring.dropped() / RECORD_SIZE
    }

    pub fn take_dropped(&self) -> usize {
        self.ring.take_dropped() / RECORD_SIZE
    }

    /// The ring underneath, for the wake protocol (`arm`, `close`, `is_closed`).
    pub fn ring(&self) -> &Ring {
        &self.ring
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    struct Quiet;
    impl Wake for Quiet {
        fn raise(&self) {}
        fn drain(&self) {}
    }
    use std::vec;
    use std::vec::Vec;

    struct Owned {
        _storage: Vec<u8>,
        queue: EventQueue,
    }

    fn queue(events: usize, when_full: WhenFull) -> Owned {
        let mut storage = vec![0u8; events * RECORD_SIZE];
        let queue = unsafe { EventQueue::new(storage.as_mut_ptr(), events, when_full) };
        Owned {
            _storage: storage,
            queue,
        }
    }

    fn ev(tag: u16, value: i32) -> Event {
        Event {
            tag,
            value,
            t_us: value as u32 * 10,
        }
    }

    #[test]
    fn records_round_trip_through_the_packed_form() {
        let e = Event {
            tag: 0xBEEF,
            value: -5,
            t_us: 0xDEAD_BEEF,
        };
        assert_eq!(Event::decode(&e.encode()), e);
    }

    #[test]
    fn events_come_out_in_order() {
        let o = queue(4, WhenFull::DropNewest);
        let q = &o.queue;
        for i in 0..3 {
            assert!(q.post(ev(1, i), &Quiet));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop(), Some(ev(1, 0)));
        assert_eq!(q.pop(), Some(ev(1, 1)));
        assert_eq!(q.pop(), Some(ev(1, 2)));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn full_queue_drops_the_newest_and_counts_it() {
        let o = queue(2, WhenFull::DropNewest);
        let q = &o.queue;
        q.post(ev(1, 1), &Quiet);
        q.post(ev(1, 2), &Quiet);
        assert!(!q.post(ev(1, 3), &Quiet));
        assert_eq!(q.dropped(), 1);
        assert_eq!(q.pop(), Some(ev(1, 1)));
        assert_eq!(q.take_dropped(), 1);
        assert_eq!(q.dropped(), 0);
    }

    #[test]
    fn full_queue_can_overwrite_the_oldest_whole_events() {
        let o = queue(2, WhenFull::OverwriteOldest);
        let q = &o.queue;
        for i in 1..=5 {
            q.post(ev(2, i), &Quiet);
        }
        assert_eq!(q.dropped(), 3);
        assert_eq!(q.pop(), Some(ev(2, 4)));
        assert_eq!(q.pop(), Some(ev(2, 5)));
    }

    #[test]
    fn read_packed_fills_whole_records_only() {
        let o = queue(4, WhenFull::DropNewest);
        let q = &o.queue;
        q.post(ev(1, 1), &Quiet);
        q.post(ev(1, 2), &Quiet);
        let mut out = [0u8; RECORD_SIZE + 5];
        assert_eq!(q.read_packed(&mut out), 1);
        let mut rec = [0u8; RECORD_SIZE];
        rec.copy_from_slice(&out[..RECORD_SIZE]);
        assert_eq!(Event::decode(&rec), ev(1, 1));
        assert_eq!(q.len(), 1);
    }

    /// Three sources post sequence-numbered events as fast as they can into a queue
    /// that the consumer drains slower; checks per-source order, no duplicate, no torn
    /// record, and posted = received + dropped.
    fn posters_against_a_slow_consumer(events: usize, when_full: WhenFull) {
        const SOURCES: u16 = 3;
        const EVENTS: i32 = if cfg!(miri) { 50 } else { 50_000 };
        let o = Arc::new(queue(events, when_full));
        let handles: Vec<_> = (0..SOURCES)
            .map(|tag| {
                let o = o.clone();
                std::thread::spawn(move || {
                    (0..EVENTS)
                        .filter(|&i| o.queue.post(ev(tag, i), &Quiet))
                        .count()
                })
            })
            .collect();
        let mut last = [-1i32; SOURCES as usize];
        let mut received = 0usize;
        let mut take = |received: &mut usize| {
            while let Some(e) = o.queue.pop() {
                assert!(e.value > last[e.tag as usize], "order or duplicate: {e:?}");
                assert_eq!(e.t_us, e.value as u32 * 10, "torn: {e:?}");
                last[e.tag as usize] = e.value;
                *received += 1;
            }
        };
        while handles.iter().any(|h| !h.is_finished()) {
            take(&mut received);
        }
        let stored: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        take(&mut received);
        if when_full == WhenFull::DropNewest {
            assert_eq!(received, stored);
        }
        assert_eq!(
            received + o.queue.dropped(),
            SOURCES as usize * EVENTS as usize
        );
    }

    #[test]
    fn concurrent_posters_keep_per_source_order_and_account_for_every_event() {
        posters_against_a_slow_consumer(32, WhenFull::DropNewest);
        posters_against_a_slow_consumer(2, WhenFull::DropNewest);
    }

    #[test]
    fn concurrent_overwriting_posters_account_for_every_event() {
        posters_against_a_slow_consumer(4, WhenFull::OverwriteOldest);
        posters_against_a_slow_consumer(1, WhenFull::OverwriteOldest);
    }
}
