/*
 * test_timeline.c - the simulator's bounded timelines (backend/timeline.c):
 * every point while they fit; past that, never more than max, and still
 * the first and last points, every extreme of every rate, each bucket's
 * extremes, and exact mean rates from the kept points' work.  Then the
 * same through the simulator, on a run of 100,000 sub-steps.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "backend/sim.h"
#include "backend/timeline.h"

/* Point k's rates and step: noisy, uneven, with spikes at known places
 * (io 1e6 every 5000, net -1 once). */
static bal__sim_point pt(int k)
{
    bal__sim_point p;
    unsigned h = (unsigned)k * 2654435761u;

    memset(&p, 0, sizeof(p));
    p.dt = 0.25 + (double)(h % 7) / 8;
    p.cpu_ops_s = 100 + (double)(h % 1000) / 100;
    p.io_Bps = k % 5000 == 1234 ? 1e6 : (double)(h % 97);
    p.net_Bps = k == 77777 ? -1 : (double)(k % 3);
    return p;
}

/* Feeds n points; raw (may be NULL) gets every point as fed. */
static void feed(bal__timeline *tl, int n, bal__sim_point *raw)
{
    double t = 0, ops = 0;
    int k;

    for (k = 0; k < n; k++) {
        bal__sim_point p = pt(k);

        t += p.dt;
        ops += p.cpu_ops_s * p.dt;
        p.t = t;
        p.cpu_ops = ops;
        if (raw) raw[k] = p;
        assert_int_equal(bal__timeline_add(tl, &p), 0);
        assert_true(tl->n <= tl->max);
    }
}

static double rate(const bal__sim_point *p, int r)
{
    return r == 0 ? p->cpu_ops_s : r == 1 ? p->io_Bps : p->net_Bps;
}

/* Below max: every point, as given. */
static void test_all_kept(void **state)
{
    bal__timeline tl;
    bal__sim_point raw[100];

    (void)state;
    bal__timeline_init(&tl, 100);
    feed(&tl, 100, raw);
    assert_int_equal(tl.n, 100);
    assert_memory_equal(tl.pts, raw, sizeof(raw));
    bal__timeline_dispose(&tl);
}

/* Past max: a subset, in order, holding first, last and the extremes, and
 * each final bucket's extremes. */
static void test_decimated(void **state)
{
    enum { N = 100000, MAX = 600 };
    bal__timeline tl;
    bal__sim_point *raw = calloc(N, sizeof(*raw)), *pts = NULL;
    int n, k, j, r;

    (void)state;
    assert_non_null(raw);
    bal__timeline_init(&tl, MAX);
    feed(&tl, N, raw);
    assert_true(tl.w > 0);
    assert_true(tl.n > MAX / 4 && tl.n <= MAX);
    /* First and last. */
    assert_memory_equal(&tl.pts[0], &raw[0], sizeof(*raw));
    assert_memory_equal(&tl.pts[tl.n - 1], &raw[N - 1], sizeof(*raw));
    /* Every kept point is a point of the run, in order. */
    for (k = 0, j = 0; k < tl.n; k++, j++) {
        while (j < N && memcmp(&raw[j], &tl.pts[k], sizeof(*raw))) j++;
        assert_true(j < N);
    }
    /* In each bucket of the final width, each rate's lowest and highest
     * are there (the spikes: io 1e6, net -1). */
    for (r = 0; r < 3; r++) {
        for (j = 0; j < N;) {
            long long b = (long long)floor((raw[j].t - tl.t0) / tl.w);
            double lo = rate(&raw[j], r), hi = lo, klo = INFINITY,
                   khi = -INFINITY;
            int e;

            for (e = j; e < N &&
                 (long long)floor((raw[e].t - tl.t0) / tl.w) == b; e++) {
                lo = fmin(lo, rate(&raw[e], r));
                hi = fmax(hi, rate(&raw[e], r));
            }
            for (k = 0; k < tl.n; k++)
                if (tl.pts[k].t >= raw[j].t && tl.pts[k].t <= raw[e - 1].t) {
                    klo = fmin(klo, rate(&tl.pts[k], r));
                    khi = fmax(khi, rate(&tl.pts[k], r));
                }
            assert_true(klo == lo && khi == hi);
            j = e;
        }
    }
    /* The mean between two kept points, from their work: exact. */
    {
        const bal__sim_point *a = &tl.pts[tl.n / 3], *b = &tl.pts[tl.n / 2];
        double sum = 0, span = 0;

        for (k = 0; k < N; k++)
            if (raw[k].t > a->t && raw[k].t <= b->t) {
                sum += raw[k].cpu_ops_s * raw[k].dt;
                span += raw[k].dt;
            }
        assert_true(fabs((b->cpu_ops - a->cpu_ops) - sum) < 1e-6 * sum);
        assert_true(fabs((b->t - a->t) - span) < 1e-6 * span);
    }
    /* Taken: the caller's, the timeline empty and usable again. */
    n = tl.n;
    bal__timeline_take(&tl, &pts, &k);
    assert_int_equal(k, n);
    assert_int_equal(tl.n, 0);
    assert_int_equal(tl.max, MAX);
    feed(&tl, 10, NULL);
    assert_int_equal(tl.n, 10);
    free(pts);
    free(raw);
    bal__timeline_dispose(&tl);
}

/* A max below the least is raised to it; one bucket can hold everything. */
static void test_tiny(void **state)
{
    bal__timeline tl;

    (void)state;
    bal__timeline_init(&tl, 1);
    assert_int_equal(tl.max, BAL__TL_MIN);
    feed(&tl, 5000, NULL);
    assert_true(tl.n >= 2 && tl.n <= BAL__TL_MIN);
    bal__timeline_dispose(&tl);
}

/* The simulator: a job of 1000 s at a 10 ms interval, 100,000 sub-steps,
 * recorded: at most BAL__SIM_TL_VM points, from the first step to the
 * last, and the work between the first and the last adds up. */
static void test_sim_bounded(void **state)
{
    bal__scenario scn;
    bal__sim *sim = NULL;
    const bal__sim_point *p;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const char *text =
        "option seed=1 interval=0.01 noise=0.02\n"
        "host A pcpus=1 mem=4G disk=10MB/s speed=1Mops/s\n"
        "vm c host=A vcpus=1 mem=1G load=cpu cpuwork=1e9\n";
    int n;

    (void)state;
    bal__scenario_init(&scn);
    assert_int_equal(bal__scenario_parse(ctx, "t.scn", text, strlen(text),
                                         &scn), 0);
    assert_int_equal(bal__sim_alloc(&sim, &scn), 0);
    bal__sim_record(sim, true);
    while (!bal__sim_jobs_done(sim))
        assert_int_equal(bal__sim_advance(sim, 10), 0);
    assert_int_equal(bal__sim_timeline(sim, 0, &p, &n), 0);
    assert_true(bal__sim_now(sim) > 999);
    assert_true(n > BAL__SIM_TL_VM / 4 && n <= BAL__SIM_TL_VM);
    assert_true(fabs(p[0].t - 0.01) < 1e-9);
    assert_true(p[n - 1].t == bal__sim_now(sim));
    assert_true(p[n - 1].cpu_ops == 1e9);
    assert_true(p[0].cpu_ops > 0 && p[0].cpu_ops < 1e5);
    bal__sim_free(sim);
    bal__scenario_dispose(&scn);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_kept),
        cmocka_unit_test(test_decimated),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_sim_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
