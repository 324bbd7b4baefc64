/*
 * plan_rules.h - the configuration's placement rules as the planner's
 * input: must_run_on and should_run_on as host-set bits (bal__pl_host's
 * and bal__pl_vm's must_mask and should_mask), keep_together as group
 * numbers (together_group).  Pure: no Xen header.
 */
#ifndef BAL_PLAN_RULES_H
#define BAL_PLAN_RULES_H

#include "planner/planner.h"

/* Sets the rule fields of in's hosts and VMs (matched by host name, and
 * by VM name or UUID) from cfg's must_run_on, should_run_on and
 * keep_together.  Entries with the same hosts (as written) share a bit.
 * A host a rule names that is not in the cluster is warned about, once
 * per key; a VM that is not running is not (it may be stopped).
 * BAL_ENOMEM, logged. */
int bal__plan_rules(bal_ctx *ctx, const struct bal_config *cfg,
                    bal__pl_input *in);

#endif /* BAL_PLAN_RULES_H */
