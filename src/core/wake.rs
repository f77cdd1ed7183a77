//! How a producer gets a sleeping consumer going again, as the core sees it.
//!
//! A port's wake handle (an eventfd on unix, the CPU's event flag on rp2, a task
//! notification on esp32) is level-like: [`Wake::raise`] makes it ready, [`Wake::drain`]
//! makes it not ready, and a consumer sleeps only while it is not ready. The flag and
//! the ring each pair their state with one handle and one [`Request`], under a protocol
//! that never leaves the consumer asleep while it has something to take; the protocols
//! live next to the state they guard (`Flag::take_draining`, `Ring::rearm`), so that
//! the model checker (`tests/loom.rs`) checks them with the handle modelled.

use super::atomic::{fence, AtomicU32, Ordering};

pub trait Wake {
    /// Makes the handle ready and wakes the loop. Called from producers: must be safe
    /// in interrupt handlers and signal handlers, allocate nothing and never block.
    fn raise(&self);
    /// Consumes pending readiness. Called by the consumer only.
    fn drain(&self);
}

/// A consumer's request for one wake-up, and who answers it.
///
/// Invariant: the word is odd while a request is open. Only the consumer opens one,
/// always with a value the word never held before ([`Request::open`]; the word wraps
/// after 2^31 requests); a producer that
/// finds a request open raises the wake and only then closes it, with a
/// compare-and-swap from the value it saw ([`Request::answer`]). So:
/// - the duty to raise is never held by one producer: until someone has raised, the
///   request stays open and every producer that looks raises (a producer stopped
///   between its look and its raise delays nobody);
/// - a producer that looked long ago cannot close a later request (its value is gone),
///   unless the consumer opens 2^31 requests meanwhile;
/// - one wake-up per request when producers do not race (racing ones may raise twice).
///
/// Both sides fence (SeqCst) between their own step and their look at the other's:
/// the consumer after opening, before it re-checks for something to take; the producer
/// after publishing, before it looks at the request (Dekker's pattern). Either the
/// consumer's re-check sees what the producer published, or the producer sees the
/// request.
pub struct Request(AtomicU32);

impl Request {
    /// `open`: a request already open (a new ring counts as waited on).
    pub fn new(open: bool) -> Self {
        Request(AtomicU32::new(u32::from(open)))
    }

    /// The consumer will sleep unless its re-check, after this, finds something.
    pub fn open(&self) {
        // Move to the next odd value: one no producer can hold (a producer closes only
        // the value it saw, and the word only moves forward). If the request was still
        // open (nobody answered it), that takes two steps: closed, then open again.
        // Read-modify-writes, not a load and a store: a store could fall between a
        // producer's read and write of the word.
        if self.0.fetch_add(1, Ordering::Relaxed) & 1 != 0 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
    }

    /// The consumer's re-check found something: it will not sleep, so it closes its
    /// own request (if a producer has not already answered it).
    pub fn withdraw(&self) {
        let seen = self.0.load(Ordering::Relaxed);
        if seen & 1 != 0 {
            let _ = self.0.compare_exchange(
                seen,
                seen.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
    }

    /// The word itself, for tests that play a producer stopped mid-answer.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn word(&self) -> &AtomicU32 {
        &self.0
    }

    /// A producer has published: raises `wake` if a request is open, then closes it.
    #[inline(always)]
    pub fn answer(&self, wake: &impl Wake) {
        fence(Ordering::SeqCst);
        let seen = self.0.load(Ordering::Relaxed);
        if seen & 1 != 0 {
            wake.raise();
            // Fails harmlessly if another producer answered, or the consumer opened a
            // new request meanwhile (which this raise may then have answered early:
            // one spurious wake-up at most).
            let _ = self.0.compare_exchange(
                seen,
                seen.wrapping_add(1),
                Ordering::Release,
                Ordering::Relaxed,
            );
        }
    }
}
