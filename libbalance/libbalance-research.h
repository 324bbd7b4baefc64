/*
 * libbalance-research.h - the research API of libbalance: the balancer in
 * the loop of a simulated cluster, and the break-even sweep.  Not the
 * dom0 path (status, plan, rebalance, migrate: libbalance.h): what-ifs and
 * the paper's figures.  Its functions are exported in a version node of
 * their own (LIBBALANCE_RESEARCH_1.0 in libbalance.map), so the dom0 ABI
 * (LIBBALANCE_1.0) does not carry them.
 *
 * Copyright (C) 2026 The xl-balance developers
 *
 * This library is free software; you can redistribute it and/or modify
 * it under the terms of the GNU Lesser General Public License as published
 * by the Free Software Foundation; version 2.1 only.
 *
 * The conventions are libbalance.h's: int rc, outputs last ending in _r,
 * opaque handles, caller-allocated structs versioned.
 */
#ifndef LIBBALANCE_RESEARCH_H
#define LIBBALANCE_RESEARCH_H

#include "libbalance.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- simulation: the balancer in the loop of a simulated cluster -------
 * The balancer drives the sim backend exactly as it drives Xen: it
 * samples, classifies, plans and migrates through the backend interface;
 * the simulator runs the scenario's jobs to their end.  Unless
 * no_balance, the scenario also runs once without balancing, for the
 * comparison. */

typedef enum {
    BAL_POLICY_SCENARIO = -1,   /* as the scenario says */
    BAL_POLICY_SEQUENTIAL = 0,  /* one migration at a time (the paper) */
    BAL_POLICY_CONCURRENT = 1,  /* a wave's migrations at once */
} bal_sim_policy;

#define BAL_SIM_OPTIONS_VERSION 1

typedef struct bal_sim_options {
    unsigned int version;       /* BAL_SIM_OPTIONS_VERSION */
    const char *scenario;       /* a file, or a shipped name: "paper" */
    bool no_balance;            /* only the run without balancing */
    double rtt_ms;              /* < 0: the scenario's */
    bal_sim_policy policy;
    double job_scale;           /* every job's work times this (1) */
    double balance_at;          /* < 0: the scenario's; seconds */
} bal_sim_options;

/* The defaults, o->version = version; BAL_EINVAL (o untouched, nothing
 * logged) for a version this library does not know. */
int bal_sim_options_init(bal_sim_options *o, unsigned int version);

typedef struct bal_sim_vm_info {
    const char *name;
    const char *uuid;
    bal_load_type load;         /* the workload the scenario gives it */
    bool has_job;
    double completion_s;        /* from its job's start; < 0: unfinished */
    double baseline_s;          /* the same without balancing; < 0: none */
    const char *host_start, *host_end;
} bal_sim_vm_info;

typedef struct bal_sim_migration_info {
    const char *vm, *from, *to;
    int wave;
    int rc;                     /* 0, or why it failed (the VM stayed) */
    double start_s, end_s;      /* simulated seconds */
    double downtime_s;
    uint64_t bytes;
    int rounds;
} bal_sim_migration_info;

typedef struct bal_sim_report bal_sim_report;

int bal_simulate(bal_ctx *ctx, const bal_config *cfg,
                 const bal_sim_options *o, bal_sim_report **report_r);
void bal_sim_report_free(bal_sim_report *r);
int bal_sim_report_num_vms(const bal_sim_report *r);
const bal_sim_vm_info *bal_sim_report_vm(const bal_sim_report *r, int i);
int bal_sim_report_num_migrations(const bal_sim_report *r);
const bal_sim_migration_info *bal_sim_report_migration(
    const bal_sim_report *r, int i);
double bal_sim_report_rtt_ms(const bal_sim_report *r);
bool bal_sim_report_concurrent(const bal_sim_report *r);
double bal_sim_report_balance_at(const bal_sim_report *r);
int bal_sim_report_json(const bal_sim_report *r, char **json_r);
/* Timelines like the paper's figures: every VM's job throughput over
 * time, with and without balancing, migrations shaded.  .svg or .png. */
int bal_sim_report_plot(bal_ctx *ctx, const bal_sim_report *r,
                        const char *path);

/* ---- the break-even study (the paper's future work 2) ------------------
 * For each RTT: the remaining job length at the start of balancing (in
 * seconds of the job running without migration) above which balancing
 * finishes the cpu (resp. io) jobs sooner, found by bisection over
 * simulated runs with every job scaled; and the closed form
 * L* = Tm (1 - (1 - d) r) / (1 - r) from the same runs' measured migration
 * time Tm, loss during migration d and time-after/time-before ratio r.
 * The rows are the report's, read through bal_sweep_report_row. */

typedef struct bal_sweep_row {
    double rtt_ms;
    bal_load_type type;         /* BAL_TYPE_CPU or BAL_TYPE_IO */
    double breakeven_s;         /* simulated; 0: any length wins; < 0: none
                                 * up to the longest length tried */
    double tm_s, d, r;          /* measured on a long job */
    double closed_form_s;       /* < 0 when r >= 1 (no gain after) */
} bal_sweep_row;

typedef struct bal_sweep_report bal_sweep_report;

int bal_sim_sweep(bal_ctx *ctx, const bal_config *cfg,
                  const bal_sim_options *o, const double *rtts, int nrtts,
                  bal_sweep_report **report_r);
void bal_sweep_report_free(bal_sweep_report *r);
int bal_sweep_report_num_rows(const bal_sweep_report *r);
const bal_sweep_row *bal_sweep_report_row(const bal_sweep_report *r, int i);
int bal_sweep_report_json(const bal_sweep_report *r, char **json_r);
int bal_sweep_report_plot(bal_ctx *ctx, const bal_sweep_report *r,
                          const char *path);

#ifdef __cplusplus
}
#endif

#endif /* LIBBALANCE_RESEARCH_H */
