#!/bin/bash
# check-xen.sh - xl-balance against a real Xen: Debian's Xen 4.17 and
# dom0 kernel booted under QEMU (TCG: no KVM needed), xl-balance from this
# tree installed into dom0, tested there against real PVH domUs.
#
#   tests/xen/check-xen.sh          (what `make check-xen` runs; as root)
#
# Stages, each timed: host packages (apt-get), the dom0 image (cached,
# keyed on its package versions and on lib/image.sh), xl-balance built and
# installed into a fresh overlay, the overlay packed onto the image, the
# iSCSI target (lib/san.sh), boot and test.  Ends with "xen: N passed, N
# failed"; exit 0 only when every check in dom0 passed, or when this
# machine cannot run it at all (no CAP_SYS_ADMIN, a container): then
# "skip: WHY" and "xen: 0 passed, 0 failed, 1 skipped".  Environment:
# XLB_TIMEOUT (hard limit on QEMU, s; default 720, twohost 840, grid 660),
# XLB_XEN_CACHE (cache directory), XLB_SUITE (dom0 suite, "single"),
# XLB_NHOSTS (hosts to boot, 1; the "twohost" suite wants 2), XLB_SUITES
# (default "single:1 twohost:2 grid:1": each suite, one after the other).
set -u
umask 022
export LC_ALL=C

XLB_HERE=$(cd "$(dirname "$0")" && pwd)
XLB_REPO=$(cd "$XLB_HERE/../.." && pwd)
XLB_OUT=$XLB_REPO/build/xen
# Each suite with its number of hosts: "SUITE:N ...".  XLB_SUITE (and
# XLB_NHOSTS) run one suite instead.
if [ -n "${XLB_SUITE:-}" ]; then
    XLB_SUITES="$XLB_SUITE:${XLB_NHOSTS:-1}"
else
    XLB_SUITES=${XLB_SUITES:-"single:1 twohost:2 grid:1"}
fi

XLB_TIMEOUT_SET=${XLB_TIMEOUT:-}      # else per suite, below
. "$XLB_HERE/lib/common.sh"
. "$XLB_HERE/lib/image.sh"
. "$XLB_HERE/lib/overlay.sh"
. "$XLB_HERE/lib/boot.sh"
. "$XLB_HERE/lib/san.sh"
. "$XLB_HERE/lib/results.sh"

trap 'boot_cleanup; san_stop' EXIT
trap 'warn "interrupted"; exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || die "run as root: apt-get, mmdebstrap --mode=root and dom0's device nodes need it"
# Where it cannot run at all: said, and counted as skipped, not passed.
if why=$(cannot_boot); then
    say "skip: $why"
    echo "xen: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
for spec in $XLB_SUITES; do
    [ -d "$XLB_HERE/dom0/${spec%%:*}" ] || die "no suite ${spec%%:*} in $XLB_HERE/dom0"
done
mkdir -p "$XLB_OUT" "$(cache_dir)" || die "cannot create $XLB_OUT or $(cache_dir)"
rm -f "$XLB_OUT"/serial-* "$XLB_OUT"/qemu-*.err "$XLB_OUT"/trace-*.jsonl
XLB_RUN_CPIO=$(cache_dir)/run/dom0.cpio

# One run at a time per cache: two would rebuild the same image at once.
exec 9>"$(cache_dir)/lock"
flock -n 9 || die "another check-xen holds $(cache_dir)/lock"

stage host-packages apt_install qemu-system-x86 mmdebstrap cpio kmod gzip openssh-client socat
stage dom0-image image_ensure
say "image: $(tr '\n' ';' <"$XLB_IMAGE/versions.txt")"
stage build-xl-balance overlay_build_xlb
stage pack-initramfs overlay_pack
stage san-target san_start
XLB_ON_FAIL=boot_log_tails

ok=1
for spec in $XLB_SUITES; do
    suite=${spec%%:*}
    # Hard limit on each QEMU: twohost's rebalance migrates two domUs
    # after a sample of both hosts over ssh, all under TCG.
    case $suite in
    twohost) XLB_TIMEOUT=${XLB_TIMEOUT_SET:-840} ;;
    # The migration grid: eight domUs booted and migrated one by one.
    grid)    XLB_TIMEOUT=${XLB_TIMEOUT_SET:-660} ;;
    *)       XLB_TIMEOUT=${XLB_TIMEOUT_SET:-720} ;;
    esac
    stage "boot-and-test-$suite" boot_hosts "${spec#*:}" "$suite"
    for h in $XLB_HOSTS; do results_host "$h" || ok=0; done
    for h in $XLB_HOSTS; do
        [ -f "$XLB_OUT/trace-$h.jsonl" ] &&
            mv "$XLB_OUT/trace-$h.jsonl" "$XLB_OUT/trace-$suite-$h.jsonl" &&
            say "real dom0 trace: $XLB_OUT/trace-$suite-$h.jsonl"
        # Kept per suite: the next suite boots hosts of the same names.
        for f in serial-$h.log serial-$h.log.txt qemu-$h.err; do
            [ -f "$XLB_OUT/$f" ] && mv "$XLB_OUT/$f" "$XLB_OUT/${f%%-*}-$suite-${f#*-}"
        done
    done
done
say "serial logs: $XLB_OUT/serial-*.log"
if [ $ok = 0 ]; then
    boot_log_tails >&2
    stage_summary
    echo "xen: $XLB_PASSED passed, $XLB_FAILED failed"
    exit 1
fi
stage_summary
echo "xen: $XLB_PASSED passed, $XLB_FAILED failed"
