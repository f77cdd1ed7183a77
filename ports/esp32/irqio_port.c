// irqio port glue for the esp32 port (ESP32, S2, S3, C3, C6, ...).
//
// There are no file descriptors: the asyncio loop polls objects through their
// ioctl and, when idle, blocks on the main task's notification until the next
// FreeRTOS tick. Notifying the main task ends that wait at once, whether set()
// runs in an ISR, another task or on the other core.
#include <string.h>

#include "py/mpconfig.h"
#include "py/mphal.h"
#include "freertos/FreeRTOS.h"
#include "esp_system.h"

#include "extmod/modmachine.h"
#include "extmod/virtpin.h"

#include "irqio_port.h"

int irqio_port_wake_open(int *handle) {
    *handle = -1;
    return 0;
}

void irqio_port_wake_raise(int handle) {
    (void)handle;
    if (xPortInIsrContext()) {
        mp_hal_wake_main_task_from_isr();
    } else {
        mp_hal_wake_main_task();
    }
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
    // Same path as the port's other unrecoverable errors: print and abort.
    mp_hal_stdout_tx_strn(msg, strlen(msg));
    mp_hal_stdout_tx_strn("\r\n", 2);
    esp_system_abort(msg);
}
