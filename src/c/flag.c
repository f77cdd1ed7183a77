// irqio.ThreadSafeFlag: type table, the asyncio waiter, attribute access.
// The flag itself lives in Rust (src/binding/flag.rs, src/core/flag.rs).
#include "py/runtime.h"
#include "py/stream.h"
#include "irqio_shim.h"

static mp_obj_t flag_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)args;
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    mp_obj_t self = MP_OBJ_NULL;
    int err = 0;
    irqio_status status = irqio_flag_new(type, &self, &err);
    irqio_check(status, err);
    return self;
}

// set(): the interrupt-safe producer; no allocation on this path.
static mp_obj_t flag_set(mp_obj_t self_in) {
    irqio_flag_set(self_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_set_obj, flag_set);

static mp_obj_t flag_clear(mp_obj_t self_in) {
    irqio_flag_clear(self_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_clear_obj, flag_clear);

static mp_obj_t flag_is_set(mp_obj_t self_in) {
    return mp_obj_new_bool(irqio_flag_is_set(self_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_is_set_obj, flag_is_set);

static mp_obj_t flag_del(mp_obj_t self_in) {
    irqio_flag_del(self_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_del_obj, flag_del);

// --- wait(): a small awaitable ---------------------------------------------------
//
// `await flag.wait()` iterates this object: each step either takes the flag (done)
// or queues the current task on asyncio's IO queue for this flag and yields. It has
// send/throw/close so asyncio.create_task() and wait_for() accept it as a coroutine.

typedef struct _flag_waiter_t {
    mp_obj_base_t base;
    mp_obj_t flag;
} flag_waiter_t;

static mp_obj_t waiter_iternext(mp_obj_t self_in) {
    flag_waiter_t *self = MP_OBJ_TO_PTR(self_in);
    if (irqio_flag_take(self->flag)) {
        return MP_OBJ_STOP_ITERATION;
    }
    mp_obj_t core = irqio_asyncio_core();
    mp_obj_t io_queue = mp_load_attr(core, MP_QSTR__io_queue);
    // Upstream silently orphans a task when a second one waits on the same flag:
    // asyncio's IO queue holds one reader per stream. Refuse the second instead.
    mp_obj_t waiting = mp_load_attr(io_queue, MP_QSTR_map);
    mp_map_elem_t *entry = mp_map_lookup(mp_obj_dict_get_map(waiting), mp_obj_id(self->flag), MP_MAP_LOOKUP);
    if (entry != NULL) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(entry->value, &len, &items);
        if (len > 0 && items[0] != mp_const_none) {
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("another task is already waiting on this ThreadSafeFlag"));
        }
    }
    mp_obj_t dest[3];
    mp_load_method(io_queue, MP_QSTR_queue_read, dest);
    dest[2] = self->flag;
    mp_call_method_n_kw(1, 0, dest);
    return mp_const_none;
}

static mp_obj_t waiter_send(mp_obj_t self_in, mp_obj_t value) {
    (void)value;
    mp_obj_t ret = waiter_iternext(self_in);
    if (ret == MP_OBJ_STOP_ITERATION) {
        mp_raise_StopIteration(mp_const_none);
    }
    return ret;
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
    flag_waiter_type,
    MP_QSTR_ThreadSafeFlagWait,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, waiter_iternext,
    locals_dict, &waiter_locals_dict
    );

static mp_obj_t flag_wait(mp_obj_t self_in) {
    flag_waiter_t *waiter = mp_obj_malloc(flag_waiter_t, &flag_waiter_type);
    waiter->flag = self_in;
    return MP_OBJ_FROM_PTR(waiter);
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_wait_obj, flag_wait);

// --- attributes: count, timestamp ------------------------------------------------

static void flag_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        dest[1] = MP_OBJ_SENTINEL; // stores and deletes: fall through (and fail)
        return;
    }
    if (attr == MP_QSTR_count) {
        dest[0] = mp_obj_new_int_from_uint(irqio_flag_count(self_in));
    } else if (attr == MP_QSTR_timestamp) {
        size_t t;
        dest[0] = irqio_flag_timestamp(self_in, &t) ? mp_obj_new_int_from_uint(t) : mp_const_none;
    } else {
        dest[1] = MP_OBJ_SENTINEL; // methods: continue in locals_dict
    }
}

// --- stream protocol: the poller asks readiness (and the fd on unix) -------------

static mp_uint_t flag_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    return irqio_flag_ioctl(self_in, request, arg, errcode);
}

static const mp_stream_p_t flag_stream_p = {
    .ioctl = flag_ioctl,
};

static const mp_rom_map_elem_t flag_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_set), MP_ROM_PTR(&flag_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&flag_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_is_set), MP_ROM_PTR(&flag_is_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_wait), MP_ROM_PTR(&flag_wait_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&flag_del_obj) },
};
static MP_DEFINE_CONST_DICT(flag_locals_dict, flag_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_type_ThreadSafeFlag,
    MP_QSTR_ThreadSafeFlag,
    MP_TYPE_FLAG_NONE,
    make_new, flag_make_new,
    attr, flag_attr,
    protocol, &flag_stream_p,
    locals_dict, &flag_locals_dict
    );
