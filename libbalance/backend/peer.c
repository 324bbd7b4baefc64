/*
 * peer.c - asking another dom0 for its sample.
 *
 * The transport is an argv from the configuration (normally ssh with its
 * options); HOST and the peer command are appended as separate argv
 * elements and the whole is run by base/child.c (execvp, never through a
 * local shell), so a host name is never interpreted.  (ssh itself joins
 * the remote command's words into one string for the remote shell: the
 * peer command comes from the configuration, not from a peer.)
 *
 * The child gets /dev/null on stdin, a pipe on stdout, our stderr, and no
 * other descriptor of ours, in a process group of its own so that a
 * timeout takes down whatever it started (ssh's helpers, a script's
 * sleep), not only the process we forked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/child.h"
#include "base/json.h"
#include "peer.h"

#define TIMEOUT_MAX 86400.0

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
    rc = bal__child_start(ctx, what, argv, 0, -1, timeout_s, &c);
    if (rc) return rc;
    rc = bal__child_finish(ctx, what, &c, max, &status, &buf, &len);
    if (rc) return rc;
    rc = bal__child_status(ctx, BAL_LOG_ERROR, what, argv[0], status);
    if (rc) goto out;
    *out_r = buf;
    if (len_r) *len_r = len;
    buf = NULL;

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
