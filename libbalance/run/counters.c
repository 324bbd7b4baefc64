/*
 * counters.c - running totals of what rebalance runs did, kept in
 * STATE_DIR/counters for `status --openmetrics`: migrations done, failed,
 * undefined, and moves not started by reason.  The history cannot serve:
 * it keeps verified moves only, and is cut when it grows.
 *
 * The file is "KEY VALUE" lines, replaced whole (temporary file, fsync,
 * rename, fsync of the directory), so a crash leaves the old totals or
 * the new ones, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/internal.h"
#include "rebalance.h"

#define COUNTERS_FILE "counters"

static const char *const keys[BAL_COUNTER_MAX] = {
    [BAL_COUNTER_DONE] = "done",
    [BAL_COUNTER_FAILED] = "failed",
    [BAL_COUNTER_UNDEFINED] = "undefined",
    [BAL_COUNTER_REFUSED] = "refused",
    [BAL_COUNTER_SKIPPED] = "skipped",
};

const char *bal_counter_name(bal_counter c)
{
    return c >= 0 && c < BAL_COUNTER_MAX ? keys[c] : "?";
}

/* Reads what is there; unknown lines are ignored (a newer version's). */
static void parse(FILE *f, uint64_t *v)
{
    char line[128], key[32];
    uint64_t n;
    int c;

    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%31s %" SCNu64, key, &n) != 2) continue;
        for (c = 0; c < BAL_COUNTER_MAX; c++)
            if (!strcmp(key, keys[c])) v[c] = n;
    }
}

int bal_migration_counters(bal_ctx *ctx, const bal_config *cfg,
                           uint64_t out[BAL_COUNTER_MAX])
{
    char path[4200];
    FILE *f;

    if (!cfg || !out) return BAL_EINVAL;
    memset(out, 0, BAL_COUNTER_MAX * sizeof(*out));
    snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, COUNTERS_FILE);
    f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;       /* nothing recorded yet */
        BAL__ERR(ctx, "%s: cannot open: %s", path, strerror(errno));
        return BAL_EIO;
    }
    parse(f, out);
    fclose(f);
    return 0;
}

int bal__counters_add(bal_ctx *ctx, int dirfd, const char *dir,
                      const bal_rebalance_report *rep)
{
    uint64_t v[BAL_COUNTER_MAX] = { 0 };
    char tmp[64] = "";
    FILE *f = NULL;
    int fd = -1, i, c, rc;

    fd = openat(dirfd, COUNTERS_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        f = fdopen(fd, "r");
        if (!f) { rc = BAL_EIO; goto out; }
        fd = -1;
        parse(f, v);
        fclose(f);
        f = NULL;
    }
    for (i = 0; i < rep->nmoves; i++) {
        switch (rep->moves[i].pub.state) {
        case BAL_MOVE_DONE:      v[BAL_COUNTER_DONE]++; break;
        case BAL_MOVE_FAILED:    v[BAL_COUNTER_FAILED]++; break;
        case BAL_MOVE_UNDEFINED: v[BAL_COUNTER_UNDEFINED]++; break;
        case BAL_MOVE_REFUSED:   v[BAL_COUNTER_REFUSED]++; break;
        case BAL_MOVE_SKIPPED:   v[BAL_COUNTER_SKIPPED]++; break;
        case BAL_MOVE_PLANNED:   break;     /* a dry run: nothing happened */
        }
    }

    snprintf(tmp, sizeof(tmp), ".%s.%ld", COUNTERS_FILE, (long)getpid());
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
                O_NOFOLLOW, 0600);
    if (fd < 0) { rc = BAL_EIO; goto out; }
    f = fdopen(fd, "w");
    if (!f) { rc = BAL_EIO; goto out; }
    fd = -1;
    for (c = 0; c < BAL_COUNTER_MAX; c++)
        fprintf(f, "%s %" PRIu64 "\n", keys[c], v[c]);
    if (fflush(f) || fsync(fileno(f))) { rc = BAL_EIO; goto out; }
    if (fclose(f)) { f = NULL; rc = BAL_EIO; goto out; }
    f = NULL;
    if (renameat(dirfd, tmp, dirfd, COUNTERS_FILE)) { rc = BAL_EIO; goto out; }
    fsync(dirfd);
    rc = 0;

out:
    if (rc) {
        BAL__WARN(ctx, "%s/%s: cannot update the migration counters: %s",
                  dir, COUNTERS_FILE, strerror(errno));
        if (tmp[0]) unlinkat(dirfd, tmp, 0);
    }
    if (f) fclose(f);
    if (fd >= 0) close(fd);
    return rc;
}
