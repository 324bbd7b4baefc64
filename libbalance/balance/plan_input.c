/*
 * plan_input.c - the planner's input from a live status (plan_input.h).
 *
 * The planner wants each VM's *demand*: what it would use alone on an
 * idle host.  A status shows only what each VM *got*.  On a resource
 * that is not saturated the two are the same.  On a saturated one (its
 * domains use BAL__SATURATED of it or more) the resource was shared
 * max-min fairly (Xen's credit scheduler over pCPUs, in proportion to
 * the domains' weights when the sample knows them; the disk path's
 * queue), so the VMs that got the largest share, the water level, are
 * the ones held back: they are taken to want more - a CPU-bound VM all
 * its vCPUs, a reader the whole path - and those that got less than the
 * level got all they asked for.  doc/planner.md, "From a live status to
 * the planner's input", has the rules and why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "plan_input.h"
#include "plan_rules.h"
#include "base/uuidmap.h"

#define MB 1e6

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* u and w sorted together by u[i] / w[i], in place: an insertion sort,
 * which allocates nothing (so the inversion cannot fail) and is fast on
 * the handful of domains a host holds. */
static void wsort(double *u, double *w, int n)
{
    int i, j;

    for (i = 1; i < n; i++) {
        double ui = u[i], wi = w[i];

        for (j = i; j > 0 && u[j - 1] / w[j - 1] > ui / wi; j--) {
            u[j] = u[j - 1];
            w[j] = w[j - 1];
        }
        u[j] = ui;
        w[j] = wi;
    }
}

double bal__fair_share_w(double *u, double *w, int n, double total)
{
    double rem = total, wsum = 0;
    int i;

    if (n <= 0) return 0;
    for (i = 0; w && i < n; i++) {
        if (!(w[i] > 0) || !isfinite(w[i])) w = NULL;   /* see the .h */
        else wsum += w[i];
    }
    if (!w) {
        /* Equal weights: exactly the unweighted rule (sums of ones are
         * exact, so this is what it always computed). */
        qsort(u, (size_t)n, sizeof(*u), dbl_cmp);
        wsum = n;
    } else {
        wsort(u, w, n);
    }
    for (i = 0; i < n; i++) {
        double wi = w ? w[i] : 1;
        double level = rem / wsum;

        if (u[i] >= BAL__FAIR_TOL * (wi * level)) return level;
        rem -= u[i];
        wsum -= wi;
    }
    /* Only when the uses add up to less than total. */
    return w ? u[n - 1] / w[n - 1] : u[n - 1];
}

double bal__fair_share(double *u, int n, double total)
{
    return bal__fair_share_w(u, NULL, n, total);
}

/* ---- owned strings ------------------------------------------------------ */

static int own(bal__pl_input *in, const char *s, const char **out)
{
    char *d;

    if (in->nowned == in->capowned) {
        int ncap = in->capowned ? in->capowned * 2 : 64;
        char **n = realloc(in->owned, (size_t)ncap * sizeof(*n));

        if (!n) return BAL_ENOMEM;
        in->owned = n;
        in->capowned = ncap;
    }
    d = strdup(s);
    if (!d) return BAL_ENOMEM;
    in->owned[in->nowned++] = d;
    *out = d;
    return 0;
}

/* ---- the configuration's constraints -------------------------------------- */

static bool in_list(char *const *v, int n, const bal_vm_info *vm)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(v[i], vm->name) || !strcmp(v[i], vm->uuid)) return true;
    return false;
}

/* The anti_affinity group of vm (its index in the list), or -1. */
static int anti_group(const struct bal_config *cfg, const bal_vm_info *vm,
                      int *group_r)
{
    char **v = NULL;
    int i, n, rc;

    *group_r = -1;
    for (i = 0; i < cfg->nanti_affinity && *group_r < 0; i++) {
        rc = bal__config_split_group(cfg->anti_affinity[i], &v, &n);
        if (rc) return rc;
        if (in_list(v, n, vm)) *group_r = i;
        bal__strv_free(v);
        v = NULL;
    }
    return 0;
}

/* Storage bits: bit 0 is the storage every host that `storage' does not
 * list shares; named storages get bits 1.. in order of first mention. */
typedef struct smap {
    char *names[BAL__CONFIG_MAX_STORAGES];
    int n;
} smap;

static void smap_dispose(smap *m)
{
    int i;

    for (i = 0; i < m->n; i++) free(m->names[i]);
    m->n = 0;
}

static int host_storage(const struct bal_config *cfg, smap *m,
                        const char *host, uint32_t *mask_r)
{
    char h[BAL__HOST_MAX], **v = NULL;
    int i, j, k, n, rc;

    *mask_r = 1;
    for (i = 0; i < cfg->nstorage; i++) {
        rc = bal__config_split_storage(cfg->storage[i], h, &v, &n);
        if (rc) return rc == BAL_ENOMEM ? rc : 0;   /* checked at load */
        if (!strcmp(h, host)) {
            *mask_r = 0;
            for (j = 0; j < n; j++) {
                for (k = 0; k < m->n; k++)
                    if (!strcmp(m->names[k], v[j])) break;
                if (k == m->n) {
                    if (m->n == BAL__CONFIG_MAX_STORAGES) continue;
                    m->names[k] = strdup(v[j]);
                    if (!m->names[k]) {
                        bal__strv_free(v);
                        return BAL_ENOMEM;
                    }
                    m->n++;
                }
                *mask_r |= 1u << (k + 1);
            }
        }
        bal__strv_free(v);
        v = NULL;
    }
    return 0;
}

/* ---- one host's contention ------------------------------------------------- */

/* Per host: whether each resource is saturated and its fair share. */
typedef struct hload {
    bool cpu_sat, io_sat, net_sat;
    /* Every domain's weight is known (vw[] holds them); and they are
     * not all alike: the CPU inversion is weighted. */
    bool weights_known, weighted;
    /* pCPUs per unit of scheduler weight: a domain's fair share is its
     * weight (1 each when weights are taken as equal) times this. */
    double cpu_level;
    double io_share;            /* fraction of the path */
    double net_share;           /* fraction of the NIC */
    /* The mean disk bytes/s (all, and read) of the VMs bottlenecked on
     * the saturated path: max-min gave each the same share, so what sets
     * them apart is sampling noise, and each counts at the mean - two
     * alike are alike to the planner. */
    double io_mean_Bps, rd_mean_Bps;
} hload;

/* A domain's disk use as a fraction of its host's path: the larger of
 * bytes and requests, as the classifier's io level. */
static double io_frac(const struct bal_config *cfg, const bal__host *h,
                      const bal_vm_info *v)
{
    double b = (v->rd_Bps + v->wr_Bps) / bal__host_disk_Bps(cfg, h);
    double q = (v->rd_iops + v->wr_iops) / bal__host_disk_iops(cfg, h);

    return b > q ? b : q;
}

/* Whether v got the fair share of its host's saturated path. */
static bool io_bottleneck(const struct bal_config *cfg, const bal__host *h,
                          const hload *hl, const bal_vm_info *v)
{
    double u = io_frac(cfg, h, v);

    return hl->io_sat && u > 0 && u >= BAL__FAIR_TOL * hl->io_share;
}

/* A domain's traffic as a fraction of its host's NIC: received and sent,
 * as the classifier's net level. */
static double net_frac(const struct bal_config *cfg, const bal__host *h,
                       const bal_vm_info *v)
{
    return (v->net_rx_Bps + v->net_tx_Bps) / bal__host_net_Bps(cfg, h);
}

/* Whether v got the fair share of its host's saturated NIC. */
static bool net_bottleneck(const struct bal_config *cfg, const bal__host *h,
                           const hload *hl, const bal_vm_info *v)
{
    double u = net_frac(cfg, h, v);

    return hl->net_sat && u > 0 && u >= BAL__FAIR_TOL * hl->net_share;
}

/* The scheduler weight the sample gives domain domid of host h, 0 when
 * unknown. */
static uint32_t sampled_weight(const bal__host *h, uint32_t domid)
{
    int i;

    for (i = 0; i < h->ndoms; i++)
        if (h->doms[i].domid == domid) return h->doms[i].weight;
    return 0;
}

/* The weights of the domains of vlist[0..n) into vw[] (by status index):
 * their sampled weights when every one with rates is known (*known_r),
 * else 1 each - equal, as before weights were sampled.  Whether the CPU
 * inversion is weighted: known, and not all alike. */
static bool cpu_weights(const bal_status *st, const bal__host *h,
                        const int *vlist, int n, double *vw, bool *known_r)
{
    bool any = false, differ = false;
    uint32_t first = 0;
    int i;

    for (i = 0; i < h->ndoms && !any; i++) any = h->doms[i].weight > 0;
    *known_r = false;
    for (i = 0; i < n; i++) vw[vlist[i]] = 1;
    if (!any) return false;     /* the simulator, an old peer: quickly */
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = &st->vms[vlist[i]];
        uint32_t w;

        if (!v->rates_valid) continue;
        w = sampled_weight(h, v->domid);
        if (!w) return false;
        if (first && w != first) differ = true;
        if (!first) first = w;
    }
    for (i = 0; i < n; i++)
        vw[vlist[i]] = sampled_weight(h, st->vms[vlist[i]].domid);
    *known_r = true;
    return differ;
}

/* Each host's load, from its domains: vlist[first[h] .. first[h + 1])
 * are the status's domains on host h (dom0 included).  vw[] gets each
 * one's weight (cpu_weights), which the inversion uses when out->weighted
 * and 1 for every domain otherwise; cu, cw, iu, tu scratch. */
static void host_load(const struct bal_config *cfg, const bal_status *st,
                      int hi, const int *vlist, int n, double *cu,
                      double *cw, double *iu, double *tu, double *vw,
                      hload *out)
{
    const bal__host *h = &st->last.hosts[hi];
    double ctot = 0, itot = 0, ntot = 0, b = 0, r = 0;
    bool known, weighted = cpu_weights(st, h, vlist, n, vw, &known);
    int i, nu = 0, nb = 0;

    memset(out, 0, sizeof(*out));
    out->weights_known = known;
    /* dom0 contends for the pCPUs too (its backends, its own work). */
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = &st->vms[vlist[i]];

        if (!v->rates_valid) continue;
        cu[nu] = v->cpu_pct / 100.0;
        cw[nu] = vw[vlist[i]];
        iu[nu] = io_frac(cfg, h, v);
        tu[nu] = net_frac(cfg, h, v);
        ctot += cu[nu];
        ntot += tu[nu];
        itot += iu[nu++];
    }
    out->cpu_sat = ctot >= BAL__SATURATED * (h->pcpus ? h->pcpus : 1);
    out->io_sat = itot >= BAL__SATURATED;
    /* The NIC, each direction counted against its one: traffic that only
     * goes one way saturates it at 1, as the classifier's level. */
    out->net_sat = ntot >= BAL__SATURATED;
    out->net_share = bal__fair_share(tu, nu, ntot);
    /* What was shared is what the domains got in all.  The scheduler
     * shares the pCPUs by weight; the disk path knows none. */
    out->cpu_level = bal__fair_share_w(cu, weighted ? cw : NULL, nu, ctot);
    out->weighted = weighted;
    out->io_share = bal__fair_share(iu, nu, itot);
    if (!out->io_sat) return;
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = &st->vms[vlist[i]];

        if (v->is_dom0 || !v->rates_valid || !io_bottleneck(cfg, h, out, v))
            continue;
        b += v->rd_Bps + v->wr_Bps;
        r += v->rd_Bps;
        nb++;
    }
    if (nb) {
        out->io_mean_Bps = b / nb;
        out->rd_mean_Bps = r / nb;
    }
}

/* ---- the input ---------------------------------------------------------- */

/* Every domain's host index in vh[], and the domains by host as lists
 * (vlist[first[h] .. first[h + 1])): by name through a map, so that a
 * cluster of thousands of hosts costs no more than its domains. */
static int index_hosts(const bal_status *st, int *vh, int *first,
                       int *vlist)
{
    bal__uuidmap m;
    int i, h, rc = 0;

    bal__uuidmap_init(&m);
    for (h = 0; h < st->nhosts && !rc; h++)
        rc = bal__uuidmap_put(&m, st->last.hosts[h].name, h);
    for (i = 0; i < st->nvms && !rc; i++) {
        vh[i] = bal__uuidmap_get(&m, st->vms[i].host);
        if (vh[i] >= 0) first[vh[i] + 1]++;
    }
    bal__uuidmap_dispose(&m);
    if (rc) return rc;
    for (h = 0; h < st->nhosts; h++) first[h + 1] += first[h];
    {
        int *fill = calloc((size_t)st->nhosts + 1, sizeof(*fill));

        if (!fill) return BAL_ENOMEM;
        for (i = 0; i < st->nvms; i++)
            if (vh[i] >= 0) vlist[first[vh[i]] + fill[vh[i]]++] = i;
        free(fill);
    }
    return 0;
}

static bool has_host(const bal_status *st, const char *name)
{
    int i;

    for (i = 0; i < st->nhosts; i++)
        if (!strcmp(st->last.hosts[i].name, name)) return true;
    return false;
}

/* ---- learned links and dirty rates (bal__hist_learn) --------------------- */

static int host_index(const bal__pl_host *hosts, int nh, const char *name)
{
    int i;

    for (i = 0; i < nh; i++)
        if (!strcmp(hosts[i].name, name)) return i;
    return -1;
}

typedef struct host_pairs {
    const bal__pl_host *hosts;
    int nh;
} host_pairs;

/* A link is learned under its ordered pair of hosts, from * nh + to. */
static bool teach_link(const bal__hist *h, const void *opaque, size_t *key_r,
                       double *value_r)
{
    const host_pairs *hp = opaque;
    int a = host_index(hp->hosts, hp->nh, h->from),
        b = host_index(hp->hosts, hp->nh, h->to);

    if (a < 0 || b < 0 || a == b) return false;
    *key_r = (size_t)a * (size_t)hp->nh + (size_t)b;
    *value_r = h->observed_Bps;
    return true;
}

int bal__learn_links(const struct bal_config *cfg, const bal__hist *hist,
                     int nhist, const bal__pl_host *hosts, int nh,
                     double *Bps_r, int *n_r)
{
    size_t nn = (size_t)nh * (size_t)nh, pr, rev;
    host_pairs hp = { hosts, nh };
    double *own = NULL;
    int *cnt = NULL;
    int a, b, rc = BAL_ENOMEM;

    if (nh <= 0) return 0;
    own = calloc(nn, sizeof(*own));
    cnt = calloc(nn, sizeof(*cnt));
    if (!own || !cnt) goto out;
    rc = bal__hist_learn(hist, nhist, cfg->link_history, nn, teach_link, &hp,
                         own, cnt);
    if (rc) goto out;
    /* A pair never measured this way borrows the other direction's: one
     * link, one pair of NICs, similar dom0s. */
    for (a = 0; a < nh; a++)
        for (b = 0; b < nh; b++) {
            pr = (size_t)a * (size_t)nh + (size_t)b;
            rev = (size_t)b * (size_t)nh + (size_t)a;
            Bps_r[pr] = cnt[pr] ? own[pr] : own[rev];
            if (n_r) n_r[pr] = cnt[pr] ? cnt[pr] : cnt[rev];
        }

out:
    free(own);
    free(cnt);
    return rc;
}

/* A dirty rate is learned under the (first) VM with the record's UUID. */
static bool teach_dirty(const bal__hist *h, const void *opaque, size_t *key_r,
                        double *value_r)
{
    int i = bal__uuidmap_get(opaque, h->uuid);

    if (i < 0) return false;
    *key_r = (size_t)i;
    *value_r = h->dirty_Bps;
    return true;
}

int bal__learn_dirty(const struct bal_config *cfg, const bal__hist *hist,
                     int nhist, const bal__pl_vm *vms, int nv,
                     double *Bps_r, int *n_r)
{
    bal__uuidmap first;
    int i, j, rc = 0;

    bal__uuidmap_init(&first);
    for (i = 0; !rc && i < nv; i++)
        if (vms[i].uuid && bal__uuidmap_get(&first, vms[i].uuid) < 0)
            rc = bal__uuidmap_put(&first, vms[i].uuid, i);
    if (!rc)
        rc = bal__hist_learn(hist, nhist, cfg->link_history,
                             (size_t)(nv > 0 ? nv : 0), teach_dirty, &first,
                             Bps_r, n_r);
    /* A UUID given twice: the same rate for both. */
    for (i = 0; !rc && i < nv; i++) {
        j = vms[i].uuid ? bal__uuidmap_get(&first, vms[i].uuid) : -1;
        if (j < 0 || j == i) continue;
        Bps_r[i] = Bps_r[j];
        if (n_r) n_r[i] = n_r[j];
    }
    bal__uuidmap_dispose(&first);
    return rc;
}

double bal__vm_dirty_Bps(const struct bal_config *cfg, const bal_vm_info *v)
{
    return cfg->dirty_Bps + (v && v->rates_valid ? v->rd_Bps : 0);
}

/* The learned rates into b's parameters: learned_Bps, and the pairs'
 * link_Bps too (every other pair keeps rtt_ms's rate), in b->links. */
static int learn(const struct bal_config *cfg, const bal__hist *hist,
                 int nhist, bal__pl_input *b)
{
    size_t nn = (size_t)b->nhosts * (size_t)b->nhosts, i;
    double *l;
    bool any = false;
    int rc;

    if (cfg->link_history <= 0 || nhist <= 0 || !nn) return 0;
    l = calloc(2 * nn, sizeof(*l));
    if (!l) return BAL_ENOMEM;
    rc = bal__learn_links(cfg, hist, nhist, b->hosts, b->nhosts, l + nn,
                          NULL);
    if (rc) { free(l); return rc; }
    for (i = 0; i < nn; i++) {
        l[i] = l[nn + i] > 0 ? l[nn + i] : bal__pl_link_from_rtt(cfg->rtt_ms);
        any |= l[nn + i] > 0;
    }
    if (!any) { free(l); return 0; }
    free(b->links);
    b->links = l;
    b->params.link_Bps = l;
    b->params.learned_Bps = l + nn;
    return 0;
}

/* The learned dirty rates over the assumed ones (dirty_mbps + reads),
 * marked in est. */
static int learn_dirty(const struct bal_config *cfg, const bal__hist *hist,
                       int nhist, bal__pl_input *b, bal__pl_estimate *est)
{
    double *d;
    int i, rc;

    if (cfg->link_history <= 0 || nhist <= 0 || b->nvms <= 0) return 0;
    d = calloc((size_t)b->nvms, sizeof(*d));
    if (!d) return BAL_ENOMEM;
    rc = bal__learn_dirty(cfg, hist, nhist, b->vms, b->nvms, d, NULL);
    for (i = 0; !rc && i < b->nvms; i++)
        if (d[i] > 0) {
            b->vms[i].dirty_Bps = d[i];
            est[i].dirty_learned = true;
        }
    free(d);
    return rc;
}

/* Fills one VM from its status entry. */
static int fill_vm(const struct bal_config *cfg, const bal_status *st,
                   const hload *hl, const bal_vm_info *v, double weight,
                   int h,
                   const bal__pl_params *p, bal__pl_vm *out,
                   bal__pl_estimate *est)
{
    const bal__host *sh = &st->last.hosts[h];
    uint32_t may = v->vcpus ? v->vcpus : 1;
    double cpu, io, io_obs, rd, net;
    int rc;

    if (sh->pcpus && sh->pcpus < may) may = sh->pcpus;
    out->host = h;
    out->type = v->type;
    out->heavy = v->heavy;
    out->vcpus = v->vcpus ? v->vcpus : 1;
    /* A domain reporting no memory (dying, or a broken peer) cannot be
     * weighed for a move: it stays, as 1 KiB. */
    out->mem_kb = v->mem_kb ? v->mem_kb : 1;
    /* v->pinned: the configuration's and the admin's (`xl-balance pin'),
     * as the status combined them; cfg's list again for a status built
     * before it was set. */
    out->pinned = !v->mem_kb || v->pinned ||
                  in_list(cfg->pinned, cfg->npinned, v);
    rc = anti_group(cfg, v, &out->anti_group);
    if (rc) return rc;
    out->remaining_s = -1;      /* unknown: the horizon */

    memset(est, 0, sizeof(*est));
    est->rates_valid = v->rates_valid;
    est->cpu_saturated = hl->cpu_sat;
    est->io_saturated = hl->io_sat;
    est->net_saturated = hl->net_sat;
    if (!v->rates_valid) {
        /* No usable rate yet (new, or just moved): no demand known. */
        out->type = BAL_TYPE_IDLE;
        out->heavy = false;
        out->dirty_Bps = cfg->dirty_Bps;
        return 0;
    }
    cpu = v->cpu_pct / 100.0;
    io = io_obs = v->rd_Bps + v->wr_Bps;
    rd = v->rd_Bps;
    net = v->net_rx_Bps + v->net_tx_Bps;
    /* Held back when it got its weighted share of the saturated pCPUs:
     * a computer wants all its vCPUs; a reader, whose CPU goes to its
     * requests, wants more I/O, as many requests as CPU and path allow
     * (a path saturated or not: the CPU held it back first). */
    if (hl->cpu_sat && cpu > 0 &&
        cpu >= BAL__FAIR_TOL * (weight * hl->cpu_level)) {
        est->cpu_bottleneck = true;
        if (bal__type_uses(v->type, BAL_RES_IO) &&
            !bal__type_uses(v->type, BAL_RES_CPU) && io > 0)
            io = INFINITY;
        else cpu = may;
    }
    if (io_bottleneck(cfg, sh, hl, v)) {
        /* Counted at the mean of the path's bottlenecked readers (hload). */
        est->io_bottleneck = true;
        io_obs = hl->io_mean_Bps;
        rd = hl->rd_mean_Bps;
        io = INFINITY;
    }
    /* The planner adds the CPU a VM's own I/O costs: take it out.  What
     * is left under the classifier's idle threshold is noise. */
    cpu -= p->iocpu * io_obs / MB;
    out->cpu = cpu >= cfg->classify.low[BAL_RES_CPU] * may ? cpu : 0;
    out->io_Bps = io;
    /* Held back on a saturated NIC, a stream wants all it can get; its
     * traffic costs no CPU in the model, so nothing else changes. */
    if (net_bottleneck(cfg, sh, hl, v)) {
        est->net_bottleneck = true;
        net = INFINITY;
    }
    out->net_Bps = net;
    /* Reads fill the page cache, which a pre-copy sends again. */
    out->dirty_Bps = cfg->dirty_Bps + rd;
    return 0;
}

static void warn_unknown_drained(bal_ctx *ctx, const struct bal_config *cfg,
                                 const bal_status *st)
{
    int i;

    for (i = 0; i < cfg->ndrained; i++)
        if (!has_host(st, cfg->drained[i]))
            BAL__WARN(ctx, "%s: drained host %s is not in the cluster",
                      cfg->source ? cfg->source : "configuration",
                      cfg->drained[i]);
}

/* The first UUID two guests share, as one line; 0 when none. */
static int check_once(bal_ctx *ctx, const bal_status *st)
{
    bal__uuidmap seen;
    int i, j, rc = 0;

    bal__uuidmap_init(&seen);
    for (i = 0; i < st->nvms && !rc; i++) {
        const bal_vm_info *v = &st->vms[i];

        if (v->is_dom0) continue;
        j = bal__uuidmap_get(&seen, v->uuid);
        if (j >= 0) {
            BAL__ERR(ctx, "UUID %s runs twice, as %s on %s and as %s on %s: "
                     "a VM must run once to be planned for; an admin must "
                     "look", v->uuid, st->vms[j].name, st->vms[j].host,
                     v->name, v->host);
            rc = BAL_EINVAL;
            break;
        }
        rc = bal__uuidmap_put(&seen, v->uuid, i);
    }
    bal__uuidmap_dispose(&seen);
    return rc;
}

int bal__plan_input_build_ex(bal_ctx *ctx, const struct bal_config *cfg,
                             const bal_status *st, const bal__hist *hist,
                             int nhist, double now_s, bal__pl_input *in,
                             bal__pl_estimate **why_r)
{
    bal__pl_input b;
    bal__pl_estimate *est = NULL;
    hload *hl = NULL;
    bal__uuidmap last;
    double *cu = NULL, *cw = NULL, *iu = NULL, *nu = NULL, *vw = NULL;
    int *vh = NULL, *first = NULL, *vlist = NULL;
    smap sm;
    int i, k, nv = 0, rc;

    bal__pl_input_init(&b);
    bal__uuidmap_init(&last);
    memset(&sm, 0, sizeof(sm));
    rc = check_once(ctx, st);
    if (rc) goto out;
    warn_unknown_drained(ctx, cfg, st);

    b.params.now_s = now_s;
    b.params.horizon_s = cfg->horizon_s;
    b.params.max_moves = cfg->max_moves;
    b.params.max_per_host = cfg->max_per_host;
    b.params.max_per_link = cfg->max_per_link;
    b.params.migcpu = cfg->migcpu;
    b.params.rtt_ms = cfg->rtt_ms;
    b.params.pingpong_s = cfg->pingpong_s;
    b.params.margin = cfg->move_margin;

    rc = BAL_ENOMEM;
    b.hosts = calloc((size_t)st->nhosts + 1, sizeof(*b.hosts));
    hl = calloc((size_t)st->nhosts + 1, sizeof(*hl));
    b.vms = calloc((size_t)st->nvms + 1, sizeof(*b.vms));
    est = calloc((size_t)st->nvms + 1, sizeof(*est));
    b.history = calloc((size_t)nhist + 1, sizeof(*b.history));
    vh = calloc((size_t)st->nvms + 1, sizeof(*vh));
    first = calloc((size_t)st->nhosts + 2, sizeof(*first));
    vlist = calloc((size_t)st->nvms + 1, sizeof(*vlist));
    cu = calloc((size_t)st->nvms + 1, sizeof(*cu));
    iu = calloc((size_t)st->nvms + 1, sizeof(*iu));
    nu = calloc((size_t)st->nvms + 1, sizeof(*nu));
    cw = calloc((size_t)st->nvms + 1, sizeof(*cw));
    vw = calloc((size_t)st->nvms + 1, sizeof(*vw));
    if (!b.hosts || !hl || !b.vms || !est || !b.history || !vh || !first ||
        !vlist || !cu || !iu || !nu || !cw || !vw)
        goto out;
    if ((rc = index_hosts(st, vh, first, vlist))) goto out;
    if ((rc = bal__hist_latest(hist, nhist, &last))) goto out;

    for (i = 0; i < st->nhosts; i++) {
        const bal__host *sh = &st->last.hosts[i];
        bal__pl_host *h = &b.hosts[i];

        if ((rc = own(&b, sh->name, &h->name))) goto out;
        h->pcpus = sh->pcpus ? sh->pcpus : 1;
        h->disk_Bps = bal__host_disk_Bps(cfg, sh);
        h->disk_iops = bal__host_disk_iops(cfg, sh);
        h->net_Bps = bal__host_net_Bps(cfg, sh);
        h->free_kb = sh->free_kb > ((uint64_t)1 << 50) ? (int64_t)1 << 50
                                                       : (int64_t)sh->free_kb;
        /* As pinned: the status's word (configuration and `xl-balance
         * drain'), and the configuration's again. */
        h->drained = st->hosts[i].drained;
        for (k = 0; k < cfg->ndrained; k++)
            if (!strcmp(cfg->drained[k], sh->name)) h->drained = true;
        if ((rc = host_storage(cfg, &sm, sh->name, &h->storage_mask)))
            goto out;
        host_load(cfg, st, i, vlist + first[i], first[i + 1] - first[i], cu,
                  cw, iu, nu, vw, &hl[i]);
        /* The model shares pCPUs by the weights the inversion knew:
         * none (equal) where it did not know them all. */
        h->dom0_weight = hl[i].weights_known ? sampled_weight(sh, 0) : 0;
    }
    b.nhosts = st->nhosts;
    if ((rc = learn(cfg, hist, nhist, &b))) goto out;

    for (i = 0; i < st->nvms; i++) {
        const bal_vm_info *v = &st->vms[i];
        bal__pl_vm *pv = &b.vms[nv];
        int h = vh[i], j;

        if (v->is_dom0 || h < 0) continue;  /* h: always one of st's */
        if ((rc = own(&b, v->uuid, &pv->uuid)) ||
            (rc = own(&b, v->name, &pv->name)))
            goto out;
        rc = fill_vm(cfg, st, &hl[h], v, hl[h].weighted ? vw[i] : 1, h,
                     &b.params, pv, &est[nv]);
        if (rc) goto out;
        pv->storage_mask = b.hosts[h].storage_mask;
        pv->weight = hl[h].weights_known ? vw[i] : 0;
        j = bal__uuidmap_get(&last, v->uuid);
        pv->cooldown_until_s = j >= 0 ? hist[j].time + cfg->cooldown_s : 0;
        nv++;
    }
    b.nvms = nv;
    if ((rc = bal__plan_rules(ctx, cfg, &b))) goto out;
    if ((rc = learn_dirty(cfg, hist, nhist, &b, est))) goto out;

    /* The planner only needs what is within the ping-pong window. */
    for (k = 0; k < nhist; k++) {
        const bal__hist *e = &hist[k];
        bal__pl_history *o = &b.history[b.nhistory];

        if (!isfinite(e->time) || e->time < now_s - cfg->pingpong_s) continue;
        if ((rc = own(&b, e->uuid, &o->uuid)) ||
            (rc = own(&b, e->from, &o->from)) ||
            (rc = own(&b, e->to, &o->to)))
            goto out;
        o->time_s = e->time;
        b.nhistory++;
    }

    bal__pl_input_dispose(in);
    *in = b;
    bal__pl_input_init(&b);
    if (why_r) {
        *why_r = est;
        est = NULL;
    }
    rc = 0;

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "planner input: out of memory");
    bal__pl_input_dispose(&b);
    bal__uuidmap_dispose(&last);
    smap_dispose(&sm);
    free(est);
    free(hl);
    free(vh);
    free(first);
    free(vlist);
    free(cu);
    free(cw);
    free(iu);
    free(nu);
    free(vw);
    return rc;
}

int bal__plan_input_build(bal_ctx *ctx, const struct bal_config *cfg,
                          const bal_status *st, const bal__hist *hist,
                          int nhist, double now_s, bal__pl_input *in)
{
    return bal__plan_input_build_ex(ctx, cfg, st, hist, nhist, now_s, in,
                                    NULL);
}

int bal__plan_history(bal_ctx *ctx, const struct bal_config *cfg,
                      bal__hist **h_r, int *n_r)
{
    char path[4200];
    int rc;

    *h_r = NULL;
    *n_r = 0;
    snprintf(path, sizeof(path), "%s/%s", bal__config_state_dir(cfg),
             BAL__HISTORY_FILE);
    rc = bal__history_load(ctx, path, h_r, n_r);
    /* A link or a FIFO in its place was planted, not worn out: refused,
     * as the writer would refuse it after the moves. */
    if (rc == BAL_ENOMEM || rc == BAL_ECONFIG) return rc;
    if (rc) {
        BAL__WARN(ctx, "%s: cannot be read (%s): planning without the "
                  "migration history", path, bal_strerror(rc));
        *h_r = NULL;
        *n_r = 0;
    }
    return 0;
}
