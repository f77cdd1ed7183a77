#!/usr/bin/env bash
# The whole test suite: set-up, Rust checks and host tests of the portable core,
# then the MicroPython-level tests through pytest on each tier: the unix firmware,
# and the RP2 firmware on an emulated Pico. Extra arguments go to pytest (e.g.
# -k flag); IRQIO_TIERS="unix" (or "rp2emu") runs only those tiers.
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

TIERS=${IRQIO_TIERS:-unix rp2emu}
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
        *)
            echo "unknown tier $tier" >&2
            exit 2
            ;;
    esac
done
