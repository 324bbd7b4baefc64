/*
 * fuzz_config.c - the configuration file (config_xlu.c: libxlutil's
 * parser, then our scanner and the key checks) on arbitrary bytes,
 * through bal__config_load_data, the same path bal_config_load takes
 * after reading the file.
 */
#include "fuzz_common.h"
#include "base/config_xlu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal_config *cfg = NULL;
    int rc;

    if (bal_config_alloc(&cfg)) abort();
    rc = bal__config_load_data(ctx, cfg, "fuzz.conf", (const char *)data,
                               size);
    fz_check_rc(&lg, rc, "bal__config_load_data");
    /* Nothing half-done: a refused file leaves the defaults. */
    if (rc) FZ_ASSERT(cfg->source == NULL);
    else {
        FZ_ASSERT(cfg->source && !strcmp(cfg->source, "fuzz.conf"));
        FZ_ASSERT(cfg->samples >= 2);
        FZ_ASSERT(cfg->ntransport >= 1 && cfg->npeer_command >= 1);
    }
    bal_config_free(cfg);
    bal_ctx_free(ctx);
    return 0;
}
