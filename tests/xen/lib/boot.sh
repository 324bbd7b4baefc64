# boot.sh - Xen under QEMU: one or more hosts, each a qemu-system-x86_64
# (TCG) running Debian's Xen with dom0 from the run's initramfs.  dom0's
# init runs a suite and powers off, so QEMU (-no-reboot) exits by itself;
# `timeout` bounds it anyway, and a trap kills every QEMU's process group
# when the harness stops for any reason: nothing is left running.
#
# Settings measured on a 2-core host without KVM (see README):
#   -cpu qemu64,+svm,+npt  Xen gets HVM with HAP, which PVH domUs need
#                          (Debian's Xen has no shadow paging); -cpu max
#                          crashes the PV dom0
#   -smp 1                 two vCPUs on a 2-core host double every step
#
# Several hosts (boot_hosts 2): joined by a QEMU socket netdev, a virtual
# Ethernet between the QEMU processes over 127.0.0.1 only: host a listens,
# host b connects.  (Nothing of it reaches any other address.)  Every
# host also has a NIC to the iSCSI target (san.sh), which reaches
# nothing but it.

XLB_QEMU_PIDS=""
XLB_FOLLOW_PIDS=""
XLB_MEM=${XLB_MEM:-2048}            # per host, MB
XLB_DOM0_MEM=${XLB_DOM0_MEM:-1024M}
XLB_TIMEOUT=${XLB_TIMEOUT:-720}     # hard limit per QEMU, seconds (single: ~560 s a run)
XLB_PORT=${XLB_PORT:-15580}         # socket netdev between hosts

# Kills whatever we started that still runs: QEMU's process groups
# (timeout makes one of its own), then the log followers.
boot_cleanup() {
    local p
    for p in $XLB_QEMU_PIDS; do
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
    done
    [ -n "$XLB_QEMU_PIDS" ] && sleep 1
    for p in $XLB_QEMU_PIDS; do
        kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
    done
    for p in $XLB_FOLLOW_PIDS; do kill "$p" 2>/dev/null; done
    XLB_QEMU_PIDS="" XLB_FOLLOW_PIDS=""
}

# boot_log_tails: what a failure shows (die calls it through XLB_ON_FAIL).
boot_log_tails() {
    local f
    for f in "$XLB_OUT"/serial-*.log "$XLB_OUT"/qemu-*.err; do
        [ -s "$f" ] || continue
        echo "---- last 80 lines of $f"
        tail -n 80 "$f" | tr -d '\r'
    done
}

# boot_qemu HOST SUITE INDEX NHOSTS: starts one host in the background.
boot_qemu() {
    local host=$1 suite=$2 i=$3 n=$4 net=()
    local log=$XLB_OUT/serial-$host.log
    local budget=$(( XLB_TIMEOUT - 120 ))
    case "$XLB_IMAGE$XLB_RUN_CPIO" in
    *,*|*' '*) warn "image paths must hold no ',' or ' ' (QEMU's -initrd list)"; return 1 ;;
    esac
    # Every host: the NIC to the iSCSI target (lib/san.sh), after the
    # link's, so that the link is eth0 where there is one.
    local san=()
    mapfile -t san < <(san_netdev "$i")
    if [ "$n" -gt 1 ]; then
        local how=connect
        [ "$i" = 0 ] && how=listen
        net=(-netdev "socket,id=n0,$how=127.0.0.1:$XLB_PORT"
             -device "virtio-net-pci,netdev=n0,mac=52:54:00:4c:42:$(printf %02x $((i + 1)))")
    fi
    : >"$log"
    timeout -k 10 "$XLB_TIMEOUT" qemu-system-x86_64 \
        -machine pc -accel tcg -cpu qemu64,+svm,+npt -smp 1 -m "$XLB_MEM" \
        -nodefaults -display none -monitor none -no-reboot \
        -serial "file:$log" \
        -kernel "$XLB_IMAGE/xen" \
        -append "console=com1 com1=115200,8n1 dom0_mem=$XLB_DOM0_MEM,max:$XLB_DOM0_MEM dom0_max_vcpus=1 guest_loglvl=warning" \
        -initrd "$XLB_IMAGE/vmlinuz console=hvc0 earlyprintk=xen rdinit=/init quiet xlb.suite=$suite xlb.host=$host xlb.nhosts=$n xlb.budget=$budget,$XLB_RUN_CPIO" \
        "${net[@]}" "${san[@]}" </dev/null >"$XLB_OUT/qemu-$host.err" 2>&1 &
    XLB_QEMU_PIDS="$XLB_QEMU_PIDS $!"
    eval "XLB_QEMU_PID_$host=$!"
    # Progress as it happens: the lines the host reads, prefixed.
    tail -n +1 -F --pid=$! "$log" 2>/dev/null |
        grep --line-buffered -aE '^(RESULT:|\[T\]|XLB-|\[dom0\])' |
        sed -u "s/\r\$//; s/^/  [$host] /" &
    XLB_FOLLOW_PIDS="$XLB_FOLLOW_PIDS $!"
}

# boot_hosts N SUITE: boots hosts a, b, ... and waits for every QEMU to
# exit.  Sets XLB_QEMU_RC_<host>.  Fails only when QEMU could not start;
# the verdict is results.sh's.
boot_hosts() {
    local n=$1 suite=$2 i host names=abcdefgh
    [ "$n" -le 2 ] || { warn "boot_hosts: a socket netdev joins two hosts; $n needs a hub"; return 1; }
    XLB_HOSTS=""
    for ((i = 0; i < n; i++)); do
        host=${names:i:1}
        XLB_HOSTS="$XLB_HOSTS $host"
        boot_qemu "$host" "$suite" "$i" "$n" || return 1
        # The listener must be up before the others connect.
        [ "$n" -gt 1 ] && [ "$i" = 0 ] && sleep 2
    done
    for host in $XLB_HOSTS; do
        local pid rc
        eval "pid=\$XLB_QEMU_PID_$host"
        wait "$pid"
        rc=$?
        eval "XLB_QEMU_RC_$host=$rc"
        say "host $host: QEMU exited with $rc$([ "$rc" = 124 ] && echo " (hard timeout ${XLB_TIMEOUT}s)")"
    done
    sleep 0.2                   # let the followers print the last lines
    boot_cleanup
    return 0
}
