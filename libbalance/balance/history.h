/*
 * history.h - every verified migration, kept in the state directory's
 * history file (one JSON object a line, newest last, at most
 * BAL__HISTORY_MAX_BYTES): when, which VM by UUID, from, to, and its rates
 * before and after, for the planner's cooldowns and ping-pong rule, for
 * learning links and dirty rates, and for judging predictions.  One
 * module for all of it: a record made from a move (bal__hist_make, by
 * rebalance, migrate and the simulator's balancer alike), written, read
 * back, and learned from (bal__hist_learn).
 */
#ifndef BAL_HISTORY_H
#define BAL_HISTORY_H

#include "base/internal.h"
#include "base/jsongen.h"
#include "base/move.h"
#include "base/uuidmap.h"

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
    /* Read dated more than 60 s ahead of this host's clock (a peer's
     * clock, or this one set back): time is when it was read, and the
     * plan says so where it keeps the VM in cooldown. */
    bool future;
} bal__hist;

/* What the plan predicted of one move (bal__plan_make), which its record
 * keeps. */
typedef struct bal__plan_pred {
    double gain_rate;           /* NAN: none */
    double mig_s;               /* its duration as it will run: in its
                                 * wave, or alone one at a time; NAN: none */
    double dirty_Bps;           /* the dirty rate the planner took for the
                                 * VM; NAN: unknown */
} bal__plan_pred;

/* What is known of a migration done beyond the move and its result, for
 * its record; bal__hist_facts_init makes every field unknown. */
typedef struct bal__hist_facts {
    bal_load_type type;         /* as classified before the move;
                                 * BAL_TYPE_IDLE: not classified */
    uint64_t mem_kb;            /* the VM's memory; 0: unknown */
    bool rates;                 /* the rates below are known */
    double cpu_pct_before, cpu_pct_after;
    double disk_Bps_before, disk_Bps_after;
    double net_Bps_before, net_Bps_after;
    /* The plan's; its dirty_Bps gives observed_Bps when the sender
     * measured none (NAN: the configuration's dirty_mbps alone). */
    bal__plan_pred pred;
} bal__hist_facts;

void bal__hist_facts_init(bal__hist_facts *f);

/* The record of mv, done as res says (res->rc 0), ended at time_s on the
 * history's clock, with what f knows.  Derived here, the same for every
 * caller: duration_s and downtime_s from res; dirty_Bps, the sender's
 * measure when it made one (> 0); gain, the realised one, when the rates
 * are known; observed_Bps, the stream rate with which the planner's cost
 * model takes duration_s (bal__pl_observed_Bps with the planner's
 * stop_bytes, max_rounds and resume_s; the VM dirtying at dirty_Bps when
 * measured, else at f->pred.dirty_Bps), NAN when mem_kb or the duration
 * is unknown. */
void bal__hist_make(const struct bal_config *cfg, double time_s,
                    const bal__move *mv, const bal__move_result *res,
                    const bal__hist_facts *f, bal__hist *h_r);

/* A move's rates before and after, indexed by bal_resource (percent of
 * one pCPU; disk bytes/s read and written; NIC bytes/s received and
 * sent), and its realised gain, as the history and rebalance --json both
 * write them: cpu_pct_before, cpu_pct_after, disk_Bps_..., net_Bps_...,
 * gain; a number not known (not finite) left out, key and all. */
void bal__hist_rates_json(bal__jw *w, const double *before,
                          const double *after, double gain);

/* What one record teaches a learner (bal__hist_learn): true with the key
 * it is learned under in *key_r (below the learner's nkeys) and the value
 * in *value_r; false when it teaches nothing. */
typedef bool bal__hist_teach_fn(const bal__hist *h, const void *opaque,
                                size_t *key_r, double *value_r);

/* The one learner of the history (doc/planner.md, "Learned links",
 * "Learned dirty rates"): for each key below nkeys, the median of the
 * values of the newest k records of hist[0..nhist) that teach that key
 * (by time; of two at one time the later in hist first), so that one odd
 * migration does not decide.  A record whose time is not finite, or
 * whose value is not a positive finite number, teaches nothing.
 * med_r[key] gets the median (0: nothing learned), n_r (may be NULL) the
 * number of records it is the median of.  k <= 0: nothing learned.
 * BAL_ENOMEM. */
int bal__hist_learn(const bal__hist *hist, int nhist, int k, size_t nkeys,
                    bal__hist_teach_fn *teach, const void *opaque,
                    double *med_r, int *n_r);

/* Appends n records (one line each), synced; cuts the file to its newest
 * half when it grows past BAL__HISTORY_MAX_BYTES (a cut that fails is
 * logged; the records are in all the same, rc 0). */
int bal__history_append(bal_ctx *ctx, int dirfd, const char *dir,
                        const bal__hist *h, int n);
/* A writer's first touch, with the lock held, before the history is
 * read: a torn last line (a run killed while writing it) cut, with a
 * warning (bal__state_cut_torn), and a file past BAL__HISTORY_MAX_BYTES
 * (a cut that did not happen, a file copied in) cut to its newest half,
 * whatever its size, so that what is read next is whole and bounded.
 * No history: 0.  BAL_E*, logged. */
int bal__history_mend(bal_ctx *ctx, int dirfd, const char *dir);
/* Each UUID's latest record in hist (the first of equal times) into m:
 * the one that sets its cooldown.  Records whose time is not finite are
 * left out; the map borrows hist's strings.  BAL_ENOMEM. */
int bal__hist_latest(const bal__hist *hist, int nhist, bal__uuidmap *m);
/* Reads path (a missing file is an empty history).  Lines that do not
 * parse are skipped with a warning "FILE:LINE: ...": the history only
 * advises; so is an observed_Bps or a dirty_Bps that is not a positive
 * number (the record kept without it).  *h_r malloc'd, oldest first. */
int bal__history_load(bal_ctx *ctx, const char *path, bal__hist **h_r,
                      int *n_r);

#endif /* BAL_HISTORY_H */
