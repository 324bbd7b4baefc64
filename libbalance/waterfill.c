/*
 * waterfill.c - see waterfill.h.
 */
#include <stdlib.h>
#include <string.h>

#include "waterfill.h"

/* Ties broken by index: the same input gives the same order everywhere. */
static int pair_cmp(const void *a, const void *b)
{
    const bal__wf_pair *x = a, *y = b;

    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return x->i - y->i;
}

void bal__waterfill(double cap, const double *dem, double *alloc, int n,
                    bal__wf_pair *pr)
{
    bal__waterfill_w(cap, dem, NULL, alloc, n, pr);
}

void bal__waterfill_w(double cap, const double *dem, const double *w,
                      double *alloc, int n, bal__wf_pair *pr)
{
    double sum = 0, left = cap, wsum = 0;
    int i, k;

    for (i = 0; i < n; i++) sum += dem[i];
    if (sum <= cap) {
        memcpy(alloc, dem, (size_t)n * sizeof(*dem));
        return;
    }
    /* Sorted by demand per unit of weight: the order in which the level
     * meets them. */
    for (i = 0; i < n; i++) {
        pr[i].d = w ? dem[i] / w[i] : dem[i];
        pr[i].i = i;
        wsum += w ? w[i] : 0;
    }
    /* A host holds a handful of domains: insertion sort wins there. */
    if (n <= 16) {
        for (i = 1; i < n; i++) {
            bal__wf_pair x = pr[i];

            for (k = i; k > 0 && pair_cmp(&pr[k - 1], &x) > 0; k--)
                pr[k] = pr[k - 1];
            pr[k] = x;
        }
    } else {
        qsort(pr, (size_t)n, sizeof(*pr), pair_cmp);
    }
    if (w) {
        /* The smallest demands per weight are met in full while they are
         * under their weighted split of what is left; the rest all get
         * their weight's part of that split. */
        for (k = 0; k < n; k++) {
            int j = pr[k].i;
            double level = left / wsum;

            if (pr[k].d > level) {
                for (; k < n; k++) alloc[pr[k].i] = w[pr[k].i] * level;
                break;
            }
            alloc[j] = dem[j];
            left -= dem[j];
            wsum -= w[j];
        }
        return;
    }
    /* The smallest demands are met in full while they are under an equal
     * split of what is left; the rest all get that split. */
    for (k = 0; k < n; k++) {
        double share = left / (n - k);

        if (pr[k].d > share) {
            for (; k < n; k++) alloc[pr[k].i] = share;
            break;
        }
        alloc[pr[k].i] = pr[k].d;
        left -= pr[k].d;
    }
}
