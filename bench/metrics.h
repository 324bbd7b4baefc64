/*
 * metrics.h - how good a placement is, measured independently of the
 * planner's model (planner_cost.c is not called: no dom0, no CPU cost of
 * I/O, no weights, no horizon), so that the planner and hbal are judged
 * by the same plain yardstick.  Header-only, as gen_regimes.h.
 *
 * Per host, two resources, each shared max-min fairly among its VMs
 * (gm_waterfill, written here):
 *   the pCPUs     capacity pcpus,    a VM's demand min(cpu, vcpus);
 *   the disk path capacity disk_Bps, a VM's demand min(io_Bps, the
 *                 largest path in the cluster).
 * The demand is the VM's own, not what its host could give it: a reader
 * that wants 200 MB/s alone on a 20 MB/s path gets a tenth of it (and
 * would get all of it on a faster path); only a demand beyond every path
 * ("as fast as it goes") is taken as the best path's worth, as the
 * planner takes it (doc/planner.md, "A host, shared").
 * A VM's share of a resource is what it got over what it wanted (1 when
 * it wants nothing); its share is that of its type's resource: the pCPUs
 * for cpu, the path for io, the lesser of the two for mixed.
 *
 * The population of the share figures is the heavy VMs (heavy and not
 * idle): min_share, p10_share (nearest rank: the ceil(0.1 n)-th
 * smallest), jain ((sum x)^2 / (n sum x^2), 1 when all are equal).
 * Pairs: a resource's users are the heavy VMs whose type uses it (cpu
 * and mixed the pCPUs, io and mixed the path); per host and resource
 * k users make C(k,2) pairs, counted in plain_pairs always and in
 * contended_pairs when the resource's total demand (all its VMs')
 * exceeds its capacity.  unmet_*: what the VMs want and do not get.
 */
#ifndef BAL_METRICS_H
#define BAL_METRICS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planner/planner.h"

typedef struct gm_result {
    int nheavy;                 /* the share figures' population; -1: out
                                 * of memory (nothing measured) */
    double min_share;           /* NAN when nheavy is 0 */
    double p10_share;
    double jain;
    long contended_pairs;
    long plain_pairs;
    double unmet_cpu;           /* pCPUs */
    double unmet_io_MBps;       /* 10^6 bytes/s */
    int max_same_type_on_host;  /* most heavy users of one resource of one
                                 * host */
} gm_result;

typedef struct gm_dem {
    double d;
    int i;
} gm_dem;

static inline int gm_cmp_dem(const void *a, const void *b)
{
    double x = ((const gm_dem *)a)->d, y = ((const gm_dem *)b)->d;

    return (x > y) - (x < y);
}

/* Max-min fairness: by increasing demand, each gets its demand while it
 * is no more than an equal split of what is left; the rest split it
 * equally.  dem[] sorted in place (its .i say whose). */
static inline void gm_waterfill(double cap, gm_dem *dem, int n, double *alloc)
{
    double left = cap;
    int k;

    qsort(dem, (size_t)n, sizeof(*dem), gm_cmp_dem);
    for (k = 0; k < n; k++) {
        double fair = left / (n - k);

        if (dem[k].d <= fair) {
            alloc[dem[k].i] = dem[k].d;
            left -= dem[k].d;
        } else {
            for (; k < n; k++) alloc[dem[k].i] = fair;
        }
    }
}

static inline bool gm_uses_cpu(const bal__pl_vm *vm)
{
    return vm->type == BAL_TYPE_CPU || vm->type == BAL_TYPE_MIXED;
}

static inline bool gm_uses_io(const bal__pl_vm *vm)
{
    return vm->type == BAL_TYPE_IO || vm->type == BAL_TYPE_MIXED;
}

static inline bool gm_heavy(const bal__pl_vm *vm)
{
    return vm->heavy && vm->type != BAL_TYPE_IDLE;
}

static inline double gm_share(double got, double want)
{
    return want > 0 ? got / want : 1;
}

static inline int gm_cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One host's resource res (0 pCPUs, 1 path) for its VMs vms[0..n):
 * shares into share[v], unmet and pairs into out. */
static inline void gm_resource(const bal__pl_input *in, int h, int res,
                               const int *vms, int n, gm_dem *dem,
                               double *alloc, double *share, gm_result *out)
{
    const bal__pl_host *hp = &in->hosts[h];
    double cap = res ? hp->disk_Bps : hp->pcpus, total = 0, ref = 0;
    long k = 0;
    int j;

    for (j = 0; j < in->nhosts; j++) ref = fmax(ref, in->hosts[j].disk_Bps);

    for (j = 0; j < n; j++) {
        const bal__pl_vm *vm = &in->vms[vms[j]];

        dem[j].d = res ? fmin(vm->io_Bps, ref) : fmin(vm->cpu, vm->vcpus);
        dem[j].i = j;
        total += dem[j].d;
        if (gm_heavy(vm) && (res ? gm_uses_io(vm) : gm_uses_cpu(vm))) k++;
    }
    /* dem[] is sorted by the water-fill: the demand goes with .i. */
    gm_waterfill(cap, dem, n, alloc);
    for (j = 0; j < n; j++) {
        double want = dem[j].d, got = alloc[dem[j].i];

        share[vms[dem[j].i]] = gm_share(got, want);
        if (res) out->unmet_io_MBps += (want - got) / 1e6;
        else out->unmet_cpu += want - got;
    }
    out->plain_pairs += k * (k - 1) / 2;
    if (total > cap) out->contended_pairs += k * (k - 1) / 2;
    if (k > out->max_same_type_on_host) out->max_same_type_on_host = (int)k;
}

/* The figures of placement place (place[v]: VM v's host; NULL: where the
 * input has them). */
static inline void gm_measure(const bal__pl_input *in, const int *place,
                              gm_result *out)
{
    size_t nv = (size_t)in->nvms + 1, nh = (size_t)in->nhosts + 2;
    int *first = calloc(nh, sizeof(int)), *list = malloc(nv * sizeof(int));
    double *scpu = malloc(nv * sizeof(double)), *sio = malloc(nv * sizeof(double));
    double *alloc = malloc(nv * sizeof(double)), *x = malloc(nv * sizeof(double));
    gm_dem *dem = malloc(nv * sizeof(gm_dem));
    double sum = 0, sum2 = 0;
    int h, v, n = 0;

    memset(out, 0, sizeof(*out));
    out->min_share = out->p10_share = out->jain = NAN;
    if (!first || !list || !scpu || !sio || !alloc || !x || !dem) {
        out->nheavy = -1;
        goto out;
    }
    /* The VMs of each host: list[first[h] .. first[h + 1]). */
    for (v = 0; v < in->nvms; v++) first[(place ? place[v] : in->vms[v].host) + 2]++;
    for (h = 0; h < in->nhosts; h++) first[h + 2] += first[h + 1];
    for (v = 0; v < in->nvms; v++)
        list[first[(place ? place[v] : in->vms[v].host) + 1]++] = v;
    for (h = 0; h < in->nhosts; h++) {
        const int *vms = list + first[h];
        int k = first[h + 1] - first[h];

        gm_resource(in, h, 0, vms, k, dem, alloc, scpu, out);
        gm_resource(in, h, 1, vms, k, dem, alloc, sio, out);
    }
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        if (!gm_heavy(vm)) continue;
        x[n] = vm->type == BAL_TYPE_CPU ? scpu[v] :
               vm->type == BAL_TYPE_IO ? sio[v] : fmin(scpu[v], sio[v]);
        sum += x[n];
        sum2 += x[n] * x[n];
        n++;
    }
    out->nheavy = n;
    if (n) {
        qsort(x, (size_t)n, sizeof(double), gm_cmp_d);
        out->min_share = x[0];
        out->p10_share = x[(n + 9) / 10 - 1];
        out->jain = sum2 > 0 ? sum * sum / (n * sum2) : 1;
    }
out:
    free(first);
    free(list);
    free(scpu);
    free(sio);
    free(alloc);
    free(x);
    free(dem);
}

/* Seconds of migration to go from placement `from' to `to' (NULL: the
 * input's): each moved VM's plain pre-copy (bal__pl_precopy_model) over
 * the default link of params.rtt_ms, capped by both NICs, one after the
 * other, each with its resume_s.  The planner's own costs also count
 * dom0's CPU share and waves; this is the same yardstick for every
 * plan. */
static inline double gm_migration_s(const bal__pl_input *in, const int *from,
                                    const int *to)
{
    const bal__pl_params *p = &in->params;
    double link = bal__pl_link_from_rtt(p->rtt_ms), t = 0;
    int v;

    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];
        int a = from ? from[v] : vm->host, b = to ? to[v] : vm->host;
        double bw = link;
        bal__pl_precopy pc;

        if (a == b) continue;
        if (in->hosts[a].net_Bps > 0) bw = fmin(bw, in->hosts[a].net_Bps);
        if (in->hosts[b].net_Bps > 0) bw = fmin(bw, in->hosts[b].net_Bps);
        bal__pl_precopy_model((double)vm->mem_kb * 1024, vm->wws_bytes,
                              vm->dirty_Bps, bw,
                              p->stop_bytes, p->max_rounds, &pc);
        t += pc.time_s + p->resume_s;
    }
    return t;
}

#endif /* BAL_METRICS_H */
