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
#include <stdlib.h>
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
#include "observe/status.h"
#include "planner/planner.h"
#include "planner/planner_cost.h"

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

/* What the planner's cost model predicts for moving d from h to `to'
 * (bal__pl_move_cost, the cost every plan weighs a move by): the two
 * hosts as the configuration and this sample describe them (the
 * destination unsampled: the configuration's figures), the VM alone with
 * its memory and, for pre-copy, the configured dirty rate; the link and
 * the VM's dirty rate learned from the history's measured migrations
 * where there are (doc/planner.md, "Learned links", "Learned dirty
 * rates"), *learned_r then true.  A prediction is advice: one that cannot
 * be made (no memory) leaves *pc_r's time NAN. */
static int predict(bal_ctx *ctx, const struct bal_config *cfg,
                   const bal__host *h, const bal__dom *d, const char *to,
                   bal__pl_precopy *pc_r, bool *learned_r)
{
    bal__pl_input in;
    bal__pl_model m;
    bal__pl_cost c;
    bal__hist *hist = NULL;
    bal__host dst;
    double dirty = 0;
    int i, nhist = 0, ndirty = 0, rc;
    bool model = false;

    bal__pl_input_init(&in);
    memset(pc_r, 0, sizeof(*pc_r));
    pc_r->time_s = NAN;
    *learned_r = false;
    rc = bal__plan_history(ctx, cfg, &hist, &nhist);
    if (rc) goto out;
    rc = BAL_ENOMEM;
    in.hosts = calloc(2, sizeof(*in.hosts));
    in.vms = calloc(1, sizeof(*in.vms));
    if (!in.hosts || !in.vms) goto out;
    in.params.migcpu = cfg->migcpu;
    in.params.rtt_ms = cfg->rtt_ms;
    in.params.horizon_s = cfg->horizon_s;
    memset(&dst, 0, sizeof(dst));
    for (i = 0; i < 2; i++) {
        const bal__host *sh = i ? &dst : h;
        bal__pl_host *ph = &in.hosts[i];

        ph->name = i ? to : h->name;
        ph->pcpus = sh->pcpus ? sh->pcpus : 1;
        ph->disk_Bps = bal__host_disk_Bps(cfg, sh);
        ph->disk_iops = bal__host_disk_iops(cfg, sh);
        ph->net_Bps = bal__host_net_Bps(cfg, sh);
        ph->free_kb = (int64_t)1 << 50;
    }
    in.nhosts = 2;
    in.vms[0].uuid = d->uuid;
    in.vms[0].name = d->name;
    in.vms[0].host = 0;
    in.vms[0].type = BAL_TYPE_IDLE;
    in.vms[0].vcpus = d->vcpus ? d->vcpus : 1;
    in.vms[0].mem_kb = d->mem_kb ? d->mem_kb : 1;
    in.vms[0].dirty_Bps = cfg->dirty_Bps;
    in.vms[0].anti_group = -1;
    in.vms[0].trust = 1;
    in.vms[0].weight = 0;
    in.nvms = 1;
    if (cfg->link_history > 0 && nhist > 0) {
        rc = bal__learn_links(cfg, hist, nhist, in.hosts, in.nhosts,
                              &in.links, &in.params.nlinks);
        if (rc) goto out;
        in.params.links = in.links;
        if (bal__pl_pair_find(&in.params, 0, 1)) *learned_r = true;
        rc = bal__learn_dirty(cfg, hist, nhist, in.vms, 1, &dirty, &ndirty);
        if (rc) goto out;
        if (dirty > 0) {
            in.vms[0].dirty_Bps = dirty;
            *learned_r = true;
        }
    }
    rc = bal__pl_model_init(&m, &in);
    if (rc) goto out;
    model = true;
    bal__pl_move_cost(&m, 0, 0, 1, &c);
    if (c.ok) *pc_r = c.pc;
    rc = 0;

out:
    if (model) bal__pl_model_dispose(&m);
    bal__pl_input_dispose(&in);
    free(hist);
    return rc;
}

int bal_migrate_result_init(bal_migrate_result *r, unsigned int version)
{
    if (!r || version != BAL_MIGRATE_RESULT_VERSION) return BAL_EINVAL;
    memset(r, 0, sizeof(*r));
    r->version = version;
    r->dirty_Bps = NAN;
    r->predicted_s = NAN;
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
    bal__pl_precopy pc;
    uint64_t mem_kb;
    bool learned;
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

    /* Predicted before it moves: the history read before this move is
     * appended to it. */
    rc = predict(ctx, cfg, h, d, host, &pc, &learned);
    if (rc) goto out;
    if (isfinite(pc.time_s))
        BAL__INFO(ctx, "migrate: %s predicted %.1f s, %d rounds (%s)",
                  d->name, pc.time_s, pc.rounds,
                  learned ? "learned rates" : "configured rates");

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
    result_r->predicted_s = pc.time_s;
    result_r->predicted_rounds = pc.rounds;
    result_r->learned = learned;
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
        a.predicted_s = res->predicted_s;
        a.predicted_rounds = res->predicted_rounds;
        a.learned = res->learned;
    }
    return bal__migrate_json_write(&a, json_r);
}
