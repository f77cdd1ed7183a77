// The awaitable behind ThreadSafeFlag.wait(), EventStream.get()/get_into()/
// __anext__() and RingIO.areadinto().
//
// Each irqio object has one waiter, made on first use and kept in the object (the
// `waiter` field of irqio_obj_head_t). `await obj.wait()` iterates it: each step asks
// the object's poll function for a result; if there is none yet, it queues the
// current task on asyncio's IO queue *for the waiter*, which stands in for the
// object in the poller (its stream ioctl forwards to the object's own), and the
// native scheduler step (src/c/sched.c) wakes it: with priority if asked, or at its
// deadline. It has send/throw/close, so asyncio.create_task() and wait_for() accept
// it. Nothing is allocated per wait once warm.
//
// One reader at a time: asyncio's IO queue keeps one reader task per object and a
// second one silently replaces (orphans) the first. Registering the waiter rather
// than the object keeps a StreamReader on the same object from replacing a waiting
// get(); the conflict is then refused with RuntimeError, whichever came second:
// - a get()/wait() while another task waits (on the waiter or, through a
//   StreamReader or select, on the object itself): refused before it queues;
// - a StreamReader or other poller of the object itself while a get()/wait() waits:
//   the object shows it readable and has no descriptor to offer (so the poller asks
//   again on every pass), and its read refuses it. The waiting task keeps its place.
#include "py/runtime.h"
#include "py/smallint.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/objtype.h"
#include "py/objlist.h"
#include "irqio_wait.h"

static mp_obj_t io_queue(void) {
    return mp_load_attr(irqio_asyncio_core(), MP_QSTR__io_queue);
}

// The task waiting on asyncio's IO queue to read `obj`, or MP_OBJ_NULL.
static mp_obj_t reader_of(mp_obj_t queue, mp_obj_t obj) {
    mp_obj_t waiting = mp_load_attr(queue, MP_QSTR_map);
    mp_map_elem_t *entry = mp_map_lookup(mp_obj_dict_get_map(waiting), mp_obj_id(obj), MP_MAP_LOOKUP);
    if (entry == NULL) {
        return MP_OBJ_NULL;
    }
    size_t len;
    mp_obj_t *items;
    mp_obj_get_array(entry->value, &len, &items);
    return len > 0 && items[0] != mp_const_none ? items[0] : MP_OBJ_NULL;
}

static mp_obj_t current_task(void) {
    return mp_load_attr(irqio_asyncio_core(), MP_QSTR_cur_task);
}

static bool task_done(mp_obj_t task) {
    mp_obj_t dest[2];
    mp_load_method(task, MP_QSTR_done, dest);
    return mp_obj_is_true(mp_call_method_n_kw(0, 0, dest));
}

// Whether the waiter's owner still waits for it: queued on asyncio's IO queue for it,
// or woken and not yet resumed (in the run queue, where asyncio's push cleared its
// `data`). Not a task that finished, was cancelled, or was left behind by a loop
// that was replaced.
static bool owner_waits(irqio_waiter_t *self) {
    if (self->owner == MP_OBJ_NULL) {
        return false;
    }
    if (reader_of(io_queue(), MP_OBJ_FROM_PTR(self)) == self->owner) {
        return true;
    }
    return mp_load_attr(self->owner, MP_QSTR_data) == mp_const_none && !task_done(self->owner);
}

static MP_NORETURN void raise_busy(mp_obj_t target) {
    mp_raise_msg_varg(&mp_type_RuntimeError, MP_ERROR_TEXT("another task is already waiting on this %q"),
        (qstr)mp_obj_get_type(target)->name);
}

// One step of the await: the result, or MP_OBJ_NULL once the task is queued.
static mp_obj_t waiter_step(irqio_waiter_t *self) {
    mp_obj_t core = irqio_asyncio_core();
    mp_obj_t task = mp_load_attr(core, MP_QSTR_cur_task);
    if (self->owner != MP_OBJ_NULL) {
        // The owner resuming (asyncio woke it), or another task: refused while the
        // owner still waits.
        if (task != self->owner && owner_waits(self)) {
            raise_busy(self->target);
        }
        self->owner = MP_OBJ_NULL;
    }
    uint8_t flags = self->flags;
    self->flags &= ~IRQIO_WAIT_TIMED_OUT;
    // Polled even after the deadline: what arrived by then is delivered, never
    // taken and dropped with a TimeoutError.
    mp_obj_t result = self->poll(self->target, self->mode, self->arg);
    if (result != MP_OBJ_NULL) {
        return result;
    }
    if (flags & IRQIO_WAIT_TIMED_OUT) {
        nlr_raise(mp_call_function_0(mp_load_attr(core, MP_QSTR_TimeoutError)));
    }
    mp_obj_t queue = mp_load_attr(core, MP_QSTR__io_queue);
    if (reader_of(queue, self->target) != MP_OBJ_NULL || reader_of(queue, MP_OBJ_FROM_PTR(self)) != MP_OBJ_NULL) {
        raise_busy(self->target);
    }
    irqio_sched_wait(core, queue, self, task);
    self->owner = task;
    return MP_OBJ_NULL;
}

static mp_obj_t waiter_iternext(mp_obj_t self_in) {
    mp_obj_t result = waiter_step(MP_OBJ_TO_PTR(self_in));
    return result != MP_OBJ_NULL ? mp_make_stop_iteration(result) : mp_const_none;
}

static mp_obj_t waiter_send(mp_obj_t self_in, mp_obj_t value) {
    (void)value;
    mp_obj_t result = waiter_step(MP_OBJ_TO_PTR(self_in));
    if (result != MP_OBJ_NULL) {
        mp_raise_StopIteration(result);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(waiter_send_obj, waiter_send);

// The running task gives the waiter up (cancelled, or closing its coroutine): only
// its owner releases it. Nothing else to undo: asyncio takes a cancelled task off the
// IO queue itself.
static void waiter_release(irqio_waiter_t *self) {
    if (self->owner != MP_OBJ_NULL && current_task() == self->owner) {
        self->owner = MP_OBJ_NULL;
        self->flags &= ~IRQIO_WAIT_TIMED_OUT;
        // asyncio dropped the entry from its map; the entry keeps no task alive.
        ((mp_obj_list_t *)MP_OBJ_TO_PTR(self->entry))->items[0] = mp_const_none;
    }
}

// throw(exc): the exception just propagates.
static mp_obj_t waiter_throw(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    waiter_release(MP_OBJ_TO_PTR(args[0]));
    nlr_raise(mp_make_raise_obj(args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(waiter_throw_obj, 2, 4, waiter_throw);

static mp_obj_t waiter_close(mp_obj_t self_in) {
    waiter_release(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(waiter_close_obj, waiter_close);

// The poller asks the waiter what it would ask the object.
static mp_uint_t waiter_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    irqio_waiter_t *self = MP_OBJ_TO_PTR(self_in);
    return self->ioctl(self->target, request, arg, errcode);
}

static const mp_stream_p_t waiter_stream_p = {
    .ioctl = waiter_ioctl,
};

static const mp_rom_map_elem_t waiter_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&waiter_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&waiter_throw_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&waiter_close_obj) },
};
static MP_DEFINE_CONST_DICT(waiter_locals_dict, waiter_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_waiter_type,
    MP_QSTR_wait, // shown as <wait>; reuses the method's name
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, waiter_iternext,
    protocol, &waiter_stream_p,
    locals_dict, &waiter_locals_dict
    );

static irqio_waiter_t *waiter_make(mp_obj_t target) {
    irqio_obj_head_t *head = MP_OBJ_TO_PTR(target);
    irqio_waiter_t *waiter = MP_OBJ_TO_PTR(head->waiter);
    if (waiter == NULL) {
        waiter = mp_obj_malloc(irqio_waiter_t, &irqio_waiter_type);
        waiter->target = target;
        waiter->poll = NULL;
        waiter->owner = MP_OBJ_NULL;
        mp_obj_t entry[3] = { mp_const_none, mp_const_none, MP_OBJ_FROM_PTR(waiter) };
        waiter->entry = mp_obj_new_list(3, entry);
        waiter->flags = 0;
        head->waiter = MP_OBJ_FROM_PTR(waiter);
    }
    return waiter;
}

mp_obj_t irqio_waiter_for(mp_obj_t target, irqio_waiter_poll_t poll, irqio_waiter_ioctl_t ioctl, uintptr_t mode,
    mp_obj_t arg, mp_map_t *kw) {
    enum { ARG_priority, ARG_timeout_ms };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_priority, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_timeout_ms, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)] = { { .u_obj = mp_const_none }, { .u_obj = mp_const_none } };
    if (kw != NULL) {
        mp_arg_parse_all(0, NULL, kw, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    }
    irqio_waiter_t *waiter = waiter_make(target);
    waiter->ioctl = ioctl;
    uint8_t flags = waiter->flags & IRQIO_WAIT_OBJ_PRIORITY;
    if (args[ARG_priority].u_obj == mp_const_none ? flags : mp_obj_is_true(args[ARG_priority].u_obj)) {
        flags |= IRQIO_WAIT_PRIORITY;
    }
    mp_uint_t deadline = 0;
    if (args[ARG_timeout_ms].u_obj != mp_const_none) {
        // A deadline within half the ticks period, as time.ticks_add() allows.
        mp_int_t timeout = irqio_get_size(args[ARG_timeout_ms].u_obj);
        if (timeout < 0 || (mp_uint_t)timeout >= MICROPY_PY_TIME_TICKS_PERIOD / 2) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout_ms out of range"));
        }
        deadline = irqio_ticks_add(irqio_sched_ticks(), timeout, MICROPY_PY_TIME_TICKS_PERIOD);
        flags |= IRQIO_WAIT_TIMED;
    }
    if (waiter->owner != MP_OBJ_NULL && !owner_waits(waiter)) {
        waiter->owner = MP_OBJ_NULL; // left behind (its loop replaced, say)
    }
    if (waiter->owner == MP_OBJ_NULL) {
        // A waiting task's step keeps its own (a second task is refused at its first).
        waiter->poll = poll;
        waiter->mode = mode;
        waiter->arg = arg;
        waiter->flags = flags;
        waiter->deadline = deadline;
    }
    return MP_OBJ_FROM_PTR(waiter);
}

void irqio_waiter_set_priority(mp_obj_t native, bool priority) {
    if (priority || irqio_waiter_of(native) != NULL) {
        irqio_waiter_t *waiter = waiter_make(native);
        waiter->flags = (waiter->flags & ~IRQIO_WAIT_OBJ_PRIORITY) | (priority ? IRQIO_WAIT_OBJ_PRIORITY : 0);
    }
}

bool irqio_waiter_priority_attr(mp_obj_t native, qstr attr, mp_obj_t *dest) {
    if (attr != MP_QSTR_priority) {
        return false;
    }
    if (dest[0] == MP_OBJ_NULL) {
        irqio_waiter_t *waiter = irqio_waiter_of(native);
        dest[0] = mp_obj_new_bool(waiter != NULL && (waiter->flags & IRQIO_WAIT_OBJ_PRIORITY));
    } else if (dest[1] != MP_OBJ_NULL) {
        irqio_waiter_set_priority(native, mp_obj_is_true(dest[1]));
        dest[0] = MP_OBJ_NULL; // stored
    } else {
        return false; // deleting it fails
    }
    return true;
}

// Whether a get()/wait() of the object `native` has a task waiting.
static bool waiting(mp_obj_t native) {
    irqio_waiter_t *waiter = irqio_waiter_of(native);
    return waiter != NULL && waiter->owner != MP_OBJ_NULL;
}

bool irqio_waiter_turns_away(mp_obj_t native, mp_uint_t request, uintptr_t arg, int *errcode, mp_uint_t *ret) {
    // Readers only: a writer's POLLOUT (a StreamWriter filling a ring that a task
    // awaits) gets the object's own answer.
    if ((request != MP_STREAM_POLL && request != MP_STREAM_GET_FILENO) || !waiting(native)
        || (request == MP_STREAM_POLL && !(arg & MP_STREAM_POLL_RD))) {
        return false;
    }
    if (request == MP_STREAM_POLL) {
        *ret = arg & MP_STREAM_POLL_RD;
    } else {
        *errcode = MP_EINVAL;
        *ret = MP_STREAM_ERROR;
    }
    return true;
}

void irqio_waiter_check_reader(mp_obj_t native) {
    irqio_waiter_t *waiter = irqio_waiter_of(native);
    if (waiter != NULL && owner_waits(waiter)) {
        raise_busy(native);
    }
}
