#!/bin/sh
# copy-tree.sh DEST - a copy of the source tree as it is now, for a package
# build: the files git tracks or would track (uncommitted work included,
# build/ and other ignored files left out), or, outside a git work tree,
# everything but build/, out/ and .git.  Never a ./debian of its own.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: copy-tree.sh DEST}
mkdir -p "$dest"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked files deleted in the work tree are left out.
    git ls-files -z -co --exclude-standard |
        perl -0ne 'chomp; print "$_\0" if -e $_ || -l $_' |
        tar --null -T - -cf - | tar -xf - -C "$dest"
else
    tar --exclude=./build --exclude=./out --exclude=./.git --exclude=./debian \
        -cf - . | tar -xf - -C "$dest"
fi
rm -rf "$dest/debian"
