#!/bin/sh
# Installs what `make bench' compares the planner with, when missing:
# Ganeti's hbal (ganeti-htools-3.0, /usr/lib/ganeti/3.0/usr/bin/hbal).
# Root on Debian 12: apt-get.  Without it bench_hbal measures the planner
# alone, so failing here is a warning, not an error.
set -u

pkg=ganeti-htools-3.0
if dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "bench: $pkg is missing and this is not root: the planner is measured alone" >&2
    exit 0
fi
echo "bench: installing $pkg"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }; then
    echo "bench: apt-get could not install $pkg: the planner is measured alone" >&2
fi
exit 0
