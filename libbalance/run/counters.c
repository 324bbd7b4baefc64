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
#include "base/config.h"
#include "base/state.h"
#include "rebalance.h"

/* The public enum's counters; a new one goes last, after SKIPPED. */
#define NCOUNTERS (BAL_COUNTER_SKIPPED + 1)

/* What bal_counters_read hands out. */
struct bal_counters {
    uint64_t v[NCOUNTERS];
};

static const char *const keys[NCOUNTERS] = {
    [BAL_COUNTER_DONE] = "done",
    [BAL_COUNTER_FAILED] = "failed",
    [BAL_COUNTER_UNDEFINED] = "undefined",
    [BAL_COUNTER_REFUSED] = "refused",
    [BAL_COUNTER_SKIPPED] = "skipped",
};

int bal_counter_count(void)
{
    return NCOUNTERS;
}

const char *bal_counter_name(bal_counter c)
{
    return c >= 0 && c < NCOUNTERS ? keys[c] : NULL;
}

/* A counters file is a few lines; more is not one. */
#define COUNTERS_MAX (64 * 1024)

/* Reads what is there, the file's text in buf (cut into lines here);
 * unknown lines are ignored (a newer version's). */
static void parse(char *buf, uint64_t *v)
{
    char *line, *save = NULL, key[32];
    uint64_t n;
    int c;

    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (sscanf(line, "%31s %" SCNu64, key, &n) != 2) continue;
        for (c = 0; c < NCOUNTERS; c++)
            if (!strcmp(key, keys[c])) v[c] = n;
    }
}

/* The totals in file BAL__COUNTERS_FILE of dirfd (path: for messages) into
 * v[]; none there: v[] untouched (all 0 when nothing was recorded). */
static int load(bal_ctx *ctx, int dirfd, const char *path, uint64_t *v)
{
    char *buf;
    size_t len;
    int rc = bal__state_read_file(ctx, dirfd, path, BAL__COUNTERS_FILE, &buf, &len);

    if (!rc && buf) parse(buf, v);
    free(buf);
    return rc;
}

int bal_counters_read(bal_ctx *ctx, const bal_config *cfg,
                      bal_counters **counters_r)
{
    uint64_t v[NCOUNTERS] = { 0 };
    bal_counters *c;
    const char *dir;
    char path[4200];
    int dirfd = -1, rc;

    if (!cfg || !counters_r) return BAL_EINVAL;
    /* state_dir is NULL when the configuration leaves the default. */
    dir = bal__config_state_dir(cfg);
    snprintf(path, sizeof(path), "%s/%s", dir, BAL__COUNTERS_FILE);
    /* No directory or no file yet: nothing recorded, every counter 0.
     * Reading creates nothing (status --openmetrics is read-only). */
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0 && errno != ENOENT) {
        BAL__ERR(ctx, "%s: cannot open: %s", dir, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    if (dirfd >= 0 && (rc = load(ctx, dirfd, path, v))) goto out;
    c = malloc(sizeof(*c));
    if (!c) {
        BAL__ERR(ctx, "migration counters: out of memory");
        rc = BAL_ENOMEM;
        goto out;
    }
    memcpy(c->v, v, sizeof(v));
    *counters_r = c;
    rc = 0;

out:
    if (dirfd >= 0) close(dirfd);
    return rc;
}

uint64_t bal_counters_value(const bal_counters *c, bal_counter which)
{
    return c && which >= 0 && which < NCOUNTERS ? c->v[which] : 0;
}

void bal_counters_free(bal_counters *c)
{
    free(c);
}

int bal__counters_add(bal_ctx *ctx, int dirfd, const char *dir,
                      const bal_rebalance_report *rep)
{
    uint64_t v[NCOUNTERS] = { 0 };
    char tmp[64] = "", path[4200], tmppath[4300];
    char text[NCOUNTERS * 48];  /* "KEY VALUE\n": a key and 20 digits */
    size_t len = 0;
    int fd = -1, i, c, rc;

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__COUNTERS_FILE);
    rc = load(ctx, dirfd, path, v);
    if (rc) goto out;
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

    snprintf(tmp, sizeof(tmp), ".%s.%ld", BAL__COUNTERS_FILE, (long)getpid());
    snprintf(tmppath, sizeof(tmppath), "%s/%s", dir, tmp);
    rc = bal__state_open(ctx, dirfd, tmppath, tmp, "state file",
                         O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (rc) goto out;
    /* One write(2) of the whole text, as every state file is written
     * (bal__write_all): no stdio buffer between it and the file. */
    for (c = 0; c < NCOUNTERS; c++)
        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "%s %" PRIu64 "\n", keys[c], v[c]);
    if (bal__write_all(fd, text, len) || fsync(fd)) { rc = BAL_EIO; goto out; }
    if (close(fd)) { fd = -1; rc = BAL_EIO; goto out; }
    fd = -1;
    if (renameat(dirfd, tmp, dirfd, BAL__COUNTERS_FILE)) { rc = BAL_EIO; goto out; }
    fsync(dirfd);
    rc = 0;

out:
    if (rc) {
        BAL__WARN(ctx, "%s/%s: cannot update the migration counters: %s",
                  dir, BAL__COUNTERS_FILE, strerror(errno));
        if (tmp[0]) unlinkat(dirfd, tmp, 0);
    }
    if (fd >= 0) close(fd);
    return rc;
}
