/*
 * plan_json.h - plans as files: what `plan --json' writes and `rebalance
 * --apply' reads, one format with one version.  The reader is strict
 * about what it uses and names the file and the JSON path of the first
 * fault.
 */
#ifndef BAL_PLAN_JSON_H
#define BAL_PLAN_JSON_H

#include "base/internal.h"
#include "base/jsongen.h"
#include "base/plan.h"

#define BAL__PLAN_VERSION 1     /* "xl_balance_plan": 1 */

/* ---- the plan file (plan_json.c) ----------------------------------------
 *   {"xl_balance_plan":1,"moves":[{"vm":NAME,"uuid":UUID,"from":HOST,
 *    "to":HOST,"wave":N,...}, ...]}
 * what `plan --json' and `rebalance --dry-run --json' print.  Other keys
 * are ignored (a plan carries its predictions); "reason" (a string) and
 * "gain_rate" (a number) are read when present. */

#define BAL__PLAN_FILE_MAX (16u << 20)  /* bytes */
#define BAL__PLAN_MAX_MOVES 10000
#define BAL__PLAN_MAX_WAVE 9999

/* Parses text[0..len).  Errors are one line "WHAT: JSON.PATH: what is
 * wrong" (BAL_EINVAL), outputs untouched.  The plan's moves come sorted
 * by wave (stable); *predicted_r (malloc'd, one per move, NAN when the
 * file has none) follows that order. */
int bal__plan_json_parse(bal_ctx *ctx, const char *what, const char *text,
                         size_t len, bal__plan *out, double **predicted_r);
/* The same from a file (named in the messages). */
int bal__plan_json_load(bal_ctx *ctx, const char *path, bal__plan *out,
                        double **predicted_r);
/* The plan as a plan file; predicted may be NULL.  *json_r malloc'd. */
int bal__plan_json_write(const bal__plan *p, const double *predicted,
                         char **json_r);

/* ---- offline planning (plan_report.c) -------------------------------------- */

/* One move's fields (vm, uuid, from, to, wave, reason, gain_rate unless
 * pred is NAN) into the object w has open: the plan file's, and a
 * rebalance report's before how the move went. */
void bal__plan_json_move(bal__jw *w, const bal__plan_move *m, double pred);

#endif /* BAL_PLAN_JSON_H */
