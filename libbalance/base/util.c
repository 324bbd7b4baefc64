/*
 * util.c - small helpers every part of the library uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

char *bal__strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char **bal__strv_dup(char *const *v, int n)
{
    char **out = calloc((size_t)n + 1, sizeof(*out));
    int i;

    if (!out) return NULL;
    for (i = 0; i < n; i++) {
        out[i] = strdup(v[i]);
        if (!out[i]) {
            bal__strv_free(out);
            return NULL;
        }
    }
    return out;
}

void bal__strv_free(char **v)
{
    char **p;

    if (!v) return;
    for (p = v; *p; p++) free(*p);
    free(v);
}

void bal__sfmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
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

const char *bal__fmt_duration(double s, char *buf, size_t size)
{
    /* Each unit up to 100 of it: "%.3g" stays in plain digits there. */
    static const struct { double secs; const char *name; } units[] = {
        { 1, "s" }, { 60, "min" }, { 3600, "h" }, { 86400, "d" },
    };
    double a = fabs(s);
    size_t i = 0;

    if (isnan(s)) {
        snprintf(buf, size, "?");
    } else if (isinf(s)) {
        snprintf(buf, size, "%s", s > 0 ? "never" : "-never");
    } else {
        /* 99.96 s rounds to "100 s" under %.3g: the next unit then. */
        while (i + 1 < sizeof(units) / sizeof(units[0]) &&
               a / units[i].secs >= 99.95)
            i++;
        /* Past 1000 days, whole days: no exponent either. */
        snprintf(buf, size, a / units[i].secs >= 999.5 ? "%.0f %s" : "%.3g %s",
                 s / units[i].secs, units[i].name);
    }
    return buf;
}

void bal__mask_controls(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

const char *bal__shown(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s);
    bal__mask_controls(buf);
    if (strlen(s) >= size && size > 4) strcpy(buf + size - 4, "...");
    return buf;
}

uint64_t bal__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bal__read_file(bal_ctx *ctx, const char *path, size_t max,
                   char **buf_r, size_t *len_r)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;
    int rc, fd;

    /* O_NONBLOCK: a FIFO named by mistake (sim:, replay:, --apply) must
     * be refused, not wait forever for a writer; so must a directory. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        rc = errno == ENOENT ? BAL_ENOENT : BAL_EIO;
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st)) {
        rc = BAL_EIO;
        BAL__ERR(ctx, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = BAL_EIO;
        BAL__ERR(ctx, "%s: cannot read: %s", path, S_ISDIR(st.st_mode)
                 ? strerror(EISDIR) : "not a regular file");
        close(fd);
        goto out;
    }
    f = fdopen(fd, "r");
    if (!f) {
        rc = BAL_ENOMEM;
        close(fd);
        goto out;
    }
    for (;;) {
        size_t got;

        if (len + 4096 + 1 > cap) {
            char *nbuf;

            cap = cap ? cap * 2 : 8192;
            nbuf = realloc(buf, cap);
            if (!nbuf) { rc = BAL_ENOMEM; goto out; }
            buf = nbuf;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len > max) {
            rc = BAL_ERANGE;
            BAL__ERR(ctx, "%s: file is larger than %zu bytes", path, max);
            goto out;
        }
        if (got == 0) break;
    }
    if (ferror(f)) {
        rc = BAL_EIO;
        BAL__ERR(ctx, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    buf[len] = '\0';
    *buf_r = buf;
    if (len_r) *len_r = len;
    buf = NULL;
    rc = 0;

out:
    if (f) fclose(f);
    free(buf);
    return rc;
}

bool bal__uuid_valid(const char *s)
{
    static const int dash[] = { 8, 13, 18, 23 };
    int i, d = 0;

    if (!s || strlen(s) != BAL__UUID_LEN) return false;
    for (i = 0; i < BAL__UUID_LEN; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-') return false;
            d++;
        } else if (!((s[i] >= '0' && s[i] <= '9') ||
                     (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

locale_t bal__c_locale(void)
{
    static locale_t made;
    locale_t l = __atomic_load_n(&made, __ATOMIC_ACQUIRE), none = (locale_t)0;

    if (l) return l;
    l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!l) return none;
    /* Two threads may both make one: the first kept, the other freed. */
    if (!__atomic_compare_exchange_n(&made, &none, l, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        freelocale(l);
        return none;
    }
    return l;
}

void bal__close_fds_from3(int keep)
{
    int fd;

#ifdef SYS_close_range
    if (keep > 3) syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u);
    if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u))
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);

        if (max < 0 || max > 65536) max = 65536;
        for (fd = 3; fd < max; fd++)
            if (fd != keep) close(fd);
    }
}
