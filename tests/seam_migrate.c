/*
 * seam_migrate.c - the sender's side of `xl migrate` (migrate_proto.c,
 * migrate_xl.c) against a receiver double that plays `xl migrate-receive`
 * byte for byte: in a forked child over pipes (the engine alone, with a
 * table of domain operations that record their calls), or exec'd as the
 * transport (the whole path through migrate_xl.c and the fake libxl of
 * fake_libxl_migrate.c and fake_xen.c).
 *
 * Each case asserts what happened to the source VM: destroyed, resumed
 * (renamed back first if it was renamed away), or left alone; and that
 * no descriptor and no child process is left behind.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "migrate/migrate_seam.h"
#include "migrate/migrate_xl.h"
#include "fake_xen.h"
#include "fake_libxl_migrate.h"
#include "backend/backend.h"

#define UUID_WEB "abcdef01-2345-6789-0abc-def012345678"
#define UUID_DB  "11111111-2222-3333-4444-555555555555"
#define JSON "{\"c_info\":{\"name\":\"web\",\"domid\":0}}"
#define STREAM 100000           /* more than a pipe holds */
#define BIG_STREAM (256 * 1024)

static char self_path[PATH_MAX];   /* this binary: the exec'd double */

/* ==== the receiver double ============================================== */

typedef enum {
    RX_GOOD,
    RX_DIE_BEFORE_BANNER,
    RX_SILENT_BANNER,           /* says nothing until the stream ends */
    RX_BAD_BANNER,
    RX_DIE_AFTER_HEADER,
    RX_DIE_DURING_STREAM,
    RX_DIE_BEFORE_READY,
    RX_GARBAGE_READY,
    RX_DIE_AFTER_READY,         /* never reads the permission to start */
    RX_DIE_AFTER_GO,
    RX_SILENT_AFTER_GO,
    RX_GARBAGE_REPORT,
    RX_FAIL_GIVE_BACK,          /* its copy fails; destroys it, gives back */
    RX_FAIL_NO_GIVE_BACK,       /* its copy fails; says no more */
    RX_NMODES
} rx_mode;

static const char *const rx_names[RX_NMODES] = {
    "good", "die-before-banner", "silent-banner", "bad-banner",
    "die-after-header", "die-during-stream", "die-before-ready",
    "garbage-ready", "die-after-ready", "die-after-go", "silent-after-go",
    "garbage-report", "fail-give-back", "fail-no-give-back",
};

typedef struct rx_opts {
    rx_mode mode;
    bool dribble;               /* one byte per write: short reads */
    size_t stream;              /* bytes of memory to expect */
    const char *record;         /* file to append what came to */
} rx_opts;

static int rx_write(int fd, const void *buf, size_t n, bool dribble)
{
    const char *p = buf;

    while (n) {
        ssize_t w = write(fd, p, dribble ? 1 : n);

        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
        if (dribble) {
            struct timespec ts = { 0, 200000 };

            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

static int rx_read(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n) {
        ssize_t r = read(fd, p, n);

        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Until the sender closes the stream. */
static void rx_wait_eof(int fd)
{
    char buf[4096];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static void rx_rec(int recfd, const void *buf, size_t n)
{
    if (recfd >= 0 && write(recfd, buf, n) != (ssize_t)n) _exit(90);
}

/* Plays xl migrate-receive on in/out; its exit status. */
static int receiver_double(const rx_opts *o, int in, int out)
{
    static const char bad_banner[] =
        "xl migration receiver READY, send binary domain data.\n";
    static const char garbage_ready[] = "domain received, READY to unpause";
    static const char garbage_report[] =
        "my copy unpause RESULTS are as follows";
    unsigned char hdr[BAL__MIG_HEADER_LEN], buf[4096], status;
    char go[sizeof(BAL__MIG_GO)], line[64];
    unsigned char *opt;
    uint32_t optlen;
    size_t got, i;
    int recfd = -1;

    signal(SIGPIPE, SIG_IGN);
    if (o->record) recfd = open(o->record, O_WRONLY | O_APPEND | O_CLOEXEC);

    switch (o->mode) {
    case RX_DIE_BEFORE_BANNER:
        return 1;
    case RX_SILENT_BANNER:
        rx_wait_eof(in);
        return 1;
    case RX_BAD_BANNER:
        rx_write(out, bad_banner, sizeof(bad_banner) - 1, o->dribble);
        rx_wait_eof(in);
        return 1;
    default:
        break;
    }
    if (rx_write(out, BAL__MIG_BANNER, sizeof(BAL__MIG_BANNER) - 1,
                 o->dribble))
        return 2;

    /* The header and its optional data, as they came. */
    if (rx_read(in, hdr, sizeof(hdr))) return 3;
    rx_rec(recfd, hdr, sizeof(hdr));
    memcpy(&optlen, hdr + BAL__MIG_HEADER_LEN - 4, 4);
    if (optlen > 1 << 20) return 4;
    opt = malloc(optlen ? optlen : 1);
    if (!opt) return 5;
    if (rx_read(in, opt, optlen)) { free(opt); return 6; }
    rx_rec(recfd, opt, optlen);
    free(opt);
    if (o->mode == RX_DIE_AFTER_HEADER) return 1;

    /* The memory. */
    for (got = 0; got < o->stream; got += i) {
        size_t n = o->stream - got < sizeof(buf) ? o->stream - got
                                                 : sizeof(buf);

        if (o->mode == RX_DIE_DURING_STREAM && got >= 1024) return 1;
        if (rx_read(in, buf, n)) return 7;
        for (i = 0; i < n; i++)
            if (buf[i] != fm_stream_byte(got + i)) return 8;
    }
    snprintf(line, sizeof(line), "\nstream=%zu ok\n", got);
    rx_rec(recfd, line, strlen(line));
    if (o->mode == RX_DIE_BEFORE_READY) return 1;

    if (o->mode == RX_GARBAGE_READY) {
        rx_write(out, garbage_ready, sizeof(garbage_ready), o->dribble);
        rx_wait_eof(in);
        return 1;
    }
    if (rx_write(out, BAL__MIG_READY, sizeof(BAL__MIG_READY), o->dribble))
        return 9;
    if (o->mode == RX_DIE_AFTER_READY) return 1;

    if (rx_read(in, go, sizeof(go)) || memcmp(go, BAL__MIG_GO, sizeof(go))) {
        rx_rec(recfd, "no-go\n", 6);
        return 1;
    }
    rx_rec(recfd, "go\n", 3);
    if (o->mode == RX_DIE_AFTER_GO) return 1;
    if (o->mode == RX_SILENT_AFTER_GO) {
        rx_wait_eof(in);
        return 1;
    }
    if (o->mode == RX_GARBAGE_REPORT) {
        rx_write(out, garbage_report, sizeof(garbage_report), o->dribble);
        return 1;
    }
    if (rx_write(out, BAL__MIG_REPORT, sizeof(BAL__MIG_REPORT), o->dribble))
        return 10;
    status = o->mode == RX_FAIL_GIVE_BACK ||
             o->mode == RX_FAIL_NO_GIVE_BACK ? 3 : 0;
    if (rx_write(out, &status, 1, o->dribble)) return 11;
    if (o->mode == RX_FAIL_GIVE_BACK)
        rx_write(out, BAL__MIG_GO, sizeof(BAL__MIG_GO), o->dribble);
    if (recfd >= 0) close(recfd);
    return status ? 1 : 0;
}

/* The exec'd double: SELF --receiver-double MODE RECORD STREAM HOST CMD..
 * (what the transport argv becomes).  Records its argv tail too. */
static int receiver_main(int argc, char **argv)
{
    rx_opts o = { RX_NMODES, false, 0, NULL };
    char line[512] = "argv=";
    int i, fd;

    if (argc < 6) return 64;
    for (i = 0; i < RX_NMODES; i++)
        if (!strcmp(argv[2], rx_names[i])) o.mode = (rx_mode)i;
    if (o.mode == RX_NMODES) return 64;
    o.record = argv[3];
    o.stream = strtoul(argv[4], NULL, 10);
    for (i = 5; i < argc; i++) {
        strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
        strcat(line, i + 1 < argc ? " " : "\n");
    }
    fd = open(o.record, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, line, strlen(line)) < 0) return 65;
        close(fd);
    }
    /* To the sender's log (a memfd there). */
    fprintf(stderr, "receiver double: %s\n", argv[2]);
    fflush(stderr);
    return receiver_double(&o, 0, 1);
}

/* ==== fixtures ========================================================== */

static int nfds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;               /* the DIR's own */
}

static int fds_before;
static char *record;            /* what the double received */

static int setup(void **state)
{
    fx_reset();
    fm_reset();
    record = tu_tmpfile("");
    fds_before = nfds();
    return 0;
}

static int teardown(void **state)
{
    sigset_t mask, pending;

    /* No descriptor, no child, no SIGPIPE left behind. */
    assert_int_equal(nfds(), fds_before);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
    assert_false(sigismember(&mask, SIGPIPE));
    assert_int_equal(sigpending(&pending), 0);
    assert_false(sigismember(&pending, SIGPIPE));
    assert_int_equal(fm.configs, 0);
    unlink(record);
    free(record);
    record = NULL;
    return 0;
}

static char *slurp(const char *path, size_t *len_r)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 16);
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    if (len_r) *len_r = n;
    return buf;
}

/* The header and optional data xl writes for json, built by hand. */
static size_t expected_header(unsigned char *buf, const char *json)
{
    uint32_t jlen = (uint32_t)strlen(json) + 1;
    uint32_t v[5] = { 0x01020304u, 0x3u, 0, 4 + jlen, jlen };

    memcpy(buf, "Xen saved domain, xl format\n \0 \r", 32);
    memcpy(buf + 32, v, sizeof(v));
    memcpy(buf + 52, json, jlen);
    return 52 + jlen;
}

/* The record holds exactly the expected header first. */
static void assert_header_received(const char *rec, size_t len,
                                   const char *json)
{
    unsigned char want[1024];
    size_t n = expected_header(want, json);

    assert_true(len >= n);
    assert_memory_equal(rec, want, n);
}

/* ==== the engine against a forked double ================================ */

static bal__mig_progress *eng_prog;

static void eng_progress(xentoollog_logger *lg, const char *context,
                         const char *doing_what, int percent,
                         unsigned long done, unsigned long total)
{
    bal__mig_progress_note(eng_prog, context, doing_what, done, total);
}

static xentoollog_logger eng_logger = { NULL, eng_progress, NULL };
static pid_t eng_double;        /* for t_rename's wait */
static bool rename_waits_for_double;

/* The table: the fake libxl's calls (recorded in fm.calls). */
static int t_suspend(void *h, uint32_t domid, int fd, int flags,
                     bal__mig_progress *prog)
{
    int rc;

    eng_prog = prog;
    fm.logger = &eng_logger;
    rc = libxl_domain_suspend(NULL, domid, fd, flags, NULL);
    fm.logger = NULL;
    eng_prog = NULL;
    return rc;
}

static int t_rename(void *h, uint32_t domid, const char *o, const char *n)
{
    /* Makes "the receiver went away after ready" deterministic: it is
     * gone (a zombie, for the engine to reap) before the go is sent. */
    if (rename_waits_for_double) {
        siginfo_t si;

        waitid(P_PID, (id_t)eng_double, &si, WEXITED | WNOWAIT);
    }
    return libxl_domain_rename(NULL, domid, o, n);
}

static int t_resume(void *h, uint32_t domid)
{
    return libxl_domain_resume(NULL, domid, 1, NULL);
}

static int t_destroy(void *h, uint32_t domid)
{
    return libxl_domain_destroy(NULL, domid, NULL);
}

static int t_suspended(void *h, uint32_t domid)
{
    libxl_dominfo info;
    int s;

    libxl_dominfo_init(&info);
    s = libxl_domain_info(NULL, &info, domid) ? -1 : info.shutdown;
    libxl_dominfo_dispose(&info);
    return s;
}

static const bal__mig_ops t_ops = {
    t_suspend, t_rename, t_resume, t_destroy, t_suspended,
};

/* One migration of "web" (domid 7) hostA -> hostB against a double
 * forked in mode. */
static int engine(bal_ctx *ctx, rx_mode mode, bool dribble, size_t stream,
                  double timeout_s, bal__move_result *res)
{
    int to_rx[2], from_rx[2], rc;
    bal__mig_progress prog;
    bal__mig_chan chan;
    bal__mig_job job = {
        .domid = 7, .name = "web", .uuid = UUID_WEB, .from = "hostA",
        .to = "hostB", .config_json = JSON, .timeout_s = timeout_s,
        .exit_wait_s = 5,
    };
    pid_t pid;

    fm.stream_bytes = stream;
    assert_int_equal(pipe2(to_rx, O_CLOEXEC), 0);
    assert_int_equal(pipe2(from_rx, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rx_opts o = { mode, dribble, stream, record };

        close(to_rx[1]);
        close(from_rx[0]);
        _exit(receiver_double(&o, to_rx[0], from_rx[1]));
    }
    close(to_rx[0]);
    close(from_rx[1]);
    eng_double = pid;

    bal__mig_chan_init(&chan);
    chan.proc.in_fd = to_rx[1];
    chan.proc.out_fd = from_rx[0];
    chan.proc.pid = pid;
    chan.proc.argv0 = "receiver-double";
    memset(res, 0, sizeof(*res));
    bal__mig_progress_init(&prog, ctx, "web");
    rc = bal__mig_run(ctx, &t_ops, NULL, &job, &chan, &prog, res);
    assert_int_equal(res->rc, rc);
    /* Everything of the channel is closed and reaped, whatever happened. */
    assert_int_equal(chan.proc.in_fd, -1);
    assert_int_equal(chan.proc.out_fd, -1);
    assert_int_equal(chan.proc.pid, -1);
    rename_waits_for_double = false;
    return rc;
}

#define WHO "migrate web (" UUID_WEB ") hostA -> hostB: "
#define UNTOUCHED "; web was not touched and keeps running on hostA"
#define RESUMED "; web resumed on hostA"
#define UNDEFINED_TAIL \
    ", after the permission to start was sent; web may now be running " \
    "on neither host or on both: check `xl list` on hostA " \
    "(web--migratedaway, domid 7) and on hostB (web or web--incoming), " \
    "keep exactly one copy, rename it back to web, and let nothing else " \
    "touch this VM until then"

static void test_header_bytes(void **state)
{
    static const unsigned char want[] = {
        'X', 'e', 'n', ' ', 's', 'a', 'v', 'e', 'd', ' ', 'd', 'o', 'm',
        'a', 'i', 'n', ',', ' ', 'x', 'l', ' ', 'f', 'o', 'r', 'm', 'a',
        't', '\n', ' ', '\0', ' ', '\r',
    };
    unsigned char *buf = NULL;
    size_t len = 0;
    uint32_t u;

    assert_int_equal(bal__mig_header("{}", &buf, &len), 0);
    assert_int_equal(len, 32 + 16 + 4 + 3);
    assert_memory_equal(buf, want, 32);
    memcpy(&u, buf + 32, 4);
    assert_int_equal(u, 0x01020304u);        /* byte order marker */
    memcpy(&u, buf + 36, 4);
    assert_int_equal(u, 3);                  /* JSON | STREAMv2 */
    memcpy(&u, buf + 40, 4);
    assert_int_equal(u, 0);                  /* no optional flags */
    memcpy(&u, buf + 44, 4);
    assert_int_equal(u, 4 + 3);              /* optional data */
    memcpy(&u, buf + 48, 4);
    assert_int_equal(u, 3);                  /* the config, NUL included */
    assert_memory_equal(buf + 52, "{}", 3);
    free(buf);
}

static void test_progress(void **state)
{
    bal__mig_progress p;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    bal__mig_progress_init(&p, ctx, "web");
    bal__mig_progress_note(&p, "xc", "Start of stream", 0, 0);
    assert_int_equal(p.rounds, 0);
    bal__mig_progress_note(&p, "xc", "Frames iteration 0", 0, 1000);
    bal__mig_progress_note(&p, "xc", "Frames iteration 0", 1000, 1000);
    bal__mig_progress_note(&p, "xc", "Frames iteration 1", 0, 30);
    bal__mig_progress_note(&p, "xc", "Frames iteration 1", 30, 30);
    bal__mig_progress_note(&p, "xc", "Frames iteration 2", 7, 9);
    assert_int_equal(p.rounds, 3);
    assert_int_equal(p.suspended_ns, 0);
    /* The final round: same number as the last live one, after the
     * guest was suspended. */
    bal__mig_progress_note(&p, "xc", "Domain now suspended", 0, 0);
    assert_true(p.suspended_ns > 0);
    bal__mig_progress_note(&p, "xc", "Frames iteration 2", 0, 4);
    bal__mig_progress_note(&p, "xc", "Frames iteration 2", 4, 4);
    assert_int_equal(p.rounds, 4);
    assert_true(p.final_round);
    assert_int_equal(bal__mig_progress_pages(&p), 1000 + 30 + 7 + 4);
    bal__mig_progress_note(&p, "xc", "Frames iteration 3x", 1, 1);
    assert_int_equal(p.rounds, 4);
    assert_string_equal(lg.buf, "");         /* progress is INFO */
    bal_ctx_free(ctx);
}

#define SEC 1000000000ull

/* The dirty rate from libxc's rounds: what rounds >= 2 sent (their
 * totals: the dirty frames) over the time the rounds before them took. */
static void test_progress_dirty(void **state)
{
    bal__mig_progress p;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    uint64_t t0;
    double want = (92.0 + 328) * 4096 / 30.2;

    bal__mig_progress_init(&p, ctx, "web");
    t0 = p.start_ns;
    assert_true(isnan(bal__mig_progress_dirty_Bps(&p)));
    /* Round 1: the whole pfn range, 30 s. */
    bal__mig_progress_note_at(&p, t0, "xc", "Frames iteration 0", 0,
                              1044480);
    bal__mig_progress_note_at(&p, t0 + 15 * SEC, "xc", "Frames iteration 0",
                              522240, 1044480);
    bal__mig_progress_note_at(&p, t0 + 30 * SEC - 1, "xc",
                              "Frames iteration 0", 1044480, 1044480);
    /* One round only: nothing dirtied is known yet. */
    assert_true(isnan(bal__mig_progress_dirty_Bps(&p)));
    /* Round 2: the 92 frames dirtied during round 1, 0.2 s. */
    bal__mig_progress_note_at(&p, t0 + 30 * SEC, "xc", "Frames iteration 1",
                              0, 92);
    assert_true(fabs(bal__mig_progress_dirty_Bps(&p) /
                     (92.0 * 4096 / 30) - 1) < 1e-9);
    bal__mig_progress_note_at(&p, t0 + 30 * SEC + SEC / 10, "xc",
                              "Frames iteration 1", 92, 92);
    bal__mig_progress_note_at(&p, t0 + 30 * SEC + SEC / 5, "xc",
                              "Domain now suspended", 0, 0);
    /* The final round: numbered like the last live one. */
    bal__mig_progress_note_at(&p, t0 + 30 * SEC + SEC / 5, "xc",
                              "Frames iteration 1", 0, 328);
    bal__mig_progress_note_at(&p, t0 + 31 * SEC, "xc", "Frames iteration 1",
                              328, 328);
    assert_int_equal(p.rounds, 3);
    assert_true(p.final_round);
    assert_true(fabs(bal__mig_progress_dirty_Bps(&p) / want - 1) < 0.01);
    /* Noise after the end changes nothing. */
    bal__mig_progress_note_at(&p, t0 + 32 * SEC, "xc", "Frames iteration x",
                              1, 1);
    assert_true(fabs(bal__mig_progress_dirty_Bps(&p) / want - 1) < 0.01);
    assert_true(isnan(bal__mig_progress_dirty_Bps(NULL)));

    /* Two rounds begun at the same instant: no time, no rate. */
    bal__mig_progress_init(&p, ctx, "web");
    bal__mig_progress_note_at(&p, p.start_ns, "xc", "Frames iteration 0", 0,
                              10);
    bal__mig_progress_note_at(&p, p.start_ns, "xc", "Frames iteration 1", 0,
                              5);
    assert_int_equal(p.rounds, 2);
    assert_true(isnan(bal__mig_progress_dirty_Bps(&p)));
    assert_string_equal(lg.buf, "");
    bal_ctx_free(ctx);
}

/* Every line, INFO included. */
typedef struct info_log {
    char buf[16384];
    size_t len;
} info_log;

static void info_fn(void *opaque, bal_log_level level, const char *msg)
{
    info_log *l = opaque;
    int n;

    (void)level;
    n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s\n", msg);
    if (n > 0 && (size_t)n < sizeof(l->buf) - l->len) l->len += (size_t)n;
}

/* The sender measures the dirty rate, returns it and says it in its
 * "done" line. */
static void test_good_dirty(void **state)
{
    bal__move_result res;
    info_log il;
    bal_ctx *ctx = NULL;
    const char *done, *dirt;
    double mbs;

    memset(&il, 0, sizeof(il));
    assert_int_equal(bal_ctx_alloc(info_fn, &il, BAL_LOG_INFO, &ctx), 0);
    fm.progress = true;
    assert_int_equal(engine(ctx, RX_GOOD, false, STREAM, 5, &res), 0);
    assert_int_equal(res.rounds, 3);
    /* 25 frames of rounds 2 and 3 over the first two rounds (>= 2 ms). */
    assert_true(isfinite(res.dirty_Bps));
    assert_true(res.dirty_Bps > 0 && res.dirty_Bps <= 25.0 * 4096 / 0.002);
    done = strstr(il.buf, "migrate web (" UUID_WEB ") hostA -> hostB: done "
                  "in ");
    assert_non_null(done);
    assert_non_null(strstr(done, " s, 3 rounds, downtime "));
    dirt = strstr(done, " s, dirtying ");
    assert_non_null(dirt);
    assert_true(dirt < strchr(done, '\n'));
    assert_int_equal(sscanf(dirt, " s, dirtying %lf MB/s\n", &mbs), 1);
    assert_true(fabs(mbs - res.dirty_Bps / 1e6) < 0.006);
    bal_ctx_free(ctx);
}

static void good_run(bool dribble)
{
    bal__move_result res;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fm.progress = true;
    assert_int_equal(engine(ctx, RX_GOOD, dribble, STREAM, 5, &res), 0);
    /* Suspended live into the stream, renamed away, destroyed: nothing
     * else, in that order. */
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway) destroy(7)");
    assert_int_equal(fm.suspend_flags, BAL__MIG_SUSPEND_LIVE);
    assert_true(fm.suspend_fd >= 0);
    rec = slurp(record, &len);
    assert_header_received(rec, len, JSON);
    assert_non_null(strstr(rec + 52 + sizeof(JSON), "\nstream=100000 ok\n"
                           "go\n"));
    free(rec);
    assert_string_equal(lg.buf, "");
    assert_int_equal(res.rounds, 3);
    assert_int_equal(res.bytes, 0);      /* frames scanned != bytes sent */
    assert_true(res.dirty_Bps > 0);
    assert_true(res.downtime_s > 0);
    assert_true(res.end_s >= res.downtime_s);
    bal_ctx_free(ctx);
}

static void test_good(void **state)
{
    good_run(false);
}

/* Every message a byte at a time: the sender reads short. */
static void test_good_dribble(void **state)
{
    good_run(true);
}

static void test_bad_banner(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_BAD_BANNER, true, STREAM, 5, &res),
                     BAL_EPEER);
    assert_string_equal(fm.calls, "");
    assert_true(isnan(res.dirty_Bps));       /* no round: not measured */
    assert_string_equal(tu_last(&lg), WHO "the receiver sent \"xl "
                        "migration receiver READY, send binary\" instead of "
                        "the banner" UNTOUCHED);
    bal_ctx_free(ctx);
}

static void test_die_before_banner(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_DIE_BEFORE_BANNER, false, STREAM, 5,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(fm.calls, "");
    /* The double's exit status comes first, as a warning. */
    assert_string_equal(lg.buf, "migrate web: receiver on hostB: "
                        "receiver-double exited with status 1\n"
                        WHO "the receiver closed the stream before the "
                        "banner (0 of 54 bytes came)" UNTOUCHED);
    assert_int_equal(lg.nerrors, 1);
    bal_ctx_free(ctx);
}

static void test_silent_banner(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_SILENT_BANNER, false, STREAM, 0.2,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(fm.calls, "");
    assert_string_equal(tu_last(&lg), WHO "no banner from the receiver "
                        "within 0.2 s" UNTOUCHED);
    bal_ctx_free(ctx);
}

/* The receiver goes while the memory is sent: libxl's write fails; the
 * VM runs again where it was. */
static void test_die_after_header(void **state)
{
    bal__move_result res;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_DIE_AFTER_HEADER, false, BIG_STREAM, 5,
                            &res), BAL_EXEN);
    assert_string_equal(fm.calls, "suspend(7,LIVE) suspend-write-failed "
                        "resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "libxl_domain_suspend failed "
                        "(rc=-3)" RESUMED);
    rec = slurp(record, &len);
    assert_header_received(rec, len, JSON);
    assert_int_equal(len, 52 + sizeof(JSON));
    free(rec);
    bal_ctx_free(ctx);
}

static void test_die_during_stream(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    /* More than a pipe holds: the fake's write blocks until the double
     * is gone, then fails with EPIPE, not with a SIGPIPE that kills us
     * (teardown checks none is left pending). */
    assert_int_equal(engine(ctx, RX_DIE_DURING_STREAM, false, BIG_STREAM,
                            5, &res), BAL_EXEN);
    assert_string_equal(fm.calls, "suspend(7,LIVE) suspend-write-failed "
                        "resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "libxl_domain_suspend failed "
                        "(rc=-3)" RESUMED);
    bal_ctx_free(ctx);
}

/* As xl: a guest that did not suspend in time is not resumed. */
static void test_guest_timeout(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fm.suspend_rc = ERROR_GUEST_TIMEDOUT;
    assert_int_equal(engine(ctx, RX_GOOD, false, STREAM, 5, &res),
                     BAL_EXEN);
    assert_string_equal(fm.calls, "suspend(7,LIVE)");
    assert_string_equal(tu_last(&lg), WHO "the guest did not suspend in "
                        "time (libxl_domain_suspend rc=-8); like xl, not "
                        "resuming it: it should still be running on hostA, "
                        "check with `xl list` there");
    bal_ctx_free(ctx);
}

static void test_die_before_ready(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_DIE_BEFORE_READY, false, STREAM, 5,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(fm.calls, "suspend(7,LIVE) resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "the receiver closed the stream "
                        "before the ready message (0 of 34 bytes came)"
                        RESUMED);
    bal_ctx_free(ctx);
}

static void test_garbage_ready(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_GARBAGE_READY, true, STREAM, 5, &res),
                     BAL_EPEER);
    assert_string_equal(fm.calls, "suspend(7,LIVE) resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "the receiver sent \"domain "
                        "received, READY to unpause\\x00\" instead of the "
                        "ready message" RESUMED);
    bal_ctx_free(ctx);
}

static void test_rename_fails(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fm.rename_rc = ERROR_FAIL;
    assert_int_equal(engine(ctx, RX_GOOD, false, STREAM, 5, &res),
                     BAL_EXEN);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway) resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "renaming it to "
                        "web--migratedaway failed (libxl rc=-3)" RESUMED);
    bal_ctx_free(ctx);
}

/* The permission to start could not be sent: the receiver cannot have it
 * whole, so cannot start its copy; ours gets its name back and runs. */
static void test_die_after_ready(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    rename_waits_for_double = true;
    assert_int_equal(engine(ctx, RX_DIE_AFTER_READY, false, STREAM, 5,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway) "
                        "rename(7,web--migratedaway,web) resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "sending the permission to "
                        "start: Broken pipe (the receiver is gone)" RESUMED);
    bal_ctx_free(ctx);
}

/* After the point of no return: neither destroyed nor resumed. */
static void test_die_after_go(void **state)
{
    bal__move_result res;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_DIE_AFTER_GO, false, STREAM, 5, &res),
                     BAL__EMIG_UNDEFINED);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway)");
    assert_string_equal(tu_last(&lg), WHO "STATE UNDEFINED: the receiver "
                        "closed the stream before the report (0 of 39 "
                        "bytes came)" UNDEFINED_TAIL);
    assert_int_equal(lg.nerrors, 1);
    rec = slurp(record, &len);
    assert_non_null(strstr(rec + 52 + sizeof(JSON), "go\n"));
    free(rec);
    bal_ctx_free(ctx);
}

static void test_silent_after_go(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_SILENT_AFTER_GO, false, STREAM, 0.2,
                            &res), BAL__EMIG_UNDEFINED);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway)");
    assert_string_equal(tu_last(&lg), WHO "STATE UNDEFINED: no report from "
                        "the receiver within 0.2 s" UNDEFINED_TAIL);
    bal_ctx_free(ctx);
}

static void test_garbage_report(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_GARBAGE_REPORT, false, STREAM, 5,
                            &res), BAL__EMIG_UNDEFINED);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway)");
    assert_string_equal(tu_last(&lg), WHO "STATE UNDEFINED: the receiver "
                        "sent \"my copy unpause RESULTS are as follows\\x00"
                        "\" instead of the report" UNDEFINED_TAIL);
    bal_ctx_free(ctx);
}

/* Its copy failed to start, it destroyed it and gave the VM back (xl's
 * protocol): ours gets its name back and runs on. */
static void test_fail_give_back(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_FAIL_GIVE_BACK, true, STREAM, 5, &res),
                     BAL_EXEN);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway) "
                        "rename(7,web--migratedaway,web) resume(7,fast)");
    assert_string_equal(tu_last(&lg), WHO "the receiver could not start "
                        "its copy (status 3: libxl error -3 there) and "
                        "destroyed it" RESUMED);
    bal_ctx_free(ctx);
}

/* It reported failure but did not give the VM back: its copy may exist,
 * so ours is not resumed. */
static void test_fail_no_give_back(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(engine(ctx, RX_FAIL_NO_GIVE_BACK, false, STREAM, 5,
                            &res), BAL__EMIG_UNDEFINED);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway)");
    assert_string_equal(tu_last(&lg), WHO "STATE UNDEFINED: the receiver "
                        "could not start its copy (status 3) and did not "
                        "give the VM back (the receiver closed the stream "
                        "before the permission to resume (0 of 44 bytes "
                        "came))" UNDEFINED_TAIL);
    bal_ctx_free(ctx);
}

/* Migrated; only the leftover copy could not be destroyed. */
static void test_destroy_fails(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fm.destroy_rc = ERROR_FAIL;
    assert_int_equal(engine(ctx, RX_GOOD, false, STREAM, 5, &res), 0);
    assert_string_equal(fm.calls, "suspend(7,LIVE) "
                        "rename(7,web,web--migratedaway) destroy(7)");
    assert_string_equal(lg.buf, WHO "it runs on hostB, but destroying the "
                        "old copy on hostA failed (libxl rc=-3): "
                        "web--migratedaway (domid 7) is left there "
                        "suspended; destroy it with `xl destroy 7`");
    assert_int_equal(lg.nerrors, 0);
    bal_ctx_free(ctx);
}

/* A resume that fails says whether the guest is still suspended. */
static void test_resume_fails(void **state)
{
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fm.resume_rc = ERROR_FAIL;
    assert_int_equal(engine(ctx, RX_DIE_BEFORE_READY, false, STREAM, 5,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(fm.calls, "suspend(7,LIVE) resume(7,fast) "
                        "info(7)");
    assert_string_equal(tu_last(&lg), WHO "the receiver closed the stream "
                        "before the ready message (0 of 34 bytes came); web "
                        "was not suspended and keeps running on hostA");
    bal_ctx_free(ctx);

    fm_reset();
    ctx = tu_ctx(&lg);
    fm.resume_rc = ERROR_FAIL;
    fm.suspended = true;
    assert_int_equal(engine(ctx, RX_DIE_BEFORE_READY, false, STREAM, 5,
                            &res), BAL_ETRANSPORT);
    assert_string_equal(tu_last(&lg), WHO "the receiver closed the stream "
                        "before the ready message (0 of 34 bytes came); "
                        "resuming web on hostA FAILED (libxl rc=-3) and it "
                        "is still suspended: check it there with `xl list` "
                        "(domid 7)");
    bal_ctx_free(ctx);
}

static void test_invalid(void **state)
{
    bal__move_result res;
    bal__mig_progress prog;
    bal__mig_chan chan;
    int p[2];
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    bal__mig_chan_init(&chan);
    chan.proc.in_fd = p[1];
    chan.proc.out_fd = p[0];
    bal__mig_progress_init(&prog, ctx, "web");
    assert_int_equal(bal__mig_run(ctx, &t_ops, NULL, NULL, &chan, &prog,
                                  &res), BAL_EINVAL);
    assert_string_equal(lg.buf, "migrate: invalid arguments");
    /* Shut down all the same (teardown counts the descriptors). */
    assert_int_equal(chan.proc.in_fd, -1);
    assert_int_equal(chan.proc.out_fd, -1);
    assert_string_equal(fm.calls, "");
    bal_ctx_free(ctx);
}

/* ==== the whole path: migrate_xl.c, the double as the transport ========== */

static const unsigned char uuid_web[16] = {
    0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
    0x0a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78,
};
static const unsigned char uuid_db[16] = {
    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33,
    0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

/* dom0, web (domid 3), db (domid 4). */
static void fill_host(void)
{
    struct xenstat_domain *d;

    d = &fx.node.doms[fx.node.ndoms++];
    d->domid = 0;
    d->name = "Domain-0";
    d = &fx.node.doms[fx.node.ndoms++];
    d->domid = 3;
    d->name = "web";
    memcpy(d->uuid, uuid_web, 16);
    d = &fx.node.doms[fx.node.ndoms++];
    d->domid = 4;
    d->name = "db";
    memcpy(d->uuid, uuid_db, 16);
}

static void move_init(bal__move *m, const char *uuid, const char *vm)
{
    memset(m, 0, sizeof(*m));
    strcpy(m->uuid, uuid);
    strcpy(m->vm, vm);
    strcpy(m->from, "hostA");
    strcpy(m->to, "hostB");
}

static char stream_arg[32];
static char *transport[6];

/* The transport: this binary as the receiver double in mode. */
static void setup_init(bal__mig_setup *s, rx_mode mode, size_t stream)
{
    snprintf(stream_arg, sizeof(stream_arg), "%zu", stream);
    transport[0] = self_path;
    transport[1] = "--receiver-double";
    transport[2] = (char *)rx_names[mode];
    transport[3] = record;
    transport[4] = stream_arg;
    transport[5] = NULL;
    memset(s, 0, sizeof(*s));
    s->local_host = "hostA";
    s->transport = transport;
    s->ntransport = 5;
    s->timeout_s = 5;
    s->exit_wait_s = 5;
    fm.stream_bytes = stream;
}

static xentoollog_logger dummy_logger = { NULL, NULL, NULL };

static void test_xl_good(void **state)
{
    static const char json[] = "{\"c_info\":{\"name\":\"web\",\"domid\":0}}";
    bal__mig_setup s;
    bal__move mv;
    bal__move_result res;
    libxl_ctx *be_xl = NULL;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    fm.progress = true;
    setup_init(&s, RX_GOOD, STREAM);
    move_init(&mv, UUID_WEB, "web");
    assert_int_equal(libxl_ctx_alloc(&be_xl, LIBXL_VERSION, 0,
                                     &dummy_logger), 0);

    assert_int_equal(bal__migrate_xl(ctx, be_xl, &s, &mv, 1, &res), 0);
    assert_int_equal(res.rc, 0);
    assert_string_equal(fm.calls, "suspend(3,LIVE) "
                        "rename(3,web,web--migratedaway) destroy(3)");
    /* The caller's context and the migration's: both selective reap. */
    assert_int_equal(fm.nsetmode, 2);
    assert_int_equal(fm.setmode_owner,
                     libxl_sigchld_owner_libxl_always_selective_reap);
    rec = slurp(record, &len);
    /* HOST and the receive command follow the transport, as argv. */
    assert_true(!strncmp(rec, "argv=hostB /usr/sbin/xl migrate-receive\n",
                         40));
    /* The configuration libxl holds, domid 0 (the receiver picks one). */
    assert_header_received(rec + 40, len - 40, json);
    assert_non_null(strstr(rec + 40 + 52 + sizeof(json),
                           "\nstream=100000 ok\ngo\n"));
    free(rec);
    assert_int_equal(res.rounds, 3);
    assert_int_equal(res.bytes, 0);      /* frames scanned != bytes sent */
    assert_true(res.dirty_Bps > 0 && isfinite(res.dirty_Bps));
    assert_true(res.end_s >= res.start_s);
    assert_string_equal(lg.buf, "");
    /* Everything libxl handed out was given back; the caller's context is
     * the caller's. */
    assert_int_equal(fx.ctxs, 1);
    assert_int_equal(fx.lists, 0);
    libxl_ctx_free(be_xl);
    bal_ctx_free(ctx);
}

/* The UUID is not on this host: nothing is started, whatever the plan
 * calls it. */
static void test_xl_not_here(void **state)
{
    bal__mig_setup s;
    bal__move mv;
    bal__move_result res;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    setup_init(&s, RX_GOOD, STREAM);
    move_init(&mv, "99999999-2345-6789-0abc-def012345678", "web");
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, &mv, 1, &res), 0);
    assert_int_equal(res.rc, BAL_ENOENT);
    assert_string_equal(lg.buf, "migrate web (99999999-2345-6789-0abc-"
                        "def012345678) hostA -> hostB: no such domain on "
                        "hostA (gone, or the plan is stale); nothing done");
    assert_string_equal(fm.calls, "");
    rec = slurp(record, &len);
    assert_int_equal(len, 0);                /* no transport ran */
    free(rec);
    assert_int_equal(fx.ctxs, 0);
    assert_int_equal(fx.lists, 0);
    bal_ctx_free(ctx);
}

/* Refused before anything runs. */
static void xl_refused(const char *uuid, const char *vm, const char *from,
                       int want_rc, const char *want_msg)
{
    bal__mig_setup s;
    bal__move mv;
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    setup_init(&s, RX_GOOD, STREAM);
    move_init(&mv, uuid, vm);
    strcpy(mv.from, from);
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, &mv, 1, &res), 0);
    assert_int_equal(res.rc, want_rc);
    assert_string_equal(lg.buf, want_msg);
    assert_string_equal(fm.calls, "");
    assert_int_equal(fx.ctxs, 0);
    assert_int_equal(fx.lists, 0);
    bal_ctx_free(ctx);
}

static void test_xl_refused(void **state)
{
    fill_host();
    xl_refused(UUID_WEB, "web", "hostC", BAL_EINVAL, "migrate web (" UUID_WEB
               ") hostC -> hostB: this host is hostA, not hostC; nothing "
               "done");
    xl_refused("00000000-0000-0000-0000-000000000000", "Domain-0", "hostA",
               BAL_EINVAL, "migrate Domain-0 (00000000-0000-0000-0000-"
               "000000000000) hostA -> hostB: that is dom0, which never "
               "moves");
    xl_refused("not-a-uuid", "web", "hostA", BAL_EINVAL,
               "migrate web (not-a-uuid) hostA -> hostB: not a UUID");

    /* What a migration gone wrong leaves behind is not moved again. */
    fx.node.doms[1].name = "web--migratedaway";
    xl_refused(UUID_WEB, "web", "hostA", BAL_EINVAL, "migrate web (" UUID_WEB
               ") hostA -> hostB: domain 3 is named `web--migratedaway': "
               "another migration of it is under way or went wrong; "
               "nothing done");
    fx.node.doms[1].name = "web";

    /* The domid was reused between the lookup and the configuration. */
    fm.config_uuid_set = true;
    memcpy(fm.config_uuid, uuid_db, 16);
    xl_refused(UUID_WEB, "web", "hostA", BAL_ENOENT, "migrate web (" UUID_WEB
               ") hostA -> hostB: domain 3 is " UUID_DB " now, not this VM; "
               "nothing done");
    fm.config_uuid_set = false;

    fm.retrieve_rc = ERROR_FAIL;
    xl_refused(UUID_WEB, "web", "hostA", BAL_EXEN, "migrate web (" UUID_WEB
               ") hostA -> hostB: cannot retrieve the configuration of "
               "domain 3 (libxl rc=-3)");
    fm.retrieve_rc = 0;

    fx.list_fails = true;
    xl_refused(UUID_WEB, "web", "hostA", BAL_EXEN,
               "migrate web: libxl: getting domain info list: Permission "
               "denied\n"
               "migrate web (" UUID_WEB ") hostA -> hostB: "
               "libxl_list_domain failed: cannot look for it");
}

static void test_xl_no_transport(void **state)
{
    static char *bad[] = { "/nonexistent/ssh", NULL };
    bal__mig_setup s;
    bal__move mv;
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    setup_init(&s, RX_GOOD, STREAM);
    s.transport = bad;
    s.ntransport = 1;
    move_init(&mv, UUID_WEB, "web");
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, &mv, 1, &res), 0);
    assert_int_equal(res.rc, BAL_ETRANSPORT);
    assert_string_equal(lg.buf, "migrate web: receiver on hostB: cannot run "
                        "/nonexistent/ssh: No such file or directory");
    assert_string_equal(fm.calls, "");
    assert_int_equal(fx.ctxs, 0);
    bal_ctx_free(ctx);
}

/* The receiver's stderr is logged (a warning when it failed) before the
 * one error line. */
static void test_xl_receiver_stderr(void **state)
{
    bal__mig_setup s;
    bal__move mv;
    bal__move_result res;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    setup_init(&s, RX_BAD_BANNER, STREAM);
    move_init(&mv, UUID_WEB, "web");
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, &mv, 1, &res), 0);
    assert_int_equal(res.rc, BAL_EPEER);
    assert_string_equal(fm.calls, "");
    assert_non_null(strstr(lg.buf, "migrate web: receiver on hostB: "
                           "receiver double: bad-banner\n"));
    assert_non_null(strstr(lg.buf, "exited with status 1\n"));
    assert_string_equal(tu_last(&lg), "migrate web (" UUID_WEB ") hostA -> "
                        "hostB: the receiver sent \"xl migration receiver "
                        "READY, send binary\" instead of the banner; web was "
                        "not touched and keeps running on hostA");
    assert_int_equal(lg.nerrors, 1);
    bal_ctx_free(ctx);
}

/* A wave: two VMs at once, each its own transport and libxl context. */
static void test_xl_wave(void **state)
{
    bal__mig_setup s;
    bal__move mv[2];
    bal__move_result res[2];
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    setup_init(&s, RX_GOOD, STREAM);
    move_init(&mv[0], UUID_WEB, "web");
    move_init(&mv[1], UUID_DB, "db");
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, mv, 2, res), 0);
    assert_int_equal(res[0].rc, 0);
    assert_int_equal(res[1].rc, 0);
    assert_int_equal(fm.nsuspend, 2);
    assert_int_equal(fm.ndestroy, 2);
    assert_int_equal(fm.nresume, 0);
    assert_non_null(strstr(fm.calls, "rename(3,web,web--migratedaway)"));
    assert_non_null(strstr(fm.calls, "rename(4,db,db--migratedaway)"));
    assert_non_null(strstr(fm.calls, "destroy(3)"));
    assert_non_null(strstr(fm.calls, "destroy(4)"));
    assert_int_equal(fm.nsetmode, 2);
    assert_string_equal(lg.buf, "");
    assert_int_equal(fx.ctxs, 0);
    bal_ctx_free(ctx);
}

/* One of a wave is refused; the other still moves. */
static void test_xl_wave_partial(void **state)
{
    bal__mig_setup s;
    bal__move mv[2];
    bal__move_result res[2];
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    setup_init(&s, RX_GOOD, STREAM);
    move_init(&mv[0], "99999999-2345-6789-0abc-def012345678", "gone");
    move_init(&mv[1], UUID_DB, "db");
    assert_int_equal(bal__migrate_xl(ctx, NULL, &s, mv, 2, res), 0);
    assert_int_equal(res[0].rc, BAL_ENOENT);
    assert_true(isnan(res[0].dirty_Bps));     /* never started */
    assert_int_equal(res[1].rc, 0);
    assert_string_equal(fm.calls, "suspend(4,LIVE) "
                        "rename(4,db,db--migratedaway) destroy(4)");
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(fx.ctxs, 0);
    bal_ctx_free(ctx);
}

/* The xen backend's migrate operation is this path, from this host. */
static void test_backend_migrate(void **state)
{
    static char *hosts[] = { "hostA", "hostB", NULL };
    char *privcmd = tu_tmpfile(""), *caps = tu_tmpfile("control_d\n");
    const char *saved[3] = { bal__xen_privcmd_path,
                             bal__xen_privcmd_proc_path,
                             bal__xen_caps_path };
    struct bal_config cfg;
    bal__mig_setup s;
    bal_backend be;
    bal__move mv;
    bal__move_result res;
    size_t len;
    char *rec;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    bal__xen_privcmd_path = privcmd;
    bal__xen_caps_path = caps;
    fill_host();
    setup_init(&s, RX_GOOD, STREAM);
    memset(&cfg, 0, sizeof(cfg));
    cfg.hosts = hosts;
    cfg.nhosts = 2;
    cfg.local_host = "hostA";
    cfg.transport = transport;
    cfg.ntransport = 5;
    cfg.peer_timeout = 5;
    cfg.interval = 1;
    cfg.samples = 2;
    memset(&be, 0, sizeof(be));
    be.ctx = ctx;
    be.cfg = &cfg;
    assert_int_equal(bal__backend_xen_open(&be, NULL), 0);
    assert_non_null(be.ops->migrate);

    move_init(&mv, UUID_WEB, "web");
    assert_int_equal(be.ops->migrate(&be, &mv, 1, &res), 0);
    assert_int_equal(res.rc, 0);
    assert_string_equal(fm.calls, "suspend(3,LIVE) "
                        "rename(3,web,web--migratedaway) destroy(3)");
    /* The backend's context and the migration's. */
    assert_int_equal(fm.nsetmode, 2);
    rec = slurp(record, &len);
    assert_true(!strncmp(rec, "argv=hostB /usr/sbin/xl migrate-receive\n",
                         40));
    free(rec);

    /* Another dom0's VM is migrated from there (seam_xen_remote.c);
     * from a host the configuration does not name, nothing runs. */
    strcpy(mv.from, "hostC");
    assert_int_equal(be.ops->migrate(&be, &mv, 1, &res), 0);
    assert_int_equal(res.rc, BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "migrate web (" UUID_WEB ") hostC -> "
                        "hostB: a host name is not one of the configured "
                        "hosts (or begins with '-'); nothing done");

    be.ops->close(&be);
    assert_int_equal(fx.ctxs, 0);
    assert_int_equal(fx.handles, 0);
    bal__xen_privcmd_path = saved[0];
    bal__xen_privcmd_proc_path = saved[1];
    bal__xen_caps_path = saved[2];
    unlink(privcmd);
    unlink(caps);
    free(privcmd);
    free(caps);
    bal_ctx_free(ctx);
}

int main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_header_bytes),
        T(test_progress),
        T(test_progress_dirty),
        T(test_good),
        T(test_good_dirty),
        T(test_good_dribble),
        T(test_bad_banner),
        T(test_die_before_banner),
        T(test_silent_banner),
        T(test_die_after_header),
        T(test_die_during_stream),
        T(test_guest_timeout),
        T(test_die_before_ready),
        T(test_garbage_ready),
        T(test_rename_fails),
        T(test_die_after_ready),
        T(test_die_after_go),
        T(test_silent_after_go),
        T(test_garbage_report),
        T(test_fail_give_back),
        T(test_fail_no_give_back),
        T(test_destroy_fails),
        T(test_resume_fails),
        T(test_invalid),
        T(test_xl_good),
        T(test_xl_not_here),
        T(test_xl_refused),
        T(test_xl_no_transport),
        T(test_xl_receiver_stderr),
        T(test_xl_wave),
        T(test_xl_wave_partial),
        T(test_backend_migrate),
    };
#undef T

    if (argc > 1 && !strcmp(argv[1], "--receiver-double"))
        return receiver_main(argc, argv);
    if (!realpath(argv[0], self_path)) {
        perror(argv[0]);
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
