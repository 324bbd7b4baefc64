/*
 * fuzz_planner_input.c - the planner's JSON input (planner_json.c,
 * bal__pl_input_parse_json, doc/planner.md), read from text[0..len) as
 * the golden tests read their files; then, when it reads, planned as
 * `plan --cluster FILE' plans it (bal__plan_cluster_text, what
 * bal_plan_cluster runs on the file's text): the planner's checks and
 * model meet whatever numbers and names a file can hold, and its
 * messages must still be single clean lines.  Clusters of up to 32
 * hosts and 256 VMs are planned (the seed corpus holds generated ones of
 * every regime, bench/gen_regimes.h); larger ones only read: the search's
 * time on them under the sanitizers is not a fault.
 */
#include "fuzz_common.h"
#include "planner/planner.h"
#include "planner/planner_json.h"
#include "balance/plan_report.h"

#define FZ_MAX_HOSTS 32
#define FZ_MAX_VMS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal__pl_input in;
    bal_plan_options o;
    bal_plan_report *r = NULL;
    char *json = NULL;
    bool small;
    int rc, i;

    bal__pl_input_init(&in);
    rc = bal__pl_input_parse_json(ctx, "input.json", (const char *)data,
                                  size, &in);
    fz_check_rc(&lg, rc, "bal__pl_input_parse_json");
    small = !rc && in.nhosts <= FZ_MAX_HOSTS && in.nvms <= FZ_MAX_VMS;
    bal__pl_input_dispose(&in);
    if (small) {
        bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
        rc = bal__plan_cluster_text(ctx, "input.json", (const char *)data,
                                    size, &o, &r);
        fz_check_rc(&lg, rc, "bal__plan_cluster_text");
        FZ_ASSERT(!rc == !!r);
        for (i = 0; r && i < bal_plan_report_num_moves(r); i++) {
            const bal_plan_move_info *m = bal_plan_report_move(r, i);

            FZ_ASSERT(m && m->vm && m->from && m->to && strcmp(m->from, m->to));
        }
        for (i = 0; r && i < bal_plan_report_num_vms(r); i++)
            FZ_ASSERT(bal_plan_report_vm(r, i)->host_after);
        if (r) {
            /* The names were read as UTF-8: the report writes them. */
            rc = bal_plan_report_json(r, &json);
            FZ_ASSERT(rc == 0 || rc == BAL_ENOMEM);
        }
    }
    free(json);
    bal_plan_report_free(r);
    bal_ctx_free(ctx);
    return 0;
}
