"""A bounded soak on the unix firmware: native threads, Python threads and a signal
handler nested inside them all feed one object while asyncio consumes it, for every
object and policy; nothing may be torn, repeated, reordered or lost uncounted
(tests/mpy/soak.py says how). `scripts/soak.sh MINUTES` runs the same for longer;
IRQIO_SOAK_SECONDS sets the time per case here (default 8)."""

import os
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parent / "mpy" / "soak.py"
CASES = [
    "ring-truncate",
    "ring-reject",
    "ring-overwrite",
    "events-drop-newest",
    "events-overwrite-oldest",
    "flag",
]


def soak_script(seconds, cases):
    return f"SECONDS = {seconds}\nCASES = {cases!r}\n" + SOAK.read_text()


@pytest.mark.requires("thread", "signal")
@pytest.mark.parametrize("case", CASES)
def test_every_record_is_received_once_in_order_or_counted(board, case):
    seconds = int(os.environ.get("IRQIO_SOAK_SECONDS", "8"))
    out = board.run(soak_script(seconds, [case]), timeout=seconds * 4 + 60)
    print(out)
    assert out.rstrip().endswith("ok"), out
