# The domUs' disks on iSCSI (iscsi.sh): this dom0 logs in to the one
# target outside every host (lib/san.sh) and finds its LUNs by path; in
# suite twohost both dom0s do, and see the same disks under the same paths.
. /usr/lib/xlb-test/lib.sh
. /usr/lib/xlb-test/iscsi.sh
if ! msg=$(iscsi_login 2>&1); then
    echo "$msg"
    fail iscsi-login "$(echo "$msg" | tail -n 3 | tr '\n' '|')"
    exit 2
fi
echo "$msg"
pass iscsi-login "$(hostname) logged in to $XLB_IQN at $XLB_PORTAL, $(ls /dev/disk/by-path | grep -c -- -iscsi-) disks by path"
