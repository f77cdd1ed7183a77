# "Something happened": an interrupt handler sets an irqio.ThreadSafeFlag and an
# asyncio task waits on it, the pattern Peter Hinch's asyncio tutorial recommends
# for interfacing interrupts with asyncio:
#
#     def isr(pin):          # hard IRQ: no allocation, keep it short
#         flag.set()
#
#     async def handle():
#         while True:
#             await flag.wait()
#             ...            # anything goes here: allocate, print, await
#
# With irqio's flag the task is woken at once (not at the next poll sweep), and the
# flag tells it what upstream's cannot: how many interrupts came in since the last
# wake (`count`, several set() calls coalesce into one wake while the task is busy)
# and when the first of them fired (`timestamp`).
#
# The task below is sometimes slow (it blocks the loop for 20 ms), so interrupts
# pile up; the totals show that none is lost: the counts of all wakes add up to
# the interrupts the handler saw.
#
# On a board: a hard Pin.irq on GP3, driven by 500 Hz PWM on GP2 (put a jumper from
# GP2 to GP3, or use your own data-ready pin). On the unix port (no GPIO) a thread
# calls the handler at 500 Hz instead.
#
#   build/unix/micropython examples/isr_flag.py [wakes]
import asyncio
import sys
import time

import irqio

WAKES = int(sys.argv[1]) if len(sys.argv) > 1 else 200
RATE_HZ = 500

flag = irqio.ThreadSafeFlag()
interrupts = [0]  # a list, so the handler allocates nothing


def isr(_pin=None):
    interrupts[0] += 1
    flag.set()


def start_interrupts():
    # Returns a function that stops them.
    try:
        from machine import PWM, Pin

        source = PWM(Pin(2), freq=RATE_HZ, duty_u16=32768)
        Pin(3, Pin.IN).irq(isr, Pin.IRQ_RISING, hard=True)

        def stop():
            source.deinit()
            Pin(3, Pin.IN).irq(None)

        return stop
    except ImportError:
        import _thread

        running = [True]

        def ticker():
            while running[0]:
                time.sleep_us(1_000_000 // RATE_HZ)
                isr()
            running.append("done")

        _thread.start_new_thread(ticker, ())

        def stop():
            running[0] = False
            while "done" not in running:
                time.sleep_ms(1)

        return stop


async def handle(wakes):
    seen = most = 0
    for n in range(wakes):
        await flag.wait()
        seen += flag.count
        most = max(most, flag.count)
        if n % 50 == 25:
            time.sleep_ms(20)  # a slow step: interrupts coalesce meanwhile
    return seen, most


async def main():
    stop = start_interrupts()
    seen, most = await handle(WAKES)
    stop()
    if flag.is_set():  # interrupts after the last wake above
        await flag.wait()
        seen += flag.count
    print("wakes:", WAKES, "most interrupts in one wake:", most)
    print("interrupts:", interrupts[0], "counted by the task:", seen)
    print("ok" if seen == interrupts[0] else "LOST")


asyncio.run(main())
