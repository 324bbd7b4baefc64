/*
 * config_xlu.c - bal_config_load: reads /etc/xen/xl-balance.conf with
 * libxlutil, the parser of xl.conf and of domain configurations, so the
 * file has exactly xl's syntax.  The keys, defaults and ranges are in
 * config.c's table.
 *
 * libxlutil stores every value as a string (a bare number is a string of
 * digits), has no way to list the keys of a file and no line numbers in
 * its API.  So, after libxlutil has accepted the syntax, a small scanner
 * (scan below) walks the same bytes for the top-level `key =` lines: it
 * finds unknown and duplicate keys, and gives our own messages a line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxlutil.h>

#include "config.h"
#include "config_xlu.h"
#include "loadtype.h"
#include "state_private.h"

/* A configuration is a few hundred bytes; anything near this is not one. */
#define MAX_FILE_BYTES (1024 * 1024)

/* ---- reading the file ------------------------------------------------------
 * We read the bytes ourselves and hand them to xlu_cfg_readdata, so that
 * libxlutil and the scanner see the same text, and so that a directory,
 * a huge file or a FIFO gets a clean message instead of a parse error. */

/* ---- whose file it is -------------------------------------------------------
 * The configuration names the commands run to reach peers (transport,
 * peer_command) and the state directory: whoever may write it, or
 * replace it in its directory, runs commands as the user of xl-balance,
 * root on a dom0.  So, as sshd does with its files: the file and its
 * directory must belong to root (or to the user running us, when that is
 * not root) and be writable by no one else.  A world-writable directory
 * with the sticky bit (/tmp) is fine: there only a file's owner may
 * rename or remove it. */

static bool owner_ok(uid_t uid)
{
    return uid == 0 || uid == geteuid();
}

static const char *owner_wanted(char *buf, size_t size)
{
    if (geteuid() == 0) snprintf(buf, size, "root");
    else snprintf(buf, size, "root or to this user (uid %u)",
                  (unsigned)geteuid());
    return buf;
}

/* The directory holding path (as named, and as resolved when path is a
 * symbolic link: either could be used to swap the file). */
static int check_dir(bal_ctx *ctx, const char *path, const char *file)
{
    char *copy = strdup(file), *slash, who[64];
    const char *dir;
    struct stat st;
    int rc = 0;

    if (!copy) return BAL_ENOMEM;
    slash = strrchr(copy, '/');
    if (!slash) dir = ".";
    else if (slash == copy) dir = "/";
    else { *slash = '\0'; dir = copy; }
    if (stat(dir, &st)) goto out;      /* the file was opened: unlikely */
    if (!owner_ok(st.st_uid)) {
        BAL__ERR(ctx, "%s: the directory %s belongs to uid %u, not to %s; "
                 "refused", path, dir, (unsigned)st.st_uid,
                 owner_wanted(who, sizeof(who)));
        rc = BAL_ECONFIG;
    } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
               !(st.st_mode & S_ISVTX)) {
        BAL__ERR(ctx, "%s: the directory %s is writable by group or others "
                 "(mode %04o); refused: chmod go-w it", path, dir,
                 (unsigned)(st.st_mode & 07777));
        rc = BAL_ECONFIG;
    }
out:
    free(copy);
    return rc;
}

static int check_trusted(bal_ctx *ctx, const char *path,
                         const struct stat *st)
{
    char who[64], *real;
    int rc;

    if (!owner_ok(st->st_uid)) {
        BAL__ERR(ctx, "%s: configuration file belongs to uid %u, not to %s; "
                 "refused", path, (unsigned)st->st_uid,
                 owner_wanted(who, sizeof(who)));
        return BAL_ECONFIG;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        BAL__ERR(ctx, "%s: configuration file is writable by group or "
                 "others (mode %04o); refused: chmod go-w it", path,
                 (unsigned)(st->st_mode & 07777));
        return BAL_ECONFIG;
    }
    rc = check_dir(ctx, path, path);
    if (rc) return rc;
    real = realpath(path, NULL);
    if (real && strcmp(real, path)) rc = check_dir(ctx, path, real);
    free(real);
    return rc;
}

/* *text_r is NULL (and rc 0) when the file is missing and may be. */
static int read_text(bal_ctx *ctx, const char *path, bool must_exist,
                     char **text_r, size_t *len_r)
{
    int fd = -1, rc;
    char *buf = NULL;
    size_t len = 0;
    struct stat st;

    *text_r = NULL;
    /* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT && !must_exist) {
            BAL__DEBUG(ctx, "%s: not found, using the defaults", path);
            rc = 0;
            goto out;
        }
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
        rc = BAL_ECONFIG;
        goto out;
    }
    if (fstat(fd, &st)) {
        BAL__ERR(ctx, "%s: cannot stat: %s", path, strerror(errno));
        rc = BAL_ECONFIG;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        BAL__ERR(ctx, "%s: cannot read: %s", path, strerror(EISDIR));
        rc = BAL_ECONFIG;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        BAL__ERR(ctx, "%s: cannot read: not a regular file", path);
        rc = BAL_ECONFIG;
        goto out;
    }
    rc = check_trusted(ctx, path, &st);
    if (rc) goto out;
    if (st.st_size > MAX_FILE_BYTES) goto too_big;

    /* One byte more than allowed, to see a file that grew meanwhile. */
    buf = malloc(MAX_FILE_BYTES + 2);
    if (!buf) { rc = BAL_ENOMEM; goto out; }
    for (;;) {
        ssize_t got = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);

        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            BAL__ERR(ctx, "%s: cannot read: %s", path, strerror(errno));
            rc = BAL_ECONFIG;
            goto out;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len > MAX_FILE_BYTES) goto too_big;
    }
    buf[len] = '\0';
    *text_r = buf;
    *len_r = len;
    buf = NULL;
    rc = 0;
    goto out;

too_big:
    BAL__ERR(ctx, "%s: cannot read: larger than 1 MiB, not a configuration",
             path);
    rc = BAL_ECONFIG;
out:
    free(buf);
    if (fd >= 0) close(fd);
    return rc;
}

/* ---- messages ------------------------------------------------------------ */

/* A value from the file, fit for one line of a message (config.h). */
#define SHOWN_MAX BAL__CONFIG_SHOWN_MAX

static const char *shown(char buf[static SHOWN_MAX], const char *s)
{
    return bal__config_shown(buf, SHOWN_MAX, s);
}

/* libxlutil's report, as one "FILE:LINE: message" line.  It writes
 * "FILE:LINE: config parsing error near `TEXT': what", then possibly
 * more lines (a warning that the file looks like Python). */
static void log_syntax_error(bal_ctx *ctx, const char *path,
                             const char *report, int err)
{
    size_t plen = strlen(path), n;
    const char *rest, *nl;
    char *end, msg[400], sbuf[sizeof(msg) + 16];
    long line = 1;

    if (!report || !*report) {
        BAL__ERR(ctx, "%s:1: cannot parse: %s", path, strerror(err));
        return;
    }
    nl = strchr(report, '\n');
    n = nl ? (size_t)(nl - report) : strlen(report);
    rest = report;
    if (n > plen + 1 && !strncmp(report, path, plen) && report[plen] == ':'
        && isdigit((unsigned char)report[plen + 1])) {
        line = strtol(report + plen + 1, &end, 10);
        if (*end == ':') rest = end + 1;
        else line = 1;
    }
    while (*rest == ' ') rest++;
    n -= (size_t)(rest - report);
    if (n >= sizeof(msg)) n = sizeof(msg) - 1;
    memcpy(msg, rest, n);
    msg[n] = '\0';

    /* libxlutil's yyerror counts a NEWLINE token's line twice back: an
     * error "near <newline>" is one line below what it says (a value
     * missing on line 1 is reported on line 0). */
    if (strstr(msg, "near <newline>")) line++;
    if (line < 1) line = 1;

    /* xl's lexer reads numbers as [0-9][0-9a-fx]*: 0.25 is "0" and then
     * a lexical error at ".25".  Say what to write instead. */
    if (strstr(msg, "near `.") && strstr(msg, "lexical error")) {
        BAL__ERR(ctx, "%s:%ld: %s (write decimals in quotes, as in "
                 "cpu_high = \"0.25\")", path, line,
                 bal__config_shown(sbuf, sizeof(sbuf), msg));
        return;
    }
    BAL__ERR(ctx, "%s:%ld: %s", path, line,
             bal__config_shown(sbuf, sizeof(sbuf), msg));
}

/* ---- the scanner -----------------------------------------------------------
 * Finds each top-level `key =` and `key +=`, with its line.  It only runs
 * on text libxlutil accepted, so it need not diagnose anything; it must
 * just skip what can hide an `=`: strings ("..." and '...', with
 * backslash escapes, never across a line), # comments, and lists, which
 * may span lines.  Statements end at a newline or ';' outside a list. */

typedef struct assign {
    char name[64];
    int line;
    bool add;                   /* += */
} assign;

typedef struct assigns {
    assign *v;
    int n, a;
} assigns;

static int assigns_push(assigns *as, const char *name, size_t len, int line,
                        bool add)
{
    assign *a;

    if (as->n == as->a) {
        int na = as->a ? as->a * 2 : 16;
        assign *nv = realloc(as->v, (size_t)na * sizeof(*nv));

        if (!nv) return BAL_ENOMEM;
        as->v = nv;
        as->a = na;
    }
    a = &as->v[as->n++];
    /* Longer names are unknown keys anyway; cut, they stay unknown. */
    if (len >= sizeof(a->name)) len = sizeof(a->name) - 1;
    memcpy(a->name, name, len);
    a->name[len] = '\0';
    a->line = line;
    a->add = add;
    return 0;
}

static int scan(const char *p, assigns *out)
{
    int line = 1, depth = 0, rc;
    bool start = true;          /* at the start of a statement */

    while (*p) {
        char c = *p;

        if (c == '\n') {
            line++;
            if (!depth) start = true;
            p++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p++;
        } else if (c == '#') {
            while (*p && *p != '\n') p++;
        } else if (c == '"' || c == '\'') {
            for (p++; *p && *p != c && *p != '\n'; p++)
                if (*p == '\\' && p[1] && p[1] != '\n') p++;
            if (*p == c) p++;
            start = false;
        } else if (c == ';' && !depth) {
            start = true;
            p++;
        } else if (start && !depth && c >= 'a' && c <= 'z') {
            const char *name = p;
            size_t len;

            while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                   *p == '_')
                p++;
            len = (size_t)(p - name);
            while (*p == ' ' || *p == '\t') p++;
            if (*p == '=' || (p[0] == '+' && p[1] == '=')) {
                rc = assigns_push(out, name, len, line, *p == '+');
                if (rc) return rc;
                p += *p == '+' ? 2 : 1;
            }
            start = false;
        } else {
            if (c == '[') depth++;
            else if (c == ']' && depth) depth--;
            start = false;
            p++;
        }
    }
    return 0;
}

/* ---- keys ------------------------------------------------------------------ */

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), i, j;
    int row[64];

    if (la >= 63 || lb >= 63) return 99;
    for (j = 0; j <= lb; j++) row[j] = j;
    for (i = 1; i <= la; i++) {
        int diag = row[0];

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* The one known key close to name (a typo, or a key's tail such as
 * `interval'), or NULL when there is none or several. */
static const char *suggest(const char *name)
{
    const char *best = NULL, *part = NULL;
    int bestd = 3, nbest = 0, npart = 0, i;

    for (i = 0; i < bal__config_nkeys; i++) {
        const char *k = bal__config_keys[i].name;
        int d = edit_distance(name, k);

        if (d < bestd) { bestd = d; best = k; nbest = 1; }
        else if (d == bestd) nbest++;
        if (strlen(name) >= 4 && strstr(k, name)) { part = k; npart++; }
    }
    if (best && nbest == 1) return best;
    if (npart == 1) return part;
    return NULL;
}

/* Checks the keys the scanner found: known, each set once with `=', `+='
 * only on lists.  first_r/last_r: per key of the table, the line it is
 * first/last set on (0: not set); order_r: keys in the order of their
 * first appearance. */
static int check_keys(bal_ctx *ctx, const char *path, const assigns *as,
                      int *first_r, int *last_r, int *order_r, int *norder_r)
{
    int i, n = 0;

    for (i = 0; i < as->n; i++) {
        const assign *a = &as->v[i];
        const bal__config_key *k = bal__config_key_find(a->name);
        const char *hint;
        int ki;

        if (!k) {
            hint = suggest(a->name);
            if (hint)
                BAL__ERR(ctx, "%s:%d: unknown key `%s' (did you mean `%s'?)",
                         path, a->line, a->name, hint);
            else
                BAL__ERR(ctx, "%s:%d: unknown key `%s'", path, a->line,
                         a->name);
            return BAL_ECONFIG;
        }
        ki = (int)(k - bal__config_keys);
        if (a->add && k->type != BAL__CK_LIST) {
            BAL__ERR(ctx, "%s:%d: %s: `+=' only adds to lists; use `='",
                     path, a->line, a->name);
            return BAL_ECONFIG;
        }
        if (first_r[ki] && !a->add) {
            BAL__ERR(ctx, "%s:%d: %s is set again (first set on line %d)",
                     path, a->line, a->name, first_r[ki]);
            return BAL_ECONFIG;
        }
        if (!first_r[ki]) {
            first_r[ki] = a->line;
            order_r[n++] = ki;
        }
        last_r[ki] = a->line;
    }
    *norder_r = n;
    return 0;
}

/* A host name, entry i of key k (i < 0: k is not a list). */
static int check_host(bal_ctx *ctx, const char *path, int line,
                      const bal__config_key *k, int i, const char *s)
{
    char where[80], sbuf[SHOWN_MAX];

    if (i >= 0) snprintf(where, sizeof(where), "%s: entry %d", k->name, i + 1);
    else snprintf(where, sizeof(where), "%s", k->name);

    if (!*s) {
        BAL__ERR(ctx, "%s:%d: %s is empty", path, line, where);
        return BAL_ECONFIG;
    }
    if (strlen(s) >= BAL__HOST_MAX) {
        BAL__ERR(ctx, "%s:%d: %s is longer than %d characters", path, line,
                 where, BAL__HOST_MAX - 1);
        return BAL_ECONFIG;
    }
    if (s[0] == '-') {
        BAL__ERR(ctx, "%s:%d: %s: `%s' is not a host name (it starts with "
                 "'-')", path, line, k->name, shown(sbuf, s));
        return BAL_ECONFIG;
    }
    if (!bal__config_host_valid(s)) {
        BAL__ERR(ctx, "%s:%d: %s: `%s' is not a host name (letters, digits, "
                 "'.', '-', '_' and ':' only)", path, line, k->name,
                 shown(sbuf, s));
        return BAL_ECONFIG;
    }
    return 0;
}

/* The metrics textfile: "" (none), or an absolute path (a relative one
 * would depend on where cron starts us) whose name ends in .prom, the
 * only files node_exporter's textfile collector reads.  Whether its
 * directory exists is checked when it is written. */
static int check_promfile(bal_ctx *ctx, const char *path, int line,
                          const bal__config_key *k, const char *s)
{
    static const char ext[] = ".prom";
    const char *base = strrchr(s, '/');
    size_t n = strlen(s);
    char sbuf[SHOWN_MAX];

    if (!*s) return 0;
    if (s[0] != '/') {
        BAL__ERR(ctx, "%s:%d: %s: `%s' is not an absolute path", path, line,
                 k->name, shown(sbuf, s));
        return BAL_ECONFIG;
    }
    if (n >= 4096 - 32) {
        BAL__ERR(ctx, "%s:%d: %s is longer than %d characters", path, line,
                 k->name, 4096 - 33);
        return BAL_ECONFIG;
    }
    if (strlen(base + 1) <= sizeof(ext) - 1 ||
        strcmp(s + n - (sizeof(ext) - 1), ext)) {
        BAL__ERR(ctx, "%s:%d: %s: `%s' is not named NAME.prom "
                 "(node_exporter's textfile collector reads *.prom only)",
                 path, line, k->name, shown(sbuf, s));
        return BAL_ECONFIG;
    }
    return 0;
}

/* A key of one value, a number or a string: libxlutil hands both over as
 * the string written (a number's text is parsed here, in the C locale,
 * with the key's range: bal__config_key_parse). */
static int apply_scalar(bal_ctx *ctx, const char *path, int line,
                        const XLU_Config *xlu, const bal__config_key *k,
                        struct bal_config *cfg)
{
    bool number = k->type != BAL__CK_STRING;
    const char *s = NULL;
    double v;
    int rc;

    if (xlu_cfg_get_string(xlu, k->name, &s, 1)) {
        BAL__ERR(ctx, "%s:%d: %s must be %s, not a list", path, line,
                 k->name, number ? "a number" : "a single string");
        return BAL_ECONFIG;
    }
    if (number) {
        rc = bal__config_key_parse(ctx, path, line, k->name, k, s, &v);
        if (rc) return rc;
        bal__config_key_store(k, cfg, v);
        return 0;
    }
    if (k->flags & BAL__CK_HOSTNAME) {
        rc = check_host(ctx, path, line, k, -1, s);
        if (rc) return rc;
    }
    if (k->flags & BAL__CK_PROMFILE) {
        rc = check_promfile(ctx, path, line, k, s);
        if (rc) return rc;
    }
    return bal__config_set_string(k, cfg, s);
}

/* ssh options in the transport that turn off host key checking: then
 * whoever answers for a peer's name gets the VMs we migrate to it (their
 * memory) and feeds us its samples.  A warning, not a refusal: a lab may
 * want it; production must pre-populate known_hosts (doc/security.md).
 * ssh takes "-oKey=value", "-o Key=value" and "Key value", any case. */
static void warn_host_keys(bal_ctx *ctx, const char *path, int line,
                           const char **items, int n)
{
    static const char *const bad[] = {
        "stricthostkeycheckingno", "stricthostkeycheckingoff",
        "userknownhostsfile/dev/null",
    };
    char norm[64];
    size_t o, b;
    int i;

    for (i = 0; i < n; i++) {
        const char *p = items[i];

        if (!strncmp(p, "-o", 2)) p += 2;
        for (o = 0; *p && o + 1 < sizeof(norm); p++)
            if (*p != ' ' && *p != '\t' && *p != '=')
                norm[o++] = (char)tolower((unsigned char)*p);
        norm[o] = '\0';
        for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++)
            if (!strcmp(norm, bad[b]))
                BAL__WARN(ctx, "%s:%d: transport: `%s' turns off ssh's host "
                          "key check: whoever answers for a peer's name gets "
                          "the VMs migrated there and feeds us its samples; "
                          "put the peers' keys in known_hosts instead",
                          path, line, items[i]);
    }
}

static int apply_list(bal_ctx *ctx, const char *path, int line,
                      const XLU_Config *xlu, const bal__config_key *k,
                      struct bal_config *cfg)
{
    XLU_ConfigList *list = NULL;
    const char **items = NULL;
    char sbuf[SHOWN_MAX];
    int n = 0, i, j, rc;

    if (xlu_cfg_get_list(xlu, k->name, &list, &n, 1)) {
        BAL__ERR(ctx, "%s:%d: %s must be a list, as in %s = [\"...\"]", path,
                 line, k->name, k->name);
        rc = BAL_ECONFIG;
        goto out;
    }
    if (n == 0 && (k->flags & BAL__CK_NONEMPTY)) {
        BAL__ERR(ctx, "%s:%d: %s must not be an empty list", path, line,
                 k->name);
        rc = BAL_ECONFIG;
        goto out;
    }
    items = calloc((size_t)n + 1, sizeof(*items));
    if (!items) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < n; i++) {
        items[i] = xlu_cfg_get_listitem(list, i);
        if (!items[i]) {
            BAL__ERR(ctx, "%s:%d: %s: entry %d is a list, not a string", path,
                     line, k->name, i + 1);
            rc = BAL_ECONFIG;
            goto out;
        }
        if (k->flags & BAL__CK_HOSTNAME) {
            rc = check_host(ctx, path, line, k, i, items[i]);
            if (rc) goto out;
            for (j = 0; j < i; j++) {
                if (!strcmp(items[j], items[i])) {
                    BAL__ERR(ctx, "%s:%d: %s: `%s' is listed twice", path,
                             line, k->name, shown(sbuf, items[i]));
                    rc = BAL_ECONFIG;
                    goto out;
                }
            }
        } else if (!*items[i]) {
            BAL__ERR(ctx, "%s:%d: %s: entry %d is empty", path, line,
                     k->name, i + 1);
            rc = BAL_ECONFIG;
            goto out;
        }
    }
    /* The planner's lists: VM names, groups, storages (config.c). */
    {
        char why[400];

        rc = bal__config_check_list(k, items, n, why, sizeof(why));
        if (rc == BAL_ECONFIG)
            BAL__ERR(ctx, "%s:%d: %s", path, line, why);
        if (rc) goto out;
    }
    if (!strcmp(k->name, "transport")) warn_host_keys(ctx, path, line, items, n);
    rc = bal__config_set_list(k, cfg, (char *const *)items, n);

out:
    free(items);
    return rc;
}

/* low < high for one pair of thresholds, when the file sets either. */
static int check_pair(bal_ctx *ctx, const char *path, const int *last,
                      const char *lo_name, double lo, const char *hi_name,
                      double hi)
{
    int llo = last[bal__config_key_find(lo_name) - bal__config_keys];
    int lhi = last[bal__config_key_find(hi_name) - bal__config_keys];

    if ((!llo && !lhi) || lo < hi) return 0;
    BAL__ERR(ctx, "%s:%d: %s (%g) must be below %s (%g)", path,
             llo > lhi ? llo : lhi, lo_name, lo, hi_name, hi);
    return BAL_ECONFIG;
}

/* The lock outside the state directory, when the file sets either: a run
 * must never flock, truncate or remove a state file, nor find its lock
 * among them. */
static int check_lock(bal_ctx *ctx, const char *path, const int *last,
                      const struct bal_config *cfg)
{
    int ldir = last[bal__config_key_find("state_dir") - bal__config_keys];
    int llock = last[bal__config_key_find("lock_file") - bal__config_keys];
    const char *dir = bal__config_state_dir(cfg);
    const char *lock = bal__config_lock_file(cfg);
    char b1[SHOWN_MAX], b2[SHOWN_MAX];

    if ((!ldir && !llock) || !bal__path_inside(lock, dir)) return 0;
    BAL__ERR(ctx, "%s:%d: lock_file: `%s' %s state_dir `%s'; put the lock "
             "elsewhere", path, llock > ldir ? llock : ldir, shown(b1, lock),
             bal__path_inside(dir, lock) ? "is" : "lies inside",
             shown(b2, dir));
    return BAL_ECONFIG;
}

/* ---- bal_config_load -------------------------------------------------------- */

/* Parses text[0..len) (text[len] is a NUL) as the file path over cfg. */
static int load_text(bal_ctx *ctx, bal_config *cfg, const char *path,
                     const char *text, size_t len)
{
    char *report_buf = NULL;
    size_t report_len = 0;
    FILE *report = NULL;
    XLU_Config *xlu = NULL;
    assigns as = { NULL, 0, 0 };
    struct bal_config scratch;
    bool have_scratch = false;
    int first[64] = { 0 }, last[64] = { 0 }, order[64], norder = 0;
    int rc, e, i;
    const char *nul;

    /* The lexer would stop at a NUL and our scanner too, differently. */
    nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        const char *p;

        for (p = text; p < nul; p++) line += *p == '\n';
        BAL__ERR(ctx, "%s:%d: NUL byte: not a text file", path, line);
        rc = BAL_ECONFIG;
        goto out;
    }

    /* libxlutil prints its diagnostics to a FILE: keep them in memory to
     * turn them into our one line. */
    report = open_memstream(&report_buf, &report_len);
    if (!report) { rc = BAL_ENOMEM; goto out; }
    xlu = xlu_cfg_init(report, path);
    if (!xlu) { rc = BAL_ENOMEM; goto out; }
    e = xlu_cfg_readdata(xlu, text, (int)len);
    fflush(report);
    if (e == ENOMEM && !report_len) {
        rc = BAL_ENOMEM;
        goto out;
    }
    if (e) {
        log_syntax_error(ctx, path, report_buf, e);
        rc = BAL_ECONFIG;
        goto out;
    }

    rc = scan(text, &as);
    if (rc) goto out;
    rc = check_keys(ctx, path, &as, first, last, order, &norder);
    if (rc) goto out;

    /* Work on a copy: cfg changes only when the whole file is good. */
    rc = bal__config_copy(&scratch, cfg);
    if (rc) goto out;
    have_scratch = true;

    /* Keys in file order, so the first bad line is the one reported.  A
     * value's errors point at its key's last line: with `+=', the line
     * that completed the list libxlutil hands us. */
    for (i = 0; i < norder; i++) {
        const bal__config_key *k = &bal__config_keys[order[i]];
        int line = last[order[i]];

        switch (k->type) {
        case BAL__CK_INT:
        case BAL__CK_REAL:
        case BAL__CK_STRING:
            rc = apply_scalar(ctx, path, line, xlu, k, &scratch);
            break;
        case BAL__CK_LIST:
            rc = apply_list(ctx, path, line, xlu, k, &scratch);
            break;
        }
        if (rc) goto out;
    }
    /* Each resource's thresholds, RES_low below RES_high. */
    for (i = 0; i < BAL_NRES; i++) {
        char lo[32], hi[32];

        snprintf(lo, sizeof(lo), "%s_low", bal__resources[i].name);
        snprintf(hi, sizeof(hi), "%s_high", bal__resources[i].name);
        rc = check_pair(ctx, path, last, lo, scratch.classify.low[i], hi,
                        scratch.classify.high[i]);
        if (rc) goto out;
    }
    rc = check_lock(ctx, path, last, &scratch);
    if (rc) goto out;

    free(scratch.source);
    scratch.source = strdup(path);
    if (!scratch.source) { rc = BAL_ENOMEM; goto out; }

    /* The private state directory stays with the configuration. */
    scratch.private_dir = cfg->private_dir;
    cfg->private_dir = NULL;
    bal__config_dispose(cfg);
    *cfg = scratch;
    have_scratch = false;
    rc = 0;

out:
    /* Every other failure has logged its line already. */
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "%s: out of memory", path);
    if (have_scratch) bal__config_dispose(&scratch);
    free(as.v);
    /* The report must outlive the XLU_Config that writes to it. */
    xlu_cfg_destroy(xlu);
    if (report) fclose(report);
    free(report_buf);
    return rc;
}

int bal_config_load(bal_ctx *ctx, bal_config *cfg, const char *path,
                    bool must_exist)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (!cfg || !path || bal__config_nkeys > 64) return BAL_EINVAL;
    rc = read_text(ctx, path, must_exist, &text, &len);
    if (!rc && text) rc = load_text(ctx, cfg, path, text, len);
    free(text);
    return rc;
}

int bal__config_load_data(bal_ctx *ctx, bal_config *cfg, const char *what,
                          const char *data, size_t len)
{
    char *text;
    int rc;

    if (!cfg || !what || (!data && len) || bal__config_nkeys > 64)
        return BAL_EINVAL;
    if (len > MAX_FILE_BYTES) {
        BAL__ERR(ctx, "%s: cannot read: larger than 1 MiB, not a "
                 "configuration", what);
        return BAL_ECONFIG;
    }
    text = malloc(len + 1);
    if (!text) return BAL_ENOMEM;
    if (len) memcpy(text, data, len);
    text[len] = '\0';
    rc = load_text(ctx, cfg, what, text, len);
    free(text);
    return rc;
}
