"""One pytest harness for every board irqio runs on.

Tests are written on the host (CPython) and send MicroPython code to a board:

    def test_something(board):
        assert board.run("print(1 + 1)") == "2\n"

`--board` picks where the code runs:

- `unix` (default): the unix-port firmware at build/unix/micropython
  (or `unix:/path/to/micropython`).

A test states what it needs with `@pytest.mark.requires("thread", ...)`; on a
board without it the test is skipped with the reason shown.
"""

import os
import re
import resource
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def micropython_dir():
    """The MicroPython tree (for upstream's own tests)."""
    if os.environ.get("MICROPY_DIR"):
        return Path(os.environ["MICROPY_DIR"])
    env = ROOT / ".cache" / "env.sh"
    if env.exists():
        m = re.search(r'MICROPY_DIR="([^"]+)"', env.read_text())
        if m:
            return Path(m.group(1))
    raise RuntimeError("MICROPY_DIR unknown: run scripts/setup.sh")


class MicroPythonError(AssertionError):
    """The code raised on the board; carries the board's output."""


class UnixBoard:
    name = "unix"
    # What tests may ask for: OS threads, POSIX signal sources (irqio_unix's timer),
    # pollable fds, irqio_unix.SimPin standing in for machine.Pin.
    capabilities = frozenset({"thread", "signal", "fd", "asyncio", "sim_pin"})

    def __init__(self, exe):
        self.exe = Path(exe)
        if not self.exe.exists():
            raise pytest.UsageError(f"{self.exe} does not exist: run scripts/build-unix.sh")

    def run(self, code, timeout=60, max_open_files=None):
        """Runs `code` as a script; returns its stdout, raises MicroPythonError if it failed.

        `max_open_files` lowers the process's file limit (RLIMIT_NOFILE) for the run.
        """

        def limit():
            if max_open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))

        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(code)
            path = f.name
        try:
            proc = subprocess.run(
                [str(self.exe), path],
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "MICROPYPATH": ".frozen"},
                preexec_fn=limit,
            )
        finally:
            os.unlink(path)
        if proc.returncode != 0:
            raise MicroPythonError(
                f"exit status {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
            )
        return proc.stdout


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
        help="where tests run: unix[:path-to-micropython]",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "requires(*capabilities): skip on boards without them")


@pytest.fixture(scope="session")
def board(request):
    spec = request.config.getoption("--board")
    kind, _, arg = spec.partition(":")
    if kind == "unix":
        return UnixBoard(arg or ROOT / "build" / "unix" / "micropython")
    raise pytest.UsageError(f"unknown board {spec!r}")


@pytest.fixture(autouse=True)
def _check_requirements(request, board):
    marker = request.node.get_closest_marker("requires")
    if marker:
        missing = [c for c in marker.args if c not in board.capabilities]
        if missing:
            pytest.skip(f"board {board.name} lacks {', '.join(missing)}")
