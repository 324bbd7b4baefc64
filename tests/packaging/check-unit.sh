#!/bin/bash
# check-unit.sh BUILD - the sandbox of packaging/systemd/xl-balance.service
# (run by check-packaging.sh, or alone):
#   - `systemd-analyze security --offline=true' rates it at most 5.5;
#   - a run that ends in 3 (partial) or 6 (undefined) fails the unit: its
#     SuccessExitStatus names neither;
#   - where systemd is PID 1, `xl-balance -b sim:paper rebalance --yes'
#     runs to its end under the unit's own [Service] lines (systemd-run -p,
#     taken from the file here so that they cannot drift), and the same
#     run with a migration that fails (exit 3) shows in `systemctl
#     --failed'.  Where systemd is not PID 1, boot-systemd.sh runs this
#     file in a QEMU guest where it is.
# Where a check cannot run it says why and counts as skipped, never as
# passed.  Last line: "unit: N passed, N failed, N skipped".
set -u

B=${1:-build}
cd "$(dirname "$0")/../.."
top=$(pwd)
UNIT=packaging/systemd/xl-balance.service
MAX_EXPOSURE=5.5
pass=0
fail=0
skipped=0
ok()   { pass=$((pass + 1)); echo "ok: $1"; }
bad()  {
    fail=$((fail + 1)); echo "FAIL: $1"; shift
    local l; for l in "$@"; do printf '    %s\n' "$l"; done
}
skip() { skipped=$((skipped + 1)); echo "skip: $1"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The [Service] section's settings, one KEY=VALUE a line, comments and
# blank lines dropped.
service_lines() {
    sed -n '/^\[Service\]/,/^\[/p' "$UNIT" | grep -vE '^[[:space:]]*(#|;|$|\[)'
}

# ---- exit codes -----------------------------------------------------------------
ses=$(service_lines | sed -n 's/^SuccessExitStatus=//p' | tr '\n' ' ')
if [[ " $ses " == *" 3 "* || " $ses " == *" 6 "* ]]; then
    bad "SuccessExitStatus=$ses: a partial (3) or undefined (6) run would not fail the unit"
else
    ok "SuccessExitStatus=${ses% }: exits 3 and 6 fail the unit"
fi

# ---- exposure -------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null 2>&1; then
    skip "exposure: no systemd-analyze here (package systemd)"
elif ! systemd-analyze security --help 2>&1 | grep -q -- '--offline'; then
    skip "exposure: systemd-analyze $(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') has no --offline (systemd 250 and later)"
else
    systemd-analyze security --offline=true --no-pager "$UNIT" >"$tmp/sec" 2>&1
    level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$tmp/sec")
    if [ -z "$level" ]; then
        bad "systemd-analyze security --offline=true $UNIT: no exposure level" "$(tail -n 5 "$tmp/sec")"
    elif awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'; then
        ok "systemd-analyze security --offline=true: exposure $level (at most $MAX_EXPOSURE)"
    else
        bad "exposure $level, over $MAX_EXPOSURE" "$(grep '✗' "$tmp/sec" | head -n 20)"
    fi
fi

# ---- under the sandbox, where systemd runs ------------------------------------------
# /proc, not ps: a minimal Debian has no procps.
pid1=$(cat /proc/1/comm 2>/dev/null)
if [ "$pid1" != systemd ] || [ ! -d /run/systemd/system ]; then
    why="systemd is not PID 1 here (PID 1: ${pid1:-unknown}; /run/systemd/system $([ -d /run/systemd/system ] && echo exists || echo missing))"
    skip "rebalance --yes under the unit's sandbox: $why"
    skip "a run exiting 3 shows in systemctl --failed: $why"
elif [ "$(id -u)" != 0 ]; then
    skip "rebalance --yes under the unit's sandbox: needs root (systemd-run of a system unit)"
    skip "a run exiting 3 shows in systemctl --failed: needs root"
else
    # The unit's lines as properties, but: its own command (the built
    # program on the simulated cluster), and state and runtime
    # directories of their own, so that the simulated moves never reach
    # this host's real history or lock.
    props=()
    while IFS= read -r l; do
        case $l in
            ExecStart=*|Type=*) continue ;;
            StateDirectory=*) l=StateDirectory=xl-balance-check ;;
            RuntimeDirectory=*) l=RuntimeDirectory=xl-balance-check ;;
        esac
        props+=(-p "$l")
    done < <(service_lines)
    # The configuration beside the build (PrivateTmp hides this /tmp):
    # the directories the sandbox makes writable, as the shipped defaults
    # use them.
    conf=$top/$B/unit-check.conf
    printf 'state_dir = "/var/lib/xl-balance-check"\nlock_file = "/run/xl-balance-check/lock"\n' >"$conf"
    chmod 600 "$conf"
    # The unit's command with the built program on the simulated cluster:
    # /usr/sbin/xl-balance --syslog rebalance --yes becomes
    # BUILD/xl-balance -c CONF -b sim:TOP/scenarios/paper.scn --syslog
    # rebalance --yes (a path: the unit runs in /, where sim:paper is not).
    read -r -a cmd < <(service_lines | sed -n 's/^ExecStart=//p')
    unit=xl-balance-check-$$
    systemd-run --quiet --wait --pipe --collect --unit="$unit" "${props[@]}" \
        -p Type=oneshot -p "Environment=LD_LIBRARY_PATH=$top/$B" \
        "$top/$B/xl-balance" -c "$conf" -b "sim:$top/scenarios/paper.scn" "${cmd[@]:1}" \
        >"$tmp/run.out" 2>"$tmp/run.err" </dev/null
    rc=$?
    if [ "$rc" = 0 ] && grep -q 'moved vm1 HostA -> HostB' "$tmp/run.out" &&
            [ -e /var/lib/xl-balance-check/history ] && [ -e /run/xl-balance-check/lock ]; then
        ok "${cmd[*]:1} on sim:paper under the unit's sandbox ($((${#props[@]} / 2)) properties): exit 0, moved, history and lock written"
    else
        # --syslog: its own messages are in the journal.
        bad "rebalance --yes under the unit's sandbox: exit $rc" "$(cat "$tmp/run.out" "$tmp/run.err" | tail -n 10)" \
            "$(journalctl --no-pager -q -u "$unit" 2>&1 | tail -n 10)"
    fi
    rm -rf /var/lib/xl-balance-check /run/xl-balance-check
    # A partial run (exit 3) of the same command under the same sandbox
    # and the unit's SuccessExitStatus: vm1's migration fails (the
    # scenario's what-if migfail=), and the unit shows as failed.
    sed 's/^\(vm vm1 .*\)$/\1 migfail=1M/' scenarios/paper.scn >"$top/$B/unit-migfail.scn"
    systemd-run --quiet --wait --pipe --unit="$unit-fail" "${props[@]}" \
        -p Type=oneshot -p "Environment=LD_LIBRARY_PATH=$top/$B" \
        "$top/$B/xl-balance" -c "$conf" -b "sim:$top/$B/unit-migfail.scn" "${cmd[@]:1}" \
        >"$tmp/fail.out" 2>"$tmp/fail.err" </dev/null
    rc=$?
    if [ "$rc" = 3 ] && systemctl --failed --no-legend --plain 2>/dev/null | grep -q "^$unit-fail.service"; then
        ok "a run whose migration fails exits 3 under the sandbox and shows in systemctl --failed"
    else
        bad "a partial run (exit $rc, wanted 3) is not in systemctl --failed" "$(systemctl status "$unit-fail" 2>&1 | head -5)" \
            "$(journalctl --no-pager -q -u "$unit-fail" 2>&1 | tail -n 10)"
    fi
    systemctl reset-failed "$unit-fail" >/dev/null 2>&1
    rm -rf /var/lib/xl-balance-check /run/xl-balance-check "$conf" "$top/$B/unit-migfail.scn"
fi

echo "unit: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
