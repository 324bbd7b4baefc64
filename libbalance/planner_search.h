/*
 * planner_search.h - what the search's files share (planner_search.c,
 * planner_explain.c): its state and units.  Private to them.
 */
#ifndef BAL_PLANNER_SEARCH_H
#define BAL_PLANNER_SEARCH_H

#include "planner.h"

#define SMALL_H 24              /* up to this many hosts: every host is
                                 * a candidate, pairs always weighed */
#define TINY_H 8                /* up to this many: every VM of the
                                 * destination a partner, chains through
                                 * every host, and the widened search */
#define SMALL_N 24              /* ...for hosts of up to this many VMs */
#define TINY_V 10               /* the widened search: at most this many
                                 * VMs */
#define MAXREL 4                /* relocations in one unit */
#define MAXHU (3 * MAXREL)      /* hosts one unit can change */
#define WIDEN_EVALS 20000       /* units one widened round may weigh */
#define MAX_PASSES 64
#define MAX_K 64
#define EPS_RATE 1e-12

enum { R_CPU = 0, R_IO = 1 };

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

/* One relocation: VM v to host `to' (its origin: the move is undone). */
typedef struct rel {
    int v, to;
} rel;

typedef struct cand {
    double dj;
    int n;
    rel r[MAXREL];
    uint32_t ver[MAXHU];        /* versions of the hosts it depends on */
    int host[MAXHU], nhost;
    uint32_t gen;               /* its VM's entry generation */
} cand;

typedef struct evalr {
    double dj, rate;
    double key;                 /* dj, and VMs taken off drained hosts
                                 * first (big each): what is maximised */
    int n;
    rel r[MAXREL];
    bal__pl_cost c[MAXREL];     /* each relocation's new cost */
    int host[MAXHU], nhost;     /* the hosts it changes */
} evalr;

/* The plan as a sequence: each entry one VM from its origin to `to'. */
typedef struct seqe {
    int v, from, to, unit;
    bool alive, evac;
} seqe;

typedef struct srch {
    bal__pl_model *m;
    const bal__pl_input *in;
    const bal__pl_params *p;
    int nh, nv;
    int *p0;                    /* where each VM starts */
    int *host, *slot;           /* where it is in the plan, and its slot */
    hlist *hl;                  /* each host's VMs in the plan */
    hlist *touch;               /* moved VMs from or to each host */
    int *tslot0, *tslot1;       /* their slots in touch[p0], touch[host] */
    double *T, *loss;           /* each moved VM's migration time, loss */
    double *S, *fcur, *rcur;    /* host scores, VM rates, host rate sums */
    int64_t *free_kb;           /* as the plan leaves the hosts */
    uint32_t *ver;
    double *load[2];
    hheap hp[4];                /* min cpu, min io, max cpu, max io */
    cand *pq;
    int npq, cappq;
    int budget;                 /* moves left; each moved VM is one */
    int *pp_first, *pp_list;    /* hosts each VM may not go back to */
    seqe *seq;
    int nseq, capseq;
    int *stepi;                 /* each moved VM's live sequence entry */
    hlist *hseq;                /* sequence entries touching each host */
    int *ta;                    /* scratch host list */
    double *fa;                 /* scratch rates */
    int *hc, *hc2;              /* scratch: candidate hosts */
    unsigned char *mark;
    uint32_t *gen;              /* each VM's newest queue entry */
    int unit;
    double eps;                 /* gains below this are noise */
    double big;                 /* one VM off a drained host outweighs
                                 * any change of J */
    bool limited;               /* a pass limit ended the search */
    bal__pl_search_out *out;
} srch;

static inline bool bal__pls_moved(const srch *s, int v)
{
    return s->host[v] != s->p0[v];
}

static inline int64_t bal__pls_mem_of(const srch *s, int v)
{
    return (int64_t)s->in->vms[v].mem_kb;
}

/* planner_search.c */
int bal__pls_cand_hosts(srch *s, int v, int *hc, int k);
bool bal__pls_partner_ok(const srch *s, int v, int u, int nb);
void bal__pls_eval_unit(srch *s, const rel *r, int n, evalr *out);
int bal__pls_unit_blocked(srch *s, const rel *r, int n, bool evac, bool mem);

/* planner_explain.c */
int bal__pls_add_reject(srch *s, const bal__pl_reject *rj);
/* Why v, below its demand, stays (added to the rejects, or nothing). */
int bal__pls_explain(srch *s, int v);
/* The plan's live sequence as the search's output steps. */
int bal__pls_emit_steps(srch *s);

#endif /* BAL_PLANNER_SEARCH_H */
