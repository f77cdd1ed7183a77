//! The port's wake handle, as one object shares it between producers and the loop.
use core::ffi::c_int;

use super::stream_error;
use super::sys;

use super::port::{
    irqio_port_wake_close, irqio_port_wake_drain, irqio_port_wake_open, irqio_port_wake_raise,
};
#[cfg(not(target_os = "none"))]
use crate::core::atomic::AtomicI32;
use crate::core::atomic::Ordering;
use crate::core::ring::Ring;
use crate::core::wake::Wake;

/// A file descriptor on unix, `-1` on ports that poll through the ioctl. Producers
/// read it from any context while the finaliser may close it, hence the atomic
/// (loads and stores only: native on every target with atomics; on targets without
/// them, portable-atomic takes the port's atomic section even for those).
pub struct WakeHandle(Handle);

/// Hosted ports (unix) keep a descriptor per object.
#[cfg(not(target_os = "none"))]
type Handle = AtomicI32;

/// Bare-metal ports have no descriptors (their `irqio_port_wake_open` gives `-1`):
/// nothing to keep, which makes a flag 16 bytes (one GC block) smaller.
#[cfg(target_os = "none")]
struct Handle;

#[cfg(target_os = "none")]
impl Handle {
    const fn new(_: c_int) -> Self {
        Handle
    }
    fn load(&self, _: Ordering) -> c_int {
        -1
    }
    fn store(&self, _: c_int, _: Ordering) {}
    fn swap(&self, _: c_int, _: Ordering) -> c_int {
        -1
    }
}

impl WakeHandle {
    pub const fn closed() -> Self {
        WakeHandle(Handle::new(-1))
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

    /// The last step of every constructor: opens the handle of the object at `obj`
    /// and hands the object out; on failure reports the errno (the object stays a
    /// valid, closed one for its finaliser).
    ///
    /// # Safety
    /// `out` and `err` must be writable.
    pub unsafe fn open_for(
        &self,
        obj: super::sys::mp_obj_t,
        out: *mut super::sys::mp_obj_t,
        err: *mut c_int,
    ) -> super::Status {
        match self.open() {
            Ok(()) => {
                // SAFETY: caller guarantees `out` is writable.
                unsafe { *out = obj };
                super::Status::Ok
            }
            Err(errno) => {
                // SAFETY: caller guarantees `err` is writable.
                unsafe { *err = errno };
                super::Status::OsError
            }
        }
    }

    /// The pollable file descriptor, if the port has one.
    pub fn fileno(&self) -> Option<c_int> {
        let fd = self.0.load(Ordering::Acquire);
        (fd >= 0).then_some(fd)
    }

    /// The stream ioctl every irqio object answers alike (one copy: flash). `ready`:
    /// the `MP_STREAM_POLL_*` bits that hold now (`MP_STREAM_POLL` never fails: the
    /// poller must not see an exception); `offer_fd`: whether to give the poller this
    /// handle's descriptor; `ring`: what `MP_STREAM_CLOSE` closes (then readers are
    /// woken to see end-of-stream); objects without one refuse it.
    ///
    /// # Safety
    /// `err` must be writable.
    pub unsafe fn stream_ioctl(
        &self,
        request: usize,
        arg: usize,
        err: *mut c_int,
        ready: usize,
        offer_fd: bool,
        ring: Option<&Ring>,
    ) -> usize {
        match (request as u32, ring) {
            (sys::MP_STREAM_POLL, _) => ready & arg,
            (sys::MP_STREAM_FLUSH, Some(_)) => 0,
            (sys::MP_STREAM_CLOSE, Some(ring)) => {
                ring.close();
                self.raise();
                0
            }
            (sys::MP_STREAM_GET_FILENO, _) if offer_fd => match self.fileno() {
                Some(fd) => fd as usize,
                // SAFETY: caller guarantees `err` is writable.
                None => unsafe { stream_error(err, sys::MP_EINVAL) },
            },
            // SAFETY: caller guarantees `err` is writable.
            _ => unsafe { stream_error(err, sys::MP_EINVAL) },
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

impl Wake for WakeHandle {
    /// ISR-safe: wakes the loop and makes the handle readable.
    fn raise(&self) {
        // SAFETY: the port hook accepts any handle this object holds (-1 included) and
        // is safe from interrupts, threads and signal handlers.
        unsafe { irqio_port_wake_raise(self.0.load(Ordering::Acquire)) }
    }

    fn drain(&self) {
        // SAFETY: as in `raise`.
        unsafe { irqio_port_wake_drain(self.0.load(Ordering::Acquire)) }
    }
}
