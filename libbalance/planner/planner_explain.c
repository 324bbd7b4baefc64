/*
 * planner_explain.c - what the search tells: the plan's moves, composed
 * (each VM once, from where it started to where it ends) in an order
 * that fits step by step, with what each unit gained and why it was
 * made; and for every VM that runs below its demand and stays, its best
 * unit with the numbers and what stopped it (doc/planner.md,
 * "Constraints" and "Output").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner_explain.h"

/* ---- names ---------------------------------------------------------------- */

const char *bal__pl_why_name(bal__pl_why w)
{
    static const char *const names[BAL__PL_NWHY] = {
        [BAL__PL_PINNED] = "pinned",
        [BAL__PL_COOLDOWN] = "cooldown",
        [BAL__PL_MEMORY] = "memory",
        [BAL__PL_STORAGE] = "storage",
        [BAL__PL_ANTI] = "anti-affinity",
        [BAL__PL_PINGPONG] = "ping-pong",
        [BAL__PL_NOLINK] = "no-link",
        [BAL__PL_BREAKEVEN] = "below-break-even",
        [BAL__PL_MAXMOVES] = "max-moves",
        [BAL__PL_PARTNER] = "partner",
        [BAL__PL_NOHOST] = "no-host",
        [BAL__PL_FAIRNESS] = "fairness",
        [BAL__PL_MUST] = "must-run-on",
        [BAL__PL_SHOULD] = "should-run-on",
        [BAL__PL_TOGETHER] = "keep-together",
        [BAL__PL_DRAINED] = "drained",
        [BAL__PL_TRUST] = "low-trust",
    };

    return (unsigned)w < BAL__PL_NWHY ? names[w] : "?";
}

/* The job length above which a unit pays: its benefit (du per second
 * after T) over a job of L seconds must beat its cost and the margins it
 * owes (n: its migrations less the contended pairs it parts),
 * du (L - T) > cost + n margin L. */
static double break_even(const bal__pl_params *p, double du, double T,
                         double cost, int n)
{
    double g = du - n * p->margin;

    return g > 1e-12 ? (du * T + cost) / g : INFINITY;
}

/* What a VM's trust below 1 says (bal__pl_vm), into buf: "" when it
 * rounds to 1 in the 2 digits shown (the noise of a move that delivered
 * what was predicted). */
static void trust_text(const bal__pl_vm *vm, char *buf, size_t size)
{
    buf[0] = '\0';
    if (vm->trust > 0 && vm->trust < 0.995)
        snprintf(buf, size, "its past moves gained %.2gx what was predicted",
                 vm->trust);
}

static void reject_detail(srch *s, bal__pl_reject *rj, const evalr *e)
{
    const bal__pl_vm *vm = &s->in->vms[rj->vm];
    char where[200], tt[64], d_after[32], d_even[32], d_counts[32];
    int n;

    if (rj->to < 0) {
        snprintf(rj->detail, sizeof(rj->detail), "%s (%s): %s",
                 vm->name, bal_load_type_name(vm->type),
                 rj->why == BAL__PL_PINNED ? "pinned" : "no other host");
        return;
    }
    if (rj->partner >= 0)
        snprintf(where, sizeof(where), "%s, %s to %s",
                 s->in->hosts[rj->to].name, s->in->vms[rj->partner].name,
                 s->in->hosts[e->r[1].to].name);
    else
        snprintf(where, sizeof(where), "%s", s->in->hosts[rj->to].name);
    n = snprintf(rj->detail, sizeof(rj->detail),
                 "%s (%s): best %s: %+.3g/s after %s, loss %.3g VM-s, "
                 "break-even %s, counts %s; ", vm->name,
                 bal_load_type_name(vm->type), where, e->rate,
                 bal__fmt_duration(e->T, d_after, sizeof(d_after)), e->loss,
                 bal__fmt_duration(rj->break_even_s, d_even, sizeof(d_even)),
                 bal__fmt_duration(s->m->w[rj->vm], d_counts,
                                   sizeof(d_counts)));
    if (n < 0 || (size_t)n >= sizeof(rj->detail)) return;
    switch (rj->why) {
    case BAL__PL_MEMORY:
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                 "%s has %lld MiB free, needs %llu MiB",
                 s->in->hosts[rj->to].name,
                 (long long)(s->free_kb[rj->to] / 1024),
                 (unsigned long long)(vm->mem_kb / 1024));
        break;
    case BAL__PL_COOLDOWN:
        /* The planner's clock is the wall's live, the simulator's in a
         * simulation: what is left of the cooldown reads the same. */
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                 "cooldown ends in %s",
                 bal__fmt_duration(vm->cooldown_until_s - s->p->now_s,
                                   d_after, sizeof(d_after)));
        break;
    case BAL__PL_FAIRNESS:
        if (e->victim >= 0)
            snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                     "fairness: %s would fall below the worst-off heavy "
                     "VM's share of its demand (%.3g; %.3g as the status "
                     "counts it)", s->in->vms[e->victim].name, s->hmin,
                     s->phmin);
        else
            snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                     "fairness: the 10th percentile of heavy VMs' shares "
                     "would fall below %.3g (%.3g as the status counts it)",
                     s->floor, s->pfloor);
        break;
    case BAL__PL_TRUST: {
        /* Whichever of its unit's VMs is trusted least (evalr's trust). */
        const bal__pl_vm *who = vm, *pt = rj->partner >= 0 ?
                                &s->in->vms[rj->partner] : NULL;

        if (pt && pt->trust > 0 && pt->trust < (vm->trust > 0 ? vm->trust : 1))
            who = pt;
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                 "low-trust: %s%s past moves gained %.2gx what was "
                 "predicted; it would pay at trust 1",
                 who == vm ? "its" : who->name, who == vm ? "" : "'s",
                 who->trust > 0 ? who->trust : 1);
        return;
    }
    default:
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n, "%s",
                 bal__pl_why_name(rj->why));
        break;
    }
    /* Its trust, wherever it played a part. */
    trust_text(vm, tt, sizeof(tt));
    n = (int)strlen(rj->detail);
    if (tt[0] && (size_t)n < sizeof(rj->detail))
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n, "; %s", tt);
}

/* Weighs r[0..n) and keeps it in *best when it would raise the utility
 * and nets more.  What its copies cost is reckoned only when it could
 * still be kept: that cost only lowers the net, so a unit whose gain
 * alone does not beat the best cannot (the result is the same unit,
 * with the same numbers, as weighing every one in full). */
static void keep_best(srch *s, const rel *r, int n, evalr *best, bool *found)
{
    evalr e;

    bal__pls_eval_gain(s, r, n, &e);
    if (!(e.du > 1e-12) || (*found && !(e.net > best->net))) return;
    bal__pls_eval_losses(s, &e);
    if (!*found || e.net > best->net) {
        *best = e;
        *found = true;
    }
}

/* Why v stays though it runs below its demand: its best unit among
 * those the search looks at (bal__pls_unit_hosts: moves and swaps, the
 * constraints, the gate and fairness aside, by net gain) and the first
 * thing that stops it.  Nothing is reported when no unit would raise the
 * cluster's utility. */
int bal__pls_explain(srch *s, int v)
{
    int hs[UNIT_HOSTS_MAX], pt[SWAP_PARTNERS_MAX], n, nc, i, j, np, nn;
    evalr best;
    bal__pl_reject rj;
    rel r[2];
    bool found = false, all;

    memset(&best, 0, sizeof(best));
    n = bal__pls_unit_hosts(s, v, hs, &nc);
    for (i = 1; i <= nc; i++) {
        r[0] = (rel){ v, hs[i] };
        keep_best(s, r, 1, &best, &found);
    }
    all = bal__pls_in_pair(s, v);
    for (i = 1; i < n; i++) {
        bool norm = bal__pls_swap_host(s, hs, nc, i);

        if (!norm) continue;
        np = bal__pls_partners(s, v, hs[i], norm, all, pt, &nn);
        for (j = 0; j < np; j++) {
            if (s->in->vms[pt[j]].pinned) continue;
            r[0] = (rel){ v, hs[i] };
            r[1] = (rel){ pt[j], s->host[v] };
            /* The rest of the partners only for a unit parting a pair,
             * as the search weighs them: told by the pair counts, before
             * the water-fills (most part none). */
            if (j < nn || bal__pls_unit_dpairs(s, r, 2) < 0)
                keep_best(s, r, 2, &best, &found);
        }
    }
    n = nc;
    memset(&rj, 0, sizeof(rj));
    rj.vm = v;
    rj.to = -1;
    rj.partner = -1;
    if (!found) {
        if (n > 0) return 0;
        rj.why = s->in->vms[v].pinned ? BAL__PL_PINNED : BAL__PL_NOHOST;
        reject_detail(s, &rj, &best);
        return bal__pls_add_reject(s, &rj);
    }
    rj.to = best.r[0].to;
    rj.partner = best.n > 1 ? best.r[1].v : -1;
    rj.gain = best.net;
    rj.gain_rate = best.rate;
    rj.loss = best.loss;
    rj.mig_s = best.T;
    rj.break_even_s = break_even(s->p, best.du, best.T, best.cost,
                                 best.n + (int)best.dpairs);
    i = bal__pls_unit_blocked(s, best.r, best.n, false);
    if (i >= 0) rj.why = (bal__pl_why)i;
    else if (!(best.net > 0))
        /* Believed in full it would pay: its trust stopped it. */
        rj.why = best.net + best.distrust > 0 ? BAL__PL_TRUST
                                              : BAL__PL_BREAKEVEN;
    else if (bal__pls_unfair(&best)) rj.why = BAL__PL_FAIRNESS;
    else return 0;          /* it pays: the search stopped short (a cap) */
    reject_detail(s, &rj, &best);
    return bal__pls_add_reject(s, &rj);
}

int bal__pls_explain_should(srch *s, int v)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    bal__pl_reject rj;

    if (!(vm->should_mask & ~s->in->hosts[s->host[v]].should_mask))
        return 0;
    memset(&rj, 0, sizeof(rj));
    rj.vm = v;
    rj.why = BAL__PL_SHOULD;
    rj.to = rj.partner = -1;
    snprintf(rj.detail, sizeof(rj.detail), "%s (%s): stays on %s, outside "
             "its should_run_on hosts: %s", vm->name,
             bal_load_type_name(vm->type), s->in->hosts[s->host[v]].name,
             vm->pinned ? "pinned" : "no move to one of them pays or fits");
    return bal__pls_add_reject(s, &rj);
}

/* ---- the plan's moves --------------------------------------------------- */

static void why_text(const srch *s, int v, int a, int b, int mate, bool evac,
                     char *buf, size_t size)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    const char *t = bal_load_type_name(vm->type);
    char res[64], tt[64];
    int na = 0, nb = 0, i, len;

    /* What its type shares: "cores", "disk path", "cores and disk path",
     * "NIC" (base/loadtype.c). */
    bal__load_type_what(vm->type, res, sizeof(res));

    /* Same-type neighbours where it was and where it goes, as the plan
     * starts and as it ends. */
    for (i = s->m->p0_first[a]; i < s->m->p0_first[a + 1]; i++) {
        int u = s->m->p0_list[i];

        if (u != v && s->in->vms[u].type == vm->type) na++;
    }
    for (i = 0; i < s->hl[b].n; i++) {
        int u = s->hl[b].v[i];

        if (u != v && s->in->vms[u].type == vm->type) nb++;
    }
    if (evac) {
        int n = snprintf(buf, size, s->in->hosts[a].drained
                         ? "%s (%s) evacuates drained %s to %s, beside %d "
                           "%s VM%s"
                         : "%s (%s) leaves %s, outside its must_run_on "
                           "hosts, for %s, beside %d %s VM%s",
                         vm->name, t, s->in->hosts[a].name,
                         s->in->hosts[b].name, nb, t, nb == 1 ? "" : "s");

        /* A should_run_on rule it cannot keep is said, not hidden. */
        if (n > 0 && (size_t)n < size &&
            (vm->should_mask & ~s->in->hosts[b].should_mask))
            snprintf(buf + n, size - (size_t)n, "; none of its "
                     "should_run_on hosts can take it");
    }
    else if (mate >= 0)
        snprintf(buf, size, "%s (%s) %s: %s shared with %d %s VM%s, %s with "
                 "%d; with %s (%s)", vm->name, t, s->in->hosts[a].name, res,
                 na, t, na == 1 ? "" : "s", s->in->hosts[b].name, nb,
                 s->in->vms[mate].name,
                 bal_load_type_name(s->in->vms[mate].type));
    else
        snprintf(buf, size, "%s (%s) %s: %s shared with %d %s VM%s, %s with "
                 "%d", vm->name, t, s->in->hosts[a].name, res, na, t,
                 na == 1 ? "" : "s", s->in->hosts[b].name, nb);
    /* It moves though its trust asked more of it: say so. */
    trust_text(vm, tt, sizeof(tt));
    len = (int)strlen(buf);
    if (tt[0] && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, "; %s", tt);
}

int bal__pls_emit_steps(srch *s)
{
    bal__pl_search_out *o = s->out;
    int n = s->ncorder, i;

    o->steps = calloc((size_t)n + 1, sizeof(*o->steps));
    if (!o->steps) return BAL_ENOMEM;
    o->capsteps = n;
    for (i = 0; i < n; i++) {
        const cent *c = &s->corder[i];
        const seqe *e = &s->seq[c->seq];
        bal__pl_step *st = &o->steps[o->nsteps++];
        int j, mate = -1, d;

        st->vm = c->v;
        st->from = c->from;
        st->to = c->to;
        st->unit = e->unit;
        st->evacuation = bal__pl_owed(s->in, c->v, c->from);
        st->gain = e->net;
        st->gain_rate = e->rate;
        st->du = e->du;
        st->break_even_s = st->evacuation ? INFINITY
                           : break_even(s->p, e->du, e->T, e->cost, e->n);
        bal__pl_move_cost(s->m, c->v, c->from, c->to, &st->cost);
        /* Its swap partner: the other VM of the same unit, whose step is
         * beside this one's (a unit's steps are taken one after the
         * other) and set where its migration goes too. */
        for (d = -1; d <= 1; d += 2) {
            j = c->seq + d;
            if (j >= 0 && j < s->nseq && s->seq[j].unit == e->unit &&
                s->nent[s->seq[j].v] > 0 &&
                s->corder[s->clast[s->seq[j].v]].seq == j)
                mate = s->seq[j].v;
        }
        why_text(s, c->v, c->from, c->to, mate, st->evacuation, st->reason,
                 sizeof(st->reason));
    }
    return 0;
}
