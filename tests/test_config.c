/*
 * test_config.c - the configuration: defaults, the key table, a file
 * setting every key, each kind of bad file with its exact one-line error
 * (and the configuration left as it was), the shipped xl-balance.conf and
 * doc/config.md against the table, and the setters' ranges.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "base/config.h"

/* ---- helpers ------------------------------------------------------------- */

static void assert_strv_equal(char **v, int n, const char *const *want)
{
    int i;

    for (i = 0; want[i]; i++) {
        assert_true(i < n);
        assert_non_null(v[i]);
        assert_string_equal(v[i], want[i]);
    }
    assert_int_equal(n, i);
    assert_null(v[n]);
}

static bool strv_equal(char **a, int na, char **b, int nb)
{
    int i;

    if (na != nb) return false;
    for (i = 0; i < na; i++)
        if (strcmp(a[i], b[i])) return false;
    return a[na] == NULL && b[nb] == NULL;
}

static bool str_equal(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcmp(a, b);
}

/* Every field of two configurations, by value. */
static void assert_config_equal(const struct bal_config *a,
                                const struct bal_config *b)
{
    int i;

    assert_true(str_equal(a->source, b->source));
    assert_true(strv_equal(a->hosts, a->nhosts, b->hosts, b->nhosts));
    assert_true(str_equal(a->local_host, b->local_host));
    assert_true(strv_equal(a->transport, a->ntransport, b->transport,
                           b->ntransport));
    assert_true(strv_equal(a->peer_command, a->npeer_command,
                           b->peer_command, b->npeer_command));
    assert_true(a->peer_timeout == b->peer_timeout);
    assert_int_equal(a->peer_parallel, b->peer_parallel);
    assert_true(a->interval == b->interval);
    assert_int_equal(a->samples, b->samples);
    assert_true(a->disk_Bps == b->disk_Bps);
    assert_true(a->disk_iops == b->disk_iops);
    assert_true(a->net_Bps == b->net_Bps);
    for (i = 0; i < BAL_NRES; i++) {
        assert_true(a->classify.high[i] == b->classify.high[i]);
        assert_true(a->classify.low[i] == b->classify.low[i]);
    }
    assert_true(a->classify.alpha == b->classify.alpha);
    assert_int_equal(a->classify.hold, b->classify.hold);
    assert_true(a->classify.window == b->classify.window);
    assert_string_equal(bal__config_state_dir(a), bal__config_state_dir(b));
    assert_string_equal(bal__config_lock_file(a), bal__config_lock_file(b));
    assert_true(a->horizon_s == b->horizon_s);
    assert_int_equal(a->max_moves, b->max_moves);
    assert_true(strv_equal(a->pinned, a->npinned, b->pinned, b->npinned));
    assert_true(strv_equal(a->anti_affinity, a->nanti_affinity,
                           b->anti_affinity, b->nanti_affinity));
    assert_true(strv_equal(a->drained, a->ndrained, b->drained, b->ndrained));
    assert_true(strv_equal(a->storage, a->nstorage, b->storage, b->nstorage));
    assert_true(a->cooldown_s == b->cooldown_s);
    assert_true(a->pingpong_s == b->pingpong_s);
    assert_true(a->migcpu == b->migcpu);
    assert_true(a->rtt_ms == b->rtt_ms);
    assert_int_equal(a->max_per_host, b->max_per_host);
    assert_int_equal(a->max_per_link, b->max_per_link);
    assert_int_equal(a->link_history, b->link_history);
    assert_true(a->dirty_Bps == b->dirty_Bps);
}

static void assert_defaults(const struct bal_config *c)
{
    static const char *const transport[] = { "ssh", "-o", "BatchMode=yes",
                                             NULL };
    static const char *const peer[] = { "xl-balance", "sample", "--json",
                                        "--local", NULL };
    static const char *const none[] = { NULL };

    assert_non_null(c->hosts);
    assert_strv_equal(c->hosts, c->nhosts, none);
    assert_null(c->local_host);
    assert_strv_equal(c->transport, c->ntransport, transport);
    assert_strv_equal(c->peer_command, c->npeer_command, peer);
    assert_true(c->peer_timeout == 30);
    assert_int_equal(c->peer_parallel, 8);
    assert_true(c->interval == 5);
    assert_int_equal(c->samples, 3);
    assert_true(c->disk_Bps == 100e6);
    assert_true(c->disk_iops == 2000);
    assert_true(c->net_Bps == 125e6);
    assert_true(c->classify.high[BAL_RES_CPU] == 0.25);
    assert_true(c->classify.low[BAL_RES_CPU] == 0.02);
    assert_true(c->classify.high[BAL_RES_IO] == 0.05);
    assert_true(c->classify.low[BAL_RES_IO] == 0.005);
    assert_true(c->classify.high[BAL_RES_NET] == 0.1);
    assert_true(c->classify.low[BAL_RES_NET] == 0.01);
    assert_true(c->classify.alpha == 0.5);
    assert_int_equal(c->classify.hold, 3);
    assert_true(c->classify.window == 1800);
    assert_string_equal(bal__config_state_dir(c), "/var/lib/xl-balance");
    assert_string_equal(bal__config_lock_file(c), "/run/xl-balance/lock");
    assert_true(c->horizon_s == 3600);
    assert_int_equal(c->max_moves, 8);
    assert_strv_equal(c->pinned, c->npinned, none);
    assert_strv_equal(c->anti_affinity, c->nanti_affinity, none);
    assert_strv_equal(c->drained, c->ndrained, none);
    assert_strv_equal(c->storage, c->nstorage, none);
    assert_true(c->cooldown_s == 900);
    assert_true(c->pingpong_s == 86400);
    assert_true(c->migcpu == 0.00959);
    assert_true(c->rtt_ms == 4);
    assert_int_equal(c->max_per_host, 1);
    assert_int_equal(c->max_per_link, 1);
    assert_int_equal(c->link_history, 5);
    assert_true(c->dirty_Bps == 0);
}

/* A configuration that is not the defaults, to see that a failed load
 * leaves it exactly as it was. */
static const char GOOD_BASE[] =
    "hosts = [\"h1\", \"h2\"]\n"
    "local_host = \"h1\"\n"
    "sample_count = 7\n"
    "cpu_high = \"0.5\"\n";

static bal_config *base_config(void)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    char *path = tu_tmpfile(GOOD_BASE);

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_int_equal(cfg->samples, 7);
    unlink(path);
    free(path);
    bal_ctx_free(ctx);
    return cfg;
}

/* Loads text over a non-default configuration: it must fail with
 * BAL_ECONFIG, log exactly one error, "PATH" followed by want_tail, and
 * leave the configuration as it was. */
static void expect_bad(const char *text, const char *want_tail)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = base_config();
    struct bal_config before;
    char *path = tu_tmpfile(text), want[1024];

    assert_int_equal(bal__config_copy(&before, cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, true), BAL_ECONFIG);
    snprintf(want, sizeof(want), "%s%s", path, want_tail);
    assert_string_equal(lg.buf, want);
    assert_int_equal(lg.nerrors, 1);
    assert_config_equal(cfg, &before);

    bal__config_dispose(&before);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
    unlink(path);
    free(path);
}

/* ---- defaults and the table ------------------------------------------------ */

static void test_defaults(void **state)
{
    bal_config *cfg = NULL;
    struct bal_config c;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_null(cfg->source);
    assert_defaults(cfg);
    assert_true(bal_config_interval(cfg) == 5);
    assert_int_equal(bal_config_samples(cfg), 3);
    bal_config_free(cfg);
    bal_config_free(NULL);
    assert_int_equal(bal_config_alloc(NULL), BAL_EINVAL);

    bal__config_defaults(&c);
    assert_defaults(&c);
    bal__config_dispose(&c);
    bal__config_dispose(&c);    /* twice is harmless */
}

/* Each number's default is in its range and is what its text says. */
static void test_table(void **state)
{
    int i, j;

    assert_int_equal(bal__config_nkeys, 43);
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];

        assert_ptr_equal(bal__config_key_find(k->name), k);
        assert_non_null(k->doc);
        assert_non_null(k->range);
        for (j = 0; j < i; j++)
            assert_string_not_equal(bal__config_keys[j].name, k->name);
        if (k->type == BAL__CK_INT || k->type == BAL__CK_REAL) {
            const char *t = k->def;
            char *end;

            assert_non_null(t);
            if (*t == '"') t++;
            assert_true(strtod(t, &end) == k->defval);
            assert_true(*end == '\0' || !strcmp(end, "\""));
            assert_true(bal__config_key_in_range(k, k->defval));
            assert_false(bal__config_key_in_range(k, NAN));
            assert_false(bal__config_key_in_range(k, INFINITY));
            assert_false(bal__config_key_in_range(k, k->max * 2 + 1));
        }
    }
    assert_null(bal__config_key_find("nosuchkey"));

    assert_true(bal__config_host_valid("dom0-a.example.org"));
    assert_true(bal__config_host_valid("fe80::1"));
    assert_true(bal__config_host_valid("h_1"));
    assert_false(bal__config_host_valid(""));
    assert_false(bal__config_host_valid("-oProxyCommand=x"));
    assert_false(bal__config_host_valid("a b"));
    assert_false(bal__config_host_valid("a$(id)"));
}

/* A deep copy owns its lists; both can be disposed (valgrind, ASan). */
static void test_copy(void **state)
{
    bal_config *cfg = base_config();
    struct bal_config c;

    assert_int_equal(bal__config_copy(&c, cfg), 0);
    assert_config_equal(&c, cfg);
    assert_ptr_not_equal(c.hosts, cfg->hosts);
    assert_ptr_not_equal(c.local_host, cfg->local_host);
    bal_config_free(cfg);
    assert_string_equal(c.hosts[1], "h2");
    bal__config_dispose(&c);
}

/* ---- good files ------------------------------------------------------------ */

static const char EVERY_KEY[] =
    "# every key, in xl.conf syntax\n"
    "hosts = [ \"dom0-a\", 'dom0-b.example.org',  # a comment = x\n"
    "          \"10.0.0.3\",\n"
    "          \"fe80::1\", ]\n"
    "hosts += [\"dom0_e\"]\n"
    "local_host = \"dom0-a\"; peer_timeout = 12; peer_parallel = 32\n"
    "transport = [\"ssh\", \"-i\", \"/root/.ssh/bal key\", \"-l\", \"root\"]\n"
    "peer_command = [\"/usr/sbin/xl-balance\", \"sample\", \"--json\",\n"
    "                \"--local\", \"# not a comment; nor = this\"]\n"
    "sample_interval = \"0.5\"\n"
    "sample_count = 10\n"
    "disk_mbps = 250\n"
    "disk_iops = \"1e4\"\n"
    "net_mbps = 10000\n"
    "cpu_high = \"0.4\"\n"
    "cpu_low = '0.05'\n"
    "io_high = \"0.1\"\n"
    "io_low = \"0.01\"\n"
    "net_high = \"0.3\"\n"
    "net_low = \"0.03\"\n"
    "ewma_alpha = 1\n"
    "classify_hold = 4\n"
    "state_dir = \"/srv/xl-balance state\"\n"
    "lock_file = '/run/lock/xl-balance.lock'\n"
    "horizon = 7200\n"
    "max_moves = 0\n"
    "pinned = [\"db1\", \"6a5392d4-674b-819d-9eda-d84a8adf302c\"]\n"
    "anti_affinity = [\"web1,web2\", \" dns1 , dns2,dns3 \"]\n"
    "drained = [\"dom0-c\", \"fe80::2\"]\n"
    "storage = [\"dom0-a:san1\", \"fe80::1:san1,san-2\"]\n"
    "cooldown = 0\n"
    "pingpong_window = \"1.5\"\n"
    "migcpu = \"0.02\"\n"
    "rtt_ms = 64\n"
    "max_per_host = 2\n"
    "max_per_link = 3\n"
    "dirty_mbps = \"2.5\"\n"
    "link_history = 0\n";

static void test_every_key(void **state)
{
    static const char *const hosts[] = { "dom0-a", "dom0-b.example.org",
        "10.0.0.3", "fe80::1", "dom0_e", NULL };
    static const char *const transport[] = { "ssh", "-i",
        "/root/.ssh/bal key", "-l", "root", NULL };
    static const char *const peer[] = { "/usr/sbin/xl-balance", "sample",
        "--json", "--local", "# not a comment; nor = this", NULL };
    static const char *const pinned[] = { "db1",
        "6a5392d4-674b-819d-9eda-d84a8adf302c", NULL };
    static const char *const anti[] = { "web1,web2", " dns1 , dns2,dns3 ",
                                        NULL };
    static const char *const drained[] = { "dom0-c", "fe80::2", NULL };
    static const char *const storage[] = { "dom0-a:san1",
                                           "fe80::1:san1,san-2", NULL };
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    char *path = tu_tmpfile(EVERY_KEY);

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_string_equal(cfg->source, path);
    assert_strv_equal(cfg->hosts, cfg->nhosts, hosts);
    assert_string_equal(cfg->local_host, "dom0-a");
    assert_string_equal(bal__config_state_dir(cfg), "/srv/xl-balance state");
    assert_string_equal(bal__config_lock_file(cfg),
                        "/run/lock/xl-balance.lock");
    assert_strv_equal(cfg->transport, cfg->ntransport, transport);
    assert_strv_equal(cfg->peer_command, cfg->npeer_command, peer);
    assert_true(cfg->peer_timeout == 12);
    assert_int_equal(cfg->peer_parallel, 32);
    assert_true(cfg->interval == 0.5);
    assert_true(bal_config_interval(cfg) == 0.5);
    assert_int_equal(cfg->samples, 10);
    assert_int_equal(bal_config_samples(cfg), 10);
    assert_true(cfg->disk_Bps == 250e6);
    assert_true(cfg->disk_iops == 1e4);
    assert_true(cfg->net_Bps == 10000e6 / 8);
    assert_true(cfg->classify.high[BAL_RES_CPU] == 0.4);
    assert_true(cfg->classify.low[BAL_RES_CPU] == 0.05);
    assert_true(cfg->classify.high[BAL_RES_IO] == 0.1);
    assert_true(cfg->classify.low[BAL_RES_IO] == 0.01);
    assert_true(cfg->classify.high[BAL_RES_NET] == 0.3);
    assert_true(cfg->classify.low[BAL_RES_NET] == 0.03);
    assert_true(cfg->classify.alpha == 1);
    assert_int_equal(cfg->classify.hold, 4);
    assert_true(cfg->horizon_s == 7200);
    assert_int_equal(cfg->max_moves, 0);
    assert_strv_equal(cfg->pinned, cfg->npinned, pinned);
    assert_strv_equal(cfg->anti_affinity, cfg->nanti_affinity, anti);
    assert_strv_equal(cfg->drained, cfg->ndrained, drained);
    assert_strv_equal(cfg->storage, cfg->nstorage, storage);
    assert_true(cfg->cooldown_s == 0);
    assert_true(cfg->pingpong_s == 1.5);
    assert_true(cfg->migcpu == 0.02);
    assert_true(cfg->rtt_ms == 64);
    assert_int_equal(cfg->max_per_host, 2);
    assert_int_equal(cfg->max_per_link, 3);
    assert_int_equal(cfg->link_history, 0);
    assert_true(cfg->dirty_Bps == 2.5e6);

    bal_config_free(cfg);
    bal_ctx_free(ctx);
    unlink(path);
    free(path);
}

/* A file is read over the configuration: keys it does not set keep their
 * values, from defaults or from an earlier file. */
static void test_layered(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = base_config();
    char *path = tu_tmpfile("sample_count = 4\n");

    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_int_equal(cfg->samples, 4);
    assert_int_equal(cfg->nhosts, 2);
    assert_string_equal(cfg->local_host, "h1");
    assert_true(cfg->classify.high[BAL_RES_CPU] == 0.5);
    assert_string_equal(cfg->source, path);

    bal_config_free(cfg);
    bal_ctx_free(ctx);
    unlink(path);
    free(path);
}

static void test_empty_and_missing(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    char *path = tu_tmpfile("# nothing set\n\n;\n");

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_defaults(cfg);
    assert_string_equal(cfg->source, path);
    unlink(path);
    bal_config_free(cfg);

    /* Missing but optional: the defaults, no error, no source. */
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, false), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_defaults(cfg);
    assert_null(cfg->source);
    assert_int_equal(bal_config_load(ctx, NULL, path, false), BAL_EINVAL);
    assert_int_equal(bal_config_load(ctx, cfg, NULL, false), BAL_EINVAL);
    bal_config_free(cfg);

    bal_ctx_free(ctx);
    free(path);
}

/* ---- bad files -------------------------------------------------------------- */

static void test_bad_syntax(void **state)
{
    expect_bad("sample_count = 3\nsample_count\n",
               ":2: config parsing error near <newline>: syntax error, "
               "unexpected NEWLINE, expecting += or '='");
    /* libxlutil says line 0 here; the value is missing on line 1. */
    expect_bad("hosts =\n[\"a\"]\n",
               ":1: config parsing error near <newline>: syntax error, "
               "unexpected NEWLINE, expecting STRING or NUMBER or '['");
    expect_bad("sample_count = 3\n\n\nhosts = [\"a\"\n",
               ":4: config parsing error near `': syntax error, unexpected "
               "$end, expecting ']'");
    expect_bad("# c\nLocal_host = \"a\"\n",
               ":2: config parsing error near `Local_host': lexical error");
    expect_bad("hosts = [\"a\"]\r\n",
               ":1: config parsing error near `\\r': lexical error");
    /* A bare decimal is a lexical error in xl's syntax: say what to do. */
    expect_bad("cpu_high = 0.25\n",
               ":1: config parsing error near `.25': lexical error (write "
               "decimals in quotes, as in cpu_high = \"0.25\")");
    /* += of a list to a string: libxlutil's own check. */
    expect_bad("hosts = \"a\"\nhosts += [\"b\"]\n",
               ":2: config parsing error near `]': can't add [list] to "
               "\"string\" or vice versa");
}

static void test_bad_keys(void **state)
{
    expect_bad("hosts = [\"a\"]\n\nsample_cont = 3\n",
               ":3: unknown key `sample_cont' (did you mean `sample_count'?)");
    expect_bad("interval = 3\n",
               ":1: unknown key `interval' (did you mean `sample_interval'?)");
    expect_bad("hosts = [\"a\",\n \"b\"]\nfrobnicate = 1\n",
               ":3: unknown key `frobnicate'");
    expect_bad("# x\nsample_count = 3\nhosts = []\n\n"
               "sample_count = 4\n",
               ":5: sample_count is set again (first set on line 2)");
    expect_bad("hosts = [\"a\"]\nhosts += [\"b\"]\nhosts = [\"c\"]\n",
               ":3: hosts is set again (first set on line 1)");
    expect_bad("sample_count = 3\nsample_count += 4\n",
               ":2: sample_count: `+=' only adds to lists; use `='");
}

static void test_bad_types(void **state)
{
    expect_bad("local_host = [\"a\"]\n",
               ":1: local_host must be a single string, not a list");
    expect_bad("\nhosts = \"a\"\n",
               ":2: hosts must be a list, as in hosts = [\"...\"]");
    expect_bad("sample_count = [3]\n",
               ":1: sample_count must be a number, not a list");
    expect_bad("hosts = [[\"a\"], \"b\"]\n",
               ":1: hosts: entry 1 is a list, not a string");
}

static void test_bad_numbers(void **state)
{
    expect_bad("sample_count = 5x\n", ":1: sample_count: `5x' is not a number");
    expect_bad("sample_count = 0x10\n",
               ":1: sample_count: `0x10' is not a number");
    expect_bad("disk_mbps = \"inf\"\n", ":1: disk_mbps: `inf' is not a number");
    expect_bad("disk_mbps = \"nan\"\n", ":1: disk_mbps: `nan' is not a number");
    expect_bad("disk_mbps = \" 5\"\n", ":1: disk_mbps: ` 5' is not a number");
    expect_bad("disk_mbps = \"\"\n", ":1: disk_mbps: `' is not a number");
    expect_bad("disk_mbps = \"1e999\"\n",
               ":1: disk_mbps: `1e999' is not a number");
    expect_bad("sample_count = \"2.5\"\n",
               ":1: sample_count: `2.5' is not a whole number");
    expect_bad("sample_count = 1001\n",
               ":1: sample_count: 1001 is out of range (2 to 1000)");
    expect_bad("sample_count = 1\n",
               ":1: sample_count: 1 is out of range (2 to 1000)");
    expect_bad("sample_interval = 0\n",
               ":1: sample_interval: 0 is out of range (0.001 to 3600)");
    /* Below the command line's -i minimum, where every rate was skipped:
     * one table holds both to one range. */
    expect_bad("sample_interval = \"0.0001\"\n",
               ":1: sample_interval: 0.0001 is out of range (0.001 to 3600)");
    expect_bad("sample_interval = 3601\n",
               ":1: sample_interval: 3601 is out of range (0.001 to 3600)");
    expect_bad("peer_timeout = \"0.5\"\n",
               ":1: peer_timeout: 0.5 is out of range (1 to 3600)");
    /* 0 would ask nobody; past 256, a process and a connection each. */
    expect_bad("peer_parallel = 0\n",
               ":1: peer_parallel: 0 is out of range (1 to 256)");
    expect_bad("peer_parallel = 257\n",
               ":1: peer_parallel: 257 is out of range (1 to 256)");
    expect_bad("peer_parallel = \"2.5\"\n",
               ":1: peer_parallel: `2.5' is not a whole number");
    expect_bad("disk_iops = 0\n",
               ":1: disk_iops: 0 is out of range (more than 0, at most "
               "1000000000)");
    expect_bad("cpu_high = \"1.5\"\n",
               ":1: cpu_high: 1.5 is out of range (0 to 1, above cpu_low)");
    expect_bad("io_low = \"-0.1\"\n",
               ":1: io_low: -0.1 is out of range (0 to 1, below io_high)");
    expect_bad("ewma_alpha = 0\n",
               ":1: ewma_alpha: 0 is out of range (more than 0, at most 1)");
    expect_bad("classify_hold = 101\n",
               ":1: classify_hold: 101 is out of range (1 to 100)");
}

static void test_bad_thresholds(void **state)
{
    /* Against the other's value (base config: cpu_high 0.5). */
    expect_bad("cpu_low = \"0.5\"\n",
               ":1: cpu_low (0.5) must be below cpu_high (0.5)");
    expect_bad("io_low = \"0.2\"\nsample_count = 3\nio_high = \"0.1\"\n",
               ":3: io_low (0.2) must be below io_high (0.1)");
    expect_bad("io_high = \"0.001\"\n",
               ":1: io_low (0.005) must be below io_high (0.001)");
    expect_bad("net_high = \"0.01\"\n",
               ":1: net_low (0.01) must be below net_high (0.01)");
    expect_bad("net_low = \"2\"\n",
               ":1: net_low: 2 is out of range (0 to 1, below net_high)");
}

static void test_bad_hosts(void **state)
{
    char text[400], want[400];

    expect_bad("hosts = [\"a\", \"\"]\n", ":1: hosts: entry 2 is empty");
    expect_bad("hosts = [\"a;rm -rf /\"]\n",
               ":1: hosts: `a;rm -rf /' is not a host name (letters, digits, "
               "'.', '-', '_' and ':' only)");
    expect_bad("hosts = [\"a\", \"$(reboot)\"]\n",
               ":1: hosts: `$(reboot)' is not a host name (letters, digits, "
               "'.', '-', '_' and ':' only)");
    expect_bad("hosts = [\"a\\nb\"]\n",
               ":1: hosts: `a\\nb' is not a host name (letters, digits, "
               "'.', '-', '_' and ':' only)");
    expect_bad("hosts = [\"-oProxyCommand=sh\"]\n",
               ":1: hosts: `-oProxyCommand=sh' is not a host name (it starts "
               "with '-')");
    expect_bad("hosts = [\"a\", \"b\",\n  \"a\"]\n",
               ":1: hosts: `a' is listed twice");
    expect_bad("local_host = \"\"\n", ":1: local_host is empty");
    expect_bad("local_host = \"x y\"\n",
               ":1: local_host: `x y' is not a host name (letters, digits, "
               "'.', '-', '_' and ':' only)");

    snprintf(text, sizeof(text), "hosts = [\"a\", \"%0256d\"]\n", 0);
    snprintf(want, sizeof(want), ":1: hosts: entry 2 is longer than 255 "
             "characters");
    expect_bad(text, want);
    /* 255 is fine. */
    {
        tu_log lg;
        bal_ctx *ctx = tu_ctx(&lg);
        bal_config *cfg = NULL;
        char *path;

        snprintf(text, sizeof(text), "hosts = [\"%0255d\"]\n", 0);
        path = tu_tmpfile(text);
        assert_int_equal(bal_config_alloc(&cfg), 0);
        assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
        assert_int_equal(strlen(cfg->hosts[0]), 255);
        bal_config_free(cfg);
        bal_ctx_free(ctx);
        unlink(path);
        free(path);
    }
}

static void test_bad_commands(void **state)
{
    expect_bad("transport = []\n", ":1: transport must not be an empty list");
    expect_bad("peer_command = []\n",
               ":1: peer_command must not be an empty list");
    expect_bad("transport = [\"ssh\", \"\"]\n",
               ":1: transport: entry 2 is empty");
    expect_bad("transport = \"ssh\"\n",
               ":1: transport must be a list, as in transport = [\"...\"]");
    expect_bad("notify_command = \"mail root\"\n",
               ":1: notify_command must be a list, as in notify_command = "
               "[\"...\"]");
    expect_bad("notify_command = [\"\"]\n",
               ":1: notify_command: entry 1 is empty");
    expect_bad("notify_timeout = 0\n",
               ":1: notify_timeout: 0 is out of range (1 to 3600)");
}

/* metrics_textfile: "" or an absolute NAME.prom. */
static void test_promfile(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    char *path;

    expect_bad("metrics_textfile = \"x.prom\"\n",
               ":1: metrics_textfile: `x.prom' is not an absolute path");
    expect_bad("metrics_textfile = \"/d/x.txt\"\n",
               ":1: metrics_textfile: `/d/x.txt' is not named NAME.prom "
               "(node_exporter's textfile collector reads *.prom only)");
    expect_bad("metrics_textfile = \"/d/.prom\"\n",
               ":1: metrics_textfile: `/d/.prom' is not named NAME.prom "
               "(node_exporter's textfile collector reads *.prom only)");
    expect_bad("metrics_textfile = \"/\"\n",
               ":1: metrics_textfile: `/' is not named NAME.prom "
               "(node_exporter's textfile collector reads *.prom only)");

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_null(cfg->metrics_textfile);
    path = tu_tmpfile("metrics_textfile = \"/d/x.prom\"\n"
                      "notify_command = [\"/bin/x\", \"-a\"]\n");
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_string_equal(cfg->metrics_textfile, "/d/x.prom");
    assert_int_equal(cfg->nnotify_command, 2);
    assert_string_equal(cfg->notify_command[1], "-a");
    assert_null(cfg->notify_command[2]);
    assert_true(cfg->notify_timeout == 30);
    unlink(path);
    free(path);
    path = tu_tmpfile("metrics_textfile = \"\"\n");
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_string_equal(cfg->metrics_textfile, "");
    unlink(path);
    free(path);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

/* The planner's keys: numbers out of range, and each list's own rules. */
static void test_bad_planner_keys(void **state)
{
    char text[400], want[400];
    char **v = NULL, host[BAL__HOST_MAX];
    int n = 0, i;

    expect_bad("horizon = 0\n",
               ":1: horizon: 0 is out of range (more than 0, at most "
               "31536000)");
    expect_bad("max_moves = \"-1\"\n",
               ":1: max_moves: -1 is out of range (0 to 10000)");
    expect_bad("max_moves = \"1.5\"\n",
               ":1: max_moves: `1.5' is not a whole number");
    expect_bad("cooldown = \"-1\"\n",
               ":1: cooldown: -1 is out of range (0 to 31536000)");
    expect_bad("pingpong_window = 31536001\n",
               ":1: pingpong_window: 31536001 is out of range (0 to "
               "31536000)");
    expect_bad("migcpu = 11\n", ":1: migcpu: 11 is out of range (0 to 10)");
    expect_bad("rtt_ms = \"-4\"\n",
               ":1: rtt_ms: -4 is out of range (0 to 10000)");
    expect_bad("max_per_host = 0\n",
               ":1: max_per_host: 0 is out of range (1 to 100)");
    expect_bad("max_per_link = 101\n",
               ":1: max_per_link: 101 is out of range (1 to 100)");
    expect_bad("dirty_mbps = \"-0.5\"\n",
               ":1: dirty_mbps: -0.5 is out of range (0 to 1000000)");
    expect_bad("link_history = 101\n",
               ":1: link_history: 101 is out of range (0 to 100)");
    expect_bad("link_history = \"-1\"\n",
               ":1: link_history: -1 is out of range (0 to 100)");
    expect_bad("horizon = [1]\n", ":1: horizon must be a number, not a list");

    /* pinned: VM names or UUIDs, each once. */
    expect_bad("pinned = \"vm1\"\n",
               ":1: pinned must be a list, as in pinned = [\"...\"]");
    expect_bad("pinned = [\"vm1\", \"\"]\n", ":1: pinned: entry 2 is empty");
    expect_bad("\npinned = [\"vm1\", \"vm2\",\n \"vm1\"]\n",
               ":2: pinned: `vm1' is listed twice");
    expect_bad("pinned = [\"a\\tb\"]\n",
               ":1: pinned: entry 1: `a?b' holds a control character");
    snprintf(text, sizeof(text), "pinned = [\"%0128d\"]\n", 0);
    snprintf(want, sizeof(want), ":1: pinned: entry 1: `%.76s...' is longer "
             "than 127 characters", "0000000000000000000000000000000000000"
             "000000000000000000000000000000000000000");
    expect_bad(text, want);

    /* anti_affinity: groups of two or more, a VM in one group. */
    expect_bad("anti_affinity = [\"vm1\"]\n",
               ":1: anti_affinity: entry 1: `vm1' is one VM; a group needs "
               "two or more, separated by commas");
    expect_bad("anti_affinity = [\"vm1,vm2\", \"vm3, vm1\"]\n",
               ":1: anti_affinity: `vm1' is in entries 1 and 2 (a VM may be "
               "in one group)");
    expect_bad("anti_affinity = [\"vm1,,vm2\"]\n",
               ":1: anti_affinity: entry 1: an empty VM name");
    expect_bad("anti_affinity = [\"vm1, vm2 ,vm1\"]\n",
               ":1: anti_affinity: entry 1: `vm1' is listed twice");
    expect_bad("anti_affinity = [\"vm1,vm2\", \" , \"]\n",
               ":1: anti_affinity: entry 2: an empty VM name");

    /* drained: host names. */
    expect_bad("drained = [\"a b\"]\n",
               ":1: drained: `a b' is not a host name (letters, digits, "
               "'.', '-', '_' and ':' only)");
    expect_bad("drained = [\"h1\", \"h1\"]\n",
               ":1: drained: `h1' is listed twice");

    /* storage: "host:storage,...", each host once, 31 storages at most. */
    expect_bad("storage = [\"h1\"]\n",
               ":1: storage: entry 1: `h1' is not HOST:STORAGE[,STORAGE...]");
    expect_bad("storage = [\"h1:s1\", \"a b:s1\"]\n",
               ":1: storage: entry 2: `a b' is not a host name");
    expect_bad("storage = [\":s1\"]\n",
               ":1: storage: entry 1: `' is not a host name");
    expect_bad("storage = [\"h1:s1\", \"h2:s1,s 2\"]\n",
               ":1: storage: entry 2: `s 2' is not a storage name (1 to 63 "
               "letters, digits, '.', '-' and '_')");
    expect_bad("storage = [\"h1:\"]\n",
               ":1: storage: entry 1: `' is not a storage name (1 to 63 "
               "letters, digits, '.', '-' and '_')");
    expect_bad("storage = [\"h1:s1\", \"h2:s2\", \"h1:s2\"]\n",
               ":1: storage: host `h1' is listed twice (entries 1 and 3)");
    {
        size_t o = 0;

        o += (size_t)snprintf(text + o, sizeof(text) - o, "storage = [\"h:");
        for (i = 0; i < 32; i++)
            o += (size_t)snprintf(text + o, sizeof(text) - o, "%ss%d",
                                  i ? "," : "", i);
        snprintf(text + o, sizeof(text) - o, "\"]\n");
        expect_bad(text, ":1: storage: more than 31 storages");
    }

    /* The splitters the planner's input uses too. */
    assert_int_equal(bal__config_split_group(" a ,b\t,, c", &v, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");
    assert_string_equal(v[2], "");
    assert_string_equal(v[3], "c");
    assert_null(v[4]);
    bal__strv_free(v);
    assert_int_equal(bal__config_split_storage("fe80::1: s1,s2", host, &v,
                                               &n), 0);
    assert_string_equal(host, "fe80::1");
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "s1");
    assert_string_equal(v[1], "s2");
    bal__strv_free(v);
    assert_int_equal(bal__config_split_storage("nocolon", host, &v, &n),
                     BAL_EINVAL);
}

/* A failure on the file itself, with a fixed path: "PATH: ..." */
static void expect_bad_path(const char *path, bool must_exist,
                            const char *want_tail)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = base_config();
    struct bal_config before;
    char want[1024];

    assert_int_equal(bal__config_copy(&before, cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, must_exist),
                     BAL_ECONFIG);
    snprintf(want, sizeof(want), "%s%s", path, want_tail);
    assert_string_equal(lg.buf, want);
    assert_int_equal(lg.nerrors, 1);
    assert_config_equal(cfg, &before);
    bal__config_dispose(&before);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
}

static void test_bad_files(void **state)
{
    char dir[] = "/tmp/bal-test-dir-XXXXXX", *path, *big;
    size_t n = 1024 * 1024 + 10, i;
    FILE *f;

    assert_non_null(mkdtemp(dir));
    expect_bad_path(dir, true, ": cannot read: Is a directory");
    expect_bad_path(dir, false, ": cannot read: Is a directory");
    assert_int_equal(rmdir(dir), 0);
    expect_bad_path(dir, true, ": cannot open: No such file or directory");
    expect_bad_path("/dev/null", true, ": cannot read: not a regular file");

    /* Over 1 MiB: refused before parsing. */
    path = tu_tmpfile("");
    big = malloc(n + 1);
    assert_non_null(big);
    for (i = 0; i < n; i++) big[i] = (i % 64 == 63) ? '\n' : '#';
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(big, 1, n, f), n);
    fclose(f);
    expect_bad_path(path, true,
                    ": cannot read: larger than 1 MiB, not a configuration");
    unlink(path);
    free(path);
    free(big);

    /* A NUL byte, on line 2. */
    path = tu_tmpfile("");
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite("a = 1\nb\0 = 2\n", 1, 13, f), 13);
    fclose(f);
    expect_bad_path(path, true, ":2: NUL byte: not a text file");
    unlink(path);
    free(path);

    /* Unreadable: root reads anything, so only as another user. */
    if (geteuid() != 0) {
        path = tu_tmpfile("sample_count = 3\n");
        assert_int_equal(chmod(path, 0), 0);
        expect_bad_path(path, true, ": cannot open: Permission denied");
        unlink(path);
        free(path);
    }
}

/* ---- shipped files against the table ------------------------------------- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;

    if (!f) fail_msg("%s: %s", path, strerror(errno));
    buf = tu_slurp(f, NULL);
    fclose(f);
    return buf;
}

static char *srcfile(const char *rel)
{
    size_t n = strlen(tu_datadir()) + strlen(rel) + 8;
    char *p = malloc(n);

    /* tu_datadir() is tests/data of the source tree. */
    assert_non_null(p);
    snprintf(p, n, "%s/../../%s", tu_datadir(), rel);
    return p;
}

/* packaging/xl-balance.conf: loads as is (all commented out: defaults);
 * with every "#key = default" line uncommented it loads too, and gives the
 * defaults again: its defaults are the table's. */
static void test_shipped_conf(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal_config *cfg = NULL;
    char *path = srcfile("packaging/xl-balance.conf");
    char *text = read_all(path), *un, *line, *tmp;
    struct bal_config def;
    int i;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, path, true), 0);
    assert_defaults(cfg);
    bal_config_free(cfg);

    /* Uncomment "#key = " lines of known keys, except local_host, whose
     * default (uname) cannot be written. */
    un = strdup(text);
    assert_non_null(un);
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];
        char pat[80];

        snprintf(pat, sizeof(pat), "\n#%s = ", k->name);
        line = strstr(un, pat);
        if (!line) fail_msg("xl-balance.conf lacks a line \"#%s = \"",
                            k->name);
        if (!k->def) continue;
        /* Its default, as the table writes it. */
        assert_memory_equal(line + strlen(pat), k->def, strlen(k->def));
        line[1] = ' ';
    }
    tmp = tu_tmpfile(un);
    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_load(ctx, cfg, tmp, true), 0);
    assert_int_equal(lg.nerrors, 0);
    bal__config_defaults(&def);
    def.source = tmp;
    assert_config_equal(cfg, &def);
    def.source = NULL;
    bal__config_dispose(&def);
    bal_config_free(cfg);

    unlink(tmp);
    free(tmp);
    free(un);
    free(text);
    free(path);
    bal_ctx_free(ctx);
}

/* doc/config.md: a table row for every key, with its default. */
static void test_doc_table(void **state)
{
    char *path = srcfile("doc/config.md");
    char *text = read_all(path);
    int i;

    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];
        char pat[160];

        snprintf(pat, sizeof(pat), "\n| `%s` | ", k->name);
        if (!strstr(text, pat))
            fail_msg("doc/config.md has no row for %s", k->name);
        if (k->def) {
            snprintf(pat, sizeof(pat), "\n| `%s` | `%s` | %s |", k->name,
                     k->def, k->range);
            if (!strstr(text, pat))
                fail_msg("doc/config.md: row of %s does not start with "
                         "\"%s\"", k->name, pat + 1);
        }
    }
    free(text);
    free(path);
}

/* ---- setters ------------------------------------------------------------------ */

/* bal_config_parse_value: a command-line option read as the file reads
 * its key, refused in the file's words and range. */
static void expect_value_bad(const char *key, const char *text,
                             const char *want)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    double v = -7;

    assert_int_equal(bal_config_parse_value(ctx, "status", "-i", key, text,
                                            &v), BAL_ECONFIG);
    assert_true(v == -7);
    assert_string_equal(lg.buf, want);
    assert_int_equal(lg.nerrors, 1);
    bal_ctx_free(ctx);
}

static void test_parse_value(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    double v = 0;

    (void)state;
    assert_int_equal(bal_config_parse_value(ctx, "status", "-i",
                                            "sample_interval", "0.5", &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(bal_config_parse_value(ctx, "plan", "--max-moves",
                                            "max_moves", "10000", &v), 0);
    assert_true(v == 10000);
    assert_int_equal((int)lg.len, 0);
    expect_value_bad("sample_interval", "0.0001",
                     "status: -i: 0.0001 is out of range (0.001 to 3600)");
    expect_value_bad("sample_interval", "nan",
                     "status: -i: `nan' is not a number");
    expect_value_bad("sample_interval", "0x10",
                     "status: -i: `0x10' is not a number");
    expect_value_bad("sample_count", "2.5",
                     "status: -i: `2.5' is not a whole number");
    expect_value_bad("sample_count", "99999999999999999999",
                     "status: -i: 99999999999999999999 is out of range "
                     "(2 to 1000)");
    expect_value_bad("horizon", "0",
                     "status: -i: 0 is out of range (more than 0, at most "
                     "31536000)");
    expect_value_bad("sample_count", "a\tb",
                     "status: -i: `a\\tb' is not a number");
    /* Only number keys; every argument needed. */
    assert_int_equal(bal_config_parse_value(ctx, "s", "-x", "hosts", "1",
                                            &v), BAL_EINVAL);
    assert_int_equal(bal_config_parse_value(ctx, "s", "-x", "nokey", "1",
                                            &v), BAL_EINVAL);
    assert_int_equal(bal_config_parse_value(ctx, "s", "-x", "horizon", NULL,
                                            &v), BAL_EINVAL);
    assert_int_equal((int)lg.len, 0);
    bal_ctx_free(ctx);
}

static void test_setters(void **state)
{
    bal_config *cfg = NULL;

    assert_int_equal(bal_config_alloc(&cfg), 0);
    assert_int_equal(bal_config_set_interval(cfg, 0), BAL_ERANGE);
    assert_int_equal(bal_config_set_interval(cfg, -1), BAL_ERANGE);
    assert_int_equal(bal_config_set_interval(cfg, NAN), BAL_ERANGE);
    assert_int_equal(bal_config_set_interval(cfg, INFINITY), BAL_ERANGE);
    /* The table's range, as the file and the command line have it. */
    assert_int_equal(bal_config_set_interval(cfg, 3600.5), BAL_ERANGE);
    assert_int_equal(bal_config_set_interval(cfg, 0.0009), BAL_ERANGE);
    assert_true(bal_config_interval(cfg) == 5);
    assert_int_equal(bal_config_set_interval(cfg, 3600), 0);
    assert_true(bal_config_interval(cfg) == 3600);
    assert_int_equal(bal_config_set_interval(cfg, 0.001), 0);
    assert_true(bal_config_interval(cfg) == 0.001);

    assert_int_equal(bal_config_set_samples(cfg, 1), BAL_ERANGE);
    assert_int_equal(bal_config_set_samples(cfg, 1001), BAL_ERANGE);
    assert_int_equal(bal_config_set_samples(cfg, -5), BAL_ERANGE);
    assert_int_equal(bal_config_samples(cfg), 3);
    assert_int_equal(bal_config_set_samples(cfg, 2), 0);
    assert_int_equal(bal_config_samples(cfg), 2);
    assert_int_equal(bal_config_set_samples(cfg, 1000), 0);
    assert_int_equal(bal_config_samples(cfg), 1000);

    assert_int_equal(bal_config_set_interval(NULL, 5), BAL_EINVAL);
    assert_int_equal(bal_config_set_samples(NULL, 5), BAL_EINVAL);
    bal_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_layered),
        cmocka_unit_test(test_empty_and_missing),
        cmocka_unit_test(test_bad_syntax),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_bad_types),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_bad_thresholds),
        cmocka_unit_test(test_bad_hosts),
        cmocka_unit_test(test_bad_commands),
        cmocka_unit_test(test_promfile),
        cmocka_unit_test(test_bad_planner_keys),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_shipped_conf),
        cmocka_unit_test(test_doc_table),
        cmocka_unit_test(test_setters),
        cmocka_unit_test(test_parse_value),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
