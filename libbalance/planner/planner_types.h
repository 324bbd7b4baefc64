/*
 * planner_types.h - the planner's plain structs: its input (hosts, VMs,
 * history, parameters), its result (moves, the VMs that stay and why),
 * and what its files pass each other (a migration's cost, the search's
 * steps); and the few inline helpers every one of them uses.  Header
 * only: each planner file includes it, none owns it.
 */
#ifndef BAL_PLANNER_TYPES_H
#define BAL_PLANNER_TYPES_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/internal.h"
#include "base/loadtype.h"
#include "base/plan.h"

#define BAL__PL_MB 1e6          /* CPU costs are per 10^6 bytes */

/* min and max for the hot paths: fmin/fmax are library calls (they must
 * handle NaN, which the planner's checked input never holds). */
static inline double bal__dmin(double a, double b) { return a < b ? a : b; }
static inline double bal__dmax(double a, double b) { return a > b ? a : b; }

/* Shares below this count as this: log(0) is not a number, and a VM
 * that gets a ten-thousandth of its demand is starved either way. */
#define BAL__PL_SHARE_MIN 1e-4

/* A VM's fair utility at a share s of its demand, alpha-fair: log(s)
 * for alpha 1 (proportional fairness), (s^(1-alpha) - 1) / (1 - alpha)
 * else - the larger alpha, the more a starved VM's gain outweighs a
 * well-off one's (alpha 2: 1 - 1/s; to infinity: max-min). */
static inline double bal__pl_util(double alpha, double share)
{
    double s = share > BAL__PL_SHARE_MIN ? share : BAL__PL_SHARE_MIN;

    if (alpha == 1) return log(s);
    if (alpha == 2) return 1 - 1 / s;
    return (pow(s, 1 - alpha) - 1) / (1 - alpha);
}

typedef struct bal__pl_model bal__pl_model;

/* ---- input ---------------------------------------------------------------- */

typedef struct bal__pl_host {
    const char *name;
    uint32_t pcpus;             /* >= 1 */
    double disk_Bps;            /* disk path capacity, bytes/s, > 0 */
    double disk_iops;           /* requests/s it sustains; 0: no limit */
    double net_Bps;             /* NIC, bytes/s: its VMs' traffic and the
                                 * migration streams at it share it; 0:
                                 * unknown, no limit */
    int64_t free_kb;            /* memory free for guests now, >= 0 */
    bool drained;               /* evacuate it; never a destination */
    uint32_t storage_mask;      /* the storages it reaches */
    uint32_t must_mask;         /* the must_run_on host sets it is in */
    uint32_t should_mask;       /* the should_run_on host sets it is in */
    double dom0_weight;         /* dom0's scheduler weight; 0: unknown,
                                 * taken as BAL__PL_WEIGHT_DEFAULT */
} bal__pl_host;

typedef struct bal__pl_vm {
    const char *uuid, *name;
    int host;                   /* index into the hosts */
    bal_load_type type;         /* which rates count as its progress: those
                                 * of the resources its type uses */
    bool heavy;                 /* counted in same-type collisions */
    /* Demands: what it would use alone on an idle host. */
    double cpu;                 /* pCPUs of computation, without the CPU
                                 * its I/O costs (params.iocpu adds it) */
    double io_Bps;              /* disk bytes/s; INFINITY: as fast as the
                                 * path goes (a sequential read) */
    double net_Bps;             /* NIC bytes/s, received and sent;
                                 * INFINITY: as fast as the NIC goes (a
                                 * stream) */
    uint32_t vcpus;             /* >= 1 */
    uint64_t mem_kb;            /* > 0 */
    double dirty_Bps;           /* page-dirtying rate, for pre-copy */
    double wws_bytes;           /* writable working set: the most bytes it
                                 * dirties in one pre-copy round, pages
                                 * written again counting once; 0 or
                                 * INFINITY: no bound (all of memory) */
    double remaining_s;         /* runtime left at its present pace; < 0:
                                 * unknown (the horizon) */
    bool pinned;                /* never moved */
    int anti_group;             /* -1: none; two of a group never share a
                                 * host by our doing */
    uint32_t storage_mask;      /* storages its disks are on: it may go
                                 * only to hosts whose mask covers it */
    uint32_t must_mask;         /* its must_run_on host set (one bit, or
                                 * 0: none): it may run only on hosts
                                 * whose must_mask covers it, and leaves
                                 * one that does not as off a drained one */
    uint32_t should_mask;       /* its should_run_on host set (0: none):
                                 * the search moves it only to hosts whose
                                 * should_mask covers it; evacuated, to
                                 * one of those first */
    int together_group;         /* 0: none (so that a VM built by hand
                                 * with none set is in none); one of a
                                 * keep-together group (1, 2, ...)
                                 * moves only to where the rest of it
                                 * runs (those on drained hosts aside) */
    double cooldown_until_s;    /* > now_s: moved recently, leave it */
    double weight;              /* its scheduler weight, kept wherever it
                                 * runs; 0: unknown, taken as
                                 * BAL__PL_WEIGHT_DEFAULT */
    double trust;               /* (0, 1]: how well its past moves kept
                                 * their predictions (plan_input.c,
                                 * bal__learn_trust); what a unit moving
                                 * it is predicted to bring is taken at
                                 * this fraction; 0: unknown, as 1 */
} bal__pl_vm;

/* Xen's default credit/credit2 weight: what an unknown weight is taken
 * to be.  A host whose domains all weigh the same shares its pCPUs
 * equally, exactly as when no weight is known. */
#define BAL__PL_WEIGHT_DEFAULT 256

/* One migration done by an earlier run (the lead keeps these). */
typedef struct bal__pl_history {
    const char *uuid;
    const char *from, *to;      /* host names */
    double time_s;              /* on the params.now_s clock */
} bal__pl_history;

/* A host pair whose link is not rtt_ms's, or whose rate was learned
 * (params.links).  A list of the pairs that differ, not a matrix of
 * every pair: at 10,000 hosts a matrix of doubles is 800 MB. */
typedef struct bal__pl_pair {
    int from, to;               /* host indices */
    double Bps;                 /* the link's rate, one way; <= 0: none */
    double learned_Bps;         /* > 0: the pair's rate learned from
                                 * measured migrations (plan_input.c),
                                 * which replaces link, NICs and the
                                 * one-pCPU cap; 0: none learned */
    int learned_n;              /* the migrations it is the median of */
    int seq;                    /* order given (bal__pl_pairs_sort) */
} bal__pl_pair;

typedef struct bal__pl_params {
    double now_s;
    double horizon_s;           /* how far ahead work counts, > 0 */
    int max_moves;              /* < 0: no limit */
    int max_per_host;           /* migrations a host takes part in at once */
    int max_per_link;           /* migrations on one host pair at once */
    double migcpu;              /* dom0 CPU-s per MB sent or received */
    double rtt_ms;              /* default link, through Table 2 */
    const bal__pl_pair *links;  /* nlinks pairs, sorted by (from, to),
                                 * each once (bal__pl_pairs_sort); a pair
                                 * not listed: rtt_ms's rate, none
                                 * learned.  NULL: none listed */
    int nlinks;
    double stop_bytes;          /* pre-copy stops when less is dirty */
    double resume_s;            /* paused after the last copy (device
                                 * state, unpause) */
    int max_rounds;             /* pre-copy rounds before the final copy */
    double alpha;               /* the utility's fairness (1 to 8; 1:
                                 * proportional, bal__pl_util) */
    double margin;              /* fair utility each migration must add per
                                 * second beyond paying for itself, >= 0
                                 * (0.1: one VM's share up by about 10%) */
    double iocpu;               /* guest CPU-s per MB of its own I/O */
    double dom0cpu;             /* dom0 CPU-s per MB of its guests' I/O */
    double reqsize;             /* bytes per request, for disk_iops */
    double pingpong_s;          /* A->B->A refused within this window */
    int search_k;               /* candidate hosts per index and VM */
} bal__pl_params;

#define BAL__PL_MARGIN 0.1     /* margin's default */
#define BAL__PL_ALPHA 2         /* alpha's default */

typedef struct bal__pl_input {
    bal__pl_host *hosts;
    int nhosts;
    bal__pl_vm *vms;
    int nvms;
    bal__pl_history *history;
    int nhistory;
    bal__pl_params params;
    /* Storage the input owns (the JSON reader's strings; the pairs of
     * params.links); the caller building an input by hand leaves these
     * empty. */
    char **owned;
    int nowned, capowned;
    bal__pl_pair *links;
} bal__pl_input;

/* Whether VM v may not stay on host h: h is drained, or outside v's
 * must_run_on hosts.  Such a VM is evacuated (planner_search.c): first,
 * neither gated nor held by cooldown or ping-pong. */
static inline bool bal__pl_owed(const bal__pl_input *in, int v, int h)
{
    return in->hosts[h].drained ||
           (in->vms[v].must_mask & ~in->hosts[h].must_mask) != 0;
}

/* ---- output ------------------------------------------------------------- */

typedef enum bal__pl_why {
    BAL__PL_PINNED = 0,
    BAL__PL_COOLDOWN,
    BAL__PL_MEMORY,
    BAL__PL_STORAGE,
    BAL__PL_ANTI,
    BAL__PL_PINGPONG,
    BAL__PL_NOLINK,
    BAL__PL_BREAKEVEN,
    BAL__PL_MAXMOVES,
    BAL__PL_PARTNER,            /* the swap partner moved elsewhere */
    BAL__PL_NOHOST,             /* no other host at all */
    BAL__PL_FAIRNESS,           /* it would push a VM below the floor */
    BAL__PL_MUST,               /* outside its must_run_on hosts */
    BAL__PL_SHOULD,             /* outside its should_run_on hosts */
    BAL__PL_TOGETHER,           /* away from its keep-together group */
    BAL__PL_DRAINED,            /* onto a drained host */
    BAL__PL_TRUST,              /* it would pay but for its trust */
    BAL__PL_NWHY
} bal__pl_why;

/* "pinned", "cooldown", "memory", "storage", "anti-affinity",
 * "ping-pong", "no-link", "below-break-even", "max-moves", "partner",
 * "no-host", "fairness", "must-run-on", "should-run-on",
 * "keep-together", "drained", "low-trust". */
const char *bal__pl_why_name(bal__pl_why w);

typedef struct bal__pl_move {
    int vm, from, to;
    int wave;                   /* 0, 1, ...: waves run one after another */
    int unit;                   /* a swap's two moves share their unit */
    int seq;                    /* order the search took it in */
    bool evacuation;            /* off a drained host: not gated */
    double gain;                /* the unit's J gain, VM-seconds */
    double gain_rate;           /* the unit's throughput gain once done,
                                 * VM-equivalents (sum of rate changes) */
    double loss;                /* work lost while it migrates, VM-s */
    double mig_s;               /* its migration alone (the cost model) */
    double wave_mig_s;          /* its migration in its wave, sharing */
    double downtime_s;
    double bytes;               /* memory sent, all rounds */
    int rounds;                 /* pre-copy rounds, the final copy too */
    double break_even_s;        /* remaining runtime above which the unit
                                 * pays: T + loss / gain_rate */
    double vm_gain;             /* its own progress rate once the plan is
                                 * done over where it starts, minus 1 (the
                                 * model's): what the history compares
                                 * the realised gain with */
    char reason[160];
} bal__pl_move;

typedef struct bal__pl_reject {
    int vm;
    bal__pl_why why;
    int to;                     /* the best place it was weighed for */
    int partner;                /* a swap partner there, or -1 */
    double gain;                /* J gain there, VM-s (gate ignored) */
    double gain_rate, loss, mig_s, break_even_s;
    char detail[200];
} bal__pl_reject;

typedef struct bal__pl_result {
    bal__pl_move *moves;        /* by wave, then search order */
    int nmoves;
    bal__pl_reject *rejects;    /* by VM index */
    int nrejects;
    double *wave_s;             /* predicted duration of each wave */
    int nwaves;
    double total_s;             /* the plan's: the sum of its waves */
    double objective_before;    /* work over the horizon staying put, VM-s */
    double objective_after;     /* ... with the plan, its migrations paid */
    double utility_before;      /* sum of w u(share) staying put */
    double utility_after;       /* ... once the plan is done */
    double floor;               /* the fairness floor at the end: model */
    double pfloor;              /* ... and plain shares (s_pshare) */
    int collisions_before;      /* heavy same-type pairs beyond the first, */
    int collisions_after;       /* summed over hosts and resources */
    int stranded;               /* movable VMs left on drained hosts */
    int *placement;             /* every VM's host after the plan */
    int nvms;
    int passes;                 /* search passes run */
    long evaluations;           /* host scorings the search did */
} bal__pl_result;

typedef struct bal__pl_precopy {
    double time_s;              /* the whole migration */
    double downtime_s;          /* the final stop-and-copy */
    double bytes;
    int rounds;                 /* the final copy included */
} bal__pl_precopy;

/* What migrating VM v from its starting host src to dst costs. */
typedef struct bal__pl_cost {
    bool ok;                    /* false: no link between them */
    double bw;                  /* bytes/s the copy goes at */
    double extra;               /* dom0 pCPUs it uses at each end */
    double loss;                /* VM-seconds lost on both ends */
    bal__pl_precopy pc;
} bal__pl_cost;

/* One accepted unit of the search, and the search's outcome. */
typedef struct bal__pl_step {
    int vm, from, to;
    int unit;
    bool evacuation;
    double gain, gain_rate;     /* its unit's net utility and work gain */
    double du;                  /* its unit's utility rate gain */
    double break_even_s;        /* its unit's */
    bal__pl_cost cost;
    char reason[160];
} bal__pl_step;

typedef struct bal__pl_search_out {
    bal__pl_step *steps;        /* an order that fits step by step */
    int nsteps, capsteps;
    int *place;                 /* final host of every VM */
    bal__pl_reject *rejects;
    int nrejects, caprejects;
    int passes;
    double floor, pfloor;       /* the fairness floors at the end */
} bal__pl_search_out;

#endif /* BAL_PLANNER_TYPES_H */
