/*
 * planner_units.c - the units the search weighs and takes (a move, or a
 * swap of two VMs) and the state they are weighed in: the hosts' lists
 * and loads, the fairness floors, what fits in memory, the plan's
 * composed migrations, a unit's gain and cost, each VM's candidates and
 * its best unit, and taking one.  The search's order is
 * planner_search.c's; its report planner_explain.c's; the internals
 * they share, planner_units.h.
 */
#define _GNU_SOURCE             /* qsort_r */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuidmap.h"

#include "planner.h"
#include "planner_search.h"
#include "planner_units.h"

/* ---- small containers ----------------------------------------------------- */

/* A host's VMs are kept in the order of their indices, whatever moves
 * brought them: the same placement is then the same state however it
 * was reached - the same sums in the same order, the same ties broken
 * the same way - which is what makes a plan started where another ends
 * weigh exactly what that one weighed last (stable plans). */
static int hl_find(const hlist *l, int v)
{
    int lo = 0, hi = l->n;

    while (lo < hi) {
        int mid = (lo + hi) / 2;

        if (l->v[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int hl_add(hlist *l, int v)
{
    int i;

    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 4;
        int *nv = realloc(l->v, (size_t)nc * sizeof(int));

        if (!nv) return BAL_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    i = hl_find(l, v);
    memmove(l->v + i + 1, l->v + i, (size_t)(l->n - i) * sizeof(int));
    l->v[i] = v;
    l->n++;
    return 0;
}

static void hl_del(hlist *l, int v)
{
    int i = hl_find(l, v);

    memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof(int));
    l->n--;
}

static double hkey(const hheap *h, int i)
{
    return h->sign * h->key[h->a[i]];
}

static void hswap(void *c, int i, int j)
{
    hheap *h = c;
    int t = h->a[i];

    h->a[i] = h->a[j];
    h->a[j] = t;
    h->pos[h->a[i]] = i;
    h->pos[h->a[j]] = j;
}

/* Ties go to the lower host index: the order is the same every run. */
static bool hless(const void *c, int i, int j)
{
    const hheap *h = c;
    double a = hkey(h, i), b = hkey(h, j);

    return a < b || (a == b && h->a[i] < h->a[j]);
}

/* After a host's key changed: up, or else down. */
static void hfix(hheap *h, int i)
{
    i = bal__pls_heap_up(h, i, hless, hswap);
    bal__pls_heap_down(h, h->n, i, hless, hswap);
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

/* htop of index j, kept while no host changes: every VM asks the same
 * few indexes for the same few hosts, and most of its looks come
 * between two units taken. */
static int htop_kept(srch *s, int j, int k, int *out)
{
    hkept *c = &s->htk[j];

    if (c->stamp != s->hstamp || c->k != k) {
        c->n = htop(&s->hx[j], k, c->h);
        c->k = k;
        c->stamp = s->hstamp;
    }
    memcpy(out, c->h, (size_t)c->n * sizeof(int));
    return c->n;
}

static int add_host(int *hs, int n, int h)
{
    int i;

    for (i = 0; i < n; i++)
        if (hs[i] == h) return n;
    hs[n] = h;
    return n + 1;
}

/* Deterministic order of units: the most net gain per migration; ties
 * (rounding) to the most headroom gained, then the fewest relocations,
 * then the lowest VM and host indices. */
bool bal__pls_better(double net, double spread, int n, const rel *r,
                   double bnet, double bspread, int bn, const rel *br)
{
    double a = n > 0 ? net / n : net, b = bn > 0 ? bnet / bn : bnet;
    double tol = 1e-9 * (1 + fabs(a) + fabs(b));
    int i;

    /* Per migration: a swap must gain what two moves would. */
    if (a > b + tol) return true;
    if (a < b - tol) return false;
    if (spread != bspread) return spread > bspread;
    if (n != bn) return n < bn;
    for (i = 0; i < n; i++) {
        if (r[i].v != br[i].v) return r[i].v < br[i].v;
        if (r[i].to != br[i].to) return r[i].to < br[i].to;
    }
    return false;
}

/* ---- host state ----------------------------------------------------------- */

/* Whether candidate index k is ever read: free memory always; a
 * resource's when some VM's type uses it, and the pCPUs' always (a type
 * of none still loads the cores). */
static bool hx_used(const srch *s, int k)
{
    int r = k < HX_MEM ? k / 2 : k > HX_MEM ? k - HX_MEM - 1 : -1;

    return r < 0 || r == BAL_RES_CPU || s->used[r];
}

/* What VM v adds to host h's loads, per resource: pCPUs (computation
 * and what its I/O costs the guest and dom0), path bytes/s, NIC
 * bytes/s. */
static void vm_load(const srch *s, int v, int h, double *load)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    double d = bal__dmin(s->m->e[v], s->m->cap_io[h]);

    load[BAL_RES_CPU] = bal__dmin(vm->vcpus,
                                  vm->cpu + s->p->iocpu * d / BAL__PL_MB) +
                        s->p->dom0cpu * d / BAL__PL_MB;
    load[BAL_RES_IO] = s->m->e[v];
    load[BAL_RES_NET] = s->m->en[v];
}

/* A host's capacity of each resource as the loads count it; <= 0: no
 * limit known (a NIC). */
static double host_cap(const srch *s, int h, int r)
{
    return r == BAL_RES_CPU ? s->in->hosts[h].pcpus :
           r == BAL_RES_IO ? s->m->cap_io[h] : s->in->hosts[h].net_Bps;
}

/* Same-type contention as the benchmark counts it (doc/planner.md,
 * "Contended pairs"): on each resource whose plain demand - pCPUs
 * min(cpu, vcpus), the path io_Bps, the NIC net_Bps - exceeds the host's
 * capacity, every pair of heavy VMs whose type contends for it
 * (base/loadtype.c).  What v adds to those counts, worked out once per
 * VM (pair_loads_init): every unit weighed asks it of its VMs. */
static void pair_load(const srch *s, int v, double *d, int *k)
{
    const double *x = s->vpd + (size_t)v * BAL_NRES;
    int r;

    for (r = 0; r < BAL_NRES; r++) {
        d[r] = x[r];
        k[r] = (s->vpk[v] >> r) & 1;
    }
}

static void pair_loads_init(srch *s)
{
    int v, r;

    for (v = 0; v < s->nv; v++) {
        const bal__pl_vm *vm = &s->in->vms[v];
        double *x = s->vpd + (size_t)v * BAL_NRES;

        x[BAL_RES_CPU] = bal__dmin(vm->cpu, vm->vcpus);
        x[BAL_RES_IO] = vm->io_Bps;
        x[BAL_RES_NET] = vm->net_Bps;
        s->vpk[v] = 0;
        for (r = 0; r < BAL_NRES; r++)
            if (vm->heavy && bal_load_type_contends(vm->type, r))
                s->vpk[v] |= (unsigned char)(1u << r);
    }
}

static long host_pairs(const srch *s, int h, const int *k, const double *d)
{
    const bal__pl_host *hp = &s->in->hosts[h];
    const double cap[BAL_NRES] = { hp->pcpus, hp->disk_Bps, hp->net_Bps };
    long n = 0;
    int r;

    /* A resource with fewer than two heavy users has no pair to count,
     * contended or not: most, for every unit weighed. */
    for (r = 0; r < BAL_NRES; r++)
        if (k[r] > 1 && cap[r] > 0 && d[r] > cap[r] * (1 + 1e-9))
            n += (long)k[r] * (k[r] - 1) / 2;
    return n;
}

/* -1 when r takes its VM off h, 1 when it brings it there, else 0. */
static int unit_sign(const srch *s, int h, const rel *r)
{
    if (s->host[r->v] == h && r->to != h) return -1;
    if (r->to == h && s->host[r->v] != h) return 1;
    return 0;
}

/* h's contended pairs once the relocations r[0..n) are done: counts
 * and plain demands alone, no water-fill (cheap enough to screen units
 * with before weighing them). */
static long pairs_after(const srch *s, int h, const rel *r, int n)
{
    double pd[BAL_NRES];
    int pk[BAL_NRES], k, q, sg;

    for (q = 0; q < BAL_NRES; q++) {
        pd[q] = s->pd[q][h];
        pk[q] = s->pk[q][h];
    }
    for (k = 0; k < n; k++) {
        const double *x = s->vpd + (size_t)r[k].v * BAL_NRES;
        unsigned a = s->vpk[r[k].v];

        if (!(sg = unit_sign(s, h, &r[k]))) continue;
        for (q = 0; q < BAL_NRES; q++) {
            pd[q] += sg * x[q];
            pk[q] += sg * (int)((a >> q) & 1);
        }
    }
    return host_pairs(s, h, pk, pd);
}

/* How crowded loads make a host: the sum of their squared fractions of
 * the capacities (a NIC of no known limit is never crowded). */
static double crowd_of(const srch *s, int h, const double *load)
{
    double c = 0, cap;
    int r;

    for (r = 0; r < BAL_NRES; r++)
        if ((cap = host_cap(s, h, r)) > 0)
            c += (load[r] / cap) * (load[r] / cap);
    return c;
}

/* Host h's load as demands over capacities, per resource: pCPUs (its
 * VMs' computation and what their I/O costs the guests and dom0), the
 * disk path and the NIC. */
static void host_load(const srch *s, int h, const int *list, int n,
                      double *load)
{
    int i, r;

    for (r = 0; r < BAL_NRES; r++) load[r] = 0;
    for (i = 0; i < n; i++) {
        double x[BAL_NRES];

        vm_load(s, list[i], h, x);
        for (r = 0; r < BAL_NRES; r++) load[r] += x[r];
    }
}

/* A host's VMs with work that counts, summed: their utility, unweighted
 * and weighted by the seconds each counts, their work; the least of
 * those seconds; how many of the floors' population are below the
 * floors; and (after a change) the first VM pushed below the worst-off
 * heavy VM's share. */
static void side_sum(const srch *s, const int *list, int n, const double *sh,
                     const double *psh, const double *wk, bool after,
                     hside *o)
{
    const double *w = s->m->w;
    /* The limits and the sums in locals: the same sums in the same
     * order, kept out of memory (every host side weighed comes here). */
    const double alpha = s->p->alpha, fl = s->floor - SHARE_EPS,
                 pfl = s->pfloor - SHARE_EPS, hm = s->hmin - SHARE_EPS,
                 phm = s->phmin - SHARE_EPS;
    double su = 0, suw = 0, rate = 0, minw = INFINITY, maxw = 0;
    int i, nb = 0, pnb = 0, victim = -1;

    for (i = 0; i < n; i++) {
        int v = list[i];
        double u;

        if (s->pop[v]) {
            nb += sh[i] < fl;
            pnb += psh[i] < pfl;
        }
        if (!(w[v] > 0)) continue;
        u = bal__pl_util(alpha, sh[i]);
        su += u;
        suw += u * w[v];
        rate += wk[i];
        minw = bal__dmin(minw, w[v]);
        maxw = bal__dmax(maxw, w[v]);
        /* On the model's shares or on the plain ones: its share falls
         * and ends below the least. */
        if (after && victim < 0 &&
            ((sh[i] < s->share[v] - SHARE_EPS && sh[i] < hm) ||
             (psh[i] < s->pshare[v] - SHARE_EPS && psh[i] < phm)))
            victim = v;
    }
    o->su = su;
    o->suw = suw;
    o->rate = rate;
    o->minw = minw;
    o->maxw = maxw;
    o->victim = victim;
    o->nb = nb;
    o->pnb = pnb;
}

static void host_refresh(srch *s, int h)
{
    const hlist *l = &s->hl[h];
    double load[BAL_NRES];
    int i, k, r;

    bal__pl_rates(s->m, h, l->v, l->n, 0, s->tmp);
    s->maxw[h] = 0;
    for (i = 0; i < l->n; i++) {
        s->work[l->v[i]] = s->tmp[i];
        s->share[l->v[i]] = s->m->s_share[i];
        s->pshare[l->v[i]] = s->m->s_pshare[i];
        s->maxw[h] = bal__dmax(s->maxw[h], s->m->w[l->v[i]]);
    }
    s->nbelow -= s->side[h].nb;
    s->pnbelow -= s->side[h].pnb;
    side_sum(s, l->v, l->n, s->m->s_share, s->m->s_pshare, s->tmp, false,
             &s->side[h]);
    s->nbelow += s->side[h].nb;
    s->pnbelow += s->side[h].pnb;
    host_load(s, h, l->v, l->n, load);
    s->side[h].crowd = crowd_of(s, h, load);
    {
        double pd[BAL_NRES] = { 0 };
        int pk[BAL_NRES] = { 0 };

        for (i = 0; i < l->n; i++) {
            double x[BAL_NRES];
            int a[BAL_NRES];

            pair_load(s, l->v[i], x, a);
            for (r = 0; r < BAL_NRES; r++) {
                pd[r] += x[r];
                pk[r] += a[r];
            }
        }
        for (r = 0; r < BAL_NRES; r++) {
            s->pd[r][h] = pd[r];
            s->pk[r][h] = pk[r];
        }
        s->side[h].pairs = host_pairs(s, h, pk, pd);
    }
    for (r = 0; r < BAL_NRES; r++) {
        double cap = host_cap(s, h, r);

        s->hload[r][h] = load[r];
        /* A NIC of no known limit always has room, and is never full. */
        s->key[HX_ABS(r)][h] = cap > 0 ? cap - load[r] : INFINITY;
        s->key[HX_REL(r)][h] = cap > 0 ? 1 - load[r] / cap : 1;
        s->key[HX_FULL(r)][h] = cap > 0 ? load[r] / cap : 0;
    }
    s->key[HX_MEM][h] = (double)s->free_kb[h];
    /* The indexes of a resource no VM's type uses are never read: kept
     * out of the way (a cluster without streams has no NIC to index). */
    for (k = 0; k < HX_N; k++)
        if (s->hx[k].pos[h] >= 0 && hx_used(s, k))
            hfix(&s->hx[k], s->hx[k].pos[h]);
    s->ver[h]++;
    s->hstamp++;
}

/* ---- fairness --------------------------------------------------------------- */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The floors' population: the heavy VMs; without one, every VM with
 * work that counts.  kq: how many of it may be below its 10th
 * percentile (nearest rank: the ceil(n/10)-th least). */
static void population(srch *s)
{
    int v, n = 0;
    bool any_heavy = false;

    for (v = 0; v < s->nv; v++)
        any_heavy |= s->in->vms[v].heavy &&
                     bal__load_types[s->in->vms[v].type].uses;
    for (v = 0; v < s->nv; v++) {
        const bal__pl_vm *vm = &s->in->vms[v];

        s->pop[v] = bal__load_types[vm->type].uses &&
                    (any_heavy ? vm->heavy : s->m->w[v] > 0);
        n += s->pop[v];
    }
    s->kq = n ? (n + 9) / 10 - 1 : 0;
}

/* The population's 10th percentile of shares sh[], and its least; 0 and
 * 0 without a member. */
static double percentile10(srch *s, const double *sh, double *min_r)
{
    int v, n = 0;

    for (v = 0; v < s->nv; v++)
        if (s->pop[v]) s->tmp[n++] = sh[v];
    *min_r = 0;
    if (!n) return 0;
    qsort(s->tmp, (size_t)n, sizeof(double), cmp_dbl);
    *min_r = s->tmp[0];
    return s->tmp[s->kq];
}

/* The fairness limits as the cluster stands (planner_units.h, srch),
 * and how many of the population are below the floors now. */
void bal__pls_set_floors(srch *s)
{
    double f0 = s->floor, p0 = s->pfloor, m0 = s->hmin, q0 = s->phmin;
    int h, i;

    s->floor = percentile10(s, s->share, &s->hmin);
    s->pfloor = percentile10(s, s->pshare, &s->phmin);
    s->nbelow = s->pnbelow = 0;
    for (h = 0; h < s->nh; h++) {
        const hlist *l = &s->hl[h];
        hside *sd = &s->side[h];

        sd->nb = sd->pnb = 0;
        for (i = 0; i < l->n; i++) {
            int v = l->v[i];

            if (!s->pop[v]) continue;
            sd->nb += s->share[v] < s->floor - SHARE_EPS;
            sd->pnb += s->pshare[v] < s->pfloor - SHARE_EPS;
        }
        s->nbelow += sd->nb;
        s->pnbelow += sd->pnb;
    }
    /* What was weighed against the old limits stands if they stand. */
    if (s->floor != f0 || s->pfloor != p0 || s->hmin != m0 || s->phmin != q0)
        s->epoch++;
}

bool bal__pls_unfair(const evalr *e)
{
    return e->victim >= 0 || e->p10fall;
}

/* ---- feasibility ---------------------------------------------------------- */

/* Whether the search may move v (again).  A VM the plan moved already
 * may move on whatever its cooldown says: it migrates once either way. */
bool bal__pls_movable(const srch *s, int v)
{
    const bal__pl_vm *vm = &s->in->vms[v];

    if (vm->pinned) return false;
    return bal__pls_moved(s, v) || bal__pl_owed(s->in, v, s->host[v]) ||
           !(vm->cooldown_until_s > s->p->now_s);
}

/* Where VM u ends when the unit r[0..n) runs. */
static int unit_dest(const srch *s, int u, const rel *r, int n)
{
    int k;

    for (k = 0; k < n; k++)
        if (r[k].v == u) return r[k].to;
    return s->host[u];
}

/* Whether v ending on b when the unit r[0..n) runs parts it from one of
 * its keep-together group: one that ends elsewhere, not on a drained
 * host (those leave, and follow it).  A scan of every VM, for the few
 * VMs in a group only. */
static bool parts_group(const srch *s, int v, int b, const rel *r, int n)
{
    int g = s->in->vms[v].together_group, u, d;

    for (u = 0; u < s->nv; u++) {
        if (u == v || s->in->vms[u].together_group != g) continue;
        d = unit_dest(s, u, r, n);
        if (d != b && !s->in->hosts[d].drained) return true;
    }
    return false;
}

/* Why VM v may not end on host b when the unit r[0..n) runs (others of it
 * leave b or come to it); -1: it may, memory aside.  Back where it
 * started only anti-affinity and keep-together apply, anti-affinity only
 * against VMs the plan brings there.  A should_run_on host set binds the
 * search, not an evacuation (evac), which only prefers it. */
static int blocked(const srch *s, int v, int b, const rel *r, int n, bool evac)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    const bal__pl_host *hb = &s->in->hosts[b];
    const hlist *l = &s->hl[b];
    bool home = b == s->p0[v];
    int i, k;

    /* Nothing goes to a drained host: not even back where it started. */
    if (hb->drained) return BAL__PL_DRAINED;
    if (!home) {
        if (vm->storage_mask & ~hb->storage_mask) return BAL__PL_STORAGE;
        if (vm->must_mask & ~hb->must_mask) return BAL__PL_MUST;
        if (!evac && (vm->should_mask & ~hb->should_mask))
            return BAL__PL_SHOULD;
        if (bal__pl_link(s->m, s->p0[v], b) <= 0) return BAL__PL_NOLINK;
        if (!evac && !bal__pl_owed(s->in, v, s->p0[v]))
            for (i = s->pp_first[v]; i < s->pp_first[v + 1]; i++)
                if (s->pp_list[i] == b) return BAL__PL_PINGPONG;
    }
    if (bal__pl_link(s->m, s->host[v], b) <= 0) return BAL__PL_NOLINK;
    if (vm->together_group > 0 && parts_group(s, v, b, r, n))
        return BAL__PL_TOGETHER;
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

/* Whether the unit's relocations fit in memory one after the other, in
 * some order (first r[first], then the rest in turn); *first_r: which
 * goes first. */
static bool unit_fits(const srch *s, const rel *r, int n, int *first_r)
{
    int o, k, j, hs[MAXHU], nhs;
    int64_t fr[MAXHU];

    for (o = 0; o < n; o++) {
        bool ok = true;

        nhs = 0;
        for (k = 0; k < n; k++) {
            nhs = add_host(hs, nhs, s->host[r[k].v]);
            nhs = add_host(hs, nhs, r[k].to);
        }
        for (j = 0; j < nhs; j++) fr[j] = s->free_kb[hs[j]];
        for (k = 0; k < n && ok; k++) {
            const rel *x = &r[(o + k) % n];
            int64_t mem = (int64_t)s->in->vms[x->v].mem_kb;
            int jt, jf;

            for (jt = 0; hs[jt] != x->to; jt++) {}
            for (jf = 0; hs[jf] != s->host[x->v]; jf++) {}
            if (jt == jf) continue;
            if (fr[jt] < mem) ok = false;
            fr[jt] -= mem;
            fr[jf] += mem;
        }
        if (ok) {
            *first_r = o;
            return true;
        }
    }
    return false;
}

/* ---- the plan's migrations -------------------------------------------------- */

/* The steps the search takes are not the plan's migrations: the plan
 * moves each VM once, from where it started to where it ends - its
 * migration (s->corder) - when that still fits in some order.  A unit of
 * VMs not moved yet appends their migrations: they fit at the end, where
 * the hosts are as the steps leave them.  A unit that moves a VM again
 * changes where its last migration goes (or drops it: back where that
 * started), and the migrations must still fit in an order: with the
 * change in place, or with the unit's migrations last, or in one found
 * afresh (first fit, each VM's migrations in their order).  When none
 * fits - a memory-tight cluster where composing the VM's two moves would
 * deadlock, each migration waiting for memory another frees - the VM
 * migrates twice: its earlier migration stays, and one from where it is
 * now is appended, which fits at the end.  So every unit the search
 * takes has a plan, and a plan started from where this one ends finds
 * what this one found.  While every host could take all the migrations
 * that arrive at it before any leaves, any order fits and none is
 * checked. */

/* Where the unit r[0..n) sends v, or -1. */
static int unit_to(const rel *r, int n, int v)
{
    int k;

    for (k = 0; k < n; k++)
        if (r[k].v == v) return r[k].to;
    return -1;
}

/* How the unit changes the migrations: in place (A), moved to the end
 * (B), or split (D, a second migration for each VM it moves again). */
enum { CM_PLACE, CM_TAIL, CM_SPLIT };

/* The migrations if the unit ran, by how: into out[0..*m_r) (out NULL:
 * only the count). */
static void compose_build(const srch *s, const rel *r, int n, int first,
                          int how, cent *out, int *m_r)
{
    int m = 0, i;

    for (i = 0; i < s->ncorder; i++) {
        cent e = s->corder[i];
        int to = unit_to(r, n, e.v);

        if (to >= 0 && how != CM_SPLIT && s->clast[e.v] == i) {
            if (how == CM_TAIL || to == e.from) continue;
            e.to = to;
            e.seq = -1;
        }
        if (out) out[m] = e;
        m++;
    }
    for (i = 0; i < n; i++) {
        const rel *x = &r[(first + i) % n];
        cent e = { x->v, s->host[x->v], x->to, -1 };

        if (s->nent[x->v] > 0 && how != CM_SPLIT) {
            if (how == CM_PLACE) continue;          /* changed in place */
            e.from = s->corder[s->clast[x->v]].from;
            if (e.from == e.to) continue;           /* dropped */
        }
        if (out) out[m] = e;
        m++;
    }
    *m_r = m;
}

/* Whether the migrations o[0..m) fit in their order. */
static bool order_fits(srch *s, const cent *o, int m)
{
    int64_t *fr = s->fr;
    int i;

    for (i = 0; i < m; i++) {
        fr[o[i].from] = s->in->hosts[o[i].from].free_kb;
        fr[o[i].to] = s->in->hosts[o[i].to].free_kb;
    }
    for (i = 0; i < m; i++) {
        int64_t mem = (int64_t)s->in->vms[o[i].v].mem_kb;

        if (fr[o[i].to] < mem) return false;
        fr[o[i].to] -= mem;
        fr[o[i].from] += mem;
    }
    return true;
}

/* First fit: each round the first pending migration whose destination
 * has room and whose VM has no earlier one pending; o[0..m) reordered
 * so, or false. */
static bool order_first_fit(srch *s, cent *o, int m)
{
    int64_t *fr = s->fr;
    cent *pend = s->cpend;
    int *nxt = s->cnxt, *firstp = s->firstp, i, j, done = 0, lo = 0;

    memcpy(pend, o, (size_t)m * sizeof(*o));
    for (i = 0; i < m; i++) {
        fr[o[i].from] = s->in->hosts[o[i].from].free_kb;
        fr[o[i].to] = s->in->hosts[o[i].to].free_kb;
        firstp[o[i].v] = -1;
    }
    /* Each VM's migrations in order: the first pending one is the only
     * one that may go. */
    for (i = m - 1; i >= 0; i--) {
        nxt[i] = firstp[o[i].v];
        firstp[o[i].v] = i;
    }
    while (done < m) {
        while (lo < m && pend[lo].v < 0) lo++;
        for (j = lo; j < m; j++) {
            int v = pend[j].v;
            int64_t mem;

            if (v < 0 || firstp[v] != j) continue;
            mem = (int64_t)s->in->vms[v].mem_kb;
            if (fr[pend[j].to] < mem) continue;
            fr[pend[j].to] -= mem;
            fr[pend[j].from] += mem;
            o[done++] = pend[j];
            firstp[v] = nxt[j];
            pend[j].v = -1;
            break;
        }
        if (j == m) return false;
    }
    return true;
}

/* Whether the unit changes the migrations simply, in place (CM_PLACE,
 * no order to check): it moves no VM the plan moved, or nobody is tight
 * after it (every host could take all its arrivals at once). */
static bool compose_simple(const srch *s, const rel *r, int n)
{
    int k, hs[MAXHU], nhs = 0, tight = s->ntight;
    int64_t arr[MAXHU];
    bool again = false;

    for (k = 0; k < n; k++) again |= s->nent[r[k].v] > 0;
    if (!again) return true;
    for (k = 0; k < n; k++) {
        nhs = add_host(hs, nhs, s->host[r[k].v]);
        nhs = add_host(hs, nhs, r[k].to);
    }
    for (k = 0; k < nhs; k++) arr[k] = s->arrive[hs[k]];
    for (k = 0; k < n; k++) {
        const rel *x = &r[k];
        int64_t mem = (int64_t)s->in->vms[x->v].mem_kb;
        int j, from = s->nent[x->v] ? s->corder[s->clast[x->v]].from
                                    : s->host[x->v];

        for (j = 0; hs[j] != s->host[x->v]; j++) {}
        if (s->nent[x->v]) arr[j] -= mem;
        for (j = 0; hs[j] != x->to; j++) {}
        if (x->to != from) arr[j] += mem;
    }
    for (k = 0; k < nhs; k++) {
        int64_t f0 = s->in->hosts[hs[k]].free_kb;

        tight += (arr[k] > f0) - (s->arrive[hs[k]] > f0);
    }
    return tight == 0;
}

/* Whether the change in place (CM_PLACE) keeps the order fitting.  The
 * order fitted before; in place, only the unit's destinations get more
 * (its VMs' migrations' old ends get less, their starts and the rest
 * stay), so only those hosts are walked: no copy. */
static bool place_fits(const srch *s, const rel *r, int n, int first)
{
    int64_t fr[MAXREL];
    int t[MAXREL], nt = 0, i, j;

    for (i = 0; i < n; i++) nt = add_host(t, nt, r[i].to);
    for (j = 0; j < nt; j++) fr[j] = s->in->hosts[t[j]].free_kb;
    for (i = 0; i < s->ncorder + n; i++) {
        cent e;
        int64_t mem;

        if (i < s->ncorder) {
            int to;

            e = s->corder[i];
            to = unit_to(r, n, e.v);
            if (to >= 0 && s->clast[e.v] == i) {
                if (to == e.from) continue;         /* dropped */
                e.to = to;
            }
        } else {
            const rel *x = &r[(first + i - s->ncorder) % n];

            if (s->nent[x->v] > 0) continue;        /* changed in place */
            e = (cent){ x->v, s->host[x->v], x->to, -1 };
        }
        mem = (int64_t)s->in->vms[e.v].mem_kb;
        for (j = 0; j < nt; j++) {
            if (e.to == t[j]) {
                if (fr[j] < mem) return false;
                fr[j] -= mem;
            }
            if (e.from == t[j]) fr[j] += mem;
        }
    }
    return true;
}

/* How the migrations go with the unit run (*how_r), and how many there
 * are then (*m_r); their order into s->cnext when build.  Always some
 * way: split at worst. */
/* compose's ways once the change in place does not fit (first: the
 * unit's move that goes first): its migrations last, in their order or
 * in one found afresh, else split.  order_fits only reads the order
 * built, so first fit starts from it as it is. */
static void compose_moved(srch *s, const rel *r, int n, int first,
                          bool build, int *how_r, int *m_r)
{
    *how_r = CM_TAIL;
    compose_build(s, r, n, first, CM_TAIL, s->cnext, m_r);
    if (order_fits(s, s->cnext, *m_r) ||
        order_first_fit(s, s->cnext, *m_r))
        return;
    *how_r = CM_SPLIT;
    compose_build(s, r, n, first, CM_SPLIT, build ? s->cnext : NULL, m_r);
}

static void compose(srch *s, const rel *r, int n, bool build, int *how_r,
                    int *m_r)
{
    int first = 0;

    /* The unit's own moves in the order they fit in, as apply_unit runs
     * them. */
    (void)unit_fits(s, r, n, &first);
    if (compose_simple(s, r, n) || place_fits(s, r, n, first)) {
        *how_r = CM_PLACE;
        compose_build(s, r, n, first, CM_PLACE, build ? s->cnext : NULL,
                      m_r);
        return;
    }
    compose_moved(s, r, n, first, build, how_r, m_r);
}

int bal__pls_unit_blocked(srch *s, const rel *r, int n, bool evac)
{
    int i, why, first;

    for (i = 0; i < n; i++) {
        int v = r[i].v;

        if (s->in->vms[v].pinned) return i ? BAL__PL_PARTNER : BAL__PL_PINNED;
        if (!evac && !bal__pls_movable(s, v))
            return i ? BAL__PL_PARTNER : BAL__PL_COOLDOWN;
        why = blocked(s, v, r[i].to, r, n, evac);
        if (why >= 0) return i ? BAL__PL_PARTNER : why;
    }
    if (!unit_fits(s, r, n, &first)) return BAL__PL_MEMORY;
    if (s->budget != INT_MAX) {
        int how, m;

        compose(s, r, n, false, &how, &m);
        if (m > s->budget && m > s->ncorder) return BAL__PL_MAXMOVES;
    }
    return -1;
}

/* ---- a saved plan's moves ---------------------------------------------------- */

int bal__pl_check_moves(bal_ctx *ctx, const bal__pl_input *in, const int *vm,
                        const int *to, int n, int *why_r)
{
    bal__pl_model m;
    bal__pl_search_out so;
    srch s;
    rel *r = NULL;
    int i, nr = 0, k, rc;
    bool changed;

    memset(&so, 0, sizeof(so));
    memset(&s, 0, sizeof(s));
    rc = bal__pl_model_check_init(ctx, &m, in);
    if (rc) return rc;
    r = calloc((size_t)n + 1, sizeof(*r));
    if (!r) { rc = BAL_ENOMEM; goto out; }
    rc = bal__pls_init(&s, &m, &so);
    if (rc) goto out;
    for (i = 0; i < n; i++) why_r[i] = -1;
    /* The plan as one unit: each VM from where it runs to where its last
     * move ends it, so that every rule is weighed on the placement the
     * whole plan makes (a group that moves together stays together).  A
     * refused move leaves the unit, and the rest is weighed again: its
     * partner must not part a group on the strength of it. */
    do {
        changed = false;
        nr = 0;
        for (i = 0; i < n; i++) {
            if (why_r[i] >= 0 || vm[i] < 0 || vm[i] >= in->nvms ||
                to[i] < 0 || to[i] >= in->nhosts)
                continue;
            for (k = 0; k < nr && r[k].v != vm[i]; k++) {}
            r[k] = (rel){ vm[i], to[i] };
            if (k == nr) nr++;
        }
        for (i = 0; i < n; i++) {
            int v = vm[i], w;
            bool evac;

            if (why_r[i] >= 0 || v < 0 || v >= in->nvms || to[i] < 0 ||
                to[i] >= in->nhosts)
                continue;
            for (k = 0; r[k].v != v; k++) {}
            if (r[k].to == s.host[v]) continue;     /* there and back */
            /* As the search: an owed move is held by neither cooldown nor
             * ping-pong, nor by a should_run_on set. */
            evac = bal__pl_owed(in, v, s.host[v]);
            if (in->vms[v].pinned) w = BAL__PL_PINNED;
            else if (!evac && !bal__pls_movable(&s, v)) w = BAL__PL_COOLDOWN;
            else w = blocked(&s, v, r[k].to, r, nr, evac);
            if (w < 0) continue;
            /* Every move of that VM: it moves whole or not at all. */
            for (k = 0; k < n; k++)
                if (vm[k] == v) why_r[k] = w;
            changed = true;
        }
    } while (changed);
out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "planner: out of memory");
    bal__pls_dispose(&s);
    bal__pl_search_out_dispose(&so);
    bal__pl_model_dispose(&m);
    free(r);
    return rc;
}

/* ---- weighing a unit -------------------------------------------------------- */

/* Host h as it is with dom0 asked for `extra' pCPUs of migration work:
 * the fraction of it dom0 does, and what its VMs lose per second of it
 * in utility and in work (those with work that counts; minw the least
 * of their seconds).  Kept per host for the last few extras asked at its
 * version: every destination of a VM asks its source the same. */
static const mcost *host_copying(srch *s, int h, double extra)
{
    mcost *c = s->mc + (size_t)h * MC_WAYS;
    const hlist *l = &s->hl[h];
    int k, i;

    for (k = 0; k < MC_WAYS; k++)
        if (c[k].ver == s->ver[h] && c[k].extra == extra && c[k].valid)
            return &c[k];
    k = s->mc_next[h]++ % MC_WAYS;
    c += k;
    c->valid = true;
    c->ver = s->ver[h];
    c->extra = extra;
    c->run = bal__pl_rates(s->m, h, l->v, l->n, extra, s->tmp);
    c->du = c->dw = c->duw = c->dww = 0;
    c->minw = INFINITY;
    c->maxw = 0;
    for (i = 0; i < l->n; i++) {
        int x = l->v[i];

        if (!(s->m->w[x] > 0)) continue;
        double du = bal__dmax(0, bal__pl_util(s->p->alpha, s->share[x]) -
                                 bal__pl_util(s->p->alpha, s->m->s_share[i]));
        double dw = bal__dmax(0, s->work[x] - s->tmp[i]);

        c->du += du;
        c->dw += dw;
        c->duw += du * s->m->w[x];
        c->dww += dw * s->m->w[x];
        c->minw = bal__dmin(c->minw, s->m->w[x]);
        c->maxw = bal__dmax(c->maxw, s->m->w[x]);
    }
    return c;
}

/* What host h's VMs lose while a copy at `extra' runs T seconds, in
 * utility (returned) and work (*work_r): each VM for at most its own
 * seconds. */
static double copy_loss(srch *s, int h, double extra, double T, double *work_r)
{
    const mcost *c = host_copying(s, h, extra);
    const hlist *l = &s->hl[h];
    double u = 0, w = 0;
    int i;

    if (T <= c->minw) {
        *work_r = c->dw * T;
        return c->du * T;
    }
    if (T >= c->maxw) {             /* each VM for all of its seconds */
        *work_r = c->dww;
        return c->duw;
    }
    bal__pl_rates(s->m, h, l->v, l->n, extra, s->tmp);
    for (i = 0; i < l->n; i++) {
        int x = l->v[i];
        double t = bal__dmin(s->m->w[x], T);

        if (!(t > 0)) continue;
        u += bal__dmax(0, bal__pl_util(s->p->alpha, s->share[x]) -
                          bal__pl_util(s->p->alpha, s->m->s_share[i])) * t;
        w += bal__dmax(0, s->work[x] - s->tmp[i]) * t;
    }
    *work_r = w;
    return u;
}

/* How migrating v from a to b goes now, with both hosts as they are:
 * the copy's pace (the slower dom0's share of the stream's CPU) and its
 * time (c->pc).  Cheap: each end's share is kept per host. */
static void move_time(srch *s, int v, int a, int b, bal__pl_cost *c)
{
    bal__pl_model *m = s->m;
    double base, want;

    memset(c, 0, sizeof(*c));
    if (bal__pl_link(m, a, b) <= 0) {
        c->pc.time_s = c->pc.downtime_s = c->loss = INFINITY;
        return;
    }
    c->ok = true;
    base = bal__pl_base_bw(m, a, b, 1, 1, 1);
    want = m->p->migcpu * base / BAL__PL_MB;
    c->bw = base * bal__dmin(host_copying(s, a, want)->run,
                             host_copying(s, b, want)->run);
    c->extra = m->p->migcpu * c->bw / BAL__PL_MB;
    bal__pl_vm_precopy(m, v, c->bw, &c->pc);
}

/* What the VMs on both ends lose while that copy runs, in work
 * (c->loss) and in utility (returned). */
static double move_loss(srch *s, int v, int a, int b, bal__pl_cost *c)
{
    const bal__pl_model *m = s->m;
    double uc, x;

    if (!c->ok) return c->loss = INFINITY;
    uc = copy_loss(s, a, c->extra, c->pc.time_s, &c->loss);
    uc += copy_loss(s, b, c->extra, c->pc.time_s, &x);
    c->loss += x;
    /* Paused for the last copy it does nothing: a second of its work
     * lost is a second of its utility's worth. */
    uc += bal__dmin(m->w[v], c->pc.downtime_s);
    c->loss += s->work[v] * bal__dmin(m->w[v], c->pc.downtime_s);
    return uc;
}

/* Host h's VMs if the unit ran, into list (returns how many), by index
 * as the host would hold them (hl_add): the same list, the same sums. */
static int after_list(const srch *s, int h, const rel *r, int n, int *list)
{
    const hlist *l = &s->hl[h];
    int i, k, j, c = l->n;

    /* The host's list copied whole (an empty host has none: no copy
     * from NULL), then each VM a relocation (its first) takes off h cut
     * out where it stands: the list is sorted. */
    if (c > 0) memcpy(list, l->v, (size_t)c * sizeof(int));
    for (k = 0; k < n; k++) {
        int v = r[k].v;
        hlist cur = { list, c, c };

        if (s->host[v] != h || r[k].to == h) continue;
        for (j = 0; j < k && r[j].v != v; j++) {}
        if (j < k) continue;
        i = hl_find(&cur, v);
        memmove(list + i, list + i + 1, (size_t)(c - i - 1) * sizeof(int));
        c--;
    }
    for (k = 0; k < n; k++) {
        int v = r[k].v;

        if (r[k].to != h || s->host[v] == h) continue;
        for (j = c; j > 0 && list[j - 1] > v; j--) list[j] = list[j - 1];
        list[j] = v;
        c++;
    }
    return c;
}

/* The sum over a side's VMs of util x max(0, w - T): from the sums when
 * every one counts longer than T, else (jobs ending during the copy)
 * VM by VM. */
static double side_part(srch *s, int h, const hside *sd, const rel *r, int n,
                        bool after, double T)
{
    const double *w = s->m->w;
    double x = 0;
    int i, c;

    if (T <= sd->minw) return sd->suw - T * sd->su;
    if (T >= sd->maxw) return 0;    /* every job ends during the copy */
    if (after) {
        c = after_list(s, h, r, n, s->ta);
        bal__pl_rates(s->m, h, s->ta, c, 0, s->tmp);
        for (i = 0; i < c; i++)
            if (w[s->ta[i]] > 0)
                x += bal__pl_util(s->p->alpha, s->m->s_share[i]) * bal__dmax(0, w[s->ta[i]] - T);
        return x;
    }
    for (i = 0; i < s->hl[h].n; i++) {
        int v = s->hl[h].v[i];

        if (w[v] > 0) x += bal__pl_util(s->p->alpha, s->share[v]) * bal__dmax(0, w[v] - T);
    }
    return x;
}

/* Host h after the unit: its side (memoised: the same host losing the
 * same VM is weighed for every destination of that VM), how crowded it
 * is and its contended pairs. */
static void after_side(srch *s, int h, const rel *r, int n, hside *o)
{
    int out = -1, in = -1, k, c, slot;
    unsigned hash;
    memo_e *e;

    for (k = 0; k < n; k++) {
        if (s->host[r[k].v] == h && r[k].to != h) out = r[k].v;
        if (r[k].to == h && s->host[r[k].v] != h) in = r[k].v;
    }
    hash = (unsigned)h * 2654435761u ^ (unsigned)(out + 1) * 40503u ^
           (unsigned)(in + 1) * 9973u;
    slot = (int)(hash & (s->nmemo - 1));
    e = &s->memo[slot];
    if (e->valid && e->h == h && e->ver == s->ver[h] && e->out == out &&
        e->in == in && e->epoch == s->epoch) {
        *o = e->side;
        return;
    }
    c = after_list(s, h, r, n, s->ta);
    bal__pl_rates(s->m, h, s->ta, c, 0, s->tmp);
    side_sum(s, s->ta, c, s->m->s_share, s->m->s_pshare, s->tmp, true, o);
    {
        double load[BAL_NRES], x[BAL_NRES];
        int sg, q;

        for (q = 0; q < BAL_NRES; q++) load[q] = s->hload[q][h];
        for (k = 0; k < n; k++) {
            if (!(sg = unit_sign(s, h, &r[k]))) continue;
            vm_load(s, r[k].v, h, x);
            for (q = 0; q < BAL_NRES; q++) load[q] += sg * x[q];
        }
        o->crowd = crowd_of(s, h, load);
        o->pairs = pairs_after(s, h, r, n);
    }
    /* Only a change of at most one VM out and one in is memoised: a key
     * that says what changed. */
    if (!(n == 2 && r[0].to == r[1].to)) {
        e->valid = true;
        e->h = h;
        e->ver = s->ver[h];
        e->out = out;
        e->in = in;
        e->epoch = s->epoch;
        e->side = *o;
    }
}

/* What a unit must gain beyond its cost: the margin for each of its
 * migrations, less one for each contended same-type pair it parts.  Two
 * heavy VMs of one type on a resource that does not hold them both lose
 * more than the fair-share model says (interleaved streams, a shared
 * cache: doc/planner.md, "Every move pays"), so parting them needs only
 * to pay its copy. */
static double margin_of(const srch *s, const evalr *e)
{
    return (e->n + (double)e->dpairs) * s->p->margin * e->W;
}

/* Weighs the unit r[0..n) from the present placement (constraints
 * aside): its migrations' time, its benefit and net gain, the headroom
 * it makes, the contended pairs it adds, and whether it is unfair; not
 * what the copies cost the VMs on their hosts (cost 0: net is a bound,
 * that cost only lowers it; eval_losses adds it).  With quick, a unit
 * whose every job ends before its copies do is left at net -INFINITY
 * unweighed: it cannot pay. */
static void eval_gain(srch *s, const rel *r, int n, evalr *out, bool quick)
{
    bal__pl_model *m = s->m;
    int i, k, hs[MAXHU], nhs = 0, dnb = 0, dpnb = 0;
    double T = 0, W = 0;
    hside aft[MAXHU];
    bool shared;

    memset(out, 0, sizeof(*out));
    out->n = n;
    out->victim = -1;
    for (i = 0; i < n; i++) {
        out->r[i] = r[i];
        out->from[i] = s->host[r[i].v];
        nhs = add_host(hs, nhs, s->host[r[i].v]);
        nhs = add_host(hs, nhs, r[i].to);
    }
    out->nhost = nhs;
    for (k = 0; k < nhs; k++) {
        out->host[k] = hs[k];
        W = bal__dmax(W, s->maxw[hs[k]]);
    }
    for (i = 0; i < n; i++) W = bal__dmax(W, m->w[r[i].v]);
    out->W = W;
    /* Migrations that share a host run one after another unless a host
     * may take part in several at once. */
    shared = n > 1 && s->p->max_per_host < 2 && nhs < 2 * n;
    for (i = 0; i < n; i++) {
        move_time(s, r[i].v, out->from[i], r[i].to, &out->c[i]);
        T = shared ? T + out->c[i].pc.time_s : bal__dmax(T, out->c[i].pc.time_s);
    }
    out->T = T;
    if (!(T < W) && quick) {
        /* Every job ends before the copies do: nothing to gain (the
         * whole weighing, for what it would have gained, is explain's). */
        out->net = -INFINITY;
        return;
    }
    for (k = 0; k < nhs; k++) {
        int h = hs[k];
        const hside *bef = &s->side[h];

        after_side(s, h, r, n, &aft[k]);
        out->benefit += side_part(s, h, &aft[k], r, n, true, T) -
                        side_part(s, h, bef, r, n, false, T);
        out->du += aft[k].su - bef->su;
        out->rate += aft[k].rate - bef->rate;
        out->spread += bef->crowd - aft[k].crowd;
        out->dpairs += aft[k].pairs - bef->pairs;
        if (out->victim < 0) out->victim = aft[k].victim;
        dnb += aft[k].nb - bef->nb;
        dpnb += aft[k].pnb - bef->pnb;
    }
    /* More of the population below a floor than the pass began with:
     * that percentile would fall. */
    out->p10fall = s->nbelow + dnb > s->kq || s->pnbelow + dpnb > s->kq;
    /* What its VMs' past moves delivered of their predictions: a unit is
     * believed as far as its least trusted VM (doc/planner.md, "Trust").
     * Only a gain is discounted; the bounds on benefit stay bounds. */
    out->trust = 1;
    for (i = 0; i < n; i++) {
        double t = s->in->vms[r[i].v].trust;

        if (t > 0 && t < out->trust) out->trust = t;
    }
    if (out->trust < 1 && out->benefit > 0) {
        out->distrust = out->benefit * (1 - out->trust);
        out->benefit -= out->distrust;
        if (out->du > 0) out->du *= out->trust;
    }
    out->net = out->benefit - out->cost - margin_of(s, out);
}

/* What the copies of a unit eval_gain weighed in full cost the VMs on
 * their hosts: its cost, its loss and its net gain then.  Only the cost
 * depends on them (trust discounts the benefit alone), so the two
 * together are the whole weighing, and a unit that cannot win on its
 * bound is never charged them. */
static void eval_losses(srch *s, evalr *out)
{
    int i;

    for (i = 0; i < out->n; i++) {
        out->cost += move_loss(s, out->r[i].v, out->from[i], out->r[i].to,
                               &out->c[i]);
        out->loss += out->c[i].loss;
    }
    out->net = out->benefit - out->cost - margin_of(s, out);
}

void bal__pls_eval_gain(srch *s, const rel *r, int n, evalr *out)
{
    eval_gain(s, r, n, out, false);
}

void bal__pls_eval_losses(srch *s, evalr *out)
{
    eval_losses(s, out);
}

void bal__pls_eval_unit(srch *s, const rel *r, int n, evalr *out)
{
    eval_gain(s, r, n, out, false);
    eval_losses(s, out);
}

/* ---- candidates -------------------------------------------------------------- */

int bal__pls_cand_hosts(srch *s, int v, int *hc, int k)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    int n = 0, i, j, got, tmp[MAX_K + 1];

    if (k > MAX_K) k = MAX_K;
    if (k < 1) k = 1;
    if (s->nh <= SMALL_H) {
        for (i = 0; i < s->nh; i++)
            if (i != s->host[v] && !s->in->hosts[i].drained) hc[n++] = i;
        return n;
    }
    for (j = 0; j <= HX_MEM; j++) {
        /* The room in each resource its type uses (a type of none, idle,
         * still loads the cores), and free memory for every VM. */
        if (j < HX_MEM && !bal__type_uses(vm->type, j / 2) &&
            !(j / 2 == BAL_RES_CPU && !bal__load_types[vm->type].uses))
            continue;
        got = htop_kept(s, j, j == HX_MEM ? (k + 1) / 2 : k + 1, tmp);
        for (i = 0; i < got; i++) {
            int h = tmp[i];

            if (h == s->host[v] || s->mark[h]) continue;
            s->mark[h] = 1;
            hc[n++] = h;
        }
    }
    /* Home, for a VM the plan moved: undoing is a unit like any. */
    if (bal__pls_moved(s, v) && !s->mark[s->p0[v]] &&
        !s->in->hosts[s->p0[v]].drained) {
        s->mark[s->p0[v]] = 1;
        hc[n++] = s->p0[v];
    }
    for (i = 0; i < n; i++) s->mark[hc[i]] = 0;
    return n;
}

/* Whether the cluster is tiny enough to weigh every swap. */
bool bal__pls_tiny(const srch *s)
{
    return s->nh <= TINY_H && s->nv <= TINY_V;
}

/* Hosts to look for a swap partner on, beyond the move candidates
 * (beyond tiny clusters), for a VM of a type that uses one resource: the
 * most loaded in each resource it does not use that some VM's type
 * uses. */
static int swap_hosts(srch *s, int v, int *out)
{
    const bal__pl_vm *vm = &s->in->vms[v];
    int n = 0, i, got, tmp[MAX_K + 1], j;

    if (bal__pls_tiny(s)) return 0;
    if (bal__type_nres(vm->type) != 1) return 0;
    for (j = 0; j < BAL_NRES; j++) {
        if (bal__type_uses(vm->type, j) || !s->used[j]) continue;
        got = htop_kept(s, HX_FULL(j), SWAP_HOSTS, tmp);
        for (i = 0; i < got; i++)
            if (tmp[i] != s->host[v] && !s->in->hosts[tmp[i]].drained)
                n = add_host(out, n, tmp[i]);
    }
    return n;
}

/* u's demand on what `like' needs, for picking swap partners that
 * leave room for it: summed over the resources like's type uses (every
 * one for a type of none), each as a fraction - the pCPUs of its vCPUs a
 * computer wants, the best path a reader, the best NIC a stream. */
static double need(const srch *s, int u, int like)
{
    const bal__pl_vm *x = &s->in->vms[u];
    bal_load_type t = s->in->vms[like].type;
    bool all = !bal__load_types[t].uses;
    double n = 0;

    if (all || bal__type_uses(t, BAL_RES_CPU))
        n += x->cpu / (double)x->vcpus;
    if (all || bal__type_uses(t, BAL_RES_IO)) n += s->m->e[u] / s->m->io_ref;
    if ((all || bal__type_uses(t, BAL_RES_NET)) && s->m->net_ref > 0)
        n += s->m->en[u] / s->m->net_ref;
    return n;
}

/* Whether v is one of a contended same-type pair where it is (the
 * benchmark's count, host_pairs).  Beyond tiny clusters such a VM also
 * weighs a swap with every VM of its hosts for swaps, taken only
 * when it parts a contended pair: such a pair may part only by a trade
 * no lighter partner makes (a smaller VM of its kind, where neither
 * host holds it beside what the other has). */
bool bal__pls_in_pair(const srch *s, int v)
{
    const bal__pl_host *hp = &s->in->hosts[s->host[v]];
    const double cap[BAL_NRES] = { hp->pcpus, hp->disk_Bps, hp->net_Bps };
    double d[BAL_NRES];
    int k[BAL_NRES], r, h = s->host[v];

    if (!s->side[h].pairs) return false;
    pair_load(s, v, d, k);
    for (r = 0; r < BAL_NRES; r++)
        if (k[r] && s->pk[r][h] > 1 && cap[r] > 0 &&
            s->pd[r][h] > cap[r] * (1 + 1e-9))
            return true;
    return false;
}

/* Whether the search looks on host hs[i] of v's (bal__pls_unit_hosts)
 * for swap partners for any unit that pays: on tiny clusters every
 * host; else the first move candidates and the hosts for swaps. */
bool bal__pls_swap_host(const srch *s, const int *hs, int nc, int i)
{
    if (s->in->hosts[hs[i]].drained) return false;
    return bal__pls_tiny(s) || i > nc || i <= SWAP_HOSTS;
}

/* Swap partners for v on host b: every VM there on tiny clusters; else
 * the few that want least of what v needs (more on small clusters).
 * With all (beyond tiny clusters, for one of a contended pair), every
 * other VM there after those, *nnorm_r of them being the first. */
int bal__pls_partners(srch *s, int v, int b, bool norm, bool all, int *out,
                      int *nnorm_r)
{
    const hlist *l = &s->hl[b];
    int n = 0, i, j, most = SWAP_PARTNERS;
    double nd[SWAP_PARTNERS], nu;   /* the needs of out[0..n) and of u */
    /* The lightest depend on b's VMs and v's type alone (need): kept
     * while b's version stands, for every VM of that type that asks. */
    pkept *kc = bal__pls_tiny(s) ? NULL
              : &s->pkc[(size_t)b * BAL_NTYPES + s->in->vms[v].type];

    if (norm && kc && kc->ver == s->ver[b]) {
        n = kc->n;
        memcpy(out, kc->u, (size_t)n * sizeof(int));
        norm = false;
    }
    for (i = 0; norm && i < l->n; i++) {
        int u = l->v[i];

        if (!bal__pls_movable(s, u)) continue;
        if (bal__pls_tiny(s)) {
            if (n < SWAP_PARTNERS_MAX) out[n++] = u;
            continue;
        }
        /* Insertion into the few lightest so far. */
        nu = need(s, u, v);
        for (j = n; j > 0 && nd[j - 1] > nu; j--)
            if (j < most) {
                out[j] = out[j - 1];
                nd[j] = nd[j - 1];
            }
        if (j < most) {
            out[j] = u;
            nd[j] = nu;
            if (n < most) n++;
        }
    }
    if (norm && kc) {
        kc->ver = s->ver[b];
        kc->n = n;
        memcpy(kc->u, out, (size_t)n * sizeof(int));
    }
    *nnorm_r = n;
    if (!all || bal__pls_tiny(s)) return n;
    for (i = 0; i < l->n && n < SWAP_PARTNERS_MAX; i++) {
        int u = l->v[i];

        if (!bal__pls_movable(s, u)) continue;
        for (j = 0; j < *nnorm_r && out[j] != u; j++) {}
        if (j == *nnorm_r) out[n++] = u;
    }
    return n;
}

long bal__pls_unit_dpairs(const srch *s, const rel *r, int n)
{
    int hs[MAXHU], nh = 0, i;
    long d = 0;

    for (i = 0; i < n; i++) {
        nh = add_host(hs, nh, s->host[r[i].v]);
        nh = add_host(hs, nh, r[i].to);
    }
    for (i = 0; i < nh; i++) d += pairs_after(s, hs[i], r, n) - s->side[hs[i]].pairs;
    return d;
}

/* Weighs r[0..n) as v's unit and keeps it in *best when it pays, is
 * fair, adds no contended pair (with part: parts one), fits every
 * constraint, and beats *best.
 * True when it is kept and its benefit reaches `bound', the most any
 * unit of the kind could bring: nothing after it can beat it. */
static bool consider(srch *s, const rel *r, int n, cand *best, double bound,
                     bool part)
{
    evalr e;
    double b0;
    long dp;
    int k;

    /* A unit that adds a contended pair is never kept (below), and one of
     * the wider search's must part one: both told by the pair counts
     * alone, before the water-fills.  Most units the later passes weigh
     * add one: every VM's candidates are the same few hosts with most
     * room, where VMs of its kind went in the passes before. */
    dp = bal__pls_unit_dpairs(s, r, n);
    if (dp > 0 || (part && dp >= 0)) return false;
    eval_gain(s, r, n, &e, true);
    b0 = e.benefit;
    /* Its cost is at least 0: a unit that cannot pay before it is
     * reckoned is not reckoned. */
    if (e.benefit - margin_of(s, &e) <= 0 || e.dpairs > 0 ||
        (part && e.dpairs >= 0))
        return false;
    if (bal__pls_unfair(&e)) {
        /* Fairness, not its numbers, stopped it: looser limits later
         * might let it through. */
        s->fair_hit = true;
        return false;
    }
    if (!bal__pls_better(e.benefit - margin_of(s, &e), e.spread, n, r,
                best->net, best->spread, best->n, best->r))
        return false;
    eval_losses(s, &e);
    if (!(e.net > 0)) return false;
    /* One of the wider search's: the pairs it parts let it off no
     * margin, and it owes two per migration (of many units weighed, one
     * that only pays its copy would be taken for any drift of the
     * demands: test_planner_props' calm promise). */
    if (part && !(e.benefit - e.cost > 2 * e.n * s->p->margin * e.W)) return false;
    if (!bal__pls_better(e.net, e.spread, n, r, best->net, best->spread, best->n, best->r))
        return false;
    if (bal__pls_unit_blocked(s, r, n, false) >= 0) return false;
    best->net = e.net;
    best->spread = e.spread;
    best->n = n;
    for (k = 0; k < MAXREL; k++) best->r[k] = k < n ? r[k] : (rel){ -1, -1 };
    best->nhost = e.nhost;
    for (k = 0; k < e.nhost; k++) {
        best->host[k] = e.host[k];
        best->ver[k] = s->ver[e.host[k]];
    }
    return b0 >= bound - 1e-9 * (1 + fabs(bound));
}

/* The hosts v's best unit is looked for on, own host first: what its
 * weighing depends on.  *nc_r: how many of them (after the first) are
 * move candidates; the rest are hosts only for swaps. */
int bal__pls_unit_hosts(srch *s, int v, int *out, int *nc_r)
{
    int nc, ns, i, sh[2 * SWAP_HOSTS + 2], n = 0;

    nc = bal__pls_cand_hosts(s, v, s->hc, s->p->search_k);
    ns = swap_hosts(s, v, sh);
    out[n++] = s->host[v];
    for (i = 0; i < nc; i++) out[n++] = s->hc[i];
    for (i = 0; i < ns; i++) n = add_host(out, n, sh[i]);
    *nc_r = nc;
    return n;
}

/* The fairness limits as they stand, for the record of v's weighing. */
static void fair_now(const srch *s, double *f)
{
    f[0] = s->floor;
    f[1] = s->pfloor;
    f[2] = s->hmin;
    f[3] = s->phmin;
    f[4] = s->nbelow;
    f[5] = s->pnbelow;
}

/* Whether the limits are now at least as strict as when v was weighed:
 * the same floors (what is below them on a host depends on them, either
 * way), and the least shares and the counts below the floors no lower
 * (each forbids more as it grows). */
static bool fair_stricter(const srch *s, int v)
{
    const double *kept = s->neg_fair + (size_t)v * NEG_FAIR;
    double f[NEG_FAIR];
    int i;

    fair_now(s, f);
    if (f[0] != kept[0] || f[1] != kept[1]) return false;
    for (i = 2; i < NEG_FAIR; i++)
        if (f[i] < kept[i]) return false;
    return true;
}


/* What v's last look, which found nothing that pays, still says: when
 * its own host and the fairness limits (or none of its units met them)
 * and the moves left against a budget stand, every host it looked at
 * that kept its version still offers nothing in the roles it was looked
 * at in (a move there, swaps there); those are marked in s->known (true
 * returned: K_MOVE, K_SWAP), and only the rest need weighing. */
static bool known_hosts(srch *s, int v)
{
    const int *nh = s->neg_h + (size_t)v * NEG_MAX;
    const uint32_t *nv = s->neg_ver + (size_t)v * NEG_MAX;
    int i, n = s->neg_n[v];

    if (n < 1 || nh[0] != s->host[v] || nv[0] != s->ver[s->host[v]] ||
        (s->neg_fairdep[v] && !fair_stricter(s, v)) ||
        (s->budget != INT_MAX && s->neg_moved[v] != s->ncorder))
        return false;
    for (i = 1; i < n; i++)
        if (s->ver[nh[i]] == nv[i]) s->known[nh[i]] = s->neg_role[(size_t)v * NEG_MAX + i];
    return true;
}

static void unmark(srch *s, int v)
{
    const int *nh = s->neg_h + (size_t)v * NEG_MAX;
    int i;

    for (i = 0; i < s->neg_n[v]; i++) s->known[nh[i]] = 0;
}

/* The most v's leaving its host can bring a unit, *bound_r (its host
 * without it, against as it is: where v goes its share is at most 1,
 * worth no more than nothing, and whoever arrives in its place only
 * crowds the others), and the contended pairs that leaving parts,
 * *dpairs_r (<= 0: an arrival only adds pairs). */
static void leave_bound(srch *s, int v, double *bound_r, long *dpairs_r)
{
    const hside *bef = &s->side[s->host[v]];
    rel r = { v, -1 };
    hside a;

    after_side(s, s->host[v], &r, 1, &a);
    *bound_r = a.suw - bef->suw;
    *dpairs_r = a.pairs - bef->pairs;
}

/* Whether a unit whose benefit is at most `bound' cannot pay even
 * before its copies are reckoned: its margin (margin_of) is at least
 * n_eff margins at weight W when n_eff, its migrations less the pairs
 * it parts at most, is not negative. */
static bool cannot_pay(const srch *s, double bound, long n_eff, double W)
{
    return n_eff >= 0 &&
           bound - (double)n_eff * s->p->margin * W < -1e-9 * (1 + fabs(bound));
}

/* v's best unit that pays, every constraint respected; best->n == 0:
 * none, remembered with the hosts looked at (so that a later look
 * weighs only what changed since). */
void bal__pls_best_unit(srch *s, int v, cand *best)
{
    int nc, nu, i, j, np, pt[SWAP_PARTNERS_MAX], hs[UNIT_HOSTS_MAX];
    bool known, swaps, all;
    rel r[2];
    double bv = INFINITY;       /* what v's leaving brings, at most */
    long pv = 0;

    memset(best, 0, sizeof(*best));
    best->net = 0;
    best->spread = -INFINITY;
    if (!bal__pls_movable(s, v) || s->in->hosts[s->host[v]].drained) {
        s->neg_n[v] = -1;
        return;
    }
    nu = bal__pls_unit_hosts(s, v, hs, &nc);
    known = known_hosts(s, v);
    s->fair_hit = known && s->neg_fairdep[v];
    if (nc > 0) {
        /* No move of v can bring more than its leaving brings its host:
         * where it goes, its share is at most 1 and its neighbours'
         * shares only fall.  A destination that reaches that ends the
         * look (the first such in the indexes' order: the most room). */
        for (i = 1; i <= nc; i++) {
            if (s->known[hs[i]] & K_MOVE) continue;
            if (!(bv < INFINITY)) {
                leave_bound(s, v, &bv, &pv);
                if (cannot_pay(s, bv, 1 + pv,
                               bal__dmax(s->maxw[s->host[v]], s->m->w[v])))
                    break;
            }
            r[0] = (rel){ v, hs[i] };
            if (consider(s, r, 1, best, bv, false)) break;
        }
    }
    /* Beyond tiny clusters, swaps only for a VM no move of which pays
     * (the paper's case: either move alone would crowd the other end);
     * on large ones, on the first move candidates and the hosts for
     * swaps.  And for one of a contended pair, with every VM of those
     * hosts, for a unit that parts a pair. */
    swaps = !(best->n > 0 && !bal__pls_tiny(s));
    all = s->wide && !bal__pls_tiny(s) && bal__pls_in_pair(s, v);
    for (i = 1; (swaps || all) && i < nu; i++) {
        int b = hs[i], nn;
        bool sh = bal__pls_swap_host(s, hs, nc, i);
        bool norm = swaps && !(s->known[b] & K_SWAP) && sh;

        if (!norm && (!all || (s->known[b] & K_PAIR) || !sh)) continue;
        np = bal__pls_partners(s, v, b, norm,
                               all && !(s->known[b] & K_PAIR), pt, &nn);
        for (j = 0; j < np; j++) {
            double bu;
            long pu;

            if (!(bv < INFINITY)) leave_bound(s, v, &bv, &pv);
            leave_bound(s, pt[j], &bu, &pu);
            if (cannot_pay(s, bv + bu, 2 + pv + pu,
                           bal__dmax(bal__dmax(s->maxw[s->host[v]], s->maxw[b]),
                                     bal__dmax(s->m->w[v], s->m->w[pt[j]]))))
                continue;
            r[0] = (rel){ v, b };
            r[1] = (rel){ pt[j], s->host[v] };
            consider(s, r, 2, best, INFINITY, j >= nn);
        }
    }
    /* And chains through its move candidates (planner_chain.c), weighed
     * afresh each time: they depend on more hosts than the look keeps. */
    if (all) bal__pls_chains(s, v, hs, nc, best);
    if (known) unmark(s, v);
    s->neg_n[v] = -1;
    if (best->n == 0 && nu <= NEG_MAX) {
        s->neg_n[v] = nu;
        s->neg_moved[v] = s->ncorder;
        fair_now(s, s->neg_fair + (size_t)v * NEG_FAIR);
        s->neg_fairdep[v] = s->fair_hit;
        /* Nothing paid: every move candidate was weighed as a move and
         * every host for swaps for swaps. */
        for (i = 0; i < nu; i++) {
            s->neg_h[(size_t)v * NEG_MAX + i] = hs[i];
            s->neg_ver[(size_t)v * NEG_MAX + i] = s->ver[hs[i]];
            s->neg_role[(size_t)v * NEG_MAX + i] =
                (i >= 1 && i <= nc ? K_MOVE : 0) |
                (i >= 1 && bal__pls_swap_host(s, hs, nc, i) ? K_SWAP : 0) |
                (i >= 1 && all && bal__pls_swap_host(s, hs, nc, i) ? K_PAIR : 0);
        }
    }
}

/* The screens and the weighing above, for the wide pass's chains
 * (planner_chain.c). */
long bal__pls_pairs_after(const srch *s, int h, const rel *r, int n)
{
    return pairs_after(s, h, r, n);
}

bool bal__pls_consider(srch *s, const rel *r, int n, cand *best,
                       double bound, bool part)
{
    return consider(s, r, n, best, bound, part);
}

void bal__pls_leave_bound(srch *s, int v, double *bound_r, long *dpairs_r)
{
    leave_bound(s, v, bound_r, dpairs_r);
}

bool bal__pls_cannot_pay(const srch *s, double bound, long n_eff, double W)
{
    return cannot_pay(s, bound, n_eff, W);
}

/* ---- taking a unit -------------------------------------------------------------- */

static int seq_add(srch *s, const seqe *e)
{
    if (s->nseq == s->capseq) {
        int nc = s->capseq ? s->capseq * 2 : 16;
        seqe *ns = realloc(s->seq, (size_t)nc * sizeof(*ns));

        if (!ns) return BAL_ENOMEM;
        s->seq = ns;
        s->capseq = nc;
    }
    s->seq[s->nseq++] = *e;
    return 0;
}

/* Counts (sign 1) or uncounts (-1) v's arrival at h, and which hosts
 * could not take all their arrivals at once. */
static void arrive_one(srch *s, int v, int h, int sign)
{
    int64_t f0 = s->in->hosts[h].free_kb;

    s->ntight -= s->arrive[h] > f0;
    s->arrive[h] += sign * (int64_t)s->in->vms[v].mem_kb;
    s->ntight += s->arrive[h] > f0;
}

/* Counts (sign 1) or uncounts (-1) the arrivals of the migrations in
 * o[0..m) of the unit's VMs, and which hosts could not take all their
 * arrivals at once. */
static void arrivals(srch *s, const cent *o, int m, const rel *r, int n,
                     int sign)
{
    int i;

    for (i = 0; i < m; i++)
        if (unit_to(r, n, o[i].v) >= 0) arrive_one(s, o[i].v, o[i].to, sign);
}

static int grow_migrations(srch *s)
{
    int nc = 2 * s->capc;
    cent *a = realloc(s->corder, (size_t)nc * sizeof(*a));

    if (!a) return BAL_ENOMEM;
    s->corder = a;
    a = realloc(s->cnext, (size_t)nc * sizeof(*a));
    if (!a) return BAL_ENOMEM;
    s->cnext = a;
    a = realloc(s->cpend, (size_t)nc * sizeof(*a));
    if (!a) return BAL_ENOMEM;
    s->cpend = a;
    {
        int *x = realloc(s->cnxt, (size_t)nc * sizeof(int));

        if (!x) return BAL_ENOMEM;
        s->cnxt = x;
    }
    s->capc = nc;
    return 0;
}

/* Runs the unit: the plan's migrations as compose says, then each
 * relocation in the order that fits, recorded as a step with the unit's
 * figures. */
int bal__pls_apply_unit(srch *s, const rel *r, int n, bool evac,
                      const evalr *e)
{
    int i, k, rc, first = 0, hs[MAXHU], nhs = 0, m, how;
    cent *t;

    (void)unit_fits(s, r, n, &first);
    if (compose_simple(s, r, n) || place_fits(s, r, n, first)) {
        /* In place, as compose would have it, without copying the rest:
         * a VM not moved yet gets its migration appended; one moved
         * before has its last migration end where it now goes, or lose
         * it when that is back where the migration started. */
        for (i = 0; i < n; i++) {
            const rel *x = &r[(first + i) % n];
            int v = x->v;

            if (s->nent[v] == 0) {
                s->corder[s->ncorder] = (cent){ v, s->host[v], x->to, -1 };
                arrive_one(s, v, x->to, 1);
                s->clast[v] = s->ncorder++;
                s->nent[v] = 1;
                continue;
            }
            k = s->clast[v];
            arrive_one(s, v, s->corder[k].to, -1);
            if (x->to != s->corder[k].from) {
                s->corder[k].to = x->to;
                arrive_one(s, v, x->to, 1);
                continue;
            }
            memmove(s->corder + k, s->corder + k + 1,
                    (size_t)(s->ncorder - k - 1) * sizeof(*s->corder));
            s->ncorder--;
            for (m = k; m < s->ncorder; m++)
                s->clast[s->corder[m].v] = m;
            if (--s->nent[v] > 0)
                for (m = k - 1; m >= 0; m--)
                    if (s->corder[m].v == v) {
                        s->clast[v] = m;
                        break;
                    }
        }
    } else {
        /* Not in place (just found): compose's other ways, without
         * asking that again. */
        compose_moved(s, r, n, first, true, &how, &m);
        arrivals(s, s->corder, s->ncorder, r, n, -1);
        arrivals(s, s->cnext, m, r, n, 1);
        t = s->corder;
        s->corder = s->cnext;
        s->cnext = t;
        s->ncorder = m;
        for (k = 0; k < n; k++) s->nent[r[k].v] = 0;
        for (i = 0; i < m; i++) {
            s->clast[s->corder[i].v] = i;
            if (unit_to(r, n, s->corder[i].v) >= 0) s->nent[s->corder[i].v]++;
        }
    }
    for (k = 0; k < n; k++) {
        const rel *x = &r[(first + k) % n];
        int v = x->v, a = s->host[v];
        seqe st;
        int64_t mem = (int64_t)s->in->vms[v].mem_kb;

        st.v = v;
        st.from = a;
        st.to = x->to;
        st.unit = s->unit;      /* 0, 1, ...: the unit's number */
        st.evac = evac;
        st.net = e->net;
        st.du = e->du;
        st.rate = e->rate;
        st.T = e->T;
        st.cost = e->cost;
        st.n = n + (int)e->dpairs;     /* the margins it owes */
        if ((rc = seq_add(s, &st))) return rc;
        /* Its last migration now ends where this step does. */
        if (s->nent[v] > 0) s->corder[s->clast[v]].seq = s->nseq - 1;
        hl_del(&s->hl[a], v);
        if ((rc = hl_add(&s->hl[x->to], v))) return rc;
        s->host[v] = x->to;
        s->free_kb[a] += mem;
        s->free_kb[x->to] -= mem;
        nhs = add_host(hs, nhs, a);
        nhs = add_host(hs, nhs, x->to);
    }
    for (i = 0; i < nhs; i++) host_refresh(s, hs[i]);
    s->unit++;
    /* Room for the next unit's migrations, split or not. */
    if (s->ncorder + MAXREL > s->capc) return grow_migrations(s);
    return 0;
}

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

/* ---- setup ------------------------------------------------------------------- */

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

void bal__pls_dispose(srch *s)
{
    int i, k;

    for (i = 0; i < s->nh; i++)
        if (s->hl) free(s->hl[i].v);
    free(s->hl);
    free(s->p0);
    free(s->host);
    free(s->share);
    free(s->pshare);
    free(s->work);
    free(s->free_kb);
    free(s->ver);
    for (k = 0; k < HX_N; k++) {
        free(s->key[k]);
        free(s->hx[k].a);
        free(s->hx[k].pos);
    }
    free(s->order);
    free(s->okey);
    free(s->pp_first);
    free(s->pp_list);
    free(s->seq);
    free(s->pop);
    free(s->side);
    free(s->maxw);
    for (k = 0; k < BAL_NRES; k++) {
        free(s->hload[k]);
        free(s->pd[k]);
        free(s->pk[k]);
    }
    free(s->memo);
    free(s->mc);
    free(s->mc_next);
    free(s->arrive);
    free(s->corder);
    free(s->cnext);
    free(s->cpend);
    free(s->cnxt);
    free(s->firstp);
    free(s->clast);
    free(s->nent);

    free(s->fr);
    free(s->neg_n);
    free(s->neg_moved);
    free(s->neg_fair);
    free(s->neg_fairdep);
    free(s->neg_h);
    free(s->neg_ver);
    free(s->neg_role);
    free(s->vpd);
    free(s->vpk);
    free(s->pkc);
    free(s->hc);
    free(s->mark);
    free(s->known);
    free(s->ta);
    free(s->tmp);
}

int bal__pls_init(srch *s, bal__pl_model *m, bal__pl_search_out *out)
{
    const bal__pl_input *in = m->in;
    size_t nh = (size_t)m->nh + 1, nv = (size_t)m->nv + 2;
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
    s->p0 = calloc(nv, sizeof(int));
    s->host = calloc(nv, sizeof(int));
    s->share = calloc(nv, sizeof(double));
    s->pshare = calloc(nv, sizeof(double));
    s->work = calloc(nv, sizeof(double));
    s->free_kb = calloc(nh, sizeof(int64_t));
    s->ver = calloc(nh, sizeof(uint32_t));
    s->order = calloc(nv, sizeof(int));
    s->okey = calloc(nv, sizeof(double));
    s->pop = calloc(nv, 1);
    s->side = calloc(nh, sizeof(*s->side));
    s->maxw = calloc(nh, sizeof(double));
    /* A host weighed after a change stands while it does; most reuse
     * is at once (one VM's own host, for each destination weighed), so
     * the memo is kept small enough to stay in the cache: larger, a
     * look-up costs more in misses than the few it finds save. */
    s->nmemo = 8192;
    s->memo = calloc(s->nmemo, sizeof(*s->memo));
    s->mc = calloc(nh * MC_WAYS, sizeof(*s->mc));
    s->mc_next = calloc(nh, sizeof(unsigned));
    s->arrive = calloc(nh, sizeof(int64_t));
    /* A VM migrates twice at most for each unit that moves it: room for
     * growth is made as the plan grows (grow_migrations). */
    s->capc = (int)nv + MAXREL;
    s->corder = calloc((size_t)s->capc, sizeof(*s->corder));
    s->cnext = calloc((size_t)s->capc, sizeof(*s->cnext));
    s->cpend = calloc((size_t)s->capc, sizeof(*s->cpend));
    s->cnxt = calloc((size_t)s->capc, sizeof(int));
    s->firstp = calloc(nv, sizeof(int));
    s->clast = calloc(nv, sizeof(int));
    s->nent = calloc(nv, sizeof(int));

    s->fr = calloc(nh, sizeof(int64_t));
    s->neg_n = calloc(nv, sizeof(int));
    s->neg_moved = calloc(nv, sizeof(int));
    s->neg_fair = calloc(nv * NEG_FAIR, sizeof(double));
    s->neg_fairdep = calloc(nv, 1);
    s->neg_h = calloc(nv * NEG_MAX, sizeof(int));
    s->neg_ver = calloc(nv * NEG_MAX, sizeof(uint32_t));
    s->neg_role = calloc(nv * NEG_MAX, 1);
    s->vpd = calloc(nv * BAL_NRES, sizeof(double));
    s->vpk = calloc(nv, 1);
    s->pkc = calloc(nh * BAL_NTYPES, sizeof(*s->pkc));
    s->hc = calloc(nh + MAX_K * 8, sizeof(int));
    s->mark = calloc(nh, 1);
    s->known = calloc(nh, 1);
    s->ta = calloc(nv, sizeof(int));
    s->tmp = calloc(nv, sizeof(double));
    if (!s->hl || !s->p0 || !s->host || !s->share ||
        !s->pshare || !s->work || !s->free_kb || !s->ver || !s->order ||
        !s->okey || !s->pop || !s->side || !s->maxw ||
        !s->memo || !s->mc || !s->mc_next || !s->arrive || !s->corder || !s->cnext || !s->cpend || !s->cnxt || !s->firstp || !s->clast || !s->nent || !s->fr ||
        !s->neg_n ||
        !s->neg_moved || !s->neg_fair || !s->neg_fairdep || !s->neg_h || !s->neg_ver || !s->neg_role ||
        !s->vpd || !s->vpk || !s->pkc || !s->hc || !s->mark || !s->known || !s->ta ||
        !s->tmp)
        return BAL_ENOMEM;
    for (k = 0; k < BAL_NRES; k++) {
        s->hload[k] = calloc(nh, sizeof(double));
        s->pd[k] = calloc(nh, sizeof(double));
        s->pk[k] = calloc(nh, sizeof(int));
        if (!s->hload[k] || !s->pd[k] || !s->pk[k]) return BAL_ENOMEM;
    }
    for (i = 0; i < s->nv; i++)
        for (k = 0; k < BAL_NRES; k++)
            s->used[k] |= bal__type_uses(in->vms[i].type, k);
    for (k = 0; k < HX_N; k++) {
        s->key[k] = calloc(nh, sizeof(double));
        s->hx[k].a = calloc(nh, sizeof(int));
        s->hx[k].pos = calloc(nh, sizeof(int));
        if (!s->key[k] || !s->hx[k].a || !s->hx[k].pos) return BAL_ENOMEM;
        s->hx[k].key = s->key[k];
        s->hx[k].sign = -1;     /* the most first */
    }
    if ((rc = pingpong_index(s))) return rc;
    for (i = 0; i < s->nh; i++) s->free_kb[i] = in->hosts[i].free_kb;
    for (i = 0; i < s->nv; i++) {
        s->neg_n[i] = -1;
        s->p0[i] = s->host[i] = in->vms[i].host;
        if ((rc = hl_add(&s->hl[s->host[i]], i))) return rc;
    }
    for (i = 0; i < s->nh; i++) {
        for (k = 0; k < HX_N; k++) {
            s->hx[k].pos[i] = -1;
            if (in->hosts[i].drained) continue;
            s->hx[k].pos[i] = s->hx[k].n;
            s->hx[k].a[s->hx[k].n++] = i;
        }
    }
    population(s);
    pair_loads_init(s);
    for (i = 0; i < s->nh; i++) host_refresh(s, i);
    bal__pls_set_floors(s);
    return 0;
}
