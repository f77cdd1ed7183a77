#!/usr/bin/env bash
# Builds the unix-port MicroPython with irqio (and asyncio frozen) to
# build/unix-<version>/micropython; build/unix/micropython is the default
# version's (scripts/lib-version.sh: MICROPY_VERSION, MICROPY_DIR). Runs
# scripts/setup.sh first; safe to re-run.
#
# IRQIO_SANITIZE=1 builds it with AddressSanitizer and UndefinedBehaviorSanitizer
# instead (as MicroPython's own CI does, in one build), to
# build/unix-sanitize-<version>/ (build/unix-sanitize/ for the default version).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_UNIX"
"$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
. "$ROOT/.cache/env-$MP_LABEL.sh"

JOBS=${JOBS:-2}
EXTRA=()
if [ -n "${IRQIO_SANITIZE:-}" ]; then
    OUT=$(mp_build_dir "$ROOT" unix-sanitize)
    SAN="-fsanitize=address,undefined -fno-sanitize=nonnull-attribute -fno-sanitize-recover=undefined --param asan-use-after-return=0"
    EXTRA=(CFLAGS_EXTRA="$SAN -fno-omit-frame-pointer" LDFLAGS_EXTRA="$SAN")
else
    OUT=$(mp_build_dir "$ROOT" unix)
fi
mkdir -p "$ROOT/build/usermods"
# make looks one directory below USER_C_MODULES for */micropython.mk.
ln -sfn "$ROOT" "$ROOT/build/usermods/irqio"

[ -x "$MICROPY_DIR/mpy-cross/build/mpy-cross" ] || make -C "$MICROPY_DIR/mpy-cross" -j"$JOBS" -s
make -C "$MICROPY_DIR/ports/unix" -j"$JOBS" -s \
    BUILD="$OUT/port" \
    USER_C_MODULES="$ROOT/build/usermods" \
    FROZEN_MANIFEST="$ROOT/ports/unix/manifest.py" \
    MPY_LIB_DIR="$IRQIO_MPY_LIB_STUB" \
    MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0 MICROPY_SSL_MBEDTLS=0 MICROPY_PY_SSL=0 "${EXTRA[@]}"
# Renamed into place: a running benchmark or test may hold the old binary open.
cp -p "$OUT/port/micropython" "$OUT/micropython.new"
mv -f "$OUT/micropython.new" "$OUT/micropython"
echo "$MICROPY_DIR" >"$OUT/micropython-dir"
echo "built $OUT/micropython with $(mp_describe "$MICROPY_DIR")" >&2
