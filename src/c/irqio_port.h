// The per-port hooks the Rust binding layer calls (src/binding/port.rs).
// Each port implements them in ports/<port>/irqio_port.c.
#ifndef IRQIO_PORT_H
#define IRQIO_PORT_H

#include "py/obj.h"
#include "irqio_compat.h"

// Opens a wake handle into *handle: a pollable file descriptor on ports that have
// them, -1 where objects are polled through their ioctl (always, on bare-metal
// targets: the Rust side keeps no handle there). Returns 0 or an errno.
int irqio_port_wake_open(int *handle);
// Wakes the asyncio loop (and makes the handle readable). Safe from hard interrupts,
// other threads and cores, and POSIX signal handlers; allocates nothing.
void irqio_port_wake_raise(int handle);
// Consumes pending wake-ups so the handle stops reading as ready.
void irqio_port_wake_drain(int handle);
void irqio_port_wake_close(int handle);
// If `pin` is one of the port's pins (machine.Pin), reads its level into *level and
// returns true. Safe from hard interrupts; allocates nothing.
bool irqio_port_pin_level(mp_obj_t pin, int *level);
// The port's fatal-error path; used by the Rust panic handler.
MP_NORETURN void irqio_port_fatal(const char *msg);

#endif
