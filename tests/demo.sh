#!/bin/sh
# The main job on the built-in simulated cluster (the paper's two hosts):
# what `make demo` runs on a machine without Xen.
set -eu
B=${1:-build}
export LD_LIBRARY_PATH="$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
XLB="$B/xl-balance -c tests/data/empty.conf -b sim:paper"

echo "== xl-balance status on the paper's cluster (simulated: HostA runs two"
echo "== I/O-bound VMs, HostB two CPU-bound ones)"
$XLB status
