/*
 * test_classify.c - load types from levels: the classes and their exact
 * boundaries, the EWMA, band hysteresis and hold against a noisy trace,
 * and the heavy flag.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "observe/classify.h"

/* Thresholds that are exact in binary, so boundaries are exact too:
 * cpu, io, net. */
static const bal__class_params P = {
    .high = { 0.5, 0.25, 0.5 }, .low = { 0.125, 0.0625, 0.125 },
    .alpha = 0.5, .hold = 3,
};

/* No smoothing and no hold: each update shows the band rules alone. */
static const bal__class_params BAND = {
    .high = { 0.5, 0.25, 0.5 }, .low = { 0.125, 0.0625, 0.125 },
    .alpha = 1, .hold = 1,
};

#define IDLE  BAL_TYPE_IDLE
#define CPU   BAL_TYPE_CPU
#define IO    BAL_TYPE_IO
#define MIXED BAL_TYPE_MIXED
#define NET   BAL_TYPE_NET

/* The cpu and io levels (and net's) as the classifier takes them. */
#define LV(c, i, n) ((const double[BAL_NRES]){ (c), (i), (n) })

static bal_load_type levels(const bal__class_params *p, double c, double i)
{
    return bal__classify_levels(p, LV(c, i, 0));
}

static bal_load_type update(const bal__class_params *p, bal__class_state *st,
                            double c, double i)
{
    return bal__classify_update(p, st, LV(c, i, 0), 0);
}

static void test_classes(void **state)
{
    assert_int_equal(levels(&P, 0.01, 0.01), IDLE);
    assert_int_equal(levels(&P, 0, 0), IDLE);
    assert_int_equal(levels(&P, 0.9, 0.02), CPU);
    assert_int_equal(levels(&P, 0.05, 0.6), IO);
    assert_int_equal(levels(&P, 0.9, 0.6), MIXED);
    /* Light but not idle: still typed, by the larger ratio to its high
     * threshold (0.2/0.5 = 0.4 against 0.05/0.25 = 0.2). */
    assert_int_equal(levels(&P, 0.2, 0.05), CPU);
    /* 0.3/0.5 = 0.6 against 0.2/0.25 = 0.8: io, though cpu is larger. */
    assert_int_equal(levels(&P, 0.3, 0.2), IO);
    /* One level high, the other not: the ratio decides, not mixed. */
    assert_int_equal(levels(&P, 0.9, 0.2), CPU);
    assert_int_equal(levels(&P, 0.3, 0.9), IO);
}

static void test_boundaries(void **state)
{
    /* idle needs BOTH strictly below low */
    assert_int_equal(levels(&P, 0.125, 0), CPU);
    assert_int_equal(levels(&P, 0, 0.0625), IO);
    assert_int_equal(levels(&P, nextafter(0.125, 0),
                                          nextafter(0.0625, 0)), IDLE);
    /* mixed needs BOTH at or above high */
    assert_int_equal(levels(&P, 0.5, 0.25), MIXED);
    assert_int_equal(levels(&P, 0.5, nextafter(0.25, 0)), CPU);
    assert_int_equal(levels(&P, nextafter(0.5, 0), 0.25), IO);
    /* equal ratios (0.25/0.5 = 0.125/0.25): cpu */
    assert_int_equal(levels(&P, 0.25, 0.125), CPU);
    assert_int_equal(levels(&P, 0.25, nextafter(0.125, 1)),
                     IO);
}

static void test_ewma(void **state)
{
    bal__class_state st;
    bal__class_params noalpha = P;

    bal__class_state_init(&st);
    assert_false(st.init);
    assert_int_equal(st.type, IDLE);
    /* The first sample sets levels and type at once, no hold. */
    assert_int_equal(update(&P, &st, 0.8, 0.1), CPU);
    assert_true(st.init);
    assert_float_equal(st.level[BAL_RES_CPU], 0.8, 0);
    assert_float_equal(st.level[BAL_RES_IO], 0.1, 0);
    update(&P, &st, 0.4, 0.3);
    assert_float_equal(st.level[BAL_RES_CPU], 0.6, 1e-15);
    assert_float_equal(st.level[BAL_RES_IO], 0.2, 1e-15);
    update(&P, &st, 0.0, 0.0);
    assert_float_equal(st.level[BAL_RES_CPU], 0.3, 1e-15);
    assert_float_equal(st.level[BAL_RES_IO], 0.1, 1e-15);
    /* Levels are clamped to [0, 1]; NaN counts as 0. */
    update(&P, &st, 7.0, -3.0);
    assert_float_equal(st.level[BAL_RES_CPU], 0.65, 1e-15);
    assert_float_equal(st.level[BAL_RES_IO], 0.05, 1e-15);
    update(&P, &st, NAN, 1.0);
    assert_float_equal(st.level[BAL_RES_CPU], 0.325, 1e-15);
    assert_float_equal(st.level[BAL_RES_IO], 0.525, 1e-15);
    /* An alpha outside (0, 1] means no smoothing. */
    noalpha.alpha = 0;
    update(&noalpha, &st, 0.2, 0.4);
    assert_float_equal(st.level[BAL_RES_CPU], 0.2, 0);
    assert_float_equal(st.level[BAL_RES_IO], 0.4, 0);
}

/* Feeds (c, i) and checks the reported type. */
#define FEED(p, st, c, i, want) \
    assert_int_equal(update((p), (st), (c), (i)), (want))

static void test_band(void **state)
{
    bal__class_state st;

    /* cpu -> io needs io's ratio over 1.2x cpu's */
    bal__class_state_init(&st);
    FEED(&BAND, &st, 0.4, 0.05, CPU);     /* ratios 0.8, 0.2 */
    FEED(&BAND, &st, 0.4, 0.22, CPU);     /* 0.88: io larger, in band */
    FEED(&BAND, &st, 0.4, 0.25, IO);      /* 1.0 > 0.96 */
    FEED(&BAND, &st, 0.55, 0.24, IO);     /* 1.1 vs 0.96: in band */
    FEED(&BAND, &st, 0.4, 0.15, CPU);     /* 0.8 vs 0.6: out */

    /* idle -> cpu needs 1.2x low; cpu -> idle needs both under 0.8x */
    bal__class_state_init(&st);
    FEED(&BAND, &st, 0.1, 0.05, IDLE);
    FEED(&BAND, &st, 0.14, 0.05, IDLE);   /* over low, under 0.15 */
    FEED(&BAND, &st, 0.1, 0.074, IDLE);   /* io under 0.075 */
    FEED(&BAND, &st, 0.16, 0.05, CPU);
    FEED(&BAND, &st, 0.11, 0.04, CPU);    /* under low, over 0.1 */
    FEED(&BAND, &st, 0.09, 0.052, CPU);   /* io over 0.05, ratio in band */
    FEED(&BAND, &st, 0.09, 0.04, IDLE);

    /* mixed -> other needs a level under 0.8x high; other -> mixed
     * needs both over 1.2x high, or the ratios to fall the other way */
    bal__class_state_init(&st);
    FEED(&BAND, &st, 0.6, 0.3, MIXED);
    FEED(&BAND, &st, 0.45, 0.21, MIXED);  /* both over 0.8x */
    FEED(&BAND, &st, 0.39, 0.3, IO);
    FEED(&BAND, &st, 0.5, 0.3, IO);       /* mixed by rule, in io's band */
    FEED(&BAND, &st, 0.61, 0.31, MIXED);  /* both over 1.2x high */
    FEED(&BAND, &st, 0.6, 0.19, CPU);
    FEED(&BAND, &st, 0.6, 0.28, CPU);     /* both high, io under 0.3 */
}

static void test_hold(void **state)
{
    bal__class_state st;
    bal__class_params h0 = P;

    h0.alpha = 1;
    bal__class_state_init(&st);
    FEED(&h0, &st, 0.9, 0.01, CPU);
    /* the io candidate must be seen 3 updates in a row */
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.9, 0.01, CPU);       /* back: count restarts */
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.9, 0.9, CPU);        /* another candidate: restarts */
    assert_int_equal(st.pending, MIXED);
    assert_int_equal(st.pending_n, 1);
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.01, 0.9, CPU);
    FEED(&h0, &st, 0.01, 0.9, IO);
    assert_int_equal(st.pending_n, 0);
    FEED(&h0, &st, 0.01, 0.9, IO);

    /* hold 0 or 1: at once */
    h0.hold = 0;
    FEED(&h0, &st, 0.9, 0.01, CPU);
    h0.hold = 1;
    FEED(&h0, &st, 0.01, 0.01, IDLE);
}

/* Deterministic noise in [-1, 1). */
static double noise(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / (double)(1u << 23) - 1.0;
}

/* A cpu-bound VM with noise, io spikes and dips never flips; once its
 * workload really turns to io, io is reported within hold + 2 samples
 * and stays. */
static void test_noisy_trace(void **state)
{
    bal__class_state st;
    uint32_t seed = 12345;
    int k, spikes = 0, dips = 0, switched = -1;
    int last_hit = -10, notheavy = 0;

    bal__class_state_init(&st);
    for (k = 0; k < 1000; k++) {
        double c = 0.8 + 0.2 * noise(&seed);
        double i = 0.05 + 0.04 * noise(&seed);
        bal_load_type t;

        if (k % 17 == 5) {          /* an io burst while cpu stalls */
            c = 0.1;
            i = 1.0;
            spikes++;
            last_hit = k;
        } else if (k % 23 == 6) {   /* a dip: the VM waits on nothing */
            c = 0;
            i = 0;
            dips++;
            last_hit = k;
        } else if (k % 31 == 7) {   /* a level far out of range */
            i = 40.0;
        }
        t = update(&P, &st, c, i);
        assert_int_equal(t, CPU);
        /* heavy, but for up to two samples after a spike or a dip */
        if (!bal__classify_heavy(&P, t, st.level)) {
            assert_true(k - last_hit <= 2);
            notheavy++;
        }
    }
    assert_true(notheavy > 0);
    assert_true(spikes > 50 && dips > 40);

    for (k = 0; k < 200; k++) {
        double c = 0.05 + 0.04 * noise(&seed);
        double i = 0.6 + 0.15 * noise(&seed);
        bal_load_type t;

        if (k % 13 == 9) {          /* a cpu burst while io stalls */
            c = 1.0;
            i = 0.02;
        }
        t = update(&P, &st, c, i);
        if (switched < 0 && t == IO) switched = k + 1;
        if (switched >= 0) assert_int_equal(t, IO);
    }
    assert_true(switched > 0);
    assert_true(switched <= P.hold + 2);
}

/* The guarantee behind the hold: whatever the steady levels, the alpha
 * and the outlier, one outlying sample never flips the type when hold is
 * 2, although the EWMA remembers it for several samples. */
static void test_single_outlier(void **state)
{
    static const double out[][2] = {
        { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 }, { 50, 0 }, { 0, 50 },
    };
    static const double alphas[] = { 0.2, 0.5, 0.8, 1.0 };
    bal__class_params p = P;
    int a, o, ci, ii, k, runs = 0;

    p.hold = 2;
    for (a = 0; a < 4; a++)
        for (o = 0; o < 6; o++)
            for (ci = 0; ci <= 20; ci++)
                for (ii = 0; ii <= 20; ii++) {
                    bal__class_state st;
                    double c = ci / 20.0, i = ii / 20.0;
                    bal_load_type t0;

                    p.alpha = alphas[a];
                    bal__class_state_init(&st);
                    t0 = update(&p, &st, c, i);
                    for (k = 0; k < 5; k++) FEED(&p, &st, c, i, t0);
                    FEED(&p, &st, out[o][0], out[o][1], t0);
                    for (k = 0; k < 30; k++) FEED(&p, &st, c, i, t0);
                    runs++;
                }
    assert_int_equal(runs, 4 * 6 * 21 * 21);
}

static void test_heavy(void **state)
{
    assert_true(bal__classify_heavy(&P, CPU, LV(0.5, 0, 0)));
    assert_false(bal__classify_heavy(&P, CPU, LV(nextafter(0.5, 0), 1, 0)));
    assert_true(bal__classify_heavy(&P, IO, LV(0, 0.25, 0)));
    assert_false(bal__classify_heavy(&P, IO, LV(1, nextafter(0.25, 0), 0)));
    assert_true(bal__classify_heavy(&P, MIXED, LV(0.5, 0, 0)));
    assert_true(bal__classify_heavy(&P, MIXED, LV(0, 0.25, 0)));
    assert_false(bal__classify_heavy(&P, MIXED, LV(0.4, 0.2, 0)));
    assert_false(bal__classify_heavy(&P, IDLE, LV(1, 1, 0)));
}

/* The NIC's level names a type as the others do: net when its ratio to
 * net_high is the largest; idle only when it too is low; a tie goes to
 * the type first in the table; the band and the heavy rule alike. */
static void test_net(void **state)
{
    bal__class_state st;

    assert_int_equal(bal__classify_levels(&P, LV(0.1, 0.02, 0.9)), NET);
    assert_int_equal(bal__classify_levels(&P, LV(0.01, 0.01, 0.2)), NET);
    assert_int_equal(bal__classify_levels(&P, LV(0.01, 0.01,
                                                 nextafter(0.125, 0))), IDLE);
    assert_int_equal(bal__classify_levels(&P, LV(0.25, 0, 0.25)), CPU);
    assert_int_equal(bal__classify_levels(&P, LV(0.25, 0, nextafter(0.25, 1))),
                     NET);
    assert_int_equal(bal__classify_levels(&P, LV(0.9, 0.6, 0.9)), MIXED);
    assert_int_equal(bal__classify_levels(&P, LV(0.2, 0.5, 0.9)), IO);

    /* net -> cpu needs cpu's ratio over 1.2x net's */
    bal__class_state_init(&st);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0.1, 0, 0.8), 0), NET);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0.45, 0, 0.4), 0), NET);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0.5, 0, 0.4), 0), CPU);
    /* net -> idle needs every level under 0.8x low */
    bal__class_state_init(&st);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0, 0, 0.8), 0), NET);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0, 0, 0.11), 0), NET);
    assert_int_equal(bal__classify_update(&BAND, &st, LV(0, 0, 0.09), 0), IDLE);

    assert_true(bal__classify_heavy(&P, NET, LV(0, 0, 0.5)));
    assert_false(bal__classify_heavy(&P, NET, LV(1, 1, nextafter(0.5, 0))));
    assert_false(bal__classify_heavy(&P, CPU, LV(0, 0, 1)));
}

/* The time-decayed window (type_window): exact weights, a plain mean
 * while the window is far longer than the time seen, and at most the
 * window's worth of seconds behind a level. */
static void test_window_step(void **state)
{
    double seen = 0, w;

    /* The first interval is all there is: weight 1, seen ~ its length. */
    w = bal__window_step(1800, 10, &seen);
    assert_true(w == 1);
    assert_true(fabs(seen - 1800 * (1 - exp(-10.0 / 1800))) < 1e-9);
    /* A second interval as long: about half (decay over 10 s is tiny). */
    w = bal__window_step(1800, 10, &seen);
    assert_true(fabs(w - 0.5) < 0.002);
    /* 1800 s after 20 s seen: the old levels keep ~20 e^-1 of ~1145. */
    w = bal__window_step(1800, 1800, &seen);
    assert_true(w > 0.99 && w < 1);
    assert_true(seen > 1130 && seen < 1150);
    /* Days of runs: seen tends to the window, never past it. */
    for (int k = 0; k < 200; k++) bal__window_step(1800, 300, &seen);
    assert_true(seen <= 1800 && seen > 1799);
    /* No time: nothing added, the old average keeps all. */
    assert_true(bal__window_step(1800, 0, &seen) == 0);
    assert_true(bal__window_step(1800, -5, &seen) == 0);
    /* No window: a plain mean over time. */
    seen = 30;
    w = bal__window_step(0, 10, &seen);
    assert_true(w == 0.25 && seen == 40);
}

/* A windowed state: an idle VM that bursts at full CPU for 10 s after
 * half an hour's idle average stays idle and light; a steady reader
 * whose one run falls on a 10 s pause stays io. */
static void test_window_burst(void **state)
{
    bal__class_params p = P;
    bal__class_state st;

    p.window = 1800;
    bal__class_state_init(&st);
    /* The first run: 2 x 5 s of idle, smoothed by alpha. */
    bal__classify_update(&p, &st, LV(0, 0, 0), 5);
    bal__classify_update(&p, &st, LV(0, 0, 0), 5);
    assert_false(st.windowed);
    st.windowed = true;             /* as kept and read back */
    /* 30 min later: the exact average since, idle; then the burst. */
    assert_int_equal(bal__classify_update(&p, &st, LV(0.01, 0, 0), 1800),
                     IDLE);
    assert_int_equal(bal__classify_update(&p, &st, LV(1, 0, 0), 5), IDLE);
    assert_int_equal(bal__classify_update(&p, &st, LV(1, 0, 0), 5), IDLE);
    assert_true(st.level[BAL_RES_CPU] < 0.02);
    assert_false(bal__classify_heavy(&p, st.type, st.level));
    /* Without the window one such sample puts its level past cpu_high. */
    st.windowed = false;
    bal__classify_update(&p, &st, LV(1, 0, 0), 5);
    assert_true(st.level[BAL_RES_CPU] > 0.5);

    /* The reader: io, half an hour of reading, then 10 s of pause. */
    bal__class_state_init(&st);
    bal__classify_update(&p, &st, LV(0.05, 0.8, 0), 5);
    bal__classify_update(&p, &st, LV(0.05, 0.8, 0), 5);
    assert_int_equal(st.type, IO);
    st.windowed = true;
    bal__classify_update(&p, &st, LV(0.05, 0.8, 0), 1800);
    bal__classify_update(&p, &st, LV(0, 0, 0), 5);
    assert_int_equal(bal__classify_update(&p, &st, LV(0, 0, 0), 5), IO);
    assert_true(bal__classify_heavy(&p, st.type, st.level));
    assert_true(st.seen_s > 1140 && st.seen_s <= 1800);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_ewma),
        cmocka_unit_test(test_band),
        cmocka_unit_test(test_hold),
        cmocka_unit_test(test_noisy_trace),
        cmocka_unit_test(test_single_outlier),
        cmocka_unit_test(test_heavy),
        cmocka_unit_test(test_net),
        cmocka_unit_test(test_window_step),
        cmocka_unit_test(test_window_burst),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
