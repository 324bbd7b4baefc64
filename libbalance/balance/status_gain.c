/*
 * status_gain.c - the realised-gain check in the status
 * (bal_status_read_history): for each guest, what the migration history
 * says of its moves - how many, the newest one's realised gain against
 * the plan's, and the trust the planner takes from them (plan_input.c,
 * bal__learn_trust) - for status --json.  Here rather than in observe/:
 * it reads the history, which the balance layer owns.
 */
#include <math.h>
#include <stdlib.h>

#include "base/uuidmap.h"
#include "plan_input.h"

/* Each record into its guest's figures, the newest (by time; of two at
 * one time the later line) giving the gains. */
static void count_moves(const bal__hist *hist, int nhist,
                        const bal__uuidmap *guests, bal__vm_gain *g)
{
    int k, i;

    for (k = 0; k < nhist; k++) {
        i = bal__uuidmap_get(guests, hist[k].uuid);
        if (i < 0 || !isfinite(hist[k].time)) continue;
        if (!g[i].moves || hist[k].time >= g[i].time) {
            g[i].time = hist[k].time;
            g[i].gain = hist[k].gain;
            g[i].predicted = hist[k].predicted_vm;
        }
        g[i].moves++;
    }
}

int bal_status_read_history(bal_ctx *ctx, const bal_config *cfg,
                            bal_status *st)
{
    bal__hist *hist = NULL;
    bal__vm_gain *g = NULL;
    bal__uuidmap guests;
    const char **uuid = NULL;
    double *trust = NULL;
    int *ntrust = NULL, nhist = 0, i, j, rc;

    if (!ctx || !cfg || !st) return BAL_EINVAL;
    bal__uuidmap_init(&guests);
    rc = bal__plan_history(ctx, cfg, &hist, &nhist);
    if (rc) goto out;
    rc = BAL_ENOMEM;
    g = calloc((size_t)st->nvms + 1, sizeof(*g));
    uuid = calloc((size_t)st->nvms + 1, sizeof(*uuid));
    trust = calloc((size_t)st->nvms + 1, sizeof(*trust));
    ntrust = calloc((size_t)st->nvms + 1, sizeof(*ntrust));
    if (!g || !uuid || !trust || !ntrust) goto out;
    /* Guests only (every dom0 may have the nil UUID), each UUID under
     * its first guest. */
    for (i = 0; i < st->nvms; i++) {
        if (st->vms[i].is_dom0) continue;
        uuid[i] = st->vms[i].uuid;
        if (bal__uuidmap_get(&guests, uuid[i]) < 0 &&
            bal__uuidmap_put(&guests, uuid[i], i))
            goto out;
    }
    rc = bal__learn_trust(cfg, hist, nhist, uuid, st->nvms, trust, ntrust);
    if (rc) goto out;
    count_moves(hist, nhist, &guests, g);
    for (i = 0; i < st->nvms; i++) {
        j = uuid[i] ? bal__uuidmap_get(&guests, uuid[i]) : -1;
        if (j >= 0 && j != i) g[i] = g[j];     /* a UUID running twice */
        g[i].trust = trust[i];
        g[i].trust_moves = ntrust[i];
    }
    free(st->gains);
    st->gains = g;
    g = NULL;
    rc = 0;

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "status: out of memory");
    bal__uuidmap_dispose(&guests);
    free(hist);
    free(g);
    free(uuid);
    free(trust);
    free(ntrust);
    return rc;
}
