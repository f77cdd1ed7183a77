#!/usr/bin/env bash
# Compile check of irqio's C for the esp32 port, without ESP-IDF (which cannot be
# installed here): src/c/*.c and ports/esp32/irqio_port.c compiled for the
# ESP32-C3's CPU (rv32imc, Debian's RISC-V GCC) against the MicroPython tree's
# esp32 port headers, with stand-ins for the few ESP-IDF headers they include
# (tools/esp32-check/include: declarations only, an ESP32-C3 sdkconfig).
#
# Two flag sets, both with every warning an error:
#   idf     what MicroPython 1.28 gives user C modules on esp32 (IDF's own
#           -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare ...), -Werror;
#   strict  -Wall -Wextra -Werror on irqio's own code (MicroPython's and the
#           stand-in headers as system headers: MicroPython's own headers have
#           unused parameters, which IDF's flags allow).
#
#   MICROPY_VERSION=master scripts/check-esp32.sh
#
# The generated QSTR and compressed-text headers come from the unix build of the
# same version (scripts/build-unix.sh, run first if missing): a superset of the
# names irqio uses. Nothing is linked: this proves the C compiles warning-free,
# not that the firmware works.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib-version.sh
. scripts/lib-version.sh
mp_select "$IRQIO_DEFAULT_UNIX"
[ -f "build/unix-$MP_LABEL/port/genhdr/qstrdefs.generated.h" ] || scripts/build-unix.sh
MP=$(cat "build/unix-$MP_LABEL/micropython-dir")
GENHDR=build/unix-$MP_LABEL/port
command -v riscv64-unknown-elf-gcc >/dev/null || scripts/setup-qemu.sh

CC=(riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 -misa-spec=2.2 --specs=picolibc.specs
    -O2 -std=gnu17 -ffunction-sections -fdata-sections -DMICROPY_ROM_TEXT_COMPRESSION=1)
HEADERS=(tools/esp32-check/include "$MP" "$MP/ports/esp32" "$MP/ports/esp32/boards/ESP32_GENERIC_C3" "$GENHDR")
IDF_FLAGS=(-Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-enum-conversion)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
echo "esp32 C compile check: $(mp_describe "$MP"), ESP32-C3 (rv32imc)" >&2
for set in idf strict; do
    if [ $set = idf ]; then
        flags=("${IDF_FLAGS[@]}" "${HEADERS[@]/#/-I}")
    else
        flags=(-Wall -Wextra -Werror)
        for h in "${HEADERS[@]}"; do flags+=(-isystem "$h"); done
    fi
    for f in src/c/*.c ports/esp32/irqio_port.c; do
        if ! "${CC[@]}" "${flags[@]}" -Iinclude -Isrc/c -c "$f" -o "$out/$(basename "$f").o"; then
            echo "FAILED ($set): $f" >&2
            failed=1
        fi
    done
    [ $failed = 1 ] || echo "  $set: $(ls src/c/*.c ports/esp32/irqio_port.c | wc -l) files, no warnings" >&2
done
exit $failed
