# A 1 kHz interrupt source (hardware PWM on GP2, wired to GP3, raising a hard Pin
# interrupt on each rising edge) for SECONDS of board time, a consumer doing real work
# and 3 other tasks: how often the GC runs, and the IRQ -> consumer latency (median,
# p99, max), irqio's allocation-free path against upstream's flag plus a list, in
# one run of the same firmware (rp2: a Pico, or the emulated one with
# benchmarks/rp2emu.sh benchmarks/load_1khz.py).
#
#   upstream: a hard Pin handler stamps the time into a preallocated array and
#             sets an asyncio.ThreadSafeFlag; the consumer waits, then makes each
#             pending stamp an event tuple in a list and handles the list.
#   irqio:    the pin calls an EventStream's native handler (no Python in the
#             interrupt); the consumer does `await es.get_into(buf, priority=True)`
#             into a preallocated array and decodes records in place.
#
# Each path runs twice: once for latency; once counting collections as drops in
# gc.mem_alloc(), looked at every 64 events (a look scans the heap and stalls the
# consumer for milliseconds, so that run's latencies are not reported).
import asyncio
import gc
import sys
import time
from array import array

import irqio
from machine import PWM, Pin

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
BUCKET_US = 50
BUCKETS = 400  # histogram up to 20 ms; the max is kept apart
PIN = Pin(3, Pin.IN)
WORK = 10  # loop iterations of "real work" per event (besides the bookkeeping)
BUSY = 3  # other tasks, each looping on sleep_ms(0)


class Stats:
    def __init__(self, count_collections):
        self.count_collections = count_collections
        self.hist = array("I", bytes(4 * BUCKETS))
        self.max = 0
        self.events = 0
        self.collections = 0
        self.last_alloc = gc.mem_alloc()

    def event(self, t_us):
        lat = time.ticks_diff(time.ticks_us(), t_us)
        self.hist[min(lat // BUCKET_US, BUCKETS - 1)] += 1
        if lat > self.max:
            self.max = lat
        self.events += 1
        work = 0
        for i in range(WORK):
            work += i * i
        if self.count_collections and self.events & 63 == 0:
            # gc.mem_alloc() scans the heap: every 64 events, which allocate far
            # less than the heap between two looks, so no collection is missed.
            alloc = gc.mem_alloc()
            if alloc < self.last_alloc:
                self.collections += 1
            self.last_alloc = alloc

    def quantile(self, q):
        want = self.events * q
        seen = 0
        for i in range(BUCKETS):
            seen += self.hist[i]
            if seen >= want:
                return (i + 1) * BUCKET_US
        return self.max


async def busy():
    while True:
        await asyncio.sleep_ms(0)


async def upstream(stats, deadline):
    flag = asyncio.ThreadSafeFlag()
    stamps = array("i", bytes(4 * 64))
    head = array("i", [0])

    def handler(pin):
        stamps[head[0] & 63] = time.ticks_us()
        head[0] += 1
        flag.set()

    tail = 0
    lost = 0
    PIN.irq(handler, Pin.IRQ_RISING, hard=True)
    while time.ticks_diff(deadline, time.ticks_ms()) > 0:
        await flag.wait()
        pending = []
        if head[0] - tail > 64:
            lost += head[0] - tail - 64
            tail = head[0] - 64
        while tail != head[0]:
            pending.append((1, tail, stamps[tail & 63]))
            tail += 1
        for _, _, t_us in pending:
            stats.event(t_us)
    PIN.irq(None)
    return lost


async def irqio_path(stats, deadline):
    es = irqio.EventStream(64)
    words = array("H", bytes(6 * 16))  # 16 records of 6 half-words
    PIN.irq(es.handler(1), Pin.IRQ_RISING, hard=True)
    while time.ticks_diff(deadline, time.ticks_ms()) > 0:
        n = await es.get_into(words, priority=True)
        for i in range(0, 6 * n, 6):
            stats.event(words[i + 4] | (words[i + 5] & 0x3FFF) << 16)
    PIN.irq(None)
    return es.dropped


async def main():
    print("1 kHz hard IRQ for {} s of board time, {} busy task(s), consumer work {} iterations".format(
        SECONDS, BUSY, WORK))
    print("{:<34} {:>7} {:>11} {:>8} {:>8} {:>8} {:>6}".format(
        "path", "events", "collections", "median", "p99", "max", "lost"))
    pwm = PWM(Pin(2), freq=1000, duty_u16=32768)
    tasks = [asyncio.create_task(busy()) for _ in range(BUSY)]
    for name, run in (("asyncio.ThreadSafeFlag + list", upstream), ("irqio get_into(priority=True)", irqio_path)):
        gc.collect()
        latency = Stats(False)
        lost = await run(latency, time.ticks_add(time.ticks_ms(), SECONDS * 1000))
        gc.collect()
        gcs = Stats(True)
        lost += await run(gcs, time.ticks_add(time.ticks_ms(), SECONDS * 1000))
        print("{:<34} {:>7} {:>11} {:>8} {:>8} {:>8} {:>6}".format(
            name, latency.events, gcs.collections, latency.quantile(0.5), latency.quantile(0.99), latency.max,
            lost))
    for t in tasks:
        t.cancel()
    pwm.deinit()
    print("(latency in us, board time; median and p99 to {} us buckets)".format(BUCKET_US))


asyncio.run(main())
