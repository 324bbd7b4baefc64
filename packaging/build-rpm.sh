#!/bin/sh
# build-rpm.sh OUTDIR - `make rpm': the packages of
# packaging/rpm/xl-balance.spec, built by rpmbuild -bb from a tarball of
# the tree; the .rpm files and the build log go to OUTDIR.
# RPMBUILD_FLAGS: more rpmbuild options (e.g. --nocheck).
#
# On a Debian host (Debian's `rpm' package), rpm's database knows none of
# the BuildRequires, which are Debian packages here: --nodeps, and the
# build itself shows whether they are present.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
command -v rpmbuild >/dev/null 2>&1 ||
    { echo "build-rpm: no rpmbuild (Debian: apt-get install rpm)" >&2; exit 1; }
out=${1:?usage: build-rpm.sh OUTDIR}
version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
work=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$work/SOURCES" "$out"
sh "$top/packaging/copy-tree.sh" "$work/xl-balance-$version"
tar -C "$work" -czf "$work/SOURCES/xl-balance-$version.tar.gz" "xl-balance-$version"
rm -rf "$work/xl-balance-$version"

set -- -bb --define "_topdir $work" ${RPMBUILD_FLAGS:-}
if [ -e /etc/debian_version ]; then
    set -- "$@" --nodeps
fi
echo "build-rpm: rpmbuild $* (log: $out/rpm-build.log)"
if ! rpmbuild "$@" "$top/packaging/rpm/xl-balance.spec" > "$out/rpm-build.log" 2>&1; then
    tail -n 40 "$out/rpm-build.log" >&2
    echo "build-rpm: rpmbuild failed; the whole log: $out/rpm-build.log" >&2
    exit 1
fi
rm -f "$out"/*.rpm
find "$work/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls "$out"/*.rpm | sed 's/^/build-rpm: /'
