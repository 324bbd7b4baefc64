/*
 * fuzz_trace.c - replay traces (backend_replay.c: lines, comments, each
 * line through the sample parser) and what a status makes of their
 * counters (rates.c, classify.c, status.c, status_json.c): counters that
 * go backwards, clocks that stand still or jump, hosts that come and go.
 * The trace is a memfd, opened by its /proc path as the CLI opens a file.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_status *st = NULL;
    char spec[64], *json = NULL;
    yajl_val tree;
    int fd, rc;

    fd = memfd_create("fuzz-trace", MFD_CLOEXEC);
    FZ_ASSERT(fd >= 0);
    FZ_ASSERT(write(fd, data, size) == (ssize_t)size);
    snprintf(spec, sizeof(spec), "replay:/proc/self/fd/%d", fd);
    if (bal_config_alloc(&cfg)) abort();

    rc = bal_backend_open(ctx, cfg, spec, &be);
    fz_check_rc(&lg, rc, "bal_backend_open");
    if (rc) goto out;
    rc = bal_status_collect(ctx, be, cfg, &st);
    fz_check_rc(&lg, rc, "bal_status_collect");
    if (rc) goto out;
    rc = bal_status_json(st, &json);
    FZ_ASSERT(rc == 0);
    /* Whatever the counters, the document is JSON (no NaN, no inf). */
    tree = yajl_tree_parse(json, NULL, 0);
    if (!tree) fprintf(stderr, "fuzz: status JSON does not parse:\n%s\n",
                       json);
    FZ_ASSERT(tree);
    yajl_tree_free(tree);

out:
    free(json);
    bal_status_free(st);
    bal_backend_close(be);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
    close(fd);
    return 0;
}
