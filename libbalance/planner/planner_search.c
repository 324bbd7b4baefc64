/*
 * planner_search.c - the planner's search: from the placement where the
 * VMs are, take one unit at a time (a move, or a swap of two VMs), each
 * one that pays for itself from where the cluster then stands, the
 * worst-off VMs first, until none does.  What it reports - each move's
 * gain and reason, why a VM that could gain stays - is
 * planner_explain.c's.
 *
 * The objective is alpha-fair (doc/planner.md, "The objective"): the
 * sum over VMs of w_v u(s_v), s_v a VM's share of its demand under the
 * model (planner_cost.c), w_v the seconds its work counts, u concave
 * (bal__pl_util).  A unit is taken when
 *
 *   benefit - cost > (n - p) x margin x W
 *
 * benefit: the utility gained once its migrations are done, over the
 * rest of each VM's time; cost: the utility lost while dom0s copy; n its
 * migrations, p the contended same-type pairs it parts; W the longest
 * time any of its VMs counts; margin the utility rate each migration
 * must add beyond paying for itself.  And
 * only when it is fair (planner_units.h, srch: the floors): it leaves
 * no more heavy VMs below the 10th percentile of their shares than there
 * were, and pushes no VM whose share falls below the worst-off heavy
 * VM's - on the model's shares and on the plain ones alike; and it adds
 * no pair of heavy same-type VMs on a contended resource.
 *
 * Every unit is weighed from the present placement, by the present
 * placement alone, with the same costs and limits a plan started from
 * there would use: so when the search stops, a plan started from where
 * it ends finds nothing to do (stable plans), and a unit pays its own
 * migrations even when it moves a VM the plan has moved already.  The
 * steps are composed at the end: each VM once, from where it started to
 * where it ends (planner_explain.c).
 *
 * Phases:
 *  1. evacuation: VMs on drained hosts, smallest first, each to its best
 *     host that can take it (owed: neither gated nor held to fairness);
 *  2. passes over the VMs of contended hosts, the worst-off first (a
 *     heap on their shares, which follows them as units change them),
 *     each taking its best unit as the cluster then stands; until a
 *     pass takes nothing.  A VM whose last look found nothing is not
 *     weighed again while nothing that look depended on changed;
 *  3. the wide pass: the VMs of contended same-type pairs only, each also
 *     weighing a swap with every VM of its hosts for swaps, for a unit
 *     that parts a pair (too dear in every pass at 1,000 hosts, cheap
 *     once at the end); when it takes one, 2. and 3. again.
 *
 * Scale: a VM's candidate destinations come from indexed heaps of hosts
 * (most room in each resource, absolute and relative; most free memory;
 * for swap partners, the most loaded in the other resource): no scan of
 * all hosts per VM on large clusters.  Only VMs on hosts where some VM
 * runs below its demand are candidates: elsewhere nothing can gain.
 */
#define _GNU_SOURCE             /* qsort_r */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuidmap.h"
#include "planner_explain.h"
#include "planner_search.h"
#include "planner_units.h"

/* ---- phases ------------------------------------------------------------------ */

static int cmp_mem_asc(const void *a, const void *b, void *arg)
{
    const srch *s = arg;
    int x = *(const int *)a, y = *(const int *)b;
    uint64_t mx = s->in->vms[x].mem_kb, my = s->in->vms[y].mem_kb;

    if (mx != my) return mx < my ? -1 : 1;
    return x - y;
}

static int reject_simple(srch *s, int v, bal__pl_why why, const char *fmt,
                         const char *a)
{
    bal__pl_reject rj;

    memset(&rj, 0, sizeof(rj));
    rj.vm = v;
    rj.why = why;
    rj.to = -1;
    rj.partner = -1;
    snprintf(rj.detail, sizeof(rj.detail), fmt, s->in->vms[v].name,
             bal_load_type_name(s->in->vms[v].type), a);
    return bal__pls_add_reject(s, &rj);
}

/* Drained hosts first: each VM on one (or outside its must_run_on
 * hosts: bal__pl_owed) goes where the cluster's utility is best among
 * the hosts that can take it - those of its should_run_on set before any
 * other - smallest first (when not all fit, as many as can); neither the
 * gate nor fairness applies: the move is owed. */
static int evacuate(srch *s)
{
    int *list = NULL, n = 0, i, j, rc = 0;

    list = malloc(((size_t)s->nv + 1) * sizeof(int));
    if (!list) return BAL_ENOMEM;
    for (i = 0; i < s->nv; i++)
        if (bal__pl_owed(s->in, i, s->host[i])) list[n++] = i;
    qsort_r(list, (size_t)n, sizeof(int), cmp_mem_asc, s);
    for (i = 0; i < n; i++) {
        int v = list[i], nc, bestb = -1, why_n[BAL__PL_NWHY] = { 0 }, top = -1;
        const char *hn = s->in->hosts[s->host[v]].name;
        const char *off = s->in->hosts[s->host[v]].drained ? "drained"
                                                            : "must-run-on";
        uint32_t want = s->in->vms[v].should_mask;
        bool pref = false, pb;
        evalr e, be;
        bal__pl_reject rj;
        bool all = false;
        rel r;

        if (s->in->vms[v].pinned) {
            if ((rc = reject_simple(s, v, BAL__PL_PINNED,
                                    s->in->hosts[s->host[v]].drained
                                    ? "%s (%s): pinned on drained %s"
                                    : "%s (%s): pinned on %s, outside its "
                                      "must_run_on hosts", hn)))
                goto out;
            continue;
        }
        if (s->ncorder >= s->budget) {
            if ((rc = reject_simple(s, v, BAL__PL_MAXMOVES,
                                    s->in->hosts[s->host[v]].drained
                                    ? "%s (%s): on drained %s, no moves left"
                                    : "%s (%s): on %s, outside its "
                                      "must_run_on hosts, no moves left",
                                    hn)))
                goto out;
            continue;
        }
        memset(&be, 0, sizeof(be));
        for (;;) {
            if (all) {
                nc = 0;
                for (j = 0; j < s->nh; j++)
                    if (!s->in->hosts[j].drained) s->hc[nc++] = j;
            } else {
                nc = bal__pls_cand_hosts(s, v, s->hc, s->p->search_k);
            }
            for (j = 0; j < nc; j++) {
                int b = s->hc[j], why;

                if (b == s->host[v]) continue;
                r = (rel){ v, b };
                why = bal__pls_unit_blocked(s, &r, 1, true);
                if (why >= 0) {
                    why_n[why]++;
                    continue;
                }
                bal__pls_eval_unit(s, &r, 1, &e);
                /* Its should_run_on hosts first, then the best. */
                pb = !(want & ~s->in->hosts[b].should_mask);
                if (bestb < 0 || (pb && !pref) ||
                    (pb == pref &&
                     bal__pls_better(e.benefit - e.cost, e.spread, 1, &r,
                                     be.benefit - be.cost, be.spread, 1,
                                     be.r))) {
                    be = e;
                    bestb = b;
                    pref = pb;
                }
            }
            /* The indexes offer the hosts with most room; when none of
             * those can take it (nor one it should run on), every host is
             * asked before giving up. */
            if ((bestb >= 0 && pref) || all || s->nh <= SMALL_H) break;
            all = true;
            memset(why_n, 0, sizeof(why_n));
        }
        if (bestb < 0) {
            for (j = 0; j < BAL__PL_NWHY; j++)
                if (why_n[j] > 0 && (top < 0 || why_n[j] > why_n[top])) top = j;
            memset(&rj, 0, sizeof(rj));
            rj.vm = v;
            rj.to = rj.partner = -1;
            rj.why = top >= 0 ? (bal__pl_why)top : BAL__PL_NOHOST;
            snprintf(rj.detail, sizeof(rj.detail), "%s (%s): no host can take "
                     "it off %s %s: %d memory, %d storage, %d "
                     "anti-affinity, %d no-link, %d must-run-on, %d "
                     "keep-together", s->in->vms[v].name,
                     bal_load_type_name(s->in->vms[v].type), off, hn,
                     why_n[BAL__PL_MEMORY], why_n[BAL__PL_STORAGE],
                     why_n[BAL__PL_ANTI], why_n[BAL__PL_NOLINK],
                     why_n[BAL__PL_MUST], why_n[BAL__PL_TOGETHER]);
            if ((rc = bal__pls_add_reject(s, &rj))) goto out;
            continue;
        }
        r = (rel){ v, bestb };
        if ((rc = bal__pls_apply_unit(s, &r, 1, true, &be))) goto out;
    }
out:
    free(list);
    return rc;
}

/* Whether some VM on h runs below its demand: only then can moving one
 * of h's VMs gain anything. */
static bool contended(const srch *s, int h)
{
    const hlist *l = &s->hl[h];
    int i;

    for (i = 0; i < l->n; i++)
        if (s->m->w[l->v[i]] > 0 && s->share[l->v[i]] < 1 - SHARE_EPS)
            return true;
    return false;
}

/* The pass's VMs, the worst-off first: a min-heap on (share when
 * pushed, index) in order[0..norder). */
static bool vless(const void *c, int i, int j)
{
    const srch *s = c;
    double a = s->okey[i], b = s->okey[j];

    return a < b || (a == b && s->order[i] < s->order[j]);
}

static void vswap(void *c, int i, int j)
{
    srch *s = c;
    int t = s->order[i];
    double k = s->okey[i];

    s->order[i] = s->order[j];
    s->okey[i] = s->okey[j];
    s->order[j] = t;
    s->okey[j] = k;
}

static void vpush(srch *s, int v)
{
    int i = s->norder++;

    s->order[i] = v;
    s->okey[i] = s->share[v];
    bal__pls_heap_up(s, i, vless, vswap);
}

static int vpop(srch *s, double *key_r)
{
    int v = s->order[0];

    *key_r = s->okey[0];
    s->norder--;
    s->order[0] = s->order[s->norder];
    s->okey[0] = s->okey[s->norder];
    bal__pls_heap_down(s, s->norder, 0, vless, vswap);
    return v;
}

/* Passes over the VMs of contended hosts, the worst-off first (as they
 * are when their turn comes: a VM whose share changed meanwhile takes
 * its place again), each taking its best unit as the cluster then
 * stands; until a pass takes nothing. */
static int passes(srch *s)
{
    int pass, h, i, rc, took;
    long units = 0, cap = 64L * (s->nv + 16);

    for (pass = 0; pass < MAX_PASSES; pass++) {
        bal__pls_set_floors(s);
        took = 0;
        s->norder = 0;
        for (h = 0; h < s->nh; h++) {
            if (!contended(s, h)) continue;
            for (i = 0; i < s->hl[h].n; i++) {
                int v = s->hl[h].v[i];

                if (s->m->w[v] > 0 && (!s->wide || bal__pls_in_pair(s, v)))
                    vpush(s, v);
            }
        }
        while (s->norder > 0) {
            double key;
            int v = vpop(s, &key);
            cand c;
            evalr e;

            if (key != s->share[v]) {
                vpush(s, v);
                continue;
            }
            bal__pls_best_unit(s, v, &c);
            if (c.n == 0) continue;
            bal__pls_eval_unit(s, c.r, c.n, &e);
            if ((rc = bal__pls_apply_unit(s, c.r, c.n, false, &e))) return rc;
            took++;
            /* A bound that no real cluster reaches: every unit raises
             * the utility by a margin, which has a top. */
            if (++units > cap) return 0;
        }
        s->out->passes = pass + 1;
        if (took) {
            s->wide = false;
            continue;
        }
        /* Nothing more pays: one wide pass, then (if it took a unit)
         * passes again; the search ends when a wide pass takes nothing,
         * which is where a plan started from its result ends too.  Not
         * on tiny clusters (every swap is weighed already) nor beyond
         * WIDE_H hosts, where the passes its units reopen cost more
         * than the few pairs it parts (doc/planner.md, "Search"). */
        if (s->wide || bal__pls_tiny(s) || s->nh > WIDE_H) break;
        s->wide = true;
    }
    return 0;
}

void bal__pl_search_out_dispose(bal__pl_search_out *s)
{
    free(s->steps);
    free(s->place);
    free(s->rejects);
    memset(s, 0, sizeof(*s));
}

/* Why each VM that would gain stays, then the final placement. */
static int finish(srch *s, bal__pl_search_out *out)
{
    int v, rc;

    bal__pls_set_floors(s);
    out->floor = s->floor;
    out->pfloor = s->pfloor;
    for (v = 0; v < s->nv; v++) {
        int n0 = out->nrejects;

        /* One owed a move that stays has said why (evacuate). */
        if (bal__pls_moved(s, v) || bal__pl_owed(s->in, v, s->host[v]))
            continue;
        if (s->m->w[v] > 0 && s->share[v] < 1 - SHARE_EPS &&
            (rc = bal__pls_explain(s, v)))
            return rc;
        /* A should_run_on rule it does not keep is said too. */
        if (out->nrejects == n0 && (rc = bal__pls_explain_should(s, v)))
            return rc;
    }
    out->place = malloc(((size_t)s->nv + 1) * sizeof(int));
    if (!out->place) return BAL_ENOMEM;
    memcpy(out->place, s->host, (size_t)s->nv * sizeof(int));
    return 0;
}

int bal__pl_search(bal__pl_model *m, bal__pl_search_out *out)
{
    srch s;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bal__pls_init(&s, m, out);
    if (rc) goto out;
    if ((rc = evacuate(&s))) goto out;
    if ((rc = passes(&s))) goto out;
    if ((rc = bal__pls_emit_steps(&s))) goto out;
    rc = finish(&s, out);
out:
    bal__pls_dispose(&s);
    if (rc) bal__pl_search_out_dispose(out);
    return rc;
}
