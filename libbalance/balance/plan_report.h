/*
 * plan_report.h - `plan': what rebalance would do and why (bal_plan), or
 * what the planner makes of a cluster file (bal_plan_cluster).
 */
#ifndef BAL_PLAN_REPORT_H
#define BAL_PLAN_REPORT_H

#include "base/internal.h"

#define BAL__CLUSTER_FILE_MAX (64u << 20)  /* bytes of a cluster file */

/* bal_plan_cluster once the file is read: the planner's JSON input in
 * text[0..len) (any bytes), planned with o; every refusal one line
 * naming `what' (the planner's too), every message free of control
 * characters whatever the input's names hold.  What the fuzzer runs. */
int bal__plan_cluster_text(bal_ctx *ctx, const char *what, const char *text,
                           size_t len, const bal_plan_options *o,
                           bal_plan_report **report_r);

#endif /* BAL_PLAN_REPORT_H */
