//! A hard interrupt that nests inside a producer, on real threads: POSIX signals
//! delivered to the producer threads themselves, whose handler writes into the same
//! ring, so a write runs in the middle of another write on the same thread, at any
//! instruction. The pattern that found the lost and duplicated records of the old
//! ring's lap (ABA) bug; here as a host stress test for every policy.
//!
//! Evidence, not proof: the proof is the model checker's (`tests/loom.rs`).
#![cfg(all(unix, not(loom), not(miri)))]

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use irqio::core::ring::{Overflow, Ring};
use irqio::core::wake::Wake;

/// Wake-ups are not what these tests look at.
struct Quiet;
impl Wake for Quiet {
    fn raise(&self) {}
    fn drain(&self) {}
}

const RECORD: usize = 8;
const THREADS: usize = 2;
/// Record sources: each producer thread, and the signal handler on each of them.
const SOURCES: usize = THREADS * 2;

static RING: AtomicPtr<Ring> = AtomicPtr::new(std::ptr::null_mut());
/// The producer threads, so the handler knows on which one it runs.
static THREAD_IDS: [AtomicUsize; THREADS] = [AtomicUsize::new(0), AtomicUsize::new(0)];
/// Per handler source: records attempted (also their sequence numbers).
static SIGNAL_SEQ: [AtomicU32; THREADS] = [AtomicU32::new(0), AtomicU32::new(0)];

fn record(source: usize, seq: u32) -> [u8; RECORD] {
    let s = seq.to_le_bytes();
    let check = (source as u8).wrapping_mul(31) ^ s[0] ^ s[3];
    [source as u8, s[0], s[1], s[2], s[3], check, !check, 0x7e]
}

fn parse(rec: &[u8]) -> (usize, u32) {
    let source = rec[0] as usize;
    let seq = u32::from_le_bytes([rec[1], rec[2], rec[3], rec[4]]);
    assert_eq!(rec, record(source, seq), "torn or corrupted record");
    (source, seq)
}

extern "C" fn on_signal(_: libc::c_int) {
    let ring = RING.load(Ordering::Acquire);
    if ring.is_null() {
        return;
    }
    // SAFETY: pthread_self is async-signal-safe.
    let me = unsafe { libc::pthread_self() } as usize;
    let Some(thread) = THREAD_IDS
        .iter()
        .position(|t| t.load(Ordering::Relaxed) == me)
    else {
        return;
    };
    // A signal does not nest with itself on one thread: this counter is ordered.
    let seq = SIGNAL_SEQ[thread].fetch_add(1, Ordering::Relaxed);
    // SAFETY: the ring outlives the handler's installation (see `run`).
    unsafe { &*ring }.write_or_drop(&record(THREADS + thread, seq), &Quiet);
}

fn run(overflow: Overflow, capacity: usize, duration: Duration) {
    let mut storage = vec![0u8; capacity];
    // SAFETY: the storage outlives the ring; both outlive every producer (joined below)
    // and the handler (RING is cleared before they go).
    let ring = Box::new(unsafe { Ring::new(storage.as_mut_ptr(), capacity, overflow) });
    RING.store(&*ring as *const Ring as *mut Ring, Ordering::Release);
    for seq in &SIGNAL_SEQ {
        seq.store(0, Ordering::Relaxed);
    }
    // SAFETY: installing a handler that only does async-signal-safe work (atomics and
    // the lock-free ring).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let stop = stop.clone();
            let ring = RING.load(Ordering::Acquire) as usize;
            std::thread::spawn(move || {
                // SAFETY: pthread_self has no preconditions.
                THREAD_IDS[t].store(unsafe { libc::pthread_self() } as usize, Ordering::Relaxed);
                // SAFETY: as above: the ring outlives this thread.
                let ring = unsafe { &*(ring as *const Ring) };
                let mut seq = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    ring.write_or_drop(&record(t, seq), &Quiet);
                    seq += 1;
                }
                seq
            })
        })
        .collect();
    while THREAD_IDS.iter().any(|t| t.load(Ordering::Relaxed) == 0) {
        std::thread::yield_now();
    }
    let handles: Vec<libc::pthread_t> = producers
        .iter()
        .map(|p| {
            use std::os::unix::thread::JoinHandleExt;
            p.as_pthread_t()
        })
        .collect();
    let signaller = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut sent = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for &h in &handles {
                    // SAFETY: the producer threads are alive until `stop`.
                    unsafe { libc::pthread_kill(h, libc::SIGUSR1) };
                    sent += 1;
                }
                std::thread::yield_now();
            }
            sent
        })
    };

    let mut last = [None::<u32>; SOURCES];
    let mut received = 0u64;
    let mut pending = Vec::new();
    let mut chunk = [0u8; 3 * RECORD];
    let mut take = |pending: &mut Vec<u8>, received: &mut u64| {
        let n = ring.read(&mut chunk);
        pending.extend_from_slice(&chunk[..n]);
        let whole = pending.len() / RECORD * RECORD;
        for rec in pending[..whole].chunks(RECORD) {
            let (source, seq) = parse(rec);
            if let Some(prev) = last[source] {
                assert!(
                    seq > prev,
                    "source {source}: {seq} after {prev} (repeated or reordered)"
                );
            }
            last[source] = Some(seq);
            *received += 1;
        }
        pending.drain(..whole);
        n
    };
    let start = Instant::now();
    while start.elapsed() < duration {
        take(&mut pending, &mut received);
    }
    stop.store(true, Ordering::Relaxed);
    let written: u64 = producers
        .into_iter()
        .map(|p| u64::from(p.join().unwrap()))
        .sum();
    let signals = signaller.join().unwrap();
    while take(&mut pending, &mut received) != 0 {}
    RING.store(std::ptr::null_mut(), Ordering::Release);
    for t in &THREAD_IDS {
        t.store(0, Ordering::Relaxed);
    }
    let from_signals: u64 = SIGNAL_SEQ
        .iter()
        .map(|s| u64::from(s.load(Ordering::Relaxed)))
        .sum();
    assert!(pending.is_empty(), "a record was split");
    assert!(
        from_signals > 100,
        "the handler ran {from_signals} times of {signals} signals"
    );
    let dropped = ring.dropped() as u64;
    assert_eq!(dropped % RECORD as u64, 0, "a record was split");
    assert_eq!(
        received + dropped / RECORD as u64,
        written + from_signals,
        "records unaccounted for ({received} received, {} dropped)",
        dropped / RECORD as u64
    );
    drop(ring);
    drop(storage);
}

fn duration() -> Duration {
    let ms = std::env::var("IRQIO_STRESS_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    Duration::from_millis(ms)
}

/// One test runs every policy in turn: the handler and the ring pointer are
/// process-wide, so the policies must not run at once.
#[test]
fn signal_handlers_nested_in_producers_lose_nothing_uncounted() {
    for (overflow, capacity) in [
        (Overflow::Reject, 8),
        (Overflow::Reject, 64),
        (Overflow::Truncate, 64),
        (Overflow::Overwrite, 8),
        (Overflow::Overwrite, 64),
    ] {
        run(overflow, capacity, duration());
    }
}
