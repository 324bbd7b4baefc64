# overlay.sh - the part of dom0's initramfs made fresh every run, in
# seconds: xl-balance from this tree (`make install DESTDIR PREFIX=/usr`),
# the test scripts, the domUs' initramfs.  The kernel unpacks concatenated
# cpio archives one after the other, later files replacing earlier ones,
# so the run's initramfs is the cached base.cpio with this one appended.
#
# The overlay must hold no /bin, /lib or /sbin: in the merged-/usr base
# those are symlinks, and a directory of that name would replace them.

# overlay_build_xlb: builds xl-balance and installs it into the overlay.
overlay_build_xlb() {
    local ov=$XLB_OUT/overlay log=$XLB_OUT/build.log
    rm -rf "$ov"
    mkdir -p "$ov" || return 1
    {
        make -C "$XLB_REPO" deps &&
        make -C "$XLB_REPO" -j"$(nproc)" all &&
        make -C "$XLB_REPO" install DESTDIR="$ov" PREFIX=/usr
    } >"$log" 2>&1 || { tail -n 40 "$log" >&2; return 1; }
    [ -x "$ov/usr/sbin/xl-balance" ] ||
        { warn "make install put no usr/sbin/xl-balance into $ov"; return 1; }
    say "  installed: $(cd "$ov" && find . -type f | sort | tr '\n' ' ')"
}

# overlay_domu_initrd OUT: busybox, our init, blkfront, netfront; gzip'd (1 MB: the
# domU's decompression costs less than xl loading 2 MB more).
overlay_domu_initrd() {
    local st=$XLB_OUT/domu-root
    rm -rf "$st"
    mkdir -p "$st/bin" "$st/dev" "$st/proc" "$st/sys" "$st/lib" || return 1
    cp "$XLB_IMAGE/busybox" "$st/bin/busybox" &&
    install -m 0755 "$XLB_HERE/domu/init" "$st/init" &&
    cp "$XLB_IMAGE/xen-blkfront.ko" "$XLB_IMAGE/xen-netfront.ko" "$st/lib/" &&
    mknod -m 0600 "$st/dev/console" c 5 1 || return 1
    (cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
        gzip -6 >"$1"
}

# overlay_ssh_keys DIR: throwaway ssh keys for the two-host suite, made
# fresh every run on this side and injected into both dom0s: a host key
# per dom0 (host_a_ed25519_key, host_b_...), one root key (id_ed25519)
# that both accept (authorized_keys), and known_hosts naming both hosts
# by name and link-local address, so the dom0s' ssh keeps BatchMode=yes
# and StrictHostKeyChecking on.  They open nothing but the two QEMUs'
# private link (sshd listens on 169.254.76.N only).
overlay_ssh_keys() {
    local dir=$1 h ip
    rm -rf "$dir"
    mkdir -p "$dir" && chmod 0755 "$dir" || return 1
    ssh-keygen -q -t ed25519 -N '' -C xlb-test-root -f "$dir/id_ed25519" || return 1
    cp "$dir/id_ed25519.pub" "$dir/authorized_keys" || return 1
    : >"$dir/known_hosts"
    for h in a b; do
        case $h in a) ip=169.254.76.1 ;; b) ip=169.254.76.2 ;; esac
        ssh-keygen -q -t ed25519 -N '' -C "xlb-$h" -f "$dir/host_${h}_ed25519_key" || return 1
        echo "xlb-$h,$ip $(cut -d' ' -f1,2 "$dir/host_${h}_ed25519_key.pub")" >>"$dir/known_hosts"
    done
    chmod 0600 "$dir"/id_ed25519 "$dir"/host_*_key &&
    chmod 0644 "$dir"/*.pub "$dir/authorized_keys" "$dir/known_hosts"
}

# overlay_pack: the overlay cpio, then the run's initramfs
# ($XLB_RUN_CPIO) = base.cpio + overlay.
overlay_pack() {
    local ov=$XLB_OUT/overlay lib=$XLB_OUT/overlay/usr/lib/xlb-test
    local suite
    mkdir -p "$lib" "$ov/etc/xen/scripts" "$ov/var/lib/xlb/domu" || return 1
    install -m 0755 "$XLB_HERE/dom0/init" "$ov/init" &&
    install -m 0755 "$XLB_HERE/dom0/run-suite" "$XLB_HERE/dom0/local-peer" \
        "$XLB_HERE/dom0/kill-peer" "$XLB_HERE/dom0/nc-peer" "$XLB_HERE/dom0/recv-migrate" "$lib/" &&
    install -m 0644 "$XLB_HERE/dom0/lib.sh" "$XLB_HERE/dom0/iscsi.sh" "$XLB_HERE/dom0/xen.conf" "$lib/" &&
    for suite in "$XLB_HERE"/dom0/*/; do     # every suite: a directory of steps
        suite=$(basename "$suite")
        mkdir -p "$lib/$suite" &&
        install -m 0644 "$XLB_HERE/dom0/$suite"/*.sh "$lib/$suite/" || return 1
    done
    install -m 0755 "$XLB_HERE/dom0/xlb-block" "$XLB_HERE/dom0/xlb-vif" \
        "$ov/etc/xen/scripts/" &&
    ln -sf /boot/vmlinuz-domu "$ov/var/lib/xlb/domu/vmlinuz" &&
    overlay_ssh_keys "$ov/etc/xl-balance-test" &&
    overlay_domu_initrd "$ov/var/lib/xlb/domu/initrd.gz" || return 1
    (cd "$ov" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
        >"$XLB_OUT/overlay.cpio" || return 1
    mkdir -p "$(dirname "$XLB_RUN_CPIO")" &&
    cat "$XLB_IMAGE/base.cpio" "$XLB_OUT/overlay.cpio" >"$XLB_RUN_CPIO" ||
        return 1
    say "  overlay $(du -k "$XLB_OUT/overlay.cpio" | cut -f1) kB, initramfs $(du -m "$XLB_RUN_CPIO" | cut -f1) MB"
}
