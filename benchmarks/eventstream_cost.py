#!/usr/bin/env python3
"""Instructions per interrupt event delivered to asyncio code: irqio.EventStream vs
micropython.schedule vs asyncio.ThreadSafeFlag + a list.

    python3 benchmarks/eventstream_cost.py [path/to/micropython]

Counts instructions with valgrind's callgrind (repeatable on a shared machine).
One task plays both sides, single-threaded so the count is deterministic: it posts
a batch of 8 events the way an interrupt handler would, then consumes them the way
each mechanism delivers them (await es.get(), which makes a tuple per event; await
es.get_into(buf), which makes none; the scheduled callbacks; waiting on the flag and
draining the list). Each way runs with N1 and N2 events;
(I(N2) - I(N1)) / (N2 - N1) is the cost of one event, producer and consumer and
interpreter overhead and garbage collection included (on a Pico-sized heap).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "unix" / "micropython"
N1, N2 = 4000, 24000
# A Pico-sized heap: allocation per event costs what the garbage collector does
# there, and N1..N2 spans many collections for every way.
HEAP = "192K"
BATCH = 8  # upstream's schedule queue holds 8 on most ports

SCRIPT = """
import asyncio, micropython, sys, time, irqio
from array import array
way, n = sys.argv[1], int(sys.argv[2])
BATCH = {batch}
got = [0]
def on_event(value, t_us):
    got[0] += 1

async def run_irqio():
    es = irqio.EventStream(64)
    for i in range(0, n, BATCH):
        for j in range(BATCH):
            es.post(1, j)
        for j in range(BATCH):
            tag, value, t_us = await es.get()
            on_event(value, t_us)

async def run_irqio_into():
    # the allocation-free way: whole records into a preallocated buffer, 3 words each
    # (tag and padding, value, t_us)
    es = irqio.EventStream(64)
    words = array("i", bytes(12 * BATCH))
    for i in range(0, n, BATCH):
        for j in range(BATCH):
            es.post(1, j)
        got = 0
        while got < BATCH:
            k = await es.get_into(words)
            for r in range(k):
                on_event(words[3 * r + 1], words[3 * r + 2])
            got += k

async def run_schedule():
    def callback(value):
        on_event(value, time.ticks_us())
    for i in range(0, n, BATCH):
        for j in range(BATCH):
            micropython.schedule(callback, j)
        await asyncio.sleep_ms(0)  # the callbacks run at the VM's next check

async def run_flag_and_list():
    flag = asyncio.ThreadSafeFlag()
    items = []
    for i in range(0, n, BATCH):
        for j in range(BATCH):
            items.append((1, j, time.ticks_us()))
            flag.set()
        await flag.wait()
        while items:
            tag, value, t_us = items.pop(0)
            on_event(value, t_us)

asyncio.run({{"irqio": run_irqio, "irqio_into": run_irqio_into, "schedule": run_schedule,
             "flag": run_flag_and_list}}[way]())
assert got[0] == n, got[0]
""".format(batch=BATCH)

WAYS = (
    ("irqio", "irqio.EventStream"),
    ("irqio_into", "irqio.EventStream.get_into"),
    ("schedule", "micropython.schedule"),
    ("flag", "asyncio.ThreadSafeFlag+list"),
)


def instructions(script, way, n):
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         str(FIRMWARE), "-X", "heapsize=" + HEAP, script, way, str(n)],
        capture_output=True, text=True, env={**os.environ, "MICROPYPATH": ".frozen"},
        cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    return int(re.search(r"Collected : (\d+)", proc.stderr).group(1))


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SCRIPT)
        script = f.name
    try:
        print("instructions per event, posted in batches of {} and consumed in asyncio "
              "(callgrind; N = {}..{}; heap {})".format(BATCH, N1, N2, HEAP))
        cost = {}
        for way, name in WAYS:
            cost[way] = (instructions(script, way, N2) - instructions(script, way, N1)) / (N2 - N1)
        for way, name in WAYS:
            print("  {:<28s} {:>8.0f}  {:>5.2f}x irqio".format(name, cost[way], cost[way] / cost["irqio"]))
    finally:
        os.unlink(script)


if __name__ == "__main__":
    main()
