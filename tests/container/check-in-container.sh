#!/bin/sh
# check-in-container.sh [IMAGE] - the README's test command (`make check`)
# from a clean clone of this tree's HEAD, in a minimal Debian 12 container
# (docker, unprivileged, as root inside): what a user who tries it in a
# container sees.  Not part of `make check` (it runs make check).
#
# Without IMAGE, builds xlb/debian12-minbase: `mmdebstrap --variant=minbase`
# of this host's release from this host's mirror, imported into docker (no
# registry needed).  The container uses the host's network, for apt's
# mirror alone.  Needs a running docker daemon (Debian: docker.io).
# Last line: "container: make check rc=N in S s"; exit N.
set -eu
cd "$(dirname "$0")/../.."
img=${1:-}
command -v docker >/dev/null 2>&1 || { echo "check-in-container: no docker (Debian package docker.io)" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "check-in-container: the docker daemon is not running" >&2; exit 2; }
if [ -z "$img" ]; then
    img=xlb/debian12-minbase
    if ! docker image inspect "$img" >/dev/null 2>&1; then
        srcs=$(. tests/xen/lib/common.sh && . tests/xen/lib/image.sh && image_host_sources)
        # shellcheck disable=SC2086
        mmdebstrap --variant=minbase --quiet "$(. /etc/os-release && echo "$VERSION_CODENAME")" - $srcs |
            docker import - "$img" >/dev/null
    fi
fi
src=$(mktemp -d "${TMPDIR:-/tmp}/xl-balance-ctr.XXXXXX")
trap 'rm -rf "$src"' EXIT
git clone -q . "$src"
# make is the one thing `make check` cannot install itself.
docker run --rm --network host -v "$src:/src" -w /src "$img" sh -c '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq make >/dev/null || exit 1
    echo "container: PID 1 is $(cat /proc/1/comm)"
    start=$(date +%s)
    make check
    rc=$?
    echo "container: make check rc=$rc in $(( $(date +%s) - start )) s"
    exit $rc'
