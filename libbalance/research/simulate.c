/*
 * simulate.c - the balancer in the loop of a simulated cluster.
 *
 * The loop is the one a rebalance runs on Xen: sample, feed the observer,
 * build the status, plan (bal__plan_make: the planner rebalance uses,
 * with the configuration's horizon and constraints), execute the plan's
 * waves through the backend's migrate op.  Like rebalance it records
 * the migrations it made (bal__hist_make), here in memory, for cooldown,
 * ping-pong and the learned links of its next plans.  Only
 * this driver knows the backend is a simulator: it asks it when the jobs
 * are done and for their completion times and timelines, and its clock
 * is the history's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "run/exec.h"
#include "run/rebalance.h"
#include "simulate.h"
#include "observe/status.h"

/* A scenario that has not finished after this long is broken (a job with
 * no resource to run on): give up rather than spin. */
#define MAX_SIM_S (30.0 * 86400)

int bal_sim_options_init(bal_sim_options *o, unsigned int version)
{
    if (!o || version != BAL_SIM_OPTIONS_VERSION) return BAL_EINVAL;
    memset(o, 0, sizeof(*o));
    o->version = version;
    o->rtt_ms = -1;
    o->policy = BAL_POLICY_SCENARIO;
    o->job_scale = 1;
    o->balance_at = -1;
    return 0;
}

void bal__simrun_init(bal__simrun *r)
{
    memset(r, 0, sizeof(*r));
}

void bal__simrun_dispose(bal__simrun *r)
{
    int i;

    for (i = 0; i < r->nvms; i++) free(r->vms[i].pts);
    free(r->vms);
    free(r->migs);
    free(r->hist);
    for (i = 0; i < r->nhosts; i++) free(r->hosts[i]);
    free(r->hosts);
    bal__simrun_init(r);
}

static int add_mig(bal__simrun *r, const bal__plan_move *m,
                   const bal__move_result *res)
{
    if (r->nmigs == r->amigs) {
        int ncap = r->amigs ? r->amigs * 2 : 8;
        bal__simrun_mig *n = realloc(r->migs, (size_t)ncap * sizeof(*n));

        if (!n) return BAL_ENOMEM;
        r->migs = n;
        r->amigs = ncap;
    }
    r->migs[r->nmigs].mv = m->mv;
    r->migs[r->nmigs].r = *res;
    r->migs[r->nmigs].wave = m->wave;
    r->nmigs++;
    return 0;
}

/* The balancer between its plan and the plan's waves. */
typedef struct loop {
    bal__simrun *run;
    const struct bal_config *cfg;
    const bal__plan_step *step;     /* the plan being run */
} loop;

/* The move pm of lp's plan, done, in the balancer's history: what the
 * planner knew of it, as rebalance records it.  The simulator measures
 * no rates after a move, nor the dirty rate. */
static int add_hist(loop *lp, const bal__plan_move *pm,
                    const bal__move_result *res)
{
    const bal__plan_step *s = lp->step;
    size_t i = (size_t)(pm - s->plan.moves);    /* pm points into it */
    const bal__pl_vm *v = &s->in.vms[s->res.moves[i].vm];
    bal__simrun *run = lp->run;
    bal__hist_facts f;

    if (run->nhist == run->ahist) {
        int ncap = run->ahist ? run->ahist * 2 : 8;
        bal__hist *n = realloc(run->hist, (size_t)ncap * sizeof(*n));

        if (!n) return BAL_ENOMEM;
        run->hist = n;
        run->ahist = ncap;
    }
    bal__hist_facts_init(&f);
    f.type = v->type;
    f.mem_kb = v->mem_kb;
    f.pred = s->pred[i];
    bal__hist_make(lp->cfg, res->end_s, &pm->mv, res, &f,
                   &run->hist[run->nhist++]);
    return 0;
}

/* After each wave of the shared executor (exec.c): record every move's
 * outcome, and the moves made in the balancer's history. */
static int record_wave(void *opaque, bal__exec_wave *w)
{
    loop *lp = opaque;
    int i, rc;

    for (i = 0; i < w->n; i++) {
        if (!w->run[i]) continue;
        rc = add_mig(lp->run, w->pm[i], &w->res[i]);
        if (!rc && !w->res[i].rc) rc = add_hist(lp, w->pm[i], &w->res[i]);
        if (rc) return rc;
    }
    return 0;
}

/* Opens the sim backend over the scenario with the options' overrides. */
static int open_sim(bal_ctx *ctx, const struct bal_config *cfg,
                    const bal_sim_options *o, bal_backend **out)
{
    bal__scenario scn;
    bal_backend *be = NULL;
    char *path = NULL;
    int rc, i;

    bal__scenario_init(&scn);
    rc = bal__sim_resolve(ctx, o->scenario, &path);
    if (rc) goto out;
    rc = bal__scenario_load(ctx, path, &scn);
    if (rc) goto out;

    if (o->rtt_ms >= 0) scn.opt.rtt_ms = o->rtt_ms;
    if (o->policy != BAL_POLICY_SCENARIO)
        scn.opt.concurrent = o->policy == BAL_POLICY_CONCURRENT;
    if (o->balance_at >= 0) scn.opt.balance_at = o->balance_at;
    for (i = 0; i < scn.nvms; i++) {
        scn.vms[i].cpuwork *= o->job_scale;
        scn.vms[i].iowork *= o->job_scale;
        scn.vms[i].network *= o->job_scale;
    }

    rc = bal__backend_alloc(ctx, cfg, "sim", &be);
    if (rc) goto out;
    rc = bal__backend_sim_adopt(be, &scn);
    if (rc) goto out;
    *out = be;
    be = NULL;

out:
    bal_backend_close(be);
    bal__scenario_dispose(&scn);
    free(path);
    return rc;
}

/* What the run leaves behind: every VM's outcome and timeline (taken
 * from the simulator). */
static int collect(bal__sim *sim, bal__simrun *run)
{
    const bal__scenario *scn = bal__sim_scenario(sim);
    int i;

    run->hosts = calloc((size_t)scn->nhosts + 1, sizeof(*run->hosts));
    run->vms = calloc((size_t)scn->nvms + 1, sizeof(*run->vms));
    if (!run->hosts || !run->vms) return BAL_ENOMEM;
    for (i = 0; i < scn->nhosts; i++) {
        run->hosts[i] = strdup(scn->hosts[i].name);
        if (!run->hosts[i]) return BAL_ENOMEM;
        run->nhosts++;
    }
    for (i = 0; i < scn->nvms; i++) {
        const bal__scn_vm *sv = &scn->vms[i];
        bal__simrun_vm *v = &run->vms[run->nvms++];

        snprintf(v->name, sizeof(v->name), "%s", sv->name);
        memcpy(v->uuid, sv->uuid, sizeof(v->uuid));
        v->load = sv->load;
        v->has_job = sv->cpuwork > 0 || sv->iowork > 0 || sv->network > 0;
        v->completion_s = bal__sim_vm_completion(sim, i);
        v->host_start = sv->host;
        v->host_end = bal__sim_vm_host(sim, i);
        /* Taken, not copied: the run's points are in memory once. */
        bal__sim_timeline_take(sim, i, &v->pts, &v->npts);
    }
    return 0;
}

int bal__simulate_run(bal_ctx *ctx, const struct bal_config *cfg,
                      const bal_sim_options *o, bool balance, bool record,
                      bal__simrun *out)
{
    bal_backend *be = NULL;
    bal__sim *sim;
    bal__sample prev, snap;
    bal__observer obs;
    bal_status *st = NULL;
    bal__plan_step step;
    bal__simrun run;
    bal__exec_hooks hooks;
    bal__plan_opts popts;
    const bal__scenario *scn;
    loop lp;
    int rc;

    bal__sample_init(&prev);
    bal__sample_init(&snap);
    bal__observer_init(&obs);
    bal__plan_step_init(&step);
    bal__simrun_init(&run);
    memset(&hooks, 0, sizeof(hooks));
    memset(&lp, 0, sizeof(lp));
    lp.run = &run;
    lp.cfg = cfg;
    lp.step = &step;

    rc = open_sim(ctx, cfg, o, &be);
    if (rc) goto out;
    sim = bal__backend_sim_get(be);
    scn = bal__sim_scenario(sim);
    bal__sim_record(sim, record);
    run.balanced = balance;
    run.rtt_ms = scn->opt.rtt_ms;
    run.concurrent = scn->opt.concurrent;
    run.balance_at = scn->opt.balance_at;

    rc = be->ops->sample(be, false, &prev);
    if (rc) goto out;
    while (!bal__sim_jobs_done(sim)) {
        if (bal__sim_now(sim) > MAX_SIM_S) {
            BAL__ERR(ctx, "%s: jobs still running after %.0f simulated "
                     "seconds; giving up", scn->source, MAX_SIM_S);
            rc = BAL_ERANGE;
            goto out;
        }
        rc = bal__observer_next(ctx, be, cfg, &obs, &prev);
        if (rc) goto out;

        if (!balance || bal__sim_now(sim) < run.balance_at) continue;

        rc = bal__sample_copy(&snap, &prev);
        if (rc) goto out;
        rc = bal__status_build(cfg, &obs, &snap, &st);
        if (rc) goto out;
        bal__plan_opts_init(&popts);
        popts.concurrent = run.concurrent;
        popts.hist = run.hist;
        popts.nhist = run.nhist;
        popts.now_s = bal__sim_now(sim);
        rc = bal__plan_make(ctx, cfg, st, &popts, &step);
        bal_status_free(st);
        st = NULL;
        if (rc) goto out;
        if (!step.plan.n) continue;

        hooks.opaque = &lp;
        hooks.after = record_wave;
        rc = bal__exec_plan(ctx, be, &step.plan, &hooks);
        bal__plan_step_dispose(&step);
        if (rc) goto out;
        /* Time went on while the VMs moved: start the rates afresh. */
        bal__sample_dispose(&prev);
        rc = be->ops->sample(be, false, &prev);
        if (rc) goto out;
    }
    run.end_s = bal__sim_now(sim);
    rc = collect(sim, &run);
    if (rc) goto out;

    *out = run;
    bal__simrun_init(&run);

out:
    bal__simrun_dispose(&run);
    bal__plan_step_dispose(&step);
    bal_status_free(st);
    bal__observer_dispose(&obs);
    bal__sample_dispose(&prev);
    bal__sample_dispose(&snap);
    bal_backend_close(be);
    return rc;
}
