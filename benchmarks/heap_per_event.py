# Heap allocated per event by each consumer path, irqio vs upstream, in one run of
# the same firmware (unix or a board):
#
#   build/unix/micropython benchmarks/heap_per_event.py
#   mpremote run benchmarks/heap_per_event.py
#
# A producer task makes one event per scheduler pass; the consumer, warmed up first,
# takes N events; the figure is gc.mem_alloc() after minus before, over N (bytes per
# event, a collection forced before). "blocking": the consumer waits before each
# event; "ready": the event is there when it asks.
import asyncio
import gc

import irqio

try:
    from micropython import RingIO as UpstreamRingIO
except ImportError:
    UpstreamRingIO = None

N = 200


async def per_event(setup, consume, produce, prepare=None):
    # consume(state) returns the awaitable: what a consumer loop would await.
    state = setup()
    stop = []

    async def producer():
        while not stop:
            await asyncio.sleep_ms(0)
            produce(state)

    task = asyncio.create_task(producer()) if produce else None
    for _ in range(20):
        if prepare:
            prepare(state)
        await consume(state)
    gc.collect()
    before = gc.mem_alloc()
    for _ in range(N):
        if prepare:
            prepare(state)
        await consume(state)
    used = gc.mem_alloc() - before
    stop.append(1)
    if task:
        await asyncio.sleep_ms(1)
    return used / N


def ring_setup(cls):
    def setup():
        r = cls(64)
        return (r, asyncio.StreamReader(r), bytearray(8))

    return setup


def flag_set(s):
    s.set()


def events_setup():
    return (irqio.EventStream(16), bytearray(12))


CASES = [
    ("asyncio.ThreadSafeFlag wait, blocking", asyncio.ThreadSafeFlag, lambda s: s.wait(), flag_set),
    ("irqio.ThreadSafeFlag wait, blocking", irqio.ThreadSafeFlag, lambda s: s.wait(), flag_set),
    ("irqio wait(priority=True), blocking", irqio.ThreadSafeFlag, lambda s: s.wait(priority=True), flag_set),
    ("asyncio.ThreadSafeFlag wait, ready", asyncio.ThreadSafeFlag, lambda s: s.wait(), None, flag_set),
    ("irqio.ThreadSafeFlag wait, ready", irqio.ThreadSafeFlag, lambda s: s.wait(), None, flag_set),
    ("EventStream get()", lambda: irqio.EventStream(16), lambda s: s.get(), lambda s: s.post(1, 2)),
    ("EventStream get_into(buf)", events_setup, lambda s: s[0].get_into(s[1]), lambda s: s[0].post(1, 2)),
    ("EventStream get_into(priority=True)", events_setup, lambda s: s[0].get_into(s[1], priority=True),
     lambda s: s[0].post(1, 2)),
    ("irqio.RingIO StreamReader.readinto", ring_setup(irqio.RingIO), lambda s: s[1].readinto(s[2]),
     lambda s: s[0].write(b"abcdefgh")),
    ("irqio.RingIO areadinto(buf)", ring_setup(irqio.RingIO), lambda s: s[0].areadinto(s[2]),
     lambda s: s[0].write(b"abcdefgh")),
]
if UpstreamRingIO:
    CASES.insert(8, ("micropython.RingIO StreamReader.readinto", ring_setup(UpstreamRingIO),
                     lambda s: s[1].readinto(s[2]), lambda s: s[0].write(b"abcdefgh")))


async def main():
    print("heap per event (bytes), {} events each, after warm-up".format(N))
    for name, *case in CASES:
        print("{:<42} {:>6.1f}".format(name, await per_event(*case)))


asyncio.run(main())
