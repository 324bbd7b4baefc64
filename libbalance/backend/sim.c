/*
 * sim.c - the simulated cluster: contention, jobs and live migration (see
 * sim.h, doc/scenario-format.md "The model", doc/simulator-design.md).
 *
 * A step is cut into sub-steps at the events inside it (a job starting or
 * ending, a pre-copy round or a resume ending).  Within a sub-step every
 * rate is constant; compute_rates finds them in these stages:
 *
 *   1. demands: a VM loads the host while it runs (no job, or its job has
 *      started and not ended; each part of a job stops when done) and is
 *      not paused by its migration;
 *   2. disk: each host's path capacity, min(disk, iops * reqsize), shared
 *      max-min fairly among its VMs' I/O demands;
 *   3. network: each host's NIC, each direction, shared the same way by its
 *      VMs' traffic and the migration streams leaving (tx) or reaching (rx)
 *      it; a stream is also capped by its share of the pair's link;
 *   4. CPU: every domain wants CPU; the host's pCPUs are shared max-min
 *      fairly per domain (Xen's credit scheduler weighs domains, 256 each
 *      by default, not vCPUs).  dom0's demand is the sum of its tasks: one
 *      block backend per guest (dom0cpu x that guest's disk share) and one
 *      per migration end (migcpu x what the stream could send); what dom0
 *      gets is shared max-min among those tasks in turn (dom0's kernel
 *      schedules its threads and processes, not Xen);
 *   5. a stream sends at min(its network cap, its source task's CPU /
 *      migcpu, its destination task's CPU / migcpu); then dom0's demand is
 *      recomputed with what the streams really send and the hosts at their
 *      ends shared again, so CPU a stream cannot use goes to the others;
 *   6. starvation: a VM that got a fraction of the CPU it wanted computes
 *      and issues its I/O that much slower; a backend that got a fraction
 *      of what it wanted serves its guest's I/O that much slower;
 *   7. noise on every domain's rates (not on the streams), held to the
 *      hardware.
 * Then commit moves the counters, jobs and migrations on by the sub-step.
 *
 * It is a steady state per sub-step, not a fixed point: what a starved VM
 * leaves of its disk share, or of the CPU its slowed I/O no longer costs,
 * is not handed to the others within the sub-step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "sim.h"
#include "base/precopy.h"
#include "base/waterfill.h"

#define MB 1e6              /* iocpu, dom0cpu and migcpu are per 10^6 bytes */
/* A wave that has not ended after this much simulated time never will. */
#define WAVE_MAX_S 1e8

enum { PH_LIVE, PH_LAST, PH_RESUME };

/* A migration under way. */
typedef struct mig {
    int vm, from, to;
    int slot;               /* its index in the wave's results */
    uint32_t domid;         /* the incoming domain's, on `to' */
    int phase;
    int iter;               /* libxc's iteration counter x: live rounds */
    bool stop_after;        /* the policy chose to pause after this round:
                             * it is the last live one */
    double left;            /* bytes left of this round (PH_LIVE, PH_LAST)
                             * or seconds left of the resume (PH_RESUME) */
    double dirty;           /* bytes dirtied since this round began */
    double bytes;           /* sent so far */
    double start_s, pause_s;
    double fail_after;      /* injected fault: fail past this; <0 none */
    int fail_rc;
    /* One sub-step's scratch. */
    double link;            /* its share of the pair's link */
    double nic_tx, nic_rx;  /* its share of the source's and dest's NIC */
    double cap;             /* min of the three */
    double grant[2];        /* CPU of its task in the source's, dest's dom0 */
    double rate;            /* bytes/s it sends */
} mig;

/* One VM's per-sub-step scratch. */
typedef struct vscr {
    bool on;                                  /* its workload runs */
    double cpu_dem, io_dem, tx_dem, rx_dem;   /* stage 1 */
    double ioa, txa, rxa;                     /* stages 2, 3 */
    double want, run, brun;                   /* stage 4: CPU wanted, the
                                               * fractions it and its
                                               * backend got */
    double cpu, comp, io, tx, rx;             /* stages 6, 7: used */
} vscr;

/* What the simulator keeps of a VM beyond bal__sim_vm. */
typedef struct vpriv {
    int mig;                /* index in migs, or -1 */
    unsigned wave;          /* the last wave naming it */
    double fail_after;      /* armed fault; <0 none */
    int fail_rc;
    uint64_t start_ns;      /* its job's start */
    bool cpu_left, io_left, net_left;   /* its job's parts still to do */
    double cpu_end_s, io_end_s, net_end_s;
    bal__timeline tl;       /* its points, when recording */
} vpriv;

struct bal__sim {
    const bal__scenario *scn;
    bal_ctx *ctx;
    uint64_t time_ns;
    uint64_t steps;             /* sub-steps so far: the noise's step number */
    bal__sim_host *hosts;
    bal__sim_vm *vms;
    vpriv *vp;
    vscr *vs;
    int njobs, jobs_left;
    /* The VMs of host h are order[first[h] .. first[h + 1]), by domid:
     * rebuilt whenever a VM changes host. */
    int *first, *order;
    int maxn;                   /* most VMs on one host */
    /* Migrations under way, and each host's ends of them: a list through
     * ep_next of endpoints e = 2 * mig + (0 source, 1 destination). */
    mig *migs;
    int nmigs, amigs;
    int *ep_head;               /* per host, -1: none */
    int *ep_next;               /* per endpoint */
    int aep;
    bal__move_result *results;  /* of the wave under way */
    double wave_start_s;
    unsigned wave;
    bal__sim_mig_rec *recs;
    int nrecs, arecs;
    bool record, show_incoming;
    /* Water-filling scratch for one host: scap entries each. */
    double *dem, *alloc, *tdem, *talloc;
    bal__wf_pair *pairs;
    int scap;
};

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

/* Groups the VMs by their current host (a counting sort: O(n)), by domid
 * within a host as xl lists them (file order until something moves). */
static void rebuild_index(bal__sim *sim)
{
    int nh = sim->scn->nhosts, nv = sim->scn->nvms, h, i, k;
    int *first = sim->first, *order = sim->order;

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
        order[--first[sim->vms[i].host + 1]] = i;
    for (h = 0; h < nh; h++) first[h] = first[h + 1];
    first[nh] = nv;
    /* By domid: an insertion sort, linear on the sorted buckets it
     * nearly always meets (only an arrival is out of place). */
    for (h = 0; h < nh; h++)
        for (i = first[h] + 1; i < first[h + 1]; i++) {
            int x = order[i];

            for (k = i; k > first[h] &&
                        sim->vms[order[k - 1]].domid > sim->vms[x].domid; k--)
                order[k] = order[k - 1];
            order[k] = x;
        }
}

/* Grows the water-filling scratch to hold n entries. */
static int ensure_scratch(bal__sim *sim, int n)
{
    int cap = sim->scap ? sim->scap : 8;
    double *p[4];
    bal__wf_pair *pr;
    int i;

    if (n <= sim->scap) return 0;
    while (cap < n) cap *= 2;
    p[0] = realloc(sim->dem, (size_t)cap * sizeof(double));
    if (p[0]) sim->dem = p[0];
    p[1] = realloc(sim->alloc, (size_t)cap * sizeof(double));
    if (p[1]) sim->alloc = p[1];
    p[2] = realloc(sim->tdem, (size_t)cap * sizeof(double));
    if (p[2]) sim->tdem = p[2];
    p[3] = realloc(sim->talloc, (size_t)cap * sizeof(double));
    if (p[3]) sim->talloc = p[3];
    pr = realloc(sim->pairs, (size_t)cap * sizeof(*pr));
    if (pr) sim->pairs = pr;
    for (i = 0; i < 4; i++)
        if (!p[i]) return BAL_ENOMEM;
    if (!pr) return BAL_ENOMEM;
    sim->scap = cap;
    return 0;
}

int bal__sim_alloc(bal__sim **out, const bal__scenario *scn)
{
    bal__sim *sim = NULL;
    size_t nh, nv;
    int i, rc, tl_max;

    if (!out || !scn || scn->nhosts <= 0) return BAL_EINVAL;
    nh = (size_t)scn->nhosts;
    nv = (size_t)scn->nvms;
    /* Each VM's share of the recording's points (sim.h). */
    tl_max = BAL__SIM_TL_TOTAL / (scn->nvms ? scn->nvms : 1);
    if (tl_max > BAL__SIM_TL_VM) tl_max = BAL__SIM_TL_VM;

    sim = calloc(1, sizeof(*sim));
    if (!sim) { rc = BAL_ENOMEM; goto out; }
    sim->scn = scn;
    sim->hosts = calloc(nh, sizeof(*sim->hosts));
    sim->vms = calloc(nv ? nv : 1, sizeof(*sim->vms));
    sim->vp = calloc(nv ? nv : 1, sizeof(*sim->vp));
    sim->vs = calloc(nv ? nv : 1, sizeof(*sim->vs));
    sim->first = calloc(nh + 1, sizeof(*sim->first));
    sim->order = calloc(nv ? nv : 1, sizeof(*sim->order));
    sim->ep_head = malloc(nh * sizeof(*sim->ep_head));
    if (!sim->hosts || !sim->vms || !sim->vp || !sim->vs || !sim->first ||
        !sim->order || !sim->ep_head) {
        rc = BAL_ENOMEM;
        goto out;
    }
    memset(sim->ep_head, 0xff, nh * sizeof(*sim->ep_head));   /* all -1 */

    /* Domids as xl would hand them out booting the file's VMs in order:
     * 1, 2, ... on each host; dom0 is 0. */
    for (i = 0; i < scn->nhosts; i++) sim->hosts[i].next_domid = 1;
    for (i = 0; i < scn->nvms; i++) {
        const bal__scn_vm *sv = &scn->vms[i];
        bal__sim_vm *v = &sim->vms[i];
        vpriv *p = &sim->vp[i];
        bal__sim_host *h;

        v->host = sv->host;
        h = &sim->hosts[v->host];
        v->domid = h->next_domid++;
        v->run = 1;
        v->end_s = -1;
        h->vm_mem_bytes += sv->mem_bytes;
        h->nvms++;
        p->mig = -1;
        p->fail_after = -1;
        /* The scenario's what-if: as a lost transport fails it. */
        if (sv->has_migfail) {
            p->fail_after = (double)sv->migfail;
            p->fail_rc = BAL_ETRANSPORT;
        }
        bal__timeline_init(&p->tl, tl_max);
        if (sv->cpuwork > 0 || sv->iowork > 0 || sv->network > 0) {
            v->job = true;
            sim->njobs++;
            p->cpu_left = sv->cpuwork > 0;
            p->io_left = sv->iowork > 0;
            p->net_left = sv->network > 0;
            p->start_ns = (uint64_t)llround(sv->start_s * 1e9);
            p->cpu_end_s = p->io_end_s = p->net_end_s = sv->start_s;
        }
    }
    sim->jobs_left = sim->njobs;
    rebuild_index(sim);
    rc = ensure_scratch(sim, sim->maxn + 2);
    if (rc) goto out;

    *out = sim;
    sim = NULL;
    rc = 0;

out:
    bal__sim_free(sim);
    return rc;
}

void bal__sim_free(bal__sim *sim)
{
    int i;

    if (!sim) return;
    if (sim->vp)
        for (i = 0; i < sim->scn->nvms; i++)
            bal__timeline_dispose(&sim->vp[i].tl);
    free(sim->hosts);
    free(sim->vms);
    free(sim->vp);
    free(sim->vs);
    free(sim->first);
    free(sim->order);
    free(sim->migs);
    free(sim->ep_head);
    free(sim->ep_next);
    free(sim->recs);
    free(sim->dem);
    free(sim->alloc);
    free(sim->tdem);
    free(sim->talloc);
    free(sim->pairs);
    free(sim);
}

void bal__sim_set_ctx(bal__sim *sim, bal_ctx *ctx)
{
    if (sim) sim->ctx = ctx;
}

void bal__sim_show_incoming(bal__sim *sim, bool on)
{
    if (sim) sim->show_incoming = on;
}

void bal__sim_record(bal__sim *sim, bool on)
{
    if (sim) sim->record = on;
}

/* ---- one sub-step's rates ------------------------------------------------ */

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

/* Stage 1: what VM i asks of its host now. */
static void vm_demands(bal__sim *sim, int i)
{
    const bal__scn_vm *sv = &sim->scn->vms[i];
    const bal__sim_vm *v = &sim->vms[i];
    const vpriv *p = &sim->vp[i];
    vscr *s = &sim->vs[i];
    bool on = !v->paused;

    if (v->job) on = on && !v->job_done && sim->time_ns >= p->start_ns;
    s->on = on;
    s->cpu_dem = on && (!v->job || !sv->cpuwork || p->cpu_left)
                 ? sv->cpu * sv->vcpus : 0;
    s->io_dem = on && (!v->job || !sv->iowork || p->io_left) ? sv->io_Bps : 0;
    on = on && (!v->job || !sv->network || p->net_left);
    s->tx_dem = on ? sv->net_tx_Bps : 0;
    s->rx_dem = on ? sv->net_rx_Bps : 0;
}

/* Stages 2 and 3 for host h: disk and NIC shares. */
static void share_io(bal__sim *sim, int h)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_host *sh = &scn->hosts[h];
    const int *vm = sim->order + sim->first[h];
    int n = sim->first[h + 1] - sim->first[h], i, k, e, dir;
    double *dem = sim->dem, *alloc = sim->alloc;

    for (i = 0; i < n; i++) dem[i] = sim->vs[vm[i]].io_dem;
    bal__waterfill(path_Bps(scn, sh), dem, alloc, n, sim->pairs);
    for (i = 0; i < n; i++) sim->vs[vm[i]].ioa = alloc[i];

    /* Each direction: the VMs' traffic, then the streams leaving (tx) or
     * arriving (rx); no limit given, every claimant gets its demand. */
    for (dir = 0; dir < 2; dir++) {
        k = n;
        for (i = 0; i < n; i++)
            dem[i] = dir ? sim->vs[vm[i]].rx_dem : sim->vs[vm[i]].tx_dem;
        for (e = sim->ep_head[h]; e >= 0; e = sim->ep_next[e])
            if ((e & 1) == dir) dem[k++] = sim->migs[e >> 1].link;
        if (sh->net_Bps > 0)
            bal__waterfill(sh->net_Bps, dem, alloc, k, sim->pairs);
        else memcpy(alloc, dem, (size_t)k * sizeof(*dem));
        for (i = 0; i < n; i++) {
            if (dir) sim->vs[vm[i]].rxa = alloc[i];
            else sim->vs[vm[i]].txa = alloc[i];
        }
        k = n;
        for (e = sim->ep_head[h]; e >= 0; e = sim->ep_next[e])
            if ((e & 1) == dir) {
                if (dir) sim->migs[e >> 1].nic_rx = alloc[k++];
                else sim->migs[e >> 1].nic_tx = alloc[k++];
            }
    }
}

/* Stage 4 for host h: the pCPUs among the domains, then dom0's share among
 * its tasks.  A migration task asks for migcpu x its cap (pass 1), or x
 * what its stream really sends (pass 2); one process, at most one pCPU. */
static void share_cpu(bal__sim *sim, int h, int pass)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_host *sh = &scn->hosts[h];
    const int *vm = sim->order + sim->first[h];
    int n = sim->first[h + 1] - sim->first[h], i, k, e;
    double pcpus = sh->pcpus, dom0 = 0, migcpu = scn->opt.migcpu;
    double *dem = sim->dem, *alloc = sim->alloc;
    double *tdem = sim->tdem, *talloc = sim->talloc;

    for (i = 0; i < n; i++) {
        const bal__scn_vm *sv = &scn->vms[vm[i]];
        vscr *s = &sim->vs[vm[i]];

        /* VM: its computation + the guest side of the I/O it was granted
         * (blkfront, file system, copies), at most its vCPUs. */
        s->want = s->cpu_dem + sv->iocpu * s->ioa / MB;
        dem[i] = fmin(sv->vcpus, s->want);
        /* dom0: the backend serving it (blkback, the iSCSI initiator). */
        tdem[i] = sh->dom0cpu * s->ioa / MB;
        dom0 += tdem[i];
    }
    k = n;
    for (e = sim->ep_head[h]; e >= 0; e = sim->ep_next[e]) {
        const mig *m = &sim->migs[e >> 1];

        tdem[k] = fmin(1, migcpu * (pass == 1 ? m->cap : m->rate) / MB);
        dom0 += tdem[k++];
    }
    dem[n] = fmin(pcpus, dom0);
    bal__waterfill(pcpus, dem, alloc, n + 1, sim->pairs);
    bal__waterfill(alloc[n], tdem, talloc, k, sim->pairs);

    for (i = 0; i < n; i++) {
        vscr *s = &sim->vs[vm[i]];

        /* run = CPU got / CPU wanted, before the vCPU cap: a VM that wants
         * more than its vCPUs can run is starved by them. */
        s->run = s->want > 0 ? fmin(1, alloc[i] / s->want) : 1;
        s->brun = tdem[i] > 0 ? fmin(1, talloc[i] / tdem[i]) : 1;
    }
    k = n;
    for (e = sim->ep_head[h]; e >= 0; e = sim->ep_next[e])
        sim->migs[e >> 1].grant[e & 1] = talloc[k++];
}

/* Stage 5: what stream m sends, from its cap and its two tasks' CPU. */
static double stream_rate(const bal__sim *sim, const mig *m)
{
    double migcpu = sim->scn->opt.migcpu, r = m->cap;

    if (migcpu > 0) {
        r = fmin(r, m->grant[0] * MB / migcpu);
        r = fmin(r, m->grant[1] * MB / migcpu);
    }
    return r;
}

/* Stages 6 and 7 for host h: the work done, with noise, and dom0's CPU. */
static void finish_host(bal__sim *sim, int h)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_host *sh = &scn->hosts[h];
    bal__sim_host *st = &sim->hosts[h];
    const int *vm = sim->order + sim->first[h];
    int n = sim->first[h + 1] - sim->first[h], i, e;
    double pcpus = sh->pcpus, io_sum = 0, mig_cpu = 0, tx_mig = 0,
           rx_mig = 0, f;
    double *cpa = sim->dem, *ioa = sim->alloc, *txa = sim->tdem,
           *rxa = sim->talloc;

    /* 6. A VM at run r computes at r of its demand and issues its I/O at r
     *    of its disk share; its backend at run b serves it at b, so its
     *    I/O goes at min(r, b) of its share.  The CPU used follows from
     *    the work actually done. */
    for (i = 0; i < n; i++) {
        const bal__scn_vm *sv = &scn->vms[vm[i]];
        vscr *s = &sim->vs[vm[i]];

        s->io = s->ioa * fmin(s->run, s->brun);
        s->comp = s->cpu_dem * s->run;
        cpa[i] = s->comp + sv->iocpu * s->io / MB;
        ioa[i] = s->io;
        txa[i] = s->txa;
        rxa[i] = s->rxa;
        io_sum += s->io;
    }
    for (e = sim->ep_head[h]; e >= 0; e = sim->ep_next[e]) {
        const mig *m = &sim->migs[e >> 1];

        mig_cpu += scn->opt.migcpu * m->rate / MB;
        if (e & 1) rx_mig += m->rate;
        else tx_mig += m->rate;
    }
    cpa[n] = sh->dom0cpu * io_sum / MB + mig_cpu;

    /* 7. Noise: each domain's CPU, disk and network rates times a seeded
     *    factor in [1 - noise, 1 + noise], then held to the vCPUs, and
     *    each host total to its capacity, so no counter ever shows more
     *    than the hardware could do.  Streams carry no noise. */
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
        cap_sum(txa, n, fmax(0, sh->net_Bps - tx_mig));
        cap_sum(rxa, n, fmax(0, sh->net_Bps - rx_mig));
    }

    for (i = 0; i < n; i++) {
        const bal__scn_vm *sv = &scn->vms[vm[i]];
        vscr *s = &sim->vs[vm[i]];
        double c = s->comp + sv->iocpu * s->io / MB;

        /* The computation's part of the CPU it used, after the noise. */
        s->comp = c > 0 ? s->comp * cpa[i] / c : 0;
        s->cpu = cpa[i];
        s->io = ioa[i];
        s->tx = txa[i];
        s->rx = rxa[i];
    }
    st->dom0_cpu = cpa[n];
}

/* Links each migration's two ends into their hosts' lists, and counts
 * the streams sharing each directed link. */
static void link_endpoints(bal__sim *sim)
{
    int m, j, e;

    for (m = 0; m < sim->nmigs; m++) {
        mig *g = &sim->migs[m];
        int same = 0;

        for (e = 0; e < 2; e++) {
            int h = e ? g->to : g->from;

            sim->ep_next[2 * m + e] = sim->ep_head[h];
            sim->ep_head[h] = 2 * m + e;
        }
        /* The pair's link, each direction on its own (full duplex), shared
         * equally by the streams on it; none while resuming. */
        if (g->phase == PH_RESUME) {
            g->link = 0;
            continue;
        }
        for (j = 0; j < sim->nmigs; j++)
            if (sim->migs[j].from == g->from && sim->migs[j].to == g->to &&
                sim->migs[j].phase != PH_RESUME)
                same++;
        g->link = bal__scenario_link_Bps(sim->scn, g->from, g->to) / same;
    }
}

static void unlink_endpoints(bal__sim *sim)
{
    int m;

    for (m = 0; m < sim->nmigs; m++) {
        sim->ep_head[sim->migs[m].from] = -1;
        sim->ep_head[sim->migs[m].to] = -1;
    }
}

static void compute_rates(bal__sim *sim)
{
    const bal__scenario *scn = sim->scn;
    int h, i, m;

    for (i = 0; i < scn->nvms; i++) vm_demands(sim, i);
    link_endpoints(sim);
    for (h = 0; h < scn->nhosts; h++) share_io(sim, h);
    for (m = 0; m < sim->nmigs; m++) {
        mig *g = &sim->migs[m];

        g->cap = fmin(g->link, fmin(g->nic_tx, g->nic_rx));
    }
    for (h = 0; h < scn->nhosts; h++) share_cpu(sim, h, 1);
    if (sim->nmigs) {
        for (m = 0; m < sim->nmigs; m++)
            sim->migs[m].rate = stream_rate(sim, &sim->migs[m]);
        /* Pass 2: the ends again with what the streams really send.  Only
         * demands fell, so each task gets at least that: rates hold. */
        for (h = 0; h < scn->nhosts; h++)
            if (sim->ep_head[h] >= 0) share_cpu(sim, h, 2);
        for (m = 0; m < sim->nmigs; m++)
            sim->migs[m].rate = fmin(sim->migs[m].rate,
                                     stream_rate(sim, &sim->migs[m]));
    }
    for (h = 0; h < scn->nhosts; h++) finish_host(sim, h);
    unlink_endpoints(sim);
}

/* ---- events ---------------------------------------------------------------- */

/* ns until the first event after now at these rates; UINT64_MAX: none. */
static uint64_t next_event_ns(const bal__sim *sim)
{
    const bal__scenario *scn = sim->scn;
    double ev = INFINITY;
    uint64_t ns = UINT64_MAX;
    int i, m;

    for (i = 0; i < scn->nvms; i++) {
        const bal__sim_vm *v = &sim->vms[i];
        const vpriv *p = &sim->vp[i];
        const vscr *s = &sim->vs[i];

        if (!v->job || v->job_done) continue;
        if (sim->time_ns < p->start_ns) {
            if (p->start_ns - sim->time_ns < ns) ns = p->start_ns - sim->time_ns;
            continue;
        }
        if (p->cpu_left && s->comp > 0) {
            double rate = s->comp * scn->hosts[v->host].speed;

            ev = fmin(ev, (scn->vms[i].cpuwork - v->ops_done) / rate);
        }
        if (p->io_left && s->io > 0)
            ev = fmin(ev, ((double)scn->vms[i].iowork - v->io_done) / s->io);
        if (p->net_left && s->tx + s->rx > 0)
            ev = fmin(ev, ((double)scn->vms[i].network - v->net_done) /
                          (s->tx + s->rx));
    }
    for (m = 0; m < sim->nmigs; m++) {
        const mig *g = &sim->migs[m];

        if (g->phase == PH_RESUME) {
            ev = fmin(ev, g->left);
        } else if (g->rate > 0) {
            ev = fmin(ev, g->left / g->rate);
            if (g->fail_after >= 0)
                ev = fmin(ev, (g->fail_after - g->bytes) / g->rate);
        }
    }
    if (ev < INFINITY) {
        double x = ceil(fmax(ev, 0) * 1e9);
        uint64_t k = x < 1 ? 1 : x >= 1.8e19 ? UINT64_MAX : (uint64_t)x;

        if (k < ns) ns = k;
    }
    return ns;
}

/* ---- migrations: start, rounds, end --------------------------------------- */

static int add_record(bal__sim *sim, const mig *g, double end_s, int rc)
{
    bal__sim_mig_rec *r;

    if (sim->nrecs == sim->arecs) {
        int cap = sim->arecs ? 2 * sim->arecs : 16;
        bal__sim_mig_rec *n = realloc(sim->recs, (size_t)cap * sizeof(*n));

        if (!n) return BAL_ENOMEM;
        sim->recs = n;
        sim->arecs = cap;
    }
    r = &sim->recs[sim->nrecs++];
    memset(r, 0, sizeof(*r));
    r->vm = g->vm;
    r->from = g->from;
    r->to = g->to;
    r->start_s = g->start_s;
    r->end_s = end_s;
    r->downtime_s = g->phase == PH_LIVE ? 0 : end_s - g->pause_s;
    r->bytes = (uint64_t)llround(g->bytes);
    r->rounds = g->phase == PH_LIVE ? g->iter : g->iter + 1;
    r->rc = rc;
    return 0;
}

/* Ends migration m (0: the VM now runs on `to'; else it runs on at
 * `from'), removing it from migs. */
static void end_migration(bal__sim *sim, int m, double end_s, int rc)
{
    mig *g = &sim->migs[m];
    const bal__scn_vm *sv = &sim->scn->vms[g->vm];
    bal__sim_vm *v = &sim->vms[g->vm];
    bal__sim_host *src = &sim->hosts[g->from], *dst = &sim->hosts[g->to];
    bal__move_result *res = sim->results ? &sim->results[g->slot] : NULL;
    if (res) {
        res->rc = rc;
        res->end_s = end_s;
        res->downtime_s = g->phase == PH_LIVE ? 0 : end_s - g->pause_s;
        res->bytes = (uint64_t)llround(g->bytes);
        res->rounds = g->phase == PH_LIVE ? g->iter : g->iter + 1;
    }
    /* A record that cannot be kept (ENOMEM) loses only the history. */
    (void)add_record(sim, g, end_s, rc);

    dst->reserved_bytes -= sv->mem_bytes;
    dst->nincoming--;
    v->migrating = v->paused = false;
    if (!rc) {
        /* On real Xen the domain on `to' is a new one: new domid (taken
         * when the migration began), counters from 0. */
        src->vm_mem_bytes -= sv->mem_bytes;
        src->nvms--;
        dst->vm_mem_bytes += sv->mem_bytes;
        dst->nvms++;
        v->host = g->to;
        v->domid = g->domid;
        v->cpu_s = v->rd_bytes = v->wr_bytes = v->tx_bytes = v->rx_bytes = 0;
    }
    /* The last migration takes m's place. */
    sim->vp[g->vm].mig = -1;
    sim->nmigs--;
    if (m != sim->nmigs) {
        sim->migs[m] = sim->migs[sim->nmigs];
        sim->vp[sim->migs[m].vm].mig = m;
    }
    /* bal__sim_migrate made the scratch large enough for every VM of
     * the wave arriving on one host. */
    if (!rc) rebuild_index(sim);
    if (!sim->nmigs) sim->results = NULL;   /* the wave is over */
}

/* Round over: libxc's send_memory_live, with the planner's policy
 * (base/precopy.h).  Round 1 sent all memory; while the policy continues,
 * the next round sends what was dirtied during this one.  It pauses after
 * BAL__PRECOPY_MAX_ROUNDS live rounds or when nothing is dirty, and sends
 * a set of fewer than 50 pages live as the last round.  Then the VM is
 * paused and what was dirtied during the last live round is sent
 * (suspend_and_send_dirty), then the destination resumes it.  Returns
 * true when m ended. */
static bool next_phase(bal__sim *sim, int m, double t)
{
    mig *g = &sim->migs[m];
    double next = g->dirty;

    for (;;) {
        if (g->phase == PH_LIVE) {
            bal__precopy_step step = g->stop_after ? BAL__PRECOPY_PAUSE :
                bal__precopy_policy(g->iter, next, BAL__PRECOPY_STOP_BYTES,
                                    BAL__PRECOPY_MAX_ROUNDS);

            if (step == BAL__PRECOPY_PAUSE) {
                g->phase = PH_LAST;
                g->pause_s = t;
                sim->vms[g->vm].paused = true;
            } else {
                g->iter++;
                g->stop_after = step == BAL__PRECOPY_SEND_LAST;
            }
            g->left = next;
            g->dirty = 0;
            next = 0;       /* nothing is dirtied in zero time */
        } else if (g->phase == PH_LAST) {
            g->phase = PH_RESUME;
            g->left = sim->scn->opt.migresume;
        } else {
            end_migration(sim, m, t, 0);
            return true;
        }
        if (g->left > 0) return false;
    }
}

/* ---- committing a sub-step -------------------------------------------------- */

static int add_point(bal__sim *sim, int i, double t, double dt, double ops,
                     double io, double net)
{
    const bal__sim_vm *v = &sim->vms[i];
    bal__sim_point pt;

    memset(&pt, 0, sizeof(pt));     /* padding too: timelines memcmp */
    pt.t = t;
    pt.cpu_ops_s = ops;
    pt.io_Bps = io;
    pt.net_Bps = net;
    pt.host = v->host;
    pt.migrating = v->migrating;
    pt.paused = v->paused;
    pt.dt = dt;
    pt.cpu_ops = v->ops_done;
    pt.io_bytes = v->io_done;
    pt.net_bytes = v->net_done;
    return bal__timeline_add(&sim->vp[i].tl, &pt);
}

/* Whether inc (this sub-step's share) completes left of total: the event
 * that ended the sub-step was computed for it, up to rounding. */
static bool completes(double inc, double left, double total)
{
    return inc >= left || left - inc <= 1e-9 * total;
}

static void commit(bal__sim *sim, uint64_t ns)
{
    const bal__scenario *scn = sim->scn;
    double dt = (double)ns / 1e9, t0 = (double)sim->time_ns / 1e9;
    double t1 = (double)(sim->time_ns + ns) / 1e9;
    int i, h, m;

    for (i = 0; i < scn->nvms; i++) {
        const bal__scn_vm *sv = &scn->vms[i];
        bal__sim_vm *v = &sim->vms[i];
        vpriv *p = &sim->vp[i];
        const vscr *s = &sim->vs[i];
        double ops_s = s->comp * scn->hosts[v->host].speed;
        double ops = ops_s * dt, io = s->io * dt;
        double net_s = s->tx + s->rx, net = net_s * dt, nf = 1;

        /* A job's parts end exactly: what is left, at the time it takes. */
        if (v->job && p->cpu_left && ops > 0) {
            double left = sv->cpuwork - v->ops_done;

            if (completes(ops, left, sv->cpuwork)) {
                ops = left;
                p->cpu_left = false;
                p->cpu_end_s = t0 + left / ops_s;
            }
        }
        if (v->job && p->io_left && io > 0) {
            double left = (double)sv->iowork - v->io_done;

            if (completes(io, left, (double)sv->iowork)) {
                io = left;
                p->io_left = false;
                p->io_end_s = t0 + left / s->io;
            }
        }
        if (v->job && p->net_left && net > 0) {
            double left = (double)sv->network - v->net_done;

            if (completes(net, left, (double)sv->network)) {
                /* Both directions stop with the work: the counters
                 * show what was moved. */
                nf = left / net;
                net = left;
                p->net_left = false;
                p->net_end_s = t0 + left / net_s;
            }
        }
        v->cpu = s->cpu;
        v->io_Bps = io / dt;
        v->tx_Bps = s->tx;
        v->rx_Bps = s->rx;
        v->run = s->run;
        v->ops_s = ops / dt;
        v->cpu_s += s->cpu * dt;
        v->tot_cpu_s += s->cpu * dt;
        v->wr_bytes += io * sv->write;
        v->rd_bytes += io * (1 - sv->write);
        v->tot_wr_bytes += io * sv->write;
        v->tot_rd_bytes += io * (1 - sv->write);
        v->tx_bytes += s->tx * dt * nf;
        v->rx_bytes += s->rx * dt * nf;
        v->tot_tx_bytes += s->tx * dt * nf;
        v->tot_rx_bytes += s->rx * dt * nf;
        v->ops_done += ops;
        v->io_done += io;
        v->net_done += net;
        if (v->job && !v->job_done && !p->cpu_left && !p->io_left &&
            !p->net_left) {
            v->job_done = true;
            v->end_s = fmax(fmax(p->cpu_end_s, p->io_end_s), p->net_end_s);
            sim->jobs_left--;
        }
        /* On ENOMEM the timeline misses a point; the run goes on. */
        if (sim->record)
            (void)add_point(sim, i, t1, dt, ops / dt, io / dt, net / dt);
    }
    for (h = 0; h < scn->nhosts; h++) {
        bal__sim_host *st = &sim->hosts[h];
        int n = sim->first[h + 1] - sim->first[h], k;
        double io_sum = 0;

        for (k = 0; k < n; k++)
            io_sum += sim->vms[sim->order[sim->first[h] + k]].io_Bps;
        st->io_Bps = io_sum;
        st->dom0_cpu_s += st->dom0_cpu * dt;
    }

    /* Migrations, from the last so that one ending (moved into its slot
     * from the end) is never skipped. */
    for (m = sim->nmigs - 1; m >= 0; m--) {
        mig *g = &sim->migs[m];
        double mem = (double)scn->vms[g->vm].mem_bytes, send;

        if (g->phase == PH_RESUME) {
            g->left -= dt;
            if (g->left <= 1e-12) (void)next_phase(sim, m, t1);
            continue;
        }
        send = g->rate * dt;
        if (g->fail_after >= 0 && g->bytes + send >= g->fail_after) {
            /* The stream breaks: the VM runs on at the source. */
            g->bytes = fmax(g->bytes, g->fail_after);
            end_migration(sim, m, t1, g->fail_rc);
            continue;
        }
        if (g->phase == PH_LIVE) {
            /* Pages the guest dirties while this round is sent: its own
             * rate while it runs, and every byte of I/O passing through
             * its page cache (cachedirty); distinct pages, so at most all
             * of its memory and at most its writable working set (the
             * planner's bound, base/precopy.h). */
            const bal__scn_vm *sv = &scn->vms[g->vm];
            const vscr *s = &sim->vs[g->vm];
            double d = ((s->on ? sv->dirty_Bps * s->run : 0) +
                        sv->cachedirty * sim->vms[g->vm].io_Bps) * dt;

            g->dirty = bal__precopy_dirty_set(mem, (double)sv->wws_bytes,
                                              g->dirty + d);
        }
        if (completes(send, g->left, mem)) {
            g->bytes += g->left;
            g->left = 0;
            (void)next_phase(sim, m, t1);
        } else {
            g->bytes += send;
            g->left -= send;
        }
    }

    sim->time_ns += ns;
    sim->steps++;
}

/* One sub-step of at most max_ns: rates, the first event, commit.
 * Returns the ns it took. */
static uint64_t substep(bal__sim *sim, uint64_t max_ns)
{
    uint64_t ns;

    compute_rates(sim);
    ns = next_event_ns(sim);
    if (ns > max_ns) ns = max_ns;
    commit(sim, ns);
    return ns;
}

void bal__sim_step(bal__sim *sim, uint64_t dt_ns)
{
    while (dt_ns > 0) dt_ns -= substep(sim, dt_ns);
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

/* ---- the migration entry point ---------------------------------------------- */

/* Checks move i of a wave and starts it; its result's rc otherwise. */
static int start_one(bal__sim *sim, int vm, int to, int slot)
{
    const bal__scenario *scn = sim->scn;
    const bal__scn_vm *sv;
    bal__sim_vm *v;
    bal__sim_host *dst;
    vpriv *p;
    mig *g;
    char a[32], b[32], c[32];
    uint64_t used;

    if (vm < 0 || vm >= scn->nvms) {
        BAL__ERR(sim->ctx, "sim: no vm %d (the scenario has %d)", vm,
                 scn->nvms);
        return BAL_EINVAL;
    }
    sv = &scn->vms[vm];
    v = &sim->vms[vm];
    p = &sim->vp[vm];
    if (to < 0 || to >= scn->nhosts) {
        BAL__ERR(sim->ctx, "sim: vm %s: no host %d (the scenario has %d)",
                 sv->name, to, scn->nhosts);
        return BAL_EINVAL;
    }
    if (p->wave == sim->wave) {
        BAL__ERR(sim->ctx, "sim: vm %s is moved twice in one wave", sv->name);
        return BAL_EINVAL;
    }
    p->wave = sim->wave;
    if (v->migrating) {
        BAL__ERR(sim->ctx, "sim: vm %s is already migrating", sv->name);
        return BAL_EINVAL;
    }
    if (v->host == to) {
        BAL__ERR(sim->ctx, "sim: vm %s is already on host %s", sv->name,
                 scn->hosts[to].name);
        return BAL_EINVAL;
    }
    dst = &sim->hosts[to];
    /* The destination holds the memory from the start, as xl's receiving
     * side creates the domain before the first page arrives. */
    used = scn->hosts[to].dom0_mem_bytes + dst->vm_mem_bytes +
           dst->reserved_bytes;
    if (used + sv->mem_bytes > scn->hosts[to].mem_bytes) {
        BAL__ERR(sim->ctx, "sim: vm %s does not fit in host %s's memory "
                 "(%s needed, %s free of %s)", sv->name, scn->hosts[to].name,
                 bal__scenario_fmt_size(a, sizeof(a), sv->mem_bytes),
                 bal__scenario_fmt_size(b, sizeof(b),
                                        used < scn->hosts[to].mem_bytes ?
                                        scn->hosts[to].mem_bytes - used : 0),
                 bal__scenario_fmt_size(c, sizeof(c), scn->hosts[to].mem_bytes));
        return BAL_ERANGE;
    }
    if (dst->nvms + dst->nincoming >= BAL__SCN_MAX_VMS_PER_HOST) {
        BAL__ERR(sim->ctx, "sim: vm %s: host %s already has %d VMs, the most "
                 "one host may have", sv->name, scn->hosts[to].name,
                 BAL__SCN_MAX_VMS_PER_HOST);
        return BAL_ERANGE;
    }

    g = &sim->migs[sim->nmigs];
    memset(g, 0, sizeof(*g));
    g->vm = vm;
    g->from = v->host;
    g->to = to;
    g->slot = slot;
    g->domid = dst->next_domid++;
    g->phase = PH_LIVE;
    g->iter = 1;                            /* round 1: all of memory */
    g->left = (double)sv->mem_bytes;
    /* Before round 1 all of memory is dirty: fewer than 50 pages of it
     * make round 1 the last live one. */
    g->stop_after = bal__precopy_policy(0, g->left, BAL__PRECOPY_STOP_BYTES,
                                        BAL__PRECOPY_MAX_ROUNDS) ==
                    BAL__PRECOPY_SEND_LAST;
    g->start_s = bal__sim_now(sim);
    g->fail_after = p->fail_after;
    g->fail_rc = p->fail_rc;
    p->fail_after = -1;                     /* a fault fires once */
    p->mig = sim->nmigs++;
    dst->reserved_bytes += sv->mem_bytes;
    dst->nincoming++;
    v->migrating = true;
    return 0;
}

int bal__sim_migrate_begin(bal__sim *sim, const int *vms,
                           const int *dest_hosts, int n,
                           bal__move_result *results)
{
    double t0;
    int i, rc;

    if (!sim || n < 0 || (n > 0 && (!vms || !dest_hosts || !results)))
        return BAL_EINVAL;
    if (sim->nmigs) return BAL_EINVAL;      /* a wave is under way */
    if (!n) return 0;

    /* Room for n migrations, their endpoints and the hosts' scratch. */
    if (n > sim->amigs) {
        mig *g = realloc(sim->migs, (size_t)n * sizeof(*g));
        int *e;

        if (!g) return BAL_ENOMEM;
        sim->migs = g;
        e = realloc(sim->ep_next, 2 * (size_t)n * sizeof(*e));
        if (!e) return BAL_ENOMEM;
        sim->ep_next = e;
        sim->amigs = n;
    }
    /* A host's claimants: its VMs (every one of the wave may arrive on
     * the same host), dom0 and its ends of the streams. */
    rc = ensure_scratch(sim, sim->maxn + 2 + 3 * n);
    if (rc) return rc;

    t0 = bal__sim_now(sim);
    sim->wave++;
    sim->results = results;
    for (i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s = t0;
        /* Not measured as the real sender does (libxc's rounds): the
         * history learns no dirty rate from a simulation. */
        results[i].dirty_Bps = NAN;
        results[i].rc = start_one(sim, vms[i], dest_hosts[i], i);
    }
    sim->wave_start_s = t0;
    if (!sim->nmigs) sim->results = NULL;
    return 0;
}

int bal__sim_migrating(const bal__sim *sim)
{
    return sim ? sim->nmigs : 0;
}

int bal__sim_migrate(bal__sim *sim, const int *vms, const int *dest_hosts,
                     int n, bal__move_result *results)
{
    uint64_t step;
    int rc;

    rc = bal__sim_migrate_begin(sim, vms, dest_hosts, n, results);
    if (rc) return rc;
    step = (uint64_t)llround(sim->scn->opt.interval_s * 1e9);
    /* Everything runs on, a sub-step at a time (at most the interval),
     * until the last of them ends. */
    while (sim->nmigs) {
        double now = bal__sim_now(sim);

        if (now - sim->wave_start_s > WAVE_MAX_S) {
            while (sim->nmigs) end_migration(sim, sim->nmigs - 1, now,
                                             BAL_ERANGE);
            break;
        }
        substep(sim, step ? step : 1);
    }
    return 0;
}

int bal__sim_migrations(const bal__sim *sim, const bal__sim_mig_rec **r,
                        int *n_r)
{
    if (!sim || !r || !n_r) return BAL_EINVAL;
    *r = sim->recs;
    *n_r = sim->nrecs;
    return 0;
}

double bal__sim_link_Bps(const bal__sim *sim, int from, int to)
{
    return bal__scenario_link_Bps(sim->scn, from, to);
}

int bal__sim_inject_fault(bal__sim *sim, int vm, double after_bytes, int rc)
{
    if (!sim || vm < 0 || vm >= sim->scn->nvms || !(after_bytes >= 0) ||
        rc >= 0)
        return BAL_EINVAL;
    sim->vp[vm].fail_after = after_bytes;
    sim->vp[vm].fail_rc = rc;
    return 0;
}

/* ---- reading it back ------------------------------------------------------ */

uint64_t bal__sim_time_ns(const bal__sim *sim)
{
    return sim->time_ns;
}

double bal__sim_now(const bal__sim *sim)
{
    return (double)sim->time_ns / 1e9;
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

bool bal__sim_jobs_done(const bal__sim *sim)
{
    return sim && sim->njobs > 0 && sim->jobs_left == 0;
}

int bal__sim_vm_host(const bal__sim *sim, int vm)
{
    return sim && vm >= 0 && vm < sim->scn->nvms ? sim->vms[vm].host : -1;
}

double bal__sim_vm_completion(const bal__sim *sim, int vm)
{
    if (!sim || vm < 0 || vm >= sim->scn->nvms || !sim->vms[vm].job_done)
        return -1;
    return sim->vms[vm].end_s - sim->scn->vms[vm].start_s;
}

double bal__sim_vm_work_done(const bal__sim *sim, int vm, double *cpu_ops_r,
                             double *io_bytes_r, double *net_bytes_r)
{
    if (!sim || vm < 0 || vm >= sim->scn->nvms) return BAL_EINVAL;
    if (cpu_ops_r) *cpu_ops_r = sim->vms[vm].ops_done;
    if (io_bytes_r) *io_bytes_r = sim->vms[vm].io_done;
    if (net_bytes_r) *net_bytes_r = sim->vms[vm].net_done;
    return 0;
}

int bal__sim_timeline(const bal__sim *sim, int vm, const bal__sim_point **pts_r,
                      int *n_r)
{
    if (!sim || vm < 0 || vm >= sim->scn->nvms || !pts_r || !n_r)
        return BAL_EINVAL;
    *pts_r = sim->vp[vm].tl.pts;
    *n_r = sim->vp[vm].tl.n;
    return 0;
}

int bal__sim_timeline_take(bal__sim *sim, int vm, bal__sim_point **pts_r,
                           int *n_r)
{
    if (!sim || vm < 0 || vm >= sim->scn->nvms || !pts_r || !n_r)
        return BAL_EINVAL;
    bal__timeline_take(&sim->vp[vm].tl, pts_r, n_r);
    return 0;
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
    int n = sim->first[h + 1] - sim->first[h], nin = 0, i, m, k, rc;
    double reqsize = (double)scn->opt.reqsize;
    uint64_t used;
    bal__host *hs;
    bal__dom *d;

    if (sim->show_incoming)
        for (m = 0; m < sim->nmigs; m++) nin += sim->migs[m].to == h;
    rc = bal__sample_add_host(out, &hs);
    if (rc) return rc;
    hs->doms = calloc((size_t)(n + nin) + 1, sizeof(*hs->doms));
    if (!hs->doms) {
        out->nhosts--;
        return BAL_ENOMEM;
    }
    hs->adoms = hs->ndoms = n + nin + 1;

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
    }
    /* A VM migrating in: the paused domain xl's receiving side made,
     * named as xl names it, counters 0. */
    for (m = 0, k = n + 1; sim->show_incoming && m < sim->nmigs; m++) {
        const mig *g = &sim->migs[m];
        const bal__scn_vm *v = &scn->vms[g->vm];

        if (g->to != h) continue;
        d = &hs->doms[k++];
        memcpy(d->uuid, v->uuid, sizeof(d->uuid));
        snprintf(d->name, sizeof(d->name), "%.*s--incoming",
                 (int)(sizeof(d->name) - sizeof("--incoming")), v->name);
        d->domid = g->domid;
        d->vcpus = v->vcpus;
        d->mem_kb = d->maxmem_kb = v->mem_bytes / 1024;
    }
    used = sh->dom0_mem_bytes + st->vm_mem_bytes + st->reserved_bytes;
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
