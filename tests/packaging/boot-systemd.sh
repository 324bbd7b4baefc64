#!/bin/bash
# boot-systemd.sh BUILD - tests/packaging/check-unit.sh where systemd is
# PID 1: in a Debian 12 guest booted under QEMU (TCG, no KVM needed), so
# that the unit's sandbox is enforced by a real systemd and a real kernel
# even on a build machine or container whose PID 1 is something else.
#
# The guest: Debian's kernel (the one tests/xen builds its image around,
# from the same cache) and a minimal Debian root with systemd, both kept
# in the cache (keyed on their package versions and on this file); then,
# fresh each run, an overlay with the built program and what check-unit.sh
# reads.  systemd starts one oneshot unit that runs check-unit.sh with its
# output on the serial line and powers the guest off, passed or failed.
#
# Prints check-unit.sh's own lines (the last: "unit: N passed, N failed,
# N skipped") and exits with its status.  Exit 3 and "cannot boot: WHY"
# when this machine cannot build or boot the guest (no root, no
# CAP_SYS_ADMIN, a container): the caller then runs check-unit.sh here,
# where it says skip.  XLB_TIMEOUT: hard limit on QEMU, s (default 300).
set -u
umask 022
export LC_ALL=C

B=${1:-build}
cd "$(dirname "$0")/../.."
top=$(pwd)
XLB_HERE=$top/tests/xen
. "$XLB_HERE/lib/common.sh"
. "$XLB_HERE/lib/image.sh"
say()  { printf 'boot-systemd: %s\n' "$*"; }
warn() { printf 'boot-systemd: %s\n' "$*" >&2; }
cannot() { echo "cannot boot: $*"; exit 3; }

# systemd, dbus (systemd-run --wait follows its unit over the bus) and
# the libraries the built program links (libxenlight's package pulls the
# rest of Xen's), nothing else.
XLB_SD_PKGS="systemd systemd-sysv dbus libxenmisc4.17 libyajl2 zlib1g"

[ "$(id -u)" = 0 ] || cannot "needs root (mmdebstrap --mode=root, the image cache)"
why=$(cannot_boot) && cannot "$why"
[ -x "$B/xl-balance" ] || cannot "no $B/xl-balance: build it first"
apt_install qemu-system-x86 mmdebstrap cpio >&2 || cannot "cannot install qemu-system-x86, mmdebstrap and cpio"

cache=$(cache_dir)
mkdir -p "$cache" || cannot "cannot create $cache"
# The cache's lock, as check-xen takes it: one builder of an image at a
# time (the kernel comes from check-xen's image, built here when missing).
exec 9>"$cache/lock"
flock -w 1200 9 || cannot "$cache/lock is held by another run"
image_ensure >&2 || { echo "FAIL: the kernel image (tests/xen/lib/image.sh) could not be built"; echo "unit: 0 passed, 1 failed, 0 skipped"; exit 1; }
kernel=$XLB_IMAGE/vmlinuz

# ---- the systemd root, cached ---------------------------------------------------
# shellcheck disable=SC2086
versions=$(candidates $XLB_SD_PKGS)
key=$(printf "%s\n" "$versions" "$XLB_SD_PKGS" minbase | sha256sum | cut -c1-16)
sdimg=$cache/systemd-$key
if [ ! -f "$sdimg/complete" ]; then
    say "building the guest's root $sdimg" >&2
    t=$(date +%s)
    rm -rf "$sdimg.tmp"
    mkdir -p "$sdimg.tmp" || cannot "cannot create $sdimg.tmp"
    # shellcheck disable=SC2086
    if ! image_debstrap "$sdimg.tmp/root" minbase "$sdimg.tmp/build.log" $XLB_SD_PKGS >&2 ||
       ! (cd "$sdimg.tmp/root" && rm -rf var/cache/apt/* var/lib/apt/lists/* &&
          find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$sdimg.tmp/base.cpio"; then
        rm -rf "$sdimg.tmp"
        echo "FAIL: the guest's root could not be built"
        echo "unit: 0 passed, 1 failed, 0 skipped"
        exit 1
    fi
    rm -rf "$sdimg.tmp/root" "$sdimg"
    mv "$sdimg.tmp" "$sdimg" && touch "$sdimg/complete"
    for old in "$cache"/systemd-*; do
        [ "$old" = "$sdimg" ] || rm -rf "$old"
    done
    say "  $(du -m "$sdimg/base.cpio" | cut -f1) MB in $(( $(date +%s) - t ))s" >&2
fi
flock -u 9

# ---- the overlay: what check-unit.sh reads, and the unit that runs it --------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-sd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ov=$tmp/ov
mkdir -p "$ov/src/$B" "$ov/src/tests/packaging" "$ov/src/packaging/systemd" \
    "$ov/src/scenarios" "$ov/etc/systemd/system/multi-user.target.wants" || exit 1
cp tests/packaging/check-unit.sh "$ov/src/tests/packaging/" &&
    cp packaging/systemd/xl-balance.service "$ov/src/packaging/systemd/" &&
    cp scenarios/paper.scn "$ov/src/scenarios/" &&
    cp -P "$B/xl-balance" "$B"/libbalance.so* "$ov/src/$B/" || exit 1
cat >"$ov/etc/systemd/system/xlb-check.service" <<EOF
[Unit]
Description=xl-balance: check-unit.sh under a real systemd
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
WorkingDirectory=/src
ExecStart=/bin/bash tests/packaging/check-unit.sh $B
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
EOF
ln -s ../xlb-check.service "$ov/etc/systemd/system/multi-user.target.wants/" || exit 1
(cd "$ov" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$tmp/ov.cpio" || exit 1
# Two cpio archives back to back are one initramfs: the overlay's files
# land on top of the root's.
cat "$sdimg/base.cpio" "$tmp/ov.cpio" >"$tmp/initrd.cpio" || exit 1

# ---- boot ---------------------------------------------------------------------------
t=$(date +%s)
timeout -k 10 "${XLB_TIMEOUT:-300}" qemu-system-x86_64 -machine q35 -cpu qemu64 \
    -smp 1 -m 1536 -display none -no-reboot -monitor none \
    -serial "file:$tmp/serial.log" -kernel "$kernel" -initrd "$tmp/initrd.cpio" \
    -append "console=ttyS0 rdinit=/sbin/init panic=-1 loglevel=3 systemd.show_status=0" \
    </dev/null >"$tmp/qemu.log" 2>&1
qrc=$?
tr -d '\r' <"$tmp/serial.log" >"$tmp/serial.txt"
# Kept for a look afterwards: the guest's whole console.
cp "$tmp/serial.txt" "$B/boot-systemd-console.log" 2>/dev/null
say "guest booted, ran check-unit.sh and powered off in $(( $(date +%s) - t ))s (qemu exit $qrc)" >&2
if ! grep -q '^unit: [0-9]* passed' "$tmp/serial.txt"; then
    echo "FAIL: the guest did not run check-unit.sh to its end (qemu exit $qrc)"
    tail -n 20 "$tmp/serial.txt" "$tmp/qemu.log" | sed 's/^/    /'
    echo "unit: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
grep -E '^(ok|FAIL|skip|    |unit:)' "$tmp/serial.txt"
line=$(grep '^unit: [0-9]* passed' "$tmp/serial.txt" | tail -n 1)
case $line in *", 0 failed,"*) exit 0 ;; *) exit 1 ;; esac
