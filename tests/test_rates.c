/*
 * test_rates.c - bal__rates_compute and bal__counter_delta: matching VMs
 * across samples by UUID, counter wraps and resets, moves, bad clocks,
 * and matching at cluster scale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "observe/rates.h"

#define SEC UINT64_C(1000000000)

static void mkuuid(char *out, unsigned n)
{
    snprintf(out, BAL__UUID_LEN + 1, "%08x-0000-4000-8000-%012x", n, n * 7u);
}

static bal__dom *add_dom(bal__host *h, unsigned id, uint32_t domid)
{
    bal__dom *d = NULL;

    assert_int_equal(bal__host_add_dom(h, &d), 0);
    mkuuid(d->uuid, id);
    snprintf(d->name, sizeof(d->name), "vm%u", id);
    d->domid = domid;
    d->vcpus = 2;
    return d;
}

/* Counters that grow by k * (base rate) per second. */
static void set_counters(bal__dom *d, uint64_t t_s, uint64_t k)
{
    d->cpu_ns = t_s * k * 100000000ull;          /* 0.1 k pCPU */
    d->vbd_rd_reqs = t_s * k * 10;
    d->vbd_wr_reqs = t_s * k * 20;
    d->vbd_rd_sect = t_s * k * 1000;
    d->vbd_wr_sect = t_s * k * 2000;
    d->net_rx_bytes = t_s * k * 3000;
    d->net_tx_bytes = t_s * k * 4000;
}

static void check_rates(const bal__rate *r, uint64_t k)
{
    assert_float_equal(r->cpu, 0.1 * k, 1e-9);
    assert_float_equal(r->rd_iops, 10.0 * k, 1e-6);
    assert_float_equal(r->wr_iops, 20.0 * k, 1e-6);
    assert_float_equal(r->rd_Bps, 1000.0 * 512 * k, 1e-3);
    assert_float_equal(r->wr_Bps, 2000.0 * 512 * k, 1e-3);
    assert_float_equal(r->net_rx_Bps, 3000.0 * k, 1e-6);
    assert_float_equal(r->net_tx_Bps, 4000.0 * k, 1e-6);
}

static void check_zero(const bal__rate *r)
{
    assert_true(r->cpu == 0 && r->rd_Bps == 0 && r->wr_Bps == 0 &&
                r->rd_iops == 0 && r->wr_iops == 0 &&
                r->net_rx_Bps == 0 && r->net_tx_Bps == 0);
}

/* ---- bal__counter_delta ------------------------------------------------ */

static void test_delta(void **state)
{
    int w = 0;

    assert_int_equal(bal__counter_delta(100, 150, &w), 50);
    assert_int_equal(w, 0);
    assert_int_equal(bal__counter_delta(7, 7, &w), 0);
    /* 32-bit wrap: 0xfffffff0 -> 0x10 is 0x20 */
    assert_int_equal(bal__counter_delta(0xfffffff0u, 0x10, &w), 0x20);
    assert_int_equal(w, 1);
    /* Largest wrap accepted: delta 2^31 - 1; 2^31 is a reset. */
    w = 0;
    assert_int_equal(bal__counter_delta(UINT32_MAX, 0x7ffffffeu, &w),
                     0x7fffffff);
    assert_int_equal(w, 1);
    w = 0;
    assert_int_equal(bal__counter_delta(UINT32_MAX, 0x7fffffffu, &w), -1);
    assert_int_equal(w, 0);
    /* A big drop is a reset. */
    assert_int_equal(bal__counter_delta(1000000000u, 5, &w), -1);
    /* A drop from a value that never fitted in 32 bits is a reset. */
    assert_int_equal(bal__counter_delta(UINT64_C(1) << 32, 5, &w), -1);
    assert_int_equal(w, 0);
    /* wrapped may be NULL */
    assert_int_equal(bal__counter_delta(0xffffffffu, 1, NULL), 2);
    /* Deltas past INT64_MAX cannot be a workload. */
    assert_int_equal(bal__counter_delta(0, UINT64_MAX, &w), -1);
}

/* ---- bal__rates_compute ------------------------------------------------ */

static void test_plain(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = -1;

    bal__sample_init(&a);
    bal__sample_init(&b);
    {
        bal__host *h = tu_add_host(&a, "h1", 100 * SEC, 8);
        set_counters(add_dom(h, 0, 0), 100, 3);   /* dom0 */
        set_counters(add_dom(h, 1, 5), 100, 1);
    }
    {
        bal__host *h = tu_add_host(&b, "h1", 102 * SEC, 8);   /* 2 s later */
        set_counters(add_dom(h, 1, 5), 102, 1);          /* order swapped */
        set_counters(add_dom(h, 0, 0), 102, 3);
    }
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].host, 0);
    assert_int_equal(r[0].dom, 0);
    assert_int_equal(r[0].flags, 0);
    assert_float_equal(r[0].interval_s, 2.0, 1e-12);
    check_rates(&r[0], 1);
    assert_int_equal(r[1].dom, 1);
    assert_int_equal(r[1].flags, 0);          /* dom0, like any domain */
    check_rates(&r[1], 3);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

static void test_wrap(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;
    bal__dom *d;

    bal__sample_init(&a);
    bal__sample_init(&b);
    d = add_dom(tu_add_host(&a, "h1", 10 * SEC, 8), 1, 3);
    d->cpu_ns = 5 * SEC;
    d->net_rx_bytes = UINT32_MAX - 999;   /* wraps: +1000 +1000 */
    d->vbd_rd_sect = 0xffffff00u;         /* wraps: +0x100 +0x100 */
    d = add_dom(tu_add_host(&b, "h1", 11 * SEC, 8), 1, 3);
    d->cpu_ns = 5 * SEC + SEC / 2;
    d->net_rx_bytes = 1000;
    d->vbd_rd_sect = 0x100;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].flags, BAL__RATE_WRAPPED);
    assert_false(r[0].flags & BAL__RATE_INVALID);
    assert_float_equal(r[0].net_rx_Bps, 2000.0, 1e-9);
    assert_float_equal(r[0].rd_Bps, 0x200 * 512.0, 1e-9);
    assert_float_equal(r[0].cpu, 0.5, 1e-12);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

static void test_reset(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;
    bal__dom *d;

    bal__sample_init(&a);
    bal__sample_init(&b);
    d = add_dom(tu_add_host(&a, "h1", 10 * SEC, 8), 1, 3);
    set_counters(d, 1000, 1);
    d = add_dom(tu_add_host(&b, "h1", 11 * SEC, 8), 1, 3);
    set_counters(d, 1001, 1);
    d->vbd_wr_sect = 10;     /* went down a lot: restarted */
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].flags, BAL__RATE_RESET);
    check_zero(&r[0]);
    free(r);

    /* CPU time is 64-bit: below 2^32 ns a decrease is still a reset. */
    b.hosts[0].doms[0].vbd_wr_sect = a.hosts[0].doms[0].vbd_wr_sect + 1;
    a.hosts[0].doms[0].cpu_ns = 4 * SEC;
    b.hosts[0].doms[0].cpu_ns = SEC / 10;
    r = NULL;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(r[0].flags, BAL__RATE_RESET);
    check_zero(&r[0]);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

static void test_vanished_and_new(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;
    bal__host *h;

    bal__sample_init(&a);
    bal__sample_init(&b);
    h = tu_add_host(&a, "h1", 10 * SEC, 8);
    set_counters(add_dom(h, 1, 1), 10, 1);
    set_counters(add_dom(h, 2, 2), 10, 1);    /* gone by the next sample */
    h = tu_add_host(&b, "h1", 12 * SEC, 8);
    set_counters(add_dom(h, 1, 1), 12, 1);
    set_counters(add_dom(h, 3, 7), 12, 5);    /* new */
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 2);                   /* no entry for vm2 */
    assert_int_equal(r[0].flags, 0);
    check_rates(&r[0], 1);
    assert_int_equal(r[1].flags, BAL__RATE_NEW);
    assert_int_equal(r[1].dom, 1);
    check_zero(&r[1]);
    free(r);

    /* No previous sample at all: every domain is new. */
    r = NULL;
    assert_int_equal(bal__rates_compute(NULL, &b, &r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].flags, BAL__RATE_NEW);
    assert_int_equal(r[1].flags, BAL__RATE_NEW);
    free(r);

    /* An empty current sample: no rates, no allocation. */
    bal__sample_dispose(&b);
    r = (bal__rate *)&n;
    n = 42;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_null(r);
    assert_int_equal(n, 0);

    /* Bad arguments leave the outputs alone. */
    r = (bal__rate *)&n;
    n = 42;
    assert_int_equal(bal__rates_compute(&a, NULL, &r, &n), BAL_EINVAL);
    assert_ptr_equal(r, (bal__rate *)&n);
    assert_int_equal(n, 42);
    bal__sample_dispose(&a);
}

static void test_domid(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;

    bal__sample_init(&a);
    bal__sample_init(&b);
    set_counters(add_dom(tu_add_host(&a, "h1", 10 * SEC, 8), 1, 4), 10, 1);
    /* rebooted: new domid; counters even grew, still not comparable */
    set_counters(add_dom(tu_add_host(&b, "h1", 12 * SEC, 8), 1, 9), 12, 1);
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].flags, BAL__RATE_DOMID | BAL__RATE_RESET);
    check_zero(&r[0]);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

static void test_moved(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;
    bal__host *h1, *h2;

    bal__sample_init(&a);
    bal__sample_init(&b);
    h1 = tu_add_host(&a, "h1", 10 * SEC, 8);
    set_counters(add_dom(h1, 0, 0), 10, 1);
    set_counters(add_dom(h1, 1, 4), 10, 1);
    h2 = tu_add_host(&a, "h2", 50 * SEC, 8);
    set_counters(add_dom(h2, 0, 0), 50, 1);
    h1 = tu_add_host(&b, "h1", 12 * SEC, 8);
    set_counters(add_dom(h1, 0, 0), 12, 1);
    h2 = tu_add_host(&b, "h2", 52 * SEC, 8);
    set_counters(add_dom(h2, 0, 0), 52, 1);
    set_counters(add_dom(h2, 1, 4), 12, 1);   /* vm1 now on h2, same domid */
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(r[1].host, 1);
    assert_int_equal(r[2].host, 1);
    assert_int_equal(r[2].dom, 1);
    assert_int_equal(r[2].flags, BAL__RATE_MOVED);
    check_zero(&r[2]);
    free(r);

    /* With the domid that migration usually gives: MOVED|DOMID. */
    b.hosts[1].doms[1].domid = 17;
    r = NULL;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(r[2].flags, BAL__RATE_MOVED | BAL__RATE_DOMID);
    assert_true(r[2].flags & BAL__RATE_INVALID);
    /* Both dom0s share one UUID: each matches its own host's. */
    assert_int_equal(r[0].flags, 0);
    assert_int_equal(r[1].flags, 0);
    check_rates(&r[0], 1);
    check_rates(&r[1], 1);
    free(r);

    /* Mid-migration the VM is on both hosts: the source copy keeps its
     * rate, the destination copy is MOVED. */
    set_counters(add_dom(&b.hosts[0], 1, 4), 12, 1);
    r = NULL;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(r[1].host, 0);
    assert_int_equal(r[1].flags, 0);
    check_rates(&r[1], 1);
    assert_int_equal(r[3].flags, BAL__RATE_MOVED | BAL__RATE_DOMID);
    free(r);

    /* A dom0 on a host new to the cluster is new, not moved. */
    h1 = tu_add_host(&b, "h3", 7 * SEC, 8);
    set_counters(add_dom(h1, 0, 0), 7, 1);
    r = NULL;
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(r[4].flags, BAL__RATE_NEW);
    assert_true(r[4].interval_s == 0.0);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

static void test_badtime(void **state)
{
    static const uint64_t later[] = { 10 * SEC, 9 * SEC }; /* 0, < 0 */
    int t;

    for (t = 0; t < 2; t++) {
        bal__sample a, b;
        bal__rate *r = NULL;
        int n = 0;

        bal__sample_init(&a);
        bal__sample_init(&b);
        set_counters(add_dom(tu_add_host(&a, "h1", 10 * SEC, 8), 1, 4), 10, 1);
        set_counters(add_dom(tu_add_host(&b, "h1", later[t], 8), 1, 4), 12, 1);
        assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].flags, BAL__RATE_BADTIME);
        assert_true(r[0].interval_s <= 0);
        check_zero(&r[0]);
        free(r);
        bal__sample_dispose(&a);
        bal__sample_dispose(&b);
    }
}

/* Each host has its own clock and interval. */
static void test_two_hosts(void **state)
{
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0;

    bal__sample_init(&a);
    bal__sample_init(&b);
    set_counters(add_dom(tu_add_host(&a, "h1", 100 * SEC, 8), 1, 4), 100, 2);
    set_counters(add_dom(tu_add_host(&a, "h2", 5000 * SEC, 8), 2, 4), 5000, 4);
    /* b lists the hosts the other way round */
    set_counters(add_dom(tu_add_host(&b, "h2", 5004 * SEC, 8), 2, 4), 5004, 4);
    set_counters(add_dom(tu_add_host(&b, "h1", 101 * SEC, 8), 1, 4), 101, 2);
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].host, 0);
    assert_float_equal(r[0].interval_s, 4.0, 1e-12);
    assert_int_equal(r[0].flags, 0);
    check_rates(&r[0], 4);
    assert_int_equal(r[1].host, 1);
    assert_float_equal(r[1].interval_s, 1.0, 1e-12);
    assert_int_equal(r[1].flags, 0);
    check_rates(&r[1], 2);
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

/* 20,000 VMs on 200 hosts; the current sample lists hosts and domains in
 * another order than the previous one, some VMs moved, some are new. */
static void test_many(void **state)
{
    enum { NH = 200, PER = 100 };
    bal__sample a, b;
    bal__rate *r = NULL;
    int n = 0, i, j, nmoved = 0, nnew = 0, nok = 0;
    char name[32];

    bal__sample_init(&a);
    bal__sample_init(&b);
    for (i = 0; i < NH; i++) {
        bal__host *h;

        snprintf(name, sizeof(name), "host%03d", i);
        h = tu_add_host(&a, name, (uint64_t)(1000 + i) * SEC, 8);
        for (j = 0; j < PER; j++) {
            unsigned id = (unsigned)(i * PER + j);
            set_counters(add_dom(h, id, (uint32_t)j + 1), 1000 + i,
                         1 + id % 13);
        }
    }
    for (i = NH - 1; i >= 0; i--) {
        bal__host *h;
        /* interval of host i: 1 + i % 5 seconds */
        uint64_t t = (uint64_t)(1000 + i + 1 + i % 5);

        snprintf(name, sizeof(name), "host%03d", i);
        h = tu_add_host(&b, name, t * SEC, 8);
        for (j = PER - 1; j >= 0; j--) {
            unsigned id = (unsigned)(i * PER + j);
            int src = i;

            if (j == 7) src = (i + 1) % NH;     /* vm j==7 came from i+1 */
            if (j == 99) id += NH * PER;        /* a new VM */
            if (j == 7) id = (unsigned)(src * PER + j);
            set_counters(add_dom(h, id, (uint32_t)j + 1), t, 1 + id % 13);
        }
    }
    assert_int_equal(bal__rates_compute(&a, &b, &r, &n), 0);
    assert_int_equal(n, NH * PER);
    for (i = 0; i < n; i++) {
        const bal__host *h = &b.hosts[r[i].host];
        const bal__dom *d = &h->doms[r[i].dom];
        int hi = atoi(h->name + 4);
        unsigned id;

        assert_int_equal(i / PER, NH - 1 - hi);   /* cur's order */
        assert_int_equal(r[i].dom, i % PER);
        assert_float_equal(r[i].interval_s, 1 + hi % 5, 1e-9);
        sscanf(d->uuid, "%x", &id);
        if (d->domid == 8) {                       /* j == 7 */
            assert_int_equal(r[i].flags, BAL__RATE_MOVED);
            nmoved++;
        } else if (d->domid == 100) {              /* j == 99 */
            assert_int_equal(r[i].flags, BAL__RATE_NEW);
            nnew++;
        } else {
            assert_int_equal(r[i].flags, 0);
            check_rates(&r[i], 1 + id % 13);
            nok++;
        }
    }
    assert_int_equal(nmoved, NH);
    assert_int_equal(nnew, NH);
    assert_int_equal(nok, NH * (PER - 2));
    free(r);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delta),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_vanished_and_new),
        cmocka_unit_test(test_domid),
        cmocka_unit_test(test_moved),
        cmocka_unit_test(test_badtime),
        cmocka_unit_test(test_two_hosts),
        cmocka_unit_test(test_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
