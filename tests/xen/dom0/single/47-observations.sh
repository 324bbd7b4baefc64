# Observations that outlive a run (doc/classify.md), on real counters:
# two `rebalance --yes' runs ~40 s apart keep each domU's levels, type
# and last counters in their state directory (type_window = 90 s, the
# gap scaled down from a timer's minutes to what a TCG suite affords).
#
#   - the burst: the CPU burner is paused through the first run and the
#     gap, and runs only while the second run samples.  From the kept
#     observations it is not heavy (its 6 s of burning weigh 6 s of the
#     ~45 s behind its type); a status that starts afresh (type_window =
#     0) calls the same burner cpu-heavy;
#   - the steady reader, paused for the status after the second run,
#     stays io (heavy); afresh, the same pause makes it idle;
#   - status reads the file and never changes it; the file is two lines,
#     one entry per domU by UUID; `Seen(s)'/observed_s says how many
#     seconds stand behind each type.
#
# One host: nothing can move here (the twohost suite's rebalance moves
# domUs), so these are the classification's checks.  Every domU is left
# running as step 30 made it, whatever happens.
. /usr/lib/xlb-test/lib.sh
out=/run/xlb
st=$out/obs-state
rm -rf "$st" "$out/obs-lock"
{
    # xen.conf's own sample_interval (3) stays: a key may be set once.
    grep -v '^sample_count' "$XLB_LIB/xen.conf"
    printf 'sample_count = 3\n'
    printf 'state_dir = "%s"\nlock_file = "%s/obs-lock"\n' "$st" "$out"
} >"$out/obs.conf"
cp "$out/obs.conf" "$out/obs0.conf"
echo 'type_window = 90' >>"$out/obs.conf"
echo 'type_window = 0' >>"$out/obs0.conf"
trap 'xl unpause xlb-cpu 2>/dev/null; xl unpause xlb-io 2>/dev/null' EXIT

# vm NAME FIELD FILE: a domU's field in a status document.
vm() { jq -r --arg n "$1" ".vms[] | select(.name == \$n) | .$2" "$3"; }
# kept UUID FIELD: its entry's field in the kept observations (line 1).
kept() { head -n 1 "$st/observations" | jq -r --arg k "$1" ".vms[] | select(.key == \$k) | .$2"; }

xl pause xlb-cpu || { fail obs-pause "xl pause xlb-cpu failed"; exit 1; }
t=$(ts)
xl-balance -c "$out/obs.conf" rebalance --yes >"$out/obs1.out" 2>"$out/obs1.err"
rc=$?
elapsed obs-run-1 "$t"
cat "$out/obs1.out" "$out/obs1.err"
if [ $rc = 0 ] && [ "$(wc -l <"$st/observations" 2>/dev/null)" = 2 ] &&
    head -n 1 "$st/observations" | jq -e '.xl_balance_observations == 1' >/dev/null; then
    pass obs-kept "exit 0, $(head -n 1 "$st/observations" | jq '.vms | length') entries"
else
    fail obs-kept "exit $rc, or no whole $st/observations"
    exit 1
fi

# The gap: the reader reads, the burner stays paused.
nap 40
xl unpause xlb-cpu
t=$(ts)
xl-balance -c "$out/obs.conf" rebalance --yes >"$out/obs2.out" 2>"$out/obs2.err"
rc=$?
xl pause xlb-cpu; xl pause xlb-io
elapsed obs-run-2 "$t"
cat "$out/obs2.out" "$out/obs2.err"
[ $rc = 0 ] || fail obs-run-2 "exit $rc"

cp "$st/observations" "$out/obs.kept"
xl-balance -c "$out/obs.conf" status --json >"$out/obs.json" 2>"$out/obs.err"
rc=$?
xl-balance -c "$out/obs0.conf" status --json >"$out/obs0-io.json" 2>/dev/null
xl unpause xlb-io
cat "$out/obs.json" "$out/obs.err"
if [ $rc = 0 ] && cmp -s "$out/obs.kept" "$st/observations"; then
    pass obs-status-reads "exit 0, the observations unchanged"
else
    fail obs-status-reads "exit $rc, or status changed $st/observations"
fi

got="$(vm xlb-cpu type "$out/obs.json") heavy=$(vm xlb-cpu heavy "$out/obs.json") seen=$(vm xlb-cpu observed_s "$out/obs.json") cpu_level=$(vm xlb-cpu cpu_level "$out/obs.json")"
case $got in
*" heavy=false "*) pass obs-burst-not-heavy "$got" ;;
*) fail obs-burst-not-heavy "wanted not heavy: $got" ;;
esac
got="$(vm xlb-io type "$out/obs.json") heavy=$(vm xlb-io heavy "$out/obs.json") seen=$(vm xlb-io observed_s "$out/obs.json") io_level=$(vm xlb-io io_level "$out/obs.json")"
seen=$(vm xlb-io observed_s "$out/obs.json")
case $got in
"io heavy=true "*)
    if [ "${seen%.*}" -ge 30 ] 2>/dev/null; then pass obs-reader-stays-io "$got"
    else fail obs-reader-stays-io "seen under 30 s: $got"; fi ;;
*) fail obs-reader-stays-io "wanted io, heavy: $got" ;;
esac
uuid=$(vm xlb-io uuid "$out/obs.json")
if [ "$(kept "$uuid" type)" = io ]; then pass obs-kept-by-uuid "xlb-io $uuid: io"
else fail obs-kept-by-uuid "xlb-io $uuid: $(kept "$uuid" type)"; fi

# The same moments afresh (type_window = 0): what the kept observations
# saved the two from.  The paused reader is idle.
got=$(vm xlb-io type "$out/obs0-io.json")
if [ "$got" = idle ]; then pass obs-afresh-reader-idle "paused, afresh: $got"
else fail obs-afresh-reader-idle "paused, afresh: ${got:-missing}, wanted idle"; fi
# The burner, running, afresh: cpu-heavy.
xl unpause xlb-cpu
xl-balance -c "$out/obs0.conf" status --json >"$out/obs0-cpu.json" 2>/dev/null
got="$(vm xlb-cpu type "$out/obs0-cpu.json") heavy=$(vm xlb-cpu heavy "$out/obs0-cpu.json")"
if [ "$got" = "cpu heavy=true" ]; then pass obs-afresh-burst-heavy "running, afresh: $got"
else fail obs-afresh-burst-heavy "running, afresh: $got, wanted cpu heavy=true"; fi

# The table a person reads, for the log: Seen(s).
xl-balance -c "$out/obs.conf" status -i 2 -n 2
rm -rf "$st" "$out/obs-lock"
