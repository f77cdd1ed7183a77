//! The per-port hooks, implemented in C under `ports/<port>/irqio_port.c`.
//!
//! A "wake" is how a producer gets the asyncio loop out of its idle wait at once:
//! on unix an eventfd that `poll()` blocks on, on bare-metal ports the port's own
//! wake-up (`__sev` on rp2, the main-task notification on esp32). Handles are `int`:
//! a file descriptor where the port has them, otherwise `-1`.
use core::ffi::{c_char, c_int};

extern "C" {
    /// Opens a wake handle into `*handle`: a pollable file descriptor, or `-1` where
    /// objects are polled through their ioctl. Returns 0 or an errno.
    pub fn irqio_port_wake_open(handle: *mut c_int) -> c_int;
    /// Makes the handle readable and wakes the loop. Safe from interrupts and signal
    /// handlers; allocates nothing.
    pub fn irqio_port_wake_raise(handle: c_int);
    /// Consumes pending wake-ups so the handle stops reading as ready.
    pub fn irqio_port_wake_drain(handle: c_int);
    pub fn irqio_port_wake_close(handle: c_int);
    /// Reports a fatal error through the port's fatal path; does not return.
    pub fn irqio_port_fatal(msg: *const c_char) -> !;
}
