#!/usr/bin/env python3
"""Interrupt-side cost: instructions per producer call, irqio vs the upstream way, net
of the call itself.

    python3 benchmarks/isr_cost.py [path/to/micropython]

What an interrupt handler (or a thread) runs to hand over one event: irqio's
ThreadSafeFlag.set(), RingIO.write() of 8 and 64 bytes, EventStream.post() and the
native Pin handler from EventStream.handler(), against what upstream offers for the
same job (asyncio.ThreadSafeFlag.set(), micropython.RingIO.write(), a Python handler
that appends an event tuple to a list and sets asyncio's flag, a Python Pin handler
that stamps the time into an array and sets asyncio's flag). Counted with valgrind's
callgrind on the unix firmware, which is repeatable on a shared machine: each case
runs the same loop with N1 and N2 calls; (I(N2) - I(N1)) / (N2 - N1) is one more
call. The same loop calling an empty native method ("".isdigit()) is the call
overhead; "net" is a case minus that (for set() + clear(), which makes every set()
find the flag clear, minus the loop calling it twice; a plain set() loop finds the
flag set after the first).
On unix, irqio's set() of a clear flag writes its eventfd: the system call counts
as the one instruction that enters the kernel, as callgrind sees it. Every PER calls the loop drains what the
producer filled (readinto, clear); that share is included, spread over PER calls.
"""

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "unix" / "micropython"
N1, N2 = 2000, 12000
PER = 256
HEAP = "192K"  # Pico-sized: what allocation costs the collector there

SETUP = """
import asyncio, micropython, sys, time, irqio
from array import array
case, n = sys.argv[1], int(sys.argv[2])
buf = bytearray(32768)
rec8, rec64 = bytes(8), bytes(64)
def nothing():
    pass
"""

# name: (setup, the producer call, the drain every PER calls[, calls per pass])
CASES = {
    "empty native call": ('op = "".isdigit', "op()", "nothing()"),
    "two empty native calls": ('op = "".isdigit', "op()\n        op()", "nothing()"),
    "asyncio.ThreadSafeFlag.set()": ("f = asyncio.ThreadSafeFlag()\nop = f.set", "op()", "nothing()"),
    "irqio.ThreadSafeFlag.set()": ("f = irqio.ThreadSafeFlag()\nop = f.set", "op()", "nothing()"),
    "asyncio flag set() + clear()": ("f = asyncio.ThreadSafeFlag()\nop = f.set\nclr = f.clear",
                                     "op()\n        clr()", "nothing()", 2),
    "irqio flag set() + clear()": ("f = irqio.ThreadSafeFlag()\nop = f.set\nclr = f.clear",
                                   "op()\n        clr()", "nothing()", 2),
    "micropython.RingIO.write(8 B)": ("r = micropython.RingIO(32768)\nop = r.write\ndrain = r.readinto",
                                      "op(rec8)", "drain(buf)"),
    "irqio.RingIO.write(8 B)": ("r = irqio.RingIO(32768)\nop = r.write\ndrain = r.readinto", "op(rec8)",
                                "drain(buf)"),
    "micropython.RingIO.write(64 B)": ("r = micropython.RingIO(32768)\nop = r.write\ndrain = r.readinto",
                                       "op(rec64)", "drain(buf)"),
    "irqio.RingIO.write(64 B)": ("r = irqio.RingIO(32768)\nop = r.write\ndrain = r.readinto", "op(rec64)",
                                 "drain(buf)"),
    "list.append + asyncio flag.set()": (
        "f = asyncio.ThreadSafeFlag()\nitems = []\nticks = time.ticks_us\n"
        "def op(tag, value):\n    items.append((tag, value, ticks()))\n    f.set()\ndrain = items.clear",
        "op(1, 7)", "drain()"),
    "irqio.EventStream.post()": ("es = irqio.EventStream(512)\nop = es.post\ndrain = es.readinto",
                                 "op(1, 7)", "drain(buf)"),
    "Python Pin handler + asyncio flag": (
        "f = asyncio.ThreadSafeFlag()\nstamps = array('i', bytes(4 * 64))\nhead = array('i', [0])\n"
        "ticks = time.ticks_us\n"
        "def op(pin):\n    stamps[head[0] & 63] = ticks()\n    head[0] += 1\n    f.set()",
        "op(None)", "nothing()"),
    "irqio EventStream.handler()": ("es = irqio.EventStream(512)\nop = es.handler(1)\ndrain = es.readinto",
                                    "op(None)", "drain(buf)"),
}


def board_pairs():
    """(group, upstream case, irqio case): the comparisons of benchmarks/isr_cycles.py,
    the board counterpart, read from its source (it runs on MicroPython only)."""
    tree = ast.parse((ROOT / "benchmarks" / "isr_cycles.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PAIRS":
            return ast.literal_eval(node.value)
    raise SystemExit("no PAIRS in benchmarks/isr_cycles.py")


LOOP = """
{setup}
def run(n):
    i = 0
    while i < n:
        {op}
        i += 1
        if i % {per} == 0:
            {drain}
run(n)
"""


def instructions(script, n):
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         str(FIRMWARE), "-X", "heapsize=" + HEAP, script, "-", str(n)],
        capture_output=True, text=True, env={**os.environ, "MICROPYPATH": ".frozen"}, cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    return int(re.search(r"Collected : (\d+)", proc.stderr).group(1))


def cost(name):
    setup, op, drain = CASES[name][:3]
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SETUP + LOOP.format(setup=setup, op=op, drain=drain, per=PER))
        script = f.name
    try:
        return (instructions(script, N2) - instructions(script, N1)) / (N2 - N1)
    finally:
        os.unlink(script)


def main():
    print("instructions per producer call from Python (callgrind; N = {}..{}; drained every {}; heap {})".format(
        N1, N2, PER, HEAP))
    base = cost("empty native call")
    base2 = cost("two empty native calls")
    print("  {:<36s} {:>8.1f}".format("empty native call", base))
    print("  {:<20s} {:<36s} {:>8s} {:>8s}".format("call", "way", "total", "net"))
    for group, upstream, ours in board_pairs():
        for name in (upstream, ours):
            c = cost(name)
            two = len(CASES[name]) > 3
            print("  {:<20s} {:<36s} {:>8.1f} {:>8.1f}".format(group, name, c, c - (base2 if two else base)))


if __name__ == "__main__":
    main()
