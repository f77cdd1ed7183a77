# Timestamped interrupt events, handled by ordinary callbacks in asyncio context:
# what Pycom's queued interrupt callbacks and CircuitPython's `keypad` event queue
# give their users, for any interrupt source.
#
# Two sources feed one irqio.EventStream through native handlers
# (`events.handler(tag)`), so no Python runs in interrupt context and nothing is
# allocated there; each event records its source, a value and when it happened:
# - BUTTON, a pin interrupt on both edges: the value is the pin level;
# - TICK, a periodic timer: the value is the handler's firing count (0, 1, 2, ...).
#
# `events.dispatch({tag: callback})` then calls the callbacks one event at a time in
# asyncio context, where anything is allowed: they allocate, print, format, and
# may be coroutines (awaited before the next event). A callback closes the stream
# after TICKS ticks; dispatch() returns once every queued event has been handled.
#
# On a board: the "button" is GP3, driven by 40 Hz PWM on GP2 (put a jumper from GP2
# to GP3, or wire a real button from GP3 to ground), and the tick is machine.Timer.
# On the unix port (no GPIO, no machine.Timer): a POSIX timer signal handler toggles
# a simulated pin and calls the button handler, as the GPIO interrupt would, and a
# thread ticks.
#
#   build/unix/micropython examples/event_callbacks.py [ticks]
import asyncio
import sys
import time

import irqio

BUTTON, TICK = 1, 2
TICKS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
TICK_HZ = 100
BUTTON_HZ = 40  # edges: twice that

events = irqio.EventStream(64)
on_button = events.handler(BUTTON)
on_tick = events.handler(TICK)


def start_sources():
    # Returns a function that stops them.
    try:
        from machine import PWM, Pin, Timer

        button = Pin(3, Pin.IN, Pin.PULL_UP)
        button.irq(handler=on_button, trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING, hard=True)
        presser = PWM(Pin(2), freq=BUTTON_HZ, duty_u16=32768)
        timer = Timer(freq=TICK_HZ, mode=Timer.PERIODIC, callback=on_tick)

        def stop():
            timer.deinit()
            presser.deinit()
            button.irq(None)

        return stop
    except ImportError:
        import _thread
        import irqio_unix

        pin = irqio_unix.SimPin(1)  # pulled up: 1 = released
        irqio_unix.signal_timer_start(on_button, 1_000_000 // (2 * BUTTON_HZ), pin)
        running = [True]

        def ticker():
            while running[0]:
                time.sleep_us(1_000_000 // TICK_HZ)
                on_tick()
            running.append("done")

        _thread.start_new_thread(ticker, ())

        def stop():
            irqio_unix.signal_timer_stop()
            running[0] = False
            while "done" not in running:
                time.sleep_ms(1)

        return stop


async def main():
    log = []  # callbacks may allocate: they run in asyncio context
    state = {"presses": 0, "pressed_at": None, "ticks": [], "levels": []}
    stop = start_sources()

    def button(tag, level, t_us):
        state["levels"].append(level)
        if level == 0:
            state["presses"] += 1
            state["pressed_at"] = t_us
        elif state["pressed_at"] is not None:
            held_ms = time.ticks_diff(t_us, state["pressed_at"]) / 1000
            log.append("press %d held %.1f ms" % (state["presses"], held_ms))

    async def tick(tag, count, t_us):
        state["ticks"].append(count)
        await asyncio.sleep_ms(0)  # a coroutine callback: awaited before the next event
        if len(state["ticks"]) == TICKS:
            stop()
            events.close()  # dispatch() returns once the queue is drained

    handled = await events.dispatch({BUTTON: button, TICK: tick})

    ticks, levels = state["ticks"], state["levels"]
    for line in log[:3]:
        print(line)
    print("events handled:", handled, "ticks:", len(ticks), "button edges:", len(levels), "dropped:", events.dropped)
    # Each source's events arrive in the order they happened: tick counts go up by
    # one, and the button's level alternates, unless the stream was full.
    in_order = all(b == a + 1 for a, b in zip(ticks, ticks[1:]))
    alternating = all(a != b for a, b in zip(levels, levels[1:]))
    complete = handled == len(ticks) + len(levels)
    print("ok" if complete and (events.dropped or (in_order and alternating)) else "FAILED")


asyncio.run(main())
