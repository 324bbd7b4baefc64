/*
 * fuzz_peer_json.c - a peer's reply (json.c, bal__json_parse_sample):
 * the bytes a malicious or broken dom0 could send.  A sample accepted is
 * written back and read again: what we accept we can also write, and
 * writing is a fixed point.
 */
#include "fuzz_common.h"
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal__sample s, s2;
    char *j1 = NULL, *j2 = NULL;
    int rc;

    bal__sample_init(&s);
    bal__sample_init(&s2);
    /* Not NUL-terminated, as a reply read off a pipe. */
    rc = bal__json_parse_sample(ctx, "peer hostB", BAL_EPEER,
                                (const char *)data, size, &s);
    fz_check_rc(&lg, rc, "bal__json_parse_sample");
    if (rc) {
        FZ_ASSERT(rc == BAL_EPEER || rc == BAL_ENOMEM);
        FZ_ASSERT(s.nhosts == 0);           /* out unchanged */
        goto out;
    }
    rc = bal__json_write_sample(&s, &j1);
    FZ_ASSERT(rc == 0);
    rc = bal__json_parse_sample(ctx, "again", BAL_EPEER, j1, strlen(j1), &s2);
    FZ_ASSERT(rc == 0);
    FZ_ASSERT(s2.nhosts == s.nhosts);
    rc = bal__json_write_sample(&s2, &j2);
    FZ_ASSERT(rc == 0);
    FZ_ASSERT(!strcmp(j1, j2));

out:
    free(j1);
    free(j2);
    bal__sample_dispose(&s);
    bal__sample_dispose(&s2);
    bal_ctx_free(ctx);
    return 0;
}
