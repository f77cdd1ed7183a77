# Frozen into the qemu firmware built by scripts/build-qemu.sh: irqio's Python side
# only (the qemu port has no asyncio).
include("../../modules/manifest.py")
