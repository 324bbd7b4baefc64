/*
 * crashshim.c - preloaded (LD_PRELOAD) into xl-balance by
 * tests/crash/run.sh: the process is killed (SIGKILL, as the OOM killer
 * or kill -9 would) at the Nth operation that changes a file under one
 * directory - a write, an fsync, a rename, an unlink, a file creation
 * (open with O_CREAT) or a truncation (ftruncate, truncate, open with
 * O_TRUNC) - before the operation happens, or, for a write, after half
 * of its buffer is written (the torn variant).
 *
 *   CRASH_DIR    an absolute path without links: only operations on
 *                files under it count (the run's state directory, lock
 *                and simulated cluster; not stdout, not /tmp)
 *   CRASH_AT     N, from 1; 0 or unset: count, never kill
 *   CRASH_TORN   1: the Nth operation, when a write, writes half first
 *   CRASH_COUNT  a file the number of operations counted is written to at
 *                exit (how run.sh learns when N is past the run's end)
 *
 * Only libc's entry points are caught: what glibc does through its own
 * internal calls (stdio's buffered writes) is not seen, which is why
 * every state file is written with write(2) (bal__write_all).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long counted;

/* The real function of this name, looked up once. */
#define REAL(name) \
    static __typeof__(name) *real_##name; \
    if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* Whether path (absolute) is CRASH_DIR or below it. */
static int watched(const char *path)
{
    const char *dir = getenv("CRASH_DIR");
    size_t n;

    if (!dir || !*dir || !path) return 0;
    n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Where fd (or dirfd's name, name) is: into buf. */
static const char *fd_path(int fd, char *buf, size_t size)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, buf, size - 1);
    if (n < 0) return NULL;
    buf[n] = '\0';
    return buf;
}

static const char *at_path(int dirfd, const char *name, char *buf,
                           size_t size)
{
    char dir[PATH_MAX];

    if (name[0] == '/') return name;
    if (dirfd == AT_FDCWD) {
        if (!getcwd(dir, sizeof(dir))) return NULL;
    } else if (!fd_path(dirfd, dir, sizeof(dir))) {
        return NULL;
    }
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

/* One operation on path: counted when watched; at the Nth, death.  A
 * torn write (fd, p, n) writes half of itself first. */
static void op(const char *path, int fd, const void *p, size_t n)
{
    const char *at = getenv("CRASH_AT"), *torn = getenv("CRASH_TORN");
    REAL(write);

    if (!watched(path)) return;
    counted++;
    if (!at || atol(at) != counted) return;
    if (p && torn && !strcmp(torn, "1") && n / 2)
        real_write(fd, p, n / 2);
    kill(getpid(), SIGKILL);
}

static void fd_op(int fd, const void *p, size_t n)
{
    char buf[PATH_MAX];

    op(fd_path(fd, buf, sizeof(buf)), fd, p, n);
}

static void at_op(int dirfd, const char *name)
{
    char buf[2 * PATH_MAX + 2];

    op(at_path(dirfd, name, buf, sizeof(buf)), -1, NULL, 0);
}

__attribute__((destructor)) static void report(void)
{
    const char *file = getenv("CRASH_COUNT");
    FILE *f;

    if (!file || !(f = fopen(file, "w"))) return;
    fprintf(f, "%ld\n", counted);
    fclose(f);
}

ssize_t write(int fd, const void *p, size_t n)
{
    REAL(write);
    fd_op(fd, p, n);
    return real_write(fd, p, n);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
    REAL(pwrite);
    fd_op(fd, NULL, 0);         /* torn: not at an offset; killed whole */
    return real_pwrite(fd, p, n, off);
}

int fsync(int fd)
{
    REAL(fsync);
    fd_op(fd, NULL, 0);
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    fd_op(fd, NULL, 0);
    return real_fdatasync(fd);
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    fd_op(fd, NULL, 0);
    return real_ftruncate(fd, len);
}

int truncate(const char *path, off_t len)
{
    REAL(truncate);
    at_op(AT_FDCWD, path);
    return real_truncate(path, len);
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    at_op(AT_FDCWD, to);
    return real_rename(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(renameat);
    (void)fd1;
    (void)from;
    at_op(fd2, to);
    return real_renameat(fd1, from, fd2, to);
}

int unlink(const char *path)
{
    REAL(unlink);
    at_op(AT_FDCWD, path);
    return real_unlink(path);
}

int unlinkat(int dirfd, const char *name, int flags)
{
    REAL(unlinkat);
    at_op(dirfd, name);
    return real_unlinkat(dirfd, name, flags);
}

/* open and openat with O_CREAT or O_TRUNC: a creation or a truncation. */
static mode_t mode_arg(int flags, va_list ap)
{
    return flags & (O_CREAT | __O_TMPFILE) ? (mode_t)va_arg(ap, int) : 0;
}

/* open, open64, openat, openat64: DECL and ARG are the dirfd parameter
 * and argument of the *at ones (with their comma), empty for the others. */
#define OPEN_LIKE(name, DECL, DIRFD, ARG)                               \
    int name(DECL const char *path, int flags, ...)                     \
    {                                                                   \
        va_list ap;                                                     \
        mode_t mode;                                                    \
        REAL(name);                                                     \
        va_start(ap, flags);                                            \
        mode = mode_arg(flags, ap);                                     \
        va_end(ap);                                                     \
        if (flags & (O_CREAT | O_TRUNC)) at_op(DIRFD, path);            \
        return real_##name(ARG path, flags, mode);                      \
    }
#define AT_DECL int dirfd,
#define AT_ARG dirfd,
OPEN_LIKE(open, , AT_FDCWD, )
OPEN_LIKE(open64, , AT_FDCWD, )
OPEN_LIKE(openat, AT_DECL, dirfd, AT_ARG)
OPEN_LIKE(openat64, AT_DECL, dirfd, AT_ARG)

int creat(const char *path, mode_t mode)
{
    REAL(creat);
    at_op(AT_FDCWD, path);
    return real_creat(path, mode);
}
