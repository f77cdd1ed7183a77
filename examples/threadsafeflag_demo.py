# irqio.ThreadSafeFlag demo (unix port).
#
# An interrupt-like producer, a POSIX timer signal handler feeding the flag through
# irqio's C API (as a C driver's ISR would on a device), fires at 2 kHz, and a
# thread adds bursts. An asyncio task waits on the flag and reports, every half
# second: how many set() calls arrived, in how many wakes (the rest were coalesced,
# and counted, while the task was busy), and the wake latency measured from the
# flag's own timestamp of the first set() of each wake.
#
#   build/unix/micropython examples/threadsafeflag_demo.py [seconds]
import asyncio
import sys
import time
import _thread

import irqio
import irqio_unix

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3
TIMER_PERIOD_US = 500  # 2 kHz "interrupt"

flag = irqio.ThreadSafeFlag()
thread_sets = [0]


def burst_producer(stop_at):
    # Another thread: a burst of 50 set() calls every 100 ms.
    while time.ticks_diff(stop_at, time.ticks_ms()) > 0:
        for _ in range(50):
            flag.set()
        thread_sets[0] += 50
        time.sleep_ms(100)


async def busy_neighbour():
    # Another task that sometimes hogs the loop, so sets pile up and coalesce.
    while True:
        await asyncio.sleep_ms(70)
        t0 = time.ticks_ms()
        while time.ticks_diff(time.ticks_ms(), t0) < 5:
            pass


total = [0]


async def consumer(stop_at):
    events = wakes = 0
    max_count = 0
    latencies = []
    window = time.ticks_add(time.ticks_ms(), 500)
    print("{:>6} {:>8} {:>6} {:>10} {:>12} {:>10}".format("t(s)", "events", "wakes", "max/wake", "median(us)", "max(us)"))
    start = time.ticks_ms()
    while time.ticks_diff(stop_at, time.ticks_ms()) > 0:
        await flag.wait()
        now = time.ticks_us()
        events += flag.count
        total[0] += flag.count
        wakes += 1
        max_count = max(max_count, flag.count)
        latencies.append(time.ticks_diff(now, flag.timestamp))
        if time.ticks_diff(time.ticks_ms(), window) >= 0:
            latencies.sort()
            print(
                "{:>6.1f} {:>8} {:>6} {:>10} {:>12} {:>10}".format(
                    time.ticks_diff(time.ticks_ms(), start) / 1000,
                    events, wakes, max_count, latencies[len(latencies) // 2], latencies[-1],
                )
            )
            events = wakes = max_count = 0
            latencies = []
            window = time.ticks_add(window, 500)


async def main():
    stop_at = time.ticks_add(time.ticks_ms(), int(SECONDS * 1000))
    _thread.start_new_thread(burst_producer, (stop_at,))
    neighbour = asyncio.create_task(busy_neighbour())
    irqio_unix.signal_timer_start(flag, TIMER_PERIOD_US)
    await consumer(stop_at)
    fired = irqio_unix.signal_timer_stop()
    neighbour.cancel()
    await asyncio.sleep_ms(150)  # let the burst thread finish
    if flag.is_set():
        await flag.wait()
        total[0] += flag.count
    produced = fired + thread_sets[0]
    print("set() calls: {} from the signal handler + {} from the thread = {}".format(fired, thread_sets[0], produced))
    print("counted by the consumer: {} ({})".format(total[0], "nothing lost" if total[0] == produced else "MISMATCH"))


asyncio.run(main())
