// irqio_unix: a simulated interrupt source for the unix port.
//
// A POSIX interval timer whose signal handler feeds an irqio object through the C
// API, the way a C driver's interrupt handler would on a device. The handler runs
// asynchronously on whichever thread the kernel picks, so it exercises exactly the
// guarantees a hard IRQ needs: no allocation, no locks, no Python.
#include <signal.h>
#include <string.h>
#include <time.h>

#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/virtpin.h"
#include "irqio_shim.h"

#define SIM_SIGNAL (SIGRTMIN + 3)

MP_REGISTER_ROOT_POINTER(mp_obj_t irqio_sim_target);
MP_REGISTER_ROOT_POINTER(mp_obj_t irqio_sim_arg);

// --- SimPin: a GPIO stand-in with the pin protocol --------------------------------
//
// What EventStream.handler() reads as "the pin's level" on unix (see
// ports/unix/irqio_port.c); machine.Pin plays this part on a device.

typedef struct _sim_pin_obj_t {
    mp_obj_base_t base;
    volatile int level;
} sim_pin_obj_t;

static mp_obj_t sim_pin_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    sim_pin_obj_t *self = mp_obj_malloc(sim_pin_obj_t, type);
    self->level = n_args > 0 && mp_obj_is_true(args[0]);
    return MP_OBJ_FROM_PTR(self);
}

// value([x]), as machine.Pin.
static mp_obj_t sim_pin_value(size_t n_args, const mp_obj_t *args) {
    sim_pin_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    if (n_args == 1) {
        return MP_OBJ_NEW_SMALL_INT(self->level);
    }
    self->level = mp_obj_is_true(args[1]);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(sim_pin_value_obj, 1, 2, sim_pin_value);

static mp_uint_t sim_pin_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    (void)errcode;
    sim_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_PIN_READ:
            return self->level;
        case MP_PIN_WRITE:
            self->level = arg != 0;
            return 0;
    }
    return -1;
}

static const mp_pin_p_t sim_pin_pin_p = {
    .ioctl = sim_pin_ioctl,
};

static const mp_rom_map_elem_t sim_pin_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_value), MP_ROM_PTR(&sim_pin_value_obj) },
};
static MP_DEFINE_CONST_DICT(sim_pin_locals_dict, sim_pin_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    irqio_sim_pin_type,
    MP_QSTR_SimPin,
    MP_TYPE_FLAG_NONE,
    make_new, sim_pin_make_new,
    protocol, &sim_pin_pin_p,
    locals_dict, &sim_pin_locals_dict
    );

// --- the signal timer --------------------------------------------------------------

#define SIM_RECORD_MAX 64

static volatile sig_atomic_t sim_running;
static volatile uint32_t sim_fired;
static size_t sim_record_size;
static uint16_t sim_tag;
static timer_t sim_timer;
static struct sigaction sim_old_action;

// The record a ring producer writes for firing `seq`: a 0xA5 marker, the sequence
// number (little-endian u32), then bytes derived from it, so a reader can tell a
// split or corrupted record from a whole one (see tests/test_ringio.py).
static void sim_make_record(uint8_t *rec, size_t size, uint32_t seq) {
    rec[0] = 0xA5;
    for (size_t i = 0; i < 4; i++) {
        rec[1 + i] = (uint8_t)(seq >> (8 * i));
    }
    for (size_t i = 5; i < size; i++) {
        rec[i] = (uint8_t)(seq + i);
    }
}

static void sim_handler(int signo) {
    (void)signo;
    // The kernel may run the handler on two threads at once; an interrupt line does
    // not nest with itself, so a firing that finds the handler busy is coalesced
    // into it (not counted), as a pending IRQ would be.
    static volatile uint8_t busy;
    if (!sim_running || __atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
        return;
    }
    mp_obj_t target = MP_STATE_VM(irqio_sim_target);
    if (mp_obj_is_type(target, &irqio_type_RingIO)) {
        uint8_t rec[SIM_RECORD_MAX];
        sim_make_record(rec, sim_record_size, sim_fired);
        irqio_ring_write(target, rec, sim_record_size);
    } else if (mp_obj_is_type(target, &irqio_type_EventStream)) {
        irqio_events_post(target, sim_tag, (int32_t)sim_fired);
    } else if (mp_obj_is_type(target, &irqio_type_EventHandler)) {
        // An edge on the simulated pin, then the handler as Pin.irq would call it:
        // straight into its native call slot, no Python.
        mp_obj_t arg = MP_STATE_VM(irqio_sim_arg);
        if (mp_obj_is_type(arg, &irqio_sim_pin_type)) {
            sim_pin_obj_t *pin = MP_OBJ_TO_PTR(arg);
            pin->level = !pin->level;
        }
        mp_call_function_1(target, arg);
    } else {
        irqio_flag_set(target);
    }
    sim_fired++;
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

// start(target, period_us, extra=None): fire the handler every period_us
// microseconds. Per firing, by target:
// - ThreadSafeFlag: set();
// - RingIO: one sequence-numbered record of `extra` bytes (5..64, default 8);
// - EventStream: post(tag=`extra` (default 0), value=sequence number);
// - EventStream.handler(): called with `extra`, as Pin.irq calls it with the pin;
//   a SimPin given as `extra` toggles before each call (an edge).
static mp_obj_t sim_start(size_t n_args, const mp_obj_t *args) {
    mp_obj_t target = args[0];
    if (sim_running) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("signal timer already running"));
    }
    mp_obj_t extra = n_args > 2 ? args[2] : mp_const_none;
    mp_int_t period_us = mp_obj_get_int(args[1]);
    if (period_us < 10) {
        mp_raise_ValueError(MP_ERROR_TEXT("period_us must be >= 10"));
    }
    if (mp_obj_is_type(target, &irqio_type_RingIO)) {
        mp_int_t record_size = extra == mp_const_none ? 8 : mp_obj_get_int(extra);
        if (record_size < 5 || record_size > SIM_RECORD_MAX) {
            mp_raise_ValueError(MP_ERROR_TEXT("record_size must be 5..64"));
        }
        sim_record_size = (size_t)record_size;
    } else if (mp_obj_is_type(target, &irqio_type_EventStream)) {
        mp_int_t tag = extra == mp_const_none ? 0 : mp_obj_get_int(extra);
        if (tag < 0 || tag > 0xffff) {
            mp_raise_ValueError(MP_ERROR_TEXT("tag must be in range 0..65535"));
        }
        sim_tag = (uint16_t)tag;
    } else if (!mp_obj_is_type(target, &irqio_type_ThreadSafeFlag) && !mp_obj_is_type(target, &irqio_type_EventHandler)) {
        mp_raise_TypeError(MP_ERROR_TEXT("target must be an irqio.ThreadSafeFlag, RingIO, EventStream or EventStream.handler()"));
    }
    MP_STATE_VM(irqio_sim_target) = target;
    MP_STATE_VM(irqio_sim_arg) = extra;
    sim_fired = 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sim_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIM_SIGNAL, &sa, &sim_old_action);

    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIM_SIGNAL;
    if (timer_create(CLOCK_MONOTONIC, &sev, &sim_timer) != 0) {
        sigaction(SIM_SIGNAL, &sim_old_action, NULL);
        mp_raise_OSError(errno);
    }
    sim_running = 1;
    struct itimerspec its;
    its.it_interval.tv_sec = period_us / 1000000;
    its.it_interval.tv_nsec = (period_us % 1000000) * 1000;
    its.it_value = its.it_interval;
    timer_settime(sim_timer, 0, &its, NULL);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(sim_start_obj, 2, 3, sim_start);

// stop() -> number of times the handler fed the target.
static mp_obj_t sim_stop(void) {
    if (sim_running) {
        timer_delete(sim_timer);
        sim_running = 0;
        sigaction(SIM_SIGNAL, &sim_old_action, NULL);
        MP_STATE_VM(irqio_sim_target) = MP_OBJ_NULL;
        MP_STATE_VM(irqio_sim_arg) = MP_OBJ_NULL;
    }
    return mp_obj_new_int_from_uint(sim_fired);
}
static MP_DEFINE_CONST_FUN_OBJ_0(sim_stop_obj, sim_stop);

static const mp_rom_map_elem_t sim_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_irqio_unix) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_start), MP_ROM_PTR(&sim_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_stop), MP_ROM_PTR(&sim_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_SimPin), MP_ROM_PTR(&irqio_sim_pin_type) },
};
static MP_DEFINE_CONST_DICT(sim_module_globals, sim_module_globals_table);

const mp_obj_module_t irqio_unix_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&sim_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_irqio_unix, irqio_unix_module);
