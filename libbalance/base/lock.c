/*
 * lock.c - the rebalance lock (lock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "state.h"

bool bal__mode_unsafe(unsigned mode)
{
    return (mode & (S_IWGRP | S_IWOTH)) != 0;
}

/* The pid a holder wrote into the file, or 0. */
static long holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    char *end;
    long pid;

    if (n <= 0) return 0;
    buf[n] = '\0';
    pid = strtol(buf, &end, 10);
    return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

/* The lock's directory (/run/xl-balance by default, the unit's
 * RuntimeDirectory), made 0700 when missing, as the state directory is:
 * a run from cron or by hand before any timer run needs it too.  Its
 * last component only: /run must exist.  An existing one is left as it
 * is (EEXIST comes before EROFS: under the unit's read-only /run too). */
static int lock_dir(bal_ctx *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int rc = 0;

    if (slash == path) return 0;        /* "/x.lock": / exists */
    dir = strndup(path, (size_t)(slash - path));
    if (!dir) return BAL_ENOMEM;
    if (mkdir(dir, 0700) && errno != EEXIST) {
        BAL__ERR(ctx, "%s: cannot create the lock file's directory: %s",
                 dir, strerror(errno));
        rc = BAL_EIO;
    }
    free(dir);
    return rc;
}

int bal__lock_take(bal_ctx *ctx, const char *path, int *fd_r)
{
    struct stat st;
    char pid[32];
    long other;
    int fd = -1, rc, n;

    *fd_r = -1;
    if (path[0] != '/') {
        BAL__ERR(ctx, "lock file `%s' is not an absolute path", path);
        return BAL_ECONFIG;
    }
    rc = lock_dir(ctx, path);
    if (rc) return rc;
    /* In a shared directory (/run) too: no link followed, no FIFO. */
    rc = bal__state_open(ctx, AT_FDCWD, path, path, "lock file",
                         O_RDWR | O_CREAT, &fd);
    if (rc) return rc;
    if (fstat(fd, &st)) {
        BAL__ERR(ctx, "%s: cannot stat the lock file: %s", path,
                 strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    if (st.st_uid != geteuid()) {
        BAL__ERR(ctx, "%s: lock file belongs to uid %u, not to this user "
                 "(uid %u); refused", path, (unsigned)st.st_uid,
                 (unsigned)geteuid());
        rc = BAL_ECONFIG;
        goto out;
    }
    if (bal__mode_unsafe(st.st_mode)) {
        BAL__ERR(ctx, "%s: lock file is writable by group or others (mode "
                 "%04o); refused: chmod 600 it", path,
                 (unsigned)(st.st_mode & 07777));
        rc = BAL_ECONFIG;
        goto out;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        if (errno != EWOULDBLOCK) {
            BAL__ERR(ctx, "%s: cannot lock: %s", path, strerror(errno));
            rc = BAL_EIO;
            goto out;
        }
        other = holder_pid(fd);
        if (other)
            BAL__ERR(ctx, "another rebalance (pid %ld) holds the lock %s; "
                     "nothing done", other, path);
        else
            BAL__ERR(ctx, "another process holds the lock %s; nothing done",
                     path);
        rc = 0;
        goto out;
    }
    /* Who holds it, for the message of a run that finds it taken.  Not
     * needed for the lock itself: failures are harmless. */
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n) {
        /* written */
    }
    *fd_r = fd;
    fd = -1;
    rc = 0;

out:
    if (fd >= 0) close(fd);
    return rc;
}

void bal__lock_release(int fd)
{
    if (fd < 0) return;
    /* Empty it first: a pid left behind would name a process that no
     * longer holds the lock. */
    if (ftruncate(fd, 0)) {
        /* harmless */
    }
    flock(fd, LOCK_UN);
    close(fd);
}
