#!/bin/sh
# Command-line tests of xl-balance: exit codes, and for bad input exactly
# one error line on stderr.  Prints "ok: ..." per case and a closing line
# "cli: N passed, N failed".
#   tests/cli-tests.sh PATH/TO/xl-balance
set -u

XLB=${1:?usage: cli-tests.sh XL_BALANCE}
D=tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The configuration must not be writable by others (xl-balance refuses
# it): a private copy, whatever the checkout's umask was.
E="$tmp/empty.conf"
: > "$E"
chmod 600 "$E"
pass=0
fail=0

ok()   { pass=$((pass + 1)); echo "ok: $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL: $1"; shift; for l in "$@"; do echo "    $l"; done; }

# t NAME RC 'EXPECTED STDERR' -- ARGS...
#   EXPECTED STDERR is the whole of stderr ("" = nothing at all).
t() {
    name=$1 rc_want=$2 err_want=$3
    shift 4
    "$XLB" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    err=$(cat "$tmp/err")
    if [ "$rc" -ne "$rc_want" ]; then
        bad "$name" "exit $rc, wanted $rc_want" "stderr: $err"
    elif [ "$err" != "$err_want" ]; then
        bad "$name" "stderr: $err" "wanted: $err_want"
    else
        ok "$name"
    fi
}

# has NAME 'FIXED STRING' : the last command's stdout contains it
has() {
    if grep -qF -- "$2" "$tmp/out"; then ok "$1"; else
        bad "$1" "stdout lacks: $2" "$(head -n 20 "$tmp/out")"; fi
}

# ---- the command line itself -------------------------------------------
t "no verb" 2 "xl-balance: no verb given; try \`xl-balance help'" --
t "unknown verb" 2 "xl-balance: \`frob' is not a verb; try \`xl-balance help'" -- frob
t "unknown global option" 2 "xl-balance: option \`--frob': unknown or missing its value; try \`xl-balance help'" -- --frob status
t "global option without value" 2 "xl-balance: option -c: unknown or missing its value; try \`xl-balance help'" -- -c
t "version" 0 "" -- --version
has "version text" "xl-balance $(sed -n 's/^VERSION *:= *//p' Makefile)"
t "help" 0 "" -- help
has "help lists status" "status"
has "help lists exit codes" "Exit codes:"
t "help verb" 0 "" -- help status
has "status help shows -n" "--samples N"
t "verb --help" 0 "" -- status --help
t "help unknown verb" 2 "xl-balance: help: \`frob' is not a verb" -- help frob
t "status unknown option" 2 "xl-balance: status: unknown option \`--bogus'; try \`xl-balance status --help'" -- status --bogus
t "status -i not a number" 2 "xl-balance: status: -i: \`abc' is not a number" -- status -i abc
t "status -i zero" 2 "xl-balance: status: -i: 0 is out of range (0.001 to 3600)" -- status -i 0
t "status -n one" 2 "xl-balance: status: -n: 1 is out of range (2 to 1000)" -- status -n 1
t "status -n junk" 2 "xl-balance: status: -n: \`3x' is not a number" -- status -n 3x
t "status -n missing value" 2 "xl-balance: status: option -n needs a value" -- status -n
t "status extra argument" 2 "xl-balance: status: unexpected argument \`extra'" -- status extra
t "sample extra argument" 2 "xl-balance: sample: unexpected argument \`x'" -- sample x

# ---- configuration -------------------------------------------------------
t "config missing" 1 "xl-balance: $tmp/none.conf: cannot open: No such file or directory" -- -c "$tmp/none.conf" -b sim:paper status
printf 'sample_count = 3\ncpu_hgh = "0.3"\n' > "$tmp/typo.conf"
t "config unknown key" 1 "xl-balance: $tmp/typo.conf:2: unknown key \`cpu_hgh' (did you mean \`cpu_high'?)" -- -c "$tmp/typo.conf" -b sim:paper status
printf 'sample_count = 3\nlink_history = 101\n' > "$tmp/lh.conf"
t "config link_history too big" 1 "xl-balance: $tmp/lh.conf:2: link_history: 101 is out of range (0 to 100)" -- -c "$tmp/lh.conf" -b sim:paper plan
printf 'link_history = "x"\n' > "$tmp/lh2.conf"
t "config link_history not a number" 1 "xl-balance: $tmp/lh2.conf:1: link_history: \`x' is not a number" -- -c "$tmp/lh2.conf" -b sim:paper plan
printf 'link_history = "-1"\n' > "$tmp/lh3.conf"
t "config link_history negative" 1 "xl-balance: $tmp/lh3.conf:1: link_history: -1 is out of range (0 to 100)" -- -c "$tmp/lh3.conf" -b sim:paper plan
printf 'sample_count = 1\n' > "$tmp/range.conf"
t "config out of range" 1 "xl-balance: $tmp/range.conf:1: sample_count: 1 is out of range (2 to 1000)" -- -c "$tmp/range.conf" -b sim:paper status
# One table of ranges: the file and the command line refuse alike.
printf 'sample_interval = "0.0005"\n' > "$tmp/small.conf"
t "config interval below -i's minimum" 1 "xl-balance: $tmp/small.conf:1: sample_interval: 0.0005 is out of range (0.001 to 3600)" -- -c "$tmp/small.conf" -b sim:paper status
t "-i as small as that" 2 "xl-balance: status: -i: 0.0005 is out of range (0.001 to 3600)" -- status -i 0.0005
t "-n as sample_count says it" 2 "xl-balance: status: -n: \`2.5' is not a whole number" -- status -n 2.5
printf 'hosts = ["a;rm -rf /"]\n' > "$tmp/meta.conf"
t "config host with shell metacharacters" 1 "xl-balance: $tmp/meta.conf:1: hosts: \`a;rm -rf /' is not a host name (letters, digits, '.', '-', '_' and ':' only)" -- -c "$tmp/meta.conf" -b sim:paper status

# ---- backends ------------------------------------------------------------
t "unknown backend" 2 "xl-balance: backend \`bogus': unknown (expected xen, peers, sim:SCENARIO or replay:TRACE)" -- -b bogus status
t "sim without file" 2 "xl-balance: backend \`sim:': needs a file, as sim:FILE" -- -b sim: status
t "xen with argument" 2 "xl-balance: backend \`xen:x': takes no argument" -- -b xen:x status
if [ ! -e /dev/xen/privcmd ] && [ ! -e /proc/xen/privcmd ]; then
    t "not a dom0" 1 "xl-balance: this is not a Xen dom0 (no /dev/xen/privcmd); use -b sim:SCENARIO for the simulated cluster" -- -c $E status
fi

# ---- the paper's cluster on the simulator ------------------------------
t "status on sim:paper" 0 "" -- -c $E -b sim:paper status -n 4
has "HostA holds two heavy io VMs" "! 2 heavy io"
has "HostB holds two heavy cpu VMs" "! 2 heavy cpu"
has "table header" "NET(MB/s)"
t "status --json on sim:paper" 0 "" -- -c $E -b sim:paper status --json
has "json vm type" '"type": "io"'
t "sample --json on sim:paper" 0 "" -- -c $E -b sim:paper sample --json -n 3 -i 5
if [ "$(wc -l <"$tmp/out")" -eq 3 ]; then ok "three sample lines"; else bad "three sample lines" "$(wc -l <"$tmp/out") lines"; fi
cp "$tmp/out" "$tmp/trace.jsonl"
t "status replays a recorded trace" 0 "" -- -c $E -b "replay:$tmp/trace.jsonl" status -n 3
has "replayed HostA conflict" "! 2 heavy io"
t "replay runs out" 1 "xl-balance: $tmp/trace.jsonl: trace has no more samples (3 read)" -- -c $E -b "replay:$tmp/trace.jsonl" status -n 4

# ---- simulate ----------------------------------------------------------------
t "simulate paper" 0 "" -- -c $E simulate paper
has "simulate shows the swap" "vm1  HostA  HostB"
has "simulate compares" "Unbalanced(s)"
t "simulate --json" 0 "" -- -c $E simulate paper --json
has "simulate json completion" '"completion_s": '
t "simulate --no-balance" 0 "" -- -c $E simulate paper --no-balance
has "not balanced" "not balanced"
t "simulate --plot svg" 0 "" -- -c $E simulate paper --plot "$tmp/p.svg"
if head -c 4 "$tmp/p.svg" | grep -q '<svg'; then ok "svg written"; else bad "svg written" "no svg"; fi
t "simulate without scenario" 2 "xl-balance: simulate: needs a scenario (a file, or a shipped name such as \`paper')" -- simulate
t "simulate bad policy" 2 "xl-balance: simulate: --policy: \`fast' is not sequential or concurrent" -- simulate paper --policy fast
t "simulate bad rtt" 2 "xl-balance: simulate: --rtt: -3 is out of range (0 to 10000)" -- simulate paper --rtt -3
t "simulate sweep with rtt" 2 "xl-balance: simulate: --sweep runs every RTT with and without balancing; it takes neither --rtt nor --no-balance" -- simulate paper --sweep --rtt 4
t "simulate unknown scenario" 1 "xl-balance: sim: no scenario \`nosuch' (neither scenarios/nosuch.scn nor ${XLB_DATADIR:-/usr/local/share}/xl-balance/scenarios/nosuch.scn exists)" -- -c $E simulate nosuch
printf 'host A pcpus=1 mem=4G disk=10MB/s\nvm v; host=A\n' > "$tmp/bad.scn"
t "simulate malformed scenario" 1 "xl-balance: $tmp/bad.scn:2: vm v;: missing key \`vcpus'" -- -c $E simulate "$tmp/bad.scn"
t "simulate bad plot format" 1 "xl-balance: $tmp/p.gif: unknown plot format (expected .svg or .png)" -- -c $E simulate paper --plot "$tmp/p.gif"
if [ ! -e "$tmp/p.gif" ]; then ok "no half-written plot"; else bad "no half-written plot" "file exists"; fi
printf 'host A pcpus=1 mem=4G disk=10MB/s\nvm $(reboot) host=A vcpus=1 mem=1G load=cpu cpuwork=1e6\nvm a;rm host=A vcpus=1 mem=1G load=cpu cpuwork=1e6\n' > "$tmp/meta.scn"
t "shell metacharacters in names are text" 0 "" -- -c $E simulate "$tmp/meta.scn" --no-balance
has "name shown verbatim" '$(reboot)'
t "status with metacharacter names" 0 "" -- -c $E -b "sim:$tmp/meta.scn" status
has "status name verbatim" 'a;rm'

# ---- rebalance -----------------------------------------------------------------
# On the simulated paper cluster (each run reloads it: vm1, vm3 io on HostA;
# vm2, vm4 cpu on HostB), with its state and lock under $tmp.

# tc NAME RC 'EXPECTED STDERR' -- COMMAND...: as t, for any command
tc() {
    name=$1 rc_want=$2 err_want=$3
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    err=$(cat "$tmp/err")
    if [ "$rc" -ne "$rc_want" ]; then
        bad "$name" "exit $rc, wanted $rc_want" "stderr: $err"
    elif [ "$err" != "$err_want" ]; then
        bad "$name" "stderr: $err" "wanted: $err_want"
    else
        ok "$name"
    fi
}

# check NAME COMMAND...: the command succeeds
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name" "failed: $*"; fi
}

printf 'state_dir = "%s"\nlock_file = "%s"\n' "$tmp/state" "$tmp/lock" >"$tmp/rb.conf"
RB="-c $tmp/rb.conf -b sim:paper"
t "help lists rebalance" 0 "" -- help
has "rebalance in the verbs" "rebalance  Move VMs"
t "rebalance help shows exit codes" 0 "" -- help rebalance
has "rebalance exit code 7" "7  not confirmed"
t "rebalance bad --max-moves" 2 "xl-balance: rebalance: --max-moves: -1 is out of range (0 to 10000)" -- $RB rebalance --max-moves -1
t "rebalance extra argument" 2 "xl-balance: rebalance: unexpected argument \`now'" -- $RB rebalance now

t "rebalance --dry-run" 0 "" -- $RB rebalance --dry-run
has "dry run: vm1 to HostB" "0  vm1  HostA  HostB  vm1 (io) HostA: disk path shared with 1 io VM, HostB with 0; with vm2 (cpu)"
has "dry run: vm2 to HostA" "1  vm2  HostB  HostA  vm2 (cpu) HostB: cores shared with 1 cpu VM, HostA with 0; with vm1 (io)"
has "dry run says nothing moved" "Dry run: 2 moves planned, nothing moved."
check "dry run touches no state" test ! -e "$tmp/state" -a ! -e "$tmp/lock"

t "rebalance without --yes, no terminal" 7 "xl-balance: rebalance: 2 moves planned, none made: not asking without a terminal; use --yes (or --dry-run to see them)" -- $RB rebalance
check "refused run prints nothing" test ! -s "$tmp/out"
check "refused run moved nothing" test ! -e "$tmp/state/history"

t "rebalance --yes" 0 "" -- $RB rebalance --yes
has "moved vm1" "moved vm1 HostA -> HostB in 39.9 s"
has "moved vm2" "moved vm2 HostB -> HostA in 61.5 s"
has "moved vm1, predicted" "moved vm1 HostA -> HostB in 39.9 s (predicted 39.9 s)"
check "one line per move" test "$(wc -l <"$tmp/out")" -eq 2
check "history of two moves" test "$(wc -l <"$tmp/state/history")" -eq 2
check "history records mem_kb" test "$(grep -c '"mem_kb":1048576,' "$tmp/state/history")" -eq 2
check "history records predicted_s" test "$(grep -c '"predicted_s":' "$tmp/state/history")" -eq 2
check "history records observed_Bps" test "$(grep -c '"observed_Bps":' "$tmp/state/history")" -eq 2
check "history records each VM's predicted gain" test "$(grep -c '"predicted_vm_gain":' "$tmp/state/history")" -eq 2
check "no journal left" test ! -e "$tmp/state/journal"
check "state dir is 0700" test "$(stat -c %a "$tmp/state")" = 700
check "lock file is 0600" test "$(stat -c %a "$tmp/lock")" = 600
t "rebalance --yes --json" 0 "" -- $RB rebalance --yes --json
has "json outcome" '"outcome": "done"'
has "json move state" '"state": "done"'
has "json move predicted_s" '"predicted_s": '
has "json move predicted_vm_gain" '"predicted_vm_gain": 1.0000'

# The runs above left their moves in the history: vm1..vm4 now cool down
# there (configuration: cooldown).  The plans below start afresh.
printf 'state_dir = "%s"\nlock_file = "%s"\n' "$tmp/state2" "$tmp/lock" >"$tmp/rb2.conf"
RB2="-c $tmp/rb2.conf -b sim:paper"
t "rebalance after moves: the moved VMs cool down" 0 "" -- $RB rebalance --dry-run
check "nothing to do, silently" test ! -s "$tmp/out"
t "plan after moves" 0 "" -- $RB plan
has "plan says vm1 cools down" "vm1 (cooldown): "
has "plan says vm3 cools down" "vm3 (cooldown): "
t "rebalance --dry-run --json" 0 "" -- $RB2 rebalance --dry-run --json
has "a dry run's json is a plan" '"xl_balance_plan": 1'
sed -e 's/"to": "HostB"/"to": "HostC"/' -e 's/"from": "HostB"/"from": "HostX"/' "$tmp/out" >"$tmp/stale.json"
t "rebalance --apply a stale plan" 3 "xl-balance: warning: vm1 HostA -> HostC refused: no host HostC in the cluster
xl-balance: warning: vm2 HostX -> HostA refused: vm2 runs on HostB, not on HostX (the plan is stale)" -- $RB2 rebalance --apply "$tmp/stale.json" --yes
has "stale: vm1 refused" "refused vm1 HostA -> HostC: no host HostC in the cluster"
has "stale: vm2 refused" "refused vm2 HostX -> HostA: vm2 runs on HostB, not on HostX (the plan is stale)"
cp "$tmp/stale.json" "$tmp/half.json"
sed -i -e 's/"to": "HostC"/"to": "HostB"/' "$tmp/half.json"
t "rebalance --apply, one move stale" 3 "xl-balance: warning: vm2 HostX -> HostA refused: vm2 runs on HostB, not on HostX (the plan is stale)" -- $RB2 rebalance --apply "$tmp/half.json" --yes
has "the good move is made" "moved vm1 HostA -> HostB in 39.9 s"

printf '{"xl_balance_plan": 1, "moves": [{"vm": "vm1", "uuid": "nope", "from": "HostA", "to": "HostB", "wave": 0}]}\n' >"$tmp/bad.json"
t "rebalance --apply a malformed plan" 1 "xl-balance: $tmp/bad.json: moves[0].uuid: \`nope' is not a UUID (8-4-4-4-12 lower-case hex digits)" -- $RB rebalance --apply "$tmp/bad.json" --yes
printf '{"xl_balance_plan": 1, "moves": [' >"$tmp/trunc.json"
t "rebalance --apply a truncated plan" 1 "xl-balance: $tmp/trunc.json: not JSON: parse error: premature EOF" -- $RB rebalance --apply "$tmp/trunc.json" --dry-run

if command -v flock >/dev/null 2>&1; then
    tc "rebalance while another holds the lock" 5 "xl-balance: another process holds the lock $tmp/lock; nothing done" -- flock "$tmp/lock" "$XLB" $RB rebalance --yes
    check "locked run prints nothing" test ! -s "$tmp/out"
fi
chmod 664 "$tmp/lock"
t "rebalance with a group-writable lock file" 1 "xl-balance: $tmp/lock: lock file is writable by group or others (mode 0664); refused: chmod 600 it" -- $RB rebalance --yes
chmod 600 "$tmp/lock"
chmod 777 "$tmp/state"
t "rebalance with an open state dir" 1 "xl-balance: $tmp/state: state directory is writable by group or others (mode 0777); refused: chmod 700 it" -- $RB rebalance --yes
chmod 700 "$tmp/state"
printf 'state_dir = "var/xl-balance"\n' >"$tmp/rel.conf"
t "rebalance with a relative state_dir" 1 "xl-balance: $tmp/rel.conf: state_dir \`var/xl-balance' is not an absolute path" -- -c "$tmp/rel.conf" -b sim:paper rebalance --yes
t "rebalance on a replay" 1 "xl-balance: backend replay cannot migrate VMs; use --dry-run" -- -c "$tmp/rb.conf" -b "replay:$tmp/trace.jsonl" rebalance --yes

# ---- plan ------------------------------------------------------------------------
# A state directory of its own: no history, nothing cooling down.
printf 'state_dir = "%s"\nlock_file = "%s"\n' "$tmp/state3" "$tmp/lock" >"$tmp/rb3.conf"
RB3="-c $tmp/rb3.conf -b sim:paper"
t "help lists plan" 0 "" -- help
has "plan in the verbs" "plan       Show what rebalance would move"
t "plan --help" 0 "" -- plan --help
has "plan help shows --horizon" "--horizon S"
t "plan bad --horizon" 2 "xl-balance: plan: --horizon: 0 is out of range (more than 0, at most 31536000)" -- $RB3 plan --horizon 0
t "plan bad --max-moves" 2 "xl-balance: plan: --max-moves: \`x' is not a number" -- $RB3 plan --max-moves x
t "plan extra argument" 2 "xl-balance: plan: unexpected argument \`now'" -- $RB3 plan now
t "plan on sim:paper" 0 "" -- $RB3 plan
has "plan: placement" "HostA      1       1532  vm1 io!, vm3 io!    vm3 io!, vm2 cpu!"
has "plan: the swap's first move" "   0  vm1  io    HostA  HostB     39.9          113.4     +1.503  vm1 (io) HostA: disk path shared with 1 io VM, HostB with 0; with vm2 (cpu)"
has "plan: the waves" "Plan: 2 moves in 2 waves, 70.9 s."
t "plan --horizon 30: nothing pays" 0 "" -- $RB3 plan --horizon 30
has "plan: below break-even" "vm1 (below-break-even): vm1 (io): best HostB"
t "plan --max-moves 1" 0 "" -- $RB3 plan --max-moves 1 --json
has "plan: one move" '"vm": "vm2"'
check "plan --max-moves 1: one move only" test "$(grep -c '"unit": ' "$tmp/out")" -eq 1
t "plan --json" 0 "" -- $RB3 plan --json
cp "$tmp/out" "$tmp/plan.json"
has "plan json is a plan file" '"xl_balance_plan": 1'
has "plan json says the break-even" '"break_even_s": 113.4'
check "plan touches no state" test ! -e "$tmp/state3"
t "rebalance --apply plan --json's plan" 0 "" -- $RB3 rebalance --apply "$tmp/plan.json" --yes
has "the plan's first move made" "moved vm1 HostA -> HostB in 39.9 s"
has "the plan's second move made" "moved vm2 HostB -> HostA in 61.5 s"
printf 'pinned = ["vm1", "vm1"]\n' >"$tmp/pin.conf"
t "plan with a bad planner key" 1 "xl-balance: $tmp/pin.conf:1: pinned: \`vm1' is listed twice" -- -c "$tmp/pin.conf" -b sim:paper plan

# ---- plan --cluster FILE: offline, from the planner's JSON input ------------
# No backend, configuration, state or lock: no -b, no -c (and no dom0
# needed: outside one, plain `plan' fails for want of the xen backend).

# tf NAME RC 'EXPECTED STDERR' -- ARGS...: as t, and nothing on stdout
tf() {
    name=$1
    t "$@"
    check "$name: nothing on stdout" test ! -s "$tmp/out"
}

# The moves of a plan's JSON on stdout as "vm from to" lines, sorted: what
# stays true of a plan whatever order and waves the planner gives them.
moves() {
    awk '
        /^    "moves": \[/ { in_moves = 1; next }
        in_moves && /^    \]/ { exit }
        in_moves && /^            "(vm|from|to)": / {
            v = $2; gsub(/[",]/, "", v)
            if ($1 == "\"vm\":") vm = v
            else if ($1 == "\"from\":") from = v
            else { print vm, from, v }
        }' "$tmp/out" | sort
}

P=tests/planner/paper.json
t "plan --help shows --cluster" 0 "" -- plan --help
has "plan help: --cluster FILE" "--cluster FILE"
t "plan --cluster paper" 0 "" -- plan --cluster $P
has "cluster: placement" "HostA      1       1532  vm1 io!, vm3 io!    vm3 io!, vm2 cpu!"
has "cluster: the swap's plan" "Plan: 2 moves in "
t "plan --cluster paper --json" 0 "" -- plan --cluster $P --json
has "cluster json is a plan file" '"xl_balance_plan": 1'
check "cluster json: vm1 and vm2 swap hosts" \
    test "$(moves)" = "$(printf 'vm1 HostA HostB\nvm2 HostB HostA')"
# Each move's predicted pre-copy rounds, the final copy counted: vm1 hits
# libxc's cap of 5 live rounds; vm2 dirties nothing, round 1 and an empty
# final copy.
has "cluster json: vm1's predicted rounds" '"rounds": 6,'
has "cluster json: vm2's predicted rounds" '"rounds": 2,'
# A writable working set (wws_bytes): the readers rewrite 4 MiB of page
# cache, so pre-copy resends 4 MiB a round, not 7.87 MB/s x 30.9 s: vm1's
# move takes 31.1 s (round 1, then 4 MiB, 949 KB, 215 KB, 49 KB live and
# an 11 KB final copy), not 40.0 s (doc/planner.md "Pre-copy").
sed 's/"dirty_Bps": 7866240$/"dirty_Bps": 7866240, "wws_bytes": 4194304/' $P >"$tmp/cl-wws.json"
t "plan --cluster with a writable working set" 0 "" -- plan --cluster "$tmp/cl-wws.json" --json
check "cluster wws: vm1 and vm2 swap hosts" \
    test "$(moves)" = "$(printf 'vm1 HostA HostB\nvm2 HostB HostA')"
has "cluster wws: vm1 resends its working set only" '"bytes": 1079159786'
has "cluster wws: vm1 in 31.1 s" '"migration_s": 31.1'
t "plan --cluster --horizon 30: nothing pays" 0 "" -- plan --cluster $P --horizon 30
has "cluster: below break-even" "vm1 (below-break-even): vm1 (io): best HostB"
t "plan --cluster --max-moves 0" 0 "" -- plan --cluster $P --max-moves 0 --json
check "cluster --max-moves 0: no move" test -z "$(moves)"
has "cluster: max-moves said" '"reason": "max-moves"'
t "plan --cluster with -b" 2 "xl-balance: plan: --cluster plans FILE alone, offline; it takes neither -b nor -c" -- -b sim:paper plan --cluster $P
check "plan --cluster with -b: nothing on stdout" test ! -s "$tmp/out"
t "plan --cluster with -c" 2 "xl-balance: plan: --cluster plans FILE alone, offline; it takes neither -b nor -c" -- -c $E plan --cluster $P --json
t "plan --cluster empty name" 2 "xl-balance: plan: --cluster: needs a file" -- plan --cluster ""
t "plan --cluster without a file" 2 "xl-balance: plan: option \`--cluster' needs a value" -- plan --cluster

tf "plan --cluster missing file" 1 "xl-balance: $tmp/none.json: cannot open: No such file or directory" -- plan --cluster "$tmp/none.json" --json
mkdir "$tmp/cluster.d"
tf "plan --cluster a directory" 1 "xl-balance: $tmp/cluster.d: cannot read: Is a directory" -- plan --cluster "$tmp/cluster.d"
printf '{"hosts": [}\n' >"$tmp/cl-json.json"
tf "plan --cluster bad JSON" 1 "xl-balance: $tmp/cl-json.json: not JSON: parse error: unallowed token at this point in JSON text" -- plan --cluster "$tmp/cl-json.json" --json
sed 's/"host": "HostB"/"host": "HostC"/' $P >"$tmp/cl-host.json"
tf "plan --cluster VM on an unknown host" 1 "xl-balance: $tmp/cl-host.json: vms[2] (vm2): host \`HostC' is not a host" -- plan --cluster "$tmp/cl-host.json" --json
sed '/"disk_Bps"/d' $P >"$tmp/cl-key.json"
tf "plan --cluster missing required key" 1 "xl-balance: $tmp/cl-key.json: hosts[0]: missing key \`disk_Bps'" -- plan --cluster "$tmp/cl-key.json" --json
sed 's/"mem_kb": 1048576/"mem_kb": -1048576/' $P >"$tmp/cl-mem.json"
tf "plan --cluster negative memory" 1 "xl-balance: $tmp/cl-mem.json: vms[0] (vm1): mem_kb -1048576: negative memory" -- plan --cluster "$tmp/cl-mem.json" --json
: >"$tmp/cl-empty.json"
tf "plan --cluster empty file" 1 "xl-balance: $tmp/cl-empty.json: empty: not a planner input" -- plan --cluster "$tmp/cl-empty.json" --json
tf "plan --cluster planner refusal names the file" 1 "xl-balance: tests/planner/bad-duplicate-uuid.json: planner: vm vm2: uuid 6e8bc430-9c3a-11d9-9669-0800200c9a66 is already vm vm1's" -- plan --cluster tests/planner/bad-duplicate-uuid.json

# ---- migrate (one VM, like xl migrate; on the simulator's first host) -----
# It takes rebalance's lock and appends to its history: state under $tmp.
printf 'state_dir = "%s"\nlock_file = "%s"\n' "$tmp/mstate" "$tmp/mlock" >"$tmp/mig.conf"
MG="-c $tmp/mig.conf -b sim:paper"
t "migrate on the simulator" 0 "" -- $MG migrate vm1 HostB
has "migrate summary" "migrated vm1 (6a5392d4-674b-819d-9eda-d84a8adf302c) HostA -> HostB in "
# Predicted before the move by the planner's model: nothing learned yet
# (an empty history), the configured link (rtt_ms) and dirty rate.
check "migrate summary: predicted, not learned" grep -Eq '; predicted [0-9]+\.[0-9] s, [0-9]+ rounds? \(not learned\)$' "$tmp/out"
check "migrate recorded in the history" test "$(wc -l <"$tmp/mstate/history")" -eq 1
check "migrate history has observed_Bps" grep -q '"observed_Bps":' "$tmp/mstate/history"
check "migrate history has mem_kb" grep -q '"mem_kb":1048576' "$tmp/mstate/history"
t "migrate unknown domain" 1 "xl-balance: migrate: no domain \`nope' on HostA; nothing done" -- $MG migrate nope HostB
has "migrate failure line" "failed nope -> HostB: no such file, host or domain; nothing done"
check "failed migrate not recorded" test "$(wc -l <"$tmp/mstate/history")" -eq 1
t "migrate without host" 2 "xl-balance: migrate: wants DOMAIN and HOST (\`xl-balance migrate --help')" -- $MG migrate vm1
if command -v flock >/dev/null 2>&1; then
    tc "migrate while another holds the lock" 5 "xl-balance: another process holds the lock $tmp/mlock; nothing done" -- flock "$tmp/mlock" "$XLB" $MG migrate vm1 HostB
    check "locked migrate prints nothing" test ! -s "$tmp/out"
    check "locked migrate not recorded" test "$(wc -l <"$tmp/mstate/history")" -eq 1
fi
printf 'state_dir = "var/xl-balance"\n' >"$tmp/mrel.conf"
t "migrate with a relative state_dir" 1 "xl-balance: $tmp/mrel.conf: state_dir \`var/xl-balance' is not an absolute path" -- -c "$tmp/mrel.conf" -b sim:paper migrate vm1 HostB
has "migrate refused: failure line" "failed vm1 -> HostB: bad configuration; it still runs on this host"
# --json: one object, whatever happened (another dom0's rebalance reads it).
t "migrate --json" 0 "" -- $MG migrate --json vm1 HostB
has "migrate --json: done" '{"xl_balance_migrate":2,"outcome":"done","rc":0,"vm":"vm1","uuid":"6a5392d4-674b-819d-9eda-d84a8adf302c","from":"HostA","to":"HostB","duration_s":'
check "migrate --json: one line" test "$(wc -l <"$tmp/out")" -eq 1
# The history holds the first move HostA -> HostB: its measured time is
# the link's learned rate, which the model reproduces (the simulator's
# migration is deterministic).
check "migrate --json: predicted, learned" grep -Eq '"dirty_Bps":null,"predicted_s":[0-9]+\.[0-9]{3},"predicted_rounds":[0-9]+,"learned":true}$' "$tmp/out"
check "migrate --json: learned prediction is the measured time" awk -F'"duration_s":|,"rounds"|"predicted_s":|,"predicted_rounds"' '{ d = $2 - $4; exit !(d < 0.01 && d > -0.01) }' "$tmp/out"
check "migrate --json: no summary" test "$(grep -c '^migrated ' "$tmp/out")" -eq 0
t "migrate --json unknown domain" 1 "xl-balance: migrate: no domain \`nope' on HostA; nothing done" -- $MG migrate --json nope HostB
has "migrate --json: failed" '{"xl_balance_migrate":2,"outcome":"failed","rc":-9,"error":"no such file, host or domain"}'
t "migrate --json without a configuration" 1 "xl-balance: $tmp/none.conf: cannot open: No such file or directory" -- -c "$tmp/none.conf" -b sim:paper migrate --json vm1 HostB
has "migrate --json: failed to start" '{"xl_balance_migrate":2,"outcome":"failed","rc":-5,"error":"bad configuration"}'
if command -v flock >/dev/null 2>&1; then
    tc "migrate --json while another holds the lock" 5 "xl-balance: another process holds the lock $tmp/mlock; nothing done" -- flock "$tmp/mlock" "$XLB" $MG migrate --json vm1 HostB
    has "migrate --json: locked" '{"xl_balance_migrate":2,"outcome":"failed","rc":-16,"error":"another process holds the lock"}'
fi

# ---- -b peers: a management host reaching every dom0 through the transport
# (tests/data/fake-peer plays dom0 gen-N); none is sampled here ----------------
FP="$PWD/$D/fake-peer"
printf 'hosts = ["gen-2", "gen-1", "gen-3"]\ntransport = ["%s"]\nsample_interval = "0.05"\nsample_count = 2\nstate_dir = "%s/pstate"\nlock_file = "%s/plock"\n' "$FP" "$tmp" "$tmp" >"$tmp/peers.conf"
chmod 600 "$tmp/peers.conf"
PR="-c $tmp/peers.conf -b peers"
t "peers: status" 0 "" -- $PR status
has "peers: every host sampled" "gen-3      3"
check "peers: in the configuration's order" test "$(sed -n 's/^\(gen-[0-9]\)  .*/\1/p' "$tmp/out" | tail -n 3 | tr '\n' ' ')" = "gen-2 gen-1 gen-3 "
t "peers: plan" 0 "" -- $PR plan
printf 'hosts = ["gen-1", "fail"]\ntransport = ["%s"]\n' "$FP" >"$tmp/peers-fail.conf"
chmod 600 "$tmp/peers-fail.conf"
# Said once per sample, as the xen backend says it.
t "peers: a silent peer is partial" 3 "xl-balance: peer fail: $FP exited with status 1
xl-balance: peer fail: $FP exited with status 1" -- -c "$tmp/peers-fail.conf" -b peers status -i 0.05 -n 2
has "peers: the others shown" "gen-1      1"
t "peers: no local sample" 1 "xl-balance: peers: this host is not sampled (the peers backend reaches every dom0 of hosts through the transport); run this on a dom0 with -b xen" -- $PR sample --local
t "peers: migrate is a dom0's verb" 1 "xl-balance: peers: this host is not sampled (the peers backend reaches every dom0 of hosts through the transport); run this on a dom0 with -b xen" -- $PR migrate vm1 gen-2
has "peers: migrate did nothing" "failed vm1 -> gen-2: unknown or unusable backend; nothing done"
t "peers: no hosts" 1 "xl-balance: backend \`peers': the configuration $E names no hosts; list the dom0s to reach in hosts" -- -c "$E" -b peers status
t "peers: takes no argument" 2 "xl-balance: backend \`peers:x': takes no argument" -- -c "$tmp/peers.conf" -b peers:x status

# ---- migration counters for the metrics ----------------------------------
mkdir -p "$tmp/ctr" && chmod 700 "$tmp/ctr"
printf 'state_dir = "%s/ctr/state"\nlock_file = "%s/ctr/lock"\n' "$tmp" "$tmp" > "$tmp/ctr.conf"
chmod 600 "$tmp/ctr.conf"
t "openmetrics before any rebalance" 0 "" -- -c "$tmp/ctr.conf" -b sim:paper status --openmetrics
has "counters start at 0" 'xl_balance_migrations_total{result="done"} 0'
t "rebalance for the counters" 0 "" -- -c "$tmp/ctr.conf" -b sim:paper rebalance --yes
t "openmetrics after a rebalance" 0 "" -- -c "$tmp/ctr.conf" -b sim:paper status --openmetrics
has "two migrations counted" 'xl_balance_migrations_total{result="done"} 2'
has "counters were read" 'xl_balance_history_available 1'

# ---- the metrics textfile (metrics_textfile) ---------------------------------
# Every run leaves it, in Prometheus's text format, replaced whole.
mkdir -m 700 "$tmp/tf" "$tmp/tfstate"
mkdir -m 755 "$tmp/tf/prom"
TF="$tmp/tf/prom/xl-balance.prom"
printf 'metrics_textfile = "%s"\n' "$TF" >"$tmp/tf.conf"
chmod 600 "$tmp/tf.conf"
TFR="-c $tmp/tf.conf -b sim:paper --state-dir $tmp/tfstate"
t "textfile: status writes it" 0 "" -- $TFR status
check "textfile: written, mode 0644 (the collector runs as its own user)" test "$(stat -c %a "$TF")" = 644
check "textfile: no temporary file left" test "$(ls -A "$tmp/tf/prom")" = xl-balance.prom
check "textfile: no EOF marker" test "$(grep -c '^# EOF' "$TF")" = 0
check "textfile: no stateset or info family" test "$(grep -cE '^# TYPE .* (stateset|info)$' "$TF")" = 0
check "textfile: counters and gauges only" test "$(grep '^# TYPE' "$TF" | grep -cvE ' (counter|gauge)$')" = 0
check "textfile: a counter's TYPE names its _total series" grep -qx '# TYPE xl_balance_vm_cpu_seconds_total counter' "$TF"
check "textfile: the VM's type a labelled gauge" grep -q '^xl_balance_vm_type{host="HostA",vm="vm1",uuid="[0-9a-f-]*",type="io"} 1$' "$TF"
check "textfile: every family has HELP" test "$(grep -c '^# HELP' "$TF")" = "$(grep -c '^# TYPE' "$TF")"
check "textfile: disk bytes read, a counter" grep -q '^xl_balance_vm_disk_read_bytes_total{host="HostA",vm="vm1",uuid="[0-9a-f-]*"} [1-9][0-9]*$' "$TF"
if command -v promtool >/dev/null 2>&1; then
    if out=$(promtool check metrics <"$TF" 2>&1); then ok "textfile: promtool check metrics accepts it"
    else bad "textfile: promtool check metrics" "$out"; fi
else
    echo "skipped: promtool not installed (textfile: promtool check metrics; tests/install-deps.sh installs it)"
fi
t "openmetrics: the counters there too" 0 "" -- $TFR status --openmetrics
has "openmetrics: a counter family" '# TYPE xl_balance_vm_cpu_seconds counter'
has "openmetrics: its _total sample" 'xl_balance_vm_network_transmit_bytes_total{host="HostB"'
has "openmetrics: the stateset stays" '# TYPE xl_balance_vm_type stateset'
rm "$TF"
t "textfile: plan writes it" 0 "" -- $TFR plan
check "textfile: after plan" test -s "$TF"
t "textfile: rebalance writes it" 0 "" -- $TFR rebalance --yes
check "textfile: rebalance's moves counted" grep -qx 'xl_balance_migrations_total{result="done"} 2' "$TF"

# ---- notify_command: told of a rebalance that moved or failed ----------------
mkdir -m 700 "$tmp/nf"
printf '#!/bin/sh\n# Keeps its stdin and arguments, for the test to read.\ncat >"$1.json" && echo "$*" >"$1.args"\n' >"$tmp/nf/hook"
chmod 755 "$tmp/nf/hook"
printf 'notify_command = [ "%s", "%s" ]\n' "$tmp/nf/hook" "$tmp/nf/got" >"$tmp/nf.conf"
chmod 600 "$tmp/nf.conf"
NF="-c $tmp/nf.conf -b sim:paper --state-dir $tmp/nf/state"
t "notify: a dry run tells no one" 0 "" -- $NF rebalance --dry-run
t "notify: plan tells no one" 0 "" -- $NF plan
check "notify: not run without a move" test ! -e "$tmp/nf/got.json"
t "notify: a rebalance that moved" 0 "" -- $NF rebalance --yes --json
check "notify: its stdin is the run's JSON report" cmp -s "$tmp/out" "$tmp/nf/got.json"
check "notify: its arguments as configured, no shell" grep -qxF "$tmp/nf/got" "$tmp/nf/got.args"
rm "$tmp/nf/got.json"
t "notify: nothing to do (no move allowed)" 0 "" -- $NF rebalance --yes --max-moves 0
check "notify: nothing to do, silently" test ! -s "$tmp/out"
check "notify: not run when nothing moved" test ! -e "$tmp/nf/got.json"
# An undefined state: an earlier run's journal names a VM found nowhere.
mkdir -m 700 "$tmp/nf/undef"
printf 'xl-balance-journal 1 99999 1700000000.000\nplanned 1700000000.000 11111111-2222-4333-8444-555555555555 HostA HostB 0 gone\nstarted 1700000000.000 11111111-2222-4333-8444-555555555555 HostA HostB - gone\n' >"$tmp/nf/undef/journal"
chmod 600 "$tmp/nf/undef/journal"
"$XLB" -c "$tmp/nf.conf" -b sim:paper --state-dir "$tmp/nf/undef" rebalance --yes >"$tmp/out" 2>"$tmp/err" </dev/null
check "notify: an undefined state exits 6" test "$?" = 6
check "notify: told of the undefined state" grep -q '"outcome": "undefined"' "$tmp/nf/got.json"
check "notify: the report names the VM in doubt" grep -q '"found": "neither"' "$tmp/nf/got.json"
# A migration that fails (the scenario's what-if migfail=: vm1's stream
# breaks after 1 MiB): exit 3, vm1 still on HostA, the hook told of it.
sed 's/^\(vm vm1 .*\)$/\1 migfail=1M/' scenarios/paper.scn >"$tmp/nf/migfail.scn"
rm -f "$tmp/nf/got.json"
"$XLB" -c "$tmp/nf.conf" -b "sim:$tmp/nf/migfail.scn" --state-dir "$tmp/nf/mf" rebalance --yes >"$tmp/out" 2>"$tmp/err" </dev/null
check "notify: a failed migration exits 3 (partial)" test "$?" = 3
check "notify: the failure on stderr, naming the VM and its host" grep -q '^xl-balance: migration of vm1 from HostA to HostB failed: .*' "$tmp/err"
check "notify: told of the failed move" grep -q '"state": "failed"' "$tmp/nf/got.json"
check "notify: the report says vm1 still runs on HostA" grep -q 'vm1 still runs on HostA' "$tmp/nf/got.json"
check "notify: the outcome is partial" grep -q '"outcome": "partial"' "$tmp/nf/got.json"
# Its own failure is logged, and changes nothing else.
printf 'notify_command = [ "false" ]\n' >"$tmp/nf-false.conf"
printf 'notify_command = [ "%s/nf/none" ]\n' "$tmp" >"$tmp/nf-none.conf"
printf 'notify_command = [ "sleep", "97" ]\nnotify_timeout = 1\n' >"$tmp/nf-hang.conf"
chmod 600 "$tmp/nf-false.conf" "$tmp/nf-none.conf" "$tmp/nf-hang.conf"
t "notify: a failing hook: logged, exit unchanged" 0 "xl-balance: notify_command: false exited with status 1" -- -c "$tmp/nf-false.conf" -b sim:paper --state-dir "$tmp/nf/s1" rebalance --yes
has "notify: a failing hook: the moves made" "moved vm1 HostA -> HostB"
t "notify: a hook that cannot run: logged, exit unchanged" 0 "xl-balance: notify_command: cannot run $tmp/nf/none: No such file or directory" -- -c "$tmp/nf-none.conf" -b sim:paper --state-dir "$tmp/nf/s2" rebalance --yes
start=$(date +%s)
t "notify: a hanging hook: stopped at notify_timeout, exit unchanged" 0 "xl-balance: notify_command: timed out after 1 s" -- -c "$tmp/nf-hang.conf" -b sim:paper --state-dir "$tmp/nf/s3" rebalance --yes
check "notify: a hanging hook does not hold the run" test $(( $(date +%s) - start )) -lt 20
check "notify: the hanging hook was stopped" test -z "$(pgrep -x -f 'sleep 97')"

# ---- --syslog: moves at notice, failures at err, without -v -----------------
# A syslog of the run's own (tests/syslog-capture.sh, in a private mount
# namespace): where unshare cannot make one, say so.
if [ "$(id -u)" = 0 ] && command -v python3 >/dev/null 2>&1 &&
        unshare -m true 2>/dev/null; then
    mkdir -m 700 "$tmp/sl"
    unshare -m sh tests/syslog-capture.sh "$tmp/sl" "$XLB" --syslog -c "$E" -b sim:paper --state-dir "$tmp/sl/st" rebalance --yes >"$tmp/out" 2>"$tmp/err" </dev/null
    check "syslog: rebalance exits 0" test "$?" = 0
    check "syslog: a move at notice (daemon.notice, <29>), no -v" grep -q '^<29>.*xl-balance\[[0-9]*\]: moved vm1 ([0-9a-f-]*) HostA -> HostB in 39.9 s$' "$tmp/sl/syslog"
    check "syslog: both moves, nothing else" test "$(wc -l <"$tmp/sl/syslog")" = 2
    mkdir -m 700 "$tmp/sl/undef"
    printf 'xl-balance-journal 1 99999 1700000000.000\nplanned 1700000000.000 11111111-2222-4333-8444-555555555555 HostA HostB 0 gone\nstarted 1700000000.000 11111111-2222-4333-8444-555555555555 HostA HostB - gone\n' >"$tmp/sl/undef/journal"
    chmod 600 "$tmp/sl/undef/journal"
    : >"$tmp/sl/syslog"
    unshare -m sh tests/syslog-capture.sh "$tmp/sl" "$XLB" --syslog -c "$E" -b sim:paper --state-dir "$tmp/sl/undef" rebalance --yes >"$tmp/out" 2>"$tmp/err" </dev/null
    check "syslog: an undefined state exits 6" test "$?" = 6
    check "syslog: the undefined state at err (daemon.err, <27>), no -v" grep -q '^<27>.*: an earlier run (pid 99999, .*) did not finish the migration of gone' "$tmp/sl/syslog"
    sed 's/^\(vm vm1 .*\)$/\1 migfail=1M/' scenarios/paper.scn >"$tmp/sl/migfail.scn"
    : >"$tmp/sl/syslog"
    unshare -m sh tests/syslog-capture.sh "$tmp/sl" "$XLB" --syslog -c "$E" -b "sim:$tmp/sl/migfail.scn" --state-dir "$tmp/sl/mf" rebalance --yes >"$tmp/out" 2>"$tmp/err" </dev/null
    check "syslog: a failed migration exits 3" test "$?" = 3
    check "syslog: the failed migration at err (daemon.err, <27>), no -v" grep -q '^<27>.*xl-balance\[[0-9]*\]: migration of vm1 from HostA to HostB failed' "$tmp/sl/syslog"
else
    echo "skipped: --syslog to a private /dev/log (needs root, python3 and unshare -m)"
fi

# ---- state files: no link followed, no FIFO waited on (timeout: a run
# that waited on one would hang) ---------------------------------------------
mkdir -m 700 "$tmp/sf" "$tmp/sf/state"
printf 'state_dir = "%s/sf/state"\nlock_file = "%s/sf/lock"\n' "$tmp" "$tmp" >"$tmp/sf.conf"
SF="-c $tmp/sf.conf -b sim:paper"
for f in history journal counters; do
    mkfifo "$tmp/sf/state/$f"
    tc "rebalance with a FIFO as its $f" 1 "xl-balance: $tmp/sf/state/$f: state file is not a regular file; refused" -- timeout 20 "$XLB" $SF rebalance --yes
    check "FIFO as the $f: nothing moved" test ! -s "$tmp/out"
    rm "$tmp/sf/state/$f"
    ln -s "$tmp/sf.conf" "$tmp/sf/state/$f"
    tc "rebalance with a symbolic link as its $f" 1 "xl-balance: $tmp/sf/state/$f: state file is a symbolic link; refused" -- timeout 20 "$XLB" $SF rebalance --yes
    check "link as the $f: nothing moved" test ! -s "$tmp/out"
    rm "$tmp/sf/state/$f"
done
check "refused runs recorded nothing" test ! -e "$tmp/sf/state/history"
mkfifo "$tmp/sf/state/history"
tc "plan with a FIFO as its history" 1 "xl-balance: $tmp/sf/state/history: state file is not a regular file; refused" -- timeout 20 "$XLB" $SF plan
tc "migrate with a FIFO as the history" 1 "xl-balance: $tmp/sf/state/history: state file is not a regular file; refused" -- timeout 20 "$XLB" $SF migrate vm1 HostB
rm "$tmp/sf/state/history"
mkfifo "$tmp/sf/state/counters"
tc "openmetrics with a FIFO as the counters" 0 "xl-balance: $tmp/sf/state/counters: state file is not a regular file; refused" -- timeout 20 "$XLB" $SF status --openmetrics
has "counters not read" 'xl_balance_history_available 0'
rm "$tmp/sf/state/counters"

# ---- the lock's own directory (/run/xl-balance, the unit's RuntimeDirectory) --
mkdir -m 700 "$tmp/ld"
printf 'state_dir = "%s/ld/state"\nlock_file = "%s/ld/run/lock"\n' "$tmp" "$tmp" >"$tmp/ld.conf"
tc "lock in a missing directory" 0 "" -- "$XLB" -c "$tmp/ld.conf" -b sim:paper rebalance --yes
check "lock directory made 0700" test "$(stat -c %a "$tmp/ld/run")" = 700
check "lock file in it 0600" test "$(stat -c %a "$tmp/ld/run/lock")" = 600
printf 'state_dir = "%s/ld/state"\nlock_file = "%s/ld/none/run/lock"\n' "$tmp" "$tmp" >"$tmp/ld2.conf"
t "lock directory's parent missing" 1 "xl-balance: $tmp/ld/none/run: cannot create the lock file's directory: No such file or directory" -- -c "$tmp/ld2.conf" -b sim:paper rebalance --yes
check "lock directory's parent missing: nothing moved" test ! -s "$tmp/out"

# ---- the lock outside the state directory ------------------------------------
printf 'state_dir = "%s/sf/state"\nlock_file = "%s/sf/state/lock"\n' "$tmp" "$tmp" >"$tmp/lin.conf"
t "lock_file inside state_dir" 1 "xl-balance: $tmp/lin.conf:2: lock_file: \`$tmp/sf/state/lock' lies inside state_dir \`$tmp/sf/state'; put the lock elsewhere" -- -c "$tmp/lin.conf" -b sim:paper rebalance --yes
check "lock inside: no lock taken" test ! -e "$tmp/sf/state/lock"
printf 'lock_file = "%s/sf/state/history"\nstate_dir = "%s/sf/state/"\n' "$tmp" "$tmp" >"$tmp/lhist.conf"
t "lock_file is the history" 1 "xl-balance: $tmp/lhist.conf:2: lock_file: \`$tmp/sf/state/history' lies inside state_dir \`$tmp/sf/state/'; put the lock elsewhere" -- -c "$tmp/lhist.conf" -b sim:paper status
printf 'state_dir = "%s/sf/state"\nlock_file = "%s/sf/x/../state"\n' "$tmp" "$tmp" >"$tmp/ldir.conf"
t "lock_file is state_dir" 1 "xl-balance: $tmp/ldir.conf:2: lock_file: \`$tmp/sf/x/../state' is state_dir \`$tmp/sf/state'; put the lock elsewhere" -- -c "$tmp/ldir.conf" -b sim:paper plan
t "--state-dir holding the lock" 1 "xl-balance: --state-dir \`$tmp/sf' holds lock_file \`$tmp/sf/lock' of $tmp/sf.conf; put the lock elsewhere" -- $SF --state-dir "$tmp/sf" rebalance --yes
check "--state-dir holding the lock: nothing moved" test ! -s "$tmp/out"

# ---- simulated runs keep their state apart from the dom0's -------------------
# Without state_dir, lock_file or --state-dir, sim: and replay: use a
# private directory (under TMPDIR, removed at exit), never the defaults.
mkdir -m 700 "$tmp/tmpd"
dom0_state() {
    for p in /var/lib/xl-balance /run/xl-balance; do
        if [ -e "$p" ]; then find "$p" -exec stat -c '%n %i %s %Y' {} +
        else echo "$p: none"; fi
    done
}
before=$(dom0_state)
tc "sim rebalance without a state_dir" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper rebalance --yes
has "private state: vm1 moved" "moved vm1 HostA -> HostB"
check "sim run: the dom0's state untouched" test "$(dom0_state)" = "$before"
check "sim run: its private state removed" test -z "$(ls -A "$tmp/tmpd")"
tc "sim rebalance again: no cooldown from the last run" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper rebalance --yes
has "private state again: vm1 moved" "moved vm1 HostA -> HostB"
tc "replay plan without a state_dir" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b "replay:$tmp/trace.jsonl" plan
check "replay run: the dom0's state untouched" test "$(dom0_state)" = "$before"
check "replay run: its private state removed" test -z "$(ls -A "$tmp/tmpd")"
t "help lists --state-dir" 0 "" -- help
has "help: --state-dir DIR" "--state-dir DIR"
tc "sim rebalance --state-dir" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/sdir" rebalance --yes
check "--state-dir: history written there" test "$(wc -l <"$tmp/sdir/history")" -eq 2
check "--state-dir: counters written there" test -s "$tmp/sdir/counters"
check "--state-dir: the dom0's state untouched" test "$(dom0_state)" = "$before"
check "--state-dir: private lock removed" test -z "$(ls -A "$tmp/tmpd")"
tc "plan --state-dir: the moved VMs cool down" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/sdir" plan
has "--state-dir: vm1 and vm2 cool down, vm3 moves" "   0  vm3  io    HostA  HostB"

# A history whose last line a killed run wrote in part: the next run cuts
# that tail, with the lock, before it reads the history (no warning of an
# unreadable record) or appends to it (its records not glued to it).
mkdir -m 700 "$tmp/torn"
head -n 1 "$tmp/sdir/history" >"$tmp/torn/history"
printf '{"time":1,"uu' >>"$tmp/torn/history"
sed 's/"vm":"vm1"/"vm":"vm9"/; s/"uuid":"[^"]*"/"uuid":"00000000-0000-4000-8000-000000000009"/' \
    "$tmp/torn/history" >"$tmp/torn/h" && mv "$tmp/torn/h" "$tmp/torn/history"
tc "torn history tail" 0 "xl-balance: warning: $tmp/torn/history: its last 13 bytes were a line cut short (a run stopped while writing it); cut before appending" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/torn" rebalance --yes
check "torn history tail: the whole line kept, two records after it" test "$(wc -l <"$tmp/torn/history")" -eq 3
check "torn history tail: every line a record" test "$(grep -c '^{"time":[0-9.]*,"uuid":.*}$' "$tmp/torn/history")" -eq 3
tc "torn history tail: read again, no warning" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/torn" plan

# A record dated ahead of this host's clock would hold its VM in cooldown
# until then with no reason shown: it is taken as made now, with a warning.
mkdir -m 700 "$tmp/future"
sed -n '1s/^{"time":[0-9.]*,/{"time":4102444800.000,/p' "$tmp/sdir/history" >"$tmp/future/history"
tc "future-dated history record" 0 "xl-balance: warning: $tmp/future/history:1: dated more than 60 s ahead of this host's clock; taken as made now" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/future" plan
# ... and the plan says so where it keeps the VM: with vm3 (the other io
# VM) cooling down too, vm1 is among the rejects, its cooldown explained.
V3=$("$XLB" -c $E -b sim:paper status --json | sed -n '/"name": "vm3"/{n;s/.*"uuid": "\([^"]*\)".*/\1/p;}')
sed -n "1s/^{\"time\":[0-9.]*,/{\"time\":$(date +%s).000,/p" "$tmp/sdir/history" |
    sed "s/\"uuid\":\"[^\"]*\",\"vm\":\"vm1\"/\"uuid\":\"$V3\",\"vm\":\"vm3\"/" >>"$tmp/future/history"
tc "future-dated record among the rejects" 0 "xl-balance: warning: $tmp/future/history:1: dated more than 60 s ahead of this host's clock; taken as made now" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/future" plan
has "future-dated: vm1's cooldown explained" "vm1 (cooldown): vm1 (io): "
has "future-dated: the reason shown" "(its latest history record was dated ahead of this host's clock: taken as made now)"
tc "future-dated record among the rejects, --json" 0 "xl-balance: warning: $tmp/future/history:1: dated more than 60 s ahead of this host's clock; taken as made now" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/future" plan --json
has "future-dated: the reason in the rejected list" "min (its latest history record was dated ahead of this host's clock: taken as made now)\""

# ---- record files that recover (issue 14) ------------------------------------
# A journal whose last line a killed run wrote in part, of a move whose VM
# is on no host: the run stops for an admin, and so does every later one;
# the `found' it appends must not be glued to the torn line (which then
# read as a corrupt journal, exit 1).
mkdir -m 700 "$tmp/tj"
GU=00000000-0000-4000-8000-0000000000aa
printf 'xl-balance-journal 1 4242 1767225600.000\nplanned 1767225600.000 %s HostA HostB 0 ghost\nstarted 1767225601.000 %s HostA HostB - ghost\nende' $GU $GU >"$tmp/tj/journal"
chmod 600 "$tmp/tj/journal"
JLOOK="xl-balance: an earlier run (pid 4242, started 2026-01-01 00:00:00 UTC) did not finish the migration of ghost ($GU) HostA -> HostB: found on no host: an admin must look (keep exactly one copy, named ghost), then run again; nothing done"
tc "torn journal tail: an admin must look" 6 "xl-balance: warning: $tmp/tj/journal: its last 4 bytes were a line cut short (a run stopped while writing it); cut before appending
$JLOOK" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/tj" rebalance --yes
tc "torn journal tail: the next run still stops for an admin" 6 "$JLOOK" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/tj" rebalance --yes
check "torn journal tail: every line whole" test "$(grep -c '^found [0-9.]* '"$GU"' HostA HostB neither ghost$' "$tmp/tj/journal")" -eq 2

# A run killed after verifying vm1's move and before writing its record
# (the journal's `verified' line is the proof): the next run writes the
# record before it plans, so vm1 keeps its cooldown; once, however often
# the journal is read.
mkdir -m 700 "$tmp/owed"
V1=$(sed -n '1s/.*"uuid":"\([^"]*\)".*/\1/p' "$tmp/sdir/history")
printf 'xl-balance-journal 1 4243 %s.000\nplanned %s.000 %s HostA HostB 0 vm1\nstarted %s.000 %s HostA HostB - vm1\nended %s.000 %s HostA HostB 0 vm1\nverified %s.000 %s HostA HostB done vm1\n' \
    "$(date +%s)" "$(date +%s)" "$V1" "$(date +%s)" "$V1" "$(date +%s)" "$V1" "$(date +%s)" "$V1" >"$tmp/owed/journal.saved"
cp "$tmp/owed/journal.saved" "$tmp/owed/journal"
chmod 600 "$tmp/owed/journal"
tc "verified move without its record: recorded from the journal" 0 "xl-balance: warning: $tmp/owed/history: the migration of vm1 ($V1) HostA -> HostB, made by an earlier run (pid 4243), was not recorded; recorded now" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/owed" rebalance --yes
check "recorded from the journal: vm1 not moved again" test "$(grep -c 'vm1' "$tmp/out")" -eq 0
check "recorded from the journal: once" test "$(grep -c "\"uuid\":\"$V1\",\"vm\":\"vm1\",\"from\":\"HostA\",\"to\":\"HostB\"" "$tmp/owed/history")" -eq 1
check "recorded from the journal: journal gone" test ! -e "$tmp/owed/journal"
cp "$tmp/owed/journal.saved" "$tmp/owed/journal"
tc "the same journal again: nothing owed" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/owed" rebalance --yes
check "the same journal again: still once" test "$(grep -c "\"uuid\":\"$V1\",\"vm\":\"vm1\",\"from\":\"HostA\",\"to\":\"HostB\"" "$tmp/owed/history")" -eq 1

# A history past the reader's cap (16 MiB) was neither read nor cut, and
# grew on, with a false "not recorded": the next writer cuts it to its
# newest half of 256 KiB, whatever its size, before reading it.
mkdir -m 700 "$tmp/big"
old=$(sed -n '1s/^{"time":[0-9.]*,/{"time":1000.000,/p' "$tmp/sdir/history")
yes "$old" | head -n 50000 >"$tmp/big/history"
check "a history past the read cap" test "$(wc -c <"$tmp/big/history")" -gt 16777216
tc "history past the read cap" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/big" rebalance --yes
has "history past the read cap: vm1 moved" "moved vm1 HostA -> HostB"
check "history past the read cap: cut to 128 KiB and the new records" test "$(wc -c <"$tmp/big/history")" -le 262144
check "history past the read cap: the new records last" test "$(tail -n 2 "$tmp/big/history" | grep -c '"time":1000.000,')" -eq 0
tc "history past the read cap: read again, no warning" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper --state-dir "$tmp/big" plan
has "history past the read cap: vm1 and vm2 cool down, vm3 moves" "   0  vm3  io    HostA  HostB"

# A simulated cluster that outlives its process (option placement=FILE):
# the next run sees the VMs where the last one moved them.
mkdir -m 700 "$tmp/pl"
cp scenarios/paper.scn "$tmp/pl/p.scn"
printf 'option placement=%s/pl/where\n' "$tmp" >>"$tmp/pl/p.scn"
tc "sim placement: a run moves vm1 and vm2" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b "sim:$tmp/pl/p.scn" --state-dir "$tmp/pl/state" rebalance --yes
check "sim placement: kept" test "$(cat "$tmp/pl/where")" = "$(printf 'vm1 HostB\nvm3 HostA\nvm2 HostA\nvm4 HostB')"
tc "sim placement: the next process sees them moved" 0 "" -- "$XLB" -c $E -b "sim:$tmp/pl/p.scn" status --json
check "sim placement: vm1 on HostB" test "$(grep -A2 '"name": "vm1",' "$tmp/out" | grep -c '"host": "HostB"')" -eq 1
tc "sim placement: nothing left to do" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b "sim:$tmp/pl/p.scn" --state-dir "$tmp/pl/state" rebalance --yes
check "sim placement: nothing moved" test ! -s "$tmp/out"
printf 'vm9 HostA\n' >"$tmp/pl/where"
tc "sim placement: an unknown VM" 1 "xl-balance: $tmp/pl/where:1: not \"VM HOST\" of the scenario's VMs and hosts" -- "$XLB" -c $E -b "sim:$tmp/pl/p.scn" status

# ---- observations that outlive a run (type_window; doc/classify.md) --------
# Two timer runs half an hour apart on the simulator (option clock=FILE,
# gap=1800 in tests/data/burst.scn): `burst' computes for a minute from
# the moment the second run samples.  Kept observations: not heavy, not
# moved; the reader stays io.  type_window = 0 (each run afresh): moved.
mkdir -m 700 "$tmp/ob"
cp tests/data/burst.scn "$tmp/ob/b.scn"
printf 'option clock=%s/ob/clock\n' "$tmp" >>"$tmp/ob/b.scn"
OB="-c $E -b sim:$tmp/ob/b.scn --state-dir $tmp/ob/state"
tc "observations: status alone keeps nothing" 0 "" -- "$XLB" $OB status
check "observations: status made no state directory" test ! -e "$tmp/ob/state"
rm -f "$tmp/ob/clock"
tc "observations: the first timer run" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $OB rebalance --yes
check "observations: the first run is silent" test ! -s "$tmp/out"
check "observations: kept" grep -q '^{"xl_balance_observations":1,"wall_s":[0-9.e+]*,"vms":\[{"key":' "$tmp/ob/state/observations"
check "observations: the clock kept, plus the gap" test "$(cat "$tmp/ob/clock")" = 1810000000000
tc "observations: the second run, burst sampled" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $OB rebalance --yes
check "observations: the burst moved nothing" test ! -s "$tmp/out"
cp "$tmp/ob/state/observations" "$tmp/ob/kept"
tc "observations: status after two runs" 0 "" -- "$XLB" $OB status --json
check "observations: status only reads them" cmp -s "$tmp/ob/kept" "$tmp/ob/state/observations"
check "observations: the burst is idle" test "$(grep -A20 '"name": "burst",' "$tmp/out" | grep -c -e '"type": "idle"' -e '"heavy": false')" -eq 2
check "observations: the reader stays io" test "$(grep -A20 '"name": "reader",' "$tmp/out" | grep -c -e '"type": "io"' -e '"heavy": true')" -eq 2
check "observations: 25 min observed behind the reader's type" test "$(grep -A22 '"name": "reader",' "$tmp/out" | sed -n 's/.*"observed_s": \([0-9]*\).*/\1/p')" -ge 1500
tc "observations: the table's Seen(s)" 0 "" -- "$XLB" $OB status
has "observations: Seen(s) column" "Seen(s)"
# A VM gone is dropped from them.
"$XLB" $OB status --json >"$tmp/ob/st.json" 2>/dev/null
uuid_comp=$(grep -A2 '"name": "comp",' "$tmp/ob/st.json" | sed -n 's/.*"uuid": "\(.*\)".*/\1/p')
check "observations: comp kept" grep -q "\"key\":\"$uuid_comp\"" "$tmp/ob/state/observations"
grep -v '^vm comp ' "$tmp/ob/b.scn" >"$tmp/ob/gone.scn"
tc "observations: a run without comp" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b "sim:$tmp/ob/gone.scn" --state-dir "$tmp/ob/state" rebalance --yes
check "observations: comp dropped" test "$(grep -c "$uuid_comp" "$tmp/ob/state/observations")" -eq 0
# The same two runs, each afresh: the burst is typed cpu-heavy and moved,
# and the move ends the clock (the placement changed: no replay).
rm -rf "$tmp/ob/state" "$tmp/ob/clock"
printf 'type_window = 0\n' >"$tmp/ob/w0.conf"; chmod 600 "$tmp/ob/w0.conf"
OB0="-c $tmp/ob/w0.conf -b sim:$tmp/ob/b.scn --state-dir $tmp/ob/state"
tc "observations off: the first run" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $OB0 rebalance --yes
check "observations off: nothing kept" test ! -e "$tmp/ob/state/observations"
tc "observations off: the second run moves the burst" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $OB0 rebalance --yes
has "observations off: burst moved" "moved burst HostB -> HostA"
check "observations off: a move ends the clock" test ! -e "$tmp/ob/clock"

# ---- drain, pin and placement rules (state in $tmp/adm, kept across runs) ----
# The paper's cluster: vm1, vm3 io on HostA; vm2, vm4 cpu on HostB; its plan
# swaps vm1 and vm2.
AD="-c $E -b sim:paper --state-dir $tmp/adm"
t "help lists drain" 0 "" -- help
has "drain in the verbs" "drain      Empty HOST"
t "drain without a host" 2 "xl-balance: drain: wants one HOST (\`xl-balance drain --help')" -- $AD drain
t "drain an unknown host" 1 "xl-balance: drain: no host HostX in the cluster; nothing done" -- $AD drain HostX
check "unknown host: no state written" test ! -e "$tmp/adm"
t "drain HostB" 0 "" -- $AD drain HostB
has "drain says so" "drained HostB"
check "drain kept in admin.json" grep -q '"HostB"' "$tmp/adm/admin.json"
check "admin.json is 0600" test "$(stat -c %a "$tmp/adm/admin.json")" = 600
t "drain HostB again" 0 "" -- $AD drain HostB
has "drain again: nothing changes" "HostB was drained already"
t "status with HostB drained" 0 "" -- $AD status
has "status marks HostB drained" "HostB (drained)"
t "status --json with HostB drained" 0 "" -- $AD status --json
check "status --json: one host drained" test "$(grep -c '"drained": true' "$tmp/out")" -eq 1
t "plan with HostB drained" 0 "" -- $AD plan
has "plan evacuates vm2 to HostA" "0  vm2  cpu   HostB  HostA"
has "plan: evacuation reason" "vm2 (cpu) evacuates drained HostB to HostA"
has "plan: vm4 stays for lack of memory" "vm4 (memory): vm4 (cpu): no host can take it off drained HostB"
check "plan: nothing moves onto HostB" test -z "$(grep -E '^ +[0-9]+  [a-z0-9]+ +[a-z]+ +[A-Za-z]+ +HostB ' "$tmp/out")"
t "undrain HostB" 0 "" -- $AD undrain HostB
has "undrain says so" "undrained HostB"
t "undrain HostB again" 0 "" -- $AD undrain HostB
has "undrain again: nothing changes" "HostB was not drained already"
t "plan after undrain: the swap again" 0 "" -- $AD plan
has "after undrain: vm1 to HostB" "vm1  io    HostA  HostB"

t "pin an unknown VM" 1 "xl-balance: pin: no VM \`nosuch' runs in the cluster; nothing done" -- $AD pin nosuch
t "pin vm2 by name" 0 "" -- $AD pin vm2
has "pin says so" "pinned vm2"
check "pin kept by UUID" grep -q '"uuid": "1e536497-5e7b-8e82-83c0-401ab9a80a6a"' "$tmp/adm/admin.json"
t "pin vm2 by UUID: the same VM" 0 "" -- $AD pin 1e536497-5e7b-8e82-83c0-401ab9a80a6a
has "pin by UUID: pinned already" "was pinned already"
t "status with vm2 pinned" 0 "" -- $AD status
has "status marks vm2 pinned" "vm2 (pinned)"
t "plan with vm2 pinned" 0 "" -- $AD plan
check "plan with vm2 pinned: vm2 stays" test -z "$(grep -E '^ +[0-9]+  vm2 ' "$tmp/out")"
has "plan with vm2 pinned: vm4 goes instead" "vm4  cpu   HostB  HostA"
t "unpin vm2" 0 "" -- $AD unpin vm2
has "unpin says so" "unpinned vm2"
t "plan after unpin: vm2 moves" 0 "" -- $AD plan
has "after unpin: vm2 to HostA" "vm2  cpu   HostB  HostA"

# A run killed while writing left admin.json.new: the next write
# replaces it and leaves none; admin.json was never half-written.
printf 'garbage' >"$tmp/adm/admin.json.new"
t "drain after a torn write" 0 "" -- $AD drain HostA
check "torn write: no admin.json.new left" test ! -e "$tmp/adm/admin.json.new"
# The configuration's drained and the admin's, combined.
printf 'drained = ["HostB"]\n' >"$tmp/adm.conf"; chmod 600 "$tmp/adm.conf"
t "status: drained by configuration and by drain" 0 "" -- -c "$tmp/adm.conf" -b sim:paper --state-dir "$tmp/adm" status --json
check "status --json: both hosts drained" test "$(grep -c '"drained": true' "$tmp/out")" -eq 2
t "undrain HostA" 0 "" -- $AD undrain HostA
printf '{"xl_balance_admin": 2}\n' >"$tmp/adm/admin.json"
t "status with a foreign admin.json" 1 "xl-balance: $tmp/adm/admin.json: not an admin state file of version 1 (\"xl_balance_admin\": 1)" -- $AD status
printf '{"xl_balance_admin": 1, "drained": ["-x"]}\n' >"$tmp/adm/admin.json"
t "plan with a bad host in admin.json" 1 "xl-balance: $tmp/adm/admin.json: drained[0]: expected a host name" -- $AD plan
rm -f "$tmp/adm/admin.json"

# Placement rules, on three hosts (tests/golden/drained.scn: vm1 io on
# HostA, vm2 cpu on HostB, vm3 cpu and vm4 io on HostC).
R3="-b sim:tests/golden/drained.scn --state-dir $tmp/adm3"
rconf() { printf '%s\n' "$2" >"$tmp/$1.conf"; chmod 600 "$tmp/$1.conf"; }
rconf must 'must_run_on = ["vm3=HostA"]'
t "must_run_on: plan" 0 "" -- -c "$tmp/must.conf" $R3 plan
has "must_run_on: vm3 leaves HostC for HostA" "vm3 (cpu) leaves HostC, outside its must_run_on hosts, for HostA"
rconf dr 'drained = ["HostC"]'
t "drained by configuration: plan" 0 "" -- -c "$tmp/dr.conf" $R3 plan
has "drained: vm3 to HostA, vm4 to HostB" "vm4  io    HostC  HostB"
rconf should 'drained = ["HostC"]
should_run_on = ["vm3=HostB"]'
t "should_run_on: plan" 0 "" -- -c "$tmp/should.conf" $R3 plan
has "should_run_on: vm3 evacuated to HostB, not HostA" "0  vm3  cpu   HostC  HostB"
rconf should2 'drained = ["HostC"]
should_run_on = ["vm3=HostC"]'
t "should_run_on a drained host: plan" 0 "" -- -c "$tmp/should2.conf" $R3 plan
has "should_run_on unkept: said" "none of its should_run_on hosts can take it"
rconf tog 'drained = ["HostC"]
keep_together = ["vm3,vm4"]'
t "keep_together: plan" 0 "" -- -c "$tmp/tog.conf" $R3 plan
has "keep_together: vm3 to HostA" "vm3  cpu   HostC  HostA"
has "keep_together: vm4 follows it" "vm4  io    HostC  HostA"

# rebalance --apply holds a saved plan to the rules: the paper's swap
# saved, then refused move by move.
t "saved plan for --apply" 0 "" -- $AD plan --json
cp "$tmp/out" "$tmp/swap.json"
rconf mustA "must_run_on = [\"vm1=HostA\"]
state_dir = \"$tmp/ap\"
lock_file = \"$tmp/ap.lock\""
t "--apply: a move breaking must_run_on refused" 3 "xl-balance: warning: vm1 HostA -> HostB refused: vm1 may run only on its must_run_on hosts, not on HostB" -- -c "$tmp/mustA.conf" -b sim:paper rebalance --apply "$tmp/swap.json" --yes
has "--apply: the other move runs" "moved vm2 HostB -> HostA"
t "--apply: drain HostA" 0 "" -- -c "$tmp/mustA.conf" -b sim:paper drain HostA
rm -f "$tmp/ap/history"
t "--apply: a move onto a drained host refused" 3 "xl-balance: warning: vm1 HostA -> HostB refused: vm1 may run only on its must_run_on hosts, not on HostB
xl-balance: warning: vm2 HostB -> HostA refused: HostA is drained: nothing moves onto it" -- -c "$tmp/mustA.conf" -b sim:paper rebalance --apply "$tmp/swap.json" --yes
t "--apply: undrain HostA" 0 "" -- -c "$tmp/mustA.conf" -b sim:paper undrain HostA
t "--apply: pin vm2" 0 "" -- -c "$tmp/mustA.conf" -b sim:paper pin vm2
t "--apply: a pinned VM's move refused" 3 "xl-balance: warning: vm1 HostA -> HostB refused: vm1 may run only on its must_run_on hosts, not on HostB
xl-balance: warning: vm2 HostB -> HostA refused: vm2 is pinned (configuration pinned, or xl-balance pin)" -- -c "$tmp/mustA.conf" -b sim:paper rebalance --apply "$tmp/swap.json" --yes
# A keep_together group moving whole is allowed; one of it pinned, the
# other's move would part it and is refused too (three hosts: vm3 and
# vm4 on HostC, both to HostA).
cat >"$tmp/pair.json" <<'EOP'
{"xl_balance_plan": 1, "moves": [
 {"vm": "vm3", "uuid": "efc83263-cb2e-8640-9eea-4acd9174fb4c", "from": "HostC", "to": "HostA", "wave": 0},
 {"vm": "vm4", "uuid": "f0c9c1dc-813a-85c3-8ffd-b80b7b230c50", "from": "HostC", "to": "HostA", "wave": 1}]}
EOP
rconf pair 'keep_together = ["vm3,vm4"]'
PR="-c $tmp/pair.conf -b sim:tests/golden/drained.scn --state-dir $tmp/pr"
t "--apply: a keep_together group moving whole" 0 "" -- $PR rebalance --apply "$tmp/pair.json" --dry-run
has "--apply: the group moves whole" "Dry run: 2 moves planned, nothing moved."
t "--apply: pin vm4" 0 "" -- $PR pin vm4
t "--apply: the group's other half refused" 3 "xl-balance: warning: vm3 HostC -> HostA refused: vm3 on HostA would be parted from its keep_together group
xl-balance: warning: vm4 HostC -> HostA refused: vm4 is pinned (configuration pinned, or xl-balance pin)" -- $PR rebalance --apply "$tmp/pair.json" --dry-run
# The cooldown: the swap run, then the same saved plan again.
CD="-c $E -b sim:paper --state-dir $tmp/cd"
t "rebalance: the swap" 0 "" -- $CD rebalance --yes
"$XLB" $CD rebalance --apply "$tmp/swap.json" --yes >"$tmp/out" 2>"$tmp/err" </dev/null
check "--apply within the cooldown: exit 3" test $? -eq 3
check "--apply within the cooldown: both refused, said why" test "$(grep -c 'refused: vm[12] migrated at .*(cooldown)$' "$tmp/err")" -eq 2
check "--apply within the cooldown: nothing moved" test "$(wc -l <"$tmp/cd/history")" -eq 2
# Ping-pong: the history says vm1 came to HostA from HostB (the swap's
# record turned round); no cooldown, so only the window refuses it.
mkdir -m 700 "$tmp/pp"
sed 's/"vm":"vm1","from":"HostA","to":"HostB"/"vm":"vm1","from":"HostB","to":"HostA"/' "$tmp/cd/history" >"$tmp/pp/history"
rconf nocool 'cooldown = 0'
t "--apply: a move back within the ping-pong window refused" 0 "xl-balance: warning: vm1 HostA -> HostB refused: vm1 came to HostA from HostB within the last 24 h (pingpong_window): not back" -- -c "$tmp/nocool.conf" -b sim:paper --state-dir "$tmp/pp" rebalance --apply "$tmp/swap.json" --dry-run
has "--apply: ping-pong: the other move stays planned" "Dry run: 1 move planned, nothing moved."

# The realised-gain check: the readers' last moves gained 0.3x what was
# predicted for each ((1 - 0.4) / (1 + 1)), a week ago (no cooldown).
mkdir -m 700 "$tmp/gain"
wk=$(( $(date +%s) - 604800 ))
for r in vm1:6a5392d4-674b-819d-9eda-d84a8adf302c vm3:efc83263-cb2e-8640-9eea-4acd9174fb4c; do
    printf '{"time":%s,"uuid":"%s","vm":"%s","from":"HostB","to":"HostA","type":"io","duration_s":40,"cpu_pct_before":6,"cpu_pct_after":4,"disk_Bps_before":7800000,"disk_Bps_after":4680000,"net_Bps_before":0,"net_Bps_after":0,"gain":-0.4,"predicted_gain":1.5,"predicted_vm_gain":1}\n' \
        "$wk" "${r#*:}" "${r%%:*}" >>"$tmp/gain/history"
done
GAIN="-c $E -b sim:paper --state-dir $tmp/gain"
tc "plan after moves that did not pay" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $GAIN plan
has "plan: a distrusted reader moves, and says why it is believed less" "with vm2 (cpu); its past moves gained 0.3x what was predicted"
tc "plan --horizon 150 after moves that did not pay" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $GAIN plan --horizon 150
has "plan --horizon 150: the trusted computer moves alone" "   0  vm2  cpu   HostB  HostA"
has "plan --horizon 150: a reader stays for its trust" "vm1 (low-trust): vm1 (io): best HostB:"
has "plan --horizon 150: and says so" "low-trust: its past moves gained 0.3x what was predicted; it would pay at trust 1"
tc "plan --horizon 150 with no history: the swap" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" -c $E -b sim:paper plan --horizon 150
has "no history: vm1 and vm2 trade hosts" "   0  vm1  io    HostA  HostB"
tc "status --json after moves that did not pay" 0 "" -- env TMPDIR="$tmp/tmpd" "$XLB" $GAIN status --json
check "status --json: the readers' realised-gain check" test "$(tr -d ' \n' <"$tmp/out" | grep -o '"history":{"moves":1,"last_gain":-0.4000,"last_predicted_gain":1.0000,"trust":0.3000,"trust_moves":1}' | wc -l)" -eq 2
check "status --json: none for VMs without records" test "$(grep -c '"history"' "$tmp/out")" -eq 2
mkfifo "$tmp/sf/state/history"
tc "status --json with a FIFO as its history" 1 "xl-balance: $tmp/sf/state/history: state file is not a regular file; refused" -- timeout 20 "$XLB" $SF status --json
rm "$tmp/sf/state/history"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
