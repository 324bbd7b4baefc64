/*
 * test_learn.c - the cost model tuned by measured migrations
 * (doc/planner.md, "Learned links"): the pre-copy model inverted
 * (bal__pl_observed_Bps, bal__hist_observe); the history's new fields
 * written and read back, older lines without them, malformed
 * observed_Bps skipped with a warning naming file and line; each host
 * pair's median of its newest link_history records, the reverse pair's
 * when it has none, 0 turning it off; and the planner told of a slow
 * learned link predicting a longer migration and refusing a move it
 * otherwise takes.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend.h"
#include "config.h"
#include "rebalance.h"

#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"
#define GIB (1024.0 * 1024 * 1024)

static const char PAPER[] =
    "host HostA pcpus=1 mem=4092M dom0mem=512M disk=15732481B/s "
    "net=840.2Mbit/s\n"
    "host HostB pcpus=1 mem=4092M dom0mem=512M disk=15732481B/s "
    "net=840.2Mbit/s\n"
    "vm vm1 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm3 host=HostA vcpus=1 mem=1024M load=io io=max\n"
    "vm vm2 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n"
    "vm vm4 host=HostB vcpus=1 mem=1024M load=cpu cpu=1\n";

/* The model's duration of a migration at B, as the planner has it. */
static double model_s(const bal__pl_params *p, double mem, double dirty,
                      double B)
{
    bal__pl_precopy pc;

    bal__pl_precopy_model(mem, dirty, B, p->stop_bytes, p->max_rounds, &pc);
    return pc.time_s + p->resume_s;
}

/* ---- the inversion ------------------------------------------------------ */

static void test_invert(void **state)
{
    bal__pl_params p;
    double B = 50e6, T, obs;

    bal__pl_params_init(&p);
    /* Nothing dirtied: one round. */
    T = model_s(&p, GIB, 0, B);
    obs = bal__pl_observed_Bps(&p, GIB, 0, T);
    assert_true(fabs(obs / B - 1) < 0.01);
    /* A VM dirtying 20 MB/s: every round, up to max_rounds, then the
     * final copy; the rate found is above memory over duration, which
     * ignores the rounds it sent again. */
    T = model_s(&p, GIB, 20e6, B);
    obs = bal__pl_observed_Bps(&p, GIB, 20e6, T);
    assert_true(fabs(obs / B - 1) < 0.01);
    assert_true(obs > GIB / T * 1.2);
    /* A slow host: 96 MiB in 21.8 s. */
    obs = bal__pl_observed_Bps(&p, 96.0 * 1024 * 1024, 0, 21.8);
    assert_true(fabs(model_s(&p, 96.0 * 1024 * 1024, 0, obs) - 21.8) < 0.01);
    /* Nothing to learn from. */
    assert_true(isnan(bal__pl_observed_Bps(&p, 0, 0, 10)));
    assert_true(isnan(bal__pl_observed_Bps(&p, GIB, 0, p.resume_s)));
    assert_true(isnan(bal__pl_observed_Bps(&p, GIB, 0, NAN)));
}

static void test_hist_observe(void **state)
{
    bal_config *cfg = NULL;
    bal__pl_params p;
    bal__hist h;

    bal__pl_params_init(&p);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    memset(&h, 0, sizeof(h));
    h.mem_kb = 1048576;
    h.duration_s = model_s(&p, GIB, 5e6, 30e6);
    bal__hist_observe(cfg, &h, 5e6);
    assert_true(fabs(h.observed_Bps / 30e6 - 1) < 0.01);
    /* NAN: the configuration's dirty rate (0 by default). */
    h.duration_s = model_s(&p, GIB, 0, 30e6);
    bal__hist_observe(cfg, &h, NAN);
    assert_true(fabs(h.observed_Bps / 30e6 - 1) < 0.01);
    h.mem_kb = 0;       /* an older record: nothing */
    bal__hist_observe(cfg, &h, 0);
    assert_true(isnan(h.observed_Bps));
    bal_config_free(cfg);
}

/* ---- the history's fields -------------------------------------------------- */

static char *tmpdir(void)
{
    char *d = strdup("/tmp/bal-learn-XXXXXX");

    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmdir_all(const char *d)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/%s", d, BAL__HISTORY_FILE);
    unlink(p);
    rmdir(d);
}

static void test_history_fields(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), path[512], want[600];
    bal__hist h, *v = NULL;
    int fd, n = 0;

    /* Written and read back. */
    memset(&h, 0, sizeof(h));
    h.time = 1000;
    snprintf(h.uuid, sizeof(h.uuid), "%s", UUID1);
    snprintf(h.vm, sizeof(h.vm), "vm1");
    snprintf(h.from, sizeof(h.from), "HostA");
    snprintf(h.to, sizeof(h.to), "HostB");
    h.duration_s = 21.8;
    h.gain = h.predicted = NAN;
    h.mem_kb = 98304;
    h.predicted_s = 1.4;
    h.observed_Bps = 4650000;
    fd = open(d, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(bal__history_append(ctx, fd, d, &h, 1), 0);
    /* Without a prediction or a rate: left out. */
    h.predicted_s = NAN;
    h.observed_Bps = NAN;
    h.mem_kb = 0;
    assert_int_equal(bal__history_append(ctx, fd, d, &h, 1), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/%s", d, BAL__HISTORY_FILE);
    assert_int_equal(bal__history_load(ctx, path, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_true(v[0].mem_kb == 98304);
    assert_true(fabs(v[0].predicted_s - 1.4) < 1e-9);
    assert_true(v[0].observed_Bps == 4650000);
    assert_true(v[1].mem_kb == 0);
    assert_true(isnan(v[1].predicted_s));
    assert_true(isnan(v[1].observed_Bps));
    assert_int_equal((int)lg.len, 0);
    free(v);
    v = NULL;

    /* Older lines lack them: loaded, absent; bad rates skipped, each
     * with a warning naming file and line. */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    {
        static const char text[] =
            "{\"time\":1,\"uuid\":\"" UUID1 "\",\"vm\":\"vm1\",\"from\":"
            "\"HostA\",\"to\":\"HostB\",\"type\":\"io\",\"duration_s\":3}\n"
            "{\"time\":2,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"duration_s\":3,\"mem_kb\":1024,\"observed_Bps\":-5}\n"
            "{\"time\":3,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"observed_Bps\":\"fast\"}\n"
            "{\"time\":4,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"observed_Bps\":NaN}\n"
            "{\"time\":5,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"observed_Bps\":0}\n";

        assert_int_equal(write(fd, text, sizeof(text) - 1),
                         (ssize_t)(sizeof(text) - 1));
    }
    close(fd);
    assert_int_equal(bal__history_load(ctx, path, &v, &n), 0);
    assert_int_equal(n, 4);         /* NaN is not JSON: that line goes */
    assert_true(v[0].time == 1 && v[0].mem_kb == 0);
    assert_true(isnan(v[0].predicted_s) && isnan(v[0].observed_Bps));
    assert_true(v[0].duration_s == 3);
    assert_true(v[1].mem_kb == 1024 && isnan(v[1].observed_Bps));
    assert_true(isnan(v[2].observed_Bps));
    assert_true(v[3].time == 5 && isnan(v[3].observed_Bps));
    snprintf(want, sizeof(want), "%s:2: observed_Bps is not a positive "
             "number; not learned from", path);
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:3: observed_Bps is not a positive "
             "number; not learned from", path);
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:4: not a migration record; skipped",
             path);
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:5: observed_Bps is not a positive "
             "number; not learned from", path);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(lg.nerrors, 0);
    free(v);
    rmdir_all(d);
    free(d);
    bal_ctx_free(ctx);
}

/* ---- the median of the newest k ------------------------------------------ */

static void rec(bal__hist *h, const char *from, const char *to, double t,
                double Bps)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->uuid, sizeof(h->uuid), "%s", UUID1);
    snprintf(h->from, sizeof(h->from), "%s", from);
    snprintf(h->to, sizeof(h->to), "%s", to);
    h->time = t;
    h->predicted_s = NAN;
    h->observed_Bps = Bps;
}

static void test_learn_links(void **state)
{
    bal_config *cfg = NULL;
    bal__pl_host hosts[3];
    bal__hist h[11];
    double B[9];
    int n[9], i;

    memset(hosts, 0, sizeof(hosts));
    hosts[0].name = "A";
    hosts[1].name = "B";
    hosts[2].name = "C";
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(cfg->link_history, 5);
    /* A -> B: 10..70 at times 1..7; the newest five are 30..70. */
    for (i = 0; i < 7; i++) rec(&h[i], "A", "B", i + 1, 10.0 * (i + 1));
    rec(&h[7], "A", "B", 0.5, 1e9);         /* oldest, written last */
    rec(&h[8], "A", "B", 9, NAN);           /* none measured: ignored */
    rec(&h[9], "A", "Z", 9, 5);             /* no such host */
    rec(&h[10], "C", "B", 9, 8);            /* C -> B only */
    assert_int_equal(bal__learn_links(cfg, h, 11, hosts, 3, B, n), 0);
    assert_true(B[0 * 3 + 1] == 50);
    assert_int_equal(n[0 * 3 + 1], 5);
    /* B -> A never measured: A -> B's. */
    assert_true(B[1 * 3 + 0] == 50);
    assert_int_equal(n[1 * 3 + 0], 5);
    assert_true(B[2 * 3 + 1] == 8 && B[1 * 3 + 2] == 8);
    assert_true(B[0 * 3 + 2] == 0 && B[2 * 3 + 0] == 0);
    assert_int_equal(n[0 * 3 + 2], 0);
    assert_true(B[0] == 0 && B[4] == 0);

    /* An even count: the mean of the middle two. */
    cfg->link_history = 2;
    assert_int_equal(bal__learn_links(cfg, h, 11, hosts, 3, B, n), 0);
    assert_true(B[0 * 3 + 1] == 65);
    assert_int_equal(n[0 * 3 + 1], 2);
    /* A direction of its own wins over the reverse's. */
    rec(&h[9], "B", "A", 9, 7);
    assert_int_equal(bal__learn_links(cfg, h, 11, hosts, 3, B, n), 0);
    assert_true(B[1 * 3 + 0] == 7 && B[0 * 3 + 1] == 65);

    /* 0: nothing learned. */
    cfg->link_history = 0;
    assert_int_equal(bal__learn_links(cfg, h, 11, hosts, 3, B, n), 0);
    for (i = 0; i < 9; i++) {
        assert_true(B[i] == 0);
        assert_int_equal(n[i], 0);
    }
    bal_config_free(cfg);
}

/* ---- from a status: the planner told, and what it makes of it ------------- */

typedef struct fx {
    tu_log lg;
    bal_ctx *ctx;
    bal_config *cfg;
    bal_backend *be;
    bal_status *st;
    char *path;
} fx;

static void fx_open(fx *f, const char *scn)
{
    char spec[64];

    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx(&f->lg);
    assert_int_equal(bal_config_alloc(&f->cfg), 0);
    f->path = tu_tmpfile(scn);
    snprintf(spec, sizeof(spec), "sim:%s", f->path);
    assert_int_equal(bal_backend_open(f->ctx, f->cfg, spec, &f->be), 0);
    assert_int_equal(bal_status_collect(f->ctx, f->be, f->cfg, &f->st), 0);
}

static void fx_close(fx *f)
{
    bal_status_free(f->st);
    bal_backend_close(f->be);
    bal_config_free(f->cfg);
    bal_ctx_free(f->ctx);
    unlink(f->path);
    free(f->path);
}

static void test_plan_input_learns(void **state)
{
    fx f;
    bal__pl_input in;
    bal__hist h[3];

    fx_open(&f, PAPER);
    rec(&h[0], "HostA", "HostB", 100, 4e6);
    rec(&h[1], "HostA", "HostB", 200, 6e6);
    rec(&h[2], "HostA", "HostB", 300, 5e6);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_int_equal(in.nhosts, 2);
    assert_string_equal(in.hosts[0].name, "HostA");
    assert_non_null(in.params.learned_Bps);
    assert_true(in.params.learned_Bps[0 * 2 + 1] == 5e6);
    assert_true(in.params.learned_Bps[1 * 2 + 0] == 5e6);   /* reverse */
    assert_true(in.params.learned_Bps[0] == 0);
    bal__pl_input_dispose(&in);

    /* Records without a rate teach nothing: the model's links. */
    h[0].observed_Bps = h[1].observed_Bps = h[2].observed_Bps = NAN;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_null(in.params.learned_Bps);
    assert_null(in.params.link_Bps);
    bal__pl_input_dispose(&in);

    /* link_history 0: nothing learned. */
    h[0].observed_Bps = 4e6;
    f.cfg->link_history = 0;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_null(in.params.learned_Bps);
    bal__pl_input_dispose(&in);
    assert_int_equal(f.lg.nerrors, 0);
    fx_close(&f);
}

/* The paper's swap pays on the modelled link; told that this pair moves
 * 1 MB/s, the planner predicts about 1000 s for 1 GiB, and vm1's move
 * (its reads dirty its page cache) no longer pays within the horizon
 * (no cooldown: the record's time is long past the cooldown and the
 * ping-pong window). */
static void test_slow_link_refuses(void **state)
{
    fx f;
    bal__pl_input in;
    bal__pl_result r;
    bal__rebalance_opts o;
    bal__hist h[1];
    double fast_s;
    int i, found = 0;

    fx_open(&f, PAPER);
    bal__rebalance_opts_init(&o);
    o.now_s = 1e6;
    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    assert_int_equal(bal__make_plan_ex(f.ctx, f.cfg, f.st, &o, &in, &r,
                                       NULL), 0);
    assert_int_equal(r.nmoves, 2);
    fast_s = r.moves[0].mig_s;
    assert_true(fast_s > 10 && fast_s < 100);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);

    rec(&h[0], "HostA", "HostB", 1, 1e6);   /* 1 MB/s */
    o.hist = h;
    o.nhist = 1;
    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    assert_int_equal(bal__make_plan_ex(f.ctx, f.cfg, f.st, &o, &in, &r,
                                       NULL), 0);
    /* vm2 (computing, nothing dirtied) still pays its 1 GiB at 1 MB/s
     * the other way; vm1 no longer does. */
    assert_int_equal(r.nmoves, 1);
    assert_string_equal(in.vms[r.moves[0].vm].name, "vm2");
    assert_true(r.moves[0].mig_s > 1000);
    for (i = 0; i < r.nrejects; i++) {
        const bal__pl_reject *j = &r.rejects[i];

        if (strcmp(in.vms[j->vm].name, "vm1")) continue;
        found = 1;
        assert_int_equal(j->why, BAL__PL_BREAKEVEN);
        /* 1 GiB at 1 MB/s, the VM's page cache sent again. */
        assert_true(j->mig_s > 1000 && j->mig_s > 10 * fast_s);
    }
    assert_true(found);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);

    /* Learning off: the move is back. */
    f.cfg->link_history = 0;
    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    assert_int_equal(bal__make_plan_ex(f.ctx, f.cfg, f.st, &o, &in, &r,
                                       NULL), 0);
    assert_int_equal(r.nmoves, 2);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);
    fx_close(&f);
}

/* bal__make_plan_pred: each move's duration as it will run, and the
 * dirty rate the planner took for it. */
static void test_make_plan_pred(void **state)
{
    fx f;
    bal__plan p;
    bal__rebalance_opts o;
    bal__rb_pred *pred = NULL;

    fx_open(&f, PAPER);
    bal__plan_init(&p);
    bal__rebalance_opts_init(&o);
    assert_int_equal(bal__make_plan_pred(f.ctx, f.cfg, f.st, &o, &p, &pred),
                     0);
    assert_int_equal(p.n, 2);
    assert_true(pred[0].mig_s > 10 && pred[0].mig_s < 100);
    assert_true(pred[0].gain_rate > 1);
    /* vm1 reads: its page cache is dirtied at its read rate. */
    assert_true(pred[0].dirty_Bps > 1e6);
    assert_true(pred[1].dirty_Bps == 0);    /* vm2 computes */
    free(pred);
    bal__plan_dispose(&p);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invert),
        cmocka_unit_test(test_hist_observe),
        cmocka_unit_test(test_history_fields),
        cmocka_unit_test(test_learn_links),
        cmocka_unit_test(test_plan_input_learns),
        cmocka_unit_test(test_slow_link_refuses),
        cmocka_unit_test(test_make_plan_pred),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
