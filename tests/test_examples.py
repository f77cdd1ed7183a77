"""The examples run as documented and do what they claim."""

import pytest

from conftest import ROOT


def example(name):
    return (ROOT / "examples" / name).read_text()


@pytest.mark.requires("asyncio", "sim_pin")
def test_debounce_example_reports_each_press_once(board):
    lines = board.run(example("debounce_button.py"), timeout=60).splitlines()
    presses = [line for line in lines if line.startswith("press ")]
    releases = [line for line in lines if line.startswith("release ")]
    assert len(presses) == 5 and len(releases) == 5, lines
    assert lines[-1] == "presses: 5 events dropped: 0"


@pytest.mark.requires("asyncio")
def test_datalogger_example_never_splits_a_frame_with_a_starved_reader(board):
    # A 1 kHz sampler (machine.Timer on a board, a thread on unix) writes 8-byte
    # frames into a REJECT ring; the reader stalls every 5 blocks, so frames are
    # dropped (and counted) but every frame read is whole and correct.
    lines = board.run(example("datalogger.py"), timeout=120).splitlines()
    assert lines[-1] == "ok", lines
    dropped = int(lines[0].split("dropped: ")[1])
    assert dropped > 0, lines


@pytest.mark.requires("asyncio")
def test_isr_flag_example_loses_no_interrupt_while_the_task_is_slow(board):
    # Hinch's ISR + ThreadSafeFlag template (a hard Pin.irq driven by PWM on a board,
    # a thread on unix): however many interrupts coalesce into one wake, the counts
    # of all wakes add up to the interrupts the handler saw.
    lines = board.run(example("isr_flag.py"), timeout=120).splitlines()
    assert lines[-1] == "ok", lines
    interrupts = int(lines[1].split()[1])
    assert interrupts >= 200, lines  # at least one per wake


@pytest.mark.requires("asyncio")
def test_event_callbacks_example_hands_every_event_to_its_callback_in_order(board):
    # A pin interrupt and a timer feed one EventStream through native handlers;
    # dispatch() runs ordinary (and coroutine) callbacks for each event until a
    # callback closes the stream: every event is handled, each source in order.
    lines = board.run(example("event_callbacks.py"), timeout=120).splitlines()
    assert lines[-1] == "ok", lines
    summary = lines[-2].split()
    handled, ticks, edges = int(summary[2]), int(summary[4]), int(summary[7])
    assert ticks >= 40 and edges > 0 and handled == ticks + edges, lines
    assert any(line.startswith("press 1 held ") for line in lines), lines


@pytest.mark.requires("asyncio", "signal", "thread")
def test_threadsafeflag_demo_counts_every_set_from_a_signal_handler_and_a_thread(board):
    # A POSIX timer's signal handler (through the C API) and a thread set one flag;
    # the consumer's counts add up to every set() call.
    lines = board.run(example("threadsafeflag_demo.py"), timeout=60).splitlines()
    assert lines[-1].endswith("(nothing lost)"), lines
