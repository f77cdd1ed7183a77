//! Model checks of the core's atomic protocols with loom, which runs each model under
//! every interleaving of its threads (up to a bound on preemptions) and under the
//! memory model's weak behaviours, and reports data races on the ring's storage.
//!
//!     RUSTFLAGS="--cfg loom" cargo test --release --test loom
//!
//! Every role (producer, consumer, observer) runs on a thread of its own and the
//! model's main thread only spawns, joins and checks: loom runs a thread up to its next
//! atomic operation before it considers a switch, so a role played by the main thread
//! would always take its first step before the others, and whole classes of schedules
//! would go unexplored.
//!
//! Each model is small on purpose: the bugs these guard against (a producer held
//! between its loads and its compare-and-swap while the ring laps, a consumer held
//! mid-copy, a wake-up swallowed between two steps) need two or three threads and a
//! few operations, and a small model is explored exhaustively. `docs/reliability.md`
//! says which defect each model guards and shows each one failing on the code before
//! the fix.
#![cfg(loom)]

use irqio::core::atomic::{AtomicBool, AtomicUsize, Ordering};
use irqio::core::events::{Event, EventQueue, WhenFull, RECORD_SIZE};
use irqio::core::flag::Flag;
use irqio::core::ring::{Overflow, Ring};
use irqio::core::wake::Wake;
use loom::sync::Arc;
use loom::thread;

/// Runs `model` under loom with a preemption bound (`LOOM_MAX_PREEMPTIONS` overrides).
fn check(preemptions: usize, model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(preemptions);
    }
    builder.check(model);
}

/// The unix port's eventfd, modelled: `raise` adds one, `drain` reads it back to zero.
/// A consumer parked in `poll()` wakes while it is non-zero.
struct EventFd(AtomicUsize);

impl EventFd {
    fn new() -> Self {
        EventFd(AtomicUsize::new(0))
    }
    fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst) != 0
    }
}

impl Wake for EventFd {
    fn raise(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn drain(&self) {
        self.0.swap(0, Ordering::SeqCst);
    }
}

struct OwnedRing {
    _storage: Vec<u8>,
    ring: Ring,
    wake: EventFd,
}

fn ring(capacity: usize, overflow: Overflow) -> Arc<OwnedRing> {
    let mut storage = vec![0u8; capacity];
    // SAFETY: the storage lives as long as the ring, in the same struct.
    let ring = unsafe { Ring::new(storage.as_mut_ptr(), capacity, overflow) };
    Arc::new(OwnedRing {
        _storage: storage,
        ring,
        wake: EventFd::new(),
    })
}

impl OwnedRing {
    /// A producer as the binding runs one: write, count the rest, raise if asked.
    fn produce(&self, data: &[u8]) -> usize {
        self.ring.write_or_drop(data, &self.wake)
    }

    fn consume(&self, delivered: &mut Vec<u8>) -> usize {
        let mut buf = [0u8; 4];
        let n = self.ring.read(&mut buf);
        delivered.extend_from_slice(&buf[..n]);
        n
    }

    fn drain_into(&self, delivered: &mut Vec<u8>) {
        while self.consume(delivered) != 0 {}
    }
}

/// Every byte value a producer wrote and was told was stored is delivered exactly once
/// (truncate and reject never discard), and the dropped count covers the rest.
fn assert_exactly_once(delivered: &[u8], stored: &[u8], dropped: usize, written: usize) {
    let mut got = delivered.to_vec();
    got.sort_unstable();
    let mut want = stored.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "delivered {delivered:?}, stored {stored:?}");
    assert_eq!(delivered.len() + dropped, written, "bytes unaccounted for");
}

// --- the ring: one lap while a producer is held ---------------------------------------

/// Defect 1 (ABA): a producer held between its loads and its compare-and-swap while
/// 2 x capacity bytes are written and read. With mirrored indices the exchange
/// succeeded on a stale free-space figure and overwrote an unread byte.
fn lap_while_a_producer_is_held(overflow: Overflow) {
    check(2, move || {
        let o = ring(1, overflow);
        let held = {
            let o = o.clone();
            thread::spawn(move || o.produce(&[1]))
        };
        let lapper = {
            let o = o.clone();
            thread::spawn(move || {
                let mut delivered = Vec::new();
                let stored2 = o.produce(&[2]);
                o.consume(&mut delivered);
                let stored3 = o.produce(&[3]);
                (delivered, stored2, stored3)
            })
        };
        let stored1 = held.join().unwrap();
        let (mut delivered, stored2, stored3) = lapper.join().unwrap();
        o.drain_into(&mut delivered);
        let stored: Vec<u8> = [(1, stored1), (2, stored2), (3, stored3)]
            .into_iter()
            .filter(|(_, n)| *n == 1)
            .map(|(v, _)| v)
            .collect();
        assert_exactly_once(&delivered, &stored, o.ring.dropped(), 3);
    });
}

#[test]
fn reject_survives_a_lap_while_a_producer_is_held() {
    lap_while_a_producer_is_held(Overflow::Reject);
}

#[test]
fn truncate_survives_a_lap_while_a_producer_is_held() {
    lap_while_a_producer_is_held(Overflow::Truncate);
}

/// Two producers and the consumer, all at once: every policy delivers each stored byte
/// once, in each producer's order, and counts the rest. Three threads make a large
/// state space: explored with one preemption (any number of switches at the points
/// where a thread blocks or ends), which the two-thread models above complement with
/// two or three.
fn two_producers_and_a_consumer(overflow: Overflow, capacity: usize) {
    check(1, move || {
        let o = ring(capacity, overflow);
        let producers: Vec<_> = [&[1u8, 2][..], &[11]]
            .into_iter()
            .map(|values| {
                let o = o.clone();
                thread::spawn(move || {
                    values
                        .iter()
                        .copied()
                        .filter(|v| o.produce(&[*v]) == 1)
                        .collect::<Vec<u8>>()
                })
            })
            .collect();
        let consumer = {
            let o = o.clone();
            thread::spawn(move || {
                let mut delivered = Vec::new();
                o.consume(&mut delivered);
                o.consume(&mut delivered);
                delivered
            })
        };
        let stored: Vec<u8> = producers
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect();
        let mut delivered = consumer.join().unwrap();
        o.drain_into(&mut delivered);
        for source in [1u8, 11] {
            let mine: Vec<u8> = delivered
                .iter()
                .copied()
                .filter(|v| (source..source + 2).contains(v))
                .collect();
            assert!(mine.windows(2).all(|w| w[0] < w[1]), "order: {delivered:?}");
        }
        if overflow == Overflow::Overwrite {
            let mut unique = delivered.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), delivered.len(), "duplicate: {delivered:?}");
            assert_eq!(delivered.len() + o.ring.dropped(), 3, "unaccounted");
        } else {
            assert_exactly_once(&delivered, &stored, o.ring.dropped(), 3);
        }
    });
}

#[test]
fn two_producers_and_a_consumer_with_reject() {
    two_producers_and_a_consumer(Overflow::Reject, 2);
}

#[test]
fn two_producers_and_a_consumer_with_truncate() {
    two_producers_and_a_consumer(Overflow::Truncate, 1);
}

#[test]
fn two_producers_and_a_consumer_with_overwrite() {
    two_producers_and_a_consumer(Overflow::Overwrite, 1);
}

// --- the ring: overwrite ---------------------------------------------------------------

/// Defect 2 (ABA on `read`, and the data race of defect 4): a consumer held between
/// loading `read` and moving it, while producers discard 2 x capacity bytes. The old
/// consumer's exchange then succeeded: it delivered bytes already discarded (and
/// counted) and skipped the newest. Loom also reports any copy that overlaps a
/// producer's write to the same bytes.
#[test]
fn overwrite_with_a_consumer_held_mid_copy() {
    check(2, || {
        let o = ring(1, Overflow::Overwrite);
        o.produce(&[1]);
        let producer = {
            let o = o.clone();
            thread::spawn(move || [o.produce(&[2]), o.produce(&[3])])
        };
        let consumer = {
            let o = o.clone();
            thread::spawn(move || {
                let mut delivered = Vec::new();
                o.consume(&mut delivered);
                delivered
            })
        };
        let [stored2, stored3] = producer.join().unwrap();
        let mut delivered = consumer.join().unwrap();
        o.drain_into(&mut delivered);
        assert!(delivered.windows(2).all(|w| w[0] < w[1]), "{delivered:?}");
        assert_eq!(delivered.len() + o.ring.dropped(), 3, "unaccounted");
        // Nothing is written after the last stored byte, so nothing may discard it.
        let newest = [(3, stored3), (2, stored2)]
            .into_iter()
            .find(|(_, n)| *n == 1)
            .map(|(v, _)| v);
        if let Some(newest) = newest {
            assert_eq!(delivered.last(), Some(&newest), "{delivered:?}");
        }
    });
}

/// Defect 3 (livelock): two overwriting producers and no reader. The old indices could
/// end up inconsistent, after which every producer retried forever (loom reports a
/// model that never ends as exceeding its branch limit).
#[test]
fn overwriting_producers_without_a_reader_always_finish() {
    check(2, || {
        let o = ring(1, Overflow::Overwrite);
        let producers: Vec<_> = [[1u8, 2], [11, 12]]
            .into_iter()
            .map(|values| {
                let o = o.clone();
                thread::spawn(move || values.iter().map(|v| o.produce(&[*v])).sum::<usize>())
            })
            .collect();
        let stored: usize = producers.into_iter().map(|p| p.join().unwrap()).sum();
        let mut delivered = Vec::new();
        o.drain_into(&mut delivered);
        assert!(stored >= 1, "some write is stored");
        assert_eq!(delivered.len(), 1, "a full ring of capacity 1");
        assert_eq!(delivered.len() + o.ring.dropped(), 4, "unaccounted");
    });
}

// --- the ring: close, wake-ups, snapshots ---------------------------------------------

/// Defect 5: end-of-stream must mean that everything stored has been read, even when a
/// write that began before `close()` is still copying.
#[test]
fn close_racing_a_write_never_hides_its_bytes() {
    check(3, || {
        let o = ring(2, Overflow::Reject);
        let writer = {
            let o = o.clone();
            thread::spawn(move || o.produce(&[7]))
        };
        let reader = {
            let o = o.clone();
            thread::spawn(move || {
                o.ring.close();
                let mut delivered = Vec::new();
                o.consume(&mut delivered);
                (delivered, o.ring.is_finished())
            })
        };
        let stored = writer.join().unwrap();
        let (mut delivered, finished) = reader.join().unwrap();
        if finished {
            assert_eq!(delivered.len(), stored, "end of stream before the data");
        }
        o.drain_into(&mut delivered);
        assert_eq!(delivered.len(), stored);
        assert!(o.ring.is_finished());
    });
}

/// The wake handshake: a consumer that found nothing and parks (drain, arm, re-check)
/// is never left asleep with something to read or an end of stream to see.
fn consumer_never_sleeps_on_something_readable(close: bool) {
    check(3, move || {
        let o = ring(2, Overflow::Reject);
        // A ring that has been written and read once: the wake it starts with is spent.
        let mut delivered = Vec::new();
        o.produce(&[0]);
        o.consume(&mut delivered);
        o.wake.drain();
        let writer = {
            let o = o.clone();
            thread::spawn(move || {
                o.produce(&[1]);
                if close {
                    o.ring.close();
                    o.wake.raise(); // the binding's close() wakes the reader
                }
            })
        };
        let reader = {
            let o = o.clone();
            thread::spawn(move || {
                // The consumer's step, as the binding runs it: read; on nothing, park.
                let mut delivered = Vec::new();
                let parked = o.consume(&mut delivered) == 0 && !o.ring.is_finished();
                if parked {
                    o.ring.rearm(&o.wake);
                }
                parked
            })
        };
        writer.join().unwrap();
        let parked = reader.join().unwrap();
        if parked && !o.wake.is_ready() {
            // Asleep for good: only correct if there is nothing to wake up for.
            let mut delivered = Vec::new();
            assert_eq!(o.consume(&mut delivered), 0, "lost wake-up: data unread");
            assert!(!o.ring.is_finished(), "lost wake-up: end of stream unseen");
        }
    });
}

#[test]
fn consumer_never_sleeps_on_data() {
    consumer_never_sleeps_on_something_readable(false);
}

#[test]
fn consumer_never_sleeps_on_end_of_stream() {
    consumer_never_sleeps_on_something_readable(true);
}

/// A wake handle for a producer held right at its raise: it says so, then waits for
/// the model to let it go. Stands for a producer thread the OS deschedules between
/// deciding to raise and raising.
struct HeldAtRaise<'a> {
    real: &'a EventFd,
    held: &'a AtomicBool,
    release: &'a AtomicBool,
}

impl Wake for HeldAtRaise<'_> {
    fn raise(&self) {
        self.held.store(true, Ordering::SeqCst);
        while !self.release.load(Ordering::SeqCst) {
            thread::yield_now();
        }
        self.real.raise();
    }
    fn drain(&self) {
        self.real.drain();
    }
}

/// Who answers a wake-up request: a producer held right at its raise must not hold up
/// the wake-up another producer's later write owes the waiting consumer. (The old
/// protocol gave the duty to the producer that took the request, so every later write
/// raised nothing until it ran again.)
#[test]
fn a_producer_held_at_its_raise_delays_no_later_wake_up() {
    check(2, || {
        let o = ring(4, Overflow::Reject);
        let gate = Arc::new((
            AtomicBool::new(false),
            AtomicBool::new(false),
            AtomicBool::new(false),
        ));
        // Written and read once, then the consumer parks with its request open.
        let mut delivered = Vec::new();
        o.produce(&[0]);
        o.consume(&mut delivered);
        o.ring.rearm(&o.wake);
        let held = {
            let (o, gate) = (o.clone(), gate.clone());
            thread::spawn(move || {
                let (held, release, done) = (&gate.0, &gate.1, &gate.2);
                let wake = HeldAtRaise {
                    real: &o.wake,
                    held,
                    release,
                };
                o.ring.write_or_drop(&[1], &wake);
                done.store(true, Ordering::SeqCst);
            })
        };
        let later = {
            let (o, gate) = (o.clone(), gate.clone());
            thread::spawn(move || {
                // After the held producer has left (held at its raise, or done).
                while !gate.0.load(Ordering::SeqCst) && !gate.2.load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                o.produce(&[2]);
            })
        };
        later.join().unwrap();
        // The held producer may still be held: the consumer's view now.
        if !o.wake.is_ready() {
            assert_eq!(o.ring.levels().0, 0, "consumer asleep with data visible");
        }
        gate.1.store(true, Ordering::SeqCst);
        held.join().unwrap();
    });
}

/// Defect 10: `levels()` must describe one state the ring was in, even when more than
/// the capacity flows between its loads. Here no state ever holds more than one byte.
#[test]
fn levels_never_mix_two_states() {
    check(2, || {
        let o = ring(2, Overflow::Reject);
        let observer = {
            let o = o.clone();
            thread::spawn(move || o.ring.levels())
        };
        let traffic = {
            let o = o.clone();
            thread::spawn(move || {
                let mut delivered = Vec::new();
                for value in 0..3u8 {
                    o.produce(&[value]);
                    o.consume(&mut delivered);
                }
            })
        };
        traffic.join().unwrap();
        let (available, free) = observer.join().unwrap();
        assert!(available <= 1, "available {available}: never held");
        assert!(
            free >= 1 || (available, free) == (0, 0),
            "free {free}: never that full"
        );
    });
}

// --- the event queue -------------------------------------------------------------------

struct OwnedQueue {
    _storage: Vec<u8>,
    queue: EventQueue,
    wake: EventFd,
}

fn queue(events: usize, when_full: WhenFull) -> Arc<OwnedQueue> {
    let mut storage = vec![0u8; events * RECORD_SIZE];
    // SAFETY: the storage lives as long as the queue, in the same struct.
    let queue = unsafe { EventQueue::new(storage.as_mut_ptr(), events, when_full) };
    Arc::new(OwnedQueue {
        _storage: storage,
        queue,
        wake: EventFd::new(),
    })
}

fn event(tag: u16, value: i32) -> Event {
    Event {
        tag,
        value,
        t_us: value as u32 * 10 + u32::from(tag),
    }
}

/// Two sources post into a one-event queue while the consumer pops: each source's
/// events in order, none torn or repeated, posted = received + dropped, for both
/// policies. (The old ring lost and duplicated events here: defects 1 and 2.) Three
/// threads: one preemption, as `two_producers_and_a_consumer`.
fn posters_and_a_consumer(when_full: WhenFull) {
    check(1, move || {
        let q = queue(1, when_full);
        let posters: Vec<_> = [1u16, 2]
            .into_iter()
            .map(|tag| {
                let q = q.clone();
                thread::spawn(move || {
                    (1..=2)
                        .filter(|v| q.queue.post(event(tag, *v), &q.wake))
                        .count()
                })
            })
            .collect();
        let consumer = {
            let q = q.clone();
            thread::spawn(move || q.queue.pop())
        };
        let stored: usize = posters.into_iter().map(|p| p.join().unwrap()).sum();
        let mut received: Vec<Event> = consumer.join().unwrap().into_iter().collect();
        while let Some(e) = q.queue.pop() {
            received.push(e);
        }
        for e in &received {
            assert_eq!(*e, event(e.tag, e.value), "torn record {e:?}");
        }
        for tag in [1u16, 2] {
            let values: Vec<i32> = received
                .iter()
                .filter(|e| e.tag == tag)
                .map(|e| e.value)
                .collect();
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "order or duplicate: {values:?}"
            );
        }
        assert_eq!(received.len() + q.queue.dropped(), 4, "unaccounted");
        if when_full == WhenFull::DropNewest {
            assert_eq!(received.len(), stored);
        }
    });
}

#[test]
fn event_posters_and_a_consumer_drop_newest() {
    posters_and_a_consumer(WhenFull::DropNewest);
}

#[test]
fn event_posters_and_a_consumer_overwrite_oldest() {
    posters_and_a_consumer(WhenFull::OverwriteOldest);
}

// --- the flag ----------------------------------------------------------------------------

struct OwnedFlag {
    flag: Flag,
    wake: EventFd,
}

fn flag() -> Arc<OwnedFlag> {
    Arc::new(OwnedFlag {
        flag: Flag::new(),
        wake: EventFd::new(),
    })
}

/// Defect 6: `clear()` racing `set()`. Clearing before draining swallowed the raise of
/// a `set()` that ran in between: the flag stayed set with the eventfd empty, so a
/// parked `wait()` slept on.
#[test]
fn clear_racing_set_never_loses_the_wake_up() {
    check(3, || {
        let f = flag();
        let producer = {
            let f = f.clone();
            thread::spawn(move || f.flag.set(1, &f.wake))
        };
        let consumer = {
            let f = f.clone();
            thread::spawn(move || f.flag.clear_draining(&f.wake))
        };
        producer.join().unwrap();
        consumer.join().unwrap();
        assert!(
            !f.flag.is_set() || f.wake.is_ready(),
            "set, but its waiter sleeps"
        );
    });
}

/// The consumer's take racing sets: after it, either nothing is pending or the wake
/// handle is ready (the next `wait()` does not sleep on a set flag).
#[test]
fn take_racing_sets_never_loses_the_wake_up() {
    check(3, || {
        let f = flag();
        let producers: Vec<_> = (1..=2)
            .map(|t| {
                let f = f.clone();
                thread::spawn(move || f.flag.set(t, &f.wake))
            })
            .collect();
        let consumer = {
            let f = f.clone();
            thread::spawn(move || f.flag.take_draining(&f.wake))
        };
        for p in producers {
            p.join().unwrap();
        }
        consumer.join().unwrap();
        assert!(
            !f.flag.is_set() || f.wake.is_ready(),
            "set, but its waiter sleeps"
        );
    });
}

/// Defect 7: a round's timestamp belongs to a `set()` of that round. The old flag could
/// hand the next round the stamp of a call already taken with the previous one.
#[test]
fn each_round_carries_the_stamp_of_one_of_its_own_sets() {
    check(3, || {
        let f = flag();
        let producers: Vec<_> = [10u32, 20]
            .into_iter()
            .map(|t| {
                let f = f.clone();
                thread::spawn(move || f.flag.set(t, &f.wake))
            })
            .collect();
        let consumer = {
            let f = f.clone();
            thread::spawn(move || f.flag.take_draining(&f.wake))
        };
        for p in producers {
            p.join().unwrap();
        }
        let first = consumer.join().unwrap();
        let second = f.flag.take_draining(&f.wake);
        let rounds: Vec<_> = [first, second].into_iter().flatten().collect();
        assert_eq!(rounds.iter().map(|r| r.count).sum::<u32>(), 2);
        for r in &rounds {
            assert!([10, 20].contains(&r.first_at), "{rounds:?}");
        }
        if rounds.len() == 2 {
            assert_ne!(
                rounds[0].first_at, rounds[1].first_at,
                "one set, two rounds: {rounds:?}"
            );
        }
    });
}

/// The flag's version of `a_producer_held_at_its_raise_delays_no_later_wake_up`: the
/// set() that opened a round, held at its raise, must not keep a later set() from
/// waking the waiter.
#[test]
fn a_set_held_at_its_raise_delays_no_later_wake_up() {
    check(2, || {
        let f = flag();
        let gate = Arc::new((
            AtomicBool::new(false),
            AtomicBool::new(false),
            AtomicBool::new(false),
        ));
        // The waiter found the flag clear and sleeps.
        assert_eq!(f.flag.take_draining(&f.wake), None);
        let held = {
            let (f, gate) = (f.clone(), gate.clone());
            thread::spawn(move || {
                let (held, release, done) = (&gate.0, &gate.1, &gate.2);
                f.flag.set(
                    1,
                    &HeldAtRaise {
                        real: &f.wake,
                        held,
                        release,
                    },
                );
                done.store(true, Ordering::SeqCst);
            })
        };
        let later = {
            let (f, gate) = (f.clone(), gate.clone());
            thread::spawn(move || {
                while !gate.0.load(Ordering::SeqCst) && !gate.2.load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                f.flag.set(2, &f.wake);
            })
        };
        later.join().unwrap();
        assert!(f.wake.is_ready(), "the flag is set and its waiter sleeps");
        gate.1.store(true, Ordering::SeqCst);
        held.join().unwrap();
    });
}

/// `set()` publishes what its producer wrote before it to the consumer that takes the
/// round (Release/Acquire on the flag's word; loom reports a race otherwise).
#[test]
fn a_set_publishes_what_its_producer_wrote_before_it() {
    check(2, || {
        let f = flag();
        let data = Arc::new(loom::cell::UnsafeCell::new(0u32));
        let producer = {
            let (f, data) = (f.clone(), data.clone());
            thread::spawn(move || {
                // SAFETY (model): only this thread writes, before set().
                data.with_mut(|d| unsafe { *d = 7 });
                f.flag.set(1, &f.wake);
            })
        };
        let consumer = {
            let (f, data) = (f.clone(), data.clone());
            thread::spawn(move || {
                // A consumer that sees the flag set (is_set(), or a take) sees the write.
                // (is_set() first: loom does not switch threads at a fence, so the take's
                // own fence would hide a missing Release.)
                if f.flag.is_set() || f.flag.take_draining(&f.wake).is_some() {
                    // SAFETY (model): read after the round that publishes the write.
                    assert_eq!(data.with(|d| unsafe { *d }), 7);
                }
            })
        };
        producer.join().unwrap();
        consumer.join().unwrap();
    });
}

// --- the ring: orderings the protocol relies on ----------------------------------------

/// A discard frees another producer's byte for a third producer to reuse: the reuse
/// must be ordered after the discarded byte's write (the discard's Release half), or
/// loom reports two concurrent writes of one storage cell.
#[test]
fn reuse_of_a_byte_another_producer_discarded_is_ordered() {
    check(2, || {
        let o = ring(1, Overflow::Overwrite);
        let writers: Vec<_> = [1u8, 2, 11]
            .into_iter()
            .map(|v| {
                let o = o.clone();
                thread::spawn(move || {
                    o.produce(&[v]);
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let mut delivered = Vec::new();
        o.drain_into(&mut delivered);
        assert_eq!(delivered.len() + o.ring.dropped(), 3, "unaccounted");
    });
}
