/*
 * planner_explain.c - what the search tells: the plan's moves with what
 * each unit adds to J and why it was made, and for every VM that runs
 * below its demand and stays, its best unit with the numbers and what
 * stopped it (doc/planner.md, "Constraints" and "Output").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner_search.h"

/* ---- rejections ----------------------------------------------------------- */

int bal__pls_add_reject(srch *s, const bal__pl_reject *rj)
{
    bal__pl_search_out *o = s->out;

    if (o->nrejects == o->caprejects) {
        int nc = o->caprejects ? o->caprejects * 2 : 16;
        bal__pl_reject *nr = realloc(o->rejects, (size_t)nc * sizeof(*nr));

        if (!nr) return BAL_ENOMEM;
        o->rejects = nr;
        o->caprejects = nc;
    }
    o->rejects[o->nrejects++] = *rj;
    return 0;
}

static double unit_T(const evalr *e)
{
    return e->n > 1 ? bal__dmax(e->c[0].pc.time_s, e->c[1].pc.time_s) : e->c[0].pc.time_s;
}

static double unit_loss(const evalr *e)
{
    return e->c[0].loss + (e->n > 1 ? e->c[1].loss : 0);
}

static void reject_detail(srch *s, bal__pl_reject *rj, const evalr *e)
{
    const bal__pl_vm *vm = &s->in->vms[rj->vm];
    char where[200];
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
                 "%s (%s): best %s: %+.3g/s after %.3g s, loss %.3g VM-s, "
                 "break-even %.3g s, counts %.3g s; ", vm->name,
                 bal_load_type_name(vm->type), where, e->rate, unit_T(e),
                 unit_loss(e), rj->break_even_s, s->m->w[rj->vm]);
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
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n,
                 "cooldown until %.0f s", vm->cooldown_until_s);
        break;
    default:
        snprintf(rj->detail + n, sizeof(rj->detail) - (size_t)n, "%s",
                 bal__pl_why_name(rj->why));
        break;
    }
}

/* Why v stays though it runs below its demand: its best unit (the
 * constraints and the gate aside: single moves and swaps) and what stops
 * it.  Nothing is reported when no unit would raise the throughput. */
int bal__pls_explain(srch *s, int v)
{
    int n, i, j;
    evalr e, best;
    bal__pl_reject rj;
    rel r[2];
    bool found = false;

    memset(&best, 0, sizeof(best));
    best.dj = -INFINITY;
    n = bal__pls_cand_hosts(s, v, s->hc, s->p->search_k);
    for (i = 0; i < n; i++) {
        int b = s->hc[i];
        const hlist *lb = &s->hl[b];

        for (j = -1; j < lb->n; j++) {
            int u = j < 0 ? -1 : lb->v[j];

            r[0] = (rel){ v, b };
            if (u >= 0) {
                if (s->in->hosts[s->host[v]].drained ||
                    !bal__pls_partner_ok(s, v, u, lb->n))
                    continue;
                r[1] = (rel){ u, s->host[v] };
            }
            bal__pls_eval_unit(s, r, u >= 0 ? 2 : 1, &e);
            if (e.rate > EPS_RATE && e.dj > best.dj) {
                best = e;
                found = true;
            }
        }
    }
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
    rj.gain = best.dj;
    rj.gain_rate = best.rate;
    rj.loss = unit_loss(&best);
    rj.mig_s = unit_T(&best);
    rj.break_even_s = best.rate > EPS_RATE
        ? rj.mig_s + (rj.loss + s->p->min_gain * best.n) / best.rate
        : INFINITY;
    i = bal__pls_unit_blocked(s, best.r, best.n, false, true);
    if (i >= 0) rj.why = (bal__pl_why)i;
    else if (best.dj <= s->eps) rj.why = BAL__PL_BREAKEVEN;
    else if (s->limited) rj.why = BAL__PL_MAXMOVES;
    else return 0;          /* it pays; a better unit took its place */
    reject_detail(s, &rj, &best);
    return bal__pls_add_reject(s, &rj);
}

/* ---- the plan's moves --------------------------------------------------- */

static void why_text(const srch *s, int v, int a, int b, int mate, bool evac,
                     char *buf, size_t size)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    const char *t = bal_load_type_name(vm->type);
    const char *res = vm->type == BAL_TYPE_CPU ? "cores" :
                      vm->type == BAL_TYPE_IO ? "disk path" :
                      vm->type == BAL_TYPE_MIXED ? "cores and disk path" :
                      "host";
    int na = 0, nb = 0, i;

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
    if (evac)
        snprintf(buf, size, "%s (%s) evacuates drained %s to %s, beside %d "
                 "%s VM%s", vm->name, t, s->in->hosts[a].name,
                 s->in->hosts[b].name, nb, t, nb == 1 ? "" : "s");
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
}

/* The live sequence as the plan's steps, each unit's numbers being what
 * it adds to the final plan: J with it against J with its VMs back where
 * they started. */
int bal__pls_emit_steps(srch *s)
{
    bal__pl_search_out *o = s->out;
    int i, j, n = 0;

    for (i = 0; i < s->nseq; i++) n += s->seq[i].alive;
    o->steps = calloc((size_t)n + 1, sizeof(*o->steps));
    if (!o->steps) return BAL_ENOMEM;
    o->capsteps = n;
    for (i = 0; i < s->nseq; i++) {
        const seqe *e = &s->seq[i];
        bal__pl_step *st;

        if (!e->alive) continue;
        st = &o->steps[o->nsteps++];
        st->vm = e->v;
        st->from = e->from;
        st->to = e->to;
        st->unit = e->unit;
        st->evacuation = e->evac;
        bal__pl_move_cost(s->m, e->v, e->from, e->to, &st->cost);
    }
    for (i = 0; i < o->nsteps; i = j) {
        rel r[2];
        evalr ev;
        int k, mate;

        for (j = i; j < o->nsteps && j < i + 2 && o->steps[j].unit == o->steps[i].unit; j++)
            r[j - i] = (rel){ o->steps[j].vm, o->steps[j].from };
        bal__pls_eval_unit(s, r, j - i, &ev);
        for (k = i; k < j; k++) {
            bal__pl_step *st = &o->steps[k];

            st->gain = -ev.dj;
            st->gain_rate = -ev.rate;
            mate = j - i > 1 ? o->steps[k == i ? i + 1 : i].vm : -1;
            why_text(s, st->vm, st->from, st->to, mate, st->evacuation,
                     st->reason, sizeof(st->reason));
        }
    }
    return 0;
}

