#!/usr/bin/env bash
# Idempotent set-up for the qemu tiers (scripts/build-qemu.sh): scripts/setup.sh,
# then Debian's Arm and RISC-V cross compilers, qemu for both, and the Rust targets.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup.sh"

log() { printf '[setup-qemu] %s\n' "$*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

DEB_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf
              picolibc-riscv64-unknown-elf qemu-system-arm qemu-system-misc)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    sudo_if_needed apt-get update -qq
    # Without recommends: qemu's pull in a desktop's worth of media libraries.
    sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for target in thumbv6m-none-eabi riscv32imc-unknown-none-elf riscv32imac-unknown-none-elf; do
    rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done
