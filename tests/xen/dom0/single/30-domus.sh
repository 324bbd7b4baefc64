# Three PVH domUs, one per load type, from the same kernel and busybox
# initramfs (domu/init: the role comes from the kernel command line).
# Only xlb-io has a disk: LUN "io" of the iSCSI target (step 25), by its
# stable path, a block device for libxl with our fast hotplug script.
#
# One pCPU for everything: the CPU burner starts last, once the others are
# up (booting a domU under TCG takes ~15 s of CPU; next to the burner it
# took a minute and more), and dom0 gets 4 times a domU's weight, as real
# dom0s get more than their guests, so the toolstack and the sampling are
# not starved by it.
. /usr/lib/xlb-test/lib.sh
. /usr/lib/xlb-test/iscsi.sh
d=$XLB_DOMU
xl sched-credit2 -d Domain-0 -w 1024 || xl sched-credit -d Domain-0 -w 1024
disk=$(iscsi_disk io)
[ -b "$disk" ] || { fail domus "no iSCSI disk at $disk"; exit 2; }

mkcfg() {   # mkcfg ROLE [DISKSPEC]
    cat <<EOC
name = "xlb-$1"
type = "pvh"
kernel = "$d/vmlinuz"
ramdisk = "$d/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet xlb.role=$1"
memory = 96
vcpus = 1
on_crash = "preserve"
EOC
    [ -n "${2:-}" ] && echo "disk = [ $2 ]"
}
mkcfg cpu >"$d/cpu.cfg"
mkcfg idle >"$d/idle.cfg"
mkcfg io "'format=raw,vdev=xvda,access=rw,script=xlb-block,target=$disk'" >"$d/io.cfg"
cat "$d/io.cfg"

ok=1
create() {   # create ROLE...: xl create each, then wait until each is ready
    local role t log
    for role in "$@"; do
        t=$(ts)
        if xl create "$d/$role.cfg"; then
            elapsed "xl-create-$role" "$t"
        else
            fail "domu-create-$role" "xl create failed"
            ok=0
        fi
    done
    t=$(ts)
    for role in "$@"; do
        log=$(console_log "xlb-$role")
        if wait_for 180 has_line "$log" "xlb-domu ready role=$role"; then
            pass "domu-create-$role" "$(grep 'xlb-domu ready' "$log" | tr -d '\r')"
        else
            fail "domu-create-$role" "no ready line; console: $(tail -n 5 "$log" 2>/dev/null | tr -d '\r' | tr '\n' '|')"
            ok=0
        fi
    done
    elapsed "domu-ready-$(echo "$@" | tr ' ' -)" "$t"
}
create idle io
create cpu
xl list
[ $ok = 1 ] || exit 2
