/*
 * jsongen.h - the one JSON writer: every document libbalance writes (the
 * sample, the status, plans, reports, the history) is made with a
 * bal__jw, which wraps yajl_gen (no other file calls it) and formats the
 * numbers itself, in the C locale whatever the program's (JSON's '.',
 * never a ','), into buffers as large as any double needs.  Pure.
 *
 * A writer keeps its first fault and does nothing after it; the fault is
 * bal__jw_finish's answer, so that a document is written without a check
 * at every step.  Reading is json.h's business.
 */
#ifndef BAL_JSONGEN_H
#define BAL_JSONGEN_H

#include <stdbool.h>

typedef struct bal__jw bal__jw;

/* A writer of one document: indented (yajl's beautify, four spaces a
 * level) or all on one line.  0 or BAL_ENOMEM.  bal__jw_finish frees it,
 * as fclose does a FILE. */
int bal__jw_alloc(bool beautify, bal__jw **w_r);
/* The same for a document that is one map, opened, its first key (when
 * kind is not NULL) what it is and in which version ("xl_balance_plan":
 * 1), which a reader checks before anything else.  The caller closes the
 * map before bal__jw_finish. */
int bal__jw_doc(bool beautify, const char *kind, long long version,
                bal__jw **w_r);

void bal__jw_map_open(bal__jw *w);
void bal__jw_map_close(bal__jw *w);
void bal__jw_array_open(bal__jw *w);
void bal__jw_array_close(bal__jw *w);
/* A string (in a map, a key too); NULL writes null. */
void bal__jw_str(bal__jw *w, const char *s);
void bal__jw_int(bal__jw *w, long long v);
void bal__jw_bool(bal__jw *w, bool v);
void bal__jw_null(bal__jw *w);

/* Most decimals bal__jw_num writes: a double has 17 significant digits;
 * more are taken as this many. */
#define BAL__JW_DECIMALS_MAX 17
/* v with `decimals' decimals (%.*f): 12.345, not 12.3450000001.  A value
 * that rounds to zero is 0.000, never -0.000 (which reads oddly and
 * differs in nothing that matters); null when v is not finite. */
void bal__jw_num(bal__jw *w, double v, int decimals);
/* v exactly: the shorter of %.15g and %.17g that reads back as v; with
 * float_form, an integral v still looks like a float (2.0, not 2) for a
 * reader that tells them apart by their look.  null when v is not
 * finite (JSON has no infinity). */
void bal__jw_real(bal__jw *w, double v, bool float_form);

/* A key and its value, in a map. */
void bal__jw_key_str(bal__jw *w, const char *k, const char *v);
/* The keys that name a move, in the order the plan file reader
 * (balance/plan_json.c) takes them: "vm", "uuid", "from", "to". */
void bal__jw_key_move(bal__jw *w, const char *vm, const char *uuid,
                      const char *from, const char *to);
void bal__jw_key_int(bal__jw *w, const char *k, long long v);
void bal__jw_key_bool(bal__jw *w, const char *k, bool v);
/* bal__jw_num's value: null when v is not finite. */
void bal__jw_key_num(bal__jw *w, const char *k, double v, int decimals);
/* The same, but nothing at all, key included, when v is not finite (a
 * file whose reader takes a missing key for "unknown"). */
void bal__jw_key_num_opt(bal__jw *w, const char *k, double v, int decimals);
/* The same as bal__jw_key_num, and null for a negative v ("never",
 * "unknown"). */
void bal__jw_key_num_or_null(bal__jw *w, const char *k, double v,
                             int decimals);
/* bal__jw_real's value. */
void bal__jw_key_real(bal__jw *w, const char *k, double v, bool float_form);

/* The document, malloc'd and NUL-terminated, into *json_r, and w freed
 * whatever the outcome; or the writer's first fault: BAL_EINVAL (yajl
 * refused a call: a value where a key goes, a second document),
 * BAL_ENOMEM. */
int bal__jw_finish(bal__jw *w, char **json_r);

#endif
