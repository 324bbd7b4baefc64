# xl-balance as installed by `make install DESTDIR=... PREFIX=/usr`: it
# runs, finds its library, and sees this dom0 (sample --local).
. /usr/lib/xlb-test/lib.sh
check xl-balance-installed "xl-balance help exits 0" \
    sh -c 'xl-balance help >/dev/null'
out=$(xl-balance sample --json --local 2>&1)
rc=$?
echo "$out" | head -c 2000; echo
n=$(echo "$out" | jq -r '[.hosts[0].domains[] | select(.domid == 0)] | length' 2>/dev/null)
if [ $rc = 0 ] && [ "$n" = 1 ]; then
    pass xl-balance-sample-local "one host, dom0 in it"
else
    fail xl-balance-sample-local "exit $rc, dom0 entries: ${n:-unparsable}"
    exit 2
fi
