# Thread-to-task wake latency: irqio.ThreadSafeFlag vs asyncio.ThreadSafeFlag,
# side by side in one run of the same firmware.
#
#   build/unix/micropython benchmarks/tsf_latency.py [samples]
#
# A producer thread stamps time.ticks_us() and calls flag.set() every few
# milliseconds; the waiting task stamps the time it resumes. Rounds alternate
# between the two flags so machine noise hits both alike.
import asyncio
import sys
import time
import _thread

import irqio

SAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 400
ROUNDS = 4
PERIOD_MS = 3


async def measure(flag, n):
    stamp = [0]
    stop = []

    def producer():
        for _ in range(n):
            time.sleep_ms(PERIOD_MS)
            stamp[0] = time.ticks_us()
            flag.set()
        stop.append(1)

    lat = []
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


asyncio.run(main())
