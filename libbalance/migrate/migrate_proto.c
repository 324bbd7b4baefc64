/*
 * migrate_proto.c - the sender's side of the `xl migrate` protocol (Xen
 * 4.17, tools/xl/xl_migrate.c), spoken to a stock `xl migrate-receive`
 * over the stdin and stdout of a transport we run (ssh, normally).  No Xen
 * header: the domain operations come through a bal__mig_ops table, so
 * that tests can run the whole protocol against a receiver played over
 * pipes.  doc/migration.md has the protocol byte by byte and the rules
 * this file keeps: a VM is never lost and never runs twice.
 */
#define _GNU_SOURCE             /* memfd_create */

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/json.h"
#include "migrate_seam.h"

#define PAGE_BYTES 4096ull          /* what one "page" of libxc's is */
#define PROGRESS_EVERY_NS 5000000000ull
#define STDERR_MAX 65536            /* of the transport's, logged */

/* ---- the header -------------------------------------------------------- */

int bal__mig_header(const char *config_json, unsigned char **buf_r,
                    size_t *len_r)
{
    static const char magic[BAL__MIG_MAGIC_LEN] = BAL__MIG_MAGIC;
    unsigned char *buf;
    size_t jlen, len;
    uint32_t u[5];

    if (!config_json || !buf_r || !len_r) return BAL_EINVAL;
    jlen = strlen(config_json) + 1;          /* with its NUL, as xl */
    if (jlen > UINT32_MAX - 4) return BAL_ERANGE;
    len = BAL__MIG_HEADER_LEN + 4 + jlen;
    buf = malloc(len);
    if (!buf) return BAL_ENOMEM;

    /* struct save_file_header, then the optional data: the config's
     * length and the config.  All in this host's byte order: the
     * receiver checks byteorder and refuses a stranger's. */
    u[0] = BAL__MIG_BYTEORDER;
    u[1] = BAL__MIG_FLAG_STREAMV2 | BAL__MIG_FLAG_JSON;
    u[2] = 0;                                /* optional_flags */
    u[3] = (uint32_t)(4 + jlen);             /* optional_data_len */
    u[4] = (uint32_t)jlen;
    memcpy(buf, magic, sizeof(magic));
    memcpy(buf + BAL__MIG_MAGIC_LEN, u, sizeof(u));
    memcpy(buf + BAL__MIG_HEADER_LEN + 4, config_json, jlen);

    *buf_r = buf;
    *len_r = len;
    return 0;
}

/* ---- progress ---------------------------------------------------------- */

void bal__mig_progress_init(bal__mig_progress *p, bal_ctx *ctx,
                            const char *vm)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->vm = vm;
    p->start_ns = bal__now_ns();
    p->xc_iteration = -1;
}

uint64_t bal__mig_progress_pages(const bal__mig_progress *p)
{
    return p->pages + p->done;
}

/* The frames the current round sends: from round 2 on, libxc's total is
 * the dirty frames it found; done only if it ever ran past that. */
static uint64_t round_frames(const bal__mig_progress *p)
{
    return p->rounds >= 2 ? (p->done > p->total ? p->done : p->total) : 0;
}

double bal__mig_progress_dirty_Bps(const bal__mig_progress *p)
{
    double t;

    if (!p || p->rounds < 2 || p->round_ns <= p->first_round_ns)
        return NAN;
    t = (double)(p->round_ns - p->first_round_ns) / 1e9;
    return (double)(p->dirty_frames + round_frames(p)) *
        (double)PAGE_BYTES / t;
}

void bal__mig_progress_note(bal__mig_progress *p, const char *context,
                            const char *doing_what, unsigned long done,
                            unsigned long total)
{
    bal__mig_progress_note_at(p, bal__now_ns(), context, doing_what, done,
                              total);
}

void bal__mig_progress_note_at(bal__mig_progress *p, uint64_t now,
                               const char *context, const char *doing_what,
                               unsigned long done, unsigned long total)
{
    unsigned it;
    int n = 0;

    (void)context;
    if (!p || !doing_what) return;
    if (!strcmp(doing_what, "Domain now suspended")) {
        if (!p->suspended_ns) p->suspended_ns = now;
        p->suspend_seen = true;
        return;
    }
    if (sscanf(doing_what, "Frames iteration %u%n", &it, &n) != 1 ||
        doing_what[n])
        return;

    /* libxc numbers the final (suspended) round like the last live one:
     * "Domain now suspended" in between tells them apart. */
    if (!p->rounds || (int)it != p->xc_iteration || p->suspend_seen) {
        p->pages += p->done;
        p->dirty_frames += round_frames(p);
        if (!p->rounds) p->first_round_ns = now;
        p->round_ns = now;
        p->rounds++;
        p->xc_iteration = (int)it;
        p->final_round = p->suspend_seen;
        p->suspend_seen = false;
        p->done = p->total = 0;
        p->last_log_ns = now;
    }
    if (done > p->done) p->done = done;
    p->total = total;

    if (total && done >= total) {
        BAL__INFO(p->ctx, "migrate %s: %s %d: %lu frames scanned at "
                  "%.1f s", p->vm, p->final_round ? "final round" : "round",
                  p->rounds, total, (double)(now - p->start_ns) / 1e9);
        p->last_log_ns = now;
    } else if (total && now - p->last_log_ns >= PROGRESS_EVERY_NS) {
        BAL__INFO(p->ctx, "migrate %s: round %d: %lu%% of %lu pages at "
                  "%.1f s", p->vm, p->rounds, done * 100 / total, total,
                  (double)(now - p->start_ns) / 1e9);
        p->last_log_ns = now;
    }
}

/* ---- the transport process --------------------------------------------- */

void bal__mig_chan_init(bal__mig_chan *c)
{
    bal__child_init(&c->proc);
    c->err_fd = -1;
}

int bal__mig_chan_spawn(bal_ctx *ctx, const char *what, char *const argv[],
                        bal__mig_chan *c)
{
    int errfd, rc;

    if (!argv || !argv[0] || !c || c->proc.pid > 0) {
        BAL__ERR(ctx, "%s: invalid arguments to start the transport", what);
        return BAL_EINVAL;
    }
    /* Its stderr is kept and logged afterwards: stderr may be a cron
     * mail, and a pipe could fill while libxl holds us in suspend.  (No
     * memfd: it shares ours.) */
    errfd = memfd_create("xl-balance-migrate-stderr", MFD_CLOEXEC);

    /* No deadline of its own: each message of the protocol has one. */
    rc = bal__child_start(ctx, what, argv, BAL__CHILD_STDIN_PIPE, errfd, 0,
                          &c->proc);
    if (!rc) rc = bal__child_ran(ctx, what, &c->proc);
    if (rc) {
        bal__child_dispose(&c->proc);
        if (errfd >= 0) close(errfd);
        return rc;
    }
    c->err_fd = errfd;
    return 0;
}

/* Logs the transport's stderr, line by line. */
static void log_stderr(bal_ctx *ctx, const char *what, int fd,
                       bal_log_level level)
{
    char *buf = NULL, *line, *nl;
    size_t len = 0;

    if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) return;
    buf = malloc(STDERR_MAX + 1);
    if (!buf) return;
    while (len < STDERR_MAX) {
        ssize_t r = read(fd, buf + len, STDERR_MAX - len);

        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    for (line = buf; *line; line = nl) {
        nl = line + strcspn(line, "\r\n");
        if (*nl) *nl++ = '\0';
        if (!*line) continue;
        /* It is another machine's text: no control bytes into our log. */
        bal__json_name_sanitize(line);
        bal__log(ctx, level, "%s: %s", what, line);
    }
    free(buf);
}

void bal__mig_chan_shutdown(bal_ctx *ctx, const char *what,
                            bal__mig_chan *c, double wait_s,
                            bal_log_level level)
{
    const char *argv0;
    int status = 0, r;

    if (!c) return;
    argv0 = c->proc.argv0 ? c->proc.argv0 : "transport";
    /* Our end of its stdin first: the receiver reads EOF and gives up
     * (xl migrate-receive destroys its incomplete copy). */
    if (c->proc.in_fd >= 0) {
        close(c->proc.in_fd);
        c->proc.in_fd = -1;
    }
    if (c->proc.pid > 0) {
        uint64_t wait = wait_s > 0 && wait_s < 86400
            ? (uint64_t)(wait_s * 1e9) : 0;

        r = bal__child_wait(&c->proc, bal__now_ns() + wait, &status);
        if (r == 0)     /* still there: stopped below, with its group */
            bal__log(ctx, level, "%s: %s did not exit within %g s, "
                     "stopping it", what, argv0, wait_s);
        else if (r > 0)
            bal__child_status(ctx, level, what, argv0, status);
        /* r < 0: ECHILD, someone else reaped it; nothing left to do. */
    }
    bal__child_dispose(&c->proc);
    log_stderr(ctx, what, c->err_fd, level);
    if (c->err_fd >= 0) close(c->err_fd);
    c->err_fd = -1;
}

/* ---- reading and writing the stream ------------------------------------ */

typedef enum { IO_OK, IO_EOF, IO_TIMEOUT, IO_ERROR } io_status;

static io_status read_exact(int fd, void *buf, size_t n, uint64_t deadline,
                            size_t *got_r, int *errno_r)
{
    size_t got = 0;

    while (got < n) {
        struct pollfd pf = { fd, POLLIN, 0 };
        uint64_t now = bal__now_ns();
        ssize_t r;
        int pr;

        if (now >= deadline) { *got_r = got; return IO_TIMEOUT; }
        pr = poll(&pf, 1, (int)((deadline - now) / 1000000 + 1));
        if (pr < 0 && errno != EINTR) {
            *errno_r = errno;
            *got_r = got;
            return IO_ERROR;
        }
        if (pr <= 0) continue;
        r = read(fd, (char *)buf + got, n - got);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            *errno_r = errno;
            *got_r = got;
            return IO_ERROR;
        }
        if (r == 0) { *got_r = got; return IO_EOF; }
        got += (size_t)r;
    }
    *got_r = got;
    return IO_OK;
}

static io_status write_all(int fd, const void *buf, size_t n,
                           uint64_t deadline, size_t *done_r, int *errno_r)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = write(fd, (const char *)buf + done, n - done);

        if (r > 0) { done += (size_t)r; continue; }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            struct pollfd pf = { fd, POLLOUT, 0 };
            uint64_t now = bal__now_ns();

            if (now >= deadline) { *done_r = done; return IO_TIMEOUT; }
            poll(&pf, 1, (int)((deadline - now) / 1000000 + 1));
            continue;
        }
        *errno_r = r < 0 ? errno : EIO;
        *done_r = done;
        return IO_ERROR;
    }
    *done_r = done;
    return IO_OK;
}

static uint64_t deadline_after(double s)
{
    if (!(s > 0) || s > 86400 * 365) s = 86400 * 365;
    return bal__now_ns() + (uint64_t)(s * 1e9);
}

/* The first bytes of what came instead of a message, printable. */
static void excerpt(char *dst, size_t size, const unsigned char *s, size_t n)
{
    size_t o = 0, i;

    for (i = 0; i < n && o + 5 < size; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
            dst[o++] = (char)s[i];
        else
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", s[i]);
    }
    dst[o] = '\0';
}

/* Reads the fixed message msg[0..n) from the receiver.  0, or the rc
 * with why filled: BAL_EPEER for other bytes, BAL_ETRANSPORT for end of
 * stream, timeout or error. */
static int read_msg(int fd, const char *msg, size_t n, const char *what,
                    double timeout_s, char *why, size_t whysize)
{
    unsigned char buf[64];
    char ex[128];
    size_t got = 0;
    int err = 0;

    switch (read_exact(fd, buf, n, deadline_after(timeout_s), &got, &err)) {
    case IO_OK:
        if (!memcmp(buf, msg, n)) return 0;
        excerpt(ex, sizeof(ex), buf, n < 40 ? n : 40);
        snprintf(why, whysize, "the receiver sent \"%s\" instead of the %s",
                 ex, what);
        return BAL_EPEER;
    case IO_EOF:
        snprintf(why, whysize, "the receiver closed the stream before the "
                 "%s (%zu of %zu bytes came)", what, got, n);
        return BAL_ETRANSPORT;
    case IO_TIMEOUT:
        snprintf(why, whysize, "no %s from the receiver within %g s", what,
                 timeout_s);
        return BAL_ETRANSPORT;
    case IO_ERROR:
        break;
    }
    snprintf(why, whysize, "reading the %s: %s", what, strerror(err));
    return BAL_ETRANSPORT;
}

/* Writes buf; 0, or BAL_ETRANSPORT with why.  *done_r: bytes written. */
static int send_msg(int fd, const void *buf, size_t n, const char *what,
                    double timeout_s, size_t *done_r, char *why,
                    size_t whysize)
{
    int err = 0;

    switch (write_all(fd, buf, n, deadline_after(timeout_s), done_r, &err)) {
    case IO_OK:
        return 0;
    case IO_TIMEOUT:
        snprintf(why, whysize, "the receiver took no %s within %g s", what,
                 timeout_s);
        return BAL_ETRANSPORT;
    default:
        break;
    }
    snprintf(why, whysize, "sending the %s: %s%s", what, strerror(err),
             err == EPIPE ? " (the receiver is gone)" : "");
    return BAL_ETRANSPORT;
}

/* ---- SIGPIPE ------------------------------------------------------------
 * Writing to a receiver that died raises SIGPIPE, which would kill the
 * whole program (libxl writes to the stream from this thread too).  It
 * is blocked in this thread while the migration runs, and one raised
 * meanwhile is taken back before the old mask returns. */

typedef struct pipe_guard {
    sigset_t old;
    bool was_blocked;
} pipe_guard;

static void pipe_guard_begin(pipe_guard *g)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &g->old);
    g->was_blocked = sigismember(&g->old, SIGPIPE);
}

static void pipe_guard_end(pipe_guard *g)
{
    static const struct timespec zero = { 0, 0 };
    sigset_t set, pending;

    if (!g->was_blocked) {
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        while (!sigpending(&pending) && sigismember(&pending, SIGPIPE) &&
               sigtimedwait(&set, NULL, &zero) == SIGPIPE)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- one migration ----------------------------------------------------- */

/* How a migration ended, and so what is done about the source. */
typedef enum {
    END_DONE,           /* the target runs it: destroy the source */
    END_UNTOUCHED,      /* failed before the suspend: nothing to undo */
    END_NOT_SUSPENDED,  /* the guest did not suspend in time: as xl, leave */
    END_RESUME,         /* failed before the point of no return: resume */
    END_UNDEFINED,      /* failed after it: say so, touch nothing */
} mig_end;

static void append(char *buf, size_t size, const char *fmt, ...)
    BAL__PRINTF(3, 4);

static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    if (len + 1 >= size) return;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* Puts the source back: its name (if it was renamed away) and its
 * execution.  Appends what happened to msg. */
static void undo(const bal__mig_ops *ops, void *h, const bal__mig_job *job,
                 const char *away, bool renamed, char *msg, size_t size)
{
    int r, s;

    if (renamed) {
        r = ops->rename(h, job->domid, away, job->name);
        if (r)
            append(msg, size, "; renaming %s back to %s failed (libxl "
                   "rc=%d)", away, job->name, r);
    }
    r = ops->resume(h, job->domid);
    if (!r) {
        append(msg, size, "; %s resumed on %s", job->name, job->from);
        return;
    }
    /* A live suspend that failed during pre-copy never stopped the
     * guest, and resuming a running guest fails harmlessly. */
    s = ops->suspended ? ops->suspended(h, job->domid) : -1;
    if (s == 0)
        append(msg, size, "; %s was not suspended and keeps running on %s",
               job->name, job->from);
    else
        append(msg, size, "; resuming %s on %s FAILED (libxl rc=%d)%s: "
               "check it there with `xl list` (domid %u)", job->name,
               job->from, r, s > 0 ? " and it is still suspended" : "",
               job->domid);
}

int bal__mig_run(bal_ctx *ctx, const bal__mig_ops *ops, void *h,
                 const bal__mig_job *job, bal__mig_chan *chan,
                 bal__mig_progress *prog, bal__move_result *res)
{
    char why[512] = "", msg[1024] = "";
    char what[BAL__NAME_MAX + BAL__HOST_MAX + 32] = "migrate";
    unsigned char *hdr = NULL;
    char *away = NULL;
    size_t hlen = 0, done = 0;
    uint64_t report_ns = 0;
    mig_end end = END_UNTOUCHED;
    bool renamed = false;
    pipe_guard pg;
    unsigned char status = 0;
    int rc, r, err = 0;

    pipe_guard_begin(&pg);

    if (!ctx || !ops || !job || !chan || !prog || !res || !job->name ||
        !job->uuid || !job->from || !job->to || !job->config_json ||
        chan->proc.in_fd < 0 || chan->proc.out_fd < 0) {
        rc = BAL_EINVAL;
        snprintf(why, sizeof(why), "invalid arguments");
        goto finish;
    }
    snprintf(what, sizeof(what), "migrate %s: receiver on %s", job->name,
             job->to);

    if (asprintf(&away, "%s--migratedaway", job->name) < 0) {
        away = NULL;
        rc = BAL_ENOMEM;
        snprintf(why, sizeof(why), "out of memory");
        goto finish;
    }
    rc = bal__mig_header(job->config_json, &hdr, &hlen);
    if (rc) {
        snprintf(why, sizeof(why), "cannot build the stream header: %s",
                 bal_strerror(rc));
        goto finish;
    }

    /* 1. The receiver says it is there (no NUL). */
    rc = read_msg(chan->proc.out_fd, BAL__MIG_BANNER,
                  sizeof(BAL__MIG_BANNER) - 1, "banner", job->timeout_s, why,
                  sizeof(why));
    if (rc) goto finish;

    /* 2. The save-file header with the domain's configuration. */
    rc = send_msg(chan->proc.in_fd, hdr, hlen, "header", job->timeout_s, &done,
                  why, sizeof(why));
    if (rc) goto finish;

    /* 3. The memory, live; the guest is suspended for the last round. */
    BAL__INFO(ctx, "migrate %s (%s) %s -> %s: sending its memory",
              job->name, job->uuid, job->from, job->to);
    r = ops->suspend(h, job->domid, chan->proc.in_fd, BAL__MIG_SUSPEND_LIVE,
                     prog);
    if (r) {
        rc = BAL_EXEN;
        if (r == BAL__MIG_ERROR_GUEST_TIMEDOUT) {
            snprintf(why, sizeof(why), "the guest did not suspend in time "
                     "(libxl_domain_suspend rc=%d)", r);
            end = END_NOT_SUSPENDED;
        } else {
            snprintf(why, sizeof(why), "libxl_domain_suspend failed "
                     "(rc=%d)", r);
            end = END_RESUME;
        }
        goto finish;
    }
    end = END_RESUME;

    /* 4. The receiver has built its copy, paused. */
    rc = read_msg(chan->proc.out_fd, BAL__MIG_READY, sizeof(BAL__MIG_READY),
                  "ready message", job->timeout_s, why, sizeof(why));
    if (rc) goto finish;

    /* 5. Our copy gives up the name, so that theirs can take it. */
    r = ops->rename(h, job->domid, job->name, away);
    if (r) {
        rc = BAL_EXEN;
        snprintf(why, sizeof(why), "renaming it to %s failed (libxl rc=%d)",
                 away, r);
        goto finish;
    }
    renamed = true;

    /* 6. The permission to start.  The receiver acts on the whole message
     * only: while any byte of it has not left, we may still resume. */
    rc = send_msg(chan->proc.in_fd, BAL__MIG_GO, sizeof(BAL__MIG_GO),
                  "permission to start", job->timeout_s, &done, why,
                  sizeof(why));
    if (rc) goto finish;

    /* ---- the point of no return: they may be running it now. ---- */
    end = END_UNDEFINED;

    /* 7. Their report and its status byte (0: their copy runs). */
    rc = read_msg(chan->proc.out_fd, BAL__MIG_REPORT, sizeof(BAL__MIG_REPORT),
                  "report", job->timeout_s, why, sizeof(why));
    if (rc) goto finish;
    switch (read_exact(chan->proc.out_fd, &status, 1,
                       deadline_after(job->timeout_s), &done, &err)) {
    case IO_OK:
        break;
    case IO_EOF:
        rc = BAL_ETRANSPORT;
        snprintf(why, sizeof(why), "the receiver closed the stream before "
                 "the status of its copy");
        goto finish;
    case IO_TIMEOUT:
        rc = BAL_ETRANSPORT;
        snprintf(why, sizeof(why), "no status from the receiver within %g s",
                 job->timeout_s);
        goto finish;
    case IO_ERROR:
        rc = BAL_ETRANSPORT;
        snprintf(why, sizeof(why), "reading the status of its copy: %s",
                 strerror(err));
        goto finish;
    }
    report_ns = bal__now_ns();
    if (status == 0) {
        end = END_DONE;
        rc = 0;
        goto finish;
    }

    /* 8. Their copy failed to start.  xl migrate-receive destroys it and
     * then hands the VM back with the same permission message; without
     * that, its copy may exist. */
    {
        char tmp[320];

        rc = read_msg(chan->proc.out_fd, BAL__MIG_GO, sizeof(BAL__MIG_GO),
                      "permission to resume", job->timeout_s, tmp,
                      sizeof(tmp));
        if (rc) {
            snprintf(why, sizeof(why), "the receiver could not start its "
                     "copy (status %d) and did not give the VM back (%s)",
                     status, tmp);
            goto finish;
        }
    }
    rc = BAL_EXEN;
    snprintf(why, sizeof(why), "the receiver could not start its copy "
             "(status %d: libxl error -%d there) and destroyed it", status,
             status);
    end = END_RESUME;

finish:
    if (!chan) {
        /* Only the invalid-arguments case: nothing was started. */
    } else if (end == END_DONE) {
        r = ops->destroy(h, job->domid);
        bal__mig_chan_shutdown(ctx, what, chan, job->exit_wait_s,
                               BAL_LOG_DEBUG);
        if (r)
            BAL__WARN(ctx, "migrate %s (%s) %s -> %s: it runs on %s, but "
                      "destroying the old copy on %s failed (libxl rc=%d): "
                      "%s (domid %u) is left there suspended; destroy it "
                      "with `xl destroy %u`", job->name, job->uuid,
                      job->from, job->to, job->to, job->from, r, away,
                      job->domid, job->domid);
    } else if (end == END_RESUME) {
        /* The receiver sees the end of the stream and drops its copy;
         * ours runs again without waiting for that. */
        int fd = chan->proc.in_fd;

        chan->proc.in_fd = -1;
        if (fd >= 0) close(fd);
        snprintf(msg, sizeof(msg), "migrate %s (%s) %s -> %s: %s",
                 job->name, job->uuid, job->from, job->to, why);
        undo(ops, h, job, away, renamed, msg, sizeof(msg));
        bal__mig_chan_shutdown(ctx, what, chan, job->exit_wait_s,
                               BAL_LOG_WARN);
    } else {
        bal__mig_chan_shutdown(ctx, what, chan, job ? job->exit_wait_s : 0,
                               BAL_LOG_WARN);
    }

    if (end == END_DONE) {
        double t = (double)(bal__now_ns() - prog->start_ns) / 1e9;

        snprintf(msg, sizeof(msg), "migrate %s (%s) %s -> %s: done in "
                 "%.1f s", job->name, job->uuid, job->from, job->to, t);
        if (prog->rounds)
            append(msg, sizeof(msg), ", %d rounds", prog->rounds);
        if (prog->suspended_ns && report_ns > prog->suspended_ns)
            append(msg, sizeof(msg), ", downtime %.3f s",
                   (double)(report_ns - prog->suspended_ns) / 1e9);
        if (isfinite(bal__mig_progress_dirty_Bps(prog)))
            append(msg, sizeof(msg), ", dirtying %.2f MB/s",
                   bal__mig_progress_dirty_Bps(prog) / 1e6);
        BAL__INFO(ctx, "%s", msg);
    } else if (end == END_RESUME) {
        BAL__ERR(ctx, "%s", msg);
    } else if (end == END_UNDEFINED) {
        BAL__ERR(ctx, "migrate %s (%s) %s -> %s: STATE UNDEFINED: %s, after "
                 "the permission to start was sent; %s may now be running "
                 "on neither host or on both: check `xl list` on %s (%s, "
                 "domid %u) and on %s (%s or %s--incoming), keep exactly "
                 "one copy, rename it back to %s, and let nothing else "
                 "touch this VM until then", job->name, job->uuid,
                 job->from, job->to, why, job->name, job->from, away,
                 job->domid, job->to, job->name, job->name, job->name);
        rc = BAL__EMIG_UNDEFINED;
    } else if (end == END_NOT_SUSPENDED) {
        BAL__ERR(ctx, "migrate %s (%s) %s -> %s: %s; like xl, not resuming "
                 "it: it should still be running on %s, check with `xl "
                 "list` there", job->name, job->uuid, job->from, job->to,
                 why, job->from);
    } else if (job && job->name) {
        BAL__ERR(ctx, "migrate %s (%s) %s -> %s: %s; %s was not touched "
                 "and keeps running on %s", job->name,
                 job->uuid ? job->uuid : "?", job->from ? job->from : "?",
                 job->to ? job->to : "?", why, job->name,
                 job->from ? job->from : "?");
    } else {
        BAL__ERR(ctx, "migrate: %s", why);
    }

    if (res && prog) {
        res->rc = rc;
        res->end_s = (double)bal__now_ns() / 1e9;
        res->rounds = prog->rounds;
        /* libxc's progress counts the frames each round scans (the whole
         * pfn range, holes included: 4 GiB for a 96 MiB PVH guest), not
         * the pages it sends.  Unknown, then, rather than wrong. */
        res->bytes = 0;
        /* Unlike bytes, the dirty frames of rounds >= 2 are the pages
         * sent: no holes in a dirty bitmap. */
        res->dirty_Bps = bal__mig_progress_dirty_Bps(prog);
        res->downtime_s = end == END_DONE && prog->suspended_ns &&
            report_ns > prog->suspended_ns
            ? (double)(report_ns - prog->suspended_ns) / 1e9 : 0;
    } else if (res) {
        res->rc = rc;
        res->end_s = (double)bal__now_ns() / 1e9;
        res->dirty_Bps = NAN;
    }
    free(hdr);
    free(away);
    pipe_guard_end(&pg);
    return rc;
}
