/*
 * admin.h - what the admin said with `xl-balance drain/undrain HOST' and
 * `pin/unpin VM': STATE_DIR/admin.json, beside the journal and the
 * history.  The configuration's drained and pinned lists say the same
 * for hosts and VMs an admin keeps that way for good; the state file for
 * a maintenance window.  The two are combined in the status
 * (bal_host_info's drained, bal_vm_info's pinned: observe/status.c),
 * which plan, rebalance and rebalance --apply plan and check from.  No Xen header.
 */
#ifndef BAL_ADMIN_H
#define BAL_ADMIN_H

#include <stdbool.h>

#include "internal.h"

#define BAL__ADMIN_FILE "admin.json"
#define BAL__ADMIN_VERSION 1

typedef struct bal__admin {
    char **drained;             /* host names, each once */
    int ndrained;
    char **pinned;              /* VM UUIDs, each once */
    char **pinned_names;        /* ... their names when pinned (people's) */
    int npinned;
} bal__admin;

void bal__admin_init(bal__admin *a);
void bal__admin_dispose(bal__admin *a);

/* Reads DIR/admin.json through dirfd (a missing file: nothing said) into
 * a (bal__admin_init'd).  A file that is not ours - not JSON, another
 * kind or version, a bad host name or UUID - is BAL_ECONFIG, one line
 * "DIR/admin.json: what is wrong": an admin's word is never dropped
 * silently (a drained host would receive VMs).  As bal__state_read_file
 * refuses a link or anything but a regular file. */
int bal__admin_read(bal_ctx *ctx, int dirfd, const char *dir, bal__admin *a);
/* The same from the configuration's state directory, opened without
 * being created: a missing one holds nothing. */
int bal__admin_load(bal_ctx *ctx, const struct bal_config *cfg,
                    bal__admin *a);
/* Replaces DIR/admin.json with a, in one step (bal__state_replace): the
 * caller holds rebalance's lock. */
int bal__admin_write(bal_ctx *ctx, int dirfd, const char *dir,
                     const bal__admin *a);

/* Adds (on) or removes host name / VM uuid (name: for people); *changed_r
 * whether a changed.  BAL_ENOMEM. */
int bal__admin_set_drained(bal__admin *a, const char *host, bool on,
                           bool *changed_r);
int bal__admin_set_pinned(bal__admin *a, const char *uuid, const char *name,
                          bool on, bool *changed_r);

#endif /* BAL_ADMIN_H */
