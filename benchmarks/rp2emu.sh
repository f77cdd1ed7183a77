#!/usr/bin/env bash
# Runs a benchmark script on the emulated Pico (rp2040js), GPIO 2 wired to GPIO 3,
# and prints its output. Times are the emulated board's (virtual) time.
#
#   benchmarks/rp2emu.sh benchmarks/load_1khz.py [path/to/firmware.uf2]
#
# Needs node, tools/rp2emu's npm packages and the RP2040 boot ROM (scripts/setup-rp2.sh)
# and the firmware (scripts/build-rp2.sh; default build/rp2/RPI_PICO/firmware.uf2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPT=$1
UF2=${2:-$ROOT/build/rp2/RPI_PICO/firmware.uf2}
# stderr carries the script's traceback, if any, and the emulator's diagnostics;
# drop only rp2040js's harmless "invalid SIO address" notices.
node "$ROOT/tools/rp2emu/rp2emu.mjs" --uf2 "$UF2" --wire 2:3 --timeout 3600 \
    --run "$SCRIPT" 2> >(grep -v '^Read from invalid SIO address' >&2)
