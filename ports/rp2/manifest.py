# Frozen into the RP2 firmware built by scripts/build-rp2.sh.
#
# The port's own modules: _boot.py mounts (or creates) the flash filesystem,
# rp2.py is the `rp2` module's Python half. The port's boards/manifest.py also
# require()s onewire/ds18x20/dht/neopixel from micropython-lib, which irqio
# does not need (and the Debian source tarball does not ship).
freeze("$(PORT_DIR)/modules")
include("$(MPY_DIR)/extmod/asyncio")
include("../../modules/manifest.py")
