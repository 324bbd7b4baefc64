/*
 * migrate_xl.h - live migration of this dom0's VMs through libxl, to a
 * stock `xl migrate-receive` on the destination (the protocol of
 * `xl migrate`, see doc/migration.md).  For the xen backend's migrate
 * operation, and the logger its own libxl context logs through too; an
 * adapter, so it includes libxl.h.
 */
#ifndef BAL_MIGRATE_XL_H
#define BAL_MIGRATE_XL_H

#include <libxl.h>

#include "base/internal.h"
#include "base/move.h"

/* libxl's log, forwarded to the context's sink: the backend's libxl
 * context and each migration's log through one of these.  libxl logs
 * through a xentoollog_logger; the stdio one would write to stderr behind
 * the caller's back, this one hands every line to the same sink as the
 * library's own messages (syslog under cron).  libxl's errors go out as
 * warnings: they are the detail behind the one error line the caller logs
 * when a call fails, and libxl also logs errors it recovers from.  It
 * lives in its owner's storage, and libxl never destroys it. */
typedef struct bal__xl_logger {
    xentoollog_logger vtable;      /* first: libxl sees only this */
    bal_ctx *ctx;
    const char *vm;                /* a migration's VM, named on each line;
                                    * NULL: none */
} bal__xl_logger;

/* Sets lg up (no progress reports), to log to ctx. */
void bal__xl_logger_init(bal__xl_logger *lg, bal_ctx *ctx, const char *vm);

/* What the receiver is reached with.  NULL lists take the defaults. */
typedef struct bal__mig_setup {
    const char *local_host;     /* this dom0's name: every move's `from` */
    /* argv prefix that reaches a host; the host name follows it.
     * NULL: the configuration's default (BAL__TRANSPORT_DEFAULT). */
    char *const *transport;
    int ntransport;
    /* argv run on that host after its name, as xl's -s would.
     * Default: /usr/sbin/xl migrate-receive */
    char *const *receive;
    int nreceive;
    double timeout_s;           /* for each receiver message; <= 0: 300 */
    double exit_wait_s;         /* for the transport to exit; <= 0: 10 */
} bal__mig_setup;

/* Runs a wave: the n moves at once (one thread and one libxl context
 * each; n == 1 runs in the caller's thread), returning when all have
 * ended.  Each VM is found by UUID on this host just before it starts.
 * results[i].rc is 0 (the VM runs on moves[i].to), a BAL_E* (it still
 * runs on moves[i].from) or BAL__EMIG_UNDEFINED (migrate_seam.h: the
 * protocol broke after the point of no return; logged loudly).
 *
 * xl, if not NULL, is the caller's own libxl context: it is switched to
 * libxl_sigchld_owner_libxl_always_selective_reap like the migrations'
 * (libxl wants every context of a process alike; see migrate_xl.c).  It
 * must have no operation running.
 *
 * Returns non-zero only if the wave could not be started at all. */
int bal__migrate_xl(bal_ctx *ctx, libxl_ctx *xl, const bal__mig_setup *s,
                    const bal__move *moves, int n,
                    bal__move_result *results);

#endif /* BAL_MIGRATE_XL_H */
