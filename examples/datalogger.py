# The classic data logger: a 1 kHz timer interrupt samples a sensor into an
# irqio.RingIO as 8-byte frames; an asyncio task reads blocks of 100 frames with
# StreamReader.readexactly and checks every frame.
#
# Frame: 0xA5 (start of frame), an 8-bit counter, then three 16-bit readings
# (little-endian) from a simulated sensor, each a function of the counter so the
# reader can check it. The ring refuses a frame that does not fit whole
# (overflow=REJECT) and counts it, so even a starved reader never sees a split or
# shifted frame: frames written = frames read + frames dropped.
#
# On a board this runs from machine.Timer; on the unix port (no machine.Timer) a
# thread ticks at 1 kHz instead.
#
#   build/unix/micropython examples/datalogger.py [seconds]
import asyncio
import sys
import time

import irqio

FRAME = 8
BLOCK = 100  # frames per read
SOF = 0xA5
SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
STARVE_EVERY = 5  # blocks; then the reader stalls for longer than the ring lasts
STARVE_MS = 150

ring = irqio.RingIO(64 * FRAME, overflow=irqio.RingIO.REJECT)
frame = bytearray(FRAME)
ticks = [0, 0]  # frames offered, frames stored: a list, so the handler allocates nothing


def readings(count):
    # The "sensor": three 16-bit values derived from the 8-bit frame counter.
    return (count * 0x0101) & 0xFFFF, (count * 3 + 7) & 0xFFFF, 0xFFFF - count


def sample(_timer=None):
    # Interrupt context: fills a preallocated frame, one all-or-nothing write.
    count = ticks[0] & 0xFF
    a = (count * 0x0101) & 0xFFFF
    b = (count * 3 + 7) & 0xFFFF
    c = 0xFFFF - count
    frame[0] = SOF
    frame[1] = count
    frame[2] = a & 0xFF
    frame[3] = a >> 8
    frame[4] = b & 0xFF
    frame[5] = b >> 8
    frame[6] = c & 0xFF
    frame[7] = c >> 8
    ticks[1] += ring.write(frame) // FRAME
    ticks[0] += 1


def start_sampling():
    try:
        from machine import Timer

        timer = Timer(freq=1000, mode=Timer.PERIODIC, callback=sample)
        return timer.deinit
    except ImportError:
        import _thread

        running = [True]

        def ticker():
            next_at = time.ticks_us()
            while running[0]:
                next_at = time.ticks_add(next_at, 1000)
                delay = time.ticks_diff(next_at, time.ticks_us())
                if delay > 0:
                    time.sleep_us(delay)
                sample()

        _thread.start_new_thread(ticker, ())

        def stop():
            running[0] = False
            time.sleep_ms(5)

        return stop


def check(block, stats):
    for off in range(0, len(block), FRAME):
        if block[off] != SOF:
            stats["bad"] += 1
            continue
        count = block[off + 1]
        a = block[off + 2] | block[off + 3] << 8
        b = block[off + 4] | block[off + 5] << 8
        c = block[off + 6] | block[off + 7] << 8
        if (a, b, c) != readings(count):
            stats["bad"] += 1
        stats["frames"] += 1


async def main(seconds):
    reader = asyncio.StreamReader(ring)
    stats = {"frames": 0, "bad": 0}
    stop = start_sampling()
    t0 = time.ticks_ms()
    blocks = 0
    while time.ticks_diff(time.ticks_ms(), t0) < seconds * 1000:
        check(await reader.readexactly(BLOCK * FRAME), stats)
        blocks += 1
        if blocks % STARVE_EVERY == 0:
            await asyncio.sleep_ms(STARVE_MS)  # a busy consumer: the ring overflows
    stop()
    while ring.any() >= FRAME:
        check(await reader.readexactly(FRAME), stats)
    offered, stored = ticks
    dropped = ring.dropped // FRAME
    print("frames offered:", offered, "read:", stats["frames"], "dropped:", dropped)
    print("bad frames:", stats["bad"], "leftover bytes:", ring.any(), "dropped bytes % 8:", ring.dropped % FRAME)
    print("ok" if stats["bad"] == 0 and offered == stats["frames"] + dropped and stored == stats["frames"] else "FAILED")


asyncio.run(main(SECONDS))
