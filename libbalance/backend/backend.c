/*
 * backend.c - choosing a backend from its spec and the calls every
 * backend answers the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend.h"
#include "base/config.h"
#include "base/json.h"
#include "base/state_private.h"

typedef int backend_open_fn(bal_backend *be, const char *arg);

static const struct {
    const char *name;
    backend_open_fn *open;
    bool takes_arg;
} backends[] = {
    { "xen",    bal__backend_xen_open,    false },
    { "peers",  bal__backend_peers_open,  false },
    { "sim",    bal__backend_sim_open,    true  },
    { "replay", bal__backend_replay_open, true  },
};

int bal__backend_alloc(bal_ctx *ctx, const struct bal_config *cfg,
                       const char *spec, bal_backend **be_r)
{
    bal_backend *be = calloc(1, sizeof(*be));

    if (!be) return BAL_ENOMEM;
    be->ctx = ctx;
    be->cfg = cfg;
    be->spec = strdup(spec);
    if (!be->spec) {
        free(be);
        return BAL_ENOMEM;
    }
    *be_r = be;
    return 0;
}

int bal_backend_open(bal_ctx *ctx, const bal_config *cfg, const char *spec,
                     bal_backend **be_r)
{
    bal_backend *be = NULL;
    const char *colon, *arg;
    size_t namelen;
    size_t i;
    int rc;

    if (!ctx || !cfg || !spec || !be_r) return BAL_EINVAL;

    colon = strchr(spec, ':');
    namelen = colon ? (size_t)(colon - spec) : strlen(spec);
    arg = colon ? colon + 1 : NULL;

    for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        if (strlen(backends[i].name) == namelen &&
            !strncmp(backends[i].name, spec, namelen))
            break;
    if (i == sizeof(backends) / sizeof(backends[0])) {
        BAL__ERR(ctx, "backend `%s': unknown (expected xen, peers, "
                 "sim:SCENARIO or replay:TRACE)", spec);
        rc = BAL_EBACKEND;
        goto out;
    }
    if (backends[i].takes_arg && (!arg || !*arg)) {
        BAL__ERR(ctx, "backend `%s': needs a file, as %s:FILE", spec,
                 backends[i].name);
        rc = BAL_EBACKEND;
        goto out;
    }
    if (!backends[i].takes_arg && arg) {
        BAL__ERR(ctx, "backend `%s': takes no argument", spec);
        rc = BAL_EBACKEND;
        goto out;
    }

    rc = bal__backend_alloc(ctx, cfg, spec, &be);
    if (rc) goto out;
    rc = backends[i].open(be, arg);
    if (rc) goto out;

    *be_r = be;
    be = NULL;

out:
    bal_backend_close(be);
    return rc;
}

void bal_backend_close(bal_backend *be)
{
    if (!be) return;
    if (be->ops && be->ops->close) be->ops->close(be);
    free(be->spec);
    free(be);
}

const char *bal_backend_name(const bal_backend *be)
{
    return be && be->ops ? be->ops->name : "";
}

/* key (state_dir, lock_file) set to dir/name. */
static int set_path(bal_config *cfg, const char *key, const char *dir,
                    const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    int rc;

    if (!p) return BAL_ENOMEM;
    sprintf(p, "%s/%s", dir, name);
    rc = bal__config_set_string(bal__config_key_find(key), cfg, p);
    free(p);
    return rc;
}

/* The metrics textfile's directory, before the run does anything: a run
 * that would print or move and then fail to write its metrics is refused
 * at once instead.  The file itself is replaced when written. */
static int check_textfile_dir(bal_ctx *ctx, const bal_config *cfg)
{
    const char *path = cfg->metrics_textfile, *slash;
    char dir[4096];
    struct stat st;

    if (!path || !*path) return 0;
    slash = strrchr(path, '/');
    snprintf(dir, sizeof(dir), "%.*s",
             slash > path ? (int)(slash - path) : 1, path);
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) errno = ENOTDIR;
    else if (stat(dir, &st) == 0) return 0;
    BAL__ERR(ctx, "%s: metrics_textfile: %s: %s",
             cfg->source ? cfg->source : "configuration", dir,
             strerror(errno));
    return BAL_ECONFIG;
}

int bal_config_set_state(bal_ctx *ctx, bal_config *cfg, const bal_backend *be,
                         const char *state_dir)
{
    char *priv = NULL;
    int rc;

    if (!ctx || !cfg || !be || !be->ops || (state_dir && !*state_dir) ||
        cfg->private_dir)
        return BAL_EINVAL;
    if (state_dir) {
        rc = bal__config_set_string(bal__config_key_find("state_dir"), cfg,
                                    state_dir);
        if (rc) goto out;
    }
    /* A simulated run must neither change the dom0's cooldowns and
     * counters nor plan from its history: what is not named explicitly
     * goes into a directory of its own, the lock beside the state. */
    if (be->ops->simulated && (!cfg->state_dir || !cfg->lock_file)) {
        rc = bal__state_private_make(ctx, &priv);
        if (rc) goto out;
        cfg->private_dir = priv;
        if (!cfg->state_dir && (rc = set_path(cfg, "state_dir", priv, "state")))
            goto out;
        if (!cfg->lock_file && (rc = set_path(cfg, "lock_file", priv, "lock")))
            goto out;
    }
    /* The file's own pair was checked as it was loaded. */
    if (state_dir && bal__path_inside(bal__config_lock_file(cfg),
                                      state_dir)) {
        BAL__ERR(ctx, "--state-dir `%s' holds lock_file `%s'%s%s; put the "
                 "lock elsewhere", state_dir,
                 bal__config_lock_file(cfg), cfg->source ? " of " : "",
                 cfg->source ? cfg->source : "");
        rc = BAL_ECONFIG;
        goto out;
    }
    rc = check_textfile_dir(ctx, cfg);

out:
    return rc;
}

int bal__backend_sleep(bal_backend *be, double interval_s)
{
    struct timespec ts, rem;

    if (!(interval_s >= 0) || interval_s > 1e9) {
        BAL__ERR(be->ctx, "%s: cannot wait %g seconds", be->ops->name,
                 interval_s);
        return BAL_ERANGE;
    }
    ts.tv_sec = (time_t)interval_s;
    ts.tv_nsec = (long)((interval_s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec > 999999999) ts.tv_nsec = 999999999;
    while (nanosleep(&ts, &rem)) {
        if (errno != EINTR) {
            BAL__ERR(be->ctx, "%s: nanosleep: %s", be->ops->name,
                     strerror(errno));
            return BAL_EIO;
        }
        ts = rem;
    }
    return 0;
}

int bal_backend_wait(bal_backend *be, double seconds)
{
    if (!be || !(seconds >= 0)) return BAL_EINVAL;
    return be->ops->wait(be, seconds);
}

int bal_sample_json(bal_ctx *ctx, bal_backend *be, bool local_only,
                    char **json_r)
{
    bal__sample s;
    int rc;

    (void)ctx;
    bal__sample_init(&s);
    if (!be || !json_r) { rc = BAL_EINVAL; goto out; }

    rc = be->ops->sample(be, local_only, &s);
    if (rc) goto out;
    rc = bal__json_write_sample(&s, json_r);

out:
    bal__sample_dispose(&s);
    return rc;
}
