/*
 * child.c - running another program; see child.h.
 *
 * Every pipe is made O_CLOEXEC: another thread forking meanwhile (another
 * migration, libxl's save helper) must not inherit our ends, or the
 * receiver would never see the end of its stream.
 */
#define _GNU_SOURCE             /* pipe2, sigabbrev_np */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "state.h"

#define KILL_GRACE_NS 500000000ull  /* SIGTERM, then this, then SIGKILL */
#define READ_CHUNK 65536
#define TIMEOUT_MAX 86400.0

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        /* No retry on EINTR: on Linux the descriptor is gone anyway. */
        close(*fd);
        *fd = -1;
    }
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000ull),
                           (long)(ns % 1000000000ull) };

    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* Milliseconds for poll() until deadline: -1 for none, rounded up. */
static int poll_ms(uint64_t deadline, uint64_t now)
{
    uint64_t ms;

    if (deadline == BAL__CHILD_NO_DEADLINE) return -1;
    if (now >= deadline) return 0;
    ms = (deadline - now + 999999) / 1000000;
    return ms > 86400000 ? 86400000 : (int)ms;
}

static void signal_group(pid_t pid, int sig)
{
    /* The child may not have reached setpgid() yet: then its own pid. */
    if (kill(-pid, sig)) kill(pid, sig);
}

/* ---- the child, between fork and exec: async-signal-safe calls only ---- */

/* Moves fd out of 0..2, where a dup2 below would clobber it. */
static int above_stdio(int fd, int cmd)
{
    return fd > 2 ? fd : fcntl(fd, cmd, 3);
}

static void child(char *const argv[], int in, int out, int err, int report)
{
    struct sigaction sa;
    sigset_t none;
    int e;

    setpgid(0, 0);
    /* Ignored signals stay ignored across exec, blocked ones blocked:
     * the program gets the defaults, whatever our caller set. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Everything out of 0..2 before those are replaced: our caller may
     * have started with some of them closed, and pipe2 or open then
     * gave us those numbers. */
    if ((report = above_stdio(report, F_DUPFD_CLOEXEC)) < 0) goto fail;
    if (in < 0 && (in = open("/dev/null", O_RDONLY)) < 0) goto fail;
    if ((in = above_stdio(in, F_DUPFD)) < 0) goto fail;
    if ((out = above_stdio(out, F_DUPFD)) < 0) goto fail;
    if (err >= 0 && (err = above_stdio(err, F_DUPFD)) < 0) goto fail;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0) goto fail;
    if (err >= 0 && dup2(err, 2) < 0) goto fail;

    /* Nothing else of ours leaks into the program (another migration's
     * pipes above all): all above 2 go, but report, which exec closes
     * (O_CLOEXEC) when it succeeds. */
    bal__close_fds_from3(report);

    execvp(argv[0], argv);
fail:
    e = errno;
    /* The parent reads this, or is gone: nothing to do if it fails. */
    if (write(report, &e, sizeof(e)) < 0) e = 0;
    _exit(127);
}

/* ---- the parent ------------------------------------------------------- */

void bal__child_init(bal__child *c)
{
    memset(c, 0, sizeof(*c));
    c->pid = -1;
    c->in_fd = c->out_fd = c->exec_fd = -1;
    c->deadline = BAL__CHILD_NO_DEADLINE;
}

/* Reaps the child if it has exited by deadline, polling with a growing
 * pause, while draining its stdout if drain.  As bal__child_wait; with
 * nowait, it is left a zombie, which keeps its pid and process group
 * from being reused while we signal the group. */
static int wait_for(bal__child *c, uint64_t deadline, bool nowait,
                    bool drain, int *status_r)
{
    uint64_t pause = 1000000;      /* 1 ms, doubling up to 50 ms */

    if (c->pid <= 0) {
        errno = ECHILD;
        return -1;
    }
    for (;;) {
        siginfo_t si;
        uint64_t now, step;

        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)c->pid, &si,
                   WEXITED | WNOHANG | (nowait ? WNOWAIT : 0))) {
            if (errno == EINTR) continue;
            /* Never signal a pid we cannot reap: it may be reused. */
            c->pid = -1;
            return -1;
        }
        if (si.si_pid == c->pid) {
            if (status_r)
                *status_r = si.si_code == CLD_EXITED
                    ? (si.si_status & 0xff) << 8 : (si.si_status & 0x7f);
            if (!nowait) c->pid = -1;
            return 1;
        }
        now = bal__now_ns();
        if (now >= deadline) return 0;
        step = pause < deadline - now ? pause : deadline - now;
        if (pause < 50000000) pause *= 2;
        if (drain && c->out_fd >= 0) {
            struct pollfd pf = { c->out_fd, POLLIN, 0 };

            if (poll(&pf, 1, (int)((step + 999999) / 1000000)) > 0) {
                char junk[4096];
                ssize_t r = read(c->out_fd, junk, sizeof(junk));

                if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                    close_fd(&c->out_fd);
            }
        } else {
            sleep_ns(step);
        }
    }
}

int bal__child_wait(bal__child *c, uint64_t deadline, int *status_r)
{
    return wait_for(c, deadline, false, true, status_r);
}

void bal__child_stop(bal__child *c)
{
    int status;

    if (c->pid <= 0) return;
    signal_group(c->pid, SIGTERM);
    wait_for(c, bal__now_ns() + KILL_GRACE_NS, true, false, NULL);
    if (c->pid <= 0) return;        /* cannot be waited for */
    signal_group(c->pid, SIGKILL);
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    c->pid = -1;
}

void bal__child_dispose(bal__child *c)
{
    /* Our ends first: a child blocked writing to us gets EPIPE. */
    close_fd(&c->in_fd);
    close_fd(&c->out_fd);
    close_fd(&c->exec_fd);
    bal__child_stop(c);
    bal__child_init(c);
}

/* bal__child_start, the child's stdin in_file (borrowed) when it is not
 * -1 and flags ask for no pipe. */
static int start(bal_ctx *ctx, const char *what, char *const argv[],
                 unsigned flags, int in_file, int err_fd, double timeout_s,
                 bal__child *c)
{
    int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, rep[2] = { -1, -1 };
    bool in_pipe = flags & BAL__CHILD_STDIN_PIPE;
    pid_t pid;
    int rc;

    bal__child_init(c);
    if (!argv || !argv[0] || !(timeout_s >= 0) || timeout_s > TIMEOUT_MAX ||
        (flags & ~BAL__CHILD_STDIN_PIPE)) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        return BAL_EINVAL;
    }
    if ((in_pipe && pipe2(inp, O_CLOEXEC)) || pipe2(outp, O_CLOEXEC) ||
        pipe2(rep, O_CLOEXEC)) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: cannot create a pipe: %s", what, strerror(errno));
        goto out;
    }

    pid = fork();
    if (pid < 0) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: cannot fork: %s", what, strerror(errno));
        goto out;
    }
    if (pid == 0)
        child(argv, in_pipe ? inp[0] : in_file, outp[1], err_fd, rep[1]);
    /* Also here, so that the group exists before we may signal it. */
    setpgid(pid, pid);
    c->pid = pid;
    c->argv0 = argv[0];
    c->timeout_s = timeout_s;
    if (timeout_s > 0)
        c->deadline = bal__now_ns() + (uint64_t)(timeout_s * 1e9);
    c->in_fd = inp[1];
    c->out_fd = outp[0];
    c->exec_fd = rep[0];
    inp[1] = outp[0] = rep[0] = -1;
    rc = 0;

out:
    close_fd(&inp[0]);
    close_fd(&inp[1]);
    close_fd(&outp[0]);
    close_fd(&outp[1]);
    close_fd(&rep[0]);
    close_fd(&rep[1]);
    return rc;
}

int bal__child_start(bal_ctx *ctx, const char *what, char *const argv[],
                     unsigned flags, int err_fd, double timeout_s,
                     bal__child *c)
{
    return start(ctx, what, argv, flags, -1, err_fd, timeout_s, c);
}

int bal__child_start_input(bal_ctx *ctx, const char *what,
                           char *const argv[], const char *data, size_t len,
                           int err_fd, double timeout_s, bal__child *c)
{
    int fd, rc;

    bal__child_init(c);
    /* An anonymous file, not a pipe: the child reads it at its own pace,
     * and we neither block on a full pipe nor get SIGPIPE from a child
     * that never reads. */
    fd = memfd_create("xl-balance-input", MFD_CLOEXEC);
    if (fd < 0 || bal__write_all(fd, data, len) || lseek(fd, 0, SEEK_SET)) {
        BAL__ERR(ctx, "%s: cannot hold its input: %s", what, strerror(errno));
        if (fd >= 0) close(fd);
        return BAL_ETRANSPORT;
    }
    rc = start(ctx, what, argv, 0, fd, err_fd, timeout_s, c);
    close(fd);
    return rc;
}

int bal__child_ran(bal_ctx *ctx, const char *what, bal__child *c)
{
    size_t got = 0;
    int e = 0, status;

    /* EOF: exec succeeded (the pipe was close-on-exec); else its errno. */
    while (c->exec_fd >= 0) {
        struct pollfd pf = { c->exec_fd, POLLIN, 0 };
        int r = poll(&pf, 1, poll_ms(c->deadline, bal__now_ns()));
        ssize_t n;

        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            BAL__ERR(ctx, "%s: timed out after %g s", what, c->timeout_s);
            return BAL_ETRANSPORT;
        }
        if (r < 0) {
            BAL__ERR(ctx, "%s: poll: %s", what, strerror(errno));
            return BAL_ETRANSPORT;
        }
        n = read(c->exec_fd, (char *)&e + got, sizeof(e) - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n > 0) got += (size_t)n;
        if (n <= 0 || got == sizeof(e)) close_fd(&c->exec_fd);
    }
    if (got < sizeof(e)) return 0;

    /* It is about to _exit(127). */
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    c->pid = -1;
    BAL__ERR(ctx, "%s: cannot run %s: %s", what, c->argv0, strerror(e));
    return BAL_ETRANSPORT;
}

int bal__child_finish(bal_ctx *ctx, const char *what, bal__child *c,
                      size_t max, int *status_r, char **out_r,
                      size_t *len_r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc, status = 0, r;

    if (c->pid <= 0 || c->out_fd < 0 || !status_r || !out_r || max == 0 ||
        max > SIZE_MAX / 2) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        rc = BAL_EINVAL;
        goto out;
    }
    rc = bal__child_ran(ctx, what, c);
    if (rc) goto out;

    while (c->out_fd >= 0) {
        struct pollfd pf = { c->out_fd, POLLIN, 0 };
        uint64_t now = bal__now_ns();
        ssize_t got;

        r = poll(&pf, 1, poll_ms(c->deadline, now));
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = BAL_ETRANSPORT;
            BAL__ERR(ctx, "%s: poll: %s", what, strerror(errno));
            goto out;
        }
        if (r == 0) goto timed_out;
        /* Room for max + 1 bytes: one more than allowed tells. */
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : READ_CHUNK;
            char *nb;

            if (ncap > max + 1) ncap = max + 1;
            nb = realloc(buf, ncap + 1);
            if (!nb) {
                rc = BAL_ENOMEM;
                BAL__ERR(ctx, "%s: out of memory", what);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        got = read(c->out_fd, buf + len, cap - len);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            rc = BAL_ETRANSPORT;
            BAL__ERR(ctx, "%s: read: %s", what, strerror(errno));
            goto out;
        }
        if (got == 0) { close_fd(&c->out_fd); continue; }
        len += (size_t)got;
        if (len > max) {
            rc = BAL_ETRANSPORT;
            BAL__ERR(ctx, "%s: reply larger than %zu bytes", what, max);
            goto out;
        }
    }

    /* stdout closed; the child should be exiting. */
    r = bal__child_wait(c, c->deadline, &status);
    if (r == 0) goto timed_out;
    if (r < 0) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: cannot wait for %s: %s", what, c->argv0,
                 strerror(errno));
        goto out;
    }
    if (!buf) {
        buf = malloc(1);
        if (!buf) {
            rc = BAL_ENOMEM;
            BAL__ERR(ctx, "%s: out of memory", what);
            goto out;
        }
    }
    buf[len] = '\0';
    *status_r = status;
    *out_r = buf;
    if (len_r) *len_r = len;
    buf = NULL;
    rc = 0;
    goto out;

timed_out:
    rc = BAL_ETRANSPORT;
    BAL__ERR(ctx, "%s: timed out after %g s", what, c->timeout_s);

out:
    bal__child_dispose(c);
    free(buf);
    return rc;
}

int bal__child_status(bal_ctx *ctx, bal_log_level level, const char *what,
                      const char *argv0, int status)
{
    const char *sig;

    if (WIFEXITED(status) && !WEXITSTATUS(status)) return 0;
    if (WIFEXITED(status)) {
        bal__log(ctx, level, "%s: %s exited with status %d", what, argv0,
                 WEXITSTATUS(status));
    } else {
        sig = WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : NULL;
        bal__log(ctx, level, "%s: %s killed by signal %d (SIG%s)", what,
                 argv0, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                 sig ? sig : "unknown");
    }
    return BAL_ETRANSPORT;
}
