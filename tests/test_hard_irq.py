"""irqio fed by real interrupts: hard `Pin.irq` handlers (real interrupt context, heap
locked) and `machine.Timer` callbacks (soft, scheduled) as producers, asyncio tasks as
consumers; and what upstream's `asyncio.ThreadSafeFlag` and `micropython.RingIO` do in
the same place.

The edges come from GPIO 2 wired to GPIO 3 (a jumper on a real Pico, a wire on the
emulated one): toggling `Pin(2, Pin.OUT)` raises a hard interrupt on `Pin(3)` before
`toggle()` returns, so a loop of toggles without `await` is a burst the consumer cannot
see until it ends. Hardware PWM on GPIO 2 is an edge source independent of the CPU.
No test asserts anything about time, only about counts, order and contents.
"""

import pytest

# Shared by the scripts: the wire, and a hard IRQ on both edges of GPIO 3.
PINS = """
from machine import Pin
out = Pin(2, Pin.OUT, value=0)
inp = Pin(3, Pin.IN)
BOTH = Pin.IRQ_RISING | Pin.IRQ_FALLING
"""

# A 4-byte record a handler can build without allocating: sequence number (16 bits),
# the pin level, and a check byte, so a torn or misaligned record shows.
RECORDS = """
SIZE = 4
rec = bytearray(SIZE)
seq = [0]
def fill(level):
    s = seq[0]
    rec[0] = s & 0xFF
    rec[1] = (s >> 8) & 0xFF
    rec[2] = level
    rec[3] = rec[0] ^ rec[1] ^ level ^ 0xA5
    seq[0] = s + 1
def parse(b, off=0):
    ok = b[off + 3] == b[off] ^ b[off + 1] ^ b[off + 2] ^ 0xA5
    return b[off] | (b[off + 1] << 8), b[off + 2], ok
"""


# --- ThreadSafeFlag -------------------------------------------------------------------


def flag_from_hard_irq(cls):
    return (
        PINS
        + f"""
import asyncio, irqio, time
flag = {cls}()
edges = [0]
def handler(p):
    edges[0] += 1
    flag.set()
inp.irq(handler, BOTH, hard=True)
wakes = []
async def waiter(ack):
    while True:
        await flag.wait()
        wakes.append(getattr(flag, "count", None))
        ack.set()
async def main():
    ack = asyncio.Event()
    task = asyncio.create_task(waiter(ack))
    await asyncio.sleep_ms(0)
    # One edge at a time: each one must wake the task (a lost wake times out).
    timeouts = 0
    for _ in range(200):
        ack.clear()
        out.toggle()
        try:
            await asyncio.wait_for_ms(ack.wait(), 100)
        except asyncio.TimeoutError:
            timeouts += 1
    print("edges", edges[0], "wakes", len(wakes), "timeouts", timeouts, "counts", set(wakes))
    # A burst of 10 edges while the task cannot run: one wake.
    wakes.clear()
    ack.clear()
    before = time.ticks_us()
    for _ in range(10):
        out.toggle()
    await asyncio.wait_for_ms(ack.wait(), 100)
    await asyncio.sleep_ms(5)
    print("burst: edges", edges[0] - 200, "wakes", len(wakes), "count", wakes)
    if hasattr(flag, "timestamp"):
        print("stamped at the first edge", time.ticks_diff(flag.timestamp, before) >= 0)
    task.cancel()
asyncio.run(main())
inp.irq(None)
"""
    )


@pytest.mark.requires("hard_irq", "asyncio")
def test_flag_set_from_a_hard_irq_wakes_the_task_for_every_edge(board):
    # Every edge wakes the waiting task; edges the task could not see separately
    # (a burst) are coalesced into one wake and counted in `count`, with the first
    # edge's time in `timestamp`.
    out = board.run(flag_from_hard_irq("irqio.ThreadSafeFlag"))
    assert out == (
        "edges 200 wakes 200 timeouts 0 counts {1}\n"
        "burst: edges 10 wakes 1 count [10]\n"
        "stamped at the first edge True\n"
    )


@pytest.mark.requires("hard_irq", "asyncio")
def test_upstream_flag_from_a_hard_irq_wakes_but_cannot_count(board):
    # Upstream's asyncio.ThreadSafeFlag.set() is a Python attribute store, which does
    # not allocate, so it works from a hard IRQ and wakes the task for each edge the
    # task keeps up with. A burst of 10 edges is one wake and the task cannot tell
    # that 9 more edges happened (no count, no timestamp).
    out = board.run(flag_from_hard_irq("asyncio.ThreadSafeFlag"))
    assert out == ("edges 200 wakes 200 timeouts 0 counts {None}\n" "burst: edges 10 wakes 1 count [None]\n")


@pytest.mark.requires("hard_irq", "asyncio")
def test_flag_counts_every_edge_of_a_free_running_pwm(board):
    # Edges from hardware PWM (independent of the CPU) at 2 kHz, both edges, while the
    # task waits: the counts of all wakes add up to the handler's edge count, however
    # the edges were coalesced.
    out = board.run(
        PINS
        + """
import asyncio, irqio
from machine import PWM
flag = irqio.ThreadSafeFlag()
edges = [0]
def handler(p):
    edges[0] += 1
    flag.set()
total = [0, 0]
async def waiter():
    while True:
        await flag.wait()
        total[0] += flag.count
        total[1] += 1
async def main():
    task = asyncio.create_task(waiter())
    inp.irq(handler, BOTH, hard=True)
    pwm = PWM(Pin(2), freq=2000, duty_u16=32768)
    await asyncio.sleep_ms(100)
    inp.irq(None)
    pwm.deinit()
    await asyncio.sleep_ms(10)
    print(edges[0] > 100, total[0] == edges[0], 0 < total[1] <= edges[0], flag.is_set())
    task.cancel()
asyncio.run(main())
"""
    )
    assert out == "True True True False\n"


# --- RingIO ---------------------------------------------------------------------------


@pytest.mark.requires("hard_irq", "asyncio")
def test_hard_irq_records_through_a_reject_ring_to_readexactly(board):
    # A hard handler writes 4-byte sequence-numbered records; a task reads them with
    # StreamReader.readexactly. Keeping up: every record, in order, intact. Starved
    # (a burst of 50 into a ring holding 10 records and 2 spare bytes): REJECT keeps
    # the first 10 whole, refuses the other 40 whole and counts their bytes; the
    # stream stays aligned for the records after it.
    out = board.run(
        PINS
        + RECORDS
        + """
import asyncio, irqio
ring = irqio.RingIO(42, overflow=irqio.RingIO.REJECT)
stored = [0]
def handler(p):
    fill(p.value())
    if ring.write(rec) == SIZE:
        stored[0] += 1
inp.irq(handler, BOTH, hard=True)
async def read_records(reader, n):
    got = []
    for _ in range(n):
        got.append(parse(await reader.readexactly(SIZE)))
    return got
def report(what, got, first):
    seqs = [s for s, _, _ in got]
    print(what, len(got), seqs == list(range(first, first + len(got))),
          all(ok for _, _, ok in got), [lv for _, lv, _ in got] == [(s + 1) % 2 for s in seqs])
async def main():
    reader = asyncio.StreamReader(ring)
    task = asyncio.create_task(read_records(reader, 200))
    for _ in range(200):
        out.toggle()
        await asyncio.sleep_ms(0)
    report("kept up:", await task, 0)
    print("dropped", ring.dropped, "stored", stored[0])
    # Starved: 50 edges before the task reads anything.
    for _ in range(50):
        out.toggle()
    got = await read_records(reader, ring.any() // SIZE)
    report("starved:", got, 200)
    print("edges", seq[0] - 200, "read", len(got), "dropped", ring.dropped,
          "edges == read + dropped // SIZE", seq[0] - 200 == len(got) + ring.dropped // SIZE,
          "left", ring.any())
    # The stream is still aligned: the next records follow.
    for _ in range(3):
        out.toggle()
    got = await read_records(reader, 3)
    print([s for s, _, _ in got], all(ok for _, _, ok in got))
asyncio.run(main())
inp.irq(None)
"""
    )
    assert out == (
        "kept up: 200 True True True\n"
        "dropped 0 stored 200\n"
        "starved: 10 True True True\n"
        "edges 50 read 10 dropped 160 edges == read + dropped // SIZE True left 0\n"
        "[250, 251, 252] True\n"
    )


@pytest.mark.requires("hard_irq", "asyncio")
def test_pwm_records_against_a_slow_reader_are_counted_never_split(board):
    # Free-running PWM edges (about 4000 a second) against a reader that sleeps between
    # reads, so the ring overflows again and again: every record read is whole and in
    # sequence order, and records written = read + dropped // SIZE exactly.
    out = board.run(
        PINS
        + RECORDS
        + """
import asyncio, irqio
from machine import PWM
ring = irqio.RingIO(64, overflow=irqio.RingIO.REJECT)
stored = [0]
def handler(p):
    fill(p.value())
    if ring.write(rec) == SIZE:
        stored[0] += 1
got = []
async def slow_reader(reader):
    while True:
        block = await reader.readexactly(3 * SIZE)
        for off in range(0, 3 * SIZE, SIZE):
            got.append(parse(block, off))
        await asyncio.sleep_ms(5)
async def main():
    task = asyncio.create_task(slow_reader(asyncio.StreamReader(ring)))
    inp.irq(handler, BOTH, hard=True)
    pwm = PWM(Pin(2), freq=2000, duty_u16=32768)
    await asyncio.sleep_ms(150)
    inp.irq(None)
    pwm.deinit()
    await asyncio.sleep_ms(20)
    task.cancel()
    await asyncio.sleep_ms(0)
    rest = ring.read() or b""
    for off in range(0, len(rest), SIZE):
        got.append(parse(rest, off))
    seqs = [s for s, _, _ in got]
    print("overflowed", ring.dropped > 0, "whole", len(rest) % SIZE == 0 and ring.dropped % SIZE == 0)
    print("intact", all(ok for _, _, ok in got), "increasing", all(a < b for a, b in zip(seqs, seqs[1:])))
    print("written == read", stored[0] == len(got),
          "edges == read + dropped // SIZE", seq[0] == len(got) + ring.dropped // SIZE)
asyncio.run(main())
"""
    )
    assert out == (
        "overflowed True whole True\n"
        "intact True increasing True\n"
        "written == read True edges == read + dropped // SIZE True\n"
    )


@pytest.mark.requires("hard_irq", "asyncio")
def test_upstream_ringio_from_a_hard_irq_splits_records_when_full(board):
    # The same starved burst into micropython.RingIO(42): it truncates, so the 11th
    # record is stored half (2 of 4 bytes), nothing counts the loss, and every record
    # read after it is misaligned (the check byte fails): a reader of fixed-size
    # records has lost sync. Upstream's write() is allocation-free and works from the
    # hard IRQ itself.
    out = board.run(
        PINS
        + RECORDS
        + """
import asyncio, micropython
ring = micropython.RingIO(42)
partial = [0]
def handler(p):
    fill(p.value())
    w = ring.write(rec)
    if w != 0 and w != SIZE:  # not `w not in (0, SIZE)`: building that tuple allocates
        partial[0] += 1
inp.irq(handler, BOTH, hard=True)
async def main():
    reader = asyncio.StreamReader(ring)
    for _ in range(50):
        out.toggle()
    print("stored", ring.any(), "partial writes", partial[0], hasattr(ring, "dropped"))
    got = []
    for _ in range(10):
        got.append(parse(await reader.readexactly(SIZE)))
    print([s for s, _, _ in got] == list(range(10)), all(ok for _, _, ok in got))
    for _ in range(3):
        out.toggle()
    got = []
    for _ in range(3):
        got.append(parse(await reader.readexactly(SIZE)))
    print("after the burst, intact:", [ok for _, _, ok in got])
asyncio.run(main())
inp.irq(None)
"""
    )
    assert out == (
        "stored 42 partial writes 1 False\n" "True True\n" "after the burst, intact: [False, False, False]\n"
    )


# --- EventStream ----------------------------------------------------------------------

EVENTS = (
    PINS
    + """
import asyncio, irqio, time
def check(events, tag, first_level, before, after):
    tags = all(t == tag for t, _, _ in events)
    levels = [v for _, v, _ in events] == [(first_level + i) % 2 for i in range(len(events))]
    ts = [t for _, _, t in events]
    ordered = all(time.ticks_diff(b, a) >= 0 for a, b in zip(ts, ts[1:]))
    inside = time.ticks_diff(ts[0], before) >= 0 and time.ticks_diff(after, ts[-1]) >= 0
    return len(events), tags, levels, ordered, inside
async def take(es, n):
    events = []
    for _ in range(n):
        events.append(await es.get())
    return events
async def scenario(es, tag):
    # Edges one by one while a task waits in es.get().
    before = time.ticks_us()
    task = asyncio.create_task(take(es, 30))
    for _ in range(30):
        out.toggle()
        await asyncio.sleep_ms(1)
    events = await task
    print("live", check(events, tag, 1, before, time.ticks_us()), es.dropped)
    # A burst of 40 edges into room for 16: the first 16 are kept, 24 counted.
    before = time.ticks_us()
    for _ in range(40):
        out.toggle()
    after = time.ticks_us()
    n = es.any()
    print("burst", check(await take(es, n), tag, 1, before, after), es.dropped, es.high_water)
"""
)


@pytest.mark.requires("hard_irq", "asyncio")
def test_event_stream_post_from_a_hard_irq_handler(board):
    # A Python hard handler posts (tag, pin level): levels alternate 1, 0, 1, ... in
    # edge order, timestamps never go backwards and lie within the toggling, and a
    # full stream refuses new events and counts them.
    out = board.run(
        EVENTS
        + """
es = irqio.EventStream(16)
inp.irq(lambda p: es.post(7, p.value()), BOTH, hard=True)
asyncio.run(scenario(es, 7))
inp.irq(None)
"""
    )
    assert out == "live (30, True, True, True, True) 0\nburst (16, True, True, True, True) 24 16\n"


@pytest.mark.requires("hard_irq", "asyncio")
def test_event_stream_native_handler_as_the_hard_irq_handler(board):
    # es.handler(tag) passed straight to Pin.irq(hard=True): no Python runs in the
    # interrupt; each event carries the pin's level read by the handler.
    out = board.run(
        EVENTS
        + """
es = irqio.EventStream(16)
inp.irq(handler=es.handler(9), trigger=BOTH, hard=True)
asyncio.run(scenario(es, 9))
inp.irq(None)
"""
    )
    assert out == "live (30, True, True, True, True) 0\nburst (16, True, True, True, True) 24 16\n"


@pytest.mark.requires("hard_irq", "asyncio")
def test_event_stream_overwrite_oldest_from_a_hard_irq_keeps_the_newest(board):
    # OVERWRITE_OLDEST under a burst of 30 into room for 8: the newest 8 whole events
    # are kept, in order, and the 22 discarded are counted.
    out = board.run(
        PINS
        + """
import asyncio, irqio
es = irqio.EventStream(8, overflow=irqio.EventStream.OVERWRITE_OLDEST)
n = [0]
def handler(p):
    es.post(1, n[0])
    n[0] += 1
inp.irq(handler, BOTH, hard=True)
for _ in range(30):
    out.toggle()
async def main():
    values = []
    for _ in range(es.any()):
        values.append((await es.get())[1])
    print(values, es.dropped)
asyncio.run(main())
inp.irq(None)
"""
    )
    assert out == "[22, 23, 24, 25, 26, 27, 28, 29] 22\n"


# --- allocation-free in a hard IRQ ----------------------------------------------------


@pytest.mark.requires("hard_irq", "asyncio")
def test_every_producer_runs_in_a_hard_irq_without_allocating(board):
    # In a hard IRQ the heap is locked: the handler's own allocation attempt raises
    # MemoryError every time. flag.set(), ring.write() and es.post() in the same
    # handler never do, and their results are complete after 300 interrupts. The
    # native es.handler(tag) on a second stream, fired by the same edges, would print
    # "Uncaught exception in IRQ callback handler" and be disabled if it allocated.
    # Finally the producers also run with micropython.heap_lock() held by the main
    # program (the toggling loop itself allocates nothing).
    out = board.run(
        PINS
        + """
import asyncio, irqio, micropython, time
from machine import PWM
flag = irqio.ThreadSafeFlag()
ring = irqio.RingIO(4 * 400, overflow=irqio.RingIO.REJECT)
es = irqio.EventStream(400)
native = irqio.EventStream(400)
native_handler = native.handler(3)
rec = bytearray(4)
n = [0]
alloc_errors = [0]
producer_errors = [0, 0, 0]
def handler(p):
    native_handler(p)
    i = n[0]
    n[0] = i + 1
    try:
        x = [i]
    except MemoryError:
        alloc_errors[0] += 1
    try:
        flag.set()
    except MemoryError:
        producer_errors[0] += 1
    rec[0] = i & 0xFF
    rec[1] = i >> 8
    try:
        ring.write(rec)
    except MemoryError:
        producer_errors[1] += 1
    try:
        es.post(1, i)
    except MemoryError:
        producer_errors[2] += 1
inp.irq(handler, BOTH, hard=True)
def edges():
    # In a function: the main program must not add globals while PWM interrupts run
    # (a hard IRQ looking a global up during the dict's resize gets NameError).
    # 200 edges from PWM (interrupting whatever runs), then 100 toggles under heap_lock.
    pwm = PWM(Pin(2), freq=1000, duty_u16=32768)
    t0 = time.ticks_ms()
    while n[0] < 200 and time.ticks_diff(time.ticks_ms(), t0) < 2000:
        pass
    pwm.deinit()
    inp.irq(None)
    out.init(Pin.OUT, value=0)
    inp.irq(handler, BOTH, hard=True)
    base = n[0]
    micropython.heap_lock()
    for _ in range(100):
        out.toggle()
    micropython.heap_unlock()
    inp.irq(None)
    return base
base = edges()
N = n[0]
print("interrupts", base >= 200 and N - base == 100, "alloc MemoryError", alloc_errors[0] == N,
      "producer MemoryError", producer_errors)
async def main():
    await flag.wait()
    print("flag count", flag.count == N)
    data = ring.read()
    seqs = [data[4 * k] | (data[4 * k + 1] << 8) for k in range(N)]
    print("ring", len(data) == 4 * N, seqs == list(range(N)), ring.dropped)
    values = []
    for _ in range(es.any()):
        values.append((await es.get())[1])
    print("post", values == list(range(N)), es.dropped)
    print("native", native.any() == N, native.dropped)
asyncio.run(main())
"""
    )
    assert out == (
        "interrupts True alloc MemoryError True producer MemoryError [0, 0, 0]\n"
        "flag count True\n"
        "ring True True 0\n"
        "post True 0\n"
        "native True 0\n"
    )


# --- machine.Timer (soft callbacks) ----------------------------------------------------


@pytest.mark.requires("timer", "asyncio")
def test_timer_callbacks_feed_flag_ring_and_events_to_asyncio(board):
    # rp2's machine.Timer callbacks are soft (scheduled): the same producers work there
    # and an asyncio task consumes everything, with nothing lost while it keeps up.
    # es.handler(tag) given as the Timer callback records its firing count 0, 1, 2, ...
    out = board.run(
        """
import asyncio, irqio
from machine import Timer
flag = irqio.ThreadSafeFlag()
ring = irqio.RingIO(256, overflow=irqio.RingIO.REJECT)
es = irqio.EventStream(64)
native = irqio.EventStream(64)
fired = [0]
rec = bytearray(2)
def tick(t):
    i = fired[0]
    fired[0] = i + 1
    flag.set()
    rec[0] = i & 0xFF
    rec[1] = i >> 8
    ring.write(rec)
    es.post(2, i)
got = {"flag": 0, "ring": [], "post": [], "native": []}
async def flag_task():
    while True:
        await flag.wait()
        got["flag"] += flag.count
async def ring_task():
    reader = asyncio.StreamReader(ring)
    while True:
        b = await reader.readexactly(2)
        got["ring"].append(b[0] | (b[1] << 8))
async def event_task(stream, key):
    async for tag, value, t_us in stream:
        got[key].append(value)
async def main():
    consumers = (flag_task(), ring_task(), event_task(es, "post"), event_task(native, "native"))
    tasks = [asyncio.create_task(c) for c in consumers]
    t1 = Timer(period=2, mode=Timer.PERIODIC, callback=tick)
    t2 = Timer(period=3, mode=Timer.PERIODIC, callback=native.handler(4))
    await asyncio.sleep_ms(200)
    t1.deinit()
    t2.deinit()
    await asyncio.sleep_ms(20)
    N = fired[0]
    print("fired", N > 20, "flag", got["flag"] == N,
          "ring", got["ring"] == list(range(N)), "post", got["post"] == list(range(N)))
    M = len(got["native"])
    print("native", M > 20, got["native"] == list(range(M)), native.any(), ring.dropped, es.dropped, native.dropped)
    for t in tasks:
        t.cancel()
asyncio.run(main())
"""
    )
    assert out == "fired True flag True ring True post True\nnative True True 0 0 0 0\n"
