/*
 * test_plan_input.c - from a live status to the planner's input
 * (plan_input.c): the fair share that explains observed uses; demands on
 * saturated and unsaturated hosts of simulated clusters (the readers of
 * a saturated path want it all, the computers of a saturated core want
 * their vCPUs, the rest what they got, the CPU of their own I/O taken
 * out); the configuration's constraints (pinned, anti-affinity, drained,
 * storage) and parameters; cooldowns and ping-pong from the history; a
 * VM running twice refused in one line with the input untouched; and
 * bal__plan_make's one-move-a-wave order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "run/rebalance.h"

#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"   /* vm1 */
#define UUID2 "1e536497-5e7b-8e82-83c0-401ab9a80a6a"   /* vm2 */

/* ---- the fair share ------------------------------------------------------ */

static void test_fair_share(void **state)
{
    double a[] = { 0.45, 0.1, 0.45 };
    double b[] = { 0.4, 0.1, 0.5 };         /* 0.4 got what it asked */
    double c[] = { 0.46, 0.1, 0.44 };       /* noise: both at the level */
    double d[] = { 0.5, 0.5 };
    double e[] = { 0.2, 0.3 };              /* less than the total */

    assert_true(fabs(bal__fair_share(a, 3, 1.0) - 0.45) < 1e-12);
    assert_true(fabs(bal__fair_share(b, 3, 1.0) - 0.5) < 1e-12);
    assert_true(fabs(bal__fair_share(c, 3, 1.0) - 0.45) < 1e-12);
    assert_true(0.44 >= BAL__FAIR_TOL * 0.45);
    assert_true(fabs(bal__fair_share(d, 2, 1.0) - 0.5) < 1e-12);
    assert_true(fabs(bal__fair_share(e, 2, 1.0) - 0.3) < 1e-12);
    assert_true(bal__fair_share(NULL, 0, 1.0) == 0);
}

/* Weighted: the lab's host, one pCPU, dom0 at weight 1024 and two CPU
 * burners at 256 (xl sched-credit2 -d Domain-0 -w 1024). */
static void test_fair_share_w(void **state)
{
    double u[] = { 0.5, 0.25, 0.25 }, w[] = { 1024, 256, 256 };
    double u2[] = { 0.1, 0.45, 0.45 }, w2[] = { 1024, 256, 256 };
    double u3[] = { 0.05, 0.475, 0.475 }, w3[] = { 256, 256, 256 };
    double sets[][4] = {
        { 0.45, 0.1, 0.45, 0.3 }, { 0.4, 0.1, 0.5, 0.2 },
        { 0.46, 0.1, 0.44, 0.0 }, { 0.2, 0.3, 0.1, 0.05 },
    };
    double ones[4] = { 1, 1, 1, 1 }, zero[] = { 256, 0, 256 };
    double lvl;
    int i;

    /* dom0 got 0.5 of the 2/3 its weight entitles it to: met, it leaves;
     * the burners split the rest and got all of it - held back. */
    lvl = bal__fair_share_w(u, w, 3, 1.0);
    assert_true(fabs(lvl - 0.25 / 256) < 1e-15);
    assert_true(0.25 >= BAL__FAIR_TOL * 256 * lvl);     /* bottlenecked */
    assert_true(0.5 < BAL__FAIR_TOL * 1024 * lvl);      /* dom0: not */
    /* Reordered together, by use per weight. */
    assert_true(u[0] == 0.5 && w[0] == 1024 && w[1] == 256 && w[2] == 256);
    /* Equal weights: 0.5 is the level, the burners look satisfied. */
    {
        double ue[] = { 0.5, 0.25, 0.25 };

        lvl = bal__fair_share(ue, 3, 1.0);
        assert_true(fabs(lvl - 0.5) < 1e-15);
        assert_false(0.25 >= BAL__FAIR_TOL * lvl);
    }
    /* A light dom0 far below its weighted share is met; the guests split
     * what is left. */
    lvl = bal__fair_share_w(u2, w2, 3, 1.0);
    assert_true(fabs(lvl - 0.45 / 256) < 1e-15);
    assert_false(0.1 >= BAL__FAIR_TOL * 1024 * lvl);
    /* A light guest among equals is met as without weights. */
    lvl = bal__fair_share_w(u3, w3, 3, 1.0);
    assert_true(fabs(256 * lvl - 0.475) < 1e-15);
    assert_false(0.05 >= BAL__FAIR_TOL * 256 * lvl);

    /* w NULL or all ones: bit for bit the unweighted rule. */
    for (i = 0; i < 4; i++) {
        double a[4], b[4], c[4];
        int n = sets[i][3] > 0 ? 4 : 3;

        memcpy(a, sets[i], sizeof(a));
        memcpy(b, sets[i], sizeof(b));
        memcpy(c, sets[i], sizeof(c));
        memcpy(ones, (double[4]){ 1, 1, 1, 1 }, sizeof(ones));
        assert_true(bal__fair_share_w(a, NULL, n, 1.0) ==
                    bal__fair_share(b, n, 1.0));
        assert_true(bal__fair_share_w(c, ones, n, 1.0) ==
                    bal__fair_share(b, n, 1.0));
    }
    /* A weight that is not > 0: taken as all equal. */
    {
        double ua[] = { 0.5, 0.25, 0.25 }, ub[] = { 0.5, 0.25, 0.25 };

        assert_true(bal__fair_share_w(ua, zero, 3, 1.0) ==
                    bal__fair_share(ub, 3, 1.0));
    }
    assert_true(bal__fair_share_w(NULL, NULL, 0, 1.0) == 0);
}

/* ---- statuses of simulated clusters -------------------------------------- */

#define PAPER_HOSTS \
    "host HostA pcpus=1 mem=4092M dom0mem=512M disk=15732481B/s " \
    "net=840.2Mbit/s\n" \
    "host HostB pcpus=1 mem=4092M dom0mem=512M disk=15732481B/s " \
    "net=840.2Mbit/s\n"

static const char PAPER[] =
    PAPER_HOSTS
    "vm vm1 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm3 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm2 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n"
    "vm vm4 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n";

/* Nothing saturated: a reader at 5 MB/s of 15.7, a computer at 30% of a
 * pCPU, on a host without a reported NIC. */
static const char LIGHT[] =
    "option noise=0\n"
    "host H1 pcpus=2 mem=8G disk=15732481B/s\n"
    "host H2 pcpus=2 mem=8G disk=15732481B/s net=1Gbit/s\n"
    "vm r host=H1 vcpus=2 mem=2G load=io io=5MB/s\n"
    "vm c host=H1 vcpus=1 mem=1G load=cpu cpu=0.3\n"
    "vm i host=H2 vcpus=1 mem=1G load=idle\n";

static const bal__pl_vm *vm_of(const bal__pl_input *in, const char *name)
{
    int i;

    for (i = 0; i < in->nvms; i++)
        if (!strcmp(in->vms[i].name, name)) return &in->vms[i];
    fail_msg("no vm %s", name);
    return NULL;
}

static int vm_index(const bal__pl_input *in, const char *name)
{
    return (int)(vm_of(in, name) - in->vms);
}

static const bal_vm_info *status_vm(const bal_status *st, const char *name)
{
    int i;

    for (i = 0; i < st->nvms; i++)
        if (!strcmp(st->vms[i].name, name)) return &st->vms[i];
    fail_msg("no vm %s in the status", name);
    return NULL;
}

/* The paper's cluster: HostA's path and HostB's pCPU are saturated. */
static void test_paper_demands(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__pl_estimate *est = NULL;
    const bal__pl_vm *v1, *v3, *v2, *v4;
    const bal_vm_info *s1, *s3;
    double mean;
    int i1;

    tu_sim_open(&f, PAPER);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build_ex(f.ctx, f.cfg, f.st, NULL, 0, 0,
                                              &in, &est), 0);
    assert_int_equal(f.lg.len, 0);
    assert_int_equal(in.nhosts, 2);
    assert_int_equal(in.nvms, 4);       /* the dom0s are left out */
    assert_string_equal(in.hosts[0].name, "HostA");
    assert_int_equal(in.hosts[0].pcpus, 1);
    /* The host's own figures, reported by the simulator. */
    assert_true(in.hosts[0].disk_Bps == 15732481);
    assert_true(fabs(in.hosts[0].net_Bps - 840.2e6 / 8) < 1);
    assert_int_equal(in.hosts[0].free_kb, (4092 - 512 - 2048) * 1024);
    assert_false(in.hosts[0].drained);
    assert_int_equal(in.hosts[0].storage_mask, 1);

    v1 = vm_of(&in, "vm1");
    v3 = vm_of(&in, "vm3");
    v2 = vm_of(&in, "vm2");
    v4 = vm_of(&in, "vm4");
    assert_string_equal(v1->uuid, UUID1);
    assert_int_equal(v1->type, BAL_TYPE_IO);
    assert_true(v1->heavy);
    /* The readers share the saturated path: each wants all of it, and
     * computes nothing beyond the CPU of its reads. */
    assert_true(isinf(v1->io_Bps) && isinf(v3->io_Bps));
    assert_true(v1->cpu == 0 && v3->cpu == 0);
    /* Alike to the planner: the same mean read rate, their page cache
     * dirtied at it. */
    s1 = status_vm(f.st, "vm1");
    s3 = status_vm(f.st, "vm3");
    mean = (s1->rd_Bps + s3->rd_Bps) / 2;
    assert_true(s1->rd_Bps != s3->rd_Bps);          /* noise */
    assert_true(fabs(v1->dirty_Bps - mean) < 1e-6 * mean);
    assert_true(v1->dirty_Bps == v3->dirty_Bps);
    /* The computers share the saturated pCPU: each wants its vCPU. */
    assert_true(v2->cpu == 1 && v4->cpu == 1);
    assert_true(v2->io_Bps == 0 && v2->dirty_Bps == 0);
    assert_int_equal(v2->vcpus, 1);
    assert_int_equal(v2->mem_kb, 1024 * 1024);
    assert_true(v2->remaining_s < 0);           /* unknown: the horizon */
    assert_false(v2->pinned);
    assert_int_equal(v2->anti_group, -1);
    assert_true(v2->cooldown_until_s == 0);

    i1 = vm_index(&in, "vm1");
    assert_true(est[i1].io_saturated && est[i1].io_bottleneck);
    assert_false(est[i1].cpu_saturated);
    assert_true(est[vm_index(&in, "vm2")].cpu_bottleneck);
    assert_false(est[vm_index(&in, "vm2")].io_saturated);

    /* The configuration's parameters. */
    assert_true(in.params.horizon_s == 3600);
    assert_int_equal(in.params.max_moves, 8);
    assert_int_equal(in.params.max_per_host, 1);
    assert_int_equal(in.params.max_per_link, 1);
    assert_true(in.params.migcpu == 0.00959);
    assert_true(in.params.rtt_ms == 4);
    assert_true(in.params.pingpong_s == 86400);

    free(est);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* Nothing saturated: every demand is what was used. */
static void test_light_demands(void **state)
{
    tu_sim f;
    bal__pl_input in;
    const bal__pl_vm *r, *c, *i;
    const bal_vm_info *sr, *sc;

    tu_sim_open(&f, LIGHT);
    bal__pl_input_init(&in);
    f.cfg->dirty_Bps = 1e6;
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, NULL, 0, 0,
                                           &in), 0);
    r = vm_of(&in, "r");
    c = vm_of(&in, "c");
    i = vm_of(&in, "i");
    sr = status_vm(f.st, "r");
    sc = status_vm(f.st, "c");
    assert_true(fabs(r->io_Bps - 5e6) < 100);    /* whole sectors */
    assert_true(r->io_Bps == sr->rd_Bps + sr->wr_Bps);
    /* Its reads' CPU taken out: nothing of its own is left. */
    assert_true(r->cpu == 0);
    assert_true(r->dirty_Bps == 1e6 + sr->rd_Bps);
    assert_int_equal(r->vcpus, 2);
    assert_true(fabs(c->cpu - 0.3) < 1e-9);
    assert_true(c->cpu == sc->cpu_pct / 100);
    assert_true(c->io_Bps == 0);
    assert_true(c->dirty_Bps == 1e6);
    assert_int_equal(i->type, BAL_TYPE_IDLE);
    assert_true(i->cpu == 0 && i->io_Bps == 0);
    /* No NIC reported: the configuration's net_mbps. */
    assert_true(in.hosts[0].net_Bps == f.cfg->net_Bps);
    assert_true(in.hosts[1].net_Bps == 1e9 / 8);
    assert_int_equal(in.hosts[0].pcpus, 2);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* ---- the configuration's constraints ------------------------------------ */

static char *strv[8];

static char **list(int n, ...)
{
    va_list ap;
    int i;

    va_start(ap, n);
    for (i = 0; i < n; i++) strv[i] = va_arg(ap, char *);
    strv[n] = NULL;
    va_end(ap);
    return bal__strv_dup(strv, n);
}

/* Four hosts and six VMs: what the constraints are tried on. */
static const char FOUR[] =
    PAPER_HOSTS
    "host HostC pcpus=1 mem=4092M disk=15732481B/s\n"
    "host HostD pcpus=1 mem=4092M disk=15732481B/s\n"
    "vm vm1 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm3 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm2 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n"
    "vm vm4 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n"
    "vm vm5 host=HostC vcpus=1 mem=1024M load=idle\n"
    "vm vm6 host=HostD vcpus=1 mem=1024M load=idle\n";

static void test_constraints(void **state)
{
    tu_sim f;
    bal__pl_input in;
    struct bal_config *c;

    tu_sim_open(&f, FOUR);
    c = f.cfg;
    c->pinned = list(2, "vm2", UUID1);
    c->npinned = 2;
    c->anti_affinity = list(2, "vm3,vm5", "vm4 , vm6");
    c->nanti_affinity = 2;
    c->drained = list(2, "HostC", "HostX");
    c->ndrained = 2;
    c->storage = list(2, "HostA:s1,s2", "HostB:s2");
    c->nstorage = 2;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, c, f.st, NULL, 0, 0, &in),
                     0);
    /* A drained host the cluster does not have: said, not fatal. */
    assert_string_equal(f.lg.buf, "configuration: drained host HostX is not "
                        "in the cluster");
    assert_int_equal(f.lg.nerrors, 0);

    assert_true(vm_of(&in, "vm1")->pinned);     /* by UUID */
    assert_true(vm_of(&in, "vm2")->pinned);     /* by name */
    assert_false(vm_of(&in, "vm3")->pinned);
    assert_int_equal(vm_of(&in, "vm3")->anti_group, 0);
    assert_int_equal(vm_of(&in, "vm5")->anti_group, 0);
    assert_int_equal(vm_of(&in, "vm4")->anti_group, 1);   /* blanks cut */
    assert_int_equal(vm_of(&in, "vm6")->anti_group, 1);
    assert_int_equal(vm_of(&in, "vm1")->anti_group, -1);
    assert_false(in.hosts[0].drained);
    assert_true(in.hosts[2].drained);
    /* Bit 0: the storage unlisted hosts share; s1, s2: bits 1, 2. */
    assert_int_equal(in.hosts[0].storage_mask, 0x6);
    assert_int_equal(in.hosts[1].storage_mask, 0x4);
    assert_int_equal(in.hosts[2].storage_mask, 0x1);
    assert_int_equal(in.hosts[3].storage_mask, 0x1);
    /* A VM needs every storage of its host where it goes. */
    assert_int_equal(vm_of(&in, "vm1")->storage_mask, 0x6);
    assert_int_equal(vm_of(&in, "vm2")->storage_mask, 0x4);
    assert_int_equal(vm_of(&in, "vm5")->storage_mask, 0x1);

    c->horizon_s = 60;
    c->max_moves = 3;
    c->max_per_host = 2;
    c->max_per_link = 4;
    c->migcpu = 0.02;
    c->rtt_ms = 16;
    c->pingpong_s = 10;
    assert_int_equal(bal__plan_input_build(f.ctx, c, f.st, NULL, 0, 0, &in),
                     0);
    assert_true(in.params.horizon_s == 60);
    assert_int_equal(in.params.max_moves, 3);
    assert_int_equal(in.params.max_per_host, 2);
    assert_int_equal(in.params.max_per_link, 4);
    assert_true(in.params.migcpu == 0.02);
    assert_true(in.params.rtt_ms == 16);
    assert_true(in.params.pingpong_s == 10);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* must_run_on / should_run_on into host-set bits (entries with the same
 * hosts share one), keep_together into group numbers from 1. */
static void test_rules(void **state)
{
    tu_sim f;
    bal__pl_input in;
    struct bal_config *c;

    (void)state;
    tu_sim_open(&f, FOUR);
    c = f.cfg;
    c->must_run_on = list(3, "vm1, vm2 = HostA,HostB", "vm5=HostC",
                          "vm6=HostA,HostB");
    c->nmust_run_on = 3;
    c->should_run_on = list(2, UUID1 "=HostD,HostX", "vm4=HostC");
    c->nshould_run_on = 2;
    c->keep_together = list(2, "vm3,vm4", "vm5 , vm6");
    c->nkeep_together = 2;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, c, f.st, NULL, 0, 0, &in),
                     0);
    /* A host a rule names that the cluster lacks: said, not fatal. */
    assert_string_equal(f.lg.buf, "should_run_on: host HostX is not in the "
                        "cluster");
    assert_int_equal(f.lg.nerrors, 0);
    /* must: "HostA,HostB" twice, one bit (0); HostC bit 1. */
    assert_int_equal(in.hosts[0].must_mask, 0x1);
    assert_int_equal(in.hosts[1].must_mask, 0x1);
    assert_int_equal(in.hosts[2].must_mask, 0x2);
    assert_int_equal(in.hosts[3].must_mask, 0x0);
    assert_int_equal(vm_of(&in, "vm1")->must_mask, 0x1);
    assert_int_equal(vm_of(&in, "vm2")->must_mask, 0x1);
    assert_int_equal(vm_of(&in, "vm5")->must_mask, 0x2);
    assert_int_equal(vm_of(&in, "vm6")->must_mask, 0x1);
    assert_int_equal(vm_of(&in, "vm3")->must_mask, 0);
    /* should: by UUID (vm1's), its own bits. */
    assert_int_equal(in.hosts[3].should_mask, 0x1);
    assert_int_equal(in.hosts[2].should_mask, 0x2);
    assert_int_equal(in.hosts[0].should_mask, 0);
    assert_int_equal(vm_of(&in, "vm1")->should_mask, 0x1);
    assert_int_equal(vm_of(&in, "vm4")->should_mask, 0x2);
    assert_int_equal(vm_of(&in, "vm2")->should_mask, 0);
    /* keep_together: 0 is none. */
    assert_int_equal(vm_of(&in, "vm3")->together_group, 1);
    assert_int_equal(vm_of(&in, "vm4")->together_group, 1);
    assert_int_equal(vm_of(&in, "vm5")->together_group, 2);
    assert_int_equal(vm_of(&in, "vm6")->together_group, 2);
    assert_int_equal(vm_of(&in, "vm1")->together_group, 0);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* ---- the history ------------------------------------------------------- */

static void hist(bal__hist *h, const char *uuid, const char *from,
                 const char *to, double t)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->uuid, sizeof(h->uuid), "%s", uuid);
    snprintf(h->from, sizeof(h->from), "%s", from);
    snprintf(h->to, sizeof(h->to), "%s", to);
    h->time = t;
}

static void test_history(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__hist h[3];

    tu_sim_open(&f, PAPER);
    f.cfg->cooldown_s = 900;
    f.cfg->pingpong_s = 3600;
    hist(&h[0], UUID1, "HostB", "HostA", 10000);    /* vm1, lately */
    hist(&h[1], UUID1, "HostA", "HostB", 9000);
    hist(&h[2], UUID2, "HostA", "HostB", 1000);     /* vm2, long ago */
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 10500,
                                           &in), 0);
    assert_true(in.params.now_s == 10500);
    /* Its latest migration, plus the cooldown. */
    assert_true(vm_of(&in, "vm1")->cooldown_until_s == 10900);
    assert_true(vm_of(&in, "vm2")->cooldown_until_s == 1900);
    assert_true(vm_of(&in, "vm3")->cooldown_until_s == 0);
    /* The planner sees what the ping-pong window holds. */
    assert_int_equal(in.nhistory, 2);
    assert_string_equal(in.history[0].uuid, UUID1);
    assert_string_equal(in.history[0].from, "HostB");
    assert_string_equal(in.history[0].to, "HostA");
    assert_true(in.history[0].time_s == 10000);
    assert_true(in.history[1].time_s == 9000);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* ---- what cannot be planned for ----------------------------------------- */

static void test_refused(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal_vm_info *v2;
    char want[300];

    tu_sim_open(&f, PAPER);
    bal__pl_input_init(&in);
    in.nvms = -7;   /* a marker: untouched on failure */
    /* vm3's UUID is vm2's: one VM on two hosts. */
    v2 = (bal_vm_info *)status_vm(f.st, "vm3");
    memcpy(v2->uuid, UUID2, sizeof(v2->uuid));
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, NULL, 0, 0,
                                           &in), BAL_EINVAL);
    snprintf(want, sizeof(want), "UUID %s runs twice, as vm3 on HostA and as "
             "vm2 on HostB: a VM must run once to be planned for; an admin "
             "must look", UUID2);
    assert_string_equal(f.lg.buf, want);
    assert_int_equal(f.lg.nerrors, 1);
    assert_int_equal(in.nvms, -7);
    assert_null(in.vms);
    tu_sim_close(&f);
}

/* A VM reporting no memory stays where it is (1 KiB to the planner). */
static void test_no_memory(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal_vm_info *v;

    tu_sim_open(&f, PAPER);
    v = (bal_vm_info *)status_vm(f.st, "vm1");
    v->mem_kb = 0;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, NULL, 0, 0,
                                           &in), 0);
    assert_int_equal(vm_of(&in, "vm1")->mem_kb, 1);
    assert_true(vm_of(&in, "vm1")->pinned);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* ---- bal__plan_make --------------------------------------------------- */

static void test_make_plan(void **state)
{
    tu_sim f;
    bal__plan_step s;
    bal__plan_opts o;
    const bal__plan *p = &s.plan;

    tu_sim_open(&f, PAPER);
    bal__plan_step_init(&s);
    bal__plan_opts_init(&o);
    assert_int_equal(bal__plan_make(f.ctx, f.cfg, f.st, &o, &s), 0);
    /* The paper's swap, vm1 first (alike readers: the first of them). */
    assert_int_equal(p->n, 2);
    assert_string_equal(p->moves[0].mv.vm, "vm1");
    assert_string_equal(p->moves[0].mv.uuid, UUID1);
    assert_string_equal(p->moves[0].mv.from, "HostA");
    assert_string_equal(p->moves[0].mv.to, "HostB");
    assert_string_equal(p->moves[1].mv.vm, "vm2");
    assert_int_equal(p->moves[0].wave, 0);
    assert_int_equal(p->moves[1].wave, 1);
    assert_true(s.pred[0].gain_rate > 1.2 && s.pred[0].gain_rate < 1.8 &&
                s.pred[1].gain_rate == s.pred[0].gain_rate);
    /* The input and result it planned from, and the estimates. */
    assert_int_equal(s.res.nmoves, 2);
    assert_int_equal(s.in.nvms, 4);
    assert_non_null(s.est);

    /* Sequential: one move a wave, whatever the planner's waves. */
    f.cfg->max_per_host = f.cfg->max_per_link = 2;
    o.concurrent = false;
    assert_int_equal(bal__plan_make(f.ctx, f.cfg, f.st, &o, &s), 0);
    assert_int_equal(p->n, 2);
    assert_int_equal(p->nwaves, 2);
    assert_int_equal(p->moves[1].wave, 1);

    /* The options override the configuration. */
    o.max_moves = 0;
    assert_int_equal(bal__plan_make(f.ctx, f.cfg, f.st, &o, &s), 0);
    assert_int_equal(p->n, 0);
    o.max_moves = -1;
    o.horizon_s = 30;       /* below every break-even */
    assert_int_equal(bal__plan_make(f.ctx, f.cfg, f.st, &o, &s), 0);
    assert_int_equal(p->n, 0);
    bal__plan_step_dispose(&s);
    tu_sim_close(&f);
}

/* The lab's case through the whole input: a one-pCPU host where dom0
 * (weight 1024) used 0.50 and two burners (256) 0.25 each.  The status
 * of a simulated host is edited to those uses and weights. */
static const char LAB[] =
    "option noise=0\n"
    "host H1 pcpus=1 mem=8G disk=100MB/s\n"
    "host H2 pcpus=1 mem=8G disk=100MB/s\n"
    "vm b1 host=H1 vcpus=1 mem=1G load=cpu cpu=1\n"
    "vm b2 host=H1 vcpus=1 mem=1G load=cpu cpu=1\n";

/* Sets the uses (percent of a pCPU) and sampled weights of H1's domains
 * (dom0, b1, b2). */
static void lab_set_uses(bal_status *st, const double use[3], uint32_t w0,
                         uint32_t w1, uint32_t w2)
{
    const char *names[] = { "Domain-0", "b1", "b2" };
    const uint32_t w[] = { w0, w1, w2 };
    bal__host *h = &st->last.hosts[0];
    int i, k, d;

    assert_string_equal(h->name, "H1");
    for (k = 0; k < 3; k++) {
        for (i = 0; i < st->nvms; i++)
            if (!strcmp(st->vms[i].host, "H1") &&
                !strcmp(st->vms[i].name, names[k]))
                break;
        assert_true(i < st->nvms);
        assert_true(st->vms[i].rates_valid);
        st->vms[i].cpu_pct = use[k];
        for (d = 0; d < h->ndoms; d++)
            if (h->doms[d].domid == st->vms[i].domid) h->doms[d].weight = w[k];
    }
}

/* The lab's uses: dom0 0.50, the burners 0.25 each. */
static void lab_set(bal_status *st, uint32_t w0, uint32_t w1, uint32_t w2)
{
    const double use[] = { 50, 25, 25 };

    lab_set_uses(st, use, w0, w1, w2);
}

/* Whether b1 and b2 come out held back on their pCPU; their demands;
 * the weights the model gets (dom0's, the burners'). */
static void lab_expect(tu_sim *f, bool held, double w0, double wb)
{
    bal__pl_input in;
    bal__pl_estimate *est = NULL;
    int i1, i2;

    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build_ex(f->ctx, f->cfg, f->st, NULL, 0,
                                              0, &in, &est), 0);
    i1 = vm_index(&in, "b1");
    i2 = vm_index(&in, "b2");
    assert_true(est[i1].cpu_saturated && est[i2].cpu_saturated);
    assert_true(est[i1].cpu_bottleneck == held);
    assert_true(est[i2].cpu_bottleneck == held);
    /* The model gets the weights when all are known, else none. */
    assert_true(in.hosts[0].dom0_weight == w0);
    assert_true(in.vms[i1].weight == wb && in.vms[i2].weight == wb);
    if (held) {
        assert_true(in.vms[i1].cpu == 1 && in.vms[i2].cpu == 1);
    } else {
        assert_true(fabs(in.vms[i1].cpu - 0.25) < 1e-9);
        assert_true(fabs(in.vms[i2].cpu - 0.25) < 1e-9);
    }
    free(est);
    bal__pl_input_dispose(&in);
}

static void test_weighted_dom0(void **state)
{
    tu_sim f;

    tu_sim_open(&f, LAB);
    /* Weighted: the burners got their quarter each of 4:1:1 - held. */
    lab_set(f.st, 1024, 256, 256);
    lab_expect(&f, true, 1024, 256);
    /* Equal weights, known or not: the burners seem satisfied. */
    lab_set(f.st, 512, 512, 512);
    lab_expect(&f, false, 512, 512);
    lab_set(f.st, 0, 0, 0);
    lab_expect(&f, false, 0, 0);
    /* One weight unknown (an old peer, another scheduler): all equal,
     * and the model gets none. */
    lab_set(f.st, 1024, 256, 0);
    {
        bal__pl_input in;

        bal__pl_input_init(&in);
        assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, NULL, 0,
                                               0, &in), 0);
        assert_true(vm_of(&in, "b1")->weight == 0);
        assert_true(vm_of(&in, "b2")->weight == 0);
        assert_true(in.hosts[0].dom0_weight == 0);
        assert_true(vm_of(&in, "b1")->cpu < 0.3);   /* not held back */
        bal__pl_input_dispose(&in);
    }
    lab_set(f.st, 0, 256, 256);
    lab_expect(&f, false, 0, 0);
    /* All alike, at 512: the equal rule, which holds back burners that
     * split the pCPU between them. */
    {
        const double even[] = { 2, 49, 49 };

        lab_set_uses(f.st, even, 512, 512, 512);
        lab_expect(&f, true, 512, 512);
        lab_set_uses(f.st, even, 1024, 256, 256);   /* weighted: too */
        lab_expect(&f, true, 1024, 256);
    }
    tu_sim_close(&f);
}

/* The lab's readers: a one-pCPU host whose dom0 (weight 1024) used 0.46
 * serving two readers (256) of 0.27 pCPU and 5.8 MB/s each, on a path
 * far from full.  Held back by their CPU share, they want more I/O (as
 * much as CPU and path allow), not more computing. */
static void test_cpu_starved_readers(void **state)
{
    const double use[] = { 46, 27, 27 };
    bal__pl_input in;
    bal__pl_estimate *est = NULL;
    tu_sim f;
    int i, k;

    tu_sim_open(&f, LAB);
    for (k = 0; k < 2; k++) {
        lab_set_uses(f.st, use, k ? 0 : 1024, k ? 0 : 256, k ? 0 : 256);
        for (i = 0; i < f.st->nvms; i++) {
            if (strcmp(f.st->vms[i].host, "H1") || f.st->vms[i].is_dom0)
                continue;
            f.st->vms[i].type = BAL_TYPE_IO;
            f.st->vms[i].rd_Bps = 5.8e6;
        }
        bal__pl_input_init(&in);
        assert_int_equal(bal__plan_input_build_ex(f.ctx, f.cfg, f.st, NULL,
                                                  0, 0, &in, &est), 0);
        for (i = 0; i < in.nvms; i++) {
            if (strcmp(in.vms[i].name, "b1") && strcmp(in.vms[i].name, "b2"))
                continue;
            assert_false(est[i].io_bottleneck);     /* 11.6 of 100 MB/s */
            if (k == 0) {
                /* Weighted: at their share of the busy pCPU. */
                assert_true(est[i].cpu_bottleneck);
                assert_true(isinf(in.vms[i].io_Bps));
            } else {
                /* Equal weights: dom0 took more than a third, so the
                 * readers look satisfied and want what they got. */
                assert_false(est[i].cpu_bottleneck);
                assert_true(fabs(in.vms[i].io_Bps - 5.8e6) < 1);
            }
            /* Never a computer's whole vCPU. */
            assert_true(in.vms[i].cpu < 0.3);
        }
        free(est);
        est = NULL;
        bal__pl_input_dispose(&in);
    }
    tu_sim_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fair_share),
        cmocka_unit_test(test_fair_share_w),
        cmocka_unit_test(test_weighted_dom0),
        cmocka_unit_test(test_cpu_starved_readers),
        cmocka_unit_test(test_paper_demands),
        cmocka_unit_test(test_light_demands),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_no_memory),
        cmocka_unit_test(test_make_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
