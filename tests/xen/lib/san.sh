# san.sh - the test hosts' shared storage, as in the paper: one iSCSI
# target outside every Xen host, whose LUNs are the domUs' disks.
#
# The target is Debian's tgtd on this (the QEMU) host, unpacked from its
# package into the cache, never installed: the package would start a
# system-wide target on every address.  It listens on 127.0.0.1 only.
# Each QEMU reaches it through a second NIC, a user-mode one with
# restrict=on (no route anywhere) whose one forward, guestfwd, hands each
# TCP connection to 10.0.2.100:3260 to a fresh `socat - TCP:127.0.0.1:PORT`
# (QEMU splits that command into argv itself: no shell).  A relay per
# connection matters: iSCSI opens several (discovery, login, recovery),
# and a guestfwd to a tcp: chardev carries one for QEMU's lifetime.
#
# LUN i is the i-th of XLB_SAN_NAMES, a sparse 64 MiB file in
# build/xen/san/; the target accepts the two initiator names the dom0s
# use (dom0/iscsi.sh), nothing else.

XLB_SAN_PORT=${XLB_SAN_PORT:-15583}     # tgtd's portal, 127.0.0.1 only
XLB_SAN_CTL=${XLB_SAN_CTL:-15583}       # its control socket, /var/run/tgtd/socket.N
XLB_SAN_IQN=iqn.2026-11.invalid.xl-balance:san
XLB_SAN_NAMES="io io1 io2"              # as dom0/iscsi.sh numbers them
XLB_SAN_PID=""

# san_tgt: sets XLB_TGT to a directory holding usr/sbin/tgtd and tgtadm of
# the tgt version apt offers, unpacking it into the cache when missing.
san_tgt() {
    local ver dir missing
    ver=$(candidate tgt)
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { warn "apt has no candidate for tgt"; return 1; }
    dir=$(cache_dir)/tgt-${ver//[^A-Za-z0-9.+~-]/_}
    if [ ! -x "$dir/usr/sbin/tgtd" ]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" || return 1
        (cd "$dir.tmp" && apt-get download -q "tgt=$ver" >download.log 2>&1 &&
            dpkg -x tgt_*.deb .) || { tail -n 5 "$dir.tmp/download.log" >&2; return 1; }
        rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
    fi
    missing=$(ldd "$dir/usr/sbin/tgtd" | awk '/not found/ { print $1 }' | tr '\n' ' ')
    [ -z "$missing" ] || { warn "tgtd needs $missing"; return 1; }
    XLB_TGT=$dir
}

tgtadm_() { "$XLB_TGT/usr/sbin/tgtadm" -C "$XLB_SAN_CTL" --lld iscsi "$@"; }

# san_start: the target up, with its LUNs, or 1 (and nothing left running).
san_start() {
    local name lun=0 san=$XLB_OUT/san
    san_tgt || return 1
    mkdir -p "$san" /var/run/tgtd || return 1
    if tgtadm_ --mode target --op show >/dev/null 2>&1; then
        warn "a tgtd already answers on control port $XLB_SAN_CTL (XLB_SAN_CTL)"
        return 1
    fi
    "$XLB_TGT/usr/sbin/tgtd" -f -C "$XLB_SAN_CTL" --iscsi "portal=127.0.0.1:$XLB_SAN_PORT" \
        >"$XLB_OUT/tgtd.log" 2>&1 </dev/null &
    XLB_SAN_PID=$!
    for _ in $(seq 50); do
        tgtadm_ --mode target --op show >/dev/null 2>&1 && break
        kill -0 "$XLB_SAN_PID" 2>/dev/null || break
        sleep 0.1
    done
    tgtadm_ --mode target --op new --tid 1 --targetname "$XLB_SAN_IQN" || { san_stop; return 1; }
    for name in $XLB_SAN_NAMES; do
        lun=$((lun + 1))
        rm -f "$san/$name.img"
        truncate -s 64M "$san/$name.img" &&
            tgtadm_ --mode logicalunit --op new --tid 1 --lun $lun \
                --backing-store "$san/$name.img" || { san_stop; return 1; }
    done
    for name in a b; do
        tgtadm_ --mode target --op bind --tid 1 \
            --initiator-name "iqn.2026-11.invalid.xl-balance:dom0-$name" || { san_stop; return 1; }
    done
    say "iSCSI target $XLB_SAN_IQN on 127.0.0.1:$XLB_SAN_PORT (tgtd $XLB_SAN_PID, tgt $(candidate tgt)), LUNs 1-$lun: $XLB_SAN_NAMES"
}

# san_stop: the target gone (an EXIT trap calls it too).
san_stop() {
    [ -n "$XLB_SAN_PID" ] || return 0
    kill -TERM "$XLB_SAN_PID" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$XLB_SAN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$XLB_SAN_PID" 2>/dev/null
    wait "$XLB_SAN_PID" 2>/dev/null
    XLB_SAN_PID=""
}

# san_netdev I: QEMU's arguments for host I's storage NIC (MAC
# 52:54:00:4c:53:0N; dom0/iscsi.sh finds it by that prefix).
san_netdev() {
    printf '%s\n' -netdev \
        "user,id=san,restrict=on,net=10.0.2.0/24,guestfwd=tcp:10.0.2.100:3260-cmd:socat - TCP:127.0.0.1:$XLB_SAN_PORT" \
        -device "virtio-net-pci,netdev=san,mac=52:54:00:4c:53:$(printf %02x $(($1 + 1)))"
}
