"""The boards tests run on. Each has `name`, `capabilities` (what tests may ask for
with `@pytest.mark.requires(...)`) and `run(code, timeout=60) -> stdout`, which
raises MicroPythonError (carrying the board's output) if the code raised.

- UnixBoard: the unix-port firmware (build/unix/micropython).
- Rp2EmuBoard (rp2emu_board.py): the RP2 firmware on an emulated Pico.
- SerialBoard: a real board on a serial port, through mpremote's Python API.
"""

import os
import resource
import subprocess
import tempfile
from pathlib import Path

import pytest


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


class SerialBoard:
    """A real board on a serial port, e.g. a Raspberry Pi Pico at /dev/ttyACM0.

    Each run soft-resets the board and sends the script in raw-paste mode (mpremote's
    transport). Hard-IRQ tests expect GP2 wired to GP3 (a jumper), as on the
    emulated Pico.
    """

    name = "serial"
    capabilities = frozenset({"asyncio", "hard_irq", "timer"})

    def __init__(self, device):
        try:
            from mpremote.transport_serial import SerialTransport
        except ImportError:
            raise pytest.UsageError("--board=serial needs mpremote (scripts/setup.sh installs it)")
        self.device = device
        self._transport = SerialTransport(device, baudrate=115200)

    def run(self, code, timeout=60):
        t = self._transport
        t.enter_raw_repl(soft_reset=True)
        try:
            out, err = t.exec_raw(code, timeout=timeout)
        finally:
            t.exit_raw_repl()
        out = out.decode(errors="replace").replace("\r\n", "\n")
        if err:
            err = err.decode(errors="replace").replace("\r\n", "\n")
            raise MicroPythonError(f"the script raised\n--- stdout\n{out}\n--- stderr\n{err}")
        return out

    def close(self):
        self._transport.close()
