# Soak test for the unix firmware (tests/test_soak.py runs it bounded; scripts/soak.sh
# runs it for minutes). For each object and policy, three kinds of producer feed one
# irqio object at once while an asyncio task consumes it:
#
# - native producer threads (irqio_unix.producers_start): POSIX threads outside the
#   VM's lock, truly parallel with everything else, as a C driver on the other core;
# - Python threads (_thread), which take turns with the consumer;
# - the signal timer (irqio_unix.signal_timer_start), whose handler runs on whichever
#   thread the kernel picks, in the middle of whatever that thread was writing: a hard
#   interrupt nesting inside a producer.
#
# Each source numbers its records. The object is closed while the producers still
# run, and the consumer reads to end-of-stream. Checks: no record torn, none repeated
# or out of order within its source, and records attempted = received + dropped
# (exactly). The caller sets SECONDS (per case) and CASES.
import asyncio
import _thread
import time

import irqio
import irqio_unix

RECORD = 8
SIGNAL_SOURCE = 0xA5
NATIVE_SOURCE = 0xB0
PYTHON_SOURCE = 0x10
PYTHON_THREADS = 2
# One native thread floods (the ring is full, every index contended); the other
# pauses between records (a steadier source whose records mostly get through).
NATIVE_PAUSES_US = (0, 20)
SIGNAL_PERIOD_US = 50


class Sources:
    # Per-source bookkeeping: last sequence number seen, records received.
    def __init__(self):
        self.last = {}
        self.per_source = {}
        self.received = 0

    def saw(self, source, seq):
        # Sequence numbers are 32 bits (signed in events) and wrap in long runs: each
        # must be 1 to 2**31 - 1 ahead of the last one, modulo 2**32.
        self.per_source[source] = self.per_source.get(source, 0) + 1
        seq &= 0xFFFFFFFF
        last = self.last.get(source)
        if last is not None and not 0 < (seq - last) & 0xFFFFFFFF < 0x80000000:
            raise AssertionError("source %#x: %d after %d" % (source, seq, last))
        self.last[source] = seq
        self.received += 1


def record(source, seq):
    rec = bytearray(RECORD)
    rec[0] = source
    rec[1:5] = seq.to_bytes(4, "little")
    for i in range(5, RECORD):
        rec[i] = (seq + i) & 0xFF
    return rec


def parse(rec):
    seq = int.from_bytes(rec[1:5], "little")
    for i in range(5, RECORD):
        if rec[i] != (seq + i) & 0xFF:
            raise AssertionError("torn record %r" % bytes(rec))
    return rec[0], seq


class PythonProducers:
    def __init__(self, produce):
        self.produce = produce
        self.running = True
        self.sent = [None] * PYTHON_THREADS  # each thread fills its own slot
        for n in range(PYTHON_THREADS):
            _thread.start_new_thread(self.run, (n,))

    def run(self, n):
        seq = 0
        while self.running:
            try:
                self.produce(PYTHON_SOURCE + n, seq)
            except OSError:
                pass  # EPIPE once closed: the refused record is counted as dropped
            seq += 1
            if seq % 64 == 0:
                time.sleep_ms(0)
        self.sent[n] = seq

    def stop(self):
        self.running = False
        while None in self.sent:
            time.sleep_ms(1)
        return sum(self.sent)


def start(obj, produce, signal_extra):
    irqio_unix.signal_timer_start(obj, SIGNAL_PERIOD_US, signal_extra)
    irqio_unix.producers_start(obj, NATIVE_PAUSES_US, RECORD)
    return PythonProducers(produce)


def stop(python):
    fired = irqio_unix.signal_timer_stop()
    native = sum(irqio_unix.producers_stop())
    return fired + native + python.stop()


async def soak_ring(overflow):
    ring = irqio.RingIO(64 * RECORD, overflow=overflow)

    def produce(source, seq):
        ring.write(record(source, seq))

    seen = Sources()
    python = start(ring, produce, RECORD)
    reader = asyncio.StreamReader(ring)
    deadline = time.ticks_add(time.ticks_ms(), SECONDS * 1000)
    pending = b""
    closed = False
    while True:
        if not closed and time.ticks_diff(time.ticks_ms(), deadline) >= 0:
            ring.close()  # with every producer still running
            closed = True
        chunk = await reader.read(32 * RECORD)
        if not chunk:
            break
        pending += chunk
        whole = len(pending) // RECORD * RECORD
        for i in range(0, whole, RECORD):
            seen.saw(*parse(pending[i : i + RECORD]))
        pending = pending[whole:]
    attempted = stop(python)
    assert not pending, "a record split at end of stream"
    assert ring.dropped % RECORD == 0, "a record split by a drop"
    return attempted, seen.received, ring.dropped // RECORD, seen.per_source


async def soak_events(overflow):
    es = irqio.EventStream(32, overflow=overflow)

    def produce(source, seq):
        es.post(source, seq)

    seen = Sources()
    python = start(es, produce, SIGNAL_SOURCE)
    deadline = time.ticks_add(time.ticks_ms(), SECONDS * 1000)
    closed = False
    async for tag, value, t_us in es:
        seen.saw(tag, value)
        if not closed and time.ticks_diff(time.ticks_ms(), deadline) >= 0:
            es.close()
            closed = True
    attempted = stop(python)
    return attempted, seen.received, es.dropped, seen.per_source


async def soak_flag():
    flag = irqio.ThreadSafeFlag()

    def produce(source, seq):
        flag.set()

    python = start(flag, produce, None)
    deadline = time.ticks_add(time.ticks_ms(), SECONDS * 1000)
    counted = 0
    while time.ticks_diff(time.ticks_ms(), deadline) < 0:
        await flag.wait()
        counted += flag.count
    attempted = stop(python)
    if flag.is_set():
        await flag.wait()
        counted += flag.count
    return attempted, counted, 0, {}


def run(name, coro):
    attempted, received, dropped, sources = asyncio.run(coro)
    ok = attempted == received + dropped
    fewest = min(sources.values()) if sources else 0
    print(
        "%-23s attempted %9d  received %9d  dropped %9d  sources %d (fewest %d)  %s"
        % (name, attempted, received, dropped, len(sources), fewest, "ok" if ok else "UNACCOUNTED")
    )
    if not ok:
        raise AssertionError("%s: %d attempted, %d accounted for" % (name, attempted, received + dropped))


for case in CASES:
    if case == "ring-truncate":
        run(case, soak_ring(irqio.RingIO.TRUNCATE))
    elif case == "ring-reject":
        run(case, soak_ring(irqio.RingIO.REJECT))
    elif case == "ring-overwrite":
        run(case, soak_ring(irqio.RingIO.OVERWRITE))
    elif case == "events-drop-newest":
        run(case, soak_events(irqio.EventStream.DROP_NEWEST))
    elif case == "events-overwrite-oldest":
        run(case, soak_events(irqio.EventStream.OVERWRITE_OLDEST))
    elif case == "flag":
        run(case, soak_flag())
    else:
        raise ValueError(case)
