//! The atomics the core uses, chosen per target.
//!
//! - `portable-atomic` gives native instructions where the target has them (x86-64,
//!   AArch64, Cortex-M33, RV32IMAC, Xtensa) and, on targets without compare-and-swap
//!   (Cortex-M0+, RV32IMC), builds read-modify-write operations from critical sections.
//!   The critical section there is MicroPython's atomic section (see
//!   `binding::critical`), so it holds off interrupts and, on dual-core rp2, the other
//!   core.
//! - [`Index`] is the widest word the target handles atomically without a lock: ring
//!   indices are tagged with a lap count, and the wider the word, the more traffic it
//!   takes before a tag repeats (see `ring`).
//! - [`AtomicU64`] is native where the target has 64-bit atomics and a critical section
//!   elsewhere (portable-atomic's own fallback for 64-bit atomics on targets that have
//!   32-bit compare-and-swap is a spin lock, which an interrupt handler that preempts
//!   its holder would wait on forever).
//! - Under `cfg(loom)` every type is loom's, so the model checker sees every access.

#[cfg(not(loom))]
pub use portable_atomic::{fence, AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering};

#[cfg(loom)]
pub use loom::sync::atomic::{
    fence, AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};

#[cfg(all(not(loom), target_has_atomic = "64"))]
pub use portable_atomic::AtomicU64;

#[cfg(all(not(loom), not(target_has_atomic = "64")))]
pub use cs_u64::AtomicU64;

// On a hosted port the critical section is MicroPython's atomic section, a mutex on
// unix: a signal handler calling a producer while its thread holds it would wait on
// it forever. Hosted targets without 64-bit atomics (32-bit MIPS or PowerPC Linux)
// would take it for the flag's word, so they are refused rather than deadlock.
#[cfg(all(not(loom), not(target_os = "none"), not(target_has_atomic = "64")))]
compile_error!(
    "irqio needs 64-bit atomics on hosted targets (the flag's state is one 64-bit word)"
);

/// Ring indices: the widest word with lock-free atomics on this target.
#[cfg(any(loom, target_has_atomic = "64"))]
pub type Index = u64;
#[cfg(any(loom, target_has_atomic = "64"))]
pub type AtomicIndex = AtomicU64;
#[cfg(all(not(loom), not(target_has_atomic = "64")))]
pub type Index = u32;
#[cfg(all(not(loom), not(target_has_atomic = "64")))]
pub type AtomicIndex = AtomicU32;

/// A 64-bit atomic built on critical sections, for 32-bit targets (see the module
/// notes). Only the operations the core uses.
#[cfg(all(not(loom), not(target_has_atomic = "64")))]
mod cs_u64 {
    use core::cell::UnsafeCell;

    use super::Ordering;

    pub struct AtomicU64(UnsafeCell<u64>);

    // SAFETY: every access to the cell happens inside a critical section, which excludes
    // interrupts and (MicroPython's atomic section on dual-core ports) the other core.
    unsafe impl Sync for AtomicU64 {}

    impl AtomicU64 {
        pub const fn new(value: u64) -> Self {
            AtomicU64(UnsafeCell::new(value))
        }

        /// Runs `f` on the value inside one critical section. The critical section is a
        /// full barrier on every target it is implemented for, so `Ordering` is moot.
        #[inline]
        fn with<R>(&self, f: impl FnOnce(&mut u64) -> R) -> R {
            // SAFETY: the critical section gives this closure exclusive access to the cell.
            critical_section::with(|_| f(unsafe { &mut *self.0.get() }))
        }

        pub fn load(&self, _order: Ordering) -> u64 {
            self.with(|v| *v)
        }

        pub fn swap(&self, value: u64, _order: Ordering) -> u64 {
            self.with(|v| core::mem::replace(v, value))
        }

        pub fn compare_exchange(
            &self,
            current: u64,
            new: u64,
            _success: Ordering,
            _failure: Ordering,
        ) -> Result<u64, u64> {
            self.with(|v| {
                if *v == current {
                    *v = new;
                    Ok(current)
                } else {
                    Err(*v)
                }
            })
        }
    }
}
