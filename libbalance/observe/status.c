/*
 * status.c - from samples to what `xl-balance status` shows: every VM's
 * rates and load type, every host's mix.
 *
 * Classification needs memory across samples (EWMA, hysteresis), kept
 * per UUID so that a VM that changed domid or host keeps its history.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "base/admin.h"
#include "rates.h"
#include "status.h"
#include "base/uuidmap.h"
#include "base/state.h"
#include "obsfile.h"
#include "base/config.h"


void bal__observer_init(bal__observer *t)
{
    memset(t, 0, sizeof(*t));
    bal__uuidmap_init(&t->map);
}

void bal__observer_dispose(bal__observer *t)
{
    int i;

    for (i = 0; i < t->n; i++) free(t->v[i]);
    free(t->v);
    bal__uuidmap_dispose(&t->map);
    memset(t, 0, sizeof(*t));
}

void bal__track_key(const bal__host *h, const bal__dom *d, char *key)
{
    if (d->domid == 0)
        snprintf(key, BAL__UUID_LEN + 1 + BAL__HOST_MAX, "%s@%s", d->uuid,
                 h->name);
    else
        memcpy(key, d->uuid, BAL__UUID_LEN + 1);
}

static int tracker_get(bal__observer *t, const char *key, bal__track **out)
{
    bal__track *tr = NULL;
    int i = bal__uuidmap_get(&t->map, key), rc;

    if (i >= 0) {
        *out = t->v[i];
        return 0;
    }
    if (t->n == t->cap) {
        int ncap = t->cap ? t->cap * 2 : 64;
        bal__track **nv = realloc(t->v, (size_t)ncap * sizeof(*nv));
        if (!nv) return BAL_ENOMEM;
        t->v = nv;
        t->cap = ncap;
    }
    tr = calloc(1, sizeof(*tr));
    if (!tr) return BAL_ENOMEM;
    snprintf(tr->key, sizeof(tr->key), "%s", key);
    bal__class_state_init(&tr->cls);
    rc = bal__uuidmap_put(&t->map, tr->key, t->n);
    if (rc) {
        free(tr);
        return rc;
    }
    t->v[t->n++] = tr;
    *out = tr;
    return 0;
}

double bal__host_disk_Bps(const struct bal_config *cfg, const bal__host *h)
{
    return h->disk_Bps > 0 ? h->disk_Bps : cfg->disk_Bps;
}

double bal__host_disk_iops(const struct bal_config *cfg, const bal__host *h)
{
    return h->disk_iops > 0 ? h->disk_iops : cfg->disk_iops;
}

double bal__host_net_Bps(const struct bal_config *cfg, const bal__host *h)
{
    return h->net_Bps > 0 ? h->net_Bps : cfg->net_Bps;
}

void bal__levels(const struct bal_config *cfg, const bal__host *h,
                 const bal__dom *d, const bal__rate *r, double *level_r)
{
    uint32_t may = d->vcpus ? d->vcpus : 1;
    double bw, iops;

    if (h->pcpus && h->pcpus < may) may = h->pcpus;
    bw = (r->rd_Bps + r->wr_Bps) / bal__host_disk_Bps(cfg, h);
    iops = (r->rd_iops + r->wr_iops) / bal__host_disk_iops(cfg, h);
    level_r[BAL_RES_CPU] = r->cpu / may;
    level_r[BAL_RES_IO] = bw > iops ? bw : iops;
    /* Both directions over the NIC's one: a VM that only sends or only
     * receives (a stream) is measured against what it could get. */
    level_r[BAL_RES_NET] = (r->net_rx_Bps + r->net_tx_Bps) /
                           bal__host_net_Bps(cfg, h);
}

/* Feeds tracker tr one interval's rate r of domain d on host h.  The
 * levels go to the classifier; the rates shown are the newest
 * interval's, or, for a VM whose levels stand on a history kept across
 * runs (windowed), smoothed with the same weights as its levels, so that
 * the planner's demands reflect the window too. */
static void observe_one(const struct bal_config *cfg, bal__track *tr,
                        const bal__host *h, const bal__dom *d,
                        const bal__rate *r)
{
    double lv[BAL_NRES], w;
    bal__rate sm = *r;

    bal__levels(cfg, h, d, r, lv);
    bal__classify_update(&cfg->classify, &tr->cls, lv, r->interval_s);
    w = tr->cls.weight;
    if (tr->cls.windowed && tr->valid) {
        sm.cpu = w * r->cpu + (1 - w) * tr->rate.cpu;
        sm.rd_Bps = w * r->rd_Bps + (1 - w) * tr->rate.rd_Bps;
        sm.wr_Bps = w * r->wr_Bps + (1 - w) * tr->rate.wr_Bps;
        sm.rd_iops = w * r->rd_iops + (1 - w) * tr->rate.rd_iops;
        sm.wr_iops = w * r->wr_iops + (1 - w) * tr->rate.wr_iops;
        sm.net_rx_Bps = w * r->net_rx_Bps + (1 - w) * tr->rate.net_rx_Bps;
        sm.net_tx_Bps = w * r->net_tx_Bps + (1 - w) * tr->rate.net_tx_Bps;
    }
    tr->rate = sm;
    tr->valid = true;
}

/* Where a VM's kept counters no longer continue: a counter went back
 * (even what reads as a 32-bit wrap: over minutes a counter may wrap
 * more than once, unseen), a new domain under its UUID (domid: a reboot,
 * a migration), another host, or a host clock that did not advance (a
 * dom0 that rebooted, a simulator started again). */
#define RESUME_BREAKS (BAL__RATE_INVALID | BAL__RATE_WRAPPED)

/* Feeds t the rates from prev to cur.  With kept (prev is then its
 * sample, an earlier run's), only VMs whose counters continue, each
 * starting from what was kept of it: the others are left to start
 * afresh on this run's samples, and a host clock that went back says
 * nothing (a dom0 rebooted, a simulator started again). */
static int feed(bal_ctx *ctx, const struct bal_config *cfg, bal__observer *t,
                const bal__sample *prev, const bal__sample *cur,
                const bal__obs_kept *kept, double now_wall)
{
    bal__rate *rates = NULL;
    bool *broken = NULL;
    int n = 0, i, rc, badtime_host = -1;

    rc = bal__rates_compute(prev, cur, &rates, &n);
    if (rc) goto out;
    broken = calloc((size_t)cur->nhosts + 1, sizeof(*broken));
    if (!broken) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; kept && now_wall >= 0 && i < cur->nhosts; i++) {
        const bal__host *ph = bal__sample_find_host(prev, cur->hosts[i].name);
        double wall = now_wall - kept->wall_s, mono;

        if (!ph) continue;
        mono = ((double)cur->hosts[i].time_ns - (double)ph->time_ns) / 1e9;
        broken[i] = fabs(mono - wall) > 0.05 * fabs(wall) + 60;
        if (broken[i])
            BAL__DEBUG(ctx, "host %s: its clock moved %.0f s while %.0f s "
                       "passed (a reboot?): its VMs start afresh",
                       cur->hosts[i].name, mono, wall);
    }

    for (i = 0; i < n; i++) {
        const bal__rate *r = &rates[i];
        const bal__host *h = &cur->hosts[r->host];
        const bal__dom *d = &h->doms[r->dom];
        char key[BAL__UUID_LEN + 1 + BAL__HOST_MAX];
        const bal__obs_entry *e;
        bal__track *tr;

        bal__track_key(h, d, key);
        if (kept && ((r->flags & RESUME_BREAKS) || broken[r->host])) {
            if (!(r->flags & BAL__RATE_NEW))
                BAL__DEBUG(ctx, "%s on %s: its kept observations do not "
                           "continue (flags %#x): it starts afresh",
                           d->name, h->name, r->flags);
            continue;
        }
        if ((r->flags & BAL__RATE_BADTIME) && badtime_host != r->host) {
            BAL__WARN(ctx, "host %s: sample interval is not positive; "
                      "rates skipped", h->name);
            badtime_host = r->host;
        }
        rc = tracker_get(t, key, &tr);
        if (rc) goto out;
        if (r->flags & BAL__RATE_INVALID) continue;
        if (kept) {
            e = bal__obs_kept_find(kept, key);
            if (e) {
                tr->cls = e->cls;
                tr->rate = e->rate;
                tr->valid = true;
            }
            /* Counters kept without levels (it had no rate yet) are a
             * history all the same: the interval's exact average starts
             * it. */
            tr->cls.windowed = true;
        }
        observe_one(cfg, tr, h, d, r);
    }

out:
    free(rates);
    free(broken);
    return rc;
}

int bal__observer_feed(bal_ctx *ctx, const struct bal_config *cfg,
                       bal__observer *t, const bal__sample *prev,
                       const bal__sample *cur)
{
    return feed(ctx, cfg, t, prev, cur, NULL, -1);
}

int bal__observer_resume(bal_ctx *ctx, const struct bal_config *cfg,
                         bal__observer *t, const bal__obs_kept *kept,
                         const bal__sample *cur, double now_wall)
{
    if (!kept->last.nhosts) return 0;
    return feed(ctx, cfg, t, &kept->last, cur, kept, now_wall);
}

static int vm_cmp(const void *a, const void *b)
{
    const bal_vm_info *x = a, *y = b;
    /* Host names live in one array (st->last.hosts), so comparing the
     * pointers sorts by host in sample order. */
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    if (x->is_dom0 != y->is_dom0) return x->is_dom0 ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Builds the public view from the newest sample and the trackers. */
static int build(const struct bal_config *cfg, const bal__observer *t,
                 bal_status *st)
{
    const bal__sample *s = &st->last;
    int i, j, nvms = 0;

    for (i = 0; i < s->nhosts; i++) nvms += s->hosts[i].ndoms;
    /* +1: calloc(0) may return NULL, which is not a failure here. */
    st->hosts = calloc((size_t)s->nhosts + 1, sizeof(*st->hosts));
    st->vms = calloc((size_t)nvms + 1, sizeof(*st->vms));
    if (!st->hosts || !st->vms) return BAL_ENOMEM;
    st->nhosts = s->nhosts;

    for (i = 0; i < s->nhosts; i++) {
        const bal__host *h = &s->hosts[i];
        bal_host_info *hi = &st->hosts[i];
        int r;

        hi->name = h->name;
        hi->pcpus = h->pcpus;
        hi->mem_kb = h->mem_kb;
        hi->free_kb = h->free_kb;
        for (j = 0; j < h->ndoms; j++) {
            const bal__dom *d = &h->doms[j];
            bal_vm_info *vi = &st->vms[st->nvms++];
            char key[BAL__UUID_LEN + 1 + BAL__HOST_MAX];
            bal__track *tr;
            int k;

            bal__track_key(h, d, key);
            k = bal__uuidmap_get(&t->map, key);
            tr = k >= 0 ? t->v[k] : NULL;
            memcpy(vi->uuid, d->uuid, sizeof(vi->uuid));
            vi->name = d->name;
            vi->host = h->name;
            vi->domid = d->domid;
            vi->vcpus = d->vcpus;
            vi->mem_kb = d->mem_kb;
            vi->is_dom0 = d->domid == 0;
            vi->cpu_s = (double)d->cpu_ns / 1e9;
            vi->rd_bytes = d->vbd_rd_sect * 512;
            vi->wr_bytes = d->vbd_wr_sect * 512;
            vi->rd_reqs = d->vbd_rd_reqs;
            vi->wr_reqs = d->vbd_wr_reqs;
            vi->net_rx_bytes = d->net_rx_bytes;
            vi->net_tx_bytes = d->net_tx_bytes;
            if (tr && tr->valid) {
                const bal__rate *r = &tr->rate;

                vi->rates_valid = true;
                vi->cpu_pct = r->cpu * 100.0;
                vi->rd_Bps = r->rd_Bps;
                vi->wr_Bps = r->wr_Bps;
                vi->rd_iops = r->rd_iops;
                vi->wr_iops = r->wr_iops;
                vi->net_rx_Bps = r->net_rx_Bps;
                vi->net_tx_Bps = r->net_tx_Bps;
                memcpy(vi->level, tr->cls.level, sizeof(vi->level));
                vi->type = tr->cls.type;
                vi->heavy = bal__classify_heavy(&cfg->classify, vi->type,
                                                vi->level);
                vi->observed_s = tr->cls.seen_s;
            }
            hi->cpu_pct += vi->cpu_pct;
            if (vi->is_dom0) {
                hi->dom0_cpu_pct += vi->cpu_pct;
                continue;
            }
            hi->nvms++;
            hi->ntype[vi->type]++;
            /* A mixed VM competes for both the cores and the disk path. */
            for (r = 0; r < BAL_NRES; r++)
                hi->heavy[r] += vi->heavy &&
                                bal_load_type_contends(vi->type, r);
        }
        for (r = 0; r < BAL_NRES; r++)
            hi->same_type_conflict |= hi->heavy[r] >= 2;
    }
    qsort(st->vms, (size_t)st->nvms, sizeof(*st->vms), vm_cmp);
    return 0;
}

static bool listed(char *const *v, int n, const char *a, const char *b)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(v[i], a) || (b && !strcmp(v[i], b))) return true;
    return false;
}

/* The drained hosts and pinned VMs: the configuration's, and the
 * admin's (adm, may be NULL) - the one place the two are combined. */
static void mark(const struct bal_config *cfg, const bal__admin *adm,
                 bal_status *st)
{
    int i;

    for (i = 0; i < st->nhosts; i++) {
        bal_host_info *h = &st->hosts[i];

        h->drained = listed(cfg->drained, cfg->ndrained, h->name, NULL) ||
                     (adm && listed(adm->drained, adm->ndrained, h->name,
                                    NULL));
    }
    for (i = 0; i < st->nvms; i++) {
        bal_vm_info *v = &st->vms[i];

        if (v->is_dom0) continue;
        v->pinned = listed(cfg->pinned, cfg->npinned, v->name, v->uuid) ||
                    (adm && listed(adm->pinned, adm->npinned, v->uuid,
                                   NULL));
    }
}

int bal__status_build(const struct bal_config *cfg, const bal__observer *obs,
                      bal__sample *last, bal_status **out)
{
    bal_status *st = NULL;
    int rc;

    st = calloc(1, sizeof(*st));
    if (!st) return BAL_ENOMEM;
    st->last = *last;
    bal__sample_init(last);
    st->npeer_errors = st->last.npeer_errors;
    rc = build(cfg, obs, st);
    if (!rc) mark(cfg, NULL, st);
    if (rc) {
        bal_status_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int bal__observer_next(bal_ctx *ctx, bal_backend *be,
                       const struct bal_config *cfg, bal__observer *o,
                       bal__sample *prev)
{
    bal__sample cur;
    int rc;

    bal__sample_init(&cur);
    rc = be->ops->wait(be, cfg->interval);
    if (rc) goto out;
    rc = be->ops->sample(be, false, &cur);
    if (rc) goto out;
    rc = bal__observer_feed(ctx, cfg, o, prev, &cur);
    if (rc) goto out;
    bal__sample_dispose(prev);
    *prev = cur;
    bal__sample_init(&cur);

out:
    bal__sample_dispose(&cur);
    return rc;
}

int bal__status_observe(bal_ctx *ctx, bal_backend *be,
                        const bal_config *cfg, char **kept_r,
                        bal_status **status_r)
{
    bal__sample prev;
    bal__observer obs;
    bal__obs_kept kept;
    bal__admin adm;
    bal_status *st = NULL;
    int rc, k;

    bal__admin_init(&adm);
    bal__sample_init(&prev);
    bal__observer_init(&obs);
    bal__obs_kept_init(&kept);
    if (kept_r) *kept_r = NULL;

    if (!ctx || !be || !cfg || !status_r) { rc = BAL_EINVAL; goto out; }
    /* Read first: a state file that is not ours stops the run before
     * the samples take their time. */
    rc = bal__admin_load(ctx, cfg, &adm);
    if (rc) goto out;
    rc = bal__obs_load(ctx, cfg, &kept);
    if (rc) goto out;

    rc = be->ops->sample(be, false, &prev);
    if (rc) goto out;
    /* The interval since the run that kept them, from one sample. */
    rc = bal__observer_resume(ctx, cfg, &obs, &kept, &prev,
                              be->ops->simulated ? -1 : bal__wall_time());
    if (rc) goto out;
    for (k = 1; k < cfg->samples; k++) {
        rc = bal__observer_next(ctx, be, cfg, &obs, &prev);
        if (rc) goto out;
    }
    if (kept_r && cfg->classify.window > 0) {
        rc = bal__obs_format(&obs, &prev, bal__wall_time(), kept_r);
        if (rc) {
            BAL__ERR(ctx, "observations to keep: %s", bal_strerror(rc));
            goto out;
        }
    }
    rc = bal__status_build(cfg, &obs, &prev, &st);
    if (rc) goto out;
    mark(cfg, &adm, st);
    *status_r = st;
    st = NULL;

out:
    bal__admin_dispose(&adm);
    bal__sample_dispose(&prev);
    bal__observer_dispose(&obs);
    bal__obs_kept_dispose(&kept);
    if (rc && kept_r) {
        free(*kept_r);
        *kept_r = NULL;
    }
    return rc;
}

int bal_status_collect(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
                       bal_status **status_r)
{
    /* Read-only: the observations kept are read, never written. */
    return bal__status_observe(ctx, be, cfg, NULL, status_r);
}

void bal_status_free(bal_status *st)
{
    if (!st) return;
    free(st->hosts);
    free(st->vms);
    free(st->gains);
    bal__sample_dispose(&st->last);
    free(st);
}

int bal_status_num_hosts(const bal_status *st)
{
    return st ? st->nhosts : 0;
}

const bal_host_info *bal_status_host(const bal_status *st, int i)
{
    return st && i >= 0 && i < st->nhosts ? &st->hosts[i] : NULL;
}

int bal_status_num_vms(const bal_status *st)
{
    return st ? st->nvms : 0;
}

const bal_vm_info *bal_status_vm(const bal_status *st, int i)
{
    return st && i >= 0 && i < st->nvms ? &st->vms[i] : NULL;
}

int bal_status_peer_errors(const bal_status *st)
{
    return st ? st->npeer_errors : 0;
}
