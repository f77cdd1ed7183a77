# Peter Hinch's case: four tasks that block 50, 30, 25 and 10 ms between yields,
# and an interrupt-like producer (a thread) that sets a flag at random moments. How
# long until the waiting task runs? Any cooperative scheduler needs up to the
# longest block (50 ms); asyncio's run queue adds the others' turns.
#
#   build/unix/micropython benchmarks/hinch_latency.py [samples] [raw]
#
# Waiters: asyncio.ThreadSafeFlag, irqio.ThreadSafeFlag, and irqio's with
# wait(priority=True), alternating rounds in one run. Times in ms (median, p99, max).
# With "raw", also prints every sample after the table, one line per waiter:
# `samples|<waiter>|<ms> <ms> ...` (scripts/bench.sh plots them as CDFs).
import asyncio
import random
import sys
import time
import _thread

import irqio

ARGS = [a for a in sys.argv[1:] if a != "raw"]
RAW = "raw" in sys.argv
SAMPLES = int(ARGS[0]) if ARGS else 120
ROUNDS = 4
BLOCKS_MS = (50, 30, 25, 10)


async def blocker(ms):
    while True:
        time.sleep_ms(ms)
        await asyncio.sleep_ms(0)


async def measure(flag, priority, n):
    stamp = [0]
    done = []
    lat = []

    def producer():
        # One set() per wake (a flag coalesces sets): the next only after the
        # waiter took the last, at a random moment of the blockers' cycle.
        for k in range(n):
            while len(lat) < k:
                time.sleep_ms(1)
            time.sleep_ms(random.randint(20, 120))
            stamp[0] = time.ticks_us()
            flag.set()
        done.append(1)

    _thread.start_new_thread(producer, ())
    while len(lat) < n:
        if priority:
            await flag.wait(priority=True)
        else:
            await flag.wait()
        lat.append(time.ticks_diff(time.ticks_us(), stamp[0]) / 1000)
    while not done:
        await asyncio.sleep_ms(1)
    return lat


def stats(lat):
    lat = sorted(lat)
    return lat[len(lat) // 2], lat[(len(lat) * 99) // 100], lat[-1]


async def main():
    kinds = (
        ("asyncio.ThreadSafeFlag", asyncio.ThreadSafeFlag, False),
        ("irqio.ThreadSafeFlag", irqio.ThreadSafeFlag, False),
        ("irqio, priority=True", irqio.ThreadSafeFlag, True),
    )
    tasks = [asyncio.create_task(blocker(ms)) for ms in BLOCKS_MS]
    results = {name: [] for name, _, _ in kinds}
    for _ in range(ROUNDS):
        for name, cls, priority in kinds:
            results[name] += await measure(cls(), priority, SAMPLES // ROUNDS)
    for t in tasks:
        t.cancel()
    print("Hinch's case: tasks block {} ms; thread -> task wake latency, {} samples each (ms)".format(
        "/".join(str(ms) for ms in BLOCKS_MS), SAMPLES))
    print("{:<24} {:>8} {:>8} {:>8}".format("waiter", "median", "p99", "max"))
    for name, _, _ in kinds:
        print("{:<24} {:>8.1f} {:>8.1f} {:>8.1f}".format(name, *stats(results[name])))
    if RAW:
        for name, _, _ in kinds:
            print("samples|{}|{}".format(name, " ".join("{:.2f}".format(v) for v in results[name])))


asyncio.run(main())
