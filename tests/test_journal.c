/*
 * test_journal.c - rebalance's state: the state directory's checks, the
 * lock, the journal (round trip, a torn last line, malformed records) and
 * the history (round trip, its bound).  The runs that use them are in
 * test_rebalance.c.
 */
#define _GNU_SOURCE             /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "run/journal.h"
#include "balance/history.h"
#include "base/lock.h"

#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"
#define UUID2 "1e536497-5e7b-8e82-83c0-401ab9a80a6a"

static char *tmpdir(void)
{
    char *d = strdup("/tmp/bal-journal-XXXXXX");

    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static char *join(const char *a, const char *b)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", a, b) > 0);
    return p;
}

static void rm_rf(const char *dir)
{
    static const char *const names[] = {
        "state/journal", "state/history", "state/history.new", "state",
        "lock", "link", "file", "sub/state", "sub", NULL,
    };
    int i;

    for (i = 0; names[i]; i++) {
        char *p = join(dir, names[i]);

        if (remove(p) && errno != ENOENT) fail_msg("cannot remove %s", p);
        free(p);
    }
    assert_int_equal(rmdir(dir), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static bal__move move(const char *uuid, const char *vm, const char *from,
                      const char *to)
{
    bal__move mv;

    memset(&mv, 0, sizeof(mv));
    snprintf(mv.uuid, sizeof(mv.uuid), "%s", uuid);
    snprintf(mv.vm, sizeof(mv.vm), "%s", vm);
    snprintf(mv.from, sizeof(mv.from), "%s", from);
    snprintf(mv.to, sizeof(mv.to), "%s", to);
    return mv;
}

/* ---- the state directory ---------------------------------------------------- */

static void test_state_dir(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *sd = join(d, "state"), *link = join(d, "link");
    char *file = join(d, "file"), *deep = join(d, "sub/state"), msg[600];
    struct stat st;
    int fd = -1;

    /* Created 0700 when missing; opened again as it is. */
    assert_int_equal(bal__state_dir_open(ctx, sd, &fd), 0);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(sd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(bal__state_dir_open(ctx, sd, &fd), 0);
    close(fd);
    assert_int_equal(lg.nerrors, 0);

    /* Writable by group or others: refused, one line. */
    assert_int_equal(chmod(sd, 0775), 0);
    fd = 7;
    assert_int_equal(bal__state_dir_open(ctx, sd, &fd), BAL_ECONFIG);
    assert_int_equal(fd, -1);
    snprintf(msg, sizeof(msg), "%s: state directory is writable by group or "
             "others (mode 0775); refused: chmod 700 it", sd);
    assert_string_equal(tu_last(&lg), msg);
    assert_int_equal(chmod(sd, 0757), 0);
    assert_int_equal(bal__state_dir_open(ctx, sd, &fd), BAL_ECONFIG);
    assert_int_equal(chmod(sd, 0755), 0);        /* readable is fine */
    assert_int_equal(bal__state_dir_open(ctx, sd, &fd), 0);
    close(fd);

    /* Not absolute, a link, a file, a parent missing. */
    assert_int_equal(bal__state_dir_open(ctx, "var/xl", &fd), BAL_ECONFIG);
    assert_string_equal(tu_last(&lg),
                        "state directory `var/xl' is not an absolute path");
    assert_int_equal(symlink(sd, link), 0);
    assert_int_equal(bal__state_dir_open(ctx, link, &fd), BAL_ECONFIG);
    snprintf(msg, sizeof(msg), "%s: state directory is a symbolic link; "
             "refused", link);
    assert_string_equal(tu_last(&lg), msg);
    write_file(file, "x", 0600);
    assert_int_equal(bal__state_dir_open(ctx, file, &fd), BAL_ECONFIG);
    snprintf(msg, sizeof(msg), "%s: state directory is not a directory; "
             "refused", file);
    assert_string_equal(tu_last(&lg), msg);
    assert_int_equal(bal__state_dir_open(ctx, deep, &fd), BAL_EIO);
    snprintf(msg, sizeof(msg), "%s: cannot create the state directory: No "
             "such file or directory", deep);
    assert_string_equal(tu_last(&lg), msg);

    rm_rf(d);
    free(d);
    free(sd);
    free(link);
    free(file);
    free(deep);
    bal_ctx_free(ctx);
}

/* ---- the lock ----------------------------------------------------------------- */

static void test_lock(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *lk = join(d, "lock"), *link = join(d, "link");
    char msg[600], buf[32];
    struct stat st;
    int fd = -1, fd2 = -1, other;
    ssize_t n;

    /* Created 0600, holding our pid while locked. */
    assert_int_equal(bal__lock_take(ctx, lk, &fd), 0);
    assert_true(fd >= 0);
    assert_int_equal(stat(lk, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_int_equal(atol(buf), (long)getpid());

    /* A second taker (another open file description) is told who. */
    assert_int_equal(bal__lock_take(ctx, lk, &fd2), 0);
    assert_int_equal(fd2, -1);
    snprintf(msg, sizeof(msg), "another rebalance (pid %ld) holds the lock "
             "%s; nothing done", (long)getpid(), lk);
    assert_string_equal(tu_last(&lg), msg);
    bal__lock_release(fd);

    /* Released: emptied, and free to take. */
    assert_int_equal(stat(lk, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(bal__lock_take(ctx, lk, &fd), 0);
    assert_true(fd >= 0);
    bal__lock_release(fd);

    /* Held by someone who wrote nothing (flock(1)). */
    other = open(lk, O_RDONLY);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_EX), 0);
    assert_int_equal(bal__lock_take(ctx, lk, &fd), 0);
    assert_int_equal(fd, -1);
    snprintf(msg, sizeof(msg), "another process holds the lock %s; nothing "
             "done", lk);
    assert_string_equal(tu_last(&lg), msg);
    close(other);

    /* Refused: writable by others, a link, relative. */
    assert_int_equal(chmod(lk, 0620), 0);
    assert_int_equal(bal__lock_take(ctx, lk, &fd), BAL_ECONFIG);
    snprintf(msg, sizeof(msg), "%s: lock file is writable by group or others "
             "(mode 0620); refused: chmod 600 it", lk);
    assert_string_equal(tu_last(&lg), msg);
    assert_int_equal(chmod(lk, 0644), 0);
    assert_int_equal(symlink(lk, link), 0);
    assert_int_equal(bal__lock_take(ctx, link, &fd), BAL_ECONFIG);
    snprintf(msg, sizeof(msg), "%s: lock file is a symbolic link; refused",
             link);
    assert_string_equal(tu_last(&lg), msg);
    assert_int_equal(bal__lock_take(ctx, "run/x.lock", &fd), BAL_ECONFIG);
    assert_string_equal(tu_last(&lg),
                        "lock file `run/x.lock' is not an absolute path");
    assert_int_equal(fd, -1);

    assert_true(bal__mode_unsafe(0602));
    assert_false(bal__mode_unsafe(0755));

    rm_rf(d);
    free(d);
    free(lk);
    free(link);
    bal_ctx_free(ctx);
}

/* ---- the journal ---------------------------------------------------------- */

static int open_state(bal_ctx *ctx, const char *d, char **sd_r)
{
    int fd = -1;

    *sd_r = join(d, "state");
    assert_int_equal(bal__state_dir_open(ctx, *sd_r, &fd), 0);
    return fd;
}

static void test_journal_roundtrip(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *sd, *path;
    int dirfd = open_state(ctx, d, &sd);
    bal__journal j;
    bal__jread r;
    bal__move a = move(UUID1, "web server", "HostA", "HostB");
    bal__move b = move(UUID2, "db%1", "HostB", "HostA");
    struct stat st;

    bal__journal_init(&j);
    bal__jread_init(&r);
    assert_false(bal__journal_exists(dirfd));
    assert_int_equal(bal__journal_create(ctx, dirfd, sd, &j), 0);
    assert_true(bal__journal_exists(dirfd));
    path = join(sd, "journal");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Only one run at a time has a journal: O_EXCL. */
    {
        bal__journal j2;

        bal__journal_init(&j2);
        assert_int_equal(bal__journal_create(ctx, dirfd, sd, &j2), BAL_EIO);
    }

    assert_int_equal(bal__journal_add(ctx, &j, "planned", &a, "0"), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "planned", &b, "1"), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "started", &a, NULL), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "ended", &a, "0"), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "verified", &a, "done"), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "started", &b, NULL), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "ended", &b, "-15"), 0);
    assert_int_equal(bal__journal_halt(ctx, &j), 0);
    assert_int_equal(bal__journal_sync(ctx, &j), 0);
    bal__journal_close(&j);

    assert_int_equal(bal__journal_read(ctx, dirfd, sd, &r), 0);
    assert_int_equal(r.pid, (long)getpid());
    assert_true(r.start > 1e9);
    assert_true(r.halted);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.moves[0].mv.vm, "web server");  /* blanks kept */
    assert_string_equal(r.moves[0].mv.uuid, UUID1);
    assert_string_equal(r.moves[0].mv.from, "HostA");
    assert_string_equal(r.moves[0].mv.to, "HostB");
    assert_int_equal(r.moves[0].wave, 0);
    assert_true(r.moves[0].started && r.moves[0].ended &&
                r.moves[0].verified);
    assert_string_equal(r.moves[0].state, "done");
    assert_string_equal(r.moves[1].mv.vm, "db%1");
    assert_int_equal(r.moves[1].wave, 1);
    assert_true(r.moves[1].started && r.moves[1].ended);
    assert_false(r.moves[1].verified);
    assert_int_equal(r.moves[1].rc, BAL_EUNDEFINED);
    bal__jread_dispose(&r);

    /* A recovering run appends; removing syncs the directory. */
    assert_int_equal(bal__journal_reopen(ctx, dirfd, sd, &j), 0);
    assert_int_equal(bal__journal_add(ctx, &j, "found", &b, "source"), 0);
    assert_int_equal(bal__journal_sync(ctx, &j), 0);
    assert_int_equal(bal__journal_read(ctx, dirfd, sd, &r), 0);
    assert_string_equal(r.moves[1].found, "source");
    bal__jread_dispose(&r);
    assert_int_equal(bal__journal_remove(ctx, &j), 0);
    assert_false(bal__journal_exists(dirfd));
    assert_int_equal(lg.nerrors, 1);    /* the O_EXCL refusal only */

    close(dirfd);
    rm_rf(d);
    free(d);
    free(sd);
    free(path);
    bal_ctx_free(ctx);
}

/* A journal with the given text; its read's rc and last message. */
static void expect_journal(const char *text, int rc, const char *msg)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *sd, *path, want[700];
    int dirfd = open_state(ctx, d, &sd);
    bal__jread r;

    bal__jread_init(&r);
    path = join(sd, "journal");
    write_file(path, text, 0600);
    assert_int_equal(bal__journal_read(ctx, dirfd, sd, &r), rc);
    if (msg) {
        snprintf(want, sizeof(want), "%s%s", path, msg);
        assert_string_equal(tu_last(&lg), want);
    }
    if (!rc) {
        /* Torn lines leave the moves they would have changed as before. */
        assert_int_equal(r.n, 1);
        assert_false(r.moves[0].started);
    } else {
        assert_int_equal(r.n, 0);
    }
    bal__jread_dispose(&r);
    close(dirfd);
    rm_rf(d);
    free(d);
    free(sd);
    free(path);
    bal_ctx_free(ctx);
}

#define HDR "xl-balance-journal 1 4242 1767225600.000\n"
#define PLANNED "planned 1767225601.000 " UUID1 " HostA HostB 0 vm1\n"

static void test_journal_bad(void **state)
{
    /* The run died writing a line: the line did not happen. */
    expect_journal(HDR PLANNED "started 1767225602.0 " UUID1 " Ho", 0,
                   ":3: incomplete last line ignored");
    expect_journal("xl-balance-journal 2 1 1.0\n", BAL_EIO,
                   ":1: unknown journal version");
    expect_journal("hello\n", BAL_EIO, ":1: not a journal of xl-balance");
    expect_journal(HDR "started 1767225602.0 " UUID1 " HostA HostB - vm1\n",
                   BAL_EIO, ":2: record of a VM never planned");
    expect_journal(HDR PLANNED PLANNED, BAL_EIO, ":3: VM planned twice");
    expect_journal(HDR "planned 1.0 not-a-uuid HostA HostB 0 vm1\n", BAL_EIO,
                   ":2: bad UUID");
    expect_journal(HDR "planned x " UUID1 " HostA HostB 0 vm1\n", BAL_EIO,
                   ":2: bad time");
    expect_journal(HDR PLANNED "ended 2.0 " UUID1 " HostA HostB 3 vm1\n",
                   BAL_EIO, ":3: bad rc");
    expect_journal(HDR PLANNED "moved 2.0 " UUID1 " HostA HostB - vm1\n",
                   BAL_EIO, ":3: unknown record");
    expect_journal(HDR "planned 2.0 " UUID1 " Host%4 HostB 0 vm1\n", BAL_EIO,
                   ":2: bad host or VM name");
    expect_journal(HDR "planned 2.0 " UUID1 " HostA HostB 0\n", BAL_EIO,
                   ":2: not a record of 7 fields");
}

/* An empty journal (the run died creating it) holds nothing. */
static void test_journal_empty(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *sd, *path;
    int dirfd = open_state(ctx, d, &sd);
    bal__jread r;

    bal__jread_init(&r);
    path = join(sd, "journal");
    write_file(path, "", 0600);
    assert_int_equal(bal__journal_read(ctx, dirfd, sd, &r), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.pid, 0);
    assert_int_equal(lg.nerrors, 0);
    bal__jread_dispose(&r);
    close(dirfd);
    rm_rf(d);
    free(d);
    free(sd);
    free(path);
    bal_ctx_free(ctx);
}

/* ---- the history ------------------------------------------------------------ */

static bal__hist hist(double t, const char *uuid, const char *from,
                      const char *to)
{
    bal__hist h;

    memset(&h, 0, sizeof(h));
    h.time = t;
    snprintf(h.uuid, sizeof(h.uuid), "%s", uuid);
    snprintf(h.vm, sizeof(h.vm), "vm \"one\"");
    snprintf(h.from, sizeof(h.from), "%s", from);
    snprintf(h.to, sizeof(h.to), "%s", to);
    h.type = BAL_TYPE_IO;
    h.duration_s = 40.1;
    h.downtime_s = 0.118;
    h.gain = NAN;
    h.predicted = NAN;
    return h;
}

static void test_history(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *d = tmpdir(), *sd, *path, want[600];
    int dirfd = open_state(ctx, d, &sd), n = 0, i, total;
    bal__hist h[2], *got = NULL;
    struct stat st;
    FILE *f;

    path = join(sd, "history");
    /* No file yet: an empty history. */
    assert_int_equal(bal__history_load(ctx, path, &got, &n), 0);
    assert_int_equal(n, 0);
    free(got);

    h[0] = hist(1767225600.5, UUID1, "HostA", "HostB");
    h[0].rates = true;
    h[0].cpu_pct_before = 6.33;
    h[0].cpu_pct_after = 12.31;
    h[0].disk_Bps_before = 7817011;
    h[0].disk_Bps_after = 15632282;
    h[0].gain = 0.9998;
    h[0].predicted = 0.95;
    h[1] = hist(1767225700.25, UUID2, "HostB", "HostA");
    assert_int_equal(bal__history_append(ctx, dirfd, sd, h, 2), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    assert_int_equal(bal__history_load(ctx, path, &got, &n), 0);
    assert_int_equal(n, 2);
    assert_true(got[0].time == 1767225600.5);
    assert_string_equal(got[0].uuid, UUID1);
    assert_string_equal(got[0].vm, "vm \"one\"");
    assert_string_equal(got[0].from, "HostA");
    assert_string_equal(got[0].to, "HostB");
    assert_int_equal(got[0].type, BAL_TYPE_IO);
    assert_true(got[0].rates);
    assert_true(fabs(got[0].cpu_pct_after - 12.31) < 1e-9);
    assert_true(got[0].disk_Bps_after == 15632282);
    assert_true(fabs(got[0].gain - 0.9998) < 1e-9);
    assert_true(fabs(got[0].predicted - 0.95) < 1e-9);
    assert_false(got[1].rates);
    assert_true(isnan(got[1].gain) && isnan(got[1].predicted));
    assert_true(got[1].time == 1767225700.25);
    free(got);

    /* A line that is not a record is skipped, the others kept. */
    f = fopen(path, "a");
    assert_non_null(f);
    fputs("{\"time\":1,\"uuid\":\"x\"}\nnot json\n", f);
    fclose(f);
    assert_int_equal(bal__history_load(ctx, path, &got, &n), 0);
    assert_int_equal(n, 2);
    snprintf(want, sizeof(want), "%s:4: not a migration record; skipped",
             path);
    assert_string_equal(tu_last(&lg), want);
    free(got);

    /* Bounded: past the limit it keeps its newest half, whole lines. */
    for (i = 0; i < 2000; i++) {
        h[0].time = 1767300000 + i;
        assert_int_equal(bal__history_append(ctx, dirfd, sd, h, 1), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size <= BAL__HISTORY_MAX_BYTES);
    }
    assert_int_equal(bal__history_load(ctx, path, &got, &n), 0);
    total = n;
    assert_true(total > 100 && total < 2000);
    assert_true(got[total - 1].time == 1767300000 + 1999);   /* newest */
    for (i = 1; i < total; i++)
        assert_true(got[i].time == got[i - 1].time + 1);     /* no gap */
    free(got);

    close(dirfd);
    rm_rf(d);
    free(d);
    free(sd);
    free(path);
    bal_ctx_free(ctx);
}

static void test_time(void **state)
{
    char buf[40];

    assert_string_equal(bal__fmt_time(1767225600.9, buf, sizeof(buf)),
                        "2026-01-01 00:00:00 UTC");
    assert_true(bal__wall_time() > 1.6e9);
}

/* Durations as people read them: no exponent, no raw seconds past 100. */
static void test_duration(void **state)
{
    static const struct { double s; const char *want; } cases[] = {
        { 0.0508, "0.0508 s" }, { 15.84, "15.8 s" }, { 99.9, "99.9 s" },
        { 99.96, "1.67 min" }, { 129, "2.15 min" }, { 400, "6.67 min" },
        { 3600, "60 min" }, { 7200, "2 h" }, { 86400, "24 h" },
        { 9e5, "10.4 d" }, { 1e9, "11574 d" }, { -30, "-30 s" },
        { 0, "0 s" }, { INFINITY, "never" }, { NAN, "?" },
    };
    char buf[32];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(bal__fmt_duration(cases[i].s, buf, sizeof(buf)),
                            cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_dir),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_journal_roundtrip),
        cmocka_unit_test(test_journal_bad),
        cmocka_unit_test(test_journal_empty),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_duration),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
