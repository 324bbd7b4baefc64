#!/bin/sh
# update-symbols.sh - packaging/debian/libbalanceN.symbols from
# libbalance/libbalance.map, the one list of what libbalance.so.N exports
# (N: the Makefile's SOVERSION), in all of its version nodes (the dom0
# ABI's and the research API's: doc/architecture.md, "ABI").
#
#   sh packaging/update-symbols.sh           rewrite the symbols file
#   sh packaging/update-symbols.sh --check   exit 1 (and show the diff) when
#                                            it is not what the map says
#
# A symbol keeps the version the symbols file already gives it (the first
# version that had it); a new one gets the Makefile's VERSION.  The Debian
# build checks the result against the built library (dpkg-gensymbols -c4).
set -eu

cd "$(dirname "$0")/.."
MAP=libbalance/libbalance.map
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
SOVERSION=$(sed -n 's/^SOVERSION *:= *//p' Makefile)
[ -n "$VERSION" ] || { echo "update-symbols: no VERSION in Makefile" >&2; exit 1; }
[ -n "$SOVERSION" ] || { echo "update-symbols: no SOVERSION in Makefile" >&2; exit 1; }
SYMS=packaging/debian/libbalance$SOVERSION.symbols

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT

# "NODE SYMBOL" for every global symbol of every version node, and each
# node's own line.
awk -v nodes=1 -f packaging/map-symbols.awk "$MAP" > "$tmp"

{
    echo "libbalance.so.$SOVERSION libbalance$SOVERSION #MINVER#"
    echo "* Build-Depends-Package: libbalance-dev"
    while read -r node sym; do
        v=""
        if [ -f "$SYMS" ]; then
            v=$(awk -v s="$sym@$node" '$1 == s { print $2; exit }' "$SYMS")
        fi
        echo " $sym@$node ${v:-$VERSION}"
    done < "$tmp" | LC_ALL=C sort
} > "$tmp.new"

if [ "${1:-}" = --check ]; then
    if ! diff -u "$SYMS" "$tmp.new"; then
        echo "update-symbols: $SYMS does not match $MAP;" \
             "run: sh packaging/update-symbols.sh" >&2
        exit 1
    fi
    exit 0
fi
cp "$tmp.new" "$SYMS"
echo "update-symbols: wrote $SYMS ($(($(wc -l < "$SYMS") - 2)) symbols)"
