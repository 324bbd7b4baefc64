#!/bin/sh
# check-layers.sh LAYERS ADAPTERS - libbalance's layering, checked by make
# before it compiles anything (doc/architecture.md):
#   - a file of libbalance/L/ includes headers of L and of the folders
#     before L in LAYERS only, never of a later one;
#   - only the ADAPTERS include a Xen header (libxl, libxlutil, xenstat,
#     xenctrl, xentoollog, xenstore, xen/...), directly or through an
#     adapter's header;
#   - only research/ includes the research API's public header
#     (libbalance-research.h): the dom0 path does not depend on it;
#   - only base/child.c starts a program (fork, exec, popen, system...):
#     one runner, with one set of rules for every child.
# Prints one line per fault, "FILE:LINE: what", and exits 1 on any.
set -u
layers=$1
adapters=$2
rc=0

rank() {
    i=0
    for l in $layers; do
        [ "$l" = "$1" ] && { echo "$i"; return; }
        i=$((i + 1))
    done
    echo -1
}

is_adapter() {
    for a in $adapters; do [ "$a" = "$1" ] && return 0; done
    return 1
}

for l in $layers; do
    mine=$(rank "$l")
    for f in libbalance/"$l"/*.[ch]; do
        [ -e "$f" ] || continue
        # Xen headers.
        if ! is_adapter "$f"; then
            grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(libxl|libxlutil|xenstat|xenctrl|xenguest|xentoollog|xenstore|xen/)' "$f" |
            while IFS=: read -r n _; do
                echo "$f:$n: includes a Xen header; only the adapters may ($adapters)"
            done | grep . && rc=1
        fi
        # The research API, research/'s alone.
        if [ "$l" != research ]; then
            grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]libbalance-research\.h[">]' "$f" |
            while IFS=: read -r n _; do
                echo "$f:$n: includes libbalance-research.h; only research/ may (the dom0 path does not depend on it)"
            done | grep . && rc=1
        fi
        # Starting a program.
        if [ "$f" != libbalance/base/child.c ]; then
            grep -nE '(^|[^a-z_])(fork|vfork|clone|posix_spawnp?|popen|system|execv[pe]?|execl[pe]?)[[:space:]]*\(' "$f" |
            while IFS=: read -r n _; do
                echo "$f:$n: starts a program; only base/child.c does (bal__child_start)"
            done | grep . && rc=1
        fi
        # Includes of other folders' headers.
        grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/[a-z_0-9]+\.h"' "$f" |
        while IFS=: read -r n text; do
            inc=$(echo "$text" | sed 's/.*"\(.*\)".*/\1/')
            dir=${inc%%/*}
            r=$(rank "$dir")
            if [ "$r" -lt 0 ]; then
                echo "$f:$n: includes $inc: $dir/ is no folder of libbalance"
            elif [ "$r" -gt "$mine" ]; then
                echo "$f:$n: includes $inc: $dir/ comes after $l/ ($layers)"
            elif ! is_adapter "$f" && is_adapter "libbalance/$inc"; then
                echo "$f:$n: includes $inc, an adapter's header (it includes Xen's)"
            fi
        done | grep . && rc=1
        # A bare include names a header of its own folder.
        grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_0-9]+\.h"' "$f" |
        while IFS=: read -r n text; do
            inc=$(echo "$text" | sed 's/.*"\(.*\)".*/\1/')
            [ "$inc" = libbalance.h ] && continue
            if [ ! -e "libbalance/$l/$inc" ]; then
                echo "$f:$n: includes \"$inc\": not in $l/ (name another folder's header with its folder)"
            elif ! is_adapter "$f" && is_adapter "libbalance/$l/$inc"; then
                echo "$f:$n: includes $inc, an adapter's header (it includes Xen's)"
            fi
        done | grep . && rc=1
    done
done
exit $rc
