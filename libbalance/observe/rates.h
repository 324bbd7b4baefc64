/*
 * rates.h - per-VM rates from two cluster samples.  Pure.
 *
 * VMs are matched by UUID across the whole cluster, so a VM that moved
 * host between the samples is still the same VM.  Counters that went
 * backwards are a 32-bit wrap when that gives a plausible delta, and a
 * reset (reboot, migration: the counters restart) otherwise.
 */
#ifndef BAL_RATES_H
#define BAL_RATES_H

#include <stdint.h>

#include "base/sample.h"

enum {
    BAL__RATE_NEW = 1 << 0,      /* not in the previous sample */
    BAL__RATE_RESET = 1 << 1,    /* a counter restarted: no rate this time */
    BAL__RATE_MOVED = 1 << 2,    /* on another host than before */
    BAL__RATE_DOMID = 1 << 3,    /* domid changed (migration, reboot) */
    BAL__RATE_BADTIME = 1 << 4,  /* the host's interval was <= 0 */
    BAL__RATE_WRAPPED = 1 << 5,  /* a 32-bit counter wrapped (rate valid) */
};
#define BAL__RATE_INVALID \
    (BAL__RATE_NEW | BAL__RATE_RESET | BAL__RATE_MOVED | BAL__RATE_BADTIME)

typedef struct bal__rate {
    int host;              /* index in the current sample */
    int dom;               /* index in that host's doms */
    unsigned flags;
    double interval_s;
    double cpu;            /* fraction of one pCPU */
    double rd_Bps, wr_Bps, rd_iops, wr_iops;
    double net_rx_Bps, net_tx_Bps;
} bal__rate;

/* One bal__rate for every domain of cur, in cur's order (host by host).
 * *rates_r is malloc'd (NULL when there are no domains). */
int bal__rates_compute(const bal__sample *prev, const bal__sample *cur,
                       bal__rate **rates_r, int *n_r);

/* The delta of one cumulative counter; sets *wrapped or returns -1 for a
 * reset.  Exposed for tests. */
int64_t bal__counter_delta(uint64_t prev, uint64_t cur, int *wrapped);

#endif /* BAL_RATES_H */
