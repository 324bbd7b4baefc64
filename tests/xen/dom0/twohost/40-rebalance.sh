# `xl-balance rebalance --yes` end to end on two real Xen hosts.  Host a
# starts two CPU burners, host b two disk readers (domu/init's roles,
# fixed UUIDs); a runs the rebalance with both hosts in its configuration
# and a real ssh transport over the private link (sshd on each dom0
# listens on its 169.254.76.N address only; keys made per run by the
# harness, known_hosts given: BatchMode=yes, host keys checked).  Through
# that transport a samples b (`xl-balance sample --json --local`), sends
# its own moves to b's `xl migrate-receive`, and has b run the moves
# whose source is b (`xl-balance migrate --json UUID xlb-a`, b's own sender and
# b's own configuration: doc/migration.md, "Moves whose source is another
# dom0").
#
# Shared storage (step 25): each io domU's disk is a LUN of the iSCSI
# target both dom0s are logged in to, by the same stable path on both, so
# either host attaches it after a move and a migration moves only memory.
# The readers read without pause, so two on one host fill that path; b
# measures its ceiling with one reader alone, and a, whose rebalance
# plans, declares it as disk_mbps, as an admin would (no counter shows a
# path's ceiling).
#
# Checks: rebalance-run (a): one `rebalance --yes`: exit 0, every summary
# line a "moved" line, at least one move; rebalance-placement (a), right
# after it: by UUID, each host holds one cpu and one io domU, every domU
# exactly once across both hosts, no NAME--incoming / NAME--migratedaway
# left; rebalance-peer-placement (b): the same seen from b's own `xl list`.
# rebalance-history (a): a's history holds, for each move, the predicted
# time, the stream rate and the dirty rate measured by the sender.
# XLB-MIGRATION lines (suite grid's format): each move's measured time
# and the planner's prediction, with the a-b link it learned from step
# 30's migration (learned=yes when a's history held it).
. /usr/lib/xlb-test/lib.sh
. /usr/lib/xlb-test/iscsi.sh
me=$(hostname)
out=/run/xlb
d=$XLB_DOMU
keys=/etc/xl-balance-test
u_cpu1=5ee7ab1e-0000-4000-8000-0000000c0001
u_cpu2=5ee7ab1e-0000-4000-8000-0000000c0002
u_io1=5ee7ab1e-0000-4000-8000-00000000d001
u_io2=5ee7ab1e-0000-4000-8000-00000000d002
case $me in
xlb-a) my_ip=169.254.76.1 peer=xlb-b ;;
*)     my_ip=169.254.76.2 peer=xlb-a ;;
esac
h=${me#xlb-}

# What step 30 left (its domU on b, or on a if it failed): not part of this.
xl destroy xlb-cpu >/dev/null 2>&1

# sshd on the link-local address only.
mkdir -p /run/sshd && chmod 0755 /run/sshd
cat >"$out/sshd_config" <<EOC
ListenAddress $my_ip
HostKey $keys/host_${h}_ed25519_key
AuthorizedKeysFile $keys/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
PidFile /run/sshd.pid
SetEnv PATH=$PATH LC_ALL=C
EOC
/usr/sbin/sshd -f "$out/sshd_config" -E "$out/sshd.log" ||
    { fail "rebalance-sshd" "sshd did not start: $(tr '\n' '|' <"$out/sshd.log")"; exit 1; }

# write_conf DISK_MBPS: the same configuration on both, local_host its
# own; xen.conf's thresholds, but disk_mbps as given.  The peers'
# xl-balance reads it from the default path.
transport='["ssh", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile='$keys'/known_hosts", "-i", "'$keys'/id_ed25519"]'
write_conf() {
    {
    grep -v '^disk_mbps' "$XLB_LIB/xen.conf"
    cat <<EOC
disk_mbps = "$1"
hosts = ["xlb-a", "xlb-b"]
local_host = "$me"
transport = $transport
# ssh's handshake and a sample of sample_count * sample_interval under TCG.
peer_timeout = 120
EOC
    } >/etc/xen/xl-balance.conf
    cat /etc/xen/xl-balance.conf
}
write_conf "$(sed -n 's/^disk_mbps = "*\([0-9.]*\)"*$/\1/p' "$XLB_LIB/xen.conf")"

mkcfg() {   # mkcfg NAME UUID ROLE [DISKSPEC [KERNEL-ARGS]]
    cat <<EOC
name = "$1"
uuid = "$2"
type = "pvh"
kernel = "$d/vmlinuz"
ramdisk = "$d/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet xlb.role=$3${5:+ $5}"
memory = 96
vcpus = 1
on_crash = "preserve"
EOC
    [ -n "${4:-}" ] && echo "disk = [ $4 ]"
}
# The readers read without pause (domu/init): each alone would fill the
# iSCSI path, so two on one host contend for it, as the paper's two I/O
# VMs did.
reader="xlb.pause=0 xlb.count=8"
disk1=$(iscsi_disk io1) disk2=$(iscsi_disk io2)
xl sched-credit2 -d Domain-0 -w 1024 2>/dev/null

# create NAME...: up and running its load, or exit.
create() {
    local n t=$(ts) ok=1
    for n in "$@"; do xl create "$d/$n.cfg" || { fail "rebalance-domus" "xl create $n failed"; exit 1; }; done
    for n in "$@"; do
        wait_for 240 has_line "$(console_log "$n")" "xlb-domu ready" ||
            { fail "rebalance-domus" "$n not ready: $(tail -n 3 "$(console_log "$n")" | tr -d '\r' | tr '\n' '|')"; ok=0; }
    done
    elapsed "rebalance-domus-ready" "$t"
    [ $ok = 1 ] || exit 1
}

# role_of UUID: cpu, io or other.
role_of() {
    case $1 in $u_cpu1|$u_cpu2) echo cpu ;; $u_io1|$u_io2) echo io ;; *) echo other ;; esac
}

case $me in
xlb-b)
    mkcfg xlb-io1 $u_io1 io "'format=raw,vdev=xvda,access=rw,script=xlb-block,target=$disk1'" "$reader" >"$d/xlb-io1.cfg"
    mkcfg xlb-io2 $u_io2 io "'format=raw,vdev=xvda,access=rw,script=xlb-block,target=$disk2'" "$reader" >"$d/xlb-io2.cfg"
    # The iSCSI path's ceiling as a VM sees it, what an admin measures
    # to set disk_mbps (no counter shows it): xlb-io1's read rate while
    # it reads alone, over 6 s, in MB/s (10^6 bytes).  a reads it from
    # here for its configuration, the one its rebalance plans with.
    create xlb-io1
    t=$(ts)
    xl-balance sample --json --local -n 2 -i 6 >"$out/ceiling.jsonl"
    mbps=$(jq -s -r '[.[] | .hosts[0] | {t: .time_ns, s: (.domains[] | select(.name == "xlb-io1") | .vbd_rd_sect)}] |
                     (.[1].s - .[0].s) * 512 / ((.[1].t - .[0].t) / 1e9) / 1e6 | . * 10 | floor / 10' "$out/ceiling.jsonl")
    elapsed iscsi-ceiling "$t"
    if [[ $mbps =~ ^[0-9]+(\.[0-9]+)?$ ]] && [ "${mbps%.*}" -ge 1 ]; then
        echo "$mbps" >"$out/ceiling"
        pass iscsi-ceiling "xlb-io1 alone reads the iSCSI path at $mbps MB/s: disk_mbps"
    else
        fail iscsi-ceiling "no read rate for xlb-io1: '$mbps'"
        exit 1
    fi
    create xlb-io2
    touch "$out/rebalance-ready"
    # a tells us when it is done (ssh xlb-b touch ...), or we give up.
    done_() { [ -e "$out/rebalance-done" ]; }
    wait_for 700 done_ || { fail rebalance-peer-placement "a never said it was done"; cat "$out/sshd.log"; exit 1; }
    xl list
    got=$(xl list -v | awk 'NR > 1 { print $1, $7 }')
    names=$(echo "$got" | awk '{ print $1 }' | tr '\n' ' ')
    roles=$(echo "$got" | while read -r n u; do [ "$n" = Domain-0 ] || role_of "$u"; done | sort | tr '\n' ' ')
    if [ "$roles" = "cpu io " ] && [[ $names != *--incoming* && $names != *--migratedaway* ]]; then
        pass rebalance-peer-placement "$me holds one cpu and one io domU: $names"
    else
        fail rebalance-peer-placement "$me holds roles '$roles': $names"
    fi
    cat "$out/sshd.log"
    ;;
*)
    mkcfg xlb-cpu1 $u_cpu1 cpu >"$d/xlb-cpu1.cfg"
    mkcfg xlb-cpu2 $u_cpu2 cpu >"$d/xlb-cpu2.cfg"
    create xlb-cpu1 xlb-cpu2
    ssh_b() { ssh -o BatchMode=yes -o UserKnownHostsFile=$keys/known_hosts -i $keys/id_ed25519 xlb-b "$@"; }
    peer_ready() { ssh_b test -e "$out/rebalance-ready" 2>>"$out/ssh-wait.err"; }
    t=$(ts)
    if ! wait_for 300 peer_ready; then
        fail rebalance-run "b never got ready (ssh: $(tail -n 2 "$out/ssh-wait.err" | tr '\n' '|'))"
        exit 1
    fi
    elapsed rebalance-peer-ready "$t"
    write_conf "$(ssh_b cat "$out/ceiling")"

    # rb_run NAME ARGS...: one rebalance; its summary lines and times.
    rb_run() {
        local name=$1 t=$(ts) moved other
        shift
        xl-balance -v rebalance --yes "$@" >"$out/$name.out" 2>"$out/$name.err"
        rc=$?
        elapsed "$name" "$t"
        cat "$out/$name.out" "$out/$name.err"
        xl list -v
        moved=$(grep -c '^moved ' "$out/$name.out")
        other=$(grep -vc '^moved ' "$out/$name.out")
        if [ $rc = 0 ] && [ "$moved" -ge 1 ] && [ "$other" = 0 ]; then
            pass "$name" "exit 0, $moved moves: $(tr '\n' ';' <"$out/$name.out")"
        else
            fail "$name" "exit $rc, $moved moved, $other other lines: $(tr '\n' ';' <"$out/$name.out")"
        fi
    }
    # where: "HOST UUID NAME" of the whole cluster, through the transport.
    where() {
        xl-balance sample --json -n 2 -i 1 >"$out/rb-sample.jsonl" 2>"$out/rb-sample.err"
        tail -n 1 "$out/rb-sample.jsonl" |
            jq -r '.hosts[] | .name as $h | .domains[] | "\($h) \(.uuid) \(.name)"' >"$out/rb-where"
        cat "$out/rb-where" "$out/rb-sample.err"
    }
    # The cluster as the planner is about to see it, into the log
    # (XLB-TRACE: build/xen/trace-twohost-a.jsonl, a replay fixture).
    xl-balance sample --json -n 4 -i 3 >"$out/rb-trace.jsonl"
    sed 's/^/XLB-TRACE /' "$out/rb-trace.jsonl"
    # Whether the plan can learn the a-b link: a record between the two
    # hosts in a's history (step 30's), either way (bal__learn_links).
    learned=no
    jq -e -s 'any(.[]; (.from == "xlb-a" and .to == "xlb-b") or (.from == "xlb-b" and .to == "xlb-a"))' \
        /var/lib/xl-balance/history >/dev/null 2>&1 && [ "$(grep -c . /var/lib/xl-balance/history)" -gt 0 ] && learned=yes
    rb_run rebalance-run
    # One run: the planner must see both collisions (a's cores, b's
    # iSCSI path) and separate them; nothing else moves anything.
    where
    # What a's history learned from the run's moves, the one run on b
    # included (its dirty rate comes back in b's summary line): each
    # record with the plan's prediction, the stream rate and the dirty
    # rate measured by the sender (doc/rebalance.md, the history).
    n=$(grep -c '^moved ' "$out/rebalance-run.out")
    tail -n "$n" /var/lib/xl-balance/history >"$out/rb-history"
    cat "$out/rb-history"
    # Each move as suite grid prints it, from its record: the plan's
    # predicted_s, the measured duration_s, mem_kb, the dirty rate the
    # sender measured; rounds "-": a plan's rounds are not recorded.
    jq -r --arg l "$learned" '"XLB-MIGRATION rebalance-run-\(.vm) mem=\(.mem_kb / 1024 | floor) dirty=\((.dirty_Bps // 0) / 1e4 | floor / 100) measured=\(.duration_s * 10 | round / 10)s predicted=\((.predicted_s // 0) * 10 | round / 10)s rounds=- learned=\($l)"' \
        "$out/rb-history" 2>/dev/null
    if [ "$n" -ge 1 ] && jq -e -s --argjson n "$n" 'length == $n and
            all(.[]; (.predicted_s > 0) and (.observed_Bps > 0) and (.dirty_Bps > 0))' \
            "$out/rb-history" >/dev/null; then
        pass rebalance-history "$(jq -r '"\(.vm) \(.from)->\(.to): \(.duration_s)s predicted \(.predicted_s)s, stream \(.observed_Bps / 1e6 * 100 | floor / 100) MB/s, dirtying \(.dirty_Bps / 1e6 * 100 | floor / 100) MB/s"' "$out/rb-history" | tr '\n' ';')"
    else
        fail rebalance-history "records without predicted_s, observed_Bps or dirty_Bps: $(tr '\n' ' ' <"$out/rb-history")"
    fi

    # The whole cluster, by UUID (where, above).
    bad=""
    for u in $u_cpu1 $u_cpu2 $u_io1 $u_io2; do
        n=$(grep -c " $u " "$out/rb-where")
        [ "$n" = 1 ] || bad="$bad $u on $n hosts;"
    done
    grep -qE -- '--(incoming|migratedaway)$' "$out/rb-where" && bad="$bad leftover: $(grep -E -- '--(incoming|migratedaway)$' "$out/rb-where" | tr '\n' ' ');"
    for hh in xlb-a xlb-b; do
        roles=$(awk -v h=$hh '$1 == h { print $2 }' "$out/rb-where" | while read -r u; do
            r=$(role_of "$u"); [ "$r" = other ] || echo "$r"; done | sort | tr '\n' ' ')
        [ "$roles" = "cpu io " ] || bad="$bad $hh holds '$roles';"
    done
    if [ -z "$bad" ]; then
        pass rebalance-placement "each host one cpu and one io domU, each domU once: $(awk '$3 != "Domain-0" { printf "%s:%s ", $1, $3 }' "$out/rb-where")"
    else
        fail rebalance-placement "$bad"
    fi
    ssh_b touch "$out/rebalance-done" || fail rebalance-run "cannot tell b we are done"
    ;;
esac
