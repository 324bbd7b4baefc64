/*
 * libbalance.h - public interface of libbalance, the load-type-aware
 * VM balancer behind xl-balance.
 *
 * Copyright (C) 2026 The xl-balance developers
 *
 * This library is free software; you can redistribute it and/or modify
 * it under the terms of the GNU Lesser General Public License as published
 * by the Free Software Foundation; version 2.1 only.
 *
 * Conventions (as libxl, with libgit2's versioned structs; the ABI they
 * keep: doc/architecture.md, "ABI"):
 *  - every function that can fail returns int rc: 0, or a negative BAL_E*;
 *    bal_strerror() names it.  The details of a failure (which file, which
 *    line, which peer) are logged through the context's log sink at
 *    BAL_LOG_ERROR before the function returns.
 *  - one argument order for every function: inputs first (the context,
 *    when it takes one, first of all), outputs last, each output's name
 *    ending in _r: bal_ctx_alloc(fn, opaque, level, &ctx_r),
 *    bal_status_collect(ctx, be, cfg, &status_r).  No output comes first.
 *  - handles are opaque; data handed out for reading is plain structs that
 *    stay valid until the handle they came from is freed.  The caller
 *    never allocates nor copies those: they may grow at their end.
 *  - a struct the caller allocates (options, a result) starts with
 *    `unsigned int version': its _init function sets it to the
 *    BAL_..._VERSION the caller was compiled with, and a function given a
 *    version it does not know refuses the struct (BAL_EINVAL, one log line
 *    naming the struct and the version).
 *  - VMs are identified by UUID: domids and names change during migration.
 *
 * This header includes no Xen header: a program can use libbalance without
 * the Xen development files.  Simulation and the break-even sweep, research
 * tools rather than the dom0 path, are declared in libbalance-research.h.
 */
#ifndef LIBBALANCE_H
#define LIBBALANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BAL_VERSION "0.2.0"

/* ---- errors ---------------------------------------------------------- */

enum {
    BAL_OK = 0,
    BAL_EINVAL = -1,     /* invalid argument */
    BAL_ENOMEM = -2,     /* out of memory */
    BAL_EIO = -3,        /* read or write failed */
    BAL_ENOXEN = -4,     /* not running in a Xen dom0 */
    BAL_ECONFIG = -5,    /* bad configuration file */
    BAL_EPEER = -6,      /* a peer's reply is malformed */
    BAL_ESCENARIO = -7,  /* bad scenario file */
    BAL_ETRACE = -8,     /* bad replay trace */
    BAL_ENOENT = -9,     /* no such file, host or VM */
    BAL_EXEN = -10,      /* a Xen library call failed */
    BAL_ETRANSPORT = -11,/* the transport to a peer failed */
    BAL_EEOF = -12,      /* a replay trace has no more samples */
    BAL_ERANGE = -13,    /* a value is out of its allowed range */
    BAL_EBACKEND = -14,  /* unknown or unusable backend */
    BAL_EUNDEFINED = -15,/* a migration ended past its point of no return
                          * without confirmation: the VM may run on neither
                          * host or on both; an admin must look */
    BAL_ELOCKED = -16,   /* another process holds the lock (lock_file);
                          * nothing done */
};

const char *bal_strerror(int rc);

/* ---- logging ----------------------------------------------------------
 * One injectable sink for every message the library emits.  The CLI uses
 * stderr interactively and syslog under cron; tests capture messages.   */

typedef enum {
    BAL_LOG_DEBUG = 0,
    BAL_LOG_INFO,
    BAL_LOG_WARN,
    BAL_LOG_ERROR,
} bal_log_level;

typedef void bal_log_fn(void *opaque, bal_log_level level, const char *msg);

/* Ready-made sinks.  bal_log_stderr's opaque may be NULL or a program name
 * to prefix; bal_log_syslog expects openlog() to have been called. */
void bal_log_stderr(void *opaque, bal_log_level level, const char *msg);
void bal_log_syslog(void *opaque, bal_log_level level, const char *msg);

/* ---- context ---------------------------------------------------------- */

typedef struct bal_ctx bal_ctx;

/* Messages below min_level are dropped.  fn may be NULL (silence). */
int bal_ctx_alloc(bal_log_fn *fn, void *opaque, bal_log_level min_level,
                  bal_ctx **ctx_r);
void bal_ctx_free(bal_ctx *ctx);

/* ---- configuration (xl.conf syntax, /etc/xen/xl-balance.conf) -------- */

#define BAL_DEFAULT_CONFIG "/etc/xen/xl-balance.conf"

typedef struct bal_config bal_config;

/* A new configuration holds the documented defaults. */
int bal_config_alloc(bal_config **cfg_r);
void bal_config_free(bal_config *cfg);

/* Reads path over cfg.  A missing file is fine when !must_exist (the
 * defaults stay); anything wrong is logged as "FILE:LINE: what is wrong"
 * and returns BAL_ECONFIG with cfg unchanged. */
int bal_config_load(bal_ctx *ctx, bal_config *cfg, const char *path,
                    bool must_exist);

/* Values the CLI reads or overrides. */
double bal_config_interval(const bal_config *cfg);
int bal_config_samples(const bal_config *cfg);
int bal_config_set_interval(bal_config *cfg, double seconds);
int bal_config_set_samples(bal_config *cfg, int samples);
/* text as a value of the number key named key ("sample_interval",
 * "sample_count", "horizon", "max_moves", "rtt_ms", ...), for an option
 * of the command line that stands for it: read as the configuration
 * file reads it (decimal only, whole for an integer key) and held to the
 * same range, so that both refuse the same values in the same words.
 * Else logs "WHERE: NAME: `TEXT' is not a number" (or "... is not a
 * whole number", "WHERE: NAME: TEXT is out of range (RANGE)") and
 * returns BAL_ECONFIG; BAL_EINVAL when key is not a number key. */
int bal_config_parse_value(bal_ctx *ctx, const char *where, const char *name,
                           const char *key, const char *text,
                           double *value_r);

/* ---- load types -------------------------------------------------------
 * What a VM's progress depends on, from its counters (README, "Load
 * types").  One table says for each type its name, the resources it uses
 * and on which of them two heavy VMs of it contend
 * (libbalance/base/loadtype.c); everything else reads it. */

typedef enum {
    BAL_TYPE_IDLE = 0,
    BAL_TYPE_CPU,
    BAL_TYPE_IO,
    BAL_TYPE_MIXED,
    BAL_TYPE_NET,
} bal_load_type;
#define BAL_NTYPES 5

/* The resources of a host its VMs share: its pCPUs, its disk path, its
 * NIC. */
typedef enum {
    BAL_RES_CPU = 0,
    BAL_RES_IO,
    BAL_RES_NET,
} bal_resource;
#define BAL_NRES 3

/* "idle", "cpu", "io", "mixed", "net"; "?" for no type. */
const char *bal_load_type_name(bal_load_type t);
/* The i-th type (0 <= i < BAL_NTYPES) in the order lists and tables show
 * them: the types that use a resource in the enum's order, then idle. */
bal_load_type bal_load_type_listed(int i);
/* Whether two heavy VMs of type t on one host contend on resource r: a
 * same-type pair there (a mixed VM on the pCPUs and on the disk path). */
bool bal_load_type_contends(bal_load_type t, bal_resource r);
/* "cpu", "io", "net": as status names a resource (heavy_cpu, "2 heavy
 * io"); "?" for no resource. */
const char *bal_resource_name(bal_resource r);

/* ---- backends --------------------------------------------------------
 * Where the cluster's counters come from:
 *   "xen"              the local dom0 (libxenstat, libxl) plus the peers
 *                      listed in the configuration, over the transport
 *   "sim:FILE"         a simulated cluster described by a scenario file
 *   "replay:FILE"      samples recorded by `xl-balance sample --json`   */

typedef struct bal_backend bal_backend;

int bal_backend_open(bal_ctx *ctx, const bal_config *cfg, const char *spec,
                     bal_backend **be_r);
void bal_backend_close(bal_backend *be);
const char *bal_backend_name(const bal_backend *be);
/* Where rebalance's state (state_dir, lock_file) lives for runs on be,
 * called once after bal_backend_open.  state_dir, when not NULL (the
 * command line's --state-dir), replaces the configuration's.  On a
 * backend that moves no real VM (sim:, replay:), the state directory and
 * lock file that neither names are private: in a directory of their own
 * (0700, under $TMPDIR or /tmp) that bal_config_free removes with all in
 * it, so that such a run never reads or writes the dom0's state
 * (/var/lib/xl-balance) nor plans from its history.  On xen the defaults
 * stay.  BAL_ECONFIG, logged, when state_dir holds the lock file, or
 * when the directory of the configuration's metrics_textfile is none
 * (checked here, before the run: bal_metrics_textfile writes there
 * after it); BAL_EIO, logged, when the private directory cannot be
 * made. */
int bal_config_set_state(bal_ctx *ctx, bal_config *cfg, const bal_backend *be,
                         const char *state_dir);
/* Lets seconds pass between two samples: sleeps on xen, advances the
 * simulated clock on sim, nothing on replay. */
int bal_backend_wait(bal_backend *be, double seconds);

/* True when this machine is a Xen dom0 the xen backend can use.  Checked
 * without touching libxenstat, which prints to stderr on failure. */
bool bal_xen_available(void);

/* One raw sample of every host the backend sees, as one line of JSON
 * (the `xl-balance sample --json` format, see README).  *json_r is
 * malloc'd.  local_only: do not ask the peers (what a peer answers). */
int bal_sample_json(bal_ctx *ctx, bal_backend *be, bool local_only,
                    char **json_r);

/* ---- status: rates and load types of every VM ------------------------ */

typedef struct bal_vm_info {
    char uuid[37];
    const char *name;
    const char *host;
    uint32_t domid;
    uint32_t vcpus;
    uint64_t mem_kb;
    bool is_dom0;        /* reported, never a balancing candidate */
    bool rates_valid;    /* false until two usable samples exist */
    double cpu_pct;      /* percent of one pCPU */
    double rd_Bps, wr_Bps;
    double rd_iops, wr_iops;
    double net_rx_Bps, net_tx_Bps;
    /* Smoothed use of each resource: CPU as a fraction of what it may
     * use, disk and NIC as fractions of the host's path and NIC. */
    double level[BAL_NRES];
    bal_load_type type;
    bool heavy;          /* its dominant load is above the high threshold */
    /* Added after 0.2.0 (the struct grows at its end): */
    bool pinned;         /* never moved: configuration pinned, or
                          * `xl-balance pin' */
    /* The domain's cumulative counters in the newest sample, since it
     * started on its host (they restart after a reboot or a migration):
     * what a scraper takes rates of itself. */
    double cpu_s;        /* CPU time of all its vCPUs, seconds */
    uint64_t rd_bytes, wr_bytes;        /* its virtual block devices */
    uint64_t rd_reqs, wr_reqs;
    uint64_t net_rx_bytes, net_tx_bytes;    /* its vifs */
    /* Seconds of observation behind its levels and type: this run's
     * samples, plus what earlier runs kept (type_window), time-decayed,
     * so at most about type_window; 0 without rates. */
    double observed_s;
} bal_vm_info;

typedef struct bal_host_info {
    const char *name;
    uint32_t pcpus;
    uint64_t mem_kb, free_kb;
    double cpu_pct;       /* all domains, percent of one pCPU */
    double dom0_cpu_pct;  /* dom0 carries the I/O backends */
    int nvms;             /* guests, dom0 excluded */
    int ntype[BAL_NTYPES];   /* guests of each load type */
    int heavy[BAL_NRES];     /* heavy guests contending for each resource
                              * (bal_load_type_contends) */
    bool same_type_conflict; /* two of them contend for one resource */
    /* Added after 0.2.0 (the struct grows at its end): */
    bool drained;            /* to be emptied: configuration drained, or
                              * `xl-balance drain' */
} bal_host_info;

typedef struct bal_status bal_status;

/* Takes nsamples >= 2 samples interval_s apart (simulated time on the sim
 * backend, the trace's time on replay) and classifies every VM. */
int bal_status_collect(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
                       bal_status **status_r);
void bal_status_free(bal_status *st);

int bal_status_num_hosts(const bal_status *st);
const bal_host_info *bal_status_host(const bal_status *st, int i);
int bal_status_num_vms(const bal_status *st);
/* VMs sorted by host, then dom0 first, then by name. */
const bal_vm_info *bal_status_vm(const bal_status *st, int i);
/* Peers that did not answer (their hosts are missing from the status). */
int bal_status_peer_errors(const bal_status *st);

/* The status as one JSON document (see README).  *json_r is malloc'd. */
int bal_status_json(const bal_status *st, char **json_r);

/* The realised-gain check (README, status --json): reads the migration
 * history in cfg's state directory and keeps in st, for each guest with
 * records there (by UUID), how many, the newest one's realised and
 * predicted gain and the guest's trust, which bal_status_json then writes
 * under its "history".  A missing history adds nothing; one that cannot
 * be read is a warning and adds nothing.  Read again, it replaces what
 * was kept.  BAL_EINVAL (a NULL argument), BAL_ECONFIG (a history that is
 * a link or not a regular file), BAL_ENOMEM. */
int bal_status_read_history(bal_ctx *ctx, const bal_config *cfg,
                            bal_status *st);

/* ---- plan: what the planner would do, and why ---------------------------
 * Samples and classifies the cluster as rebalance does, estimates every
 * VM's demands from what it got (doc/planner.md, "From a live status to
 * the planner's input"), and plans with the configuration's constraints
 * and rebalance's migration history.  Moves nothing, writes nothing.  The
 * report's JSON is a plan file `rebalance --apply' runs.  Or, offline,
 * the cluster a file describes (bal_plan_cluster). */

#define BAL_PLAN_OPTIONS_VERSION 1

typedef struct bal_plan_options {
    unsigned int version;       /* BAL_PLAN_OPTIONS_VERSION */
    double horizon_s;           /* <= 0: the configuration's horizon */
    int max_moves;              /* < 0: the configuration's max_moves */
} bal_plan_options;

/* The defaults, o->version = version; BAL_EINVAL (o untouched, nothing
 * logged) for a version this library does not know. */
int bal_plan_options_init(bal_plan_options *o, unsigned int version);

typedef struct bal_plan_move_info {
    const char *vm, *uuid, *from, *to;
    bal_load_type type;
    int wave;                   /* 0, 1, ...: waves run one after another */
    int unit;                   /* a swap's two moves share it */
    bool evacuation;            /* off a drained host (not gated) */
    const char *reason;
    double gain;                /* its unit's gain over the horizon, VM-s */
    double gain_rate;           /* its unit's throughput gain once done,
                                 * VM-equivalents */
    double loss;                /* work lost while it migrates, VM-s */
    double migration_s;         /* predicted, alone */
    double wave_migration_s;    /* predicted, beside its wave's others */
    double downtime_s;
    double bytes;               /* memory sent, all rounds */
    double break_even_s;        /* remaining runtime above which its unit
                                 * pays; INFINITY: never */
    int rounds;                 /* predicted pre-copy rounds, the final
                                 * copy included (alone, as downtime_s
                                 * and bytes) */
} bal_plan_move_info;

/* A VM that would gain from moving but stays, and why. */
typedef struct bal_plan_reject_info {
    const char *vm, *uuid;
    /* "pinned", "cooldown", "memory", "storage", "anti-affinity",
     * "ping-pong", "no-link", "below-break-even", "max-moves",
     * "partner", "no-host", "fairness", "must-run-on", "should-run-on",
     * "keep-together", "drained", "low-trust" (its past moves gained
     * less than predicted: doc/planner.md, "Trust") */
    const char *reason;
    const char *to;             /* its best destination; NULL: none */
    const char *partner;        /* a swap partner there; NULL: none */
    double gain, gain_rate, loss, migration_s, break_even_s;
    const char *detail;         /* the whole sentence, with the numbers */
} bal_plan_reject_info;

/* Every VM: where it is, where the plan puts it, what it was estimated
 * to want. */
typedef struct bal_plan_vm_info {
    const char *vm, *uuid;
    bal_load_type type;
    bool heavy, pinned;
    const char *host_before, *host_after;
    double cpu_demand;          /* pCPUs of computation */
    double io_demand_Bps;       /* INFINITY: as much as the path gives */
    double net_demand_Bps;      /* NIC traffic, received and sent;
                                 * INFINITY: as much as the NIC gives */
    double dirty_Bps;           /* memory dirtied, for the pre-copy */
    bool cpu_bottleneck;        /* its host's CPU is saturated and it got
                                 * the fair share: it wants more */
    bool io_bottleneck;         /* the same for the disk path */
    bool net_bottleneck;        /* the same for the NIC */
} bal_plan_vm_info;

typedef struct bal_plan_host_info {
    const char *name;
    uint32_t pcpus;
    bool drained;
    int64_t free_kb_before, free_kb_after;
} bal_plan_host_info;

typedef struct bal_plan_summary {
    double horizon_s;
    int nmoves, nwaves;
    double duration_s;          /* predicted: the waves one after another */
    double objective_before;    /* VM-seconds of work over the horizon */
    double objective_after;
    int collisions_before;      /* heavy VMs of one type sharing a host, */
    int collisions_after;       /* beyond the first, summed */
    int stranded;               /* VMs left on drained hosts */
    int peer_errors;            /* peers that did not answer: their hosts
                                 * are not in the plan */
} bal_plan_summary;

typedef struct bal_plan_report bal_plan_report;

int bal_plan(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
             const bal_plan_options *o, bal_plan_report **report_r);

/* Offline planning, for what-ifs and tests: the plan of the cluster the
 * file at path describes, in the planner's JSON input (doc/planner.md,
 * "JSON": hosts and VMs, optionally links, history and parameters), with
 * no backend, configuration, state directory or history: the file is all
 * the planner is told.  o's horizon_s and max_moves, when set, override
 * the file's parameters.  The report is bal_plan's; what only a live
 * status knows stays empty (peer_errors 0, no learned links, no
 * bottleneck estimates).  Its JSON is a plan file as bal_plan's, whose
 * uuids are the file's (a VM's name where it gives none).
 *
 * The file: a regular file (a FIFO or a directory is refused at once) of
 * at most 64 MiB.  Every refusal is logged as one line naming it:
 * "FILE: cannot open: ...", "FILE: vms[0] (vm1): host `HostC' is not a
 * host", "FILE: planner: vm vm2: uuid ... is already vm vm1's"; BAL_ENOENT,
 * BAL_EIO or BAL_ERANGE (the file), BAL_EINVAL (what it says), *report_r
 * untouched. */
int bal_plan_cluster(bal_ctx *ctx, const char *path,
                     const bal_plan_options *o, bal_plan_report **report_r);
void bal_plan_report_free(bal_plan_report *r);
const bal_plan_summary *bal_plan_report_summary(const bal_plan_report *r);
int bal_plan_report_num_moves(const bal_plan_report *r);
const bal_plan_move_info *bal_plan_report_move(const bal_plan_report *r,
                                               int i);
double bal_plan_report_wave_s(const bal_plan_report *r, int wave);
int bal_plan_report_num_rejected(const bal_plan_report *r);
const bal_plan_reject_info *bal_plan_report_rejected(
    const bal_plan_report *r, int i);
int bal_plan_report_num_vms(const bal_plan_report *r);
const bal_plan_vm_info *bal_plan_report_vm(const bal_plan_report *r, int i);
int bal_plan_report_num_hosts(const bal_plan_report *r);
const bal_plan_host_info *bal_plan_report_host(const bal_plan_report *r,
                                               int i);
/* The report as JSON: a plan file ({"xl_balance_plan": 1, "moves":
 * [...]}, each move with vm, uuid, from, to, wave) with the predictions,
 * the waves, the rejections and the placement beside it; *json_r
 * malloc'd. */
int bal_plan_report_json(const bal_plan_report *r, char **json_r);
/* The status the plan was made from; NULL for bal_plan_cluster's (no
 * live status).  Valid until r is freed. */
const bal_status *bal_plan_report_status(const bal_plan_report *r);

/* ---- rebalance: sample, plan, migrate, verify --------------------------
 * One run of `xl-balance rebalance' (doc/rebalance.md): takes the lock,
 * checks what a run that died mid-migration left in its journal, samples
 * and classifies the cluster, plans (or reads a saved plan and checks it
 * against the live state), asks for confirmation, runs the plan's waves
 * through the backend, and verifies each move on a fresh sample: the VM,
 * by UUID, runs on its destination and nowhere else.  Journal, history
 * and lock live where the configuration says (state_dir, lock_file). */

typedef enum {
    BAL_REBALANCE_NOTHING = 0,  /* nothing to do: no move planned */
    BAL_REBALANCE_PLANNED,      /* a dry run: the plan; nothing moved */
    BAL_REBALANCE_DONE,         /* every move done and verified */
    BAL_REBALANCE_PARTIAL,      /* some moves failed, were refused or were
                                 * skipped; every VM runs exactly once */
    BAL_REBALANCE_UNDEFINED,    /* a VM may run on no host or on two: an
                                 * admin must look; nothing more moved */
    BAL_REBALANCE_UNCONFIRMED,  /* not confirmed: nothing moved */
    BAL_REBALANCE_LOCKED,       /* another run holds the lock: nothing
                                 * done */
} bal_rebalance_outcome;

/* "nothing", "planned", "done", "partial", "undefined", "unconfirmed",
 * "locked". */
const char *bal_rebalance_outcome_name(bal_rebalance_outcome o);

typedef enum {
    BAL_MOVE_PLANNED = 0,   /* not started: a dry run, or not confirmed */
    BAL_MOVE_REFUSED,       /* not started: the live state does not allow
                             * it (a saved plan gone stale) */
    BAL_MOVE_SKIPPED,       /* not started: an earlier move failed, the
                             * run stopped, or --max-moves */
    BAL_MOVE_DONE,          /* verified: it runs on `to', once */
    BAL_MOVE_FAILED,        /* verified: it still runs on `from', once (or
                             * it was gone before it could be moved) */
    BAL_MOVE_UNDEFINED,     /* not verified: an admin must look */
} bal_move_state;

/* "planned", "refused", "skipped", "done", "failed", "undefined". */
const char *bal_move_state_name(bal_move_state s);

typedef struct bal_rebalance_move {
    const char *vm, *uuid, *from, *to;
    int wave;
    const char *reason;         /* why it was planned ("" if unknown) */
    bal_move_state state;
    const char *detail;         /* why it was refused, skipped, failed or
                                 * is undefined; "" when done */
    int rc;                     /* the migration's: 0 or BAL_E* */
    double duration_s, downtime_s;
    uint64_t bytes;
    bal_load_type type;         /* as classified before the move */
    bool rates_valid;           /* the four rates below are known */
    double cpu_pct_before, cpu_pct_after;
    double disk_Bps_before, disk_Bps_after;
    double net_Bps_before, net_Bps_after;   /* received + sent */
    double gain;                /* realised: its progress rate after over
                                 * before, minus 1; NAN: unknown */
    double predicted_gain;      /* the plan's gain_rate; NAN: none */
    double predicted_s;         /* the plan's duration of it; NAN: none
                                 * (a saved plan's moves) */
} bal_rebalance_move;

/* A move an earlier run left unfinished in the journal, and where this
 * run found the VM. */
typedef struct bal_rebalance_recovery {
    const char *vm, *uuid, *from, *to;
    /* "source", "destination", "elsewhere" (the VM runs once: fine),
     * "both", "neither" or "unknown" (a host did not answer): problems. */
    const char *found;
    bool problem;               /* the run stopped: an admin must look */
    const char *detail;         /* the whole sentence, as logged */
} bal_rebalance_recovery;

typedef struct bal_rebalance_report bal_rebalance_report;

/* Asked once the plan is known and before anything moves (never for a
 * dry run or when no move can run): true goes ahead. */
typedef bool bal_rebalance_confirm_fn(void *opaque,
                                      const bal_rebalance_report *r);

#define BAL_REBALANCE_OPTIONS_VERSION 1

typedef struct bal_rebalance_options {
    unsigned int version;       /* BAL_REBALANCE_OPTIONS_VERSION */
    bool dry_run;               /* plan and report; take no lock, touch no
                                 * state, move nothing */
    int max_moves;              /* at most this many moves; < 0: no limit */
    const char *apply;          /* a saved plan (`--dry-run --json', `plan
                                 * --json'); NULL: plan now */
    bal_rebalance_confirm_fn *confirm;  /* NULL: no question */
    void *confirm_opaque;
} bal_rebalance_options;

/* The defaults, o->version = version; BAL_EINVAL (o untouched, nothing
 * logged) for a version this library does not know. */
int bal_rebalance_options_init(bal_rebalance_options *o,
                               unsigned int version);

/* Returns 0 when the run reached an outcome (*report_r says which, moves
 * and recoveries included), or a BAL_E* when it could not start (bad
 * configuration, state directory or plan file, the first sample
 * failed: logged, nothing moved). */
int bal_rebalance(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
                  const bal_rebalance_options *o,
                  bal_rebalance_report **report_r);
void bal_rebalance_report_free(bal_rebalance_report *r);
bal_rebalance_outcome bal_rebalance_report_outcome(
    const bal_rebalance_report *r);
int bal_rebalance_report_num_moves(const bal_rebalance_report *r);
const bal_rebalance_move *bal_rebalance_report_move(
    const bal_rebalance_report *r, int i);
int bal_rebalance_report_num_recovered(const bal_rebalance_report *r);
const bal_rebalance_recovery *bal_rebalance_report_recovered(
    const bal_rebalance_report *r, int i);
/* The report as JSON: a plan file (every move with vm, uuid, from, to,
 * wave) that also says each move's state; *json_r malloc'd. */
int bal_rebalance_report_json(const bal_rebalance_report *r, char **json_r);
/* The status the run sampled before it moved anything; NULL when it
 * sampled none (locked, stopped by an earlier run's journal).  Valid
 * until r is freed. */
const bal_status *bal_rebalance_report_status(const bal_rebalance_report *r);

/* ---- migrate: one VM, named by the admin ------------------------------
 * `xl-balance migrate DOMAIN HOST': like `xl migrate', through the
 * backend's sender (on xen: libxl_domain_suspend live, xl's protocol, into
 * the stock `xl migrate-receive' on HOST, reached with the configured
 * transport; doc/migration.md).  DOMAIN is a name or a UUID of a domain on
 * this host; a name is resolved to its UUID first. */

#define BAL_MIGRATE_RESULT_VERSION 2

typedef struct bal_migrate_result {
    unsigned int version;       /* BAL_MIGRATE_RESULT_VERSION */
    char uuid[37];              /* the VM's, unchanged by the move */
    char name[128];
    char from[256];             /* this host, as the backend names it */
    double duration_s;          /* start to the receiver's report */
    double downtime_s;          /* paused for the final copy; 0: unknown */
    uint64_t bytes;             /* memory sent, all rounds */
    int rounds;                 /* memory rounds, the final one included */
    uint64_t mem_kb;            /* the VM's memory when it started */
    double dirty_Bps;           /* memory it dirtied a second while it was
                                 * sent, measured; NAN: unknown */
    /* Version 2: what the planner's cost model predicted before the move
     * (doc/planner.md, "The model"), with the link and the VM's dirty
     * rate learned from the history's measured migrations where there
     * are ("Learned links"). */
    double predicted_s;         /* NAN: no prediction */
    int predicted_rounds;       /* the final copy included */
    bool learned;               /* learned rates were used */
} bal_migrate_result;

/* Every field empty (dirty_Bps and predicted_s NAN), r->version = version; BAL_EINVAL (r
 * untouched, nothing logged) for a version this library does not know. */
int bal_migrate_result_init(bal_migrate_result *r, unsigned int version);

/* result_r: initialised by bal_migrate_result_init.
 * 0: the VM runs on host, *result_r filled, the move appended to rebalance's
 * history (state_dir).  It holds rebalance's lock (lock_file) throughout:
 * BAL_ELOCKED (logged, nothing done) when another process holds it.
 * BAL_EUNDEFINED: the protocol broke after the point of no return
 * (logged: an admin must look).  Any other BAL_E*: the VM still runs here
 * (or was never found); *result_r untouched. */
int bal_migrate(bal_ctx *ctx, bal_backend *be, const char *domain,
                const char *host, bal_migrate_result *result_r);

/* ---- drain and pin: an admin's word, kept in the state directory ------ */

/* Drains (on) or undrains host, the admin's word kept in the state
 * directory (state_dir/admin.json) until undone: the next plan evacuates
 * a drained host, memory permitting, and moves nothing onto it; status
 * shows it.  The configuration's `drained' list says the same for good.
 * It holds rebalance's lock while it writes: BAL_ELOCKED (logged,
 * nothing done) when another process holds it.  Draining a host the
 * backend does not report is BAL_ENOENT (logged); undraining one that is
 * not drained changes nothing.  *changed_r: whether the state changed.
 * Errors are logged, nothing done. */
int bal_drain(bal_ctx *ctx, bal_backend *be, const char *host, bool on,
              bool *changed_r);
/* Pins (on) or unpins vm, named by name or UUID and kept by UUID, as
 * bal_drain keeps drains: a pinned VM is never moved, by plan, rebalance
 * or a saved plan.  Pinning a VM no host runs (or a name two VMs share:
 * use the UUID) is BAL_ENOENT / BAL_EINVAL (logged); unpinning finds the
 * VM among the pinned ones by UUID or by the name it had when pinned, or
 * among the running ones. */
int bal_pin(bal_ctx *ctx, bal_backend *be, const char *vm, bool on,
            bool *changed_r);

/* bal_migrate's outcome as one line of JSON, for a program
 * (`xl-balance migrate --json'; another dom0's rebalance reads it,
 * doc/migration.md): rc is what bal_migrate returned, res what it filled
 * (read only when rc is 0), host the destination it was given.  *json_r
 * is malloc'd.  BAL_EINVAL when rc is no BAL_E*, res is of an unknown
 * version (bal_migrate_result_init) or a name is not
 * printable UTF-8. */
int bal_migrate_json(int rc, const bal_migrate_result *res, const char *host,
                     char **json_r);

/* ---- running totals of what rebalance did (STATE_DIR/counters) ---------
 * Read whole into a handle, each total through an accessor.  A counter
 * keeps its number; a new one is added at the end: iterate up to
 * bal_counter_count() (or until bal_counter_name() is NULL), not up to a
 * constant. */

typedef enum {
    BAL_COUNTER_DONE = 0,       /* migrations verified on their destination */
    BAL_COUNTER_FAILED,         /* migrations that failed; the VM stayed */
    BAL_COUNTER_UNDEFINED,      /* migrations an admin had to look at */
    BAL_COUNTER_REFUSED,        /* moves not started: the live state refused */
    BAL_COUNTER_SKIPPED,        /* moves not started: an earlier one failed */
} bal_counter;

/* How many counters this library keeps: 0 .. bal_counter_count() - 1. */
int bal_counter_count(void);
/* "done", "failed", "undefined", "refused", "skipped"; NULL for a number
 * this library does not know. */
const char *bal_counter_name(bal_counter c);

typedef struct bal_counters bal_counters;

/* The totals so far (all 0 before the first rebalance recorded any);
 * *counters_r untouched on failure. */
int bal_counters_read(bal_ctx *ctx, const bal_config *cfg,
                      bal_counters **counters_r);
/* One total; 0 for a counter this library does not know, or c NULL. */
uint64_t bal_counters_value(const bal_counters *c, bal_counter which);
void bal_counters_free(bal_counters *c);

/* ---- metrics: the status for Prometheus ---------------------------------
 * Every family of a status (rates and levels as gauges, each domain's
 * cumulative counters as _total counters, types, hosts) and the totals
 * above, in one of two formats (README, "Metrics"). */

typedef enum {
    BAL_METRICS_OPENMETRICS = 0,    /* OpenMetrics 1.0, "# EOF" last
                                     * (status --openmetrics) */
    BAL_METRICS_PROMETHEUS,         /* Prometheus text 0.0.4: counters and
                                     * gauges only, what node_exporter's
                                     * textfile collector reads */
} bal_metrics_format;

/* st (and counters; NULL: not read, then reported as 0) in format fmt to
 * f.  0, BAL_EIO when writing to f failed, BAL_EINVAL. */
int bal_metrics_write(const bal_status *st, const bal_counters *counters,
                      bal_metrics_format fmt, FILE *f);
/* When the configuration names a metrics_textfile: st and the totals, in
 * BAL_METRICS_PROMETHEUS, replace it in one step (a temporary file in its
 * directory, synced, renamed over it; mode 0644), so that the collector
 * never reads it half written.  0 also when none is named.  BAL_EIO,
 * logged ("FILE: cannot write the metrics: DIR: No such file or
 * directory"), the file as it was. */
int bal_metrics_textfile(bal_ctx *ctx, const bal_config *cfg,
                         const bal_status *st);

#ifdef __cplusplus
}
#endif

#endif /* LIBBALANCE_H */
