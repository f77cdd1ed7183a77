# Interrupt-side cost on a board: CPU cycles per producer call, irqio vs the upstream
# way, net of the call itself; the board counterpart of benchmarks/isr_cost.py (which
# counts instructions on unix), with the same cases.
#
#   mpremote run benchmarks/isr_cycles.py
#   benchmarks/rp2emu.sh benchmarks/isr_cycles.py      (the emulated Pico)
#
# Each case calls the producer N times from a Python loop, timed with ticks_us and
# turned into cycles with machine.freq(); the same loop calling an empty native method
# ("".isdigit()) is the call overhead, and "net" is a case minus that (for set() +
# clear(), minus the loop calling it twice). Every PER calls the loop drains what the producer filled; that
# share is included. Interrupts stay on, as in a real program (on the emulator, board
# time is deterministic for a given firmware).
import asyncio
import gc
import time
from array import array

import irqio
import machine
import micropython

N = 2048
PER = 256
MHZ = machine.freq() / 1_000_000
buf = bytearray(PER * 64)
rec8, rec64 = bytes(8), bytes(64)


def nothing(*args):
    pass


def loop0(op, drain, d):
    ticks = time.ticks_us
    t0 = ticks()
    for _ in range(N // PER):
        for _ in range(PER):
            op()
        drain(d)
    return time.ticks_diff(ticks(), t0)


def loop_clear(op, clr, drain, d):
    ticks = time.ticks_us
    t0 = ticks()
    for _ in range(N // PER):
        for _ in range(PER):
            op()
            clr()
        drain(d)
    return time.ticks_diff(ticks(), t0)


def loop1(op, a, drain, d):
    ticks = time.ticks_us
    t0 = ticks()
    for _ in range(N // PER):
        for _ in range(PER):
            op(a)
        drain(d)
    return time.ticks_diff(ticks(), t0)


def loop2(op, a, b, drain, d):
    ticks = time.ticks_us
    t0 = ticks()
    for _ in range(N // PER):
        for _ in range(PER):
            op(a, b)
        drain(d)
    return time.ticks_diff(ticks(), t0)


def upstream_post_maker():
    f = asyncio.ThreadSafeFlag()
    items = []
    ticks = time.ticks_us

    def op(tag, value):
        items.append((tag, value, ticks()))
        f.set()

    return op, items


def upstream_handler_maker():
    f = asyncio.ThreadSafeFlag()
    stamps = array("i", bytes(4 * 64))
    head = array("i", [0])
    ticks = time.ticks_us

    def op(pin):
        stamps[head[0] & 63] = ticks()
        head[0] += 1
        f.set()

    return op


def case(name):
    gc.collect()
    if name == "empty native call":
        return loop0("".isdigit, nothing, None)
    if name == "two empty native calls":
        return loop_clear("".isdigit, "".isdigit, nothing, None)
    if name == "asyncio.ThreadSafeFlag.set()":
        return loop0(asyncio.ThreadSafeFlag().set, nothing, None)
    if name == "irqio.ThreadSafeFlag.set()":
        return loop0(irqio.ThreadSafeFlag().set, nothing, None)
    if name == "asyncio flag set() + clear()":
        f = asyncio.ThreadSafeFlag()
        return loop_clear(f.set, f.clear, nothing, None)
    if name == "irqio flag set() + clear()":
        f = irqio.ThreadSafeFlag()
        return loop_clear(f.set, f.clear, nothing, None)
    if name.startswith(("micropython.RingIO", "irqio.RingIO")):
        r = (micropython.RingIO if name.startswith("micro") else irqio.RingIO)(PER * 64 + 1)
        return loop1(r.write, rec8 if "(8 B)" in name else rec64, r.readinto, buf)
    if name == "list.append + asyncio flag.set()":
        op, items = upstream_post_maker()
        return loop2(op, 1, 7, lambda d: items.clear(), None)
    if name == "irqio.EventStream.post()":
        es = irqio.EventStream(PER)
        return loop2(es.post, 1, 7, es.readinto, buf)
    if name == "Python Pin handler + asyncio flag":
        return loop1(upstream_handler_maker(), None, nothing, None)
    if name == "irqio EventStream.handler()":
        es = irqio.EventStream(PER)
        return loop1(es.handler(1), None, es.readinto, buf)
    raise ValueError(name)


PAIRS = (
    ("flag set()", "asyncio.ThreadSafeFlag.set()", "irqio.ThreadSafeFlag.set()"),
    ("flag set(), clear()", "asyncio flag set() + clear()", "irqio flag set() + clear()"),
    ("ring write(), 8 B", "micropython.RingIO.write(8 B)", "irqio.RingIO.write(8 B)"),
    ("ring write(), 64 B", "micropython.RingIO.write(64 B)", "irqio.RingIO.write(64 B)"),
    ("event post", "list.append + asyncio flag.set()", "irqio.EventStream.post()"),
    ("Pin handler", "Python Pin handler + asyncio flag", "irqio EventStream.handler()"),
)


def cycles(name):
    return case(name) * MHZ / N


def main():
    print("cycles per producer call from Python ({} calls at {:g} MHz; drained every {})".format(N, MHZ, PER))
    base = cycles("empty native call")
    base2 = cycles("two empty native calls")
    print("  {:<36s} {:>8.1f}".format("empty native call", base))
    print("  {:<20s} {:<36s} {:>8s} {:>8s}".format("call", "way", "total", "net"))
    for group, upstream, ours in PAIRS:
        for name in (upstream, ours):
            c = cycles(name)
            print("  {:<20s} {:<36s} {:>8.1f} {:>8.1f}".format(
                group, name, c, c - (base2 if "clear()" in name else base)))


main()
