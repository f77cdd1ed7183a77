#!/usr/bin/env python3
"""irqio's size in a firmware: flash (text + rodata) and static RAM (data + bss) of
the Rust library and the C shim, read from the firmware's linker map, so only what
the final link kept counts.

    scripts/size-report.py MAP [--label NAME] [--budget BYTES] [--ceiling BYTES]
                           [--objects BOARD] [--baseline BASE.elf FIRMWARE.elf]

With --baseline, also prints how much bigger the firmware is than the same firmware
without irqio: the module's whole footprint, its code plus what it adds elsewhere
(QSTRs of its names, the frozen EventStream.dispatch, the module table entry). With
--budget, reports whether that footprint (without --baseline: irqio's own flash) is
within it, and exits non-zero above it, or above --ceiling when one is given (a
target that is missed and said so, with a guard against further growth). With
--objects, also
measures the heap each kind of object takes on a board of the test harness
(tests/boards.py: rp2emu, qemu:MICROBIT, qemu:VIRT_RV32, unix, serial:DEVICE), as
gc.mem_alloc() sees it: whole GC blocks, storage included.
"""

import argparse
import collections
import re
import sys
from pathlib import Path

# What one object of each kind costs on the heap; storage is given as "+ n" beyond
# the object itself (rounded to the GC's blocks).
OBJECTS_SCRIPT = """
import gc, irqio
def heap(make):
    gc.collect()
    before = gc.mem_alloc()
    keep = make()
    used = gc.mem_alloc() - before
    return used
es = irqio.EventStream(1)
rows = (
    ("ThreadSafeFlag()", heap(lambda: irqio.ThreadSafeFlag()), 0),
    ("RingIO(256)", heap(lambda: irqio.RingIO(256)), 256),
    ("EventStream(32)", heap(lambda: irqio.EventStream(32)), 32 * 12),
    ("EventStream.handler(tag)", heap(lambda: es.handler(1)), 0),
)
for name, used, storage in rows:
    print("%s|%d|%d" % (name, used, storage))
"""

ALLOC = (".text", ".rodata", ".srodata", ".data", ".sdata", ".bss", ".sbss")
RAM = (".data", ".sdata", ".bss", ".sbss")


def irqio_part(path):
    """'rust', 'c' or None for an input file named in the map."""
    # The library's members, or (make ports' cross builds) the one object they are
    # partially linked into.
    if "libirqio" in path or path.endswith("irqio_rust.o"):
        return "rust"
    if "/src/c/" in path or "irqio_port" in path or "irqio_sim" in path:
        return "c"
    return None


def sections(map_text):
    """(section, address, size, input file) for every input section in the map."""
    body = map_text[map_text.find("Linker script and memory map"):]
    pending = None  # a section name alone on its line: the numbers follow on the next
    for line in body.splitlines():
        m = re.match(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m:
            pending = None
            yield m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
            continue
        m = re.match(r"^ (\.\S+)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and pending:
            yield pending, int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        pending = None


def measure(map_text):
    sizes = collections.Counter()
    for name, address, size, path in sections(map_text):
        part = irqio_part(path)
        if part is None or size == 0 or address == 0 or not name.startswith(ALLOC):
            continue
        sizes[(part, "ram" if name.startswith(RAM) else "flash")] += size
    return sizes


def flash_of_elf(path):
    """Bytes of flash an ELF image occupies (text + data initialisers), per `size`."""
    import subprocess

    with open(path, "rb") as f:
        machine = int.from_bytes(f.read(20)[18:20], "little")  # ELF e_machine
    tool = "arm-none-eabi-size" if machine == 40 else "riscv64-unknown-elf-size"
    out = subprocess.run([tool, path], capture_output=True, text=True, check=True).stdout
    text, data = out.splitlines()[1].split()[:2]
    return int(text) + int(data)


def open_board(spec):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import boards

    kind, _, arg = spec.partition(":")
    if kind == "rp2emu":
        from rp2emu_board import Rp2EmuBoard

        return Rp2EmuBoard(uf2=arg or None)
    if kind == "qemu":
        return boards.QemuBoard(*arg.split(":", 1))
    if kind == "serial":
        return boards.SerialBoard(arg)
    return boards.UnixBoard(arg or Path(__file__).resolve().parent.parent / "build" / "unix" / "micropython")


def print_objects(spec):
    board = open_board(spec)
    try:
        out = board.run(OBJECTS_SCRIPT)
    finally:
        if hasattr(board, "close"):
            board.close()
    print(f"  heap per object on {spec} (gc.mem_alloc, whole GC blocks):")
    for line in out.splitlines():
        name, used, storage = line.split("|")
        used, storage = int(used), int(storage)
        detail = f"object {used - storage} + storage {storage}" if storage else "object"
        print(f"    {name:26s} {used:6d} bytes  ({detail})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("map")
    ap.add_argument("--label", default="")
    ap.add_argument("--budget", type=int,
                    help="flash budget in bytes: the whole footprint with --baseline, else irqio's own flash")
    ap.add_argument("--ceiling", type=int,
                    help="fail above this many bytes (default: the budget); the budget line still reports OVER")
    ap.add_argument("--objects", metavar="BOARD", help="measure the heap per object on this board")
    ap.add_argument("--baseline", nargs=2, metavar=("BASE_ELF", "FIRMWARE_ELF"),
                    help="the same firmware without irqio, and with it")
    args = ap.parse_args()
    sizes = measure(open(args.map).read())
    flash = sizes[("rust", "flash")] + sizes[("c", "flash")]
    ram = sizes[("rust", "ram")] + sizes[("c", "ram")]
    label = args.label or args.map
    print(f"irqio in {label}")
    print(f"  {'':12s} {'flash (text+rodata)':>20s} {'static RAM (data+bss)':>22s}")
    for part, name in (("rust", "Rust library"), ("c", "C shim")):
        print(f"  {name:12s} {sizes[(part, 'flash')]:>20d} {sizes[(part, 'ram')]:>22d}")
    print(f"  {'total':12s} {flash:>20d} {ram:>22d}")
    budgeted, what = flash, "irqio's flash"
    if args.baseline:
        base, with_irqio = (flash_of_elf(p) for p in args.baseline)
        budgeted, what = with_irqio - base, "whole footprint"
        print(f"  whole firmware, with irqio minus without: {budgeted} bytes of flash")
    if args.objects:
        print_objects(args.objects)
    if args.budget is not None:
        verdict = "within" if budgeted <= args.budget else "OVER"
        print(f"  flash budget {args.budget} bytes ({what}): {verdict} ({budgeted * 100 // args.budget}%)")
    limit = args.ceiling if args.ceiling is not None else args.budget
    if limit is not None and budgeted > limit:
        print(f"  FAIL: {budgeted} bytes is above the ceiling of {limit}")
        sys.exit(1)


if __name__ == "__main__":
    main()
