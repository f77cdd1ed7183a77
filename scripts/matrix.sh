#!/usr/bin/env bash
# The version matrix: irqio built into each MicroPython version and port, and the
# tests run there. Longer than scripts/test.sh (which runs each port's default
# version every time); run it before a release or after a MicroPython release.
#
#   scripts/matrix.sh                         every cell below
#   scripts/matrix.sh unix:1.26.1 rp2:1.28.0  some cells
#
# Cells: unix:<version> (unix firmware, the unix pytest tier), rp2:<version>
# (RPI_PICO firmware, the emulated-Pico tier), qemu:<version> (MICROBIT and
# VIRT_RV32 firmware, the qemu tier). Versions as scripts/lib-version.sh names
# them. Each cell fetches what it needs, like every script here; the summary (and
# build/matrix.md) gives each cell's pytest counts. Extra pytest arguments:
# IRQIO_PYTEST_ARGS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

CELLS=("$@")
if [ ${#CELLS[@]} -eq 0 ]; then
    CELLS=(unix:1.25.0 unix:1.26.1 unix:1.28.0 unix:master rp2:1.25.0 rp2:1.28.0 qemu:1.28.0 qemu:master)
fi

[ -z "${MICROPY_DIR:-}" ] || { echo "scripts/matrix.sh fetches each version itself: unset MICROPY_DIR" >&2; exit 2; }
# shellcheck disable=SC2206
PYTEST_ARGS=(${IRQIO_PYTEST_ARGS:-})
RESULTS=()
failed=0
step() { printf '\n=== %s\n' "$*" >&2; }
venv() { IRQIO_VENV=$(. ".cache/env-$1.sh" && echo "$IRQIO_VENV"); }

# run_pytest CELL BOARD: one pytest run, its summary line kept for the table.
run_pytest() {
    local cell=$1 board=$2 log summary
    log=build/matrix/$cell-${board//[:\/]/_}.log
    mkdir -p build/matrix
    step "$cell: pytest --board=$board"
    if "$IRQIO_VENV/bin/pytest" tests --board="$board" -p no:cacheprovider -rs "${PYTEST_ARGS[@]}" 2>&1 | tee "$log" >&2; then
        :
    else
        failed=1
    fi
    summary=$(grep -E '^=+ .*(passed|failed|error).* in ' "$log" | tail -n1 | sed 's/^=* //; s/ =*$//')
    RESULTS+=("| $cell | ${board%%:build*} | ${summary:-did not run} |")
}

for cell in "${CELLS[@]}"; do
    port=${cell%%:*}
    version=${cell#*:}
    export MICROPY_VERSION=$version
    step "$cell: build"
    case $port in
        unix)
            if scripts/build-unix.sh; then
                venv "$version"
                run_pytest "$cell" "unix:build/unix-$version/micropython"
            else
                failed=1; RESULTS+=("| $cell | unix | build failed |")
            fi
            ;;
        rp2)
            if scripts/build-rp2.sh; then
                venv "$version"
                run_pytest "$cell" "rp2emu:build/rp2-$version/RPI_PICO/firmware.uf2"
            else
                failed=1; RESULTS+=("| $cell | rp2emu | build failed |")
            fi
            ;;
        qemu)
            for board in MICROBIT VIRT_RV32; do
                if scripts/build-qemu.sh "$board"; then
                    venv "$version"
                    run_pytest "$cell" "qemu:$board:build/qemu-$version/$board/firmware.elf"
                else
                    failed=1; RESULTS+=("| $cell | qemu:$board | build failed |")
                fi
            done
            ;;
        *)
            echo "unknown cell $cell (unix:V, rp2:V or qemu:V)" >&2
            exit 2
            ;;
    esac
done

{
    echo "| cell | board | pytest |"
    echo "| --- | --- | --- |"
    printf '%s\n' "${RESULTS[@]}"
} >build/matrix.md
step "matrix (build/matrix.md)"
cat build/matrix.md
exit $failed
