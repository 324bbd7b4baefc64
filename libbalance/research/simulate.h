/*
 * simulate.h - the balancer in the loop of a simulated cluster: one run
 * of a scenario, with or without balancing.
 */
#ifndef BAL_SIMULATE_H
#define BAL_SIMULATE_H

#include "libbalance-research.h"
#include "base/plan.h"
#include "backend/scenario.h"
#include "balance/history.h"
#include "backend/sim.h"

typedef struct bal__simrun_vm {
    char name[BAL__NAME_MAX];
    char uuid[BAL__UUID_LEN + 1];
    bal_load_type load;
    bool has_job;
    double completion_s;
    int host_start, host_end;
    bal__sim_point *pts;        /* its timeline, bounded (sim.h) */
    int npts;
} bal__simrun_vm;

typedef struct bal__simrun_mig {
    bal__move mv;
    bal__move_result r;
    int wave;
} bal__simrun_mig;

typedef struct bal__simrun {
    bool balanced;
    double rtt_ms, balance_at, end_s;
    bool concurrent;
    char **hosts;               /* names, by index */
    int nhosts;
    bal__simrun_vm *vms;
    int nvms;
    bal__simrun_mig *migs;
    int nmigs, amigs;
    /* The balancer's history, as rebalance keeps it in its history file
     * (bal__hist_make) and on the simulated clock: what its next plans
     * know of cooldowns and ping-pong, and learn links from. */
    bal__hist *hist;
    int nhist, ahist;
} bal__simrun;

void bal__simrun_init(bal__simrun *r);
void bal__simrun_dispose(bal__simrun *r);

/* Runs the scenario to the end of every job (at most max_s simulated
 * seconds): sample every cfg->interval, classify, and if balance, from
 * balance_at on, plan and migrate through the backend's ops. */
int bal__simulate_run(bal_ctx *ctx, const struct bal_config *cfg,
                      const bal_sim_options *o, bool balance, bool record,
                      bal__simrun *out);

#endif
