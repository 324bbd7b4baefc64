/*
 * sim.c - the simulated cluster's contention model (see sim.h and
 * doc/scenario-format.md, "The model").
 *
 * A step looks at one host at a time; step_host's numbered comments are
 * these stages (5 and 6 are noise and the counters):
 *
 *   1. disk: the host's path capacity, min(disk, iops * reqsize), is
 *      shared max-min fairly among its VMs' I/O demands;
 *   2. network: the NIC, each direction, likewise (when it has a limit);
 *   3. CPU: every domain - each VM, and dom0, which runs the block
 *      backends - wants CPU; the host's pCPUs are shared max-min fairly
 *      per domain (Xen's credit scheduler weighs domains, 256 each by
 *      default, not vCPUs);
 *   4. starvation: a VM that got only a fraction of the CPU it wanted
 *      runs its CPU work and issues its I/O that much slower; a starved
 *      dom0 slows every guest's I/O on the host alike.
 *
 * It is a steady state per step, not a fixed point: what a starved VM
 * leaves of its disk share, or of the CPU its slowed I/O no longer costs,
 * is not handed to the others within the step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MB 1e6              /* iocpu and dom0cpu are per 10^6 bytes */

typedef struct wf_pair {
    double d;
    int i;
} wf_pair;

struct bal__sim {
    const bal__scenario *scn;
    uint64_t time_ns;
    uint64_t steps;             /* taken so far: the noise's step number */
    bal__sim_host *hosts;
    bal__sim_vm *vms;
    /* The VMs of host h are order[first[h] .. first[h + 1]), file order:
     * rebuilt whenever a VM changes host. */
    int *first, *order;
    int maxn;                   /* most VMs on one host */
    /* Scratch for one host: maxn + 1 entries (the VMs, then dom0). */
    double *dem, *ioa, *cpa, *txa, *rxa;
    wf_pair *pairs;
};

/* ---- max-min fair share ------------------------------------------------ */

static int pair_cmp(const void *a, const void *b)
{
    double x = ((const wf_pair *)a)->d, y = ((const wf_pair *)b)->d;

    return x < y ? -1 : x > y;
}

/* Water-filling: alloc[i] = min(dem[i], level), the level chosen so that
 * the allocations add up to cap, or everyone gets its demand when the
 * demands fit.  Demands may be INFINITY ("as much as it can get"). */
static void waterfill(double cap, const double *dem, double *alloc, int n,
                      wf_pair *pr)
{
    double sum = 0, left = cap;
    int i, k;

    for (i = 0; i < n; i++) sum += dem[i];
    if (sum <= cap) {
        memcpy(alloc, dem, (size_t)n * sizeof(*dem));
        return;
    }
    for (i = 0; i < n; i++) {
        pr[i].d = dem[i];
        pr[i].i = i;
    }
    /* Hosts have a handful of domains: insertion sort beats qsort there. */
    if (n <= 16) {
        for (i = 1; i < n; i++) {
            wf_pair x = pr[i];

            for (k = i; k > 0 && pr[k - 1].d > x.d; k--) pr[k] = pr[k - 1];
            pr[k] = x;
        }
    } else {
        qsort(pr, (size_t)n, sizeof(*pr), pair_cmp);
    }
    /* The smallest demands are met in full while they are under an equal
     * split of what is left; the rest all get that split. */
    for (k = 0; k < n; k++) {
        double share = left / (n - k);

        if (pr[k].d > share) {
            for (; k < n; k++) alloc[pr[k].i] = share;
            break;
        }
        alloc[pr[k].i] = pr[k].d;
        left -= pr[k].d;
    }
}

/* ---- noise -------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

enum { N_CPU, N_IO, N_NET, N_KINDS };

/* A factor in [1 - noise, 1 + noise] for (step, domain, kind): a hash
 * (splitmix64) rather than a stream, so the draw does not depend on the
 * order hosts and VMs are visited in.  id: a VM's index, or nvms + host
 * for a dom0. */
static double noise_factor(const bal__sim *sim, uint64_t id, int kind)
{
    double noise = sim->scn->opt.noise, u;
    uint64_t z;

    if (noise == 0) return 1;
    z = mix64(sim->scn->opt.seed + 0x9e3779b97f4a7c15ull * (sim->steps + 1));
    z = mix64(z ^ (id * N_KINDS + (uint64_t)kind));
    u = (double)(z >> 11) * 0x1.0p-53;          /* [0, 1) */
    return 1 + noise * (2 * u - 1);
}

/* ---- set-up ------------------------------------------------------------- */

/* Groups the VMs by their current host (a counting sort: O(n)), keeping
 * file order within a host. */
static void rebuild_index(bal__sim *sim)
{
    int nh = sim->scn->nhosts, nv = sim->scn->nvms, h, i;
    int *first = sim->first;

    memset(first, 0, (size_t)(nh + 1) * sizeof(*first));
    for (i = 0; i < nv; i++) first[sim->vms[i].host + 1]++;
    sim->maxn = 0;
    for (h = 0; h < nh; h++) {
        if (first[h + 1] > sim->maxn) sim->maxn = first[h + 1];
        first[h + 1] += first[h];       /* first[h + 1]: end of bucket h */
    }
    /* From the back, so each bucket fills in file order; this walks
     * first[h + 1] down to the start of bucket h. */
    for (i = nv - 1; i >= 0; i--)
        sim->order[--first[sim->vms[i].host + 1]] = i;
    for (h = 0; h < nh; h++) first[h] = first[h + 1];
    first[nh] = nv;
}

int bal__sim_alloc(bal__sim **out, const bal__scenario *scn)
{
    bal__sim *sim = NULL;
    size_t nh, nv, ns;
    int i, rc;

    if (!out || !scn || scn->nhosts <= 0) return BAL_EINVAL;
    nh = (size_t)scn->nhosts;
    nv = (size_t)scn->nvms;

    sim = calloc(1, sizeof(*sim));
    if (!sim) { rc = BAL_ENOMEM; goto out; }
    sim->scn = scn;
    sim->hosts = calloc(nh, sizeof(*sim->hosts));
    sim->vms = calloc(nv ? nv : 1, sizeof(*sim->vms));
    sim->first = calloc(nh + 1, sizeof(*sim->first));
    sim->order = calloc(nv ? nv : 1, sizeof(*sim->order));
    if (!sim->hosts || !sim->vms || !sim->first || !sim->order) {
        rc = BAL_ENOMEM;
        goto out;
    }

    /* Domids as xl would hand them out booting the file's VMs in order:
     * 1, 2, ... on each host; dom0 is 0. */
    for (i = 0; i < scn->nhosts; i++) sim->hosts[i].next_domid = 1;
    for (i = 0; i < scn->nvms; i++) {
        bal__sim_vm *v = &sim->vms[i];

        v->host = scn->vms[i].host;
        v->domid = sim->hosts[v->host].next_domid++;
        v->run = 1;
    }
    rebuild_index(sim);

    ns = (size_t)sim->maxn + 1;
    sim->dem = calloc(ns, sizeof(*sim->dem));
    sim->ioa = calloc(ns, sizeof(*sim->ioa));
    sim->cpa = calloc(ns, sizeof(*sim->cpa));
    sim->txa = calloc(ns, sizeof(*sim->txa));
    sim->rxa = calloc(ns, sizeof(*sim->rxa));
    sim->pairs = calloc(ns, sizeof(*sim->pairs));
    if (!sim->dem || !sim->ioa || !sim->cpa || !sim->txa || !sim->rxa ||
        !sim->pairs) {
        rc = BAL_ENOMEM;
        goto out;
    }

    *out = sim;
    sim = NULL;
    rc = 0;

out:
    bal__sim_free(sim);
    return rc;
}

void bal__sim_free(bal__sim *sim)
{
    if (!sim) return;
    free(sim->hosts);
    free(sim->vms);
    free(sim->first);
    free(sim->order);
    free(sim->dem);
    free(sim->ioa);
    free(sim->cpa);
    free(sim->txa);
    free(sim->rxa);
    free(sim->pairs);
    free(sim);
}

/* ---- one step ------------------------------------------------------------ */

/* The bytes/s a host's disk path moves: its bandwidth, or what its iops
 * allow at the modelled request size when that is less. */
static double path_Bps(const bal__scenario *scn, const bal__scn_host *sh)
{
    double c = sh->disk_Bps;

    if (sh->disk_iops > 0 && sh->disk_iops * (double)scn->opt.reqsize < c)
        c = sh->disk_iops * (double)scn->opt.reqsize;
    return c;
}

/* Scales x[0..n) down so that they add up to at most cap. */
static void cap_sum(double *x, int n, double cap)
{
    double sum = 0;
    int i;

    for (i = 0; i < n; i++) sum += x[i];
    if (sum > cap && sum > 0)
        for (i = 0; i < n; i++) x[i] *= cap / sum;
}

static void step_host(bal__sim *sim, int h, double dt)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_host *sh = &scn->hosts[h];
    bal__sim_host *st = &sim->hosts[h];
    const int *vm = sim->order + sim->first[h];
    int n = sim->first[h + 1] - sim->first[h], i;
    double pcpus = sh->pcpus, io_sum = 0, dom0_want, dom0_run, f;
    /* Reused scratch: ioa, txa, rxa stay allocations; dem is the demand of
     * each stage; cpa the CPU allocation, then the CPU used. */
    double *dem = sim->dem, *ioa = sim->ioa, *cpa = sim->cpa;
    double *txa = sim->txa, *rxa = sim->rxa;

    /* 1. Disk path: each VM's demand (INFINITY for "as fast as it can"),
     *    water-filled over the path's capacity. */
    for (i = 0; i < n; i++) dem[i] = scn->vms[vm[i]].io_Bps;
    waterfill(path_Bps(scn, sh), dem, ioa, n, sim->pairs);

    /* 2. NIC, each direction: shared the same way; no limit given, every
     *    VM gets its demand. */
    for (i = 0; i < n; i++) dem[i] = scn->vms[vm[i]].net_tx_Bps;
    if (sh->net_Bps > 0) waterfill(sh->net_Bps, dem, txa, n, sim->pairs);
    else memcpy(txa, dem, (size_t)n * sizeof(*dem));
    for (i = 0; i < n; i++) dem[i] = scn->vms[vm[i]].net_rx_Bps;
    if (sh->net_Bps > 0) waterfill(sh->net_Bps, dem, rxa, n, sim->pairs);
    else memcpy(rxa, dem, (size_t)n * sizeof(*dem));

    /* 3. CPU demand of each domain, capped at what its vCPUs can run:
     *    VM:   cpu * vcpus           its own computation
     *        + iocpu * io / MB       its guest side of the I/O it got
     *                                (blkfront, file system, copies)
     *    dom0: dom0cpu * sum(io)/MB  the backends serving that I/O
     *                                (blkback, the iSCSI initiator)
     *    dom0 has as many vCPUs as the host has pCPUs. */
    for (i = 0; i < n; i++) {
        const bal__scn_vm *v = &scn->vms[vm[i]];

        dem[i] = fmin(v->vcpus, v->cpu * v->vcpus + v->iocpu * ioa[i] / MB);
        io_sum += ioa[i];
    }
    dom0_want = sh->dom0cpu * io_sum / MB;
    dem[n] = fmin(pcpus, dom0_want);
    waterfill(pcpus, dem, cpa, n + 1, sim->pairs);

    /* 4. Starvation.  run = CPU got / CPU wanted (before the vCPU cap:
     *    a VM that wants more than its vCPUs can run is starved by them).
     *    A VM at run r does its computation at r of the demanded rate and
     *    issues its I/O at r of its disk share; dom0 at run r0 serves all
     *    I/O at r0 of the rate, so a guest's I/O goes at min(r, r0) of
     *    its share.  The CPU used follows from the work actually done. */
    dom0_run = dom0_want > 0 ? fmin(1, cpa[n] / dom0_want) : 1;
    io_sum = 0;
    for (i = 0; i < n; i++) {
        const bal__scn_vm *v = &scn->vms[vm[i]];
        bal__sim_vm *s = &sim->vms[vm[i]];
        double want = v->cpu * v->vcpus + v->iocpu * ioa[i] / MB;
        double run = want > 0 ? fmin(1, cpa[i] / want) : 1;

        s->run = run;
        ioa[i] *= fmin(run, dom0_run);
        cpa[i] = v->cpu * v->vcpus * run + v->iocpu * ioa[i] / MB;
        io_sum += ioa[i];
    }
    cpa[n] = sh->dom0cpu * io_sum / MB;

    /* 5. Noise: each domain's CPU, disk and network rates times a seeded
     *    factor in [1 - noise, 1 + noise], then held to the vCPUs, and
     *    each host total to its capacity, so no counter ever shows more
     *    than the hardware could do. */
    for (i = 0; i < n; i++) {
        uint64_t id = (uint64_t)vm[i];

        cpa[i] = fmin(cpa[i] * noise_factor(sim, id, N_CPU),
                      scn->vms[vm[i]].vcpus);
        ioa[i] *= noise_factor(sim, id, N_IO);
        f = noise_factor(sim, id, N_NET);
        txa[i] *= f;
        rxa[i] *= f;
    }
    cpa[n] = fmin(cpa[n] * noise_factor(sim, (uint64_t)scn->nvms + (uint64_t)h,
                                        N_CPU), pcpus);
    cap_sum(cpa, n + 1, pcpus);
    cap_sum(ioa, n, path_Bps(scn, sh));
    if (sh->net_Bps > 0) {
        cap_sum(txa, n, sh->net_Bps);
        cap_sum(rxa, n, sh->net_Bps);
    }

    /* 6. Counters: rate * dt.  Writes are the VM's `write' fraction of
     *    its I/O. */
    io_sum = 0;
    for (i = 0; i < n; i++) {
        const bal__scn_vm *v = &scn->vms[vm[i]];
        bal__sim_vm *s = &sim->vms[vm[i]];

        s->cpu = cpa[i];
        s->io_Bps = ioa[i];
        s->tx_Bps = txa[i];
        s->rx_Bps = rxa[i];
        s->cpu_s += cpa[i] * dt;
        s->wr_bytes += ioa[i] * v->write * dt;
        s->rd_bytes += ioa[i] * (1 - v->write) * dt;
        s->tx_bytes += txa[i] * dt;
        s->rx_bytes += rxa[i] * dt;
        io_sum += ioa[i];
    }
    st->dom0_cpu = cpa[n];
    st->dom0_cpu_s += cpa[n] * dt;
    st->io_Bps = io_sum;
}

void bal__sim_step(bal__sim *sim, uint64_t dt_ns)
{
    double dt = (double)dt_ns / 1e9;
    int h;

    for (h = 0; h < sim->scn->nhosts; h++) step_host(sim, h, dt);
    sim->time_ns += dt_ns;
    sim->steps++;
}

int bal__sim_advance(bal__sim *sim, double seconds)
{
    uint64_t total, step, n, k;

    if (!sim || !isfinite(seconds) || seconds < 0) return BAL_EINVAL;
    if (seconds > 1e9) return BAL_ERANGE;
    total = (uint64_t)llround(seconds * 1e9);
    step = (uint64_t)llround(sim->scn->opt.interval_s * 1e9);
    if (!step) step = 1;
    n = (total + step - 1) / step;
    /* n equal steps; the remainder's nanoseconds go one each to the first
     * steps, so the clock lands on exactly total. */
    for (k = 0; k < n; k++)
        bal__sim_step(sim, total / n + (k < total % n ? 1 : 0));
    return 0;
}

/* ---- reading it back ------------------------------------------------------ */

uint64_t bal__sim_time_ns(const bal__sim *sim)
{
    return sim->time_ns;
}

const bal__scenario *bal__sim_scenario(const bal__sim *sim)
{
    return sim->scn;
}

const bal__sim_vm *bal__sim_vm_state(const bal__sim *sim, int vm)
{
    return vm >= 0 && vm < sim->scn->nvms ? &sim->vms[vm] : NULL;
}

const bal__sim_host *bal__sim_host_state(const bal__sim *sim, int host)
{
    return host >= 0 && host < sim->scn->nhosts ? &sim->hosts[host] : NULL;
}

/* Cumulative double to a Xen counter: whole units, rounded down; held at
 * the top rather than converted out of range (undefined in C). */
static uint64_t ctr(double x)
{
    if (!(x > 0)) return 0;
    if (x >= 18446744073709551615.0) return UINT64_MAX;
    return (uint64_t)x;
}

static int sample_host(const bal__sim *sim, int h, bal__sample *out)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_host *sh = &scn->hosts[h];
    const bal__sim_host *st = &sim->hosts[h];
    int n = sim->first[h + 1] - sim->first[h], i, rc;
    double reqsize = (double)scn->opt.reqsize;
    uint64_t used = sh->dom0_mem_bytes;
    bal__host *hs;
    bal__dom *d;

    rc = bal__sample_add_host(out, &hs);
    if (rc) return rc;
    hs->doms = calloc((size_t)n + 1, sizeof(*hs->doms));
    if (!hs->doms) {
        out->nhosts--;
        return BAL_ENOMEM;
    }
    hs->adoms = hs->ndoms = n + 1;

    snprintf(hs->name, sizeof(hs->name), "%s", sh->name);
    hs->time_ns = sim->time_ns;
    hs->pcpus = sh->pcpus;
    hs->cpu_hz = (uint64_t)sh->cpu_hz;
    hs->mem_kb = sh->mem_bytes / 1024;
    /* The simulator knows its hardware: capacities are reported. */
    hs->disk_Bps = sh->disk_Bps;
    hs->disk_iops = sh->disk_iops > 0 ? sh->disk_iops
                                      : sh->disk_Bps / reqsize;
    hs->net_Bps = sh->net_Bps;

    /* dom0: the all-zero UUID, as on a real host. */
    d = &hs->doms[0];
    strcpy(d->uuid, "00000000-0000-0000-0000-000000000000");
    strcpy(d->name, "Domain-0");
    d->domid = 0;
    d->vcpus = sh->pcpus;
    d->mem_kb = d->maxmem_kb = sh->dom0_mem_bytes / 1024;
    d->cpu_ns = ctr(st->dom0_cpu_s * 1e9);

    for (i = 0; i < n; i++) {
        int j = sim->order[sim->first[h] + i];
        const bal__scn_vm *v = &scn->vms[j];
        const bal__sim_vm *s = &sim->vms[j];

        d = &hs->doms[i + 1];
        memcpy(d->uuid, v->uuid, sizeof(d->uuid));
        snprintf(d->name, sizeof(d->name), "%s", v->name);
        d->domid = s->domid;
        d->vcpus = v->vcpus;
        d->mem_kb = d->maxmem_kb = v->mem_bytes / 1024;
        d->cpu_ns = ctr(s->cpu_s * 1e9);
        /* Sectors are 512 bytes; a request is reqsize bytes. */
        d->vbd_rd_sect = ctr(s->rd_bytes / 512);
        d->vbd_wr_sect = ctr(s->wr_bytes / 512);
        d->vbd_rd_reqs = ctr(s->rd_bytes / reqsize);
        d->vbd_wr_reqs = ctr(s->wr_bytes / reqsize);
        d->net_tx_bytes = ctr(s->tx_bytes);
        d->net_rx_bytes = ctr(s->rx_bytes);
        used += v->mem_bytes;
    }
    hs->free_kb = used < sh->mem_bytes ? (sh->mem_bytes - used) / 1024 : 0;
    return 0;
}

int bal__sim_sample(const bal__sim *sim, bool local_only, bal__sample *out)
{
    bal__sample s;
    int h, nh, rc;

    bal__sample_init(&s);
    if (!sim || !out) { rc = BAL_EINVAL; goto out; }
    nh = local_only ? 1 : sim->scn->nhosts;
    for (h = 0; h < nh; h++) {
        rc = sample_host(sim, h, &s);
        if (rc) goto out;
    }
    rc = bal__sample_append(out, &s);

out:
    bal__sample_dispose(&s);
    return rc;
}
