# Starts what xencommons starts (there is no systemd here): the backend
# drivers, xenfs, C xenstored, xen-init-dom0, xenconsoled with guest
# logging (the domUs' consoles are how the test hears from them).
. /usr/lib/xlb-test/lib.sh
t=$(ts)
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback loop; do
    modprobe "$m" || { fail xen-services "modprobe $m failed"; exit 2; }
done
mountpoint -q /proc/xen || mount -t xenfs xenfs /proc/xen
mkdir -p /var/lib/xenstored /run/xenstored
xenstored --pid-file /run/xen/xenstored.pid ||
    { fail xen-services "xenstored did not start"; exit 2; }
wait_for 20 xenstore-read /local >/dev/null 2>&1 || { fail xen-services "xenstore does not answer"; exit 2; }
xen-init-dom0 || { fail xen-services "xen-init-dom0 failed"; exit 2; }
xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console || { fail xen-services "xenconsoled failed"; exit 2; }
elapsed xen-services "$t"

info=$(xl info) || { fail xen-services "xl info failed"; exit 2; }
echo "$info" | grep -E '^(xen_version|xen_caps|virt_caps|nr_cpus|total_memory|free_memory) '
# PVH domUs need HVM with HAP: QEMU gives it only with -cpu ...,+svm,+npt.
if echo "$info" | grep -q '^virt_caps *:.*hvm.*hap'; then
    pass xen-services "Xen $(echo "$info" | sed -n 's/^xen_version *: //p'), HVM with HAP"
else
    fail xen-services "no HVM/HAP in virt_caps: PVH domUs cannot run"
    exit 2
fi
