/*
 * planner_search.h - the search (planner_search.c): from where the VMs
 * are, the units that pay, taken one at a time; its steps and the VMs
 * that stay (planner_types.h, bal__pl_search_out).
 */
#ifndef BAL_PLANNER_SEARCH_H
#define BAL_PLANNER_SEARCH_H

#include "planner_types.h"

void bal__pl_search_out_dispose(bal__pl_search_out *s);
int bal__pl_search(bal__pl_model *m, bal__pl_search_out *out);

#endif /* BAL_PLANNER_SEARCH_H */
