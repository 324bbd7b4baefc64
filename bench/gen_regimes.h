/*
 * gen_regimes.h - generated clusters in regimes the planner was never
 * tuned on, for the benchmark against Ganeti's hbal (bench_hbal.c), the
 * gen_regimes tool and tests/test_gen_regimes.c.  Header-only, as
 * gen_cluster.h, so that each of them stands alone.
 *
 *   gr_generate(REGIME, HOSTS, VMS, SEED, &in)   a cluster, seeded
 *   gr_write_json(&in, f)        the planner's JSON input (doc/planner.md)
 *   gr_write_hbal(&in, f)        the same cluster in hbal's text format
 *   gr_write_hbal_util(&in, f)   and its -U utilisation file
 *   gr_apply_hbal_placement(&in, "SAVE.balanced")   hbal's result applied
 *   gr_apply_placement(&in, place)                  any placement applied
 *
 * What every regime shares.  Hosts: NICs of 10 Gbit/s (net_Bps 1.25e9),
 * one shared storage (storage_mask 1), dom0 holding GR_DOM0_MIB of the
 * host's memory.  VMs: a UUID, vcpus >= 1, a CPU demand of at most its
 * vCPUs, a finite disk demand (io_Bps), memory in whole MiB, a dirty
 * rate of 1 to 8 MB/s, storage_mask 1; nothing pinned, no anti-affinity,
 * no history.  Params: the CPU a modern dom0 and guest spend on I/O,
 * 0.0005 CPU-s per 10^6 bytes each (about half a core per GB/s: blkback
 * and blkfront on a current x86 core), and on a migration, 0.003 (a
 * core copies about 330 MB/s) - assumed, not measured here.  The
 * planner's defaults are the paper's 2010 testbed (an Athlon 1640B
 * reading a 16 MB/s iSCSI path: 0.0079 and 0.00959), which on these
 * paths of up to 2 GB/s would ask more cores for I/O than the hosts
 * have and make every migration off a busy host take hours.  Types:
 * cpu, io, mixed, idle.  A VM is heavy when its
 * dominant demand (its CPU for cpu, its disk for io, the larger share of
 * the two for mixed) is at least half of that resource on a typical
 * host (the median host's pCPUs and disk path); idle VMs never are.
 * free_kb is what the host's memory leaves after dom0 and its VMs; a
 * host a regime overfills (only with extreme VMs-per-host ratios, or
 * when first fit runs out of room) is given the memory it needs, so
 * free_kb is never negative.  Any nhosts >= 1 and nvms >= 0.
 *
 * The regimes:
 *
 * htools    In the style of Ganeti's htools test clusters: hosts of 32
 *           pCPUs, a 400 MB/s disk path, 256 GiB; 30% cpu VMs (8 to 32
 *           vCPUs at 60-100%), 30% io VMs each wanting 60-95% of a host's
 *           path (every one heavy: the paths are oversubscribed wherever
 *           they go), 20% idle, 20% mixed (8-16 vCPUs at 30-60%, 30-60% of
 *           a path); 1 to 16 GiB each: at 10 VMs a host, about 1.8 times
 *           the cluster's pCPUs and 3.2 times its paths.  Placed badly on
 *           purpose: VMs sorted by type and dealt to hosts in runs, so
 *           same-type VMs pile up together.
 *
 * under     Hosts of 16 pCPUs, a 250 MB/s path, 256 GiB; 30% cpu, 30% io,
 * near      20% mixed, 20% idle VMs of 2 to 16 GiB.  Demands: mostly
 * over      small, a tenth large (gr_weight), then scaled so that the
 *           cluster's CPU and disk demand are about 50%, 95% and 150% of
 *           its pCPUs and paths (no VM wants more than a host: beyond
 *           that the rest are scaled up).  Random start placement.
 *
 * hetero    Unequal dom0s: 1 to 64 pCPUs (powers of two), disk paths 20
 *           MB/s to 2 GB/s and memory 8 to 512 GiB (log-uniform, each
 *           independent of the others); VMs from tiny to path-saturating
 *           (log-uniform CPU 0.05 to 32 pCPUs, disk 0.1 MB/s to 2 GB/s,
 *           memory 0.5 to 32 GiB, scaled down to fill at most 60% of the
 *           cluster's memory; at 10 VMs a host about 1.1 times the
 *           cluster's pCPUs and 1.9 times its paths).  Placed type-blind
 *           by memory: each VM, in order, on the first host with room - a
 *           memory-only scheduler, which piles the first hosts and leaves
 *           the last ones empty.
 *
 * memtight  As `near' at 100% of CPU and disk, VMs of 4 to 32 GiB placed
 *           at random; then each host's memory is set to what its VMs
 *           use plus a little: three quarters of the hosts keep less free
 *           than the median VM (0 to 0.9 of it), the rest 1 to 2.5 times
 *           it.  Most moves need a swap, or a host with room, to fit.
 *
 * piled     Hosts of 16 pCPUs, a 250 MB/s path, 256 GiB; 7% heavy cpu
 *           VMs (16 vCPUs at 10-16), 7% heavy io (150-240 MB/s), 2% heavy
 *           mixed (8-12 pCPUs and 125-200 MB/s), all of 8 to 32 GiB; 84%
 *           light (cpu, io or idle) of 2 to 8 GiB: at 10 VMs a host, 0.9
 *           heavy users of each resource a host, so every pile can be
 *           undone, in a cluster at about 90% of its pCPUs and 80% of its
 *           paths.  Each heavy type is piled on as few hosts as memory
 *           allows (first fit over shuffled hosts, a fresh host for each
 *           type); the light VMs go to random hosts with room.
 */
#ifndef BAL_GEN_REGIMES_H
#define BAL_GEN_REGIMES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/planner.h"
#include "planner/planner_json.h"

#define GR_DOM0_MIB 1024        /* dom0's memory, on every host */
#define GR_IOCPU 0.0005         /* CPU-s per 10^6 bytes of I/O, guest and
                                 * dom0 each */
#define GR_MIGCPU 0.003         /* dom0 CPU-s per 10^6 bytes migrated */
#define GR_NET_BPS 1.25e9       /* 10 Gbit/s */
#define GR_HEAVY 0.5            /* of a typical host's resource */
#define GR_MB 1e6
#define GR_GIB 1024             /* MiB */

/* Used by most includers, not all: no warning for those that do not. */
__attribute__((unused))
static const char *const gr_regime_names[] = {
    "htools", "under", "near", "over", "hetero", "memtight", "piled", NULL
};

static inline int gr_regime_index(const char *name)
{
    int k;

    for (k = 0; name && gr_regime_names[k]; k++)
        if (!strcmp(name, gr_regime_names[k])) return k;
    return -1;
}

/* ---- randomness (splitmix64: the same stream on every machine) --------- */

static inline uint64_t gr_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline double gr_unif(uint64_t *s)
{
    return (double)(gr_next(s) >> 11) * 0x1p-53;
}

static inline double gr_range(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * gr_unif(s);
}

static inline double gr_logrange(uint64_t *s, double lo, double hi)
{
    return lo * exp(log(hi / lo) * gr_unif(s));
}

static inline int gr_below(uint64_t *s, int n)
{
    return n > 0 ? (int)(gr_next(s) % (uint64_t)n) : 0;
}

static inline void gr_shuffle(uint64_t *s, int *a, int n)
{
    int i;

    for (i = n - 1; i > 0; i--) {
        int j = gr_below(s, i + 1), t = a[i];

        a[i] = a[j];
        a[j] = t;
    }
}

/* ---- the generator's state ------------------------------------------------ */

typedef struct gr_gen {
    bal__pl_input *in;
    uint64_t rs;
    int nh, nv;
    int64_t *total_mib;         /* each host's memory, dom0's included */
    int64_t *used_mib;          /* its VMs' */
    int *scratch;               /* max(nhosts, nvms) + 1 ints */
} gr_gen;

static inline int64_t gr_mib(const bal__pl_vm *vm)
{
    return (int64_t)((vm->mem_kb + 1023) / 1024);
}

static inline int64_t gr_room(const gr_gen *g, int h)
{
    return g->total_mib[h] - GR_DOM0_MIB - g->used_mib[h];
}

static inline void gr_put(gr_gen *g, int v, int h)
{
    g->in->vms[v].host = h;
    g->used_mib[h] += gr_mib(&g->in->vms[v]);
}

/* The host with the most room takes v, grown to hold it if need be: the
 * last resort of every placement, which keeps free_kb >= 0. */
static inline void gr_put_anywhere(gr_gen *g, int v)
{
    int h, best = 0;
    int64_t need = gr_mib(&g->in->vms[v]);

    for (h = 1; h < g->nh; h++)
        if (gr_room(g, h) > gr_room(g, best)) best = h;
    if (gr_room(g, best) < need) g->total_mib[best] += need - gr_room(g, best);
    gr_put(g, v, best);
}

/* A random host with room for v (a few draws, then a scan from a random
 * start), else the last resort. */
static inline void gr_put_random(gr_gen *g, int v)
{
    int64_t need = gr_mib(&g->in->vms[v]);
    int k, h;

    for (k = 0; k < 16; k++) {
        h = gr_below(&g->rs, g->nh);
        if (gr_room(g, h) >= need) {
            gr_put(g, v, h);
            return;
        }
    }
    h = gr_below(&g->rs, g->nh);
    for (k = 0; k < g->nh; k++, h = (h + 1) % g->nh)
        if (gr_room(g, h) >= need) {
            gr_put(g, v, h);
            return;
        }
    gr_put_anywhere(g, v);
}

static inline void gr_host(gr_gen *g, int h, uint32_t pcpus, double disk_Bps,
                           int64_t total_mib)
{
    bal__pl_host *hp = &g->in->hosts[h];

    hp->pcpus = pcpus;
    hp->disk_Bps = disk_Bps;
    hp->net_Bps = GR_NET_BPS;
    hp->storage_mask = 1;
    g->total_mib[h] = total_mib;
}

/* Names, UUIDs and what every VM shares; everything in in->owned. */
static inline int gr_alloc(gr_gen *g)
{
    bal__pl_input *in = g->in;
    size_t nlen = (size_t)g->nh * 16 + (size_t)g->nv * 56 + 16;
    int n = g->nh > g->nv ? g->nh : g->nv, h, v;
    char *names;

    in->owned = calloc(1, sizeof(char *));
    in->hosts = calloc((size_t)g->nh + 1, sizeof(*in->hosts));
    in->vms = calloc((size_t)g->nv + 1, sizeof(*in->vms));
    g->total_mib = calloc((size_t)g->nh + 1, sizeof(int64_t));
    g->used_mib = calloc((size_t)g->nh + 1, sizeof(int64_t));
    g->scratch = calloc((size_t)n + 1, sizeof(int));
    if (!in->owned || !in->hosts || !in->vms || !g->total_mib ||
        !g->used_mib || !g->scratch)
        return -1;
    in->capowned = 1;
    names = calloc(nlen, 1);
    if (!names) return -1;
    in->owned[0] = names;
    in->nowned = 1;
    in->nhosts = g->nh;
    in->nvms = g->nv;
    for (h = 0; h < g->nh; h++) {
        snprintf(names, 16, "h%05d", h);
        in->hosts[h].name = names;
        names += 16;
    }
    for (v = 0; v < g->nv; v++) {
        bal__pl_vm *vm = &in->vms[v];
        uint64_t r = gr_next(&g->rs);

        snprintf(names, 16, "vm%06d", v);
        /* Random-looking but unique: the last field is the index. */
        snprintf(names + 16, 40, "%08x-%04x-4%03x-%04x-%012llx",
                 (unsigned)(r >> 32), (unsigned)(r >> 16) & 0xffff,
                 (unsigned)(r >> 4) & 0xfff,
                 0x8000u | ((unsigned)r & 0xf) << 8 | (unsigned)(r >> 52),
                 (unsigned long long)v);
        vm->name = names;
        vm->uuid = names + 16;
        names += 56;
        vm->host = -1;
        vm->vcpus = 1;
        vm->remaining_s = -1;
        vm->anti_group = -1;
        vm->storage_mask = 1;
        vm->dirty_Bps = gr_range(&g->rs, 1, 8) * GR_MB;
    }
    return 0;
}

static inline void gr_mem_mib(bal__pl_vm *vm, int64_t mib)
{
    vm->mem_kb = (uint64_t)(mib < 1 ? 1 : mib) * 1024;
}

/* Types in the given proportions, exactly (rounded), in a shuffled order. */
static inline void gr_deal_types(gr_gen *g, double fcpu, double fio,
                                 double fmixed)
{
    int *t = g->scratch, n = g->nv, i = 0, k;
    int counts[3] = { (int)lround(fcpu * n), (int)lround(fio * n),
                      (int)lround(fmixed * n) };
    static const bal_load_type types[3] = { BAL_TYPE_CPU, BAL_TYPE_IO,
                                            BAL_TYPE_MIXED };

    for (k = 0; k < 3; k++)
        while (counts[k]-- > 0 && i < n) t[i++] = (int)types[k];
    while (i < n) t[i++] = (int)BAL_TYPE_IDLE;
    gr_shuffle(&g->rs, t, n);
    for (i = 0; i < n; i++) g->in->vms[i].type = (bal_load_type)t[i];
}

/* What an idle VM asks: next to nothing, never heavy. */
static inline void gr_idle(gr_gen *g, bal__pl_vm *vm)
{
    vm->vcpus = 1 + (uint32_t)gr_below(&g->rs, 2);
    vm->cpu = gr_range(&g->rs, 0.01, 0.05);
    vm->io_Bps = gr_range(&g->rs, 0, 0.2) * GR_MB;
}

/* vCPUs for a CPU demand: busy at 60-100% of them, within [1, most]. */
static inline void gr_vcpus_for(gr_gen *g, bal__pl_vm *vm, uint32_t most)
{
    double c = ceil(vm->cpu / gr_range(&g->rs, 0.6, 1.0));

    vm->vcpus = c < 1 ? 1 : c > most ? most : (uint32_t)c;
    if (vm->cpu > vm->vcpus) vm->cpu = vm->vcpus;
}

/* ---- demands scaled to a load (under, near, over, memtight) ------------- */

/* Mostly small VMs, a tenth large: a relative size, scaled later. */
static inline double gr_weight(uint64_t *s)
{
    double u = gr_unif(s);

    return u < 0.6 ? gr_range(s, 0.1, 0.5) :
           u < 0.9 ? gr_range(s, 0.5, 1.5) : gr_range(s, 3, 6);
}

static inline bool gr_scales(const bal__pl_vm *vm, int res)
{
    return vm->type == BAL_TYPE_MIXED ||
           vm->type == (res ? BAL_TYPE_IO : BAL_TYPE_CPU);
}

/* Scales the demands of resource res (0 CPU, 1 disk) of the VMs whose
 * type uses it so that the cluster's total is `target', none above
 * `cap' (one host's): the capped ones leave, the rest scale again. */
static inline void gr_scale(gr_gen *g, int res, double target, double cap)
{
    int *capped = g->scratch, v, round;

    memset(capped, 0, (size_t)g->nv * sizeof(int));
    for (round = 0; round < 8; round++) {
        double fixed = 0, var = 0, f;

        for (v = 0; v < g->nv; v++) {
            const bal__pl_vm *vm = &g->in->vms[v];
            double d = res ? vm->io_Bps : vm->cpu;

            if (gr_scales(vm, res) && !capped[v]) var += d;
            else fixed += d;
        }
        if (var <= 0) break;
        f = (target - fixed) / var;
        if (f <= 0) f = 1e-3;
        if (fabs(f - 1) < 1e-9) break;
        for (v = 0; v < g->nv; v++) {
            bal__pl_vm *vm = &g->in->vms[v];
            double *d = res ? &vm->io_Bps : &vm->cpu;

            if (!gr_scales(vm, res) || capped[v]) continue;
            *d *= f;
            if (*d >= cap) {
                *d = cap;
                capped[v] = 1;
            }
        }
    }
}

/* Types 30/30/20/20 and demands whose totals are `load' of the cluster's
 * pCPUs and paths (hosts of `pcpus' and `disk' each). */
static inline void gr_loads(gr_gen *g, double load, uint32_t pcpus,
                            double disk)
{
    int v;

    gr_deal_types(g, 0.3, 0.3, 0.2);
    for (v = 0; v < g->nv; v++) {
        bal__pl_vm *vm = &g->in->vms[v];

        switch (vm->type) {
        case BAL_TYPE_CPU:
            vm->cpu = gr_weight(&g->rs);
            vm->io_Bps = gr_range(&g->rs, 0.2, 2) * GR_MB;
            break;
        case BAL_TYPE_IO:
            vm->vcpus = 1 + (uint32_t)gr_below(&g->rs, 4);
            vm->cpu = gr_range(&g->rs, 0.05, 0.3);
            vm->io_Bps = gr_weight(&g->rs);
            break;
        case BAL_TYPE_MIXED:
            vm->cpu = gr_weight(&g->rs);
            vm->io_Bps = gr_weight(&g->rs);
            break;
        default:
            gr_idle(g, vm);
        }
    }
    gr_scale(g, 0, load * pcpus * g->nh, pcpus);
    gr_scale(g, 1, load * disk * g->nh, disk);
    for (v = 0; v < g->nv; v++)
        if (gr_scales(&g->in->vms[v], 0)) gr_vcpus_for(g, &g->in->vms[v], pcpus);
}

/* ---- the regimes ------------------------------------------------------------ */

static inline void gr_htools(gr_gen *g)
{
    static const uint32_t cpu_vcpus[] = { 8, 16, 24, 32 };
    static const int mem_gib[] = { 1, 2, 4, 8, 16 };
    static const bal_load_type order[] = { BAL_TYPE_CPU, BAL_TYPE_IO,
                                           BAL_TYPE_MIXED, BAL_TYPE_IDLE };
    const double disk = 400 * GR_MB;
    int h, v, k, i = 0;

    for (h = 0; h < g->nh; h++) gr_host(g, h, 32, disk, 256 * GR_GIB);
    gr_deal_types(g, 0.3, 0.3, 0.2);
    for (v = 0; v < g->nv; v++) {
        bal__pl_vm *vm = &g->in->vms[v];

        switch (vm->type) {
        case BAL_TYPE_CPU:
            vm->vcpus = cpu_vcpus[gr_below(&g->rs, 4)];
            vm->cpu = vm->vcpus * gr_range(&g->rs, 0.6, 1.0);
            vm->io_Bps = gr_range(&g->rs, 0.5, 2) * GR_MB;
            break;
        case BAL_TYPE_IO:
            vm->vcpus = 2 + (uint32_t)gr_below(&g->rs, 3);
            vm->cpu = gr_range(&g->rs, 0.1, 0.5);
            vm->io_Bps = gr_range(&g->rs, 0.6, 0.95) * disk;
            break;
        case BAL_TYPE_MIXED:
            vm->vcpus = 8 + 4 * (uint32_t)gr_below(&g->rs, 3);
            vm->cpu = vm->vcpus * gr_range(&g->rs, 0.3, 0.6);
            vm->io_Bps = gr_range(&g->rs, 0.3, 0.6) * disk;
            break;
        default:
            gr_idle(g, vm);
        }
        gr_mem_mib(vm, (int64_t)mem_gib[gr_below(&g->rs, 5)] * GR_GIB);
    }
    /* Badly on purpose: by type, in runs of nvms / nhosts. */
    for (k = 0; k < 4; k++)
        for (v = 0; v < g->nv; v++)
            if (g->in->vms[v].type == order[k]) {
                h = (int)((int64_t)i++ * g->nh / g->nv);
                if (gr_room(g, h) >= gr_mib(&g->in->vms[v])) gr_put(g, v, h);
                else gr_put_anywhere(g, v);
            }
}

static inline void gr_load_regime(gr_gen *g, double load)
{
    int h, v;

    for (h = 0; h < g->nh; h++) gr_host(g, h, 16, 250 * GR_MB, 256 * GR_GIB);
    gr_loads(g, load, 16, 250 * GR_MB);
    for (v = 0; v < g->nv; v++) {
        gr_mem_mib(&g->in->vms[v], (2 + gr_below(&g->rs, 15)) * (int64_t)GR_GIB);
        gr_put_random(g, v);
    }
}

static inline void gr_hetero(gr_gen *g)
{
    int64_t guest = 0, want = 0;
    int h, v;

    for (h = 0; h < g->nh; h++) {
        /* One draw a statement: argument order is the compiler's. */
        uint32_t pcpus = 1u << gr_below(&g->rs, 7);
        double disk = gr_logrange(&g->rs, 20 * GR_MB, 2000 * GR_MB);
        int64_t mib = (int64_t)lround(gr_logrange(&g->rs, 8, 512)) * GR_GIB;

        gr_host(g, h, pcpus, disk, mib);
        guest += mib - GR_DOM0_MIB;
    }
    gr_deal_types(g, 0.3, 0.3, 0.2);
    for (v = 0; v < g->nv; v++) {
        bal__pl_vm *vm = &g->in->vms[v];

        switch (vm->type) {
        case BAL_TYPE_CPU:
            vm->cpu = gr_logrange(&g->rs, 0.05, 32);
            vm->io_Bps = gr_logrange(&g->rs, 0.01, 2) * GR_MB;
            break;
        case BAL_TYPE_IO:
            vm->cpu = gr_logrange(&g->rs, 0.01, 0.5);
            vm->io_Bps = gr_logrange(&g->rs, 0.1, 2000) * GR_MB;
            break;
        case BAL_TYPE_MIXED:
            vm->cpu = gr_logrange(&g->rs, 0.05, 16);
            vm->io_Bps = gr_logrange(&g->rs, 0.1, 1000) * GR_MB;
            break;
        default:
            gr_idle(g, vm);
        }
        if (vm->type != BAL_TYPE_IDLE) gr_vcpus_for(g, vm, 64);
        gr_mem_mib(vm, (int64_t)lround(gr_logrange(&g->rs, 2, 128)) * 256);
        want += gr_mib(vm);
    }
    /* At most 60% of the guests' memory, in steps of 256 MiB. */
    if (want > guest * 6 / 10)
        for (v = 0; v < g->nv; v++) {
            bal__pl_vm *vm = &g->in->vms[v];
            int64_t m = gr_mib(vm) * (guest * 6 / 10) / want / 256 * 256;

            gr_mem_mib(vm, m < 256 ? 256 : m);
        }
    /* First fit, type-blind. */
    for (v = 0; v < g->nv; v++) {
        for (h = 0; h < g->nh; h++)
            if (gr_room(g, h) >= gr_mib(&g->in->vms[v])) break;
        if (h < g->nh) gr_put(g, v, h);
        else gr_put_anywhere(g, v);
    }
}

static inline int gr_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static inline int gr_memtight(gr_gen *g)
{
    int64_t *mem = NULL, median;
    int h, v;

    for (h = 0; h < g->nh; h++) gr_host(g, h, 16, 250 * GR_MB, 0);
    gr_loads(g, 1.0, 16, 250 * GR_MB);
    if (g->nv) {
        mem = malloc((size_t)g->nv * sizeof(*mem));
        if (!mem) return -1;
    }
    for (v = 0; v < g->nv; v++) {
        gr_mem_mib(&g->in->vms[v], (4 + gr_below(&g->rs, 29)) * (int64_t)GR_GIB);
        mem[v] = gr_mib(&g->in->vms[v]);
        gr_put(g, v, gr_below(&g->rs, g->nh));
    }
    if (mem) qsort(mem, (size_t)g->nv, sizeof(*mem), gr_cmp_i64);
    median = g->nv ? mem[(g->nv - 1) / 2] : 8 * GR_GIB;
    free(mem);
    /* The memory each host needs, and a little: mostly less than a
     * median VM. */
    for (h = 0; h < g->nh; h++) {
        double f = gr_unif(&g->rs) < 0.75 ? gr_range(&g->rs, 0, 0.9) :
                   gr_range(&g->rs, 1.0, 2.5);

        g->total_mib[h] = GR_DOM0_MIB + g->used_mib[h] + (int64_t)(f * median);
    }
    return 0;
}

static inline void gr_pile(gr_gen *g, int v, const int *hosts, int *next)
{
    int64_t need = gr_mib(&g->in->vms[v]);

    while (*next < g->nh && gr_room(g, hosts[*next]) < need) ++*next;
    if (*next < g->nh) gr_put(g, v, hosts[*next]);
    else gr_put_random(g, v);      /* out of hosts: wherever there is room */
}

static inline int gr_piled(gr_gen *g)
{
    enum { HC, HI, HM, LIGHT };
    int *kind = NULL, *hosts = g->scratch, n = g->nv, h, v, k, next = 0;
    int counts[3] = { (int)lround(0.07 * n), (int)lround(0.07 * n),
                      (int)lround(0.02 * n) };

    if (n) {
        kind = malloc((size_t)n * sizeof(int));
        if (!kind) return -1;
    }
    for (h = 0; h < g->nh; h++) gr_host(g, h, 16, 250 * GR_MB, 256 * GR_GIB);
    for (v = 0, k = 0; k < 3; k++)
        while (counts[k]-- > 0 && v < n) kind[v++] = k;
    while (v < n) kind[v++] = LIGHT;
    gr_shuffle(&g->rs, kind, n);
    for (v = 0; v < n; v++) {
        bal__pl_vm *vm = &g->in->vms[v];
        int light = gr_below(&g->rs, 10);

        switch (kind[v]) {
        case HC:
            vm->type = BAL_TYPE_CPU;
            vm->vcpus = 16;
            vm->cpu = gr_range(&g->rs, 10, 16);
            vm->io_Bps = gr_range(&g->rs, 0.5, 2) * GR_MB;
            break;
        case HI:
            vm->type = BAL_TYPE_IO;
            vm->vcpus = 2 + (uint32_t)gr_below(&g->rs, 3);
            vm->cpu = gr_range(&g->rs, 0.1, 0.5);
            vm->io_Bps = gr_range(&g->rs, 150, 240) * GR_MB;
            break;
        case HM:
            vm->type = BAL_TYPE_MIXED;
            vm->vcpus = 16;
            vm->cpu = gr_range(&g->rs, 8, 12);
            vm->io_Bps = gr_range(&g->rs, 125, 200) * GR_MB;
            break;
        default:
            if (light < 4) {
                vm->type = BAL_TYPE_CPU;
                vm->vcpus = 1 + (uint32_t)gr_below(&g->rs, 4);
                vm->cpu = fmin(gr_range(&g->rs, 0.2, 2), vm->vcpus);
                vm->io_Bps = gr_range(&g->rs, 0.2, 2) * GR_MB;
            } else if (light < 7) {
                vm->type = BAL_TYPE_IO;
                vm->vcpus = 1 + (uint32_t)gr_below(&g->rs, 2);
                vm->cpu = gr_range(&g->rs, 0.05, 0.2);
                vm->io_Bps = gr_range(&g->rs, 1, 20) * GR_MB;
            } else {
                vm->type = BAL_TYPE_IDLE;
                gr_idle(g, vm);
            }
        }
        gr_mem_mib(vm, kind[v] == LIGHT ? (2 + gr_below(&g->rs, 7)) * (int64_t)GR_GIB
                                        : (8 + gr_below(&g->rs, 25)) * (int64_t)GR_GIB);
    }
    for (h = 0; h < g->nh; h++) hosts[h] = h;
    gr_shuffle(&g->rs, hosts, g->nh);
    /* Each heavy type on as few hosts as memory allows, from a fresh host. */
    for (k = 0; k < 3; k++) {
        bool any = false;

        for (v = 0; v < n; v++)
            if (kind[v] == k) {
                gr_pile(g, v, hosts, &next);
                any = true;
            }
        if (any && next < g->nh) next++;
    }
    for (v = 0; v < n; v++)
        if (kind[v] == LIGHT) gr_put_random(g, v);
    free(kind);
    return 0;
}

/* ---- the end: memory, heavy ------------------------------------------------ */

static inline int gr_cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median host's pCPUs and path: what "typical" means for heavy. */
static inline int gr_typical(const bal__pl_input *in, double *pcpus, double *disk)
{
    double *a = malloc(((size_t)in->nhosts + 1) * sizeof(double));
    int h, m = (in->nhosts - 1) / 2;

    if (!a) return -1;
    for (h = 0; h < in->nhosts; h++) a[h] = in->hosts[h].pcpus;
    qsort(a, (size_t)in->nhosts, sizeof(double), gr_cmp_d);
    *pcpus = a[m];
    for (h = 0; h < in->nhosts; h++) a[h] = in->hosts[h].disk_Bps;
    qsort(a, (size_t)in->nhosts, sizeof(double), gr_cmp_d);
    *disk = a[m];
    free(a);
    return 0;
}

static inline int gr_finish(gr_gen *g)
{
    double tp, td;
    int h, v;

    if (gr_typical(g->in, &tp, &td)) return -1;
    for (h = 0; h < g->nh; h++)
        g->in->hosts[h].free_kb = gr_room(g, h) * 1024;
    for (v = 0; v < g->nv; v++) {
        bal__pl_vm *vm = &g->in->vms[v];
        double c = fmin(vm->cpu, vm->vcpus) / tp, d = vm->io_Bps / td;

        vm->heavy = vm->type == BAL_TYPE_CPU ? c >= GR_HEAVY :
                    vm->type == BAL_TYPE_IO ? d >= GR_HEAVY :
                    vm->type == BAL_TYPE_MIXED ? fmax(c, d) >= GR_HEAVY : false;
    }
    return 0;
}

/* Fills in (bal__pl_input_init'd and empty) with the regime's cluster of
 * nhosts hosts and nvms VMs, the same for the same seed.  Names are in
 * in->owned: bal__pl_input_dispose frees everything, also after a
 * failure.  0, or -1 (an unknown regime, nhosts < 1, nvms < 0, out of
 * memory). */
static inline int gr_generate(const char *regime, int nhosts, int nvms,
                              uint64_t seed, bal__pl_input *in)
{
    gr_gen g;
    int k = gr_regime_index(regime), rc = -1;

    memset(&g, 0, sizeof(g));
    if (k < 0 || nhosts < 1 || nvms < 0 || in->nhosts || in->nvms) return -1;
    g.in = in;
    g.nh = nhosts;
    g.nv = nvms;
    g.rs = seed * 0x2545f4914f6cdd1dull + (uint64_t)k * 0x632be59bd9b4e019ull + 1;
    if (gr_alloc(&g)) goto out;
    switch (k) {
    case 0: gr_htools(&g); break;
    case 1: gr_load_regime(&g, 0.5); break;
    case 2: gr_load_regime(&g, 0.95); break;
    case 3: gr_load_regime(&g, 1.5); break;
    case 4: gr_hetero(&g); break;
    case 5: if (gr_memtight(&g)) goto out; break;
    default: if (gr_piled(&g)) goto out; break;
    }
    if (gr_finish(&g)) goto out;
    /* The dom0 costs of hosts like these, not of the paper's 2010 one
     * (the planner's defaults): see "What every regime shares". */
    in->params.iocpu = in->params.dom0cpu = GR_IOCPU;
    in->params.migcpu = GR_MIGCPU;
    rc = 0;
out:
    free(g.total_mib);
    free(g.used_mib);
    free(g.scratch);
    return rc;
}

/* ---- placements ------------------------------------------------------------- */

/* Moves every VM v to place[v], free_kb following.  -1 (in untouched)
 * when a host would end with negative free memory or a host index is
 * out of range. */
static inline int gr_apply_placement(bal__pl_input *in, const int *place)
{
    int64_t *fr = malloc(((size_t)in->nhosts + 1) * sizeof(int64_t));
    int h, v, rc = -1;

    if (!fr) return -1;
    for (h = 0; h < in->nhosts; h++) fr[h] = in->hosts[h].free_kb;
    for (v = 0; v < in->nvms; v++) {
        int from = in->vms[v].host, to = place[v];

        if (to < 0 || to >= in->nhosts) goto out;
        if (to == from) continue;
        fr[from] += (int64_t)in->vms[v].mem_kb;
        fr[to] -= (int64_t)in->vms[v].mem_kb;
    }
    for (h = 0; h < in->nhosts; h++)
        if (fr[h] < 0) goto out;
    for (h = 0; h < in->nhosts; h++) in->hosts[h].free_kb = fr[h];
    for (v = 0; v < in->nvms; v++) in->vms[v].host = place[v];
    rc = 0;
out:
    free(fr);
    return rc;
}

typedef struct gr_name {
    const char *name;
    int idx;
} gr_name;

static inline int gr_cmp_name(const void *a, const void *b)
{
    return strcmp(((const gr_name *)a)->name, ((const gr_name *)b)->name);
}

static inline int gr_find(const gr_name *t, int n, const char *name)
{
    gr_name key = { name, -1 };
    const gr_name *hit = n ? bsearch(&key, t, (size_t)n, sizeof(*t), gr_cmp_name)
                           : NULL;

    return hit ? hit->idx : -1;
}

/* hbal's saved cluster (-S SAVE gives SAVE.balanced): each instance's
 * primary node, by name, applied as gr_apply_placement does.  -1 (in
 * untouched) when the file cannot be read, names a VM or node in does
 * not have, leaves out a VM, or does not fit in memory. */
static inline int gr_apply_hbal_placement(bal__pl_input *in,
                                          const char *balanced_path)
{
    gr_name *hn = NULL, *vn = NULL;
    int *place = NULL, *seen = NULL, h, v, section = 0, rc = -1, nseen = 0;
    char *line = NULL;
    size_t cap = 0;
    FILE *f = fopen(balanced_path, "r");

    if (!f) goto out;
    hn = malloc(((size_t)in->nhosts + 1) * sizeof(*hn));
    vn = malloc(((size_t)in->nvms + 1) * sizeof(*vn));
    place = malloc(((size_t)in->nvms + 1) * sizeof(int));
    seen = calloc((size_t)in->nvms + 1, sizeof(int));
    if (!hn || !vn || !place || !seen) goto out;
    for (h = 0; h < in->nhosts; h++) hn[h] = (gr_name){ in->hosts[h].name, h };
    for (v = 0; v < in->nvms; v++) vn[v] = (gr_name){ in->vms[v].name, v };
    qsort(hn, (size_t)in->nhosts, sizeof(*hn), gr_cmp_name);
    qsort(vn, (size_t)in->nvms, sizeof(*vn), gr_cmp_name);
    /* Sections: groups, nodes, instances, ... separated by one empty
     * line; an instance is name|mem|disk|vcpus|status|auto|pnode|... */
    while (getline(&line, &cap, f) >= 0) {
        char *fld[8], *p = line;
        int k;

        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) {
            section++;
            continue;
        }
        if (section != 2) continue;
        for (k = 0; k < 8 && p; k++) {
            fld[k] = p;
            p = strchr(p, '|');
            if (p) *p++ = '\0';
        }
        if (k < 7) goto out;
        v = gr_find(vn, in->nvms, fld[0]);
        h = gr_find(hn, in->nhosts, fld[6]);
        if (v < 0 || h < 0 || seen[v]) goto out;
        seen[v] = 1;
        nseen++;
        place[v] = h;
    }
    if (ferror(f) || nseen != in->nvms) goto out;
    rc = gr_apply_placement(in, place);
out:
    if (f) fclose(f);
    free(line);
    free(hn);
    free(vn);
    free(place);
    free(seen);
    return rc;
}

/* ---- writers ------------------------------------------------------------- */

static inline void gr_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static inline const char *gr_bool(bool b)
{
    return b ? "true" : "false";
}

/* The planner's input as doc/planner.md "JSON" documents it: every host
 * and VM field (weights aside: not in the format) and the model's
 * parameters, so that bal__pl_input_parse_json reads back the same
 * input.  The search's own tuning parameters (margin, search_k, ...:
 * being reworked with the search) are left to the reader's defaults,
 * which is what a generated input holds.  Numbers in %.17g, which reads
 * back exactly; the C locale is assumed (no caller sets another). */
static inline int gr_write_json(const bal__pl_input *in, FILE *f)
{
    static const char *const tn[] = { "idle", "cpu", "io", "mixed" };
    const bal__pl_params *p = &in->params;
    int h, v, i, first = 1;

    fprintf(f, "{\n  \"params\": { \"now_s\": %.17g, \"horizon_s\": %.17g, "
            "\"max_moves\": %d, \"max_per_host\": %d, \"max_per_link\": %d, "
            "\"migcpu\": %.17g, \"rtt_ms\": %.17g, \"stop_bytes\": %.17g, "
            "\"resume_s\": %.17g, \"max_rounds\": %d, \"iocpu\": %.17g, "
            "\"dom0cpu\": %.17g, \"reqsize\": %.17g, \"pingpong_s\": %.17g "
            "},\n  \"hosts\": [\n",
            p->now_s, p->horizon_s, p->max_moves, p->max_per_host,
            p->max_per_link, p->migcpu, p->rtt_ms, p->stop_bytes, p->resume_s,
            p->max_rounds, p->iocpu, p->dom0cpu, p->reqsize, p->pingpong_s);
    for (h = 0; h < in->nhosts; h++) {
        const bal__pl_host *hp = &in->hosts[h];

        fprintf(f, "    { \"name\": ");
        gr_json_str(f, hp->name);
        fprintf(f, ", \"pcpus\": %u, \"disk_Bps\": %.17g, \"disk_iops\": %.17g, "
                "\"net_Bps\": %.17g, \"free_kb\": %lld, \"drained\": %s, "
                "\"storage_mask\": %u }%s\n", hp->pcpus, hp->disk_Bps,
                hp->disk_iops, hp->net_Bps, (long long)hp->free_kb,
                gr_bool(hp->drained), hp->storage_mask,
                h + 1 < in->nhosts ? "," : "");
    }
    fprintf(f, "  ],\n  \"vms\": [\n");
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        fprintf(f, "    { \"uuid\": ");
        gr_json_str(f, vm->uuid);
        fprintf(f, ", \"name\": ");
        gr_json_str(f, vm->name);
        fprintf(f, ", \"host\": ");
        gr_json_str(f, in->hosts[vm->host].name);
        fprintf(f, ", \"type\": \"%s\", \"heavy\": %s, \"cpu\": %.17g, ",
                tn[vm->type & 3], gr_bool(vm->heavy), vm->cpu);
        if (isinf(vm->io_Bps)) fprintf(f, "\"io_Bps\": \"max\"");
        else fprintf(f, "\"io_Bps\": %.17g", vm->io_Bps);
        fprintf(f, ", \"vcpus\": %u, \"mem_kb\": %llu, \"dirty_Bps\": %.17g, "
                "\"remaining_s\": %.17g, \"pinned\": %s, \"anti_group\": %d, "
                "\"storage_mask\": %u, \"cooldown_until_s\": %.17g }%s\n",
                vm->vcpus, (unsigned long long)vm->mem_kb, vm->dirty_Bps,
                vm->remaining_s, gr_bool(vm->pinned), vm->anti_group,
                vm->storage_mask, vm->cooldown_until_s,
                v + 1 < in->nvms ? "," : "");
    }
    fprintf(f, "  ]");
    /* Links that differ from the default one (a link is both ways). */
    if (p->links) {
        double def = bal__pl_link_from_rtt(p->rtt_ms);

        fprintf(f, ",\n  \"links\": [");
        for (i = 0; i < p->nlinks; i++) {
            const bal__pl_pair *l = &p->links[i];

            if (l->from >= l->to || l->Bps == def) continue;
            fprintf(f, "%s\n    { \"from\": ", first ? "" : ",");
            gr_json_str(f, in->hosts[l->from].name);
            fprintf(f, ", \"to\": ");
            gr_json_str(f, in->hosts[l->to].name);
            fprintf(f, ", \"Bps\": %.17g }", l->Bps);
            first = 0;
        }
        fprintf(f, "\n  ]");
    }
    if (in->nhistory) {
        fprintf(f, ",\n  \"history\": [");
        for (i = 0; i < in->nhistory; i++) {
            const bal__pl_history *e = &in->history[i];

            fprintf(f, "%s\n    { \"uuid\": ", i ? "," : "");
            gr_json_str(f, e->uuid);
            fprintf(f, ", \"from\": ");
            gr_json_str(f, e->from);
            fprintf(f, ", \"to\": ");
            gr_json_str(f, e->to);
            fprintf(f, ", \"time_s\": %.17g }", e->time_s);
        }
        fprintf(f, "\n  ]");
    }
    fprintf(f, "\n}\n");
    return ferror(f) ? -1 : 0;
}

#define GR_GROUP_UUID "00000000-0000-4000-8000-00000000ffff"

/* The cluster in hbal's text format (htools(1); Ganeti's
 * src/Ganeti/HTools/Backend/Text.hs): a node's memory is dom0's
 * GR_DOM0_MIB + its free memory + its instances', so that hbal sees
 * exactly free_kb free (and nothing unaccounted); drained hosts are
 * offline (htools' own reading of drained); heavy VMs carry the
 * exclusion tags load:cpu / load:io (a mixed one both), the cluster tag
 * htools:iextags:load turns them on; disk template sharedfile, so every
 * instance may migrate to any node; pinned VMs are not auto-balanced;
 * an instance policy whose max spec admits every VM and whose vCPU
 * ratio could hold every VM on the smallest node, so neither blocks a
 * move. */
static inline int gr_write_hbal(const bal__pl_input *in, FILE *f)
{
    int64_t *used = calloc((size_t)in->nhosts + 1, sizeof(int64_t));
    int64_t maxmem = 128;
    uint32_t maxcpus = 1, minp = UINT32_MAX;
    double allcpus = 1;
    int h, v, master = -1;

    if (!used) return -1;
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        used[vm->host] += gr_mib(vm);
        if (gr_mib(vm) > maxmem) maxmem = gr_mib(vm);
        if (vm->vcpus > maxcpus) maxcpus = vm->vcpus;
        allcpus += vm->vcpus;
    }
    fprintf(f, "default|%s|preferred||\n\n", GR_GROUP_UUID);
    for (h = 0; h < in->nhosts; h++) {
        const bal__pl_host *hp = &in->hosts[h];
        int64_t free_mib = hp->free_kb / 1024;
        char role = hp->drained ? 'Y' : master < 0 ? 'M' : 'N';

        if (role == 'M') master = h;
        if (hp->pcpus < minp) minp = hp->pcpus;
        fprintf(f, "%s|%lld|%d|%lld|10485760|10485760|%u|%c|%s|1||N|0|1|1.0\n",
                hp->name, (long long)(GR_DOM0_MIB + free_mib + used[h]),
                GR_DOM0_MIB, (long long)free_mib, hp->pcpus, role, GR_GROUP_UUID);
    }
    fputc('\n', f);
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];
        const char *tag = "";

        if (vm->heavy)
            tag = vm->type == BAL_TYPE_CPU ? "load:cpu" :
                  vm->type == BAL_TYPE_IO ? "load:io" :
                  vm->type == BAL_TYPE_MIXED ? "load:cpu,load:io" : "";
        fprintf(f, "%s|%lld|10240|%u|running|%c|%s||sharedfile|%s|1|-|N\n",
                vm->name, (long long)gr_mib(vm), vm->vcpus,
                vm->pinned ? 'N' : 'Y', in->hosts[vm->host].name, tag);
    }
    fprintf(f, "\nhtools:iextags:load\n\n");
    /* mem,cpus,disk,disk_count,nic_count,spindle_use: std|min;max. */
    for (h = 0; h < 2; h++)
        fprintf(f, "%s|128,1,1024,1,0,0|1,1,1,0,0,0;%lld,%u,10240,16,8,12|"
                "sharedfile|%.1f|1024.0\n", h ? "default" : "",
                (long long)maxmem, maxcpus,
                ceil(allcpus / (minp == UINT32_MAX ? 1 : minp)) + 1);
    free(used);
    return ferror(f) ? -1 : 0;
}

/* hbal's -U file: "name cpu mem disk net", one space apart.  cpu: the
 * pCPUs it wants (min(cpu, vcpus)); disk: the MB/s it wants, capped at
 * the cluster's largest path (hbal only needs each metric in consistent
 * units: it balances their sums over nodes and knows no node's size);
 * mem and net 0 (memory is in the node data, the network is not
 * modelled).  Plain decimals: Ganeti reads them with Haskell's read. */
static inline int gr_write_hbal_util(const bal__pl_input *in, FILE *f)
{
    double maxdisk = 0;
    int h, v;

    for (h = 0; h < in->nhosts; h++)
        if (in->hosts[h].disk_Bps > maxdisk) maxdisk = in->hosts[h].disk_Bps;
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        fprintf(f, "%s %.6f 0.000000 %.6f 0.000000\n", vm->name,
                fmin(vm->cpu, vm->vcpus), fmin(vm->io_Bps, maxdisk) / GR_MB);
    }
    return ferror(f) ? -1 : 0;
}

#endif /* BAL_GEN_REGIMES_H */
