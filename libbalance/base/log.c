/*
 * log.c - the context and its one log sink.
 *
 * The library never writes to stdout or stderr by itself: every message
 * goes through the sink the caller gave bal_ctx_alloc, so that cron runs
 * stay quiet and tests can read what was said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "internal.h"

int bal_ctx_alloc(bal_log_fn *fn, void *opaque, bal_log_level min_level,
                  bal_ctx **ctx_r)
{
    bal_ctx *ctx;

    if (!ctx_r) return BAL_EINVAL;
    ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return BAL_ENOMEM;
    ctx->log_fn = fn;
    ctx->log_opaque = opaque;
    ctx->log_min = min_level;
    *ctx_r = ctx;
    return 0;
}

void bal_ctx_free(bal_ctx *ctx)
{
    free(ctx);
}

void bal__vlog(bal_ctx *ctx, bal_log_level level, const char *fmt,
               va_list ap)
{
    char buf[1024];

    if (!ctx || !ctx->log_fn || level < ctx->log_min) return;
    /* Truncation is acceptable: one line of a log is never worth failing
     * over, and no caller formats anything near this long. */
    vsnprintf(buf, sizeof(buf), fmt, ap);
    ctx->log_fn(ctx->log_opaque, level, buf);
}

void bal__log(bal_ctx *ctx, bal_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    bal__vlog(ctx, level, fmt, ap);
    va_end(ap);
}

int bal__version_check(bal_ctx *ctx, const char *name, unsigned int version,
                       unsigned int known)
{
    if (version == known) return 0;
    BAL__ERR(ctx, "%s: version %u unknown to libbalance %s (it knows %u)",
             name, version, BAL_VERSION, known);
    return BAL_EINVAL;
}

static const char *level_prefix(bal_log_level level)
{
    switch (level) {
    case BAL_LOG_DEBUG: return "debug: ";
    case BAL_LOG_INFO:  return "";
    case BAL_LOG_WARN:  return "warning: ";
    case BAL_LOG_ERROR: return "";
    }
    return "";
}

void bal_log_stderr(void *opaque, bal_log_level level, const char *msg)
{
    const char *prog = opaque;

    if (prog)
        fprintf(stderr, "%s: %s%s\n", prog, level_prefix(level), msg);
    else
        fprintf(stderr, "%s%s\n", level_prefix(level), msg);
}

void bal_log_syslog(void *opaque, bal_log_level level, const char *msg)
{
    static const int prio[] = {
        [BAL_LOG_DEBUG] = LOG_DEBUG, [BAL_LOG_INFO] = LOG_INFO,
        [BAL_LOG_WARN] = LOG_WARNING, [BAL_LOG_ERROR] = LOG_ERR,
    };

    (void)opaque;
    syslog(prio[level], "%s", msg);
}
