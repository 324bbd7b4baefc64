/*
 * fake_libxl_migrate.c - see fake_libxl_migrate.h.  Only what
 * migrate_xl.c calls, on purpose (as fake_xen.c).  Calls may come from
 * several threads (a wave's migrations): recording is locked.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_xen.h"
#include "fake_libxl_migrate.h"

fm_state fm;
static pthread_mutex_t fm_lock = PTHREAD_MUTEX_INITIALIZER;

void fm_reset(void)
{
    memset(&fm, 0, sizeof(fm));
    fm.suspend_fd = -1;
}

unsigned char fm_stream_byte(size_t i)
{
    return (unsigned char)(i * 7 + 1);
}

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void record(const char *fmt, ...)
{
    size_t len;
    va_list ap;

    pthread_mutex_lock(&fm_lock);
    len = strlen(fm.calls);
    if (len && len + 1 < sizeof(fm.calls)) fm.calls[len++] = ' ';
    va_start(ap, fmt);
    vsnprintf(fm.calls + len, sizeof(fm.calls) - len, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&fm_lock);
}

static const struct xenstat_domain *dom_by_id(uint32_t domid)
{
    unsigned i;

    for (i = 0; i < fx.node.ndoms; i++)
        if (fx.node.doms[i].domid == domid) return &fx.node.doms[i];
    return NULL;
}

void libxl_childproc_setmode(libxl_ctx *ctx,
                             const libxl_childproc_hooks *hooks, void *user)
{
    pthread_mutex_lock(&fm_lock);
    fm.nsetmode++;
    fm.setmode_owner = hooks ? hooks->chldowner : libxl_sigchld_owner_libxl;
    pthread_mutex_unlock(&fm_lock);
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    const struct xenstat_domain *d = dom_by_id(domid);

    if (fm.name_fails || !d || !d->name) return NULL;
    return strdup(d->name);
}

void libxl_domain_config_init(libxl_domain_config *d_config)
{
    memset(d_config, 0, sizeof(*d_config));
    fm.configs++;
}

void libxl_domain_config_dispose(libxl_domain_config *d_config)
{
    free(d_config->c_info.name);
    memset(d_config, 0, sizeof(*d_config));
    fm.configs--;
}

int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                        libxl_domain_config *d_config,
                                        const libxl_asyncop_how *ao_how)
{
    const struct xenstat_domain *d = dom_by_id(domid);

    if (fm.retrieve_rc) return fm.retrieve_rc;
    if (!d) return ERROR_INVAL;
    d_config->c_info.name = strdup(d->name ? d->name : "");
    d_config->c_info.domid = domid;
    memcpy(d_config->c_info.uuid.uuid,
           fm.config_uuid_set ? fm.config_uuid : d->uuid, 16);
    return 0;
}

char *libxl_domain_config_to_json(libxl_ctx *ctx, libxl_domain_config *p)
{
    char *s = NULL;

    if (fm.json_fails) return NULL;
    if (asprintf(&s, FM_JSON_FMT, p->c_info.name, p->c_info.domid) < 0)
        return NULL;
    return s;
}

static void progress(xentoollog_logger *lg, const char *what,
                     unsigned long done, unsigned long total)
{
    if (lg && lg->progress)
        lg->progress(lg, "xc", what, total ? (int)(done * 100 / total) : 0,
                     done, total);
}

int libxl_domain_suspend(libxl_ctx *ctx, uint32_t domid, int fd, int flags,
                         const libxl_asyncop_how *ao_how)
{
    xentoollog_logger *lg = fm.logger ? fm.logger : fx.logger;
    unsigned char buf[4096];
    size_t sent = 0;

    record("suspend(%u,%s)", domid,
           flags == LIBXL_SUSPEND_LIVE ? "LIVE" : "other");
    pthread_mutex_lock(&fm_lock);
    fm.nsuspend++;
    fm.suspend_fd = fd;
    fm.suspend_flags = flags;
    pthread_mutex_unlock(&fm_lock);
    if (fm.suspend_rc) return fm.suspend_rc;

    /* Two live rounds, then the final one with the guest suspended:
     * libxc numbers that one like the last live round.  Each live round
     * takes at least 1 ms, so that the dirty rate the sender measures
     * (25 pages over those rounds) is known and bounded. */
    if (fm.progress) {
        static const struct timespec ms = { 0, 1000000 };

        progress(lg, "Frames iteration 0", 0, 100);
        progress(lg, "Frames iteration 0", 50, 100);
        progress(lg, "Frames iteration 0", 100, 100);
        nanosleep(&ms, NULL);
        progress(lg, "Frames iteration 1", 0, 20);
        progress(lg, "Frames iteration 1", 20, 20);
        nanosleep(&ms, NULL);
        progress(lg, "Domain now suspended", 0, 0);
        progress(lg, "Frames iteration 1", 0, 5);
        progress(lg, "Frames iteration 1", 5, 5);
    }
    while (sent < fm.stream_bytes) {
        size_t n = fm.stream_bytes - sent, i;
        ssize_t w;

        if (n > sizeof(buf)) n = sizeof(buf);
        for (i = 0; i < n; i++) buf[i] = fm_stream_byte(sent + i);
        w = write(fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            record("suspend-write-failed");
            return ERROR_FAIL;
        }
        sent += (size_t)w;
    }
    return 0;
}

int libxl_domain_rename(libxl_ctx *ctx, uint32_t domid,
                        const char *old_name, const char *new_name)
{
    bool back = old_name && strstr(old_name, "--migratedaway");

    record("rename(%u,%s,%s)", domid, old_name ? old_name : "(any)",
           new_name);
    pthread_mutex_lock(&fm_lock);
    fm.nrename++;
    pthread_mutex_unlock(&fm_lock);
    return back ? fm.rename_back_rc : fm.rename_rc;
}

int libxl_domain_resume(libxl_ctx *ctx, uint32_t domid, int suspend_cancel,
                        const libxl_asyncop_how *ao_how)
{
    record("resume(%u,%s)", domid, suspend_cancel ? "fast" : "slow");
    pthread_mutex_lock(&fm_lock);
    fm.nresume++;
    pthread_mutex_unlock(&fm_lock);
    return fm.resume_rc;
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how)
{
    record("destroy(%u)", domid);
    pthread_mutex_lock(&fm_lock);
    fm.ndestroy++;
    pthread_mutex_unlock(&fm_lock);
    return fm.destroy_rc;
}

void libxl_dominfo_init(libxl_dominfo *p)
{
    memset(p, 0, sizeof(*p));
}

void libxl_dominfo_dispose(libxl_dominfo *p)
{
    memset(p, 0, sizeof(*p));
}

int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid)
{
    record("info(%u)", domid);
    pthread_mutex_lock(&fm_lock);
    fm.ninfo++;
    pthread_mutex_unlock(&fm_lock);
    if (fm.info_rc) return fm.info_rc;
    info_r->domid = domid;
    info_r->shutdown = fm.suspended;
    info_r->shutdown_reason = fm.suspended ? LIBXL_SHUTDOWN_REASON_SUSPEND
                                           : LIBXL_SHUTDOWN_REASON_UNKNOWN;
    return 0;
}
