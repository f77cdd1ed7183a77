#!/usr/bin/env bash
# Runs benchmarks/irq_latency.py on the emulated Pico (rp2040js), GPIO 2 wired to
# GPIO 3, and prints its table. Times are the emulated board's (virtual) time.
#
#   benchmarks/irq_latency_rp2emu.sh [path/to/firmware.uf2]
#
# Needs node, tools/rp2emu's npm packages and the RP2040 boot ROM (scripts/setup-rp2.sh)
# and the firmware (scripts/build-rp2.sh; default build/rp2/RPI_PICO/firmware.uf2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
UF2=${1:-$ROOT/build/rp2/RPI_PICO/firmware.uf2}
# stderr carries the script's traceback, if any, and the emulator's diagnostics;
# drop only rp2040js's harmless "invalid SIO address" notices.
node "$ROOT/tools/rp2emu/rp2emu.mjs" --uf2 "$UF2" --wire 2:3 --timeout 600 \
    --run "$ROOT/benchmarks/irq_latency.py" 2> >(grep -v '^Read from invalid SIO address' >&2)
