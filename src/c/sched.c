// asyncio's I/O step, native: what wakes an irqio waiter, with priority or at its
// deadline, and allocates nothing doing it.
//
// The run loop calls `_io_queue.wait_io_event(dt)` on every pass. The first time an
// irqio waiter blocks on a loop, it stores this step as an instance attribute of that
// loop's IO queue (IOQueue, the class, and every other loop are untouched; asyncio's
// Python code is unchanged from 1.20 to master). For every other stream the step does
// exactly what IOQueue.wait_io_event does. For irqio:
// - a waiter stays registered in the poller between waits (events 0 when idle), so
//   that waiting allocates nothing: register() of a registered object only sets its
//   events. At most IDLE_KEPT idle waiters stay registered per loop (oldest out), so
//   idle objects, their descriptors among them, can still be collected;
// - a priority wake pushes the task with a key just before the task queue's head and
//   now (src/core/sched.rs), so it runs next, after the task that is running yields;
//   wakes in one pass, and wakes while an earlier one is still queued, share the key
//   and run in push order (in one pass, the poller's order). Unless the task that
//   ran last is the one woken or was itself woken with priority (see push()), so
//   that sources faster than their tasks cannot keep the other tasks from running;
// - a timed wait shortens the poll to its deadline, then wakes its task, which polls
//   the object once more before it raises TimeoutError (src/c/waiter.c).
#include "py/runtime.h"
#include "py/smallint.h"
#include "py/objtype.h"
#include "py/objlist.h"
#include "py/mphal.h"
#include "py/stream.h"
#include "irqio_wait.h"

#define IDLE_KEPT (8)
#define TICKS_MASK (MICROPY_PY_TIME_TICKS_PERIOD - 1)

// Whether a waiter with a deadline may be waiting (recomputed by every scan).
static bool sched_timed;
// The last priority key handed out, while it may still be the queue head's: every
// task of a burst of priority wakes has it, and keeps it once popped.
static mp_uint_t sched_prio_key;
static bool sched_prio_key_valid;

mp_uint_t irqio_sched_ticks(void) {
    return mp_hal_ticks_ms() & TICKS_MASK;
}

typedef struct _sched_pass_t {
    mp_obj_t queue;
    mp_obj_t map;
    mp_obj_t poller;
    mp_obj_t tasks;
    mp_obj_t last; // the task that ran last (asyncio's cur_task)
    bool pushed;
} sched_pass_t;

static void poller_call(mp_obj_t poller, qstr method, mp_obj_t obj, mp_int_t events) {
    mp_obj_t dest[4];
    mp_load_method(poller, method, dest);
    dest[2] = obj;
    dest[3] = MP_OBJ_NEW_SMALL_INT(events);
    mp_call_method_n_kw(events < 0 ? 1 : 2, 0, dest);
}

static mp_obj_t tasks_call(mp_obj_t tasks, qstr method, size_t n_args, mp_obj_t task, mp_obj_t key) {
    mp_obj_t dest[4];
    mp_load_method(tasks, method, dest);
    dest[2] = task;
    dest[3] = key;
    return mp_call_method_n_kw(n_args, 0, dest);
}

// The key that puts a task first: shared with the last priority wake while that
// one still heads the queue (equal keys run in push order).
static mp_obj_t priority_key(mp_obj_t tasks) {
    mp_obj_t head = tasks_call(tasks, MP_QSTR_peek, 0, MP_OBJ_NULL, MP_OBJ_NULL);
    mp_uint_t head_key = 0;
    if (head != mp_const_none) {
        head_key = mp_obj_get_int(mp_load_attr(head, MP_QSTR_ph_key));
        if (sched_prio_key_valid && head_key == sched_prio_key) {
            return MP_OBJ_NEW_SMALL_INT(head_key);
        }
    }
    sched_prio_key = irqio_priority_key(head != mp_const_none, head_key, irqio_sched_ticks(),
        MICROPY_PY_TIME_TICKS_PERIOD);
    sched_prio_key_valid = true;
    return MP_OBJ_NEW_SMALL_INT(sched_prio_key);
}

// Whether `task` (asyncio's cur_task: a Task, or None) last ran as a priority wake.
static bool ran_with_priority(mp_obj_t task) {
    if (!sched_prio_key_valid || task == mp_const_none) {
        return false;
    }
    mp_obj_t key = mp_load_attr(task, MP_QSTR_ph_key);
    return mp_obj_is_small_int(key) && (mp_uint_t)MP_OBJ_SMALL_INT_VALUE(key) == sched_prio_key;
}

// A priority wake goes first unless the task that ran last is the one woken, or was
// itself a priority wake: then it queues as ordinary, so that while other tasks are
// due, priority tasks never run twice in a row.
static void push(sched_pass_t *pass, mp_obj_t task, bool priority) {
    if (priority && task != pass->last && !ran_with_priority(pass->last)) {
        tasks_call(pass->tasks, MP_QSTR_push, 2, task, priority_key(pass->tasks));
    } else {
        tasks_call(pass->tasks, MP_QSTR_push, 1, task, MP_OBJ_NULL);
    }
    pass->pushed = true;
}

// The IO queue's list of waiters kept registered while idle, oldest first: a
// member of the queue, so that it goes with its loop and the GC sees it.
static mp_obj_list_t *idle_list(mp_obj_t queue) {
    mp_map_t *members = &((mp_obj_instance_t *)MP_OBJ_TO_PTR(queue))->members;
    mp_map_elem_t *elem = mp_map_lookup(members, MP_OBJ_NEW_QSTR(MP_QSTR__irqio_idle), MP_MAP_LOOKUP);
    if (elem != NULL) {
        return MP_OBJ_TO_PTR(elem->value);
    }
    // Made before its key goes in: a MemoryError leaves the members as they were.
    mp_obj_t idle = mp_obj_new_list(0, NULL);
    mp_map_lookup(members, MP_OBJ_NEW_QSTR(MP_QSTR__irqio_idle), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = idle;
    return MP_OBJ_TO_PTR(idle);
}

static void idle_forget(mp_obj_list_t *idle, mp_obj_t waiter) {
    for (size_t i = 0; i < idle->len; i++) {
        if (idle->items[i] == waiter) {
            idle->len--;
            for (; i < idle->len; i++) {
                idle->items[i] = idle->items[i + 1];
            }
            idle->items[i] = MP_OBJ_NULL;
            return;
        }
    }
}

// `waiter` goes idle, still registered: the oldest idle one makes room if needed.
static void idle_keep(sched_pass_t *pass, mp_obj_t waiter) {
    mp_obj_list_t *idle = idle_list(pass->queue);
    if (idle->len == IDLE_KEPT) {
        poller_call(pass->poller, MP_QSTR_unregister, idle->items[0], -1);
        idle_forget(idle, idle->items[0]);
    }
    mp_obj_list_append(MP_OBJ_FROM_PTR(idle), waiter);
}

static void wake(sched_pass_t *pass, irqio_waiter_t *waiter) {
    mp_obj_t *items = ((mp_obj_list_t *)MP_OBJ_TO_PTR(waiter->entry))->items;
    mp_obj_t task = items[0];
    items[0] = mp_const_none;
    mp_obj_t obj = MP_OBJ_FROM_PTR(waiter);
    mp_map_lookup(mp_obj_dict_get_map(pass->map), mp_obj_id(obj), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
    poller_call(pass->poller, MP_QSTR_modify, obj, 0);
    idle_keep(pass, obj);
    if (task != mp_const_none) {
        push(pass, task, waiter->flags & IRQIO_WAIT_PRIORITY);
    }
}

// The waiter whose entry this is, if it waits with a deadline.
static irqio_waiter_t *timed_waiter(mp_obj_t entry) {
    if (!mp_obj_is_type(entry, &mp_type_list)) {
        return NULL;
    }
    mp_obj_list_t *list = MP_OBJ_TO_PTR(entry);
    if (list->len != 3 || !mp_obj_is_type(list->items[2], &irqio_waiter_type)) {
        return NULL;
    }
    irqio_waiter_t *waiter = MP_OBJ_TO_PTR(list->items[2]);
    return waiter->entry == entry && list->items[0] != mp_const_none && (waiter->flags & IRQIO_WAIT_TIMED) ? waiter : NULL;
}

// Wakes the waits whose deadline passed; returns `dt` shortened to the next one.
static mp_int_t expire(sched_pass_t *pass, mp_int_t dt) {
    mp_map_t *map = mp_obj_dict_get_map(pass->map);
    mp_uint_t now = irqio_sched_ticks();
    bool timed = false;
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        irqio_waiter_t *waiter = timed_waiter(map->table[i].value);
        if (waiter == NULL) {
            continue;
        }
        mp_int_t left = irqio_ticks_diff(waiter->deadline, now, MICROPY_PY_TIME_TICKS_PERIOD);
        if (left <= 0) {
            // Removing it from the map while scanning leaves a tombstone behind.
            waiter->flags |= IRQIO_WAIT_TIMED_OUT;
            wake(pass, waiter);
            dt = 0;
        } else {
            timed = true;
            if (dt < 0 || left < dt) {
                dt = left;
            }
        }
    }
    sched_timed = timed;
    return dt;
}

// Whether the RingIO or EventStream `native` has its `priority` set.
static bool has_priority(mp_obj_t native) {
    irqio_waiter_t *waiter = irqio_waiter_of(native);
    return waiter != NULL && (waiter->flags & IRQIO_WAIT_OBJ_PRIORITY);
}

static bool is_priority_object(mp_obj_t obj) {
    mp_obj_t native = irqio_native(obj, &irqio_type_RingIO);
    if (native == MP_OBJ_NULL) {
        native = irqio_native(obj, &irqio_type_EventStream);
    }
    return native != MP_OBJ_NULL && has_priority(native);
}

// One object the poller reported, with its events.
static void ready(sched_pass_t *pass, mp_obj_t obj, mp_uint_t events) {
    if (mp_obj_is_type(obj, &irqio_waiter_type)) {
        irqio_waiter_t *waiter = MP_OBJ_TO_PTR(obj);
        mp_map_elem_t *elem = mp_map_lookup(mp_obj_dict_get_map(pass->map), mp_obj_id(obj), MP_MAP_LOOKUP);
        if (elem != NULL && elem->value == waiter->entry) {
            wake(pass, waiter);
        } else {
            // Idle yet reported (an error state): not kept.
            poller_call(pass->poller, MP_QSTR_unregister, obj, -1);
            idle_forget(idle_list(pass->queue), obj);
        }
        return;
    }
    // As IOQueue.wait_io_event, but for a priority RingIO or EventStream's reader.
    mp_obj_t entry = mp_obj_dict_get(pass->map, mp_obj_id(obj));
    mp_obj_t *items;
    mp_obj_get_array_fixed_n(entry, 3, &items);
    if ((events & ~MP_STREAM_POLL_WR) && items[0] != mp_const_none) {
        push(pass, items[0], is_priority_object(obj));
        items[0] = mp_const_none;
    }
    if ((events & ~MP_STREAM_POLL_RD) && items[1] != mp_const_none) {
        push(pass, items[1], false);
        items[1] = mp_const_none;
    }
    if (items[0] == mp_const_none && items[1] == mp_const_none) {
        mp_obj_dict_delete(pass->map, mp_obj_id(obj));
        poller_call(pass->poller, MP_QSTR_unregister, obj, -1);
    } else {
        poller_call(pass->poller, MP_QSTR_modify, obj, items[0] == mp_const_none ? MP_STREAM_POLL_WR : MP_STREAM_POLL_RD);
    }
}

// wait_io_event(dt) of the loop whose asyncio.core module is `core`.
static mp_obj_t sched_step(mp_obj_t core, mp_obj_t dt_in) {
    sched_pass_t pass;
    pass.queue = mp_load_attr(core, MP_QSTR__io_queue);
    pass.map = mp_load_attr(pass.queue, MP_QSTR_map);
    pass.poller = mp_load_attr(pass.queue, MP_QSTR_poller);
    pass.tasks = mp_load_attr(core, MP_QSTR__task_queue);
    pass.last = mp_load_attr(core, MP_QSTR_cur_task);
    pass.pushed = false;
    mp_int_t dt = mp_obj_get_int(dt_in);
    mp_obj_t ipoll[3];
    mp_load_method(pass.poller, MP_QSTR_ipoll, ipoll);
    for (;;) {
        ipoll[2] = MP_OBJ_NEW_SMALL_INT(sched_timed ? expire(&pass, dt) : dt);
        mp_obj_t iter = mp_call_method_n_kw(1, 0, ipoll);
        mp_obj_t item;
        while ((item = mp_iternext(iter)) != MP_OBJ_STOP_ITERATION) {
            mp_obj_t *pair;
            mp_obj_get_array_fixed_n(item, 2, &pair);
            ready(&pass, pair[0], mp_obj_get_int(pair[1]));
        }
        // The run loop pops a task right after an unbounded wait: wait on if a
        // deadline ended the poll too early, or an idle waiter was all it saw.
        if (dt >= 0 || pass.pushed
            || tasks_call(pass.tasks, MP_QSTR_peek, 0, MP_OBJ_NULL, MP_OBJ_NULL) != mp_const_none) {
            return mp_const_none;
        }
    }
}

static MP_DEFINE_CONST_FUN_OBJ_2(sched_step_obj, sched_step);

static void install(mp_obj_t core, mp_obj_t queue) {
    if (!mp_obj_is_instance_type(mp_obj_get_type(queue))) {
        mp_raise_TypeError(NULL); // not asyncio's IOQueue
    }
    mp_map_t *members = &((mp_obj_instance_t *)MP_OBJ_TO_PTR(queue))->members;
    mp_obj_t name = MP_OBJ_NEW_QSTR(MP_QSTR_wait_io_event);
    mp_map_elem_t *step = mp_map_lookup(members, name, MP_MAP_LOOKUP);
    // Installed as sched_step bound to `core` (a bound method: any other there is
    // someone else's hook, and stays).
    if (step == NULL || !mp_obj_is_type(step->value, &mp_type_bound_meth)) {
        // Made before its key goes in: a MemoryError leaves the queue as it was.
        mp_obj_t installed = mp_obj_new_bound_meth(MP_OBJ_FROM_PTR(&sched_step_obj), core);
        mp_map_lookup(members, name, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = installed;
    }
}

void irqio_sched_poller_asks(mp_obj_t native, mp_uint_t request) {
    if ((request != MP_STREAM_POLL && request != MP_STREAM_GET_FILENO) || !has_priority(native)) {
        return;
    }
    // Only a loop that exists (never an import from a poll), and never an exception
    // out of the poller's request: at worst the wake is ordinary.
    mp_obj_t core = irqio_asyncio_core_loaded();
    nlr_buf_t nlr;
    if (core != MP_OBJ_NULL && nlr_push(&nlr) == 0) {
        install(core, mp_load_attr(core, MP_QSTR__io_queue));
        nlr_pop();
    }
}

void irqio_sched_wait(mp_obj_t core, mp_obj_t queue, irqio_waiter_t *waiter, mp_obj_t task) {
    // Task.cancel() asks `data` to remove the task: IOQueue.remove finds the entry.
    // First: outside a task (None) this raises, as asyncio's own queue_read does.
    mp_store_attr(task, MP_QSTR_data, queue);
    install(core, queue);
    mp_obj_t obj = MP_OBJ_FROM_PTR(waiter);
    ((mp_obj_list_t *)MP_OBJ_TO_PTR(waiter->entry))->items[0] = task;
    mp_obj_dict_store(mp_load_attr(queue, MP_QSTR_map), mp_obj_id(obj), waiter->entry);
    mp_obj_t poller = mp_load_attr(queue, MP_QSTR_poller);
    poller_call(poller, MP_QSTR_register, obj, MP_STREAM_POLL_RD);
    idle_forget(idle_list(queue), obj);
    if (waiter->flags & IRQIO_WAIT_TIMED) {
        sched_timed = true;
    }
}
