#!/usr/bin/env bash
# Builds MicroPython for the Raspberry Pi Pico (RP2040) with irqio as a user C
# module and asyncio + irqio's Python side frozen, to
# build/rp2-<version>/$BOARD/firmware.{uf2,elf} (BOARD=RPI_PICO by default;
# build/rp2/ for the default version; scripts/lib-version.sh: MICROPY_VERSION,
# MICROPY_DIR). Runs scripts/setup-rp2.sh first; safe to re-run (incremental).
#
#   JOBS=2             parallel jobs for make (cargo runs inside one of them)
#   BOARD=RPI_PICO     MicroPython board name (ports/rp2/boards/$BOARD)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_RP2"
"$ROOT/scripts/setup-rp2.sh"
# shellcheck source=/dev/null
. "$ROOT/.cache/env-rp2-$MP_LABEL.sh"

JOBS=${JOBS:-2}
BOARD=${BOARD:-RPI_PICO}
RP2_BUILD=$(mp_build_dir "$ROOT" rp2)
echo "$MICROPY_DIR" >"$RP2_BUILD/micropython-dir"
OUT=$RP2_BUILD/$BOARD
# IRQIO_BASELINE=1: the same firmware without irqio (to build/rp2-<version>/$BOARD-baseline),
# for scripts/size-report.py's whole-firmware difference.
MODULES=$ROOT/micropython.cmake
MANIFEST=$ROOT/ports/rp2/manifest.py
if [ "${IRQIO_BASELINE:-0}" = 1 ]; then
    OUT=$RP2_BUILD/$BOARD-baseline
    MODULES=
    mkdir -p "$OUT"
    grep -v modules/manifest.py "$MANIFEST" >"$OUT/manifest.py"
    MANIFEST=$OUT/manifest.py
fi
BUILD=$OUT/cmake
PORT=$MICROPY_DIR/ports/rp2
mkdir -p "$BUILD"
# The firmware's C compilation waits for cargo (a target-level dependency in
# micropython.cmake), so cargo may use the same number of jobs as make.
export IRQIO_CARGO_JOBS=${IRQIO_CARGO_JOBS:-$JOBS}

[ -x "$MICROPY_DIR/mpy-cross/build/mpy-cross" ] || make -C "$MICROPY_DIR/mpy-cross" -j"$JOBS" -s

# Configure directly: the port's Makefile wants lib/pico-sdk/README.md and
# loses its own CMAKE_ARGS when they are given on its command line.
if [ ! -f "$BUILD/Makefile" ] || [ "$ROOT/micropython.cmake" -nt "$BUILD/Makefile" ] \
    || [ "$0" -nt "$BUILD/Makefile" ]; then
    cmake -S "$PORT" -B "$BUILD" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DCMAKE_RULE_MESSAGES=OFF -DMICROPY_BOARD="$BOARD" -DMICROPY_BOARD_DIR="$PORT/boards/$BOARD" \
        -DPICO_SDK_PATH_OVERRIDE="$PICO_SDK_PATH" \
        ${MODULES:+-DUSER_C_MODULES="$MODULES"} \
        -DMICROPY_FROZEN_MANIFEST="$MANIFEST" \
        -DMICROPY_LIB_DIR="$IRQIO_MPY_LIB_STUB" \
        -Dpicotool_DIR="$IRQIO_PICOTOOL_DIR" >"$OUT/cmake.log" 2>&1 \
        || { tail -n 30 "$OUT/cmake.log" >&2; echo "cmake failed: see $OUT/cmake.log" >&2; exit 1; }
fi
make -C "$BUILD" -j"$JOBS" -s --no-print-directory

cp -p "$BUILD/firmware.elf" "$BUILD/firmware.uf2" "$OUT/"

# The firmware must end before the flash filesystem starts (the linker script
# allows all 2 MiB, so nothing else checks this).
python3 - "$OUT/firmware.elf" "$PORT/boards/$BOARD/mpconfigboard.h" \
    "$PICO_SDK_PATH/src/boards/include/boards" "$BUILD/CMakeCache.txt" <<'PY'
import re, subprocess, sys
elf, board_h, sdk_boards, cache = sys.argv[1:]
def macro(text, name, **known):
    m = re.search(r"#define\s+%s\s+(.+)" % name, text)
    return eval(re.sub(r"//.*|/\*.*?\*/|[uUlL]\b", "", m.group(1)), {}, known) if m else None
pico_board = re.search(r"^PICO_BOARD:\w+=(\S+)", open(cache).read(), re.M).group(1)
flash = macro(open(f"{sdk_boards}/{pico_board}.h").read(), "PICO_FLASH_SIZE_BYTES")
# Some boards size the filesystem from the flash size.
storage = macro(open(board_h).read(), "MICROPY_HW_FLASH_STORAGE_BYTES", PICO_FLASH_SIZE_BYTES=flash)
syms = dict(l.split()[2::-2] for l in subprocess.check_output(
    ["arm-none-eabi-nm", elf], text=True).splitlines() if l.count(" ") == 2)
end = int(syms["__flash_binary_end"], 16) - 0x10000000
limit = flash - storage
print(f"flash used {end} of {limit} bytes ({end * 100 // limit}%), "
      f"filesystem {storage // 1024} KiB from offset {limit:#x}", file=sys.stderr)
sys.exit(0 if end <= limit else f"firmware overlaps the filesystem by {end - limit} bytes")
PY
arm-none-eabi-size "$OUT/firmware.elf" >&2
echo "built $OUT/firmware.uf2 with $(mp_describe "$MICROPY_DIR")" >&2
