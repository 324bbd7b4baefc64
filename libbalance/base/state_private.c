/*
 * state_private.c - a private state directory, and the lock outside the
 * state directory (state_private.h).
 */
#define _GNU_SOURCE             /* strchrnul; nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state_private.h"

/* path without repeated slashes, "." and ".." into out (at least
 * strlen(path) + 2 bytes); ".." above the root stays at the root. */
static void normalize(const char *path, char *out)
{
    size_t o = 0;
    const char *p = path;

    if (*p == '/') out[o++] = '/';
    while (*p) {
        const char *e;
        size_t n;

        while (*p == '/') p++;
        e = strchrnul(p, '/');
        n = (size_t)(e - p);
        if (n == 1 && p[0] == '.') {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;     /* the name */
            if (o > 1) o--;                             /* its slash */
        } else if (n) {
            if (o && out[o - 1] != '/') out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p = e;
    }
    out[o] = '\0';
}

bool bal__path_inside(const char *path, const char *dir)
{
    char *p = malloc(strlen(path) + 2), *d = malloc(strlen(dir) + 2);
    size_t n;
    bool in = false;

    if (!p || !d) goto out;
    normalize(path, p);
    normalize(dir, d);
    n = strlen(d);
    in = !strncmp(p, d, n) &&
         (p[n] == '\0' || p[n] == '/' || (n && d[n - 1] == '/'));

out:
    free(p);
    free(d);
    return in;
}

int bal__state_private_make(bal_ctx *ctx, char **dir_r)
{
    const char *tmp = getenv("TMPDIR");
    char *dir;

    *dir_r = NULL;
    /* A relative TMPDIR would put it wherever we were started. */
    if (!tmp || tmp[0] != '/') tmp = "/tmp";
    dir = malloc(strlen(tmp) + sizeof("/xl-balance-state.XXXXXX"));
    if (!dir) return BAL_ENOMEM;
    sprintf(dir, "%s/xl-balance-state.XXXXXX", tmp);
    if (!mkdtemp(dir)) {                /* 0700 */
        BAL__ERR(ctx, "%s: cannot make a private state directory: %s", dir,
                 strerror(errno));
        free(dir);
        return BAL_EIO;
    }
    *dir_r = dir;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);               /* what stays, stays: nothing to report to */
    return 0;
}

void bal__state_private_remove(const char *dir)
{
    if (!dir) return;
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
