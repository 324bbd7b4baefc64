/*
 * planner_waves.c - the execution order (the paper's future work 1):
 * the search's moves grouped into waves that run at once, the waves one
 * after another.
 *
 * Limits: a wave holds at most max_per_host migrations touching one host
 * and max_per_link on one host pair.  Memory: during a wave every arrival
 * counts on its destination and no departure has freed anything yet;
 * departures free their memory when their wave ends.
 *
 * Placement: moves are taken in the search's order (a valid sequence:
 * each fits right after those before it, best first) and each goes to
 * the earliest wave where it fits and which it lengthens by no more than
 * it would take alone; else to a new wave after the last.  A new wave after the last always fits (the sequence says so),
 * so placement never dead-locks.  Running together is not free: streams
 * sharing a NIC or a link split it, and a dom0 copying two streams on
 * one pCPU copies each at half the speed - on the paper's one-pCPU hosts
 * two migrations at once take longer than one after the other.
 *
 * Durations: a move's stream gets its share of its link (the streams one
 * way on the pair split it), of the source's NIC sending and of the
 * destination's receiving, at most one pCPU of copying; each dom0 copies
 * all its streams of the wave with what the host leaves it (planner_cost
 * .c); the stream goes at the slower end's pace.  A wave lasts as long as
 * its longest migration.  While placing, a trial recomputes the moves at
 * the two hosts it touches (their far ends' dom0 as last computed); the
 * reported durations are computed afresh for every wave at the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planner_waves.h"

/* Values keyed by a 64-bit key: open addressing, never shrinks. */
typedef struct kmap {
    uint64_t *k;
    double *v;
    size_t cap;
} kmap;

static int kmap_init(kmap *m, size_t n)
{
    size_t cap = 16;

    while (cap < 4 * n + 16) cap *= 2;
    m->k = calloc(cap, sizeof(uint64_t));
    m->v = calloc(cap, sizeof(double));
    m->cap = cap;
    return m->k && m->v ? 0 : BAL_ENOMEM;
}

static void kmap_dispose(kmap *m)
{
    free(m->k);
    free(m->v);
}

/* The slot of key (stored plus one: 0 marks an empty slot); created. */
static double *kmap_at(kmap *m, uint64_t key)
{
    size_t i = (size_t)((key + 1) * 0x9e3779b97f4a7c15ull) & (m->cap - 1);

    while (m->k[i] && m->k[i] != key + 1) i = (i + 1) & (m->cap - 1);
    if (!m->k[i]) m->k[i] = key + 1;
    return &m->v[i];
}

static double kmap_get(const kmap *m, uint64_t key)
{
    size_t i = (size_t)((key + 1) * 0x9e3779b97f4a7c15ull) & (m->cap - 1);

    while (m->k[i] && m->k[i] != key + 1) i = (i + 1) & (m->cap - 1);
    return m->k[i] ? m->v[i] : 0;
}

/* A host's memory events: an arrival from its wave on, a departure from
 * the wave after its own. */
typedef struct mev {
    int wave;
    int64_t kb;                 /* > 0 arrival, < 0 departure */
    int next;                   /* next event of the host, -1 */
} mev;

typedef struct wave {
    int *mv;                    /* its moves (indices into the steps) */
    int n, cap;
    double dur;
} wave;

typedef struct wctx {
    bal__pl_model *m;
    const bal__pl_search_out *s;
    uint64_t nh;
    kmap cnt;                   /* (wave, host): migrations touching it */
    kmap snd, rcv;              /* (wave, host): streams sent, received */
    kmap lnk;                   /* (wave, pair): migrations on the pair */
    kmap dir;                   /* (wave, from, to): streams that way */
    kmap ext;                   /* (wave, host): dom0's copying, pCPUs */
    mev *ev;
    int *head, nev;
    wave *w;
    int nw;
    int *wv;                    /* each move's wave */
    double *dur;                /* each move's duration in its wave */
} wctx;

/* Keys: kinds apart by construction (each map has its own). */
static uint64_t khost(const wctx *c, int w, int h)
{
    return (uint64_t)w * c->nh + (uint64_t)h;
}

static uint64_t kpair(const wctx *c, int w, int a, int b)
{
    return ((uint64_t)w * c->nh + (uint64_t)a) * c->nh + (uint64_t)b;
}

/* Memory free on a host during wave `at'. */
static int64_t free_at(const mev *ev, int head, int64_t free0, int at)
{
    int64_t f = free0;
    int j;

    for (j = head; j >= 0; j = ev[j].next)
        if (ev[j].kb > 0 ? ev[j].wave <= at : ev[j].wave < at) f -= ev[j].kb;
    return f;
}

/* The least memory the host has free in any wave from k on: at k, or
 * where a later arrival starts to count (departures only add). */
static int64_t min_free_from(const mev *ev, int head, int64_t free0, int k)
{
    int64_t lo = free_at(ev, head, free0, k), f;
    int i;

    for (i = head; i >= 0; i = ev[i].next)
        if (ev[i].kb > 0 && ev[i].wave > k) {
            f = free_at(ev, head, free0, ev[i].wave);
            if (f < lo) lo = f;
        }
    return lo;
}

/* The stream's bandwidth before dom0: its shares of link and NICs. */
static double base_of(const wctx *c, int w, int a, int b)
{
    return bal__pl_base_bw(c->m, a, b, (int)kmap_get(&c->snd, khost(c, w, a)),
                           (int)kmap_get(&c->rcv, khost(c, w, b)),
                           (int)kmap_get(&c->dir, kpair(c, w, a, b)));
}

/* Move k's duration with base bandwidth `base' and its ends' dom0s asked
 * for ea and eb pCPUs of copying. */
static double dur_of(wctx *c, int k, double base, double ea, double eb)
{
    bal__pl_model *m = c->m;
    const bal__pl_step *st = &c->s->steps[k];
    int a = st->from, b = st->to;
    double ra, rb;
    bal__pl_precopy pc;

    ra = bal__pl_rates(m, a, m->p0_list + m->p0_first[a],
                       m->p0_first[a + 1] - m->p0_first[a], ea, NULL);
    rb = bal__pl_rates(m, b, m->p0_list + m->p0_first[b],
                       m->p0_first[b + 1] - m->p0_first[b], eb, NULL);
    bal__pl_vm_precopy(m, st->vm, base * bal__dmin(ra, rb), &pc);
    return pc.time_s;
}

/* Counts of move k in wave w, up (+1) or down (-1). */
static void count(wctx *c, int w, int k, int sign)
{
    const bal__pl_step *st = &c->s->steps[k];
    int a = st->from, b = st->to;
    int lo = a < b ? a : b, hi = a < b ? b : a;

    *kmap_at(&c->cnt, khost(c, w, a)) += sign;
    *kmap_at(&c->cnt, khost(c, w, b)) += sign;
    *kmap_at(&c->snd, khost(c, w, a)) += sign;
    *kmap_at(&c->rcv, khost(c, w, b)) += sign;
    *kmap_at(&c->lnk, kpair(c, w, lo, hi)) += sign;
    *kmap_at(&c->dir, kpair(c, w, a, b)) += sign;
}

/* dom0's copying at host h in wave w, from the moves there (and `plus'
 * when >= 0), each at its present base. */
static double extra_at(const wctx *c, int w, int h, int plus)
{
    const wave *wv = &c->w[w];
    double e = 0;
    int i;

    for (i = 0; i <= wv->n; i++) {
        int k = i < wv->n ? wv->mv[i] : plus;
        const bal__pl_step *st;

        if (k < 0) continue;
        st = &c->s->steps[k];
        if (st->from == h || st->to == h)
            e += c->m->p->migcpu * base_of(c, w, st->from, st->to) / BAL__PL_MB;
    }
    return e;
}

/* How much longer wave w gets with move k in it (k counted already):
 * the moves at k's two hosts recomputed, the others as they were. */
static double trial(wctx *c, int w, int k)
{
    const bal__pl_step *sk = &c->s->steps[k];
    int a = sk->from, b = sk->to, i;
    double ea = extra_at(c, w, a, k), eb = extra_at(c, w, b, k), mx = 0, d;
    const wave *wv = &c->w[w];

    for (i = 0; i <= wv->n; i++) {
        int j = i < wv->n ? wv->mv[i] : k;
        const bal__pl_step *st = &c->s->steps[j];
        double e1, e2;

        if (st->from != a && st->from != b && st->to != a && st->to != b) {
            d = c->dur[j];
        } else {
            e1 = st->from == a ? ea : st->from == b ? eb :
                 kmap_get(&c->ext, khost(c, w, st->from));
            e2 = st->to == a ? ea : st->to == b ? eb :
                 kmap_get(&c->ext, khost(c, w, st->to));
            d = dur_of(c, j, base_of(c, w, st->from, st->to), e1, e2);
        }
        if (d > mx) mx = d;
    }
    return mx - wv->dur;
}

/* After move k joined wave w: dom0's copying at its two hosts and the
 * moves there recomputed (their far ends as last computed). */
static void settle_near(wctx *c, int w, int k)
{
    wave *wv = &c->w[w];
    const bal__pl_step *sk = &c->s->steps[k];
    int a = sk->from, b = sk->to, i;
    double ea = extra_at(c, w, a, -1), eb = extra_at(c, w, b, -1);

    *kmap_at(&c->ext, khost(c, w, a)) = ea;
    *kmap_at(&c->ext, khost(c, w, b)) = eb;
    wv->dur = 0;
    for (i = 0; i < wv->n; i++) {
        int j = wv->mv[i];
        const bal__pl_step *st = &c->s->steps[j];

        if (st->from == a || st->from == b || st->to == a || st->to == b)
            c->dur[j] = dur_of(c, j, base_of(c, w, st->from, st->to),
                               kmap_get(&c->ext, khost(c, w, st->from)),
                               kmap_get(&c->ext, khost(c, w, st->to)));
        if (c->dur[j] > wv->dur) wv->dur = c->dur[j];
    }
}

/* Every move of wave w afresh: dom0's copying per host, then each. */
static void settle(wctx *c, int w)
{
    wave *wv = &c->w[w];
    int i;

    for (i = 0; i < wv->n; i++) {
        const bal__pl_step *st = &c->s->steps[wv->mv[i]];

        *kmap_at(&c->ext, khost(c, w, st->from)) = 0;
        *kmap_at(&c->ext, khost(c, w, st->to)) = 0;
    }
    for (i = 0; i < wv->n; i++) {
        const bal__pl_step *st = &c->s->steps[wv->mv[i]];
        double e = c->m->p->migcpu * base_of(c, w, st->from, st->to) / BAL__PL_MB;

        *kmap_at(&c->ext, khost(c, w, st->from)) += e;
        *kmap_at(&c->ext, khost(c, w, st->to)) += e;
    }
    wv->dur = 0;
    for (i = 0; i < wv->n; i++) {
        int k = wv->mv[i];
        const bal__pl_step *st = &c->s->steps[k];

        c->dur[k] = dur_of(c, k, base_of(c, w, st->from, st->to),
                           kmap_get(&c->ext, khost(c, w, st->from)),
                           kmap_get(&c->ext, khost(c, w, st->to)));
        if (c->dur[k] > wv->dur) wv->dur = c->dur[k];
    }
}

static bool fits(wctx *c, int w, int k)
{
    const bal__pl_params *p = c->m->p;
    const bal__pl_step *st = &c->s->steps[k];
    int a = st->from, b = st->to, lo = a < b ? a : b, hi = a < b ? b : a;

    if (kmap_get(&c->cnt, khost(c, w, a)) >= p->max_per_host ||
        kmap_get(&c->cnt, khost(c, w, b)) >= p->max_per_host ||
        kmap_get(&c->lnk, kpair(c, w, lo, hi)) >= p->max_per_link)
        return false;
    return min_free_from(c->ev, c->head[b], c->m->in->hosts[b].free_kb, w) >=
           (int64_t)c->m->in->vms[st->vm].mem_kb;
}

static int wave_add(wctx *c, int w, int k)
{
    wave *wv = &c->w[w];

    if (wv->n == wv->cap) {
        int nc = wv->cap ? wv->cap * 2 : 8;
        int *nm = realloc(wv->mv, (size_t)nc * sizeof(int));

        if (!nm) return BAL_ENOMEM;
        wv->mv = nm;
        wv->cap = nc;
    }
    wv->mv[wv->n++] = k;
    c->wv[k] = w;
    return 0;
}

int bal__pl_waves(bal__pl_model *m, const bal__pl_search_out *s,
                  bal__pl_result *r)
{
    const bal__pl_input *in = m->in;
    size_t n = (size_t)s->nsteps;
    wctx c;
    double *wave_s = NULL;
    int i, k, rc, *vmw = NULL;

    memset(&c, 0, sizeof(c));
    c.m = m;
    c.s = s;
    c.nh = (uint64_t)m->nh;
    rc = kmap_init(&c.cnt, 2 * n);
    if (!rc) rc = kmap_init(&c.snd, n);
    if (!rc) rc = kmap_init(&c.rcv, n);
    if (!rc) rc = kmap_init(&c.lnk, n);
    if (!rc) rc = kmap_init(&c.dir, n);
    if (!rc) rc = kmap_init(&c.ext, 2 * n);
    c.ev = calloc(2 * n + 1, sizeof(*c.ev));
    c.head = malloc(((size_t)m->nh + 1) * sizeof(int));
    c.w = calloc(n + 1, sizeof(*c.w));
    c.wv = calloc(n + 1, sizeof(int));
    c.dur = calloc(n + 1, sizeof(double));
    vmw = malloc(((size_t)m->nv + 1) * sizeof(int));
    if (rc || !c.ev || !c.head || !c.w || !c.wv || !c.dur || !vmw) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < m->nh; i++) c.head[i] = -1;
    /* A VM that migrates twice (planner_search.c, "the plan's
     * migrations") does so in two waves, in order. */
    for (i = 0; i < m->nv; i++) vmw[i] = -1;

    for (k = 0; k < s->nsteps; k++) {
        const bal__pl_step *st = &s->steps[k];
        int a = st->from, b = st->to, best = c.nw, w;
        int64_t kb = (int64_t)in->vms[st->vm].mem_kb;
        double alone, bestd;

        /* Alone in a new wave after the last: always possible. */
        count(&c, c.nw, k, +1);
        alone = dur_of(&c, k, base_of(&c, c.nw, a, b),
                       m->p->migcpu * base_of(&c, c.nw, a, b) / BAL__PL_MB,
                       m->p->migcpu * base_of(&c, c.nw, a, b) / BAL__PL_MB);
        count(&c, c.nw, k, -1);
        bestd = alone;
        for (w = vmw[st->vm] + 1; w < c.nw; w++) {
            double d;

            if (!fits(&c, w, k)) continue;
            count(&c, w, k, +1);
            d = trial(&c, w, k);
            count(&c, w, k, -1);
            /* Ties go to the earlier wave: the gain comes sooner. */
            if (d <= bestd * (1 + 1e-9)) {
                best = w;
                bestd = d;
                break;
            }
        }
        if (best == c.nw) c.nw++;
        vmw[st->vm] = best;
        count(&c, best, k, +1);
        if ((rc = wave_add(&c, best, k))) goto out;
        settle_near(&c, best, k);
        c.ev[c.nev] = (mev){ best, kb, c.head[b] };
        c.head[b] = c.nev++;
        c.ev[c.nev] = (mev){ best, -kb, c.head[a] };
        c.head[a] = c.nev++;
    }

    wave_s = calloc((size_t)c.nw + 1, sizeof(double));
    if (!wave_s) { rc = BAL_ENOMEM; goto out; }
    r->total_s = 0;
    for (i = 0; i < c.nw; i++) {
        settle(&c, i);
        wave_s[i] = c.w[i].dur;
        r->total_s += wave_s[i];
    }
    for (k = 0; k < s->nsteps; k++) {
        r->moves[k].wave = c.wv[k];
        r->moves[k].wave_mig_s = c.dur[k];
    }
    r->nwaves = c.nw;
    free(r->wave_s);
    r->wave_s = wave_s;
    wave_s = NULL;
    rc = 0;
out:
    kmap_dispose(&c.cnt);
    kmap_dispose(&c.snd);
    kmap_dispose(&c.rcv);
    kmap_dispose(&c.lnk);
    kmap_dispose(&c.dir);
    kmap_dispose(&c.ext);
    if (c.w)
        for (i = 0; i <= (int)n; i++) free(c.w[i].mv);
    free(c.w);
    free(c.ev);
    free(c.head);
    free(c.wv);
    free(c.dur);
    free(vmw);
    free(wave_s);
    return rc;
}
