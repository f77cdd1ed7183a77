"""One pytest harness for every board irqio runs on.

Tests are written on the host (CPython) and send MicroPython code to a board:

    def test_something(board):
        assert board.run("print(1 + 1)") == "2\n"

`--board` picks where the code runs (boards.py):

- `unix` (default): the unix-port firmware at build/unix/micropython
  (or `unix:/path/to/micropython`);
- `rp2emu`: the RP2 firmware (build/rp2/RPI_PICO/firmware.uf2, or
  `rp2emu:/path/to/firmware.uf2`) on an emulated Pico, GPIO 2 wired to GPIO 3;
- `serial:/dev/ttyACM0`: a real board on a serial port (a Pico with a jumper
  from GP2 to GP3 for the hard-IRQ tests);
- `qemu:MICROBIT`, `qemu:VIRT_RV32`: the qemu port (build/qemu/BOARD/firmware.elf),
  for the tests that need no time, select or asyncio.

A test states what it needs with `@pytest.mark.requires("thread", ...)`; on a
board without it the test is skipped with the reason shown.
"""

import os
import re
from pathlib import Path

import pytest

from boards import MicroPythonError, QemuBoard, SerialBoard, UnixBoard  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parent.parent


_firmware = []  # the board's firmware file, once the board fixture has made it


def micropython_dir():
    """The MicroPython tree (for upstream's own tests, each version's copy):
    $MICROPY_DIR, else the one the board's firmware was built from (the build
    scripts leave its path in `micropython-dir` beside the firmware or one folder
    up), else the last one scripts/setup.sh fetched."""
    if os.environ.get("MICROPY_DIR"):
        return Path(os.environ["MICROPY_DIR"])
    for firmware in _firmware:
        for folder in (firmware.parent, firmware.parent.parent):
            if (folder / "micropython-dir").exists():
                return Path((folder / "micropython-dir").read_text().strip())
    env = ROOT / ".cache" / "env.sh"
    if env.exists():
        m = re.search(r'MICROPY_DIR="([^"]+)"', env.read_text())
        if m:
            return Path(m.group(1))
    raise RuntimeError("MICROPY_DIR unknown: run scripts/setup.sh")


def exception_of(board, code, setup="import irqio"):
    """What `code` raises on the board, as "TypeName message" ("no exception" if none)."""
    out = board.run(
        f"""
{setup}
try:
    {code}
    print("no exception")
except Exception as e:
    print(type(e).__name__, e)
"""
    )
    return out.rstrip("\n")


def pytest_addoption(parser):
    parser.addoption(
        "--board",
        default=os.environ.get("IRQIO_BOARD", "unix"),
        help="where tests run: unix[:path-to-micropython], rp2emu[:path-to-uf2], serial:DEVICE, "
        "qemu:MICROBIT|VIRT_RV32",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "requires(*capabilities): skip on boards without them")


def _default_firmware(spec):
    kind, _, arg = spec.partition(":")
    board_name, _, elf = arg.partition(":")
    defaults = {
        "unix": arg or ROOT / "build" / "unix" / "micropython",
        "rp2emu": arg or ROOT / "build" / "rp2" / "RPI_PICO" / "firmware.uf2",
        "qemu": elf or ROOT / "build" / "qemu" / board_name / "firmware.elf",
    }
    return Path(defaults[kind]) if kind in defaults else None


def pytest_report_header(config):
    firmware = _default_firmware(config.getoption("--board"))
    if firmware:
        _firmware.append(firmware)
        try:
            tree = micropython_dir()
        except RuntimeError:
            tree = "unknown"
        return f"firmware: {firmware.resolve()}, built from MicroPython tree {tree}"


@pytest.fixture(scope="session")
def board(request):
    spec = request.config.getoption("--board")
    kind, _, arg = spec.partition(":")
    _firmware[:] = [_default_firmware(spec)] if _default_firmware(spec) else []
    if kind == "unix":
        return UnixBoard(_firmware[0])
    if kind == "rp2emu":
        from rp2emu_board import Rp2EmuBoard

        board = Rp2EmuBoard(uf2=arg or None)
        request.addfinalizer(board.close)
        return board
    if kind == "qemu" and arg:
        board_name, _, elf = arg.partition(":")
        board = QemuBoard(board_name, elf or None)
        request.addfinalizer(board.close)
        return board
    if kind == "serial" and arg:
        board = SerialBoard(arg)
        request.addfinalizer(board.close)
        return board
    raise pytest.UsageError(f"unknown board {spec!r}")


@pytest.fixture(autouse=True)
def _check_requirements(request, board):
    marker = request.node.get_closest_marker("requires")
    if marker:
        missing = [c for c in marker.args if c not in board.capabilities]
        if missing:
            pytest.skip(f"board {board.name} lacks {', '.join(missing)}")
