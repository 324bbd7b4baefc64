#!/bin/sh
# Runs every unit test binary in BUILD/tests, the command-line tests, the
# documentation's checks (tests/check-docs.sh) and the planner's golden
# cases, then prints one closing line "N passed, N failed".
#   tests/run-tests.sh BUILD [valgrind]
set -u

B=${1:?usage: run-tests.sh BUILD [valgrind]}
mode=${2:-}
passed=0
failed=0
failed_names=""

export BAL_TESTDATA=tests/data
export LD_LIBRARY_PATH="$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The planner's property tests plan 10,000 clusters three times each:
# under valgrind, 200 of them (every regime still, 40 times over).
if [ "$mode" = valgrind ]; then
    export XLB_PROPS_N=${XLB_PROPS_N:-200}
fi

run_unit() {
    bin=$1
    log=$(mktemp)
    if [ "$mode" = valgrind ]; then
        valgrind -q --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible \
            --track-fds=no "$bin" >"$log" 2>&1
    else
        "$bin" >"$log" 2>&1
    fi
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1     # crashed, or valgrind found errors
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ]; then
        failed_names="$failed_names $(basename "$bin")"
        echo "FAIL: $bin (exit $rc)"
        tail -n 40 "$log"
    else
        echo "ok:   $(basename "$bin") ($p tests)"
    fi
    rm -f "$log"
}

for t in "$B"/tests/test_* "$B"/tests/seam_*; do
    case "$t" in *.o|*.d) continue ;; esac
    [ -x "$t" ] || continue
    run_unit "$t"
done

# run_script SCRIPT TAG: a test script that prints "TAG: N passed, N
# failed" last; its failures shown, its counts added.
run_script() {
    out=$(sh "tests/$1.sh" "$B/xl-balance" 2>&1)
    echo "$out" | grep -v '^ok' || true
    p=$(echo "$out" | sed -n "s/^$2: \([0-9]*\) passed, \([0-9]*\) failed\$/\1/p")
    f=$(echo "$out" | sed -n "s/^$2: \([0-9]*\) passed, \([0-9]*\) failed\$/\2/p")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
    [ "${f:-1}" -eq 0 ] || failed_names="$failed_names $1"
}

if [ "$mode" != valgrind ]; then
    # The command line, through the installed-style binary.
    run_script cli-tests cli
    # README and doc/ against the program: links, verbs, options, exit codes.
    run_script check-docs docs
    # The planner's golden cases: a cluster in, the plan out.
    run_script golden-tests golden
fi

[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "${mode:+$mode: }$passed passed, $failed failed"
[ "$failed" -eq 0 ]
