/*
 * exec.h - the wave executor: runs a plan's waves in order through the
 * backend's migrate op.  Shared by the simulator's loop (simulate.c) and
 * `xl-balance rebalance' (rebalance.c), which hook in before and after
 * each wave: the simulator to record, a rebalance to check the live state,
 * journal and verify.  Pure: no Xen header.
 */
#ifndef BAL_EXEC_H
#define BAL_EXEC_H

#include "backend/backend.h"
#include "base/plan.h"

/* One wave as the hooks see it. */
typedef struct bal__exec_wave {
    int wave;                   /* its number in the plan */
    int n;                      /* the plan's moves in this wave */
    const bal__plan_move **pm;  /* them, in plan order */
    /* before: true for every move; a hook sets false to leave one out (it
     * is then not migrated and its result is not filled). */
    bool *run;
    /* after: the result of every move that ran (run[i]).  A wave the
     * backend could not start at all has every result's rc set to the
     * backend's code (nothing moved then). */
    bal__move_result *res;
} bal__exec_wave;

typedef struct bal__exec_hooks {
    void *opaque;
    /* Before a wave starts: 0 goes on, > 0 stops here (nothing of this
     * wave runs), < 0 is an error (returned).  NULL: go on. */
    int (*before)(void *opaque, bal__exec_wave *w);
    /* After it ended: 0 goes on, > 0 stops (no later wave runs), < 0 is an
     * error (returned).  NULL: go on. */
    int (*after)(void *opaque, bal__exec_wave *w);
} bal__exec_hooks;

/* Runs the plan's waves 0 .. nwaves-1 in order (an empty wave is
 * skipped), each through be->ops->migrate, logging one warning per failed
 * move.  Returns 0 when every wave ran or a hook stopped the run; the
 * hook's error; BAL_EBACKEND for a backend that cannot migrate; or the
 * backend's code when a wave could not be started at all (after the
 * `after' hook has seen it). */
int bal__exec_plan(bal_ctx *ctx, bal_backend *be, const bal__plan *plan,
                   const bal__exec_hooks *hooks);

#endif
