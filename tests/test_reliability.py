"""Nothing lost, nothing crashes: the faults and bad uses that a review found in the
firmware, each tried the way it was found (docs/reliability.md lists them with the
core's model checks, which prove the lock-free protocols themselves)."""

import pytest


@pytest.mark.requires("signal", "asyncio")
@pytest.mark.parametrize("kind", ["RingIO", "EventStream"])
def test_end_of_stream_comes_after_every_write_in_flight_at_close(board, kind):
    # Defect: while any write was in flight the reader saw nothing, so a reader that
    # closed and read to end of stream stopped with data still queued (1-3 rounds in
    # 300). Two native threads write flat out, truly in parallel, across the close.
    out = board.run(
        f"""
import asyncio, irqio, irqio_unix
RING = "{kind}" == "RingIO"
async def round_trip():
    obj = irqio.RingIO(4096, overflow=irqio.RingIO.REJECT) if RING else irqio.EventStream(256)
    irqio_unix.producers_start(obj, (0, 0), 8)
    await asyncio.sleep_ms(1)
    obj.close()  # writes in flight now must still be read
    got = 0
    if RING:
        reader = asyncio.StreamReader(obj)
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                break
            got += len(chunk)
        got //= 8
    else:
        async for event in obj:
            got += 1
    sent = sum(irqio_unix.producers_stop())  # they wrote on after the close: dropped
    dropped = obj.dropped // 8 if RING else obj.dropped
    return sent == got + dropped
async def main():
    lost = 0
    for i in range(300):
        lost += not await round_trip()
    print(lost)
asyncio.run(main())
""",
        timeout=180,
    )
    assert out == "0\n"


@pytest.mark.requires("fd")
def test_objects_made_and_dropped_by_the_hundred_thousand_never_run_out_of_descriptors(board):
    # Defect: each object holds an eventfd until collected, and nothing collected when
    # descriptors ran out: a flag per job (Hinch's Context.assign(), a Message per
    # unblock()) failed at about the file limit, then the process aborted at exit.
    out = board.run(
        """
import irqio
for make in (irqio.ThreadSafeFlag, lambda: irqio.RingIO(16), lambda: irqio.EventStream(2)):
    for i in range(100000):
        obj = make()
    print("ok")
""",
        max_open_files=256,
        timeout=300,
    )
    assert out == "ok\nok\nok\n"


@pytest.mark.requires("fd")
def test_live_objects_beyond_the_descriptor_limit_raise_emfile(board):
    # Defect: RingIO and EventStream raised OSError(0) (the shim read errno before the
    # call that set it).
    out = board.run(
        """
import irqio, gc
for make in (irqio.ThreadSafeFlag, lambda: irqio.RingIO(16), lambda: irqio.EventStream(2)):
    live = []
    try:
        while True:
            live.append(make())
    except OSError as e:
        print(e.errno, len(live) > 10)
    live = None
gc.collect()  # (LeakSanitizer, on the sanitizer tier, needs a descriptor at exit)
""",
        max_open_files=64,
    )
    assert out == "24 True\n" * 3


def test_print_and_json_into_a_ring_count_what_does_not_fit(board):
    # Defect: writes through the C stream protocol that did not fit were neither stored
    # nor counted.
    out = board.run(
        """
import irqio, json
r = irqio.RingIO(8)
print("0123456789", file=r, end="")
print(r.read(), r.dropped)
r = irqio.RingIO(8, overflow=irqio.RingIO.REJECT)
json.dump([1, 2, 3, 4], r)
stored = r.read()
print(stored, r.dropped, len(stored) + r.dropped == len(json.dumps([1, 2, 3, 4])))
r.close()
try:
    print("x", file=r)
except OSError as e:
    print("OSError", e.errno)
"""
    )
    assert out == "b'01234567' 2\nb'[1, 2, 3' 4 True\nOSError 32\n"


def test_any_write_to_a_closed_ring_raises_epipe(board):
    # Defect: write(b'') on a closed ring returned 0.
    out = board.run(
        """
import irqio
r = irqio.RingIO(8)
r.close()
for data in (b"", b"x"):
    try:
        r.write(data)
    except OSError as e:
        print("OSError", e.errno)
"""
    )
    assert out == "OSError 32\n" * 2


@pytest.mark.requires("asyncio", "signal")
def test_subclasses_work_wherever_their_base_class_does(board):
    # Defect: constructors accepted subclasses, but select.poll, StreamReader, the C API
    # and irqio_unix refused their instances.
    out = board.run(
        """
import asyncio, irqio, irqio_unix, select
class Flag(irqio.ThreadSafeFlag):
    pass
class Ring(irqio.RingIO):
    def label(self):
        return "ring"
class Stream(irqio.EventStream):
    pass
f, r, es = Flag(), Ring(64), Stream(4)
poller = select.poll()
for obj in (f, r, es):
    poller.register(obj, select.POLLIN)
print(len(poller.poll(0)))
f.set()
r.write(b"ab")
es.post(1, 2)
print(sorted(type(obj).__name__ for obj, ev in poller.poll(0)))
irqio_unix.signal_timer_start(r, 100, 8)  # the C API, as a driver's ISR
async def main():
    await f.wait()
    print(await asyncio.StreamReader(r).readexactly(2), (await es.get())[:2])
    await asyncio.sleep_ms(5)
    print(irqio_unix.signal_timer_stop() > 0, r.any() > 0, r.label())
asyncio.run(main())
"""
    )
    assert out == "0\n['Flag', 'Ring', 'Stream']\nb'ab' (1, 2)\nTrue True ring\n"


@pytest.mark.requires("asyncio")
@pytest.mark.parametrize("first, second", [("get", "reader"), ("reader", "get"), ("get", "get")])
def test_a_second_reader_is_refused_whichever_arrives_second(board, first, second):
    # Defect: a StreamReader arriving while get() waited silently took its place in
    # asyncio's IO queue, orphaning the get() task for good.
    out = board.run(
        f"""
import asyncio, irqio
es = irqio.EventStream(4)
def read(how):
    return es.get() if how == "get" else asyncio.StreamReader(es).read(12)
async def main():
    first = asyncio.create_task(read("{first}"))
    await asyncio.sleep_ms(10)
    try:
        await read("{second}")
    except RuntimeError as e:
        print("RuntimeError", e)
    es.post(5, 6)
    got = await first
    print(got[:2] if isinstance(got, tuple) else (got[0], got[4]))
asyncio.run(main())
"""
    )
    assert out == "RuntimeError another task is already waiting on this EventStream\n(5, 6)\n"


@pytest.mark.requires("asyncio")
def test_the_waiting_task_keeps_its_place_between_its_wake_up_and_its_turn(board):
    # Woken but not yet resumed, the waiting task still owns its get(): a second
    # get() then is refused, not handed the event; and a second task's get() that is
    # cancelled before it ever ran does not release the first task's claim.
    out = board.run(
        """
import asyncio, irqio
es = irqio.EventStream(4)
async def main():
    first = asyncio.create_task(es.get())
    await asyncio.sleep_ms(10)
    stray = asyncio.create_task(es.get())
    stray.cancel()
    await asyncio.sleep_ms(0)
    es.post(5, 6)
    await asyncio.sleep_ms(0)  # the poll wakes `first`; this task runs before it
    try:
        await es.get()
    except RuntimeError as e:
        print("RuntimeError", e)
    print((await first)[:2])
asyncio.run(main())
"""
    )
    assert out == "RuntimeError another task is already waiting on this EventStream\n(5, 6)\n"


@pytest.mark.requires("signal")
def test_stopping_the_signal_timer_never_pulls_the_target_from_a_running_handler(board):
    # Defect: irqio_unix's handler read its target after checking that the timer ran,
    # and a stop() on another thread could clear it in between (a NULL dereference).
    # Native threads give the handler other threads to land on.
    out = board.run(
        """
import irqio, irqio_unix
f = irqio.ThreadSafeFlag()
sink = irqio.ThreadSafeFlag()
irqio_unix.producers_start(sink, (0, 0), 8)
for i in range(2000):
    irqio_unix.signal_timer_start(f, 10)
    irqio_unix.signal_timer_stop()
irqio_unix.producers_stop()
print("ok")
"""
    )
    assert out == "ok\n"


@pytest.mark.requires("signal")
def test_an_overwrite_reader_is_never_starved_by_a_faster_interrupt(board):
    # Defect: an overwriting producer faster than one copy made the reader retry
    # forever. The reader now claims what it copies; each read returns at once.
    out = board.run(
        """
import irqio, irqio_unix, time
r = irqio.RingIO(4096, overflow=irqio.RingIO.OVERWRITE)
irqio_unix.producers_start(r, (0, 0), 8)
irqio_unix.signal_timer_start(r, 10, 8)
buf = bytearray(4096)
reads = 0
start = time.ticks_ms()
while time.ticks_diff(time.ticks_ms(), start) < 500:
    if r.readinto(buf):
        reads += 1
fired = irqio_unix.signal_timer_stop()
sent = sum(irqio_unix.producers_stop())
print(reads > 10)
"""
    )
    assert out == "True\n"
