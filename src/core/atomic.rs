//! The atomics the core uses.
//!
//! `portable-atomic` gives native instructions where the target has them (x86-64,
//! Cortex-M33, RV32IMAC, Xtensa) and, on targets without compare-and-swap (Cortex-M0+,
//! RV32IMC), builds read-modify-write operations from critical sections. The critical
//! section there is MicroPython's atomic section (see `binding::critical`), so it holds
//! off interrupts and, on dual-core rp2, the other core.
pub use portable_atomic::{fence, AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering};
