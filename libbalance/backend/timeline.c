/*
 * timeline.c - see timeline.h: a VM's points, decimated by buckets of
 * simulated time once there are more than fit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "timeline.h"

void bal__timeline_init(bal__timeline *tl, int max)
{
    memset(tl, 0, sizeof(*tl));
    tl->max = max < BAL__TL_MIN ? BAL__TL_MIN : max;
}

void bal__timeline_dispose(bal__timeline *tl)
{
    free(tl->pts);
    bal__timeline_init(tl, tl->max);
}

void bal__timeline_take(bal__timeline *tl, bal__sim_point **pts_r, int *n_r)
{
    *pts_r = tl->pts;
    *n_r = tl->n;
    if (!tl->n) {
        free(tl->pts);
        *pts_r = NULL;
    }
    bal__timeline_init(tl, tl->max);
}

static long long bucket(const bal__timeline *tl, double t)
{
    return (long long)floor((t - tl->t0) / tl->w);
}

static double rate(const bal__sim_point *p, int r)
{
    return r == 0 ? p->cpu_ops_s : r == 1 ? p->io_Bps : p->net_Bps;
}

/* Reduces g[0..n), one bucket in time order, in place to its first and
 * last points and each rate's lowest and highest (the earliest of
 * equals, so that a flat stretch keeps its first point only), in time
 * order.  Returns how many it kept. */
static int reduce(bal__sim_point *g, int n)
{
    int idx[BAL__TL_BUCKET_MAX], k = 0, i, j, r, m = 0;

    idx[k++] = 0;
    idx[k++] = n - 1;
    for (r = 0; r < 3; r++) {
        int lo = 0, hi = 0;

        for (i = 1; i < n; i++) {
            if (rate(&g[i], r) < rate(&g[lo], r)) lo = i;
            if (rate(&g[i], r) > rate(&g[hi], r)) hi = i;
        }
        idx[k++] = lo;
        idx[k++] = hi;
    }
    /* In time order, each once (k is 8: insertion sort). */
    for (i = 1; i < k; i++)
        for (j = i; j > 0 && idx[j] < idx[j - 1]; j--) {
            int tmp = idx[j];

            idx[j] = idx[j - 1];
            idx[j - 1] = tmp;
        }
    for (i = 0; i < k; i++) {
        if (i && idx[i] == idx[i - 1]) continue;
        /* idx[i] >= m: moving down in place is safe. */
        if (idx[i] != m) g[m] = g[idx[i]];
        m++;
    }
    return m;
}

/* Every bucket of the present width reduced; the newest one noted. */
static void compact(bal__timeline *tl)
{
    int i = 0, j, out = 0, m;

    while (i < tl->n) {
        long long k = bucket(tl, tl->pts[i].t);

        for (j = i + 1; j < tl->n && bucket(tl, tl->pts[j].t) == k; j++) {}
        m = reduce(tl->pts + i, j - i);
        memmove(tl->pts + out, tl->pts + i, (size_t)m * sizeof(*tl->pts));
        tl->tail = out;
        tl->tail_k = k;
        out += m;
        i = j;
    }
    tl->n = out;
}

/* Past max: buckets of a width that leaves a quarter free, so that the
 * next decimation is many points away.  The first time, about max / 32
 * buckets over the points so far; after that the width doubles, which
 * merges buckets two by two (their edges stay where they were). */
static void shrink(bal__timeline *tl)
{
    if (tl->w == 0) {
        double span = tl->pts[tl->n - 1].t - tl->pts[0].t;
        int nb = tl->max / (4 * BAL__TL_BUCKET_MAX);

        tl->t0 = tl->pts[0].t;
        tl->w = span / (nb > 1 ? nb : 1);
        if (!(tl->w > 0) || !isfinite(tl->w)) tl->w = 1;
        compact(tl);
    }
    while (tl->n > tl->max - tl->max / 4) {
        tl->w *= 2;
        compact(tl);
    }
}

int bal__timeline_add(bal__timeline *tl, const bal__sim_point *p)
{
    if (tl->n == tl->cap) {
        int cap = tl->cap ? 2 * tl->cap : 64;
        bal__sim_point *np;

        if (cap > tl->max + 1) cap = tl->max + 1;
        np = realloc(tl->pts, (size_t)cap * sizeof(*np));
        if (!np) return BAL_ENOMEM;
        tl->pts = np;
        tl->cap = cap;
    }
    tl->pts[tl->n] = *p;
    if (tl->w > 0) {
        long long k = bucket(tl, p->t);

        if (k == tl->tail_k) {
            /* Into the newest bucket, reduced once it holds 4 buckets'
             * worth: a bucket ends with the points reducing at every one
             * would leave (the earliest extreme of a union is its first
             * part's, when there), for a reduction every 25 points, not
             * each. */
            if (++tl->n - tl->tail > 4 * BAL__TL_BUCKET_MAX)
                tl->n = tl->tail + reduce(tl->pts + tl->tail,
                                          tl->n - tl->tail);
        } else {
            tl->tail = tl->n++;
            tl->tail_k = k;
        }
    } else {
        tl->n++;
    }
    if (tl->n > tl->max) shrink(tl);
    return 0;
}
