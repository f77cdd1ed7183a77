// What differs between the MicroPython versions irqio builds with (1.25 to master),
// in one place. Included by every C file of irqio through irqio_shim.h/irqio_port.h.
#ifndef IRQIO_COMPAT_H
#define IRQIO_COMPAT_H

#include "py/mpconfig.h"

// 1.26 renamed NORETURN to MP_NORETURN (the old name goes with
// MICROPY_PREVIEW_VERSION_2); 1.25 has only the old one.
#ifndef MP_NORETURN
#define MP_NORETURN NORETURN
#endif

#endif
