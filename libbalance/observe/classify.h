/*
 * classify.h - a VM's load type from its smoothed rates.  Pure.
 * The rules are in the README ("Load types").
 */
#ifndef BAL_CLASSIFY_H
#define BAL_CLASSIFY_H

#include <stdbool.h>

#include "base/internal.h"
#include "base/loadtype.h"

/* Levels are indexed by bal_resource: level[BAL_RES_CPU] is the CPU used
 * over min(vcpus, pcpus), level[BAL_RES_IO] the disk path's fraction,
 * level[BAL_RES_NET] the NIC's (status.c, bal__levels). */
typedef struct bal__class_state {
    bool init;
    double level[BAL_NRES];     /* EWMA */
    bal_load_type type;         /* the type reported */
    bal_load_type pending;      /* a candidate type not yet held long */
    int pending_n;
    /* Observed seconds behind the levels, time-decayed: at most the
     * window (type_window), what status shows. */
    double seen_s;
    /* The levels stand on a history kept across runs (obsfile.c): each
     * interval then weighs by its length in the time-decayed window
     * rather than by ewma_alpha per sample. */
    bool windowed;
    double weight;              /* the newest interval's in the levels */
} bal__class_state;

void bal__class_state_init(bal__class_state *st);
/* The type of one (already smoothed) set of levels, no memory. */
bal_load_type bal__classify_levels(const bal__class_params *p,
                                   const double *level);
/* The time-decayed window's step for an interval of dt_s seconds whose
 * exact average is to be added to an average standing on *seen_s
 * seconds: *seen_s becomes seen e^(-dt/w) + w (1 - e^(-dt/w)) (w the
 * window), and the return is the weight the interval's average gets,
 * w (1 - e^(-dt/w)) / *seen_s (the old average keeps the rest).  A
 * window of 0 or less, or no time: no decay (a plain mean over time). */
double bal__window_step(double window_s, double dt_s, double *seen_s);
/* Feeds the levels of one interval of dt_s seconds (its exact average);
 * returns the type now reported.  Smoothed by ewma_alpha per interval,
 * or, once st->windowed and with a window configured, by
 * bal__window_step; st->seen_s follows the window either way. */
bal_load_type bal__classify_update(const bal__class_params *p,
                                   bal__class_state *st,
                                   const double *level, double dt_s);
/* Whether the VM's dominant load is over its high threshold. */
bool bal__classify_heavy(const bal__class_params *p, bal_load_type t,
                         const double *level);

#endif /* BAL_CLASSIFY_H */
