# image.sh - the cached part of the Xen test machine: Debian's hypervisor,
# Debian's kernel (dom0 and domU alike) and a dom0 root file system, all
# from Debian packages.  Nothing of xl-balance and no test script is in
# here: those go into a small overlay built fresh each run (overlay.sh).
#
# The image is keyed on this file (it holds the package and module lists
# and the build steps) and on the candidate versions apt sees for those
# packages, so a point release or a change here builds a new one and the
# old one is removed.  Building takes 1.5-3 minutes (mmdebstrap); a cache
# hit costs a few apt-cache calls.
#
# Output (directory $XLB_IMAGE):
#   xen           the hypervisor, uncompressed: qemu's multiboot loader
#                 takes an ELF32 image, not the .gz Debian ships
#   vmlinuz       Debian's kernel, dom0's and the domUs'
#   base.cpio     dom0's root: uncompressed (gunzip under TCG costs more
#                 than loading the bigger file), modules included
#   busybox, xen-blkfront.ko, xen-netfront.ko   for the per-run domU
#                 initramfs (a disk for the io domU, a vif for the net one)
#   versions.txt  what is inside, for the log

# Kept out of the image: the hypervisor and kernel packages (their files
# are taken apart by hand: installing linux-image would run
# update-initramfs, for minutes under mmdebstrap, for nothing).
# openssh-server and -client: the two-host rebalance reaches the peer over
# real ssh (keys made per run by overlay.sh, never part of the image).
# open-iscsi: the domUs' disks are LUNs of an iSCSI target (lib/san.sh,
# dom0/iscsi.sh).
XLB_DOM0_PKGS="xen-utils-4.17 xenstore-utils kmod mount iproute2 procps jq busybox-static openssh-server openssh-client open-iscsi"
XLB_HYP_PKG="xen-hypervisor-4.17-amd64"
XLB_KMETA_PKG="linux-image-amd64"
# dom0's modules: Xen's device and backend drivers, loop devices for
# file-backed disks; virtio_net and bridge for the two-host setup (QEMU
# socket netdev); the iSCSI initiator (its digests want crc32c) and SCSI
# disks for the shared storage.
XLB_DOM0_MODS="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback loop bridge virtio_net virtio_pci iscsi_tcp crc32c_generic sd_mod"

# The kernel package linux-image-amd64 points to right now.
image_kernel_pkg() {
    apt-cache depends "$XLB_KMETA_PKG" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1
}

# candidates PKG...: "PKG VERSION" lines, one apt-cache call for all.
candidates() {
    apt-cache policy "$@" 2>/dev/null |
        awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
             /^ *Candidate: / && p != "" { print p, $2; p = "" }'
}

# The host's own apt sources, handed to mmdebstrap as files: the dom0 root
# comes from the mirror this machine is configured for, whatever it is.
image_host_sources() {
    local f
    if grep -qs '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list; then
        echo /etc/apt/sources.list
    fi
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -s "$f" ] && echo "$f"
    done
}

# image_debstrap ROOT VARIANT LOG PKG...: a Debian root of this host's
# release from this host's mirror, without recommends, docs, man pages or
# locales (the dom0 here; tests/packaging/boot-systemd.sh's guest too).
image_debstrap() {
    local root=$1 variant=$2 log=$3 srcs
    shift 3
    srcs=$(image_host_sources)
    [ -n "$srcs" ] || { warn "no apt sources on this host to build a root from"; return 1; }
    # shellcheck disable=SC2086
    if ! mmdebstrap --mode=root --variant="$variant" --quiet \
            --aptopt='APT::Install-Recommends "false"' \
            --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-exclude=/usr/share/man/*' \
            --dpkgopt='path-exclude=/usr/share/locale/*' \
            --dpkgopt='path-exclude=/usr/share/info/*' \
            --include="$(echo "$@" | tr ' ' ,)" \
            "$(. /etc/os-release && echo "$VERSION_CODENAME")" "$root" \
            $srcs >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        return 1
    fi
}

# image_key: sets XLB_KEY (the cache key), XLB_KPKG and XLB_VERSIONS.
image_key() {
    local p v all
    XLB_KPKG=$(image_kernel_pkg)
    [ -n "$XLB_KPKG" ] || { warn "apt knows no kernel package behind $XLB_KMETA_PKG"; return 1; }
    # shellcheck disable=SC2086
    all=$(candidates $XLB_HYP_PKG "$XLB_KPKG" $XLB_DOM0_PKGS)
    XLB_VERSIONS=""
    for p in $XLB_HYP_PKG "$XLB_KPKG" $XLB_DOM0_PKGS; do
        v=$(echo "$all" | awk -v p="$p" '$1 == p { print $2; exit }')
        if [ -z "$v" ] || [ "$v" = "(none)" ]; then
            warn "apt has no candidate for $p"
            return 1
        fi
        XLB_VERSIONS="$XLB_VERSIONS$p $v
"
    done
    XLB_KEY=$({ printf '%s' "$XLB_VERSIONS"; cat "$XLB_HERE/lib/image.sh"; } |
        sha256sum | cut -c1-16)
}

# image_ensure: sets XLB_IMAGE to a complete image directory, building it
# when the cache has none for the current key.
image_ensure() {
    local cache
    apt_update_if_stale || return 1
    cache=$(cache_dir)
    image_key || return 1
    XLB_IMAGE=$cache/image-$XLB_KEY
    if [ -f "$XLB_IMAGE/complete" ]; then
        say "image cache hit: $XLB_IMAGE"
        return 0
    fi
    say "image cache miss: building $XLB_IMAGE"
    mkdir -p "$cache" || return 1
    rm -rf "$XLB_IMAGE.tmp"
    image_build "$XLB_IMAGE.tmp" || { rm -rf "$XLB_IMAGE.tmp"; return 1; }
    # Only a whole image is ever found under its final name.
    rm -rf "$XLB_IMAGE"
    mv "$XLB_IMAGE.tmp" "$XLB_IMAGE" || return 1
    touch "$XLB_IMAGE/complete"
    local old
    for old in "$cache"/image-*; do
        [ "$old" = "$XLB_IMAGE" ] || rm -rf "$old"
    done
}

# image_build DIR: the slow part.
image_build() {
    local out=$1 kver log t
    local x=$out/x root=$out/root
    mkdir -p "$out/debs" "$x" || return 1
    log=$out/build.log

    t=$(date +%s)
    (cd "$out/debs" &&
        apt-get download -q "$XLB_HYP_PKG=$(candidate $XLB_HYP_PKG)" \
            "$XLB_KPKG=$(candidate "$XLB_KPKG")") >"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; return 1; }
    for d in "$out"/debs/*.deb; do dpkg -x "$d" "$x" || return 1; done
    kver=${XLB_KPKG#linux-image-}
    gunzip -c "$x/boot/xen-4.17-amd64.gz" >"$out/xen" || return 1
    cp "$x/boot/vmlinuz-$kver" "$out/vmlinuz" || return 1
    depmod -b "$x" "$kver" || return 1
    say "  hypervisor and kernel $kver: $(( $(date +%s) - t ))s"

    t=$(date +%s)
    # shellcheck disable=SC2086
    image_debstrap "$root" essential "$log" $XLB_DOM0_PKGS || return 1
    say "  dom0 root (mmdebstrap): $(( $(date +%s) - t ))s"

    t=$(date +%s)
    # What a test dom0 never runs: python (xen-utils depends on it for
    # pygrub and friends), apt's state, udev's hardware database.
    rm -rf "$root"/usr/lib/python3* "$root"/usr/bin/python3* \
        "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
        "$root"/usr/lib/udev/hwdb.bin "$root"/usr/lib/xen-4.17/boot \
        "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
    image_modules "$x" "$root" "$kver" || return 1
    cp "$out/vmlinuz" "$root/boot/vmlinuz-domu" || return 1
    cp "$root/bin/busybox" "$out/busybox" || return 1
    cp "$x/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" \
        "$x/lib/modules/$kver/kernel/drivers/net/xen-netfront.ko" "$out/" ||
        return 1
    chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' \
        >"$out/dom0-packages.txt" || return 1
    {
        printf '%s' "$XLB_VERSIONS"
        echo "kernel $kver"
        echo "xen-utils in dom0: $(grep '^xen-utils-4.17 ' "$out/dom0-packages.txt")"
    } >"$out/versions.txt"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
        >"$out/base.cpio" || return 1
    rm -rf "$root" "$x" "$out/debs"
    say "  base.cpio $(du -m "$out/base.cpio" | cut -f1) MB: $(( $(date +%s) - t ))s"
}

# image_modules X ROOT KVER: the modules dom0 loads, with what they need.
image_modules() {
    local x=$1 root=$2 kver=$3 m f rel
    for m in $XLB_DOM0_MODS; do
        modprobe -d "$x" -S "$kver" --show-depends "$m" || return 1
    done | sed -n 's/^insmod \([^ ]*\).*/\1/p' | sort -u | while read -r f; do
        rel=${f#"$x"}
        mkdir -p "$root$(dirname "$rel")" && cp "$f" "$root$rel" || exit 1
    done || return 1
    cp "$x/lib/modules/$kver"/modules.order "$x/lib/modules/$kver"/modules.builtin* \
        "$root/lib/modules/$kver/" || return 1
    depmod -b "$root" "$kver"
}
