# Debian package helpers, sourced by the scripts/setup*.sh scripts (not run on its
# own).
#
# deb_install PACKAGE...: installs those not installed yet from the machine's own
# apt sources, without recommends (qemu's would pull in a desktop's worth of media
# libraries), as root or through sudo.
#
# apt_private [SUITE]: a private apt configuration for Debian SUITE (trixie by
# default, in $CACHE/apt; others in $CACHE/apt-SUITE, e.g. sid for MicroPython
# 1.26.1 and pico-sdk 2.2.0), so packages and source packages of that suite can be
# fetched on a bookworm machine without touching the machine's own apt sources. Sets the array APT to the
# options for apt-get/apt-cache. The mirror is read from the machine's own apt
# configuration at run time; no host name is written here.
#
# Needs: CACHE (folder for caches) and a `log` function.

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

deb_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    log "installing Debian packages: ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_private() {
    local suite=${1:-trixie} d=$CACHE/apt
    [ "$suite" = trixie ] || d=$CACHE/apt-$suite
    if [ ! -f "$d/sources.list" ]; then
        local mirror
        mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
        if [ -z "$mirror" ]; then
            mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
        fi
        [ -n "$mirror" ] || { log "cannot find the machine's Debian mirror"; exit 1; }
        mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
        printf 'deb-src %s %s main\ndeb %s %s main\n' "$mirror" "$suite" "$mirror" "$suite" >"$d/sources.list.new"
        mv "$d/sources.list.new" "$d/sources.list"
    fi
    APT=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=- \
         -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
    if [ ! -f "$d/.updated" ]; then
        log "updating the private $suite package lists"
        apt-get "${APT[@]}" update -qq
        touch "$d/.updated"
    fi
}
