/*
 * rebalance.h - `xl-balance rebalance' inside the library: the one
 * planning entry point, the report, and the plan file (plan_json.c).
 * No Xen header.  The run itself is bal_rebalance (libbalance.h); how it
 * goes, step by step, is in doc/rebalance.md.
 */
#ifndef BAL_REBALANCE_H
#define BAL_REBALANCE_H

#include "journal.h"
#include "plan.h"
#include "plan_input.h"
#include "planner.h"
#include "status.h"

/* What the planner is asked for, beyond the configuration. */
typedef struct bal__rebalance_opts {
    int max_moves;              /* < 0: the configuration's max_moves */
    double horizon_s;           /* <= 0: the configuration's horizon */
    bool concurrent;            /* the planner's waves (max_per_host,
                                 * max_per_link); false: one migration at
                                 * a time, in the plan's order (the
                                 * paper's) */
    const bal__hist *hist;      /* earlier migrations: cooldown, ping-pong */
    int nhist;
    double now_s;               /* the clock of hist */
} bal__rebalance_opts;

void bal__rebalance_opts_init(bal__rebalance_opts *o);

/* THE planning step, of rebalance, plan and the simulator's balancer
 * alike: the planner's input from the status st (plan_input.c), the
 * plan (planner.h).  in and res are bal__pl_input_init'd /
 * bal__pl_result_init'd by the caller, filled only on success; est_r
 * (may be NULL) gets what the estimation made of each VM. */
int bal__make_plan_ex(bal_ctx *ctx, const struct bal_config *cfg,
                      const bal_status *st, const bal__rebalance_opts *opts,
                      bal__pl_input *in, bal__pl_result *res,
                      bal__pl_estimate **est_r);

/* What the plan predicted of each move. */
typedef struct bal__rb_pred {
    double gain_rate;           /* NAN: none */
    double mig_s;               /* its duration as it will run: in its
                                 * wave, or alone one at a time; NAN: none */
    double dirty_Bps;           /* the dirty rate the planner took for the
                                 * VM; NAN: unknown */
} bal__rb_pred;

/* bal__make_plan with every prediction: *pred_r (may be NULL) one per
 * move, malloc'd. */
int bal__make_plan_pred(bal_ctx *ctx, const struct bal_config *cfg,
                        const bal_status *st, const bal__rebalance_opts *opts,
                        bal__plan *out, bal__rb_pred **pred_r);

/* The same as a plan for execution: at most max_moves moves (never half
 * a swap: the planner counts a swap as two), in waves.  out is
 * bal__plan_init'd by the caller, filled only on success; *predicted_r
 * (may be NULL) one gain_rate per move, malloc'd. */
int bal__make_plan(bal_ctx *ctx, const struct bal_config *cfg,
                   const bal_status *st, const bal__rebalance_opts *opts,
                   bal__plan *out, double **predicted_r);

/* The state rebalance keeps, taken, as rebalance and migrate take it:
 * state_dir and lock_file checked (absolute paths), the state directory
 * opened (created 0700; journal.h), the lock taken (lock.h).  0 with
 * *dirfd_r open and *lockfd_r holding the lock; 0 with *lockfd_r == -1
 * (and *dirfd_r open) when another process holds it, which is logged.
 * Errors are logged, BAL_E*, nothing left open (both -1). */
int bal__state_take(bal_ctx *ctx, const struct bal_config *cfg,
                    int *dirfd_r, int *lockfd_r);

/* ---- the report ----------------------------------------------------------- */

typedef struct bal__rb_move {
    bal_rebalance_move pub;     /* its strings point into the fields below */
    bal__plan_move pm;          /* uuid, vm, from, to, wave, reason */
    char detail[512];
    uint64_t mem_kb;            /* from the planning sample; 0: unknown */
    double dirty_Bps;           /* the planner's, for observed_Bps */
    double dirty_obs_Bps;       /* the sender's measure (the result's);
                                 * NAN: none */
    bool before_valid;          /* pub's rates before are known */
} bal__rb_move;

typedef struct bal__rb_recovery {
    bal_rebalance_recovery pub;
    bal__move mv;
    char found[16];
    char detail[1024];
} bal__rb_recovery;

/* Adds a finished run's moves to STATE_DIR/counters (counters.c). */
int bal__counters_add(bal_ctx *ctx, int dirfd, const char *dir,
                      const bal_rebalance_report *rep);

struct bal_rebalance_report {
    bal_rebalance_outcome outcome;
    bal__rb_move *moves;        /* allocated once: pub's pointers hold */
    int nmoves;
    bal__rb_recovery *rec;
    int nrec;
};

/* ---- the plan file (plan_json.c) ----------------------------------------
 *   {"xl_balance_plan":1,"moves":[{"vm":NAME,"uuid":UUID,"from":HOST,
 *    "to":HOST,"wave":N,...}, ...]}
 * what `plan --json' and `rebalance --dry-run --json' print.  Other keys
 * are ignored (a plan carries its predictions); "reason" (a string) and
 * "gain_rate" (a number) are read when present. */

#define BAL__PLAN_FILE_MAX (16u << 20)  /* bytes */
#define BAL__PLAN_MAX_MOVES 10000
#define BAL__PLAN_MAX_WAVE 9999

/* Parses text[0..len).  Errors are one line "WHAT: JSON.PATH: what is
 * wrong" (BAL_EINVAL), outputs untouched.  The plan's moves come sorted
 * by wave (stable); *predicted_r (malloc'd, one per move, NAN when the
 * file has none) follows that order. */
int bal__plan_json_parse(bal_ctx *ctx, const char *what, const char *text,
                         size_t len, bal__plan *out, double **predicted_r);
/* The same from a file (named in the messages). */
int bal__plan_json_load(bal_ctx *ctx, const char *path, bal__plan *out,
                        double **predicted_r);
/* The plan as a plan file; predicted may be NULL.  *json_r malloc'd. */
int bal__plan_json_write(const bal__plan *p, const double *predicted,
                         char **json_r);

/* ---- offline planning (plan_report.c) -------------------------------------- */

#define BAL__CLUSTER_FILE_MAX (64u << 20)  /* bytes of a cluster file */

/* bal_plan_cluster once the file is read: the planner's JSON input in
 * text[0..len) (any bytes), planned with o; every refusal one line
 * naming `what' (the planner's too), every message free of control
 * characters whatever the input's names hold.  What the fuzzer runs. */
int bal__plan_cluster_text(bal_ctx *ctx, const char *what, const char *text,
                           size_t len, const bal_plan_options *o,
                           bal_plan_report **out);

#endif
