/*
 * child.h - running another program: the one place libbalance forks.
 *
 * A peer's sample and a move run on another dom0 (backend/), and the
 * receiver of a live migration (migrate/), are programs we start the same
 * way: argv only (execvp, never a shell, so that a host name is never
 * interpreted), in a process group of its own (stopping it stops what it
 * started: ssh's helpers, a script's sleep), with the default signal
 * dispositions, none of our descriptors but its stdin, stdout and stderr,
 * and a close-on-exec pipe on which the child reports an exec failure.
 * Several at once (the peers' samples) are one batch, watched by one
 * poll loop (bal__child_run_all).
 */
#ifndef BAL_CHILD_H
#define BAL_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

/* Its stdin is a pipe from us (c->in_fd); without it, /dev/null.  Its
 * stdout is always a pipe to us (c->out_fd). */
#define BAL__CHILD_STDIN_PIPE 1u

#define BAL__CHILD_NO_DEADLINE UINT64_MAX

typedef struct bal__child {
    pid_t pid;                  /* -1: none, or reaped */
    int in_fd;                  /* our end of its stdin, or -1 */
    int out_fd;                 /* our end of its stdout, or -1 */
    int exec_fd;                /* where it reports a failed exec; -1:
                                 * read (or none) */
    int exec_err;               /* the errno it reported, when */
    size_t exec_got;            /* ...all its bytes came */
    const char *argv0;          /* borrowed, for messages */
    double timeout_s;           /* 0: none */
    uint64_t deadline;          /* bal__now_ns() + timeout_s at the start,
                                 * or BAL__CHILD_NO_DEADLINE */
} bal__child;

void bal__child_init(bal__child *c);

/* Closes our ends (a child blocked writing to us gets EPIPE), then stops
 * a child still running (bal__child_stop).  Safe on an init'd, finished
 * or disposed child; leaves it as after _init. */
void bal__child_dispose(bal__child *c);

/* Starts argv (borrowed until c is disposed): stdin as flags say, stdout
 * a pipe, stderr err_fd (borrowed; -1: ours).  timeout_s (0: none, at
 * most a day) counts from now and bounds bal__child_ran and
 * bal__child_finish.  Does not wait for the exec: bal__child_ran tells.
 * BAL_EINVAL or BAL_ETRANSPORT, logged as "WHAT: ..."; c is then as
 * after _init. */
int bal__child_start(bal_ctx *ctx, const char *what, char *const argv[],
                     unsigned flags, int err_fd, double timeout_s,
                     bal__child *c);

/* As bal__child_start, its stdin data[0..len) (copied: the caller's may
 * go at once), readable at its own pace; BAL_ETRANSPORT, logged, also
 * when that copy cannot be made. */
int bal__child_start_input(bal_ctx *ctx, const char *what,
                           char *const argv[], const char *data, size_t len,
                           int err_fd, double timeout_s, bal__child *c);

/* Waits, until the deadline, for the child to exec argv (called once).
 * 0: it runs.  BAL_ETRANSPORT, logged: "WHAT: cannot run ARGV0: ERROR"
 * (the child reaped) or "WHAT: timed out after T s". */
int bal__child_ran(bal_ctx *ctx, const char *what, bal__child *c);

/* Reads at most max bytes of its stdout and waits for it to exit, until
 * its deadline.  Past the deadline, what is already there is still read:
 * a child collected late (after other work) may have finished in time.
 * 0: *status_r is its wait status (any exit, any signal), *out_r its
 * NUL-terminated stdout (free it), *len_r (may be NULL) the length.
 * Otherwise BAL_ETRANSPORT (could not be run, timed out, more than max
 * bytes...) or BAL_ENOMEM, logged as "WHAT: ...", the child stopped.
 * Disposes c on every path. */
int bal__child_finish(bal_ctx *ctx, const char *what, bal__child *c,
                      size_t max, int *status_r, char **out_r,
                      size_t *len_r);

/* One program of a batch: what bal__child_run_all runs, and how it
 * ended. */
typedef struct bal__child_job {
    const char *what;           /* borrowed: its messages begin "WHAT: " */
    char *const *argv;          /* borrowed; NULL: not run (the caller
                                 * refused it, and set rc) */
    int rc;                     /* 0: it ran and ended, as status and out
                                 * say; else a BAL_E*, logged */
    int status;                 /* its wait status (any exit, any signal) */
    char *out;                  /* its stdout, NUL-terminated, owned */
    size_t len;
    /* The runner's own. */
    bal__child c;
    size_t cap;
    bool done;
} bal__child_job;

/* Everything empty (what and argv NULL, rc 0). */
void bal__child_job_init(bal__child_job *j);
/* Stops a child still running, frees out; leaves it as after _init. */
void bal__child_job_dispose(bal__child_job *j);

/* Runs jobs[0..n) (those with an argv), at most parallel at once, each
 * started as soon as a slot is free, in order, and each with its own
 * timeout_s (0: none) counted from its own start and its own max bytes
 * of stdout: a slow or hung one costs its slot, never the others'.
 * Each job's end is in its rc, status and out, as bal__child_finish
 * says for one child (a non-zero exit is not a failure here: the caller
 * judges status, e.g. with bal__child_status).  0, or BAL_EINVAL or
 * BAL_ENOMEM (logged) when the batch could not be run at all. */
int bal__child_run_all(bal_ctx *ctx, bal__child_job *jobs, int n,
                       int parallel, double timeout_s, size_t max);

/* Waits until deadline (bal__now_ns's clock) for the child to exit,
 * reading and dropping what it still writes to its stdout meanwhile, so
 * that it cannot block on a full pipe (out_fd closed at its end).
 * 1: reaped, *status_r (may be NULL) its wait status; 0: still running;
 * -1: it cannot be waited for (errno; ECHILD: our caller reaps its
 * children itself).  c->pid is -1 after 1 and -1. */
int bal__child_wait(bal__child *c, uint64_t deadline, int *status_r);

/* SIGTERM to its process group, half a second, SIGKILL to the group
 * (whether or not the leader went, its helpers may not have), and reaps
 * it. */
void bal__child_stop(bal__child *c);

/* 0 for a wait status of exit 0.  Otherwise logs at level "WHAT: ARGV0
 * exited with status N" or "WHAT: ARGV0 killed by signal N (SIGNAME)"
 * and returns BAL_ETRANSPORT. */
int bal__child_status(bal_ctx *ctx, bal_log_level level, const char *what,
                      const char *argv0, int status);

#endif /* BAL_CHILD_H */
