// irqio port glue for the qemu port (MICROBIT: Cortex-M0, VIRT_RV32: RV32).
//
// It exists to run irqio's synchronous tests on the instruction sets of the RP2040
// and the ESP32-C3. The port has no asyncio, no time module and no user interrupts,
// so there is nothing to wake and no pin to read.
#include <stdlib.h>
#include <string.h>

#include "py/mphal.h"
#include "irqio_port.h"

int irqio_port_wake_open(int *handle) {
    *handle = -1;
    return 0;
}

void irqio_port_wake_raise(int handle) {
    (void)handle;
}

void irqio_port_wake_drain(int handle) {
    (void)handle;
}

void irqio_port_wake_close(int handle) {
    (void)handle;
}

bool irqio_port_pin_level(mp_obj_t pin, int *level) {
    (void)pin;
    (void)level;
    return false;
}

// The qemu port before MicroPython 1.28 has no clock: event timestamps and the
// scheduler step's millisecond ticks read 0 there. (Weak, so a MicroPython whose
// qemu port has them, 1.28 on, uses its own.)
__attribute__((weak)) mp_uint_t mp_hal_ticks_us(void) {
    return 0;
}

__attribute__((weak)) mp_uint_t mp_hal_ticks_ms(void) {
    return 0;
}

#if defined(__ARM_EABI__)
// Rust lowers copies to the Arm EABI's memcpy; this port links no C library
// (-nostdlib, its own string0.c), so route it to the port's memcpy.
__attribute__((weak)) void __aeabi_memcpy(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
#endif

void irqio_port_fatal(const char *msg) {
    // As the port's own fatal path (nlr_jump_fail): report and end the emulation.
    mp_hal_stdout_tx_strn(msg, strlen(msg));
    mp_hal_stdout_tx_strn("\r\n", 2);
    exit(1);
}
