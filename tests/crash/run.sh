#!/bin/sh
# The crash-injection harness (make check-crash; issue 14, item 1).
#
# What it does: a simulated `xl-balance rebalance --yes' (the paper's
# swap, scenarios/paper.scn) runs with crashshim.so preloaded, which kills
# it (SIGKILL) at its Nth write, pwrite, fsync, rename, unlink, file
# creation (open with O_CREAT) or truncation (ftruncate, truncate,
# O_TRUNC) of a file of the run - its state directory, its lock, the
# simulated cluster - for N = 1, 2, ... until a run completes without
# reaching N; all of it twice: plain (killed before the operation) and
# torn (a write killed after half of its buffer).
#
# What it checks, after each kill, with two more runs without the shim:
#   - the first exits 0 (every move it finds in doubt is closed: the
#     simulator never leaves a VM on two hosts or none), its stderr only
#     the documented recovery warnings: a torn line cut, a migration left
#     in doubt found and closed, a verified move's record written from
#     the journal; never a warning of an unreadable record, never an
#     error;
#   - the second exits 0 and does nothing, silently: no VM is moved again
#     inside its cooldown;
#   - every VM that the simulated cluster shows away from its scenario
#     host has exactly one record in the history, of that very move
#     (every verified move recorded, once), and no other VM has one;
#     every history line is a whole record;
#   - every VM runs exactly once (`status --json' of the cluster), and no
#     journal is left;
#   - the observations kept for the next run (STATE/observations) are a
#     whole file, nothing left aside (observations.new): the next runs
#     never warn of them.
# Also the run that completes satisfies the same.
#
# The simulated cluster outlives a killed process through the scenario's
# `option placement=FILE' (backend_sim.c): where each VM runs, rewritten
# (aside, then renamed) after each wave; without it each run would start
# from the scenario's hosts and "every VM runs exactly once" would say
# nothing.
#
#   tests/crash/run.sh BUILD      (BUILD/xl-balance, BUILD/tests/crashshim.so)
set -u

B=${1:?usage: run.sh BUILD}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
XLB=$B/xl-balance
SHIM=$B/tests/crashshim.so
[ -x "$XLB" ] && [ -f "$SHIM" ] || { echo "crash: build $XLB and $SHIM first"; exit 1; }
export LD_LIBRARY_PATH="$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

T=$(mktemp -d /tmp/xlb-crash.XXXXXX)
T=$(cd "$T" && pwd -P)          # the shim compares real paths
trap 'rm -rf "$T"' EXIT
SCN=$T/paper.scn
cp scenarios/paper.scn "$SCN"
printf 'option placement=%s/placement\n' "$T" >>"$SCN"
printf 'lock_file = "%s/lock"\n' "$T" >"$T/c.conf"
chmod 600 "$T/c.conf"
# Each VM's scenario host: "VM HOST" lines.
sed -n 's/^vm \([^ ]*\) .*host=\([^ ]*\).*/\1 \2/p' "$SCN" >"$T/initial"

fails=0
points=0
held=0                          # kill points after which every check held
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

xlb() {
    "$XLB" -c "$T/c.conf" -b "sim:$SCN" --state-dir "$T/state" "$@" \
        >"$T/out" 2>"$T/err" </dev/null
}

# The recovery's documented warnings; any other stderr line is a failure.
ALLOWED='^xl-balance: warning: .*: its last [0-9]* bytes were a line cut short (a run stopped while writing it); cut before appending$
^xl-balance: warning: an earlier run (pid [0-9]*, started [^)]*) did not finish the migration of .*: it runs on [^ ]* (the source); journal entry closed$
^xl-balance: warning: an earlier run (pid [0-9]*, started [^)]*) did not finish the migration of .*: it runs on [^ ]* (the destination); journal entry closed$
^xl-balance: warning: .*/history: the migration of .*, made by an earlier run (pid [0-9]*), was not recorded; recorded now$'

# check WHAT: the invariants on the state the runs left.
check() {
    what=$1
    while read -r vm init; do
        cur=$(sed -n "s/^$vm //p" "$T/placement" 2>/dev/null)
        cur=${cur:-$init}
        all=$(cat "$T/state/history" 2>/dev/null | grep -c "\"vm\":\"$vm\",")
        this=$(cat "$T/state/history" 2>/dev/null |
            grep -c "\"vm\":\"$vm\",\"from\":\"$init\",\"to\":\"$cur\",")
        if [ "$cur" != "$init" ]; then
            [ "$all" -eq 1 ] && [ "$this" -eq 1 ] ||
                fail "$what: $vm moved $init -> $cur: $all records, $this of this move"
        elif [ "$all" -ne 0 ]; then
            fail "$what: $vm never moved, yet $all records"
        fi
    done <"$T/initial"
    if [ -e "$T/state/history" ] &&
        grep -v -q '^{"time":[0-9.]*,"uuid":"[0-9a-f-]*",.*}$' "$T/state/history"; then
        fail "$what: a history line that is not a whole record"
    fi
    [ ! -e "$T/state/journal" ] || fail "$what: a journal is left"
    # The observations kept for the next run (observe/obsfile.h): replaced
    # in one step, so whole (two lines, ours), and nothing left aside.
    if [ -e "$T/state/observations" ]; then
        [ "$(wc -l <"$T/state/observations")" -eq 2 ] &&
            head -n 1 "$T/state/observations" |
            grep -q '^{"xl_balance_observations":1,"wall_s":[0-9.e+]*,"vms":\[.*\]}$' ||
            fail "$what: the observations are not a whole file"
    else
        fail "$what: no observations kept"
    fi
    [ ! -e "$T/state/observations.new" ] ||
        fail "$what: observations.new is left"
    xlb status --json
    while read -r vm init; do
        copies=$(grep -c "\"name\": \"$vm\"," "$T/out")
        [ "$copies" -eq 1 ] || fail "$what: $vm runs $copies times"
    done <"$T/initial"
}

# after WHAT: the next two runs, then the invariants.
after() {
    what=$1
    xlb rebalance --yes
    rc=$?
    [ "$rc" -eq 0 ] || fail "$what: the next run exits $rc: $(cat "$T/err")"
    if grep -v -x -e '' "$T/err" | grep -v -q -e "$ALLOWED"; then
        fail "$what: the next run says: $(grep -v -e "$ALLOWED" "$T/err")"
    fi
    xlb rebalance --yes
    rc=$?
    [ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] ||
        fail "$what: the run after it exits $rc: $(cat "$T/out" "$T/err")"
    check "$what"
}

for mode in plain torn; do
    torn=0
    [ "$mode" = torn ] && torn=1
    n=1
    while :; do
        rm -rf "$T/state" "$T/placement" "$T/placement.new" "$T/lock" "$T/count"
        CRASH_DIR=$T CRASH_AT=$n CRASH_TORN=$torn CRASH_COUNT=$T/count \
            LD_PRELOAD=$SHIM xlb rebalance --yes
        rc=$?
        if [ "$rc" -ne 137 ]; then
            # Completed without reaching n: the run's last kill point was n - 1.
            [ "$rc" -eq 0 ] || fail "$mode: the whole run exits $rc: $(cat "$T/err")"
            [ -s "$T/count" ] && [ "$(cat "$T/count")" -lt "$n" ] ||
                fail "$mode: the run exits $rc at kill point $n without being killed"
            check "$mode: the whole run"
            echo "crash: $mode: $((n - 1)) kill points"
            break
        fi
        points=$((points + 1))
        [ -z "${CRASH_VERBOSE:-}" ] || echo "crash: $mode: killed at $n"
        before=$fails
        after "$mode: killed at $n"
        [ "$fails" -ne "$before" ] || held=$((held + 1))
        n=$((n + 1))
        [ "$n" -le 1000 ] || { fail "$mode: more than 1000 kill points"; break; }
    done
done

# One line as the other stages end: kill points whose checks all held,
# and the failed checks.
echo "crash: $points kill points, $held passed, $fails failed"
[ "$fails" -eq 0 ]
