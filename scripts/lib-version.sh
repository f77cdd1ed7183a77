# Which MicroPython a script builds with: sourced by setup.sh and the build scripts
# (not run on its own).
#
#   MICROPY_VERSION=1.25.0 | 1.26.1 | 1.28.0 | master   a MicroPython the scripts fetch
#   MICROPY_DIR=/path/to/micropython                    your own tree instead (label "own")
#
# Without either, each port uses its default (mp_select's argument): the newest
# release whose firmware passes that port's tests here (README: "Works with").
# Sources: 1.25.0 and 1.26.1 from Debian's source packages (trixie, unstable),
# 1.28.0 and the master snapshot from the source archives in
# $IRQIO_SHARED/micropython (default: ../shared beside the clone).
#
# Every version builds in folders of its own (build/<port>-<label>/), so builds of
# different versions never mix objects. A run that picked no version also points
# the usual place (build/unix, build/rp2, build/qemu, build/unix-sanitize) at its
# folder, which is what the tests, benchmarks and README use.

IRQIO_VERSIONS="1.25.0 1.26.1 1.28.0 master"
# Each port's default: the newest release verified here for it (README).
IRQIO_DEFAULT_UNIX=1.28.0
IRQIO_DEFAULT_RP2=1.25.0
IRQIO_DEFAULT_QEMU=1.25.0

# mp_select DEFAULT_VERSION: sets
#   MP_LABEL     the version (or "own" for MICROPY_DIR), names the build folders;
#   MP_DEFAULTED 1 when the user chose nothing (the port's default is used);
# and exports MICROPY_VERSION for the scripts this one runs.
mp_select() {
    if [ -n "${MICROPY_DIR:-}" ]; then
        MP_LABEL=own
        MP_DEFAULTED=${IRQIO_MP_DEFAULTED:-1}
    elif [ -n "${MICROPY_VERSION:-}" ]; then
        MP_LABEL=$MICROPY_VERSION
        MP_DEFAULTED=${IRQIO_MP_DEFAULTED:-0}
    else
        MICROPY_VERSION=$1
        MP_LABEL=$1
        MP_DEFAULTED=1
    fi
    case " $IRQIO_VERSIONS own " in
        *" $MP_LABEL "*) ;;
        *) echo "MICROPY_VERSION=$MP_LABEL: one of $IRQIO_VERSIONS (or MICROPY_DIR=your tree)" >&2; exit 2 ;;
    esac
    export MICROPY_VERSION IRQIO_MP_DEFAULTED=$MP_DEFAULTED
}

# mp_describe TREE: "MicroPython 1.28.0 (/path)" from the tree's py/mpconfig.h.
mp_describe() {
    local v
    v=$(sed -n 's/^#define MICROPY_VERSION_\(MAJOR\|MINOR\|MICRO\) \([0-9]*\)$/\2/p' "$1/py/mpconfig.h" | paste -sd.)
    if grep -q '^#define MICROPY_VERSION_PRERELEASE 1' "$1/py/mpconfig.h"; then
        v="$v-preview"
    fi
    echo "MicroPython $v ($1)"
}

# mp_build_dir ROOT PORT: build/<port>-<label>, made the usual build/<port> when
# the user chose no version. A pre-1.28-layout build/<port> (a real folder: the
# 1.25.0 build of earlier revisions) becomes build/<port>-1.25.0 rather than being
# rebuilt, when that is what it holds.
mp_build_dir() {
    local root=$1 port=$2 dir legacy
    dir=$root/build/$port-$MP_LABEL
    legacy=$root/build/$port
    if [ -d "$legacy" ] && [ ! -L "$legacy" ]; then
        local marks
        marks=$(find "$legacy" -maxdepth 4 -path '*/genhdr/qstr.i.last' 2>/dev/null | head -n1)
        if [ ! -e "$root/build/$port-1.25.0" ] && [ -n "$marks" ] \
            && grep -q "$root/.cache/micropython-1.25.0/" "$marks"; then
            mv "$legacy" "$root/build/$port-1.25.0"
        else
            rm -rf "$legacy"
        fi
    fi
    mkdir -p "$dir"
    if [ "$MP_DEFAULTED" = 1 ]; then
        ln -sfn "$port-$MP_LABEL" "$legacy"
    fi
    echo "$dir"
}
