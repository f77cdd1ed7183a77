//! `irqio.EventStream`: the core [`EventQueue`] as a MicroPython stream device, its
//! per-tag native interrupt handlers, and the port's wake.
//!
//! `irqio_events_post` is the C API for drivers (ISR-safe, allocation-free,
//! non-raising). The rest serve the C shim (`src/c/events.c`).
//!
//! The stream reads packed records ([`RECORD_SIZE`] bytes each). A read whose size is
//! not a whole number of records stages the split record in the object, so the byte
//! stream stays exact whatever sizes a reader asks for; only the consumer touches
//! that staging, so the stream has one consumer (the asyncio task or the code that
//! reads it), as any stream does.
//!
//! Wake protocol: as `irqio.RingIO` (`src/binding/ring.rs`).
use core::cell::Cell;
use core::ffi::c_int;

use super::sys::{self, mp_obj_base_t, mp_obj_t, mp_obj_type_t};
use super::wake::WakeHandle;
use super::{downcast, gc_new, stream_error, ticks_us, ObjHead, Status};
use crate::core::atomic::{AtomicU32, Ordering};
use crate::core::events::{Event, EventQueue, WhenFull, MAX_EVENTS, RECORD_SIZE};

/// Bytes per packed record, for C consumers of the packed form.
pub const IRQIO_EVENT_RECORD_SIZE: usize = 12;
const _: () = assert!(IRQIO_EVENT_RECORD_SIZE == RECORD_SIZE);

extern "C" {
    /// The type objects, defined by the C shim.
    static irqio_type_EventStream: mp_obj_type_t;
    static irqio_type_EventHandler: mp_obj_type_t;
}

/// The object's layout on the MicroPython heap.
#[repr(C)]
pub struct EventsObj {
    base: mp_obj_base_t,
    /// The object's asyncio waiter (`src/c/waiter.c`), made on first use; null until
    /// then. At this offset in every irqio object: the C shim reads it there.
    pub(super) waiter: ObjHead,
    queue: EventQueue,
    wake: WakeHandle,
    /// The queue's storage (a GC block, kept alive by this pointer).
    storage: *mut u8,
    /// A record split by a read that ended inside it, and how much of it was read
    /// (`RECORD_SIZE` when there is none). Consumer-only.
    staged: Cell<[u8; RECORD_SIZE]>,
    staged_at: Cell<usize>,
}

/// A native interrupt handler bound to one stream and tag (`EventStream.handler`).
#[repr(C)]
pub struct HandlerObj {
    base: mp_obj_base_t,
    stream: mp_obj_t,
    tag: u16,
    /// Firings so far: the value posted when the handler is not given a pin.
    fired: AtomicU32,
}

/// # Safety
/// `obj` must be a valid MicroPython object handle.
unsafe fn as_events<'a>(obj: mp_obj_t) -> Option<&'a EventsObj> {
    // SAFETY: forwarded caller contract; streams are laid out as EventsObj.
    unsafe { downcast(obj, &raw const irqio_type_EventStream) }
}

/// # Safety
/// `obj` must be a valid MicroPython object handle.
unsafe fn as_handler<'a>(obj: mp_obj_t) -> Option<&'a HandlerObj> {
    // SAFETY: forwarded caller contract; handlers are laid out as HandlerObj.
    unsafe { downcast(obj, &raw const irqio_type_EventHandler) }
}

/// Creates a stream of `capacity` events (the C shim's `make_new`). `overflow`:
/// 0 drop the newest event when full, 1 overwrite the oldest.
///
/// # Safety
/// `type_` must be `irqio_type_EventStream`; `out` and `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_new(
    type_: *const mp_obj_type_t,
    capacity: isize,
    overflow: u8,
    out: *mut mp_obj_t,
    err: *mut c_int,
) -> Status {
    let when_full = match overflow {
        0 => WhenFull::DropNewest,
        1 => WhenFull::OverwriteOldest,
        _ => return Status::BadPolicy,
    };
    if capacity < 1 || capacity as usize > MAX_EVENTS {
        return Status::BadSize;
    }
    let events = capacity as usize;
    let storage = gc_new(events * RECORD_SIZE, false) as *mut u8;
    if storage.is_null() {
        return Status::NoMemory;
    }
    let p = gc_new(core::mem::size_of::<EventsObj>(), true) as *mut EventsObj;
    if p.is_null() {
        return Status::NoMemory;
    }
    // SAFETY: p is a fresh heap block of EventsObj's size and alignment; `storage`
    // holds `events` records and is kept alive by the pointer in the object.
    unsafe {
        p.write(EventsObj {
            base: mp_obj_base_t { type_ },
            waiter: ObjHead::new(),
            queue: EventQueue::new(storage, events, when_full),
            wake: WakeHandle::closed(),
            storage,
            staged: Cell::new([0; RECORD_SIZE]),
            staged_at: Cell::new(RECORD_SIZE),
        });
        (*p).wake.open_for(p as mp_obj_t, out, err)
    }
}

impl EventsObj {
    /// Timestamps and queues one event, waking a waiting consumer.
    #[inline]
    fn post(&self, tag: u16, value: i32) -> bool {
        let event = Event {
            tag,
            value,
            t_us: ticks_us() as u32,
        };
        self.queue.post(event, &self.wake)
    }

    fn staged_len(&self) -> usize {
        RECORD_SIZE - self.staged_at.get()
    }

    /// Copies what is left of the staged record into `out`; returns the bytes copied.
    fn take_staged(&self, out: &mut [u8]) -> usize {
        let at = self.staged_at.get();
        let rec = self.staged.get();
        let rest = rec.get(at..).unwrap_or(&[]);
        let n = rest.len().min(out.len());
        // Both sub-slices are `n` long, so the copy cannot fail.
        if let (Some(dst), Some(src)) = (out.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.staged_at.set(at + n);
        n
    }

    /// Nothing left to read right now (a closed stream may still be draining).
    fn is_empty(&self) -> bool {
        self.staged_len() == 0 && self.queue.is_empty()
    }

    /// Closed, no post in flight, and everything read: end of stream.
    fn is_finished(&self) -> bool {
        self.staged_len() == 0 && self.queue.ring().is_finished()
    }
}

/// Posts one event (`tag`, `value`, timestamped now) and wakes the consumer.
/// **ISR-safe**: callable from hard interrupt handlers, other threads, the other
/// core and POSIX signal handlers; allocates nothing, never blocks, never raises.
/// Returns whether the event was stored; an event not stored (stream full under
/// the drop-newest policy, or under overwrite-oldest while the oldest cannot be
/// discarded at that instant, or closed) is counted in the stream's `dropped`.
/// Returns `false` (and counts nothing) if `obj` is not an `irqio.EventStream`.
///
/// # Safety
/// `obj` must be a valid MicroPython object handle that stays alive during the call.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_post(obj: mp_obj_t, tag: u16, value: i32) -> bool {
    // SAFETY: forwarded caller contract.
    let Some(s) = (unsafe { as_events(obj) }) else {
        return false;
    };
    // A closed stream refuses the post in the ring, which counts it.
    s.post(tag, value)
}

/// Python's `post()`: [`irqio_events_post`], then 1 if stored, 0 if dropped, or -1
/// if dropped because the stream is closed (the shim raises `OSError(EPIPE)`).
///
/// # Safety
/// As [`irqio_events_post`].
#[no_mangle]
pub unsafe extern "C" fn irqio_events_py_post(obj: mp_obj_t, tag: u16, value: i32) -> c_int {
    // SAFETY: forwarded caller contract.
    if unsafe { irqio_events_post(obj, tag, value) } {
        return 1;
    }
    // SAFETY: forwarded caller contract.
    match unsafe { as_events(obj) } {
        Some(s) if s.queue.ring().is_closed() => -1,
        _ => 0,
    }
}

/// Creates the native handler for `tag` on `stream`.
///
/// # Safety
/// `type_` must be `irqio_type_EventHandler`; `stream` an `irqio.EventStream`;
/// `out` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_handler_new(
    type_: *const mp_obj_type_t,
    stream: mp_obj_t,
    tag: u16,
    out: *mut mp_obj_t,
) -> Status {
    let p = gc_new(core::mem::size_of::<HandlerObj>(), false) as *mut HandlerObj;
    if p.is_null() {
        return Status::NoMemory;
    }
    // SAFETY: p is a fresh heap block of HandlerObj's size and alignment; the stream
    // handle in it keeps the stream alive as long as the handler is.
    unsafe {
        p.write(HandlerObj {
            base: mp_obj_base_t { type_ },
            stream,
            tag,
            fired: AtomicU32::new(0),
        });
        *out = p as mp_obj_t;
    }
    Status::Ok
}

/// One firing of a native handler: posts its tag with `level` when the caller read
/// a pin (`has_level`), else with the handler's firing count (0, 1, 2, ...).
/// **ISR-safe**, as [`irqio_events_post`]; a closed stream counts the event as
/// dropped without raising (an interrupt handler has nobody to raise to).
///
/// # Safety
/// `handler` must be a valid object handle.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_handler_fire(
    handler: mp_obj_t,
    has_level: bool,
    level: i32,
) -> bool {
    // SAFETY: forwarded caller contract.
    let Some(h) = (unsafe { as_handler(handler) }) else {
        return false;
    };
    let count = h.fired.fetch_add(1, Ordering::Relaxed);
    let value = if has_level { level } else { count as i32 };
    // SAFETY: the handler keeps its stream alive.
    unsafe { irqio_events_post(h.stream, h.tag, value) }
}

/// What [`irqio_events_pop`] found.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsNext {
    /// An event, written to `*out`.
    Event = 0,
    /// Nothing yet; the consumer is armed for a wake-up.
    Empty,
    /// Closed and drained: end of stream.
    End,
    /// A packed read stopped inside a record; finish it with `read` first.
    Split,
}

/// The consumer's next event, decoded.
///
/// # Safety
/// `obj` must be a valid object handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_pop(obj: mp_obj_t, out: *mut Event) -> EventsNext {
    // SAFETY: forwarded caller contract.
    let Some(s) = (unsafe { as_events(obj) }) else {
        return EventsNext::End;
    };
    if s.staged_len() != 0 {
        return EventsNext::Split;
    }
    if let Some(event) = s.queue.pop() {
        // SAFETY: caller guarantees `out` is writable.
        unsafe { out.write(event) };
        return EventsNext::Event;
    }
    if s.is_finished() {
        return EventsNext::End;
    }
    // Nothing yet (a post in flight at close included). An event that lands after the
    // pop raises the wake, or `rearm` sees it and raises it.
    s.queue.ring().rearm(&s.wake);
    EventsNext::Empty
}

/// Whole records for `get_into`, packed as the stream `read` packs them: how many
/// were written to `out` (at most `len / RECORD_SIZE`); 0 when there is nothing yet
/// (the consumer is then armed for a wake-up); -1 at end of stream; -2 while a packed
/// read stopped inside a record.
///
/// # Safety
/// `obj` must be a valid object handle; `out` writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_read_records(
    obj: mp_obj_t,
    out: *mut u8,
    len: usize,
) -> isize {
    // SAFETY: forwarded caller contract.
    let Some(s) = (unsafe { as_events(obj) }) else {
        return -1;
    };
    if s.staged_len() != 0 {
        return -2;
    }
    // SAFETY: caller guarantees `len` writable bytes at `out`.
    let out = unsafe { core::slice::from_raw_parts_mut(out, len) };
    let n = s.queue.read_packed(out);
    if n != 0 {
        return n as isize;
    }
    if s.is_finished() {
        return -1;
    }
    s.queue.ring().rearm(&s.wake);
    0
}

/// The stream `read`: packed records, byte-exact; 0 at end of stream (closed, no post
/// in flight, and drained), `MP_STREAM_ERROR` with `EAGAIN` when there is nothing yet.
///
/// # Safety
/// `obj` must be a valid object handle; `out` writable for `len` bytes; `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_stream_read(
    obj: mp_obj_t,
    out: *mut u8,
    len: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(s) = (unsafe { as_events(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    if len == 0 {
        return 0;
    }
    // SAFETY: caller guarantees `len` writable bytes at `out`.
    let out = unsafe { core::slice::from_raw_parts_mut(out, len) };
    // `n` never passes `len`: each step fills part of what is left of `out`.
    let mut n = s.take_staged(out);
    if let Some(rest) = out.get_mut(n..) {
        n += s.queue.read_packed(rest) * RECORD_SIZE;
    }
    let left = len.saturating_sub(n);
    if left > 0 && left < RECORD_SIZE {
        if let Some(event) = s.queue.pop() {
            s.staged.set(event.encode());
            s.staged_at.set(0);
            if let Some(rest) = out.get_mut(n..) {
                n += s.take_staged(rest);
            }
        }
    }
    if n != 0 || s.is_finished() {
        return n; // 0: end of stream
    }
    s.queue.ring().rearm(&s.wake);
    // SAFETY: caller guarantees `err` is writable.
    unsafe { stream_error(err, sys::MP_EAGAIN) }
}

/// The stream ioctl. `MP_STREAM_POLL` never fails (the poller must not see an
/// exception) and reports readable while events wait or once closed;
/// `MP_STREAM_GET_FILENO` offers the wake descriptor where the port has one.
///
/// # Safety
/// `obj` must be a valid object handle; `err` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_ioctl(
    obj: mp_obj_t,
    request: usize,
    arg: usize,
    err: *mut c_int,
) -> usize {
    // SAFETY: forwarded caller contract.
    let Some(s) = (unsafe { as_events(obj) }) else {
        // SAFETY: caller guarantees `err` is writable.
        return unsafe { stream_error(err, sys::MP_EINVAL) };
    };
    let ready = if !s.is_empty() || s.is_finished() {
        sys::MP_STREAM_POLL_RD as usize
    } else {
        0
    };
    // SAFETY: caller guarantees `err` is writable.
    unsafe {
        s.wake
            .stream_ioctl(request, arg, err, ready, true, Some(s.queue.ring()))
    }
}

/// Statistics for the shim's attributes, in events.
#[repr(C)]
pub struct EventsStats {
    pub capacity: usize,
    pub pending: usize,
    pub high_water: usize,
    pub dropped: usize,
    pub overflow: u8,
    pub closed: bool,
}

/// # Safety
/// `obj` must be a valid object handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_stats(obj: mp_obj_t, out: *mut EventsStats) {
    // SAFETY: forwarded caller contract.
    let stats = match unsafe { as_events(obj) } {
        Some(s) => EventsStats {
            capacity: s.queue.capacity(),
            pending: s.queue.len() + usize::from(s.staged_len() != 0),
            high_water: s.queue.ring().high_water() / RECORD_SIZE,
            dropped: s.queue.dropped(),
            overflow: u8::from(s.queue.ring().overflow() != crate::core::ring::Overflow::Reject),
            closed: s.queue.ring().is_closed(),
        },
        None => EventsStats {
            capacity: 0,
            pending: 0,
            high_water: 0,
            dropped: 0,
            overflow: 0,
            closed: true,
        },
    };
    // SAFETY: caller guarantees `out` is writable.
    unsafe { out.write(stats) };
}

/// Restarts the dropped count and the high-water mark; returns the events dropped
/// until now. Queued events stay.
///
/// # Safety
/// `obj` must be a valid object handle.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_reset_stats(obj: mp_obj_t) -> usize {
    // SAFETY: forwarded caller contract.
    unsafe { as_events(obj) }.map_or(0, |s| {
        s.queue.ring().reset_high_water();
        s.queue.take_dropped()
    })
}

/// Releases the wake handle (the finaliser). Idempotent.
///
/// # Safety
/// `obj` must be a valid object handle no producer uses any more.
#[no_mangle]
pub unsafe extern "C" fn irqio_events_del(obj: mp_obj_t) {
    // SAFETY: forwarded caller contract.
    if let Some(s) = unsafe { as_events(obj) } {
        s.wake.close();
    }
}
