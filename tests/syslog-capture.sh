#!/bin/sh
# syslog-capture.sh DIR COMMAND...: runs COMMAND with a syslog of its own
# and keeps every message it sent, one a line, in DIR/syslog ("<PRI>..."
# as syslog(3) sends it: PRI = facility * 8 + severity).  Exits with
# COMMAND's status.
#
# Run it under `unshare -m' (root): in that private mount namespace a
# tmpfs is put over /dev, with the real null, zero, random and urandom
# bound into it, and a listener on its /dev/log; the machine's /dev and
# syslog are never touched.  tests/cli-tests.sh uses it for --syslog.
set -eu
d=$1
shift
rm -f "$d/syslog.ready"
mount --make-rprivate /
mkdir -p "$d/realdev"
mount --rbind /dev "$d/realdev"
mount -t tmpfs -o mode=755 xlb-test-dev /dev
for n in null zero random urandom; do
    : >"/dev/$n"
    mount --bind "$d/realdev/$n" "/dev/$n"
done
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$d/syslog" &
listener=$!
trap 'kill "$listener" 2>/dev/null' EXIT
n=0
while [ ! -e "$d/syslog.ready" ]; do
    n=$((n + 1))
    [ "$n" -lt 200 ] || { echo "syslog-capture: no listener" >&2; exit 125; }
    sleep 0.05
done
rc=0
"$@" || rc=$?
# Datagrams sent are queued already; let the listener write them.
sleep 0.3
exit "$rc"
