/*
 * fuzz_scenario.c - scenario files (scenario.c, bal__scenario_parse).
 * What is accepted must hold together: every name found again by its
 * index, every VM on a declared host and within its memory.
 */
#include "fuzz_common.h"
#include "backend/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_log lg;
    bal_ctx *ctx = fz_ctx(&lg);
    bal__scenario s;
    int rc, i;

    bal__scenario_init(&s);
    rc = bal__scenario_parse(ctx, "fuzz.scn", (const char *)data, size, &s);
    fz_check_rc(&lg, rc, "bal__scenario_parse");
    if (rc) {
        FZ_ASSERT(s.nhosts == 0 && s.nvms == 0 && !s.source);
        goto out;
    }
    FZ_ASSERT(s.nhosts > 0);
    for (i = 0; i < s.nhosts; i++) {
        FZ_ASSERT(bal__scenario_find_host(&s, s.hosts[i].name) == i);
        FZ_ASSERT(s.hosts[i].dom0_mem_bytes + s.hosts[i].vm_mem_bytes <=
                  s.hosts[i].mem_bytes);
    }
    for (i = 0; i < s.nvms; i++) {
        FZ_ASSERT(bal__scenario_find_vm(&s, s.vms[i].name) == i);
        FZ_ASSERT(bal__scenario_find_uuid(&s, s.vms[i].uuid) == i);
        FZ_ASSERT(s.vms[i].host >= 0 && s.vms[i].host < s.nhosts);
        FZ_ASSERT(bal__uuid_valid(s.vms[i].uuid));
    }
    for (i = 0; i < s.nlinks; i++)
        FZ_ASSERT(bal__scenario_link_Bps(&s, s.links[i].a, s.links[i].b) >
                  0);

out:
    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
    return 0;
}
