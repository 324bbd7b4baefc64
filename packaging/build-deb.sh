#!/bin/sh
# build-deb.sh OUTDIR - `make deb': libbalance1, libbalance-dev and
# xl-balance (and their -dbgsym), built by dpkg-buildpackage -us -uc -b in
# a copy of the tree with packaging/debian as its ./debian; the .deb,
# .ddeb, .changes and .buildinfo files and the build log go to OUTDIR.
# The tree itself is left as it was (no ./debian, no build products).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
command -v dpkg-buildpackage >/dev/null 2>&1 ||
    { echo "build-deb: no dpkg-buildpackage (Debian: apt-get install dpkg-dev debhelper fakeroot)" >&2; exit 1; }
out=${1:?usage: build-deb.sh OUTDIR}
version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
work=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

src=$work/xl-balance-$version
sh "$top/packaging/copy-tree.sh" "$src"
cp -R "$src/packaging/debian" "$src/debian"

jobs=$(nproc 2>/dev/null || echo 1)
echo "build-deb: dpkg-buildpackage -us -uc -b in $src (log: $out/deb-build.log)"
mkdir -p "$out"
opts="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$jobs"
if ! (cd "$src" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b) \
        > "$out/deb-build.log" 2>&1; then
    tail -n 40 "$out/deb-build.log" >&2
    echo "build-deb: dpkg-buildpackage failed; the whole log: $out/deb-build.log" >&2
    exit 1
fi
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo
for f in "$work"/*.deb "$work"/*.ddeb "$work"/*.changes "$work"/*.buildinfo; do
    [ -e "$f" ] && cp "$f" "$out/"
done
ls "$out"/*.deb | sed 's/^/build-deb: /'
