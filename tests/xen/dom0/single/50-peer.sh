# The peer path: `xl-balance status` with hosts = [this dom0, "peer"] and a
# transport that runs the peer command right here (local-peer: argv, no
# shell), so `xl-balance sample --json --local` is produced and parsed for
# real.  The peer is this same dom0 under another name: every domU shows
# up on both hosts.  Then a peer that fails: the local host is still
# reported, and the exit code says partial (3).
. /usr/lib/xlb-test/lib.sh
me=$(hostname)
out=/run/xlb
cat >"$out/peer.conf" <<EOC
hosts = ["$me", "peer"]
local_host = "$me"
transport = ["$XLB_LIB/local-peer"]
peer_timeout = 60
sample_interval = 2
sample_count = 2
EOC
cat "$out/peer.conf"

t=$(ts)
xl-balance -c "$out/peer.conf" status --json >"$out/peer.json" 2>"$out/peer.err"
rc=$?
elapsed status-with-peer "$t"
cat "$out/peer.json"; echo; cat "$out/peer.err"
hosts=$(jq -r '[.hosts[].name] | sort | join(",")' "$out/peer.json" 2>/dev/null)
errs=$(jq -r '.peer_errors' "$out/peer.json" 2>/dev/null)
want=$(printf '%s\n' "$me" peer | sort | paste -sd,)
if [ $rc = 0 ] && [ "$hosts" = "$want" ] && [ "$errs" = 0 ]; then
    pass peer-status-hosts "hosts $hosts, peer_errors 0"
else
    fail peer-status-hosts "exit $rc, hosts '${hosts}' (wanted $want), peer_errors ${errs:-?}"
fi
# Each domU on both hosts, with rates: the peer's counters made it through.
missing=""
for role in cpu io idle; do
    for h in "$me" peer; do
        jq -e --arg n "xlb-$role" --arg h "$h" \
            'any(.vms[]; .name == $n and .host == $h and .rates_valid)' \
            "$out/peer.json" >/dev/null 2>&1 || missing="$missing xlb-$role@$h"
    done
done
if [ -z "$missing" ]; then
    pass peer-status-vms "xlb-cpu, xlb-io, xlb-idle with rates on both hosts"
else
    fail peer-status-vms "missing or without rates:$missing"
fi

# The cluster sample: both hosts in one line.
n=$(xl-balance -c "$out/peer.conf" sample --json | jq '.hosts | length')
if [ "$n" = 2 ]; then pass peer-sample-json "2 hosts"; else fail peer-sample-json "hosts: ${n:-unparsable}"; fi

# A peer that fails: reported, left out, exit 3.
sed -e 's|^transport = .*|transport = ["/bin/false"]|' "$out/peer.conf" >"$out/badpeer.conf"
xl-balance -c "$out/badpeer.conf" status --json >"$out/badpeer.json" 2>"$out/badpeer.err"
rc=$?
cat "$out/badpeer.err"
hosts=$(jq -r '[.hosts[].name] | join(",")' "$out/badpeer.json" 2>/dev/null)
errs=$(jq -r '.peer_errors' "$out/badpeer.json" 2>/dev/null)
if [ $rc = 3 ] && [ "$hosts" = "$me" ] && [ "$errs" = 1 ]; then
    pass peer-failure-partial "exit 3, hosts $hosts, peer_errors 1: $(head -n 1 "$out/badpeer.err")"
else
    fail peer-failure-partial "exit $rc (wanted 3), hosts '$hosts', peer_errors ${errs:-?}"
fi
