#!/usr/bin/env bash
# Idempotent set-up for building and testing irqio on a fresh Debian machine.
#
# Installs the Debian packages the build needs, fetches MicroPython into .cache/
# (scripts/lib-version.sh: MICROPY_VERSION=1.25.0|1.26.1|1.28.0|master, default
# 1.28.0), creates a Python venv with pytest and installs the Rust targets.
# Debian source packages come through a private apt configuration (the machine's
# own apt sources are never touched). Everything it fetches lives in git-ignored
# folders and is reused when present.
#
# MICROPY_DIR=/path/to/micropython uses your own checkout instead of the cache.
# Writes .cache/env-<version>.sh (and .cache/env.sh, the same: the last set-up)
# with MICROPY_DIR, IRQIO_VENV and IRQIO_MPY_LIB_STUB.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache
mkdir -p "$CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib-apt.sh
. "$ROOT/scripts/lib-apt.sh"
# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_UNIX"

# --- Debian packages ---------------------------------------------------------
deb_install build-essential pkg-config libclang-dev clang python3-venv xz-utils valgrind

# --- MicroPython source ------------------------------------------------------
# Into $MICROPY_DIR.tmp, then renamed: an interrupted fetch leaves no half tree.
fetch_debian_source() { # suite version
    apt_private "$1"
    log "fetching MicroPython $2 (Debian $1 source package)"
    mkdir -p "$CACHE/src"
    (cd "$CACHE/src" && apt-get "${APT[@]}" source --download-only -qq "micropython=$2+ds-1" 2>/dev/null)
    tar xJf "$CACHE/src/micropython_$2+ds.orig.tar.xz" -C "$MICROPY_DIR.tmp" --strip-components=1
}
fetch_archive() { # archive name pattern
    local shared=${IRQIO_SHARED:-$ROOT/../shared} archive
    archive=$(ls -t "$shared"/micropython/$1 2>/dev/null | head -n1)
    [ -n "$archive" ] || { log "no $shared/micropython/$1 (set IRQIO_SHARED to the folder holding micropython/)"; exit 1; }
    log "unpacking $archive"
    tar xJf "$archive" -C "$MICROPY_DIR.tmp" --strip-components=1
}
if [ -z "${MICROPY_DIR:-}" ]; then
    MICROPY_DIR=$CACHE/micropython-$MICROPY_VERSION
    if [ ! -f "$MICROPY_DIR/py/mpconfig.h" ]; then
        rm -rf "$MICROPY_DIR.tmp" && mkdir -p "$MICROPY_DIR.tmp"
        case $MICROPY_VERSION in
            1.25.0) fetch_debian_source trixie 1.25.0 ;;
            1.26.1) fetch_debian_source sid 1.26.1 ;;
            1.28.0) fetch_archive micropython-1.28.0.tar.xz ;;
            master) fetch_archive 'micropython-master-*.tar.xz' ;;
        esac
        mv "$MICROPY_DIR.tmp" "$MICROPY_DIR"
    fi
fi
[ -f "$MICROPY_DIR/py/mpconfig.h" ] || { log "MICROPY_DIR=$MICROPY_DIR is not a MicroPython tree"; exit 1; }
MICROPY_DIR=$(cd "$MICROPY_DIR" && pwd)

# The frozen-manifest rule wants $(MPY_LIB_DIR)/README.md; the source archives
# have an empty lib/micropython-lib, and our manifests need nothing from it.
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

# Hand the resolved paths to the caller (the scripts source this output).
cat >"$CACHE/env-$MP_LABEL.sh.new" <<ENV
export MICROPY_DIR="$MICROPY_DIR"
export IRQIO_VENV="$VENV"
export IRQIO_MPY_LIB_STUB="$CACHE/micropython-lib-stub"
ENV
mv "$CACHE/env-$MP_LABEL.sh.new" "$CACHE/env-$MP_LABEL.sh"
cp "$CACHE/env-$MP_LABEL.sh" "$CACHE/env.sh"
log "ready: $(mp_describe "$MICROPY_DIR")"
