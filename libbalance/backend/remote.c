/*
 * remote.c - moves whose source is another dom0, for the backends that
 * reach dom0s through the transport (xen for its peers' VMs, peers for
 * every VM).
 *
 * A live migration is sent from the dom0 the VM runs on.  A move from a
 * dom0 other than the one we run on (a rebalance run on A plans B -> A
 * too; a management host plans every move) is run on that host as
 * `xl-balance migrate --json UUID TO` through the transport, like a
 * peer's sample, and its answer read as base/migrate_json.h says
 * (doc/migration.md, "Moves whose source is another dom0").  No Xen
 * header: a management host runs this with no Xen of its own.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/config.h"
#include "base/json.h"
#include "base/migrate_json.h"
#include "remote.h"

/* For a remote migration: transport, ssh and the remote sender's own
 * timeouts are inside.  0: max(peer_timeout, REMOTE_TIMEOUT_MIN_S). */
double bal__remote_timeout_s = 0;
#define REMOTE_TIMEOUT_MIN_S 3600.0
#define REMOTE_REPLY_MAX 65536

/* The remote command's exit statuses (xl-plugin/xl_balance.h). */
#define REMOTE_EXIT_OK 0
#define REMOTE_EXIT_FAIL 1
#define REMOTE_EXIT_LOCKED 5
#define REMOTE_EXIT_UNDEFINED 6

static bool is_configured_host(const struct bal_config *cfg,
                               const char *local, const char *host)
{
    int i;

    if (local && !strcmp(host, local)) return true;
    for (i = 0; i < cfg->nhosts; i++)
        if (!strcmp(cfg->hosts[i], host)) return true;
    return false;
}

/* A name that goes into the transport's argv: configured (ssh joins the
 * remote command's words for the remote shell, so only the admin's own
 * names may go there), printable, not an option. */
static bool host_ok(const struct bal_config *cfg, const char *local,
                    const char *host, size_t size)
{
    size_t n = strnlen(host, size);

    return n > 0 && n < size && host[0] != '-' &&
           bal__json_name_valid(host, n) &&
           is_configured_host(cfg, local, host);
}

/* Checks the move and starts `TRANSPORT FROM XL-BALANCE migrate --json
 * UUID TO`.  On failure nothing runs (the VM still runs on `from`). */
static int remote_start(bal_backend *be, const char *local,
                        const bal__move *mv, const char *what,
                        bal__remote_mig *r)
{
    const struct bal_config *cfg = be->cfg;
    int nt;
    char *const *t = bal__config_transport(cfg, &nt);
    double timeout = bal__remote_timeout_s > 0
        ? bal__remote_timeout_s
        : (cfg->peer_timeout > REMOTE_TIMEOUT_MIN_S ? cfg->peer_timeout
                                                     : REMOTE_TIMEOUT_MIN_S);
    int i, n = 0;

    if (!bal__uuid_valid(mv->uuid)) {
        BAL__ERR(be->ctx, "%s: not a UUID; nothing done", what);
        return BAL_EINVAL;
    }
    if (!host_ok(cfg, local, mv->from, sizeof(mv->from)) ||
        !host_ok(cfg, local, mv->to, sizeof(mv->to))) {
        BAL__ERR(be->ctx, "%s: a host name is not one of the configured "
                 "hosts (or begins with '-'); nothing done", what);
        return BAL_EINVAL;
    }
    r->argv = calloc((size_t)nt + 7, sizeof(*r->argv));
    if (!r->argv) {
        BAL__ERR(be->ctx, "%s: out of memory; nothing done", what);
        return BAL_ENOMEM;
    }
    for (i = 0; i < nt; i++) r->argv[n++] = t[i];
    r->argv[n++] = (char *)mv->from;
    r->argv[n++] = cfg->npeer_command > 0 ? cfg->peer_command[0]
                                          : "xl-balance";
    r->argv[n++] = "migrate";
    r->argv[n++] = "--json";
    r->argv[n++] = (char *)mv->uuid;
    r->argv[n++] = (char *)mv->to;
    r->argv[n] = NULL;
    r->start_s = (double)bal__now_ns() / 1e9;
    return bal__child_start(be->ctx, what, r->argv, 0, -1, timeout,
                            &r->child);
}

/* The outcome the remote command's exit status stands for, or NULL for
 * one it never exits with (ssh's 255, a usage error...). */
static const char *exit_outcome(int code)
{
    switch (code) {
    case REMOTE_EXIT_OK: return "done";
    case REMOTE_EXIT_FAIL: case REMOTE_EXIT_LOCKED: return "failed";
    case REMOTE_EXIT_UNDEFINED: return "undefined";
    default: return NULL;
    }
}

/* Reads the answer of the command run on mv->from, which exited with
 * code: 0 and *a, or BAL_EPEER with why (the answer is malformed, or
 * says something else than its exit status or another move). */
static int read_answer(const bal__move *mv, int code, const char *out,
                       size_t len, bal__migrate_answer *a, char *why,
                       size_t size)
{
    const char *want = exit_outcome(code);
    const char *got;
    int rc;

    rc = bal__migrate_json_parse(out, len, a, why, size);
    if (rc) return rc;
    got = !a->rc ? "done" : a->rc == BAL_EUNDEFINED ? "undefined" : "failed";
    if (strcmp(got, want)) {
        snprintf(why, size, "the answer says %s, the exit status %s", got,
                 want);
        return BAL_EPEER;
    }
    if (!a->rc && (strcmp(a->uuid, mv->uuid) || strcmp(a->to, mv->to))) {
        /* The names are checked printable by the parser. */
        snprintf(why, size, "the answer is about %s to %.100s, not this "
                 "move", a->uuid, a->to);
        return BAL_EPEER;
    }
    return 0;
}

/* Waits for a started remote migration and says how it went. */
static void remote_finish(bal_ctx *ctx, const char *what,
                          const bal__move *mv, bal__remote_mig *r,
                          bal__move_result *res)
{
    bal__migrate_answer a;
    char why[512];
    char *out = NULL;
    size_t len = 0;
    int status = 0, code, rc;

    rc = bal__child_finish(ctx, what, &r->child, REMOTE_REPLY_MAX, &status,
                           &out, &len);
    res->end_s = (double)bal__now_ns() / 1e9;
    if (rc) goto unknown;           /* base/child.c said what went wrong */
    if (!WIFEXITED(status)) {
        BAL__ERR(ctx, "%s: the transport was killed by signal %d", what,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        goto unknown;
    }
    code = WEXITSTATUS(status);
    if (!exit_outcome(code)) {
        BAL__ERR(ctx, "%s: the transport exited with status %d", what,
                 code);
        goto unknown;
    }
    if (read_answer(mv, code, out, len, &a, why, sizeof(why))) {
        /* Never taken for a success: the verification sample says where
         * the VM is.  Exit status 6 alone says an admin must look. */
        res->rc = code == REMOTE_EXIT_UNDEFINED ? BAL_EUNDEFINED : BAL_EPEER;
        BAL__ERR(ctx, "%s: bad answer from %s (exit status %d): %s; %s",
                 what, mv->from, code, why,
                 code == REMOTE_EXIT_UNDEFINED
                 ? "STATE UNDEFINED there: the VM may run on neither host "
                   "or on both"
                 : "taken as failed, the verification sample will show "
                   "where the VM runs");
        goto out;
    }
    res->rc = a.rc;
    if (a.rc == BAL_EUNDEFINED) {
        BAL__ERR(ctx, "%s: STATE UNDEFINED there (exit status 6): the VM "
                 "may run on neither host or on both", what);
    } else if (a.rc) {
        BAL__ERR(ctx, "%s: failed there (exit status %d); the VM still runs "
                 "on its source", what, code);
    } else {
        res->end_s = res->start_s + a.duration_s;
        res->rounds = a.rounds;
        res->downtime_s = a.downtime_s;
        res->bytes = a.bytes;
        /* The peer's sender measured how fast the VM dirtied its memory:
         * this host's history learns it (doc/planner.md). */
        res->dirty_Bps = a.dirty_Bps;
    }
    goto out;

unknown:
    res->rc = BAL_ETRANSPORT;
    BAL__ERR(ctx, "%s: outcome unknown; the verification sample will show "
             "where the VM runs", what);
out:
    free(out);
}

static void move_what(char *buf, size_t size, const bal__move *mv)
{
    snprintf(buf, size, "migrate %.*s (%.*s) %.*s -> %.*s",
             (int)sizeof(mv->vm), mv->vm, (int)sizeof(mv->uuid), mv->uuid,
             (int)sizeof(mv->from), mv->from, (int)sizeof(mv->to), mv->to);
}

int bal__remote_wave_start(bal_backend *be, const char *local,
                           const bal__move *moves, int n,
                           bal__move_result *results, bal__remote_wave *w)
{
    char what[BAL__NAME_MAX + BAL__UUID_LEN + 2 * BAL__HOST_MAX + 32];
    int i, nrem = 0;

    memset(w, 0, sizeof(*w));
    for (i = 0; i < n; i++)
        if (!local || strncmp(moves[i].from, local, sizeof(moves[i].from)))
            nrem++;
    if (!nrem) return 0;
    w->rem = calloc((size_t)nrem, sizeof(*w->rem));
    if (!w->rem) {
        BAL__ERR(be->ctx, "migrate: out of memory; nothing done");
        return BAL_ENOMEM;
    }
    for (i = 0; i < nrem; i++) bal__child_init(&w->rem[i].child);

    for (i = 0; i < n; i++) {
        const bal__move *mv = &moves[i];
        bal__remote_mig *r;

        if (local && !strncmp(mv->from, local, sizeof(mv->from))) continue;
        r = &w->rem[w->nrem++];
        r->idx = i;
        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s =
            (double)bal__now_ns() / 1e9;
        results[i].dirty_Bps = NAN;     /* until its answer says */
        move_what(what, sizeof(what), mv);
        results[i].rc = remote_start(be, local, mv, what, r);
        if (results[i].rc) {
            results[i].end_s = (double)bal__now_ns() / 1e9;
            continue;
        }
        results[i].start_s = r->start_s;
        BAL__INFO(be->ctx, "%s: sent to %s, run there by its xl-balance",
                  what, mv->from);
    }
    return 0;
}

void bal__remote_wave_finish(bal_backend *be, const bal__move *moves,
                             bal__move_result *results, bal__remote_wave *w)
{
    char what[BAL__NAME_MAX + BAL__UUID_LEN + 2 * BAL__HOST_MAX + 32];
    int i;

    for (i = 0; i < w->nrem; i++) {
        bal__remote_mig *r = &w->rem[i];

        if (r->child.pid <= 0) continue;
        move_what(what, sizeof(what), &moves[r->idx]);
        remote_finish(be->ctx, what, &moves[r->idx], r, &results[r->idx]);
    }
}

void bal__remote_wave_dispose(bal__remote_wave *w)
{
    int i;

    for (i = 0; w->rem && i < w->nrem; i++) {
        bal__child_dispose(&w->rem[i].child);
        free(w->rem[i].argv);
    }
    free(w->rem);
    memset(w, 0, sizeof(*w));
}
