/*
 * history.h - every verified migration, kept in the state directory's
 * history file (one JSON object a line, newest last, at most
 * BAL__HISTORY_MAX_BYTES): when, which VM by UUID, from, to, and its rates
 * before and after, for the planner's cooldowns and ping-pong rule, for
 * learning links and dirty rates, and for judging predictions.
 */
#ifndef BAL_HISTORY_H
#define BAL_HISTORY_H

#include "base/internal.h"

#define BAL__HISTORY_FILE "history"
/* Past this the history is cut to its newest half (whole lines). */
#define BAL__HISTORY_MAX_BYTES (256 * 1024)

typedef struct bal__hist {
    double time;                /* when the migration ended, epoch s */
    char uuid[BAL__UUID_LEN + 1];
    char vm[BAL__NAME_MAX];
    char from[BAL__HOST_MAX], to[BAL__HOST_MAX];
    bal_load_type type;         /* as classified before the move */
    double duration_s, downtime_s;
    bool rates;                 /* the rates below are known */
    double cpu_pct_before, cpu_pct_after;   /* percent of one pCPU */
    double disk_Bps_before, disk_Bps_after; /* read + write */
    double net_Bps_before, net_Bps_after;   /* received + sent; NAN in
                                             * older records */
    double gain;                /* realised: its progress rate after over
                                 * before, minus 1 (the mean over its
                                 * type's resources, cpu for idle VMs);
                                 * NAN: unknown */
    double predicted;           /* the plan's gain_rate; NAN: none */
    /* For learning a link's rate (doc/planner.md, "Learned links");
     * older records lack them. */
    uint64_t mem_kb;            /* the VM's memory; 0: unknown */
    double predicted_s;         /* the plan's duration of it; NAN or <= 0:
                                 * none */
    double observed_Bps;        /* the stream rate the cost model needs to
                                 * take duration_s (bal__pl_observed_Bps);
                                 * NAN or <= 0: none */
    /* For learning the VM's dirty rate (doc/planner.md, "Learned dirty
     * rates"): what the sender measured (bal__move_result's dirty_Bps);
     * NAN or <= 0: not measured (older records, the simulator, a move
     * run on another dom0). */
    double dirty_Bps;
} bal__hist;

/* Appends n records (one line each), synced; cuts the file to its newest
 * half when it grows past BAL__HISTORY_MAX_BYTES. */
int bal__history_append(bal_ctx *ctx, int dirfd, const char *dir,
                        const bal__hist *h, int n);
/* Reads path (a missing file is an empty history).  Lines that do not
 * parse are skipped with a warning "FILE:LINE: ...": the history only
 * advises; so is an observed_Bps or a dirty_Bps that is not a positive
 * number (the record kept without it).  *h_r malloc'd, oldest first. */
int bal__history_load(bal_ctx *ctx, const char *path, bal__hist **h_r,
                      int *n_r);

#endif /* BAL_HISTORY_H */
