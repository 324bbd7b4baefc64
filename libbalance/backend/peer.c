/*
 * peer.c - asking another dom0 for its sample.
 *
 * The transport is an argv from the configuration (normally ssh with its
 * options); HOST and the peer command are appended as separate argv
 * elements and the whole is run with fork/execvp, never through a local
 * shell, so a host name is never interpreted.  (ssh itself joins the
 * remote command's words into one string for the remote shell: the peer
 * command comes from the configuration, not from a peer.)
 *
 * The child gets /dev/null on stdin, a pipe on stdout, our stderr, and no
 * other descriptor of ours.  It runs in a process group of its own so
 * that a timeout takes down whatever it started (ssh's helpers, a script's
 * sleep), not only the process we forked.
 */
#define _GNU_SOURCE             /* pipe2, sigabbrev_np */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "peer.h"

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

/* Reaps pid if it has exited by deadline (monotonic ns), polling with a
 * growing pause.  1: reaped, *status_r set; 0: still running; -1: error
 * (errno).  With WNOWAIT the child is left a zombie, which keeps its pid
 * and process group from being reused while we signal the group. */
static int wait_until(pid_t pid, uint64_t deadline, bool nowait,
                      int *status_r)
{
    uint64_t pause = 1000000;      /* 1 ms, doubling up to 50 ms */

    for (;;) {
        siginfo_t si;
        uint64_t now;

        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)pid, &si,
                   WEXITED | WNOHANG | (nowait ? WNOWAIT : 0))) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (si.si_pid == pid) {
            if (status_r) {
                *status_r = si.si_code == CLD_EXITED
                    ? (si.si_status & 0xff) << 8 : (si.si_status & 0x7f);
            }
            return 1;
        }
        now = bal__now_ns();
        if (now >= deadline) return 0;
        sleep_ns(pause < deadline - now ? pause : deadline - now);
        if (pause < 50000000) pause *= 2;
    }
}

static void signal_group(pid_t pid, int sig)
{
    /* The child may not have reached setpgid() yet: then its own pid. */
    if (kill(-pid, sig)) kill(pid, sig);
}

/* Stops the child and everything in its group, and reaps it. */
static void kill_and_reap(pid_t pid)
{
    int status;

    signal_group(pid, SIGTERM);
    wait_until(pid, bal__now_ns() + KILL_GRACE_NS, true, NULL);
    /* Whether or not the leader went, its helpers may not have. */
    signal_group(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

static const char *sig_name(int sig)
{
    const char *n = sigabbrev_np(sig);

    return n ? n : "unknown";
}

/* The child, between fork and exec: only async-signal-safe calls. */
static void child(char *const argv[], int outfd, int errfd)
{
    struct sigaction sa;
    sigset_t none;
    int fd, e;

    setpgid(0, 0);
    /* Ignored signals stay ignored across exec, blocked ones blocked:
     * the transport gets the defaults, whatever our caller set. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Out of the way of 0..2 before those are replaced (our caller may
     * have started with some of them closed). */
    if (outfd <= 2 && (outfd = fcntl(outfd, F_DUPFD, 3)) < 0) goto fail;
    if (errfd <= 2 && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0)
        goto fail;
    fd = open("/dev/null", O_RDONLY);
    if (fd < 0) goto fail;
    if (fd != 0) {
        if (dup2(fd, 0) < 0) goto fail;
        if (fd > 2) close(fd);
    }
    if (dup2(outfd, 1) < 0) goto fail;

    /* Nothing else of ours leaks into the transport: all above 2 go,
     * except errfd, which exec closes (O_CLOEXEC) when it succeeds. */
    bal__close_fds_from3(errfd);

    execvp(argv[0], argv);
fail:
    e = errno;
    /* The parent reads this, or is gone: nothing to do if it fails. */
    if (write(errfd, &e, sizeof(e)) < 0) e = 0;
    close(errfd);
    _exit(127);
}

void bal__child_init(bal__child *c)
{
    memset(c, 0, sizeof(*c));
    c->pid = -1;
    c->outfd = -1;
    c->errfd = -1;
}

void bal__child_dispose(bal__child *c)
{
    /* Our end first: a child blocked writing to us gets EPIPE. */
    close_fd(&c->outfd);
    close_fd(&c->errfd);
    if (c->pid > 0) kill_and_reap(c->pid);
    c->pid = -1;
}

int bal__child_start(bal_ctx *ctx, const char *what, char *const argv[],
                     double timeout_s, bal__child *c)
{
    int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
    pid_t pid;
    int rc;

    bal__child_init(c);
    if (!argv || !argv[0] || !(timeout_s > 0) || timeout_s > TIMEOUT_MAX) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        return BAL_EINVAL;
    }
    /* O_CLOEXEC: another thread forking now must not inherit them. */
    if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
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
    if (pid == 0) child(argv, outp[1], errp[1]);   /* never returns */
    /* Also here, so that the group exists before we may signal it. */
    setpgid(pid, pid);
    c->pid = pid;
    c->argv0 = argv[0];
    c->timeout_s = timeout_s;
    c->deadline = bal__now_ns() + (uint64_t)(timeout_s * 1e9);
    c->outfd = outp[0];
    c->errfd = errp[0];
    outp[0] = errp[0] = -1;
    rc = 0;

out:
    close_fd(&outp[0]);
    close_fd(&outp[1]);
    close_fd(&errp[0]);
    close_fd(&errp[1]);
    return rc;
}

int bal__child_finish(bal_ctx *ctx, const char *what, bal__child *c,
                      size_t max, int *status_r, char **out_r,
                      size_t *len_r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc, status = 0, exec_errno = 0, got_errno = 0, r;

    if (c->pid <= 0 || !status_r || !out_r || max == 0 ||
        max > SIZE_MAX / 2) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        rc = BAL_EINVAL;
        goto out;
    }

    /* Read stdout and the exec-error pipe until both are closed. */
    while (c->outfd >= 0 || c->errfd >= 0) {
        struct pollfd pf[2];
        uint64_t now = bal__now_ns();
        int n = 0, i, ms;

        /* Past the deadline, what is already there is still read: a
         * child collected late (after other work) may have finished in
         * time. */
        ms = now >= c->deadline
            ? 0 : (int)((c->deadline - now + 999999) / 1000000);
        if (c->outfd >= 0) pf[n++] = (struct pollfd){ c->outfd, POLLIN, 0 };
        if (c->errfd >= 0) pf[n++] = (struct pollfd){ c->errfd, POLLIN, 0 };
        r = poll(pf, (nfds_t)n, ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = BAL_ETRANSPORT;
            BAL__ERR(ctx, "%s: poll: %s", what, strerror(errno));
            goto out;
        }
        if (r == 0 && now >= c->deadline) goto timed_out;
        for (i = 0; i < n; i++) {
            ssize_t got;

            if (!pf[i].revents) continue;
            if (pf[i].fd == c->errfd) {
                got = read(c->errfd, (char *)&exec_errno + got_errno,
                           sizeof(exec_errno) - (size_t)got_errno);
                if (got < 0 && errno == EINTR) continue;
                if (got > 0) got_errno += (int)got;
                if (got <= 0 || got_errno == (int)sizeof(exec_errno))
                    close_fd(&c->errfd);
                continue;
            }
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
            got = read(c->outfd, buf + len, cap - len);
            if (got < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                rc = BAL_ETRANSPORT;
                BAL__ERR(ctx, "%s: read: %s", what, strerror(errno));
                goto out;
            }
            if (got == 0) { close_fd(&c->outfd); continue; }
            len += (size_t)got;
            if (len > max) {
                rc = BAL_ETRANSPORT;
                BAL__ERR(ctx, "%s: reply larger than %zu bytes", what, max);
                goto out;
            }
        }
    }

    /* stdout closed; the child should be exiting. */
    r = wait_until(c->pid, c->deadline, false, &status);
    if (r == 0) goto timed_out;
    if (r < 0) {
        /* ECHILD: our caller reaps children itself (SIGCHLD ignored). */
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: cannot wait for %s: %s", what, c->argv0,
                 strerror(errno));
        c->pid = -1;
        goto out;
    }
    c->pid = -1;

    if (got_errno == (int)sizeof(exec_errno)) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: cannot run %s: %s", what, c->argv0,
                 strerror(exec_errno));
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

/* The body of bal__run_capture; messages start with "WHAT: ".  A
 * non-zero exit or a signal is the transport's failure here. */
static int capture(bal_ctx *ctx, const char *what, char *const argv[],
                   double timeout_s, size_t max, char **out_r,
                   size_t *len_r)
{
    bal__child c;
    char *buf = NULL;
    size_t len = 0;
    int rc, status = 0;

    if (!argv || !argv[0] || !out_r || !(timeout_s > 0) ||
        timeout_s > TIMEOUT_MAX || max == 0 || max > SIZE_MAX / 2) {
        BAL__ERR(ctx, "%s: invalid arguments to run a command", what);
        return BAL_EINVAL;
    }
    rc = bal__child_start(ctx, what, argv, timeout_s, &c);
    if (rc) return rc;
    rc = bal__child_finish(ctx, what, &c, max, &status, &buf, &len);
    if (rc) return rc;

    if (WIFEXITED(status) && WEXITSTATUS(status)) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: %s exited with status %d", what, argv[0],
                 WEXITSTATUS(status));
        goto out;
    }
    if (WIFSIGNALED(status)) {
        rc = BAL_ETRANSPORT;
        BAL__ERR(ctx, "%s: %s killed by signal %d (SIG%s)", what, argv[0],
                 WTERMSIG(status), sig_name(WTERMSIG(status)));
        goto out;
    }
    *out_r = buf;
    if (len_r) *len_r = len;
    buf = NULL;
    rc = 0;

out:
    free(buf);
    return rc;
}

int bal__run_capture(bal_ctx *ctx, char *const argv[], double timeout_s,
                     size_t max, char **out_r, size_t *len_r)
{
    return capture(ctx, argv && argv[0] ? argv[0] : "run", argv, timeout_s,
                   max, out_r, len_r);
}

int bal__peer_sample(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *host, bal__sample *out)
{
    char what[BAL__HOST_MAX + 8];
    char **argv = NULL;
    char *reply = NULL;
    size_t len = 0;
    bal__sample s;
    int i, n = 0, rc;

    bal__sample_init(&s);

    if (!cfg || !host || !out) {
        BAL__ERR(ctx, "peer: invalid arguments");
        rc = BAL_EINVAL;
        goto out;
    }
    snprintf(what, sizeof(what), "peer %s", host);
    if (!host[0] || strlen(host) >= BAL__HOST_MAX) {
        BAL__ERR(ctx, "%s: host name must be 1..%d bytes", what,
                 BAL__HOST_MAX - 1);
        rc = BAL_EINVAL;
        goto out;
    }
    if (!bal__json_name_valid(host, strlen(host))) {
        BAL__ERR(ctx, "%s: host name is not printable UTF-8", what);
        rc = BAL_EINVAL;
        goto out;
    }
    /* The transport would read "-oProxyCommand=..." as an option. */
    if (host[0] == '-') {
        BAL__ERR(ctx, "%s: host name must not begin with '-'", what);
        rc = BAL_EINVAL;
        goto out;
    }
    if (cfg->ntransport < 1 || !cfg->transport || !cfg->transport[0]) {
        BAL__ERR(ctx, "%s: no transport configured", what);
        rc = BAL_EINVAL;
        goto out;
    }

    argv = calloc((size_t)cfg->ntransport + 1 +
                  (size_t)(cfg->npeer_command > 0 ? cfg->npeer_command : 0) + 1,
                  sizeof(*argv));
    if (!argv) {
        BAL__ERR(ctx, "%s: out of memory", what);
        rc = BAL_ENOMEM;
        goto out;
    }
    /* Borrowed strings: argv only lives for the call. */
    for (i = 0; i < cfg->ntransport; i++) argv[n++] = cfg->transport[i];
    argv[n++] = (char *)host;
    for (i = 0; i < cfg->npeer_command; i++) argv[n++] = cfg->peer_command[i];
    argv[n] = NULL;

    rc = capture(ctx, what, argv, cfg->peer_timeout, BAL__JSON_MAX, &reply,
                 &len);
    if (rc) goto out;
    rc = bal__json_parse_sample(ctx, what, BAL_EPEER, reply, len, &s);
    if (rc) goto out;
    if (s.nhosts != 1) {
        BAL__ERR(ctx, "%s: reply holds %d hosts, expected 1", what, s.nhosts);
        rc = BAL_EPEER;
        goto out;
    }
    /* The peer may call itself anything; we know it by the configured
     * name, which the length check above made fit. */
    snprintf(s.hosts[0].name, sizeof(s.hosts[0].name), "%s", host);

    rc = bal__sample_append(out, &s);
    if (rc) BAL__ERR(ctx, "%s: out of memory", what);

out:
    bal__sample_dispose(&s);
    free(reply);
    free(argv);
    return rc;
}
