/*
 * backend_replay.c - the "replay" backend: samples recorded by
 * `xl-balance sample --json`, one JSON object per line, played back in
 * order.  Blank lines and lines starting with '#' (after blanks) are
 * skipped.  The trace carries its own clock, so wait() does nothing.
 *
 * The whole trace is read at open (at most BAL__REPLAY_MAX bytes): a
 * missing or unreadable file fails there, not halfway through a status.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "base/json.h"

#define BAL__REPLAY_MAX (256u << 20)

typedef struct replay_priv {
    char *path;
    char *text;
    size_t len;
    size_t pos;         /* start of the next line to look at */
    int line;           /* number of the line before pos */
    int nread;          /* samples handed out */
} replay_priv;

static bool skip_line(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
    return i == n || s[i] == '#';
}

static int replay_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    replay_priv *p = be->priv;
    char what[4096 + 32];
    bal__sample s;
    int rc;

    bal__sample_init(&s);
    for (;;) {
        const char *start = p->text + p->pos, *nl;
        size_t n;

        if (p->pos >= p->len) {
            BAL__ERR(be->ctx, "%s: trace has no more samples (%d read)",
                     p->path, p->nread);
            rc = BAL_EEOF;
            goto out;
        }
        nl = memchr(start, '\n', p->len - p->pos);
        n = nl ? (size_t)(nl - start) : p->len - p->pos;
        /* Past the line whatever happens: a bad line is reported once,
         * and the next call moves on. */
        p->pos += n + 1;
        p->line++;
        if (skip_line(start, n)) continue;

        snprintf(what, sizeof(what), "%s:%d", p->path, p->line);
        rc = bal__json_parse_sample(be->ctx, what, BAL_ETRACE, start, n, &s);
        if (rc) goto out;
        break;
    }
    /* The local host is the one a trace records first. */
    if (local_only) {
        while (s.nhosts > 1) free(s.hosts[--s.nhosts].doms);
    }
    rc = bal__sample_append(out, &s);
    if (rc) goto out;
    p->nread++;

out:
    bal__sample_dispose(&s);
    return rc;
}

static int replay_wait(bal_backend *be, double interval_s)
{
    (void)be;
    (void)interval_s;
    return 0;
}

static void replay_priv_free(replay_priv *p)
{
    if (!p) return;
    free(p->path);
    free(p->text);
    free(p);
}

static void replay_close(bal_backend *be)
{
    replay_priv_free(be->priv);
    be->priv = NULL;
}

static const bal__backend_ops replay_ops = {
    .name = "replay",
    .sample = replay_sample,
    .wait = replay_wait,
    .close = replay_close,
    .simulated = true,
};

int bal__backend_replay_open(bal_backend *be, const char *arg)
{
    replay_priv *p = NULL;
    int rc;

    if (!arg || !*arg) {
        BAL__ERR(be->ctx, "replay: needs a trace, as replay:FILE");
        rc = BAL_EBACKEND;
        goto out;
    }
    p = calloc(1, sizeof(*p));
    if (!p) { rc = BAL_ENOMEM; goto out; }
    p->path = strdup(arg);
    if (!p->path) { rc = BAL_ENOMEM; goto out; }
    rc = bal__read_file(be->ctx, arg, BAL__REPLAY_MAX, &p->text, &p->len);
    if (rc) goto out;

    be->ops = &replay_ops;
    be->priv = p;
    p = NULL;

out:
    replay_priv_free(p);
    return rc;
}
