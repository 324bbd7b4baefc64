/*
 * exec.c - the wave executor (exec.h).
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

/* Runs a wave with SIGINT, SIGTERM and SIGHUP held back: a migration
 * interrupted in its final, suspended round would leave the VM suspended
 * on its source.  A signal that arrives meanwhile is delivered when the
 * wave has ended, every VM running exactly once; the threads a wave
 * starts inherit the mask. */
static int migrate_undisturbed(bal_backend *be, const bal__move *moves,
                               int n, bal__move_result *res)
{
    sigset_t hold, old;
    int rc;

    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hold, &old);
    rc = be->ops->migrate(be, moves, n, res);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int bal__exec_plan(bal_ctx *ctx, bal_backend *be, const bal__plan *plan,
                   const bal__exec_hooks *hooks)
{
    static const bal__exec_hooks none;
    const bal__plan_move **pm = NULL;
    bal__move *moves = NULL;
    bal__move_result *res = NULL, *wres = NULL;
    bool *run = NULL;
    int w, i, n, k, rc = 0, hrc;

    if (!hooks) hooks = &none;
    if (!be->ops->migrate) {
        BAL__ERR(ctx, "backend %s cannot migrate VMs", be->ops->name);
        return BAL_EBACKEND;
    }
    /* +1: calloc(0) may return NULL. */
    pm = calloc((size_t)plan->n + 1, sizeof(*pm));
    moves = calloc((size_t)plan->n + 1, sizeof(*moves));
    res = calloc((size_t)plan->n + 1, sizeof(*res));
    wres = calloc((size_t)plan->n + 1, sizeof(*wres));
    run = calloc((size_t)plan->n + 1, sizeof(*run));
    if (!pm || !moves || !res || !wres || !run) { rc = BAL_ENOMEM; goto out; }

    for (w = 0; w < plan->nwaves; w++) {
        bal__exec_wave wv;
        int wrc;

        for (n = 0, i = 0; i < plan->n; i++)
            if (plan->moves[i].wave == w) {
                pm[n] = &plan->moves[i];
                run[n++] = true;
            }
        if (!n) continue;
        memset(&wv, 0, sizeof(wv));
        wv.wave = w;
        wv.n = n;
        wv.pm = pm;
        wv.run = run;
        wv.res = wres;
        memset(wres, 0, (size_t)n * sizeof(*wres));

        if (hooks->before) {
            hrc = hooks->before(hooks->opaque, &wv);
            if (hrc < 0) { rc = hrc; goto out; }
            if (hrc > 0) goto out;
        }
        for (k = 0, i = 0; i < n; i++)
            if (run[i]) moves[k++] = pm[i]->mv;
        memset(res, 0, (size_t)n * sizeof(*res));
        for (i = 0; i < n; i++) res[i].dirty_Bps = wres[i].dirty_Bps = NAN;
        wrc = k ? migrate_undisturbed(be, moves, k, res) : 0;
        for (k = 0, i = 0; i < n; i++) {
            if (!run[i]) continue;
            wres[i] = res[k++];
            if (wrc) wres[i].rc = wrc;
            if (wres[i].rc)
                BAL__ERR(ctx, "migration of %s from %s to %s failed: %s",
                         pm[i]->mv.vm, pm[i]->mv.from, pm[i]->mv.to,
                         bal_strerror(wres[i].rc));
        }
        if (hooks->after) {
            hrc = hooks->after(hooks->opaque, &wv);
            if (hrc < 0) { rc = hrc; goto out; }
            if (wrc) { rc = wrc; goto out; }
            if (hrc > 0) goto out;
        } else if (wrc) {
            rc = wrc;
            goto out;
        }
    }

out:
    free(pm);
    free(moves);
    free(res);
    free(wres);
    free(run);
    return rc;
}
