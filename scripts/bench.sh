#!/usr/bin/env bash
# Runs irqio's benchmarks and regenerates docs/benchmarks.md and its plots
# (docs/benchmarks/*.png) from that one run. Not part of the test suite; takes minutes.
#
#   scripts/bench.sh                 # everything this machine can run
#   IRQIO_BENCH_SKIP="callgrind rp2emu" scripts/bench.sh   # only the quick unix ones
#   IRQIO_BENCH_DOCS=/tmp/page scripts/bench.sh             # the page elsewhere
#
# Steps: the wake-latency, event and throughput benchmarks on the unix firmware
# (build/unix/micropython, or $IRQIO_FIRMWARE); the instruction counts under
# callgrind (needs valgrind); the hard-IRQ latency on the emulated Pico (needs the
# rp2 firmware, node and the RP2040 boot ROM, as for the rp2emu test tier). Each
# benchmark's output goes to build/bench/<name>.txt; scripts/bench_report.py turns
# them into build/bench/results.json, the page and the plots (matplotlib, installed
# into the project's venv here). A step that cannot run here is listed on the page as
# not measured, with the reason.
#
# Skeleton (issue 13): it runs the benchmarks that exist today; the figures the issue
# asks for beyond them (CDFs from raw samples, latency against load, heap per event,
# idle wake-ups, sizes per target) need the benchmarks to print them first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

[ -f .cache/env.sh ] || scripts/setup.sh
. .cache/env.sh
FIRMWARE=${IRQIO_FIRMWARE:-$ROOT/build/unix/micropython}
[ -x "$FIRMWARE" ] || scripts/build-unix.sh
UF2=${IRQIO_UF2:-$ROOT/build/rp2/RPI_PICO/firmware.uf2}
SKIP=" ${IRQIO_BENCH_SKIP:-} "
OUT=$ROOT/build/bench
rm -rf "$OUT"
mkdir -p "$OUT"

"$IRQIO_VENV/bin/python" -c "import matplotlib" 2>/dev/null || {
    echo "bench: installing matplotlib into $IRQIO_VENV" >&2
    "$IRQIO_VENV/bin/pip" install --quiet matplotlib
}

skipped=()   # "name: reason" lines for the page
STEPS=6
step=0
started=$(date +%s)

# run NAME KIND COMMAND...: one benchmark, its stdout to build/bench/NAME.txt.
run() {
    local name=$1 kind=$2
    shift 2
    step=$((step + 1))
    if [[ "$SKIP" == *" $kind "* ]]; then
        echo "[$step/$STEPS] $name: skipped (IRQIO_BENCH_SKIP)" >&2
        skipped+=("$name: skipped with IRQIO_BENCH_SKIP")
        return
    fi
    echo "[$step/$STEPS] $name ($(($(date +%s) - started)) s so far) ..." >&2
    local t0=$(date +%s)
    if "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"; then
        echo "      done in $(($(date +%s) - t0)) s" >&2
    else
        echo "      FAILED (see $OUT/$name.err); left out of the page" >&2
        skipped+=("$name: failed in this run")
        rm -f "$OUT/$name.txt"
    fi
}

mpy() { MICROPYPATH=.frozen "$FIRMWARE" "$@"; }

run tsf_latency unix mpy benchmarks/tsf_latency.py
run eventstream unix mpy benchmarks/eventstream.py
run ringio_throughput unix mpy benchmarks/ringio_throughput.py
if command -v valgrind >/dev/null; then
    run ringio_write_cost callgrind python3 benchmarks/ringio_write_cost.py "$FIRMWARE"
    run eventstream_cost callgrind python3 benchmarks/eventstream_cost.py "$FIRMWARE"
else
    step=$((step + 2))
    skipped+=("ringio_write_cost: valgrind not installed" "eventstream_cost: valgrind not installed")
fi
if [ -f "$UF2" ] && command -v node >/dev/null && [ -d tools/rp2emu/node_modules/rp2040js ]; then
    run irq_latency_rp2emu rp2emu benchmarks/irq_latency_rp2emu.sh "$UF2"
else
    step=$((step + 1))
    skipped+=("irq_latency_rp2emu: no rp2 firmware or emulator here (scripts/setup-rp2.sh, scripts/build-rp2.sh)")
fi

# What the page says about the run.
python3 - "$OUT/meta.json" "$FIRMWARE" "${skipped[@]}" <<'EOF'
import json, os, platform, subprocess, sys, time
out, firmware, skipped = sys.argv[1], sys.argv[2], sys.argv[3:]
def sh(*cmd, **kw):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, **kw).stdout.strip()
    except OSError:
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = sh("git", "rev-parse", "--short", "HEAD")
if sh("git", "status", "--porcelain", "--untracked-files=no"):
    commit += " (with uncommitted changes)"
version = sh(firmware, "-c", "import sys; print(sys.version)", env={**os.environ, "MICROPYPATH": ".frozen"})
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "machine": f"{platform.machine()}, {cpu}, {os.cpu_count()} cores",
    "micropython": version,
    "commit": commit,
    "skipped": dict(s.split(": ", 1) for s in skipped),
}, open(out, "w"), indent=2)
EOF

"$IRQIO_VENV/bin/python" scripts/bench_report.py "$OUT" "${IRQIO_BENCH_DOCS:-$ROOT/docs}"
echo "bench: finished in $(($(date +%s) - started)) s" >&2
