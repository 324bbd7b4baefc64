/*
 * waterfill.h - max-min fair sharing ("water-filling"), the one rule both
 * the simulator (what happens) and the planner (what it predicts) share a
 * resource by.  Pure.
 */
#ifndef BAL_WATERFILL_H
#define BAL_WATERFILL_H

typedef struct bal__wf_pair {
    double d;
    int i;
} bal__wf_pair;

/* alloc[i] = min(dem[i], level), the level chosen so that the allocations
 * add up to cap, or every demand met when they fit.  Demands may be
 * INFINITY ("as much as it can get").  scratch holds n pairs. */
void bal__waterfill(double cap, const double *dem, double *alloc, int n,
                    bal__wf_pair *scratch);

/* The same with weights w[0..n) (> 0): alloc[i] = min(dem[i], w[i] *
 * level), as Xen's credit schedulers share a busy pCPU.  w NULL: equal,
 * exactly bal__waterfill. */
void bal__waterfill_w(double cap, const double *dem, const double *w,
                      double *alloc, int n, bal__wf_pair *scratch);

#endif
