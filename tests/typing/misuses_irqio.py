# Mistakes the stubs must catch: mypy --strict reports an error on each line marked
# "# error" and on no other (tests/test_stubs.py).
import irqio


async def mistakes() -> None:
    flag = irqio.ThreadSafeFlag()
    flag.set(1)  # error
    flag.wait()  # error
    flag.count = 3  # error
    stamp: int = flag.timestamp  # error

    ring = irqio.RingIO(64, irqio.RingIO.REJECT)
    ring.write("text")  # error
    data: bytes = ring.read()  # error
    ring.capacity = 10  # error
    ring.fill(b"x")  # error

    es = irqio.EventStream(16)
    es.post("button", 1)  # error
    tag, value = await es.get()  # error
    es.handler(1)(object(), 2)  # error
    await es.dispatch({1: print})
    await es.dispatch([lambda t, v, ts: None])  # error
    irqio.EventHandler  # error
