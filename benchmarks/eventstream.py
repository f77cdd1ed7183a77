# Interrupt events to asyncio code: irqio.EventStream vs the upstream ways, side by
# side in one run of the same firmware.
#
#   build/unix/micropython benchmarks/eventstream.py [samples]
#
# A producer thread stands in for an interrupt handler. Three ways to get an event
# (tag, value, timestamp) to Python code that may do anything:
# - irqio: EventStream.post(tag, value); a task runs `await es.get()`.
# - schedule: micropython.schedule(callback, value); the callback runs at the VM's
#   next check (what hard IRQ handlers use to reach soft code).
# - tsf+list: append (tag, value, t) to a list, then asyncio.ThreadSafeFlag.set();
#   a task waits on the flag and drains the list. The tuple and the list growth
#   allocate, which a hard IRQ handler may not do: this one only works from threads
#   and soft handlers.
#
# Measured: latency (producer's timestamp to the consuming code running; one
# event every few ms) and bursts (32 events back to back: how many reach the
# consumer, how many are lost or refused, and how many are counted as lost).
# Instructions per event: benchmarks/eventstream_cost.py.
import asyncio
import micropython
import sys
import time
import _thread

import irqio

SAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 300
PERIOD_MS = 3
BURSTS = 40
BURST = 32


class Irqio:
    name = "irqio.EventStream"

    def __init__(self):
        self.es = irqio.EventStream(64)
        self.lost = 0

    def post(self, value):
        self.es.post(1, value)

    async def consume(self, n, on_event):
        for _ in range(n):
            tag, value, t_us = await self.es.get()
            on_event(value, t_us)

    def counted_lost(self):
        return self.es.dropped


class Schedule:
    name = "micropython.schedule"

    def __init__(self):
        self.lost = 0
        self.on_event = None
        self.cb = self.callback  # bound once: schedule() is called from the producer

    def callback(self, t_us):
        self.on_event(0, t_us)

    def post(self, value):
        # One argument gets through schedule(): the timestamp (the value is not needed
        # to measure; a tuple of both would allocate, which a hard IRQ may not).
        try:
            micropython.schedule(self.cb, time.ticks_us())
        except RuntimeError:  # "schedule queue full": the event is gone
            self.lost += 1

    async def consume(self, n, on_event):
        self.on_event = on_event
        while self.seen < n:
            await asyncio.sleep_ms(1)

    def counted_lost(self):
        return "raised"  # RuntimeError in the producer (the interrupt handler)


class FlagAndList:
    name = "asyncio.ThreadSafeFlag+list"

    def __init__(self):
        self.flag = asyncio.ThreadSafeFlag()
        self.items = []
        self.lost = 0

    def post(self, value):
        self.items.append((1, value, time.ticks_us()))
        self.flag.set()

    async def consume(self, n, on_event):
        got = 0
        while got < n:
            await self.flag.wait()
            while self.items:
                tag, value, t_us = self.items.pop(0)
                on_event(value, t_us)
                got += 1

    def counted_lost(self):
        return 0


async def run_case(way, events, gap_ms):
    # Producer thread: `events` events, `gap_ms` apart (0: back to back in bursts).
    latencies = []
    seen = [0]
    way.seen = 0

    def on_event(value, t_us):
        latencies.append(time.ticks_diff(time.ticks_us(), t_us))
        seen[0] += 1
        way.seen = seen[0]

    done = []

    def producer():
        for i in range(events):
            if gap_ms:
                time.sleep_ms(gap_ms)
            elif i % BURST == 0:
                time.sleep_ms(5)  # between bursts
            way.post(i)
        done.append(1)

    _thread.start_new_thread(producer, ())
    consumer = asyncio.create_task(way.consume(events, on_event))
    while not done:
        await asyncio.sleep_ms(5)
    await asyncio.sleep_ms(50)  # let the consumer drain
    consumer.cancel()
    return latencies, seen[0]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, (len(values) * p) // 100)] if values else -1


async def main():
    ways = (Irqio, Schedule, FlagAndList)
    print("latency, producer thread -> consuming code, one event every %d ms (%d samples)" % (PERIOD_MS, SAMPLES))
    print("  %-28s %10s %10s" % ("way", "median us", "p99 us"))
    for cls in ways:
        lat, _ = await run_case(cls(), SAMPLES, PERIOD_MS)
        print("  %-28s %10d %10d" % (cls.name, percentile(lat, 50), percentile(lat, 99)))
    print("bursts: %d x %d events back to back" % (BURSTS, BURST))
    print("  %-28s %10s %10s %14s" % ("way", "delivered", "lost", "counted lost"))
    for cls in ways:
        way = cls()
        _, seen = await run_case(way, BURSTS * BURST, 0)
        counted = way.counted_lost()
        lost = BURSTS * BURST - seen
        print("  %-28s %10d %10d %14s" % (cls.name, seen, lost, counted))


asyncio.run(main())
