/*
 * state.c - the state directory's files (state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "state.h"

#define STATE_FILE_MAX (16u << 20)  /* a journal or history is far less */

double bal__wall_time(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

int bal__state_open(bal_ctx *ctx, int dirfd, const char *path,
                    const char *name, const char *what, int flags, int *fd_r)
{
    struct stat st;
    int fd;

    *fd_r = -1;
    /* O_NOFOLLOW: a link planted there must not make us read, create or
     * truncate a file elsewhere.  O_NONBLOCK: a FIFO in its place is
     * refused below, not waited on for a reader or a writer while the
     * lock is held (a regular file ignores the flag). */
    fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
                O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == ENOENT && !(flags & (O_WRONLY | O_RDWR))) return 0;
        if (errno == ELOOP) {
            BAL__ERR(ctx, "%s: %s is a symbolic link; refused", path, what);
            return BAL_ECONFIG;
        }
        if (errno == ENXIO) {           /* a FIFO opened to write */
            BAL__ERR(ctx, "%s: %s is not a regular file; refused", path,
                     what);
            return BAL_ECONFIG;
        }
        BAL__ERR(ctx, "%s: cannot %s the %s: %s", path,
                 flags & O_EXCL ? "create" : "open", what, strerror(errno));
        return BAL_EIO;
    }
    /* An open descriptor that cannot be stat'ed is no file of ours. */
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        BAL__ERR(ctx, "%s: %s is not a regular file; refused", path, what);
        close(fd);
        return BAL_ECONFIG;
    }
    *fd_r = fd;
    return 0;
}

/* Reads file name in dirfd into a NUL-terminated buffer; *buf_r NULL and
 * rc 0 when it does not exist. */
int bal__state_read_file(bal_ctx *ctx, int dirfd, const char *path,
                           const char *name, char **buf_r, size_t *len_r)
{
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    int fd, rc;

    *buf_r = NULL;
    *len_r = 0;
    rc = bal__state_open(ctx, dirfd, path, name, "state file", O_RDONLY,
                         &fd);
    if (rc || fd < 0) return rc;
    if (fstat(fd, &st) || (size_t)st.st_size > STATE_FILE_MAX) {
        BAL__ERR(ctx, "%s: larger than %u bytes: no state file of ours; "
                 "refused", path, STATE_FILE_MAX);
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

int bal__write_all(int fd, const char *p, size_t n)
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

int bal__state_cut_torn(bal_ctx *ctx, int fd, const char *path)
{
    char buf[4096];
    struct stat st;
    off_t start, end, keep = 0;
    size_t n, i;
    ssize_t got;

    if (fstat(fd, &st)) {
        BAL__ERR(ctx, "%s: cannot stat: %s", path, strerror(errno));
        return BAL_EIO;
    }
    /* Back from the end, a block at a time, to the last newline: what
     * follows it is the torn line (none when the file ends in one). */
    for (end = st.st_size; end > 0 && !keep; end = start) {
        start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
        n = (size_t)(end - start);
        got = pread(fd, buf, n, start);
        if (got != (ssize_t)n) {
            BAL__ERR(ctx, "%s: cannot read: %s", path,
                     got < 0 ? strerror(errno) : "the file shrank");
            return BAL_EIO;
        }
        for (i = n; i > 0 && !keep; i--)
            if (buf[i - 1] == '\n') keep = start + (off_t)i;
    }
    if (keep == st.st_size) return 0;   /* whole, or empty */
    if (ftruncate(fd, keep)) {
        BAL__ERR(ctx, "%s: cannot cut its torn last line: %s", path,
                 strerror(errno));
        return BAL_EIO;
    }
    BAL__WARN(ctx, "%s: its last %lld bytes were a line cut short (a run "
              "stopped while writing it); cut before appending", path,
              (long long)(st.st_size - keep));
    return 0;
}

int bal__state_replace(bal_ctx *ctx, int dirfd, const char *path,
                       const char *name, const char *buf, size_t len)
{
    char tmpname[256], tmppath[4200];
    int fd = -1, rc;

    if (snprintf(tmpname, sizeof(tmpname), "%s.new", name) >=
        (int)sizeof(tmpname))
        return BAL_EINVAL;
    snprintf(tmppath, sizeof(tmppath), "%s.new", path);
    rc = bal__state_open(ctx, dirfd, tmppath, tmpname, "state file",
                         O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (rc) return rc;
    if (bal__write_all(fd, buf, len) || fsync(fd)) {
        BAL__ERR(ctx, "%s: cannot write: %s", tmppath, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    if (renameat(dirfd, tmpname, dirfd, name)) {
        BAL__ERR(ctx, "%s: cannot replace: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = bal__state_sync_dir(ctx, dirfd, path);

out:
    close(fd);
    if (rc) unlinkat(dirfd, tmpname, 0);
    return rc;
}

int bal__state_sync_dir(bal_ctx *ctx, int dirfd, const char *what)
{
    if (fsync(dirfd) == 0) return 0;
    BAL__ERR(ctx, "%s: cannot sync its directory: %s", what, strerror(errno));
    return BAL_EIO;
}

