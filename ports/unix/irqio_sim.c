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
#include "irqio_shim.h"

#define SIM_SIGNAL (SIGRTMIN + 3)

MP_REGISTER_ROOT_POINTER(mp_obj_t irqio_sim_target);

static volatile sig_atomic_t sim_running;
static volatile uint32_t sim_fired;
static timer_t sim_timer;
static struct sigaction sim_old_action;

static void sim_handler(int signo) {
    (void)signo;
    if (sim_running) {
        irqio_flag_set(MP_STATE_VM(irqio_sim_target));
        sim_fired++;
    }
}

// start(target, period_us): fire the handler every period_us microseconds.
static mp_obj_t sim_start(mp_obj_t target, mp_obj_t period_in) {
    if (sim_running) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("signal timer already running"));
    }
    if (!mp_obj_is_type(target, &irqio_type_ThreadSafeFlag)) {
        mp_raise_TypeError(MP_ERROR_TEXT("target must be an irqio.ThreadSafeFlag"));
    }
    mp_int_t period_us = mp_obj_get_int(period_in);
    if (period_us < 10) {
        mp_raise_ValueError(MP_ERROR_TEXT("period_us must be >= 10"));
    }
    MP_STATE_VM(irqio_sim_target) = target;
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
static MP_DEFINE_CONST_FUN_OBJ_2(sim_start_obj, sim_start);

// stop() -> number of times the handler fed the target.
static mp_obj_t sim_stop(void) {
    if (sim_running) {
        timer_delete(sim_timer);
        sim_running = 0;
        sigaction(SIM_SIGNAL, &sim_old_action, NULL);
        MP_STATE_VM(irqio_sim_target) = MP_OBJ_NULL;
    }
    return mp_obj_new_int_from_uint(sim_fired);
}
static MP_DEFINE_CONST_FUN_OBJ_0(sim_stop_obj, sim_stop);

static const mp_rom_map_elem_t sim_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_irqio_unix) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_start), MP_ROM_PTR(&sim_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_stop), MP_ROM_PTR(&sim_stop_obj) },
};
static MP_DEFINE_CONST_DICT(sim_module_globals, sim_module_globals_table);

const mp_obj_module_t irqio_unix_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&sim_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_irqio_unix, irqio_unix_module);
