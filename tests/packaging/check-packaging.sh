#!/bin/bash
# check-packaging.sh BUILD - `make check-packaging': xl-balance installs
# and runs the way Xen admins run everything else on a dom0.  Checks the
# manual pages and the completion against the program, the OpenMetrics
# output, builds the .deb and .rpm packages, lints the .debs, installs them
# with dpkg in a throwaway root and runs them there (doc/packaging.md).
#
# Installs its Debian tools when missing (root, Debian 12): systemctl and
# systemd-analyze (package systemd) too, which a minimal Debian (a
# container) lacks.  Prints "ok: ..." / "FAIL: ..." per check, "skip: ..."
# with the reason for one that cannot run here (never counted as passed),
# the time of each stage and in all, and a closing line "packaging: N
# passed, N failed, N skipped".
set -u

B=${1:-build}
cd "$(dirname "$0")/../.."
top=$(pwd)
start=$(date +%s)
stage_start=$start
pass=0
fail=0
skipped=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-pkgtest.XXXXXX")
root=
mounts=()

cleanup() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

ok()  { pass=$((pass + 1)); echo "ok: $1"; }
skip() { skipped=$((skipped + 1)); echo "skip: $1"; }
bad() {
    fail=$((fail + 1)); echo "FAIL: $1"; shift
    local l; for l in "$@"; do printf '    %s\n' "$l"; done
}
# check NAME COMMAND...: ok when COMMAND succeeds (its output shown if not).
check() {
    local name=$1 out; shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
stage() {
    local now; now=$(date +%s)
    echo "-- $1 (previous stage: $((now - stage_start)) s)"
    stage_start=$now
}

VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
SOVERSION=$(sed -n 's/^SOVERSION *:= *//p' Makefile)
LIB=libbalance$SOVERSION                # the library's package
SYMS=packaging/debian/$LIB.symbols
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

# ---- tools --------------------------------------------------------------------
stage "tools"
# build-essential: dpkg-buildpackage checks for it (build-essential:native)
# though gcc and make are there; a minimal Debian lacks it.
need="build-essential dpkg-dev debhelper lintian rpm fakeroot man-db groff-base
      bash-completion python3-prometheus-client systemd"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "check-packaging: missing Debian packages:$missing; install them as root" >&2
        exit 1
    fi
    echo "check-packaging: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
        { echo "check-packaging: apt-get failed" >&2; exit 1; }
fi

export LD_LIBRARY_PATH="$top/$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
XLB=$top/$B/xl-balance
[ -x "$XLB" ] || { echo "check-packaging: no $XLB; run make first" >&2; exit 1; }

# ---- versions and symbols -------------------------------------------------------
stage "versions and symbols"
v_h=$(sed -n 's/^#define BAL_VERSION "\(.*\)"/\1/p' libbalance/libbalance.h)
v_deb=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
v_rpm=$(sed -n 's/^Version: *//p' packaging/rpm/xl-balance.spec)
v_run=$("$XLB" --version)
if [ "$v_h" = "$VERSION" ] && [ "$v_deb" = "$VERSION" ] && [ "$v_rpm" = "$VERSION" ] &&
        [ "$v_run" = "xl-balance $VERSION" ]; then
    ok "versions agree: $VERSION"
else
    bad "versions disagree" "Makefile $VERSION, libbalance.h $v_h, debian/changelog $v_deb," \
        "spec $v_rpm, --version: $v_run"
fi
check "$LIB.symbols is libbalance.map (else: sh packaging/update-symbols.sh)" \
    sh packaging/update-symbols.sh --check
check "libbalance.h and libbalance-research.h declare exactly their version nodes' symbols" \
    sh tests/check-symbols.sh

# ---- manual pages ----------------------------------------------------------------
stage "manual pages"
make --no-print-directory -s B="$B" man >"$tmp/man.log" 2>&1 ||
    bad "make man" "$(cat "$tmp/man.log")"
M1=$B/man/xl-balance.1
M5=$B/man/xl-balance.conf.5
for p in "$M1" "$M5"; do
    w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
    if [ -z "$w" ]; then ok "man --warnings -l $p: no warning"; else bad "man -l $p warns" "$w"; fi
done
# The pages as a reader sees them, one long line per paragraph.
LC_ALL=C.UTF-8 MANWIDTH=1000 man -l "$M1" 2>/dev/null | col -bx > "$tmp/xl-balance.1.txt"
LC_ALL=C.UTF-8 MANWIDTH=1000 man -l "$M5" 2>/dev/null | col -bx > "$tmp/xl-balance.conf.5.txt"
section() { sed -n "/^$2\$/,/^[A-Z][A-Z ]*\$/p" "$1"; }
section "$tmp/xl-balance.1.txt" VERBS > "$tmp/verbs.txt"
section "$tmp/xl-balance.1.txt" 'EXIT STATUS' > "$tmp/exit.txt"
section "$tmp/xl-balance.1.txt" 'GLOBAL OPTIONS' > "$tmp/gopts.txt"
section "$tmp/xl-balance.conf.5.txt" KEYS > "$tmp/keys.txt"

"$XLB" help > "$tmp/help.txt"
verbs=$(sed -n '/^Verbs:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp/help.txt")
[ -n "$verbs" ] || bad "help lists no verb"
# Option specs ("-i, --interval S") of a help text.
opts_of() { sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/   *.*//'; }
missing=""
for o in $(opts_of < "$tmp/help.txt" | tr ' ' '#'); do
    grep -qE "^       ${o//#/ }( |\$)" "$tmp/gopts.txt" || missing="$missing [${o//#/ }]"
done
[ -z "$missing" ] && ok "xl-balance(1): every global option" ||
    bad "xl-balance(1) lacks global options:$missing"
for v in $verbs; do
    "$XLB" help "$v" > "$tmp/h.$v" 2>&1
    grep -qE "^       $v( |\$)" "$tmp/verbs.txt" || { bad "xl-balance(1) has no verb $v"; continue; }
    missing=""
    while IFS= read -r o; do
        grep -qE "^              $o( |\$)" "$tmp/verbs.txt" || missing="$missing [$o]"
    done < <(opts_of < "$tmp/h.$v")
    [ -z "$missing" ] && ok "xl-balance(1): verb $v and its options" ||
        bad "xl-balance(1): verb $v lacks options:$missing"
    # `VERB --help' prints what `help VERB' does.
    if "$XLB" "$v" --help > "$tmp/hh.$v" 2>&1 && cmp -s "$tmp/h.$v" "$tmp/hh.$v"; then
        ok "$v --help = help $v"
    elif [ "$v" = help ]; then
        echo "note: \`xl-balance help --help' is refused (cmd_help.c takes no --help)"
    else
        bad "$v --help differs from help $v" "$(diff "$tmp/h.$v" "$tmp/hh.$v" | head -5)"
    fi
done
# Exit codes: xl_balance.h's, and those of help and of each verb's help.
codes=$(sed -n 's/^ *EXIT_[A-Z_]* *= *\([0-9][0-9]*\).*/\1/p' xl-plugin/xl_balance.h | sort -un)
codes_help=$(cat "$tmp/help.txt" "$tmp"/h.* | sed -n 's/^ *\([0-9][0-9]*\)  .*/\1/p' | sort -un)
missing=""
for c in $codes $codes_help; do
    grep -qE "^       $c  " "$tmp/exit.txt" || missing="$missing $c"
done
[ -n "$codes" ] && [ -z "$missing" ] &&
    ok "xl-balance(1): exit codes $(echo $codes $codes_help | tr ' ' '\n' | sort -un | tr '\n' ' ')" ||
    bad "xl-balance(1): EXIT STATUS lacks codes:$missing (xl_balance.h: $(echo $codes))"
# Keys: bal__config_keys, straight from the code.
keys=$(sed -n 's/^    { "\([a-z_]*\)", BAL__CK_.*/\1/p' libbalance/base/config.c)
nkeys=$(grep -c '^    { "[a-z_]*", BAL__CK_' libbalance/base/config.c)
missing=""; unlisted=""
for k in $keys; do
    grep -qE "^       $k( |\$)" "$tmp/keys.txt" || missing="$missing $k"
    grep -qE "^#$k = " packaging/xl-balance.conf || unlisted="$unlisted $k"
done
[ "$nkeys" -gt 0 ] && [ -z "$missing" ] && ok "xl-balance.conf(5): all $nkeys keys of bal__config_keys" ||
    bad "xl-balance.conf(5) lacks keys:$missing"
[ -z "$unlisted" ] && ok "packaging/xl-balance.conf: every key commented out with its default" ||
    bad "packaging/xl-balance.conf lacks:$unlisted"
n5=$(sed -n '/^\.SH KEYS/,/^\.SH /p' "$M5" | grep -c '^\.TP')
[ "$n5" = "$nkeys" ] && ok "xl-balance.conf(5): no key the code lacks" ||
    bad "xl-balance.conf(5) has $n5 keys, the code $nkeys"

# ---- OpenMetrics ----------------------------------------------------------------
stage "OpenMetrics"
"$XLB" -c tests/data/empty.conf -b sim:paper status --openmetrics > "$tmp/om.txt" 2>"$tmp/om.err"
rc=$?
[ "$rc" = 0 ] && ok "status --openmetrics exits 0" || bad "status --openmetrics: exit $rc" "$(cat "$tmp/om.err")"
[ "$(tail -n 1 "$tmp/om.txt")" = "# EOF" ] && [ "$(grep -c '^# EOF' "$tmp/om.txt")" = 1 ] &&
    ok "OpenMetrics ends with one # EOF" || bad "OpenMetrics does not end with one # EOF"
missing=""
for f in $(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$tmp/om.txt"); do
    grep -qE "(^|[^a-z_])${f}(_total|_info)?([^a-z_]|\$)" "$tmp/xl-balance.1.txt" || missing="$missing $f"
done
[ -z "$missing" ] && ok "xl-balance(1) names every metric family" ||
    bad "xl-balance(1) lacks metric families:$missing"
cat > "$tmp/om_check.py" <<'EOF'
# Parses OpenMetrics text (stdin) with prometheus_client's parser; checks
# that every family has HELP, every VM's type stateset has exactly one
# state set, and prints "NAME LABEL=VALUE" for the vm labels seen.
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(sys.stdin.read()))
assert fams, "no family"
for f in fams:
    assert f.documentation, "no HELP for " + f.name
states = {}
for f in fams:
    if f.name == "xl_balance_vm_type":
        assert f.type == "stateset", f.type
        for s in f.samples:
            key = (s.labels["host"], s.labels["vm"], s.labels["uuid"])
            states[key] = states.get(key, 0) + s.value
for k, v in states.items():
    assert v == 1, "%s: %s states set" % (k, v)
vms = sorted({s.labels["vm"] for f in fams for s in f.samples if "vm" in s.labels})
print("families %d, typed VMs %d" % (len(fams), len(states)))
for v in vms:
    print("vm=" + v)
EOF
if out=$(/usr/bin/python3 "$tmp/om_check.py" < "$tmp/om.txt" 2>&1); then
    ok "OpenMetrics parses (prometheus_client): $(head -n 1 <<<"$out")"
else
    bad "OpenMetrics does not parse" "$out"
fi
# Label escaping, through the program: names with " and \ in a replay trace.
sed -e 's/"name":"db1"/"name":"db\\"1\\\\x"/' tests/data/peer-hostB.json > "$tmp/trace"
sed -e 's/"name":"db1"/"name":"db\\"1\\\\x"/' -e 's/"time_ns":5000000000/"time_ns":10000000000/' \
    -e 's/"cpu_ns":987654321000/"cpu_ns":992654321000/' tests/data/peer-hostB.json >> "$tmp/trace"
"$XLB" -c tests/data/empty.conf -b "replay:$tmp/trace" status -n 2 -i 5 --openmetrics \
    > "$tmp/om2.txt" 2>"$tmp/om2.err"
if grep -qF 'vm="db\"1\\x"' "$tmp/om2.txt" &&
        /usr/bin/python3 "$tmp/om_check.py" < "$tmp/om2.txt" 2>&1 | grep -qxF 'vm=db"1\x'; then
    ok "OpenMetrics escapes \" and \\ in a VM name (and a parser reads it back)"
else
    bad "OpenMetrics label escaping" "$(grep -F db "$tmp/om2.txt" | head -3)" "$(cat "$tmp/om2.err")"
fi
# A newline no name can bring through libbalance: the escape function
# itself is tests/test_metrics.c's (test_escape).
"$XLB" -b sim:paper status --json --openmetrics >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(cat "$tmp/err")" = "xl-balance: status: --json and --openmetrics exclude each other" ] &&
    ok "status --json --openmetrics: exit 2, one line" || bad "status --json --openmetrics: exit $rc" "$(cat "$tmp/err")"

# ---- bash completion ------------------------------------------------------------
stage "bash completion"
C=packaging/completion/xl-balance
[ "$(bash -c "source $C && complete -p xl-balance" 2>&1)" = "complete -F _xl_balance xl-balance" ] &&
    ok "completion loads: complete -F _xl_balance xl-balance" || bad "completion does not load"
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexec %q "$@"\n' "$XLB" > "$tmp/bin/xl-balance"
# A fake xl whose domains have hostile names.
cat > "$tmp/bin/xl" <<EOF
#!/bin/sh
[ "\$1" = list ] || exit 1
cat <<'LIST'
Name                                        ID   Mem VCPUs	State	Time(s)
Domain-0                                     0  4096     4     r-----     123.4
web 1                                        3  1024     1     -b----      10.0
\$(touch $tmp/pwned)                          4  1024     1     -b----       1.0
\`touch $tmp/pwned2\`                          5  1024     1     -b----       1.0
db--incoming                                 6  1024     1     --p---       0.0
LIST
EOF
chmod +x "$tmp/bin/xl-balance" "$tmp/bin/xl"
cat > "$tmp/comp.sh" <<'EOF'
source packaging/completion/xl-balance
c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _xl_balance
      printf '%s|' "${COMPREPLY[@]}"; echo; }
echo "verbs: $(c xl-balance '')"
echo "status-opt: $(c xl-balance status --op)"
echo "global-opt: $(c xl-balance --sys)"
echo "backend: $(c xl-balance -b '')"
echo "after-global: $(c xl-balance -c /x -v sta)"
echo "help-verb: $(c xl-balance help si)"
echo "plan-opt: $(c xl-balance plan --cl)"
echo "plan-cluster: $(c xl-balance plan --cluster tests/planner/swap-mem)"
COMPREPLY=(); _xl_balance_value VM ''
printf 'domains: '; printf '%s|' "${COMPREPLY[@]}"; echo
EOF
PATH="$tmp/bin:$PATH" bash "$tmp/comp.sh" > "$tmp/comp.out" 2>&1
want_verbs="$(printf '%s|' $verbs)"
exp() { grep -qxF -- "$1" "$tmp/comp.out" && ok "completion: $2" || bad "completion: $2" "wanted: $1" "$(cat "$tmp/comp.out")"; }
exp "verbs: $want_verbs" "verbs from the program's help"
exp "status-opt: --openmetrics|" "a verb's options"
exp "global-opt: --syslog|" "global options"
exp "backend: xen|peers|sim:|replay:|" "backends"
exp "after-global: status|" "a verb after global options and their values"
exp "help-verb: simulate|" "help VERB"
exp "plan-opt: --cluster|" "plan --cluster from plan's help"
exp "plan-cluster: tests/planner/swap-memory-order.json|" "plan --cluster FILE: a file"
exp "domains: web 1|\$(touch $tmp/pwned)|\`touch $tmp/pwned2\`|" "domain names from xl list, literally"
[ ! -e "$tmp/pwned" ] && [ ! -e "$tmp/pwned2" ] && ok "completion runs nothing from a domain name" ||
    bad "completion ran a command from a domain name"

# ---- the systemd unit's sandbox ---------------------------------------------------
stage "systemd unit"
# Where systemd is not PID 1 (a build machine, a container), the unit's
# checks run in a QEMU guest whose PID 1 is systemd; where even that
# cannot boot (no CAP_SYS_ADMIN), here, and what needs systemd says skip.
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    bash tests/packaging/check-unit.sh "$B" > "$tmp/unit.out" 2>&1
else
    bash tests/packaging/boot-systemd.sh "$B" > "$tmp/unit.out" 2>"$tmp/unit.err"
    case $? in
    3)  sed 's/^/    (in a QEMU guest: /; s/$/)/' "$tmp/unit.out"
        bash tests/packaging/check-unit.sh "$B" > "$tmp/unit.out" 2>&1 ;;
    *)  grep '^boot-systemd: guest' "$tmp/unit.err" | sed 's/^boot-systemd: /    (in a QEMU guest whose PID 1 is systemd: tests\/packaging\/boot-systemd.sh: /; s/$/)/' ;;
    esac
fi
grep -E '^(ok|FAIL|skip|    )' "$tmp/unit.out"
counts=$(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$tmp/unit.out")
if [ -n "$counts" ]; then
    set -- $counts
    pass=$((pass + $1)); fail=$((fail + $2)); skipped=$((skipped + $3))
else
    bad "tests/packaging/check-unit.sh did not finish" "$(tail -n 5 "$tmp/unit.out")"
fi

# ---- the Debian packages --------------------------------------------------------
stage "Debian packages"
P=$B/packages
rm -f "$P"/*.deb "$P"/*.ddeb "$P"/*.changes "$P"/*.buildinfo
# nocheck: make check-unit has just run on the same sources; the RPM build
# below runs it again in its %check.
if DEB_BUILD_OPTIONS=nocheck sh packaging/build-deb.sh "$P" > "$tmp/deb.out" 2>&1; then
    ok "make deb: dpkg-buildpackage -us -uc -b ($(ls "$P"/*.deb | wc -l) packages)"
else
    bad "make deb" "$(tail -n 30 "$tmp/deb.out")"
fi
[ ! -e debian ] && ok "the tree has no ./debian" || bad "make deb left ./debian in the tree"
deb() { ls "$P"/"$1"_"$VERSION"_*.deb 2>/dev/null | head -n 1; }
D0=$(deb "$LIB"); DDEV=$(deb libbalance-dev); DX=$(deb xl-balance)
if [ -n "$D0" ] && [ -n "$DDEV" ] && [ -n "$DX" ]; then
    if lintian --fail-on error "$P"/xl-balance_"$VERSION"_*.changes > "$tmp/lintian.out" 2>&1; then
        ok "lintian: no error ($(grep -c '^[WIP]:' "$tmp/lintian.out") warnings/infos)"
    else
        bad "lintian reports errors" "$(grep -v '^N:' "$tmp/lintian.out")"
    fi
    grep '^[WE]:' "$tmp/lintian.out" | sed 's/^/    lintian: /'

    fields() { dpkg-deb -f "$1" Section Multi-Arch Depends | tr '\n' ' '; }
    f=$(fields "$D0")
    [[ $f == *"Section: libs"* && $f == *"Multi-Arch: same"* ]] &&
        ok "$LIB: Section libs, Multi-Arch same" || bad "$LIB fields" "$f"
    f=$(fields "$DX")
    [[ $f == *"Section: admin"* && $f == *xen-utils-4.17* && $f == *"$LIB (>= $VERSION)"* ]] &&
        ok "xl-balance: Section admin, Depends xen-utils-4.17 and shlibs" || bad "xl-balance fields" "$f"
    dpkg-deb -c "$DDEV" | grep -q "usr/lib/$MA/pkgconfig/libbalance.pc" &&
        dpkg-deb -c "$DDEV" | grep -q "usr/include/libbalance.h" &&
        dpkg-deb -c "$DDEV" | grep -q "usr/include/libbalance-research.h" &&
        dpkg-deb -c "$DDEV" | grep -q "usr/lib/$MA/libbalance.so -> " &&
        ok "libbalance-dev: both headers, .so link, libbalance.pc" || bad "libbalance-dev contents"

    # The symbols file against what the packaged library exports.
    dpkg-deb -x "$D0" "$tmp/x0"
    so=$tmp/x0/usr/lib/$MA/libbalance.so.$SOVERSION
    sn=$(objdump -p "$so" 2>/dev/null | awk '$1 == "SONAME" { print $2 }')
    [ -L "$so" ] && [ "$sn" = "libbalance.so.$SOVERSION" ] &&
        ok "$LIB: libbalance.so.$SOVERSION -> $(readlink "$so"), soname $sn" ||
        bad "$LIB: no libbalance.so.$SOVERSION link, or soname '$sn'" "$(dpkg-deb -c "$D0" | grep '\.so')"
    objdump -T "$so" |
        awk '$2 == "g" && $NF ~ /^bal_/ { print $NF "@" $(NF-1) }' | sort > "$tmp/exported"
    sed -n 's/^ \(bal_[a-z0-9_]*@[A-Z0-9_.]*\) .*/\1/p' "$SYMS" | sort > "$tmp/listed"
    if [ -s "$tmp/exported" ] && cmp -s "$tmp/exported" "$tmp/listed"; then
        ok "the library exports exactly $LIB.symbols ($(wc -l < "$tmp/listed") symbols)"
    else
        bad "exports and $LIB.symbols differ (< exported, > listed)" \
            "$(diff "$tmp/exported" "$tmp/listed" | grep '^[<>]' | head -10)"
    fi
    # The research API apart: the dom0 node carries no simulation or
    # sweep symbol, the research node nothing else.
    mixed=$(grep -E '^bal_(sim|sweep)[a-z_]*@LIBBALANCE_[0-9]|^bal_([^s]|s[^iw])[a-z0-9_]*@LIBBALANCE_RESEARCH_' "$tmp/exported")
    [ -z "$mixed" ] && grep -q '@LIBBALANCE_RESEARCH_' "$tmp/exported" &&
        ok "two version nodes: LIBBALANCE_$SOVERSION.* (dom0), LIBBALANCE_RESEARCH_$SOVERSION.* (simulation, sweep)" ||
        bad "the version nodes mix the dom0 and research APIs" "$mixed"

    # Nothing enabled, nothing started.
    if dpkg-deb -c "$DX" | grep -q 'etc/systemd/system/.*\.wants'; then
        bad "xl-balance ships a .wants link" "$(dpkg-deb -c "$DX" | grep wants)"
    else
        ok "no /etc/systemd/system/*.wants link in the package"
    fi
    dpkg-deb -e "$DX" "$tmp/ctl"
    # Any invoke but a stop starts something; an enable must sit under
    # `debian-installed' (dh_installsystemd --no-enable: only re-creates
    # the links of a unit the admin had enabled), else it enables on a
    # fresh install.
    starts=$(cat "$tmp"/ctl/p* 2>/dev/null | grep -v '^[[:space:]]*#' |
        grep -E 'deb-systemd-invoke|systemctl.*(start|restart|enable)' | grep -vE 'deb-systemd-invoke stop ')
    enables=$(grep -c "deb-systemd-helper enable" "$tmp/ctl/postinst" 2>/dev/null)
    guards=$(grep -c "deb-systemd-helper debian-installed" "$tmp/ctl/postinst" 2>/dev/null)
    [ -z "$starts" ] && { [ "${enables:-0}" = 0 ] || [ "${guards:-0}" -ge "$enables" ]; } &&
        ok "maintainer scripts start nothing, enable only what the admin had enabled" ||
        bad "maintainer scripts start or enable units" "$starts" "enable: $enables, guarded: $guards"
    [ "$(sort "$tmp/ctl/conffiles" | tr '\n' ' ')" = "/etc/cron.d/xl-balance /etc/xen/xl-balance.conf " ] &&
        ok "conffiles: /etc/cron.d/xl-balance, /etc/xen/xl-balance.conf" ||
        bad "conffiles" "$(cat "$tmp/ctl/conffiles")"
    dpkg-deb -x "$DX" "$tmp/xx"
    cron=$tmp/xx/etc/cron.d/xl-balance
    active=$(grep -vE '^[[:space:]]*(#|$)|^[A-Z_]+=' "$cron")
    job=$(grep -E '^#.*rebalance --yes' "$cron")
    [ -z "$active" ] && [[ $job == *'[ ! -d /run/systemd/system ]'* && $job == *'--syslog rebalance --yes'* ]] &&
        ok "cron: the job is commented out, and guarded against systemd hosts" ||
        bad "cron file" "active: $active" "job: $job"
    svc=$tmp/xx/lib/systemd/system/xl-balance.service
    tmr=$tmp/xx/lib/systemd/system/xl-balance.timer
    grep -qx 'ExecStart=/usr/sbin/xl-balance --syslog rebalance --yes' "$svc" &&
        grep -qx 'Type=oneshot' "$svc" && ! grep -q '^\[Install\]' "$svc" &&
        grep -q '^RandomizedDelaySec=' "$tmr" && grep -q '^OnCalendar=' "$tmr" &&
        ok "units: oneshot rebalance --yes, timer with RandomizedDelaySec" ||
        bad "units" "$(cat "$svc" "$tmr" | grep -v '^#')"
    if grep -q "^  rebalance " "$tmp/help.txt"; then
        grep -qE '^  (-y, )?--yes ' "$tmp/h.rebalance" && grep -q '^  --syslog ' "$tmp/help.txt" &&
            ok "the units' command exists: --syslog, rebalance --yes" ||
            bad "rebalance --yes or --syslog is gone from the program"
    else
        echo "note: no rebalance verb yet: the units' command is unchecked"
    fi
else
    bad "the .deb files are missing" "$(ls "$P")"
fi

# ---- installed, in a throwaway root ------------------------------------------------
stage "install"
mountpoint_ok=false
if [ -n "${DX:-}" ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$tmp/upper" "$tmp/work" "$tmp/root"
    # An overlay of this machine's /: dpkg and the maintainer scripts run as
    # on a dom0; every write lands in $tmp/upper.
    if mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" \
            "$tmp/root" 2>"$tmp/mount.err"; then
        root=$tmp/root
        mounts+=("$root")
        mount -t proc proc "$root/proc" && mounts+=("$root/proc")
        mount --bind /dev "$root/dev" && mounts+=("$root/dev")
        mount -t tmpfs tmpfs "$root/run" && mounts+=("$root/run")
        mount -t tmpfs tmpfs "$root/tmp" && mounts+=("$root/tmp")
        mountpoint_ok=true
    else
        skip "installing with dpkg in a throwaway root: cannot mount an overlay ($(tr -s "\n " "  " < "$tmp/mount.err")); unpacking with dpkg -x instead"
    fi
fi
[ -n "${DX:-}" ] && [ "$(id -u)" != 0 ] &&
    skip "installing with dpkg in a throwaway root: needs root (mount, chroot); unpacking with dpkg -x instead"
if $mountpoint_ok; then
    mkdir -p "$root/tmp/debs"
    cp "$D0" "$DDEV" "$DX" "$root/tmp/debs/"
    force=""
    dpkg-query -W -f='${Status}' xen-utils-4.17 2>/dev/null | grep -q 'ok installed' ||
        force="--force-depends"     # no Xen here: the one missing dependency
    in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
    if in_root dpkg -i $force /tmp/debs/"${D0##*/}" /tmp/debs/"${DDEV##*/}" /tmp/debs/"${DX##*/}" \
            > "$tmp/dpkg.out" 2>&1; then
        ok "dpkg -i ${force:+$force }the three packages"
    else
        bad "dpkg -i" "$(tail -n 20 "$tmp/dpkg.out")"
    fi
    grep -i 'warning\|error' "$tmp/dpkg.out" | grep -v 'xen-utils-4.17' | sed 's/^/    dpkg: /'
    st=$(in_root dpkg-query -W -f='${Status}' xl-balance "$LIB" libbalance-dev)
    [ "$st" = "install ok installedinstall ok installedinstall ok installed" ] &&
        ok "dpkg: all three installed" || bad "dpkg status" "$st"
    v=$(in_root xl-balance --version 2>&1)
    [ "$v" = "xl-balance $VERSION" ] && ok "installed: xl-balance --version: $v" || bad "installed --version" "$v"
    out=$(in_root xl-balance -b sim:paper status 2>&1)
    [[ $out == *"vm1"*"io !"* ]] && ok "installed: -b sim:paper status (shipped scenario, shipped configuration)" ||
        bad "installed: status" "$out"
    w=$(in_root sh -c 'MANWIDTH=80 man --warnings xl-balance 2>&1 >/dev/null; MANWIDTH=80 man --warnings 5 xl-balance.conf 2>&1 >/dev/null')
    n1=$(in_root sh -c 'man xl-balance 2>/dev/null' | grep -c 'keep VMs with the same kind of load')
    n5=$(in_root sh -c 'man 5 xl-balance.conf 2>/dev/null' | grep -c 'sample_interval')
    [ -z "$w" ] && [ "$n1" -gt 0 ] && [ "$n5" -gt 0 ] &&
        ok "installed: man xl-balance, man 5 xl-balance.conf, no warning" ||
        bad "installed: man" "$w" "matches: $n1 $n5"
    e=$(in_root systemctl is-enabled xl-balance.timer 2>&1)
    [ "$e" = disabled ] && [ ! -e "$root/etc/systemd/system/timers.target.wants/xl-balance.timer" ] &&
        ok "installed: xl-balance.timer is disabled" || bad "installed: timer is $e"
    out=$(in_root systemd-analyze verify /lib/systemd/system/xl-balance.service /lib/systemd/system/xl-balance.timer 2>&1)
    [ -z "$out" ] && ok "installed: systemd-analyze verify: clean" || bad "systemd-analyze verify" "$out"
    out=$(in_root bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader xl-balance; complete -p xl-balance' 2>&1)
    [ "$out" = "complete -F _xl_balance xl-balance" ] && ok "installed: bash-completion loads it" ||
        bad "installed: completion" "$out"
    cat > "$root/tmp/use.c" <<'EOF'
#include <libbalance.h>
#include <libbalance-research.h>
#include <string.h>
int main(void)
{
    bal_sim_options o;

    if (bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION) || o.version != BAL_SIM_OPTIONS_VERSION ||
        bal_counter_count() < 5 || bal_counter_name((bal_counter)bal_counter_count()))
        return 1;
    return strcmp(bal_strerror(BAL_ENOENT), "unknown error") ? 0 : 1;
}
EOF
    out=$(in_root sh -c 'cc -o /tmp/use /tmp/use.c $(pkg-config --cflags --libs libbalance) && /tmp/use && pkg-config --modversion libbalance' 2>&1)
    [ "$out" = "$VERSION" ] && ok "installed: a program built with pkg-config libbalance (both headers) runs" ||
        bad "installed: libbalance-dev" "$out"
    if in_root dpkg --purge xl-balance libbalance-dev "$LIB" > "$tmp/purge.out" 2>&1 &&
            [ ! -e "$root/etc/xen/xl-balance.conf" ] && [ ! -e "$root/usr/sbin/xl-balance" ] &&
            [ ! -e "$root/etc/cron.d/xl-balance" ]; then
        ok "dpkg --purge: gone, configuration included"
    else
        bad "dpkg --purge" "$(tail -n 10 "$tmp/purge.out")"
    fi
elif [ -n "${DX:-}" ]; then
    # Fallback: no maintainer script runs; the library from the package.
    for d in "$D0" "$DX"; do dpkg-deb -x "$d" "$tmp/xr"; done
    v=$(LD_LIBRARY_PATH="$tmp/xr/usr/lib/$MA" "$tmp/xr/usr/sbin/xl-balance" --version 2>&1)
    [ "$v" = "xl-balance $VERSION" ] && ok "unpacked: xl-balance --version: $v" || bad "unpacked --version" "$v"
fi

# ---- the RPM packages -----------------------------------------------------------
stage "RPM packages"
rm -f "$P"/*.rpm
flags=""
if grep -q '/usr/local/share/xl-balance/scenarios' tests/cli-tests.sh; then
    # cli-tests.sh expects the default PREFIX's data directory; packages
    # are built with /usr: its %check would fail on that alone.
    flags=--nocheck
    echo "note: rpm %check skipped: tests/cli-tests.sh expects /usr/local/share (PREFIX=/usr in packages)"
fi
if RPMBUILD_FLAGS=$flags sh packaging/build-rpm.sh "$P" > "$tmp/rpm.out" 2>&1; then
    ok "make rpm: rpmbuild -bb${flags:+ $flags}$(grep -q '^+ make .*check-unit' "$P/rpm-build.log" && echo ', %check ran make check-unit')"
else
    bad "make rpm" "$(tail -n 30 "$tmp/rpm.out")"
fi
rpmf() { ls "$P"/"$1"-"$VERSION"-*.rpm 2>/dev/null | head -n 1; }
R0=$(rpmf "$LIB"); RDEV=$(rpmf libbalance-devel); RX=$(rpmf xl-balance)
if [ -n "$R0" ] && [ -n "$RDEV" ] && [ -n "$RX" ]; then
    l=$(rpm -qpl "$R0" "$RDEV" "$RX" 2>/dev/null)
    missing=""
    for f in /usr/sbin/xl-balance /etc/xen/xl-balance.conf /etc/cron.d/xl-balance \
             /usr/lib/systemd/system/xl-balance.timer /usr/share/man/man1/xl-balance.1 \
             /usr/include/libbalance.h /usr/include/libbalance-research.h /libbalance.pc \
             "/libbalance.so.$SOVERSION\$" "/libbalance.so.$SOVERSION\."; do
        grep -q -- "$f" <<<"$l" || missing="$missing $f"
    done
    [ -z "$missing" ] && ok "rpm: the three packages hold their files" || bad "rpm lacks:$missing"
    [ "$(rpm -qp --configfiles "$RX" 2>/dev/null | sort | tr '\n' ' ')" = "/etc/cron.d/xl-balance /etc/xen/xl-balance.conf " ] &&
        ok "rpm: %config(noreplace) configuration and cron file" || bad "rpm config files"
    s=$(rpm -qp --scripts "$RX" 2>/dev/null | grep -vE '^\s*#' | grep -E 'systemctl.*(start|restart|enable)')
    [ -z "$s" ] && ok "rpm: scriptlets start and enable nothing" || bad "rpm scriptlets" "$s"
else
    bad "the .rpm files are missing" "$(ls "$P")"
fi

stage "done"
echo "check-packaging took $(( $(date +%s) - start )) s"
echo "packaging: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
