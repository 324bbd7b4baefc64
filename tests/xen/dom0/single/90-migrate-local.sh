# Hook for the migration tests: the plain toolstack migrates a PVH domU to
# this same host (`xl migrate -s local-peer`, the transport that
# xl-balance's peer test uses too).  It proves the environment can live-
# migrate at all, so a failure of xl-balance's own sender (next) is its
# own.  Last: the domU's domid and counters change.
. /usr/lib/xlb-test/lib.sh
before=$(xl domid xlb-idle)
t=$(ts)
xl migrate -s "$XLB_LIB/local-peer" xlb-idle localhost
rc=$?
elapsed xl-migrate-localhost "$t"
after=$(xl domid xlb-idle 2>/dev/null)
xl list
if [ $rc = 0 ] && [ -n "$after" ] && [ "$after" != "$before" ]; then
    pass xl-migrate-localhost "xlb-idle domid $before -> $after"
else
    fail xl-migrate-localhost "exit $rc, domid $before -> ${after:-gone}"
fi
