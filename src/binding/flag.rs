//! `irqio.ThreadSafeFlag`: the core [`Flag`] plus the port's wake handle.
//!
//! Producer functions (`irqio_flag_set`) are the C API for drivers: interrupt-safe,
//! allocation-free, non-raising. The rest serve the module's own C shim
//! (`src/c/flag.c`) on the asyncio side.
use core::cell::Cell;
use core::ffi::c_int;

use super::sys::{self, mp_obj_base_t, mp_obj_t, mp_obj_type_t};
use super::wake::WakeHandle;
use super::{downcast, gc_new, stream_error, ticks_us, ObjHead, Status};
use crate::core::flag::{Flag, Round};

extern "C" {
    /// The type object, defined by the C shim.
    static irqio_type_ThreadSafeFlag: mp_obj_type_t;
}

/// The object's layout on the MicroPython heap.
#[repr(C)]
pub struct FlagObj {
    base: mp_obj_base_t,
    /// The object's asyncio waiter (`src/c/waiter.c`), made on first use; null until
    /// then. At this offset in every irqio object: the C shim reads it there.
    pub(super) waiter: ObjHead,
    flag: Flag,
    /// The port's wake handle (an eventfd on unix).
    wake: WakeHandle,
    /// The last wake taken by the consumer. Only the asyncio side touches it.
    last: Cell<Round>,
}

/// Resolves `obj` to a flag, or `None` if it is anything else.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle.
unsafe fn as_flag<'a>(obj: mp_obj_t) -> Option<&'a FlagObj> {
    // SAFETY: forwarded caller contract; flags are laid out as FlagObj.
    unsafe { downcast(obj, &raw const irqio_type_ThreadSafeFlag) }
}

/// Creates a flag (used by the C shim's `make_new`).
///
/// # Safety
/// `type_` must be `irqio_type_ThreadSafeFlag`; `out` and `err` must be writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_new(
    type_: *const mp_obj_type_t,
    out: *mut mp_obj_t,
    err: *mut c_int,
) -> Status {
    let p = gc_new(core::mem::size_of::<FlagObj>(), true) as *mut FlagObj;
    if p.is_null() {
        return Status::NoMemory;
    }
    // SAFETY: p is a fresh, suitably aligned heap block of the right size; a flag whose
    // wake could not be opened is still a valid object (handle -1) for the finaliser.
    unsafe {
        p.write(FlagObj {
            base: mp_obj_base_t { type_ },
            waiter: ObjHead::new(),
            flag: Flag::new(),
            wake: WakeHandle::closed(),
            last: Cell::new(Round {
                count: 0,
                first_at: 0,
            }),
        });
        (*p).wake.open_for(p as mp_obj_t, out, err)
    }
}

/// Sets the flag and wakes the loop. **ISR-safe**: callable from hard interrupt
/// handlers, other threads, the other core and POSIX signal handlers; allocates
/// nothing, never blocks, never raises.
///
/// Returns `false` (and does nothing) if `obj` is not an `irqio.ThreadSafeFlag`.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle that stays alive during the call.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_set(obj: mp_obj_t) -> bool {
    // SAFETY: forwarded caller contract.
    let Some(f) = (unsafe { as_flag(obj) }) else {
        return false;
    };
    f.flag.set(ticks_us() as u32, &f.wake);
    true
}

/// Discards pending `set()` calls.
///
/// # Safety
/// `obj` must be an `irqio.ThreadSafeFlag`; call from the asyncio side only.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_clear(obj: mp_obj_t) {
    // SAFETY: forwarded caller contract.
    if let Some(f) = unsafe { as_flag(obj) } {
        f.flag.clear_draining(&f.wake);
    }
}

/// # Safety
/// `obj` must be a valid MicroPython object handle.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_is_set(obj: mp_obj_t) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { as_flag(obj) }.is_some_and(|f| f.flag.is_set())
}

/// Consumes the flag if set, remembering the wake for `count`/`timestamp`.
/// Returns whether it was set.
///
/// # Safety
/// `obj` must be an `irqio.ThreadSafeFlag`; call from the asyncio side only.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_take(obj: mp_obj_t) -> bool {
    // SAFETY: forwarded caller contract.
    let Some(f) = (unsafe { as_flag(obj) }) else {
        return false;
    };
    match f.flag.take_draining(&f.wake) {
        Some(w) => {
            f.last.set(w);
            true
        }
        None => false,
    }
}

/// `set()` calls coalesced into the last wake (0 before the first).
///
/// # Safety
/// `obj` must be a valid MicroPython object handle.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_count(obj: mp_obj_t) -> u32 {
    // SAFETY: forwarded caller contract.
    unsafe { as_flag(obj) }.map_or(0, |f| f.last.get().count)
}

/// The low 32 bits of `time.ticks_us()` at the `set()` that opened the last wake;
/// `false` before the first.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle; `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_timestamp(obj: mp_obj_t, out: *mut u32) -> bool {
    // SAFETY: forwarded caller contract.
    match unsafe { as_flag(obj) } {
        // Every round counts at least one set(): a count of 0 means no wake yet.
        Some(f) if f.last.get().count != 0 => {
            // SAFETY: caller guarantees `out` is writable.
            unsafe { *out = f.last.get().first_at };
            true
        }
        _ => false,
    }
}

/// The stream ioctl: readiness for the poller, the file descriptor on unix. Never
/// fails for `MP_STREAM_POLL`, so the poller never sees an exception.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle; `err` must be writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_ioctl(
    obj: mp_obj_t,
    request: usize,
    arg: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(f) = (unsafe { as_flag(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    let ready = if f.flag.is_set() {
        sys::MP_STREAM_POLL_RD as usize
    } else {
        0
    };
    // SAFETY: caller guarantees `err` is writable.
    unsafe { f.wake.stream_ioctl(request, arg, err, ready, true, None) }
}

/// Releases the wake handle (the finaliser). Idempotent.
///
/// # Safety
/// `obj` must be an `irqio.ThreadSafeFlag` no producer uses any more.
#[no_mangle]
pub unsafe extern "C" fn irqio_flag_del(obj: mp_obj_t) {
    // SAFETY: forwarded caller contract.
    if let Some(f) = unsafe { as_flag(obj) } {
        f.wake.close();
    }
}
