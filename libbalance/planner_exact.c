/*
 * planner_exact.c - the exact search for tiny clusters (doc/planner.md,
 * "Search"): with at most exact_max_vms movable VMs and at most
 * BAL__PL_EXACT_MAX placements to weigh, every final placement allowed by
 * the constraints is weighed by the objective J the greedy search
 * maximises, and the best one is planned.  The greedy can stop in a
 * local optimum that only five or more VMs moving at once would leave;
 * here nothing is missed.
 *
 * The same constraints as the search's (planner_search.c, `blocked',
 * `unit_fits'): a VM that moves is not pinned, not cooling down and not
 * going back where the history says it just came from (both but off a
 * drained host), reaches the destination's storage over a link, does not
 * land on a drained host or beside a VM of its anti-affinity group, at
 * most max_moves move, and some order of the moves fits in memory step by
 * step (found by dynamic programming over the sets of moves done; the
 * wave builder then keeps to that order).  The gate is J itself: each
 * move's loss and min_gain are in it.  Fewer VMs left on drained hosts
 * come first, then J; ties (within rounding) go to fewer moves, then to
 * the lexicographically first placement (host indices, VM by VM).
 *
 * J here is bal__pl_model_objective's, term for term and in its order,
 * with each VM's possible migrations costed once.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"

#define XV BAL__PL_EXACT_VMS

typedef struct ex {
    bal__pl_model *m;
    const bal__pl_input *in;
    int nh, nv;
    int *nopt, *opt;            /* VM v's hosts: opt[v * nh + i], i < nopt[v] */
    double *chg, *T;            /* a move of v to h: loss + min_gain, time */
    int *first, *list, *fill;   /* VMs by host, for scoring */
    double *tau;
    double eps;
} ex;

static void ex_dispose(ex *x)
{
    free(x->nopt);
    free(x->opt);
    free(x->chg);
    free(x->T);
    free(x->first);
    free(x->list);
    free(x->fill);
    free(x->tau);
}

/* Whether v may move at all (pinned, cooldown: as the search's
 * `movable'; off a drained host it goes whatever its cooldown says). */
static bool may_move(const ex *x, int v)
{
    const bal__pl_vm *vm = &x->in->vms[v];

    if (vm->pinned) return false;
    return x->in->hosts[vm->host].drained ||
           !(vm->cooldown_until_s > x->in->params.now_s);
}

/* A->B->A: the history brought v here from b recently. */
static bool pingpong(const ex *x, int v, int b)
{
    const bal__pl_input *in = x->in;
    int i;

    for (i = 0; i < in->nhistory; i++) {
        const bal__pl_history *e = &in->history[i];

        if (e->time_s >= in->params.now_s - in->params.pingpong_s &&
            !strcmp(e->uuid, in->vms[v].uuid) &&
            !strcmp(e->to, in->hosts[in->vms[v].host].name) &&
            !strcmp(e->from, in->hosts[b].name))
            return true;
    }
    return false;
}

/* Where each VM may end, its own host among them, in host order; false
 * when the cluster is not tiny. */
static int ex_init(ex *x, bal__pl_model *m, bool *tiny_r)
{
    const bal__pl_input *in = m->in;
    int v, h, movable = 0;
    double total = 1, wsum = 0;
    bal__pl_cost c;

    memset(x, 0, sizeof(*x));
    *tiny_r = false;
    x->m = m;
    x->in = in;
    x->nh = m->nh;
    x->nv = m->nv;
    if (in->params.exact_max_vms <= 0 || x->nh < 2) return 0;
    for (v = 0; v < x->nv; v++) movable += may_move(x, v);
    if (movable > in->params.exact_max_vms || movable > XV) return 0;
    x->nopt = calloc((size_t)x->nv + 1, sizeof(int));
    x->opt = calloc((size_t)x->nv * x->nh + 1, sizeof(int));
    x->chg = calloc((size_t)x->nv * x->nh + 1, sizeof(double));
    x->T = calloc((size_t)x->nv * x->nh + 1, sizeof(double));
    x->first = calloc((size_t)x->nh + 2, sizeof(int));
    x->list = calloc((size_t)x->nv + 1, sizeof(int));
    x->fill = calloc((size_t)x->nh + 1, sizeof(int));
    x->tau = calloc((size_t)x->nh + 1, sizeof(double));
    if (!x->nopt || !x->opt || !x->chg || !x->T || !x->first || !x->list ||
        !x->fill || !x->tau)
        return BAL_ENOMEM;
    for (v = 0; v < x->nv; v++) {
        const bal__pl_vm *vm = &in->vms[v];
        int a = vm->host, *o = &x->opt[v * x->nh];
        bool evac = in->hosts[a].drained;

        wsum += m->w[v];
        for (h = 0; h < x->nh; h++) {
            if (h != a) {
                if (!may_move(x, v) || in->hosts[h].drained) continue;
                if (vm->storage_mask & ~in->hosts[h].storage_mask) continue;
                if (bal__pl_link(m, a, h) <= 0) continue;
                if (!evac && pingpong(x, v, h)) continue;
                bal__pl_move_cost(m, v, a, h, &c);
                x->chg[v * x->nh + h] = c.loss + in->params.min_gain;
                x->T[v * x->nh + h] = c.pc.time_s;
            }
            o[x->nopt[v]++] = h;
        }
        total *= x->nopt[v];
    }
    if (total > BAL__PL_EXACT_MAX) return 0;
    /* As the search's: gains this small are rounding. */
    x->eps = 1e-12 * (1 + wsum);
    *tiny_r = true;
    return 0;
}

/* J of pl, as bal__pl_model_objective computes it. */
static double ex_objective(ex *x, const int *pl)
{
    const bal__pl_input *in = x->in;
    int nh = x->nh, v, h;
    double J = 0;

    memset(x->first, 0, ((size_t)nh + 2) * sizeof(int));
    memset(x->fill, 0, ((size_t)nh + 1) * sizeof(int));
    memset(x->tau, 0, ((size_t)nh + 1) * sizeof(double));
    for (v = 0; v < x->nv; v++) {
        int a = in->vms[v].host, b = pl[v];
        double T = x->T[v * nh + b];

        x->first[b + 1]++;
        if (a == b) continue;
        J -= x->chg[v * nh + b];
        x->tau[a] = bal__dmax(x->tau[a], T);
        x->tau[b] = bal__dmax(x->tau[b], T);
    }
    for (h = 0; h < nh; h++) x->first[h + 1] += x->first[h];
    for (v = 0; v < x->nv; v++) x->list[x->first[pl[v]] + x->fill[pl[v]]++] = v;
    for (h = 0; h < nh; h++)
        J += bal__pl_score(x->m, h, x->list + x->first[h],
                           x->first[h + 1] - x->first[h], x->tau[h]);
    return J;
}

/* An order of pl's moves that fits in memory step by step: over the sets
 * of moves done, smallest first.  order_r: VMs; false: none fits. */
static bool ex_order(const ex *x, const int *pl, int *order_r, int *n_r)
{
    const bal__pl_input *in = x->in;
    int mv[XV], m = 0, v, i, k;
    unsigned S, full;
    unsigned char ok[1 << XV];
    signed char par[1 << XV];
    int64_t fr[XV * 2];
    int hs[XV * 2], nhs = 0, hsrc[XV], hdst[XV];

    for (v = 0; v < x->nv; v++)
        if (pl[v] != in->vms[v].host) mv[m++] = v;
    for (i = 0; i < m; i++) {
        int a = in->vms[mv[i]].host, b = pl[mv[i]];

        for (k = 0; k < nhs && hs[k] != a; k++) {}
        if (k == nhs) hs[nhs++] = a;
        hsrc[i] = k;
        for (k = 0; k < nhs && hs[k] != b; k++) {}
        if (k == nhs) hs[nhs++] = b;
        hdst[i] = k;
    }
    full = (1u << m) - 1;
    memset(ok, 0, (size_t)full + 1);
    ok[0] = 1;
    for (S = 0; S <= full; S++) {
        if (!ok[S]) continue;
        for (k = 0; k < nhs; k++) fr[k] = in->hosts[hs[k]].free_kb;
        for (i = 0; i < m; i++)
            if (S >> i & 1) {
                fr[hdst[i]] -= (int64_t)in->vms[mv[i]].mem_kb;
                fr[hsrc[i]] += (int64_t)in->vms[mv[i]].mem_kb;
            }
        for (i = 0; i < m; i++)
            if (!(S >> i & 1) && !ok[S | 1u << i] &&
                fr[hdst[i]] >= (int64_t)in->vms[mv[i]].mem_kb) {
                ok[S | 1u << i] = 1;
                par[S | 1u << i] = (signed char)i;
            }
    }
    if (!ok[full]) return false;
    for (S = full, k = m - 1; S; k--) {
        i = par[S];
        order_r[k] = mv[i];
        S &= ~(1u << i);
    }
    *n_r = m;
    return true;
}

/* Anti-affinity and max_moves; *moves_r: VMs moved. */
static bool ex_allowed(const ex *x, const int *pl, int *moves_r)
{
    const bal__pl_input *in = x->in;
    int v, u, moved = 0;

    for (v = 0; v < x->nv; v++) {
        int g = in->vms[v].anti_group;

        if (pl[v] == in->vms[v].host) continue;
        moved++;
        if (g < 0) continue;
        for (u = 0; u < x->nv; u++)
            if (u != v && pl[u] == pl[v] && in->vms[u].anti_group == g) return false;
    }
    *moves_r = moved;
    return in->params.max_moves < 0 || moved <= in->params.max_moves;
}

static int stranded_of(const ex *x, const int *pl)
{
    int v, n = 0;

    for (v = 0; v < x->nv; v++)
        if (x->in->hosts[pl[v]].drained && !x->in->vms[v].pinned) n++;
    return n;
}

int bal__pl_exact(bal__pl_model *m, bal__pl_search_out *greedy)
{
    ex x;
    bal__pl_search_out rep;
    int rc, v, *idx = NULL, *pl = NULL, *best = NULL, order[XV], to[XV];
    int norder = 0, bmoves = 0, bstr = 0, moves, str, gmoves;
    double bJ = -INFINITY, J;
    bool tiny, found = false;

    memset(&rep, 0, sizeof(rep));
    if ((rc = ex_init(&x, m, &tiny)) || !tiny) goto out;
    idx = calloc((size_t)x.nv + 1, sizeof(int));
    pl = calloc((size_t)x.nv + 1, sizeof(int));
    best = calloc((size_t)x.nv + 1, sizeof(int));
    if (!idx || !pl || !best) { rc = BAL_ENOMEM; goto out; }

    /* Every placement in lexicographic order (VM 0 the most significant),
     * so that of equals the first found stays. */
    for (;;) {
        for (v = 0; v < x.nv; v++) pl[v] = x.opt[v * x.nh + idx[v]];
        if (ex_allowed(&x, pl, &moves)) {
            str = stranded_of(&x, pl);
            J = ex_objective(&x, pl);
            if (!found || str < bstr ||
                (str == bstr && (J > bJ + x.eps ||
                                 (J >= bJ - x.eps && moves < bmoves)))) {
                int o[XV], no;

                if (ex_order(&x, pl, o, &no)) {
                    found = true;
                    bstr = str;
                    bJ = J;
                    bmoves = moves;
                    norder = no;
                    memcpy(order, o, sizeof(order));
                    memcpy(best, pl, (size_t)x.nv * sizeof(int));
                }
            }
        }
        for (v = x.nv - 1; v >= 0 && ++idx[v] == x.nopt[v]; v--) idx[v] = 0;
        if (v < 0) break;
    }
    if (!found) goto out;           /* staying put always is: not reached */

    /* The greedy's plan stays unless this one is better beyond rounding:
     * of equals it is the one already explained. */
    str = stranded_of(&x, greedy->place);
    J = ex_objective(&x, greedy->place);
    if (!ex_allowed(&x, greedy->place, &gmoves)) gmoves = INT32_MAX;
    if (bstr > str || (bstr == str && !(bJ > J + x.eps) &&
                       !(bJ >= J - x.eps && bmoves < gmoves)))
        goto out;
    for (v = 0; v < norder; v++) to[v] = best[order[v]];
    if ((rc = bal__pl_search_replay(m, order, to, norder, greedy, &rep))) goto out;
    bal__pl_search_out_dispose(greedy);
    *greedy = rep;
    memset(&rep, 0, sizeof(rep));
out:
    bal__pl_search_out_dispose(&rep);
    free(idx);
    free(pl);
    free(best);
    ex_dispose(&x);
    return rc;
}
