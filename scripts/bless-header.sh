#!/usr/bin/env bash
# Regenerates include/irqio.h from the Rust sources (cbindgen, via build.rs).
# tests/c_header.rs fails until the checked-in header matches.
set -euo pipefail
cd "$(dirname "$0")/.."
IRQIO_BLESS=1 cargo test --quiet --test c_header
