#!/usr/bin/env bash
# The whole test suite: set-up, Rust checks and host tests of the portable core,
# then the MicroPython-level tests through pytest on each tier:
#   unix     the unix firmware;
#   rp2emu   the RP2 firmware (RPI_PICO) on an emulated Pico;
#   qemu     the qemu port on Cortex-M0 (MICROBIT) and RV32IMC (VIRT_RV32);
#   targets  RP2350 (RPI_PICO2) firmware, every Rust target's library checked
#            against its firmware, and the size table (with the thumbv6m budget).
# Extra arguments go to pytest (e.g. -k flag); IRQIO_TIERS="unix qemu" picks tiers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

step() { printf '\n=== %s\n' "$*" >&2; }

step "set-up"
scripts/setup.sh
# shellcheck source=/dev/null
. .cache/env.sh

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (portable core, host)"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test (portable core, C header up to date)"
cargo test --quiet

step "unix firmware"
scripts/build-unix.sh

step "cargo clippy (binding layer, against the unix port's headers)"
MICROPY_DIR="$MICROPY_DIR" IRQIO_PORT_DIR="$MICROPY_DIR/ports/unix" \
    IRQIO_CFLAGS_FILE="$ROOT/build/unix/port/irqio-rust/cflags.txt" \
    cargo clippy --lib --quiet --features micropython --target-dir build/unix/clippy -- -D warnings

TIERS=${IRQIO_TIERS:-unix rp2emu qemu targets}
for tier in $TIERS; do
    case $tier in
        unix)
            step "MicroPython tests on the unix firmware (pytest)"
            "$IRQIO_VENV/bin/pytest" tests --board=unix "$@"
            ;;
        rp2emu)
            step "RP2 firmware (RPI_PICO)"
            scripts/build-rp2.sh
            step "MicroPython tests on the emulated Pico (pytest)"
            "$IRQIO_VENV/bin/pytest" tests --board=rp2emu "$@"
            ;;
        qemu)
            for board in MICROBIT VIRT_RV32; do
                step "qemu $board firmware"
                scripts/build-qemu.sh "$board"
                step "MicroPython tests on qemu $board (pytest)"
                "$IRQIO_VENV/bin/pytest" tests --board="qemu:$board" "$@"
            done
            ;;
        targets)
            step "every target: firmware, libraries, C and float ABI"
            scripts/build-rp2.sh
            BOARD=RPI_PICO2 scripts/build-rp2.sh
            scripts/build-qemu.sh MICROBIT
            scripts/build-qemu.sh VIRT_RV32
            scripts/check-targets.py
            step "size (flash budget: 8 KiB on thumbv6m)"
            size="$IRQIO_VENV/bin/python scripts/size-report.py"
            IRQIO_BASELINE=1 scripts/build-rp2.sh
            $size build/rp2/RPI_PICO/cmake/firmware.elf.map --label "rp2 RPI_PICO (thumbv6m)" \
                --budget 8192 --objects rp2emu \
                --baseline build/rp2/RPI_PICO-baseline/firmware.elf build/rp2/RPI_PICO/firmware.elf
            $size build/rp2/RPI_PICO2/cmake/firmware.elf.map --label "rp2 RPI_PICO2 (thumbv8m.main)"
            $size build/qemu/MICROBIT/firmware.map --label "qemu MICROBIT (thumbv6m)"
            $size build/qemu/VIRT_RV32/firmware.map --label "qemu VIRT_RV32 (riscv32imc)" \
                --objects qemu:VIRT_RV32
            ;;
        *)
            echo "unknown tier $tier" >&2
            exit 2
            ;;
    esac
done
