# common.sh - shared helpers of the check-xen harness (host side): messages,
# stage timing, the cache directory.  Sourced by check-xen.sh (bash).

XLB_T0=$(date +%s)
XLB_STAGES=""            # "name seconds" lines, printed at the end

say()  { printf 'check-xen: %s\n' "$*"; }
warn() { printf 'check-xen: %s\n' "$*" >&2; }

# die MESSAGE: the one failure exit of the harness.  The boot code adds the
# serial log tails through XLB_ON_FAIL before we get here.
die() {
    warn "FAILED: $*"
    if [ -n "${XLB_ON_FAIL:-}" ]; then "$XLB_ON_FAIL" >&2; fi
    stage_summary >&2
    echo "xen: 0 passed, 1 failed"
    exit 1
}

# stage NAME CMD...: runs CMD, prints how long it took, dies when it fails.
# Times are wall seconds on the host clock: what CI pays.
stage() {
    local name=$1 t0 rc
    shift
    say "== $name"
    t0=$(date +%s)
    "$@"
    rc=$?
    local dt=$(( $(date +%s) - t0 ))
    XLB_STAGES="$XLB_STAGES$name $dt
"
    say "[T] $name ${dt}s"
    [ "$rc" -eq 0 ] || die "stage $name failed (exit $rc)"
}

stage_summary() {
    printf 'check-xen: stage times (s):\n'
    printf '%s' "$XLB_STAGES" | while read -r n s; do
        [ -n "$n" ] && printf '  %-22s %5s\n' "$n" "$s"
    done
    printf '  %-22s %5s\n' total $(( $(date +%s) - XLB_T0 ))
}

# cannot_boot: prints why this machine cannot run the harness at all, or
# nothing (exit 1) when it can.  mmdebstrap --mode=root mounts /proc,
# /sys and /dev in dom0's root as it builds it, which needs CAP_SYS_ADMIN:
# a container run without it (docker's default) has none, and make check
# there skips this stage rather than fail or pass it.
cannot_boot() {
    if ! unshare --mount sh -c 'mount -t tmpfs xlb-probe /mnt' 2>/dev/null; then
        echo "cannot mount in a mount namespace of its own (no CAP_SYS_ADMIN: a container?), which mmdebstrap needs to build dom0's root"
        return 0
    fi
    return 1
}

# The cache of slow-to-build images: root's is system-wide, anyone else's
# (e.g. a developer with sudo rights for apt only) under XDG_CACHE_HOME.
cache_dir() {
    if [ -n "${XLB_XEN_CACHE:-}" ]; then
        echo "$XLB_XEN_CACHE"
    elif [ "$(id -u)" = 0 ]; then
        echo /var/cache/xl-balance-xen
    else
        echo "${XDG_CACHE_HOME:-$HOME/.cache}/xl-balance-xen"
    fi
}

# is_installed PKG: Debian package installed and configured.
is_installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
        grep -q '^install ok installed$'
}

# apt_lists_fresh: apt has package lists, less than a day old.  A fresh
# machine has none; a day-old list may name versions the mirror dropped.
apt_lists_fresh() {
    find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 \
        2>/dev/null | grep -q .
}

apt_update_if_stale() {
    apt_lists_fresh && return 0
    say "apt-get update (package lists missing or older than a day)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
}

# apt_install PKG...: installs those missing, quietly; dies with apt's log.
apt_install() {
    local missing="" p log
    for p in "$@"; do is_installed "$p" || missing="$missing $p"; done
    [ -z "$missing" ] && return 0
    [ "$(id -u)" = 0 ] || { warn "missing Debian packages:$missing (install them as root)"; return 1; }
    apt_update_if_stale || return 1
    say "apt-get install$missing"
    log=$(mktemp)
    # shellcheck disable=SC2086
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends $missing >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}
