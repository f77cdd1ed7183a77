# Issue 11's API (priority wake, timeouts, allocation-free reads), as a user writes
# it: type-checked against stubs/irqio.pyi by mypy --strict (tests/test_stubs.py)
# and, once the firmware has it, run on the board.
import asyncio

import irqio


async def main() -> None:
    flag = irqio.ThreadSafeFlag()
    flag.set()
    await flag.wait(priority=True)
    flag.set()
    await flag.wait(timeout_ms=100)

    es = irqio.EventStream(8, priority=True)
    assert es.priority
    es.post(1, 10)
    es.post(2, 20)
    records = bytearray(4 * es.RECORD_SIZE)
    n: int = await es.get_into(records, timeout_ms=100)
    es.post(3, 30)
    tag, value, t_us = await es.get(priority=False, timeout_ms=100)
    es.close()
    dispatched = await es.dispatch({}, default=lambda tag, value, t_us: None, priority=True)

    ring = irqio.RingIO(32, overflow=irqio.RingIO.REJECT, priority=True)
    assert ring.priority
    ring.priority = False
    ring.write(b"abcd")
    buf = bytearray(8)
    got: int = await ring.areadinto(buf, priority=True, timeout_ms=100)
    print("records", n, "event", tag, value, "dispatched", dispatched, "ring", bytes(buf[:got]))


asyncio.run(main())
