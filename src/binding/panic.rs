//! Panics abort through the port's fatal path (`panic = "abort"`).
//!
//! The message is fixed: formatting `PanicInfo` would pull Rust's formatting
//! machinery into the firmware. Nothing in irqio is expected to panic; this is the
//! backstop that keeps a bug from unwinding into C.
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    // SAFETY: the port hook takes a NUL-terminated string and never returns.
    unsafe { super::port::irqio_port_fatal(c"irqio: internal error (Rust panic)".as_ptr()) }
}

/// Hosted targets (the unix port) ship a precompiled `core` built for unwinding,
/// which refers to this symbol. With `panic = "abort"` nothing ever unwinds, so it is
/// never called; bare-metal targets' `core` does not refer to it.
#[cfg(not(target_os = "none"))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
