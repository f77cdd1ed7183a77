"""irqio.ThreadSafeFlag: a drop-in for asyncio.ThreadSafeFlag that wakes the loop."""

import pytest

from conftest import MicroPythonError, exception_of, micropython_dir


@pytest.mark.requires("asyncio")
def test_upstream_threadsafeflag_test_passes_unchanged(board):
    tests = micropython_dir() / "tests" / "extmod"
    source = (tests / "asyncio_threadsafeflag.py").read_text()
    expected = (tests / "asyncio_threadsafeflag.py.exp").read_text()
    assert source.count("asyncio.ThreadSafeFlag()") == 1
    source = "import irqio\n" + source.replace("asyncio.ThreadSafeFlag()", "irqio.ThreadSafeFlag()")
    assert board.run(source) == expected


def test_set_clear_and_is_set(board):
    out = board.run(
        """
import irqio
f = irqio.ThreadSafeFlag()
print(f.is_set())
f.set()
print(f.is_set())
f.clear()
print(f.is_set())
"""
    )
    assert out.split() == ["False", "True", "False"]


@pytest.mark.requires("asyncio")
def test_wait_returns_at_once_when_set_and_clears_the_flag(board):
    out = board.run(
        """
import asyncio, irqio
async def main():
    f = irqio.ThreadSafeFlag()
    f.set()
    await f.wait()
    print(f.is_set())
asyncio.run(main())
"""
    )
    assert out == "False\n"


@pytest.mark.requires("asyncio")
def test_count_reports_set_calls_coalesced_into_one_wake(board):
    out = board.run(
        """
import asyncio, irqio
async def main():
    f = irqio.ThreadSafeFlag()
    print(f.count, f.timestamp)
    for _ in range(3):
        f.set()
    await f.wait()
    print(f.count)
    f.set()
    await f.wait()
    print(f.count)
asyncio.run(main())
"""
    )
    assert out.split() == ["0", "None", "3", "1"]


@pytest.mark.requires("asyncio")
def test_timestamp_is_ticks_us_of_the_first_set_since_the_last_wake(board):
    out = board.run(
        """
import asyncio, irqio, time
f = irqio.ThreadSafeFlag()
before = time.ticks_us()
f.set()
after = time.ticks_us()
time.sleep_ms(5)
f.set()
async def main():
    await f.wait()
    print(time.ticks_diff(f.timestamp, before) >= 0, time.ticks_diff(after, f.timestamp) >= 0)
asyncio.run(main())
"""
    )
    assert out == "True True\n"


@pytest.mark.requires("asyncio")
def test_clear_discards_pending_sets(board):
    out = board.run(
        """
import asyncio, irqio
async def main():
    f = irqio.ThreadSafeFlag()
    f.set()
    f.clear()
    try:
        await asyncio.wait_for(f.wait(), 0.02)
    except asyncio.TimeoutError:
        print("timeout")
asyncio.run(main())
"""
    )
    assert out == "timeout\n"


@pytest.mark.requires("asyncio")
def test_a_second_waiting_task_gets_an_exception_and_the_first_still_wakes(board):
    out = board.run(
        """
import asyncio, irqio
async def waiter(name, f):
    try:
        await f.wait()
        print(name, "woke")
    except RuntimeError as e:
        print(name, "RuntimeError:", e)
async def main():
    f = irqio.ThreadSafeFlag()
    first = asyncio.create_task(waiter("first", f))
    await asyncio.sleep_ms(0)
    second = asyncio.create_task(waiter("second", f))
    await asyncio.sleep_ms(0)
    f.set()
    await first
    await second
asyncio.run(main())
"""
    )
    assert out.splitlines() == [
        "second RuntimeError: another task is already waiting on this ThreadSafeFlag",
        "first woke",
    ]


@pytest.mark.requires("asyncio")
def test_wait_works_as_a_task_and_with_wait_for_and_cancel(board):
    out = board.run(
        """
import asyncio, irqio
async def main():
    f = irqio.ThreadSafeFlag()
    try:
        await asyncio.wait_for(f.wait(), 0.02)
    except asyncio.TimeoutError:
        print("timeout")
    t = asyncio.create_task(f.wait())
    await asyncio.sleep_ms(5)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled")
    # A cancelled waiter leaves nothing behind: a new one waits and wakes.
    t = asyncio.create_task(f.wait())
    await asyncio.sleep_ms(5)
    f.set()
    await asyncio.wait_for(t, 1)
    print("woke", f.count)
asyncio.run(main())
"""
    )
    assert out.split() == ["timeout", "cancelled", "woke", "1"]


def test_ioctl_reports_readiness_like_upstream(board):
    out = board.run(
        """
import irqio
f = irqio.ThreadSafeFlag()
MP_STREAM_POLL, POLLIN = 3, 1
print(f.ioctl(MP_STREAM_POLL, POLLIN))
f.set()
print(f.ioctl(MP_STREAM_POLL, POLLIN))
"""
    )
    assert out.split() == ["0", "1"]


def test_set_allocates_nothing(board):
    out = board.run(
        """
import irqio, micropython
f = irqio.ThreadSafeFlag()
def run():  # locals only: a new module-level global could grow the globals dict
    micropython.heap_lock()
    for _ in range(1000):
        f.set()
    f.clear()
    f.set()
    return micropython.heap_unlock()
n = run()
print(f.is_set(), n)
"""
    )
    assert out == "True 0\n"


@pytest.mark.requires("fd")
def test_flag_is_a_real_file_descriptor_that_poll_blocks_on(board):
    out = board.run(
        """
import irqio, select, _thread, time
f = irqio.ThreadSafeFlag()
MP_STREAM_GET_FILENO = 10
print(f.ioctl(MP_STREAM_GET_FILENO, 0) >= 0)
p = select.poll()
p.register(f, select.POLLIN)
print(p.poll(0))
def later():
    time.sleep_ms(30)
    f.set()
_thread.start_new_thread(later, ())
ready = p.poll(5000)
print(len(ready), ready[0][0] is f, ready[0][1] & select.POLLIN)
"""
    )
    assert out.splitlines() == ["True", "[]", "1 True 1"]


@pytest.mark.requires("fd")
def test_collected_flags_release_their_file_descriptors(board):
    # 3000 flags with a limit of 256 open files: only works if the finaliser closes them.
    out = board.run(
        """
import irqio, gc
for i in range(3000):
    f = irqio.ThreadSafeFlag()
    if i % 64 == 0:
        gc.collect()
print("ok")
""",
        max_open_files=256,
    )
    assert out == "ok\n"


@pytest.mark.requires("thread")
def test_thread_producer_loses_no_set_calls(board):
    out = board.run(
        """
import asyncio, irqio, _thread, time
N = 20000
f = irqio.ThreadSafeFlag()
done = []
def producer():
    for i in range(N):
        f.set()
        if i % 64 == 0:
            time.sleep_us(20)
    done.append(True)
async def main():
    _thread.start_new_thread(producer, ())
    total = wakes = 0
    while not done or f.is_set():
        try:
            await asyncio.wait_for_ms(f.wait(), 200)
        except asyncio.TimeoutError:
            continue
        total += f.count
        wakes += 1
    print(total, wakes > 1)
asyncio.run(main())
"""
    )
    assert out == "20000 True\n"


@pytest.mark.requires("signal")
def test_signal_handler_producer_loses_no_set_calls(board):
    # A POSIX timer's signal handler calls the C API (irqio_flag_set) asynchronously,
    # like a hard IRQ: every firing is accounted for in the coalesced counts.
    out = board.run(
        """
import asyncio, irqio, irqio_unix
f = irqio.ThreadSafeFlag()
async def main():
    irqio_unix.signal_timer_start(f, 200)
    total = wakes = 0
    while wakes < 300:
        await f.wait()
        total += f.count
        wakes += 1
    fired = irqio_unix.signal_timer_stop()
    if f.is_set():
        await f.wait()
        total += f.count
    print(fired == total, fired >= 300)
asyncio.run(main())
"""
    )
    assert out == "True True\n"


@pytest.mark.parametrize(
    "code, error",
    [
        ("irqio.ThreadSafeFlag(1)", "TypeError"),
        ("irqio.ThreadSafeFlag(x=1)", "TypeError"),
        ("irqio.ThreadSafeFlag().set(1)", "TypeError"),
        ("irqio.ThreadSafeFlag().count = 3", "AttributeError"),
        ("irqio.ThreadSafeFlag().timestamp = 3", "AttributeError"),
        ("irqio.ThreadSafeFlag().ioctl(99, 0)", "OSError"),
        ("irqio.ThreadSafeFlag.set(None)", "TypeError"),
    ],
)
def test_bad_input_raises_a_clear_exception(board, code, error):
    assert exception_of(board, code).split(" ")[0] == error


@pytest.mark.requires("signal")
def test_signal_timer_rejects_bad_targets(board):
    out = board.run(
        """
import irqio_unix
for args in (("x", 100), (None, 100)):
    try:
        irqio_unix.signal_timer_start(*args)
    except TypeError:
        print("TypeError")
"""
    )
    assert out.split() == ["TypeError", "TypeError"]


def test_board_errors_are_reported(board):
    with pytest.raises(MicroPythonError):
        board.run("raise ValueError('boom')")
