/*
 * test_learn.c - the cost model tuned by measured migrations
 * (doc/planner.md, "Learned links"): the pre-copy model inverted
 * (bal__pl_observed_Bps, bal__hist_make); the history's new fields
 * written and read back, older lines without them, malformed
 * observed_Bps skipped with a warning naming file and line; each host
 * pair's median of its newest link_history records, the reverse pair's
 * when it has none, 0 turning it off; and the planner told of a slow
 * learned link predicting a longer migration and refusing a move it
 * otherwise takes.  Learned dirty rates ("Learned dirty rates"): the
 * history's dirty_Bps read back and bad ones skipped, each VM's median
 * of its newest link_history by UUID, the old assumption without them,
 * and a measured low rate turning a refused move into a predicted one.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "base/config.h"
#include "run/rebalance.h"

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

    bal__pl_precopy_model(mem, 0, dirty, B, p->stop_bytes, p->max_rounds, &pc);
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

/* The record of vm1's move HostA -> HostB as res and f tell it, at 7. */
static void make_rec(const bal__move_result *res, const bal__hist_facts *f,
                     bal__hist *h)
{
    bal_config *cfg = NULL;
    bal__move mv;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    memset(&mv, 0, sizeof(mv));
    snprintf(mv.uuid, sizeof(mv.uuid), "%s", UUID1);
    snprintf(mv.vm, sizeof(mv.vm), "vm1");
    snprintf(mv.from, sizeof(mv.from), "HostA");
    snprintf(mv.to, sizeof(mv.to), "HostB");
    bal__hist_make(cfg, 7, &mv, res, f, h);
    bal_config_free(cfg);
}

/* A record made from a move: observed_Bps inverted at the planner's
 * dirty rate, the sender's measure when there is one, the
 * configuration's when neither; nothing without memory. */
static void test_hist_make_observed(void **state)
{
    bal__pl_params p;
    bal__hist_facts f;
    bal__move_result res = { .start_s = 100, .downtime_s = 0.2 };
    bal__hist h;

    bal__pl_params_init(&p);
    res.end_s = 100 + model_s(&p, GIB, 5e6, 30e6);
    res.dirty_Bps = NAN;
    bal__hist_facts_init(&f);
    f.mem_kb = 1048576;
    f.pred.dirty_Bps = 5e6;
    make_rec(&res, &f, &h);
    assert_true(h.time == 7);
    assert_string_equal(h.uuid, UUID1);
    assert_string_equal(h.to, "HostB");
    assert_true(h.duration_s == res.end_s - res.start_s);
    assert_true(h.downtime_s == 0.2);
    assert_true(isnan(h.dirty_Bps) && isnan(h.gain) && !h.rates);
    assert_true(isnan(h.predicted) && isnan(h.predicted_s));
    assert_true(fabs(h.observed_Bps / 30e6 - 1) < 0.01);
    /* Measured: the sender's rate, not the planner's. */
    res.dirty_Bps = 5e6;
    f.pred.dirty_Bps = 0;
    make_rec(&res, &f, &h);
    assert_true(h.dirty_Bps == 5e6);
    assert_true(fabs(h.observed_Bps / 30e6 - 1) < 0.01);
    /* NAN: the configuration's dirty rate (0 by default). */
    res.dirty_Bps = NAN;
    f.pred.dirty_Bps = NAN;
    res.end_s = 100 + model_s(&p, GIB, 0, 30e6);
    make_rec(&res, &f, &h);
    assert_true(fabs(h.observed_Bps / 30e6 - 1) < 0.01);
    f.mem_kb = 0;       /* memory unknown: nothing */
    make_rec(&res, &f, &h);
    assert_true(isnan(h.observed_Bps));
}

/* The realised gain, by the VM's type, when the rates are known; the
 * plan's predictions kept. */
static void test_hist_make_gain(void **state)
{
    static const struct { bal_load_type t; double gain; } by_type[] = {
        { BAL_TYPE_CPU, 0.5 }, { BAL_TYPE_IDLE, 0.5 },
        { BAL_TYPE_IO, -0.5 }, { BAL_TYPE_MIXED, 0 },
    };
    bal__move_result res = { .end_s = 10, .dirty_Bps = NAN };
    bal__hist_facts f;
    bal__hist h;
    size_t i;

    bal__hist_facts_init(&f);
    f.pred.gain_rate = 0.5;
    f.pred.mig_s = 9;
    f.cpu_pct_before = 50;
    f.cpu_pct_after = 75;
    f.disk_Bps_before = 4e6;
    f.disk_Bps_after = 2e6;
    make_rec(&res, &f, &h);
    assert_true(isnan(h.gain));             /* rates unknown */
    assert_true(h.predicted == 0.5 && h.predicted_s == 9);
    f.rates = true;
    for (i = 0; i < sizeof(by_type) / sizeof(by_type[0]); i++) {
        f.type = by_type[i].t;
        make_rec(&res, &f, &h);
        assert_true(h.rates && h.type == by_type[i].t);
        assert_true(fabs(h.gain - by_type[i].gain) < 1e-12);
    }
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

/* path holds text[0..len) and nothing else (NUL bytes included). */
static void put_file(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void test_history_fields(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), path[512], want[700];
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
    h.gain = h.predicted = h.predicted_vm = NAN;
    h.mem_kb = 98304;
    h.predicted_s = 1.4;
    h.observed_Bps = 4650000;
    h.dirty_Bps = 56963;
    h.predicted_vm = 0.5;
    fd = open(d, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(bal__history_append(ctx, fd, d, &h, 1), 0);
    /* Without a prediction or a rate: left out. */
    h.predicted_s = NAN;
    h.observed_Bps = NAN;
    h.dirty_Bps = NAN;
    h.mem_kb = 0;
    h.predicted_vm = NAN;
    assert_int_equal(bal__history_append(ctx, fd, d, &h, 1), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/%s", d, BAL__HISTORY_FILE);
    assert_int_equal(bal__history_load(ctx, path, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_true(v[0].mem_kb == 98304);
    assert_true(fabs(v[0].predicted_s - 1.4) < 1e-9);
    assert_true(v[0].observed_Bps == 4650000);
    assert_true(v[0].dirty_Bps == 56963);
    assert_true(v[0].predicted_vm == 0.5);
    assert_true(v[1].mem_kb == 0);
    assert_true(isnan(v[1].predicted_vm));
    assert_true(isnan(v[1].predicted_s));
    assert_true(isnan(v[1].observed_Bps));
    assert_true(isnan(v[1].dirty_Bps));
    assert_int_equal((int)lg.len, 0);
    free(v);
    v = NULL;

    /* Older lines lack them: loaded, absent; bad rates skipped, each
     * with a warning naming file and line. */
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
            "\"HostB\",\"observed_Bps\":0}\n"
            "{\"time\":6,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"observed_Bps\":7,\"dirty_Bps\":-3}\n"
            "{\"time\":7,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"dirty_Bps\":\"lots\"}\n"
            "{\"time\":8,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"dirty_Bps\":1e400}\n"
            "{\"time\":9,\"uuid\":\"" UUID1 "\",\"from\":\"HostA\",\"to\":"
            "\"HostB\",\"dirty_Bps\":409600.5}\n";

        put_file(path, text, sizeof(text) - 1);
    }
    assert_int_equal(bal__history_load(ctx, path, &v, &n), 0);
    /* NaN is not JSON, 1e400 not a number the reader keeps: those lines
     * go, the second with the reader's word of where. */
    assert_int_equal(n, 7);
    assert_true(v[0].time == 1 && v[0].mem_kb == 0);
    assert_true(isnan(v[0].predicted_s) && isnan(v[0].observed_Bps));
    assert_true(isnan(v[0].dirty_Bps) && isnan(v[0].predicted_vm));
    /* A bad dirty rate goes, the record and its other fields stay. */
    assert_true(v[4].time == 6 && v[4].observed_Bps == 7);
    assert_true(isnan(v[4].dirty_Bps));
    assert_true(isnan(v[5].dirty_Bps));
    assert_true(v[6].dirty_Bps == 409600.5);
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
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:6: dirty_Bps is not a positive "
             "number; not learned from", path);
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:7: dirty_Bps is not a positive "
             "number; not learned from", path);
    assert_non_null(strstr(lg.buf, want));
    snprintf(want, sizeof(want), "%s:8: not a migration record "
             "(dirty_Bps: number 1e400 is out of range (beyond a double's "
             "1.8e308)); skipped", path);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(lg.nerrors, 0);
    free(v);
    v = NULL;

    /* A NUL byte costs its line, not the lines after it. */
#define REC(t) \
    "{\"time\":" #t ",\"uuid\":\"" UUID1 "\",\"from\":\"A\",\"to\":\"B\"}\n"
    put_file(path, REC(1) "{\"vm\":\"v\0m\"}\n" REC(3),
             sizeof(REC(1) "{\"vm\":\"v\0m\"}\n" REC(3)) - 1);
#undef REC
    assert_int_equal(bal__history_load(ctx, path, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_true(v[0].time == 1 && v[1].time == 3);
    snprintf(want, sizeof(want), "%s:2: NUL byte: not a migration record; "
             "skipped", path);
    assert_string_equal(tu_last(&lg), want);
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

/* bal__learn_links over three hosts, as a matrix: B[from * 3 + to] the
 * rate learned (0: none), n[...] its count; the list sorted, each pair
 * once, only pairs learned. */
static void learn3(const bal_config *cfg, const bal__hist *h, int nhist,
                   const bal__pl_host *hosts, double *B, int *n)
{
    bal__pl_pair *p = NULL;
    int np = -1, i;

    assert_int_equal(bal__learn_links(cfg, h, nhist, hosts, 3, &p, &np), 0);
    memset(B, 0, 9 * sizeof(*B));
    memset(n, 0, 9 * sizeof(*n));
    for (i = 0; i < np; i++) {
        assert_true(i == 0 || p[i - 1].from * 3 + p[i - 1].to <
                              p[i].from * 3 + p[i].to);
        assert_true(p[i].learned_Bps > 0 && p[i].Bps == p[i].learned_Bps);
        B[p[i].from * 3 + p[i].to] = p[i].learned_Bps;
        n[p[i].from * 3 + p[i].to] = p[i].learned_n;
    }
    assert_true(np > 0 || !p);
    free(p);
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
    learn3(cfg, h, 11, hosts, B, n);
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
    learn3(cfg, h, 11, hosts, B, n);
    assert_true(B[0 * 3 + 1] == 65);
    assert_int_equal(n[0 * 3 + 1], 2);
    /* A direction of its own wins over the reverse's. */
    rec(&h[9], "B", "A", 9, 7);
    learn3(cfg, h, 11, hosts, B, n);
    assert_true(B[1 * 3 + 0] == 7 && B[0 * 3 + 1] == 65);

    /* 0: nothing learned. */
    cfg->link_history = 0;
    learn3(cfg, h, 11, hosts, B, n);
    for (i = 0; i < 9; i++) {
        assert_true(B[i] == 0);
        assert_int_equal(n[i], 0);
    }
    bal_config_free(cfg);
}

/* The one learner: keyed by the record's destination's last letter
 * ('A'..'C'), valued by its observed_Bps. */
static bool teach_by_to(const bal__hist *h, const void *opaque,
                        size_t *key_r, double *value_r)
{
    size_t len = strlen(h->to);

    (void)opaque;
    if (!len || h->to[len - 1] < 'A') return false;
    *key_r = (size_t)(h->to[len - 1] - 'A');
    *value_r = h->observed_Bps;
    return true;
}

static void test_hist_learn(void **state)
{
    bal__hist h[6];
    double med[3];
    int n[3];

    rec(&h[0], "X", "A", 5, 10);
    rec(&h[1], "X", "A", 5, 30);            /* same time: the later first */
    rec(&h[2], "X", "A", NAN, 1e9);         /* no time: teaches nothing */
    rec(&h[3], "X", "A", 9, -1);            /* not positive: nothing */
    rec(&h[4], "X", "Z", 9, 5);             /* key past nkeys: nothing */
    rec(&h[5], "X", "C", 1, 7);
    assert_int_equal(bal__hist_learn(h, 6, 1, 3, teach_by_to, NULL, med, n),
                     0);
    assert_true(med[0] == 30 && n[0] == 1);
    assert_true(med[1] == 0 && n[1] == 0);
    assert_true(med[2] == 7 && n[2] == 1);
    /* k beyond the history: all of it. */
    assert_int_equal(bal__hist_learn(h, 6, 100, 3, teach_by_to, NULL, med,
                                     NULL), 0);
    assert_true(med[0] == 20 && med[2] == 7);
    assert_int_equal(bal__hist_learn(h, 6, 0, 3, teach_by_to, NULL, med, n),
                     0);
    assert_true(med[0] == 0 && n[0] == 0 && med[2] == 0);
}

/* ---- learned dirty rates: each VM's median of its newest k ---------------- */

#define UUID2 "11111111-2222-3333-4444-555555555555"
#define UUID3 "99999999-8888-7777-6666-555555555555"

static void drec(bal__hist *h, const char *uuid, double t, double dirty)
{
    rec(h, "A", "B", t, NAN);
    snprintf(h->uuid, sizeof(h->uuid), "%s", uuid);
    h->dirty_Bps = dirty;
}

static void test_learn_dirty(void **state)
{
    bal_config *cfg = NULL;
    bal__pl_vm vms[3];
    bal__hist h[11];
    double D[3];
    int n[3], i;

    memset(vms, 0, sizeof(vms));
    vms[0].uuid = UUID1;
    vms[1].uuid = UUID2;
    vms[2].uuid = UUID3;
    assert_int_equal(bal_config_alloc(&cfg), 0);
    /* UUID1: 10..70 at times 1..7; the newest five are 30..70. */
    for (i = 0; i < 7; i++) drec(&h[i], UUID1, i + 1, 10.0 * (i + 1));
    drec(&h[7], UUID1, 0.5, 1e9);           /* oldest, written last */
    drec(&h[8], UUID1, 9, NAN);             /* not measured: ignored */
    drec(&h[9], UUID2, 3, 8);
    drec(&h[10], UUID2, 9, 0);              /* 0: not measured */
    assert_int_equal(bal__learn_dirty(cfg, h, 11, vms, 3, D, n), 0);
    assert_true(D[0] == 50);
    assert_int_equal(n[0], 5);
    assert_true(D[1] == 8);
    assert_int_equal(n[1], 1);
    assert_true(D[2] == 0);                 /* no record: nothing */
    assert_int_equal(n[2], 0);

    /* An even count: the mean of the middle two. */
    cfg->link_history = 2;
    assert_int_equal(bal__learn_dirty(cfg, h, 11, vms, 3, D, n), 0);
    assert_true(D[0] == 65);
    assert_int_equal(n[0], 2);
    /* 0: nothing learned. */
    cfg->link_history = 0;
    assert_int_equal(bal__learn_dirty(cfg, h, 11, vms, 3, D, NULL), 0);
    for (i = 0; i < 3; i++) assert_true(D[i] == 0);
    bal_config_free(cfg);
}

/* A record of a move of uuid at t: its realised gain and the plan's
 * gain of the VM alone (NAN: not known). */
static void grec(bal__hist *h, const char *uuid, double t, double gain,
                 double pred)
{
    drec(h, uuid, t, NAN);
    h->gain = gain;
    h->predicted_vm = pred;
    h->predicted = 9;           /* the unit's: not what trust compares */
}

static void test_learn_trust(void **state)
{
    bal_config *cfg = NULL;
    const char *uuid[4] = { UUID1, UUID2, UUID3, UUID1 };
    bal__hist h[9];
    double T[4];
    int n[4];

    assert_int_equal(bal_config_alloc(&cfg), 0);
    /* UUID1: 1.2/2, 1.5/2 and 2/2 delivered (0.6, 0.75, 1): 0.75. */
    grec(&h[0], UUID1, 1, 0.2, 1);
    grec(&h[1], UUID1, 2, 0.5, 1);
    grec(&h[2], UUID1, 3, 1, 1);
    /* Missing a figure: skipped. */
    grec(&h[3], UUID1, 4, NAN, 1);
    grec(&h[4], UUID1, 5, -0.9, NAN);
    /* UUID2: more than predicted is capped at 1; a VM that stopped
     * (-1: its rate fell to 0) teaches BAL__TRUST_MIN. */
    grec(&h[5], UUID2, 1, 3, 0.5);
    grec(&h[6], UUID2, 2, -1, 0.5);
    grec(&h[7], UUID2, 3, -1, 0.5);
    /* A prediction of -1 or less (nothing left of the VM) says nothing. */
    grec(&h[8], UUID3, 1, 0, -1);
    assert_int_equal(bal__learn_trust(cfg, h, 9, uuid, 4, T, n), 0);
    assert_true(fabs(T[0] - 0.75) < 1e-12);
    assert_int_equal(n[0], 3);
    assert_true(T[1] == BAL__TRUST_MIN);
    assert_int_equal(n[1], 3);
    assert_true(T[2] == 1);                 /* nothing learned: 1 */
    assert_int_equal(n[2], 0);
    assert_true(T[3] == T[0]);              /* a UUID given twice */
    /* The newest k only: the newest two of UUID1, 0.75 and 1. */
    cfg->link_history = 2;
    assert_int_equal(bal__learn_trust(cfg, h, 9, uuid, 4, T, NULL), 0);
    assert_true(fabs(T[0] - 0.875) < 1e-12);
    assert_true(T[1] == BAL__TRUST_MIN);
    /* link_history 0: nothing learned, every trust 1. */
    cfg->link_history = 0;
    assert_int_equal(bal__learn_trust(cfg, h, 9, uuid, 4, T, NULL), 0);
    assert_true(T[0] == 1 && T[1] == 1 && T[2] == 1 && T[3] == 1);
    bal_config_free(cfg);
}

/* ---- from a status: the planner told, and what it makes of it ------------- */

static void test_plan_input_learns(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__hist h[3];

    tu_sim_open(&f, PAPER);
    rec(&h[0], "HostA", "HostB", 100, 4e6);
    rec(&h[1], "HostA", "HostB", 200, 6e6);
    rec(&h[2], "HostA", "HostB", 300, 5e6);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_int_equal(in.nhosts, 2);
    assert_string_equal(in.hosts[0].name, "HostA");
    assert_int_equal(in.params.nlinks, 2);
    assert_true(bal__pl_pair_find(&in.params, 0, 1)->learned_Bps == 5e6);
    assert_true(bal__pl_pair_find(&in.params, 1, 0)->learned_Bps == 5e6);
    assert_true(bal__pl_pair_find(&in.params, 1, 0)->Bps == 5e6);
    assert_null(bal__pl_pair_find(&in.params, 0, 0));
    bal__pl_input_dispose(&in);

    /* Records without a rate teach nothing: the model's links. */
    h[0].observed_Bps = h[1].observed_Bps = h[2].observed_Bps = NAN;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_null(in.params.links);
    bal__pl_input_dispose(&in);

    /* link_history 0: nothing learned. */
    h[0].observed_Bps = 4e6;
    f.cfg->link_history = 0;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 3, 400,
                                           &in), 0);
    assert_null(in.params.links);
    bal__pl_input_dispose(&in);
    assert_int_equal(f.lg.nerrors, 0);
    tu_sim_close(&f);
}

/* The VM named name in the input, or -1. */
static int vm_index(const bal__pl_input *in, const char *name)
{
    int i;

    for (i = 0; i < in->nvms; i++)
        if (!strcmp(in->vms[i].name, name)) return i;
    return -1;
}

/* A VM with measured dirty rates gets their median for the cost model;
 * one without keeps dirty_mbps plus its reads. */
static void test_plan_input_learns_dirty(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__pl_estimate *est = NULL;
    bal__hist h[4];
    char u1[BAL__UUID_LEN + 1];
    double assumed;
    int v1, v2;

    tu_sim_open(&f, PAPER);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build_ex(f.ctx, f.cfg, f.st, NULL, 0,
                                              400, &in, &est), 0);
    v1 = vm_index(&in, "vm1");
    v2 = vm_index(&in, "vm2");
    assert_true(v1 >= 0 && v2 >= 0);
    snprintf(u1, sizeof(u1), "%s", in.vms[v1].uuid);
    /* vm1 reads: its page cache is taken to be dirtied at that rate. */
    assumed = in.vms[v1].dirty_Bps;
    assert_true(assumed > 1e6);
    assert_false(est[v1].dirty_learned);
    free(est);
    est = NULL;
    bal__pl_input_dispose(&in);

    drec(&h[0], u1, 100, 40e3);
    drec(&h[1], u1, 200, 60e3);
    drec(&h[2], u1, 300, 50e3);
    drec(&h[3], u1, 350, NAN);              /* not measured: no say */
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build_ex(f.ctx, f.cfg, f.st, h, 4, 400,
                                              &in, &est), 0);
    assert_true(in.vms[v1].dirty_Bps == 50e3);
    assert_true(est[v1].dirty_learned);
    assert_true(in.vms[v2].dirty_Bps == 0);  /* computes: nothing */
    assert_false(est[v2].dirty_learned);
    /* Dirty rates teach nothing about links. */
    assert_null(in.params.links);
    free(est);
    est = NULL;
    bal__pl_input_dispose(&in);

    /* link_history 0: the old assumption. */
    f.cfg->link_history = 0;
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build_ex(f.ctx, f.cfg, f.st, h, 4, 400,
                                              &in, &est), 0);
    assert_true(in.vms[v1].dirty_Bps == assumed);
    assert_false(est[v1].dirty_learned);
    free(est);
    bal__pl_input_dispose(&in);
    assert_int_equal(f.lg.nerrors, 0);
    tu_sim_close(&f);
}

/* The history's trust reaches the planner's input: vm1's moves delivered
 * 0.4x what was predicted; vm2 has none. */
static void test_plan_input_trust(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__hist h[2];
    int v1, v2;

    tu_sim_open(&f, PAPER);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, NULL, 0, 400,
                                           &in), 0);
    v1 = vm_index(&in, "vm1");
    v2 = vm_index(&in, "vm2");
    assert_true(v1 >= 0 && v2 >= 0);
    assert_true(in.vms[v1].trust == 1 && in.vms[v2].trust == 1);
    grec(&h[0], in.vms[v1].uuid, 100, -0.2, 1);    /* 0.8 / 2 */
    grec(&h[1], in.vms[v1].uuid, 200, -0.2, 1);
    bal__pl_input_dispose(&in);
    bal__pl_input_init(&in);
    assert_int_equal(bal__plan_input_build(f.ctx, f.cfg, f.st, h, 2, 400,
                                           &in), 0);
    assert_true(fabs(in.vms[v1].trust - 0.4) < 1e-12);
    assert_true(in.vms[v2].trust == 1);
    bal__pl_input_dispose(&in);
    assert_int_equal(f.lg.nerrors, 0);
    tu_sim_close(&f);
}

/* The planning step's input and result, handed over: in and r are
 * overwritten (disposed of by the caller before), set whatever happens. */
static int make(tu_sim *f, const bal__plan_opts *o, bal__pl_input *in,
                bal__pl_result *r)
{
    bal__plan_step s;
    int rc;

    bal__plan_step_init(&s);
    rc = bal__plan_make(f->ctx, f->cfg, f->st, o, &s);
    *in = s.in;
    *r = s.res;
    bal__pl_input_init(&s.in);
    bal__pl_result_init(&s.res);
    bal__plan_step_dispose(&s);
    return rc;
}

/* The lab's case: a reader with O_DIRECT dirties little, but taken to
 * dirty its reads it never converges over a slow learned link and its
 * move is refused.  Its measured dirty rate makes the move predicted at
 * about its memory over the link, and taken. */
static void test_learned_dirty_moves(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__pl_result r;
    bal__plan_opts o;
    bal__hist h[2];
    double refused_s = 0, moved_s = 0;
    int i;

    tu_sim_open(&f, PAPER);
    bal__plan_opts_init(&o);
    o.now_s = 1e6;
    rec(&h[0], "HostA", "HostB", 1, 1e6);   /* the link: 1 MB/s */
    o.hist = h;
    o.nhist = 1;
    assert_int_equal(make(&f, &o, &in, &r), 0);
    for (i = 0; i < r.nmoves; i++)
        assert_string_not_equal(in.vms[r.moves[i].vm].name, "vm1");
    for (i = 0; i < r.nrejects; i++)
        if (!strcmp(in.vms[r.rejects[i].vm].name, "vm1"))
            refused_s = r.rejects[i].mig_s;
    assert_true(refused_s > 2000);          /* rounds that never shrink */
    bal__pl_result_dispose(&r);

    /* Measured: 50 kB/s, far below the link. */
    drec(&h[1], in.vms[vm_index(&in, "vm1")].uuid, 2, 50e3);
    bal__pl_input_dispose(&in);
    o.nhist = 2;
    assert_int_equal(make(&f, &o, &in, &r), 0);
    for (i = 0; i < r.nmoves; i++)
        if (!strcmp(in.vms[r.moves[i].vm].name, "vm1"))
            moved_s = r.moves[i].mig_s;
    /* 1 GiB at 1 MB/s and a little more. */
    assert_true(moved_s > GIB / 1e6 && moved_s < 1.2 * GIB / 1e6);
    assert_true(moved_s < refused_s / 2);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);
    assert_int_equal(f.lg.nerrors, 0);
    tu_sim_close(&f);
}

/* The paper's swap pays on the modelled link; told that this pair moves
 * 1 MB/s, the planner predicts about 1000 s for 1 GiB, and vm1's move
 * (its reads dirty its page cache) no longer pays within the horizon
 * (no cooldown: the record's time is long past the cooldown and the
 * ping-pong window). */
static void test_slow_link_refuses(void **state)
{
    tu_sim f;
    bal__pl_input in;
    bal__pl_result r;
    bal__plan_opts o;
    bal__hist h[1];
    double fast_s;
    int i, found = 0;

    tu_sim_open(&f, PAPER);
    bal__plan_opts_init(&o);
    o.now_s = 1e6;
    assert_int_equal(make(&f, &o, &in, &r), 0);
    assert_int_equal(r.nmoves, 2);
    fast_s = r.moves[0].mig_s;
    assert_true(fast_s > 10 && fast_s < 100);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);

    rec(&h[0], "HostA", "HostB", 1, 1e6);   /* 1 MB/s */
    o.hist = h;
    o.nhist = 1;
    assert_int_equal(make(&f, &o, &in, &r), 0);
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
    assert_int_equal(make(&f, &o, &in, &r), 0);
    assert_int_equal(r.nmoves, 2);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);
    tu_sim_close(&f);
}

/* bal__plan_make: each move's duration as it will run, and the dirty
 * rate the planner took for it. */
static void test_make_plan_pred(void **state)
{
    tu_sim f;
    bal__plan_step s;
    bal__plan_opts o;

    tu_sim_open(&f, PAPER);
    bal__plan_step_init(&s);
    bal__plan_opts_init(&o);
    assert_int_equal(bal__plan_make(f.ctx, f.cfg, f.st, &o, &s), 0);
    assert_int_equal(s.plan.n, 2);
    assert_true(s.pred[0].mig_s > 10 && s.pred[0].mig_s < 100);
    assert_true(s.pred[0].gain_rate > 1);
    /* vm1 reads: its page cache is dirtied at its read rate. */
    assert_true(s.pred[0].dirty_Bps > 1e6);
    assert_true(s.pred[1].dirty_Bps == 0);  /* vm2 computes */
    /* Each VM's own gain, as the history measures it: the reader's
     * share of its path doubles; the computer gets the pCPU vm4 shared
     * (the readers' I/O costs it some). */
    assert_true(fabs(s.pred[0].vm_gain - 1) < 0.05);
    assert_true(s.pred[1].vm_gain > 0.5 && s.pred[1].vm_gain < 1.05);
    bal__plan_step_dispose(&s);
    tu_sim_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invert),
        cmocka_unit_test(test_hist_make_observed),
        cmocka_unit_test(test_hist_make_gain),
        cmocka_unit_test(test_history_fields),
        cmocka_unit_test(test_hist_learn),
        cmocka_unit_test(test_learn_links),
        cmocka_unit_test(test_learn_dirty),
        cmocka_unit_test(test_learn_trust),
        cmocka_unit_test(test_plan_input_trust),
        cmocka_unit_test(test_plan_input_learns_dirty),
        cmocka_unit_test(test_learned_dirty_moves),
        cmocka_unit_test(test_plan_input_learns),
        cmocka_unit_test(test_slow_link_refuses),
        cmocka_unit_test(test_make_plan_pred),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
