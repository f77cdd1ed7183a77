// The irqio module: registration and globals.
#include "py/runtime.h"
#include "py/objstr.h"
#include "irqio_shim.h"

static MP_DEFINE_STR_OBJ(irqio_version_obj, "0.1.0");

static const mp_rom_map_elem_t irqio_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_irqio) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&irqio_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_ThreadSafeFlag), MP_ROM_PTR(&irqio_type_ThreadSafeFlag) },
    { MP_ROM_QSTR(MP_QSTR_RingIO), MP_ROM_PTR(&irqio_type_RingIO) },
    { MP_ROM_QSTR(MP_QSTR_EventStream), MP_ROM_PTR(&irqio_type_EventStream) },
};
static MP_DEFINE_CONST_DICT(irqio_module_globals, irqio_module_globals_table);

const mp_obj_module_t irqio_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&irqio_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_irqio, irqio_user_cmodule);
