#!/bin/sh
# Installs the Debian packages that building and testing xl-balance need,
# when they are missing.  Root on a fresh Debian 12 machine: apt-get.
set -eu

# prometheus: for its promtool, which checks the metrics textfile
# (tests/cli-tests.sh); where a policy-rc.d or no init system stops it,
# its server is not started by the install.
pkgs="gcc make pkg-config libxen-dev libyajl-dev libcmocka-dev zlib1g-dev valgrind prometheus"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing; install them as root" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
