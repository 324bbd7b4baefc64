/*
 * planner_json.h - the planner's input and result as JSON
 * (planner_json.c; doc/planner.md, "JSON").
 */
#ifndef BAL_PLANNER_JSON_H
#define BAL_PLANNER_JSON_H

#include "planner_types.h"

/* Reads a planner input (doc/planner.md, "JSON") from text[0..len);
 * errors are logged as "WHAT: what is wrong" (BAL_EINVAL), out
 * untouched.  out must be bal__pl_input_init'd and empty. */
int bal__pl_input_parse_json(bal_ctx *ctx, const char *what, const char *text,
                             size_t len, bal__pl_input *out);

/* The result as one JSON document; *json_r malloc'd. */
int bal__pl_result_json(const bal__pl_result *r, const bal__pl_input *in,
                        char **json_r);

#endif /* BAL_PLANNER_JSON_H */
