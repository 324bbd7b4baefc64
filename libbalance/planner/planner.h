/*
 * planner.h - the type-aware planner: which VMs to migrate where, in which
 * waves, and why.  Pure: plain structs in, plain structs out, no Xen
 * header, no I/O.  The model, every term of the objective and the search
 * are explained in doc/planner.md.
 *
 * In short: each host's pCPUs, disk path and dom0 are shared max-min
 * fairly (as the simulator does, doc/scenario-format.md "The model"); a
 * VM's share is the fraction of its demand it gets.  The objective is an
 * alpha-fair utility of the shares (bal__pl_util), each weighted by the
 * seconds its work counts.  Starting where the VMs are, the
 * search (planner_search.c) takes one unit at a time - a move or a swap
 * - that pays for its migrations from where the cluster then stands,
 * beyond a margin per migration, and pushes no VM whose share falls
 * below the fairness floor (the 10th percentile of heavy VMs' shares);
 * best first, until none does.  So the plan never lowers the worst-off
 * heavy VMs' shares or their 10th percentile, and a plan made from
 * where it ends proposes nothing.  Separating same-type VMs is not a
 * rule here: it is what fair sharing of a contended resource asks for.
 * Moves are then grouped into waves that run at once.
 */
#ifndef BAL_PLANNER_H
#define BAL_PLANNER_H

#include "planner_types.h"
#include "planner_cost.h"

/* The documented defaults (doc/planner.md, "Parameters"). */
void bal__pl_params_init(bal__pl_params *p);

void bal__pl_input_init(bal__pl_input *in);
void bal__pl_input_dispose(bal__pl_input *in);

void bal__pl_result_init(bal__pl_result *r);
void bal__pl_result_dispose(bal__pl_result *r);

/* Plans.  Invalid input (a VM on an unknown host, negative memory, a
 * duplicate UUID, a value out of range...) is logged as one line
 * "planner: what is wrong" and returns BAL_EINVAL with out untouched. */
int bal__planner_plan(bal_ctx *ctx, const bal__pl_input *in,
                      bal__pl_result *out);

/* The moves as a plan for execution (plan.h), by wave. */
int bal__pl_result_to_plan(const bal__pl_result *r, const bal__pl_input *in,
                           bal__plan *out);

/* A placement (place[v]: host of VM v) weighed from the model's
 * definitions, with no search bookkeeping: what tests compare the
 * search against.  *work_r: the work over the horizon, each migration's
 * cost paid (the report's objective_after); *util_r: the fair utility
 * once it is reached, the sum over VMs of w u(share); *stranded_r:
 * movable VMs left on drained hosts (each may be NULL).  BAL_EINVAL for
 * invalid input (logged as bal__planner_plan does). */
int bal__pl_evaluate(bal_ctx *ctx, const bal__pl_input *in, const int *place,
                     double *work_r, double *util_r, int *stranded_r);

/* The same for many placements of one input: the input checked (as
 * bal__planner_plan does) and the model built once (dispose it with
 * bal__pl_model_dispose), then each placement (valid host indices;
 * *err_r BAL_ENOMEM when out of memory). */
int bal__pl_model_check_init(bal_ctx *ctx, bal__pl_model *m,
                             const bal__pl_input *in);
double bal__pl_model_objective(bal__pl_model *m, const int *place,
                               double *util_r, int *stranded_r, int *err_r);

/* A saved plan's moves checked against in's constraints, as the search
 * checks its own (bal__pls_unit_blocked): move i takes VM vm[i] to host
 * to[i] (indices of in; one out of range is left to the caller, -1); a
 * VM moved twice is weighed where its last move ends it, and the rules
 * on the placement the whole plan makes.  why_r[i]: -1 allowed, else
 * why not (pinned, cooldown, ping-pong, drained, must-run-on,
 * should-run-on, keep-together, anti-affinity, storage, no-link);
 * memory is the caller's (it knows the waves).  BAL_EINVAL for invalid
 * input (logged as bal__planner_plan does), BAL_ENOMEM. */
int bal__pl_check_moves(bal_ctx *ctx, const bal__pl_input *in, const int *vm,
                        const int *to, int n, int *why_r);

/* Heavy same-type collisions of a placement (NULL: the input's). */
int bal__pl_collisions(const bal__pl_input *in, const int *place);

#endif /* BAL_PLANNER_H */
