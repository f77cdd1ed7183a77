"""The boards tests run on. Each has `name`, `capabilities` (what tests may ask for
with `@pytest.mark.requires(...)`) and `run(code, timeout=60) -> stdout`, which
raises MicroPythonError (carrying the board's output) if the code raised.

- UnixBoard: the unix-port firmware (build/unix/micropython).
- Rp2EmuBoard (rp2emu_board.py): the RP2 firmware on an emulated Pico.
- SerialBoard: a real board on a serial port, through mpremote's Python API.
- QemuBoard: the qemu port (build/qemu/BOARD/firmware.elf) on qemu-system-*, its UART
  on a pseudo-terminal, driven like a serial board.
"""

import os
import re
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


class QemuBoard(SerialBoard):
    """MicroPython's qemu port with irqio: MICROBIT (Cortex-M0, the RP2040's
    instruction set) or VIRT_RV32 (RV32IMC, the ESP32-C3's). The port has no time,
    select or asyncio module and no user interrupts: it runs the tests that need none.
    """

    capabilities = frozenset()
    MACHINES = {
        "MICROBIT": ["qemu-system-arm", "-machine", "microbit",
                     "-global", "nrf51-soc.flash-size=1048576", "-global", "nrf51-soc.sram-size=262144"],
        "VIRT_RV32": ["qemu-system-riscv32", "-machine", "virt", "-bios", "none"],
    }

    def __init__(self, board, elf=None):
        if board not in self.MACHINES:
            raise pytest.UsageError(f"qemu board must be one of {', '.join(self.MACHINES)}")
        self.name = f"qemu:{board}"
        elf = Path(elf) if elf else Path(__file__).resolve().parent.parent / "build" / "qemu" / board / "firmware.elf"
        if not elf.exists():
            raise pytest.UsageError(f"{elf} does not exist: run scripts/build-qemu.sh {board}")
        self._qemu = subprocess.Popen(
            self.MACHINES[board] + ["-nographic", "-monitor", "null", "-semihosting",
                                    "-serial", "pty", "-kernel", str(elf)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # qemu names the pseudo-terminal it made for the UART on its first line.
        line = self._qemu.stdout.readline()
        m = re.search(r"(/dev/pts/\d+)", line)
        if not m:
            self._qemu.kill()
            raise RuntimeError(f"qemu did not start: {line!r}")
        super().__init__(m.group(1))

    def close(self):
        try:
            super().close()
        finally:
            self._qemu.kill()
            self._qemu.wait()
