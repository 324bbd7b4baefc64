/*
 * rebalance.h - `xl-balance rebalance' inside the library: the one
 * planning entry point, the report, and the plan file (plan_json.c).
 * No Xen header.  The run itself is bal_rebalance (libbalance.h); how it
 * goes, step by step, is in doc/rebalance.md.
 */
#ifndef BAL_REBALANCE_H
#define BAL_REBALANCE_H

#include "journal.h"
#include "base/plan.h"
#include "balance/plan_input.h"
#include "balance/plan_json.h"
#include "balance/plan_step.h"
#include "planner/planner.h"
#include "observe/status.h"

/* The state rebalance keeps, taken, as rebalance and migrate take it:
 * state_dir and lock_file checked (absolute paths), the state directory
 * opened (created 0700; journal.h), the lock taken (lock.h).  0 with
 * *dirfd_r open and *lockfd_r holding the lock; 0 with *lockfd_r == -1
 * (and *dirfd_r open) when another process holds it, which is logged.
 * Errors are logged, BAL_E*, nothing left open (both -1). */
int bal__state_take(bal_ctx *ctx, const struct bal_config *cfg,
                    int *dirfd_r, int *lockfd_r);
/* The same for a verb that does nothing beside another run (migrate,
 * drain, pin): BAL_ELOCKED, nothing left open, when another process
 * holds the lock (which said who). */
int bal__state_take_excl(bal_ctx *ctx, const struct bal_config *cfg,
                         int *dirfd_r, int *lockfd_r);

/* A saved plan's moves (plan, checked against st by name) held to the
 * rules a plan made now keeps (apply_rules.c): why_r[i] "" when move i
 * is allowed, else one line saying which rule it breaks.  Errors are
 * logged, BAL_E*. */
#define BAL__APPLY_WHY_MAX 256
int bal__apply_rules(bal_ctx *ctx, const struct bal_config *cfg,
                     const bal_status *st, const bal__plan *plan,
                     char (*why_r)[BAL__APPLY_WHY_MAX]);

/* ---- the report ----------------------------------------------------------- */

typedef struct bal__rb_move {
    bal_rebalance_move pub;     /* its strings point into the fields below */
    bal__plan_move pm;          /* uuid, vm, from, to, wave, reason */
    char detail[512];
    uint64_t mem_kb;            /* from the planning sample; 0: unknown */
    bal__plan_pred pred;        /* the plan's; for a saved plan, none
                                 * but the dirty rate plan_input assumes */
    bal__move_result res;       /* the sender's, once it ran: for the
                                 * history (bal__hist_make) */
    bool before_valid;          /* pub's rates before are known */
} bal__rb_move;

typedef struct bal__rb_recovery {
    bal_rebalance_recovery pub;
    bal__move mv;
    char found[16];
    char detail[1024];
} bal__rb_recovery;

/* Adds a finished run's moves to STATE_DIR/counters (counters.c). */
#define BAL__COUNTERS_FILE "counters"
int bal__counters_add(bal_ctx *ctx, int dirfd, const char *dir,
                      const bal_rebalance_report *rep);

struct bal_rebalance_report {
    bal_rebalance_outcome outcome;
    bal__rb_move *moves;        /* allocated once: pub's pointers hold */
    int nmoves;
    bal__rb_recovery *rec;
    int nrec;
};

#endif
