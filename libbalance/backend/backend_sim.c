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
 *
 * migrate() runs a wave of live migrations on the simulated clock
 * (bal__sim_migrate): the balancer cannot tell it from xl migrate, except
 * that it takes no wall time.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "base/state.h"
#include "scenario.h"
#include "sim.h"

#define PLACEMENT_MAX (64u << 20)   /* bytes: a line per VM */

#ifndef BAL_DATADIR
#define BAL_DATADIR "/usr/local/share/xl-balance"
#endif

typedef struct sim_priv {
    bal__scenario scn;
    bal__sim *sim;
    bool moved;                 /* this process migrated a VM */
} sim_priv;

/* ---- the placement file (option placement=FILE) ----------------------
 * Where each VM runs, one line "VM HOST" each, kept from one process to
 * the next, so that a simulated cluster outlives a run that is killed
 * (tests/crash): read when the backend opens, written after each wave
 * (aside, then renamed: a kill leaves the old placement or the new one,
 * never half of one). */

/* The file's hosts replace the scenario's; no file: the scenario's. */
static int placement_load(bal_ctx *ctx, bal__scenario *scn)
{
    const char *path = scn->opt.placement;
    char *buf = NULL, *line, *next, *sp;
    size_t len;
    int lineno = 0, v, h, rc;

    if (!*path || (access(path, F_OK) && errno == ENOENT)) return 0;
    rc = bal__read_file(ctx, path, PLACEMENT_MAX, &buf, &len);
    if (rc) goto out;
    for (line = buf; *line; line = next) {
        next = strchr(line, '\n');
        next = next ? (*next = '\0', next + 1) : line + strlen(line);
        lineno++;
        sp = strchr(line, ' ');
        if (sp) *sp = '\0';
        v = bal__scenario_find_vm(scn, line);
        h = sp ? bal__scenario_find_host(scn, sp + 1) : -1;
        if (v < 0 || h < 0) {
            BAL__ERR(ctx, "%s:%d: not \"VM HOST\" of the scenario's VMs "
                     "and hosts", path, lineno);
            /* A bad file named by the scenario, not a bad -b SPEC (which
             * BAL_EBACKEND means when the backend opens: exit 2). */
            rc = BAL_ESCENARIO;
            goto out;
        }
        scn->vms[v].host = h;
    }
    rc = 0;

out:
    free(buf);
    return rc;
}

static int placement_save(bal_ctx *ctx, const bal__scenario *scn,
                          const bal__sim *sim)
{
    char tmp[BAL__SCN_PATH_MAX + 8], *text = NULL;
    size_t len = 0, cap = 0;
    int fd = -1, v, n, rc;

    if (!scn->opt.placement[0]) return 0;
    for (v = 0; v < scn->nvms; v++) {
        const char *vm = scn->vms[v].name,
                   *host = scn->hosts[bal__sim_vm_host(sim, v)].name;
        size_t need = strlen(vm) + strlen(host) + 3;

        if (len + need > cap) {
            char *nt = realloc(text, cap = 2 * (len + need));

            if (!nt) { rc = BAL_ENOMEM; goto out; }
            text = nt;
        }
        n = snprintf(text + len, cap - len, "%s %s\n", vm, host);
        len += (size_t)n;
    }
    snprintf(tmp, sizeof(tmp), "%s.new", scn->opt.placement);
    rc = bal__state_open(ctx, AT_FDCWD, tmp, tmp, "placement file",
                         O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (rc) goto out;
    if (bal__write_all(fd, text ? text : "", len) ||
        rename(tmp, scn->opt.placement)) {
        BAL__ERR(ctx, "%s: cannot write: %s", scn->opt.placement,
                 strerror(errno));
        rc = BAL_EIO;
    }

out:
    if (fd >= 0) close(fd);
    free(text);
    return rc;
}

/* ---- the clock file (option clock=FILE) --------------------------------
 * The simulated time the next process starts at, in whole nanoseconds on
 * one line, so that successive processes (timer runs of `rebalance',
 * with a `status' between) see one cluster whose clock and counters go
 * on: read when the backend opens, and the simulator then runs from 0 to
 * that time (the same seed, the same placement: the same counters, jobs
 * and noise); written when it closes, as its clock then plus option gap
 * (a timer's period), aside then renamed.  A process that migrated a VM
 * removes it instead: the placement changed, so the cluster's past can
 * no longer be replayed, and the next process starts at 0 (whose
 * samples no kept observation continues). */

#define CLOCK_MAX 64u               /* bytes: one number */

static int clock_load(bal_ctx *ctx, const bal__scenario *scn,
                      double *start_r)
{
    const char *path = scn->opt.clock;
    char *buf = NULL, *end;
    unsigned long long ns;
    size_t len;
    int rc;

    *start_r = 0;
    if (!*path || (access(path, F_OK) && errno == ENOENT)) return 0;
    rc = bal__read_file(ctx, path, CLOCK_MAX, &buf, &len);
    if (rc) goto out;
    errno = 0;
    ns = buf[0] >= '0' && buf[0] <= '9' ? strtoull(buf, &end, 10) : 0;
    if (buf[0] < '0' || buf[0] > '9' || errno || strcmp(end, "\n") ||
        ns > 1000000000ull * 1000000000ull) {
        BAL__ERR(ctx, "%s: not a simulated time (whole nanoseconds, at "
                 "most 10^18, and a newline)", path);
        rc = BAL_ESCENARIO;
        goto out;
    }
    *start_r = (double)ns / 1e9;
    rc = 0;

out:
    free(buf);
    return rc;
}

static void clock_save(bal_ctx *ctx, const sim_priv *p)
{
    const char *path = p->scn.opt.clock;
    char tmp[BAL__SCN_PATH_MAX + 8], text[32];
    int fd = -1, rc;

    if (!*path) return;
    if (p->moved) {
        if (unlink(path) && errno != ENOENT)
            BAL__ERR(ctx, "%s: cannot remove: %s", path, strerror(errno));
        return;
    }
    snprintf(text, sizeof(text), "%llu\n", (unsigned long long)
             (bal__sim_time_ns(p->sim) +
              (uint64_t)llround(p->scn.opt.gap_s * 1e9)));
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    rc = bal__state_open(ctx, AT_FDCWD, tmp, tmp, "clock file",
                         O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (rc) return;
    if (bal__write_all(fd, text, strlen(text)) || rename(tmp, path))
        BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
    close(fd);
}

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

/* A move names its VM by UUID and its hosts by name, as the balancer
 * knows them from samples; the simulator wants indices.  A move that does
 * not resolve is refused on its own (its result's rc, one line logged);
 * the rest of the wave goes ahead. */
static int sim_migrate(bal_backend *be, const bal__move *moves, int n,
                       bal__move_result *results)
{
    sim_priv *p = be->priv;
    const bal__scenario *scn = &p->scn;
    bal__move_result *res = NULL;
    int *vms = NULL, *dest = NULL, *slot = NULL, k = 0, i, rc;
    double now = bal__sim_now(p->sim);

    if (n < 0 || (n > 0 && (!moves || !results))) return BAL_EINVAL;
    if (!n) return 0;
    vms = malloc((size_t)n * sizeof(*vms));
    dest = malloc((size_t)n * sizeof(*dest));
    slot = malloc((size_t)n * sizeof(*slot));
    res = calloc((size_t)n, sizeof(*res));
    if (!vms || !dest || !slot || !res) { rc = BAL_ENOMEM; goto out; }

    for (i = 0; i < n; i++) {
        const bal__move *mv = &moves[i];
        int v = bal__scenario_find_uuid(scn, mv->uuid), from, to;

        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s = now;
        results[i].dirty_Bps = NAN;     /* the simulator does not measure it */
        if (v < 0) {
            BAL__ERR(be->ctx, "sim: no vm with uuid %s (%s)", mv->uuid,
                     mv->vm);
            results[i].rc = BAL_ENOENT;
            continue;
        }
        from = bal__sim_vm_host(p->sim, v);
        if (strcmp(scn->hosts[from].name, mv->from)) {
            BAL__ERR(be->ctx, "sim: vm %s is on %s, not %s",
                     scn->vms[v].name, scn->hosts[from].name, mv->from);
            results[i].rc = BAL_ENOENT;
            continue;
        }
        to = bal__scenario_find_host(scn, mv->to);
        if (to < 0) {
            BAL__ERR(be->ctx, "sim: vm %s: no host %s", scn->vms[v].name,
                     mv->to);
            results[i].rc = BAL_ENOENT;
            continue;
        }
        vms[k] = v;
        dest[k] = to;
        slot[k++] = i;
    }
    bal__sim_set_ctx(p->sim, be->ctx);
    rc = bal__sim_migrate(p->sim, vms, dest, k, res);
    p->moved = p->moved || k > 0;
    if (!rc) rc = placement_save(be->ctx, scn, p->sim);
    if (rc) goto out;
    for (i = 0; i < k; i++) results[slot[i]] = res[i];

out:
    free(vms);
    free(dest);
    free(slot);
    free(res);
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
    if (be->priv) clock_save(be->ctx, be->priv);
    sim_priv_free(be->priv);
    be->priv = NULL;
}

static const bal__backend_ops sim_ops = {
    .name = "sim",
    .sample = sim_sample,
    .wait = sim_wait,
    .close = sim_close,
    .migrate = sim_migrate,
    .simulated = true,
};

bal__sim *bal__backend_sim_get(bal_backend *be)
{
    return be && be->ops == &sim_ops ? ((sim_priv *)be->priv)->sim : NULL;
}

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
int bal__sim_resolve(bal_ctx *ctx, const char *arg, char **path_r)
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

/* Takes the parsed scenario over (leaving *scn empty): the end of
 * opening sim:FILE, and what the simulate driver uses after applying its
 * overrides (RTT, job lengths). */
int bal__backend_sim_adopt(bal_backend *be, bal__scenario *scn)
{
    sim_priv *p = NULL;
    double start;
    int rc;

    p = calloc(1, sizeof(*p));
    if (!p) return BAL_ENOMEM;
    p->scn = *scn;
    bal__scenario_init(scn);
    rc = placement_load(be->ctx, &p->scn);
    if (rc) goto out;
    rc = clock_load(be->ctx, &p->scn, &start);
    if (rc) goto out;
    rc = bal__sim_alloc(&p->sim, &p->scn);
    if (rc) goto out;
    bal__sim_set_ctx(p->sim, be->ctx);
    /* Where the process before left the clock: the same cluster, replayed
     * up to then. */
    if (start > 0) {
        rc = bal__sim_advance(p->sim, start);
        if (rc) goto out;
    }
    be->ops = &sim_ops;
    be->priv = p;
    p = NULL;

out:
    sim_priv_free(p);
    return rc;
}

int bal__backend_sim_open(bal_backend *be, const char *arg)
{
    bal__scenario scn;
    char *path = NULL;
    int rc;

    bal__scenario_init(&scn);
    if (!arg || !*arg) {
        BAL__ERR(be->ctx, "sim: needs a scenario, as sim:FILE or sim:NAME");
        rc = BAL_EBACKEND;
        goto out;
    }
    rc = bal__sim_resolve(be->ctx, arg, &path);
    if (rc) goto out;
    rc = bal__scenario_load(be->ctx, path, &scn);
    if (rc) goto out;
    rc = bal__backend_sim_adopt(be, &scn);

out:
    bal__scenario_dispose(&scn);
    free(path);
    return rc;
}
