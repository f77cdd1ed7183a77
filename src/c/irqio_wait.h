// Between the awaitable (src/c/waiter.c) and the scheduler step that wakes it
// (src/c/sched.c); nothing else in the shim sees these.
#ifndef IRQIO_WAIT_H
#define IRQIO_WAIT_H

#include "irqio_shim.h"

// Waiter flags.
#define IRQIO_WAIT_OBJ_PRIORITY (1) // the object's default (its `priority` attribute)
#define IRQIO_WAIT_PRIORITY (2)     // this wait wakes with priority
#define IRQIO_WAIT_TIMED (4)        // this wait has a deadline
#define IRQIO_WAIT_TIMED_OUT (8)    // woken by its deadline, not by the object

typedef struct _irqio_waiter_t {
    mp_obj_base_t base;
    mp_obj_t target;
    irqio_waiter_poll_t poll;
    // The object's own ioctl (not its shim's, which turns other pollers away).
    irqio_waiter_ioctl_t ioctl;
    uintptr_t mode;
    mp_obj_t arg;
    // The task it queued, from then until that task resumes or is cancelled; NULL
    // otherwise. Another task that awaits the waiter meanwhile is refused.
    mp_obj_t owner;
    // Its IO queue entry, [owner, None, waiter] as asyncio's own, made once and
    // reused: in the queue's map while the owner waits, so that the run loop sees
    // an I/O wait and Task.cancel() finds it.
    mp_obj_t entry;
    mp_uint_t deadline; // in ticks_ms, with IRQIO_WAIT_TIMED
    uint8_t flags;
} irqio_waiter_t;

extern const mp_obj_type_t irqio_waiter_type;

// The waiter of the irqio object `native`, or NULL before its first.
static inline irqio_waiter_t *irqio_waiter_of(mp_obj_t native) {
    return MP_OBJ_TO_PTR(((irqio_obj_head_t *)MP_OBJ_TO_PTR(native))->waiter);
}

// asyncio's ticks(): time.ticks_ms() in the port's ticks period, as the task
// queue's keys.
mp_uint_t irqio_sched_ticks(void);

// Queues the current task `task` of the loop `core` to wait for `waiter` on the IO
// queue `queue` (installing the native step there if needed). Allocation-free once
// the waiter has waited on this loop before.
void irqio_sched_wait(mp_obj_t core, mp_obj_t queue, irqio_waiter_t *waiter, mp_obj_t task);

#endif
