// Shared by the C shim's files: the type objects, the status-to-exception map and
// the asyncio waiter.
#ifndef IRQIO_SHIM_H
#define IRQIO_SHIM_H

#include "py/obj.h"
#include "irqio.h"
#include "irqio_compat.h"

extern const mp_obj_type_t irqio_type_ThreadSafeFlag;
extern const mp_obj_type_t irqio_type_RingIO;
extern const mp_obj_type_t irqio_type_EventStream;
extern const mp_obj_type_t irqio_type_EventHandler;

// Raises the exception for a status other than IRQIO_STATUS_OK; `err` is the
// errno for IRQIO_STATUS_OS_ERROR.
void irqio_check(irqio_status status, int err);

// A size or count argument: mp_obj_get_int, except that an int past a machine word
// gives -1 or MP_SSIZE_MAX (so the size check says "out of range", alike on 32-
// and 64-bit ports) instead of OverflowError.
mp_int_t irqio_get_size(mp_obj_t arg);

// An int argument that must fit in 32 bits (signed): false if it does not;
// TypeError for non-integers. Allocation-free for small ints (interrupt handlers).
bool irqio_get_int32(mp_obj_t arg, int32_t *out);

// Loads the statistics attribute `attr` (capacity, dropped, high_water, overflow,
// closed) into dest[0]; for any other name, tells the lookup to go on to methods.
void irqio_stats_attr(qstr attr, mp_obj_t *dest, size_t capacity, size_t dropped, size_t high_water,
    uint8_t overflow, bool closed);

// After a constructor failed with `status`/`err`: if for lack of file descriptors,
// collects garbage (whose finalisers close theirs) and returns true: try once more.
bool irqio_collect_if_out_of_handles(irqio_status status, int err);

// A timestamp that keeps the low 32 bits of time.ticks_us() (all of it on 32-bit
// ports, whose ticks period is 2**30), widened to the port's ticks period (2**62 on
// 64-bit unix) so that time.ticks_diff() against time.ticks_us() works everywhere,
// for times less than 2**32 us (71 minutes) old.
mp_obj_t irqio_ticks_from32(uint32_t low);

// The native object of `type` inside an instance of a Python subclass of `type`, or
// MP_OBJ_NULL. Allocation-free and non-raising (producers resolve objects with it).
mp_obj_t irqio_native_subobj(mp_obj_t obj, const mp_obj_type_t *type);

// `obj` if it is of `type`, the native object inside an instance of a Python subclass
// of `type`, else MP_OBJ_NULL.
mp_obj_t irqio_native(mp_obj_t obj, const mp_obj_type_t *type);

// The asyncio.core module (imports asyncio if needed); ..._loaded: only if already
// imported, else MP_OBJ_NULL.
mp_obj_t irqio_asyncio_core(void);
mp_obj_t irqio_asyncio_core_loaded(void);

// Every irqio object starts so (the Rust binding lays it out so: ObjHead in
// src/binding/mod.rs): `waiter` is its asyncio waiter, or NULL before the first.
typedef struct _irqio_obj_head_t {
    mp_obj_base_t base;
    mp_obj_t waiter;
} irqio_obj_head_t;

// The awaitable of `target` (src/c/waiter.c says how it waits): it finishes with
// poll(target, mode, arg) once that returns something other than MP_OBJ_NULL (it
// may also raise), and until then waits for `target` to become readable, as `ioctl`
// (the object's own stream ioctl) reports it. `kw` holds the call's keywords,
// priority= and timeout_ms= (src/c/sched.c says what they do), or is NULL.
typedef mp_obj_t (*irqio_waiter_poll_t)(mp_obj_t target, uintptr_t mode, mp_obj_t arg);
// (The types of the Rust side's exports, which take size_t where the stream protocol has
// mp_uint_t and uintptr_t: the same width, not always the same C type.)
typedef size_t (*irqio_waiter_ioctl_t)(mp_obj_t target, size_t request, size_t arg, int *errcode);
mp_obj_t irqio_waiter_for(mp_obj_t target, irqio_waiter_poll_t poll, irqio_waiter_ioctl_t ioctl, uintptr_t mode,
    mp_obj_t arg, mp_map_t *kw);

// The `priority` attribute of a RingIO or EventStream (`native`): loads it into
// dest[0], or stores dest[1] (the default for its waits and StreamReader reads).
// Returns false for any other attribute.
bool irqio_waiter_priority_attr(mp_obj_t native, qstr attr, mp_obj_t *dest);
void irqio_waiter_set_priority(mp_obj_t native, bool priority);

// For the shim's stream ioctl of a RingIO or EventStream `native`: a poller (a
// StreamReader's wait) asks it `request`; if the object has priority, the loop's
// native scheduler step is installed so that it can wake the reader with priority.
void irqio_sched_poller_asks(mp_obj_t native, mp_uint_t request);

// For the shim's stream ioctl of the object `native`: while its waiter's task waits,
// anyone else polling the object is a second reader, shown it readable and no
// descriptor so that it reads at once; returns true with the answer in *ret then.
bool irqio_waiter_turns_away(mp_obj_t native, mp_uint_t request, uintptr_t arg, int *errcode, mp_uint_t *ret);

// For the shim's stream read of `native`: RuntimeError while its waiter's task waits.
void irqio_waiter_check_reader(mp_obj_t native);

#endif
