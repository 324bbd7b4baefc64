/*
 * plan_step.c - the planning step (plan_step.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/state.h"
#include "plan_step.h"

void bal__plan_opts_init(bal__plan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_moves = -1;
    o->horizon_s = -1;
    o->concurrent = true;
}

void bal__plan_step_init(bal__plan_step *s)
{
    bal__pl_input_init(&s->in);
    bal__pl_result_init(&s->res);
    s->est = NULL;
    bal__plan_init(&s->plan);
    s->pred = NULL;
}

void bal__plan_step_dispose(bal__plan_step *s)
{
    bal__pl_input_dispose(&s->in);
    bal__pl_result_dispose(&s->res);
    free(s->est);
    bal__plan_dispose(&s->plan);
    free(s->pred);
    bal__plan_step_init(s);
}

int bal__plan_make(bal_ctx *ctx, const struct bal_config *cfg,
                   const bal_status *st, const bal__plan_opts *opts,
                   bal__plan_step *step_r)
{
    bal__plan_step s;
    int rc, i;

    bal__plan_step_init(&s);
    rc = bal__plan_input_build_ex(ctx, cfg, st, opts->hist, opts->nhist,
                                  opts->now_s, &s.in, &s.est);
    if (rc) goto out;
    if (opts->max_moves >= 0) s.in.params.max_moves = opts->max_moves;
    if (opts->horizon_s > 0) s.in.params.horizon_s = opts->horizon_s;
    rc = bal__planner_plan(ctx, &s.in, &s.res);
    if (rc) goto out;
    rc = bal__pl_result_to_plan(&s.res, &s.in, &s.plan);
    if (rc) goto out;
    /* One migration at a time: the waves' order (each wave fits once the
     * ones before it are done, and within a wave every arrival fits before
     * any departure), one move each. */
    if (!opts->concurrent) {
        for (i = 0; i < s.plan.n; i++) s.plan.moves[i].wave = i;
        s.plan.nwaves = s.plan.n;
    }
    s.pred = calloc((size_t)s.res.nmoves + 1, sizeof(*s.pred));
    if (!s.pred) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < s.res.nmoves; i++) {
        const bal__pl_move *m = &s.res.moves[i];

        s.pred[i].gain_rate = m->gain_rate;
        s.pred[i].vm_gain = m->vm_gain;
        /* Waves share links, NICs and dom0s; one at a time, alone. */
        s.pred[i].mig_s = opts->concurrent ? m->wave_mig_s : m->mig_s;
        s.pred[i].dirty_Bps = s.in.vms[m->vm].dirty_Bps;
    }
    bal__plan_step_dispose(step_r);
    *step_r = s;
    bal__plan_step_init(&s);

out:
    bal__plan_step_dispose(&s);
    return rc;
}

int bal__plan_make_live(bal_ctx *ctx, const struct bal_config *cfg,
                        const bal_status *st, int max_moves,
                        double horizon_s, bal__hist **hist_r, int *nhist_r,
                        bal__plan_step *step_r)
{
    bal__plan_opts o;
    int rc;

    rc = bal__plan_history(ctx, cfg, hist_r, nhist_r);
    if (rc) return rc;
    bal__plan_opts_init(&o);
    o.max_moves = max_moves;
    o.horizon_s = horizon_s;
    o.hist = *hist_r;
    o.nhist = *nhist_r;
    o.now_s = bal__wall_time();
    return bal__plan_make(ctx, cfg, st, &o, step_r);
}
