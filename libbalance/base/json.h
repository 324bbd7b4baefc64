/*
 * json.h - the one JSON reader: every JSON text libbalance reads as a
 * tree (the plan file, the planner's input, the history) goes through
 * bal__json_parse and is read with the accessors below; and the sample
 * format on the wire and in traces (one line of JSON per sample), read
 * as it comes with yajl's callbacks.  Writing is jsongen.h's business.
 * Pure: no Xen header.
 *
 * Parsing trusts nothing: a text that is malformed, truncated, nested
 * too deep, of the wrong types, out of range or oversized is an error
 * naming `what` (the file, the peer, or FILE:LINE), never a crash.
 */
#ifndef BAL_JSON_H
#define BAL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "internal.h"

/* ---- any JSON text, as a tree ------------------------------------------- */

typedef enum bal__json_fault {
    BAL__JSON_OK,
    BAL__JSON_NUL,              /* "contains a NUL byte" */
    BAL__JSON_DEEP,             /* "nested deeper than N" */
    BAL__JSON_SYNTAX,           /* "not JSON: " and yajl's first line */
    BAL__JSON_NOMEM,            /* "out of memory" */
    BAL__JSON_VALUE,            /* "PATH: contains \u0000 (a NUL character)",
                                 * "PATH: number 1e400 is out of range ..." */
} bal__json_fault;

typedef struct bal__json_err {
    bal__json_fault fault;
    char msg[256];              /* what is wrong, for after "WHAT: " */
} bal__json_err;

/* Parses text[0..len), which need not end in a NUL, into *top_r
 * (yajl_tree_free'd by the caller).  Its nesting is checked first,
 * outside strings and comments: yajl_tree recurses as deep as a text
 * nests, and a hostile file must not overflow the stack.  Then every
 * string and key (none may hold "\u0000": yajl_tree keeps it, and C's
 * strlen would see a shorter string than the text says) and every number
 * (none may overflow a double, nor a whole one a long long: yajl_tree
 * would keep it as a text its accessors refuse for the wrong reason),
 * with the JSON path of the first fault in the message.  BAL_EINVAL or
 * BAL_ENOMEM with *err_r saying why; logs nothing, for a reader says it
 * in its own line (bal__json_error), in its own words if it has some. */
int bal__json_parse(const char *text, size_t len, int max_depth,
                    yajl_val *top_r, bal__json_err *err_r);
/* Only blanks (or nothing): yajl would say "premature EOF" of it. */
bool bal__json_blank(const char *text, size_t len);

/* The one line a reader logs of a fault: "WHAT: WHERE: message", or
 * "WHAT: message" when where is NULL or "", control characters as '?':
 * keys, values and names of the text are quoted in it, and none may
 * reach a terminal or split the line. */
void bal__json_error(bal_ctx *ctx, const char *what, const char *where,
                     const char *fmt, ...) BAL__PRINTF(4, 5);
void bal__json_verror(bal_ctx *ctx, const char *what, const char *where,
                      const char *fmt, va_list ap) BAL__PRINTF(4, 0);
/* For messages: "a string", "a number", "an object", "an array",
 * "a boolean", "null". */
const char *bal__json_type_name(yajl_type t);

/* obj's member named key when it is of type t (yajl_t_any: of any type);
 * NULL when obj is not an object, has none, or one of another type.  A
 * key given twice sets *twice_r (when not NULL): yajl_tree keeps both,
 * and the first would count, the second be silently ignored. */
yajl_val bal__json_member(yajl_val obj, const char *key, yajl_type t,
                          bool *twice_r);
/* The finite number a JSON number's text says, read in the C locale
 * whatever the program's (a ',' locale would stop strtod at the '.');
 * false when s is not wholly a number or overflows a double. */
bool bal__json_strtod(const char *s, double *d_r);
/* The same of v; false too when v is NULL or not a number. */
bool bal__json_num(yajl_val v, double *d_r);
/* v's text when v is a string of 1 to size - 1 bytes (SIZE_MAX: of any
 * length); else NULL. */
const char *bal__json_str(yajl_val v, size_t size);

/* What a string holding "\u0000" is told, after its path. */
#define BAL__JSON_NUL_CHAR "contains \\u0000 (a NUL character)"

/* ---- the sample format ------------------------------------------------- */

#define BAL__JSON_MAX (16u << 20)    /* largest sample accepted, bytes */
#define BAL__JSON_MAX_DOMS 4096      /* domains one host may report */
#define BAL__JSON_MAX_HOSTS 100000

/* Format version 1, one line of JSON, no spaces:
 *   {"xl_balance_sample":1,"hosts":[{"name":"hostA","time_ns":N,"pcpus":N,
 *    "cpu_hz":N,"mem_kb":N,"free_kb":N,"disk_Bps":F,"disk_iops":F,
 *    "net_Bps":F,"domains":[{"uuid":"...","name":"vm1","domid":N,"vcpus":N,
 *    "mem_kb":N,"maxmem_kb":N,"cpu_ns":N,"vbd_rd_reqs":N,"vbd_wr_reqs":N,
 *    "vbd_rd_sect":N,"vbd_wr_sect":N,"vbd_oo_reqs":N,"net_rx_bytes":N,
 *    "net_tx_bytes":N,"weight":N}]}]}
 * Counters are integers in 0..2^63-1: yajl's limit (long long), on both
 * sides.  disk_Bps, disk_iops and net_Bps are optional (0 = unknown),
 * finite and >= 0.  A domain's "weight" (its scheduler weight) is
 * optional, 0..65535, written only when known (nonzero): missing is 0,
 * unknown, as from a writer that predates it.  Names are 1..size-1 bytes of UTF-8 without control
 * characters; UUIDs canonical and unique in a sample; host names unique;
 * domid <= 0x7FEF.  Unknown keys are ignored (forward compatibility);
 * missing ones are errors naming the key and its path. */

/* One line (no newline) of JSON; *json_r malloc'd.  A sample the parser
 * would refuse is refused: BAL_EINVAL (a name or UUID), BAL_ERANGE (a
 * number, or too many hosts or domains); duplicates are not checked. */
int bal__json_write_sample(const bal__sample *s, char **json_r);

/* Parses text[0..len) into out (bal__sample_init'd by the caller; hosts
 * are appended).  On error logs "WHAT: what is wrong" and returns err_rc
 * (BAL_EPEER for a peer, BAL_ETRACE for a trace), out unchanged. */
int bal__json_parse_sample(bal_ctx *ctx, const char *what, int err_rc,
                           const char *text, size_t len, bal__sample *out);

/* Whether s[0..len) is acceptable as a host or domain name on the wire:
 * non-empty, valid UTF-8, no control character (C0, DEL, C1). */
bool bal__json_name_valid(const char *s, size_t len);
/* Replaces, in place, every byte that makes a name unacceptable with '?'
 * (never longer afterwards); for backends whose names come from outside. */
void bal__json_name_sanitize(char *s);

#endif /* BAL_JSON_H */
