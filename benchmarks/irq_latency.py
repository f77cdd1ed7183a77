# Hard-IRQ-to-task wake latency: irqio.ThreadSafeFlag vs asyncio.ThreadSafeFlag,
# side by side in one run of the same firmware, on a board (rp2: a Pico, or the
# emulated one with benchmarks/irq_latency_rp2emu.sh).
#
#   mpremote run benchmarks/irq_latency.py        (GP2 wired to GP3)
#
# Hardware PWM on GPIO 2 is the interrupt source, independent of the CPU: each rising
# edge raises a hard Pin(3).irq handler that stamps time.ticks_us() and calls
# flag.set(); the task waiting in flag.wait() stamps the time it resumes. Two
# scenarios: the event loop otherwise idle, and 3 other tasks each looping
# `await asyncio.sleep_ms(0)`. Rounds alternate between the two flags so both see
# the same conditions. A sample is kept only if exactly one edge happened since the
# previous wake (so a slow wake can never be paired with a later edge's stamp).
# Times are the board's own (virtual time on the emulator).
import asyncio
import time
from array import array

import irqio
from machine import PWM, Pin

SAMPLES = 400  # per flag and scenario
ROUNDS = 8
PERIOD_HZ = 250  # one rising edge every 4 ms
BUSY_TASKS = 3

out = Pin(2, Pin.OUT, value=0)
inp = Pin(3, Pin.IN)

# Shared with the hard IRQ handler: created up front, only mutated in place (the
# handler must not allocate, and the main program must not add globals while
# interrupts look them up).
stamp = array("i", [0, 0])  # [ticks_us of the last edge, edges seen]
current = [None]  # the flag being measured


def handler(pin):
    stamp[0] = time.ticks_us()
    stamp[1] += 1
    current[0].set()


async def busy():
    while True:
        await asyncio.sleep_ms(0)


async def measure(flag, n, lat, at):
    # Returns the number of discarded samples; fills lat[at:at + n].
    current[0] = flag
    flag.clear()
    discarded = 0
    got = 0
    last_edges = stamp[1]
    inp.irq(handler, Pin.IRQ_RISING, hard=True)
    while got < n:
        await flag.wait()
        now = time.ticks_us()
        edges = stamp[1]
        if edges - last_edges == 1:
            lat[at + got] = time.ticks_diff(now, stamp[0])
            got += 1
        else:
            discarded += 1
        last_edges = edges
    inp.irq(None)
    return discarded


def stats(lat):
    s = sorted(lat)
    return s[len(s) // 2], s[(len(s) * 99) // 100]


async def main():
    kinds = (("asyncio.ThreadSafeFlag", asyncio.ThreadSafeFlag), ("irqio.ThreadSafeFlag", irqio.ThreadSafeFlag))
    scenarios = (("idle", 0), ("{} busy tasks".format(BUSY_TASKS), BUSY_TASKS))
    per_round = SAMPLES // ROUNDS
    results = []
    pwm = PWM(Pin(2), freq=PERIOD_HZ, duty_u16=32768)
    for scenario, n_busy in scenarios:
        busy_tasks = [asyncio.create_task(busy()) for _ in range(n_busy)]
        lats = {name: array("i", bytes(4 * SAMPLES)) for name, _ in kinds}
        dropped = {name: 0 for name, _ in kinds}
        for r in range(ROUNDS):
            for name, cls in kinds:
                dropped[name] += await measure(cls(), per_round, lats[name], r * per_round)
        for t in busy_tasks:
            t.cancel()
        await asyncio.sleep_ms(10)
        for name, _ in kinds:
            results.append((scenario, name) + stats(lats[name]) + (dropped[name],))
    pwm.deinit()
    print("hard IRQ -> task wake latency, {} samples per row (us, board time)".format(SAMPLES))
    print("{:<14} {:<24} {:>7} {:>7} {:>10}".format("scenario", "flag", "median", "p99", "discarded"))
    for row in results:
        print("{:<14} {:<24} {:>7} {:>7} {:>10}".format(*row))


asyncio.run(main())
