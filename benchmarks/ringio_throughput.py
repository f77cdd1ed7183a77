# Bytes per second through asyncio.StreamReader: irqio.RingIO vs micropython.RingIO,
# side by side in one run of the same firmware.
#
#   build/unix/micropython benchmarks/ringio_throughput.py [megabytes] [size,size,...]
#
# With a list of record sizes (bytes, up to 256), also measures each size after the
# main table, one line per size and ring: `sweep <size> <ring> <MB/s>`.
#
# A producer task writes 64-byte chunks as fast as the ring takes them (yielding
# when it is full); a consumer task reads through StreamReader.read(256). Rounds
# alternate between the two rings so machine noise hits both alike.
import asyncio
import sys
import time

import micropython
import irqio

MEGABYTES = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
SWEEP = [int(v) for v in sys.argv[2].split(",")] if len(sys.argv) > 2 else []
TOTAL = int(MEGABYTES * 1024 * 1024) // 64 * 64
ROUNDS = 4
CAPACITY = 1024


async def transfer(ring, size=64):
    chunk = bytes(range(size))
    total = TOTAL // size * size
    received = [0]

    async def consume():
        reader = asyncio.StreamReader(ring)
        while received[0] < total:
            data = await reader.read(256)
            received[0] += len(data)

    consumer = asyncio.create_task(consume())
    t0 = time.ticks_us()
    sent = 0
    while sent < total:
        n = ring.write(chunk)
        sent += n
        if n < len(chunk):
            # Full: this much of the chunk was refused; resend it after yielding.
            if n:
                chunk = chunk[n:] + chunk[:n]
            await asyncio.sleep(0)
    await consumer
    return time.ticks_diff(time.ticks_us(), t0)


async def main():
    makers = {
        "micropython.RingIO": lambda: micropython.RingIO(CAPACITY),
        "irqio.RingIO": lambda: irqio.RingIO(CAPACITY),
    }
    elapsed = {name: 0 for name in makers}
    for _ in range(ROUNDS):
        for name, make in makers.items():
            elapsed[name] += await transfer(make())
    print("bytes per second through StreamReader ({} MiB x {} rounds, ring {} B)".format(MEGABYTES, ROUNDS, CAPACITY))
    rate = {}
    for name in makers:
        rate[name] = TOTAL * ROUNDS / (elapsed[name] / 1e6)
        print("  {:20s} {:8.1f} MB/s".format(name, rate[name] / 1e6))
    print("  irqio / upstream: {:.2f}x".format(rate["irqio.RingIO"] / rate["micropython.RingIO"]))
    for size in SWEEP:
        elapsed = {name: 0 for name in makers}
        for _ in range(ROUNDS):
            for name, make in makers.items():
                elapsed[name] += await transfer(make(), size)
        for name in makers:
            print("sweep {} {} {:.3f}".format(size, name, TOTAL // size * size * ROUNDS / elapsed[name]))


asyncio.run(main())
