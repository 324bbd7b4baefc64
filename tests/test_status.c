/*
 * test_status.c - status end to end: a fake backend with exact counters
 * (the seam every backend plugs into), and the paper's two-host cluster
 * on the simulator through the public API, its JSON parsed back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "testutil.h"
#include "backend/backend.h"
#include "observe/status.h"

/* ---- a fake backend: every VM's load is a fixed rate ------------------- */

typedef struct fake_vm {
    const char *name, *uuid;
    int host;
    double cpu;     /* fraction of one pCPU */
    double io_Bps;
} fake_vm;

typedef struct fake {
    const fake_vm *vms;
    int nvms;
    int nhosts;
    double t;       /* simulated seconds */
    int samples;
} fake;

static int fake_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    fake *f = be->priv;
    int h, i, rc;

    (void)local_only;
    for (h = 0; h < f->nhosts; h++) {
        bal__host *host;
        bal__dom *d;

        rc = bal__sample_add_host(out, &host);
        if (rc) return rc;
        snprintf(host->name, sizeof(host->name), "host%d", h);
        host->time_ns = (uint64_t)(f->t * 1e9);
        host->pcpus = 1;
        host->mem_kb = 4 << 20;
        host->free_kb = 1 << 20;
        host->disk_Bps = 20e6;
        host->disk_iops = 2000;
        rc = bal__host_add_dom(host, &d);
        if (rc) return rc;
        strcpy(d->name, "Domain-0");
        snprintf(d->uuid, sizeof(d->uuid),
                 "00000000-0000-0000-0000-00000000000%d", h % 10);
        d->vcpus = 1;
        d->cpu_ns = (uint64_t)(f->t * 0.1e9);
        for (i = 0; i < f->nvms; i++) {
            const fake_vm *v = &f->vms[i];

            if (v->host != h) continue;
            rc = bal__host_add_dom(host, &d);
            if (rc) return rc;
            strcpy(d->name, v->name);
            strcpy(d->uuid, v->uuid);
            d->domid = (uint32_t)i + 1;
            d->vcpus = 1;
            d->mem_kb = 1 << 20;
            d->cpu_ns = (uint64_t)(f->t * v->cpu * 1e9);
            d->vbd_rd_sect = (uint64_t)(f->t * v->io_Bps / 512);
            d->vbd_rd_reqs = (uint64_t)(f->t * v->io_Bps / 131072);
        }
    }
    f->samples++;
    return 0;
}

static int fake_wait(bal_backend *be, double s)
{
    ((fake *)be->priv)->t += s;
    return 0;
}

static void fake_close(bal_backend *be)
{
    (void)be;
}

static const bal__backend_ops fake_ops = {
    .name = "fake",
    .sample = fake_sample,
    .wait = fake_wait,
    .close = fake_close,
};

static bal_status *collect(fake *f, tu_log *lg)
{
    struct bal_config cfg;
    bal_backend be = { &fake_ops, NULL, &cfg, NULL, f };
    bal_status *st = NULL;
    bal_ctx *ctx = tu_ctx(lg);

    bal__config_defaults(&cfg);
    cfg.samples = 5;
    cfg.interval = 5;
    be.ctx = ctx;
    assert_int_equal(bal_status_collect(ctx, &be, &cfg, &st), 0);
    assert_int_equal(f->samples, 5);
    assert_true(f->t == 20.0);     /* waited 4 intervals, never slept */
    bal__config_dispose(&cfg);
    bal_ctx_free(ctx);
    return st;
}

static void test_fake_cluster(void **state)
{
    static const fake_vm vms[] = {
        { "io1",  "11111111-0000-0000-0000-000000000001", 0, 0.05, 8e6 },
        { "io2",  "11111111-0000-0000-0000-000000000002", 0, 0.05, 8e6 },
        { "cpu1", "11111111-0000-0000-0000-000000000003", 1, 0.50, 0 },
        { "idle", "11111111-0000-0000-0000-000000000004", 1, 0.001, 0 },
        { "mix",  "11111111-0000-0000-0000-000000000005", 2, 0.60, 8e6 },
        { "cpu2", "11111111-0000-0000-0000-000000000006", 2, 0.40, 0 },
    };
    fake f = { vms, 6, 3, 0, 0 };
    tu_log lg;
    bal_status *st = collect(&f, &lg);
    const bal_host_info *h0, *h1, *h2;
    const bal_vm_info *v;

    (void)state;
    assert_int_equal(bal_status_num_hosts(st), 3);
    assert_int_equal(bal_status_num_vms(st), 9);   /* 6 guests, 3 dom0s */

    /* Sorted by host, dom0 first, then by name. */
    assert_string_equal(bal_status_vm(st, 0)->name, "Domain-0");
    assert_true(bal_status_vm(st, 0)->is_dom0);
    assert_string_equal(bal_status_vm(st, 1)->name, "io1");
    assert_string_equal(bal_status_vm(st, 2)->name, "io2");

    v = tu_status_vm(st, "io1");
    assert_true(v->rates_valid);
    assert_int_equal(v->type, BAL_TYPE_IO);
    assert_true(v->heavy);
    assert_true(v->rd_Bps > 7.9e6 && v->rd_Bps < 8.1e6);
    assert_true(v->cpu_pct > 4.9 && v->cpu_pct < 5.1);
    assert_int_equal(tu_status_vm(st, "cpu1")->type, BAL_TYPE_CPU);
    assert_int_equal(tu_status_vm(st, "idle")->type, BAL_TYPE_IDLE);
    assert_int_equal(tu_status_vm(st, "mix")->type, BAL_TYPE_MIXED);
    assert_int_equal(tu_status_vm(st, "cpu2")->type, BAL_TYPE_CPU);

    h0 = bal_status_host(st, 0);
    h1 = bal_status_host(st, 1);
    h2 = bal_status_host(st, 2);
    assert_int_equal(h0->nvms, 2);
    assert_int_equal(h0->ntype[BAL_TYPE_IO], 2);
    assert_int_equal(h0->heavy[BAL_RES_IO], 2);
    assert_true(h0->same_type_conflict);
    assert_true(h0->dom0_cpu_pct > 9.9 && h0->dom0_cpu_pct < 10.1);
    assert_false(h1->same_type_conflict);        /* cpu + idle */
    assert_int_equal(h1->ntype[BAL_TYPE_CPU], 1);
    assert_int_equal(h1->ntype[BAL_TYPE_IDLE], 1);
    /* A mixed VM contends for the cores too: mixed + cpu is a conflict. */
    assert_int_equal(h2->ntype[BAL_TYPE_MIXED], 1);
    assert_int_equal(h2->heavy[BAL_RES_CPU], 2);
    assert_true(h2->same_type_conflict);
    assert_null(bal_status_host(st, 3));
    assert_null(bal_status_vm(st, -1));
    bal_status_free(st);
}

/* ---- the paper's cluster, through the public API only -------------------- */

static yajl_val get(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val r = yajl_tree_get(v, path, yajl_t_any);

    assert_non_null(r);
    return r;
}

/* What a paper test made, freed. */
static void paper_done(bal_ctx *ctx, bal_config *cfg, bal_backend *be,
                       bal_status *st, char *json, yajl_val doc)
{
    yajl_tree_free(doc);
    free(json);
    bal_status_free(st);
    bal_backend_close(be);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_paper_cluster(void **state)
{
    bal_ctx *ctx = NULL;
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_status *st = NULL;
    char *json = NULL, err[256];
    yajl_val doc, hosts, vms;
    tu_log lg;
    size_t i;
    int seen = 0;

    (void)state;
    ctx = tu_ctx(&lg);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_set_samples(cfg, 4), 0);
    assert_int_equal(bal_backend_open(ctx, cfg, "sim:scenarios/paper.scn",
                                      &be), 0);
    assert_string_equal(bal_backend_name(be), "sim");
    assert_int_equal(bal_status_collect(ctx, be, cfg, &st), 0);
    assert_int_equal(bal_status_num_hosts(st), 2);
    assert_true(bal_status_host(st, 0)->same_type_conflict);
    assert_true(bal_status_host(st, 1)->same_type_conflict);
    assert_int_equal(bal_status_host(st, 0)->heavy[BAL_RES_IO], 2);
    assert_int_equal(bal_status_host(st, 1)->heavy[BAL_RES_CPU], 2);

    assert_int_equal(bal_status_json(st, &json), 0);
    doc = yajl_tree_parse(json, err, sizeof(err));
    assert_non_null(doc);
    hosts = get(doc, "hosts");
    vms = get(doc, "vms");
    assert_true(YAJL_IS_ARRAY(hosts) && YAJL_IS_ARRAY(vms));
    assert_int_equal(hosts->u.array.len, 2);
    assert_int_equal(vms->u.array.len, 4);       /* guests only */
    for (i = 0; i < vms->u.array.len; i++) {
        yajl_val v = vms->u.array.values[i];
        const char *name = YAJL_GET_STRING(get(v, "name"));
        const char *type = YAJL_GET_STRING(get(v, "type"));
        const char *host = YAJL_GET_STRING(get(v, "host"));

        assert_true(bal__uuid_valid(YAJL_GET_STRING(get(v, "uuid"))));
        if (!strcmp(name, "vm1") || !strcmp(name, "vm3")) {
            assert_string_equal(type, "io");
            assert_string_equal(host, "HostA");
            seen++;
        } else if (!strcmp(name, "vm2") || !strcmp(name, "vm4")) {
            assert_string_equal(type, "cpu");
            assert_string_equal(host, "HostB");
            seen++;
        }
    }
    assert_int_equal(seen, 4);
    assert_true(YAJL_IS_TRUE(get(hosts->u.array.values[0],
                                 "same_type_conflict")));

    paper_done(ctx, cfg, be, st, json, doc);
}

/* The realised-gain check (bal_status_read_history): vm1's newest record
 * (by time, not line) gives its last gains; its trust is the median of
 * its records'; a UUID not in the cluster and VMs without records add
 * nothing. */
static void test_status_history(void **state)
{
    static const char lines[] =
        "{\"time\":2000,\"uuid\":\"6a5392d4-674b-819d-9eda-d84a8adf302c\","
        "\"from\":\"HostA\",\"to\":\"HostB\",\"gain\":0.2,"
        "\"predicted_vm_gain\":1}\n"
        "{\"time\":1000,\"uuid\":\"6a5392d4-674b-819d-9eda-d84a8adf302c\","
        "\"from\":\"HostB\",\"to\":\"HostA\",\"gain\":0,"
        "\"predicted_vm_gain\":0}\n"
        "{\"time\":1500,\"uuid\":\"6a5392d4-674b-819d-9eda-d84a8adf302c\","
        "\"from\":\"HostA\",\"to\":\"HostB\"}\n"
        "{\"time\":1000,\"uuid\":\"00000000-0000-4000-8000-000000000009\","
        "\"from\":\"HostA\",\"to\":\"HostB\",\"gain\":0,"
        "\"predicted_vm_gain\":1}\n";
    bal_ctx *ctx;
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_status *st = NULL;
    char dir[] = "/tmp/xlb-status-XXXXXX", path[64], *json = NULL, err[256];
    yajl_val doc, vms, h;
    tu_log lg;
    FILE *f;
    size_t i;
    int with = 0;

    (void)state;
    ctx = tu_ctx(&lg);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/history", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(lines, f);
    fclose(f);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_backend_open(ctx, cfg, "sim:scenarios/paper.scn",
                                      &be), 0);
    assert_int_equal(bal_config_set_state(ctx, cfg, be, dir), 0);
    assert_int_equal(bal_status_collect(ctx, be, cfg, &st), 0);
    assert_int_equal(bal_status_read_history(NULL, cfg, st), BAL_EINVAL);
    assert_int_equal(bal_status_read_history(ctx, cfg, NULL), BAL_EINVAL);
    assert_int_equal(bal_status_read_history(ctx, cfg, st), 0);
    /* Read again: replaced, not added to. */
    assert_int_equal(bal_status_read_history(ctx, cfg, st), 0);
    assert_int_equal(bal_status_json(st, &json), 0);
    doc = yajl_tree_parse(json, err, sizeof(err));
    assert_non_null(doc);
    vms = get(doc, "vms");
    for (i = 0; i < vms->u.array.len; i++) {
        yajl_val v = vms->u.array.values[i];
        const char *path_h[] = { "history", NULL };
        const char *name = YAJL_GET_STRING(get(v, "name"));

        h = yajl_tree_get(v, path_h, yajl_t_object);
        if (strcmp(name, "vm1")) {
            assert_null(h);
            continue;
        }
        with++;
        assert_non_null(h);
        assert_int_equal(YAJL_GET_INTEGER(get(h, "moves")), 3);
        assert_true(YAJL_GET_DOUBLE(get(h, "last_gain")) == 0.2);
        assert_true(YAJL_GET_DOUBLE(get(h, "last_predicted_gain")) == 1);
        /* Of 0.6 and 1 (the record without figures skipped): 0.8. */
        assert_true(YAJL_GET_DOUBLE(get(h, "trust")) == 0.8);
        assert_int_equal(YAJL_GET_INTEGER(get(h, "trust_moves")), 2);
    }
    assert_int_equal(with, 1);
    assert_int_equal((int)lg.len, 0);
    paper_done(ctx, cfg, be, st, json, doc);
    unlink(path);
    rmdir(dir);
}

static void test_bad_backend_specs(void **state)
{
    bal_ctx *ctx = NULL;
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    tu_log lg;

    (void)state;
    ctx = tu_ctx(&lg);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_backend_open(ctx, cfg, "nope", &be), BAL_EBACKEND);
    assert_string_equal(tu_last(&lg), "backend `nope': unknown (expected "
                        "xen, peers, sim:SCENARIO or replay:TRACE)");
    assert_int_equal(bal_backend_open(ctx, cfg, "replay:", &be),
                     BAL_EBACKEND);
    assert_string_equal(tu_last(&lg),
                        "backend `replay:': needs a file, as replay:FILE");
    assert_int_equal(bal_backend_open(ctx, cfg, "simulator:x", &be),
                     BAL_EBACKEND);
    assert_null(be);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_cluster),
        cmocka_unit_test(test_paper_cluster),
        cmocka_unit_test(test_status_history),
        cmocka_unit_test(test_bad_backend_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
