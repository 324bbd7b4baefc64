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

/* Reads the child's report on exec_fd, which poll said is readable (or
 * at its end).  0: not decided yet; 1: it runs (exec_fd closed: the
 * pipe was close-on-exec); BAL_ETRANSPORT: it could not exec argv,
 * logged "WHAT: cannot run ARGV0: ERROR", the child reaped. */
static int exec_report(bal_ctx *ctx, const char *what, bal__child *c)
{
    char *dst = (char *)&c->exec_err + c->exec_got;
    ssize_t n = read(c->exec_fd, dst, sizeof(c->exec_err) - c->exec_got);
    int status;

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
    if (n > 0) c->exec_got += (size_t)n;
    if (n > 0 && c->exec_got < sizeof(c->exec_err)) return 0;
    close_fd(&c->exec_fd);
    /* EOF before a whole errno: exec succeeded. */
    if (c->exec_got < sizeof(c->exec_err)) return 1;

    /* It is about to _exit(127). */
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    c->pid = -1;
    BAL__ERR(ctx, "%s: cannot run %s: %s", what, c->argv0,
             strerror(c->exec_err));
    return BAL_ETRANSPORT;
}

int bal__child_ran(bal_ctx *ctx, const char *what, bal__child *c)
{
    while (c->exec_fd >= 0) {
        struct pollfd pf = { c->exec_fd, POLLIN, 0 };
        int r = poll(&pf, 1, poll_ms(c->deadline, bal__now_ns()));

        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            BAL__ERR(ctx, "%s: timed out after %g s", what, c->timeout_s);
            return BAL_ETRANSPORT;
        }
        if (r < 0) {
            BAL__ERR(ctx, "%s: poll: %s", what, strerror(errno));
            return BAL_ETRANSPORT;
        }
        r = exec_report(ctx, what, c);
        if (r < 0) return r;
    }
    return 0;
}

/* ---- collecting children: one or many at once ---------------------------
 * Every started child of a batch is watched by one poll(): its exec
 * report, its stdout (kept, up to max bytes), then its exit.  A child
 * whose pipes are closed is checked for its exit at least this often;
 * there is no descriptor to wait on then, and a SIGCHLD handler would be
 * our caller's to own. */
#define EXIT_CHECK_MS 5

void bal__child_job_init(bal__child_job *j)
{
    memset(j, 0, sizeof(*j));
    bal__child_init(&j->c);
}

void bal__child_job_dispose(bal__child_job *j)
{
    bal__child_dispose(&j->c);
    free(j->out);
    bal__child_job_init(j);
}

/* The job has ended with rc (logged by the caller when non-zero): its
 * child is stopped if it still runs, its output kept only on success. */
static void job_end(bal__child_job *j, int rc)
{
    j->rc = rc;
    j->done = true;
    bal__child_dispose(&j->c);
    if (rc) {
        free(j->out);
        j->out = NULL;
        j->len = 0;
    }
}

/* Reads what the job's stdout holds (poll said it is readable, or at its
 * end) into j->out, growing it up to max + 1 bytes: one more than
 * allowed tells.  0, or a BAL_E* (logged, the job ended). */
static int job_read(bal_ctx *ctx, bal__child_job *j, size_t max)
{
    ssize_t got;

    if (j->len == j->cap) {
        size_t ncap = j->cap ? j->cap * 2 : READ_CHUNK;
        char *nb;

        if (ncap > max + 1) ncap = max + 1;
        nb = realloc(j->out, ncap + 1);
        if (!nb) {
            BAL__ERR(ctx, "%s: out of memory", j->what);
            return BAL_ENOMEM;
        }
        j->out = nb;
        j->cap = ncap;
    }
    got = read(j->c.out_fd, j->out + j->len, j->cap - j->len);
    if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) return 0;
        BAL__ERR(ctx, "%s: read: %s", j->what, strerror(errno));
        return BAL_ETRANSPORT;
    }
    if (got == 0) {
        close_fd(&j->c.out_fd);
        return 0;
    }
    j->len += (size_t)got;
    if (j->len > max) {
        BAL__ERR(ctx, "%s: reply larger than %zu bytes", j->what, max);
        return BAL_ETRANSPORT;
    }
    return 0;
}

/* Once its pipes are closed: reaps the job's child if it has exited.
 * 1: ended (rc 0, or the wait failed, logged); 0: still running. */
static int job_reap(bal_ctx *ctx, bal__child_job *j)
{
    int r = wait_for(&j->c, 0, false, false, &j->status);

    if (r == 0) return 0;
    if (r < 0) {
        BAL__ERR(ctx, "%s: cannot wait for %s: %s", j->what, j->c.argv0,
                 strerror(errno));
        job_end(j, BAL_ETRANSPORT);
        return 1;
    }
    if (!j->out && !(j->out = malloc(1))) {
        BAL__ERR(ctx, "%s: out of memory", j->what);
        job_end(j, BAL_ENOMEM);
        return 1;
    }
    j->out[j->len] = '\0';
    job_end(j, 0);
    return 1;
}

/* One round over the n jobs of run (started, not done), pf room for 2n
 * descriptors: waits until one of them has something to say or the
 * nearest deadline, then moves each on; those that end are marked done.
 * Past its deadline, a job is still read while it has output ready: a
 * child collected late (after other work) may have finished in time. */
static void collect_round(bal_ctx *ctx, bal__child_job *const *run, int n,
                          size_t max, struct pollfd *pf)
{
    uint64_t now = bal__now_ns();
    int i, npf = 0, timeout = -1, r;

    for (i = 0; i < n; i++) {
        bal__child *c = &run[i]->c;
        int t = poll_ms(c->deadline, now);

        if (c->exec_fd >= 0) pf[npf++] = (struct pollfd){ c->exec_fd, POLLIN, 0 };
        if (c->out_fd >= 0) pf[npf++] = (struct pollfd){ c->out_fd, POLLIN, 0 };
        if (c->exec_fd < 0 && c->out_fd < 0 && (t < 0 || t > EXIT_CHECK_MS))
            t = EXIT_CHECK_MS;
        if (t >= 0 && (timeout < 0 || t < timeout)) timeout = t;
    }
    r = poll(pf, (nfds_t)npf, timeout);
    if (r < 0 && errno == EINTR) return;
    if (r < 0) {
        int e = errno;

        for (i = 0; i < n; i++) {
            BAL__ERR(ctx, "%s: poll: %s", run[i]->what, strerror(e));
            job_end(run[i], BAL_ETRANSPORT);
        }
        return;
    }

    npf = 0;
    for (i = 0; i < n; i++) {
        bal__child_job *j = run[i];
        bool ready = false;

        if (j->c.exec_fd >= 0 && pf[npf++].revents) {
            ready = true;
            r = exec_report(ctx, j->what, &j->c);
            if (r < 0) {
                if (j->c.out_fd >= 0) npf++;
                job_end(j, r);
                continue;
            }
        }
        if (j->c.out_fd >= 0 && pf[npf++].revents) {
            ready = true;
            r = job_read(ctx, j, max);
            if (r) {
                job_end(j, r);
                continue;
            }
        }
        if (j->c.exec_fd < 0 && j->c.out_fd < 0 && job_reap(ctx, j))
            continue;
        if (!ready && bal__now_ns() >= j->c.deadline) {
            BAL__ERR(ctx, "%s: timed out after %g s", j->what,
                     j->c.timeout_s);
            job_end(j, BAL_ETRANSPORT);
        }
    }
}

int bal__child_run_all(bal_ctx *ctx, bal__child_job *jobs, int n,
                       int parallel, double timeout_s, size_t max)
{
    bal__child_job **run = NULL;
    struct pollfd *pf = NULL;
    int i, k, next = 0, nrun = 0, rc;

    if (n < 0 || (n && !jobs) || parallel < 1 || max == 0 ||
        max > SIZE_MAX / 2) {
        BAL__ERR(ctx, "run: invalid arguments to run commands");
        return BAL_EINVAL;
    }
    if (parallel > n) parallel = n;
    if (!n) return 0;
    run = calloc((size_t)parallel, sizeof(*run));
    pf = calloc(2 * (size_t)parallel, sizeof(*pf));
    if (!run || !pf) {
        BAL__ERR(ctx, "run: out of memory");
        rc = BAL_ENOMEM;
        goto out;
    }

    while (next < n || nrun) {
        /* Started in order, as slots free up: at most parallel at once. */
        while (nrun < parallel && next < n) {
            bal__child_job *j = &jobs[next++];

            if (!j->argv) continue;     /* refused by the caller */
            j->done = false;
            j->rc = bal__child_start(ctx, j->what, j->argv, 0, -1,
                                     timeout_s, &j->c);
            if (j->rc) job_end(j, j->rc);
            else run[nrun++] = j;
        }
        if (!nrun) continue;
        collect_round(ctx, run, nrun, max, pf);
        for (i = k = 0; i < nrun; i++)
            if (!run[i]->done) run[k++] = run[i];
        nrun = k;
    }
    rc = 0;

out:
    free(run);
    free(pf);
    return rc;
}

int bal__child_finish(bal_ctx *ctx, const char *what, bal__child *c,
                      size_t max, int *status_r, char **out_r,
                      size_t *len_r)
{
    bal__child_job j, *run = &j;
    struct pollfd pf[2];
    int rc;

    bal__child_job_init(&j);
    if (c->pid <= 0 || c->out_fd < 0 || !status_r || !out_r || max == 0 ||
        max > SIZE_MAX / 2) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        rc = BAL_EINVAL;
        goto out;
    }
    /* Collected as a batch of one: the job takes the child over. */
    j.what = what;
    j.c = *c;
    bal__child_init(c);
    while (!j.done) collect_round(ctx, &run, 1, max, pf);
    rc = j.rc;
    if (rc) goto out;
    *status_r = j.status;
    *out_r = j.out;
    if (len_r) *len_r = j.len;
    j.out = NULL;

out:
    bal__child_dispose(c);
    bal__child_job_dispose(&j);
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
