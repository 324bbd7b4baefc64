# A real dom0's trace: `xl-balance sample --json --local -n 3` recorded
# here and played back with -b replay: gives the same load types as the
# live status.  The trace goes to the serial log (XLB-TRACE lines) so the
# host keeps it (build/xen/trace.jsonl): a fixture from a real Xen.
. /usr/lib/xlb-test/lib.sh
out=/run/xlb
conf=$XLB_LIB/xen.conf
t=$(ts)
xl-balance sample --json --local -n 3 -i 3 >"$out/trace.jsonl"
rc=$?
elapsed sample-trace "$t"
sed 's/^/XLB-TRACE /' "$out/trace.jsonl"
lines=$(wc -l <"$out/trace.jsonl")
if [ $rc != 0 ] || [ "$lines" != 3 ]; then
    fail replay-real-trace "sample exit $rc, $lines lines"
    exit 1
fi
xl-balance -c "$conf" -b "replay:$out/trace.jsonl" status --json -n 3 >"$out/replay.json"
rc=$?
cat "$out/replay.json"; echo
types=$(jq -r '[.vms[] | select(.name | startswith("xlb-")) | "\(.name)=\(.type)"] | sort | join(" ")' "$out/replay.json" 2>/dev/null)
if [ $rc = 0 ] && [ "$types" = "xlb-cpu=cpu xlb-idle=idle xlb-io=io" ]; then
    pass replay-real-trace "$types"
else
    fail replay-real-trace "exit $rc, types '$types'"
fi
