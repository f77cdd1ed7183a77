#!/usr/bin/env bash
# Long soak on the unix firmware: scripts/soak.sh MINUTES (default 10), shared equally
# by the cases of tests/mpy/soak.py (every object and policy, fed by native threads,
# Python threads and a nested signal handler while asyncio consumes). Prints one line
# per case; fails on any torn, repeated, reordered or uncounted record.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MINUTES=${1:-10}
CASES='["ring-truncate", "ring-reject", "ring-overwrite", "events-drop-newest", "events-overwrite-oldest", "flag"]'
"$ROOT/scripts/build-unix.sh" >/dev/null
seconds=$((MINUTES * 60 / 6))
script=$(mktemp --suffix=.py)
trap 'rm -f "$script"' EXIT
{
    echo "SECONDS = $seconds"
    echo "CASES = $CASES"
    cat "$ROOT/tests/mpy/soak.py"
} >"$script"
echo "soak: $MINUTES minutes, $seconds s per case, $(git -C "$ROOT" rev-parse --short HEAD)" >&2
"$ROOT/build/unix/micropython" "$script"
