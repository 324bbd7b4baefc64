/*
 * planner_waves.h - the execution order (planner_waves.c): the search's
 * steps grouped into waves that run at once, and their durations.
 */
#ifndef BAL_PLANNER_WAVES_H
#define BAL_PLANNER_WAVES_H

#include "planner_cost.h"

/* Groups the steps into waves (planner_waves.c); fills moves' wave,
 * wave_mig_s and the waves' durations in r. */
int bal__pl_waves(bal__pl_model *m, const bal__pl_search_out *s,
                  bal__pl_result *r);

#endif /* BAL_PLANNER_WAVES_H */
