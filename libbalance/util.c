/*
 * util.c - small helpers every part of the library uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    int rc;

    f = fopen(path, "r");
    if (!f) {
        rc = errno == ENOENT ? BAL_ENOENT : BAL_EIO;
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
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
        BAL__ERR(ctx, "%s: read error", path);
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
