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
} bal__class_state;

void bal__class_state_init(bal__class_state *st);
/* The type of one (already smoothed) set of levels, no memory. */
bal_load_type bal__classify_levels(const bal__class_params *p,
                                   const double *level);
/* Feeds one sample's levels; returns the type now reported. */
bal_load_type bal__classify_update(const bal__class_params *p,
                                   bal__class_state *st,
                                   const double *level);
/* Whether the VM's dominant load is over its high threshold. */
bool bal__classify_heavy(const bal__class_params *p, bal_load_type t,
                         const double *level);

#endif /* BAL_CLASSIFY_H */
