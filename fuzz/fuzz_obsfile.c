/*
 * fuzz_obsfile.c - the observations rebalance keeps between runs
 * (observe/obsfile.c, bal__obs_parse), as every status reads
 * STATE_DIR/observations.  Text refused says why and keeps nothing;
 * text accepted holds levels in [0, 1], known types, unique keys in
 * order, and the observer resumes from it without fault (against its own
 * sample: no time passed, every VM afresh; and against that sample a
 * minute on).
 */
#include "fuzz_common.h"
#include "base/config.h"
#include "observe/obsfile.h"
#include "observe/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    struct bal_config cfg;
    bal__obs_kept k;
    bal__observer o;
    bal__sample later;
    char why[320] = "";
    int rc, i, r;

    bal__config_defaults(&cfg);
    bal__obs_kept_init(&k);
    bal__observer_init(&o);
    bal__sample_init(&later);
    /* Exactly size bytes, no NUL after them: parse reads text[0..len). */
    rc = bal__obs_parse(ctx, (const char *)data, size, &k, why, sizeof(why));
    FZ_ASSERT(rc == 0 || rc == BAL_EINVAL || rc == BAL_ENOMEM);
    if (rc) {
        FZ_ASSERT(k.n == 0 && k.last.nhosts == 0);
        FZ_ASSERT(rc != BAL_EINVAL || why[0]);
        goto out;
    }
    for (i = 0; i < k.n; i++) {
        for (r = 0; r < BAL_NRES; r++)
            FZ_ASSERT(k.v[i].cls.level[r] >= 0 && k.v[i].cls.level[r] <= 1);
        FZ_ASSERT((unsigned)k.v[i].cls.type < BAL_NTYPES);
        FZ_ASSERT(k.v[i].cls.seen_s >= 0);
        if (i) FZ_ASSERT(strcmp(k.v[i - 1].key, k.v[i].key) < 0);
        FZ_ASSERT(bal__obs_kept_find(&k, k.v[i].key) == &k.v[i]);
    }
    FZ_ASSERT(bal__observer_resume(ctx, &cfg, &o, &k, &k.last, -1) == 0);
    for (i = 0; i < o.n; i++) FZ_ASSERT(!o.v[i]->valid);
    FZ_ASSERT(bal__sample_copy(&later, &k.last) == 0);
    for (i = 0; i < later.nhosts; i++) later.hosts[i].time_ns += 60000000000ull;
    bal__observer_dispose(&o);
    bal__observer_init(&o);
    FZ_ASSERT(bal__observer_resume(ctx, &cfg, &o, &k, &later,
                                   k.wall_s + 60) == 0);

out:
    bal__sample_dispose(&later);
    bal__observer_dispose(&o);
    bal__obs_kept_dispose(&k);
    bal__config_dispose(&cfg);
    bal_ctx_free(ctx);
    return 0;
}
