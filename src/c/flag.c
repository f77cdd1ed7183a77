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
    if (irqio_collect_if_out_of_handles(status, err)) {
        status = irqio_flag_new(type, &self, &err);
    }
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

// --- wait(): the awaitable (src/c/waiter.c) --------------------------------------

// Done once the flag is taken; the waiter queues the task otherwise.
static mp_obj_t flag_poll(mp_obj_t flag, uintptr_t mode, mp_obj_t arg) {
    (void)mode;
    (void)arg;
    return irqio_flag_take(flag) ? mp_const_none : MP_OBJ_NULL;
}

// wait(*, priority=False, timeout_ms=None)
static mp_obj_t flag_wait(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_arg_check_num(n_args, 0, 1, 1, false);
    return irqio_waiter_for(args[0], flag_poll, irqio_flag_ioctl, 0, mp_const_none, kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(flag_wait_obj, 1, flag_wait);

// --- attributes: count, timestamp ------------------------------------------------

static void flag_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        dest[1] = MP_OBJ_SENTINEL; // stores and deletes: fall through (and fail)
        return;
    }
    if (attr == MP_QSTR_count) {
        dest[0] = mp_obj_new_int_from_uint(irqio_flag_count(self_in));
    } else if (attr == MP_QSTR_timestamp) {
        uint32_t t;
        dest[0] = irqio_flag_timestamp(self_in, &t) ? irqio_ticks_from32(t) : mp_const_none;
    } else {
        dest[1] = MP_OBJ_SENTINEL; // methods: continue in locals_dict
    }
}

// --- stream protocol: the poller asks readiness (and the fd on unix) -------------

static mp_uint_t flag_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_obj_t native = irqio_native(self_in, &irqio_type_ThreadSafeFlag);
    mp_uint_t ret;
    if (native != MP_OBJ_NULL && irqio_waiter_turns_away(native, request, arg, errcode, &ret)) {
        return ret;
    }
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
