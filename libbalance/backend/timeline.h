/*
 * timeline.h - one VM's recorded timeline in the simulator, in bounded
 * memory.  Pure.
 *
 * Every simulated sub-step gives one point per VM; a small interval or a
 * long job gives millions.  A timeline keeps at most `max' of them: while
 * there is room, every point; past it, the points are put in buckets of
 * equal simulated time (the width doubling as the run grows) and each
 * bucket keeps only its first and last points and, for each of the three
 * rates, its lowest and highest (the earliest of equals): at most 8 (the
 * newest bucket, still filling, up to 4 times as many).  So
 * the first and last points, every extreme and the shape at the bucket's
 * scale stay, and a plot of the points (which keeps the same four per
 * pixel column) shows what a plot of them all would.  The kept points
 * are points of the run, unchanged: their cumulative work (cpu_ops,
 * io_bytes, net_bytes) gives the exact mean rate between any two of them,
 * which a sum of rate x dt over kept points would not once any is dropped.
 */
#ifndef BAL_TIMELINE_H
#define BAL_TIMELINE_H

#include <stdbool.h>

/* One VM over one step: the rates are averages over [t - dt, t]. */
typedef struct bal__sim_point {
    double t;               /* end of the step, seconds */
    double cpu_ops_s;       /* operations/s of its computation */
    double io_Bps;          /* disk bytes/s */
    double net_Bps;         /* bytes/s sent and received */
    int host;               /* where it ran (the source, while migrating) */
    bool migrating;         /* a migration of it was under way */
    bool paused;            /* it was stopped (last copy, resume) */
    double dt;              /* length of the step, seconds */
    /* Its work done by t (bal__sim_vm_work_done): operations, disk bytes,
     * bytes sent and received. */
    double cpu_ops, io_bytes, net_bytes;
} bal__sim_point;

/* The most points a bucket keeps: first, last, and the lowest and
 * highest of each rate. */
#define BAL__TL_BUCKET_MAX 8
/* The least `max' a timeline takes: two buckets' worth and the newest. */
#define BAL__TL_MIN (2 * BAL__TL_BUCKET_MAX + 1)

typedef struct bal__timeline {
    bal__sim_point *pts;    /* in time order */
    int n, cap;
    int max;                /* n never exceeds it */
    double t0, w;           /* buckets: [t0 + k w, t0 + (k + 1) w); w == 0:
                             * none yet, every point kept */
    long long tail_k;       /* the newest bucket, from pts[tail] on */
    int tail;
} bal__timeline;

/* max: the most points kept, at least BAL__TL_MIN (raised to it). */
void bal__timeline_init(bal__timeline *tl, int max);
void bal__timeline_dispose(bal__timeline *tl);
/* Appends p (its t not before the last point's).  BAL_ENOMEM: p is not
 * kept, the timeline is unchanged. */
int bal__timeline_add(bal__timeline *tl, const bal__sim_point *p);
/* Hands the points over (*pts_r malloc'd, NULL when none); tl is left
 * empty, as after _init with the same max. */
void bal__timeline_take(bal__timeline *tl, bal__sim_point **pts_r, int *n_r);

#endif /* BAL_TIMELINE_H */
