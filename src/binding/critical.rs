//! `critical-section` on MicroPython's own atomic section.
//!
//! On rp2 this disables interrupts and takes the inter-core spinlock, on esp32 it is
//! the FreeRTOS critical section: both safe against interrupts and the other core.
//! The core takes it only for atomics the target lacks (portable-atomic on
//! Cortex-M0+ and RV32IMC); targets with compare-and-swap never enter it, which is
//! what keeps unix signal handlers (whose "atomic section" is a mutex) lock-free.

extern "C" {
    fn irqio_atomic_begin() -> usize;
    fn irqio_atomic_end(state: usize);
}

struct MicroPythonAtomicSection;
critical_section::set_impl!(MicroPythonAtomicSection);

// SAFETY: acquire/release nest like MICROPY_BEGIN/END_ATOMIC_SECTION, which is what
// the critical-section contract needs: the state returned by acquire is handed back
// unchanged to the matching release.
unsafe impl critical_section::Impl for MicroPythonAtomicSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        // SAFETY: C wrapper of MICROPY_BEGIN_ATOMIC_SECTION, callable from any context.
        unsafe { irqio_atomic_begin() }
    }

    unsafe fn release(state: critical_section::RawRestoreState) {
        // SAFETY: `state` came from the matching acquire (contract of this trait).
        unsafe { irqio_atomic_end(state) }
    }
}
