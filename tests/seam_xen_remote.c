/*
 * seam_xen_remote.c - the xen backend's moves whose source is another
 * dom0: run there as `xl-balance migrate --json UUID TO` through the
 * transport, its answer read strictly (backend_xen.c, base/migrate_json.c,
 * doc/migration.md).  The transport is tests/data/fake-remote-migrate,
 * which records its argv and plays the remote command's outcome chosen by
 * TO, or a broken answer.  Local moves of the same wave go through
 * migrate_xl.c against the fake libxl.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "backend/remote.h"
#include "base/child.h"
#include "fake_xen.h"
#include "fake_libxl_migrate.h"

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define UUID2 "22222222-3333-4444-5555-666666666666"
#define UUID3 "33333333-4444-5555-6666-777777777777"
/* A source host whose name a shell would take apart. */
#define NASTY "peer B;$(touch /tmp/bal-pwned) `id` 'q\" *"

static char *tmp_privcmd, *tmp_caps;
static char recdir[] = "/tmp/bal-remote-XXXXXX";
static char script[4096];
static char *transport[2];
static char *hosts[] = { "hostA", NASTY, "hostB", "fail", "undef", "dead",
                         "usage", "signal", "slow", "locked", "human",
                         "empty", "missing", "extra", "twice", "liar",
                         "other", "range", "two", "control", "undefbad",
                         NULL };
static char *peer_cmd[] = { "/opt/xlb/bin/xl-balance", "sample", "--json",
                            "--local", NULL };

static int setup(void **state)
{
    fx_reset();
    fm_reset();
    tmp_privcmd = tu_tmpfile("");
    tmp_caps = tu_tmpfile("control_d\n");
    bal__xen_privcmd_path = tmp_privcmd;
    bal__xen_caps_path = tmp_caps;
    strcpy(recdir, "/tmp/bal-remote-XXXXXX");
    assert_non_null(mkdtemp(recdir));
    assert_int_equal(setenv("FAKE_REMOTE_DIR", recdir, 1), 0);
    snprintf(script, sizeof(script), "%s/fake-remote-migrate",
             tu_datadir());
    transport[0] = script;
    transport[1] = NULL;
    bal__remote_timeout_s = 0;
    return 0;
}

static int teardown(void **state)
{
    DIR *d = opendir(recdir);
    struct dirent *e;
    char path[4200];

    if (d) {
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(path, sizeof(path), "%s/%s", recdir, e->d_name);
                unlink(path);
            }
        closedir(d);
    }
    rmdir(recdir);
    unlink(tmp_privcmd);
    unlink(tmp_caps);
    free(tmp_privcmd);
    free(tmp_caps);
    bal__xen_privcmd_path = "/dev/xen/privcmd";
    bal__xen_caps_path = "/proc/xen/capabilities";
    bal__remote_timeout_s = 0;
    unsetenv("FAKE_REMOTE_DIR");
    assert_int_equal(fx.handles, 0);
    assert_int_equal(fx.nodes, 0);
    assert_int_equal(fx.ctxs, 0);
    assert_int_equal(fx.lists, 0);
    fx_reset();
    return 0;
}

static void cfg_init(struct bal_config *cfg)
{
    tu_peer_config(cfg, hosts, transport, peer_cmd);
    cfg->local_host = "hostA";
}

static void open_ok(bal_backend *be, bal_ctx *ctx,
                    const struct bal_config *cfg)
{
    memset(be, 0, sizeof(*be));
    be->ctx = ctx;
    be->cfg = cfg;
    assert_int_equal(bal__backend_xen_open(be, NULL), 0);
}

/* As tu_log_fn, but keeping the info lines too: one per remote move. */
static void all_log_fn(void *opaque, bal_log_level level, const char *msg)
{
    tu_log *lg = opaque;
    int n;

    if (level < BAL_LOG_INFO) return;
    if (level == BAL_LOG_ERROR) lg->nerrors++;
    n = snprintf(lg->buf + lg->len, sizeof(lg->buf) - lg->len, "%s%s",
                 lg->len ? "\n" : "", msg);
    if (n > 0 && (size_t)n < sizeof(lg->buf) - lg->len) lg->len += (size_t)n;
}

static bal_ctx *ctx_all(tu_log *lg)
{
    bal_ctx *ctx = NULL;

    memset(lg, 0, sizeof(*lg));
    assert_int_equal(bal_ctx_alloc(all_log_fn, lg, BAL_LOG_DEBUG, &ctx), 0);
    return ctx;
}

/* The argv the transport got for uuid; NULL if it never ran. */
static char *recorded(const char *uuid)
{
    return tu_recorded(recdir, uuid);
}

/* One remote move from src to dst; its result. */
static bal__move_result run_one(tu_log *lg, const char *src,
                                const char *dst)
{
    struct bal_config cfg;
    bal_backend be;
    bal__move mv;
    bal__move_result res;
    bal_ctx *ctx = ctx_all(lg);

    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);
    tu_move_init(&mv, "db", UUID1, src, dst);
    memset(&res, 0x55, sizeof(res));
    assert_int_equal(be.ops->migrate(&be, &mv, 1, &res), 0);
    be.ops->close(&be);
    bal_ctx_free(ctx);
    return res;
}

#define WHAT1(from, to) "migrate db (" UUID1 ") " from " -> " to

/* ---- the remote command's outcomes ------------------------------------- */

static void test_remote_ok(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, NASTY, "hostA");

    assert_int_equal(res.rc, 0);
    /* The answer's numbers. */
    assert_true(res.end_s - res.start_s > 12.49 &&
                res.end_s - res.start_s < 12.51);
    assert_int_equal(res.rounds, 3);
    assert_true(res.downtime_s > 0.0419 && res.downtime_s < 0.0421);
    assert_true(res.dirty_Bps > 0.0899e6 && res.dirty_Bps < 0.0901e6);
    assert_int_equal(res.bytes, 1073741824);
    /* Every name one argv element, as written: no shell on our side;
     * the peer command's program only, then migrate UUID TO. */
    assert_string_equal(recorded(UUID1), NASTY "|/opt/xlb/bin/xl-balance|"
                        "migrate|--json|" UUID1 "|hostA|");
    assert_int_equal(access("/tmp/bal-pwned", F_OK), -1);
    assert_string_equal(lg.buf, WHAT1(NASTY, "hostA") ": sent to " NASTY
                        ", run there by its xl-balance");
    assert_int_equal(lg.nerrors, 0);
    /* Nothing local was touched. */
    assert_int_equal(fm.nsuspend, 0);
}

static void test_remote_failed(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "fail");

    assert_int_equal(res.rc, BAL_EXEN);
    assert_true(res.end_s >= res.start_s);
    assert_string_equal(recorded(UUID1), "hostB|/opt/xlb/bin/xl-balance|"
                        "migrate|--json|" UUID1 "|fail|");
    assert_string_equal(tu_last(&lg), WHAT1("hostB", "fail") ": failed "
                        "there (exit status 1); the VM still runs on its "
                        "source");
    assert_int_equal(lg.nerrors, 1);
}

/* Another rebalance or migrate holds the lock there: nothing done. */
static void test_remote_locked(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "locked");

    assert_int_equal(res.rc, BAL_ELOCKED);
    assert_string_equal(tu_last(&lg), WHAT1("hostB", "locked") ": failed "
                        "there (exit status 5); the VM still runs on its "
                        "source");
    assert_int_equal(lg.nerrors, 1);
}

static void test_remote_undefined(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "undef");

    assert_int_equal(res.rc, BAL_EUNDEFINED);
    assert_string_equal(tu_last(&lg), WHAT1("hostB", "undef") ": STATE "
                        "UNDEFINED there (exit status 6): the VM may run on "
                        "neither host or on both");
    assert_int_equal(lg.nerrors, 1);
}

#define UNKNOWN(to) WHAT1("hostB", to) ": outcome unknown; the " \
    "verification sample will show where the VM runs"

/* ---- answers that do not parse, or say something else ------------------
 * One error line naming the host and the fault; the move counts as
 * failed (BAL_EPEER), never as done: the verification sample says where
 * the VM is. */

#define BAD(to, code, why) WHAT1("hostB", to) ": bad answer from hostB " \
    "(exit status " #code "): " why "; taken as failed, the verification " \
    "sample will show where the VM runs"

static void expect_bad(const char *to, const char *line)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", to);

    assert_int_equal(res.rc, BAL_EPEER);
    assert_int_equal(res.rounds, 0);
    assert_true(isnan(res.dirty_Bps));
    assert_string_equal(tu_last(&lg), line);
    assert_int_equal(lg.nerrors, 1);
}

static void test_bad_answers(void **state)
{
    /* What the command prints without --json. */
    expect_bad("human", BAD("human", 0, "not JSON: lexical error: invalid "
                            "char in json text."));
    expect_bad("empty", BAD("empty", 0, "empty answer"));
    expect_bad("missing", BAD("missing", 0, "missing key `downtime_s'"));
    expect_bad("extra", BAD("extra", 0, "unknown key `colour'"));
    expect_bad("twice", BAD("twice", 0, "key `rc' given twice"));
    expect_bad("liar", BAD("liar", 0, "the answer says failed, the exit "
                           "status done"));
    expect_bad("other", BAD("other", 0, "the answer is about "
                            "99999999-2222-3333-4444-555555555555 to other, "
                            "not this move"));
    expect_bad("range", BAD("range", 0, "downtime_s 2 is out of range (0 to "
                            "duration_s)"));
    expect_bad("two", BAD("two", 1, "not JSON: parse error: trailing "
                          "garbage"));
    expect_bad("control", BAD("control", 1, "error: not a line of 1 to 1024 "
                              "bytes of printable UTF-8"));
}

/* Exit status 6 says an admin must look, whatever came with it. */
static void test_undefined_bad_answer(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "undefbad");

    assert_int_equal(res.rc, BAL_EUNDEFINED);
    assert_string_equal(tu_last(&lg), WHAT1("hostB", "undefbad") ": bad "
                        "answer from hostB (exit status 6): not JSON: "
                        "lexical error: invalid char in json text.; STATE "
                        "UNDEFINED there: the VM may run on neither host or "
                        "on both");
    assert_int_equal(lg.nerrors, 1);
}

static void test_transport_dead(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "dead");

    assert_int_equal(res.rc, BAL_ETRANSPORT);
    assert_non_null(strstr(lg.buf, WHAT1("hostB", "dead") ": the transport "
                           "exited with status 255\n" UNKNOWN("dead")));
    assert_int_equal(lg.nerrors, 2);
}

/* Any other exit status (here xl-balance's usage error) is no answer. */
static void test_other_status(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "usage");

    assert_int_equal(res.rc, BAL_ETRANSPORT);
    assert_string_equal(tu_last(&lg), UNKNOWN("usage"));
}

static void test_transport_killed(void **state)
{
    tu_log lg;
    bal__move_result res = run_one(&lg, "hostB", "signal");

    assert_int_equal(res.rc, BAL_ETRANSPORT);
    assert_non_null(strstr(lg.buf, WHAT1("hostB", "signal") ": the "
                           "transport was killed by signal 10\n"
                           UNKNOWN("signal")));
}

static void test_timeout(void **state)
{
    tu_log lg;
    uint64_t t0 = bal__now_ns();
    bal__move_result res;

    bal__remote_timeout_s = 0.3;
    res = run_one(&lg, "hostB", "slow");
    assert_int_equal(res.rc, BAL_ETRANSPORT);
    /* Well under the script's 30 s sleep: the whole group was killed. */
    assert_true(bal__now_ns() - t0 < 5000000000ull);
    assert_non_null(strstr(lg.buf, WHAT1("hostB", "slow") ": timed out "
                           "after 0.3 s\n" UNKNOWN("slow")));
}

/* The transport's program cannot be run: nothing happened there either,
 * but we cannot tell that from a remote failure: unknown. */
static void test_transport_missing(void **state)
{
    tu_log lg;
    bal__move_result res;

    transport[0] = "/nonexistent/bal-transport";
    res = run_one(&lg, "hostB", "hostA");
    assert_int_equal(res.rc, BAL_ETRANSPORT);
    assert_non_null(strstr(lg.buf, WHAT1("hostB", "hostA") ": cannot run "
                           "/nonexistent/bal-transport: No such file or "
                           "directory\n" UNKNOWN("hostA")));
}

/* ---- refused before anything runs ------------------------------------- */

static void test_refused(void **state)
{
    tu_log lg;
    bal__move_result res;

    /* Not a configured host: a name from a peer never reaches ssh. */
    res = run_one(&lg, "hostZ", "hostA");
    assert_int_equal(res.rc, BAL_EINVAL);
    assert_string_equal(lg.buf, WHAT1("hostZ", "hostA") ": a host name is "
                        "not one of the configured hosts (or begins with "
                        "'-'); nothing done");
    res = run_one(&lg, "hostB", "-oProxyCommand=x");
    assert_int_equal(res.rc, BAL_EINVAL);
    assert_null(recorded(UUID1));
}

/* ---- a whole wave: the paper's swap and more at once ------------------ */

static void test_wave(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    bal__move mv[4];
    bal__move_result res[4];
    tu_log lg;
    bal_ctx *ctx = ctx_all(&lg);
    const char *sent;

    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);
    /* vm1 hostA -> hostB is local: its VM is not here (the fake has no
     * domain), so migrate_xl.c refuses it, nothing done. */
    tu_move_init(&mv[0], "vm1", UUID1, "hostA", "hostB");
    tu_move_init(&mv[1], "vm2", UUID2, "hostB", "hostA");
    tu_move_init(&mv[2], "vm3", UUID3, NASTY, "fail");
    tu_move_init(&mv[3], "vm4", "not-a-uuid", "hostB", "hostA");
    assert_int_equal(be.ops->migrate(&be, mv, 4, res), 0);

    assert_int_equal(res[0].rc, BAL_ENOENT);
    assert_int_equal(res[1].rc, 0);
    assert_int_equal(res[1].rounds, 3);
    assert_int_equal(res[2].rc, BAL_EXEN);
    assert_int_equal(res[3].rc, BAL_EINVAL);
    assert_null(recorded(UUID1));
    assert_string_equal(recorded(UUID2), "hostB|/opt/xlb/bin/xl-balance|"
                        "migrate|--json|" UUID2 "|hostA|");
    assert_string_equal(recorded(UUID3), NASTY "|/opt/xlb/bin/xl-balance|"
                        "migrate|--json|" UUID3 "|fail|");

    /* The remote moves were under way before the local one was tried. */
    sent = strstr(lg.buf, "migrate vm2 (" UUID2 ") hostB -> hostA: sent to "
                  "hostB, run there by its xl-balance\n");
    assert_non_null(sent);
    assert_non_null(strstr(lg.buf, "migrate vm3 (" UUID3 ") " NASTY
                           " -> fail: sent to "));
    assert_true(sent < strstr(lg.buf, "migrate vm1 (" UUID1 ")"));
    assert_non_null(strstr(lg.buf, "migrate vm4 (not-a-uuid) hostB -> "
                           "hostA: not a UUID; nothing done\n"));
    assert_string_equal(tu_last(&lg), "migrate vm3 (" UUID3 ") " NASTY
                        " -> fail: failed there (exit status 1); the VM "
                        "still runs on its source");

    be.ops->close(&be);
    bal_ctx_free(ctx);
}

/* ---- base/child.c's start/finish ----------------------------------------
 * A child that ended in time is not a time-out for being collected late
 * (the local moves of its wave took longer than its limit). */

static void test_child_collected_late(void **state)
{
    char *argv[] = { "/bin/echo", "migrated", NULL };
    struct timespec ts = { 0, 400000000 };
    bal__child c;
    char *out = NULL;
    int status = -1;
    tu_log lg;
    bal_ctx *ctx = ctx_all(&lg);

    assert_int_equal(bal__child_start(ctx, "late", argv, 0, -1, 0.2, &c),
                     0);
    nanosleep(&ts, NULL);
    assert_int_equal(bal__child_finish(ctx, "late", &c, 100, &status, &out,
                                       NULL), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_equal(out, "migrated\n");
    assert_int_equal(c.pid, -1);
    assert_int_equal(c.out_fd, -1);
    assert_string_equal(lg.buf, "");
    free(out);

    /* Disposing an unfinished one kills and reaps it. */
    argv[0] = "/bin/sleep";
    argv[1] = "30";
    assert_int_equal(bal__child_start(ctx, "sleep", argv, 0, -1, 60, &c),
                     0);
    bal__child_dispose(&c);
    assert_int_equal(c.pid, -1);
    assert_int_equal(c.out_fd, -1);
    assert_int_equal(c.exec_fd, -1);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remote_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_undefined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undefined_bad_answer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transport_dead, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_other_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_killed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_collected_late, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
