//! The portable core: `no_std`, allocation-free and unaware of MicroPython.
//!
//! Every type here is `Sync`, is safe to use from interrupt handlers, threads and the
//! other core as each documents, and is tested on the host: unit and property tests
//! (`cargo test`), model checking (`tests/loom.rs`) and Miri (see
//! `docs/reliability.md`).
pub mod atomic;
pub mod events;
pub mod flag;
pub mod ring;
pub mod sched;
pub mod wake;
