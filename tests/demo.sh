#!/bin/sh
# The main job on the built-in simulated cluster (the paper's two hosts):
# what `make demo` runs on a machine without Xen.
set -eu
B=${1:-build}
OUT=${2:-out}
export LD_LIBRARY_PATH="$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
mkdir -p "$OUT"
# The defaults, from a private empty configuration (xl-balance refuses one
# that others may write, whatever the checkout's umask was).
: > "$OUT/empty.conf"
chmod 600 "$OUT/empty.conf"
XLB="$B/xl-balance -c $OUT/empty.conf"

echo "== xl-balance status: the paper's cluster, simulated (HostA runs two"
echo "== I/O-bound VMs, HostB two CPU-bound ones)"
$XLB -b sim:paper status
echo
echo "== xl-balance simulate paper: the balancer in the loop, from t=100 s"
$XLB simulate paper --plot "$OUT/paper.svg"
$XLB simulate paper --plot "$OUT/paper.png" >/dev/null
echo
echo "== the break-even study (RTT 0, 4, 16, 64 ms)"
$XLB simulate paper --sweep --plot "$OUT/breakeven.svg"
echo
echo "Plots: $OUT/paper.svg, $OUT/paper.png (timelines), $OUT/breakeven.svg"
