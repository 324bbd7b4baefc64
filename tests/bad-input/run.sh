#!/bin/sh
# The catalogue of bad input (tests/bad-input/cases): runs each case and
# checks its exit code, that stderr is exactly the one expected line (or
# nothing), that a failure left nothing half-done (no file appeared,
# vanished or changed in the scratch directory, nothing on stdout), and
# that no name was ever handed to a shell (no canary file appeared).
#   tests/bad-input/run.sh PATH/TO/xl-balance [record]
# `record' prints what each case does instead of checking it, to write a
# new case from.
#
# cases: one case a line, fields separated by " | ":
#   NAME | EXIT | STDERR | ARGS
# then optional lines "  > TEXT" (stdout has it), "  ! TEXT" (stdout
# lacks it), "  = FILE" (stdout saved as @T@/FILE, for a later case) and
# "  file-has FILE TEXT" (@T@/FILE holds TEXT).  In STDERR and ARGS, @T@ is the scratch directory (where
# files/ is copied, configurations 0600) and @F@ tests/bad-input/files.
# ARGS is split on blanks, never evaluated: no quoting, no expansion.
# STDERR "-" means nothing at all.  A case whose EXIT is 1, 2, 5 or 7 must
# leave the scratch directory as it found it (the lock file aside: it is
# kept, emptied, by design) and print nothing on stdout.
set -u

XLB=${1:?usage: run.sh XL_BALANCE [record]}
mode=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
case $XLB in /*) ;; *) XLB=$(pwd)/$XLB ;; esac
lib=$(cd "$(dirname "$XLB")" && pwd)
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

T=$(mktemp -d /tmp/xlb-bad-input.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; shift; for l in "$@"; do echo "    $l"; done; }

# ---- the scratch directory ------------------------------------------------
umask 022
cp "$here"/files/* "$T"/
for f in "$T"/*.conf; do chmod 600 "$f"; done
: >"$T/empty.conf"; chmod 600 "$T/empty.conf"
# rebalance keeps its state and lock here.
printf 'state_dir = "%s/state"\nlock_file = "%s/lock"\n' "$T" "$T" >"$T/rb.conf"
chmod 600 "$T/rb.conf"
# Whose file, which mode: the configuration is trusted only when it and
# its directory belong to root (or to us) and no one else may write them.
cp "$T/rb.conf" "$T/open.conf"; chmod 666 "$T/open.conf"
cp "$T/rb.conf" "$T/group.conf"; chmod 620 "$T/group.conf"
mkdir -m 777 "$T/opendir"; cp "$T/rb.conf" "$T/opendir/x.conf"
mkdir -m 1777 "$T/stickydir"; cp "$T/rb.conf" "$T/stickydir/x.conf"
if [ "$(id -u)" -eq 0 ]; then
    cp "$T/rb.conf" "$T/notroot.conf"; chown 4242 "$T/notroot.conf"
    mkdir -m 755 "$T/notrootdir"; chown 4242 "$T/notrootdir"
    cp "$T/rb.conf" "$T/notrootdir/x.conf"
fi
ln -s rb.conf "$T/link.conf"
ln -s "$T/opendir/x.conf" "$T/link-open.conf"
# Oversized inputs, made here rather than committed.
head -c 1100000 /dev/zero | tr '\0' '#' >"$T/huge.conf"; chmod 600 "$T/huge.conf"
{ printf '{"xl_balance_plan": 1, "moves": [], "pad": "'
  head -c 17000000 /dev/zero | tr '\0' 'x'; printf '"}\n'; } >"$T/huge-plan.json"
# A cluster file one byte over 64 MiB (plan --cluster): sparse, nothing written.
truncate -s 67108865 "$T/huge-cluster.json"
mkdir "$T/scenarios"; cp scenarios/paper.scn "$T/scenarios/" 2>/dev/null || cp "$here/../../scenarios/paper.scn" "$T/scenarios/"
mkfifo "$T/fifo.conf"
# The simulated clock kept across processes, not a time; observations
# kept in a state directory, cut short (read-only: warned and ignored;
# rebalance: warned and replaced).
printf 'option clock=%s/clock-bad\nhost A pcpus=1 mem=2G disk=10MB/s\nvm v host=A vcpus=1 mem=512M load=cpu\n' "$T" >"$T/clock-bad.scn"
printf '12 s\n' >"$T/clock-bad"
for d in obs-torn obs-mend; do
    mkdir -m 700 "$T/$d"
    printf '{"xl_balance_observations":1,"vms":[{"key":"' >"$T/$d/observations"
done
mkdir "$T/dir.conf"

snapshot() {
    (cd "$T" && find . -path ./lock -prune -o -print0 | sort -z |
        xargs -0 stat -c '%n %s %a %Y' 2>/dev/null)
}

run_case() {
    name=$1 want_rc=$2 want_err=$3 args=$4
    want_err=$(printf '%s' "$want_err" | sed -e "s|@T@|$T|g" -e "s|@F@|$here/files|g")
    args=$(printf '%s' "$args" | sed -e "s|@T@|$T|g" -e "s|@F@|$here/files|g")
    before=$(snapshot)
    set -f
    # shellcheck disable=SC2086  # split on blanks, no glob: on purpose
    (cd "$T" && exec "$XLB" $args) >"$T.out" 2>"$T.err" </dev/null
    rc=$?
    set +f
    err=$(cat "$T.err")
    if [ "$mode" = record ]; then
        printf '%s | %s | %s | %s\n' "$name" "$rc" "${err:--}" "$4"
        sed 's/^/      out: /' "$T.out" | head -n 12
        return
    fi
    [ "$want_err" = "-" ] && want_err=""
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name" "exit $rc, wanted $want_rc" "stderr: $err"; return
    fi
    if [ "$err" != "$want_err" ]; then
        bad "$name" "stderr: $err" "wanted: $want_err"; return
    fi
    case $want_rc in
    1|2|5|7)
        if [ -s "$T.out" ]; then
            bad "$name" "a failure printed on stdout:" "$(head -n 3 "$T.out")"
            return
        fi
        after=$(snapshot)
        if [ "$before" != "$after" ]; then
            bad "$name" "left something behind:" \
                "$(printf '%s\n' "$before" >"$T.b"; printf '%s\n' "$after" >"$T.a"; diff "$T.b" "$T.a" | head -n 6)"
            return
        fi
        ;;
    esac
    ok
}

# stdout checks refer to the last case run.
check_out() {
    kind=$1 text=$2 name=$3
    [ "$mode" = record ] && return
    if grep -qF -- "$text" "$T.out"; then found=1; else found=0; fi
    if [ "$kind" = ">" ] && [ "$found" -eq 0 ]; then
        bad "$name: stdout has $text" "$(head -n 8 "$T.out")"
    elif [ "$kind" = "!" ] && [ "$found" -eq 1 ]; then
        bad "$name: stdout lacks $text" "$(grep -F -- "$text" "$T.out" | head -n 3)"
    else
        ok
    fi
}

# A file under the scratch directory has the text (after a case).
check_file() {
    [ "$mode" = record ] && return
    if grep -qF -- "$2" "$T/$1" 2>/dev/null; then ok; else
        bad "$3: $1 has $2" "$(head -c 300 "$T/$1" 2>&1)"; fi
}

last=""
while IFS= read -r line; do
    case $line in
    ''|'#'*) continue ;;
    '  > '*) check_out ">" "${line#  > }" "$last"; continue ;;
    '  ! '*) check_out "!" "${line#  ! }" "$last"; continue ;;
    '  = '*) cp "$T.out" "$T/${line#  = }"; continue ;;
    '  file-has '*) f=${line#  file-has }; check_file "${f%% *}" "${f#* }" "$last"; continue ;;
    esac
    name=${line%% | *}; rest=${line#* | }
    rc=${rest%% | *}; rest=${rest#* | }
    err=${rest%% | *}; args=${rest#* | }
    case $name in
    root:*) [ "$(id -u)" -eq 0 ] || continue; name=${name#root:} ;;
    esac
    last=$name
    run_case "$name" "$rc" "$err" "$args"
done <"$here/cases"

# No name reached a shell, ever: the scenario's and the trace's names
# would have made these files.
for c in pwned pwned2 pwned3 x; do
    if [ -e "$T/$c" ] || [ -e "$T/state/$c" ]; then
        bad "canary $c" "a name was run by a shell"
    else
        ok
    fi
done

[ "$mode" = record ] && exit 0
echo "badinput: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
