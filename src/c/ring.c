// irqio.RingIO: type table, argument parsing, attributes and the stream protocol.
// The ring itself lives in Rust (src/binding/ring.rs, src/core/ring.rs).
#include "py/runtime.h"
#include "py/stream.h"
#include "py/smallint.h"
#include "py/mperrno.h"
#include "irqio_shim.h"

static mp_obj_t ring_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_source, ARG_overflow, ARG_priority };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_overflow, MP_ARG_INT, {.u_int = IRQIO_OVERFLOW_TRUNCATE} },
        { MP_QSTR_priority, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    mp_obj_t source = args[ARG_source].u_obj;
    mp_int_t size;
    mp_buffer_info_t info;
    if (mp_get_buffer(source, &info, MP_BUFFER_READ)) {
        // RingIO(buffer): upstream's capacity for that buffer, len - 1 bytes. The ring
        // keeps its own storage (src/binding/ring.rs says why), so the buffer is only
        // measured; a read-only one is refused as upstream refuses it.
        if (!mp_get_buffer(source, &info, MP_BUFFER_WRITE)) {
            mp_raise_TypeError(MP_ERROR_TEXT("RingIO buffer must be writable (bytearray, array, memoryview)"));
        }
        if (info.len < 2) {
            irqio_check(IRQIO_STATUS_BUFFER_TOO_SMALL, 0);
        }
        size = info.len > (size_t)MP_SSIZE_MAX ? MP_SSIZE_MAX : (mp_int_t)info.len - 1;
    } else {
        size = irqio_get_size(source); // TypeError for anything else, as upstream
    }
    mp_int_t overflow = args[ARG_overflow].u_int;
    if (overflow < 0 || overflow > 255) {
        irqio_check(IRQIO_STATUS_BAD_POLICY, 0);
    }
    mp_obj_t self = MP_OBJ_NULL;
    int err = 0;
    irqio_status status = irqio_ring_new(type, size, (uint8_t)overflow, &self, &err);
    if (irqio_collect_if_out_of_handles(status, err)) {
        status = irqio_ring_new(type, size, (uint8_t)overflow, &self, &err);
    }
    irqio_check(status, err);
    irqio_waiter_set_priority(self, args[ARG_priority].u_bool);
    return self;
}

static mp_uint_t ring_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_obj_t native = irqio_native(self_in, &irqio_type_RingIO);
    if (native != MP_OBJ_NULL) {
        irqio_waiter_check_reader(native); // areadinto() waits: one reader
    }
    return irqio_ring_stream_read(self_in, buf, size, errcode);
}

static mp_uint_t ring_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    return irqio_ring_stream_write(self_in, buf, size, errcode);
}

// write(buf[, max_len]) / write(buf, off, max_len), as the stream write method, but
// one attempt: what does not fit is dropped and counted, not retried.
static mp_obj_t ring_write_method(size_t n_args, const mp_obj_t *args) {
    #if !MICROPY_BUILTIN_METHOD_CHECK_SELF_ARG
    // irqio_ring_py_write trusts that self is a RingIO; with this option the runtime
    // checks it for `RingIO.write(other, ...)`, without it we do.
    if (!mp_obj_is_type(args[0], &irqio_type_RingIO)) {
        mp_raise_TypeError(MP_ERROR_TEXT("RingIO.write() needs a RingIO"));
    }
    #endif
    mp_buffer_info_t info;
    mp_get_buffer_raise(args[1], &info, MP_BUFFER_READ);
    const uint8_t *data = info.buf;
    size_t len = info.len;
    if (n_args > 2) { // write(buf, max_len) or write(buf, off, max_len)
        size_t off = 0;
        if (n_args == 4) {
            off = MIN((size_t)mp_obj_get_int_truncated(args[2]), len);
        }
        data += off;
        len = MIN(len - off, (size_t)mp_obj_get_int_truncated(args[n_args - 1]));
    }
    size_t stored = irqio_ring_py_write(args[0], data, len);
    if (stored > SIZE_MAX - 16) { // ~status: see irqio_ring_py_write
        irqio_check((irqio_status)~stored, MP_EPIPE); // the only errno it reports
    }
    // Inline small-int path: a call per write is measurable (benchmarks/ringio_write_cost.py).
    return MP_SMALL_INT_FITS(stored) ? MP_OBJ_NEW_SMALL_INT(stored) : mp_obj_new_int_from_uint(stored);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ring_write_obj, 2, 4, ring_write_method);

static mp_uint_t ring_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_obj_t native = irqio_native(self_in, &irqio_type_RingIO);
    mp_uint_t ret;
    if (native != MP_OBJ_NULL) {
        if (irqio_waiter_turns_away(native, request, arg, errcode, &ret)) {
            return ret;
        }
        irqio_sched_poller_asks(native, request);
    }
    return irqio_ring_ioctl(self_in, request, arg, errcode);
}

// areadinto(buf, *, priority=None, timeout_ms=None): bytes into `buf` once there are
// any, and their count; 0 at end of stream (closed and drained). The buffer is
// checked when awaited.
static mp_obj_t ring_poll(mp_obj_t self_in, uintptr_t mode, mp_obj_t buf) {
    (void)mode;
    // Checked on every poll: the buffer may have shrunk while the task waited (an
    // empty one would read as end of stream).
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, MP_BUFFER_WRITE);
    if (info.len == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("empty buffer"));
    }
    int err = 0;
    mp_uint_t n = irqio_ring_stream_read(self_in, info.buf, info.len, &err);
    if (n == MP_STREAM_ERROR) {
        if (err != MP_EAGAIN) {
            mp_raise_OSError(err);
        }
        return MP_OBJ_NULL;
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}

static mp_obj_t ring_areadinto(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_arg_check_num(n_args, 0, 2, 2, false);
    return irqio_waiter_for(args[0], ring_poll, irqio_ring_ioctl, 0, args[1], kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(ring_areadinto_obj, 2, ring_areadinto);

static mp_obj_t ring_any(mp_obj_t self_in) {
    return mp_obj_new_int_from_uint(irqio_ring_any(self_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_any_obj, ring_any);

static mp_obj_t ring_free(mp_obj_t self_in) {
    irqio_ring_stats_t stats;
    irqio_ring_stats(self_in, &stats);
    return mp_obj_new_int_from_uint(stats.free);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_free_obj, ring_free);

static mp_obj_t ring_reset_stats(mp_obj_t self_in) {
    return mp_obj_new_int_from_uint(irqio_ring_reset_stats(self_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_reset_stats_obj, ring_reset_stats);

static mp_obj_t ring_del(mp_obj_t self_in) {
    irqio_ring_del(self_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_del_obj, ring_del);

// Read-only attributes: capacity, dropped, high_water, overflow, closed; and
// priority, which may be set.
static void ring_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (irqio_waiter_priority_attr(self_in, attr, dest)) {
        return;
    }
    if (dest[0] != MP_OBJ_NULL) {
        dest[1] = MP_OBJ_SENTINEL; // stores and deletes: fall through (and fail)
        return;
    }
    irqio_ring_stats_t stats;
    irqio_ring_stats(self_in, &stats);
    irqio_stats_attr(attr, dest, stats.capacity, stats.dropped, stats.high_water, stats.overflow, stats.closed);
}

static const mp_stream_p_t ring_stream_p = {
    .read = ring_read,
    .write = ring_write,
    .ioctl = ring_ioctl,
    .is_text = false,
};

static const mp_rom_map_elem_t ring_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_any), MP_ROM_PTR(&ring_any_obj) },
    { MP_ROM_QSTR(MP_QSTR_free), MP_ROM_PTR(&ring_free_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_areadinto), MP_ROM_PTR(&ring_areadinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&ring_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset_stats), MP_ROM_PTR(&ring_reset_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&ring_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_TRUNCATE), MP_ROM_INT(IRQIO_OVERFLOW_TRUNCATE) },
    { MP_ROM_QSTR(MP_QSTR_REJECT), MP_ROM_INT(IRQIO_OVERFLOW_REJECT) },
    { MP_ROM_QSTR(MP_QSTR_OVERWRITE), MP_ROM_INT(IRQIO_OVERFLOW_OVERWRITE) },
};
static MP_DEFINE_CONST_DICT(ring_locals_dict, ring_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_type_RingIO,
    MP_QSTR_RingIO,
    MP_TYPE_FLAG_NONE,
    make_new, ring_make_new,
    attr, ring_attr,
    protocol, &ring_stream_p,
    locals_dict, &ring_locals_dict
    );
