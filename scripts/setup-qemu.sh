#!/usr/bin/env bash
# Idempotent set-up for the qemu tiers (scripts/build-qemu.sh): scripts/setup.sh,
# then Debian's Arm and RISC-V cross compilers, qemu for both, and the Rust targets.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup.sh"

log() { printf '[setup-qemu] %s\n' "$*" >&2; }
# shellcheck source=scripts/lib-apt.sh
. "$ROOT/scripts/lib-apt.sh"
deb_install gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf \
    picolibc-riscv64-unknown-elf qemu-system-arm qemu-system-misc

for target in thumbv6m-none-eabi riscv32imc-unknown-none-elf riscv32imac-unknown-none-elf; do
    rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done
