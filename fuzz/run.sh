#!/bin/sh
# Runs each libFuzzer harness for SECONDS on its committed seed corpus
# (fuzz/corpus/TARGET, read only) and a working corpus under
# BUILD/corpus/TARGET (kept between runs: what the fuzzer learnt).
# A crash, a leak, a hang (> 10 s on one input) or a sanitizer report
# fails the run; its input is saved as BUILD/crash-TARGET-*.
#   fuzz/run.sh BUILD SECONDS TARGET...
set -u

B=${1:?usage: run.sh BUILD SECONDS TARGET...}
secs=${2:?usage: run.sh BUILD SECONDS TARGET...}
shift 2
failed=""

for t in "$@"; do
    bin="$B/$t"
    mkdir -p "$B/corpus/$t"
    log="$B/$t.log"
    echo "== $t: $secs s"
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=fuzz/lsan.supp \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$B/crash-$t-" \
            "$B/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    ncorp=$(ls "$B/corpus/$t" | wc -l)
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $t (exit $rc), log in $log:"
        grep -m 1 -B 2 -A 30 'ERROR\|fuzz:\|runtime error' "$log" | head -n 40
        failed="$failed $t"
    else
        echo "ok:   $t: ${runs:-?} inputs, ${cov:-cov: ?} edges, corpus $ncorp"
    fi
done

[ -z "$failed" ] || { echo "fuzz failed:$failed"; exit 1; }
echo "fuzz: every harness ran $secs s without a finding"
