#!/usr/bin/env python3
"""irqio's library for every bare-metal Rust target it supports here, checked against
the firmware that links it.

    scripts/check-targets.py

Needs the firmware built first (scripts/build-rp2.sh for RPI_PICO and RPI_PICO2,
scripts/build-qemu.sh for VIRT_RV32). For each target:

- the library: the one the firmware build made, or (riscv32imac, which no firmware
  here uses) cross-compiled now against the qemu RV32 port's headers;
- C ABI: every function declared in include/irqio.h is defined in it;
- float ABI: Arm objects pass floats as the firmware does (the VFP-arguments build
  attribute), RISC-V objects have the firmware's ELF ABI flags (soft-float, RVC);
- link: where a firmware exists, the entry points its C shim calls are in it.

Exits non-zero on any mismatch.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
# The builds checked: the default versions' unless scripts/test.sh names others.
RP2 = Path(os.environ.get("IRQIO_RP2_BUILD", BUILD / "rp2"))
QEMU = Path(os.environ.get("IRQIO_QEMU_BUILD", BUILD / "qemu"))


def env_micropy_dir():
    if os.environ.get("MICROPY_DIR"):
        return os.environ["MICROPY_DIR"]
    m = re.search(r'MICROPY_DIR="([^"]+)"', (ROOT / ".cache" / "env.sh").read_text())
    return m.group(1)


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def declared_functions():
    header = (ROOT / "include" / "irqio.h").read_text()
    return sorted(set(re.findall(r"^[A-Za-z_][\w \*]*?\b(irqio_\w+)\(", header, re.M)))


def defined_symbols(nm, path):
    out = run(nm, "--defined-only", str(path))
    return {line.split()[-1] for line in out.splitlines() if re.match(r"^[0-9a-f]+ [TtDdRrBb] ", line)}


def arm_vfp_args(readelf, path):
    """The Tag_ABI_VFP_args values in an object or archive (absent: base AAPCS)."""
    out = run(readelf, "-A", str(path))
    values = set(re.findall(r"Tag_ABI_VFP_args: (.+)", out))
    return values or {"AAPCS (soft-float arguments)"}


def riscv_abi_flags(readelf, path):
    out = run(readelf, "-h", str(path))
    flags = set()
    for line in re.findall(r"Flags:\s+(.+)", out):
        flags.add(", ".join(part.strip() for part in line.split(",")[1:]))
    return flags


def build_riscv32imac(micropy_dir):
    """The library for riscv32imac, against the qemu RV32 port's headers and flags."""
    port_build = QEMU / "VIRT_RV32" / "port" / "irqio-rust"
    out = BUILD / "targets" / "riscv32imac"
    cflags = (port_build / "cflags.txt").read_text().replace("-march=rv32imc", "-march=rv32imac")
    out.mkdir(parents=True, exist_ok=True)
    (out / "cflags.txt").write_text(cflags)
    env = dict(os.environ, MICROPY_DIR=micropy_dir, IRQIO_PORT_DIR=f"{micropy_dir}/ports/qemu",
               IRQIO_CFLAGS_FILE=str(out / "cflags.txt"), IRQIO_CC="riscv64-unknown-elf-gcc",
               CARGO_PROFILE_RELEASE_OPT_LEVEL="z")
    run("cargo", "rustc", "--quiet", "--manifest-path", str(ROOT / "Cargo.toml"), "--release", "--lib",
        "--crate-type", "staticlib", "--features", "micropython", "--target", "riscv32imac-unknown-none-elf",
        "--target-dir", str(out / "target"), env=env)
    return out / "target" / "riscv32imac-unknown-none-elf" / "release" / "libirqio.a"


def main():
    micropy_dir = env_micropy_dir()
    arm = ("arm-none-eabi-nm", "arm-none-eabi-readelf")
    rv = ("riscv64-unknown-elf-nm", "riscv64-unknown-elf-readelf")
    targets = [
        ("thumbv6m-none-eabi", "RP2040, rp2 RPI_PICO", arm,
         RP2 / "RPI_PICO" / "cmake" / "irqio-rust" / "libirqio.a", RP2 / "RPI_PICO" / "firmware.elf"),
        ("thumbv8m.main-none-eabi", "RP2350 Arm, rp2 RPI_PICO2", arm,
         RP2 / "RPI_PICO2" / "cmake" / "irqio-rust" / "libirqio.a", RP2 / "RPI_PICO2" / "firmware.elf"),
        ("riscv32imc-unknown-none-elf", "ESP32-C3 ISA, qemu VIRT_RV32", rv,
         QEMU / "VIRT_RV32" / "port" / "irqio-rust" / "libirqio.a", QEMU / "VIRT_RV32" / "firmware.elf"),
        ("riscv32imac-unknown-none-elf", "ESP32-C6, RP2350 RISC-V (library only)", rv, None, None),
    ]
    functions = declared_functions()
    failed = False
    print(f"C API: {len(functions)} functions declared in include/irqio.h")
    print(f"  {'target':30s} {'for':40s} {'C API':>6s}  {'float ABI (library = firmware)':40s} linked")
    for triple, what, (nm, readelf), lib, firmware in targets:
        if lib is None:
            lib = build_riscv32imac(micropy_dir)
        if not lib.exists() or (firmware and not firmware.exists()):
            print(f"  {triple:30s} {what:40s} missing: build the firmware first")
            failed = True
            continue
        missing = [f for f in functions if f not in defined_symbols(nm, lib)]
        if readelf.startswith("arm"):
            lib_abi = arm_vfp_args(readelf, lib)
            fw_abi = arm_vfp_args(readelf, firmware) if firmware else lib_abi
        else:
            lib_abi = riscv_abi_flags(readelf, lib)
            fw_abi = riscv_abi_flags(readelf, firmware) if firmware else {"RVC, soft-float ABI"}
        abi_ok = lib_abi == fw_abi
        linked = "-"
        if firmware:
            in_fw = defined_symbols(nm, firmware)
            # What the module's own C shim calls (the rest of the C API is kept only
            # when a driver calls it: --gc-sections).
            used = ("irqio_flag_set", "irqio_ring_py_write", "irqio_events_py_post", "irqio_events_pop")
            linked = "yes" if all(f in in_fw for f in used) else "NO"
        api = "ok" if not missing else f"{len(missing)} missing"
        abi = f"{'/'.join(sorted(lib_abi))}" + ("" if abi_ok else f" != {'/'.join(sorted(fw_abi))}")
        print(f"  {triple:30s} {what:40s} {api:>6s}  {abi:40s} {linked}")
        failed |= bool(missing) or not abi_ok or linked == "NO"
        for f in missing:
            print(f"    missing: {f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
