// The MicroPython API the Rust binding layer uses; build.rs runs bindgen over this
// with the port's own flags, so every type and constant matches the firmware.
#include "py/obj.h"
#include "py/gc.h"
#include "py/mphal.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/smallint.h"

// Flags of the port's configuration the binding layer needs as constants
// (bindgen does not expand function-like config macros).
enum {
    IRQIO_MP_ENABLE_FINALISER = MICROPY_ENABLE_FINALISER,
    IRQIO_MP_OBJ_REPR = MICROPY_OBJ_REPR,
    IRQIO_MP_OBJ_REPR_A = MICROPY_OBJ_REPR_A,
    IRQIO_MP_OBJ_REPR_B = MICROPY_OBJ_REPR_B,
    IRQIO_MP_OBJ_REPR_C = MICROPY_OBJ_REPR_C,
    IRQIO_MP_OBJ_REPR_D = MICROPY_OBJ_REPR_D,
};

// time.ticks_us() as Python sees it: the port's microsecond counter masked to the
// ticks period, so timestamps compare with time.ticks_diff(). Reaches Rust through
// bindgen's static-function wrapper.
static inline mp_uint_t irqio_mp_ticks_us(void) {
    return mp_hal_ticks_us() & (MICROPY_PY_TIME_TICKS_PERIOD - 1);
}
