/*
 * move.h - one live migration as data: which VM goes from which host to
 * which, and how it went.  What a plan is made of (plan.h), what a
 * backend runs (backend/backend.h) and what the migration engine reports
 * (migrate/).  Pure.
 */
#ifndef BAL_MOVE_H
#define BAL_MOVE_H

#include <stdint.h>

#include "sample.h"

/* One live migration: the VM by UUID (its name only for messages), from
 * the host it is on to another. */
typedef struct bal__move {
    char uuid[BAL__UUID_LEN + 1];
    char vm[BAL__NAME_MAX];
    char from[BAL__HOST_MAX];
    char to[BAL__HOST_MAX];
} bal__move;

typedef struct bal__move_result {
    int rc;                 /* 0, or BAL_E*: the VM still runs on `from` */
    double start_s, end_s;  /* on the backend's clock, seconds */
    double downtime_s;      /* paused for the final copy */
    uint64_t bytes;         /* memory sent, all rounds */
    int rounds;             /* pre-copy rounds, the final copy included */
    double dirty_Bps;       /* the rate the VM dirtied memory during the
                             * live rounds, as the sender measured it
                             * (bal__mig_progress_dirty_Bps); NAN: unknown */
} bal__move_result;

#endif /* BAL_MOVE_H */
