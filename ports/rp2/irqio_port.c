// irqio port glue for the rp2 port (RP2040, RP2350).
//
// There are no file descriptors: the asyncio loop polls objects through their
// ioctl and, when idle, sleeps in WFE (mp_event_wait_*). __sev() sets the event
// flag on both cores, so a set() from a hard IRQ or from core 1 ends that sleep
// at once instead of at the next timer tick.
#include <string.h>

#include "py/mpconfig.h"
#include "py/mphal.h"
#include "hardware/sync.h"

#include "extmod/modmachine.h"
#include "extmod/virtpin.h"

#include "irqio_port.h"

int irqio_port_wake_open(int *handle) {
    *handle = -1;
    return 0;
}

void irqio_port_wake_raise(int handle) {
    (void)handle;
    __sev();
}

void irqio_port_wake_drain(int handle) {
    (void)handle;
}

void irqio_port_wake_close(int handle) {
    (void)handle;
}

bool irqio_port_pin_level(mp_obj_t pin, int *level) {
    // machine.Pin's pin protocol reads the GPIO input register: no allocation.
    if (!mp_obj_is_type(pin, &machine_pin_type)) {
        return false;
    }
    *level = mp_virtual_pin_read(pin);
    return true;
}

void irqio_port_fatal(const char *msg) {
    // No exception can be raised from here (a Rust frame may be below us):
    // report on the REPL and reset, as the port does for other fatal errors.
    mp_hal_stdout_tx_strn(msg, strlen(msg));
    mp_hal_stdout_tx_strn("\r\n", 2);
    panic("irqio: %s", msg);
}
