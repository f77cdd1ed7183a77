# Thread-to-task wake latency: irqio.ThreadSafeFlag vs asyncio.ThreadSafeFlag,
# side by side in one run of the same firmware.
#
#   build/unix/micropython benchmarks/tsf_latency.py [samples] [raw]
#
# With "raw", also prints every sample after the table, one line per flag:
# `samples|<flag>|<us> <us> ...` (scripts/bench.sh plots them as CDFs).
#
# A producer thread stamps time.ticks_us() and calls flag.set() every few
# milliseconds; the waiting task stamps the time it resumes. Rounds alternate
# between the two flags so machine noise hits both alike.
import asyncio
import sys
import time
import _thread

import irqio

ARGS = [a for a in sys.argv[1:] if a != "raw"]
RAW = "raw" in sys.argv
SAMPLES = int(ARGS[0]) if ARGS else 400
ROUNDS = 4
PERIOD_MS = 3


async def measure(flag, n):
    stamp = [0]
    stop = []
    lat = []

    def producer():
        # One set() per wake (a flag coalesces sets, and a lost pairing would hang
        # the waiter): the next only after the waiter took the last one.
        for k in range(n):
            while len(lat) < k:
                time.sleep_ms(1)
            time.sleep_ms(PERIOD_MS)
            stamp[0] = time.ticks_us()
            flag.set()
        stop.append(1)

    _thread.start_new_thread(producer, ())
    while len(lat) < n:
        await flag.wait()
        lat.append(time.ticks_diff(time.ticks_us(), stamp[0]))
    while not stop:
        await asyncio.sleep_ms(1)
    return lat


def stats(lat):
    lat = sorted(lat)
    return lat[len(lat) // 2], lat[(len(lat) * 99) // 100]


async def main():
    kinds = (("asyncio.ThreadSafeFlag", asyncio.ThreadSafeFlag), ("irqio.ThreadSafeFlag", irqio.ThreadSafeFlag))
    results = {name: [] for name, _ in kinds}
    for _ in range(ROUNDS):
        for name, cls in kinds:
            results[name] += await measure(cls(), SAMPLES // ROUNDS)
    print("thread -> task wake latency, unix port, {} samples each (us)".format(SAMPLES))
    print("{:<24} {:>8} {:>8}".format("", "median", "p99"))
    med = {}
    for name, _ in kinds:
        m, p99 = stats(results[name])
        med[name] = m
        print("{:<24} {:>8} {:>8}".format(name, m, p99))
    print("median ratio upstream/irqio: {:.1f}x".format(med["asyncio.ThreadSafeFlag"] / max(1, med["irqio.ThreadSafeFlag"])))
    if RAW:
        for name, _ in kinds:
            print("samples|{}|{}".format(name, " ".join(str(v) for v in results[name])))


asyncio.run(main())
