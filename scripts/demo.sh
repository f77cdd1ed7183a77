#!/usr/bin/env bash
# The main job: set up, build the unix-port firmware with irqio, run the demo
# (MICROPY_VERSION picks the MicroPython, as for every script).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_UNIX"
"$ROOT/scripts/build-unix.sh"
exec "$ROOT/build/unix-$MP_LABEL/micropython" "$ROOT/examples/threadsafeflag_demo.py" "$@"
