# lib.sh - helpers of the in-dom0 test steps (bash).  Everything a step
# prints goes to the serial console; the host reads three kinds of lines:
#   RESULT: PASS|FAIL NAME - DETAIL     one check
#   [T] LABEL SECONDS                   a timed stage in dom0
#   XLB-SUMMARY passed=N failed=N       the end of the suite (run-suite)
export PATH=/usr/lib/xen-4.17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
XLB_RESULTS=/run/xlb/results
# shellcheck disable=SC2034  # used by the steps that source this
XLB_LIB=/usr/lib/xlb-test
# shellcheck disable=SC2034
XLB_DOMU=/var/lib/xlb/domu        # domU kernel, initrd, disks, configs

# Forks are what a PV dom0 under TCG pays most for (~50 ms each, more
# while domUs boot): what runs in a loop here uses bash builtins only.
# A FIFO nobody writes to, held open read-write: `read -t` on it sleeps.
[ -p /run/xlb/nap ] || mkfifo /run/xlb/nap
exec 7<>/run/xlb/nap

ts() { local up rest; read -r up rest </proc/uptime; echo "$up"; }

# nap SECONDS: sleep without forking.
nap() { read -r -t "$1" -u 7 _; true; }

# elapsed LABEL START: prints "[T] LABEL SECONDS" since START (a ts value).
elapsed() {
    awk -v l="$1" -v a="$2" -v b="$(ts)" 'BEGIN { printf "[T] %s %.1f\n", l, b - a }'
}

# result PASS|FAIL NAME DETAIL...
result() {
    local verdict=$1 name=$2
    shift 2
    echo "$verdict $name" >>"$XLB_RESULTS"
    echo "RESULT: $verdict $name - $*"
}
pass() { result PASS "$@"; }
fail() { result FAIL "$@"; }

# check NAME DETAIL CMD...: PASS when CMD succeeds; else FAIL with its
# output (which is shown either way).
check() {
    local name=$1 detail=$2 rc
    shift 2
    "$@"
    rc=$?
    if [ $rc = 0 ]; then pass "$name" "$detail"; else fail "$name" "$detail (exit $rc)"; fi
    return $rc
}

# wait_for SECONDS CMD...: polls CMD every second until it succeeds; 1 on
# timeout.  Polling, not sleeping a guessed time: TCG's speed varies.  CMD
# should be a builtin or function (has_line): a fork per poll starves the
# domUs we wait for.
wait_for() {
    local up rest end
    read -r up rest </proc/uptime
    end=$(( ${up%.*} + $1 ))
    shift
    until "$@"; do
        read -r up rest </proc/uptime
        [ "${up%.*}" -ge "$end" ] && return 1
        nap 1
    done
}

# has_line FILE TEXT: FILE has a line containing TEXT (builtins only).
has_line() {
    local line
    [ -r "$1" ] || return 1
    while IFS= read -r line; do
        [[ $line == *"$2"* ]] && return 0
    done <"$1"
    return 1
}

# The console log of a domU (xenconsoled --log=guest).
console_log() { echo "/var/log/xen/console/guest-$1.log"; }
