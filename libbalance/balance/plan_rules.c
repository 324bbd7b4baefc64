/*
 * plan_rules.c - placement rules into the planner's input (plan_rules.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "plan_rules.h"

/* Whether VM v of in is named in names[0..n) (by name or UUID). */
static bool names_vm(char *const *names, int n, const bal__pl_vm *v)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(names[i], v->name) || !strcmp(names[i], v->uuid))
            return true;
    return false;
}

/* The host part of a rule entry, as the check compares them (config.c):
 * after the '=', leading blanks cut. */
static const char *hosts_part(const char *e)
{
    e = strchr(e, '=');
    if (!e) return "";
    for (e++; *e == ' ' || *e == '\t'; e++) {}
    return e;
}

/* One rule key (rules[0..n), named key) into the must_mask (must) or
 * should_mask of in's hosts and VMs. */
static int one_key(bal_ctx *ctx, const char *key, char *const *rules, int n,
                   bool must, bal__pl_input *in)
{
    char **vms = NULL, **hosts = NULL;
    int *bitof = NULL, nvms, nhosts, nbits = 0, i, j, a, h, v, rc = 0;
    bool warned = false;

    bitof = calloc((size_t)n + 1, sizeof(*bitof));
    if (!bitof) { rc = BAL_ENOMEM; goto out; }
    /* Each entry's bit: that of the first entry with the same hosts. */
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++)
            if (!strcmp(hosts_part(rules[j]), hosts_part(rules[i]))) break;
        bitof[i] = j < i ? bitof[j] : nbits++;
    }
    for (i = 0; i < n; i++) {
        uint32_t mask;

        if (bitof[i] >= BAL__CONFIG_MAX_HOST_SETS) continue; /* load's */
        mask = 1u << bitof[i];
        rc = bal__config_split_rule(rules[i], &vms, &nvms, &hosts, &nhosts);
        if (rc == BAL_EINVAL) { rc = 0; continue; }     /* checked at load */
        if (rc) goto out;
        for (a = 0; a < nhosts; a++) {
            for (h = 0; h < in->nhosts; h++)
                if (!strcmp(in->hosts[h].name, hosts[a])) break;
            if (h == in->nhosts) {
                if (!warned)
                    BAL__WARN(ctx, "%s: host %s is not in the cluster", key,
                              hosts[a]);
                warned = true;
                continue;
            }
            if (must) in->hosts[h].must_mask |= mask;
            else in->hosts[h].should_mask |= mask;
        }
        for (v = 0; v < in->nvms; v++) {
            if (!names_vm(vms, nvms, &in->vms[v])) continue;
            if (must) in->vms[v].must_mask = mask;
            else in->vms[v].should_mask = mask;
        }
        bal__strv_free(vms);
        bal__strv_free(hosts);
        vms = hosts = NULL;
    }
out:
    bal__strv_free(vms);
    bal__strv_free(hosts);
    free(bitof);
    if (rc) BAL__ERR(ctx, "planner input: out of memory");
    return rc;
}

int bal__plan_rules(bal_ctx *ctx, const struct bal_config *cfg,
                    bal__pl_input *in)
{
    char **g = NULL;
    int i, v, n, rc;

    rc = one_key(ctx, "must_run_on", cfg->must_run_on, cfg->nmust_run_on,
                 true, in);
    if (!rc) rc = one_key(ctx, "should_run_on", cfg->should_run_on,
                          cfg->nshould_run_on, false, in);
    for (i = 0; i < cfg->nkeep_together && !rc; i++) {
        rc = bal__config_split_group(cfg->keep_together[i], &g, &n);
        if (rc) {
            BAL__ERR(ctx, "planner input: out of memory");
            break;
        }
        /* Group numbers from 1: 0 is none. */
        for (v = 0; v < in->nvms; v++)
            if (names_vm(g, n, &in->vms[v])) in->vms[v].together_group = i + 1;
        bal__strv_free(g);
        g = NULL;
    }
    return rc;
}
