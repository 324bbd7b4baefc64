/*
 * fuzz_common.h - what the libFuzzer harnesses share: a log sink that
 * holds the library to its promises about messages, whatever the input.
 *
 *   - every message is one line: no newline, no other control character
 *     (a name from a peer or a file must not rewrite the terminal or
 *     forge a second log line);
 *   - a parser that fails logs at least one ERROR line; one that succeeds
 *     logs none.
 *
 * A broken promise aborts, which libFuzzer reports as a crash with the
 * input that caused it.
 */
#ifndef XLB_FUZZ_COMMON_H
#define XLB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"

typedef struct fz_log {
    int nerrors;
    char last[1024];
} fz_log;

static inline void fz_log_fn(void *opaque, bal_log_level level, const char *msg)
{
    fz_log *lg = opaque;
    const unsigned char *p;

    for (p = (const unsigned char *)msg; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            fprintf(stderr, "fuzz: control character 0x%02x in a log "
                    "message: %s\n", *p, msg);
            abort();
        }
    }
    if (level == BAL_LOG_ERROR) {
        if (!*msg) {
            fprintf(stderr, "fuzz: empty error message\n");
            abort();
        }
        lg->nerrors++;
    }
    snprintf(lg->last, sizeof(lg->last), "%s", msg);
}

static inline bal_ctx *fz_ctx(fz_log *lg)
{
    bal_ctx *ctx = NULL;

    memset(lg, 0, sizeof(*lg));
    if (bal_ctx_alloc(fz_log_fn, lg, BAL_LOG_DEBUG, &ctx)) abort();
    return ctx;
}

/* rc and the messages agree: an error logged exactly when rc says one. */
static inline void fz_check_rc(const fz_log *lg, int rc, const char *what)
{
    if (rc && !lg->nerrors && rc != BAL_ENOMEM) {
        fprintf(stderr, "fuzz: %s failed (rc %d) without an error line\n",
                what, rc);
        abort();
    }
    if (!rc && lg->nerrors) {
        fprintf(stderr, "fuzz: %s succeeded but logged an error: %s\n",
                what, lg->last);
        abort();
    }
}

#define FZ_ASSERT(c) do { if (!(c)) { \
    fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, #c); \
    abort(); } } while (0)

#endif /* XLB_FUZZ_COMMON_H */
