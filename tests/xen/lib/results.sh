# results.sh - the verdict, from each host's serial log only: dom0 prints
# "RESULT: PASS|FAIL NAME - DETAIL" per check, "[T] LABEL SECONDS" per
# timed stage and "XLB-SUMMARY passed=N failed=N" at the end of its suite
# (dom0/lib.sh, dom0/run-suite).  A host passes when its QEMU exited by
# itself, its summary is there, nothing failed, and the PASS lines are as
# many as the summary counted (a line lost on the console is a failure,
# not a pass).

XLB_PASSED=0
XLB_FAILED=0

# results_host HOST: adds the host's counts; prints its lines; 1 if it failed.
results_host() {
    local host=$1 log=$XLB_OUT/serial-$1.log rc sum p np nf bad=""
    eval "rc=\${XLB_QEMU_RC_$host:-none}"
    tr -d '\r' <"$log" >"$log.txt"
    grep -a '^XLB-TRACE ' "$log.txt" | cut -d' ' -f2- >"$XLB_OUT/trace-$host.jsonl"
    [ -s "$XLB_OUT/trace-$host.jsonl" ] || rm -f "$XLB_OUT/trace-$host.jsonl"

    say "host $host: dom0 stage times (s, dom0 clock):"
    grep -a '^\[T\] ' "$log.txt" | sed 's/^\[T\] /  /'
    say "host $host: results:"
    grep -a '^RESULT: ' "$log.txt" | sed 's/^RESULT: /  /'

    np=$(grep -ac '^RESULT: PASS ' "$log.txt")
    nf=$(grep -ac '^RESULT: FAIL ' "$log.txt")
    sum=$(grep -a '^XLB-SUMMARY ' "$log.txt" | tail -n 1)
    p=$(echo "$sum" | sed -n 's/.*passed=\([0-9]*\).*/\1/p')

    [ "$rc" = 0 ] || bad="$bad; QEMU exit $rc"
    [ -n "$sum" ] || bad="$bad; no XLB-SUMMARY line (dom0 crashed or hung?)"
    grep -aq '^XLB-TIMEOUT' "$log.txt" && bad="$bad; $(grep -a '^XLB-TIMEOUT' "$log.txt")"
    grep -aqE 'Kernel panic|Hardware Dom0 crashed|Panic on CPU' "$log.txt" &&
        bad="$bad; crash: $(grep -aE 'Kernel panic|Hardware Dom0 crashed|Panic on CPU' "$log.txt" | head -n 1)"
    [ "$nf" = 0 ] || bad="$bad; $nf check(s) FAILED"
    [ -z "$sum" ] || [ "$p" = "$np" ] ||
        bad="$bad; summary counts $p passes, the log shows $np"
    [ "$np" -gt 0 ] || bad="$bad; no check passed"

    XLB_PASSED=$((XLB_PASSED + np))
    XLB_FAILED=$((XLB_FAILED + nf))
    if [ -n "$bad" ]; then
        [ "$nf" = 0 ] && XLB_FAILED=$((XLB_FAILED + 1))
        warn "host $host FAILED${bad}"
        return 1
    fi
    say "host $host: $np checks passed (summary: ${sum#XLB-SUMMARY })"
}
