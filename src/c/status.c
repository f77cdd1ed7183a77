// Status codes from the Rust side become exceptions here, and only here.
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

mp_obj_t irqio_asyncio_core(void) {
    mp_obj_t asyncio = mp_import_name(MP_QSTR_asyncio, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    return mp_load_attr(asyncio, MP_QSTR_core);
}
