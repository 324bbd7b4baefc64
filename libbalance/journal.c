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

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "journal.h"
#include "lock.h"

#define JOURNAL_MAGIC "xl-balance-journal"
#define JOURNAL_VERSION 1
#define STATE_FILE_MAX (16u << 20)  /* a journal or history is far less */
#define LINE_MAX_BYTES 4096

double bal__wall_time(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *bal__fmt_time(double t, char *buf, size_t size)
{
    time_t s = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&s, &tm) ||
        !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, size, "%.0f", t);
    return buf;
}

/* ---- the directory ---------------------------------------------------- */

int bal__state_dir_open(bal_ctx *ctx, const char *dir, int *dirfd_r)
{
    struct stat st;
    int fd = -1, rc;

    *dirfd_r = -1;
    if (dir[0] != '/') {
        BAL__ERR(ctx, "state directory `%s' is not an absolute path", dir);
        return BAL_ECONFIG;
    }
    if (mkdir(dir, 0700) && errno != EEXIST) {
        BAL__ERR(ctx, "%s: cannot create the state directory: %s", dir,
                 strerror(errno));
        return BAL_EIO;
    }
    /* lstat says which; O_NOFOLLOW | O_DIRECTORY makes sure of it. */
    if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        BAL__ERR(ctx, "%s: state directory is %s; refused", dir,
                 S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
        return BAL_ECONFIG;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR) {
            BAL__ERR(ctx, "%s: state directory is not a directory; refused",
                     dir);
            return BAL_ECONFIG;
        }
        BAL__ERR(ctx, "%s: cannot open the state directory: %s", dir,
                 strerror(errno));
        return BAL_EIO;
    }
    if (fstat(fd, &st)) {
        BAL__ERR(ctx, "%s: cannot stat the state directory: %s", dir,
                 strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    if (st.st_uid != geteuid()) {
        BAL__ERR(ctx, "%s: state directory belongs to uid %u, not to this "
                 "user (uid %u); refused", dir, (unsigned)st.st_uid,
                 (unsigned)geteuid());
        rc = BAL_ECONFIG;
        goto out;
    }
    /* Whoever may write it could forge a journal and make a run "recover"
     * a VM it never moved, or fill the history. */
    if (bal__mode_unsafe(st.st_mode)) {
        BAL__ERR(ctx, "%s: state directory is writable by group or others "
                 "(mode %04o); refused: chmod 700 it", dir,
                 (unsigned)(st.st_mode & 07777));
        rc = BAL_ECONFIG;
        goto out;
    }
    *dirfd_r = fd;
    fd = -1;
    rc = 0;

out:
    if (fd >= 0) close(fd);
    return rc;
}

/* Reads file name in dirfd into a NUL-terminated buffer; *buf_r NULL and
 * rc 0 when it does not exist. */
static int read_state_file(bal_ctx *ctx, int dirfd, const char *path,
                           const char *name, char **buf_r, size_t *len_r)
{
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    int fd, rc;

    *buf_r = NULL;
    *len_r = 0;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
        return BAL_EIO;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > STATE_FILE_MAX) {
        BAL__ERR(ctx, "%s: not a regular file of at most %u bytes", path,
                 STATE_FILE_MAX);
        rc = BAL_EIO;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) { rc = BAL_ENOMEM; goto out; }
    while (len < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);

        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            BAL__ERR(ctx, "%s: cannot read: %s", path, strerror(errno));
            rc = BAL_EIO;
            goto out;
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    *buf_r = buf;
    *len_r = len;
    buf = NULL;
    rc = 0;

out:
    free(buf);
    close(fd);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sync_dir(bal_ctx *ctx, int dirfd, const char *what)
{
    if (fsync(dirfd) == 0) return 0;
    BAL__ERR(ctx, "%s: cannot sync its directory: %s", what, strerror(errno));
    return BAL_EIO;
}

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
    int fd;

    snprintf(j->path, sizeof(j->path), "%s/%s", dir, BAL__JOURNAL_FILE);
    fd = openat(dirfd, BAL__JOURNAL_FILE,
                O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
                (create ? O_CREAT | O_EXCL : 0), 0600);
    if (fd < 0) {
        BAL__ERR(ctx, "%s: cannot %s: %s", j->path,
                 create ? "create" : "open", strerror(errno));
        return BAL_EIO;
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
    if (write_all(j->fd, line, (size_t)n)) {
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
    if (write_all(j->fd, line, (size_t)n)) {
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
    if (write_all(j->fd, line, (size_t)n)) {
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
    return sync_dir(ctx, j->dirfd, j->path);
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
        rc = sync_dir(ctx, j->dirfd, j->path);
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
    } else if (!strcmp(f[0], "verified")) {
        if (strlen(f[5]) >= sizeof(m->state)) { *err = "bad state"; return BAL_EIO; }
        m->verified = true;
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
    rc = read_state_file(ctx, dirfd, path, BAL__JOURNAL_FILE, &buf, &len);
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

/* ---- the history -------------------------------------------------------- */

static void g_str(yajl_gen g, const char *k, const char *v)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void g_num(yajl_gen g, const char *k, double v, int decimals)
{
    char buf[64];
    int n;

    if (!isfinite(v)) return;           /* unknown: left out */
    n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_number(g, buf, (size_t)n);
}

/* One record as a line of JSON (newline included); *line_r malloc'd. */
static int hist_line(const bal__hist *h, char **line_r, size_t *len_r)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *out;
    size_t len;
    char *line;

    if (!g) return BAL_ENOMEM;
    yajl_gen_map_open(g);
    g_num(g, "time", h->time, 3);
    g_str(g, "uuid", h->uuid);
    g_str(g, "vm", h->vm);
    g_str(g, "from", h->from);
    g_str(g, "to", h->to);
    g_str(g, "type", bal_load_type_name(h->type));
    g_num(g, "duration_s", h->duration_s, 3);
    g_num(g, "downtime_s", h->downtime_s, 3);
    if (h->rates) {
        g_num(g, "cpu_pct_before", h->cpu_pct_before, 2);
        g_num(g, "cpu_pct_after", h->cpu_pct_after, 2);
        g_num(g, "disk_Bps_before", h->disk_Bps_before, 0);
        g_num(g, "disk_Bps_after", h->disk_Bps_after, 0);
        g_num(g, "gain", h->gain, 4);
    }
    g_num(g, "predicted_gain", h->predicted, 4);
    if (h->mem_kb > 0) g_num(g, "mem_kb", (double)h->mem_kb, 0);
    if (h->predicted_s > 0) g_num(g, "predicted_s", h->predicted_s, 3);
    if (h->observed_Bps > 0) g_num(g, "observed_Bps", h->observed_Bps, 0);
    if (h->dirty_Bps > 0) g_num(g, "dirty_Bps", h->dirty_Bps, 0);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok) {
        yajl_gen_free(g);
        return BAL_EINVAL;   /* a name that is not UTF-8 */
    }
    line = malloc(len + 2);
    if (!line) { yajl_gen_free(g); return BAL_ENOMEM; }
    memcpy(line, out, len);
    line[len] = '\n';
    line[len + 1] = '\0';
    yajl_gen_free(g);
    *line_r = line;
    *len_r = len + 1;
    return 0;
}

/* Keeps the newest whole lines of at most half the limit: written to a
 * temporary file, synced, renamed over the history, directory synced. */
static int history_cut(bal_ctx *ctx, int dirfd, const char *path)
{
    static const char tmpname[] = BAL__HISTORY_FILE ".new";
    char *buf = NULL, *keep;
    size_t len;
    int fd = -1, rc;

    rc = read_state_file(ctx, dirfd, path, BAL__HISTORY_FILE, &buf, &len);
    if (rc || !buf) goto out;
    if (len <= BAL__HISTORY_MAX_BYTES) goto out;
    keep = buf + len - BAL__HISTORY_MAX_BYTES / 2;
    keep = strchr(keep, '\n');
    keep = keep ? keep + 1 : buf + len;
    fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
                O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, keep, (size_t)(buf + len - keep)) ||
        fsync(fd)) {
        BAL__ERR(ctx, "%s.new: cannot write: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    if (renameat(dirfd, tmpname, dirfd, BAL__HISTORY_FILE)) {
        BAL__ERR(ctx, "%s: cannot replace: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = sync_dir(ctx, dirfd, path);

out:
    if (fd >= 0) {
        close(fd);
        if (rc) unlinkat(dirfd, tmpname, 0);
    }
    free(buf);
    return rc;
}

int bal__history_append(bal_ctx *ctx, int dirfd, const char *dir,
                        const bal__hist *h, int n)
{
    char path[4096], *line = NULL;
    struct stat st;
    size_t len;
    int fd = -1, i, rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__HISTORY_FILE);
    if (n <= 0) return 0;
    fd = openat(dirfd, BAL__HISTORY_FILE, O_WRONLY | O_APPEND | O_CREAT |
                O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
        return BAL_EIO;
    }
    for (i = 0; i < n; i++) {
        rc = hist_line(&h[i], &line, &len);
        if (rc == BAL_EINVAL) {
            BAL__WARN(ctx, "%s: the migration of %s is not recorded: its "
                      "names are not UTF-8", path, h[i].uuid);
            continue;
        }
        if (rc) goto out;
        if (write_all(fd, line, len)) {
            BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
            rc = BAL_EIO;
            goto out;
        }
        free(line);
        line = NULL;
    }
    rc = 0;
    if (fsync(fd)) {
        BAL__ERR(ctx, "%s: cannot sync: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = sync_dir(ctx, dirfd, path);
    if (rc) goto out;
    if (fstat(fd, &st) == 0 && st.st_size > BAL__HISTORY_MAX_BYTES)
        rc = history_cut(ctx, dirfd, path);

out:
    free(line);
    if (fd >= 0) close(fd);
    return rc;
}

/* A number or string member of a yajl object; NULL when absent. */
static yajl_val member(yajl_val obj, const char *key, yajl_type t)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(obj, path, t);
}

static double num(yajl_val obj, const char *key, locale_t cloc)
{
    yajl_val v = member(obj, key, yajl_t_number);
    char *end;
    double d;

    if (!v) return NAN;
    d = strtod_l(YAJL_GET_NUMBER(v), &end, cloc);
    return *end ? NAN : d;
}

static bool str(yajl_val obj, const char *key, char *out, size_t size)
{
    yajl_val v = member(obj, key, yajl_t_string);
    const char *s = v ? (const char *)v->u.string : NULL;

    if (!s || !*s || strlen(s) >= size) return false;
    strcpy(out, s);
    return true;
}

/* observed_Bps or dirty_Bps, which a planner learns from: absent is NAN;
 * anything but a positive finite number is NAN too, with *bad_r set. */
static double positive(yajl_val obj, const char *key, locale_t cloc,
                       bool *bad_r)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    double d;

    *bad_r = false;
    if (!v) return NAN;
    d = YAJL_IS_NUMBER(v) ? num(obj, key, cloc) : NAN;
    if (isfinite(d) && d > 0) return d;
    *bad_r = true;
    return NAN;
}

/* The fields a bad value was dropped from, for the warning. */
#define BAD_OBSERVED 1u
#define BAD_DIRTY 2u

static int hist_parse(const char *line, locale_t cloc, bal__hist *h,
                      unsigned *bad_r)
{
    char ebuf[128], type[16];
    yajl_val top = yajl_tree_parse(line, ebuf, sizeof(ebuf));
    double mem;
    bool bad;
    int rc = BAL_EINVAL, t;

    *bad_r = 0;
    if (!top) return BAL_EINVAL;
    memset(h, 0, sizeof(*h));
    if (!YAJL_IS_OBJECT(top)) goto out;
    h->time = num(top, "time", cloc);
    if (!isfinite(h->time)) goto out;
    if (!str(top, "uuid", h->uuid, sizeof(h->uuid)) ||
        !bal__uuid_valid(h->uuid) ||
        !str(top, "from", h->from, sizeof(h->from)) ||
        !str(top, "to", h->to, sizeof(h->to)))
        goto out;
    str(top, "vm", h->vm, sizeof(h->vm));
    h->type = BAL_TYPE_IDLE;
    if (str(top, "type", type, sizeof(type)))
        for (t = BAL_TYPE_IDLE; t <= BAL_TYPE_MIXED; t++)
            if (!strcmp(type, bal_load_type_name((bal_load_type)t)))
                h->type = (bal_load_type)t;
    h->duration_s = num(top, "duration_s", cloc);
    h->downtime_s = num(top, "downtime_s", cloc);
    h->cpu_pct_before = num(top, "cpu_pct_before", cloc);
    h->cpu_pct_after = num(top, "cpu_pct_after", cloc);
    h->disk_Bps_before = num(top, "disk_Bps_before", cloc);
    h->disk_Bps_after = num(top, "disk_Bps_after", cloc);
    h->rates = isfinite(h->cpu_pct_before) && isfinite(h->cpu_pct_after);
    h->gain = num(top, "gain", cloc);
    h->predicted = num(top, "predicted_gain", cloc);
    mem = num(top, "mem_kb", cloc);
    h->mem_kb = mem >= 1 && mem < 1e18 ? (uint64_t)mem : 0;
    h->predicted_s = num(top, "predicted_s", cloc);
    if (!(h->predicted_s > 0)) h->predicted_s = NAN;
    h->observed_Bps = positive(top, "observed_Bps", cloc, &bad);
    if (bad) *bad_r |= BAD_OBSERVED;
    h->dirty_Bps = positive(top, "dirty_Bps", cloc, &bad);
    if (bad) *bad_r |= BAD_DIRTY;
    rc = 0;

out:
    yajl_tree_free(top);
    return rc;
}

int bal__history_load(bal_ctx *ctx, const char *path, bal__hist **h_r,
                      int *n_r)
{
    char *buf = NULL, *line, *next, *dir = NULL, *slash;
    bal__hist *v = NULL;
    locale_t cloc = (locale_t)0;
    size_t len;
    int n = 0, cap = 0, lineno = 0, dirfd = -1, rc;
    unsigned bad;

    /* Read through the directory, as the writer does. */
    dir = strdup(path);
    if (!dir) return BAL_ENOMEM;
    slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    dirfd = open(slash ? (*dir ? dir : "/") : ".",
                 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        rc = 0;                 /* no directory: no history yet */
        goto done;
    }
    rc = read_state_file(ctx, dirfd, path, slash ? slash + 1 : path, &buf,
                         &len);
    if (rc) goto out;
done:
    cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!cloc) { rc = BAL_ENOMEM; goto out; }
    for (line = buf; line && *line; line = next) {
        char *nl = strchr(line, '\n');

        lineno++;
        if (nl) { *nl = '\0'; next = nl + 1; }
        else next = line + strlen(line);
        if (!*line) continue;
        if (n == cap) {
            int ncap = cap ? cap * 2 : 64;
            bal__hist *nv = realloc(v, (size_t)ncap * sizeof(*nv));

            if (!nv) { rc = BAL_ENOMEM; goto out; }
            v = nv;
            cap = ncap;
        }
        if (hist_parse(line, cloc, &v[n], &bad)) {
            BAL__WARN(ctx, "%s:%d: not a migration record; skipped", path,
                      lineno);
            continue;
        }
        if (bad & BAD_OBSERVED)
            BAL__WARN(ctx, "%s:%d: observed_Bps is not a positive number; "
                      "not learned from", path, lineno);
        if (bad & BAD_DIRTY)
            BAL__WARN(ctx, "%s:%d: dirty_Bps is not a positive number; "
                      "not learned from", path, lineno);
        n++;
    }
    *h_r = v;
    *n_r = n;
    v = NULL;
    rc = 0;

out:
    if (cloc) freelocale(cloc);
    if (dirfd >= 0) close(dirfd);
    free(v);
    free(buf);
    free(dir);
    return rc;
}
