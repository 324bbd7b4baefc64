/*
 * rates.c - per-VM rates from two cluster samples.  Pure: no Xen header.
 *
 * Matching is by UUID over the whole cluster, through an index of the
 * previous sample sorted by (UUID, host): O(n log n), so 50,000 VMs cost
 * milliseconds.  The same UUID may appear more than once in a sample:
 * during a live migration the domain exists on both hosts for a moment,
 * and every dom0 usually has the all-zero UUID.  So among the previous
 * entries of a UUID the one on the VM's current host is preferred; only
 * when there is none did the VM move.  dom0 never migrates: a dom0 is
 * matched on its own host only.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "rates.h"

#define TWO32 (UINT64_C(1) << 32)
#define TWO31 (UINT64_C(1) << 31)

int64_t bal__counter_delta(uint64_t prev, uint64_t cur, int *wrapped)
{
    uint64_t d;

    if (cur >= prev) {
        d = cur - prev;
        /* A jump of 2^63 is no workload: the counter was replaced. */
        return d > (uint64_t)INT64_MAX ? -1 : (int64_t)d;
    }
    /* Went backwards.  A counter kept in 32 bits somewhere on the way
     * (older netback, 32-bit guests' blkback stats) wraps at 2^32; if
     * that reading gives a delta under 2^31 it is a wrap, anything else
     * (a big drop, or a value that never fitted 32 bits) is a restart. */
    if (prev <= UINT32_MAX) {
        d = cur + TWO32 - prev;
        if (d < TWO31) {
            if (wrapped) *wrapped = 1;
            return (int64_t)d;
        }
    }
    return -1;
}

/* CPU time is 64-bit nanoseconds from the hypervisor: it never wraps, so
 * any decrease is a restart (4.29 s of CPU must not read as a wrap). */
static int64_t cpu_delta(uint64_t prev, uint64_t cur)
{
    return cur >= prev && cur - prev <= (uint64_t)INT64_MAX
        ? (int64_t)(cur - prev) : -1;
}

/* One domain of the previous sample in the index. */
typedef struct pentry {
    const char *uuid;
    int host, dom;
} pentry;

static int pentry_cmp(const void *a, const void *b)
{
    const pentry *x = a, *y = b;
    int c = strcmp(x->uuid, y->uuid);

    if (c) return c;
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    return x->dom < y->dom ? -1 : x->dom > y->dom;
}

/* Host names of the previous sample, sorted, to map hosts by name. */
typedef struct hentry {
    const char *name;
    int idx;
} hentry;

static int hentry_cmp(const void *a, const void *b)
{
    const hentry *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx; /* first one wins */
}

/* The string at byte offset key_off of entry i (each size bytes) of ix. */
static const char *key_at(const void *ix, size_t size, size_t key_off,
                          long i)
{
    return *(const char *const *)((const char *)ix + (size_t)i * size +
                                  key_off);
}

/* The first of the n entries at ix, sorted by that string, whose string
 * is key; or -1.  Both indexes below are searched by it. */
static long sorted_first(const void *ix, long n, size_t size, size_t key_off,
                         const char *key)
{
    long lo = 0, hi = n;

    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (strcmp(key_at(ix, size, key_off, mid), key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && !strcmp(key_at(ix, size, key_off, lo), key) ? lo : -1;
}

/* The first index entry with this UUID, or -1. */
static long pindex_first(const pentry *ix, long n, const char *uuid)
{
    return sorted_first(ix, n, sizeof(*ix), offsetof(pentry, uuid), uuid);
}

/* The index of the previous sample's host called name, or -1. */
static int hindex_find(const hentry *hx, int n, const char *name)
{
    long i = sorted_first(hx, n, sizeof(*hx), offsetof(hentry, name), name);

    return i >= 0 ? hx[i].idx : -1;
}

/* Fills r's flags and rates from the matched previous domain p (on the
 * same host, whose clocks gave interval_ns). */
static void rate_one(bal__rate *r, const bal__dom *p, const bal__dom *d,
                     int64_t interval_ns)
{
    int64_t dcpu, drd_reqs, dwr_reqs, drd_sect, dwr_sect, drx, dtx;
    int wrapped = 0;
    double s;

    if (interval_ns <= 0) r->flags |= BAL__RATE_BADTIME;
    if (p->domid != d->domid) {
        /* A new domain under the old UUID (migrated back, rebooted): its
         * counters started again at 0, so none of them is comparable. */
        r->flags |= BAL__RATE_DOMID | BAL__RATE_RESET;
        return;
    }
    dcpu = cpu_delta(p->cpu_ns, d->cpu_ns);
    drd_reqs = bal__counter_delta(p->vbd_rd_reqs, d->vbd_rd_reqs, &wrapped);
    dwr_reqs = bal__counter_delta(p->vbd_wr_reqs, d->vbd_wr_reqs, &wrapped);
    drd_sect = bal__counter_delta(p->vbd_rd_sect, d->vbd_rd_sect, &wrapped);
    dwr_sect = bal__counter_delta(p->vbd_wr_sect, d->vbd_wr_sect, &wrapped);
    drx = bal__counter_delta(p->net_rx_bytes, d->net_rx_bytes, &wrapped);
    dtx = bal__counter_delta(p->net_tx_bytes, d->net_tx_bytes, &wrapped);
    if (wrapped) r->flags |= BAL__RATE_WRAPPED;
    if (dcpu < 0 || drd_reqs < 0 || dwr_reqs < 0 || drd_sect < 0 ||
        dwr_sect < 0 || drx < 0 || dtx < 0)
        r->flags |= BAL__RATE_RESET;
    if (r->flags & BAL__RATE_INVALID) return;

    s = (double)interval_ns / 1e9;
    r->cpu = (double)dcpu / (double)interval_ns;
    r->rd_Bps = (double)drd_sect * 512.0 / s;
    r->wr_Bps = (double)dwr_sect * 512.0 / s;
    r->rd_iops = (double)drd_reqs / s;
    r->wr_iops = (double)dwr_reqs / s;
    r->net_rx_Bps = (double)drx / s;
    r->net_tx_Bps = (double)dtx / s;
}

int bal__rates_compute(const bal__sample *prev, const bal__sample *cur,
                       bal__rate **rates_r, int *n_r)
{
    pentry *ix = NULL;
    hentry *hx = NULL;
    bal__rate *rates = NULL;
    long nprev = 0, ncur = 0, k;
    int nph = 0, i, j, rc;

    /* A NULL prev is "no previous sample": every domain is new. */
    if (!cur || !rates_r || !n_r) { rc = BAL_EINVAL; goto out; }

    for (i = 0; i < cur->nhosts; i++) ncur += cur->hosts[i].ndoms;
    if (ncur > INT_MAX) { rc = BAL_ERANGE; goto out; }
    if (prev) {
        nph = prev->nhosts;
        for (i = 0; i < prev->nhosts; i++) nprev += prev->hosts[i].ndoms;
    }

    if (ncur) {
        rates = calloc((size_t)ncur, sizeof(*rates));
        if (!rates) { rc = BAL_ENOMEM; goto out; }
    }
    if (nprev) {
        ix = malloc((size_t)nprev * sizeof(*ix));
        if (!ix) { rc = BAL_ENOMEM; goto out; }
        k = 0;
        for (i = 0; i < prev->nhosts; i++)
            for (j = 0; j < prev->hosts[i].ndoms; j++) {
                ix[k].uuid = prev->hosts[i].doms[j].uuid;
                ix[k].host = i;
                ix[k].dom = j;
                k++;
            }
        qsort(ix, (size_t)nprev, sizeof(*ix), pentry_cmp);
    }
    if (nph) {
        hx = malloc((size_t)nph * sizeof(*hx));
        if (!hx) { rc = BAL_ENOMEM; goto out; }
        for (i = 0; i < nph; i++) {
            hx[i].name = prev->hosts[i].name;
            hx[i].idx = i;
        }
        qsort(hx, (size_t)nph, sizeof(*hx), hentry_cmp);
        /* Keep the first of duplicate names, as bal__sample_find_host. */
        for (i = 1, j = 1; i < nph; i++)
            if (strcmp(hx[i].name, hx[j - 1].name)) hx[j++] = hx[i];
        nph = j;
    }

    k = 0;
    for (i = 0; i < cur->nhosts; i++) {
        const bal__host *h = &cur->hosts[i];
        int ph = hindex_find(hx, nph, h->name);
        int64_t interval_ns = 0;

        if (ph >= 0)
            interval_ns = (int64_t)(h->time_ns - prev->hosts[ph].time_ns);

        for (j = 0; j < h->ndoms; j++) {
            const bal__dom *d = &h->doms[j];
            bal__rate *r = &rates[k++];
            long f = pindex_first(ix, nprev, d->uuid), m, same = -1;

            r->host = i;
            r->dom = j;
            r->interval_s = ph >= 0 ? (double)interval_ns / 1e9 : 0.0;
            /* Entries of one UUID are sorted by host: find ours. */
            for (m = f; f >= 0 && m < nprev &&
                        !strcmp(ix[m].uuid, d->uuid); m++)
                if (ix[m].host == ph) { same = m; break; }

            if (same >= 0) {
                rate_one(r, &prev->hosts[ph].doms[ix[same].dom], d,
                         interval_ns);
            } else if (f >= 0 && d->domid != 0) {
                const bal__dom *p = &prev->hosts[ix[f].host].doms[ix[f].dom];

                /* Its counters and clock were another host's: no rate
                 * until it has two samples here. */
                r->flags = BAL__RATE_MOVED;
                if (p->domid != d->domid) r->flags |= BAL__RATE_DOMID;
            } else {
                r->flags = BAL__RATE_NEW;
            }
        }
    }

    *rates_r = rates;
    *n_r = (int)ncur;
    rates = NULL;
    rc = 0;

out:
    free(rates);
    free(ix);
    free(hx);
    return rc;
}
