# Hard-IRQ-to-task wake latency: irqio.ThreadSafeFlag vs asyncio.ThreadSafeFlag,
# side by side in one run of the same firmware, on a board (rp2: a Pico, or the
# emulated one with benchmarks/irq_latency_rp2emu.sh).
#
#   mpremote run benchmarks/irq_latency.py        (GP2 wired to GP3)
#
# Hardware PWM on GPIO 2 is the interrupt source, independent of the CPU: each rising
# edge raises a hard Pin(3).irq handler that stamps time.ticks_us() and calls
# flag.set(); the task waiting in flag.wait() stamps the time it resumes. Scenarios:
# the event loop otherwise idle; 3 and 10 other tasks each looping
# `await asyncio.sleep_ms(0)`; 3 tasks that block 1-5 ms (time.sleep_us) between
# yields. Three waiters: asyncio's flag, irqio's, and irqio's with
# wait(priority=True). Rounds alternate between them so all see the same conditions. A sample is kept only if exactly one edge happened since the
# previous wake (so a slow wake can never be paired with a later edge's stamp).
# Times are the board's own (virtual time on the emulator).
#
# With "raw" in sys.argv (scripts/bench.sh puts it there), also prints every sample
# after the table, one line per row: `samples|<scenario>|<waiter>|<us> <us> ...`.
import asyncio
import random
import sys
import time
from array import array

import irqio
from machine import PWM, Pin

SAMPLES = 240  # per waiter and scenario
ROUNDS = 8
RAW = "raw" in getattr(sys, "argv", ())

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


async def blocking():
    while True:
        time.sleep_us(random.randint(1000, 5000))
        await asyncio.sleep_ms(0)


async def measure(flag, priority, n, lat, at):
    # Returns the number of discarded samples; fills lat[at:at + n].
    current[0] = flag
    flag.clear()
    discarded = 0
    got = 0
    last_edges = stamp[1]
    inp.irq(handler, Pin.IRQ_RISING, hard=True)
    while got < n:
        if priority:
            await flag.wait(priority=True)
        else:
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
    return s[len(s) // 2], s[(len(s) * 99) // 100], s[-1]


async def main():
    kinds = (
        ("asyncio.ThreadSafeFlag", asyncio.ThreadSafeFlag, False),
        ("irqio.ThreadSafeFlag", irqio.ThreadSafeFlag, False),
        ("irqio, priority=True", irqio.ThreadSafeFlag, True),
    )
    # (name, task, how many, edges per second: slow enough that a wake is seen
    # before the next edge, or the sample is discarded)
    scenarios = (
        ("idle", busy, 0, 250),
        ("3 busy tasks", busy, 3, 250),
        ("10 busy tasks", busy, 10, 250),
        ("3 tasks block 1-5 ms", blocking, 3, 40),
    )
    per_round = SAMPLES // ROUNDS
    results = []
    raw = []
    for scenario, task, n_busy, hz in scenarios:
        pwm = PWM(Pin(2), freq=hz, duty_u16=32768)
        busy_tasks = [asyncio.create_task(task()) for _ in range(n_busy)]
        lats = {name: array("i", bytes(4 * SAMPLES)) for name, _, _ in kinds}
        dropped = {name: 0 for name, _, _ in kinds}
        for r in range(ROUNDS):
            for name, cls, priority in kinds:
                dropped[name] += await measure(cls(), priority, per_round, lats[name], r * per_round)
        for t in busy_tasks:
            t.cancel()
        pwm.deinit()
        await asyncio.sleep_ms(10)
        for name, _, _ in kinds:
            results.append((scenario, name) + stats(lats[name]) + (dropped[name],))
            if RAW:
                raw.append((scenario, name, lats[name]))
    print("hard IRQ -> task wake latency, {} samples per row (us, board time)".format(SAMPLES))
    print("{:<22} {:<24} {:>7} {:>7} {:>7} {:>10}".format("scenario", "waiter", "median", "p99", "max", "discarded"))
    for row in results:
        print("{:<22} {:<24} {:>7} {:>7} {:>7} {:>10}".format(*row))
    for scenario, name, lat in raw:
        print("samples|{}|{}|{}".format(scenario, name, " ".join(str(v) for v in lat)))


asyncio.run(main())
