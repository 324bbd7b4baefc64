/*
 * test_regress.c - one test per fault the hardening work (fuzzers, the
 * bad-input catalogue, the security review: doc/security.md) found, so
 * that none comes back.  Each says what was wrong.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "testutil.h"
#include "base/config.h"
#include "base/config_xlu.h"
#include "base/json.h"
#include "base/plan.h"
#include "planner/planner.h"
#include "planner/planner_json.h"
#include "run/rebalance.h"
#include "balance/plan_report.h"

#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"
#define MOVE(extra) "{\"vm\": \"vm1\", \"uuid\": \"" UUID1 "\", \"from\": " \
    "\"HostA\", \"to\": \"HostB\", \"wave\": 0" extra "}"
#define PLAN(moves) "{\"xl_balance_plan\": 1, \"moves\": [" moves "]}"

/* Exactly n bytes of text with no NUL after them: a reader that looks
 * past text[n) reads outside the allocation (ASan, valgrind see it). */
static char *exact(const char *text, size_t *n_r)
{
    size_t n = strlen(text);
    char *p = malloc(n);

    assert_non_null(p);
    memcpy(p, text, n);
    *n_r = n;
    return p;
}

static int parse_plan(tu_log *lg, const char *text, bal__plan *p,
                      double **pred_r)
{
    bal_ctx *ctx = tu_ctx(lg);
    size_t n;
    char *t = exact(text, &n);
    int rc;

    bal__plan_init(p);
    *pred_r = NULL;
    rc = bal__plan_json_parse(ctx, "plan.json", t, n, p, pred_r);
    free(t);
    bal_ctx_free(ctx);
    return rc;
}

/* plan_json.c promised to read text[0..len) but handed text to
 * yajl_tree_parse and strspn, which read up to a NUL: past the end of a
 * buffer that has none (found by fuzz_plan on its first input). */
static void test_plan_reads_only_len(void **state)
{
    tu_log lg;
    bal__plan p;
    double *pred;

    (void)state;
    assert_int_equal(parse_plan(&lg, PLAN(MOVE("")), &p, &pred), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.moves[0].mv.vm, "vm1");
    assert_true(isnan(pred[0]));
    bal__plan_dispose(&p);
    free(pred);

    assert_int_equal(parse_plan(&lg, "   ", &p, &pred), BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "plan.json: empty: not a plan");
}

/* The depth check skipped strings but not comments, which yajl_tree
 * accepts: a '"' inside a comment hid every bracket after it, and a plan
 * file nested a few million deep overflowed the stack in
 * yajl_tree_free. */
static void test_plan_depth_behind_comment(void **state)
{
    static const char *const heads[] = {
        "/* \" */ ", "// \"\n", "/**/ /* \" \" \" */ ",
    };
    char text[512];
    tu_log lg;
    bal__plan p;
    double *pred;
    size_t i;
    int k, o;

    (void)state;
    for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        o = snprintf(text, sizeof(text), "%s{\"xl_balance_plan\": 1, "
                     "\"x\": ", heads[i]);
        for (k = 0; k < 40; k++) text[o++] = '[';
        for (k = 0; k < 40; k++) text[o++] = ']';
        snprintf(text + o, sizeof(text) - (size_t)o, ", \"moves\": []}");
        assert_int_equal(parse_plan(&lg, text, &p, &pred), BAL_EINVAL);
        assert_string_equal(tu_last(&lg),
                            "plan.json: nested more than 32 deep: not a plan");
        assert_int_equal(p.n, 0);
        assert_null(pred);
    }
    /* A comment is still a comment: brackets inside it do not count. */
    o = snprintf(text, sizeof(text), "/* ");
    for (k = 0; k < 40; k++) text[o++] = '[';
    snprintf(text + o, sizeof(text) - (size_t)o, " */ %s", PLAN(""));
    assert_int_equal(parse_plan(&lg, text, &p, &pred), 0);
    bal__plan_dispose(&p);
    free(pred);
}

/* A plan's reason went to the dry run's table and the report unchecked:
 * control characters reached the terminal, and a reason cut to fit a
 * move (159 bytes) could end inside a UTF-8 character, which the JSON
 * report then wrote as it was. */
static void test_plan_reason_is_text(void **state)
{
    char text[1024], *json = NULL;
    tu_log lg;
    bal__plan p;
    double *pred;
    int k, o;

    (void)state;
    assert_int_equal(parse_plan(&lg, PLAN(MOVE(", \"reason\": "
                     "\"\\u001b[2J\\u0007 x\\u0085y\"")), &p, &pred), 0);
    /* One ? per byte that is not text: U+0085 is two. */
    assert_string_equal(p.moves[0].reason, "?[2J? x??y");
    bal__plan_dispose(&p);
    free(pred);

    /* 100 two-byte characters: 200 bytes, cut at 159 = 79 whole ones and
     * half of the 80th, which becomes a '?'. */
    o = snprintf(text, sizeof(text), "{\"xl_balance_plan\": 1, \"moves\": "
                 "[{\"vm\": \"vm1\", \"uuid\": \"" UUID1 "\", \"from\": "
                 "\"HostA\", \"to\": \"HostB\", \"wave\": 0, \"reason\": \"");
    for (k = 0; k < 100; k++) {
        text[o++] = (char)0xc3;
        text[o++] = (char)0xa9;
    }
    snprintf(text + o, sizeof(text) - (size_t)o, "\"}]}");
    assert_int_equal(parse_plan(&lg, text, &p, &pred), 0);
    assert_int_equal(strlen(p.moves[0].reason), 159);
    assert_true(bal__json_name_valid(p.moves[0].reason, 159));
    assert_int_equal(p.moves[0].reason[158], '?');
    assert_int_equal(bal__plan_json_write(&p, pred, &json), 0);
    bal__plan_dispose(&p);
    free(pred);
    assert_int_equal(parse_plan(&lg, json, &p, &pred), 0);
    free(json);
    bal__plan_dispose(&p);
    free(pred);
}

/* k_num wrote "%.4f" into 64 bytes and handed yajl snprintf's return
 * value as the length: a gain_rate of 1e300 (any finite number is
 * accepted) made it read far past the buffer (found by fuzz_plan's
 * write-back). */
static void test_plan_huge_gain_rate(void **state)
{
    tu_log lg;
    bal__plan p, p2;
    double *pred, *pred2;
    char *json = NULL;

    (void)state;
    assert_int_equal(parse_plan(&lg, PLAN(MOVE(", \"gain_rate\": -1e300")),
                     &p, &pred), 0);
    assert_true(pred[0] == -1e300);
    assert_int_equal(bal__plan_json_write(&p, pred, &json), 0);
    assert_int_equal(parse_plan(&lg, json, &p2, &pred2), 0);
    assert_true(fabs(pred2[0] / -1e300 - 1) < 1e-12);
    free(json);
    bal__plan_dispose(&p);
    bal__plan_dispose(&p2);
    free(pred);
    free(pred2);
}

/* planner_json.c (the planner's input, doc/planner.md) quoted an unknown
 * key raw in its message: a DEL or an escape sequence in a key reached
 * the terminal (fuzz_planner_input); and its depth check had the comment
 * hole of plan_json.c's. */
static void test_planner_input_messages(void **state)
{
    static const char bad_key[] = "{\"hosts\": [], \"vms\": [], "
                                  "\"x\\u001b[2J\\u007f\": 1}";
    static const char bad_name[] = "{\"hosts\": [], \"vms\": [{\"name\": "
                                   "\"m\\u007f1\", \"bogus\": 1}]}";
    char text[256];
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__pl_input in;
    int k, o;

    (void)state;
    bal__pl_input_init(&in);
    assert_int_equal(bal__pl_input_parse_json(ctx, "in.json", bad_key,
                                              strlen(bad_key), &in),
                     BAL_EINVAL);
    assert_int_equal(lg.nerrors, 1);
    assert_null(strchr(tu_last(&lg), 0x1b));
    assert_null(strchr(tu_last(&lg), 0x7f));
    assert_non_null(strstr(tu_last(&lg), "x?[2J?"));
    bal__pl_input_dispose(&in);

    /* The VM's name, shown as where the fault is, is quoted too. */
    bal__pl_input_init(&in);
    assert_int_equal(bal__pl_input_parse_json(ctx, "in.json", bad_name,
                                              strlen(bad_name), &in),
                     BAL_EINVAL);
    assert_null(strchr(tu_last(&lg), 0x7f));
    assert_non_null(strstr(tu_last(&lg), "(m?1)"));
    bal__pl_input_dispose(&in);

    o = snprintf(text, sizeof(text), "/* \" */ {\"x\": ");
    for (k = 0; k < 20; k++) text[o++] = '[';
    for (k = 0; k < 20; k++) text[o++] = ']';
    snprintf(text + o, sizeof(text) - (size_t)o, "}");
    bal__pl_input_init(&in);
    assert_int_equal(bal__pl_input_parse_json(ctx, "in.json", text,
                                              strlen(text), &in),
                     BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "in.json: nested deeper than 16");
    bal__pl_input_dispose(&in);
    bal_ctx_free(ctx);
}

/* ---- offline planning (plan --cluster FILE) ---------------------------------
 * Once the planner's input could come from the command line,
 * fuzz_planner_input planned what it read, through
 * bal__plan_cluster_text as bal_plan_cluster does. */

#define CL_HOST(n) "{\"name\": \"" n "\", \"pcpus\": 1, " \
    "\"disk_Bps\": 15732481, \"free_kb\": 1568768}"
#define CL_VM(n, h, t, d) "{\"name\": \"" n "\", \"host\": \"" h "\", " \
    "\"type\": \"" t "\", " d ", \"vcpus\": 1, \"mem_kb\": 1048576}"
#define CLUSTER(v1, v2, v3, v4) "{\"hosts\": [" CL_HOST("HostA") ", " \
    CL_HOST("HostB") "], \"vms\": [" v1 ", " v2 ", " v3 ", " v4 "]}"

/* plan_report.c's k_num wrote "%.*f" into 64 bytes and handed yajl
 * snprintf's return value as the length (plan_json.c's fault 3 again): a
 * cluster file's "cpu": 1e300 made `plan --cluster --json' read far past
 * the buffer.  A live status never estimated such a demand. */
static void test_plan_report_huge_demand(void **state)
{
    static const char text[] = CLUSTER(
        CL_VM("vm1", "HostA", "io", "\"io_Bps\": \"max\""),
        CL_VM("vm3", "HostA", "io", "\"io_Bps\": \"max\""),
        CL_VM("vm2", "HostB", "cpu", "\"cpu\": 1e300"),
        CL_VM("vm4", "HostB", "cpu", "\"cpu\": 1"));
    const char *path[] = { "vms", NULL };
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_plan_options o;
    bal_plan_report *r = NULL;
    yajl_val top, vms;
    char *json = NULL, ebuf[128], *t;
    size_t n, i;
    bool seen = false;

    (void)state;
    t = exact(text, &n);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal__plan_cluster_text(ctx, "c.json", t, n, &o, &r), 0);
    assert_int_equal(bal_plan_report_json(r, &json), 0);
    top = yajl_tree_parse(json, ebuf, sizeof(ebuf));
    assert_non_null(top);
    vms = yajl_tree_get(top, path, yajl_t_array);
    assert_non_null(vms);
    for (i = 0; i < vms->u.array.len; i++) {
        const char *np[] = { "vm", NULL }, *cp[] = { "cpu_demand", NULL };
        yajl_val nm = yajl_tree_get(vms->u.array.values[i], np, yajl_t_string);
        yajl_val c = yajl_tree_get(vms->u.array.values[i], cp, yajl_t_number);

        assert_non_null(nm);
        if (strcmp(nm->u.string, "vm2")) continue;
        assert_non_null(c);
        assert_true(fabs(YAJL_GET_DOUBLE(c) / 1e300 - 1) < 1e-12);
        seen = true;
    }
    assert_true(seen);
    yajl_tree_free(top);
    free(json);
    free(t);
    bal_plan_report_free(r);
    bal_ctx_free(ctx);
}

/* Every line, debug included, with its control characters. */
typedef struct all_log {
    int nlines, ndirty;
} all_log;

static void all_log_fn(void *opaque, bal_log_level level, const char *msg)
{
    all_log *a = opaque;
    const unsigned char *p;

    (void)level;
    a->nlines++;
    for (p = (const unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            a->ndirty++;
            break;
        }
}

/* The planner quotes names as they are, in its debug lines ("planner:
 * move NAME ...") and its refusals: a live cluster's are clean (the
 * samples' readers see to it), a cluster file's may hold any character,
 * and an escape sequence reached the terminal under -vv
 * (fuzz_planner_input).  bal_plan_cluster's sink shows them as '?'. */
static void test_plan_cluster_names_clean(void **state)
{
    static const char text[] = CLUSTER(
        CL_VM("v\\u001b[2J1", "HostA", "io", "\"io_Bps\": \"max\""),
        CL_VM("vm3", "HostA", "io", "\"io_Bps\": \"max\""),
        CL_VM("v\\u007f2", "HostB", "cpu", "\"cpu\": 1"),
        CL_VM("vm4", "HostB", "cpu", "\"cpu\": 1"));
    all_log a = { 0, 0 };
    bal_ctx *ctx = NULL;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    size_t n;
    char *t = exact(text, &n);

    (void)state;
    assert_int_equal(bal_ctx_alloc(all_log_fn, &a, BAL_LOG_DEBUG, &ctx), 0);
    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    assert_int_equal(bal__plan_cluster_text(ctx, "c.json", t, n, &o, &r), 0);
    assert_int_equal(bal_plan_report_num_moves(r), 2);
    assert_true(a.nlines >= 2);         /* the moves, at debug */
    assert_int_equal(a.ndirty, 0);
    free(t);
    bal_plan_report_free(r);
    bal_ctx_free(ctx);
}

/* ---- the configuration's trust ---------------------------------------------
 * bal_config_load read any file it was pointed at: one that others may
 * write (or replace in its directory) names the commands xl-balance runs
 * as root to reach its peers. */

static char *mkdir_tmp(mode_t mode)
{
    char *d = strdup("/tmp/bal-regress-XXXXXX");

    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    assert_int_equal(chmod(d, mode), 0);
    return d;
}

static char *put(const char *dir, const char *name, const char *text,
                 mode_t mode)
{
    char *path;
    FILE *f;

    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static int load(tu_log *lg, const char *path, bal_config **cfg_r)
{
    bal_ctx *ctx = tu_ctx(lg);
    int rc;

    assert_int_equal(bal_config_alloc(cfg_r), 0);
    rc = bal_config_load(ctx, *cfg_r, path, true);
    bal_ctx_free(ctx);
    return rc;
}

static void expect_refused(const char *path, const char *want)
{
    tu_log lg;
    bal_config *cfg;

    assert_int_equal(load(&lg, path, &cfg), BAL_ECONFIG);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(bal_config_samples(cfg), 3);    /* the default */
    bal_config_free(cfg);
}

static void expect_loaded(const char *path)
{
    tu_log lg;
    bal_config *cfg;

    assert_int_equal(load(&lg, path, &cfg), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_int_equal(bal_config_samples(cfg), 4);
    bal_config_free(cfg);
}

static void test_config_trust(void **state)
{
    char *dir = mkdir_tmp(0700), *open_dir = mkdir_tmp(0777);
    char *sticky = mkdir_tmp(01777), *good, *others, *group, *in_open;
    char *in_sticky, *link = NULL, want[512];

    (void)state;
    good = put(dir, "good.conf", "sample_count = 4\n", 0644);
    others = put(dir, "others.conf", "sample_count = 4\n", 0666);
    group = put(dir, "group.conf", "sample_count = 4\n", 0660);
    in_open = put(open_dir, "x.conf", "sample_count = 4\n", 0600);
    in_sticky = put(sticky, "x.conf", "sample_count = 4\n", 0600);

    expect_loaded(good);
    expect_loaded(in_sticky);     /* /tmp: only the owner may replace it */
    snprintf(want, sizeof(want), "%s: configuration file is writable by "
             "group or others (mode 0666); refused: chmod go-w it", others);
    expect_refused(others, want);
    snprintf(want, sizeof(want), "%s: configuration file is writable by "
             "group or others (mode 0660); refused: chmod go-w it", group);
    expect_refused(group, want);
    snprintf(want, sizeof(want), "%s: the directory %s is writable by group "
             "or others (mode 0777); refused: chmod go-w it", in_open,
             open_dir);
    expect_refused(in_open, want);

    /* A link from a safe directory into an open one: the file can still
     * be swapped where it really is. */
    assert_true(asprintf(&link, "%s/link.conf", dir) > 0);
    assert_int_equal(symlink(in_open, link), 0);
    snprintf(want, sizeof(want), "%s: the directory %s is writable by group "
             "or others (mode 0777); refused: chmod go-w it", link, open_dir);
    expect_refused(link, want);

    if (geteuid() == 0) {
        /* As root, a file or directory of another user is refused. */
        char *theirs = mkdir_tmp(0755), *in_theirs, *not_root;

        not_root = put(dir, "notroot.conf", "sample_count = 4\n", 0644);
        assert_int_equal(chown(not_root, 4242, 0), 0);
        snprintf(want, sizeof(want), "%s: configuration file belongs to uid "
                 "4242, not to root; refused", not_root);
        expect_refused(not_root, want);
        in_theirs = put(theirs, "x.conf", "sample_count = 4\n", 0644);
        assert_int_equal(chown(theirs, 4242, 0), 0);
        snprintf(want, sizeof(want), "%s: the directory %s belongs to uid "
                 "4242, not to root; refused", in_theirs, theirs);
        expect_refused(in_theirs, want);
        unlink(not_root);
        unlink(in_theirs);
        rmdir(theirs);
        free(not_root);
        free(in_theirs);
        free(theirs);
    }

    unlink(link);
    unlink(good);
    unlink(others);
    unlink(group);
    unlink(in_open);
    unlink(in_sticky);
    rmdir(dir);
    rmdir(open_dir);
    rmdir(sticky);
    free(link);
    free(good);
    free(others);
    free(group);
    free(in_open);
    free(in_sticky);
    free(dir);
    free(open_dir);
    free(sticky);
}

/* bal__config_load_data (the fuzzer's way in) reads bytes as the file
 * would be read, messages included; and a value that is not UTF-8 was
 * shown raw in its message: bytes past ASCII are now escaped. */
static void test_config_data(void **state)
{
    static const char text[] = "sample_count = 5\nlocal_host = \"caf\xe9\"\n";
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg;

    (void)state;
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal__config_load_data(ctx, cfg, "mem.conf", text, 17),
                     0);
    assert_int_equal(bal_config_samples(cfg), 5);
    assert_int_equal(bal__config_load_data(ctx, cfg, "mem.conf", text,
                                           sizeof(text) - 1), BAL_ECONFIG);
    assert_string_equal(tu_last(&lg), "mem.conf:2: local_host: `caf\\xe9' "
                        "is not a host name (letters, digits, '.', '-', '_' "
                        "and ':' only)");
    assert_int_equal(bal_config_samples(cfg), 5);    /* unchanged */
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* The transport may turn off ssh's host key check: said, once per
 * option, with the line (doc/security.md); the file is still read. */
static void test_config_host_key_warning(void **state)
{
    static const char text[] =
        "transport = [\"ssh\", \"-o\", \"BatchMode=yes\",\n"
        "  \"-o\", \"stricthostkeychecking off\", "
        "\"-oUserKnownHostsFile=/dev/null\"]\n";
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg;

    (void)state;
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal__config_load_data(ctx, cfg, "t.conf", text,
                                           sizeof(text) - 1), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_string_equal(lg.buf,
        "t.conf:1: transport: `stricthostkeychecking off' turns off ssh's "
        "host key check: whoever answers for a peer's name gets the VMs "
        "migrated there and feeds us its samples; put the peers' keys in "
        "known_hosts instead\n"
        "t.conf:1: transport: `-oUserKnownHostsFile=/dev/null' turns off "
        "ssh's host key check: whoever answers for a peer's name gets the "
        "VMs migrated there and feeds us its samples; put the peers' keys "
        "in known_hosts instead");
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* bal__read_file (scenarios, traces, plan files) opened with fopen: a
 * FIFO named by mistake hung the run until something wrote to it, and a
 * directory gave "read error". */
static void test_read_file_not_regular(void **state)
{
    char *dir = mkdir_tmp(0700), *fifo, want[512], *buf = NULL;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    size_t len = 0;

    (void)state;
    assert_true(asprintf(&fifo, "%s/fifo", dir) > 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(bal__read_file(ctx, fifo, 1024, &buf, &len), BAL_EIO);
    snprintf(want, sizeof(want), "%s: cannot read: not a regular file", fifo);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(bal__read_file(ctx, dir, 1024, &buf, &len), BAL_EIO);
    snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
    assert_string_equal(tu_last(&lg), want);
    assert_null(buf);
    unlink(fifo);
    rmdir(dir);
    free(fifo);
    free(dir);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_reads_only_len),
        cmocka_unit_test(test_plan_depth_behind_comment),
        cmocka_unit_test(test_plan_reason_is_text),
        cmocka_unit_test(test_plan_huge_gain_rate),
        cmocka_unit_test(test_planner_input_messages),
        cmocka_unit_test(test_plan_report_huge_demand),
        cmocka_unit_test(test_plan_cluster_names_clean),
        cmocka_unit_test(test_config_trust),
        cmocka_unit_test(test_config_data),
        cmocka_unit_test(test_config_host_key_warning),
        cmocka_unit_test(test_read_file_not_regular),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
