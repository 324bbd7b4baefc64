#!/bin/sh
# Golden tests of the planner through the command line: a cluster in, the
# plan out.  For every tests/golden/NAME.scn:
#
#   xl-balance -c CONF -b sim:tests/golden/NAME.scn plan --json
#
# (CONF: tests/golden/NAME.conf, else tests/golden/default.conf) must exit
# 0, say nothing on stderr and print exactly tests/golden/NAME.plan.json;
# that file, a plan file, must then pass `rebalance --apply FILE --dry-run'
# on the same cluster with every move planned.  For every
# tests/golden/bad-NAME.trace (a replay trace), `plan' must exit 1 with
# exactly the one line of tests/golden/bad-NAME.err on stderr.
#
# Prints "ok: ..." per case and a closing line "golden: N passed, N failed".
#   tests/golden-tests.sh PATH/TO/xl-balance          check
#   tests/golden-tests.sh PATH/TO/xl-balance --update rewrite the expected
#                                                     files from the output
set -u

XLB=${1:?usage: golden-tests.sh XL_BALANCE [--update]}
update=false
[ "${2:-}" = --update ] && update=true
G=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok()   { pass=$((pass + 1)); echo "ok: $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL: $1"; shift; for l in "$@"; do echo "    $l"; done; }

for scn in "$G"/*.scn; do
    name=$(basename "$scn" .scn)
    conf=$G/$name.conf
    [ -f "$conf" ] || conf=$G/default.conf
    want=$G/$name.plan.json
    "$XLB" -c "$conf" -b "sim:$scn" plan --json >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
        bad "$name: plan" "exit $rc" "stderr: $(cat "$tmp/err")"
        continue
    fi
    if $update; then
        cp "$tmp/out" "$want"
        echo "updated: $want"
    fi
    if [ ! -f "$want" ]; then
        bad "$name: no $want (run with --update to write it)"
        continue
    fi
    if cmp -s "$tmp/out" "$want"; then
        ok "$name: plan --json is $want"
    else
        bad "$name: plan --json differs from $want (< expected, > got)" \
            "$(diff "$want" "$tmp/out" | head -n 20)"
        continue
    fi
    # The plan is a plan file: rebalance accepts every move of it.
    "$XLB" -c "$conf" -b "sim:$scn" rebalance --apply "$want" --dry-run --json \
        >"$tmp/rb" 2>"$tmp/err" </dev/null
    rc=$?
    planned=$(grep -c '"state": "planned"' "$tmp/rb")
    nmoves=$(sed -n '/"moves": \[/,/^    \]/p' "$want" | grep -c '"wave": ')
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$planned" -eq "$nmoves" ]; then
        ok "$name: rebalance --apply takes its $nmoves move(s)"
    else
        bad "$name: rebalance --apply $want --dry-run" \
            "exit $rc, $planned of $nmoves moves planned" "stderr: $(cat "$tmp/err")"
    fi
done

for trace in "$G"/bad-*.trace; do
    name=$(basename "$trace" .trace)
    want=$G/$name.err
    "$XLB" -c "$G/default.conf" -b "replay:$trace" plan >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if $update && [ "$rc" -eq 1 ]; then
        cp "$tmp/err" "$want"
        echo "updated: $want"
    fi
    if [ ! -f "$want" ]; then
        bad "$name: no $want (run with --update to write it)"
    elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
            cmp -s "$tmp/err" "$want" && [ ! -s "$tmp/out" ]; then
        ok "$name: refused in one line"
    else
        bad "$name: plan on $trace" "exit $rc, wanted 1" "stderr: $(cat "$tmp/err")" \
            "wanted: $(cat "$want")"
    fi
done

echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
