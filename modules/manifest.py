# irqio's Python side, frozen into firmware: include this from a board manifest,
# e.g. include("path/to/irqio/modules/manifest.py").
module("_irqio_dispatch.py")
