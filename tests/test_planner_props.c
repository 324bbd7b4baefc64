/*
 * test_planner_props.c - the planner's promises, held on many clusters it
 * was never tuned on (doc/planner.md, "Fair, paying, stable"): clusters
 * of every regime of bench/gen_regimes.h (htools-like, under-, near- and
 * over-subscribed, unequal dom0s filled by memory, memory-tight, piled),
 * 2 to 16 hosts of 2 to 8 VMs each, seeded.  On each one:
 *
 *  - fair: neither the worst nor the 10th percentile of heavy VMs' share
 *    of their demand falls, as bench/metrics.h counts it (max-min of each
 *    host's pCPUs and disk path, apart from the planner's model);
 *  - no contended same-type pair added (metrics.h's count);
 *  - stable: planned again from where the plan ends, with the same
 *    demands, nothing moves;
 *  - calm: with every demand perturbed by up to 10% and planned again,
 *    few VMs move: at most 1% of all VMs over the whole corpus.
 *
 * XLB_PROPS_N sets how many clusters (10,000 by default; the valgrind run
 * takes fewer: tests/run-tests.sh).  It runs under ASan+UBSan too (make
 * check-asan), which is the "correct search" part of the promise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "planner/planner.h"
#include "../bench/gen_regimes.h"
#include "../bench/metrics.h"

#define DEFAULT_N 10000

typedef struct tally {
    long clusters, vms, moves, unstable, unfair, pairs_up;
    long calm_vms, calm_moved, calm_clusters;
    double worst_calm;          /* largest share of one cluster's VMs */
    int worst_calm_at;
} tally;

/* Every demand times a factor in [0.9, 1.1], a VM's CPU within its
 * vCPUs. */
static void perturb(bal__pl_input *in, uint64_t *rs)
{
    int v;

    for (v = 0; v < in->nvms; v++) {
        bal__pl_vm *vm = &in->vms[v];

        vm->cpu *= 0.9 + 0.2 * gr_unif(rs);
        if (vm->cpu > vm->vcpus) vm->cpu = vm->vcpus;
        if (isfinite(vm->io_Bps)) vm->io_Bps *= 0.9 + 0.2 * gr_unif(rs);
    }
}

static void one(bal_ctx *ctx, int t, uint64_t *rs, tally *y)
{
    const char *regime = gr_regime_names[t % 7];
    int nh = 2 + (int)(gr_next(rs) % 15), nv = nh * (2 + (int)(gr_next(rs) % 7));
    bal__pl_input in;
    bal__pl_result r, r2, r3;
    gm_result a, b;

    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    bal__pl_result_init(&r2);
    bal__pl_result_init(&r3);
    assert_int_equal(gr_generate(regime, nh, nv, 1000 + (uint64_t)t, &in), 0);
    gm_measure(&in, NULL, &a);
    if (bal__planner_plan(ctx, &in, &r))
        fail_msg("cluster %d (%s %d/%d): not planned", t, regime, nh, nv);
    gm_measure(&in, r.placement, &b);
    y->clusters++;
    y->vms += nv;
    y->moves += r.nmoves;
    if (a.nheavy > 0 && (b.min_share < a.min_share - 1e-9 ||
                         b.p10_share < a.p10_share - 1e-9)) {
        y->unfair++;
        print_message("cluster %d (%s %d/%d): heavy VMs' shares fell: worst "
                      "%.4g -> %.4g, p10 %.4g -> %.4g\n", t, regime, nh, nv,
                      a.min_share, b.min_share, a.p10_share, b.p10_share);
    }
    if (b.contended_pairs > a.contended_pairs) {
        y->pairs_up++;
        print_message("cluster %d (%s %d/%d): contended pairs %ld -> %ld\n",
                      t, regime, nh, nv, a.contended_pairs, b.contended_pairs);
    }

    /* From where it ends, with the same demands: nothing. */
    assert_int_equal(gr_apply_placement(&in, r.placement), 0);
    assert_int_equal(bal__planner_plan(ctx, &in, &r2), 0);
    if (r2.nmoves) {
        y->unstable++;
        print_message("cluster %d (%s %d/%d): planned again, %d moves: %s\n",
                      t, regime, nh, nv, r2.nmoves, r2.moves[0].reason);
    }

    /* Demands a little off: few move. */
    perturb(&in, rs);
    assert_int_equal(bal__planner_plan(ctx, &in, &r3), 0);
    y->calm_vms += nv;
    y->calm_moved += r3.nmoves;
    y->calm_clusters += r3.nmoves > 0;
    if ((double)r3.nmoves / nv > y->worst_calm) {
        y->worst_calm = (double)r3.nmoves / nv;
        y->worst_calm_at = t;
    }

    bal__pl_result_dispose(&r);
    bal__pl_result_dispose(&r2);
    bal__pl_result_dispose(&r3);
    bal__pl_input_dispose(&in);
}

static void test_properties(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const char *env = getenv("XLB_PROPS_N");
    int n = env ? atoi(env) : DEFAULT_N, t;
    uint64_t rs = 99;
    tally y;

    memset(&y, 0, sizeof(y));
    for (t = 0; t < n; t++) one(ctx, t, &rs, &y);
    print_message("%ld clusters, %ld VMs, %ld moves planned: %ld unfair, %ld "
                  "with more contended pairs, %ld planned again; demands "
                  "perturbed by up to 10%%: %ld of %ld VMs moved (%.3f%%) in "
                  "%ld clusters, at most %.1f%% of one (cluster %d)\n",
                  y.clusters, y.vms, y.moves, y.unfair, y.pairs_up,
                  y.unstable, y.calm_moved, y.calm_vms,
                  100.0 * (double)y.calm_moved / (double)(y.calm_vms ? y.calm_vms : 1),
                  y.calm_clusters, 100 * y.worst_calm, y.worst_calm_at);
    assert_int_equal(y.clusters, n);
    assert_true(n == 0 || y.moves > 0);         /* not vacuous */
    assert_int_equal(y.unfair, 0);
    assert_int_equal(y.pairs_up, 0);
    assert_int_equal(y.unstable, 0);
    assert_true(y.calm_moved * 100 <= y.calm_vms);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
