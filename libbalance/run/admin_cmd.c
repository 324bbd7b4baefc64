/*
 * admin_cmd.c - bal_drain and bal_pin: an admin's word on a host or a VM
 * (base/admin.h), checked against the cluster the backend reports, and
 * kept in the state directory under rebalance's lock, so that it never
 * changes under a running rebalance.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend/backend.h"
#include "base/admin.h"
#include "base/config.h"
#include "base/lock.h"
#include "base/sample.h"
#include "rebalance.h"

/* The guest vm names in s, by UUID (any case) first, then by name;
 * *d_r NULL when none.  BAL_EINVAL (logged) for a name two guests
 * share. */
static int find_vm(bal_ctx *ctx, const bal__sample *s, const char *vm,
                   const bal__dom **d_r)
{
    const bal__dom *by_name = NULL;
    int h, i;

    *d_r = NULL;
    for (h = 0; h < s->nhosts; h++)
        for (i = 0; i < s->hosts[h].ndoms; i++) {
            const bal__dom *d = &s->hosts[h].doms[i];

            if (d->domid == 0) continue;
            if (!strcasecmp(d->uuid, vm)) {
                *d_r = d;
                return 0;
            }
            if (strcmp(d->name, vm)) continue;
            if (by_name && strcasecmp(by_name->uuid, d->uuid)) {
                BAL__ERR(ctx, "pin: two VMs are named `%s' (%s and %s): "
                         "name it by UUID; nothing done", vm, by_name->uuid,
                         d->uuid);
                return BAL_EINVAL;
            }
            by_name = d;
        }
    *d_r = by_name;
    return 0;
}

/* What the admin names, checked against the cluster before anything is
 * touched: a host to drain must be in it, a VM to pin must run in it
 * (*d_r: that VM). */
static int check_name(bal_ctx *ctx, const bal__sample *s, const char *arg,
                      bool on, bool pin, const bal__dom **d_r)
{
    char b[80];
    int rc;

    *d_r = NULL;
    if (pin) {
        rc = find_vm(ctx, s, arg, d_r);
        if (rc || *d_r || !on) return rc;
        BAL__ERR(ctx, "pin: no VM `%s' runs in the cluster%s; nothing done",
                 bal__shown(arg, b, sizeof(b)),
                 s->npeer_errors ? " (or its host did not answer)" : "");
        return BAL_ENOENT;
    }
    if (!on || bal__sample_find_host(s, arg)) return 0;
    if (!bal__config_host_valid(arg))
        BAL__ERR(ctx, "drain: `%s' is not a host name; nothing done",
                 bal__shown(arg, b, sizeof(b)));
    else
        BAL__ERR(ctx, "drain: no host %s in the cluster%s; nothing done", arg,
                 s->npeer_errors ? " (or it did not answer)" : "");
    return BAL_ENOENT;
}

/* The change to a: a host drained or not; a VM pinned or not - to unpin,
 * the file's pins are searched first by UUID and by the name the VM had
 * when pinned (it may be stopped, or renamed), then the running VM d. */
static int apply_change(bal__admin *a, const char *arg, bool on, bool pin,
                        const bal__dom *d, bool *changed_r)
{
    int i;

    *changed_r = false;
    if (!pin) return bal__admin_set_drained(a, arg, on, changed_r);
    if (!on)
        for (i = 0; i < a->npinned; i++)
            if (!strcasecmp(a->pinned[i], arg) ||
                !strcmp(a->pinned_names[i], arg))
                return bal__admin_set_pinned(a, a->pinned[i], NULL, false,
                                             changed_r);
    if (!d) return 0;           /* unpin: pinned by no one */
    return bal__admin_set_pinned(a, d->uuid, d->name, on, changed_r);
}

/* Checked against a fresh sample; then, under rebalance's lock, the
 * admin's state read, changed and, when it changed, written back. */
static int change(bal_ctx *ctx, bal_backend *be, const char *verb,
                  const char *arg, bool on, bool pin, bool *changed_r)
{
    struct bal_config defaults;
    const struct bal_config *cfg;
    const bal__dom *d = NULL;
    bal__sample s;
    bal__admin a;
    bool changed = false;
    int dirfd = -1, lockfd = -1, rc;

    bal__sample_init(&s);
    bal__admin_init(&a);
    bal__config_defaults(&defaults);
    if (!ctx || !be || !arg || !changed_r) {
        rc = BAL_EINVAL;
        goto out;
    }
    cfg = be->cfg ? be->cfg : &defaults;
    if (!*arg) {
        BAL__ERR(ctx, "%s: an empty name; nothing done", verb);
        rc = BAL_EINVAL;
        goto out;
    }
    rc = be->ops->sample(be, false, &s);
    if (rc) goto out;
    rc = check_name(ctx, &s, arg, on, pin, &d);
    if (rc) goto out;
    rc = bal__state_take_excl(ctx, cfg, &dirfd, &lockfd);
    if (rc) goto out;
    rc = bal__admin_read(ctx, dirfd, bal__config_state_dir(cfg), &a);
    if (rc) goto out;
    rc = apply_change(&a, arg, on, pin, d, &changed);
    if (rc) goto out;
    if (changed)
        rc = bal__admin_write(ctx, dirfd, bal__config_state_dir(cfg), &a);
    if (rc) goto out;
    *changed_r = changed;

out:
    bal__sample_dispose(&s);
    bal__admin_dispose(&a);
    bal__lock_release(lockfd);
    if (dirfd >= 0) close(dirfd);
    bal__config_dispose(&defaults);
    return rc;
}

int bal_drain(bal_ctx *ctx, bal_backend *be, const char *host, bool on,
              bool *changed_r)
{
    return change(ctx, be, on ? "drain" : "undrain", host, on, false,
                  changed_r);
}

int bal_pin(bal_ctx *ctx, bal_backend *be, const char *vm, bool on,
            bool *changed_r)
{
    return change(ctx, be, on ? "pin" : "unpin", vm, on, true, changed_r);
}
