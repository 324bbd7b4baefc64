/*
 * plan_input.h - from a live status to the planner's input: hosts with
 * their capacities, VMs with the demands their observed use implies, and
 * the configuration's constraints and the migration history.  Pure: no
 * Xen header.  The estimation is explained in doc/planner.md, "From a
 * live status to the planner's input".
 */
#ifndef BAL_PLAN_INPUT_H
#define BAL_PLAN_INPUT_H

#include "history.h"
#include "planner/planner.h"
#include "observe/status.h"

/* A resource is saturated when its domains use at least this fraction of
 * its capacity: then whoever gets the fair share is taken to want more.
 * Not 1, nor close to it: the time Xen spends on a host's I/O is charged
 * to no domain, and a path carrying several streams loses some to them
 * (measured on the real Xen lab: a pCPU busy with three runnable domains
 * showed 94.8% in their counters; two readers got 11.6 MB/s from a path
 * one of them alone read at 12.3). */
#define BAL__SATURATED 0.9
/* A use within this fraction of the fair share counts as reaching it
 * (sampling noise must not split two equal contenders). */
#define BAL__FAIR_TOL 0.9

/* The max-min fair share ("water level") that explains the uses u[0..n)
 * of a resource delivering `total' in all: the smallest uses are met,
 * the rest get equal shares of what is left; a use below BAL__FAIR_TOL
 * of an equal share counts as met.  Uses at or above BAL__FAIR_TOL times
 * the result are bottlenecked.  0 for n == 0.  u is reordered. */
double bal__fair_share(double *u, int n, double total);

/* The same with scheduler weights w[0..n) (> 0; NULL, or any that is not
 * finite and > 0: all equal, exactly bal__fair_share): domain i's share
 * is w[i] times the level returned, in units of the resource per unit of
 * weight.  The domains in order of use per weight are met and leave
 * while a use is below BAL__FAIR_TOL of its weighted share of what is
 * left; the first that is not sets the level.  Uses at or above
 * BAL__FAIR_TOL * w[i] * level are bottlenecked.  u and w are reordered
 * together. */
double bal__fair_share_w(double *u, double *w, int n, double total);

/* Builds in (bal__pl_input_init'd, empty) from the status st: every host
 * of st in st's order, every guest (dom0s aside) in st's order, all
 * strings copied (in owns them: bal__pl_input_dispose).  hist[0..nhist):
 * earlier migrations (journal.h) on the clock now_s, for cooldowns,
 * ping-pong, the learned links (bal__learn_links: params.links), the
 * learned dirty rates (bal__learn_dirty: the VMs' dirty_Bps) and the
 * VMs' trust (bal__learn_trust).  Parameters from cfg: horizon,
 * max_moves, max_per_host, max_per_link, migcpu, rtt_ms,
 * pingpong_window, link_history.  A VM running twice
 * (one UUID on two hosts) is refused with one line, BAL_EINVAL, in
 * untouched. */
int bal__plan_input_build(bal_ctx *ctx, const struct bal_config *cfg,
                          const bal_status *st, const bal__hist *hist,
                          int nhist, double now_s, bal__pl_input *in);

/* What the estimation made of each VM, for people (plan's output):
 * whether its host's CPU / disk path / NIC is saturated and it is
 * bottlenecked there.  Filled by bal__plan_input_build when not NULL: one
 * per VM of the input, malloc'd into *why_r. */
typedef struct bal__pl_estimate {
    bool cpu_saturated, cpu_bottleneck;
    bool io_saturated, io_bottleneck;
    bool net_saturated, net_bottleneck;
    bool rates_valid;           /* false: no usable rate yet, demand 0 */
    bool dirty_learned;         /* its dirty_Bps is the sender's measure
                                 * (bal__learn_dirty), not dirty_mbps plus
                                 * its reads */
} bal__pl_estimate;

int bal__plan_input_build_ex(bal_ctx *ctx, const struct bal_config *cfg,
                             const bal_status *st, const bal__hist *hist,
                             int nhist, double now_s, bal__pl_input *in,
                             bal__pl_estimate **why_r);

/* The rates learned from measured migrations (doc/planner.md, "Learned
 * links"): for each ordered pair (from, to) of hosts[0..nh), the median
 * observed_Bps of the newest cfg->link_history records of hist[0..nhist)
 * from that host to that one, or, when there is none, of the reverse
 * pair's (bal__hist_learn keyed by the pair).  Only the pairs learned are
 * listed, in *pairs_r (malloc'd, NULL when none; sorted by (from, to)),
 * *n_r of them: Bps and learned_Bps the rate, learned_n the number of
 * records it is the median of.  Memory in the records, not in nh^2.
 * Nothing learned when link_history is 0.  BAL_ENOMEM. */
int bal__learn_links(const struct bal_config *cfg, const bal__hist *hist,
                     int nhist, const bal__pl_host *hosts, int nh,
                     bal__pl_pair **pairs_r, int *n_r);

/* The dirty rates learned from measured migrations (doc/planner.md,
 * "Learned dirty rates"): for each of vms[0..nv), the median dirty_Bps
 * of the newest cfg->link_history records of hist[0..nhist) with its
 * UUID that carry one (bal__hist_learn keyed by the UUID).  Bps_r[i]
 * gets it (0: nothing learned), n_r (may be NULL) the number of records
 * it is the median of.  Nothing learned when link_history is 0.
 * BAL_ENOMEM. */
int bal__learn_dirty(const struct bal_config *cfg, const bal__hist *hist,
                     int nhist, const bal__pl_vm *vms, int nv,
                     double *Bps_r, int *n_r);

/* The least trust a record teaches (bal__learn_trust). */
#define BAL__TRUST_MIN 0.01

/* Each VM's trust (doc/planner.md, "Trust"): how much of what its moves
 * were predicted to bring it they delivered - for each of uuid[0..n)
 * (NULL: none), the median over the newest cfg->link_history records of
 * hist[0..nhist) with that UUID that carry both a realised gain and the
 * plan's gain of the VM alone (predicted_vm) of (1 + gain) /
 * (1 + predicted_vm), each capped at 1 and at least BAL__TRUST_MIN
 * (bal__hist_learn keyed by the UUID).  trust_r[i] gets it, 1 when
 * nothing is learned; n_r (may be NULL) the number of records it is the
 * median of.  Nothing learned when link_history is 0.  BAL_ENOMEM. */
int bal__learn_trust(const struct bal_config *cfg, const bal__hist *hist,
                     int nhist, const char *const *uuid, int n,
                     double *trust_r, int *n_r);

/* The dirty rate plan_input gives a VM not held back on its disk path
 * (the configuration's dirty_mbps plus its reads), for a move the planner
 * did not weigh (a saved plan). */
double bal__vm_dirty_Bps(const struct bal_config *cfg, const bal_vm_info *v);

/* The migration history in the configuration's state_dir (a missing one
 * is empty; one that cannot be read is a warning and empty: it only
 * advises; a link or anything but a regular file is BAL_ECONFIG, logged).
 * *h_r malloc'd. */
int bal__plan_history(bal_ctx *ctx, const struct bal_config *cfg,
                      bal__hist **h_r, int *n_r);

#endif
