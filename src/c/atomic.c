// MicroPython's atomic section for Rust's critical-section (src/binding/critical.rs).
#include "py/mpthread.h"
#include "py/mphal.h"

mp_uint_t irqio_atomic_begin(void);
void irqio_atomic_end(mp_uint_t state);

mp_uint_t irqio_atomic_begin(void) {
    return MICROPY_BEGIN_ATOMIC_SECTION();
}

void irqio_atomic_end(mp_uint_t state) {
    MICROPY_END_ATOMIC_SECTION(state);
}
