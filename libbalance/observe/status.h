/*
 * status.h - the status object and the helpers status.c shares with the
 * planner: a VM's levels relative to its host.
 */
#ifndef BAL_STATUS_H
#define BAL_STATUS_H

#include "base/internal.h"
#include "classify.h"
#include "rates.h"
#include "base/uuidmap.h"

/* What the migration history says of one guest: the realised-gain
 * check (bal_status_read_history). */
typedef struct bal__vm_gain {
    int moves;                  /* its records in the history; 0: none */
    double time;                /* the newest one's */
    double gain, predicted;     /* its realised gain and the plan's gain of
                                 * the VM alone (history.h: gain,
                                 * predicted_vm); NAN: not known */
    double trust;               /* bal__learn_trust's */
    int trust_moves;            /* the records the trust is the median of */
} bal__vm_gain;

struct bal_status {
    bal__sample last;           /* names and hosts point into it */
    bal_host_info *hosts;
    int nhosts;
    bal_vm_info *vms;
    int nvms;
    int npeer_errors;
    bal__vm_gain *gains;        /* one per VM; NULL: the history not read */
};

/* What the observer remembers of one VM across samples. */
typedef struct bal__track {
    /* The UUID; for a dom0 "UUID@HOST": every dom0 may have the nil UUID
     * and each has a history of its own. */
    char key[BAL__UUID_LEN + 1 + BAL__HOST_MAX];
    bal__class_state cls;
    bool valid;                 /* rate holds a usable rate */
    bal__rate rate;             /* the newest usable one */
} bal__track;

/* Classification state of every VM seen, by UUID, fed sample pair by
 * sample pair: what status takes in one call and a long-running balancer
 * (the simulator's loop, a rebalance) keeps across its samples. */
typedef struct bal__observer {
    bal__uuidmap map;
    bal__track **v;
    int n, cap;
} bal__observer;

void bal__observer_init(bal__observer *o);
void bal__observer_dispose(bal__observer *o);
int bal__observer_feed(bal_ctx *ctx, const struct bal_config *cfg,
                       bal__observer *o, const bal__sample *prev,
                       const bal__sample *cur);
/* One interval of observing: waits cfg->interval, samples every host and
 * feeds the observer the rates since *prev, which becomes the new sample
 * (what a status and a balancer's loop take one interval at a time).  On
 * an error *prev is as it was. */
int bal__observer_next(bal_ctx *ctx, bal_backend *be,
                       const struct bal_config *cfg, bal__observer *o,
                       bal__sample *prev);
struct bal__obs_kept;
/* Starts the observer from the observations kept by an earlier run
 * (obsfile.h) and the first sample of this one, cur: every VM whose
 * counters continue (same host, same domid, none gone back, the host's
 * clock advanced) gets its kept levels, type and rates back and the
 * exact average since as one interval; the others start afresh.  With
 * now_wall >= 0 (epoch seconds: a real cluster's, not a simulated one)
 * a host whose clock advanced by other than the wall clock since the
 * file was written (more than 5% and a minute apart: it rebooted, or
 * slept) starts afresh too. */
int bal__observer_resume(bal_ctx *ctx, const struct bal_config *cfg,
                         bal__observer *o, const struct bal__obs_kept *kept,
                         const bal__sample *cur, double now_wall);
/* bal_status_collect's body.  With kept_r not NULL, and a type_window,
 * also this run's observations as the text of the file that keeps them
 * (obsfile.h; *kept_r malloc'd, NULL without a window), for a caller
 * holding the lock to write (bal__obs_save) once its run succeeded. */
int bal__status_observe(bal_ctx *ctx, bal_backend *be,
                        const struct bal_config *cfg, char **kept_r,
                        bal_status **status_r);
/* The status of the newest sample `last' (moved into the status, left
 * empty) as the observer sees it. */
int bal__status_build(const struct bal_config *cfg, const bal__observer *o,
                      bal__sample *last, bal_status **out);
void bal__track_key(const bal__host *h, const bal__dom *d, char *key);

double bal__host_disk_Bps(const struct bal_config *cfg, const bal__host *h);
double bal__host_disk_iops(const struct bal_config *cfg, const bal__host *h);
/* The host's NIC, bytes/s each direction: its own figure, else net_mbps. */
double bal__host_net_Bps(const struct bal_config *cfg, const bal__host *h);
/* A domain's level of each resource, level_r[BAL_NRES]: CPU use / min(vcpus,
 * pcpus); the larger of disk bytes and requests over the host's path
 * capacity; bytes received and sent over the host's NIC. */
void bal__levels(const struct bal_config *cfg, const bal__host *h,
                 const bal__dom *d, const bal__rate *r, double *level_r);

#endif
