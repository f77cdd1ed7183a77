// Shared by the C shim: status codes become exceptions here, and only here; argument
// conversions; the statistics attributes; finding the native object in a subclass
// instance; the asyncio side's checks.
#include "py/runtime.h"
#include "py/objint.h"
#include "py/smallint.h"
#include "py/objtuple.h"
#include "py/objtype.h"
#include "py/gc.h"
#include "py/mphal.h"
#include "py/mperrno.h"
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

bool irqio_collect_if_out_of_handles(irqio_status status, int err) {
    if (status != IRQIO_STATUS_OS_ERROR || (err != MP_EMFILE && err != MP_ENFILE)) {
        return false;
    }
    // Finalisers of unreachable irqio objects close their handles.
    gc_collect();
    return true;
}

mp_obj_t irqio_ticks_from32(uint32_t low) {
    mp_uint_t now = mp_hal_ticks_us();
    mp_uint_t ticks = (now - (uint32_t)((uint32_t)now - low)) & (MICROPY_PY_TIME_TICKS_PERIOD - 1);
    return mp_obj_new_int_from_uint(ticks);
}

// Whether `cls` has `base` among its bases (single or multiple inheritance).
static bool derives_from(const mp_obj_type_t *cls, const mp_obj_type_t *base, unsigned depth) {
    const void *parent = MP_OBJ_TYPE_GET_SLOT_OR_NULL(cls, parent);
    if (parent == NULL || depth > 8) {
        return false;
    }
    if (((const mp_obj_base_t *)parent)->type == &mp_type_tuple) {
        const mp_obj_tuple_t *bases = parent;
        for (size_t i = 0; i < bases->len; i++) {
            const mp_obj_type_t *b = MP_OBJ_TO_PTR(bases->items[i]);
            if (b == base || derives_from(b, base, depth + 1)) {
                return true;
            }
        }
        return false;
    }
    return parent == base || derives_from(parent, base, depth + 1);
}

mp_obj_t irqio_native_subobj(mp_obj_t obj, const mp_obj_type_t *type) {
    const mp_obj_type_t *cls = mp_obj_get_type(obj);
    // A class with a native base keeps that base's object in subobj[0] (MicroPython
    // allows one native base); classes without one have no subobj at all.
    if (!mp_obj_is_instance_type(cls) || !derives_from(cls, type, 0)) {
        return MP_OBJ_NULL;
    }
    mp_obj_t native = ((mp_obj_instance_t *)MP_OBJ_TO_PTR(obj))->subobj[0];
    // Before __init__ has run, subobj[0] is a placeholder, not an object of `type`.
    return mp_obj_is_exact_type(native, type) ? native : MP_OBJ_NULL;
}

mp_obj_t irqio_asyncio_core_loaded(void) {
    qstr name = qstr_find_strn("asyncio.core", 12);
    mp_map_elem_t *loaded = name == MP_QSTRnull ? NULL
        : mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
    return loaded != NULL ? loaded->value : MP_OBJ_NULL;
}

mp_obj_t irqio_asyncio_core(void) {
    // Once imported, straight from sys.modules: an import statement allocates.
    mp_obj_t core = irqio_asyncio_core_loaded();
    if (core != MP_OBJ_NULL) {
        return core;
    }
    mp_obj_t asyncio = mp_import_name(MP_QSTR_asyncio, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    return mp_load_attr(asyncio, MP_QSTR_core);
}

mp_obj_t irqio_native(mp_obj_t obj, const mp_obj_type_t *type) {
    if (mp_obj_is_exact_type(obj, type)) {
        return obj;
    }
    return mp_obj_is_obj(obj) ? irqio_native_subobj(obj, type) : MP_OBJ_NULL;
}
