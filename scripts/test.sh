#!/usr/bin/env bash
# The whole test suite: set-up, Rust checks and host tests of the portable core,
# the unix firmware build, then the MicroPython-level tests through pytest.
# Extra arguments go to pytest (e.g. -k flag, --board=...).
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

step "MicroPython tests (pytest)"
exec "$IRQIO_VENV/bin/pytest" tests "$@"
