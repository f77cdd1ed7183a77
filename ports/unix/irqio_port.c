// irqio port glue for the unix port: an eventfd per object.
//
// poll() blocks on the eventfd, so a set() from a thread or signal handler wakes
// the asyncio loop at once instead of at its next 1 ms sweep of non-fd objects.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "extmod/virtpin.h"
#include "irqio_port.h"

extern const mp_obj_type_t irqio_sim_pin_type;

int irqio_port_wake_open(int *handle) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    *handle = fd;
    return 0;
}

void irqio_port_wake_raise(int handle) {
    // write() on an eventfd is async-signal-safe; keep errno intact for whatever
    // code the signal interrupted.
    int saved = errno;
    uint64_t one = 1;
    ssize_t n = write(handle, &one, sizeof(one));
    (void)n; // only fails if the counter would overflow, and it is then already readable
    errno = saved;
}

void irqio_port_wake_drain(int handle) {
    int saved = errno;
    uint64_t value;
    ssize_t n = read(handle, &value, sizeof(value));
    (void)n; // EAGAIN: nothing pending
    errno = saved;
}

void irqio_port_wake_close(int handle) {
    close(handle);
}

// The unix port has no GPIO: irqio_unix.SimPin (irqio_sim.c) stands in for
// machine.Pin in tests and examples.
bool irqio_port_pin_level(mp_obj_t pin, int *level) {
    if (!mp_obj_is_type(pin, &irqio_sim_pin_type)) {
        return false;
    }
    *level = mp_virtual_pin_read(pin);
    return true;
}

void irqio_port_fatal(const char *msg) {
    size_t len = 0;
    while (msg[len] != '\0') {
        len++;
    }
    ssize_t n = write(STDERR_FILENO, msg, len);
    n = write(STDERR_FILENO, "\n", 1);
    (void)n;
    abort();
}
