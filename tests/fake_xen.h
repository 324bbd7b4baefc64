/*
 * fake_xen.h - a fake libxenstat and the few libxl calls backend_xen.c
 * makes, for seam tests (tests/seam_*.c link tests/fake_*.c and no Xen
 * library, so a real Xen call that is not faked here fails to link).
 *
 * A test fills fx.node with the host it wants xenstat to report;
 * xenstat_get_node hands out a copy, libxl_list_domain lists the same
 * domains minus those marked not_in_libxl.  The live counters let a test
 * check that everything handed out was given back.
 */
#ifndef BAL_FAKE_XEN_H
#define BAL_FAKE_XEN_H

#include <stdbool.h>

#include <xenstat.h>
#include <xentoollog.h>
#include <libxl.h>

#define FX_MAX_DOMS 16
#define FX_MAX_DEVS 4

/* The opaque xenstat types, completed for the fake and its tests only. */
struct xenstat_vbd {
    bool error;                 /* xenstat could not read its statistics */
    unsigned long long rd_reqs, wr_reqs, rd_sects, wr_sects, oo_reqs;
};

struct xenstat_network {
    unsigned long long rbytes, tbytes;
};

struct xenstat_domain {
    unsigned domid;
    const char *name;           /* NULL: no name in xenstore */
    bool dying;
    bool not_in_libxl;          /* raced away before libxl_list_domain */
    unsigned char uuid[16];
    unsigned long long cpu_ns;
    unsigned long long cur_mem, max_mem;     /* bytes; max ~0: no limit */
    unsigned vcpus;
    unsigned nvbds, nnets;
    struct xenstat_vbd vbds[FX_MAX_DEVS];
    struct xenstat_network nets[FX_MAX_DEVS];
    /* What libxl_domain_sched_params_get reports: weight 0 is
     * LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT (a scheduler without
     * weights); sched_fails makes the call fail for this domain. */
    int weight;
    bool sched_fails;
};

struct xenstat_node {
    unsigned ncpus;
    unsigned long long cpu_hz;
    unsigned long long tot_mem, free_mem;    /* bytes */
    unsigned ndoms;
    struct xenstat_domain doms[FX_MAX_DOMS];
};

typedef struct fx_state {
    struct xenstat_node node;   /* what xenstat_get_node reports */

    bool init_fails, get_node_fails, ctx_alloc_fails, list_fails;

    int init_calls;             /* xenstat_init calls */
    int sched_gets;             /* libxl_domain_sched_params_get calls */
    int sched_params;           /* params init'd and not yet disposed */
    int handles, nodes, ctxs, lists;         /* live objects */
    xentoollog_logger *logger;  /* the one libxl_ctx_alloc was given */
} fx_state;

extern fx_state fx;

/* Everything back to zero: no domains, nothing fails, nothing live. */
void fx_reset(void);

#endif /* BAL_FAKE_XEN_H */
