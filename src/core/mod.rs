//! The portable core: `no_std`, allocation-free and unaware of MicroPython.
//!
//! Every type here is `Sync`, is safe to use from interrupt handlers, threads and the
//! other core as each documents, and is tested on the host with `cargo test`.
pub mod atomic;
pub mod events;
pub mod flag;
pub mod ring;
