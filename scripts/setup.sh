#!/usr/bin/env bash
# Idempotent set-up for building and testing irqio on a fresh Debian machine.
#
# Installs the Debian packages the build needs, fetches MicroPython 1.25.0 from
# Debian's source package into .cache/ (a private apt configuration: the machine's
# own apt sources are never touched), creates a Python venv with pytest and
# installs the Rust targets.  Everything it fetches lives in git-ignored folders
# and is reused when present.
#
# MICROPY_DIR=/path/to/micropython uses your own checkout instead of the cache.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache
MICROPY_VERSION=1.25.0
mkdir -p "$CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib-apt.sh
. "$ROOT/scripts/lib-apt.sh"

# --- Debian packages ---------------------------------------------------------
deb_install build-essential pkg-config libclang-dev clang python3-venv xz-utils valgrind

# --- private apt configuration for trixie sources ----------------------------
# apt_private (scripts/lib-apt.sh) reads the mirror the machine already uses.

# --- MicroPython source ------------------------------------------------------
if [ -z "${MICROPY_DIR:-}" ]; then
    MICROPY_DIR=$CACHE/micropython-$MICROPY_VERSION
    if [ ! -f "$MICROPY_DIR/py/mpconfig.h" ]; then
        apt_private
        log "fetching MicroPython $MICROPY_VERSION (Debian source package)"
        mkdir -p "$CACHE/src"
        (cd "$CACHE/src" && apt-get "${APT[@]}" source --download-only -qq "micropython=$MICROPY_VERSION+ds-1" 2>/dev/null)
        rm -rf "$MICROPY_DIR.tmp" && mkdir -p "$MICROPY_DIR.tmp"
        tar xJf "$CACHE/src/micropython_$MICROPY_VERSION+ds.orig.tar.xz" -C "$MICROPY_DIR.tmp" --strip-components=1
        mv "$MICROPY_DIR.tmp" "$MICROPY_DIR"
    fi
fi
[ -f "$MICROPY_DIR/py/mpconfig.h" ] || { log "MICROPY_DIR=$MICROPY_DIR is not a MicroPython tree"; exit 1; }

# The frozen-manifest rule wants $(MPY_LIB_DIR)/README.md; the +ds tarball has an
# empty lib/micropython-lib, and our manifests need nothing from it.
mkdir -p "$CACHE/micropython-lib-stub"
[ -f "$CACHE/micropython-lib-stub/README.md" ] || echo "Empty: irqio's manifests need no micropython-lib packages." >"$CACHE/micropython-lib-stub/README.md"

# --- Python venv for the test harness ----------------------------------------
VENV=$CACHE/venv
REQS=$ROOT/tests/requirements.txt
if [ ! -x "$VENV/bin/pytest" ] || ! cmp -s "$REQS" "$VENV/.requirements"; then
    log "creating the Python venv for the test harness"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$REQS"
    cp "$REQS" "$VENV/.requirements"
fi

# --- Rust ----------------------------------------------------------------------
for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done
RUST_TARGETS=${IRQIO_RUST_TARGETS:-}
for t in $RUST_TARGETS; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done

# Hand the resolved paths to the caller (scripts/env.sh sources this output).
cat >"$CACHE/env.sh" <<ENV
export MICROPY_DIR="$MICROPY_DIR"
export IRQIO_VENV="$VENV"
export IRQIO_MPY_LIB_STUB="$CACHE/micropython-lib-stub"
ENV
log "ready: MICROPY_DIR=$MICROPY_DIR"
