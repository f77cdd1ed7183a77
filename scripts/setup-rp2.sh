#!/usr/bin/env bash
# Idempotent set-up for the RP2 (Raspberry Pi Pico) firmware and its emulator.
#
# Runs scripts/setup.sh first (MicroPython source, venv; MICROPY_VERSION picks it,
# scripts/lib-version.sh), then:
# - installs the bookworm packages for an Arm cross build (and node/npm if missing);
# - fetches the pico-sdk that MicroPython version pins, or the nearest one Debian
#   has: 2.1.1 for 1.25 and 1.26 (trixie's pico-sdk-source, unpacked with dpkg -x,
#   nothing installed), 2.2.0 for 1.28 and master (unstable's upstream source
#   tarball: its Debian package is patched to build with picolibc), tinyusb 0.18.0
#   (trixie's tinyusb-source) and the mbedtls and picotool source packages, through
#   the private apt configurations of scripts/lib-apt.sh;
# - MicroPython 1.28 calls a TinyUSB 0.19 function (tud_cdc_configure) that 0.18
#   names tud_cdc_configure_fifo: the fetched tree is adjusted to the 0.18 name
#   (losing only 0.19's "overwrite the TX buffer while no host listens");
# - links tinyusb and mbedtls into the MicroPython tree when its lib/ folders are
#   empty (the Debian source tarball ships them empty);
# - builds picotool into .cache/picotool (the SDK would otherwise clone it);
# - adds the Rust targets for RP2040 and RP2350 (Arm);
# - installs rp2040js (pinned by tools/rp2emu/package-lock.json) with `npm ci`;
# - writes .cache/env-rp2-<version>.sh for scripts/build-rp2.sh.
#
# Overrides: MICROPY_DIR (your MicroPython tree), PICO_SDK_PATH (your pico-sdk),
# RP2040_BOOTROM (boot ROM image for the emulator).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache
JOBS=${JOBS:-2}
mkdir -p "$CACHE"

log() { printf '[setup-rp2] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib-version.sh
. "$ROOT/scripts/lib-version.sh"
mp_select "$IRQIO_DEFAULT_RP2"
"$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
. "$CACHE/env-$MP_LABEL.sh"
# shellcheck source=scripts/lib-apt.sh
. "$ROOT/scripts/lib-apt.sh"
case $MICROPY_VERSION in
    1.25.* | 1.26.*) SDK_WANT=2.1.1 ;;
    *) SDK_WANT=2.2.0 ;;  # 1.28 pins 2.2.0; master pins 2.3.0, which Debian lacks
esac

# --- Debian (bookworm) packages ------------------------------------------------
deb_install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
    cmake libusb-1.0-0-dev pkg-config
# A node from elsewhere (e.g. a nodejs package that bundles npm) is fine as it is:
# Debian's npm package would conflict with it.
command -v node >/dev/null || deb_install nodejs
command -v npm >/dev/null || deb_install npm

# --- trixie archives: pico-sdk, tinyusb (binary packages of sources) -----------
DEBS=$CACHE/debs
SRCROOT=$CACHE/rp2-root          # dpkg -x target: usr/src/{pico-sdk,tinyusb}
mkdir -p "$DEBS" "$CACHE/src"

unpack_deb() { # package -> unpacked under $SRCROOT (once)
    local pkg=$1 stamp="$SRCROOT/.$1.unpacked"
    [ -f "$stamp" ] && return 0
    apt_private
    log "fetching $pkg (trixie)"
    # (apt warns that it downloads unsandboxed when root owns $DEBS: harmless.)
    (cd "$DEBS" && apt-get "${APT[@]}" download -qq "$pkg" 2>&1 | { grep -v unsandboxed || true; } >&2)
    local deb
    deb=$(ls -t "$DEBS/${pkg}"_*.deb | head -n1)
    mkdir -p "$SRCROOT"
    dpkg -x "$deb" "$SRCROOT"
    basename "$deb" >"$stamp"
}

# --- trixie source packages: mbedtls, picotool ----------------------------------
unpack_src() { # source package [suite] -> echo the folder of its unpacked orig tarball
    local pkg=$1 suite=${2:-trixie} dir stamp="$CACHE/src/.$1.unpacked"
    # (A stamp naming a folder that is gone, e.g. a moved clone's, is fetched again.)
    if [ ! -f "$stamp" ] || [ ! -d "$(cat "$stamp")" ]; then
        apt_private "$suite"
        log "fetching the $pkg source package ($suite)"
        rm -rf "$CACHE/src/$pkg.dl" && mkdir -p "$CACHE/src/$pkg.dl"
        # Only the orig tarball is needed; the Debian packaging is ignored.
        (cd "$CACHE/src/$pkg.dl" && apt-get "${APT[@]}" source --download-only -qq "$pkg" >/dev/null 2>&1) || true
        local orig
        orig=$(ls "$CACHE/src/$pkg.dl/${pkg}"_*.orig.tar.* 2>/dev/null | head -n1)
        [ -n "$orig" ] || { log "could not download the $pkg source package"; exit 1; }
        dir=$CACHE/src/$(basename "$orig" | sed 's/\.orig\.tar\..*//; s/_/-/')
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        tar xf "$orig" -C "$dir.tmp" --strip-components=1
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
        echo "$dir" >"$stamp"
    fi
    cat "$stamp"
}

if [ -z "${PICO_SDK_PATH:-}" ]; then
    if [ "$SDK_WANT" = 2.1.1 ]; then
        unpack_deb pico-sdk-source
        PICO_SDK_PATH=$SRCROOT/usr/src/pico-sdk
    else
        PICO_SDK_PATH=$(unpack_src pico-sdk sid)
    fi
fi
[ -f "$PICO_SDK_PATH/pico_sdk_init.cmake" ] || { log "PICO_SDK_PATH=$PICO_SDK_PATH is not a pico-sdk"; exit 1; }
sdk_version=$(sed -n 's/^ *set(PICO_SDK_VERSION_\(MAJOR\|MINOR\|REVISION\) \([0-9]*\))/\2/p' \
    "$PICO_SDK_PATH/pico_sdk_version.cmake" | paste -sd.)
[ "$sdk_version" = "$SDK_WANT" ] || log "warning: pico-sdk $sdk_version (expected $SDK_WANT for MicroPython $MP_LABEL)"

MBEDTLS_DIR=$(unpack_src mbedtls)
PICOTOOL_SRC=$(unpack_src picotool)

# --- tinyusb and mbedtls inside the MicroPython tree ------------------------------
# rp2's CMakeLists.txt and extmod.cmake look for them at fixed places in the tree.
link_into_tree() { # name target
    local at=$MICROPY_DIR/lib/$1
    if [ -L "$at" ]; then
        [ "$(readlink "$at")" = "$2" ] || ln -sfn "$2" "$at"
    elif [ -d "$at" ] && [ -z "$(ls -A "$at")" ]; then
        log "linking $at -> $2"
        rmdir "$at" && ln -s "$2" "$at"
    elif [ ! -e "$at" ]; then
        ln -s "$2" "$at"
    else
        log "keeping $at (not empty: your own copy)"
    fi
}
TINYUSB_DIR=${PICO_TINYUSB_PATH:-}
if [ -z "$TINYUSB_DIR" ]; then
    unpack_deb tinyusb-source
    TINYUSB_DIR=$SRCROOT/usr/src/tinyusb
fi
link_into_tree tinyusb "$TINYUSB_DIR"
link_into_tree mbedtls "$MBEDTLS_DIR"
[ -f "$MICROPY_DIR/lib/tinyusb/src/tusb.h" ] || { log "no tinyusb in $MICROPY_DIR/lib/tinyusb"; exit 1; }
[ -f "$MICROPY_DIR/lib/mbedtls/include/mbedtls/ssl.h" ] || { log "no mbedtls in $MICROPY_DIR/lib/mbedtls"; exit 1; }

# MicroPython 1.28's TinyUSB 0.19 call, in a fetched tree, with TinyUSB 0.18.
USBD_H=$MICROPY_DIR/shared/tinyusb/mp_usbd.h
if [ "$MP_LABEL" != own ] && grep -q 'tud_cdc_configure(&cfg)' "$USBD_H" \
    && ! grep -q 'tud_cdc_configure_t' "$MICROPY_DIR/lib/tinyusb/src/class/cdc/cdc_device.h"; then
    log "adjusting $USBD_H to TinyUSB 0.18 (tud_cdc_configure_fifo)"
    sed -i -e '/\.tx_overwritabe_if_not_connected = 1,/d' \
        -e 's/tud_cdc_configure_t cfg/tud_cdc_configure_fifo_t cfg/' \
        -e 's/tud_cdc_configure(&cfg);/tud_cdc_configure_fifo(\&cfg);/' "$USBD_H"
fi

# --- picotool (host tool the SDK uses to make the UF2) ---------------------------
PICOTOOL_PREFIX=$CACHE/picotool
PICOTOOL_DIR=$PICOTOOL_PREFIX/lib/cmake/picotool
if [ ! -f "$PICOTOOL_DIR/picotoolConfig.cmake" ] || [ ! -x "$PICOTOOL_PREFIX/bin/picotool" ]; then
    log "building picotool"
    rm -rf "$CACHE/picotool-build"
    cmake -S "$PICOTOOL_SRC" -B "$CACHE/picotool-build" -DCMAKE_BUILD_TYPE=Release \
        -DPICO_SDK_PATH="$PICO_SDK_PATH" -DCMAKE_INSTALL_PREFIX="$PICOTOOL_PREFIX" \
        -DUSE_PRECOMPILED=false >"$CACHE/picotool-build.log" 2>&1 \
        || { log "picotool configure failed: see $CACHE/picotool-build.log"; exit 1; }
    make -C "$CACHE/picotool-build" -j"$JOBS" install >>"$CACHE/picotool-build.log" 2>&1 \
        || { log "picotool build failed: see $CACHE/picotool-build.log"; exit 1; }
fi

# --- Rust target ------------------------------------------------------------------
for target in thumbv6m-none-eabi thumbv8m.main-none-eabi; do  # RP2040, RP2350 (Arm)
    rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done

# --- rp2040js (emulator), pinned by the lock file -----------------------------------
EMU=$ROOT/tools/rp2emu
want=$(node -p "require('$EMU/package-lock.json').packages['node_modules/rp2040js'].version")
have=$(node -p "try { require('$EMU/node_modules/rp2040js/package.json').version } catch (e) { '' }")
if [ "$want" != "$have" ]; then
    log "installing rp2040js $want (npm ci)"
    (cd "$EMU" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# --- boot ROM for the emulator (never copied into the repository) --------------------
BOOTROM=${RP2040_BOOTROM:-$ROOT/../shared/rp2040/bootrom-b1.bin}
if [ -f "$BOOTROM" ]; then
    BOOTROM=$(cd "$(dirname "$BOOTROM")" && pwd)/$(basename "$BOOTROM")
else
    log "warning: no RP2040 boot ROM at $BOOTROM: set RP2040_BOOTROM to run the emulator"
fi

cat >"$CACHE/env-rp2-$MP_LABEL.sh" <<ENV
. "$CACHE/env-$MP_LABEL.sh"
export PICO_SDK_PATH="$PICO_SDK_PATH"
export IRQIO_PICOTOOL_DIR="$PICOTOOL_DIR"
export RP2040_BOOTROM="$BOOTROM"
ENV
log "ready: $(mp_describe "$MICROPY_DIR"), pico-sdk $sdk_version ($PICO_SDK_PATH), picotool in $PICOTOOL_PREFIX"
