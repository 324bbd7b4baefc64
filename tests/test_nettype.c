/*
 * test_nettype.c - the net load type end to end, and the pieces it is
 * made of.  On scenarios/net.scn (two VMs streaming on HostA, two CPU VMs
 * on HostB), through the public API: status classifies the streams net
 * and heavy, each host a same-type conflict; plan exchanges a net VM and
 * a CPU VM (a move each way, the conflicts gone); simulate finishes every
 * job sooner, the net ones too.  Beneath: a network job in the simulator
 * progresses with the NIC share it gets; the planner shares a host's NIC
 * among its VMs' traffic and a migration's stream, counts same-type net
 * pairs, and reads net_Bps from its JSON input with its defaults.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "libbalance-research.h"
#include "backend/sim.h"
#include "planner/planner.h"
#include "planner/planner_cost.h"
#include "planner/planner_json.h"

#define SCN "scenarios/net.scn"
#define NIC (840.2e6 / 8)               /* net.scn's NICs, bytes/s */

/* This file's cluster (testutil's fixture). */
static void fx_init(tu_fx *f)
{
    tu_fx_init(f, "sim:" SCN);
}

/* ---- status ------------------------------------------------------------- */

static void test_status(void **state)
{
    tu_fx f;
    bal_status *st = NULL;
    const bal_host_info *ha, *hb;
    char *json = NULL;
    int i;

    (void)state;
    fx_init(&f);
    assert_int_equal(bal_status_collect(f.ctx, f.be, f.cfg, &st), 0);
    for (i = 0; i < 2; i++) {
        const bal_vm_info *v = tu_status_vm(st, i ? "vm3" : "vm1");

        assert_int_equal(v->type, BAL_TYPE_NET);
        assert_true(v->heavy);
        /* Half the NIC each, sending; no CPU, no disk. */
        assert_true(fabs(v->level[BAL_RES_NET] - 0.5) < 0.02);
        assert_true(v->net_tx_Bps > 0.48 * NIC && v->net_rx_Bps == 0);
        assert_true(v->level[BAL_RES_CPU] < 0.01);
    }
    assert_int_equal(tu_status_vm(st, "vm2")->type, BAL_TYPE_CPU);
    assert_int_equal(tu_status_vm(st, "vm4")->type, BAL_TYPE_CPU);
    ha = bal_status_host(st, 0);
    hb = bal_status_host(st, 1);
    assert_int_equal(ha->ntype[BAL_TYPE_NET], 2);
    assert_int_equal(ha->heavy[BAL_RES_NET], 2);
    assert_int_equal(ha->heavy[BAL_RES_CPU], 0);
    assert_true(ha->same_type_conflict);
    assert_int_equal(hb->ntype[BAL_TYPE_CPU], 2);
    assert_int_equal(hb->heavy[BAL_RES_NET], 0);
    assert_true(hb->same_type_conflict);
    /* The JSON names it as the table does. */
    assert_int_equal(bal_status_json(st, &json), 0);
    assert_non_null(strstr(json, "\"type\": \"net\""));
    assert_non_null(strstr(json, "\"heavy_net\": 2"));
    assert_non_null(strstr(json, "\"net\": 2"));
    free(json);
    bal_status_free(st);
    tu_fx_dispose(&f);
}

/* ---- plan --------------------------------------------------------------- */

static void test_plan(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    const bal_plan_summary *s;
    const bal_plan_move_info *net = NULL, *cpu = NULL;
    int i;

    (void)state;
    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &r), 0);
    s = bal_plan_report_summary(r);
    /* One net VM to HostB, one CPU VM to HostA: each host ends with one
     * VM of each kind, no two of a kind together. */
    assert_int_equal(s->nmoves, 2);
    assert_int_equal(s->collisions_before, 2);
    assert_int_equal(s->collisions_after, 0);
    for (i = 0; i < s->nmoves; i++) {
        const bal_plan_move_info *m = bal_plan_report_move(r, i);

        if (m->type == BAL_TYPE_NET) net = m;
        if (m->type == BAL_TYPE_CPU) cpu = m;
    }
    assert_non_null(net);
    assert_non_null(cpu);
    assert_string_equal(net->from, "HostA");
    assert_string_equal(net->to, "HostB");
    assert_string_equal(cpu->from, "HostB");
    assert_string_equal(cpu->to, "HostA");
    assert_non_null(strstr(net->reason, "NIC shared with 1 net VM"));
    /* Its stream gets a third of HostA's NIC beside the two streams, as
     * the simulator gives it: 1 GiB in about 31 s. */
    assert_true(net->migration_s > 28 && net->migration_s < 34);
    /* The streams were held back by the NIC: they want all of it. */
    for (i = 0; i < bal_plan_report_num_vms(r); i++) {
        const bal_plan_vm_info *v = bal_plan_report_vm(r, i);

        assert_int_equal(v->net_bottleneck, v->type == BAL_TYPE_NET);
        if (v->type == BAL_TYPE_NET) assert_true(isinf(v->net_demand_Bps));
        else assert_true(v->net_demand_Bps == 0);
    }
    bal_plan_report_free(r);
    tu_fx_dispose(&f);
}

/* ---- simulate ------------------------------------------------------------ */

static void test_simulate(void **state)
{
    bal_sim_options o;
    bal_sim_report *r = NULL;
    bal_config *cfg = NULL;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int i, nnet = 0;

    (void)state;
    assert_int_equal(bal_config_alloc(&cfg), 0);
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = SCN;
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_int_equal(bal_sim_report_num_migrations(r), 2);
    assert_int_equal(bal_sim_report_num_vms(r), 4);
    for (i = 0; i < 4; i++) {
        const bal_sim_vm_info *v = bal_sim_report_vm(r, i);

        assert_true(v->has_job);
        assert_true(v->completion_s > 0 && v->baseline_s > 0);
        if (v->load != BAL_TYPE_NET) continue;
        nnet++;
        /* Sharing the NIC: 40 GiB at half of 105 MB/s, 818 s; apart
         * from about 131 s on, well over 1.5 times sooner. */
        assert_true(fabs(v->baseline_s - 2 * 40 * 1073741824.0 / NIC) <
                    0.01 * v->baseline_s);
        assert_true(v->completion_s < v->baseline_s / 1.5);
    }
    assert_int_equal(nnet, 2);
    bal_sim_report_free(r);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* ---- the simulator's network jobs ---------------------------------------- */

static int load_scn(bal_ctx *ctx, const char *text, bal__scenario *scn)
{
    bal__scenario_init(scn);
    return bal__scenario_parse(ctx, "t.scn", text, strlen(text), scn);
}

static void test_sim_network_job(void **state)
{
    static const char text[] =
        "option noise=0\n"
        "host A pcpus=1 mem=4G disk=10MB/s net=100MB/s\n"
        "vm s1 host=A vcpus=1 mem=256M load=net network=1000M\n"
        "vm s2 host=A vcpus=1 mem=256M load=net net=20MB/s netrx=20MB/s "
        "network=400M\n";
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario scn;
    bal__sim *sim = NULL;
    double net = 0;

    (void)state;
    assert_int_equal(load_scn(ctx, text, &scn), 0);
    assert_true(isinf(scn.vms[0].net_tx_Bps));
    assert_true(scn.vms[0].net_rx_Bps == 0 && scn.vms[0].cpu == 0);
    assert_int_equal(bal__sim_alloc(&sim, &scn), 0);
    /* s2 moves 20 MB/s each way (its 400 MiB in 10.49 s); s1 sends the
     * 80 MB/s left of the NIC's send side, then all of it. */
    assert_int_equal(bal__sim_advance(sim, 5), 0);
    assert_true(fabs(bal__sim_vm_state(sim, 0)->tx_Bps - 80e6) < 1);
    assert_true(fabs(bal__sim_vm_state(sim, 1)->tx_Bps - 20e6) < 1);
    assert_int_equal(bal__sim_advance(sim, 20), 0);
    assert_true(fabs(bal__sim_vm_completion(sim, 1) -
                     400 * 1048576.0 / 40e6) < 1e-6);
    assert_int_equal(bal__sim_vm_work_done(sim, 1, NULL, NULL, &net), 0);
    assert_true(net == 400 * 1048576.0);
    /* s1: 80 MB/s until s2 ends, 100 MB/s after. */
    {
        double t2 = 400 * 1048576.0 / 40e6, left = 1000 * 1048576.0 -
                    80e6 * t2;

        assert_true(fabs(bal__sim_vm_completion(sim, 0) -
                         (t2 + left / 100e6)) < 1e-6);
    }
    assert_true(bal__sim_jobs_done(sim));
    /* Its counters show what it moved, and no more. */
    assert_true(fabs(bal__sim_vm_state(sim, 0)->tot_tx_bytes -
                     1000 * 1048576.0) < 1);
    bal__sim_free(sim);
    bal__scenario_dispose(&scn);
    bal_ctx_free(ctx);
}

static void test_scenario_errors(void **state)
{
    static const struct {
        const char *text, *err;
    } bad[] = {
        { "host A pcpus=1 mem=4G disk=10MB/s\n"
          "vm v host=A vcpus=1 mem=1G load=net\n",
          "t.scn:2: vm v: net=max needs every host's net= (host A, line 1, "
          "has none)" },
        { "host A pcpus=1 mem=4G disk=10MB/s net=1MB/s\n"
          "host B pcpus=1 mem=4G disk=10MB/s\n"
          "vm v host=A vcpus=1 mem=1G load=cpu netrx=max\n",
          "t.scn:3: vm v: netrx=max needs every host's net= (host B, line "
          "2, has none)" },
        { "host A pcpus=1 mem=4G disk=10MB/s net=1MB/s\n"
          "vm v host=A vcpus=1 mem=1G load=cpu network=1G\n",
          "t.scn:2: vm v: network= needs a network demand (net= and netrx= "
          "are 0)" },
        { "host A pcpus=1 mem=4G disk=10MB/s\n"
          "vm v host=A vcpus=1 mem=1G load=stream\n",
          "t.scn:2: load=stream: expected cpu, io, mixed, net or idle" },
    };
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        tu_log lg;
        bal_ctx *ctx = tu_ctx(&lg);
        bal__scenario scn;

        assert_int_equal(load_scn(ctx, bad[k].text, &scn), BAL_ESCENARIO);
        assert_int_equal(lg.nerrors, 1);
        assert_string_equal(tu_last(&lg), bad[k].err);
        bal__scenario_dispose(&scn);
        bal_ctx_free(ctx);
    }
}

/* ---- the planner's NIC ---------------------------------------------------- */

/* Two hosts of one pCPU and a 100 MB/s NIC; VMs by type and net demand. */
static void mk(bal__pl_input *in, bal__pl_host *h, bal__pl_vm *v, int nv,
               const int *host, const bal_load_type *type, const double *net)
{
    int i;

    bal__pl_input_init(in);
    memset(h, 0, 2 * sizeof(*h));
    for (i = 0; i < 2; i++) {
        h[i].name = i ? "B" : "A";
        h[i].pcpus = 1;
        h[i].disk_Bps = 100e6;
        h[i].net_Bps = 100e6;
        h[i].free_kb = 8 << 20;
    }
    memset(v, 0, (size_t)nv * sizeof(*v));
    for (i = 0; i < nv; i++) {
        static const char *const names[] = { "v0", "v1", "v2", "v3" };

        v[i].uuid = v[i].name = names[i];
        v[i].host = host[i];
        v[i].type = type[i];
        v[i].heavy = type[i] != BAL_TYPE_IDLE;
        v[i].cpu = type[i] == BAL_TYPE_CPU ? 1 : 0;
        v[i].net_Bps = net[i];
        v[i].vcpus = 1;
        v[i].mem_kb = 1 << 20;
        v[i].remaining_s = -1;
        v[i].anti_group = -1;
    }
    in->hosts = h;
    in->nhosts = 2;
    in->vms = v;
    in->nvms = nv;
}

static void test_planner_nic(void **state)
{
    static const int host[] = { 0, 0, 1, 1 };
    static const bal_load_type type[] = { BAL_TYPE_NET, BAL_TYPE_NET,
                                          BAL_TYPE_CPU, BAL_TYPE_CPU };
    static const double net[] = { INFINITY, INFINITY, 0, 0 };
    bal__pl_input in;
    bal__pl_host h[2];
    bal__pl_vm v[4];
    bal__pl_model m;
    bal__pl_cost c;
    bal__pl_result r;
    int idx[2] = { 0, 1 }, place[4] = { 1, 0, 0, 1 };
    double f[2], alone;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    (void)state;
    mk(&in, h, v, 4, host, type, net);
    assert_int_equal(bal__pl_model_init(&m, &in), 0);
    /* Two streams split the NIC: half each; alone, all of it. */
    bal__pl_rates(&m, 0, idx, 2, 0, f);
    assert_true(f[0] == 0.5 && f[1] == 0.5 && m.s_share[0] == 0.5);
    bal__pl_rates(&m, 1, idx, 1, 0, f);
    assert_true(f[0] == 1);
    /* A stream leaving or reaching A takes a third of A's NIC beside the
     * two VMs' traffic (the planner's NIC is one pipe for both ways). */
    assert_true(fabs(bal__pl_base_bw(&m, 0, 1, 1, 1, 1) - 100e6 / 3) < 1);
    assert_true(fabs(bal__pl_base_bw(&m, 1, 0, 1, 1, 1) - 100e6 / 3) < 1);
    /* Two streams there split it with them: a quarter each. */
    assert_true(fabs(bal__pl_base_bw(&m, 0, 1, 2, 1, 1) - 100e6 / 4) < 1);
    /* While it copies, the streams on A lose their NIC share to it. */
    bal__pl_move_cost(&m, 0, 0, 1, &c);
    assert_true(c.loss > 0);
    bal__pl_model_dispose(&m);
    /* Without VMs' traffic the NICs are the migration's alone: the link
     * at 4 ms limits it (Table 2, 76.2 MB/s). */
    v[0].net_Bps = v[1].net_Bps = 0;
    assert_int_equal(bal__pl_model_init(&m, &in), 0);
    alone = bal__pl_base_bw(&m, 0, 1, 1, 1, 1);
    assert_true(fabs(alone - bal__pl_link_from_rtt(4)) < 1);
    bal__pl_model_dispose(&m);
    v[0].net_Bps = v[1].net_Bps = INFINITY;

    /* Same-type pairs on a NIC the demands exceed count as collisions. */
    assert_int_equal(bal__pl_collisions(&in, NULL), 2);
    assert_int_equal(bal__pl_collisions(&in, place), 0);
    /* ... and the planner separates them, a move each way. */
    bal__pl_result_init(&r);
    assert_int_equal(bal__planner_plan(ctx, &in, &r), 0);
    assert_int_equal(r.collisions_after, 0);
    assert_int_equal(r.nmoves, 2);
    assert_true(r.utility_after > r.utility_before);
    bal__pl_result_dispose(&r);
    bal_ctx_free(ctx);
}

static void test_planner_json(void **state)
{
    static const char text[] =
        "{\"hosts\": [{\"name\": \"A\", \"pcpus\": 1, \"disk_Bps\": 1e8, "
        "\"free_kb\": 1048576},"
        "{\"name\": \"B\", \"pcpus\": 1, \"disk_Bps\": 1e8, \"net_Bps\": 0,"
        " \"free_kb\": 1048576}],"
        "\"vms\": [{\"name\": \"s\", \"host\": \"A\", \"type\": \"net\", "
        "\"net_Bps\": \"max\", \"vcpus\": 1, \"mem_kb\": 1024},"
        "{\"name\": \"c\", \"host\": \"B\", \"type\": \"cpu\", \"vcpus\": 1, "
        "\"mem_kb\": 1024}]}";
    static const char bad[] =
        "{\"hosts\": [{\"name\": \"A\", \"pcpus\": 1, \"disk_Bps\": 1e8, "
        "\"free_kb\": 1}], \"vms\": [{\"name\": \"s\", \"host\": \"A\", "
        "\"type\": \"stream\", \"vcpus\": 1, \"mem_kb\": 1}]}";
    bal__pl_input in;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    (void)state;
    bal__pl_input_init(&in);
    assert_int_equal(bal__pl_input_parse_json(ctx, "t.json", text,
                                              strlen(text), &in), 0);
    /* A host's NIC defaults to net_mbps's default, 1000 Mbit/s; 0 says
     * no limit.  A VM's traffic defaults to none. */
    assert_true(in.hosts[0].net_Bps == 125e6);
    assert_true(in.hosts[1].net_Bps == 0);
    assert_int_equal(in.vms[0].type, BAL_TYPE_NET);
    assert_true(isinf(in.vms[0].net_Bps));
    assert_true(in.vms[0].heavy);
    assert_true(in.vms[1].net_Bps == 0);
    bal__pl_input_dispose(&in);

    bal__pl_input_init(&in);
    assert_int_equal(bal__pl_input_parse_json(ctx, "t.json", bad,
                                              strlen(bad), &in), BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "t.json: vms[0] (s): type `stream': "
                        "not cpu, io, mixed, net or idle");
    bal__pl_input_dispose(&in);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_simulate),
        cmocka_unit_test(test_sim_network_job),
        cmocka_unit_test(test_scenario_errors),
        cmocka_unit_test(test_planner_nic),
        cmocka_unit_test(test_planner_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
