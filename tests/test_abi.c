/*
 * test_abi.c - what keeps libbalance's ABI stable (doc/architecture.md,
 * "ABI"), through the public API: every caller-allocated struct's _init
 * sets its version and refuses one it does not know, leaving the struct
 * as it was; every function given such a struct of an unknown version
 * (another one, or 0: never initialised) refuses it with BAL_EINVAL and
 * one error line naming the struct and the version, before it does
 * anything; the migration counters through their handle and accessors.
 */
#define _GNU_SOURCE             /* asprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "libbalance-research.h"

#define PAPER "sim:scenarios/paper.scn"

typedef struct fx {
    tu_log lg;
    bal_ctx *ctx;
    bal_config *cfg;
    bal_backend *be;
    char *dir, *state, *lock;
} fx;

static char *join(const char *a, const char *b)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", a, b) > 0);
    return p;
}

/* A sim backend, and a state directory and lock file in a fresh
 * temporary directory, neither created yet. */
static void fx_init(fx *f)
{
    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx(&f->lg);
    assert_int_equal(bal_config_alloc(&f->cfg), 0);
    f->dir = strdup("/tmp/bal-abi-XXXXXX");
    assert_non_null(f->dir);
    assert_non_null(mkdtemp(f->dir));
    f->state = join(f->dir, "state");
    f->lock = join(f->dir, "lock");
    f->cfg->state_dir = strdup(f->state);
    f->cfg->lock_file = strdup(f->lock);
    assert_int_equal(bal_backend_open(f->ctx, f->cfg, PAPER, &f->be), 0);
}

static void fx_dispose(fx *f)
{
    char *p = join(f->state, "counters");

    unlink(p);
    free(p);
    rmdir(f->state);
    unlink(f->lock);
    assert_int_equal(rmdir(f->dir), 0);
    bal_backend_close(f->be);
    bal_config_free(f->cfg);
    bal_ctx_free(f->ctx);
    free(f->dir);
    free(f->state);
    free(f->lock);
}

/* The one line a refusal logs. */
static void refused(fx *f, int rc, const char *name, unsigned int version)
{
    char want[256];

    snprintf(want, sizeof(want),
             "%s: version %u unknown to libbalance %s (it knows %u)", name,
             version, BAL_VERSION,
             !strcmp(name, "bal_migrate_result") ? BAL_MIGRATE_RESULT_VERSION
                                                 : 1u);
    assert_int_equal(rc, BAL_EINVAL);
    assert_int_equal(f->lg.nerrors, 1);
    assert_string_equal(f->lg.buf, want);
    memset(&f->lg, 0, sizeof(f->lg));
}

/* Nothing was done: no state directory, no lock file. */
static void untouched_state(const fx *f)
{
    struct stat sb;

    assert_int_equal(stat(f->state, &sb), -1);
    assert_int_equal(stat(f->lock, &sb), -1);
}

/* ---- _init ------------------------------------------------------------ */

static void test_init(void **state)
{
    bal_plan_options po, po0;
    bal_rebalance_options ro, ro0;
    bal_sim_options so, so0;
    bal_migrate_result mr, mr0;

    (void)state;
    assert_int_equal(bal_plan_options_init(&po, BAL_PLAN_OPTIONS_VERSION), 0);
    assert_int_equal(po.version, BAL_PLAN_OPTIONS_VERSION);
    assert_true(po.horizon_s < 0);
    assert_int_equal(po.max_moves, -1);

    assert_int_equal(bal_rebalance_options_init(
                         &ro, BAL_REBALANCE_OPTIONS_VERSION), 0);
    assert_int_equal(ro.version, BAL_REBALANCE_OPTIONS_VERSION);
    assert_false(ro.dry_run);
    assert_int_equal(ro.max_moves, -1);
    assert_null(ro.apply);
    assert_null(ro.confirm);

    assert_int_equal(bal_sim_options_init(&so, BAL_SIM_OPTIONS_VERSION), 0);
    assert_int_equal(so.version, BAL_SIM_OPTIONS_VERSION);
    assert_null(so.scenario);
    assert_int_equal(so.policy, BAL_POLICY_SCENARIO);
    assert_true(so.rtt_ms < 0 && so.balance_at < 0 && so.job_scale == 1);

    assert_int_equal(bal_migrate_result_init(
                         &mr, BAL_MIGRATE_RESULT_VERSION), 0);
    assert_int_equal(mr.version, BAL_MIGRATE_RESULT_VERSION);
    assert_string_equal(mr.uuid, "");
    assert_int_equal(mr.rounds, 0);
    assert_true(isnan(mr.dirty_Bps));
    assert_true(isnan(mr.predicted_s));
    assert_int_equal(mr.predicted_rounds, 0);
    assert_false(mr.learned);

    /* An unknown version: refused, the struct as it was (the library
     * cannot know its size). */
    memset(&po, 0xab, sizeof(po));
    memset(&ro, 0xab, sizeof(ro));
    memset(&so, 0xab, sizeof(so));
    memset(&mr, 0xab, sizeof(mr));
    po0 = po;
    ro0 = ro;
    so0 = so;
    mr0 = mr;
    assert_int_equal(bal_plan_options_init(&po, 2), BAL_EINVAL);
    assert_int_equal(bal_plan_options_init(&po, 0), BAL_EINVAL);
    assert_int_equal(bal_rebalance_options_init(&ro, 2), BAL_EINVAL);
    assert_int_equal(bal_sim_options_init(&so, 0), BAL_EINVAL);
    assert_int_equal(bal_migrate_result_init(&mr, 99), BAL_EINVAL);
    assert_memory_equal(&po, &po0, sizeof(po));
    assert_memory_equal(&ro, &ro0, sizeof(ro));
    assert_memory_equal(&so, &so0, sizeof(so));
    assert_memory_equal(&mr, &mr0, sizeof(mr));

    assert_int_equal(bal_plan_options_init(NULL, BAL_PLAN_OPTIONS_VERSION),
                     BAL_EINVAL);
    assert_int_equal(bal_rebalance_options_init(
                         NULL, BAL_REBALANCE_OPTIONS_VERSION), BAL_EINVAL);
    assert_int_equal(bal_sim_options_init(NULL, BAL_SIM_OPTIONS_VERSION),
                     BAL_EINVAL);
    assert_int_equal(bal_migrate_result_init(
                         NULL, BAL_MIGRATE_RESULT_VERSION), BAL_EINVAL);
}

/* ---- the functions that take them --------------------------------------- */

static void test_plan_refuses(void **state)
{
    bal_plan_options o;
    bal_plan_report *r = NULL;
    fx f;

    (void)state;
    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    o.version = 2;
    refused(&f, bal_plan(f.ctx, f.be, f.cfg, &o, &r), "bal_plan_options", 2);
    assert_null(r);
    /* Refused before the file is read: no "cannot open" line. */
    o.version = 0;
    refused(&f, bal_plan_cluster(f.ctx, "/nonexistent/cluster.json", &o, &r),
            "bal_plan_options", 0);
    assert_null(r);
    untouched_state(&f);
    fx_dispose(&f);
}

static void test_rebalance_refuses(void **state)
{
    bal_rebalance_options o;
    bal_rebalance_report *r = NULL;
    fx f;

    (void)state;
    fx_init(&f);
    /* Never initialised: its version is 0. */
    memset(&o, 0, sizeof(o));
    refused(&f, bal_rebalance(f.ctx, f.be, f.cfg, &o, &r),
            "bal_rebalance_options", 0);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.version = BAL_REBALANCE_OPTIONS_VERSION + 1;
    refused(&f, bal_rebalance(f.ctx, f.be, f.cfg, &o, &r),
            "bal_rebalance_options", BAL_REBALANCE_OPTIONS_VERSION + 1);
    assert_null(r);
    untouched_state(&f);        /* no lock taken, no journal */
    fx_dispose(&f);
}

static void test_migrate_refuses(void **state)
{
    bal_migrate_result res, res0;
    fx f;

    (void)state;
    fx_init(&f);
    bal_migrate_result_init(&res, BAL_MIGRATE_RESULT_VERSION);
    res.version = 7;
    res0 = res;
    refused(&f, bal_migrate(f.ctx, f.be, "vm1", "HostB", &res),
            "bal_migrate_result", 7);
    assert_memory_equal(&res, &res0, sizeof(res));
    untouched_state(&f);
    /* Initialised, the same move goes ahead and keeps the version. */
    bal_migrate_result_init(&res, BAL_MIGRATE_RESULT_VERSION);
    assert_int_equal(bal_migrate(f.ctx, f.be, "vm1", "HostB", &res), 0);
    assert_int_equal(res.version, BAL_MIGRATE_RESULT_VERSION);
    assert_string_equal(res.name, "vm1");
    assert_int_equal(f.lg.nerrors, 0);
    /* Its answer as JSON: from a known version only. */
    {
        char *json = NULL;

        assert_int_equal(bal_migrate_json(0, &res, "HostB", &json), 0);
        assert_non_null(strstr(json, "\"outcome\":\"done\""));
        free(json);
        json = NULL;
        res.version = 7;
        assert_int_equal(bal_migrate_json(0, &res, "HostB", &json),
                         BAL_EINVAL);
        assert_null(json);
    }
    {
        char *h = join(f.state, "history");

        unlink(h);
        free(h);
    }
    fx_dispose(&f);
}

static void test_simulate_refuses(void **state)
{
    static const double rtts[] = { 4 };
    bal_sim_options o;
    bal_sim_report *r = NULL;
    bal_sweep_report *sw = NULL;
    fx f;

    (void)state;
    fx_init(&f);
    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    o.scenario = "scenarios/paper.scn";
    o.version = 3;
    refused(&f, bal_simulate(f.ctx, f.cfg, &o, &r), "bal_sim_options", 3);
    assert_null(r);
    refused(&f, bal_sim_sweep(f.ctx, f.cfg, &o, rtts, 1, &sw),
            "bal_sim_options", 3);
    assert_null(sw);
    fx_dispose(&f);
}

/* ---- the research API's handles ----------------------------------------- */

static void test_sweep_report_null(void **state)
{
    char *json = NULL;

    (void)state;
    assert_int_equal(bal_sweep_report_num_rows(NULL), 0);
    assert_null(bal_sweep_report_row(NULL, 0));
    assert_int_equal(bal_sweep_report_json(NULL, &json), BAL_EINVAL);
    assert_null(json);
    bal_sweep_report_free(NULL);
}

/* ---- counters ----------------------------------------------------------- */

static void test_counters(void **state)
{
    static const char *const names[] = {
        "done", "failed", "undefined", "refused", "skipped",
    };
    bal_counters *c = NULL;
    char *p;
    FILE *fp;
    int i, n;
    fx f;

    (void)state;
    fx_init(&f);
    n = bal_counter_count();
    assert_int_equal(n, 5);
    for (i = 0; i < n; i++)
        assert_string_equal(bal_counter_name((bal_counter)i), names[i]);
    assert_null(bal_counter_name((bal_counter)n));
    assert_null(bal_counter_name((bal_counter)-1));

    /* Nothing recorded yet: every total 0. */
    assert_int_equal(bal_counters_read(f.ctx, f.cfg, &c), 0);
    assert_non_null(c);
    for (i = 0; i < n; i++)
        assert_int_equal(bal_counters_value(c, (bal_counter)i), 0);
    bal_counters_free(c);
    c = NULL;

    /* The file rebalance keeps; a line of a newer version's ignored. */
    assert_int_equal(mkdir(f.state, 0700), 0);
    p = join(f.state, "counters");
    fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("done 3\nfailed 1\nundefined 0\nrefused 2\nskipped 5\n"
          "postponed 9\n", fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(bal_counters_read(f.ctx, f.cfg, &c), 0);
    assert_int_equal(bal_counters_value(c, BAL_COUNTER_DONE), 3);
    assert_int_equal(bal_counters_value(c, BAL_COUNTER_FAILED), 1);
    assert_int_equal(bal_counters_value(c, BAL_COUNTER_UNDEFINED), 0);
    assert_int_equal(bal_counters_value(c, BAL_COUNTER_REFUSED), 2);
    assert_int_equal(bal_counters_value(c, BAL_COUNTER_SKIPPED), 5);
    assert_int_equal(bal_counters_value(c, (bal_counter)n), 0);
    assert_int_equal(bal_counters_value(c, (bal_counter)-1), 0);
    assert_int_equal(bal_counters_value(NULL, BAL_COUNTER_DONE), 0);
    bal_counters_free(c);
    bal_counters_free(NULL);
    assert_int_equal(f.lg.nerrors, 0);

    /* Unreadable: BAL_EIO, one line, *counters_r untouched. */
    c = (bal_counters *)&f;
    free(f.cfg->state_dir);
    f.cfg->state_dir = strdup(p);           /* a file: "FILE/counters" */
    assert_int_equal(bal_counters_read(f.ctx, f.cfg, &c), BAL_EIO);
    assert_ptr_equal(c, (bal_counters *)&f);
    assert_int_equal(f.lg.nerrors, 1);
    assert_non_null(strstr(f.lg.buf, "/counters: cannot open: "));
    free(f.cfg->state_dir);
    f.cfg->state_dir = strdup(f.state);
    free(p);

    /* No state_dir in the configuration: the default's, not the
     * "(null)/counters" glibc's printf once made of it, relative to the
     * working directory. */
    {
        char cwd[4096], *nd = join(f.dir, "(null)");
        char *nc = join(nd, "counters");
        int rc;

        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(mkdir(nd, 0700), 0);
        fp = fopen(nc, "w");
        assert_non_null(fp);
        fputs("done 424242\n", fp);
        assert_int_equal(fclose(fp), 0);
        assert_int_equal(chdir(f.dir), 0);
        free(f.cfg->state_dir);
        f.cfg->state_dir = NULL;
        c = NULL;
        rc = bal_counters_read(f.ctx, f.cfg, &c);
        assert_int_equal(chdir(cwd), 0);
        assert_true(rc == 0 || rc == BAL_EIO);
        assert_true(bal_counters_value(c, BAL_COUNTER_DONE) != 424242);
        bal_counters_free(c);
        f.cfg->state_dir = strdup(f.state);
        unlink(nc);
        rmdir(nd);
        free(nc);
        free(nd);
    }
    fx_dispose(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_plan_refuses),
        cmocka_unit_test(test_rebalance_refuses),
        cmocka_unit_test(test_migrate_refuses),
        cmocka_unit_test(test_simulate_refuses),
        cmocka_unit_test(test_sweep_report_null),
        cmocka_unit_test(test_counters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
