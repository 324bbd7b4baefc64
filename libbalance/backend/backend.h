/*
 * backend.h - the one interface every source of cluster counters
 * implements: xen (libxenstat + libxl, peers over a transport), peers
 * (every dom0 over the transport, from a management host), sim (a
 * simulated cluster) and replay (recorded samples).  The rest of the
 * library sees only this.
 */
#ifndef BAL_BACKEND_H
#define BAL_BACKEND_H

#include "base/internal.h"
#include "base/move.h"

typedef struct bal__backend_ops {
    const char *name;
    /* Fills out (bal__sample_init'd by the caller) with one sample of every
     * host; local_only: this host only, no peers. */
    int (*sample)(bal_backend *be, bool local_only, bal__sample *out);
    /* Lets interval_s pass: sleeps on xen, advances the simulated clock on
     * sim, nothing on replay (the trace carries its own time). */
    int (*wait)(bal_backend *be, double interval_s);
    void (*close)(bal_backend *be);
    /* Runs a wave: the n moves at once, returning when every one has
     * ended; results[i] says how each went.  Returns non-zero only when
     * the wave could not be started at all (nothing moved then).  NULL
     * for a backend that cannot migrate (replay). */
    int (*migrate)(bal_backend *be, const bal__move *moves, int n,
                   bal__move_result *results);
    /* Moves no real VM (sim, replay): its runs keep their state apart
     * from the dom0's (bal_config_set_state).  false, the default of a
     * new backend: the configuration's state, as on xen. */
    bool simulated;
} bal__backend_ops;

struct bal_backend {
    const bal__backend_ops *ops;
    bal_ctx *ctx;
    const struct bal_config *cfg;
    char *spec;
    void *priv;
};

/* A backend not opened yet, for a constructor to fill (spec copied): what
 * bal_backend_open makes from a spec and the simulator's balancer around
 * a scenario it has changed.  Until the constructor sets be->ops,
 * bal_backend_close frees it alone.  0 or BAL_ENOMEM. */
int bal__backend_alloc(bal_ctx *ctx, const struct bal_config *cfg,
                       const char *spec, bal_backend **be_r);

/* The wait of a backend on real hosts (xen, peers): sleeps interval_s
 * (0 to 1e9), signals or not.  BAL_ERANGE or BAL_EIO, logged "NAME: ...". */
int bal__backend_sleep(bal_backend *be, double interval_s);

/* Each adapter's constructor: sets be->ops and be->priv, on success
 * alone.  arg is what follows "NAME:" in the spec (NULL for plain
 * "xen"). */
int bal__backend_xen_open(bal_backend *be, const char *arg);
int bal__backend_peers_open(bal_backend *be, const char *arg);
int bal__backend_sim_open(bal_backend *be, const char *arg);
int bal__backend_replay_open(bal_backend *be, const char *arg);

/* Where bal_xen_available() looks (backend_xen.c): the privcmd device
 * (either path will do) and the capabilities file that says "control_d"
 * in a dom0.  Variables rather than literals only so that the seam test
 * can point them at temporary files. */
BAL__HIDDEN extern const char *bal__xen_privcmd_path;
BAL__HIDDEN extern const char *bal__xen_privcmd_proc_path;
BAL__HIDDEN extern const char *bal__xen_caps_path;

#endif /* BAL_BACKEND_H */
