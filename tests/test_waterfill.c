/*
 * test_waterfill.c - weighted max-min sharing (bal__waterfill_w) and the
 * planner's model sharing a host's pCPUs by the domains' scheduler
 * weights: the lab's host (dom0 at 1024, two burners at 256) predicted
 * as the inversion explains it, equal or unknown weights exactly as
 * without weights.
 */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "planner/planner.h"
#include "base/waterfill.h"

#define EPS 1e-12

static void test_weighted(void **state)
{
    bal__wf_pair pr[4];
    double a[4];
    const double all[] = { 1, 1, 1 }, w411[] = { 1024, 256, 256 };
    const double lab[] = { 0.5, 1, 1 };

    (void)state;
    /* Everyone hungry: shares in proportion to the weights. */
    bal__waterfill_w(1, all, w411, a, 3, pr);
    assert_true(fabs(a[0] - 2.0 / 3) < EPS);
    assert_true(fabs(a[1] - 1.0 / 6) < EPS && fabs(a[2] - 1.0 / 6) < EPS);
    /* The lab: dom0 wants 0.5, under its 2/3, and gets it; the burners
     * split the rest - the uses the inversion starts from. */
    bal__waterfill_w(1, lab, w411, a, 3, pr);
    assert_true(fabs(a[0] - 0.5) < EPS);
    assert_true(fabs(a[1] - 0.25) < EPS && fabs(a[2] - 0.25) < EPS);
    /* Equal weights: the equal split. */
    bal__waterfill(1, lab, a, 3, pr);
    assert_true(fabs(a[0] - 1.0 / 3) < EPS && fabs(a[1] - 1.0 / 3) < EPS);
    /* Demands that fit are met, whatever the weights. */
    {
        const double small[] = { 0.1, 0.2, 0.3 };

        bal__waterfill_w(1, small, w411, a, 3, pr);
        assert_true(a[0] == 0.1 && a[1] == 0.2 && a[2] == 0.3);
    }
    /* w NULL is bal__waterfill, bit for bit. */
    {
        const double d[] = { 0.7, INFINITY, 0.2, 0.45 };
        double b[4];

        bal__waterfill_w(1.3, d, NULL, a, 4, pr);
        bal__waterfill(1.3, d, b, 4, pr);
        assert_memory_equal(a, b, sizeof(a));
        /* An infinite demand gets its weighted part of the rest. */
        {
            const double w[] = { 1, 3, 1, 1 };

            bal__waterfill_w(1.3, d, w, a, 4, pr);
            assert_true(a[2] == 0.2);
            assert_true(fabs(a[0] + a[1] + a[3] + 0.2 - 1.3) < EPS);
            assert_true(fabs(a[1] - 3 * a[0]) < EPS);
            assert_true(a[0] == a[3]);
        }
    }
}

/* Without weights the shares come from a path of their own (the
 * planner's hot one): it must give what weights of 1 give, bit for bit -
 * the same rounds, the same sums in the same order.  Demands in a few
 * groups (as a host's VMs are), some unbounded, some 0, over capacities
 * below, near and above their sum. */
static uint64_t rnd(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_equal_path(void **state)
{
    enum { N = 64 };
    bal__wf_pair pr[N];
    double d[N], ones[N], a[N], b[N], sum;
    uint64_t x = 12;
    int t, i, n;

    (void)state;
    for (i = 0; i < N; i++) ones[i] = 1;
    for (t = 0; t < 20000; t++) {
        n = 1 + (int)(rnd(&x) % N);
        sum = 0;
        for (i = 0; i < n; i++) {
            unsigned k = (unsigned)(rnd(&x) % 8);

            d[i] = k == 0 ? INFINITY : k == 1 ? 0 :
                   k < 4 ? 0.25 * (double)(1 + rnd(&x) % 4) :
                   (double)(rnd(&x) >> 11) * 0x1p-53 * 3;
            if (isfinite(d[i])) sum += d[i];
        }
        sum *= (double)(rnd(&x) % 5) / 3;       /* 0 to 4/3 of the sum */
        bal__waterfill(sum + 0.1, d, a, n, pr);
        bal__waterfill_w(sum + 0.1, d, ones, b, n, pr);
        assert_memory_equal(a, b, (size_t)n * sizeof(double));
    }
}

/* One host, one pCPU, two CPU-bound guests. */
static bal__pl_host host1;
static bal__pl_vm vms2[2];

static void lab_input(bal__pl_input *in, double dom0_w, double w0, double w1)
{
    int i;

    bal__pl_input_init(in);
    host1 = (bal__pl_host){
        .name = "H1", .pcpus = 1, .disk_Bps = 1e8, .free_kb = 1 << 20,
        .dom0_weight = dom0_w,
    };
    for (i = 0; i < 2; i++)
        vms2[i] = (bal__pl_vm){
            .uuid = i ? "00000000-0000-4000-8000-000000000002"
                      : "00000000-0000-4000-8000-000000000001",
            .name = i ? "b2" : "b1", .host = 0, .type = BAL_TYPE_CPU,
            .heavy = true, .cpu = 1, .vcpus = 1, .mem_kb = 1 << 20,
            .remaining_s = -1, .anti_group = -1,
            .weight = i ? w1 : w0,
        };
    in->hosts = &host1;
    in->nhosts = 1;
    in->vms = vms2;
    in->nvms = 2;
}

/* Each burner's rate and the fraction of `extra' pCPUs of migration work
 * dom0 gets done, with the given weights. */
static double rates(double dom0_w, double w0, double w1, double extra,
                    double f[2])
{
    bal__pl_input in;
    bal__pl_model m;
    const int idx[] = { 0, 1 };
    double run;

    lab_input(&in, dom0_w, w0, w1);
    assert_int_equal(bal__pl_model_init(&m, &in), 0);
    run = bal__pl_rates(&m, 0, idx, 2, extra, f);
    bal__pl_model_dispose(&m);
    return run;
}

static void test_model(void **state)
{
    double f[2], g[2], run;

    (void)state;
    /* Unknown weights: equal; dom0's half a pCPU of copying gets a
     * third, as do the burners. */
    run = rates(0, 0, 0, 0.5, f);
    assert_true(fabs(run - 2.0 / 3) < EPS);
    assert_true(fabs(f[0] - 1.0 / 3) < EPS && fabs(f[1] - 1.0 / 3) < EPS);
    /* Known and equal: exactly the same. */
    assert_true(rates(256, 256, 256, 0.5, g) == run);
    assert_memory_equal(f, g, sizeof(f));
    /* Unknown is Xen's default, 256: alike too. */
    assert_true(rates(256, 0, 256, 0.5, g) == run);
    assert_memory_equal(f, g, sizeof(f));
    /* dom0 at 1024: its copying is done in full, the burners get a
     * quarter each - the lab's observation. */
    run = rates(1024, 256, 256, 0.5, f);
    assert_true(fabs(run - 1) < EPS);
    assert_true(fabs(f[0] - 0.25) < EPS && fabs(f[1] - 0.25) < EPS);
    /* A guest's weight goes with it: 512 against 256 gets 2/3. */
    rates(0, 512, 256, 0, f);
    assert_true(fabs(f[0] - 2.0 / 3) < EPS && fabs(f[1] - 1.0 / 3) < EPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted),
        cmocka_unit_test(test_equal_path),
        cmocka_unit_test(test_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
