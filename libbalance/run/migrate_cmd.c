/*
 * migrate_cmd.c - bal_migrate: one VM of this host, named by the admin,
 * live-migrated to another host through the backend's migrate operation
 * (on xen: our own sender, xl's protocol, into the stock
 * `xl migrate-receive` there; doc/migration.md).  The admin's verb next
 * to rebalance, like `xl migrate DOMAIN HOST`.
 *
 * The VM is named by name or UUID and found on a fresh sample of this
 * host only: a name is resolved to its UUID here, and the migration finds
 * the VM by that UUID again just before it starts (a domain renamed or
 * recreated in between is not mistaken for it).
 *
 * It takes rebalance's lock and state directory (bal__state_take) for
 * the whole of it, so that it never runs beside a rebalance, and appends
 * the migration to rebalance's history when the receiver confirmed it:
 * it then counts for cooldown and ping-pong like any other, and its
 * measured duration teaches the planner the link (doc/planner.md,
 * "Learned links").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/internal.h"
#include "backend/backend.h"
#include "base/config.h"
#include "journal.h"
#include "base/lock.h"
#include "base/migrate_json.h"
#include "balance/history.h"
#include "balance/plan_input.h"
#include "rebalance.h"
#include "base/sample.h"

/* The domain DOMAIN names on h: by UUID (any case) first, then by name.
 * Two domains cannot share a name on one Xen host, nor a UUID. */
static const bal__dom *find_dom(const bal__host *h, const char *domain)
{
    int i;

    for (i = 0; i < h->ndoms; i++)
        if (!strcasecmp(h->doms[i].uuid, domain)) return &h->doms[i];
    for (i = 0; i < h->ndoms; i++)
        if (!strcmp(h->doms[i].name, domain)) return &h->doms[i];
    return NULL;
}

/* The migration done, as one history record (a failure to write it is
 * a warning: the VM has moved).  One sample: not classified, no rates,
 * no plan; without the sender's measure, the configured dirty rate
 * alone. */
static void record(bal_ctx *ctx, const struct bal_config *cfg, int dirfd,
                   const bal__move *mv, const bal__move_result *res,
                   uint64_t mem_kb)
{
    const char *dir = bal__config_state_dir(cfg);
    bal__hist_facts f;
    bal__hist h;

    bal__hist_facts_init(&f);
    f.mem_kb = mem_kb;
    bal__hist_make(cfg, bal__wall_time(), mv, res, &f, &h);
    if (bal__history_append(ctx, dirfd, dir, &h, 1))
        BAL__WARN(ctx, "%s/%s: the migration of %s is not recorded", dir,
                  BAL__HISTORY_FILE, mv->vm);
}

int bal_migrate_result_init(bal_migrate_result *r, unsigned int version)
{
    if (!r || version != BAL_MIGRATE_RESULT_VERSION) return BAL_EINVAL;
    memset(r, 0, sizeof(*r));
    r->version = version;
    r->dirty_Bps = NAN;
    return 0;
}

int bal_migrate(bal_ctx *ctx, bal_backend *be, const char *domain,
                const char *host, bal_migrate_result *result_r)
{
    struct bal_config defaults;
    const struct bal_config *cfg;
    bal__sample s;
    bal__move mv;
    bal__move_result res;
    const bal__dom *d;
    const bal__host *h;
    uint64_t mem_kb;
    int dirfd = -1, lockfd = -1, rc;

    bal__sample_init(&s);
    bal__config_defaults(&defaults);
    if (!ctx || !be || !domain || !host || !result_r) {
        rc = BAL_EINVAL;
        goto out;
    }
    rc = bal__version_check(ctx, "bal_migrate_result", result_r->version,
                            BAL_MIGRATE_RESULT_VERSION);
    if (rc) goto out;
    cfg = be->cfg ? be->cfg : &defaults;
    if (!*domain || !*host || host[0] == '-') {
        BAL__ERR(ctx, "migrate: bad domain `%s' or host `%s'", domain, host);
        rc = BAL_EINVAL;
        goto out;
    }
    if (strlen(host) >= BAL__HOST_MAX) {
        BAL__ERR(ctx, "migrate: host name `%.40s...' is too long", host);
        rc = BAL_EINVAL;
        goto out;
    }
    if (!be->ops->migrate) {
        BAL__ERR(ctx, "migrate: backend %s cannot migrate VMs", be->ops->name);
        rc = BAL_EBACKEND;
        goto out;
    }
    /* Never beside a rebalance (nor another migrate): its plan would not
     * know of this move. */
    rc = bal__state_take_excl(ctx, cfg, &dirfd, &lockfd);
    if (rc) goto out;
    rc = be->ops->sample(be, true, &s);
    if (rc) goto out;
    if (s.nhosts < 1) {
        BAL__ERR(ctx, "migrate: backend %s reported no local host",
                 be->ops->name);
        rc = BAL_EBACKEND;
        goto out;
    }
    h = &s.hosts[0];
    d = find_dom(h, domain);
    if (!d) {
        BAL__ERR(ctx, "migrate: no domain `%s' on %s; nothing done",
                 domain, h->name);
        rc = BAL_ENOENT;
        goto out;
    }
    if (d->domid == 0) {
        BAL__ERR(ctx, "migrate: `%s' is dom0, which never moves", domain);
        rc = BAL_EINVAL;
        goto out;
    }
    if (!strcmp(host, h->name)) {
        /* Not refused: xl allows it, and it is how one host tests the
         * whole path (the receiver runs here under the same name). */
        BAL__INFO(ctx, "migrate: %s to its own host %s", d->name, host);
    }

    memset(&mv, 0, sizeof(mv));
    memset(&res, 0, sizeof(res));
    res.dirty_Bps = NAN;
    snprintf(mv.uuid, sizeof(mv.uuid), "%s", d->uuid);
    snprintf(mv.vm, sizeof(mv.vm), "%s", d->name);
    snprintf(mv.from, sizeof(mv.from), "%s", h->name);
    snprintf(mv.to, sizeof(mv.to), "%s", host);
    mem_kb = d->mem_kb;
    rc = be->ops->migrate(be, &mv, 1, &res);
    if (!rc) rc = res.rc;
    if (rc) goto out;       /* the sender logged what happened */
    /* The receiver reported the VM running there: verified as far as
     * xl's protocol goes. */
    record(ctx, cfg, dirfd, &mv, &res, mem_kb);

    bal_migrate_result_init(result_r, BAL_MIGRATE_RESULT_VERSION);
    snprintf(result_r->uuid, sizeof(result_r->uuid), "%s", mv.uuid);
    snprintf(result_r->name, sizeof(result_r->name), "%s", mv.vm);
    snprintf(result_r->from, sizeof(result_r->from), "%s", mv.from);
    result_r->duration_s = res.end_s - res.start_s;
    result_r->downtime_s = res.downtime_s;
    result_r->bytes = res.bytes;
    result_r->rounds = res.rounds;
    result_r->mem_kb = mem_kb;
    result_r->dirty_Bps = res.dirty_Bps;
    rc = 0;

out:
    bal__sample_dispose(&s);
    bal__lock_release(lockfd);
    if (dirfd >= 0) close(dirfd);
    bal__config_dispose(&defaults);
    return rc;
}

int bal_migrate_json(int rc, const bal_migrate_result *res, const char *host,
                     char **json_r)
{
    bal__migrate_answer a;

    if (!json_r || (!rc && (!res || !host))) return BAL_EINVAL;
    /* No context to log with: an unknown version is the caller's bug,
     * and BAL_EINVAL says so. */
    if (!rc && res->version != BAL_MIGRATE_RESULT_VERSION) return BAL_EINVAL;
    memset(&a, 0, sizeof(a));
    a.rc = rc;
    if (!rc) {
        if (strlen(host) >= sizeof(a.to)) return BAL_EINVAL;
        snprintf(a.vm, sizeof(a.vm), "%s", res->name);
        snprintf(a.uuid, sizeof(a.uuid), "%s", res->uuid);
        snprintf(a.from, sizeof(a.from), "%s", res->from);
        snprintf(a.to, sizeof(a.to), "%s", host);
        a.duration_s = res->duration_s;
        a.rounds = res->rounds;
        a.downtime_s = res->downtime_s;
        a.bytes = res->bytes;
        a.mem_kb = res->mem_kb;
        a.dirty_Bps = res->dirty_Bps;
    }
    return bal__migrate_json_write(&a, json_r);
}
