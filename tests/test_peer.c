/*
 * test_peer.c - the peer transport, with the transport replaced by
 * tests/data/fake-peer (no network, no ssh): a good reply, and every way a
 * peer can fail - exit status, signal, timeout, too much output, garbage,
 * no such command, a reply of the wrong shape - each with its exact error
 * line, the output untouched, and no descriptor or child left behind.
 * Many peers at once (bal__peer_sample_all): merged in the configured
 * order, each failure alone, a hung one stopped at its own timeout, and
 * never more than peer_parallel running.
 * A host name full of shell metacharacters must reach the child as one
 * literal argument.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/peer.h"

static char fake[512];          /* tests/data/fake-peer */
static char *peer_cmd[] = { "sample", "--json", "--local", NULL };
static int fds_at_start;

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;       /* the directory's own descriptor */
}

static void config(struct bal_config *cfg, char **transport, double timeout)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->transport = transport;
    cfg->ntransport = 1;
    cfg->peer_command = peer_cmd;
    cfg->npeer_command = 3;
    cfg->peer_timeout = timeout;
    cfg->peer_parallel = 8;
}

/* A sample that a failed call must leave as it is. */
static void pre_fill(bal__sample *out)
{
    bal__host *h = NULL;

    bal__sample_init(out);
    assert_int_equal(bal__sample_add_host(out, &h), 0);
    strcpy(h->name, "pre");
    h->pcpus = 3;
}

static void assert_pre(const bal__sample *out)
{
    assert_int_equal(out->nhosts, 1);
    assert_string_equal(out->hosts[0].name, "pre");
    assert_int_equal(out->hosts[0].pcpus, 3);
    assert_int_equal(out->hosts[0].ndoms, 0);
}

/* Asks `host` through `transport` and expects exactly `line` and rc. */
static void expect_peer(const char *transport, const char *host,
                        double timeout, int rc, const char *line)
{
    char *tv[] = { (char *)transport, NULL };
    struct bal_config cfg;
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    config(&cfg, tv, timeout);
    pre_fill(&out);
    assert_int_equal(bal__peer_sample(ctx, &cfg, host, &out), rc);
    assert_int_equal(lg.nerrors, 1);
    assert_string_equal(lg.buf, line);
    assert_pre(&out);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

static void expect_fake(const char *host, int rc, const char *fmt)
{
    char line[1024];

    /* fmt names fake-peer's path with %s. */
    snprintf(line, sizeof(line), fmt, host, fake);
    expect_peer(fake, host, 5, rc, line);
}

static void test_peer_ok(void **state)
{
    char *tv[] = { fake, NULL };
    struct bal_config cfg;
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const bal__host *h;

    config(&cfg, tv, 5);
    pre_fill(&out);
    assert_int_equal(bal__peer_sample(ctx, &cfg, "hostB", &out), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_int_equal(out.nhosts, 2);
    h = &out.hosts[1];
    /* Known by the configured name, not the one it gave itself. */
    assert_string_equal(h->name, "hostB");
    assert_int_equal(h->pcpus, 16);
    assert_true(h->net_Bps == 1.25e9);
    assert_int_equal(h->ndoms, 2);
    assert_string_equal(h->doms[1].uuid, "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8");
    assert_string_equal(h->doms[1].name, "db1");
    assert_true(h->doms[1].cpu_ns == 987654321000ull);
    assert_true(h->doms[1].vbd_oo_reqs == 3);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

static void test_peer_exit_status(void **state)
{
    expect_fake("fail", BAL_ETRANSPORT, "peer %s: %s exited with status 1");
    /* No such JSON file: the fake exits 3. */
    expect_fake("nosuchhost", BAL_ETRANSPORT,
                "peer %s: %s exited with status 3");
}

static void test_peer_signal(void **state)
{
    expect_fake("signal", BAL_ETRANSPORT,
                "peer %s: %s killed by signal 10 (SIGUSR1)");
}

/* The timeout stops the fake and the sleep it started, promptly. */
static void test_peer_timeout(void **state)
{
    char pidfile[] = "/tmp/bal-test-pid-XXXXXX";
    char line[1024];
    uint64_t t0, dt;
    FILE *f;
    int fd, st = 0, i;
    pid_t pid = 0;

    fd = mkstemp(pidfile);
    assert_true(fd >= 0);
    close(fd);
    setenv("FAKE_PEER_PID", pidfile, 1);

    t0 = bal__now_ns();
    snprintf(line, sizeof(line), "peer slow: timed out after 0.5 s");
    expect_peer(fake, "slow", 0.5, BAL_ETRANSPORT, line);
    dt = bal__now_ns() - t0;
    unsetenv("FAKE_PEER_PID");
    assert_true(dt >= 450000000ull);
    assert_true(dt < 2500000000ull);

    f = fopen(pidfile, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    unlink(pidfile);
    /* We are the subreaper (main): the orphaned sleep is ours to reap,
     * and it must have been killed, not be sleeping on. */
    for (i = 0; i < 200; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid) break;
        assert_int_equal(r, 0);
        usleep(10000);
    }
    assert_true(i < 200);
    assert_true(WIFSIGNALED(st));
}

static void test_capture_too_large(void **state)
{
    char *argv[] = { fake, "endless", "sample", "--json", "--local", NULL };
    char *out = (char *)"untouched";
    char line[1024];
    size_t len = 77;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    /* A peer that never stops: killed once it passes max. */
    assert_int_equal(bal__run_capture(ctx, argv, 5, 4096, &out, &len),
                     BAL_ETRANSPORT);
    snprintf(line, sizeof(line), "%s: reply larger than 4096 bytes", fake);
    assert_string_equal(lg.buf, line);
    assert_int_equal(lg.nerrors, 1);
    assert_string_equal(out, "untouched");
    assert_int_equal(len, 77);

    /* Exactly max is fine; one more is not. */
    argv[1] = "size-100000";
    assert_int_equal(bal__run_capture(ctx, argv, 5, 100000, &out, &len), 0);
    assert_int_equal(len, 100000);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[len], 0);
    free(out);
    argv[1] = "size-100001";
    out = (char *)"untouched";
    assert_int_equal(bal__run_capture(ctx, argv, 5, 100000, &out, &len),
                     BAL_ETRANSPORT);
    snprintf(line, sizeof(line), "%s: reply larger than 100000 bytes", fake);
    assert_string_equal(tu_last(&lg), line);
    assert_string_equal(out, "untouched");
    bal_ctx_free(ctx);
}

static void test_peer_garbage(void **state)
{
    expect_fake("garbage", BAL_EPEER,
                "peer %s: lexical error: invalid char in json text.");
    expect_fake("silent", BAL_EPEER, "peer %s: empty sample");
    expect_fake("v2", BAL_EPEER, "peer %s: unsupported sample version 2");
    expect_fake("multi", BAL_EPEER, "peer %s: reply holds 2 hosts, expected 1");
    expect_fake("none", BAL_EPEER, "peer %s: reply holds 0 hosts, expected 1");
}

static void test_peer_no_command(void **state)
{
    char path[600];

    expect_peer("/nonexistent/xl-balance-transport", "hostB", 5,
                BAL_ETRANSPORT,
                "peer hostB: cannot run /nonexistent/xl-balance-transport: "
                "No such file or directory");
    /* Looked up in PATH, as execvp does. */
    expect_peer("xl-balance-no-such-transport", "hostB", 5, BAL_ETRANSPORT,
                "peer hostB: cannot run xl-balance-no-such-transport: "
                "No such file or directory");
    /* There, but not executable. */
    snprintf(path, sizeof(path), "%s/peer-hostB.json", tu_datadir());
    {
        char line[1024];

        snprintf(line, sizeof(line),
                 "peer hostB: cannot run %s: Permission denied", path);
        expect_peer(path, "hostB", 5, BAL_ETRANSPORT, line);
    }
}

static char *read_all(const char *path, size_t *len_r)
{
    char *buf = malloc(4096);
    FILE *f = fopen(path, "r");

    assert_non_null(buf);
    if (!f) { free(buf); return NULL; }
    *len_r = fread(buf, 1, 4095, f);
    buf[*len_r] = '\0';
    fclose(f);
    return buf;
}

/* Shell metacharacters in a host name are just bytes of one argument. */
static void test_peer_metachar(void **state)
{
    char log[] = "/tmp/bal-test-args-XXXXXX";
    char pwned[64], pwned2[64], host[256], line[1024], expect[512];
    char *got;
    size_t len = 0, n;
    int fd;

    snprintf(pwned, sizeof(pwned), "/tmp/bal-pwned-%d", (int)getpid());
    snprintf(pwned2, sizeof(pwned2), "/tmp/bal-pwned2-%d", (int)getpid());
    unlink(pwned);
    unlink(pwned2);
    snprintf(host, sizeof(host), "a;touch %s;b $(touch %s) `x` 'q\" | &",
             pwned, pwned2);

    fd = mkstemp(log);
    assert_true(fd >= 0);
    close(fd);
    setenv("FAKE_PEER_LOG", log, 1);
    snprintf(line, sizeof(line), "peer %s: %s exited with status 3", host,
             fake);
    expect_peer(fake, host, 5, BAL_ETRANSPORT, line);
    unsetenv("FAKE_PEER_LOG");

    assert_int_equal(access(pwned, F_OK), -1);
    assert_int_equal(access(pwned2, F_OK), -1);
    got = read_all(log, &len);
    unlink(log);
    assert_non_null(got);
    n = (size_t)snprintf(expect, sizeof(expect), "%s%c%s%c%s%c%s%c", host, 0,
                         "sample", 0, "--json", 0, "--local", 0);
    assert_int_equal(len, n);
    assert_memory_equal(got, expect, n);
    free(got);
}

/* Names the transport would take for an option never reach it. */
static void test_peer_bad_host(void **state)
{
    char log[] = "/tmp/bal-test-args-XXXXXX";
    int fd;

    fd = mkstemp(log);
    assert_true(fd >= 0);
    close(fd);
    unlink(log);
    setenv("FAKE_PEER_LOG", log, 1);
    expect_peer(fake, "-oProxyCommand=touch /tmp/x", 5, BAL_EINVAL,
                "peer -oProxyCommand=touch /tmp/x: host name must not "
                "begin with '-'");
    expect_peer(fake, "", 5, BAL_EINVAL,
                "peer : host name must be 1..255 bytes");
    unsetenv("FAKE_PEER_LOG");
    assert_int_equal(access(log, F_OK), -1);
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* Signals arriving all along (no SA_RESTART) change nothing. */
static void test_capture_eintr(void **state)
{
    char *argv[] = { fake, "hostB", "sample", "--json", "--local", NULL };
    struct sigaction sa, old;
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
    char *out = NULL;
    size_t len = 0;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    for (i = 0; i < 5; i++) {
        assert_int_equal(bal__run_capture(ctx, argv, 5, 1 << 20, &out, &len), 0);
        assert_true(len > 100);
        assert_non_null(strstr(out, "\"db1\""));
        free(out);
    }
    setitimer(ITIMER_REAL, &off, NULL);
    /* Ignoring discards one still pending; then the old action. */
    signal(SIGALRM, SIG_IGN);
    sigaction(SIGALRM, &old, NULL);
    assert_int_equal(lg.nerrors, 0);
    bal_ctx_free(ctx);
}

/* The child sees /dev/null on stdin and none of our other descriptors.
 * It checks each of the parent's descriptors above 2 by number with the
 * shell's built-in test: listing /proc/$$/fd through a pipeline would
 * race with the shell's own pipe descriptors. */
static void test_capture_child_fds(void **state)
{
    char *argv[64] = { "sh", "-c",
        "readlink /proc/$$/fd/0; for n in \"$@\"; do "
        "[ -e /proc/$$/fd/$n ] && printf 'leaked %s ' $n; done; echo end",
        "sh" };
    char nums[60][12];
    int argc = 4, fd;
    char *out = NULL;
    size_t len = 0;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int leak = open("/dev/null", O_RDONLY);     /* not O_CLOEXEC */

    assert_true(leak > 2);
    /* Every descriptor the parent has above 2 (fcntl: no directory fd of
     * our own in the way), up to what argv holds. */
    for (fd = 3; fd < 1024 && argc < 63; fd++)
        if (fcntl(fd, F_GETFD) != -1) {
            snprintf(nums[argc - 4], sizeof(nums[0]), "%d", fd);
            argv[argc] = nums[argc - 4];
            argc++;
        }
    argv[argc] = NULL;
    assert_true(argc > 4);          /* leak at least */
    assert_int_equal(bal__run_capture(ctx, argv, 5, 4096, &out, &len), 0);
    assert_string_equal(out, "/dev/null\nend\n");
    free(out);
    close(leak);
    bal_ctx_free(ctx);
}

/* ---- many peers at once (bal__peer_sample_all) ------------------------- */

static char *gen_hosts[] = { "gen-9", "gen-1", "gen-5", "gen-2", "gen-8",
                             "gen-3", "gen-7", "gen-4", "gen-6", NULL };

/* Each peer's sample lands in the order of hosts, not of their answers,
 * each under its configured name with its own VMs. */
static void test_all_merge(void **state)
{
    char *tv[] = { fake, NULL };
    struct bal_config cfg;
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char uuid[40];
    int i, n;

    config(&cfg, tv, 10);
    cfg.peer_parallel = 9;
    /* gen-N answers after N/10 s: gen-1 first, gen-9 last. */
    setenv("FAKE_PEER_DELAY", "N/10", 1);
    pre_fill(&out);
    assert_int_equal(bal__peer_sample_all(ctx, &cfg, gen_hosts, 9, &out), 0);
    unsetenv("FAKE_PEER_DELAY");
    assert_string_equal(lg.buf, "");
    assert_int_equal(out.npeer_errors, 0);
    assert_int_equal(out.nhosts, 10);
    assert_string_equal(out.hosts[0].name, "pre");
    for (i = 0; i < 9; i++) {
        const bal__host *h = &out.hosts[i + 1];

        n = atoi(gen_hosts[i] + 4);
        assert_string_equal(h->name, gen_hosts[i]);
        assert_int_equal(h->pcpus, n);
        assert_int_equal(h->ndoms, 2);
        snprintf(uuid, sizeof(uuid), "6f1c2a3b-4d5e-4f60-8172-%012d", n);
        assert_string_equal(h->doms[1].uuid, uuid);
    }
    bal__sample_dispose(&out);

    /* None at all: nothing asked, nothing added. */
    pre_fill(&out);
    assert_int_equal(bal__peer_sample_all(ctx, &cfg, gen_hosts, 0, &out), 0);
    assert_pre(&out);
    assert_int_equal(out.npeer_errors, 0);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

static uint64_t wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "START END" of each answer of gen-N, as the fake recorded them. */
static void read_times(const char *dir, const char *host, uint64_t *start,
                       uint64_t *end)
{
    char path[600];
    unsigned long long a = 0, b = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, host);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%llu %llu", &a, &b), 2);
    fclose(f);
    unlink(path);
    *start = a;
    *end = b;
}

static char *times_dir(void)
{
    static char dir[64];

    snprintf(dir, sizeof(dir), "/tmp/bal-test-times-XXXXXX");
    assert_non_null(mkdtemp(dir));
    setenv("FAKE_PEER_TIMES", dir, 1);
    return dir;
}

/* A failing, a hanging and a babbling peer are each reported as alone,
 * and cost the others nothing: the hanging one holds its slot until its
 * own timeout while the rest go through the other slots. */
static void test_all_failures(void **state)
{
    static char *hosts[] = { "gen-1", "fail", "slow", "gen-2", "garbage",
                             "gen-3", "gen-4", NULL };
    char *tv[] = { fake, NULL };
    char *dir = times_dir();
    char line[1024];
    struct bal_config cfg;
    bal__sample out;
    uint64_t t0, dt, start, end, last_end = 0;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int i;

    config(&cfg, tv, 2);
    cfg.peer_parallel = 3;
    pre_fill(&out);
    t0 = wall_ns();
    assert_int_equal(bal__peer_sample_all(ctx, &cfg, hosts, 7, &out), 0);
    dt = wall_ns() - t0;
    unsetenv("FAKE_PEER_TIMES");

    assert_int_equal(out.nhosts, 5);
    assert_int_equal(out.npeer_errors, 3);
    for (i = 0; i < 4; i++) {
        char name[8];

        snprintf(name, sizeof(name), "gen-%d", i + 1);
        assert_string_equal(out.hosts[i + 1].name, name);
        assert_int_equal(out.hosts[i + 1].pcpus, i + 1);
        read_times(dir, name, &start, &end);
        if (end > last_end) last_end = end;
    }
    rmdir(dir);
    /* The hanging one was stopped at its own timeout, and every other
     * answer came while it hung. */
    assert_true(dt >= 2000000000ull);
    assert_true(last_end < t0 + 2000000000ull);

    assert_int_equal(lg.nerrors, 3);
    snprintf(line, sizeof(line), "peer fail: %s exited with status 1", fake);
    assert_non_null(strstr(lg.buf, line));
    assert_non_null(strstr(lg.buf, "peer slow: timed out after 2 s"));
    assert_non_null(strstr(lg.buf, "peer garbage: lexical error: invalid "
                           "char in json text."));
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

/* No more than peer_parallel run at once, and that many do: the fake
 * logs when each ran, and the most that overlapped is counted. */
static int most_at_once(const char *dir, char **hosts, int n)
{
    uint64_t start[16], end[16];
    int i, k, most = 0;

    assert_true(n <= 16);
    for (i = 0; i < n; i++) read_times(dir, hosts[i], &start[i], &end[i]);
    for (i = 0; i < n; i++) {
        int at = 0;

        /* Those running when i started. */
        for (k = 0; k < n; k++)
            if (start[k] <= start[i] && end[k] > start[i]) at++;
        if (at > most) most = at;
    }
    return most;
}

static void test_all_bound(void **state)
{
    char *tv[] = { fake, NULL };
    char *dir = times_dir();
    struct bal_config cfg;
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    int most;

    setenv("FAKE_PEER_DELAY", "0.2", 1);
    config(&cfg, tv, 10);
    cfg.peer_parallel = 3;
    bal__sample_init(&out);
    assert_int_equal(bal__peer_sample_all(ctx, &cfg, gen_hosts, 9, &out), 0);
    assert_int_equal(out.nhosts, 9);
    most = most_at_once(dir, gen_hosts, 9);
    assert_true(most <= 3);
    assert_true(most >= 2);
    bal__sample_dispose(&out);

    /* One at a time: never two. */
    cfg.peer_parallel = 1;
    bal__sample_init(&out);
    assert_int_equal(bal__peer_sample_all(ctx, &cfg, gen_hosts, 4, &out), 0);
    assert_int_equal(out.nhosts, 4);
    assert_int_equal(most_at_once(dir, gen_hosts, 4), 1);
    bal__sample_dispose(&out);

    unsetenv("FAKE_PEER_DELAY");
    unsetenv("FAKE_PEER_TIMES");
    rmdir(dir);
    assert_string_equal(lg.buf, "");
    bal_ctx_free(ctx);
}

/* Run last: every path above closed what it opened. */
static void test_no_fd_leak(void **state)
{
    assert_int_equal(count_fds(), fds_at_start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_ok),
        cmocka_unit_test(test_peer_exit_status),
        cmocka_unit_test(test_peer_signal),
        cmocka_unit_test(test_peer_timeout),
        cmocka_unit_test(test_capture_too_large),
        cmocka_unit_test(test_peer_garbage),
        cmocka_unit_test(test_peer_no_command),
        cmocka_unit_test(test_peer_metachar),
        cmocka_unit_test(test_peer_bad_host),
        cmocka_unit_test(test_capture_eintr),
        cmocka_unit_test(test_capture_child_fds),
        cmocka_unit_test(test_all_merge),
        cmocka_unit_test(test_all_failures),
        cmocka_unit_test(test_all_bound),
        cmocka_unit_test(test_no_fd_leak),
    };

    snprintf(fake, sizeof(fake), "%s/fake-peer", tu_datadir());
    /* Orphans of the fake peers come to us, so that the timeout test can
     * see how its sleep ended. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    fds_at_start = count_fds();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
