// The awaitable behind ThreadSafeFlag.wait() and EventStream.get()/__anext__().
//
// `await obj.wait()` iterates a waiter: each step asks the object's poll function
// for a result; if there is none yet, it queues the current task on asyncio's IO
// queue for the object (which the poller wakes through the object's ioctl or file
// descriptor) and yields. It has send/throw/close so asyncio.create_task() and
// wait_for() accept it as a coroutine.
#include "py/runtime.h"
#include "irqio_shim.h"

typedef struct _irqio_waiter_t {
    mp_obj_base_t base;
    mp_obj_t target;
    irqio_waiter_poll_t poll;
    uintptr_t mode;
} irqio_waiter_t;

// Queues the current task to be resumed when `target` becomes readable.
static void waiter_queue_read(mp_obj_t target) {
    mp_obj_t io_queue = mp_load_attr(irqio_asyncio_core(), MP_QSTR__io_queue);
    // asyncio's IO queue holds one reader per stream: a second task waiting on the
    // same object would silently orphan the first (upstream does). Refuse instead.
    mp_obj_t waiting = mp_load_attr(io_queue, MP_QSTR_map);
    mp_map_elem_t *entry = mp_map_lookup(mp_obj_dict_get_map(waiting), mp_obj_id(target), MP_MAP_LOOKUP);
    if (entry != NULL) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(entry->value, &len, &items);
        if (len > 0 && items[0] != mp_const_none) {
            mp_raise_msg_varg(&mp_type_RuntimeError, MP_ERROR_TEXT("another task is already waiting on this %q"),
                (qstr)mp_obj_get_type(target)->name);
        }
    }
    mp_obj_t dest[3];
    mp_load_method(io_queue, MP_QSTR_queue_read, dest);
    dest[2] = target;
    mp_call_method_n_kw(1, 0, dest);
}

static mp_obj_t waiter_iternext(mp_obj_t self_in) {
    irqio_waiter_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t result = self->poll(self->target, self->mode);
    if (result != MP_OBJ_NULL) {
        return mp_make_stop_iteration(result);
    }
    waiter_queue_read(self->target);
    return mp_const_none;
}

static mp_obj_t waiter_send(mp_obj_t self_in, mp_obj_t value) {
    (void)value;
    irqio_waiter_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t result = self->poll(self->target, self->mode);
    if (result != MP_OBJ_NULL) {
        mp_raise_StopIteration(result);
    }
    waiter_queue_read(self->target);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(waiter_send_obj, waiter_send);

// throw(exc): a cancelled waiter has nothing to undo (asyncio already removed the
// task from its IO queue), so the exception just propagates.
static mp_obj_t waiter_throw(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    nlr_raise(mp_make_raise_obj(args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(waiter_throw_obj, 2, 4, waiter_throw);

static mp_obj_t waiter_close(mp_obj_t self_in) {
    (void)self_in;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(waiter_close_obj, waiter_close);

static const mp_rom_map_elem_t waiter_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&waiter_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&waiter_throw_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&waiter_close_obj) },
};
static MP_DEFINE_CONST_DICT(waiter_locals_dict, waiter_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    irqio_waiter_type,
    MP_QSTR_wait, // shown as <wait>; reuses the method's name
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, waiter_iternext,
    locals_dict, &waiter_locals_dict
    );

mp_obj_t irqio_waiter_new(mp_obj_t target, irqio_waiter_poll_t poll, uintptr_t mode) {
    irqio_waiter_t *waiter = mp_obj_malloc(irqio_waiter_t, &irqio_waiter_type);
    waiter->target = target;
    waiter->poll = poll;
    waiter->mode = mode;
    return MP_OBJ_FROM_PTR(waiter);
}
