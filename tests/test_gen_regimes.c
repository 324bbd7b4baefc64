/*
 * test_gen_regimes.c - the benchmark's generated clusters
 * (bench/gen_regimes.h) and its metrics (bench/metrics.h): every regime
 * at a few sizes is an input the planner accepts, deterministic per
 * seed, with free memory never negative and consistent with the VMs
 * placed; the JSON writer reads back to the same input; hbal's text
 * writer and a saved placement in its format apply back; and the metrics
 * on tiny hand-built clusters are exactly right (max-min shares,
 * contended and plain pairs, nearest-rank p10, Jain).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "planner/planner.h"
#include "planner/planner_json.h"
#include "../bench/gen_regimes.h"
#include "../bench/metrics.h"

static const int sizes[][2] = { { 1, 0 }, { 1, 7 }, { 3, 2 }, { 10, 50 },
                                { 20, 100 }, { 7, 300 } };
#define NSIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))

/* What every generated input must be, beyond the planner's checks. */
static void check_shape(const bal__pl_input *in, int nh, int nv)
{
    int64_t *used = calloc((size_t)nh, sizeof(int64_t));
    int h, v;

    assert_non_null(used);
    assert_int_equal(in->nhosts, nh);
    assert_int_equal(in->nvms, nv);
    for (v = 0; v < nv; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        assert_true(vm->host >= 0 && vm->host < nh);
        assert_true(vm->vcpus >= 1);
        assert_true(vm->cpu >= 0 && vm->cpu <= vm->vcpus);
        assert_true(isfinite(vm->io_Bps) && vm->io_Bps >= 0);
        assert_true(vm->mem_kb > 0 && vm->mem_kb % 1024 == 0);
        assert_true(vm->dirty_Bps >= 1e6 && vm->dirty_Bps <= 8e6);
        assert_int_equal(vm->storage_mask, 1);
        assert_int_equal(strlen(vm->uuid), 36);
        if (vm->type == BAL_TYPE_IDLE) assert_false(vm->heavy);
        used[vm->host] += (int64_t)vm->mem_kb;
    }
    for (h = 0; h < nh; h++) {
        const bal__pl_host *hp = &in->hosts[h];

        assert_true(hp->free_kb >= 0);
        assert_true(hp->free_kb % 1024 == 0);
        assert_true(hp->pcpus >= 1 && hp->disk_Bps > 0);
        assert_true(hp->net_Bps == 1.25e9);
        assert_int_equal(hp->storage_mask, 1);
    }
    free(used);
}

static void test_regimes_valid(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int k, s;

    (void)state;
    for (k = 0; gr_regime_names[k]; k++)
        for (s = 0; s < NSIZES; s++) {
            bal__pl_input in, again;
            bal__pl_result r;
            int nh = sizes[s][0], nv = sizes[s][1];

            bal__pl_input_init(&in);
            bal__pl_input_init(&again);
            bal__pl_result_init(&r);
            assert_int_equal(gr_generate(gr_regime_names[k], nh, nv, 3, &in), 0);
            check_shape(&in, nh, nv);
            /* Deterministic: the same seed, the same cluster. */
            assert_int_equal(gr_generate(gr_regime_names[k], nh, nv, 3, &again), 0);
            for (int v = 0; v < nv; v++) {
                assert_string_equal(in.vms[v].uuid, again.vms[v].uuid);
                assert_int_equal(in.vms[v].host, again.vms[v].host);
                assert_true(in.vms[v].cpu == again.vms[v].cpu);
                assert_true(in.vms[v].io_Bps == again.vms[v].io_Bps);
            }
            for (int h = 0; h < nh; h++)
                assert_true(in.hosts[h].free_kb == again.hosts[h].free_kb);
            if (bal__planner_plan(ctx, &in, &r))
                fail_msg("%s %d/%d: %s", gr_regime_names[k], nh, nv, tu_last(&lg));
            /* The plan's placement applies: free memory stays >= 0. */
            assert_int_equal(gr_apply_placement(&again, r.placement), 0);
            check_shape(&again, nh, nv);
            bal__pl_result_dispose(&r);
            bal__pl_input_dispose(&in);
            bal__pl_input_dispose(&again);
        }
    /* Nonsense is refused. */
    {
        bal__pl_input in;

        bal__pl_input_init(&in);
        assert_int_equal(gr_generate("nope", 3, 3, 1, &in), -1);
        assert_int_equal(gr_generate("near", 0, 3, 1, &in), -1);
        assert_int_equal(gr_generate("near", 3, -1, 1, &in), -1);
        bal__pl_input_dispose(&in);
    }
    bal_ctx_free(ctx);
}

/* What the regimes promise, on one mid-size cluster each. */
static void test_regimes_shape(void **state)
{
    bal__pl_input in;
    gm_result m;
    double cpu = 0, io = 0;
    int v, h, below = 0;
    int64_t med;

    (void)state;
    /* htools: every io VM heavy and wanting 60-95% of a path; the start
     * has same-type piles. */
    bal__pl_input_init(&in);
    assert_int_equal(gr_generate("htools", 20, 100, 1, &in), 0);
    for (v = 0; v < in.nvms; v++)
        if (in.vms[v].type == BAL_TYPE_IO) {
            assert_true(in.vms[v].heavy);
            assert_true(in.vms[v].io_Bps >= 0.6 * 400e6 &&
                        in.vms[v].io_Bps <= 0.95 * 400e6);
        }
    gm_measure(&in, NULL, &m);
    assert_true(m.max_same_type_on_host >= 3);
    bal__pl_input_dispose(&in);
    /* near: about 95% of the pCPUs and paths. */
    assert_int_equal(gr_generate("near", 20, 200, 1, &in), 0);
    for (v = 0; v < in.nvms; v++) {
        cpu += fmin(in.vms[v].cpu, in.vms[v].vcpus);
        io += in.vms[v].io_Bps;
    }
    assert_true(fabs(cpu / (20 * 16) - 0.95) < 0.02);
    assert_true(fabs(io / (20 * 250e6) - 0.95) < 0.02);
    bal__pl_input_dispose(&in);
    /* memtight: most hosts with less free than the median VM. */
    assert_int_equal(gr_generate("memtight", 40, 400, 1, &in), 0);
    {
        int64_t *mem = malloc(400 * sizeof(int64_t));

        assert_non_null(mem);
        for (v = 0; v < 400; v++) mem[v] = (int64_t)in.vms[v].mem_kb;
        qsort(mem, 400, sizeof(int64_t), gr_cmp_i64);
        med = mem[199];
        free(mem);
    }
    for (h = 0; h < in.nhosts; h++) below += in.hosts[h].free_kb < med;
    assert_true(below > in.nhosts / 2);
    bal__pl_input_dispose(&in);
    /* hetero: unequal hosts. */
    assert_int_equal(gr_generate("hetero", 50, 100, 1, &in), 0);
    {
        uint32_t lo = 1000, hi = 0;

        for (h = 0; h < in.nhosts; h++) {
            if (in.hosts[h].pcpus < lo) lo = in.hosts[h].pcpus;
            if (in.hosts[h].pcpus > hi) hi = in.hosts[h].pcpus;
            assert_true(in.hosts[h].disk_Bps >= 20e6 && in.hosts[h].disk_Bps <= 2e9);
        }
        assert_true(lo <= 2 && hi >= 32);
    }
    bal__pl_input_dispose(&in);
    /* piled: a host holds several heavy VMs of one type. */
    assert_int_equal(gr_generate("piled", 10, 100, 1, &in), 0);
    gm_measure(&in, NULL, &m);
    assert_true(m.max_same_type_on_host >= 5);
    bal__pl_input_dispose(&in);
}

static void test_json_round_trip(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int k;

    (void)state;
    for (k = 0; gr_regime_names[k]; k++) {
        bal__pl_input in, back;
        FILE *f = tmpfile();
        size_t len;
        char *text;
        int h, v;

        assert_non_null(f);
        bal__pl_input_init(&in);
        bal__pl_input_init(&back);
        assert_int_equal(gr_generate(gr_regime_names[k], 10, 50, 7, &in), 0);
        in.params.horizon_s = 1800;     /* a parameter that is not a default */
        assert_int_equal(gr_write_json(&in, f), 0);
        text = tu_slurp(f, &len);
        fclose(f);
        if (bal__pl_input_parse_json(ctx, "gen.json", text, len, &back))
            fail_msg("%s: %s", gr_regime_names[k], tu_last(&lg));
        free(text);
        assert_int_equal(back.nhosts, in.nhosts);
        assert_int_equal(back.nvms, in.nvms);
        assert_true(back.params.horizon_s == 1800);
        assert_true(back.params.migcpu == in.params.migcpu);
        for (h = 0; h < in.nhosts; h++) {
            const bal__pl_host *a = &in.hosts[h], *b = &back.hosts[h];

            assert_string_equal(a->name, b->name);
            assert_int_equal(a->pcpus, b->pcpus);
            assert_true(a->disk_Bps == b->disk_Bps && a->net_Bps == b->net_Bps);
            assert_true(a->disk_iops == b->disk_iops);
            assert_true(a->free_kb == b->free_kb);
            assert_int_equal(a->storage_mask, b->storage_mask);
            assert_int_equal(a->drained, b->drained);
        }
        for (v = 0; v < in.nvms; v++) {
            const bal__pl_vm *a = &in.vms[v], *b = &back.vms[v];

            assert_string_equal(a->uuid, b->uuid);
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->host, b->host);
            assert_int_equal(a->type, b->type);
            assert_int_equal(a->heavy, b->heavy);
            assert_true(a->cpu == b->cpu && a->io_Bps == b->io_Bps);
            assert_int_equal(a->vcpus, b->vcpus);
            assert_true(a->mem_kb == b->mem_kb);
            assert_true(a->dirty_Bps == b->dirty_Bps);
            assert_true(a->remaining_s == b->remaining_s);
            assert_int_equal(a->anti_group, b->anti_group);
            assert_int_equal(a->storage_mask, b->storage_mask);
        }
        bal__pl_input_dispose(&in);
        bal__pl_input_dispose(&back);
    }
    bal_ctx_free(ctx);
}

/* The hbal writers' shape, and a saved placement read back. */
static void test_hbal_files(void **state)
{
    bal__pl_input in;
    FILE *f = tmpfile();
    size_t len;
    char *text, *line, *path;
    int nodes = 0, insts = 0, section = 0, v;
    int64_t before0, before1;

    (void)state;
    assert_non_null(f);
    bal__pl_input_init(&in);
    assert_int_equal(gr_generate("piled", 4, 12, 2, &in), 0);
    assert_int_equal(gr_write_hbal(&in, f), 0);
    text = tu_slurp(f, &len);
    fclose(f);
    /* Sections: group, nodes, instances, cluster tags, policies; a
     * node's free memory is free_kb's. */
    for (line = text; *line; ) {
        char *nl = strchr(line, '\n');

        assert_non_null(nl);
        *nl = '\0';
        if (!*line) section++;
        else if (section == 1) {
            long long t, n, fr;
            char name[32];

            nodes++;
            assert_int_equal(sscanf(line, "%31[^|]|%lld|%lld|%lld|", name, &t, &n,
                                    &fr), 4);
            assert_true(fr * 1024 == in.hosts[nodes - 1].free_kb);
        } else if (section == 2) {
            insts++;
            if (in.vms[insts - 1].heavy && in.vms[insts - 1].type == BAL_TYPE_MIXED)
                assert_non_null(strstr(line, "|load:cpu,load:io|"));
        } else if (section == 3) {
            assert_string_equal(line, "htools:iextags:load");
        }
        line = nl + 1;
    }
    free(text);
    assert_int_equal(nodes, 4);
    assert_int_equal(insts, 12);
    assert_int_equal(section, 4);

    /* hbal's saved cluster names each instance's primary: VM 0 to the
     * other end, memory following. */
    {
        int to = (in.vms[0].host + 1) % 4, from = in.vms[0].host;
        char *buf = NULL;
        size_t cap = 0;
        FILE *s = open_memstream(&buf, &cap);

        assert_non_null(s);
        fprintf(s, "default|g|preferred||\n\nh00000|1|1|1|1|1|1|M|g|1||N|0|1|1.0\n\n");
        for (v = 0; v < in.nvms; v++)
            fprintf(s, "%s|1|1|1|running|Y|%s||sharedfile||1|-|N\n",
                    in.vms[v].name, in.hosts[v ? in.vms[v].host : to].name);
        fprintf(s, "\n\n");
        fclose(s);
        path = tu_tmpfile(buf);
        free(buf);
        before0 = in.hosts[from].free_kb;
        before1 = in.hosts[to].free_kb;
        if (before1 >= (int64_t)in.vms[0].mem_kb) {
            assert_int_equal(gr_apply_hbal_placement(&in, path), 0);
            assert_int_equal(in.vms[0].host, to);
            assert_true(in.hosts[from].free_kb == before0 + (int64_t)in.vms[0].mem_kb);
            assert_true(in.hosts[to].free_kb == before1 - (int64_t)in.vms[0].mem_kb);
        } else {
            /* No room: refused, nothing changed. */
            assert_int_equal(gr_apply_hbal_placement(&in, path), -1);
            assert_int_equal(in.vms[0].host, from);
        }
        unlink(path);
        free(path);
        assert_int_equal(gr_apply_hbal_placement(&in, "/nonexistent/x.balanced"), -1);
    }
    /* The utilisation file: one line per VM, one space apart. */
    f = tmpfile();
    assert_non_null(f);
    assert_int_equal(gr_write_hbal_util(&in, f), 0);
    text = tu_slurp(f, &len);
    fclose(f);
    assert_null(strstr(text, "  "));
    {
        char name[32];
        double c, m, d, n;

        assert_int_equal(sscanf(text, "%31s %lf %lf %lf %lf", name, &c, &m, &d, &n), 5);
        assert_string_equal(name, in.vms[0].name);
        assert_true(fabs(c - fmin(in.vms[0].cpu, in.vms[0].vcpus)) < 1e-6);
        assert_true(fabs(d - in.vms[0].io_Bps / 1e6) < 1e-6);
    }
    free(text);
    bal__pl_input_dispose(&in);
}

/* ---- metrics on hand-built clusters --------------------------------------- */

static bal__pl_host hh[3];
static bal__pl_vm vv[24];
static const char *const names[24] = {
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
    "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x" };

static void tiny(bal__pl_input *in, int nh)
{
    int h;

    bal__pl_input_init(in);
    memset(hh, 0, sizeof(hh));
    memset(vv, 0, sizeof(vv));
    for (h = 0; h < nh; h++)
        hh[h] = (bal__pl_host){ .name = names[h], .pcpus = 4, .disk_Bps = 100e6,
                                .net_Bps = 1.25e9, .free_kb = 64 << 20,
                                .storage_mask = 1 };
    in->hosts = hh;
    in->nhosts = nh;
    in->vms = vv;
}

static void vm(bal__pl_input *in, int host, bal_load_type t, double cpu,
               double io, bool heavy)
{
    bal__pl_vm *v = &vv[in->nvms];

    *v = (bal__pl_vm){ .uuid = names[in->nvms], .name = names[in->nvms],
                       .host = host, .type = t, .heavy = heavy, .cpu = cpu,
                       .io_Bps = io, .vcpus = 4, .mem_kb = 1 << 20,
                       .dirty_Bps = 2e6, .remaining_s = -1, .anti_group = -1,
                       .storage_mask = 1 };
    in->nvms++;
}

static void test_metrics_pairs(void **state)
{
    bal__pl_input in;
    gm_result m;
    int place[4];

    (void)state;
    /* Two equal readers on one path: 0.5 each, one contended pair. */
    tiny(&in, 2);
    vm(&in, 0, BAL_TYPE_IO, 0.1, 100e6, true);
    vm(&in, 0, BAL_TYPE_IO, 0.1, 100e6, true);
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.nheavy, 2);
    assert_true(m.min_share == 0.5 && m.p10_share == 0.5);
    assert_true(m.jain == 1);
    assert_int_equal(m.contended_pairs, 1);
    assert_int_equal(m.plain_pairs, 1);
    assert_int_equal(m.max_same_type_on_host, 2);
    assert_true(m.unmet_io_MBps == 100);
    assert_true(m.unmet_cpu == 0);
    /* Apart: all of it each, no pair. */
    place[0] = 0;
    place[1] = 1;
    gm_measure(&in, place, &m);
    assert_true(m.min_share == 1 && m.jain == 1);
    assert_int_equal(m.contended_pairs, 0);
    assert_int_equal(m.plain_pairs, 0);
    assert_int_equal(m.max_same_type_on_host, 1);

    /* A cpu and an io VM together: no pair, whatever the load. */
    tiny(&in, 1);
    vm(&in, 0, BAL_TYPE_CPU, 4, 0, true);
    vm(&in, 0, BAL_TYPE_IO, 0, 150e6, true);
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.contended_pairs, 0);
    assert_int_equal(m.plain_pairs, 0);
    /* The reader alone on the path wants 150 MB/s of 100: capped at the
     * largest path (this one), so it gets all it can want. */
    assert_true(m.min_share == 1);
    assert_true(m.unmet_io_MBps == 0);

    /* Two heavy computers that fit: a plain pair, not a contended one. */
    tiny(&in, 1);
    vm(&in, 0, BAL_TYPE_CPU, 2, 0, true);
    vm(&in, 0, BAL_TYPE_CPU, 1.5, 0, true);
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.contended_pairs, 0);
    assert_int_equal(m.plain_pairs, 1);
    assert_true(m.min_share == 1);

    /* Max-min: demands 1, 2, 4 on 4 pCPUs -> 1, 1.5, 1.5; a light idle
     * VM loads the host but is not in the population; a mixed VM uses
     * both resources and counts as the lesser share. */
    tiny(&in, 1);
    vm(&in, 0, BAL_TYPE_CPU, 1, 0, true);
    vm(&in, 0, BAL_TYPE_CPU, 2, 0, true);
    vm(&in, 0, BAL_TYPE_MIXED, 4, 50e6, true);
    vm(&in, 0, BAL_TYPE_IDLE, 0, 0, true);       /* idle: never heavy */
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.nheavy, 3);
    assert_int_equal(m.contended_pairs, 3);      /* C(3,2) on the pCPUs */
    assert_int_equal(m.plain_pairs, 3);          /* the path: 1 user */
    assert_true(m.min_share == 1.5 / 4);
    assert_true(fabs(m.unmet_cpu - 3) < 1e-12);
    {
        double x[3] = { 1, 0.75, 0.375 }, s = 1 + 0.75 + 0.375;
        double s2 = 1 + 0.75 * 0.75 + 0.375 * 0.375;

        assert_true(fabs(m.jain - s * s / (3 * s2)) < 1e-12);
        assert_true(m.p10_share == x[2]);
    }
}

/* Nearest rank on n heavy VMs: the ceil(0.1 n)-th smallest.  Host 0: a
 * heavy reader beside three light ones (not in the population, but on
 * its path): 0.25.  Host 1: readers of 100 and 30 MB/s: 0.7 and 1 (the
 * small demand met, the rest to the other).  Host 2: readers of 1 MB/s,
 * all met. */
static void ranks(bal__pl_input *in, int nsmall)
{
    int i;

    tiny(in, 3);
    vm(in, 0, BAL_TYPE_IO, 0, 100e6, true);
    for (i = 0; i < 3; i++) vm(in, 0, BAL_TYPE_IO, 0, 100e6, false);
    vm(in, 1, BAL_TYPE_IO, 0, 100e6, true);
    vm(in, 1, BAL_TYPE_IO, 0, 30e6, true);
    for (i = 0; i < nsmall; i++) vm(in, 2, BAL_TYPE_IO, 0, 1e6, true);
}

static void test_metrics_ranks(void **state)
{
    bal__pl_input in;
    gm_result m;
    int i;

    (void)state;
    ranks(&in, 7);                              /* n = 10: the 1st */
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.nheavy, 10);
    assert_true(m.min_share == 0.25);
    assert_true(m.p10_share == 0.25);
    assert_true(fabs(m.unmet_io_MBps - (300 + 30)) < 1e-9);
    assert_int_equal(m.contended_pairs, 1);     /* host 1 */
    assert_int_equal(m.plain_pairs, 1 + 21);    /* host 1, C(7,2) on host 2 */
    assert_int_equal(m.max_same_type_on_host, 7);
    ranks(&in, 8);                              /* n = 11: the 2nd */
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.nheavy, 11);
    assert_true(m.min_share == 0.25);
    assert_true(fabs(m.p10_share - 0.7) < 1e-15);
    ranks(&in, 17);                             /* n = 20: the 2nd */
    gm_measure(&in, NULL, &m);
    assert_true(fabs(m.p10_share - 0.7) < 1e-15);
    ranks(&in, 18);                             /* n = 21: the 3rd */
    gm_measure(&in, NULL, &m);
    assert_true(m.p10_share == 1);
    /* Nobody heavy: no share figures. */
    tiny(&in, 1);
    vm(&in, 0, BAL_TYPE_CPU, 1, 0, false);
    gm_measure(&in, NULL, &m);
    assert_int_equal(m.nheavy, 0);
    assert_true(isnan(m.min_share) && isnan(m.p10_share) && isnan(m.jain));
    /* Equal shares: Jain 1. */
    tiny(&in, 2);
    for (i = 0; i < 6; i++) vm(&in, i % 2, BAL_TYPE_CPU, 2, 0, true);
    gm_measure(&in, NULL, &m);
    assert_true(fabs(m.jain - 1) < 1e-15);
    assert_true(fabs(m.min_share - 4.0 / 6) < 1e-15);
}

static void test_migration_s(void **state)
{
    bal__pl_input in;
    bal__pl_precopy pc;
    int to[2] = { 1, 0 };
    double t;

    (void)state;
    tiny(&in, 2);
    vm(&in, 0, BAL_TYPE_CPU, 1, 0, true);
    vm(&in, 0, BAL_TYPE_CPU, 1, 0, true);
    to[1] = 0;
    t = gm_migration_s(&in, NULL, to);
    bal__pl_precopy_model(1024.0 * 1024 * 1024, 0, 2e6, bal__pl_link_from_rtt(4),
                          in.params.stop_bytes, in.params.max_rounds, &pc);
    assert_true(fabs(t - (pc.time_s + in.params.resume_s)) < 1e-9);
    assert_true(gm_migration_s(&in, NULL, NULL) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regimes_valid),
        cmocka_unit_test(test_regimes_shape),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_hbal_files),
        cmocka_unit_test(test_metrics_pairs),
        cmocka_unit_test(test_metrics_ranks),
        cmocka_unit_test(test_migration_s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
