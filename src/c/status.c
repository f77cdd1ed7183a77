// Shared by the C shim: status codes become exceptions here, and only here; the
// statistics attributes; the asyncio core module.
#include "py/runtime.h"
#include "irqio_shim.h"

void irqio_check(irqio_status status, int err) {
    switch (status) {
        case IRQIO_STATUS_OK:
            return;
        case IRQIO_STATUS_NO_MEMORY:
            mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("irqio: heap full or locked"));
        case IRQIO_STATUS_OS_ERROR:
            mp_raise_OSError(err);
        case IRQIO_STATUS_BAD_SIZE:
            mp_raise_ValueError(MP_ERROR_TEXT("irqio: size out of range (must be at least 1 and fit the heap)"));
        case IRQIO_STATUS_BUFFER_TOO_SMALL:
            mp_raise_ValueError(MP_ERROR_TEXT("irqio: buffer too small (RingIO(buffer) holds len(buffer) - 1 bytes)"));
        case IRQIO_STATUS_BUFFER_RESIZED:
            mp_raise_ValueError(MP_ERROR_TEXT("irqio: the buffer under this RingIO was resized; it must keep its size"));
        case IRQIO_STATUS_BAD_POLICY:
            mp_raise_ValueError(MP_ERROR_TEXT("irqio: overflow must be TRUNCATE, REJECT or OVERWRITE"));
    }
    mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("irqio: unknown status"));
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
