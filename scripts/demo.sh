#!/usr/bin/env bash
# The main job: set up, build the unix-port firmware with irqio, run the demo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/build-unix.sh"
exec "$ROOT/build/unix/micropython" "$ROOT/examples/threadsafeflag_demo.py" "$@"
