// irqio.EventStream and its native interrupt handlers: type tables, argument
// checks, the asyncio side. The queue itself lives in Rust (src/binding/events.rs,
// src/core/events.rs).
#include "py/runtime.h"
#include "py/stream.h"
#include "py/smallint.h"
#include "py/mphal.h"
#include "py/mperrno.h"
#include "irqio_shim.h"
#include "irqio_port.h"

#define EVENTS_DROP_NEWEST (0)
#define EVENTS_OVERWRITE_OLDEST (1)
#define EVENTS_MAX_TAG (0xffff)

// A tag: an int in 0..65535 (ValueError for any other int, however big).
static uint16_t events_tag(mp_obj_t arg) {
    mp_int_t tag = irqio_get_size(arg);
    if (tag < 0 || tag > EVENTS_MAX_TAG) {
        mp_raise_ValueError(MP_ERROR_TEXT("tag must be in range 0..65535"));
    }
    return (uint16_t)tag;
}

// A value: an int that fits in 32 bits, signed (what a record holds).
static int32_t events_value(mp_obj_t arg) {
    int32_t value;
    if (!irqio_get_int32(arg, &value)) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("value must fit in 32 bits (signed)"));
    }
    return value;
}

static mp_obj_t events_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_capacity, ARG_overflow, ARG_priority };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_capacity, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_overflow, MP_ARG_INT, {.u_int = EVENTS_DROP_NEWEST} },
        { MP_QSTR_priority, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    mp_int_t capacity = irqio_get_size(args[ARG_capacity].u_obj);
    mp_int_t overflow = args[ARG_overflow].u_int;
    if (overflow != EVENTS_DROP_NEWEST && overflow != EVENTS_OVERWRITE_OLDEST) {
        mp_raise_ValueError(MP_ERROR_TEXT("overflow must be DROP_NEWEST or OVERWRITE_OLDEST"));
    }
    mp_obj_t self = MP_OBJ_NULL;
    int err = 0;
    irqio_status status = irqio_events_new(type, capacity, (uint8_t)overflow, &self, &err);
    if (irqio_collect_if_out_of_handles(status, err)) {
        status = irqio_events_new(type, capacity, (uint8_t)overflow, &self, &err);
    }
    irqio_check(status, err);
    irqio_waiter_set_priority(self, args[ARG_priority].u_bool);
    return self;
}

// post(tag, value=0) -> bool: allocation-free, for hard IRQ handlers and threads.
static mp_obj_t events_post(size_t n_args, const mp_obj_t *args) {
    uint16_t tag = events_tag(args[1]);
    int32_t value = n_args > 2 ? events_value(args[2]) : 0;
    int stored = irqio_events_py_post(args[0], tag, value);
    if (stored < 0) {
        mp_raise_OSError(MP_EPIPE); // closed
    }
    return mp_obj_new_bool(stored);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(events_post_obj, 2, 3, events_post);

static mp_obj_t events_handler(mp_obj_t self_in, mp_obj_t tag_in) {
    mp_obj_t handler = MP_OBJ_NULL;
    irqio_check(irqio_events_handler_new(&irqio_type_EventHandler, self_in, events_tag(tag_in), &handler), 0);
    return handler;
}
static MP_DEFINE_CONST_FUN_OBJ_2(events_handler_obj, events_handler);

// --- the asyncio side: get(), async for, dispatch() --------------------------------

enum { EVENTS_WAIT_GET, EVENTS_WAIT_ANEXT, EVENTS_WAIT_INTO };

// The next event as (tag, value, t_us) (get, __anext__) or whole records in `buf`
// and their count (get_into); MP_OBJ_NULL if none yet (the waiter then waits for
// the stream); or the end of the stream in the caller's form.
static mp_obj_t events_poll(mp_obj_t self_in, uintptr_t mode, mp_obj_t buf) {
    if (mode == EVENTS_WAIT_INTO) {
        // Checked on every poll: the buffer may have shrunk while the task waited.
        mp_buffer_info_t info;
        mp_get_buffer_raise(buf, &info, MP_BUFFER_WRITE);
        if (info.len < IRQIO_EVENT_RECORD_SIZE) {
            mp_raise_ValueError(MP_ERROR_TEXT("buffer smaller than a record"));
        }
        mp_int_t n = irqio_events_read_records(self_in, info.buf, info.len);
        if (n >= -1) {
            return n == 0 ? MP_OBJ_NULL : MP_OBJ_NEW_SMALL_INT(n < 0 ? 0 : n);
        }
    } else {
        irqio_event_t event;
        switch (irqio_events_pop(self_in, &event)) {
            case IRQIO_EVENTS_NEXT_EVENT: {
                mp_obj_t items[3] = {
                    MP_OBJ_NEW_SMALL_INT(event.tag),
                    mp_obj_new_int(event.value),
                    irqio_ticks_from32(event.t_us),
                };
                return mp_obj_new_tuple(3, items);
            }
            case IRQIO_EVENTS_NEXT_EMPTY:
                return MP_OBJ_NULL;
            case IRQIO_EVENTS_NEXT_END:
                if (mode == EVENTS_WAIT_ANEXT) {
                    mp_raise_type(&mp_type_StopAsyncIteration);
                }
                mp_raise_msg(&mp_type_EOFError, MP_ERROR_TEXT("EventStream closed"));
            default:
                break;
        }
    }
    mp_raise_ValueError(MP_ERROR_TEXT("a packed record is partly read; finish it with read() first"));
}

// get(*, priority=None, timeout_ms=None)
static mp_obj_t events_get(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_arg_check_num(n_args, 0, 1, 1, false);
    return irqio_waiter_for(args[0], events_poll, irqio_events_ioctl, EVENTS_WAIT_GET, mp_const_none, kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(events_get_obj, 1, events_get);

// get_into(buf, *, priority=None, timeout_ms=None): whole records, at least one;
// the buffer is checked when awaited.
static mp_obj_t events_get_into(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_arg_check_num(n_args, 0, 2, 2, false);
    return irqio_waiter_for(args[0], events_poll, irqio_events_ioctl, EVENTS_WAIT_INTO, args[1], kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(events_get_into_obj, 2, events_get_into);

static mp_obj_t events_aiter(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(events_aiter_obj, events_aiter);

static mp_obj_t events_anext(mp_obj_t self_in) {
    return irqio_waiter_for(self_in, events_poll, irqio_events_ioctl, EVENTS_WAIT_ANEXT, mp_const_none, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_1(events_anext_obj, events_anext);

// dispatch(handlers, default=None, *, priority=None): the coroutine in
// modules/_irqio_dispatch.py.
static mp_obj_t events_dispatch(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    enum { ARG_handlers, ARG_default, ARG_priority };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_handlers, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_default, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_priority, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, args + 1, kw, MP_ARRAY_SIZE(allowed_args), allowed_args, vals);
    mp_obj_t module = mp_import_name(MP_QSTR__irqio_dispatch, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t run = mp_load_attr(module, MP_QSTR_dispatch);
    mp_obj_t call_args[4] = { args[0], vals[ARG_handlers].u_obj, vals[ARG_default].u_obj, vals[ARG_priority].u_obj };
    return mp_call_function_n_kw(run, 4, 0, call_args);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(events_dispatch_obj, 2, events_dispatch);

// --- stream protocol, statistics, lifetime ----------------------------------------

static mp_uint_t events_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_obj_t native = irqio_native(self_in, &irqio_type_EventStream);
    if (native != MP_OBJ_NULL) {
        irqio_waiter_check_reader(native); // get() or async for waits: one reader
    }
    return irqio_events_stream_read(self_in, buf, size, errcode);
}

static mp_uint_t events_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_obj_t native = irqio_native(self_in, &irqio_type_EventStream);
    mp_uint_t ret;
    if (native != MP_OBJ_NULL) {
        if (irqio_waiter_turns_away(native, request, arg, errcode, &ret)) {
            return ret;
        }
        irqio_sched_poller_asks(native, request);
    }
    return irqio_events_ioctl(self_in, request, arg, errcode);
}

static mp_obj_t events_any(mp_obj_t self_in) {
    irqio_events_stats_t stats;
    irqio_events_stats(self_in, &stats);
    return mp_obj_new_int_from_uint(stats.pending);
}
static MP_DEFINE_CONST_FUN_OBJ_1(events_any_obj, events_any);

static mp_obj_t events_reset_stats(mp_obj_t self_in) {
    return mp_obj_new_int_from_uint(irqio_events_reset_stats(self_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(events_reset_stats_obj, events_reset_stats);

static mp_obj_t events_del(mp_obj_t self_in) {
    irqio_events_del(self_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(events_del_obj, events_del);

// Read-only attributes: capacity, dropped, high_water, overflow, closed; and
// priority, which may be set.
static void events_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (irqio_waiter_priority_attr(self_in, attr, dest)) {
        return;
    }
    if (dest[0] != MP_OBJ_NULL) {
        dest[1] = MP_OBJ_SENTINEL; // stores and deletes: fall through (and fail)
        return;
    }
    irqio_events_stats_t stats;
    irqio_events_stats(self_in, &stats);
    irqio_stats_attr(attr, dest, stats.capacity, stats.dropped, stats.high_water, stats.overflow, stats.closed);
}

static const mp_stream_p_t events_stream_p = {
    .read = events_read,
    .ioctl = events_ioctl,
    .is_text = false,
};

static const mp_rom_map_elem_t events_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_post), MP_ROM_PTR(&events_post_obj) },
    { MP_ROM_QSTR(MP_QSTR_handler), MP_ROM_PTR(&events_handler_obj) },
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&events_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_into), MP_ROM_PTR(&events_get_into_obj) },
    { MP_ROM_QSTR(MP_QSTR___aiter__), MP_ROM_PTR(&events_aiter_obj) },
    { MP_ROM_QSTR(MP_QSTR___anext__), MP_ROM_PTR(&events_anext_obj) },
    { MP_ROM_QSTR(MP_QSTR_dispatch), MP_ROM_PTR(&events_dispatch_obj) },
    { MP_ROM_QSTR(MP_QSTR_any), MP_ROM_PTR(&events_any_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset_stats), MP_ROM_PTR(&events_reset_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&events_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_DROP_NEWEST), MP_ROM_INT(EVENTS_DROP_NEWEST) },
    { MP_ROM_QSTR(MP_QSTR_OVERWRITE_OLDEST), MP_ROM_INT(EVENTS_OVERWRITE_OLDEST) },
    { MP_ROM_QSTR(MP_QSTR_RECORD_SIZE), MP_ROM_INT(IRQIO_EVENT_RECORD_SIZE) },
};
static MP_DEFINE_CONST_DICT(events_locals_dict, events_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_type_EventStream,
    MP_QSTR_EventStream,
    MP_TYPE_FLAG_NONE,
    make_new, events_make_new,
    attr, events_attr,
    protocol, &events_stream_p,
    locals_dict, &events_locals_dict
    );

// --- EventStream.handler(tag): a native interrupt handler --------------------------

// handler(arg=None): what Pin.irq and Timer call. Given a pin, posts its level;
// otherwise the handler's firing count. No Python runs and nothing is allocated.
static mp_obj_t handler_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    int level = 0;
    bool has_level = n_args == 1 && irqio_port_pin_level(args[0], &level);
    irqio_events_handler_fire(self_in, has_level, level);
    return mp_const_none;
}

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_type_EventHandler,
    MP_QSTR_EventHandler,
    MP_TYPE_FLAG_NONE,
    call, handler_call
    );
