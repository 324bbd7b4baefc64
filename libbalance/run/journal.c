/*
 * journal.c - rebalance's state directory: the journal and the history
 * (journal.h).
 */
#define _GNU_SOURCE             /* strtod_l, newlocale */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "base/lock.h"

#define JOURNAL_MAGIC "xl-balance-journal"
#define JOURNAL_VERSION 1
#define LINE_MAX_BYTES 4096

/* ---- the journal ---------------------------------------------------------- */

void bal__journal_init(bal__journal *j)
{
    j->dirfd = -1;
    j->fd = -1;
    j->path[0] = '\0';
}

bool bal__journal_exists(int dirfd)
{
    struct stat st;

    return fstatat(dirfd, BAL__JOURNAL_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int journal_open(bal_ctx *ctx, int dirfd, const char *dir,
                        bal__journal *j, bool create)
{
    int fd, rc;

    snprintf(j->path, sizeof(j->path), "%s/%s", dir, BAL__JOURNAL_FILE);
    rc = bal__state_open(ctx, dirfd, j->path, BAL__JOURNAL_FILE, "state file",
                         (create ? O_WRONLY | O_CREAT | O_EXCL : O_RDWR) |
                         O_APPEND, &fd);
    if (rc) return rc;
    /* A line the dead run wrote in part would swallow the next record
     * (a `found' glued to it reads as a corrupt journal): cut first. */
    if (!create && (rc = bal__state_cut_torn(ctx, fd, j->path))) {
        close(fd);
        return rc;
    }
    j->dirfd = dirfd;
    j->fd = fd;
    return 0;
}

int bal__journal_create(bal_ctx *ctx, int dirfd, const char *dir,
                        bal__journal *j)
{
    char line[128];
    int n, rc;

    rc = journal_open(ctx, dirfd, dir, j, true);
    if (rc) return rc;
    n = snprintf(line, sizeof(line), "%s %d %ld %.3f\n", JOURNAL_MAGIC,
                 JOURNAL_VERSION, (long)getpid(), bal__wall_time());
    if (bal__write_all(j->fd, line, (size_t)n)) {
        BAL__ERR(ctx, "%s: cannot write: %s", j->path, strerror(errno));
        bal__journal_remove(ctx, j);
        return BAL_EIO;
    }
    rc = bal__journal_sync(ctx, j);
    if (rc) bal__journal_remove(ctx, j);
    return rc;
}

int bal__journal_reopen(bal_ctx *ctx, int dirfd, const char *dir,
                        bal__journal *j)
{
    return journal_open(ctx, dirfd, dir, j, false);
}

/* s percent-encoded into out (3 * strlen + 1 bytes): no blank, no control
 * character, so that fields split on spaces; "-" for an empty string. */
static void enc(const char *s, char *out)
{
    static const char hex[] = "0123456789ABCDEF";

    if (!*s) { strcpy(out, "-"); return; }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c <= 0x20 || c == 0x7f || c == '%') {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        } else {
            *out++ = (char)c;
        }
    }
    *out = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes s into out (size bytes); false if malformed or too long. */
static bool dec(const char *s, char *out, size_t size)
{
    size_t o = 0;

    if (!strcmp(s, "-")) { out[0] = '\0'; return true; }
    for (; *s; s++) {
        char c = *s;

        if (c == '%') {
            int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

            if (lo < 0) return false;
            c = (char)(hi * 16 + lo);
            s += 2;
            if (!c) return false;
        }
        if (o + 1 >= size) return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

int bal__journal_add(bal_ctx *ctx, bal__journal *j, const char *event,
                     const bal__move *mv, const char *arg)
{
    char uuid[3 * sizeof(mv->uuid)], from[3 * sizeof(mv->from)],
         to[3 * sizeof(mv->to)], vm[3 * sizeof(mv->vm)], a[3 * 32];
    char *line = NULL;
    int n, rc;

    if (j->fd < 0) return BAL_EINVAL;
    enc(mv->uuid, uuid);
    enc(mv->from, from);
    enc(mv->to, to);
    enc(mv->vm, vm);
    snprintf(a, sizeof(a), "%s", arg && *arg ? arg : "-");
    n = asprintf(&line, "%s %.3f %s %s %s %s %s\n", event, bal__wall_time(),
                 uuid, from, to, a, vm);
    if (n < 0) return BAL_ENOMEM;
    rc = 0;
    if (bal__write_all(j->fd, line, (size_t)n)) {
        BAL__ERR(ctx, "%s: cannot write: %s", j->path, strerror(errno));
        rc = BAL_EIO;
    }
    free(line);
    return rc;
}

int bal__journal_halt(bal_ctx *ctx, bal__journal *j)
{
    char line[64];
    int n;

    if (j->fd < 0) return BAL_EINVAL;
    n = snprintf(line, sizeof(line), "halted %.3f\n", bal__wall_time());
    if (bal__write_all(j->fd, line, (size_t)n)) {
        BAL__ERR(ctx, "%s: cannot write: %s", j->path, strerror(errno));
        return BAL_EIO;
    }
    return 0;
}

int bal__journal_sync(bal_ctx *ctx, bal__journal *j)
{
    if (j->fd < 0) return BAL_EINVAL;
    if (fsync(j->fd)) {
        BAL__ERR(ctx, "%s: cannot sync: %s", j->path, strerror(errno));
        return BAL_EIO;
    }
    return bal__state_sync_dir(ctx, j->dirfd, j->path);
}

int bal__journal_remove(bal_ctx *ctx, bal__journal *j)
{
    int rc = 0;

    if (j->fd >= 0) close(j->fd);
    j->fd = -1;
    if (j->dirfd < 0) return 0;
    if (unlinkat(j->dirfd, BAL__JOURNAL_FILE, 0) && errno != ENOENT) {
        BAL__ERR(ctx, "%s: cannot remove: %s", j->path, strerror(errno));
        rc = BAL_EIO;
    } else {
        rc = bal__state_sync_dir(ctx, j->dirfd, j->path);
    }
    j->dirfd = -1;
    return rc;
}

void bal__journal_close(bal__journal *j)
{
    if (j->fd >= 0) close(j->fd);
    bal__journal_init(j);
}

void bal__jread_init(bal__jread *r)
{
    memset(r, 0, sizeof(*r));
}

void bal__jread_dispose(bal__jread *r)
{
    free(r->moves);
    bal__jread_init(r);
}

static bal__jmove *jfind(bal__jread *r, const char *uuid)
{
    int i;

    for (i = r->n - 1; i >= 0; i--)
        if (!strcmp(r->moves[i].mv.uuid, uuid)) return &r->moves[i];
    return NULL;
}

static bool parse_time(const char *s, double *t)
{
    char *end;

    errno = 0;
    *t = strtod(s, &end);
    return *s && !*end && !errno && isfinite(*t) && *t >= 0;
}

/* One move record, split into its 7 fields. */
static int journal_record(bal__jread *r, char **f, const char **err)
{
    bal__move mv;
    bal__jmove *m;
    double t;
    char *end;
    long v;

    memset(&mv, 0, sizeof(mv));
    if (!parse_time(f[1], &t)) { *err = "bad time"; return BAL_EIO; }
    if (!dec(f[2], mv.uuid, sizeof(mv.uuid)) || !bal__uuid_valid(mv.uuid)) {
        *err = "bad UUID";
        return BAL_EIO;
    }
    if (!dec(f[3], mv.from, sizeof(mv.from)) ||
        !dec(f[4], mv.to, sizeof(mv.to)) || !dec(f[6], mv.vm, sizeof(mv.vm))) {
        *err = "bad host or VM name";
        return BAL_EIO;
    }
    m = jfind(r, mv.uuid);
    if (!strcmp(f[0], "planned")) {
        errno = 0;
        v = strtol(f[5], &end, 10);
        if (*end || errno || v < 0 || v > 1000000) {
            *err = "bad wave";
            return BAL_EIO;
        }
        if (m) { *err = "VM planned twice"; return BAL_EIO; }
        if (r->n == r->cap) {
            int ncap = r->cap ? r->cap * 2 : 8;
            bal__jmove *nm = realloc(r->moves, (size_t)ncap * sizeof(*nm));

            if (!nm) return BAL_ENOMEM;
            r->moves = nm;
            r->cap = ncap;
        }
        m = &r->moves[r->n++];
        memset(m, 0, sizeof(*m));
        m->mv = mv;
        m->wave = (int)v;
        return 0;
    }
    if (!m) { *err = "record of a VM never planned"; return BAL_EIO; }
    if (!strcmp(f[0], "started")) {
        m->started = true;
        m->t_started = t;
    } else if (!strcmp(f[0], "ended")) {
        errno = 0;
        v = strtol(f[5], &end, 10);
        if (*end || errno || v > 0 || v < -1000) {
            *err = "bad rc";
            return BAL_EIO;
        }
        m->ended = true;
        m->rc = (int)v;
        m->t_ended = t;
    } else if (!strcmp(f[0], "verified")) {
        if (strlen(f[5]) >= sizeof(m->state)) { *err = "bad state"; return BAL_EIO; }
        m->verified = true;
        m->t_verified = t;
        strcpy(m->state, f[5]);
    } else if (!strcmp(f[0], "found")) {
        if (strlen(f[5]) >= sizeof(m->found)) { *err = "bad place"; return BAL_EIO; }
        strcpy(m->found, f[5]);
    } else {
        *err = "unknown record";
        return BAL_EIO;
    }
    return 0;
}

int bal__journal_read(bal_ctx *ctx, int dirfd, const char *dir,
                      bal__jread *out)
{
    char path[4096], *buf = NULL, *line, *next, *f[8];
    const char *err = NULL;
    bal__jread r;
    size_t len;
    int lineno = 0, nf, rc;

    bal__jread_init(&r);
    snprintf(path, sizeof(path), "%s/%s", dir, BAL__JOURNAL_FILE);
    rc = bal__state_read_file(ctx, dirfd, path, BAL__JOURNAL_FILE, &buf, &len);
    if (rc) goto out;
    if (!buf) {
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(ENOENT));
        rc = BAL_EIO;
        goto out;
    }
    if (memchr(buf, '\0', len)) { err = "NUL byte"; lineno = 1; goto bad; }
    for (line = buf; *line; line = next) {
        char *nl = strchr(line, '\n'), *save = NULL, *tok;

        lineno++;
        if (!nl) {
            /* The run died writing this line: what it says did not
             * happen yet (records are written before what they say). */
            BAL__WARN(ctx, "%s:%d: incomplete last line ignored", path,
                      lineno);
            break;
        }
        *nl = '\0';
        next = nl + 1;
        if (strlen(line) > LINE_MAX_BYTES) { err = "line too long"; goto bad; }
        for (nf = 0, tok = strtok_r(line, " ", &save); tok && nf < 8;
             tok = strtok_r(NULL, " ", &save))
            f[nf++] = tok;
        if (lineno == 1) {
            char *end;

            if (nf != 4 || strcmp(f[0], JOURNAL_MAGIC)) {
                err = "not a journal of xl-balance";
                goto bad;
            }
            if (strcmp(f[1], "1")) { err = "unknown journal version"; goto bad; }
            errno = 0;
            r.pid = strtol(f[2], &end, 10);
            if (*end || errno || r.pid <= 0 || !parse_time(f[3], &r.start)) {
                err = "bad header";
                goto bad;
            }
            continue;
        }
        if (nf == 2 && !strcmp(f[0], "halted")) {
            double t;

            if (!parse_time(f[1], &t)) { err = "bad time"; goto bad; }
            r.halted = true;
            continue;
        }
        if (nf != 7) { err = "not a record of 7 fields"; goto bad; }
        rc = journal_record(&r, f, &err);
        if (rc == BAL_ENOMEM) goto out;
        if (rc) goto bad;
    }
    *out = r;
    bal__jread_init(&r);
    rc = 0;
    goto out;

bad:
    BAL__ERR(ctx, "%s:%d: %s", path, lineno, err);
    rc = BAL_EIO;
out:
    bal__jread_dispose(&r);
    free(buf);
    return rc;
}

