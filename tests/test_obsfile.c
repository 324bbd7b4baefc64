/*
 * test_obsfile.c - observations that outlive a run (observe/obsfile.c,
 * bal__observer_resume): the file's text read back as written; the
 * exact average over the interval since the kept sample, from one new
 * sample; and every way the kept counters stop continuing (a domid
 * changed, a counter went back, even by what reads as a 32-bit wrap, a
 * host clock went back, another host): that VM starts afresh.  And text
 * that is not a whole file of ours is refused with what is wrong.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/config.h"
#include "observe/obsfile.h"
#include "observe/status.h"

#define SEC UINT64_C(1000000000)

/* VM n, its counters those of cpu (fraction of one pCPU) and rd (bytes/s
 * read) kept up for t_s seconds. */
static bal__dom *add_dom(bal__host *h, unsigned n, uint32_t domid,
                         double t_s, double cpu, double rd)
{
    bal__dom *d = NULL;

    assert_int_equal(bal__host_add_dom(h, &d), 0);
    snprintf(d->uuid, sizeof(d->uuid), "%08x-0000-4000-8000-%012x", n, n);
    snprintf(d->name, sizeof(d->name), "vm%u", n);
    d->domid = domid;
    d->vcpus = 1;
    d->mem_kb = 1 << 20;
    d->cpu_ns = (uint64_t)(t_s * cpu * 1e9);
    d->vbd_rd_sect = (uint64_t)(t_s * rd / 512);
    d->vbd_rd_reqs = (uint64_t)(t_s * rd / 65536);
    return d;
}

typedef struct fx {
    tu_log lg;
    bal_ctx *ctx;
    struct bal_config cfg;
    bal__observer obs;
    bal__obs_kept kept;
} fx;

static void fx_init(fx *f)
{
    f->ctx = tu_ctx(&f->lg);
    bal__config_defaults(&f->cfg);
    bal__observer_init(&f->obs);
    bal__obs_kept_init(&f->kept);
}

static void fx_dispose(fx *f)
{
    bal__observer_dispose(&f->obs);
    bal__obs_kept_dispose(&f->kept);
    bal__config_dispose(&f->cfg);
    bal_ctx_free(f->ctx);
}

static const bal__track *track(const bal__observer *o, const bal__dom *d)
{
    int k = bal__uuidmap_get(&o->map, d->uuid);

    return k >= 0 ? o->v[k] : NULL;
}

/* One run: samples at t0 and t0 + 5 s on host A of VMs 1 (a computer at
 * cpu) and 2 (a reader), fed to f->obs; the file's text of it. */
static char *one_run(fx *f, double t0, double cpu)
{
    bal__sample a, b;
    char *text = NULL;

    bal__sample_init(&a);
    bal__sample_init(&b);
    add_dom(tu_add_host(&a, "A", (uint64_t)(t0 * 1e9), 4), 1, 3, t0, cpu, 0);
    add_dom(&a.hosts[0], 2, 4, t0, 0.02, 50e6);
    add_dom(tu_add_host(&b, "A", (uint64_t)((t0 + 5) * 1e9), 4), 1, 3, t0 + 5,
            cpu, 0);
    add_dom(&b.hosts[0], 2, 4, t0 + 5, 0.02, 50e6);
    assert_int_equal(bal__observer_feed(f->ctx, &f->cfg, &f->obs, &a, &b),
                     0);
    /* Written at 1000 s past the epoch, by the wall clock. */
    assert_int_equal(bal__obs_format(&f->obs, &b, 1000, &text), 0);
    bal__sample_dispose(&a);
    bal__sample_dispose(&b);
    return text;
}

/* The next run: f->kept read from one run's file (100 to 105 s), a
 * fresh observer, and the first sample, cur, at 1905 s on host A of
 * vm1 computing at 0.9 and vm2 reading all along. */
static void next_run(fx *f, bal__sample *cur)
{
    char why[256], *text = one_run(f, 100, 0.9);

    assert_int_equal(bal__obs_parse(f->ctx, text, strlen(text), &f->kept,
                                    why, sizeof(why)), 0);
    free(text);
    bal__observer_dispose(&f->obs);
    bal__observer_init(&f->obs);
    bal__sample_init(cur);
    add_dom(tu_add_host(cur, "A", 1905 * SEC, 4), 1, 3, 1905, 0.9, 0);
    add_dom(&cur->hosts[0], 2, 4, 1905, 0.02, 50e6);
}

/* What is written is read back: levels, type, hold, seen, rates and the
 * counters of the last sample. */
static void test_roundtrip(void **state)
{
    char why[256], *text;
    const bal__obs_entry *e;
    const bal__track *tr;
    fx f;

    fx_init(&f);
    text = one_run(&f, 100, 0.9);
    assert_int_equal(bal__obs_parse(f.ctx, text, strlen(text), &f.kept, why,
                                    sizeof(why)), 0);
    assert_int_equal(f.kept.n, 2);
    assert_int_equal(f.kept.last.nhosts, 1);
    assert_int_equal(f.kept.last.hosts[0].ndoms, 2);
    assert_true(f.kept.last.hosts[0].time_ns == 105 * SEC);
    e = bal__obs_kept_find(&f.kept, f.kept.last.hosts[0].doms[0].uuid);
    tr = track(&f.obs, &f.kept.last.hosts[0].doms[0]);
    assert_non_null(e);
    assert_non_null(tr);
    assert_int_equal(e->cls.type, BAL_TYPE_CPU);
    assert_int_equal(e->cls.type, tr->cls.type);
    assert_true(e->cls.level[BAL_RES_CPU] == tr->cls.level[BAL_RES_CPU]);
    assert_true(e->cls.seen_s == tr->cls.seen_s);
    assert_true(e->rate.cpu == tr->rate.cpu);
    assert_true(e->cls.windowed);
    e = bal__obs_kept_find(&f.kept, f.kept.last.hosts[0].doms[1].uuid);
    assert_non_null(e);
    assert_int_equal(e->cls.type, BAL_TYPE_IO);
    assert_float_equal(e->rate.rd_Bps, 50e6, 1e3);
    assert_null(bal__obs_kept_find(&f.kept, "nonesuch"));
    free(text);
    fx_dispose(&f);
}

/* Kept at 105 s; the next run's first sample at 1905 s: one interval of
 * exactly 1800 s, its exact average.  VM 1 computed at 0.9 for 5 s, then
 * at 0.05 on average for 30 min: the type follows the half hour, and the
 * rate shown is the window's, not the last 5 s. */
static void test_resume_exact(void **state)
{
    bal__sample cur;
    const bal__track *tr;
    fx f;

    fx_init(&f);
    next_run(&f, &cur);
    /* 105 s at 0.9, then 1800 s at 0.05. */
    cur.hosts[0].doms[0].cpu_ns = (uint64_t)(105 * 0.9e9) +
                                  (uint64_t)(1800 * 0.05e9);
    assert_int_equal(bal__observer_resume(f.ctx, &f.cfg, &f.obs, &f.kept,
                                          &cur, -1), 0);
    tr = track(&f.obs, &cur.hosts[0].doms[0]);
    assert_non_null(tr);
    assert_true(tr->cls.windowed);
    /* The interval's weight: 1800 (1 - e^-1) over that plus ~5 e^-1. */
    assert_true(tr->cls.weight > 0.99 && tr->cls.weight < 1);
    assert_float_equal(tr->rate.cpu,
                       tr->cls.weight * 0.05 + (1 - tr->cls.weight) * 0.9,
                       1e-6);
    assert_true(tr->cls.seen_s > 1135 && tr->cls.seen_s < 1140);
    /* 0.056 of the CPU: under cpu_high (0.25), over cpu_low: cpu, light. */
    assert_false(bal__classify_heavy(&f.cfg.classify, tr->cls.type,
                                     tr->cls.level));
    tr = track(&f.obs, &cur.hosts[0].doms[1]);
    assert_non_null(tr);
    assert_int_equal(tr->cls.type, BAL_TYPE_IO);
    assert_float_equal(tr->rate.rd_Bps, 50e6, 1e4);
    bal__sample_dispose(&cur);
    fx_dispose(&f);
}

/* Each way the kept counters stop continuing: that VM starts afresh
 * (no tracker from the resume), the others go on.  spoil changes cur;
 * vm2_goes_on: whether vm2 is untouched by it. */
static void check_break(void (*spoil)(fx *f, bal__sample *s),
                        bool vm2_goes_on, const char *what)
{
    bal__sample cur;
    fx f;

    fx_init(&f);
    next_run(&f, &cur);
    spoil(&f, &cur);
    assert_int_equal(bal__observer_resume(f.ctx, &f.cfg, &f.obs, &f.kept,
                                          &cur, -1), 0);
    if (track(&f.obs, &cur.hosts[0].doms[0]))
        fail_msg("%s: vm1 continued", what);
    if ((track(&f.obs, &cur.hosts[0].doms[1]) != NULL) != vm2_goes_on)
        fail_msg("%s: vm2 %s", what, vm2_goes_on ? "did not go on" :
                 "went on");
    bal__sample_dispose(&cur);
    fx_dispose(&f);
}

static void new_domid(fx *f, bal__sample *s)
{
    (void)f;
    s->hosts[0].doms[0].domid = 9;
}

static void cpu_back(fx *f, bal__sample *s)
{
    (void)f;
    s->hosts[0].doms[0].cpu_ns = 1;
}

static void clock_back(fx *f, bal__sample *s)
{
    (void)f;
    s->hosts[0].time_ns = 50 * SEC;
}

/* From just under 2^32 to a little: what rates.c takes for a 32-bit
 * wrap between two samples seconds apart; across runs minutes apart a
 * counter may have wrapped more than once, unseen. */
static void wrapped(fx *f, bal__sample *s)
{
    f->kept.last.hosts[0].doms[0].net_tx_bytes = UINT32_MAX - 10;
    s->hosts[0].doms[0].net_tx_bytes = 5;
}

/* Both on another host (moved): their counters are that host's. */
static void moved(fx *f, bal__sample *s)
{
    (void)f;
    snprintf(s->hosts[0].name, sizeof(s->hosts[0].name), "B");
}

static void test_resume_breaks(void **state)
{
    check_break(new_domid, true, "domid changed");
    check_break(cpu_back, true, "cpu_ns back");
    check_break(wrapped, true, "a 32-bit wrap");
    check_break(clock_back, false, "host clock back");
    check_break(moved, false, "another host");
}

/* A real cluster's (now_wall >= 0): a host whose clock moved 1800 s
 * while a day passed rebooted (its domids and counters may look like
 * the old ones): afresh.  The same 1800 s by both clocks: it goes on. */
static void test_resume_reboot(void **state)
{
    bal__sample cur;
    fx f;

    fx_init(&f);
    next_run(&f, &cur);
    assert_true(f.kept.wall_s == 1000);
    assert_int_equal(bal__observer_resume(f.ctx, &f.cfg, &f.obs, &f.kept,
                                          &cur, 1000 + 86400), 0);
    assert_null(track(&f.obs, &cur.hosts[0].doms[0]));
    assert_null(track(&f.obs, &cur.hosts[0].doms[1]));
    bal__observer_dispose(&f.obs);
    bal__observer_init(&f.obs);
    assert_int_equal(bal__observer_resume(f.ctx, &f.cfg, &f.obs, &f.kept,
                                          &cur, 1000 + 1800 + 5), 0);
    assert_non_null(track(&f.obs, &cur.hosts[0].doms[0]));
    assert_non_null(track(&f.obs, &cur.hosts[0].doms[1]));
    bal__sample_dispose(&cur);
    fx_dispose(&f);
}

/* Text that is not a whole file of ours: BAL_EINVAL, what is wrong. */
static void check_bad(const char *text, const char *want)
{
    char why[256] = "";
    bal__obs_kept k;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    bal__obs_kept_init(&k);
    assert_int_equal(bal__obs_parse(ctx, text, strlen(text), &k, why,
                                    sizeof(why)), BAL_EINVAL);
    if (!strstr(why, want)) fail_msg("`%s' lacks `%s'", why, want);
    assert_int_equal(k.n, 0);
    bal__obs_kept_dispose(&k);
    bal_ctx_free(ctx);
}

static void test_bad_text(void **state)
{
    fx f;
    char *text, *cut;
    size_t n;

    fx_init(&f);
    text = one_run(&f, 100, 0.9);
    n = strlen(text);
    /* Cut anywhere: never read as a smaller file. */
    cut = strndup(text, n - 2);
    check_bad(cut, "cut short");
    free(cut);
    cut = strndup(text, strchr(text, '\n') - text + 1);
    check_bad(cut, "line 2: empty sample");
    free(cut);
    check_bad("{\"xl_balance_observations\":2,\"vms\":[]}\n{}\n",
              "not observations of version 1");
    check_bad("[1]\n{}\n", "not observations of version 1");
    check_bad("{\"xl_balance_observations\":1,\"wall_s\":5,\"vms\":"
              "[{\"key\":\"x\"}]}\n{}\n", "vms[0]: expected \"key\"");
    check_bad("{\"xl_balance_observations\":1,\"wall_s\":5}\n{}\n",
              "\"vms\"");
    check_bad("{\"xl_balance_observations\":1,\"vms\":[]}\n{}\n",
              "\"wall_s\"");
    check_bad("{\"xl_balance_observations\":1,\"wall_s\":5,\"vms\":[]}\n"
              "{\"x\":1}\n", "line 2");
    /* A level out of its range, a type unknown. */
    cut = strdup(text);
    memcpy(strstr(cut, "\"level\":[") + 9, "7", 1);
    check_bad(cut, "\"level\"");
    free(cut);
    cut = strdup(text);
    memcpy(strstr(cut, "\"type\":\"") + 8, "x", 1);
    check_bad(cut, "\"type\"");
    free(cut);
    free(text);
    fx_dispose(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_resume_exact),
        cmocka_unit_test(test_resume_breaks),
        cmocka_unit_test(test_resume_reboot),
        cmocka_unit_test(test_bad_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
