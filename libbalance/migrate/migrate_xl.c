/*
 * migrate_xl.c - live migration through libxl: finds each VM by UUID,
 * takes its configuration, starts the transport to the destination's
 * `xl migrate-receive` and lets migrate_proto.c speak the protocol, with
 * the domain operations of a bal__mig_ops table filled with libxl calls.
 *
 * Child processes.  We fork the transport (ssh) ourselves while libxl,
 * inside libxl_domain_suspend, forks libxl-save-helper.  libxl's default
 * mode (libxl_sigchld_owner_libxl) reaps *every* child with waitpid(-1)
 * while one of its operations runs: it would steal ssh's exit status
 * (and log "unknown child").  libxl_sigchld_owner_libxl_always_selective_
 * reap makes libxl reap only its own children (its SIGCHLD handler,
 * SA_RESTART, stays installed while a context so set lives) and leaves
 * ours to our synchronous waitid/waitpid.  The mainloop mode would need a
 * SIGCHLD handler and an event loop of ours for nothing.  libxl_event.h
 * wants every context of a process in that mode alike, hence the
 * caller's context is switched too.
 *
 * Concurrency.  A wave's migrations run in threads, one libxl context
 * each: libxl's progress reports do not say which domain they are about,
 * so only a context of its own attributes them to the right migration.
 * Finding the VMs and taking their configurations is done first, in the
 * caller's thread.
 */
#define _GNU_SOURCE

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xentoollog.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "base/config.h"
#include "base/json.h"
#include "migrate_seam.h"
#include "migrate_xl.h"

_Static_assert(BAL__MIG_SUSPEND_LIVE == LIBXL_SUSPEND_LIVE,
               "LIBXL_SUSPEND_LIVE");
_Static_assert(BAL__MIG_ERROR_GUEST_TIMEDOUT == ERROR_GUEST_TIMEDOUT,
               "ERROR_GUEST_TIMEDOUT");

#define DEFAULT_TIMEOUT_S 300.0
#define DEFAULT_EXIT_WAIT_S 10.0

static char *const default_receive[] = { "/usr/sbin/xl", "migrate-receive",
                                         NULL };

/* Must outlast every context given it: static. */
static const libxl_childproc_hooks childproc_hooks = {
    .chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};

/* ---- libxl's log (the xen backend's too), a migration's progress ----- */

typedef struct mig_logger {
    bal__xl_logger xl;             /* first: libxl sees only its vtable */
    bal__mig_progress *prog;       /* while libxl_domain_suspend runs */
} mig_logger;

static void xl_vmessage(xentoollog_logger *lg, xentoollog_level level,
                        int errnoval, const char *context,
                        const char *format, va_list al)
{
    bal__xl_logger *x = (bal__xl_logger *)lg;
    bal_log_level bl;
    char msg[512];

    if (level >= XTL_ERROR) bl = BAL_LOG_WARN;
    else if (level >= XTL_WARN) bl = BAL_LOG_INFO;
    else bl = BAL_LOG_DEBUG;

    vsnprintf(msg, sizeof(msg), format, al);
    /* A migration's lines say which VM it moves: several run at once. */
    bal__log(x->ctx, bl, "%s%s%s%s: %s%s%s", x->vm ? "migrate " : "",
             x->vm ? x->vm : "", x->vm ? ": " : "",
             context ? context : "xen", msg, errnoval >= 0 ? ": " : "",
             errnoval >= 0 ? strerror(errnoval) : "");
}

static void xl_logger_destroy(xentoollog_logger *lg)
{
    (void)lg;                      /* lives in its owner's storage */
}

void bal__xl_logger_init(bal__xl_logger *lg, bal_ctx *ctx, const char *vm)
{
    lg->vtable.vmessage = xl_vmessage;
    lg->vtable.progress = NULL;
    lg->vtable.destroy = xl_logger_destroy;
    lg->ctx = ctx;
    lg->vm = vm;
}

static void mig_progress(xentoollog_logger *lg, const char *context,
                         const char *doing_what, int percent,
                         unsigned long done, unsigned long total)
{
    mig_logger *m = (mig_logger *)lg;

    (void)percent;
    if (m->prog) bal__mig_progress_note(m->prog, context, doing_what, done,
                                        total);
}

/* ---- one migration's state ------------------------------------------- */

typedef struct mig_job {
    const bal__move *move;
    bal__move_result *res;
    const bal__mig_setup *setup;
    mig_logger lg;
    libxl_ctx *xl;
    char *name;                    /* libxl_domid_to_name's */
    char *json;                    /* libxl_domain_config_to_json's */
    char **argv;                   /* borrowed strings */
    bal__mig_job job;
    bal__mig_progress prog;
    bool ready;                    /* prepared, to be run */
    bal_ctx *run_ctx;              /* where the run logs */
} mig_job;

static void mig_job_dispose(mig_job *j)
{
    /* libxl may log while it shuts down: its logger is in j, still. */
    if (j->xl) libxl_ctx_free(j->xl);
    j->xl = NULL;
    free(j->name);
    free(j->json);
    free(j->argv);
    j->name = j->json = NULL;
    j->argv = NULL;
}

/* ---- the domain operations, through libxl ------------------------------ */

static int op_suspend(void *h, uint32_t domid, int fd, int flags,
                      bal__mig_progress *prog)
{
    mig_job *j = h;
    int rc;

    j->lg.prog = prog;
    rc = libxl_domain_suspend(j->xl, domid, fd, flags, NULL);
    j->lg.prog = NULL;
    return rc;
}

static int op_rename(void *h, uint32_t domid, const char *old_name,
                     const char *new_name)
{
    mig_job *j = h;

    return libxl_domain_rename(j->xl, domid, old_name, new_name);
}

static int op_resume(void *h, uint32_t domid)
{
    mig_job *j = h;

    /* suspend_cancel: the guest returns from its suspend hypercall and
     * carries on in place, as after xl's failed migrations. */
    return libxl_domain_resume(j->xl, domid, 1, NULL);
}

static int op_destroy(void *h, uint32_t domid)
{
    mig_job *j = h;

    return libxl_domain_destroy(j->xl, domid, NULL);
}

static int op_suspended(void *h, uint32_t domid)
{
    mig_job *j = h;
    libxl_dominfo info;
    int s;

    libxl_dominfo_init(&info);
    if (libxl_domain_info(j->xl, &info, domid)) {
        s = -1;
    } else {
        s = info.shutdown &&
            info.shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND;
    }
    libxl_dominfo_dispose(&info);
    return s;
}

static const bal__mig_ops xl_ops = {
    .suspend = op_suspend,
    .rename = op_rename,
    .resume = op_resume,
    .destroy = op_destroy,
    .suspended = op_suspended,
};

/* ---- preparing: which domain, which configuration --------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

/* The move's VM on this host, by UUID, as it is now. */
static int find_domain(bal_ctx *ctx, mig_job *j, const char *what)
{
    const bal__move *mv = j->move;
    libxl_dominfo *info = NULL;
    const libxl_dominfo *d = NULL;
    char uuid[BAL__UUID_LEN + 1];
    int i, ninfo = 0, rc;

    info = libxl_list_domain(j->xl, &ninfo);
    if (!info) {
        BAL__ERR(ctx, "%s: libxl_list_domain failed: cannot look for it",
                 what);
        rc = BAL_EXEN;
        goto out;
    }
    for (i = 0; i < ninfo; i++) {
        snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
                 LIBXL_UUID_BYTES(info[i].uuid));
        if (!strcmp(uuid, mv->uuid) && !info[i].dying) {
            d = &info[i];
            break;
        }
    }
    /* A stale plan must not move whatever now has the name or domid. */
    if (!d) {
        BAL__ERR(ctx, "%s: no such domain on %s (gone, or the plan is "
                 "stale); nothing done", what, j->setup->local_host);
        rc = BAL_ENOENT;
        goto out;
    }
    if (d->domid == 0) {
        BAL__ERR(ctx, "%s: that is dom0, which never moves", what);
        rc = BAL_EINVAL;
        goto out;
    }
    /* The receiver unpauses what it receives: a paused VM would wake up;
     * one shutting down or crashed is no candidate either. */
    if (d->paused || d->shutdown) {
        BAL__ERR(ctx, "%s: domain %u is %s; only running VMs are moved",
                 what, d->domid, d->shutdown ? "shut down" : "paused");
        rc = BAL_EINVAL;
        goto out;
    }
    j->job.domid = d->domid;

    j->name = libxl_domid_to_name(j->xl, d->domid);
    if (!j->name) {
        BAL__ERR(ctx, "%s: cannot read the name of domain %u", what,
                 d->domid);
        rc = BAL_EXEN;
        goto out;
    }
    /* What xl leaves behind: another migration of it is under way, or
     * one ended in an undefined state (see doc/migration.md). */
    if (ends_with(j->name, "--migratedaway") ||
        ends_with(j->name, "--incoming")) {
        BAL__ERR(ctx, "%s: domain %u is named `%s': another migration of "
                 "it is under way or went wrong; nothing done", what,
                 d->domid, j->name);
        rc = BAL_EINVAL;
        goto out;
    }
    if (strcmp(j->name, mv->vm))
        BAL__INFO(ctx, "%s: it is named `%s' now; the UUID is what counts",
                  what, j->name);
    rc = 0;

out:
    if (info) libxl_dominfo_list_free(info, ninfo);
    return rc;
}

/* The configuration the receiver builds its copy from, as `xl migrate`
 * sends it: libxl's record of the running domain, in JSON, with domid 0
 * so that the receiver picks a free one (xl's -D is not offered). */
static int take_config(bal_ctx *ctx, mig_job *j, const char *what)
{
    libxl_domain_config dc;
    char uuid[BAL__UUID_LEN + 1];
    int r, rc;

    libxl_domain_config_init(&dc);
    r = libxl_retrieve_domain_configuration(j->xl, j->job.domid, &dc, NULL);
    if (r) {
        BAL__ERR(ctx, "%s: cannot retrieve the configuration of domain %u "
                 "(libxl rc=%d)", what, j->job.domid, r);
        rc = BAL_EXEN;
        goto out;
    }
    /* The domid may have been reused since the lookup. */
    snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(dc.c_info.uuid));
    if (strcmp(uuid, j->move->uuid)) {
        BAL__ERR(ctx, "%s: domain %u is %s now, not this VM; nothing done",
                 what, j->job.domid, uuid);
        rc = BAL_ENOENT;
        goto out;
    }
    dc.c_info.domid = 0;
    j->json = libxl_domain_config_to_json(j->xl, &dc);
    if (!j->json) {
        BAL__ERR(ctx, "%s: cannot convert the configuration of domain %u "
                 "to JSON", what, j->job.domid);
        rc = BAL_EXEN;
        goto out;
    }
    rc = 0;

out:
    libxl_domain_config_dispose(&dc);
    return rc;
}

static int build_argv(bal_ctx *ctx, mig_job *j, const char *what)
{
    const bal__mig_setup *s = j->setup;
    char *const *r = s->receive ? s->receive : default_receive;
    int nr = s->receive ? s->nreceive : 2;
    int i, n = 0, nt = s->ntransport;
    char *const *t = s->transport ? s->transport
                                  : bal__config_transport(NULL, &nt);

    if (nt < 1 || nr < 0 || !t[0]) {
        BAL__ERR(ctx, "%s: no migration transport configured", what);
        return BAL_EINVAL;
    }
    j->argv = calloc((size_t)nt + 1 + (size_t)nr + 1, sizeof(*j->argv));
    if (!j->argv) {
        BAL__ERR(ctx, "%s: out of memory", what);
        return BAL_ENOMEM;
    }
    for (i = 0; i < nt; i++) j->argv[n++] = t[i];
    j->argv[n++] = (char *)j->move->to;
    for (i = 0; i < nr; i++) j->argv[n++] = r[i];
    j->argv[n] = NULL;
    return 0;
}

static int check_move(bal_ctx *ctx, const mig_job *j, const char *what)
{
    const bal__move *mv = j->move;
    const char *to = mv->to;
    size_t n = strnlen(to, sizeof(mv->to));

    if (!bal__uuid_valid(mv->uuid)) {
        BAL__ERR(ctx, "%s: not a UUID", what);
        return BAL_EINVAL;
    }
    if (!j->setup->local_host || strcmp(mv->from, j->setup->local_host)) {
        BAL__ERR(ctx, "%s: this host is %s, not %s; nothing done", what,
                 j->setup->local_host ? j->setup->local_host : "unknown",
                 mv->from);
        return BAL_EINVAL;
    }
    if (n == 0 || n == sizeof(mv->to) || !bal__json_name_valid(to, n)) {
        BAL__ERR(ctx, "%s: the destination host name is empty or not "
                 "printable UTF-8", what);
        return BAL_EINVAL;
    }
    /* The transport would read "-oProxyCommand=..." as an option. */
    if (to[0] == '-') {
        BAL__ERR(ctx, "%s: destination host name must not begin with '-'",
                 what);
        return BAL_EINVAL;
    }
    return 0;
}

static int prepare(bal_ctx *ctx, mig_job *j)
{
    const bal__move *mv = j->move;
    const bal__mig_setup *s = j->setup;
    char what[BAL__NAME_MAX + BAL__UUID_LEN + 2 * BAL__HOST_MAX + 32];
    int rc;

    snprintf(what, sizeof(what), "migrate %.*s (%.*s) %.*s -> %.*s",
             (int)sizeof(mv->vm), mv->vm, (int)sizeof(mv->uuid), mv->uuid,
             (int)sizeof(mv->from), mv->from, (int)sizeof(mv->to), mv->to);

    rc = check_move(ctx, j, what);
    if (rc) return rc;

    bal__xl_logger_init(&j->lg.xl, ctx, mv->vm);
    j->lg.xl.vtable.progress = mig_progress;
    if (libxl_ctx_alloc(&j->xl, LIBXL_VERSION, 0, &j->lg.xl.vtable)) {
        j->xl = NULL;
        BAL__ERR(ctx, "%s: libxl_ctx_alloc failed: cannot open libxl",
                 what);
        return BAL_EXEN;
    }
    libxl_childproc_setmode(j->xl, &childproc_hooks, NULL);

    rc = find_domain(ctx, j, what);
    if (rc) return rc;
    rc = take_config(ctx, j, what);
    if (rc) return rc;
    rc = build_argv(ctx, j, what);
    if (rc) return rc;

    j->job.name = j->name;
    j->job.uuid = mv->uuid;
    j->job.from = mv->from;
    j->job.to = mv->to;
    j->job.config_json = j->json;
    j->job.timeout_s = s->timeout_s > 0 ? s->timeout_s : DEFAULT_TIMEOUT_S;
    j->job.exit_wait_s = s->exit_wait_s > 0 ? s->exit_wait_s
                                           : DEFAULT_EXIT_WAIT_S;
    /* From now on libxl's lines name the VM as it is called. */
    j->lg.xl.vm = j->name;
    return 0;
}

/* ---- running ------------------------------------------------------------ */

static void run(mig_job *j)
{
    bal_ctx *ctx = j->run_ctx;
    char what[BAL__NAME_MAX + BAL__HOST_MAX + 32];
    bal__mig_chan chan;
    int rc;

    /* Libxl's lines from now on go where this run logs. */
    j->lg.xl.ctx = ctx;
    j->res->start_s = (double)bal__now_ns() / 1e9;
    bal__mig_progress_init(&j->prog, ctx, j->name);
    bal__mig_chan_init(&chan);
    snprintf(what, sizeof(what), "migrate %s: receiver on %s", j->name,
             j->move->to);

    rc = bal__mig_chan_spawn(ctx, what, j->argv, &chan);
    if (rc) {
        j->res->rc = rc;
        j->res->end_s = (double)bal__now_ns() / 1e9;
        return;
    }
    bal__mig_run(ctx, &xl_ops, j, &j->job, &chan, &j->prog, j->res);
}

static void *run_thread(void *arg)
{
    run(arg);
    return NULL;
}

/* A wave's threads share the caller's sink, one line at a time. */
typedef struct locked_sink {
    pthread_mutex_t lock;
    bal_ctx *parent;
} locked_sink;

static void locked_log(void *opaque, bal_log_level level, const char *msg)
{
    locked_sink *ls = opaque;

    pthread_mutex_lock(&ls->lock);
    if (ls->parent->log_fn)
        ls->parent->log_fn(ls->parent->log_opaque, level, msg);
    pthread_mutex_unlock(&ls->lock);
}

int bal__migrate_xl(bal_ctx *ctx, libxl_ctx *xl, const bal__mig_setup *s,
                    const bal__move *moves, int n,
                    bal__move_result *results)
{
    locked_sink ls = { PTHREAD_MUTEX_INITIALIZER, ctx };
    struct bal_ctx tctx;
    mig_job *jobs = NULL;
    pthread_t *tids = NULL;
    bool *started = NULL;
    int i, nready = 0, rc;

    if (!s || n < 0 || (n > 0 && (!moves || !results))) {
        BAL__ERR(ctx, "migrate: invalid arguments");
        return BAL_EINVAL;
    }
    if (n == 0) return 0;
    jobs = calloc((size_t)n, sizeof(*jobs));
    tids = calloc((size_t)n, sizeof(*tids));
    started = calloc((size_t)n, sizeof(*started));
    if (!jobs || !tids || !started) {
        BAL__ERR(ctx, "migrate: out of memory");
        rc = BAL_ENOMEM;
        goto out;
    }
    if (xl) libxl_childproc_setmode(xl, &childproc_hooks, NULL);

    /* Find every VM and take its configuration first, here. */
    for (i = 0; i < n; i++) {
        mig_job *j = &jobs[i];
        double now = (double)bal__now_ns() / 1e9;

        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s = now;
        results[i].dirty_Bps = NAN;
        j->move = &moves[i];
        j->res = &results[i];
        j->setup = s;
        j->run_ctx = ctx;
        results[i].rc = prepare(ctx, j);
        if (results[i].rc) {
            results[i].end_s = (double)bal__now_ns() / 1e9;
            continue;
        }
        j->ready = true;
        nready++;
    }

    if (nready == 1) {
        for (i = 0; i < n; i++)
            if (jobs[i].ready) run(&jobs[i]);
    } else if (nready > 1) {
        tctx = *ctx;
        tctx.log_fn = locked_log;
        tctx.log_opaque = &ls;
        for (i = 0; i < n; i++) {
            int e;

            if (!jobs[i].ready) continue;
            jobs[i].run_ctx = &tctx;
            jobs[i].lg.xl.ctx = &tctx;
            e = pthread_create(&tids[i], NULL, run_thread, &jobs[i]);
            if (e) {
                bal__log(&tctx, BAL_LOG_ERROR, "migrate %s (%s) %s -> %s: "
                         "cannot start a thread: %s; nothing done",
                         jobs[i].name, moves[i].uuid, moves[i].from,
                         moves[i].to, strerror(e));
                results[i].rc = BAL_ENOMEM;
                results[i].end_s = (double)bal__now_ns() / 1e9;
                continue;
            }
            started[i] = true;
        }
        for (i = 0; i < n; i++)
            if (started[i]) pthread_join(tids[i], NULL);
    }
    rc = 0;

out:
    if (jobs)
        for (i = 0; i < n; i++) mig_job_dispose(&jobs[i]);
    free(jobs);
    free(tids);
    free(started);
    return rc;
}
