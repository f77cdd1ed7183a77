# What irqio's native scheduler step costs on each pass of asyncio's loop when nothing
# is ready: scheduler passes per second with 3 tasks looping on sleep_ms(0), with
# asyncio's own IOQueue.wait_io_event and then with irqio's step installed (which
# happens the first time a task blocks on an irqio object), in one run of the same
# firmware. With an upstream ThreadSafeFlag waiting too (a pollable in the poller),
# and without.
#
#   build/unix/micropython benchmarks/sched_pass_cost.py
#   benchmarks/rp2emu.sh benchmarks/sched_pass_cost.py      (board time)
import asyncio
import time

import irqio

WINDOW_MS = 500
ROUNDS = 3

passes = [0]


async def spinner():
    while True:
        await asyncio.sleep_ms(0)
        passes[0] += 1


async def rate(with_pollable):
    flag = asyncio.ThreadSafeFlag()
    waiter = asyncio.create_task(flag.wait()) if with_pollable else None
    tasks = [asyncio.create_task(spinner()) for _ in range(3)]
    await asyncio.sleep_ms(10)
    passes[0] = 0
    t0 = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), t0) < WINDOW_MS:
        await asyncio.sleep_ms(0)
    n = passes[0] * 1000 // WINDOW_MS
    for t in tasks:
        t.cancel()
    if waiter:
        waiter.cancel()
    await asyncio.sleep_ms(10)
    return n


async def install_step():
    f = irqio.ThreadSafeFlag()

    async def later():
        await asyncio.sleep_ms(0)
        f.set()

    asyncio.create_task(later())
    await f.wait()
    assert "wait_io_event" in asyncio.core._io_queue.__dict__


async def main():
    results = {}
    for installed in (False, True):
        if installed:
            await install_step()
        for pollable in (False, True):
            best = 0
            for _ in range(ROUNDS):
                best = max(best, await rate(pollable))
            results[(installed, pollable)] = best
    print("scheduler passes per second, 3 tasks on sleep_ms(0) (best of {})".format(ROUNDS))
    print("{:<34} {:>12} {:>12} {:>7}".format("", "asyncio step", "irqio step", "ratio"))
    for pollable, name in ((False, "nothing else waiting"), (True, "an asyncio.ThreadSafeFlag waits")):
        a, b = results[(False, pollable)], results[(True, pollable)]
        print("{:<34} {:>12} {:>12} {:>7.2f}".format(name, a, b, b / a))


asyncio.run(main())
