/*
 * apply_rules.c - a saved plan (rebalance --apply) checked against the
 * rules a plan made now would keep: pins and drains (the configuration's
 * and the admin's), must_run_on, should_run_on, keep_together,
 * anti_affinity, storage, and the cooldown and ping-pong windows of the
 * migration history - by the planner's own check (bal__pl_check_moves),
 * on the planner's input built from the live status, as `plan' builds
 * it.  A file made before a drain, a pin or a migration is held to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/state.h"
#include "rebalance.h"

/* Why not, for people: one line naming the VM and the rule. */
static void text(const struct bal_config *cfg, const bal__pl_input *in,
                 int v, int to, int why, char *buf, size_t size)
{
    const bal__pl_vm *vm = &in->vms[v];
    const char *h = in->hosts[to].name, *from = in->hosts[vm->host].name;
    char t1[32], t2[32];

    switch (why) {
    case BAL__PL_PINNED:
        snprintf(buf, size, "%s is pinned (configuration pinned, or "
                 "xl-balance pin)", vm->name);
        break;
    case BAL__PL_COOLDOWN:
        snprintf(buf, size, "%s migrated at %s: it stays until %s "
                 "(cooldown)", vm->name,
                 bal__fmt_time(vm->cooldown_until_s - cfg->cooldown_s, t1,
                               sizeof(t1)),
                 bal__fmt_time(vm->cooldown_until_s, t2, sizeof(t2)));
        break;
    case BAL__PL_PINGPONG:
        snprintf(buf, size, "%s came to %s from %s within the last %s "
                 "(pingpong_window): not back", vm->name, from, h,
                 bal__fmt_duration(cfg->pingpong_s, t1, sizeof(t1)));
        break;
    case BAL__PL_DRAINED:
        snprintf(buf, size, "%s is drained: nothing moves onto it", h);
        break;
    case BAL__PL_MUST:
        snprintf(buf, size, "%s may run only on its must_run_on hosts, not "
                 "on %s", vm->name, h);
        break;
    case BAL__PL_SHOULD:
        snprintf(buf, size, "%s should run on its should_run_on hosts, not "
                 "on %s", vm->name, h);
        break;
    case BAL__PL_TOGETHER:
        snprintf(buf, size, "%s on %s would be parted from its "
                 "keep_together group", vm->name, h);
        break;
    case BAL__PL_ANTI:
        snprintf(buf, size, "%s on %s would share it with one of its "
                 "anti_affinity group", vm->name, h);
        break;
    case BAL__PL_STORAGE:
        snprintf(buf, size, "%s does not reach every storage of %s",
                 h, vm->name);
        break;
    case BAL__PL_NOLINK:
        snprintf(buf, size, "no link from %s to %s", from, h);
        break;
    default:
        snprintf(buf, size, "%s: %s", vm->name, bal__pl_why_name(why));
        break;
    }
}

static int index_of_vm(const bal__pl_input *in, const char *uuid)
{
    int i;

    for (i = 0; i < in->nvms; i++)
        if (!strcmp(in->vms[i].uuid, uuid)) return i;
    return -1;
}

static int index_of_host(const bal__pl_input *in, const char *name)
{
    int i;

    for (i = 0; i < in->nhosts; i++)
        if (!strcmp(in->hosts[i].name, name)) return i;
    return -1;
}

int bal__apply_rules(bal_ctx *ctx, const struct bal_config *cfg,
                     const bal_status *st, const bal__plan *plan,
                     char (*why_r)[BAL__APPLY_WHY_MAX])
{
    bal__pl_input in;
    bal__hist *hist = NULL;
    int *vm = NULL, *to = NULL, *why = NULL, nhist = 0, i, rc;

    bal__pl_input_init(&in);
    for (i = 0; i < plan->n; i++) why_r[i][0] = '\0';
    rc = bal__plan_history(ctx, cfg, &hist, &nhist);
    if (rc) goto out;
    rc = bal__plan_input_build(ctx, cfg, st, hist, nhist, bal__wall_time(),
                               &in);
    if (rc) goto out;
    vm = calloc((size_t)plan->n + 1, sizeof(*vm));
    to = calloc((size_t)plan->n + 1, sizeof(*to));
    why = calloc((size_t)plan->n + 1, sizeof(*why));
    if (!vm || !to || !why) {
        BAL__ERR(ctx, "checking the saved plan: out of memory");
        rc = BAL_ENOMEM;
        goto out;
    }
    /* A VM or host not live: validate refuses it (-1 is left alone). */
    for (i = 0; i < plan->n; i++) {
        vm[i] = index_of_vm(&in, plan->moves[i].mv.uuid);
        to[i] = index_of_host(&in, plan->moves[i].mv.to);
    }
    rc = bal__pl_check_moves(ctx, &in, vm, to, plan->n, why);
    if (rc) goto out;
    for (i = 0; i < plan->n; i++)
        if (why[i] >= 0)
            text(cfg, &in, vm[i], to[i], why[i], why_r[i],
                 BAL__APPLY_WHY_MAX);

out:
    bal__pl_input_dispose(&in);
    free(hist);
    free(vm);
    free(to);
    free(why);
    return rc;
}
