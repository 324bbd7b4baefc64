/*
 * planner_search.c - the planner's search: greedy best improvement of the
 * objective J (planner_cost.c) over units of relocations - a move; a
 * swap; a move that makes room by sending a VM of the destination on (a
 * chain); changing or undoing a planned move - with per-host scores
 * updated incrementally.  What it reports - each move's share of the
 * gain and reason, why a VM that could gain stays - is
 * planner_explain.c's.
 *
 * Phases (doc/planner.md, "Search"):
 *  1. evacuation: VMs on drained hosts, smallest first, each to its best
 *     host that can take it (owed, not gated);
 *  2. greedy: a priority queue of each candidate VM's best unit, popped
 *     best first; an entry whose hosts changed since it was weighed is
 *     weighed again (version stamps) and taken only if it still beats
 *     the queue; after each unit the VMs of the hosts it changed are
 *     weighed again; passes until one takes nothing;
 *  3. on clusters of at most TINY_H hosts and TINY_V VMs: best
 *     improvement over every unit of up to tiny_depth relocations;
 *  4. polish: planned moves that no longer pay are undone.
 * J only grows, so it ends.
 *
 * Scale: a VM's candidate destinations come from indexed heaps of hosts
 * by CPU and by disk load (the least loaded in its resources, and for
 * swaps the most loaded in the other one), search_k from each: no scan
 * of all hosts per VM.  On large clusters only VMs running below their
 * demand are candidates, and pairs are weighed only for a VM no single
 * move improves.
 *
 * Memory: the plan is kept as a sequence that fits step by step (each VM
 * at most once, straight to where it ends).  A new move goes at the end,
 * where the hosts are as the plan leaves them; changing a planned move
 * takes it out (allowed if its origin never needed the room it freed)
 * and appends the new one; plans of at most DPMAX moves may be reordered
 * afresh when that alone does not fit.  The wave builder relies on the
 * order.
 */
#define _GNU_SOURCE             /* qsort_r */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "uuidmap.h"

#include "planner_search.h"


/* ---- small containers ----------------------------------------------------- */

static int hl_add(hlist *l, int v, int *slot)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 4;
        int *nv = realloc(l->v, (size_t)nc * sizeof(int));

        if (!nv) return BAL_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    slot[v] = l->n;
    l->v[l->n++] = v;
    return 0;
}

static void hl_del(hlist *l, int v, int *slot)
{
    int i = slot[v], last = l->v[--l->n];

    l->v[i] = last;
    slot[last] = i;
    slot[v] = -1;
}

static double hkey(const hheap *h, int i)
{
    return h->sign * h->key[h->a[i]];
}

static void hswap(hheap *h, int i, int j)
{
    int t = h->a[i];

    h->a[i] = h->a[j];
    h->a[j] = t;
    h->pos[h->a[i]] = i;
    h->pos[h->a[j]] = j;
}

/* Ties go to the lower host index: the order is the same every run. */
static bool hless(const hheap *h, int i, int j)
{
    double a = hkey(h, i), b = hkey(h, j);

    return a < b || (a == b && h->a[i] < h->a[j]);
}

static void hdown(hheap *h, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, b = i;

        if (l < h->n && hless(h, l, b)) b = l;
        if (r < h->n && hless(h, r, b)) b = r;
        if (b == i) break;
        hswap(h, i, b);
        i = b;
    }
}

/* After h's key changed: up, or else down (a valid heap otherwise). */
static void hfix(hheap *h, int i)
{
    if (i > 0 && hless(h, i, (i - 1) / 2)) {
        while (i > 0 && hless(h, i, (i - 1) / 2)) {
            hswap(h, i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
        return;
    }
    for (;;) {
        int l = 2 * i + 1, r = l + 1, b = i;

        if (l < h->n && hless(h, l, b)) b = l;
        if (r < h->n && hless(h, r, b)) b = r;
        if (b == i) break;
        hswap(h, i, b);
        i = b;
    }
}

/* The k best hosts, best first, without disturbing the heap: a walk of
 * its tree keeping the frontier in a small array. */
static int htop(const hheap *h, int k, int *out)
{
    int fr[2 * MAX_K + 4], nf = 0, cnt = 0;

    if (h->n == 0) return 0;
    fr[nf++] = 0;
    while (cnt < k && nf > 0) {
        int b = 0, i, pos;

        for (i = 1; i < nf; i++)
            if (hless(h, fr[i], fr[b])) b = i;
        pos = fr[b];
        fr[b] = fr[--nf];
        out[cnt++] = h->a[pos];
        if (2 * pos + 1 < h->n) fr[nf++] = 2 * pos + 1;
        if (2 * pos + 2 < h->n) fr[nf++] = 2 * pos + 2;
    }
    return cnt;
}

static bool cand_better(const cand *a, const cand *b)
{
    int i;

    if (a->dj != b->dj) return a->dj > b->dj;
    if (a->n != b->n) return a->n < b->n;
    for (i = 0; i < a->n; i++) {
        if (a->r[i].v != b->r[i].v) return a->r[i].v < b->r[i].v;
        if (a->r[i].to != b->r[i].to) return a->r[i].to < b->r[i].to;
    }
    return false;
}

static int pq_push(srch *s, const cand *c)
{
    int i;

    if (s->npq == s->cappq) {
        int nc = s->cappq ? s->cappq * 2 : 64;
        cand *np = realloc(s->pq, (size_t)nc * sizeof(*np));

        if (!np) return BAL_ENOMEM;
        s->pq = np;
        s->cappq = nc;
    }
    i = s->npq++;
    s->pq[i] = *c;
    while (i > 0 && cand_better(&s->pq[i], &s->pq[(i - 1) / 2])) {
        cand t = s->pq[i];

        s->pq[i] = s->pq[(i - 1) / 2];
        s->pq[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static cand pq_pop(srch *s)
{
    cand top = s->pq[0];
    int i = 0;

    s->pq[0] = s->pq[--s->npq];
    for (;;) {
        int l = 2 * i + 1, r = l + 1, b = i;

        if (l < s->npq && cand_better(&s->pq[l], &s->pq[b])) b = l;
        if (r < s->npq && cand_better(&s->pq[r], &s->pq[b])) b = r;
        if (b == i) break;
        cand t = s->pq[i];
        s->pq[i] = s->pq[b];
        s->pq[b] = t;
        i = b;
    }
    return top;
}

static int hl_push(hlist *l, int x)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 4;
        int *nv = realloc(l->v, (size_t)nc * sizeof(int));

        if (!nv) return BAL_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = x;
    return 0;
}

/* ---- host state ----------------------------------------------------------- */

/* Host h's term of J holding list[0..n) from tau on, and the sum of its
 * working VMs' rates; rates into fr. */
static double host_eval(srch *s, int h, const int *list, int n, double tau,
                        double *fr, double *rate_r)
{
    const bal__pl_model *m = s->m;
    double sc = 0, rate = 0;
    int i;

    bal__pl_rates(s->m, h, list, n, 0, fr);
    for (i = 0; i < n; i++) {
        int v = list[i];
        double w = m->w[v];

        if (tau > 0) sc += m->f0[v] * bal__dmin(w, tau) + fr[i] * bal__dmax(0, w - tau);
        else sc += fr[i] * w;
        if (w > 0) rate += fr[i];
    }
    *rate_r = rate;
    return sc;
}

/* The longest migration touching h: when its new state starts. */
static double tau_of(const srch *s, int h)
{
    const hlist *t = &s->touch[h];
    double tau = 0;
    int i;

    for (i = 0; i < t->n; i++) tau = bal__dmax(tau, s->T[t->v[i]]);
    return tau;
}

static void host_loads(srch *s, int h)
{
    const bal__pl_model *m = s->m;
    const bal__pl_host *hp = &s->in->hosts[h];
    double P = hp->pcpus, cap = m->cap_io[h], c = 0, io = 0;
    int i;

    for (i = 0; i < s->hl[h].n; i++) {
        int v = s->hl[h].v[i];
        double d = bal__dmin(m->e[v], cap);

        c += s->in->vms[v].cpu + (s->p->iocpu + s->p->dom0cpu) * d / BAL__PL_MB;
        io += m->e[v];
    }
    s->load[R_CPU][h] = c / P;
    s->load[R_IO][h] = io / cap;
}

static void host_refresh(srch *s, int h)
{
    hlist *l = &s->hl[h];
    int i, k;

    s->S[h] = host_eval(s, h, l->v, l->n, tau_of(s, h), s->fa, &s->rcur[h]);
    for (i = 0; i < l->n; i++) s->fcur[l->v[i]] = s->fa[i];
    host_loads(s, h);
    for (k = 0; k < 4; k++)
        if (s->hp[k].pos[h] >= 0) hfix(&s->hp[k], s->hp[k].pos[h]);
    s->ver[h]++;
}

/* ---- feasibility ---------------------------------------------------------- */

/* Whether the plan may move v (again).  A VM whose move is already
 * planned may have it changed whatever its cooldown says: the plan
 * migrates it once either way. */
static bool movable(const srch *s, int v)
{
    const bal__pl_vm *vm = &s->in->vms[v];

    if (vm->pinned) return false;
    /* Off a drained host it must go, cooldown or not. */
    return bal__pls_moved(s, v) || s->in->hosts[s->host[v]].drained ||
           !(vm->cooldown_until_s > s->p->now_s);
}

/* Why VM v may not end on host b when the unit r[0..n) runs (others of
 * it leave b or come to it); -1: it may, memory aside.  Back to its
 * origin (an undone move) only anti-affinity applies, and only against
 * VMs the plan brings there.  Drained hosts are never offered. */
static int blocked(const srch *s, int v, int b, const rel *r, int n, bool evac)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    const hlist *l = &s->hl[b];
    bool home = b == s->p0[v];
    int i, k;

    if (!home) {
        if (vm->storage_mask & ~s->in->hosts[b].storage_mask) return BAL__PL_STORAGE;
        if (bal__pl_link(s->m, s->p0[v], b) <= 0) return BAL__PL_NOLINK;
        if (!evac && !s->in->hosts[s->p0[v]].drained)
            for (i = s->pp_first[v]; i < s->pp_first[v + 1]; i++)
                if (s->pp_list[i] == b) return BAL__PL_PINGPONG;
    }
    if (vm->anti_group < 0) return -1;
    /* Two of a group on one host by the plan's doing: unless both are
     * where they started. */
    for (i = 0; i < l->n; i++) {
        int u = l->v[i];

        if (u == v || s->in->vms[u].anti_group != vm->anti_group) continue;
        for (k = 0; k < n && r[k].v != u; k++) {}
        if (k < n && r[k].to != b) continue;
        if (home && s->p0[u] == b) continue;
        return BAL__PL_ANTI;
    }
    for (k = 0; k < n; k++) {
        int u = r[k].v;

        if (u == v || r[k].to != b || s->host[u] == b ||
            s->in->vms[u].anti_group != vm->anti_group)
            continue;
        if (home && s->p0[u] == b) continue;
        return BAL__PL_ANTI;
    }
    return -1;
}

static int add_host(int *hs, int n, int h)
{
    int i;

    for (i = 0; i < n; i++)
        if (hs[i] == h) return n;
    hs[n] = h;
    return n + 1;
}

/* Orders to try the new moves of a unit in. */
static const int perms[MAXREL + 1][6][MAXREL] = {
    { { 0 } },
    { { 0 } },
    { { 0, 1 }, { 1, 0 } },
    { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } },
    { { 0, 1, 2, 3 } },         /* beyond: order_dp */
};
static const int nperms[MAXREL + 1] = { 1, 1, 2, 6, 1 };

/* Whether relocating r[0..n) can be put in the sequence; order_r: the
 * order its new moves are appended in.  The planned moves of r's VMs
 * leave the sequence: each origin must then hold its VM from that point
 * on (its room was used by nobody after it left).  Then the new moves go
 * at the end, one after the other, where each must find room. */
static bool unit_fits(const srch *s, const rel *r, int n, int *order_r)
{
    int64_t fr[MAXHU];
    int hs[MAXHU], nhs = 0, i, j, k, o;

    for (i = 0; i < n; i++) {
        int v = r[i].v, org = s->p0[v];
        const hlist *l = &s->hseq[org];
        int64_t f = s->in->hosts[org].free_kb, sub = 0;

        if (!bal__pls_moved(s, v)) continue;
        /* Walk the origin's timeline; every departure from it that the
         * unit takes back keeps its memory from then on. */
        for (j = 0; j < l->n; j++) {
            const seqe *e = &s->seq[l->v[j]];

            if (!e->alive) continue;
            f += e->from == org ? bal__pls_mem_of(s, e->v) : -bal__pls_mem_of(s, e->v);
            for (k = 0; k < n; k++)
                if (bal__pls_moved(s, r[k].v) && s->stepi[r[k].v] == l->v[j] &&
                    s->p0[r[k].v] == org)
                    sub += bal__pls_mem_of(s, r[k].v);
            if (f - sub < 0) return false;
        }
    }
    for (i = 0; i < n; i++) {
        int v = r[i].v;

        nhs = add_host(hs, nhs, s->host[v]);
        nhs = add_host(hs, nhs, s->p0[v]);
        nhs = add_host(hs, nhs, r[i].to);
    }
    for (o = 0; o < nperms[n]; o++) {
        bool ok = true;

        /* The hosts as the plan leaves them, r's planned moves gone. */
        for (k = 0; k < nhs; k++) fr[k] = s->free_kb[hs[k]];
        for (i = 0; i < n; i++) {
            int v = r[i].v;

            if (!bal__pls_moved(s, v)) continue;
            for (k = 0; hs[k] != s->host[v]; k++) {}
            fr[k] += bal__pls_mem_of(s, v);
            for (k = 0; hs[k] != s->p0[v]; k++) {}
            fr[k] -= bal__pls_mem_of(s, v);
        }
        for (j = 0; j < n && ok; j++) {
            const rel *x = &r[perms[n][o][j]];
            int kt, ko;

            if (x->to == s->p0[x->v]) continue;
            for (kt = 0; hs[kt] != x->to; kt++) {}
            for (ko = 0; hs[ko] != s->p0[x->v]; ko++) {}
            if (fr[kt] < bal__pls_mem_of(s, x->v)) ok = false;
            fr[kt] -= bal__pls_mem_of(s, x->v);
            fr[ko] += bal__pls_mem_of(s, x->v);
        }
        if (ok) {
            for (j = 0; j < n; j++) order_r[j] = perms[n][o][j];
            return true;
        }
    }
    return false;
}

#define DPMAX 12                /* plans this small get an exact order */

/* When keeping the sequence's order is not enough: whether the plan with
 * r applied has any order that fits, by dynamic programming over the
 * sets of moves done (exact; plans of at most DPMAX moves).  order_r:
 * the VMs in an order that fits. */
static bool order_dp(const srch *s, const rel *r, int n, int *order_r, int *m_r)
{
    int mv[DPMAX], dst[DPMAX], hs[2 * DPMAX], hsrc[DPMAX], hdst[DPMAX];
    int m = 0, nhs = 0, i, k, v;
    unsigned S, full;
    static __thread unsigned char ok[1 << DPMAX];
    static __thread signed char par[1 << DPMAX];
    int64_t fr[2 * DPMAX];

    for (i = 0; i < s->nseq; i++) {
        const seqe *e = &s->seq[i];

        if (!e->alive) continue;
        for (k = 0; k < n && r[k].v != e->v; k++) {}
        if (k < n) continue;
        if (m == DPMAX) return false;
        mv[m] = e->v;
        dst[m++] = e->to;
    }
    for (k = 0; k < n; k++) {
        if (r[k].to == s->p0[r[k].v]) continue;
        if (m == DPMAX) return false;
        mv[m] = r[k].v;
        dst[m++] = r[k].to;
    }
    for (i = 0; i < m; i++) {
        nhs = add_host(hs, nhs, s->p0[mv[i]]);
        nhs = add_host(hs, nhs, dst[i]);
        for (hsrc[i] = 0; hs[hsrc[i]] != s->p0[mv[i]]; hsrc[i]++) {}
        for (hdst[i] = 0; hs[hdst[i]] != dst[i]; hdst[i]++) {}
    }
    full = (1u << m) - 1;
    memset(ok, 0, (size_t)full + 1);
    ok[0] = 1;
    for (S = 0; S <= full; S++) {
        if (!ok[S]) continue;
        for (k = 0; k < nhs; k++) fr[k] = s->in->hosts[hs[k]].free_kb;
        for (i = 0; i < m; i++)
            if (S >> i & 1) {
                fr[hdst[i]] -= bal__pls_mem_of(s, mv[i]);
                fr[hsrc[i]] += bal__pls_mem_of(s, mv[i]);
            }
        for (i = 0; i < m; i++)
            if (!(S >> i & 1) && !ok[S | 1u << i] &&
                fr[hdst[i]] >= bal__pls_mem_of(s, mv[i])) {
                ok[S | 1u << i] = 1;
                par[S | 1u << i] = (signed char)i;
            }
    }
    if (!ok[full]) return false;
    for (S = full, k = m - 1; S; k--) {
        v = par[S];
        order_r[k] = mv[v];
        S &= ~(1u << v);
    }
    *m_r = m;
    return true;
}

/* Whether the unit can join the plan: in the sequence's order, or in one
 * found afresh (then *reseq_r, the order in order_r). */
static bool unit_ok(const srch *s, const rel *r, int n, int *order, bool *reseq_r,
                    int *dp_order, int *dp_m)
{
    *reseq_r = false;
    if (unit_fits(s, r, n, order)) return true;
    if (!order_dp(s, r, n, dp_order, dp_m)) return false;
    *reseq_r = true;
    return true;
}

/* ---- evaluation ----------------------------------------------------------- */

/* What a planned move of v to `to' takes off J: the work it costs, and
 * min_gain, the gain each migration must bring beyond that. */
static double charge(const srch *s, int v, int to, const bal__pl_cost *c)
{
    return to == s->p0[v] ? 0 : c->loss + s->p->min_gain;
}

/* J's change if the VMs of r go where r says. */
void bal__pls_eval_unit(srch *s, const rel *r, int n, evalr *out)
{
    int i, j, k;

    out->n = n;
    out->dj = 0;
    out->rate = 0;
    out->nhost = 0;
    for (i = 0; i < n; i++) {
        int v = r[i].v;

        out->r[i] = r[i];
        out->nhost = add_host(out->host, out->nhost, s->host[v]);
        out->nhost = add_host(out->host, out->nhost, r[i].to);
        out->nhost = add_host(out->host, out->nhost, s->p0[v]);
        memset(&out->c[i], 0, sizeof(out->c[i]));
        if (r[i].to != s->p0[v])
            bal__pl_move_cost(s->m, v, s->p0[v], r[i].to, &out->c[i]);
        out->dj -= charge(s, v, r[i].to, &out->c[i]) - s->loss[v];
    }
    for (k = 0; k < out->nhost; k++) {
        int h = out->host[k], na = 0;
        const hlist *l = &s->hl[h], *t = &s->touch[h];
        double tau = 0, sc, rate;

        for (j = 0; j < l->n; j++) {
            int u = l->v[j];

            for (i = 0; i < n && r[i].v != u; i++) {}
            if (i == n) s->ta[na++] = u;
        }
        for (i = 0; i < n; i++)
            if (r[i].to == h) s->ta[na++] = r[i].v;
        for (j = 0; j < t->n; j++) {
            int u = t->v[j];

            for (i = 0; i < n && r[i].v != u; i++) {}
            if (i == n) tau = bal__dmax(tau, s->T[u]);
        }
        for (i = 0; i < n; i++)
            if (r[i].to != s->p0[r[i].v] && (h == r[i].to || h == s->p0[r[i].v]))
                tau = bal__dmax(tau, out->c[i].pc.time_s);
        sc = host_eval(s, h, s->ta, na, tau, s->fa, &rate);
        out->dj += sc - s->S[h];
        out->rate += rate - s->rcur[h];
    }
    out->key = out->dj;
    for (i = 0; i < n; i++) {
        if (s->in->hosts[s->host[r[i].v]].drained) out->key += s->big;
        if (s->in->hosts[r[i].to].drained) out->key -= s->big;
    }
}

/* Candidate destinations of v into hc: every host when there are few,
 * else the least loaded in v's resources and, for swaps, the most loaded
 * in the other one; with its origin if its move is planned (to undo it).
 * Drained hosts and v's own are never among them. */
int bal__pls_cand_hosts(srch *s, int v, int *hc, int k)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    int n = 0, i, j, got, tmp[MAX_K + 1];

    if (k > MAX_K) k = MAX_K;
    if (k < 1) k = 1;
    if (s->nh <= SMALL_H) {
        for (i = 0; i < s->nh; i++)
            if (i != s->host[v] && (!s->in->hosts[i].drained ||
                                    (bal__pls_moved(s, v) && i == s->p0[v])))
                hc[n++] = i;
        return n;
    }
    for (j = 0; j < 4; j++) {
        bool want;

        switch (j) {
        case 0: want = bal__pl_uses_cpu(vm) || vm->type == BAL_TYPE_IDLE; break;
        case 1: want = bal__pl_uses_io(vm); break;
        case 2: want = vm->type == BAL_TYPE_IO; break;
        default: want = vm->type == BAL_TYPE_CPU; break;
        }
        if (!want) continue;
        got = htop(&s->hp[j], k + 1, tmp);
        for (i = 0; i < got; i++) {
            int h = tmp[i];

            if (h == s->host[v] || s->mark[h]) continue;
            s->mark[h] = 1;
            hc[n++] = h;
        }
    }
    if (bal__pls_moved(s, v) && !s->mark[s->p0[v]]) {
        s->mark[s->p0[v]] = 1;
        hc[n++] = s->p0[v];
    }
    for (i = 0; i < n; i++) s->mark[hc[i]] = 0;
    return n;
}

/* Whether u (on v's destination) is worth weighing as the one that makes
 * room for v: every VM there on small clusters; else a VM of another
 * type that is itself short of its demand. */
bool bal__pls_partner_ok(const srch *s, int v, int u, int nb)
{
    if (!movable(s, u)) return false;
    if (nb <= SMALL_N && s->nh <= TINY_H) return true;
    return s->in->vms[u].type != s->in->vms[v].type && s->fcur[u] < 1 - 1e-9;
}

/* Moves beyond the plan's present count a unit adds. */
static int unit_moves(const srch *s, const rel *r, int n)
{
    int i, d = 0;

    for (i = 0; i < n; i++) {
        bool was = bal__pls_moved(s, r[i].v), will = r[i].to != s->p0[r[i].v];

        d += (will ? 1 : 0) - (was ? 1 : 0);
    }
    return d;
}

/* Every constraint on a unit but the gate (and memory unless `mem');
 * -1: it may run. */
int bal__pls_unit_blocked(srch *s, const rel *r, int n, bool evac, bool mem)
{
    int i, why, order[MAXREL], dpo[DPMAX], dpm;
    bool reseq;

    for (i = 0; i < n; i++) {
        int v = r[i].v;

        if (s->in->vms[v].pinned) return i ? BAL__PL_PARTNER : BAL__PL_PINNED;
        if (!evac && !movable(s, v)) return i ? BAL__PL_PARTNER : BAL__PL_COOLDOWN;
        why = blocked(s, v, r[i].to, r, n, evac);
        if (why >= 0) return i ? BAL__PL_PARTNER : why;
    }
    if (unit_moves(s, r, n) > s->budget) return BAL__PL_MAXMOVES;
    if (mem && !unit_ok(s, r, n, order, &reseq, dpo, &dpm)) return BAL__PL_MEMORY;
    return -1;
}

static void consider(srch *s, const rel *r, int n, cand *best)
{
    evalr e;
    int k, order[MAXREL], dpo[DPMAX], dpm;
    bool reseq;

    if (bal__pls_unit_blocked(s, r, n, false, false) >= 0) return;
    bal__pls_eval_unit(s, r, n, &e);
    if (e.key <= best->dj || !unit_ok(s, r, n, order, &reseq, dpo, &dpm)) return;
    best->dj = e.key;
    best->n = n;
    for (k = 0; k < MAXREL; k++) best->r[k] = k < n ? r[k] : (rel){ -1, -1 };
    best->nhost = e.nhost;
    for (k = 0; k < e.nhost; k++) {
        best->host[k] = e.host[k];
        best->ver[k] = s->ver[e.host[k]];
    }
}

/* v's best unit by J, every constraint respected. */
static void best_cand(srch *s, int v, cand *best)
{
    int n, i, j, c, nc;
    rel r[2];

    memset(best, 0, sizeof(*best));
    best->dj = -INFINITY;
    best->r[0].v = v;
    if (!movable(s, v)) return;
    n = bal__pls_cand_hosts(s, v, s->hc, s->p->search_k);
    for (i = 0; i < n; i++) {
        r[0] = (rel){ v, s->hc[i] };
        consider(s, r, 1, best);
    }
    /* Pairs: v to b with a VM of b leaving for v's host (a swap) or, on
     * tiny clusters, for any other host (a chain).  On large clusters
     * only when no single move gains: there, room is rarely so short
     * that a swap must do what a move cannot. */
    if (s->nh > SMALL_H && best->dj > s->eps) return;
    for (i = 0; i < n; i++) {
        int b = s->hc[i];
        const hlist *lb = &s->hl[b];

        r[0] = (rel){ v, b };
        for (j = 0; j < lb->n; j++) {
            int u = lb->v[j];

            if (!bal__pls_partner_ok(s, v, u, lb->n)) continue;
            r[1] = (rel){ u, s->host[v] };
            if (!s->in->hosts[s->host[v]].drained || s->host[v] == s->p0[u])
                consider(s, r, 2, best);
            if (s->nh > TINY_H) continue;
            nc = bal__pls_cand_hosts(s, u, s->hc2, s->p->search_k);
            for (c = 0; c < nc; c++) {
                if (s->hc2[c] == s->host[v]) continue;
                r[1] = (rel){ u, s->hc2[c] };
                consider(s, r, 2, best);
            }
        }
    }
}

static bool cand_fresh(const srch *s, const cand *c)
{
    int k;

    for (k = 0; k < c->nhost; k++)
        if (s->ver[c->host[k]] != c->ver[k]) return false;
    return true;
}

/* ---- applying a unit ------------------------------------------------------ */

static int seq_add(srch *s, int v, int to, int unit, bool evac)
{
    seqe *e;
    int rc;

    if (s->nseq == s->capseq) {
        int nc = s->capseq ? s->capseq * 2 : 16;
        seqe *ns = realloc(s->seq, (size_t)nc * sizeof(*ns));

        if (!ns) return BAL_ENOMEM;
        s->seq = ns;
        s->capseq = nc;
    }
    e = &s->seq[s->nseq];
    *e = (seqe){ v, s->p0[v], to, unit, true,
                 evac || s->in->hosts[s->p0[v]].drained };
    if ((rc = hl_push(&s->hseq[s->p0[v]], s->nseq))) return rc;
    if ((rc = hl_push(&s->hseq[to], s->nseq))) return rc;
    s->stepi[v] = s->nseq++;
    return 0;
}

/* v from where the plan has it to `to'; c: its new cost. */
static int relocate(srch *s, int v, int to, const bal__pl_cost *c, bool evac)
{
    int a = s->host[v], o = s->p0[v], rc;

    if (bal__pls_moved(s, v)) {
        s->seq[s->stepi[v]].alive = false;
        s->stepi[v] = -1;
        hl_del(&s->touch[a], v, s->tslot1);
        if (to == o) hl_del(&s->touch[o], v, s->tslot0);
    } else if ((rc = hl_add(&s->touch[o], v, s->tslot0))) {
        return rc;
    }
    hl_del(&s->hl[a], v, s->slot);
    if ((rc = hl_add(&s->hl[to], v, s->slot))) return rc;
    s->host[v] = to;
    s->free_kb[a] += bal__pls_mem_of(s, v);
    s->free_kb[to] -= bal__pls_mem_of(s, v);
    s->T[v] = 0;
    s->loss[v] = 0;
    if (to != o) {
        if ((rc = hl_add(&s->touch[to], v, s->tslot1))) return rc;
        s->T[v] = c->pc.time_s;
        s->loss[v] = charge(s, v, to, c);
        if ((rc = seq_add(s, v, to, s->unit, evac))) return rc;
    }
    return 0;
}

static int apply_unit(srch *s, const rel *r, int n, bool evac)
{
    evalr e;
    int order[MAXREL], dpo[DPMAX], dpm = 0, unit[DPMAX], i, k, rc;
    bool reseq, ev[DPMAX];

    bal__pls_eval_unit(s, r, n, &e);
    if (!unit_ok(s, r, n, order, &reseq, dpo, &dpm)) return BAL_EINVAL;
    s->budget -= unit_moves(s, r, n);
    for (k = 0; k < n; k++) {
        i = reseq ? k : order[k];
        if ((rc = relocate(s, r[i].v, r[i].to, &e.c[i], evac))) return rc;
    }
    if (reseq) {
        /* The plan in the order found: each move keeps its unit. */
        for (k = 0; k < dpm; k++) {
            const seqe *x = &s->seq[s->stepi[dpo[k]]];

            unit[k] = x->unit;
            ev[k] = x->evac;
        }
        for (k = 0; k < s->nseq; k++) s->seq[k].alive = false;
        for (k = 0; k < dpm; k++)
            if ((rc = seq_add(s, dpo[k], s->host[dpo[k]], unit[k], ev[k])))
                return rc;
    }
    s->unit++;
    for (k = 0; k < e.nhost; k++) host_refresh(s, e.host[k]);
    return 0;
}

/* ---- the phases ----------------------------------------------------------- */

static int cmp_mem_asc(const void *a, const void *b, void *arg)
{
    const srch *s = arg;
    int x = *(const int *)a, y = *(const int *)b;
    uint64_t mx = s->in->vms[x].mem_kb, my = s->in->vms[y].mem_kb;

    if (mx != my) return mx < my ? -1 : 1;
    return x - y;
}

/* Drained hosts first: each VM on one goes where J is best among the
 * hosts that can take it, smallest first (when not all fit, as many as
 * can); the gate does not apply, the move is owed.  The search after
 * may still trade which ones go. */
static int evacuate(srch *s)
{
    int *list = NULL, n = 0, i, j, rc = 0;

    list = malloc(((size_t)s->nv + 1) * sizeof(int));
    if (!list) return BAL_ENOMEM;
    for (i = 0; i < s->nv; i++)
        if (s->in->hosts[s->host[i]].drained) list[n++] = i;
    qsort_r(list, (size_t)n, sizeof(int), cmp_mem_asc, s);
    for (i = 0; i < n; i++) {
        int v = list[i], nc, bestb = -1, why_n[BAL__PL_NWHY] = { 0 }, top = -1;
        double bestdj = -INFINITY;
        evalr e;
        bal__pl_reject rj;
        bool all = false;
        rel r;

        memset(&rj, 0, sizeof(rj));
        rj.vm = v;
        rj.to = -1;
        rj.partner = -1;
        if (s->in->vms[v].pinned) {
            rj.why = BAL__PL_PINNED;
            snprintf(rj.detail, sizeof(rj.detail), "%s (%s): pinned on "
                     "drained %s", s->in->vms[v].name,
                     bal_load_type_name(s->in->vms[v].type),
                     s->in->hosts[s->host[v]].name);
            if ((rc = bal__pls_add_reject(s, &rj))) goto out;
            continue;
        }
        if (s->budget < 1) {
            rj.why = BAL__PL_MAXMOVES;
            snprintf(rj.detail, sizeof(rj.detail), "%s (%s): on drained %s, "
                     "no moves left", s->in->vms[v].name,
                     bal_load_type_name(s->in->vms[v].type),
                     s->in->hosts[s->host[v]].name);
            if ((rc = bal__pls_add_reject(s, &rj))) goto out;
            continue;
        }
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

                r = (rel){ v, b };
                why = blocked(s, v, b, &r, 1, true);

                if (why < 0 && s->free_kb[b] < bal__pls_mem_of(s, v)) why = BAL__PL_MEMORY;
                if (why >= 0) {
                    why_n[why]++;
                    continue;
                }
                r = (rel){ v, b };
                bal__pls_eval_unit(s, &r, 1, &e);
                if (e.dj > bestdj) {
                    bestdj = e.dj;
                    bestb = b;
                }
            }
            /* The indexes offer the least loaded hosts; when none of those
             * can take it, every host is asked before giving up. */
            if (bestb >= 0 || all || s->nh <= SMALL_H) break;
            all = true;
            memset(why_n, 0, sizeof(why_n));
        }
        if (bestb < 0) {
            for (j = 0; j < BAL__PL_NWHY; j++)
                if (why_n[j] > 0 && (top < 0 || why_n[j] > why_n[top])) top = j;
            rj.why = top >= 0 ? (bal__pl_why)top : BAL__PL_NOHOST;
            snprintf(rj.detail, sizeof(rj.detail), "%s (%s): no host can take "
                     "it off drained %s: %d memory, %d storage, %d "
                     "anti-affinity, %d no-link", s->in->vms[v].name,
                     bal_load_type_name(s->in->vms[v].type),
                     s->in->hosts[s->host[v]].name, why_n[BAL__PL_MEMORY],
                     why_n[BAL__PL_STORAGE], why_n[BAL__PL_ANTI],
                     why_n[BAL__PL_NOLINK]);
            if ((rc = bal__pls_add_reject(s, &rj))) goto out;
            continue;
        }
        r = (rel){ v, bestb };
        if ((rc = apply_unit(s, &r, 1, true))) goto out;
    }
out:
    free(list);
    return rc;
}

static int push_best(srch *s, int v)
{
    cand c;

    best_cand(s, v, &c);
    /* Older entries of v are dropped when they come up. */
    c.gen = ++s->gen[v];
    if (c.dj > s->eps) return pq_push(s, &c);
    return 0;
}

/* On large clusters, the VMs worth a look: those that run below their
 * demand (the ones that contend, and whose move relieves the others) and
 * those on drained hosts. */
static bool wants_out(const srch *s, int v)
{
    return (s->m->w[v] > 0 && s->fcur[v] < 1 - 1e-9) ||
           s->in->hosts[s->host[v]].drained;
}

/* A popped entry whose hosts changed: its own unit weighed again; if it
 * still beats every other entry it is taken as it is, else v's best is
 * looked for afresh. */
static bool still_best(srch *s, cand *c)
{
    evalr e;
    int k;

    if (bal__pls_unit_blocked(s, c->r, c->n, false, true) >= 0) return false;
    bal__pls_eval_unit(s, c->r, c->n, &e);
    if (!(e.key > s->eps)) return false;
    if (s->npq > 0 && s->pq[0].dj > e.key) return false;
    c->dj = e.key;
    c->nhost = e.nhost;
    for (k = 0; k < e.nhost; k++) {
        c->host[k] = e.host[k];
        c->ver[k] = s->ver[e.host[k]];
    }
    return true;
}

static int greedy(srch *s)
{
    int pass, v, rc = 0;
    long applied_total = 0, cap = 20L * s->nv + 100;
    bool small = s->nh <= SMALL_H && s->nv <= 64;

    for (pass = 0; pass < MAX_PASSES; pass++) {
        int applied = 0;

        s->out->passes = pass + 1;
        s->npq = 0;
        for (v = 0; v < s->nv; v++) {
            if (!movable(s, v)) continue;
            if (!small && !wants_out(s, v)) continue;
            if ((rc = push_best(s, v))) return rc;
        }
        while (s->npq > 0) {
            cand c = pq_pop(s);
            int hs[MAXHU], nhs, k, i;

            if (c.gen != s->gen[c.r[0].v]) continue;
            if (!cand_fresh(s, &c) ? !still_best(s, &c)
                                   : bal__pls_unit_blocked(s, c.r, c.n, false, true) >= 0) {
                if ((rc = push_best(s, c.r[0].v))) return rc;
                continue;
            }
            if ((rc = apply_unit(s, c.r, c.n, false))) return rc;
            applied++;
            if (++applied_total >= cap) {
                s->limited = true;
                return 0;
            }
            /* Who shares the changed hosts now has other prospects. */
            nhs = c.nhost;
            memcpy(hs, c.host, sizeof(hs));
            for (k = 0; k < nhs; k++)
                for (i = 0; i < s->hl[hs[k]].n; i++) {
                    int u = s->hl[hs[k]].v[i];

                    if (movable(s, u) && (small || wants_out(s, u)) &&
                        (rc = push_best(s, u)))
                        return rc;
                }
        }
        if (!applied) return 0;
    }
    /* Stopped by the pass limit, not by running out of gains. */
    s->limited = true;
    return 0;
}

/* Moves that, with the plan as it ended, no longer pay are undone (a
 * later move may have done their work): J only grows. */
static int polish(srch *s)
{
    int round, i, rc, undone;

    for (round = 0; round < 8; round++) {
        undone = 0;
        for (i = 0; i < s->nseq; i++) {
            const seqe *e = &s->seq[i];
            rel r;
            evalr ev;

            if (!e->alive || !movable(s, e->v)) continue;
            r = (rel){ e->v, e->from };
            if (bal__pls_unit_blocked(s, &r, 1, false, true) >= 0) continue;
            bal__pls_eval_unit(s, &r, 1, &ev);
            if (!(ev.key > s->eps)) continue;
            if ((rc = apply_unit(s, &r, 1, false))) return rc;
            undone++;
        }
        if (!undone) break;
    }
    return 0;
}

/* Small clusters (at most TINY_H hosts and TINY_V VMs): once the greedy
 * is done, best improvement over every unit of up to MAXREL relocations
 * of any movable VMs to any hosts, until none gains.  This reaches what
 * single moves and pairs cannot: three-way rotations, and trading one
 * planned swap for another. */
static void widen_rec(srch *s, const int *mv, int nm, int from, rel *r, int n,
                      int depth, cand *best)
{
    int i, h;

    if (n > 0) consider(s, r, n, best);
    if (n == depth) return;
    for (i = from; i < nm; i++) {
        int v = mv[i];

        for (h = 0; h < s->nh; h++) {
            if (h == s->host[v] || (s->in->hosts[h].drained && h != s->p0[v]))
                continue;
            r[n] = (rel){ v, h };
            widen_rec(s, mv, nm, i + 1, r, n + 1, depth, best);
        }
    }
}

/* Units of up to k relocations of nm VMs over nh hosts. */
static double units_upto(int nm, int nh, int k)
{
    double t = 0, c = 1;
    int i;

    for (i = 1; i <= k; i++) {
        c = c * (nm - i + 1) / i;
        t += c * pow(nh - 1, i);
    }
    return t;
}

static int widen(srch *s)
{
    int mv[TINY_V], nm = 0, v, iter, rc, depth;
    rel r[MAXREL];
    cand best;

    for (iter = 0; iter < 100 * TINY_V; iter++) {
        nm = 0;
        for (v = 0; v < s->nv; v++)
            if (movable(s, v)) mv[nm++] = v;
        /* As deep as WIDEN_EVALS evaluations a round allow. */
        depth = s->p->tiny_depth < MAXREL ? s->p->tiny_depth : MAXREL;
        while (depth > 1 && units_upto(nm, s->nh, depth) > WIDEN_EVALS) depth--;
        if (depth < 1) return 0;
        memset(&best, 0, sizeof(best));
        best.dj = -INFINITY;
        widen_rec(s, mv, nm, 0, r, 0, depth, &best);
        if (!(best.dj > s->eps)) return 0;
        if ((rc = apply_unit(s, best.r, best.n, false))) return rc;
    }
    s->limited = true;
    return 0;
}

/* ---- setup ---------------------------------------------------------------- */

static int pingpong_index(srch *s)
{
    const bal__pl_input *in = s->in;
    bal__uuidmap vmap, hmap;
    int i, sweep, rc = 0, *cnt = NULL;

    bal__uuidmap_init(&vmap);
    bal__uuidmap_init(&hmap);
    s->pp_first = calloc((size_t)s->nv + 2, sizeof(int));
    s->pp_list = calloc((size_t)in->nhistory + 1, sizeof(int));
    cnt = calloc((size_t)s->nv + 1, sizeof(int));
    if (!s->pp_first || !s->pp_list || !cnt) { rc = BAL_ENOMEM; goto out; }
    if (in->nhistory == 0) goto out;
    for (i = 0; i < s->nv; i++)
        if ((rc = bal__uuidmap_put(&vmap, in->vms[i].uuid, i))) goto out;
    for (i = 0; i < s->nh; i++)
        if ((rc = bal__uuidmap_put(&hmap, in->hosts[i].name, i))) goto out;
    /* Two sweeps over the history: count, then fill.  An entry counts
     * when it is recent and brought the VM to where it is now: going
     * back to where it came from would undo it. */
    for (sweep = 0; sweep < 2; sweep++) {
        for (i = 0; i < in->nhistory; i++) {
            const bal__pl_history *e = &in->history[i];
            int v = bal__uuidmap_get(&vmap, e->uuid), from;

            if (v < 0 || e->time_s < s->p->now_s - s->p->pingpong_s) continue;
            if (strcmp(e->to, in->hosts[in->vms[v].host].name)) continue;
            from = bal__uuidmap_get(&hmap, e->from);
            if (from < 0) continue;
            if (sweep == 0) s->pp_first[v + 1]++;
            else s->pp_list[s->pp_first[v] + cnt[v]++] = from;
        }
        if (sweep == 0)
            for (i = 0; i < s->nv; i++) s->pp_first[i + 1] += s->pp_first[i];
    }
out:
    free(cnt);
    bal__uuidmap_dispose(&vmap);
    bal__uuidmap_dispose(&hmap);
    return rc;
}

static void srch_dispose(srch *s)
{
    int i, k;

    for (i = 0; i < s->nh; i++) {
        if (s->hl) free(s->hl[i].v);
        if (s->touch) free(s->touch[i].v);
        if (s->hseq) free(s->hseq[i].v);
    }
    free(s->hl);
    free(s->touch);
    free(s->hseq);
    free(s->p0);
    free(s->host);
    free(s->slot);
    free(s->tslot0);
    free(s->tslot1);
    free(s->T);
    free(s->loss);
    free(s->S);
    free(s->fcur);
    free(s->rcur);
    free(s->free_kb);
    free(s->ver);
    free(s->load[0]);
    free(s->load[1]);
    for (k = 0; k < 4; k++) {
        free(s->hp[k].a);
        free(s->hp[k].pos);
    }
    free(s->pq);
    free(s->pp_first);
    free(s->pp_list);
    free(s->seq);
    free(s->stepi);
    free(s->ta);
    free(s->fa);
    free(s->hc);
    free(s->hc2);
    free(s->mark);
    free(s->gen);
}

static int srch_init(srch *s, bal__pl_model *m, bal__pl_search_out *out)
{
    const bal__pl_input *in = m->in;
    size_t nh = (size_t)m->nh + 1, nv = (size_t)m->nv + 2;
    double wsum = 0;
    int i, k, rc;

    memset(s, 0, sizeof(*s));
    s->m = m;
    s->in = in;
    s->p = &in->params;
    s->nh = m->nh;
    s->nv = m->nv;
    s->out = out;
    s->budget = s->p->max_moves < 0 ? INT_MAX : s->p->max_moves;
    s->hl = calloc(nh, sizeof(*s->hl));
    s->touch = calloc(nh, sizeof(*s->touch));
    s->hseq = calloc(nh, sizeof(*s->hseq));
    s->p0 = calloc(nv, sizeof(int));
    s->host = calloc(nv, sizeof(int));
    s->slot = calloc(nv, sizeof(int));
    s->tslot0 = calloc(nv, sizeof(int));
    s->tslot1 = calloc(nv, sizeof(int));
    s->T = calloc(nv, sizeof(double));
    s->loss = calloc(nv, sizeof(double));
    s->S = calloc(nh, sizeof(double));
    s->fcur = calloc(nv, sizeof(double));
    s->rcur = calloc(nh, sizeof(double));
    s->free_kb = calloc(nh, sizeof(int64_t));
    s->ver = calloc(nh, sizeof(uint32_t));
    s->load[0] = calloc(nh, sizeof(double));
    s->load[1] = calloc(nh, sizeof(double));
    s->stepi = calloc(nv, sizeof(int));
    s->ta = calloc(nv, sizeof(int));
    s->fa = calloc(nv, sizeof(double));
    s->hc = calloc(nh, sizeof(int));
    s->hc2 = calloc(nh, sizeof(int));
    s->mark = calloc(nh, 1);
    s->gen = calloc(nv, sizeof(uint32_t));
    if (!s->gen || !s->hl || !s->touch || !s->hseq || !s->p0 || !s->host || !s->slot ||
        !s->tslot0 || !s->tslot1 || !s->T || !s->loss || !s->S || !s->fcur ||
        !s->rcur || !s->free_kb || !s->ver || !s->load[0] || !s->load[1] ||
        !s->stepi || !s->ta || !s->fa || !s->hc || !s->hc2 || !s->mark)
        return BAL_ENOMEM;
    for (k = 0; k < 4; k++) {
        s->hp[k].a = calloc(nh, sizeof(int));
        s->hp[k].pos = calloc(nh, sizeof(int));
        if (!s->hp[k].a || !s->hp[k].pos) return BAL_ENOMEM;
        s->hp[k].key = s->load[k & 1];
        s->hp[k].sign = k < 2 ? 1 : -1;
    }
    if ((rc = pingpong_index(s))) return rc;
    for (i = 0; i < s->nh; i++) s->free_kb[i] = in->hosts[i].free_kb;
    for (i = 0; i < s->nv; i++) {
        s->p0[i] = s->host[i] = in->vms[i].host;
        s->stepi[i] = -1;
        wsum += m->w[i];
        if ((rc = hl_add(&s->hl[s->host[i]], i, s->slot))) return rc;
    }
    /* Gains this small are rounding, not improvement. */
    s->eps = 1e-12 * (1 + wsum);
    s->big = 16 * (1 + wsum);
    for (i = 0; i < s->nh; i++) {
        const hlist *l = &s->hl[i];
        int j;

        s->S[i] = host_eval(s, i, l->v, l->n, 0, s->fa, &s->rcur[i]);
        for (j = 0; j < l->n; j++) s->fcur[l->v[j]] = s->fa[j];
        host_loads(s, i);
        for (k = 0; k < 4; k++) {
            s->hp[k].pos[i] = -1;
            if (in->hosts[i].drained) continue;
            s->hp[k].pos[i] = s->hp[k].n;
            s->hp[k].a[s->hp[k].n++] = i;
        }
    }
    for (k = 0; k < 4; k++)
        for (i = s->hp[k].n / 2 - 1; i >= 0; i--) hdown(&s->hp[k], i);
    return 0;
}

void bal__pl_search_out_dispose(bal__pl_search_out *s)
{
    free(s->steps);
    free(s->place);
    free(s->rejects);
    memset(s, 0, sizeof(*s));
}

/* The end of a search or a replay: why each VM that would gain stays
 * (drained hosts' refusals are already in), and the final placement. */
static int finish(srch *s, const bal__pl_model *m, bal__pl_search_out *out)
{
    int v, rc;

    for (v = 0; v < s->nv; v++) {
        if (bal__pls_moved(s, v) || s->in->hosts[s->host[v]].drained)
            continue;
        if (m->w[v] > 0 && s->fcur[v] < 1 - 1e-9 &&
            (rc = bal__pls_explain(s, v)))
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
    rc = srch_init(&s, m, out);
    if (rc) goto out;
    if ((rc = evacuate(&s))) goto out;
    if ((rc = greedy(&s))) goto out;
    if (s.nh <= TINY_H && s.nv <= TINY_V && s.p->tiny_depth > 0 &&
        (rc = widen(&s)))
        goto out;
    if ((rc = polish(&s))) goto out;
    if ((rc = bal__pls_emit_steps(&s))) goto out;
    rc = finish(&s, m, out);
out:
    srch_dispose(&s);
    if (rc) bal__pl_search_out_dispose(out);
    return rc;
}

/* A plan decided elsewhere (the exact search, planner_exact.c) told as
 * the search tells its own: each move applied in the given order (a
 * swap's two moves, next to each other, as one unit), then the steps,
 * gains and reasons, and why the VMs below their demand stay. */
int bal__pl_search_replay(bal__pl_model *m, const int *vm, const int *to,
                          int n, const bal__pl_search_out *prev,
                          bal__pl_search_out *out)
{
    srch s;
    int rc, v, i, k;

    memset(out, 0, sizeof(*out));
    rc = srch_init(&s, m, out);
    if (rc) goto out;
    out->passes = prev->passes;
    for (i = 0; i < n; i += k) {
        rel r[2];

        r[0] = (rel){ vm[i], to[i] };
        k = 1;
        if (i + 1 < n && to[i + 1] == s.p0[vm[i]] && s.p0[vm[i + 1]] == to[i]) {
            r[1] = (rel){ vm[i + 1], to[i + 1] };
            k = 2;
        }
        if ((rc = apply_unit(&s, r, k, s.in->hosts[s.p0[vm[i]]].drained)))
            goto out;
    }
    if ((rc = bal__pls_emit_steps(&s))) goto out;
    /* What evacuation said of the VMs that stay on drained hosts. */
    for (i = 0; i < prev->nrejects; i++) {
        v = prev->rejects[i].vm;
        if (!bal__pls_moved(&s, v) && s.in->hosts[s.host[v]].drained &&
            (rc = bal__pls_add_reject(&s, &prev->rejects[i])))
            goto out;
    }
    rc = finish(&s, m, out);
out:
    srch_dispose(&s);
    if (rc) bal__pl_search_out_dispose(out);
    return rc;
}
