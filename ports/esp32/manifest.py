# A board manifest for the esp32 port with irqio: the port's own frozen modules
# (asyncio, the esp32 helpers, and what it requires from micropython-lib), plus
# irqio's Python side. Pass it as FROZEN_MANIFEST=/path/to/irqio/ports/esp32/manifest.py.
include("$(PORT_DIR)/boards/manifest.py")
include("../../modules/manifest.py")
