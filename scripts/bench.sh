#!/usr/bin/env bash
# Runs irqio's benchmarks and regenerates docs/benchmarks.md and its plots
# (docs/benchmarks/*.png) from that one run. Not part of the test suite; takes minutes.
#
#   scripts/bench.sh                 # everything this machine can run
#   IRQIO_BENCH_SKIP="callgrind rp2emu" scripts/bench.sh   # only the quick unix ones
#   IRQIO_BENCH_DOCS=/tmp/page scripts/bench.sh             # the page elsewhere
#   IRQIO_BENCH_LOAD_SECONDS=10 scripts/bench.sh            # the 1 kHz load test shorter
#   IRQIO_BENCH_LOCK=/tmp/irqio-build.lock scripts/bench.sh # the emulated-Pico steps
#                                                           # wait for that lock (flock)
#
#   IRQIO_BENCH_REUSE="load_1khz_rp2emu=/tmp/load60.txt" scripts/bench.sh
#                     # a step's output from an earlier run of that benchmark instead of
#                     # running it (the page says so, with the file's date)
#
# Kinds for IRQIO_BENCH_SKIP: unix (the firmware's own benchmarks), strace (idle
# wake-ups), callgrind, rp2emu (emulated Pico), load (the 1 kHz load test on the
# emulated Pico: 4 phases of IRQIO_BENCH_LOAD_SECONDS, default 60, of board time,
# 30-40 minutes of wall clock at 60), sizes (flash and RAM from the existing
# bare-metal builds' linker maps; nothing is built).
#
# Steps: the wake-latency, event and throughput benchmarks on the unix firmware
# (build/unix/micropython, or $IRQIO_FIRMWARE); the instruction counts under
# callgrind (needs valgrind); the hard-IRQ latency on the emulated Pico (needs the
# rp2 firmware, node and the RP2040 boot ROM, as for the rp2emu test tier); the
# idle wake-ups under strace; the size tables of the firmware already built. Each
# benchmark's output goes to build/bench/<name>.txt; scripts/bench_report.py turns
# them into build/bench/results.json, the page and the plots (matplotlib, installed
# into the project's venv here). A step that cannot run here is listed on the page as
# not measured, with the reason.
#
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

LOAD_SECONDS=${IRQIO_BENCH_LOAD_SECONDS:-60}
LOCK=${IRQIO_BENCH_LOCK:-}
skipped=()   # "name: reason" lines for the page
STEPS=16
step=0
started=$(date +%s)

# run NAME KIND COMMAND...: one benchmark, its stdout to build/bench/NAME.txt.
run() {
    local name=$1 kind=$2
    shift 2
    step=$((step + 1))
    local reuse
    for reuse in ${IRQIO_BENCH_REUSE:-}; do
        if [ "${reuse%%=*}" = "$name" ]; then
            cp "${reuse#*=}" "$OUT/$name.txt"
            echo "[$step/$STEPS] $name: output of an earlier run, ${reuse#*=}" >&2
            skipped+=("$name: not run by this command: the output of an earlier run of the same benchmark ($(date -u -r "${reuse#*=}" '+%Y-%m-%d %H:%M UTC'))")
            return
        fi
    done
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

# cannot NAME... REASON: steps this machine cannot run, for the page.
cannot() {
    local why=${*: -1} name
    for name in "${@:1:$#-1}"; do
        step=$((step + 1))
        echo "[$step/$STEPS] $name: not measured ($why)" >&2
        skipped+=("$name: $why")
    done
}

# locked COMMAND...: under $IRQIO_BENCH_LOCK when given (other builds share the cores).
locked() { if [ -n "$LOCK" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

mpy() { MICROPYPATH=.frozen "$FIRMWARE" "$@"; }

# on_pico SCRIPT ARGS...: SCRIPT on the emulated Pico, with sys.argv as given (a
# copy of the script with that prefixed: the board has no command line).
on_pico() {
    local script=$1 copy arg list=""
    shift
    copy=$OUT/pico-$(basename "$script")
    for arg in "$(basename "$script")" "$@"; do list+="'$arg', "; done
    { echo "import sys"; echo "sys.argv.extend(($list))"; cat "$script"; } >"$copy"
    locked benchmarks/rp2emu.sh "$copy" "$UF2"
}

run tsf_latency unix mpy benchmarks/tsf_latency.py 400 raw
run hinch_latency unix mpy benchmarks/hinch_latency.py 120 raw
run eventstream unix mpy benchmarks/eventstream.py
run ringio_throughput unix mpy benchmarks/ringio_throughput.py 0.5 8,16,32,64,128,256
run heap_per_event unix mpy benchmarks/heap_per_event.py
run sched_pass_cost unix mpy benchmarks/sched_pass_cost.py
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    run idle_wakeups strace python3 benchmarks/idle_wakeups.py "$FIRMWARE" 3
else
    cannot idle_wakeups "strace not installed or not permitted here (apt-get install strace)"
fi
if command -v valgrind >/dev/null; then
    run ringio_write_cost callgrind python3 benchmarks/ringio_write_cost.py "$FIRMWARE"
    run eventstream_cost callgrind python3 benchmarks/eventstream_cost.py "$FIRMWARE"
    run isr_cost callgrind python3 benchmarks/isr_cost.py "$FIRMWARE"
else
    cannot ringio_write_cost eventstream_cost isr_cost "valgrind not installed"
fi
if [ -f "$UF2" ] && command -v node >/dev/null && [ -d tools/rp2emu/node_modules/rp2040js ]; then
    run irq_latency_rp2emu rp2emu on_pico benchmarks/irq_latency.py raw
    run heap_per_event_rp2emu rp2emu on_pico benchmarks/heap_per_event.py
    run sched_pass_cost_rp2emu rp2emu on_pico benchmarks/sched_pass_cost.py
    run isr_cycles_rp2emu rp2emu on_pico benchmarks/isr_cycles.py
    if [ "$LOAD_SECONDS" != 60 ]; then
        skipped+=("load_1khz_rp2emu: run at $LOAD_SECONDS s of board time per phase (IRQIO_BENCH_LOAD_SECONDS), not the script's 60")
    fi
    run load_1khz_rp2emu load on_pico benchmarks/load_1khz.py "$LOAD_SECONDS"
else
    cannot irq_latency_rp2emu heap_per_event_rp2emu sched_pass_cost_rp2emu isr_cycles_rp2emu load_1khz_rp2emu \
        "no rp2 firmware or emulator here (scripts/setup-rp2.sh, scripts/build-rp2.sh)"
fi

# The size tables of the bare-metal firmware already built (build/<port>-<version>,
# build/<port> being the default version's), as the targets tier prints them.
sizes() {
    local dir port version board map seen=" " real
    for dir in build/rp2 build/rp2-* build/qemu build/qemu-*; do
        [ -d "$dir" ] || continue
        real=$(cd "$dir" && pwd -P)
        [[ "$seen" == *" $real "* ]] && continue
        seen+="$real "
        port=${dir#build/}
        port=${port%%-*}
        if [[ "$dir" == *-* ]]; then version=${dir#build/$port-}
        elif [ "$port" = rp2 ]; then version=$IRQIO_DEFAULT_RP2
        else version=$IRQIO_DEFAULT_QEMU; fi
        for board in RPI_PICO RPI_PICO2 MICROBIT VIRT_RV32; do
            map=$dir/$board/cmake/firmware.elf.map
            [ -f "$map" ] || map=$dir/$board/firmware.map
            [ -f "$map" ] || continue
            echo "== $port $board MicroPython $version"
            echo "built $(date -u -r "$map" '+%Y-%m-%d %H:%M UTC')"
            if [ "$board" = RPI_PICO ] && [ -f "$dir/RPI_PICO-baseline/firmware.elf" ]; then
                "$IRQIO_VENV/bin/python" scripts/size-report.py "$map" --label "$port $board $version" \
                    --baseline "$dir/RPI_PICO-baseline/firmware.elf" "$dir/RPI_PICO/firmware.elf"
            else
                "$IRQIO_VENV/bin/python" scripts/size-report.py "$map" --label "$port $board $version"
            fi
        done
    done
}
. scripts/lib-version.sh
run sizes sizes sizes

# What the page says about the run.
python3 - "$OUT/meta.json" "$FIRMWARE" "${skipped[@]}" <<'EOF'
import json, os, platform, re, subprocess, sys, time
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
version = sh(firmware, "-c", "import sys; print('%d.%d.%d' % sys.implementation.version[:3])",
             env={**os.environ, "MICROPYPATH": ".frozen"})
rp2_version = "?"
try:
    tree = open("build/rp2/micropython-dir").read().strip()
    rp2_version = ".".join(re.search(r"^#define MICROPY_VERSION_%s (\d+)" % part, open(tree + "/py/mpconfig.h").read(),
                                     re.M).group(1) for part in ("MAJOR", "MINOR", "MICRO"))
except (OSError, AttributeError):
    pass
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "machine": f"{platform.machine()}, {cpu}, {os.cpu_count()} cores",
    "micropython": version,
    "micropython_rp2": rp2_version,
    "commit": commit,
    "skipped": dict(s.split(": ", 1) for s in skipped),
}, open(out, "w"), indent=2)
EOF

"$IRQIO_VENV/bin/python" scripts/bench_report.py "$OUT" "${IRQIO_BENCH_DOCS:-$ROOT/docs}"
echo "bench: finished in $(($(date +%s) - started)) s" >&2
