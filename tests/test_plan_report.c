/*
 * test_plan_report.c - `xl-balance plan' through the public API
 * (bal_plan): on the simulated paper cluster, the summary, every move's
 * predictions, the waves, the placement before and after, the estimates;
 * its JSON read back by rebalance's plan file reader (the moves and their
 * predicted gains, the other keys ignored); rejections with their reason;
 * and bad arguments.  Offline (bal_plan_cluster): the paper's cluster from
 * its planner input, the same swap as live; the options over the file's
 * parameters; every refusal one line naming the file, nothing returned.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "run/rebalance.h"

#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"   /* vm1 */

/* This file's cluster (testutil's fixture). */
static void fx_init(tu_fx *f)
{
    tu_fx_init(f, "sim:scenarios/paper.scn");
}

static void test_paper(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    const bal_plan_summary *s;
    const bal_plan_move_info *m0, *m1;
    const bal_plan_host_info *ha;
    const bal_plan_vm_info *v;
    int i;

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &r), 0);
    assert_int_equal(f.lg.len, 0);

    s = bal_plan_report_summary(r);
    assert_true(s->horizon_s == 3600);
    assert_int_equal(s->nmoves, 2);
    assert_int_equal(s->nwaves, 2);
    assert_int_equal(s->collisions_before, 2);
    assert_int_equal(s->collisions_after, 0);
    assert_int_equal(s->stranded, 0);
    assert_int_equal(s->peer_errors, 0);
    /* Four VMs at half their demand for an hour: 7200 VM-s; after the
     * swap each has its host's resource to itself but for the computer
     * beside a reader's I/O (about 0.75). */
    assert_true(fabs(s->objective_before - 7200) < 1);
    assert_true(s->objective_after > 12000);

    /* The swap: vm1 first, then vm2, one wave each (doc/planner.md: about
     * 40 s and 31 s, one after the other; break-even 113 s: doc/planner.md,
     * "The break-even gate"). */
    assert_int_equal(bal_plan_report_num_moves(r), 2);
    m0 = bal_plan_report_move(r, 0);
    m1 = bal_plan_report_move(r, 1);
    assert_string_equal(m0->vm, "vm1");
    assert_string_equal(m0->uuid, UUID1);
    assert_string_equal(m0->from, "HostA");
    assert_string_equal(m0->to, "HostB");
    assert_int_equal(m0->type, BAL_TYPE_IO);
    assert_int_equal(m0->wave, 0);
    assert_string_equal(m1->vm, "vm2");
    assert_int_equal(m1->wave, 1);
    assert_int_equal(m0->unit, m1->unit);
    assert_false(m0->evacuation);
    assert_true(fabs(m0->migration_s - 40) < 1);
    assert_true(fabs(m1->migration_s - 31) < 1);
    assert_true(fabs(m0->break_even_s - 113.4) < 1);
    assert_true(m0->gain_rate > 1.4 && m0->gain_rate < 1.6);
    assert_true(m0->gain > 5000 && m0->loss > 0);
    assert_true(m0->bytes > 1024.0 * 1024 * 1024);
    assert_non_null(strstr(m0->reason, "disk path shared with 1 io VM"));
    assert_true(fabs(bal_plan_report_wave_s(r, 0) - m0->wave_migration_s)
                < 1e-9);
    assert_true(fabs(s->duration_s - bal_plan_report_wave_s(r, 0) -
                     bal_plan_report_wave_s(r, 1)) < 1e-9);
    assert_true(isnan(bal_plan_report_wave_s(r, 2)));
    assert_null(bal_plan_report_move(r, 2));
    assert_int_equal(bal_plan_report_num_rejected(r), 0);

    /* Placement and estimates. */
    assert_int_equal(bal_plan_report_num_hosts(r), 2);
    ha = bal_plan_report_host(r, 0);
    assert_string_equal(ha->name, "HostA");
    assert_int_equal(ha->pcpus, 1);
    assert_int_equal(ha->free_kb_before, ha->free_kb_after);  /* a swap */
    assert_int_equal(bal_plan_report_num_vms(r), 4);
    for (i = 0; i < 4; i++) {
        v = bal_plan_report_vm(r, i);
        if (!strcmp(v->vm, "vm1")) {
            assert_string_equal(v->host_before, "HostA");
            assert_string_equal(v->host_after, "HostB");
            assert_true(isinf(v->io_demand_Bps));
            assert_true(v->io_bottleneck && !v->cpu_bottleneck);
        } else if (!strcmp(v->vm, "vm4")) {
            assert_string_equal(v->host_before, "HostB");
            assert_string_equal(v->host_after, "HostB");
            assert_true(v->cpu_demand == 1 && v->cpu_bottleneck);
        }
    }
    assert_null(bal_plan_report_vm(r, 4));
    bal_plan_report_free(r);
    tu_fx_dispose(&f);
}

/* The JSON is a plan file: the reader takes its moves, by wave, with the
 * predicted gains; the rest of the document it ignores. */
static void test_json_is_a_plan(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    bal__plan p;
    double *pred = NULL;
    char *json = NULL;

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &r), 0);
    assert_int_equal(bal_plan_report_json(r, &json), 0);
    assert_non_null(strstr(json, "\"xl_balance_plan\": 1"));
    assert_non_null(strstr(json, "\"break_even_s\": 113.4"));
    assert_non_null(strstr(json, "\"io_demand_Bps\": \"max\""));
    assert_non_null(strstr(json, "\"rejected\": ["));
    assert_non_null(strstr(json, "\"before\": [\n"));
    bal__plan_init(&p);
    assert_int_equal(bal__plan_json_parse(f.ctx, "plan", json, strlen(json),
                                          &p, &pred), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.nwaves, 2);
    assert_string_equal(p.moves[0].mv.vm, "vm1");
    assert_string_equal(p.moves[0].mv.uuid, UUID1);
    assert_string_equal(p.moves[0].mv.to, "HostB");
    assert_string_equal(p.moves[1].mv.vm, "vm2");
    assert_int_equal(p.moves[1].wave, 1);
    assert_non_null(strstr(p.moves[0].reason, "disk path shared"));
    assert_true(fabs(pred[0] - bal_plan_report_move(r, 0)->gain_rate) < 1e-4);
    free(pred);
    bal__plan_dispose(&p);
    free(json);
    bal_plan_report_free(r);
    tu_fx_dispose(&f);
}

/* Options: a horizon too short for any move's break-even; no move
 * allowed.  The VMs that would gain say why they stay. */
static void test_options(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    const bal_plan_reject_info *j;
    char *json = NULL;

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    o.horizon_s = 30;
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &r), 0);
    assert_int_equal(bal_plan_report_num_moves(r), 0);
    assert_true(bal_plan_report_summary(r)->horizon_s == 30);
    assert_int_equal(bal_plan_report_num_rejected(r), 4);
    j = bal_plan_report_rejected(r, 0);
    assert_string_equal(j->vm, "vm1");
    assert_string_equal(j->reason, "below-break-even");
    assert_string_equal(j->to, "HostB");
    assert_null(j->partner);
    assert_true(j->break_even_s > 30);
    assert_non_null(strstr(j->detail, "below-break-even"));
    assert_null(bal_plan_report_rejected(r, 4));
    assert_int_equal(bal_plan_report_json(r, &json), 0);
    assert_non_null(strstr(json, "\"moves\": [\n\n    ]"));
    assert_non_null(strstr(json, "\"reason\": \"below-break-even\""));
    free(json);
    bal_plan_report_free(r);

    o.horizon_s = -1;
    o.max_moves = 0;
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &r), 0);
    assert_int_equal(bal_plan_report_num_moves(r), 0);
    assert_string_equal(bal_plan_report_rejected(r, 0)->reason, "max-moves");
    bal_plan_report_free(r);

    /* Bad arguments; NULL reports are empty. */
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, NULL, &r), BAL_EINVAL);
    assert_int_equal(bal_plan(f.ctx, NULL, f.cfg, &o, &r), BAL_EINVAL);
    assert_int_equal(bal_plan_report_json(NULL, &json), BAL_EINVAL);
    assert_null(bal_plan_report_summary(NULL));
    assert_int_equal(bal_plan_report_num_moves(NULL), 0);
    assert_int_equal(bal_plan_report_num_vms(NULL), 0);
    bal_plan_report_free(NULL);
    tu_fx_dispose(&f);
}

/* ---- offline: bal_plan_cluster ------------------------------------------- */

#define PAPER_JSON "tests/planner/paper.json"

/* The paper's cluster, two io VMs on HostA and two cpu VMs on HostB;
 * %s: more keys of vm2 (its uuid, ...). */
#define CLUSTER_FMT \
    "{\"hosts\": [{\"name\": \"HostA\", \"pcpus\": 1, \"disk_Bps\": 15732481," \
    "  \"free_kb\": 1568768}," \
    " {\"name\": \"HostB\", \"pcpus\": 1, \"disk_Bps\": 15732481," \
    "  \"free_kb\": 1568768}]," \
    " \"vms\": [" \
    " {\"name\": \"vm1\", \"uuid\": \"" UUID1 "\", \"host\": \"HostA\"," \
    "  \"type\": \"io\", \"io_Bps\": \"max\", \"vcpus\": 1," \
    "  \"mem_kb\": 1048576, \"dirty_Bps\": 7866240}," \
    " {\"name\": \"vm3\", \"host\": \"HostA\", \"type\": \"io\"," \
    "  \"io_Bps\": \"max\", \"vcpus\": 1, \"mem_kb\": 1048576," \
    "  \"dirty_Bps\": 7866240}," \
    " {\"name\": \"vm2\", %s\"host\": \"HostB\", \"type\": \"cpu\"," \
    "  \"cpu\": 1, \"vcpus\": 1, \"mem_kb\": 1048576}," \
    " {\"name\": \"vm4\", \"host\": \"HostB\", \"type\": \"cpu\"," \
    "  \"cpu\": 1, \"vcpus\": 1, \"mem_kb\": 1048576}]}\n"

#define UUID2 "0b1e4c52-1b5c-4e4b-9a39-1f0c2a1d7e22"

/* The cluster with vm2's extra keys, in a temporary file. */
static char *cluster_file(const char *vm2_keys)
{
    char text[2048];

    snprintf(text, sizeof(text), CLUSTER_FMT, vm2_keys);
    return tu_tmpfile(text);
}

/* Does report r move vm from `from' to `to'? */
static bool moves(const bal_plan_report *r, const char *vm, const char *from,
                  const char *to)
{
    int i;

    for (i = 0; i < bal_plan_report_num_moves(r); i++) {
        const bal_plan_move_info *m = bal_plan_report_move(r, i);

        if (!strcmp(m->vm, vm) && !strcmp(m->from, from) &&
            !strcmp(m->to, to))
            return true;
    }
    return false;
}

/* The paper's planner input, planned offline: the swap the simulated
 * cluster gets live, in the same report; what only a live status knows
 * is empty. */
static void test_cluster_paper(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL, *live = NULL;
    const bal_plan_summary *s;
    char *json = NULL;
    int i;

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan_cluster(f.ctx, PAPER_JSON, &o, &r), 0);
    assert_int_equal(f.lg.len, 0);
    s = bal_plan_report_summary(r);
    assert_true(s->horizon_s == 3600);
    assert_int_equal(s->nmoves, 2);
    assert_int_equal(s->collisions_before, 2);
    assert_int_equal(s->collisions_after, 0);
    assert_int_equal(s->peer_errors, 0);
    assert_true(fabs(s->objective_before - 7200) < 1);
    /* Which wave goes first is the planner's business; the swap is not. */
    assert_true(moves(r, "vm1", "HostA", "HostB"));
    assert_true(moves(r, "vm2", "HostB", "HostA"));
    assert_int_equal(bal_plan_report_num_rejected(r), 0);
    assert_int_equal(bal_plan_report_num_hosts(r), 2);
    assert_int_equal(bal_plan_report_num_vms(r), 4);
    for (i = 0; i < 4; i++) {
        const bal_plan_vm_info *v = bal_plan_report_vm(r, i);

        /* No uuid in the file: the name stands for it. */
        assert_string_equal(v->uuid, v->vm);
        assert_false(v->cpu_bottleneck || v->io_bottleneck);
    }

    /* The live plan of the same cluster moves the same VMs. */
    assert_int_equal(bal_plan(f.ctx, f.be, f.cfg, &o, &live), 0);
    assert_int_equal(bal_plan_report_num_moves(live), s->nmoves);
    for (i = 0; i < s->nmoves; i++) {
        const bal_plan_move_info *m = bal_plan_report_move(live, i);

        assert_true(moves(r, m->vm, m->from, m->to));
    }

    assert_int_equal(bal_plan_report_json(r, &json), 0);
    assert_non_null(strstr(json, "\"xl_balance_plan\": 1"));
    assert_non_null(strstr(json, "\"vm\": \"vm1\",\n"));
    assert_non_null(strstr(json, "\"learned_links\": [\n\n    ]"));
    assert_non_null(strstr(json, "\"cpu_bottleneck\": false"));
    free(json);
    bal_plan_report_free(live);
    bal_plan_report_free(r);
    tu_fx_dispose(&f);
}

/* A cluster file with the VMs' real UUIDs gives a plan file rebalance
 * --apply takes (and checks against the live cluster). */
static void test_cluster_json_is_a_plan(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    bal__plan p;
    double *pred = NULL;
    char *path = cluster_file("\"uuid\": \"" UUID2 "\", "), *json = NULL;
    int i1;

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan_cluster(f.ctx, path, &o, &r), 0);
    assert_int_equal(bal_plan_report_json(r, &json), 0);
    bal__plan_init(&p);
    assert_int_equal(bal__plan_json_parse(f.ctx, "plan", json, strlen(json),
                                          &p, &pred), 0);
    assert_int_equal(p.n, 2);
    i1 = strcmp(p.moves[0].mv.vm, "vm1") ? 1 : 0;
    assert_string_equal(p.moves[i1].mv.vm, "vm1");
    assert_string_equal(p.moves[i1].mv.uuid, UUID1);
    assert_string_equal(p.moves[i1].mv.from, "HostA");
    assert_string_equal(p.moves[i1].mv.to, "HostB");
    assert_string_equal(p.moves[1 - i1].mv.uuid, UUID2);
    assert_string_equal(p.moves[1 - i1].mv.to, "HostA");
    free(pred);
    bal__plan_dispose(&p);
    free(json);
    bal_plan_report_free(r);
    unlink(path);
    free(path);
    tu_fx_dispose(&f);
}

/* --horizon and --max-moves over the file's parameters. */
static void test_cluster_options(void **state)
{
    tu_fx f;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    char *path = cluster_file("");

    fx_init(&f);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    o.horizon_s = 30;
    assert_int_equal(bal_plan_cluster(f.ctx, path, &o, &r), 0);
    assert_int_equal(bal_plan_report_num_moves(r), 0);
    assert_true(bal_plan_report_summary(r)->horizon_s == 30);
    assert_int_equal(bal_plan_report_num_rejected(r), 4);
    assert_string_equal(bal_plan_report_rejected(r, 0)->reason,
                        "below-break-even");
    bal_plan_report_free(r);

    o.horizon_s = -1;
    o.max_moves = 0;
    assert_int_equal(bal_plan_cluster(f.ctx, path, &o, &r), 0);
    assert_int_equal(bal_plan_report_num_moves(r), 0);
    assert_string_equal(bal_plan_report_rejected(r, 0)->reason, "max-moves");
    bal_plan_report_free(r);
    assert_int_equal(f.lg.nerrors, 0);
    unlink(path);
    free(path);
    tu_fx_dispose(&f);
}

/* One refusal: rc, exactly one error line (after "PATH: " when prefix),
 * nothing returned. */
static void refused(const char *path, const char *text, int rc_want,
                    const char *line)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_plan_options o;
    bal_plan_report *r = NULL;
    char *tmp = text ? tu_tmpfile(text) : NULL, want[1024];

    if (tmp) path = tmp;
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan_cluster(ctx, path, &o, &r), rc_want);
    assert_null(r);
    assert_int_equal(lg.nerrors, 1);
    snprintf(want, sizeof(want), "%s: %s", path, line);
    assert_string_equal(lg.buf, want);
    if (tmp) unlink(tmp);
    free(tmp);
    bal_ctx_free(ctx);
}

static void test_cluster_refused(void **state)
{
    char text[2048];
    tu_log lg;
    bal_ctx *ctx;
    bal_plan_options o;
    bal_plan_report *r = NULL;

    refused("/nonexistent/cluster.json", NULL, BAL_ENOENT,
            "cannot open: No such file or directory");
    refused("/tmp", NULL, BAL_EIO, "cannot read: Is a directory");
    refused(NULL, "", BAL_EINVAL, "empty: not a planner input");
    refused(NULL, " \n\t\n", BAL_EINVAL, "empty: not a planner input");
    refused(NULL, "{\"hosts\": [", BAL_EINVAL,
            "not JSON: parse error: premature EOF");
    snprintf(text, sizeof(text), CLUSTER_FMT, "");
    *strstr(text, "\"HostB\", \"type\": \"cpu\"") = '\0';
    strcat(text, "\"HostC\", \"type\": \"cpu\", \"vcpus\": 1, "
                 "\"mem_kb\": 1}]}");
    refused(NULL, text, BAL_EINVAL, "vms[2] (vm2): host `HostC' is not a host");
    refused(NULL, "{\"hosts\": [{\"name\": \"A\", \"pcpus\": 1, "
            "\"free_kb\": 0}], \"vms\": []}", BAL_EINVAL,
            "hosts[0]: missing key `disk_Bps'");
    refused(NULL, "{\"hosts\": [{\"name\": \"A\", \"pcpus\": 1, "
            "\"disk_Bps\": 1, \"free_kb\": 0}], \"vms\": [{\"name\": \"v\", "
            "\"host\": \"A\", \"type\": \"cpu\", \"vcpus\": 1, "
            "\"mem_kb\": -1}]}", BAL_EINVAL,
            "vms[0] (v): mem_kb -1: negative memory");
    refused(NULL, "{\"hosts\": [], \"vms\": [], \"hosts\": []}", BAL_EINVAL,
            "key `hosts' given twice");
    /* The planner's own refusals name the file too, and show a name's
     * control characters as '?'. */
    snprintf(text, sizeof(text), CLUSTER_FMT, "");
    *strstr(text, "\"vm2\"") = '\0';
    strcat(text, "\"v\\u001b[2Jm\", \"uuid\": \"" UUID1 "\", "
           "\"host\": \"HostB\", \"type\": \"cpu\", \"vcpus\": 1, "
           "\"mem_kb\": 1}]}");
    refused(NULL, text, BAL_EINVAL,
            "planner: vm v?[2Jm: uuid " UUID1 " is already vm vm1's");

    /* Bad arguments. */
    ctx = tu_ctx(&lg);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal_plan_cluster(NULL, PAPER_JSON, &o, &r), BAL_EINVAL);
    assert_int_equal(bal_plan_cluster(ctx, NULL, &o, &r), BAL_EINVAL);
    assert_int_equal(bal_plan_cluster(ctx, "", &o, &r), BAL_EINVAL);
    assert_int_equal(bal_plan_cluster(ctx, PAPER_JSON, NULL, &r), BAL_EINVAL);
    assert_int_equal(bal_plan_cluster(ctx, PAPER_JSON, &o, NULL), BAL_EINVAL);
    o.horizon_s = INFINITY;
    assert_int_equal(bal_plan_cluster(ctx, PAPER_JSON, &o, &r), BAL_EINVAL);
    assert_string_equal(tu_last(&lg),
                        "plan: horizon inf: not a finite number of seconds");
    assert_null(r);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper),
        cmocka_unit_test(test_json_is_a_plan),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_cluster_paper),
        cmocka_unit_test(test_cluster_json_is_a_plan),
        cmocka_unit_test(test_cluster_options),
        cmocka_unit_test(test_cluster_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
