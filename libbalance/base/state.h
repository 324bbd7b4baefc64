/*
 * state.h - the state directory (/var/lib/xl-balance, config state_dir)
 * and its files: opened safely, read whole, written and synced.  What the
 * journal (run/journal.c) and the history (balance/history.c) stand on.
 */
#ifndef BAL_STATE_H
#define BAL_STATE_H

#include <stddef.h>

#include "internal.h"

/* Seconds since the epoch (CLOCK_REALTIME): journal and history times. */
double bal__wall_time(void);

/* Opens the state directory, creating it 0700 when missing (its parent
 * must exist).  Refuses, with one line, a relative path, a symbolic link,
 * anything but a directory, one that is not ours, or one group or others
 * may write (BAL_ECONFIG); BAL_EIO when it cannot be created or opened.
 * *dirfd_r: an O_DIRECTORY descriptor, for openat and fsync. */
int bal__state_dir_open(bal_ctx *ctx, const char *dir, int *dirfd_r);

/* Opens file name in dirfd as a state file (the lock: AT_FDCWD and its
 * absolute path as name): flags O_RDONLY, or O_WRONLY or O_RDWR with any
 * of O_APPEND, O_CREAT (0600), O_EXCL, O_TRUNC.  The one way every file
 * of the state is opened: a link is never followed nor a FIFO waited on,
 * and what opens must be a regular file.  path and what ("state file",
 * "lock file") name it in messages.  rc 0 and *fd_r -1 when a file to
 * read does not exist; BAL_ECONFIG, logged, for a link or anything but a
 * regular file; BAL_EIO, logged, when it cannot be opened. */
int bal__state_open(bal_ctx *ctx, int dirfd, const char *path,
                    const char *name, const char *what, int flags, int *fd_r);
/* Reads file name in dirfd (path: for messages) into a NUL-terminated
 * buffer; *buf_r NULL and rc 0 when it does not exist.  As
 * bal__state_open refuses; BAL_EIO, logged, when too large to be one of
 * ours. */
int bal__state_read_file(bal_ctx *ctx, int dirfd, const char *path,
                         const char *name, char **buf_r, size_t *len_r);
/* write(2) until all n bytes are written; -1 (errno) on failure. */
int bal__write_all(int fd, const char *p, size_t n);
/* A record file's torn tail cut: when fd (open for reading and writing)
 * does not end in a newline, the bytes after its last one - a line a
 * killed run wrote in part - are truncated away, with a warning, so that
 * the next record appended is not glued to them.  0 when the file ends
 * whole (or is empty); BAL_EIO, logged. */
int bal__state_cut_torn(bal_ctx *ctx, int fd, const char *path);
/* Replaces file name in dirfd (path: for messages) with buf[0..len) in
 * one step, as a crash leaves either the old file or the new, whole:
 * written to NAME.new (bal__state_open, truncated), synced, renamed over
 * name, the directory synced.  BAL_ECONFIG or BAL_EIO, logged; the
 * temporary file is removed on failure. */
int bal__state_replace(bal_ctx *ctx, int dirfd, const char *path,
                       const char *name, const char *buf, size_t len);
/* fsync(2) of the directory: a file created or renamed in it lasts. */
int bal__state_sync_dir(bal_ctx *ctx, int dirfd, const char *what);

#endif /* BAL_STATE_H */
