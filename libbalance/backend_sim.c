/*
 * backend_sim.c - the "sim" backend: a simulated cluster (sim.c) over a
 * scenario file.  The clock is simulated: wait() advances it by exactly
 * the interval and never sleeps, so an hour of samples takes
 * milliseconds.
 *
 *   sim:FILE      a scenario file
 *   sim:NAME      a bare name (letters, digits, '_', '-', '.'): the
 *                 first of scenarios/NAME.scn (relative to the current
 *                 directory, for a source tree) and
 *                 BAL_DATADIR/scenarios/NAME.scn (as installed)
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "scenario.h"
#include "sim.h"

#ifndef BAL_DATADIR
#define BAL_DATADIR "/usr/local/share/xl-balance"
#endif

typedef struct sim_priv {
    bal__scenario scn;
    bal__sim *sim;
} sim_priv;

static int sim_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    sim_priv *p = be->priv;

    return bal__sim_sample(p->sim, local_only, out);
}

static int sim_wait(bal_backend *be, double interval_s)
{
    sim_priv *p = be->priv;
    int rc = bal__sim_advance(p->sim, interval_s);

    if (rc)
        BAL__ERR(be->ctx, "sim: cannot wait %g s (0 to 1e9 s)", interval_s);
    return rc;
}

static void sim_priv_free(sim_priv *p)
{
    if (!p) return;
    bal__sim_free(p->sim);
    bal__scenario_dispose(&p->scn);
    free(p);
}

static void sim_close(bal_backend *be)
{
    sim_priv_free(be->priv);
    be->priv = NULL;
}

static const bal__backend_ops sim_ops = {
    .name = "sim",
    .sample = sim_sample,
    .wait = sim_wait,
    .close = sim_close,
};

/* A bare name is looked up; anything else is a path. */
static bool bare_name(const char *s)
{
    size_t n = strlen(s), i;

    if (!n || n > 64 || s[0] == '.' || s[0] == '-') return false;
    if (n > 4 && !strcmp(s + n - 4, ".scn")) return false;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
              s[i] == '.'))
            return false;
    return true;
}

/* The file arg names: *path_r malloc'd. */
static int resolve(bal_ctx *ctx, const char *arg, char **path_r)
{
    char local[128], installed[sizeof(BAL_DATADIR) + 128];

    /* An existing file wins even when its name looks bare. */
    if (!bare_name(arg) || access(arg, F_OK) == 0) {
        *path_r = strdup(arg);
        return *path_r ? 0 : BAL_ENOMEM;
    }
    snprintf(local, sizeof(local), "scenarios/%s.scn", arg);
    snprintf(installed, sizeof(installed), "%s/scenarios/%s.scn",
             BAL_DATADIR, arg);
    if (access(local, F_OK) == 0) *path_r = strdup(local);
    else if (access(installed, F_OK) == 0) *path_r = strdup(installed);
    else {
        BAL__ERR(ctx, "sim: no scenario `%s' (neither %s nor %s exists)",
                 arg, local, installed);
        return BAL_ENOENT;
    }
    return *path_r ? 0 : BAL_ENOMEM;
}

int bal__backend_sim_open(bal_backend *be, const char *arg)
{
    sim_priv *p = NULL;
    char *path = NULL;
    int rc;

    if (!arg || !*arg) {
        BAL__ERR(be->ctx, "sim: needs a scenario, as sim:FILE or sim:NAME");
        rc = BAL_EBACKEND;
        goto out;
    }
    rc = resolve(be->ctx, arg, &path);
    if (rc) goto out;

    p = calloc(1, sizeof(*p));
    if (!p) { rc = BAL_ENOMEM; goto out; }
    bal__scenario_init(&p->scn);
    rc = bal__scenario_load(be->ctx, path, &p->scn);
    if (rc) goto out;
    rc = bal__sim_alloc(&p->sim, &p->scn);
    if (rc) goto out;

    be->ops = &sim_ops;
    be->priv = p;
    p = NULL;

out:
    sim_priv_free(p);
    free(path);
    return rc;
}
