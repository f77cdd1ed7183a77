# Typical irqio code, as a user writes it: type-checked against stubs/irqio.pyi by
# mypy --strict (tests/test_stubs.py) and run on the board, so the stubs accept
# what the firmware accepts.
import asyncio
import struct

import irqio

SENSOR = 1
BUTTON = 2


def on_sample(ring: irqio.RingIO, frame: bytearray) -> bool:
    # What an interrupt handler does: one all-or-nothing write of a whole frame.
    return ring.write(frame) == len(frame)


async def flag_round_trip(flag: irqio.ThreadSafeFlag) -> int:
    flag.set()
    flag.set()
    waiter = asyncio.create_task(flag.wait())
    await waiter
    stamp = flag.timestamp
    assert stamp is None or isinstance(stamp, int)
    return flag.count


async def ring_round_trip() -> bytes:
    ring = irqio.RingIO(16, overflow=irqio.RingIO.REJECT)
    frame = bytearray(b"\xa5\x01\x02\x03")
    assert on_sample(ring, frame)
    ring.write(b"xyz", 2)
    ring.write(b"0123456789", 4, 2)
    buf = bytearray(4)
    got = ring.readinto(buf)
    rest = ring.read()
    assert got == 4 and rest is not None
    assert ring.free() == ring.capacity - ring.any()
    ring.close()
    dropped: int = ring.reset_stats()
    return bytes(buf) + rest + b"|" + str(dropped).encode() + str(ring.closed).encode()


async def events_round_trip() -> list[str]:
    es = irqio.EventStream(8, overflow=irqio.EventStream.OVERWRITE_OLDEST)
    fire = es.handler(BUTTON)
    es.post(SENSOR, 1234)
    fire()
    tag, value, t_us = await es.get()
    out = [f"get {tag} {value} {type(t_us).__name__}"]
    es.post(SENSOR, -5)
    packed = es.read(es.RECORD_SIZE)
    assert packed is not None
    ptag, pvalue, _ = struct.unpack("<HxxiI", packed)
    out.append(f"packed {ptag} {pvalue}")

    def on_sensor(tag: int, value: int, t_us: int) -> None:
        out.append(f"sensor {value}")

    async def on_button(tag: int, value: int, t_us: int) -> None:
        await asyncio.sleep(0)
        out.append(f"button {value}")

    es.post(SENSOR, 7)
    es.post(BUTTON, 1)
    es.close()
    count = await es.dispatch({SENSOR: on_sensor, BUTTON: on_button})
    out.append(f"dispatched {count} dropped {es.dropped} high {es.high_water}")
    return out


async def async_for(es: irqio.EventStream) -> int:
    total = 0
    async for tag, value, t_us in es:
        total += value
    return total


async def main() -> None:
    print("flag", await flag_round_trip(irqio.ThreadSafeFlag()))
    print("ring", await ring_round_trip())
    for line in await events_round_trip():
        print(line)
    es = irqio.EventStream(4)
    es.post(3, 40)
    es.post(3, 2)
    es.close()
    print("async for", await async_for(es))
    print("version", irqio.__version__)


asyncio.run(main())
