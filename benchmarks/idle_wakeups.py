#!/usr/bin/env python3
"""Idle wake-ups: how often the unix event loop calls poll() while a task waits for an
event that does not come, irqio vs upstream, counted with strace.

    python3 benchmarks/idle_wakeups.py [path/to/micropython] [seconds]

Each way runs a MicroPython script in which one task waits (on a flag, or reading a
ring through StreamReader) while the main task sleeps for SECONDS; nothing ever sets
the flag or writes the ring. strace -f -c counts the process's poll-family system
calls; a wake-up is one such call returning. "loop asleep" is the same script with no
waiting task: what asyncio needs anyway (about one call per sleep).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "unix" / "micropython"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 3
SYSCALLS = "poll,ppoll,select,pselect6,epoll_wait,epoll_pwait"

SCRIPT = """
import asyncio, micropython, sys, irqio
way, seconds = sys.argv[1], float(sys.argv[2])

async def wait_flag(flag):
    await flag.wait()

async def read_ring(ring):
    await asyncio.StreamReader(ring).read(1)

async def main():
    if way == "asyncio.ThreadSafeFlag":
        asyncio.create_task(wait_flag(asyncio.ThreadSafeFlag()))
    elif way == "irqio.ThreadSafeFlag":
        asyncio.create_task(wait_flag(irqio.ThreadSafeFlag()))
    elif way == "micropython.RingIO":
        asyncio.create_task(read_ring(micropython.RingIO(64)))
    elif way == "irqio.RingIO":
        asyncio.create_task(read_ring(irqio.RingIO(64)))
    await asyncio.sleep(seconds)

asyncio.run(main())
"""

WAYS = ("loop asleep", "asyncio.ThreadSafeFlag", "irqio.ThreadSafeFlag", "micropython.RingIO", "irqio.RingIO")


def count(script, way):
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        subprocess.run(
            ["strace", "-f", "-c", "-o", out.name, "-e", "trace=" + SYSCALLS,
             str(FIRMWARE), script, way, str(SECONDS)],
            check=True, capture_output=True, env={**os.environ, "MICROPYPATH": ".frozen"}, cwd=ROOT,
        )
        # strace -c's table: "% time  seconds  usecs/call  calls  [errors]  syscall"
        calls = 0
        for line in out.read().splitlines():
            m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
            if m and m.group(2) != "total":
                calls += int(m.group(1))
        return calls


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SCRIPT)
        script = f.name
    try:
        print("idle wake-ups of the unix event loop: poll-family calls while a task waits, "
              "{:g} s each (strace)".format(SECONDS))
        print("  {:<24s} {:>8s} {:>10s}".format("waiting on", "calls", "per second"))
        for way in WAYS:
            n = count(script, way)
            print("  {:<24s} {:>8d} {:>10.1f}".format(way, n, n / SECONDS))
    finally:
        os.unlink(script)


if __name__ == "__main__":
    main()
