/*
 * planner_explain.h - what the search reports (planner_explain.c): why a
 * VM that would gain stays, and the plan's migrations as steps; and the
 * name of each reason.
 */
#ifndef BAL_PLANNER_EXPLAIN_H
#define BAL_PLANNER_EXPLAIN_H

#include "planner_units.h"

/* Why v, below its demand, stays (added to the rejects, or nothing). */
int bal__pls_explain(srch *s, int v);
/* When v stays outside its should_run_on hosts, a reject saying so
 * (should-run-on: no move to one of them was taken); else nothing. */
int bal__pls_explain_should(srch *s, int v);
/* The plan's migrations (s->corder: each VM once, from where it started
 * to where it ends, unless it must migrate twice), in their order, as
 * the search's output steps. */
int bal__pls_emit_steps(srch *s);

#endif /* BAL_PLANNER_EXPLAIN_H */
