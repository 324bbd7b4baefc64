# Live migration between two real Xen hosts through xl-balance's own
# sender: host a creates a CPU-burning PVH domU (no disk: step 40 moves
# the disk readers) with a known UUID and runs `xl-balance migrate` to b's
# address on the private link; the transport (nc-peer) connects to b's
# listener, which runs the stock `xl migrate-receive` (recv-migrate).
# b checks that the domU arrived: the same UUID, one copy, under its name,
# running (its CPU time grows); a checks that it is gone from a.
. /usr/lib/xlb-test/lib.sh
me=$(hostname)
out=/run/xlb
d=$XLB_DOMU
uuid=5ee7ab1e-0000-4000-8000-00000000c0de
dom=xlb-cpu
peer=xlb-b                  # /etc/hosts (step 20): 169.254.76.2

copies() { xl list | awk -v n="$1" 'NR > 1 && ($1 == n || index($1, n "--") == 1) { print $1 }' | sort | tr '\n' ' '; }

case $me in
xlb-b)
    busybox nc -l -p 8002 -e "$XLB_LIB/recv-migrate" >"$out/recv.log" 2>&1 &
    t=$(ts)
    here() { xl domid "$dom" >/dev/null 2>&1; }
    if ! wait_for 400 here; then
        fail twohost-received "$dom never arrived; receiver: $(tr '\n' '|' <"$out/recv.log")"
        exit 1
    fi
    # It is there as soon as the receiver has renamed it; it runs once
    # the receiver unpaused it.
    unpaused() { [[ $(xl list "$dom" 2>/dev/null | awk 'NR == 2 { print $5 }') == [a-z-]* &&
                   $(xl list "$dom" 2>/dev/null | awk 'NR == 2 { print $5 }') != *p* ]]; }
    wait_for 60 unpaused
    elapsed twohost-arrival "$t"
    xl list
    cat "$out/recv.log"
    xl-balance sample --json --local -n 2 -i 3 >"$out/recv-sample.jsonl"
    got=$(jq -r --arg u "$uuid" '.hosts[0].domains[] | select(.uuid == $u) | "\(.name) \(.cpu_ns)"' \
        "$out/recv-sample.jsonl" | awk 'NR == 1 { n = $1; c = $2 } NR == 2 { printf "%s %.0f", n, $2 - c }')
    copies=$(copies $dom)
    if [ "${got% *}" = "$dom" ] && [ "${got#* }" -gt 0 ] && [ "$copies" = "$dom " ]; then
        pass twohost-received "$dom ($uuid) runs on $me, one copy, cpu_ns +${got#* } over 3 s"
    else
        fail twohost-received "by UUID: '${got:-none}', copies: '$copies'"
    fi
    nap 20      # a is still tidying up (destroying its copy)
    ;;
*)
    cat >"$d/cpu2.cfg" <<EOC
name = "$dom"
uuid = "$uuid"
type = "pvh"
kernel = "$d/vmlinuz"
ramdisk = "$d/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet xlb.role=cpu"
memory = 96
vcpus = 1
on_crash = "preserve"
EOC
    xl sched-credit2 -d Domain-0 -w 1024 2>/dev/null
    t=$(ts)
    xl create "$d/cpu2.cfg" || { fail twohost-migrate "xl create failed"; exit 1; }
    if ! wait_for 180 has_line "$(console_log $dom)" "xlb-domu ready role=cpu"; then
        fail twohost-migrate "$dom not ready"; exit 1
    fi
    elapsed twohost-domu-ready "$t"
    cat >"$out/two.conf" <<EOC
hosts = ["$me", "$peer"]
local_host = "$me"
transport = ["$XLB_LIB/nc-peer"]
EOC
    # b's listener may start a little after us: a refused connection is a
    # failed migration that leaves the domU here, so try again.
    for try in 1 2 3 4 5 6; do
        t=$(ts)
        xl-balance -v -c "$out/two.conf" migrate "$dom" "$peer" >"$out/two.out" 2>"$out/two.err"
        rc=$?
        elapsed "twohost-migrate-try$try" "$t"
        cat "$out/two.out" "$out/two.err"
        [ $rc = 1 ] && [ "$(copies $dom)" = "$dom " ] || break
        nap 5
    done
    line=$(head -n 1 "$out/two.out")
    xl list
    left=$(copies $dom)
    if [ $rc = 0 ] && [ -z "$left" ] && [[ $line == "migrated $dom ($uuid) $me -> $peer in "* ]]; then
        pass twohost-migrate "$line; nothing left on $me"
    else
        fail twohost-migrate "exit $rc after $try tries, '$line', left on $me: '${left}'"
    fi
    meas=$(echo "$line" | sed -n 's/.* in \([0-9.]*\) s,.*/\1/p')
    # What `xl-balance migrate` predicted before it moved (the planner's
    # cost model, nothing learned yet), as suite grid prints it.
    pred=$(echo "$line" | sed -n 's/.*; predicted \([0-9.]*\) s, .*/\1/p')
    prounds=$(echo "$line" | sed -n 's/.*; predicted [0-9.]* s, \([0-9]*\) round.*/\1/p')
    dirty=$(echo "$line" | sed -n 's/.*, dirtying \([0-9.]*\) MB\/s.*/\1/p')
    case $line in *"(learned)") learned=yes ;; *) learned=no ;; esac
    echo "XLB-MIGRATION twohost-30 mem=96 dirty=${dirty:-0} measured=${meas:-0}s predicted=${pred:-0}s rounds=${prounds:-0} learned=$learned"
    ;;
esac
