# A bouncing button turned into debounced press/release events with timestamps.
#
# The interrupt side is irqio's native handler: on every edge it records the tag,
# the pin's level and time.ticks_us() into an EventStream, with no Python code in
# interrupt context and nothing allocated. The asyncio side debounces from the
# timestamps: a level counts once it has held for DEBOUNCE_US, and a press is dated
# from its first edge, not from when the bouncing stopped.
#
# On a board: wire a button from BUTTON_GPIO to ground. On the unix port (no GPIO)
# a thread plays the button, bouncing on every press and release, and calls the
# handler as the GPIO interrupt would:
#
#   build/unix/micropython examples/debounce_button.py [presses]
import asyncio
import sys
import time

import irqio

BUTTON = 1  # the event tag of this source
BUTTON_GPIO = 14
DEBOUNCE_US = 5000

events = irqio.EventStream(64)
on_edge = events.handler(BUTTON)

try:
    from machine import Pin

    pin = Pin(BUTTON_GPIO, Pin.IN, Pin.PULL_UP)
    pin.irq(handler=on_edge, trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING, hard=True)
    simulated = False
except ImportError:
    import _thread
    import random
    from irqio_unix import SimPin

    pin = SimPin(1)  # pulled up: 1 = released
    simulated = True


def bouncy_button(presses):
    # Each press and release: 1..6 bounces 50..400 us apart, then a steady level.
    for _ in range(presses):
        for level in (0, 1):
            for _ in range(random.randint(1, 6)):
                pin.value(level)
                on_edge(pin)
                time.sleep_us(random.randint(50, 400))
                pin.value(1 - level)
                on_edge(pin)
                time.sleep_us(random.randint(50, 400))
            pin.value(level)
            on_edge(pin)
            time.sleep_ms(30)
    events.close()


async def debounce(stream, on_change, stable_level=1):
    # Calls on_change(pressed, t_us of the first edge, edges seen) for each settled
    # change of level; returns when the stream is closed.
    first_edge = None
    edges = 0
    level = stable_level
    while True:
        try:
            if first_edge is None:
                tag, level, t_us = await stream.get()
            else:
                tag, level, t_us = await asyncio.wait_for_ms(stream.get(), DEBOUNCE_US // 1000 + 1)
            if first_edge is None:
                first_edge = t_us
            edges += 1
        except asyncio.TimeoutError:
            # No edge for DEBOUNCE_US: the level has settled.
            if level != stable_level:
                stable_level = level
                on_change(level == 0, first_edge, edges)
            first_edge = None
            edges = 0
        except EOFError:
            return


async def main(presses):
    if simulated:
        _thread.start_new_thread(bouncy_button, (presses,))
    state = {"count": 0, "pressed_at": 0}

    def report(pressed, t_us, edges):
        if pressed:
            state["count"] += 1
            state["pressed_at"] = t_us
            print("press   #%d at %d us (%d edges)" % (state["count"], t_us, edges))
        else:
            held = time.ticks_diff(t_us, state["pressed_at"]) // 1000
            print("release #%d after %d ms (%d edges)" % (state["count"], held, edges))

    await debounce(events, report)
    print("presses:", state["count"], "events dropped:", events.dropped)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
