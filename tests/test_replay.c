/*
 * test_replay.c - the "replay" backend: a recorded trace of three samples
 * plays back in order (comments and blank lines skipped), then BAL_EEOF
 * with its message; a bad line is reported as "FILE:LINE: ..." and play
 * goes on after it; a missing file fails at open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "base/json.h"
#include "backend/sim.h"

/* Three samples of a small simulated cluster, 5 s apart, as JSON lines.
 * Two hosts, so two dom0s with the all-zero UUID, as on real Xen. */
static void record(char *lines[3])
{
    static const char scn_text[] =
        "host A pcpus=1 mem=4G disk=10MB/s\n"
        "host B pcpus=2 mem=4G disk=10MB/s\n"
        "vm a host=A vcpus=1 mem=1G load=io\n"
        "vm b host=B vcpus=1 mem=1G load=cpu\n";
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario scn;
    bal__sim *sim = NULL;
    int k;

    bal__scenario_init(&scn);
    assert_int_equal(bal__scenario_parse(ctx, "t.scn", scn_text,
                                         strlen(scn_text), &scn), 0);
    assert_int_equal(bal__sim_alloc(&sim, &scn), 0);
    for (k = 0; k < 3; k++) {
        bal__sample s;

        assert_int_equal(bal__sim_advance(sim, 5), 0);
        bal__sample_init(&s);
        assert_int_equal(bal__sim_sample(sim, false, &s), 0);
        assert_int_equal(bal__json_write_sample(&s, &lines[k]), 0);
        bal__sample_dispose(&s);
    }
    /* Distinct, or "in order" would prove nothing. */
    assert_string_not_equal(lines[0], lines[1]);
    assert_string_not_equal(lines[1], lines[2]);
    bal__sim_free(sim);
    bal__scenario_dispose(&scn);
    bal_ctx_free(ctx);
}

static bal_backend *open_replay(bal_ctx *ctx, bal_config *cfg,
                                const char *path)
{
    bal_backend *be = NULL;
    char spec[512];

    snprintf(spec, sizeof(spec), "replay:%s", path);
    assert_int_equal(bal_backend_open(ctx, cfg, spec, &be), 0);
    assert_string_equal(bal_backend_name(be), "replay");
    return be;
}

/* The next sample, written back as JSON (malloc'd). */
static char *next_json(bal_backend *be, bool local_only)
{
    bal__sample s;
    char *json = NULL;

    bal__sample_init(&s);
    if (be->ops->sample(be, local_only, &s))
        fail_msg("%s", tu_last(be->ctx->log_opaque));
    assert_int_equal(bal__json_write_sample(&s, &json), 0);
    bal__sample_dispose(&s);
    return json;
}

static void test_in_order(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    bal_backend *be;
    bal__sample s;
    char *lines[3], *text, *path, *got, want[600];
    size_t cap;
    int k;

    record(lines);
    cap = strlen(lines[0]) + strlen(lines[1]) + strlen(lines[2]) + 200;
    text = malloc(cap);
    assert_non_null(text);
    snprintf(text, cap, "# recorded by test_replay\n\n%s\n   \n"
             "  # indented comment\n%s\r\n%s", lines[0], lines[1], lines[2]);
    path = tu_tmpfile(text);
    assert_int_equal(bal_config_alloc(&cfg), 0);

    be = open_replay(ctx, cfg, path);
    for (k = 0; k < 3; k++) {
        got = next_json(be, false);
        assert_string_equal(got, lines[k]);
        free(got);
        /* The trace has its own clock: waiting does nothing. */
        assert_int_equal(bal_backend_wait(be, 3600), 0);
    }
    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, false, &s), BAL_EEOF);
    snprintf(want, sizeof(want), "%s: trace has no more samples (3 read)",
             path);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(s.nhosts, 0);
    /* And stays there. */
    assert_int_equal(be->ops->sample(be, false, &s), BAL_EEOF);
    assert_int_equal(lg.nerrors, 2);
    bal_backend_close(be);

    /* local_only: the host recorded first. */
    be = open_replay(ctx, cfg, path);
    assert_int_equal(be->ops->sample(be, true, &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_string_equal(s.hosts[0].name, "A");
    assert_int_equal(s.hosts[0].time_ns, 5000000000ull);
    /* Appended after what out held. */
    assert_int_equal(be->ops->sample(be, false, &s), 0);
    assert_int_equal(s.nhosts, 3);
    assert_string_equal(s.hosts[2].name, "B");
    assert_int_equal(s.hosts[2].time_ns, 10000000000ull);
    bal__sample_dispose(&s);
    bal_backend_close(be);

    unlink(path);
    free(path);
    free(text);
    for (k = 0; k < 3; k++) free(lines[k]);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_bad_line(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    bal_backend *be;
    bal__sample s;
    char *lines[3], *text, *path, *got, want[600];
    size_t cap;
    int k;

    record(lines);
    cap = strlen(lines[0]) + strlen(lines[2]) + 200;
    text = malloc(cap);
    assert_non_null(text);
    snprintf(text, cap, "%s\n# comment\n{\"hosts\": [\n\n%s\n", lines[0],
             lines[2]);
    path = tu_tmpfile(text);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    be = open_replay(ctx, cfg, path);

    got = next_json(be, false);
    assert_string_equal(got, lines[0]);
    free(got);

    /* Line 3 is cut short: named by its line, out untouched. */
    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, false, &s), BAL_ETRACE);
    snprintf(want, sizeof(want), "%s:3: ", path);
    assert_memory_equal(tu_last(&lg), want, strlen(want));
    assert_true(strlen(tu_last(&lg)) > strlen(want));
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(s.nhosts, 0);

    /* Play goes on after the bad line. */
    got = next_json(be, false);
    assert_string_equal(got, lines[2]);
    free(got);
    assert_int_equal(be->ops->sample(be, false, &s), BAL_EEOF);
    snprintf(want, sizeof(want), "%s: trace has no more samples (2 read)",
             path);
    assert_string_equal(tu_last(&lg), want);
    bal_backend_close(be);
    unlink(path);
    free(path);

    /* A trace of nothing but comments. */
    path = tu_tmpfile("# nothing yet\n\n");
    be = open_replay(ctx, cfg, path);
    assert_int_equal(be->ops->sample(be, false, &s), BAL_EEOF);
    snprintf(want, sizeof(want), "%s: trace has no more samples (0 read)",
             path);
    assert_string_equal(tu_last(&lg), want);
    bal_backend_close(be);
    unlink(path);
    free(path);

    free(text);
    for (k = 0; k < 3; k++) free(lines[k]);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_missing(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    char *path = tu_tmpfile("");

    assert_int_equal(bal_config_alloc(&cfg), 0);
    unlink(path);
    {
        char spec[512], want[600];

        snprintf(spec, sizeof(spec), "replay:%s", path);
        assert_int_equal(bal_backend_open(ctx, cfg, spec, &be), BAL_ENOENT);
        snprintf(want, sizeof(want),
                 "%s: cannot open: No such file or directory", path);
        assert_string_equal(tu_last(&lg), want);
        assert_int_equal(lg.nerrors, 1);
        assert_null(be);
    }
    free(path);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_bad_line),
        cmocka_unit_test(test_missing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
