// Shared by the C shim: status codes become exceptions here, and only here; the
// statistics attributes; the asyncio core module.
#include "py/runtime.h"
#include "py/objint.h"
#include "irqio_shim.h"

void irqio_check(irqio_status status, int err) {
    switch (status) {
        case IRQIO_STATUS_OK:
            return;
        case IRQIO_STATUS_NO_MEMORY:
            mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("heap full or locked"));
        case IRQIO_STATUS_OS_ERROR:
            mp_raise_OSError(err);
        case IRQIO_STATUS_BAD_SIZE:
            mp_raise_ValueError(MP_ERROR_TEXT("size out of range"));
        case IRQIO_STATUS_BUFFER_TOO_SMALL:
            mp_raise_ValueError(MP_ERROR_TEXT("buffer too small (holds len - 1 bytes)"));
        case IRQIO_STATUS_BUFFER_RESIZED:
            mp_raise_ValueError(MP_ERROR_TEXT("RingIO buffer resized"));
        case IRQIO_STATUS_BAD_POLICY:
            mp_raise_ValueError(MP_ERROR_TEXT("overflow must be TRUNCATE, REJECT or OVERWRITE"));
    }
    MP_UNREACHABLE
}

// The value of the int `arg` if it fits a machine word, false for a bigger int;
// TypeError for non-integers. No allocation for small ints.
static bool get_word(mp_obj_t arg, mp_int_t *out) {
    if (mp_obj_is_small_int(arg) || !mp_obj_is_int(arg)) {
        *out = mp_obj_get_int(arg);
        return true;
    }
    // A big int: on 32-bit ports anything from 2**30, which may still fit a word.
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        return false;
    }
    *out = mp_obj_int_get_checked(arg);
    nlr_pop();
    return true;
}

mp_int_t irqio_get_size(mp_obj_t arg) {
    mp_int_t value;
    if (get_word(arg, &value)) {
        return value;
    }
    return mp_obj_int_sign(arg) < 0 ? -1 : MP_SSIZE_MAX;
}

bool irqio_get_int32(mp_obj_t arg, int32_t *out) {
    mp_int_t value;
    if (!get_word(arg, &value)) {
        return false;
    }
    #if MP_SSIZE_MAX > INT32_MAX
    if (value < INT32_MIN || value > INT32_MAX) {
        return false;
    }
    #endif
    *out = (int32_t)value;
    return true;
}

void irqio_stats_attr(qstr attr, mp_obj_t *dest, size_t capacity, size_t dropped, size_t high_water,
    uint8_t overflow, bool closed) {
    if (attr == MP_QSTR_capacity) {
        dest[0] = mp_obj_new_int_from_uint(capacity);
    } else if (attr == MP_QSTR_dropped) {
        dest[0] = mp_obj_new_int_from_uint(dropped);
    } else if (attr == MP_QSTR_high_water) {
        dest[0] = mp_obj_new_int_from_uint(high_water);
    } else if (attr == MP_QSTR_overflow) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(overflow);
    } else if (attr == MP_QSTR_closed) {
        dest[0] = mp_obj_new_bool(closed);
    } else {
        dest[1] = MP_OBJ_SENTINEL; // methods: continue in locals_dict
    }
}

mp_obj_t irqio_asyncio_core(void) {
    mp_obj_t asyncio = mp_import_name(MP_QSTR_asyncio, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    return mp_load_attr(asyncio, MP_QSTR_core);
}
