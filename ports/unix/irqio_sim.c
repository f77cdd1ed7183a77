// irqio_unix: a simulated interrupt source for the unix port.
//
// A POSIX interval timer whose signal handler feeds an irqio object through the C
// API, the way a C driver's interrupt handler would on a device. The handler runs
// asynchronously on whichever thread the kernel picks, so it exercises exactly the
// guarantees a hard IRQ needs: no allocation, no locks, no Python.
#include <pthread.h>
#include <sched.h>
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
MP_REGISTER_ROOT_POINTER(mp_obj_t irqio_producers_target);

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
// Set while a handler runs (see sim_handler and sim_stop).
static volatile uint8_t sim_busy;
static volatile uint32_t sim_fired;
static size_t sim_record_size;
static uint16_t sim_tag;
static timer_t sim_timer;
static struct sigaction sim_old_action;

// The record a ring producer writes for firing `seq` of source `source`: the source
// (0xA5 for the signal timer, 0xB0 + n for native producer n), the sequence number
// (little-endian u32), then bytes derived from it, so a reader can tell a split or
// corrupted record from a whole one (see tests/test_ringio.py, tests/soak.py).
static void sim_make_record(uint8_t *rec, size_t size, uint8_t source, uint32_t seq) {
    rec[0] = source;
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
    // into it (not counted), as a pending IRQ would be. Busy is taken before the
    // running check, so sim_stop, which clears running and then waits for busy to
    // drop, never clears the target under a handler that is using it.
    if (__atomic_exchange_n(&sim_busy, 1, __ATOMIC_ACQUIRE)) {
        return;
    }
    mp_obj_t target = MP_STATE_VM(irqio_sim_target);
    if (!sim_running || target == MP_OBJ_NULL) {
        __atomic_store_n(&sim_busy, 0, __ATOMIC_RELEASE);
        return;
    }
    if (mp_obj_is_type(target, &irqio_type_RingIO)) {
        uint8_t rec[SIM_RECORD_MAX];
        sim_make_record(rec, sim_record_size, 0xA5, sim_fired);
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
    __atomic_store_n(&sim_busy, 0, __ATOMIC_RELEASE);
}

// start(target, period_us, extra=None): fire the handler every period_us
// microseconds. Per firing, by target:
// - ThreadSafeFlag: set();
// - RingIO: one sequence-numbered record of `extra` bytes (5..64, default 8);
// - EventStream: post(tag=`extra` (default 0), value=sequence number);
// - EventStream.handler(): called with `extra`, as Pin.irq calls it with the pin;
//   a SimPin given as `extra` toggles before each call (an edge).
// The irqio object `obj` is, or holds (an instance of a Python subclass).
static mp_obj_t sim_native(mp_obj_t obj) {
    static const mp_obj_type_t *const types[] = {
        &irqio_type_ThreadSafeFlag, &irqio_type_RingIO, &irqio_type_EventStream, &irqio_type_EventHandler,
    };
    if (mp_obj_is_obj(obj)) {
        for (size_t i = 0; i < MP_ARRAY_SIZE(types); i++) {
            mp_obj_t native = mp_obj_is_exact_type(obj, types[i]) ? obj : irqio_native_subobj(obj, types[i]);
            if (native != MP_OBJ_NULL) {
                return native;
            }
        }
    }
    return obj;
}

static mp_obj_t sim_start(size_t n_args, const mp_obj_t *args) {
    mp_obj_t target = sim_native(args[0]);
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
        // A handler already past its running check (on another thread) finishes
        // before the target goes; one that runs on this thread finishes before we
        // get here again.
        while (__atomic_load_n(&sim_busy, __ATOMIC_ACQUIRE)) {
            sched_yield();
        }
        sigaction(SIM_SIGNAL, &sim_old_action, NULL);
        MP_STATE_VM(irqio_sim_target) = MP_OBJ_NULL;
        MP_STATE_VM(irqio_sim_arg) = MP_OBJ_NULL;
    }
    return mp_obj_new_int_from_uint(sim_fired);
}
static MP_DEFINE_CONST_FUN_OBJ_0(sim_stop_obj, sim_stop);

// --- native producer threads ------------------------------------------------------
//
// POSIX threads that feed an irqio object through the C API as fast as they can,
// outside the VM and its lock: what a C driver on the other core does. Each one is a
// record source of its own (sequence-numbered), so a consumer can check order,
// completeness and integrity while they run truly in parallel with it (and with the
// signal timer, whose handler may land on them mid-write).

#define PRODUCERS_MAX (4)
#define PRODUCERS_SOURCE (0xB0)
static pthread_t producers[PRODUCERS_MAX];
static size_t producers_count;
static size_t producers_record_size;
static struct timespec producers_pause[PRODUCERS_MAX];
static uint8_t producers_running;
static uint64_t producers_sent[PRODUCERS_MAX];

static void *producer_main(void *arg) {
    size_t index = (size_t)(uintptr_t)arg;
    mp_obj_t target = MP_STATE_VM(irqio_producers_target); // kept alive by the root pointer
    uint64_t seq = 0; // records carry its low 32 bits
    while (__atomic_load_n(&producers_running, __ATOMIC_RELAXED)) {
        if (mp_obj_is_type(target, &irqio_type_RingIO)) {
            uint8_t rec[SIM_RECORD_MAX];
            sim_make_record(rec, producers_record_size, PRODUCERS_SOURCE + index, (uint32_t)seq);
            irqio_ring_write(target, rec, producers_record_size);
        } else if (mp_obj_is_type(target, &irqio_type_EventStream)) {
            irqio_events_post(target, PRODUCERS_SOURCE + index, (int32_t)seq);
        } else {
            irqio_flag_set(target);
        }
        seq++;
        if (producers_pause[index].tv_nsec != 0) {
            nanosleep(&producers_pause[index], NULL);
        }
    }
    producers_sent[index] = seq;
    return NULL;
}

// producers_start(target, pauses_us, record_size=8): start one native producer per
// item of `pauses_us` (1..4 items). Per iteration, producer n does, by target: a ring
// record of `record_size` bytes from source 0xB0 + n; an EventStream post(tag=0xB0 + n,
// value=sequence number); a ThreadSafeFlag set(). Then it sleeps pauses_us[n]
// microseconds (0..999), or goes straight on for 0.
static mp_obj_t producers_start(size_t n_args, const mp_obj_t *args) {
    if (producers_count != 0) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("producers already running"));
    }
    mp_obj_t target = sim_native(args[0]);
    size_t threads;
    mp_obj_t *pauses;
    mp_obj_get_array(args[1], &threads, &pauses);
    mp_int_t record_size = n_args > 2 ? mp_obj_get_int(args[2]) : 8;
    if (threads < 1 || threads > PRODUCERS_MAX || record_size < 5 || record_size > SIM_RECORD_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("1..4 producers, record_size 5..64"));
    }
    for (size_t i = 0; i < threads; i++) {
        mp_int_t pause_us = mp_obj_get_int(pauses[i]);
        if (pause_us < 0 || pause_us > 999) {
            mp_raise_ValueError(MP_ERROR_TEXT("pauses must be 0..999 us"));
        }
        producers_pause[i].tv_sec = 0;
        producers_pause[i].tv_nsec = pause_us * 1000;
    }
    if (!mp_obj_is_type(target, &irqio_type_RingIO) && !mp_obj_is_type(target, &irqio_type_EventStream)
        && !mp_obj_is_type(target, &irqio_type_ThreadSafeFlag)) {
        mp_raise_TypeError(MP_ERROR_TEXT("target must be an irqio.ThreadSafeFlag, RingIO or EventStream"));
    }
    MP_STATE_VM(irqio_producers_target) = target;
    producers_record_size = (size_t)record_size;
    __atomic_store_n(&producers_running, 1, __ATOMIC_RELEASE);
    for (size_t i = 0; i < threads; i++) {
        int err = pthread_create(&producers[i], NULL, producer_main, (void *)(uintptr_t)i);
        if (err != 0) {
            __atomic_store_n(&producers_running, 0, __ATOMIC_RELEASE);
            for (size_t j = 0; j < i; j++) {
                pthread_join(producers[j], NULL);
            }
            MP_STATE_VM(irqio_producers_target) = MP_OBJ_NULL;
            mp_raise_OSError(err);
        }
        producers_count = i + 1;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(producers_start_obj, 2, 3, producers_start);

// producers_stop() -> list of how many records (posts, sets) each producer made.
static mp_obj_t producers_stop(void) {
    __atomic_store_n(&producers_running, 0, __ATOMIC_RELEASE);
    mp_obj_t sent = mp_obj_new_list(0, NULL);
    MP_THREAD_GIL_EXIT();
    for (size_t i = 0; i < producers_count; i++) {
        pthread_join(producers[i], NULL);
    }
    MP_THREAD_GIL_ENTER();
    for (size_t i = 0; i < producers_count; i++) {
        mp_obj_list_append(sent, mp_obj_new_int_from_ull(producers_sent[i]));
    }
    producers_count = 0;
    MP_STATE_VM(irqio_producers_target) = MP_OBJ_NULL;
    return sent;
}
static MP_DEFINE_CONST_FUN_OBJ_0(producers_stop_obj, producers_stop);

static const mp_rom_map_elem_t sim_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_irqio_unix) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_start), MP_ROM_PTR(&sim_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_signal_timer_stop), MP_ROM_PTR(&sim_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_producers_start), MP_ROM_PTR(&producers_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_producers_stop), MP_ROM_PTR(&producers_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_SimPin), MP_ROM_PTR(&irqio_sim_pin_type) },
};
static MP_DEFINE_CONST_DICT(sim_module_globals, sim_module_globals_table);

const mp_obj_module_t irqio_unix_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&sim_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_irqio_unix, irqio_unix_module);
