/*
 * waterfill.c - see waterfill.h.
 */
#include <stdlib.h>
#include <string.h>

#include "waterfill.h"

void bal__waterfill(double cap, const double *dem, double *alloc, int n,
                    bal__wf_pair *pr)
{
    bal__waterfill_w(cap, dem, NULL, alloc, n, pr);
}

/* bal__waterfill_w without weights: the same rounds, the same sums in
 * the same order (a weight of 1 each: every count is exact), on the
 * demands alone - no index to follow back, no weight to look up.  The
 * planner asks this several times for every host it weighs. */
static void waterfill_equal(double cap, const double *dem, double *alloc,
                            int n, bal__wf_pair *pr)
{
    double met = 0, level = cap / n;
    int i, j, na = n;

    for (i = 0; i < n; i++) pr[i].d = dem[i];
    for (;;) {
        int k = 0;

        for (j = 0; j < na; j++) {
            if (pr[j].d <= level) met += pr[j].d;
            else pr[k++].d = pr[j].d;
        }
        if (k == na || k == 0) break;
        na = k;
        level = (cap - met) / k;
    }
    for (i = 0; i < n; i++) alloc[i] = dem[i] < level ? dem[i] : level;
}

void bal__waterfill_w(double cap, const double *dem, const double *w,
                      double *alloc, int n, bal__wf_pair *pr)
{
    double sum = 0, met = 0, wsum = 0, level;
    int i, j, na = n;

    for (i = 0; i < n; i++) sum += dem[i];
    if (sum <= cap) {
        memcpy(alloc, dem, (size_t)n * sizeof(*dem));
        return;
    }
    if (!w) {
        waterfill_equal(cap, dem, alloc, n, pr);
        return;
    }
    /* The level L is where the demands met in full (those under their
     * weight's part of it, d/w <= L) and the weighted parts of the rest
     * add up to cap: met + L x wsum = cap.  Found from below: share
     * what is left among the unmet, and those whose demand that level
     * meets are met; their leftovers only raise the level, so a met
     * demand stays met, and when a round meets nobody L is found.  A
     * host holds up to a hundred domains whose demands fall in a few
     * groups, and the planner asks this millions of times: two or three
     * rounds over a shrinking list, no allocation. */
    for (i = 0; i < n; i++) {
        pr[i].d = w ? dem[i] / w[i] : dem[i];
        pr[i].i = i;
        wsum += w ? w[i] : 1;
    }
    level = cap / wsum;
    for (;;) {
        double wleft = 0;
        int k = 0;

        for (j = 0; j < na; j++) {
            if (pr[j].d <= level) {
                met += dem[pr[j].i];
            } else {
                wleft += w ? w[pr[j].i] : 1;
                pr[k++] = pr[j];
            }
        }
        if (k == na || k == 0) break;
        na = k;
        wsum = wleft;
        level = (cap - met) / wsum;
    }
    for (i = 0; i < n; i++) {
        double part = w ? w[i] * level : level;

        alloc[i] = dem[i] < part ? dem[i] : part;
    }
}
