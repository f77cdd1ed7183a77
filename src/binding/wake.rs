//! The port's wake handle, as one object shares it between producers and the loop.
use core::ffi::c_int;

use super::port::{
    irqio_port_wake_close, irqio_port_wake_drain, irqio_port_wake_open, irqio_port_wake_raise,
};
use crate::core::atomic::{AtomicI32, Ordering};
use crate::core::ring::Ring;

/// A file descriptor on unix, `-1` on ports that poll through the ioctl. Producers
/// read it from any context while the finaliser may close it, hence the atomic
/// (loads and stores only, so no critical section on targets without CAS).
pub struct WakeHandle(AtomicI32);

impl WakeHandle {
    pub const fn closed() -> Self {
        WakeHandle(AtomicI32::new(-1))
    }

    /// Opens the port's handle; on failure returns the errno and stays closed.
    pub fn open(&self) -> Result<(), c_int> {
        let mut fd: c_int = -1;
        // SAFETY: `fd` is a writable local.
        match unsafe { irqio_port_wake_open(&mut fd) } {
            0 => {
                self.0.store(fd, Ordering::Release);
                Ok(())
            }
            errno => Err(errno),
        }
    }

    /// The pollable file descriptor, if the port has one.
    pub fn fileno(&self) -> Option<c_int> {
        let fd = self.0.load(Ordering::Acquire);
        (fd >= 0).then_some(fd)
    }

    /// ISR-safe: wakes the loop and makes the handle readable.
    pub fn raise(&self) {
        // SAFETY: the port hook accepts any handle this object holds (-1 included) and
        // is safe from interrupts, threads and signal handlers.
        unsafe { irqio_port_wake_raise(self.0.load(Ordering::Acquire)) }
    }

    pub fn drain(&self) {
        // SAFETY: as in `raise`.
        unsafe { irqio_port_wake_drain(self.0.load(Ordering::Acquire)) }
    }

    /// The consumer found `ring` empty: stop the handle reading as ready, then ask
    /// the ring for a wake-up; if data slipped in between, make the handle ready
    /// again ourselves (the next publish onto an armed ring raises it otherwise).
    pub fn rearm(&self, ring: &Ring) {
        self.drain();
        if ring.arm() {
            self.raise();
        }
    }

    /// Closes the handle once (finalisers may run more than once).
    pub fn close(&self) {
        let fd = self.0.swap(-1, Ordering::AcqRel);
        if fd >= 0 {
            // SAFETY: the handle came from `open` and the swap makes this the only close.
            unsafe { irqio_port_wake_close(fd) }
        }
    }
}
