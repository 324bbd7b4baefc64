/*
 * backend_peers.c - the "peers" backend: a management host that is no
 * dom0 (no Xen needed) reaches every host of `hosts' through the
 * transport, as the xen backend reaches its peers (peer.c), and samples
 * none locally; each move runs its sender on its source dom0 through the
 * transport, as the xen backend runs a move whose source is another dom0
 * (remote.c).
 */
#include <string.h>

#include "backend.h"
#include "peer.h"
#include "remote.h"

static int peers_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    const struct bal_config *cfg = be->cfg;

    /* `sample --local' and `migrate' work on this host's own VMs: a
     * management host has none. */
    if (local_only) {
        BAL__ERR(be->ctx, "peers: this host is not sampled (the peers "
                 "backend reaches every dom0 of hosts through the "
                 "transport); run this on a dom0 with -b xen");
        return BAL_EBACKEND;
    }
    return bal__peer_sample_all(be->ctx, cfg, cfg->hosts, cfg->nhosts, out);
}

static void peers_close(bal_backend *be)
{
    (void)be;
}

/* Every move is remote: started at once, then collected. */
static int peers_migrate(bal_backend *be, const bal__move *moves, int n,
                         bal__move_result *results)
{
    bal__remote_wave w;
    int rc;

    if (n < 0 || (n && (!moves || !results))) {
        BAL__ERR(be->ctx, "migrate: invalid arguments");
        return BAL_EINVAL;
    }
    rc = bal__remote_wave_start(be, NULL, moves, n, results, &w);
    if (!rc) bal__remote_wave_finish(be, moves, results, &w);
    bal__remote_wave_dispose(&w);
    return rc;
}

static const bal__backend_ops peers_ops = {
    .name = "peers",
    .sample = peers_sample,
    .wait = bal__backend_sleep,
    .close = peers_close,
    .migrate = peers_migrate,
};

int bal__backend_peers_open(bal_backend *be, const char *arg)
{
    if (arg) {
        BAL__ERR(be->ctx, "backend `peers:%s': takes no argument", arg);
        return BAL_EBACKEND;
    }
    /* Checked here, not at the first sample: a status that would show
     * nothing must not look like a cluster of no hosts. */
    if (be->cfg->nhosts < 1) {
        BAL__ERR(be->ctx, "backend `peers': the configuration%s%s names no "
                 "hosts; list the dom0s to reach in hosts",
                 be->cfg->source ? " " : "",
                 be->cfg->source ? be->cfg->source : "");
        return BAL_ECONFIG;     /* the configuration's fault: exit 1 */
    }
    be->ops = &peers_ops;
    return 0;
}
