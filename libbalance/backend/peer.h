/*
 * peer.h - asking another dom0 for its sample: runs the configured
 * transport (argv, fork/execvp, never a shell) with HOST and the peer
 * command appended, reads its stdout within the timeout and parses it.
 */
#ifndef BAL_PEER_H
#define BAL_PEER_H

#include <stdint.h>
#include <sys/types.h>

#include "base/internal.h"

/* Appends host's sample to out.  The reply must hold exactly one host; it
 * is renamed to `host` (the name the configuration knows it by). */
int bal__peer_sample(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *host, bal__sample *out);

/* Runs argv, feeding nothing on stdin, collecting at most max bytes of
 * stdout within timeout_s.  stderr is passed through.  Exposed for tests. */
int bal__run_capture(bal_ctx *ctx, char *const argv[], double timeout_s,
                     size_t max, char **out_r, size_t *len_r);

/* A command started with bal__child_start and collected later with
 * bal__child_finish, so that a caller can do other work (or start more)
 * in between: the xen backend's migrations run on another dom0
 * (backend_xen.c).  Same rules as bal__run_capture: argv only, /dev/null
 * on stdin, a pipe on stdout, our stderr, a process group of its own.
 * Its stdout is only read in bal__child_finish: the pipe holds 64 KiB
 * meanwhile, plenty for a summary line. */
typedef struct bal__child {
    pid_t pid;                  /* -1: none */
    int outfd, errfd;           /* -1: closed */
    const char *argv0;          /* borrowed, for messages */
    double timeout_s;
    uint64_t deadline;          /* bal__now_ns() + timeout_s at the start */
} bal__child;

void bal__child_init(bal__child *c);
/* Kills (SIGTERM, then SIGKILL, its whole group) and reaps a child still
 * running, closes its pipes.  Safe on an init'd or finished child. */
void bal__child_dispose(bal__child *c);
/* Starts argv (borrowed until finish or dispose); timeout_s counts from
 * now.  BAL_EINVAL or BAL_ETRANSPORT, logged as "WHAT: ...". */
int bal__child_start(bal_ctx *ctx, const char *what, char *const argv[],
                     double timeout_s, bal__child *c);
/* Reads at most max bytes of its stdout and waits for it to exit, until
 * its deadline.  0: *status_r is its wait status (any exit, any signal),
 * *out_r its NUL-terminated stdout (free it), *len_r (may be NULL) the
 * length.  Otherwise BAL_ETRANSPORT (timed out, could not be run, more
 * than max bytes...) or BAL_ENOMEM, logged as "WHAT: ...", the child
 * killed.  Disposes c on every path. */
int bal__child_finish(bal_ctx *ctx, const char *what, bal__child *c,
                      size_t max, int *status_r, char **out_r,
                      size_t *len_r);

#endif /* BAL_PEER_H */
