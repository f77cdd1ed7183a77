//! How a producer gets a sleeping consumer going again, as the core sees it.
//!
//! A port's wake handle (an eventfd on unix, the CPU's event flag on rp2, a task
//! notification on esp32) is level-like: [`Wake::raise`] makes it ready, [`Wake::drain`]
//! makes it not ready, and a consumer sleeps only while it is not ready. The flag and
//! the ring each pair their state with one handle under a protocol that never leaves
//! the consumer asleep while it has something to take; the protocols live next to the
//! state they guard (`Flag::take_draining`, `Ring::rearm`), so that the model checker
//! (`tests/loom.rs`) checks them with the handle modelled.
pub trait Wake {
    /// Makes the handle ready and wakes the loop. Called from producers: must be safe
    /// in interrupt handlers and signal handlers, allocate nothing and never block.
    fn raise(&self);
    /// Consumes pending readiness. Called by the consumer only.
    fn drain(&self);
}
