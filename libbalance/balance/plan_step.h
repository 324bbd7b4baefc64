/*
 * plan_step.h - THE planning step, of `plan', `rebalance' and the
 * simulator's balancer alike: the planner's input from a status
 * (plan_input.c), the planner's result (planner/planner.h), and the plan
 * as migrations in waves with what it predicts of each.  Pure, but for
 * bal__plan_make_live (the history file, the clock).
 */
#ifndef BAL_PLAN_STEP_H
#define BAL_PLAN_STEP_H

#include "base/plan.h"
#include "history.h"
#include "plan_input.h"
#include "planner/planner.h"
#include "observe/status.h"

/* What the planner is asked for, beyond the configuration. */
typedef struct bal__plan_opts {
    int max_moves;              /* < 0: the configuration's max_moves */
    double horizon_s;           /* <= 0: the configuration's horizon */
    bool concurrent;            /* the planner's waves (max_per_host,
                                 * max_per_link); false: one migration at
                                 * a time, in the plan's order (the
                                 * paper's) */
    const bal__hist *hist;      /* earlier migrations: cooldown, ping-pong */
    int nhist;
    double now_s;               /* the clock of hist */
} bal__plan_opts;

void bal__plan_opts_init(bal__plan_opts *o);

/* The step's outcome: each caller takes what it needs. */
typedef struct bal__plan_step {
    bal__pl_input in;           /* the planner's input */
    bal__pl_result res;         /* and its result */
    bal__pl_estimate *est;      /* what the estimation made of each VM,
                                 * in the order of in.vms */
    bal__plan plan;             /* the moves, for execution: in waves, or
                                 * one a wave when not concurrent */
    bal__plan_pred *pred;       /* one per plan move (history.h) */
} bal__plan_step;

void bal__plan_step_init(bal__plan_step *s);
void bal__plan_step_dispose(bal__plan_step *s);

/* Plans the cluster of status st.  *step_r (bal__plan_step_init'd by the
 * caller) is replaced only on success; errors are logged, BAL_E*. */
int bal__plan_make(bal_ctx *ctx, const struct bal_config *cfg,
                   const bal_status *st, const bal__plan_opts *opts,
                   bal__plan_step *step_r);

/* The step of `plan' and `rebalance' on a dom0: with the migration
 * history of the configuration's state_dir (bal__plan_history: read,
 * never written) at the wall clock's time; max_moves and horizon_s as in
 * bal__plan_opts.  *hist_r (malloc'd) and *nhist_r are the caller's,
 * whatever the outcome. */
int bal__plan_make_live(bal_ctx *ctx, const struct bal_config *cfg,
                        const bal_status *st, int max_moves,
                        double horizon_s, bal__hist **hist_r, int *nhist_r,
                        bal__plan_step *step_r);

#endif /* BAL_PLAN_STEP_H */
