/*
 * fuzz_plan.c - saved plan files (plan_json.c, bal__plan_json_parse), as
 * `rebalance --apply FILE' reads them.  A plan accepted is written back
 * and read again: the same moves, in the same order.
 */
#include <math.h>

#include "fuzz_common.h"
#include "base/plan.h"
#include "balance/plan_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal__plan p, p2;
    double *pred = NULL, *pred2 = NULL;
    char *json = NULL;
    int rc, i;

    bal__plan_init(&p);
    bal__plan_init(&p2);
    /* Exactly size bytes, no NUL after them: parse reads text[0..len). */
    rc = bal__plan_json_parse(ctx, "plan.json", (const char *)data, size,
                              &p, &pred);
    fz_check_rc(&lg, rc, "bal__plan_json_parse");
    if (rc) {
        FZ_ASSERT(p.n == 0 && !pred);
        goto out;
    }
    for (i = 0; i < p.n; i++) {
        FZ_ASSERT(bal__uuid_valid(p.moves[i].mv.uuid));
        FZ_ASSERT(strcmp(p.moves[i].mv.from, p.moves[i].mv.to));
        if (i) FZ_ASSERT(p.moves[i - 1].wave <= p.moves[i].wave);
    }
    rc = bal__plan_json_write(&p, pred, &json);
    FZ_ASSERT(rc == 0);
    rc = bal__plan_json_parse(ctx, "again", json, strlen(json), &p2, &pred2);
    if (rc) fprintf(stderr, "fuzz: written plan refused: %s\n%s\n", lg.last,
                    json);
    FZ_ASSERT(rc == 0);
    FZ_ASSERT(p2.n == p.n);
    for (i = 0; i < p.n; i++) {
        FZ_ASSERT(!memcmp(&p.moves[i].mv, &p2.moves[i].mv,
                          sizeof(p.moves[i].mv)));
        FZ_ASSERT(p.moves[i].wave == p2.moves[i].wave);
        FZ_ASSERT(!strcmp(p.moves[i].reason, p2.moves[i].reason));
    }

out:
    free(json);
    free(pred);
    free(pred2);
    bal__plan_dispose(&p);
    bal__plan_dispose(&p2);
    bal_ctx_free(ctx);
    return 0;
}
