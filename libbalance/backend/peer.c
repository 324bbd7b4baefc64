/*
 * peer.c - asking other dom0s for their samples.
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
 *
 * The peers of one sample are asked at once, peer_parallel at a time,
 * each within its own peer_timeout (base/child.c's batch): 60 dom0s
 * answering in 0.3 s each take 60 / 8 * 0.3 s, not 60 * 0.3 s, and their
 * samples are taken close together (bench/bench_peers.c).
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

/* Checks host and makes the argv that asks it (strings borrowed from
 * cfg and host), what naming it in messages: 0, or BAL_EINVAL or
 * BAL_ENOMEM, logged "peer HOST: ...". */
static int peer_argv(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *what, const char *host, char ***argv_r)
{
    char **argv;
    int i, n = 0;

    if (!host[0] || strlen(host) >= BAL__HOST_MAX) {
        BAL__ERR(ctx, "%s: host name must be 1..%d bytes", what,
                 BAL__HOST_MAX - 1);
        return BAL_EINVAL;
    }
    if (!bal__json_name_valid(host, strlen(host))) {
        BAL__ERR(ctx, "%s: host name is not printable UTF-8", what);
        return BAL_EINVAL;
    }
    /* The transport would read "-oProxyCommand=..." as an option. */
    if (host[0] == '-') {
        BAL__ERR(ctx, "%s: host name must not begin with '-'", what);
        return BAL_EINVAL;
    }
    if (cfg->ntransport < 1 || !cfg->transport || !cfg->transport[0]) {
        BAL__ERR(ctx, "%s: no transport configured", what);
        return BAL_EINVAL;
    }
    argv = calloc((size_t)cfg->ntransport + 1 +
                  (size_t)(cfg->npeer_command > 0 ? cfg->npeer_command : 0) +
                  1, sizeof(*argv));
    if (!argv) {
        BAL__ERR(ctx, "%s: out of memory", what);
        return BAL_ENOMEM;
    }
    for (i = 0; i < cfg->ntransport; i++) argv[n++] = cfg->transport[i];
    argv[n++] = (char *)host;
    for (i = 0; i < cfg->npeer_command; i++) argv[n++] = cfg->peer_command[i];
    argv[n] = NULL;
    *argv_r = argv;
    return 0;
}

/* The sample in a finished job's reply, appended to out: exactly one
 * host, renamed to `host`, the name the configuration knows it by. */
static int peer_reply(bal_ctx *ctx, const char *what, const char *host,
                      const bal__child_job *j, bal__sample *out)
{
    bal__sample s;
    int rc;

    bal__sample_init(&s);
    rc = bal__child_status(ctx, BAL_LOG_ERROR, what, j->argv[0], j->status);
    if (rc) goto out;
    rc = bal__json_parse_sample(ctx, what, BAL_EPEER, j->out, j->len, &s);
    if (rc) goto out;
    if (s.nhosts != 1) {
        BAL__ERR(ctx, "%s: reply holds %d hosts, expected 1", what, s.nhosts);
        rc = BAL_EPEER;
        goto out;
    }
    /* The peer may call itself anything; peer_argv made the configured
     * name fit. */
    snprintf(s.hosts[0].name, sizeof(s.hosts[0].name), "%s", host);
    rc = bal__sample_append(out, &s);
    if (rc) BAL__ERR(ctx, "%s: out of memory", what);

out:
    bal__sample_dispose(&s);
    return rc;
}

/* One question per host, what and argv of jobs[i]. */
typedef struct peer_ask {
    char what[BAL__HOST_MAX + 8];
    char **argv;
} peer_ask;

/* Asks hosts[0..n) at once, at most cfg->peer_parallel of them at a
 * time, and appends the samples of those that answered to out in the
 * order of hosts, whatever order they answered in.  rcs[i] (logged when
 * not 0) says how hosts[i] went.  0, or BAL_EINVAL or BAL_ENOMEM when
 * no one could be asked (out untouched). */
static int ask_peers(bal_ctx *ctx, const struct bal_config *cfg,
                     char *const *hosts, int n, bal__sample *out, int *rcs)
{
    bal__child_job *jobs = NULL;
    peer_ask *asks = NULL;
    bal__sample all;
    int i, rc;

    bal__sample_init(&all);
    if (!cfg || (n && (!hosts || !rcs)) || n < 0 || !out) {
        BAL__ERR(ctx, "peer: invalid arguments");
        return BAL_EINVAL;
    }
    jobs = calloc((size_t)n + 1, sizeof(*jobs));
    asks = calloc((size_t)n + 1, sizeof(*asks));
    if (!jobs || !asks) {
        BAL__ERR(ctx, "peer: out of memory");
        rc = BAL_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        bal__child_job_init(&jobs[i]);
        bal__sfmt(asks[i].what, sizeof(asks[i].what), "peer %s",
                  hosts[i] ? hosts[i] : "");
        jobs[i].what = asks[i].what;
        jobs[i].rc = hosts[i] ? peer_argv(ctx, cfg, asks[i].what, hosts[i],
                                          &asks[i].argv) : BAL_EINVAL;
        jobs[i].argv = asks[i].argv;
    }
    rc = bal__child_run_all(ctx, jobs, n, cfg->peer_parallel,
                            cfg->peer_timeout, BAL__JSON_MAX);
    if (rc) goto out;

    for (i = 0; i < n; i++) {
        rcs[i] = jobs[i].rc;
        if (!rcs[i])
            rcs[i] = peer_reply(ctx, asks[i].what, hosts[i], &jobs[i], &all);
    }
    /* Built aside so that out is untouched on failure. */
    rc = bal__sample_append(out, &all);
    if (rc) BAL__ERR(ctx, "peer: out of memory");

out:
    for (i = 0; jobs && asks && i < n; i++) {
        bal__child_job_dispose(&jobs[i]);
        free(asks[i].argv);
    }
    free(jobs);
    free(asks);
    bal__sample_dispose(&all);
    return rc;
}

int bal__peer_sample(bal_ctx *ctx, const struct bal_config *cfg,
                     const char *host, bal__sample *out)
{
    char *hosts[1] = { (char *)host };
    int hrc = 0, rc;

    if (!host) {
        BAL__ERR(ctx, "peer: invalid arguments");
        return BAL_EINVAL;
    }
    rc = ask_peers(ctx, cfg, hosts, 1, out, &hrc);
    return rc ? rc : hrc;
}

int bal__peer_sample_all(bal_ctx *ctx, const struct bal_config *cfg,
                         char *const *hosts, int n, bal__sample *out)
{
    bal__sample s;
    int *rcs = calloc((size_t)n + 1, sizeof(*rcs));
    int i, rc;

    bal__sample_init(&s);
    if (!rcs) {
        BAL__ERR(ctx, "peer: out of memory");
        return BAL_ENOMEM;
    }
    rc = ask_peers(ctx, cfg, hosts, n, &s, rcs);
    if (rc) goto out;
    /* A peer that does not answer costs its host's VMs this round, not
     * the whole sample: counted (status exits 3), and logged above. */
    for (i = 0; i < n; i++)
        if (rcs[i]) s.npeer_errors++;
    rc = bal__sample_append(out, &s);
    if (rc) BAL__ERR(ctx, "peer: out of memory");

out:
    bal__sample_dispose(&s);
    free(rcs);
    return rc;
}
