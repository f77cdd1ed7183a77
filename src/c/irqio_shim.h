// Shared by the C shim's files: the type objects, the status-to-exception map and
// the asyncio waiter.
#ifndef IRQIO_SHIM_H
#define IRQIO_SHIM_H

#include "py/obj.h"
#include "irqio.h"

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

// The asyncio.core module (imports asyncio if needed).
mp_obj_t irqio_asyncio_core(void);

// An awaitable that finishes with poll(target, mode) once that returns something
// other than MP_OBJ_NULL (it may also raise), and until then waits for `target`
// to become readable on asyncio's IO queue.
typedef mp_obj_t (*irqio_waiter_poll_t)(mp_obj_t target, uintptr_t mode);
mp_obj_t irqio_waiter_new(mp_obj_t target, irqio_waiter_poll_t poll, uintptr_t mode);

#endif
