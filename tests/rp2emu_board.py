"""An emulated Raspberry Pi Pico as a test board (rp2040js, tools/rp2emu/).

    board = Rp2EmuBoard()                 # build/rp2/RPI_PICO/firmware.uf2, wire GPIO 2 -> 3
    assert board.run("print(1 + 1)") == "2\\n"

Same contract as UnixBoard.run in boards.py: `run(code, timeout)` returns the
script's stdout ("\\n" line ends) and raises MicroPythonError (an AssertionError)
carrying the output when the script raised; a script that outlives `timeout`
(wall-clock seconds) raises subprocess.TimeoutExpired, like subprocess.run.

One emulator process serves every run: each script starts after a soft reset
(Ctrl-D in the raw REPL), so runs do not see each other's objects, IRQ handlers
or pin settings. The emulator's wires (an output GPIO driving an input GPIO)
stay; by default GPIO 2 drives GPIO 3, so `Pin(2, Pin.OUT)` toggles raise real
`Pin(3).irq(...)` interrupts (on a real Pico: a jumper between GP2 and GP3).

Needs node and `npm ci` in tools/rp2emu (scripts/setup-rp2.sh does both), the
firmware (scripts/build-rp2.sh) and the RP2040 boot ROM image
(RP2040_BOOTROM, default ../shared/rp2040/bootrom-b1.bin beside the repository).
"""

import atexit
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

from boards import MicroPythonError

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tools" / "rp2emu" / "rp2emu.mjs"


class EmulatorError(RuntimeError):
    """The emulator itself failed (did not start, died, or broke the protocol)."""


class Rp2EmuBoard:
    name = "rp2emu"
    # Hard IRQs (Pin.irq(hard=True)) in real interrupt context, machine.Timer
    # (soft callbacks in rp2 1.25), asyncio. One core only: no _thread.
    capabilities = frozenset({"asyncio", "hard_irq", "timer"})

    def __init__(self, uf2=None, bootrom=None, wires=((2, 3),), node=None, start_timeout=60):
        self.uf2 = Path(uf2) if uf2 else ROOT / "build" / "rp2" / "RPI_PICO" / "firmware.uf2"
        self.bootrom = bootrom or os.environ.get("RP2040_BOOTROM")
        self.wires = tuple(wires)
        self.node = node or shutil.which("node") or "node"
        self.start_timeout = start_timeout
        self._proc = None
        self._lines = None
        self._next_id = 0
        self.stderr_tail = []  # the emulator's own diagnostics, last lines
        if not self.uf2.exists():
            raise FileNotFoundError(f"{self.uf2} does not exist: run scripts/build-rp2.sh")
        if not (RUNNER.parent / "node_modules" / "rp2040js").exists():
            raise FileNotFoundError("rp2040js is not installed: run scripts/setup-rp2.sh")
        atexit.register(self.close)

    # --- process -------------------------------------------------------------------
    def _start(self):
        cmd = [self.node, str(RUNNER), "--control", "--uf2", str(self.uf2)]
        if self.bootrom:
            cmd += ["--bootrom", str(self.bootrom)]
        for a, b in self.wires:
            cmd += ["--wire", f"{a}:{b}"]
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._lines = _LineReader(self._proc.stdout)
        threading.Thread(target=self._drain_stderr, args=(self._proc,), daemon=True).start()
        ready = self._read(self.start_timeout, "start")
        if ready.get("event") != "ready":
            raise EmulatorError(f"unexpected first message {ready!r}")

    def _drain_stderr(self, proc):
        for line in proc.stderr:
            self.stderr_tail = (self.stderr_tail + [line.rstrip("\n")])[-20:]

    def _read(self, timeout, what):
        line = self._lines.get(timeout)
        if line is _LineReader.TIMEOUT:
            self._kill()
            raise subprocess.TimeoutExpired(f"rp2emu {what}", timeout)
        if line is None:
            self._kill()
            raise EmulatorError(f"rp2emu exited during {what}:\n" + "\n".join(self.stderr_tail))
        return json.loads(line)

    def _request(self, op, wait=30, **args):
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        self._next_id += 1
        msg = {"id": self._next_id, "op": op, **args}
        try:
            self._proc.stdin.write(json.dumps(msg) + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            self._kill()
            raise EmulatorError("rp2emu is gone:\n" + "\n".join(self.stderr_tail)) from None
        while True:
            reply = self._read(wait, op)
            if reply.get("id") == self._next_id:
                break
        if not reply.get("ok"):
            raise EmulatorError(f"rp2emu {op}: {reply.get('error')}")
        return reply

    def _kill(self):
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def close(self):
        if self._proc is not None and self._proc.poll() is None:
            try:
                self._proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    # --- the board contract -----------------------------------------------------------
    def run(self, code, timeout=60):
        """Runs `code` as a script; returns its stdout, raises MicroPythonError if it failed."""
        # The runner enforces `timeout` itself (Ctrl-C, else reboot); the margin
        # here only catches a runner that stopped answering.
        reply = self._request("run", wait=timeout + 40, code=code, timeout=timeout)
        self.last_virtual_us = reply.get("virtual_us")
        if reply["timed_out"]:
            raise subprocess.TimeoutExpired("rp2emu run", timeout, output=reply["stdout"], stderr=reply["stderr"])
        if reply["stderr"]:
            raise MicroPythonError(f"the script raised\n--- stdout\n{reply['stdout']}\n--- stderr\n{reply['stderr']}")
        return reply["stdout"]

    # --- extras for tests that drive pins from the host ------------------------------------
    def wire(self, src, dst):
        """From now on GPIO `dst` reads what GPIO `src` drives (kept across runs)."""
        self._request("wire", **{"from": src, "to": dst})
        self.wires = tuple(set(self.wires) | {(src, dst)})

    def unwire(self, src=None, dst=None):
        args = {k: v for k, v in (("from", src), ("to", dst)) if v is not None}
        self._request("unwire", **args)
        self.wires = tuple(w for w in self.wires if not ((src in (None, w[0])) and (dst in (None, w[1]))))

    def set_input(self, pin, value):
        """Drives GPIO `pin`'s input level from the host (raises its IRQ if armed)."""
        self._request("set", pin=pin, value=int(bool(value)))

    def reboot(self):
        """Power-cycles the emulated board (fresh flash)."""
        self._request("reboot")


class _LineReader:
    """Lines from a pipe with a timeout (a thread reads, a queue hands over)."""

    TIMEOUT = object()

    def __init__(self, stream):
        import queue

        self._queue = queue.Queue()
        self._empty = queue.Empty
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def get(self, timeout):
        try:
            return self._queue.get(timeout=timeout)
        except self._empty:
            return self.TIMEOUT
