#!/usr/bin/env bash
# Builds MicroPython's qemu port with irqio for one board, to
# build/qemu-<version>/$BOARD/firmware.elf (build/qemu/ for the default version;
# scripts/lib-version.sh: MICROPY_VERSION, MICROPY_DIR):
#
#   scripts/build-qemu.sh MICROBIT     # Cortex-M0: the RP2040's instruction set (thumbv6m)
#   scripts/build-qemu.sh VIRT_RV32    # RV32IMC: the ESP32-C3's (riscv32imc)
#
# These boards run irqio's synchronous tests (tests/boards.py: --board=qemu:BOARD)
# and give the RISC-V size figures. The heap is a Pico's (200 KiB, as RP2040's
# MicroPython has) instead of the port's 140 KiB, so the same tests fit. Runs scripts/setup-qemu.sh first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BOARD=${1:?usage: build-qemu.sh MICROBIT|VIRT_RV32}
# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_QEMU"
"$ROOT/scripts/setup-qemu.sh"
# shellcheck source=/dev/null
. "$ROOT/.cache/env-$MP_LABEL.sh"

case $BOARD in
    MICROBIT) RUST_TARGET=thumbv6m-none-eabi; EXTRA=() ;;
    # rv32imc, the ESP32-C3's ISA: no atomic instructions, so irqio's critical-
    # section path runs. ISA spec 2.2 (csr instructions in the base ISA) lets GCC 12
    # pick a 32-bit multilib from Debian's toolchain, which has none for "_zicsr".
    VIRT_RV32) RUST_TARGET=riscv32imc-unknown-none-elf; EXTRA=("RV32_ARCH=rv32imc -misa-spec=2.2") ;;
    *) echo "unknown board $BOARD (MICROBIT or VIRT_RV32)" >&2; exit 2 ;;
esac

JOBS=${JOBS:-2}
QEMU_BUILD=$(mp_build_dir "$ROOT" qemu)
echo "$MICROPY_DIR" >"$QEMU_BUILD/micropython-dir"
OUT=$QEMU_BUILD/$BOARD
mkdir -p "$OUT" "$ROOT/build/usermods"
ln -sfn "$ROOT" "$ROOT/build/usermods/irqio"
[ -x "$MICROPY_DIR/mpy-cross/build/mpy-cross" ] || make -C "$MICROPY_DIR/mpy-cross" -j"$JOBS" -s
make -C "$MICROPY_DIR/ports/qemu" -j"$JOBS" -s \
    BOARD="$BOARD" BUILD="$OUT/port" \
    USER_C_MODULES="$ROOT/build/usermods" IRQIO_RUST_TARGET="$RUST_TARGET" \
    FROZEN_MANIFEST="$ROOT/ports/qemu/manifest.py" MPY_LIB_DIR="$IRQIO_MPY_LIB_STUB" \
    MICROPY_HEAP_SIZE=$((200 * 1024)) \
    "${EXTRA[@]}"
cp -p "$OUT/port/firmware.elf" "$OUT/firmware.elf"
cp -p "$OUT/port/firmware.map" "$OUT/firmware.map" 2>/dev/null || true
echo "built $OUT/firmware.elf with $(mp_describe "$MICROPY_DIR")" >&2
