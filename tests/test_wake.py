"""Waking the waiting task: priority, timeouts that lose nothing, no allocation.

A priority wake runs the woken task next, after the running task yields, ahead of
tasks already due; a timed wait never takes an event it does not deliver; and once
warm, a consumer loop allocates nothing per event.
"""

import pytest

# Three tasks that yield with sleep_ms(0), so that tasks are always due; `trigger`
# wakes the waiter from a task; the log shows who ran after the trigger.
ORDER = """
import asyncio, irqio
log = []
stop = False
async def busy(i):
    while not stop:
        await asyncio.sleep_ms(0)
        log.append(i)
async def waiter(wait):
    await wait()
    log.append('W')
async def run(wait, trigger):
    global stop
    stop = False
    log.clear()
    tasks = [asyncio.create_task(busy(i)) for i in range(3)]
    w = asyncio.create_task(waiter(wait))
    await asyncio.sleep_ms(5)
    trigger()
    log.append('T')
    await w
    stop = True
    await asyncio.sleep_ms(1)
    after = log[log.index('T') + 1:]
    return after[:after.index('W') + 1]
"""


def ran_before_the_waiter(board, setup, wait, trigger):
    """How many busy tasks ran between the trigger and the waiter (priority, then not)."""
    out = board.run(
        ORDER
        + setup
        + f"""
async def main():
    for prio in (True, False):
        print(len(await run(lambda: {wait}, lambda: {trigger})) - 1)
asyncio.run(main())
"""
    )
    return [int(n) for n in out.split()]


CASES = {
    "flag": ("f = irqio.ThreadSafeFlag()", "f.wait(priority=prio)", "f.set()"),
    "get": ("es = irqio.EventStream(4)", "es.get(priority=prio)", "es.post(1)"),
    "get_into": (
        "es = irqio.EventStream(4); buf = bytearray(24)",
        "es.get_into(buf, priority=prio)",
        "es.post(1)",
    ),
    "anext": (
        "es = irqio.EventStream(4)\nasync def first():\n    async for e in es:\n        return e",
        "(setattr(es, 'priority', prio), first())[1]",
        "es.post(1)",
    ),
    "areadinto": (
        "r = irqio.RingIO(16); buf = bytearray(4)",
        "r.areadinto(buf, priority=prio)",
        "r.write(b'x')",
    ),
    "StreamReader": (
        "r = irqio.RingIO(16); buf = bytearray(4)",
        "(setattr(r, 'priority', prio), asyncio.StreamReader(r).readinto(buf))[1]",
        "r.write(b'x')",
    ),
}


@pytest.mark.requires("asyncio")
@pytest.mark.parametrize("case", CASES)
def test_a_priority_wake_runs_next_and_an_ordinary_one_after_the_due_tasks(board, case):
    with_priority, without = ran_before_the_waiter(board, *CASES[case])
    assert with_priority == 0
    assert without == 3


@pytest.mark.requires("asyncio")
def test_dispatch_with_priority_runs_the_callback_next(board):
    out = board.run(
        ORDER
        + """
async def round(prio):
    global stop
    stop = False
    log.clear()
    es = irqio.EventStream(4)
    def cb(tag, value, t):
        log.append('W')
        es.close()
    tasks = [asyncio.create_task(busy(i)) for i in range(3)]
    d = asyncio.create_task(es.dispatch({1: cb}, priority=prio))
    await asyncio.sleep_ms(5)
    es.post(1)
    log.append('T')
    await d
    stop = True
    await asyncio.sleep_ms(1)
    after = log[log.index('T') + 1:]
    print(after.index('W'))
async def main():
    await round(True)
    await round(False)
asyncio.run(main())
"""
    )
    assert out.split() == ["0", "3"]


@pytest.mark.requires("asyncio")
def test_the_priority_attribute_and_keyword(board):
    out = board.run(
        """
import irqio
print(irqio.RingIO(8).priority, irqio.RingIO(8, priority=True).priority)
print(irqio.EventStream(2).priority, irqio.EventStream(2, priority=True).priority)
es = irqio.EventStream(2)
es.priority = 1
print(es.priority)
es.priority = False
print(es.priority)
"""
    )
    assert out.split() == ["False", "True", "False", "True", "True", "False"]


@pytest.mark.requires("asyncio")
def test_several_priority_sources_all_run_before_the_due_tasks(board):
    out = board.run(
        ORDER
        + """
flags = [irqio.ThreadSafeFlag() for _ in range(3)]
async def one(i):
    await flags[i].wait(priority=True)
    log.append('P%d' % i)
async def main():
    tasks = [asyncio.create_task(busy(i)) for i in range(3)]
    waiters = [asyncio.create_task(one(i)) for i in range(3)]
    await asyncio.sleep_ms(5)
    for f in flags:
        f.set()
    log.append('T')
    for w in waiters:
        await w
    global stop
    stop = True
    after = log[log.index('T') + 1:]
    print(sorted(after[:3]))
asyncio.run(main())
"""
    )
    assert out == "['P0', 'P1', 'P2']\n"


@pytest.mark.requires("asyncio")
@pytest.mark.parametrize("pairs", [1, 2])
def test_priority_sources_faster_than_their_tasks_leave_the_others_turns(board, pairs):
    # Pairs of priority tasks wake each other for ever; an ordinary task still gets
    # turns (a priority wake right after a priority task ran queues as ordinary).
    out = board.run(
        f"""
import asyncio, irqio
turns = {{'prio': 0, 'other': 0}}
async def ping(mine, other):
    while True:
        await mine.wait(priority=True)
        turns['prio'] += 1
        other.set()
async def ordinary():
    while True:
        await asyncio.sleep_ms(0)
        turns['other'] += 1
async def main():
    tasks = [asyncio.create_task(ordinary())]
    for _ in range({pairs}):
        a, b = irqio.ThreadSafeFlag(), irqio.ThreadSafeFlag()
        tasks += [asyncio.create_task(ping(a, b)), asyncio.create_task(ping(b, a))]
        a.set()
    while turns['prio'] < 600:
        await asyncio.sleep_ms(0)
    print(turns['prio'], turns['other'])
asyncio.run(main())
"""
    )
    pings, others = (int(n) for n in out.split())
    assert others * (2 * pairs + 1) >= pings * 0.9, out


@pytest.mark.requires("asyncio")
def test_a_writer_fills_a_ring_while_a_task_awaits_areadinto(board):
    # A StreamWriter waiting for room is not turned away by the waiting reader.
    out = board.run(
        """
import asyncio, irqio
r = irqio.RingIO(8)
async def writer():
    w = asyncio.StreamWriter(r)
    for i in range(15):
        w.write(b'%08d' % i)
        await w.drain()
async def main():
    asyncio.create_task(writer())
    buf = bytearray(8)
    got = b''
    while len(got) < 120:
        n = await r.areadinto(buf)
        got += buf[:n]
    print(got == b''.join(b'%08d' % i for i in range(15)))
asyncio.run(main())
"""
    )
    assert out == "True\n"


@pytest.mark.requires("asyncio")
def test_cancelling_a_priority_timed_wait_leaves_the_event_for_the_next(board):
    out = board.run(
        """
import asyncio, irqio
es = irqio.EventStream(4)
async def main():
    t = asyncio.create_task(es.get(priority=True, timeout_ms=10000))
    await asyncio.sleep_ms(5)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('cancelled')
    es.post(7)
    print(await es.get(priority=True, timeout_ms=10000))
    await asyncio.sleep_ms(1)
    es.post(8)
    print((await es.get())[:2])
asyncio.run(main())
"""
    )
    lines = out.splitlines()
    assert lines[0] == "cancelled"
    assert lines[1].startswith("(7, 0,")
    assert lines[2] == "(8, 0)"


TIMEOUT_CASES = {
    "flag": ("f = irqio.ThreadSafeFlag()", "f.wait(timeout_ms=T)", "f.set()", "f.is_set()"),
    "get": ("es = irqio.EventStream(4)", "es.get(timeout_ms=T)", "es.post(5)", "es.any()"),
    "get_into": (
        "es = irqio.EventStream(4); buf = bytearray(12)",
        "es.get_into(buf, timeout_ms=T)",
        "es.post(5)",
        "es.any()",
    ),
    "areadinto": (
        "r = irqio.RingIO(8); buf = bytearray(4)",
        "r.areadinto(buf, timeout_ms=T)",
        "r.write(b'z')",
        "r.any()",
    ),
}


@pytest.mark.requires("asyncio")
@pytest.mark.parametrize("case", TIMEOUT_CASES)
def test_a_timed_wait_raises_timeout_error_and_takes_nothing(board, case):
    setup, wait, produce, pending = TIMEOUT_CASES[case]
    out = board.run(
        f"""
import asyncio, irqio, time
{setup}
async def main():
    T = 5
    try:
        await {wait}
        print('no timeout')
    except asyncio.TimeoutError:
        print('timeout')
    # Produced before the deadline but seen with it, in the same scheduler pass: the
    # wait delivers it (it is not taken and dropped with a TimeoutError).
    T = 10
    async def late():
        await asyncio.sleep_ms(0)
        {produce}
        time.sleep_ms(30)
    asyncio.create_task(late())
    try:
        await {wait}
        print('delivered')
    except asyncio.TimeoutError:
        print('lost', {pending})
    print(bool({pending}))
asyncio.run(main())
"""
    )
    assert out.split() == ["timeout", "delivered", "False"]


@pytest.mark.requires("asyncio")
def test_timeouts_in_a_loop_lose_no_event(board):
    # A producer posts at random moments; the consumer waits with a 1 ms timeout:
    # every event posted is received, none dropped, whatever the races.
    out = board.run(
        """
import asyncio, irqio, random
es = irqio.EventStream(64)
async def producer(n):
    for i in range(n):
        es.post(1, i)
        await asyncio.sleep_ms(random.choice((0, 0, 1, 2)))
    es.close()
async def main():
    asyncio.create_task(producer(400))
    got, timeouts = [], 0
    while True:
        try:
            tag, value, t = await es.get(priority=True, timeout_ms=1)
            got.append(value)
        except asyncio.TimeoutError:
            timeouts += 1
        except EOFError:
            break
    print(got == list(range(400)), es.dropped, timeouts > 0)
asyncio.run(main())
"""
    )
    assert out.split() == ["True", "0", "True"]


@pytest.mark.requires("asyncio")
def test_bad_wait_arguments_are_refused(board):
    # Buffers are checked when the wait is awaited (and on every poll after: a
    # buffer emptied while its task waits is refused, not read as end of stream).
    out = board.run(
        """
import asyncio, irqio
f = irqio.ThreadSafeFlag()
es = irqio.EventStream(2)
r = irqio.RingIO(8)
async def shrunk():
    buf = bytearray(4)
    async def empty():
        await asyncio.sleep_ms(5)
        buf[:] = b''
        r.write(b'x')
    asyncio.create_task(empty())
    await r.areadinto(buf)
async def main():
    for call in (lambda: f.wait(timeout_ms=-1), lambda: f.wait(timeout_ms=1 << 70),
                 lambda: es.get_into(bytearray(11)), lambda: r.areadinto(bytearray(0)),
                 shrunk, lambda: es.get_into(b'read-only buffer'), lambda: f.wait(1),
                 lambda: f.wait(prio=True)):
        try:
            await call()
            print('accepted')
        except Exception as e:
            print(type(e).__name__)
asyncio.run(main())
"""
    )
    assert out.split() == ["ValueError"] * 5 + ["TypeError"] * 3


# Once warm, each consumer path allocates nothing per event: gc.mem_alloc() is the
# same before and after 100 events (a producer task feeds it; it allocates nothing).
ALLOC_CASES = {
    "flag, blocking": ("f = irqio.ThreadSafeFlag()", "await f.wait(priority=P)", "f.set()", True),
    "flag, already set": ("f = irqio.ThreadSafeFlag()", "f.set(); await f.wait(priority=P)", "pass", False),
    "get_into": (
        "es = irqio.EventStream(8); buf = bytearray(12)",
        "await es.get_into(buf, priority=P)",
        "es.post(1, 2)",
        True,
    ),
    "get_into, timed": (
        "es = irqio.EventStream(8); buf = bytearray(12)",
        "await es.get_into(buf, priority=P, timeout_ms=1000)",
        "es.post(1, 2)",
        True,
    ),
    "areadinto": (
        "r = irqio.RingIO(64); buf = bytearray(8)",
        "await r.areadinto(buf, priority=P)",
        "r.write(b'12345678')",
        True,
    ),
}


@pytest.mark.requires("asyncio")
@pytest.mark.parametrize("case", ALLOC_CASES)
def test_a_warm_consumer_allocates_nothing_per_event(board, case):
    setup, consume, produce, needs_producer = ALLOC_CASES[case]
    out = board.run(
        f"""
import asyncio, irqio, gc
{setup}
async def producer():
    while True:
        await asyncio.sleep_ms(0)
        {produce}
async def consume(P):
    for _ in range(20):
        {consume}
    gc.collect()
    before = gc.mem_alloc()
    for _ in range(100):
        {consume}
    return gc.mem_alloc() - before
async def main():
    if {needs_producer}:
        asyncio.create_task(producer())
    for P in (False, True):
        print(await consume(P))
asyncio.run(main())
"""
    )
    assert out.split() == ["0", "0"]


# Installs irqio's scheduler step on the loop's IO queue before an upstream test runs
# (a wait that blocks once), so the test then runs on it.
STEP_PRELUDE = """
import asyncio as _a, irqio as _i
_f = _i.ThreadSafeFlag()
async def _install():
    async def _s():
        await _a.sleep_ms(0)
        _f.set()
    _a.create_task(_s())
    await _f.wait()
_a.run(_install())
assert 'wait_io_event' in _a.core._io_queue.__dict__
del _a, _i, _f, _install
"""


def upstream_asyncio_tests():
    from conftest import micropython_dir

    return sorted(p.name for p in (micropython_dir() / "tests" / "extmod").glob("asyncio_*.py"))


@pytest.mark.requires("asyncio", "fd")
@pytest.mark.parametrize("name", upstream_asyncio_tests())
def test_upstream_asyncio_tests_run_alike_on_the_native_step(board, name):
    from conftest import micropython_dir

    source = (micropython_dir() / "tests" / "extmod" / name).read_text()
    try:
        plain = board.run(source, timeout=30)
    except Exception as e:  # the same failure is expected with the step installed
        plain = f"failed: {type(e).__name__}"
    try:
        stepped = board.run(STEP_PRELUDE + source, timeout=30)
    except Exception as e:
        stepped = f"failed: {type(e).__name__}"
    assert stepped == plain
