# Frozen into the unix firmware built by scripts/build-unix.sh.
include("$(MPY_DIR)/extmod/asyncio")
include("../../modules/manifest.py")
