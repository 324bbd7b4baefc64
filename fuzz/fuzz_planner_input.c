/*
 * fuzz_planner_input.c - the planner's JSON input (planner_json.c,
 * bal__pl_input_parse_json, doc/planner.md), read from text[0..len) as
 * the golden tests read their files.  Not yet reachable from the command
 * line; fuzzed now so that it is sound when it is.
 */
#include "fuzz_common.h"
#include "planner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal__pl_input in;
    int rc;

    bal__pl_input_init(&in);
    rc = bal__pl_input_parse_json(ctx, "input.json", (const char *)data,
                                  size, &in);
    fz_check_rc(&lg, rc, "bal__pl_input_parse_json");
    bal__pl_input_dispose(&in);
    bal_ctx_free(ctx);
    return 0;
}
