/*
 * test_sim.c - the simulated cluster: CPU and disk fair shares, CPU-starved
 * I/O, dom0's backend CPU, the counters (exact units, monotone, identical
 * for identical input), the sample's shape, the paper's testbed, speed at
 * 5,000 hosts / 50,000 VMs, and the "sim" backend through bal_backend
 * with its simulated clock (an hour passes without sleeping).  Jobs:
 * idle before their start, exact completion inside a step, each part
 * stopping when done, idle after.  (Migration: test_sim_migrate.c.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "backend/sim.h"

#define NOISELESS "option noise=0\n"

typedef struct world {
    tu_log lg;
    bal_ctx *ctx;
    bal__scenario scn;
    bal__sim *sim;
} world;

static void world_open(world *w, const char *text)
{
    w->ctx = tu_ctx(&w->lg);
    bal__scenario_init(&w->scn);
    assert_int_equal(bal__scenario_parse(w->ctx, "t.scn", text, strlen(text),
                                         &w->scn), 0);
    assert_int_equal(bal__sim_alloc(&w->sim, &w->scn), 0);
}

static void world_close(world *w)
{
    bal__sim_free(w->sim);
    bal__scenario_dispose(&w->scn);
    bal_ctx_free(w->ctx);
}

static const bal__sim_vm *vm(world *w, const char *name)
{
    int i = bal__scenario_find_vm(&w->scn, name);

    assert_true(i >= 0);
    return bal__sim_vm_state(w->sim, i);
}

static bool near(double x, double want, double rel)
{
    return fabs(x - want) <= rel * fabs(want) + 1e-12;
}

/* ---- CPU ------------------------------------------------------------------ */

static void test_cpu_share(void **state)
{
    world w;

    /* Two CPU-bound VMs on one pCPU: half each; alone: all of it. */
    world_open(&w, NOISELESS
               "host A pcpus=1 mem=4G disk=10MB/s\n"
               "host B pcpus=1 mem=4G disk=10MB/s\n"
               "host C pcpus=4 mem=4G disk=10MB/s\n"
               "host D pcpus=1 mem=4G disk=10MB/s\n"
               "vm a1 host=A vcpus=1 mem=1G load=cpu\n"
               "vm a2 host=A vcpus=1 mem=1G load=cpu\n"
               "vm b1 host=B vcpus=1 mem=1G load=cpu\n"
               "vm c1 host=C vcpus=2 mem=1G load=cpu\n"
               "vm c2 host=C vcpus=4 mem=1G load=cpu cpu=0.25\n"
               "vm d1 host=D vcpus=1 mem=1G load=cpu cpu=0.2\n"
               "vm d2 host=D vcpus=1 mem=1G load=cpu\n");
    assert_int_equal(bal__sim_advance(w.sim, 10), 0);
    assert_true(vm(&w, "a1")->cpu == 0.5);
    assert_true(vm(&w, "a2")->cpu == 0.5);
    assert_true(vm(&w, "a1")->run == 0.5);
    assert_true(vm(&w, "b1")->cpu == 1.0);
    assert_true(vm(&w, "b1")->run == 1.0);
    /* A VM runs at most its vCPUs; 4 pCPUs cover 2 + 1. */
    assert_true(vm(&w, "c1")->cpu == 2.0);
    assert_true(vm(&w, "c2")->cpu == 1.0);
    /* Max-min: the small demand is met, the big one gets the rest. */
    assert_true(near(vm(&w, "d1")->cpu, 0.2, 1e-12));
    assert_true(near(vm(&w, "d2")->cpu, 0.8, 1e-12));
    /* The counters: CPU-seconds * 1e9, after 10 s. */
    assert_true(near(vm(&w, "a1")->cpu_s, 5, 1e-12));
    assert_true(near(vm(&w, "c1")->cpu_s, 20, 1e-12));
    assert_true(bal__sim_host_state(w.sim, 0)->dom0_cpu == 0);
    world_close(&w);
}

/* ---- disk ----------------------------------------------------------------- */

static void test_disk_share(void **state)
{
    world w;

    world_open(&w, NOISELESS "option iocpu=0 dom0cpu=0\n"
               "host A pcpus=2 mem=4G disk=10MB/s\n"
               "host B pcpus=2 mem=4G disk=10MB/s\n"
               "host C pcpus=2 mem=4G disk=10MB/s iops=100\n"
               "vm a1 host=A vcpus=1 mem=1G load=io\n"
               "vm a2 host=A vcpus=1 mem=1G load=io write=0.5\n"
               "vm b1 host=B vcpus=1 mem=1G load=io io=2MB/s\n"
               "vm b2 host=B vcpus=1 mem=1G load=io\n"
               "vm c1 host=C vcpus=1 mem=1G load=io\n");
    assert_int_equal(bal__sim_advance(w.sim, 10), 0);
    /* Two readers split the path. */
    assert_true(near(vm(&w, "a1")->io_Bps, 5e6, 1e-12));
    assert_true(near(vm(&w, "a2")->io_Bps, 5e6, 1e-12));
    assert_true(near(vm(&w, "a1")->rd_bytes, 5e7, 1e-12));
    assert_true(vm(&w, "a1")->wr_bytes == 0);
    assert_true(near(vm(&w, "a2")->rd_bytes, 2.5e7, 1e-12));
    assert_true(near(vm(&w, "a2")->wr_bytes, 2.5e7, 1e-12));
    /* A reader wanting less than half keeps it; the other gets the rest. */
    assert_true(near(vm(&w, "b1")->io_Bps, 2e6, 1e-12));
    assert_true(near(vm(&w, "b2")->io_Bps, 8e6, 1e-12));
    /* An iops limit: 100 requests/s of 44K. */
    assert_true(near(vm(&w, "c1")->io_Bps, 100.0 * 44 * 1024, 1e-12));
    assert_true(near(bal__sim_host_state(w.sim, 0)->io_Bps, 1e7, 1e-12));
    world_close(&w);
}

/* CPU-starved I/O slows; dom0's backend CPU grows with the I/O served. */
static void test_cpu_and_io(void **state)
{
    world w;
    const bal__sim_host *a, *b, *c;

    world_open(&w, NOISELESS
               /* A: the reader needs 0.1 s of its CPU per MB: 1.0 pCPU
                * for 10 MB/s, but shares the pCPU with a CPU hog. */
               "host A pcpus=1 mem=4G disk=10MB/s dom0cpu=0\n"
               /* B: one reader, dom0 spends 0.01 s per MB. */
               "host B pcpus=1 mem=4G disk=10MB/s dom0cpu=0.01\n"
               /* C: dom0 would need 2 pCPUs for 20 MB/s; it gets a
                * fair half of the one there is. */
               "host C pcpus=1 mem=4G disk=20MB/s dom0cpu=0.1\n"
               "host D pcpus=1 mem=4G disk=10MB/s dom0cpu=0.01\n"
               "vm a1 host=A vcpus=1 mem=1G load=io iocpu=0.1\n"
               "vm a2 host=A vcpus=1 mem=1G load=cpu\n"
               "vm b1 host=B vcpus=1 mem=1G load=io iocpu=0\n"
               "vm c1 host=C vcpus=1 mem=1G load=io iocpu=0\n"
               "vm c2 host=C vcpus=1 mem=1G load=cpu\n"
               "vm d1 host=D vcpus=1 mem=1G load=io io=2MB/s iocpu=0\n");
    assert_int_equal(bal__sim_advance(w.sim, 10), 0);
    a = bal__sim_host_state(w.sim, 0);
    b = bal__sim_host_state(w.sim, 1);
    c = bal__sim_host_state(w.sim, 2);

    /* A: both want a whole pCPU, both get half: the reader reads at half
     * its disk share, and its CPU is all I/O. */
    assert_true(near(vm(&w, "a1")->run, 0.5, 1e-12));
    assert_true(near(vm(&w, "a1")->io_Bps, 5e6, 1e-12));
    assert_true(near(vm(&w, "a1")->cpu, 0.5, 1e-12));
    assert_true(near(vm(&w, "a2")->cpu, 0.5, 1e-12));
    assert_true(a->dom0_cpu == 0);

    /* B: dom0 = 0.01 s/MB * 10 MB/s = 0.1 pCPU; its counter: 1 s in 10. */
    assert_true(near(b->dom0_cpu, 0.1, 1e-12));
    assert_true(near(b->dom0_cpu_s, 1.0, 1e-12));
    /* More I/O, more dom0 CPU: D serves 2 MB/s. */
    assert_true(near(bal__sim_host_state(w.sim, 3)->dom0_cpu, 0.02, 1e-12));
    assert_true(bal__sim_host_state(w.sim, 3)->dom0_cpu < b->dom0_cpu);

    /* C: dom0 wants 2 pCPUs (capped at 1), the hog 1: each gets 0.5, so
     * dom0 serves I/O at a quarter of the rate: 5 MB/s. */
    assert_true(near(c->dom0_cpu, 0.5, 1e-12));
    assert_true(near(vm(&w, "c1")->io_Bps, 5e6, 1e-12));
    assert_true(near(vm(&w, "c2")->cpu, 0.5, 1e-12));
    world_close(&w);
}

/* ---- counters --------------------------------------------------------------- */

static void sample_of(world *w, bal__sample *s)
{
    bal__sample_init(s);
    assert_int_equal(bal__sim_sample(w->sim, false, s), 0);
}

static void test_sample_shape(void **state)
{
    world w;
    bal__sample s;
    const bal__host *h;
    const bal__dom *d;

    world_open(&w, NOISELESS "option iocpu=0 dom0cpu=0.01 reqsize=4K\n"
               "host A pcpus=2 mem=4G disk=10MB/s freq=2.7GHz net=1Gbit/s\n"
               "host B pcpus=1 mem=4G dom0mem=1G disk=8MB/s iops=500\n"
               "vm a1 host=A vcpus=1 mem=1G load=io write=0.25 net=8Mbit/s "
               "netrx=2MB/s\n"
               "vm b1 host=B vcpus=1 mem=1G load=cpu\n"
               "vm a2 host=A vcpus=2 mem=512M load=idle\n");
    sample_of(&w, &s);
    assert_int_equal(s.nhosts, 2);
    h = &s.hosts[0];
    assert_string_equal(h->name, "A");
    assert_int_equal(h->time_ns, 0);
    assert_int_equal(h->pcpus, 2);
    assert_int_equal(h->cpu_hz, 2700000000ull);
    assert_int_equal(h->mem_kb, 4u << 20);
    assert_int_equal(h->free_kb, (4096u - 512 - 1024 - 512) * 1024);
    assert_true(h->disk_Bps == 10e6);
    assert_true(h->disk_iops == 10e6 / 4096);    /* from the request size */
    assert_true(h->net_Bps == 125e6);
    assert_int_equal(h->ndoms, 3);
    d = &h->doms[0];
    assert_string_equal(d->name, "Domain-0");
    assert_string_equal(d->uuid, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(d->domid, 0);
    assert_int_equal(d->vcpus, 2);
    assert_int_equal(d->mem_kb, 512u * 1024);
    /* Guests: domids from 1 per host, in file order. */
    assert_string_equal(h->doms[1].name, "a1");
    assert_int_equal(h->doms[1].domid, 1);
    assert_string_equal(h->doms[1].uuid, w.scn.vms[0].uuid);
    assert_int_equal(h->doms[1].mem_kb, 1u << 20);
    assert_int_equal(h->doms[1].maxmem_kb, 1u << 20);
    assert_string_equal(h->doms[2].name, "a2");
    assert_int_equal(h->doms[2].domid, 2);
    assert_int_equal(h->doms[2].vcpus, 2);
    h = &s.hosts[1];
    assert_int_equal(h->free_kb, (4096u - 1024 - 1024) * 1024);
    assert_true(h->disk_iops == 500);
    assert_true(h->net_Bps == 0);              /* not given: unknown */
    assert_int_equal(h->doms[0].mem_kb, 1u << 20);
    assert_string_equal(h->doms[1].name, "b1");
    assert_int_equal(h->doms[1].domid, 1);
    bal__sample_dispose(&s);

    /* After 10 s: counters in Xen's units. */
    assert_int_equal(bal__sim_advance(w.sim, 10), 0);
    sample_of(&w, &s);
    h = &s.hosts[0];
    assert_int_equal(h->time_ns, 10000000000ull);
    d = &h->doms[1];                    /* a1: 10 MB/s, a quarter writes */
    assert_int_equal(d->vbd_rd_sect, 75000000 / 512);
    assert_int_equal(d->vbd_wr_sect, 25000000 / 512);
    assert_int_equal(d->vbd_rd_reqs, 75000000 / 4096);
    assert_int_equal(d->vbd_wr_reqs, 25000000 / 4096);
    assert_int_equal(d->vbd_oo_reqs, 0);
    assert_int_equal(d->net_tx_bytes, 10000000);
    assert_int_equal(d->net_rx_bytes, 20000000);
    assert_int_equal(d->cpu_ns, 0);                  /* iocpu=0 */
    /* dom0: 0.01 s/MB * 10 MB/s = 0.1 pCPU, for 10 s */
    assert_true(near((double)h->doms[0].cpu_ns, 1e9, 1e-9));
    assert_int_equal(h->doms[2].cpu_ns, 0);          /* idle */
    /* B: a whole pCPU for its CPU VM, nothing for dom0 (no I/O). */
    assert_true(near((double)s.hosts[1].doms[1].cpu_ns, 1e10, 1e-9));
    assert_int_equal(s.hosts[1].doms[0].cpu_ns, 0);
    bal__sample_dispose(&s);

    /* local_only: the first host alone. */
    bal__sample_init(&s);
    assert_int_equal(bal__sim_sample(w.sim, true, &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_string_equal(s.hosts[0].name, "A");
    /* Appending: the second sample goes after the first. */
    assert_int_equal(bal__sim_sample(w.sim, false, &s), 0);
    assert_int_equal(s.nhosts, 3);
    bal__sample_dispose(&s);
    world_close(&w);
}

static void assert_sample_equal(const bal__sample *a, const bal__sample *b)
{
    int i, j;

    assert_int_equal(a->nhosts, b->nhosts);
    for (i = 0; i < a->nhosts; i++) {
        assert_int_equal(a->hosts[i].ndoms, b->hosts[i].ndoms);
        assert_int_equal(a->hosts[i].time_ns, b->hosts[i].time_ns);
        for (j = 0; j < a->hosts[i].ndoms; j++)
            assert_memory_equal(&a->hosts[i].doms[j], &b->hosts[i].doms[j],
                                sizeof(bal__dom));
    }
}

/* Counters never go back, and 100 steps of the paper with noise give the
 * same counters twice over; another seed gives others. */
static void test_determinism(void **state)
{
    world w1, w2, w3;
    bal__sample prev, s1, s2, s3;
    int k, i, j;
    bool differ = false;

    world_open(&w1, "option seed=7 noise=0.05\n"
               "host A pcpus=1 mem=4G disk=10MB/s net=100Mbit/s\n"
               "vm a1 host=A vcpus=1 mem=1G load=mixed cpu=0.3 io=max "
               "write=0.3 net=50Mbit/s netrx=1MB/s\n"
               "vm a2 host=A vcpus=1 mem=1G load=cpu\n"
               "vm a3 host=A vcpus=1 mem=1G load=io io=3MB/s\n");
    world_open(&w2, "option seed=7 noise=0.05\n"
               "host A pcpus=1 mem=4G disk=10MB/s net=100Mbit/s\n"
               "vm a1 host=A vcpus=1 mem=1G load=mixed cpu=0.3 io=max "
               "write=0.3 net=50Mbit/s netrx=1MB/s\n"
               "vm a2 host=A vcpus=1 mem=1G load=cpu\n"
               "vm a3 host=A vcpus=1 mem=1G load=io io=3MB/s\n");
    world_open(&w3, "option seed=8 noise=0.05\n"
               "host A pcpus=1 mem=4G disk=10MB/s net=100Mbit/s\n"
               "vm a1 host=A vcpus=1 mem=1G load=mixed cpu=0.3 io=max "
               "write=0.3 net=50Mbit/s netrx=1MB/s\n"
               "vm a2 host=A vcpus=1 mem=1G load=cpu\n"
               "vm a3 host=A vcpus=1 mem=1G load=io io=3MB/s\n");
    sample_of(&w1, &prev);
    for (k = 0; k < 100; k++) {
        double cpu = 0;

        assert_int_equal(bal__sim_advance(w1.sim, 1), 0);
        assert_int_equal(bal__sim_advance(w2.sim, 1), 0);
        assert_int_equal(bal__sim_advance(w3.sim, 1), 0);
        sample_of(&w1, &s1);
        sample_of(&w2, &s2);
        sample_of(&w3, &s3);
        assert_sample_equal(&s1, &s2);
        for (j = 0; j < 4; j++) {
            const bal__dom *p = &prev.hosts[0].doms[j];
            const bal__dom *d = &s1.hosts[0].doms[j];

            assert_true(d->cpu_ns >= p->cpu_ns);
            assert_true(d->vbd_rd_sect >= p->vbd_rd_sect);
            assert_true(d->vbd_wr_sect >= p->vbd_wr_sect);
            assert_true(d->vbd_rd_reqs >= p->vbd_rd_reqs);
            assert_true(d->vbd_wr_reqs >= p->vbd_wr_reqs);
            assert_true(d->net_tx_bytes >= p->net_tx_bytes);
            assert_true(d->net_rx_bytes >= p->net_rx_bytes);
            if (memcmp(d, &s3.hosts[0].doms[j], sizeof(*d))) differ = true;
        }
        /* Noise never makes the host do more than it can. */
        for (i = 0; i < 3; i++) cpu += bal__sim_vm_state(w1.sim, i)->cpu;
        cpu += bal__sim_host_state(w1.sim, 0)->dom0_cpu;
        assert_true(cpu <= 1 + 1e-12);
        assert_true(bal__sim_host_state(w1.sim, 0)->io_Bps <= 10e6 * (1 + 1e-12));
        bal__sample_dispose(&prev);
        prev = s1;
        bal__sample_dispose(&s2);
        bal__sample_dispose(&s3);
    }
    assert_true(differ);
    bal__sample_dispose(&prev);
    world_close(&w1);
    world_close(&w2);
    world_close(&w3);
}

static void test_noise_visible(void **state)
{
    world w;
    double lo = 1e9, hi = 0;
    int k;

    world_open(&w, "option noise=0.02\n"
               "host A pcpus=4 mem=4G disk=10MB/s\n"
               "vm a1 host=A vcpus=1 mem=1G load=cpu cpu=0.5\n");
    for (k = 0; k < 50; k++) {
        double c;

        assert_int_equal(bal__sim_advance(w.sim, 5), 0);
        c = vm(&w, "a1")->cpu;
        if (c < lo) lo = c;
        if (c > hi) hi = c;
    }
    /* Within +-2% of 0.5, and not constant. */
    assert_true(lo >= 0.49 && hi <= 0.51);
    assert_true(hi - lo > 0.005);
    world_close(&w);
}

/* The clock lands on exactly the time asked, in steps of the interval. */
static void test_clock(void **state)
{
    world w;

    world_open(&w, "option interval=0.3\n"
               "host A pcpus=1 mem=4G disk=10MB/s\n");
    assert_int_equal(bal__sim_advance(w.sim, 1), 0);
    assert_int_equal(bal__sim_time_ns(w.sim), 1000000000ull);
    assert_int_equal(bal__sim_advance(w.sim, 0), 0);
    assert_int_equal(bal__sim_time_ns(w.sim), 1000000000ull);
    assert_int_equal(bal__sim_advance(w.sim, 2.5e-9), 0);
    assert_int_equal(bal__sim_time_ns(w.sim), 1000000003ull);
    assert_int_equal(bal__sim_advance(w.sim, -1), BAL_EINVAL);
    assert_int_equal(bal__sim_advance(w.sim, NAN), BAL_EINVAL);
    assert_int_equal(bal__sim_advance(w.sim, INFINITY), BAL_EINVAL);
    assert_int_equal(bal__sim_advance(w.sim, 2e9), BAL_ERANGE);
    assert_int_equal(bal__sim_time_ns(w.sim), 1000000003ull);
    world_close(&w);
}

/* ---- jobs -------------------------------------------------------------------- */

static void test_jobs(void **state)
{
    world w;
    double ops, io;
    int c, d, m;

    world_open(&w, NOISELESS "option iocpu=0 dom0cpu=0\n"
               "host A pcpus=1 mem=4G disk=10MB/s speed=1Mops/s\n"
               "host B pcpus=1 mem=4G disk=10MB/s speed=1Mops/s\n"
               /* Waits 2 s, then shares the pCPU with d: 3e6 operations
                * at 0.5e6/s end at 8 s. */
               "vm c host=A vcpus=1 mem=1G load=cpu cpuwork=3e6 start=2\n"
               "vm d host=A vcpus=1 mem=1G load=cpu\n"
               /* Both parts: the CPU one done at 2 s (0.5 pCPU), the
                * I/O one at 20 MiB / 10 MB/s = 2.097152 s. */
               "vm m host=B vcpus=1 mem=1G load=mixed cpu=0.5 io=max "
               "cpuwork=1e6 iowork=20M\n");
    c = bal__scenario_find_vm(&w.scn, "c");
    d = bal__scenario_find_vm(&w.scn, "d");
    m = bal__scenario_find_vm(&w.scn, "m");
    assert_false(bal__sim_jobs_done(w.sim));
    assert_int_equal(bal__sim_advance(w.sim, 1), 0);
    assert_true(vm(&w, "c")->cpu == 0);              /* not started */
    assert_true(vm(&w, "d")->cpu == 1);
    assert_true(bal__sim_vm_completion(w.sim, c) == -1);

    assert_int_equal(bal__sim_advance(w.sim, 4), 0);
    assert_true(near(vm(&w, "c")->cpu, 0.5, 1e-12));
    assert_true(near(vm(&w, "c")->ops_s, 5e5, 1e-12));
    /* m: the CPU part stopped at 2 s, the I/O part just after. */
    assert_true(near(bal__sim_vm_completion(w.sim, m), 2.097152, 1e-9));
    assert_true(vm(&w, "m")->cpu == 0 && vm(&w, "m")->io_Bps == 0);
    assert_int_equal(bal__sim_vm_work_done(w.sim, m, &ops, &io, NULL), 0);
    assert_true(ops == 1e6 && io == 20971520);
    assert_true(near(vm(&w, "m")->rd_bytes, 20971520, 1e-12));
    assert_true(near(vm(&w, "m")->cpu_s, 1.0, 1e-9));
    assert_false(bal__sim_jobs_done(w.sim));

    assert_int_equal(bal__sim_advance(w.sim, 5), 0);
    assert_true(near(bal__sim_vm_completion(w.sim, c), 6.0, 1e-9));
    assert_true(near(vm(&w, "c")->end_s, 8.0, 1e-9));
    assert_int_equal(bal__sim_vm_work_done(w.sim, c, &ops, NULL, NULL), 0);
    assert_true(ops == 3e6);
    assert_true(near(vm(&w, "c")->cpu_s, 3.0, 1e-9));
    /* After: c idle, d has the pCPU again; d has no job and never ends. */
    assert_true(vm(&w, "c")->cpu == 0);
    assert_true(vm(&w, "d")->cpu == 1);
    assert_true(bal__sim_vm_completion(w.sim, d) == -1);
    assert_true(bal__sim_jobs_done(w.sim));
    /* The clock still lands where it was asked to. */
    assert_int_equal(bal__sim_time_ns(w.sim), 10000000000ull);
    assert_true(bal__sim_now(w.sim) == 10.0);
    assert_int_equal(bal__sim_vm_host(w.sim, c), 0);
    assert_int_equal(bal__sim_vm_host(w.sim, 99), -1);
    assert_true(bal__sim_vm_completion(w.sim, -1) == -1);
    assert_int_equal(bal__sim_vm_work_done(w.sim, 3, &ops, &io, NULL), BAL_EINVAL);
    world_close(&w);

    /* No job anywhere: never "done". */
    world_open(&w, NOISELESS "host A pcpus=1 mem=4G disk=10MB/s\n"
               "vm d host=A vcpus=1 mem=1G load=cpu\n");
    assert_int_equal(bal__sim_advance(w.sim, 10), 0);
    assert_false(bal__sim_jobs_done(w.sim));
    world_close(&w);
}

/* Recording: one point per (sub-)step per VM, rates over [t - dt, t],
 * adding up to the work done. */
static void test_timeline(void **state)
{
    world w;
    const bal__sim_point *p;
    double ops = 0, t = 0;
    int n, k, c;

    world_open(&w, NOISELESS "option iocpu=0 dom0cpu=0\n"
               "host A pcpus=1 mem=4G disk=10MB/s speed=1Mops/s\n"
               "vm c host=A vcpus=1 mem=1G load=cpu cpuwork=3e6 start=2\n"
               "vm d host=A vcpus=1 mem=1G load=cpu\n");
    c = bal__scenario_find_vm(&w.scn, "c");
    assert_int_equal(bal__sim_timeline(w.sim, c, &p, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bal__sim_advance(w.sim, 1), 0);     /* not recorded */
    bal__sim_record(w.sim, true);
    assert_int_equal(bal__sim_advance(w.sim, 9), 0);
    assert_int_equal(bal__sim_timeline(w.sim, c, &p, &n), 0);
    /* Two steps of 4.5 s, cut at the start (2) and the end (8): 1..2,
     * 2..5.5, 5.5..8, 8..10. */
    assert_int_equal(n, 4);
    assert_true(near(p[0].t, 2, 1e-12) && near(p[0].dt, 1, 1e-12));
    assert_true(p[0].cpu_ops_s == 0);
    assert_true(near(p[1].t, 5.5, 1e-12) && near(p[1].cpu_ops_s, 5e5, 1e-12));
    assert_true(near(p[2].t, 8, 1e-9) && near(p[2].cpu_ops_s, 5e5, 1e-6));
    assert_true(p[3].cpu_ops_s == 0 && near(p[3].t, 10, 1e-12));
    for (k = 0; k < n; k++) {
        ops += p[k].cpu_ops_s * p[k].dt;
        t += p[k].dt;
        assert_int_equal(p[k].host, 0);
        assert_false(p[k].migrating);
    }
    assert_true(near(ops, 3e6, 1e-9));
    assert_true(near(t, 9, 1e-12));
    assert_int_equal(bal__sim_timeline(w.sim, 2, &p, &n), BAL_EINVAL);
    world_close(&w);
}

/* ---- the paper's testbed ----------------------------------------------------- */

static void test_paper(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario scn;
    bal__sim *sim = NULL;
    const char *names[] = { "vm1", "vm3", "vm2", "vm4" };
    double io = 2.0 * 8 * 1073741824 / 1092;     /* HostA's path */
    int i;

    bal__scenario_init(&scn);
    assert_int_equal(bal__scenario_load(ctx, "scenarios/paper.scn", &scn), 0);
    assert_int_equal(bal__sim_alloc(&sim, &scn), 0);
    assert_int_equal(bal__sim_advance(sim, 100), 0);
    for (i = 0; i < 4; i++) {
        const bal__sim_vm *v =
            bal__sim_vm_state(sim, bal__scenario_find_vm(&scn, names[i]));

        if (i < 2) {
            /* Each reader averages half the path: 8 GiB in ~1092 s. */
            assert_true(near(v->rd_bytes / 100, io / 2, 0.01));
            assert_true(near(8.0 * 1073741824 / (v->rd_bytes / 100), 1092,
                             0.01));
        } else {
            /* Each adder half the pCPU. */
            assert_true(near(v->cpu_s / 100, 0.5, 0.01));
        }
    }
    /* dom0 of HostA serves ~15.7 MB/s at 0.0079 s/MB: ~0.124 pCPU. */
    assert_true(near(bal__sim_host_state(sim, 0)->dom0_cpu_s / 100,
                     0.0079 * io / 1e6, 0.02));
    assert_true(bal__sim_host_state(sim, 1)->dom0_cpu_s == 0);
    bal__sim_free(sim);
    bal__scenario_dispose(&scn);
    bal_ctx_free(ctx);
}

/* ---- speed ------------------------------------------------------------------ */

static bool slow_build(void)
{
    const char *p = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
    return true;
#endif
    return p && (strstr(p, "valgrind") || strstr(p, "vgpreload"));
}

static void test_speed(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario scn;
    bal__sim *sim = NULL;
    bal__sample s;
    size_t cap = 8 << 20, n = 0;
    char *text = malloc(cap);
    uint64_t t0, best = UINT64_MAX, sample_ns;
    int i;

    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "option noise=0.02\n");
    for (i = 0; i < 5000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "host h%d pcpus=8 mem=64G disk=100MB/s "
                              "net=1Gbit/s\n", i);
    for (i = 0; i < 50000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "vm v%d host=h%d vcpus=2 mem=1G load=%s\n", i,
                              i % 5000, i % 3 ? "cpu" : "io");
    bal__scenario_init(&scn);
    assert_int_equal(bal__scenario_parse(ctx, "big", text, n, &scn), 0);
    free(text);
    assert_int_equal(bal__sim_alloc(&sim, &scn), 0);

    for (i = 0; i < 5; i++) {
        t0 = bal__now_ns();
        bal__sim_step(sim, 5000000000ull);
        if (bal__now_ns() - t0 < best) best = bal__now_ns() - t0;
    }
    t0 = bal__now_ns();
    bal__sample_init(&s);
    assert_int_equal(bal__sim_sample(sim, false, &s), 0);
    sample_ns = bal__now_ns() - t0;
    assert_int_equal(s.nhosts, 5000);
    assert_int_equal(s.hosts[4999].ndoms, 11);
    bal__sample_dispose(&s);
    print_message("5000 hosts / 50000 VMs: step %.1f ms, sample %.1f ms\n",
                  best / 1e6, sample_ns / 1e6);
    if (!slow_build()) assert_true(best < 100000000ull);

    bal__sim_free(sim);
    bal__scenario_dispose(&scn);
    bal_ctx_free(ctx);
}

/* ---- through the backend interface -------------------------------------------- */

static void test_backend(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal__sample s;
    char *path = tu_tmpfile("option interval=5\n"
                            "host A pcpus=1 mem=4G disk=10MB/s\n"
                            "host B pcpus=1 mem=4G disk=10MB/s\n"
                            "vm a host=A vcpus=1 mem=1G load=cpu\n");
    char spec[512], want[600];
    uint64_t t0, wall;
    char *json = NULL;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    snprintf(spec, sizeof(spec), "sim:%s", path);
    assert_int_equal(bal_backend_open(ctx, cfg, spec, &be), 0);
    assert_string_equal(bal_backend_name(be), "sim");

    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, false, &s), 0);
    assert_int_equal(s.nhosts, 2);
    assert_int_equal(s.hosts[0].time_ns, 0);
    bal__sample_dispose(&s);

    /* An hour of simulated time, without sleeping through it. */
    t0 = bal__now_ns();
    assert_int_equal(bal_backend_wait(be, 3600), 0);
    wall = bal__now_ns() - t0;
    assert_true(wall < 500000000ull);
    assert_int_equal(bal_backend_wait(be, 5), 0);

    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, true, &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_int_equal(s.hosts[0].time_ns, 3605000000000ull);
    /* The CPU VM ran the whole time, up to the noise. */
    assert_true(near((double)s.hosts[0].doms[1].cpu_ns, 3605e9, 0.01));
    bal__sample_dispose(&s);

    assert_int_equal(bal_sample_json(ctx, be, false, &json), 0);
    assert_non_null(strstr(json, "\"A\""));
    free(json);

    /* A negative wait is refused by the dispatcher or the backend. */
    assert_true(bal_backend_wait(be, -1) < 0);
    bal_backend_close(be);
    be = NULL;

    /* A bare name is looked up under scenarios/. */
    assert_int_equal(bal_backend_open(ctx, cfg, "sim:paper", &be), 0);
    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, false, &s), 0);
    assert_string_equal(s.hosts[0].name, "HostA");
    assert_string_equal(s.hosts[1].name, "HostB");
    bal__sample_dispose(&s);
    bal_backend_close(be);
    be = NULL;

    /* Unknown name, missing file, bad file: one line each. */
    assert_int_equal(bal_backend_open(ctx, cfg, "sim:nosuch", &be),
                     BAL_ENOENT);
    assert_string_equal(tu_last(&lg), "sim: no scenario `nosuch' (neither "
                        "scenarios/nosuch.scn nor " BAL_DATADIR
                        "/scenarios/nosuch.scn exists)");
    assert_null(be);
    assert_int_equal(bal_backend_open(ctx, cfg, "sim:/nonexistent/x.scn",
                                      &be), BAL_ENOENT);
    assert_string_equal(tu_last(&lg), "/nonexistent/x.scn: cannot open: No "
                        "such file or directory");
    unlink(path);
    free(path);
    path = tu_tmpfile("host A pcpus=1 mem=4G\n");
    snprintf(spec, sizeof(spec), "sim:%s", path);
    assert_int_equal(bal_backend_open(ctx, cfg, spec, &be), BAL_ESCENARIO);
    snprintf(want, sizeof(want), "%s:1: host A: missing key `disk'", path);
    assert_string_equal(tu_last(&lg), want);
    assert_null(be);

    unlink(path);
    free(path);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_share),
        cmocka_unit_test(test_disk_share),
        cmocka_unit_test(test_cpu_and_io),
        cmocka_unit_test(test_sample_shape),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_noise_visible),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_jobs),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_paper),
        cmocka_unit_test(test_speed),
        cmocka_unit_test(test_backend),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
