/*
 * planner.h - the type-aware planner: which VMs to migrate where, in which
 * waves, and why.  Pure: plain structs in, plain structs out, no Xen
 * header, no I/O.  The model, every term of the objective and the search
 * are explained in doc/planner.md.
 *
 * In short: each host's pCPUs, disk path and dom0 are shared max-min
 * fairly (as the simulator does, doc/scenario-format.md "The model"); a
 * VM's share is the fraction of its demand it gets.  The objective is an
 * alpha-fair utility of the shares (bal__pl_util), each weighted by the
 * seconds its work counts.  Starting where the VMs are, the
 * search (planner_search.c) takes one unit at a time - a move or a swap
 * - that pays for its migrations from where the cluster then stands,
 * beyond a margin per migration, and pushes no VM whose share falls
 * below the fairness floor (the 10th percentile of heavy VMs' shares);
 * best first, until none does.  So the plan never lowers the worst-off
 * heavy VMs' shares or their 10th percentile, and a plan made from
 * where it ends proposes nothing.  Separating same-type VMs is not a
 * rule here: it is what fair sharing of a contended resource asks for.
 * Moves are then grouped into waves that run at once.
 */
#ifndef BAL_PLANNER_H
#define BAL_PLANNER_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/internal.h"
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
    double net_Bps;             /* NIC, each direction; 0: unknown */
    int64_t free_kb;            /* memory free for guests now, >= 0 */
    bool drained;               /* evacuate it; never a destination */
    uint32_t storage_mask;      /* the storages it reaches */
    double dom0_weight;         /* dom0's scheduler weight; 0: unknown,
                                 * taken as BAL__PL_WEIGHT_DEFAULT */
} bal__pl_host;

typedef struct bal__pl_vm {
    const char *uuid, *name;
    int host;                   /* index into the hosts */
    bal_load_type type;         /* which rate counts as its progress */
    bool heavy;                 /* counted in same-type collisions */
    /* Demands: what it would use alone on an idle host. */
    double cpu;                 /* pCPUs of computation, without the CPU
                                 * its I/O costs (params.iocpu adds it) */
    double io_Bps;              /* disk bytes/s; INFINITY: as fast as the
                                 * path goes (a sequential read) */
    uint32_t vcpus;             /* >= 1 */
    uint64_t mem_kb;            /* > 0 */
    double dirty_Bps;           /* page-dirtying rate, for pre-copy */
    double remaining_s;         /* runtime left at its present pace; < 0:
                                 * unknown (the horizon) */
    bool pinned;                /* never moved */
    int anti_group;             /* -1: none; two of a group never share a
                                 * host by our doing */
    uint32_t storage_mask;      /* storages its disks are on: it may go
                                 * only to hosts whose mask covers it */
    double cooldown_until_s;    /* > now_s: moved recently, leave it */
    double weight;              /* its scheduler weight, kept wherever it
                                 * runs; 0: unknown, taken as
                                 * BAL__PL_WEIGHT_DEFAULT */
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

typedef struct bal__pl_params {
    double now_s;
    double horizon_s;           /* how far ahead work counts, > 0 */
    int max_moves;              /* < 0: no limit */
    int max_per_host;           /* migrations a host takes part in at once */
    int max_per_link;           /* migrations on one host pair at once */
    double migcpu;              /* dom0 CPU-s per MB sent or received */
    double rtt_ms;              /* default link, through Table 2 */
    const double *link_Bps;     /* nhosts x nhosts, [from * n + to]; NULL:
                                 * every pair from rtt_ms; <= 0: no link */
    const double *learned_Bps;  /* nhosts x nhosts, [from * n + to]: > 0,
                                 * the pair's rate learned from measured
                                 * migrations (plan_input.c), which
                                 * replaces link, NICs and the one-pCPU
                                 * cap; NULL or <= 0: none learned */
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

/* The documented defaults (doc/planner.md, "Parameters"). */
void bal__pl_params_init(bal__pl_params *p);

typedef struct bal__pl_input {
    bal__pl_host *hosts;
    int nhosts;
    bal__pl_vm *vms;
    int nvms;
    bal__pl_history *history;
    int nhistory;
    bal__pl_params params;
    /* Storage the JSON reader owns (strings, the link matrix); the caller
     * building an input by hand leaves these empty. */
    char **owned;
    int nowned, capowned;
    double *links;
} bal__pl_input;

void bal__pl_input_init(bal__pl_input *in);
void bal__pl_input_dispose(bal__pl_input *in);

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
    BAL__PL_NWHY
} bal__pl_why;

/* "pinned", "cooldown", "memory", "storage", "anti-affinity",
 * "ping-pong", "no-link", "below-break-even", "max-moves", "partner",
 * "no-host", "fairness". */
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
    int collisions_after;       /* summed over hosts (cpu and io) */
    int stranded;               /* movable VMs left on drained hosts */
    int *placement;             /* every VM's host after the plan */
    int nvms;
    int passes;                 /* search passes run */
    long evaluations;           /* host scorings the search did */
} bal__pl_result;

void bal__pl_result_init(bal__pl_result *r);
void bal__pl_result_dispose(bal__pl_result *r);

/* Plans.  Invalid input (a VM on an unknown host, negative memory, a
 * duplicate UUID, a value out of range...) is logged as one line
 * "planner: what is wrong" and returns BAL_EINVAL with out untouched. */
int bal__planner_plan(bal_ctx *ctx, const bal__pl_input *in,
                      bal__pl_result *out);

/* The moves as a plan for execution (plan.h), by wave. */
int bal__pl_result_to_plan(const bal__pl_result *r, const bal__pl_input *in,
                           bal__plan *out);

/* ---- the model, for tests and for whoever wants to quote it ------------- */

/* Plain socket throughput for a round-trip time, bytes/s: the paper's
 * Table 2 (0/4/16/64 ms -> 840.2/609.61/151.79/104.29 Mbit/s), linear
 * between its points, flat beyond 64 ms (as the simulator). */
double bal__pl_link_from_rtt(double rtt_ms);

typedef struct bal__pl_precopy {
    double time_s;              /* the whole migration */
    double downtime_s;          /* the final stop-and-copy */
    double bytes;
    int rounds;                 /* the final copy included */
} bal__pl_precopy;

/* Pre-copy live migration of mem_bytes dirtied at dirty_Bps over bw_Bps:
 * round 1 sends everything, each next round what was dirtied during the
 * last, until less than stop_bytes is dirty or max_rounds rounds are
 * done; then the VM pauses for the final copy. */
void bal__pl_precopy_model(double mem_bytes, double dirty_Bps, double bw_Bps,
                           double stop_bytes, int max_rounds,
                           bal__pl_precopy *out);

/* The stream rate B that, fed to the pre-copy model with p's stop_bytes,
 * max_rounds and resume_s, reproduces a measured duration_s of a
 * migration of mem_bytes dirtied at dirty_Bps: the model inverted by
 * bisection (its duration falls as B grows).  NAN when nothing fits (no
 * memory, or a duration not above resume_s). */
double bal__pl_observed_Bps(const bal__pl_params *p, double mem_bytes,
                            double dirty_Bps, double duration_s);

/* Max-min fair share of cap among demands dem[0..n) (INFINITY allowed). */
void bal__pl_waterfill(double cap, const double *dem, double *alloc, int n);

/* A placement (place[v]: host of VM v) weighed from the model's
 * definitions, with no search bookkeeping: what tests compare the
 * search against.  *work_r: the work over the horizon, each migration's
 * cost paid (the report's objective_after); *util_r: the fair utility
 * once it is reached, the sum over VMs of w u(share); *stranded_r:
 * movable VMs left on drained hosts (each may be NULL).  BAL_EINVAL for
 * invalid input (logged as bal__planner_plan does). */
int bal__pl_evaluate(bal_ctx *ctx, const bal__pl_input *in, const int *place,
                     double *work_r, double *util_r, int *stranded_r);

/* The same for many placements of one input: the input checked (as
 * bal__planner_plan does) and the model built once (dispose it with
 * bal__pl_model_dispose), then each placement (valid host indices;
 * *err_r BAL_ENOMEM when out of memory). */
int bal__pl_model_check_init(bal_ctx *ctx, bal__pl_model *m,
                             const bal__pl_input *in);
double bal__pl_model_objective(bal__pl_model *m, const int *place,
                               double *util_r, int *stranded_r, int *err_r);

/* Heavy same-type collisions of a placement (NULL: the input's). */
int bal__pl_collisions(const bal__pl_input *in, const int *place);

/* ---- JSON --------------------------------------------------------------- */

/* Reads a planner input (doc/planner.md, "JSON") from text[0..len);
 * errors are logged as "WHAT: what is wrong" (BAL_EINVAL), out
 * untouched.  out must be bal__pl_input_init'd and empty. */
int bal__pl_input_parse_json(bal_ctx *ctx, const char *what, const char *text,
                             size_t len, bal__pl_input *out);

/* The result as one JSON document; *json_r malloc'd. */
int bal__pl_result_json(const bal__pl_result *r, const bal__pl_input *in,
                        char **json_r);

/* ---- shared by planner*.c only ------------------------------------------ */

/* What the model derives once from the input: per-VM weights and
 * effective demands, every VM's rate where it is, the hosts' VMs at the
 * start, scratch for scoring, and a per-host cache of what one
 * migration's dom0 load costs its VMs. */
struct bal__pl_model {
    const bal__pl_input *in;
    const bal__pl_params *p;
    int nh, nv;
    double io_ref;              /* largest path: caps unbounded demands */
    bool any_weight;            /* some domain's scheduler weight known */
    double *w;                  /* weight: seconds of its work that count */
    double *e;                  /* effective disk demand, bytes/s */
    double *f0;                 /* rate where it starts */
    double *cap_io;             /* each host's path capacity */
    int *p0_first, *p0_list;    /* VMs of host h at the start:
                                 * p0_list[p0_first[h] .. p0_first[h+1]) */
    /* Migration caches, per host: the migration work (pCPUs) dom0 was
     * asked for and the fraction it can do; the work it does and each
     * starting VM's rate lost then. */
    double *mc_extra, *mc_run0;
    double *mc_dextra, *mc_delta;
    /* Scratch of nv + 2 entries. */
    double *s_dem, *s_d, *s_want, *s_a, *s_frac, *s_tdem, *s_talloc;
    double *s_wt;               /* the domains' weights on the pCPUs */
    double *s_share;            /* each VM's share of its demand, by every
                                 * bal__pl_rates (frac is its work) */
    double *s0;                 /* share where it starts */
    double *s_pshare;           /* its plain share (max-min of the host's
                                 * pCPUs and path by the VMs' own demands,
                                 * no dom0, no CPU for I/O): what the
                                 * fairness figures count; by every
                                 * bal__pl_rates without extra */
    double *s_pdem, *s_palloc;  /* scratch for it */
    double *ps0;                /* plain share where it starts */
    void *s_pairs;
    long nevals;
};

int bal__pl_model_init(bal__pl_model *m, const bal__pl_input *in);
void bal__pl_model_dispose(bal__pl_model *m);

/* Rates of the n VMs idx[] together on host h with dom0 asked for extra
 * pCPUs of migration work: frac_r[i] (may be NULL: the model's scratch
 * s_frac), the work it does as a fraction of its demand (a mixed VM's
 * the mean of its two); its share of its demand into s_share[i] (a
 * mixed VM's the lesser of the two).  Returns the fraction of that work dom0 gets done (1 if
 * extra is 0). */
double bal__pl_rates(bal__pl_model *m, int h, const int *idx, int n,
                     double extra, double *frac_r);
/* Host h's term of J holding VMs idx[], its new state starting at tau. */
double bal__pl_score(bal__pl_model *m, int h, const int *idx, int n,
                     double tau);

/* What migrating VM v from its starting host src to dst costs. */
typedef struct bal__pl_cost {
    bool ok;                    /* false: no link between them */
    double bw;                  /* bytes/s the copy goes at */
    double extra;               /* dom0 pCPUs it uses at each end */
    double loss;                /* VM-seconds lost on both ends */
    bal__pl_precopy pc;
} bal__pl_cost;

void bal__pl_move_cost(bal__pl_model *m, int v, int src, int dst,
                       bal__pl_cost *out);
/* The link's own bandwidth between two hosts; <= 0: none. */
double bal__pl_link(const bal__pl_model *m, int a, int b);
/* bw before dom0's CPU share: link, both NICs (each shared by `share_a',
 * `share_b' migrations) and what one dom0 pCPU can copy; or, when the
 * pair has a learned rate (params.learned_Bps), that rate alone, shared
 * as the most shared of them. */
double bal__pl_base_bw(const bal__pl_model *m, int a, int b, int share_a,
                       int share_b, int share_link);

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

void bal__pl_search_out_dispose(bal__pl_search_out *s);
int bal__pl_search(bal__pl_model *m, bal__pl_search_out *out);

/* Groups the steps into waves (planner_waves.c); fills moves' wave,
 * wave_mig_s and the waves' durations in r. */
int bal__pl_waves(bal__pl_model *m, const bal__pl_search_out *s,
                  bal__pl_result *r);

/* Load types' share of a resource: whether VM v's progress is in it. */
bool bal__pl_uses_cpu(const bal__pl_vm *v);
bool bal__pl_uses_io(const bal__pl_vm *v);

#endif /* BAL_PLANNER_H */
