/*
 * planner_cost.c - the planner's predictive model: max-min fair sharing
 * of a host among its VMs and dom0, every VM's rate, a host's term of the
 * objective, the network a migration gets, pre-copy, and the work a
 * migration costs.  Each term is explained in doc/planner.md; the sharing
 * rules are the simulator's (doc/scenario-format.md, "The model"), which
 * this file follows without calling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planner_cost.h"
#include "base/precopy.h"
#include "base/waterfill.h"



void bal__pl_waterfill(double cap, const double *dem, double *alloc, int n)
{
    bal__wf_pair small[32], *pr = small;

    if (n <= 0) return;
    if (n > 32) pr = malloc((size_t)n * sizeof(*pr));
    if (!pr) {
        /* No memory for the sort: an equal split is still fair enough
         * to say something, and this is only the tests' entry point. */
        int i;
        for (i = 0; i < n; i++) alloc[i] = bal__dmin(dem[i], cap / n);
        return;
    }
    bal__waterfill(cap, dem, alloc, n, pr);
    if (pr != small) free(pr);
}

/* ---- the network --------------------------------------------------------- */

double bal__pl_link_from_rtt(double rtt_ms)
{
    /* The paper's Table 2: plain socket throughput over the DUMMYNET
     * link at each round-trip delay, Mbit/s. */
    static const double rtt[] = { 0, 4, 16, 64 };
    static const double mbit[] = { 840.2, 609.61, 151.79, 104.29 };
    double v;
    int i;

    if (!(rtt_ms > 0)) return mbit[0] * 1e6 / 8;
    if (rtt_ms >= 64) {
        /* Not measured further: flat, as the simulator has it (a
         * window-limited stream would keep falling; this is optimistic). */
        v = mbit[3];
    } else {
        for (i = 0; rtt_ms > rtt[i + 1]; i++) {}
        v = mbit[i] + (mbit[i + 1] - mbit[i]) * (rtt_ms - rtt[i]) /
            (rtt[i + 1] - rtt[i]);
    }
    return v * 1e6 / 8;
}

static int pair_cmp(const void *x, const void *y)
{
    const bal__pl_pair *a = x, *b = y;

    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

int bal__pl_pairs_sort(bal__pl_pair *pr, int n)
{
    int i, m = 0;

    if (n <= 0) return 0;
    qsort(pr, (size_t)n, sizeof(*pr), pair_cmp);
    for (i = 0; i < n; i++) {
        /* Of one pair given again, the last given (sorted last) stays. */
        if (m && pr[m - 1].from == pr[i].from && pr[m - 1].to == pr[i].to)
            m--;
        pr[m++] = pr[i];
    }
    return m;
}

const bal__pl_pair *bal__pl_pair_find(const bal__pl_params *p, int a, int b)
{
    int lo = 0, hi = p->links ? p->nlinks : 0;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const bal__pl_pair *l = &p->links[mid];

        if (l->from == a && l->to == b) return l;
        if (l->from < a || (l->from == a && l->to < b)) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

double bal__pl_link(const bal__pl_model *m, int a, int b)
{
    const bal__pl_pair *l = bal__pl_pair_find(m->p, a, b);

    return l ? l->Bps : m->link_Bps;
}

/* Max-min fair: what each of k claimants asking `want' gets of cap
 * beside the demands d[0..n), ascending. */
static double wf_equal_k(double cap, const double *d, int n, int k,
                         double want)
{
    int i = 0, left = n + k;

    while (left > 0) {
        double lvl = cap / left, next = i < n ? d[i] : INFINITY;

        /* The smallest claimant not yet met: the streams, or a VM. */
        if (want <= next) return bal__dmin(want, lvl);
        if (next > lvl) return lvl;
        cap -= next;
        left--;
        i++;
    }
    return want;
}

/* What each of k streams gets of host h's NIC, capacity `cap', beside
 * the traffic of the VMs it starts with: without any, the NIC split
 * among them (so bal__pl_base_bw is what it was before VMs' traffic was
 * known). */
static double nic_share(const bal__pl_model *m, int h, double cap, int k,
                        double want)
{
    int lo = m->p0_first[h], n = m->p0_first[h + 1] - lo;

    if (k < 1) k = 1;
    if (n == 0 || !(m->net0[lo + n - 1] > 0)) return cap / k;
    return wf_equal_k(cap, m->net0 + lo, n, k, want);
}

double bal__pl_base_bw(const bal__pl_model *m, int a, int b, int share_a,
                       int share_b, int share_link)
{
    const bal__pl_host *ha = &m->in->hosts[a], *hb = &m->in->hosts[b];
    const bal__pl_pair *l = bal__pl_pair_find(m->p, a, b);
    double bw;

    if (l && l->learned_Bps > 0) {
        /* Measured: it already holds the link, both NICs and one dom0's
         * copying as they were then (doc/planner.md, "Learned links"). */
        int k = share_link > 0 ? share_link : 1;

        if (share_a > k) k = share_a;
        if (share_b > k) k = share_b;
        return l->learned_Bps / k;
    }
    bw = bal__pl_link(m, a, b) / (share_link > 0 ? share_link : 1);

    /* Each NIC carries its VMs' traffic too: the streams get their
     * max-min share beside it. */
    if (ha->net_Bps > 0)
        bw = bal__dmin(bw, nic_share(m, a, ha->net_Bps, share_a, bw));
    if (hb->net_Bps > 0)
        bw = bal__dmin(bw, nic_share(m, b, hb->net_Bps, share_b, bw));
    /* One migration is one stream copied by one dom0 thread: at most one
     * pCPU's worth of copying, at each end. */
    if (m->p->migcpu > 0) bw = bal__dmin(bw, BAL__PL_MB / m->p->migcpu);
    return bw;
}

void bal__pl_precopy_model(double mem_bytes, double wws_bytes,
                           double dirty_Bps, double bw_Bps,
                           double stop_bytes, int max_rounds,
                           bal__pl_precopy *out)
{
    double x = mem_bytes, t;
    int sent = 0;
    bool last = false;

    memset(out, 0, sizeof(*out));
    if (!(bw_Bps > 0)) {
        out->time_s = out->downtime_s = INFINITY;
        out->bytes = mem_bytes;
        out->rounds = 1;
        return;
    }
    /* libxc's loop (base/precopy.h): live rounds while the policy goes
     * on, each sending what the last left dirty, then the final copy
     * with the guest paused. */
    for (;;) {
        bal__precopy_step step = last ? BAL__PRECOPY_PAUSE :
            bal__precopy_policy(sent, x, stop_bytes, max_rounds);

        t = x / bw_Bps;
        out->rounds++;
        out->bytes += x;
        out->time_s += t;
        if (step == BAL__PRECOPY_PAUSE) {
            out->downtime_s = t;
            break;
        }
        sent++;
        last = step == BAL__PRECOPY_SEND_LAST;
        /* What was written while this round was sent goes next: distinct
         * pages, at most its memory and its writable working set. */
        x = bal__precopy_dirty_set(mem_bytes, wws_bytes, dirty_Bps * t);
    }
}

void bal__pl_vm_precopy(const bal__pl_model *m, int v, double bw_Bps,
                        bal__pl_precopy *out)
{
    const bal__pl_vm *vm = &m->in->vms[v];

    bal__pl_precopy_model((double)vm->mem_kb * 1024, vm->wws_bytes,
                          vm->dirty_Bps, bw_Bps, m->p->stop_bytes,
                          m->p->max_rounds, out);
    /* The destination then resumes it: part of the time and of the
     * pause. */
    out->time_s += m->p->resume_s;
    out->downtime_s += m->p->resume_s;
}

double bal__pl_observed_Bps(const bal__pl_params *p, double mem_bytes,
                            double dirty_Bps, double duration_s)
{
    double copy = duration_s - p->resume_s, lo, hi, mid;
    bal__pl_precopy pc;
    int i;

    if (!(mem_bytes > 0) || !isfinite(mem_bytes) || !isfinite(copy) ||
        !(copy > 0))
        return NAN;
    if (!(dirty_Bps >= 0) || !isfinite(dirty_Bps)) dirty_Bps = 0;
    /* The first round alone sends all memory: at lo the copy takes at
     * least `copy'; every round sends at most all of it, and there are
     * at most max_rounds + 1: at hi it takes at most `copy'. */
    lo = mem_bytes / copy;
    hi = lo * ((p->max_rounds > 0 ? p->max_rounds : 1) + 1);
    for (i = 0; i < 200 && hi > lo * (1 + 1e-12); i++) {
        mid = sqrt(lo * hi);
        bal__pl_precopy_model(mem_bytes, 0, dirty_Bps, mid, p->stop_bytes,
                              p->max_rounds, &pc);
        if (pc.time_s > copy) lo = mid;
        else hi = mid;
    }
    return sqrt(lo * hi);
}

/* ---- the model ------------------------------------------------------------ */

/* A VM's work and share from its fractions of each resource f[]: the
 * mean and the least over the resources its type uses (base/loadtype.c);
 * 1 and 1 for a type that uses none.  Its work counts every half of a
 * mixed load; its share, what fairness protects, is the scarcer. */
static inline void type_rate(bal_load_type t, const double *f,
                             double *frac_r, double *share_r)
{
    unsigned u = bal__load_types[t].uses;
    double sum = 0, least = 1;
    int r, k = 0;

    /* None or one resource, most VMs: no loop (the hot path). */
    if (!(u & (u - 1))) {
        *frac_r = *share_r = u ? f[__builtin_ctz(u)] : 1;
        return;
    }
    for (r = 0; r < BAL_NRES; r++) {
        if (!(u & BAL__RES(r))) continue;
        sum += f[r];
        least = k++ ? bal__dmin(least, f[r]) : f[r];
    }
    *frac_r = k ? sum / k : 1;
    *share_r = least;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void bal__pl_model_dispose(bal__pl_model *m)
{
    free(m->w);
    free(m->e);
    free(m->en);
    free(m->net0);
    free(m->s_dn);
    free(m->f0);
    free(m->cap_io);
    free(m->p0_first);
    free(m->p0_list);
    free(m->mc_extra);
    free(m->mc_run0);
    free(m->mc_delta);
    free(m->mc_dextra);
    free(m->s_tdem);
    free(m->s_talloc);
    free(m->s_dem);
    free(m->s_d);
    free(m->s_want);
    free(m->s_a);
    free(m->s_frac);
    free(m->s_share);
    free(m->s_pshare);
    free(m->s_pdem);
    free(m->s_palloc);
    free(m->ps0);
    free(m->s0);
    free(m->s_wt);
    free(m->s_pairs);
    memset(m, 0, sizeof(*m));
}

/* Input validated by the caller (planner.c). */
int bal__pl_model_init(bal__pl_model *m, const bal__pl_input *in)
{
    const bal__pl_params *p = &in->params;
    int nh = in->nhosts, nv = in->nvms, h, v, k;
    size_t ns = (size_t)nv + 2;

    memset(m, 0, sizeof(*m));
    m->in = in;
    m->p = p;
    m->nh = nh;
    m->nv = nv;
    m->link_Bps = bal__pl_link_from_rtt(p->rtt_ms);
    m->w = calloc((size_t)nv + 1, sizeof(double));
    m->e = calloc((size_t)nv + 1, sizeof(double));
    m->en = calloc((size_t)nv + 1, sizeof(double));
    m->net0 = calloc((size_t)nv + 1, sizeof(double));
    m->s_dn = calloc(ns, sizeof(double));
    m->f0 = calloc((size_t)nv + 1, sizeof(double));
    m->cap_io = calloc((size_t)nh + 1, sizeof(double));
    m->p0_first = calloc((size_t)nh + 2, sizeof(int));
    m->p0_list = calloc((size_t)nv + 1, sizeof(int));
    m->mc_extra = calloc((size_t)nh + 1, sizeof(double));
    m->mc_run0 = calloc((size_t)nh + 1, sizeof(double));
    m->mc_delta = calloc((size_t)nv + 1, sizeof(double));
    m->mc_dextra = calloc((size_t)nh + 1, sizeof(double));
    m->s_tdem = calloc(ns, sizeof(double));
    m->s_talloc = calloc(ns, sizeof(double));
    m->s_dem = calloc(ns, sizeof(double));
    m->s_d = calloc(ns, sizeof(double));
    m->s_want = calloc(ns, sizeof(double));
    m->s_a = calloc(ns, sizeof(double));
    m->s_frac = calloc(ns, sizeof(double));
    m->s_share = calloc(ns, sizeof(double));
    m->s_pshare = calloc(ns, sizeof(double));
    m->s_pdem = calloc(ns, sizeof(double));
    m->s_palloc = calloc(ns, sizeof(double));
    m->ps0 = calloc((size_t)nv + 1, sizeof(double));
    m->s0 = calloc((size_t)nv + 1, sizeof(double));
    m->s_wt = calloc(ns, sizeof(double));
    m->s_pairs = calloc(ns, sizeof(bal__wf_pair));
    if (!m->w || !m->e || !m->en || !m->net0 || !m->s_dn || !m->f0 ||
        !m->cap_io || !m->p0_first || !m->p0_list || !m->mc_extra || !m->mc_run0 || !m->mc_delta ||
        !m->mc_dextra || !m->s_tdem || !m->s_talloc ||
        !m->s_dem || !m->s_d || !m->s_want || !m->s_a || !m->s_frac ||
        !m->s_share || !m->s0 || !m->s_pshare || !m->s_pdem ||
        !m->s_palloc || !m->ps0 ||
        !m->s_wt || !m->s_pairs) {
        bal__pl_model_dispose(m);
        return BAL_ENOMEM;
    }

    /* Each host's disk path: its bandwidth, or what its request rate
     * carries at the request size if that is less. */
    m->io_ref = 0;
    for (h = 0; h < nh; h++) {
        const bal__pl_host *hp = &in->hosts[h];
        double c = hp->disk_Bps;

        if (hp->disk_iops > 0 && hp->disk_iops * p->reqsize < c)
            c = hp->disk_iops * p->reqsize;
        m->cap_io[h] = c;
        if (c > m->io_ref) m->io_ref = c;
        m->mc_extra[h] = NAN;
        m->mc_dextra[h] = NAN;
        if (hp->net_Bps > m->net_ref) m->net_ref = hp->net_Bps;
    }

    for (v = 0; v < nv; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        /* Seconds of its work that count: to the end of its job, within
         * the horizon; an idle VM's progress is nothing to protect. */
        if (!bal__load_types[vm->type].uses) m->w[v] = 0;
        else if (vm->remaining_s < 0) m->w[v] = p->horizon_s;
        else m->w[v] = bal__dmin(vm->remaining_s, p->horizon_s);
        /* "As fast as it is given" is at most what the best path gives
         * alone: its rate is then relative to the best host. */
        m->e[v] = bal__dmin(vm->io_Bps, m->io_ref);
        /* The same for a stream, against the best NIC known; where no
         * NIC is known none limits, and traffic is nothing to share. */
        m->en[v] = m->net_ref > 0 ? bal__dmin(vm->net_Bps, m->net_ref) : 0;
        m->any_traffic |= m->en[v] > 0;
        m->p0_first[vm->host + 1]++;
    }
    for (h = 0; h < nh; h++) m->p0_first[h + 1] += m->p0_first[h];
    /* Without a single known weight every domain weighs the default:
     * the pCPUs are shared equally, and nobody need look. */
    for (h = 0; h < nh; h++) m->any_weight |= in->hosts[h].dom0_weight > 0;
    for (v = 0; v < nv; v++) m->any_weight |= in->vms[v].weight > 0;
    {
        int *fill = calloc((size_t)nh + 1, sizeof(int));

        if (!fill) {
            bal__pl_model_dispose(m);
            return BAL_ENOMEM;
        }
        for (v = 0; v < nv; v++) {
            h = in->vms[v].host;
            m->net0[m->p0_first[h] + fill[h]] = m->en[v];
            m->p0_list[m->p0_first[h] + fill[h]++] = v;
        }
        free(fill);
    }
    for (h = 0; h < nh; h++)
        qsort(m->net0 + m->p0_first[h],
              (size_t)(m->p0_first[h + 1] - m->p0_first[h]), sizeof(double),
              dbl_cmp);
    for (h = 0; h < nh; h++) {
        int n = m->p0_first[h + 1] - m->p0_first[h];
        const int *idx = m->p0_list + m->p0_first[h];

        bal__pl_rates(m, h, idx, n, 0, NULL);
        for (k = 0; k < n; k++) {
            m->f0[idx[k]] = m->s_frac[k];
            m->s0[idx[k]] = m->s_share[k];
            m->ps0[idx[k]] = m->s_pshare[k];
        }
    }
    m->nevals = 0;
    return 0;
}

/* A scheduler weight as the model uses it: unknown (0) or nonsense is
 * Xen's default. */
static double weight_of(double w)
{
    return w > 0 && isfinite(w) ? w : BAL__PL_WEIGHT_DEFAULT;
}

/* The weights of the n VMs idx[] and (last) dom0 on host h into wt[];
 * false when they are all alike: the pCPUs are shared equally then,
 * exactly as before weights were known. */
static bool cpu_weights(const bal__pl_model *m, int h, const int *idx,
                        int n, double *wt)
{
    bool differ = false;
    int i;

    wt[n] = weight_of(m->in->hosts[h].dom0_weight);
    for (i = 0; i < n; i++) {
        wt[i] = weight_of(m->in->vms[idx[i]].weight);
        differ |= wt[i] != wt[n];
    }
    return differ;
}

/* Each VM's share of its demand as the fairness figures count it: each
 * of the host's pCPUs, its disk path and its NIC shared max-min fairly
 * among the VMs' own demands, min(cpu, vcpus) and their disk and NIC
 * demands, with no dom0, no CPU for I/O and no migration (what an admin
 * checks from the status; the disk and NIC shares are the model's, which
 * have no dom0 in them either). */
static void plain_shares(bal__pl_model *m, int h, const int *idx, int n)
{
    const bal__pl_vm *vms = m->in->vms;
    double *pd = m->s_pdem, *pa = m->s_palloc, *ps = m->s_pshare, x;
    int i;

    for (i = 0; i < n; i++)
        pd[i] = bal__dmin(vms[idx[i]].cpu, (double)vms[idx[i]].vcpus);
    bal__waterfill(m->in->hosts[h].pcpus, pd, pa, n, m->s_pairs);
    for (i = 0; i < n; i++) {
        double e = m->e[idx[i]], en = m->en[idx[i]], f[BAL_NRES];

        f[BAL_RES_CPU] = pd[i] > 0 ? pa[i] / pd[i] : 1;
        f[BAL_RES_IO] = e > 0 ? m->s_d[i] / e : 1;
        f[BAL_RES_NET] = en > 0 ? m->s_dn[i] / en : 1;
        type_rate(vms[idx[i]].type, f, &x, &ps[i]);
    }
}

double bal__pl_rates(bal__pl_model *m, int h, const int *idx, int n,
                     double extra, double *frac_r)
{
    const bal__pl_params *p = m->p;
    const bal__pl_vm *vms = m->in->vms;
    double P = m->in->hosts[h].pcpus, tsum = extra, runm;
    double *dem = m->s_dem, *d = m->s_d, *want = m->s_want, *a = m->s_a;
    double *td = m->s_tdem, *ta = m->s_talloc, *dn = m->s_dn;
    double *frac = frac_r ? frac_r : m->s_frac, *share = m->s_share;
    double cap_net = m->in->hosts[h].net_Bps;
    bool traffic = false;
    int i;

    m->nevals++;
    /* 1. The disk path, water-filled among the VMs' disk demands. */
    for (i = 0; i < n; i++) dem[i] = m->e[idx[i]];
    bal__waterfill(m->cap_io[h], dem, d, n, m->s_pairs);
    /* 1b. The NIC, among the VMs' traffic and the migration streams dom0
     *     copies (one claimant, extra / migcpu MB/s); VMs' traffic costs
     *     no CPU in this model, as in the simulator's.  Without traffic
     *     or a known NIC every VM gets what it wants. */
    for (i = 0; m->any_traffic && i < n; i++) {
        dn[i] = dem[i] = m->en[idx[i]];
        traffic |= dem[i] > 0;
    }
    if (traffic && cap_net > 0) {
        dem[n] = extra > 0 && p->migcpu > 0 ? extra * BAL__PL_MB / p->migcpu
                                            : 0;
        bal__waterfill(cap_net, dem, dn, n + 1, m->s_pairs);
    }

    /* 2. CPU, per domain: each VM's computation plus the guest side of
     *    the I/O it was granted, capped at its vCPUs; dom0 the sum of its
     *    tasks - one backend per VM serving that I/O, and the migration
     *    work it is given - at most its P vCPUs. */
    for (i = 0; i < n; i++) {
        const bal__pl_vm *v = &vms[idx[i]];

        want[i] = v->cpu + p->iocpu * d[i] / BAL__PL_MB;
        dem[i] = bal__dmin((double)v->vcpus, want[i]);
        td[i] = p->dom0cpu * d[i] / BAL__PL_MB;
        tsum += td[i];
    }
    td[n] = extra;
    dem[n] = bal__dmin(P, tsum);
    /* Xen's credit schedulers share the busy pCPUs by weight. */
    bal__waterfill_w(P, dem, m->any_weight && cpu_weights(m, h, idx, n, m->s_wt)
                                 ? m->s_wt : NULL,
                     a, n + 1, m->s_pairs);
    /* What dom0 gets is shared among its tasks in turn (its kernel
     *    schedules its threads): a light backend before a hungry copy. */
    bal__waterfill(a[n], td, ta, n + 1, m->s_pairs);

    /* 3. Starvation: a VM computes at got/wanted of its CPU demand and
     *    does its I/O at the lesser of that and its backend's fraction. */
    runm = extra > 0 ? bal__dmin(1, ta[n] / extra) : 1;
    for (i = 0; i < n; i++) {
        const bal__pl_vm *v = &vms[idx[i]];
        double run = want[i] > 0 ? bal__dmin(1, a[i] / want[i]) : 1;
        double runb = td[i] > 0 ? bal__dmin(1, ta[i] / td[i]) : 1;
        double e = m->e[idx[i]], en = m->en[idx[i]], f[BAL_NRES];

        f[BAL_RES_CPU] = run;
        f[BAL_RES_IO] = e > 0 ? bal__dmin(run, runb) * d[i] / e : 1;
        f[BAL_RES_NET] = en > 0 ? dn[i] / en : 1;
        type_rate(v->type, f, &frac[i], &share[i]);
    }
    if (extra == 0) plain_shares(m, h, idx, n);
    return runm;
}

double bal__pl_score(bal__pl_model *m, int h, const int *idx, int n,
                     double tau)
{
    double s = 0;
    int i;

    bal__pl_rates(m, h, idx, n, 0, NULL);
    /* Until tau the host runs as it did (every VM at its starting rate,
     * where it started); from tau on at the new rates. */
    for (i = 0; i < n; i++) {
        int v = idx[i];
        double w = m->w[v];

        if (tau > 0) s += m->f0[v] * bal__dmin(w, tau) + m->s_frac[i] * bal__dmax(0, w - tau);
        else s += m->s_frac[i] * w;
    }
    return s;
}

/* The fraction of `extra' pCPUs of migration work dom0 on host h (as it
 * started) can do; cached per host for the last extra asked. */
static double mig_run(bal__pl_model *m, int h, double extra)
{
    int n = m->p0_first[h + 1] - m->p0_first[h];
    const int *idx = m->p0_list + m->p0_first[h];

    if (m->mc_extra[h] != extra) {
        m->mc_run0[h] = bal__pl_rates(m, h, idx, n, extra, NULL);
        m->mc_extra[h] = extra;
    }
    return m->mc_run0[h];
}

/* The work host h's starting VMs lose while dom0 copies with `extra'
 * pCPUs for T seconds (each VM at most until its own job ends); each
 * VM's rate lost is cached per host for the last extra asked. */
static double mig_loss(bal__pl_model *m, int h, double extra, double T)
{
    int n = m->p0_first[h + 1] - m->p0_first[h], k;
    const int *idx = m->p0_list + m->p0_first[h];
    double *delta = m->mc_delta + m->p0_first[h], s = 0;

    if (m->mc_dextra[h] != extra) {
        bal__pl_rates(m, h, idx, n, extra, NULL);
        for (k = 0; k < n; k++)
            delta[k] = bal__dmax(0, m->f0[idx[k]] - m->s_frac[k]);
        m->mc_dextra[h] = extra;
    }
    for (k = 0; k < n; k++)
        if (delta[k] > 0) s += delta[k] * bal__dmin(m->w[idx[k]], T);
    return s;
}

void bal__pl_move_cost(bal__pl_model *m, int v, int src, int dst,
                       bal__pl_cost *out)
{
    double base, want;

    memset(out, 0, sizeof(*out));
    if (bal__pl_link(m, src, dst) <= 0) {
        out->ok = false;
        out->pc.time_s = INFINITY;
        out->loss = INFINITY;
        return;
    }
    out->ok = true;
    base = bal__pl_base_bw(m, src, dst, 1, 1, 1);
    /* Copying costs migcpu per MB at each end.  The stream goes as fast
     * as the slower end's dom0 can copy it; then each end's dom0 does
     * only that much, and what it takes is taken from its VMs. */
    want = m->p->migcpu * base / BAL__PL_MB;
    out->bw = base * bal__dmin(mig_run(m, src, want), mig_run(m, dst, want));
    out->extra = m->p->migcpu * out->bw / BAL__PL_MB;
    bal__pl_vm_precopy(m, v, out->bw, &out->pc);
    /* Both ends lose while it copies; the VM itself does nothing while
     * paused for the last copy. */
    out->loss = mig_loss(m, src, out->extra, out->pc.time_s) +
                mig_loss(m, dst, out->extra, out->pc.time_s) +
                m->f0[v] * bal__dmin(m->w[v], out->pc.downtime_s);
}
