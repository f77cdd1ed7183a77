// irqio port glue for the unix port: an eventfd per object.
//
// poll() blocks on the eventfd, so a set() from a thread or signal handler wakes
// the asyncio loop at once instead of at its next 1 ms sweep of non-fd objects.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "irqio_port.h"

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
