/*
 * remote.h - moves whose source is another dom0: run there as
 * `xl-balance migrate --json UUID TO` through the transport (argv only,
 * base/child.h), by the xen backend for its peers' VMs and by the peers
 * backend for every VM.  See remote.c and doc/migration.md.
 */
#ifndef BAL_REMOTE_H
#define BAL_REMOTE_H

#include "backend.h"
#include "base/child.h"

/* One move under way on its source dom0. */
typedef struct bal__remote_mig {
    int idx;                    /* in the wave */
    char **argv;                /* borrowed strings */
    bal__child child;
    double start_s;
} bal__remote_mig;

/* The remote moves of one wave. */
typedef struct bal__remote_wave {
    bal__remote_mig *rem;
    int nrem;
} bal__remote_wave;

/* Starts, through the transport, every move of moves[0..n) whose source
 * is not local (this dom0's name; NULL on a host that runs no VM: every
 * move), and fills their results[] as far as the start goes (a move
 * refused - not a UUID, a host not configured - or that cannot start has
 * its rc set, logged, and nothing runs for it).  Local moves' results
 * are left to the caller.  0, or BAL_ENOMEM (logged) when nothing could
 * be started; w is then empty.  Dispose w in every case. */
int bal__remote_wave_start(bal_backend *be, const char *local,
                           const bal__move *moves, int n,
                           bal__move_result *results, bal__remote_wave *w);

/* Waits for every started move of w and says how each went in
 * results[] (logged as each ends). */
void bal__remote_wave_finish(bal_backend *be, const bal__move *moves,
                             bal__move_result *results, bal__remote_wave *w);

/* Stops what still runs (a wave never finished) and frees w. */
void bal__remote_wave_dispose(bal__remote_wave *w);

/* How long a move run on another dom0 may take, in seconds; 0 (the
 * default): the larger of peer_timeout and an hour.  A variable only for
 * the seam tests. */
BAL__HIDDEN extern double bal__remote_timeout_s;

#endif /* BAL_REMOTE_H */
