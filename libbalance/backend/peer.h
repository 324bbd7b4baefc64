/*
 * peer.h - asking another dom0 for its sample: runs the configured
 * transport (argv through base/child.h, never a shell) with HOST and the
 * peer command appended, reads its stdout within the timeout and parses
 * it.
 */
#ifndef BAL_PEER_H
#define BAL_PEER_H

#include <stddef.h>

#include "base/internal.h"

/* Appends host's sample to out.  The reply must hold exactly one host; it
 * is renamed to `host` (the name the configuration knows it by). */
int bal__peer_sample(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *host, bal__sample *out);

/* Runs argv, feeding nothing on stdin, collecting at most max bytes of
 * stdout within timeout_s.  stderr is passed through.  Exposed for tests. */
int bal__run_capture(bal_ctx *ctx, char *const argv[], double timeout_s,
                     size_t max, char **out_r, size_t *len_r);

#endif /* BAL_PEER_H */
