/*
 * planner_cost.h - the planner's model (planner_cost.c): how a host's
 * pCPUs, disk path and dom0 are shared, each VM's rate and share, the
 * network, pre-copy, and what a migration costs.  Also quoted by tests
 * and by the planning step (learned links).
 */
#ifndef BAL_PLANNER_COST_H
#define BAL_PLANNER_COST_H

#include "planner_types.h"

/* Plain socket throughput for a round-trip time, bytes/s: the paper's
 * Table 2 (0/4/16/64 ms -> 840.2/609.61/151.79/104.29 Mbit/s), linear
 * between its points, flat beyond 64 ms (as the simulator). */
double bal__pl_link_from_rtt(double rtt_ms);

/* Pre-copy live migration of mem_bytes written at dirty_Bps over bw_Bps,
 * as Xen 4.17's libxc runs it (base/precopy.h): round 1 sends everything,
 * each next round what was dirtied during the last - at most memory and
 * at most wws_bytes (0 or INFINITY: no bound) - until max_rounds live
 * rounds are sent or nothing is dirty; a set below stop_bytes is sent
 * live as the last round.  Then the VM pauses for the final copy (the
 * last round counted in rounds, its time the downtime). */
void bal__pl_precopy_model(double mem_bytes, double wws_bytes,
                           double dirty_Bps, double bw_Bps,
                           double stop_bytes, int max_rounds,
                           bal__pl_precopy *out);

/* VM v's migration at bw_Bps with m's parameters: the pre-copy model
 * with its memory, writable working set and dirty rate, plus resume_s
 * (in the time and in the downtime).  What the cost, the search and the
 * waves all predict a migration's duration by. */
void bal__pl_vm_precopy(const bal__pl_model *m, int v, double bw_Bps,
                        bal__pl_precopy *out);

/* The stream rate B that, fed to the pre-copy model with p's stop_bytes,
 * max_rounds and resume_s, reproduces a measured duration_s of a
 * migration of mem_bytes dirtied at dirty_Bps: the model inverted by
 * bisection (its duration falls as B grows).  NAN when nothing fits (no
 * memory, or a duration not above resume_s). */
double bal__pl_observed_Bps(const bal__pl_params *p, double mem_bytes,
                            double dirty_Bps, double duration_s);

/* Max-min fair share of cap among demands dem[0..n) (INFINITY allowed). */
void bal__pl_waterfill(double cap, const double *dem, double *alloc, int n);

/* What the model derives once from the input: per-VM weights and
 * effective demands, every VM's rate where it is, the hosts' VMs at the
 * start, scratch for scoring, and a per-host cache of what one
 * migration's dom0 load costs its VMs. */
struct bal__pl_model {
    const bal__pl_input *in;
    const bal__pl_params *p;
    int nh, nv;
    double io_ref;              /* largest path: caps unbounded demands */
    double net_ref;             /* largest known NIC: the same for traffic */
    double link_Bps;            /* a pair's link when params.links has
                                 * none: Table 2 at rtt_ms, once */
    bool any_traffic;           /* some VM's NIC demand is more than 0 */
    bool any_weight;            /* some domain's scheduler weight known */
    double *w;                  /* weight: seconds of its work that count */
    double *e;                  /* effective disk demand, bytes/s */
    double *en;                 /* effective NIC demand, bytes/s */
    double *f0;                 /* rate where it starts */
    double *cap_io;             /* each host's path capacity */
    double *net0;               /* each host's starting VMs' NIC demands,
                                 * ascending: net0[p0_first[h] ..
                                 * p0_first[h+1]) (a stream's share) */
    int *p0_first, *p0_list;    /* VMs of host h at the start:
                                 * p0_list[p0_first[h] .. p0_first[h+1]) */
    /* Migration caches, per host: the migration work (pCPUs) dom0 was
     * asked for and the fraction it can do; the work it does and each
     * starting VM's rate lost then. */
    double *mc_extra, *mc_run0;
    double *mc_dextra, *mc_delta;
    /* Scratch of nv + 2 entries. */
    double *s_dem, *s_d, *s_want, *s_a, *s_frac, *s_tdem, *s_talloc;
    double *s_dn;               /* each VM's NIC share */
    double *s_wt;               /* the domains' weights on the pCPUs */
    double *s_share;            /* each VM's share of its demand, by every
                                 * bal__pl_rates (frac is its work) */
    double *s0;                 /* share where it starts */
    double *s_pshare;           /* its plain share (max-min of the host's
                                 * pCPUs and path by the VMs' own demands,
                                 * no dom0, no CPU for I/O): what the
                                 * fairness figures count; by every
                                 * bal__pl_rates without extra */
    double *s_pdem, *s_palloc;  /* scratch for it */
    double *ps0;                /* plain share where it starts */
    void *s_pairs;
    long nevals;
};

int bal__pl_model_init(bal__pl_model *m, const bal__pl_input *in);
void bal__pl_model_dispose(bal__pl_model *m);

/* Rates of the n VMs idx[] together on host h with dom0 asked for extra
 * pCPUs of migration work - whose streams, extra x 10^6 / migcpu bytes/s,
 * also take their share of the NIC: frac_r[i] (may be NULL: the model's
 * scratch s_frac), the work it does as a fraction of its demand, the
 * mean over the resources its type uses (a mixed VM's of its two); its
 * share of its demand into s_share[i], the least of them.  Returns the
 * fraction of that work dom0 gets done (1 if extra is 0). */
double bal__pl_rates(bal__pl_model *m, int h, const int *idx, int n,
                     double extra, double *frac_r);
/* Host h's term of J holding VMs idx[], its new state starting at tau. */
double bal__pl_score(bal__pl_model *m, int h, const int *idx, int n,
                     double tau);

void bal__pl_move_cost(bal__pl_model *m, int v, int src, int dst,
                       bal__pl_cost *out);
/* Sorts pr[0..n) by (from, to), keeping of a pair given twice the one
 * with the larger seq; returns how many pairs remain (in pr). */
int bal__pl_pairs_sort(bal__pl_pair *pr, int n);
/* The pair a -> b among p->links (binary search), or NULL. */
const bal__pl_pair *bal__pl_pair_find(const bal__pl_params *p, int a, int b);
/* The link's own bandwidth between two hosts; <= 0: none. */
double bal__pl_link(const bal__pl_model *m, int a, int b);
/* bw before dom0's CPU share: link, both NICs (each shared by `share_a',
 * `share_b' migrations, beside the traffic of the VMs the host starts
 * with) and what one dom0 pCPU can copy; or, when the pair has a learned
 * rate (params.links' learned_Bps), that rate alone, shared as the most shared
 * of them. */
double bal__pl_base_bw(const bal__pl_model *m, int a, int b, int share_a,
                       int share_b, int share_link);

#endif /* BAL_PLANNER_COST_H */
