# Two hosts (boot_hosts 2): the QEMU socket netdev between them carries
# Ethernet frames.  Each dom0 brings up its virtio NIC and pings the
# other's IPv6 link-local address, derived from the MAC that lib/boot.sh
# gives host N (52:54:00:4c:42:0N): no address is configured anywhere,
# and nothing leaves the two QEMU processes.
. /usr/lib/xlb-test/lib.sh
me=$(hostname)
case $me in
xlb-a) peer=fe80::5054:ff:fe4c:4202 ;;
*)     peer=fe80::5054:ff:fe4c:4201 ;;
esac
modprobe virtio_pci && modprobe virtio_net || { fail link-peer "virtio modules"; exit 2; }
link_up() { [ -e /sys/class/net/eth0 ]; }
wait_for 20 link_up || { fail link-peer "no eth0"; exit 2; }
ip link set eth0 up
# An IPv4 address too, for tools without link-local scopes (busybox nc):
# 169.254.76.N (IPv4 link-local) on the private link only: no route, no
# gateway, never a private-range or public address.
case $me in xlb-a) ip addr add 169.254.76.1/24 dev eth0 ;; *) ip addr add 169.254.76.2/24 dev eth0 ;; esac
# Names for them: the hosts of xl-balance's configurations (steps 30, 40).
grep -q ' xlb-b$' /etc/hosts 2>/dev/null ||
    printf '169.254.76.1 xlb-a\n169.254.76.2 xlb-b\n' >>/etc/hosts
ip -6 addr show dev eth0
pinged() { busybox ping -6 -c 1 -W 1 "$peer%eth0" >/dev/null 2>&1; }
t=$(ts)
if wait_for 90 pinged; then
    elapsed link-peer "$t"
    pass link-peer "$me reaches $peer over the socket netdev"
else
    fail link-peer "$me cannot reach $peer"
fi
# Stay up until the other host has pinged us too (it may boot later).
nap 10
