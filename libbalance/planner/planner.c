/*
 * planner.c - the planner's entry points: defaults, input checks, the
 * result (moves by wave, rejections, objectives, collisions), any
 * placement weighed from the definitions, and the conversion to a plan
 * for execution.  The model is in planner_cost.c, the search in
 * planner_search.c, the waves in planner_waves.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "planner_search.h"
#include "planner_waves.h"
#include "base/precopy.h"
#include "base/uuidmap.h"

void bal__pl_params_init(bal__pl_params *p)
{
    memset(p, 0, sizeof(*p));
    p->now_s = 0;
    p->horizon_s = 3600;
    p->max_moves = -1;
    p->max_per_host = 1;
    p->max_per_link = 1;
    /* The simulator's defaults (doc/scenario-format.md): the paper's
     * first migration, 1 GiB in about 40 s with the receiving dom0 at a
     * third of its pCPU and the reader dirtying its page cache. */
    p->migcpu = 0.00959;
    p->rtt_ms = 4;
    p->resume_s = 0.1;
    p->links = NULL;
    p->nlinks = 0;
    /* Xen's simple_precopy_policy: fewer than 50 dirty pages, at most
     * 5 live iterations (base/precopy.h). */
    p->stop_bytes = BAL__PRECOPY_STOP_BYTES;
    p->max_rounds = BAL__PRECOPY_MAX_ROUNDS;
    p->margin = BAL__PL_MARGIN;
    p->alpha = BAL__PL_ALPHA;
    p->iocpu = 0.0079;          /* the simulator's defaults */
    p->dom0cpu = 0.0079;
    p->reqsize = 44 * 1024;
    p->pingpong_s = 3600;
    p->search_k = 8;
}

void bal__pl_input_init(bal__pl_input *in)
{
    memset(in, 0, sizeof(*in));
    bal__pl_params_init(&in->params);
}

void bal__pl_input_dispose(bal__pl_input *in)
{
    int i;

    for (i = 0; i < in->nowned; i++) free(in->owned[i]);
    free(in->owned);
    free(in->links);
    free(in->hosts);
    free(in->vms);
    free(in->history);
    bal__pl_input_init(in);
}

void bal__pl_result_init(bal__pl_result *r)
{
    memset(r, 0, sizeof(*r));
}

void bal__pl_result_dispose(bal__pl_result *r)
{
    free(r->moves);
    free(r->rejects);
    free(r->wave_s);
    free(r->placement);
    bal__pl_result_init(r);
}

/* ---- input checks ---------------------------------------------------------- */

#define BAD(...) do { BAL__ERR(ctx, "planner: " __VA_ARGS__); goto bad; } while (0)

static bool finite_ge(double x, double lo)
{
    return isfinite(x) && x >= lo;
}

static int check_params(bal_ctx *ctx, const bal__pl_input *in)
{
    const bal__pl_params *p = &in->params;
    size_t i;

    if (!isfinite(p->now_s)) BAD("now_s %g: not a finite time", p->now_s);
    if (!(isfinite(p->horizon_s) && p->horizon_s > 0))
        BAD("horizon_s %g: must be more than 0", p->horizon_s);
    if (p->max_per_host < 1) BAD("max_per_host %d: must be at least 1", p->max_per_host);
    if (p->max_per_link < 1) BAD("max_per_link %d: must be at least 1", p->max_per_link);
    if (!finite_ge(p->migcpu, 0) || p->migcpu > 10)
        BAD("migcpu %g: out of range (0 to 10)", p->migcpu);
    if (!finite_ge(p->rtt_ms, 0)) BAD("rtt_ms %g: must be 0 or more", p->rtt_ms);
    if (!finite_ge(p->stop_bytes, 0)) BAD("stop_bytes %g: must be 0 or more", p->stop_bytes);
    if (!finite_ge(p->resume_s, 0)) BAD("resume_s %g: must be 0 or more", p->resume_s);
    if (p->max_rounds < 1 || p->max_rounds > 1000)
        BAD("max_rounds %d: out of range (1 to 1000)", p->max_rounds);
    if (!(isfinite(p->alpha) && p->alpha >= 1 && p->alpha <= 8))
        BAD("alpha %g: out of range (1 to 8)", p->alpha);
    if (!finite_ge(p->margin, 0) || p->margin > 10)
        BAD("margin %g: out of range (0 to 10)", p->margin);
    if (!finite_ge(p->iocpu, 0) || p->iocpu > 10)
        BAD("iocpu %g: out of range (0 to 10)", p->iocpu);
    if (!finite_ge(p->dom0cpu, 0) || p->dom0cpu > 10)
        BAD("dom0cpu %g: out of range (0 to 10)", p->dom0cpu);
    if (!(isfinite(p->reqsize) && p->reqsize > 0))
        BAD("reqsize %g: must be more than 0", p->reqsize);
    if (!finite_ge(p->pingpong_s, 0)) BAD("pingpong_s %g: must be 0 or more", p->pingpong_s);
    if (p->search_k < 1 || p->search_k > 64)
        BAD("search_k %d: out of range (1 to 64)", p->search_k);
    for (i = 0; p->links && i < (size_t)p->nlinks; i++) {
        const bal__pl_pair *l = &p->links[i];

        if (l->from < 0 || l->from >= in->nhosts || l->to < 0 ||
            l->to >= in->nhosts)
            BAD("link %d -> %d: no such host", l->from, l->to);
        if (!isfinite(l->Bps) || !isfinite(l->learned_Bps))
            BAD("link %d -> %d: %g bytes/s is not finite", l->from, l->to,
                l->Bps);
        if (i && (l[-1].from > l->from ||
                  (l[-1].from == l->from && l[-1].to >= l->to)))
            BAD("link %d -> %d: links not sorted, or given twice",
                l->from, l->to);
    }
    return 0;
bad:
    return BAL_EINVAL;
}

static int check_input(bal_ctx *ctx, const bal__pl_input *in)
{
    bal__uuidmap map;
    int i, j, rc = BAL_EINVAL;

    bal__uuidmap_init(&map);
    if (!in || in->nhosts < 0 || in->nvms < 0 || in->nhistory < 0 ||
        (in->nhosts && !in->hosts) || (in->nvms && !in->vms) ||
        (in->nhistory && !in->history)) {
        BAL__ERR(ctx, "planner: no input, or counts without arrays");
        return BAL_EINVAL;
    }
    if (in->nvms > 0 && in->nhosts == 0) BAD("%d VMs and no host", in->nvms);
    if (check_params(ctx, in)) goto bad;

    for (i = 0; i < in->nhosts; i++) {
        const bal__pl_host *h = &in->hosts[i];

        if (!h->name || !*h->name) BAD("host %d: no name", i);
        j = bal__uuidmap_get(&map, h->name);
        if (j >= 0) BAD("host %s: named twice (hosts %d and %d)", h->name, j, i);
        if (bal__uuidmap_put(&map, h->name, i)) { rc = BAL_ENOMEM; goto bad; }
        if (h->pcpus < 1) BAD("host %s: pcpus 0: must be at least 1", h->name);
        if (!(isfinite(h->disk_Bps) && h->disk_Bps > 0))
            BAD("host %s: disk_Bps %g: must be more than 0", h->name, h->disk_Bps);
        if (!finite_ge(h->disk_iops, 0))
            BAD("host %s: disk_iops %g: must be 0 or more", h->name, h->disk_iops);
        if (!finite_ge(h->net_Bps, 0))
            BAD("host %s: net_Bps %g: must be 0 or more", h->name, h->net_Bps);
        if (h->free_kb < 0)
            BAD("host %s: free_kb %lld: negative memory", h->name,
                (long long)h->free_kb);
        if (h->free_kb > ((int64_t)1 << 50))
            BAD("host %s: free_kb %lld: more than 1 EiB", h->name,
                (long long)h->free_kb);
    }
    bal__uuidmap_dispose(&map);
    bal__uuidmap_init(&map);

    for (i = 0; i < in->nvms; i++) {
        const bal__pl_vm *v = &in->vms[i];
        const char *nm = v->name;

        if (!nm || !*nm) BAD("vm %d: no name", i);
        if (!v->uuid || !*v->uuid) BAD("vm %s: no uuid", nm);
        if (v->host < 0 || v->host >= in->nhosts)
            BAD("vm %s: host %d is not a host (there are %d)", nm, v->host,
                in->nhosts);
        if ((unsigned)v->type >= BAL_NTYPES)
            BAD("vm %s: load type %d is not a load type", nm, (int)v->type);
        if (!finite_ge(v->cpu, 0)) BAD("vm %s: cpu %g: must be 0 or more", nm, v->cpu);
        if (isnan(v->io_Bps) || v->io_Bps < 0)
            BAD("vm %s: io_Bps %g: must be 0 or more", nm, v->io_Bps);
        if (isnan(v->net_Bps) || v->net_Bps < 0)
            BAD("vm %s: net_Bps %g: must be 0 or more", nm, v->net_Bps);
        if (v->vcpus < 1) BAD("vm %s: vcpus 0: must be at least 1", nm);
        if (v->mem_kb == 0) BAD("vm %s: mem_kb 0: must be more than 0", nm);
        if (v->mem_kb > ((uint64_t)1 << 50))
            BAD("vm %s: mem_kb %llu: more than 1 EiB", nm,
                (unsigned long long)v->mem_kb);
        if (!finite_ge(v->dirty_Bps, 0))
            BAD("vm %s: dirty_Bps %g: must be 0 or more", nm, v->dirty_Bps);
        if (isnan(v->wws_bytes) || v->wws_bytes < 0)
            BAD("vm %s: wws_bytes %g: must be 0 or more (0: no bound)", nm,
                v->wws_bytes);
        if (isnan(v->remaining_s)) BAD("vm %s: remaining_s is not a number", nm);
        if (v->anti_group < -1) BAD("vm %s: anti_group %d: must be -1 or more", nm,
                                    v->anti_group);
        if (v->together_group < 0)
            BAD("vm %s: together_group %d: must be 0 or more", nm,
                v->together_group);
        if (v->must_mask & (v->must_mask - 1))
            BAD("vm %s: must_mask %#x: one host set at most", nm,
                (unsigned)v->must_mask);
        if (v->should_mask & (v->should_mask - 1))
            BAD("vm %s: should_mask %#x: one host set at most", nm,
                (unsigned)v->should_mask);
        if (isnan(v->cooldown_until_s)) BAD("vm %s: cooldown_until_s is not a number", nm);
        if (!(v->trust >= 0 && v->trust <= 1))
            BAD("vm %s: trust %g: must be more than 0 and at most 1", nm,
                v->trust);
        j = bal__uuidmap_get(&map, v->uuid);
        if (j >= 0) BAD("vm %s: uuid %s is already vm %s's", nm, v->uuid,
                        in->vms[j].name);
        if (bal__uuidmap_put(&map, v->uuid, i)) { rc = BAL_ENOMEM; goto bad; }
    }
    for (i = 0; i < in->nhistory; i++) {
        const bal__pl_history *e = &in->history[i];

        if (!e->uuid || !e->from || !e->to)
            BAD("history %d: needs uuid, from and to", i);
        if (!isfinite(e->time_s)) BAD("history %d: time_s is not finite", i);
    }
    rc = 0;
bad:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "planner: out of memory");
    bal__uuidmap_dispose(&map);
    return rc;
}

/* ---- a placement weighed from the definitions ------------------------------ */

/* The work over the horizon with the placement, each host's new state
 * from tau_h (the longest migration touching it), less every migration's
 * loss; and the fair utility once it is reached. */
double bal__pl_model_objective(bal__pl_model *m, const int *place,
                               double *util_r, int *stranded_r, int *err_r)
{
    const bal__pl_input *in = m->in;
    int nh = m->nh, nv = m->nv, h, v, i, *first = NULL, *list = NULL;
    double *tau = NULL, J = 0, U = 0;
    bal__pl_cost c;

    *err_r = 0;
    if (stranded_r) *stranded_r = 0;
    first = calloc((size_t)nh + 2, sizeof(int));
    list = calloc((size_t)nv + 1, sizeof(int));
    tau = calloc((size_t)nh + 1, sizeof(double));
    if (!first || !list || !tau) {
        *err_r = BAL_ENOMEM;
        goto out;
    }
    for (v = 0; v < nv; v++) {
        int a = in->vms[v].host, b = place[v];

        first[b + 1]++;
        if (stranded_r && in->hosts[b].drained && !in->vms[v].pinned)
            (*stranded_r)++;
        if (a == b) continue;
        bal__pl_move_cost(m, v, a, b, &c);
        J -= c.loss;
        tau[a] = bal__dmax(tau[a], c.pc.time_s);
        tau[b] = bal__dmax(tau[b], c.pc.time_s);
    }
    for (h = 0; h < nh; h++) first[h + 1] += first[h];
    {
        int *fill = calloc((size_t)nh + 1, sizeof(int));

        if (!fill) {
            *err_r = BAL_ENOMEM;
            goto out;
        }
        for (v = 0; v < nv; v++) list[first[place[v]] + fill[place[v]]++] = v;
        free(fill);
    }
    for (h = 0; h < nh; h++) {
        int n = first[h + 1] - first[h];
        const int *idx = list + first[h];

        J += bal__pl_score(m, h, idx, n, tau[h]);
        bal__pl_rates(m, h, idx, n, 0, NULL);
        for (i = 0; i < n; i++)
            if (m->w[idx[i]] > 0)
                U += m->w[idx[i]] * bal__pl_util(m->p->alpha, m->s_share[i]);
    }
out:
    free(first);
    free(list);
    free(tau);
    if (util_r) *util_r = U;
    return J;
}

int bal__pl_model_check_init(bal_ctx *ctx, bal__pl_model *m,
                             const bal__pl_input *in)
{
    int rc;

    memset(m, 0, sizeof(*m));
    if ((rc = check_input(ctx, in))) return rc;
    if ((rc = bal__pl_model_init(m, in))) BAL__ERR(ctx, "planner: out of memory");
    return rc;
}

int bal__pl_evaluate(bal_ctx *ctx, const bal__pl_input *in, const int *place,
                     double *work_r, double *util_r, int *stranded_r)
{
    bal__pl_model m;
    int rc, v, stranded = 0;
    double J, U;

    if ((rc = check_input(ctx, in))) return rc;
    for (v = 0; v < in->nvms; v++)
        if (place[v] < 0 || place[v] >= in->nhosts) {
            BAL__ERR(ctx, "planner: placement of vm %s: host %d is not a host",
                     in->vms[v].name, place[v]);
            return BAL_EINVAL;
        }
    if ((rc = bal__pl_model_init(&m, in))) goto nomem;
    J = bal__pl_model_objective(&m, place, &U, &stranded, &rc);
    bal__pl_model_dispose(&m);
    if (rc) goto nomem;
    if (work_r) *work_r = J;
    if (util_r) *util_r = U;
    if (stranded_r) *stranded_r = stranded;
    return 0;
nomem:
    BAL__ERR(ctx, "planner: out of memory");
    return rc;
}

int bal__pl_collisions(const bal__pl_input *in, const int *place)
{
    int *cnt = calloc(BAL_NRES * (size_t)in->nhosts + BAL_NRES, sizeof(int));
    int v, h, r, n = 0;

    if (!cnt) return -1;
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        h = place ? place[v] : vm->host;
        if (!vm->heavy) continue;
        for (r = 0; r < BAL_NRES; r++)
            cnt[BAL_NRES * h + r] += bal_load_type_contends(vm->type, r);
    }
    for (h = 0; h < BAL_NRES * in->nhosts; h++)
        if (cnt[h] > 1) n += cnt[h] - 1;
    free(cnt);
    return n;
}

/* ---- planning --------------------------------------------------------------- */

static int move_cmp(const void *a, const void *b)
{
    const bal__pl_move *x = a, *y = b;

    if (x->wave != y->wave) return x->wave - y->wave;
    return x->seq - y->seq;
}

/* Each moved VM's own predicted gain (bal__pl_move's vm_gain): its rate
 * where the plan leaves it over where it starts, minus 1, both the
 * model's fraction of its demand - what the history's realised gain
 * measures (history.h).  Each host's VMs are listed once, by index (the
 * order the search holds them in), not looked for among all VMs for
 * every move: at 10,000 VMs and 4,000 moves that scan was 2% of the
 * planning. */
static int vm_gains(bal__pl_model *m, const int *place, bal__pl_result *r)
{
    double *frac = calloc((size_t)m->nv + 1, sizeof(*frac));
    int *list = calloc((size_t)m->nv + 1, sizeof(*list));
    int *first = calloc((size_t)m->nh + 2, sizeof(*first));
    int i, v, h, n, me, rc = 0;

    if (!frac || !list || !first) {
        rc = BAL_ENOMEM;
        goto out;
    }
    /* Counted, then filled in index order: list[first[h] .. first[h+1]). */
    for (v = 0; v < m->nv; v++) first[place[v] + 2]++;
    for (h = 0; h < m->nh; h++) first[h + 2] += first[h + 1];
    for (v = 0; v < m->nv; v++) list[first[place[v] + 1]++] = v;
    for (i = 0; i < r->nmoves; i++) {
        bal__pl_move *mv = &r->moves[i];

        h = place[mv->vm];
        n = first[h + 1] - first[h];
        for (me = 0; list[first[h] + me] != mv->vm; me++) {}
        bal__pl_rates(m, h, list + first[h], n, 0, frac);
        mv->vm_gain = m->f0[mv->vm] > 0 ? frac[me] / m->f0[mv->vm] - 1 : NAN;
    }
out:
    free(frac);
    free(list);
    free(first);
    return rc;
}

int bal__planner_plan(bal_ctx *ctx, const bal__pl_input *in,
                      bal__pl_result *out)
{
    bal__pl_model m;
    bal__pl_search_out so;
    bal__pl_result r;
    int rc, i, v;

    memset(&m, 0, sizeof(m));
    memset(&so, 0, sizeof(so));
    bal__pl_result_init(&r);
    if ((rc = check_input(ctx, in))) return rc;
    if ((rc = bal__pl_model_init(&m, in))) goto out;
    if ((rc = bal__pl_search(&m, &so))) goto out;

    r.nvms = in->nvms;
    r.passes = so.passes;
    r.moves = calloc((size_t)so.nsteps + 1, sizeof(*r.moves));
    if (!r.moves) { rc = BAL_ENOMEM; goto out; }
    r.nmoves = so.nsteps;
    for (i = 0; i < so.nsteps; i++) {
        const bal__pl_step *st = &so.steps[i];
        bal__pl_move *mv = &r.moves[i];

        mv->vm = st->vm;
        mv->from = st->from;
        mv->to = st->to;
        mv->unit = st->unit;
        mv->seq = i;
        mv->evacuation = st->evacuation;
        mv->gain = st->gain;
        mv->gain_rate = st->gain_rate;
        mv->loss = st->cost.loss;
        mv->mig_s = st->cost.pc.time_s;
        mv->downtime_s = st->cost.pc.downtime_s;
        mv->bytes = st->cost.pc.bytes;
        mv->rounds = st->cost.pc.rounds;
        mv->break_even_s = st->break_even_s;
        snprintf(mv->reason, sizeof(mv->reason), "%s", st->reason);
    }
    if ((rc = bal__pl_waves(&m, &so, &r))) goto out;
    qsort(r.moves, (size_t)r.nmoves, sizeof(*r.moves), move_cmp);

    r.rejects = so.rejects;
    r.nrejects = so.nrejects;
    so.rejects = NULL;
    so.nrejects = 0;
    r.placement = so.place;
    so.place = NULL;

    r.objective_before = 0;
    r.utility_before = 0;
    for (v = 0; v < in->nvms; v++) {
        r.objective_before += m.w[v] * m.f0[v];
        if (m.w[v] > 0) r.utility_before += m.w[v] * bal__pl_util(in->params.alpha, m.s0[v]);
    }
    r.objective_after = bal__pl_model_objective(&m, r.placement,
                                                &r.utility_after, &r.stranded,
                                                &rc);
    if (rc) goto out;
    r.floor = so.floor;
    r.pfloor = so.pfloor;
    r.collisions_before = bal__pl_collisions(in, NULL);
    r.collisions_after = bal__pl_collisions(in, r.placement);
    if (r.collisions_before < 0 || r.collisions_after < 0) { rc = BAL_ENOMEM; goto out; }
    r.evaluations = m.nevals;
    if ((rc = vm_gains(&m, r.placement, &r))) goto out;

    /* Every decision, with its numbers, for whoever listens at debug. */
    for (i = 0; i < r.nmoves; i++) {
        const bal__pl_move *mv = &r.moves[i];

        char d_mig[32], d_even[32];

        BAL__DEBUG(ctx, "planner: move %s %s -> %s, wave %d: %s; net gain "
                   "%.4g (%+.3g VMs of work), migration %s, loss %.3g VM-s, "
                   "break-even %s", in->vms[mv->vm].name,
                   in->hosts[mv->from].name, in->hosts[mv->to].name, mv->wave,
                   mv->reason, mv->gain, mv->gain_rate,
                   bal__fmt_duration(mv->mig_s, d_mig, sizeof(d_mig)), mv->loss,
                   bal__fmt_duration(mv->break_even_s, d_even, sizeof(d_even)));
    }
    for (i = 0; i < r.nrejects; i++)
        BAL__DEBUG(ctx, "planner: stays: %s", r.rejects[i].detail);

    bal__pl_result_dispose(out);
    *out = r;
    bal__pl_result_init(&r);
    rc = 0;
out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "planner: out of memory");
    bal__pl_result_dispose(&r);
    bal__pl_search_out_dispose(&so);
    bal__pl_model_dispose(&m);
    return rc;
}

int bal__pl_result_to_plan(const bal__pl_result *r, const bal__pl_input *in,
                           bal__plan *out)
{
    bal__plan plan;
    int i, rc;

    bal__plan_init(&plan);
    for (i = 0; i < r->nmoves; i++) {
        const bal__pl_move *mv = &r->moves[i];

        if (mv->vm < 0 || mv->vm >= in->nvms || mv->from < 0 ||
            mv->from >= in->nhosts || mv->to < 0 || mv->to >= in->nhosts) {
            rc = BAL_EINVAL;
            goto out;
        }
        rc = bal__plan_add(&plan, in->vms[mv->vm].uuid, in->vms[mv->vm].name,
                           in->hosts[mv->from].name, in->hosts[mv->to].name,
                           mv->wave, mv->reason);
        if (rc) goto out;
    }
    bal__plan_dispose(out);
    *out = plan;
    bal__plan_init(&plan);
    rc = 0;
out:
    bal__plan_dispose(&plan);
    return rc;
}
