/*
 * test_simulate.c - the balancer in the loop of the simulated paper
 * cluster, through the public API: what `xl-balance simulate` reports;
 * and its balancer learning a link from its own migrations as rebalance
 * does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "research/simulate.h"

static bal_config *config(void)
{
    bal_config *cfg = NULL;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    return cfg;
}

static const bal_sim_vm_info *vm(const bal_sim_report *r, const char *name)
{
    int i;

    for (i = 0; i < bal_sim_report_num_vms(r); i++)
        if (!strcmp(bal_sim_report_vm(r, i)->name, name))
            return bal_sim_report_vm(r, i);
    fail_msg("no vm %s", name);
    return NULL;
}

static void test_paper(void **state)
{
    bal_sim_options o;
    bal_sim_report *r = NULL;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const bal_sim_migration_info *m0, *m1;
    int i;

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r), 0);
    assert_int_equal(lg.nerrors, 0);

    /* With balancing every job finishes sooner than without. */
    assert_int_equal(bal_sim_report_num_vms(r), 4);
    for (i = 0; i < 4; i++) {
        const bal_sim_vm_info *v = bal_sim_report_vm(r, i);

        assert_true(v->has_job);
        assert_true(v->completion_s > 0 && v->baseline_s > 0);
        assert_true(v->completion_s < v->baseline_s);
    }
    /* One io VM and one cpu VM swap hosts, one after the other, from the
     * paper's t = 100 s, vm1 first as in the paper. */
    assert_int_equal(bal_sim_report_num_migrations(r), 2);
    m0 = bal_sim_report_migration(r, 0);
    m1 = bal_sim_report_migration(r, 1);
    assert_string_equal(m0->vm, "vm1");
    assert_string_equal(m0->from, "HostA");
    assert_string_equal(m0->to, "HostB");
    assert_string_equal(m1->vm, "vm2");
    assert_string_equal(m1->from, "HostB");
    assert_string_equal(m1->to, "HostA");
    assert_int_equal(m0->rc, 0);
    assert_int_equal(m1->rc, 0);
    assert_true(m0->start_s >= 100.0 && m0->start_s < 106.0);
    assert_true(m1->start_s >= m0->end_s);          /* sequential */
    assert_true(m0->bytes >= 1024ull << 20);        /* all its memory */
    assert_string_equal(vm(r, "vm1")->host_end, "HostB");
    assert_string_equal(vm(r, "vm2")->host_end, "HostA");
    assert_string_equal(vm(r, "vm3")->host_end, "HostA");
    assert_string_equal(vm(r, "vm4")->host_end, "HostB");
    /* The baseline is the paper's without-migration column, to 1%. */
    assert_true(fabs(vm(r, "vm2")->baseline_s - 562) < 5.62);
    assert_true(fabs(vm(r, "vm1")->baseline_s - 1092) < 10.92);

    bal_sim_report_free(r);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* The report of o's run as JSON, with cfg (NULL: the defaults). */
static char *report_json_cfg(const bal_sim_options *o, bal_config *given)
{
    bal_sim_report *r = NULL;
    bal_config *cfg = given ? given : config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *json = NULL;

    assert_int_equal(bal_simulate(ctx, cfg, o, &r), 0);
    assert_int_equal(bal_sim_report_json(r, &json), 0);
    bal_sim_report_free(r);
    if (!given) bal_config_free(cfg);
    bal_ctx_free(ctx);
    return json;
}

static char *report_json(const bal_sim_options *o)
{
    return report_json_cfg(o, NULL);
}

static void test_deterministic(void **state)
{
    bal_sim_options o;
    char *a, *b;

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    a = report_json(&o);
    b = report_json(&o);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"completion_s\": "));
    free(a);
    free(b);
}

/* The paper's cluster on four-pCPU hosts, 4-vCPU VMs. */
static const char SWAP4[] =
    "option seed=1 interval=5 noise=0.02 rtt=4 balance_at=100\n"
    "host HostA pcpus=4 mem=8G dom0mem=512M disk=15732481B/s "
    "net=840.2Mbit/s\n"
    "host HostB pcpus=4 mem=8G dom0mem=512M disk=15732481B/s "
    "net=840.2Mbit/s\n"
    "vm vm1 host=HostA vcpus=4 mem=1024M load=io io=max iowork=8G\n"
    "vm vm3 host=HostA vcpus=4 mem=1024M load=io io=max iowork=8G\n"
    "vm vm2 host=HostB vcpus=4 mem=1024M load=cpu cpu=1 cpuwork=1.44e9\n"
    "vm vm4 host=HostB vcpus=4 mem=1024M load=cpu cpu=1 cpuwork=1.44e9\n";

static void test_no_balance_and_policy(void **state)
{
    bal_sim_options o;
    bal_config *cfg;
    char *j, *path;

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    o.no_balance = true;
    j = report_json(&o);
    assert_non_null(strstr(j, "\"balanced\": false"));
    assert_null(strstr(j, "\"wave\""));           /* no migration */
    assert_null(strstr(j, "completion_no_balance_s"));
    free(j);

    /* Concurrent: the planner may run migrations at once, two per host
     * and per link here.  On the paper's one-pCPU hosts it keeps the
     * swap's two moves in two waves: at once they would take ~112 s,
     * HostB's dom0 copying both streams with its third of the pCPU,
     * against 40 + 31 s one after the other (doc/planner.md, "Waves"). */
    o.no_balance = false;
    o.policy = BAL_POLICY_CONCURRENT;
    cfg = config();
    cfg->max_per_host = cfg->max_per_link = 2;
    j = report_json_cfg(&o, cfg);
    assert_non_null(strstr(j, "\"policy\": \"concurrent\""));
    assert_non_null(strstr(j, "\"wave\": 0"));
    assert_non_null(strstr(j, "\"wave\": 1"));
    free(j);

    /* On four-pCPU hosts each dom0 has CPU to spare: both moves of the
     * swap in one wave. */
    path = tu_tmpfile(SWAP4);
    o.scenario = path;
    j = report_json_cfg(&o, cfg);
    assert_non_null(strstr(j, "\"policy\": \"concurrent\""));
    assert_null(strstr(j, "\"wave\": 1"));
    assert_non_null(strstr(j, "\"wave\": 0"));
    assert_non_null(strstr(j, "\"vm\": \"vm1\""));
    assert_non_null(strstr(j, "\"vm\": \"vm2\""));
    free(j);
    unlink(path);
    free(path);
    bal_config_free(cfg);
}

/* A long RTT makes migrations slower and the gain smaller. */
static void test_rtt(void **state)
{
    bal_sim_options o;
    bal_sim_report *r4 = NULL, *r64 = NULL;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const bal_sim_migration_info *a, *b;

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    o.rtt_ms = 4;
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r4), 0);
    o.rtt_ms = 64;
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r64), 0);
    assert_true(bal_sim_report_rtt_ms(r64) == 64);
    a = bal_sim_report_migration(r4, 0);
    b = bal_sim_report_migration(r64, 0);
    assert_true(b->end_s - b->start_s > 1.5 * (a->end_s - a->start_s));
    assert_true(vm(r64, "vm2")->completion_s > vm(r4, "vm2")->completion_s);
    bal_sim_report_free(r4);
    bal_sim_report_free(r64);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* The break-even study: simulated and closed form agree where the model's
 * assumptions hold (cpu jobs), and longer RTTs need longer jobs. */
static void test_sweep(void **state)
{
    static const double rtts[] = { 4, 64 };
    bal_sim_options o;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_sweep_report *sw = NULL;
    char *json = NULL;
    int n = 0, i;
    const bal_sweep_row *c4 = NULL, *c64 = NULL;

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    assert_int_equal(bal_sim_sweep(ctx, cfg, &o, rtts, 2, &sw), 0);
    n = bal_sweep_report_num_rows(sw);
    assert_int_equal(n, 4);
    assert_null(bal_sweep_report_row(sw, n));
    assert_null(bal_sweep_report_row(sw, -1));
    for (i = 0; i < n; i++) {
        const bal_sweep_row *row = bal_sweep_report_row(sw, i);

        if (row->type != BAL_TYPE_CPU) continue;
        if (row->rtt_ms == 4) c4 = row;
        if (row->rtt_ms == 64) c64 = row;
    }
    assert_non_null(c4);
    assert_non_null(c64);
    assert_true(c4->breakeven_s > 0);
    assert_true(c64->breakeven_s > c4->breakeven_s);
    assert_true(c4->d > 0.1 && c4->d < 0.6);        /* cpu loses during */
    assert_true(c4->r > 0.5 && c4->r < 0.9);        /* and gains after */
    assert_true(fabs(c4->closed_form_s - c4->breakeven_s) <
                0.1 * c4->breakeven_s);
    assert_int_equal(bal_sweep_report_json(sw, &json), 0);
    assert_non_null(strstr(json, "\"breakeven_s\""));
    free(json);
    bal_sweep_report_free(sw);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_plot_files(void **state)
{
    bal_sim_options o;
    bal_sim_report *r = NULL;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char path[] = "/tmp/bal-sim-plot-XXXXXX";
    char file[64];
    FILE *f;
    char head[8] = { 0 };

    (void)state;
    assert_non_null(mkdtemp(path));
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r), 0);
    snprintf(file, sizeof(file), "%s/t.svg", path);
    assert_int_equal(bal_sim_report_plot(ctx, r, file), 0);
    f = fopen(file, "r");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, 4, f), 4);
    fclose(f);
    assert_memory_equal(head, "<svg", 4);
    unlink(file);
    snprintf(file, sizeof(file), "%s/t.gif", path);
    assert_int_equal(bal_sim_report_plot(ctx, r, file), BAL_EINVAL);
    assert_int_equal(access(file, F_OK), -1);
    rmdir(path);
    bal_sim_report_free(r);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* A link far slower than the planner's model (rtt_ms 4: ~76 MB/s; here
 * 4 MB/s): vm1 and vm2 compute on HostA, HostB is idle until vm3 and vm4
 * start computing there.  Two plans, each moving one VM between the two
 * hosts: the second learns the link from the first's record (B -> A
 * borrows A -> B's rate), and predicts about what it then takes. */
static const char SLOW_LINK[] =
    "option seed=1 interval=5 noise=0 balance_at=50 policy=sequential\n"
    "host HostA pcpus=1 mem=4G disk=100MB/s net=840.2Mbit/s\n"
    "host HostB pcpus=1 mem=4G disk=100MB/s net=840.2Mbit/s\n"
    "link HostA HostB bw=4MB/s\n"
    "vm vm1 host=HostA vcpus=1 mem=256M load=cpu cpuwork=2.5e9\n"
    "vm vm2 host=HostA vcpus=1 mem=256M load=cpu cpuwork=2.5e9\n"
    "vm vm3 host=HostB vcpus=1 mem=256M load=cpu cpuwork=2.5e9 start=600\n"
    "vm vm4 host=HostB vcpus=1 mem=256M load=cpu cpuwork=2.5e9 "
    "start=600\n";

/* The simulated run of path with balancing, cfg's link_history k. */
static void run_slow_link(const char *path, int k, bal__simrun *run)
{
    bal_sim_options o;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = path;
    cfg->link_history = k;
    bal__simrun_init(run);
    assert_int_equal(bal__simulate_run(ctx, cfg, &o, true, false, run), 0);
    assert_int_equal(lg.nerrors, 0);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_learns_link(void **state)
{
    char *path = tu_tmpfile(SLOW_LINK);
    const bal__hist *a, *b;
    bal__simrun run;
    double slow = 256.0 * 1024 * 1024 / 4e6;    /* 67 s */

    (void)state;
    run_slow_link(path, 5, &run);
    /* The balancer's history is rebalance's: every move recorded with the
     * plan's prediction and the link's rate it showed. */
    assert_int_equal(run.nhist, 2);
    assert_int_equal(run.nmigs, 2);
    a = &run.hist[0];
    b = &run.hist[1];
    assert_string_equal(a->from, "HostA");
    assert_string_equal(b->from, "HostB");
    assert_true(a->mem_kb == 256 * 1024 && a->type == BAL_TYPE_CPU);
    assert_true(a->duration_s > slow && a->duration_s < 1.2 * slow);
    /* The model's link: the first move predicted an order too fast. */
    assert_true(a->predicted_s < a->duration_s / 5);
    assert_true(a->observed_Bps > 3.5e6 && a->observed_Bps < 4.5e6);
    /* Learned: the second predicted about what it took. */
    assert_true(b->predicted_s > 3 * a->predicted_s);
    assert_true(fabs(b->predicted_s / b->duration_s - 1) < 0.2);
    bal__simrun_dispose(&run);

    /* link_history 0: the second move is predicted as fast as the first,
     * as wrongly. */
    run_slow_link(path, 0, &run);
    assert_int_equal(run.nhist, 2);
    assert_true(run.hist[1].predicted_s < run.hist[1].duration_s / 5);
    bal__simrun_dispose(&run);
    unlink(path);
    free(path);
}

static void test_bad_scenarios(void **state)
{
    bal_sim_options o;
    bal_sim_report *r = NULL;
    bal_config *cfg = config();
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *bad = tu_tmpfile("host A pcpus=1 mem=4G disk=10MB/s\n"
                           "vm v host=A vcpus=1 mem=1G load=cpu cpuwork=-5\n");
    char want[256];

    (void)state;
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "no-such-scenario";
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r), BAL_ENOENT);
    assert_null(r);
    o.scenario = bad;
    assert_int_not_equal(bal_simulate(ctx, cfg, &o, &r), 0);
    assert_null(r);
    snprintf(want, sizeof(want), "%s:2:", bad);
    assert_memory_equal(tu_last(&lg), want, strlen(want));
    o.scenario = "scenarios/paper.scn";
    o.job_scale = 0;
    assert_int_equal(bal_simulate(ctx, cfg, &o, &r), BAL_EINVAL);
    unlink(bad);
    free(bad);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_no_balance_and_policy),
        cmocka_unit_test(test_rtt),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_plot_files),
        cmocka_unit_test(test_learns_link),
        cmocka_unit_test(test_bad_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
