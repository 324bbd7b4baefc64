# A domU that streams over its vif is typed net by `xl-balance status
# --json` on its real counters, and the CPU burner beside it stays cpu.
#
# The vif is on a bridge of its own in dom0 (xlbbr0, 10.9.0.1/24, no
# uplink: nothing leaves this machine), its hotplug script xlb-vif; the
# domU (domu/init, role net) sends zeros to a busybox nc listening here,
# in bursts of 4 MiB with a second's pause, as the io domU reads.  A TCG
# machine moves little through netfront and netback (26 KB/s measured
# here, 14 KB/s on a busy machine; pings of 130-620 ms), so the
# configuration says its NIC carries 62.5 KB/s (net_mbps = 0.5), as
# xen.conf says what its disk path carries: the stream is then a quarter
# of the NIC or more, over twice net_high.  The domU and the listener go
# once checked: the later steps see the domUs of step 30 alone.
. /usr/lib/xlb-test/lib.sh
d=$XLB_DOMU
out=/run/xlb
conf=$out/net.conf
port=5001

modprobe xen-netback && modprobe bridge ||
    { fail domu-create-net "modprobe xen-netback/bridge failed"; exit 1; }
# An address of its own: a bridge takes its lowest port's, and netback's
# vifs all have fe:ff:ff:ff:ff:ff.
ip link add xlbbr0 address 02:00:00:4c:4e:01 type bridge &&
    ip addr add 10.9.0.1/24 dev xlbbr0 && ip link set xlbbr0 up ||
    { fail domu-create-net "no bridge xlbbr0"; exit 1; }
# What the domU sends, discarded; a connection at a time, again and again.
# busybox nc closes the connection when its stdin ends (this script's is
# /dev/null): it reads a FIFO this shell holds open for writing too,
# which never ends and never says anything.
rm -f "$out/nc.in" && mkfifo "$out/nc.in" && exec 3<>"$out/nc.in" ||
    { fail domu-create-net "no FIFO $out/nc.in"; exit 1; }
( while :; do busybox nc -l -p "$port" <&3 >/dev/null 2>&1; done ) &
lpid=$!

cat >"$d/net.cfg" <<EOC
name = "xlb-net"
type = "pvh"
kernel = "$d/vmlinuz"
ramdisk = "$d/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet xlb.role=net xlb.port=$port"
memory = 96
vcpus = 1
on_crash = "preserve"
vif = [ 'bridge=xlbbr0,script=xlb-vif' ]
EOC
cat "$d/net.cfg"
{ cat "$XLB_LIB/xen.conf"; echo 'net_mbps = "0.5"'; } >"$conf"

# What the link looked like, for the log: counters, the bridge's ports
# and neighbours, the domU's console.
show_link() {
    ip -s link show
    bridge link show
    ip neigh show
    tail -n 20 "$(console_log xlb-net)" | tr -d '\r'
}

cleanup() {
    xl destroy xlb-net 2>/dev/null
    pkill -P "$lpid" 2>/dev/null
    kill "$lpid" 2>/dev/null
    ip link del xlbbr0 2>/dev/null
    exec 3>&-
    rm -f "$out/nc.in"
}

t=$(ts)
if ! xl create "$d/net.cfg"; then
    fail domu-create-net "xl create failed"
    cleanup
    exit 1
fi
elapsed xl-create-net "$t"
log=$(console_log xlb-net)
if wait_for 180 has_line "$log" "xlb-domu ready role=net"; then
    pass domu-create-net "$(grep 'xlb-domu ready' "$log" | tr -d '\r')"
else
    fail domu-create-net "no ready line; console: $(tail -n 5 "$log" 2>/dev/null | tr -d '\r' | tr '\n' '|')"
    cleanup
    exit 1
fi
elapsed domu-ready-net "$t"

sleep 3     # its boot is over; only its stream remains
t=$(ts)
xl-balance -c "$conf" status --json -i 3 -n 4 >"$out/net-status.json" 2>"$out/net-status.err"
rc=$?
elapsed status-net "$t"
cat "$out/net-status.json"; echo; cat "$out/net-status.err"
xl-balance -c "$conf" status -i 2 -n 2
show_link

row() {     # row NAME: what status says of it
    jq -r --arg n "$1" '.vms[] | select(.name == $n) |
        "\(.type) heavy=\(.heavy) valid=\(.rates_valid) cpu=\(.cpu_pct)% rx=\(.net_rx_Bps)B/s tx=\(.net_tx_Bps)B/s cpu_level=\(.cpu_level) net_level=\(.net_level)"' \
        "$out/net-status.json"
}
if [ $rc != 0 ]; then
    fail status-type-net "exit $rc: $(tr '\n' ' ' <"$out/net-status.err")"
    cleanup
    exit 1
fi
got=$(row xlb-net)
case $got in
"net heavy=true valid=true "*) pass status-type-net "$got" ;;
*) fail status-type-net "wanted type net, heavy: ${got:-missing}" ;;
esac
got=$(row xlb-cpu)
case $got in
"cpu "*"valid=true "*) pass status-type-cpu-beside-net "$got" ;;
*) fail status-type-cpu-beside-net "wanted type cpu: ${got:-missing}" ;;
esac
# The guest sends: libxenstat's vif counters are dom0's view, which
# xl-balance turns round (its tx is what the guest sent).
if jq -e '.vms[] | select(.name == "xlb-net") | .net_tx_Bps > 10 * .net_rx_Bps' \
        "$out/net-status.json" >/dev/null; then
    pass status-net-direction "$(jq -r '.vms[] | select(.name == "xlb-net") |
        "tx \(.net_tx_Bps) B/s, rx \(.net_rx_Bps) B/s"' "$out/net-status.json")"
else
    fail status-net-direction "the streaming domU's tx is not its sends"
fi
cleanup
xl list
