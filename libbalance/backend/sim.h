/*
 * sim.h - a simulated Xen cluster: a discrete-time contention model over a
 * scenario (scenario.h), with finite jobs and live migration.  Pure: no
 * Xen header.
 *
 * Each step, every host shares its disk path, its NIC and its pCPUs among
 * its domains (max-min fair), CPU-starved I/O slows down, jobs progress,
 * migrations send their pre-copy rounds, and the cumulative counters Xen
 * would report (cpu_ns, VBD sectors and requests, vif bytes) grow by what
 * each domain did.  A step is cut short at every event inside it (a job
 * starting or ending, a pre-copy round ending), so events happen at their
 * own time, not at the next step.  The model, term by term, is in sim.c,
 * doc/scenario-format.md and doc/simulator-design.md.  The same scenario
 * and seed give the same counters, bit for bit.
 *
 * The balancer drives it through the backend ops (backend_sim.c): sample,
 * wait (bal__sim_advance) and migrate (bal__sim_migrate), exactly as it
 * drives Xen.  The rest of this header is for the simulate driver and the
 * tests: completion times, timelines, migration records.
 */
#ifndef BAL_SIM_H
#define BAL_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "scenario.h"
#include "timeline.h"

/* One VM's state.  The counters a sample reports are those of its current
 * domain: they restart from 0 when it arrives on another host, as on real
 * Xen; the tot_* ones run over its whole life, for conservation checks. */
typedef struct bal__sim_vm {
    int host;               /* where it runs now (the source, while it
                             * migrates) */
    uint32_t domid;
    double cpu_s;
    double rd_bytes, wr_bytes;
    double tx_bytes, rx_bytes;
    /* The last step's rates (0 before the first step). */
    double cpu;             /* pCPUs it used */
    double io_Bps;          /* disk bytes/s it moved */
    double tx_Bps, rx_Bps;
    double run;             /* fraction of its CPU demand it got, 0..1 */
    double ops_s;           /* operations/s its computation did */
    /* Over its whole life, every host. */
    double tot_cpu_s, tot_rd_bytes, tot_wr_bytes, tot_tx_bytes, tot_rx_bytes;
    double ops_done;        /* operations computed (a job's: at most its
                             * cpuwork) */
    double io_done;         /* disk bytes moved (at most its iowork) */
    double net_done;        /* bytes sent and received (at most its
                             * network) */
    /* Its job (scenario cpuwork=, iowork=, network=, start=). */
    bool job;               /* it has one */
    bool job_done;
    double end_s;           /* when it ended; -1 before */
    bool migrating;         /* a migration of it is under way */
    bool paused;            /* stopped for the last copy and the resume */
} bal__sim_vm;

typedef struct bal__sim_host {
    uint32_t next_domid;    /* the domid its next guest gets */
    double dom0_cpu_s;      /* dom0's cumulative CPU */
    double dom0_cpu;        /* last step: pCPUs dom0 used */
    double io_Bps;          /* last step: its guests' disk bytes/s */
    uint64_t vm_mem_bytes;  /* its VMs' memory */
    uint64_t reserved_bytes;/* held for VMs migrating in */
    int nvms;               /* VMs on it (not counting incoming ones) */
    int nincoming;          /* VMs migrating in */
} bal__sim_host;

typedef struct bal__sim bal__sim;

/* scn is borrowed: it must outlive the simulator. */
int bal__sim_alloc(bal__sim **out, const bal__scenario *scn);
void bal__sim_free(bal__sim *sim);
/* Where the simulator logs why a migration was refused (NULL: nowhere);
 * borrowed. */
void bal__sim_set_ctx(bal__sim *sim, bal_ctx *ctx);

/* One step of dt_ns simulated nanoseconds (cut at the events inside). */
void bal__sim_step(bal__sim *sim, uint64_t dt_ns);
/* Lets `seconds' pass, in equal steps of at most the scenario's interval;
 * the clock advances by exactly round(seconds * 1e9) ns.  BAL_EINVAL for
 * a negative or non-finite time, BAL_ERANGE past 10^9 s. */
int bal__sim_advance(bal__sim *sim, double seconds);

uint64_t bal__sim_time_ns(const bal__sim *sim);
double bal__sim_now(const bal__sim *sim);               /* seconds */
const bal__scenario *bal__sim_scenario(const bal__sim *sim);
const bal__sim_vm *bal__sim_vm_state(const bal__sim *sim, int vm);
const bal__sim_host *bal__sim_host_state(const bal__sim *sim, int host);

/* Appends every host (local_only: the first) as the xen backend would
 * report it: dom0 (domid 0) first, then the host's VMs by domid (file
 * order until something migrates), then, when shown, the VMs migrating
 * in.  On error (BAL_ENOMEM) out is unchanged. */
int bal__sim_sample(const bal__sim *sim, bool local_only, bal__sample *out);
/* Whether a sample also lists a VM migrating in on its destination, as
 * xl does: NAME--incoming, same UUID, its new domid, paused (counters 0).
 * Off by default. */
void bal__sim_show_incoming(bal__sim *sim, bool on);

/* ---- jobs --------------------------------------------------------------- */

/* True when at least one VM has a job and every job has ended; false
 * while any runs or waits for its start, and false when no VM has a job
 * (nothing will ever be "done": a driver must not wait for it). */
bool bal__sim_jobs_done(const bal__sim *sim);
/* The VM's current host index (its source while it migrates), or -1 for
 * an unknown index. */
int bal__sim_vm_host(const bal__sim *sim, int vm);
/* Seconds from its job's start to its end, or -1 (no job, not ended, or
 * an unknown index). */
double bal__sim_vm_completion(const bal__sim *sim, int vm);
/* Work done so far: operations computed (its job's CPU part, or all its
 * computation for a VM without one), disk bytes moved, and bytes sent
 * and received.  Any pointer may be NULL.  Returns 0, BAL_EINVAL for an
 * unknown index. */
double bal__sim_vm_work_done(const bal__sim *sim, int vm, double *cpu_ops_r,
                             double *io_bytes_r, double *net_bytes_r);

/* ---- timelines ---------------------------------------------------------- */

/* Recording (off by default) keeps each VM's points, one per step, in a
 * timeline of bounded size (timeline.h: every point while they fit, then
 * each bucket's first, last and extremes): BAL__SIM_TL_TOTAL points
 * shared equally among the VMs, at most BAL__SIM_TL_VM each (a plot
 * shows a few dozen VMs, ~800 pixel columns wide) and at least
 * BAL__TL_MIN.  So a run's timelines take the same memory however long
 * it runs and however small its interval: 18 MiB in all (72 bytes a
 * point) up to 15,000 VMs, BAL__TL_MIN points a VM beyond.
 * Points are zeroed before they are filled (padding included), so two
 * runs compare with memcmp. */
#define BAL__SIM_TL_VM 8192
#define BAL__SIM_TL_TOTAL (1 << 18)
void bal__sim_record(bal__sim *sim, bool on);
/* The VM's points so far (*pts_r valid until the next step); BAL_EINVAL
 * for an unknown index. */
int bal__sim_timeline(const bal__sim *sim, int vm, const bal__sim_point **pts_r,
                      int *n_r);
/* Hands the VM's points over (*pts_r malloc'd, NULL when none: the
 * caller frees it); its timeline starts afresh.  BAL_EINVAL for an
 * unknown index. */
int bal__sim_timeline_take(bal__sim *sim, int vm, bal__sim_point **pts_r,
                           int *n_r);

/* ---- live migration ------------------------------------------------------ */

/* Runs the n migrations vms[i] -> dest_hosts[i] at once, from now until
 * every one has ended, stepping the whole cluster meanwhile (everything
 * else keeps running); the clock stops when the last one ends.
 * results[i] says how each went: rc 0, or the VM was not moved:
 *   BAL_EINVAL  unknown VM or host index, the VM already on dest, or
 *               the same VM twice in the wave;
 *   BAL_ERANGE  it does not fit in dest's memory (the VMs there, those
 *               migrating in - this wave's earlier moves included - and
 *               dom0's), or dest has the most VMs a host may have;
 *   another     a fault injected with bal__sim_inject_fault: the stream
 *               stopped, the VM runs on at the source.
 * Each refusal is logged (bal__sim_set_ctx).  Returns 0, or BAL_EINVAL /
 * BAL_ENOMEM when nothing could be started (also BAL_EINVAL while a wave
 * begun with bal__sim_migrate_begin runs). */
int bal__sim_migrate(bal__sim *sim, const int *vms, const int *dest_hosts,
                     int n, bal__move_result *results);

/* The same wave, started and left to run: it goes on as the clock
 * advances (bal__sim_advance, bal__sim_step), each result filled when its
 * migration ends; results must stay valid until bal__sim_migrating() is
 * 0.  Lets a caller sample the cluster while VMs migrate.  BAL_EINVAL
 * while another wave is under way. */
int bal__sim_migrate_begin(bal__sim *sim, const int *vms,
                           const int *dest_hosts, int n,
                           bal__move_result *results);
/* Migrations under way. */
int bal__sim_migrating(const bal__sim *sim);

/* Every migration that ended, in the order they ended (failed ones too,
 * with their rc). */
typedef struct bal__sim_mig_rec {
    int vm, from, to;
    double start_s, end_s, downtime_s;
    uint64_t bytes;         /* memory sent, every round */
    int rounds;             /* libxc's pre-copy iterations + the last copy */
    int rc;                 /* 0: moved */
} bal__sim_mig_rec;

int bal__sim_migrations(const bal__sim *sim, const bal__sim_mig_rec **r,
                        int *n_r);

/* Bytes/s one direction of the hosts' migration link carries. */
double bal__sim_link_Bps(const bal__sim *sim, int from, int to);

/* Fault injection (tests; `option migfail=' later): the next migration of
 * vm fails with rc once after_bytes have been sent.  rc must be negative.
 * Returns 0 or BAL_EINVAL. */
int bal__sim_inject_fault(bal__sim *sim, int vm, double after_bytes, int rc);

/* The simulator behind a "sim" backend, or NULL for any other backend. */
bal__sim *bal__backend_sim_get(bal_backend *be);
/* The scenario file `arg' names: a path, or a bare name looked up as
 * scenarios/NAME.scn then BAL_DATADIR/scenarios/NAME.scn. */
int bal__sim_resolve(bal_ctx *ctx, const char *arg, char **path_r);
/* A sim backend over an already parsed scenario, taken over (*scn is left
 * empty, also on failure). */
int bal__backend_sim_adopt(bal_backend *be, bal__scenario *scn);

#endif /* BAL_SIM_H */
