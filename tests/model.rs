//! Property tests: the ring, under every policy, behaves like a plain model (a
//! `VecDeque` with a capacity) for random sequences of writes, reads, closes and
//! statistics resets, single-threaded. The concurrent behaviour is the model
//! checker's (`tests/loom.rs`); this pins down what each policy means.
#![cfg(not(loom))]

use std::collections::VecDeque;

use irqio::core::events::{Event, EventQueue, WhenFull, RECORD_SIZE};
use irqio::core::ring::{Overflow, Ring};
use irqio::core::wake::Wake;

/// Wake-ups are not what these tests look at.
struct Quiet;
impl Wake for Quiet {
    fn raise(&self) {}
    fn drain(&self) {}
}
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Write(Vec<u8>),
    Read(usize),
    Close,
    ResetStats,
}

fn op(capacity: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => prop::collection::vec(any::<u8>(), 0..=capacity * 2 + 1).prop_map(Op::Write),
        6 => (0..=capacity + 1).prop_map(Op::Read),
        1 => Just(Op::Close),
        1 => Just(Op::ResetStats),
    ]
}

/// What the ring should do, written as plainly as possible.
struct Model {
    capacity: usize,
    overflow: Overflow,
    bytes: VecDeque<u8>,
    dropped: usize,
    high_water: usize,
    closed: bool,
}

impl Model {
    /// Returns what `write_or_drop` reports as stored (for an overwrite, consumed).
    fn write(&mut self, data: &[u8]) -> usize {
        if self.closed {
            self.dropped += data.len();
            return 0;
        }
        let free = self.capacity - self.bytes.len();
        let stored = match self.overflow {
            Overflow::Truncate => {
                let n = data.len().min(free);
                self.bytes.extend(&data[..n]);
                n
            }
            Overflow::Reject if data.len() <= free => {
                self.bytes.extend(data);
                data.len()
            }
            Overflow::Reject => 0,
            Overflow::Overwrite => {
                // Only the newest `capacity` bytes can survive; then the oldest unread
                // bytes make room. Both count as dropped; the write consumes it all.
                let keep = &data[data.len().saturating_sub(self.capacity)..];
                let discard = (self.bytes.len() + keep.len()).saturating_sub(self.capacity);
                self.bytes.drain(..discard);
                self.bytes.extend(keep);
                self.dropped += discard + (data.len() - keep.len());
                data.len()
            }
        };
        self.dropped += data.len() - stored;
        self.high_water = self.high_water.max(self.bytes.len());
        stored
    }

    fn read(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.bytes.len());
        self.bytes.drain(..n).collect()
    }
}

fn check_ring(capacity: usize, overflow: Overflow, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut storage = vec![0u8; capacity];
    // SAFETY: the storage outlives the ring, which is dropped at the end of this call.
    let ring = unsafe { Ring::new(storage.as_mut_ptr(), capacity, overflow) };
    let mut model = Model {
        capacity,
        overflow,
        bytes: VecDeque::new(),
        dropped: 0,
        high_water: 0,
        closed: false,
    };
    for op in ops {
        match op {
            Op::Write(data) => {
                let stored = ring.write_or_drop(&data, &Quiet);
                prop_assert_eq!(stored, model.write(&data), "stored by {:?}", data);
            }
            Op::Read(n) => {
                let mut out = vec![0u8; n];
                let got = ring.read(&mut out);
                out.truncate(got);
                prop_assert_eq!(out, model.read(n));
            }
            Op::Close => {
                ring.close();
                model.closed = true;
            }
            Op::ResetStats => {
                prop_assert_eq!(ring.take_dropped(), model.dropped);
                model.dropped = 0;
                ring.reset_high_water();
                model.high_water = model.bytes.len();
            }
        }
        let used = model.bytes.len();
        prop_assert_eq!(ring.levels(), (used, capacity - used));
        prop_assert_eq!(ring.dropped(), model.dropped);
        prop_assert_eq!(ring.high_water(), model.high_water);
        prop_assert_eq!(ring.is_closed(), model.closed);
        prop_assert_eq!(ring.is_finished(), model.closed && used == 0);
    }
    Ok(())
}

fn policy() -> impl Strategy<Value = Overflow> {
    prop_oneof![
        Just(Overflow::Truncate),
        Just(Overflow::Reject),
        Just(Overflow::Overwrite)
    ]
}

/// Thousands of cases natively; a few under Miri, which also cannot keep proptest's
/// file of failing cases (no file system).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 4000 });
    if cfg!(miri) {
        config.failure_persistence = None;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_policy_behaves_like_the_model(
        (capacity, overflow, ops) in (1usize..=9, policy()).prop_flat_map(|(capacity, overflow)| {
            (Just(capacity), Just(overflow), prop::collection::vec(op(capacity), 0..60))
        })
    ) {
        check_ring(capacity, overflow, ops)?;
    }

    #[test]
    fn event_queues_behave_like_the_model(
        events in 1usize..=4,
        overwrite in any::<bool>(),
        ops in prop::collection::vec(prop_oneof![3 => any::<i16>().prop_map(Some), 2 => Just(None)], 0..50),
    ) {
        let when_full = if overwrite { WhenFull::OverwriteOldest } else { WhenFull::DropNewest };
        let mut storage = vec![0u8; events * RECORD_SIZE];
        // SAFETY: the storage outlives the queue.
        let queue = unsafe { EventQueue::new(storage.as_mut_ptr(), events, when_full) };
        let mut model: VecDeque<Event> = VecDeque::new();
        let mut dropped = 0;
        for (i, op) in ops.into_iter().enumerate() {
            match op {
                Some(value) => {
                    let e = Event { tag: i as u16, value: value.into(), t_us: i as u32 * 7 };
                    let stored = queue.post(e, &Quiet);
                    if model.len() < events {
                        prop_assert!(stored);
                        model.push_back(e);
                    } else if overwrite {
                        prop_assert!(stored);
                        model.pop_front();
                        model.push_back(e);
                        dropped += 1;
                    } else {
                        prop_assert!(!stored);
                        dropped += 1;
                    }
                }
                None => prop_assert_eq!(queue.pop(), model.pop_front()),
            }
            prop_assert_eq!(queue.len(), model.len());
            prop_assert_eq!(queue.dropped(), dropped);
        }
    }
}
