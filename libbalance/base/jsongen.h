/*
 * jsongen.h - the few yajl_gen idioms every JSON writer of ours uses:
 * keyed values, numbers with fixed decimals (12.345, not 12.3450000001),
 * and copying the result out.  Pure.
 */
#ifndef BAL_JSONGEN_H
#define BAL_JSONGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

void bal__jg_str(yajl_gen g, const char *s);
void bal__jg_key_str(yajl_gen g, const char *k, const char *v);
void bal__jg_key_int(yajl_gen g, const char *k, long long v);
void bal__jg_key_bool(yajl_gen g, const char *k, bool v);
/* v with `decimals' decimals; null when v is not finite. */
void bal__jg_key_num(yajl_gen g, const char *k, double v, int decimals);
/* The same, but nothing at all, key included, when v is not finite (a
 * file whose reader takes a missing key for "unknown"). */
void bal__jg_key_num_opt(yajl_gen g, const char *k, double v, int decimals);
/* The same, and null for a negative v ("never", "unknown"). */
void bal__jg_key_num_or_null(yajl_gen g, const char *k, double v,
                             int decimals);
/* The generated text, malloc'd, into *json_r; BAL_EINVAL when yajl
 * refused something (a string that is not UTF-8), BAL_ENOMEM. */
int bal__jg_finish(yajl_gen g, char **json_r);

/* Whether text[0..len) nests arrays and objects deeper than max_depth,
 * outside strings and comments: checked before yajl_tree_parse, which
 * recurses (a hostile file must not overflow the stack).  Comments are
 * skipped as yajl's lexer does, so a '"' inside one hides nothing. */
bool bal__json_too_deep(const char *text, size_t len, int max_depth);

#endif
