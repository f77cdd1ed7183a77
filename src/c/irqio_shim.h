// Shared by the C shim's files: the type objects and the status-to-exception map.
#ifndef IRQIO_SHIM_H
#define IRQIO_SHIM_H

#include "py/obj.h"
#include "irqio.h"

extern const mp_obj_type_t irqio_type_ThreadSafeFlag;
extern const mp_obj_type_t irqio_type_RingIO;

// Raises the exception for a status other than IRQIO_STATUS_OK; `err` is the
// errno for IRQIO_STATUS_OS_ERROR.
void irqio_check(irqio_status status, int err);

// The asyncio.core module (imports asyncio if needed).
mp_obj_t irqio_asyncio_core(void);

#endif
