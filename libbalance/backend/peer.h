/*
 * peer.h - asking another dom0 for its sample: runs the configured
 * transport (argv through base/child.h, never a shell) with HOST and the
 * peer command appended, reads its stdout within the timeout and parses
 * it; many peers at once, each within its own timeout.
 */
#ifndef BAL_PEER_H
#define BAL_PEER_H

#include <stddef.h>

#include "base/internal.h"

/* Appends host's sample to out.  The reply must hold exactly one host; it
 * is renamed to `host` (the name the configuration knows it by).  On
 * failure (logged "peer HOST: ...") out is untouched. */
int bal__peer_sample(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *host, bal__sample *out);

/* Appends the samples of hosts[0..n) to out, in that order: asked at
 * once, at most cfg->peer_parallel at a time (base/child.c's batch),
 * each within cfg->peer_timeout from its own start, so that a silent
 * peer costs its slot and its own time, never the others'.  A host that
 * did not answer usably is logged as bal__peer_sample logs it and
 * counted in out->npeer_errors.  0, or BAL_EINVAL or BAL_ENOMEM (logged,
 * out untouched) when the peers could not be asked at all. */
int bal__peer_sample_all(bal_ctx *ctx, const struct bal_config *cfg,
                         char *const *hosts, int n, bal__sample *out);

/* Runs argv, feeding nothing on stdin, collecting at most max bytes of
 * stdout within timeout_s.  stderr is passed through.  Exposed for tests. */
int bal__run_capture(bal_ctx *ctx, char *const argv[], double timeout_s,
                     size_t max, char **out_r, size_t *len_r);

#endif /* BAL_PEER_H */
