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
