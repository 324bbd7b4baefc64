# `xl-balance rebalance --yes` end to end on two real Xen hosts.  Host a
# starts two CPU burners, host b two disk readers (domu/init's roles,
# fixed UUIDs); a runs the rebalance with both hosts in its configuration
# and a real ssh transport over the private link (sshd on each dom0
# listens on its 169.254.76.N address only; keys made per run by the
# harness, known_hosts given: BatchMode=yes, host keys checked).  Through
# that transport a samples b (`xl-balance sample --json --local`), sends
# its own moves to b's `xl migrate-receive`, and has b run the moves
# whose source is b (`xl-balance migrate UUID xlb-a`, b's own sender and
# b's own configuration: doc/migration.md, "Moves whose source is another
# dom0").
#
# No shared storage: each io domU's disk is a sparse, all-zero file at the
# same path on both hosts (the reader only reads), so either host can
# attach it after a move.
#
# Checks: rebalance-run (a): exit 0, every summary line a "moved" line,
# at least one move; rebalance-apply (a, only when the planner's moves
# left a host with two domUs of one role): what is still needed, as a
# saved plan run by `rebalance --yes --apply`, same criteria;
# rebalance-placement (a): by UUID, each host holds one
# cpu and one io domU, every domU exactly once across both hosts, no
# NAME--incoming / NAME--migratedaway left; rebalance-peer-placement (b):
# the same seen from b's own `xl list`.
. /usr/lib/xlb-test/lib.sh
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

# Names for the two hosts (the configuration's host names).
grep -q ' xlb-b$' /etc/hosts 2>/dev/null ||
    printf '169.254.76.1 xlb-a\n169.254.76.2 xlb-b\n' >>/etc/hosts

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

# The same configuration on both, local_host its own; the thresholds of
# xen.conf.  The peers' xl-balance reads it from the default path.
transport='["ssh", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile='$keys'/known_hosts", "-i", "'$keys'/id_ed25519"]'
{
    cat "$XLB_LIB/xen.conf"
    cat <<EOC
hosts = ["xlb-a", "xlb-b"]
local_host = "$me"
transport = $transport
# ssh's handshake and a sample of sample_count * sample_interval under TCG.
peer_timeout = 120
EOC
} >/etc/xen/xl-balance.conf
cat /etc/xen/xl-balance.conf

mkcfg() {   # mkcfg NAME UUID ROLE [DISKSPEC]
    cat <<EOC
name = "$1"
uuid = "$2"
type = "pvh"
kernel = "$d/vmlinuz"
ramdisk = "$d/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet xlb.role=$3"
memory = 96
vcpus = 1
on_crash = "preserve"
EOC
    [ -n "${4:-}" ] && echo "disk = [ $4 ]"
}
# Both hosts hold both disks (the destination attaches the same path).
truncate -s 64M "$d/rb-io1.img" "$d/rb-io2.img"
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
    mkcfg xlb-io1 $u_io1 io "'format=raw,vdev=xvda,access=r,script=xlb-block,target=$d/rb-io1.img'" >"$d/xlb-io1.cfg"
    mkcfg xlb-io2 $u_io2 io "'format=raw,vdev=xvda,access=r,script=xlb-block,target=$d/rb-io2.img'" >"$d/xlb-io2.cfg"
    create xlb-io1 xlb-io2
    touch "$out/rebalance-ready"
    # a tells us when it is done (ssh xlb-b touch ...), or we give up.
    done_() { [ -e "$out/rebalance-done" ]; }
    wait_for 360 done_ || { fail rebalance-peer-placement "a never said it was done"; cat "$out/sshd.log"; exit 1; }
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
        # Migration times, from the summary lines ("moved N A -> B in S s").
        sed -n 's/^moved \([^ ]*\) \([^ ]*\) -> \([^ ]*\) in \([0-9.]*\) s.*/XLB-MIGRATION '"$name"' \1 \2->\3 measured=\4s/p' "$out/$name.out"
    }
    # where: "HOST UUID NAME" of the whole cluster, through the transport.
    where() {
        xl-balance sample --json -n 2 -i 1 >"$out/rb-sample.jsonl" 2>"$out/rb-sample.err"
        tail -n 1 "$out/rb-sample.jsonl" |
            jq -r '.hosts[] | .name as $h | .domains[] | "\($h) \(.uuid) \(.name)"' >"$out/rb-where"
        cat "$out/rb-where" "$out/rb-sample.err"
    }
    rb_run rebalance-run
    # The planner decides what to move: on these one-pCPU hosts it may
    # move one burner only (a: cpu, b: cpu io io).  To reach one cpu and
    # one io domU per host, and to run a move whose source is b through
    # the same code whatever it chose, what is still needed is applied as
    # a saved plan (`rebalance --yes --apply`): from the host holding two
    # of a role, one of them to the other host.
    where
    : >"$out/rb-moves"
    for role in cpu io; do
        for hh in xlb-a xlb-b; do
            [ $hh = xlb-a ] && oh=xlb-b || oh=xlb-a
            awk -v h=$hh '$1 == h { print $2, $3 }' "$out/rb-where" | while read -r u n; do
                [ "$(role_of "$u")" = $role ] && echo "$u $n $hh $oh"
            done >"$out/rb-role"
            if [ "$(wc -l <"$out/rb-role")" -ge 2 ]; then
                head -n 1 "$out/rb-role" >>"$out/rb-moves"
            fi
        done
    done
    if [ -s "$out/rb-moves" ]; then
        jq -R -s '{xl_balance_plan: 1, moves: [split("\n")[] | select(. != "") | split(" ") |
                  {uuid: .[0], vm: .[1], from: .[2], to: .[3], wave: 0}]}' "$out/rb-moves" >"$out/rb-plan.json"
        cat "$out/rb-plan.json"
        rb_run rebalance-apply --apply "$out/rb-plan.json"
        where
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
