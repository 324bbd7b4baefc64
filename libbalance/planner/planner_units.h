/*
 * planner_units.h - what the search's files share: its state and units
 * (planner_units.c), weighed and taken by the search (planner_search.c)
 * and explained (planner_explain.c).  Private to them.
 */
#ifndef BAL_PLANNER_UNITS_H
#define BAL_PLANNER_UNITS_H

#include "planner_cost.h"

#define SMALL_H 12              /* up to this many hosts: every host is a
                                 * candidate destination */
#define MAXREL 2                /* relocations in one unit: a move, a swap,
                                 * a chain (planner_chain.c) */
#define MAXHU (2 * MAXREL)      /* hosts one unit changes */
#define MAX_K 64
#define SWAP_HOSTS 4            /* beyond tiny clusters: hosts weighed for
                                 * swaps, among the move candidates and
                                 * again among the most loaded */
#define SWAP_PARTNERS 2         /* ...and partners on each */
#define SWAP_PARTNERS_MAX 64    /* ...on tiny ones, every VM (this many) */
#define TINY_H 8                /* tiny clusters: at most this many hosts */
#define TINY_V 48               /* ...and VMs: every swap weighed */
#define WIDE_H 200              /* the wide pass: clusters of at most
                                 * this many hosts (planner_search.c) */
#define MAX_PASSES 200
#define NEG_MAX 64              /* hosts a VM's "nothing pays" is kept for */
#define NEG_FAIR 6
enum { K_MOVE = 1, K_SWAP = 2, K_PAIR = 4 };

/* A share that moves by less than this has not moved (rounding). */
#define SHARE_EPS 1e-9

/* Candidate host indexes: per resource (bal_resource), the most room
 * (absolute and relative); the most free memory; and per resource the
 * least room (partners for swaps). */
#define HX_ABS(r) (2 * (r))
#define HX_REL(r) (2 * (r) + 1)
#define HX_MEM (2 * BAL_NRES)
#define HX_FULL(r) (HX_MEM + 1 + (r))
#define HX_N (HX_MEM + 1 + BAL_NRES)

typedef struct hlist {
    int *v;
    int n, cap;
} hlist;

/* An indexed binary min-heap of hosts on sign * key[h]. */
typedef struct hheap {
    int *a, *pos;               /* pos[h] < 0: not in it */
    int n;
    const double *key;
    double sign;
} hheap;

/* The walks of a binary heap kept in its owner's arrays, for the
 * planner's two: the hosts by a key (hheap, planner_units.c) and a pass's
 * VMs by their share (srch's order, planner_search.c).  less(c, i, j):
 * whether position i goes before position j; swap(c, i, j) exchanges them
 * and whatever follows them.  Inline and hot: where the callbacks are
 * known the compiler makes them direct calls and inlines those too. */
typedef bool bal__pls_heap_less(const void *c, int i, int j);
typedef void bal__pls_heap_swap(void *c, int i, int j);

/* Moves position i up to its place; returns that place. */
static inline int bal__pls_heap_up(void *c, int i, bal__pls_heap_less *less,
                                   bal__pls_heap_swap *swap)
{
    while (i > 0 && less(c, i, (i - 1) / 2)) {
        swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return i;
}

/* Moves position i of the n down to its place. */
static inline void bal__pls_heap_down(void *c, int n, int i,
                                      bal__pls_heap_less *less,
                                      bal__pls_heap_swap *swap)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, b = i;

        if (l < n && less(c, l, b)) b = l;
        if (r < n && less(c, r, b)) b = r;
        if (b == i) break;
        swap(c, i, b);
        i = b;
    }
}

/* One relocation: VM v to host `to'. */
typedef struct rel {
    int v, to;
} rel;

/* A unit weighed from the present placement. */
typedef struct evalr {
    int n;
    rel r[MAXREL];
    int from[MAXREL];
    int host[MAXHU], nhost;     /* the hosts it changes */
    double du;                  /* fair utility gained once done, per s */
    double benefit;             /* ... over the time it counts */
    double rate;                /* work gained once done, VMs */
    double cost;                /* utility lost while it copies */
    double loss;                /* work lost while it copies, VM-s */
    double T;                   /* its migrations, one after another */
    double W;                   /* the longest any of its VMs counts */
    double net;                 /* benefit - cost - margin: > 0 pays */
    double distrust;            /* benefit its VMs' trust took off */
    double trust;               /* the least trust of its VMs */
    double spread;              /* headroom gained (ties only) */
    long dpairs;                /* contended same-type pairs it adds */
    int victim;                 /* a VM whose share it would push below
                                 * the worst-off heavy VM's, or -1 */
    bool p10fall;               /* it would lower the 10th percentile */
    bal__pl_cost c[MAXREL];
} evalr;

/* A VM's best unit so far, with the hosts it changes. */
typedef struct cand {
    double net, spread;
    int n;
    rel r[MAXREL];
    int host[MAXHU], nhost;
    uint32_t ver[MAXHU];
} cand;

/* A host's VMs with work that counts, summed (planner_search.c,
 * side_sum): what weighing a unit needs of each host it changes. */
typedef struct hside {
    double su, suw;             /* sum of u(share), and weighted by w */
    double rate;                /* sum of work rates */
    double minw, maxw;          /* least and most w among them;
                                 * INFINITY, 0: none */
    double crowd;               /* sum of squared load fractions */
    long pairs;                 /* contended same-type pairs */
    int victim;                 /* a VM pushed below the worst-off's, or -1 */
    int nb, pnb;                /* VMs of the floors' population below
                                 * the floor, model and plain */
} hside;

/* A memo of hosts weighed after a change of at most one VM out and one
 * in, valid while the host's version and the floors' epoch stand. */
typedef struct memo_e {
    bool valid;
    int h, out, in;
    uint32_t ver, epoch;
    hside side;
} memo_e;

/* A host with dom0 copying (planner_search.c, host_copying). */
#define MC_WAYS 4
typedef struct mcost {
    bool valid;
    uint32_t ver;
    double extra, run;          /* the work asked, the fraction done */
    double du, dw;              /* lost per second: utility, work */
    double duw, dww;            /* ... times each VM's seconds */
    double minw, maxw;          /* the least and most of those seconds */
} mcost;

/* One of the plan's migrations: VM v from `from' to `to'; seq: the
 * search's step that last set where it goes (planner_search.c, "the
 * plan's migrations"). */
typedef struct cent {
    int v, from, to, seq;
} cent;

/* One accepted step of the search: VM v from `from' to `to'. */
typedef struct seqe {
    int v, from, to, unit;
    bool evac;
    double net, du, rate;       /* its unit's, when taken */
    double T, cost;
    int n;                      /* margins its unit owes: its relocations
                                 * less the contended pairs it parts */
} seqe;

/* An index's best hosts as htop gave them (planner_units.c, htop_kept),
 * while srch's hstamp stands. */
typedef struct hkept {
    uint32_t stamp;
    int k, n;
    int h[MAX_K + 1];
} hkept;

/* A host's lightest swap partners for a VM type (planner_units.c,
 * bal__pls_partners), while the host's version is ver (0: none yet). */
typedef struct pkept {
    uint32_t ver;
    int n;
    int u[SWAP_PARTNERS];
} pkept;

typedef struct srch {
    bal__pl_model *m;
    const bal__pl_input *in;
    const bal__pl_params *p;
    int nh, nv;
    int *p0;                    /* where each VM starts */
    int *host;                  /* where each VM is now */
    hlist *hl;                  /* each host's VMs now, by index */
    double *share, *work;       /* each VM's share and work rate now */
    int64_t *free_kb;           /* as the steps so far leave the hosts */
    uint32_t *ver;              /* bumped whenever a host changes */
    double *key[HX_N];          /* per host: room in pCPUs and as a
                                 * fraction, the same for the path and the
                                 * NIC, free memory, and the loads
                                 * (fractions) */
    hheap hx[HX_N];             /* the most of each key first */
    uint32_t hstamp;            /* bumped whenever a host changes */
    hkept htk[HX_N];            /* each index's best hosts at hstamp */
    int *order;                 /* a pass's VMs, the worst-off first: */
    double *okey;               /* a heap on their shares when pushed */
    int norder;
    int *pp_first, *pp_list;    /* hosts each VM may not go back to */
    seqe *seq;                  /* steps, in the order taken */
    int nseq, capseq;
    int budget;                 /* most migrations in the plan */
    int unit;
    /* Fairness (planner_search.c, set_floors): the population is the
     * heavy VMs (without one, every VM with work that counts).  The
     * floor is its 10th percentile (nearest rank: the kq+1-th least);
     * hmin its least.  No unit may leave more than kq of it below the
     * floor, nor push any VM whose share falls below hmin: neither the
     * least nor the 10th percentile ever falls.  Each on the model's
     * shares and, the p- ones, on the plain shares. */
    double floor, pfloor, hmin, phmin;
    int kq, nbelow, pnbelow;
    unsigned char *pop;         /* in the floors' population */
    double *pshare;             /* each VM's plain share now */
    uint32_t epoch;             /* bumped whenever the floors are set */
    hside *side;                /* each host as it is */
    double *maxw;               /* the most any VM on a host counts */
    double *hload[BAL_NRES];    /* each host's loads: pCPUs, bytes/s of
                                 * the path and of the NIC */
    memo_e *memo;
    unsigned nmemo;             /* a power of 2 */
    mcost *mc;                  /* MC_WAYS per host */
    unsigned *mc_next;
    int64_t *arrive;            /* memory the plan's migrations bring to
                                 * each host */
    int ntight;                 /* hosts whose arrivals exceed what they
                                 * had free at the start */
    cent *corder;               /* the plan's migrations, in an order that
                                 * fits (planner_search.c, compose) */
    int ncorder, capc;
    cent *cnext, *cpend;        /* scratch of capc for the next order */
    int *clast;                 /* each VM's last migration in corder */
    int *nent;                  /* each VM's migrations */
    int *cnxt, *firstp;         /* scratch for first fit: capc, nv */
    int64_t *fr;                /* scratch: nh */
    double *pd[BAL_NRES];       /* each host's plain demands on each
                                 * resource, and its heavy VMs contending
                                 * for each */
    int *pk[BAL_NRES];
    double *vpd;                /* each VM's plain demands (BAL_NRES a VM) */
    unsigned char *vpk;         /* ...and the resources it counts in pairs
                                 * on, a bit each (planner_units.c,
                                 * pair_load) */
    pkept *pkc;                 /* BAL_NTYPES a host */
    bool used[BAL_NRES];        /* some VM's type uses the resource */
    /* Each VM's last weighing that found nothing to pay (planner_search.c,
     * nothing_new): the hosts it looked at and their versions, the floor
     * and the moves taken then; neg_n[v] < 0: none kept. */
    int *neg_n, *neg_moved;
    double *neg_fair;           /* floor, pfloor, hmin, phmin, nbelow,
                                 * pnbelow then: NEG_FAIR per VM */
    unsigned char *neg_fairdep; /* whether fairness stopped one of its
                                 * units (else the limits do not matter) */
    bool fair_hit;              /* ...while weighing the present VM */
    int *neg_h;
    uint32_t *neg_ver;
    unsigned char *neg_role;    /* K_MOVE, K_SWAP: how each was looked at */
    bool limited;               /* max_moves stopped a unit */
    bool wide;                  /* the wide pass (planner_search.c): one
                                 * of a contended pair weighs a swap with
                                 * every VM of its hosts for swaps */
    int *hc;                    /* scratch: candidate hosts */
    unsigned char *mark;
    unsigned char *known;       /* hosts a VM's last look still answers */
    int *ta;                    /* scratch host list */
    double *tmp;                /* scratch: nv */
    bal__pl_search_out *out;
} srch;

static inline bool bal__pls_moved(const srch *s, int v)
{
    return s->host[v] != s->p0[v];
}

/* planner_search.c */
int bal__pls_cand_hosts(srch *s, int v, int *hc, int k);
/* The units v's best is looked for among (planner_search.c, best_unit;
 * planner_explain.c reports from the same): into out, own host first,
 * then *nc_r move candidates, then hosts only for swaps (returns how many
 * in all, at most UNIT_HOSTS_MAX); whether out[i] is a host to look for
 * a swap partner on; and the partners on host b (at most
 * SWAP_PARTNERS_MAX; norm: b is such a host). */
#define UNIT_HOSTS_MAX (1 + MAX_K * 8 + 2 * SWAP_HOSTS + 2)
int bal__pls_unit_hosts(srch *s, int v, int *out, int *nc_r);
bool bal__pls_swap_host(const srch *s, const int *hs, int nc, int i);
int bal__pls_partners(srch *s, int v, int b, bool norm, bool all, int *out,
                      int *nnorm_r);
/* Whether v is one of a contended same-type pair where it is: its
 * partners are then all (bal__pls_partners), the rest of them for units
 * that part a contended pair. */
bool bal__pls_in_pair(const srch *s, int v);
/* Whether the cluster is tiny enough to weigh every swap (TINY_H, TINY_V). */
bool bal__pls_tiny(const srch *s);
void bal__pls_eval_unit(srch *s, const rel *r, int n, evalr *out);
/* h's contended same-type pairs once r[0..n) are done, from the counts
 * alone (no water-fill): the cheap screen of units. */
long bal__pls_pairs_after(const srch *s, int h, const rel *r, int n);
/* Weighs r[0..n) as a VM's unit and keeps it in *best when it pays, is
 * fair, fits every constraint and beats *best (with part: only one that
 * parts a contended pair, at two margins a migration); true when its
 * benefit reaches `bound' (nothing after it can beat it). */
bool bal__pls_consider(srch *s, const rel *r, int n, cand *best,
                       double bound, bool part);
/* bal__pls_eval_unit in two: the gain (cost 0, so net a bound: the cost
 * only lowers it), then what its copies cost, which completes it. */
void bal__pls_eval_gain(srch *s, const rel *r, int n, evalr *out);
void bal__pls_eval_losses(srch *s, evalr *out);
/* The contended pairs r[0..n) adds (< 0: parts), from the counts alone:
 * a weighed unit's dpairs, without weighing it. */
long bal__pls_unit_dpairs(const srch *s, const rel *r, int n);
/* Every constraint on a unit but the gate and the floor; -1: it may
 * run.  A partner's refusal is BAL__PL_PARTNER. */
int bal__pls_unit_blocked(srch *s, const rel *r, int n, bool evac);
bool bal__pls_movable(const srch *s, int v);
/* Whether the weighed unit would push a VM below the worst-off's share
 * or lower a 10th percentile (srch, the floors). */
bool bal__pls_unfair(const evalr *e);

/* The search's state for model m, writing into out; disposed of by
 * bal__pls_dispose whatever the result. */
int bal__pls_init(srch *s, bal__pl_model *m, bal__pl_search_out *out);
void bal__pls_dispose(srch *s);
/* The fairness floors as the cluster now stands (a pass sets them). */
void bal__pls_set_floors(srch *s);
/* Whether a unit (net gain, headroom, relocations) beats the best so far:
 * the deterministic order of units. */
bool bal__pls_better(double net, double spread, int n, const rel *r,
                     double bnet, double bspread, int bn, const rel *br);
/* v's best unit that pays and is allowed; best->n == 0: none. */
void bal__pls_best_unit(srch *s, int v, cand *best);
/* Takes the weighed unit e of r[0..n) (evac: owed to a drained host). */
int bal__pls_apply_unit(srch *s, const rel *r, int n, bool evac,
                        const evalr *e);
/* The most v's leaving its host can bring a unit, *bound_r, and the
 * contended pairs that leaving parts, *dpairs_r (planner_units.c). */
void bal__pls_leave_bound(srch *s, int v, double *bound_r, long *dpairs_r);
/* Whether a unit whose benefit is at most `bound' cannot pay n_eff
 * margins at weight W, before its copies are reckoned. */
bool bal__pls_cannot_pay(const srch *s, double bound, long n_eff, double W);
/* planner_chain.c: the wide pass's chains for v, one of a contended
 * pair - a VM of a host v could go to moves on to make room, then v
 * moves there - kept in *best as bal__pls_consider keeps units; hs[1..nc]
 * are v's move candidates (bal__pls_unit_hosts). */
void bal__pls_chains(srch *s, int v, const int *hs, int nc, cand *best);
/* Adds a VM that stays, and why, to the search's output. */
int bal__pls_add_reject(srch *s, const bal__pl_reject *rj);

#endif /* BAL_PLANNER_UNITS_H */
