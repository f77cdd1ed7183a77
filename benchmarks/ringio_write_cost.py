#!/usr/bin/env python3
"""Instructions per RingIO.write() of 8 and 64 bytes: irqio.RingIO vs micropython.RingIO.

    python3 benchmarks/ringio_write_cost.py [path/to/micropython]

Counts instructions with valgrind's callgrind, which is repeatable on a shared,
noisy machine. Each case runs the same MicroPython script twice, with N1 and N2
writes; (I(N2) - I(N1)) / (N2 - N1) is the cost of one more write() call from
Python, interpreter overhead included (the same for both rings). The ring is
drained with readinto() whenever it is full; that share is included too.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "unix" / "micropython"
N1, N2 = 2000, 12000
CAPACITY = 32768  # under upstream's 64 KiB limit

SCRIPT = """
import sys, micropython, irqio
impl, size, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ring = (micropython.RingIO if impl == "upstream" else irqio.RingIO)({capacity})
rec = bytes(size)
buf = bytearray({capacity})
def run(n):
    write, readinto = ring.write, ring.readinto
    per_fill = {capacity} // size
    i = 0
    while i < n:
        write(rec)
        i += 1
        if i % per_fill == 0:
            readinto(buf)
run(n)
""".format(capacity=CAPACITY)


def instructions(script, impl, size, n):
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         str(FIRMWARE), script, impl, str(size), str(n)],
        capture_output=True, text=True, env={**os.environ, "MICROPYPATH": ".frozen"},
        cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    return int(m.group(1))


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SCRIPT)
        script = f.name
    try:
        print("instructions per write() from Python (callgrind; N = {}..{} writes)".format(N1, N2))
        print("  {:>5s}  {:>18s}  {:>12s}  {:>7s}".format("bytes", "micropython.RingIO", "irqio.RingIO", "ratio"))
        for size in (8, 64):
            cost = {}
            for impl in ("upstream", "irqio"):
                i1 = instructions(script, impl, size, N1)
                i2 = instructions(script, impl, size, N2)
                cost[impl] = (i2 - i1) / (N2 - N1)
            print("  {:>5d}  {:>18.1f}  {:>12.1f}  {:>6.2f}x".format(
                size, cost["upstream"], cost["irqio"], cost["upstream"] / cost["irqio"]))
    finally:
        os.unlink(script)


if __name__ == "__main__":
    main()
