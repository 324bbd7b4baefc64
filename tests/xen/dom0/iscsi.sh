# iscsi.sh - the shared storage of the test hosts, as in the paper: the
# domUs' disks are LUNs of one iSCSI target outside every Xen host (tgtd
# on the QEMU host, lib/san.sh), reached at 10.0.2.100:3260 through this
# dom0's storage NIC.  Every dom0 logs in to it with open-iscsi, and libxl
# gets the disks as block devices by a stable path
# (/dev/disk/by-path/ip-PORTAL-iscsi-IQN-lun-N, the name udev's path_id
# gives), so the same disk spec works on every host and a migration moves
# only memory.  No udev runs here: iscsi_links makes the by-path links
# from sysfs.  Sourced by the steps after lib.sh.

XLB_IQN=iqn.2026-11.invalid.xl-balance:san
XLB_PORTAL=10.0.2.100
# The LUNs, numbered 1, 2, ... in this order (lib/san.sh's XLB_SAN_NAMES):
# the suite single uses io, twohost io1 and io2.
XLB_SAN_NAMES="io io1 io2"

# iscsi_nic: the storage NIC (QEMU's user-mode one, MAC 52:54:00:4c:53:*)
# up as 10.0.2.15/24, QEMU's guest address on it.
iscsi_nic() {
    local n a
    modprobe virtio_pci && modprobe virtio_net || { echo "modprobe virtio failed"; return 1; }
    nic_found() {
        for n in /sys/class/net/*; do
            read -r a <"$n/address" 2>/dev/null || continue
            [[ $a == 52:54:00:4c:53:* ]] && { nic=${n##*/}; return 0; }
        done
        return 1
    }
    wait_for 20 nic_found || { echo "no storage NIC (52:54:00:4c:53:*)"; return 1; }
    ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic" || return 1
    echo "storage NIC $nic: $(ip -4 -o addr show dev "$nic" | awk '{ print $4 }')"
}

# iscsi_login: this dom0 as an initiator (its own name), logged in to the
# target, every LUN attached and linked by path.
iscsi_login() {
    local portal=$XLB_PORTAL nluns h t nic
    nluns=$(echo $XLB_SAN_NAMES | wc -w)
    h=$(hostname)
    h=${h#xlb-}
    t=$(ts)
    iscsi_nic || return 1
    modprobe crc32c && modprobe iscsi_tcp && modprobe sd_mod ||
        { echo "modprobe crc32c/iscsi_tcp/sd_mod failed"; return 1; }
    mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/iscsi
    echo "InitiatorName=iqn.2026-11.invalid.xl-balance:dom0-$h" >/etc/iscsi/initiatorname.iscsi
    # Debian's iscsid.conf, but: iscsiadm must not try systemctl (there
    # is no systemd here: we start iscsid), and a dom0 under TCG can stall
    # for seconds, which the 5 s NOP-Out ping would take for a dead link.
    sed -e 's|^iscsid.startup = .*|iscsid.startup = /bin/true|' \
        -e 's|^\(node.conn\[0\].timeo.noop_out_interval\) = .*|\1 = 15|' \
        -e 's|^\(node.conn\[0\].timeo.noop_out_timeout\) = .*|\1 = 60|' \
        -e 's|^\(node.conn\[0\].timeo.login_timeout\) = .*|\1 = 60|' \
        /etc/iscsi/iscsid.conf >/run/xlb/iscsid.conf &&
        cat /run/xlb/iscsid.conf >/etc/iscsi/iscsid.conf
    iscsid || { echo "iscsid did not start"; return 1; }
    discovered() { iscsiadm -m discovery -t sendtargets -p "$portal:3260" >/run/xlb/discovery.log 2>&1; }
    wait_for 60 discovered || { echo "discovery at $portal: $(tr '\n' '|' </run/xlb/discovery.log)"; return 1; }
    cat /run/xlb/discovery.log
    # The target answers discovery with its own address (127.0.0.1 on the
    # QEMU host, behind QEMU's NAT): the node is recorded by hand at the
    # address this dom0 reaches it by.
    iscsiadm -m node -o new -T "$XLB_IQN" -p "$portal:3260" >/dev/null &&
        iscsiadm -m node -T "$XLB_IQN" -p "$portal:3260" --login || return 1
    enough() { iscsi_links; [ "$(ls /dev/disk/by-path 2>/dev/null | grep -c -- "-iscsi-$XLB_IQN-lun-[1-9]")" -ge "$nluns" ]; }
    wait_for 60 enough || { echo "only $(ls /dev/disk/by-path 2>/dev/null | tr '\n' ' ') after login"; return 1; }
    ls -l /dev/disk/by-path
    elapsed iscsi-login "$t"
}

# iscsi_links: /dev/disk/by-path/ip-ADDR:PORT-iscsi-IQN-lun-L -> ../../sdX
# for every disk of every iSCSI session, read from sysfs (udev's path_id
# names, without udev).
iscsi_links() {
    local s c b t addr port hctl
    mkdir -p /dev/disk/by-path
    for s in /sys/class/iscsi_session/session*; do
        [ -r "$s/targetname" ] || continue
        read -r t <"$s/targetname"
        for c in /sys/class/iscsi_connection/connection"${s##*session}":*; do
            [ -r "$c/persistent_address" ] || continue
            read -r addr <"$c/persistent_address"
            read -r port <"$c/persistent_port"
        done
        for b in "$s"/device/target*/*:*:*:*/block/*; do
            [ -e "$b" ] || continue
            hctl=${b%/block/*}
            hctl=${hctl##*/}
            ln -sfn "../../${b##*/}" "/dev/disk/by-path/ip-$addr:$port-iscsi-$t-lun-${hctl##*:}"
        done
    done
}

# iscsi_disk NAME: the stable path of NAME's disk.
iscsi_disk() {
    local portal=$XLB_PORTAL name=$1 lun=0 n
    for n in $XLB_SAN_NAMES; do
        lun=$((lun + 1))
        [ "$n" = "$name" ] && { echo "/dev/disk/by-path/ip-$portal:3260-iscsi-$XLB_IQN-lun-$lun"; return 0; }
    done
    return 1
}
