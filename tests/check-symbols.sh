#!/bin/sh
# check-symbols.sh - libbalance's ABI as the map says it, checked by make
# before it links the library (doc/architecture.md, "ABI"):
#   - the functions libbalance/libbalance.h declares are exactly those of
#     the dom0 version nodes of libbalance/libbalance.map (LIBBALANCE_N.M);
#   - those libbalance/libbalance-research.h declares are exactly those of
#     the research nodes (LIBBALANCE_RESEARCH_N.M);
#   - every node is one or the other, and no symbol is in two nodes.
# Prints one line per fault and exits 1 on any.
set -u

cd "$(dirname "$0")/.."
MAP=libbalance/libbalance.map
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-syms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rc=0

# "NODE SYMBOL" for every global symbol of every version node.
awk -f packaging/map-symbols.awk "$MAP" > "$tmp/map"

# The functions a header declares: comments and preprocessor lines
# dropped, then every declaration (up to its `;') that is no typedef and
# names a bal_ function.
decls() {
    awk '
        { line = line $0 "\n" }
        END {
            gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
            gsub(/\n[ \t]*#[^\n]*/, "\n", line)
            n = split(line, st, /;/)
            for (i = 1; i <= n; i++) {
                s = st[i]
                gsub(/\n/, " ", s)
                sub(/^.*[{}][ \t]*/, "", s)     # what a brace ended
                if (s ~ /^[ \t]*typedef[ \t]/) continue
                if (match(s, /bal_[a-z0-9_]+[ \t]*\(/)) {
                    f = substr(s, RSTART, RLENGTH)
                    sub(/[ \t]*\($/, "", f)
                    print f
                }
            }
        }' "$1" | LC_ALL=C sort
}

awk '$1 ~ /^LIBBALANCE_RESEARCH_/ { print $2 }' "$tmp/map" | LC_ALL=C sort > "$tmp/research.map"
awk '$1 ~ /^LIBBALANCE_[0-9]/ { print $2 }' "$tmp/map" | LC_ALL=C sort > "$tmp/dom0.map"
awk '$1 !~ /^LIBBALANCE_(RESEARCH_)?[0-9]/ { print "'"$MAP"': node " $1 " is neither LIBBALANCE_N.M nor LIBBALANCE_RESEARCH_N.M" }' \
    "$tmp/map" | sort -u | grep . && rc=1
awk '{ print $2 }' "$tmp/map" | LC_ALL=C sort | uniq -d |
    sed "s|^|$MAP: exported by two nodes: |" | grep . && rc=1

for pair in "libbalance/libbalance.h dom0 LIBBALANCE_N.M" \
            "libbalance/libbalance-research.h research LIBBALANCE_RESEARCH_N.M"; do
    set -- $pair
    decls "$1" > "$tmp/$2.h"
    [ -s "$tmp/$2.h" ] || { echo "$1: declares no function"; rc=1; }
    LC_ALL=C comm -23 "$tmp/$2.h" "$tmp/$2.map" |
        sed "s|^\(.*\)|$1 declares \1, which no $3 node of $MAP exports|" | grep . && rc=1
    LC_ALL=C comm -13 "$tmp/$2.h" "$tmp/$2.map" |
        sed "s|^\(.*\)|$MAP exports \1 in a $3 node; $1 does not declare it|" | grep . && rc=1
done
exit $rc
