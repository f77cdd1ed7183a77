//! `irqio.RingIO`: the core [`Ring`] as a MicroPython stream, plus the port's wake.
//!
//! `irqio_ring_write` and `irqio_ring_any` are the C API for drivers (ISR-safe,
//! allocation-free, non-raising). The stream functions serve the C shim
//! (`src/c/ring.c`), which plugs them into `mp_stream_p_t`.
//!
//! Wake protocol (what keeps `poll()` honest on unix): the handle is readable whenever
//! the consumer can make progress (data visible, or end of stream). The consumer
//! drains it only when it finds nothing to read, then arms the ring and re-checks
//! (`Ring::rearm`); the next write that publishes onto an armed ring raises it again.
//!
//! The ring owns its storage, always: a buffer the program can resize or write (a
//! `bytearray` that grows moves and frees its old block) cannot back memory that
//! interrupt handlers write at any moment, so `RingIO(buffer)` takes only its size.
use core::ffi::c_int;

use super::sys::{self, mp_obj_base_t, mp_obj_t, mp_obj_type_t};
use super::wake::WakeHandle;
use super::{downcast, gc_new, stream_error, ObjHead, Status};
use crate::core::ring::{Overflow, Ring, MAX_CAPACITY};

extern "C" {
    /// The type object, defined by the C shim.
    static irqio_type_RingIO: mp_obj_type_t;
}

/// The object's layout on the MicroPython heap.
#[repr(C)]
pub struct RingObj {
    base: mp_obj_base_t,
    /// The object's asyncio waiter (`src/c/waiter.c`), made on first use; null until
    /// then. At this offset in every irqio object: the C shim reads it there.
    pub(super) waiter: ObjHead,
    ring: Ring,
    wake: WakeHandle,
    /// The ring's storage (a GC block, kept alive by this pointer).
    storage: *mut u8,
}

/// # Safety
/// `obj` must be a valid MicroPython object handle.
unsafe fn as_ring<'a>(obj: mp_obj_t) -> Option<&'a RingObj> {
    // SAFETY: forwarded caller contract; rings are laid out as RingObj.
    unsafe { downcast(obj, &raw const irqio_type_RingIO) }
}

fn overflow_from(code: u8) -> Option<Overflow> {
    match code {
        0 => Some(Overflow::Truncate),
        1 => Some(Overflow::Reject),
        2 => Some(Overflow::Overwrite),
        _ => None,
    }
}

/// Creates a ring of `size` bytes (the C shim's `make_new`, which takes the size from
/// a buffer for `RingIO(buffer)`). `overflow`: 0 truncate, 1 reject, 2 overwrite.
///
/// # Safety
/// `type_` must be `irqio_type_RingIO`; `out` and `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_new(
    type_: *const mp_obj_type_t,
    size: isize,
    overflow: u8,
    out: *mut mp_obj_t,
    err: *mut c_int,
) -> Status {
    let Some(overflow) = overflow_from(overflow) else {
        return Status::BadPolicy;
    };
    if size < 1 || size as usize > MAX_CAPACITY {
        return Status::BadSize;
    }
    let capacity = size as usize;
    let storage = gc_new(capacity, false) as *mut u8;
    if storage.is_null() {
        return Status::NoMemory;
    }
    let p = gc_new(core::mem::size_of::<RingObj>(), true) as *mut RingObj;
    if p.is_null() {
        return Status::NoMemory;
    }
    // SAFETY: p is a fresh heap block of RingObj's size and alignment; `storage` is
    // `capacity` writable bytes, kept alive by the pointer in the object (the
    // collector scans it) for the object's lifetime, and used only by the ring.
    unsafe {
        p.write(RingObj {
            base: mp_obj_base_t { type_ },
            waiter: ObjHead::new(),
            ring: Ring::new(storage, capacity, overflow),
            wake: WakeHandle::closed(),
            storage,
        });
        (*p).wake.open_for(p as mp_obj_t, out, err)
    }
}

/// `len` bytes at `data` as a slice (a null `data` is fine when `len` is 0).
///
/// # Safety
/// `data` must be readable for `len` bytes for the returned lifetime.
unsafe fn bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: forwarded caller contract.
        unsafe { core::slice::from_raw_parts(data, len) }
    }
}

impl RingObj {
    /// Writes (counting what is not stored as dropped: no producer of this binding
    /// retries) and wakes a waiting reader.
    #[inline(always)] // every producer's path
    fn publish(&self, data: &[u8]) -> usize {
        self.ring.write_or_drop(data, &self.wake)
    }
}

/// Writes `len` bytes from `data` under the ring's overflow policy and wakes the
/// loop if a reader waits. **ISR-safe**: callable from hard interrupt handlers, other
/// threads, the other core and POSIX signal handlers; allocates nothing, never
/// blocks, never raises. Returns the bytes stored; the rest are counted in `dropped`.
/// Returns 0 (and drops nothing) if `obj` is not an `irqio.RingIO`.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle that stays alive during the call;
/// `data` must be readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_write(obj: mp_obj_t, data: *const u8, len: usize) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(r) = (unsafe { as_ring(obj) }) else {
        return 0;
    };
    // SAFETY: caller guarantees `len` readable bytes at `data`.
    r.publish(unsafe { bytes(data, len) })
}

/// Bytes ready to read. **ISR-safe**. 0 if `obj` is not an `irqio.RingIO`.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_any(obj: mp_obj_t) -> usize {
    // SAFETY: forwarded caller contract.
    unsafe { as_ring(obj) }.map_or(0, |r| r.ring.available())
}

/// Python's `write()`: one attempt, like [`irqio_ring_write`] (what does not fit is
/// counted as dropped), except that it reports a closed ring to the shim
/// (`Status::OsError`, meaning `EPIPE`, so Python writers find out, even of an empty
/// write). A full ring stores 0 bytes and returns 0, as `micropython.RingIO` does.
/// Allocation-free, so usable from hard IRQ handlers.
///
/// Returns the bytes stored, or `!status` (`usize::MAX - status`: no write stores
/// that much) on failure. This is the hottest call of the binding
/// (`benchmarks/ringio_write_cost.py`), hence the in-band error and no type check of
/// its own.
///
/// # Safety
/// `obj` must be an `irqio.RingIO` (the shim's method table guarantees it; see
/// `src/c/ring.c`); `data` readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_py_write(obj: mp_obj_t, data: *const u8, len: usize) -> usize {
    // SAFETY: the caller guarantees `obj` is a RingIO, laid out as RingObj.
    let r = unsafe { &*(obj as *const RingObj) };
    // SAFETY: caller guarantees `len` readable bytes at `data`.
    let stored = r.publish(unsafe { bytes(data, len) });
    if stored != 0 {
        return stored;
    }
    // A closed ring refuses whole writes (counted as dropped like any refusal); the
    // check comes after, off the common path. A write refused for lack of space that
    // races a close also reports the close.
    if r.ring.is_closed() {
        return !(Status::OsError as usize);
    }
    0
}

/// The stream protocol's `write`, for C callers (`print(..., file=ring)`,
/// `json.dump`, `mp_stream_write`): consumes everything it is given, as a stream that
/// never blocks must, storing what the policy allows and counting the rest as dropped
/// (these callers do not retry what a short write leaves, so a short count would be
/// a silent loss). Closed: `EPIPE`.
///
/// # Safety
/// `obj` must be an `irqio.RingIO`; `data` readable for `len` bytes; `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_stream_write(
    obj: mp_obj_t,
    data: *const u8,
    len: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(r) = (unsafe { as_ring(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    if r.ring.is_closed() {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EPIPE) };
    }
    // SAFETY: caller guarantees `len` readable bytes at `data`.
    r.publish(unsafe { bytes(data, len) });
    len
}

/// The stream `read`: bytes read, 0 at end of stream (closed, no write in flight, and
/// drained), or `MP_STREAM_ERROR` with `EAGAIN` when there is nothing to read yet.
///
/// # Safety
/// `obj` must be an `irqio.RingIO`; `out` writable for `len` bytes; `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_stream_read(
    obj: mp_obj_t,
    out: *mut u8,
    len: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(r) = (unsafe { as_ring(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    if len == 0 {
        return 0;
    }
    // SAFETY: caller guarantees `len` writable bytes at `out`.
    let out = unsafe { core::slice::from_raw_parts_mut(out, len) };
    let n = r.ring.read(out);
    if n != 0 || r.ring.is_finished() {
        return n; // 0: end of stream
    }
    // Nothing yet (a write in flight at close included): sleep until a writer publishes.
    r.ring.rearm(&r.wake);
    // SAFETY: caller guarantees `err` is writable.
    unsafe { stream_error(err, sys::MP_EAGAIN) }
}

/// The stream ioctl. `MP_STREAM_POLL` never fails (the poller must not see an
/// exception); `MP_STREAM_GET_FILENO` offers the wake descriptor while the ring is
/// not full (a writer waiting for space is then polled through `MP_STREAM_POLL`
/// instead, since the descriptor only tracks readability).
///
/// # Safety
/// `obj` must be a valid object handle; `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_ioctl(
    obj: mp_obj_t,
    request: usize,
    arg: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(r) = (unsafe { as_ring(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    let (available, free) = r.ring.levels();
    let mut ready = 0;
    if available > 0 || r.ring.is_finished() {
        ready |= sys::MP_STREAM_POLL_RD as usize;
    }
    // A closed ring is "writable" so that a waiting writer wakes and sees EPIPE.
    let writable = free > 0 || r.ring.is_closed();
    if writable {
        ready |= sys::MP_STREAM_POLL_WR as usize;
    }
    // SAFETY: caller guarantees `err` is writable.
    unsafe {
        r.wake
            .stream_ioctl(request, arg, err, ready, writable, Some(&r.ring))
    }
}

/// Statistics for the shim's attributes.
#[repr(C)]
pub struct RingStats {
    pub capacity: usize,
    pub available: usize,
    pub free: usize,
    pub high_water: usize,
    pub dropped: usize,
    pub overflow: u8,
    pub closed: bool,
}

/// # Safety
/// `obj` must be an `irqio.RingIO`; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_stats(obj: mp_obj_t, out: *mut RingStats) {
    // SAFETY: forwarded caller contract.
    let stats = match unsafe { as_ring(obj) } {
        Some(r) => {
            let (available, free) = r.ring.levels();
            RingStats {
                capacity: r.ring.capacity(),
                available,
                free,
                high_water: r.ring.high_water(),
                dropped: r.ring.dropped(),
                overflow: r.ring.overflow() as u8,
                closed: r.ring.is_closed(),
            }
        }
        // Never leave the caller's struct uninitialised.
        None => RingStats {
            capacity: 0,
            available: 0,
            free: 0,
            high_water: 0,
            dropped: 0,
            overflow: 0,
            closed: true,
        },
    };
    // SAFETY: caller guarantees `out` is writable.
    unsafe { out.write(stats) };
}

/// Restarts the dropped count and the high-water mark; returns the bytes dropped
/// until now. Data in the ring stays.
///
/// # Safety
/// `obj` must be an `irqio.RingIO`.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_reset_stats(obj: mp_obj_t) -> usize {
    // SAFETY: forwarded caller contract.
    unsafe { as_ring(obj) }.map_or(0, |r| {
        r.ring.reset_high_water();
        r.ring.take_dropped()
    })
}

/// Releases the wake handle (the finaliser). Idempotent.
///
/// # Safety
/// `obj` must be an `irqio.RingIO` no producer uses any more.
#[no_mangle]
pub unsafe extern "C" fn irqio_ring_del(obj: mp_obj_t) {
    // SAFETY: forwarded caller contract.
    if let Some(r) = unsafe { as_ring(obj) } {
        r.wake.close();
    }
}
